/*
 * tcp_stream.c - in-order delivery of one TCP direction (see tcp_stream.h).
 * Sequence arithmetic is modulo 2^32: "before" and "after" are signed
 * differences, so wrap-around needs no special case.
 */
#include "cssp/tcp_stream.h"

#include <glib.h>
#include <string.h>

struct tcp_segment {
    tcp_segment *next;
    uint32_t seq;
    size_t len;
    uint8_t data[];
};

static int32_t seq_diff(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b);
}

void tcp_stream_init(tcp_stream *s)
{
    memset(s, 0, sizeof *s);
}

void tcp_stream_start_at(tcp_stream *s, uint32_t seq)
{
    s->started = true;
    s->capture_order = false;
    s->next_seq = seq;
}

/* Hands [seq, seq+len) to the sink, minus what was already delivered. */
static void deliver(tcp_stream *s, uint32_t seq, const uint8_t *data, size_t len, const tcp_stream_sink *sink)
{
    int32_t already = seq_diff(s->next_seq, seq);
    if (already > 0) {
        if ((size_t)already >= len)
            return;
        data += already;
        len -= (size_t)already;
    }
    s->next_seq += (uint32_t)len;
    s->delivered += len;
    sink->data(sink->ctx, data, len);
}

/* Delivers waiting segments that have become contiguous. */
static void drain(tcp_stream *s, const tcp_stream_sink *sink)
{
    while (s->pending && seq_diff(s->pending->seq, s->next_seq) <= 0) {
        tcp_segment *seg = s->pending;
        s->pending = seg->next;
        s->pending_bytes -= seg->len;
        s->pending_count--;
        deliver(s, seg->seq, seg->data, seg->len, sink);
        g_free(seg);
    }
}

/* Skips the hole before the first waiting segment. */
static void skip_gap(tcp_stream *s, const tcp_stream_sink *sink)
{
    if (!s->pending)
        return;
    uint32_t missing = (uint32_t)seq_diff(s->pending->seq, s->next_seq);
    s->gaps++;
    s->next_seq = s->pending->seq;
    if (sink->gap)
        sink->gap(sink->ctx, missing);
    drain(s, sink);
}

static void keep_for_later(tcp_stream *s, uint32_t seq, const uint8_t *data, size_t len)
{
    tcp_segment **link = &s->pending;
    while (*link && seq_diff((*link)->seq, seq) < 0)
        link = &(*link)->next;
    if (*link && (*link)->seq == seq && (*link)->len >= len)
        return; /* a retransmission of a segment that already waits */
    tcp_segment *seg = g_malloc(sizeof *seg + len);
    seg->seq = seq;
    seg->len = len;
    memcpy(seg->data, data, len);
    seg->next = *link;
    *link = seg;
    s->pending_bytes += len;
    s->pending_count++;
}

void tcp_stream_segment(tcp_stream *s, uint32_t seq, bool syn, const uint8_t *data, size_t len,
                        const tcp_stream_sink *sink)
{
    if (s->closed && !syn && len == 0)
        return;
    if (syn) {
        if (!s->started) {
            s->started = true;
            s->next_seq = seq + 1;
        }
        seq += 1; /* data on a SYN follows the ISN */
    }
    if (len == 0)
        return;
    if (!s->started) { /* the capture began mid-connection: start where we are */
        s->started = true;
        s->capture_order = true;
        s->next_seq = seq;
    }
    if (s->capture_order) {
        if (s->delivered && seq == s->last_seq && len == s->last_len)
            return;
        s->last_seq = seq;
        s->last_len = len;
        s->next_seq = seq;
        deliver(s, seq, data, len, sink);
        return;
    }
    if (seq_diff(seq, s->next_seq) <= 0) {
        deliver(s, seq, data, len, sink);
        drain(s, sink);
        return;
    }
    if (len > TCP_STREAM_MAX_PENDING)
        len = TCP_STREAM_MAX_PENDING;
    keep_for_later(s, seq, data, len);
    while (s->pending && (s->pending_bytes > TCP_STREAM_MAX_PENDING || s->pending_count > TCP_STREAM_MAX_SEGMENTS))
        skip_gap(s, sink);
}

void tcp_stream_flush(tcp_stream *s, const tcp_stream_sink *sink)
{
    while (s->pending)
        skip_gap(s, sink);
}

void tcp_stream_release(tcp_stream *s)
{
    while (s->pending) {
        tcp_segment *seg = s->pending;
        s->pending = seg->next;
        g_free(seg);
    }
    s->pending_bytes = 0;
    s->pending_count = 0;
}
