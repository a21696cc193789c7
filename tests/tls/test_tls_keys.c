/*
 * test_tls_keys.c - TLS 1.3's HKDF-Expand-Label (tls_keys.c, written over HMAC) against OpenSSL's own.
 *
 * RFC 8448's handshake key and IV, then, for SHA-256 and SHA-384, several secrets, labels and lengths in
 * one call each (so every label after the first restarts from the keyed HMAC) compared with EVP_KDF
 * "TLS13-KDF" in HKDF-Expand mode with the "tls13 " prefix; the KeyUpdate secret likewise; and the
 * lengths and labels HKDF-Expand-Label cannot take are refused.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "check.h"
#include "tls_keys.h"
#include "tls_suites.h"

#define MAX_OUTPUTS 8

/* The reference: HKDF-Expand-Label(secret, label, "", len) by OpenSSL's TLS13-KDF. */
static bool reference_expand(const char *digest, const tls_secret *secret, const char *label, uint8_t *out,
                             size_t len)
{
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    static const char prefix[] = "tls13 ";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret->bytes, secret->len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PREFIX, (void *)prefix, sizeof prefix - 1),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_LABEL, (void *)label, strlen(label)),
        OSSL_PARAM_construct_end(),
    };
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS13-KDF", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    bool ok = ctx && EVP_KDF_derive(ctx, out, len, params) > 0;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return ok;
}

static tls_secret secret_of(size_t len, uint8_t seed)
{
    tls_secret s = { .len = len };
    for (size_t i = 0; i < len; i++)
        s.bytes[i] = (uint8_t)(seed + 37 * i);
    return s;
}

/* RFC 8448 3, {server} derive write traffic keys for handshake data (TLS_AES_128_GCM_SHA256). */
static void test_rfc8448(void)
{
    static const uint8_t secret_bytes[32] = {
        0xb6, 0x7b, 0x7d, 0x69, 0x0c, 0xc1, 0x6c, 0x4e, 0x75, 0xe5, 0x42, 0x13, 0xcb, 0x2d, 0x37, 0xb4,
        0xe9, 0xc9, 0x12, 0xbc, 0xde, 0xd9, 0x10, 0x5d, 0x42, 0xbe, 0xfd, 0x59, 0xd3, 0x91, 0xad, 0x38,
    };
    static const uint8_t want_key[16] = {
        0x3f, 0xce, 0x51, 0x60, 0x09, 0xc2, 0x17, 0x27, 0xd0, 0xf2, 0xe4, 0xe8, 0x6e, 0xe4, 0x03, 0xbc,
    };
    static const uint8_t want_iv[12] = { 0x5d, 0x31, 0x3e, 0xb2, 0x67, 0x12, 0x76, 0xee, 0x13, 0x00, 0x0b, 0x30 };
    tls_secret secret = { .len = sizeof secret_bytes };
    memcpy(secret.bytes, secret_bytes, sizeof secret_bytes);
    uint8_t key[16], iv[12];
    const tls_label_output outputs[] = { { "key", key, sizeof key }, { "iv", iv, sizeof iv } };
    CHECK(tls_keys_expand_labels("SHA256", &secret, outputs, 2));
    CHECK(memcmp(key, want_key, sizeof key) == 0);
    CHECK(memcmp(iv, want_iv, sizeof iv) == 0);
}

/* Every label of one call equals the reference's; the labels include one of the longest allowed (249 bytes). */
static void test_against_kdf(const char *digest, size_t hash_len)
{
    char long_label[250];
    memset(long_label, 'x', sizeof long_label - 1);
    long_label[sizeof long_label - 1] = '\0';
    const char *labels[MAX_OUTPUTS] = { "key", "iv", "traffic upd", "finished", "", "c ap traffic", long_label, "key" };
    const size_t lengths[MAX_OUTPUTS] = { 16, 12, hash_len, hash_len, 1, 32, hash_len - 1, 32 };
    for (uint8_t seed = 0; seed < 4; seed++) {
        tls_secret secret = secret_of(seed == 3 ? 20 : hash_len, seed); /* HKDF takes any key length */
        uint8_t got[MAX_OUTPUTS][64], want[64];
        tls_label_output outputs[MAX_OUTPUTS];
        for (size_t i = 0; i < MAX_OUTPUTS; i++)
            outputs[i] = (tls_label_output){ labels[i], got[i], lengths[i] };
        CHECK(tls_keys_expand_labels(digest, &secret, outputs, MAX_OUTPUTS));
        for (size_t i = 0; i < MAX_OUTPUTS; i++) {
            CHECK(reference_expand(digest, &secret, labels[i], want, lengths[i]));
            CHECK(memcmp(got[i], want, lengths[i]) == 0);
        }
    }
}

static void test_next_traffic_secret(uint16_t suite_id)
{
    const tls_suite *suite = tls_suite_find(suite_id);
    CHECK(suite != NULL);
    if (!suite)
        return;
    size_t hash_len = strcmp(suite->prf_digest, "SHA384") == 0 ? 48 : 32;
    tls_secret current = secret_of(hash_len, 7), next;
    uint8_t want[64];
    CHECK(tls_keys_next_traffic_secret(suite, &current, &next));
    CHECK(reference_expand(suite->prf_digest, &current, "traffic upd", want, hash_len));
    CHECK_EQ_U(next.len, hash_len);
    CHECK(memcmp(next.bytes, want, hash_len) == 0);
}

/* More than one hash length of output, and a label beyond HkdfLabel's 255 bytes with the prefix, are refused. */
static void test_refused(void)
{
    tls_secret secret = secret_of(32, 1);
    uint8_t out[64];
    const tls_label_output too_long_output = { "key", out, 33 };
    CHECK(!tls_keys_expand_labels("SHA256", &secret, &too_long_output, 1));
    char long_label[251];
    memset(long_label, 'x', sizeof long_label - 1);
    long_label[sizeof long_label - 1] = '\0';
    const tls_label_output too_long_label = { long_label, out, 16 };
    CHECK(!tls_keys_expand_labels("SHA256", &secret, &too_long_label, 1));
}

int main(void)
{
    test_rfc8448();
    test_against_kdf("SHA256", 32);
    test_against_kdf("SHA384", 48);
    test_next_traffic_secret(0x1301);
    test_next_traffic_secret(0x1302);
    test_refused();
    return check_summary("tls_keys");
}
