/*
 * cssp-connection-tree.c - the "Connection" subtree and the connection-level expert items
 * (see cssp-connection-tree.h).
 *
 * Every word comes from the core: verdict, evidence and finding names from
 * cssp_verdict_name() and friends, the explanation and advice from the engine's
 * judgement; the long texts are shown one clause per line, under Wireshark's
 * label limit. An expert item is raised where its condition first became true,
 * by comparing the view with the one before it, so each shows once per
 * connection: one per verdict where the verdict is reached, its severity the
 * verdict's (a failed connection is an Error, a prediction a Warning). The packet
 * where the verdict is reached also says it in its Protocol and Info columns.
 * (A version change is flagged on the TSRequest that carries it, in cssp-tsrequest.c.)
 */
#include "cssp-connection-tree.h"

#include <string.h>

#include <epan/expert.h>
#include <epan/proto.h>
#include <epan/proto_data.h>

#include "cssp/names.h"

#include "cssp-text.h"
#include "cssp/kerberos.h"

static int hf_connection = -1;
static int hf_sender = -1;
static int hf_client_version = -1;
static int hf_client_version_frame = -1;
static int hf_server_version = -1;
static int hf_server_version_frame = -1;
static int hf_effective_version = -1;
static int hf_verdict = -1;
static int hf_evidence = -1;
static int hf_finding = -1;
static int hf_explanation = -1;
static int hf_explanation_line = -1;
static int hf_advice = -1;
static int hf_advice_line = -1;
static int hf_cause = -1;
static int hf_auth = -1;
static int hf_auth_package = -1;
static int hf_ntlm_fallback = -1;
static int hf_kerberos_service = -1;
static int hf_kerberos_realm = -1;
static int hf_kerberos_error = -1;
static int hf_mode = -1;
static int ett_connection = -1;
static int ett_explanation = -1;
static int ett_advice = -1;
static int proto_cssp = -1;

/* Per dissection (pinfo->pool): the view last shown in this frame and its item. */
#define SHOWN_VIEW_KEY 0x7ffffffdu
#define SHOWN_ITEM_KEY 0x7ffffffcu

static expert_field ei_server_version_refused = EI_INIT;
static expert_field ei_verdict_ok = EI_INIT;
static expert_field ei_version_mismatch = EI_INIT;
static expert_field ei_version_mismatch_shape = EI_INIT;
static expert_field ei_client_unpatched = EI_INIT;
static expert_field ei_rejected_unpatched_client = EI_INIT;
static expert_field ei_auth_failed = EI_INIT;
static expert_field ei_shape_suggests_refusal = EI_INIT;
static expert_field ei_field_version = EI_INIT;

/*
 * Wireshark cuts a label at ITEM_LABEL_LENGTH (240 bytes); a line of the
 * explanation or advice is kept under it (175 bytes), so that it reads whole in the
 * tree of a 1,600-pixel window.
 */
#define LINE_MAX_BYTES 175

static bool became(bool now, bool before)
{
    return now && !before;
}

static bool verdict_became(const cssp_view *view, cssp_verdict verdict)
{
    return view->judgement->verdict == verdict && (!view->judged_before || view->verdict_before != verdict);
}

static bool finding_became(const cssp_view *view, unsigned finding)
{
    return (view->judgement->findings & finding) && !(view->findings_before & finding);
}

/*
 * auth_failed, or its cause named later (docs/verdicts.md §7): the one expert item of a
 * failed authentication names the cause the explanation and advice are about.
 */
static bool auth_failed_became(const cssp_view *view)
{
    const cssp_judgement *j = view->judgement;
    return verdict_became(view, CSSP_VERDICT_AUTH_FAILED) ||
           (j->verdict == CSSP_VERDICT_AUTH_FAILED && j->cause != CSSP_CAUSE_NONE && view->cause_before != j->cause);
}

static void add_verdict_expert(proto_item *anchor, packet_info *pinfo, const cssp_view *view)
{
    const cssp_judgement *j = view->judgement;
    const char *evidence = cssp_evidence_name(j->evidence);
    if (verdict_became(view, CSSP_VERDICT_OK)) {
        if (view->client_seen && view->server_seen)
            expert_add_info_format(pinfo, anchor, &ei_verdict_ok, _("CredSSP completed (client v%u, server v%u)"),
                                   view->client_version, view->server_version);
        else
            expert_add_info_format(pinfo, anchor, &ei_verdict_ok, _("CredSSP completed (evidence: %s)"), evidence);
    } else if (verdict_became(view, CSSP_VERDICT_VERSION_MISMATCH) && j->evidence == CSSP_EVIDENCE_TRAFFIC_SHAPE) {
        /* the verdict, so an Error like the decrypted one; its text says what it rests on */
        expert_add_info(pinfo, anchor, &ei_version_mismatch_shape);
    } else if (verdict_became(view, CSSP_VERDICT_VERSION_MISMATCH)) {
        expert_add_info_format(pinfo, anchor, &ei_version_mismatch,
                               _("CredSSP version mismatch: the client (v%u) refused the server's v%u ('The function "
                               "requested is not supported', event 6041)"),
                               view->client_version, view->server_version);
    } else if (verdict_became(view, CSSP_VERDICT_REJECTED_UNPATCHED_CLIENT)) {
        if (view->client_seen)
            expert_add_info_format(pinfo, anchor, &ei_rejected_unpatched_client,
                                   _("The server refused the unpatched client (CredSSP v%u)"), view->client_version);
        else
            expert_add_info_format(pinfo, anchor, &ei_rejected_unpatched_client,
                                   _("The server refused the client (evidence: %s)"), evidence);
    } else if (auth_failed_became(view)) {
        const char *name = view->has_error_code ? cssp_error_name(view->error_code) : NULL;
        const char *cause = j->cause != CSSP_CAUSE_NONE ? cssp_cause_name(j->cause) : NULL;
        if (view->has_error_code)
            expert_add_info_format(pinfo, anchor, &ei_auth_failed,
                                   _("Authentication failed: errorCode %s%s0x%08X%s%s%s"),
                                   name ? name : "", name ? " (" : "", view->error_code, name ? ")" : "",
                                   cause ? _(", cause ") : "", cause ? cause : "");
        else if (cause)
            expert_add_info_format(pinfo, anchor, &ei_auth_failed,
                                   _("Authentication failed: cause %s (evidence: %s)"), cause, evidence);
        else if (j->evidence == CSSP_EVIDENCE_TRAFFIC_SHAPE)
            expert_add_info(pinfo, anchor, &ei_auth_failed);
        else
            expert_add_info_format(pinfo, anchor, &ei_auth_failed,
                                   _("Authentication failed: the server refused the credentials without an errorCode "
                                   "(evidence: %s)"),
                                   evidence);
    } else if (j->verdict == CSSP_VERDICT_INCOMPLETE && j->evidence == CSSP_EVIDENCE_TRAFFIC_SHAPE && j->advice &&
               j->advice != view->advice_before) {
        expert_add_info(pinfo, anchor, &ei_shape_suggests_refusal);
    }
    /* no_nla and negotiation_failed are raised on the X.224 Confirm by cssp-rdp.c, with their reason */
}

static void add_expert_items(proto_item *anchor, packet_info *pinfo, const cssp_view *view, bool fields_noted)
{
    /* a prediction, not the verdict: the verdict's own item comes where the client refuses */
    if (became(view->mismatch, view->mismatch_before))
        expert_add_info_format(pinfo, anchor, &ei_server_version_refused,
                               _("Server offers CredSSP v%u to a v%u client: a client on Encryption Oracle Remediation "
                               "= Mitigated or Force Updated Clients will refuse it"),
                               view->server_version, view->client_version);
    if (became(view->client_seen, view->client_seen_before) && cssp_version_unpatched(view->client_version))
        expert_add_info_format(pinfo, anchor, &ei_client_unpatched,
                               _("Client offers CredSSP v%u: not updated for CVE-2018-0886 (versions 2-4)"),
                               view->client_version);
    add_verdict_expert(anchor, pinfo, view);
    if (finding_became(view, CSSP_FINDING_FIELD_VERSION_INCONSISTENT) && !fields_noted)
        expert_add_info(pinfo, anchor, &ei_field_version);
}

/* The Protocol and Info columns of the packet where the verdict changed say it first. */
static void set_verdict_columns(packet_info *pinfo, const cssp_view *view)
{
    cssp_verdict verdict = view->judgement->verdict;
    if (verdict == CSSP_VERDICT_INCOMPLETE || (view->judged_before && view->verdict_before == verdict))
        return;
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "CSSP");
    col_prepend_fstr(pinfo->cinfo, COL_INFO, "CredSSP verdict: %s (%s); ", cssp_verdict_name(verdict),
                     cssp_evidence_name(view->judgement->evidence));
}

/*
 * Length of the next line of text: up to "; " (or a Japanese full stop, the clause end of a translation), else
 * the last space that keeps it under LINE_MAX_BYTES.
 */
static size_t next_line(const char *text, size_t *skip)
{
    const char *semicolon = strstr(text, "; "), *stop = strstr(text, "\u3002");
    size_t len = semicolon ? (size_t)(semicolon - text) + 1 : strlen(text);
    *skip = semicolon ? 1 : 0;
    if (stop && stop[3] && (size_t)(stop - text) + 3 < len) {
        len = (size_t)(stop - text) + 3;
        *skip = 0;
    }
    if (len <= LINE_MAX_BYTES)
        return len;
    size_t cut = LINE_MAX_BYTES;
    while (cut > 0 && text[cut] != ' ')
        cut--;
    if (cut == 0) /* no space (another script): cut at a UTF-8 character boundary */
        for (cut = LINE_MAX_BYTES; cut > 0 && (text[cut] & 0xC0) == 0x80; cut--)
            ;
    *skip = text[cut] == ' ' ? 1 : 0;
    return cut;
}

/*
 * A long text as an item that holds it whole (for filters and -T fields) with
 * one child line per clause ("; ") or per LINE_MAX_BYTES: no label is cut.
 */
static void add_lines(proto_tree *tree, tvbuff_t *tvb, int hf, int hf_line, int ett, const char *label,
                      const char *text)
{
    proto_item *ti = proto_tree_add_string_format(tree, hf, tvb, 0, 0, text, "%s", label);
    proto_item_set_generated(ti);
    proto_tree *t = proto_item_add_subtree(ti, ett);
    for (const char *p = text; *p;) {
        size_t skip;
        size_t len = next_line(p, &skip);
        proto_item_set_generated(proto_tree_add_none_format(t, hf_line, tvb, 0, 0, "%.*s", (int)len, p));
        p += len + skip;
    }
}

static void add_version(proto_tree *tree, tvbuff_t *tvb, int hf_version, int hf_frame, bool seen, uint32_t version,
                        uint32_t frame)
{
    if (!seen)
        return;
    proto_item_set_generated(proto_tree_add_uint(tree, hf_version, tvb, 0, 0, version));
    proto_item_set_generated(proto_tree_add_uint(tree, hf_frame, tvb, 0, 0, frame));
}

/* The package, its Kerberos names and error, and the Restricted Admin / Remote Credential Guard mode. */
static void add_auth(proto_tree *t, tvbuff_t *tvb, const cssp_auth_view *a)
{
    const char *package = cssp_auth_package_name(a->package);
    char error[48];
    if (a->auth[0])
        proto_item_set_generated(proto_tree_add_string(t, hf_auth, tvb, 0, 0, a->auth));
    if (package) {
        proto_item_set_generated(proto_tree_add_string(t, hf_auth_package, tvb, 0, 0, package));
        proto_item_set_generated(proto_tree_add_boolean(t, hf_ntlm_fallback, tvb, 0, 0, a->ntlm_fallback));
    }
    if (a->kerberos_service[0])
        proto_item_set_generated(proto_tree_add_string(t, hf_kerberos_service, tvb, 0, 0, a->kerberos_service));
    if (a->kerberos_realm[0])
        proto_item_set_generated(proto_tree_add_string(t, hf_kerberos_realm, tvb, 0, 0, a->kerberos_realm));
    if (a->has_krb_error)
        proto_item_set_generated(proto_tree_add_string(
            t, hf_kerberos_error, tvb, 0, 0, cssp_format_krb_error(a->krb_error, error, sizeof error)));
    if (a->mode[0])
        proto_item_set_generated(proto_tree_add_string(t, hf_mode, tvb, 0, 0, a->mode));
}

void cssp_connection_tree_show(proto_tree *tree, proto_item *anchor, tvbuff_t *tvb, packet_info *pinfo,
                        const cssp_view *view, bool fields_noted)
{
    const cssp_judgement *j = view->judgement;
    set_verdict_columns(pinfo, view);
    proto_item *ti = proto_tree_add_none_format(tree, hf_connection, tvb, 0, 0, _("Connection: %s (%s)"),
                                                cssp_verdict_name(j->verdict), cssp_evidence_name(j->evidence));
    proto_item_set_generated(ti);
    proto_tree *t = proto_item_add_subtree(ti, ett_connection);
    proto_item_set_generated(
        proto_tree_add_string(t, hf_sender, tvb, 0, 0, view->dir == CSSP_FROM_CLIENT ? _("client") : _("server")));
    add_version(t, tvb, hf_client_version, hf_client_version_frame, view->client_seen, view->client_version,
                view->client_frame);
    add_version(t, tvb, hf_server_version, hf_server_version_frame, view->server_seen, view->server_version,
                view->server_frame);
    if (view->client_seen && view->server_seen)
        proto_item_set_generated(proto_tree_add_uint(t, hf_effective_version, tvb, 0, 0,
                                                     cssp_effective_version(view->client_version,
                                                                            view->server_version)));
    proto_item_set_generated(proto_tree_add_string(t, hf_verdict, tvb, 0, 0, cssp_verdict_name(j->verdict)));
    proto_item_set_generated(proto_tree_add_string(t, hf_evidence, tvb, 0, 0, cssp_evidence_name(j->evidence)));
    for (unsigned bit = 1; bit != 0 && bit <= j->findings; bit <<= 1)
        if (j->findings & bit)
            proto_item_set_generated(proto_tree_add_string(t, hf_finding, tvb, 0, 0, cssp_finding_name(bit)));
    add_lines(t, tvb, hf_explanation, hf_explanation_line, ett_explanation, _("Explanation"), j->explanation);
    if (j->advice)
        add_lines(t, tvb, hf_advice, hf_advice_line, ett_advice, _("Advice"), _(j->advice));
    if (j->cause != CSSP_CAUSE_NONE)
        proto_item_set_generated(proto_tree_add_string(t, hf_cause, tvb, 0, 0, cssp_cause_name(j->cause)));
    add_auth(t, tvb, view->auth);
    add_expert_items(anchor, pinfo, view, fields_noted);
    p_set_proto_data(pinfo->pool, pinfo, proto_cssp, SHOWN_VIEW_KEY, (void *)view);
    p_set_proto_data(pinfo->pool, pinfo, proto_cssp, SHOWN_ITEM_KEY, anchor);
}

const cssp_view *cssp_connection_tree_shown(packet_info *pinfo, proto_item **anchor)
{
    *anchor = p_get_proto_data(pinfo->pool, pinfo, proto_cssp, SHOWN_ITEM_KEY);
    return p_get_proto_data(pinfo->pool, pinfo, proto_cssp, SHOWN_VIEW_KEY);
}

bool cssp_connection_tree_same(const cssp_view *a, const cssp_view *b)
{
    /* a judgement and an auth view are shared by the views while they do not change (cssp-state.c) */
    return a->judgement == b->judgement && a->client_seen == b->client_seen && a->server_seen == b->server_seen &&
           a->client_version == b->client_version && a->server_version == b->server_version &&
           a->auth == b->auth;
}

void cssp_connection_tree_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_connection, {N_("Connection"), "cssp.connection", FT_NONE, BASE_NONE, NULL, 0,
                          N_("The RDP connection as judged after this packet: verdict so far and evidence"), HFILL}},
        {&hf_sender, {N_("Sender"), "cssp.sender", FT_STRING, BASE_NONE, NULL, 0,
                      N_("Which side sent this packet: client or server"), HFILL}},
        {&hf_client_version, {N_("Client CredSSP version"), "cssp.client_version", FT_UINT32, BASE_DEC, NULL, 0,
                              N_("The CredSSP version the client advertised in its first TSRequest"), HFILL}},
        {&hf_client_version_frame, {N_("Client version seen in frame"), "cssp.client_version_frame", FT_FRAMENUM,
                                    BASE_NONE, NULL, 0, N_("The frame of the client's first TSRequest"), HFILL}},
        {&hf_server_version, {N_("Server CredSSP version"), "cssp.server_version", FT_UINT32, BASE_DEC, NULL, 0,
                              N_("The CredSSP version the server advertised in its first TSRequest"), HFILL}},
        {&hf_server_version_frame, {N_("Server version seen in frame"), "cssp.server_version_frame", FT_FRAMENUM,
                                    BASE_NONE, NULL, 0, N_("The frame of the server's first TSRequest"), HFILL}},
        {&hf_effective_version, {N_("Effective CredSSP version"), "cssp.effective_version", FT_UINT32, BASE_DEC, NULL,
                                 0, N_("The lower of the two versions (a version above 6 counts as 6)"), HFILL}},
        {&hf_verdict, {N_("Verdict so far"), "cssp.verdict", FT_STRING, BASE_NONE, NULL, 0,
                       N_("What went wrong, or ok, as known after this packet: ok, version_mismatch, "
                       "rejected_unpatched_client, auth_failed, no_nla, negotiation_failed, incomplete"), HFILL}},
        {&hf_evidence, {N_("Evidence"), "cssp.evidence", FT_STRING, BASE_NONE, NULL, 0,
                        N_("What the verdict rests on: decrypted TSRequests, cleartext negotiation, or only the "
                        "traffic_shape of encrypted records"), HFILL}},
        {&hf_finding, {N_("Finding"), "cssp.finding", FT_STRING, BASE_NONE, NULL, 0,
                       N_("A fact worth knowing besides the verdict, e.g. server_unpatched (CredSSP 2-4)"), HFILL}},
        {&hf_explanation, {N_("Explanation"), "cssp.explanation", FT_STRING, BASE_NONE, NULL, 0,
                           N_("Why the connection got its verdict, in one sentence (the lines below hold it whole)"),
                           HFILL}},
        {&hf_explanation_line, {N_("Explanation line"), "cssp.explanation.line", FT_NONE, BASE_NONE, NULL, 0,
                                N_("One clause of the explanation"), HFILL}},
        {&hf_advice, {N_("Advice"), "cssp.advice", FT_STRING, BASE_NONE, NULL, 0,
                      N_("What to do about it: the remedies, each with its security cost"), HFILL}},
        {&hf_advice_line, {N_("Advice line"), "cssp.advice.line", FT_NONE, BASE_NONE, NULL, 0,
                           N_("One remedy of the advice"), HFILL}},
        {&hf_cause, {N_("Cause"), "cssp.cause", FT_STRING, BASE_NONE, NULL, 0,
                     N_("Why the authentication failed, told apart from the CVE's look-alikes, e.g. "
                     "ntlm_refused, logon_failure"), HFILL}},
        {&hf_auth, {N_("Authentication"), "cssp.auth", FT_STRING, BASE_NONE, NULL, 0,
                    N_("The authentication package with its Kerberos service, realm and error, in one line"), HFILL}},
        {&hf_auth_package, {N_("Authentication package"), "cssp.auth_package", FT_STRING, BASE_NONE, NULL, 0,
                            N_("ntlm, kerberos, negoex or pku2u: named by the connection's last negoToken"), HFILL}},
        {&hf_ntlm_fallback, {N_("NTLM fallback"), "cssp.ntlm_fallback", FT_BOOLEAN, BASE_NONE, NULL, 0,
                             N_("NTLM ran after Kerberos was offered first or tried"), HFILL}},
        {&hf_kerberos_service, {N_("Kerberos service"), "cssp.kerberos_service", FT_STRING, BASE_NONE, NULL, 0,
                                N_("The service principal of the ticket (AP-REQ) or of KERB-TGT-REQUEST"), HFILL}},
        {&hf_kerberos_realm, {N_("Kerberos realm"), "cssp.kerberos_realm", FT_STRING, BASE_NONE, NULL, 0,
                              N_("The realm (Windows domain) of that service principal"), HFILL}},
        {&hf_kerberos_error, {N_("KRB-ERROR"), "cssp.kerberos_error", FT_STRING, BASE_NONE, NULL, 0,
                              N_("The error code of the first KRB-ERROR in a negoToken"), HFILL}},
        {&hf_mode, {N_("Mode"), "cssp.mode", FT_STRING, BASE_NONE, NULL, 0,
                    N_("Restricted Admin / Remote Credential Guard: requested, and the server's answer"), HFILL}},
    };
    static int *ett[] = {&ett_connection, &ett_explanation, &ett_advice};
    static ei_register_info ei[] = {
        {&ei_server_version_refused, {"cssp.server_version.refused", PI_SECURITY, PI_WARN,
                                      N_("Server offers CredSSP 2-4 to a client on 5-6: a patched client will refuse it"),
                                      EXPFILL}},
        {&ei_verdict_ok, {"cssp.verdict.ok", PI_SEQUENCE, PI_CHAT, N_("CredSSP completed"), EXPFILL}},
        {&ei_version_mismatch, {"cssp.version_mismatch", PI_SECURITY, PI_ERROR,
                                N_("The client gave up: CredSSP version mismatch"), EXPFILL}},
        {&ei_version_mismatch_shape, {"cssp.version_mismatch.traffic_shape", PI_SECURITY, PI_ERROR,
                                      N_("CredSSP version mismatch: the client closed after a CHALLENGE-sized reply, "
                                      "before its AUTHENTICATE (from the traffic shape; decrypt to confirm)"),
                                      EXPFILL}},
        {&ei_client_unpatched, {"cssp.client_version.unpatched", PI_SECURITY, PI_WARN,
                                N_("Client offers CredSSP 2-4"), EXPFILL}},
        {&ei_rejected_unpatched_client, {"cssp.rejected_unpatched_client", PI_SECURITY, PI_ERROR,
                                         N_("The server refused an unpatched client"), EXPFILL}},
        {&ei_auth_failed, {"cssp.auth_failed", PI_RESPONSE_CODE, PI_ERROR,
                           N_("Authentication failed, judged from the traffic shape: the server refused the credentials "
                           "(decrypt the TLS to read why)"),
                           EXPFILL}},
        {&ei_shape_suggests_refusal, {"cssp.shape_suggests_refusal", PI_SECURITY, PI_WARN,
                                      N_("Without decryption: CredSSP stopped where a refused CredSSP version stops it; "
                                      "decrypt the TLS (key log) to confirm"),
                                      EXPFILL}},
        {&ei_field_version, {"cssp.field_version_inconsistent", PI_PROTOCOL, PI_WARN,
                             N_("A field is used outside the CredSSP versions that define it"), EXPFILL}},
    };
    proto_cssp = proto;
    cssp_text_fields(hf, array_length(hf));
    cssp_text_experts(ei, array_length(ei));
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto), ei, array_length(ei));
}
