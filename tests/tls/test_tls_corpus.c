/*
 * test_tls_corpus.c - decrypts every TLS 1.3 session of a real capture with its LSASS key log.
 *
 * htb-wire-whispered (see shared/corpus/README.md) is a Windows RDP server
 * under a password spray: 571 CredSSP sessions over TLS 1.3, and a key log
 * taken from LSASS that has the traffic secrets of every session but
 * handshake secrets for only 6, with wrong duplicate candidates for most.
 * tshark's "follow,tcp,raw" gives each TCP stream's payloads in order; the
 * X.224 exchange in front of TLS is skipped and the rest is fed to
 * tls_session. Every session must decrypt, and the client's first
 * application record must be a CredSSP TSRequest of version 6.
 *
 * Usage: test_tls_corpus CORPUS_DIR... (the first that exists is used).
 * Without the corpus or tshark the test prints SKIPPED and exits 77.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "check.h"
#include "keylog.h"
#include "tls_session.h"

#define SKIP_EXIT_CODE 77
#define STREAM_COUNT 574
#define EXPECTED_TLS_SESSIONS 571

typedef struct stream_result {
    bool first_app_seen;
    bool first_app_is_tsrequest_v6;
    unsigned failures;
} stream_result;

static bool contains(const uint8_t *data, size_t len, const uint8_t *needle, size_t needle_len)
{
    for (size_t i = 0; i + needle_len <= len; i++) {
        if (memcmp(data + i, needle, needle_len) == 0)
            return true;
    }
    return false;
}

static void on_event(const tls_event *e, void *user)
{
    stream_result *r = user;
    if (e->kind == TLS_EVENT_DECRYPTION_FAILED)
        r->failures++;
    if (e->kind != TLS_EVENT_APPLICATION_DATA || e->direction != TLS_CLIENT_TO_SERVER || r->first_app_seen)
        return;
    static const uint8_t version6[] = { 0xa0, 0x03, 0x02, 0x01, 0x06 };
    r->first_app_seen = true;
    r->first_app_is_tsrequest_v6 =
        e->len > 8 && e->data[0] == 0x30 && contains(e->data, e->len, version6, sizeof version6);
}

/* The TPKT-framed X.224 PDU at the start of a direction, if any: its length, else 0. */
static size_t x224_prefix(const GByteArray *segment)
{
    if (segment->len < 4 || segment->data[0] != 0x03 || segment->data[1] != 0x00)
        return 0;
    size_t len = (size_t)segment->data[2] << 8 | segment->data[3];
    return len <= segment->len ? len : 0;
}

typedef struct stream_stats {
    unsigned tls_sessions;
    unsigned decrypted;
    unsigned tsrequests;
    unsigned failures;
} stream_stats;

/* Feeds one stream's "follow" block (hex lines, server lines indented by a tab). */
static void run_stream(gchar **lines, const tls_keylog *keylog, stream_stats *stats)
{
    stream_result result = { 0 };
    tls_session *session = tls_session_new(keylog, NULL, on_event, &result);
    bool skipped[2] = { false, false };
    bool is_tls = false;
    for (gchar **line = lines; *line && !g_str_has_prefix(*line, "====="); line++) {
        const char *hex = *line;
        int direction = hex[0] == '\t' ? TLS_SERVER_TO_CLIENT : TLS_CLIENT_TO_SERVER;
        hex += hex[0] == '\t';
        size_t n = strlen(hex);
        if (n == 0 || n % 2 != 0 || g_ascii_xdigit_value(hex[0]) < 0)
            continue;
        GByteArray *segment = g_byte_array_sized_new((guint)(n / 2));
        for (size_t i = 0; i + 1 < n; i += 2) {
            uint8_t b = (uint8_t)(g_ascii_xdigit_value(hex[i]) << 4 | g_ascii_xdigit_value(hex[i + 1]));
            g_byte_array_append(segment, &b, 1);
        }
        size_t skip = skipped[direction] ? 0 : x224_prefix(segment);
        skipped[direction] = true;
        if (segment->len > skip) {
            is_tls = is_tls || segment->data[skip] == 0x16;
            tls_session_feed(session, (tls_direction)direction, segment->data + skip, segment->len - skip);
        }
        g_byte_array_unref(segment);
    }
    tls_session_stop(session);
    if (is_tls) {
        const tls_session_info *info = tls_session_get_info(session);
        stats->tls_sessions++;
        stats->decrypted += info->decrypted && info->version == 0x0304 && info->cipher_suite == 0x1302;
        stats->tsrequests += result.first_app_is_tsrequest_v6;
        stats->failures += result.failures;
    }
    tls_session_free(session);
}

static char *run_tshark(const char *tshark, const char *capture)
{
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(argv, g_strdup(tshark));
    g_ptr_array_add(argv, g_strdup("-r"));
    g_ptr_array_add(argv, g_strdup(capture));
    g_ptr_array_add(argv, g_strdup("-q"));
    for (int i = 0; i < STREAM_COUNT; i++) {
        g_ptr_array_add(argv, g_strdup("-z"));
        g_ptr_array_add(argv, g_strdup_printf("follow,tcp,raw,%d", i));
    }
    g_ptr_array_add(argv, NULL);
    char *out = NULL;
    int status = 0;
    GError *error = NULL;
    if (!g_spawn_sync(NULL, (gchar **)argv->pdata, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                      &status, &error) ||
        !g_spawn_check_wait_status(status, NULL)) {
        fprintf(stderr, "tshark failed: %s\n", error ? error->message : "non-zero exit");
        g_clear_error(&error);
        g_free(out);
        out = NULL;
    }
    g_ptr_array_unref(argv);
    return out;
}

int main(int argc, char **argv)
{
    const char *corpus = NULL;
    for (int i = 1; i < argc && !corpus; i++) {
        if (g_file_test(argv[i], G_FILE_TEST_IS_DIR))
            corpus = argv[i];
    }
    char *tshark = g_find_program_in_path("tshark");
    if (!corpus || !tshark) {
        printf("SKIPPED: %s not found\n", corpus ? "tshark" : "the corpus (shared/corpus)");
        g_free(tshark);
        return SKIP_EXIT_CODE;
    }
    char *capture = g_build_filename(corpus, "htb-wire-whispered", "capture.pcap", NULL);
    char *keylog_path = g_build_filename(corpus, "htb-wire-whispered", "tls-lsa.log", NULL);
    tls_keylog *keylog = tls_keylog_new();
    CHECK(tls_keylog_load_file(keylog, keylog_path, stderr));
    CHECK_EQ_U(tls_keylog_get_stats(keylog).lines_malformed, 0);
    char *follow = run_tshark(tshark, capture);
    CHECK(follow != NULL);
    stream_stats stats = { 0 };
    if (follow) {
        gchar **lines = g_strsplit(follow, "\n", -1);
        unsigned streams = 0;
        for (gchar **line = lines; *line; line++) {
            if (!g_str_has_prefix(*line, "Filter: tcp.stream eq "))
                continue;
            /* "Node 0" is the side that opened the connection: the client. */
            CHECK(line[1] && line[2] && g_str_has_suffix(line[2], ":3389"));
            streams++;
            run_stream(line + 3, keylog, &stats);
        }
        g_strfreev(lines);
        CHECK_EQ_U(streams, STREAM_COUNT);
    }
    printf("htb-wire-whispered: %u TLS sessions, %u decrypted, %u start with a TSRequest v6, %u failures\n",
           stats.tls_sessions, stats.decrypted, stats.tsrequests, stats.failures);
    CHECK_EQ_U(stats.tls_sessions, EXPECTED_TLS_SESSIONS);
    CHECK_EQ_U(stats.decrypted, EXPECTED_TLS_SESSIONS);
    CHECK_EQ_U(stats.tsrequests, EXPECTED_TLS_SESSIONS);
    CHECK_EQ_U(stats.failures, 0);
    g_free(follow);
    tls_keylog_free(keylog);
    g_free(capture);
    g_free(keylog_path);
    g_free(tshark);
    return check_summary("tls_corpus");
}
