/*
 * test_der.c - the DER reader: lengths, tags, integers, nesting limits and bounds,
 * on hand-built elements and on a real TSRequest (tests/unit/vectors_tsrequest.h).
 */
#include <stdlib.h>

#include "check.h"
#include "cssp/der.h"
#include "vectors_tsrequest.h"

/* Copies `len` bytes into a heap block of exactly that size, so ASan sees any read past it. */
static uint8_t *exact_copy(const uint8_t *data, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (copy && len)
        memcpy(copy, data, len);
    return copy;
}

static cssp_status next_of(const uint8_t *data, size_t len, cssp_der_tlv *tlv)
{
    cssp_der d;
    cssp_der_init(&d, data, len);
    return cssp_der_next(&d, tlv);
}

static void test_short_and_long_lengths(void)
{
    static uint8_t buf[4 + 300];
    cssp_der_tlv tlv;

    const uint8_t short_form[] = {0x02, 0x01, 0x05};
    CHECK_EQ_U(next_of(short_form, sizeof short_form, &tlv), CSSP_OK);
    CHECK_EQ_U(tlv.tag_class, CSSP_DER_CLASS_UNIVERSAL);
    CHECK(!tlv.constructed);
    CHECK_EQ_U(tlv.tag_number, CSSP_DER_TAG_INTEGER);
    CHECK_EQ_U(tlv.offset, 0);
    CHECK_EQ_U(tlv.header_len, 2);
    CHECK_EQ_U(tlv.value_offset, 2);
    CHECK_EQ_U(tlv.value_len, 1);

    /* 81 80, 82 01 2c and the non-minimal 84 00 00 01 2c all give the same kind of answer */
    const struct {
        uint8_t header[6];
        size_t header_len, value_len;
    } forms[] = {
        {{0x04, 0x81, 0x80}, 3, 0x80},
        {{0x04, 0x82, 0x01, 0x2c}, 4, 300},
        {{0x04, 0x83, 0x00, 0x01, 0x2c}, 5, 300},
        {{0x04, 0x84, 0x00, 0x00, 0x01, 0x2c}, 6, 300},
        {{0x04, 0x81, 0x05}, 3, 5},
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        memset(buf, 0xee, sizeof buf);
        memcpy(buf, forms[i].header, forms[i].header_len);
        size_t len = forms[i].header_len + forms[i].value_len;
        CHECK_EQ_U(next_of(buf, len, &tlv), CSSP_OK);
        CHECK_EQ_U(tlv.header_len, forms[i].header_len);
        CHECK_EQ_U(tlv.value_len, forms[i].value_len);
        CHECK_EQ_U(tlv.value_offset, forms[i].header_len);
        /* one byte less and the value no longer fits the (outermost) buffer */
        CHECK_EQ_U(next_of(buf, len - 1, &tlv), CSSP_ERR_TRUNCATED);
    }
}

static void test_length_errors(void)
{
    cssp_der_tlv tlv;
    const uint8_t indefinite[] = {0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00};
    const uint8_t five_byte[] = {0x04, 0x85, 0x00, 0x00, 0x00, 0x00, 0x01, 0xaa};
    const uint8_t reserved[] = {0x04, 0xff, 0x01};
    const uint8_t huge[] = {0x04, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00};
    const uint8_t cut_length[] = {0x04, 0x82, 0x01};
    CHECK_EQ_U(next_of(indefinite, sizeof indefinite, &tlv), CSSP_ERR_INDEFINITE_LENGTH);
    CHECK_EQ_U(next_of(five_byte, sizeof five_byte, &tlv), CSSP_ERR_LENGTH_TOO_LONG);
    CHECK_EQ_U(next_of(reserved, sizeof reserved, &tlv), CSSP_ERR_LENGTH_TOO_LONG);
    CHECK_EQ_U(next_of(huge, sizeof huge, &tlv), CSSP_ERR_TRUNCATED);
    CHECK_EQ_U(next_of(cut_length, sizeof cut_length, &tlv), CSSP_ERR_TRUNCATED);
    CHECK_EQ_U(next_of(cut_length, 0, &tlv), CSSP_ERR_TRUNCATED);
    CHECK_EQ_U(next_of(NULL, 0, &tlv), CSSP_ERR_TRUNCATED);

    /* inside a complete container the same lies are LENGTH_PAST_END, even with bytes after it */
    const uint8_t nested_huge[] = {0x30, 0x06, 0x04, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00};
    const uint8_t nested_long[] = {0x30, 0x04, 0x02, 0x05, 0x01, 0x02, 0x03, 0x04, 0x05};
    const uint8_t nested_cut_header[] = {0x30, 0x02, 0x04, 0x82, 0x01, 0x00};
    const uint8_t *nested[] = {nested_huge, nested_long, nested_cut_header};
    const size_t nested_len[] = {sizeof nested_huge, sizeof nested_long, sizeof nested_cut_header};
    for (size_t i = 0; i < 3; i++) {
        cssp_der top, child;
        cssp_der_tlv outer;
        cssp_der_init(&top, nested[i], nested_len[i]);
        CHECK_EQ_U(cssp_der_next(&top, &outer), CSSP_OK);
        CHECK_EQ_U(cssp_der_enter(&top, &outer, &child), CSSP_OK);
        CHECK_EQ_U(cssp_der_next(&child, &tlv), CSSP_ERR_LENGTH_PAST_END);
        /* the cursor is unusable afterwards: no further element, and not "cleanly at the end" */
        CHECK_EQ_U(cssp_der_next(&child, &tlv), CSSP_ERR_LENGTH_PAST_END);
        CHECK(!cssp_der_at_end(&child));
    }

    cssp_der d;
    cssp_der_init(&d, indefinite, sizeof indefinite);
    CHECK_EQ_U(cssp_der_next(&d, &tlv), CSSP_ERR_INDEFINITE_LENGTH);
    CHECK_EQ_U(cssp_der_next(&d, &tlv), CSSP_ERR_TRUNCATED);
    CHECK(!cssp_der_at_end(&d));
}

static void test_tags(void)
{
    cssp_der_tlv tlv;
    const uint8_t tag31[] = {0x9f, 0x1f, 0x00};
    CHECK_EQ_U(next_of(tag31, sizeof tag31, &tlv), CSSP_OK);
    CHECK_EQ_U(tlv.tag_class, CSSP_DER_CLASS_CONTEXT);
    CHECK_EQ_U(tlv.tag_number, 31);
    CHECK_EQ_U(tlv.header_len, 3);

    const uint8_t tag128[] = {0xbf, 0x81, 0x00, 0x01, 0x05};
    CHECK_EQ_U(next_of(tag128, sizeof tag128, &tlv), CSSP_OK);
    CHECK(tlv.constructed);
    CHECK_EQ_U(tlv.tag_number, 128);
    CHECK_EQ_U(tlv.value_offset, 4);

    const uint8_t private_tag[] = {0xdf, 0x8f, 0xff, 0xff, 0x7f, 0x00};
    CHECK_EQ_U(next_of(private_tag, sizeof private_tag, &tlv), CSSP_OK);
    CHECK_EQ_U(tlv.tag_class, CSSP_DER_CLASS_PRIVATE);
    CHECK_EQ_U(tlv.tag_number, 0x1ffffff);

    const uint8_t application[] = {0x60, 0x00};
    CHECK_EQ_U(next_of(application, sizeof application, &tlv), CSSP_OK);
    CHECK_EQ_U(tlv.tag_class, CSSP_DER_CLASS_APPLICATION);
    CHECK(tlv.constructed);
    CHECK_EQ_U(tlv.tag_number, 0);

    const uint8_t low_in_high_form[] = {0x9f, 0x1e, 0x00};
    const uint8_t leading_zero[] = {0x9f, 0x80, 0x20, 0x00};
    const uint8_t five_tag_bytes[] = {0x9f, 0x81, 0x80, 0x80, 0x80, 0x00, 0x00};
    const uint8_t cut_tag[] = {0x9f, 0x81};
    CHECK_EQ_U(next_of(low_in_high_form, sizeof low_in_high_form, &tlv), CSSP_ERR_BAD_ENCODING);
    CHECK_EQ_U(next_of(leading_zero, sizeof leading_zero, &tlv), CSSP_ERR_BAD_ENCODING);
    CHECK_EQ_U(next_of(five_tag_bytes, sizeof five_tag_bytes, &tlv), CSSP_ERR_BAD_ENCODING);
    CHECK_EQ_U(next_of(cut_tag, sizeof cut_tag, &tlv), CSSP_ERR_TRUNCATED);
}

static cssp_status int64_of(const uint8_t *data, size_t len, int64_t *out)
{
    cssp_der d;
    cssp_der_tlv tlv;
    cssp_der_init(&d, data, len);
    cssp_status st = cssp_der_next(&d, &tlv);
    return st != CSSP_OK ? st : cssp_der_int64(&d, &tlv, out);
}

static cssp_status uint32_of(const uint8_t *data, size_t len, uint32_t *out)
{
    cssp_der d;
    cssp_der_tlv tlv;
    cssp_der_init(&d, data, len);
    cssp_status st = cssp_der_next(&d, &tlv);
    return st != CSSP_OK ? st : cssp_der_uint32_bits(&d, &tlv, out);
}

static void test_int64(void)
{
    const struct {
        uint8_t bytes[12];
        size_t len;
        int64_t value;
    } good[] = {
        {{0x02, 0x01, 0x00}, 3, 0},
        {{0x02, 0x01, 0x06}, 3, 6},
        {{0x02, 0x01, 0x7f}, 3, 127},
        {{0x02, 0x01, 0x80}, 3, -128},
        {{0x02, 0x01, 0xff}, 3, -1},
        {{0x02, 0x02, 0x00, 0x80}, 4, 128},
        {{0x02, 0x02, 0x00, 0x06}, 4, 6}, /* non-minimal, accepted */
        {{0x02, 0x04, 0xc0, 0x00, 0x00, 0x6d}, 6, -1073741715},
        {{0x02, 0x08, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 10, INT64_MAX},
        {{0x02, 0x08, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, 10, INT64_MIN},
        {{0x0a, 0x01, 0x01}, 3, 1}, /* ENUMERATED (SPNEGO negState) */
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int64_t v = 12345;
        CHECK_EQ_U(int64_of(good[i].bytes, good[i].len, &v), CSSP_OK);
        CHECK(v == good[i].value);
    }

    int64_t v = 12345;
    const uint8_t empty[] = {0x02, 0x00};
    const uint8_t nine_bytes[] = {0x02, 0x09, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0};
    const uint8_t octet_string[] = {0x04, 0x01, 0x06};
    const uint8_t constructed[] = {0x22, 0x03, 0x02, 0x01, 0x06};
    const uint8_t context[] = {0x80, 0x01, 0x06};
    CHECK_EQ_U(int64_of(empty, sizeof empty, &v), CSSP_ERR_BAD_ENCODING);
    CHECK(v == 0);
    CHECK_EQ_U(int64_of(nine_bytes, sizeof nine_bytes, &v), CSSP_ERR_INTEGER_RANGE);
    CHECK_EQ_U(int64_of(octet_string, sizeof octet_string, &v), CSSP_ERR_UNEXPECTED_TAG);
    CHECK_EQ_U(int64_of(constructed, sizeof constructed, &v), CSSP_ERR_UNEXPECTED_TAG);
    CHECK_EQ_U(int64_of(context, sizeof context, &v), CSSP_ERR_UNEXPECTED_TAG);
}

static void test_uint32_bits(void)
{
    const struct {
        uint8_t bytes[8];
        size_t len;
        uint32_t value;
    } good[] = {
        {{0x02, 0x04, 0xc0, 0x00, 0x00, 0x6d}, 6, 0xC000006Du},       /* STATUS_LOGON_FAILURE, signed */
        {{0x02, 0x05, 0x00, 0xc0, 0x00, 0x00, 0x6d}, 7, 0xC000006Du}, /* the positive 5-byte form */
        {{0x02, 0x05, 0xff, 0xc0, 0x00, 0x00, 0x6d}, 7, 0xC000006Du}, /* non-minimal negative */
        {{0x02, 0x04, 0x80, 0x00, 0x00, 0x00}, 6, 0x80000000u},
        {{0x02, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff}, 7, 0xFFFFFFFFu},
        {{0x02, 0x01, 0xff}, 3, 0xFFFFFFFFu},
        {{0x02, 0x01, 0x06}, 3, 6},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        uint32_t v = 12345;
        CHECK_EQ_U(uint32_of(good[i].bytes, good[i].len, &v), CSSP_OK);
        CHECK_EQ_U(v, good[i].value);
    }
    uint32_t v = 12345;
    const uint8_t too_big[] = {0x02, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00};
    const uint8_t too_small[] = {0x02, 0x05, 0xff, 0x7f, 0xff, 0xff, 0xff};
    const uint8_t empty[] = {0x02, 0x00};
    CHECK_EQ_U(uint32_of(too_big, sizeof too_big, &v), CSSP_ERR_INTEGER_RANGE);
    CHECK_EQ_U(v, 0);
    CHECK_EQ_U(uint32_of(too_small, sizeof too_small, &v), CSSP_ERR_INTEGER_RANGE);
    CHECK_EQ_U(uint32_of(empty, sizeof empty, &v), CSSP_ERR_BAD_ENCODING);
}

/* A recursive walk over every element, the kind of caller the depth limit protects. */
static cssp_status walk(cssp_der *d, size_t *offsets, size_t max, size_t *count)
{
    while (!cssp_der_at_end(d)) {
        cssp_der_tlv tlv;
        cssp_status st = cssp_der_next(d, &tlv);
        if (st != CSSP_OK)
            return st;
        if (*count < max)
            offsets[*count] = tlv.offset;
        (*count)++;
        if (tlv.constructed) {
            cssp_der child;
            st = cssp_der_enter(d, &tlv, &child);
            if (st == CSSP_OK)
                st = walk(&child, offsets, max, count);
            if (st != CSSP_OK)
                return st;
        }
    }
    return CSSP_OK;
}

static cssp_status walk_all(const uint8_t *data, size_t len, size_t *offsets, size_t max, size_t *count)
{
    cssp_der d;
    cssp_der_init(&d, data, len);
    *count = 0;
    return walk(&d, offsets, max, count);
}

/* `levels` SEQUENCEs, one inside the other, around a NULL; returns the encoded length. */
static size_t nested_sequences(uint8_t *buf, size_t size, unsigned levels)
{
    size_t start = size - 2;
    buf[start] = 0x05;
    buf[start + 1] = 0x00;
    for (unsigned i = 0; i < levels; i++) {
        size_t inner = size - start;
        if (inner < 0x80) {
            start -= 2;
            buf[start + 1] = (uint8_t)inner;
        } else {
            start -= 4;
            buf[start + 1] = 0x82;
            buf[start + 2] = (uint8_t)(inner >> 8);
            buf[start + 3] = (uint8_t)inner;
        }
        buf[start] = 0x30;
    }
    memmove(buf, buf + start, size - start);
    return size - start;
}

static void test_nesting_depth(void)
{
    static uint8_t buf[8192];
    size_t offsets[4], count;

    size_t len = nested_sequences(buf, sizeof buf, CSSP_DER_MAX_DEPTH);
    CHECK_EQ_U(walk_all(buf, len, offsets, 4, &count), CSSP_OK);
    CHECK_EQ_U(count, CSSP_DER_MAX_DEPTH + 1);

    len = nested_sequences(buf, sizeof buf, CSSP_DER_MAX_DEPTH + 1);
    CHECK_EQ_U(walk_all(buf, len, offsets, 4, &count), CSSP_ERR_TOO_DEEP);
    CHECK_EQ_U(count, CSSP_DER_MAX_DEPTH + 1); /* stopped at the limit, never went further */

    len = nested_sequences(buf, sizeof buf, 1000);
    CHECK_EQ_U(walk_all(buf, len, offsets, 4, &count), CSSP_ERR_TOO_DEEP);
    CHECK_EQ_U(count, CSSP_DER_MAX_DEPTH + 1);
}

static void test_enter_and_bounds(void)
{
    /* SEQUENCE { INTEGER 5 } INTEGER 7: inside the SEQUENCE the sibling is invisible */
    const uint8_t buf[] = {0x30, 0x03, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07};
    cssp_der top, child, grandchild;
    cssp_der_tlv seq, tlv;
    int64_t v;
    cssp_der_init(&top, buf, sizeof buf);
    CHECK_EQ_U(cssp_der_peek(&top, &seq), CSSP_OK);
    CHECK_EQ_U(top.r.pos, 0); /* peek does not advance */
    CHECK_EQ_U(cssp_der_next(&top, &seq), CSSP_OK);
    CHECK_EQ_U(cssp_der_enter(&top, &seq, &child), CSSP_OK);
    CHECK_EQ_U(child.depth, 1);
    CHECK_EQ_U(cssp_der_next(&child, &tlv), CSSP_OK);
    CHECK_EQ_U(tlv.offset, 2); /* offsets stay relative to the whole buffer */
    CHECK_EQ_U(cssp_der_int64(&child, &tlv, &v), CSSP_OK);
    CHECK(v == 5);
    CHECK(cssp_der_at_end(&child));
    CHECK_EQ_U(cssp_der_next(&child, &tlv), CSSP_ERR_LENGTH_PAST_END);
    CHECK_EQ_U(cssp_der_next(&top, &tlv), CSSP_OK);
    CHECK_EQ_U(cssp_der_int64(&top, &tlv, &v), CSSP_OK);
    CHECK(v == 7);
    CHECK(cssp_der_at_end(&top));

    /* an element claimed to lie outside the parent's window is refused, not read */
    cssp_der_init(&top, buf, 5);
    cssp_der_tlv outside = {.offset = 5, .header_len = 2, .value_offset = 7, .value_len = 1};
    CHECK_EQ_U(cssp_der_enter(&top, &outside, &grandchild), CSSP_ERR_LENGTH_PAST_END);
    CHECK(cssp_der_value(&top, &outside) == NULL);
    cssp_der_tlv straddling = {.tag_number = CSSP_DER_TAG_INTEGER, .value_offset = 4, .value_len = 2};
    CHECK_EQ_U(cssp_der_int64(&top, &straddling, &v), CSSP_ERR_LENGTH_PAST_END);
    cssp_der_tlv inside = {.value_offset = 2, .value_len = 3};
    CHECK(cssp_der_value(&top, &inside) == buf + 2);
}

static void test_expect(void)
{
    /* [0] { INTEGER 6 } followed by a primitive [1] and a primitive SEQUENCE tag */
    const uint8_t buf[] = {0xa0, 0x03, 0x02, 0x01, 0x06, 0x81, 0x00, 0x10, 0x00};
    cssp_der d, child;
    cssp_der_tlv tlv;
    cssp_der_init(&d, buf, sizeof buf);
    CHECK_EQ_U(cssp_der_expect(&d, CSSP_DER_CLASS_CONTEXT, 1, &tlv, &child), CSSP_ERR_UNEXPECTED_TAG);
    CHECK_EQ_U(d.r.pos, 0); /* a mismatch leaves the cursor where it was */
    CHECK_EQ_U(cssp_der_expect(&d, CSSP_DER_CLASS_CONTEXT, 0, &tlv, &child), CSSP_OK);
    CHECK_EQ_U(child.depth, 1);
    CHECK_EQ_U(cssp_der_expect(&child, CSSP_DER_CLASS_UNIVERSAL, CSSP_DER_TAG_INTEGER, &tlv, NULL), CSSP_OK);
    CHECK_EQ_U(tlv.value_offset, 4);
    CHECK_EQ_U(cssp_der_expect(&d, CSSP_DER_CLASS_CONTEXT, 1, &tlv, &child), CSSP_ERR_UNEXPECTED_TAG);
    CHECK_EQ_U(cssp_der_next(&d, &tlv), CSSP_OK);
    CHECK_EQ_U(cssp_der_expect(&d, CSSP_DER_CLASS_UNIVERSAL, CSSP_DER_TAG_SEQUENCE, &tlv, &child),
               CSSP_ERR_UNEXPECTED_TAG);
}

static void test_element_size(void)
{
    const uint8_t *v = tsreq_v6_client_authenticate;
    size_t total = 1;
    CHECK_EQ_U(cssp_der_element_size(v, 0, &total), CSSP_ERR_TRUNCATED);
    CHECK_EQ_U(total, 0);
    for (size_t k = 1; k < 4; k++)
        CHECK_EQ_U(cssp_der_element_size(v, k, &total), CSSP_ERR_TRUNCATED);
    for (size_t k = 4; k <= sizeof tsreq_v6_client_authenticate; k += 61) {
        CHECK_EQ_U(cssp_der_element_size(v, k, &total), CSSP_OK);
        CHECK_EQ_U(total, sizeof tsreq_v6_client_authenticate);
    }
    const uint8_t indefinite[] = {0x30, 0x80};
    const uint8_t huge[] = {0x30, 0x84, 0xff, 0xff, 0xff, 0xff};
    const uint8_t five_byte[] = {0x30, 0x85};
    CHECK_EQ_U(cssp_der_element_size(indefinite, sizeof indefinite, &total), CSSP_ERR_INDEFINITE_LENGTH);
    CHECK_EQ_U(cssp_der_element_size(five_byte, sizeof five_byte, &total), CSSP_ERR_LENGTH_TOO_LONG);
    if (SIZE_MAX > UINT32_MAX) {
        CHECK_EQ_U(cssp_der_element_size(huge, sizeof huge, &total), CSSP_OK);
        CHECK_EQ_U(total, (uint64_t)UINT32_MAX + 6);
    }
    cssp_der_tlv tlv;
    CHECK_EQ_U(cssp_der_read_header(v, 6, &tlv), CSSP_OK);
    CHECK_EQ_U(tlv.header_len, 4);
    CHECK_EQ_U(tlv.value_len, 683);
}

/* Element offsets of the real client AUTHENTICATE as `openssl asn1parse -i` lists them. */
static void test_walk_real_tsrequest(void)
{
    static const size_t expected[] = {0, 4, 6, 9, 13, 17, 21, 25, 599, 601, 651, 653};
    size_t offsets[16], count;
    CHECK_EQ_U(walk_all(tsreq_v6_client_authenticate, sizeof tsreq_v6_client_authenticate, offsets, 16, &count),
               CSSP_OK);
    CHECK_EQ_U(count, sizeof expected / sizeof expected[0]);
    for (size_t i = 0; i < count && i < 16; i++)
        CHECK_EQ_U(offsets[i], expected[i]);

    /* every non-empty strict prefix is truncated (the outer SEQUENCE promises 687 bytes) */
    unsigned wrong = 0;
    for (size_t k = 1; k < sizeof tsreq_v6_client_authenticate; k++) {
        uint8_t *copy = exact_copy(tsreq_v6_client_authenticate, k);
        if (walk_all(copy, k, offsets, 16, &count) != CSSP_ERR_TRUNCATED)
            wrong++;
        free(copy);
    }
    CHECK_EQ_U(wrong, 0);
}

int main(void)
{
    test_short_and_long_lengths();
    test_length_errors();
    test_tags();
    test_int64();
    test_uint32_bits();
    test_nesting_depth();
    test_enter_and_bounds();
    test_expect();
    test_element_size();
    test_walk_real_tsrequest();
    return check_summary("der");
}
