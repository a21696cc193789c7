/*
 * verdict.h - the per-connection verdict engine shared by the analyzer and the plugin.
 *
 * A front end creates one cssp_conn per RDP connection, feeds it events in
 * capture order (cssp_conn_feed) and may ask at any moment for the judgement
 * (cssp_conn_judge): one verdict, the evidence it rests on, zero or more
 * findings, a one-sentence explanation and the advice that fits. Both tools
 * print exactly these words, so they always agree on the same capture.
 *
 * The vocabulary (verdict, evidence and finding names) is public interface;
 * docs/verdicts.md documents it, the state machine and every rule.
 *
 * Pure: no I/O, no global state. A cssp_conn is a plain struct the caller
 * owns (some 250 bytes); the only memory the engine allocates is the names
 * from the wire (NTLM user, domain and workstation, Kerberos service and realm),
 * each sized to what arrived and only when one arrives, which
 * cssp_conn_clear() frees.
 */
#ifndef CSSP_VERDICT_H
#define CSSP_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cssp/ntlmssp.h"
#include "cssp/tsrequest.h"
#include "cssp/words.h"
#include "cssp/x224.h"

typedef enum cssp_dir {
    CSSP_FROM_CLIENT = 0,
    CSSP_FROM_SERVER = 1
} cssp_dir;

typedef enum cssp_verdict {
    CSSP_VERDICT_OK = 0,                   /* "ok": CredSSP completed */
    CSSP_VERDICT_VERSION_MISMATCH,         /* "version_mismatch": client >= 5, server <= 4, client gave up */
    CSSP_VERDICT_REJECTED_UNPATCHED_CLIENT,/* "rejected_unpatched_client": client <= 4, server >= 5 refused it */
    CSSP_VERDICT_AUTH_FAILED,              /* "auth_failed": credentials refused */
    CSSP_VERDICT_NO_NLA,                   /* "no_nla": negotiated without CredSSP */
    CSSP_VERDICT_NEGOTIATION_FAILED,       /* "negotiation_failed": RDP_NEG_FAILURE */
    CSSP_VERDICT_INCOMPLETE,               /* "incomplete": anything else, or not (yet) in the capture */
    CSSP_VERDICT_GATEWAY_REFUSED           /* "gateway_refused": an RD Gateway refused the tunnel (lib/core/gateway.c) */
} cssp_verdict;
#define CSSP_VERDICT_COUNT (CSSP_VERDICT_GATEWAY_REFUSED + 1)

typedef enum cssp_evidence {
    CSSP_EVIDENCE_DECRYPTED = 0,   /* "decrypted": TSRequests were read */
    CSSP_EVIDENCE_CLEARTEXT,       /* "cleartext": X.224 alone, or CredSSP seen without TLS */
    CSSP_EVIDENCE_TRAFFIC_SHAPE    /* "traffic_shape": inferred from encrypted records, alerts, closes */
} cssp_evidence;

enum {
    CSSP_FINDING_SERVER_UNPATCHED = 1u << 0,          /* "server_unpatched": server offers 2-4 */
    CSSP_FINDING_CLIENT_UNPATCHED = 1u << 1,          /* "client_unpatched": client offers 2-4 */
    CSSP_FINDING_NLA_NOT_USED = 1u << 2,              /* "nla_not_used" */
    CSSP_FINDING_VERSION_CHANGED = 1u << 3,           /* "version_changed": a side changed its version */
    CSSP_FINDING_FIELD_VERSION_INCONSISTENT = 1u << 4,/* "field_version_inconsistent" */
    CSSP_FINDING_LEGACY_TLS = 1u << 5                 /* "legacy_tls": TLS 1.0 / 1.1 */
};
#define CSSP_FINDING_COUNT 6

typedef enum cssp_event_type {
    CSSP_EV_NEG_REQUEST,       /* X.224 Connection Request (from the client) */
    CSSP_EV_NEG_RESPONSE,      /* X.224 Connection Confirm with RDP_NEG_RSP, or legacy without one */
    CSSP_EV_NEG_FAILURE,       /* X.224 Connection Confirm with RDP_NEG_FAILURE */
    CSSP_EV_TLS_HANDSHAKE,     /* ServerHello seen: the TLS version and cipher suite are known */
    CSSP_EV_TSREQUEST,         /* a decoded TSRequest (decrypted, or seen in clear) */
    CSSP_EV_ENCRYPTED_RECORD,  /* an application-data record (type 23) that was not decrypted */
    CSSP_EV_TLS_ALERT,         /* an alert record (type 21), or a decrypted alert */
    CSSP_EV_EARLY_AUTH_RESULT, /* the 4-byte Early User Authorization Result (HYBRID_EX); held by the engine
                                  until the client's credentials are in, or until END_OF_CAPTURE */
    CSSP_EV_FIN,               /* a TCP FIN from dir */
    CSSP_EV_RST,               /* a TCP RST from dir */
    CSSP_EV_END_OF_CAPTURE     /* no more packets of this connection will come */
} cssp_event_type;

/* What the engine needs of a TSRequest; build it with cssp_tsreq_summarize(). */
typedef struct cssp_tsreq_summary {
    uint32_t version;
    unsigned nego_token_count;
    cssp_token_kind token_kind;       /* of the first negoToken */
    bool has_ntlm;                    /* an NTLM message was decoded from the first negoToken */
    cssp_ntlm_message ntlm;
    cssp_auth_package package;        /* the package the first negoToken names; NONE when it names none */
    bool offers_kerberos_first;       /* a NegTokenInit whose first mechType is Kerberos */
    bool has_krb;                     /* a Kerberos message was decoded from the first negoToken */
    cssp_krb_message krb;
    bool has_auth_info;
    bool has_pub_key_auth;
    bool has_error_code;
    uint32_t error_code;
    bool has_client_nonce;
    unsigned notes;                   /* CSSP_TSREQ_NOTE_* */
} cssp_tsreq_summary;

typedef struct cssp_event {
    cssp_event_type type;
    cssp_dir dir;                     /* who sent it (ignored for END_OF_CAPTURE) */
    uint64_t ref;                     /* the front end's reference: frame or packet number */
    union {
        struct {
            bool has_neg;
            uint32_t requested_protocols;
            uint8_t flags;
            bool has_correlation_id;
            uint8_t correlation_id[CSSP_CORRELATION_ID_LEN];
        } neg_request;
        struct { bool has_neg; uint32_t selected_protocol; uint8_t flags; } neg_response; /* !has_neg: legacy, RDP */
        struct { uint32_t failure_code; } neg_failure;
        struct { uint16_t version; uint16_t cipher_suite; } tls;  /* 0x0301..0x0304, IANA suite id */
        const cssp_tsreq_summary *tsreq;
        struct { size_t length; } record;                         /* TLS record length field */
        struct { bool encrypted; uint8_t level; uint8_t description; } alert;
        struct { uint32_t result; } early_auth;
    } u;
} cssp_event;

/* Facts gathered so far. Front ends read these for their reports; only the engine writes them. */
typedef struct cssp_facts {
    bool has_request, request_has_neg;
    uint32_t requested_protocols;
    uint8_t request_flags;                          /* RDP_NEG_REQ flags (cssp_neg_req_flag_names) */
    bool has_correlation_id;
    uint8_t correlation_id[CSSP_CORRELATION_ID_LEN];
    bool has_response, response_has_neg;
    uint32_t selected_protocol;
    uint8_t response_flags;                         /* RDP_NEG_RSP flags (cssp_neg_rsp_flag_names) */
    bool has_failure;
    uint32_t failure_code;
    bool has_tls;
    uint16_t tls_version, cipher_suite;
    bool client_version_seen, server_version_seen;
    uint32_t client_version, server_version;        /* first advertised by each side */
    uint64_t client_version_ref, server_version_ref;
    bool has_error_code;
    uint32_t error_code;
    uint64_t error_code_ref;
    bool has_early_auth;
    uint32_t early_auth_result;
    bool has_client_os, has_server_os;              /* NTLM VERSION from the client's / server's messages */
    uint8_t client_os_major, client_os_minor, server_os_major, server_os_minor;
    uint16_t client_os_build, server_os_build;
    /*
     * Names from the wire: each is "" (static, never NULL) until seen, then a heap copy of what arrived (at most
     * its decoder's cap: CSSP_NTLM_NAME_MAX, CSSP_KRB_NAME_MAX, NUL included). Most connections carry none.
     */
    const char *user;                               /* from AUTHENTICATE */
    const char *domain;
    const char *workstation;
    unsigned tsreq_notes;                           /* union of CSSP_TSREQ_NOTE_* over all TSRequests */
    cssp_auth_package auth_package;                 /* the package of the last negoToken that named one */
    bool kerberos_tried;                            /* Kerberos was offered first or a Kerberos token was sent */
    bool ntlm_fallback;                             /* NTLM ran after Kerberos was tried */
    const char *kerberos_service;                   /* "TERMSRV/host" from the AP-REQ ticket or KERB-TGT-REQUEST */
    const char *kerberos_realm;                     /* the ticket's realm */
    bool has_krb_error;
    int32_t krb_error;                              /* error-code of the first KRB-ERROR */
} cssp_facts;

typedef struct cssp_conn {
    cssp_facts facts;
    /*
     * Engine bookkeeping below, private to lib/: front ends read it through
     * cssp_conn_judge(), cssp_conn_credssp_over() and the accessors after
     * them, never directly (unit tests may). A "message" is a TSRequest or an undecrypted
     * application record counted as CredSSP; a "turn" is a run of messages
     * from one side; "leg" is the furthest step of the exchange reached
     * (0..7, numbered in docs/verdicts.md).
     */
    unsigned tsreq_count[2];          /* TSRequests seen per direction */
    unsigned records[2];              /* undecrypted application records seen per direction */
    unsigned set_aside[2];            /* of those, not counted as CredSSP (TLS 1.3 handshake, before the start) */
    unsigned turns[2];
    int last_sender;                  /* -1, or the cssp_dir of the last message */
    unsigned leg;
    size_t server_leg4_record_len;    /* undecrypted record opening the server's 2nd turn; 0 if none */
    size_t server_first_turn_len;     /* bytes of the undecrypted records of the server's first turn */
    bool extra_round_trip;            /* that turn carried a ticket (Kerberos user-to-user): legs come a turn later */
    bool client_sent_authenticate;    /* read in a TSRequest: pubKeyAuth or NTLM AUTHENTICATE from the client */
    bool client_sent_auth_info;       /* read in a TSRequest: TSCredentials sent */
    bool server_sent_pub_key_auth;
    bool client_pub_key_auth_without_nonce;
    bool version_changed;
    uint32_t later_version[2];        /* per side: the first later version that differs; the first one if none */
    bool alert[2], fin[2], rst[2];
    int first_close;                  /* -1, or the cssp_dir of the first FIN/RST/alert */
    cssp_event_type first_close_type; /* CSSP_EV_FIN, _RST or _TLS_ALERT */
    unsigned close_leg;               /* leg reached when the connection first closed */
    bool end_of_capture;
    size_t name_bytes;                /* allocated for the facts' names (cssp_conn_heap_bytes) */
    bool early_auth_held;             /* an Early User Authorization Result waits for the client's credentials */
    uint32_t held_early_auth_result;
} cssp_conn;

/* Why a connection failed, where the capture tells it apart (docs/verdicts.md, "Causes"); NONE otherwise. */
typedef enum cssp_cause {
    CSSP_CAUSE_NONE = 0,
    CSSP_CAUSE_SERVER_UNPATCHED,     /* "cve_2018_0886_server_unpatched": version_mismatch */
    CSSP_CAUSE_CLIENT_UNPATCHED,     /* "cve_2018_0886_client_unpatched": rejected_unpatched_client */
    CSSP_CAUSE_NTLM_REFUSED,         /* "ntlm_refused": SEC_E_UNSUPPORTED_FUNCTION, compatible versions, NTLM */
    CSSP_CAUSE_UNSUPPORTED_FUNCTION, /* "unsupported_function": the same code, compatible versions, not NTLM */
    CSSP_CAUSE_ACCOUNT_RESTRICTION,  /* "account_restriction": Protected Users, logon restrictions */
    CSSP_CAUSE_LOGON_FAILURE,        /* "logon_failure": wrong user name or password */
    CSSP_CAUSE_PASSWORD_EXPIRED,     /* "password_expired": expired, or must change */
    CSSP_CAUSE_ACCOUNT_LOCKED_OUT,   /* "account_locked_out" */
    CSSP_CAUSE_ACCOUNT_DISABLED,     /* "account_disabled" (or expired) */
    CSSP_CAUSE_HYBRID_REQUIRED,      /* "hybrid_required": RDP_NEG_FAILURE HYBRID_REQUIRED_BY_SERVER */
    CSSP_CAUSE_SSL_NOT_ALLOWED       /* "ssl_not_allowed": RDP_NEG_FAILURE SSL_NOT_ALLOWED_BY_SERVER */
} cssp_cause;
#define CSSP_CAUSE_COUNT (CSSP_CAUSE_SSL_NOT_ALLOWED + 1)

typedef struct cssp_judgement {
    cssp_verdict verdict;
    cssp_cause cause;
    cssp_evidence evidence;
    unsigned findings;                /* CSSP_FINDING_* */
    char explanation[512];            /* one sentence, with the versions and error name where known; room for
                                         a translation, which takes more bytes than the English (UTF-8) */
    const char *advice;               /* static text; NULL when there is nothing to advise */
} cssp_judgement;

void cssp_conn_init(cssp_conn *c);
/* Frees the names the engine kept; the conn may then be initialised again or dropped. */
void cssp_conn_clear(cssp_conn *c);
/* Bytes the engine allocated for this conn's names (for a front end's memory budget). */
size_t cssp_conn_heap_bytes(const cssp_conn *c);
void cssp_conn_feed(cssp_conn *c, const cssp_event *ev);
void cssp_conn_judge(const cssp_conn *c, cssp_judgement *out);
/*
 * The same judgement with the explanation in tr's language (cssp/words.h; NULL: English, as cssp_conn_judge,
 * the machine interface's). The advice stays the English static text, which the front end looks up in its
 * catalogue when it shows it.
 */
void cssp_conn_judge_in(const cssp_conn *c, cssp_translate tr, cssp_judgement *out);

/*
 * True once CredSSP is over for this connection (completed, refused, not
 * used, closed, or the capture ended): a front end may then stop buffering
 * and decrypting it. From then on the verdict is settled and the engine
 * ignores further events (docs/verdicts.md, "Settling").
 */
bool cssp_conn_credssp_over(const cssp_conn *c);

/*
 * Can a 4-byte PDU from the server now be the Early User Authorization Result? Once the client sent its
 * credentials or the server its pubKeyAuth ([MS-RDPBCGR] 5.4.2.3): earlier, 4 bytes are a TSRequest cut short.
 */
bool cssp_conn_expects_early_auth(const cssp_conn *c);

/* TSRequests decoded so far, both directions. */
unsigned cssp_conn_tsrequests(const cssp_conn *c);

/* What of the exchange the transport moved: records counted as CredSSP and closes, per side. */
typedef struct cssp_progress {
    unsigned records_counted[2];      /* undecrypted records counted as CredSSP messages */
    bool fin[2], rst[2], alert[2];
    int first_close;                  /* -1, or the cssp_dir that closed first */
} cssp_progress;
void cssp_conn_progress(const cssp_conn *c, cssp_progress *out);
bool cssp_progress_equal(const cssp_progress *a, const cssp_progress *b);

/*
 * Fills a summary from a decoded TSRequest (buf is the buffer it was decoded
 * from), inspecting the first negoToken with the NTLMSSP reader.
 */
void cssp_tsreq_summarize(const uint8_t *buf, const cssp_tsrequest *req, cssp_tsreq_summary *out);

/* The event of an X.224 Connection Request or Confirm (both front ends feed it); false for other TPDUs. */
bool cssp_x224_event(const cssp_x224 *pdu, cssp_dir dir, uint64_t ref, cssp_event *out);

/*
 * The CVE-2018-0886 version rule (docs/verdicts.md 3.4), for every front end: [MS-CSSP] 2.2.1 has a peer
 * above the highest defined version treated as that version (nmap's 96 reads as 6); 2-4 lack the fix
 * ("unpatched"), 5 and above have it ("patched").
 */
#define CSSP_MAX_DEFINED_VERSION 6
uint32_t cssp_version_as_read(uint32_t version);
bool cssp_version_unpatched(uint32_t version);
bool cssp_version_patched(uint32_t version);
/* The version the two sides end up speaking: the lower of the two as read. */
uint32_t cssp_effective_version(uint32_t client, uint32_t server);
/* A patched client met an unpatched server: what such a client refuses (both versions seen). */
bool cssp_facts_version_mismatch(const cssp_facts *f);

const char *cssp_verdict_name(cssp_verdict v);     /* "version_mismatch" */
const char *cssp_evidence_name(cssp_evidence e);   /* "traffic_shape" */
const char *cssp_finding_name(unsigned finding_bit);/* "server_unpatched"; NULL for an unknown bit */
const char *cssp_cause_name(cssp_cause cause);     /* "ntlm_refused"; NULL for CSSP_CAUSE_NONE */

#endif
