/*
 * names.c - the value -> name tables (see names.h). Values come from
 * [MS-RDPBCGR] 2.2.1.2.x, [MS-ERREF] 2.3 (NTSTATUS) and winerror.h (SEC_E_*),
 * as collected in the project's protocol notes; the RD Gateway's from [MS-TSGU] 2.2.6 and 2.2.10
 * and RFC 6455 5.2; Kerberos messages from RFC 4120 and [MS-KILE] 2.2.1-2.2.2, SPNEGO from RFC 4178;
 * TLS from the IANA TLS registries. The texts that explanations quote are marked for the front
 * ends' catalogue.
 */
#include "cssp/names.h"
#include "cssp/words.h"

#include <stdio.h>
#include <string.h>

#include "cssp/kerberos.h"
#include "cssp/spnego.h"

const cssp_name cssp_protocol_names[] = {
    {0x00, "RDP", "Standard RDP Security"},
    {0x01, "SSL", "TLS"},
    {0x02, "HYBRID", "CredSSP (Network Level Authentication)"},
    {0x04, "RDSTLS", "RDSTLS"},
    {0x08, "HYBRID_EX", "CredSSP with Early User Authorization Result"},
    {0x10, "RDSAAD", "RDS AAD Auth"},
    {0, NULL, NULL},
};

const cssp_name cssp_neg_failure_names[] = {
    {1, "SSL_REQUIRED_BY_SERVER", CSSP_N_("the server requires TLS or CredSSP")},
    {2, "SSL_NOT_ALLOWED_BY_SERVER", CSSP_N_("the server allows only Standard RDP Security")},
    {3, "SSL_CERT_NOT_ON_SERVER", CSSP_N_("the server has no valid authentication certificate")},
    {4, "INCONSISTENT_FLAGS", CSSP_N_("the requested protocols are inconsistent with the protocol in effect")},
    {5, "HYBRID_REQUIRED_BY_SERVER", CSSP_N_("the server requires Network Level Authentication (CredSSP)")},
    {6, "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER", CSSP_N_("the server requires TLS with client certificate authentication")},
    {0, NULL, NULL},
};

const cssp_name cssp_ntstatus_names[] = {
    {0x00000000, "STATUS_SUCCESS", CSSP_N_("success")},
    {0xC0000022, "STATUS_ACCESS_DENIED", CSSP_N_("access denied")},
    {0xC000005E, "STATUS_NO_LOGON_SERVERS", CSSP_N_("no logon servers are available")},
    {0xC0000064, "STATUS_NO_SUCH_USER", CSSP_N_("no such user")},
    {0xC000006A, "STATUS_WRONG_PASSWORD", CSSP_N_("wrong password")},
    {0xC000006D, "STATUS_LOGON_FAILURE", CSSP_N_("unknown user name or bad password")},
    {0xC000006E, "STATUS_ACCOUNT_RESTRICTION", CSSP_N_("account restriction")},
    {0xC000006F, "STATUS_INVALID_LOGON_HOURS", CSSP_N_("logon outside the allowed hours")},
    {0xC0000070, "STATUS_INVALID_WORKSTATION", CSSP_N_("logon not allowed from this workstation")},
    {0xC0000071, "STATUS_PASSWORD_EXPIRED", CSSP_N_("the password has expired")},
    {0xC0000072, "STATUS_ACCOUNT_DISABLED", CSSP_N_("the account is disabled")},
    {0xC00000BB, "STATUS_NOT_SUPPORTED", CSSP_N_("the request is not supported")},
    {0xC0000133, "STATUS_TIME_DIFFERENCE_AT_DC", CSSP_N_("clock skew with the domain controller")},
    {0xC000015B, "STATUS_LOGON_TYPE_NOT_GRANTED", CSSP_N_("the logon type is not granted to the user")},
    {0xC0000193, "STATUS_ACCOUNT_EXPIRED", CSSP_N_("the account has expired")},
    {0xC0000224, "STATUS_PASSWORD_MUST_CHANGE", CSSP_N_("the password must be changed before logging on")},
    {0xC0000234, "STATUS_ACCOUNT_LOCKED_OUT", CSSP_N_("the account is locked out")},
    {0xC000035B, "STATUS_BAD_BINDINGS", CSSP_N_("channel binding mismatch")},
    {0xC0000388, "STATUS_DOWNGRADE_DETECTED", CSSP_N_("a downgrade was detected")},
    {0, NULL, NULL},
};

const cssp_name cssp_sspi_status_names[] = {
    {0x80090302, "SEC_E_UNSUPPORTED_FUNCTION", "The function requested is not supported"},
    {0x80090308, "SEC_E_INVALID_TOKEN", "The token supplied to the function is invalid"},
    {0x8009030C, "SEC_E_LOGON_DENIED", "The logon attempt failed"},
    {0x8009030E, "SEC_E_NO_CREDENTIALS", "No credentials are available in the security package"},
    {0x8009030F, "SEC_E_MESSAGE_ALTERED", "The message or signature supplied for verification has been altered"},
    {0x80090346, "SEC_E_BAD_BINDINGS", "Client's supplied SSPI channel bindings were incorrect"},
    {0x80090350, "SEC_E_DOWNGRADE_DETECTED", "The system detected a possible attempt to compromise security"},
    {0x80090363, "SEC_E_MUTUAL_AUTH_FAILED", "Mutual authentication failed"},
    {0, NULL, NULL},
};

const cssp_name cssp_neg_req_flag_names[] = {
    {0x01, "RESTRICTED_ADMIN_MODE_REQUIRED", "Restricted Admin mode"},
    {0x02, "REDIRECTED_AUTHENTICATION_MODE_REQUIRED", "Remote Credential Guard"},
    {0x08, "CORRELATION_INFO_PRESENT", "a correlation id follows"},
    {0, NULL, NULL},
};

const cssp_name cssp_neg_rsp_flag_names[] = {
    {0x01, "EXTENDED_CLIENT_DATA_SUPPORTED", "extended client data blocks"},
    {0x02, "DYNVC_GFX_PROTOCOL_SUPPORTED", "the graphics pipeline"},
    {0x04, "NEGRSP_FLAG_RESERVED", "reserved"},
    {0x08, "RESTRICTED_ADMIN_MODE_SUPPORTED", "Restricted Admin mode"},
    {0x10, "REDIRECTED_AUTHENTICATION_MODE_SUPPORTED", "Remote Credential Guard"},
    {0, NULL, NULL},
};

/* RFC 4120 7.5.9 and [MS-KILE] 2.2.1 */
const cssp_name cssp_krb_error_names[] = {
    {1, "KDC_ERR_NAME_EXP", "the client's entry in the database has expired"},
    {2, "KDC_ERR_SERVICE_EXP", "the server's entry in the database has expired"},
    {6, "KDC_ERR_C_PRINCIPAL_UNKNOWN", "the client is not known to the KDC"},
    {7, "KDC_ERR_S_PRINCIPAL_UNKNOWN", "the server name is not known to the KDC (no such SPN)"},
    {12, "KDC_ERR_POLICY", "the KDC policy rejects the request"},
    {13, "KDC_ERR_BADOPTION", "the KDC cannot accommodate the requested option"},
    {14, "KDC_ERR_ETYPE_NOSUPP", "no supported encryption type"},
    {18, "KDC_ERR_CLIENT_REVOKED", "the client's credentials have been revoked (account disabled or locked out)"},
    {23, "KDC_ERR_KEY_EXPIRED", "the password has expired"},
    {24, "KDC_ERR_PREAUTH_FAILED", "pre-authentication failed (wrong password)"},
    {25, "KDC_ERR_PREAUTH_REQUIRED", "pre-authentication is required"},
    {29, "KDC_ERR_SVC_UNAVAILABLE", "the KDC is unavailable"},
    {31, "KRB_AP_ERR_BAD_INTEGRITY", "integrity check on a decrypted field failed"},
    {32, "KRB_AP_ERR_TKT_EXPIRED", "the ticket has expired"},
    {33, "KRB_AP_ERR_TKT_NYV", "the ticket is not yet valid"},
    {34, "KRB_AP_ERR_REPEAT", "the request is a replay"},
    {35, "KRB_AP_ERR_NOT_US", "the ticket is not for us"},
    {36, "KRB_AP_ERR_BADMATCH", "the ticket and authenticator do not match"},
    {37, "KRB_AP_ERR_SKEW", "the clock skew is too great"},
    {41, "KRB_AP_ERR_MODIFIED", "the message was modified (the service's key does not match: wrong SPN or account)"},
    {44, "KRB_AP_ERR_BADKEYVER", "the key version is not available"},
    {45, "KRB_AP_ERR_NOKEY", "the service key is not available"},
    {60, "KRB_ERR_GENERIC", "generic error"},
    {68, "KDC_ERR_WRONG_REALM", "wrong realm"},
    {69, "KRB_AP_ERR_USER_TO_USER_REQUIRED", "the server requires user-to-user authentication"},
    {0, NULL, NULL},
};

const cssp_name cssp_authz_result_names[] = {
    {0x00000000, "AUTHZ_SUCCESS", "the user has permission to access the server"},
    {0x00000005, "AUTHZ_ACCESS_DENIED", "the user does not have permission to access the server"},
    {0, NULL, NULL},
};

const cssp_name cssp_tsgu_packet_names[] = {
    {0x1, "HANDSHAKE_REQUEST", "the client opens the tunnel protocol"},
    {0x2, "HANDSHAKE_RESPONSE", "the gateway answers the handshake"},
    {0x3, "EXTENDED_AUTH_MSG", "an extended (SSPI/NTLM) authentication message"},
    {0x4, "TUNNEL_CREATE", "the client asks for a tunnel"},
    {0x5, "TUNNEL_RESPONSE", "the gateway answers the tunnel request"},
    {0x6, "TUNNEL_AUTH", "the client asks for authorization (connection authorization policy)"},
    {0x7, "TUNNEL_AUTH_RESPONSE", "the gateway answers the authorization"},
    {0x8, "CHANNEL_CREATE", "the client asks for a channel to a target server"},
    {0x9, "CHANNEL_RESPONSE", "the gateway answers the channel request"},
    {0xA, "DATA", "tunnelled bytes of the RDP connection"},
    {0xB, "SERVICE_MESSAGE", "an administrative message from the gateway"},
    {0xC, "REAUTH_MESSAGE", "the gateway asks the client to authenticate again"},
    {0xD, "KEEPALIVE", "keep-alive"},
    {0x10, "CLOSE_CHANNEL", "a side closes the channel"},
    {0x11, "CLOSE_CHANNEL_RESPONSE", "the channel close is acknowledged"},
    {0, NULL, NULL},
};

/* HRESULTs of the gateway's responses: [MS-TSGU] 2.2.6 (E_PROXY_*) and the common Win32 ones it returns. */
const cssp_name cssp_tsgu_status_names[] = {
    {0x00000000, "S_OK", "success"},
    {0x000004D4, "E_PROXY_CONNECTIONABORTED", "the connection was aborted"},
    {0x000059E6, "E_PROXY_MAXCONNECTIONSREACHED", "the gateway has reached its connection limit"},
    {0x000059E8, "E_PROXY_NOTSUPPORTED", "the request is not supported by the gateway"},
    {0x000059F6, "E_PROXY_SESSIONTIMEOUT", "the gateway session timed out"},
    {0x000059FA, "E_PROXY_REAUTH_AUTHN_FAILED", "re-authentication at the gateway failed"},
    {0x000059FB, "E_PROXY_REAUTH_CAP_FAILED", "re-authorization (connection authorization policy) failed"},
    {0x000059FC, "E_PROXY_REAUTH_RAP_FAILED", "re-authorization (resource authorization policy) failed"},
    {0x000059FD, "E_PROXY_SDR_NOT_SUPPORTED_BY_TS", "the target server does not support the session redirection"},
    {0x00005A00, "E_PROXY_REAUTH_NAP_FAILED", "re-authorization (health policy) failed"},
    {0x80070005, "E_ACCESSDENIED", "access denied"},
    {0x800759D8, "E_PROXY_INTERNALERROR", "internal error at the gateway"},
    {0x800759DA, "E_PROXY_RAP_ACCESSDENIED", "the resource authorization policy denies this user this target"},
    {0x800759DB, "E_PROXY_NAP_ACCESSDENIED", "the health policy (NAP) denies the client"},
    {0x800759DD, "E_PROXY_TS_CONNECTFAILED", "the gateway could not connect to the target server"},
    {0x800759DF, "E_PROXY_ALREADYDISCONNECTED", "the tunnel was already disconnected"},
    {0x800759E9, "E_PROXY_CAPABILITYMISMATCH", "the client and the gateway have no capability in common"},
    {0x800759ED, "E_PROXY_QUARANTINE_ACCESSDENIED", "the client is quarantined"},
    {0x800759EE, "E_PROXY_NOCERTAVAILABLE", "the gateway has no certificate"},
    {0x800759F7, "E_PROXY_COOKIE_BADPACKET", "the authentication cookie packet is malformed"},
    {0x800759F8, "E_PROXY_COOKIE_AUTHENTICATION_ACCESS_DENIED", "the PAA cookie was refused"},
    {0x800759F9, "E_PROXY_UNSUPPORTED_AUTHENTICATION_METHOD", "the gateway does not accept this authentication method"},
    {0, NULL, NULL},
};

/* [MS-TSGU] 2.2.10.10 HTTP_EXTENDED_AUTH, in HANDSHAKE_REQUEST/RESPONSE */
const cssp_name cssp_tsgu_extended_auth_names[] = {
    {0x1, "HTTP_EXTENDED_AUTH_SC", "smart card authentication"},
    {0x2, "HTTP_EXTENDED_AUTH_PAA", "pluggable authentication (PAA cookie)"},
    {0x4, "HTTP_EXTENDED_AUTH_SSPI_NTLM", "NTLM through SSPI"},
    {0, NULL, NULL},
};

const cssp_name cssp_ws_opcode_names[] = {
    {0x0, "continuation", "continuation frame"},
    {0x1, "text", "text frame"},
    {0x2, "binary", "binary frame"},
    {0x8, "close", "connection close"},
    {0x9, "ping", "ping"},
    {0xA, "pong", "pong"},
    {0, NULL, NULL},
};

const cssp_name cssp_krb_message_names[] = {
    {CSSP_KRB_AP_REQ, "AP-REQ", "Kerberos AP-REQ (the ticket and authenticator)"},
    {CSSP_KRB_AP_REP, "AP-REP", "Kerberos AP-REP"},
    {CSSP_KRB_TGT_REQ, "KERB-TGT-REQUEST", "user-to-user: the client asks for the server's TGT"},
    {CSSP_KRB_TGT_REP, "KERB-TGT-REPLY", "user-to-user: the server's TGT"},
    {CSSP_KRB_ERROR, "KRB-ERROR", "Kerberos error"},
    {0, NULL, NULL},
};

const cssp_name cssp_auth_package_names[] = {
    {CSSP_PACKAGE_NTLM, "ntlm", "NTLM"},
    {CSSP_PACKAGE_KERBEROS, "kerberos", "Kerberos"},
    {CSSP_PACKAGE_NEGOEX, "negoex", "NEGOEX"},
    {CSSP_PACKAGE_PKU2U, "pku2u", "PKU2U"},
    {0, NULL, NULL},
};

const cssp_name cssp_neg_state_names[] = {
    {CSSP_NEG_STATE_ACCEPT_COMPLETED, "accept-completed", "accept-completed"},
    {CSSP_NEG_STATE_ACCEPT_INCOMPLETE, "accept-incomplete", "accept-incomplete"},
    {CSSP_NEG_STATE_REJECT, "reject", "reject"},
    {CSSP_NEG_STATE_REQUEST_MIC, "request-mic", "request-mic"},
    {0, NULL, NULL},
};

const cssp_name cssp_tls_version_names[] = {
    {0x0300, "SSL 3.0", "SSL 3.0"},
    {0x0301, "1.0", "TLS 1.0"},
    {0x0302, "1.1", "TLS 1.1"},
    {0x0303, "1.2", "TLS 1.2"},
    {0x0304, "1.3", "TLS 1.3"},
    {0, NULL, NULL},
};

/* IANA TLS Cipher Suites registry; the analyzer's decryption table (tls_suites.c) has a row for each. */
const cssp_name cssp_tls_suite_names[] = {
    {0x1301, "TLS_AES_128_GCM_SHA256", "TLS 1.3, AES-128-GCM"},
    {0x1302, "TLS_AES_256_GCM_SHA384", "TLS 1.3, AES-256-GCM"},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256", "TLS 1.3, ChaCha20-Poly1305"},
    {0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", "RSA key exchange, AES-128-GCM"},
    {0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", "RSA key exchange, AES-256-GCM"},
    {0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE, AES-128-GCM"},
    {0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DHE, AES-256-GCM"},
    {0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE, AES-128-GCM"},
    {0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE, AES-256-GCM"},
    {0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE, AES-128-GCM"},
    {0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE, AES-256-GCM"},
    {0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE, ChaCha20-Poly1305"},
    {0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE, ChaCha20-Poly1305"},
    {0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "DHE, ChaCha20-Poly1305"},
    {0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", "RSA key exchange, AES-128-CBC"},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "RSA key exchange, AES-256-CBC"},
    {0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", "RSA key exchange, AES-128-CBC"},
    {0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", "RSA key exchange, AES-256-CBC"},
    {0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE, AES-128-CBC"},
    {0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "DHE, AES-256-CBC"},
    {0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "DHE, AES-128-CBC"},
    {0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "DHE, AES-256-CBC"},
    {0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE, AES-128-CBC"},
    {0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE, AES-256-CBC"},
    {0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE, AES-128-CBC"},
    {0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE, AES-256-CBC"},
    {0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE, AES-128-CBC"},
    {0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "ECDHE, AES-256-CBC"},
    {0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE, AES-128-CBC"},
    {0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE, AES-256-CBC"},
    {0, NULL, NULL},
};

const cssp_name *cssp_name_lookup(const cssp_name *table, uint32_t value)
{
    for (; table->name; table++)
        if (table->value == value)
            return table;
    return NULL;
}

static const char *name_or_null(const cssp_name *table, uint32_t value)
{
    const cssp_name *n = cssp_name_lookup(table, value);
    return n ? n->name : NULL;
}

const char *cssp_protocol_name(uint32_t protocol)
{
    return name_or_null(cssp_protocol_names, protocol);
}

const char *cssp_neg_failure_name(uint32_t code)
{
    return name_or_null(cssp_neg_failure_names, code);
}

const char *cssp_error_name(uint32_t code)
{
    const char *name = name_or_null(cssp_ntstatus_names, code);
    return name ? name : name_or_null(cssp_sspi_status_names, code);
}

const char *cssp_authz_result_name(uint32_t result)
{
    return name_or_null(cssp_authz_result_names, result);
}

const char *cssp_tsgu_packet_name(uint16_t type)
{
    return name_or_null(cssp_tsgu_packet_names, type);
}

const char *cssp_tsgu_status_name(uint32_t hresult)
{
    return name_or_null(cssp_tsgu_status_names, hresult);
}

const char *cssp_krb_message_name(uint32_t msg_type)
{
    return name_or_null(cssp_krb_message_names, msg_type);
}

const char *cssp_auth_package_name(cssp_auth_package p)
{
    return name_or_null(cssp_auth_package_names, p);
}

const char *cssp_neg_state_name(uint32_t state)
{
    return name_or_null(cssp_neg_state_names, state);
}

const char *cssp_tls_version_name(uint16_t version)
{
    return name_or_null(cssp_tls_version_names, version);
}

const char *cssp_tls_suite_name(uint16_t suite)
{
    return name_or_null(cssp_tls_suite_names, suite);
}

/*
 * `text` into buf as snprintf("%s") would write it, cut to size - 1 bytes; returns buf. By hand: printf costs
 * more than the copy, and the analyzer formats these names for every connection.
 */
static const char *copy_text(const char *text, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    size_t len = strlen(text);
    if (len >= size)
        len = size - 1;
    memcpy(buf, text, len);
    buf[len] = '\0';
    return buf;
}

const char *cssp_format_error(uint32_t code, char *buf, size_t size)
{
    const char *name = cssp_error_name(code);
    if (name)
        return copy_text(name, buf, size);
    snprintf(buf, size, "0x%08X", (unsigned)code);
    return buf;
}

const char *cssp_format_tsgu_status(uint32_t hresult, char *buf, size_t size)
{
    const char *name = cssp_tsgu_status_name(hresult);
    if (name)
        return copy_text(name, buf, size);
    snprintf(buf, size, "0x%08X", (unsigned)hresult);
    return buf;
}

const char *cssp_format_neg_failure(uint32_t code, char *buf, size_t size)
{
    const char *name = cssp_neg_failure_name(code);
    if (name)
        return copy_text(name, buf, size);
    snprintf(buf, size, "unknown (%u)", (unsigned)code);
    return buf;
}

const char *cssp_format_bits(const cssp_name *table, uint32_t mask, const char *sep, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    buf[0] = '\0';
    size_t used = 0, sep_len = strlen(sep);
    for (unsigned bit = 0; bit < 32; bit++) {
        uint32_t v = 1u << bit;
        if (!(mask & v))
            continue;
        const char *name = name_or_null(table, v);
        char hex[16];
        if (!name) {
            snprintf(hex, sizeof hex, "0x%X", (unsigned)v);
            name = hex;
        }
        size_t lead = used ? sep_len : 0, len = strlen(name);
        if (lead + len >= size - used)
            break; /* out of room: keep the whole names that fit */
        memcpy(buf + used, sep, lead);
        memcpy(buf + used + lead, name, len);
        used += lead + len;
        buf[used] = '\0';
    }
    return buf;
}

const char *cssp_format_protocols(uint32_t mask, const char *sep, char *buf, size_t size)
{
    if (size != 0 && mask == 0)
        return copy_text("RDP", buf, size);
    return cssp_format_bits(cssp_protocol_names, mask, sep, buf, size);
}
