/*
 * test_tcp_stream.c - TCP reassembly of one direction: in order, out of order,
 * retransmissions, overlaps, sequence wrap, gaps past the limit, capture order
 * without a SYN, a start after the handshake, release, and a budget shared by streams.
 */
#include <string.h>

#include "check.h"
#include "cssp/tcp_stream.h"

typedef struct collected {
    uint8_t bytes[4096];
    size_t len;
    unsigned gaps;
    uint32_t missing;
} collected;

static void on_data(void *ctx, const uint8_t *b, size_t n)
{
    collected *c = ctx;
    if (c->len + n <= sizeof c->bytes)
        memcpy(c->bytes + c->len, b, n);
    c->len += n;
}

static void on_gap(void *ctx, uint32_t missing)
{
    collected *c = ctx;
    c->gaps++;
    c->missing += missing;
}

#define SEG(s, seq, text, sink) tcp_stream_segment(s, seq, false, (const uint8_t *)(text), strlen(text), sink)

static void test_in_order_and_out_of_order(void)
{
    collected c = {0};
    tcp_stream_sink sink = {on_data, on_gap, &c};
    tcp_stream s;
    tcp_stream_init(&s);
    tcp_stream_segment(&s, 999, true, NULL, 0, &sink); /* SYN: ISN 999, data starts at 1000 */
    SEG(&s, 1000, "abc", &sink);
    SEG(&s, 1006, "ghi", &sink);   /* early: waits */
    CHECK_EQ_U(c.len, 3);
    SEG(&s, 1003, "def", &sink);   /* fills the hole: both delivered */
    CHECK_EQ_U(c.len, 9);
    CHECK(memcmp(c.bytes, "abcdefghi", 9) == 0);
    SEG(&s, 1003, "def", &sink);   /* retransmission: nothing new */
    SEG(&s, 1007, "hijk", &sink);  /* overlap: only "jk" is new */
    CHECK_EQ_U(c.len, 11);
    CHECK(memcmp(c.bytes, "abcdefghijk", 11) == 0);
    CHECK_EQ_U(c.gaps, 0);
    tcp_stream_release(&s);
}

static void test_sequence_wrap(void)
{
    collected c = {0};
    tcp_stream_sink sink = {on_data, on_gap, &c};
    tcp_stream s;
    tcp_stream_init(&s);
    tcp_stream_segment(&s, 0xfffffffd, true, NULL, 0, &sink);
    SEG(&s, 0x00000002, "ef", &sink); /* after the wrap: waits */
    SEG(&s, 0xfffffffe, "abcd", &sink);
    CHECK_EQ_U(c.len, 6);
    CHECK(memcmp(c.bytes, "abcdef", 6) == 0);
    tcp_stream_release(&s);
}

static void test_gap_is_skipped_and_reported(void)
{
    collected c = {0};
    tcp_stream_sink sink = {on_data, on_gap, &c};
    tcp_stream s;
    static uint8_t big[8192];
    tcp_stream_init(&s);
    tcp_stream_segment(&s, 0, true, NULL, 0, &sink);
    SEG(&s, 1, "x", &sink);
    /* segment at 100 never arrives; later ones pile up past the limit */
    uint32_t seq = 200;
    for (unsigned i = 0; i < TCP_STREAM_MAX_SEGMENTS + 2; i++) {
        tcp_stream_segment(&s, seq, false, big, 16, &sink);
        seq += 16;
    }
    CHECK(c.gaps >= 1);
    CHECK_EQ_U(c.missing, 198);
    CHECK(s.pending_count <= TCP_STREAM_MAX_SEGMENTS);
    /* flush delivers what still waits */
    SEG(&s, seq + 10, "late", &sink);
    tcp_stream_flush(&s, &sink);
    CHECK(s.pending == NULL);
    CHECK_EQ_U(c.len, 1 + 16 * (TCP_STREAM_MAX_SEGMENTS + 2) + 4);
    tcp_stream_release(&s);
}

static void test_pending_bytes_bounded(void)
{
    collected c = {0};
    tcp_stream_sink sink = {on_data, on_gap, &c};
    tcp_stream s;
    static uint8_t big[64 * 1024];
    tcp_stream_init(&s);
    tcp_stream_segment(&s, 0, true, NULL, 0, &sink);
    for (uint32_t i = 0; i < 16; i++)
        tcp_stream_segment(&s, 1000 + i * (uint32_t)sizeof big, false, big, sizeof big, &sink);
    CHECK(s.pending_bytes <= TCP_STREAM_MAX_PENDING);
    CHECK(c.gaps >= 1);
    tcp_stream_release(&s);
    CHECK_EQ_U(s.pending_bytes, 0);
}

static void test_capture_order_without_syn(void)
{
    collected c = {0};
    tcp_stream_sink sink = {on_data, on_gap, &c};
    tcp_stream s;
    tcp_stream_init(&s);
    /* synthetic sequence numbers, as a proxy writes them: trust the capture's order */
    SEG(&s, 1, "abc", &sink);
    SEG(&s, 20, "def", &sink);
    SEG(&s, 20, "def", &sink); /* an exact repeat is dropped */
    SEG(&s, 5, "ghi", &sink);
    CHECK_EQ_U(c.len, 9);
    CHECK(memcmp(c.bytes, "abcdefghi", 9) == 0);
    tcp_stream_release(&s);
}

static void test_start_after_the_handshake(void)
{
    collected c = {0};
    tcp_stream_sink sink = {on_data, on_gap, &c};
    tcp_stream s;
    tcp_stream_init(&s);
    /* joined at a payload (the plugin's observer): the tail of a segment sent again is trimmed, as after a SYN */
    tcp_stream_start_at(&s, 44);
    SEG(&s, 44, "abcdefgh", &sink);
    SEG(&s, 50, "gh", &sink);      /* HTB corpus stream 77: a retransmission of a segment's last bytes */
    SEG(&s, 55, "lmn", &sink);     /* early: waits */
    SEG(&s, 52, "ijk", &sink);
    CHECK_EQ_U(c.len, 14);
    CHECK(memcmp(c.bytes, "abcdefghijklmn", 14) == 0);
    CHECK(!s.capture_order);
    CHECK_EQ_U(c.gaps, 0);
    tcp_stream_release(&s);
}

/* Two streams under one budget: past it, the stream that has held data the longest loses it all and is listed. */
static void test_shared_budget(void)
{
    collected ca = {0}, cb = {0};
    tcp_stream_sink sa = {on_data, on_gap, &ca}, sb = {on_data, on_gap, &cb};
    tcp_stream_budget budget;
    tcp_stream_budget_init(&budget, 600);
    tcp_stream a, b;
    int owner_a, owner_b;
    tcp_stream_init(&a);
    tcp_stream_init(&b);
    tcp_stream_use_budget(&a, &budget, &owner_a);
    tcp_stream_use_budget(&b, &budget, &owner_b);
    tcp_stream_segment(&a, 0, true, NULL, 0, &sa);
    tcp_stream_segment(&b, 0, true, NULL, 0, &sb);
    char block[200];
    memset(block, 'x', sizeof block);
    tcp_stream_segment(&a, 101, false, (const uint8_t *)block, sizeof block, &sa);  /* a hole at 1: waits */
    tcp_stream_segment(&b, 101, false, (const uint8_t *)block, sizeof block, &sb);
    CHECK(tcp_stream_budget_take_dropped(&budget) == NULL); /* 400 bytes and two headers: within 600 */
    tcp_stream_segment(&b, 301, false, (const uint8_t *)block, sizeof block, &sb);  /* past it: `a` pays */
    CHECK(tcp_stream_budget_take_dropped(&budget) == &a);
    CHECK(tcp_stream_budget_take_dropped(&budget) == NULL);
    CHECK(a.owner == &owner_a && a.budget_dropped && a.pending == NULL && a.pending_bytes == 0);
    CHECK(!b.budget_dropped && b.pending_bytes == 400);
    CHECK_EQ_U(budget.streams_dropped, 1);
    CHECK(budget.used <= budget.limit);
    SEG(&a, 1, "late", &sa);  /* a dropped stream delivers nothing more */
    CHECK_EQ_U(ca.len, 0);
    SEG(&b, 1, "fill", &sb);  /* the other one still fills its hole */
    CHECK_EQ_U(cb.len, 4);    /* 4 of the 100 missing bytes: the rest still waits */
    tcp_stream_release(&b);
    tcp_stream_release(&a);
    CHECK_EQ_U(budget.used, 0);
    CHECK(g_queue_is_empty(&budget.holders));
    tcp_stream_budget_clear(&budget);
}

int main(void)
{
    test_in_order_and_out_of_order();
    test_sequence_wrap();
    test_gap_is_skipped_and_reported();
    test_pending_bytes_bounded();
    test_capture_order_without_syn();
    test_start_after_the_handshake();
    test_shared_budget();
    return check_summary("tcp_stream");
}
