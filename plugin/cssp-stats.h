/*
 * cssp-stats.h - the "cssp" tap and its stats tree (tshark -z cssp,tree;
 * Statistics > CredSSP): CredSSP versions per side, verdicts and error codes.
 */
#ifndef CSSP_PLUGIN_STATS_H
#define CSSP_PLUGIN_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include <epan/packet.h>

#include "cssp-state.h"

/* Registers the tap (protocol registration time). */
void cssp_stats_register_tap(void);
/* Registers the stats tree (tap-plugin time). */
void cssp_stats_register_tree(void);

/* Queues one view for the stats tree, with the errorCode of its TSRequest if any. */
void cssp_stats_queue(packet_info *pinfo, const cssp_view *view, bool has_error_code, uint32_t error_code);

#endif
