/*
 * server_state.c - the probe's judgement of a server (see server_state.h), on the verdict engine's rules.
 *
 * no_nla and negotiation_failed, their explanations and advice are the engine's own judgement of the
 * exchange. A server's version is read by verdict_server_unpatched() / verdict_server_patched(), the
 * one place where "2-4 unpatched, 5-6 patched" is written.
 */
#include "cssp/server_state.h"

#include <stdio.h>
#include <string.h>

#include "verdict_internal.h"

static const char advice_patched[] =
    CSSP_N_("No update is needed for CVE-2018-0886. If clients still fail with 'The function requested is not "
    "supported', check the server's own Encryption Oracle Remediation policy (on Force Updated Clients it "
    "refuses unpatched clients) and the clients' updates.");

static void explain_version(const cssp_facts *f, bool unpatched, cssp_translate tr, char *buf, size_t size)
{
    char os[48] = "";
    if (f->has_server_os)
        snprintf(os, sizeof os, cssp_tr(tr, " (NTLM says Windows %u.%u build %u)"), f->server_os_major, f->server_os_minor,
                 f->server_os_build);
    if (unpatched)
        snprintf(buf, size, cssp_tr(tr, "The server answered with CredSSP v%u%s, a version without the CVE-2018-0886 fix: "
                 "a patched client on Mitigated or Force Updated Clients refuses it with 'The function requested "
                 "is not supported'."), (unsigned)f->server_version, os);
    else
        snprintf(buf, size, cssp_tr(tr, "The server answered with CredSSP v%u%s, so it has the CVE-2018-0886 update; its "
                 "own Encryption Oracle Remediation policy (whether it refuses unpatched clients) does not show "
                 "in the version."), (unsigned)f->server_version, os);
}

void cssp_server_judge(const cssp_conn *c, cssp_server_judgement *out)
{
    cssp_server_judge_in(c, NULL, out);
}

void cssp_server_judge_in(const cssp_conn *c, cssp_translate tr, cssp_server_judgement *out)
{
    cssp_judgement j;
    const cssp_facts *f = &c->facts;
    memset(out, 0, sizeof *out);
    cssp_conn_judge_in(c, tr, &j);
    out->findings = j.findings;
    if (j.verdict == CSSP_VERDICT_NEGOTIATION_FAILED || j.verdict == CSSP_VERDICT_NO_NLA) {
        out->state = j.verdict == CSSP_VERDICT_NO_NLA ? CSSP_SERVER_NO_NLA : CSSP_SERVER_NEGOTIATION_FAILED;
        memcpy(out->explanation, j.explanation, sizeof out->explanation);
        out->advice = j.advice;
    } else if (verdict_server_unpatched(f)) {
        out->state = CSSP_SERVER_UNPATCHED;
        explain_version(f, true, tr, out->explanation, sizeof out->explanation);
        out->advice = j.advice; /* the engine's advice for a patched client meeting this server */
    } else if (verdict_server_patched(f)) {
        out->state = CSSP_SERVER_PATCHED;
        explain_version(f, false, tr, out->explanation, sizeof out->explanation);
        out->advice = advice_patched;
    } else {
        out->state = CSSP_SERVER_UNDETERMINED;
        if (f->server_version_seen)
            snprintf(out->explanation, sizeof out->explanation, cssp_tr(tr, "The server answered with CredSSP v%u, which "
                     "is neither an unpatched (2-4) nor a patched (5-6) version."), (unsigned)f->server_version);
        else
            snprintf(out->explanation, sizeof out->explanation, "%s", cssp_tr(tr, "The server selected CredSSP but its CredSSP "
                     "version was not read."));
    }
}

const char *cssp_server_state_name(cssp_server_state s)
{
    static const char *const names[] = {
        [CSSP_SERVER_UNPATCHED] = "server_unpatched",
        [CSSP_SERVER_PATCHED] = "patched",
        [CSSP_SERVER_NO_NLA] = "no_nla",
        [CSSP_SERVER_NEGOTIATION_FAILED] = "negotiation_failed",
        [CSSP_SERVER_UNDETERMINED] = "undetermined",
    };
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : NULL;
}
