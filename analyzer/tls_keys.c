/* tls_keys.c - TLS 1.0-1.3 key schedules on EVP_KDF "TLS1-PRF" and "TLS13-KDF" (see tls_keys.h). */
#include "tls_keys.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "tls_algorithms.h"

#define TLS13_IV_LEN 12
#define MAX_KEY_BLOCK (2 * TLS_MAX_MAC_KEY_LEN + 2 * TLS_MAX_KEY_LEN + 2 * TLS_MAX_IV_LEN)

/* PRF(secret, label, seed_a || seed_b); the TLS1-PRF KDF concatenates its seed parameters. */
static bool tls_prf(uint16_t version, const tls_suite *suite, const uint8_t *secret, size_t secret_len,
                    const char *label, const uint8_t *seed_a, size_t seed_a_len, const uint8_t *seed_b,
                    size_t seed_b_len, uint8_t *out, size_t out_len)
{
    const char *digest = version < TLS_VERSION_1_2 ? "MD5-SHA1" : suite->prf_digest;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, secret_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)label, strlen(label)),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)seed_a, seed_a_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)seed_b, seed_b_len),
        OSSL_PARAM_construct_end(),
    };
    EVP_KDF *kdf = tls_algorithms_tls1_prf();
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    bool ok = ctx && EVP_KDF_derive(ctx, out, out_len, params) > 0;
    EVP_KDF_CTX_free(ctx);
    return ok;
}

bool tls_keys_master_secret(uint16_t version, const tls_suite *suite, const uint8_t *premaster,
                            size_t premaster_len, const uint8_t client_random[TLS_RANDOM_LEN],
                            const uint8_t server_random[TLS_RANDOM_LEN], const uint8_t *session_hash,
                            size_t session_hash_len, uint8_t master[TLS_MASTER_SECRET_LEN])
{
    if (session_hash)
        return tls_prf(version, suite, premaster, premaster_len, "extended master secret", session_hash,
                       session_hash_len, NULL, 0, master, TLS_MASTER_SECRET_LEN);
    return tls_prf(version, suite, premaster, premaster_len, "master secret", client_random, TLS_RANDOM_LEN,
                   server_random, TLS_RANDOM_LEN, master, TLS_MASTER_SECRET_LEN);
}

bool tls_keys_from_master(tls_record_keys *out, uint16_t version, const tls_suite *suite, bool etm,
                          const uint8_t master[TLS_MASTER_SECRET_LEN],
                          const uint8_t client_random[TLS_RANDOM_LEN],
                          const uint8_t server_random[TLS_RANDOM_LEN], bool server_writes)
{
    /* key_block = client MAC key, server MAC key, client key, server key, client IV, server IV */
    uint8_t block[MAX_KEY_BLOCK];
    size_t mac = suite->mac_len, key = suite->key_len, iv = suite->fixed_iv_len;
    size_t side = server_writes ? 1 : 0;
    bool ok = tls_prf(version, suite, master, TLS_MASTER_SECRET_LEN, "key expansion", server_random,
                      TLS_RANDOM_LEN, client_random, TLS_RANDOM_LEN, block, 2 * (mac + key + iv)) &&
              tls_record_keys_init(out, suite, version, etm, block + 2 * mac + side * key,
                                   block + 2 * (mac + key) + side * iv, mac ? block + side * mac : NULL);
    OPENSSL_cleanse(block, sizeof block);
    return ok;
}

static size_t hash_len(const tls_suite *suite)
{
    return strcmp(suite->prf_digest, "SHA384") == 0 ? 48 : 32;
}

/* HKDF-Expand-Label(secret, label, "", out_len) (RFC 8446 7.1); no DATA parameter means an empty context. */
static bool expand_label(const tls_suite *suite, const tls_secret *secret, const char *label, uint8_t *out,
                         size_t out_len)
{
    EVP_KDF_CTX *ctx = tls_algorithms_tls13_expand(suite->prf_digest);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret->bytes, secret->len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_LABEL, (void *)label, strlen(label)),
        OSSL_PARAM_construct_end(),
    };
    return ctx && EVP_KDF_derive(ctx, out, out_len, params) > 0;
}

bool tls_keys_from_traffic_secret(tls_record_keys *out, const tls_suite *suite, const tls_secret *secret)
{
    uint8_t key[TLS_MAX_KEY_LEN], iv[TLS13_IV_LEN];
    bool ok = secret->len == hash_len(suite) && expand_label(suite, secret, "key", key, suite->key_len) &&
              expand_label(suite, secret, "iv", iv, sizeof iv) &&
              tls_record_keys_init(out, suite, TLS_VERSION_1_3, false, key, iv, NULL);
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(iv, sizeof iv);
    return ok;
}

bool tls_keys_next_traffic_secret(const tls_suite *suite, const tls_secret *current, tls_secret *next)
{
    next->len = current->len;
    return current->len == hash_len(suite) &&
           expand_label(suite, current, "traffic upd", next->bytes, next->len);
}
