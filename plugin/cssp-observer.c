/*
 * cssp-observer.c - connection events from each frame's TCP segment and TLS
 * records (see cssp-observer.h).
 *
 * A postdissector that reads, for every frame of a connection the plugin knows,
 * the TCP segment and the TLS records it completes (cssp-observer-wire.c: the frame's own
 * bytes through the code the analyzer uses) and turns them into the events the
 * analyzer feeds for the same bytes (analyzer/conn.c):
 *   - a ServerHello: TLS_HANDSHAKE (version from supported_versions when present);
 *   - a protected record Wireshark did not decrypt: ENCRYPTED_RECORD with its
 *     length when it is application data, an encrypted TLS_ALERT when it is an alert;
 *   - an alert in clear, or one Wireshark decrypted: TLS_ALERT with level and description;
 *   - the first FIN or RST of each side: FIN / RST.
 * Which records Wireshark decrypted comes from the TLS dissector's per-frame record
 * list, not from the protocol tree: nothing here makes tshark build a tree.
 * Only on the first pass, and only until the engine says CredSSP is over; a frame
 * whose events moved the exchange gets a view, shown on every pass.
 */
#include "cssp-observer.h"

#include <epan/dissectors/packet-tls-utils.h>
#include <epan/proto.h>
#include <epan/proto_data.h>

#include "cssp-connection-tree.h"
#include "cssp-observer-wire.h"
#include "cssp-state.h"
#include "cssp-stats.h"
#include "cssp-text.h"
#include "cssp/packet.h"
#include "cssp/tls_framer.h"

#define ALERT_LEN 2

static int proto_cssp = -1;
static int proto_tls = -1;
static int ett_events = -1;
static int hf_connection_verdict = -1;
static dissector_handle_t observer_handle;

typedef struct observation {
    cssp_conv *conv;
    cssp_dir dir;
    uint32_t frame;
} observation;

static void feed(const observation *o, cssp_event *ev)
{
    ev->dir = o->dir;
    ev->ref = o->frame;
    cssp_conv_feed(o->conv, ev);
}

static void feed_alert(const observation *o, bool encrypted, uint8_t level, uint8_t description)
{
    cssp_event ev = {.type = CSSP_EV_TLS_ALERT};
    ev.u.alert.encrypted = encrypted;
    ev.u.alert.level = level;
    ev.u.alert.description = description;
    feed(o, &ev);
}

/* The records Wireshark's TLS decrypted in this frame, in stream order, over the frame's TLS layers. */
typedef struct decrypted {
    const SslRecordInfo *records[CSSP_WIRE_MAX_RECORDS];
    unsigned count;
} decrypted;

/* TLS keeps them under the layer number it was called at. */
static void collect_layer(packet_info *pinfo, guint8 layer, decrypted *d)
{
    const SslPacketInfo *info = p_get_proto_data(wmem_file_scope(), pinfo, proto_tls, layer);
    for (const SslRecordInfo *r = info ? info->records : NULL; r && d->count < CSSP_WIRE_MAX_RECORDS; r = r->next)
        d->records[d->count++] = r;
}

static void collect_decrypted(packet_info *pinfo, decrypted *d)
{
    d->count = 0;
    guint8 layer = 0;
    for (wmem_list_frame_t *f = wmem_list_head(pinfo->layers); f; f = wmem_list_frame_next(f)) {
        layer++;
        if (GPOINTER_TO_INT(wmem_list_frame_data(f)) == proto_tls)
            collect_layer(pinfo, layer, d);
    }
}

static void observe_clear_record(const observation *o, const cssp_observer_wire_record *rec)
{
    if (rec->has_hello) {
        cssp_event ev = {.type = CSSP_EV_TLS_HANDSHAKE};
        ev.u.tls.version = rec->version;
        ev.u.tls.cipher_suite = rec->cipher_suite;
        feed(o, &ev);
    } else if (rec->content_type == TLS_CONTENT_ALERT) {
        feed_alert(o, !rec->has_alert, rec->alert_level, rec->alert_description);
    }
}

static void observe_undecrypted(const observation *o, const cssp_observer_wire_record *rec)
{
    if (rec->content_type == TLS_CONTENT_APPLICATION_DATA) {
        cssp_event ev = {.type = CSSP_EV_ENCRYPTED_RECORD};
        ev.u.record.length = rec->length;
        feed(o, &ev);
    } else if (rec->content_type == TLS_CONTENT_ALERT) {
        feed_alert(o, true, 0, 0);
    }
}

/*
 * Wireshark decrypts a side from some record on, or not at all (it lacks the
 * handshake secrets of a TLS 1.3 key log written by LSASS, for instance): of the
 * protected records this frame completes, those before the ones it decrypted are
 * the undecrypted ones. Decrypted application data reaches the plugin through
 * TLS; a decrypted alert is read here.
 */
static void observe_records(const observation *o, const cssp_observer_wire_frame *wire, const decrypted *plain)
{
    unsigned protected_count = 0;
    for (unsigned i = 0; i < wire->count; i++)
        protected_count += wire->records[i].protected_record;
    unsigned undecrypted = protected_count > plain->count ? protected_count - plain->count : 0;
    unsigned next_plain = plain->count > protected_count ? plain->count - protected_count : 0;
    unsigned protected_seen = 0;
    for (unsigned i = 0; i < wire->count; i++) {
        const cssp_observer_wire_record *rec = &wire->records[i];
        if (!rec->protected_record) {
            observe_clear_record(o, rec);
        } else if (protected_seen++ < undecrypted) {
            observe_undecrypted(o, rec);
        } else {
            const SslRecordInfo *p = plain->records[next_plain++];
            if (p->type == SSL_ID_ALERT && p->data_len >= ALERT_LEN)
                feed_alert(o, false, p->plain_data[0], p->plain_data[1]);
        }
    }
}

static void observe_close(const observation *o, uint8_t tcp_flags)
{
    if (!(tcp_flags & (TCP_FIN | TCP_RST)) || o->conv->side_closed[o->dir])
        return;
    o->conv->side_closed[o->dir] = true;
    cssp_event ev = {.type = tcp_flags & TCP_RST ? CSSP_EV_RST : CSSP_EV_FIN};
    feed(o, &ev);
}

/* Where the wire state lives: the connection, until the engine says CredSSP is over. */
static cssp_observer_wire *wire_of(cssp_conv *conv)
{
    if (!conv->wire)
        conv->wire = cssp_observer_wire_new();
    return conv->wire;
}

/* First pass, any TCP frame: only connections the plugin knows and has not judged final are read. */
static void observe_frame(tvbuff_t *frame, packet_info *pinfo)
{
    cssp_conv *conv = cssp_conv_find(pinfo);
    if (!conv)
        return;
    if (cssp_conv_settled(conv)) {
        cssp_observer_wire_free(conv->wire);
        conv->wire = NULL;
        return;
    }
    observation o = {.conv = conv, .dir = cssp_conv_sender(conv, pinfo), .frame = pinfo->num};
    cssp_observer_wire_frame wire;
    cssp_observer_wire_read(wire_of(conv), o.dir, pinfo, frame, &wire);
    if (!wire.is_tcp)
        return;
    /* a view is worth storing when the frame moved the exchange: messages counted, closes */
    cssp_progress before, after;
    cssp_conn_progress(&conv->engine, &before);
    /* a tunnelled connection's records are the tunnel's (cssp_observer_tunnel_bytes), not the gateway's TLS */
    if (wire.count > 0 && !conv->tunnelled) {
        decrypted plain;
        collect_decrypted(pinfo, &plain);
        observe_records(&o, &wire, &plain);
    }
    observe_close(&o, wire.tcp_flags);
    cssp_conn_progress(&conv->engine, &after);
    if (!cssp_progress_equal(&before, &after))
        cssp_conv_commit(conv, pinfo, CSSP_VIEW_KEY_OBSERVER, CSSP_VIEW_TRANSPORT, o.dir);
}

const cssp_view *cssp_observer_tunnel_bytes(cssp_conv *conv, cssp_observer_wire *wire, packet_info *pinfo, uint32_t key,
                                            cssp_dir dir, const uint8_t *bytes, size_t len, guint8 tls_layer)
{
    if (cssp_conv_settled(conv))
        return NULL;
    observation o = {.conv = conv, .dir = dir, .frame = pinfo->num};
    cssp_observer_wire_frame records;
    cssp_observer_wire_read_bytes(wire, dir, bytes, len, &records);
    cssp_progress before, after;
    cssp_conn_progress(&conv->engine, &before);
    decrypted plain = {.count = 0};
    if (tls_layer)
        collect_layer(pinfo, tls_layer, &plain);
    observe_records(&o, &records, &plain);
    cssp_conn_progress(&conv->engine, &after);
    if (cssp_progress_equal(&before, &after))
        return NULL;
    return cssp_conv_commit(conv, pinfo, key, CSSP_VIEW_TRANSPORT, dir);
}

/*
 * On later passes (the GUI's packet list, tshark -2) every frame of a judged
 * connection carries the connection's latest verdict, so that a coloring rule
 * can colour the whole connection; on the first pass it would only repeat the
 * verdict so far. Only with a tree: summary lines do not pay for it.
 */
static void add_connection_verdict(proto_tree *tree, proto_item *item, tvbuff_t *tvb, packet_info *pinfo)
{
    const cssp_conv *conv = cssp_conv_find(pinfo);
    if (!conv || !conv->has_last || conv->last.judgement->verdict == CSSP_VERDICT_INCOMPLETE)
        return;
    proto_tree *t = item ? proto_item_get_subtree(item) : NULL;
    if (!t) {
        item = proto_tree_add_item(tree, proto_cssp, tvb, 0, 0, ENC_NA);
        t = proto_item_add_subtree(item, ett_events);
    }
    const char *verdict = cssp_verdict_name(conv->last.judgement->verdict);
    proto_item_append_text(item, _(", connection verdict %s"), verdict);
    proto_item_set_generated(proto_tree_add_string_format_value(t, hf_connection_verdict, tvb, 0, 0, verdict,
                                                                _("%s (frame %u)"), verdict, conv->verdict_frame));
}

static int dissect_observer(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (pinfo->ptype != PT_TCP)
        return 0;
    if (!PINFO_FD_VISITED(pinfo))
        observe_frame(tvb, pinfo);
    proto_item *item;
    const cssp_view *shown = cssp_connection_tree_shown(pinfo, &item);
    /* a frame of a connection the plugin does not follow has no view */
    const cssp_view *view = cssp_view_get(pinfo, CSSP_VIEW_KEY_OBSERVER);
    if (view) {
        cssp_stats_queue(pinfo, view, false, 0);
        /* a frame whose CredSSP PDU already showed this judgement shows it once */
        if (!shown || !cssp_connection_tree_same(shown, view)) {
            item = proto_tree_add_item(tree, proto_cssp, tvb, 0, 0, ENC_NA);
            proto_item_append_text(item, _(", connection events (TLS records, alerts, TCP closes)"));
            cssp_connection_tree_show(proto_item_add_subtree(item, ett_events), item, tvb, pinfo, view, false);
        }
    }
    if (tree && PINFO_FD_VISITED(pinfo))
        add_connection_verdict(tree, item, tvb, pinfo);
    return 0;
}

void cssp_observer_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_connection_verdict, {N_("Connection verdict (latest)"), "cssp.connection_verdict", FT_STRING, BASE_NONE,
                                  NULL, 0,
                                  N_("The verdict of this packet's RDP connection as of its last CredSSP packet, on "
                                  "every packet of it: for coloring rules"),
                                  HFILL}},
    };
    static int *ett[] = {&ett_events};
    proto_cssp = proto;
    cssp_text_fields(hf, array_length(hf));
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    observer_handle = create_dissector_handle(dissect_observer, proto);
}

void cssp_observer_handoff(void)
{
    proto_tls = proto_get_id_by_filter_name("tls");
    cssp_observer_wire_handoff();
    register_postdissector(observer_handle);
}
