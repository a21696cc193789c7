/*
 * reply.c - reading a server's answers without I/O (see reply.h).
 *
 * Every step feeds the verdict engine the event it would read in a capture of the same exchange - the
 * Connection Request and Confirm, the client's NEGOTIATE TSRequest and the server's reply - so the
 * judgement (server_state.h) rests on the rules the analyzer uses.
 */
#include "reply.h"

#include "cssp/der.h"
#include "cssp/probe_request.h"
#include "cssp/tsrequest.h"
#include "cssp/x224.h"

#define REQUESTED_PROTOCOLS (CSSP_PROTO_SSL | CSSP_PROTO_HYBRID | CSSP_PROTO_HYBRID_EX)
#define TPKT_HEADER_LEN 4
#define X224_MIN_LEN (TPKT_HEADER_LEN + 3)

static void feed_x224(probe_result *r, const cssp_x224 *x, cssp_dir dir)
{
    cssp_event ev;
    if (cssp_x224_event(x, dir, 0, &ev))
        cssp_conn_feed(&r->conn, &ev);
}

size_t reply_start(probe_result *r, uint8_t *buf, size_t size)
{
    size_t len = cssp_build_connection_request(REQUESTED_PROTOCOLS, buf, size);
    cssp_x224 x;
    if (len && cssp_x224_decode(buf, len, &x) == CSSP_OK)
        feed_x224(r, &x, CSSP_FROM_CLIENT);
    return len;
}

size_t reply_confirm_size(probe_result *r, const uint8_t head[4])
{
    size_t pdu_len;
    if (cssp_tpkt_size(head, TPKT_HEADER_LEN, &pdu_len) != CSSP_OK || pdu_len < X224_MIN_LEN ||
        pdu_len > REPLY_CONFIRM_MAX) {
        probe_fail(r, PROBE_ERR_NOT_RDP, "the server's answer to the X.224 Connection Request is not TPKT "
                   "(first bytes %02X %02X %02X %02X): not an RDP server", head[0], head[1], head[2], head[3]);
        return 0;
    }
    return pdu_len;
}

bool reply_confirm(probe_result *r, const uint8_t *pdu, size_t len)
{
    cssp_x224 x;
    cssp_status st = cssp_x224_decode(pdu, len, &x);
    if (st != CSSP_OK || x.kind != CSSP_X224_CONNECTION_CONFIRM) {
        probe_fail(r, PROBE_ERR_NOT_RDP, "the server answered the X.224 Connection Request with %s: not an RDP "
                   "server", st != CSSP_OK ? cssp_status_string(st) : "another TPDU than a Connection Confirm");
        return false;
    }
    feed_x224(r, &x, CSSP_FROM_SERVER);
    return true;
}

static void feed_tsrequest(probe_result *r, const uint8_t *buf, const cssp_tsrequest *req, cssp_dir dir)
{
    cssp_tsreq_summary summary;
    cssp_tsreq_summarize(buf, req, &summary);
    cssp_event ev = {.type = CSSP_EV_TSREQUEST, .dir = dir, .u.tsreq = &summary};
    cssp_conn_feed(&r->conn, &ev);
}

size_t reply_negotiate(probe_result *r, uint8_t *buf, size_t size)
{
    size_t len = cssp_build_negotiate_tsrequest(buf, size);
    cssp_tsrequest req;
    if (len && cssp_tsrequest_decode(buf, len, &req) == CSSP_OK)
        feed_tsrequest(r, buf, &req, CSSP_FROM_CLIENT);
    return len;
}

size_t reply_tsrequest_size(probe_result *r, const uint8_t *buf, size_t have)
{
    size_t total;
    cssp_status st = cssp_der_element_size(buf, have, &total);
    if (st == CSSP_ERR_TRUNCATED)
        return 0;
    if (st != CSSP_OK) {
        probe_fail(r, PROBE_ERR_BAD_REPLY, "the server's reply is not a TSRequest: %s", cssp_status_string(st));
        return REPLY_NOT_TSREQUEST;
    }
    if (total > REPLY_TSREQUEST_MAX) {
        probe_fail(r, PROBE_ERR_BAD_REPLY, "the server's reply announces %zu bytes, more than the %d a TSRequest "
                   "with a CHALLENGE can need", total, REPLY_TSREQUEST_MAX);
        return REPLY_NOT_TSREQUEST;
    }
    return have >= total ? total : 0;
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

void reply_tsrequest(probe_result *r, const uint8_t *buf, size_t len)
{
    cssp_tsrequest req;
    cssp_status st = cssp_tsrequest_decode(buf, len, &req);
    if (st != CSSP_OK) {
        probe_fail(r, PROBE_ERR_BAD_REPLY, "the server's reply is not a valid TSRequest: %s", cssp_status_string(st));
        return;
    }
    feed_tsrequest(r, buf, &req, CSSP_FROM_SERVER);
    read_target_names(r, buf, &req);
}

void reply_finish(probe_result *r)
{
    cssp_event end = {.type = CSSP_EV_END_OF_CAPTURE};
    cssp_conn_feed(&r->conn, &end);
    if (r->error == PROBE_OK)
        cssp_server_judge(&r->conn, &r->judgement);
}
