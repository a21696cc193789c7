/*
 * server_state.h - what a server's own answer says of it: the judgement of credssp-probe.
 *
 * The probe feeds one cssp_conn (verdict.h) with the events of its exchange - its Connection Request, the
 * server's Confirm or failure, the TLS handshake, its own NEGOTIATE TSRequest and the server's reply - and
 * asks here for the server's state. The rules are the verdict engine's (docs/verdicts.md): the same
 * "2-4 unpatched, 5-6 patched" reading of a version, the same no_nla and negotiation_failed.
 */
#ifndef CSSP_SERVER_STATE_H
#define CSSP_SERVER_STATE_H

#include "cssp/verdict.h"

typedef enum cssp_server_state {
    CSSP_SERVER_UNPATCHED = 0,         /* "server_unpatched": offers CredSSP 2-4 */
    CSSP_SERVER_PATCHED,               /* "patched": offers 5 or 6 (a higher version is read as 6) */
    CSSP_SERVER_NO_NLA,                /* "no_nla": selected a protocol without CredSSP */
    CSSP_SERVER_NEGOTIATION_FAILED,    /* "negotiation_failed": answered RDP_NEG_FAILURE */
    CSSP_SERVER_UNDETERMINED           /* "undetermined": CredSSP selected, no version 2-6 read */
} cssp_server_state;

typedef struct cssp_server_judgement {
    cssp_server_state state;
    unsigned findings;                 /* CSSP_FINDING_* of the engine (server_unpatched, nla_not_used, legacy_tls) */
    char explanation[512];             /* one sentence (room for a translation, as cssp_judgement) */
    const char *advice;                /* static text; NULL when there is nothing to advise */
} cssp_server_judgement;

void cssp_server_judge(const cssp_conn *c, cssp_server_judgement *out);
/* The same with the explanation in tr's language (cssp/words.h; NULL: English); the advice stays English. */
void cssp_server_judge_in(const cssp_conn *c, cssp_translate tr, cssp_server_judgement *out);

const char *cssp_server_state_name(cssp_server_state s);   /* "server_unpatched" */

#endif
