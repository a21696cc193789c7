/*
 * words.h - how lib's human sentences reach the reader's language without lib doing any I/O or knowing
 * gettext: lib marks its sentences with CSSP_N_() (and its clause formats through text builders that
 * xgettext knows, po/CMakeLists.txt) and looks each one up through the cssp_translate its front end gives;
 * NULL keeps the English, the machine interface's (JSON) language.
 */
#ifndef CSSP_WORDS_H
#define CSSP_WORDS_H

/* The front end's catalogue: the translation of an English message (the message itself when it has none). */
typedef const char *(*cssp_translate)(const char *english);

/* Marks a sentence for the catalogue where it is written; it is looked up where it is used. */
#define CSSP_N_(english) english

__attribute__((format_arg(2))) static inline const char *cssp_tr(cssp_translate tr, const char *english)
{
    return tr && english ? tr(english) : english;
}

#endif
