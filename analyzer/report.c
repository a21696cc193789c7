/*
 * report.c - the human report, the per-server summary and JSON Lines (see report.h).
 */
#include "report.h"

#include <errno.h>
#include <glib.h>
#include <string.h>
#include <time.h>

#include "cssp/facts_text.h"
#include "cssp/kerberos.h"
#include "cssp/inert.h"
#include "cssp/json.h"
#include "cssp/gateway.h"
#include "cssp/names.h"
#include "cssp-i18n.h"

#define TIME_TEXT_SIZE 32

typedef struct server_summary {
    char *name;
    unsigned long connections;
    unsigned versions_offered;        /* bit v set when the server advertised CredSSP v (v <= 31) */
    unsigned long refused;            /* version_mismatch + rejected_unpatched_client */
    unsigned long refused_by_shape;   /* of those, judged from the traffic shape */
    unsigned long verdicts[CSSP_VERDICT_COUNT];
    unsigned long causes[CSSP_CAUSE_COUNT];
    const char *cause_advice[CSSP_CAUSE_COUNT]; /* the advice of each cause's first connection (static text) */
    const char *advice;               /* of the most serious verdict met (static text) */
    int advice_rank;
} server_summary;

struct report {
    FILE *out;
    bool json;
    unsigned long count;
    unsigned long refused;
    unsigned long refused_by_shape;
    GHashTable *servers;              /* name -> server_summary* */
    GPtrArray *server_order;          /* server_summary* in order of first connection */
    unsigned long servers_dropped;
    GString *line;                    /* the JSON line being written, reused */
    GString *inert;                   /* a text-report string made inert (cssp/inert.h), reused */
    int write_error;                  /* errno of the first failed write to `out`, 0 if none */
    bool flush_each;
};

report *report_new(FILE *out, bool json)
{
    report *r = g_new0(report, 1);
    r->out = out;
    r->json = json;
    r->servers = g_hash_table_new(g_str_hash, g_str_equal);
    r->server_order = g_ptr_array_new();
    r->line = g_string_sized_new(2048);
    r->inert = g_string_sized_new(256);
    return r;
}

unsigned long report_refused_count(const report *r)
{
    return r->refused;
}

/* `value` in decimal, zero-padded to at least `width` digits, at `out`; returns the end. By hand: printf costs
 * more than the rest of a JSON line. */
static char *decimal(char *out, uint64_t value, int width)
{
    char digits[20];
    int n = 0;
    do
        digits[n++] = (char)('0' + value % 10);
    while ((value /= 10) > 0 || n < width);
    while (n > 0)
        *out++ = digits[--n];
    return out;
}

/*
 * "2025-10-20T19:14:02.459144Z", as strftime("%Y-%m-%dT%H:%M:%S") and ".%06d" write it, in
 * TIME_TEXT_SIZE bytes with the NUL (years to 292,277); returns the length. Capture times are never
 * negative (capture.c).
 */
static size_t format_time(int64_t us, char buf[TIME_TEXT_SIZE])
{
    time_t secs = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char *p = decimal(buf, (uint64_t)tm.tm_year + 1900, 1);
    *p++ = '-';
    p = decimal(p, (uint64_t)tm.tm_mon + 1, 2);
    *p++ = '-';
    p = decimal(p, (uint64_t)tm.tm_mday, 2);
    *p++ = 'T';
    p = decimal(p, (uint64_t)tm.tm_hour, 2);
    *p++ = ':';
    p = decimal(p, (uint64_t)tm.tm_min, 2);
    *p++ = ':';
    p = decimal(p, (uint64_t)tm.tm_sec, 2);
    *p++ = '.';
    p = decimal(p, (uint64_t)(us % 1000000), 6);
    *p++ = 'Z';
    *p = '\0';
    return (size_t)(p - buf);
}

static const char *tls_version_text(uint16_t v)
{
    const char *name = cssp_tls_version_name(v);
    return name ? name : "unknown";
}

/* "DOMAIN\\user", "user" or "" in `size` bytes (cut if need be; the names' sizes fit 512). */
static void user_text(const cssp_facts *f, char *buf, size_t size)
{
    buf[0] = '\0';
    if (!f->user[0])
        return;
    if (f->domain[0]) {
        g_strlcpy(buf, f->domain, size);
        g_strlcat(buf, "\\", size);
    }
    g_strlcat(buf, f->user, size);
}

/* How the client's logon at the gateway went: past it, refused, or not known from the capture. */
static const char *gateway_auth_outcome(const cssp_gateway *g)
{
    if (cssp_gateway_refused(g) && !g->refused)
        return "refused";
    return g->stage > CSSP_GW_HTTP ? "accepted" : "unknown";
}

/* The HRESULT that stopped the tunnel (a refusal, else a CLOSE_CHANNEL's failure); false when none. */
static bool gateway_error(const cssp_gateway *g, const char **stage, uint32_t *status)
{
    if (g->refused) {
        *stage = cssp_gateway_stage_name(g->refused_at);
        *status = g->refusal;
        return true;
    }
    if (g->channel_closed && g->close_status != 0) {
        *stage = "close_channel";
        *status = g->close_status;
        return true;
    }
    return false;
}

/*
 * For a verdict read from the traffic shape: the credssp-probe command that asks this connection's server for
 * its CredSSP version (docs/user-guide.md, "No keys? Ask the server"); false otherwise. IPv6 is quoted for the
 * shell, which would otherwise read the brackets as a pattern.
 */
static bool probe_command(const conn *c, const cssp_judgement *j, char *buf, size_t size)
{
    char server[TCP_ENDPOINT_TEXT_SIZE];
    /* through an RD Gateway, the server seen is the gateway, which the probe cannot ask for the target's CredSSP */
    if (j->evidence != CSSP_EVIDENCE_TRAFFIC_SHAPE || c->tunnelled)
        return false;
    tcp_endpoint_format(&c->server, server);
    snprintf(buf, size, c->server.family == 6 ? "credssp-probe '%s'" : "credssp-probe %s", server);
    return true;
}

/* ---- JSON ---- */

/*
 * Appends `len` bytes. GString's appends go through g_string_insert_len(), which costs more than the copy for
 * the short pieces a JSON line is made of; this is the fast path that g_string_append_c() inlines, for any
 * length.
 */
static void put(GString *s, const char *bytes, size_t len)
{
    if (s->len + len >= s->allocated_len) {
        g_string_append_len(s, bytes, (gssize)len);
        return;
    }
    memcpy(s->str + s->len, bytes, len);
    s->len += len;
    s->str[s->len] = '\0';
}

#define put_literal(s, literal) put((s), (literal), sizeof(literal) - 1)

static void put_text(GString *s, const char *text)
{
    put(s, text, strlen(text));
}

/* The core's JSON writer (cssp/json.h), writing into the line being built. */
static void put_into_line(void *line, const char *bytes, size_t len)
{
    put(line, bytes, len);
}

#define JSON_INTO(s) (&(cssp_json){.write = put_into_line, .ctx = (s)})
#define json_string(s, text) cssp_json_string(JSON_INTO(s), (text))
/* ,"key": - "type" comes first, without the comma */
#define json_key(s, key) cssp_json_key(JSON_INTO(s), (key))

/* ["NAME",...] of a flags byte from a names table, or null when the PDU that carries it was not seen. */
static void json_flags(GString *s, bool present, const cssp_name *table, uint8_t flags)
{
    char names[256];
    if (!present) {
        put_literal(s, "null");
        return;
    }
    put_literal(s, "[");
    if (flags) {
        put_literal(s, "\"");
        put_text(s, cssp_format_bits(table, flags, "\",\"", names, sizeof names));
        put_literal(s, "\"");
    }
    put_literal(s, "]");
}

/* The cause, the package, the Kerberos names, the negotiation flags. */
static void json_auth_and_flags(GString *s, const cssp_facts *f, const cssp_judgement *j)
{
    char buf[48];
    json_key(s, "cause");
    json_string(s, cssp_cause_name(j->cause));
    json_key(s, "auth_package");
    json_string(s, cssp_auth_package_name(f->auth_package));
    json_key(s, "ntlm_fallback");
    cssp_json_bool(JSON_INTO(s), f->ntlm_fallback);
    json_key(s, "kerberos_service");
    json_string(s, f->kerberos_service[0] ? f->kerberos_service : NULL);
    json_key(s, "kerberos_realm");
    json_string(s, f->kerberos_realm[0] ? f->kerberos_realm : NULL);
    json_key(s, "kerberos_error");
    json_string(s, f->has_krb_error ? cssp_format_krb_error(f->krb_error, buf, sizeof buf) : NULL);
    json_key(s, "client_flags");
    json_flags(s, f->has_request && f->request_has_neg, cssp_neg_req_flag_names, f->request_flags);
    json_key(s, "server_flags");
    json_flags(s, f->has_response && f->response_has_neg, cssp_neg_rsp_flag_names, f->response_flags);
    json_key(s, "correlation_id");
    if (f->has_correlation_id) {
        char id[37];
        cssp_format_correlation_id(f->correlation_id, id);
        json_string(s, id);
    } else {
        put_literal(s, "null");
    }
}

/* transport, target, gateway, gateway_transport, gateway_auth, gateway_error (docs/json-schema.md) */
static void json_gateway(GString *s, const conn *c)
{
    char buf[TCP_ENDPOINT_TEXT_SIZE];
    json_key(s, "transport");
    if (!c->tunnelled) {
        put_literal(s, "\"tcp\",\"target\":null,\"gateway\":null,\"gateway_transport\":null,\"gateway_auth\":null,"
                       "\"gateway_error\":null");
        return;
    }
    const cssp_gateway *g = c->gateway;
    put_literal(s, "\"rd_gateway\"");
    json_key(s, "target");
    json_string(s, g->has_target ? g->target : NULL);
    json_key(s, "gateway");
    json_string(s, tcp_endpoint_format(&c->server, buf));
    json_key(s, "gateway_transport");
    json_string(s, cssp_gateway_transport_name(g->transport));
    json_key(s, "gateway_auth");
    put_literal(s, "{\"scheme\":");
    json_string(s, cssp_http_auth_name(g->auth_scheme));
    put_literal(s, ",\"mechanism\":");
    json_string(s, c->gateway_mechanism);
    put_literal(s, ",\"http_statuses\":[");
    for (unsigned i = 0; i < g->status_count && i < CSSP_GATEWAY_MAX_STATUSES; i++)
        g_string_append_printf(s, "%s%u", i ? "," : "", g->statuses[i]);
    put_literal(s, "],\"outcome\":");
    json_string(s, gateway_auth_outcome(g));
    g_string_append_c(s, '}');
    json_key(s, "gateway_error");
    const char *stage;
    uint32_t status;
    if (gateway_error(g, &stage, &status)) {
        char name[32];
        put_literal(s, "{\"stage\":");
        json_string(s, stage);
        put_literal(s, ",\"status\":");
        json_string(s, cssp_format_tsgu_status(status, name, sizeof name));
        g_string_append_printf(s, ",\"code\":%lu}", (unsigned long)status);
    } else {
        put_literal(s, "null");
    }
}

static void report_json(report *r, const conn *c, const cssp_judgement *j)
{
    const cssp_facts *f = &c->judge.facts;
    char buf[512];
    GString *s = g_string_truncate(r->line, 0);
    put_literal(s, "{\"type\":\"connection\"");
    json_key(s, "client");
    json_string(s, tcp_endpoint_format(&c->client, buf));
    json_key(s, "server");
    json_string(s, tcp_endpoint_format(&c->server, buf));
    json_key(s, "start");
    g_string_append_c(s, '"');
    put(s, buf, format_time(c->start_us, buf));
    g_string_append_c(s, '"');
    json_key(s, "cookie");
    json_string(s, c->cookie);
    cssp_json_negotiation(JSON_INTO(s), f);
    json_key(s, "tls");
    if (c->tls_seen) {
        put_literal(s, "{\"version\":\"");
        put_text(s, tls_version_text(c->tls_version));
        put_literal(s, "\",\"cipher\":");
        const char *suite = cssp_tls_suite_name(c->cipher_suite);
        if (suite)
            json_string(s, suite);
        else
            g_string_append_printf(s, "\"0x%04X\"", (unsigned)c->cipher_suite);
        if (c->decrypted)
            put_literal(s, ",\"decrypted\":true}");
        else
            put_literal(s, ",\"decrypted\":false}");
    } else {
        put_literal(s, "null");
    }
    json_key(s, "client_version");
    cssp_json_uint_or_null(JSON_INTO(s), f->client_version_seen, f->client_version);
    json_key(s, "server_version");
    cssp_json_uint_or_null(JSON_INTO(s), f->server_version_seen, f->server_version);
    json_key(s, "error_code");
    cssp_json_uint_or_null(JSON_INTO(s), f->has_error_code, f->error_code);
    json_key(s, "error_name");
    json_string(s, f->has_error_code ? cssp_format_error(f->error_code, buf, sizeof buf) : NULL);
    json_key(s, "user");
    user_text(f, buf, sizeof buf);
    json_string(s, buf[0] ? buf : NULL);
    json_key(s, "verdict");
    json_string(s, cssp_verdict_name(j->verdict));
    json_key(s, "evidence");
    json_string(s, cssp_evidence_name(j->evidence));
    json_key(s, "findings");
    cssp_json_findings(JSON_INTO(s), j->findings);
    json_key(s, "explanation");
    json_string(s, j->explanation);
    /* keys after the fixed set: additions only */
    json_key(s, "advice");
    json_string(s, j->advice);
    json_key(s, "client_os");
    cssp_json_os(JSON_INTO(s), f->has_client_os, f->client_os_major, f->client_os_minor, f->client_os_build);
    json_key(s, "server_os");
    cssp_json_os(JSON_INTO(s), f->has_server_os, f->server_os_major, f->server_os_minor, f->server_os_build);
    json_key(s, "problem");
    json_string(s, c->problem);
    json_key(s, "probe_command");
    json_string(s, probe_command(c, j, buf, sizeof buf) ? buf : NULL);
    json_auth_and_flags(s, f, j);
    json_gateway(s, c);
    put_literal(s, "}\n");
    fwrite(s->str, 1, s->len, r->out);
}

/* ---- text ---- */

/* Every string of the text report that did not come from this program passes here (cssp/inert.h). */
static const char *inert(report *r, const char *text)
{
    return cssp_inert(r->inert, text);
}

/* "    via gateway G -> target T (websocket; HTTP Negotiate/NTLM, 401 -> 101)" and a refusal or close error */
static void text_gateway(report *r, FILE *o, const conn *c)
{
    const cssp_gateway *g = c->gateway;
    char gw[TCP_ENDPOINT_TEXT_SIZE];
    fprintf(o, _("    via gateway %s -> target "), tcp_endpoint_format(&c->server, gw));
    fprintf(o, "%s (%s", g->has_target ? inert(r, g->target) : _("(none requested)"),
            cssp_gateway_transport_name(g->transport));
    const char *scheme = cssp_http_auth_name(g->auth_scheme);
    if (scheme || g->status_count) {
        fprintf(o, _("; HTTP %s"), scheme ? scheme : _("without authentication"));
        if (c->gateway_mechanism)
            fprintf(o, "/%s", inert(r, c->gateway_mechanism));
        for (unsigned i = 0; i < g->status_count && i < CSSP_GATEWAY_MAX_STATUSES; i++)
            fprintf(o, "%s%u", i ? " -> " : ", ", g->statuses[i]);
    }
    fputs(")\n", o);
    const char *stage;
    uint32_t status;
    if (gateway_error(g, &stage, &status)) {
        char name[32];
        fprintf(o, _("    gateway      %s at %s (0x%08X)\n"), cssp_format_tsgu_status(status, name, sizeof name), stage,
                (unsigned)status);
    }
}

static void report_text(report *r, const conn *c, const cssp_judgement *j)
{
    const cssp_facts *f = &c->judge.facts;
    char a[TCP_ENDPOINT_TEXT_SIZE], b[TCP_ENDPOINT_TEXT_SIZE], t[TIME_TEXT_SIZE], buf[512];
    FILE *o = r->out;
    format_time(c->start_us, t);
    fprintf(o, "#%lu  %s  %s -> %s", r->count, t, tcp_endpoint_format(&c->client, a),
            tcp_endpoint_format(&c->server, b));
    if (c->cookie)
        fprintf(o, "  cookie \"%s\"", inert(r, c->cookie));
    fputc('\n', o);
    if (c->tunnelled)
        text_gateway(r, o, c);
    if (f->has_request) {
        fprintf(o, _("    negotiation  requested %s"),
                f->request_has_neg ? cssp_format_protocols(f->requested_protocols, "|", buf, sizeof buf)
                                   : _("(legacy, no RDP_NEG_REQ)"));
        if (f->has_failure)
            fprintf(o, _(", failure %s"), cssp_format_neg_failure(f->failure_code, buf, sizeof buf));
        else if (f->has_response)
            fprintf(o, _(", selected %s"), f->response_has_neg ? cssp_format_protocols(f->selected_protocol, "|", buf,
                                                                                     sizeof buf)
                                                              : _("RDP (legacy Confirm)"));
        fputc('\n', o);
    } else {
        fprintf(o, _("    negotiation  not in the capture\n"));
    }
    if (cssp_mode_text_in(f, cssp_i18n_words, buf, sizeof buf))
        fprintf(o, _("    mode         %s\n"), buf);
    if (c->tls_seen) {
        const char *suite = cssp_tls_suite_name(c->cipher_suite);
        char hex[8];
        snprintf(hex, sizeof hex, "0x%04X", (unsigned)c->cipher_suite);
        fprintf(o, _("    TLS          %s %s, %s\n"), tls_version_text(c->tls_version), suite ? suite : hex,
                c->decrypted ? _("decrypted") : _("not decrypted"));
    }
    if (f->client_version_seen || f->server_version_seen) {
        fputs(_("    CredSSP      "), o);
        if (f->client_version_seen)
            fprintf(o, _("client v%u"), (unsigned)f->client_version);
        else
            fputs(_("client -"), o);
        if (f->has_client_os)
            fprintf(o, _(" (Windows %u.%u build %u)"), f->client_os_major, f->client_os_minor, f->client_os_build);
        if (f->server_version_seen)
            fprintf(o, _(", server v%u"), (unsigned)f->server_version);
        else
            fputs(_(", server -"), o);
        if (f->has_server_os)
            fprintf(o, _(" (Windows %u.%u build %u)"), f->server_os_major, f->server_os_minor, f->server_os_build);
        fputc('\n', o);
    }
    user_text(f, buf, sizeof buf);
    if (buf[0])
        fprintf(o, _("    user         %s\n"), inert(r, buf));
    if (cssp_auth_text(f, buf, sizeof buf))
        fprintf(o, _("    auth         %s\n"), inert(r, buf));
    if (f->has_error_code)
        fprintf(o, _("    error        %s (0x%08X)\n"), cssp_format_error(f->error_code, buf, sizeof buf),
                (unsigned)f->error_code);
    if (c->problem)
        fprintf(o, _("    note         %s\n"), inert(r, _(c->problem)));
    fprintf(o, _("    verdict      %s (evidence: %s"), cssp_verdict_name(j->verdict), cssp_evidence_name(j->evidence));
    const char *sep = _("; findings: ");
    for (unsigned i = 0; i < CSSP_FINDING_COUNT; i++)
        if (j->findings & (1u << i)) {
            fprintf(o, "%s%s", sep, cssp_finding_name(1u << i));
            sep = ", ";
        }
    fprintf(o, ")\n                 %s\n", inert(r, j->explanation));
    if (probe_command(c, j, buf, sizeof buf))
        fprintf(o, _("    confirm      %s  (asks the server for its CredSSP version, without credentials)\n"), inert(r, buf));
    fputc('\n', o);
}

/* How serious a verdict is for the server summary's advice: the higher, the more it matters. */
static int advice_rank(cssp_verdict v)
{
    switch (v) {
    case CSSP_VERDICT_VERSION_MISMATCH: return 6;
    case CSSP_VERDICT_REJECTED_UNPATCHED_CLIENT: return 5;
    case CSSP_VERDICT_NEGOTIATION_FAILED: return 4;
    case CSSP_VERDICT_GATEWAY_REFUSED: return 4; /* the target was never reached: fix the gateway first */
    case CSSP_VERDICT_NO_NLA: return 3;
    case CSSP_VERDICT_AUTH_FAILED: return 2;
    case CSSP_VERDICT_OK: return 1; /* may still advise: e.g. an unpatched server that the client accepted */
    default: return 0;
    }
}

/* A refusal for a version mismatch judged from the traffic shape alone (docs/verdicts.md, rule 11). */
static bool refused_by_shape(const cssp_judgement *j)
{
    return (j->verdict == CSSP_VERDICT_VERSION_MISMATCH || j->verdict == CSSP_VERDICT_REJECTED_UNPATCHED_CLIENT) &&
           j->evidence == CSSP_EVIDENCE_TRAFFIC_SHAPE;
}

/* " (1 from traffic shape: ...)" after a refused count, when some were judged from the shape alone. */
static void print_shape_note(FILE *o, unsigned long by_shape)
{
    if (by_shape)
        fprintf(o, _(" (%lu from traffic shape: decrypt or check the server's CredSSP version to confirm)"), by_shape);
}

static void count_server(report *r, const conn *c, const cssp_judgement *j)
{
    /* a tunnelled connection counts for its target, reached through the gateway */
    char name[CSSP_GATEWAY_TARGET_MAX + TCP_ENDPOINT_TEXT_SIZE + 32], gw[TCP_ENDPOINT_TEXT_SIZE];
    tcp_endpoint_format(&c->server, gw);
    if (c->tunnelled)
        snprintf(name, sizeof name, _("%s via gateway %s"), c->gateway->has_target ? c->gateway->target : _("(no target)"), gw);
    else
        g_strlcpy(name, gw, sizeof name);
    server_summary *s = g_hash_table_lookup(r->servers, name);
    if (!s) {
        if (g_hash_table_size(r->servers) >= REPORT_MAX_SERVERS) {
            r->servers_dropped++;
            return;
        }
        s = g_new0(server_summary, 1);
        s->name = g_strdup(name);
        g_hash_table_insert(r->servers, s->name, s);
        g_ptr_array_add(r->server_order, s);
    }
    s->connections++;
    const cssp_facts *f = &c->judge.facts;
    if (f->server_version_seen && f->server_version < 32)
        s->versions_offered |= 1u << f->server_version;
    s->verdicts[j->verdict]++;
    if (j->verdict == CSSP_VERDICT_VERSION_MISMATCH || j->verdict == CSSP_VERDICT_REJECTED_UNPATCHED_CLIENT)
        s->refused++;
    if (refused_by_shape(j))
        s->refused_by_shape++;
    /* auth_failed by cause: the look-alikes told apart (the other causes are their verdicts) */
    if (j->verdict == CSSP_VERDICT_AUTH_FAILED && j->cause != CSSP_CAUSE_NONE && s->causes[j->cause]++ == 0)
        s->cause_advice[j->cause] = j->advice;
    int rank = advice_rank(j->verdict);
    if (j->advice && rank > s->advice_rank) {
        s->advice = j->advice;
        s->advice_rank = rank;
    }
}

void report_flush_each(report *r)
{
    r->flush_each = true;
}

/* Output is buffered, so a write fails when a buffer goes out: the stream's error flag stays set, and errno
 * is still the reason right after the call that failed. */
static void note_write_error(report *r)
{
    if (!r->write_error && ferror(r->out))
        r->write_error = errno ? errno : EIO;
}

void report_connection(report *r, const conn *c)
{
    cssp_judgement j;
    conn_judge(c, &j);
    r->count++;
    if (j.verdict == CSSP_VERDICT_VERSION_MISMATCH || j.verdict == CSSP_VERDICT_REJECTED_UNPATCHED_CLIENT)
        r->refused++;
    if (refused_by_shape(&j))
        r->refused_by_shape++;
    if (r->json)
        report_json(r, c, &j);
    else {
        cssp_judgement shown; /* the explanation in the reader's language; JSON keeps the English */
        conn_judge_in(c, cssp_i18n_words, &shown);
        report_text(r, c, &shown);
    }
    if (r->flush_each)
        fflush(r->out);
    note_write_error(r);
    count_server(r, c, &j);
}

static void print_summary(report *r)
{
    FILE *o = r->out;
    /* TRANSLATORS: the %s after a count is the English plural "s" or ""; a language without plurals consumes it
     * with %2$.0s (numbered arguments), as po/ja.po does. */
    fprintf(o, _("Summary: %lu RDP connection%s, %lu refused for a CredSSP version mismatch"), r->count,
            r->count == 1 ? "" : "s", r->refused);
    print_shape_note(o, r->refused_by_shape);
    fputc('\n', o);
    for (guint i = 0; i < r->server_order->len; i++) {
        const server_summary *s = g_ptr_array_index(r->server_order, i);
        fprintf(o, _("  server %s: %lu connection%s"), s->name, s->connections, s->connections == 1 ? "" : "s");
        if (s->versions_offered) {
            fputs(_(", offers CredSSP"), o);
            const char *sep = " v";
            bool unpatched = false;
            for (unsigned v = 0; v < 32; v++)
                if (s->versions_offered & (1u << v)) {
                    fprintf(o, "%s%u", sep, v);
                    sep = "/v";
                    unpatched |= cssp_version_unpatched(v);
                }
            if (unpatched)
                fputs(_(" (unpatched for CVE-2018-0886)"), o);
        }
        fprintf(o, _(", %lu client%s refused"), s->refused, s->refused == 1 ? "" : "s");
        print_shape_note(o, s->refused_by_shape);
        fputs("\n    ", o);
        const char *sep = "";
        for (int v = 0; v < CSSP_VERDICT_COUNT; v++)
            if (s->verdicts[v]) {
                fprintf(o, "%s%s %lu", sep, cssp_verdict_name((cssp_verdict)v), s->verdicts[v]);
                sep = ", ";
            }
        fputc('\n', o);
        /* auth_failed grouped by cause, each with its advice; then the most serious advice unless a cause gave it */
        bool advised = false;
        for (int k = 0; k < CSSP_CAUSE_COUNT; k++)
            if (s->causes[k]) {
                fprintf(o, _("    cause %s %lu%s%s\n"), cssp_cause_name((cssp_cause)k), s->causes[k],
                        s->cause_advice[k] ? ": " : "", s->cause_advice[k] ? _(s->cause_advice[k]) : "");
                advised |= s->cause_advice[k] == s->advice;
            }
        if (s->advice && !advised)
            fprintf(o, _("    advice: %s\n"), _(s->advice));
    }
    if (r->servers_dropped)
        fprintf(o, _("  (%lu connections to further servers not summarised: more than %u servers)\n"), r->servers_dropped,
                REPORT_MAX_SERVERS);
}

int report_finish(report *r)
{
    if (!r->json)
        print_summary(r);
    note_write_error(r);
    int write_error = r->write_error;
    for (guint i = 0; i < r->server_order->len; i++) {
        server_summary *s = g_ptr_array_index(r->server_order, i);
        g_free(s->name);
        g_free(s);
    }
    g_ptr_array_free(r->server_order, TRUE);
    g_hash_table_destroy(r->servers);
    g_string_free(r->line, TRUE);
    g_string_free(r->inert, TRUE);
    g_free(r);
    return write_error;
}
