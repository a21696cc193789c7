/*
 * inert.h - text from the wire or from a file made harmless for a terminal, the one escaping every text printer
 * of the analyzer (report lines, file names on stderr) and of the probe uses.
 *
 * A user name, a cookie or a file name may hold ESC/CSI/OSC sequences, BEL, CR or newlines that would clear the
 * analyst's screen, retitle the window or forge report lines. Each byte that is a C0 control (tabs and newlines
 * included), DEL, part of a C1 control (U+0080..U+009F), part of an invisible format character or line separator
 * (bidirectional overrides and isolates such as U+202E, which reorder what a terminal shows; LRM/RLM, zero-width
 * characters, U+2028/2029) or not part of valid UTF-8 is written as "\xNN" (lower-case
 * hex); everything else is copied. A backslash is copied too, so "DOMAIN\user" reads as before; the escape is
 * meant for eyes, not to be reversed.
 */
#ifndef CSSP_INERT_H
#define CSSP_INERT_H

#include <glib.h>

/* Appends `text` (NUL-terminated), escaped, to `out`. */
void cssp_inert_append(GString *out, const char *text);
/* `text` escaped into `scratch` (emptied first); returns scratch->str. */
const char *cssp_inert(GString *scratch, const char *text);
/* A newly allocated escaped copy of `text` (g_free it). */
char *cssp_inert_dup(const char *text);

#endif
