/*
 * output.c - the text and JSON Lines reports of credssp-probe (see output.h; keys in docs/json-schema.md).
 */
#include "output.h"

#include <glib.h>
#include <string.h>

#include "cssp/names.h"
#include "cssp/inert.h"
#include "cssp-i18n.h"
#include "cssp/json.h"

#define STATE_COUNT (CSSP_SERVER_UNDETERMINED + 1)

struct probe_output {
    FILE *out;
    bool json;
    unsigned long states[STATE_COUNT];
    unsigned long errors;
};

probe_output *output_new(FILE *out, bool json)
{
    probe_output *o = g_new0(probe_output, 1);
    o->out = out;
    o->json = json;
    return o;
}

static const char *tls_version_text(uint16_t v)
{
    const char *name = cssp_tls_version_name(v);
    return name ? name : "unknown";
}

/* ---- JSON ---- */

/* The core's JSON writer (cssp/json.h), writing into a GString. */
static void append_to(void *string, const char *bytes, size_t len)
{
    g_string_append_len(string, bytes, (gssize)len);
}

#define JSON_INTO(s) (&(cssp_json){.write = append_to, .ctx = (s)})
#define json_string(s, text) cssp_json_string(JSON_INTO(s), (text))
#define json_key(s, key) cssp_json_key(JSON_INTO(s), (key))

static void json_names(GString *s, const cssp_ntlm_target *n)
{
    const struct { const char *key, *value; } fields[] = {
        {"target_name", n->target_name},       {"netbios_computer", n->netbios_computer},
        {"netbios_domain", n->netbios_domain}, {"dns_computer", n->dns_computer},
        {"dns_domain", n->dns_domain},         {"dns_tree", n->dns_tree},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
        g_string_append_printf(s, "%s\"%s\":", i ? "," : "{", fields[i].key);
        json_string(s, fields[i].value[0] ? fields[i].value : NULL);
    }
    g_string_append_c(s, '}');
}

static void output_json(probe_output *o, const probe_result *r)
{
    const cssp_facts *f = &r->conn.facts;
    char buf[128];
    GString *s = g_string_new("{\"type\":\"server\"");
    json_key(s, "target");
    json_string(s, r->target);
    json_key(s, "server");
    json_string(s, r->connected ? tcp_endpoint_format(&r->server, buf) : NULL);
    cssp_json_negotiation(JSON_INTO(s), f); /* the probe's request always carries RDP_NEG_REQ */
    json_key(s, "tls");
    if (r->tls_version) {
        g_string_append_printf(s, "{\"version\":\"%s\",\"cipher\":", tls_version_text(r->tls_version));
        json_string(s, r->tls_cipher);
        g_string_append_c(s, '}');
    } else {
        g_string_append(s, "null");
    }
    json_key(s, "server_version");
    cssp_json_uint_or_null(JSON_INTO(s), f->server_version_seen, f->server_version);
    json_key(s, "server_os");
    cssp_json_os(JSON_INTO(s), f->has_server_os, f->server_os_major, f->server_os_minor, f->server_os_build);
    json_key(s, "error_code");
    cssp_json_uint_or_null(JSON_INTO(s), f->has_error_code, f->error_code);
    json_key(s, "error_name");
    json_string(s, f->has_error_code ? cssp_format_error(f->error_code, buf, sizeof buf) : NULL);
    json_key(s, "ntlm_target");
    if (r->has_target_names)
        json_names(s, &r->names);
    else
        g_string_append(s, "null");
    json_key(s, "certificate_subject");
    json_string(s, r->certificate_subject);
    bool judged = r->error == PROBE_OK;
    json_key(s, "judgement");
    json_string(s, judged ? cssp_server_state_name(r->judgement.state) : NULL);
    json_key(s, "findings");
    cssp_json_findings(JSON_INTO(s), judged ? r->judgement.findings : 0);
    json_key(s, "explanation");
    json_string(s, judged ? r->judgement.explanation : NULL);
    json_key(s, "advice");
    json_string(s, judged ? r->judgement.advice : NULL);
    json_key(s, "error");
    json_string(s, judged ? NULL : probe_error_name(r->error));
    json_key(s, "problem");
    json_string(s, r->problem);
    g_string_append(s, "}\n");
    fwrite(s->str, 1, s->len, o->out);
    g_string_free(s, TRUE);
}

/* ---- text ---- */

/* Prints a wire string made inert. */
static void put_inert(FILE *out, const char *wire)
{
    char *safe = cssp_inert_dup(wire);
    fputs(safe, out);
    g_free(safe);
}

static void text_names(FILE *out, const cssp_ntlm_target *n)
{
    const struct { const char *label, *value; } fields[] = {
        {"target ", n->target_name},       {"computer ", n->netbios_computer}, {"domain ", n->netbios_domain},
        {"DNS computer ", n->dns_computer}, {"DNS domain ", n->dns_domain},     {"forest ", n->dns_tree},
    };
    const char *sep = "    NTLM names   ";
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
        if (fields[i].value[0]) {
            fprintf(out, "%s%s", sep, fields[i].label);
            put_inert(out, fields[i].value);
            sep = ", ";
        }
    if (sep[0] == ',')
        fputc('\n', out);
}

static void output_text(probe_output *o, const probe_result *r)
{
    const cssp_facts *f = &r->conn.facts;
    FILE *out = o->out;
    char buf[128];
    put_inert(out, r->target);
    if (r->connected)
        fprintf(out, "  ->  %s", tcp_endpoint_format(&r->server, buf));
    fputc('\n', out);
    if (f->has_request && (f->has_response || f->has_failure)) {
        fprintf(out, _("    negotiation  requested %s"),
                cssp_format_protocols(f->requested_protocols, "|", buf, sizeof buf));
        if (f->has_failure)
            fprintf(out, _(", failure %s\n"), cssp_format_neg_failure(f->failure_code, buf, sizeof buf));
        else
            fprintf(out, _(", selected %s\n"), f->response_has_neg ? cssp_format_protocols(f->selected_protocol, "|", buf,
                                                                                          sizeof buf)
                                                                 : _("RDP (legacy Confirm)"));
    }
    if (r->tls_version) {
        fprintf(out, _("    TLS          %s "), tls_version_text(r->tls_version));
        put_inert(out, r->tls_cipher);
        fputc('\n', out);
    }
    if (r->certificate_subject) {
        fputs(_("    certificate  "), out);
        put_inert(out, r->certificate_subject);
        fputc('\n', out);
    }
    if (f->server_version_seen) {
        fprintf(out, _("    CredSSP      server v%u"), (unsigned)f->server_version);
        if (f->has_server_os)
            fprintf(out, _(" (Windows %u.%u build %u)"), f->server_os_major, f->server_os_minor, f->server_os_build);
        fputc('\n', out);
    }
    if (f->has_error_code)
        fprintf(out, _("    error        %s (0x%08X)\n"), cssp_format_error(f->error_code, buf, sizeof buf),
                (unsigned)f->error_code);
    if (r->has_target_names)
        text_names(out, &r->names);
    if (r->error != PROBE_OK) {
        fprintf(out, _("    failed       %s: "), probe_error_name(r->error));
        put_inert(out, r->problem);
        fputs("\n\n", out);
        return;
    }
    cssp_server_judgement shown; /* with the explanation in the reader's language; r->judgement keeps JSON's */
    const cssp_server_judgement *j = &shown;
    cssp_server_judge_in(&r->conn, cssp_i18n_words, &shown);
    fprintf(out, _("    judgement    %s"), cssp_server_state_name(j->state));
    const char *sep = _(" (findings: ");
    for (unsigned i = 0; i < CSSP_FINDING_COUNT; i++)
        if (j->findings & (1u << i)) {
            fprintf(out, "%s%s", sep, cssp_finding_name(1u << i));
            sep = ", ";
        }
    fprintf(out, "%s\n                 %s\n", sep[0] == ',' ? ")" : "", j->explanation);
    if (j->advice)
        fprintf(out, _("    advice       %s\n"), _(j->advice));
    fputc('\n', out);
}

void output_result(probe_output *o, const probe_result *r)
{
    if (r->error != PROBE_OK)
        o->errors++;
    else
        o->states[r->judgement.state]++;
    if (o->json)
        output_json(o, r);
    else
        output_text(o, r);
    fflush(o->out);
}

void output_finish(probe_output *o)
{
    if (!o->json) {
        unsigned long total = o->errors;
        for (int i = 0; i < STATE_COUNT; i++)
            total += o->states[i];
        fprintf(o->out, _("Summary: %lu target%s"), total, total == 1 ? "" : "s");
        const char *sep = ": ";
        for (int i = 0; i < STATE_COUNT; i++)
            if (o->states[i]) {
                fprintf(o->out, "%s%lu %s", sep, o->states[i], cssp_server_state_name((cssp_server_state)i));
                sep = ", ";
            }
        if (o->errors)
            fprintf(o->out, _("%s%lu failed"), sep, o->errors);
        fputc('\n', o->out);
    }
    g_free(o);
}
