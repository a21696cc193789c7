/*
 * packet-cssp.c - the "cssp" protocol: registration and hand-off of its parts.
 *
 * cssp-rdp.c      X.224 negotiation on TCP, the switch to TLS, CredSSP in clear
 * cssp-dissect.c  TSRequests and the Early User Authorization Result; TLS app handle
 * cssp-observer.c TLS records, alerts and TCP closes, for the verdict engine, read from each
 *   + cssp-wire.c  frame's bytes by the core's frame, TCP-stream and TLS-record code (one unit)
 * cssp-analysis.c per-connection generated fields and expert items
 * cssp-state.c    per-connection engine, per-frame views
 * cssp-stats.c    the tap and the stats tree
 * cssp-rdg.c      the RD Gateway HTTP transport (its own protocol, cssp_rdg)
 * cssp-rdg-inner.c the RDP connection inside a gateway tunnel, handed to the parts above
 */
#include "packet-cssp.h"

#include <epan/packet.h>
#include <epan/proto.h>

#include "cssp-analysis.h"
#include "cssp-dissect.h"
#include "cssp-observer.h"
#include "cssp-rdg.h"
#include "cssp-rdp.h"
#include "cssp-state.h"
#include "cssp-stats.h"

static int proto_cssp = -1;

void proto_register_cssp(void)
{
    proto_cssp = proto_register_protocol("CredSSP analysis", "CSSP", "cssp");
    cssp_state_register(proto_cssp);
    cssp_analysis_register(proto_cssp);
    cssp_dissect_register(proto_cssp);
    cssp_rdp_register(proto_cssp);
    cssp_observer_register(proto_cssp);
    cssp_stats_register_tap();
    cssp_rdg_register();
}

void proto_reg_handoff_cssp(void)
{
    cssp_dissect_handoff();
    cssp_rdp_handoff();
    cssp_observer_handoff();
    cssp_rdg_handoff();
}
