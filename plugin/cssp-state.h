/*
 * cssp-state.h - what the plugin remembers about one RDP connection, and what it
 * remembers about each frame.
 *
 * One cssp_conv per TCP conversation (wmem file scope) holds the shared core's
 * verdict engine and which endpoint is the client. The engine is fed only on the
 * first pass, in frame order; after each PDU or event the judgement is copied into
 * a cssp_view stored with the frame (p_add_proto_data), and every later dissection
 * (second pass, GUI clicks) shows that stored view. So the first pass, the second
 * pass and the GUI show the same thing, and the engine is never fed twice.
 */
#ifndef CSSP_PLUGIN_STATE_H
#define CSSP_PLUGIN_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include <epan/packet.h>

#include "cssp/verdict.h"

/* What a view was taken after. */
typedef enum cssp_view_kind {
    CSSP_VIEW_NEGOTIATION,   /* an X.224 Connection Request or Confirm */
    CSSP_VIEW_TSREQUEST,     /* a TSRequest */
    CSSP_VIEW_EARLY_AUTH,    /* the Early User Authorization Result PDU */
    CSSP_VIEW_TRANSPORT      /* TLS records, alerts and TCP closes seen by the observer */
} cssp_view_kind;

/* What the connection's negoTokens and negotiation said, beyond the verdict: shared while it does not change. */
typedef struct cssp_auth_view {
    cssp_auth_package package;
    bool ntlm_fallback;
    char kerberos_service[CSSP_KRB_NAME_MAX];
    char kerberos_realm[CSSP_KRB_NAME_MAX];
    bool has_krb_error;
    int32_t krb_error;
    char auth[2 * CSSP_KRB_NAME_MAX + 96];  /* cssp_auth_text(); "" when nothing is known */
    char mode[200];                         /* cssp_mode_text(); "" when the client asked for no mode */
} cssp_auth_view;

/* The connection as judged right after one PDU or event, with what it was just before. */
typedef struct cssp_view {
    const struct cssp_conv *conv;     /* the connection it belongs to */
    cssp_view_kind kind;
    cssp_dir dir;
    const cssp_judgement *judgement;  /* shared by a connection's views while it does not change */
    const cssp_auth_view *auth;       /* likewise */
    bool judged_before;               /* false for the connection's first view */
    cssp_verdict verdict_before;
    cssp_cause cause_before;
    unsigned findings_before;
    const char *advice_before;        /* the engine's advice before this view (static text or NULL) */
    bool has_error_code;              /* the server's errorCode, once one was read */
    uint32_t error_code;
    bool client_seen, server_seen;    /* the version each side advertised first */
    uint32_t client_version, server_version;
    uint32_t client_frame, server_frame;
    bool client_seen_before, server_seen_before;
    bool mismatch, mismatch_before;   /* client >= 5 (read as the engine reads it) and server 2-4 */
} cssp_view;

typedef struct cssp_conv {
    cssp_conn engine;                 /* fed on the first pass only */
    bool recognised;                  /* RDP was seen: an X.224 Request/Confirm, TLS on 3389, a CredSSP PDU */
    bool roles_known;
    address client_addr;              /* wmem file scope copy */
    uint32_t client_port;
    bool owns_tcp;                    /* the plugin's TCP heuristic claimed the conversation */
    bool tunnelled;                   /* the RDP connection inside an RD Gateway tunnel (cssp-rdg.c) */
    bool payload_seen;                /* the plugin's TCP dissector saw data (first pass) */
    uint32_t tls_start_frame;         /* first frame handed to TLS; 0 while in clear */
    bool side_closed[2];              /* a FIN or RST was fed for that side */
    struct cssp_observer_wire *wire;  /* the observer's TCP and TLS records (cssp-observer-wire.h), until settled */
    cssp_view last;                   /* the latest view, source of the next view's "before" */
    bool has_last;
    uint32_t verdict_frame;           /* the frame whose view set the latest verdict */
    const cssp_view *latest;          /* the stored view that `last` copies */
} cssp_conv;

/* Key of the observer's view of a frame; PDU views use cssp_next_pdu_key(). */
#define CSSP_VIEW_KEY_OBSERVER 0x7fffffffu

void cssp_state_register(int proto);

/* The connection's state, or NULL when the plugin has not recognised it as RDP. */
cssp_conv *cssp_conv_find(packet_info *pinfo);
/* The connection's state, created when missing; it counts as RDP once it is marked recognised or has a view. */
cssp_conv *cssp_conv_get(packet_info *pinfo);

/* Fixes the roles: the current packet was sent by `sender` (X.224 Request: client; Confirm: server). */
void cssp_conv_set_sender_role(cssp_conv *conv, packet_info *pinfo, cssp_dir sender);
/* Who sent the current packet. */
cssp_dir cssp_conv_sender(cssp_conv *conv, packet_info *pinfo);

/*
 * The inner TLS of an RD Gateway tunnel runs through Wireshark's TLS dissector on a conversation of its own:
 * the gateway connection's addresses with its ports moved by this offset, out of the 16-bit range, so that it
 * cannot meet a real conversation (cssp-rdg.c). A tunnelled connection's sender is found on either.
 */
#define CSSP_TUNNEL_PORT_OFFSET 0x10000u
/* First pass: the conversation pinfo names now (a tunnel's inner TLS) is conv's RDP connection too. */
void cssp_conv_share(cssp_conv *conv, packet_info *pinfo);

bool cssp_conv_settled(const cssp_conv *conv);
/* The X.224 Confirm selected a protocol (RDP_NEG_RSP, or RDP for a legacy Confirm). */
bool cssp_conv_negotiated(const cssp_conv *conv, uint32_t *selected_protocol);

/* First pass only: feeds the engine. */
void cssp_conv_feed(cssp_conv *conv, const cssp_event *ev);
/* First pass only: judges the connection now and stores the view with the frame under key. */
const cssp_view *cssp_conv_commit(cssp_conv *conv, packet_info *pinfo, uint32_t key, cssp_view_kind kind,
                                  cssp_dir dir);
/* The view stored with the current frame under key, or NULL. */
const cssp_view *cssp_view_get(packet_info *pinfo, uint32_t key);

/*
 * Per-frame numbering of the PDUs that carry a view: the n-th PDU decoded in a
 * frame gets key n in every pass, because dissection order within a frame does
 * not change between passes.
 */
uint32_t cssp_next_pdu_key(packet_info *pinfo);

#endif
