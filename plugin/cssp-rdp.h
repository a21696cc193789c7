/*
 * cssp-rdp.h - the TCP side of an RDP connection: the X.224 negotiation, the
 * switch to TLS, and CredSSP in clear.
 *
 * The "cssp_rdp" dissector takes tcp.port 3389 (every PDU it does not handle
 * itself goes to TPKT, so RDP shows as before) and, through the "cssp_tcp"
 * heuristic, any conversation that opens with an RDP X.224 Connection Request.
 */
#ifndef CSSP_PLUGIN_RDP_H
#define CSSP_PLUGIN_RDP_H

void cssp_rdp_register(int proto);
void cssp_rdp_handoff(void);

#endif
