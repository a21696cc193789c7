/*
 * exchange.h - one probe of one target: connect, X.224 Connection Request, TLS, one TSRequest
 * (CredSSP 6, NTLM NEGOTIATE), the server's reply, close. Never an AUTHENTICATE, never credentials.
 */
#ifndef PROBE_EXCHANGE_H
#define PROBE_EXCHANGE_H

#include <glib.h>
#include <openssl/ssl.h>

#include "result.h"

typedef struct probe_settings {
    SSL_CTX *tls;
    gint64 connect_timeout_us;   /* for the TCP connection */
    gint64 timeout_us;           /* for the whole exchange of one target, connection included */
} probe_settings;

/* Probes r->target and fills r: the facts, and the judgement or the error. */
void exchange_run(const probe_settings *s, probe_result *r);

#endif
