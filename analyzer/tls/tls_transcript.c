/* tls_transcript.c - running handshake digests for the extended master secret (see tls_transcript.h). */
#include "tls_transcript.h"

#include <string.h>

#include "tls_suites.h"

static EVP_MD_CTX *start_digest(const char *name)
{
    EVP_MD *md = EVP_MD_fetch(NULL, name, NULL);
    EVP_MD_CTX *ctx = md ? EVP_MD_CTX_new() : NULL;
    if (ctx && !EVP_DigestInit_ex(ctx, md, NULL)) {
        EVP_MD_CTX_free(ctx);
        ctx = NULL;
    }
    EVP_MD_free(md);
    return ctx;
}

void tls_transcript_clear(tls_transcript *t)
{
    EVP_MD_CTX_free(t->md5);
    EVP_MD_CTX_free(t->sha1);
    EVP_MD_CTX_free(t->sha256);
    EVP_MD_CTX_free(t->sha384);
    memset(t, 0, sizeof *t);
}

bool tls_transcript_start(tls_transcript *t)
{
    t->md5 = start_digest("MD5");
    t->sha1 = start_digest("SHA1");
    t->sha256 = start_digest("SHA256");
    t->sha384 = start_digest("SHA384");
    if (!t->md5 || !t->sha1 || !t->sha256 || !t->sha384) {
        tls_transcript_clear(t);
        return false;
    }
    return true;
}

bool tls_transcript_active(const tls_transcript *t)
{
    return t->sha256 != NULL;
}

void tls_transcript_update(tls_transcript *t, const uint8_t *bytes, size_t len)
{
    if (!tls_transcript_active(t))
        return;
    EVP_DigestUpdate(t->md5, bytes, len);
    EVP_DigestUpdate(t->sha1, bytes, len);
    EVP_DigestUpdate(t->sha256, bytes, len);
    EVP_DigestUpdate(t->sha384, bytes, len);
}

bool tls_transcript_finish(tls_transcript *t, uint16_t version, const char *prf_digest,
                           uint8_t out[TLS_TRANSCRIPT_MAX_HASH], size_t *out_len)
{
    unsigned n1 = 0, n2 = 0;
    bool ok = false;
    if (!tls_transcript_active(t)) {
        ok = false;
    } else if (version < TLS_VERSION_1_2) {
        ok = EVP_DigestFinal_ex(t->md5, out, &n1) && EVP_DigestFinal_ex(t->sha1, out + n1, &n2);
    } else {
        EVP_MD_CTX *chosen = strcmp(prf_digest, "SHA384") == 0 ? t->sha384 : t->sha256;
        ok = EVP_DigestFinal_ex(chosen, out, &n1);
    }
    *out_len = ok ? n1 + n2 : 0;
    tls_transcript_clear(t);
    return ok;
}
