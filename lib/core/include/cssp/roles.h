/*
 * roles.h - RDP's well-known port, and which side of a TCP connection is RDP's client when no X.224
 * exchange says it (a capture that starts in the middle of a connection).
 */
#ifndef CSSP_ROLES_H
#define CSSP_ROLES_H

#include <stdbool.h>
#include <stdint.h>

#define CSSP_RDP_PORT 3389

/*
 * Was a segment from src_port to dst_port sent by the client? The side not on server_port (the SYN's
 * destination; 0 when the SYN was not seen); else the side sending to the RDP port; else the higher port,
 * the ephemeral one a client connects from.
 */
bool cssp_sent_by_client(uint16_t src_port, uint16_t dst_port, uint16_t server_port);

#endif
