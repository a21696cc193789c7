/*
 * tls_glue.c - the analyzer's secrets and per-connection TLS, over tls_session (see tls_glue.h).
 */
#include "tls_glue.h"

#include <glib.h>

#include "cssp/tls_framer.h"
#include "keylog.h"
#include "rsa_keys.h"
#include "tls_session.h"

struct secrets {
    tls_keylog *keylog;
    tls_rsa_keys *rsa;
};

struct tls_glue {
    tls_session *session;
    const tls_glue_sink *sink;
    void *ctx;
    uint64_t ref;          /* ordinal of the packet being fed */
};

secrets *secrets_new(void)
{
    secrets *s = g_new0(secrets, 1);
    s->keylog = tls_keylog_new();
    s->rsa = tls_rsa_keys_new();
    return s;
}

void secrets_free(secrets *s)
{
    if (!s)
        return;
    tls_keylog_free(s->keylog);
    tls_rsa_keys_free(s->rsa);
    g_free(s);
}

size_t secrets_over_budget(const secrets *s)
{
    return tls_keylog_get_stats(s->keylog).secrets_over_budget;
}

bool secrets_load_keylog(secrets *s, const char *path, FILE *diag)
{
    return tls_keylog_load_file(s->keylog, path, diag);
}

bool secrets_load_rsa(secrets *s, const char *path, FILE *diag)
{
    return tls_rsa_keys_load_file(s->rsa, path, diag);
}

void secrets_add_keylog_text(secrets *s, const char *source, const void *text, size_t len, FILE *diag)
{
    tls_keylog_load_embedded(s->keylog, source, text, len, diag);
}

static cssp_dir dir_of(tls_direction d)
{
    return d == TLS_CLIENT_TO_SERVER ? CSSP_FROM_CLIENT : CSSP_FROM_SERVER;
}

static void on_tls_event(const tls_event *ev, void *user)
{
    tls_glue *g = user;
    const tls_glue_sink *k = g->sink;
    switch (ev->kind) {
    case TLS_EVENT_HANDSHAKE:
        k->handshake(g->ctx, ev->version, ev->cipher_suite, g->ref);
        break;
    case TLS_EVENT_APPLICATION_DATA:
        k->plaintext(g->ctx, dir_of(ev->direction), ev->data, ev->len, g->ref);
        break;
    case TLS_EVENT_UNDECRYPTED:
        if (ev->content_type == TLS_CONTENT_APPLICATION_DATA)
            k->record(g->ctx, dir_of(ev->direction), ev->len, g->ref);
        else if (ev->content_type == TLS_CONTENT_ALERT)
            k->alert(g->ctx, dir_of(ev->direction), true, 0, 0, g->ref);
        break;
    case TLS_EVENT_ALERT:
        k->alert(g->ctx, dir_of(ev->direction), ev->alert_encrypted, ev->alert_level, ev->alert_description, g->ref);
        break;
    case TLS_EVENT_DECRYPTION_FAILED:
        if (ev->failure != TLS_FAILURE_NO_SECRETS)
            k->problem(g->ctx, ev->reason);
        break;
    case TLS_EVENT_STREAM_ERROR:
        k->problem(g->ctx, ev->reason);
        break;
    case TLS_EVENT_CHANGE_CIPHER_SPEC:
        break;
    }
}

tls_glue *tls_glue_new(const secrets *keys, const tls_glue_sink *sink, void *ctx)
{
    tls_glue *g = g_new0(tls_glue, 1);
    g->sink = sink;
    g->ctx = ctx;
    g->session = tls_session_new(keys ? keys->keylog : NULL, keys ? keys->rsa : NULL, on_tls_event, g);
    return g;
}

void tls_glue_feed(tls_glue *g, cssp_dir dir, const uint8_t *bytes, size_t len, uint64_t ref)
{
    g->ref = ref;
    tls_session_feed(g->session, dir == CSSP_FROM_CLIENT ? TLS_CLIENT_TO_SERVER : TLS_SERVER_TO_CLIENT, bytes, len);
}

void tls_glue_gap(tls_glue *g, cssp_dir dir)
{
    tls_session_gap(g->session, dir == CSSP_FROM_CLIENT ? TLS_CLIENT_TO_SERVER : TLS_SERVER_TO_CLIENT);
}

void tls_glue_free(tls_glue *g)
{
    if (!g)
        return;
    tls_session_stop(g->session); /* reports secrets that opened nothing */
    tls_session_free(g->session);
    g_free(g);
}

size_t tls_glue_held_bytes(const tls_glue *g)
{
    return g ? sizeof *g + tls_session_held_bytes(g->session) : 0;
}

