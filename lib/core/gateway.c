/*
 * gateway.c - an RD Gateway tunnel's set-up and who refused it (see gateway.h). The order of the steps and
 * the meaning of the HRESULTs are [MS-TSGU] 3.7.5 (client) and 2.2.6; the gateway's HTTP authentication
 * is RFC 9110 11 (401 with a challenge, the request again with credentials).
 */
#include "cssp/gateway.h"

#include <stdio.h>
#include <string.h>

#include "cssp/names.h"
#include "cssp/words.h"

#define GATEWAY_PATH "/remotedesktopgateway/"

static bool target_is_gateway_path(const char *target)
{
    size_t n = strlen(GATEWAY_PATH);
    if (strlen(target) < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = target[i];
        if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != GATEWAY_PATH[i])
            return false;
    }
    return true;
}

bool cssp_gateway_request(const cssp_http_head *request, const uint8_t *data, cssp_gateway_transport *transport)
{
    if (!request->is_request)
        return false;
    bool upgrade = cssp_http_field_has_token(request, data, "Upgrade", "websocket");
    *transport = upgrade ? CSSP_GW_TRANSPORT_WEBSOCKET : CSSP_GW_TRANSPORT_LEGACY;
    if (strcmp(request->method, "RDG_OUT_DATA") == 0 || strcmp(request->method, "RDG_IN_DATA") == 0)
        return true;
    return strcmp(request->method, "GET") == 0 && upgrade && target_is_gateway_path(request->target);
}

void cssp_gateway_init(cssp_gateway *g, cssp_gateway_transport transport)
{
    memset(g, 0, sizeof *g);
    g->transport = transport;
}

void cssp_gateway_http(cssp_gateway *g, cssp_dir dir, const cssp_http_head *head, const uint8_t *data)
{
    const uint8_t *value;
    size_t len;
    if (dir == CSSP_FROM_CLIENT) {
        if (head->is_request && cssp_http_field_value(head, data, "Authorization", &value, &len))
            g->auth_scheme = cssp_http_auth_scheme(value, len);
        return;
    }
    if (head->is_request)
        return;
    if (g->status_count < CSSP_GATEWAY_MAX_STATUSES)
        g->statuses[g->status_count] = head->status;
    g->status_count++;
    /* a request with Upgrade: websocket answered 200, not 101: the gateway goes on with the legacy transport */
    if (head->status == 200 && g->stage == CSSP_GW_HTTP)
        g->transport = CSSP_GW_TRANSPORT_LEGACY;
    if (head->status == 401 && g->auth_scheme == CSSP_HTTP_AUTH_NONE &&
        cssp_http_field_value(head, data, "WWW-Authenticate", &value, &len))
        g->auth_scheme = cssp_http_auth_scheme(value, len);
}

static void advance(cssp_gateway *g, cssp_gateway_stage stage)
{
    if (stage > g->stage)
        g->stage = stage;
}

/* A response's HRESULT: any value but S_OK refuses the step ([MS-TSGU] 3.7.5.x). */
static void answer(cssp_gateway *g, cssp_gateway_stage stage, const cssp_tsgu_packet *p)
{
    advance(g, stage);
    if (p->has_status && p->status != 0 && !g->refused) {
        g->refused = true;
        g->refused_at = stage;
        g->refusal = p->status;
    }
}

void cssp_gateway_packet(cssp_gateway *g, cssp_dir dir, const cssp_tsgu_packet *p)
{
    switch (p->type) {
    case CSSP_TSGU_HANDSHAKE_REQUEST: advance(g, CSSP_GW_HANDSHAKE); break;
    case CSSP_TSGU_HANDSHAKE_RESPONSE: answer(g, CSSP_GW_HANDSHAKE, p); break;
    case CSSP_TSGU_TUNNEL_CREATE:
        advance(g, CSSP_GW_TUNNEL);
        g->paa_cookie = g->paa_cookie || p->has_paa_cookie;
        break;
    case CSSP_TSGU_TUNNEL_RESPONSE: answer(g, CSSP_GW_TUNNEL, p); break;
    case CSSP_TSGU_TUNNEL_AUTH: advance(g, CSSP_GW_AUTHORIZATION); break;
    case CSSP_TSGU_TUNNEL_AUTH_RESPONSE: answer(g, CSSP_GW_AUTHORIZATION, p); break;
    case CSSP_TSGU_CHANNEL_CREATE:
        advance(g, CSSP_GW_CHANNEL);
        if (g->channels++ == 0) {
            snprintf(g->target, sizeof g->target, "%s:%u", p->resource, (unsigned)p->port);
            g->has_target = true;
        }
        break;
    case CSSP_TSGU_CHANNEL_RESPONSE:
        answer(g, CSSP_GW_CHANNEL, p);
        if (!g->refused)
            advance(g, CSSP_GW_OPEN);
        break;
    case CSSP_TSGU_DATA:
        advance(g, CSSP_GW_OPEN);
        g->data_bytes[dir] += p->data_len;
        break;
    case CSSP_TSGU_CLOSE_CHANNEL:
        if (!g->channel_closed) {
            g->channel_closed = true;
            g->close_status = p->has_status ? p->status : 0;
        }
        break;
    default: break;
    }
}

/* The last HTTP status kept (0 when none): later ones past the limit are not. */
static unsigned last_status(const cssp_gateway *g)
{
    unsigned kept = g->status_count < CSSP_GATEWAY_MAX_STATUSES ? g->status_count : CSSP_GATEWAY_MAX_STATUSES;
    return kept ? g->statuses[kept - 1] : 0;
}

bool cssp_gateway_refused(const cssp_gateway *g)
{
    /* a *_RESPONSE refused, or the gateway's last HTTP answer was an error and the tunnel protocol never started */
    return g->refused || (g->stage == CSSP_GW_HTTP && last_status(g) >= 400);
}

const char *cssp_gateway_stage_name(cssp_gateway_stage stage)
{
    static const char *const names[] = {
        [CSSP_GW_HTTP] = "http_authentication", [CSSP_GW_HANDSHAKE] = "handshake",
        [CSSP_GW_TUNNEL] = "tunnel",            [CSSP_GW_AUTHORIZATION] = "authorization",
        [CSSP_GW_CHANNEL] = "channel",          [CSSP_GW_OPEN] = "open",
    };
    return (unsigned)stage < sizeof names / sizeof names[0] ? names[stage] : NULL;
}

const char *cssp_gateway_transport_name(cssp_gateway_transport t)
{
    return t == CSSP_GW_TRANSPORT_WEBSOCKET ? "websocket" : "legacy";
}

const char *cssp_gateway_refusing_part(const cssp_gateway *g)
{
    if (!cssp_gateway_refused(g))
        return NULL;
    return cssp_gateway_stage_name(g->refused ? g->refused_at : CSSP_GW_HTTP);
}

static const char advice_http[] =
    CSSP_N_("Check the user's credentials for the RD Gateway and the authentication methods it accepts (IIS / RD Gateway "
    "Manager); the target server was never contacted.");
static const char advice_policy[] =
    CSSP_N_("Check the RD Gateway's policies in RD Gateway Manager: the connection authorization policy (CAP) for the user "
    "and the resource authorization policy (RAP) for the target computer.");
static const char advice_reach[] =
    CSSP_N_("Check that the RD Gateway can resolve and reach the target on its RDP port (DNS, firewall, the target's Remote "
    "Desktop service).");
static const char advice_gateway[] = CSSP_N_("Check the RD Gateway's event log (TerminalServices-Gateway) for this refusal.");

/* "E_PROXY_RAP_ACCESSDENIED (0x800759DA, the resource authorization policy denies ...)" */
static void status_text(uint32_t status, char *buf, size_t size)
{
    const cssp_name *n = cssp_name_lookup(cssp_tsgu_status_names, status);
    if (n)
        snprintf(buf, size, "%s (0x%08X: %s)", n->name, (unsigned)status, n->text);
    else
        snprintf(buf, size, "0x%08X", (unsigned)status);
}

void cssp_gateway_judge(const cssp_gateway *g, cssp_judgement *j)
{
    cssp_gateway_judge_in(g, NULL, j);
}

void cssp_gateway_judge_in(const cssp_gateway *g, cssp_translate tr, cssp_judgement *j)
{
    if (!cssp_gateway_refused(g))
        return;
    char status[160];
    const char *target = g->has_target ? g->target : cssp_tr(tr, "the target");
    j->verdict = CSSP_VERDICT_GATEWAY_REFUSED;
    j->evidence = CSSP_EVIDENCE_DECRYPTED;
    if (!g->refused) {
        unsigned last = last_status(g);
        const char *scheme = cssp_http_auth_name(g->auth_scheme);
        snprintf(j->explanation, sizeof j->explanation,
                 cssp_tr(tr, "The RD Gateway refused the client at HTTP %s (HTTP %u%s%s): the user did not log on to the gateway, so "
                 "no connection to the target server was made and CredSSP never started."),
                 cssp_tr(tr, last == 401 || last == 403 ? "authentication" : "level"), last, scheme ? ", " : "",
                 scheme ? scheme : "");
        j->advice = advice_http;
        return;
    }
    status_text(g->refusal, status, sizeof status);
    switch (g->refused_at) {
    case CSSP_GW_AUTHORIZATION:
        snprintf(j->explanation, sizeof j->explanation,
                 cssp_tr(tr, "The RD Gateway's connection authorization policy (CAP) refused the user: TUNNEL_AUTH_RESPONSE %s. The "
                 "target server was never contacted."), status);
        j->advice = advice_policy;
        break;
    case CSSP_GW_CHANNEL: {
        const char *why = cssp_tr(tr, g->refusal == 0x800759DD ? "; the gateway could not connect to the target, CredSSP never started."
                          : g->refusal == 0x800759DA ? "; its resource authorization policy (RAP) does not allow this target."
                                                     : "; CredSSP with the target never started.");
        /* a target name near its limit may cut the end of the sentence; the explanation stays a valid string */
        size_t written = (size_t)snprintf(j->explanation, sizeof j->explanation,
                                          cssp_tr(tr, "The RD Gateway refused the channel to %s: CHANNEL_RESPONSE %s"), target, status);
        if (written < sizeof j->explanation - 1) {
            size_t room = sizeof j->explanation - 1 - written, n = strlen(why) < room ? strlen(why) : room;
            memcpy(j->explanation + written, why, n);
            j->explanation[written + n] = '\0';
        }
        j->advice = g->refusal == 0x800759DD ? advice_reach : g->refusal == 0x800759DA ? advice_policy : advice_gateway;
        break;
    }
    default:
        snprintf(j->explanation, sizeof j->explanation,
                 cssp_tr(tr, "The RD Gateway refused the %s step of the tunnel: %s. The target server was never contacted."),
                 cssp_gateway_stage_name(g->refused_at), status);
        j->advice = advice_gateway;
        break;
    }
}
