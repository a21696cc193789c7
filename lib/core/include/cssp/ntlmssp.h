/*
 * ntlmssp.h - reads the authentication tokens carried in TSRequest.negoTokens.
 *
 * A token is classified by its framing: a raw NTLMSSP message ("NTLMSSP\0"),
 * SPNEGO NegTokenInit (GSS-API [APPLICATION 0] with the SPNEGO OID) or
 * NegTokenResp ([1]) (spnego.h), or Kerberos (GSS-API with a Kerberos OID, or a
 * bare AP-REQ / AP-REP / KRB-ERROR; kerberos.h). The mechanism token inside
 * SPNEGO is decoded too (NTLM, Kerberos, or a NEGOEX header), and the token
 * names its authentication package.
 *
 * From NTLM messages it takes the type, the negotiate flags, the VERSION
 * structure (OS major.minor.build, when the flag says it is present) and, from
 * AUTHENTICATE, domain / user / workstation converted from UTF-16LE to UTF-8.
 * It never looks at the LM/NT responses or the session key.
 */
#ifndef CSSP_NTLMSSP_H
#define CSSP_NTLMSSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cssp/kerberos.h"
#include "cssp/spnego.h"
#include "cssp/status.h"

/*
 * UTF-8 bytes kept per name, including the NUL; longer names are cut at a character boundary. A decoded
 * message holds this much per name; the verdict engine keeps only what arrived, on the heap (verdict.h).
 */
#define CSSP_NTLM_NAME_MAX 256

typedef enum cssp_token_kind {
    CSSP_TOKEN_UNKNOWN = 0,
    CSSP_TOKEN_NTLMSSP,        /* raw NTLMSSP message */
    CSSP_TOKEN_SPNEGO_INIT,    /* GSS-API SPNEGO NegTokenInit */
    CSSP_TOKEN_SPNEGO_RESP,    /* SPNEGO NegTokenResp */
    CSSP_TOKEN_KERBEROS        /* GSS-API Kerberos, or a raw AP-REQ / AP-REP */
} cssp_token_kind;

enum {
    CSSP_NTLM_NEGOTIATE = 1,
    CSSP_NTLM_CHALLENGE = 2,
    CSSP_NTLM_AUTHENTICATE = 3
};

typedef struct cssp_ntlm_message {
    uint32_t type;              /* CSSP_NTLM_* (other values kept as read) */
    uint32_t flags;             /* NegotiateFlags */
    bool has_version;           /* VERSION structure present */
    uint8_t os_major, os_minor;
    uint16_t os_build;
    uint8_t ntlm_revision;
    /* AUTHENTICATE only; empty strings otherwise. Valid UTF-8, NUL-terminated. */
    char domain[CSSP_NTLM_NAME_MAX];
    char user[CSSP_NTLM_NAME_MAX];
    char workstation[CSSP_NTLM_NAME_MAX];
} cssp_ntlm_message;

typedef struct cssp_token_info {
    cssp_token_kind kind;
    cssp_auth_package package;  /* named by the token: its NTLM / Kerberos / NEGOEX content, else supportedMech */
    bool has_ntlm;              /* an NTLM message was found (raw or inside SPNEGO) and decoded */
    size_t ntlm_offset;         /* of the NTLMSSP signature inside the token */
    cssp_ntlm_message ntlm;
    bool has_spnego;            /* SPNEGO framing decoded (as far as it went) */
    cssp_spnego spnego;
    bool has_krb;               /* a Kerberos message was found (bare, GSS-API framed or inside SPNEGO) */
    cssp_krb_message krb;
} cssp_token_info;

/* Decodes an NTLMSSP message starting at data[0] ("NTLMSSP\0"). */
cssp_status cssp_ntlm_decode(const uint8_t *data, size_t len, cssp_ntlm_message *out);

/* Classifies a negoToken and decodes the NTLM message in it, if any. CSSP_OK also for CSSP_TOKEN_UNKNOWN. */
cssp_status cssp_token_inspect(const uint8_t *data, size_t len, cssp_token_info *out);

const char *cssp_token_kind_name(cssp_token_kind kind);    /* "NTLMSSP", "SPNEGO NegTokenInit", ... */
const char *cssp_ntlm_type_name(uint32_t type);            /* "NEGOTIATE", ...; NULL when unknown */

/*
 * The names a server gives of itself in its CHALLENGE ([MS-NLMP] 2.2.1.2, 2.2.2.1): TargetName and the
 * AV pairs of TargetInfo. Valid UTF-8, NUL-terminated, "" when absent; cut like the AUTHENTICATE names.
 */
typedef struct cssp_ntlm_target {
    char target_name[CSSP_NTLM_NAME_MAX];       /* TargetName (Unicode or OEM per the flags) */
    char netbios_computer[CSSP_NTLM_NAME_MAX];  /* MsvAvNbComputerName */
    char netbios_domain[CSSP_NTLM_NAME_MAX];    /* MsvAvNbDomainName */
    char dns_computer[CSSP_NTLM_NAME_MAX];      /* MsvAvDnsComputerName */
    char dns_domain[CSSP_NTLM_NAME_MAX];        /* MsvAvDnsDomainName */
    char dns_tree[CSSP_NTLM_NAME_MAX];          /* MsvAvDnsTreeName */
} cssp_ntlm_target;

/*
 * Reads the target names of an NTLM CHALLENGE starting at data[0] (checked as cssp_ntlm_decode does).
 * CSSP_ERR_NOT_RECOGNISED for another message type; an AV pair running past TargetInfo ends the list with
 * CSSP_ERR_LENGTH_PAST_END, keeping the names read before it.
 */
cssp_status cssp_ntlm_challenge_target(const uint8_t *data, size_t len, cssp_ntlm_target *out);

#endif
