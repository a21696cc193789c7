/*
 * cssp-stats.c - the "cssp" tap and its stats tree (see cssp-stats.h).
 *
 * Each view is tapped once per dissection of its packet. Versions count per
 * connection, at the view where a side's version first became known; error codes
 * per TSRequest. Connections and verdicts: on a later pass (the GUI's Statistics
 * dialog retaps a loaded file, tshark -2) a connection is counted once, at its
 * latest view, under its verdict. On the first pass (tshark -z without -2) a
 * verdict is "so far" until the connection's last packet, so the counts move
 * with it: the connection's first view adds one to its verdict, and each later
 * change of verdict moves that one from the old verdict to the new; a verdict
 * some connection passed through may then stay as a row counting 0.
 * Three topics, whose names sort in reading order: Wireshark sorts a tree by
 * name, descending, by default (tshark from its preferences; the GUI's dialog
 * always starts so): verdicts, the versions behind them, the error codes. A topic appears with its first count,
 * so none stays empty; the hex style is the project's (0xC000006D).
 */
#include "cssp-stats.h"

#include <epan/stats_tree.h>
#include <epan/tap.h>

#include "cssp-text.h"
#include "cssp/names.h"

static int cssp_tap = -1;

static const char node_verdicts[] = N_("Verdicts (per connection, latest)");
static const char node_versions[] = N_("TSRequest versions (first advertised)");
static const char node_errors[] = N_("TSRequest errorCode");

typedef struct stats_record {
    const cssp_view *view;
    bool later_pass;                  /* taken while dissecting: the frame's visited flag differs at tap time */
    bool has_error_code;
    uint32_t error_code;
} stats_record;

static int id_verdicts;

void cssp_stats_register_tap(void)
{
    cssp_tap = register_tap("cssp");
}

void cssp_stats_queue(packet_info *pinfo, const cssp_view *view, bool has_error_code, uint32_t error_code)
{
    if (!have_tap_listener(cssp_tap))
        return;
    stats_record *r = wmem_new(pinfo->pool, stats_record);
    r->view = view;
    r->later_pass = PINFO_FD_VISITED(pinfo);
    r->has_error_code = has_error_code;
    r->error_code = error_code;
    tap_queue_packet(cssp_tap, pinfo, r);
}

static void stats_init(stats_tree *st)
{
    id_verdicts = stats_tree_create_node(st, _(node_verdicts), 0, STAT_DT_INT, TRUE);
}

static void count_under(stats_tree *st, const char *parent, const char *name)
{
    tick_stat_node(st, name, tick_stat_node(st, parent, 0, TRUE), FALSE);
}

static void count_version(stats_tree *st, const char *side, uint32_t version)
{
    char name[32];
    snprintf(name, sizeof name, _("%s v%u"), side, version);
    count_under(st, _(node_versions), name);
}

static void count_verdict(stats_tree *st, cssp_verdict verdict)
{
    tick_stat_node(st, _(node_verdicts), 0, TRUE);
    tick_stat_node(st, cssp_verdict_name(verdict), id_verdicts, FALSE);
}

static tap_packet_status stats_packet(stats_tree *st, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                      const void *data, tap_flags_t flags _U_)
{
    const stats_record *r = data;
    const cssp_view *v = r->view;
    if (r->later_pass) {
        if (v == v->conv->latest)
            count_verdict(st, v->judgement->verdict);
    } else if (!v->judged_before) {
        count_verdict(st, v->judgement->verdict);
    } else if (v->verdict_before != v->judgement->verdict) {
        increase_stat_node(st, cssp_verdict_name(v->verdict_before), id_verdicts, FALSE, -1);
        tick_stat_node(st, cssp_verdict_name(v->judgement->verdict), id_verdicts, FALSE);
    }
    if (v->client_seen && !v->client_seen_before)
        count_version(st, _("client"), v->client_version);
    if (v->server_seen && !v->server_seen_before)
        count_version(st, _("server"), v->server_version);
    if (r->has_error_code) {
        char label[80];
        const char *name = cssp_error_name(r->error_code);
        if (name)
            snprintf(label, sizeof label, "%s (0x%08X)", name, r->error_code);
        else
            snprintf(label, sizeof label, "0x%08X", r->error_code);
        count_under(st, _(node_errors), label);
    }
    return TAP_PACKET_REDRAW;
}

void cssp_stats_register_tree(void)
{
    stats_tree_register_plugin("cssp", "cssp", _("CredSSP/Versions and verdicts"), 0, stats_packet, stats_init, NULL);
}
