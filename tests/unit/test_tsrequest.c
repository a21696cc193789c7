/*
 * test_tsrequest.c - the TSRequest decoder and probe on real v6 TSRequests
 * (tests/unit/vectors_tsrequest.h), hand-built v2..v5 ones following [MS-CSSP]
 * 2.2.1, and hand-built malformed inputs (every truncation, bad and huge
 * lengths, wrong tags, bad integers, byte mutations).
 */
#include <stdlib.h>

#include "check.h"
#include "cssp/tsrequest.h"
#include "vectors_tsrequest.h"

#define VECTOR(name) {#name, name, sizeof name}

typedef struct vector {
    const char *name;
    const uint8_t *data;
    size_t len;
} vector;

static const vector real_vectors[] = {
    VECTOR(tsreq_v6_client_negotiate),   VECTOR(tsreq_v6_server_challenge),
    VECTOR(tsreq_v6_client_authenticate), VECTOR(tsreq_v6_server_pub_key_auth),
    VECTOR(tsreq_v6_client_auth_info),   VECTOR(tsreq_v6_spnego_negotiate),
    VECTOR(tsreq_v6_spnego_challenge),   VECTOR(tsreq_v6_spnego_authenticate),
    VECTOR(tsreq_v6_error_logon_failure),
};
#define REAL_VECTOR_COUNT (sizeof real_vectors / sizeof real_vectors[0])

/* --- hand-built TSRequests of versions 2..5 (layouts checked with `openssl asn1parse`) --- */

/* impacket rdp_check.py's form: version 2, negoTokens = a raw NTLM NEGOTIATE (no SPNEGO). */
static const uint8_t v2_negotiate[] = {
    0x30, 0x37,                                     /* TSRequest */
    0xa0, 0x03, 0x02, 0x01, 0x02,                   /* version [0] 2 */
    0xa1, 0x30, 0x30, 0x2e, 0x30, 0x2c, 0xa0, 0x2a, /* negoTokens [1] SEQUENCE OF SEQUENCE { [0] */
    0x04, 0x28,                                     /* OCTET STRING, 40 bytes: NTLM NEGOTIATE */
    0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00, 0x01, 0x00, 0x00, 0x00, 0xb7, 0x82, 0x08, 0xe2,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x0a, 0x00, 0x61, 0x4a, 0x00, 0x00, 0x00, 0x0f,
};

/* A v3 server refusing: errorCode STATUS_NOT_SUPPORTED (0xC00000BB) as a negative INTEGER. */
static const uint8_t v3_error_not_supported[] = {
    0x30, 0x0d, 0xa0, 0x03, 0x02, 0x01, 0x03, 0xa4, 0x06, 0x02, 0x04, 0xc0, 0x00, 0x00, 0xbb,
};

/* A v4 server's errorCode STATUS_LOGON_FAILURE in the positive 5-byte form (02 05 00 C0 00 00 6D). */
static const uint8_t v4_error_five_byte_form[] = {
    0x30, 0x0e, 0xa0, 0x03, 0x02, 0x01, 0x04, 0xa4, 0x07, 0x02, 0x05, 0x00, 0xc0, 0x00, 0x00, 0x6d,
};

/* A v5 client AUTHENTICATE: negoTokens (token cut to 16 bytes), pubKeyAuth (16 + 32), clientNonce (32). */
static const uint8_t v5_authenticate_nonce[] = {
    0x30, 0x77, 0xa0, 0x03, 0x02, 0x01, 0x05,
    0xa1, 0x18, 0x30, 0x16, 0x30, 0x14, 0xa0, 0x12, 0x04, 0x10, /* offset 7; token at 17 */
    0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00, 0x03, 0x00, 0x00, 0x00, 0x18, 0x00, 0x18, 0x00,
    0xa3, 0x32, 0x04, 0x30, /* offset 33: pubKeyAuth, value at 37 */
    0x01, 0x00, 0x00, 0x00, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b,
    0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f,
    0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
    0xa5, 0x22, 0x04, 0x20, /* offset 85: clientNonce, value at 89 */
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
    0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
};

static const vector hand_vectors[] = {
    VECTOR(v2_negotiate),
    VECTOR(v3_error_not_supported),
    VECTOR(v4_error_five_byte_form),
    VECTOR(v5_authenticate_nonce),
};
#define HAND_VECTOR_COUNT (sizeof hand_vectors / sizeof hand_vectors[0])

/* Copies `len` bytes into a heap block of exactly that size, so ASan sees any read past it. */
static uint8_t *exact_copy(const uint8_t *data, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (copy && len)
        memcpy(copy, data, len);
    return copy;
}

static void check_span(const cssp_span *s, size_t offset, size_t length, size_t value_offset, size_t value_length)
{
    CHECK(s->present);
    CHECK_EQ_U(s->offset, offset);
    CHECK_EQ_U(s->length, length);
    CHECK_EQ_U(s->value_offset, value_offset);
    CHECK_EQ_U(s->value_length, value_length);
}

static bool span_inside(const cssp_span *s, size_t total)
{
    return !s->present || (s->offset <= total && s->length <= total - s->offset && s->value_offset >= s->offset &&
                           s->value_length <= s->offset + s->length - s->value_offset);
}

/* Every kept span lies inside the TSRequest, which lies inside the buffer. */
static bool spans_consistent(const cssp_tsrequest *t, size_t len)
{
    bool ok = t->total_len <= len && span_inside(&t->version, t->total_len) &&
              span_inside(&t->nego_data, t->total_len) && span_inside(&t->auth_info, t->total_len) &&
              span_inside(&t->pub_key_auth, t->total_len) && span_inside(&t->error_code, t->total_len) &&
              span_inside(&t->client_nonce, t->total_len);
    for (unsigned i = 0; i < CSSP_TSREQ_MAX_NEGO_TOKENS; i++)
        ok = ok && span_inside(&t->nego_tokens[i], t->total_len) &&
             t->nego_tokens[i].present == (i < t->nego_token_count);
    for (unsigned i = 0; i < CSSP_TSREQ_MAX_UNKNOWN; i++)
        ok = ok && span_inside(&t->unknown[i], t->total_len) && t->unknown[i].present == (i < t->unknown_count);
    return ok;
}

static bool is_ntlm(const uint8_t *buf, const cssp_span *token, uint8_t type)
{
    static const uint8_t signature[8] = "NTLMSSP";
    return token->value_length >= 12 && memcmp(buf + token->value_offset, signature, 8) == 0 &&
           buf[token->value_offset + 8] == type;
}

/*
 * Field spans as `openssl asn1parse -i` lists the captured bytes: a span's offset
 * is the context tag's, its value the OCTET STRING / INTEGER contents inside.
 */
static void test_real_ntlm_exchange(void)
{
    cssp_tsrequest t;
    const uint8_t *v = tsreq_v6_client_negotiate;
    CHECK_EQ_U(cssp_tsrequest_decode(v, sizeof tsreq_v6_client_negotiate, &t), CSSP_OK);
    CHECK_EQ_U(t.total_len, 57);
    CHECK_EQ_U(t.version_value, 6);
    check_span(&t.version, 2, 5, 6, 1);
    check_span(&t.nego_data, 7, 50, 11, 46);
    CHECK_EQ_U(t.nego_token_count, 1);
    check_span(&t.nego_tokens[0], 13, 44, 17, 40);
    CHECK(is_ntlm(v, &t.nego_tokens[0], 1));
    CHECK(!t.auth_info.present && !t.pub_key_auth.present && !t.error_code.present && !t.client_nonce.present);
    CHECK_EQ_U(t.unknown_count, 0);
    CHECK_EQ_U(t.notes, 0);

    v = tsreq_v6_server_challenge;
    CHECK_EQ_U(cssp_tsrequest_decode(v, sizeof tsreq_v6_server_challenge, &t), CSSP_OK);
    CHECK_EQ_U(t.total_len, 211);
    check_span(&t.version, 3, 5, 7, 1);
    check_span(&t.nego_data, 8, 203, 14, 197);
    check_span(&t.nego_tokens[0], 17, 194, 23, 188);
    CHECK(is_ntlm(v, &t.nego_tokens[0], 2));
    CHECK_EQ_U(t.notes, 0);

    v = tsreq_v6_client_authenticate;
    CHECK_EQ_U(cssp_tsrequest_decode(v, sizeof tsreq_v6_client_authenticate, &t), CSSP_OK);
    CHECK_EQ_U(t.total_len, 687);
    CHECK_EQ_U(t.version_value, 6);
    check_span(&t.version, 4, 5, 8, 1);
    check_span(&t.nego_data, 9, 590, 17, 582);
    CHECK_EQ_U(t.nego_token_count, 1);
    check_span(&t.nego_tokens[0], 21, 578, 29, 570);
    CHECK(is_ntlm(v, &t.nego_tokens[0], 3));
    check_span(&t.pub_key_auth, 599, 52, 603, 48);
    check_span(&t.client_nonce, 651, 36, 655, 32);
    CHECK_EQ_U(v[655], 0x05); /* first nonce byte, 0545460A... */
    CHECK(!t.auth_info.present && !t.error_code.present);
    CHECK_EQ_U(t.notes, 0);

    CHECK_EQ_U(cssp_tsrequest_decode(tsreq_v6_server_pub_key_auth, sizeof tsreq_v6_server_pub_key_auth, &t),
               CSSP_OK);
    CHECK_EQ_U(t.total_len, 59);
    check_span(&t.pub_key_auth, 7, 52, 11, 48);
    CHECK(!t.nego_data.present);
    CHECK_EQ_U(t.nego_token_count, 0);
    CHECK_EQ_U(t.notes, 0);

    CHECK_EQ_U(cssp_tsrequest_decode(tsreq_v6_client_auth_info, sizeof tsreq_v6_client_auth_info, &t), CSSP_OK);
    CHECK_EQ_U(t.total_len, 92);
    check_span(&t.auth_info, 7, 85, 11, 81);
    CHECK(!t.pub_key_auth.present);
    CHECK_EQ_U(t.notes, 0);
}

static void test_real_spnego_and_error_code(void)
{
    cssp_tsrequest t;
    const uint8_t *v = tsreq_v6_spnego_negotiate;
    CHECK_EQ_U(cssp_tsrequest_decode(v, sizeof tsreq_v6_spnego_negotiate, &t), CSSP_OK);
    CHECK_EQ_U(t.total_len, 91);
    check_span(&t.nego_tokens[0], 13, 78, 17, 74);
    CHECK_EQ_U(v[17], 0x60); /* GSS-API InitialContextToken */

    v = tsreq_v6_spnego_challenge;
    CHECK_EQ_U(cssp_tsrequest_decode(v, sizeof tsreq_v6_spnego_challenge, &t), CSSP_OK);
    CHECK_EQ_U(t.total_len, 300);
    CHECK_EQ_U(t.nego_tokens[0].offset, 21);
    CHECK_EQ_U(v[t.nego_tokens[0].value_offset], 0xa1); /* NegTokenResp */

    v = tsreq_v6_spnego_authenticate;
    CHECK_EQ_U(cssp_tsrequest_decode(v, sizeof tsreq_v6_spnego_authenticate, &t), CSSP_OK);
    CHECK_EQ_U(t.total_len, 519);
    check_span(&t.pub_key_auth, 431, 52, 435, 48);
    check_span(&t.client_nonce, 483, 36, 487, 32);
    CHECK_EQ_U(t.notes, 0);

    v = tsreq_v6_error_logon_failure;
    CHECK_EQ_U(cssp_tsrequest_decode(v, sizeof tsreq_v6_error_logon_failure, &t), CSSP_OK);
    CHECK_EQ_U(t.total_len, 15);
    CHECK_EQ_U(t.version_value, 6);
    check_span(&t.error_code, 7, 8, 11, 4);
    CHECK_EQ_U(t.error_code_value, 0xC000006Du);
    CHECK_EQ_U(t.notes, 0);
}

static void test_hand_built_versions(void)
{
    cssp_tsrequest t;
    CHECK_EQ_U(cssp_tsrequest_decode(v2_negotiate, sizeof v2_negotiate, &t), CSSP_OK);
    CHECK_EQ_U(t.version_value, 2);
    CHECK_EQ_U(t.nego_token_count, 1);
    CHECK(is_ntlm(v2_negotiate, &t.nego_tokens[0], 1));
    CHECK_EQ_U(t.notes, 0);

    CHECK_EQ_U(cssp_tsrequest_decode(v3_error_not_supported, sizeof v3_error_not_supported, &t), CSSP_OK);
    CHECK_EQ_U(t.version_value, 3);
    CHECK_EQ_U(t.error_code_value, 0xC00000BBu);
    CHECK_EQ_U(t.notes, 0);

    CHECK_EQ_U(cssp_tsrequest_decode(v4_error_five_byte_form, sizeof v4_error_five_byte_form, &t), CSSP_OK);
    CHECK_EQ_U(t.version_value, 4);
    check_span(&t.error_code, 7, 9, 11, 5);
    CHECK_EQ_U(t.error_code_value, 0xC000006Du);
    CHECK_EQ_U(t.notes, 0);

    CHECK_EQ_U(cssp_tsrequest_decode(v5_authenticate_nonce, sizeof v5_authenticate_nonce, &t), CSSP_OK);
    CHECK_EQ_U(t.total_len, sizeof v5_authenticate_nonce);
    CHECK_EQ_U(t.version_value, 5);
    check_span(&t.nego_tokens[0], 13, 20, 17, 16);
    check_span(&t.pub_key_auth, 33, 52, 37, 48);
    check_span(&t.client_nonce, 85, 36, 89, 32);
    CHECK_EQ_U(t.notes, 0);

    /* nmap rdp-ntlm-info sends version 0x60 = 96: kept as sent */
    uint8_t nmap[sizeof v2_negotiate];
    memcpy(nmap, v2_negotiate, sizeof nmap);
    nmap[6] = 0x60;
    CHECK_EQ_U(cssp_tsrequest_decode(nmap, sizeof nmap, &t), CSSP_OK);
    CHECK_EQ_U(t.version_value, 96);
    CHECK_EQ_U(t.notes, 0);

    /* a version as large as uint32 allows, in the 5-byte form */
    const uint8_t v_max[] = {0x30, 0x09, 0xa0, 0x07, 0x02, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff};
    CHECK_EQ_U(cssp_tsrequest_decode(v_max, sizeof v_max, &t), CSSP_OK);
    CHECK_EQ_U(t.version_value, UINT32_MAX);
}

static void test_consistency_notes(void)
{
    cssp_tsrequest t;
    const uint8_t v2_error[] = {0x30, 0x0d, 0xa0, 0x03, 0x02, 0x01, 0x02,
                                0xa4, 0x06, 0x02, 0x04, 0xc0, 0x00, 0x00, 0x6d};
    CHECK_EQ_U(cssp_tsrequest_decode(v2_error, sizeof v2_error, &t), CSSP_OK);
    CHECK_EQ_U(t.notes, CSSP_TSREQ_NOTE_ERROR_CODE_IN_V2_OR_V5);

    uint8_t v5_error[sizeof v2_error];
    memcpy(v5_error, v2_error, sizeof v5_error);
    v5_error[6] = 5;
    CHECK_EQ_U(cssp_tsrequest_decode(v5_error, sizeof v5_error, &t), CSSP_OK);
    CHECK_EQ_U(t.notes, CSSP_TSREQ_NOTE_ERROR_CODE_IN_V2_OR_V5);
    v5_error[6] = 4;
    CHECK_EQ_U(cssp_tsrequest_decode(v5_error, sizeof v5_error, &t), CSSP_OK);
    CHECK_EQ_U(t.notes, 0);

    uint8_t v4_nonce[sizeof v5_authenticate_nonce];
    memcpy(v4_nonce, v5_authenticate_nonce, sizeof v4_nonce);
    v4_nonce[6] = 4;
    CHECK_EQ_U(cssp_tsrequest_decode(v4_nonce, sizeof v4_nonce, &t), CSSP_OK);
    CHECK_EQ_U(t.notes, CSSP_TSREQ_NOTE_NONCE_BEFORE_V5);

    /* v6 with a 16-byte clientNonce, and v3 with a 1-byte one */
    const uint8_t v6_short_nonce[] = {0x30, 0x19, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa5, 0x12, 0x04, 0x10,
                                      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    CHECK_EQ_U(cssp_tsrequest_decode(v6_short_nonce, sizeof v6_short_nonce, &t), CSSP_OK);
    CHECK_EQ_U(t.notes, CSSP_TSREQ_NOTE_NONCE_NOT_32);
    check_span(&t.client_nonce, 7, 20, 11, 16);
    const uint8_t v3_tiny_nonce[] = {0x30, 0x0a, 0xa0, 0x03, 0x02, 0x01, 0x03, 0xa5, 0x03, 0x04, 0x01, 0x00};
    CHECK_EQ_U(cssp_tsrequest_decode(v3_tiny_nonce, sizeof v3_tiny_nonce, &t), CSSP_OK);
    CHECK_EQ_U(t.notes, CSSP_TSREQ_NOTE_NONCE_BEFORE_V5 | CSSP_TSREQ_NOTE_NONCE_NOT_32);

    /* bytes after the outer SEQUENCE: decoded, total_len stays the SEQUENCE's, noted */
    uint8_t trailing[sizeof tsreq_v6_error_logon_failure + 3];
    memcpy(trailing, tsreq_v6_error_logon_failure, sizeof tsreq_v6_error_logon_failure);
    memcpy(trailing + sizeof tsreq_v6_error_logon_failure, "\x30\x00\x00", 3);
    CHECK_EQ_U(cssp_tsrequest_decode(trailing, sizeof trailing, &t), CSSP_OK);
    CHECK_EQ_U(t.total_len, sizeof tsreq_v6_error_logon_failure);
    CHECK_EQ_U(t.error_code_value, 0xC000006Du);
    CHECK_EQ_U(t.notes, CSSP_TSREQ_NOTE_TRAILING_BYTES);
}

static void test_unknown_elements(void)
{
    /* version 6, [6] INTEGER, NULL, [31] primitive, private [32], APPLICATION 1, then errorCode */
    const uint8_t buf[] = {
        0x30, 0x1d,
        0xa0, 0x03, 0x02, 0x01, 0x06,             /* 2 */
        0xa6, 0x03, 0x02, 0x01, 0x00,             /* 7: [6], a future field */
        0x05, 0x00,                               /* 12: NULL */
        0x9f, 0x1f, 0x01, 0xaa,                   /* 14: [31] primitive */
        0xdf, 0x20, 0x00,                         /* 18: PRIVATE 32 */
        0x61, 0x00,                               /* 21: APPLICATION 1 */
        0xa4, 0x06, 0x02, 0x04, 0xc0, 0x00, 0x00, 0x6d, /* 23: errorCode */
    };
    cssp_tsrequest t;
    CHECK_EQ_U(cssp_tsrequest_decode(buf, sizeof buf, &t), CSSP_OK);
    CHECK_EQ_U(t.version_value, 6);
    CHECK_EQ_U(t.error_code_value, 0xC000006Du);
    CHECK_EQ_U(t.unknown_count, 5);
    check_span(&t.unknown[0], 7, 5, 9, 3);
    check_span(&t.unknown[1], 12, 2, 14, 0);
    check_span(&t.unknown[2], 14, 4, 17, 1);
    check_span(&t.unknown[3], 18, 3, 21, 0);
    CHECK(spans_consistent(&t, sizeof buf));
    CHECK_EQ_U(t.notes, CSSP_TSREQ_NOTE_UNKNOWN_ELEMENT); /* unknowns do not count as misordered */
}

static void test_field_order(void)
{
    cssp_tsrequest t;
    /* pubKeyAuth [3] before negoTokens [1] */
    const uint8_t swapped[] = {0x30, 0x15, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa3, 0x04, 0x04, 0x02, 0xaa, 0xbb,
                               0xa1, 0x08, 0x30, 0x06, 0x30, 0x04, 0xa0, 0x02, 0x04, 0x00};
    CHECK_EQ_U(cssp_tsrequest_decode(swapped, sizeof swapped, &t), CSSP_OK);
    CHECK_EQ_U(t.notes, CSSP_TSREQ_NOTE_FIELD_ORDER);
    check_span(&t.pub_key_auth, 7, 6, 11, 2);
    CHECK_EQ_U(t.nego_token_count, 1);
    check_span(&t.nego_tokens[0], 19, 4, 23, 0);

    /* version repeated: noted, the first one is kept */
    const uint8_t repeated[] = {0x30, 0x0a, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa0, 0x03, 0x02, 0x01, 0x02};
    CHECK_EQ_U(cssp_tsrequest_decode(repeated, sizeof repeated, &t), CSSP_OK);
    CHECK_EQ_U(t.notes, CSSP_TSREQ_NOTE_FIELD_ORDER);
    CHECK_EQ_U(t.version_value, 6);
    check_span(&t.version, 2, 5, 6, 1);
    CHECK_EQ_U(t.notes & CSSP_TSREQ_NOTE_ERROR_CODE_IN_V2_OR_V5, 0);

    /* a repeat is still decoded: a malformed one is an error */
    const uint8_t bad_repeat[] = {0x30, 0x09, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa0, 0x02, 0x02, 0x00};
    CHECK_EQ_U(cssp_tsrequest_decode(bad_repeat, sizeof bad_repeat, &t), CSSP_ERR_BAD_ENCODING);

    /* version after negoTokens: out of order, still found */
    const uint8_t late_version[] = {0x30, 0x0f, 0xa1, 0x08, 0x30, 0x06, 0x30, 0x04, 0xa0, 0x02, 0x04, 0x00,
                                    0xa0, 0x03, 0x02, 0x01, 0x03};
    CHECK_EQ_U(cssp_tsrequest_decode(late_version, sizeof late_version, &t), CSSP_OK);
    CHECK_EQ_U(t.version_value, 3);
    CHECK_EQ_U(t.notes, CSSP_TSREQ_NOTE_FIELD_ORDER);
}

/* version 6 and a NegoData of `count` empty tokens; returns the length. */
static size_t many_tokens(uint8_t *buf, unsigned count)
{
    size_t list_len = 6u * count;
    size_t n = 0;
    buf[n++] = 0x30;
    buf[n++] = (uint8_t)(5 + 2 + 2 + list_len);
    memcpy(buf + n, "\xa0\x03\x02\x01\x06", 5);
    n += 5;
    buf[n++] = 0xa1;
    buf[n++] = (uint8_t)(2 + list_len);
    buf[n++] = 0x30;
    buf[n++] = (uint8_t)list_len;
    for (unsigned i = 0; i < count; i++) {
        memcpy(buf + n, "\x30\x04\xa0\x02\x04\x00", 6);
        n += 6;
    }
    return n;
}

static void test_token_count(void)
{
    uint8_t buf[128];
    cssp_tsrequest t;
    size_t len = many_tokens(buf, CSSP_TSREQ_MAX_NEGO_TOKENS + 2);
    CHECK_EQ_U(cssp_tsrequest_decode(buf, len, &t), CSSP_OK);
    CHECK_EQ_U(t.nego_token_count, CSSP_TSREQ_MAX_NEGO_TOKENS + 2);
    CHECK_EQ_U(t.notes, CSSP_TSREQ_NOTE_TOO_MANY_TOKENS);
    /* item i is a 6-byte SEQUENCE at 11 + 6i; its [0] follows at 13 + 6i */
    check_span(&t.nego_tokens[CSSP_TSREQ_MAX_NEGO_TOKENS - 1], 13 + 6 * (CSSP_TSREQ_MAX_NEGO_TOKENS - 1), 4,
               17 + 6 * (CSSP_TSREQ_MAX_NEGO_TOKENS - 1), 0);
    CHECK(spans_consistent(&t, len));

    len = many_tokens(buf, CSSP_TSREQ_MAX_NEGO_TOKENS);
    CHECK_EQ_U(cssp_tsrequest_decode(buf, len, &t), CSSP_OK);
    CHECK_EQ_U(t.nego_token_count, CSSP_TSREQ_MAX_NEGO_TOKENS);
    CHECK_EQ_U(t.notes, 0);

    len = many_tokens(buf, 0);
    CHECK_EQ_U(cssp_tsrequest_decode(buf, len, &t), CSSP_OK);
    CHECK(t.nego_data.present);
    CHECK_EQ_U(t.nego_token_count, 0);
}

/* Every strict prefix of a complete TSRequest is reported truncated, read from an exact-size heap copy. */
static void check_every_truncation(const vector *v)
{
    unsigned wrong = 0;
    for (size_t k = 0; k < v->len; k++) {
        cssp_tsrequest t;
        uint8_t *copy = exact_copy(v->data, k);
        if (cssp_tsrequest_decode(copy, k, &t) != CSSP_ERR_TRUNCATED) {
            wrong++;
            fprintf(stderr, "%s cut at %zu: not TRUNCATED\n", v->name, k);
        }
        free(copy);
    }
    CHECK_EQ_U(wrong, 0);
}

static void test_truncation_at_every_byte(void)
{
    for (size_t i = 0; i < REAL_VECTOR_COUNT; i++)
        check_every_truncation(&real_vectors[i]);
    for (size_t i = 0; i < HAND_VECTOR_COUNT; i++)
        check_every_truncation(&hand_vectors[i]);
}

static void test_malformed(void)
{
    static const struct {
        const char *what;
        uint8_t bytes[24];
        size_t len;
        cssp_status expected;
    } cases[] = {
        {"indefinite outer length", {0x30, 0x80, 0xa0, 0x03, 0x02, 0x01, 0x06, 0x00, 0x00}, 9,
         CSSP_ERR_INDEFINITE_LENGTH},
        {"indefinite field length", {0x30, 0x09, 0xa0, 0x80, 0x02, 0x01, 0x06, 0x00, 0x00, 0x00, 0x00}, 11,
         CSSP_ERR_INDEFINITE_LENGTH},
        {"5-byte outer length", {0x30, 0x85, 0x00, 0x00, 0x00, 0x00, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x06}, 12,
         CSSP_ERR_LENGTH_TOO_LONG},
        {"huge outer length", {0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0xa0, 0x03, 0x02, 0x01, 0x06}, 11,
         CSSP_ERR_TRUNCATED},
        {"huge field length", {0x30, 0x0b, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa2, 0x84, 0xff, 0xff, 0xff, 0xff}, 13,
         CSSP_ERR_LENGTH_PAST_END},
        {"field longer than the SEQUENCE", {0x30, 0x07, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa3, 0x10, 0x04, 0x0e, 0, 0,
         0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 24, CSSP_ERR_LENGTH_PAST_END},
        {"INTEGER longer than its tag", {0x30, 0x05, 0xa0, 0x03, 0x02, 0x02, 0x06}, 7, CSSP_ERR_LENGTH_PAST_END},
        {"empty version INTEGER", {0x30, 0x04, 0xa0, 0x02, 0x02, 0x00}, 6, CSSP_ERR_BAD_ENCODING},
        {"9-byte version", {0x30, 0x0d, 0xa0, 0x0b, 0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0}, 15,
         CSSP_ERR_INTEGER_RANGE},
        {"version 2^32", {0x30, 0x09, 0xa0, 0x07, 0x02, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00}, 11,
         CSSP_ERR_INTEGER_RANGE},
        {"negative version", {0x30, 0x05, 0xa0, 0x03, 0x02, 0x01, 0xff}, 7, CSSP_ERR_INTEGER_RANGE},
        {"errorCode 2^32", {0x30, 0x0e, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa4, 0x07, 0x02, 0x05, 0x01, 0, 0, 0, 0}, 16,
         CSSP_ERR_INTEGER_RANGE},
        {"empty errorCode", {0x30, 0x09, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa4, 0x02, 0x02, 0x00}, 11,
         CSSP_ERR_BAD_ENCODING},
        {"SET instead of SEQUENCE", {0x31, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x06}, 7, CSSP_ERR_UNEXPECTED_TAG},
        {"primitive SEQUENCE", {0x10, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x06}, 7, CSSP_ERR_UNEXPECTED_TAG},
        {"TLS record", {0x16, 0x03, 0x03, 0x00, 0x01, 0x00}, 6, CSSP_ERR_UNEXPECTED_TAG},
        {"version as OCTET STRING", {0x30, 0x05, 0xa0, 0x03, 0x04, 0x01, 0x06}, 7, CSSP_ERR_UNEXPECTED_TAG},
        {"implicit (primitive) version tag", {0x30, 0x03, 0x80, 0x01, 0x06}, 5, CSSP_ERR_UNEXPECTED_TAG},
        {"no version", {0x30, 0x06, 0xa2, 0x04, 0x04, 0x02, 0xaa, 0xbb}, 8, CSSP_ERR_UNEXPECTED_TAG},
        {"empty SEQUENCE", {0x30, 0x00}, 2, CSSP_ERR_UNEXPECTED_TAG},
        {"two elements in [0]", {0x30, 0x08, 0xa0, 0x06, 0x02, 0x01, 0x06, 0x02, 0x01, 0x06}, 10,
         CSSP_ERR_BAD_ENCODING},
        {"constructed OCTET STRING authInfo",
         {0x30, 0x0b, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa2, 0x04, 0x24, 0x02, 0x04, 0x00}, 13, CSSP_ERR_BAD_ENCODING},
        {"authInfo as INTEGER", {0x30, 0x0a, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa2, 0x03, 0x02, 0x01, 0x00}, 12,
         CSSP_ERR_UNEXPECTED_TAG},
        {"NegoData not a SEQUENCE", {0x30, 0x0b, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa1, 0x04, 0x04, 0x02, 0xaa, 0xbb},
         13, CSSP_ERR_UNEXPECTED_TAG},
        {"NegoData item without [0]",
         {0x30, 0x0f, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa1, 0x08, 0x30, 0x06, 0x30, 0x04, 0xa1, 0x02, 0x04, 0x00},
         17, CSSP_ERR_UNEXPECTED_TAG},
        {"negoToken as INTEGER",
         {0x30, 0x10, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa1, 0x09, 0x30, 0x07, 0x30, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x00},
         18, CSSP_ERR_UNEXPECTED_TAG},
        {"NegoData item with two elements",
         {0x30, 0x13, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa1, 0x0c, 0x30, 0x0a, 0x30, 0x08, 0xa0, 0x02, 0x04, 0x00, 0xa1,
          0x02, 0x04, 0x00},
         21, CSSP_ERR_BAD_ENCODING},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cssp_tsrequest t;
        uint8_t *copy = exact_copy(cases[i].bytes, cases[i].len);
        cssp_status st = cssp_tsrequest_decode(copy, cases[i].len, &t);
        free(copy);
        if (st != cases[i].expected)
            fprintf(stderr, "malformed case \"%s\": got %s\n", cases[i].what, cssp_status_string(st));
        CHECK_EQ_U(st, cases[i].expected);
    }

    /* on error, what was decoded before it is kept */
    const uint8_t late_error[] = {0x30, 0x09, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa4, 0x02, 0x02, 0x00};
    cssp_tsrequest t;
    CHECK_EQ_U(cssp_tsrequest_decode(late_error, sizeof late_error, &t), CSSP_ERR_BAD_ENCODING);
    CHECK(t.version.present);
    CHECK_EQ_U(t.version_value, 5);
}

/* An unknown element nested 300 levels deep is skipped whole, never descended into. */
static void test_deep_unknown_is_not_entered(void)
{
    static uint8_t buf[2048];
    size_t start = sizeof buf;
    buf[--start] = 0x00;
    buf[--start] = 0x05; /* NULL at the bottom */
    for (unsigned i = 0; i < 300; i++) {
        size_t inner = sizeof buf - start;
        buf[--start] = (uint8_t)inner;
        if (inner >= 0x80) {
            buf[--start] = (uint8_t)(inner >> 8);
            buf[--start] = 0x82;
        }
        buf[--start] = 0xa7; /* [7] */
    }
    static const uint8_t head[] = {0xa0, 0x03, 0x02, 0x01, 0x06};
    size_t contents = sizeof buf - start + sizeof head;
    start -= sizeof head;
    memcpy(buf + start, head, sizeof head);
    buf[--start] = (uint8_t)contents;
    buf[--start] = (uint8_t)(contents >> 8);
    buf[--start] = 0x82;
    buf[--start] = 0x30;
    cssp_tsrequest t;
    CHECK_EQ_U(cssp_tsrequest_decode(buf + start, sizeof buf - start, &t), CSSP_OK);
    CHECK_EQ_U(t.version_value, 6);
    CHECK_EQ_U(t.unknown_count, 1);
    CHECK_EQ_U(t.unknown[0].offset, 4 + sizeof head);
}

/*
 * Each byte of each real and hand-built TSRequest replaced by values that stress
 * lengths and tags: whatever the result, nothing is read outside the copy (ASan)
 * and a successful decode only reports spans inside the buffer.
 */
static void test_byte_mutations(void)
{
    static const uint8_t replacements[] = {0x00, 0x01, 0x7f, 0x80, 0x81, 0x82, 0x84, 0x85, 0xa0, 0xff};
    unsigned decoded = 0, rejected = 0, inconsistent = 0;
    for (size_t v = 0; v < REAL_VECTOR_COUNT + HAND_VECTOR_COUNT; v++) {
        const vector *vec = v < REAL_VECTOR_COUNT ? &real_vectors[v] : &hand_vectors[v - REAL_VECTOR_COUNT];
        uint8_t *copy = exact_copy(vec->data, vec->len);
        for (size_t pos = 0; pos < vec->len; pos++) {
            uint8_t original = copy[pos];
            for (size_t r = 0; r < sizeof replacements; r++) {
                cssp_tsrequest t;
                copy[pos] = replacements[r];
                if (cssp_tsrequest_decode(copy, vec->len, &t) != CSSP_OK) {
                    rejected++;
                    continue;
                }
                decoded++;
                if (!spans_consistent(&t, vec->len))
                    inconsistent++;
            }
            copy[pos] = original;
        }
        free(copy);
    }
    CHECK_EQ_U(inconsistent, 0);
    CHECK(decoded > 0); /* mutations inside opaque token bytes keep the TSRequest valid */
    CHECK(rejected > 0);
}

/* On every prefix of a TSRequest the probe says NEED_MORE until it has seen the version, then YES; never NO. */
static void check_probe_prefixes(const vector *v)
{
    size_t header_len = v->data[1] < 0x80 ? 2 : 2 + (v->data[1] & 0x7fu);
    size_t version_end = header_len + 2 + 2 + v->data[header_len + 3];
    unsigned wrong = 0;
    for (size_t k = 0; k <= v->len; k++) {
        size_t needed = 12345;
        uint8_t *copy = exact_copy(v->data, k);
        cssp_probe p = cssp_tsrequest_probe(copy, k, &needed);
        free(copy);
        cssp_probe expected = k >= version_end ? CSSP_PROBE_YES : CSSP_PROBE_NEED_MORE;
        size_t expected_needed = k >= header_len ? v->len : 0;
        if (p != expected || needed != expected_needed) {
            wrong++;
            fprintf(stderr, "%s probe at %zu: %d needed %zu\n", v->name, k, (int)p, needed);
        }
    }
    CHECK_EQ_U(wrong, 0);
}

static void test_probe_prefixes(void)
{
    for (size_t i = 0; i < REAL_VECTOR_COUNT; i++)
        check_probe_prefixes(&real_vectors[i]);
    for (size_t i = 0; i < HAND_VECTOR_COUNT; i++)
        check_probe_prefixes(&hand_vectors[i]);

    /* more bytes than one TSRequest: still its own size */
    uint8_t two[2 * sizeof tsreq_v6_client_negotiate];
    memcpy(two, tsreq_v6_client_negotiate, sizeof tsreq_v6_client_negotiate);
    memcpy(two + sizeof tsreq_v6_client_negotiate, tsreq_v6_client_negotiate, sizeof tsreq_v6_client_negotiate);
    size_t needed = 0;
    CHECK_EQ_U(cssp_tsrequest_probe(two, sizeof two, &needed), CSSP_PROBE_YES);
    CHECK_EQ_U(needed, sizeof tsreq_v6_client_negotiate);
}

static void test_probe_verdicts(void)
{
    static const struct {
        const char *what;
        uint8_t bytes[12];
        size_t len;
        cssp_probe expected;
        size_t needed;
    } cases[] = {
        {"smallest TSRequest", {0x30, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x06}, 7, CSSP_PROBE_YES, 7},
        {"nmap version 96", {0x30, 0x37, 0xa0, 0x03, 0x02, 0x01, 0x60}, 7, CSSP_PROBE_YES, 57},
        {"version 1", {0x30, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x01}, 7, CSSP_PROBE_YES, 7},
        {"version 255 (02 02 00 FF)", {0x30, 0x06, 0xa0, 0x04, 0x02, 0x02, 0x00, 0xff}, 8, CSSP_PROBE_YES, 8},
        {"largest allowed, header only", {0x30, 0x83, 0x00, 0xff, 0xfb}, 5, CSSP_PROBE_NEED_MORE, 65536},
        {"largest allowed, with version", {0x30, 0x83, 0x00, 0xff, 0xfb, 0xa0, 0x03, 0x02, 0x01, 0x06}, 10,
         CSSP_PROBE_YES, 65536},
        {"version tag seen, rest not", {0x30, 0x82, 0x02, 0xab, 0xa0}, 5, CSSP_PROBE_NEED_MORE, 687},
        {"one byte over the limit", {0x30, 0x83, 0x00, 0xff, 0xfc, 0xa0, 0x03, 0x02, 0x01, 0x06}, 10,
         CSSP_PROBE_NO, 0},
        {"huge length", {0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0xa0, 0x03, 0x02, 0x01, 0x06}, 11, CSSP_PROBE_NO, 0},
        {"indefinite length", {0x30, 0x80, 0xa0, 0x03, 0x02, 0x01, 0x06}, 7, CSSP_PROBE_NO, 0},
        {"5-byte length", {0x30, 0x85, 0x00}, 3, CSSP_PROBE_NO, 0},
        {"TLS handshake record", {0x16, 0x03, 0x01, 0x00, 0x2e}, 5, CSSP_PROBE_NO, 0},
        {"TPKT", {0x03, 0x00, 0x00, 0x13}, 4, CSSP_PROBE_NO, 0},
        {"Early User Authorization Result", {0x00, 0x00, 0x00, 0x00}, 4, CSSP_PROBE_NO, 0},
        {"first byte alone, wrong", {0x31}, 1, CSSP_PROBE_NO, 0},
        {"[1] first", {0x30, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x06}, 7, CSSP_PROBE_NO, 7},
        {"[1] first, only its tag seen", {0x30, 0x37, 0xa1}, 3, CSSP_PROBE_NO, 57},
        {"version 0", {0x30, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x00}, 7, CSSP_PROBE_NO, 7},
        {"negative version", {0x30, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x80}, 7, CSSP_PROBE_NO, 7},
        {"version 256", {0x30, 0x06, 0xa0, 0x04, 0x02, 0x02, 0x01, 0x00}, 8, CSSP_PROBE_NO, 8},
        {"3-byte version", {0x30, 0x07, 0xa0, 0x05, 0x02, 0x03, 0x00, 0x00, 0x06}, 9, CSSP_PROBE_NO, 9},
        {"version not an INTEGER", {0x30, 0x05, 0xa0, 0x03, 0x04, 0x01, 0x06}, 7, CSSP_PROBE_NO, 7},
        {"[0] claims more than fits", {0x30, 0x37, 0xa0, 0x7f, 0x02, 0x01, 0x06, 0, 0, 0}, 10, CSSP_PROBE_NO, 57},
        {"[0] beyond a complete SEQUENCE", {0x30, 0x03, 0xa0, 0x03, 0x02, 0x01, 0x06}, 7, CSSP_PROBE_NO, 5},
        {"SEQUENCE too short for a version", {0x30, 0x00}, 2, CSSP_PROBE_NO, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t needed = 12345;
        uint8_t *copy = exact_copy(cases[i].bytes, cases[i].len);
        cssp_probe p = cssp_tsrequest_probe(copy, cases[i].len, &needed);
        free(copy);
        if (p != cases[i].expected || needed != cases[i].needed)
            fprintf(stderr, "probe case \"%s\": got %d needed %zu\n", cases[i].what, (int)p, needed);
        CHECK_EQ_U(p, cases[i].expected);
        CHECK_EQ_U(needed, cases[i].needed);
    }
    size_t needed = 1;
    CHECK_EQ_U(cssp_tsrequest_probe(NULL, 0, &needed), CSSP_PROBE_NEED_MORE);
    CHECK_EQ_U(needed, 0);
}

static void test_note_strings(void)
{
    static const unsigned bits[] = {
        CSSP_TSREQ_NOTE_ERROR_CODE_IN_V2_OR_V5, CSSP_TSREQ_NOTE_NONCE_BEFORE_V5, CSSP_TSREQ_NOTE_NONCE_NOT_32,
        CSSP_TSREQ_NOTE_UNKNOWN_ELEMENT,        CSSP_TSREQ_NOTE_TRAILING_BYTES,  CSSP_TSREQ_NOTE_FIELD_ORDER,
        CSSP_TSREQ_NOTE_TOO_MANY_TOKENS,
    };
    const char *unknown = cssp_tsrequest_note_string(0);
    CHECK_EQ_STR(unknown, "unknown note");
    CHECK_EQ_STR(cssp_tsrequest_note_string(1u << 7), unknown);
    CHECK_EQ_STR(cssp_tsrequest_note_string(CSSP_TSREQ_NOTE_NONCE_BEFORE_V5), "clientNonce with version < 5");
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
        CHECK(strcmp(cssp_tsrequest_note_string(bits[i]), unknown) != 0);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(cssp_tsrequest_note_string(bits[i]), cssp_tsrequest_note_string(bits[j])) != 0);
    }
}

int main(void)
{
    test_real_ntlm_exchange();
    test_real_spnego_and_error_code();
    test_hand_built_versions();
    test_consistency_notes();
    test_unknown_elements();
    test_field_order();
    test_token_count();
    test_truncation_at_every_byte();
    test_malformed();
    test_deep_unknown_is_not_entered();
    test_byte_mutations();
    test_probe_prefixes();
    test_probe_verdicts();
    test_note_strings();
    return check_summary("tsrequest");
}
