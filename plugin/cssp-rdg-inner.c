/*
 * cssp-rdg-inner.c - the RDP connection inside an RD Gateway tunnel (see cssp-rdg-inner.h).
 *
 * Two things keep Wireshark's TLS dissector from running on a tunnel's DATA stream as it is: it keeps one TLS
 * session per conversation, and the gateway's own TLS is the session of the TCP conversation the DATA packets
 * arrive on; and it reassembles a record split over packets only by asking TCP below it. So the records are
 * cut here (lib/wire/tls_framer.c) and handed to TLS whole, on a conversation of their own: the gateway
 * connection's addresses with its ports moved by CSSP_TUNNEL_PORT_OFFSET, which shares the gateway
 * connection's RDP state (cssp_conv_share), so that "cssp" judges the TSRequests TLS decrypts there.
 */
#include "cssp-rdg-inner.h"

#include <epan/expert.h>
#include <epan/proto.h>

#include "cssp-connection-tree.h"
#include "cssp-observer-wire.h"
#include "cssp-observer.h"
#include "cssp-state.h"
#include "cssp-stats.h"
#include "cssp/tls_framer.h"
#include "cssp/x224.h"
#include "ws-compat.h"

#define TPKT_VERSION 3
#define TLS_START_BYTES 3        /* what tls_record_start() needs to decide */

static int hf_inner_tls = -1;
static int hf_inner_other = -1;
static int ett_inner = -1;
static expert_field ei_inner_not_followed = EI_INIT;
static dissector_handle_t rdp_handle;
static dissector_handle_t tls_handle;

typedef enum unit_kind {
    UNIT_X224,    /* one TPKT PDU before the inner TLS */
    UNIT_TLS,     /* bytes of the inner TLS record layer */
    UNIT_OTHER    /* bytes that are neither: the tunnelled connection is not followed further that way */
} unit_kind;

/* What one DATA packet's payload completed of its side of the tunnelled connection. */
struct cssp_rdg_unit {
    unit_kind kind;
    const uint8_t *bytes;     /* file scope copy: a TPKT PDU or whole TLS records may span DATA packets */
    size_t len;
    struct cssp_rdg_unit *next;
};

/* One side of the tunnelled connection: bytes waiting to be a whole TPKT PDU, then TLS records. */
typedef struct inner_side {
    GByteArray *pending;      /* before the TLS: at most one TPKT PDU and one payload */
    bool in_tls;
    tls_framer framer;        /* from the TLS on: a record split across DATA packets, at most 18 KiB */
    bool lost;
} inner_side;

struct cssp_rdg_inner {
    inner_side side[2];
    cssp_observer_wire *wire;          /* the TLS records, for the observer */
};

static cssp_rdg_unit *add_unit(cssp_rdg_unit ***tail, unit_kind kind, const uint8_t *bytes, size_t len)
{
    cssp_rdg_unit *u = wmem_new0(wmem_file_scope(), cssp_rdg_unit);
    u->kind = kind;
    u->bytes = wmem_memdup(wmem_file_scope(), bytes, len);
    u->len = len;
    **tail = u;
    *tail = &u->next;
    return u;
}

static bool append_record(void *user, const tls_record_header *header, const uint8_t *fragment, size_t len)
{
    GByteArray *records = user;
    g_byte_array_append(records, header->bytes, TLS_RECORD_HEADER_LEN);
    g_byte_array_append(records, fragment, (guint)len);
    return true;
}

/* The whole TLS records these bytes complete, as one unit (Wireshark's TLS reassembles only over TCP). */
static void cut_records(inner_side *side, cssp_rdg_unit ***tail, const uint8_t *bytes, size_t len)
{
    GByteArray *records = g_byte_array_new();
    if (tls_framer_feed(&side->framer, bytes, len, append_record, records) != TLS_FRAMER_OK) {
        side->lost = true;
        tls_framer_reset(&side->framer);
        add_unit(tail, UNIT_OTHER, bytes, len);
    }
    if (records->len)
        add_unit(tail, UNIT_TLS, records->data, records->len);
    g_byte_array_free(records, TRUE);
}

/*
 * First pass: cuts a DATA payload into the units of its side: whole TPKT PDUs (X.224) until the side's
 * bytes open a TLS record, then whole TLS records. A TPKT PDU is at most 65535 bytes, so what waits is
 * bounded by that and one payload.
 */
const cssp_rdg_unit *cssp_rdg_inner_cut(cssp_rdg_inner *in, cssp_dir dir, const uint8_t *payload, size_t len)
{
    inner_side *side = &in->side[dir];
    cssp_rdg_unit *units = NULL, **tail = &units;
    if (side->lost || len == 0)
        return NULL;
    if (side->in_tls) {
        cut_records(side, &tail, payload, len);
        return units;
    }
    GByteArray *p = side->pending;
    g_byte_array_append(p, payload, (guint)len);
    size_t at = 0;
    while (at < p->len) {
        const uint8_t *b = p->data + at;
        size_t avail = p->len - at;
        if (tls_record_start(b, avail)) {
            side->in_tls = true;
            cut_records(side, &tail, b, avail);
            at = p->len;
            break;
        }
        if (b[0] != TPKT_VERSION && avail < TLS_START_BYTES)
            break;
        size_t pdu_len = 0;
        cssp_status st = b[0] == TPKT_VERSION ? cssp_tpkt_size(b, avail, &pdu_len) : CSSP_ERR_NOT_RECOGNISED;
        if (st == CSSP_ERR_TRUNCATED || (st == CSSP_OK && pdu_len > avail))
            break;
        if (st != CSSP_OK) {
            side->lost = true;
            add_unit(&tail, UNIT_OTHER, b, avail);
            at = p->len;
            break;
        }
        add_unit(&tail, UNIT_X224, b, pdu_len);
        at += pdu_len;
    }
    g_byte_array_remove_range(p, 0, (guint)at);
    return units;
}

/*
 * Whole records of the tunnelled TLS go to Wireshark's TLS dissector on the tunnel's own conversation (the
 * gateway connection's ports moved by CSSP_TUNNEL_PORT_OFFSET, sharing its RDP connection): TLS decrypts
 * them when the key log has the inner session's secrets and hands the plaintext to "cssp" as on 3389. The
 * observer then reads the same records for the events TLS does not give (ServerHello, sizes of the records
 * it did not decrypt, alerts).
 */
static guint8 call_inner_tls(tvbuff_t *records, packet_info *pinfo, proto_tree *tree, cssp_conv *conv)
{
    guint32 src_port = pinfo->srcport, dst_port = pinfo->destport;
    pinfo->srcport += CSSP_TUNNEL_PORT_OFFSET;
    pinfo->destport += CSSP_TUNNEL_PORT_OFFSET;
    if (!PINFO_FD_VISITED(pinfo))
        cssp_conv_share(conv, pinfo);
    guint8 layer = (guint8)(pinfo->curr_layer_num + 1);
    pinfo->can_desegment = 0;
    call_dissector(tls_handle, records, pinfo, tree);
    pinfo->srcport = src_port;
    pinfo->destport = dst_port;
    return layer;
}

static void show_inner_tls(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, cssp_rdg_inner *in, cssp_dir dir,
                           const cssp_rdg_unit *u)
{
    tvbuff_t *records = tvb_new_child_real_data(tvb, u->bytes, (guint)u->len, (gint)u->len);
    add_new_data_source(pinfo, records, "Tunnelled TLS");
    proto_item *ti = proto_tree_add_uint(tree, hf_inner_tls, records, 0, (int)u->len, (guint32)u->len);
    cssp_conv *conv = cssp_conv_get(pinfo);
    guint8 layer = call_inner_tls(records, pinfo, tree, conv);
    uint32_t key = cssp_next_pdu_key(pinfo);
    const cssp_view *view;
    if (!PINFO_FD_VISITED(pinfo))
        view = cssp_observer_tunnel_bytes(conv, in->wire, pinfo, key, dir, u->bytes, u->len, layer);
    else
        view = cssp_view_get(pinfo, key);
    proto_item *shown_item;
    const cssp_view *shown = cssp_connection_tree_shown(pinfo, &shown_item);
    if (!view)
        return;
    cssp_stats_queue(pinfo, view, false, 0);
    /* a TSRequest TLS just decrypted already showed this judgement: shown once */
    if (shown && cssp_connection_tree_same(shown, view))
        return;
    proto_tree *t = proto_item_add_subtree(ti, ett_inner);
    cssp_connection_tree_show(t, ti, records, pinfo, view, false);
}

void cssp_rdg_inner_show(cssp_rdg_inner *in, cssp_dir dir, const cssp_rdg_unit *units, tvbuff_t *tvb,
                         packet_info *pinfo, proto_tree *tree)
{
    for (const cssp_rdg_unit *u = units; u; u = u->next) {
        if (u->kind == UNIT_TLS) {
            show_inner_tls(tvb, pinfo, tree, in, dir, u);
            continue;
        }
        if (u->kind == UNIT_OTHER) {
            proto_item *oi = proto_tree_add_uint(tree, hf_inner_other, tvb, 0, 0, (guint32)u->len);
            expert_add_info(pinfo, oi, &ei_inner_not_followed);
            continue;
        }
        tvbuff_t *pdu = tvb_new_child_real_data(tvb, u->bytes, (guint)u->len, (gint)u->len);
        add_new_data_source(pinfo, pdu, "Tunnelled X.224");
        col_append_str(pinfo->cinfo, COL_INFO, ", ");
        col_set_fence(pinfo->cinfo, COL_INFO);
        pinfo->can_desegment = 0;
        call_dissector(rdp_handle, pdu, pinfo, tree);
    }
}

static cssp_ws_bool free_inner(wmem_allocator_t *allocator _U_, wmem_cb_event_t event _U_, void *user)
{
    cssp_rdg_inner *in = user;
    for (int d = 0; d < 2; d++) {
        g_byte_array_free(in->side[d].pending, TRUE);
        tls_framer_reset(&in->side[d].framer);
    }
    return false;
}

cssp_rdg_inner *cssp_rdg_inner_new(void)
{
    cssp_rdg_inner *in = wmem_new0(wmem_file_scope(), cssp_rdg_inner);
    for (int d = 0; d < 2; d++)
        in->side[d].pending = g_byte_array_new();
    in->wire = cssp_observer_wire_new();
    wmem_register_callback(wmem_file_scope(), free_inner, in);
    return in;
}

void cssp_rdg_inner_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_inner_tls, {"Tunnelled TLS bytes", "cssp_rdg.inner_tls", FT_UINT32, BASE_DEC, NULL, 0,
                         "Whole TLS records of the tunnelled connection that this DATA packet completes (decrypted "
                         "by Wireshark's TLS when the key log holds the inner session's secrets)", HFILL}},
        {&hf_inner_other, {"Tunnelled bytes not followed", "cssp_rdg.inner_other", FT_UINT32, BASE_DEC, NULL, 0,
                           "Bytes of the tunnelled connection that are neither X.224 nor TLS", HFILL}},
    };
    static int *ett[] = {&ett_inner};
    static ei_register_info ei[] = {
        {&ei_inner_not_followed, {"cssp_rdg.inner_not_followed", PI_UNDECODED, PI_NOTE,
                                  "The tunnelled bytes are neither X.224 nor TLS: the connection inside is not "
                                  "followed further", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto), ei, array_length(ei));
}

void cssp_rdg_inner_handoff(int proto)
{
    rdp_handle = find_dissector_add_dependency("cssp_rdp", proto);
    tls_handle = find_dissector_add_dependency("tls", proto);
}
