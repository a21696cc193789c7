/*
 * websocket.h - RFC 6455 framing, as an RD Gateway's WebSocket transport uses it ([MS-TSGU] 2.2.5.1).
 *
 * cssp_ws_next() walks one direction's bytes, in any split, without copying or allocating: it hands back the
 * payload of data frames in pieces as they arrive (still masked: cssp_ws_unmask() takes them with their
 * offset), and each control frame whole. It holds the fragmentation rules across frames (a continuation
 * only inside a message, no new message inside one, control frames unfragmented and at most 125 bytes).
 * The caller keeps what it was not given back: at most CSSP_WS_MAX_HEADER bytes of a frame header, or
 * CSSP_WS_MAX_CONTROL bytes of a control frame. Whether a frame should have been masked depends on who
 * sent it (RFC 6455 5.1: every client frame, no server frame): the piece says whether it was.
 */
#ifndef CSSP_WEBSOCKET_H
#define CSSP_WEBSOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cssp/status.h"

#define CSSP_WS_MAX_HEADER 14                              /* 2 + 8 (64-bit length) + 4 (mask) */
#define CSSP_WS_MAX_CONTROL_PAYLOAD 125
#define CSSP_WS_MAX_CONTROL (CSSP_WS_MAX_HEADER + CSSP_WS_MAX_CONTROL_PAYLOAD)

enum {
    CSSP_WS_CONTINUATION = 0x0,
    CSSP_WS_TEXT = 0x1,
    CSSP_WS_BINARY = 0x2,
    CSSP_WS_CLOSE = 0x8,
    CSSP_WS_PING = 0x9,
    CSSP_WS_PONG = 0xA
};

typedef struct cssp_ws_frame {
    bool fin;
    uint8_t opcode;
    bool masked;
    uint8_t mask[4];
    uint64_t payload_len;
    size_t header_len;
    bool long_length;          /* the length took a longer form than needed (RFC 6455 5.2 wants the shortest) */
} cssp_ws_frame;

/*
 * One frame header at the start of data. CSSP_ERR_TRUNCATED: not all of it yet; CSSP_ERR_BAD_ENCODING: a
 * reserved bit set (no extension is negotiated on a gateway), a reserved opcode, a 64-bit length with its
 * top bit set, or a control frame fragmented or longer than 125 bytes.
 */
cssp_status cssp_ws_frame_header(const uint8_t *data, size_t len, cssp_ws_frame *out);

/* dst[i] = src[i] XOR mask[(offset + i) % 4]: offset is the piece's position in its frame's payload. */
void cssp_ws_unmask(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t mask[4], uint64_t offset);

typedef enum cssp_ws_piece_kind {
    CSSP_WS_NEED_MORE,   /* nothing complete: keep the bytes not consumed and call again with more */
    CSSP_WS_DATA,        /* payload bytes of a text/binary message */
    CSSP_WS_CONTROL,     /* a whole close/ping/pong frame */
    CSSP_WS_ERROR        /* the stream breaks the framing rules: it cannot be followed further */
} cssp_ws_piece_kind;

typedef struct cssp_ws_piece {
    cssp_ws_piece_kind kind;
    uint8_t opcode;            /* DATA: the message's (TEXT or BINARY); CONTROL: the frame's */
    const uint8_t *bytes;      /* payload, still masked when `masked` */
    size_t len;
    bool masked;
    uint8_t mask[4];
    uint64_t offset;           /* of bytes[0] in its frame's payload (for cssp_ws_unmask) */
    bool message_end;          /* DATA: the last byte of the message */
    const char *problem;       /* ERROR: static text */
} cssp_ws_piece;

typedef struct cssp_ws_stream {
    bool in_frame;             /* a data frame's header was read, payload_done of its payload too */
    cssp_ws_frame frame;
    uint64_t payload_done;
    bool in_message;           /* a fragmented message waits for its continuation frames */
    uint8_t message_opcode;
    bool failed;
} cssp_ws_stream;

void cssp_ws_stream_init(cssp_ws_stream *s);
/*
 * The next piece of data[0..len); returns the bytes it consumed: 0 with ERROR, and with NEED_MORE unless a
 * data frame's header was all there was (it is consumed; its payload comes in the next call).
 */
size_t cssp_ws_next(cssp_ws_stream *s, const uint8_t *data, size_t len, cssp_ws_piece *piece);

/* The status code of an unmasked close payload (RFC 6455 7.1.5); false when it carries none. */
bool cssp_ws_close_code(const uint8_t *payload, size_t len, uint16_t *code);

#endif
