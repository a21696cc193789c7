/* tls_hs_stream.c - handshake message reassembly (see tls_hs_stream.h). */
#include "cssp/tls_hs_stream.h"

#include <string.h>

#include <glib.h>

#include "cssp/tls_handshake.h"

void tls_hs_stream_reset(tls_hs_stream *hs)
{
    g_free(hs->body);
    memset(hs, 0, sizeof *hs);
}

/* `body`: the kept body (in the caller's bytes or assembled in hs->body), or NULL. */
static void deliver(tls_hs_stream *hs, const tls_hs_sink *sink, const uint8_t *body)
{
    uint8_t type = hs->type;
    uint8_t *assembled = hs->body;
    size_t len = hs->body_len;
    memset(hs, 0, sizeof *hs);
    sink->on_message(sink->user, type, body, len);
    g_free(assembled);
}

/*
 * A kept body that arrives whole in one call is passed from `bytes` as it is; only a body split across calls
 * is copied into a buffer of its own: no allocation per message otherwise.
 */
void tls_hs_stream_feed(tls_hs_stream *hs, const uint8_t *bytes, size_t len, const tls_hs_sink *sink)
{
    while (len > 0) {
        if (hs->header_len < sizeof hs->header) {
            size_t take = MIN(len, sizeof hs->header - hs->header_len);
            memcpy(hs->header + hs->header_len, bytes, take);
            hs->header_len += take;
            if (sink->on_bytes)
                sink->on_bytes(sink->user, bytes, take);
            bytes += take;
            len -= take;
            if (hs->header_len < sizeof hs->header)
                return;
            tls_handshake_header(hs->header, &hs->type, &hs->body_len);
            hs->keep = sink->keeps(hs->type) && hs->body_len <= TLS_HS_MAX_KEPT_BODY;
        }
        size_t take = MIN(len, hs->body_len - hs->body_seen);
        const uint8_t *body = NULL;
        if (hs->keep && hs->body_seen == 0 && take == hs->body_len) {
            body = bytes;
        } else if (hs->keep && take > 0) {
            if (!hs->body)
                hs->body = g_malloc(hs->body_len);
            memcpy(hs->body + hs->body_seen, bytes, take);
            body = hs->body;
        }
        if (take > 0) {
            if (sink->on_bytes)
                sink->on_bytes(sink->user, bytes, take);
            hs->body_seen += take;
            bytes += take;
            len -= take;
        }
        if (hs->body_seen == hs->body_len)
            deliver(hs, sink, body);
    }
}
