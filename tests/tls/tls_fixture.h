/*
 * tls_fixture.h - real TLS sessions recorded in-process, for the decryption tests.
 *
 * tls_fixture_record() runs an OpenSSL client and server against each other
 * over memory BIOs with the options given, captures the NSS key-log lines the
 * client's SSL_CTX emits, and records every byte each side wrote, chunk by
 * chunk in the order written (so feeding the chunks in order respects
 * causality across directions). After the handshake both sides exchange
 * application data: small messages and one larger than 16 KiB (it spans
 * records), then the client closes with close_notify. The server uses a
 * self-signed RSA-2048 certificate made once per process; its private key is
 * available as PEM for static-RSA tests.
 */
#ifndef CSSP_TEST_TLS_FIXTURE_H
#define CSSP_TEST_TLS_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

typedef struct tls_fixture_options {
    int version;              /* TLS1_VERSION .. TLS1_3_VERSION: both min and max */
    const char *cipher_list;  /* TLS <= 1.2 (OpenSSL names), NULL for the default */
    const char *ciphersuites; /* TLS 1.3, NULL for the default */
    bool no_encrypt_then_mac;
    bool no_extended_master_secret;
    bool security_level_0;    /* needed for TLS 1.0 / 1.1 in OpenSSL 3 */
    bool hello_retry;         /* the server accepts only P-256, the client offers an X25519 share first */
    bool key_update;          /* the client updates its TLS 1.3 keys before its last message */
} tls_fixture_options;

typedef struct tls_fixture_chunk {
    int direction;            /* 0: client to server, 1: server to client */
    size_t offset;            /* into bytes */
    size_t len;
} tls_fixture_chunk;

typedef struct tls_fixture {
    GByteArray *bytes;        /* every chunk's bytes, back to back */
    GArray *chunks;           /* tls_fixture_chunk, in the order written */
    guint handshake_chunks;   /* how many of them the handshake took */
    GString *keylog;          /* NSS key-log lines from the client */
    GByteArray *sent[2];      /* application data each direction sent, concatenated */
    bool extended_master_secret; /* as OpenSSL's client reports it */
    uint16_t cipher_id;       /* IANA id of the negotiated suite */
    uint16_t version;         /* wire version negotiated */
} tls_fixture;

/* Records one session. On failure prints why (OpenSSL's error queue) and returns false. */
bool tls_fixture_record(const tls_fixture_options *options, tls_fixture *out);
void tls_fixture_clear(tls_fixture *fixture);

/* The server's RSA private key (unencrypted PKCS#8 PEM), as text owned by the fixture module. */
const char *tls_fixture_server_key_pem(void);

/* Frees the process-wide certificate and key. */
void tls_fixture_cleanup(void);

#endif
