/*
 * diag.h - the analyzer's one-line messages about an input: "credssp-analyze: FILE[:LINE]: PROBLEM".
 *
 * Every message that names a capture, key log or RSA key file goes through here, so that each carries the
 * program's name and reaches the terminal inert (cssp/inert.h): the file name is anybody's, and the problem may
 * quote libpcap or GLib, which may quote the file.
 */
#ifndef CSSP_ANALYZER_DIAG_H
#define CSSP_ANALYZER_DIAG_H

#include <glib.h>
#include <stddef.h>
#include <stdio.h>

#define DIAG_PROGRAM "credssp-analyze"

/* Writes the line to `diag` (nothing if it is NULL); `line` 0 names no line. */
G_GNUC_PRINTF(4, 5) void diag_say(FILE *diag, const char *path, size_t line, const char *format, ...);

#endif
