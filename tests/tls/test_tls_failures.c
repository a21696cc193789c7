/*
 * test_tls_failures.c - what the decrypter does with wrong keys and damaged streams.
 *
 * Real sessions recorded with tls_fixture are replayed with wrong secrets, no
 * secrets, a different RSA key, flipped ciphertext bytes, streams cut at every
 * byte, garbage, TCP gaps and a capture that starts mid-session. In every case
 * the failure must be reported (once, with the right kind) and no byte that
 * was not sent may come out as plaintext.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "check.h"
#include "tls_harness.h"

static const tls_fixture_options tls13_options = { .version = TLS1_3_VERSION,
                                                   .ciphersuites = "TLS_AES_256_GCM_SHA384" };
static const tls_fixture_options gcm12_options = { .version = TLS1_2_VERSION,
                                                   .cipher_list = "ECDHE-RSA-AES128-GCM-SHA256" };
static const tls_fixture_options cbc12_mte_options = { .version = TLS1_2_VERSION,
                                                       .cipher_list = "ECDHE-RSA-AES256-SHA384",
                                                       .no_encrypt_then_mac = true };
static const tls_fixture_options cbc12_etm_options = { .version = TLS1_2_VERSION,
                                                       .cipher_list = "ECDHE-RSA-AES128-SHA" };
static const tls_fixture_options cbc10_options = { .version = TLS1_VERSION,
                                                   .cipher_list = "ECDHE-RSA-AES128-SHA:@SECLEVEL=0",
                                                   .security_level_0 = true, .no_encrypt_then_mac = true };
static const tls_fixture_options rsa12_options = { .version = TLS1_2_VERSION, .cipher_list = "AES128-GCM-SHA256" };

static bool record(const tls_fixture_options *options, tls_fixture *f)
{
    bool ok = tls_fixture_record(options, f);
    CHECK(ok);
    return ok;
}

/* A copy of the key log with one hex digit changed in every secret (the third field). */
static char *keylog_with_wrong_secrets(const char *log)
{
    GString *out = g_string_new(NULL);
    gchar **lines = g_strsplit(log, "\n", -1);
    for (gchar **line = lines; *line; line++) {
        gchar **fields = g_strsplit(*line, " ", -1);
        if (g_strv_length(fields) == 3) {
            fields[2][5] = fields[2][5] == '0' ? '1' : '0';
            g_string_append_printf(out, "%s %s %s\n", fields[0], fields[1], fields[2]);
        }
        g_strfreev(fields);
    }
    g_strfreev(lines);
    return g_string_free(out, FALSE);
}

static void expect_nothing_decrypted(const tls_outcome *o, tls_failure failure)
{
    CHECK_EQ_U(o->failures, 1);
    CHECK_EQ_U(o->failure, failure);
    CHECK_EQ_U(o->info.failure, failure);
    CHECK(!o->info.decrypted);
    CHECK_EQ_U(o->events[TLS_EVENT_APPLICATION_DATA], 0);
    CHECK_EQ_U(o->plain[0]->len + o->plain[1]->len, 0);
    CHECK(o->undecrypted[0] > 0 && o->undecrypted[1] > 0);
    CHECK_EQ_U(o->events[TLS_EVENT_HANDSHAKE], 1);
}

static void test_wrong_secrets(const tls_fixture_options *options)
{
    tls_fixture f;
    if (record(options, &f)) {
        char *wrong = keylog_with_wrong_secrets(f.keylog->str);
        tls_keylog *keylog = tls_harness_keylog(wrong);
        tls_outcome o;
        tls_outcome_init(&o);
        tls_harness_run(&f, keylog, NULL, 0, 1, SIZE_MAX, &o);
        expect_nothing_decrypted(&o, TLS_FAILURE_WRONG_SECRETS);
        tls_outcome_clear(&o);
        tls_keylog_free(keylog);
        g_free(wrong);
    }
    tls_fixture_clear(&f);
}

/* No secrets at all: every protected record is reported undecrypted, alerts flagged encrypted. */
static void test_no_secrets(const tls_fixture_options *options, bool tls13)
{
    tls_fixture f;
    if (record(options, &f)) {
        tls_keylog *empty = tls_keylog_new();
        tls_outcome o;
        tls_outcome_init(&o);
        tls_harness_run(&f, empty, NULL, 0, 1, SIZE_MAX, &o);
        expect_nothing_decrypted(&o, TLS_FAILURE_NO_SECRETS);
        if (tls13)
            CHECK(!o.encrypted_alert); /* TLS 1.3 hides the content type: no way to call it an alert */
        else
            CHECK(o.encrypted_alert);  /* the close_notify, with its outer type */
        tls_outcome_clear(&o);
        tls_keylog_free(empty);
    }
    tls_fixture_clear(&f);
}

/* Static RSA with some other server's key: the premaster does not decrypt. */
static void test_other_rsa_key(void)
{
    tls_fixture f;
    if (!record(&rsa12_options, &f)) {
        tls_fixture_clear(&f);
        return;
    }
    EVP_PKEY *other = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, other, NULL, NULL, 0, NULL, NULL);
    char *pem;
    long len = BIO_get_mem_data(bio, &pem);
    char *path = tls_harness_temp_file(pem, (size_t)len);
    tls_rsa_keys *keys = tls_rsa_keys_new();
    CHECK(path && tls_rsa_keys_load_file(keys, path, stderr));
    tls_outcome o;
    tls_outcome_init(&o);
    tls_harness_run(&f, NULL, keys, 0, 1, SIZE_MAX, &o);
    CHECK_EQ_U(o.failures, 1);
    CHECK(o.failure == TLS_FAILURE_NO_SECRETS || o.failure == TLS_FAILURE_WRONG_SECRETS);
    CHECK_EQ_U(o.plain[0]->len + o.plain[1]->len, 0);
    tls_outcome_clear(&o);
    tls_rsa_keys_free(keys);
    if (path)
        unlink(path);
    g_free(path);
    BIO_free(bio);
    EVP_PKEY_free(other);
    tls_fixture_clear(&f);
}

/* TLS 1.3 key log with the handshake secrets only: the handshake decrypts, application data cannot. */
static void test_handshake_secrets_only(void)
{
    tls_fixture f;
    if (record(&tls13_options, &f)) {
        GString *text = g_string_new(NULL);
        gchar **lines = g_strsplit(f.keylog->str, "\n", -1);
        for (gchar **line = lines; *line; line++) {
            if (strstr(*line, "HANDSHAKE_TRAFFIC_SECRET "))
                g_string_append_printf(text, "%s\n", *line);
        }
        g_strfreev(lines);
        tls_keylog *keylog = tls_harness_keylog(text->str);
        tls_outcome o;
        tls_outcome_init(&o);
        tls_harness_run(&f, keylog, NULL, 0, 1, SIZE_MAX, &o);
        CHECK_EQ_U(o.failures, 1);
        CHECK_EQ_U(o.failure, TLS_FAILURE_NO_SECRETS);
        CHECK(o.info.decrypted); /* the handshake records */
        CHECK_EQ_U(o.plain[0]->len + o.plain[1]->len, 0);
        tls_outcome_clear(&o);
        tls_keylog_free(keylog);
        g_string_free(text, TRUE);
    }
    tls_fixture_clear(&f);
}

/* Offset (into f->bytes) of the fragment of the n-th (0-based) record of type 23 the client sent. */
static size_t client_record_offset(const tls_fixture *f, unsigned n, size_t *fragment_len)
{
    GByteArray *stream = g_byte_array_new();
    GArray *origin = g_array_new(FALSE, FALSE, sizeof(size_t)); /* stream offset -> f->bytes offset */
    for (guint i = 0; i < f->chunks->len; i++) {
        const tls_fixture_chunk *c = &g_array_index(f->chunks, tls_fixture_chunk, i);
        if (c->direction != 0)
            continue;
        g_byte_array_append(stream, f->bytes->data + c->offset, (guint)c->len);
        for (size_t k = 0; k < c->len; k++) {
            size_t at = c->offset + k;
            g_array_append_val(origin, at);
        }
    }
    size_t found = 0;
    for (size_t pos = 0; pos + 5 <= stream->len;) {
        size_t len = (size_t)stream->data[pos + 3] << 8 | stream->data[pos + 4];
        if (stream->data[pos] == 23 && n-- == 0) {
            found = g_array_index(origin, size_t, pos + 5);
            *fragment_len = len;
            break;
        }
        pos += 5 + len;
    }
    g_byte_array_unref(stream);
    g_array_unref(origin);
    return found;
}

/*
 * A flipped bit in the record carrying the client's first message (120 bytes): that record fails its
 * tag/MAC and is reported, every other record still decrypts.
 */
static void test_corrupted_record(const tls_fixture_options *options, unsigned app_record_index)
{
    tls_fixture f;
    if (!record(options, &f)) {
        tls_fixture_clear(&f);
        return;
    }
    tls_keylog *keylog = tls_harness_keylog(f.keylog->str);
    size_t len = 0;
    size_t at = client_record_offset(&f, app_record_index, &len);
    CHECK(at > 0 && len > 0);
    f.bytes->data[at + len / 2] ^= 0x10;
    for (size_t piece = 0; piece <= 3; piece += 3) {
        tls_outcome o;
        tls_outcome_init(&o);
        tls_harness_run(&f, keylog, NULL, piece, 9, SIZE_MAX, &o);
        CHECK_EQ_U(o.failures, 1);
        CHECK_EQ_U(o.failure, TLS_FAILURE_RECORD_AUTH);
        CHECK(o.info.decrypted);
        CHECK_EQ_U(o.undecrypted[0], 1);
        CHECK_EQ_U(o.undecrypted[1], 0);
        CHECK_EQ_U(o.plain[1]->len, f.sent[1]->len);
        CHECK(memcmp(o.plain[1]->data, f.sent[1]->data, f.sent[1]->len) == 0);
        CHECK_EQ_U(o.plain[0]->len, f.sent[0]->len - 120);
        CHECK(o.plain[0]->len == f.sent[0]->len - 120 &&
              memcmp(o.plain[0]->data, f.sent[0]->data + 120, o.plain[0]->len) == 0);
        CHECK(o.close_notify);
        tls_outcome_clear(&o);
    }
    tls_keylog_free(keylog);
    tls_fixture_clear(&f);
}

/* The streams cut after every byte of the first `span` bytes and at the middle of the large message. */
static void test_truncation(const tls_fixture_options *options, size_t span)
{
    tls_fixture f;
    if (!record(options, &f)) {
        tls_fixture_clear(&f);
        return;
    }
    tls_keylog *keylog = tls_harness_keylog(f.keylog->str);
    unsigned bad = 0, errors = 0;
    size_t limit_max = MIN(span, f.bytes->len);
    for (size_t limit = 0; limit <= limit_max; limit++) {
        tls_outcome o;
        tls_outcome_init(&o);
        tls_harness_run(&f, keylog, NULL, 0, 1, limit, &o);
        bad += !tls_outcome_is_prefix(&o, &f);
        errors += o.events[TLS_EVENT_STREAM_ERROR] + o.failures;
        tls_outcome_clear(&o);
    }
    CHECK_EQ_U(bad, 0);
    CHECK_EQ_U(errors, 0);
    size_t half = f.bytes->len / 2;
    tls_outcome o;
    tls_outcome_init(&o);
    tls_harness_run(&f, keylog, NULL, 0, 1, half, &o);
    CHECK(tls_outcome_is_prefix(&o, &f));
    CHECK(o.plain[0]->len > 0 && o.plain[0]->len < f.sent[0]->len);
    tls_outcome_clear(&o);
    tls_keylog_free(keylog);
    tls_fixture_clear(&f);
}

typedef struct event_log {
    unsigned stream_errors;
    tls_failure stream_failure;
    unsigned others;
} event_log;

static void log_event(const tls_event *e, void *user)
{
    event_log *log = user;
    if (e->kind == TLS_EVENT_STREAM_ERROR) {
        log->stream_errors++;
        log->stream_failure = e->failure;
    } else {
        log->others++;
    }
}

/* Bytes that are not TLS: one framing error per direction, later bytes ignored. */
static void test_framing_errors(void)
{
    static const uint8_t huge_record[] = { 23, 3, 3, 0xFF, 0xFF };
    static const uint8_t bad_type[] = { 99, 3, 3, 0, 1, 0 };
    static const uint8_t bad_version[] = { 22, 2, 0, 0, 1, 0 };
    static const uint8_t sslv2_hello[] = { 0x80, 0x2e, 0x01, 0x00, 0x02 };
    static const uint8_t http[] = "GET / HTTP/1.1\r\n\r\n";
    const struct {
        const uint8_t *bytes;
        size_t len;
    } inputs[] = {
        { huge_record, sizeof huge_record }, { bad_type, sizeof bad_type }, { bad_version, sizeof bad_version },
        { sslv2_hello, sizeof sslv2_hello }, { http, sizeof http - 1 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(inputs); i++) {
        event_log log = { 0 };
        tls_session *s = tls_session_new(NULL, NULL, log_event, &log);
        tls_session_feed(s, TLS_CLIENT_TO_SERVER, inputs[i].bytes, inputs[i].len);
        tls_session_feed(s, TLS_CLIENT_TO_SERVER, inputs[i].bytes, inputs[i].len);
        tls_session_stop(s);
        CHECK_EQ_U(log.stream_errors, 1);
        CHECK_EQ_U(log.stream_failure, TLS_FAILURE_FRAMING);
        CHECK_EQ_U(log.others, 0);
        CHECK_EQ_U(tls_session_get_info(s)->records[0], 0);
        tls_session_free(s);
    }
    /* Random bytes, many seeds: never a crash, at most one error per direction. */
    GRand *rand = g_rand_new_with_seed(42);
    uint8_t noise[4096];
    for (int round = 0; round < 200; round++) {
        for (size_t k = 0; k < sizeof noise; k++)
            noise[k] = (uint8_t)g_rand_int(rand);
        noise[0] = (uint8_t)g_rand_int_range(rand, 20, 25); /* a plausible first header now and then */
        noise[1] = 3;
        event_log log = { 0 };
        tls_session *s = tls_session_new(NULL, NULL, log_event, &log);
        tls_session_feed(s, (tls_direction)(round & 1), noise, sizeof noise);
        tls_session_stop(s);
        CHECK(log.stream_errors <= 1);
        tls_session_free(s);
    }
    g_rand_free(rand);
}

/* A gap stops its direction only; the other direction decrypts on. */
static void test_gap(void)
{
    tls_fixture f;
    if (!record(&gcm12_options, &f)) {
        tls_fixture_clear(&f);
        return;
    }
    tls_keylog *keylog = tls_harness_keylog(f.keylog->str);
    event_log log = { 0 };
    tls_session *s = tls_session_new(keylog, NULL, log_event, &log);
    unsigned client_chunks = 0;
    for (guint i = 0; i < f.chunks->len; i++) {
        const tls_fixture_chunk *c = &g_array_index(f.chunks, tls_fixture_chunk, i);
        if (c->direction == 0 && ++client_chunks == 4)
            tls_session_gap(s, TLS_CLIENT_TO_SERVER);
        tls_session_feed(s, (tls_direction)c->direction, f.bytes->data + c->offset, c->len);
    }
    const tls_session_info *info = tls_session_get_info(s);
    CHECK_EQ_U(log.stream_errors, 1);
    CHECK_EQ_U(log.stream_failure, TLS_FAILURE_GAP);
    CHECK(info->decrypted_records[1] >= 4);
    uint64_t client_records = info->records[0];
    tls_session_gap(s, TLS_CLIENT_TO_SERVER); /* reported once */
    CHECK_EQ_U(log.stream_errors, 1);
    tls_session_stop(s);
    CHECK_EQ_U(tls_session_get_info(s)->records[0], client_records);
    tls_session_free(s);
    tls_keylog_free(keylog);
    tls_fixture_clear(&f);
}

/* A capture that starts after the handshake: the protected records cannot be placed. */
static void test_missing_handshake(void)
{
    tls_fixture f;
    if (!record(&gcm12_options, &f)) {
        tls_fixture_clear(&f);
        return;
    }
    tls_keylog *keylog = tls_harness_keylog(f.keylog->str);
    tls_fixture late = f;
    late.chunks = g_array_new(FALSE, FALSE, sizeof(tls_fixture_chunk));
    for (guint i = f.handshake_chunks; i < f.chunks->len; i++)
        g_array_append_val(late.chunks, g_array_index(f.chunks, tls_fixture_chunk, i));
    tls_outcome o;
    tls_outcome_init(&o);
    tls_harness_run(&late, keylog, NULL, 0, 1, SIZE_MAX, &o);
    CHECK_EQ_U(o.failures, 1);
    CHECK_EQ_U(o.failure, TLS_FAILURE_MISSING_HANDSHAKE);
    CHECK_EQ_U(o.plain[0]->len + o.plain[1]->len, 0);
    tls_outcome_clear(&o);
    g_array_unref(late.chunks);
    tls_keylog_free(keylog);
    tls_fixture_clear(&f);
}

/* The callback stops the session after the first application data: nothing follows, memory is freed. */
static void test_stop_from_callback(void)
{
    tls_fixture f;
    if (!record(&tls13_options, &f)) {
        tls_fixture_clear(&f);
        return;
    }
    tls_keylog *keylog = tls_harness_keylog(f.keylog->str);
    tls_outcome o;
    tls_outcome_init(&o);
    o.stop_after_app_events = 1;
    tls_harness_run(&f, keylog, NULL, 0, 1, SIZE_MAX, &o);
    CHECK(o.stopped_by_callback);
    CHECK_EQ_U(o.events_after_stop, 0);
    CHECK_EQ_U(o.events[TLS_EVENT_APPLICATION_DATA], 1);
    CHECK_EQ_U(o.plain[0]->len, 120);
    CHECK_EQ_U(o.failures, 0);
    tls_outcome_clear(&o);
    tls_keylog_free(keylog);
    tls_fixture_clear(&f);
}

int main(void)
{
    test_wrong_secrets(&tls13_options);
    test_wrong_secrets(&gcm12_options);
    test_wrong_secrets(&cbc12_mte_options);
    test_no_secrets(&tls13_options, true);
    test_no_secrets(&cbc12_etm_options, false);
    test_other_rsa_key();
    test_handshake_secrets_only();
    test_corrupted_record(&tls13_options, 1); /* record 0 is the client's Finished */
    test_corrupted_record(&gcm12_options, 0);
    test_corrupted_record(&cbc12_mte_options, 0);
    test_corrupted_record(&cbc12_etm_options, 0);
    test_corrupted_record(&cbc10_options, 1); /* record 0: OpenSSL's empty fragment against BEAST */
    test_truncation(&tls13_options, 3000);
    test_truncation(&cbc10_options, 3000);
    test_framing_errors();
    test_gap();
    test_missing_handshake();
    test_stop_from_callback();
    tls_fixture_cleanup();
    return check_summary("tls_failures");
}
