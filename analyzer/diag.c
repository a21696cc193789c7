/*
 * diag.c - one-line messages about an input (see diag.h).
 */
#include "diag.h"

#include <stdarg.h>

#include "cssp-i18n.h"
#include "cssp/inert.h"

void diag_say(FILE *diag, const char *path, size_t line, const char *format, ...)
{
    if (!diag)
        return;
    va_list args;
    va_start(args, format);
    char *problem = g_strdup_vprintf(_(format), args); /* the formats are in the catalogue (po/CMakeLists.txt) */
    va_end(args);
    GString *text = g_string_new(DIAG_PROGRAM ": ");
    cssp_inert_append(text, path);
    if (line)
        g_string_append_printf(text, ":%zu", line);
    g_string_append(text, ": ");
    cssp_inert_append(text, problem);
    g_string_append_c(text, '\n');
    fputs(text->str, diag);
    g_string_free(text, TRUE);
    g_free(problem);
}
