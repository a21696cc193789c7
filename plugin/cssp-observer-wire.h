/*
 * cssp-observer-wire.h - the TLS records of a connection, read from the frames' own bytes.
 *
 * The observer needs the record layer of every RDP connection (ServerHello, alerts,
 * records Wireshark could not decrypt) and the TCP closes. Reading them from
 * Wireshark's protocol tree would make tshark build a tree for every frame of every
 * run, which costs a third of its time (docs/performance.md), so the plugin reads
 * them the way the analyzer does, with the same shared code: the frame down to its
 * TCP segment (lib/wire/packet.c), each side's bytes in order (lib/wire/tcp_stream.c), cut
 * into records (lib/wire/tls_framer.c), the server's handshake messages cut from its records
 * (lib/wire/tls_hs_stream.c: a ServerHello split across records counts) and decoded
 * (lib/wire/tls_handshake.c).
 *
 * A side's record layer starts at its first segment that opens with a TLS record
 * header (after the X.224 exchange, or wherever a capture or Decode As starts), and
 * stops at a framing error or a lost segment. Link types lib/wire/packet.c does not read
 * (tunnels, for instance) give no records and no closes.
 */
#ifndef CSSP_PLUGIN_OBSERVER_WIRE_H
#define CSSP_PLUGIN_OBSERVER_WIRE_H

#include <stdbool.h>
#include <stdint.h>

#include <epan/packet.h>

#include "cssp/verdict.h"

/* Records kept per frame; a frame of the CredSSP phase completes a few. */
#define CSSP_WIRE_MAX_RECORDS 32

typedef struct cssp_observer_wire cssp_observer_wire;  /* struct cssp_observer_wire: named in cssp-state.h */

typedef struct cssp_observer_wire_record {
    uint8_t content_type;        /* on the wire */
    bool protected_record;       /* under the record protection: after ChangeCipherSpec, or application data */
    uint32_t length;
    bool has_hello;              /* this record completed the server's first ServerHello (no HelloRetryRequest) */
    uint16_t version, cipher_suite;
    bool has_alert;              /* a cleartext alert's level and description */
    uint8_t alert_level, alert_description;
} cssp_observer_wire_record;

typedef struct cssp_observer_wire_frame {
    bool is_tcp;                 /* the frame decoded down to TCP */
    uint8_t tcp_flags;           /* TCP_FIN, TCP_RST, ... (cssp/packet.h) */
    cssp_observer_wire_record records[CSSP_WIRE_MAX_RECORDS];
    unsigned count;              /* records completed by this frame, in stream order */
} cssp_observer_wire_frame;

/* Handoff: learns which Wireshark encapsulations lib/wire/packet.c reads. */
void cssp_observer_wire_handoff(void);

/* A connection's two sides; freed by cssp_observer_wire_free or when the capture file is closed. */
cssp_observer_wire *cssp_observer_wire_new(void);
void cssp_observer_wire_free(cssp_observer_wire *w);

/* First pass: reads this frame (sent by `dir`) and the records it completes. */
void cssp_observer_wire_read(cssp_observer_wire *w, cssp_dir dir, packet_info *pinfo, tvbuff_t *frame,
                             cssp_observer_wire_frame *out);

/*
 * First pass: the next bytes of a side that is not a TCP stream of the capture (an RD Gateway tunnel's
 * DATA, cssp-rdg.c), in order, and the records they complete; out->is_tcp is false.
 */
void cssp_observer_wire_read_bytes(cssp_observer_wire *w, cssp_dir dir, const uint8_t *bytes, size_t len,
                                   cssp_observer_wire_frame *out);

#endif
