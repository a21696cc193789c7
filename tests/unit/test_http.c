/*
 * test_http.c - HTTP/1.1 heads and chunk-size lines: the request mstsc sends an RD Gateway and the gateway's
 * answers (101, 401 with a challenge), every truncation, the limits and malformed lines. Inputs are copied to
 * exact-size heap buffers so that ASan sees any read past them.
 */
#include <stdlib.h>

#include "check.h"
#include "cssp/http.h"

/* The request line and fields of mstsc's WebSocket request ([MS-TSGU] 2.2.5.1; tokens shortened). */
static const char mstsc_request[] =
    "RDG_OUT_DATA /remoteDesktopGateway/ HTTP/1.1\r\n"
    "Cache-Control: no-cache\r\n"
    "Connection: Upgrade\r\n"
    "Upgrade: websocket\r\n"
    "User-Agent: MS-RDGateway/1.0\r\n"
    "RDG-Connection-Id: {A8A42663-8E85-4743-97CE-CE77DA7A3716}\r\n"
    "Sec-WebSocket-Key: 9hGIMrHKoNH1iFWa4Jnu2g==\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "Host: it-help-gw.ad.it-help.ninja\r\n"
    "Authorization: Negotiate YIIHWwYGKwYBBQUCoIIHTzCC\r\n"
    "\r\n";

static const char challenge[] =
    "HTTP/1.1 401 Unauthorized\r\n"
    "Content-Type: text/plain\r\n"
    "WWW-Authenticate:   Negotiate TlRMTVNTUAACAAAA  \r\n"
    "Content-Length: 0\r\n"
    "\r\n"
    "trailing body";

static cssp_status decode_copy(const char *text, size_t len, cssp_http_head *head, uint8_t **copy)
{
    *copy = malloc(len ? len : 1);
    if (!*copy)
        abort();
    memcpy(*copy, text, len);
    return cssp_http_head_decode(*copy, len, head);
}

static void test_request(void)
{
    cssp_http_head h;
    uint8_t *buf;
    size_t len = strlen(mstsc_request);
    CHECK_EQ_U(decode_copy(mstsc_request, len, &h, &buf), CSSP_OK);
    CHECK(h.is_request);
    CHECK_EQ_STR(h.method, "RDG_OUT_DATA");
    CHECK_EQ_STR(h.target, "/remoteDesktopGateway/");
    CHECK_EQ_U(h.version_minor, 1);
    CHECK_EQ_U(h.head_len, len);
    CHECK_EQ_U(h.field_count, 9);
    CHECK(cssp_http_field_has_token(&h, buf, "connection", "upgrade"));
    CHECK(cssp_http_field_has_token(&h, buf, "UPGRADE", "WebSocket"));
    CHECK(!cssp_http_field_has_token(&h, buf, "Transfer-Encoding", "chunked"));
    const uint8_t *v;
    size_t vlen;
    CHECK(cssp_http_field_value(&h, buf, "Authorization", &v, &vlen));
    CHECK_EQ_U(cssp_http_auth_scheme(v, vlen), CSSP_HTTP_AUTH_NEGOTIATE);
    CHECK(cssp_http_field_value(&h, buf, "Host", &v, &vlen) && vlen == strlen("it-help-gw.ad.it-help.ninja"));
    CHECK(!cssp_http_field_value(&h, buf, "Cookie", &v, &vlen) && v == NULL);
    free(buf);

    /* every cut before the blank line is complete waits for more */
    for (size_t cut = 0; cut < len; cut++) {
        CHECK_EQ_U(decode_copy(mstsc_request, cut, &h, &buf), CSSP_ERR_TRUNCATED);
        free(buf);
    }
}

static void test_responses(void)
{
    cssp_http_head h;
    uint8_t *buf;
    CHECK_EQ_U(decode_copy(challenge, strlen(challenge), &h, &buf), CSSP_OK);
    CHECK(!h.is_request);
    CHECK_EQ_U(h.status, 401);
    CHECK_EQ_U(h.head_len, strlen(challenge) - strlen("trailing body"));
    const uint8_t *v;
    size_t vlen;
    CHECK(cssp_http_field_value(&h, buf, "www-authenticate", &v, &vlen));
    CHECK_EQ_U(vlen, strlen("Negotiate TlRMTVNTUAACAAAA")); /* surrounding whitespace is not the value's */
    CHECK_EQ_U(cssp_http_auth_scheme(v, vlen), CSSP_HTTP_AUTH_NEGOTIATE);
    free(buf);

    const char *upgrade = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
    CHECK_EQ_U(decode_copy(upgrade, strlen(upgrade), &h, &buf), CSSP_OK);
    CHECK_EQ_U(h.status, 101);
    CHECK(cssp_http_field_has_token(&h, buf, "Upgrade", "websocket"));
    free(buf);

    const char *chunked = "HTTP/1.0 200 OK\r\nTransfer-Encoding: gzip , chunked\r\n\r\n";
    CHECK_EQ_U(decode_copy(chunked, strlen(chunked), &h, &buf), CSSP_OK);
    CHECK_EQ_U(h.version_minor, 0);
    CHECK(cssp_http_field_has_token(&h, buf, "transfer-encoding", "chunked"));
    free(buf);
}

static void test_auth_schemes(void)
{
    static const struct {
        const char *value;
        cssp_http_auth scheme;
    } cases[] = {
        {"NTLM TlRMTVNTUAABAAAA", CSSP_HTTP_AUTH_NTLM}, {"basic dXNlcjpwYXNz", CSSP_HTTP_AUTH_BASIC},
        {"Bearer abc", CSSP_HTTP_AUTH_BEARER},          {"Digest realm=x", CSSP_HTTP_AUTH_DIGEST},
        {"Kerberos", CSSP_HTTP_AUTH_OTHER},             {"", CSSP_HTTP_AUTH_NONE},
        {"Negotiate", CSSP_HTTP_AUTH_NEGOTIATE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_EQ_U(cssp_http_auth_scheme((const uint8_t *)cases[i].value, strlen(cases[i].value)), cases[i].scheme);
    CHECK_EQ_STR(cssp_http_auth_name(CSSP_HTTP_AUTH_NTLM), "NTLM");
    CHECK(cssp_http_auth_name(CSSP_HTTP_AUTH_NONE) == NULL);
}

static void test_malformed(void)
{
    static const struct {
        const char *text;
        cssp_status expected;
    } cases[] = {
        {"\x16\x03\x01\x02", CSSP_ERR_NOT_RECOGNISED},        /* a TLS record, told apart before any CRLF */
        {"\x03\x00\x00\x13\x0e", CSSP_ERR_NOT_RECOGNISED},   /* TPKT */
        {"RDG_OUT_DATAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", CSSP_ERR_NOT_RECOGNISED}, /* no method is that long */
        {"GET /\r\n\r\n", CSSP_ERR_NOT_RECOGNISED},                       /* no version */
        {"GET / HTTP/2.0\r\n\r\n", CSSP_ERR_NOT_RECOGNISED},
        {"GET  / HTTP/1.1\r\n\r\n", CSSP_ERR_NOT_RECOGNISED},             /* empty target */
        {"HTTP/1.1 20 OK\r\n\r\n", CSSP_ERR_NOT_RECOGNISED},
        {"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", CSSP_ERR_BAD_ENCODING},
        {"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", CSSP_ERR_BAD_ENCODING},
        {"HTTP/1.1 200 OK\r\n folded: x\r\n\r\n", CSSP_ERR_BAD_ENCODING},
        {"HTTP/1.1 200 OK\r\nX: a\001b\r\n\r\n", CSSP_ERR_BAD_ENCODING},
        {"HTTP/1.1 200 OK\r\n:x\r\n\r\n", CSSP_ERR_BAD_ENCODING},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cssp_http_head h;
        uint8_t *buf;
        cssp_status st = decode_copy(cases[i].text, strlen(cases[i].text), &h, &buf);
        if (st != cases[i].expected)
            fprintf(stderr, "case %zu: %d\n", i, (int)st);
        CHECK_EQ_U(st, cases[i].expected);
        free(buf);
    }

    /* a target with control bytes is kept inert */
    cssp_http_head h;
    uint8_t *buf;
    const char *odd = "GET /a\033[31m HTTP/1.1\r\n\r\n";
    CHECK_EQ_U(decode_copy(odd, strlen(odd), &h, &buf), CSSP_OK);
    CHECK_EQ_STR(h.target, "/a?[31m");
    free(buf);
}

static void test_limits(void)
{
    /* a head that never ends is refused once it passes the limit, not buffered without bound */
    size_t len = CSSP_HTTP_MAX_HEAD + 100;
    char *big = malloc(len + 1);
    if (!big)
        abort();
    memset(big, 'a', len);
    memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
    big[len] = '\0';
    cssp_http_head h;
    uint8_t *buf;
    CHECK_EQ_U(decode_copy(big, len, &h, &buf), CSSP_ERR_LENGTH_TOO_LONG);
    free(buf);
    CHECK_EQ_U(decode_copy(big, CSSP_HTTP_MAX_HEAD - 1, &h, &buf), CSSP_ERR_TRUNCATED);
    free(buf);
    free(big);

    /* fields beyond the kept ones are counted, and the head still decodes */
    char many[CSSP_HTTP_MAX_FIELDS * 8 + 64];
    size_t used = (size_t)snprintf(many, sizeof many, "HTTP/1.1 200 OK\r\n");
    for (unsigned i = 0; i < CSSP_HTTP_MAX_FIELDS + 5; i++)
        used += (size_t)snprintf(many + used, sizeof many - used, "A%u: 1\r\n", i % 10);
    used += (size_t)snprintf(many + used, sizeof many - used, "\r\n");
    CHECK_EQ_U(decode_copy(many, used, &h, &buf), CSSP_OK);
    CHECK_EQ_U(h.field_count, CSSP_HTTP_MAX_FIELDS + 5);
    free(buf);
}

static void test_chunk_lines(void)
{
    static const struct {
        const char *text;
        cssp_status expected;
        uint32_t size;
        size_t line_len;
    } cases[] = {
        {"1a\r\nxx", CSSP_OK, 26, 4},
        {"1A;name=value\r\n", CSSP_OK, 26, 15},
        {"0\r\n\r\n", CSSP_OK, 0, 3},
        {"ffffffff\r\n", CSSP_OK, 0xFFFFFFFFu, 10},
        {"100000000\r\n", CSSP_ERR_LENGTH_TOO_LONG, 0, 0},
        {"zz\r\n", CSSP_ERR_BAD_ENCODING, 0, 0},
        {"12x\r\n", CSSP_ERR_BAD_ENCODING, 0, 0},
        {"12", CSSP_ERR_TRUNCATED, 0, 0},
        {"1;aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", CSSP_ERR_LENGTH_TOO_LONG, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = strlen(cases[i].text);
        uint8_t *copy = malloc(len);
        if (!copy)
            abort();
        memcpy(copy, cases[i].text, len);
        uint32_t size;
        size_t line_len;
        CHECK_EQ_U(cssp_http_chunk_line(copy, len, &size, &line_len), cases[i].expected);
        CHECK_EQ_U(size, cases[i].size);
        CHECK_EQ_U(line_len, cases[i].line_len);
        free(copy);
    }
}

int main(void)
{
    test_request();
    test_responses();
    test_auth_schemes();
    test_malformed();
    test_limits();
    test_chunk_lines();
    return check_summary("http");
}
