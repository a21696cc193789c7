/*
 * tcp_stream.h - one direction of a TCP connection put back in order.
 *
 * Segments arrive in capture order; bytes leave in sequence order through a
 * callback. Retransmissions and overlaps are trimmed, out-of-order segments
 * wait in a bounded list, and a hole that does not fill (the capture lost a
 * segment) is skipped and reported as a gap once the waiting bytes pass
 * TCP_STREAM_MAX_PENDING. Memory per direction is at most that bound.
 *
 * Many streams may share a budget (tcp_stream_budget): the analyzer's bound on out-of-order bytes across all
 * connections, like Suricata's stream.reassembly.memcap. When keeping a segment passes it, the stream that has
 * held data the longest loses all it holds and takes no more (budget_dropped). The stream that pays is usually
 * another connection's, whose sink is not at hand: the budget lists it (dropped), and the caller tells its
 * owner once the current segment is through, so that the owner can free the rest of its state at once.
 *
 * A direction whose SYN is not in the capture is delivered in capture order,
 * dropping only exact repeats: without the SYN the sequence numbers cannot be
 * trusted (captures written by proxies and MITM tools carry synthetic ones,
 * e.g. the rdps2rdp corpus), and a capture that starts mid-connection is past
 * the part where order matters most.
 */
#ifndef CSSP_TCP_STREAM_H
#define CSSP_TCP_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#define TCP_STREAM_MAX_PENDING (256u * 1024u)   /* out-of-order bytes kept per direction */
#define TCP_STREAM_MAX_SEGMENTS 256u            /* out-of-order segments kept per direction */

typedef struct tcp_segment tcp_segment;

typedef struct tcp_stream_sink {
    void (*data)(void *ctx, const uint8_t *bytes, size_t len);
    void (*gap)(void *ctx, uint32_t missing_bytes);   /* bytes were lost before the next data */
    void *ctx;
} tcp_stream_sink;

typedef struct tcp_stream_budget {
    size_t limit;            /* bytes kept (data and per-segment overhead) across all its streams */
    size_t used;
    GQueue holders;          /* tcp_stream* holding data, the one holding it longest at the head */
    uint64_t streams_dropped;
    GPtrArray *dropped;      /* tcp_stream* dropped since the caller last looked (tcp_stream_budget_take_dropped) */
} tcp_stream_budget;

typedef struct tcp_stream {
    bool started;            /* next_seq is known */
    bool capture_order;      /* no SYN seen: deliver in capture order */
    uint32_t last_seq;       /* capture_order: the previous segment, to drop exact repeats */
    size_t last_len;
    uint32_t next_seq;
    tcp_segment *pending;    /* sorted by seq */
    size_t pending_bytes;
    unsigned pending_count;
    uint64_t delivered;      /* bytes handed to the sink */
    uint64_t gaps;           /* holes skipped */
    bool closed;             /* FIN or RST seen */
    tcp_stream_budget *budget; /* shared bound, or NULL */
    GList *holder_link;      /* in budget->holders while data waits */
    void *owner;             /* the budget's caller's (tcp_stream_use_budget) */
    bool budget_dropped;     /* the budget took this stream's data: it delivers nothing more */
} tcp_stream;

void tcp_stream_init(tcp_stream *s);
void tcp_stream_budget_init(tcp_stream_budget *b, size_t limit);
void tcp_stream_budget_clear(tcp_stream_budget *b);
/* Puts `s` (initialised, holding nothing yet) under the budget `b`, on behalf of `owner`. */
void tcp_stream_use_budget(tcp_stream *s, tcp_stream_budget *b, void *owner);
/*
 * The next stream that lost its data to the budget since the last call, or NULL. A stream's owner must call
 * tcp_stream_release() (or stop feeding it) before it frees it; a released stream is never listed.
 */
tcp_stream *tcp_stream_budget_take_dropped(tcp_stream_budget *b);
/* After a stream struct was moved (copied to another address, the old one no longer used). */
void tcp_stream_moved(tcp_stream *s);
/*
 * For a consumer that joins after the handshake (the plugin's observer meets a connection at its first
 * payload) but has no reason to doubt the sequence numbers: the next byte expected is seq, and
 * retransmissions, overlaps and reordering are handled as after a SYN.
 */
void tcp_stream_start_at(tcp_stream *s, uint32_t seq);
/* A segment of this direction: syn marks the ISN; data may be empty. */
void tcp_stream_segment(tcp_stream *s, uint32_t seq, bool syn, const uint8_t *data, size_t len,
                        const tcp_stream_sink *sink);
/* Delivers what still waits (after skipping holes), e.g. at the end of the capture. */
void tcp_stream_flush(tcp_stream *s, const tcp_stream_sink *sink);
/* Drops buffered data and stops delivering: the consumer has what it needs. */
void tcp_stream_release(tcp_stream *s);

#endif
