/*
 * rdg_tunnel.c - an RD Gateway connection read down to its tunnelled bytes (see rdg_tunnel.h): the
 * gateway's TLS decrypted here (tls_glue.c), its plaintext read by the shared reader (lib/wire/rdg_stream.c),
 * the DATA packets' bytes handed on.
 */
#include "rdg_tunnel.h"

#include <glib.h>

#include "cssp/rdg_stream.h"
#include "cssp/tls_numbers.h"

struct rdg_tunnel {
    tls_glue *tls;
    rdg_stream *stream;
    const rdg_tunnel_sink *sink;
    void *ctx;
    unsigned undecrypted;      /* the client's application records not decrypted before the decision */
    uint16_t tls_version;      /* from the ServerHello; 0 before */
    uint64_t ref;
};

/* ---- the plaintext reader's findings ---- */

static void stream_recognised(void *ctx, rdg_channel channel, const char *connection_id)
{
    rdg_tunnel *t = ctx;
    t->sink->recognised(t->ctx, channel, connection_id);
}

static void stream_not_gateway(void *ctx)
{
    rdg_tunnel *t = ctx;
    t->sink->not_gateway(t->ctx);
}

static void stream_packet(void *ctx, cssp_dir dir, const cssp_tsgu_packet *p, const uint8_t *bytes, size_t len)
{
    rdg_tunnel *t = ctx;
    (void)bytes, (void)len;
    if (p->type == CSSP_TSGU_DATA && p->data_len)
        t->sink->data(t->ctx, dir, p->data, p->data_len, t->ref);
}

static void stream_problem(void *ctx, const char *problem)
{
    rdg_tunnel *t = ctx;
    t->sink->problem(t->ctx, problem);
}

static const rdg_stream_sink stream_sink = {
    .recognised = stream_recognised,
    .not_gateway = stream_not_gateway,
    .packet = stream_packet,
    .problem = stream_problem,
};

/* ---- the gateway's TLS ---- */

static void tls_handshake_cb(void *ctx, uint16_t version, uint16_t cipher_suite, uint64_t ref)
{
    rdg_tunnel *t = ctx;
    (void)cipher_suite, (void)ref;
    t->tls_version = version;
}

static void tls_plaintext_cb(void *ctx, cssp_dir dir, const uint8_t *data, size_t len, uint64_t ref)
{
    rdg_tunnel *t = ctx;
    t->ref = ref;
    rdg_stream_feed(t->stream, dir, data, len);
}

/*
 * Records the secrets do not open. Before the decision, the client's first one (its second in TLS 1.3, where
 * the first protected record of each side is a handshake record, reported undecrypted even with the secrets,
 * and the server's come before the client's request) means the request cannot be read: decided at once, so
 * that other HTTPS does not hold back the report of later connections. After it, the tunnel is blind.
 */
static void tls_record_cb(void *ctx, cssp_dir dir, size_t record_len, uint64_t ref)
{
    rdg_tunnel *t = ctx;
    (void)record_len, (void)ref;
    if (!rdg_stream_decided(t->stream) && dir == CSSP_FROM_CLIENT &&
        ++t->undecrypted >= (t->tls_version >= TLS_VERSION_1_3 ? 2u : 1u))
        rdg_stream_not_gateway(t->stream);
    else if (rdg_stream_recognised(t->stream))
        rdg_stream_stop(t->stream, "RD Gateway TLS records that the secrets do not decrypt");
}

static void tls_alert_cb(void *ctx, cssp_dir dir, bool encrypted, uint8_t level, uint8_t description, uint64_t ref)
{
    (void)ctx, (void)dir, (void)encrypted, (void)level, (void)description, (void)ref;
}

static void tls_problem_cb(void *ctx, const char *problem)
{
    rdg_tunnel *t = ctx;
    rdg_stream_stop(t->stream, problem);
}

static const tls_glue_sink outer_tls = {
    .handshake = tls_handshake_cb,
    .plaintext = tls_plaintext_cb,
    .record = tls_record_cb,
    .alert = tls_alert_cb,
    .problem = tls_problem_cb,
};

rdg_tunnel *rdg_tunnel_new(const secrets *keys, cssp_gateway *facts, const rdg_tunnel_sink *sink, void *ctx)
{
    rdg_tunnel *t = g_new0(rdg_tunnel, 1);
    t->sink = sink;
    t->ctx = ctx;
    t->stream = rdg_stream_new(facts, &stream_sink, t);
    t->tls = tls_glue_new(keys, &outer_tls, t);
    return t;
}

void rdg_tunnel_feed(rdg_tunnel *t, cssp_dir dir, const uint8_t *bytes, size_t len, uint64_t ref)
{
    if (rdg_stream_stopped(t->stream))
        return;
    t->ref = ref;
    tls_glue_feed(t->tls, dir, bytes, len, ref);
}

void rdg_tunnel_gap(rdg_tunnel *t, cssp_dir dir)
{
    tls_glue_gap(t->tls, dir);
    rdg_stream_stop(t->stream, "bytes missing from the capture in the RD Gateway connection");
}

const char *rdg_tunnel_mechanism(const rdg_tunnel *t)
{
    return rdg_stream_mechanism(t->stream);
}

void rdg_tunnel_free(rdg_tunnel *t)
{
    if (!t)
        return;
    tls_glue_free(t->tls);
    rdg_stream_free(t->stream);
    g_free(t);
}

void rdg_tunnel_share_facts(rdg_tunnel *t, cssp_gateway *facts)
{
    rdg_stream_share_facts(t->stream, facts);
}

size_t rdg_tunnel_held_bytes(const rdg_tunnel *t)
{
    return sizeof *t + tls_glue_held_bytes(t->tls) + rdg_stream_held_bytes(t->stream);
}
