/*
 * tsgu.c - the RD Gateway HTTP transport packets (see tsgu.h). Layouts from [MS-TSGU] 2.2.10.1-2.2.10.20;
 * the optional fields follow in the order of their fieldsPresent bits.
 */
#include "cssp/tsgu.h"

#include <string.h>

#include "cssp/reader.h"

enum {
    TUNNEL_CREATE_FIELD_PAA_COOKIE = 0x1,
    TUNNEL_RESPONSE_FIELD_TUNNEL_ID = 0x1,
    CHANNEL_RESPONSE_FIELD_CHANNEL_ID = 0x1
};

cssp_status cssp_tsgu_packet_size(const uint8_t *data, size_t len, size_t *size)
{
    *size = 0;
    cssp_reader r;
    cssp_reader_init(&r, data, len);
    uint16_t type, reserved;
    uint32_t length;
    if (!cssp_get_le16(&r, &type) || !cssp_get_le16(&r, &reserved) || !cssp_get_le32(&r, &length))
        return CSSP_ERR_TRUNCATED;
    if (type < CSSP_TSGU_HANDSHAKE_REQUEST || type > CSSP_TSGU_CLOSE_CHANNEL_RESPONSE ||
        (type > CSSP_TSGU_KEEPALIVE && type < CSSP_TSGU_CLOSE_CHANNEL) || length < CSSP_TSGU_HEADER_LEN)
        return CSSP_ERR_BAD_ENCODING;
    if (length > CSSP_TSGU_MAX_PACKET)
        return CSSP_ERR_LENGTH_TOO_LONG;
    *size = length;
    return CSSP_OK;
}

/* A UTF-16LE string of n bytes as printable ASCII, cut to fit; a terminating NUL ends it early. */
static void get_utf16_name(cssp_reader *r, size_t n, char *out, size_t size)
{
    size_t used = 0;
    bool ended = false;
    for (size_t i = 0; i < n / 2; i++) {
        uint16_t u;
        if (!cssp_get_le16(r, &u))
            break;
        ended = ended || u == 0;
        if (!ended && used + 1 < size)
            out[used++] = u >= 0x20 && u < 0x7f ? (char)u : '?';
    }
    if (n & 1)
        cssp_skip(r, 1);
    out[used] = '\0';
}

/* A 16-bit byte count and that many bytes, skipped. */
static void skip_counted(cssp_reader *r)
{
    uint16_t n;
    if (cssp_get_le16(r, &n))
        cssp_skip(r, n);
}

static void decode_body(cssp_reader *r, cssp_tsgu_packet *p)
{
    uint16_t u16;
    switch (p->type) {
    case CSSP_TSGU_HANDSHAKE_REQUEST:
        cssp_get_u8(r, &p->version_major);
        cssp_get_u8(r, &p->version_minor);
        cssp_get_le16(r, &u16); /* clientVersion, 0 */
        cssp_get_le16(r, &p->extended_auth);
        break;
    case CSSP_TSGU_HANDSHAKE_RESPONSE:
        p->has_status = cssp_get_le32(r, &p->status);
        cssp_get_u8(r, &p->version_major);
        cssp_get_u8(r, &p->version_minor);
        cssp_get_le16(r, &u16); /* serverVersion */
        cssp_get_le16(r, &p->extended_auth);
        break;
    case CSSP_TSGU_TUNNEL_CREATE:
        cssp_get_le32(r, &p->caps);
        cssp_get_le16(r, &p->fields_present);
        cssp_get_le16(r, &u16); /* reserved */
        if (p->fields_present & TUNNEL_CREATE_FIELD_PAA_COOKIE) {
            p->has_paa_cookie = true;
            skip_counted(r); /* the cookie is a credential: never kept */
        }
        break;
    case CSSP_TSGU_TUNNEL_RESPONSE:
        cssp_get_le16(r, &u16); /* serverVersion */
        p->has_status = cssp_get_le32(r, &p->status);
        cssp_get_le16(r, &p->fields_present);
        cssp_get_le16(r, &u16); /* reserved */
        if (p->fields_present & TUNNEL_RESPONSE_FIELD_TUNNEL_ID)
            p->has_tunnel_id = cssp_get_le32(r, &p->tunnel_id);
        break;
    case CSSP_TSGU_TUNNEL_AUTH:
        cssp_get_le16(r, &p->fields_present);
        if (cssp_get_le16(r, &u16))
            get_utf16_name(r, u16, p->client_name, sizeof p->client_name);
        break;
    case CSSP_TSGU_TUNNEL_AUTH_RESPONSE:
    case CSSP_TSGU_CHANNEL_RESPONSE:
        p->has_status = cssp_get_le32(r, &p->status);
        cssp_get_le16(r, &p->fields_present);
        cssp_get_le16(r, &u16); /* reserved */
        if (p->type == CSSP_TSGU_CHANNEL_RESPONSE && (p->fields_present & CHANNEL_RESPONSE_FIELD_CHANNEL_ID))
            p->has_channel_id = cssp_get_le32(r, &p->channel_id);
        break;
    case CSSP_TSGU_CHANNEL_CREATE:
        cssp_get_u8(r, &p->resource_count);
        cssp_get_u8(r, &p->alt_resource_count);
        cssp_get_le16(r, &p->port);
        cssp_get_le16(r, &p->protocol);
        for (unsigned i = 0; i < (unsigned)p->resource_count + p->alt_resource_count && !r->overrun; i++) {
            if (!cssp_get_le16(r, &u16))
                break;
            if (i == 0)
                get_utf16_name(r, u16, p->resource, sizeof p->resource);
            else
                cssp_skip(r, u16);
        }
        break;
    case CSSP_TSGU_DATA:
        if (cssp_get_le16(r, &u16)) {
            p->data_len = u16;
            cssp_get_bytes(r, u16, &p->data);
        }
        break;
    case CSSP_TSGU_CLOSE_CHANNEL:
    case CSSP_TSGU_CLOSE_CHANNEL_RESPONSE:
        p->has_status = cssp_get_le32(r, &p->status);
        break;
    case CSSP_TSGU_EXTENDED_AUTH_MSG:
    case CSSP_TSGU_SERVICE_MESSAGE:
        skip_counted(r);
        break;
    case CSSP_TSGU_REAUTH_MESSAGE:
        cssp_skip(r, 8);
        break;
    default: /* KEEPALIVE: no body */
        break;
    }
}

cssp_status cssp_tsgu_decode(const uint8_t *data, size_t len, cssp_tsgu_packet *out)
{
    memset(out, 0, sizeof *out);
    size_t size;
    cssp_status st = cssp_tsgu_packet_size(data, len, &size);
    if (st != CSSP_OK)
        return st;
    if (size > len)
        return CSSP_ERR_TRUNCATED;
    cssp_reader r, body;
    cssp_reader_init(&r, data, size);
    uint16_t reserved;
    cssp_get_le16(&r, &out->type);
    cssp_get_le16(&r, &reserved);
    cssp_get_le32(&r, &out->length);
    cssp_get_sub(&r, size - CSSP_TSGU_HEADER_LEN, &body);
    decode_body(&body, out);
    if (body.overrun) {
        uint16_t type = out->type;
        uint32_t length = out->length;
        memset(out, 0, sizeof *out);
        out->type = type;
        out->length = length;
        return CSSP_ERR_LENGTH_PAST_END;
    }
    return CSSP_OK;
}
