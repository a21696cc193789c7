/* test_names.c - the name tables and their formatted fallbacks. */
#include "check.h"
#include "cssp/names.h"

int main(void)
{
    char buf[128];
    CHECK_EQ_STR(cssp_protocol_name(0x08), "HYBRID_EX");
    CHECK_EQ_STR(cssp_protocol_name(0x10), "RDSAAD");
    CHECK(cssp_protocol_name(0x20) == NULL);
    CHECK_EQ_STR(cssp_format_protocols(0x0B, "|", buf, sizeof buf), "SSL|HYBRID|HYBRID_EX");
    CHECK_EQ_STR(cssp_format_protocols(0x00, "|", buf, sizeof buf), "RDP");
    CHECK_EQ_STR(cssp_format_protocols(0x1F, ",", buf, sizeof buf), "SSL,HYBRID,RDSTLS,HYBRID_EX,RDSAAD");
    CHECK_EQ_STR(cssp_format_protocols(0x41, "|", buf, sizeof buf), "SSL|0x40");
    CHECK_EQ_STR(cssp_format_protocols(0x0B, "|", buf, 8), "SSL"); /* cut at a whole name */
    CHECK_EQ_STR(cssp_format_protocols(0x0B, "|", buf, 11), "SSL|HYBRID");
    CHECK_EQ_STR(cssp_format_protocols(0x0B, "|", buf, 10), "SSL");
    CHECK_EQ_STR(cssp_format_protocols(0x01, "|", buf, 3), "");
    CHECK_EQ_STR(cssp_format_protocols(0x00, "|", buf, 3), "RD"); /* cut as snprintf cuts */

    CHECK_EQ_STR(cssp_neg_failure_name(5), "HYBRID_REQUIRED_BY_SERVER");
    CHECK_EQ_STR(cssp_neg_failure_name(1), "SSL_REQUIRED_BY_SERVER");
    CHECK_EQ_STR(cssp_neg_failure_name(6), "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER");
    CHECK_EQ_STR(cssp_format_neg_failure(7, buf, sizeof buf), "unknown (7)");

    CHECK_EQ_STR(cssp_error_name(0xC000006D), "STATUS_LOGON_FAILURE");
    CHECK_EQ_STR(cssp_error_name(0xC00000BB), "STATUS_NOT_SUPPORTED");
    CHECK_EQ_STR(cssp_error_name(0xC0000234), "STATUS_ACCOUNT_LOCKED_OUT");
    CHECK_EQ_STR(cssp_error_name(0x80090302), "SEC_E_UNSUPPORTED_FUNCTION");
    CHECK_EQ_STR(cssp_name_lookup(cssp_sspi_status_names, 0x80090302)->text,
                 "The function requested is not supported");
    CHECK_EQ_STR(cssp_format_error(0xC000006D, buf, sizeof buf), "STATUS_LOGON_FAILURE");
    CHECK_EQ_STR(cssp_format_error(0xC00000FF, buf, sizeof buf), "0xC00000FF");
    CHECK_EQ_STR(cssp_format_error(0xC000006D, buf, 7), "STATUS");
    CHECK_EQ_STR(cssp_format_error(0xC000006D, buf, 21), "STATUS_LOGON_FAILURE");
    CHECK_EQ_STR(cssp_format_neg_failure(5, buf, 5), "HYBR");
    CHECK_EQ_STR(cssp_authz_result_name(5), "AUTHZ_ACCESS_DENIED");
    CHECK(cssp_authz_result_name(7) == NULL);

    /* RDP_NEG_REQ / RDP_NEG_RSP flags ([MS-RDPBCGR] 2.2.1.1.1, 2.2.1.2.1) */
    CHECK_EQ_STR(cssp_format_bits(cssp_neg_req_flag_names, 0x01, ",", buf, sizeof buf),
                 "RESTRICTED_ADMIN_MODE_REQUIRED");
    CHECK_EQ_STR(cssp_format_bits(cssp_neg_req_flag_names, 0x0A, ",", buf, sizeof buf),
                 "REDIRECTED_AUTHENTICATION_MODE_REQUIRED,CORRELATION_INFO_PRESENT");
    CHECK_EQ_STR(cssp_format_bits(cssp_neg_req_flag_names, 0x04, ",", buf, sizeof buf), "0x4");
    CHECK_EQ_STR(cssp_format_bits(cssp_neg_req_flag_names, 0x00, ",", buf, sizeof buf), "");
    CHECK_EQ_STR(cssp_format_bits(cssp_neg_rsp_flag_names, 0x18, ",", buf, sizeof buf),
                 "RESTRICTED_ADMIN_MODE_SUPPORTED,REDIRECTED_AUTHENTICATION_MODE_SUPPORTED");
    CHECK_EQ_STR(cssp_format_bits(cssp_neg_rsp_flag_names, 0x03, ",", buf, sizeof buf),
                 "EXTENDED_CLIENT_DATA_SUPPORTED,DYNVC_GFX_PROTOCOL_SUPPORTED");
    /* Kerberos error codes (RFC 4120 7.5.9) */
    CHECK_EQ_STR(cssp_name_lookup(cssp_krb_error_names, 24)->name, "KDC_ERR_PREAUTH_FAILED");
    CHECK_EQ_STR(cssp_name_lookup(cssp_krb_error_names, 41)->name, "KRB_AP_ERR_MODIFIED");
    CHECK_EQ_STR(cssp_name_lookup(cssp_krb_error_names, 7)->name, "KDC_ERR_S_PRINCIPAL_UNKNOWN");
    return check_summary("names");
}
