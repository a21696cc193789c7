/*
 * cssp-observer.c - connection events read from the finished protocol tree
 * (see cssp-observer.h).
 *
 * The postdissector asks for the fields it reads (set_postdissector_wanted_hfids),
 * so tshark and Wireshark build them even without a display filter. It walks each
 * TLS record of a frame of a connection the plugin knows, in record order, then
 * the TCP flags, and turns them into the events the analyzer feeds for the same
 * bytes (analyzer/conn.c):
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

#include <string.h>

#include <epan/proto.h>

#include "cssp-analysis.h"
#include "cssp-state.h"
#include "cssp-stats.h"

#define TLS_CONTENT_ALERT 21
#define TLS_CONTENT_APPLICATION_DATA 23
#define TLS_HANDSHAKE_SERVER_HELLO 2
#define TCP_FLAG_FIN 0x001
#define TCP_FLAG_RST 0x004

/* The fields read, by filter name: several fields may share a name (tls.handshake.type). */
enum {
    F_TCP_FLAGS,
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
    [F_TCP_FLAGS] = "tcp.flags",
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
static int ett_events = -1;
static dissector_handle_t observer_handle;

static bool is_field(const proto_node *node, int field)
{
    return node->finfo && strcmp(node->finfo->hfinfo->abbrev, field_names[field]) == 0;
}

/* The first node of `field` in the subtree below `node` (depth first), or NULL. */
static const proto_node *find_below(const proto_node *node, int field)
{
    for (const proto_node *child = node->first_child; child; child = child->next) {
        if (is_field(child, field))
            return child;
        const proto_node *found = find_below(child, field);
        if (found)
            return found;
    }
    return NULL;
}

static bool uint_below(const proto_node *node, int field, uint32_t *value)
{
    const proto_node *found = find_below(node, field);
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
        if (!is_field(hs, F_HANDSHAKE) || !uint_below(hs, F_HANDSHAKE_TYPE, &type) ||
            type != TLS_HANDSHAKE_SERVER_HELLO || !uint_below(hs, F_CIPHER_SUITE, &suite))
            continue;
        if (!uint_below(hs, F_SUPPORTED_VERSION, &version) && !uint_below(hs, F_HANDSHAKE_VERSION, &version))
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
    bool has_content = uint_below(record, F_CONTENT_TYPE, &content);
    bool protected13 = uint_below(record, F_OPAQUE_TYPE, &opaque);
    uint_below(record, F_RECORD_LENGTH, &length);
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
        if (uint_below(record, F_ALERT_LEVEL, &level) && uint_below(record, F_ALERT_DESC, &desc)) {
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

static void observe_tcp_flags(const observation *o, proto_tree *tree)
{
    const proto_node *flags = find_below(tree, F_TCP_FLAGS);
    if (!flags)
        return;
    uint32_t value = fvalue_get_uinteger(&flags->finfo->value);
    if (!(value & (TCP_FLAG_FIN | TCP_FLAG_RST)) || o->conv->side_closed[o->dir])
        return;
    o->conv->side_closed[o->dir] = true;
    cssp_event ev = {.type = value & TCP_FLAG_RST ? CSSP_EV_RST : CSSP_EV_FIN};
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

static void observe(cssp_conv *conv, packet_info *pinfo, proto_tree *tree)
{
    observation o = {.conv = conv, .dir = cssp_conv_sender(conv, pinfo), .frame = pinfo->num};
    progress before = progress_of(&conv->engine);
    for (const proto_node *layer = tree->first_child; layer; layer = layer->next) {
        if (!layer->finfo || layer->finfo->hfinfo->id != proto_tls)
            continue;
        for (const proto_node *record = layer->first_child; record; record = record->next)
            if (is_field(record, F_TLS_RECORD))
                observe_record(&o, record);
    }
    observe_tcp_flags(&o, tree);
    progress after = progress_of(&conv->engine);
    if (memcmp(&before, &after, sizeof before) != 0)
        cssp_conv_commit(conv, pinfo, CSSP_VIEW_KEY_OBSERVER, CSSP_VIEW_TRANSPORT, o.dir);
}

static int dissect_observer(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (pinfo->ptype != PT_TCP)
        return 0;
    cssp_conv *conv = cssp_conv_find(pinfo);
    if (!conv)
        return 0;
    if (!PINFO_FD_VISITED(pinfo) && tree && !cssp_conv_settled(conv))
        observe(conv, pinfo, tree);
    const cssp_view *view = cssp_view_get(pinfo, CSSP_VIEW_KEY_OBSERVER);
    if (!view)
        return 0;
    /* the packet list shows where a connection's verdict changed on a close or an undecrypted record */
    if (view->judged_before && view->verdict_before != view->judgement.verdict)
        col_append_fstr(pinfo->cinfo, COL_INFO, " [CredSSP: %s]", cssp_verdict_name(view->judgement.verdict));
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

/* Every field id registered under a name (the first one found, and those sharing its name). */
static void want_field(GArray *ids, const char *name)
{
    int id = proto_registrar_get_id_byname(name);
    if (id < 0)
        return;
    header_field_info *first = proto_registrar_get_nth((guint)id);
    while (first->same_name_prev_id != -1)
        first = proto_registrar_get_nth((guint)first->same_name_prev_id);
    for (header_field_info *h = first; h; h = h->same_name_next)
        g_array_append_val(ids, h->id);
}

void cssp_observer_handoff(void)
{
    proto_tls = proto_get_id_by_filter_name("tls");
    GArray *ids = g_array_new(FALSE, FALSE, (guint)sizeof(int));
    g_array_append_val(ids, proto_tls);
    for (int f = 0; f < F_COUNT; f++)
        want_field(ids, field_names[f]);
    register_postdissector(observer_handle);
    set_postdissector_wanted_hfids(observer_handle, ids);
}
