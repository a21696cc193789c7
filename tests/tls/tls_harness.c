/* tls_harness.c - replaying fixtures through tls_session (see tls_harness.h). */
#include "tls_harness.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void tls_outcome_init(tls_outcome *o)
{
    memset(o, 0, sizeof *o);
    o->plain[0] = g_byte_array_new();
    o->plain[1] = g_byte_array_new();
}

void tls_outcome_clear(tls_outcome *o)
{
    g_byte_array_unref(o->plain[0]);
    g_byte_array_unref(o->plain[1]);
    memset(o, 0, sizeof *o);
}

static void on_event(const tls_event *e, void *user)
{
    tls_outcome *o = user;
    if (o->stopped_by_callback)
        o->events_after_stop++;
    o->events[e->kind]++;
    switch (e->kind) {
    case TLS_EVENT_HANDSHAKE:
        o->handshake = *e;
        break;
    case TLS_EVENT_APPLICATION_DATA:
        g_byte_array_append(o->plain[e->direction], e->data, (guint)e->len);
        if (o->stop_after_app_events && o->events[e->kind] == o->stop_after_app_events) {
            tls_session_stop(o->session);
            o->stopped_by_callback = true;
        }
        break;
    case TLS_EVENT_UNDECRYPTED:
        o->undecrypted[e->direction]++;
        break;
    case TLS_EVENT_ALERT:
        if (e->alert_encrypted)
            o->encrypted_alert = true;
        else if (e->direction == TLS_CLIENT_TO_SERVER && e->alert_level == 1 && e->alert_description == 0)
            o->close_notify = true;
        break;
    case TLS_EVENT_DECRYPTION_FAILED:
        if (o->failures++ == 0)
            o->failure = e->failure;
        break;
    default:
        break;
    }
}

void tls_harness_run(const tls_fixture *f, const tls_keylog *keylog, const tls_rsa_keys *rsa_keys,
                     size_t max_piece, unsigned seed, size_t limit, tls_outcome *o)
{
    GRand *rand = g_rand_new_with_seed(seed);
    o->session = tls_session_new(keylog, rsa_keys, on_event, o);
    size_t fed = 0;
    for (guint i = 0; i < f->chunks->len && fed < limit; i++) {
        const tls_fixture_chunk *c = &g_array_index(f->chunks, tls_fixture_chunk, i);
        const uint8_t *p = f->bytes->data + c->offset;
        size_t left = MIN(c->len, limit - fed);
        while (left > 0) {
            size_t piece = max_piece ? (size_t)g_rand_int_range(rand, 1, (gint32)max_piece + 1) : left;
            piece = MIN(piece, left);
            tls_session_feed(o->session, (tls_direction)c->direction, p, piece);
            p += piece;
            left -= piece;
            fed += piece;
        }
    }
    tls_session_stop(o->session);
    o->info = *tls_session_get_info(o->session);
    tls_session_free(o->session);
    o->session = NULL;
    g_rand_free(rand);
}

bool tls_outcome_is_prefix(const tls_outcome *o, const tls_fixture *f)
{
    for (int d = 0; d < 2; d++) {
        const GByteArray *got = o->plain[d], *sent = f->sent[d];
        if (got->len > sent->len || (got->len > 0 && memcmp(got->data, sent->data, got->len) != 0))
            return false;
    }
    return true;
}

bool tls_outcome_matches(const tls_outcome *o, const tls_fixture *f)
{
    return o->plain[0]->len == f->sent[0]->len && o->plain[1]->len == f->sent[1]->len &&
           tls_outcome_is_prefix(o, f);
}

tls_keylog *tls_harness_keylog(const char *text)
{
    tls_keylog *store = tls_keylog_new();
    tls_keylog_load_buffer(store, "test key log", text, strlen(text), stderr);
    return store;
}

char *tls_harness_temp_file(const char *text, size_t len)
{
    char *path = NULL;
    int fd = g_file_open_tmp("cssp-tls-XXXXXX", &path, NULL);
    if (fd < 0)
        return NULL;
    bool ok = write(fd, text, len) == (ssize_t)len;
    close(fd);
    if (!ok) {
        unlink(path);
        g_free(path);
        return NULL;
    }
    return path;
}
