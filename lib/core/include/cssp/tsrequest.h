/*
 * tsrequest.h - decoder of the CredSSP TSRequest ([MS-CSSP] 2.2.1).
 *
 *   TSRequest ::= SEQUENCE {
 *       version [0] INTEGER, negoTokens [1] NegoData OPTIONAL, authInfo [2] OCTET STRING OPTIONAL,
 *       pubKeyAuth [3] OCTET STRING OPTIONAL, errorCode [4] INTEGER OPTIONAL,
 *       clientNonce [5] OCTET STRING OPTIONAL }
 *   NegoData ::= SEQUENCE OF SEQUENCE { negoToken [0] OCTET STRING }
 *
 * The decoder never copies: every field is a span (offset + length) into the
 * caller's buffer. It keeps decoding past things a strict parser would refuse
 * but a real peer may send (unknown context tags, fields outside their version)
 * and reports them as notes, because those are exactly what an analyst wants
 * to see.
 */
#ifndef CSSP_TSREQUEST_H
#define CSSP_TSREQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cssp/status.h"

#define CSSP_TSREQ_MAX_NEGO_TOKENS 8  /* tokens kept; more are counted, not kept */
#define CSSP_TSREQ_MAX_UNKNOWN 4      /* unknown elements kept; more are counted */
#define CSSP_NONCE_LEN 32
/*
 * Largest TSRequest (whole outer SEQUENCE) the probe accepts. Real ones are a
 * few hundred bytes with NTLM; Kerberos tickets (MaxTokenSize 48000) still fit.
 */
#define CSSP_TSREQ_PROBE_MAX_LEN 65536

/* One DER element of the TSRequest. Offsets are from the start of the buffer given to the decoder. */
typedef struct cssp_span {
    bool present;
    size_t offset;        /* of the element (the context tag for TSRequest fields) */
    size_t length;        /* of the whole element */
    size_t value_offset;  /* of the payload: the OCTET STRING / INTEGER contents */
    size_t value_length;
} cssp_span;

/* Consistency notes: a bit set per observation; several may be set. */
enum {
    CSSP_TSREQ_NOTE_ERROR_CODE_IN_V2_OR_V5 = 1u << 0, /* errorCode is not defined for versions 2 and 5 */
    CSSP_TSREQ_NOTE_NONCE_BEFORE_V5 = 1u << 1,        /* clientNonce with version < 5 */
    CSSP_TSREQ_NOTE_NONCE_NOT_32 = 1u << 2,           /* clientNonce length != 32 */
    CSSP_TSREQ_NOTE_UNKNOWN_ELEMENT = 1u << 3,        /* a context tag [6] or higher, or a non-context element */
    CSSP_TSREQ_NOTE_TRAILING_BYTES = 1u << 4,         /* bytes after the outer SEQUENCE in the given buffer */
    CSSP_TSREQ_NOTE_FIELD_ORDER = 1u << 5,            /* fields out of ascending tag order or repeated */
    CSSP_TSREQ_NOTE_TOO_MANY_TOKENS = 1u << 6         /* more than CSSP_TSREQ_MAX_NEGO_TOKENS tokens */
};

typedef struct cssp_tsrequest {
    size_t total_len;                 /* bytes of the outer SEQUENCE */
    cssp_span version;
    uint32_t version_value;           /* as sent (not clamped); 96 from nmap is kept as 96 */
    cssp_span nego_data;              /* the [1] element */
    unsigned nego_token_count;        /* tokens seen (may exceed the kept ones) */
    cssp_span nego_tokens[CSSP_TSREQ_MAX_NEGO_TOKENS]; /* value_* = the negoToken OCTET STRING contents */
    cssp_span auth_info;
    cssp_span pub_key_auth;
    cssp_span error_code;
    uint32_t error_code_value;        /* uint32 bit pattern of the signed INTEGER */
    cssp_span client_nonce;
    unsigned unknown_count;
    cssp_span unknown[CSSP_TSREQ_MAX_UNKNOWN];
    unsigned notes;                   /* CSSP_TSREQ_NOTE_* */
} cssp_tsrequest;

/*
 * Decodes one TSRequest starting at data[0]. The whole SEQUENCE must be inside len
 * (CSSP_ERR_TRUNCATED otherwise). On error, *out keeps what was decoded before it.
 * A repeated field is noted and its first occurrence kept.
 */
cssp_status cssp_tsrequest_decode(const uint8_t *data, size_t len, cssp_tsrequest *out);

typedef enum cssp_probe {
    CSSP_PROBE_NO = 0,     /* these bytes cannot start a TSRequest */
    CSSP_PROBE_NEED_MORE,  /* could be one; not enough bytes to tell */
    CSSP_PROBE_YES         /* starts like a TSRequest; *needed is its total size */
} cssp_probe;

/*
 * Given the first `avail` bytes of a stream, can they be a TSRequest, and how
 * many bytes does the whole one need? Looks at the outer SEQUENCE header (at most
 * CSSP_TSREQ_PROBE_MAX_LEN bytes in all) and, when available, at the [0] INTEGER
 * version (02 01 or 02 02, value 1..255). For reassembly and heuristics.
 * *needed: the total size for YES, and for NEED_MORE once the outer header is
 * complete; 0 otherwise.
 */
cssp_probe cssp_tsrequest_probe(const uint8_t *data, size_t avail, size_t *needed);

/* Short text for one note bit (e.g. "clientNonce with version < 5"). */
const char *cssp_tsrequest_note_string(unsigned note_bit);

#endif
