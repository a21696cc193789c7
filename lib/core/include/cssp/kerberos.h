/*
 * kerberos.h - reader of the Kerberos messages that travel in CredSSP's negoTokens, usually as an SPNEGO
 * mechToken / responseToken: a GSS-API token (RFC 4121 4.1: [APPLICATION 0] { mech OID, TOK_ID, message })
 * or a bare message.
 *
 *   KERB-TGT-REQUEST  (TOK_ID 04 00, user-to-user, draft-ietf-cat-user2user)  server-name, realm
 *   KERB-TGT-REPLY    (TOK_ID 04 01)  ticket (of krbtgt)
 *   AP-REQ            (TOK_ID 01 00, RFC 4120 5.5.1)  ticket: realm and sname in clear
 *   AP-REP            (TOK_ID 02 00)  nothing in clear but its type
 *   KRB-ERROR         (TOK_ID 03 00, RFC 4120 5.9.1)  error-code, realm, sname
 *
 * Names are kept as printable ASCII ('?' for any other byte) so they are inert in a terminal; the
 * encrypted parts (ticket enc-part, authenticator) are never looked at.
 */
#ifndef CSSP_KERBEROS_H
#define CSSP_KERBEROS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cssp/status.h"

#define CSSP_KRB_NAME_MAX 128   /* bytes kept of a realm or principal name, with the NUL */

enum {
    CSSP_KRB_AP_REQ = 14,
    CSSP_KRB_AP_REP = 15,
    CSSP_KRB_TGT_REQ = 16,
    CSSP_KRB_TGT_REP = 17,
    CSSP_KRB_ERROR = 30
};

typedef struct cssp_krb_message {
    uint32_t msg_type;                 /* CSSP_KRB_* */
    bool user_to_user;                 /* framed with the user-to-user mechanism OID */
    bool pku2u;                        /* framed with the PKU2U mechanism OID */
    char realm[CSSP_KRB_NAME_MAX];     /* ticket realm (AP-REQ, TGT-REPLY), realm (TGT-REQUEST, KRB-ERROR) */
    char service[CSSP_KRB_NAME_MAX];   /* sname / server-name, components joined by '/': "TERMSRV/host" */
    bool has_error_code;
    int32_t error_code;                /* KRB-ERROR error-code */
} cssp_krb_message;

/*
 * Decodes a Kerberos token (GSS-API framed or bare). CSSP_ERR_NOT_RECOGNISED when the bytes are not one of
 * the messages above; on other errors *out keeps what was read before the problem.
 */
cssp_status cssp_krb_decode(const uint8_t *data, size_t len, cssp_krb_message *out);

/* "AP-REQ", "KERB-TGT-REQUEST", ...; NULL when unknown (the table is lib/core/names.c's) */
const char *cssp_krb_message_name(uint32_t msg_type);
const char *cssp_krb_error_name(int32_t code);         /* "KDC_ERR_PREAUTH_FAILED", ...; NULL when unknown */
/* "KRB_AP_ERR_MODIFIED" or "KRB error 99"; returns buf. */
const char *cssp_format_krb_error(int32_t code, char *buf, size_t size);

#endif
