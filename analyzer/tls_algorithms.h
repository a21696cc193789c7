/*
 * tls_algorithms.h - the OpenSSL algorithms of the TLS decryption, fetched once per process.
 *
 * OpenSSL 3 looks an algorithm up by name on every implicit or explicit fetch, and a context that is
 * given its digest by name looks the digest up again each time. For a short TLS 1.3 session that costs
 * more than the key derivation itself (docs/performance.md), so the ciphers, HMAC and KDFs are fetched
 * on first use and kept, and the TLS 1.3 HKDF-Expand-Label contexts are kept with their digest, mode
 * and label prefix already set.
 *
 * Not thread-safe: the analyzer (and every harness) decrypts on one thread. The objects are freed at
 * exit, before OpenSSL's own clean-up.
 */
#ifndef CSSP_TLS_ALGORITHMS_H
#define CSSP_TLS_ALGORITHMS_H

#include <openssl/evp.h>
#include <openssl/kdf.h>

/* The cipher of this name (a tls_suite's `cipher`), or NULL when the provider lacks it. Not to be freed. */
EVP_CIPHER *tls_algorithms_cipher(const char *name);

/* The HMAC MAC. Not to be freed. */
EVP_MAC *tls_algorithms_hmac(void);

/* The TLS1-PRF KDF. Not to be freed. */
EVP_KDF *tls_algorithms_tls1_prf(void);

/*
 * A TLS13-KDF context in HKDF-Expand mode with this digest ("SHA256" or "SHA384") and the "tls13 "
 * prefix set: each derivation passes only the secret and the label. Not to be freed.
 */
EVP_KDF_CTX *tls_algorithms_tls13_expand(const char *digest);

#endif
