/* keylog.c - NSS key-log parsing into the secret store (see keylog.h). */
#include "keylog.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <openssl/crypto.h>

#include "diag.h"
#include "seeded_hash.h"

/* Per client random: up to TLS_KEYLOG_MAX_CANDIDATES secrets per label, each list sized to its count. */
typedef struct keylog_entry {
    uint8_t client_random[TLS_RANDOM_LEN];
    uint8_t counts[TLS_KEYLOG_LABEL_COUNT];
    tls_secret *lists[TLS_KEYLOG_LABEL_COUNT];
} keylog_entry;

struct tls_keylog {
    GHashTable *entries; /* key: entry->client_random, value: keylog_entry (owned) */
    size_t bytes;        /* held for the secrets and their entries, against TLS_KEYLOG_MAX_BYTES */
    size_t embedded_bytes; /* of those, for secrets captures carried, against TLS_KEYLOG_MAX_EMBEDDED_BYTES */
    bool loading_embedded; /* the load in progress is a capture's */
    tls_keylog_stats stats;
};

/* What a new session costs the budget: its entry and its slot in the hash table (a node of three words). */
#define ENTRY_COST (sizeof(keylog_entry) + 3 * sizeof(void *))

/* Labels of the format; `used` false for those recognised but not needed for decryption. */
static const struct {
    const char *name;
    bool used;
    tls_keylog_label label;
} label_table[] = {
    { "CLIENT_RANDOM", true, TLS_KEYLOG_MASTER_SECRET },
    { "CLIENT_HANDSHAKE_TRAFFIC_SECRET", true, TLS_KEYLOG_CLIENT_HANDSHAKE_SECRET },
    { "SERVER_HANDSHAKE_TRAFFIC_SECRET", true, TLS_KEYLOG_SERVER_HANDSHAKE_SECRET },
    { "CLIENT_TRAFFIC_SECRET_0", true, TLS_KEYLOG_CLIENT_TRAFFIC_SECRET },
    { "SERVER_TRAFFIC_SECRET_0", true, TLS_KEYLOG_SERVER_TRAFFIC_SECRET },
    { "CLIENT_TRAFFIC_SECRET_N", false, 0 }, /* OpenSSL logs it on KeyUpdate; derived here instead */
    { "SERVER_TRAFFIC_SECRET_N", false, 0 },
    { "EXPORTER_SECRET", false, 0 },
    { "EARLY_EXPORTER_SECRET", false, 0 },
    { "CLIENT_EARLY_TRAFFIC_SECRET", false, 0 },
    { "RSA", false, 0 },
    { "PMS_CLIENT_RANDOM", false, 0 },
};

/* The state of one load: where diagnostics go and the line being assembled. */
typedef struct load_context {
    tls_keylog *store;
    const char *source;
    FILE *diag;
    size_t line_number;
    size_t malformed;
    size_t conflicting;             /* well-formed lines that add a candidate beside an earlier secret */
    bool full_reported, candidates_reported;
    char line[TLS_KEYLOG_MAX_LINE];
    size_t line_len;
    bool line_too_long;
} load_context;

static guint random_hash(gconstpointer key)
{
    /* Seeded: a key log (or a capture's Decryption Secrets Block) chooses its client randoms. */
    return seeded_hash_words(key, TLS_RANDOM_LEN / 8, 0);
}

static gboolean random_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, TLS_RANDOM_LEN) == 0;
}

static void entry_free(gpointer data)
{
    keylog_entry *entry = data;
    for (size_t i = 0; i < TLS_KEYLOG_LABEL_COUNT; i++) {
        if (entry->lists[i]) {
            OPENSSL_cleanse(entry->lists[i], sizeof(tls_secret) * entry->counts[i]);
            g_free(entry->lists[i]);
        }
    }
    g_free(entry);
}

tls_keylog *tls_keylog_new(void)
{
    tls_keylog *store = g_new0(tls_keylog, 1);
    store->entries = g_hash_table_new_full(random_hash, random_equal, NULL, entry_free);
    return store;
}

void tls_keylog_free(tls_keylog *store)
{
    if (!store)
        return;
    g_hash_table_destroy(store->entries);
    g_free(store);
}

static void report(load_context *ctx, const char *problem)
{
    ctx->malformed++;
    ctx->store->stats.lines_malformed++;
    if (ctx->diag && ctx->malformed <= TLS_KEYLOG_MAX_REPORTED)
        diag_say(ctx->diag, ctx->source, ctx->line_number, "%s", problem);
}

/* Decodes exactly `out_len` bytes of hex (either case) from a field of `hex_len` characters. */
static bool decode_hex(const char *hex, size_t hex_len, uint8_t *out, size_t out_len)
{
    if (hex_len != 2 * out_len)
        return false;
    for (size_t i = 0; i < out_len; i++) {
        int hi = g_ascii_xdigit_value(hex[2 * i]);
        int lo = g_ascii_xdigit_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

/* Splits off the next run of non-blank characters; returns its length (0 at the end). */
static size_t next_field(const char **cursor, const char *end, const char **field)
{
    const char *p = *cursor;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    *field = p;
    while (p < end && *p != ' ' && *p != '\t')
        p++;
    *cursor = p;
    return (size_t)(p - *field);
}

static bool fits(const tls_keylog *store, size_t more)
{
    return store->bytes + more <= TLS_KEYLOG_MAX_BYTES &&
           (!store->loading_embedded || store->embedded_bytes + more <= TLS_KEYLOG_MAX_EMBEDDED_BYTES);
}

/* Whether a secret just dropped hit the captures' budget rather than the whole store's. */
static bool embedded_budget_hit(const tls_keylog *store)
{
    return store->loading_embedded &&
           store->embedded_bytes + ENTRY_COST + sizeof(tls_secret) > TLS_KEYLOG_MAX_EMBEDDED_BYTES;
}

static void charge(tls_keylog *store, size_t bytes)
{
    store->bytes += bytes;
    if (store->loading_embedded)
        store->embedded_bytes += bytes;
}

static keylog_entry *entry_for(tls_keylog *store, const uint8_t client_random[TLS_RANDOM_LEN])
{
    keylog_entry *entry = g_hash_table_lookup(store->entries, client_random);
    if (entry || !fits(store, ENTRY_COST + sizeof(tls_secret)))
        return entry;
    charge(store, ENTRY_COST);
    entry = g_new0(keylog_entry, 1);
    memcpy(entry->client_random, client_random, TLS_RANDOM_LEN);
    g_hash_table_insert(store->entries, entry->client_random, entry);
    return entry;
}

typedef enum store_outcome {
    SECRET_STORED,            /* the first secret for this (client random, label) */
    SECRET_ANOTHER,           /* a different secret beside earlier ones: a candidate too */
    SECRET_REPEATED,          /* the same secret again */
    SECRET_DROPPED_CANDIDATE, /* past TLS_KEYLOG_MAX_CANDIDATES */
    SECRET_DROPPED_FULL       /* past TLS_KEYLOG_MAX_BYTES */
} store_outcome;

static store_outcome store_secret(tls_keylog *store, const uint8_t client_random[TLS_RANDOM_LEN],
                                  tls_keylog_label label, const tls_secret *secret)
{
    keylog_entry *entry = entry_for(store, client_random);
    if (!entry) {
        store->stats.secrets_dropped++;
        store->stats.secrets_over_budget++;
        return SECRET_DROPPED_FULL;
    }
    size_t count = entry->counts[label];
    tls_secret *list = entry->lists[label];
    for (size_t i = 0; i < count; i++) {
        if (list[i].len == secret->len && memcmp(list[i].bytes, secret->bytes, secret->len) == 0) {
            store->stats.lines_used++;
            return SECRET_REPEATED;
        }
    }
    if (count == TLS_KEYLOG_MAX_CANDIDATES) {
        store->stats.secrets_dropped++;
        return SECRET_DROPPED_CANDIDATE;
    }
    if (!fits(store, sizeof(tls_secret))) {
        store->stats.secrets_dropped++;
        store->stats.secrets_over_budget++;
        return SECRET_DROPPED_FULL;
    }
    charge(store, sizeof(tls_secret));
    /* Grown by hand rather than g_renew(), so that no unwiped copy of a secret is left behind. */
    tls_secret *grown = g_new(tls_secret, count + 1);
    if (count > 0) {
        memcpy(grown, list, sizeof(tls_secret) * count);
        OPENSSL_cleanse(list, sizeof(tls_secret) * count);
    }
    g_free(list);
    grown[count] = *secret;
    entry->lists[label] = grown;
    entry->counts[label]++;
    store->stats.lines_used++;
    return count > 0 ? SECRET_ANOTHER : SECRET_STORED;
}

/* A limit hit is said once per load, on the line that hit it. */
static void report_limit(load_context *ctx, bool *said, const char *what)
{
    if (*said || !ctx->diag)
        return;
    *said = true;
    diag_say(ctx->diag, ctx->source, ctx->line_number, "%s", what);
}

static bool secret_length_fits(tls_keylog_label label, size_t len)
{
    if (label == TLS_KEYLOG_MASTER_SECRET)
        return len == 48;
    return len == 32 || len == 48;
}

static void parse_line(load_context *ctx, const char *text, size_t len)
{
    const char *end = text + len;
    while (text < end && (*text == '\0' || *text == ' ' || *text == '\t'))
        text++;
    while (end > text && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    if (text == end || *text == '#')
        return;

    const char *label_text, *random_text, *secret_text, *extra;
    size_t label_len = next_field(&text, end, &label_text);
    size_t random_len = next_field(&text, end, &random_text);
    size_t secret_len = next_field(&text, end, &secret_text);
    if (random_len == 0 || secret_len == 0 || next_field(&text, end, &extra) != 0) {
        report(ctx, "not a key-log line (expected: LABEL <client random> <secret>)");
        return;
    }
    size_t row = 0;
    while (row < G_N_ELEMENTS(label_table) &&
           !(strlen(label_table[row].name) == label_len &&
             memcmp(label_table[row].name, label_text, label_len) == 0))
        row++;
    if (row == G_N_ELEMENTS(label_table)) {
        report(ctx, "unknown key-log label");
        return;
    }
    if (!label_table[row].used) {
        ctx->store->stats.lines_unused++;
        return;
    }
    uint8_t client_random[TLS_RANDOM_LEN];
    tls_secret secret = { .len = secret_len / 2 };
    tls_keylog_label label = label_table[row].label;
    if (!decode_hex(random_text, random_len, client_random, sizeof client_random)) {
        report(ctx, "the client random is not 64 hex digits");
    } else if (secret_len % 2 != 0 || !secret_length_fits(label, secret.len) ||
               !decode_hex(secret_text, secret_len, secret.bytes, secret.len)) {
        report(ctx, label == TLS_KEYLOG_MASTER_SECRET ? "the master secret is not 96 hex digits"
                                                     : "the secret is not 64 or 96 hex digits");
    } else {
        switch (store_secret(ctx->store, client_random, label, &secret)) {
        case SECRET_STORED:
        case SECRET_REPEATED: break; /* a repeated line is harmless: key logs are often appended to twice */
        case SECRET_ANOTHER: ctx->conflicting++; break;
        case SECRET_DROPPED_CANDIDATE:
            report_limit(ctx, &ctx->candidates_reported,
                         "more than " G_STRINGIFY(TLS_KEYLOG_MAX_CANDIDATES)
                         " different secrets for one session and label; later ones are ignored");
            break;
        case SECRET_DROPPED_FULL:
            report_limit(ctx, &ctx->full_reported,
                         embedded_budget_hit(ctx->store)
                             ? "the secrets the captures carry pass their memory budget ("
                               G_STRINGIFY(TLS_KEYLOG_MAX_EMBEDDED_MIB) " MiB); this and later new secrets are ignored"
                             : "the key logs' secrets pass their memory budget (" G_STRINGIFY(TLS_KEYLOG_MAX_MIB)
                               " MiB); this and later new secrets are ignored");
            break;
        }
    }
    OPENSSL_cleanse(&secret, sizeof secret);
}

static void end_line(load_context *ctx)
{
    ctx->line_number++;
    if (ctx->line_too_long)
        report(ctx, "line longer than the longest key-log line");
    else
        parse_line(ctx, ctx->line, ctx->line_len);
    OPENSSL_cleanse(ctx->line, ctx->line_len);
    ctx->line_len = 0;
    ctx->line_too_long = false;
}

/* Takes the next bytes of the text; may be called with any split of it. */
static void take_bytes(load_context *ctx, const char *bytes, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (bytes[i] == '\n')
            end_line(ctx);
        else if (ctx->line_len < sizeof ctx->line)
            ctx->line[ctx->line_len++] = bytes[i];
        else
            ctx->line_too_long = true;
    }
}

static void finish_load(load_context *ctx)
{
    if (ctx->line_len > 0 || ctx->line_too_long)
        end_line(ctx);
    if (ctx->diag && ctx->malformed > TLS_KEYLOG_MAX_REPORTED)
        diag_say(ctx->diag, ctx->source, 0, "%zu malformed lines ignored in total", ctx->malformed);
    if (ctx->diag && ctx->conflicting)
        diag_say(ctx->diag, ctx->source, 0,
                 "%zu lines give another secret for a session and label already listed; each is tried",
                 ctx->conflicting);
}

static load_context *load_begin(tls_keylog *store, const char *source, FILE *diag)
{
    load_context *ctx = g_new0(load_context, 1);
    ctx->store = store;
    ctx->source = source;
    ctx->diag = diag;
    return ctx;
}

void tls_keylog_load_buffer(tls_keylog *store, const char *source, const void *text, size_t len,
                            FILE *diag)
{
    load_context *ctx = load_begin(store, source, diag);
    take_bytes(ctx, text, len);
    finish_load(ctx);
    g_free(ctx);
}

void tls_keylog_load_embedded(tls_keylog *store, const char *source, const void *text, size_t len, FILE *diag)
{
    store->loading_embedded = true;
    tls_keylog_load_buffer(store, source, text, len, diag);
    store->loading_embedded = false;
}

bool tls_keylog_load_file(tls_keylog *store, const char *path, FILE *diag)
{
    FILE *file = fopen(path, "rb");
    struct stat st;
    if (file && fstat(fileno(file), &st) == 0 && S_ISDIR(st.st_mode)) { /* opens, but has no bytes to read */
        fclose(file);
        file = NULL;
        errno = EISDIR;
    }
    if (!file) {
        diag_say(diag, path, 0, "cannot open the key log: %s", strerror(errno));
        return false;
    }
    load_context *ctx = load_begin(store, path, diag);
    char block[4096];
    size_t got;
    while ((got = fread(block, 1, sizeof block, file)) > 0)
        take_bytes(ctx, block, got);
    bool read_error = ferror(file) != 0;
    OPENSSL_cleanse(block, sizeof block);
    fclose(file);
    if (read_error)
        diag_say(diag, path, 0, "read error; the key log was read only in part");
    finish_load(ctx);
    g_free(ctx);
    return !read_error;
}

tls_secret_list tls_keylog_find(const tls_keylog *store, const uint8_t client_random[TLS_RANDOM_LEN],
                                tls_keylog_label label)
{
    tls_secret_list list = { 0, NULL };
    const keylog_entry *entry = store ? g_hash_table_lookup(store->entries, client_random) : NULL;
    if (entry && label < TLS_KEYLOG_LABEL_COUNT) {
        list.count = entry->counts[label];
        list.items = entry->lists[label];
    }
    return list;
}

tls_keylog_stats tls_keylog_get_stats(const tls_keylog *store)
{
    return store->stats;
}

size_t tls_keylog_session_count(const tls_keylog *store)
{
    return g_hash_table_size(store->entries);
}
