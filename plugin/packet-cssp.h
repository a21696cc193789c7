/*
 * packet-cssp.h - registration entry points of the "cssp" protocol, called by the
 * plugin loader glue (plugin.c).
 */
#ifndef CSSP_PLUGIN_PACKET_CSSP_H
#define CSSP_PLUGIN_PACKET_CSSP_H

void proto_register_cssp(void);
void proto_reg_handoff_cssp(void);

#endif
