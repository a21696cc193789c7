/*
 * reader.h - the bounds-checked byte cursor every parser in lib/ reads through.
 *
 * A cssp_reader is a window [pos, len) over caller-owned bytes. Each get_*
 * function either reads inside the window and advances, or sets the sticky
 * `overrun` flag, leaves the output zeroed and returns false. Once overrun is
 * set every later read fails too, so a parser may do a run of reads and check
 * once at the end (as tcpdump's GET_* accessors jump to one truncation label).
 * No function here ever touches a byte outside the window.
 */
#ifndef CSSP_READER_H
#define CSSP_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cssp_reader {
    const uint8_t *data;  /* start of the whole buffer (offsets are relative to it) */
    size_t pos;           /* next byte to read */
    size_t len;           /* one past the last readable byte */
    bool overrun;         /* sticky: a read went past len */
} cssp_reader;

void cssp_reader_init(cssp_reader *r, const uint8_t *data, size_t len);
size_t cssp_reader_remaining(const cssp_reader *r);
bool cssp_get_u8(cssp_reader *r, uint8_t *out);
bool cssp_get_be16(cssp_reader *r, uint16_t *out);
bool cssp_get_be24(cssp_reader *r, uint32_t *out);
bool cssp_get_le16(cssp_reader *r, uint16_t *out);
bool cssp_get_le32(cssp_reader *r, uint32_t *out);
bool cssp_get_be32(cssp_reader *r, uint32_t *out);
/* Points *out at the next n bytes (no copy) and advances past them. */
bool cssp_get_bytes(cssp_reader *r, size_t n, const uint8_t **out);
bool cssp_skip(cssp_reader *r, size_t n);
/* A sub-reader over the next n bytes (same base, so offsets stay comparable); advances r past them. */
bool cssp_get_sub(cssp_reader *r, size_t n, cssp_reader *sub);
/*
 * A sub-reader over the bytes before the next CRLF (a text protocol's line), advancing r past the CRLF.
 * False, r unchanged and not overrun, when the window holds no CRLF: the line may still be arriving.
 */
bool cssp_get_line(cssp_reader *r, cssp_reader *line);
/* Does the window start with these bytes? Never reads past the window, never advances. */
bool cssp_reader_starts_with(const cssp_reader *r, const void *prefix, size_t n);

#endif
