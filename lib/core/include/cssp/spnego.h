/*
 * spnego.h - reader of SPNEGO negotiation tokens (RFC 4178 4.2, [MS-SPNG] 2.2) and of the mechanism OIDs
 * that name an authentication package.
 *
 *   NegTokenInit ::= SEQUENCE { mechTypes [0] MechTypeList, reqFlags [1] OPTIONAL,
 *                               mechToken [2] OCTET STRING OPTIONAL, mechListMIC [3] (NegTokenInit2: negHints) }
 *   NegTokenResp ::= SEQUENCE { negState [0] ENUMERATED OPTIONAL, supportedMech [1] OID OPTIONAL,
 *                               responseToken [2] OCTET STRING OPTIONAL, mechListMIC [3] OCTET STRING OPTIONAL }
 *
 * NegTokenInit arrives inside a GSS-API InitialContextToken ([APPLICATION 0] with the SPNEGO OID), a
 * NegTokenResp as the bare CHOICE [1]. The inner mechanism token is returned as a span, not decoded here.
 */
#ifndef CSSP_SPNEGO_H
#define CSSP_SPNEGO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cssp/status.h"

#define CSSP_SPNEGO_MAX_MECHS 8   /* mechTypes kept; more are counted */

/* The authentication package of a connection, as the JSON key auth_package names it. */
typedef enum cssp_auth_package {
    CSSP_PACKAGE_NONE = 0,        /* not seen (null) */
    CSSP_PACKAGE_NTLM,
    CSSP_PACKAGE_KERBEROS,
    CSSP_PACKAGE_NEGOEX,
    CSSP_PACKAGE_PKU2U
} cssp_auth_package;

enum {
    CSSP_NEG_STATE_ACCEPT_COMPLETED = 0,
    CSSP_NEG_STATE_ACCEPT_INCOMPLETE = 1,
    CSSP_NEG_STATE_REJECT = 2,
    CSSP_NEG_STATE_REQUEST_MIC = 3
};

typedef struct cssp_spnego {
    bool init;                                    /* NegTokenInit; false: NegTokenResp */
    unsigned mech_count;                          /* mechTypes listed (may exceed the kept ones) */
    cssp_auth_package mechs[CSSP_SPNEGO_MAX_MECHS]; /* in the client's order of preference; NONE when unknown */
    bool has_neg_state;
    uint32_t neg_state;                           /* CSSP_NEG_STATE_* */
    bool has_supported_mech;
    cssp_auth_package supported_mech;
    bool has_token;                               /* mechToken / responseToken */
    size_t token_offset, token_len;               /* its contents, offsets from the start of the given bytes */
    bool has_mech_list_mic;                       /* NegTokenResp only */
} cssp_spnego;

/*
 * Decodes a negoToken that holds SPNEGO. CSSP_ERR_NOT_RECOGNISED when it is something else (raw NTLMSSP,
 * GSS-API with another mechanism); on other errors *out keeps what was read before.
 */
cssp_status cssp_spnego_decode(const uint8_t *data, size_t len, cssp_spnego *out);

/* The package a mechanism OID (its DER contents) names; NONE when unknown (SPNEGO itself included). */
cssp_auth_package cssp_mech_package(const uint8_t *oid, size_t len);

/* Is this OID contents the Kerberos user-to-user mechanism 1.2.840.113554.1.2.2.3? */
bool cssp_mech_is_kerberos_u2u(const uint8_t *oid, size_t len);

/* Does this mechanism token start with a NEGOEX message header ("NEGOEXTS", [MS-NEGOEX] 2.2.6.1)? */
bool cssp_is_negoex_message(const uint8_t *data, size_t len);

/* The tables of these names are lib/core/names.c's. */
const char *cssp_auth_package_name(cssp_auth_package p);    /* "ntlm", "kerberos", ...; NULL for NONE */
const char *cssp_neg_state_name(uint32_t state);            /* "accept-completed", ...; NULL when unknown */

#endif
