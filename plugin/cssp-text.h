/*
 * cssp-text.h - the plugin's words in the user's language: its own text domain, apart from Wireshark's
 * (po/CMakeLists.txt), and its field labels and expert summaries translated before Wireshark registers
 * them. Filter names (abbrevs) and the verdict, evidence and finding words stay English.
 */
#ifndef CSSP_TEXT_H
#define CSSP_TEXT_H

#include <stddef.h>

#include <epan/expert.h>
#include <epan/proto.h>

#include "cssp-i18n.h"

/* Binds the plugin's text domain; before any of its words is looked up. */
void cssp_text_bind(void);

/* The labels and descriptions of a field array (marked N_()) in the user's language, in place, before registration. */
void cssp_text_fields(hf_register_info *hf, size_t count);

/* The summaries of an expert array (marked N_()) in the user's language, in place, before registration. */
void cssp_text_experts(ei_register_info *ei, size_t count);

#endif
