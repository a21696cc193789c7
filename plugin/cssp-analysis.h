/*
 * cssp-analysis.h - the generated per-connection fields and the connection-level
 * expert items, shown from a stored cssp_view on every packet that carries one.
 */
#ifndef CSSP_PLUGIN_ANALYSIS_H
#define CSSP_PLUGIN_ANALYSIS_H

#include <stdbool.h>

#include <epan/packet.h>

#include "cssp-state.h"

void cssp_analysis_register(int proto);

/*
 * Adds the "Connection" subtree (sender, versions with the frames that carried
 * them, effective version, verdict so far, evidence, findings, explanation,
 * advice) under tree, and the expert items due at this view to anchor.
 * fields_noted: the PDU itself already flagged a field outside its version, so
 * the finding need not be flagged again.
 */
void cssp_analysis_show(proto_tree *tree, proto_item *anchor, tvbuff_t *tvb, packet_info *pinfo,
                        const cssp_view *view, bool fields_noted);

#endif
