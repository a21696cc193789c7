/*
 * cssp-observer.h - a postdissector that feeds the verdict engine what the
 * dissectors themselves never see: TCP FIN and RST, TLS alerts, the ServerHello,
 * and application records Wireshark could not decrypt (their sizes and turns are
 * the engine's evidence when there is no key).
 */
#ifndef CSSP_PLUGIN_OBSERVER_H
#define CSSP_PLUGIN_OBSERVER_H

#include <epan/packet.h>

#include "cssp-observer-wire.h"
#include "cssp-state.h"

void cssp_observer_register(int proto);
void cssp_observer_handoff(void);

/*
 * First pass: the next whole TLS records of one side of an RDP connection tunnelled through an RD Gateway
 * (cssp-rdg.c), read with `wire` (the tunnel's own, not a TCP stream's) and observed like a TCP frame's
 * records; tls_layer: the layer number Wireshark's TLS dissector decrypted them at (0: not handed to it).
 * Returns the view stored under key when the records moved the exchange, else NULL.
 */
const cssp_view *cssp_observer_tunnel_bytes(cssp_conv *conv, cssp_observer_wire *wire, packet_info *pinfo, uint32_t key,
                                            cssp_dir dir, const uint8_t *bytes, size_t len, guint8 tls_layer);

#endif
