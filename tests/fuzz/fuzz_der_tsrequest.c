/*
 * fuzz_der_tsrequest.c - libFuzzer harness: the DER reader and the TSRequest decoder.
 *
 * The input is walked as a DER tree (every constructed element and every
 * OCTET STRING entered, as the SPNEGO reader does, until the depth limit
 * refuses), decoded as a TSRequest and summarised as the verdict engine does,
 * and probed the way the stream framing probes a growing buffer. Beyond the
 * sanitizers, the checks are the contracts of der.h and tsrequest.h: every
 * element and span lies inside the input, probes agree with the decoder.
 */
#include <string.h>

#include "cssp/der.h"
#include "cssp/tsrequest.h"
#include "cssp/verdict.h"
#include "fuzz_common.h"

static const uint8_t *input;
static size_t input_len;

static void require_inside(size_t offset, size_t len)
{
    FUZZ_REQUIRE(offset <= input_len && len <= input_len - offset);
}

static void walk(cssp_der *d)
{
    FUZZ_REQUIRE(d->depth <= CSSP_DER_MAX_DEPTH);
    while (!cssp_der_at_end(d)) {
        cssp_der_tlv peeked, tlv;
        cssp_status peek_st = cssp_der_peek(d, &peeked);
        if (cssp_der_next(d, &tlv) != CSSP_OK) {
            FUZZ_REQUIRE(peek_st != CSSP_OK);
            return;
        }
        FUZZ_REQUIRE(peek_st == CSSP_OK && memcmp(&peeked, &tlv, sizeof tlv) == 0);
        FUZZ_REQUIRE(tlv.value_offset == tlv.offset + tlv.header_len);
        require_inside(tlv.offset, tlv.header_len + tlv.value_len);
        const uint8_t *value = cssp_der_value(d, &tlv);
        FUZZ_REQUIRE(value == input + tlv.value_offset);
        int64_t i64;
        uint32_t u32;
        if (cssp_der_int64(d, &tlv, &i64) == CSSP_OK)
            FUZZ_REQUIRE(tlv.value_len >= 1 && tlv.value_len <= 8);
        cssp_der_uint32_bits(d, &tlv, &u32);
        if (tlv.constructed || tlv.tag_number == CSSP_DER_TAG_OCTET_STRING) {
            cssp_der child;
            if (cssp_der_enter(d, &tlv, &child) == CSSP_OK) {
                FUZZ_REQUIRE(child.depth == d->depth + 1);
                walk(&child);
            }
        }
    }
}

static void require_span(const cssp_span *s)
{
    if (!s->present)
        return;
    require_inside(s->offset, s->length);
    FUZZ_REQUIRE(s->value_offset >= s->offset);
    FUZZ_REQUIRE(s->value_offset + s->value_length <= s->offset + s->length);
}

static void check_tsrequest(void)
{
    cssp_tsrequest req;
    cssp_status st = cssp_tsrequest_decode(input, input_len, &req);
    FUZZ_REQUIRE(cssp_status_string(st) != NULL);
    require_span(&req.version);
    require_span(&req.nego_data);
    require_span(&req.auth_info);
    require_span(&req.pub_key_auth);
    require_span(&req.error_code);
    require_span(&req.client_nonce);
    unsigned kept = req.nego_token_count < CSSP_TSREQ_MAX_NEGO_TOKENS ? req.nego_token_count
                                                                      : CSSP_TSREQ_MAX_NEGO_TOKENS;
    for (unsigned i = 0; i < kept; i++)
        require_span(&req.nego_tokens[i]);
    unsigned unknown = req.unknown_count < CSSP_TSREQ_MAX_UNKNOWN ? req.unknown_count : CSSP_TSREQ_MAX_UNKNOWN;
    for (unsigned i = 0; i < unknown; i++)
        require_span(&req.unknown[i]);
    for (unsigned bit = 1; bit && bit <= req.notes; bit <<= 1)
        if (req.notes & bit)
            FUZZ_REQUIRE(cssp_tsrequest_note_string(bit) != NULL);
    if (st != CSSP_OK)
        return;
    FUZZ_REQUIRE(req.total_len <= input_len);
    cssp_tsreq_summary summary;
    cssp_tsreq_summarize(input, &req, &summary);
    FUZZ_REQUIRE(summary.version == req.version_value);
}

/* The framing loop's view: a buffer that grows until the probe says the PDU is complete. */
static void check_probe(void)
{
    size_t needed = 0;
    cssp_probe whole = cssp_tsrequest_probe(input, input_len, &needed);
    if (whole == CSSP_PROBE_YES) {
        FUZZ_REQUIRE(needed >= 2 && needed <= CSSP_TSREQ_PROBE_MAX_LEN);
        size_t size;
        FUZZ_REQUIRE(cssp_der_element_size(input, input_len, &size) == CSSP_OK && size == needed);
        if (needed <= input_len) {
            cssp_tsrequest req;
            cssp_status st = cssp_tsrequest_decode(input, needed, &req);
            FUZZ_REQUIRE(st != CSSP_OK || req.total_len == needed);
        }
    }
    for (size_t avail = 0; avail <= input_len && avail <= 16; avail++) {
        cssp_probe p = cssp_tsrequest_probe(input, avail, &needed);
        FUZZ_REQUIRE(p != CSSP_PROBE_NO || whole == CSSP_PROBE_NO || avail == input_len);
        cssp_der_tlv tlv;
        if (cssp_der_read_header(input, avail, &tlv) == CSSP_OK)
            FUZZ_REQUIRE(tlv.header_len <= avail && tlv.value_offset == tlv.header_len);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input = data;
    input_len = size;
    cssp_der d;
    cssp_der_init(&d, data, size);
    walk(&d);
    check_tsrequest();
    check_probe();
    return 0;
}
