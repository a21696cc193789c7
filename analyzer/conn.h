/*
 * conn.h - one TCP connection as the analyzer follows it.
 *
 * A conn receives the in-order bytes of each direction (from tcp_stream) and
 * walks the phases of an RDP connection start: detection, the cleartext X.224
 * negotiation, then TLS (decrypted when secrets exist) or CredSSP in clear.
 * Everything it learns becomes an event of the core's verdict engine; once the
 * engine says CredSSP is over, the conn drops its buffers and TLS state and
 * ignores the rest of the connection's bytes (the bulk of an RDP session).
 */
#ifndef CSSP_ANALYZER_CONN_H
#define CSSP_ANALYZER_CONN_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "cssp/verdict.h"
#include "cssp/x224.h"
#include "cssp/packet.h"
#include "cssp/tcp_stream.h"

#define CONN_MAX_BUFFER (64u * 1024u)  /* bytes of one unfinished PDU kept per direction */

struct secrets;
struct tls_glue;
struct rdg_tunnel;
struct cssp_gateway;
struct rdg_pairs;

typedef enum conn_phase {
    PHASE_DETECT,        /* nothing seen yet: is this RDP? */
    PHASE_X224,          /* TPKT/X.224 negotiation in clear */
    PHASE_SECURITY,      /* after the Confirm: TLS or CredSSP in clear follows */
    PHASE_TLS,
    PHASE_CLEAR_CREDSSP, /* CredSSP without TLS (a TLS-stripping proxy's capture) */
    PHASE_GATEWAY,       /* TLS on another port: an RD Gateway connection? (rdg_tunnel decides) */
    PHASE_DONE,          /* CredSSP over, or nothing more to learn: bytes are ignored */
    PHASE_NOT_RDP
} conn_phase;

typedef struct conn {
    tcp_endpoint client, server;      /* roles may be swapped once content shows them */
    uint64_t first_packet;            /* ordinal of its first packet in the run */
    int64_t start_us;                 /* capture time of the first packet, microseconds since the epoch */
    conn_phase phase;
    bool is_rdp;
    bool decrypted;                   /* at least one TLS record was decrypted */
    bool tls_seen;
    uint16_t tls_version, cipher_suite;
    tcp_stream stream[2];             /* indexed by cssp_dir */
    GByteArray *pending[2];           /* an unfinished PDU per direction */
    struct tls_glue *tls;             /* the RDP connection's TLS (inside the tunnel for a gateway connection) */
    struct rdg_tunnel *tunnel;        /* an RD Gateway connection being read: the TCP bytes go to it */
    struct cssp_gateway *gateway;     /* the tunnel's facts (allocated with the tunnel) */
    bool tunnelled;                   /* an RD Gateway connection: the RDP connection is the tunnel's */
    const char *gateway_mechanism;    /* how the client authenticated to the gateway (static text), or NULL */
    struct rdg_pairs *pairs;          /* the run's legacy OUT channels by RDG-Connection-Id (set by the analysis) */
    char *pair_id;                    /* the RDG-Connection-Id under which this OUT channel waits in pairs */
    struct conn *partner;             /* the other channel of a legacy RD Gateway tunnel, while both are read */
    bool in_channel;                  /* a legacy IN channel joined to its OUT channel's conn: not reported itself */
    const struct secrets *keys;
    cssp_conn judge;                  /* its names are on the heap (cssp_conn_clear) */
    char *cookie;                     /* cookie or routing token of the Request, on the heap; NULL when none */
    uint64_t gaps;
    const char *problem;              /* the first parse problem met, for the report; static text */
    bool budget_noted;                /* a stream lost its waiting data to the shared budget */
    bool confirm_waits;               /* an X.224 Confirm came before the Request; it waits in pending[server] */
    bool finishing;                   /* conn_finish() is running */
    bool finalized;
    bool closed[2];                   /* FIN or RST seen per direction */
    GList *order_link;                /* in the analysis's first-packet order queue */
    GList *lru_link;                  /* in the analysis's least-recently-seen queue */
    uint64_t flow_key_hash;
    size_t weight;                    /* conn_held_bytes() as the analysis's connection budget last counted it */
} conn;

/* Roles from the first packet seen: the SYN's sender, else as cssp_sent_by_client() guesses. */
/* `budget`: the bound on out-of-order bytes shared with the other connections (may be NULL). */
conn *conn_new(const tcp_packet *first, uint64_t packet_ordinal, int64_t ts_us, const struct secrets *keys,
               tcp_stream_budget *budget);
void conn_free(conn *c);

/* Feeds one TCP segment in capture order. */
void conn_packet(conn *c, const tcp_packet *p, uint64_t packet_ordinal);

/* No more packets will come (end of capture, eviction): judge and drop the buffers. */
void conn_finish(conn *c);

/*
 * A stream of this connection lost its waiting data to the shared budget (tcp_stream_budget_take_dropped):
 * like a hole that never fills, parsing stops, with a note, and the buffers and TLS state are freed now.
 * True the first time for this connection.
 */
bool conn_lost_to_budget(conn *c);

/*
 * The connection budget needs room (analysis.h): judge it now as at the end of the capture, with a note
 * saying why when it had no verdict yet.
 */
void conn_evict(conn *c);

/* Bytes this connection holds: the conn, the names it kept, buffers of unfinished PDUs, TLS and tunnel state. */
size_t conn_held_bytes(const conn *c);

/* The judgement with the explanation in tr's language (NULL: English); made when asked, like conn_judge. */
void conn_judge_in(const conn *c, cssp_translate tr, cssp_judgement *out);

/* True when the verdict is final and the state can be reported. */
bool conn_is_final(const conn *c);

/* The judgement of a final connection (the engine's, or the RD Gateway's refusal); not kept, made when asked. */
void conn_judge(const conn *c, cssp_judgement *out);

#endif
