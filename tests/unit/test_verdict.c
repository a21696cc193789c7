/*
 * test_verdict.c - unit tests of the verdict engine (lib/core/verdict.c).
 *
 * Most tests feed hand-built event sequences: every verdict, evidence and
 * finding, the compatibility matrix of the administrator's article (1 to 4),
 * the record sequences of the public captures in /work/shared/corpus (lengths
 * copied from tshark, see docs/verdicts.md), odd and hostile orders. The last
 * tests decode real TSRequests (vectors_tsrequest.h) and feed their summaries.
 */
#include "cssp/verdict.h"

#include <stdlib.h>

#include "check.h"
#include "cssp/facts_text.h"
#include "cssp/tsrequest.h"
#include "cssp/x224.h"
#include "vectors_tsrequest.h"

#define C CSSP_FROM_CLIENT
#define S CSSP_FROM_SERVER

enum {
    STATUS_LOGON_FAILURE = 0xC000006D,
    STATUS_NOT_SUPPORTED = 0xC00000BB,
    SUITE_ECDHE_RSA_AES256_GCM_SHA384 = 0xC030,
    SUITE_RSA_RC4_128_SHA = 0x0005,
    SUITE_TLS13_AES_256_GCM_SHA384 = 0x1302,
    SUITE_TLS13_AES_128_GCM_SHA256 = 0x1301,
};

/* ---- event helpers ---------------------------------------------------------- */

/* A conn ready for a new exchange: the names the engine kept from the last one are freed (conns are static). */
static void reset(cssp_conn *c)
{
    cssp_conn_clear(c);
    cssp_conn_init(c);
}

static void feed(cssp_conn *c, cssp_event ev)
{
    cssp_conn_feed(c, &ev);
}

static void neg_request(cssp_conn *c, uint32_t protocols)
{
    feed(c, (cssp_event){.type = CSSP_EV_NEG_REQUEST, .dir = C,
                         .u.neg_request = {.has_neg = true, .requested_protocols = protocols}});
}

static void neg_response(cssp_conn *c, uint32_t selected)
{
    feed(c, (cssp_event){.type = CSSP_EV_NEG_RESPONSE, .dir = S,
                         .u.neg_response = {.has_neg = true, .selected_protocol = selected}});
}

static void tls(cssp_conn *c, uint16_t version, uint16_t suite)
{
    feed(c, (cssp_event){.type = CSSP_EV_TLS_HANDSHAKE, .dir = S, .u.tls = {version, suite}});
}

static void start(cssp_conn *c, uint32_t selected, uint16_t tls_version)
{
    reset(c);
    neg_request(c, CSSP_PROTO_SSL | CSSP_PROTO_HYBRID | CSSP_PROTO_HYBRID_EX);
    neg_response(c, selected);
    tls(c, tls_version, tls_version == 0x0304 ? SUITE_TLS13_AES_256_GCM_SHA384 : SUITE_ECDHE_RSA_AES256_GCM_SHA384);
}

static void tsreq(cssp_conn *c, cssp_dir dir, const cssp_tsreq_summary *s)
{
    feed(c, (cssp_event){.type = CSSP_EV_TSREQUEST, .dir = dir, .ref = 7, .u.tsreq = s});
}

static void record(cssp_conn *c, cssp_dir dir, size_t len)
{
    feed(c, (cssp_event){.type = CSSP_EV_ENCRYPTED_RECORD, .dir = dir, .u.record = {len}});
}

/* Lengths alternate client, server, client, ... starting with `first`. */
static void records(cssp_conn *c, cssp_dir first, const size_t *lens, size_t n)
{
    for (size_t i = 0; i < n; i++)
        record(c, (i % 2 == 0) ? first : (cssp_dir)!first, lens[i]);
}

static void alert(cssp_conn *c, cssp_dir dir)
{
    feed(c, (cssp_event){.type = CSSP_EV_TLS_ALERT, .dir = dir, .u.alert = {.encrypted = true}});
}

static void early_auth(cssp_conn *c, uint32_t result)
{
    feed(c, (cssp_event){.type = CSSP_EV_EARLY_AUTH_RESULT, .dir = S, .u.early_auth = {result}});
}

static void fin(cssp_conn *c, cssp_dir dir)
{
    feed(c, (cssp_event){.type = CSSP_EV_FIN, .dir = dir});
}

static void rst(cssp_conn *c, cssp_dir dir)
{
    feed(c, (cssp_event){.type = CSSP_EV_RST, .dir = dir});
}

static void end(cssp_conn *c)
{
    feed(c, (cssp_event){.type = CSSP_EV_END_OF_CAPTURE});
}

/* ---- TSRequest summaries ---------------------------------------------------- */

static cssp_tsreq_summary ntlm_msg(uint32_t version, uint32_t ntlm_type)
{
    cssp_tsreq_summary s = {.version = version, .nego_token_count = 1, .token_kind = CSSP_TOKEN_SPNEGO_INIT,
                            .has_ntlm = true, .package = CSSP_PACKAGE_NTLM};
    s.ntlm.type = ntlm_type;
    return s;
}

static cssp_tsreq_summary negotiate(uint32_t version)
{
    cssp_tsreq_summary s = ntlm_msg(version, CSSP_NTLM_NEGOTIATE);
    s.ntlm.has_version = true;
    s.ntlm.os_major = 10;
    s.ntlm.os_build = 19041;
    return s;
}

static cssp_tsreq_summary challenge(uint32_t version)
{
    cssp_tsreq_summary s = ntlm_msg(version, CSSP_NTLM_CHALLENGE);
    s.token_kind = CSSP_TOKEN_SPNEGO_RESP;
    s.ntlm.has_version = true;
    s.ntlm.os_major = 6;
    s.ntlm.os_minor = 3;
    s.ntlm.os_build = 9600;
    return s;
}

static cssp_tsreq_summary authenticate(uint32_t version, bool nonce)
{
    cssp_tsreq_summary s = ntlm_msg(version, CSSP_NTLM_AUTHENTICATE);
    s.token_kind = CSSP_TOKEN_SPNEGO_RESP;
    s.has_pub_key_auth = true;
    s.has_client_nonce = nonce;
    snprintf(s.ntlm.user, sizeof s.ntlm.user, "alice");
    snprintf(s.ntlm.domain, sizeof s.ntlm.domain, "LAB");
    snprintf(s.ntlm.workstation, sizeof s.ntlm.workstation, "WS1");
    return s;
}

static cssp_tsreq_summary pub_key_auth(uint32_t version)
{
    return (cssp_tsreq_summary){.version = version, .has_pub_key_auth = true};
}

static cssp_tsreq_summary credentials(uint32_t version)
{
    return (cssp_tsreq_summary){.version = version, .has_auth_info = true};
}

static cssp_tsreq_summary error_reply(uint32_t version, uint32_t code)
{
    return (cssp_tsreq_summary){.version = version, .has_error_code = true, .error_code = code};
}

/* The decrypted legs 1..4 and, when `complete`, leg 5; the nonce as a client of `client_v` facing `server_v` sends it. */
static void exchange(cssp_conn *c, uint32_t client_v, uint32_t server_v, bool complete)
{
    uint32_t effective = client_v < server_v ? client_v : server_v;
    cssp_tsreq_summary s;
    s = negotiate(client_v), tsreq(c, C, &s);
    s = challenge(server_v), tsreq(c, S, &s);
    s = authenticate(client_v, effective >= 5), tsreq(c, C, &s);
    s = pub_key_auth(server_v), tsreq(c, S, &s);
    if (complete)
        s = credentials(client_v), tsreq(c, C, &s);
}

/* ---- judgement checks ----------------------------------------------------- */

/* Checks the three words, the findings, and that the explanation is one whole sentence. */
static cssp_judgement expect_at(const cssp_conn *c, cssp_verdict v, cssp_evidence e, unsigned findings, int line)
{
    cssp_judgement j;
    cssp_conn_judge(c, &j);
    size_t len = strlen(j.explanation);
    if (j.verdict != v || j.evidence != e || j.findings != findings)
        fprintf(stderr, "  (from line %d: \"%s\")\n", line, j.explanation);
    CHECK_EQ_STR(cssp_verdict_name(j.verdict), cssp_verdict_name(v));
    CHECK_EQ_STR(cssp_evidence_name(j.evidence), cssp_evidence_name(e));
    CHECK_EQ_U(j.findings, findings);
    CHECK(len > 20 && len < sizeof j.explanation - 1);
    CHECK(len > 0 && j.explanation[len - 1] == '.');
    CHECK(j.explanation[0] >= 'A' && j.explanation[0] <= 'Z');
    return j;
}
#define EXPECT(c, v, e, f) expect_at((c), (v), (e), (f), __LINE__)

/* A catalogue whose version-change clause is too long to fit and whose period is the Japanese one. */
static const char *long_words(const char *english)
{
    if (strcmp(english, ".") == 0)
        return "\u3002";
    if (strstr(english, "changed its version"))
        return "; the %s changed its version from %u to %u, which peers treat as fatal, as this long catalogue "
               "explains at a length that no explanation has room for: ..............................................."
               "....................................................................................................."
               "............................................................................................";
    return english;
}

static bool has(const char *text, const char *part)
{
    return text && strstr(text, part) != NULL;
}

/* ---- vocabulary ------------------------------------------------------------- */

static void test_names(void)
{
    CHECK_EQ_STR(cssp_verdict_name(CSSP_VERDICT_OK), "ok");
    CHECK_EQ_STR(cssp_verdict_name(CSSP_VERDICT_VERSION_MISMATCH), "version_mismatch");
    CHECK_EQ_STR(cssp_verdict_name(CSSP_VERDICT_REJECTED_UNPATCHED_CLIENT), "rejected_unpatched_client");
    CHECK_EQ_STR(cssp_verdict_name(CSSP_VERDICT_AUTH_FAILED), "auth_failed");
    CHECK_EQ_STR(cssp_verdict_name(CSSP_VERDICT_NO_NLA), "no_nla");
    CHECK_EQ_STR(cssp_verdict_name(CSSP_VERDICT_NEGOTIATION_FAILED), "negotiation_failed");
    CHECK_EQ_STR(cssp_verdict_name(CSSP_VERDICT_INCOMPLETE), "incomplete");
    CHECK(cssp_verdict_name((cssp_verdict)99) == NULL);
    CHECK_EQ_STR(cssp_evidence_name(CSSP_EVIDENCE_DECRYPTED), "decrypted");
    CHECK_EQ_STR(cssp_evidence_name(CSSP_EVIDENCE_CLEARTEXT), "cleartext");
    CHECK_EQ_STR(cssp_evidence_name(CSSP_EVIDENCE_TRAFFIC_SHAPE), "traffic_shape");
    CHECK(cssp_evidence_name((cssp_evidence)3) == NULL);
    CHECK_EQ_STR(cssp_finding_name(CSSP_FINDING_SERVER_UNPATCHED), "server_unpatched");
    CHECK_EQ_STR(cssp_finding_name(CSSP_FINDING_CLIENT_UNPATCHED), "client_unpatched");
    CHECK_EQ_STR(cssp_finding_name(CSSP_FINDING_NLA_NOT_USED), "nla_not_used");
    CHECK_EQ_STR(cssp_finding_name(CSSP_FINDING_VERSION_CHANGED), "version_changed");
    CHECK_EQ_STR(cssp_finding_name(CSSP_FINDING_FIELD_VERSION_INCONSISTENT), "field_version_inconsistent");
    CHECK_EQ_STR(cssp_finding_name(CSSP_FINDING_LEGACY_TLS), "legacy_tls");
    CHECK(cssp_finding_name(1u << CSSP_FINDING_COUNT) == NULL);
    CHECK(cssp_finding_name(CSSP_FINDING_SERVER_UNPATCHED | CSSP_FINDING_CLIENT_UNPATCHED) == NULL);
    CHECK(cssp_finding_name(0) == NULL);
}

/* ---- the article's compatibility matrix ------------------------------------- */

/* (1) unpatched client, unpatched server: works (both exposed). */
static void test_matrix_1_unpatched_unpatched(void)
{
    static cssp_conn c; /* static: reset() frees the names it kept in the test before */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    exchange(&c, 3, 3, true);
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_OK, CSSP_EVIDENCE_DECRYPTED,
                              CSSP_FINDING_CLIENT_UNPATCHED | CSSP_FINDING_SERVER_UNPATCHED);
    CHECK(has(j.explanation, "v3"));
    CHECK(has(j.advice, "CVE-2018-0886"));
    CHECK(cssp_conn_credssp_over(&c)); /* HYBRID: nothing follows the credentials */
}

/* (2) unpatched client, patched server on Mitigated (or Vulnerable): works. */
static void test_matrix_2_mitigated(void)
{
    static cssp_conn c;
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0303);
    exchange(&c, 4, 6, true);
    early_auth(&c, CSSP_AUTHZ_SUCCESS);
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_OK, CSSP_EVIDENCE_DECRYPTED, CSSP_FINDING_CLIENT_UNPATCHED);
    CHECK(has(j.explanation, "Mitigated or Vulnerable"));
    CHECK(has(j.explanation, "AUTHZ_SUCCESS"));
}

/* (2) unpatched client, patched server on Force Updated Clients: refused, by errorCode or by a close. */
static void test_matrix_2_force(void)
{
    static cssp_conn c;
    cssp_tsreq_summary s;
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    s = negotiate(3), tsreq(&c, C, &s);
    s = error_reply(6, STATUS_NOT_SUPPORTED), tsreq(&c, S, &s);
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_REJECTED_UNPATCHED_CLIENT, CSSP_EVIDENCE_DECRYPTED,
                              CSSP_FINDING_CLIENT_UNPATCHED);
    CHECK(has(j.explanation, "STATUS_NOT_SUPPORTED"));
    CHECK(has(j.explanation, "Force Updated Clients"));
    CHECK(has(j.advice, "Update the client"));
    CHECK(has(j.advice, "Mitigated"));
    CHECK(cssp_conn_credssp_over(&c));

    /* A v2 client refused the same way: the errorCode is the refusal itself, not a field out of its version. */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    s = negotiate(2), tsreq(&c, C, &s);
    s = error_reply(6, STATUS_NOT_SUPPORTED), tsreq(&c, S, &s);
    EXPECT(&c, CSSP_VERDICT_REJECTED_UNPATCHED_CLIENT, CSSP_EVIDENCE_DECRYPTED, CSSP_FINDING_CLIENT_UNPATCHED);

    /* The same refusal as a TLS alert and a reset right after the client's first TSRequest. */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    s = negotiate(2), tsreq(&c, C, &s);
    CHECK(!cssp_conn_credssp_over(&c));
    alert(&c, S);
    rst(&c, S);
    j = EXPECT(&c, CSSP_VERDICT_REJECTED_UNPATCHED_CLIENT, CSSP_EVIDENCE_DECRYPTED, CSSP_FINDING_CLIENT_UNPATCHED);
    CHECK(has(j.explanation, "sent a TLS alert"));
    CHECK(has(j.explanation, "v2"));
    CHECK(cssp_conn_credssp_over(&c));
}

/* (3) patched client, unpatched server: the client refuses ("function requested is not supported"). */
static void test_matrix_3_version_mismatch(void)
{
    static cssp_conn c;
    cssp_tsreq_summary s;
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0303);
    s = negotiate(6), tsreq(&c, C, &s);
    s = challenge(3), tsreq(&c, S, &s);
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_DECRYPTED, CSSP_FINDING_SERVER_UNPATCHED);
    CHECK(!cssp_conn_credssp_over(&c));
    CHECK(j.advice == NULL || has(j.advice, "Update the server")); /* already predictable */
    alert(&c, C);
    fin(&c, C);
    rst(&c, S);
    j = EXPECT(&c, CSSP_VERDICT_VERSION_MISMATCH, CSSP_EVIDENCE_DECRYPTED, CSSP_FINDING_SERVER_UNPATCHED);
    CHECK_EQ_STR(j.explanation, "The client offered CredSSP v6 and the server v3; the client refused the server's "
                                "version and sent a TLS alert without sending its credentials ('The function "
                                "requested is not supported', LsaSrv event 6041 on the client).");
    /* The article's three remedies, in order, each with its cost. */
    const char *update = strstr(j.advice, "Update the server");
    const char *vulnerable = strstr(j.advice, "Vulnerable");
    const char *nla = strstr(j.advice, "Network Level Authentication");
    CHECK(update && vulnerable && nla && update < vulnerable && vulnerable < nla);
    CHECK(has(j.advice, "not recommended"));
    CHECK(has(j.advice, "ports"));
    CHECK(cssp_conn_credssp_over(&c));
    CHECK_EQ_U(c.facts.server_version, 3);
    CHECK_EQ_U(c.facts.client_version, 6);

    /* A patched client whose policy is Vulnerable falls back and the connection works. */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    exchange(&c, 6, 3, true);
    j = EXPECT(&c, CSSP_VERDICT_OK, CSSP_EVIDENCE_DECRYPTED, CSSP_FINDING_SERVER_UNPATCHED);
    CHECK(has(j.explanation, "Vulnerable"));
}

/* (4) patched client, patched server: works, nothing to advise. */
static void test_matrix_4_patched_patched(void)
{
    static cssp_conn c;
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0303);
    exchange(&c, 6, 6, true);
    CHECK(!cssp_conn_credssp_over(&c)); /* HYBRID_EX: the Early User Authorization Result is still to come */
    EXPECT(&c, CSSP_VERDICT_OK, CSSP_EVIDENCE_DECRYPTED, 0);
    early_auth(&c, CSSP_AUTHZ_SUCCESS);
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_OK, CSSP_EVIDENCE_DECRYPTED, 0);
    CHECK(j.advice == NULL);
    CHECK(cssp_conn_credssp_over(&c));
    CHECK_EQ_STR(c.facts.user, "alice");
    CHECK_EQ_STR(c.facts.domain, "LAB");
    CHECK_EQ_STR(c.facts.workstation, "WS1");
    CHECK(c.facts.has_client_os && c.facts.client_os_major == 10 && c.facts.client_os_build == 19041);
    CHECK(c.facts.has_server_os && c.facts.server_os_major == 6 && c.facts.server_os_build == 9600);
    CHECK_EQ_U(c.facts.client_version_ref, 7);
}

/* ---- auth_failed ------------------------------------------------------------ */

static void test_auth_failed_error_code(void)
{
    static cssp_conn c;
    cssp_tsreq_summary s;
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0304);
    s = negotiate(6), tsreq(&c, C, &s);
    s = challenge(6), tsreq(&c, S, &s);
    s = authenticate(6, true), tsreq(&c, C, &s);
    s = error_reply(6, STATUS_LOGON_FAILURE), tsreq(&c, S, &s);
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_DECRYPTED, 0);
    CHECK(has(j.explanation, "STATUS_LOGON_FAILURE"));
    CHECK(has(j.explanation, "bad password"));
    CHECK(has(j.advice, "password"));
    CHECK(cssp_conn_credssp_over(&c));
    CHECK_EQ_U(c.facts.error_code, STATUS_LOGON_FAILURE);

    /* An unknown code is kept in hex; STATUS_NOT_SUPPORTED between two patched peers is just a refusal. */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    s = negotiate(6), tsreq(&c, C, &s);
    s = error_reply(6, 0xC0001234), tsreq(&c, S, &s);
    j = EXPECT(&c, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_DECRYPTED, 0);
    CHECK(has(j.explanation, "0xC0001234"));
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    s = negotiate(6), tsreq(&c, C, &s);
    s = error_reply(6, STATUS_NOT_SUPPORTED), tsreq(&c, S, &s);
    EXPECT(&c, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_DECRYPTED, 0);
}

static void test_auth_failed_server_alert_after_authenticate(void)
{
    static cssp_conn c;
    cssp_tsreq_summary s;
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    s = negotiate(6), tsreq(&c, C, &s);
    s = challenge(6), tsreq(&c, S, &s);
    s = authenticate(6, true), tsreq(&c, C, &s);
    alert(&c, S);
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_DECRYPTED, 0);
    CHECK(has(j.explanation, "AUTHENTICATE"));

    /* An unpatched client meeting a patched server: the explanation names the other possible cause. */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    s = negotiate(4), tsreq(&c, C, &s);
    s = challenge(6), tsreq(&c, S, &s);
    s = authenticate(4, false), tsreq(&c, C, &s);
    fin(&c, S);
    j = EXPECT(&c, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_DECRYPTED, CSSP_FINDING_CLIENT_UNPATCHED);
    CHECK(has(j.explanation, "Force Updated Clients"));
}

static void test_auth_failed_authz_denied(void)
{
    static cssp_conn c;
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0303);
    exchange(&c, 6, 6, true);
    early_auth(&c, CSSP_AUTHZ_ACCESS_DENIED);
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_DECRYPTED, 0);
    CHECK(has(j.explanation, "AUTHZ_ACCESS_DENIED"));
    CHECK(cssp_conn_credssp_over(&c));

    start(&c, CSSP_PROTO_HYBRID_EX, 0x0303);
    exchange(&c, 6, 6, true);
    early_auth(&c, 7);
    j = EXPECT(&c, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_DECRYPTED, 0);
    CHECK(has(j.explanation, "0x00000007"));
}

/*
 * The result comes after the client's credentials ([MS-RDPBCGR] 5.4.2.3); a capture written per leg holds the
 * server's side first. The engine holds it until the credentials, or until the end of the capture.
 */
static void test_early_auth_held(void)
{
    static cssp_conn c;
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0303);
    exchange(&c, 6, 6, false);
    CHECK(cssp_conn_expects_early_auth(&c));
    early_auth(&c, CSSP_AUTHZ_ACCESS_DENIED);
    CHECK(!c.facts.has_early_auth);
    CHECK(!cssp_conn_credssp_over(&c));
    cssp_tsreq_summary s = credentials(6);
    tsreq(&c, C, &s);
    CHECK(c.facts.has_early_auth);
    EXPECT(&c, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_DECRYPTED, 0);
    CHECK_EQ_U(cssp_conn_tsrequests(&c), 5);

    /* the credentials never came: the result the server sent still counts */
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0303);
    exchange(&c, 6, 6, false);
    early_auth(&c, CSSP_AUTHZ_ACCESS_DENIED);
    feed(&c, (cssp_event){.type = CSSP_EV_END_OF_CAPTURE});
    CHECK(c.facts.has_early_auth);
    EXPECT(&c, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_DECRYPTED, 0);
}

/* ---- no_nla and negotiation_failed ------------------------------------------ */

static void test_no_nla(void)
{
    static const uint32_t without_credssp[] = {CSSP_PROTO_SSL, CSSP_PROTO_RDP, CSSP_PROTO_RDSTLS, CSSP_PROTO_RDSAAD};
    static cssp_conn c;
    for (size_t i = 0; i < sizeof without_credssp / sizeof without_credssp[0]; i++) {
        reset(&c);
        neg_request(&c, CSSP_PROTO_SSL | CSSP_PROTO_HYBRID);
        neg_response(&c, without_credssp[i]);
        cssp_judgement j = EXPECT(&c, CSSP_VERDICT_NO_NLA, CSSP_EVIDENCE_CLEARTEXT, CSSP_FINDING_NLA_NOT_USED);
        CHECK(has(j.explanation, "SSL|HYBRID"));
        CHECK(has(j.advice, "authenticated"));
        CHECK(cssp_conn_credssp_over(&c));
    }
    /* Legacy Connection Confirm without RDP_NEG_RSP, legacy request without RDP_NEG_REQ. */
    reset(&c);
    feed(&c, (cssp_event){.type = CSSP_EV_NEG_REQUEST, .dir = C, .u.neg_request = {.has_neg = false}});
    feed(&c, (cssp_event){.type = CSSP_EV_NEG_RESPONSE, .dir = S, .u.neg_response = {.has_neg = false}});
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_NO_NLA, CSSP_EVIDENCE_CLEARTEXT, CSSP_FINDING_NLA_NOT_USED);
    CHECK(has(j.explanation, "legacy"));
    /* TLS traffic after SSL was selected stays no_nla: it is RDP, not CredSSP. */
    reset(&c);
    neg_response(&c, CSSP_PROTO_SSL);
    tls(&c, 0x0301, SUITE_RSA_RC4_128_SHA);
    record(&c, C, 300);
    record(&c, S, 300);
    fin(&c, C);
    EXPECT(&c, CSSP_VERDICT_NO_NLA, CSSP_EVIDENCE_CLEARTEXT, CSSP_FINDING_NLA_NOT_USED);
    /* An undefined selectedProtocol proves nothing. */
    reset(&c);
    neg_response(&c, 0x20);
    EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_CLEARTEXT, 0);
}

static void test_negotiation_failed(void)
{
    static cssp_conn c;
    reset(&c);
    neg_request(&c, CSSP_PROTO_SSL);
    feed(&c, (cssp_event){.type = CSSP_EV_NEG_FAILURE, .dir = S, .u.neg_failure = {5}});
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_NEGOTIATION_FAILED, CSSP_EVIDENCE_CLEARTEXT, 0);
    CHECK(has(j.explanation, "HYBRID_REQUIRED_BY_SERVER"));
    CHECK(has(j.explanation, "requested SSL"));
    CHECK(has(j.advice, "Network Level Authentication"));
    CHECK(cssp_conn_credssp_over(&c));
    /* A later response does not undo it. */
    neg_response(&c, CSSP_PROTO_HYBRID);
    EXPECT(&c, CSSP_VERDICT_NEGOTIATION_FAILED, CSSP_EVIDENCE_CLEARTEXT, 0);

    for (uint32_t code = 1; code <= 7; code++) {
        reset(&c);
        feed(&c, (cssp_event){.type = CSSP_EV_NEG_FAILURE, .dir = S, .u.neg_failure = {code}});
        j = EXPECT(&c, CSSP_VERDICT_NEGOTIATION_FAILED, CSSP_EVIDENCE_CLEARTEXT, 0);
        CHECK(j.advice != NULL);
    }
    CHECK(has(j.explanation, "unknown (7)"));
}

/* ---- evidence tiers ----------------------------------------------------------- */

/* CredSSP in clear (a TLS-stripping proxy, as in the rdps2rdp captures): no TLS handshake. */
static void test_cleartext_credssp(void)
{
    static cssp_conn c;
    reset(&c);
    neg_request(&c, CSSP_PROTO_SSL | CSSP_PROTO_HYBRID | CSSP_PROTO_HYBRID_EX);
    neg_response(&c, CSSP_PROTO_HYBRID_EX);
    exchange(&c, 6, 6, true);
    early_auth(&c, CSSP_AUTHZ_SUCCESS);
    EXPECT(&c, CSSP_VERDICT_OK, CSSP_EVIDENCE_CLEARTEXT, 0);

    reset(&c);
    cssp_tsreq_summary s = negotiate(6);
    tsreq(&c, C, &s);
    s = challenge(2), tsreq(&c, S, &s);
    rst(&c, C);
    EXPECT(&c, CSSP_VERDICT_VERSION_MISMATCH, CSSP_EVIDENCE_CLEARTEXT, CSSP_FINDING_SERVER_UNPATCHED);
}

/* nDPI/rdp.pcap: HYBRID_EX over TLS 1.2 GCM, c81 s286 c567 s83 c100 s28, no close. */
static void test_shape_ndpi_rdp_complete(void)
{
    static const size_t lens[] = {81, 286, 567, 83, 100, 28};
    static cssp_conn c;
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0303);
    records(&c, C, lens, 6);
    CHECK(!cssp_conn_credssp_over(&c)); /* the Early User Authorization Result may still be a refusal */
    EXPECT(&c, CSSP_VERDICT_OK, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
    end(&c);
    EXPECT(&c, CSSP_VERDICT_OK, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
    CHECK(cssp_conn_credssp_over(&c));
    CHECK_EQ_U(c.leg, 6);
}

/* PCAP-ATTACK/LM_rdp_sharprdp.pcapng: the same, then RDP data from the client settles it. */
static void test_shape_sharprdp_complete(void)
{
    static const size_t lens[] = {81, 245, 609, 83, 108, 28, 486, 150};
    static cssp_conn c;
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0303);
    records(&c, C, lens, 7);
    CHECK(cssp_conn_credssp_over(&c));
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_OK, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
    CHECK(has(j.explanation, "Early User Authorization Result"));
    /* Later traffic and the reset at the end of the session change nothing. */
    record(&c, S, 150);
    rst(&c, C);
    EXPECT(&c, CSSP_VERDICT_OK, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
}

/* nDPI/rdp_over_tls.pcap: c81 s215 c633, server alert, two more client records, client reset. */
static void test_shape_ndpi_server_alert(void)
{
    static const size_t lens[] = {81, 215, 633};
    static cssp_conn c;
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    records(&c, C, lens, 3);
    alert(&c, S);
    record(&c, C, 61);
    record(&c, C, 33);
    rst(&c, C);
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
    CHECK(has(j.explanation, "sent a TLS alert right after the client's AUTHENTICATE"));
    CHECK(has(j.explanation, "without decryption"));
    CHECK_EQ_U(c.close_leg, 3);
}

/* zeek/rdp-to-ssl.pcap: HYBRID over TLS 1.0; connection 1 stops after the server's pubKeyAuth. */
static void test_shape_zeek_rdp_to_ssl(void)
{
    static const size_t first[] = {80, 336, 928, 336};
    static const size_t second[] = {80, 336, 928, 336, 160};
    static cssp_conn c;
    reset(&c);
    neg_request(&c, CSSP_PROTO_SSL | CSSP_PROTO_HYBRID);
    neg_response(&c, CSSP_PROTO_HYBRID);
    tls(&c, 0x0301, SUITE_RSA_RC4_128_SHA);
    records(&c, C, first, 4);
    fin(&c, C);
    rst(&c, S);
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_TRAFFIC_SHAPE, CSSP_FINDING_LEGACY_TLS);
    CHECK(has(j.explanation, "after the server's pubKeyAuth"));
    CHECK(has(j.explanation, "certificate"));
    CHECK(j.advice == NULL);

    reset(&c);
    neg_response(&c, CSSP_PROTO_HYBRID);
    tls(&c, 0x0301, SUITE_RSA_RC4_128_SHA);
    records(&c, C, second, 5);
    record(&c, C, 464); /* the same client turn: its MCS Connect Initial */
    CHECK(cssp_conn_credssp_over(&c));
    EXPECT(&c, CSSP_VERDICT_OK, CSSP_EVIDENCE_TRAFFIC_SHAPE, CSSP_FINDING_LEGACY_TLS);
    CHECK_EQ_U(c.turns[C], 3);
}

/* ---- TLS 1.3 (the HTB capture: TLS_AES_256_GCM_SHA384, HYBRID_EX) ---------------- */

/* Stream 3: s1094 (encrypted handshake) c69 (Finished) s98 (ticket) c108 s317 c536 s32 (errorCode), client FIN. */
static void test_tls13_htb_logon_failure_shape(void)
{
    static const size_t lens[] = {1094, 69, 98, 108, 317, 536, 32};
    static cssp_conn c;
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0304);
    records(&c, S, lens, 7);
    CHECK_EQ_U(c.set_aside[S], 2);
    CHECK_EQ_U(c.set_aside[C], 1);
    CHECK_EQ_U(c.turns[C], 2);
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
    CHECK(has(j.explanation, "32-byte record"));
    CHECK(!cssp_conn_credssp_over(&c));
    fin(&c, C);
    rst(&c, S);
    EXPECT(&c, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
    CHECK(cssp_conn_credssp_over(&c));
}

/* Stream 96: the client's Finished and NEGOTIATE are one turn, the ticket shares the server's turn. */
static void test_tls13_htb_ticket_after_negotiate(void)
{
    static cssp_conn c;
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0304);
    record(&c, S, 1094);
    record(&c, C, 69);
    record(&c, C, 108);
    record(&c, S, 98);
    record(&c, S, 317);
    record(&c, C, 624);
    record(&c, S, 32);
    fin(&c, C);
    EXPECT(&c, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
    CHECK_EQ_U(c.turns[S], 2);
}

/* Stream 573: a successful logon; 21 bytes is the Early User Authorization Result, then MCS. */
static void test_tls13_htb_success(void)
{
    static const size_t lens[] = {1094, 69, 98, 108, 317, 632, 115, 154, 21, 417};
    static cssp_conn c;
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0304);
    records(&c, S, lens, 3);
    records(&c, C, lens + 3, 7);
    CHECK(cssp_conn_credssp_over(&c));
    EXPECT(&c, CSSP_VERDICT_OK, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
}

/* A 19-byte record is an encrypted alert (close_notify) in TLS 1.3, and data in TLS 1.2. */
static void test_tls13_close_notify(void)
{
    static cssp_conn c;
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0304);
    record(&c, S, 1094);
    record(&c, C, 69);
    record(&c, C, 108);
    record(&c, S, 317);
    record(&c, C, 19);
    fin(&c, C);
    CHECK_EQ_U(c.first_close, C);
    CHECK_EQ_U(c.first_close_type, CSSP_EV_TLS_ALERT);
    CHECK_EQ_U(c.turns[C], 1);
    /* rule 11: the client's close after a CHALLENGE-sized first reply is the keyless refusal */
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_VERSION_MISMATCH, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
    CHECK(has(j.explanation, "shape of a patched client refusing an unpatched server"));
    CHECK(has(j.explanation, "decrypt or check the server's CredSSP version to confirm"));
    CHECK(has(j.advice, "Decrypt"));
    CHECK(cssp_conn_credssp_over(&c));

    /* The same with the TSRequests decrypted: a version refusal. */
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0304);
    record(&c, S, 1094);
    record(&c, C, 69);
    cssp_tsreq_summary s = negotiate(6);
    tsreq(&c, C, &s);
    s = challenge(4), tsreq(&c, S, &s);
    record(&c, C, 19);
    fin(&c, C);
    EXPECT(&c, CSSP_VERDICT_VERSION_MISMATCH, CSSP_EVIDENCE_DECRYPTED, CSSP_FINDING_SERVER_UNPATCHED);

    /* TLS 1.2: 19 bytes is an application record like any other. */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    record(&c, C, 108);
    record(&c, S, 317);
    record(&c, C, 19);
    CHECK_EQ_U(c.turns[C], 2);
    CHECK(c.first_close < 0);
}

/* ---- other shapes ---------------------------------------------------------------- */

static void test_shape_server_closes_after_first(void)
{
    static cssp_conn c;
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    record(&c, C, 81);
    fin(&c, S);
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
    CHECK(has(j.explanation, "Force Updated Clients"));
    CHECK(has(j.advice, "if the client offers version 2-4"));
}

static void test_shape_access_denied(void)
{
    static const size_t lens[] = {81, 286, 567, 83, 100, 28};
    static cssp_conn c;
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0303);
    records(&c, C, lens, 6);
    fin(&c, S);
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
    CHECK(has(j.explanation, "AUTHZ_ACCESS_DENIED"));

    /* HYBRID: the credentials end CredSSP; a close afterwards is not about it. */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    records(&c, C, lens, 5);
    CHECK(cssp_conn_credssp_over(&c));
    fin(&c, S);
    EXPECT(&c, CSSP_VERDICT_OK, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
}

static void test_shape_large_reply_is_not_an_error(void)
{
    static const size_t lens[] = {81, 286, 567, 83};
    static cssp_conn c;
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    records(&c, C, lens, 4);
    EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
    /* 64 bytes is still an errorCode (TLS 1.2 CBC); 65 is not. */
    static const size_t cbc[] = {96, 400, 700, 64};
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    records(&c, C, cbc, 4);
    EXPECT(&c, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
    static const size_t cbc65[] = {96, 400, 700, 65};
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    records(&c, C, cbc65, 4);
    EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
}

/* Rule 11 takes the keyless refusal and nothing that only looks like it. */
static void test_shape_keyless_refusal_only(void)
{
    static cssp_conn c;
    /* the sample cell3-mismatch-server-v3-fin-nokeys.pcap: s(handshake, tickets set aside) c74 s214, client FIN */
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0304);
    record(&c, S, 1094);
    record(&c, C, 69);
    record(&c, C, 74);
    record(&c, S, 214);
    rst(&c, C);
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_VERSION_MISMATCH, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
    CHECK(has(j.explanation, "reset the connection"));
    CHECK(has(j.explanation, "214 bytes"));

    /* an errorCode-sized first reply, then the client's close: not a version refusal */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    record(&c, C, 81);
    record(&c, S, 39);
    fin(&c, C);
    EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);

    /* an RST before any CredSSP message */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    rst(&c, C);
    EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);

    /* a capture cut short after the CHALLENGE: nobody closed */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    record(&c, C, 81);
    record(&c, S, 286);
    end(&c);
    EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);

    /* the server closes after the CHALLENGE: not the client's refusal */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    record(&c, C, 81);
    record(&c, S, 286);
    fin(&c, S);
    EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);

    /* a ticket-sized first reply (Kerberos KERB-TGT-REPLY), then the client's close: not CHALLENGE-sized */
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0303);
    record(&c, C, 199);
    record(&c, S, 1375);
    fin(&c, C);
    EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
}

/*
 * Kerberos user-to-user without keys, record lengths of corpus rdp-nla-kerberos-auth2.pcapng (TLS 1.2):
 * c199 (TGT-REQUEST) s1375 (TGT-REPLY) c1911 (AP-REQ) s251 (AP-REP) c215 (pubKeyAuth) s127 (pubKeyAuth)
 * c187 (authInfo) s28 (AUTHZ_SUCCESS) c486 (MCS). One round trip more than NTLM.
 */
static void test_shape_kerberos_u2u(void)
{
    static const size_t lens[] = {199, 1375, 1911, 251, 215, 127, 187, 28, 486};
    static cssp_conn c;
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0303);
    records(&c, C, lens, 4);
    CHECK(c.extra_round_trip);
    CHECK_EQ_U(c.leg, 2); /* the AP-REP is not the server's pubKeyAuth */
    record(&c, C, 215);
    CHECK_EQ_U(c.leg, 3); /* the client's pubKeyAuth is not its credentials */
    EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0303);
    records(&c, C, lens, 9);
    CHECK(cssp_conn_credssp_over(&c));
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_OK, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
    CHECK(has(j.explanation, "fourth CredSSP message"));

    /* the server ends it after the client's pubKeyAuth: a refusal of the credentials, not a completed logon */
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0303);
    records(&c, C, lens, 5);
    alert(&c, S);
    EXPECT(&c, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);

    /* the client closes after the AP-REP: not the keyless version refusal (the first reply carried a ticket) */
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0303);
    records(&c, C, lens, 4);
    fin(&c, C);
    EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
}

/* ---- causes: the look-alikes of "The function requested is not supported" ------------- */

/* The server's errorCode after the client's first message, with the package the tokens named. */
static cssp_judgement refused_with(cssp_conn *c, uint32_t client_v, uint32_t server_v, cssp_auth_package package,
                                   uint32_t code)
{
    cssp_tsreq_summary s = negotiate(client_v);
    s.package = package;
    start(c, CSSP_PROTO_HYBRID_EX, 0x0303);
    tsreq(c, C, &s);
    s = error_reply(server_v, code), tsreq(c, S, &s);
    cssp_judgement j;
    cssp_conn_judge(c, &j);
    return j;
}

static void test_lookalike_causes(void)
{
    static cssp_conn c;
    /* SEC_E_UNSUPPORTED_FUNCTION at v6/v6 with NTLM: the server refused NTLM, not the CVE */
    cssp_judgement j = refused_with(&c, 6, 6, CSSP_PACKAGE_NTLM, 0x80090302);
    EXPECT(&c, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_DECRYPTED, 0);
    CHECK_EQ_STR(cssp_cause_name(j.cause), "ntlm_refused");
    CHECK(has(j.explanation, "both sides speak CredSSP v6: this is not the encryption oracle remediation"));
    CHECK(has(j.explanation, "NTLM"));
    CHECK(has(j.advice, "NTLM") && has(j.advice, "Restrict NTLM") && has(j.advice, "Protected Users"));
    CHECK(has(j.advice, "name"));
    CHECK(!has(j.advice, "Check the user name and password"));

    /* the same code with Kerberos */
    j = refused_with(&c, 6, 5, CSSP_PACKAGE_KERBEROS, 0x80090302);
    CHECK_EQ_STR(cssp_cause_name(j.cause), "unsupported_function");
    CHECK(has(j.explanation, "CredSSP v6 and v5 work together: this is not the encryption oracle remediation"));
    CHECK(!has(j.explanation, "NTLM"));

    /* the same code with an unpatched server: the versions do not fit, so no such sentence */
    j = refused_with(&c, 6, 3, CSSP_PACKAGE_NTLM, 0x80090302);
    CHECK(j.cause == CSSP_CAUSE_NONE);
    CHECK(!has(j.explanation, "not the encryption oracle"));

    static const struct {
        uint32_t code;
        const char *cause;
        const char *advice;
    } codes[] = {
        {0xC000006E, "account_restriction", "Protected Users"},  /* STATUS_ACCOUNT_RESTRICTION */
        {0xC000006D, "logon_failure", "password"},               /* STATUS_LOGON_FAILURE */
        {0xC0000071, "password_expired", "expired"},             /* STATUS_PASSWORD_EXPIRED */
        {0xC0000224, "password_expired", "must be changed"},     /* STATUS_PASSWORD_MUST_CHANGE */
        {0xC0000234, "account_locked_out", "locked out"},        /* STATUS_ACCOUNT_LOCKED_OUT */
        {0xC0000072, "account_disabled", "disabled"},            /* STATUS_ACCOUNT_DISABLED */
    };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        j = refused_with(&c, 6, 6, CSSP_PACKAGE_NTLM, codes[i].code);
        CHECK_EQ_STR(cssp_cause_name(j.cause), codes[i].cause);
        CHECK(has(j.advice, codes[i].advice));
        CHECK(!has(j.explanation, "not the encryption oracle"));
    }
    /* the Protected Users member falling back to NTLM: the advice names NTLM and Kerberos */
    j = refused_with(&c, 6, 6, CSSP_PACKAGE_NTLM, 0xC000006E);
    CHECK(has(j.advice, "NTLM") && has(j.advice, "Kerberos"));

    /* negotiation failures and the CVE itself */
    reset(&c);
    feed(&c, (cssp_event){.type = CSSP_EV_NEG_FAILURE, .dir = S, .u.neg_failure = {5}});
    cssp_conn_judge(&c, &j);
    CHECK_EQ_STR(cssp_cause_name(j.cause), "hybrid_required");
    reset(&c);
    feed(&c, (cssp_event){.type = CSSP_EV_NEG_FAILURE, .dir = S, .u.neg_failure = {2}});
    cssp_conn_judge(&c, &j);
    CHECK_EQ_STR(cssp_cause_name(j.cause), "ssl_not_allowed");
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    cssp_tsreq_summary s = negotiate(6);
    tsreq(&c, C, &s);
    s = challenge(3), tsreq(&c, S, &s);
    fin(&c, C);
    cssp_conn_judge(&c, &j);
    CHECK_EQ_STR(cssp_cause_name(j.cause), "cve_2018_0886_server_unpatched");
    CHECK(cssp_cause_name(CSSP_CAUSE_NONE) == NULL);
}

/* The package of the connection, its Kerberos names, a KRB-ERROR and an NTLM fallback. */
/*
 * The names from the wire are kept on the heap, sized to what arrived: nothing until a name comes, the bytes
 * of each name and its NUL after, a name at its decoder's cap whole, and nothing after cssp_conn_clear().
 */
static void test_names_on_the_heap(void)
{
    static cssp_conn c;
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    CHECK_EQ_U(cssp_conn_heap_bytes(&c), 0);
    CHECK_EQ_STR(c.facts.user, "");
    CHECK_EQ_STR(c.facts.kerberos_realm, "");
    cssp_tsreq_summary s = authenticate(6, true);
    tsreq(&c, C, &s);
    CHECK_EQ_U(cssp_conn_heap_bytes(&c), sizeof "alice" + sizeof "LAB" + sizeof "WS1");
    /* a later AUTHENTICATE (the exchange is not over) replaces them */
    memset(s.ntlm.user, 'u', sizeof s.ntlm.user - 1);  /* the longest name the decoder gives */
    s.ntlm.domain[0] = '\0';
    tsreq(&c, C, &s);
    CHECK_EQ_U(strlen(c.facts.user), CSSP_NTLM_NAME_MAX - 1);
    CHECK_EQ_STR(c.facts.domain, "");
    CHECK_EQ_U(cssp_conn_heap_bytes(&c), CSSP_NTLM_NAME_MAX + sizeof "WS1");
    cssp_conn_clear(&c);
    CHECK_EQ_U(cssp_conn_heap_bytes(&c), 0);
    CHECK_EQ_STR(c.facts.user, "");
}

static void test_package_facts(void)
{
    static cssp_conn c;
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0303);
    cssp_tsreq_summary s = {.version = 6, .nego_token_count = 1, .package = CSSP_PACKAGE_KERBEROS,
                            .offers_kerberos_first = true, .has_krb = true};
    s.krb.msg_type = CSSP_KRB_TGT_REQ;
    snprintf(s.krb.service, sizeof s.krb.service, "TERMSRV/rds1.example.test");
    tsreq(&c, C, &s);
    CHECK_EQ_U(c.facts.auth_package, CSSP_PACKAGE_KERBEROS);
    CHECK_EQ_STR(c.facts.kerberos_service, "TERMSRV/rds1.example.test");
    CHECK_EQ_STR(c.facts.kerberos_realm, "");
    s.krb.msg_type = CSSP_KRB_AP_REQ;
    snprintf(s.krb.service, sizeof s.krb.service, "TERMSRV/rds1.example.test");
    snprintf(s.krb.realm, sizeof s.krb.realm, "EXAMPLE.TEST");
    tsreq(&c, C, &s);
    CHECK_EQ_STR(c.facts.kerberos_realm, "EXAMPLE.TEST");
    s = (cssp_tsreq_summary){.version = 6, .nego_token_count = 1, .package = CSSP_PACKAGE_KERBEROS, .has_krb = true};
    s.krb.msg_type = CSSP_KRB_ERROR;
    s.krb.has_error_code = true;
    s.krb.error_code = 41;
    tsreq(&c, S, &s);
    CHECK(c.facts.has_krb_error);
    CHECK_EQ_U(c.facts.krb_error, 41);
    CHECK(!c.facts.ntlm_fallback);
    s = negotiate(6);
    tsreq(&c, C, &s);
    CHECK_EQ_U(c.facts.auth_package, CSSP_PACKAGE_NTLM);
    CHECK(c.facts.ntlm_fallback);

    /* NTLM from the start is no fallback */
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0303);
    exchange(&c, 6, 6, true);
    CHECK_EQ_U(c.facts.auth_package, CSSP_PACKAGE_NTLM);
    CHECK(!c.facts.ntlm_fallback);
}

/*
 * Decrypted Kerberos user-to-user, as in corpus rdp-nla-kerberos-auth2.pcapng: the AUTHENTICATE leg is the
 * client's first TSRequest with pubKeyAuth (its third), not its second.
 */
static void test_kerberos_decrypted_legs(void)
{
    static cssp_conn c;
    cssp_tsreq_summary token = {.version = 6, .nego_token_count = 1, .package = CSSP_PACKAGE_KERBEROS};
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0303);
    tsreq(&c, C, &token); /* KERB-TGT-REQUEST */
    tsreq(&c, S, &token); /* KERB-TGT-REPLY */
    tsreq(&c, C, &token); /* AP-REQ */
    CHECK_EQ_U(c.leg, 2);
    CHECK(!c.client_sent_authenticate);
    tsreq(&c, S, &token); /* AP-REP */
    CHECK_EQ_U(c.leg, 2);
    alert(&c, S);
    /* the server ended it before any pubKeyAuth: not a refusal of credentials that were never sent */
    EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_DECRYPTED, 0);

    start(&c, CSSP_PROTO_HYBRID_EX, 0x0303);
    for (int i = 0; i < 2; i++) {
        tsreq(&c, C, &token);
        tsreq(&c, S, &token);
    }
    cssp_tsreq_summary s = {.version = 6, .nego_token_count = 1, .has_pub_key_auth = true, .has_client_nonce = true};
    tsreq(&c, C, &s);
    CHECK_EQ_U(c.leg, 3);
    CHECK(c.client_sent_authenticate);
    s = pub_key_auth(6), tsreq(&c, S, &s);
    CHECK_EQ_U(c.leg, 4);
    s = credentials(6), tsreq(&c, C, &s);
    early_auth(&c, 0);
    EXPECT(&c, CSSP_VERDICT_OK, CSSP_EVIDENCE_DECRYPTED, 0);
}

/* The mode line: Restricted Admin / Remote Credential Guard requested, and the server's answer. */
static void test_mode_text(void)
{
    static cssp_conn c;
    char text[200];
    reset(&c);
    feed(&c, (cssp_event){.type = CSSP_EV_NEG_REQUEST, .dir = C,
                          .u.neg_request = {.has_neg = true, .requested_protocols = 0x0B, .flags = 0x01}});
    CHECK(cssp_mode_text(&c.facts, text, sizeof text));
    CHECK_EQ_STR(text, "Restricted Admin requested, no answer from the server in the capture");
    feed(&c, (cssp_event){.type = CSSP_EV_NEG_RESPONSE, .dir = S,
                          .u.neg_response = {.has_neg = true, .selected_protocol = 0x08, .flags = 0x1F}});
    CHECK(cssp_mode_text(&c.facts, text, sizeof text));
    CHECK_EQ_STR(text, "Restricted Admin requested, supported by the server");

    reset(&c);
    feed(&c, (cssp_event){.type = CSSP_EV_NEG_REQUEST, .dir = C,
                          .u.neg_request = {.has_neg = true, .requested_protocols = 0x0B, .flags = 0x02}});
    feed(&c, (cssp_event){.type = CSSP_EV_NEG_RESPONSE, .dir = S,
                          .u.neg_response = {.has_neg = true, .selected_protocol = 0x08, .flags = 0x0F}});
    CHECK(cssp_mode_text(&c.facts, text, sizeof text));
    CHECK_EQ_STR(text, "Remote Credential Guard requested, not supported by the server");

    reset(&c);
    neg_request(&c, 0x0B);
    CHECK(!cssp_mode_text(&c.facts, text, sizeof text));
    CHECK_EQ_STR(text, "");
}

/* ---- findings ------------------------------------------------------------------ */

static void test_version_changed(void)
{
    static cssp_conn c;
    cssp_tsreq_summary s;
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    s = negotiate(6), tsreq(&c, C, &s);
    s = challenge(5), tsreq(&c, S, &s);
    s = authenticate(5, true), tsreq(&c, C, &s); /* the old FreeRDP habit: copy the server's version */
    alert(&c, S);
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_DECRYPTED, CSSP_FINDING_VERSION_CHANGED);
    CHECK(has(j.explanation, "client changed its version from 6 to 5"));
    CHECK_EQ_U(c.facts.client_version, 6); /* a side's version is the first it advertised */

    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    s = negotiate(6), tsreq(&c, C, &s);
    s = challenge(6), tsreq(&c, S, &s);
    s = authenticate(6, true), tsreq(&c, C, &s);
    s = pub_key_auth(3), tsreq(&c, S, &s);
    fin(&c, C);
    j = EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_DECRYPTED, CSSP_FINDING_VERSION_CHANGED);
    CHECK(has(j.explanation, "server changed its version from 6 to 3"));

    /* Every clause at once (both sides out of range and changing): one whole sentence, every clause in. */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    s = negotiate(4000000000u), tsreq(&c, C, &s);
    s = challenge(3000000000u), tsreq(&c, S, &s);
    s = authenticate(4000000001u, true), tsreq(&c, C, &s);
    s = pub_key_auth(3000000001u), tsreq(&c, S, &s);
    fin(&c, C);
    j = EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_DECRYPTED, CSSP_FINDING_VERSION_CHANGED);
    CHECK(has(j.explanation, "withheld its credentials"));
    CHECK(has(j.explanation, "server changed its version from 3000000000 to 3000000001"));

    /* A catalogue with longer words: the clauses that do not fit are dropped whole, the catalogue's period ends it. */
    cssp_conn_judge_in(&c, long_words, &j);
    size_t len = strlen(j.explanation);
    CHECK(has(j.explanation, "withheld its credentials"));
    CHECK(!has(j.explanation, "changed its version")); /* the last clauses did not fit */
    CHECK(len >= 3 && len < sizeof j.explanation && strcmp(j.explanation + len - 3, "\u3002") == 0);
}

static void test_clamp_96(void)
{
    static cssp_conn c;
    cssp_tsreq_summary s;
    /* nmap rdp-ntlm-info: version 96, read as 6; it closes after the CHALLENGE. */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    s = negotiate(96), tsreq(&c, C, &s);
    s = challenge(6), tsreq(&c, S, &s);
    fin(&c, C);
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_DECRYPTED, 0);
    CHECK(has(j.explanation, "v96 (read as v6)"));
    CHECK_EQ_U(c.facts.client_version, 96);

    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    s = negotiate(96), tsreq(&c, C, &s);
    s = challenge(3), tsreq(&c, S, &s);
    fin(&c, C);
    EXPECT(&c, CSSP_VERDICT_VERSION_MISMATCH, CSSP_EVIDENCE_DECRYPTED, CSSP_FINDING_SERVER_UNPATCHED);

    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    exchange(&c, 6, 96, true);
    EXPECT(&c, CSSP_VERDICT_OK, CSSP_EVIDENCE_DECRYPTED, 0);
}

static void test_field_version_inconsistent(void)
{
    static cssp_conn c;
    cssp_tsreq_summary s;
    /* A note from the decoder. */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    s = negotiate(6);
    s.notes = CSSP_TSREQ_NOTE_NONCE_NOT_32;
    tsreq(&c, C, &s);
    EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_DECRYPTED, CSSP_FINDING_FIELD_VERSION_INCONSISTENT);
    /* Notes that are not about version rules do not count. */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    s = negotiate(6);
    s.notes = CSSP_TSREQ_NOTE_UNKNOWN_ELEMENT | CSSP_TSREQ_NOTE_TRAILING_BYTES;
    tsreq(&c, C, &s);
    EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_DECRYPTED, 0);
    /* A v6 client's pubKeyAuth without clientNonce facing a v6 server. */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    s = negotiate(6), tsreq(&c, C, &s);
    s = challenge(6), tsreq(&c, S, &s);
    s = authenticate(6, false), tsreq(&c, C, &s);
    EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_DECRYPTED, CSSP_FINDING_FIELD_VERSION_INCONSISTENT);
    /* The same facing a v3 server is right: the effective version is 3. */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    s = negotiate(6), tsreq(&c, C, &s);
    s = challenge(3), tsreq(&c, S, &s);
    s = authenticate(6, false), tsreq(&c, C, &s);
    EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_DECRYPTED, CSSP_FINDING_SERVER_UNPATCHED);
    /* errorCode when the effective version is 5 (a v6 server, a patched Windows 7 client). */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    s = negotiate(5), tsreq(&c, C, &s);
    s = challenge(6), tsreq(&c, S, &s);
    s = authenticate(5, true), tsreq(&c, C, &s);
    s = error_reply(6, STATUS_LOGON_FAILURE), tsreq(&c, S, &s);
    EXPECT(&c, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_DECRYPTED, CSSP_FINDING_FIELD_VERSION_INCONSISTENT);
}

static void test_legacy_tls(void)
{
    static const uint16_t versions[] = {0x0301, 0x0302, 0x0303, 0x0304};
    for (size_t i = 0; i < 4; i++) {
        static cssp_conn c;
        start(&c, CSSP_PROTO_HYBRID, versions[i]);
        exchange(&c, 6, 6, true);
        EXPECT(&c, CSSP_VERDICT_OK, CSSP_EVIDENCE_DECRYPTED, versions[i] < 0x0303 ? CSSP_FINDING_LEGACY_TLS : 0);
    }
}

/* ---- missing start, end of capture, odd orders ---------------------------------- */

static void test_missing_start(void)
{
    static const size_t lens[] = {81, 286, 567, 83, 100};
    static cssp_conn c;
    /* No X.224, but the TLS handshake: judged. */
    reset(&c);
    tls(&c, 0x0303, SUITE_ECDHE_RSA_AES256_GCM_SHA384);
    records(&c, C, lens, 5);
    CHECK(cssp_conn_credssp_over(&c));
    EXPECT(&c, CSSP_VERDICT_OK, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
    /* Records only: the middle of a session, not CredSSP. */
    reset(&c);
    records(&c, C, lens, 5);
    end(&c);
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
    CHECK(has(j.explanation, "start of the connection is not in the capture"));
    CHECK_EQ_U(c.turns[C] + c.turns[S], 0);
    /* A decoded TSRequest without anything before it is still read. */
    reset(&c);
    cssp_tsreq_summary s = error_reply(3, STATUS_LOGON_FAILURE);
    tsreq(&c, S, &s);
    EXPECT(&c, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_CLEARTEXT, CSSP_FINDING_SERVER_UNPATCHED);
}

static void test_end_of_capture_mid_exchange(void)
{
    static cssp_conn c;
    cssp_tsreq_summary s;
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    s = negotiate(6), tsreq(&c, C, &s);
    s = challenge(6), tsreq(&c, S, &s);
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_DECRYPTED, 0);
    CHECK(has(j.explanation, "in progress"));
    CHECK(!cssp_conn_credssp_over(&c));
    end(&c);
    j = EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_DECRYPTED, 0);
    CHECK(has(j.explanation, "The capture ends after the server's first CredSSP reply"));
    CHECK(cssp_conn_credssp_over(&c));

    /* Versions that will not agree, but the client has not acted yet: not a verdict of mismatch. */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    s = negotiate(6), tsreq(&c, C, &s);
    s = challenge(3), tsreq(&c, S, &s);
    end(&c);
    j = EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_DECRYPTED, CSSP_FINDING_SERVER_UNPATCHED);
    CHECK(has(j.explanation, "Mitigated or Force Updated Clients"));
    CHECK(has(j.advice, "Update the server"));

    /* Only the X.224 exchange and the TLS handshake. */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    end(&c);
    j = EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
    CHECK(has(j.explanation, "No CredSSP message is in the capture"));
    /* Nothing at all. */
    reset(&c);
    end(&c);
    EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_CLEARTEXT, 0);
}

static void test_odd_orders(void)
{
    static cssp_conn c;
    cssp_tsreq_summary s;
    /* FIN before anything. */
    reset(&c);
    fin(&c, C);
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_CLEARTEXT, 0);
    CHECK(has(j.explanation, "before any CredSSP message"));
    CHECK(cssp_conn_credssp_over(&c));
    /* A reset right after the TLS handshake (zeek/rdp-no-cookie-mstshash.pcap). */
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0303);
    rst(&c, C);
    j = EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_TRAFFIC_SHAPE, 0);
    CHECK(has(j.explanation, "client reset the connection before any CredSSP message"));
    /* TSRequests before the negotiation; the late X.224 exchange cannot turn them into no_nla. */
    reset(&c);
    exchange(&c, 6, 6, true);
    neg_request(&c, CSSP_PROTO_SSL);
    neg_response(&c, CSSP_PROTO_SSL);
    EXPECT(&c, CSSP_VERDICT_OK, CSSP_EVIDENCE_CLEARTEXT, 0);
    /* A server message first, a NULL summary, an out-of-range direction, an unknown event type. */
    reset(&c);
    s = challenge(6);
    tsreq(&c, S, &s);
    feed(&c, (cssp_event){.type = CSSP_EV_TSREQUEST, .dir = C, .u.tsreq = NULL});
    feed(&c, (cssp_event){.type = (cssp_event_type)77, .dir = C});
    s = negotiate(6);
    feed(&c, (cssp_event){.type = CSSP_EV_TSREQUEST, .dir = (cssp_dir)9, .u.tsreq = &s});
    CHECK_EQ_U(c.tsreq_count[C], 1);
    EXPECT(&c, CSSP_VERDICT_INCOMPLETE, CSSP_EVIDENCE_CLEARTEXT, 0);
    /* NULL arguments. */
    cssp_conn_feed(NULL, NULL);
    cssp_conn_feed(&c, NULL);
    cssp_conn_judge(&c, NULL);
    /* A warning alert other than close_notify does not end the connection; a plain one does. */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    feed(&c, (cssp_event){.type = CSSP_EV_TLS_ALERT, .dir = S, .u.alert = {false, 1, 100}});
    CHECK(c.first_close < 0);
    feed(&c, (cssp_event){.type = CSSP_EV_TLS_ALERT, .dir = S, .u.alert = {false, 2, 40}});
    CHECK_EQ_U(c.first_close, S);
    /* After the verdict is settled, a contradicting errorCode is ignored. */
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    exchange(&c, 6, 6, true);
    s = error_reply(6, STATUS_LOGON_FAILURE), tsreq(&c, S, &s);
    EXPECT(&c, CSSP_VERDICT_OK, CSSP_EVIDENCE_DECRYPTED, 0);
}

/* Random event streams: never crash, always a valid, settled-once judgement. */
static void test_random_streams(void)
{
    uint32_t seed = 12345;
    cssp_tsreq_summary summaries[6];
    summaries[0] = negotiate(2);
    summaries[1] = challenge(96);
    summaries[2] = authenticate(6, false);
    summaries[3] = pub_key_auth(0);
    summaries[4] = credentials(5);
    summaries[5] = error_reply(4, STATUS_NOT_SUPPORTED);
    summaries[5].notes = ~0u;
    for (int round = 0; round < 3000; round++) {
        static cssp_conn c;
        reset(&c);
        bool settled = false;
        cssp_judgement before;
        memset(&before, 0, sizeof before);
        int n = 1 + (int)(seed % 24);
        for (int i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            uint32_t r = seed >> 8;
            cssp_event ev = {.type = (cssp_event_type)(r % 12), .dir = (cssp_dir)((r >> 4) % 3), .ref = (uint64_t)i};
            switch (ev.type) {
            case CSSP_EV_NEG_RESPONSE:
                ev.u.neg_response.has_neg = (r >> 6) & 1;
                ev.u.neg_response.selected_protocol = (r >> 7) % 20;
                break;
            case CSSP_EV_NEG_FAILURE:
                ev.u.neg_failure.failure_code = (r >> 7) % 9;
                break;
            case CSSP_EV_TLS_HANDSHAKE:
                ev.u.tls.version = (uint16_t)(0x0300 + (r >> 7) % 6);
                ev.u.tls.cipher_suite = (uint16_t)(0x1300 + (r >> 9) % 7);
                break;
            case CSSP_EV_TSREQUEST:
                ev.u.tsreq = &summaries[(r >> 7) % 6];
                break;
            case CSSP_EV_ENCRYPTED_RECORD:
                ev.u.record.length = (r >> 7) % 200;
                break;
            case CSSP_EV_TLS_ALERT:
                ev.u.alert.encrypted = (r >> 7) & 1;
                ev.u.alert.level = (uint8_t)((r >> 8) % 3);
                break;
            case CSSP_EV_EARLY_AUTH_RESULT:
                ev.u.early_auth.result = (r >> 7) % 7;
                break;
            default:
                break;
            }
            cssp_conn_feed(&c, &ev);
            cssp_judgement j;
            cssp_conn_judge(&c, &j);
            size_t len = strlen(j.explanation);
            if (!(cssp_verdict_name(j.verdict) && cssp_evidence_name(j.evidence) &&
                  (j.findings & ~((1u << CSSP_FINDING_COUNT) - 1)) == 0 && len > 0 &&
                  len < sizeof j.explanation - 1 && j.explanation[len - 1] == '.')) {
                CHECK(!"invalid judgement");
                fprintf(stderr, "  round %d event %d: \"%s\"\n", round, i, j.explanation);
                return;
            }
            if (settled && (j.verdict != before.verdict || j.evidence != before.evidence)) {
                CHECK(!"a settled verdict changed");
                fprintf(stderr, "  round %d event %d: \"%s\" -> \"%s\"\n", round, i, before.explanation,
                        j.explanation);
                return;
            }
            if (!settled && cssp_conn_credssp_over(&c)) {
                settled = true;
                before = j;
            }
        }
    }
    CHECK(true);
}

/* ---- real TSRequests through the decoder and cssp_tsreq_summarize() ---------------- */

static void summarize(const uint8_t *bytes, size_t len, cssp_tsreq_summary *s)
{
    cssp_tsrequest req;
    cssp_status st = cssp_tsrequest_decode(bytes, len, &req);
    CHECK_EQ_U(st, CSSP_OK);
    cssp_tsreq_summarize(bytes, &req, s);
}

/* rdps2rdp: a Windows 10 client, CredSSP v6 in clear through a TLS-stripping proxy, HYBRID_EX. */
static void test_real_rdps2rdp(void)
{
    cssp_tsreq_summary neg, chal, auth, pka, creds;
    summarize(tsreq_v6_client_negotiate, sizeof tsreq_v6_client_negotiate, &neg);
    summarize(tsreq_v6_server_challenge, sizeof tsreq_v6_server_challenge, &chal);
    summarize(tsreq_v6_client_authenticate, sizeof tsreq_v6_client_authenticate, &auth);
    summarize(tsreq_v6_server_pub_key_auth, sizeof tsreq_v6_server_pub_key_auth, &pka);
    summarize(tsreq_v6_client_auth_info, sizeof tsreq_v6_client_auth_info, &creds);
    CHECK_EQ_U(neg.version, 6);
    CHECK_EQ_U(neg.token_kind, CSSP_TOKEN_NTLMSSP);
    CHECK(neg.has_ntlm && neg.ntlm.type == CSSP_NTLM_NEGOTIATE);
    CHECK(chal.has_ntlm && chal.ntlm.type == CSSP_NTLM_CHALLENGE && chal.ntlm.has_version);
    CHECK(auth.has_ntlm && auth.ntlm.type == CSSP_NTLM_AUTHENTICATE);
    CHECK(auth.has_pub_key_auth && auth.has_client_nonce && !auth.has_auth_info);
    CHECK(pka.has_pub_key_auth && pka.nego_token_count == 0 && pka.token_kind == CSSP_TOKEN_UNKNOWN);
    CHECK(creds.has_auth_info && !creds.has_error_code);
    CHECK_EQ_U(neg.notes | chal.notes | auth.notes | pka.notes | creds.notes, 0);

    static cssp_conn c;
    reset(&c);
    neg_request(&c, CSSP_PROTO_SSL | CSSP_PROTO_HYBRID | CSSP_PROTO_HYBRID_EX);
    neg_response(&c, CSSP_PROTO_HYBRID_EX);
    tsreq(&c, C, &neg);
    tsreq(&c, S, &chal);
    tsreq(&c, C, &auth);
    tsreq(&c, S, &pka);
    tsreq(&c, C, &creds);
    uint32_t result = 1;
    static const uint8_t early_auth_bytes[] = {0x00, 0x00, 0x00, 0x00}; /* rdps2rdp frame 12 */
    CHECK_EQ_U(cssp_early_auth_result_decode(early_auth_bytes, sizeof early_auth_bytes, &result), CSSP_OK);
    early_auth(&c, result);
    EXPECT(&c, CSSP_VERDICT_OK, CSSP_EVIDENCE_CLEARTEXT, 0);
    CHECK(cssp_conn_credssp_over(&c));
    CHECK(c.facts.user[0] != '\0');
    CHECK(c.facts.has_client_os && c.facts.client_os_major == 10);
    CHECK(c.facts.has_server_os && c.facts.server_os_major == 10);
}

/* HTB: SPNEGO-wrapped NTLM over TLS 1.3, v6 both sides, errorCode STATUS_LOGON_FAILURE. */
static void test_real_htb_logon_failure(void)
{
    cssp_tsreq_summary neg, chal, auth, err;
    summarize(tsreq_v6_spnego_negotiate, sizeof tsreq_v6_spnego_negotiate, &neg);
    summarize(tsreq_v6_spnego_challenge, sizeof tsreq_v6_spnego_challenge, &chal);
    summarize(tsreq_v6_spnego_authenticate, sizeof tsreq_v6_spnego_authenticate, &auth);
    summarize(tsreq_v6_error_logon_failure, sizeof tsreq_v6_error_logon_failure, &err);
    CHECK_EQ_U(neg.token_kind, CSSP_TOKEN_SPNEGO_INIT);
    CHECK_EQ_U(chal.token_kind, CSSP_TOKEN_SPNEGO_RESP);
    CHECK(auth.has_ntlm && auth.ntlm.type == CSSP_NTLM_AUTHENTICATE);
    CHECK(err.has_error_code);
    CHECK_EQ_U(err.error_code, STATUS_LOGON_FAILURE);

    static cssp_conn c;
    start(&c, CSSP_PROTO_HYBRID_EX, 0x0304);
    record(&c, S, 1094);
    record(&c, C, 69);
    record(&c, S, 98);
    tsreq(&c, C, &neg);
    tsreq(&c, S, &chal);
    tsreq(&c, C, &auth);
    tsreq(&c, S, &err);
    fin(&c, C);
    cssp_judgement j = EXPECT(&c, CSSP_VERDICT_AUTH_FAILED, CSSP_EVIDENCE_DECRYPTED, 0);
    CHECK(has(j.explanation, "STATUS_LOGON_FAILURE"));
}

/* Hand-built TSRequests whose token is hostile: the summary says what it is and claims no NTLM message. */
static void test_summarize_hostile_tokens(void)
{
    /* version 6, negoTokens = one token "NTLMSSP\0" + type 3 and nothing else: a truncated AUTHENTICATE. */
    static const uint8_t truncated_ntlm[] = {
        0x30, 0x18, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa1, 0x11, 0x30, 0x0f, 0x30, 0x0d, 0xa0, 0x0b, 0x04, 0x09,
        'N', 'T', 'L', 'M', 'S', 'S', 'P', 0x00, 0x03,
    };
    /* version 3, negoTokens = one 3-byte token of no known kind, errorCode absent. */
    static const uint8_t unknown_token[] = {
        0x30, 0x12, 0xa0, 0x03, 0x02, 0x01, 0x03, 0xa1, 0x0b, 0x30, 0x09, 0x30, 0x07, 0xa0, 0x05, 0x04, 0x03,
        0x99, 0x98, 0x97,
    };
    cssp_tsreq_summary s;
    summarize(truncated_ntlm, sizeof truncated_ntlm, &s);
    CHECK_EQ_U(s.version, 6);
    CHECK_EQ_U(s.nego_token_count, 1);
    CHECK_EQ_U(s.token_kind, CSSP_TOKEN_NTLMSSP);
    CHECK(!s.has_ntlm);
    static cssp_conn c;
    start(&c, CSSP_PROTO_HYBRID, 0x0303);
    tsreq(&c, C, &s);
    CHECK(!c.client_sent_authenticate);
    CHECK_EQ_U(c.leg, 1);
    CHECK_EQ_STR(c.facts.user, "");

    summarize(unknown_token, sizeof unknown_token, &s);
    CHECK_EQ_U(s.version, 3);
    CHECK_EQ_U(s.token_kind, CSSP_TOKEN_UNKNOWN);
    CHECK(!s.has_ntlm && !s.has_error_code && !s.has_pub_key_auth);
}

/* The X.224 PDU -> event mapping both front ends use. */
static void test_x224_events(void)
{
    cssp_event ev;
    cssp_x224 request = {.kind = CSSP_X224_CONNECTION_REQUEST, .has_neg = true, .neg_type = CSSP_NEG_TYPE_REQ,
                         .neg_value = CSSP_PROTO_SSL | CSSP_PROTO_HYBRID, .neg_flags = 0x08};
    CHECK(cssp_x224_event(&request, CSSP_FROM_CLIENT, 7, &ev));
    CHECK_EQ_U(ev.type, CSSP_EV_NEG_REQUEST);
    CHECK_EQ_U(ev.dir, CSSP_FROM_CLIENT);
    CHECK_EQ_U(ev.ref, 7);
    CHECK(ev.u.neg_request.has_neg);
    CHECK_EQ_U(ev.u.neg_request.requested_protocols, CSSP_PROTO_SSL | CSSP_PROTO_HYBRID);
    CHECK_EQ_U(ev.u.neg_request.flags, 0x08);

    request.has_neg = false; /* a legacy request: no RDP_NEG_REQ, so nothing requested */
    CHECK(cssp_x224_event(&request, CSSP_FROM_CLIENT, 7, &ev));
    CHECK(!ev.u.neg_request.has_neg);
    CHECK_EQ_U(ev.u.neg_request.requested_protocols, 0);

    cssp_x224 failure = {.kind = CSSP_X224_CONNECTION_CONFIRM, .has_neg = true, .neg_type = CSSP_NEG_TYPE_FAILURE,
                         .neg_value = 5};
    CHECK(cssp_x224_event(&failure, CSSP_FROM_SERVER, 8, &ev));
    CHECK_EQ_U(ev.type, CSSP_EV_NEG_FAILURE);
    CHECK_EQ_U(ev.u.neg_failure.failure_code, 5);

    cssp_x224 response = {.kind = CSSP_X224_CONNECTION_CONFIRM, .has_neg = true, .neg_type = CSSP_NEG_TYPE_RSP,
                          .neg_value = CSSP_PROTO_HYBRID, .neg_flags = 0x1F};
    CHECK(cssp_x224_event(&response, CSSP_FROM_SERVER, 8, &ev));
    CHECK_EQ_U(ev.type, CSSP_EV_NEG_RESPONSE);
    CHECK(ev.u.neg_response.has_neg);
    CHECK_EQ_U(ev.u.neg_response.selected_protocol, CSSP_PROTO_HYBRID);
    CHECK_EQ_U(ev.u.neg_response.flags, 0x1F);

    response.has_neg = false; /* a legacy confirm selects Standard RDP Security */
    CHECK(cssp_x224_event(&response, CSSP_FROM_SERVER, 8, &ev));
    CHECK(!ev.u.neg_response.has_neg);
    CHECK_EQ_U(ev.u.neg_response.selected_protocol, CSSP_PROTO_RDP);

    cssp_x224 data = {.kind = CSSP_X224_DATA};
    CHECK(!cssp_x224_event(&data, CSSP_FROM_CLIENT, 9, &ev));
}

int main(void)
{
    test_names();
    test_x224_events();
    test_early_auth_held();
    test_matrix_1_unpatched_unpatched();
    test_matrix_2_mitigated();
    test_matrix_2_force();
    test_matrix_3_version_mismatch();
    test_matrix_4_patched_patched();
    test_auth_failed_error_code();
    test_auth_failed_server_alert_after_authenticate();
    test_auth_failed_authz_denied();
    test_no_nla();
    test_negotiation_failed();
    test_cleartext_credssp();
    test_shape_ndpi_rdp_complete();
    test_shape_sharprdp_complete();
    test_shape_ndpi_server_alert();
    test_shape_zeek_rdp_to_ssl();
    test_tls13_htb_logon_failure_shape();
    test_tls13_htb_ticket_after_negotiate();
    test_tls13_htb_success();
    test_tls13_close_notify();
    test_shape_server_closes_after_first();
    test_shape_access_denied();
    test_shape_large_reply_is_not_an_error();
    test_shape_keyless_refusal_only();
    test_shape_kerberos_u2u();
    test_lookalike_causes();
    test_names_on_the_heap();
    test_package_facts();
    test_kerberos_decrypted_legs();
    test_mode_text();
    test_version_changed();
    test_clamp_96();
    test_field_version_inconsistent();
    test_legacy_tls();
    test_missing_start();
    test_end_of_capture_mid_exchange();
    test_odd_orders();
    test_random_streams();
    test_real_rdps2rdp();
    test_real_htb_logon_failure();
    test_summarize_hostile_tokens();
    return check_summary("verdict");
}
