/*
 * packet-cssp.c - the "cssp" protocol: registration and hand-off of its parts.
 *
 * The dissectors, each on what it reads:
 *   cssp-rdp.c             RDP on TCP: the X.224 negotiation, the switch to TLS, CredSSP in clear
 *   cssp-tsrequest.c       TSRequests and the Early User Authorization Result (TLS's app handle)
 *   cssp-rdg.c             the RD Gateway HTTP transport (its own protocol, cssp_rdg)
 *   cssp-rdg-inner.c       the RDP connection inside a gateway tunnel, handed to the parts above
 * The observer, one unit in two files: a postdissector feeding the verdict engine the TLS records, alerts
 * and TCP closes that no dissector is handed, read from each frame's bytes:
 *   cssp-observer.c        which frames it reads, and the events it feeds
 *   cssp-observer-wire.c   the frame -> TCP stream -> TLS records reading, by lib/wire's code
 * What they share:
 *   cssp-state.c           per-connection engine, per-frame views
 *   cssp-connection-tree.c the per-connection generated fields and expert items
 *   cssp-stats.c           the tap and the stats tree
 *   cssp-text.c            the plugin's words in the user's language (gettext)
 */
#include "packet-cssp.h"

#include <epan/packet.h>
#include <epan/proto.h>

#include "cssp-connection-tree.h"
#include "cssp-observer.h"
#include "cssp-rdg.h"
#include "cssp-rdp.h"
#include "cssp-state.h"
#include "cssp-stats.h"
#include "cssp-tsrequest.h"

static int proto_cssp = -1;

void proto_register_cssp(void)
{
    proto_cssp = proto_register_protocol("CredSSP analysis", "CSSP", "cssp");
    cssp_state_register(proto_cssp);
    cssp_connection_tree_register(proto_cssp);
    cssp_tsrequest_register(proto_cssp);
    cssp_rdp_register(proto_cssp);
    cssp_observer_register(proto_cssp);
    cssp_stats_register_tap();
    cssp_rdg_register();
}

void proto_reg_handoff_cssp(void)
{
    cssp_tsrequest_handoff();
    cssp_rdp_handoff();
    cssp_observer_handoff();
    cssp_rdg_handoff();
}
