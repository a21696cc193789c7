/*
 * cssp-rdg.h - the RD Gateway HTTP transport ([MS-TSGU] 2.2.5, 2.2.10): a connection to a Remote Desktop
 * Gateway, its HTTP heads and tunnel packets, and the RDP connection its DATA packets carry.
 *
 * The "cssp_rdg" protocol claims a TLS session whose first decrypted client record is an RD Gateway request
 * (the "cssp_rdg_tls" heuristic on TLS; it pins the session to this dissector). Its plaintext is read by the
 * shared reader (lib/wire/rdg_stream.c: HTTP heads, WebSocket frames or legacy bodies, MS-TSGU packets decoded by
 * lib/core/tsgu.c), and the DATA bytes of each direction go to the plugin's RDP path: the X.224 negotiation
 * through "cssp_rdp", the inner TLS records through Wireshark's TLS (TSRequests to "cssp" when decrypted)
 * and the observer (cssp-observer.c), so the verdict engine judges the tunnelled connection like a direct one.
 */
#ifndef CSSP_PLUGIN_RDG_H
#define CSSP_PLUGIN_RDG_H

void cssp_rdg_register(void);
void cssp_rdg_handoff(void);

#endif
