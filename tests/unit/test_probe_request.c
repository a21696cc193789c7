/*
 * test_probe_request.c - the messages credssp-probe sends, read back by the project's own decoders and
 * checked field by field against [MS-RDPBCGR] 2.2.1.1 / [MS-CSSP] 2.2.1 / [MS-NLMP] 2.2.1.1; and the
 * CHALLENGE's target names on a real CHALLENGE (vectors_ntlm.h) and on hand-built hostile ones.
 */
#include <stdlib.h>

#include "check.h"
#include "cssp/ntlmssp.h"
#include "cssp/probe_request.h"
#include "cssp/tsrequest.h"
#include "cssp/x224.h"
#include "vectors_ntlm.h"

static void test_connection_request(void)
{
    uint8_t buf[64];
    size_t len = cssp_build_connection_request(CSSP_PROTO_SSL | CSSP_PROTO_HYBRID | CSSP_PROTO_HYBRID_EX, buf,
                                               sizeof buf);
    CHECK_EQ_U(len, 19);
    cssp_x224 x;
    CHECK_EQ_U(cssp_x224_decode(buf, len, &x), CSSP_OK);
    CHECK_EQ_U(x.kind, CSSP_X224_CONNECTION_REQUEST);
    CHECK_EQ_U(x.tpkt_length, 19);
    CHECK_EQ_U(x.token_kind, CSSP_X224_NO_TOKEN);
    CHECK(x.has_neg);
    CHECK_EQ_U(x.neg_type, CSSP_NEG_TYPE_REQ);
    CHECK_EQ_U(x.neg_value, 0x0B);
    CHECK_EQ_U(cssp_build_connection_request(0x0B, buf, 18), 0);
}

static void test_negotiate_tsrequest(void)
{
    uint8_t buf[64];
    size_t len = cssp_build_negotiate_tsrequest(buf, sizeof buf);
    CHECK_EQ_U(len, CSSP_PROBE_TSREQUEST_LEN);
    cssp_tsrequest req;
    CHECK_EQ_U(cssp_tsrequest_decode(buf, len, &req), CSSP_OK);
    CHECK_EQ_U(req.version_value, 6);
    CHECK_EQ_U(req.nego_token_count, 1);
    CHECK(!req.auth_info.present && !req.pub_key_auth.present && !req.error_code.present && !req.client_nonce.present);
    CHECK_EQ_U(req.notes, 0);
    cssp_token_info info;
    CHECK_EQ_U(cssp_token_inspect(buf + req.nego_tokens[0].value_offset, req.nego_tokens[0].value_length, &info),
               CSSP_OK);
    CHECK_EQ_U(info.kind, CSSP_TOKEN_NTLMSSP);
    CHECK(info.has_ntlm);
    CHECK_EQ_U(info.ntlm.type, CSSP_NTLM_NEGOTIATE);
    CHECK(!info.ntlm.has_version);          /* nothing about the probing machine */
    CHECK((info.ntlm.flags & 0x02000000u) == 0);
    CHECK(info.ntlm.flags & 0x00000004u);   /* REQUEST_TARGET: the server names itself */
    CHECK(info.ntlm.flags & 0x00000001u);   /* UNICODE */
    CHECK_EQ_U(req.nego_tokens[0].value_length, 32);
    CHECK_EQ_U(cssp_build_negotiate_tsrequest(buf, CSSP_PROBE_TSREQUEST_LEN - 1), 0);
}

static cssp_status target_of_copy(const uint8_t *data, size_t len, cssp_ntlm_target *out)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        abort();
    memcpy(copy, data, len);
    cssp_status st = cssp_ntlm_challenge_target(copy, len, out);
    free(copy);
    return st;
}

/*
 * ntlm_challenge_win10: TargetName (22 bytes at 0x38) and the AV pairs at 0x4E, read per [MS-NLMP]
 * 2.2.2.1 from the bytes: MsvAvNbDomainName, MsvAvNbComputerName, MsvAvDnsDomainName,
 * MsvAvDnsComputerName, all "fv-az41-210" (UTF-16LE), then MsvAvTimestamp and MsvAvEOL; no DnsTreeName.
 */
static void test_challenge_target(void)
{
    cssp_ntlm_target t;
    CHECK_EQ_U(target_of_copy(ntlm_challenge_win10, sizeof ntlm_challenge_win10, &t), CSSP_OK);
    CHECK_EQ_STR(t.target_name, "fv-az41-210");
    CHECK_EQ_STR(t.netbios_domain, "fv-az41-210");
    CHECK_EQ_STR(t.netbios_computer, "fv-az41-210");
    CHECK_EQ_STR(t.dns_domain, "fv-az41-210");
    CHECK_EQ_STR(t.dns_computer, "fv-az41-210");
    CHECK_EQ_STR(t.dns_tree, "");

    CHECK_EQ_U(target_of_copy(ntlm_negotiate_win10, sizeof ntlm_negotiate_win10, &t), CSSP_ERR_NOT_RECOGNISED);
    CHECK_EQ_U(target_of_copy(ntlm_authenticate_win10, sizeof ntlm_authenticate_win10, &t), CSSP_ERR_NOT_RECOGNISED);

    /* every truncation: an error or a result, never a read outside (ASan) */
    for (size_t cut = 0; cut < sizeof ntlm_challenge_win10; cut++)
        CHECK(target_of_copy(ntlm_challenge_win10, cut, &t) != CSSP_OK);

    /* an AV pair whose length runs past TargetInfo: the names before it are kept */
    uint8_t bad[sizeof ntlm_challenge_win10];
    memcpy(bad, ntlm_challenge_win10, sizeof bad);
    bad[0x4E + 4 + 22 + 2] = 0xFF; /* AvLen of the second pair (NbComputerName): 255 bytes */
    CHECK_EQ_U(target_of_copy(bad, sizeof bad, &t), CSSP_ERR_LENGTH_PAST_END);
    CHECK_EQ_STR(t.netbios_domain, "fv-az41-210");
    CHECK_EQ_STR(t.netbios_computer, "");

    /* a control character in a name is kept as it is (the front ends make it inert) */
    memcpy(bad, ntlm_challenge_win10, sizeof bad);
    bad[0x4E + 4] = 0x1B;
    CHECK_EQ_U(target_of_copy(bad, sizeof bad, &t), CSSP_OK);
    CHECK_EQ_STR(t.netbios_domain, "\x1bv-az41-210");
}

int main(void)
{
    test_connection_request();
    test_negotiate_tsrequest();
    test_challenge_target();
    return check_summary("probe_request");
}
