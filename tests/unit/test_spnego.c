/*
 * test_spnego.c - SPNEGO, the Kerberos messages of CredSSP and the package of a negoToken, on tokens built
 * here from the grammars (RFC 4178 4.2, RFC 4120 5.3/5.5/5.9, RFC 4121 4.1, the user-to-user draft): the
 * names, realms and codes they must give are the ones written into them.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cssp/kerberos.h"
#include "cssp/ntlmssp.h"
#include "cssp/spnego.h"

/* A DER builder: each call returns a heap buffer holding one TLV; tlv() frees its parts. */
typedef struct blob {
    uint8_t *data;
    size_t len;
} blob;

static blob raw(const void *bytes, size_t len)
{
    blob b = {malloc(len ? len : 1), len};
    memcpy(b.data, bytes, len);
    return b;
}

static blob cat(blob a, blob b)
{
    blob r = {malloc(a.len + b.len + 1), a.len + b.len};
    memcpy(r.data, a.data, a.len);
    memcpy(r.data + a.len, b.data, b.len);
    free(a.data);
    free(b.data);
    return r;
}

static blob tlv(uint8_t tag, blob value)
{
    uint8_t head[6];
    size_t n = 0;
    head[n++] = tag;
    if (value.len < 0x80) {
        head[n++] = (uint8_t)value.len;
    } else if (value.len < 0x100) {
        head[n++] = 0x81;
        head[n++] = (uint8_t)value.len;
    } else {
        head[n++] = 0x82;
        head[n++] = (uint8_t)(value.len >> 8);
        head[n++] = (uint8_t)value.len;
    }
    return cat(raw(head, n), value);
}

static blob integer(uint8_t v)
{
    return tlv(0x02, raw(&v, 1));
}

static blob string(const char *s)
{
    return tlv(0x1b, raw(s, strlen(s))); /* GeneralString */
}

/* PrincipalName { name-type [0] 2 (NT-SRV-INST), name-string [1] SEQUENCE OF { a, b } } */
static blob principal(const char *a, const char *b)
{
    return tlv(0x30, cat(tlv(0xa0, integer(2)), tlv(0xa1, tlv(0x30, cat(string(a), string(b))))));
}

/* Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0] 5, realm [1], sname [2], enc-part [3] } */
static blob ticket(const char *realm, const char *svc, const char *host)
{
    static const uint8_t cipher[] = {0xde, 0xad, 0xbe, 0xef};
    blob enc = tlv(0x30, cat(tlv(0xa0, integer(18)), tlv(0xa2, tlv(0x04, raw(cipher, sizeof cipher)))));
    return tlv(0x61, tlv(0x30, cat(cat(tlv(0xa0, integer(5)), tlv(0xa1, string(realm))),
                                   cat(tlv(0xa2, principal(svc, host)), tlv(0xa3, enc)))));
}

static const uint8_t oid_krb5[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02};
static const uint8_t oid_krb5_u2u[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x03};
static const uint8_t oid_ms_krb5[] = {0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02};
static const uint8_t oid_ntlm[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a};
static const uint8_t oid_negoex[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x1e};
static const uint8_t oid_spnego[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x02};

static blob oid(const uint8_t *der, size_t len)
{
    return tlv(0x06, raw(der, len));
}

/* GSS-API InitialContextToken: [APPLICATION 0] { OID, TOK_ID, message } */
static blob gss(const uint8_t *mech, size_t mech_len, uint8_t tok0, uint8_t tok1, blob message)
{
    uint8_t tok[2] = {tok0, tok1};
    return tlv(0x60, cat(cat(oid(mech, mech_len), raw(tok, 2)), message));
}

static blob tgt_request(void)
{
    /* KERB-TGT-REQUEST { pvno [0] 5, msg-type [1] 16, server-name [2] } */
    return gss(oid_krb5_u2u, sizeof oid_krb5_u2u, 0x04, 0x00,
               tlv(0x30, cat(cat(tlv(0xa0, integer(5)), tlv(0xa1, integer(16))),
                             tlv(0xa2, principal("TERMSRV", "rds1.example.test")))));
}

static blob ap_request(void)
{
    static const uint8_t options[] = {0x00, 0x60, 0x00, 0x00, 0x00};
    blob auth = tlv(0x30, cat(tlv(0xa0, integer(18)), tlv(0xa2, tlv(0x04, raw(options, 2)))));
    blob body = cat(cat(tlv(0xa0, integer(5)), tlv(0xa1, integer(14))),
                    cat(cat(tlv(0xa2, tlv(0x03, raw(options, sizeof options))),
                            tlv(0xa3, ticket("EXAMPLE.TEST", "TERMSRV", "rds1.example.test"))),
                        tlv(0xa4, auth)));
    return gss(oid_krb5_u2u, sizeof oid_krb5_u2u, 0x01, 0x00, tlv(0x6e, tlv(0x30, body)));
}

static blob krb_error(uint8_t code)
{
    blob body = cat(cat(tlv(0xa0, integer(5)), tlv(0xa1, integer(30))),
                    cat(cat(tlv(0xa4, tlv(0x18, raw("20240506200739Z", 15))), tlv(0xa5, integer(0))),
                        cat(tlv(0xa6, integer(code)),
                            cat(tlv(0xa9, string("EXAMPLE.TEST")), tlv(0xaa, principal("TERMSRV", "rds1"))))));
    return gss(oid_krb5, sizeof oid_krb5, 0x03, 0x00, tlv(0x7e, tlv(0x30, body)));
}

/* NegTokenInit in its GSS-API framing: mechTypes and a mechToken */
static blob neg_token_init(blob mechs, blob token)
{
    return tlv(0x60, cat(oid(oid_spnego, sizeof oid_spnego),
                         tlv(0xa0, tlv(0x30, cat(tlv(0xa0, tlv(0x30, mechs)), tlv(0xa2, tlv(0x04, token)))))));
}

/* NegTokenResp { negState [0], supportedMech [1], responseToken [2] } */
static blob neg_token_resp(uint8_t state, const uint8_t *mech, size_t mech_len, blob token)
{
    blob body = cat(tlv(0xa0, tlv(0x0a, raw(&state, 1))), tlv(0xa1, oid(mech, mech_len)));
    if (token.len)
        body = cat(body, tlv(0xa2, tlv(0x04, token)));
    else
        free(token.data);
    return tlv(0xa1, tlv(0x30, body));
}

static blob windows_mechs(void)
{
    return cat(cat(oid(oid_ms_krb5, sizeof oid_ms_krb5), oid(oid_krb5, sizeof oid_krb5)),
               cat(oid(oid_negoex, sizeof oid_negoex), oid(oid_ntlm, sizeof oid_ntlm)));
}

static void test_init_with_tgt_request(void)
{
    blob b = neg_token_init(windows_mechs(), tgt_request());
    cssp_token_info t;
    CHECK_EQ_U(cssp_token_inspect(b.data, b.len, &t), CSSP_OK);
    CHECK_EQ_U(t.kind, CSSP_TOKEN_SPNEGO_INIT);
    CHECK_EQ_U(t.package, CSSP_PACKAGE_KERBEROS);
    CHECK(t.has_spnego && t.spnego.init);
    CHECK_EQ_U(t.spnego.mech_count, 4);
    CHECK_EQ_U(t.spnego.mechs[0], CSSP_PACKAGE_KERBEROS);
    CHECK_EQ_U(t.spnego.mechs[1], CSSP_PACKAGE_KERBEROS);
    CHECK_EQ_U(t.spnego.mechs[2], CSSP_PACKAGE_NEGOEX);
    CHECK_EQ_U(t.spnego.mechs[3], CSSP_PACKAGE_NTLM);
    CHECK(t.has_krb);
    CHECK_EQ_U(t.krb.msg_type, CSSP_KRB_TGT_REQ);
    CHECK(t.krb.user_to_user);
    CHECK_EQ_STR(t.krb.service, "TERMSRV/rds1.example.test");
    CHECK_EQ_STR(t.krb.realm, "");
    CHECK_EQ_STR(cssp_krb_message_name(t.krb.msg_type), "KERB-TGT-REQUEST");
    free(b.data);
}

static void test_resp_with_ap_request(void)
{
    blob b = neg_token_resp(1, oid_ms_krb5, sizeof oid_ms_krb5, ap_request());
    cssp_token_info t;
    CHECK_EQ_U(cssp_token_inspect(b.data, b.len, &t), CSSP_OK);
    CHECK_EQ_U(t.kind, CSSP_TOKEN_SPNEGO_RESP);
    CHECK(t.spnego.has_neg_state);
    CHECK_EQ_U(t.spnego.neg_state, CSSP_NEG_STATE_ACCEPT_INCOMPLETE);
    CHECK_EQ_U(t.spnego.supported_mech, CSSP_PACKAGE_KERBEROS);
    CHECK_EQ_U(t.package, CSSP_PACKAGE_KERBEROS);
    CHECK_EQ_U(t.krb.msg_type, CSSP_KRB_AP_REQ);
    CHECK_EQ_STR(t.krb.realm, "EXAMPLE.TEST");
    CHECK_EQ_STR(t.krb.service, "TERMSRV/rds1.example.test");
    /* every cut of it is an error, never a read outside */
    for (size_t n = 1; n < b.len; n++) {
        uint8_t *copy = malloc(n);
        memcpy(copy, b.data, n);
        CHECK(cssp_token_inspect(copy, n, &t) != CSSP_OK);
        free(copy);
    }
    free(b.data);
}

static void test_krb_error_named(void)
{
    blob b = krb_error(41);
    cssp_krb_message m;
    char name[48];
    CHECK_EQ_U(cssp_krb_decode(b.data, b.len, &m), CSSP_OK);
    CHECK_EQ_U(m.msg_type, CSSP_KRB_ERROR);
    CHECK(m.has_error_code);
    CHECK_EQ_U(m.error_code, 41);
    CHECK_EQ_STR(m.realm, "EXAMPLE.TEST");
    CHECK_EQ_STR(m.service, "TERMSRV/rds1");
    CHECK_EQ_STR(cssp_format_krb_error(m.error_code, name, sizeof name), "KRB_AP_ERR_MODIFIED");
    CHECK_EQ_STR(cssp_format_krb_error(24, name, sizeof name), "KDC_ERR_PREAUTH_FAILED");
    CHECK_EQ_STR(cssp_format_krb_error(99, name, sizeof name), "KRB error 99");
    free(b.data);
}

static void test_supported_mech_alone(void)
{
    /* accept-incomplete naming NTLM with no token; NEGOEX message as a token; negState reject */
    blob ntlm = neg_token_resp(1, oid_ntlm, sizeof oid_ntlm, raw("", 0));
    blob negoex = neg_token_resp(1, oid_negoex, sizeof oid_negoex, raw("NEGOEXTS\x00\x00\x00\x00", 12));
    cssp_token_info t;
    CHECK_EQ_U(cssp_token_inspect(ntlm.data, ntlm.len, &t), CSSP_OK);
    CHECK_EQ_U(t.package, CSSP_PACKAGE_NTLM);
    CHECK(!t.has_ntlm);
    CHECK_EQ_U(cssp_token_inspect(negoex.data, negoex.len, &t), CSSP_OK);
    CHECK_EQ_U(t.package, CSSP_PACKAGE_NEGOEX);
    CHECK_EQ_STR(cssp_auth_package_name(CSSP_PACKAGE_PKU2U), "pku2u");
    CHECK(cssp_auth_package_name(CSSP_PACKAGE_NONE) == NULL);
    free(ntlm.data);
    free(negoex.data);
}

static void test_names_made_inert(void)
{
    /* control bytes and non-ASCII in a realm come out as '?' */
    blob b = gss(oid_krb5_u2u, sizeof oid_krb5_u2u, 0x04, 0x00,
                 tlv(0x30, cat(cat(tlv(0xa0, integer(5)), tlv(0xa1, integer(16))),
                               cat(tlv(0xa2, principal("TERM\x1b[2J", "h\xc3\xa9")), tlv(0xa3, string("R\nX"))))));
    cssp_krb_message m;
    CHECK_EQ_U(cssp_krb_decode(b.data, b.len, &m), CSSP_OK);
    CHECK_EQ_STR(m.service, "TERM?[2J/h??");
    CHECK_EQ_STR(m.realm, "R?X");
    free(b.data);
}

int main(void)
{
    test_init_with_tgt_request();
    test_resp_with_ap_request();
    test_krb_error_named();
    test_supported_mech_alone();
    test_names_made_inert();
    return check_summary("spnego");
}
