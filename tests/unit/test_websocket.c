/*
 * test_websocket.c - RFC 6455 framing on the examples of its section 5.7 (masked and unmasked, fragmented,
 * ping/pong, 16- and 64-bit lengths), byte-by-byte delivery, and the framing rules a stream must keep.
 */
#include <stdlib.h>

#include "check.h"
#include "cssp/websocket.h"

/* Every piece of a whole stream, fed `step` bytes at a time as TCP might deliver it; the unmasked data
 * messages are appended to out. Returns the number of control frames, or -1 on a framing error. */
static int walk(const uint8_t *stream, size_t len, size_t step, uint8_t *out, size_t *out_len, unsigned *messages)
{
    cssp_ws_stream s;
    cssp_ws_stream_init(&s);
    uint8_t held[CSSP_WS_MAX_CONTROL + 4096];
    size_t held_len = 0, fed = 0;
    int controls = 0;
    *out_len = 0;
    *messages = 0;
    while (fed < len || held_len) {
        size_t n = len - fed < step ? len - fed : step;
        memcpy(held + held_len, stream + fed, n);
        held_len += n;
        fed += n;
        size_t at = 0;
        for (;;) {
            cssp_ws_piece p;
            size_t used = cssp_ws_next(&s, held + at, held_len - at, &p);
            at += used;
            if (p.kind == CSSP_WS_ERROR)
                return -1;
            if (p.kind == CSSP_WS_NEED_MORE) {
                if (used)
                    continue;
                break;
            }
            if (p.kind == CSSP_WS_CONTROL) {
                controls++;
                continue;
            }
            cssp_ws_unmask(out + *out_len, p.bytes, p.len, p.masked ? p.mask : (const uint8_t[4]){0}, p.offset);
            *out_len += p.len;
            if (p.message_end)
                (*messages)++;
        }
        memmove(held, held + at, held_len - at);
        held_len -= at;
        if (fed == len && n == 0)
            break;
    }
    return controls;
}

static void test_rfc_examples(void)
{
    static const uint8_t unmasked[] = {0x81, 0x05, 'H', 'e', 'l', 'l', 'o'};
    static const uint8_t masked[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    static const uint8_t fragmented[] = {0x01, 0x03, 'H', 'e', 'l', 0x89, 0x00, 0x80, 0x02, 'l', 'o'};
    static const uint8_t ping_pong[] = {0x89, 0x05, 'H', 'e', 'l', 'l', 'o',
                                        0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    const struct {
        const uint8_t *bytes;
        size_t len;
        int controls;
        const char *text;
    } cases[] = {
        {unmasked, sizeof unmasked, 0, "Hello"},
        {masked, sizeof masked, 0, "Hello"},
        {fragmented, sizeof fragmented, 1, "Hello"}, /* a ping between the fragments is allowed */
        {ping_pong, sizeof ping_pong, 2, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (size_t step = 1; step <= cases[i].len; step++) {
            uint8_t out[64];
            size_t out_len;
            unsigned messages;
            CHECK_EQ_U(walk(cases[i].bytes, cases[i].len, step, out, &out_len, &messages), cases[i].controls);
            CHECK_EQ_U(out_len, strlen(cases[i].text));
            CHECK(memcmp(out, cases[i].text, out_len) == 0);
            CHECK_EQ_U(messages, cases[i].text[0] ? 1 : 0);
        }
    }

    cssp_ws_frame f;
    CHECK_EQ_U(cssp_ws_frame_header(masked, sizeof masked, &f), CSSP_OK);
    CHECK(f.fin && f.masked && f.opcode == CSSP_WS_TEXT && f.header_len == 6 && f.payload_len == 5);
    for (size_t cut = 0; cut < 6; cut++)
        CHECK_EQ_U(cssp_ws_frame_header(masked, cut, &f), CSSP_ERR_TRUNCATED);
}

static void test_long_lengths(void)
{
    /* 256 bytes (16-bit length) and 65536 bytes (64-bit length), binary, masked as a client sends them */
    const size_t sizes[] = {256, 65536};
    for (size_t k = 0; k < 2; k++) {
        size_t n = sizes[k], header = n < 65536 ? 8 : 14;
        uint8_t *frame = malloc(header + n), *out = malloc(n);
        if (!frame || !out)
            abort();
        frame[0] = 0x82;
        if (n < 65536) {
            frame[1] = 0x80 | 126;
            frame[2] = (uint8_t)(n >> 8);
            frame[3] = (uint8_t)n;
        } else {
            frame[1] = 0x80 | 127;
            memset(frame + 2, 0, 8);
            frame[7] = 0x01; /* 0x0000000000010000 */
        }
        const uint8_t mask[4] = {1, 2, 3, 4};
        memcpy(frame + header - 4, mask, 4);
        for (size_t i = 0; i < n; i++)
            frame[header + i] = (uint8_t)i ^ mask[i % 4];
        cssp_ws_frame f;
        CHECK_EQ_U(cssp_ws_frame_header(frame, header + n, &f), CSSP_OK);
        CHECK_EQ_U(f.payload_len, n);
        CHECK_EQ_U(f.header_len, header);
        CHECK(!f.long_length);
        size_t out_len;
        unsigned messages;
        CHECK_EQ_U(walk(frame, header + n, 1000, out, &out_len, &messages), 0);
        CHECK_EQ_U(out_len, n);
        CHECK_EQ_U(messages, 1);
        int same = 1;
        for (size_t i = 0; i < n; i++)
            same &= out[i] == (uint8_t)i;
        CHECK(same);
        free(frame);
        free(out);
    }
    /* 5 bytes written with the 16-bit form: legal to read, but flagged */
    const uint8_t padded[] = {0x82, 126, 0x00, 0x05, 1, 2, 3, 4, 5};
    cssp_ws_frame f;
    CHECK_EQ_U(cssp_ws_frame_header(padded, sizeof padded, &f), CSSP_OK);
    CHECK(f.long_length);
}

static void test_rule_breaking(void)
{
    static const struct {
        const char *what;
        uint8_t bytes[16];
        size_t len;
    } cases[] = {
        {"reserved bit", {0xC2, 0x00}, 2},
        {"reserved opcode 3", {0x83, 0x00}, 2},
        {"reserved opcode 0xB", {0x8B, 0x00}, 2},
        {"64-bit length with the top bit", {0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 1}, 10},
        {"fragmented ping", {0x09, 0x00}, 2},
        {"close longer than 125", {0x88, 0x7E, 0x00, 0x7E}, 4},
        {"continuation first", {0x80, 0x00}, 2},
        {"new message inside a fragmented one", {0x02, 0x00, 0x82, 0x00}, 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t out[16];
        size_t out_len;
        unsigned messages;
        int r = walk(cases[i].bytes, cases[i].len, cases[i].len, out, &out_len, &messages);
        if (r != -1)
            fprintf(stderr, "not refused: %s\n", cases[i].what);
        CHECK_EQ_U(r, (uint64_t)-1);
    }
    /* once broken, the stream stays broken */
    cssp_ws_stream s;
    cssp_ws_stream_init(&s);
    cssp_ws_piece p;
    const uint8_t bad[] = {0xC2, 0x00}, good[] = {0x82, 0x00};
    CHECK_EQ_U(cssp_ws_next(&s, bad, sizeof bad, &p), 0);
    CHECK_EQ_U(p.kind, CSSP_WS_ERROR);
    CHECK_EQ_U(cssp_ws_next(&s, good, sizeof good, &p), 0);
    CHECK_EQ_U(p.kind, CSSP_WS_ERROR);
}

static void test_unmasked_client_frame_is_visible(void)
{
    /* the framing does not know who sent a frame: it says whether it was masked, the caller judges */
    const uint8_t unmasked[] = {0x82, 0x02, 0xAA, 0xBB};
    cssp_ws_stream s;
    cssp_ws_stream_init(&s);
    cssp_ws_piece p;
    CHECK_EQ_U(cssp_ws_next(&s, unmasked, sizeof unmasked, &p), 4);
    CHECK_EQ_U(p.kind, CSSP_WS_DATA);
    CHECK(!p.masked);
    CHECK(p.message_end);
}

static void test_close_code(void)
{
    const uint8_t close_payload[] = {0x03, 0xE8, 'b', 'y', 'e'};
    uint16_t code;
    CHECK(cssp_ws_close_code(close_payload, sizeof close_payload, &code));
    CHECK_EQ_U(code, 1000);
    CHECK(!cssp_ws_close_code(close_payload, 1, &code));
    /* a masked close frame: unmask first */
    const uint8_t frame[] = {0x88, 0x82, 0x11, 0x22, 0x33, 0x44, 0x03 ^ 0x11, 0xEA ^ 0x22};
    cssp_ws_stream s;
    cssp_ws_stream_init(&s);
    cssp_ws_piece p;
    CHECK_EQ_U(cssp_ws_next(&s, frame, sizeof frame, &p), sizeof frame);
    CHECK_EQ_U(p.kind, CSSP_WS_CONTROL);
    CHECK_EQ_U(p.opcode, CSSP_WS_CLOSE);
    uint8_t plain[2];
    cssp_ws_unmask(plain, p.bytes, p.len, p.mask, 0);
    CHECK(cssp_ws_close_code(plain, sizeof plain, &code) && code == 1002);
    /* a control frame cut short waits, consuming nothing */
    cssp_ws_stream_init(&s);
    CHECK_EQ_U(cssp_ws_next(&s, frame, sizeof frame - 1, &p), 0);
    CHECK_EQ_U(p.kind, CSSP_WS_NEED_MORE);
}

int main(void)
{
    test_rfc_examples();
    test_long_lengths();
    test_rule_breaking();
    test_unmasked_client_frame_is_visible();
    test_close_code();
    return check_summary("websocket");
}
