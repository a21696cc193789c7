/*
 * tls_handshake.h - decoders of the handshake messages the decrypter needs.
 *
 * Each takes the body of one handshake message (after the 4-byte
 * type/length header) and reads it through the bounds-checked cssp_reader:
 * the ClientHello for the client random and the extensions offered, the
 * ServerHello for version, random, cipher suite and the extensions selected
 * (supported_versions makes it TLS 1.3; a HelloRetryRequest is recognised by
 * its fixed random), the RSA ClientKeyExchange for the encrypted premaster.
 */
#ifndef CSSP_TLS_HANDSHAKE_H
#define CSSP_TLS_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cssp/status.h"

#define TLS_RANDOM_LEN 32
#define TLS_HANDSHAKE_HEADER_LEN 4 /* msg_type, uint24 length */

enum {
    TLS_HS_CLIENT_HELLO = 1,
    TLS_HS_SERVER_HELLO = 2,
    TLS_HS_ENCRYPTED_EXTENSIONS = 8,
    TLS_HS_CERTIFICATE = 11,
    TLS_HS_CERTIFICATE_VERIFY = 15,
    TLS_HS_CLIENT_KEY_EXCHANGE = 16,
    TLS_HS_FINISHED = 20,
    TLS_HS_KEY_UPDATE = 24
};

enum {
    TLS_EXT_ENCRYPT_THEN_MAC = 0x0016,
    TLS_EXT_EXTENDED_MASTER_SECRET = 0x0017,
    TLS_EXT_SUPPORTED_VERSIONS = 0x002B
};

typedef struct tls_client_hello {
    uint16_t legacy_version;
    uint8_t random[TLS_RANDOM_LEN];
    bool offers_ems;
    bool offers_etm;
} tls_client_hello;

typedef struct tls_server_hello {
    uint16_t version;          /* negotiated: supported_versions if present, else legacy_version */
    uint8_t random[TLS_RANDOM_LEN];
    uint16_t cipher_suite;
    bool ems;                  /* extended_master_secret selected */
    bool etm;                  /* encrypt_then_mac selected */
    bool hello_retry_request;
} tls_server_hello;

/* The type and body length in a handshake message's 4-byte header. */
void tls_handshake_header(const uint8_t header[TLS_HANDSHAKE_HEADER_LEN], uint8_t *type, size_t *body_len);

/*
 * The handshake message at the start of `bytes` (a record's fragment, say): its type and body. False when
 * the bytes do not hold all of it.
 */
bool tls_handshake_message(const uint8_t *bytes, size_t len, uint8_t *type, const uint8_t **body, size_t *body_len);

cssp_status tls_parse_client_hello(const uint8_t *body, size_t len, tls_client_hello *out);
cssp_status tls_parse_server_hello(const uint8_t *body, size_t len, tls_server_hello *out);

/* The encrypted premaster of an RSA ClientKeyExchange (TLS 1.0+: a 2-byte length, then the bytes). */
cssp_status tls_parse_rsa_client_key_exchange(const uint8_t *body, size_t len, const uint8_t **encrypted,
                                              size_t *encrypted_len);

#endif
