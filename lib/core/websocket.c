/* websocket.c - RFC 6455 frames and the fragmentation rules between them (see websocket.h). */
#include "cssp/websocket.h"

#include <string.h>

#include "cssp/reader.h"

static bool is_control(uint8_t opcode)
{
    return opcode & 0x8;
}

cssp_status cssp_ws_frame_header(const uint8_t *data, size_t len, cssp_ws_frame *out)
{
    memset(out, 0, sizeof *out);
    cssp_reader r;
    cssp_reader_init(&r, data, len);
    uint8_t b0, b1;
    if (!cssp_get_u8(&r, &b0) || !cssp_get_u8(&r, &b1))
        return CSSP_ERR_TRUNCATED;
    out->fin = b0 & 0x80;
    out->opcode = b0 & 0x0F;
    out->masked = b1 & 0x80;
    uint8_t len7 = b1 & 0x7F;
    if (b0 & 0x70)
        return CSSP_ERR_BAD_ENCODING;
    if (out->opcode > CSSP_WS_PONG || (out->opcode > CSSP_WS_BINARY && out->opcode < CSSP_WS_CLOSE))
        return CSSP_ERR_BAD_ENCODING;
    if (len7 == 126) {
        uint16_t v;
        if (!cssp_get_be16(&r, &v))
            return CSSP_ERR_TRUNCATED;
        out->payload_len = v;
        out->long_length = v < 126;
    } else if (len7 == 127) {
        uint32_t hi, lo;
        if (!cssp_get_be32(&r, &hi) || !cssp_get_be32(&r, &lo))
            return CSSP_ERR_TRUNCATED;
        if (hi & 0x80000000u)
            return CSSP_ERR_BAD_ENCODING;
        out->payload_len = (uint64_t)hi << 32 | lo;
        out->long_length = out->payload_len <= 0xFFFF;
    } else {
        out->payload_len = len7;
    }
    if (is_control(out->opcode) && (!out->fin || out->payload_len > CSSP_WS_MAX_CONTROL_PAYLOAD))
        return CSSP_ERR_BAD_ENCODING;
    if (out->masked) {
        const uint8_t *mask;
        if (!cssp_get_bytes(&r, 4, &mask))
            return CSSP_ERR_TRUNCATED;
        memcpy(out->mask, mask, 4);
    }
    out->header_len = r.pos;
    return CSSP_OK;
}

void cssp_ws_unmask(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t mask[4], uint64_t offset)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i] ^ mask[(offset + i) & 3];
}

void cssp_ws_stream_init(cssp_ws_stream *s)
{
    memset(s, 0, sizeof *s);
}

static size_t fail(cssp_ws_stream *s, cssp_ws_piece *piece, const char *problem)
{
    s->failed = true;
    piece->kind = CSSP_WS_ERROR;
    piece->problem = problem;
    return 0;
}

/* The next piece of the data frame whose header was read. */
static size_t take_payload(cssp_ws_stream *s, const uint8_t *data, size_t len, cssp_ws_piece *piece)
{
    uint64_t left = s->frame.payload_len - s->payload_done;
    size_t n = left < len ? (size_t)left : len;
    cssp_reader r;
    cssp_reader_init(&r, data, len);
    cssp_get_bytes(&r, n, &piece->bytes);
    piece->kind = CSSP_WS_DATA;
    piece->opcode = s->message_opcode;
    piece->len = n;
    piece->masked = s->frame.masked;
    memcpy(piece->mask, s->frame.mask, 4);
    piece->offset = s->payload_done;
    s->payload_done += n;
    if (s->payload_done == s->frame.payload_len) {
        s->in_frame = false;
        if (s->frame.fin) {
            s->in_message = false;
            piece->message_end = true;
        }
    }
    return n;
}

size_t cssp_ws_next(cssp_ws_stream *s, const uint8_t *data, size_t len, cssp_ws_piece *piece)
{
    memset(piece, 0, sizeof *piece);
    if (s->failed)
        return fail(s, piece, "the WebSocket stream was already broken");
    if (s->in_frame) {
        if (len == 0) {
            piece->kind = CSSP_WS_NEED_MORE;
            return 0;
        }
        return take_payload(s, data, len, piece);
    }
    cssp_ws_frame f;
    cssp_status st = cssp_ws_frame_header(data, len, &f);
    if (st == CSSP_ERR_TRUNCATED) {
        piece->kind = CSSP_WS_NEED_MORE;
        return 0;
    }
    if (st != CSSP_OK)
        return fail(s, piece, "a malformed WebSocket frame header");
    if (is_control(f.opcode)) {
        cssp_reader r;
        cssp_reader_init(&r, data, len);
        if (!cssp_skip(&r, f.header_len) || !cssp_get_bytes(&r, (size_t)f.payload_len, &piece->bytes)) {
            piece->kind = CSSP_WS_NEED_MORE;
            return 0;
        }
        piece->kind = CSSP_WS_CONTROL;
        piece->opcode = f.opcode;
        piece->len = (size_t)f.payload_len;
        piece->masked = f.masked;
        memcpy(piece->mask, f.mask, 4);
        return r.pos;
    }
    if (f.opcode == CSSP_WS_CONTINUATION && !s->in_message)
        return fail(s, piece, "a WebSocket continuation frame outside a message");
    if (f.opcode != CSSP_WS_CONTINUATION && s->in_message)
        return fail(s, piece, "a new WebSocket message inside a fragmented one");
    if (f.opcode != CSSP_WS_CONTINUATION)
        s->message_opcode = f.opcode;
    s->in_message = true;
    s->in_frame = true;
    s->frame = f;
    s->payload_done = 0;
    size_t n = f.header_len;
    if (f.payload_len == 0 || len > n)
        n += take_payload(s, data + n, len - n, piece);
    else
        piece->kind = CSSP_WS_NEED_MORE; /* the header alone: consumed, its payload comes next */
    return n;
}

bool cssp_ws_close_code(const uint8_t *payload, size_t len, uint16_t *code)
{
    cssp_reader r;
    cssp_reader_init(&r, payload, len);
    return cssp_get_be16(&r, code);
}
