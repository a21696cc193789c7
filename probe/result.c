/*
 * result.c - the error vocabulary of credssp-probe and the result's memory (see result.h).
 */
#include "result.h"

#include <glib.h>
#include <stdarg.h>

const char *probe_error_name(probe_error e)
{
    static const char *const names[] = {
        [PROBE_OK] = "none",
        [PROBE_ERR_TARGET] = "bad_target",
        [PROBE_ERR_RESOLVE] = "unresolved",
        [PROBE_ERR_REFUSED] = "refused",
        [PROBE_ERR_UNREACHABLE] = "unreachable",
        [PROBE_ERR_TIMEOUT] = "timeout",
        [PROBE_ERR_CLOSED] = "closed",
        [PROBE_ERR_NOT_RDP] = "not_rdp",
        [PROBE_ERR_TLS] = "tls_failed",
        [PROBE_ERR_BAD_REPLY] = "bad_reply",
        [PROBE_ERR_NETWORK] = "network",
    };
    return (unsigned)e < G_N_ELEMENTS(names) ? names[e] : "network";
}

void probe_fail(probe_result *r, probe_error e, const char *fmt, ...)
{
    if (r->error != PROBE_OK)
        return;
    va_list ap;
    va_start(ap, fmt);
    r->error = e;
    r->problem = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

void probe_result_free(probe_result *r)
{
    g_free(r->target);
    g_free(r->certificate_subject);
    g_free(r->problem);
    cssp_conn_clear(&r->conn);
}
