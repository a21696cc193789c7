/*
 * cssp-observer-wire.c - a connection's TLS records from the frames' bytes, through the
 * shared frame, TCP-stream and TLS-record code (see cssp-observer-wire.h).
 */
#include "cssp-observer-wire.h"

#include <string.h>

#include <epan/wmem_scopes.h>
#include <wiretap/pcap-encap.h>
#include <wiretap/wtap.h>

#include "cssp/packet.h"
#include "cssp/reader.h"
#include "cssp/tcp_stream.h"
#include "cssp/tls_framer.h"
#include "cssp/tls_handshake.h"
#include "cssp/tls_hs_stream.h"
#include "ws-compat.h"

#define DLT_PROBED 300 /* libpcap DLT numbers asked about at handoff: those lib/wire/packet.c reads are below */
#define ENCAPS_MAX 16

typedef struct wire_side {
    tcp_stream stream;
    tls_framer framer;
    bool in_tls;             /* the record layer has started */
    bool lost;               /* a framing error or a lost segment: no more records */
    bool protecting;         /* ChangeCipherSpec seen: later records are protected */
    tls_hs_stream handshake; /* the server's handshake messages in clear, until its ServerHello */
    bool hello_seen;
} wire_side;

struct cssp_observer_wire {
    wire_side side[2];
};

/* Every cssp_observer_wire not freed yet: the ones still there when the capture file is closed go with it. */
static GHashTable *live_wires;

/* The Wireshark encapsulations lib/wire/packet.c reads, with their libpcap DLT. */
typedef struct encap_dlt {
    int encap, dlt;
} encap_dlt;
static encap_dlt encaps[ENCAPS_MAX];
static unsigned encap_count;

void cssp_observer_wire_handoff(void)
{
    encap_count = 0;
    for (int dlt = 0; dlt < DLT_PROBED && encap_count < ENCAPS_MAX; dlt++) {
        int encap = packet_link_supported(dlt) ? wtap_pcap_encap_to_wtap_encap(dlt) : WTAP_ENCAP_UNKNOWN;
        bool known = false;
        for (unsigned i = 0; i < encap_count; i++)
            known = known || encaps[i].encap == encap;
        if (encap != WTAP_ENCAP_UNKNOWN && !known)
            encaps[encap_count++] = (encap_dlt){.encap = encap, .dlt = dlt};
    }
}

static int dlt_of(int encap)
{
    for (unsigned i = 0; i < encap_count; i++)
        if (encaps[i].encap == encap)
            return encaps[i].dlt;
    return -1;
}

static void release(gpointer wire)
{
    cssp_observer_wire *w = wire;
    for (int d = 0; d < 2; d++) {
        tcp_stream_release(&w->side[d].stream);
        tls_framer_reset(&w->side[d].framer);
        tls_hs_stream_reset(&w->side[d].handshake);
    }
    g_free(w);
}

static cssp_ws_bool on_file_closed(wmem_allocator_t *allocator _U_, wmem_cb_event_t event _U_, void *user _U_)
{
    g_hash_table_destroy(live_wires);
    live_wires = NULL;
    return false;
}

cssp_observer_wire *cssp_observer_wire_new(void)
{
    if (!live_wires) {
        live_wires = g_hash_table_new_full(g_direct_hash, g_direct_equal, release, NULL);
        wmem_register_callback(wmem_file_scope(), on_file_closed, NULL);
    }
    cssp_observer_wire *w = g_new0(cssp_observer_wire, 1);
    for (int d = 0; d < 2; d++)
        tcp_stream_init(&w->side[d].stream);
    g_hash_table_add(live_wires, w);
    return w;
}

void cssp_observer_wire_free(cssp_observer_wire *w)
{
    if (w && live_wires)
        g_hash_table_remove(live_wires, w);
}

typedef struct reading {
    wire_side *side;
    bool from_server;
    cssp_observer_wire_frame *out;
    bool hello;                  /* the record being read completed the ServerHello: */
    uint16_t version, cipher_suite;
} reading;

static bool keeps_server_hello(uint8_t type)
{
    return type == TLS_HS_SERVER_HELLO;
}

/* The server's first ServerHello that is not a HelloRetryRequest, read as the analyzer reads it
 * (analyzer/tls/tls_session.c): from the handshake stream, so one split across records counts too. */
static void on_handshake_message(void *user, uint8_t type, const uint8_t *body, size_t len)
{
    reading *r = user;
    tls_server_hello hello;
    if (!body || type != TLS_HS_SERVER_HELLO || r->side->hello_seen ||
        tls_parse_server_hello(body, len, &hello) != CSSP_OK || hello.hello_retry_request)
        return;
    r->side->hello_seen = true;
    r->hello = true;
    r->version = hello.version;
    r->cipher_suite = hello.cipher_suite;
}

static void read_server_handshake(reading *r, const uint8_t *fragment, size_t len)
{
    const tls_hs_sink sink = {keeps_server_hello, NULL, on_handshake_message, r};
    tls_hs_stream_feed(&r->side->handshake, fragment, len, &sink);
    if (r->side->hello_seen)
        tls_hs_stream_reset(&r->side->handshake);
}

static bool on_record(void *user, const tls_record_header *header, const uint8_t *fragment, size_t len)
{
    reading *r = user;
    cssp_reader in;
    uint8_t type = header->content_type;
    if (type == TLS_CONTENT_CHANGE_CIPHER_SPEC)
        r->side->protecting = true;
    bool protected_record = type == TLS_CONTENT_APPLICATION_DATA ||
                            (r->side->protecting && type != TLS_CONTENT_CHANGE_CIPHER_SPEC);
    /* every clear handshake record of the server, even past the records kept per frame: the stream has no gap */
    r->hello = false;
    if (!protected_record && type == TLS_CONTENT_HANDSHAKE && r->from_server && !r->side->hello_seen)
        read_server_handshake(r, fragment, len);
    if (r->out->count == CSSP_WIRE_MAX_RECORDS)
        return true;
    cssp_observer_wire_record *rec = &r->out->records[r->out->count++];
    memset(rec, 0, sizeof *rec);
    rec->content_type = type;
    rec->length = (uint32_t)len;
    rec->protected_record = protected_record;
    if (r->hello) {
        rec->has_hello = true;
        rec->version = r->version;
        rec->cipher_suite = r->cipher_suite;
    }
    if (rec->protected_record)
        return true;
    uint8_t level, description;
    cssp_reader_init(&in, fragment, len);
    if (type == TLS_CONTENT_ALERT && cssp_get_u8(&in, &level) && cssp_get_u8(&in, &description)) {
        rec->has_alert = true;
        rec->alert_level = level;
        rec->alert_description = description;
    }
    return true;
}

static void on_bytes(void *ctx, const uint8_t *bytes, size_t len)
{
    reading *r = ctx;
    wire_side *side = r->side;
    if (side->lost || (!side->in_tls && !tls_record_start(bytes, len)))
        return;
    side->in_tls = true;
    if (tls_framer_feed(&side->framer, bytes, len, on_record, r) != TLS_FRAMER_OK) {
        side->lost = true;
        tls_framer_reset(&side->framer);
    }
}

static void on_gap(void *ctx, uint32_t missing_bytes _U_)
{
    reading *r = ctx;
    r->side->lost = r->side->in_tls;
}

static bool decode_frame(packet_info *pinfo, tvbuff_t *frame, tcp_packet *tcp)
{
    if (pinfo->rec->rec_type != REC_TYPE_PACKET)
        return false;
    int dlt = dlt_of(pinfo->rec->rec_header.packet_header.pkt_encap);
    guint len = tvb_captured_length(frame);
    return dlt >= 0 && len > 0 && packet_decode(dlt, tvb_get_ptr(frame, 0, (gint)len), len, tcp) == PACKET_TCP;
}

void cssp_observer_wire_read(cssp_observer_wire *w, cssp_dir dir, packet_info *pinfo, tvbuff_t *frame,
                             cssp_observer_wire_frame *out)
{
    out->count = 0;
    out->tcp_flags = 0;
    tcp_packet tcp;
    out->is_tcp = decode_frame(pinfo, frame, &tcp);
    if (!out->is_tcp)
        return;
    out->tcp_flags = tcp.flags;
    reading r = {.side = &w->side[dir], .from_server = dir == CSSP_FROM_SERVER, .out = out};
    tcp_stream_sink sink = {.data = on_bytes, .gap = on_gap, .ctx = &r};
    if (!r.side->stream.started && tcp.payload_len > 0 && !(tcp.flags & TCP_SYN))
        tcp_stream_start_at(&r.side->stream, tcp.seq);
    tcp_stream_segment(&r.side->stream, tcp.seq, (tcp.flags & TCP_SYN) != 0, tcp.payload, tcp.payload_len, &sink);
    if (tcp.payload_cut)
        on_gap(&r, 0);
}

void cssp_observer_wire_read_bytes(cssp_observer_wire *w, cssp_dir dir, const uint8_t *bytes, size_t len,
                                   cssp_observer_wire_frame *out)
{
    out->count = 0;
    out->tcp_flags = 0;
    out->is_tcp = false;
    reading r = {.side = &w->side[dir], .from_server = dir == CSSP_FROM_SERVER, .out = out};
    on_bytes(&r, bytes, len);
}
