/*
 * cssp-i18n.h - the front ends' gettext (GLib's gi18n-lib.h): where each finds its catalogue and the
 * translator it gives lib (cssp/words.h). Each target defines GETTEXT_PACKAGE, its text domain
 * (po/CMakeLists.txt): the plugin has its own, apart from Wireshark's, since it lives in Wireshark's process.
 *
 * The catalogue folder: $CREDSSP_LOCALEDIR when set (the tests point it at the build tree's), else the one
 * next to the program (<prefix>/bin -> <prefix>/share/locale: the build tree, ~/.local, /usr alike), else
 * the one of the configured prefix (CSSP_LOCALEDIR) and, for a plugin installed in the personal folder,
 * ~/.local/share/locale.
 */
#ifndef CSSP_I18N_H
#define CSSP_I18N_H

#include <glib.h>
#include <glib/gi18n-lib.h>
#include <locale.h>

#include "cssp/words.h"

/* True if `dir` holds this domain's catalogue for some language: the folder to bind. */
static inline gboolean cssp_i18n_has_catalogue(const char *dir)
{
    gboolean found = FALSE;
    GDir *d = dir ? g_dir_open(dir, 0, NULL) : NULL;
    for (const char *lang; d && !found && (lang = g_dir_read_name(d));) {
        char *mo = g_strdup_printf("%s/%s/LC_MESSAGES/%s.mo", dir, lang, GETTEXT_PACKAGE);
        found = g_file_test(mo, G_FILE_TEST_IS_REGULAR);
        g_free(mo);
    }
    if (d)
        g_dir_close(d);
    return found;
}

/* Binds the text domain (UTF-8) to the first folder that has its catalogue; `program_dir` is NULL in the plugin. */
static inline void cssp_i18n_bind(const char *program_dir)
{
    const char *env = g_getenv("CREDSSP_LOCALEDIR");
    char *beside = program_dir ? g_build_filename(program_dir, "..", "share", "locale", NULL) : NULL;
    char *personal = g_build_filename(g_get_home_dir(), ".local", "share", "locale", NULL);
    const char *dir = env && *env                            ? env
                      : cssp_i18n_has_catalogue(beside)      ? beside
                      : cssp_i18n_has_catalogue(CSSP_LOCALEDIR) || program_dir ? CSSP_LOCALEDIR
                                                                               : personal;
    bindtextdomain(GETTEXT_PACKAGE, dir);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    g_free(beside);
    g_free(personal);
}

/* A program's set-up: the user's locale, and the catalogue found from the program's own place. */
static inline void cssp_i18n_init_program(void)
{
    char *exe = g_file_read_link("/proc/self/exe", NULL);
    char *dir = exe ? g_path_get_dirname(exe) : NULL;
    setlocale(LC_ALL, "");
    cssp_i18n_bind(dir ? dir : ".");
    g_free(dir);
    g_free(exe);
}

/* The translator lib's sentences go through (cssp_translate). */
static inline const char *cssp_i18n_words(const char *english)
{
    return g_dgettext(GETTEXT_PACKAGE, english);
}

#endif
