/*
 * ws-compat.h - what differs between the Wireshark releases the plugin builds against (4.0 to 4.6), so
 * that every other file has one source for all of them. Each difference is found by a configure-time
 * check of the installed headers (plugin/CMakeLists.txt), not by version number, so a release in
 * between gets what its headers say.
 */
#ifndef CSSP_WS_COMPAT_H
#define CSSP_WS_COMPAT_H

#include <stdbool.h>
#include <epan/packet.h>

/* 4.4 (at the latest) made heuristic dissectors and wmem callbacks return C99 bool instead of gboolean. */
#ifdef CSSP_WS_BOOL_CALLBACKS
typedef bool cssp_ws_bool;
#else
typedef gboolean cssp_ws_bool;
#endif

#ifdef CSSP_WS_TLSINFO
#include <epan/dissectors/packet-tls.h>
#endif

/*
 * A TLS heuristic subdissector that claims a session pins it for the session's later records. TLS's
 * heuristic data was a dissector_handle_t * to set; from 4.4 it is a struct tlsinfo whose app_handle
 * member is that pointer.
 */
static inline void cssp_ws_tls_pin_app(void *tls_heur_data, dissector_handle_t handle)
{
#ifdef CSSP_WS_TLSINFO
    struct tlsinfo *info = tls_heur_data;
    if (info && info->app_handle)
        *info->app_handle = handle;
#else
    dissector_handle_t *app_handle = tls_heur_data;
    if (app_handle)
        *app_handle = handle;
#endif
}

#endif
