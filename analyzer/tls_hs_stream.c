/* tls_hs_stream.c - handshake message reassembly (see tls_hs_stream.h). */
#include "tls_hs_stream.h"

#include <string.h>

#include <glib.h>

void tls_hs_stream_reset(tls_hs_stream *hs)
{
    g_free(hs->body);
    memset(hs, 0, sizeof *hs);
}

static void deliver(tls_hs_stream *hs, const tls_hs_sink *sink)
{
    uint8_t type = hs->header[0];
    uint8_t *body = hs->body;
    size_t len = hs->body_len;
    hs->body = NULL;
    hs->header_len = 0;
    hs->body_len = hs->body_seen = 0;
    sink->on_message(sink->user, type, body, len);
    g_free(body);
}

void tls_hs_stream_feed(tls_hs_stream *hs, const uint8_t *bytes, size_t len, const tls_hs_sink *sink)
{
    while (len > 0) {
        if (hs->header_len < sizeof hs->header) {
            size_t take = MIN(len, sizeof hs->header - hs->header_len);
            memcpy(hs->header + hs->header_len, bytes, take);
            hs->header_len += take;
            sink->on_bytes(sink->user, bytes, take);
            bytes += take;
            len -= take;
            if (hs->header_len < sizeof hs->header)
                return;
            hs->body_len = (size_t)hs->header[1] << 16 | (size_t)hs->header[2] << 8 | hs->header[3];
            if (sink->keeps(hs->header[0]) && hs->body_len <= TLS_HS_MAX_KEPT_BODY)
                hs->body = g_malloc(hs->body_len ? hs->body_len : 1);
        }
        size_t take = MIN(len, hs->body_len - hs->body_seen);
        if (take > 0) {
            if (hs->body)
                memcpy(hs->body + hs->body_seen, bytes, take);
            sink->on_bytes(sink->user, bytes, take);
            hs->body_seen += take;
            bytes += take;
            len -= take;
        }
        if (hs->body_seen == hs->body_len)
            deliver(hs, sink);
    }
}
