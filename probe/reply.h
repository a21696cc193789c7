/*
 * reply.h - what credssp-probe reads from a server, without I/O: the answer to the Connection Request
 * and the TSRequest that answers the NEGOTIATE. Each function records what it reads in the result (the
 * engine's events, the server's names) or the error; exchange.c does the I/O around them, the fuzz
 * harness (tests/fuzz/fuzz_probe_reply.c) feeds them hostile bytes.
 */
#ifndef PROBE_REPLY_H
#define PROBE_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result.h"

#define REPLY_CONFIRM_MAX 512     /* a Connection Confirm is 19 bytes; a longer answer is not one */
#define REPLY_TSREQUEST_MAX 16384 /* a CHALLENGE TSRequest is a few hundred bytes */
#define REPLY_NOT_TSREQUEST ((size_t)-1)

/* Feeds the engine the probe's own Connection Request; returns its bytes' length in buf. */
size_t reply_start(probe_result *r, uint8_t *buf, size_t size);

/*
 * Given the first 4 bytes of the answer: the whole PDU's length (at most REPLY_CONFIRM_MAX), or 0 with
 * PROBE_ERR_NOT_RDP recorded when they are not a TPKT header.
 */
size_t reply_confirm_size(probe_result *r, const uint8_t head[4]);

/* Decodes the whole answer; false with PROBE_ERR_NOT_RDP recorded when it is not a Connection Confirm. */
bool reply_confirm(probe_result *r, const uint8_t *pdu, size_t len);

/* Feeds the engine the probe's own NEGOTIATE TSRequest; returns its length in buf. */
size_t reply_negotiate(probe_result *r, uint8_t *buf, size_t size);

/*
 * With `have` bytes of the server's TSRequest received: its total size once known and complete, 0 to read
 * more; REPLY_NOT_TSREQUEST with PROBE_ERR_BAD_REPLY recorded when they cannot start a TSRequest or
 * announce more than REPLY_TSREQUEST_MAX.
 */
size_t reply_tsrequest_size(probe_result *r, const uint8_t *buf, size_t have);

/* Decodes the server's TSRequest: its version and NTLM CHALLENGE to the engine, its names to r. */
void reply_tsrequest(probe_result *r, const uint8_t *buf, size_t len);

/* The exchange is over: judges the server unless an error stopped the probe. */
void reply_finish(probe_result *r);

#endif
