/*
 * cssp-observer.c - connection events read from the finished protocol tree
 * (see cssp-observer.h).
 *
 * The postdissector asks for the TLS fields it reads (set_postdissector_wanted_hfids),
 * so tshark and Wireshark build them even without a display filter. It walks each
 * TLS record of a frame of a connection the plugin knows, in record order, then
 * the TCP flags (from the TCP header's bytes), and turns them into the events the
 * analyzer feeds for the same bytes (analyzer/conn.c):
 *   - a ServerHello: TLS_HANDSHAKE (version from supported_versions when present);
 *   - an application record Wireshark did not decrypt: ENCRYPTED_RECORD with its
 *     length. TLS 1.3 marks a decrypted record with the inner [Content Type];
 *     TLS 1.2 and below look the same either way, and there a record counts as
 *     undecrypted while no application data has reached the plugin;
 *   - an alert: TLS_ALERT, with level and description when Wireshark read them;
 *   - the first FIN or RST of each side: FIN / RST.
 * Only on the first pass, and only until the engine says CredSSP is over; a frame
 * whose events moved the exchange gets a view, shown on every pass.
 */
#include "cssp-observer.h"

#include <limits.h>
#include <string.h>

#include <epan/proto.h>

#include "cssp-analysis.h"
#include "cssp-state.h"
#include "cssp-stats.h"

#define TLS_CONTENT_ALERT 21
#define TLS_CONTENT_APPLICATION_DATA 23
#define TLS_HANDSHAKE_SERVER_HELLO 2
#define TCP_FLAGS_OFFSET 13  /* the low byte of the TCP header's flags: CWR ECE URG ACK PSH RST SYN FIN */
#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_RST 0x04

/* The fields read, by filter name: several fields may share a name (tls.handshake.type). */
enum {
    F_TLS_RECORD,
    F_CONTENT_TYPE,
    F_OPAQUE_TYPE,
    F_RECORD_LENGTH,
    F_ALERT_LEVEL,
    F_ALERT_DESC,
    F_HANDSHAKE,
    F_HANDSHAKE_TYPE,
    F_HANDSHAKE_VERSION,
    F_CIPHER_SUITE,
    F_SUPPORTED_VERSION,
    F_COUNT
};

static const char *const field_names[F_COUNT] = {
    [F_TLS_RECORD] = "tls.record",
    [F_CONTENT_TYPE] = "tls.record.content_type",
    [F_OPAQUE_TYPE] = "tls.record.opaque_type",
    [F_RECORD_LENGTH] = "tls.record.length",
    [F_ALERT_LEVEL] = "tls.alert_message.level",
    [F_ALERT_DESC] = "tls.alert_message.desc",
    [F_HANDSHAKE] = "tls.handshake",
    [F_HANDSHAKE_TYPE] = "tls.handshake.type",
    [F_HANDSHAKE_VERSION] = "tls.handshake.version",
    [F_CIPHER_SUITE] = "tls.handshake.ciphersuite",
    [F_SUPPORTED_VERSION] = "tls.handshake.extensions.supported_version",
};

static int proto_cssp = -1;
static int proto_tls = -1;
static int proto_tcp = -1;
static int ett_events = -1;
static dissector_handle_t observer_handle;
/* Of each field, the first registration under its name; -1 when TLS has none. */
static int field_ids[F_COUNT];

static header_field_info *first_of_name(header_field_info *hfinfo)
{
    while (hfinfo->same_name_prev_id != -1)
        hfinfo = proto_registrar_get_nth((guint)hfinfo->same_name_prev_id);
    return hfinfo;
}

/* By field id, not by name: this runs on every node visited. */
static bool is_field(const proto_node *node, int field)
{
    return node->finfo && first_of_name(node->finfo->hfinfo)->id == field_ids[field];
}

/*
 * The first node of `field` at most `depth` levels below `node` (depth first), or
 * NULL. Bounded, because a record's subtree holds whole certificates: each field
 * is looked for only as deep as Wireshark puts it (in a tree that is not shown,
 * the unreferenced nodes in between are left out and the field sits higher).
 */
static const proto_node *find_below(const proto_node *node, int field, int depth)
{
    for (const proto_node *child = node->first_child; child; child = child->next) {
        if (is_field(child, field))
            return child;
        const proto_node *found = depth > 1 ? find_below(child, field, depth - 1) : NULL;
        if (found)
            return found;
    }
    return NULL;
}

/* How deep each field sits below the node it is looked for in, in a tree that is shown. */
#define DEPTH_CHILD 1        /* record fields, ServerHello fields */
#define DEPTH_ALERT 2        /* record > alert_message > level, description */
#define DEPTH_ANY INT_MAX    /* supported_version, inside its extension: once per ServerHello */

static bool uint_below(const proto_node *node, int field, int depth, uint32_t *value)
{
    const proto_node *found = find_below(node, field, depth);
    if (!found)
        return false;
    *value = fvalue_get_uinteger(&found->finfo->value);
    return true;
}

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

static void observe_server_hello(const observation *o, const proto_node *record)
{
    for (const proto_node *hs = record->first_child; hs; hs = hs->next) {
        uint32_t type, version, suite;
        if (!is_field(hs, F_HANDSHAKE) || !uint_below(hs, F_HANDSHAKE_TYPE, DEPTH_CHILD, &type) ||
            type != TLS_HANDSHAKE_SERVER_HELLO || !uint_below(hs, F_CIPHER_SUITE, DEPTH_CHILD, &suite))
            continue;
        if (!uint_below(hs, F_SUPPORTED_VERSION, DEPTH_ANY, &version) &&
            !uint_below(hs, F_HANDSHAKE_VERSION, DEPTH_CHILD, &version))
            continue;
        cssp_event ev = {.type = CSSP_EV_TLS_HANDSHAKE};
        ev.u.tls.version = (uint16_t)version;
        ev.u.tls.cipher_suite = (uint16_t)suite;
        feed(o, &ev);
    }
}

static void observe_record(const observation *o, const proto_node *record)
{
    uint32_t content = 0, opaque = 0, length = 0;
    bool has_content = uint_below(record, F_CONTENT_TYPE, DEPTH_CHILD, &content);
    bool protected13 = uint_below(record, F_OPAQUE_TYPE, DEPTH_CHILD, &opaque);
    uint_below(record, F_RECORD_LENGTH, DEPTH_CHILD, &length);
    bool undecrypted = protected13 ? !has_content
                                   : content == TLS_CONTENT_APPLICATION_DATA && !o->conv->application_data_seen;
    if (undecrypted) {
        cssp_event ev = {.type = CSSP_EV_ENCRYPTED_RECORD};
        ev.u.record.length = length;
        feed(o, &ev);
        return;
    }
    if (content == TLS_CONTENT_ALERT) {
        uint32_t level, desc;
        cssp_event ev = {.type = CSSP_EV_TLS_ALERT};
        if (uint_below(record, F_ALERT_LEVEL, DEPTH_ALERT, &level) &&
            uint_below(record, F_ALERT_DESC, DEPTH_ALERT, &desc)) {
            ev.u.alert.level = (uint8_t)level;
            ev.u.alert.description = (uint8_t)desc;
        } else {
            ev.u.alert.encrypted = true;
        }
        feed(o, &ev);
        return;
    }
    observe_server_hello(o, record);
}

static void observe_close(const observation *o, uint32_t tcp_flags)
{
    if (!(tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST)) || o->conv->side_closed[o->dir])
        return;
    o->conv->side_closed[o->dir] = true;
    cssp_event ev = {.type = tcp_flags & TCP_FLAG_RST ? CSSP_EV_RST : CSSP_EV_FIN};
    feed(o, &ev);
}

/* What of the engine's state a view is worth showing for: messages counted, closes. */
typedef struct progress {
    unsigned counted[2];
    int first_close;
    bool closed[2][3];
} progress;

static progress progress_of(const cssp_conn *c)
{
    progress p;
    memset(&p, 0, sizeof p);
    for (int d = 0; d < 2; d++) {
        p.counted[d] = c->records[d] - c->set_aside[d];
        p.closed[d][0] = c->fin[d];
        p.closed[d][1] = c->rst[d];
        p.closed[d][2] = c->alert[d];
    }
    p.first_close = c->first_close;
    return p;
}

static bool is_layer(const proto_node *node, int proto)
{
    return node->finfo && node->finfo->hfinfo->id == proto;
}

static void observe(cssp_conv *conv, packet_info *pinfo, proto_tree *tree, uint32_t tcp_flags)
{
    observation o = {.conv = conv, .dir = cssp_conv_sender(conv, pinfo), .frame = pinfo->num};
    progress before = progress_of(&conv->engine);
    for (const proto_node *layer = tree->first_child; layer; layer = layer->next) {
        if (!is_layer(layer, proto_tls))
            continue;
        for (const proto_node *record = layer->first_child; record; record = record->next)
            if (is_field(record, F_TLS_RECORD))
                observe_record(&o, record);
    }
    observe_close(&o, tcp_flags);
    progress after = progress_of(&conv->engine);
    if (memcmp(&before, &after, sizeof before) != 0)
        cssp_conv_commit(conv, pinfo, CSSP_VIEW_KEY_OBSERVER, CSSP_VIEW_TRANSPORT, o.dir);
}

/*
 * The flags of a TCP layer, from its header bytes. Asking for tcp.flags instead
 * (set_postdissector_wanted_hfids) would cost every TCP frame an entry in the
 * tree's table of wanted fields; the TCP layer's item is always built, and it
 * starts at the header.
 */
static bool tcp_flags_of(const proto_node *layer, uint32_t *flags)
{
    const field_info *fi = layer->finfo;
    if (!fi->ds_tvb || !tvb_bytes_exist(fi->ds_tvb, fi->start + TCP_FLAGS_OFFSET, 1))
        return false;
    *flags = tvb_get_guint8(fi->ds_tvb, fi->start + TCP_FLAGS_OFFSET);
    return true;
}

/*
 * First pass. Most frames carry neither TLS nor a FIN or RST (ACKs, and the
 * frames of connections that are not RDP): the top-level layers say so before the
 * conversation is looked up.
 */
static void observe_frame(packet_info *pinfo, proto_tree *tree)
{
    uint32_t tcp_flags = 0;
    bool has_tls = false, has_tcp = false;
    for (const proto_node *layer = tree->first_child; layer; layer = layer->next) {
        has_tls = has_tls || is_layer(layer, proto_tls);
        if (!has_tcp && is_layer(layer, proto_tcp))
            has_tcp = tcp_flags_of(layer, &tcp_flags);
    }
    if (!has_tls && !(tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST)))
        return;
    cssp_conv *conv = cssp_conv_find(pinfo);
    if (conv && !cssp_conv_settled(conv))
        observe(conv, pinfo, tree, tcp_flags);
}

static int dissect_observer(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (pinfo->ptype != PT_TCP)
        return 0;
    if (!PINFO_FD_VISITED(pinfo) && tree)
        observe_frame(pinfo, tree);
    /* a frame of a connection the plugin does not follow has no view */
    const cssp_view *view = cssp_view_get(pinfo, CSSP_VIEW_KEY_OBSERVER);
    if (!view)
        return 0;
    /* the packet list shows where a connection's verdict changed on a close or an undecrypted record */
    if (view->judged_before && view->verdict_before != view->judgement->verdict)
        col_append_fstr(pinfo->cinfo, COL_INFO, " [CredSSP: %s]", cssp_verdict_name(view->judgement->verdict));
    proto_item *ti = proto_tree_add_item(tree, proto_cssp, tvb, 0, 0, ENC_NA);
    proto_item_append_text(ti, ", connection events (TLS records, alerts, TCP closes)");
    cssp_analysis_show(proto_item_add_subtree(ti, ett_events), ti, tvb, pinfo, view, false);
    cssp_stats_queue(pinfo, view, false, 0);
    return 0;
}

void cssp_observer_register(int proto)
{
    static int *ett[] = {&ett_events};
    proto_cssp = proto;
    proto_register_subtree_array(ett, array_length(ett));
    observer_handle = create_dissector_handle(dissect_observer, proto);
}

/* Every field id registered under a field's name (the first one, and those sharing its name). */
static void want_field(GArray *ids, int field)
{
    int id = proto_registrar_get_id_byname(field_names[field]);
    field_ids[field] = -1;
    if (id < 0)
        return;
    header_field_info *first = first_of_name(proto_registrar_get_nth((guint)id));
    field_ids[field] = first->id;
    for (header_field_info *h = first; h; h = h->same_name_next)
        g_array_append_val(ids, h->id);
}

void cssp_observer_handoff(void)
{
    proto_tls = proto_get_id_by_filter_name("tls");
    proto_tcp = proto_get_id_by_filter_name("tcp");
    GArray *ids = g_array_new(FALSE, FALSE, (guint)sizeof(int));
    for (int f = 0; f < F_COUNT; f++)
        want_field(ids, f);
    register_postdissector(observer_handle);
    set_postdissector_wanted_hfids(observer_handle, ids);
}
