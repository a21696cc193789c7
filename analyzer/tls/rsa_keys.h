/*
 * rsa_keys.h - servers' RSA private keys, for TLS sessions with static RSA key exchange.
 *
 * With an RSA key exchange (TLS_RSA_WITH_* suites) the client encrypts the
 * premaster secret to the server's certificate key; holding the server's
 * private key is then enough to decrypt. Keys are read from unencrypted PEM
 * files (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY"; a file may also hold
 * certificates, which are skipped). An encrypted key, a file without a private
 * key and a non-RSA key each give one "FILE: problem" line on `diag`.
 */
#ifndef CSSP_RSA_KEYS_H
#define CSSP_RSA_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TLS_RSA_MAX_KEYS 64          /* keys kept over all files */
#define TLS_RSA_MAX_FILE_SIZE (1 << 20)
#define TLS_PREMASTER_LEN 48

typedef struct tls_rsa_keys tls_rsa_keys;

tls_rsa_keys *tls_rsa_keys_new(void);
void tls_rsa_keys_free(tls_rsa_keys *keys);

/* Adds every RSA private key of a PEM file. Returns false (one line on diag) when none was added. */
bool tls_rsa_keys_load_file(tls_rsa_keys *keys, const char *path, FILE *diag);

size_t tls_rsa_keys_count(const tls_rsa_keys *keys);

/*
 * Decrypts an encrypted premaster secret with key `index` (PKCS#1 v1.5).
 * Returns false unless it yields exactly TLS_PREMASTER_LEN bytes. A wrong key
 * may still "succeed" with random bytes (RSA implicit rejection), so the
 * caller must confirm the result, e.g. by authenticating a record.
 */
bool tls_rsa_keys_decrypt_premaster(const tls_rsa_keys *keys, size_t index, const uint8_t *encrypted,
                                    size_t encrypted_len, uint8_t premaster[TLS_PREMASTER_LEN]);

#endif
