/*
 * target.h - the targets of credssp-probe: "HOST", "HOST:PORT", "[IPv6]", "[IPv6]:PORT" or a bare IPv6
 * address, from the command line or a file of one target per line.
 */
#ifndef PROBE_TARGET_H
#define PROBE_TARGET_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Splits a target into a host (without brackets; the caller frees it) and a port. False, with *why set
 * to a static phrase, when it is not HOST[:PORT].
 */
bool target_parse(const char *text, char **host, uint16_t *port, const char **why);

/*
 * Appends the targets of a file (or "-" for standard input): one per line, surrounding blanks ignored,
 * empty lines and lines starting with '#' skipped. False, with a one-line error on `err`, when the file
 * cannot be read.
 */
bool target_read_file(const char *path, GPtrArray *targets, FILE *err);

#endif
