/*
 * rdg_stream.c - an RD Gateway connection's plaintext read down to its tunnel packets (see rdg_stream.h).
 * This file only moves bytes: the core decodes (http.c, websocket.c, tsgu.c) and keeps the facts (gateway.c).
 */
#include "cssp/rdg_stream.h"

#include <glib.h>
#include <string.h>

#include "cssp/ntlmssp.h"
#include "cssp/websocket.h"

#define LEGACY_SEED_LEN 10  /* what Windows gateways send (FreeRDP's gateway client skips the same) */

typedef enum reader_mode {
    READ_HEADS,       /* HTTP messages (a body of Content-Length bytes is skipped) */
    READ_WEBSOCKET,   /* after 101: frames */
    READ_CHUNKED,     /* a legacy body in the chunked coding */
    READ_RAW,         /* a legacy body as it is */
    READ_STOPPED
} reader_mode;

typedef struct direction {
    reader_mode mode;
    GByteArray *in;            /* plaintext not consumed yet (a head, a frame header or control frame, a chunk line) */
    GByteArray *packet;        /* tunnel packet bytes not cut yet */
    uint64_t skip;             /* body bytes still to skip (READ_HEADS) or left in the chunk (READ_CHUNKED) */
    bool chunk_crlf;           /* READ_CHUNKED: the CRLF after a chunk's data is due */
    size_t seed_left;          /* legacy OUT channel: seed bytes before the first packet ([MS-TSGU] 3.3.5.1) */
    cssp_ws_stream ws;
    bool warned_mask;
} direction;

struct rdg_stream {
    cssp_gateway *facts;
    const rdg_stream_sink *sink;
    void *ctx;
    direction d[2];
    bool recognised, decided, stopped;
    bool out_channel;          /* the client's request was RDG_OUT_DATA */
    const char *mechanism;
};

/* ---- decisions and problems ---- */

static void decide_not_gateway(rdg_stream *t)
{
    if (t->decided)
        return;
    t->decided = true;
    t->stopped = true;
    t->sink->not_gateway(t->ctx);
}

static void stop_with(rdg_stream *t, const char *problem)
{
    if (!t->recognised) {
        decide_not_gateway(t);
        return;
    }
    if (!t->stopped)
        t->sink->problem(t->ctx, problem);
    t->stopped = true;
}

/* ---- the gateway's authentication tokens ---- */

/*
 * "Negotiate <base64>" / "NTLM <base64>": which mechanism the token is, by the package the core reads in it
 * (NTLM or a Kerberos AP-REQ inside SPNEGO included: mstsc's Negotiate logon to a gateway is Kerberos).
 */
static void inspect_auth(rdg_stream *t, const uint8_t *value, size_t len)
{
    size_t sp = 0;
    while (sp < len && value[sp] != ' ')
        sp++;
    if (sp + 1 >= len || len > CSSP_HTTP_MAX_HEAD)
        return;
    gchar *text = g_strndup((const char *)value + sp + 1, len - sp - 1);
    gsize n = 0;
    g_base64_decode_inplace(text, &n);
    cssp_token_info info;
    if (n && cssp_token_inspect((const uint8_t *)text, n, &info) == CSSP_OK) {
        if (info.has_ntlm || info.package == CSSP_PACKAGE_NTLM)
            t->mechanism = "NTLM";
        else if (info.package == CSSP_PACKAGE_KERBEROS)
            t->mechanism = "Kerberos";
        else if (info.package == CSSP_PACKAGE_PKU2U)
            t->mechanism = "PKU2U";
        else if (info.package == CSSP_PACKAGE_NEGOEX)
            t->mechanism = "NEGOEX";
        else if (info.kind != CSSP_TOKEN_UNKNOWN && !t->mechanism)
            t->mechanism = cssp_token_kind_name(info.kind);
    }
    g_free(text);
}

/* ---- MS-TSGU packets ---- */

static void on_packet(rdg_stream *t, cssp_dir dir, const uint8_t *bytes, size_t len)
{
    cssp_tsgu_packet p;
    if (cssp_tsgu_decode(bytes, len, &p) != CSSP_OK) {
        stop_with(t, "a malformed RD Gateway tunnel packet");
        return;
    }
    cssp_gateway_packet(t->facts, dir, &p);
    t->sink->packet(t->ctx, dir, &p, bytes, len);
}

/* Tunnel packet bytes, in any split: whole packets leave, the rest waits. */
static void packet_bytes(rdg_stream *t, cssp_dir dir, const uint8_t *bytes, size_t len)
{
    size_t seed = MIN(t->d[dir].seed_left, len);
    t->d[dir].seed_left -= seed;
    bytes += seed;
    len -= seed;
    if (len == 0) /* the seed alone (an empty buffer has no data pointer): nothing new to cut */
        return;
    GByteArray *buf = t->d[dir].packet;
    g_byte_array_append(buf, bytes, (guint)len);
    size_t at = 0;
    while (!t->stopped) {
        size_t size;
        cssp_status st = cssp_tsgu_packet_size(buf->data + at, buf->len - at, &size);
        if (st == CSSP_ERR_TRUNCATED || (st == CSSP_OK && size > buf->len - at))
            break;
        if (st != CSSP_OK) {
            stop_with(t, st == CSSP_ERR_LENGTH_TOO_LONG ? "an RD Gateway tunnel packet longer than the limit"
                                                         : "bytes in the RD Gateway tunnel that are not a tunnel packet");
            break;
        }
        on_packet(t, dir, buf->data + at, size);
        at += size;
    }
    g_byte_array_remove_range(buf, 0, (guint)at);
}

/* ---- WebSocket ---- */

static void websocket_bytes(rdg_stream *t, cssp_dir dir, direction *d)
{
    size_t at = 0;
    uint8_t plain[4096];
    while (!t->stopped) {
        cssp_ws_piece p;
        size_t used = cssp_ws_next(&d->ws, d->in->data + at, d->in->len - at, &p);
        at += used;
        if (p.kind == CSSP_WS_ERROR) {
            stop_with(t, p.problem);
            break;
        }
        if (p.kind == CSSP_WS_NEED_MORE) {
            if (used)
                continue;
            break;
        }
        if (p.masked != (dir == CSSP_FROM_CLIENT) && !d->warned_mask) {
            d->warned_mask = true;
            t->sink->problem(t->ctx, dir == CSSP_FROM_CLIENT ? "an unmasked WebSocket frame from the client (RFC 6455 5.1)"
                                                             : "a masked WebSocket frame from the gateway (RFC 6455 5.1)");
        }
        if (p.kind == CSSP_WS_CONTROL)
            continue; /* ping, pong, close: the tunnel's own packets say more */
        for (size_t done = 0; done < p.len && !t->stopped;) {
            size_t n = MIN(sizeof plain, p.len - done);
            if (p.masked)
                cssp_ws_unmask(plain, p.bytes + done, n, p.mask, p.offset + done);
            else
                memcpy(plain, p.bytes + done, n);
            packet_bytes(t, dir, plain, n);
            done += n;
        }
    }
    g_byte_array_remove_range(d->in, 0, (guint)at);
    if (d->in->len > CSSP_WS_MAX_CONTROL)
        stop_with(t, "a WebSocket frame header or control frame larger than allowed");
}

/* ---- legacy bodies ---- */

static void chunked_bytes(rdg_stream *t, cssp_dir dir, direction *d)
{
    size_t at = 0;
    while (!t->stopped && at < d->in->len) {
        if (d->skip) {
            size_t n = (size_t)MIN(d->skip, (uint64_t)(d->in->len - at));
            packet_bytes(t, dir, d->in->data + at, n);
            at += n;
            d->skip -= n;
            continue;
        }
        if (d->chunk_crlf) {
            if (d->in->len - at < 2)
                break;
            if (memcmp(d->in->data + at, "\r\n", 2) != 0) {
                stop_with(t, "a malformed chunked body in the RD Gateway tunnel");
                break;
            }
            at += 2;
            d->chunk_crlf = false;
            continue;
        }
        uint32_t size;
        size_t line;
        cssp_status st = cssp_http_chunk_line(d->in->data + at, d->in->len - at, &size, &line);
        if (st == CSSP_ERR_TRUNCATED)
            break;
        if (st != CSSP_OK || size == 0) { /* the last chunk: the legacy channel ends */
            if (st != CSSP_OK)
                stop_with(t, "a malformed chunked body in the RD Gateway tunnel");
            d->mode = READ_STOPPED;
            at = d->in->len;
            break;
        }
        at += line;
        d->skip = size;
        d->chunk_crlf = true;
    }
    g_byte_array_remove_range(d->in, 0, (guint)at);
}

/* ---- HTTP ---- */

static void set_mode(rdg_stream *t, cssp_dir dir, reader_mode mode)
{
    t->d[dir].mode = mode;
    t->d[dir].skip = 0;
}

/* After a head, what its direction carries next. */
static void after_head(rdg_stream *t, cssp_dir dir, const cssp_http_head *h, const uint8_t *data)
{
    const uint8_t *v;
    size_t len;
    bool chunked = cssp_http_field_has_token(h, data, "Transfer-Encoding", "chunked");
    bool legacy = t->facts->transport == CSSP_GW_TRANSPORT_LEGACY;
    if (!h->is_request && h->status == 101) {
        set_mode(t, CSSP_FROM_CLIENT, READ_WEBSOCKET);
        set_mode(t, CSSP_FROM_SERVER, READ_WEBSOCKET);
        return;
    }
    uint64_t body = 0;
    if (cssp_http_field_value(h, data, "Content-Length", &v, &len)) {
        for (size_t i = 0; i < len && v[i] >= '0' && v[i] <= '9' && body < (1ull << 40); i++)
            body = body * 10 + (uint64_t)(v[i] - '0');
    }
    /*
     * legacy: the body of the RDG_IN_DATA request that comes after the logon (the logon's requests have
     * Content-Length: 0) and the answer to RDG_OUT_DATA carry the tunnel
     */
    bool in_body = h->is_request && strcmp(h->method, "RDG_IN_DATA") == 0 && (chunked || body > 0);
    if (legacy && (in_body || (!h->is_request && h->status == 200))) {
        set_mode(t, dir, chunked ? READ_CHUNKED : READ_RAW);
        /* the gateway opens the OUT channel's body with a random seed of 10 bytes before any packet */
        if (!h->is_request && t->out_channel)
            t->d[dir].seed_left = LEGACY_SEED_LEN;
        return;
    }
    if (chunked) {
        stop_with(t, "a chunked HTTP body where the RD Gateway protocol has none");
        return;
    }
    t->d[dir].skip = body;
}

/* The RDG-Connection-Id that ties the legacy transport's two channels together; "" when absent or odd. */
static void connection_id(const cssp_http_head *h, const uint8_t *data, char id[RDG_CONNECTION_ID_MAX + 1])
{
    const uint8_t *v;
    size_t len;
    if (!cssp_http_field_value(h, data, "RDG-Connection-Id", &v, &len) || len > RDG_CONNECTION_ID_MAX)
        return;
    for (size_t i = 0; i < len; i++)
        if (v[i] < 0x21 || v[i] > 0x7E)
            return;
    memcpy(id, v, len);
    id[len] = '\0';
}

static void heads_bytes(rdg_stream *t, cssp_dir dir, direction *d)
{
    size_t at = 0;
    while (!t->stopped && d->mode == READ_HEADS && at < d->in->len) {
        if (d->skip) {
            size_t n = (size_t)MIN(d->skip, (uint64_t)(d->in->len - at));
            at += n;
            d->skip -= n;
            continue;
        }
        cssp_http_head h;
        const uint8_t *data = d->in->data + at;
        cssp_status st = cssp_http_head_decode(data, d->in->len - at, &h);
        if (st == CSSP_ERR_TRUNCATED)
            break;
        if (st != CSSP_OK) {
            stop_with(t, st == CSSP_ERR_LENGTH_TOO_LONG ? "an HTTP head longer than the limit in the RD Gateway connection"
                                                         : "bytes that are not HTTP in the RD Gateway connection");
            break;
        }
        if (!t->recognised) {
            cssp_gateway_transport transport;
            if (dir != CSSP_FROM_CLIENT || !cssp_gateway_request(&h, data, &transport)) {
                decide_not_gateway(t);
                break;
            }
            cssp_gateway_init(t->facts, transport);
            t->out_channel = strcmp(h.method, "RDG_OUT_DATA") == 0;
            t->recognised = t->decided = true;
            char id[RDG_CONNECTION_ID_MAX + 1] = "";
            connection_id(&h, data, id);
            t->sink->recognised(t->ctx, strcmp(h.method, "RDG_IN_DATA") == 0 ? RDG_CHANNEL_IN : RDG_CHANNEL_OUT, id);
        }
        const uint8_t *v;
        size_t len;
        if (cssp_http_field_value(&h, data, h.is_request ? "Authorization" : "WWW-Authenticate", &v, &len))
            inspect_auth(t, v, len);
        cssp_gateway_http(t->facts, dir, &h, data);
        if (t->sink->head)
            t->sink->head(t->ctx, dir, &h, data);
        at += h.head_len;
        after_head(t, dir, &h, data);
    }
    g_byte_array_remove_range(d->in, 0, (guint)at);
}

void rdg_stream_feed(rdg_stream *t, cssp_dir dir, const uint8_t *bytes, size_t len)
{
    direction *d = &t->d[dir];
    if (t->stopped || d->mode == READ_STOPPED)
        return;
    g_byte_array_append(d->in, bytes, (guint)len);
    /* a reader may hand the rest to the next (a head followed by frames in one record) */
    for (reader_mode before = READ_STOPPED; !t->stopped && d->in->len && d->mode != before;) {
        before = d->mode;
        switch (d->mode) {
        case READ_HEADS: heads_bytes(t, dir, d); break;
        case READ_WEBSOCKET: websocket_bytes(t, dir, d); break;
        case READ_CHUNKED: chunked_bytes(t, dir, d); break;
        case READ_RAW:
            packet_bytes(t, dir, d->in->data, d->in->len);
            g_byte_array_set_size(d->in, 0);
            break;
        case READ_STOPPED: break;
        }
    }
    if (d->mode == READ_HEADS && d->in->len > CSSP_HTTP_MAX_HEAD)
        stop_with(t, "an HTTP head longer than the limit in the RD Gateway connection");
}

rdg_stream *rdg_stream_new(cssp_gateway *facts, const rdg_stream_sink *sink, void *ctx)
{
    rdg_stream *t = g_new0(rdg_stream, 1);
    t->facts = facts;
    t->sink = sink;
    t->ctx = ctx;
    for (int i = 0; i < 2; i++) {
        t->d[i].mode = READ_HEADS;
        t->d[i].in = g_byte_array_new();
        t->d[i].packet = g_byte_array_new();
        cssp_ws_stream_init(&t->d[i].ws);
    }
    return t;
}

void rdg_stream_not_gateway(rdg_stream *t)
{
    decide_not_gateway(t);
}

void rdg_stream_stop(rdg_stream *t, const char *problem)
{
    stop_with(t, problem);
}

bool rdg_stream_decided(const rdg_stream *t)
{
    return t->decided;
}

bool rdg_stream_recognised(const rdg_stream *t)
{
    return t->recognised;
}

bool rdg_stream_stopped(const rdg_stream *t)
{
    return t->stopped;
}

const char *rdg_stream_mechanism(const rdg_stream *t)
{
    return t->mechanism;
}

void rdg_stream_free(rdg_stream *t)
{
    if (!t)
        return;
    for (int i = 0; i < 2; i++) {
        g_byte_array_free(t->d[i].in, TRUE);
        g_byte_array_free(t->d[i].packet, TRUE);
    }
    g_free(t);
}

void rdg_stream_share_facts(rdg_stream *t, cssp_gateway *facts)
{
    t->facts = facts;
}

size_t rdg_stream_held_bytes(const rdg_stream *t)
{
    size_t bytes = sizeof *t;
    for (int d = 0; d < 2; d++)
        bytes += (t->d[d].in ? t->d[d].in->len : 0) + (t->d[d].packet ? t->d[d].packet->len : 0);
    return bytes;
}
