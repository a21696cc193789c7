/*
 * analysis.h - the run: a bounded table of TCP connections fed packet by
 * packet, finished connections handed to the report in the order of their
 * first packet.
 *
 * Memory is set by limits, not by the capture (docs/robustness.md): the
 * connection budget is ANALYSIS_MAX_CONNS connections and ANALYSIS_STATE_BUDGET
 * bytes of their state (conn_held_bytes: names, buffers of unfinished PDUs, TLS
 * and tunnel state). Past either, the least recently seen connection is let
 * go: one without a verdict is judged at once with a note saying why (counted,
 * and reported in first-packet order as any other); one with a verdict is
 * already settled and waits for its turn in the report. A connection keeps
 * buffers only while its CredSSP phase lasts.
 */
#ifndef CSSP_ANALYZER_ANALYSIS_H
#define CSSP_ANALYZER_ANALYSIS_H

#include <stdint.h>

#include "report.h"
#include "tls_glue.h"

#define ANALYSIS_MAX_CONNS 32768   /* connections open or awaiting their report at once (about 0.8 KiB each idle) */
#define ANALYSIS_STATE_BUDGET (32u * 1024 * 1024)  /* bytes of their state (conn_held_bytes, and the table's) */
/* Out-of-order TCP data kept across all connections (tcp_stream_budget); past it the oldest is dropped. */
#define ANALYSIS_REASSEMBLY_BUDGET (4u * 1024 * 1024)

typedef struct analysis_stats {
    uint64_t packets, tcp_packets, malformed, unsupported_link, rdp_conns, held_back_max;
    uint64_t evicted;               /* RDP connections judged before their end to keep the connection budget */
    uint64_t budget_conns;          /* connections that lost out-of-order data to ANALYSIS_REASSEMBLY_BUDGET */
} analysis_stats;

typedef struct analysis analysis;

analysis *analysis_new(const secrets *keys, report *out);
/* One frame of the given libpcap DLT and capture time (microseconds since the epoch). */
void analysis_packet(analysis *a, int dlt, int64_t ts_us, const uint8_t *data, size_t caplen);
/* Finishes every connection still open and reports what remains. */
void analysis_finish(analysis *a);
analysis_stats analysis_get_stats(const analysis *a);
void analysis_free(analysis *a);

#endif
