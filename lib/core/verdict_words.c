/*
 * verdict_words.c - the words of a judgement: the one-sentence explanation of
 * each rule's decision and the advice that fits it (docs/verdicts.md, and the
 * remedies of the administrator's article).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cssp/names.h"
#include "cssp/words.h"
#include "cssp/x224.h"
#include "verdict_internal.h"

/* ---- wording ------------------------------------------------------------ */

/*
 * The explanation is built clause by clause. A clause that does not fit is
 * dropped whole, and so is everything after it, and room for the final
 * period is always kept: the result is one complete sentence. Every format and word goes through the
 * front end's catalogue (t->tr, cssp/words.h); the formats are marked for it by being text_add's.
 */
typedef struct text {
    char *buf;
    size_t size;
    size_t used;
    bool full;
    cssp_translate tr;
} text;

static void text_add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_add(text *t, const char *fmt, ...)
{
    size_t period = strlen(cssp_tr(t->tr, "."));
    if (t->full || t->used + period + 1 > t->size)
        return;
    size_t room = t->size - t->used - period; /* keeps room for the period */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->used, room, cssp_tr(t->tr, fmt), ap);
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
    const char *period = cssp_tr(t->tr, ".");
    size_t n = strlen(period);
    if (t->used + n + 1 > t->size)
        return;
    memcpy(t->buf + t->used, period, n + 1);
    t->used += n;
}

/* "v6", or "v96 (read as v6)" for a version above the highest defined one. */
static const char *version_text(const text *t, uint32_t v, char *buf, size_t size)
{
    if (v != cssp_version_as_read(v))
        snprintf(buf, size, cssp_tr(t->tr, "v%u (read as v%u)"), (unsigned)v, (unsigned)cssp_version_as_read(v));
    else
        snprintf(buf, size, "v%u", (unsigned)v);
    return buf;
}

/* "the client offered CredSSP v6 and the server v3", or what is known of it; nothing when neither. */
static void add_versions(text *t, const cssp_facts *f, bool sentence_start)
{
    char client[32], server[32];
    const char *the = sentence_start ? "The" : "the";
    /* TRANSLATORS: the first %s is the English article, "The" or "the"; a language without one consumes it
     * with %1$.0s. The others are versions, "v6" or "v96 (read as v6)". */
    if (f->client_version_seen && f->server_version_seen)
        text_add(t, "%s client offered CredSSP %s and the server %s", the,
                 version_text(t, f->client_version, client, sizeof client),
                 version_text(t, f->server_version, server, sizeof server));
    else if (f->client_version_seen)
        text_add(t, "%s client offered CredSSP %s", the, version_text(t, f->client_version, client, sizeof client));
    else if (f->server_version_seen)
        text_add(t, "%s server offered CredSSP %s", the, version_text(t, f->server_version, server, sizeof server));
}

/* "; the client offered ..." when any version is known. */
static void add_versions_clause(text *t, const cssp_facts *f)
{
    if (!f->client_version_seen && !f->server_version_seen)
        return;
    text_add(t, "; ");
    add_versions(t, f, false);
}

static const char *side_name(const text *t, int dir)
{
    return cssp_tr(t->tr, dir == CSSP_FROM_SERVER ? "server" : "client");
}

static const char *close_text(const text *t, cssp_event_type how)
{
    switch (how) {
    case CSSP_EV_FIN:
        return cssp_tr(t->tr, "closed the connection");
    case CSSP_EV_RST:
        return cssp_tr(t->tr, "reset the connection");
    default:
        return cssp_tr(t->tr, "sent a TLS alert");
    }
}

/* The message that reached a leg, for "after ..." and "the last step seen is ...". */
static const char *leg_text(const text *t, unsigned leg)
{
    static const char *const text_of[] = {
        CSSP_N_("no CredSSP message"),
        CSSP_N_("the client's first CredSSP message"),
        CSSP_N_("the server's first CredSSP reply"),
        CSSP_N_("the client's AUTHENTICATE (pubKeyAuth)"),
        CSSP_N_("the server's pubKeyAuth"),
        CSSP_N_("the client's credentials (authInfo)"),
        CSSP_N_("the server's reply to the credentials"),
        CSSP_N_("the client's data after CredSSP"),
    };
    return cssp_tr(t->tr, text_of[leg <= LEG_CLIENT_AFTER ? leg : LEG_CLIENT_AFTER]);
}

static void add_version_change(text *t, const cssp_conn *c)
{
    for (int dir = CSSP_FROM_CLIENT; dir <= CSSP_FROM_SERVER; dir++) {
        uint32_t first = dir == CSSP_FROM_CLIENT ? c->facts.client_version : c->facts.server_version;
        if (c->later_version[dir] != first)
            text_add(t, "; the %s changed its version from %u to %u, which peers treat as fatal", side_name(t, dir),
                     (unsigned)first, (unsigned)c->later_version[dir]);
    }
}

static void explain_negotiation(text *t, const cssp_facts *f, rule r)
{
    char requested[96], code[48];
    if (f->has_request && f->request_has_neg)
        cssp_format_protocols(f->requested_protocols, "|", requested, sizeof requested);
    else
        snprintf(requested, sizeof requested, "%s", cssp_tr(t->tr, "RDP (no negotiation request)"));
    if (r == RULE_NEG_FAILURE) {
        const cssp_name *n = cssp_name_lookup(cssp_neg_failure_names, f->failure_code);
        text_add(t, "The server refused the security negotiation with RDP_NEG_FAILURE %s",
                 cssp_format_neg_failure(f->failure_code, code, sizeof code));
        if (n)
            text_add(t, " (%s)", cssp_tr(t->tr, n->text));
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
        if (c->extra_round_trip)
            text_add(t, "CredSSP completed: the client sent a fourth CredSSP message (its credentials) after the "
                        "server's third reply (Kerberos user-to-user, one round trip more than NTLM)");
        else
            text_add(t, "CredSSP completed: the client sent a third CredSSP message (its credentials) after the "
                        "server's second reply");
        if (verdict_negotiated(f, CSSP_PROTO_HYBRID_EX) && c->leg >= LEG_CLIENT_AFTER)
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
    if (verdict_client_patched(f) && verdict_server_unpatched(f))
        text_add(t, "; the patched client accepted the unpatched server's version, so its Encryption Oracle "
                    "Remediation policy is Vulnerable");
    else if (verdict_client_unpatched(f) && verdict_server_patched(f))
        text_add(t, "; the patched server accepted the unpatched client, so its Encryption Oracle Remediation "
                    "policy is Mitigated or Vulnerable");
    text_end(t);
}

/* The one-clause reading of how an unfinished exchange stopped, when there is one. */
static void add_stop_reading(text *t, const cssp_conn *c)
{
    const cssp_facts *f = &c->facts;
    unsigned leg = c->first_close >= 0 ? c->close_leg : c->leg;
    if (verdict_closed_at(c, CSSP_FROM_CLIENT, LEG_SERVER_FIRST) && !(f->client_version_seen && f->server_version_seen))
        text_add(t, "; this is the shape of a patched client refusing an unpatched server's version, which "
                    "only decryption can confirm");
    else if (verdict_closed_at(c, CSSP_FROM_SERVER, LEG_CLIENT_FIRST) && !f->client_version_seen)
        text_add(t, "; this is the shape of a patched server on 'Force Updated Clients' refusing an unpatched "
                    "client, which only decryption can confirm");
    else if (verdict_closed_at(c, CSSP_FROM_CLIENT, LEG_SERVER_PUBKEY))
        text_add(t, "; the client withheld its credentials (a failed check of the server's key, or a "
                    "certificate prompt)");
    else if (leg == LEG_SERVER_FIRST && verdict_client_patched(f) && verdict_server_unpatched(f))
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
        text_add(t, "%s", cssp_tr(t->tr, c->end_of_capture ? "No CredSSP message is in the capture"
                                                            : "No CredSSP message has been seen yet"));
    } else if (c->first_close >= 0 && c->close_leg == LEG_NONE) {
        text_add(t, "The %s %s before any CredSSP message%s", side_name(t, c->first_close),
                 close_text(t, c->first_close_type), f->has_tls ? "" : cssp_tr(t->tr, " (before or during the TLS handshake)"));
    } else {
        if (c->first_close >= 0)
            text_add(t, "The %s %s after %s, before CredSSP completed", side_name(t, c->first_close),
                     close_text(t, c->first_close_type), leg_text(t, c->close_leg));
        else if (c->end_of_capture)
            text_add(t, "The capture ends after %s, before CredSSP completed", leg_text(t, c->leg));
        else
            text_add(t, "CredSSP is in progress; the last step seen is %s", leg_text(t, c->leg));
        add_versions_clause(t, f);
        add_stop_reading(t, c);
        add_version_change(t, c);
    }
    text_end(t);
}

/*
 * Windows shows SEC_E_UNSUPPORTED_FUNCTION as the CVE's message, "The function requested is not supported":
 * with versions that work together, say in words that this is another cause.
 */
static void add_lookalike(text *t, const cssp_conn *c)
{
    const cssp_facts *f = &c->facts;
    char client[32], server[32];
    if (f->error_code != SEC_E_UNSUPPORTED_FUNCTION || !verdict_versions_compatible(f))
        return;
    if (f->client_version == f->server_version)
        text_add(t, "; both sides speak CredSSP %s: this is not the encryption oracle remediation",
                 version_text(t, f->client_version, client, sizeof client));
    else
        text_add(t, "; CredSSP %s and %s work together: this is not the encryption oracle remediation",
                 version_text(t, f->client_version, client, sizeof client),
                 version_text(t, f->server_version, server, sizeof server));
    if (f->auth_package == CSSP_PACKAGE_NTLM)
        text_add(t, ", the server refused NTLM");
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
            text_add(t, " (%s)", cssp_tr(t->tr, n->text));
        add_versions_clause(t, f);
        add_version_change(t, c);
        add_lookalike(t, c);
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
                    "confirm)", side_name(t, c->first_close), close_text(t, c->first_close_type));
        break;
    case RULE_COMPLETED:
        explain_completed(t, c, d->evidence);
        return;
    case RULE_VERSION_REFUSED:
        add_versions(t, f, true);
        text_add(t, "; the client refused the server's version and %s without sending its credentials ('The "
                    "function requested is not supported', LsaSrv event 6041 on the client)",
                 close_text(t, c->first_close_type));
        break;
    case RULE_SERVER_REFUSED_FIRST:
        text_add(t, "The server %s right after the unpatched client's first TSRequest without answering; ",
                 close_text(t, c->first_close_type));
        add_versions(t, f, false);
        text_add(t, ", which is how a patched server on 'Force Updated Clients' refuses an unpatched one");
        break;
    case RULE_SERVER_ENDED_AFTER_AUTH:
        text_add(t, "The server %s right after the client's AUTHENTICATE instead of answering with its "
                    "pubKeyAuth, so it refused the credentials", close_text(t, c->first_close_type));
        if (d->evidence == CSSP_EVIDENCE_TRAFFIC_SHAPE)
            text_add(t, " (without decryption, a refusal of the client's version or key binding looks the same)");
        else if (verdict_client_unpatched(f) && verdict_server_patched(f))
            text_add(t, " (the client offered CredSSP v%u: a server on 'Force Updated Clients' may also refuse "
                        "this way)", (unsigned)f->client_version);
        add_version_change(t, c);
        break;
    case RULE_SHAPE_ERROR_REPLY:
        text_add(t, "The server answered the client's AUTHENTICATE with a %zu-byte record, too short for a "
                    "pubKeyAuth and the size of an errorCode TSRequest, so it refused the credentials (decrypt "
                    "to read the code)", c->server_leg4_record_len);
        break;
    case RULE_SHAPE_VERSION_REFUSED:
        text_add(t, "The client %s right after the server's first CredSSP reply (%zu bytes, CHALLENGE-sized), "
                    "before its AUTHENTICATE: the shape of a patched client refusing an unpatched server's "
                    "version ('The function requested is not supported')",
                 close_text(t, c->first_close_type), c->server_first_turn_len);
        text_add(t, "; decrypt or check the server's CredSSP version to confirm");
        break;
    case RULE_INCOMPLETE:
        explain_incomplete(t, c);
        return;
    }
    text_end(t);
}

/* ---- advice ------------------------------------------------------------- */

static const char advice_update_server[] =
    CSSP_N_("Update the server with the CVE-2018-0886 CredSSP update (the fix); or, not recommended, set the client's "
    "Encryption Oracle Remediation policy to Vulnerable, which lets it fall back to the insecure versions and "
    "exposes the server; or, not recommended, stop requiring Network Level Authentication on the server, which "
    "lets unauthenticated connections set up sessions and exhaust its ports.");

static const char advice_update_client[] =
    CSSP_N_("Update the client with the CVE-2018-0886 CredSSP update; or, not recommended, set the server's Encryption "
    "Oracle Remediation policy to Mitigated, which accepts unpatched clients and leaves them exposed.");

static const char advice_credentials[] =
    CSSP_N_("Check the user name and password and the account on the server or domain (locked out, disabled, expired, "
    "logon hours, membership of Remote Desktop Users); the server's Security event log gives the reason.");

static const char advice_ntlm_refused[] =
    CSSP_N_("The server refused NTLM (not the CredSSP update): connect by the server's DNS name, not its IP address, so "
    "that Kerberos can be used; or allow incoming NTLM on the server (policy 'Network security: Restrict NTLM: "
    "Incoming NTLM traffic'); members of Protected Users cannot use NTLM at all.");

static const char advice_unsupported_function[] =
    CSSP_N_("Not the CredSSP update (the versions work together): the server's security package refused the request; "
    "check the Restricted Admin / Remote Credential Guard mode requested, the server's TERMSRV service "
    "principal name, and its System and Security event logs.");

static const char advice_account_restriction_ntlm[] =
    CSSP_N_("The account may not log on with NTLM: members of Protected Users cannot use NTLM, so connect by the server's "
    "DNS name so that Kerberos is used (a domain controller must be reachable); logon restrictions (hours, "
    "workstations, 'Deny log on through Remote Desktop Services') also give this code.");

static const char advice_account_restriction[] =
    CSSP_N_("The account may not log on this way: Protected Users (no NTLM, no delegation) or a logon restriction "
    "(hours, workstations, 'Deny log on through Remote Desktop Services'); the server's Security event log "
    "(event 4625) gives the reason.");

static const char advice_logon_failure[] =
    CSSP_N_("Check the user name (with its domain) and the password; the server's Security event log (event 4625) "
    "gives the reason.");

static const char advice_password_expired[] =
    CSSP_N_("The user's password has expired or must be changed: change it (Ctrl+Alt+Del on a domain machine, or an "
    "administrator resets it); Network Level Authentication cannot prompt for a new password.");

static const char advice_locked_out[] =
    CSSP_N_("The account is locked out: wait for the lockout to end or have an administrator unlock it, and find what "
    "keeps sending a wrong password (event 4740 on the domain controller).");

static const char advice_disabled[] =
    CSSP_N_("The account is disabled or expired: an administrator must enable it or extend its expiry date.");

static const char advice_no_nla[] =
    CSSP_N_("Network Level Authentication was not used: the session is set up before the user is authenticated, so "
    "unauthenticated connections can exhaust the server; require NLA on the server unless a client cannot do it.");

static const char advice_ok_unpatched[] =
    CSSP_N_("It works, but CredSSP versions 2-4 are vulnerable to CVE-2018-0886: apply the CredSSP update to the "
    "unpatched side (a patched client on the default Mitigated policy refuses an unpatched server).");

static const char advice_decrypt_server[] =
    CSSP_N_("Decrypt the TLS (key log) to read the CredSSP versions; if the server offers version 2-4, update it with "
    "the CVE-2018-0886 CredSSP update.");

static const char advice_decrypt_client[] =
    CSSP_N_("Decrypt the TLS (key log) to read the CredSSP versions; if the client offers version 2-4, update it with "
    "the CVE-2018-0886 CredSSP update.");

static const char *advice_neg_failure(uint32_t code)
{
    switch (code) {
    case 1:
        return CSSP_N_("The server requires TLS or CredSSP: let the client request TLS and Network Level Authentication.");
    case 2:
        return CSSP_N_("The server allows only Standard RDP Security: set its security layer to Negotiate or SSL (TLS) "
               "with a valid certificate.");
    case 3:
        return CSSP_N_("The server has no valid certificate for TLS: install or renew its Remote Desktop certificate.");
    case 4:
        return CSSP_N_("The requested protocols conflict with the server's security protocol in effect: check the "
               "client's security settings.");
    case 5:
        return CSSP_N_("The server requires Network Level Authentication (CredSSP): use a client that supports it and "
               "enable it; this is not the CredSSP version problem.");
    case 6:
        return CSSP_N_("The server requires TLS with a client certificate: configure one on the client.");
    default:
        return CSSP_N_("Compare the security settings of client and server (TLS, Network Level Authentication).");
    }
}

static const char *advice_for_cause(const cssp_facts *f, cssp_cause cause)
{
    switch (cause) {
    case CSSP_CAUSE_NTLM_REFUSED: return advice_ntlm_refused;
    case CSSP_CAUSE_UNSUPPORTED_FUNCTION: return advice_unsupported_function;
    case CSSP_CAUSE_ACCOUNT_RESTRICTION:
        return f->auth_package == CSSP_PACKAGE_NTLM ? advice_account_restriction_ntlm : advice_account_restriction;
    case CSSP_CAUSE_LOGON_FAILURE: return advice_logon_failure;
    case CSSP_CAUSE_PASSWORD_EXPIRED: return advice_password_expired;
    case CSSP_CAUSE_ACCOUNT_LOCKED_OUT: return advice_locked_out;
    case CSSP_CAUSE_ACCOUNT_DISABLED: return advice_disabled;
    default: return advice_credentials;
    }
}

const char *verdict_advice_for(const cssp_conn *c, const decision *d, cssp_cause cause, unsigned findings)
{
    const cssp_facts *f = &c->facts;
    switch (d->verdict) {
    case CSSP_VERDICT_VERSION_MISMATCH:
        return d->evidence == CSSP_EVIDENCE_TRAFFIC_SHAPE ? advice_decrypt_server : advice_update_server;
    case CSSP_VERDICT_REJECTED_UNPATCHED_CLIENT:
        return advice_update_client;
    case CSSP_VERDICT_AUTH_FAILED:
        return advice_for_cause(f, cause);
    case CSSP_VERDICT_NO_NLA:
        return advice_no_nla;
    case CSSP_VERDICT_NEGOTIATION_FAILED:
        return advice_neg_failure(f->failure_code);
    case CSSP_VERDICT_OK:
        return findings & (CSSP_FINDING_SERVER_UNPATCHED | CSSP_FINDING_CLIENT_UNPATCHED) ? advice_ok_unpatched
                                                                                         : NULL;
    case CSSP_VERDICT_INCOMPLETE:
    case CSSP_VERDICT_GATEWAY_REFUSED: /* never the engine's: lib/core/gateway.c judges tunnels */
        break;
    }
    unsigned leg = c->first_close >= 0 ? c->close_leg : c->leg;
    if (leg == LEG_SERVER_FIRST && verdict_client_patched(f) && verdict_server_unpatched(f))
        return advice_update_server;
    if (verdict_closed_at(c, CSSP_FROM_CLIENT, LEG_SERVER_FIRST) && !(f->client_version_seen && f->server_version_seen))
        return advice_decrypt_server;
    if (verdict_closed_at(c, CSSP_FROM_SERVER, LEG_CLIENT_FIRST) && !f->client_version_seen)
        return advice_decrypt_client;
    return NULL;
}

void verdict_explain(const cssp_conn *c, const decision *d, cssp_translate tr, char *buf, size_t size)
{
    text t = {.buf = buf, .size = size, .used = 0, .full = false, .tr = tr};
    explain(&t, c, d);
}
