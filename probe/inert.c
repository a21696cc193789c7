/*
 * inert.c - escaping of wire strings for the terminal (see inert.h).
 */
#include "inert.h"

#include <glib.h>
#include <string.h>

char *inert_text(const char *wire)
{
    if (!wire)
        return NULL;
    char *valid = g_utf8_make_valid(wire, -1);
    GString *out = g_string_sized_new(strlen(valid));
    for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        GUnicodeType type = g_unichar_type(c);
        if (type == G_UNICODE_CONTROL) /* C0, DEL, C1: all below U+0100 */
            g_string_append_printf(out, "\\x%02X", (unsigned)c);
        else if (type == G_UNICODE_FORMAT || type == G_UNICODE_LINE_SEPARATOR || type == G_UNICODE_PARAGRAPH_SEPARATOR)
            g_string_append_printf(out, "\\u%04X", (unsigned)c);
        else
            g_string_append_len(out, p, g_utf8_next_char(p) - p);
    }
    g_free(valid);
    return g_string_free(out, FALSE);
}
