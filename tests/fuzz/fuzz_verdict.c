/*
 * fuzz_verdict.c - libFuzzer harness: the verdict engine fed random event sequences.
 *
 * The input is read as a sequence of events (one byte of type and direction,
 * then the type's fields; a short input gives zeros, as the reader does), fed
 * to one cssp_conn, judging after every event. Beyond the sanitizers, the
 * checks are the engine's promises (verdict.h, docs/verdicts.md "Settling"):
 * every judgement names a known verdict, evidence and findings with a
 * NUL-terminated explanation; once CredSSP is over it stays over, the
 * connection state no longer moves and the judgement no longer changes. The
 * summaries carry NTLM messages and, with bit 0x80 of their presence byte,
 * the package and Kerberos message the SPNEGO and Kerberos readers give.
 */
#include <string.h>

#include "cssp/reader.h"
#include "cssp/verdict.h"
#include "fuzz_common.h"

#define EVENT_TYPE_COUNT (CSSP_EV_END_OF_CAPTURE + 1)
#define NAME_BYTES_MAX 24

static uint8_t u8(cssp_reader *r)
{
    uint8_t v;
    cssp_get_u8(r, &v);
    return v;
}

static uint16_t u16(cssp_reader *r)
{
    uint16_t v;
    cssp_get_le16(r, &v);
    return v;
}

static uint32_t u32(cssp_reader *r)
{
    uint32_t v;
    cssp_get_le32(r, &v);
    return v;
}

/* A short printable name, as the NTLM reader would produce. */
static void name(cssp_reader *r, char *out)
{
    size_t len = u8(r) % NAME_BYTES_MAX;
    for (size_t i = 0; i < len; i++)
        out[i] = (char)(0x20 + u8(r) % 0x5f);
    out[len] = '\0';
}

static void read_tsreq(cssp_reader *r, cssp_tsreq_summary *s)
{
    memset(s, 0, sizeof *s);
    uint8_t presence = u8(r);
    uint8_t version = u8(r);
    s->version = version < 0xf0 ? version % 8 : u32(r); /* mostly 0..7, sometimes any 32-bit value */
    s->nego_token_count = u8(r) % 4;
    s->token_kind = (cssp_token_kind)(u8(r) % (CSSP_TOKEN_KERBEROS + 1));
    s->has_ntlm = presence & 0x01;
    s->has_auth_info = presence & 0x02;
    s->has_pub_key_auth = presence & 0x04;
    s->has_error_code = presence & 0x08;
    s->has_client_nonce = presence & 0x10;
    s->error_code = s->has_error_code ? u32(r) : 0;
    s->notes = u8(r) & 0x7f;
    if (s->has_ntlm) {
        s->ntlm.type = u8(r) % 4;
        s->ntlm.flags = u32(r);
        s->ntlm.has_version = presence & 0x20;
        s->ntlm.os_major = u8(r);
        s->ntlm.os_minor = u8(r);
        s->ntlm.os_build = u16(r);
        if (presence & 0x40) {
            name(r, s->ntlm.user);
            name(r, s->ntlm.domain);
            name(r, s->ntlm.workstation);
        }
    }
    if (presence & 0x80) { /* what the SPNEGO and Kerberos readers give */
        static const uint32_t krb_types[] = {CSSP_KRB_AP_REQ, CSSP_KRB_AP_REP, CSSP_KRB_TGT_REQ, CSSP_KRB_TGT_REP,
                                             CSSP_KRB_ERROR};
        uint8_t krb = u8(r);
        s->package = (cssp_auth_package)(krb % (CSSP_PACKAGE_PKU2U + 1));
        s->offers_kerberos_first = krb & 0x08;
        s->has_krb = krb & 0x10;
        if (s->has_krb) {
            s->krb.msg_type = krb_types[u8(r) % 5];
            s->krb.has_error_code = krb & 0x20;
            s->krb.error_code = (int32_t)u32(r);
            name(r, s->krb.realm);
            name(r, s->krb.service);
        }
    }
}

/* One event from the input; false at the end of it. */
static bool read_event(cssp_reader *r, cssp_event *ev, cssp_tsreq_summary *tsreq)
{
    uint8_t head;
    if (!cssp_get_u8(r, &head))
        return false;
    memset(ev, 0, sizeof *ev);
    ev->type = (cssp_event_type)((head & 0x7f) % EVENT_TYPE_COUNT);
    ev->dir = (head & 0x80) ? CSSP_FROM_SERVER : CSSP_FROM_CLIENT;
    ev->ref = u8(r);
    switch (ev->type) {
    case CSSP_EV_NEG_REQUEST:
        ev->u.neg_request.has_neg = u8(r) & 1;
        ev->u.neg_request.requested_protocols = u32(r);
        ev->u.neg_request.flags = u8(r);
        break;
    case CSSP_EV_NEG_RESPONSE:
        ev->u.neg_response.has_neg = u8(r) & 1;
        ev->u.neg_response.selected_protocol = u32(r);
        ev->u.neg_response.flags = u8(r);
        break;
    case CSSP_EV_NEG_FAILURE: ev->u.neg_failure.failure_code = u32(r); break;
    case CSSP_EV_TLS_HANDSHAKE:
        ev->u.tls.version = u16(r);
        ev->u.tls.cipher_suite = u16(r);
        break;
    case CSSP_EV_TSREQUEST:
        read_tsreq(r, tsreq);
        ev->u.tsreq = tsreq;
        break;
    case CSSP_EV_ENCRYPTED_RECORD: ev->u.record.length = u16(r); break;
    case CSSP_EV_TLS_ALERT:
        ev->u.alert.encrypted = u8(r) & 1;
        ev->u.alert.level = u8(r);
        ev->u.alert.description = u8(r);
        break;
    case CSSP_EV_EARLY_AUTH_RESULT: ev->u.early_auth.result = u32(r); break;
    case CSSP_EV_FIN:
    case CSSP_EV_RST:
    case CSSP_EV_END_OF_CAPTURE: break;
    }
    return true;
}

static void require_judgement(const cssp_judgement *j)
{
    FUZZ_REQUIRE(j->verdict <= CSSP_VERDICT_INCOMPLETE && cssp_verdict_name(j->verdict) != NULL);
    FUZZ_REQUIRE(j->evidence <= CSSP_EVIDENCE_TRAFFIC_SHAPE && cssp_evidence_name(j->evidence) != NULL);
    FUZZ_REQUIRE(j->findings < (1u << CSSP_FINDING_COUNT));
    for (unsigned i = 0; i < CSSP_FINDING_COUNT; i++)
        if (j->findings & (1u << i))
            FUZZ_REQUIRE(cssp_finding_name(1u << i) != NULL);
    size_t len = strnlen(j->explanation, sizeof j->explanation);
    FUZZ_REQUIRE(len > 0 && len < sizeof j->explanation);
    FUZZ_REQUIRE(j->cause < CSSP_CAUSE_COUNT && (j->cause == CSSP_CAUSE_NONE) == (cssp_cause_name(j->cause) == NULL));
}

static bool same_judgement(const cssp_judgement *a, const cssp_judgement *b)
{
    return a->verdict == b->verdict && a->cause == b->cause && a->evidence == b->evidence &&
           a->findings == b->findings && strcmp(a->explanation, b->explanation) == 0 && a->advice == b->advice;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cssp_reader r;
    cssp_reader_init(&r, data, size);
    cssp_conn conn;
    cssp_conn_init(&conn);
    cssp_judgement settled;
    bool over = false;
    cssp_event ev;
    cssp_tsreq_summary tsreq;
    while (read_event(&r, &ev, &tsreq)) {
        cssp_conn before;
        memcpy(&before, &conn, sizeof conn);
        cssp_conn_feed(&conn, &ev);
        cssp_judgement j;
        cssp_conn_judge(&conn, &j);
        require_judgement(&j);
        if (over) {
            FUZZ_REQUIRE(cssp_conn_credssp_over(&conn));
            FUZZ_REQUIRE(same_judgement(&j, &settled));
            if (ev.type != CSSP_EV_END_OF_CAPTURE)
                FUZZ_REQUIRE(memcmp(&before, &conn, sizeof conn) == 0);
        } else if (cssp_conn_credssp_over(&conn)) {
            over = true;
            settled = j;
        }
    }
    cssp_event end = {.type = CSSP_EV_END_OF_CAPTURE};
    cssp_conn_feed(&conn, &end);
    FUZZ_REQUIRE(cssp_conn_credssp_over(&conn));
    cssp_judgement final;
    cssp_conn_judge(&conn, &final);
    require_judgement(&final);
    if (over)
        FUZZ_REQUIRE(same_judgement(&final, &settled));
    cssp_conn_clear(&conn);
    return 0;
}
