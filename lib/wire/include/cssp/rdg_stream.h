/*
 * rdg_stream.h - the plaintext of one RD Gateway connection ([MS-TSGU] HTTP transport) read down to its
 * tunnel packets, for both front ends: the analyzer feeds what its own TLS decrypted (analyzer/rdg_tunnel.c),
 * the plugin what Wireshark's TLS decrypted (plugin/cssp-rdg.c).
 *
 * Per direction the bytes go through one of three readers: HTTP heads (with their bodies skipped by
 * Content-Length), WebSocket frames once the gateway answered 101, or a legacy body (chunked or not) after
 * the answer to RDG_OUT_DATA / the RDG_IN_DATA request. What they carry is cut into MS-TSGU packets, each
 * decoded by the core (tsgu.c) and kept in the tunnel's facts (gateway.c). The first request decides: an RD
 * Gateway request (cssp_gateway_request) is recognised, anything else is not a gateway. Every buffer is
 * bounded: an HTTP head by CSSP_HTTP_MAX_HEAD, what waits of a WebSocket frame by CSSP_WS_MAX_CONTROL, a
 * tunnel packet by CSSP_TSGU_MAX_PACKET; passing one stops the stream with a problem.
 */
#ifndef CSSP_RDG_STREAM_H
#define CSSP_RDG_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cssp/gateway.h"

typedef struct rdg_stream rdg_stream;

#define RDG_CONNECTION_ID_MAX 80   /* "{4212a182-86c3-d42f-cf83-72e9497e6600}" and room to spare */

/* Which request opened the connection: the legacy transport's two channels are two TLS connections. */
typedef enum rdg_channel {
    RDG_CHANNEL_OUT,      /* RDG_OUT_DATA (legacy OUT channel, or a WebSocket upgrade) or GET with an upgrade */
    RDG_CHANNEL_IN        /* RDG_IN_DATA: the legacy IN channel, the client's half of a tunnel */
} rdg_channel;

typedef struct rdg_stream_sink {
    /*
     * The first request opened a tunnel: facts now describe it (transport, then everything learnt).
     * connection_id: its RDG-Connection-Id (printable ASCII, at most RDG_CONNECTION_ID_MAX), "" without one.
     */
    void (*recognised)(void *ctx, rdg_channel channel, const char *connection_id);
    /* Not an RD Gateway connection: nothing more will be reported. */
    void (*not_gateway)(void *ctx);
    /* An HTTP head of the tunnel (data: its bytes); may be NULL. */
    void (*head)(void *ctx, cssp_dir dir, const cssp_http_head *head, const uint8_t *data);
    /* A tunnel packet, decoded (bytes: the whole packet, unmasked; DATA's payload points into them). */
    void (*packet)(void *ctx, cssp_dir dir, const cssp_tsgu_packet *packet, const uint8_t *bytes, size_t len);
    /* Static text. A problem that stops the stream comes once; a masking slip does not stop it. */
    void (*problem)(void *ctx, const char *problem);
} rdg_stream_sink;

/* facts: filled as the stream is read (owned by the caller, may outlive the stream). */
rdg_stream *rdg_stream_new(cssp_gateway *facts, const rdg_stream_sink *sink, void *ctx);
/* Plaintext of one direction, in order, in any split. */
void rdg_stream_feed(rdg_stream *s, cssp_dir dir, const uint8_t *bytes, size_t len);
/* Decides "not a gateway" when nothing was decided yet (the request cannot be read, say). */
void rdg_stream_not_gateway(rdg_stream *s);
/* Stops reading; once recognised, with the problem (static text), else as not a gateway. */
void rdg_stream_stop(rdg_stream *s, const char *problem);
bool rdg_stream_decided(const rdg_stream *s);
bool rdg_stream_recognised(const rdg_stream *s);
bool rdg_stream_stopped(const rdg_stream *s);
/* How the client authenticated to the gateway, from the tokens seen: "NTLM", "Kerberos", ... or NULL. */
const char *rdg_stream_mechanism(const rdg_stream *s);
/*
 * From now on the stream's facts go into `facts`: a legacy IN channel paired with its OUT channel adds what it
 * reads (the client's tunnel packets) to the OUT channel's facts. The caller switches it back before those
 * facts go away.
 */
void rdg_stream_share_facts(rdg_stream *s, cssp_gateway *facts);
/* Bytes the stream holds in its buffers, for a memory budget. */
size_t rdg_stream_held_bytes(const rdg_stream *s);
void rdg_stream_free(rdg_stream *s);

#endif
