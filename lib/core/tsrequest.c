/*
 * tsrequest.c - the CredSSP TSRequest decoder and stream probe (see tsrequest.h).
 *
 * All reading goes through the DER reader. The decoder walks the outer SEQUENCE
 * element by element instead of following the grammar's fixed order, so that
 * unknown, repeated or misplaced fields are reported (as notes) rather than
 * ending the decode: an analyst wants to see what a peer really sent. A repeated
 * field is decoded (so a malformed repeat is still an error) but only its first
 * occurrence is kept, which is what a sequential decoder such as the peer's
 * would have acted on. On error, *out keeps what was decoded before the error.
 */
#include "cssp/tsrequest.h"

#include <string.h>

#include "cssp/der.h"

enum {
    FIELD_VERSION = 0,
    FIELD_NEGO_TOKENS = 1,
    FIELD_AUTH_INFO = 2,
    FIELD_PUB_KEY_AUTH = 3,
    FIELD_ERROR_CODE = 4,
    FIELD_CLIENT_NONCE = 5,
    FIELD_LAST = FIELD_CLIENT_NONCE
};

#define MAX_PROBED_VERSION 255
#define MAX_PROBED_VERSION_BYTES 2
/* A0 84 00 00 00 08 02 84 00 00 00 02 00 FF: der.c accepts non-minimal long-form lengths */
#define MAX_VERSION_ELEMENT_LEN 14

static cssp_span span_of(const cssp_der_tlv *element, const cssp_der_tlv *value)
{
    return (cssp_span){
        .present = true,
        .offset = element->offset,
        .length = element->header_len + element->value_len,
        .value_offset = value->value_offset,
        .value_length = value->value_len,
    };
}

/* The single primitive universal element inside an explicit tag (DER has no constructed strings). */
static cssp_status read_wrapped(cssp_der *field, uint32_t universal_tag, cssp_der_tlv *value)
{
    cssp_status st = cssp_der_expect(field, CSSP_DER_CLASS_UNIVERSAL, universal_tag, value, NULL);
    if (st != CSSP_OK)
        return st;
    if (value->constructed || !cssp_der_at_end(field))
        return CSSP_ERR_BAD_ENCODING;
    return CSSP_OK;
}

/* NegoData ::= SEQUENCE OF SEQUENCE { negoToken [0] OCTET STRING }; every token is counted. */
static cssp_status decode_nego_data(cssp_der *field, const cssp_der_tlv *element, cssp_tsrequest *target)
{
    cssp_der list;
    cssp_der_tlv list_tlv;
    cssp_status st = cssp_der_expect(field, CSSP_DER_CLASS_UNIVERSAL, CSSP_DER_TAG_SEQUENCE, &list_tlv, &list);
    if (st != CSSP_OK)
        return st;
    if (!cssp_der_at_end(field))
        return CSSP_ERR_BAD_ENCODING;
    target->nego_data = span_of(element, &list_tlv);
    while (!cssp_der_at_end(&list)) {
        cssp_der item, tagged;
        cssp_der_tlv item_tlv, tagged_tlv, token;
        st = cssp_der_expect(&list, CSSP_DER_CLASS_UNIVERSAL, CSSP_DER_TAG_SEQUENCE, &item_tlv, &item);
        if (st == CSSP_OK)
            st = cssp_der_expect(&item, CSSP_DER_CLASS_CONTEXT, 0, &tagged_tlv, &tagged);
        if (st == CSSP_OK)
            st = read_wrapped(&tagged, CSSP_DER_TAG_OCTET_STRING, &token);
        if (st == CSSP_OK && !cssp_der_at_end(&item))
            st = CSSP_ERR_BAD_ENCODING;
        if (st != CSSP_OK)
            return st;
        if (target->nego_token_count < CSSP_TSREQ_MAX_NEGO_TOKENS)
            target->nego_tokens[target->nego_token_count] = span_of(&tagged_tlv, &token);
        else
            target->notes |= CSSP_TSREQ_NOTE_TOO_MANY_TOKENS;
        target->nego_token_count++;
    }
    return CSSP_OK;
}

/* One known field [0]..[5], whose explicit tag `element` has been entered as `field`. */
static cssp_status decode_field(cssp_der *field, const cssp_der_tlv *element, cssp_tsrequest *target)
{
    cssp_der_tlv value;
    cssp_status st;
    switch (element->tag_number) {
    case FIELD_VERSION: {
        int64_t version;
        st = read_wrapped(field, CSSP_DER_TAG_INTEGER, &value);
        if (st == CSSP_OK)
            st = cssp_der_int64(field, &value, &version);
        if (st == CSSP_OK && (version < 0 || version > (int64_t)UINT32_MAX))
            st = CSSP_ERR_INTEGER_RANGE;
        if (st != CSSP_OK)
            return st;
        target->version = span_of(element, &value);
        target->version_value = (uint32_t)version;
        return CSSP_OK;
    }
    case FIELD_NEGO_TOKENS:
        return decode_nego_data(field, element, target);
    case FIELD_ERROR_CODE:
        st = read_wrapped(field, CSSP_DER_TAG_INTEGER, &value);
        if (st == CSSP_OK)
            st = cssp_der_uint32_bits(field, &value, &target->error_code_value);
        if (st == CSSP_OK)
            target->error_code = span_of(element, &value);
        return st;
    default: {
        st = read_wrapped(field, CSSP_DER_TAG_OCTET_STRING, &value);
        if (st != CSSP_OK)
            return st;
        cssp_span *span = element->tag_number == FIELD_AUTH_INFO      ? &target->auth_info
                          : element->tag_number == FIELD_PUB_KEY_AUTH ? &target->pub_key_auth
                                                                      : &target->client_nonce;
        *span = span_of(element, &value);
        return CSSP_OK;
    }
    }
}

static bool is_known_field(const cssp_der_tlv *element)
{
    return element->tag_class == CSSP_DER_CLASS_CONTEXT && element->tag_number <= FIELD_LAST;
}

static void keep_unknown(const cssp_der_tlv *element, cssp_tsrequest *out)
{
    if (out->unknown_count < CSSP_TSREQ_MAX_UNKNOWN)
        out->unknown[out->unknown_count] = span_of(element, element);
    out->unknown_count++;
    out->notes |= CSSP_TSREQ_NOTE_UNKNOWN_ELEMENT;
}

static void note_version_rules(cssp_tsrequest *out)
{
    uint32_t version = out->version_value;
    if (out->error_code.present && (version == 2 || version == 5))
        out->notes |= CSSP_TSREQ_NOTE_ERROR_CODE_IN_V2_OR_V5;
    if (out->client_nonce.present && version < 5)
        out->notes |= CSSP_TSREQ_NOTE_NONCE_BEFORE_V5;
    if (out->client_nonce.present && out->client_nonce.value_length != CSSP_NONCE_LEN)
        out->notes |= CSSP_TSREQ_NOTE_NONCE_NOT_32;
}

cssp_status cssp_tsrequest_decode(const uint8_t *data, size_t len, cssp_tsrequest *out)
{
    cssp_der top, seq;
    cssp_der_tlv outer;
    memset(out, 0, sizeof *out);
    cssp_der_init(&top, data, len);
    cssp_status st = cssp_der_expect(&top, CSSP_DER_CLASS_UNIVERSAL, CSSP_DER_TAG_SEQUENCE, &outer, &seq);
    if (st != CSSP_OK)
        return st;
    out->total_len = outer.header_len + outer.value_len;
    if (!cssp_der_at_end(&top))
        out->notes |= CSSP_TSREQ_NOTE_TRAILING_BYTES;

    unsigned seen = 0;        /* bit n: field [n] decoded */
    int highest_field = -1;   /* for the ascending-order check */
    cssp_tsrequest discarded; /* receives repeats of a field, see the file comment */
    while (!cssp_der_at_end(&seq)) {
        cssp_der field;
        cssp_der_tlv element;
        st = cssp_der_next(&seq, &element);
        if (st != CSSP_OK)
            return st;
        if (!is_known_field(&element)) {
            keep_unknown(&element, out);
            continue;
        }
        if (!element.constructed)
            return CSSP_ERR_UNEXPECTED_TAG; /* TSRequest's tags are explicit */
        int tag = (int)element.tag_number;
        if (tag <= highest_field)
            out->notes |= CSSP_TSREQ_NOTE_FIELD_ORDER;
        else
            highest_field = tag;
        cssp_tsrequest *target = out;
        if (seen & (1u << tag)) {
            memset(&discarded, 0, sizeof discarded);
            target = &discarded;
        }
        seen |= 1u << tag;
        st = cssp_der_enter(&seq, &element, &field);
        if (st == CSSP_OK)
            st = decode_field(&field, &element, target);
        if (st != CSSP_OK)
            return st;
    }
    if (!out->version.present)
        return CSSP_ERR_UNEXPECTED_TAG; /* version is the one mandatory field */
    note_version_rules(out);
    return CSSP_OK;
}

/*
 * While the SEQUENCE is still arriving, is its version element only cut short (more bytes will
 * tell) rather than malformed? Its header is incomplete, or it declares an element that fits the
 * SEQUENCE and the longest version encoding but has not all arrived. Deciding on the declared
 * size, not on a count of bytes, keeps the answer the same however the stream is split.
 */
static bool version_still_arriving(const uint8_t *contents, size_t visible, size_t sequence_len)
{
    cssp_der_tlv tagged;
    cssp_status st = cssp_der_read_header(contents, visible, &tagged);
    if (st == CSSP_ERR_TRUNCATED)
        return true;
    size_t total = tagged.header_len + tagged.value_len;
    return st == CSSP_OK && total <= sequence_len && total <= MAX_VERSION_ELEMENT_LEN && visible < total;
}

/* The outer header must be complete and sane; the [0] version is checked on the bytes at hand. */
cssp_probe cssp_tsrequest_probe(const uint8_t *data, size_t avail, size_t *needed)
{
    static const uint8_t sequence_id = 0x30, version_id = 0xa0;
    cssp_reader start;
    cssp_der_tlv outer;
    *needed = 0;
    if (avail == 0)
        return CSSP_PROBE_NEED_MORE;
    cssp_reader_init(&start, data, avail);
    if (!cssp_reader_starts_with(&start, &sequence_id, 1))
        return CSSP_PROBE_NO;
    cssp_status st = cssp_der_read_header(data, avail, &outer);
    if (st == CSSP_ERR_TRUNCATED)
        return CSSP_PROBE_NEED_MORE;
    if (st != CSSP_OK || outer.value_len > CSSP_TSREQ_PROBE_MAX_LEN - outer.header_len)
        return CSSP_PROBE_NO;
    *needed = outer.header_len + outer.value_len;

    /* The SEQUENCE's contents, clipped to the bytes available. */
    cssp_der top, seq, tagged;
    cssp_der_tlv visible = outer, tagged_tlv, version_tlv;
    size_t avail_contents = avail - outer.header_len;
    if (visible.value_len > avail_contents)
        visible.value_len = avail_contents;
    cssp_der_init(&top, data, avail);
    st = cssp_der_enter(&top, &visible, &seq);
    if (st == CSSP_OK && visible.value_len > 0 && !cssp_reader_starts_with(&seq.r, &version_id, 1))
        return CSSP_PROBE_NO; /* a wrong first tag is visible before its length is */
    if (st == CSSP_OK)
        st = cssp_der_expect(&seq, CSSP_DER_CLASS_CONTEXT, FIELD_VERSION, &tagged_tlv, &tagged);
    if (st == CSSP_OK)
        st = read_wrapped(&tagged, CSSP_DER_TAG_INTEGER, &version_tlv);
    bool more_coming = visible.value_len < outer.value_len;
    if (st == CSSP_ERR_LENGTH_PAST_END && more_coming &&
        version_still_arriving(data + outer.header_len, visible.value_len, outer.value_len))
        return CSSP_PROBE_NEED_MORE;
    int64_t version = 0;
    if (st != CSSP_OK || version_tlv.value_len > MAX_PROBED_VERSION_BYTES ||
        cssp_der_int64(&tagged, &version_tlv, &version) != CSSP_OK || version < 1 ||
        version > MAX_PROBED_VERSION)
        return CSSP_PROBE_NO;
    return CSSP_PROBE_YES;
}

const char *cssp_tsrequest_note_string(unsigned note_bit)
{
    switch (note_bit) {
    case CSSP_TSREQ_NOTE_ERROR_CODE_IN_V2_OR_V5: return "errorCode with version 2 or 5";
    case CSSP_TSREQ_NOTE_NONCE_BEFORE_V5: return "clientNonce with version < 5";
    case CSSP_TSREQ_NOTE_NONCE_NOT_32: return "clientNonce is not 32 bytes";
    case CSSP_TSREQ_NOTE_UNKNOWN_ELEMENT: return "unknown element";
    case CSSP_TSREQ_NOTE_TRAILING_BYTES: return "bytes after the TSRequest";
    case CSSP_TSREQ_NOTE_FIELD_ORDER: return "fields out of order or repeated";
    case CSSP_TSREQ_NOTE_TOO_MANY_TOKENS: return "more negoTokens than are kept";
    }
    return "unknown note";
}
