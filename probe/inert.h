/*
 * inert.h - wire strings made harmless for a terminal: no control characters (C0, DEL, C1), no Unicode
 * format characters (bidirectional overrides and the like), only valid UTF-8. Each such character is
 * shown as a visible escape (\x1B, \u202E) so nothing is hidden either.
 */
#ifndef PROBE_INERT_H
#define PROBE_INERT_H

/* A new string (g_free it); NULL for NULL. */
char *inert_text(const char *wire);

#endif
