/*
 * conn.c - the phases of one RDP connection start, turned into verdict events (see conn.h).
 *
 * The byte flow is: tcp_stream (in order) -> on_bytes() per phase ->
 * X.224 PDUs / TLS records / TSRequests -> cssp_conn_feed(). Every PDU is
 * framed from the bytes with the core's size probes and decoded by the core;
 * this file only moves bytes and turns results into events.
 */
#include "conn.h"

#include <string.h>

#include "cssp/der.h"
#include "cssp/gateway.h"
#include "cssp/reader.h"
#include "cssp/roles.h"
#include "cssp/tls_framer.h"
#include "cssp/tsrequest.h"
#include "rdg_pairs.h"
#include "rdg_tunnel.h"
#include "tls_glue.h"

/* The identifier byte of a DER SEQUENCE (constructed, universal 16): a TSRequest in clear starts with it. */
#define DER_SEQUENCE (0x20 | CSSP_DER_TAG_SEQUENCE)
/* Largest X.224 Connection Request/Confirm waited for while detecting (cookie and routing token included). */
#define X224_CONNECT_MAX 1024

static bool port_is_rdp(const conn *c)
{
    return c->server.port == CSSP_RDP_PORT || c->client.port == CSSP_RDP_PORT;
}

conn *conn_new(const tcp_packet *first, uint64_t packet_ordinal, int64_t ts_us, const struct secrets *keys,
               tcp_stream_budget *budget)
{
    conn *c = g_new0(conn, 1);
    bool src_is_client;
    if (first->flags & TCP_SYN)
        src_is_client = !(first->flags & TCP_ACK);
    else
        src_is_client = cssp_sent_by_client(first->src.port, first->dst.port, 0);
    c->client = src_is_client ? first->src : first->dst;
    c->server = src_is_client ? first->dst : first->src;
    c->first_packet = packet_ordinal;
    c->start_us = ts_us;
    c->keys = keys;
    c->phase = PHASE_DETECT;
    for (int d = 0; d < 2; d++) {
        tcp_stream_init(&c->stream[d]);
        tcp_stream_use_budget(&c->stream[d], budget, c);
    }
    cssp_conn_init(&c->judge);
    return c;
}

static void stop(conn *c);

/* The legacy tunnel's two channels part: the IN channel served only its OUT channel and stops too. */
static void unpair(conn *c)
{
    if (c->pair_id) {
        rdg_pairs_forget(c->pairs, c->pair_id, c);
        g_free(c->pair_id);
        c->pair_id = NULL;
    }
    conn *other = c->partner;
    if (!other)
        return;
    c->partner = other->partner = NULL;
    conn *in = c->in_channel ? c : other;
    if (in->tunnel)
        rdg_tunnel_share_facts(in->tunnel, in->gateway);
    stop(in);
}

static void drop_state(conn *c)
{
    unpair(c);
    for (int d = 0; d < 2; d++) {
        tcp_stream_release(&c->stream[d]);
        if (c->pending[d]) {
            g_byte_array_free(c->pending[d], TRUE);
            c->pending[d] = NULL;
        }
    }
    if (c->tls) {
        tls_glue_free(c->tls);
        c->tls = NULL;
    }
    if (c->tunnel) {
        c->gateway_mechanism = rdg_tunnel_mechanism(c->tunnel);
        rdg_tunnel_free(c->tunnel);
        c->tunnel = NULL;
    }
}

void conn_free(conn *c)
{
    drop_state(c);
    cssp_conn_clear(&c->judge);
    g_free(c->cookie);
    g_free(c->gateway);
    g_free(c);
}

static void note_problem(conn *c, const char *problem)
{
    if (!c->problem)
        c->problem = problem;
}

/*
 * Parsing stops here; the buffers are freed by conn_packet() once the current
 * segment is through, never from inside a stream or TLS callback.
 */
static void stop(conn *c)
{
    if (c->phase != PHASE_NOT_RDP)
        c->phase = PHASE_DONE;
}

/*
 * A connection that negotiated TLS without CredSSP (SSL, RDSTLS, RDSAAD) is
 * judged at the Confirm, but its TLS version and cipher are still worth
 * reporting: follow it up to the ServerHello.
 */
static bool awaiting_server_hello(const conn *c)
{
    const cssp_facts *f = &c->judge.facts;
    return f->has_response && f->response_has_neg && f->selected_protocol != CSSP_PROTO_RDP && !c->tls_seen &&
           (c->phase == PHASE_SECURITY || c->phase == PHASE_TLS);
}

/* Nothing more this connection can tell: its verdict is settled and its TLS parameters are known. */
static bool settled(const conn *c)
{
    return cssp_conn_credssp_over(&c->judge) && !awaiting_server_hello(c);
}

static void feed(conn *c, cssp_event *ev)
{
    cssp_conn_feed(&c->judge, ev);
    if (settled(c))
        stop(c);
}

static void feed_simple(conn *c, cssp_event_type type, cssp_dir dir, uint64_t ref)
{
    cssp_event ev = {.type = type, .dir = dir, .ref = ref};
    feed(c, &ev);
}

/* ---- the bytes a parser works on ---- */

/*
 * A direction's unparsed bytes: the new bytes themselves while nothing of the direction waits in its buffer
 * (most segments end on a PDU boundary: no copy, no allocation), else the buffer with the new bytes
 * appended. A parser takes bytes from the front; window_close() keeps the rest for the next segment.
 */
typedef struct window {
    const uint8_t *data;
    size_t len;
    GByteArray *held; /* the direction's buffer when the bytes are in it, else NULL */
} window;

/* False, and parsing stops, when the unparsed bytes would pass CONN_MAX_BUFFER. */
static bool window_open(conn *c, cssp_dir dir, const uint8_t *bytes, size_t len, window *w)
{
    GByteArray *buf = c->pending[dir];
    size_t waiting = buf ? buf->len : 0;
    if (waiting + len > CONN_MAX_BUFFER) {
        note_problem(c, "a PDU larger than the per-direction buffer limit");
        stop(c);
        return false;
    }
    if (waiting == 0) {
        *w = (window){.data = bytes, .len = len};
        return true;
    }
    g_byte_array_append(buf, bytes, (guint)len);
    *w = (window){.data = buf->data, .len = buf->len, .held = buf};
    return true;
}

static void window_take(window *w, size_t n)
{
    w->data += n;
    w->len -= n;
}

static void window_close(conn *c, cssp_dir dir, const window *w)
{
    if (w->held) {
        g_byte_array_remove_range(w->held, 0, w->held->len - (guint)w->len);
        return;
    }
    if (w->len == 0)
        return;
    if (!c->pending[dir])
        c->pending[dir] = g_byte_array_new();
    g_byte_array_append(c->pending[dir], w->data, (guint)w->len);
}

static void on_bytes(conn *c, cssp_dir dir, const uint8_t *bytes, size_t len, uint64_t ref);

/* The bytes not taken belong to the next phase, which starts with an empty buffer (`from`: the window's dir). */
static void window_pass_on(conn *c, cssp_dir from, cssp_dir dir, const window *w, uint64_t ref)
{
    if (w->held)
        c->pending[from] = NULL;
    on_bytes(c, dir, w->data, w->len, ref);
    if (w->held)
        g_byte_array_free(w->held, TRUE);
}

/* ---- X.224 negotiation ---- */

static void on_x224_pdu(conn *c, cssp_dir dir, const cssp_x224 *pdu, uint64_t ref)
{
    cssp_event ev;
    if (!cssp_x224_event(pdu, dir, ref, &ev))
        return;
    if (pdu->kind == CSSP_X224_CONNECTION_REQUEST && pdu->token_kind != CSSP_X224_NO_TOKEN && pdu->cookie[0]) {
        g_free(c->cookie);
        c->cookie = g_strndup(pdu->cookie, sizeof pdu->cookie - 1);
    }
    if (pdu->kind == CSSP_X224_CONNECTION_CONFIRM && c->phase == PHASE_X224)
        c->phase = PHASE_SECURITY;
    feed(c, &ev);
}

static void release_waiting_confirm(conn *c, uint64_t ref);

static void run_x224(conn *c, cssp_dir dir, const uint8_t *bytes, size_t len, uint64_t ref)
{
    window w;
    if (!window_open(c, dir, bytes, len, &w))
        return;
    while (c->phase == PHASE_X224) {
        size_t pdu_len;
        cssp_status st = cssp_tpkt_size(w.data, w.len, &pdu_len);
        if (st == CSSP_ERR_TRUNCATED || (st == CSSP_OK && pdu_len > w.len))
            break;
        cssp_x224 pdu;
        if (st != CSSP_OK || cssp_x224_decode(w.data, pdu_len, &pdu) != CSSP_OK) {
            note_problem(c, "malformed TPKT/X.224 negotiation PDU");
            stop(c);
            return;
        }
        /*
         * A Confirm before its Request: the capture holds the two sides from two interfaces whose clocks
         * differ. The Confirm (and what follows it) waits in its buffer for the Request, or for the end.
         */
        if (pdu.kind == CSSP_X224_CONNECTION_CONFIRM && !c->judge.facts.has_request && !c->finishing) {
            c->confirm_waits = true;
            break;
        }
        window_take(&w, pdu_len);
        on_x224_pdu(c, dir, &pdu, ref);
    }
    /* bytes that followed the Confirm in the same segment belong to the next phase */
    if (c->phase != PHASE_X224 && w.len)
        window_pass_on(c, dir, dir, &w, ref);
    else
        window_close(c, dir, &w);
    release_waiting_confirm(c, ref);
}

/* The Request came (or the capture ended): the Confirm that waited for it, with what followed, goes on. */
static void release_waiting_confirm(conn *c, uint64_t ref)
{
    if (!c->confirm_waits || (!c->judge.facts.has_request && !c->finishing) || c->phase != PHASE_X224)
        return;
    c->confirm_waits = false;
    run_x224(c, CSSP_FROM_SERVER, NULL, 0, ref);
}

/* ---- CredSSP (plaintext from TLS, or in clear) ---- */

static bool looks_like_early_auth_result(const conn *c, cssp_dir dir, size_t len)
{
    return dir == CSSP_FROM_SERVER && len == 4 && cssp_conn_expects_early_auth(&c->judge);
}

static void on_credssp_bytes(conn *c, cssp_dir dir, const uint8_t *bytes, size_t len, uint64_t ref)
{
    window w;
    if (!window_open(c, dir, bytes, len, &w))
        return;
    while (w.len && c->phase != PHASE_DONE) {
        size_t needed = 0;
        cssp_probe probe = cssp_tsrequest_probe(w.data, w.len, &needed);
        if (probe == CSSP_PROBE_NEED_MORE || (probe == CSSP_PROBE_YES && needed > w.len)) {
            if (!looks_like_early_auth_result(c, dir, w.len))
                break;
            probe = CSSP_PROBE_NO;
        }
        if (probe == CSSP_PROBE_NO) {
            uint32_t result;
            if (looks_like_early_auth_result(c, dir, w.len) &&
                cssp_early_auth_result_decode(w.data, w.len, &result) == CSSP_OK) {
                window_take(&w, w.len);
                /* the engine holds it until the client's credentials are in (verdict.h) */
                cssp_event ev = {.type = CSSP_EV_EARLY_AUTH_RESULT, .dir = CSSP_FROM_SERVER, .ref = ref};
                ev.u.early_auth.result = result;
                feed(c, &ev);
                break;
            }
            /* not CredSSP: the RDP session proper has begun, or the peer speaks something else */
            if (cssp_conn_tsrequests(&c->judge) == 0)
                note_problem(c, "data after the security negotiation is not a TSRequest");
            window_take(&w, w.len);
            stop(c);
            break;
        }
        cssp_tsrequest req;
        if (cssp_tsrequest_decode(w.data, needed, &req) != CSSP_OK) {
            note_problem(c, "malformed TSRequest");
            window_take(&w, needed);
            continue;
        }
        cssp_tsreq_summary summary;
        cssp_tsreq_summarize(w.data, &req, &summary);
        window_take(&w, needed);
        cssp_event ev = {.type = CSSP_EV_TSREQUEST, .dir = dir, .ref = ref};
        ev.u.tsreq = &summary;
        feed(c, &ev);
    }
    window_close(c, dir, &w);
}

/* ---- TLS ---- */

static void tls_handshake_cb(void *ctx, uint16_t version, uint16_t cipher_suite, uint64_t ref)
{
    conn *c = ctx;
    c->tls_seen = true;
    c->tls_version = version;
    c->cipher_suite = cipher_suite;
    cssp_event ev = {.type = CSSP_EV_TLS_HANDSHAKE, .dir = CSSP_FROM_SERVER, .ref = ref};
    ev.u.tls.version = version;
    ev.u.tls.cipher_suite = cipher_suite;
    feed(c, &ev);
    if (settled(c))
        stop(c);
}

static void tls_plaintext_cb(void *ctx, cssp_dir dir, const uint8_t *data, size_t len, uint64_t ref)
{
    conn *c = ctx;
    c->decrypted = true;
    if (c->phase == PHASE_TLS)
        on_credssp_bytes(c, dir, data, len, ref);
}

static void tls_record_cb(void *ctx, cssp_dir dir, size_t record_len, uint64_t ref)
{
    conn *c = ctx;
    cssp_event ev = {.type = CSSP_EV_ENCRYPTED_RECORD, .dir = dir, .ref = ref};
    ev.u.record.length = record_len;
    feed(c, &ev);
}

static void tls_alert_cb(void *ctx, cssp_dir dir, bool encrypted, uint8_t level, uint8_t description, uint64_t ref)
{
    conn *c = ctx;
    cssp_event ev = {.type = CSSP_EV_TLS_ALERT, .dir = dir, .ref = ref};
    ev.u.alert.encrypted = encrypted;
    ev.u.alert.level = level;
    ev.u.alert.description = description;
    feed(c, &ev);
}

static void tls_problem_cb(void *ctx, const char *problem)
{
    note_problem(ctx, problem);
}

static const tls_glue_sink tls_sink = {
    .handshake = tls_handshake_cb,
    .plaintext = tls_plaintext_cb,
    .record = tls_record_cb,
    .alert = tls_alert_cb,
    .problem = tls_problem_cb,
};

static void run_tls(conn *c, cssp_dir dir, const uint8_t *bytes, size_t len, uint64_t ref)
{
    if (!c->tls)
        c->tls = tls_glue_new(c->keys, &tls_sink, c);
    tls_glue_feed(c->tls, dir, bytes, len, ref);
}

/* ---- phase dispatch ---- */

static void swap_roles(conn *c)
{
    tcp_endpoint e = c->client;
    c->client = c->server;
    c->server = e;
    tcp_stream s = c->stream[0];
    c->stream[0] = c->stream[1];
    c->stream[1] = s;
    tcp_stream_moved(&c->stream[0]);
    tcp_stream_moved(&c->stream[1]);
}

static const rdg_tunnel_sink tunnel_sink;

/* Does the window open with this byte? Read through the core's reader, like every byte of a capture. */
static bool starts_with_byte(const uint8_t *bytes, size_t len, uint8_t value)
{
    cssp_reader r;
    cssp_reader_init(&r, bytes, len);
    return cssp_reader_starts_with(&r, &value, 1);
}

/*
 * Decides from the first bytes of a direction whether this connection is RDP. Returns the (maybe swapped) dir.
 * Inside an RD Gateway tunnel the roles are known and only an X.224 Connection Request from the client starts
 * the connection.
 */
static cssp_dir detect(conn *c, cssp_dir dir, const uint8_t *bytes, size_t len)
{
    bool tunnelled = c->tunnelled;
    size_t pdu_len;
    cssp_x224 pdu;
    cssp_status tpkt = cssp_tpkt_size(bytes, len, &pdu_len);
    /* a first PDU cut across segments: wait for the rest of it (an X.224 Request or Confirm is small) */
    if (tpkt == CSSP_ERR_TRUNCATED || (tpkt == CSSP_OK && pdu_len > len && pdu_len <= X224_CONNECT_MAX))
        return dir;
    if (tpkt == CSSP_OK && pdu_len <= len &&
        cssp_x224_decode(bytes, pdu_len, &pdu) == CSSP_OK &&
        (pdu.kind == CSSP_X224_CONNECTION_REQUEST || pdu.kind == CSSP_X224_CONNECTION_CONFIRM)) {
        bool sender_is_client = pdu.kind == CSSP_X224_CONNECTION_REQUEST;
        if (tunnelled && !(sender_is_client && dir == CSSP_FROM_CLIENT)) {
            note_problem(c, "the RD Gateway tunnel does not start with the client's X.224 Connection Request");
            stop(c);
            return dir;
        }
        if (sender_is_client != (dir == CSSP_FROM_CLIENT)) {
            swap_roles(c);
            dir = dir == CSSP_FROM_CLIENT ? CSSP_FROM_SERVER : CSSP_FROM_CLIENT;
        }
        c->is_rdp = true;
        c->phase = PHASE_X224;
        return dir;
    }
    if (port_is_rdp(c) && tls_record_start(bytes, len)) {
        /* the start of the connection is not in the capture, but TLS on 3389 is RDP's */
        if (c->client.port == CSSP_RDP_PORT && c->server.port != CSSP_RDP_PORT) {
            swap_roles(c);
            dir = dir == CSSP_FROM_CLIENT ? CSSP_FROM_SERVER : CSSP_FROM_CLIENT;
        }
        c->is_rdp = true;
        c->phase = PHASE_TLS;
        return dir;
    }
    if (tunnelled) {
        note_problem(c, "the RD Gateway tunnel does not carry an RDP connection");
        stop(c);
        return dir;
    }
    /* a TLS ClientHello elsewhere: an RD Gateway connection, if its first request says so */
    if (dir == CSSP_FROM_CLIENT && tls_record_start(bytes, len) && starts_with_byte(bytes, len, TLS_CONTENT_HANDSHAKE)) {
        c->phase = PHASE_GATEWAY;
        c->gateway = g_new0(cssp_gateway, 1);
        c->tunnel = rdg_tunnel_new(c->keys, c->gateway, &tunnel_sink, c);
        return dir;
    }
    c->phase = PHASE_NOT_RDP;
    return dir;
}

static void on_bytes(conn *c, cssp_dir dir, const uint8_t *bytes, size_t len, uint64_t ref)
{
    if (c->phase == PHASE_SECURITY) {
        if (tls_record_start(bytes, len))
            c->phase = PHASE_TLS;
        else if (starts_with_byte(bytes, len, DER_SEQUENCE))
            c->phase = PHASE_CLEAR_CREDSSP;
        else {
            note_problem(c, "neither TLS nor CredSSP after the negotiation");
            stop(c);
        }
    }
    switch (c->phase) {
    case PHASE_GATEWAY: rdg_tunnel_feed(c->tunnel, dir, bytes, len, ref); break;
    case PHASE_X224: run_x224(c, dir, bytes, len, ref); break;
    case PHASE_TLS: run_tls(c, dir, bytes, len, ref); break;
    case PHASE_CLEAR_CREDSSP: on_credssp_bytes(c, dir, bytes, len, ref); break;
    default: break;
    }
}

/* tcp_stream sink: the stream tells us its direction through the context it was given. */
typedef struct stream_ctx {
    conn *c;
    cssp_dir dir;
    uint64_t ref;
} stream_ctx;

/* The bytes of one direction of the RDP connection (TCP's, or the tunnel's); *dir may swap while detecting. */
static void connection_bytes(conn *c, cssp_dir *dir, const uint8_t *bytes, size_t len, uint64_t ref)
{
    if (len == 0 || c->phase == PHASE_DONE || c->phase == PHASE_NOT_RDP)
        return;
    if (c->phase == PHASE_DETECT) {
        window w;
        if (!window_open(c, *dir, bytes, len, &w))
            return;
        cssp_dir to = detect(c, *dir, w.data, w.len);
        if (c->phase == PHASE_DETECT || c->phase == PHASE_NOT_RDP || c->phase == PHASE_DONE) {
            window_close(c, *dir, &w);
            return;
        }
        cssp_dir from = *dir;
        *dir = to;
        window_pass_on(c, from, to, &w, ref);
        return;
    }
    on_bytes(c, *dir, bytes, len, ref);
}

static void stream_data(void *ctx, const uint8_t *bytes, size_t len)
{
    stream_ctx *sc = ctx;
    if (sc->c->tunnel && sc->c->phase != PHASE_GATEWAY) {
        /* a recognised gateway connection: every TCP byte is the tunnel's, the RDP connection is inside */
        if (sc->c->phase != PHASE_DONE && sc->c->phase != PHASE_NOT_RDP)
            rdg_tunnel_feed(sc->c->tunnel, sc->dir, bytes, len, sc->ref);
        return;
    }
    connection_bytes(sc->c, &sc->dir, bytes, len, sc->ref);
}

/* ---- RD Gateway tunnel ---- */

/*
 * A legacy OUT channel waits for its IN channel; an IN channel whose OUT channel waits joins it: its tunnel
 * packets add to the OUT channel's facts and its DATA is the client's half of the OUT channel's connection,
 * so the tunnelled RDP connection is judged once, with both directions. An IN channel alone is reported alone.
 */
static void tunnel_recognised(void *ctx, rdg_channel channel, const char *connection_id)
{
    conn *c = ctx;
    c->is_rdp = true;
    c->tunnelled = true;
    c->phase = PHASE_DETECT; /* of the tunnelled connection */
    if (!c->pairs || !connection_id[0])
        return;
    if (channel == RDG_CHANNEL_OUT) {
        if (rdg_pairs_add_out(c->pairs, connection_id, c))
            c->pair_id = g_strdup(connection_id);
        return;
    }
    conn *out = rdg_pairs_take(c->pairs, connection_id);
    if (!out)
        return;
    g_free(out->pair_id);
    out->pair_id = NULL;
    if (out->finalized || !out->tunnel)
        return;
    c->partner = out;
    out->partner = c;
    c->in_channel = true;
    c->is_rdp = false; /* the OUT channel's conn reports the tunnel */
    rdg_tunnel_share_facts(c->tunnel, out->gateway);
}

static void tunnel_not_gateway(void *ctx)
{
    conn *c = ctx;
    c->phase = PHASE_NOT_RDP;
}

static void tunnel_data(void *ctx, cssp_dir dir, const uint8_t *bytes, size_t len, uint64_t ref)
{
    conn *c = ctx;
    if (c->in_channel) {
        if (c->partner)
            connection_bytes(c->partner, &dir, bytes, len, ref);
        return;
    }
    connection_bytes(c, &dir, bytes, len, ref);
}

static void tunnel_problem(void *ctx, const char *problem)
{
    conn *c = ctx;
    note_problem(c->in_channel && c->partner ? c->partner : c, problem);
}

static const rdg_tunnel_sink tunnel_sink = {
    .recognised = tunnel_recognised,
    .not_gateway = tunnel_not_gateway,
    .data = tunnel_data,
    .problem = tunnel_problem,
};

static void stream_gap(void *ctx, uint32_t missing)
{
    stream_ctx *sc = ctx;
    (void)missing;
    sc->c->gaps++;
    if (sc->c->tunnel) {
        rdg_tunnel_gap(sc->c->tunnel, sc->dir);
        return;
    }
    if (sc->c->phase == PHASE_TLS || sc->c->phase == PHASE_CLEAR_CREDSSP || sc->c->phase == PHASE_X224) {
        note_problem(sc->c, "bytes missing from the capture in the middle of the negotiation");
        stop(sc->c);
    }
}

static bool same_endpoint(const tcp_endpoint *a, const tcp_endpoint *b)
{
    return a->port == b->port && a->family == b->family && memcmp(a->addr, b->addr, 16) == 0;
}

void conn_judge_in(const conn *c, cssp_translate tr, cssp_judgement *out)
{
    cssp_conn_judge_in(&c->judge, tr, out);
    if (c->tunnelled)
        cssp_gateway_judge_in(c->gateway, tr, out);
}

static void finalize(conn *c)
{
    c->finalized = true;
    drop_state(c);
}

void conn_judge(const conn *c, cssp_judgement *out)
{
    /* the engine's state no longer changes once the connection is final, so neither does this */
    conn_judge_in(c, NULL, out);
}

bool conn_lost_to_budget(conn *c)
{
    if (c->budget_noted)
        return false;
    c->budget_noted = true;
    if (c->phase != PHASE_DONE && c->phase != PHASE_NOT_RDP) {
        note_problem(c, "out-of-order data dropped: the memory budget for TCP reassembly across connections "
                        "was reached");
        stop(c);
    }
    drop_state(c);
    return true;
}

void conn_packet(conn *c, const tcp_packet *p, uint64_t packet_ordinal)
{
    if (c->finalized) {
        /* judged: only its close still matters, so that the analysis can let the connection go */
        if (p->flags & (TCP_FIN | TCP_RST))
            c->closed[same_endpoint(&p->src, &c->client) ? CSSP_FROM_CLIENT : CSSP_FROM_SERVER] = true;
        return;
    }
    stream_ctx sc = {.c = c, .dir = same_endpoint(&p->src, &c->client) ? CSSP_FROM_CLIENT : CSSP_FROM_SERVER,
                     .ref = packet_ordinal};
    tcp_stream_sink sink = {.data = stream_data, .gap = stream_gap, .ctx = &sc};
    if (c->phase != PHASE_DONE && c->phase != PHASE_NOT_RDP) {
        tcp_stream_segment(&c->stream[sc.dir], p->seq, (p->flags & TCP_SYN) != 0, p->payload, p->payload_len,
                           &sink);
        if (p->payload_cut) {
            note_problem(c, "a packet cut short by the capture's snap length");
            stream_gap(&sc, 0);
            if (c->is_rdp) {
                /*
                 * Every later packet is cut too: what this connection's capture tells ends here, so it is
                 * judged as at the end of the capture; a close seen later says nothing of what was cut.
                 */
                conn_finish(c);
                if (p->flags & (TCP_FIN | TCP_RST))
                    c->closed[same_endpoint(&p->src, &c->client) ? CSSP_FROM_CLIENT : CSSP_FROM_SERVER] = true;
                return;
            }
        }
    }
    /* the stream may have swapped roles while detecting: recompute the direction */
    cssp_dir dir = same_endpoint(&p->src, &c->client) ? CSSP_FROM_CLIENT : CSSP_FROM_SERVER;
    if ((p->flags & (TCP_FIN | TCP_RST)) && !c->closed[dir]) {
        c->closed[dir] = true;
        c->stream[dir].closed = true;
        if (c->is_rdp)
            feed_simple(c, (p->flags & TCP_RST) ? CSSP_EV_RST : CSSP_EV_FIN, dir, packet_ordinal);
    }
    if (c->phase == PHASE_DONE || c->phase == PHASE_NOT_RDP)
        drop_state(c);
    if (c->is_rdp && settled(c))
        finalize(c);
}

void conn_evict(conn *c)
{
    if (c->is_rdp && !c->finalized)
        note_problem(c, "judged before its end: the connection budget was reached (too many connections open, "
                        "or too much state held, at once; the least recently seen one makes room)");
    conn_finish(c);
}

size_t conn_held_bytes(const conn *c)
{
    size_t bytes = sizeof *c + cssp_conn_heap_bytes(&c->judge) + (c->cookie ? strlen(c->cookie) + 1 : 0) +
                   (c->gateway ? sizeof *c->gateway : 0) + tls_glue_held_bytes(c->tls) +
                   (c->tunnel ? rdg_tunnel_held_bytes(c->tunnel) : 0);
    for (int d = 0; d < 2; d++)
        bytes += c->pending[d] ? sizeof *c->pending[d] + c->pending[d]->len : 0;
    return bytes;
}

bool conn_is_final(const conn *c)
{
    return c->finalized;
}

void conn_finish(conn *c)
{
    if (c->finalized)
        return;
    if (c->is_rdp && c->phase != PHASE_DONE) {
        stream_ctx sc = {.c = c, .dir = CSSP_FROM_CLIENT, .ref = 0};
        tcp_stream_sink sink = {.data = stream_data, .gap = stream_gap, .ctx = &sc};
        for (int d = 0; d < 2 && c->phase != PHASE_DONE; d++) {
            sc.dir = (cssp_dir)d;
            tcp_stream_flush(&c->stream[d], &sink);
        }
    }
    c->finishing = true;
    release_waiting_confirm(c, 0); /* no Request came: the Confirm alone */
    if (c->is_rdp)
        feed_simple(c, CSSP_EV_END_OF_CAPTURE, CSSP_FROM_CLIENT, 0);
    finalize(c);
}
