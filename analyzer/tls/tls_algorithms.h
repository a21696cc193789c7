/*
 * tls_algorithms.h - the OpenSSL algorithms of the TLS decryption, fetched once per process.
 *
 * OpenSSL 3 looks an algorithm up by name on every implicit or explicit fetch, and a context that is
 * given its digest by name looks the digest up again each time. For a short TLS 1.3 session that costs
 * more than the key derivation itself (docs/performance.md), so the ciphers, HMAC and KDF are fetched
 * on first use and kept, and so are the HMAC contexts of TLS 1.3's HKDF-Expand-Label, with their
 * digest already set.
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
 * An HMAC context with this digest ("SHA256" or "SHA384") for HKDF-Expand-Label (tls_keys.c), which
 * keys it with each secret it expands; it holds the last one until exit. Not to be freed.
 */
EVP_MAC_CTX *tls_algorithms_hkdf_hmac(const char *digest);

#endif
