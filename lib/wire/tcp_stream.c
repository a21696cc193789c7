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

void tcp_stream_budget_init(tcp_stream_budget *b, size_t limit)
{
    memset(b, 0, sizeof *b);
    b->limit = limit;
    g_queue_init(&b->holders);
    b->dropped = g_ptr_array_new();
}

void tcp_stream_budget_clear(tcp_stream_budget *b)
{
    g_queue_clear(&b->holders);
    g_ptr_array_free(b->dropped, TRUE);
    b->dropped = NULL;
}

void tcp_stream_use_budget(tcp_stream *s, tcp_stream_budget *b, void *owner)
{
    s->budget = b;
    s->owner = owner;
}

tcp_stream *tcp_stream_budget_take_dropped(tcp_stream_budget *b)
{
    return b->dropped->len ? g_ptr_array_steal_index_fast(b->dropped, b->dropped->len - 1) : NULL;
}

void tcp_stream_moved(tcp_stream *s)
{
    if (s->holder_link)
        s->holder_link->data = s;
}

/* A stream that goes away must not stay listed as dropped. */
static void unlist_dropped(tcp_stream *s)
{
    if (s->budget && s->budget_dropped && s->budget->dropped)
        g_ptr_array_remove_fast(s->budget->dropped, s);
}

/* What a waiting segment costs the budget: its bytes and its header. */
static size_t segment_cost(const tcp_segment *seg)
{
    return sizeof *seg + seg->len;
}

static void free_segment(tcp_stream *s, tcp_segment *seg)
{
    s->pending_bytes -= seg->len;
    s->pending_count--;
    if (s->budget) {
        s->budget->used -= segment_cost(seg);
        if (!s->pending && s->holder_link) {
            g_queue_delete_link(&s->budget->holders, s->holder_link);
            s->holder_link = NULL;
        }
    }
    g_free(seg);
}

/* Frees every waiting segment. */
static void drop_pending(tcp_stream *s)
{
    while (s->pending) {
        tcp_segment *seg = s->pending;
        s->pending = seg->next;
        free_segment(s, seg);
    }
}

/* Over the budget: the streams that have held data the longest lose it, until the budget holds. */
static void enforce_budget(tcp_stream_budget *b)
{
    while (b->used > b->limit && !g_queue_is_empty(&b->holders)) {
        tcp_stream *oldest = g_queue_peek_head(&b->holders);
        drop_pending(oldest);
        oldest->budget_dropped = true;
        b->streams_dropped++;
        g_ptr_array_add(b->dropped, oldest);
    }
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
        deliver(s, seg->seq, seg->data, seg->len, sink);
        free_segment(s, seg);
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
    if (s->budget) {
        if (!s->holder_link) {
            g_queue_push_tail(&s->budget->holders, s);
            s->holder_link = s->budget->holders.tail;
        }
        s->budget->used += segment_cost(seg);
        enforce_budget(s->budget);
    }
}

void tcp_stream_segment(tcp_stream *s, uint32_t seq, bool syn, const uint8_t *data, size_t len,
                        const tcp_stream_sink *sink)
{
    if ((s->closed && !syn && len == 0) || s->budget_dropped)
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
    drop_pending(s);
    unlist_dropped(s);
}
