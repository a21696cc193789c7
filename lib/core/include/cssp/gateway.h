/*
 * gateway.h - an RD Gateway tunnel ([MS-TSGU] HTTP transport) as both tools judge it.
 *
 * A front end feeds the HTTP heads and the MS-TSGU packets of one tunnel, in capture order, into a
 * cssp_gateway; it learns which request opened the tunnel, how the client authenticated to the gateway,
 * which target the client asked for, how far the set-up got and which part refused it. The tunnelled RDP
 * connection itself is judged by the verdict engine (verdict.h) from the DATA bytes; cssp_gateway_judge()
 * replaces that judgement with `gateway_refused` when the gateway never let the connection through, and
 * says which part refused: HTTP authentication, the tunnel, the connection authorization policy (CAP), the
 * resource authorization policy (RAP) or the target's reachability. Pure: no I/O, no allocation.
 */
#ifndef CSSP_GATEWAY_H
#define CSSP_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cssp/http.h"
#include "cssp/tsgu.h"
#include "cssp/verdict.h"

#define CSSP_GATEWAY_MAX_STATUSES 8       /* HTTP response statuses kept, in order */
#define CSSP_GATEWAY_TARGET_MAX (CSSP_TSGU_NAME_MAX + 8)  /* "name:port" */

typedef enum cssp_gateway_stage {
    CSSP_GW_HTTP = 0,         /* "http_authentication": the HTTP request and the gateway's authentication */
    CSSP_GW_HANDSHAKE,        /* "handshake": HANDSHAKE_REQUEST/RESPONSE */
    CSSP_GW_TUNNEL,           /* "tunnel": TUNNEL_CREATE/RESPONSE */
    CSSP_GW_AUTHORIZATION,    /* "authorization": TUNNEL_AUTH/RESPONSE, the connection authorization policy */
    CSSP_GW_CHANNEL,          /* "channel": CHANNEL_CREATE/RESPONSE, the resource authorization policy and the target */
    CSSP_GW_OPEN              /* "open": the channel carries the RDP connection */
} cssp_gateway_stage;

typedef enum cssp_gateway_transport {
    CSSP_GW_TRANSPORT_WEBSOCKET,   /* an HTTP/1.1 upgrade to WebSocket */
    CSSP_GW_TRANSPORT_LEGACY       /* RDG_OUT_DATA / RDG_IN_DATA bodies, without an upgrade */
} cssp_gateway_transport;

typedef struct cssp_gateway {
    cssp_gateway_transport transport;
    cssp_gateway_stage stage;             /* the furthest step the client started */
    cssp_http_auth auth_scheme;           /* the client's Authorization, else the gateway's first challenge */
    bool paa_cookie;                      /* the client authenticated with a PAA cookie (TUNNEL_CREATE) */
    unsigned statuses[CSSP_GATEWAY_MAX_STATUSES];  /* HTTP response statuses in order: 401, 101 */
    unsigned status_count;                /* all seen (the first CSSP_GATEWAY_MAX_STATUSES are kept) */
    bool refused;                         /* a *_RESPONSE carried a failure */
    cssp_gateway_stage refused_at;
    uint32_t refusal;                     /* its HRESULT */
    bool has_target;
    char target[CSSP_GATEWAY_TARGET_MAX]; /* "IT-HELP-TEST.ad.it-help.ninja:3389" (printable ASCII) */
    unsigned channels;                    /* CHANNEL_CREATE packets */
    bool channel_closed;
    uint32_t close_status;                /* CLOSE_CHANNEL statusCode */
    uint64_t data_bytes[2];               /* tunnelled bytes per direction */
} cssp_gateway;

/*
 * Does this request open an RD Gateway tunnel: method RDG_OUT_DATA or RDG_IN_DATA, or GET with
 * Upgrade: websocket on /remoteDesktopGateway/? Sets the transport (an upgrade means WebSocket).
 */
bool cssp_gateway_request(const cssp_http_head *request, const uint8_t *data, cssp_gateway_transport *transport);

void cssp_gateway_init(cssp_gateway *g, cssp_gateway_transport transport);
/* An HTTP head of the tunnel (data: the bytes it was decoded from). */
void cssp_gateway_http(cssp_gateway *g, cssp_dir dir, const cssp_http_head *head, const uint8_t *data);
void cssp_gateway_packet(cssp_gateway *g, cssp_dir dir, const cssp_tsgu_packet *packet);

/* Did the gateway keep the RDP connection from starting (refusal, or an HTTP error as its last answer)? */
bool cssp_gateway_refused(const cssp_gateway *g);
/* The refusing step's name ("channel"), or NULL when nothing refused. */
const char *cssp_gateway_refusing_part(const cssp_gateway *g);
/* When the gateway refused, j becomes gateway_refused (evidence decrypted) with the sentence and advice. */
void cssp_gateway_judge(const cssp_gateway *g, cssp_judgement *j);
/* The same with the explanation in tr's language (cssp/words.h; NULL: English); the advice stays English. */
void cssp_gateway_judge_in(const cssp_gateway *g, cssp_translate tr, cssp_judgement *j);

const char *cssp_gateway_stage_name(cssp_gateway_stage stage);
const char *cssp_gateway_transport_name(cssp_gateway_transport t);   /* "websocket", "legacy" */

#endif
