/*
 * facts_text.c - the auth and mode words of a connection (see facts_text.h; flags from [MS-RDPBCGR]
 * 2.2.1.1.1 and 2.2.1.2.1).
 */
#include "cssp/facts_text.h"

#include <stdio.h>
#include <string.h>

#include "cssp/kerberos.h"
#include "cssp/names.h"
#include "cssp/words.h"

#define NEG_REQ_RESTRICTED_ADMIN 0x01
#define NEG_REQ_REDIRECTED_AUTH 0x02
#define NEG_RSP_RESTRICTED_ADMIN 0x08
#define NEG_RSP_REDIRECTED_AUTH 0x10

bool cssp_auth_text(const cssp_facts *f, char *buf, size_t size)
{
    const char *package = cssp_auth_package_name(f->auth_package);
    char error[48] = "";
    if (f->has_krb_error)
        cssp_format_krb_error(f->krb_error, error, sizeof error);
    if (!package && !f->has_krb_error) {
        if (size)
            buf[0] = '\0';
        return false;
    }
    snprintf(buf, size, "%s%s%s%s%s%s%s%s", package ? package : "unknown",
             f->ntlm_fallback ? " (fallback after Kerberos)" : "", f->kerberos_service[0] ? ", " : "",
             f->kerberos_service, f->kerberos_service[0] && f->kerberos_realm[0] ? "@" : "",
             f->kerberos_service[0] ? f->kerberos_realm : "", f->has_krb_error ? ", KRB-ERROR " : "", error);
    return true;
}

/* "Restricted Admin requested, supported by the server" for one mode; "" when the client did not ask. */
static void mode_clause(const cssp_facts *f, unsigned req_bit, unsigned rsp_bit, const char *mode, cssp_translate tr,
                        char *buf, size_t size)
{
    const char *answer;
    if (!(f->request_flags & req_bit)) {
        buf[0] = '\0';
        return;
    }
    if (f->has_failure)
        answer = CSSP_N_("the server refused the negotiation");
    else if (!f->has_response)
        answer = CSSP_N_("no answer from the server in the capture");
    else if (f->response_has_neg && (f->response_flags & rsp_bit))
        answer = CSSP_N_("supported by the server");
    else
        answer = CSSP_N_("not supported by the server");
    snprintf(buf, size, cssp_tr(tr, "%s requested, %s"), mode, cssp_tr(tr, answer));
}

bool cssp_mode_text(const cssp_facts *f, char *buf, size_t size)
{
    return cssp_mode_text_in(f, NULL, buf, size);
}

bool cssp_mode_text_in(const cssp_facts *f, cssp_translate tr, char *buf, size_t size)
{
    char admin[96], guard[96];
    if (size)
        buf[0] = '\0';
    if (!f->has_request || !f->request_has_neg)
        return false;
    mode_clause(f, NEG_REQ_RESTRICTED_ADMIN, NEG_RSP_RESTRICTED_ADMIN, "Restricted Admin", tr, admin, sizeof admin);
    mode_clause(f, NEG_REQ_REDIRECTED_AUTH, NEG_RSP_REDIRECTED_AUTH, "Remote Credential Guard", tr, guard,
                sizeof guard);
    if (!admin[0] && !guard[0])
        return false;
    snprintf(buf, size, "%s%s%s", admin, admin[0] && guard[0] ? cssp_tr(tr, "; ") : "", guard);
    return true;
}

void cssp_format_correlation_id(const uint8_t id[CSSP_CORRELATION_ID_LEN], char buf[37])
{
    snprintf(buf, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", id[3], id[2], id[1],
             id[0], id[5], id[4], id[7], id[6], id[8], id[9], id[10], id[11], id[12], id[13], id[14], id[15]);
}
