/*
 * test_tls_decrypt.c - decrypts real OpenSSL TLS sessions recorded in-process.
 *
 * Each case records a session with tls_fixture (TLS 1.0 to 1.3, GCM, CBC with
 * and without encrypt_then_mac, with and without the extended master secret,
 * ChaCha20-Poly1305, static RSA), then replays its bytes through tls_session
 * - as recorded and cut into random pieces down to single bytes - with the
 * captured key log (or only the server's RSA key) and checks that the
 * plaintext equals what the peers sent, the handshake is reported as
 * negotiated, and the client's close_notify is decrypted.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "check.h"
#include "tls_harness.h"
#include "tls_suites.h"

typedef enum key_source {
    KEYS_FULL_LOG,        /* the key log as OpenSSL wrote it */
    KEYS_TRAFFIC_ONLY,    /* TLS 1.3: only the two *_TRAFFIC_SECRET_0 lines (LSASS key logs) */
    KEYS_WRONG_DUPLICATES,/* TLS 1.3: wrong candidates, and the handshake secret posing as traffic secret, listed
                             after the right ones (the later lines are tried first) */
    KEYS_UPPER_CRLF,      /* the key log in upper case with CRLF line ends */
    KEYS_RSA_ONLY         /* no key log: the server's RSA private key */
} key_source;

typedef struct decrypt_case {
    const char *name;
    tls_fixture_options options;
    key_source keys;
    uint16_t suite;
    bool etm;             /* encrypt_then_mac expected in use */
} decrypt_case;

#define TLS13(cs) .version = TLS1_3_VERSION, .ciphersuites = cs
#define TLS12(cl) .version = TLS1_2_VERSION, .cipher_list = cl

static const decrypt_case cases[] = {
    { "1.3 AES-128-GCM full log", { TLS13("TLS_AES_128_GCM_SHA256") }, KEYS_FULL_LOG, 0x1301, false },
    { "1.3 AES-256-GCM full log", { TLS13("TLS_AES_256_GCM_SHA384") }, KEYS_FULL_LOG, 0x1302, false },
    { "1.3 CHACHA20 full log", { TLS13("TLS_CHACHA20_POLY1305_SHA256") }, KEYS_FULL_LOG, 0x1303, false },
    { "1.3 AES-128-GCM traffic secrets only", { TLS13("TLS_AES_128_GCM_SHA256") }, KEYS_TRAFFIC_ONLY, 0x1301, false },
    { "1.3 AES-256-GCM traffic secrets only", { TLS13("TLS_AES_256_GCM_SHA384") }, KEYS_TRAFFIC_ONLY, 0x1302, false },
    { "1.3 CHACHA20 traffic secrets only", { TLS13("TLS_CHACHA20_POLY1305_SHA256") }, KEYS_TRAFFIC_ONLY, 0x1303, false },
    { "1.3 AES-256-GCM wrong duplicate candidates", { TLS13("TLS_AES_256_GCM_SHA384") }, KEYS_WRONG_DUPLICATES, 0x1302, false },
    { "1.3 AES-128-GCM wrong duplicate candidates", { TLS13("TLS_AES_128_GCM_SHA256") }, KEYS_WRONG_DUPLICATES, 0x1301, false },
    { "1.3 upper-case CRLF key log", { TLS13("TLS_AES_256_GCM_SHA384") }, KEYS_UPPER_CRLF, 0x1302, false },
    { "1.3 HelloRetryRequest", { TLS13("TLS_AES_128_GCM_SHA256"), .hello_retry = true }, KEYS_FULL_LOG, 0x1301, false },
    { "1.3 KeyUpdate, full log", { TLS13("TLS_AES_256_GCM_SHA384"), .key_update = true }, KEYS_FULL_LOG, 0x1302, false },
    { "1.3 KeyUpdate, traffic secrets only", { TLS13("TLS_CHACHA20_POLY1305_SHA256"), .key_update = true }, KEYS_TRAFFIC_ONLY, 0x1303, false },
    { "1.2 ECDHE-RSA-AES128-GCM-SHA256", { TLS12("ECDHE-RSA-AES128-GCM-SHA256") }, KEYS_FULL_LOG, 0xC02F, false },
    { "1.2 ECDHE-RSA-AES256-GCM-SHA384", { TLS12("ECDHE-RSA-AES256-GCM-SHA384") }, KEYS_FULL_LOG, 0xC030, false },
    { "1.2 ECDHE-RSA-AES256-GCM-SHA384 no EMS", { TLS12("ECDHE-RSA-AES256-GCM-SHA384"), .no_extended_master_secret = true }, KEYS_FULL_LOG, 0xC030, false },
    { "1.2 ECDHE-RSA-CHACHA20-POLY1305", { TLS12("ECDHE-RSA-CHACHA20-POLY1305") }, KEYS_FULL_LOG, 0xCCA8, false },
    { "1.2 ECDHE-RSA-AES128-SHA ETM", { TLS12("ECDHE-RSA-AES128-SHA") }, KEYS_FULL_LOG, 0xC013, true },
    { "1.2 ECDHE-RSA-AES128-SHA no ETM", { TLS12("ECDHE-RSA-AES128-SHA"), .no_encrypt_then_mac = true }, KEYS_FULL_LOG, 0xC013, false },
    { "1.2 ECDHE-RSA-AES128-SHA no ETM no EMS", { TLS12("ECDHE-RSA-AES128-SHA"), .no_encrypt_then_mac = true, .no_extended_master_secret = true }, KEYS_FULL_LOG, 0xC013, false },
    { "1.2 AES256-SHA256 ETM", { TLS12("AES256-SHA256") }, KEYS_FULL_LOG, 0x003D, true },
    { "1.2 AES256-SHA256 no ETM", { TLS12("AES256-SHA256"), .no_encrypt_then_mac = true }, KEYS_FULL_LOG, 0x003D, false },
    { "1.2 ECDHE-RSA-AES256-SHA384 ETM", { TLS12("ECDHE-RSA-AES256-SHA384") }, KEYS_FULL_LOG, 0xC028, true },
    { "1.2 ECDHE-RSA-AES256-SHA384 no ETM", { TLS12("ECDHE-RSA-AES256-SHA384"), .no_encrypt_then_mac = true }, KEYS_FULL_LOG, 0xC028, false },
    { "1.2 RSA AES128-GCM-SHA256 from the RSA key, EMS", { TLS12("AES128-GCM-SHA256") }, KEYS_RSA_ONLY, 0x009C, false },
    { "1.2 RSA AES128-GCM-SHA256 from the RSA key, no EMS", { TLS12("AES128-GCM-SHA256"), .no_extended_master_secret = true }, KEYS_RSA_ONLY, 0x009C, false },
    { "1.2 RSA AES128-SHA from the RSA key, EMS, ETM", { TLS12("AES128-SHA") }, KEYS_RSA_ONLY, 0x002F, true },
    { "1.2 RSA AES128-SHA from the RSA key, no EMS, no ETM", { TLS12("AES128-SHA"), .no_extended_master_secret = true, .no_encrypt_then_mac = true }, KEYS_RSA_ONLY, 0x002F, false },
    { "1.1 ECDHE-RSA-AES256-SHA", { .version = TLS1_1_VERSION, .cipher_list = "ECDHE-RSA-AES256-SHA:@SECLEVEL=0", .security_level_0 = true }, KEYS_FULL_LOG, 0xC014, true },
    { "1.1 AES128-SHA no ETM from the RSA key", { .version = TLS1_1_VERSION, .cipher_list = "AES128-SHA:@SECLEVEL=0", .security_level_0 = true, .no_encrypt_then_mac = true }, KEYS_RSA_ONLY, 0x002F, false },
    { "1.0 ECDHE-RSA-AES128-SHA no ETM", { .version = TLS1_VERSION, .cipher_list = "ECDHE-RSA-AES128-SHA:@SECLEVEL=0", .security_level_0 = true, .no_encrypt_then_mac = true }, KEYS_FULL_LOG, 0xC013, false },
    { "1.0 ECDHE-RSA-AES128-SHA ETM", { .version = TLS1_VERSION, .cipher_list = "ECDHE-RSA-AES128-SHA:@SECLEVEL=0", .security_level_0 = true }, KEYS_FULL_LOG, 0xC013, true },
    { "1.0 AES256-SHA from the RSA key, EMS", { .version = TLS1_VERSION, .cipher_list = "AES256-SHA:@SECLEVEL=0", .security_level_0 = true }, KEYS_RSA_ONLY, 0x0035, true },
};

/* Keeps the lines whose label is in `labels`; appends `extra` first. */
static char *filter_keylog(const char *log, const char *const *labels, const char *extra)
{
    GString *out = g_string_new(NULL);
    gchar **lines = g_strsplit(log, "\n", -1);
    for (gchar **line = lines; *line; line++) {
        for (const char *const *label = labels; *label; label++) {
            if (g_str_has_prefix(*line, *label) && (*line)[strlen(*label)] == ' ')
                g_string_append_printf(out, "%s\n", *line);
        }
    }
    g_strfreev(lines);
    if (extra)
        g_string_append(out, extra);
    return g_string_free(out, FALSE);
}

/* The secret field of the line with this label, or NULL. */
static char *keylog_field(const char *log, const char *label, int field)
{
    char *found = NULL;
    gchar **lines = g_strsplit(log, "\n", -1);
    for (gchar **line = lines; *line && !found; line++) {
        gchar **fields = g_strsplit(*line, " ", -1);
        if (g_strv_length(fields) == 3 && strcmp(fields[0], label) == 0)
            found = g_strdup(fields[field]);
        g_strfreev(fields);
    }
    g_strfreev(lines);
    return found;
}

static const char *const traffic_labels[] = { "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", NULL };

/*
 * What a real LSASS key log looked like (see the corpus README): per label a wrong candidate, then the
 * handshake secret logged as the traffic secret, then the real one; no handshake labels.
 */
static char *keylog_with_wrong_duplicates(const char *log)
{
    char *random = keylog_field(log, "CLIENT_TRAFFIC_SECRET_0", 1);
    GString *extra = g_string_new(NULL);
    static const char *const pairs[][2] = {
        { "CLIENT_TRAFFIC_SECRET_0", "CLIENT_HANDSHAKE_TRAFFIC_SECRET" },
        { "SERVER_TRAFFIC_SECRET_0", "SERVER_HANDSHAKE_TRAFFIC_SECRET" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(pairs); i++) {
        char *real = keylog_field(log, pairs[i][0], 2);
        char *handshake = keylog_field(log, pairs[i][1], 2);
        char *wrong = g_strdup(real);
        wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
        g_string_append_printf(extra, "%s %s %s\n%s %s %s\n", pairs[i][0], random, wrong, pairs[i][0], random,
                               handshake);
        g_free(real);
        g_free(handshake);
        g_free(wrong);
    }
    char *result = filter_keylog(log, traffic_labels, extra->str);
    g_string_free(extra, TRUE);
    g_free(random);
    return result;
}

static char *keylog_upper_crlf(const char *log)
{
    char *upper = g_ascii_strup(log, -1);
    gchar **lines = g_strsplit(upper, "\n", -1);
    char *joined = g_strjoinv("\r\n", lines);
    g_strfreev(lines);
    g_free(upper);
    return joined;
}

static tls_keylog *keylog_for(const decrypt_case *c, const tls_fixture *f)
{
    char *text = NULL;
    switch (c->keys) {
    case KEYS_FULL_LOG: text = g_strdup(f->keylog->str); break;
    case KEYS_TRAFFIC_ONLY: text = filter_keylog(f->keylog->str, traffic_labels, ""); break;
    case KEYS_WRONG_DUPLICATES: text = keylog_with_wrong_duplicates(f->keylog->str); break;
    case KEYS_UPPER_CRLF: text = keylog_upper_crlf(f->keylog->str); break;
    case KEYS_RSA_ONLY: return NULL;
    }
    tls_keylog *store = tls_harness_keylog(text);
    g_free(text);
    return store;
}

static tls_rsa_keys *server_rsa_keys(void)
{
    const char *pem = tls_fixture_server_key_pem();
    char *path = tls_harness_temp_file(pem, strlen(pem));
    tls_rsa_keys *keys = tls_rsa_keys_new();
    CHECK(path && tls_rsa_keys_load_file(keys, path, stderr));
    if (path)
        unlink(path);
    g_free(path);
    return keys;
}

/* One replay of a recorded session: everything sent must come out, and nothing else. */
static void check_replay(const decrypt_case *c, const tls_fixture *f, const tls_keylog *keylog,
                         const tls_rsa_keys *rsa, size_t max_piece, unsigned seed)
{
    tls_outcome o;
    tls_outcome_init(&o);
    tls_harness_run(f, keylog, rsa, max_piece, seed, SIZE_MAX, &o);
    bool tls13 = f->version == 0x0304;
    bool ok = tls_outcome_matches(&o, f);
    CHECK(ok);
    CHECK_EQ_U(o.failures, 0);
    CHECK(o.info.decrypted);
    CHECK_EQ_U(o.events[TLS_EVENT_HANDSHAKE], 1);
    CHECK_EQ_U(o.handshake.version, f->version);
    CHECK_EQ_U(o.handshake.cipher_suite, c->suite);
    CHECK_EQ_STR(o.handshake.cipher_suite_name, tls_suite_name(c->suite));
    CHECK_EQ_U(o.handshake.encrypt_then_mac, c->etm);
    CHECK_EQ_U(o.handshake.extended_master_secret, !tls13 && f->extended_master_secret);
    CHECK(o.close_notify);
    CHECK_EQ_U(o.events[TLS_EVENT_STREAM_ERROR], 0);
    /*
     * Without handshake secrets the TLS 1.3 handshake records stay encrypted, and only they do; a handshake
     * secret logged as a traffic secret is not used on them either (the first protected record of each
     * direction is not tried without a handshake-labelled secret).
     */
    if (c->keys == KEYS_TRAFFIC_ONLY || c->keys == KEYS_WRONG_DUPLICATES)
        CHECK(o.undecrypted[0] >= 1 && o.undecrypted[1] >= 1);
    else
        CHECK_EQ_U(o.undecrypted[0] + o.undecrypted[1], 0);
    if (!ok || o.failures)
        fprintf(stderr, "  case '%s', pieces up to %zu: plaintext %u/%u and %u/%u bytes, failure '%s'\n", c->name,
                max_piece, o.plain[0]->len, f->sent[0]->len, o.plain[1]->len, f->sent[1]->len,
                tls_failure_name(o.failure));
    tls_outcome_clear(&o);
}

static void run_case(const decrypt_case *c)
{
    tls_fixture f;
    if (!tls_fixture_record(&c->options, &f)) {
        CHECK(!"the TLS session could be recorded");
        fprintf(stderr, "  case '%s'\n", c->name);
        tls_fixture_clear(&f);
        return;
    }
    CHECK_EQ_U(f.cipher_id, c->suite);
    if (!f.extended_master_secret && !c->options.no_extended_master_secret && f.version != 0x0304)
        CHECK(!"OpenSSL negotiated the extended master secret");
    tls_keylog *keylog = keylog_for(c, &f);
    tls_rsa_keys *rsa = c->keys == KEYS_RSA_ONLY ? server_rsa_keys() : NULL;
    static const size_t pieces[] = { 0, 1, 7, 1000, 20000 };
    for (size_t i = 0; i < G_N_ELEMENTS(pieces); i++)
        check_replay(c, &f, keylog, rsa, pieces[i], (unsigned)i + 1);
    tls_keylog_free(keylog);
    tls_rsa_keys_free(rsa);
    tls_fixture_clear(&f);
}

int main(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        run_case(&cases[i]);
    tls_fixture_cleanup();
    return check_summary("tls_decrypt");
}
