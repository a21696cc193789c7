/*
 * cssp-rdg.c - the RD Gateway HTTP transport and the RDP connection it tunnels (see cssp-rdg.h).
 *
 * Wireshark 4.0 has no dissector for it, and its HTTP dissector does not take mstsc's request: the method
 * RDG_OUT_DATA is not one it knows, so the request shows as nothing, and the WebSocket upgrade that follows
 * is never set up (HTTP only upgrades after a request it parsed). The plugin therefore claims the session at
 * the TLS layer, before HTTP: its heuristic reads the first decrypted client record with the shared HTTP
 * decoder and pins the TLS session to "cssp_rdg" when it is an RD Gateway request (RDG_OUT_DATA, RDG_IN_DATA,
 * or GET with Upgrade: websocket on /remoteDesktopGateway/).
 *
 * On the first pass each record's plaintext goes through the shared reader (lib/wire/rdg_stream.c), in order per
 * direction; what it finds (heads, tunnel packets unmasked, problems) is stored with the frame, and every pass
 * shows the stored items. The DATA bytes are the tunnelled RDP connection: cut into X.224 PDUs until the
 * inner TLS starts (each shown by "cssp_rdp": TPKT/COTP/RDP and the negotiation's analysis), then into whole
 * TLS records (lib/wire/tls_framer.c: Wireshark's TLS reassembles records only over TCP). Those go to Wireshark's
 * TLS dissector on a conversation of their own (TLS keeps one session per conversation, and the gateway's
 * is already on this one), which decrypts them when the key log holds the inner session's secrets and hands
 * the TSRequests to "cssp"; and to the observer (cssp-observer.c), which feeds the verdict engine the
 * ServerHello, the records TLS did not decrypt, and alerts (docs/plugin.md, "RD Gateway").
 */
#include "cssp-rdg.h"

#include <string.h>

#include <epan/conversation.h>
#include <epan/expert.h>
#include <epan/proto.h>
#include <epan/proto_data.h>

#include "cssp-rdg-inner.h"
#include "cssp-state.h"
#include "cssp/gateway.h"
#include "cssp/names.h"
#include "cssp/rdg_stream.h"
#include "ws-compat.h"

#define CALL_COUNTER_KEY 0x7ffffffeu
#define TSGU_DATA_HEADER_LEN (CSSP_TSGU_HEADER_LEN + 2)  /* header, cbDataLen */
#define HRESULT_FAILED(h) (((h) & 0x80000000u) != 0)

static int proto_rdg = -1;
static int hf_head = -1;
static int hf_packet = -1;
static int hf_http_request = -1;
static int hf_http_status = -1;
static int hf_http_auth = -1;
static int hf_type = -1;
static int hf_length = -1;
static int hf_status = -1;
static int hf_version = -1;
static int hf_extended_auth = -1;
static int hf_caps = -1;
static int hf_paa_cookie = -1;
static int hf_tunnel_id = -1;
static int hf_client_name = -1;
static int hf_resource = -1;
static int hf_port = -1;
static int hf_protocol = -1;
static int hf_target = -1;
static int hf_channel_id = -1;
static int hf_data = -1;
static int ett_rdg = -1;
static int ett_head = -1;
static int ett_packet = -1;
static expert_field ei_refused = EI_INIT;
static expert_field ei_close_status = EI_INIT;
static expert_field ei_http_challenge = EI_INIT;
static expert_field ei_problem = EI_INIT;

static dissector_handle_t rdg_handle;

/* ---- what the first pass stores with a frame ---- */

typedef enum item_kind { ITEM_HEAD, ITEM_PACKET, ITEM_PROBLEM } item_kind;

typedef struct rdg_item {
    item_kind kind;
    cssp_dir dir;
    const uint8_t *bytes;     /* HEAD, PACKET: a file scope copy (a packet unmasked) */
    size_t len;
    const char *problem;      /* PROBLEM: static text */
    const cssp_rdg_unit *units;  /* DATA: filled when the first pass shows it */
    bool units_cut;
    struct rdg_item *next;
} rdg_item;

typedef struct rdg_conv {
    cssp_gateway facts;
    rdg_stream *stream;       /* first pass; freed with the capture file */
    cssp_rdg_inner *inner;    /* the RDP connection its DATA packets carry */
    address client_addr;
    uint32_t client_port;
    rdg_item *collected;      /* the items of the record being read (first pass) */
    rdg_item **collect_tail;
} rdg_conv;

static cssp_dir sender_of(const rdg_conv *rc, const packet_info *pinfo)
{
    bool from_client = addresses_equal(&pinfo->src, &rc->client_addr) && pinfo->srcport == rc->client_port;
    return from_client ? CSSP_FROM_CLIENT : CSSP_FROM_SERVER;
}

static rdg_item *add_item(rdg_conv *rc, item_kind kind, cssp_dir dir, const uint8_t *bytes, size_t len)
{
    rdg_item *item = wmem_new0(wmem_file_scope(), rdg_item);
    item->kind = kind;
    item->dir = dir;
    if (bytes) {
        item->bytes = wmem_memdup(wmem_file_scope(), bytes, len);
        item->len = len;
    }
    *rc->collect_tail = item;
    rc->collect_tail = &item->next;
    return item;
}

/* ---- the shared reader's findings ---- */

static void on_recognised(void *ctx _U_, rdg_channel channel _U_, const char *connection_id _U_)
{
}

static void on_not_gateway(void *ctx _U_)
{
}

static void on_head(void *ctx, cssp_dir dir, const cssp_http_head *head, const uint8_t *data)
{
    add_item(ctx, ITEM_HEAD, dir, data, head->head_len);
}

static void on_packet(void *ctx, cssp_dir dir, const cssp_tsgu_packet *packet _U_, const uint8_t *bytes, size_t len)
{
    add_item(ctx, ITEM_PACKET, dir, bytes, len);
}

static void on_problem(void *ctx, const char *problem)
{
    rdg_item *item = add_item(ctx, ITEM_PROBLEM, CSSP_FROM_CLIENT, NULL, 0);
    item->problem = problem;
}

static const rdg_stream_sink stream_sink = {
    .recognised = on_recognised,
    .not_gateway = on_not_gateway,
    .head = on_head,
    .packet = on_packet,
    .problem = on_problem,
};

static cssp_ws_bool free_conv(wmem_allocator_t *allocator _U_, wmem_cb_event_t event _U_, void *user)
{
    rdg_conv *rc = user;
    rdg_stream_free(rc->stream);
    return false;
}

static rdg_conv *conv_of(packet_info *pinfo)
{
    conversation_t *conversation = find_conversation_pinfo(pinfo, 0);
    return conversation ? conversation_get_proto_data(conversation, proto_rdg) : NULL;
}

/* First pass, at the client's request: the gateway connection, and the RDP connection it will carry. */
static rdg_conv *conv_new(packet_info *pinfo)
{
    rdg_conv *rc = wmem_new0(wmem_file_scope(), rdg_conv);
    rc->stream = rdg_stream_new(&rc->facts, &stream_sink, rc);
    rc->inner = cssp_rdg_inner_new();
    copy_address_wmem(wmem_file_scope(), &rc->client_addr, &pinfo->src);
    rc->client_port = pinfo->srcport;
    wmem_register_callback(wmem_file_scope(), free_conv, rc);
    conversation_add_proto_data(find_or_create_conversation(pinfo), proto_rdg, rc);
    cssp_conv_get(pinfo)->tunnelled = true;
    return rc;
}

/* First pass: reads one record's plaintext; returns the items it completed (NULL for none). */
static rdg_item *collect(rdg_conv *rc, tvbuff_t *tvb, packet_info *pinfo)
{
    rc->collected = NULL;
    rc->collect_tail = &rc->collected;
    int len = (int)tvb_captured_length(tvb);
    if (len > 0 && !rdg_stream_stopped(rc->stream))
        rdg_stream_feed(rc->stream, sender_of(rc, pinfo), tvb_get_ptr(tvb, 0, len), (size_t)len);
    return rc->collected;
}

/* ---- the tunnelled RDP connection ---- */

/* ---- the tree ---- */

static void format_status(gchar *result, guint32 value)
{
    char name[48];
    snprintf(result, ITEM_LABEL_LENGTH, "%s (0x%08X)", cssp_format_tsgu_status(value, name, sizeof name), value);
}

static void format_type(gchar *result, guint32 value)
{
    const char *name = cssp_tsgu_packet_name((uint16_t)value);
    snprintf(result, ITEM_LABEL_LENGTH, "%s (0x%X)", name ? name : "unknown", value);
}

static void format_extended_auth(gchar *result, guint32 value)
{
    char names[128];
    cssp_format_bits(cssp_tsgu_extended_auth_names, value, "|", names, sizeof names);
    snprintf(result, ITEM_LABEL_LENGTH, "%s (0x%X)", names[0] ? names : "HTTP_EXTENDED_AUTH_NONE", value);
}

static const char *stage_answered(uint16_t type)
{
    switch (type) {
    case CSSP_TSGU_HANDSHAKE_RESPONSE: return cssp_gateway_stage_name(CSSP_GW_HANDSHAKE);
    case CSSP_TSGU_TUNNEL_RESPONSE: return cssp_gateway_stage_name(CSSP_GW_TUNNEL);
    case CSSP_TSGU_TUNNEL_AUTH_RESPONSE: return cssp_gateway_stage_name(CSSP_GW_AUTHORIZATION);
    case CSSP_TSGU_CHANNEL_RESPONSE: return cssp_gateway_stage_name(CSSP_GW_CHANNEL);
    default: return NULL;
    }
}

static void add_status(proto_tree *t, tvbuff_t *tvb, int body, packet_info *pinfo, const cssp_tsgu_packet *p,
                       proto_item *packet_item)
{
    if (!p->has_status)
        return;
    /* HANDSHAKE_RESPONSE and the *_RESPONSEs open with errorCode/statusCode; TUNNEL_RESPONSE after serverVersion */
    int at = body + (p->type == CSSP_TSGU_TUNNEL_RESPONSE ? 2 : 0);
    proto_item *si = proto_tree_add_uint(t, hf_status, tvb, at, 4, p->status);
    char name[48];
    const cssp_name *n = cssp_name_lookup(cssp_tsgu_status_names, p->status);
    const char *stage = stage_answered(p->type);
    proto_item_append_text(packet_item, " %s", cssp_format_tsgu_status(p->status, name, sizeof name));
    if (stage && HRESULT_FAILED(p->status))
        expert_add_info_format(pinfo, si, &ei_refused, "The RD Gateway refused the %s step: %s%s%s", stage, name,
                               n ? ": " : "", n ? n->text : "");
    else if (!stage && p->status != 0)
        expert_add_info_format(pinfo, si, &ei_close_status, "The channel was closed with %s%s%s", name,
                               n ? ": " : "", n ? n->text : "");
}

static void add_packet_fields(proto_tree *t, proto_item *pi, tvbuff_t *tvb, packet_info *pinfo,
                              const cssp_tsgu_packet *p, char *info, size_t info_size)
{
    int body = CSSP_TSGU_HEADER_LEN, body_len = (int)p->length - CSSP_TSGU_HEADER_LEN;
    proto_tree_add_uint(t, hf_type, tvb, 0, 2, p->type);
    proto_tree_add_uint(t, hf_length, tvb, 4, 4, p->length);
    add_status(t, tvb, body, pinfo, p, pi);
    switch (p->type) {
    case CSSP_TSGU_HANDSHAKE_REQUEST:
    case CSSP_TSGU_HANDSHAKE_RESPONSE:
        proto_tree_add_string_format_value(t, hf_version, tvb, body, body_len, "", "%u.%u", p->version_major,
                                           p->version_minor);
        proto_tree_add_uint(t, hf_extended_auth, tvb, body, body_len, p->extended_auth);
        break;
    case CSSP_TSGU_TUNNEL_CREATE:
        proto_tree_add_uint(t, hf_caps, tvb, body, 4, p->caps);
        proto_tree_add_boolean(t, hf_paa_cookie, tvb, body, body_len, p->has_paa_cookie);
        break;
    case CSSP_TSGU_TUNNEL_RESPONSE:
        if (p->has_tunnel_id)
            proto_tree_add_uint(t, hf_tunnel_id, tvb, body, body_len, p->tunnel_id);
        break;
    case CSSP_TSGU_TUNNEL_AUTH:
        proto_tree_add_string(t, hf_client_name, tvb, body, body_len, p->client_name);
        break;
    case CSSP_TSGU_CHANNEL_CREATE: {
        char target[CSSP_GATEWAY_TARGET_MAX];
        snprintf(target, sizeof target, "%s:%u", p->resource, p->port);
        proto_tree_add_string(t, hf_resource, tvb, body, body_len, p->resource);
        proto_tree_add_uint(t, hf_port, tvb, body + 2, 2, p->port);
        proto_tree_add_uint(t, hf_protocol, tvb, body + 4, 2, p->protocol);
        proto_item_set_generated(proto_tree_add_string(t, hf_target, tvb, body, body_len, target));
        proto_item_append_text(pi, " %s", target);
        g_strlcat(info, " ", info_size);
        g_strlcat(info, target, info_size);
        break;
    }
    case CSSP_TSGU_CHANNEL_RESPONSE:
        if (p->has_channel_id)
            proto_tree_add_uint(t, hf_channel_id, tvb, body, body_len, p->channel_id);
        break;
    case CSSP_TSGU_DATA:
        proto_tree_add_uint(t, hf_data, tvb, TSGU_DATA_HEADER_LEN, (int)p->data_len, (guint32)p->data_len);
        proto_item_append_text(pi, ", %zu bytes", p->data_len);
        break;
    default:
        break;
    }
}

/* Every pass: the tunnelled connection's bytes in a DATA packet; the first pass cuts them. */
static void show_data(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, rdg_conv *rc, rdg_item *item)
{
    if (!PINFO_FD_VISITED(pinfo) && !item->units_cut) {
        item->units_cut = true;
        item->units = cssp_rdg_inner_cut(rc->inner, item->dir, item->bytes + TSGU_DATA_HEADER_LEN,
                                         item->len - TSGU_DATA_HEADER_LEN);
    }
    cssp_rdg_inner_show(rc->inner, item->dir, item->units, tvb, pinfo, tree);
}

static void show_packet(tvbuff_t *tvb, int offset, packet_info *pinfo, proto_tree *tree, rdg_conv *rc,
                        rdg_item *item)
{
    tvbuff_t *ptvb = tvb_new_subset_length(tvb, offset, (int)item->len);
    cssp_tsgu_packet p;
    if (cssp_tsgu_decode(item->bytes, item->len, &p) != CSSP_OK)
        return; /* the reader only hands on packets that decoded */
    const char *name = cssp_tsgu_packet_name(p.type);
    char info[CSSP_GATEWAY_TARGET_MAX + 48];
    snprintf(info, sizeof info, "%s", name ? name : "unknown packet");
    proto_item *pi = proto_tree_add_none_format(tree, hf_packet, ptvb, 0, (int)item->len, "%s (%s)", info,
                                                item->dir == CSSP_FROM_CLIENT ? "client" : "gateway");
    proto_tree *t = proto_item_add_subtree(pi, ett_packet);
    add_packet_fields(t, pi, ptvb, pinfo, &p, info, sizeof info);
    col_append_sep_str(pinfo->cinfo, COL_INFO, ", ", info);
    col_set_fence(pinfo->cinfo, COL_INFO);
    if (p.type == CSSP_TSGU_DATA && p.data_len)
        show_data(ptvb, pinfo, t, rc, item);
}

static void show_head(tvbuff_t *tvb, int offset, packet_info *pinfo, proto_tree *tree, const rdg_item *item)
{
    tvbuff_t *htvb = tvb_new_subset_length(tvb, offset, (int)item->len);
    cssp_http_head h;
    if (cssp_http_head_decode(item->bytes, item->len, &h) != CSSP_OK)
        return;
    const uint8_t *v;
    size_t vlen;
    const char *auth = NULL;
    if (cssp_http_field_value(&h, item->bytes, h.is_request ? "Authorization" : "WWW-Authenticate", &v, &vlen))
        auth = cssp_http_auth_name(cssp_http_auth_scheme(v, vlen));
    char line[CSSP_HTTP_METHOD_MAX + CSSP_HTTP_TARGET_MAX + 8];
    if (h.is_request)
        snprintf(line, sizeof line, "%s %s", h.method, h.target);
    else
        snprintf(line, sizeof line, "HTTP %u", h.status);
    proto_item *hi = proto_tree_add_none_format(tree, hf_head, htvb, 0, (int)item->len, "HTTP %s: %s",
                                                h.is_request ? "request" : "response", line);
    proto_tree *t = proto_item_add_subtree(hi, ett_head);
    if (h.is_request)
        proto_tree_add_string(t, hf_http_request, htvb, 0, (int)item->len, line);
    else
        proto_tree_add_uint(t, hf_http_status, htvb, 0, (int)item->len, h.status);
    if (auth) {
        proto_tree_add_string(t, hf_http_auth, htvb, 0, (int)item->len, auth);
        proto_item_append_text(hi, " (%s)", auth);
    }
    if (!h.is_request && h.status == 401)
        expert_add_info_format(pinfo, hi, &ei_http_challenge, "The RD Gateway asks the client to authenticate%s%s",
                               auth ? " with " : "", auth ? auth : "");
    col_append_sep_str(pinfo->cinfo, COL_INFO, ", ", line);
    col_set_fence(pinfo->cinfo, COL_INFO);
}

/* The item bytes of one call, back to back: the tree's byte spans point into them (NULL: none, problems only). */
static tvbuff_t *items_tvb(tvbuff_t *tvb, packet_info *pinfo, const rdg_item *items)
{
    size_t total = 0;
    for (const rdg_item *i = items; i; i = i->next)
        total += i->len;
    if (total == 0 || total > G_MAXINT)
        return NULL;
    uint8_t *all = wmem_alloc(pinfo->pool, total);
    size_t at = 0;
    for (const rdg_item *i = items; i; i = i->next) {
        if (i->len)
            memcpy(all + at, i->bytes, i->len);
        at += i->len;
    }
    tvbuff_t *out = tvb_new_child_real_data(tvb, all, (guint)total, (gint)total);
    add_new_data_source(pinfo, out, "RD Gateway tunnel");
    return out;
}

static uint32_t next_call_key(packet_info *pinfo)
{
    uintptr_t used = GPOINTER_TO_UINT(p_get_proto_data(pinfo->pool, pinfo, proto_rdg, CALL_COUNTER_KEY));
    p_set_proto_data(pinfo->pool, pinfo, proto_rdg, CALL_COUNTER_KEY, GUINT_TO_POINTER(used + 1));
    return (uint32_t)used;
}

static int dissect_rdg(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    rdg_conv *rc = conv_of(pinfo);
    if (!rc)
        return 0;
    uint32_t call = next_call_key(pinfo);
    rdg_item *items;
    if (!PINFO_FD_VISITED(pinfo)) {
        items = collect(rc, tvb, pinfo);
        if (items)
            p_add_proto_data(wmem_file_scope(), pinfo, proto_rdg, call, items);
    } else {
        items = p_get_proto_data(wmem_file_scope(), pinfo, proto_rdg, call);
    }
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "RDG");
    if (call == 0)
        col_clear(pinfo->cinfo, COL_INFO);
    proto_item *ti = proto_tree_add_item(tree, proto_rdg, tvb, 0, -1, ENC_NA);
    proto_tree *rt = proto_item_add_subtree(ti, ett_rdg);
    if (!items) {
        proto_item_append_text(ti, ", no whole HTTP head or tunnel packet in this record");
        col_append_sep_str(pinfo->cinfo, COL_INFO, ", ", "RD Gateway (continued)");
        return (int)tvb_captured_length(tvb);
    }
    tvbuff_t *itvb = items_tvb(tvb, pinfo, items);
    int offset = 0;
    for (rdg_item *item = items; item; item = item->next) {
        if (item->kind == ITEM_HEAD)
            show_head(itvb, offset, pinfo, rt, item);
        else if (item->kind == ITEM_PACKET)
            show_packet(itvb, offset, pinfo, rt, rc, item);
        else
            proto_tree_add_expert_format(rt, pinfo, &ei_problem, tvb, 0, 0, "RD Gateway tunnel: %s",
                                         item->problem);
        offset += (int)item->len;
    }
    return (int)tvb_captured_length(tvb);
}

/* The first decrypted client record of a TLS session: an RD Gateway request pins the session here. */
static cssp_ws_bool heur_rdg_tls(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    int len = (int)tvb_captured_length(tvb);
    /* every record of other HTTPS comes here: only a request line that can be a gateway's is decoded */
    if (len < 4 || conv_of(pinfo) ||
        (tvb_memeql(tvb, 0, (const guint8 *)"RDG_", 4) != 0 && tvb_memeql(tvb, 0, (const guint8 *)"GET ", 4) != 0))
        return false;
    int head_len = len < CSSP_HTTP_MAX_HEAD ? len : CSSP_HTTP_MAX_HEAD;
    const uint8_t *bytes = tvb_memdup(pinfo->pool, tvb, 0, head_len);
    cssp_http_head head;
    cssp_gateway_transport transport;
    if (cssp_http_head_decode(bytes, (size_t)head_len, &head) != CSSP_OK || !head.is_request ||
        !cssp_gateway_request(&head, bytes, &transport))
        return false;
    conv_new(pinfo);
    cssp_ws_tls_pin_app(data, rdg_handle);
    dissect_rdg(tvb, pinfo, tree, NULL);
    return true;
}

void cssp_rdg_register(void)
{
    static hf_register_info hf[] = {
        {&hf_head, {"HTTP message head", "cssp_rdg.http", FT_NONE, BASE_NONE, NULL, 0,
                    "An HTTP request or response head of the gateway connection (before the tunnel opens)", HFILL}},
        {&hf_packet, {"Tunnel packet", "cssp_rdg.packet", FT_NONE, BASE_NONE, NULL, 0,
                      "One MS-TSGU HTTP transport packet, as carried in a WebSocket message or a legacy body "
                      "(unmasked)", HFILL}},
        {&hf_http_request, {"HTTP request", "cssp_rdg.http.request", FT_STRING, BASE_NONE, NULL, 0,
                            "The client's request line to the RD Gateway: RDG_OUT_DATA / RDG_IN_DATA, or GET with "
                            "a WebSocket upgrade, on /remoteDesktopGateway/", HFILL}},
        {&hf_http_status, {"HTTP status", "cssp_rdg.http.status", FT_UINT16, BASE_DEC, NULL, 0,
                           "The RD Gateway's answer: 401 asks for authentication, 101 switches to WebSocket, 200 "
                           "opens a legacy channel", HFILL}},
        {&hf_http_auth, {"HTTP authentication scheme", "cssp_rdg.http.auth", FT_STRING, BASE_NONE, NULL, 0,
                         "The scheme of the client's Authorization or the gateway's WWW-Authenticate (Negotiate, "
                         "NTLM, Basic, ...)", HFILL}},
        {&hf_type, {"Packet type", "cssp_rdg.type", FT_UINT16, BASE_CUSTOM, CF_FUNC(format_type), 0,
                    "The MS-TSGU HTTP transport packet type (HANDSHAKE_REQUEST ... CLOSE_CHANNEL)", HFILL}},
        {&hf_length, {"Packet length", "cssp_rdg.length", FT_UINT32, BASE_DEC, NULL, 0,
                      "packetLength: the whole tunnel packet, its 8-byte header included", HFILL}},
        {&hf_status, {"Status", "cssp_rdg.status", FT_UINT32, BASE_CUSTOM, CF_FUNC(format_status), 0,
                      "The HRESULT of a gateway response or of CLOSE_CHANNEL: S_OK, or the E_PROXY_* reason of a "
                      "refusal", HFILL}},
        {&hf_version, {"Protocol version", "cssp_rdg.version", FT_STRING, BASE_NONE, NULL, 0,
                       "The HTTP transport version of the handshake (major.minor)", HFILL}},
        {&hf_extended_auth, {"Extended authentication", "cssp_rdg.extended_auth", FT_UINT16, BASE_CUSTOM,
                             CF_FUNC(format_extended_auth), 0,
                             "The extended authentication the client offers or the gateway selects: smart card, "
                             "PAA cookie, NTLM through SSPI", HFILL}},
        {&hf_caps, {"Capabilities", "cssp_rdg.caps", FT_UINT32, BASE_HEX, NULL, 0,
                    "TUNNEL_CREATE capsFlags: the tunnel features the client supports", HFILL}},
        {&hf_paa_cookie, {"PAA cookie present", "cssp_rdg.paa_cookie", FT_BOOLEAN, BASE_NONE, NULL, 0,
                          "The client authenticates with a pluggable authentication cookie (not shown: it is a "
                          "credential)", HFILL}},
        {&hf_tunnel_id, {"Tunnel id", "cssp_rdg.tunnel_id", FT_UINT32, BASE_DEC, NULL, 0,
                         "The tunnel id the gateway assigned (TUNNEL_RESPONSE)", HFILL}},
        {&hf_client_name, {"Client name", "cssp_rdg.client_name", FT_STRING, BASE_NONE, NULL, 0,
                           "The client machine name sent for the connection authorization policy (TUNNEL_AUTH), "
                           "as printable ASCII", HFILL}},
        {&hf_resource, {"Target resource", "cssp_rdg.resource", FT_STRING, BASE_NONE, NULL, 0,
                        "The first resource name the client asks the gateway to connect to (CHANNEL_CREATE), as "
                        "printable ASCII", HFILL}},
        {&hf_port, {"Target port", "cssp_rdg.port", FT_UINT16, BASE_DEC, NULL, 0,
                    "The TCP port of the target the gateway connects to (CHANNEL_CREATE)", HFILL}},
        {&hf_protocol, {"Target protocol", "cssp_rdg.protocol", FT_UINT16, BASE_DEC, NULL, 0,
                        "The protocol of the channel (CHANNEL_CREATE): 3 is RDP", HFILL}},
        {&hf_target, {"Target", "cssp_rdg.target", FT_STRING, BASE_NONE, NULL, 0,
                      "The target the client asked the gateway for, as resource:port", HFILL}},
        {&hf_channel_id, {"Channel id", "cssp_rdg.channel_id", FT_UINT32, BASE_DEC, NULL, 0,
                          "The channel id the gateway assigned (CHANNEL_RESPONSE)", HFILL}},
        {&hf_data, {"Tunnelled bytes", "cssp_rdg.data_length", FT_UINT32, BASE_DEC, NULL, 0,
                    "The bytes of the RDP connection this DATA packet carries (cbDataLen)", HFILL}},
    };
    static int *ett[] = {&ett_rdg, &ett_head, &ett_packet};
    static ei_register_info ei[] = {
        {&ei_refused, {"cssp_rdg.refused", PI_RESPONSE_CODE, PI_ERROR,
                       "The RD Gateway refused a step of the tunnel set-up", EXPFILL}},
        {&ei_close_status, {"cssp_rdg.close_status", PI_RESPONSE_CODE, PI_NOTE,
                            "The channel was closed with an error status", EXPFILL}},
        {&ei_http_challenge, {"cssp_rdg.http.challenge", PI_RESPONSE_CODE, PI_NOTE,
                              "The RD Gateway asks the client to authenticate (401)", EXPFILL}},
        {&ei_problem, {"cssp_rdg.problem", PI_MALFORMED, PI_WARN,
                       "The RD Gateway tunnel breaks its framing rules", EXPFILL}},
    };
    proto_rdg = proto_register_protocol("RD Gateway HTTP transport (MS-TSGU, cssp plugin)", "RDG", "cssp_rdg");
    proto_register_field_array(proto_rdg, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_rdg), ei, array_length(ei));
    rdg_handle = register_dissector("cssp_rdg", dissect_rdg, proto_rdg);
    cssp_rdg_inner_register(proto_rdg);
}

void cssp_rdg_handoff(void)
{
    cssp_rdg_inner_handoff(proto_rdg);
    heur_dissector_add("tls", heur_rdg_tls, "RD Gateway HTTP transport (cssp plugin)", "cssp_rdg_tls", proto_rdg,
                       HEURISTIC_ENABLE);
}
