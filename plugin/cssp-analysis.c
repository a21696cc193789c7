/*
 * cssp-analysis.c - the "Connection" subtree and the connection-level expert items
 * (see cssp-analysis.h).
 *
 * Every word comes from the core: verdict, evidence and finding names from
 * cssp_verdict_name() and friends, the explanation and advice from the engine's
 * judgement. An expert item is raised where its condition first became true, by
 * comparing the view with the one before it, so each shows once per connection.
 * (A version change is flagged on the TSRequest that carries it, in cssp-dissect.c.)
 */
#include "cssp-analysis.h"

#include <epan/expert.h>
#include <epan/proto.h>

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
static int hf_advice = -1;
static int hf_cause = -1;
static int hf_auth = -1;
static int hf_auth_package = -1;
static int hf_ntlm_fallback = -1;
static int hf_kerberos_service = -1;
static int hf_kerberos_realm = -1;
static int hf_kerberos_error = -1;
static int hf_mode = -1;
static int ett_connection = -1;

static expert_field ei_server_version_refused = EI_INIT;
static expert_field ei_version_mismatch = EI_INIT;
static expert_field ei_version_mismatch_shape = EI_INIT;
static expert_field ei_client_unpatched = EI_INIT;
static expert_field ei_rejected_unpatched_client = EI_INIT;
static expert_field ei_field_version = EI_INIT;
static expert_field ei_cause = EI_INIT;

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

static void add_expert_items(proto_item *anchor, packet_info *pinfo, const cssp_view *view, bool fields_noted)
{
    const cssp_judgement *j = view->judgement;
    if (became(view->mismatch, view->mismatch_before))
        expert_add_info_format(pinfo, anchor, &ei_server_version_refused,
                               "Server offers CredSSP v%u: clients with Encryption Oracle Remediation = "
                               "Mitigated/Force Updated Clients refuse it ('The function requested is not "
                               "supported', event 6041)",
                               view->server_version);
    if (verdict_became(view, CSSP_VERDICT_VERSION_MISMATCH))
        /* from the traffic shape alone: a warning, the explanation asks to confirm */
        expert_add_info_format(pinfo, anchor,
                               j->evidence == CSSP_EVIDENCE_TRAFFIC_SHAPE ? &ei_version_mismatch_shape
                                                                          : &ei_version_mismatch,
                               "%s", j->explanation);
    if (became(view->client_seen, view->client_seen_before) && view->client_version >= 2 &&
        view->client_version <= 4)
        expert_add_info_format(pinfo, anchor, &ei_client_unpatched,
                               "Client offers CredSSP v%u: not updated for CVE-2018-0886 (versions 2-4)",
                               view->client_version);
    if (verdict_became(view, CSSP_VERDICT_REJECTED_UNPATCHED_CLIENT))
        expert_add_info_format(pinfo, anchor, &ei_rejected_unpatched_client, "%s", j->explanation);
    /* a failure told apart from the CVE's look-alikes: the analyzer's explanation and advice */
    bool cause_new = !view->judged_before || view->cause_before != j->cause;
    if (cause_new && j->verdict == CSSP_VERDICT_AUTH_FAILED && j->cause != CSSP_CAUSE_NONE)
        expert_add_info_format(pinfo, anchor, &ei_cause, "%s %s", j->explanation, j->advice ? j->advice : "");
    if (finding_became(view, CSSP_FINDING_FIELD_VERSION_INCONSISTENT) && !fields_noted)
        expert_add_info(pinfo, anchor, &ei_field_version);
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

void cssp_analysis_show(proto_tree *tree, proto_item *anchor, tvbuff_t *tvb, packet_info *pinfo,
                        const cssp_view *view, bool fields_noted)
{
    const cssp_judgement *j = view->judgement;
    proto_item *ti = proto_tree_add_none_format(tree, hf_connection, tvb, 0, 0, "Connection: %s (%s)",
                                                cssp_verdict_name(j->verdict), cssp_evidence_name(j->evidence));
    proto_item_set_generated(ti);
    proto_tree *t = proto_item_add_subtree(ti, ett_connection);
    proto_item_set_generated(
        proto_tree_add_string(t, hf_sender, tvb, 0, 0, view->dir == CSSP_FROM_CLIENT ? "client" : "server"));
    add_version(t, tvb, hf_client_version, hf_client_version_frame, view->client_seen, view->client_version,
                view->client_frame);
    add_version(t, tvb, hf_server_version, hf_server_version_frame, view->server_seen, view->server_version,
                view->server_frame);
    if (view->client_seen && view->server_seen) {
        uint32_t client = cssp_version_as_read(view->client_version);
        uint32_t server = cssp_version_as_read(view->server_version);
        proto_item_set_generated(
            proto_tree_add_uint(t, hf_effective_version, tvb, 0, 0, client < server ? client : server));
    }
    proto_item_set_generated(proto_tree_add_string(t, hf_verdict, tvb, 0, 0, cssp_verdict_name(j->verdict)));
    proto_item_set_generated(proto_tree_add_string(t, hf_evidence, tvb, 0, 0, cssp_evidence_name(j->evidence)));
    for (unsigned bit = 1; bit != 0 && bit <= j->findings; bit <<= 1)
        if (j->findings & bit)
            proto_item_set_generated(proto_tree_add_string(t, hf_finding, tvb, 0, 0, cssp_finding_name(bit)));
    proto_item_set_generated(proto_tree_add_string(t, hf_explanation, tvb, 0, 0, j->explanation));
    if (j->advice)
        proto_item_set_generated(proto_tree_add_string(t, hf_advice, tvb, 0, 0, j->advice));
    if (j->cause != CSSP_CAUSE_NONE)
        proto_item_set_generated(proto_tree_add_string(t, hf_cause, tvb, 0, 0, cssp_cause_name(j->cause)));
    add_auth(t, tvb, view->auth);
    add_expert_items(anchor, pinfo, view, fields_noted);
}

void cssp_analysis_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_connection, {"Connection", "cssp.connection", FT_NONE, BASE_NONE, NULL, 0,
                          "The RDP connection as judged after this packet", HFILL}},
        {&hf_sender, {"Sender", "cssp.sender", FT_STRING, BASE_NONE, NULL, 0, "client or server", HFILL}},
        {&hf_client_version, {"Client CredSSP version", "cssp.client_version", FT_UINT32, BASE_DEC, NULL, 0,
                              "The version the client advertised first", HFILL}},
        {&hf_client_version_frame, {"Client version seen in frame", "cssp.client_version_frame", FT_FRAMENUM,
                                    BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_server_version, {"Server CredSSP version", "cssp.server_version", FT_UINT32, BASE_DEC, NULL, 0,
                              "The version the server advertised first", HFILL}},
        {&hf_server_version_frame, {"Server version seen in frame", "cssp.server_version_frame", FT_FRAMENUM,
                                    BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_effective_version, {"Effective CredSSP version", "cssp.effective_version", FT_UINT32, BASE_DEC, NULL,
                                 0, "min(client, server), versions above 6 read as 6", HFILL}},
        {&hf_verdict, {"Verdict so far", "cssp.verdict", FT_STRING, BASE_NONE, NULL, 0,
                       "The connection's verdict after this packet (docs/verdicts.md)", HFILL}},
        {&hf_evidence, {"Evidence", "cssp.evidence", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_finding, {"Finding", "cssp.finding", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_explanation, {"Explanation", "cssp.explanation", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_advice, {"Advice", "cssp.advice", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_cause, {"Cause", "cssp.cause", FT_STRING, BASE_NONE, NULL, 0,
                     "Why the connection failed, told apart from the CVE's look-alikes (docs/verdicts.md)", HFILL}},
        {&hf_auth, {"Authentication", "cssp.auth", FT_STRING, BASE_NONE, NULL, 0,
                    "The package with its Kerberos service, realm and error, as the analyzer's auth line", HFILL}},
        {&hf_auth_package, {"Authentication package", "cssp.auth_package", FT_STRING, BASE_NONE, NULL, 0,
                            "ntlm, kerberos, negoex or pku2u: named by the connection's last negoToken", HFILL}},
        {&hf_ntlm_fallback, {"NTLM fallback", "cssp.ntlm_fallback", FT_BOOLEAN, BASE_NONE, NULL, 0,
                             "NTLM ran after Kerberos was offered first or tried", HFILL}},
        {&hf_kerberos_service, {"Kerberos service", "cssp.kerberos_service", FT_STRING, BASE_NONE, NULL, 0,
                                "The service principal of the ticket (AP-REQ) or of KERB-TGT-REQUEST", HFILL}},
        {&hf_kerberos_realm, {"Kerberos realm", "cssp.kerberos_realm", FT_STRING, BASE_NONE, NULL, 0, NULL,
                              HFILL}},
        {&hf_kerberos_error, {"KRB-ERROR", "cssp.kerberos_error", FT_STRING, BASE_NONE, NULL, 0,
                              "The error code of the first KRB-ERROR in a negoToken", HFILL}},
        {&hf_mode, {"Mode", "cssp.mode", FT_STRING, BASE_NONE, NULL, 0,
                    "Restricted Admin / Remote Credential Guard: requested, and the server's answer", HFILL}},
    };
    static int *ett[] = {&ett_connection};
    static ei_register_info ei[] = {
        {&ei_server_version_refused, {"cssp.server_version.refused", PI_SECURITY, PI_ERROR,
                                      "Server offers CredSSP 2-4 to a client on 5-6", EXPFILL}},
        {&ei_version_mismatch, {"cssp.version_mismatch", PI_SECURITY, PI_ERROR,
                                "The client gave up: CredSSP version mismatch", EXPFILL}},
        {&ei_version_mismatch_shape, {"cssp.version_mismatch.traffic_shape", PI_SECURITY, PI_WARN,
                                      "The client gave up after a CHALLENGE-sized reply: CredSSP version mismatch "
                                      "from the traffic shape", EXPFILL}},
        {&ei_client_unpatched, {"cssp.client_version.unpatched", PI_SECURITY, PI_WARN,
                                "Client offers CredSSP 2-4", EXPFILL}},
        {&ei_rejected_unpatched_client, {"cssp.rejected_unpatched_client", PI_SECURITY, PI_WARN,
                                         "The server refused an unpatched client", EXPFILL}},
        {&ei_cause, {"cssp.cause.note", PI_SECURITY, PI_WARN, "The authentication failed for a named cause", EXPFILL}},
        {&ei_field_version, {"cssp.field_version_inconsistent", PI_PROTOCOL, PI_WARN,
                             "A field is used outside the CredSSP versions that define it", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto), ei, array_length(ei));
}
