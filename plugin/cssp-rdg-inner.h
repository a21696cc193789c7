/*
 * cssp-rdg-inner.h - the RDP connection inside an RD Gateway tunnel: its two sides, as the DATA packets of
 * the tunnel carry them (cssp-rdg.c), handed to the plugin's RDP path.
 *
 * On the first pass each DATA payload is cut into the units of its side: whole TPKT PDUs (the X.224
 * negotiation, in clear inside the tunnel) until the side's bytes open a TLS record, then whole TLS records.
 * Every pass shows them: the X.224 PDUs through "cssp_rdp", the TLS records through Wireshark's TLS
 * dissector on a conversation of their own (TSRequests to "cssp" when the key log opens them) and through
 * the observer, which feeds the verdict engine what TLS does not give.
 */
#ifndef CSSP_PLUGIN_RDG_INNER_H
#define CSSP_PLUGIN_RDG_INNER_H

#include <stddef.h>
#include <stdint.h>

#include <epan/packet.h>

#include "cssp/verdict.h"

typedef struct cssp_rdg_inner cssp_rdg_inner;  /* the two sides of one tunnelled connection */
typedef struct cssp_rdg_unit cssp_rdg_unit;    /* what one DATA payload completed of its side */

void cssp_rdg_inner_register(int proto);
void cssp_rdg_inner_handoff(int proto);

/* First pass; freed with the capture file. */
cssp_rdg_inner *cssp_rdg_inner_new(void);
/* First pass: the units this side's next DATA payload completes (NULL for none); file scope. */
const cssp_rdg_unit *cssp_rdg_inner_cut(cssp_rdg_inner *in, cssp_dir dir, const uint8_t *payload, size_t len);
/* Every pass: shows a DATA packet's units under tree (tvb: the packet). */
void cssp_rdg_inner_show(cssp_rdg_inner *in, cssp_dir dir, const cssp_rdg_unit *units, tvbuff_t *tvb,
                         packet_info *pinfo, proto_tree *tree);

#endif
