/* tls_session.c - record framing, handshake tracking and key selection for one connection (see tls_session.h). */
#include "tls_session.h"

#include <string.h>

#include <glib.h>
#include <openssl/crypto.h>

#include "cssp/tls_framer.h"
#include "cssp/tls_handshake.h"
#include "cssp/tls_hs_stream.h"
#include "tls_keys.h"
#include "tls_record.h"
#include "tls_suites.h"
#include "tls_transcript.h"

static const char record_auth_reason[] =
    "a record failed authentication under the session's keys (altered or corrupted)";

typedef enum key_phase {
    KEYS_PENDING,      /* records are tried against the candidate secrets */
    KEYS_HANDSHAKE,    /* TLS 1.3 handshake traffic keys in use */
    KEYS_APPLICATION,  /* application keys (TLS <= 1.2: the only keys) in use */
    KEYS_UNAVAILABLE   /* nothing can decrypt this direction */
} key_phase;

typedef struct direction {
    tls_session *session;
    tls_direction id;
    bool dead;                    /* framing error or gap: bytes are ignored */
    tls_framer framer;
    tls_hs_stream hs;
    bool protected_records;       /* records from here on are encrypted */
    key_phase phase;
    tls_record_keys keys;         /* in KEYS_HANDSHAKE and KEYS_APPLICATION */
    tls_secret traffic_secret;    /* TLS 1.3 application secret in use, for KeyUpdate */
    tls_secret handshake_secret;  /* TLS 1.3 secret that opened the handshake records: not worth a retrial */
    bool application_next;        /* TLS 1.3: Finished ended the handshake keys; app keys start at seq 0 */
    unsigned failed_trials;       /* records that opened with no candidate, in KEYS_PENDING */
} direction;

struct tls_session {
    const tls_keylog *keylog;
    const tls_rsa_keys *rsa_keys;
    tls_event_fn on_event;
    void *user;
    tls_session_info info;
    direction dirs[2];
    const tls_suite *suite;       /* NULL until a decryptable suite is negotiated */
    uint8_t client_random[TLS_RANDOM_LEN];
    uint8_t server_random[TLS_RANDOM_LEN];
    tls_transcript transcript;    /* for the extended master secret of RSA key exchange */
    uint8_t (*rsa_masters)[TLS_MASTER_SECRET_LEN]; /* master secrets from the RSA premaster */
    size_t rsa_master_count;
    bool secrets_tried;           /* some protected record was tried against candidate secrets */
    bool feeding;
    bool stop_requested;
    bool stopped;
};

static const char *const failure_names[] = {
    [TLS_FAILURE_NONE] = "none",
    [TLS_FAILURE_NO_SECRETS] = "no secrets",
    [TLS_FAILURE_WRONG_SECRETS] = "wrong secrets",
    [TLS_FAILURE_RECORD_AUTH] = "record authentication failed",
    [TLS_FAILURE_UNSUPPORTED] = "unsupported",
    [TLS_FAILURE_MISSING_HANDSHAKE] = "missing handshake",
    [TLS_FAILURE_FRAMING] = "framing error",
    [TLS_FAILURE_GAP] = "gap in the TCP stream",
};

const char *tls_failure_name(tls_failure failure)
{
    return (size_t)failure < G_N_ELEMENTS(failure_names) ? failure_names[failure] : "unknown";
}

static bool is_tls13(const tls_session *s)
{
    return s->info.version == TLS_VERSION_1_3;
}

/* ---- events ---- */

static void emit(tls_session *s, tls_event *event)
{
    if (!s->stop_requested && !s->stopped && s->on_event)
        s->on_event(event, s->user);
}

static void report_failure(tls_session *s, tls_direction dir, tls_failure failure, const char *reason)
{
    if (s->info.failure != TLS_FAILURE_NONE)
        return;
    s->info.failure = failure;
    tls_event event = { .kind = TLS_EVENT_DECRYPTION_FAILED, .direction = dir, .failure = failure,
                        .reason = reason };
    emit(s, &event);
}

static void release_direction(direction *d)
{
    tls_framer_reset(&d->framer);
    tls_hs_stream_reset(&d->hs);
    tls_record_keys_clear(&d->keys);
    OPENSSL_cleanse(&d->traffic_secret, sizeof d->traffic_secret);
    OPENSSL_cleanse(&d->handshake_secret, sizeof d->handshake_secret);
}

static void stream_error(direction *d, tls_failure failure, const char *reason)
{
    if (d->dead)
        return;
    d->dead = true;
    if (!d->session->feeding) /* else feed() releases it, after the record in progress */
        release_direction(d);
    tls_event event = { .kind = TLS_EVENT_STREAM_ERROR, .direction = d->id, .failure = failure,
                        .reason = reason };
    emit(d->session, &event);
}

/* ---- the handshake ---- */

static bool keeps_message(uint8_t type)
{
    return type == TLS_HS_CLIENT_HELLO || type == TLS_HS_SERVER_HELLO || type == TLS_HS_CLIENT_KEY_EXCHANGE ||
           type == TLS_HS_FINISHED || type == TLS_HS_KEY_UPDATE;
}

static void on_handshake_bytes(void *user, const uint8_t *bytes, size_t len)
{
    direction *d = user;
    tls_transcript_update(&d->session->transcript, bytes, len);
}

static void on_client_hello(tls_session *s, const uint8_t *body, size_t len)
{
    tls_client_hello hello;
    if (s->info.client_hello_seen || tls_parse_client_hello(body, len, &hello) != CSSP_OK)
        return; /* a second ClientHello (after a HelloRetryRequest) keeps the same random */
    s->info.client_hello_seen = true;
    memcpy(s->client_random, hello.random, TLS_RANDOM_LEN);
}

static void on_server_hello(tls_session *s, const uint8_t *body, size_t len)
{
    tls_server_hello hello;
    if (s->info.server_hello_seen || tls_parse_server_hello(body, len, &hello) != CSSP_OK ||
        hello.hello_retry_request)
        return;
    s->info.server_hello_seen = true;
    s->info.version = hello.version;
    s->info.cipher_suite = hello.cipher_suite;
    memcpy(s->server_random, hello.random, TLS_RANDOM_LEN);

    const tls_suite *suite = tls_suite_find(hello.cipher_suite);
    bool tls13 = hello.version == TLS_VERSION_1_3;
    s->info.extended_master_secret = hello.ems && !tls13;
    s->info.encrypt_then_mac = hello.etm && !tls13 && suite && suite->protection == TLS_PROTECT_CBC;
    bool version_ok = hello.version >= TLS_VERSION_1_0 && hello.version <= TLS_VERSION_1_3;
    if (version_ok && suite && (suite->kx == TLS_KX_TLS13) == tls13)
        s->suite = suite;
    if (!s->suite || suite->kx != TLS_KX_RSA)
        tls_transcript_clear(&s->transcript);

    tls_event event = { .kind = TLS_EVENT_HANDSHAKE, .direction = TLS_SERVER_TO_CLIENT,
                        .version = hello.version, .cipher_suite = hello.cipher_suite,
                        .cipher_suite_name = tls_suite_name(hello.cipher_suite),
                        .extended_master_secret = s->info.extended_master_secret,
                        .encrypt_then_mac = s->info.encrypt_then_mac };
    emit(s, &event);
    if (!s->suite)
        report_failure(s, TLS_SERVER_TO_CLIENT, TLS_FAILURE_UNSUPPORTED,
                       version_ok ? "the cipher suite is not one this tool decrypts"
                                  : "the protocol version is not TLS 1.0 to 1.3");
    if (tls13) /* everything after the ServerHello is protected, in both directions */
        s->dirs[0].protected_records = s->dirs[1].protected_records = true;
}

/* RSA key exchange: every loaded key that yields a premaster gives a candidate master secret. */
static void on_client_key_exchange(tls_session *s, const uint8_t *body, size_t len)
{
    uint8_t session_hash[TLS_TRANSCRIPT_MAX_HASH];
    size_t hash_len = 0;
    bool have_hash = tls_transcript_finish(&s->transcript, s->info.version, s->suite ? s->suite->prf_digest : "",
                                           session_hash, &hash_len);
    const uint8_t *encrypted;
    size_t encrypted_len;
    if (!s->suite || s->suite->kx != TLS_KX_RSA || s->rsa_masters ||
        tls_parse_rsa_client_key_exchange(body, len, &encrypted, &encrypted_len) != CSSP_OK)
        return;
    size_t key_count = tls_rsa_keys_count(s->rsa_keys);
    if (key_count == 0 || (s->info.extended_master_secret && !have_hash))
        return;
    s->rsa_masters = g_malloc0(TLS_MAX_MASTER_CANDIDATES * TLS_MASTER_SECRET_LEN);
    uint8_t premaster[TLS_PREMASTER_LEN];
    for (size_t i = 0; i < key_count && s->rsa_master_count < TLS_MAX_MASTER_CANDIDATES; i++) {
        if (tls_rsa_keys_decrypt_premaster(s->rsa_keys, i, encrypted, encrypted_len, premaster) &&
            tls_keys_master_secret(s->info.version, s->suite, premaster, sizeof premaster, s->client_random,
                                   s->server_random, s->info.extended_master_secret ? session_hash : NULL,
                                   hash_len, s->rsa_masters[s->rsa_master_count]))
            s->rsa_master_count++;
    }
    OPENSSL_cleanse(premaster, sizeof premaster);
}

/* TLS 1.3: Finished ends a direction's handshake keys; KeyUpdate replaces its application keys. */
static void on_protected_handshake_message(direction *d, uint8_t type)
{
    tls_session *s = d->session;
    if (type == TLS_HS_FINISHED && d->phase == KEYS_HANDSHAKE) {
        tls_record_keys_clear(&d->keys);
        d->phase = KEYS_PENDING;
        d->application_next = true;
        d->failed_trials = 0;
    } else if (type == TLS_HS_KEY_UPDATE && d->phase == KEYS_APPLICATION) {
        tls_secret next;
        tls_record_keys_clear(&d->keys);
        if (tls_keys_next_traffic_secret(s->suite, &d->traffic_secret, &next) &&
            tls_keys_from_traffic_secret(&d->keys, s->suite, &next)) {
            d->traffic_secret = next;
        } else {
            d->phase = KEYS_UNAVAILABLE;
            report_failure(s, d->id, TLS_FAILURE_UNSUPPORTED, "the keys after a KeyUpdate cannot be derived");
        }
        OPENSSL_cleanse(&next, sizeof next);
    }
}

static void on_handshake_message(void *user, uint8_t type, const uint8_t *body, size_t len)
{
    direction *d = user;
    tls_session *s = d->session;
    if (d->protected_records) {
        if (is_tls13(s))
            on_protected_handshake_message(d, type);
        return;
    }
    if (!body)
        return;
    if (type == TLS_HS_CLIENT_HELLO && d->id == TLS_CLIENT_TO_SERVER)
        on_client_hello(s, body, len);
    else if (type == TLS_HS_SERVER_HELLO && d->id == TLS_SERVER_TO_CLIENT)
        on_server_hello(s, body, len);
    else if (type == TLS_HS_CLIENT_KEY_EXCHANGE && d->id == TLS_CLIENT_TO_SERVER)
        on_client_key_exchange(s, body, len);
}

static void feed_handshake(direction *d, const uint8_t *bytes, size_t len)
{
    const tls_hs_sink sink = { keeps_message, on_handshake_bytes, on_handshake_message, d };
    tls_hs_stream_feed(&d->hs, bytes, len, &sink);
}

/* ---- choosing keys ---- */

typedef struct record_view {
    const tls_record_header *header;
    const uint8_t *fragment;
    size_t len;
    uint8_t *out;
    size_t plain_len;
    uint8_t content_type;
} record_view;

/*
 * Does a TLS 1.3 plaintext start a handshake-flight message (EncryptedExtensions, Certificate,
 * CertificateVerify, Finished)? Under application keys only NewSessionTicket and KeyUpdate come first,
 * so such a record was opened by a handshake secret, whatever label the key log gave it.
 */
static bool is_handshake_flight(const record_view *rec)
{
    if (rec->content_type != TLS_CONTENT_HANDSHAKE || rec->plain_len == 0)
        return false;
    uint8_t type = rec->out[0];
    return type == TLS_HS_ENCRYPTED_EXTENSIONS || type == TLS_HS_CERTIFICATE ||
           type == TLS_HS_CERTIFICATE_VERIFY || type == TLS_HS_FINISHED;
}

static bool same_secret(const tls_secret *a, const tls_secret *b)
{
    return a->len == b->len && CRYPTO_memcmp(a->bytes, b->bytes, a->len) == 0;
}

/*
 * Tries TLS 1.3 secrets on the record at sequence number seq, the key log's later lines first; keeps the keys
 * of the first that opens it. Deriving keys is most of the cost of a short session, so the handshake secret
 * is not tried again on the application records (some key logs list it among the traffic secrets).
 */
static bool try_traffic_secrets(direction *d, tls_secret_list list, uint64_t seq, key_phase phase,
                                record_view *rec)
{
    for (size_t n = list.count; n-- > 0;) {
        const tls_secret *secret = &list.items[n];
        tls_record_keys keys;
        if (same_secret(secret, &d->handshake_secret) ||
            !tls_keys_from_traffic_secret(&keys, d->session->suite, secret))
            continue;
        keys.seq = seq;
        if (tls_record_open(&keys, rec->header, rec->fragment, rec->len, rec->out, &rec->plain_len,
                            &rec->content_type) == TLS_OPEN_OK) {
            d->keys = keys;
            d->phase = phase;
            if (phase == KEYS_APPLICATION && !d->application_next && is_handshake_flight(rec))
                d->phase = KEYS_HANDSHAKE; /* a handshake secret logged under a traffic-secret label */
            if (d->phase == KEYS_HANDSHAKE)
                d->handshake_secret = *secret;
            if (d->phase == KEYS_APPLICATION)
                d->traffic_secret = *secret;
            return true;
        }
        tls_record_keys_clear(&keys);
    }
    return false;
}

static bool try_master_secret(direction *d, const uint8_t master[TLS_MASTER_SECRET_LEN], record_view *rec)
{
    tls_session *s = d->session;
    tls_record_keys keys;
    if (!tls_keys_from_master(&keys, s->info.version, s->suite, s->info.encrypt_then_mac, master,
                              s->client_random, s->server_random, d->id == TLS_SERVER_TO_CLIENT))
        return false;
    if (tls_record_open(&keys, rec->header, rec->fragment, rec->len, rec->out, &rec->plain_len,
                        &rec->content_type) == TLS_OPEN_OK) {
        d->keys = keys;
        d->phase = KEYS_APPLICATION;
        return true;
    }
    tls_record_keys_clear(&keys);
    return false;
}

static void give_up(direction *d, tls_failure failure, const char *reason)
{
    d->phase = KEYS_UNAVAILABLE;
    report_failure(d->session, d->id, failure, reason);
}

/* TLS 1.0-1.2: the first protected record (Finished) must open under one of the master secrets. */
static bool choose_tls12_keys(direction *d, record_view *rec)
{
    tls_session *s = d->session;
    tls_secret_list logged = tls_keylog_find(s->keylog, s->client_random, TLS_KEYLOG_MASTER_SECRET);
    if (logged.count == 0 && s->rsa_master_count == 0) {
        give_up(d, TLS_FAILURE_NO_SECRETS,
                s->suite->kx == TLS_KX_RSA && tls_rsa_keys_count(s->rsa_keys) > 0
                    ? "no CLIENT_RANDOM key-log entry, and no RSA key decrypts the premaster secret"
                    : "no CLIENT_RANDOM key-log entry for this session");
        return false;
    }
    s->secrets_tried = true;
    for (size_t i = 0; i < logged.count; i++) {
        if (try_master_secret(d, logged.items[i].bytes, rec))
            return true;
    }
    for (size_t i = 0; i < s->rsa_master_count; i++) {
        if (try_master_secret(d, s->rsa_masters[i], rec))
            return true;
    }
    give_up(d, TLS_FAILURE_WRONG_SECRETS, "no master secret for this session authenticates its records");
    return false;
}

/*
 * TLS 1.3: handshake secrets at the record's position, application secrets at sequence 0 (or, once
 * Finished was seen, at the position after it). Records that open with neither are handshake records
 * of a key log without handshake secrets, until TLS_MAX_TRIAL_RECORDS.
 */
static bool choose_tls13_keys(direction *d, record_view *rec)
{
    tls_session *s = d->session;
    bool client = d->id == TLS_CLIENT_TO_SERVER;
    tls_secret_list handshake = tls_keylog_find(
        s->keylog, s->client_random, client ? TLS_KEYLOG_CLIENT_HANDSHAKE_SECRET : TLS_KEYLOG_SERVER_HANDSHAKE_SECRET);
    tls_secret_list application = tls_keylog_find(
        s->keylog, s->client_random, client ? TLS_KEYLOG_CLIENT_TRAFFIC_SECRET : TLS_KEYLOG_SERVER_TRAFFIC_SECRET);
    if (application.count == 0 && (handshake.count == 0 || d->application_next)) {
        give_up(d, TLS_FAILURE_NO_SECRETS,
                handshake.count ? "the key log has this session's handshake secrets but no traffic secret"
                                : "no TLS 1.3 traffic secret in the key log for this session");
        return false;
    }
    s->secrets_tried = true;
    if (handshake.count == 0 && !d->application_next && d->failed_trials == 0) {
        /* The first protected record is a handshake record (RFC 8446 4.4), which no application secret opens:
           a trial would only derive the keys of a handshake secret logged under the traffic label. */
        d->failed_trials++;
        return false;
    }
    if (!d->application_next && try_traffic_secrets(d, handshake, d->failed_trials, KEYS_HANDSHAKE, rec))
        return true;
    if (try_traffic_secrets(d, application, d->application_next ? d->failed_trials : 0, KEYS_APPLICATION, rec)) {
        /* Where application data starts is known here, so the records that failed were damaged. */
        if (d->application_next && d->failed_trials > 0)
            report_failure(s, d->id, TLS_FAILURE_RECORD_AUTH, record_auth_reason);
        return true;
    }
    if (++d->failed_trials >= TLS_MAX_TRIAL_RECORDS)
        give_up(d, TLS_FAILURE_WRONG_SECRETS, "no key-log secret for this session authenticates its records");
    return false;
}

static bool open_protected_record(direction *d, record_view *rec)
{
    tls_session *s = d->session;
    if (d->phase == KEYS_UNAVAILABLE)
        return false;
    if (!s->suite) {
        d->phase = KEYS_UNAVAILABLE;
        if (!s->info.server_hello_seen)
            report_failure(s, d->id, TLS_FAILURE_MISSING_HANDSHAKE,
                           "protected records without the ServerHello: the capture starts mid-session");
        return false;
    }
    if (d->phase == KEYS_PENDING)
        return is_tls13(s) ? choose_tls13_keys(d, rec) : choose_tls12_keys(d, rec);
    tls_open_result result = tls_record_open(&d->keys, rec->header, rec->fragment, rec->len, rec->out,
                                             &rec->plain_len, &rec->content_type);
    if (result == TLS_OPEN_OK)
        return true;
    report_failure(s, d->id, TLS_FAILURE_RECORD_AUTH,
                   result == TLS_OPEN_BAD_LENGTH         ? "a record is too short for its cipher suite"
                   : result == TLS_OPEN_NO_CONTENT_TYPE ? "a TLS 1.3 record holds no content type"
                                                        : record_auth_reason);
    return false;
}

/* ---- records ---- */

static void deliver_plaintext(direction *d, uint8_t type, const uint8_t *bytes, size_t len, bool decrypted)
{
    tls_session *s = d->session;
    tls_event event = { .direction = d->id };
    switch (type) {
    case TLS_CONTENT_APPLICATION_DATA:
        if (len == 0)
            return;
        event.kind = TLS_EVENT_APPLICATION_DATA;
        event.data = bytes;
        event.len = len;
        emit(s, &event);
        return;
    case TLS_CONTENT_ALERT:
        event.kind = TLS_EVENT_ALERT;
        event.alert_level = len >= 2 ? bytes[0] : 0;
        event.alert_description = len >= 2 ? bytes[1] : 0;
        emit(s, &event);
        return;
    case TLS_CONTENT_HANDSHAKE:
        feed_handshake(d, bytes, len);
        return;
    case TLS_CONTENT_CHANGE_CIPHER_SPEC:
        event.kind = TLS_EVENT_CHANGE_CIPHER_SPEC;
        emit(s, &event);
        /* TLS <= 1.2: the sender's next records use the new keys. TLS 1.3 sends it only for middleboxes. */
        if (!decrypted && !d->protected_records && s->info.server_hello_seen && !is_tls13(s)) {
            d->protected_records = true;
            d->phase = KEYS_PENDING;
        }
        return;
    default:
        return; /* heartbeat and unassigned types carry nothing for this analyzer */
    }
}

static void report_undecrypted(direction *d, const tls_record_header *header, size_t len)
{
    tls_event event = { .direction = d->id, .len = len, .content_type = header->content_type };
    if (header->content_type == TLS_CONTENT_ALERT) {
        event.kind = TLS_EVENT_ALERT;
        event.alert_encrypted = true;
    } else {
        event.kind = TLS_EVENT_UNDECRYPTED;
    }
    emit(d->session, &event);
}

/* TLS 1.3 protects only application_data records; its ChangeCipherSpec and early plaintext alerts stay clear. */
static bool record_is_protected(const direction *d, uint8_t type)
{
    if (!d->protected_records)
        return false;
    return !is_tls13(d->session) || type == TLS_CONTENT_APPLICATION_DATA;
}

static void process_record(direction *d, const tls_record_header *header, const uint8_t *fragment, size_t len)
{
    tls_session *s = d->session;
    s->info.records[d->id]++;
    if (!record_is_protected(d, header->content_type)) {
        if (header->content_type == TLS_CONTENT_APPLICATION_DATA) {
            /* after a ClientHello this is TLS 1.3 early data, else the capture started mid-session */
            if (!s->info.client_hello_seen)
                report_failure(s, d->id, TLS_FAILURE_MISSING_HANDSHAKE,
                               "application data without a handshake: the capture starts mid-session");
            report_undecrypted(d, header, len);
        } else {
            deliver_plaintext(d, header->content_type, fragment, len, false);
        }
        return;
    }
    uint8_t out[TLS_MAX_RECORD_LEN]; /* on the stack: no allocation per record */
    record_view rec = { .header = header, .fragment = fragment, .len = len, .out = out };
    if (open_protected_record(d, &rec)) {
        s->info.decrypted = true;
        s->info.decrypted_records[d->id]++;
        deliver_plaintext(d, rec.content_type, rec.out, rec.plain_len, true);
    } else {
        report_undecrypted(d, header, len);
    }
    OPENSSL_cleanse(out, len);
}

static bool on_record(void *user, const tls_record_header *header, const uint8_t *fragment, size_t len)
{
    direction *d = user;
    process_record(d, header, fragment, len);
    return !d->dead && !d->session->stop_requested;
}

/* ---- public API ---- */

tls_session *tls_session_new(const tls_keylog *keylog, const tls_rsa_keys *rsa_keys, tls_event_fn on_event,
                             void *user)
{
    tls_session *s = g_new0(tls_session, 1);
    s->keylog = keylog;
    s->rsa_keys = rsa_keys;
    s->on_event = on_event;
    s->user = user;
    for (int i = 0; i < 2; i++) {
        s->dirs[i].session = s;
        s->dirs[i].id = (tls_direction)i;
    }
    if (tls_rsa_keys_count(rsa_keys) > 0)
        tls_transcript_start(&s->transcript);
    return s;
}

static void release_session(tls_session *s)
{
    release_direction(&s->dirs[0]);
    release_direction(&s->dirs[1]);
    tls_transcript_clear(&s->transcript);
    if (s->rsa_masters) {
        OPENSSL_cleanse(s->rsa_masters, TLS_MAX_MASTER_CANDIDATES * TLS_MASTER_SECRET_LEN);
        g_free(s->rsa_masters);
        s->rsa_masters = NULL;
    }
}

static void finish_stop(tls_session *s)
{
    s->stop_requested = false;
    /* A direction may still be on its handshake records; only a session that opened nothing is a failure. */
    bool pending = false;
    for (int i = 0; i < 2; i++)
        pending = pending || (s->dirs[i].protected_records && s->dirs[i].phase == KEYS_PENDING);
    if (!s->info.decrypted && s->secrets_tried && pending)
        report_failure(s, TLS_CLIENT_TO_SERVER, TLS_FAILURE_WRONG_SECRETS,
                       "no key-log secret for this session authenticates its records");
    s->stopped = true;
    release_session(s);
}

void tls_session_feed(tls_session *session, tls_direction dir, const uint8_t *bytes, size_t len)
{
    if (!session || session->stopped || len == 0 ||
        (dir != TLS_CLIENT_TO_SERVER && dir != TLS_SERVER_TO_CLIENT))
        return;
    direction *d = &session->dirs[dir];
    if (d->dead)
        return;
    session->feeding = true;
    if (tls_framer_feed(&d->framer, bytes, len, on_record, d) == TLS_FRAMER_NOT_TLS)
        stream_error(d, TLS_FAILURE_FRAMING, "bytes that are not a TLS record (bad type, version or length)");
    session->feeding = false;
    for (int i = 0; i < 2; i++) {
        if (session->dirs[i].dead)
            release_direction(&session->dirs[i]);
    }
    if (session->stop_requested)
        finish_stop(session);
}

void tls_session_gap(tls_session *session, tls_direction dir)
{
    if (!session || session->stopped || (dir != TLS_CLIENT_TO_SERVER && dir != TLS_SERVER_TO_CLIENT))
        return;
    stream_error(&session->dirs[dir], TLS_FAILURE_GAP,
                 "bytes are missing from the TCP stream; this direction is no longer decrypted");
}

void tls_session_stop(tls_session *session)
{
    if (!session || session->stopped)
        return;
    if (session->feeding)
        session->stop_requested = true;
    else
        finish_stop(session);
}

const tls_session_info *tls_session_get_info(const tls_session *session)
{
    return &session->info;
}

void tls_session_free(tls_session *session)
{
    if (!session)
        return;
    release_session(session);
    g_free(session);
}

/* What OpenSSL allocates for one digest or cipher context with its state (measured on OpenSSL 3.0: 0.5-1 KiB). */
#define OPENSSL_CONTEXT_COST 1024

size_t tls_session_held_bytes(const tls_session *s)
{
    size_t bytes = sizeof *s + (s->rsa_masters ? TLS_MAX_MASTER_CANDIDATES * TLS_MASTER_SECRET_LEN : 0);
    if (tls_transcript_active(&s->transcript))
        bytes += 4 * OPENSSL_CONTEXT_COST;
    for (int d = 0; d < 2; d++) {
        const direction *dir = &s->dirs[d];
        bytes += tls_framer_held_bytes(&dir->framer) + (dir->hs.body ? dir->hs.body_len : 0);
        if (dir->phase == KEYS_HANDSHAKE || dir->phase == KEYS_APPLICATION)
            bytes += 2 * OPENSSL_CONTEXT_COST;
    }
    return bytes;
}
