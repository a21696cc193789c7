/*
 * tcp_stream.h - one direction of a TCP connection put back in order.
 *
 * Segments arrive in capture order; bytes leave in sequence order through a
 * callback. Retransmissions and overlaps are trimmed, out-of-order segments
 * wait in a bounded list, and a hole that does not fill (the capture lost a
 * segment) is skipped and reported as a gap once the waiting bytes pass
 * TCP_STREAM_MAX_PENDING. Memory per direction is at most that bound.
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

#define TCP_STREAM_MAX_PENDING (256u * 1024u)   /* out-of-order bytes kept per direction */
#define TCP_STREAM_MAX_SEGMENTS 256u            /* out-of-order segments kept per direction */

typedef struct tcp_segment tcp_segment;

typedef struct tcp_stream_sink {
    void (*data)(void *ctx, const uint8_t *bytes, size_t len);
    void (*gap)(void *ctx, uint32_t missing_bytes);   /* bytes were lost before the next data */
    void *ctx;
} tcp_stream_sink;

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
} tcp_stream;

void tcp_stream_init(tcp_stream *s);
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
