/*
 * json.h - the JSON text of the tools' reports (the analyzer's and the probe's JSON Lines), written piece by
 * piece into a sink the caller gives: no I/O, no allocation.
 *
 * A string comes out as valid UTF-8 (each byte that does not belong to a valid sequence becomes U+FFFD) with
 * '"', '\\' and every control character (C0, DEL, C1) escaped: a string from the wire can neither break a
 * JSON line nor reach a terminal raw. The pieces the two reports share (the negotiation, the findings, an
 * NTLM VERSION) are written here once, with the keys docs/json-schema.md documents.
 */
#ifndef CSSP_JSON_H
#define CSSP_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cssp/verdict.h"

typedef struct cssp_json {
    void (*write)(void *ctx, const char *bytes, size_t len);  /* takes every byte written */
    void *ctx;
} cssp_json;

void cssp_json_raw(const cssp_json *j, const char *bytes, size_t len);
#define cssp_json_literal(j, literal) cssp_json_raw((j), (literal), sizeof(literal) - 1)
/* "text" escaped; null for NULL. */
void cssp_json_string(const cssp_json *j, const char *text);
/* ,"key": - the key is the caller's literal, written as it is (keys need no escaping). */
void cssp_json_key(const cssp_json *j, const char *key);
void cssp_json_uint_or_null(const cssp_json *j, bool present, uint64_t value);
void cssp_json_bool(const cssp_json *j, bool value);
/* "10.0.17763" of an NTLM VERSION, or null. */
void cssp_json_os(const cssp_json *j, bool present, uint8_t major, uint8_t minor, uint16_t build);
/* ["server_unpatched",...] of CSSP_FINDING_* bits. */
void cssp_json_findings(const cssp_json *j, unsigned findings);
/* The X.224 exchange: ,"requested_protocols":...,"selected_protocol":...,"negotiation_failure":... */
void cssp_json_negotiation(const cssp_json *j, const cssp_facts *f);

#endif
