/*
 * probe_request.h - the two messages credssp-probe sends, built as bytes: the X.224 Connection Request
 * and the first TSRequest of a client (CredSSP version 6, a raw NTLM NEGOTIATE).
 *
 * Pure: they write into a caller buffer. The NEGOTIATE carries no domain, no workstation and no VERSION
 * (nothing about the probing machine), and nothing that could authenticate anyone: a server answers it
 * with its CHALLENGE, which states its own CredSSP version, and the probe never sends the AUTHENTICATE.
 */
#ifndef CSSP_PROBE_REQUEST_H
#define CSSP_PROBE_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#define CSSP_PROBE_CREDSSP_VERSION 6   /* the highest version [MS-CSSP] defines: a server answers with its own */
#define CSSP_CONNECTION_REQUEST_LEN 19 /* TPKT 4 + X.224 CR 7 + RDP_NEG_REQ 8 */
#define CSSP_PROBE_TSREQUEST_LEN 49    /* TSRequest of 17 bytes around a 32-byte NEGOTIATE */

/*
 * TPKT + X.224 Connection Request with an RDP_NEG_REQ for these protocols (CSSP_PROTO_* bits), without a
 * cookie or routing token. Returns the length written, 0 when size < CSSP_CONNECTION_REQUEST_LEN.
 */
size_t cssp_build_connection_request(uint32_t requested_protocols, uint8_t *buf, size_t size);

/*
 * TSRequest { version 6, negoTokens { { NTLM NEGOTIATE } } }. Returns the length written, 0 when
 * size < CSSP_PROBE_TSREQUEST_LEN.
 */
size_t cssp_build_negotiate_tsrequest(uint8_t *buf, size_t size);

#endif
