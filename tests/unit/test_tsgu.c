/*
 * test_tsgu.c - the RD Gateway HTTP transport packets, built here field by field from [MS-TSGU] 2.2.10 as a
 * client and a gateway send them: the tunnel set-up, DATA, KEEPALIVE, CLOSE_CHANNEL, refusals with their
 * HRESULTs, every truncation and the length rules.
 */
#include <stdlib.h>

#include "check.h"
#include "cssp/names.h"
#include "cssp/tsgu.h"

typedef struct builder {
    uint8_t b[1024];
    size_t len;
} builder;

static void u8(builder *p, uint8_t v)
{
    p->b[p->len++] = v;
}

static void le16(builder *p, uint16_t v)
{
    u8(p, (uint8_t)v);
    u8(p, (uint8_t)(v >> 8));
}

static void le32(builder *p, uint32_t v)
{
    le16(p, (uint16_t)v);
    le16(p, (uint16_t)(v >> 16));
}

/* cbLen (bytes, the terminating NUL included) and the UTF-16LE string */
static void utf16(builder *p, const char *s)
{
    le16(p, (uint16_t)((strlen(s) + 1) * 2));
    for (; *s; s++)
        le16(p, (uint8_t)*s);
    le16(p, 0);
}

static void start(builder *p, uint16_t type)
{
    p->len = 0;
    le16(p, type);
    le16(p, 0);
    le32(p, 0); /* patched by finish() */
}

static void finish(builder *p)
{
    uint32_t n = (uint32_t)p->len;
    for (int i = 0; i < 4; i++)
        p->b[4 + i] = (uint8_t)(n >> (8 * i));
}

static cssp_status decode_copy(const builder *p, size_t len, cssp_tsgu_packet *out)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        abort();
    memcpy(copy, p->b, len);
    cssp_status st = cssp_tsgu_decode(copy, len, out);
    if (out->data) /* keep DATA checks meaningful after the copy is gone */
        out->data = p->b + (out->data - copy);
    free(copy);
    return st;
}

static void test_setup_sequence(void)
{
    builder p;
    cssp_tsgu_packet pkt;

    start(&p, CSSP_TSGU_HANDSHAKE_REQUEST);
    u8(&p, 1), u8(&p, 0), le16(&p, 0), le16(&p, CSSP_TSGU_EXTAUTH_SSPI_NTLM);
    finish(&p);
    CHECK_EQ_U(p.len, 14);
    CHECK_EQ_U(decode_copy(&p, p.len, &pkt), CSSP_OK);
    CHECK_EQ_U(pkt.type, CSSP_TSGU_HANDSHAKE_REQUEST);
    CHECK(pkt.version_major == 1 && pkt.version_minor == 0);
    CHECK_EQ_U(pkt.extended_auth, CSSP_TSGU_EXTAUTH_SSPI_NTLM);
    CHECK(!pkt.has_status);

    start(&p, CSSP_TSGU_HANDSHAKE_RESPONSE);
    le32(&p, 0), u8(&p, 1), u8(&p, 0), le16(&p, 0), le16(&p, 0);
    finish(&p);
    CHECK_EQ_U(decode_copy(&p, p.len, &pkt), CSSP_OK);
    CHECK(pkt.has_status && pkt.status == 0);

    start(&p, CSSP_TSGU_TUNNEL_CREATE);
    le32(&p, 0x3F), le16(&p, 0x1), le16(&p, 0), utf16(&p, "cookie");
    finish(&p);
    CHECK_EQ_U(decode_copy(&p, p.len, &pkt), CSSP_OK);
    CHECK_EQ_U(pkt.caps, 0x3F);
    CHECK(pkt.has_paa_cookie);

    start(&p, CSSP_TSGU_TUNNEL_RESPONSE);
    le16(&p, 5), le32(&p, 0), le16(&p, 0x3), le16(&p, 0), le32(&p, 0x1234), le32(&p, 0x3F);
    finish(&p);
    CHECK_EQ_U(decode_copy(&p, p.len, &pkt), CSSP_OK);
    CHECK(pkt.has_tunnel_id && pkt.tunnel_id == 0x1234);

    start(&p, CSSP_TSGU_TUNNEL_AUTH);
    le16(&p, 0), utf16(&p, "CLIENT-PC");
    finish(&p);
    CHECK_EQ_U(decode_copy(&p, p.len, &pkt), CSSP_OK);
    CHECK_EQ_STR(pkt.client_name, "CLIENT-PC");

    start(&p, CSSP_TSGU_TUNNEL_AUTH_RESPONSE);
    le32(&p, 0), le16(&p, 0x3), le16(&p, 0), le32(&p, 0), le32(&p, 30);
    finish(&p);
    CHECK_EQ_U(decode_copy(&p, p.len, &pkt), CSSP_OK);
    CHECK(pkt.has_status && pkt.status == 0);

    start(&p, CSSP_TSGU_CHANNEL_CREATE);
    u8(&p, 1), u8(&p, 1), le16(&p, 3389), le16(&p, 3);
    utf16(&p, "IT-HELP-TEST.ad.it-help.ninja");
    utf16(&p, "10.10.0.5");
    finish(&p);
    CHECK_EQ_U(decode_copy(&p, p.len, &pkt), CSSP_OK);
    CHECK_EQ_STR(pkt.resource, "IT-HELP-TEST.ad.it-help.ninja");
    CHECK(pkt.resource_count == 1 && pkt.alt_resource_count == 1);
    CHECK(pkt.port == 3389 && pkt.protocol == 3);

    start(&p, CSSP_TSGU_CHANNEL_RESPONSE);
    le32(&p, 0), le16(&p, 0x1), le16(&p, 0), le32(&p, 7);
    finish(&p);
    CHECK_EQ_U(decode_copy(&p, p.len, &pkt), CSSP_OK);
    CHECK(pkt.has_channel_id && pkt.channel_id == 7);
}

static void test_data_and_close(void)
{
    builder p;
    cssp_tsgu_packet pkt;
    const uint8_t x224[] = {0x03, 0x00, 0x00, 0x13, 0x0e, 0xe0, 0, 0, 0, 0, 0, 0x01, 0, 0x08, 0, 0x0b, 0, 0, 0};
    start(&p, CSSP_TSGU_DATA);
    le16(&p, sizeof x224);
    for (size_t i = 0; i < sizeof x224; i++)
        u8(&p, x224[i]);
    finish(&p);
    CHECK_EQ_U(decode_copy(&p, p.len, &pkt), CSSP_OK);
    CHECK_EQ_U(pkt.data_len, sizeof x224);
    CHECK(pkt.data && memcmp(pkt.data, x224, sizeof x224) == 0);
    /* every cut is truncated, never read past */
    for (size_t cut = 0; cut < p.len; cut++)
        CHECK_EQ_U(decode_copy(&p, cut, &pkt), CSSP_ERR_TRUNCATED);
    /* cbDataLen claiming more than the packet holds */
    p.b[8] = 0xFF;
    CHECK_EQ_U(decode_copy(&p, p.len, &pkt), CSSP_ERR_LENGTH_PAST_END);
    CHECK(pkt.data == NULL && pkt.data_len == 0 && pkt.type == CSSP_TSGU_DATA);

    start(&p, CSSP_TSGU_KEEPALIVE);
    finish(&p);
    CHECK_EQ_U(decode_copy(&p, p.len, &pkt), CSSP_OK);
    CHECK_EQ_U(pkt.length, 8);

    start(&p, CSSP_TSGU_CLOSE_CHANNEL);
    le32(&p, 0);
    finish(&p);
    CHECK_EQ_U(decode_copy(&p, p.len, &pkt), CSSP_OK);
    CHECK(pkt.has_status && pkt.status == 0);
}

static void test_refusals(void)
{
    builder p;
    cssp_tsgu_packet pkt;
    start(&p, CSSP_TSGU_CHANNEL_RESPONSE);
    le32(&p, 0x800759DA), le16(&p, 0), le16(&p, 0);
    finish(&p);
    CHECK_EQ_U(decode_copy(&p, p.len, &pkt), CSSP_OK);
    CHECK_EQ_U(pkt.status, 0x800759DA);
    CHECK_EQ_STR(cssp_tsgu_status_name(pkt.status), "E_PROXY_RAP_ACCESSDENIED");
    CHECK_EQ_STR(cssp_tsgu_status_name(0x800759DD), "E_PROXY_TS_CONNECTFAILED");
    char buf[32];
    CHECK_EQ_STR(cssp_format_tsgu_status(0x80075999, buf, sizeof buf), "0x80075999");
    CHECK_EQ_STR(cssp_tsgu_packet_name(CSSP_TSGU_CHANNEL_CREATE), "CHANNEL_CREATE");
}

static void test_sizes(void)
{
    const uint8_t short_length[] = {0x0A, 0, 0, 0, 0x07, 0, 0, 0};
    const uint8_t huge[] = {0x0A, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F};
    const uint8_t unknown[] = {0x0E, 0, 0, 0, 0x08, 0, 0, 0};
    const uint8_t zero_type[] = {0x00, 0, 0, 0, 0x08, 0, 0, 0};
    const uint8_t keepalive[] = {0x0D, 0, 0, 0, 0x08, 0, 0, 0};
    size_t size;
    CHECK_EQ_U(cssp_tsgu_packet_size(short_length, sizeof short_length, &size), CSSP_ERR_BAD_ENCODING);
    CHECK_EQ_U(cssp_tsgu_packet_size(huge, sizeof huge, &size), CSSP_ERR_LENGTH_TOO_LONG);
    CHECK_EQ_U(cssp_tsgu_packet_size(unknown, sizeof unknown, &size), CSSP_ERR_BAD_ENCODING);
    CHECK_EQ_U(cssp_tsgu_packet_size(zero_type, sizeof zero_type, &size), CSSP_ERR_BAD_ENCODING);
    CHECK_EQ_U(cssp_tsgu_packet_size(keepalive, 7, &size), CSSP_ERR_TRUNCATED);
    CHECK_EQ_U(cssp_tsgu_packet_size(keepalive, sizeof keepalive, &size), CSSP_OK);
    CHECK_EQ_U(size, 8);

    /* a resource name with non-ASCII characters and an odd length stays inside its field */
    builder p;
    cssp_tsgu_packet pkt;
    start(&p, CSSP_TSGU_CHANNEL_CREATE);
    u8(&p, 1), u8(&p, 0), le16(&p, 3389), le16(&p, 3);
    le16(&p, 5), le16(&p, 'a'), le16(&p, 0x00E9), u8(&p, 'x');
    finish(&p);
    CHECK_EQ_U(decode_copy(&p, p.len, &pkt), CSSP_OK);
    CHECK_EQ_STR(pkt.resource, "a?");
    /* more resources announced than present */
    start(&p, CSSP_TSGU_CHANNEL_CREATE);
    u8(&p, 3), u8(&p, 0), le16(&p, 3389), le16(&p, 3);
    utf16(&p, "one");
    finish(&p);
    CHECK_EQ_U(decode_copy(&p, p.len, &pkt), CSSP_ERR_LENGTH_PAST_END);
}

int main(void)
{
    test_setup_sequence();
    test_data_and_close();
    test_refusals();
    test_sizes();
    return check_summary("tsgu");
}
