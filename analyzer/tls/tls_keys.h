/*
 * tls_keys.h - the TLS key schedules, from secrets to record keys, with OpenSSL's KDFs.
 *
 * TLS 1.0-1.2 (RFC 2246/4346/5246): EVP_KDF "TLS1-PRF" (MD5-SHA1 before 1.2,
 * the suite's PRF hash in 1.2) turns the premaster secret into the master
 * secret ("master secret", or "extended master secret" over the session
 * hash, RFC 7627) and the master secret into the key block ("key expansion").
 * TLS 1.3 (RFC 8446 7.3): HKDF-Expand-Label, on the suite's HMAC, expands a
 * traffic secret into the record key and IV ("key", "iv") and into the next
 * secret ("traffic upd").
 */
#ifndef CSSP_TLS_KEYS_H
#define CSSP_TLS_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keylog.h"
#include "tls_record.h"
#include "tls_suites.h"

#define TLS_MASTER_SECRET_LEN 48

/* session_hash NULL: the classic master secret from the randoms; else the extended master secret. */
bool tls_keys_master_secret(uint16_t version, const tls_suite *suite, const uint8_t *premaster,
                            size_t premaster_len, const uint8_t client_random[TLS_RANDOM_LEN],
                            const uint8_t server_random[TLS_RANDOM_LEN], const uint8_t *session_hash,
                            size_t session_hash_len, uint8_t master[TLS_MASTER_SECRET_LEN]);

/* The record keys of one direction of a TLS 1.0-1.2 session, from its master secret. */
bool tls_keys_from_master(tls_record_keys *out, uint16_t version, const tls_suite *suite, bool etm,
                          const uint8_t master[TLS_MASTER_SECRET_LEN],
                          const uint8_t client_random[TLS_RANDOM_LEN],
                          const uint8_t server_random[TLS_RANDOM_LEN], bool server_writes);

/* The record keys for a TLS 1.3 traffic secret; false when its length does not fit the suite's hash. */
bool tls_keys_from_traffic_secret(tls_record_keys *out, const tls_suite *suite, const tls_secret *secret);

/* The next application traffic secret after a KeyUpdate. */
bool tls_keys_next_traffic_secret(const tls_suite *suite, const tls_secret *current, tls_secret *next);

/* One output of tls_keys_expand_labels(): `len` bytes for `label` (without the "tls13 " prefix) at `out`. */
typedef struct tls_label_output {
    const char *label;
    uint8_t *out;
    size_t len;
} tls_label_output;

/*
 * HKDF-Expand-Label(secret, label, "", len) (RFC 8446 7.1) with `digest` ("SHA256" or "SHA384") for each
 * output; false when a label is longer than 249 bytes or a length exceeds the hash length (never the case
 * for TLS 1.3's keys, IVs and secrets).
 */
bool tls_keys_expand_labels(const char *digest, const tls_secret *secret, const tls_label_output *outputs,
                            size_t count);

#endif
