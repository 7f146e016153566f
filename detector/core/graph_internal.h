/* graph_internal.h — the lock-order graph's storage, shared by graph.c (nodes, edges,
 * instances), graph_order.c (the incremental order of its strongly connected components) and
 * cycle_search.c (the search). Not part of the public contract (graph.h).
 *
 * A node is the caller's id itself: nodes[id] holds the heads of its two adjacency lists (8
 * bytes), for every id up to the largest that is an end of some edge, so the graph keeps no map
 * between ids and nodes. Adjacency is a pair of lists threaded through the edges, so a node owns
 * no allocation. Search marks are stamped with a search number so nothing is cleared per
 * search. */
#ifndef LW_CORE_GRAPH_INTERNAL_H
#define LW_CORE_GRAPH_INTERNAL_H

#include "lockwatch/graph.h"
#include "map.h"
#include "seqset.h"

#define LW_GRAPH_NONE UINT32_MAX

/* What every node needs. What only some graphs need lives in arrays made on first use, by node:
 * members (a graph with a cycle), marks (a graph whose order ever changed) and search scratch (a
 * graph that was ever searched); a node past an array's end has that array's default. */
struct lw_graph_node {
    uint32_t first_out, first_in; /* lists of edges leaving / entering it (newest first) */
};

struct lw_graph_member {
    uint32_t next; /* next node of the same component, LW_GRAPH_NONE at the end (default) */
    uint32_t size; /* representatives: the component's node count (default 1) */
    uint32_t comp; /* its component's representative node (default: the node itself) */
};

struct lw_graph_scratch {
    uint32_t stamp; /* dist is valid when stamp == search_stamp (default 0: never) */
    uint32_t dist;  /* edges from the node to the search's target */
};

/* lw_graph.marks bits (default 0) */
#define LW_NODE_ON_PATH 1u /* cycle_search.c: on the path being extended */
#define LW_NODE_FORWARD 2u /* graph_order.c: reached forward from the new edge's target */
#define LW_NODE_BACK 4u    /* graph_order.c: reaches the new edge's source */

/* What every edge needs. Like a node's, what only some edges need lives in arrays by edge made
 * on first use: extras (a graph with payloads beyond its stored instances) and exclusive sets (a
 * graph that was ever searched). */
struct lw_graph_edge {
    uint32_t from, to;          /* internal node numbers */
    uint32_t next_out, next_in; /* next edge leaving `from` / entering `to`, LW_GRAPH_NONE ends */
    uint32_t first_inst; /* its instances: a list in lw_graph.insts / inst_next, oldest first */
};

/* Caller ids every instance of an edge holds exclusively (its source, its gates): two edges that
 * share one can never be in progress together, whichever instances stand for them. Computed by
 * the first search that crosses the edge (only edges inside components are ever searched). */
struct lw_graph_exclusive {
    uint32_t n; /* LW_EXCLUSIVE_STALE (default): not computed since the instances changed */
    uint32_t *ids;
};

#define LW_EXCLUSIVE_STALE UINT32_MAX

/* A payload an edge remembers beyond its stored instances (graph.h lw_graph_edge_payloads). */
struct lw_graph_extra {
    const void *payload;
    uint32_t next; /* next of the same edge, LW_GRAPH_NONE at the end */
};

/* The epochs of a stored instance's thread's uses of its edge (graph.h lw_graph_edge_uses). */
struct lw_graph_span {
    uint32_t emin, emax;
};

/* A thread with no stored instance of an edge that added some: its uses' epochs. */
struct lw_graph_other {
    uint32_t thread, emin, emax;
    uint32_t next; /* next of the same edge: its index + 1, 0 at the end */
};

struct lw_graph {
    uint64_t budget; /* search steps per lw_graph_add, UINT64_MAX: none */

    uint8_t *reader_pref; /* by caller id; ids past reader_pref_cap are not reader-preferring */
    size_t reader_pref_cap;

    struct lw_graph_node *nodes; /* by id: nnodes of them, ids past the last edge end not */
    size_t nnodes, nodes_cap;
    size_t nends;                     /* ids that are an end of some edge */
    struct lw_graph_member *members;  /* made by the first merge */
    uint8_t *marks;                   /* made by the first reordering or search */
    struct lw_graph_scratch *scratch; /* made by the first search */
    /* Representatives: the component's place in the order. Made by the first reordering; until
     * then (and for ids past its end) a node's place is its id, a valid order for a graph whose
     * edges all point from lower to higher places, and one no other component holds: a place
     * moves only to a component reached by a reordering, and a node without edges is not. */
    uint32_t *ords;
    size_t members_cap, marks_cap, scratch_cap, ords_cap;
    uint32_t search_stamp; /* cycle_search.c */

    struct lw_graph_edge *edges;
    size_t nedges, edges_cap;
    struct lw_graph_instance *insts;
    uint32_t *inst_next; /* per instance: the next of its edge, LW_GRAPH_NONE at the end */
    size_t ninsts, insts_cap, inst_next_cap;
    struct lw_graph_extra *extras;
    size_t nextras, extras_cap;
    uint32_t *first_extra; /* by edge: its payloads of instances not kept, a list in extras
                              (default LW_GRAPH_NONE), made by the first such payload */
    size_t first_extra_cap;
    struct lw_graph_span *spans; /* by instance, made by the first use in an epoch other than 0
                                    (default: epoch 0 only), then covering every instance */
    size_t spans_cap;
    struct lw_graph_other *others;
    size_t nothers, others_cap;
    uint32_t *first_other; /* by edge: its other threads, a list in others (index + 1; default
                              0: none), made by the first such thread */
    size_t first_other_cap;
    uint8_t *crowded; /* by edge: more threads than kept (default 0), made by the first */
    size_t crowded_cap;
    struct lw_graph_exclusive *exclusive; /* by edge, made by the first search */
    size_t exclusive_cap;
    uint32_t *edge_slots;    /* (from, to) -> edge index + 1 and a tag, open addressing (graph.c) */
    size_t edge_slots_cap;   /* a power of two, or 0 */
    struct lw_map gate_sets; /* graph_gates.c: (hash, size) -> interned sets */

    struct lw_seqset cycles; /* canonical sequence of caller ids -> cycle id */
    uint8_t *cycle_single;   /* per cycle id: still single-thread */
    size_t ncycles, cycles_cap;

    uint64_t searches, truncated, reorders, work;

    /* graph_adjacency.c: the other ends of edges [0, adj_edges), node by node: node n's out
     * edges' targets are adj_out[adj_out_at[n] .. adj_out_at[n + 1]), likewise its in edges'
     * sources, for nodes below adj_nodes. Made by the first reordering, remade as edges grow;
     * newer edges are only in the lists threaded through the edges. */
    uint32_t *adj_out_at, *adj_in_at, *adj_out, *adj_in;
    size_t adj_edges, adj_nodes, adj_at_cap, adj_cap;

    /* scratch of one reordering (graph_order.c) */
    uint32_t *forward, *back;
    uint64_t *places; /* (place << 32 | component) keys to sort */
    size_t forward_cap, back_cap, places_cap;

    /* scratch of one search (cycle_search.c), each holding search_cap elements: a component's
     * node count bounds a simple cycle's length */
    size_t search_cap;
    uint32_t *queue;
    uint32_t *path_nodes, *path_edges, *path_next; /* path_next: each depth's next edge */
    uint32_t *cyc_edges, *cyc_ext;
    uint32_t *choice;       /* assign(): the instance tried next per edge */
    uint32_t *held_by_path; /* by caller id: path edges holding it exclusively (all 0 between
                               searches), ext_cap entries */
    size_t held_by_path_cap;
    const struct lw_graph_instance **chosen, **best;
    struct lw_graph_gate *gate_scratch;
    size_t gate_scratch_cap;
};

/* Instances of one kind (modes and interned gate set, compared by address) are interchangeable
 * for the rules of graph.h but for their threads. */
static inline bool lw_graph_same_kind(const struct lw_graph_instance *x,
                                      const struct lw_graph_instance *y)
{
    return x->from_mode == y->from_mode && x->to_mode == y->to_mode && x->gates == y->gates;
}

/* graph_uses.c: records inst->thread's use of edge index `edge` in `epoch`. Returns 1 when inst
 * is to be stored as a new instance (its span then has room: lw_graph_store_span), 0 when the
 * use was recorded on what the edge keeps, -1 when out of memory. */
int lw_graph_keep_use(struct lw_graph *g, uint32_t edge, const struct lw_graph_instance *inst,
                      uint32_t epoch);

/* graph_uses.c: sets the span of instance k, just stored, to `epoch` alone. */
void lw_graph_store_span(struct lw_graph *g, uint32_t k, uint32_t epoch);

/* graph.c: the index of edge a -> b (internal numbers), LW_GRAPH_NONE when there is none. */
uint32_t lw_graph_edge_find(const struct lw_graph *g, uint32_t a, uint32_t b);

/* graph_order.c: puts edge index `edge` (a -> b) into the order of components, merging the
 * components it closes a cycle through. Returns 1 when a and b are now in one component (a
 * cycle through the edge exists), 0 when not, -1 when out of memory (the order is unchanged). */
int lw_graph_order_insert(struct lw_graph *g, uint32_t edge);

/* cycle_search.c: searches the cycles through edge index `edge` (a -> b, a and b in one
 * component) after one of its instances changed. Returns LW_GRAPH_STORED (nothing to report),
 * LW_GRAPH_CYCLE (*cycle set) or LW_GRAPH_ERR_NOMEM. */
int lw_graph_search(struct lw_graph *g, uint32_t edge, struct lw_graph_cycle *cycle);

/* Makes members, marks or scratch cover every node (new entries at their defaults); -1 when out
 * of memory. */
int lw_graph_need_members(struct lw_graph *g);
int lw_graph_need_marks(struct lw_graph *g);
int lw_graph_need_scratch(struct lw_graph *g);

/* graph_adjacency.c: remakes the compact adjacency when enough edges came since it was made. It
 * is a copy: when out of memory the old one (or none) stays, still right for its edges. */
void lw_graph_adjacency_refresh(struct lw_graph *g);

/* Makes ords cover every node (new entries: the node's own id); -1 when out of memory. */
int lw_graph_need_ords(struct lw_graph *g);

/* Makes exclusive cover every edge (new entries stale); -1 when out of memory. */
int lw_graph_need_exclusive(struct lw_graph *g);

static inline uint32_t lw_graph_next_member(const struct lw_graph *g, uint32_t n)
{
    return n < g->members_cap ? g->members[n].next : LW_GRAPH_NONE;
}

static inline uint32_t lw_graph_comp_size(const struct lw_graph *g, uint32_t rep)
{
    return rep < g->members_cap ? g->members[rep].size : 1;
}

/* The place in the order of representative n. */
static inline uint32_t lw_graph_ord(const struct lw_graph *g, uint32_t n)
{
    return n < g->ords_cap ? g->ords[n] : n;
}

/* The representative of node n's component. */
static inline uint32_t lw_graph_comp(const struct lw_graph *g, uint32_t n)
{
    return n < g->members_cap ? g->members[n].comp : n;
}

/* The head of edge e's list of extra payloads. */
static inline uint32_t lw_graph_first_extra(const struct lw_graph *g, uint32_t e)
{
    return e < g->first_extra_cap ? g->first_extra[e] : LW_GRAPH_NONE;
}

/* The gate of gates[0..n) (sorted by node) on `node`, or NULL. */
static inline const struct lw_graph_gate *lw_graph_find_gate(const struct lw_graph_gate *gates,
                                                             uint32_t n, uint32_t node)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (gates[mid].node == node) return &gates[mid];
        if (gates[mid].node < node)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* graph_gates.c: frees every interned gate set. */
void lw_graph_free_gate_sets(struct lw_graph *g);

/* Grows the per-caller-id array *array (elem bytes each, *cap of them) to cover id, zeroing the
 * new part; -1 when out of memory. */
int lw_graph_cover_id(void **array, size_t *cap, uint32_t id, size_t elem);

#endif
