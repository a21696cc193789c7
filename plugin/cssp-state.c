/*
 * cssp-state.c - per-connection engine and per-frame views (see cssp-state.h).
 */
#include "cssp-state.h"

#include <string.h>

#include <epan/conversation.h>
#include <epan/dissectors/packet-tcp.h>
#include <epan/proto_data.h>
#include <epan/wmem_scopes.h>

#include "cssp-i18n.h"
#include "cssp/facts_text.h"
#include "cssp/roles.h"
#include "ws-compat.h"

/* Key of the per-dissection PDU counter in pinfo->pool proto data (never a view key). */
#define PDU_COUNTER_KEY 0x7ffffffeu

static int proto_cssp = -1;

void cssp_state_register(int proto)
{
    proto_cssp = proto;
}

cssp_conv *cssp_conv_find(packet_info *pinfo)
{
    conversation_t *conversation = find_conversation_pinfo(pinfo, 0);
    cssp_conv *conv = conversation ? conversation_get_proto_data(conversation, proto_cssp) : NULL;
    return conv && conv->recognised ? conv : NULL;
}

/* The engine keeps the names it reads on the heap: they go with the file's other state. */
static cssp_ws_bool release_engine(wmem_allocator_t *allocator _U_, wmem_cb_event_t event _U_, void *conv)
{
    cssp_conn_clear(&((cssp_conv *)conv)->engine);
    return false;
}

cssp_conv *cssp_conv_get(packet_info *pinfo)
{
    conversation_t *conversation = find_or_create_conversation(pinfo);
    cssp_conv *conv = conversation_get_proto_data(conversation, proto_cssp);
    if (!conv) {
        conv = wmem_new0(wmem_file_scope(), cssp_conv);
        cssp_conn_init(&conv->engine);
        wmem_register_callback(wmem_file_scope(), release_engine, conv);
        conversation_add_proto_data(conversation, proto_cssp, conv);
    }
    return conv;
}

static void remember_client(cssp_conv *conv, const address *addr, uint32_t port)
{
    copy_address_wmem(wmem_file_scope(), &conv->client_addr, addr);
    conv->client_port = port;
    conv->roles_known = true;
}

void cssp_conv_set_sender_role(cssp_conv *conv, packet_info *pinfo, cssp_dir sender)
{
    if (conv->roles_known || PINFO_FD_VISITED(pinfo))
        return;
    if (sender == CSSP_FROM_CLIENT)
        remember_client(conv, &pinfo->src, pinfo->srcport);
    else
        remember_client(conv, &pinfo->dst, pinfo->destport);
}

/* Without the X.224 exchange: the side TCP saw send the SYN is the client; else as the core guesses. */
static void guess_roles(cssp_conv *conv, packet_info *pinfo)
{
    conversation_t *conversation = find_conversation_pinfo(pinfo, 0);
    struct tcp_analysis *tcpd = conversation ? get_tcp_conversation_data(conversation, pinfo) : NULL;
    uint16_t server_port = tcpd ? (uint16_t)tcpd->server_port : 0;
    if (cssp_sent_by_client((uint16_t)pinfo->srcport, (uint16_t)pinfo->destport, server_port))
        remember_client(conv, &pinfo->src, pinfo->srcport);
    else
        remember_client(conv, &pinfo->dst, pinfo->destport);
}

cssp_dir cssp_conv_sender(cssp_conv *conv, packet_info *pinfo)
{
    if (!conv->roles_known)
        guess_roles(conv, pinfo);
    uint32_t port = pinfo->srcport;
    if (conv->tunnelled && port >= CSSP_TUNNEL_PORT_OFFSET)
        port -= CSSP_TUNNEL_PORT_OFFSET;
    bool from_client = addresses_equal(&pinfo->src, &conv->client_addr) && port == conv->client_port;
    return from_client ? CSSP_FROM_CLIENT : CSSP_FROM_SERVER;
}

void cssp_conv_share(cssp_conv *conv, packet_info *pinfo)
{
    conversation_t *conversation = find_or_create_conversation(pinfo);
    if (!conversation_get_proto_data(conversation, proto_cssp))
        conversation_add_proto_data(conversation, proto_cssp, conv);
}

bool cssp_conv_settled(const cssp_conv *conv)
{
    return cssp_conn_credssp_over(&conv->engine);
}

bool cssp_conv_negotiated(const cssp_conv *conv, uint32_t *selected_protocol)
{
    const cssp_facts *f = &conv->engine.facts;
    if (!f->has_response)
        return false;
    *selected_protocol = f->selected_protocol;
    return true;
}

void cssp_conv_feed(cssp_conv *conv, const cssp_event *ev)
{
    cssp_conn_feed(&conv->engine, ev);
}

static bool same_judgement(const cssp_judgement *a, const cssp_judgement *b)
{
    return a->verdict == b->verdict && a->cause == b->cause && a->evidence == b->evidence &&
           a->findings == b->findings && a->advice == b->advice && strcmp(a->explanation, b->explanation) == 0;
}

/*
 * The connection's judgement now, stored once per change: most views (one per
 * undecrypted record, say) leave it as it was, and a judgement is ~350 bytes.
 */
static const cssp_judgement *share_judgement(const cssp_conv *conv)
{
    cssp_judgement now;
    cssp_conn_judge_in(&conv->engine, cssp_i18n_words, &now); /* the explanation in the user's language */
    if (conv->has_last && same_judgement(&now, conv->last.judgement))
        return conv->last.judgement;
    return wmem_memdup(wmem_file_scope(), &now, sizeof now);
}

/* The auth view now, stored once per change like the judgement. */
static const cssp_auth_view *share_auth(const cssp_conv *conv)
{
    const cssp_facts *f = &conv->engine.facts;
    cssp_auth_view now;
    memset(&now, 0, sizeof now);
    now.package = f->auth_package;
    now.ntlm_fallback = f->ntlm_fallback;
    g_strlcpy(now.kerberos_service, f->kerberos_service, sizeof now.kerberos_service);
    g_strlcpy(now.kerberos_realm, f->kerberos_realm, sizeof now.kerberos_realm);
    now.has_krb_error = f->has_krb_error;
    now.krb_error = f->krb_error;
    cssp_auth_text(f, now.auth, sizeof now.auth);
    cssp_mode_text_in(f, cssp_i18n_words, now.mode, sizeof now.mode);
    if (conv->has_last && memcmp(&now, conv->last.auth, sizeof now) == 0)
        return conv->last.auth;
    return wmem_memdup(wmem_file_scope(), &now, sizeof now);
}

const cssp_view *cssp_conv_commit(cssp_conv *conv, packet_info *pinfo, uint32_t key, cssp_view_kind kind,
                                  cssp_dir dir)
{
    const cssp_facts *f = &conv->engine.facts;
    cssp_view *view = wmem_new0(wmem_file_scope(), cssp_view);
    view->conv = conv;
    view->kind = kind;
    view->dir = dir;
    view->judgement = share_judgement(conv);
    view->auth = share_auth(conv);
    view->client_seen = f->client_version_seen;
    view->server_seen = f->server_version_seen;
    view->client_version = f->client_version;
    view->server_version = f->server_version;
    view->client_frame = (uint32_t)f->client_version_ref;
    view->server_frame = (uint32_t)f->server_version_ref;
    view->mismatch = cssp_facts_version_mismatch(f);
    view->has_error_code = f->has_error_code;
    view->error_code = f->error_code;
    if (!conv->has_last || conv->last.judgement->verdict != view->judgement->verdict)
        conv->verdict_frame = pinfo->num;
    if (conv->has_last) {
        view->judged_before = true;
        view->verdict_before = conv->last.judgement->verdict;
        view->cause_before = conv->last.judgement->cause;
        view->findings_before = conv->last.judgement->findings;
        view->advice_before = conv->last.judgement->advice;
        view->client_seen_before = conv->last.client_seen;
        view->server_seen_before = conv->last.server_seen;
        view->mismatch_before = conv->last.mismatch;
    }
    conv->last = *view;
    conv->latest = view;
    conv->has_last = true;
    conv->recognised = true;
    p_add_proto_data(wmem_file_scope(), pinfo, proto_cssp, key, view);
    return view;
}

const cssp_view *cssp_view_get(packet_info *pinfo, uint32_t key)
{
    return p_get_proto_data(wmem_file_scope(), pinfo, proto_cssp, key);
}

uint32_t cssp_next_pdu_key(packet_info *pinfo)
{
    uintptr_t used = GPOINTER_TO_UINT(p_get_proto_data(pinfo->pool, pinfo, proto_cssp, PDU_COUNTER_KEY));
    p_set_proto_data(pinfo->pool, pinfo, proto_cssp, PDU_COUNTER_KEY, GUINT_TO_POINTER(used + 1));
    return (uint32_t)used;
}
