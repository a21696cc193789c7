/*
 * output.h - credssp-probe's report: text for people (wire strings made inert) or JSON Lines, one
 * object per target, with the analyzer's key names where the meaning is the same (docs/json-schema.md).
 */
#ifndef PROBE_OUTPUT_H
#define PROBE_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "result.h"

typedef struct probe_output probe_output;

probe_output *output_new(FILE *out, bool json);
void output_result(probe_output *o, const probe_result *r);
/* The text summary (nothing in JSON mode); frees o. */
void output_finish(probe_output *o);

#endif
