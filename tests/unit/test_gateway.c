/*
 * test_gateway.c - the RD Gateway tunnel facts and the refusal rules of lib/core/gateway.c (docs/verdicts.md §9):
 * which requests open a tunnel, the HTTP logon (a 401 challenge then 101 is no refusal; a last 401 is),
 * the first failing *_RESPONSE naming the refusing part, the target from CHANNEL_CREATE, and the judgement
 * left alone when nothing refused. Packets and heads are built here from [MS-TSGU] 2.2.10 and RFC 9112.
 */
#include "check.h"
#include "cssp/gateway.h"
#include "cssp/names.h"

static cssp_tsgu_packet packet(uint16_t type, bool has_status, uint32_t status)
{
    cssp_tsgu_packet p = {.type = type, .length = 8, .has_status = has_status, .status = status};
    return p;
}

static void head(cssp_gateway *g, cssp_dir dir, const char *text)
{
    cssp_http_head h;
    CHECK_EQ_U(cssp_http_head_decode((const uint8_t *)text, strlen(text), &h), CSSP_OK);
    cssp_gateway_http(g, dir, &h, (const uint8_t *)text);
}

static void test_requests(void)
{
    static const struct {
        const char *text;
        bool gateway;
        cssp_gateway_transport transport;
    } cases[] = {
        {"RDG_OUT_DATA /remoteDesktopGateway/ HTTP/1.1\r\nUpgrade: websocket\r\n\r\n", true,
         CSSP_GW_TRANSPORT_WEBSOCKET},
        {"RDG_IN_DATA /remoteDesktopGateway/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", true,
         CSSP_GW_TRANSPORT_LEGACY},
        {"GET /remoteDesktopGateway/ HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", true,
         CSSP_GW_TRANSPORT_WEBSOCKET},
        {"GET /REMOTEDESKTOPGATEWAY/?x=1 HTTP/1.1\r\nUpgrade: WebSocket\r\n\r\n", true, CSSP_GW_TRANSPORT_WEBSOCKET},
        {"GET /remoteDesktopGateway/ HTTP/1.1\r\n\r\n", false, CSSP_GW_TRANSPORT_LEGACY},   /* no upgrade */
        {"GET /chat HTTP/1.1\r\nUpgrade: websocket\r\n\r\n", false, CSSP_GW_TRANSPORT_WEBSOCKET},
        {"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", false, CSSP_GW_TRANSPORT_LEGACY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cssp_http_head h;
        CHECK_EQ_U(cssp_http_head_decode((const uint8_t *)cases[i].text, strlen(cases[i].text), &h), CSSP_OK);
        cssp_gateway_transport t = CSSP_GW_TRANSPORT_LEGACY;
        bool is_gateway = cssp_gateway_request(&h, (const uint8_t *)cases[i].text, &t);
        CHECK_EQ_U(is_gateway, cases[i].gateway);
        if (is_gateway)
            CHECK_EQ_U(t, cases[i].transport);
    }
}

static cssp_judgement inner_ok(void)
{
    cssp_judgement j = {.verdict = CSSP_VERDICT_OK, .evidence = CSSP_EVIDENCE_TRAFFIC_SHAPE};
    snprintf(j.explanation, sizeof j.explanation, "inner");
    return j;
}

static void test_ntlm_logon_then_tunnel(void)
{
    cssp_gateway g;
    cssp_gateway_init(&g, CSSP_GW_TRANSPORT_WEBSOCKET);
    head(&g, CSSP_FROM_CLIENT, "RDG_OUT_DATA /remoteDesktopGateway/ HTTP/1.1\r\nAuthorization: Negotiate TlRMTVNTUAAB\r\n\r\n");
    head(&g, CSSP_FROM_SERVER, "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate TlRMTVNTUAAC\r\n\r\n");
    CHECK(cssp_gateway_refused(&g)); /* so far: the last answer is 401 */
    head(&g, CSSP_FROM_SERVER, "HTTP/1.1 101 Switching Protocols\r\n\r\n");
    CHECK(!cssp_gateway_refused(&g));
    CHECK_EQ_U(g.auth_scheme, CSSP_HTTP_AUTH_NEGOTIATE);
    CHECK_EQ_U(g.status_count, 2);
    CHECK(g.statuses[0] == 401 && g.statuses[1] == 101);

    cssp_tsgu_packet p = packet(CSSP_TSGU_HANDSHAKE_REQUEST, false, 0);
    cssp_gateway_packet(&g, CSSP_FROM_CLIENT, &p);
    p = packet(CSSP_TSGU_HANDSHAKE_RESPONSE, true, 0);
    cssp_gateway_packet(&g, CSSP_FROM_SERVER, &p);
    p = packet(CSSP_TSGU_CHANNEL_CREATE, false, 0);
    snprintf(p.resource, sizeof p.resource, "IT-HELP-TEST.ad.it-help.ninja");
    p.port = 3389;
    cssp_gateway_packet(&g, CSSP_FROM_CLIENT, &p);
    CHECK(g.has_target);
    CHECK_EQ_STR(g.target, "IT-HELP-TEST.ad.it-help.ninja:3389");
    p = packet(CSSP_TSGU_CHANNEL_RESPONSE, true, 0);
    cssp_gateway_packet(&g, CSSP_FROM_SERVER, &p);
    p = packet(CSSP_TSGU_DATA, false, 0);
    p.data_len = 19;
    cssp_gateway_packet(&g, CSSP_FROM_CLIENT, &p);
    CHECK_EQ_U(g.stage, CSSP_GW_OPEN);
    CHECK_EQ_U(g.data_bytes[CSSP_FROM_CLIENT], 19);
    CHECK(cssp_gateway_refusing_part(&g) == NULL);

    cssp_judgement j = inner_ok();
    cssp_gateway_judge(&g, &j);
    CHECK_EQ_U(j.verdict, CSSP_VERDICT_OK); /* nothing refused: the tunnelled connection's own judgement */
    CHECK_EQ_STR(j.explanation, "inner");

    /* a failing CLOSE_CHANNEL is kept, not a refusal */
    p = packet(CSSP_TSGU_CLOSE_CHANNEL, true, 0x800759DF);
    cssp_gateway_packet(&g, CSSP_FROM_SERVER, &p);
    CHECK(g.channel_closed && g.close_status == 0x800759DF);
    CHECK(!cssp_gateway_refused(&g));
}

static void test_refusals(void)
{
    static const struct {
        uint16_t request, response;
        uint32_t status;
        const char *part;
        const char *words; /* in the explanation */
    } cases[] = {
        {CSSP_TSGU_CHANNEL_CREATE, CSSP_TSGU_CHANNEL_RESPONSE, 0x800759DA, "channel", "resource authorization policy"},
        {CSSP_TSGU_CHANNEL_CREATE, CSSP_TSGU_CHANNEL_RESPONSE, 0x800759DD, "channel", "could not connect to the target"},
        {CSSP_TSGU_TUNNEL_AUTH, CSSP_TSGU_TUNNEL_AUTH_RESPONSE, 0x800759DA, "authorization",
         "connection authorization policy"},
        {CSSP_TSGU_TUNNEL_CREATE, CSSP_TSGU_TUNNEL_RESPONSE, 0x800759F8, "tunnel", "E_PROXY_COOKIE_AUTHENTICATION_ACCESS_DENIED"},
        {CSSP_TSGU_HANDSHAKE_REQUEST, CSSP_TSGU_HANDSHAKE_RESPONSE, 0x800759E9, "handshake", "E_PROXY_CAPABILITYMISMATCH"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cssp_gateway g;
        cssp_gateway_init(&g, CSSP_GW_TRANSPORT_WEBSOCKET);
        cssp_tsgu_packet p = packet(cases[i].request, false, 0);
        cssp_gateway_packet(&g, CSSP_FROM_CLIENT, &p);
        p = packet(cases[i].response, true, cases[i].status);
        cssp_gateway_packet(&g, CSSP_FROM_SERVER, &p);
        /* a later failure does not replace the first */
        p = packet(CSSP_TSGU_CHANNEL_RESPONSE, true, 0x800759D8);
        cssp_gateway_packet(&g, CSSP_FROM_SERVER, &p);
        CHECK(cssp_gateway_refused(&g));
        CHECK_EQ_STR(cssp_gateway_refusing_part(&g), cases[i].part);
        CHECK_EQ_U(g.refusal, cases[i].status);
        cssp_judgement j = inner_ok();
        cssp_gateway_judge(&g, &j);
        CHECK_EQ_U(j.verdict, CSSP_VERDICT_GATEWAY_REFUSED);
        CHECK_EQ_U(j.evidence, CSSP_EVIDENCE_DECRYPTED);
        CHECK(j.advice != NULL);
        if (!strstr(j.explanation, cases[i].words))
            fprintf(stderr, "case %zu: %s\n", i, j.explanation);
        CHECK(strstr(j.explanation, cases[i].words) != NULL);
        CHECK(strstr(j.explanation, "RD Gateway") != NULL);
    }
    CHECK_EQ_STR(cssp_verdict_name(CSSP_VERDICT_GATEWAY_REFUSED), "gateway_refused");
}

static void test_http_refusal(void)
{
    cssp_gateway g;
    cssp_gateway_init(&g, CSSP_GW_TRANSPORT_WEBSOCKET);
    head(&g, CSSP_FROM_CLIENT, "RDG_OUT_DATA /remoteDesktopGateway/ HTTP/1.1\r\n\r\n");
    head(&g, CSSP_FROM_SERVER, "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"gw\"\r\n\r\n");
    CHECK_EQ_U(g.auth_scheme, CSSP_HTTP_AUTH_BASIC); /* the challenge's, as the client sent none */
    CHECK_EQ_STR(cssp_gateway_refusing_part(&g), "http_authentication");
    cssp_judgement j = inner_ok();
    cssp_gateway_judge(&g, &j);
    CHECK_EQ_U(j.verdict, CSSP_VERDICT_GATEWAY_REFUSED);
    CHECK(strstr(j.explanation, "HTTP authentication (HTTP 401, Basic)") != NULL);

    /* more answers than are kept: the count goes on, the last kept one decides */
    cssp_gateway_init(&g, CSSP_GW_TRANSPORT_WEBSOCKET);
    for (int i = 0; i < CSSP_GATEWAY_MAX_STATUSES + 3; i++)
        head(&g, CSSP_FROM_SERVER, "HTTP/1.1 401 Unauthorized\r\n\r\n");
    CHECK_EQ_U(g.status_count, CSSP_GATEWAY_MAX_STATUSES + 3);
    CHECK(cssp_gateway_refused(&g));
    /* a 500 after the tunnel protocol started is not an HTTP refusal */
    cssp_gateway_init(&g, CSSP_GW_TRANSPORT_LEGACY);
    cssp_tsgu_packet p = packet(CSSP_TSGU_HANDSHAKE_REQUEST, false, 0);
    cssp_gateway_packet(&g, CSSP_FROM_CLIENT, &p);
    head(&g, CSSP_FROM_SERVER, "HTTP/1.1 500 Internal Server Error\r\n\r\n");
    CHECK(!cssp_gateway_refused(&g));
}

int main(void)
{
    test_requests();
    test_ntlm_logon_then_tunnel();
    test_refusals();
    test_http_refusal();
    return check_summary("gateway");
}
