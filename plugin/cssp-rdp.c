/*
 * cssp-rdp.c - the X.224 negotiation and the switch to TLS (see cssp-rdp.h).
 *
 * Wireshark 4.0 keeps TPKT on tcp/3389 after the X.224 exchange, so the TLS
 * handshake and CredSSP show as "TPKT Continuation" unless the user forces
 * Decode As TLS, which in turn loses the negotiation. This dissector reads each
 * X.224 Request/Confirm with the shared core (feeding the verdict engine) and
 * still shows it through TPKT/COTP/RDP. At the first TLS record after a Confirm
 * that selected a TLS-based protocol it calls ssl_starttls_post_ack(): from then
 * on TLS owns the conversation and hands the decrypted data to "cssp".
 * Post-ack at the first record rather than ack at the Confirm, because a
 * TLS-stripping proxy (rdps2rdp corpus) sends CredSSP in clear after a HYBRID_EX
 * Confirm; those bytes are dissected here.
 */
#include "cssp-rdp.h"

#include <epan/conversation.h>
#include <epan/dissectors/packet-tls-utils.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/proto.h>

#include "cssp-connection-tree.h"
#include "cssp-state.h"
#include "cssp-stats.h"
#include "cssp-text.h"
#include "cssp-tsrequest.h"
#include "cssp/facts_text.h"
#include "cssp/names.h"
#include "cssp/roles.h"
#include "cssp/tls_framer.h"
#include "cssp/x224.h"
#include "ws-compat.h"

#define TPKT_VERSION 3
#define TPKT_HEADER_LEN 4

static int proto_cssp = -1;
static int hf_cookie = -1;
static int hf_requested = -1;
static int hf_selected = -1;
static int hf_failure = -1;
static int hf_client_flags = -1;
static int hf_server_flags = -1;
static int hf_correlation_id = -1;
static int ett_negotiation = -1;
static expert_field ei_no_nla = EI_INIT;
static expert_field ei_neg_failure = EI_INIT;

static dissector_handle_t rdp_handle;
static dissector_handle_t tls_handle;
static dissector_handle_t tpkt_handle;

static void format_protocols(gchar *result, guint32 value)
{
    char names[96];
    snprintf(result, ITEM_LABEL_LENGTH, "%s (0x%08X)", cssp_format_protocols(value, "|", names, sizeof names), value);
}

static void format_protocol(gchar *result, guint32 value)
{
    const char *name = cssp_protocol_name(value);
    snprintf(result, ITEM_LABEL_LENGTH, "%s (0x%08X)", name ? name : "unknown", value);
}

/* "RESTRICTED_ADMIN_MODE_REQUIRED (0x01)", the names the analyzer's JSON gives */
static void format_flags(gchar *result, guint32 value, const cssp_name *table)
{
    char names[160];
    cssp_format_bits(table, value, ", ", names, sizeof names);
    snprintf(result, ITEM_LABEL_LENGTH, "%s%s0x%02X%s", names, names[0] ? " (" : "", (unsigned)value,
             names[0] ? ")" : "");
}

static void format_client_flags(gchar *result, guint32 value)
{
    format_flags(result, value, cssp_neg_req_flag_names);
}

static void format_server_flags(gchar *result, guint32 value)
{
    format_flags(result, value, cssp_neg_rsp_flag_names);
}

static void format_failure(gchar *result, guint32 value)
{
    char name[48];
    snprintf(result, ITEM_LABEL_LENGTH, "%s", cssp_format_neg_failure(value, name, sizeof name));
}

/* A Confirm selected a protocol that runs over TLS: SSL, HYBRID, HYBRID_EX, RDSTLS, RDSAAD. */
static bool tls_selected(const cssp_conv *conv)
{
    uint32_t selected;
    return cssp_conv_negotiated(conv, &selected) && selected != CSSP_PROTO_RDP &&
           cssp_protocol_name(selected) != NULL;
}

/* CredSSP leads nowhere else: RDP, SSL, RDSTLS, RDSAAD or a legacy Confirm. */
static bool without_credssp(const cssp_x224 *pdu)
{
    if (!pdu->has_neg)
        return true;
    return pdu->neg_type == CSSP_NEG_TYPE_RSP && pdu->neg_value != CSSP_PROTO_HYBRID &&
           pdu->neg_value != CSSP_PROTO_HYBRID_EX && cssp_protocol_name(pdu->neg_value) != NULL;
}

static void add_negotiation_items(proto_tree *t, proto_item *ti, tvbuff_t *tvb, packet_info *pinfo,
                                  const cssp_x224 *pdu)
{
    if (pdu->token_kind != CSSP_X224_NO_TOKEN)
        proto_tree_add_string(t, hf_cookie, tvb, 0, 0, pdu->cookie);
    if (pdu->kind == CSSP_X224_CONNECTION_REQUEST) {
        if (pdu->has_neg && pdu->neg_type == CSSP_NEG_TYPE_REQ) {
            proto_tree_add_uint(t, hf_requested, tvb, 0, 0, pdu->neg_value);
            proto_tree_add_uint(t, hf_client_flags, tvb, 0, 0, pdu->neg_flags);
        }
        if (pdu->has_correlation_info) {
            char id[37];
            cssp_format_correlation_id(pdu->correlation_id, id);
            proto_tree_add_string(t, hf_correlation_id, tvb, 0, 0, id);
        }
        return;
    }
    if (pdu->has_neg && pdu->neg_type == CSSP_NEG_TYPE_FAILURE) {
        char name[48];
        const cssp_name *n = cssp_name_lookup(cssp_neg_failure_names, pdu->neg_value);
        proto_item *fi = proto_tree_add_uint(t, hf_failure, tvb, 0, 0, pdu->neg_value);
        expert_add_info_format(pinfo, fi, &ei_neg_failure, _("RDP_NEG_FAILURE %s%s%s"),
                               cssp_format_neg_failure(pdu->neg_value, name, sizeof name), n ? ": " : "",
                               n ? _(n->text) : "");
        return;
    }
    if (pdu->has_neg && pdu->neg_type == CSSP_NEG_TYPE_RSP) {
        proto_tree_add_uint(t, hf_selected, tvb, 0, 0, pdu->neg_value);
        proto_tree_add_uint(t, hf_server_flags, tvb, 0, 0, pdu->neg_flags);
    }
    if (without_credssp(pdu)) {
        const char *name = pdu->has_neg ? cssp_protocol_name(pdu->neg_value) : NULL;
        expert_add_info_format(pinfo, ti, &ei_no_nla,
                               _("NLA not negotiated: the server selected %s, so CredSSP is not used and the "
                               "session starts before the user is authenticated"),
                               name ? name : _("Standard RDP Security (legacy Confirm)"));
    }
}

static void dissect_negotiation(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, cssp_conv *conv,
                                const cssp_x224 *pdu)
{
    call_dissector(tpkt_handle, tvb, pinfo, tree);
    cssp_dir sender = pdu->kind == CSSP_X224_CONNECTION_REQUEST ? CSSP_FROM_CLIENT : CSSP_FROM_SERVER;
    cssp_conv_set_sender_role(conv, pinfo, sender);
    uint32_t key = cssp_next_pdu_key(pinfo);
    const cssp_view *view;
    if (!PINFO_FD_VISITED(pinfo)) {
        cssp_event ev;
        if (cssp_x224_event(pdu, sender, pinfo->num, &ev))
            cssp_conv_feed(conv, &ev);
        view = cssp_conv_commit(conv, pinfo, key, CSSP_VIEW_NEGOTIATION, sender);
    } else {
        view = cssp_view_get(pinfo, key);
    }
    proto_item *ti = proto_tree_add_item(tree, proto_cssp, tvb, 0, -1, ENC_NA);
    proto_item_append_text(ti, pdu->kind == CSSP_X224_CONNECTION_REQUEST ? _(", X.224 Connection Request")
                                                                         : _(", X.224 Connection Confirm"));
    proto_tree *t = proto_item_add_subtree(ti, ett_negotiation);
    add_negotiation_items(t, ti, tvb, pinfo, pdu);
    if (view) {
        cssp_connection_tree_show(t, ti, tvb, pinfo, view, false);
        cssp_stats_queue(pinfo, view, false, 0);
    }
}

/* Hands the rest of the connection to TLS, with "cssp" for its application data. */
static int dissect_tls(tvbuff_t *tvb, int offset, packet_info *pinfo, proto_tree *tree, cssp_conv *conv,
                       int can_desegment)
{
    if (!PINFO_FD_VISITED(pinfo) && !conv->tls_start_frame) {
        ssl_starttls_post_ack(tls_handle, pinfo, cssp_tsrequest_handle());
        conv->tls_start_frame = pinfo->num;
        conv->recognised = true;
    }
    pinfo->can_desegment = can_desegment;
    call_dissector(tls_handle, tvb_new_subset_remaining(tvb, offset), pinfo, tree);
    if (pinfo->desegment_len)
        pinfo->desegment_offset += offset;
    return (int)tvb_captured_length(tvb);
}

static bool tls_starts_here(const cssp_conv *conv, packet_info *pinfo, const uint8_t *head, int head_len,
                            bool first_payload)
{
    if (conv->tls_start_frame)
        return pinfo->num >= conv->tls_start_frame;
    if (PINFO_FD_VISITED(pinfo) || !tls_record_start(head, (size_t)head_len))
        return false;
    /* a capture that starts after the X.224 exchange: TLS on 3389 is RDP's */
    return tls_selected(conv) || first_payload;
}

static int ask_for_more(packet_info *pinfo, int offset, guint32 missing, int length)
{
    pinfo->desegment_offset = offset;
    pinfo->desegment_len = missing;
    return length;
}

static int dissect_rdp_connection(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    cssp_conv *conv = cssp_conv_get(pinfo);
    int can_desegment = cssp_entry_can_desegment(pinfo);
    bool first_payload = !PINFO_FD_VISITED(pinfo) && !conv->payload_seen;
    if (!PINFO_FD_VISITED(pinfo))
        conv->payload_seen = true;
    int length = (int)tvb_captured_length(tvb);
    int offset = 0;
    while (offset < length) {
        int avail = length - offset;
        int head_len = avail < TPKT_HEADER_LEN ? avail : TPKT_HEADER_LEN;
        const uint8_t *head = tvb_memdup(pinfo->pool, tvb, offset, head_len);
        if (tls_starts_here(conv, pinfo, head, head_len, first_payload))
            return dissect_tls(tvb, offset, pinfo, tree, conv, can_desegment);
        if (head[0] != TPKT_VERSION) {
            /* CredSSP in clear, the Early User Authorization Result, or RDP after it */
            int used = cssp_tsrequest_stream(tvb_new_subset_remaining(tvb, offset), pinfo, tree, conv, can_desegment);
            if (pinfo->desegment_len)
                pinfo->desegment_offset += offset;
            return offset + used;
        }
        size_t pdu_len = 0;
        cssp_status st = cssp_tpkt_size(head, (size_t)head_len, &pdu_len);
        if ((st == CSSP_ERR_TRUNCATED || (st == CSSP_OK && pdu_len > (size_t)avail)) && pinfo->can_desegment)
            return ask_for_more(pinfo, offset, st == CSSP_OK ? (guint32)(pdu_len - (size_t)avail)
                                                              : DESEGMENT_ONE_MORE_SEGMENT, length);
        cssp_x224 pdu;
        if (st == CSSP_OK && pdu_len <= (size_t)avail &&
            cssp_x224_decode(tvb_memdup(pinfo->pool, tvb, offset, (int)pdu_len), pdu_len, &pdu) == CSSP_OK &&
            (pdu.kind == CSSP_X224_CONNECTION_REQUEST || pdu.kind == CSSP_X224_CONNECTION_CONFIRM)) {
            dissect_negotiation(tvb_new_subset_length(tvb, offset, (int)pdu_len), pinfo, tree, conv, &pdu);
            offset += (int)pdu_len;
            continue;
        }
        cssp_tsrequest_forward_to_tpkt(tvb, offset, pinfo, tree, can_desegment);
        return length;
    }
    return length;
}

/* An RDP X.224 Connection Request or Confirm: a cookie, a routing token or an RDP_NEG_* structure. */
static bool starts_with_rdp_negotiation(tvbuff_t *tvb, packet_info *pinfo)
{
    int avail = (int)tvb_captured_length(tvb);
    if (avail < TPKT_HEADER_LEN)
        return false;
    size_t pdu_len;
    if (cssp_tpkt_size(tvb_memdup(pinfo->pool, tvb, 0, TPKT_HEADER_LEN), TPKT_HEADER_LEN, &pdu_len) != CSSP_OK ||
        pdu_len > (size_t)avail)
        return false;
    cssp_x224 pdu;
    if (cssp_x224_decode(tvb_memdup(pinfo->pool, tvb, 0, (int)pdu_len), pdu_len, &pdu) != CSSP_OK)
        return false;
    if (pdu.kind == CSSP_X224_CONNECTION_REQUEST)
        return pdu.has_neg || pdu.token_kind != CSSP_X224_NO_TOKEN;
    return pdu.kind == CSSP_X224_CONNECTION_CONFIRM && pdu.has_neg;
}

/*
 * Any TCP port: claims a conversation that opens with an RDP negotiation and
 * keeps claiming its cleartext part (frames before TLS, which TLS refuses).
 */
static cssp_ws_bool heur_rdp_connection(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    cssp_conv *conv = cssp_conv_find(pinfo);
    if (!conv || !conv->owns_tcp) {
        if (!starts_with_rdp_negotiation(tvb, pinfo))
            return false;
        conv = cssp_conv_get(pinfo);
        conv->owns_tcp = true;
        conversation_set_dissector(find_or_create_conversation(pinfo), rdp_handle);
    }
    dissect_rdp_connection(tvb, pinfo, tree, data);
    return true;
}

void cssp_rdp_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_cookie, {N_("Cookie or routing token"), "cssp.cookie", FT_STRING, BASE_NONE, NULL, 0,
                      N_("The client's mstshash cookie (user name) or load-balancer routing token, from the X.224 "
                      "Connection Request"), HFILL}},
        {&hf_requested, {"requestedProtocols", "cssp.requested_protocols", FT_UINT32, BASE_CUSTOM,
                         CF_FUNC(format_protocols), 0,
                         N_("The security protocols the client offers (RDP_NEG_REQ): SSL = TLS, HYBRID = TLS + CredSSP "
                         "(Network Level Authentication)"), HFILL}},
        {&hf_selected, {"selectedProtocol", "cssp.selected_protocol", FT_UINT32, BASE_CUSTOM,
                        CF_FUNC(format_protocol), 0,
                        N_("The security protocol the server chose (RDP_NEG_RSP); CredSSP follows only HYBRID and "
                        "HYBRID_EX"), HFILL}},
        {&hf_failure, {"failureCode", "cssp.neg_failure", FT_UINT32, BASE_CUSTOM, CF_FUNC(format_failure), 0,
                       N_("Why the server refused the security negotiation (RDP_NEG_FAILURE)"), HFILL}},
        {&hf_client_flags, {N_("Client flags"), "cssp.client_flags", FT_UINT8, BASE_CUSTOM, CF_FUNC(format_client_flags),
                            0, N_("RDP_NEG_REQ flags (Restricted Admin, Remote Credential Guard, correlation info)"),
                            HFILL}},
        {&hf_server_flags, {N_("Server flags"), "cssp.server_flags", FT_UINT8, BASE_CUSTOM, CF_FUNC(format_server_flags),
                            0, N_("RDP_NEG_RSP flags: what the server supports (extended client data, Restricted Admin, "
                            "Redirected Authentication)"), HFILL}},
        {&hf_correlation_id, {N_("Correlation id"), "cssp.correlation_id", FT_STRING, BASE_NONE, NULL, 0,
                              N_("The correlation id the client sent (RDP_NEG_CORRELATION_INFO), as a GUID: it finds "
                              "the connection in the server's event logs"), HFILL}},
    };
    static int *ett[] = {&ett_negotiation};
    static ei_register_info ei[] = {
        {&ei_no_nla, {"cssp.nla_not_negotiated", PI_SECURITY, PI_WARN,
                       N_("Network Level Authentication not negotiated: the server chose a protocol without CredSSP"),
                       EXPFILL}},
        {&ei_neg_failure, {"cssp.neg_failure.note", PI_RESPONSE_CODE, PI_ERROR,
                            N_("The server refused the security negotiation (RDP_NEG_FAILURE)"), EXPFILL}},
    };
    proto_cssp = proto;
    cssp_text_fields(hf, array_length(hf));
    cssp_text_experts(ei, array_length(ei));
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto), ei, array_length(ei));
    rdp_handle = register_dissector("cssp_rdp", dissect_rdp_connection, proto);
}

void cssp_rdp_handoff(void)
{
    tls_handle = find_dissector_add_dependency("tls", proto_cssp);
    tpkt_handle = find_dissector_add_dependency("tpkt", proto_cssp);
    /* replaces TPKT's claim on 3389; every PDU this dissector does not read itself goes to TPKT */
    dissector_add_uint_with_preference("tcp.port", CSSP_RDP_PORT, rdp_handle);
    /*
     * Under Decode As TLS, TLS before 4.6 tries its heuristics (cssp_tls) before its port table. From 4.6
     * (the preference tls.try_heuristic_first, default 443) it takes the port table first on other ports,
     * so TLS's 3389 -> TPKT mapping would send TSRequests past the plugin to the built-in credssp. On such a
     * TLS the plugin's cssp takes tls.port 3389 instead: it is what the session gets in the default path
     * anyway (TSRequests decoded here, every other PDU handed to TPKT).
     */
    module_t *tls_module = prefs_find_module("tls");
    if (tls_module && prefs_find_preference(tls_module, "try_heuristic_first"))
        dissector_add_uint("tls.port", CSSP_RDP_PORT, find_dissector("cssp"));
    heur_dissector_add("tcp", heur_rdp_connection, "RDP connection with CredSSP analysis (cssp plugin)", "cssp_tcp",
                       proto_cssp, HEURISTIC_ENABLE);
}
