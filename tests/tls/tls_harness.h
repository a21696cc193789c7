/*
 * tls_harness.h - feeds recorded TLS sessions to tls_session and collects what it reports.
 *
 * tls_harness_run() replays a tls_fixture chunk by chunk (optionally cut into
 * pseudo-random pieces of 1..max_piece bytes, reproducible from `seed`),
 * stops the session, and fills a tls_outcome: the decrypted plaintext per
 * direction, event counts, the handshake event and the failure reported.
 */
#ifndef CSSP_TEST_TLS_HARNESS_H
#define CSSP_TEST_TLS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#include "keylog.h"
#include "rsa_keys.h"
#include "tls_fixture.h"
#include "tls_session.h"

typedef struct tls_outcome {
    GByteArray *plain[2];
    unsigned events[TLS_EVENT_STREAM_ERROR + 1];
    unsigned undecrypted[2];
    tls_event handshake;          /* the last HANDSHAKE event */
    unsigned failures;            /* DECRYPTION_FAILED events */
    tls_failure failure;          /* of the first one */
    bool close_notify;            /* a decrypted close_notify alert from the client */
    bool encrypted_alert;         /* an alert reported as encrypted */
    tls_session_info info;        /* after the stop */
    size_t stop_after_app_events; /* input: call tls_session_stop() from the callback after this many (0: never) */
    unsigned events_after_stop;   /* events that arrived after the callback stopped the session */
    tls_session *session;         /* while running */
    bool stopped_by_callback;
} tls_outcome;

void tls_outcome_init(tls_outcome *o);
void tls_outcome_clear(tls_outcome *o);

/* Replays `limit` bytes of the fixture (SIZE_MAX: all of it) in recorded order. */
void tls_harness_run(const tls_fixture *f, const tls_keylog *keylog, const tls_rsa_keys *rsa_keys,
                     size_t max_piece, unsigned seed, size_t limit, tls_outcome *o);

/* Did each direction decrypt to exactly what was sent? */
bool tls_outcome_matches(const tls_outcome *o, const tls_fixture *f);

/* Is every decrypted byte a prefix of what was sent (never garbage)? */
bool tls_outcome_is_prefix(const tls_outcome *o, const tls_fixture *f);

/* A key store holding the given key-log text. */
tls_keylog *tls_harness_keylog(const char *text);

/* Writes text to a new temporary file; returns its path (g_free, and unlink when done). */
char *tls_harness_temp_file(const char *text, size_t len);

#endif
