/*
 * cssp-stats.c - the "cssp" tap and its stats tree (see cssp-stats.h).
 *
 * Each view is tapped once per dissection of its packet. Versions count per
 * connection, at the view where a side's version first became known; error codes
 * per TSRequest. A verdict is "so far" until the connection's last packet, so the
 * verdict counts move with it: the connection's first view adds one to its
 * verdict, and each later change of verdict moves that one from the old verdict to
 * the new. At the end every connection is counted once, under its last verdict.
 */
#include "cssp-stats.h"

#include <epan/stats_tree.h>
#include <epan/tap.h>

#include "cssp/names.h"

static int cssp_tap = -1;

static const char node_connections[] = "RDP connections with a CredSSP judgement";
static const char node_client[] = "Client CredSSP version (first advertised)";
static const char node_server[] = "Server CredSSP version (first advertised)";
static const char node_verdicts[] = "Verdicts (per connection, latest)";
static const char node_errors[] = "TSRequest errorCode";

typedef struct stats_record {
    const cssp_view *view;
    bool has_error_code;
    uint32_t error_code;
} stats_record;

static int id_connections, id_client, id_server, id_verdicts, id_errors;

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
    r->has_error_code = has_error_code;
    r->error_code = error_code;
    tap_queue_packet(cssp_tap, pinfo, r);
}

static void stats_init(stats_tree *st)
{
    id_connections = stats_tree_create_node(st, node_connections, 0, STAT_DT_INT, FALSE);
    id_client = stats_tree_create_node(st, node_client, 0, STAT_DT_INT, TRUE);
    id_server = stats_tree_create_node(st, node_server, 0, STAT_DT_INT, TRUE);
    id_verdicts = stats_tree_create_node(st, node_verdicts, 0, STAT_DT_INT, TRUE);
    id_errors = stats_tree_create_node(st, node_errors, 0, STAT_DT_INT, TRUE);
}

static void count_version(stats_tree *st, const char *parent, int parent_id, uint32_t version)
{
    char name[16];
    snprintf(name, sizeof name, "v%u", version);
    tick_stat_node(st, parent, 0, TRUE);
    tick_stat_node(st, name, parent_id, FALSE);
}

static tap_packet_status stats_packet(stats_tree *st, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                      const void *data, tap_flags_t flags _U_)
{
    const stats_record *r = data;
    const cssp_view *v = r->view;
    if (!v->judged_before) {
        tick_stat_node(st, node_connections, 0, FALSE);
        tick_stat_node(st, node_verdicts, 0, TRUE);
        tick_stat_node(st, cssp_verdict_name(v->judgement->verdict), id_verdicts, FALSE);
    } else if (v->verdict_before != v->judgement->verdict) {
        increase_stat_node(st, cssp_verdict_name(v->verdict_before), id_verdicts, FALSE, -1);
        tick_stat_node(st, cssp_verdict_name(v->judgement->verdict), id_verdicts, FALSE);
    }
    if (v->client_seen && !v->client_seen_before)
        count_version(st, node_client, id_client, v->client_version);
    if (v->server_seen && !v->server_seen_before)
        count_version(st, node_server, id_server, v->server_version);
    if (r->has_error_code) {
        char name[48], label[80];
        snprintf(label, sizeof label, "%s (0x%08X)", cssp_format_error(r->error_code, name, sizeof name),
                 r->error_code);
        tick_stat_node(st, node_errors, 0, TRUE);
        tick_stat_node(st, label, id_errors, FALSE);
    }
    return TAP_PACKET_REDRAW;
}

void cssp_stats_register_tree(void)
{
    stats_tree_register_plugin("cssp", "cssp", "CredSSP/Versions and verdicts", 0, stats_packet, stats_init, NULL);
}
