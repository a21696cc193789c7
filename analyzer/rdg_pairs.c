/*
 * rdg_pairs.c - OUT channels by RDG-Connection-Id (see rdg_pairs.h). At most one entry per conn, removed
 * when the conn is paired or dropped, so the table is bounded by the connections the run tracks.
 */
#include "rdg_pairs.h"

#include <glib.h>

struct rdg_pairs {
    GHashTable *out; /* id (owned) -> conn* */
};

rdg_pairs *rdg_pairs_new(void)
{
    rdg_pairs *p = g_new0(rdg_pairs, 1);
    p->out = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return p;
}

bool rdg_pairs_add_out(rdg_pairs *p, const char *id, struct conn *out)
{
    if (!id[0] || g_hash_table_contains(p->out, id))
        return false;
    g_hash_table_insert(p->out, g_strdup(id), out);
    return true;
}

struct conn *rdg_pairs_take(rdg_pairs *p, const char *id)
{
    struct conn *out = g_hash_table_lookup(p->out, id);
    if (out)
        g_hash_table_remove(p->out, id);
    return out;
}

void rdg_pairs_forget(rdg_pairs *p, const char *id, const struct conn *out)
{
    if (g_hash_table_lookup(p->out, id) == out)
        g_hash_table_remove(p->out, id);
}

void rdg_pairs_free(rdg_pairs *p)
{
    if (!p)
        return;
    g_hash_table_destroy(p->out);
    g_free(p);
}
