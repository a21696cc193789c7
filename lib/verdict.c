/*
 * verdict.c - the per-connection verdict engine (see verdict.h; docs/verdicts.md
 * documents every rule below with its source).
 *
 * cssp_conn_feed() turns events into facts and into the furthest CredSSP leg
 * reached. Decoded TSRequests and undecrypted records feed one model: CredSSP
 * strictly alternates, so messages are grouped into turns, and a side's n-th
 * turn is a known leg of [MS-CSSP] 3.1.5. Turns rather than records, because
 * one turn may span several records (TLS 1.0 record splitting, a TLS 1.3
 * session ticket next to the CHALLENGE). The first close freezes the model:
 * every verdict is about how the exchange stopped, not about later traffic.
 *
 * cssp_conn_judge() applies the rules in the order of docs/verdicts.md and
 * words the result.
 */
#include "cssp/verdict.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cssp/names.h"
#include "cssp/x224.h"

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
#define TLS_1_2 0x0303
#define TLS_1_3 0x0304
#define TLS13_AES_256_GCM_SHA384 0x1302
#define TLS13_AES_128_CCM_8_SHA256 0x1305
#define TLS_ALERT_WARNING 1
#define TLS_ALERT_CLOSE_NOTIFY 0
#define CREDSSP_MAX_VERSION 6   /* [MS-CSSP] 2.2.1: a higher peer version is treated as our own */

/*
 * Largest record that can only be an errorCode TSRequest in the server's 2nd
 * turn. The 15-byte errorCode TSRequest needs 32 (TLS 1.3), 39 (GCM) or at
 * most 64 bytes (CBC with SHA-1/SHA-256 MAC); the smallest pubKeyAuth
 * TSRequest (59 bytes, v5/v6) needs at least 75. Derivation in docs/verdicts.md.
 */
#define ERROR_REPLY_MAX_RECORD 64

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
    RULE_INCOMPLETE
} rule;

typedef struct decision {
    rule rule;
    cssp_verdict verdict;
    cssp_evidence evidence;
    bool final;                   /* nothing later can change it */
} decision;

/* ---- version helpers ---------------------------------------------------- */

static uint32_t clamp_version(uint32_t v)
{
    return v > CREDSSP_MAX_VERSION ? CREDSSP_MAX_VERSION : v;
}

static bool is_unpatched(uint32_t v)
{
    return v >= 2 && v <= 4;
}

static bool is_patched(uint32_t v)
{
    return clamp_version(v) >= 5;
}

static bool client_unpatched(const cssp_facts *f)
{
    return f->client_version_seen && is_unpatched(f->client_version);
}

static bool server_unpatched(const cssp_facts *f)
{
    return f->server_version_seen && is_unpatched(f->server_version);
}

static bool client_patched(const cssp_facts *f)
{
    return f->client_version_seen && is_patched(f->client_version);
}

static bool server_patched(const cssp_facts *f)
{
    return f->server_version_seen && is_patched(f->server_version);
}

static bool fields_inconsistent(const cssp_conn *c)
{
    const cssp_facts *f = &c->facts;
    const unsigned bad_notes = CSSP_TSREQ_NOTE_ERROR_CODE_IN_V2_OR_V5 | CSSP_TSREQ_NOTE_NONCE_BEFORE_V5 |
                               CSSP_TSREQ_NOTE_NONCE_NOT_32;
    if (f->tsreq_notes & bad_notes)
        return true;
    if (!f->client_version_seen || !f->server_version_seen)
        return false;
    uint32_t client = clamp_version(f->client_version), server = clamp_version(f->server_version);
    uint32_t effective = client < server ? client : server;
    if (f->has_error_code && (effective == 2 || effective == 5))
        return true;
    return effective >= 5 && c->client_pub_key_auth_without_nonce;
}

/* ---- negotiation helpers ------------------------------------------------ */

static bool negotiated(const cssp_facts *f, uint32_t protocol)
{
    return f->has_response && f->response_has_neg && f->selected_protocol == protocol;
}

/* A known protocol other than CredSSP, or a legacy Confirm; an unknown value decides nothing. */
static bool negotiated_without_credssp(const cssp_facts *f)
{
    if (!f->has_response)
        return false;
    if (!f->response_has_neg)
        return true;
    switch (f->selected_protocol) {
    case CSSP_PROTO_RDP:
    case CSSP_PROTO_SSL:
    case CSSP_PROTO_RDSTLS:
    case CSSP_PROTO_RDSAAD:
        return true;
    }
    return false;
}

/* ---- TLS 1.3 record sizes ----------------------------------------------- */

static size_t tls13_tag_len(uint16_t suite)
{
    return suite == TLS13_AES_128_CCM_8_SHA256 ? 8 : 16;
}

/* The client's encrypted Finished: 4-byte header + verify_data (hash length) + inner type + tag. */
static bool is_tls13_finished_len(uint16_t suite, size_t len)
{
    size_t sha256 = 4 + 32 + 1 + tls13_tag_len(suite), sha384 = 4 + 48 + 1 + tls13_tag_len(suite);
    if (suite == 0)
        return len == sha256 || len == sha384;
    return len == (suite == TLS13_AES_256_GCM_SHA384 ? sha384 : sha256);
}

/* An encrypted alert: 2 bytes + inner type + tag. Nothing else in CredSSP is this short. */
static bool is_tls13_alert_len(uint16_t suite, size_t len)
{
    return len == 2 + 1 + tls13_tag_len(suite);
}

/* ---- feeding ------------------------------------------------------------ */

void cssp_conn_init(cssp_conn *c)
{
    memset(c, 0, sizeof *c);
    c->last_sender = -1;
    c->first_close = -1;
}

static void raise_leg(cssp_conn *c, unsigned leg)
{
    if (leg > c->leg)
        c->leg = leg;
}

/* Counts one message; returns true when it opens a new turn. */
static bool count_message(cssp_conn *c, cssp_dir dir)
{
    if (c->last_sender == (int)dir)
        return false;
    c->last_sender = (int)dir;
    c->turns[dir]++;
    return true;
}

/* The leg a side's n-th turn is: client 1, 3, 5, 7; server 2, 4, 6. */
static unsigned leg_of_turn(cssp_dir dir, unsigned turn)
{
    unsigned leg = dir == CSSP_FROM_CLIENT ? 2 * turn - 1 : 2 * turn;
    return leg > LEG_CLIENT_AFTER ? LEG_CLIENT_AFTER : leg;
}

static void note_close(cssp_conn *c, cssp_dir dir, cssp_event_type how)
{
    if (how == CSSP_EV_FIN)
        c->fin[dir] = true;
    else if (how == CSSP_EV_RST)
        c->rst[dir] = true;
    else
        c->alert[dir] = true;
    if (c->first_close < 0) {
        c->first_close = (int)dir;
        c->first_close_type = how;
        c->close_leg = c->leg;
    }
}

static void note_version(cssp_conn *c, cssp_dir dir, uint32_t version, uint64_t ref)
{
    cssp_facts *f = &c->facts;
    bool *seen = dir == CSSP_FROM_CLIENT ? &f->client_version_seen : &f->server_version_seen;
    uint32_t *value = dir == CSSP_FROM_CLIENT ? &f->client_version : &f->server_version;
    uint64_t *where = dir == CSSP_FROM_CLIENT ? &f->client_version_ref : &f->server_version_ref;
    if (!*seen) {
        *seen = true;
        *value = version;
        *where = ref;
        c->later_version[dir] = version;
    } else if (version != *value && c->later_version[dir] == *value) {
        c->version_changed = true;
        c->later_version[dir] = version;
    }
}

static void copy_name(char dst[CSSP_NTLM_NAME_MAX], const char src[CSSP_NTLM_NAME_MAX])
{
    memcpy(dst, src, CSSP_NTLM_NAME_MAX);
    dst[CSSP_NTLM_NAME_MAX - 1] = '\0';
}

static void note_ntlm(cssp_conn *c, cssp_dir dir, const cssp_ntlm_message *m)
{
    cssp_facts *f = &c->facts;
    if (m->has_version && dir == CSSP_FROM_CLIENT && !f->has_client_os) {
        f->has_client_os = true;
        f->client_os_major = m->os_major;
        f->client_os_minor = m->os_minor;
        f->client_os_build = m->os_build;
    } else if (m->has_version && dir == CSSP_FROM_SERVER && !f->has_server_os) {
        f->has_server_os = true;
        f->server_os_major = m->os_major;
        f->server_os_minor = m->os_minor;
        f->server_os_build = m->os_build;
    }
    if (dir == CSSP_FROM_CLIENT && m->type == CSSP_NTLM_AUTHENTICATE) {
        c->client_sent_authenticate = true;
        copy_name(f->user, m->user);
        copy_name(f->domain, m->domain);
        copy_name(f->workstation, m->workstation);
    }
}

static void feed_tsrequest(cssp_conn *c, cssp_dir dir, const cssp_tsreq_summary *s, uint64_t ref)
{
    cssp_facts *f = &c->facts;
    c->tsreq_count[dir]++;
    f->tsreq_notes |= s->notes;
    note_version(c, dir, s->version, ref);
    if (s->has_ntlm)
        note_ntlm(c, dir, &s->ntlm);
    count_message(c, dir);
    /* A decoded TSRequest advances the exchange by what it carries, not by its turn. */
    if (dir == CSSP_FROM_CLIENT) {
        if (s->has_pub_key_auth) {
            c->client_sent_authenticate = true;
            if (!s->has_client_nonce)
                c->client_pub_key_auth_without_nonce = true;
        }
        if (s->has_auth_info) {
            c->client_sent_auth_info = true;
            raise_leg(c, LEG_CLIENT_CREDS);
        }
        raise_leg(c, c->client_sent_authenticate ? LEG_CLIENT_AUTH : LEG_CLIENT_FIRST);
        return;
    }
    if (s->has_error_code && !f->has_error_code) {
        f->has_error_code = true;
        f->error_code = s->error_code;
        f->error_code_ref = ref;
    }
    if (s->has_pub_key_auth)
        c->server_sent_pub_key_auth = true;
    raise_leg(c, s->has_pub_key_auth || c->leg >= LEG_CLIENT_AUTH ? LEG_SERVER_PUBKEY : LEG_SERVER_FIRST);
}

static bool records_countable(const cssp_conn *c)
{
    const cssp_facts *f = &c->facts;
    return f->has_tls || c->tsreq_count[0] || c->tsreq_count[1] || negotiated(f, CSSP_PROTO_HYBRID) ||
           negotiated(f, CSSP_PROTO_HYBRID_EX);
}

static void feed_record(cssp_conn *c, cssp_dir dir, size_t len)
{
    const cssp_facts *f = &c->facts;
    bool tls13 = f->has_tls && f->tls_version == TLS_1_3;
    c->records[dir]++;
    if (tls13 && is_tls13_alert_len(f->cipher_suite, len)) {
        note_close(c, dir, CSSP_EV_TLS_ALERT);
        return;
    }
    /*
     * Not CredSSP: records before the start of the connection is known; server
     * records before the client has spoken (CredSSP is client-first; in TLS 1.3
     * the encrypted handshake and session tickets); the client's TLS 1.3 Finished.
     */
    bool before_client = dir == CSSP_FROM_SERVER && c->turns[CSSP_FROM_CLIENT] == 0;
    bool client_finished = tls13 && dir == CSSP_FROM_CLIENT && c->turns[CSSP_FROM_CLIENT] == 0 &&
                           c->set_aside[CSSP_FROM_CLIENT] == 0 && is_tls13_finished_len(f->cipher_suite, len);
    if (!records_countable(c) || before_client || client_finished) {
        c->set_aside[dir]++;
        return;
    }
    if (count_message(c, dir)) {
        unsigned leg = leg_of_turn(dir, c->turns[dir]);
        if (leg == LEG_SERVER_PUBKEY && c->leg < LEG_SERVER_PUBKEY)
            c->server_leg4_record_len = len;
        raise_leg(c, leg);
    }
}

static void feed_negotiation(cssp_conn *c, const cssp_event *ev)
{
    cssp_facts *f = &c->facts;
    switch (ev->type) {
    case CSSP_EV_NEG_REQUEST:
        if (f->has_request)
            return;
        f->has_request = true;
        f->request_has_neg = ev->u.neg_request.has_neg;
        f->requested_protocols = ev->u.neg_request.requested_protocols;
        f->request_flags = ev->u.neg_request.flags;
        return;
    case CSSP_EV_NEG_RESPONSE:
        if (f->has_response || f->has_failure)
            return;
        f->has_response = true;
        f->response_has_neg = ev->u.neg_response.has_neg;
        f->selected_protocol = ev->u.neg_response.has_neg ? ev->u.neg_response.selected_protocol : CSSP_PROTO_RDP;
        f->response_flags = ev->u.neg_response.flags;
        return;
    case CSSP_EV_NEG_FAILURE:
        if (f->has_response || f->has_failure)
            return;
        f->has_failure = true;
        f->failure_code = ev->u.neg_failure.failure_code;
        return;
    default:
        return;
    }
}

static bool alert_ends_connection(const cssp_event *ev)
{
    return ev->u.alert.encrypted || ev->u.alert.level != TLS_ALERT_WARNING ||
           ev->u.alert.description == TLS_ALERT_CLOSE_NOTIFY;
}

void cssp_conn_feed(cssp_conn *c, const cssp_event *ev)
{
    if (!c || !ev)
        return;
    if (ev->type == CSSP_EV_END_OF_CAPTURE) {
        c->end_of_capture = true;
        return;
    }
    if (cssp_conn_credssp_over(c))
        return; /* settled: later traffic is the RDP session, not CredSSP */
    cssp_dir dir = ev->dir == CSSP_FROM_SERVER ? CSSP_FROM_SERVER : CSSP_FROM_CLIENT;
    cssp_facts *f = &c->facts;
    switch (ev->type) {
    case CSSP_EV_NEG_REQUEST:
    case CSSP_EV_NEG_RESPONSE:
    case CSSP_EV_NEG_FAILURE:
        feed_negotiation(c, ev);
        break;
    case CSSP_EV_TLS_HANDSHAKE:
        if (!f->has_tls) {
            f->has_tls = true;
            f->tls_version = ev->u.tls.version;
            f->cipher_suite = ev->u.tls.cipher_suite;
        }
        break;
    case CSSP_EV_TSREQUEST:
        if (ev->u.tsreq)
            feed_tsrequest(c, dir, ev->u.tsreq, ev->ref);
        break;
    case CSSP_EV_ENCRYPTED_RECORD:
        feed_record(c, dir, ev->u.record.length);
        break;
    case CSSP_EV_TLS_ALERT:
        if (alert_ends_connection(ev))
            note_close(c, dir, CSSP_EV_TLS_ALERT);
        break;
    case CSSP_EV_EARLY_AUTH_RESULT:
        if (!f->has_early_auth) {
            f->has_early_auth = true;
            f->early_auth_result = ev->u.early_auth.result;
            raise_leg(c, LEG_SERVER_AFTER);
        }
        break;
    case CSSP_EV_FIN:
    case CSSP_EV_RST:
        note_close(c, dir, ev->type);
        break;
    case CSSP_EV_END_OF_CAPTURE:
        break;
    }
}

/* ---- the rules ------------------------------------------------------------ */

static decision make(rule r, cssp_verdict v, cssp_evidence e, bool final)
{
    return (decision){.rule = r, .verdict = v, .evidence = e, .final = final};
}

/* Evidence of a rule that rests on TSRequest contents: read inside TLS, or in clear. */
static cssp_evidence content_tier(const cssp_facts *f)
{
    return f->has_tls ? CSSP_EVIDENCE_DECRYPTED : CSSP_EVIDENCE_CLEARTEXT;
}

static cssp_evidence tier_of_what_was_seen(const cssp_conn *c)
{
    if (c->tsreq_count[0] || c->tsreq_count[1])
        return content_tier(&c->facts);
    if (c->facts.has_tls || c->records[0] || c->records[1])
        return CSSP_EVIDENCE_TRAFFIC_SHAPE;
    return CSSP_EVIDENCE_CLEARTEXT;
}

static bool closed_at(const cssp_conn *c, cssp_dir who, unsigned leg)
{
    return c->first_close == (int)who && c->close_leg == leg;
}

static decision decide(const cssp_conn *c)
{
    const cssp_facts *f = &c->facts;
    bool ended = c->first_close >= 0 || c->end_of_capture;
    bool credssp_read = c->tsreq_count[0] || c->tsreq_count[1];
    bool hybrid_ex = negotiated(f, CSSP_PROTO_HYBRID_EX);

    if (f->has_failure)
        return make(RULE_NEG_FAILURE, CSSP_VERDICT_NEGOTIATION_FAILED, CSSP_EVIDENCE_CLEARTEXT, true);
    if (!credssp_read && negotiated_without_credssp(f))
        return make(RULE_NO_NLA, CSSP_VERDICT_NO_NLA, CSSP_EVIDENCE_CLEARTEXT, true);
    if (f->has_error_code) {
        if (f->error_code == STATUS_NOT_SUPPORTED && client_unpatched(f) && server_patched(f))
            return make(RULE_ERROR_NOT_SUPPORTED, CSSP_VERDICT_REJECTED_UNPATCHED_CLIENT, content_tier(f), true);
        return make(RULE_ERROR_CODE, CSSP_VERDICT_AUTH_FAILED, content_tier(f), true);
    }
    if (f->has_early_auth && f->early_auth_result != CSSP_AUTHZ_SUCCESS)
        return make(RULE_AUTHZ_DENIED, CSSP_VERDICT_AUTH_FAILED, content_tier(f), true);
    if (c->leg >= LEG_CLIENT_CREDS || f->has_early_auth) {
        if (hybrid_ex && !f->has_early_auth && c->first_close >= 0 && c->close_leg == LEG_SERVER_AFTER)
            return make(RULE_SHAPE_AUTHZ_DENIED, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_TRAFFIC_SHAPE, true);
        cssp_evidence e = c->client_sent_auth_info || f->has_early_auth ? content_tier(f)
                                                                        : CSSP_EVIDENCE_TRAFFIC_SHAPE;
        bool final = ended || f->has_early_auth || c->leg >= LEG_CLIENT_AFTER || !hybrid_ex;
        return make(RULE_COMPLETED, CSSP_VERDICT_OK, e, final);
    }
    if (closed_at(c, CSSP_FROM_CLIENT, LEG_SERVER_FIRST) && client_patched(f) && server_unpatched(f))
        return make(RULE_VERSION_REFUSED, CSSP_VERDICT_VERSION_MISMATCH, content_tier(f), true);
    if (closed_at(c, CSSP_FROM_SERVER, LEG_CLIENT_FIRST) && client_unpatched(f) && !server_unpatched(f))
        return make(RULE_SERVER_REFUSED_FIRST, CSSP_VERDICT_REJECTED_UNPATCHED_CLIENT, content_tier(f), true);
    if (closed_at(c, CSSP_FROM_SERVER, LEG_CLIENT_AUTH)) {
        cssp_evidence e = c->client_sent_authenticate ? content_tier(f) : CSSP_EVIDENCE_TRAFFIC_SHAPE;
        return make(RULE_SERVER_ENDED_AFTER_AUTH, CSSP_VERDICT_AUTH_FAILED, e, true);
    }
    if (c->leg == LEG_SERVER_PUBKEY && c->server_leg4_record_len > 0 &&
        c->server_leg4_record_len <= ERROR_REPLY_MAX_RECORD)
        return make(RULE_SHAPE_ERROR_REPLY, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_TRAFFIC_SHAPE, ended);
    return make(RULE_INCOMPLETE, CSSP_VERDICT_INCOMPLETE, tier_of_what_was_seen(c), ended);
}

bool cssp_conn_credssp_over(const cssp_conn *c)
{
    return decide(c).final;
}

/* ---- wording ------------------------------------------------------------ */

/*
 * The explanation is built clause by clause. A clause that does not fit is
 * dropped whole, and so is everything after it, and room for the final
 * period is always kept: the result is one complete sentence.
 */
typedef struct text {
    char *buf;
    size_t size;
    size_t used;
    bool full;
} text;

static void text_add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_add(text *t, const char *fmt, ...)
{
    if (t->full || t->used + 2 > t->size)
        return;
    size_t room = t->size - t->used - 1; /* keeps one byte for the period */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->used, room, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= room) {
        t->buf[t->used] = '\0';
        t->full = true;
        return;
    }
    t->used += (size_t)n;
}

static void text_end(text *t)
{
    if (t->used + 2 > t->size)
        return;
    t->buf[t->used++] = '.';
    t->buf[t->used] = '\0';
}

/* "v6", or "v96 (read as v6)" for a version above the highest defined one. */
static const char *version_text(uint32_t v, char *buf, size_t size)
{
    if (v > CREDSSP_MAX_VERSION)
        snprintf(buf, size, "v%u (read as v%u)", (unsigned)v, CREDSSP_MAX_VERSION);
    else
        snprintf(buf, size, "v%u", (unsigned)v);
    return buf;
}

/* "the client offered CredSSP v6 and the server v3", or what is known of it; nothing when neither. */
static void add_versions(text *t, const cssp_facts *f, bool sentence_start)
{
    char client[32], server[32];
    const char *the = sentence_start ? "The" : "the";
    if (f->client_version_seen && f->server_version_seen)
        text_add(t, "%s client offered CredSSP %s and the server %s", the,
                 version_text(f->client_version, client, sizeof client),
                 version_text(f->server_version, server, sizeof server));
    else if (f->client_version_seen)
        text_add(t, "%s client offered CredSSP %s", the, version_text(f->client_version, client, sizeof client));
    else if (f->server_version_seen)
        text_add(t, "%s server offered CredSSP %s", the, version_text(f->server_version, server, sizeof server));
}

/* "; the client offered ..." when any version is known. */
static void add_versions_clause(text *t, const cssp_facts *f)
{
    if (!f->client_version_seen && !f->server_version_seen)
        return;
    text_add(t, "; ");
    add_versions(t, f, false);
}

static const char *side_name(int dir)
{
    return dir == CSSP_FROM_SERVER ? "server" : "client";
}

static const char *close_text(cssp_event_type how)
{
    switch (how) {
    case CSSP_EV_FIN:
        return "closed the connection";
    case CSSP_EV_RST:
        return "reset the connection";
    default:
        return "sent a TLS alert";
    }
}

/* The message that reached a leg, for "after ..." and "the last step seen is ...". */
static const char *leg_text(unsigned leg)
{
    static const char *const text_of[] = {
        "no CredSSP message",
        "the client's first CredSSP message",
        "the server's first CredSSP reply",
        "the client's AUTHENTICATE (pubKeyAuth)",
        "the server's pubKeyAuth",
        "the client's credentials (authInfo)",
        "the server's reply to the credentials",
        "the client's data after CredSSP",
    };
    return text_of[leg <= LEG_CLIENT_AFTER ? leg : LEG_CLIENT_AFTER];
}

static void add_version_change(text *t, const cssp_conn *c)
{
    for (int dir = CSSP_FROM_CLIENT; dir <= CSSP_FROM_SERVER; dir++) {
        uint32_t first = dir == CSSP_FROM_CLIENT ? c->facts.client_version : c->facts.server_version;
        if (c->later_version[dir] != first)
            text_add(t, "; the %s changed its version from %u to %u, which peers treat as fatal", side_name(dir),
                     (unsigned)first, (unsigned)c->later_version[dir]);
    }
}

static void explain_negotiation(text *t, const cssp_facts *f, rule r)
{
    char requested[96], code[48];
    if (f->has_request && f->request_has_neg)
        cssp_format_protocols(f->requested_protocols, "|", requested, sizeof requested);
    else
        snprintf(requested, sizeof requested, "RDP (no negotiation request)");
    if (r == RULE_NEG_FAILURE) {
        const cssp_name *n = cssp_name_lookup(cssp_neg_failure_names, f->failure_code);
        text_add(t, "The server refused the security negotiation with RDP_NEG_FAILURE %s",
                 cssp_format_neg_failure(f->failure_code, code, sizeof code));
        if (n)
            text_add(t, " (%s)", n->text);
        if (f->has_request)
            text_add(t, " after the client requested %s", requested);
    } else if (!f->response_has_neg) {
        text_add(t, "The server answered with a legacy Connection Confirm (no RDP_NEG_RSP), so Standard RDP "
                    "Security was used and Network Level Authentication (CredSSP) was not");
    } else {
        const cssp_name *p = cssp_name_lookup(cssp_protocol_names, f->selected_protocol);
        text_add(t, "The server selected %s (%s), so the connection went on without CredSSP (Network Level "
                    "Authentication)", p ? p->name : "?", p ? p->text : "?");
        if (f->has_request)
            text_add(t, "; the client had requested %s", requested);
    }
    text_end(t);
}

static void explain_completed(text *t, const cssp_conn *c, cssp_evidence e)
{
    const cssp_facts *f = &c->facts;
    if (e == CSSP_EVIDENCE_TRAFFIC_SHAPE) {
        text_add(t, "CredSSP completed: the client sent a third CredSSP message (its credentials) after the "
                    "server's second reply");
        if (negotiated(f, CSSP_PROTO_HYBRID_EX) && c->leg >= LEG_CLIENT_AFTER)
            text_add(t, ", and went on after the server's Early User Authorization Result");
        text_end(t);
        return;
    }
    text_add(t, "CredSSP completed: ");
    if (f->client_version_seen || f->server_version_seen) {
        add_versions(t, f, false);
        text_add(t, ", and ");
    }
    if (c->client_sent_auth_info)
        text_add(t, "the client sent its credentials (TSCredentials)");
    else
        text_add(t, "the CredSSP exchange ended");
    if (f->has_early_auth)
        text_add(t, " and the server granted access (AUTHZ_SUCCESS)");
    if (client_patched(f) && server_unpatched(f))
        text_add(t, "; the patched client accepted the unpatched server's version, so its Encryption Oracle "
                    "Remediation policy is Vulnerable");
    else if (client_unpatched(f) && server_patched(f))
        text_add(t, "; the patched server accepted the unpatched client, so its Encryption Oracle Remediation "
                    "policy is Mitigated or Vulnerable");
    text_end(t);
}

/* The one-clause reading of how an unfinished exchange stopped, when there is one. */
static void add_stop_reading(text *t, const cssp_conn *c)
{
    const cssp_facts *f = &c->facts;
    unsigned leg = c->first_close >= 0 ? c->close_leg : c->leg;
    if (closed_at(c, CSSP_FROM_CLIENT, LEG_SERVER_FIRST) && !(f->client_version_seen && f->server_version_seen))
        text_add(t, "; this is the shape of a patched client refusing an unpatched server's version, which "
                    "only decryption can confirm");
    else if (closed_at(c, CSSP_FROM_SERVER, LEG_CLIENT_FIRST) && !f->client_version_seen)
        text_add(t, "; this is the shape of a patched server on 'Force Updated Clients' refusing an unpatched "
                    "client, which only decryption can confirm");
    else if (closed_at(c, CSSP_FROM_CLIENT, LEG_SERVER_PUBKEY))
        text_add(t, "; the client withheld its credentials (a failed check of the server's key, or a "
                    "certificate prompt)");
    else if (leg == LEG_SERVER_FIRST && client_patched(f) && server_unpatched(f))
        text_add(t, "; a client on Mitigated or Force Updated Clients refuses this server");
}

static void explain_incomplete(text *t, const cssp_conn *c)
{
    const cssp_facts *f = &c->facts;
    bool read_nothing = !(c->tsreq_count[0] || c->tsreq_count[1]);
    bool start_missing = !f->has_tls && !f->has_request && !f->has_response && read_nothing &&
                         (c->set_aside[0] || c->set_aside[1]);
    if (c->first_close < 0 && start_missing) {
        text_add(t, "The start of the connection is not in the capture (no X.224 negotiation or TLS handshake), "
                    "so its CredSSP exchange cannot be followed");
    } else if (c->first_close < 0 && c->leg == LEG_NONE) {
        text_add(t, "No CredSSP message %s", c->end_of_capture ? "is in the capture" : "has been seen yet");
    } else if (c->first_close >= 0 && c->close_leg == LEG_NONE) {
        text_add(t, "The %s %s before any CredSSP message%s", side_name(c->first_close),
                 close_text(c->first_close_type), f->has_tls ? "" : " (before or during the TLS handshake)");
    } else {
        if (c->first_close >= 0)
            text_add(t, "The %s %s after %s, before CredSSP completed", side_name(c->first_close),
                     close_text(c->first_close_type), leg_text(c->close_leg));
        else if (c->end_of_capture)
            text_add(t, "The capture ends after %s, before CredSSP completed", leg_text(c->leg));
        else
            text_add(t, "CredSSP is in progress; the last step seen is %s", leg_text(c->leg));
        add_versions_clause(t, f);
        add_stop_reading(t, c);
        add_version_change(t, c);
    }
    text_end(t);
}

static void explain(text *t, const cssp_conn *c, const decision *d)
{
    const cssp_facts *f = &c->facts;
    char error[48];
    switch (d->rule) {
    case RULE_NEG_FAILURE:
    case RULE_NO_NLA:
        explain_negotiation(t, f, d->rule);
        return;
    case RULE_ERROR_NOT_SUPPORTED:
        text_add(t, "The server refused the unpatched client with errorCode STATUS_NOT_SUPPORTED; ");
        add_versions(t, f, false);
        text_add(t, ", which is how a patched server on 'Force Updated Clients' refuses an unpatched one");
        break;
    case RULE_ERROR_CODE: {
        const cssp_name *n = cssp_name_lookup(cssp_ntstatus_names, f->error_code);
        text_add(t, "The server refused the authentication with errorCode %s",
                 cssp_format_error(f->error_code, error, sizeof error));
        if (n)
            text_add(t, " (%s)", n->text);
        add_versions_clause(t, f);
        add_version_change(t, c);
        break;
    }
    case RULE_AUTHZ_DENIED: {
        const char *name = cssp_authz_result_name(f->early_auth_result);
        if (name)
            text_add(t, "CredSSP completed but the server's Early User Authorization Result is %s: the user "
                        "does not have permission to access the server", name);
        else
            text_add(t, "CredSSP completed but the server's Early User Authorization Result is 0x%08X, not "
                        "AUTHZ_SUCCESS: the user was not authorized", (unsigned)f->early_auth_result);
        break;
    }
    case RULE_SHAPE_AUTHZ_DENIED:
        text_add(t, "The client sent its credentials, the server answered with one turn (the Early User "
                    "Authorization Result) and the %s then %s, which suggests AUTHZ_ACCESS_DENIED (decrypt to "
                    "confirm)", side_name(c->first_close), close_text(c->first_close_type));
        break;
    case RULE_COMPLETED:
        explain_completed(t, c, d->evidence);
        return;
    case RULE_VERSION_REFUSED:
        add_versions(t, f, true);
        text_add(t, "; the client refused the server's version and %s without sending its credentials ('The "
                    "function requested is not supported', LsaSrv event 6041 on the client)",
                 close_text(c->first_close_type));
        break;
    case RULE_SERVER_REFUSED_FIRST:
        text_add(t, "The server %s right after the unpatched client's first TSRequest without answering; ",
                 close_text(c->first_close_type));
        add_versions(t, f, false);
        text_add(t, ", which is how a patched server on 'Force Updated Clients' refuses an unpatched one");
        break;
    case RULE_SERVER_ENDED_AFTER_AUTH:
        text_add(t, "The server %s right after the client's AUTHENTICATE instead of answering with its "
                    "pubKeyAuth, so it refused the credentials", close_text(c->first_close_type));
        if (d->evidence == CSSP_EVIDENCE_TRAFFIC_SHAPE)
            text_add(t, " (without decryption, a refusal of the client's version or key binding looks the same)");
        else if (client_unpatched(f) && server_patched(f))
            text_add(t, " (the client offered CredSSP v%u: a server on 'Force Updated Clients' may also refuse "
                        "this way)", (unsigned)f->client_version);
        add_version_change(t, c);
        break;
    case RULE_SHAPE_ERROR_REPLY:
        text_add(t, "The server answered the client's AUTHENTICATE with a %zu-byte record, too short for a "
                    "pubKeyAuth and the size of an errorCode TSRequest, so it refused the credentials (decrypt "
                    "to read the code)", c->server_leg4_record_len);
        break;
    case RULE_INCOMPLETE:
        explain_incomplete(t, c);
        return;
    }
    text_end(t);
}

/* ---- advice ------------------------------------------------------------- */

static const char advice_update_server[] =
    "Update the server with the CVE-2018-0886 CredSSP update (the fix); or, not recommended, set the client's "
    "Encryption Oracle Remediation policy to Vulnerable, which lets it fall back to the insecure versions and "
    "exposes the server; or, not recommended, stop requiring Network Level Authentication on the server, which "
    "then sets up sessions before the user is authenticated so unauthenticated connections can exhaust its ports.";

static const char advice_update_client[] =
    "Update the client with the CVE-2018-0886 CredSSP update; or, not recommended, set the server's Encryption "
    "Oracle Remediation policy to Mitigated, which accepts unpatched clients and leaves them exposed.";

static const char advice_credentials[] =
    "Check the user name and password and the account on the server or domain (locked out, disabled, expired, "
    "logon hours, membership of Remote Desktop Users); the server's Security event log gives the reason.";

static const char advice_no_nla[] =
    "Network Level Authentication was not used: the session is set up before the user is authenticated, so "
    "unauthenticated connections can exhaust the server; require NLA on the server unless a client cannot do it.";

static const char advice_ok_unpatched[] =
    "It works, but CredSSP versions 2-4 are vulnerable to CVE-2018-0886: apply the CredSSP update to the "
    "unpatched side (a patched client on the default Mitigated policy refuses an unpatched server).";

static const char advice_decrypt_server[] =
    "Decrypt the TLS (key log) to read the CredSSP versions; if the server offers version 2-4, update it with "
    "the CVE-2018-0886 CredSSP update.";

static const char advice_decrypt_client[] =
    "Decrypt the TLS (key log) to read the CredSSP versions; if the client offers version 2-4, update it with "
    "the CVE-2018-0886 CredSSP update.";

static const char *advice_neg_failure(uint32_t code)
{
    switch (code) {
    case 1:
        return "The server requires TLS or CredSSP: let the client request TLS and Network Level Authentication.";
    case 2:
        return "The server allows only Standard RDP Security: set its security layer to Negotiate or SSL (TLS) "
               "with a valid certificate.";
    case 3:
        return "The server has no valid certificate for TLS: install or renew its Remote Desktop certificate.";
    case 4:
        return "The requested protocols conflict with the server's security protocol in effect: check the "
               "client's security settings.";
    case 5:
        return "The server requires Network Level Authentication (CredSSP): use a client that supports it and "
               "enable it; this is not the CredSSP version problem.";
    case 6:
        return "The server requires TLS with a client certificate: configure one on the client.";
    default:
        return "Compare the security settings of client and server (TLS, Network Level Authentication).";
    }
}

static const char *advice_for(const cssp_conn *c, const decision *d, unsigned findings)
{
    const cssp_facts *f = &c->facts;
    switch (d->verdict) {
    case CSSP_VERDICT_VERSION_MISMATCH:
        return advice_update_server;
    case CSSP_VERDICT_REJECTED_UNPATCHED_CLIENT:
        return advice_update_client;
    case CSSP_VERDICT_AUTH_FAILED:
        return advice_credentials;
    case CSSP_VERDICT_NO_NLA:
        return advice_no_nla;
    case CSSP_VERDICT_NEGOTIATION_FAILED:
        return advice_neg_failure(f->failure_code);
    case CSSP_VERDICT_OK:
        return findings & (CSSP_FINDING_SERVER_UNPATCHED | CSSP_FINDING_CLIENT_UNPATCHED) ? advice_ok_unpatched
                                                                                         : NULL;
    case CSSP_VERDICT_INCOMPLETE:
        break;
    }
    unsigned leg = c->first_close >= 0 ? c->close_leg : c->leg;
    if (leg == LEG_SERVER_FIRST && client_patched(f) && server_unpatched(f))
        return advice_update_server;
    if (closed_at(c, CSSP_FROM_CLIENT, LEG_SERVER_FIRST) && !(f->client_version_seen && f->server_version_seen))
        return advice_decrypt_server;
    if (closed_at(c, CSSP_FROM_SERVER, LEG_CLIENT_FIRST) && !f->client_version_seen)
        return advice_decrypt_client;
    return NULL;
}

/* ---- judgement and names ------------------------------------------------ */

static unsigned findings_of(const cssp_conn *c, const decision *d)
{
    const cssp_facts *f = &c->facts;
    unsigned findings = 0;
    if (server_unpatched(f))
        findings |= CSSP_FINDING_SERVER_UNPATCHED;
    if (client_unpatched(f))
        findings |= CSSP_FINDING_CLIENT_UNPATCHED;
    if (d->verdict == CSSP_VERDICT_NO_NLA)
        findings |= CSSP_FINDING_NLA_NOT_USED;
    if (c->version_changed)
        findings |= CSSP_FINDING_VERSION_CHANGED;
    if (fields_inconsistent(c))
        findings |= CSSP_FINDING_FIELD_VERSION_INCONSISTENT;
    if (f->has_tls && f->tls_version != 0 && f->tls_version < TLS_1_2)
        findings |= CSSP_FINDING_LEGACY_TLS;
    return findings;
}

void cssp_conn_judge(const cssp_conn *c, cssp_judgement *out)
{
    if (!c || !out)
        return;
    decision d = decide(c);
    memset(out, 0, sizeof *out);
    out->verdict = d.verdict;
    out->evidence = d.evidence;
    out->findings = findings_of(c, &d);
    text t = {.buf = out->explanation, .size = sizeof out->explanation, .used = 0, .full = false};
    explain(&t, c, &d);
    out->advice = advice_for(c, &d, out->findings);
}

void cssp_tsreq_summarize(const uint8_t *buf, const cssp_tsrequest *req, cssp_tsreq_summary *out)
{
    memset(out, 0, sizeof *out);
    out->version = req->version_value;
    out->nego_token_count = req->nego_token_count;
    out->has_auth_info = req->auth_info.present;
    out->has_pub_key_auth = req->pub_key_auth.present;
    out->has_error_code = req->error_code.present;
    out->error_code = req->error_code_value;
    out->has_client_nonce = req->client_nonce.present;
    out->notes = req->notes;
    const cssp_span *token = &req->nego_tokens[0];
    if (req->nego_token_count == 0 || !token->present)
        return;
    cssp_token_info info;
    cssp_status st = cssp_token_inspect(buf + token->value_offset, token->value_length, &info);
    out->token_kind = info.kind;
    out->has_ntlm = st == CSSP_OK && info.has_ntlm;
    if (out->has_ntlm)
        out->ntlm = info.ntlm;
}

const char *cssp_verdict_name(cssp_verdict v)
{
    static const char *const names[] = {
        [CSSP_VERDICT_OK] = "ok",
        [CSSP_VERDICT_VERSION_MISMATCH] = "version_mismatch",
        [CSSP_VERDICT_REJECTED_UNPATCHED_CLIENT] = "rejected_unpatched_client",
        [CSSP_VERDICT_AUTH_FAILED] = "auth_failed",
        [CSSP_VERDICT_NO_NLA] = "no_nla",
        [CSSP_VERDICT_NEGOTIATION_FAILED] = "negotiation_failed",
        [CSSP_VERDICT_INCOMPLETE] = "incomplete",
    };
    return (unsigned)v < sizeof names / sizeof names[0] ? names[v] : NULL;
}

const char *cssp_evidence_name(cssp_evidence e)
{
    static const char *const names[] = {
        [CSSP_EVIDENCE_DECRYPTED] = "decrypted",
        [CSSP_EVIDENCE_CLEARTEXT] = "cleartext",
        [CSSP_EVIDENCE_TRAFFIC_SHAPE] = "traffic_shape",
    };
    return (unsigned)e < sizeof names / sizeof names[0] ? names[e] : NULL;
}

const char *cssp_finding_name(unsigned finding_bit)
{
    switch (finding_bit) {
    case CSSP_FINDING_SERVER_UNPATCHED:
        return "server_unpatched";
    case CSSP_FINDING_CLIENT_UNPATCHED:
        return "client_unpatched";
    case CSSP_FINDING_NLA_NOT_USED:
        return "nla_not_used";
    case CSSP_FINDING_VERSION_CHANGED:
        return "version_changed";
    case CSSP_FINDING_FIELD_VERSION_INCONSISTENT:
        return "field_version_inconsistent";
    case CSSP_FINDING_LEGACY_TLS:
        return "legacy_tls";
    }
    return NULL;
}
