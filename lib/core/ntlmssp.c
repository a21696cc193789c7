/*
 * ntlmssp.c - NTLM messages ([MS-NLMP] 2.2.1) and the framing of negoTokens
 * (RFC 2743 3.1 GSS-API, RFC 4178 4.2 SPNEGO, RFC 4120 Kerberos); see ntlmssp.h.
 *
 * Choices worth knowing:
 *  - Every payload field descriptor (Len, MaxLen, BufferOffset) of the fixed
 *    header must lie inside the message, even those not decoded here: one that
 *    points past the end means the message is cut or forged
 *    (CSSP_ERR_LENGTH_PAST_END). Empty fields may point anywhere.
 *  - VERSION is read when NTLMSSP_NEGOTIATE_VERSION is set and no payload
 *    starts where it would be (a peer that sets the flag without sending the
 *    structure puts its payload there, as Wireshark also allows for). With the
 *    flag set and no payload in the way, a message too short for it is
 *    CSSP_ERR_TRUNCATED.
 *  - Names are converted by hand rather than with GLib: the core links no
 *    GLib, and g_utf16_to_utf8() rejects a whole string for one lone
 *    surrogate where we want U+FFFD and the rest of the name.
 */
#include "cssp/ntlmssp.h"

#include <string.h>

#include "cssp/reader.h"

#define NTLM_SIGNATURE "NTLMSSP" /* with its NUL: 8 bytes */
#define NTLM_SIGNATURE_LEN 8
#define NTLM_FLAG_UNICODE 0x00000001u
#define NTLM_FLAG_VERSION 0x02000000u
#define NTLM_VERSION_LEN 8
#define NTLM_VERSION_RESERVED_LEN 3
#define NTLM_CHALLENGE_AND_RESERVED_LEN 16 /* ServerChallenge (8) + Reserved (8) */

#define UNICODE_REPLACEMENT 0xFFFDu


/* A payload field descriptor: Len, MaxLen (ignored), BufferOffset from the start of the message. */
typedef struct ntlm_field {
    uint16_t len;
    uint32_t offset;
} ntlm_field;

static void get_field(cssp_reader *r, ntlm_field *f)
{
    uint16_t max_len;
    cssp_get_le16(r, &f->len);
    cssp_get_le16(r, &max_len);
    cssp_get_le32(r, &f->offset);
}

/* A reader over the bytes a field describes, inside the message reader `msg`. */
static bool field_reader(const cssp_reader *msg, const ntlm_field *f, cssp_reader *out)
{
    cssp_reader at = *msg;
    at.pos = 0;
    at.overrun = false;
    return cssp_skip(&at, f->offset) && cssp_get_sub(&at, f->len, out);
}

/*
 * Checks the payload fields against the message and reads the VERSION that may
 * follow the fixed header (r is positioned right after it).
 */
static cssp_status finish_header(cssp_reader *r, const ntlm_field *fields, size_t count, cssp_ntlm_message *m)
{
    if (r->overrun)
        return CSSP_ERR_TRUNCATED;
    size_t payload_start = SIZE_MAX;
    for (size_t i = 0; i < count; i++) {
        cssp_reader payload;
        if (fields[i].len == 0)
            continue;
        if (!field_reader(r, &fields[i], &payload))
            return CSSP_ERR_LENGTH_PAST_END;
        if (fields[i].offset < payload_start)
            payload_start = fields[i].offset;
    }
    if (!(m->flags & NTLM_FLAG_VERSION) || payload_start < r->pos + NTLM_VERSION_LEN)
        return CSSP_OK;
    cssp_get_u8(r, &m->os_major);
    cssp_get_u8(r, &m->os_minor);
    cssp_get_le16(r, &m->os_build);
    cssp_skip(r, NTLM_VERSION_RESERVED_LEN);
    cssp_get_u8(r, &m->ntlm_revision);
    if (r->overrun)
        return CSSP_ERR_TRUNCATED;
    m->has_version = true;
    return CSSP_OK;
}

/* Appends code point cp if all of its UTF-8 bytes fit before the NUL, so a cut always falls between characters. */
static bool put_utf8(char *out, size_t size, size_t *used, uint32_t cp)
{
    char buf[4];
    size_t n;
    if (cp < 0x80) {
        buf[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        buf[0] = (char)(0xc0 | (cp >> 6));
        buf[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        buf[0] = (char)(0xe0 | (cp >> 12));
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        buf[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        buf[0] = (char)(0xf0 | (cp >> 18));
        buf[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        buf[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        buf[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    if (n >= size - *used)
        return false;
    memcpy(out + *used, buf, n);
    *used += n;
    return true;
}

static bool is_high_surrogate(uint16_t u) { return u >= 0xd800 && u <= 0xdbff; }
static bool is_low_surrogate(uint16_t u) { return u >= 0xdc00 && u <= 0xdfff; }

/*
 * The next character of a UTF-16LE string. Lone surrogates and a dangling odd
 * byte become U+FFFD; so does U+0000, which would otherwise end the C string
 * early and hide the rest of the name.
 */
static uint32_t next_utf16_char(cssp_reader *r)
{
    uint16_t unit, low;
    if (!cssp_get_le16(r, &unit))
        return UNICODE_REPLACEMENT;
    if (is_high_surrogate(unit)) {
        cssp_reader ahead = *r;
        if (cssp_get_le16(&ahead, &low) && is_low_surrogate(low)) {
            *r = ahead;
            return 0x10000u + (((uint32_t)unit - 0xd800u) << 10) + ((uint32_t)low - 0xdc00u);
        }
        return UNICODE_REPLACEMENT;
    }
    if (is_low_surrogate(unit) || unit == 0)
        return UNICODE_REPLACEMENT;
    return unit;
}

/* The next character of an OEM string: its code page is not on the wire, so only ASCII is trusted. */
static uint32_t next_oem_char(cssp_reader *r)
{
    uint8_t b;
    cssp_get_u8(r, &b);
    return b > 0 && b < 0x80 ? b : UNICODE_REPLACEMENT;
}

static void decode_name(const cssp_reader *msg, const ntlm_field *f, bool unicode, char *out, size_t size)
{
    cssp_reader r;
    size_t used = 0;
    if (f->len > 0 && field_reader(msg, f, &r)) {
        while (cssp_reader_remaining(&r) > 0) {
            uint32_t cp = unicode ? next_utf16_char(&r) : next_oem_char(&r);
            if (!put_utf8(out, size, &used, cp))
                break;
        }
    }
    out[used] = '\0';
}

static cssp_status decode_negotiate(cssp_reader *r, cssp_ntlm_message *m)
{
    ntlm_field fields[2]; /* DomainNameFields, WorkstationFields */
    cssp_get_le32(r, &m->flags);
    get_field(r, &fields[0]);
    get_field(r, &fields[1]);
    return finish_header(r, fields, 2, m);
}

static cssp_status decode_challenge(cssp_reader *r, cssp_ntlm_message *m)
{
    ntlm_field fields[2]; /* TargetNameFields, TargetInfoFields */
    get_field(r, &fields[0]);
    cssp_get_le32(r, &m->flags);
    cssp_skip(r, NTLM_CHALLENGE_AND_RESERVED_LEN);
    get_field(r, &fields[1]);
    return finish_header(r, fields, 2, m);
}

static cssp_status decode_authenticate(cssp_reader *r, cssp_ntlm_message *m)
{
    /* The fixed header's descriptors in wire order; the responses and the key are bounds-checked, never read. */
    enum { AUTH_LM_RESPONSE, AUTH_NT_RESPONSE, AUTH_DOMAIN, AUTH_USER, AUTH_WORKSTATION, AUTH_SESSION_KEY, AUTH_FIELDS };
    ntlm_field fields[AUTH_FIELDS];
    for (size_t i = 0; i < AUTH_FIELDS; i++)
        get_field(r, &fields[i]);
    cssp_get_le32(r, &m->flags);
    cssp_status st = finish_header(r, fields, AUTH_FIELDS, m);
    if (st != CSSP_OK)
        return st;
    bool unicode = (m->flags & NTLM_FLAG_UNICODE) != 0;
    decode_name(r, &fields[AUTH_DOMAIN], unicode, m->domain, sizeof m->domain);
    decode_name(r, &fields[AUTH_USER], unicode, m->user, sizeof m->user);
    decode_name(r, &fields[AUTH_WORKSTATION], unicode, m->workstation, sizeof m->workstation);
    return CSSP_OK;
}

cssp_status cssp_ntlm_decode(const uint8_t *data, size_t len, cssp_ntlm_message *out)
{
    cssp_reader r;
    memset(out, 0, sizeof *out);
    cssp_reader_init(&r, data, len);
    if (!cssp_reader_starts_with(&r, NTLM_SIGNATURE, NTLM_SIGNATURE_LEN))
        return len < NTLM_SIGNATURE_LEN && cssp_reader_starts_with(&r, NTLM_SIGNATURE, len) ? CSSP_ERR_TRUNCATED
                                                                                             : CSSP_ERR_NOT_RECOGNISED;
    cssp_skip(&r, NTLM_SIGNATURE_LEN);
    if (!cssp_get_le32(&r, &out->type))
        return CSSP_ERR_TRUNCATED;
    switch (out->type) {
    case CSSP_NTLM_NEGOTIATE: return decode_negotiate(&r, out);
    case CSSP_NTLM_CHALLENGE: return decode_challenge(&r, out);
    case CSSP_NTLM_AUTHENTICATE: return decode_authenticate(&r, out);
    }
    return CSSP_OK; /* a type we do not know: only the type is meaningful */
}

/* A mechanism token (SPNEGO mechToken / responseToken, or a whole negoToken): NTLM, Kerberos or NEGOEX. */
static cssp_status inspect_mech_token(const uint8_t *data, size_t offset, size_t len, cssp_token_info *out)
{
    const uint8_t *token = data + offset;
    cssp_reader r;
    cssp_reader_init(&r, token, len);
    if (cssp_reader_starts_with(&r, NTLM_SIGNATURE, NTLM_SIGNATURE_LEN)) {
        cssp_status st = cssp_ntlm_decode(token, len, &out->ntlm);
        out->package = CSSP_PACKAGE_NTLM;
        out->has_ntlm = st == CSSP_OK;
        out->ntlm_offset = offset;
        return st;
    }
    if (cssp_is_negoex_message(token, len)) {
        out->package = CSSP_PACKAGE_NEGOEX;
        return CSSP_OK;
    }
    cssp_status st = cssp_krb_decode(token, len, &out->krb);
    if (st == CSSP_ERR_NOT_RECOGNISED)
        return CSSP_OK;
    out->has_krb = true;
    out->package = out->krb.pku2u ? CSSP_PACKAGE_PKU2U : CSSP_PACKAGE_KERBEROS;
    return st;
}

cssp_status cssp_token_inspect(const uint8_t *data, size_t len, cssp_token_info *out)
{
    memset(out, 0, sizeof *out);
    if (len == 0)
        return CSSP_OK;
    cssp_status st = cssp_spnego_decode(data, len, &out->spnego);
    if (st == CSSP_ERR_NOT_RECOGNISED) {
        memset(&out->spnego, 0, sizeof out->spnego);
        st = inspect_mech_token(data, 0, len, out);
        if (out->has_ntlm || out->package == CSSP_PACKAGE_NTLM)
            out->kind = CSSP_TOKEN_NTLMSSP;
        else if (out->has_krb)
            out->kind = CSSP_TOKEN_KERBEROS;
        return st;
    }
    out->has_spnego = true;
    out->kind = out->spnego.init ? CSSP_TOKEN_SPNEGO_INIT : CSSP_TOKEN_SPNEGO_RESP;
    if (st == CSSP_OK && out->spnego.has_token)
        st = inspect_mech_token(data, out->spnego.token_offset, out->spnego.token_len, out);
    if (out->package == CSSP_PACKAGE_NONE && out->spnego.has_supported_mech)
        out->package = out->spnego.supported_mech;
    return st;
}

const char *cssp_token_kind_name(cssp_token_kind kind)
{
    switch (kind) {
    case CSSP_TOKEN_UNKNOWN: return "unknown";
    case CSSP_TOKEN_NTLMSSP: return "NTLMSSP";
    case CSSP_TOKEN_SPNEGO_INIT: return "SPNEGO NegTokenInit";
    case CSSP_TOKEN_SPNEGO_RESP: return "SPNEGO NegTokenResp";
    case CSSP_TOKEN_KERBEROS: return "Kerberos";
    }
    return "unknown";
}

const char *cssp_ntlm_type_name(uint32_t type)
{
    switch (type) {
    case CSSP_NTLM_NEGOTIATE: return "NEGOTIATE";
    case CSSP_NTLM_CHALLENGE: return "CHALLENGE";
    case CSSP_NTLM_AUTHENTICATE: return "AUTHENTICATE";
    }
    return NULL;
}

/* ---- the server's names in a CHALLENGE ----------------------------------------------- */

enum {
    AV_EOL = 0,
    AV_NB_COMPUTER = 1,
    AV_NB_DOMAIN = 2,
    AV_DNS_COMPUTER = 3,
    AV_DNS_DOMAIN = 4,
    AV_DNS_TREE = 5
};

static char *av_name_slot(cssp_ntlm_target *out, uint16_t id)
{
    switch (id) {
    case AV_NB_COMPUTER: return out->netbios_computer;
    case AV_NB_DOMAIN: return out->netbios_domain;
    case AV_DNS_COMPUTER: return out->dns_computer;
    case AV_DNS_DOMAIN: return out->dns_domain;
    case AV_DNS_TREE: return out->dns_tree;
    }
    return NULL;
}

/* The AV_PAIR list ([MS-NLMP] 2.2.2.1): AvId, AvLen, value; names are always UTF-16LE. */
static cssp_status read_av_pairs(const cssp_reader *msg, const ntlm_field *info, cssp_ntlm_target *out)
{
    cssp_reader pairs;
    if (info->len == 0)
        return CSSP_OK;
    if (!field_reader(msg, info, &pairs))
        return CSSP_ERR_LENGTH_PAST_END;
    while (cssp_reader_remaining(&pairs) > 0) {
        uint16_t id, value_len;
        cssp_get_le16(&pairs, &id);
        cssp_get_le16(&pairs, &value_len);
        if (pairs.overrun)
            return CSSP_ERR_LENGTH_PAST_END;
        if (id == AV_EOL)
            return CSSP_OK;
        ntlm_field value = {.len = value_len, .offset = (uint32_t)pairs.pos};
        if (!cssp_skip(&pairs, value_len))
            return CSSP_ERR_LENGTH_PAST_END;
        char *slot = av_name_slot(out, id);
        if (slot && !slot[0])
            decode_name(msg, &value, true, slot, CSSP_NTLM_NAME_MAX);
    }
    return CSSP_OK;
}

cssp_status cssp_ntlm_challenge_target(const uint8_t *data, size_t len, cssp_ntlm_target *out)
{
    cssp_ntlm_message m;
    memset(out, 0, sizeof *out);
    cssp_status st = cssp_ntlm_decode(data, len, &m);
    if (st != CSSP_OK)
        return st;
    if (m.type != CSSP_NTLM_CHALLENGE)
        return CSSP_ERR_NOT_RECOGNISED;
    /* cssp_ntlm_decode() has checked the fixed header and that both fields lie inside the message. */
    cssp_reader r;
    ntlm_field target_name, target_info;
    cssp_reader_init(&r, data, len);
    cssp_skip(&r, NTLM_SIGNATURE_LEN + 4);
    get_field(&r, &target_name);
    cssp_skip(&r, 4 + NTLM_CHALLENGE_AND_RESERVED_LEN);
    get_field(&r, &target_info);
    decode_name(&r, &target_name, (m.flags & NTLM_FLAG_UNICODE) != 0, out->target_name, sizeof out->target_name);
    return read_av_pairs(&r, &target_info, out);
}
