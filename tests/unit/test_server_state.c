/*
 * test_server_state.c - the probe's judgement of a server (lib/core/server_state.c) on the event sequences the
 * probe feeds: its Connection Request, the server's Confirm or RDP_NEG_FAILURE, the TLS handshake, its v6
 * NEGOTIATE and the server's reply at every version 1-7 ([MS-CSSP]: 2-4 without the CVE-2018-0886 fix, 5
 * and 6 with it; a higher version is read as 6).
 */
#include "cssp/server_state.h"

#include <string.h>

#include "check.h"
#include "cssp/x224.h"

#define C CSSP_FROM_CLIENT
#define S CSSP_FROM_SERVER

static void feed(cssp_conn *c, cssp_event ev)
{
    cssp_conn_feed(c, &ev);
}

static void start(cssp_conn *c)
{
    cssp_conn_init(c);
    feed(c, (cssp_event){.type = CSSP_EV_NEG_REQUEST, .dir = C,
                         .u.neg_request = {.has_neg = true, .requested_protocols = 0x0B}});
}

static void selected(cssp_conn *c, uint32_t protocol, uint16_t tls_version)
{
    feed(c, (cssp_event){.type = CSSP_EV_NEG_RESPONSE, .dir = S,
                         .u.neg_response = {.has_neg = true, .selected_protocol = protocol}});
    feed(c, (cssp_event){.type = CSSP_EV_TLS_HANDSHAKE, .dir = S, .u.tls = {tls_version, 0xC030}});
}

static void exchange(cssp_conn *c, uint32_t server_version, bool os)
{
    cssp_tsreq_summary ours = {.version = 6, .nego_token_count = 1, .token_kind = CSSP_TOKEN_NTLMSSP,
                               .has_ntlm = true, .ntlm = {.type = CSSP_NTLM_NEGOTIATE}};
    cssp_tsreq_summary reply = {.version = server_version, .nego_token_count = 1, .token_kind = CSSP_TOKEN_NTLMSSP,
                                .has_ntlm = true,
                                .ntlm = {.type = CSSP_NTLM_CHALLENGE, .has_version = os, .os_major = 6,
                                         .os_minor = 1, .os_build = 7601}};
    feed(c, (cssp_event){.type = CSSP_EV_TSREQUEST, .dir = C, .u.tsreq = &ours});
    feed(c, (cssp_event){.type = CSSP_EV_TSREQUEST, .dir = S, .u.tsreq = &reply});
    feed(c, (cssp_event){.type = CSSP_EV_END_OF_CAPTURE});
}

static void test_versions(void)
{
    static const struct { uint32_t version; cssp_server_state state; } cases[] = {
        {1, CSSP_SERVER_UNDETERMINED}, {2, CSSP_SERVER_UNPATCHED}, {3, CSSP_SERVER_UNPATCHED},
        {4, CSSP_SERVER_UNPATCHED},    {5, CSSP_SERVER_PATCHED},   {6, CSSP_SERVER_PATCHED},
        {7, CSSP_SERVER_PATCHED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cssp_conn c;
        cssp_server_judgement j;
        start(&c);
        selected(&c, CSSP_PROTO_HYBRID_EX, 0x0304);
        exchange(&c, cases[i].version, true);
        cssp_server_judge(&c, &j);
        CHECK_EQ_U(j.state, cases[i].state);
        CHECK_EQ_U((j.findings & CSSP_FINDING_SERVER_UNPATCHED) != 0, cases[i].state == CSSP_SERVER_UNPATCHED);
        CHECK((j.findings & CSSP_FINDING_CLIENT_UNPATCHED) == 0);
        CHECK(strlen(j.explanation) > 0 && j.explanation[strlen(j.explanation) - 1] == '.');
        if (cases[i].state == CSSP_SERVER_UNPATCHED) {
            CHECK(strstr(j.explanation, "The function requested is not supported") != NULL);
            CHECK(strstr(j.explanation, "Windows 6.1 build 7601") != NULL);
            CHECK(j.advice && strstr(j.advice, "CVE-2018-0886 CredSSP update") != NULL);
        }
        if (cases[i].state == CSSP_SERVER_PATCHED) {
            CHECK(strstr(j.explanation, "Encryption Oracle Remediation") != NULL);
            CHECK(j.advice != NULL);
        }
    }
}

static void test_negotiation(void)
{
    cssp_conn c;
    cssp_server_judgement j;
    start(&c);
    feed(&c, (cssp_event){.type = CSSP_EV_NEG_FAILURE, .dir = S, .u.neg_failure = {2}});
    cssp_server_judge(&c, &j);
    CHECK_EQ_U(j.state, CSSP_SERVER_NEGOTIATION_FAILED);
    CHECK(strstr(j.explanation, "SSL_NOT_ALLOWED_BY_SERVER") != NULL);
    CHECK(j.advice != NULL);

    start(&c);
    selected(&c, CSSP_PROTO_SSL, 0x0303);
    cssp_server_judge(&c, &j);
    CHECK_EQ_U(j.state, CSSP_SERVER_NO_NLA);
    CHECK(j.findings & CSSP_FINDING_NLA_NOT_USED);

    /* TLS 1.0 and an unpatched version: both findings */
    start(&c);
    selected(&c, CSSP_PROTO_HYBRID, 0x0301);
    exchange(&c, 2, false);
    cssp_server_judge(&c, &j);
    CHECK_EQ_U(j.state, CSSP_SERVER_UNPATCHED);
    CHECK(j.findings & CSSP_FINDING_LEGACY_TLS);
    CHECK(strstr(j.explanation, "NTLM says") == NULL);

    /* CredSSP selected, no reply read */
    start(&c);
    selected(&c, CSSP_PROTO_HYBRID, 0x0303);
    cssp_server_judge(&c, &j);
    CHECK_EQ_U(j.state, CSSP_SERVER_UNDETERMINED);
}

static void test_names(void)
{
    CHECK_EQ_STR(cssp_server_state_name(CSSP_SERVER_UNPATCHED), "server_unpatched");
    CHECK_EQ_STR(cssp_server_state_name(CSSP_SERVER_PATCHED), "patched");
    CHECK_EQ_STR(cssp_server_state_name(CSSP_SERVER_NO_NLA), "no_nla");
    CHECK_EQ_STR(cssp_server_state_name(CSSP_SERVER_NEGOTIATION_FAILED), "negotiation_failed");
    CHECK_EQ_STR(cssp_server_state_name(CSSP_SERVER_UNDETERMINED), "undetermined");
    CHECK(cssp_server_state_name((cssp_server_state)99) == NULL);
}

int main(void)
{
    test_versions();
    test_negotiation();
    test_names();
    return check_summary("server_state");
}
