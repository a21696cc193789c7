/*
 * x224.c - TPKT (RFC 1006), the X.224 Connection Request / Confirm of an RDP
 * connection and its negotiation structures ([MS-RDPBCGR] 2.2.1.1, 2.2.1.2);
 * see x224.h.
 *
 * Choices worth knowing:
 *  - RDP carries the cookie and the RDP_NEG_* structures inside the X.224
 *    header, so for CR and CC the length indicator must cover exactly the
 *    rest of the TPKT (LI = TPKT length - 5). A mismatch either way is
 *    malformed: bytes outside the header would belong to no field.
 *  - In a CR, whatever comes before the RDP_NEG_REQ (type byte 0x01) is a
 *    CRLF-terminated token: "Cookie: mstshash=NAME" or a routing token.
 *  - Negotiation structures must say length 8 (36 for the correlation info);
 *    anything else is refused rather than guessed at.
 */
#include "cssp/x224.h"

#include <string.h>

#include "cssp/reader.h"

#define TPKT_VERSION 3
#define TPKT_HEADER_LEN 4
#define TPKT_MIN_LENGTH 7           /* RFC 1006: header + the shortest TPDU header */
#define X224_CR_CC_FIXED_LEN 6      /* code, DST-REF, SRC-REF, class (after the LI byte) */
#define X224_DT_FIXED_LEN 2         /* code, EOT/TPDU-NR */
#define X224_CODE_MASK 0xf0
#define X224_CODE_CR 0xe0
#define X224_CODE_CC 0xd0
#define X224_CODE_DT 0xf0

#define NEG_STRUCT_LEN 8
#define CORRELATION_INFO_LEN 36
#define CORRELATION_INFO_BODY_LEN 32 /* correlationId (16) + reserved (16) */
#define NEG_REQ_FLAG_CORRELATION_INFO_PRESENT 0x08

#define EARLY_AUTH_RESULT_LEN 4

cssp_status cssp_tpkt_size(const uint8_t *data, size_t avail, size_t *pdu_len)
{
    cssp_reader r;
    uint8_t version, reserved;
    uint16_t length;
    *pdu_len = 0;
    cssp_reader_init(&r, data, avail);
    cssp_get_u8(&r, &version);
    cssp_get_u8(&r, &reserved);
    cssp_get_be16(&r, &length);
    if (r.overrun)
        return CSSP_ERR_TRUNCATED;
    /* Requiring the reserved byte to be zero too keeps other protocols starting with 0x03 out. */
    if (version != TPKT_VERSION || reserved != 0)
        return CSSP_ERR_NOT_RECOGNISED;
    if (length < TPKT_MIN_LENGTH)
        return CSSP_ERR_BAD_ENCODING;
    *pdu_len = length;
    return CSSP_OK;
}

/* Copies token bytes as printable ASCII, replacing others with '?', cut to fit the NUL. */
static void copy_printable(cssp_reader *token, char *out, size_t size)
{
    size_t used = 0;
    uint8_t c;
    while (used + 1 < size && cssp_get_u8(token, &c))
        out[used++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    out[used] = '\0';
}

/* A CRLF-terminated token at r's position: the cookie name or the whole routing token. */
static cssp_status read_token(cssp_reader *r, cssp_x224 *out)
{
    static const char cookie_prefix[] = "Cookie: mstshash=";
    const size_t prefix_len = sizeof cookie_prefix - 1;
    cssp_reader scan = *r;
    size_t token_len = 0;
    while (!cssp_reader_starts_with(&scan, "\r\n", 2)) {
        if (!cssp_skip(&scan, 1))
            return CSSP_ERR_BAD_ENCODING; /* no CRLF before the end of the header */
        token_len++;
    }
    cssp_reader token;
    cssp_get_sub(r, token_len, &token);
    cssp_skip(r, 2);
    if (cssp_reader_starts_with(&token, cookie_prefix, prefix_len)) {
        cssp_skip(&token, prefix_len);
        out->token_kind = CSSP_X224_COOKIE;
    } else {
        out->token_kind = CSSP_X224_ROUTING_TOKEN;
    }
    copy_printable(&token, out->cookie, sizeof out->cookie);
    return CSSP_OK;
}

/*
 * type, flags, length (must be 8) and the 32-bit value of an RDP_NEG_REQ (in a request) or an RDP_NEG_RSP /
 * RDP_NEG_FAILURE (in a confirm). *out is set only when the structure is valid.
 */
static cssp_status read_neg_struct(cssp_reader *r, bool in_request, cssp_x224 *out)
{
    uint8_t type, flags;
    uint16_t length;
    uint32_t value;
    cssp_get_u8(r, &type);
    cssp_get_u8(r, &flags);
    cssp_get_le16(r, &length);
    cssp_get_le32(r, &value);
    if (r->overrun)
        return CSSP_ERR_BAD_ENCODING; /* cut short by the LI of a complete PDU: malformed, not truncated */
    bool type_fits = in_request ? type == CSSP_NEG_TYPE_REQ
                                : type == CSSP_NEG_TYPE_RSP || type == CSSP_NEG_TYPE_FAILURE;
    if (length != NEG_STRUCT_LEN || !type_fits)
        return CSSP_ERR_BAD_ENCODING;
    out->has_neg = true;
    out->neg_type = type;
    out->neg_flags = flags;
    out->neg_value = value;
    return CSSP_OK;
}

static cssp_status read_correlation_info(cssp_reader *r, cssp_x224 *out)
{
    uint8_t type, flags;
    uint16_t length;
    cssp_get_u8(r, &type);
    cssp_get_u8(r, &flags);
    cssp_get_le16(r, &length);
    const uint8_t *id;
    if (cssp_get_bytes(r, CSSP_CORRELATION_ID_LEN, &id))
        memcpy(out->correlation_id, id, CSSP_CORRELATION_ID_LEN);
    cssp_skip(r, CORRELATION_INFO_BODY_LEN - CSSP_CORRELATION_ID_LEN);
    if (r->overrun)
        return CSSP_ERR_BAD_ENCODING;
    if (type != CSSP_NEG_TYPE_CORRELATION_INFO || length != CORRELATION_INFO_LEN)
        return CSSP_ERR_BAD_ENCODING;
    out->has_correlation_info = true;
    return CSSP_OK;
}

/* The variable part of a Connection Request: [token CRLF] [RDP_NEG_REQ [RDP_NEG_CORRELATION_INFO]]. */
static cssp_status read_request(cssp_reader *r, cssp_x224 *out)
{
    uint8_t type;
    cssp_reader ahead = *r;
    cssp_status st = CSSP_OK;
    if (cssp_get_u8(&ahead, &type) && type != CSSP_NEG_TYPE_REQ)
        st = read_token(r, out);
    if (st != CSSP_OK || cssp_reader_remaining(r) == 0)
        return st;
    st = read_neg_struct(r, true, out);
    if (st == CSSP_OK && (out->neg_flags & NEG_REQ_FLAG_CORRELATION_INFO_PRESENT))
        st = read_correlation_info(r, out);
    return st;
}

/* The variable part of a Connection Confirm: nothing (legacy) or an RDP_NEG_RSP / RDP_NEG_FAILURE. */
static cssp_status read_confirm(cssp_reader *r, cssp_x224 *out)
{
    return cssp_reader_remaining(r) == 0 ? CSSP_OK : read_neg_struct(r, false, out);
}

static cssp_x224_kind kind_of(uint8_t code)
{
    switch (code) {
    case X224_CODE_CR: return CSSP_X224_CONNECTION_REQUEST;
    case X224_CODE_CC: return CSSP_X224_CONNECTION_CONFIRM;
    case X224_CODE_DT: return CSSP_X224_DATA;
    }
    return CSSP_X224_OTHER;
}

cssp_status cssp_x224_decode(const uint8_t *data, size_t len, cssp_x224 *out)
{
    cssp_reader stream, tpkt, x224;
    size_t pdu_len;
    uint8_t li, code;
    memset(out, 0, sizeof *out);
    out->kind = CSSP_X224_OTHER;
    cssp_status st = cssp_tpkt_size(data, len, &pdu_len);
    if (st != CSSP_OK)
        return st;
    out->tpkt_length = pdu_len;
    cssp_reader_init(&stream, data, len);
    if (!cssp_get_sub(&stream, pdu_len, &tpkt))
        return CSSP_ERR_TRUNCATED;
    cssp_skip(&tpkt, TPKT_HEADER_LEN);
    cssp_get_u8(&tpkt, &li); /* present: the TPKT length is at least TPKT_MIN_LENGTH */
    if (!cssp_get_sub(&tpkt, li, &x224))
        return CSSP_ERR_LENGTH_PAST_END;
    if (!cssp_get_u8(&x224, &code))
        return CSSP_ERR_BAD_ENCODING; /* LI 0: no TPDU code */
    out->x224_code = code & X224_CODE_MASK;
    out->kind = kind_of(out->x224_code);
    switch (out->kind) {
    case CSSP_X224_DATA:
        return li < X224_DT_FIXED_LEN ? CSSP_ERR_BAD_ENCODING : CSSP_OK;
    case CSSP_X224_OTHER:
        return CSSP_OK;
    case CSSP_X224_CONNECTION_REQUEST:
    case CSSP_X224_CONNECTION_CONFIRM:
        break;
    }
    if (li < X224_CR_CC_FIXED_LEN || cssp_reader_remaining(&tpkt) != 0)
        return CSSP_ERR_BAD_ENCODING;
    cssp_skip(&x224, X224_CR_CC_FIXED_LEN - 1); /* DST-REF, SRC-REF, class option */
    st = out->kind == CSSP_X224_CONNECTION_REQUEST ? read_request(&x224, out) : read_confirm(&x224, out);
    if (st == CSSP_OK && cssp_reader_remaining(&x224) != 0)
        st = CSSP_ERR_BAD_ENCODING; /* bytes after the last structure */
    return st;
}

cssp_status cssp_early_auth_result_decode(const uint8_t *data, size_t len, uint32_t *result)
{
    cssp_reader r;
    cssp_reader_init(&r, data, len);
    if (!cssp_get_le32(&r, result))
        return CSSP_ERR_TRUNCATED;
    return len == EARLY_AUTH_RESULT_LEN ? CSSP_OK : CSSP_ERR_BAD_ENCODING;
}
