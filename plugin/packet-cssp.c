/*
 * packet-cssp.c - registration of the "cssp" protocol plugin for Wireshark 4.0.
 *
 * For now this only registers the protocol, so that the 4.0 plugin ABI, the
 * build against Debian's wireshark-dev and the loading by tshark are proven;
 * the dissection itself is the plugin issue's work.
 */
#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/proto.h>

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = PLUGIN_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;
WS_DLL_PUBLIC void plugin_register(void);

static int proto_cssp = -1;

static void proto_register_cssp(void)
{
    proto_cssp = proto_register_protocol("CredSSP version negotiation (cssp plugin)", "CSSP", "cssp");
}

static void proto_reg_handoff_cssp(void)
{
}

void plugin_register(void)
{
    static proto_plugin plug;
    plug.register_protoinfo = proto_register_cssp;
    plug.register_handoff = proto_reg_handoff_cssp;
    proto_register_plugin(&plug);
}
