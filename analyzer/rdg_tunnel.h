/*
 * rdg_tunnel.h - follows one RD Gateway connection: the gateway's TLS (decrypted with the run's secrets),
 * the HTTP request and answers, the WebSocket frames or legacy bodies, and the MS-TSGU packets inside, and
 * hands the DATA bytes of each direction on: the tunnelled RDP connection.
 *
 * A connection that opens with a TLS ClientHello on a port other than RDP's may be a gateway; it is one
 * when its first decrypted request is an RD Gateway request (cssp_gateway_request). Until then the tunnel
 * decides, and says so once through the sink: recognised, or not a gateway (another protocol, or TLS that
 * the secrets do not open). Every buffer is bounded: an HTTP head by CSSP_HTTP_MAX_HEAD, what waits of a
 * WebSocket frame by CSSP_WS_MAX_CONTROL, a tunnel packet by CSSP_TSGU_MAX_PACKET; passing one stops the
 * tunnel with a problem.
 */
#ifndef CSSP_ANALYZER_RDG_TUNNEL_H
#define CSSP_ANALYZER_RDG_TUNNEL_H

#include <stddef.h>
#include <stdint.h>

#include "cssp/gateway.h"
#include "cssp/rdg_stream.h"
#include "cssp/verdict.h"
#include "tls_glue.h"

typedef struct rdg_tunnel rdg_tunnel;


typedef struct rdg_tunnel_sink {
    /*
     * The first request opened a tunnel: facts now describe it (transport, then everything learnt).
     * connection_id: its RDG-Connection-Id (printable ASCII, at most RDG_CONNECTION_ID_MAX), "" without one.
     */
    void (*recognised)(void *ctx, rdg_channel channel, const char *connection_id);
    /* Not an RD Gateway connection, or one whose TLS cannot be read: nothing more will be reported. */
    void (*not_gateway)(void *ctx);
    /* Tunnelled bytes of the RDP connection, in order per direction. */
    void (*data)(void *ctx, cssp_dir dir, const uint8_t *bytes, size_t len, uint64_t ref);
    /* Static text; the tunnel is no longer followed after one, except for the notes of its HTTP heads. */
    void (*problem)(void *ctx, const char *problem);
} rdg_tunnel_sink;

/* facts: filled as the tunnel is read (owned by the caller, may outlive the tunnel). */
rdg_tunnel *rdg_tunnel_new(const secrets *keys, cssp_gateway *facts, const rdg_tunnel_sink *sink, void *ctx);
void rdg_tunnel_feed(rdg_tunnel *t, cssp_dir dir, const uint8_t *bytes, size_t len, uint64_t ref);
/*
 * From now on the tunnel's facts go into `facts`: a legacy IN channel paired with its OUT channel adds what it
 * reads (the client's tunnel packets) to the OUT channel's facts. The caller switches it back before those
 * facts go away.
 */
void rdg_tunnel_share_facts(rdg_tunnel *t, cssp_gateway *facts);
/* Bytes are missing from this direction of the TCP stream. */
void rdg_tunnel_gap(rdg_tunnel *t, cssp_dir dir);
/* How the client authenticated to the gateway, from the tokens seen: "NTLM", "Kerberos", ... or NULL. */
const char *rdg_tunnel_mechanism(const rdg_tunnel *t);
void rdg_tunnel_free(rdg_tunnel *t);
/* Bytes the tunnel holds (its buffers and its TLS), for the analysis's memory budget. */
size_t rdg_tunnel_held_bytes(const rdg_tunnel *t);

#endif
