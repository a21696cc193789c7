/*
 * analysis.c - the connection table of a run (see analysis.h).
 *
 * Three structures share the conns: a hash table from the connection's
 * address pair, a queue in first-packet order (reports leave from its head
 * only, so output order is first-packet order even when connections finish
 * out of order), and a queue in least-recently-seen order for eviction.
 */
#include "analysis.h"

#include <glib.h>
#include <string.h>

#include "cssp/packet.h"
#include "rdg_pairs.h"
#include "seeded_hash.h"

typedef struct flow_key {
    uint8_t family;
    uint8_t addr[2][16];
    uint16_t port[2];
} flow_key;

struct analysis {
    GHashTable *flows;      /* flow_key* -> conn* (key owned by the table) */
    GQueue order;           /* conn* by first packet: RDP and still-undecided connections */
    GQueue lru;             /* conn*, least recently seen at the head */
    const secrets *keys;
    report *out;
    analysis_stats stats;
    tcp_stream_budget reassembly;   /* shared by every connection's streams */
    rdg_pairs *pairs;               /* legacy RD Gateway OUT channels waiting for their IN channel */
    size_t state_bytes;             /* the connection budget's count: each live conn's `weight` */
};

/* What the table adds to each conn: its key, two queue links and a hash table slot. */
#define CONN_TABLE_OVERHEAD 160

/* Counts a conn's state again after it may have changed (new names or buffers, buffers dropped). */
static void reweigh(analysis *a, conn *c)
{
    size_t now = conn_held_bytes(c) + CONN_TABLE_OVERHEAD;
    a->state_bytes = a->state_bytes - c->weight + now;
    c->weight = now;
}

static void release(analysis *a, conn *c)
{
    a->state_bytes -= c->weight;
    conn_free(c);
}

/* Judges a connection before its end to keep the budget; one that had no verdict yet is marked and counted. */
static void judge_early(analysis *a, conn *c)
{
    if (c->is_rdp && !conn_is_final(c))
        a->stats.evicted++;
    conn_evict(c);
    reweigh(a, c);
}

/* Called for every packet: over 64-bit words, and seeded (the addresses and ports are the capture's). */
static guint flow_key_hash(gconstpointer p)
{
    const flow_key *k = p;
    return seeded_hash_words(k->addr, 4, (uint64_t)k->family << 32 | (uint64_t)k->port[0] << 16 | k->port[1]);
}

static gboolean flow_key_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(flow_key)) == 0;
}

/* The same key for both directions: the smaller endpoint first. */
static void make_key(const tcp_packet *p, flow_key *k)
{
    memset(k, 0, sizeof *k);
    const tcp_endpoint *a = &p->src, *b = &p->dst;
    int cmp = memcmp(a->addr, b->addr, 16);
    if (cmp > 0 || (cmp == 0 && a->port > b->port)) {
        const tcp_endpoint *t = a;
        a = b;
        b = t;
    }
    k->family = a->family;
    memcpy(k->addr[0], a->addr, 16);
    memcpy(k->addr[1], b->addr, 16);
    k->port[0] = a->port;
    k->port[1] = b->port;
}

analysis *analysis_new(const secrets *keys, report *out)
{
    analysis *a = g_new0(analysis, 1);
    a->flows = g_hash_table_new_full(flow_key_hash, flow_key_equal, g_free, NULL);
    g_queue_init(&a->order);
    g_queue_init(&a->lru);
    a->keys = keys;
    a->out = out;
    tcp_stream_budget_init(&a->reassembly, ANALYSIS_REASSEMBLY_BUDGET);
    a->pairs = rdg_pairs_new();
    return a;
}

/* Reports and frees the finished connections at the head of the first-packet queue. */
static void release_finished(analysis *a)
{
    while (!g_queue_is_empty(&a->order)) {
        conn *c = g_queue_peek_head(&a->order);
        if (!conn_is_final(c)) {
            /* a connection that never ends must not hold back the others' reports without bound */
            if (a->order.length <= ANALYSIS_MAX_CONNS)
                break;
            judge_early(a, c);
        }
        g_queue_pop_head(&a->order);
        c->order_link = NULL;
        if (c->is_rdp) {
            a->stats.rdp_conns++;
            report_connection(a->out, c);
        }
        if (!c->lru_link) /* already out of the table */
            release(a, c);
    }
    if (a->order.length > a->stats.held_back_max)
        a->stats.held_back_max = a->order.length;
}

/* Takes a conn out of the table; it stays alive while it waits in the order queue. */
static void forget(analysis *a, conn *c, const flow_key *key)
{
    g_queue_delete_link(&a->lru, c->lru_link);
    c->lru_link = NULL;
    g_hash_table_remove(a->flows, key);
    if (!c->is_rdp && c->order_link) {
        g_queue_delete_link(&a->order, c->order_link);
        c->order_link = NULL;
    }
    if (!c->order_link)
        release(a, c);
}

static void evict_oldest(analysis *a)
{
    conn *c = g_queue_peek_head(&a->lru);
    /* the key is the conn's own address pair (make_key does not care which side is which) */
    tcp_packet ends = {.src = c->client, .dst = c->server};
    flow_key key;
    make_key(&ends, &key);
    judge_early(a, c);
    forget(a, c, &key);
}

/*
 * Past the state budget, the least recently seen connections go (a connection with a verdict only leaves the
 * table; its state is already dropped). Then the reports that waited for them go out, and with them the
 * settled connections that waited behind.
 */
static void keep_state_budget(analysis *a)
{
    while (a->state_bytes > ANALYSIS_STATE_BUDGET && !g_queue_is_empty(&a->lru)) {
        evict_oldest(a);
        release_finished(a);
    }
    release_finished(a);
}

static conn *add_conn(analysis *a, const flow_key *key, const tcp_packet *p, int64_t ts_us)
{
    if (g_hash_table_size(a->flows) >= ANALYSIS_MAX_CONNS)
        evict_oldest(a);
    conn *c = conn_new(p, a->stats.packets, ts_us, a->keys, &a->reassembly);
    c->pairs = a->pairs;
    reweigh(a, c);
    g_hash_table_insert(a->flows, g_memdup2(key, sizeof *key), c);
    g_queue_push_tail(&a->order, c);
    c->order_link = a->order.tail;
    g_queue_push_tail(&a->lru, c);
    c->lru_link = a->lru.tail;
    return c;
}

void analysis_packet(analysis *a, int dlt, int64_t ts_us, const uint8_t *data, size_t caplen)
{
    tcp_packet p;
    a->stats.packets++;
    switch (packet_decode(dlt, data, caplen, &p)) {
    case PACKET_TCP: break;
    case PACKET_MALFORMED: a->stats.malformed++; return;
    case PACKET_UNSUPPORTED_LINK: a->stats.unsupported_link++; return;
    case PACKET_NOT_TCP: return;
    }
    a->stats.tcp_packets++;
    flow_key key;
    make_key(&p, &key);
    conn *c = g_hash_table_lookup(a->flows, &key);
    /* a new SYN on a connection that was closed or judged: the port pair is reused */
    if (c && (p.flags & TCP_SYN) && !(p.flags & TCP_ACK) && (c->closed[0] || c->closed[1] || conn_is_final(c))) {
        conn_finish(c);
        reweigh(a, c);
        forget(a, c, &key);
        c = NULL;
    }
    if (!c) {
        /*
         * Neither SYN nor data (the last ACK, FIN or RST of a connection that already
         * left the table): nothing to open. Such a connection would stay undecided
         * and hold back the report of every later one until the end of the capture.
         */
        if (!(p.flags & TCP_SYN) && p.payload_len == 0)
            return;
        c = add_conn(a, &key, &p, ts_us);
    } else {
        g_queue_unlink(&a->lru, c->lru_link);
        g_queue_push_tail_link(&a->lru, c->lru_link);
    }
    /* only a connection still being parsed changes what it holds (names, buffers, TLS state): with new bytes,
       or when it stops and drops its state */
    bool parsed = !conn_is_final(c) && c->phase != PHASE_DONE && c->phase != PHASE_NOT_RDP;
    conn_packet(c, &p, a->stats.packets);
    if (parsed && (p.payload_len || conn_is_final(c) || c->phase == PHASE_DONE || c->phase == PHASE_NOT_RDP))
        reweigh(a, c);
    tcp_stream *robbed;
    while ((robbed = tcp_stream_budget_take_dropped(&a->reassembly)) != NULL) {
        if (conn_lost_to_budget(robbed->owner))
            a->stats.budget_conns++;
        reweigh(a, robbed->owner);
    }
    if (c->phase == PHASE_NOT_RDP && c->order_link) {
        g_queue_delete_link(&a->order, c->order_link);
        c->order_link = NULL;
    }
    if (((c->closed[0] && c->closed[1]) || (p.flags & TCP_RST)) && c->is_rdp && !conn_is_final(c)) {
        conn_finish(c);
        reweigh(a, c);
    }
    /*
     * A judged or non-RDP connection (foreign, or closed before any data) leaves the
     * table once both sides closed (or one reset); while open it stays, so its late
     * packets do not start a new one.
     */
    bool over = (c->closed[0] && c->closed[1]) || (p.flags & TCP_RST);
    if (over && (conn_is_final(c) || !c->is_rdp))
        forget(a, c, &key);
    keep_state_budget(a);
}

void analysis_finish(analysis *a)
{
    for (GList *l = a->order.head; l; l = l->next) {
        conn_finish(l->data);
        reweigh(a, l->data);
    }
    release_finished(a);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, a->flows);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        conn *c = v;
        g_hash_table_iter_steal(&it);
        g_free(k);
        if (!c->order_link)
            release(a, c);
    }
    g_queue_clear(&a->lru);
}

analysis_stats analysis_get_stats(const analysis *a)
{
    return a->stats;
}

void analysis_free(analysis *a)
{
    if (!a)
        return;
    g_hash_table_destroy(a->flows);
    g_queue_clear(&a->order);
    tcp_stream_budget_clear(&a->reassembly);
    rdg_pairs_free(a->pairs);
    g_free(a);
}
