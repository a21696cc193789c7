/*
 * result.h - what credssp-probe learns of one target: the facts of its exchange, the server's names
 * and certificate, the judgement, or the error that stopped it.
 */
#ifndef PROBE_RESULT_H
#define PROBE_RESULT_H

#include <stdbool.h>

#include "cssp/ntlmssp.h"
#include "cssp/packet.h"
#include "cssp/server_state.h"
#include "cssp/verdict.h"

typedef enum probe_error {
    PROBE_OK = 0,
    PROBE_ERR_TARGET,       /* "bad_target": not HOST[:PORT] */
    PROBE_ERR_RESOLVE,      /* "unresolved": the name does not resolve */
    PROBE_ERR_REFUSED,      /* "refused": connection refused */
    PROBE_ERR_UNREACHABLE,  /* "unreachable": no route, network down, ... */
    PROBE_ERR_TIMEOUT,      /* "timeout": connect or overall timeout */
    PROBE_ERR_CLOSED,       /* "closed": the server closed the connection before answering */
    PROBE_ERR_NOT_RDP,      /* "not_rdp": the answer to the Connection Request is not X.224 */
    PROBE_ERR_TLS,          /* "tls_failed": the TLS handshake failed */
    PROBE_ERR_BAD_REPLY,    /* "bad_reply": the answer to the NEGOTIATE is not a readable TSRequest */
    PROBE_ERR_NETWORK       /* "network": another socket error */
} probe_error;

typedef struct probe_result {
    char *target;                        /* as given on the command line or in the file */
    bool connected;
    tcp_endpoint server;                 /* the address connected to */
    cssp_conn conn;                      /* the engine's facts: negotiation, TLS, versions, server OS */
    uint16_t tls_version;                /* 0x0301..0x0304; 0 before TLS (also kept here: the engine settles */
    char tls_cipher[64];                 /* before TLS when the server selected SSL); IANA name of the suite */
    char *certificate_subject;           /* RFC 2253, UTF-8; NULL before TLS */
    bool has_target_names;
    cssp_ntlm_target names;              /* from the server's CHALLENGE */
    probe_error error;
    char *problem;                       /* one sentence about the error; NULL when none */
    cssp_server_judgement judgement;     /* valid when error == PROBE_OK */
} probe_result;

const char *probe_error_name(probe_error e);   /* "refused" */

/* Records the error and its sentence (printf-style); the first error wins. */
void probe_fail(probe_result *r, probe_error e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void probe_result_free(probe_result *r);

#endif
