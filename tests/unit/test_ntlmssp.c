/*
 * test_ntlmssp.c - the NTLM message reader and the negoToken classifier on real tokens (vectors_ntlm.h),
 * checked against what tshark's dissectors show for them, and on hand-built malformed ones: truncation at
 * every byte, single-byte mutations, fields past the end, odd UTF-16, lone surrogates, long names.
 * Inputs are copied to exact-size heap buffers so that ASan sees any read past them.
 */
#include <stdlib.h>

#include "check.h"
#include "cssp/ntlmssp.h"
#include "vectors_ntlm.h"

#define NTLM_FLAG_UNICODE 0x00000001u
#define NTLM_FLAG_VERSION 0x02000000u
#define AUTH_USER_FIELD_AT 36   /* [MS-NLMP] 2.2.1.3: UserNameFields */
#define AUTH_HEADER_LEN 64      /* up to and including NegotiateFlags */
#define VERSION_LEN 8

static uint8_t *copy_of(const uint8_t *data, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        abort();
    memcpy(copy, data, len);
    return copy;
}

static cssp_status decode_copy(const uint8_t *data, size_t len, cssp_ntlm_message *out)
{
    uint8_t *copy = copy_of(data, len);
    cssp_status st = cssp_ntlm_decode(copy, len, out);
    free(copy);
    return st;
}

static cssp_status inspect_copy(const uint8_t *data, size_t len, cssp_token_info *out)
{
    uint8_t *copy = copy_of(data, len);
    cssp_status st = cssp_token_inspect(copy, len, out);
    free(copy);
    return st;
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
static bool is_valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp;
        size_t n;
        if (*p < 0x80) {
            p++;
            continue;
        } else if ((*p & 0xe0) == 0xc0) {
            cp = *p & 0x1fu, n = 1;
        } else if ((*p & 0xf0) == 0xe0) {
            cp = *p & 0x0fu, n = 2;
        } else if ((*p & 0xf8) == 0xf0) {
            cp = *p & 0x07u, n = 3;
        } else {
            return false;
        }
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3fu);
        }
        static const uint32_t min_for_length[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_for_length[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        p += n + 1;
    }
    return true;
}

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    put_le16(p, (uint16_t)v);
    put_le16(p + 2, (uint16_t)(v >> 16));
}

static void put_field(uint8_t *msg, size_t at, uint16_t len, uint32_t offset)
{
    put_le16(msg + at, len);
    put_le16(msg + at + 2, len);
    put_le32(msg + at + 4, offset);
}

/*
 * An AUTHENTICATE as Windows lays it out (VERSION when with_version, no MIC): domain "D" (in the chosen
 * encoding), then the user bytes; responses, workstation and session key empty. Returns its length.
 */
static size_t build_authenticate(uint8_t *out, uint32_t flags, bool with_version, const void *user, size_t user_len)
{
    static const uint8_t version_10_0_19041[VERSION_LEN] = {0x0a, 0x00, 0x61, 0x4a, 0x00, 0x00, 0x00, 0x0f};
    bool unicode = flags & NTLM_FLAG_UNICODE;
    size_t payload = AUTH_HEADER_LEN + (with_version ? VERSION_LEN : 0);
    size_t domain_len = unicode ? 2 : 1;
    memset(out, 0, payload);
    memcpy(out, "NTLMSSP\0", 8);
    put_le32(out + 8, CSSP_NTLM_AUTHENTICATE);
    for (size_t at = 12; at < 60; at += 8)
        put_field(out, at, 0, (uint32_t)payload);
    put_field(out, 28, (uint16_t)domain_len, (uint32_t)payload);
    put_field(out, AUTH_USER_FIELD_AT, (uint16_t)user_len, (uint32_t)(payload + domain_len));
    put_le32(out + 60, flags);
    if (with_version)
        memcpy(out + AUTH_HEADER_LEN, version_10_0_19041, VERSION_LEN);
    memcpy(out + payload, unicode ? "D\0" : "D", domain_len);
    memcpy(out + payload + domain_len, user, user_len);
    return payload + domain_len + user_len;
}

static void check_version(const cssp_ntlm_message *m, uint16_t build)
{
    CHECK(m->has_version);
    CHECK_EQ_U(m->os_major, 10);
    CHECK_EQ_U(m->os_minor, 0);
    CHECK_EQ_U(m->os_build, build);
    CHECK_EQ_U(m->ntlm_revision, 15);
}

static void check_no_names(const cssp_ntlm_message *m)
{
    CHECK_EQ_STR(m->domain, "");
    CHECK_EQ_STR(m->user, "");
    CHECK_EQ_STR(m->workstation, "");
}

static void test_raw_ntlm_from_rdps2rdp(void)
{
    cssp_token_info t;
    CHECK_EQ_U(inspect_copy(ntlm_negotiate_win10, sizeof ntlm_negotiate_win10, &t), CSSP_OK);
    CHECK_EQ_U(t.kind, CSSP_TOKEN_NTLMSSP);
    CHECK(t.has_ntlm);
    CHECK_EQ_U(t.ntlm_offset, 0);
    CHECK_EQ_U(t.ntlm.type, CSSP_NTLM_NEGOTIATE);
    CHECK_EQ_U(t.ntlm.flags, 0xe20882b7);
    check_version(&t.ntlm, 19041);
    check_no_names(&t.ntlm);

    CHECK_EQ_U(inspect_copy(ntlm_challenge_win10, sizeof ntlm_challenge_win10, &t), CSSP_OK);
    CHECK_EQ_U(t.kind, CSSP_TOKEN_NTLMSSP);
    CHECK_EQ_U(t.ntlm.type, CSSP_NTLM_CHALLENGE);
    CHECK_EQ_U(t.ntlm.flags, 0xe28a8235);
    check_version(&t.ntlm, 17763);
    check_no_names(&t.ntlm);

    CHECK_EQ_U(inspect_copy(ntlm_authenticate_win10, sizeof ntlm_authenticate_win10, &t), CSSP_OK);
    CHECK_EQ_U(t.kind, CSSP_TOKEN_NTLMSSP);
    CHECK_EQ_U(t.ntlm.type, CSSP_NTLM_AUTHENTICATE);
    CHECK_EQ_U(t.ntlm.flags, 0xe2888235);
    check_version(&t.ntlm, 19041);
    CHECK_EQ_STR(t.ntlm.domain, ".");
    CHECK_EQ_STR(t.ntlm.user, "runneradmin");
    CHECK_EQ_STR(t.ntlm.workstation, "ALEX-LAPTOP-E64");
}

static void test_spnego_from_htb(void)
{
    cssp_token_info t;
    CHECK_EQ_U(inspect_copy(spnego_init_negotiate, sizeof spnego_init_negotiate, &t), CSSP_OK);
    CHECK_EQ_U(t.kind, CSSP_TOKEN_SPNEGO_INIT);
    CHECK(t.has_ntlm);
    CHECK_EQ_U(t.ntlm_offset, 34);
    CHECK(memcmp(spnego_init_negotiate + t.ntlm_offset, "NTLMSSP\0", 8) == 0);
    CHECK_EQ_U(t.ntlm.type, CSSP_NTLM_NEGOTIATE);
    CHECK_EQ_U(t.ntlm.flags, 0x62088235);
    check_version(&t.ntlm, 15063);

    CHECK_EQ_U(inspect_copy(spnego_resp_challenge, sizeof spnego_resp_challenge, &t), CSSP_OK);
    CHECK_EQ_U(t.kind, CSSP_TOKEN_SPNEGO_RESP);
    CHECK(t.has_ntlm);
    CHECK_EQ_U(t.ntlm_offset, 33);
    CHECK_EQ_U(t.ntlm.type, CSSP_NTLM_CHALLENGE);
    CHECK_EQ_U(t.ntlm.flags, 0x628a8235);
    check_version(&t.ntlm, 26100);

    /* payload right after VERSION (no MIC): still a VERSION, still the right names */
    CHECK_EQ_U(inspect_copy(spnego_resp_authenticate, sizeof spnego_resp_authenticate, &t), CSSP_OK);
    CHECK_EQ_U(t.kind, CSSP_TOKEN_SPNEGO_RESP);
    CHECK(t.has_ntlm);
    CHECK_EQ_U(t.ntlm_offset, 16);
    CHECK_EQ_U(t.ntlm.type, CSSP_NTLM_AUTHENTICATE);
    CHECK_EQ_U(t.ntlm.flags, 0x62088235);
    check_version(&t.ntlm, 15063);
    CHECK_EQ_STR(t.ntlm.domain, "FAKE");
    CHECK_EQ_STR(t.ntlm.user, "user");
    CHECK_EQ_STR(t.ntlm.workstation, "");
}

typedef struct token_vector {
    const char *name;
    const uint8_t *data;
    size_t len;
    bool raw_ntlm;
} token_vector;

#define VEC(v, raw) {#v, v, sizeof v, raw}
static const token_vector real_tokens[] = {
    VEC(ntlm_negotiate_win10, true),   VEC(ntlm_challenge_win10, true),  VEC(ntlm_authenticate_win10, true),
    VEC(spnego_init_negotiate, false), VEC(spnego_resp_challenge, false), VEC(spnego_resp_authenticate, false),
};
#define REAL_TOKEN_COUNT (sizeof real_tokens / sizeof real_tokens[0])

/* Every real message ends with its last payload field, so any cut is an error; a cut signature is no NTLM at all. */
static void test_truncation_at_every_byte(void)
{
    for (size_t i = 0; i < REAL_TOKEN_COUNT; i++) {
        const token_vector *v = &real_tokens[i];
        for (size_t n = 0; n < v->len; n++) {
            cssp_token_info t;
            cssp_status st = inspect_copy(v->data, n, &t);
            CHECK(!t.has_ntlm);
            if (n == 0 || (v->raw_ntlm && n < 8)) {
                CHECK_EQ_U(st, CSSP_OK);
                CHECK_EQ_U(t.kind, CSSP_TOKEN_UNKNOWN);
            } else {
                CHECK(st != CSSP_OK);
            }
            if (v->raw_ntlm) {
                cssp_ntlm_message m;
                CHECK(decode_copy(v->data, n, &m) != CSSP_OK);
            }
        }
    }
}

/* Any single byte changed: either an error or a result whose names are valid, bounded UTF-8. */
static void test_single_byte_mutations(void)
{
    for (size_t i = 0; i < REAL_TOKEN_COUNT; i++) {
        const token_vector *v = &real_tokens[i];
        uint8_t *copy = copy_of(v->data, v->len);
        for (size_t at = 0; at < v->len; at++) {
            const uint8_t original = copy[at];
            const uint8_t replacements[] = {0x00, 0xff, (uint8_t)(original ^ 0x80), (uint8_t)(original + 1)};
            for (size_t k = 0; k < sizeof replacements; k++) {
                cssp_token_info t;
                copy[at] = replacements[k];
                if (cssp_token_inspect(copy, v->len, &t) == CSSP_OK && t.has_ntlm) {
                    CHECK(is_valid_utf8(t.ntlm.domain) && strlen(t.ntlm.domain) < CSSP_NTLM_NAME_MAX);
                    CHECK(is_valid_utf8(t.ntlm.user) && strlen(t.ntlm.user) < CSSP_NTLM_NAME_MAX);
                    CHECK(is_valid_utf8(t.ntlm.workstation) && strlen(t.ntlm.workstation) < CSSP_NTLM_NAME_MAX);
                }
            }
            copy[at] = original;
        }
        free(copy);
    }
}

typedef struct utf16_case {
    const char *what;
    const char *utf16le;
    size_t len;
    const char *utf8;
} utf16_case;

static void test_utf16_names(void)
{
    static const utf16_case cases[] = {
        {"surrogate pair", "\x3d\xd8\x00\xde" "a\0", 6, "\xf0\x9f\x98\x80" "a"},
        {"lone high surrogate", "\x00\xd8" "a\0", 4, "\xef\xbf\xbd" "a"},
        {"lone low surrogate", "\x00\xdc" "a\0", 4, "\xef\xbf\xbd" "a"},
        {"high surrogate at the end", "a\0\x00\xd8", 4, "a\xef\xbf\xbd"},
        {"two highs then a low", "\x00\xd8\x00\xd8\x00\xdc", 6, "\xef\xbf\xbd\xf0\x90\x80\x80"},
        {"odd length", "a\0b", 3, "a\xef\xbf\xbd"},
        {"BMP", "\xe9\x00\x2d\x4e", 4, "\xc3\xa9\xe4\xb8\xad"},
        {"U+0000 inside", "a\0\0\0b\0", 6, "a\xef\xbf\xbd" "b"},
        {"empty", "", 0, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t msg[128];
        cssp_ntlm_message m;
        size_t len = build_authenticate(msg, NTLM_FLAG_UNICODE | NTLM_FLAG_VERSION, true, cases[i].utf16le,
                                        cases[i].len);
        CHECK_EQ_U(decode_copy(msg, len, &m), CSSP_OK);
        if (strcmp(m.user, cases[i].utf8) != 0)
            fprintf(stderr, "utf16 case: %s\n", cases[i].what);
        CHECK_EQ_STR(m.user, cases[i].utf8);
        CHECK_EQ_STR(m.domain, "D");
        CHECK(is_valid_utf8(m.user));
        check_version(&m, 19041);
    }
}

/* Without NTLMSSP_NEGOTIATE_UNICODE the names are OEM bytes of an unknown code page: only ASCII survives. */
static void test_oem_names(void)
{
    uint8_t msg[128];
    cssp_ntlm_message m;
    size_t len = build_authenticate(msg, NTLM_FLAG_VERSION, true, "USER\xe9", 5);
    CHECK_EQ_U(decode_copy(msg, len, &m), CSSP_OK);
    CHECK_EQ_STR(m.domain, "D");
    CHECK_EQ_STR(m.user, "USER\xef\xbf\xbd");
}

static void check_cut(const uint8_t *unit, size_t unit_len, size_t count, size_t expect_bytes)
{
    uint8_t user[1200], msg[1300];
    cssp_ntlm_message m;
    for (size_t i = 0; i < count; i++)
        memcpy(user + i * unit_len, unit, unit_len);
    size_t len = build_authenticate(msg, NTLM_FLAG_UNICODE, false, user, count * unit_len);
    CHECK_EQ_U(decode_copy(msg, len, &m), CSSP_OK);
    CHECK_EQ_U(strlen(m.user), expect_bytes);
    CHECK(is_valid_utf8(m.user));
}

static void test_long_names_cut_at_a_character(void)
{
    /* as many whole characters as fit in CSSP_NTLM_NAME_MAX - 1 bytes */
    check_cut((const uint8_t *)"A\0", 2, 300, CSSP_NTLM_NAME_MAX - 1);
    check_cut((const uint8_t *)"\xe9\x00", 2, 200, (CSSP_NTLM_NAME_MAX - 1) / 2 * 2);         /* two-byte */
    check_cut((const uint8_t *)"\x2d\x4e", 2, 100, (CSSP_NTLM_NAME_MAX - 1) / 3 * 3);         /* three-byte */
    check_cut((const uint8_t *)"\x3d\xd8\x00\xde", 4, 100, (CSSP_NTLM_NAME_MAX - 1) / 4 * 4); /* four-byte */
}

static void test_fields_past_the_end(void)
{
    uint8_t msg[128];
    cssp_ntlm_message m;
    size_t len = build_authenticate(msg, NTLM_FLAG_UNICODE | NTLM_FLAG_VERSION, true, "u\0", 2);
    CHECK_EQ_U(decode_copy(msg, len, &m), CSSP_OK);
    CHECK_EQ_STR(m.user, "u");

    put_field(msg, AUTH_USER_FIELD_AT, 2, (uint32_t)len); /* starts at the end */
    CHECK_EQ_U(decode_copy(msg, len, &m), CSSP_ERR_LENGTH_PAST_END);
    CHECK_EQ_STR(m.user, "");
    put_field(msg, AUTH_USER_FIELD_AT, 3, (uint32_t)len - 2); /* one byte too long */
    CHECK_EQ_U(decode_copy(msg, len, &m), CSSP_ERR_LENGTH_PAST_END);
    put_field(msg, AUTH_USER_FIELD_AT, 2, UINT32_MAX); /* offset + length wraps in 32 bits */
    CHECK_EQ_U(decode_copy(msg, len, &m), CSSP_ERR_LENGTH_PAST_END);
    put_field(msg, AUTH_USER_FIELD_AT, UINT16_MAX, 72); /* huge length */
    CHECK_EQ_U(decode_copy(msg, len, &m), CSSP_ERR_LENGTH_PAST_END);
    put_field(msg, AUTH_USER_FIELD_AT, 0, UINT32_MAX); /* empty fields may point anywhere */
    CHECK_EQ_U(decode_copy(msg, len, &m), CSSP_OK);
    CHECK_EQ_STR(m.user, "");

    /* the NT response is never read, but a descriptor past the end still makes the message malformed */
    put_field(msg, 20, 24, 0x1000);
    CHECK_EQ_U(decode_copy(msg, len, &m), CSSP_ERR_LENGTH_PAST_END);
}

static void test_version_presence(void)
{
    uint8_t msg[128];
    cssp_ntlm_message m;
    /* flag set but the payload starts where VERSION would be: an older peer, no VERSION */
    size_t len = build_authenticate(msg, NTLM_FLAG_UNICODE | NTLM_FLAG_VERSION, false, "u\0", 2);
    CHECK_EQ_U(decode_copy(msg, len, &m), CSSP_OK);
    CHECK(!m.has_version);
    CHECK_EQ_STR(m.domain, "D");
    CHECK_EQ_STR(m.user, "u");

    /* VERSION bytes there but the flag clear: not read */
    len = build_authenticate(msg, NTLM_FLAG_UNICODE, true, "u\0", 2);
    CHECK_EQ_U(decode_copy(msg, len, &m), CSSP_OK);
    CHECK(!m.has_version);
    CHECK_EQ_U(m.os_build, 0);

    /* NEGOTIATE at offset 32: flag set and nothing in the way, so 32 bytes are too few */
    CHECK_EQ_U(decode_copy(ntlm_negotiate_win10, 32, &m), CSSP_ERR_TRUNCATED);
    uint8_t negotiate[32];
    memcpy(negotiate, ntlm_negotiate_win10, sizeof negotiate);
    negotiate[15] &= (uint8_t)~(NTLM_FLAG_VERSION >> 24);
    CHECK_EQ_U(decode_copy(negotiate, sizeof negotiate, &m), CSSP_OK);
    CHECK(!m.has_version);
    CHECK_EQ_U(m.flags, 0xe00882b7);
}

static void test_signature_and_type(void)
{
    const uint8_t not_ntlm[] = "XTLMSSP\0\x01\x00\x00\x00";
    const uint8_t type_4[] = "NTLMSSP\0\x04\x00\x00\x00";
    cssp_ntlm_message m;
    CHECK_EQ_U(decode_copy(not_ntlm, sizeof not_ntlm - 1, &m), CSSP_ERR_NOT_RECOGNISED);
    CHECK_EQ_U(decode_copy(type_4, 4, &m), CSSP_ERR_TRUNCATED);
    CHECK_EQ_U(decode_copy(type_4, 8, &m), CSSP_ERR_TRUNCATED);
    CHECK_EQ_U(decode_copy(type_4, sizeof type_4 - 1, &m), CSSP_OK);
    CHECK_EQ_U(m.type, 4);
    CHECK_EQ_U(m.flags, 0);
    CHECK(cssp_ntlm_type_name(4) == NULL);
    CHECK_EQ_STR(cssp_ntlm_type_name(CSSP_NTLM_NEGOTIATE), "NEGOTIATE");
    CHECK_EQ_STR(cssp_ntlm_type_name(CSSP_NTLM_CHALLENGE), "CHALLENGE");
    CHECK_EQ_STR(cssp_ntlm_type_name(CSSP_NTLM_AUTHENTICATE), "AUTHENTICATE");
    CHECK_EQ_STR(cssp_token_kind_name(CSSP_TOKEN_SPNEGO_INIT), "SPNEGO NegTokenInit");
    CHECK_EQ_STR(cssp_token_kind_name(CSSP_TOKEN_SPNEGO_RESP), "SPNEGO NegTokenResp");
    CHECK_EQ_STR(cssp_token_kind_name(CSSP_TOKEN_KERBEROS), "Kerberos");
    CHECK_EQ_STR(cssp_token_kind_name(CSSP_TOKEN_NTLMSSP), "NTLMSSP");
    CHECK_EQ_STR(cssp_token_kind_name(CSSP_TOKEN_UNKNOWN), "unknown");
}

typedef struct token_case {
    const char *what;
    const uint8_t *data;
    size_t len;
    cssp_status status;
    cssp_token_kind kind;
} token_case;

/* Hand-built framings (RFC 2743 3.1, RFC 4178 4.2, RFC 4120 5.5): no capture in the corpus carries Kerberos. */
static void test_token_framings(void)
{
    static const uint8_t gss_kerberos[] = {0x60, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
                                           0x12, 0x01, 0x02, 0x02, 0x01, 0x00};
    static const uint8_t gss_ms_kerberos[] = {0x60, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7,
                                              0x12, 0x01, 0x02, 0x02, 0x01, 0x00};
    static const uint8_t gss_ntlm_oid[] = {0x60, 0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04,
                                           0x01, 0x82, 0x37, 0x02, 0x02, 0x0a};
    static const uint8_t ap_req[] = {0x6e, 0x02, 0x30, 0x00};
    static const uint8_t ap_req_cut[] = {0x6e, 0x05, 0x30, 0x00};
    static const uint8_t ap_rep[] = {0x6f, 0x00};
    /* NegTokenInit whose mechToken is not NTLM */
    static const uint8_t init_other_mech[] = {0x60, 0x14, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02, 0xa0,
                                              0x0a, 0x30, 0x08, 0xa2, 0x06, 0x04, 0x04, 'a',  'b',  'c',  'd'};
    /* NegTokenInit with mechTypes only */
    static const uint8_t init_no_token[] = {0x60, 0x1c, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02,
                                            0xa0, 0x12, 0x30, 0x10, 0xa0, 0x0e, 0x30, 0x0c, 0x06, 0x0a,
                                            0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a};
    static const uint8_t init_wrong_choice[] = {0x60, 0x0a, 0x06, 0x06, 0x2b, 0x06, 0x01,
                                                0x05, 0x05, 0x02, 0xa1, 0x00};
    static const uint8_t resp_accept_completed[] = {0xa1, 0x07, 0x30, 0x05, 0xa0, 0x03, 0x0a, 0x01, 0x00};
    static const uint8_t resp_token_not_octets[] = {0xa1, 0x07, 0x30, 0x05, 0xa2, 0x03, 0x02, 0x01, 0x00};
    static const uint8_t resp_huge_length[] = {0xa1, 0x84, 0xff, 0xff, 0xff, 0xff, 0x30, 0x00};
    static const uint8_t resp_indefinite[] = {0xa1, 0x80, 0x30, 0x00, 0x00, 0x00};
    static const uint8_t sequence[] = {0x30, 0x00};
    static const token_case cases[] = {
        /* a TOK_ID with no message after it: Kerberos, cut (kerberos.h reads the message) */
        {"GSS-API Kerberos", gss_kerberos, sizeof gss_kerberos, CSSP_ERR_LENGTH_PAST_END, CSSP_TOKEN_KERBEROS},
        {"GSS-API MS Kerberos", gss_ms_kerberos, sizeof gss_ms_kerberos, CSSP_ERR_LENGTH_PAST_END,
         CSSP_TOKEN_KERBEROS},
        {"GSS-API other OID", gss_ntlm_oid, sizeof gss_ntlm_oid, CSSP_OK, CSSP_TOKEN_UNKNOWN},
        {"AP-REQ", ap_req, sizeof ap_req, CSSP_OK, CSSP_TOKEN_KERBEROS},
        {"AP-REQ cut", ap_req_cut, sizeof ap_req_cut, CSSP_ERR_TRUNCATED, CSSP_TOKEN_KERBEROS},
        {"AP-REP without its SEQUENCE", ap_rep, sizeof ap_rep, CSSP_ERR_LENGTH_PAST_END, CSSP_TOKEN_KERBEROS},
        {"init, other mechToken", init_other_mech, sizeof init_other_mech, CSSP_OK, CSSP_TOKEN_SPNEGO_INIT},
        {"init, no mechToken", init_no_token, sizeof init_no_token, CSSP_OK, CSSP_TOKEN_SPNEGO_INIT},
        {"init, [1] inside", init_wrong_choice, sizeof init_wrong_choice, CSSP_ERR_UNEXPECTED_TAG,
         CSSP_TOKEN_SPNEGO_INIT},
        {"resp, accept-completed", resp_accept_completed, sizeof resp_accept_completed, CSSP_OK,
         CSSP_TOKEN_SPNEGO_RESP},
        {"resp, [2] not OCTET STRING", resp_token_not_octets, sizeof resp_token_not_octets,
         CSSP_ERR_UNEXPECTED_TAG, CSSP_TOKEN_SPNEGO_RESP},
        {"resp, huge length", resp_huge_length, sizeof resp_huge_length, CSSP_ERR_TRUNCATED,
         CSSP_TOKEN_SPNEGO_RESP},
        {"resp, indefinite length", resp_indefinite, sizeof resp_indefinite, CSSP_ERR_INDEFINITE_LENGTH,
         CSSP_TOKEN_SPNEGO_RESP},
        {"SEQUENCE", sequence, sizeof sequence, CSSP_OK, CSSP_TOKEN_UNKNOWN},
        {"empty", sequence, 0, CSSP_OK, CSSP_TOKEN_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cssp_token_info t;
        cssp_status st = inspect_copy(cases[i].data, cases[i].len, &t);
        if (st != cases[i].status || t.kind != cases[i].kind)
            fprintf(stderr, "token case: %s\n", cases[i].what);
        CHECK_EQ_U(st, cases[i].status);
        CHECK_EQ_U(t.kind, cases[i].kind);
        CHECK(!t.has_ntlm);
    }
}

/* A broken NTLM message inside a well-formed SPNEGO token is reported, and not as decoded. */
static void test_bad_ntlm_inside_spnego(void)
{
    uint8_t token[sizeof spnego_resp_authenticate];
    cssp_token_info t;
    memcpy(token, spnego_resp_authenticate, sizeof token);
    put_field(token, 16 + AUTH_USER_FIELD_AT, 8, 0xffffff00);
    CHECK_EQ_U(inspect_copy(token, sizeof token, &t), CSSP_ERR_LENGTH_PAST_END);
    CHECK_EQ_U(t.kind, CSSP_TOKEN_SPNEGO_RESP);
    CHECK(!t.has_ntlm);
}

int main(void)
{
    test_raw_ntlm_from_rdps2rdp();
    test_spnego_from_htb();
    test_truncation_at_every_byte();
    test_single_byte_mutations();
    test_utf16_names();
    test_oem_names();
    test_long_names_cut_at_a_character();
    test_fields_past_the_end();
    test_version_presence();
    test_signature_and_type();
    test_token_framings();
    test_bad_ntlm_inside_spnego();
    return check_summary("ntlmssp");
}
