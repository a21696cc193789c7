/*
 * spnego.c - SPNEGO NegTokenInit / NegTokenResp and mechanism OIDs (see spnego.h; RFC 4178 4.2,
 * RFC 2743 3.1, [MS-SPNG] 2.2, [MS-NEGOEX] 2.2.6.1).
 *
 * Unknown context tags inside the sequences are skipped, not refused: Windows sends NegTokenInit2 with
 * negHints in [3], and what we want of a token is which package it names.
 */
#include "cssp/spnego.h"

#include <string.h>

#include "cssp/der.h"
#include "cssp/reader.h"

#define GSS_API_TAG 0x60          /* [APPLICATION 0] InitialContextToken */
#define SPNEGO_INIT_CHOICE 0
#define SPNEGO_RESP_CHOICE 1

typedef struct mech_oid {
    const uint8_t *der;
    size_t len;
    cssp_auth_package package;
} mech_oid;

/* DER contents of the mechanism OIDs */
static const uint8_t oid_spnego[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x02}; /* 1.3.6.1.5.5.2 */
/* 1.2.840.113554.1.2.2, its user-to-user .3, and Microsoft's 1.2.840.48018.1.2.2 */
static const uint8_t oid_kerberos[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02};
static const uint8_t oid_kerberos_u2u[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x03};
static const uint8_t oid_ms_kerberos[] = {0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02};
/* 1.3.6.1.4.1.311.2.2.10 (NTLM) and .30 (NEGOEX) */
static const uint8_t oid_ntlm[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a};
static const uint8_t oid_negoex[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x1e};
static const uint8_t oid_pku2u[] = {0x2b, 0x06, 0x01, 0x05, 0x02, 0x07}; /* 1.3.6.1.5.2.7 */

static const mech_oid mech_oids[] = {
    {oid_kerberos, sizeof oid_kerberos, CSSP_PACKAGE_KERBEROS},
    {oid_kerberos_u2u, sizeof oid_kerberos_u2u, CSSP_PACKAGE_KERBEROS},
    {oid_ms_kerberos, sizeof oid_ms_kerberos, CSSP_PACKAGE_KERBEROS},
    {oid_ntlm, sizeof oid_ntlm, CSSP_PACKAGE_NTLM},
    {oid_negoex, sizeof oid_negoex, CSSP_PACKAGE_NEGOEX},
    {oid_pku2u, sizeof oid_pku2u, CSSP_PACKAGE_PKU2U},
};

static bool oid_equals(const uint8_t *oid, size_t len, const uint8_t *want, size_t want_len)
{
    return oid && len == want_len && memcmp(oid, want, len) == 0;
}

cssp_auth_package cssp_mech_package(const uint8_t *oid, size_t len)
{
    for (size_t i = 0; i < sizeof mech_oids / sizeof mech_oids[0]; i++)
        if (oid_equals(oid, len, mech_oids[i].der, mech_oids[i].len))
            return mech_oids[i].package;
    return CSSP_PACKAGE_NONE;
}

bool cssp_mech_is_kerberos_u2u(const uint8_t *oid, size_t len)
{
    return oid_equals(oid, len, oid_kerberos_u2u, sizeof oid_kerberos_u2u);
}

bool cssp_is_negoex_message(const uint8_t *data, size_t len)
{
    cssp_reader r;
    cssp_reader_init(&r, data, len);
    return cssp_reader_starts_with(&r, "NEGOEXTS", 8);
}

/* The package named by an OID element read from d; NONE when it is not an OID. */
static cssp_auth_package package_of(const cssp_der *d, const cssp_der_tlv *tlv)
{
    if (tlv->tag_class != CSSP_DER_CLASS_UNIVERSAL || tlv->tag_number != CSSP_DER_TAG_OID || tlv->constructed)
        return CSSP_PACKAGE_NONE;
    return cssp_mech_package(cssp_der_value(d, tlv), tlv->value_len);
}

static cssp_status read_mech_types(const cssp_der *field, cssp_spnego *out)
{
    cssp_der list = *field, seq;
    cssp_der_tlv tlv;
    cssp_status st = cssp_der_expect(&list, CSSP_DER_CLASS_UNIVERSAL, CSSP_DER_TAG_SEQUENCE, &tlv, &seq);
    while (st == CSSP_OK && !cssp_der_at_end(&seq)) {
        st = cssp_der_next(&seq, &tlv);
        if (st != CSSP_OK)
            break;
        if (out->mech_count < CSSP_SPNEGO_MAX_MECHS)
            out->mechs[out->mech_count] = package_of(&seq, &tlv);
        out->mech_count++;
    }
    return st;
}

/* The OCTET STRING of mechToken / responseToken: its span. */
static cssp_status read_token(const cssp_der *field, cssp_spnego *out)
{
    cssp_der inner = *field;
    cssp_der_tlv octets;
    cssp_status st = cssp_der_next(&inner, &octets);
    if (st != CSSP_OK)
        return st;
    if (octets.tag_class != CSSP_DER_CLASS_UNIVERSAL || octets.tag_number != CSSP_DER_TAG_OCTET_STRING ||
        octets.constructed)
        return CSSP_ERR_UNEXPECTED_TAG;
    out->has_token = true;
    out->token_offset = octets.value_offset;
    out->token_len = octets.value_len;
    return CSSP_OK;
}

static cssp_status read_field(const cssp_der *field, uint32_t tag, cssp_spnego *out)
{
    cssp_der inner = *field;
    cssp_der_tlv tlv;
    if (tag == 2)
        return read_token(field, out);
    if (out->init)
        return tag == 0 ? read_mech_types(field, out) : CSSP_OK;
    switch (tag) {
    case 0: {
        int64_t state;
        cssp_status st = cssp_der_next(&inner, &tlv);
        if (st == CSSP_OK && (tlv.tag_class != CSSP_DER_CLASS_UNIVERSAL || tlv.tag_number != CSSP_DER_TAG_ENUMERATED))
            st = CSSP_ERR_UNEXPECTED_TAG;
        if (st == CSSP_OK)
            st = cssp_der_int64(&inner, &tlv, &state);
        if (st == CSSP_OK && (state < 0 || state > 0xFFFF))
            st = CSSP_ERR_INTEGER_RANGE;
        if (st == CSSP_OK) {
            out->has_neg_state = true;
            out->neg_state = (uint32_t)state;
        }
        return st;
    }
    case 1: {
        cssp_status st = cssp_der_next(&inner, &tlv);
        if (st == CSSP_OK) {
            out->has_supported_mech = true;
            out->supported_mech = package_of(&inner, &tlv);
        }
        return st;
    }
    case 3:
        out->has_mech_list_mic = true;
        return CSSP_OK;
    }
    return CSSP_OK;
}

/* NegotiationToken ::= CHOICE { negTokenInit [0], negTokenResp [1] }, read from d. */
static cssp_status read_choice(cssp_der *d, uint32_t choice, cssp_spnego *out)
{
    cssp_der_tlv tlv;
    cssp_der choice_value, seq;
    out->init = choice == SPNEGO_INIT_CHOICE;
    cssp_status st = cssp_der_expect(d, CSSP_DER_CLASS_CONTEXT, choice, &tlv, &choice_value);
    if (st == CSSP_OK)
        st = cssp_der_expect(&choice_value, CSSP_DER_CLASS_UNIVERSAL, CSSP_DER_TAG_SEQUENCE, &tlv, &seq);
    while (st == CSSP_OK && !cssp_der_at_end(&seq)) {
        cssp_der field;
        st = cssp_der_next(&seq, &tlv);
        if (st == CSSP_OK && tlv.tag_class == CSSP_DER_CLASS_CONTEXT && tlv.constructed) {
            st = cssp_der_enter(&seq, &tlv, &field);
            if (st == CSSP_OK)
                st = read_field(&field, tlv.tag_number, out);
        }
    }
    return st;
}

cssp_status cssp_spnego_decode(const uint8_t *data, size_t len, cssp_spnego *out)
{
    cssp_der d;
    cssp_der_tlv tlv;
    memset(out, 0, sizeof *out);
    if (len == 0)
        return CSSP_ERR_NOT_RECOGNISED;
    cssp_der_init(&d, data, len);
    if (data[0] == 0xa0 + SPNEGO_RESP_CHOICE)
        return read_choice(&d, SPNEGO_RESP_CHOICE, out);
    if (data[0] != GSS_API_TAG)
        return CSSP_ERR_NOT_RECOGNISED;
    cssp_der token;
    cssp_status st = cssp_der_expect(&d, CSSP_DER_CLASS_APPLICATION, 0, &tlv, &token);
    if (st == CSSP_OK)
        st = cssp_der_next(&token, &tlv);
    if (st != CSSP_OK)
        return st;
    if (tlv.tag_class != CSSP_DER_CLASS_UNIVERSAL || tlv.tag_number != CSSP_DER_TAG_OID ||
        !oid_equals(cssp_der_value(&token, &tlv), tlv.value_len, oid_spnego, sizeof oid_spnego))
        return CSSP_ERR_NOT_RECOGNISED;
    return read_choice(&token, SPNEGO_INIT_CHOICE, out);
}
