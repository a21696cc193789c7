/*
 * kerberos.c - the Kerberos messages carried in negoTokens (see kerberos.h; RFC 4120 5.3, 5.5, 5.9, RFC 4121
 * 4.1, the user-to-user draft as [MS-KILE] 3.2.5.3 uses it). Only what is in clear is read: message type,
 * realm, principal names and the error code.
 */
#include "cssp/kerberos.h"

#include <stdio.h>
#include <string.h>

#include "cssp/der.h"
#include "cssp/names.h"
#include "cssp/spnego.h"

#define GSS_API_TAG 0x60
#define TOK_ID_LEN 2
#define NO_TAG -1

/* Which context tag of a message's SEQUENCE holds what we read; NO_TAG when it has none. */
typedef struct krb_layout {
    uint32_t msg_type;
    int realm, name, ticket, error_code;
} krb_layout;

static const krb_layout layouts[] = {
    {CSSP_KRB_AP_REQ, NO_TAG, NO_TAG, 3, NO_TAG},
    {CSSP_KRB_AP_REP, NO_TAG, NO_TAG, NO_TAG, NO_TAG},
    {CSSP_KRB_TGT_REQ, 3, 2, NO_TAG, NO_TAG},
    {CSSP_KRB_TGT_REP, NO_TAG, NO_TAG, 2, NO_TAG},
    {CSSP_KRB_ERROR, 9, 10, NO_TAG, 6},
};
static const krb_layout ticket_layout = {0, 1, 2, NO_TAG, NO_TAG}; /* Ticket ::= [APPLICATION 1] SEQUENCE */

static const krb_layout *layout_of(uint32_t msg_type)
{
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++)
        if (layouts[i].msg_type == msg_type)
            return &layouts[i];
    return NULL;
}

static bool is_string(const cssp_der_tlv *tlv)
{
    /* KerberosString is GeneralString (27); peers also use the other restricted string types. */
    return tlv->tag_class == CSSP_DER_CLASS_UNIVERSAL && !tlv->constructed &&
           (tlv->tag_number == 27 || tlv->tag_number == 22 || tlv->tag_number == 12 || tlv->tag_number == 19);
}

/* Appends a wire string to dst, printable ASCII only; a string that does not fit is cut. */
static void append_inert(char *dst, size_t size, const uint8_t *src, size_t len)
{
    size_t used = strlen(dst);
    for (size_t i = 0; i < len && used + 1 < size; i++)
        dst[used++] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
    dst[used] = '\0';
}

/* The first element of an explicit tag: must be a string; copied to dst. */
static cssp_status read_string(const cssp_der *field, char *dst, size_t size)
{
    cssp_der inner = *field;
    cssp_der_tlv tlv;
    cssp_status st = cssp_der_next(&inner, &tlv);
    if (st != CSSP_OK)
        return st;
    if (!is_string(&tlv))
        return CSSP_ERR_UNEXPECTED_TAG;
    dst[0] = '\0';
    append_inert(dst, size, cssp_der_value(&inner, &tlv), tlv.value_len);
    return CSSP_OK;
}

/* PrincipalName ::= SEQUENCE { name-type [0] Int32, name-string [1] SEQUENCE OF KerberosString }. */
static cssp_status read_principal(const cssp_der *field, char *dst, size_t size)
{
    cssp_der inner = *field, seq, name_field, names;
    cssp_der_tlv tlv;
    cssp_status st = cssp_der_expect(&inner, CSSP_DER_CLASS_UNIVERSAL, CSSP_DER_TAG_SEQUENCE, &tlv, &seq);
    dst[0] = '\0';
    while (st == CSSP_OK && !cssp_der_at_end(&seq)) {
        st = cssp_der_next(&seq, &tlv);
        if (st != CSSP_OK || tlv.tag_class != CSSP_DER_CLASS_CONTEXT || tlv.tag_number != 1)
            continue;
        st = cssp_der_enter(&seq, &tlv, &name_field);
        if (st == CSSP_OK)
            st = cssp_der_expect(&name_field, CSSP_DER_CLASS_UNIVERSAL, CSSP_DER_TAG_SEQUENCE, &tlv, &names);
        for (bool first = true; st == CSSP_OK && !cssp_der_at_end(&names); first = false) {
            st = cssp_der_next(&names, &tlv);
            if (st == CSSP_OK && !is_string(&tlv))
                st = CSSP_ERR_UNEXPECTED_TAG;
            if (st != CSSP_OK)
                break;
            if (!first)
                append_inert(dst, size, (const uint8_t *)"/", 1);
            append_inert(dst, size, cssp_der_value(&names, &tlv), tlv.value_len);
        }
    }
    return st;
}

static cssp_status read_int32(const cssp_der *field, int32_t *out)
{
    cssp_der inner = *field;
    cssp_der_tlv tlv;
    int64_t value;
    cssp_status st = cssp_der_next(&inner, &tlv);
    if (st == CSSP_OK && (tlv.tag_class != CSSP_DER_CLASS_UNIVERSAL || tlv.tag_number != CSSP_DER_TAG_INTEGER))
        st = CSSP_ERR_UNEXPECTED_TAG;
    if (st == CSSP_OK)
        st = cssp_der_int64(&inner, &tlv, &value);
    if (st == CSSP_OK && (value < INT32_MIN || value > INT32_MAX))
        st = CSSP_ERR_INTEGER_RANGE;
    if (st == CSSP_OK)
        *out = (int32_t)value;
    return st;
}

static cssp_status read_fields(cssp_der *seq, const krb_layout *layout, cssp_krb_message *out);

/* Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0], realm [1], sname [2], enc-part [3] }. */
static cssp_status read_ticket(const cssp_der *field, cssp_krb_message *out)
{
    cssp_der inner = *field, app, seq;
    cssp_der_tlv tlv;
    cssp_status st = cssp_der_expect(&inner, CSSP_DER_CLASS_APPLICATION, 1, &tlv, &app);
    if (st == CSSP_OK)
        st = cssp_der_expect(&app, CSSP_DER_CLASS_UNIVERSAL, CSSP_DER_TAG_SEQUENCE, &tlv, &seq);
    return st == CSSP_OK ? read_fields(&seq, &ticket_layout, out) : st;
}

static cssp_status read_fields(cssp_der *seq, const krb_layout *layout, cssp_krb_message *out)
{
    cssp_status st = CSSP_OK;
    while (st == CSSP_OK && !cssp_der_at_end(seq)) {
        cssp_der_tlv tlv;
        cssp_der field;
        st = cssp_der_next(seq, &tlv);
        if (st != CSSP_OK || tlv.tag_class != CSSP_DER_CLASS_CONTEXT || !tlv.constructed)
            continue;
        st = cssp_der_enter(seq, &tlv, &field);
        int tag = (int)tlv.tag_number;
        if (st != CSSP_OK)
            break;
        if (tag == layout->realm)
            st = read_string(&field, out->realm, sizeof out->realm);
        else if (tag == layout->name)
            st = read_principal(&field, out->service, sizeof out->service);
        else if (tag == layout->ticket)
            st = read_ticket(&field, out);
        else if (tag == layout->error_code && (st = read_int32(&field, &out->error_code)) == CSSP_OK)
            out->has_error_code = true;
    }
    return st;
}

/* A message: [APPLICATION n] SEQUENCE (AP-REQ, AP-REP, KRB-ERROR) or a bare SEQUENCE (TGT-REQUEST/REPLY). */
static cssp_status read_message(cssp_der *d, cssp_krb_message *out)
{
    cssp_der_tlv tlv;
    cssp_der body, seq, first;
    cssp_status st = cssp_der_peek(d, &tlv);
    if (st != CSSP_OK)
        return st;
    uint32_t app_type = tlv.tag_class == CSSP_DER_CLASS_APPLICATION ? tlv.tag_number : 0;
    if (app_type) {
        if (!layout_of(app_type) || app_type == CSSP_KRB_TGT_REQ || app_type == CSSP_KRB_TGT_REP)
            return CSSP_ERR_NOT_RECOGNISED;
        st = cssp_der_expect(d, CSSP_DER_CLASS_APPLICATION, app_type, &tlv, &body);
        if (st == CSSP_OK)
            st = cssp_der_expect(&body, CSSP_DER_CLASS_UNIVERSAL, CSSP_DER_TAG_SEQUENCE, &tlv, &seq);
    } else {
        st = cssp_der_expect(d, CSSP_DER_CLASS_UNIVERSAL, CSSP_DER_TAG_SEQUENCE, &tlv, &seq);
    }
    if (st != CSSP_OK)
        return st;
    /* msg-type [1] after pvno [0]: read it from a copy, then walk the fields with its layout. */
    first = seq;
    int32_t msg_type = 0;
    bool found = false;
    while (st == CSSP_OK && !found && !cssp_der_at_end(&first)) {
        cssp_der field;
        st = cssp_der_next(&first, &tlv);
        if (st == CSSP_OK && tlv.tag_class == CSSP_DER_CLASS_CONTEXT && tlv.tag_number == 1 && tlv.constructed &&
            (st = cssp_der_enter(&first, &tlv, &field)) == CSSP_OK) {
            st = read_int32(&field, &msg_type);
            found = st == CSSP_OK;
        }
    }
    if (st != CSSP_OK)
        return st;
    if (!found) /* the application tag names the message */
        msg_type = (int32_t)app_type;
    const krb_layout *layout = msg_type > 0 ? layout_of((uint32_t)msg_type) : NULL;
    if (!layout)
        return CSSP_ERR_NOT_RECOGNISED;
    out->msg_type = (uint32_t)msg_type;
    return read_fields(&seq, layout, out);
}

cssp_status cssp_krb_decode(const uint8_t *data, size_t len, cssp_krb_message *out)
{
    cssp_der d;
    cssp_der_tlv tlv;
    memset(out, 0, sizeof *out);
    if (len == 0)
        return CSSP_ERR_NOT_RECOGNISED;
    cssp_der_init(&d, data, len);
    if (data[0] != GSS_API_TAG) {
        /* Bare, only the messages that have an [APPLICATION n] tag of their own. */
        bool bare = data[0] == 0x60 + CSSP_KRB_AP_REQ || data[0] == 0x60 + CSSP_KRB_AP_REP ||
                    data[0] == 0x60 + CSSP_KRB_ERROR;
        return bare ? read_message(&d, out) : CSSP_ERR_NOT_RECOGNISED;
    }
    cssp_der token;
    uint16_t tok_id;
    cssp_status st = cssp_der_expect(&d, CSSP_DER_CLASS_APPLICATION, 0, &tlv, &token);
    if (st == CSSP_OK)
        st = cssp_der_next(&token, &tlv);
    if (st != CSSP_OK)
        return st;
    const uint8_t *oid = cssp_der_value(&token, &tlv);
    if (tlv.tag_class != CSSP_DER_CLASS_UNIVERSAL || tlv.tag_number != CSSP_DER_TAG_OID)
        return CSSP_ERR_NOT_RECOGNISED;
    cssp_auth_package package = cssp_mech_package(oid, tlv.value_len);
    if (package != CSSP_PACKAGE_KERBEROS && package != CSSP_PACKAGE_PKU2U)
        return CSSP_ERR_NOT_RECOGNISED;
    if (!cssp_get_be16(&token.r, &tok_id))
        return CSSP_ERR_LENGTH_PAST_END;
    st = read_message(&token, out);
    out->user_to_user = cssp_mech_is_kerberos_u2u(oid, tlv.value_len);
    out->pku2u = package == CSSP_PACKAGE_PKU2U;
    return st;
}

const char *cssp_krb_error_name(int32_t code)
{
    const cssp_name *n = code >= 0 ? cssp_name_lookup(cssp_krb_error_names, (uint32_t)code) : NULL;
    return n ? n->name : NULL;
}

const char *cssp_format_krb_error(int32_t code, char *buf, size_t size)
{
    const char *name = cssp_krb_error_name(code);
    if (name)
        snprintf(buf, size, "%s", name);
    else
        snprintf(buf, size, "KRB error %d", (int)code);
    return buf;
}
