/*
 * names.h - value -> name tables, one per vocabulary, shared by the analyzer and the plugin.
 *
 * Each table is an array of {value, name, text} ending with {0, NULL, NULL},
 * looked up by cssp_name_lookup(). The *_name() helpers return the name or
 * NULL; cssp_format_*() write "NAME" or a hex fallback ("0x12345678") into a
 * caller buffer so that an unknown value is never lost.
 */
#ifndef CSSP_NAMES_H
#define CSSP_NAMES_H

#include <stddef.h>
#include <stdint.h>

typedef struct cssp_name {
    uint32_t value;
    const char *name;   /* identifier-like: "STATUS_LOGON_FAILURE" */
    const char *text;   /* one-line description for people */
} cssp_name;

extern const cssp_name cssp_protocol_names[];         /* RDP, SSL, HYBRID, RDSTLS, HYBRID_EX, RDSAAD */
extern const cssp_name cssp_neg_failure_names[];      /* SSL_REQUIRED_BY_SERVER (1) ... (6) */
extern const cssp_name cssp_ntstatus_names[];         /* NTSTATUS codes seen in CredSSP / NTLM */
extern const cssp_name cssp_sspi_status_names[];      /* SEC_E_* */
extern const cssp_name cssp_authz_result_names[];     /* AUTHZ_SUCCESS, AUTHZ_ACCESS_DENIED */
extern const cssp_name cssp_neg_req_flag_names[];     /* RDP_NEG_REQ flags: RESTRICTED_ADMIN_MODE_REQUIRED, ... */
extern const cssp_name cssp_neg_rsp_flag_names[];     /* RDP_NEG_RSP flags: EXTENDED_CLIENT_DATA_SUPPORTED, ... */
extern const cssp_name cssp_krb_error_names[];        /* Kerberos error codes: KDC_ERR_*, KRB_AP_ERR_* */
extern const cssp_name cssp_tsgu_packet_names[];      /* RD Gateway HTTP transport packet types */
extern const cssp_name cssp_tsgu_status_names[];      /* RD Gateway HRESULTs: S_OK, E_PROXY_* */
extern const cssp_name cssp_tsgu_extended_auth_names[]; /* RD Gateway handshake extendedAuth bits */
extern const cssp_name cssp_ws_opcode_names[];        /* WebSocket opcodes */
extern const cssp_name cssp_krb_message_names[];      /* AP-REQ, AP-REP, KERB-TGT-REQUEST/REPLY, KRB-ERROR */
extern const cssp_name cssp_auth_package_names[];     /* ntlm, kerberos, negoex, pku2u */
extern const cssp_name cssp_neg_state_names[];        /* SPNEGO negState: accept-completed, ... */
extern const cssp_name cssp_tls_version_names[];      /* SSL 3.0 and TLS 1.0-1.3: "1.2" as reports write it */
extern const cssp_name cssp_tls_suite_names[];        /* the cipher suites the analyzer decrypts, IANA names */

const cssp_name *cssp_name_lookup(const cssp_name *table, uint32_t value);

const char *cssp_protocol_name(uint32_t protocol);      /* a single selectedProtocol value */
const char *cssp_neg_failure_name(uint32_t code);
/* NTSTATUS or SEC_E_* name of an errorCode value. */
const char *cssp_error_name(uint32_t code);
const char *cssp_authz_result_name(uint32_t result);
const char *cssp_tsgu_packet_name(uint16_t type);       /* "CHANNEL_CREATE" */
const char *cssp_tsgu_status_name(uint32_t hresult);    /* "E_PROXY_RAP_ACCESSDENIED" */
const char *cssp_tls_version_name(uint16_t version);    /* "1.3", "SSL 3.0" */
const char *cssp_tls_suite_name(uint16_t suite);        /* "TLS_AES_256_GCM_SHA384" */

/* "STATUS_LOGON_FAILURE" or "0xC00000FF"; returns buf. */
const char *cssp_format_error(uint32_t code, char *buf, size_t size);
/* "E_PROXY_TS_CONNECTFAILED" or "0x800759FF"; returns buf. */
const char *cssp_format_tsgu_status(uint32_t hresult, char *buf, size_t size);
/* "SSL_NOT_ALLOWED_BY_SERVER" or "unknown (7)"; returns buf. */
const char *cssp_format_neg_failure(uint32_t code, char *buf, size_t size);
/*
 * requestedProtocols as names joined by `sep`: 0x0B -> "SSL|HYBRID|HYBRID_EX",
 * 0 -> "RDP", unknown bits -> "0x40". Returns buf.
 */
const char *cssp_format_protocols(uint32_t mask, const char *sep, char *buf, size_t size);

/* The bits of `mask` as names from a table of single-bit values joined by `sep`, "0x40" for an unknown bit;
 * "" for 0. Returns buf. */
const char *cssp_format_bits(const cssp_name *table, uint32_t mask, const char *sep, char *buf, size_t size);

#endif
