/*
 * rdg_pairs.h - the legacy RD Gateway transport's OUT channels waiting for their IN channel.
 *
 * The legacy transport ([MS-TSGU] 3.3.5.1) carries one tunnel on two TLS connections: RDG_OUT_DATA (the
 * gateway's half) and RDG_IN_DATA (the client's half), with the same RDG-Connection-Id header. The run keeps
 * the OUT channels by that id so that an IN channel can join its OUT channel's connection, which then holds
 * the whole tunnel. A conn registers and forgets itself; the table never owns a conn.
 */
#ifndef CSSP_ANALYZER_RDG_PAIRS_H
#define CSSP_ANALYZER_RDG_PAIRS_H

#include <stdbool.h>

struct conn;
typedef struct rdg_pairs rdg_pairs;

rdg_pairs *rdg_pairs_new(void);
/* An OUT channel with this id (not empty). False when another one already waits with it (it stays). */
bool rdg_pairs_add_out(rdg_pairs *p, const char *id, struct conn *out);
/* The OUT channel waiting with this id, taken out of the table; NULL when none waits. */
struct conn *rdg_pairs_take(rdg_pairs *p, const char *id);
/* The OUT channel goes away: it no longer waits under its id (nothing happens if another one does). */
void rdg_pairs_forget(rdg_pairs *p, const char *id, const struct conn *out);
void rdg_pairs_free(rdg_pairs *p);

#endif
