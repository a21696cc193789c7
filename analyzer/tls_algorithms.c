/* tls_algorithms.c - OpenSSL algorithms fetched once per process (see tls_algorithms.h). */
#include "tls_algorithms.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>

#define MAX_CACHED 8 /* distinct cipher names and TLS 1.3 digests in tls_suites.c, with room */

typedef struct named {
    const char *name; /* a string literal of tls_suites.c */
    void *object;
} named;

static struct {
    bool exit_handler;
    named ciphers[MAX_CACHED];
    named tls13_expand[MAX_CACHED];
    EVP_MAC *hmac;
    EVP_KDF *tls1_prf;
    EVP_KDF *tls13_kdf;
} cache;

static void release_all(void)
{
    for (size_t i = 0; i < MAX_CACHED; i++) {
        EVP_CIPHER_free(cache.ciphers[i].object);
        EVP_KDF_CTX_free(cache.tls13_expand[i].object);
    }
    EVP_MAC_free(cache.hmac);
    EVP_KDF_free(cache.tls1_prf);
    EVP_KDF_free(cache.tls13_kdf);
    memset(&cache, 0, sizeof cache);
}

/*
 * Called after a fetch, which initialises OpenSSL and registers its own atexit clean-up first: handlers
 * run in reverse order, so these objects are freed while OpenSSL is still there.
 */
static void *kept(void *object)
{
    if (object && !cache.exit_handler)
        cache.exit_handler = atexit(release_all) == 0;
    return object;
}

/* The entry for `name` in `table`, or a free one; NULL when the table is full. */
static named *slot(named *table, const char *name)
{
    for (size_t i = 0; i < MAX_CACHED; i++) {
        if (!table[i].name || strcmp(table[i].name, name) == 0)
            return &table[i];
    }
    return NULL;
}

EVP_CIPHER *tls_algorithms_cipher(const char *name)
{
    named *entry = slot(cache.ciphers, name);
    if (entry && !entry->object) {
        entry->object = kept(EVP_CIPHER_fetch(NULL, name, NULL));
        entry->name = entry->object ? name : NULL;
    }
    return entry ? entry->object : NULL;
}

EVP_MAC *tls_algorithms_hmac(void)
{
    if (!cache.hmac) {
        cache.hmac = kept(EVP_MAC_fetch(NULL, "HMAC", NULL));
    }
    return cache.hmac;
}

EVP_KDF *tls_algorithms_tls1_prf(void)
{
    if (!cache.tls1_prf) {
        cache.tls1_prf = kept(EVP_KDF_fetch(NULL, "TLS1-PRF", NULL));
    }
    return cache.tls1_prf;
}

static EVP_KDF_CTX *new_tls13_expand(const char *digest)
{
    if (!cache.tls13_kdf)
        cache.tls13_kdf = kept(EVP_KDF_fetch(NULL, "TLS13-KDF", NULL));
    EVP_KDF_CTX *ctx = cache.tls13_kdf ? EVP_KDF_CTX_new(cache.tls13_kdf) : NULL;
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    static const char prefix[] = "tls13 ";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PREFIX, (void *)prefix, sizeof prefix - 1),
        OSSL_PARAM_construct_end(),
    };
    if (ctx && EVP_KDF_CTX_set_params(ctx, params) <= 0) {
        EVP_KDF_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

EVP_KDF_CTX *tls_algorithms_tls13_expand(const char *digest)
{
    named *entry = slot(cache.tls13_expand, digest);
    if (entry && !entry->object) {
        entry->object = kept(new_tls13_expand(digest));
        entry->name = entry->object ? digest : NULL;
    }
    return entry ? entry->object : NULL;
}
