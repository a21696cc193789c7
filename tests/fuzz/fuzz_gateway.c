/*
 * fuzz_gateway.c - libFuzzer harness: the RD Gateway transport readers (HTTP heads and chunk-size lines,
 * WebSocket framing, MS-TSGU packets) and the reader both front ends run them through (lib/wire/rdg_stream.c).
 *
 * The input is read as each layer would meet it: an HTTP head; a chunk-size line; and a WebSocket stream
 * delivered in pieces whose size the first byte chooses, its unmasked message bytes cut into MS-TSGU packets
 * as the analyzer cuts them; and the whole input as a client's plaintext through the shared stream reader, in
 * small pieces, with the gateway's 101 after the client's first head. Beyond the sanitizers: every length and slice handed back lies inside the bytes
 * given, names are NUL-terminated printable ASCII, and the framing never consumes more than it was given.
 */
#include <string.h>

#include "cssp/http.h"
#include "cssp/rdg_stream.h"
#include "cssp/tsgu.h"
#include "cssp/websocket.h"
#include "fuzz_common.h"

static void require_printable(const char *s, size_t size)
{
    size_t n = strnlen(s, size);
    FUZZ_REQUIRE(n < size);
    for (size_t i = 0; i < n; i++)
        FUZZ_REQUIRE(s[i] >= 0x20 && s[i] < 0x7f);
}

static void check_http(const uint8_t *data, size_t size)
{
    cssp_http_head h;
    if (cssp_http_head_decode(data, size, &h) == CSSP_OK) {
        FUZZ_REQUIRE(h.head_len <= size && h.head_len <= CSSP_HTTP_MAX_HEAD);
        unsigned kept = h.field_count < CSSP_HTTP_MAX_FIELDS ? h.field_count : CSSP_HTTP_MAX_FIELDS;
        for (unsigned i = 0; i < kept; i++) {
            FUZZ_REQUIRE(h.fields[i].name_off + h.fields[i].name_len <= h.head_len);
            FUZZ_REQUIRE(h.fields[i].value_off + h.fields[i].value_len <= h.head_len);
        }
        require_printable(h.method, sizeof h.method);
        require_printable(h.target, sizeof h.target);
        const uint8_t *v;
        size_t vlen;
        if (cssp_http_field_value(&h, data, "Authorization", &v, &vlen))
            (void)cssp_http_auth_scheme(v, vlen);
        (void)cssp_http_field_has_token(&h, data, "Connection", "upgrade");
    }
    uint32_t chunk;
    size_t line_len;
    if (cssp_http_chunk_line(data, size, &chunk, &line_len) == CSSP_OK)
        FUZZ_REQUIRE(line_len <= size && line_len <= CSSP_HTTP_MAX_CHUNK_LINE);
}

static void check_tsgu(const uint8_t *data, size_t size)
{
    cssp_tsgu_packet p;
    if (cssp_tsgu_decode(data, size, &p) != CSSP_OK)
        return;
    FUZZ_REQUIRE(p.length >= CSSP_TSGU_HEADER_LEN && p.length <= size);
    if (p.data)
        FUZZ_REQUIRE(p.data >= data + CSSP_TSGU_HEADER_LEN && p.data + p.data_len <= data + p.length);
    require_printable(p.resource, sizeof p.resource);
    require_printable(p.client_name, sizeof p.client_name);
}

/* The unmasked message bytes of the stream, cut into packets as the analyzer does. */
static uint8_t messages[65536];

static void check_websocket(const uint8_t *data, size_t size)
{
    if (size < 1)
        return;
    size_t step = (size_t)data[0] + 1;
    data++, size--;
    cssp_ws_stream s;
    cssp_ws_stream_init(&s);
    uint8_t held[CSSP_WS_MAX_CONTROL + 256];
    size_t held_len = 0, fed = 0, used = 0;
    while (fed < size) {
        size_t n = size - fed < step ? size - fed : step;
        memcpy(held + held_len, data + fed, n);
        held_len += n;
        fed += n;
        size_t at = 0;
        for (;;) {
            cssp_ws_piece p;
            size_t took = cssp_ws_next(&s, held + at, held_len - at, &p);
            FUZZ_REQUIRE(took <= held_len - at);
            at += took;
            if (p.kind == CSSP_WS_ERROR)
                goto done;
            if (p.kind == CSSP_WS_NEED_MORE) {
                if (took)
                    continue;
                break;
            }
            FUZZ_REQUIRE(p.bytes >= held && p.bytes + p.len <= held + at);
            if (p.kind == CSSP_WS_CONTROL) {
                FUZZ_REQUIRE(p.len <= CSSP_WS_MAX_CONTROL_PAYLOAD);
                continue;
            }
            size_t room = sizeof messages - used, k = p.len < room ? p.len : room;
            cssp_ws_unmask(messages + used, p.bytes, k, p.mask, p.offset);
            used += k;
        }
        /* what is kept between deliveries stays within a header or a control frame */
        FUZZ_REQUIRE(held_len - at <= CSSP_WS_MAX_CONTROL);
        memmove(held, held + at, held_len - at);
        held_len -= at;
    }
done:;
    size_t at = 0, packet;
    while (at < used && cssp_tsgu_packet_size(messages + at, used - at, &packet) == CSSP_OK && packet <= used - at) {
        check_tsgu(messages + at, packet);
        at += packet;
    }
}

/* ---- the shared stream reader ---- */

static void stream_nothing(void *ctx)
{
    (void)ctx;
}

static void stream_recognised(void *ctx, rdg_channel channel, const char *connection_id)
{
    (void)ctx;
    FUZZ_REQUIRE(channel == RDG_CHANNEL_OUT || channel == RDG_CHANNEL_IN);
    FUZZ_REQUIRE(strlen(connection_id) <= RDG_CONNECTION_ID_MAX);
    require_printable(connection_id, RDG_CONNECTION_ID_MAX + 1);
}

static void stream_head(void *ctx, cssp_dir dir, const cssp_http_head *head, const uint8_t *data)
{
    (void)ctx, (void)dir, (void)data;
    FUZZ_REQUIRE(head->head_len > 0 && head->head_len <= CSSP_HTTP_MAX_HEAD);
}

static void stream_packet(void *ctx, cssp_dir dir, const cssp_tsgu_packet *p, const uint8_t *bytes, size_t len)
{
    (void)ctx, (void)dir;
    FUZZ_REQUIRE(len >= CSSP_TSGU_HEADER_LEN && len <= CSSP_TSGU_MAX_PACKET && p->length == len);
    if (p->data)
        FUZZ_REQUIRE(p->data >= bytes && p->data + p->data_len <= bytes + len);
    require_printable(p->resource, sizeof p->resource);
}

static void stream_problem(void *ctx, const char *problem)
{
    (void)ctx;
    FUZZ_REQUIRE(problem && problem[0]);
}

static const rdg_stream_sink stream_sink = {
    .recognised = stream_recognised,
    .not_gateway = stream_nothing,
    .head = stream_head,
    .packet = stream_packet,
    .problem = stream_problem,
};

static void check_stream(const uint8_t *data, size_t size)
{
    static const char upgrade[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
    cssp_gateway facts;
    rdg_stream *s = rdg_stream_new(&facts, &stream_sink, NULL);
    cssp_http_head h;
    size_t head = cssp_http_head_decode(data, size, &h) == CSSP_OK ? h.head_len : size;
    rdg_stream_feed(s, CSSP_FROM_CLIENT, data, head);
    rdg_stream_feed(s, CSSP_FROM_SERVER, (const uint8_t *)upgrade, sizeof upgrade - 1);
    size_t step = size % 7 + 1;
    for (size_t at = head; at < size; at += step)
        rdg_stream_feed(s, CSSP_FROM_CLIENT, data + at, size - at < step ? size - at : step);
    rdg_stream_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_http(data, size);
    check_tsgu(data, size);
    check_websocket(data, size);
    check_stream(data, size);
    return 0;
}
