/*
 * exchange.c - the probe's conversation with one server (see exchange.h): the I/O around reply.c.
 *
 * The probe's own close is not fed to the engine: it would read a client leaving after the CHALLENGE
 * as a refusal of the server's version.
 */
#include "exchange.h"

#include <unistd.h>

#include "cssp/probe_request.h"
#include "net.h"
#include "reply.h"
#include "target.h"
#include "tls_client.h"

/* Sends the Connection Request and reads the Confirm; false with the error recorded. */
static bool negotiate(int fd, gint64 deadline, probe_result *r)
{
    uint8_t request[CSSP_CONNECTION_REQUEST_LEN], confirm[REPLY_CONFIRM_MAX];
    size_t request_len = reply_start(r, request, sizeof request);
    if (!net_send_all(fd, request, request_len, deadline, r))
        return false;
    if (!net_recv_exact(fd, confirm, 4, deadline, r, "an answer to the X.224 Connection Request (an RDP server "
                        "always answers it: this one does not speak RDP, or refuses this client)"))
        return false;
    size_t pdu_len = reply_confirm_size(r, confirm);
    return pdu_len > 0 &&
           net_recv_exact(fd, confirm + 4, pdu_len - 4, deadline, r, "the rest of the X.224 Connection Confirm") &&
           reply_confirm(r, confirm, pdu_len);
}

/* CredSSP: the NEGOTIATE TSRequest out, the server's TSRequest in. */
static void ask_version(SSL *ssl, int fd, gint64 deadline, probe_result *r)
{
    uint8_t negotiate_req[CSSP_PROBE_TSREQUEST_LEN];
    size_t negotiate_len = reply_negotiate(r, negotiate_req, sizeof negotiate_req);
    if (!tls_client_write(ssl, fd, negotiate_req, negotiate_len, deadline, r))
        return;
    uint8_t *reply = g_malloc(REPLY_TSREQUEST_MAX);
    size_t have = 0, total = 0;
    while (total == 0) {
        size_t n = tls_client_read(ssl, fd, reply + have, REPLY_TSREQUEST_MAX - have, deadline, r,
                                   "its reply to the NTLM NEGOTIATE (a TSRequest)");
        if (n == 0)
            break;
        have += n;
        total = reply_tsrequest_size(r, reply, have);
    }
    if (total > 0 && total != REPLY_NOT_TSREQUEST)
        reply_tsrequest(r, reply, total);
    g_free(reply);
}

static bool selected(const cssp_facts *f, uint32_t protocol)
{
    return f->has_response && f->response_has_neg && f->selected_protocol == protocol;
}

static bool credssp_selected(const cssp_facts *f)
{
    return selected(f, CSSP_PROTO_HYBRID) || selected(f, CSSP_PROTO_HYBRID_EX);
}

void exchange_run(const probe_settings *s, probe_result *r)
{
    char *host;
    uint16_t port;
    const char *why;
    cssp_conn_init(&r->conn);
    if (!target_parse(r->target, &host, &port, &why)) {
        probe_fail(r, PROBE_ERR_TARGET, "not HOST[:PORT]: %s", why);
        return;
    }
    gint64 start = g_get_monotonic_time();
    gint64 deadline = start + s->timeout_us;
    gint64 connect_deadline = MIN(deadline, start + s->connect_timeout_us);
    int fd = net_connect(host, port, connect_deadline, r);
    g_free(host);
    if (fd < 0)
        return;
    const cssp_facts *f = &r->conn.facts;
    if (negotiate(fd, deadline, r) && (credssp_selected(f) || selected(f, CSSP_PROTO_SSL))) {
        SSL *ssl = tls_client_handshake(s->tls, fd, deadline, r);
        if (ssl && credssp_selected(f))
            ask_version(ssl, fd, deadline, r);
        tls_client_close(ssl);
    }
    close(fd);
    reply_finish(r);
}
