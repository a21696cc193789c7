/* reader.c - the bounds-checked byte cursor (see reader.h for the contract). */
#include "cssp/reader.h"

#include <string.h>

void cssp_reader_init(cssp_reader *r, const uint8_t *data, size_t len)
{
    r->data = data;
    r->pos = 0;
    r->len = data ? len : 0;
    r->overrun = false;
}

size_t cssp_reader_remaining(const cssp_reader *r)
{
    return r->overrun ? 0 : r->len - r->pos;
}

/* The single place that decides whether n more bytes may be read. */
static const uint8_t *take(cssp_reader *r, size_t n)
{
    if (r->overrun || n > r->len - r->pos) {
        r->overrun = true;
        return NULL;
    }
    const uint8_t *p = r->data + r->pos;
    r->pos += n;
    return p;
}

bool cssp_get_u8(cssp_reader *r, uint8_t *out)
{
    const uint8_t *p = take(r, 1);
    *out = p ? p[0] : 0;
    return p != NULL;
}

bool cssp_get_be16(cssp_reader *r, uint16_t *out)
{
    const uint8_t *p = take(r, 2);
    *out = p ? (uint16_t)((p[0] << 8) | p[1]) : 0;
    return p != NULL;
}

bool cssp_get_be24(cssp_reader *r, uint32_t *out)
{
    const uint8_t *p = take(r, 3);
    *out = p ? (((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | (uint32_t)p[2]) : 0;
    return p != NULL;
}

bool cssp_get_le16(cssp_reader *r, uint16_t *out)
{
    const uint8_t *p = take(r, 2);
    *out = p ? (uint16_t)(p[0] | (p[1] << 8)) : 0;
    return p != NULL;
}

bool cssp_get_le32(cssp_reader *r, uint32_t *out)
{
    const uint8_t *p = take(r, 4);
    *out = p ? ((uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24)) : 0;
    return p != NULL;
}

bool cssp_get_be32(cssp_reader *r, uint32_t *out)
{
    const uint8_t *p = take(r, 4);
    *out = p ? (((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3]) : 0;
    return p != NULL;
}

bool cssp_get_bytes(cssp_reader *r, size_t n, const uint8_t **out)
{
    *out = take(r, n);
    return *out != NULL;
}

bool cssp_skip(cssp_reader *r, size_t n)
{
    return take(r, n) != NULL;
}

bool cssp_get_sub(cssp_reader *r, size_t n, cssp_reader *sub)
{
    size_t start = r->pos;
    if (!take(r, n)) {
        cssp_reader_init(sub, NULL, 0);
        sub->overrun = true;
        return false;
    }
    sub->data = r->data;
    sub->pos = start;
    sub->len = start + n;
    sub->overrun = false;
    return true;
}

bool cssp_get_line(cssp_reader *r, cssp_reader *line)
{
    size_t avail = cssp_reader_remaining(r);
    const uint8_t *start = r->data + r->pos;
    const uint8_t *cr = avail >= 2 ? memchr(start, '\r', avail - 1) : NULL;
    while (cr && cr[1] != '\n')
        cr = memchr(cr + 1, '\r', (size_t)(start + avail - 1 - (cr + 1)));
    if (!cr) {
        cssp_reader_init(line, NULL, 0);
        return false;
    }
    size_t n = (size_t)(cr - start);
    cssp_get_sub(r, n, line);
    cssp_skip(r, 2);
    return true;
}

bool cssp_reader_starts_with(const cssp_reader *r, const void *prefix, size_t n)
{
    return !r->overrun && n <= r->len - r->pos && memcmp(r->data + r->pos, prefix, n) == 0;
}
