/* graph_order.c — the graph's strongly connected components, kept in a topological order as
 * edges arrive, so that most new edges are known at once to close no cycle.
 *
 * This is Pearce and Kelly's dynamic topological sort over components instead of nodes. A new
 * edge a -> b whose components are already in order (place of a's before b's) changes nothing.
 * Otherwise only the region between the two places is visited: F, the components reachable from
 * b's without passing a's place, and B, those that reach a's without passing below b's place.
 * When F and B meet, the edge closed a cycle: their common part is one component from now on.
 * The places of F and B are then handed out again, B's first, the merged component next, F's
 * last, each group keeping its old relative order; every edge still points forward (an edge from
 * F to B would put its source in both). Work per edge is proportional to the region reordered,
 * not to the graph. */
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"
#include "grow.h"
#include "sort_u64.h"

static int push(struct lw_graph *g, uint32_t **list, size_t *cap, size_t *n, uint32_t comp,
                uint8_t flag)
{
    uint32_t *grown = lw_grow(*list, cap, *n + 1, sizeof *grown);
    if (!grown) return -1;
    *list = grown;
    (*list)[(*n)++] = comp;
    g->marks[comp] |= flag;
    return 0;
}

/* Collects into *list (count in *n, also on failure) the components reachable from `start`
 * along out edges (forward) or in edges (backward) whose places lie in [lo, hi], marking each
 * with flag. Returns 0, or -1 when out of memory. */
static int collect(struct lw_graph *g, uint32_t start, bool forward, uint32_t lo, uint32_t hi,
                   uint8_t flag, uint32_t **list, size_t *cap, size_t *n_out)
{
    size_t n = 0;
    *n_out = 0;
    if (push(g, list, cap, &n, start, flag) != 0) return -1;
    const uint32_t *at = forward ? g->adj_out_at : g->adj_in_at;
    const uint32_t *ends = forward ? g->adj_out : g->adj_in;
    for (size_t i = 0; i < n; i++) {
        for (uint32_t m = (*list)[i]; m != LW_GRAPH_NONE; m = lw_graph_next_member(g, m)) {
            /* edges newer than the compact copy (graph_adjacency.c), then the copy's */
            uint32_t k = forward ? g->nodes[m].first_out : g->nodes[m].first_in;
            size_t j = 0, end = 0;
            if (m < g->adj_nodes) {
                j = at[m];
                end = at[m + 1];
            }
            for (;;) {
                uint32_t other;
                if (k != LW_GRAPH_NONE && k >= g->adj_edges) {
                    const struct lw_graph_edge *e = &g->edges[k];
                    k = forward ? e->next_out : e->next_in;
                    other = forward ? e->to : e->from;
                } else if (m < g->adj_nodes && j < end) {
                    other = ends[j++];
                } else if (k != LW_GRAPH_NONE && m >= g->adj_nodes) {
                    const struct lw_graph_edge *e = &g->edges[k];
                    k = forward ? e->next_out : e->next_in;
                    other = forward ? e->to : e->from;
                } else {
                    break;
                }
                uint32_t c = lw_graph_comp(g, other);
                uint32_t ord = lw_graph_ord(g, c);
                if ((g->marks[c] & flag) || ord < lo || ord > hi) continue;
                *n_out = n;
                if (push(g, list, cap, &n, c, flag) != 0) return -1;
            }
        }
    }
    *n_out = n;
    return 0;
}

#define BOTH (LW_NODE_FORWARD | LW_NODE_BACK)

/* Makes the components of list[0..n) flagged both FORWARD and BACK one component (members
 * cover every node); returns its representative (the largest, so relabelling costs
 * O(n log n) over a run). */
static uint32_t merge(struct lw_graph *g, const uint32_t *list, size_t n)
{
    struct lw_graph_member *mem = g->members;
    uint32_t rep = LW_GRAPH_NONE;
    for (size_t i = 0; i < n; i++)
        if ((g->marks[list[i]] & BOTH) == BOTH &&
            (rep == LW_GRAPH_NONE || mem[list[i]].size > mem[rep].size))
            rep = list[i];
    for (size_t i = 0; i < n; i++) {
        uint32_t c = list[i];
        if (c == rep || (g->marks[c] & BOTH) != BOTH) continue;
        uint32_t last = c;
        for (uint32_t m = c; m != LW_GRAPH_NONE; m = mem[m].next) {
            mem[m].comp = rep;
            last = m;
        }
        mem[last].next = mem[rep].next;
        mem[rep].next = c;
        mem[rep].size += mem[c].size;
    }
    return rep;
}

/* Hands the places of forward[] and back[] out again (see the header). */
static int reorder(struct lw_graph *g, size_t nforward, size_t nback, bool cycle)
{
    size_t total = nforward + nback;
    uint64_t *keys = lw_grow(g->places, &g->places_cap, total * 2, sizeof *keys);
    if (!keys) return -1;
    g->places = keys;
    uint64_t *pool = keys + total;
    size_t npool = 0, nb = 0, nf = 0;
    /* keys[0..nb): B only, by place; keys[total - nf..total): F only; pool: every place once. */
    uint32_t *ords = g->ords;
    for (size_t i = 0; i < nback; i++) {
        uint32_t ord = ords[g->back[i]];
        pool[npool++] = ord;
        if (!(g->marks[g->back[i]] & LW_NODE_FORWARD))
            keys[nb++] = (uint64_t)ord << 32 | g->back[i];
    }
    for (size_t i = 0; i < nforward; i++) {
        if (g->marks[g->forward[i]] & LW_NODE_BACK) continue; /* its place is in the pool */
        uint32_t ord = ords[g->forward[i]];
        pool[npool++] = ord;
        keys[total - ++nf] = (uint64_t)ord << 32 | g->forward[i];
    }
    lw_sort_u64(pool, npool);
    lw_sort_u64(keys, nb);
    lw_sort_u64(keys + total - nf, nf);
    for (size_t i = 0; i < nb; i++)
        ords[(uint32_t)keys[i]] = (uint32_t)pool[i];
    if (cycle) ords[merge(g, g->back, nback)] = (uint32_t)pool[nb];
    for (size_t i = 0; i < nf; i++)
        ords[(uint32_t)keys[total - nf + i]] = (uint32_t)pool[npool - nf + i];
    return 0;
}

int lw_graph_order_insert(struct lw_graph *g, uint32_t edge)
{
    uint32_t ca = lw_graph_comp(g, g->edges[edge].from), cb = lw_graph_comp(g, g->edges[edge].to);
    if (ca == cb) return 1;
    uint32_t lo = lw_graph_ord(g, cb), hi = lw_graph_ord(g, ca);
    if (hi < lo) return 0; /* already in order */
    if (lw_graph_need_marks(g) != 0 || lw_graph_need_ords(g) != 0) return -1;
    g->reorders++;
    lw_graph_adjacency_refresh(g);
    size_t nforward = 0, nback = 0;
    int rc = collect(g, cb, true, lo, hi, LW_NODE_FORWARD, &g->forward, &g->forward_cap, &nforward);
    if (rc == 0) rc = collect(g, ca, false, lo, hi, LW_NODE_BACK, &g->back, &g->back_cap, &nback);
    bool cycle = (g->marks[ca] & LW_NODE_FORWARD) != 0;
    if (rc == 0 && cycle && lw_graph_need_members(g) != 0) rc = -1;
    if (rc == 0) rc = reorder(g, nforward, nback, cycle);
    for (size_t i = 0; i < nforward; i++)
        g->marks[g->forward[i]] &= (uint8_t)~BOTH;
    for (size_t i = 0; i < nback; i++)
        g->marks[g->back[i]] &= (uint8_t)~BOTH;
    if (rc != 0) return -1;
    return cycle;
}
