/*
 * tls_record.h - removing the protection of one TLS record with EVP.
 *
 * A tls_record_keys holds one direction's keys for one cipher suite and the
 * record sequence number. tls_record_open() authenticates and decrypts one
 * record fragment:
 *   AEAD, TLS 1.2: nonce = fixed IV || explicit 8 bytes (GCM) or IV xor seq
 *                  (ChaCha20), AAD = seq || type || version || plaintext length;
 *   AEAD, TLS 1.3: nonce = IV xor seq, AAD = the record header, and the inner
 *                  content type is the last non-zero plaintext byte;
 *   CBC:  MAC-then-encrypt or encrypt_then_mac (RFC 7366), explicit IV from
 *         TLS 1.1, the previous record's last ciphertext block in TLS 1.0.
 * Every call consumes one sequence number, whether the record authenticates
 * or not, as the sender consumed one for it.
 */
#ifndef CSSP_TLS_RECORD_H
#define CSSP_TLS_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "cssp/tls_framer.h"
#include "tls_suites.h"

#define TLS_MAX_KEY_LEN 32
#define TLS_MAX_IV_LEN 16
#define TLS_MAX_MAC_KEY_LEN 48

typedef struct tls_record_keys {
    const tls_suite *suite;
    bool tls13;
    bool etm;                       /* CBC: encrypt_then_mac negotiated */
    bool chained_iv;                /* TLS 1.0 CBC: iv is the last ciphertext block */
    EVP_CIPHER_CTX *cipher;
    EVP_MAC_CTX *mac;               /* CBC suites only */
    uint8_t iv[TLS_MAX_IV_LEN];
    uint64_t seq;
} tls_record_keys;

typedef enum tls_open_result {
    TLS_OPEN_OK,
    TLS_OPEN_BAD_LENGTH,     /* too short for the protection, or not whole cipher blocks */
    TLS_OPEN_AUTH_FAILED,    /* tag, MAC or padding check failed: wrong key or altered bytes */
    TLS_OPEN_NO_CONTENT_TYPE /* TLS 1.3 plaintext of zeros only */
} tls_open_result;

/*
 * Sets up keys for `suite` (version decides 1.3 vs 1.0-1.2 record forms).
 * `iv` is suite->fixed_iv_len bytes, 12 for TLS 1.3; `mac_key` is
 * suite->mac_len bytes for CBC suites, NULL for AEAD. Sequence number 0.
 */
bool tls_record_keys_init(tls_record_keys *k, const tls_suite *suite, uint16_t version, bool etm,
                          const uint8_t *key, const uint8_t *iv, const uint8_t *mac_key);

/* Frees and wipes. Safe on zeroed and already cleared keys. */
void tls_record_keys_clear(tls_record_keys *k);

/*
 * Opens the record whose 5-byte header is `header` and fragment `fragment`
 * (`len` bytes). `out` must have room for `len` bytes; on TLS_OPEN_OK the
 * plaintext is out[0 .. *plain_len) and *content_type its (inner) type.
 */
tls_open_result tls_record_open(tls_record_keys *k, const tls_record_header *header,
                                const uint8_t *fragment, size_t len, uint8_t *out, size_t *plain_len,
                                uint8_t *content_type);

#endif
