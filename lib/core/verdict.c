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
 * cssp_conn_judge() applies the rules in the order of docs/verdicts.md;
 * verdict_words.c words the result.
 */
#include "cssp/verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cssp/names.h"
#include "cssp/x224.h"

#include "verdict_internal.h"

/* ---- version helpers ---------------------------------------------------- */

uint32_t cssp_version_as_read(uint32_t version)
{
    return version > CSSP_MAX_DEFINED_VERSION ? CSSP_MAX_DEFINED_VERSION : version;
}

bool cssp_version_unpatched(uint32_t version)
{
    return version >= 2 && version <= 4;
}

bool cssp_version_patched(uint32_t version)
{
    return cssp_version_as_read(version) >= 5;
}

uint32_t cssp_effective_version(uint32_t client, uint32_t server)
{
    client = cssp_version_as_read(client);
    server = cssp_version_as_read(server);
    return client < server ? client : server;
}

bool cssp_facts_version_mismatch(const cssp_facts *f)
{
    return verdict_client_patched(f) && verdict_server_unpatched(f);
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
    uint32_t effective = cssp_effective_version(f->client_version, f->server_version);
    /* STATUS_NOT_SUPPORTED is how the spec has a server refuse the version itself: not an inconsistency */
    if (f->has_error_code && f->error_code != STATUS_NOT_SUPPORTED && (effective == 2 || effective == 5))
        return true;
    return effective >= 5 && c->client_pub_key_auth_without_nonce;
}

/* ---- negotiation helpers ------------------------------------------------ */

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

static const char no_name[] = "";

void cssp_conn_init(cssp_conn *c)
{
    memset(c, 0, sizeof *c);
    c->last_sender = -1;
    c->first_close = -1;
    cssp_facts *f = &c->facts;
    f->user = f->domain = f->workstation = f->kerberos_service = f->kerberos_realm = no_name;
}

/*
 * Keeps a name from the wire (NUL-terminated within `cap` bytes by its decoder) on the heap, sized to it.
 * An empty name, or one that cannot be allocated, is kept as "".
 */
static void keep_name(cssp_conn *c, const char **slot, const char *src, size_t cap)
{
    if (*slot != no_name) {
        c->name_bytes -= strlen(*slot) + 1;
        free((char *)*slot);
    }
    *slot = no_name;
    const char *end = memchr(src, '\0', cap - 1);
    size_t len = end ? (size_t)(end - src) : cap - 1;
    char *copy = len ? malloc(len + 1) : NULL;
    if (copy) {
        memcpy(copy, src, len);
        copy[len] = '\0';
        *slot = copy;
        c->name_bytes += len + 1;
    }
}

void cssp_conn_clear(cssp_conn *c)
{
    cssp_facts *f = &c->facts;
    const char **names[] = {&f->user, &f->domain, &f->workstation, &f->kerberos_service, &f->kerberos_realm};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (*names[i] && *names[i] != no_name) /* NULL: a conn zeroed but never initialised */
            free((char *)*names[i]);
        *names[i] = no_name;
    }
    c->name_bytes = 0;
}

size_t cssp_conn_heap_bytes(const cssp_conn *c)
{
    return c->name_bytes;
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
        keep_name(c, &f->user, m->user, sizeof m->user);
        keep_name(c, &f->domain, m->domain, sizeof m->domain);
        keep_name(c, &f->workstation, m->workstation, sizeof m->workstation);
    }
}

/* The package, the Kerberos service and realm, a KRB-ERROR, and an NTLM fallback after Kerberos. */
static void note_package(cssp_conn *c, const cssp_tsreq_summary *s)
{
    cssp_facts *f = &c->facts;
    if (s->offers_kerberos_first || s->package == CSSP_PACKAGE_KERBEROS)
        f->kerberos_tried = true;
    if (s->package != CSSP_PACKAGE_NONE) {
        if (s->package == CSSP_PACKAGE_NTLM && f->kerberos_tried)
            f->ntlm_fallback = true;
        f->auth_package = s->package;
    }
    if (!s->has_krb)
        return;
    /* The AP-REQ's ticket names the service for sure; the user-to-user request names it before. */
    if (s->krb.msg_type == CSSP_KRB_AP_REQ || (s->krb.msg_type == CSSP_KRB_TGT_REQ && !f->kerberos_service[0])) {
        /* a name the message does not carry keeps the one known */
        if (s->krb.service[0])
            keep_name(c, &f->kerberos_service, s->krb.service, sizeof s->krb.service);
        if (s->krb.realm[0])
            keep_name(c, &f->kerberos_realm, s->krb.realm, sizeof s->krb.realm);
    }
    if (s->krb.msg_type == CSSP_KRB_ERROR && s->krb.has_error_code && !f->has_krb_error) {
        f->has_krb_error = true;
        f->krb_error = s->krb.error_code;
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
    note_package(c, s);
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
    return f->has_tls || c->tsreq_count[0] || c->tsreq_count[1] || verdict_negotiated(f, CSSP_PROTO_HYBRID) ||
           verdict_negotiated(f, CSSP_PROTO_HYBRID_EX);
}

static void feed_record(cssp_conn *c, cssp_dir dir, size_t len)
{
    const cssp_facts *f = &c->facts;
    bool tls13 = f->has_tls && f->tls_version == TLS_VERSION_1_3;
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
    bool new_turn = count_message(c, dir);
    if (dir == CSSP_FROM_SERVER && c->turns[CSSP_FROM_SERVER] == 1) {
        c->server_first_turn_len += len;
        if (c->server_first_turn_len > CHALLENGE_MAX_RECORD)
            c->extra_round_trip = true;
    }
    if (new_turn) {
        /* Kerberos user-to-user: KERB-TGT-REQUEST/REPLY come before the AP-REQ/AP-REP round trip. */
        unsigned turn = c->extra_round_trip && c->turns[dir] > 1 ? c->turns[dir] - 1 : c->turns[dir];
        unsigned leg = leg_of_turn(dir, turn);
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
        f->has_correlation_id = ev->u.neg_request.has_correlation_id;
        memcpy(f->correlation_id, ev->u.neg_request.correlation_id, CSSP_CORRELATION_ID_LEN);
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

static void apply_early_auth(cssp_conn *c)
{
    cssp_facts *f = &c->facts;
    c->early_auth_held = false;
    if (f->has_early_auth)
        return;
    f->has_early_auth = true;
    f->early_auth_result = c->held_early_auth_result;
    raise_leg(c, LEG_SERVER_AFTER);
}

/*
 * The Early User Authorization Result ends CredSSP, so it counts once the client's credentials are in. A
 * capture written per leg by a TLS-stripping proxy (the rdps2rdp corpus) holds the server's whole exchange
 * before the client's: there the result is held until the client's TSCredentials, or the end of the capture.
 */
static void release_early_auth(cssp_conn *c)
{
    if (c->early_auth_held && c->client_sent_auth_info)
        apply_early_auth(c);
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
        /* what the server sent still counts when the client's credentials never came */
        if (c->early_auth_held && !cssp_conn_credssp_over(c))
            apply_early_auth(c);
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
        if (!cssp_conn_credssp_over(c))
            release_early_auth(c);
        break;
    case CSSP_EV_ENCRYPTED_RECORD:
        feed_record(c, dir, ev->u.record.length);
        break;
    case CSSP_EV_TLS_ALERT:
        if (alert_ends_connection(ev))
            note_close(c, dir, CSSP_EV_TLS_ALERT);
        break;
    case CSSP_EV_EARLY_AUTH_RESULT:
        c->early_auth_held = true;
        c->held_early_auth_result = ev->u.early_auth.result;
        release_early_auth(c);
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

static decision decide(const cssp_conn *c)
{
    const cssp_facts *f = &c->facts;
    bool ended = c->first_close >= 0 || c->end_of_capture;
    bool credssp_read = c->tsreq_count[0] || c->tsreq_count[1];
    bool hybrid_ex = verdict_negotiated(f, CSSP_PROTO_HYBRID_EX);

    if (f->has_failure)
        return make(RULE_NEG_FAILURE, CSSP_VERDICT_NEGOTIATION_FAILED, CSSP_EVIDENCE_CLEARTEXT, true);
    if (!credssp_read && negotiated_without_credssp(f))
        return make(RULE_NO_NLA, CSSP_VERDICT_NO_NLA, CSSP_EVIDENCE_CLEARTEXT, true);
    if (f->has_error_code) {
        if (f->error_code == STATUS_NOT_SUPPORTED && verdict_client_unpatched(f) && verdict_server_patched(f))
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
    if (verdict_closed_at(c, CSSP_FROM_CLIENT, LEG_SERVER_FIRST) && cssp_facts_version_mismatch(f))
        return make(RULE_VERSION_REFUSED, CSSP_VERDICT_VERSION_MISMATCH, content_tier(f), true);
    if (verdict_closed_at(c, CSSP_FROM_SERVER, LEG_CLIENT_FIRST) && verdict_client_unpatched(f) && !verdict_server_unpatched(f))
        return make(RULE_SERVER_REFUSED_FIRST, CSSP_VERDICT_REJECTED_UNPATCHED_CLIENT, content_tier(f), true);
    if (!credssp_read && verdict_closed_at(c, CSSP_FROM_CLIENT, LEG_SERVER_FIRST) &&
        c->server_first_turn_len > ERROR_REPLY_MAX_RECORD && c->server_first_turn_len <= CHALLENGE_MAX_RECORD)
        return make(RULE_SHAPE_VERSION_REFUSED, CSSP_VERDICT_VERSION_MISMATCH, CSSP_EVIDENCE_TRAFFIC_SHAPE, true);
    if (verdict_closed_at(c, CSSP_FROM_SERVER, LEG_CLIENT_AUTH)) {
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

bool cssp_conn_expects_early_auth(const cssp_conn *c)
{
    return c->client_sent_auth_info || c->server_sent_pub_key_auth;
}

unsigned cssp_conn_tsrequests(const cssp_conn *c)
{
    return c->tsreq_count[CSSP_FROM_CLIENT] + c->tsreq_count[CSSP_FROM_SERVER];
}

void cssp_conn_progress(const cssp_conn *c, cssp_progress *out)
{
    memset(out, 0, sizeof *out);
    for (int d = 0; d < 2; d++) {
        out->records_counted[d] = c->records[d] - c->set_aside[d];
        out->fin[d] = c->fin[d];
        out->rst[d] = c->rst[d];
        out->alert[d] = c->alert[d];
    }
    out->first_close = c->first_close;
}

bool cssp_progress_equal(const cssp_progress *a, const cssp_progress *b)
{
    for (int d = 0; d < 2; d++)
        if (a->records_counted[d] != b->records_counted[d] || a->fin[d] != b->fin[d] || a->rst[d] != b->rst[d] ||
            a->alert[d] != b->alert[d])
            return false;
    return a->first_close == b->first_close;
}

/* ---- judgement and names ------------------------------------------------ */

static unsigned findings_of(const cssp_conn *c, const decision *d)
{
    const cssp_facts *f = &c->facts;
    unsigned findings = 0;
    if (verdict_server_unpatched(f))
        findings |= CSSP_FINDING_SERVER_UNPATCHED;
    if (verdict_client_unpatched(f))
        findings |= CSSP_FINDING_CLIENT_UNPATCHED;
    if (d->verdict == CSSP_VERDICT_NO_NLA)
        findings |= CSSP_FINDING_NLA_NOT_USED;
    if (c->version_changed)
        findings |= CSSP_FINDING_VERSION_CHANGED;
    if (fields_inconsistent(c))
        findings |= CSSP_FINDING_FIELD_VERSION_INCONSISTENT;
    if (f->has_tls && f->tls_version != 0 && f->tls_version < TLS_VERSION_1_2)
        findings |= CSSP_FINDING_LEGACY_TLS;
    return findings;
}

/* The cause of an errorCode (NTSTATUS, SEC_E_*) or of a KRB-ERROR code, when it names one. */
static cssp_cause cause_of_code(uint32_t code)
{
    switch (code) {
    case 0xC000006Eu:                                         /* STATUS_ACCOUNT_RESTRICTION */
    case 0xC000006Fu:                                         /* STATUS_INVALID_LOGON_HOURS */
    case 0xC0000070u:                                         /* STATUS_INVALID_WORKSTATION */
    case 0xC000015Bu: return CSSP_CAUSE_ACCOUNT_RESTRICTION; /* STATUS_LOGON_TYPE_NOT_GRANTED */
    case 0xC000006Du:                                         /* STATUS_LOGON_FAILURE */
    case 0xC000006Au:                                         /* STATUS_WRONG_PASSWORD */
    case 0xC0000064u:                                         /* STATUS_NO_SUCH_USER */
    case 0x8009030Cu: return CSSP_CAUSE_LOGON_FAILURE;       /* SEC_E_LOGON_DENIED */
    case 0xC0000071u:                                         /* STATUS_PASSWORD_EXPIRED */
    case 0xC0000224u: return CSSP_CAUSE_PASSWORD_EXPIRED;    /* STATUS_PASSWORD_MUST_CHANGE */
    case 0xC0000234u: return CSSP_CAUSE_ACCOUNT_LOCKED_OUT;  /* STATUS_ACCOUNT_LOCKED_OUT */
    case 0xC0000072u:                                         /* STATUS_ACCOUNT_DISABLED */
    case 0xC0000193u: return CSSP_CAUSE_ACCOUNT_DISABLED;    /* STATUS_ACCOUNT_EXPIRED */
    }
    return CSSP_CAUSE_NONE;
}

static cssp_cause cause_of_krb_error(int32_t code)
{
    switch (code) {
    case 24: return CSSP_CAUSE_LOGON_FAILURE;     /* KDC_ERR_PREAUTH_FAILED */
    case 23: return CSSP_CAUSE_PASSWORD_EXPIRED;  /* KDC_ERR_KEY_EXPIRED */
    case 18: return CSSP_CAUSE_ACCOUNT_DISABLED;  /* KDC_ERR_CLIENT_REVOKED */
    }
    return CSSP_CAUSE_NONE;
}

/* The cause of a decision, when the capture tells it (docs/verdicts.md, "Causes"). */
static cssp_cause verdict_cause(const cssp_conn *c, const decision *d)
{
    const cssp_facts *f = &c->facts;
    switch (d->verdict) {
    case CSSP_VERDICT_VERSION_MISMATCH:
        return CSSP_CAUSE_SERVER_UNPATCHED;
    case CSSP_VERDICT_REJECTED_UNPATCHED_CLIENT:
        return CSSP_CAUSE_CLIENT_UNPATCHED;
    case CSSP_VERDICT_NEGOTIATION_FAILED:
        if (f->failure_code == 5)
            return CSSP_CAUSE_HYBRID_REQUIRED;
        return f->failure_code == 2 ? CSSP_CAUSE_SSL_NOT_ALLOWED : CSSP_CAUSE_NONE;
    case CSSP_VERDICT_AUTH_FAILED:
        break;
    default:
        return CSSP_CAUSE_NONE;
    }
    if (d->rule != RULE_ERROR_CODE)
        return f->has_krb_error ? cause_of_krb_error(f->krb_error) : CSSP_CAUSE_NONE;
    if (f->error_code == SEC_E_UNSUPPORTED_FUNCTION && verdict_versions_compatible(f))
        return f->auth_package == CSSP_PACKAGE_NTLM ? CSSP_CAUSE_NTLM_REFUSED : CSSP_CAUSE_UNSUPPORTED_FUNCTION;
    cssp_cause cause = cause_of_code(f->error_code);
    if (cause == CSSP_CAUSE_NONE && f->has_krb_error)
        cause = cause_of_krb_error(f->krb_error);
    return cause;
}

void cssp_conn_judge(const cssp_conn *c, cssp_judgement *out)
{
    cssp_conn_judge_in(c, NULL, out);
}

void cssp_conn_judge_in(const cssp_conn *c, cssp_translate tr, cssp_judgement *out)
{
    if (!c || !out)
        return;
    decision d = decide(c);
    memset(out, 0, sizeof *out);
    out->verdict = d.verdict;
    out->cause = verdict_cause(c, &d);
    out->evidence = d.evidence;
    out->findings = findings_of(c, &d);
    verdict_explain(c, &d, tr, out->explanation, sizeof out->explanation);
    out->advice = verdict_advice_for(c, &d, out->cause, out->findings);
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
    out->package = info.package;
    out->offers_kerberos_first = info.has_spnego && info.spnego.init && info.spnego.mech_count > 0 &&
                                 info.spnego.mechs[0] == CSSP_PACKAGE_KERBEROS;
    /* what was read before a problem still names the package, the service and the realm */
    out->has_krb = info.has_krb && info.krb.msg_type != 0;
    if (out->has_krb)
        out->krb = info.krb;
}

bool cssp_x224_event(const cssp_x224 *pdu, cssp_dir dir, uint64_t ref, cssp_event *out)
{
    memset(out, 0, sizeof *out);
    out->dir = dir;
    out->ref = ref;
    if (pdu->kind == CSSP_X224_CONNECTION_REQUEST) {
        out->type = CSSP_EV_NEG_REQUEST;
        out->u.neg_request.has_neg = pdu->has_neg && pdu->neg_type == CSSP_NEG_TYPE_REQ;
        out->u.neg_request.requested_protocols = out->u.neg_request.has_neg ? pdu->neg_value : 0;
        out->u.neg_request.flags = pdu->neg_flags;
        out->u.neg_request.has_correlation_id = pdu->has_correlation_info;
        memcpy(out->u.neg_request.correlation_id, pdu->correlation_id, CSSP_CORRELATION_ID_LEN);
    } else if (pdu->kind != CSSP_X224_CONNECTION_CONFIRM) {
        return false;
    } else if (pdu->has_neg && pdu->neg_type == CSSP_NEG_TYPE_FAILURE) {
        out->type = CSSP_EV_NEG_FAILURE;
        out->u.neg_failure.failure_code = pdu->neg_value;
    } else {
        out->type = CSSP_EV_NEG_RESPONSE;
        out->u.neg_response.has_neg = pdu->has_neg && pdu->neg_type == CSSP_NEG_TYPE_RSP;
        out->u.neg_response.selected_protocol = out->u.neg_response.has_neg ? pdu->neg_value : CSSP_PROTO_RDP;
        out->u.neg_response.flags = pdu->neg_flags;
    }
    return true;
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
        [CSSP_VERDICT_GATEWAY_REFUSED] = "gateway_refused",
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

const char *cssp_cause_name(cssp_cause cause)
{
    static const char *const names[] = {
        [CSSP_CAUSE_NONE] = NULL,
        [CSSP_CAUSE_SERVER_UNPATCHED] = "cve_2018_0886_server_unpatched",
        [CSSP_CAUSE_CLIENT_UNPATCHED] = "cve_2018_0886_client_unpatched",
        [CSSP_CAUSE_NTLM_REFUSED] = "ntlm_refused",
        [CSSP_CAUSE_UNSUPPORTED_FUNCTION] = "unsupported_function",
        [CSSP_CAUSE_ACCOUNT_RESTRICTION] = "account_restriction",
        [CSSP_CAUSE_LOGON_FAILURE] = "logon_failure",
        [CSSP_CAUSE_PASSWORD_EXPIRED] = "password_expired",
        [CSSP_CAUSE_ACCOUNT_LOCKED_OUT] = "account_locked_out",
        [CSSP_CAUSE_ACCOUNT_DISABLED] = "account_disabled",
        [CSSP_CAUSE_HYBRID_REQUIRED] = "hybrid_required",
        [CSSP_CAUSE_SSL_NOT_ALLOWED] = "ssl_not_allowed",
    };
    return (unsigned)cause < sizeof names / sizeof names[0] ? names[cause] : NULL;
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
