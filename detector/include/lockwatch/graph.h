/* lockwatch/graph.h — the lock-order graph with complete incremental cycle search.
 *
 * Contract:
 *  - Nodes are dense uint32 ids chosen by the caller (the detector uses lock index - 1); the
 *    graph grows to the largest id it is told about.
 *  - lw_graph_add(g, a, b, inst) records one *instance* of the edge a -> b: "b was requested
 *    while a was held", by thread inst->thread, with a held in inst->from_mode, b requested in
 *    inst->to_mode, and inst->gates = the locks held at that moment with their modes (a among
 *    them or not: holding a is known from from_mode), as a set interned by
 *    lw_graph_intern_gates. A set that holds b makes no edge (re-requesting a held lock is
 *    recursion, not an order). An edge keeps every instance of a new kind (modes and gate set)
 *    and, of each kind, the first two threads' instances: beyond two, another thread adds no way
 *    to close a cycle (a thread other than any given one is already at hand). Every distinct
 *    payload is remembered all the same (the places a program takes the two locks in that order:
 *    lw_graph_edge_payloads), and so are the epochs of every thread's instances, kept or not,
 *    up to LW_GRAPH_OTHER_THREADS threads beyond the stored instances' (lw_graph_edge_uses).
 *  - The graph keeps its strongly connected components in a topological order as edges arrive,
 *    so an edge between two components costs no search. Whenever an instance is stored on an
 *    edge inside a component, the cycles through a -> b (paths b ~> a) are searched, shortest
 *    first, whatever their length, within a work budget per call; a search the budget stops is
 *    counted in lw_graph_stats.truncated (never silent: the caller reports it). A cycle counts
 *    only when one instance per edge can be chosen such that
 *      * no lock is held (as an edge's source or gate) by two chosen instances unless both hold
 *        it shared: a common lock is a gate that keeps the cycle from closing;
 *      * at no reader-preferring rwlock node is the lock requested shared by the incoming edge
 *        and held shared by the outgoing one (two readers never block each other there).
 *    Assignments from >= 2 distinct threads are preferred; a cycle valid only within one thread
 *    is still reported, marked single_thread.
 *  - Each cycle is reported once, identified by its node sequence rotated to start at its
 *    smallest id. A single-thread cycle later found valid across threads is reported again as
 *    upgraded (same id). One call reports at most one cycle: the shortest new (or upgraded) one.
 *  - No internal locking. Memory grows with nodes, edges and instances only; per-search scratch
 *    is reused. Results point into the graph and stay valid until the next lw_graph_add. */
#ifndef LOCKWATCH_GRAPH_H
#define LOCKWATCH_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LW_GRAPH_VIEW_INSTANCES 4        /* instances an edge view shows (lw_graph_edge_at) */
#define LW_GRAPH_DEFAULT_BUDGET 1000000u /* node/edge/assignment steps per search */

struct lw_graph;

/* A lock held besides the edge's source: its node and enum lw_lock_mode. */
struct lw_graph_gate {
    uint32_t node;
    uint8_t mode;
};

/* 24 bytes: an edge keeps one or more of these, so a gate set holds at most LW_GRAPH_MAX_GATES
 * locks (the detector's held sets hold at most LW_WIRE_MAX_HELD_EDGES). */
struct lw_graph_instance {
    uint32_t thread;
    uint16_t ngates;
    uint8_t from_mode;                 /* enum lw_lock_mode the source was held in */
    uint8_t to_mode;                   /* enum lw_lock_mode the target was requested in */
    const struct lw_graph_gate *gates; /* from lw_graph_intern_gates (NULL when ngates is 0) */
    const void *payload;               /* the caller's, e.g. the stacks of the two acquisitions */
};

#define LW_GRAPH_MAX_GATES UINT16_MAX

/* One reported cycle: edge i goes nodes[i] -> nodes[(i + 1) % length] and was shown possible by
 * instances[i]. */
struct lw_graph_cycle {
    uint32_t id; /* 0-based, in order of discovery; stable across upgrades */
    bool upgraded;
    bool single_thread;
    size_t length;
    const uint32_t *nodes;
    const struct lw_graph_instance *const *instances;
};

enum lw_graph_result {
    LW_GRAPH_ERR_NOMEM = -1,
    LW_GRAPH_KNOWN = 0,  /* nothing new: the instance was already known or not kept */
    LW_GRAPH_STORED = 1, /* the instance was stored; no new cycle */
    LW_GRAPH_CYCLE = 2,  /* the instance was stored and *cycle is new or upgraded */
};

struct lw_graph_stats {
    size_t nodes; /* ids that are an end of some edge */
    size_t edges, instances, cycles;
    uint64_t reorders;  /* edges that changed the order of components */
    uint64_t searches;  /* edges inside a component, searched */
    uint64_t truncated; /* searches stopped by the work budget */
};

/* work_budget: steps per search, 0 = LW_GRAPH_DEFAULT_BUDGET, UINT64_MAX = none. Returns NULL
 * when out of memory. */
struct lw_graph *lw_graph_new(uint64_t work_budget);
void lw_graph_free(struct lw_graph *g);

/* Marks node as a reader-preferring rwlock (the read/read rule applies at it) or not.
 * Returns 0, or -1 when out of memory. */
int lw_graph_set_reader_preferring(struct lw_graph *g, uint32_t node, bool reader_preferring);

/* Interns the set gates[0..n) (any order; a repeated node keeps its stronger mode): returns the
 * graph's copy, sorted by node, with its size in *nout, valid until lw_graph_free. Equal sets give
 * the same pointer. NULL with *nout 0 for an empty set, NULL with n > 0 when out of memory or
 * when the set holds more than LW_GRAPH_MAX_GATES distinct nodes. */
const struct lw_graph_gate *lw_graph_intern_gates(struct lw_graph *g,
                                                  const struct lw_graph_gate *gates, size_t n,
                                                  uint16_t *nout);

/* Adds an instance of a -> b (a != b; inst->gates interned by this graph). The graph keeps a copy
 * of *inst. Returns enum lw_graph_result; *cycle is set for LW_GRAPH_CYCLE. The use is in
 * epoch 0 (lw_graph_add_in_epoch). */
int lw_graph_add(struct lw_graph *g, uint32_t a, uint32_t b, const struct lw_graph_instance *inst,
                 struct lw_graph_cycle *cycle);

/* lw_graph_add for a use of the edge by inst->thread in the caller's `epoch` of that thread
 * (lw_graph_edge_uses). */
int lw_graph_add_in_epoch(struct lw_graph *g, uint32_t a, uint32_t b,
                          const struct lw_graph_instance *inst, uint32_t epoch,
                          struct lw_graph_cycle *cycle);

/* The threads an edge keeps the epochs of besides those of its stored instances; a thread
 * beyond them marks the edge crowded (lw_graph_edge_uses). */
#define LW_GRAPH_OTHER_THREADS 64u

/* A thread's uses of one edge: the lowest and highest epoch it added an instance in. */
struct lw_graph_use {
    uint32_t thread, emin, emax;
};

/* The threads that added instances of edge a -> b, each once with the epochs of its uses (every
 * instance added counts, kept or not), into out[0..max); returns how many there are (may
 * exceed max: call again with room for that many). *crowded is set when more threads than the
 * edge keeps (its stored instances' and LW_GRAPH_OTHER_THREADS others) added instances: the
 * uses of those are not known, and out lists only the kept ones. 0 when there is no such edge. */
size_t lw_graph_edge_uses(const struct lw_graph *g, uint32_t a, uint32_t b,
                          struct lw_graph_use *out, size_t max, bool *crowded);

void lw_graph_stats(const struct lw_graph *g, struct lw_graph_stats *stats);

/* A read-only view of one edge, for exporting the whole graph: its first LW_GRAPH_VIEW_INSTANCES
 * instances. Edges are numbered 0 .. stats.edges - 1 in order of creation; the view points into
 * the graph and stays valid until the next lw_graph_add. Every edge has at least one instance. */
struct lw_graph_edge_view {
    uint32_t from, to;
    size_t ninstances;
    const struct lw_graph_instance *instances[LW_GRAPH_VIEW_INSTANCES];
};

/* The distinct payloads of every instance ever added to edge a -> b (caller ids), kept or not:
 * the stored instances' first, then the others in order of arrival. Writes at most max of them
 * to out and returns how many there are (0 when there is no such edge). */
size_t lw_graph_edge_payloads(const struct lw_graph *g, uint32_t a, uint32_t b, const void **out,
                              size_t max);

/* Fills *view with edge i. Returns false (and leaves *view alone) when there is no edge i. */
bool lw_graph_edge_at(const struct lw_graph *g, size_t i, struct lw_graph_edge_view *view);

#endif
