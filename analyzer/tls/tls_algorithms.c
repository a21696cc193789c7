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
    named hkdf_hmacs[MAX_CACHED];
    EVP_MAC *hmac;
    EVP_KDF *tls1_prf;
} cache;

static void release_all(void)
{
    for (size_t i = 0; i < MAX_CACHED; i++) {
        EVP_CIPHER_free(cache.ciphers[i].object);
        EVP_MAC_CTX_free(cache.hkdf_hmacs[i].object);
    }
    EVP_MAC_free(cache.hmac);
    EVP_KDF_free(cache.tls1_prf);
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

static EVP_MAC_CTX *new_hkdf_hmac(const char *digest)
{
    EVP_MAC *hmac = tls_algorithms_hmac();
    EVP_MAC_CTX *ctx = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (ctx && !EVP_MAC_CTX_set_params(ctx, params)) {
        EVP_MAC_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

EVP_MAC_CTX *tls_algorithms_hkdf_hmac(const char *digest)
{
    named *entry = slot(cache.hkdf_hmacs, digest);
    if (entry && !entry->object) {
        entry->object = kept(new_hkdf_hmac(digest));
        entry->name = entry->object ? digest : NULL;
    }
    return entry ? entry->object : NULL;
}
