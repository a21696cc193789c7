/*
 * facts_text.h - the words both front ends print for facts that are not the verdict: the authentication
 * package (the report's `auth` line, the plugin's Info column) and the Restricted Admin / Remote Credential
 * Guard mode (the report's `mode` line). Same words in both tools.
 */
#ifndef CSSP_FACTS_TEXT_H
#define CSSP_FACTS_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "cssp/verdict.h"

/*
 * "kerberos, TERMSRV/host@REALM", "ntlm (fallback after Kerberos)", "kerberos, KRB-ERROR KRB_AP_ERR_MODIFIED";
 * false (and "") when no package and no KRB-ERROR was seen.
 */
bool cssp_auth_text(const cssp_facts *f, char *buf, size_t size);

/*
 * "Restricted Admin requested, supported by the server", "Remote Credential Guard requested, not supported
 * by the server"; false (and "") when the client asked for neither.
 */
bool cssp_mode_text(const cssp_facts *f, char *buf, size_t size);
/* The same in tr's language (cssp/words.h; NULL: English). */
bool cssp_mode_text_in(const cssp_facts *f, cssp_translate tr, char *buf, size_t size);

/* The correlation id as a GUID, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (first three fields little-endian). */
void cssp_format_correlation_id(const uint8_t id[CSSP_CORRELATION_ID_LEN], char buf[37]);

#endif
