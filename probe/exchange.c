/*
 * exchange.c - the probe's conversation with one server (see exchange.h).
 *
 * Every step feeds the verdict engine the event it would read in a capture of the same exchange - the
 * Connection Request and Confirm, the TLS handshake, the client's NEGOTIATE TSRequest and the server's
 * reply - so the judgement (server_state.h) rests on the rules the analyzer uses. The probe's own close
 * is not fed: the engine would read a client leaving after the CHALLENGE as a refusal.
 */
#include "exchange.h"

#include <string.h>
#include <unistd.h>

#include "cssp/der.h"
#include "cssp/probe_request.h"
#include "cssp/tsrequest.h"
#include "cssp/x224.h"
#include "net.h"
#include "target.h"
#include "tls_client.h"

#define REQUESTED_PROTOCOLS (CSSP_PROTO_SSL | CSSP_PROTO_HYBRID | CSSP_PROTO_HYBRID_EX)
#define X224_CONFIRM_MAX 512      /* a Connection Confirm is 19 bytes; a longer answer is not one */
#define TSREQUEST_REPLY_MAX 16384 /* a CHALLENGE TSRequest is a few hundred bytes */

static void feed_x224(probe_result *r, const uint8_t *pdu, size_t len, cssp_dir dir)
{
    cssp_x224 x;
    cssp_event ev;
    if (cssp_x224_decode(pdu, len, &x) == CSSP_OK && cssp_x224_event(&x, dir, 0, &ev))
        cssp_conn_feed(&r->conn, &ev);
}

/* Sends the Connection Request and reads the Confirm; false with the error recorded. */
static bool negotiate(int fd, gint64 deadline, probe_result *r)
{
    uint8_t request[CSSP_CONNECTION_REQUEST_LEN];
    size_t request_len = cssp_build_connection_request(REQUESTED_PROTOCOLS, request, sizeof request);
    feed_x224(r, request, request_len, CSSP_FROM_CLIENT);
    if (!net_send_all(fd, request, request_len, deadline, r))
        return false;
    uint8_t confirm[X224_CONFIRM_MAX];
    size_t pdu_len;
    if (!net_recv_exact(fd, confirm, 4, deadline, r, "an answer to the X.224 Connection Request (an RDP server "
                        "always answers it: this one does not speak RDP, or refuses this client)"))
        return false;
    if (cssp_tpkt_size(confirm, 4, &pdu_len) != CSSP_OK || pdu_len < 4 + 3 || pdu_len > sizeof confirm) {
        probe_fail(r, PROBE_ERR_NOT_RDP, "the server's answer to the X.224 Connection Request is not TPKT "
                   "(first bytes %02X %02X %02X %02X): not an RDP server", confirm[0], confirm[1], confirm[2],
                   confirm[3]);
        return false;
    }
    if (!net_recv_exact(fd, confirm + 4, pdu_len - 4, deadline, r, "the rest of the X.224 Connection Confirm"))
        return false;
    cssp_x224 x;
    cssp_status st = cssp_x224_decode(confirm, pdu_len, &x);
    if (st != CSSP_OK || x.kind != CSSP_X224_CONNECTION_CONFIRM) {
        probe_fail(r, PROBE_ERR_NOT_RDP, "the server answered the X.224 Connection Request with %s: not an RDP "
                   "server", st != CSSP_OK ? cssp_status_string(st) : "another TPDU than a Connection Confirm");
        return false;
    }
    feed_x224(r, confirm, pdu_len, CSSP_FROM_SERVER);
    return true;
}

static void feed_tsrequest(probe_result *r, const uint8_t *buf, const cssp_tsrequest *req, cssp_dir dir)
{
    cssp_tsreq_summary summary;
    cssp_tsreq_summarize(buf, req, &summary);
    cssp_event ev = {.type = CSSP_EV_TSREQUEST, .dir = dir, .u.tsreq = &summary};
    cssp_conn_feed(&r->conn, &ev);
}

/* The server's names from the CHALLENGE in its reply's first negoToken, if there is one. */
static void read_target_names(probe_result *r, const uint8_t *buf, const cssp_tsrequest *req)
{
    const cssp_span *token = &req->nego_tokens[0];
    cssp_token_info info;
    if (req->nego_token_count == 0 || !token->present ||
        cssp_token_inspect(buf + token->value_offset, token->value_length, &info) != CSSP_OK || !info.has_ntlm ||
        info.ntlm.type != CSSP_NTLM_CHALLENGE)
        return;
    const uint8_t *msg = buf + token->value_offset + info.ntlm_offset;
    size_t msg_len = token->value_length - info.ntlm_offset;
    cssp_status st = cssp_ntlm_challenge_target(msg, msg_len, &r->names);
    r->has_target_names = st == CSSP_OK || st == CSSP_ERR_LENGTH_PAST_END;
}

/* Reads one whole DER element (the server's TSRequest) through TLS into buf; its length, or 0. */
static size_t read_reply(SSL *ssl, int fd, gint64 deadline, uint8_t *buf, size_t size, probe_result *r)
{
    const char *what = "its reply to the NTLM NEGOTIATE (a TSRequest)";
    size_t have = 0, total = 0;
    for (;;) {
        if (have > 0) {
            cssp_status st = cssp_der_element_size(buf, have, &total);
            if (st == CSSP_OK && total > size) {
                probe_fail(r, PROBE_ERR_BAD_REPLY, "the server's reply announces %zu bytes, more than the %zu a "
                           "TSRequest with a CHALLENGE can need", total, size);
                return 0;
            }
            if (st == CSSP_OK && have >= total)
                return total;
            if (st != CSSP_OK && st != CSSP_ERR_TRUNCATED) {
                probe_fail(r, PROBE_ERR_BAD_REPLY, "the server's reply is not a TSRequest: %s",
                           cssp_status_string(st));
                return 0;
            }
        }
        size_t n = tls_client_read(ssl, fd, buf + have, size - have, deadline, r, what);
        if (n == 0)
            return 0;
        have += n;
    }
}

/* CredSSP: the NEGOTIATE TSRequest out, the server's TSRequest in. */
static void ask_version(SSL *ssl, int fd, gint64 deadline, probe_result *r)
{
    uint8_t negotiate[CSSP_PROBE_TSREQUEST_LEN];
    size_t negotiate_len = cssp_build_negotiate_tsrequest(negotiate, sizeof negotiate);
    cssp_tsrequest req;
    if (cssp_tsrequest_decode(negotiate, negotiate_len, &req) == CSSP_OK)
        feed_tsrequest(r, negotiate, &req, CSSP_FROM_CLIENT);
    if (!tls_client_write(ssl, fd, negotiate, negotiate_len, deadline, r))
        return;
    uint8_t *reply = g_malloc(TSREQUEST_REPLY_MAX);
    size_t reply_len = read_reply(ssl, fd, deadline, reply, TSREQUEST_REPLY_MAX, r);
    if (reply_len > 0) {
        cssp_status st = cssp_tsrequest_decode(reply, reply_len, &req);
        if (st != CSSP_OK) {
            probe_fail(r, PROBE_ERR_BAD_REPLY, "the server's reply is not a valid TSRequest: %s",
                       cssp_status_string(st));
        } else {
            feed_tsrequest(r, reply, &req, CSSP_FROM_SERVER);
            read_target_names(r, reply, &req);
        }
    }
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
    cssp_event end = {.type = CSSP_EV_END_OF_CAPTURE};
    cssp_conn_feed(&r->conn, &end);
    if (r->error == PROBE_OK)
        cssp_server_judge(&r->conn, &r->judgement);
}
