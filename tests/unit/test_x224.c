/*
 * test_x224.c - the TPKT / X.224 / RDP negotiation reader on real PDUs (vectors_x224.h) and on hand-built
 * malformed ones: truncation at every byte, inconsistent TPKT and X.224 lengths, bad negotiation structures.
 * Inputs are copied to exact-size heap buffers so that ASan sees any read past them.
 */
#include <stdlib.h>

#include "check.h"
#include "cssp/facts_text.h"
#include "cssp/x224.h"
#include "vectors_x224.h"

#define TPKT_HEADER_LEN 4
#define CR_CC_HEADER_LEN 7 /* LI, code, DST-REF, SRC-REF, class */

static cssp_status decode_copy(const uint8_t *data, size_t len, cssp_x224 *out)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        abort();
    memcpy(copy, data, len);
    cssp_status st = cssp_x224_decode(copy, len, out);
    free(copy);
    return st;
}

/* TPKT + CR/CC header with the LI covering `variable`, as RDP peers build them. Returns the PDU length. */
static size_t build_pdu(uint8_t *out, uint8_t code, const void *variable, size_t n)
{
    size_t total = TPKT_HEADER_LEN + CR_CC_HEADER_LEN + n;
    const uint8_t header[] = {0x03, 0x00, (uint8_t)(total >> 8), (uint8_t)total,
                              (uint8_t)(CR_CC_HEADER_LEN - 1 + n), code, 0, 0, 0, 0, 0};
    memcpy(out, header, sizeof header);
    memcpy(out + sizeof header, variable, n);
    return total;
}

typedef struct expected_pdu {
    const char *what;
    const uint8_t *data;
    size_t len;
    cssp_x224_kind kind;
    size_t tpkt_length;
    cssp_x224_token_kind token_kind;
    const char *cookie;
    bool has_neg;
    uint8_t neg_type, neg_flags;
    uint32_t neg_value;
} expected_pdu;

#define VEC(v) #v, v, sizeof v
static const expected_pdu real_pdus[] = {
    {VEC(x224_cr_cookie_ssl), CSSP_X224_CONNECTION_REQUEST, 47, CSSP_X224_COOKIE, "FTBCO\\A70", true,
     CSSP_NEG_TYPE_REQ, 0, CSSP_PROTO_SSL},
    {VEC(x224_cc_failure_ssl_not_allowed), CSSP_X224_CONNECTION_CONFIRM, 19, CSSP_X224_NO_TOKEN, "", true,
     CSSP_NEG_TYPE_FAILURE, 0, 2},
    {VEC(x224_cr_cookie_rdp), CSSP_X224_CONNECTION_REQUEST, 47, CSSP_X224_COOKIE, "FTBCO\\A70", true,
     CSSP_NEG_TYPE_REQ, 0, CSSP_PROTO_RDP},
    {VEC(x224_cc_rsp_rdp), CSSP_X224_CONNECTION_CONFIRM, 19, CSSP_X224_NO_TOKEN, "", true, CSSP_NEG_TYPE_RSP, 0,
     CSSP_PROTO_RDP},
    {VEC(x224_cr_devel_ssl), CSSP_X224_CONNECTION_REQUEST, 43, CSSP_X224_COOKIE, "devel", true, CSSP_NEG_TYPE_REQ,
     0, CSSP_PROTO_SSL},
    {VEC(x224_cc_failure_hybrid_required), CSSP_X224_CONNECTION_CONFIRM, 19, CSSP_X224_NO_TOKEN, "", true,
     CSSP_NEG_TYPE_FAILURE, 0, 5},
    {VEC(x224_cr_devel_hybrid_ex), CSSP_X224_CONNECTION_REQUEST, 43, CSSP_X224_COOKIE, "devel", true,
     CSSP_NEG_TYPE_REQ, 0, CSSP_PROTO_SSL | CSSP_PROTO_HYBRID_EX},
    {VEC(x224_cc_rsp_hybrid_ex), CSSP_X224_CONNECTION_CONFIRM, 19, CSSP_X224_NO_TOKEN, "", true, CSSP_NEG_TYPE_RSP,
     0x2f, CSSP_PROTO_HYBRID_EX},
    {VEC(x224_cr_wdeployad), CSSP_X224_CONNECTION_REQUEST, 47, CSSP_X224_COOKIE, "WDeployAd", true,
     CSSP_NEG_TYPE_REQ, 0, CSSP_PROTO_SSL | CSSP_PROTO_HYBRID},
    {VEC(x224_cc_rsp_hybrid), CSSP_X224_CONNECTION_CONFIRM, 19, CSSP_X224_NO_TOKEN, "", true, CSSP_NEG_TYPE_RSP,
     0x1f, CSSP_PROTO_HYBRID},
    {VEC(x224_cr_legacy), CSSP_X224_CONNECTION_REQUEST, 36, CSSP_X224_COOKIE, "A70067", false, 0, 0, 0},
    {VEC(x224_cc_legacy), CSSP_X224_CONNECTION_CONFIRM, 11, CSSP_X224_NO_TOKEN, "", false, 0, 0, 0},
    {VEC(x224_cr_no_cookie), CSSP_X224_CONNECTION_REQUEST, 19, CSSP_X224_NO_TOKEN, "", true, CSSP_NEG_TYPE_REQ, 0,
     CSSP_PROTO_SSL | CSSP_PROTO_HYBRID | CSSP_PROTO_HYBRID_EX},
};
#define REAL_PDU_COUNT (sizeof real_pdus / sizeof real_pdus[0])

static void check_pdu(const expected_pdu *e, const cssp_x224 *x)
{
    CHECK_EQ_U(x->kind, e->kind);
    CHECK_EQ_U(x->tpkt_length, e->tpkt_length);
    CHECK_EQ_U(x->x224_code, e->kind == CSSP_X224_CONNECTION_REQUEST ? 0xe0 : 0xd0);
    CHECK_EQ_U(x->token_kind, e->token_kind);
    CHECK_EQ_STR(x->cookie, e->cookie);
    CHECK_EQ_U(x->has_neg, e->has_neg);
    CHECK_EQ_U(x->neg_type, e->neg_type);
    CHECK_EQ_U(x->neg_flags, e->neg_flags);
    CHECK_EQ_U(x->neg_value, e->neg_value);
    CHECK(!x->has_correlation_info);
}

static void test_real_pdus(void)
{
    for (size_t i = 0; i < REAL_PDU_COUNT; i++) {
        const expected_pdu *e = &real_pdus[i];
        cssp_x224 x;
        cssp_status st = decode_copy(e->data, e->len, &x);
        if (st != CSSP_OK)
            fprintf(stderr, "%s: %s\n", e->what, cssp_status_string(st));
        CHECK_EQ_U(st, CSSP_OK);
        check_pdu(e, &x);
        size_t pdu_len = 0;
        CHECK_EQ_U(cssp_tpkt_size(e->data, e->len, &pdu_len), CSSP_OK);
        CHECK_EQ_U(pdu_len, e->len);
    }
}

/* Bytes after the TPKT length belong to the next PDU and are not looked at. */
static void test_bytes_after_the_pdu(void)
{
    uint8_t buf[sizeof x224_cr_devel_hybrid_ex + 5];
    cssp_x224 x;
    memcpy(buf, x224_cr_devel_hybrid_ex, sizeof x224_cr_devel_hybrid_ex);
    memset(buf + sizeof x224_cr_devel_hybrid_ex, 0xff, 5);
    CHECK_EQ_U(decode_copy(buf, sizeof buf, &x), CSSP_OK);
    CHECK_EQ_U(x.tpkt_length, sizeof x224_cr_devel_hybrid_ex);
    CHECK_EQ_U(x.neg_value, CSSP_PROTO_SSL | CSSP_PROTO_HYBRID_EX);
}

/* zeek's rdp-invalid-length.pcap: the RDP_NEG_RSP says length 0. */
static void test_real_invalid_neg_length(void)
{
    cssp_x224 x;
    CHECK_EQ_U(decode_copy(x224_cc_invalid_neg_length, sizeof x224_cc_invalid_neg_length, &x),
               CSSP_ERR_BAD_ENCODING);
    CHECK_EQ_U(x.kind, CSSP_X224_CONNECTION_CONFIRM);
    CHECK_EQ_U(x.tpkt_length, 19);
    CHECK(!x.has_neg);
    CHECK_EQ_U(x.neg_value, 0);
}

/* A PDU cut anywhere is incomplete: the caller must wait for the rest. */
static void test_truncation_at_every_byte(void)
{
    for (size_t i = 0; i < REAL_PDU_COUNT; i++) {
        const expected_pdu *e = &real_pdus[i];
        for (size_t n = 0; n < e->len; n++) {
            cssp_x224 x;
            size_t pdu_len = 99;
            CHECK_EQ_U(decode_copy(e->data, n, &x), CSSP_ERR_TRUNCATED);
            cssp_status st = cssp_tpkt_size(e->data, n, &pdu_len);
            CHECK_EQ_U(st, n < TPKT_HEADER_LEN ? CSSP_ERR_TRUNCATED : CSSP_OK);
            CHECK_EQ_U(pdu_len, n < TPKT_HEADER_LEN ? 0 : e->len);
        }
    }
}

/*
 * The variable part cut at every byte with TPKT length and LI adjusted to match: a cut right after the
 * cookie's CRLF is a correct legacy request, anything else inside a structure is malformed.
 */
static void test_structures_cut_inside_a_consistent_pdu(void)
{
    for (size_t i = 0; i < REAL_PDU_COUNT; i++) {
        const expected_pdu *e = &real_pdus[i];
        size_t variable_len = e->len - TPKT_HEADER_LEN - CR_CC_HEADER_LEN;
        const uint8_t *variable = e->data + TPKT_HEADER_LEN + CR_CC_HEADER_LEN;
        for (size_t n = 0; n < variable_len; n++) {
            uint8_t buf[64];
            cssp_x224 x;
            size_t len = build_pdu(buf, e->data[TPKT_HEADER_LEN + 1], variable, n);
            cssp_status st = decode_copy(buf, len, &x);
            bool cut_after_token = e->has_neg && e->token_kind != CSSP_X224_NO_TOKEN && n == variable_len - 8;
            if (n == 0 || cut_after_token) {
                CHECK_EQ_U(st, CSSP_OK);
                CHECK(!x.has_neg);
                CHECK_EQ_STR(x.cookie, n == 0 ? "" : e->cookie);
            } else {
                CHECK_EQ_U(st, CSSP_ERR_BAD_ENCODING);
            }
        }
    }
}

static void test_tpkt_header(void)
{
    const uint8_t too_short[] = {0x03, 0x00, 0x00, 0x03, 0x02, 0xf0, 0x80};
    const uint8_t version_2[] = {0x02, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80};
    const uint8_t reserved_set[] = {0x03, 0x01, 0x00, 0x07, 0x02, 0xf0, 0x80};
    const uint8_t tls_record[] = {0x16, 0x03, 0x01, 0x00, 0x2f};
    size_t pdu_len;
    cssp_x224 x;
    CHECK_EQ_U(cssp_tpkt_size(too_short, sizeof too_short, &pdu_len), CSSP_ERR_BAD_ENCODING);
    CHECK_EQ_U(decode_copy(too_short, sizeof too_short, &x), CSSP_ERR_BAD_ENCODING);
    CHECK_EQ_U(cssp_tpkt_size(version_2, sizeof version_2, &pdu_len), CSSP_ERR_NOT_RECOGNISED);
    CHECK_EQ_U(cssp_tpkt_size(reserved_set, sizeof reserved_set, &pdu_len), CSSP_ERR_NOT_RECOGNISED);
    CHECK_EQ_U(decode_copy(tls_record, sizeof tls_record, &x), CSSP_ERR_NOT_RECOGNISED);
    CHECK_EQ_U(cssp_tpkt_size(NULL, 0, &pdu_len), CSSP_ERR_TRUNCATED);
}

static void test_length_indicator(void)
{
    uint8_t buf[sizeof x224_cc_rsp_hybrid_ex];
    cssp_x224 x;
    const size_t li_at = TPKT_HEADER_LEN;
    memcpy(buf, x224_cc_rsp_hybrid_ex, sizeof buf);
    buf[li_at] = 0x0f; /* one more than the TPKT holds */
    CHECK_EQ_U(decode_copy(buf, sizeof buf, &x), CSSP_ERR_LENGTH_PAST_END);
    buf[li_at] = 0xff;
    CHECK_EQ_U(decode_copy(buf, sizeof buf, &x), CSSP_ERR_LENGTH_PAST_END);
    buf[li_at] = 0x0d; /* leaves a byte of the TPKT outside the X.224 header */
    CHECK_EQ_U(decode_copy(buf, sizeof buf, &x), CSSP_ERR_BAD_ENCODING);
    buf[li_at] = 0x06; /* a complete legacy header, the RDP_NEG_RSP left outside it */
    CHECK_EQ_U(decode_copy(buf, sizeof buf, &x), CSSP_ERR_BAD_ENCODING);
    CHECK(!x.has_neg);
    buf[li_at] = 0x00;
    CHECK_EQ_U(decode_copy(buf, sizeof buf, &x), CSSP_ERR_BAD_ENCODING);

    /* LI 5 with a matching TPKT length: shorter than the fixed CR header */
    const uint8_t short_cr[] = {0x03, 0x00, 0x00, 0x0a, 0x05, 0xe0, 0x00, 0x00, 0x00, 0x00};
    CHECK_EQ_U(decode_copy(short_cr, sizeof short_cr, &x), CSSP_ERR_BAD_ENCODING);
    CHECK_EQ_U(x.kind, CSSP_X224_CONNECTION_REQUEST);
}

static void test_negotiation_structure_lengths(void)
{
    uint8_t buf[64];
    cssp_x224 x;
    const uint8_t rsp_len_9[] = {0x02, 0x00, 0x09, 0x00, 0x08, 0x00, 0x00, 0x00};
    const uint8_t rsp_len_7[] = {0x02, 0x00, 0x07, 0x00, 0x08, 0x00, 0x00, 0x00};
    const uint8_t rsp_long[] = {0x02, 0x00, 0x08, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00};
    const uint8_t req_in_cc[] = {0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00};
    const uint8_t rsp_in_cr[] = {0x02, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00};
    const uint8_t unknown_failure[] = {0x03, 0x00, 0x08, 0x00, 0x07, 0x00, 0x00, 0x00};
    const uint8_t req_rdsaad[] = {0x01, 0x00, 0x08, 0x00, 0x1b, 0x00, 0x00, 0x00};
    CHECK_EQ_U(decode_copy(buf, build_pdu(buf, 0xd0, rsp_len_9, sizeof rsp_len_9), &x), CSSP_ERR_BAD_ENCODING);
    CHECK_EQ_U(decode_copy(buf, build_pdu(buf, 0xd0, rsp_len_7, sizeof rsp_len_7), &x), CSSP_ERR_BAD_ENCODING);
    CHECK_EQ_U(decode_copy(buf, build_pdu(buf, 0xd0, rsp_long, sizeof rsp_long), &x), CSSP_ERR_BAD_ENCODING);
    CHECK_EQ_U(decode_copy(buf, build_pdu(buf, 0xd0, req_in_cc, sizeof req_in_cc), &x), CSSP_ERR_BAD_ENCODING);
    CHECK(!x.has_neg);
    CHECK_EQ_U(x.neg_type, 0); /* nothing of a rejected structure is reported */
    /* in a CR anything but 0x01 starts a token, which here has no CRLF */
    CHECK_EQ_U(decode_copy(buf, build_pdu(buf, 0xe0, rsp_in_cr, sizeof rsp_in_cr), &x), CSSP_ERR_BAD_ENCODING);

    CHECK_EQ_U(decode_copy(buf, build_pdu(buf, 0xd0, unknown_failure, sizeof unknown_failure), &x), CSSP_OK);
    CHECK(x.has_neg);
    CHECK_EQ_U(x.neg_type, CSSP_NEG_TYPE_FAILURE);
    CHECK_EQ_U(x.neg_value, 7); /* kept as a number */

    CHECK_EQ_U(decode_copy(buf, build_pdu(buf, 0xe0, req_rdsaad, sizeof req_rdsaad), &x), CSSP_OK);
    CHECK_EQ_U(x.neg_value, CSSP_PROTO_SSL | CSSP_PROTO_HYBRID | CSSP_PROTO_HYBRID_EX | CSSP_PROTO_RDSAAD);
    CHECK_EQ_U(x.token_kind, CSSP_X224_NO_TOKEN);
}

/* No capture in the corpus has a routing token, so this one follows [MS-RDPBCGR] 2.2.1.1 and 3.1.5.1.1. */
static void test_routing_token(void)
{
    static const char token[] = "Cookie: msts=3640205228.15629.0000\r\n\x01\x00\x08\x00\x03\x00\x00\x00";
    uint8_t buf[96];
    cssp_x224 x;
    CHECK_EQ_U(decode_copy(buf, build_pdu(buf, 0xe0, token, sizeof token - 1), &x), CSSP_OK);
    CHECK_EQ_U(x.token_kind, CSSP_X224_ROUTING_TOKEN);
    CHECK_EQ_STR(x.cookie, "Cookie: msts=3640205228.15629.0000");
    CHECK(x.has_neg);
    CHECK_EQ_U(x.neg_value, CSSP_PROTO_SSL | CSSP_PROTO_HYBRID);

    static const char no_crlf[] = "Cookie: msts=3640205228.15629.0000\r";
    CHECK_EQ_U(decode_copy(buf, build_pdu(buf, 0xe0, no_crlf, sizeof no_crlf - 1), &x), CSSP_ERR_BAD_ENCODING);
}

static void test_cookie_sanitised_and_cut(void)
{
    static const char odd[] = "Cookie: mstshash=a\x01" "b\xff" "c\x7f\r\n";
    uint8_t buf[300];
    char text[256];
    cssp_x224 x;
    CHECK_EQ_U(decode_copy(buf, build_pdu(buf, 0xe0, odd, sizeof odd - 1), &x), CSSP_OK);
    CHECK_EQ_STR(x.cookie, "a?b?c?");

    memcpy(text, "Cookie: mstshash=", 17);
    memset(text + 17, 'A', 200);
    memcpy(text + 217, "\r\n", 2);
    CHECK_EQ_U(decode_copy(buf, build_pdu(buf, 0xe0, text, 219), &x), CSSP_OK);
    CHECK_EQ_U(x.token_kind, CSSP_X224_COOKIE);
    CHECK_EQ_U(strlen(x.cookie), CSSP_X224_COOKIE_MAX - 1);
    CHECK(x.cookie[0] == 'A' && x.cookie[CSSP_X224_COOKIE_MAX - 2] == 'A');
}

static void test_correlation_info(void)
{
    uint8_t variable[8 + 36] = {0x01, 0x08, 0x08, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x06, 0x00, 0x24, 0x00};
    uint8_t buf[96];
    cssp_x224 x;
    memset(variable + 12, 0x5a, 16); /* correlationId; reserved stays zero */
    CHECK_EQ_U(decode_copy(buf, build_pdu(buf, 0xe0, variable, sizeof variable), &x), CSSP_OK);
    CHECK(x.has_correlation_info);
    CHECK_EQ_U(x.neg_flags, 0x08);
    CHECK_EQ_U(x.neg_value, 0x0b);
    for (size_t i = 0; i < CSSP_CORRELATION_ID_LEN; i++)
        CHECK_EQ_U(x.correlation_id[i], 0x5a);
    /* the id as a GUID: Data1..Data3 little-endian, then the 8 bytes in order */
    for (size_t i = 0; i < CSSP_CORRELATION_ID_LEN; i++)
        variable[12 + i] = (uint8_t)i;
    CHECK_EQ_U(decode_copy(buf, build_pdu(buf, 0xe0, variable, sizeof variable), &x), CSSP_OK);
    char guid[37];
    cssp_format_correlation_id(x.correlation_id, guid);
    CHECK_EQ_STR(guid, "03020100-0504-0706-0809-0a0b0c0d0e0f");

    variable[10] = 0x23; /* correlation info length != 36 */
    CHECK_EQ_U(decode_copy(buf, build_pdu(buf, 0xe0, variable, sizeof variable), &x), CSSP_ERR_BAD_ENCODING);
    variable[10] = 0x24;
    variable[8] = 0x07; /* wrong type */
    CHECK_EQ_U(decode_copy(buf, build_pdu(buf, 0xe0, variable, sizeof variable), &x), CSSP_ERR_BAD_ENCODING);
    /* flag set, structure missing */
    CHECK_EQ_U(decode_copy(buf, build_pdu(buf, 0xe0, variable, 8), &x), CSSP_ERR_BAD_ENCODING);
    /* structure present, flag clear: bytes nobody announced */
    variable[8] = 0x06;
    variable[1] = 0x00;
    CHECK_EQ_U(decode_copy(buf, build_pdu(buf, 0xe0, variable, sizeof variable), &x), CSSP_ERR_BAD_ENCODING);
}

static void test_other_tpdus(void)
{
    const uint8_t data_tpdu[] = {0x03, 0x00, 0x00, 0x0a, 0x02, 0xf0, 0x80, 0x7f, 0x65, 0x00};
    const uint8_t bad_data_tpdu[] = {0x03, 0x00, 0x00, 0x07, 0x01, 0xf0, 0x80};
    const uint8_t disconnect[] = {0x03, 0x00, 0x00, 0x0b, 0x06, 0x80, 0x00, 0x00, 0x12, 0x34, 0x00};
    cssp_x224 x;
    CHECK_EQ_U(decode_copy(data_tpdu, sizeof data_tpdu, &x), CSSP_OK);
    CHECK_EQ_U(x.kind, CSSP_X224_DATA);
    CHECK_EQ_U(x.x224_code, 0xf0);
    CHECK_EQ_U(x.tpkt_length, 10);
    CHECK_EQ_U(decode_copy(bad_data_tpdu, sizeof bad_data_tpdu, &x), CSSP_ERR_BAD_ENCODING);
    CHECK_EQ_U(decode_copy(disconnect, sizeof disconnect, &x), CSSP_OK);
    CHECK_EQ_U(x.kind, CSSP_X224_OTHER);
    CHECK_EQ_U(x.x224_code, 0x80);
}

static void test_early_auth_result(void)
{
    const uint8_t denied[] = {0x05, 0x00, 0x00, 0x00};
    const uint8_t five[] = {0x05, 0x00, 0x00, 0x00, 0x00};
    uint32_t result = 99;
    CHECK_EQ_U(cssp_early_auth_result_decode(early_auth_result_success, sizeof early_auth_result_success, &result),
               CSSP_OK);
    CHECK_EQ_U(result, CSSP_AUTHZ_SUCCESS);
    CHECK_EQ_U(cssp_early_auth_result_decode(denied, sizeof denied, &result), CSSP_OK);
    CHECK_EQ_U(result, CSSP_AUTHZ_ACCESS_DENIED);
    CHECK_EQ_U(cssp_early_auth_result_decode(denied, 3, &result), CSSP_ERR_TRUNCATED);
    CHECK_EQ_U(cssp_early_auth_result_decode(five, sizeof five, &result), CSSP_ERR_BAD_ENCODING);
}

int main(void)
{
    test_real_pdus();
    test_bytes_after_the_pdu();
    test_real_invalid_neg_length();
    test_truncation_at_every_byte();
    test_structures_cut_inside_a_consistent_pdu();
    test_tpkt_header();
    test_length_indicator();
    test_negotiation_structure_lengths();
    test_routing_token();
    test_cookie_sanitised_and_cut();
    test_correlation_info();
    test_other_tpdus();
    test_early_auth_result();
    return check_summary("x224");
}
