/* cycle_search.c — finds the shortest valid lock-order cycle through a changed edge.
 *
 * Every cycle through a -> b lies inside the component of a and b (graph_order.c), so the
 * search never leaves it. A backward breadth-first pass from a, grown one level per length
 * tried, gives nodes' distances to a; simple paths b ~> a are enumerated by iterative deepening,
 * pruned by that distance, so candidates come shortest first, whatever their length. A path is
 * also abandoned as soon as two of its edges hold a common lock exclusively in every instance
 * (a gate no choice of instances escapes). Each candidate is checked by choosing one instance
 * per edge (backtracking) under the gate and read/read rules of graph.h. The walks keep their
 * own stacks (no recursion, however long the cycle). All steps draw from one work budget; a
 * search it stops is counted (lw_graph_stats.truncated) so the report can say so. */
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"
#include "grow.h"

enum step { STEP_CONTINUE, STEP_FOUND, STEP_STOP, STEP_NOMEM };

#define MODE_SHARED 1 /* enum lw_lock_mode LW_MODE_SHARED (wire.h) */

static bool spend(struct lw_graph *g)
{
    return ++g->work <= g->budget;
}

static bool modes_conflict(uint8_t m1, uint8_t m2)
{
    return !(m1 == MODE_SHARED && m2 == MODE_SHARED);
}

/* True when instances x (on an edge from caller id fx) and y (from fy) hold a common lock in
 * modes that exclude each other: they cannot both be in progress at once, so the lock gates the
 * cycle. Gates are caller ids. */
static bool held_conflict(uint32_t fx, const struct lw_graph_instance *x, uint32_t fy,
                          const struct lw_graph_instance *y)
{
    if (fx == fy && modes_conflict(x->from_mode, y->from_mode)) return true;
    const struct lw_graph_gate *hit = lw_graph_find_gate(y->gates, y->ngates, fx);
    if (hit && modes_conflict(x->from_mode, hit->mode)) return true;
    hit = lw_graph_find_gate(x->gates, x->ngates, fy);
    if (hit && modes_conflict(y->from_mode, hit->mode)) return true;
    uint32_t i = 0, j = 0;
    while (i < x->ngates && j < y->ngates) {
        if (x->gates[i].node < y->gates[j].node) {
            i++;
        } else if (x->gates[i].node > y->gates[j].node) {
            j++;
        } else {
            if (modes_conflict(x->gates[i].mode, y->gates[j].mode)) return true;
            i++;
            j++;
        }
    }
    return false;
}

/* The read/read rule: at a reader-preferring rwlock (caller id ext), a shared request (incoming
 * edge) against a shared hold (outgoing edge) never blocks, so the cycle cannot close there. */
static bool readers_pass(const struct lw_graph *g, uint32_t ext, const struct lw_graph_instance *in,
                         const struct lw_graph_instance *out)
{
    return ext < g->reader_pref_cap && g->reader_pref[ext] && in->to_mode == MODE_SHARED &&
           out->from_mode == MODE_SHARED;
}

/* Whether instance x may stand for cycle edge i given chosen[0..i). */
static bool fits(const struct lw_graph *g, size_t i, size_t n, const struct lw_graph_instance *x)
{
    if (i > 0 && readers_pass(g, g->cyc_ext[i], g->chosen[i - 1], x)) return false;
    if (i == n - 1 && readers_pass(g, g->cyc_ext[0], x, g->chosen[0])) return false;
    for (size_t j = 0; j < i; j++)
        if (held_conflict(g->cyc_ext[j], g->chosen[j], g->cyc_ext[i], x)) return false;
    return true;
}

/* Chooses one instance per edge of cyc_edges[0..n). Returns STEP_FOUND once a multi-thread
 * assignment is in best[], STEP_STOP when the budget ran out, else STEP_CONTINUE (with *single
 * set when a single-thread assignment was saved in best[]). */
static enum step assign(struct lw_graph *g, size_t n, bool *single)
{
    size_t i = 0;
    g->choice[0] = g->edges[g->cyc_edges[0]].first_inst;
    for (;;) {
        if (i == n) {
            bool multi = false;
            for (size_t k = 1; k < n && !multi; k++)
                multi = g->chosen[k]->thread != g->chosen[0]->thread;
            if (multi || !*single) {
                memcpy(g->best, g->chosen, n * sizeof *g->best);
                *single = !multi;
            }
            if (multi) return STEP_FOUND;
            i--; /* choice[n - 1] already points past the instance just tried */
            continue;
        }
        if (g->choice[i] == LW_GRAPH_NONE) {
            if (i == 0) return STEP_CONTINUE;
            i--;
            continue;
        }
        if (!spend(g)) return STEP_STOP;
        const struct lw_graph_instance *x = &g->insts[g->choice[i]];
        g->choice[i] = g->inst_next[g->choice[i]];
        if (!fits(g, i, n, x)) continue;
        g->chosen[i++] = x;
        if (i < n) g->choice[i] = g->edges[g->cyc_edges[i]].first_inst;
    }
}

/* Judges the candidate path_nodes/path_edges[0..n): canonicalises it (rotated to start at its
 * smallest caller id), skips cycles already reported in their best form, and reports a new or
 * upgraded valid one. */
static enum step consider(struct lw_graph *g, size_t n, struct lw_graph_cycle *out)
{
    size_t first = 0;
    for (size_t i = 1; i < n; i++)
        if (g->path_nodes[i] < g->path_nodes[first]) first = i;
    for (size_t i = 0; i < n; i++) {
        g->cyc_edges[i] = g->path_edges[(first + i) % n];
        g->cyc_ext[i] = g->path_nodes[(first + i) % n];
    }
    struct lw_seqset_entry *seen = lw_seqset_find(&g->cycles, g->cyc_ext, n);
    uint32_t id = seen ? (uint32_t)seen->value : (uint32_t)g->ncycles;
    if (seen && !g->cycle_single[id]) return STEP_CONTINUE;
    bool single = false;
    enum step r = assign(g, n, &single);
    if (r == STEP_STOP) return r;
    bool valid = r == STEP_FOUND || single;
    if (!valid || (seen && single)) return STEP_CONTINUE;
    if (!seen) {
        uint8_t *flags = lw_grow(g->cycle_single, &g->cycles_cap, g->ncycles + 1, 1);
        if (!flags) return STEP_NOMEM;
        g->cycle_single = flags;
        if (lw_seqset_add(&g->cycles, g->cyc_ext, n, id) != 0) return STEP_NOMEM;
        g->ncycles++;
    }
    g->cycle_single[id] = single;
    *out = (struct lw_graph_cycle){
        .id = id,
        .upgraded = seen != NULL,
        .single_thread = single,
        .length = n,
        .nodes = g->cyc_ext,
        .instances = g->best,
    };
    return STEP_FOUND;
}

static bool holds_exclusively(const struct lw_graph_instance *x, uint32_t source, uint32_t id)
{
    if (id == source) return x->from_mode != MODE_SHARED;
    const struct lw_graph_gate *hit = lw_graph_find_gate(x->gates, x->ngates, id);
    return hit && hit->mode != MODE_SHARED;
}

/* The ids every instance of edge e holds exclusively, computed when stale (the search made
 * g->exclusive cover every edge). When out of memory the list stays empty, which only makes
 * searches prune less. */
static const struct lw_graph_exclusive *exclusive_known(struct lw_graph *g,
                                                        const struct lw_graph_edge *e)
{
    struct lw_graph_exclusive *x = &g->exclusive[e - g->edges];
    if (x->n != LW_EXCLUSIVE_STALE) return x;
    x->n = 0;
    const struct lw_graph_instance *first = &g->insts[e->first_inst];
    uint32_t source = e->from, n = 0;
    uint32_t *ids = realloc(x->ids, ((size_t)first->ngates + 1) * sizeof *ids);
    if (!ids) return x;
    x->ids = ids;
    for (uint32_t c = 0; c <= first->ngates; c++) {
        uint32_t id = c == first->ngates ? source : first->gates[c].node;
        if (c < first->ngates && id == source) continue; /* a set may hold the source too */
        bool all = true;
        for (uint32_t k = e->first_inst; k != LW_GRAPH_NONE && all; k = g->inst_next[k])
            all = holds_exclusively(&g->insts[k], source, id);
        if (!all) continue;
        /* Counted per path by caller id: the table must cover it. */
        if (lw_graph_cover_id((void **)&g->held_by_path, &g->held_by_path_cap, id,
                              sizeof *g->held_by_path) != 0)
            return x;
        ids[n++] = id;
    }
    x->n = n;
    return x;
}

/* Whether edge e shares an exclusively held lock with the path's edges (then no choice of
 * instances lets them be in progress together: the path cannot be part of a valid cycle). */
static bool blocked_by_path(struct lw_graph *g, const struct lw_graph_edge *e)
{
    const struct lw_graph_exclusive *x = exclusive_known(g, e);
    for (uint32_t i = 0; i < x->n; i++)
        if (g->held_by_path[x->ids[i]]) return true;
    return false;
}

static void mark_path_edge(struct lw_graph *g, const struct lw_graph_edge *e, uint32_t delta)
{
    const struct lw_graph_exclusive *x = exclusive_known(g, e);
    for (uint32_t i = 0; i < x->n; i++)
        g->held_by_path[x->ids[i]] += delta;
}

/* Enumerates the simple paths a -> b ~> a of exactly len edges (path_nodes[0] = a,
 * path_nodes[1] = b, path_edges[0] = the changed edge, already marked) and considers each.
 * Distances to a must be known up to len - 1. */
static enum step paths_of_length(struct lw_graph *g, size_t len, struct lw_graph_cycle *out)
{
    uint32_t target = g->path_nodes[0];
    size_t k = 1;
    g->path_next[1] = g->nodes[g->path_nodes[1]].first_out;
    enum step r = STEP_CONTINUE;
    while (k >= 1 && r == STEP_CONTINUE) {
        if (g->path_next[k] == LW_GRAPH_NONE) {
            if (k > 1) {
                g->marks[g->path_nodes[k]] &= (uint8_t)~LW_NODE_ON_PATH;
                mark_path_edge(g, &g->edges[g->path_edges[k - 1]], (uint32_t)-1);
            }
            k--;
            continue;
        }
        if (!spend(g)) {
            r = STEP_STOP;
            break;
        }
        uint32_t e = g->path_next[k], v = g->edges[e].to;
        g->path_next[k] = g->edges[e].next_out;
        size_t rem = len - k;
        const struct lw_graph_scratch *sv = &g->scratch[v];
        if (rem == 1) {
            if (v != target || blocked_by_path(g, &g->edges[e])) continue;
            g->path_edges[k] = e;
            r = consider(g, k + 1, out);
            continue;
        }
        if (v == target || (g->marks[v] & LW_NODE_ON_PATH) || sv->stamp != g->search_stamp ||
            sv->dist > rem - 1 || blocked_by_path(g, &g->edges[e]))
            continue;
        mark_path_edge(g, &g->edges[e], 1);
        g->path_edges[k] = e;
        g->path_nodes[++k] = v;
        g->path_next[k] = g->nodes[v].first_out;
        g->marks[v] |= LW_NODE_ON_PATH;
    }
    for (size_t i = 2; i <= k; i++) { /* a stop or a find leaves the path marked */
        g->marks[g->path_nodes[i]] &= (uint8_t)~LW_NODE_ON_PATH;
        mark_path_edge(g, &g->edges[g->path_edges[i - 1]], (uint32_t)-1);
    }
    return r;
}

/* The backward breadth-first pass from a search's target (the queue is lw_graph.queue), grown
 * level by level as longer cycles are tried. */
struct bfs {
    uint32_t comp;
    size_t head, tail;
};

static void bfs_start(struct lw_graph *g, struct bfs *q, uint32_t target)
{
    if (++g->search_stamp == 0) {
        for (size_t i = 0; i < g->scratch_cap; i++)
            g->scratch[i].stamp = 0;
        g->search_stamp = 1;
    }
    *q = (struct bfs){.comp = lw_graph_comp(g, target)};
    g->scratch[target].stamp = g->search_stamp;
    g->scratch[target].dist = 0;
    g->queue[q->tail++] = target;
}

/* Stamps every node of the target's component within `depth` edges of it (walking edges
 * backwards) with its distance. Returns false when the budget ran out. */
static bool bfs_to_depth(struct lw_graph *g, struct bfs *q, uint32_t depth)
{
    while (q->head < q->tail && g->scratch[g->queue[q->head]].dist < depth) {
        uint32_t u = g->queue[q->head++];
        for (uint32_t i = g->nodes[u].first_in; i != LW_GRAPH_NONE; i = g->edges[i].next_in) {
            if (!spend(g)) return false;
            uint32_t v = g->edges[i].from;
            struct lw_graph_scratch *sv = &g->scratch[v];
            if (sv->stamp == g->search_stamp || lw_graph_comp(g, v) != q->comp) continue;
            sv->stamp = g->search_stamp;
            sv->dist = g->scratch[u].dist + 1;
            g->queue[q->tail++] = v;
        }
    }
    return true;
}

/* Grows every per-search array to a component of `size` nodes. */
static int reserve(struct lw_graph *g, size_t size)
{
    if (size < g->search_cap) return 0;
    size_t cap = g->search_cap ? g->search_cap : 16;
    while (cap <= size)
        cap *= 2;
    uint32_t **words[] = {&g->queue,     &g->path_nodes, &g->path_edges, &g->path_next,
                          &g->cyc_edges, &g->cyc_ext,    &g->choice};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        uint32_t *grown = realloc(*words[i], cap * sizeof *grown);
        if (!grown) return -1;
        *words[i] = grown;
    }
    const struct lw_graph_instance ***picks[] = {&g->chosen, &g->best};
    for (size_t i = 0; i < sizeof picks / sizeof *picks; i++) {
        const struct lw_graph_instance **grown = realloc(*picks[i], cap * sizeof *grown);
        if (!grown) return -1;
        *picks[i] = grown;
    }
    g->search_cap = cap; /* only once all of them hold cap */
    return 0;
}

int lw_graph_search(struct lw_graph *g, uint32_t edge, struct lw_graph_cycle *cycle)
{
    uint32_t a = g->edges[edge].from, b = g->edges[edge].to;
    size_t size = lw_graph_comp_size(g, lw_graph_comp(g, a));
    if (reserve(g, size) != 0 || lw_graph_need_marks(g) != 0 || lw_graph_need_scratch(g) != 0 ||
        lw_graph_need_exclusive(g) != 0)
        return LW_GRAPH_ERR_NOMEM;
    g->searches++;
    g->work = 0;
    struct bfs q;
    bfs_start(g, &q, a);
    g->path_nodes[0] = a;
    g->path_nodes[1] = b;
    g->path_edges[0] = edge;
    g->marks[a] |= LW_NODE_ON_PATH;
    g->marks[b] |= LW_NODE_ON_PATH;
    mark_path_edge(g, &g->edges[edge], 1);
    /* Distances are needed only as deep as the cycles tried so far: in a dense component the
     * shortest cycle is found after a pass over a's predecessors, not over the component. */
    enum step r = STEP_CONTINUE;
    for (size_t len = 2; len <= size && r == STEP_CONTINUE; len++) {
        if (!bfs_to_depth(g, &q, (uint32_t)len - 1))
            r = STEP_STOP;
        else if (g->scratch[b].stamp == g->search_stamp)
            r = paths_of_length(g, len, cycle);
    }
    mark_path_edge(g, &g->edges[edge], (uint32_t)-1);
    g->marks[a] &= (uint8_t)~LW_NODE_ON_PATH;
    g->marks[b] &= (uint8_t)~LW_NODE_ON_PATH;
    switch (r) {
    case STEP_CONTINUE:
        return LW_GRAPH_STORED;
    case STEP_FOUND:
        return LW_GRAPH_CYCLE;
    case STEP_STOP:
        g->truncated++;
        return LW_GRAPH_STORED;
    case STEP_NOMEM:
        return LW_GRAPH_ERR_NOMEM;
    }
    return LW_GRAPH_STORED;
}
