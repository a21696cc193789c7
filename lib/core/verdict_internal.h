/*
 * verdict_internal.h - what the two halves of the verdict engine share:
 * verdict.c (feeding and the rules) and verdict_words.c (the explanation and
 * the advice): the legs, the decision, and the predicates on the facts both
 * ask, inline here so that neither file calls into the other for them. Not
 * part of the public interface.
 */
#ifndef CSSP_VERDICT_INTERNAL_H
#define CSSP_VERDICT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "cssp/tls_numbers.h"
#include "cssp/verdict.h"
#include "cssp/words.h"

/* The legs, numbered as in docs/verdicts.md. */
enum {
    LEG_NONE = 0,
    LEG_CLIENT_FIRST,    /* 1: client NEGOTIATE (or Kerberos AP-REQ) */
    LEG_SERVER_FIRST,    /* 2: server CHALLENGE: the server's version is known from here */
    LEG_CLIENT_AUTH,     /* 3: client AUTHENTICATE + pubKeyAuth (+ clientNonce) */
    LEG_SERVER_PUBKEY,   /* 4: server pubKeyAuth, or its errorCode */
    LEG_CLIENT_CREDS,    /* 5: client authInfo (TSCredentials): CredSSP done on the client's side */
    LEG_SERVER_AFTER,    /* 6: server's turn after the credentials (HYBRID_EX: Early User Authorization Result) */
    LEG_CLIENT_AFTER     /* 7: client data after CredSSP */
};

#define STATUS_NOT_SUPPORTED 0xC00000BBu
#define SEC_E_UNSUPPORTED_FUNCTION 0x80090302u
#define TLS13_AES_256_GCM_SHA384 0x1302
#define TLS13_AES_128_CCM_8_SHA256 0x1305

/*
 * Largest record that can only be an errorCode TSRequest in the server's 2nd
 * turn. The 15-byte errorCode TSRequest needs 32 (TLS 1.3), 39 (GCM) or at
 * most 64 bytes (CBC with SHA-1/SHA-256 MAC); the smallest pubKeyAuth
 * TSRequest (59 bytes, v5/v6) needs at least 75. Derivation in docs/verdicts.md.
 */
#define ERROR_REPLY_MAX_RECORD 64

/*
 * Largest server first turn read as an NTLM CHALLENGE (or a Kerberos AP-REP); a larger one carries a
 * ticket: the KERB-TGT-REPLY of a Kerberos user-to-user exchange, which has one more round trip. A
 * CHALLENGE is 56 bytes plus the NetBIOS and DNS names of the server (records of 214 to 336 bytes in the
 * recorded samples and the corpus); a TGT with its PAC is over a thousand (1,375 in the corpus).
 * Derivation in docs/verdicts.md.
 */
#define CHALLENGE_MAX_RECORD 1024

typedef enum rule {
    RULE_NEG_FAILURE,
    RULE_NO_NLA,
    RULE_ERROR_NOT_SUPPORTED,     /* rejected_unpatched_client */
    RULE_ERROR_CODE,              /* auth_failed */
    RULE_AUTHZ_DENIED,            /* auth_failed */
    RULE_SHAPE_AUTHZ_DENIED,      /* auth_failed */
    RULE_COMPLETED,               /* ok */
    RULE_VERSION_REFUSED,         /* version_mismatch */
    RULE_SERVER_REFUSED_FIRST,    /* rejected_unpatched_client */
    RULE_SERVER_ENDED_AFTER_AUTH, /* auth_failed */
    RULE_SHAPE_ERROR_REPLY,       /* auth_failed */
    RULE_SHAPE_VERSION_REFUSED,   /* version_mismatch from the traffic shape */
    RULE_INCOMPLETE
} rule;

typedef struct decision {
    rule rule;
    cssp_verdict verdict;
    cssp_evidence evidence;
    bool final;                   /* nothing later can change it */
} decision;

/* What the rules and the words both ask of the facts (the version rule itself is cssp_version_*()). */
static inline bool verdict_client_unpatched(const cssp_facts *f)
{
    return f->client_version_seen && cssp_version_unpatched(f->client_version);
}

static inline bool verdict_server_unpatched(const cssp_facts *f)
{
    return f->server_version_seen && cssp_version_unpatched(f->server_version);
}

static inline bool verdict_client_patched(const cssp_facts *f)
{
    return f->client_version_seen && cssp_version_patched(f->client_version);
}

static inline bool verdict_server_patched(const cssp_facts *f)
{
    return f->server_version_seen && cssp_version_patched(f->server_version);
}

/* Versions that work together: both seen, and both 5-6 or both 2-4. */
static inline bool verdict_versions_compatible(const cssp_facts *f)
{
    bool both_patched = verdict_client_patched(f) && verdict_server_patched(f);
    bool both_unpatched = verdict_client_unpatched(f) && verdict_server_unpatched(f);
    return both_patched || both_unpatched;
}

static inline bool verdict_negotiated(const cssp_facts *f, uint32_t protocol)
{
    return f->has_response && f->response_has_neg && f->selected_protocol == protocol;
}

/* The connection first closed from `who` with the exchange at `leg`. */
static inline bool verdict_closed_at(const cssp_conn *c, cssp_dir who, unsigned leg)
{
    return c->first_close == (int)who && c->close_leg == leg;
}

/* The one-sentence explanation of a decision in tr's language (NULL: English), into buf (always NUL-terminated,
 * ends with a period). */
void verdict_explain(const cssp_conn *c, const decision *d, cssp_translate tr, char *buf, size_t size);
/* The advice that fits a decision, its cause and its findings; static English text (marked for the
 * catalogue: a front end translates it) or NULL. */
const char *verdict_advice_for(const cssp_conn *c, const decision *d, cssp_cause cause, unsigned findings);

#endif
