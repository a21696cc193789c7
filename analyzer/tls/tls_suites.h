/*
 * tls_suites.h - the TLS cipher suites the analyzer can decrypt, by IANA id.
 *
 * One table row per suite says everything the key schedule and the record
 * layer need: which EVP cipher, how the record is protected (AEAD or CBC with
 * HMAC), the key and fixed-IV lengths, the MAC digest and the PRF / HKDF
 * digest. The suites' names are the core's (cssp_tls_suite_name(), lib/core/names.c).
 */
#ifndef CSSP_TLS_SUITES_H
#define CSSP_TLS_SUITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cssp/tls_numbers.h"

typedef enum tls_protection {
    TLS_PROTECT_GCM,      /* AES-GCM: 4-byte implicit + 8-byte explicit nonce (1.2), IV xor seq (1.3) */
    TLS_PROTECT_CHACHA,   /* ChaCha20-Poly1305: 12-byte IV xor seq (RFC 7905 / RFC 8446) */
    TLS_PROTECT_CBC       /* AES-CBC + HMAC, MAC-then-encrypt or encrypt_then_mac (RFC 7366) */
} tls_protection;

typedef enum tls_key_exchange {
    TLS_KX_RSA,           /* static RSA: the premaster secret is encrypted to the server's key */
    TLS_KX_EPHEMERAL,     /* (EC)DHE: only a key log can decrypt */
    TLS_KX_TLS13          /* TLS 1.3 suites: key exchange is negotiated separately */
} tls_key_exchange;

typedef struct tls_suite {
    uint16_t id;
    tls_key_exchange kx;
    tls_protection protection;
    const char *cipher;        /* EVP cipher name */
    size_t key_len;
    size_t fixed_iv_len;       /* IV bytes taken from the key block / HKDF */
    const char *mac_digest;    /* HMAC digest for CBC suites, NULL for AEAD */
    size_t mac_len;
    const char *prf_digest;    /* TLS 1.2 PRF and TLS 1.3 HKDF hash */
} tls_suite;

/* The decryptable suite with this id, or NULL. */
const tls_suite *tls_suite_find(uint16_t id);

/* IANA name of a decryptable suite, "unknown" for any other id. */
const char *tls_suite_name(uint16_t id);

#endif
