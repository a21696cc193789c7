/* tls_keys.c - TLS 1.0-1.3 key schedules on EVP_KDF "TLS1-PRF" and HMAC (see tls_keys.h). */
#include "tls_keys.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
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

#define LABEL_PREFIX "tls13 "
#define MAX_LABEL_LEN (255 - (sizeof LABEL_PREFIX - 1)) /* HkdfLabel.label is opaque <7..255> */

/*
 * One label on an HMAC keyed with the secret: HMAC(secret, HkdfLabel || 0x01), the first block of HKDF-Expand
 * (RFC 5869 2.3), truncated to len, which is all of it while len is at most the hash length (checked against
 * the HMAC's output). `hmac` is keyed and not yet used, or restarted.
 */
static bool expand_label(EVP_MAC_CTX *hmac, const char *label, uint8_t *out, size_t len)
{
    size_t label_len = strlen(label), prefix_len = sizeof LABEL_PREFIX - 1, n = 0, mac_len = 0;
    uint8_t info[2 + 1 + 255 + 1 + 1], mac[EVP_MAX_MD_SIZE];
    if (label_len > MAX_LABEL_LEN)
        return false;
    info[n++] = (uint8_t)(len >> 8); /* HkdfLabel.length */
    info[n++] = (uint8_t)len;
    info[n++] = (uint8_t)(prefix_len + label_len);
    memcpy(info + n, LABEL_PREFIX, prefix_len);
    memcpy(info + n + prefix_len, label, label_len);
    n += prefix_len + label_len;
    info[n++] = 0; /* an empty context */
    info[n++] = 1; /* HKDF-Expand's block counter */
    bool ok = EVP_MAC_update(hmac, info, n) &&
              EVP_MAC_final(hmac, mac, &mac_len, sizeof mac) && mac_len >= len;
    if (ok)
        memcpy(out, mac, len);
    OPENSSL_cleanse(mac, sizeof mac);
    return ok;
}

/*
 * Over HMAC rather than EVP_KDF "TLS13-KDF", which sets up a new HMAC context and key for every label: with
 * SHA-384, a secret's key and IV cost 41,000 instructions that way and 24,600 here; on short TLS 1.3
 * connections the KDF was 37 % of the analyzer's instructions (docs/performance.md).
 */
bool tls_keys_expand_labels(const char *digest, const tls_secret *secret, const tls_label_output *outputs,
                            size_t count)
{
    EVP_MAC_CTX *hmac = tls_algorithms_hkdf_hmac(digest);
    bool ok = hmac && EVP_MAC_init(hmac, secret->bytes, secret->len, NULL);
    /* EVP_MAC_init() without a key restarts from the keyed state: the key's ipad/opad blocks are hashed once */
    for (size_t i = 0; ok && i < count; i++)
        ok = (i == 0 || EVP_MAC_init(hmac, NULL, 0, NULL)) &&
             expand_label(hmac, outputs[i].label, outputs[i].out, outputs[i].len);
    return ok;
}

bool tls_keys_from_traffic_secret(tls_record_keys *out, const tls_suite *suite, const tls_secret *secret)
{
    uint8_t key[TLS_MAX_KEY_LEN], iv[TLS13_IV_LEN];
    const tls_label_output outputs[] = { { "key", key, suite->key_len }, { "iv", iv, sizeof iv } };
    bool ok = secret->len == hash_len(suite) &&
              tls_keys_expand_labels(suite->prf_digest, secret, outputs, sizeof outputs / sizeof outputs[0]) &&
              tls_record_keys_init(out, suite, TLS_VERSION_1_3, false, key, iv, NULL);
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(iv, sizeof iv);
    return ok;
}

bool tls_keys_next_traffic_secret(const tls_suite *suite, const tls_secret *current, tls_secret *next)
{
    next->len = current->len;
    const tls_label_output output = { "traffic upd", next->bytes, next->len };
    return current->len == hash_len(suite) && tls_keys_expand_labels(suite->prf_digest, current, &output, 1);
}
