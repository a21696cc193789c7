/*
 * cssp-connection-tree.h - the generated per-connection fields and the connection-level
 * expert items, shown from a stored cssp_view on every packet that carries one.
 */
#ifndef CSSP_PLUGIN_CONNECTION_TREE_H
#define CSSP_PLUGIN_CONNECTION_TREE_H

#include <stdbool.h>

#include <epan/packet.h>

#include "cssp-state.h"

void cssp_connection_tree_register(int proto);

/*
 * Sets the Protocol and Info columns where the verdict changed, and adds the
 * "Connection" subtree (sender, versions with the frames that carried
 * them, effective version, verdict so far, evidence, findings, explanation,
 * advice) under tree, and the expert items due at this view to anchor.
 * fields_noted: the PDU itself already flagged a field outside its version, so
 * the finding need not be flagged again.
 */
void cssp_connection_tree_show(proto_tree *tree, proto_item *anchor, tvbuff_t *tvb, packet_info *pinfo,
                        const cssp_view *view, bool fields_noted);

/*
 * The view cssp_connection_tree_show() last showed in the current dissection of this
 * frame, and the item it was shown under (NULL, NULL when none).
 */
const cssp_view *cssp_connection_tree_shown(packet_info *pinfo, proto_item **anchor);

/* Two views show the same Connection subtree: same judgement, same versions. */
bool cssp_connection_tree_same(const cssp_view *a, const cssp_view *b);

#endif
