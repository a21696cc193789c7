/*
 * keylog.h - the store of TLS secrets read from NSS key logs.
 *
 * An NSS key log ("SSLKEYLOGFILE") is text, one secret per line:
 *     LABEL <client random, 64 hex digits> <secret, hex>
 * Labels used here: CLIENT_RANDOM (the TLS <= 1.2 master secret) and, for
 * TLS 1.3, CLIENT_/SERVER_HANDSHAKE_TRAFFIC_SECRET and
 * CLIENT_/SERVER_TRAFFIC_SECRET_0. Other labels of the format (EXPORTER_SECRET,
 * early-data secrets, the *_TRAFFIC_SECRET_N OpenSSL logs on KeyUpdate, ...)
 * are recognised and not used. Hex may be upper or
 * lower case, lines may end in CRLF, '#' starts a comment line, and NUL bytes
 * or blanks before a label (LSASS dumps have them) are skipped.
 *
 * Every distinct secret given for a (client random, label) pair is kept, up to
 * TLS_KEYLOG_MAX_CANDIDATES: real key logs contain wrong duplicates, and only
 * trial decryption can tell which one is right.
 *
 * A line that is not a key-log line is counted and reported on `diag` as
 * "SOURCE:LINE: problem" (the first TLS_KEYLOG_MAX_REPORTED per source, then a
 * total), never echoed, since it may hold secrets. Loading carries on after it.
 * Secrets are wiped when the store is freed.
 */
#ifndef CSSP_KEYLOG_H
#define CSSP_KEYLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cssp/tls_handshake.h" /* TLS_RANDOM_LEN */

#define TLS_SECRET_MAX_LEN 48          /* SHA-384 traffic secrets and the 48-byte master secret */
#define TLS_KEYLOG_MAX_CANDIDATES 4    /* distinct secrets kept per (client random, label) */
/*
 * Memory for the secrets of all key logs, with their bookkeeping; no count of sessions is capped. Past it new
 * secrets are not kept, and the store counts them (secrets_over_budget): about a million TLS 1.2 sessions, or
 * 600,000 TLS 1.3 ones, fit.
 */
#define TLS_KEYLOG_MAX_MIB 256
#define TLS_KEYLOG_MAX_BYTES ((size_t)TLS_KEYLOG_MAX_MIB << 20)
/*
 * Of that, what the secrets a capture carries (pcapng Decryption Secrets Blocks, tls_keylog_load_embedded) may
 * take: a capture alone must stay within the analysis's memory bound (docs/robustness.md). Some 100,000 TLS 1.2
 * or 50,000 TLS 1.3 sessions.
 */
#define TLS_KEYLOG_MAX_EMBEDDED_MIB 16
#define TLS_KEYLOG_MAX_EMBEDDED_BYTES ((size_t)TLS_KEYLOG_MAX_EMBEDDED_MIB << 20)
#define TLS_KEYLOG_MAX_LINE 1024       /* longer lines are malformed */
#define TLS_KEYLOG_MAX_REPORTED 5      /* malformed lines reported one by one per source */

typedef enum tls_keylog_label {
    TLS_KEYLOG_MASTER_SECRET,            /* CLIENT_RANDOM */
    TLS_KEYLOG_CLIENT_HANDSHAKE_SECRET,  /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
    TLS_KEYLOG_SERVER_HANDSHAKE_SECRET,  /* SERVER_HANDSHAKE_TRAFFIC_SECRET */
    TLS_KEYLOG_CLIENT_TRAFFIC_SECRET,    /* CLIENT_TRAFFIC_SECRET_0 */
    TLS_KEYLOG_SERVER_TRAFFIC_SECRET,    /* SERVER_TRAFFIC_SECRET_0 */
    TLS_KEYLOG_LABEL_COUNT
} tls_keylog_label;

typedef struct tls_secret {
    size_t len;
    uint8_t bytes[TLS_SECRET_MAX_LEN];
} tls_secret;

/* The candidates for one (client random, label): valid until the store is changed or freed. */
typedef struct tls_secret_list {
    size_t count;
    const tls_secret *items;
} tls_secret_list;

typedef struct tls_keylog_stats {
    size_t lines_used;       /* lines whose secret was stored (or was a duplicate of a stored one) */
    size_t lines_unused;     /* well-formed lines with a label this tool does not need */
    size_t lines_malformed;  /* lines that are not key-log lines */
    size_t secrets_dropped;  /* well-formed secrets not kept: candidate limit or memory budget */
    size_t secrets_over_budget; /* of those, not kept because of TLS_KEYLOG_MAX_BYTES or _MAX_EMBEDDED_BYTES */
} tls_keylog_stats;

typedef struct tls_keylog tls_keylog;

tls_keylog *tls_keylog_new(void);
void tls_keylog_free(tls_keylog *store);

/*
 * Adds the lines of the file at `path`. Returns false (with one line on diag)
 * when the file cannot be read at all; malformed lines only count and report.
 */
bool tls_keylog_load_file(tls_keylog *store, const char *path, FILE *diag);

/*
 * Adds the lines of a key log held in memory, e.g. the body of a pcapng
 * Decryption Secrets Block. `source` names it in diagnostics.
 */
void tls_keylog_load_buffer(tls_keylog *store, const char *source, const void *text, size_t len,
                            FILE *diag);

/* The same for a key log a capture carries (a Decryption Secrets Block): within TLS_KEYLOG_MAX_EMBEDDED_BYTES. */
void tls_keylog_load_embedded(tls_keylog *store, const char *source, const void *text, size_t len, FILE *diag);

/* The candidates for this client random and label; count 0 when there are none. */
tls_secret_list tls_keylog_find(const tls_keylog *store, const uint8_t client_random[TLS_RANDOM_LEN],
                                tls_keylog_label label);

/* Totals over every load so far. */
tls_keylog_stats tls_keylog_get_stats(const tls_keylog *store);

/* Number of distinct client randoms in the store. */
size_t tls_keylog_session_count(const tls_keylog *store);

#endif
