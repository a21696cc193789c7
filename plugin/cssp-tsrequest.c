/*
 * cssp-tsrequest.c - TSRequests, the Early User Authorization Result, and the TLS
 * application handle and heuristic (see cssp-tsrequest.h).
 *
 * Decoding is the shared core's: the probe frames a TSRequest from its DER
 * length (the carrier is asked for the missing bytes), the decoder gives every
 * field as a span of the buffer, and the tree shows those spans. negoTokens go to
 * Wireshark's GSS-API dissector, which shows NTLMSSP or SPNEGO/Kerberos inside.
 */
#include "cssp-tsrequest.h"

#include <epan/exceptions.h>
#include <epan/expert.h>
#include <epan/proto.h>
#include <epan/show_exception.h>

#include "cssp-connection-tree.h"
#include "cssp-stats.h"
#include "cssp-text.h"
#include "cssp/names.h"
#include "cssp/tsrequest.h"
#include "cssp/x224.h"
#include "ws-compat.h"

/* Enough for the probe: outer SEQUENCE header (up to 6), [0] header and the version INTEGER. */
#define PROBE_BYTES 16
#define EARLY_AUTH_LEN 4

static int proto_cssp = -1;
static int hf_version = -1;
static int hf_nego_tokens = -1;
static int hf_nego_token = -1;
static int hf_auth_info = -1;
static int hf_pub_key_auth = -1;
static int hf_error_code = -1;
static int hf_client_nonce = -1;
static int hf_unknown_element = -1;
static int hf_early_auth_result = -1;
static int ett_tsrequest = -1;
static int ett_nego_token = -1;

static expert_field ei_malformed = EI_INIT;
static expert_field ei_error_code = EI_INIT;
static expert_field ei_field_version = EI_INIT;
static expert_field ei_structure = EI_INIT;
static expert_field ei_version_undefined = EI_INIT;
static expert_field ei_version_changed = EI_INIT;
static expert_field ei_authz_denied = EI_INIT;
static expert_field ei_unreassembled = EI_INIT;

static dissector_handle_t cssp_handle;
static dissector_handle_t gssapi_handle;
static dissector_handle_t tpkt_handle;

/* "STATUS_LOGON_FAILURE (0xc000006d)"; the value stays a uint32 for filters. */
static void format_error_code(gchar *result, guint32 value)
{
    const char *name = cssp_error_name(value);
    if (name)
        snprintf(result, ITEM_LABEL_LENGTH, "%s (0x%08X)", name, value);
    else
        snprintf(result, ITEM_LABEL_LENGTH, "0x%08X", value);
}

static void format_authz_result(gchar *result, guint32 value)
{
    const char *name = cssp_authz_result_name(value);
    snprintf(result, ITEM_LABEL_LENGTH, "%s (0x%08X)", name ? name : "unknown", value);
}

int cssp_entry_can_desegment(const packet_info *pinfo)
{
    return pinfo->can_desegment ? pinfo->saved_can_desegment : 0;
}

dissector_handle_t cssp_tsrequest_handle(void)
{
    return cssp_handle;
}

void cssp_tsrequest_forward_to_tpkt(tvbuff_t *tvb, int offset, packet_info *pinfo, proto_tree *tree,
                                  int can_desegment)
{
    /*
     * call_dissector() lowers can_desegment once more; give TPKT what this
     * dissector itself was given, so RDP PDUs spanning records are reassembled.
     */
    if (offset > 0) {
        col_append_str(pinfo->cinfo, COL_INFO, ", ");
        col_set_fence(pinfo->cinfo, COL_INFO);
    }
    pinfo->can_desegment = can_desegment;
    call_dissector(tpkt_handle, tvb_new_subset_remaining(tvb, offset), pinfo, tree);
    if (pinfo->desegment_len)
        pinfo->desegment_offset += offset;
}

/* ---- TSRequest ---------------------------------------------------------------- */

static void add_span_bytes(proto_tree *tree, int hf, tvbuff_t *tvb, int base, const cssp_span *span)
{
    if (span->present)
        proto_tree_add_item(tree, hf, tvb, base + (int)span->value_offset, (int)span->value_length, ENC_NA);
}

static void add_nego_tokens(proto_tree *tree, tvbuff_t *tvb, int base, packet_info *pinfo,
                            const cssp_tsrequest *req)
{
    if (!req->nego_data.present)
        return;
    proto_tree_add_uint(tree, hf_nego_tokens, tvb, base + (int)req->nego_data.offset, (int)req->nego_data.length,
                        req->nego_token_count);
    unsigned kept = req->nego_token_count < CSSP_TSREQ_MAX_NEGO_TOKENS ? req->nego_token_count
                                                                        : CSSP_TSREQ_MAX_NEGO_TOKENS;
    for (unsigned i = 0; i < kept; i++) {
        const cssp_span *token = &req->nego_tokens[i];
        int start = base + (int)token->value_offset, len = (int)token->value_length;
        proto_item *ti = proto_tree_add_item(tree, hf_nego_token, tvb, start, len, ENC_NA);
        proto_tree *token_tree = proto_item_add_subtree(ti, ett_nego_token);
        /* a token the GSS-API dissector chokes on must not hide the rest of the TSRequest */
        TRY {
            call_dissector(gssapi_handle, tvb_new_subset_length(tvb, start, len), pinfo, token_tree);
        }
        CATCH_NONFATAL_ERRORS {
            show_exception(tvb, pinfo, token_tree, EXCEPT_CODE, GET_MESSAGE);
        }
        ENDTRY;
    }
}

/* Decoder notes: fields outside their version get one warning each; structure quirks a note. */
static bool add_notes(proto_tree *tree, proto_item *anchor, tvbuff_t *tvb, int base, packet_info *pinfo,
                      const cssp_tsrequest *req)
{
    static const unsigned version_notes = CSSP_TSREQ_NOTE_ERROR_CODE_IN_V2_OR_V5 | CSSP_TSREQ_NOTE_NONCE_BEFORE_V5 |
                                          CSSP_TSREQ_NOTE_NONCE_NOT_32;
    for (unsigned bit = 1; bit != 0 && bit <= req->notes; bit <<= 1) {
        if (!(req->notes & bit))
            continue;
        const char *text = cssp_tsrequest_note_string(bit);
        if (bit & version_notes)
            expert_add_info_format(pinfo, anchor, &ei_field_version, "TSRequest v%u: %s", req->version_value, text);
        else
            expert_add_info_format(pinfo, anchor, &ei_structure, "TSRequest: %s", text);
    }
    unsigned kept = req->unknown_count < CSSP_TSREQ_MAX_UNKNOWN ? req->unknown_count : CSSP_TSREQ_MAX_UNKNOWN;
    for (unsigned i = 0; i < kept; i++)
        proto_tree_add_item(tree, hf_unknown_element, tvb, base + (int)req->unknown[i].offset,
                            (int)req->unknown[i].length, ENC_NA);
    return (req->notes & version_notes) != 0;
}

static void add_version_items(proto_item *anchor, packet_info *pinfo, const cssp_tsrequest *req,
                              const cssp_view *view)
{
    uint32_t v = req->version_value;
    if (v < 2 || v > CSSP_MAX_DEFINED_VERSION)
        expert_add_info_format(pinfo, anchor, &ei_version_undefined, _("CredSSP version %u is not defined (2-%u)%s"), v,
                               CSSP_MAX_DEFINED_VERSION,
                               v > CSSP_MAX_DEFINED_VERSION ? _("; peers read it as the highest they know") : "");
    if (!view)
        return;
    bool side_seen = view->dir == CSSP_FROM_CLIENT ? view->client_seen : view->server_seen;
    uint32_t first = view->dir == CSSP_FROM_CLIENT ? view->client_version : view->server_version;
    uint32_t first_frame = view->dir == CSSP_FROM_CLIENT ? view->client_frame : view->server_frame;
    if (side_seen && first != v)
        expert_add_info_format(pinfo, anchor, &ei_version_changed,
                               _("The %s changed its CredSSP version from %u (frame %u) to %u; peers treat this as fatal"),
                               view->dir == CSSP_FROM_CLIENT ? _("client") : _("server"), first, first_frame, v);
}

static void set_columns(packet_info *pinfo, uint32_t key, const char *text)
{
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "CSSP");
    if (key == 0)
        col_clear(pinfo->cinfo, COL_INFO);
    col_append_sep_str(pinfo->cinfo, COL_INFO, ", ", text);
    col_set_fence(pinfo->cinfo, COL_INFO);
}

static void dissect_tsrequest(tvbuff_t *tvb, int offset, int len, packet_info *pinfo, proto_tree *tree,
                              cssp_conv *conv, cssp_dir dir)
{
    uint32_t key = cssp_next_pdu_key(pinfo);
    const uint8_t *bytes = tvb_memdup(pinfo->pool, tvb, offset, len);
    cssp_tsrequest req;
    cssp_status st = cssp_tsrequest_decode(bytes, (size_t)len, &req);

    const cssp_view *view;
    if (!PINFO_FD_VISITED(pinfo)) {
        if (st == CSSP_OK) {
            cssp_tsreq_summary summary;
            cssp_tsreq_summarize(bytes, &req, &summary);
            cssp_event ev = {.type = CSSP_EV_TSREQUEST, .dir = dir, .ref = pinfo->num};
            ev.u.tsreq = &summary;
            cssp_conv_feed(conv, &ev);
        }
        view = cssp_conv_commit(conv, pinfo, key, CSSP_VIEW_TSREQUEST, dir);
    } else {
        view = cssp_view_get(pinfo, key);
    }

    char info[96];
    char error[48];
    if (!req.version.present)
        snprintf(info, sizeof info, "TSRequest");
    else if (req.error_code.present)
        snprintf(info, sizeof info, "TSRequest v%u, errorCode %s", req.version_value,
                 cssp_format_error(req.error_code_value, error, sizeof error));
    else
        snprintf(info, sizeof info, "TSRequest v%u", req.version_value);
    const char *package = view ? cssp_auth_package_name(view->auth->package) : NULL;
    if (package && req.version.present) {
        g_strlcat(info, " (", sizeof info);
        g_strlcat(info, package, sizeof info);
        g_strlcat(info, ")", sizeof info);
    }
    set_columns(pinfo, key, info);

    proto_item *ti = proto_tree_add_item(tree, proto_cssp, tvb, offset, len, ENC_NA);
    proto_item_append_text(ti, ", %s (%s)", info, dir == CSSP_FROM_CLIENT ? "client" : "server");
    proto_tree *t = proto_item_add_subtree(ti, ett_tsrequest);
    if (st != CSSP_OK)
        expert_add_info_format(pinfo, ti, &ei_malformed, _("TSRequest not decoded: %s"), cssp_status_string(st));
    if (req.version.present) {
        proto_tree_add_uint(t, hf_version, tvb, offset + (int)req.version.value_offset, (int)req.version.value_length,
                            req.version_value);
        add_version_items(ti, pinfo, &req, view);
    }
    if (req.auth_info.present)
        /* the credentials stay out of the tree, even encrypted (docs/plugin.md, "Secrets") */
        proto_tree_add_uint_format_value(t, hf_auth_info, tvb, offset + (int)req.auth_info.offset, 0,
                                         (guint32)req.auth_info.value_length,
                                         _("%zu bytes of encrypted TSCredentials (not shown)"),
                                         req.auth_info.value_length);
    add_span_bytes(t, hf_pub_key_auth, tvb, offset, &req.pub_key_auth);
    if (req.error_code.present) {
        proto_item *ei = proto_tree_add_uint(t, hf_error_code, tvb, offset + (int)req.error_code.value_offset,
                                             (int)req.error_code.value_length, req.error_code_value);
        expert_add_info_format(pinfo, ei, &ei_error_code, "errorCode %s", error);
    }
    add_span_bytes(t, hf_client_nonce, tvb, offset, &req.client_nonce);
    bool fields_noted = add_notes(t, ti, tvb, offset, pinfo, &req);
    if (view) {
        cssp_connection_tree_show(t, ti, tvb, pinfo, view, fields_noted);
        cssp_stats_queue(pinfo, view, req.error_code.present, req.error_code_value);
    }
    /* last: the GSS-API dissector adds NTLMSSP to the Info column after ours */
    add_nego_tokens(t, tvb, offset, pinfo, &req);
}

/* ---- Early User Authorization Result ---------------------------------------- */

/*
 * As the analyzer decides it: 4 bytes from the server once it sent its pubKeyAuth
 * or the client its credentials. On later passes the stored view says what the
 * first pass decided; the key is taken on both passes alike.
 */
static bool take_early_auth(tvbuff_t *tvb, int offset, packet_info *pinfo, cssp_conv *conv, cssp_dir dir,
                            uint32_t *key)
{
    if (dir != CSSP_FROM_SERVER || tvb_captured_length_remaining(tvb, offset) != EARLY_AUTH_LEN)
        return false;
    *key = cssp_next_pdu_key(pinfo);
    if (PINFO_FD_VISITED(pinfo)) {
        const cssp_view *view = cssp_view_get(pinfo, *key);
        return view && view->kind == CSSP_VIEW_EARLY_AUTH;
    }
    return cssp_conn_expects_early_auth(&conv->engine);
}

static void dissect_early_auth(tvbuff_t *tvb, int offset, packet_info *pinfo, proto_tree *tree, cssp_conv *conv,
                               uint32_t key)
{
    const uint8_t *bytes = tvb_memdup(pinfo->pool, tvb, offset, EARLY_AUTH_LEN);
    uint32_t result = 0;
    cssp_early_auth_result_decode(bytes, EARLY_AUTH_LEN, &result);
    const cssp_view *view;
    if (!PINFO_FD_VISITED(pinfo)) {
        /* the engine holds it until the client's credentials are in (verdict.h) */
        cssp_event ev = {.type = CSSP_EV_EARLY_AUTH_RESULT, .dir = CSSP_FROM_SERVER, .ref = pinfo->num};
        ev.u.early_auth.result = result;
        cssp_conv_feed(conv, &ev);
        view = cssp_conv_commit(conv, pinfo, key, CSSP_VIEW_EARLY_AUTH, CSSP_FROM_SERVER);
    } else {
        view = cssp_view_get(pinfo, key);
    }
    const char *name = cssp_authz_result_name(result);
    char info[80];
    snprintf(info, sizeof info, "Early User Authorization Result %s", name ? name : "unknown");
    set_columns(pinfo, key, info);
    proto_item *ti = proto_tree_add_item(tree, proto_cssp, tvb, offset, EARLY_AUTH_LEN, ENC_NA);
    proto_item_append_text(ti, ", %s", info);
    proto_tree *t = proto_item_add_subtree(ti, ett_tsrequest);
    proto_item *ri = proto_tree_add_uint(t, hf_early_auth_result, tvb, offset, EARLY_AUTH_LEN, result);
    if (result != CSSP_AUTHZ_SUCCESS)
        expert_add_info_format(pinfo, ri, &ei_authz_denied,
                               _("Early User Authorization Result %s: the user may not access the server"),
                               name ? name : "unknown");
    if (view) {
        cssp_connection_tree_show(t, ti, tvb, pinfo, view, false);
        cssp_stats_queue(pinfo, view, false, 0);
    }
}

/* ---- the stream ----------------------------------------------------------------- */

int cssp_tsrequest_stream(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, cssp_conv *conv, int can_desegment)
{
    int length = (int)tvb_captured_length(tvb);
    cssp_dir dir = cssp_conv_sender(conv, pinfo);
    int offset = 0;
    while (offset < length) {
        int avail = length - offset;
        int head_len = avail < PROBE_BYTES ? avail : PROBE_BYTES;
        const uint8_t *head = tvb_memdup(pinfo->pool, tvb, offset, head_len);
        size_t needed = 0;
        cssp_probe probe = cssp_tsrequest_probe(head, (size_t)head_len, &needed);
        bool complete = probe == CSSP_PROBE_YES && needed <= (size_t)avail;
        uint32_t key;
        if (!complete && take_early_auth(tvb, offset, pinfo, conv, dir, &key)) {
            dissect_early_auth(tvb, offset, pinfo, tree, conv, key);
            offset += EARLY_AUTH_LEN;
            continue;
        }
        if (probe == CSSP_PROBE_NO) {
            cssp_tsrequest_forward_to_tpkt(tvb, offset, pinfo, tree, can_desegment);
            return length;
        }
        if (!complete) {
            if (pinfo->can_desegment) {
                pinfo->desegment_offset = offset;
                pinfo->desegment_len = probe == CSSP_PROBE_YES ? (guint32)(needed - (size_t)avail)
                                                               : DESEGMENT_ONE_MORE_SEGMENT;
                return length;
            }
            proto_tree_add_expert_format(tree, pinfo, &ei_unreassembled, tvb, offset, avail,
                                         _("Part of a TSRequest (%d bytes); the carrier cannot supply the rest"), avail);
            return length;
        }
        dissect_tsrequest(tvb, offset, (int)needed, pinfo, tree, conv, dir);
        offset += (int)needed;
    }
    return length;
}

static int dissect_cssp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    return cssp_tsrequest_stream(tvb, pinfo, tree, cssp_conv_get(pinfo), cssp_entry_can_desegment(pinfo));
}

/*
 * Under Decode As TLS (no X.224 seen): claims TLS application data that starts
 * like a TSRequest and pins the session to "cssp". It accepts every version the
 * built-in credssp_tls heuristic accepts (and more), so the built-in one never
 * wins a TSRequest and is never moved ahead of this one.
 */
static cssp_ws_bool heur_cssp_tls(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    int head_len = (int)tvb_captured_length(tvb) < PROBE_BYTES ? (int)tvb_captured_length(tvb) : PROBE_BYTES;
    const uint8_t *head = tvb_memdup(pinfo->pool, tvb, 0, head_len);
    size_t needed;
    if (cssp_tsrequest_probe(head, (size_t)head_len, &needed) != CSSP_PROBE_YES)
        return false;
    cssp_ws_tls_pin_app(data, cssp_handle);
    dissect_cssp(tvb, pinfo, tree, NULL);
    return true;
}

void cssp_tsrequest_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_version, {"version", "cssp.version", FT_UINT32, BASE_DEC, NULL, 0,
                       N_("The CredSSP version this side speaks (2-4: without the CVE-2018-0886 update; 5-6: with it)"),
                       HFILL}},
        {&hf_nego_tokens, {"negoTokens", "cssp.nego_tokens", FT_UINT32, BASE_DEC, NULL, 0,
                           N_("How many SPNEGO/Kerberos/NTLM tokens this TSRequest carries"), HFILL}},
        {&hf_nego_token, {"negoToken", "cssp.nego_token", FT_BYTES, BASE_NONE, NULL, 0,
                          N_("SPNEGO, Kerberos or NTLMSSP token"), HFILL}},
        {&hf_auth_info, {"authInfo", "cssp.auth_info", FT_UINT32, BASE_DEC, NULL, 0,
                         N_("Length of the encrypted TSCredentials (the bytes are not shown)"), HFILL}},
        {&hf_pub_key_auth, {"pubKeyAuth", "cssp.pub_key_auth", FT_BYTES, BASE_NONE, NULL, 0,
                            N_("The server's TLS public key, encrypted: binds the authentication to this TLS connection"), HFILL}},
        {&hf_error_code, {"errorCode", "cssp.error_code", FT_UINT32, BASE_CUSTOM, CF_FUNC(format_error_code), 0,
                          N_("Why the server failed the exchange, as an NTSTATUS code (CredSSP 3-4 and 6)"), HFILL}},
        {&hf_client_nonce, {"clientNonce", "cssp.client_nonce", FT_BYTES, BASE_NONE, NULL, 0,
                            N_("Random value of the client's public key binding (CredSSP 5 and later)"), HFILL}},
        {&hf_unknown_element, {N_("Unknown element"), "cssp.unknown_element", FT_BYTES, BASE_NONE, NULL, 0,
                               N_("An element CredSSP's TSRequest does not define, kept as bytes"), HFILL}},
        {&hf_early_auth_result, {"authorizationResult", "cssp.early_auth_result", FT_UINT32, BASE_CUSTOM,
                                 CF_FUNC(format_authz_result), 0,
                                 N_("Whether the user may log on to the server, sent after CredSSP when the client asked for it "
                                 "(HYBRID_EX)"), HFILL}},
    };
    static int *ett[] = {&ett_tsrequest, &ett_nego_token};
    static ei_register_info ei[] = {
        {&ei_malformed, {"cssp.malformed", PI_MALFORMED, PI_ERROR, N_("TSRequest not decoded"), EXPFILL}},
        {&ei_error_code, {"cssp.error_code.note", PI_RESPONSE_CODE, PI_NOTE,
                           N_("The server's TSRequest carries an NTSTATUS error code"), EXPFILL}},
        {&ei_field_version, {"cssp.field_version", PI_PROTOCOL, PI_WARN,
                             N_("Field outside the CredSSP versions that define it"), EXPFILL}},
        {&ei_structure, {"cssp.structure", PI_PROTOCOL, PI_NOTE, N_("Unusual TSRequest structure"), EXPFILL}},
        {&ei_version_undefined, {"cssp.version.undefined", PI_PROTOCOL, PI_NOTE, N_("Undefined CredSSP version"),
                                 EXPFILL}},
        {&ei_version_changed, {"cssp.version.changed", PI_PROTOCOL, PI_WARN,
                               N_("A side changed its CredSSP version mid-exchange"), EXPFILL}},
        {&ei_authz_denied, {"cssp.early_auth_result.denied", PI_RESPONSE_CODE, PI_WARN,
                            N_("Early User Authorization Result: access denied"), EXPFILL}},
        {&ei_unreassembled, {"cssp.unreassembled", PI_REASSEMBLE, PI_WARN, N_("TSRequest cut short"), EXPFILL}},
    };
    proto_cssp = proto;
    cssp_text_fields(hf, array_length(hf));
    cssp_text_experts(ei, array_length(ei));
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto), ei, array_length(ei));
    cssp_handle = register_dissector("cssp", dissect_cssp, proto);
}

void cssp_tsrequest_handoff(void)
{
    gssapi_handle = find_dissector_add_dependency("gssapi", proto_cssp);
    tpkt_handle = find_dissector_add_dependency("tpkt", proto_cssp);
    heur_dissector_add("tls", heur_cssp_tls, "CredSSP analysis over TLS (cssp plugin)", "cssp_tls", proto_cssp,
                       HEURISTIC_ENABLE);
}
