/*
 * cssp-text.c - the plugin's text domain and its registered words (see cssp-text.h).
 */
#include "cssp-text.h"

void cssp_text_bind(void)
{
    cssp_i18n_bind(NULL); /* Wireshark has set the locale; the catalogue is the installed one */
}

void cssp_text_fields(hf_register_info *hf, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        hf[i].hfinfo.name = _(hf[i].hfinfo.name);
        if (hf[i].hfinfo.blurb)
            hf[i].hfinfo.blurb = _(hf[i].hfinfo.blurb);
    }
}

void cssp_text_experts(ei_register_info *ei, size_t count)
{
    for (size_t i = 0; i < count; i++)
        ei[i].eiinfo.summary = _(ei[i].eiinfo.summary);
}
