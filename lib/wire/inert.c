/*
 * inert.c - escaping of text for a terminal (see cssp/inert.h).
 */
#include "cssp/inert.h"

#include <stdbool.h>
#include <string.h>

/*
 * Characters that are valid UTF-8 and still must not reach a terminal as they are: the C1 controls, and the
 * invisible format characters and line separators that reorder or break what is shown (bidi overrides and
 * isolates, LRM/RLM, zero-width characters, U+2028/2029).
 */
static bool harmful_char(gunichar c)
{
    if (c >= 0x80 && c <= 0x9f)
        return true;
    GUnicodeType type = g_unichar_type(c);
    return type == G_UNICODE_FORMAT || type == G_UNICODE_LINE_SEPARATOR || type == G_UNICODE_PARAGRAPH_SEPARATOR;
}

static void escape_bytes(GString *out, const char *bytes, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)bytes[i];
        char e[4] = {'\\', 'x', hex[b >> 4], hex[b & 0xf]};
        g_string_append_len(out, e, 4);
    }
}

void cssp_inert_append(GString *out, const char *text)
{
    const char *p = text;
    while (*p) {
        const char *run = p;
        while ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f)
            p++;
        g_string_append_len(out, run, p - run);
        if (!*p)
            break;
        unsigned char b = (unsigned char)*p;
        if (b < 0x80) { /* C0 or DEL */
            escape_bytes(out, p, 1);
            p++;
            continue;
        }
        /* at most 4 bytes are looked at, and the NUL stops a truncated sequence */
        gunichar c = g_utf8_get_char_validated(p, -1);
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            escape_bytes(out, p, 1);
            p++;
            continue;
        }
        const char *next = g_utf8_next_char(p);
        if (harmful_char(c))
            escape_bytes(out, p, (size_t)(next - p));
        else
            g_string_append_len(out, p, next - p);
        p = next;
    }
}

const char *cssp_inert(GString *scratch, const char *text)
{
    g_string_truncate(scratch, 0);
    cssp_inert_append(scratch, text);
    return scratch->str;
}

char *cssp_inert_dup(const char *text)
{
    GString *s = g_string_sized_new(strlen(text) + 1);
    cssp_inert_append(s, text);
    return g_string_free(s, FALSE);
}
