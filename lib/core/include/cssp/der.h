/*
 * der.h - a strict DER (BER subset) element reader on top of cssp_reader.
 *
 * Reads one TLV at a time: identifier (single-byte and multi-byte tag numbers),
 * short- and long-form lengths of up to 4 length bytes. Indefinite lengths are
 * refused (CredSSP is DER). Every element's offset is relative to the start of
 * the buffer the outermost reader was initialised with, so a caller can place
 * it (the plugin uses these offsets for tree items).
 *
 * Depth: cssp_der_enter() counts nesting and refuses more than CSSP_DER_MAX_DEPTH
 * levels, so hostile input cannot drive a recursive caller arbitrarily deep.
 */
#ifndef CSSP_DER_H
#define CSSP_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cssp/reader.h"
#include "cssp/status.h"

#define CSSP_DER_MAX_DEPTH 16

enum {
    CSSP_DER_CLASS_UNIVERSAL = 0,
    CSSP_DER_CLASS_APPLICATION = 1,
    CSSP_DER_CLASS_CONTEXT = 2,
    CSSP_DER_CLASS_PRIVATE = 3
};

enum {
    CSSP_DER_TAG_INTEGER = 2,
    CSSP_DER_TAG_BIT_STRING = 3,
    CSSP_DER_TAG_OCTET_STRING = 4,
    CSSP_DER_TAG_OID = 6,
    CSSP_DER_TAG_ENUMERATED = 10,
    CSSP_DER_TAG_SEQUENCE = 16
};

typedef struct cssp_der_tlv {
    uint8_t tag_class;     /* CSSP_DER_CLASS_* */
    bool constructed;
    uint32_t tag_number;
    size_t offset;         /* of the identifier byte */
    size_t header_len;     /* identifier + length bytes */
    size_t value_offset;   /* offset + header_len */
    size_t value_len;
} cssp_der_tlv;

/* A cursor over a sequence of DER elements, with its nesting depth. */
typedef struct cssp_der {
    cssp_reader r;
    unsigned depth;
} cssp_der;

void cssp_der_init(cssp_der *d, const uint8_t *data, size_t len);
bool cssp_der_at_end(const cssp_der *d);

/*
 * Reads the next element's header, checks that its whole value lies inside the
 * cursor and advances past the element. On error the cursor is left unusable.
 * Running off the cursor is CSSP_ERR_TRUNCATED for a cursor from cssp_der_init
 * (the buffer may just be short) and CSSP_ERR_LENGTH_PAST_END inside an entered
 * element (the container is complete; the inner length is wrong).
 */
cssp_status cssp_der_next(cssp_der *d, cssp_der_tlv *tlv);

/* Reads the header without advancing (a copy of the cursor is advanced). */
cssp_status cssp_der_peek(const cssp_der *d, cssp_der_tlv *tlv);

/*
 * A cursor over the value of an element read from `parent`; depth + 1. Usually a
 * constructed element; a primitive one (an OCTET STRING wrapping DER, such as a
 * SPNEGO token) may be entered too, keeping offsets relative to the outer buffer.
 */
cssp_status cssp_der_enter(const cssp_der *parent, const cssp_der_tlv *tlv, cssp_der *child);

/*
 * Reads the next element, which must carry the given class/number (and for
 * context tags and SEQUENCE must be constructed, as CredSSP's explicit tags are),
 * and enters it unless `child` is NULL. On a tag mismatch the cursor does not move.
 */
cssp_status cssp_der_expect(cssp_der *d, uint8_t tag_class, uint32_t tag_number, cssp_der_tlv *tlv,
                            cssp_der *child);

/* INTEGER (or ENUMERATED) value of an element (two's complement, 1..8 content bytes). */
cssp_status cssp_der_int64(const cssp_der *d, const cssp_der_tlv *tlv, int64_t *out);
/*
 * INTEGER that must fit 32 bits either as signed or unsigned; returned as the
 * uint32 bit pattern (NTSTATUS 0xC000006D arrives as the negative -1073741715).
 */
cssp_status cssp_der_uint32_bits(const cssp_der *d, const cssp_der_tlv *tlv, uint32_t *out);

/* Pointer to the value bytes of an element; NULL unless they lie inside the cursor's window. */
const uint8_t *cssp_der_value(const cssp_der *d, const cssp_der_tlv *tlv);

/*
 * Reads only the header (identifier and length bytes) of the element at data[0];
 * its value need not be there yet. For stream framing and probes: *tlv tells
 * where the value starts and how long it is. CSSP_ERR_TRUNCATED when the header
 * itself is not complete yet; other errors when it is malformed.
 */
cssp_status cssp_der_read_header(const uint8_t *data, size_t avail, cssp_der_tlv *tlv);

/*
 * Given the first `avail` bytes of a stream, the total size of the element that
 * starts there. CSSP_ERR_TRUNCATED when the header itself is not complete yet
 * (more bytes are needed to know); other errors when the header is malformed.
 */
cssp_status cssp_der_element_size(const uint8_t *data, size_t avail, size_t *total);

#endif
