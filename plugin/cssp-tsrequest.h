/*
 * cssp-tsrequest.h - the CredSSP phase of an RDP connection: TSRequests, the Early
 * User Authorization Result, and the hand-over of everything else to TPKT.
 *
 * The same bytes arrive two ways: as TLS application data (the "cssp" dissector is
 * the TLS session's application handle, set by ssl_starttls_post_ack or by the
 * "cssp_tls" heuristic under Decode As TLS), or in clear after the X.224 exchange
 * when a TLS-stripping proxy wrote the capture.
 */
#ifndef CSSP_PLUGIN_TSREQUEST_H
#define CSSP_PLUGIN_TSREQUEST_H

#include <epan/packet.h>

#include "cssp-state.h"

void cssp_tsrequest_register(int proto);
void cssp_tsrequest_handoff(void);

/* The TLS application-data dissector ("cssp"). */
dissector_handle_t cssp_tsrequest_handle(void);

/*
 * What a dissector entered through call_dissector() must set pinfo->can_desegment
 * to before calling a subdissector so that the subdissector may reassemble as it
 * could (call_dissector() lowers it by one per layer). Read it on entry.
 */
int cssp_entry_can_desegment(const packet_info *pinfo);

/*
 * Dissects the CredSSP-phase bytes of one connection: TSRequests (asking the
 * carrier for more data until the whole DER length is there), the 4-byte Early
 * User Authorization Result, and hands what follows to TPKT (the RDP session).
 * can_desegment: as cssp_entry_can_desegment() gave it to the calling dissector.
 * Returns the bytes taken (all of them; a desegment request says what is missing).
 */
int cssp_tsrequest_stream(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, cssp_conv *conv, int can_desegment);

/* Hands bytes that are not CredSSP to TPKT, letting it reassemble across records and segments. */
void cssp_tsrequest_forward_to_tpkt(tvbuff_t *tvb, int offset, packet_info *pinfo, proto_tree *tree,
                                  int can_desegment);

#endif
