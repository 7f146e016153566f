/* graph_internal.h — the lock-order graph's storage, shared by graph.c (nodes, edges,
 * instances) and cycle_search.c (the search). Not part of the public contract (graph.h).
 *
 * Layout for scale: nodes are parallel arrays indexed by id (adjacency vectors of edge indices
 * plus per-search marks), edges and instances are flat arrays, and the (from, to) -> edge lookup
 * is one hash map. Search marks are stamped with a search number so nothing is cleared per
 * search. */
#ifndef LW_CORE_GRAPH_INTERNAL_H
#define LW_CORE_GRAPH_INTERNAL_H

#include "lockwatch/graph.h"
#include "map.h"
#include "seqset.h"

struct lw_vec32 {
    uint32_t *items;
    uint32_t n, cap;
};

struct lw_graph_edge {
    uint32_t from, to;
    uint32_t ninst;
    uint32_t inst[LW_GRAPH_MAX_INSTANCES]; /* indices into lw_graph.insts */
};

struct lw_graph {
    unsigned max_cycle;
    uint64_t budget;

    size_t nnodes, nodes_cap;
    struct lw_vec32 *out, *in; /* edge indices leaving / entering each node */
    uint8_t *reader_pref;
    uint32_t *stamp; /* dist[n] is valid when stamp[n] == search_stamp */
    uint8_t *dist;   /* edges from n to the current search's target */
    uint8_t *on_path;
    uint32_t search_stamp;

    struct lw_graph_edge *edges;
    size_t nedges, edges_cap;
    struct lw_graph_instance *insts;
    size_t ninsts, insts_cap;
    struct lw_map edge_map; /* (from << 32 | to, 0) -> edge index */

    struct lw_seqset cycles; /* canonical node sequence -> cycle id */
    uint8_t *cycle_single;   /* per cycle id: still single-thread */
    size_t ncycles, cycles_cap;

    uint64_t searches, truncated, work;

    /* scratch of one search */
    uint32_t *queue;
    size_t queue_cap;
    struct lw_graph_gate *gate_scratch;
    size_t gate_scratch_cap;
    uint32_t path_nodes[LW_GRAPH_LIMIT_MAX_CYCLE + 1];
    uint32_t path_edges[LW_GRAPH_LIMIT_MAX_CYCLE];
    uint32_t cyc_nodes[LW_GRAPH_LIMIT_MAX_CYCLE];
    uint32_t cyc_edges[LW_GRAPH_LIMIT_MAX_CYCLE];
    const struct lw_graph_instance *chosen[LW_GRAPH_LIMIT_MAX_CYCLE];
    const struct lw_graph_instance *best[LW_GRAPH_LIMIT_MAX_CYCLE];
};

/* cycle_search.c: searches the cycles through edge index `edge` (a -> b) after one of its
 * instances changed. Returns LW_GRAPH_STORED (nothing to report), LW_GRAPH_CYCLE (*cycle set)
 * or LW_GRAPH_ERR_NOMEM. */
int lw_graph_search(struct lw_graph *g, uint32_t edge, struct lw_graph_cycle *cycle);

#endif
