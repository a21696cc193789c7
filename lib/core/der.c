/*
 * der.c - the DER element reader (see der.h for the contract).
 *
 * Every byte is read through the cursor's cssp_reader, so no function here can
 * touch memory outside the window it was given. Choices worth knowing:
 *  - Running off the window is CSSP_ERR_TRUNCATED at depth 0 (the caller's
 *    buffer simply stops; more bytes of the stream may complete it) and
 *    CSSP_ERR_LENGTH_PAST_END inside an entered element (the container is
 *    complete, so a child that does not fit is malformed).
 *  - Non-minimal long-form lengths (81 05) and non-minimal INTEGER contents
 *    (02 02 00 06) are accepted: they are unambiguous, and the decoders exist
 *    to show what a peer sent rather than to police DER.
 *  - Tag numbers take at most 4 bytes after the 0x1F marker (28 bits), so a
 *    long run of continuation bytes is refused instead of overflowing.
 */
#include "cssp/der.h"

#include <stdint.h>

#define MAX_LENGTH_BYTES 4
#define MAX_TAG_NUMBER_BYTES 4
#define HIGH_TAG_MARKER 0x1f
#define INDEFINITE_LENGTH 0x80

void cssp_der_init(cssp_der *d, const uint8_t *data, size_t len)
{
    cssp_reader_init(&d->r, data, len);
    d->depth = 0;
}

bool cssp_der_at_end(const cssp_der *d)
{
    return !d->r.overrun && cssp_reader_remaining(&d->r) == 0;
}

/* The continuation bytes of a tag number >= 31 (X.690 8.1.2.4). */
static cssp_status read_high_tag_number(cssp_reader *r, uint32_t *number)
{
    uint32_t value = 0;
    for (unsigned i = 0; i < MAX_TAG_NUMBER_BYTES; i++) {
        uint8_t b;
        if (!cssp_get_u8(r, &b))
            return CSSP_ERR_TRUNCATED;
        if (i == 0 && b == 0x80)
            return CSSP_ERR_BAD_ENCODING; /* leading zero bits: not the shortest form */
        value = (value << 7) | (b & 0x7fu);
        if (!(b & 0x80)) {
            if (value < HIGH_TAG_MARKER)
                return CSSP_ERR_BAD_ENCODING; /* fits the one-byte form */
            *number = value;
            return CSSP_OK;
        }
    }
    return CSSP_ERR_BAD_ENCODING;
}

static cssp_status read_length(cssp_reader *r, size_t *length)
{
    uint8_t first;
    if (!cssp_get_u8(r, &first))
        return CSSP_ERR_TRUNCATED;
    if (first < 0x80) {
        *length = first;
        return CSSP_OK;
    }
    if (first == INDEFINITE_LENGTH)
        return CSSP_ERR_INDEFINITE_LENGTH;
    unsigned count = first & 0x7fu;
    if (count > MAX_LENGTH_BYTES)
        return CSSP_ERR_LENGTH_TOO_LONG;
    uint32_t value = 0;
    for (unsigned i = 0; i < count; i++) {
        uint8_t b;
        if (!cssp_get_u8(r, &b))
            return CSSP_ERR_TRUNCATED;
        value = (value << 8) | b;
    }
    *length = value;
    return CSSP_OK;
}

/* Identifier and length of the element at r's position; r ends up at its value. */
static cssp_status read_header(cssp_reader *r, cssp_der_tlv *tlv)
{
    uint8_t id;
    tlv->offset = r->pos;
    if (!cssp_get_u8(r, &id))
        return CSSP_ERR_TRUNCATED;
    tlv->tag_class = (uint8_t)(id >> 6);
    tlv->constructed = (id & 0x20) != 0;
    tlv->tag_number = id & HIGH_TAG_MARKER;
    cssp_status st = CSSP_OK;
    if (tlv->tag_number == HIGH_TAG_MARKER)
        st = read_high_tag_number(r, &tlv->tag_number);
    if (st == CSSP_OK)
        st = read_length(r, &tlv->value_len);
    if (st != CSSP_OK)
        return st;
    tlv->header_len = r->pos - tlv->offset;
    tlv->value_offset = r->pos;
    return CSSP_OK;
}

cssp_status cssp_der_next(cssp_der *d, cssp_der_tlv *tlv)
{
    *tlv = (cssp_der_tlv){0};
    cssp_status st = read_header(&d->r, tlv); /* fails at once on an unusable cursor */
    if (st == CSSP_OK && !cssp_skip(&d->r, tlv->value_len))
        st = CSSP_ERR_TRUNCATED;
    if (st == CSSP_ERR_TRUNCATED && d->depth > 0)
        st = CSSP_ERR_LENGTH_PAST_END;
    if (st != CSSP_OK)
        d->r.overrun = true; /* leave the cursor unusable, as documented */
    return st;
}

cssp_status cssp_der_peek(const cssp_der *d, cssp_der_tlv *tlv)
{
    cssp_der copy = *d;
    return cssp_der_next(&copy, tlv);
}

/* A copy of `window` positioned at an element's value, if that starts inside the window. */
static bool seek_value(const cssp_reader *window, const cssp_der_tlv *tlv, cssp_reader *at_value)
{
    if (tlv->value_offset > window->len)
        return false;
    *at_value = *window;
    at_value->pos = tlv->value_offset;
    at_value->overrun = false;
    return true;
}

cssp_status cssp_der_enter(const cssp_der *parent, const cssp_der_tlv *tlv, cssp_der *child)
{
    cssp_reader at_value;
    cssp_der_init(child, NULL, 0);
    if (parent->depth >= CSSP_DER_MAX_DEPTH)
        return CSSP_ERR_TOO_DEEP;
    if (!seek_value(&parent->r, tlv, &at_value) || !cssp_get_sub(&at_value, tlv->value_len, &child->r))
        return CSSP_ERR_LENGTH_PAST_END;
    child->depth = parent->depth + 1;
    return CSSP_OK;
}

/* The cursor moves only on a match, so a caller may try an optional element and go on. */
cssp_status cssp_der_expect(cssp_der *d, uint8_t tag_class, uint32_t tag_number, cssp_der_tlv *tlv,
                            cssp_der *child)
{
    cssp_der after = *d;
    cssp_status st = cssp_der_next(&after, tlv);
    if (st != CSSP_OK) {
        *d = after;
        return st;
    }
    bool must_be_constructed = tag_class == CSSP_DER_CLASS_CONTEXT ||
                               (tag_class == CSSP_DER_CLASS_UNIVERSAL && tag_number == CSSP_DER_TAG_SEQUENCE);
    if (tlv->tag_class != tag_class || tlv->tag_number != tag_number || (must_be_constructed && !tlv->constructed))
        return CSSP_ERR_UNEXPECTED_TAG;
    *d = after;
    return child ? cssp_der_enter(d, tlv, child) : CSSP_OK;
}

const uint8_t *cssp_der_value(const cssp_der *d, const cssp_der_tlv *tlv)
{
    cssp_reader at_value;
    const uint8_t *value;
    return seek_value(&d->r, tlv, &at_value) && cssp_get_bytes(&at_value, tlv->value_len, &value) ? value : NULL;
}

/* ENUMERATED shares INTEGER's content encoding (X.690 8.4), so both are read here. */
cssp_status cssp_der_int64(const cssp_der *d, const cssp_der_tlv *tlv, int64_t *out)
{
    *out = 0;
    if (tlv->tag_class != CSSP_DER_CLASS_UNIVERSAL || tlv->constructed ||
        (tlv->tag_number != CSSP_DER_TAG_INTEGER && tlv->tag_number != CSSP_DER_TAG_ENUMERATED))
        return CSSP_ERR_UNEXPECTED_TAG;
    if (tlv->value_len == 0)
        return CSSP_ERR_BAD_ENCODING;
    if (tlv->value_len > sizeof(int64_t))
        return CSSP_ERR_INTEGER_RANGE;
    const uint8_t *value = cssp_der_value(d, tlv);
    if (!value)
        return CSSP_ERR_LENGTH_PAST_END;
    cssp_reader r;
    cssp_reader_init(&r, value, tlv->value_len);
    uint8_t b;
    uint64_t bits = 0;
    for (size_t i = 0; cssp_get_u8(&r, &b); i++) {
        if (i == 0 && (b & 0x80))
            bits = UINT64_MAX; /* sign-extend a negative number */
        bits = (bits << 8) | b;
    }
    /* Two's complement to int64 without relying on implementation-defined conversion. */
    *out = (bits >> 63) ? -(int64_t)(~bits) - 1 : (int64_t)bits;
    return CSSP_OK;
}

cssp_status cssp_der_uint32_bits(const cssp_der *d, const cssp_der_tlv *tlv, uint32_t *out)
{
    int64_t value;
    *out = 0;
    cssp_status st = cssp_der_int64(d, tlv, &value);
    if (st != CSSP_OK)
        return st;
    if (value < INT32_MIN || value > (int64_t)UINT32_MAX)
        return CSSP_ERR_INTEGER_RANGE;
    *out = (uint32_t)value; /* modulo 2^32: -1073741715 becomes 0xC000006D */
    return CSSP_OK;
}

cssp_status cssp_der_read_header(const uint8_t *data, size_t avail, cssp_der_tlv *tlv)
{
    cssp_reader r;
    *tlv = (cssp_der_tlv){0};
    cssp_reader_init(&r, data, avail);
    return read_header(&r, tlv);
}

cssp_status cssp_der_element_size(const uint8_t *data, size_t avail, size_t *total)
{
    cssp_der_tlv tlv;
    *total = 0;
    cssp_status st = cssp_der_read_header(data, avail, &tlv);
    if (st != CSSP_OK)
        return st;
    if (tlv.value_len > SIZE_MAX - tlv.header_len)
        return CSSP_ERR_LENGTH_TOO_LONG; /* only possible where size_t is 32 bits */
    *total = tlv.header_len + tlv.value_len;
    return CSSP_OK;
}
