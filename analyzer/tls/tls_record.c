/* tls_record.c - record authentication and decryption with EVP (see tls_record.h). */
#include "tls_record.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include "tls_algorithms.h"

#define AEAD_TAG_LEN 16
#define GCM_EXPLICIT_NONCE_LEN 8
#define AEAD_NONCE_LEN 12
#define CBC_BLOCK_LEN 16
#define TLS13_IV_LEN 12
#define MAX_MAC_LEN 48

bool tls_record_keys_init(tls_record_keys *k, const tls_suite *suite, uint16_t version, bool etm,
                          const uint8_t *key, const uint8_t *iv, const uint8_t *mac_key)
{
    memset(k, 0, sizeof *k);
    k->suite = suite;
    k->tls13 = version == TLS_VERSION_1_3;
    k->etm = etm && suite->protection == TLS_PROTECT_CBC;
    k->chained_iv = suite->protection == TLS_PROTECT_CBC && version == TLS_VERSION_1_0;
    size_t iv_len = k->tls13 ? TLS13_IV_LEN : suite->fixed_iv_len;
    memcpy(k->iv, iv, iv_len);

    EVP_CIPHER *cipher = tls_algorithms_cipher(suite->cipher);
    k->cipher = cipher ? EVP_CIPHER_CTX_new() : NULL;
    bool ok = k->cipher && EVP_DecryptInit_ex2(k->cipher, cipher, key, NULL, NULL);
    if (ok && suite->protection == TLS_PROTECT_CBC) {
        /* TLS strips CBC padding itself (strip_padding). Not set for AEAD, which has none: OpenSSL 3.0 applies the
         * setting again, through its parameter lookup, on each record's EVP_DecryptInit_ex2(). */
        EVP_MAC *hmac = tls_algorithms_hmac();
        k->mac = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)suite->mac_digest, 0),
            OSSL_PARAM_construct_end(),
        };
        ok = EVP_CIPHER_CTX_set_padding(k->cipher, 0) && k->mac &&
             EVP_MAC_init(k->mac, mac_key, suite->mac_len, params);
    }
    if (!ok)
        tls_record_keys_clear(k);
    return ok;
}

void tls_record_keys_clear(tls_record_keys *k)
{
    EVP_CIPHER_CTX_free(k->cipher);
    EVP_MAC_CTX_free(k->mac);
    OPENSSL_cleanse(k, sizeof *k);
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

/* The TLS <= 1.2 pseudo-header authenticated with each record: seq || type || version || length. */
static void pseudo_header(uint8_t out[13], uint64_t seq, const tls_record_header *header, size_t len)
{
    put_be64(out, seq);
    out[8] = header->content_type;
    out[9] = (uint8_t)(header->version >> 8);
    out[10] = (uint8_t)header->version;
    out[11] = (uint8_t)(len >> 8);
    out[12] = (uint8_t)len;
}

/* IV xor the big-endian sequence number in its last 8 bytes (RFC 8446 5.3, RFC 7905). */
static void nonce_xor_seq(uint8_t nonce[AEAD_NONCE_LEN], const uint8_t iv[AEAD_NONCE_LEN], uint64_t seq)
{
    uint8_t seq_bytes[8];
    put_be64(seq_bytes, seq);
    memcpy(nonce, iv, AEAD_NONCE_LEN);
    for (size_t i = 0; i < 8; i++)
        nonce[AEAD_NONCE_LEN - 8 + i] ^= seq_bytes[i];
}

static bool aead_decrypt(tls_record_keys *k, const uint8_t nonce[AEAD_NONCE_LEN], const uint8_t *aad,
                         size_t aad_len, const uint8_t *ciphertext, size_t len, const uint8_t *tag_bytes,
                         uint8_t *out)
{
    uint8_t tag[AEAD_TAG_LEN];
    memcpy(tag, tag_bytes, sizeof tag);
    int n = 0, final_len = 0;
    return EVP_DecryptInit_ex2(k->cipher, NULL, NULL, nonce, NULL) &&
           EVP_DecryptUpdate(k->cipher, NULL, &n, aad, (int)aad_len) &&
           (len == 0 || EVP_DecryptUpdate(k->cipher, out, &n, ciphertext, (int)len)) &&
           EVP_CIPHER_CTX_ctrl(k->cipher, EVP_CTRL_AEAD_SET_TAG, AEAD_TAG_LEN, tag) &&
           EVP_DecryptFinal_ex(k->cipher, out + n, &final_len) > 0;
}

static tls_open_result open_tls13(tls_record_keys *k, const tls_record_header *header,
                                  const uint8_t *fragment, size_t len, uint8_t *out, size_t *plain_len,
                                  uint8_t *content_type)
{
    if (len < AEAD_TAG_LEN + 1)
        return TLS_OPEN_BAD_LENGTH;
    uint8_t nonce[AEAD_NONCE_LEN];
    nonce_xor_seq(nonce, k->iv, k->seq);
    size_t inner_len = len - AEAD_TAG_LEN;
    if (!aead_decrypt(k, nonce, header->bytes, TLS_RECORD_HEADER_LEN, fragment, inner_len, fragment + inner_len,
                      out))
        return TLS_OPEN_AUTH_FAILED;
    while (inner_len > 0 && out[inner_len - 1] == 0)
        inner_len--;
    if (inner_len == 0)
        return TLS_OPEN_NO_CONTENT_TYPE;
    *content_type = out[inner_len - 1];
    *plain_len = inner_len - 1;
    return TLS_OPEN_OK;
}

static tls_open_result open_aead12(tls_record_keys *k, const tls_record_header *header,
                                   const uint8_t *fragment, size_t len, uint8_t *out, size_t *plain_len)
{
    size_t explicit_len = k->suite->protection == TLS_PROTECT_GCM ? GCM_EXPLICIT_NONCE_LEN : 0;
    if (len < explicit_len + AEAD_TAG_LEN)
        return TLS_OPEN_BAD_LENGTH;
    uint8_t nonce[AEAD_NONCE_LEN];
    if (explicit_len) {
        memcpy(nonce, k->iv, AEAD_NONCE_LEN - GCM_EXPLICIT_NONCE_LEN);
        memcpy(nonce + AEAD_NONCE_LEN - GCM_EXPLICIT_NONCE_LEN, fragment, GCM_EXPLICIT_NONCE_LEN);
    } else {
        nonce_xor_seq(nonce, k->iv, k->seq);
    }
    size_t data_len = len - explicit_len - AEAD_TAG_LEN;
    uint8_t aad[13];
    pseudo_header(aad, k->seq, header, data_len);
    if (!aead_decrypt(k, nonce, aad, sizeof aad, fragment + explicit_len, data_len,
                      fragment + explicit_len + data_len, out))
        return TLS_OPEN_AUTH_FAILED;
    *plain_len = data_len;
    return TLS_OPEN_OK;
}

/* HMAC over the pseudo-header and `data`, compared with `expected` in constant time. */
static bool mac_matches(tls_record_keys *k, const tls_record_header *header, const uint8_t *data,
                        size_t data_len, const uint8_t *expected)
{
    uint8_t pseudo[13], mac[MAX_MAC_LEN];
    size_t mac_len = 0;
    pseudo_header(pseudo, k->seq, header, data_len);
    return EVP_MAC_init(k->mac, NULL, 0, NULL) && EVP_MAC_update(k->mac, pseudo, sizeof pseudo) &&
           EVP_MAC_update(k->mac, data, data_len) && EVP_MAC_final(k->mac, mac, &mac_len, sizeof mac) &&
           mac_len == k->suite->mac_len && CRYPTO_memcmp(mac, expected, mac_len) == 0;
}

/* Decrypts whole blocks; the IV is the explicit first block (TLS 1.1+) or the chained one (TLS 1.0). */
static bool cbc_decrypt(tls_record_keys *k, const uint8_t *blocks, size_t len, uint8_t *out, size_t *out_len)
{
    const uint8_t *iv = k->iv;
    if (!k->chained_iv) {
        iv = blocks;
        blocks += CBC_BLOCK_LEN;
        len -= CBC_BLOCK_LEN;
    }
    int n = 0;
    bool ok = EVP_DecryptInit_ex2(k->cipher, NULL, NULL, iv, NULL) &&
              EVP_DecryptUpdate(k->cipher, out, &n, blocks, (int)len) && (size_t)n == len;
    if (k->chained_iv)
        memcpy(k->iv, blocks + len - CBC_BLOCK_LEN, CBC_BLOCK_LEN);
    *out_len = len;
    return ok;
}

/* Strips TLS padding (every padding byte, and the length byte, hold the padding length). */
static bool strip_padding(const uint8_t *plain, size_t *len, size_t room_needed)
{
    size_t pad = plain[*len - 1];
    if (pad + 1 + room_needed > *len)
        return false;
    uint8_t bad = 0;
    for (size_t i = 0; i <= pad; i++)
        bad |= plain[*len - 1 - i] ^ (uint8_t)pad;
    *len -= pad + 1;
    return bad == 0;
}

static tls_open_result open_cbc(tls_record_keys *k, const tls_record_header *header,
                                const uint8_t *fragment, size_t len, uint8_t *out, size_t *plain_len)
{
    size_t mac_len = k->suite->mac_len;
    size_t iv_len = k->chained_iv ? 0 : CBC_BLOCK_LEN;
    size_t cipher_len = k->etm ? len - (len >= mac_len ? mac_len : len) : len;
    if (len < mac_len || cipher_len < iv_len + CBC_BLOCK_LEN || cipher_len % CBC_BLOCK_LEN != 0 ||
        (!k->etm && cipher_len - iv_len < mac_len + 1))
        return TLS_OPEN_BAD_LENGTH;
    if (k->etm && !mac_matches(k, header, fragment, cipher_len, fragment + cipher_len)) {
        if (k->chained_iv)
            memcpy(k->iv, fragment + cipher_len - CBC_BLOCK_LEN, CBC_BLOCK_LEN);
        return TLS_OPEN_AUTH_FAILED;
    }
    size_t n;
    if (!cbc_decrypt(k, fragment, cipher_len, out, &n) || !strip_padding(out, &n, k->etm ? 0 : mac_len))
        return TLS_OPEN_AUTH_FAILED;
    if (!k->etm) {
        n -= mac_len;
        if (!mac_matches(k, header, out, n, out + n))
            return TLS_OPEN_AUTH_FAILED;
    }
    *plain_len = n;
    return TLS_OPEN_OK;
}

tls_open_result tls_record_open(tls_record_keys *k, const tls_record_header *header,
                                const uint8_t *fragment, size_t len, uint8_t *out, size_t *plain_len,
                                uint8_t *content_type)
{
    *plain_len = 0;
    *content_type = header->content_type;
    tls_open_result result;
    if (k->tls13)
        result = open_tls13(k, header, fragment, len, out, plain_len, content_type);
    else if (k->suite->protection == TLS_PROTECT_CBC)
        result = open_cbc(k, header, fragment, len, out, plain_len);
    else
        result = open_aead12(k, header, fragment, len, out, plain_len);
    k->seq++;
    return result;
}
