/* graph_adjacency.c — a compact copy of the graph's adjacency lists for the reordering walks
 * (graph_order.c).
 *
 * The lists threaded through the edges cost no memory of their own, but walking one is a chain
 * of dependent loads, each a cache miss once the edges outgrow the cache: a node with a hundred
 * out edges costs a hundred misses in a row. The copy holds each node's other ends in one run
 * of an array, read in sequence. It covers the edges made before it; a walk takes the newer
 * ones from the threaded lists (newest first, so it stops at the first edge the copy covers).
 * It is remade when the edges have grown by half since: copying costs O(edges) each time, a
 * constant per edge over a run. Only a graph that reorders pays for it. */
#include <string.h>

#include "graph_internal.h"
#include "grow.h"

/* Fills at[0..nodes] with the start of each node's run (of the edges it is the source of, or
 * the target of with by_target) and list with the other ends, edges in index order. */
static void fill(const struct lw_graph *g, size_t nedges, size_t nodes, bool by_target,
                 uint32_t *at, uint32_t *list)
{
    memset(at, 0, (nodes + 1) * sizeof *at);
    for (size_t i = 0; i < nedges; i++)
        at[(by_target ? g->edges[i].to : g->edges[i].from) + 1]++;
    for (size_t n = 0; n < nodes; n++)
        at[n + 1] += at[n];
    for (size_t i = 0; i < nedges; i++) { /* at[n] runs ahead, then is put back below */
        const struct lw_graph_edge *e = &g->edges[i];
        list[at[by_target ? e->to : e->from]++] = by_target ? e->from : e->to;
    }
    for (size_t n = nodes; n > 0; n--)
        at[n] = at[n - 1];
    at[0] = 0;
}

void lw_graph_adjacency_refresh(struct lw_graph *g)
{
    size_t nedges = g->nedges, nodes = g->nnodes;
    if (nedges < 64 || nedges - g->adj_edges <= g->adj_edges / 2) return;
    if (nedges > UINT32_MAX || nodes + 1 > SIZE_MAX / 2) return;
    size_t at_cap = g->adj_at_cap, cap = g->adj_cap;
    uint32_t *out_at = lw_grow(g->adj_out_at, &at_cap, nodes + 1, sizeof *out_at);
    if (!out_at) return;
    g->adj_out_at = out_at;
    at_cap = g->adj_at_cap;
    uint32_t *in_at = lw_grow(g->adj_in_at, &at_cap, nodes + 1, sizeof *in_at);
    if (!in_at) return;
    g->adj_in_at = in_at;
    cap = g->adj_cap;
    uint32_t *out = lw_grow(g->adj_out, &cap, nedges, sizeof *out);
    if (!out) return;
    g->adj_out = out;
    cap = g->adj_cap;
    uint32_t *in = lw_grow(g->adj_in, &cap, nedges, sizeof *in);
    if (!in) return;
    g->adj_in = in;
    g->adj_at_cap = at_cap;
    g->adj_cap = cap;
    fill(g, nedges, nodes, false, out_at, out);
    fill(g, nedges, nodes, true, in_at, in);
    g->adj_edges = nedges;
    g->adj_nodes = nodes;
}
