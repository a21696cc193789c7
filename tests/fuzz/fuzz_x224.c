/*
 * fuzz_x224.c - libFuzzer harness: the TPKT / X.224 negotiation reader and
 * the Early User Authorization Result.
 *
 * The input is framed as the analyzer frames a stream (cssp_tpkt_size, then
 * the PDU alone) and also decoded whole. Beyond the sanitizers: a decoded
 * PDU fits the bytes given, and the cookie is NUL-terminated printable ASCII
 * (x224.h promises it; both tools print it).
 */
#include <string.h>

#include "cssp/x224.h"
#include "fuzz_common.h"

static void check_decode(const uint8_t *data, size_t len)
{
    cssp_x224 pdu;
    if (cssp_x224_decode(data, len, &pdu) != CSSP_OK)
        return;
    FUZZ_REQUIRE(pdu.tpkt_length <= len);
    size_t cookie_len = strnlen(pdu.cookie, sizeof pdu.cookie);
    FUZZ_REQUIRE(cookie_len < sizeof pdu.cookie);
    for (size_t i = 0; i < cookie_len; i++)
        FUZZ_REQUIRE(pdu.cookie[i] >= 0x20 && pdu.cookie[i] < 0x7f);
    if (pdu.token_kind == CSSP_X224_NO_TOKEN)
        FUZZ_REQUIRE(cookie_len == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t pdu_len = 0;
    cssp_status st = cssp_tpkt_size(data, size, &pdu_len);
    FUZZ_REQUIRE(cssp_status_string(st) != NULL);
    if (st == CSSP_OK && pdu_len <= size)
        check_decode(data, pdu_len);
    check_decode(data, size);

    uint32_t result;
    if (cssp_early_auth_result_decode(data, size, &result) == CSSP_OK)
        FUZZ_REQUIRE(size == 4);
    return 0;
}
