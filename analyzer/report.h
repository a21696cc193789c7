/*
 * report.h - presentation of finished connections: the human report with its
 * per-server summary, or JSON Lines (schema in docs/json-schema.md).
 * Only facts and judgements reach the output: never secrets or authInfo.
 */
#ifndef CSSP_ANALYZER_REPORT_H
#define CSSP_ANALYZER_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "conn.h"

#define REPORT_MAX_SERVERS 16384   /* servers summarised (some 0.7 KiB each at most); later ones are counted under "others" */

typedef struct report report;

report *report_new(FILE *out, bool json);
void report_connection(report *r, const conn *c);
/* Flushes the output after every connection (live capture: each verdict shows as soon as it settles). */
void report_flush_each(report *r);
/*
 * Prints the per-server summary (human report only) and frees. Returns the errno of the first write to the
 * output that failed, or 0 (the caller still flushes and closes the output).
 */
int report_finish(report *r);
/* Connections whose verdict is version_mismatch or rejected_unpatched_client. */
unsigned long report_refused_count(const report *r);

#endif
