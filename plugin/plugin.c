/*
 * plugin.c - the Wireshark plugin ABI: the four exported symbols every loader
 * from 4.0 on looks for (plugin_version, plugin_want_major, plugin_want_minor,
 * plugin_register), plugin_describe where the loader reads it (its type in
 * `tshark -G plugins`), and the registration of the protocol and the stats
 * tree. Nothing else in the plugin is visible outside the shared object.
 */
#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/proto.h>
#include <epan/tap.h>

#include "cssp-stats.h"
#include "cssp-text.h"
#include "packet-cssp.h"

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = PLUGIN_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;
WS_DLL_PUBLIC void plugin_register(void);

#ifdef CSSP_WS_PLUGIN_DESCRIBE
#include <wsutil/plugins.h>
WS_DLL_PUBLIC uint32_t plugin_describe(void);

uint32_t plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR | WS_PLUGIN_DESC_TAP_LISTENER;
}
#endif

void plugin_register(void)
{
    static proto_plugin protocol = {.register_protoinfo = proto_register_cssp,
                                    .register_handoff = proto_reg_handoff_cssp};
    static tap_plugin stats = {.register_tap_listener = cssp_stats_register_tree};
    cssp_text_bind();
    proto_register_plugin(&protocol);
    tap_register_plugin(&stats);
}
