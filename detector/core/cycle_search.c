/* cycle_search.c — finds the shortest valid lock-order cycle through a changed edge.
 *
 * For a changed edge a -> b: a backward breadth-first pass from a gives every node's distance to
 * a (bounded by the longest cycle searched); then simple paths b ~> a are enumerated by
 * iterative deepening, pruned by that distance, so candidates come shortest first. Each
 * candidate is checked by choosing one instance per edge (backtracking) under the gate and
 * read/read rules of graph.h. All steps draw from one work budget so a huge or dense graph
 * bounds the cost of a single insertion. */
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"
#include "grow.h"

enum step { STEP_CONTINUE, STEP_FOUND, STEP_STOP, STEP_NOMEM };
enum verdict { VERDICT_NONE, VERDICT_SINGLE, VERDICT_MULTI };

#define MODE_SHARED 1 /* enum lw_lock_mode LW_MODE_SHARED (wire.h) */

static bool spend(struct lw_graph *g)
{
    return ++g->work <= g->budget;
}

static const struct lw_graph_gate *find_gate(const struct lw_graph_instance *x, uint32_t node)
{
    uint32_t lo = 0, hi = x->ngates;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (x->gates[mid].node == node) return &x->gates[mid];
        if (x->gates[mid].node < node)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static bool modes_conflict(uint8_t m1, uint8_t m2)
{
    return !(m1 == MODE_SHARED && m2 == MODE_SHARED);
}

/* True when instances x (on an edge from fx) and y (from fy) hold a common lock in modes that
 * exclude each other: they cannot both be in progress at once, so the lock gates the cycle. */
static bool held_conflict(uint32_t fx, const struct lw_graph_instance *x, uint32_t fy,
                          const struct lw_graph_instance *y)
{
    if (fx == fy && modes_conflict(x->from_mode, y->from_mode)) return true;
    const struct lw_graph_gate *hit = find_gate(y, fx);
    if (hit && modes_conflict(x->from_mode, hit->mode)) return true;
    hit = find_gate(x, fy);
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

/* The read/read rule: at a reader-preferring rwlock, a shared request (incoming edge) against a
 * shared hold (outgoing edge) never blocks, so the cycle cannot close there. */
static bool readers_pass(const struct lw_graph *g, uint32_t node,
                         const struct lw_graph_instance *in, const struct lw_graph_instance *out)
{
    return g->reader_pref[node] && in->to_mode == MODE_SHARED && out->from_mode == MODE_SHARED;
}

/* Chooses instances for cycle edges i..n-1 given chosen[0..i). Returns STEP_FOUND once a
 * multi-thread assignment is in best[], STEP_STOP when the budget ran out, else STEP_CONTINUE
 * (with *single set when a single-thread assignment was saved in best[]). */
static enum step assign(struct lw_graph *g, size_t i, size_t n, bool *single)
{
    if (i == n) {
        bool multi = false;
        for (size_t k = 1; k < n && !multi; k++)
            multi = g->chosen[k]->thread != g->chosen[0]->thread;
        if (multi || !*single) {
            memcpy(g->best, g->chosen, n * sizeof *g->best);
            *single = !multi;
        }
        return multi ? STEP_FOUND : STEP_CONTINUE;
    }
    const struct lw_graph_edge *e = &g->edges[g->cyc_edges[i]];
    for (uint32_t k = 0; k < e->ninst; k++) {
        if (!spend(g)) return STEP_STOP;
        const struct lw_graph_instance *x = &g->insts[e->inst[k]];
        if (i > 0 && readers_pass(g, g->cyc_nodes[i], g->chosen[i - 1], x)) continue;
        if (i == n - 1 && readers_pass(g, g->cyc_nodes[0], x, g->chosen[0])) continue;
        bool gated = false;
        for (size_t j = 0; j < i && !gated; j++)
            gated = held_conflict(g->cyc_nodes[j], g->chosen[j], g->cyc_nodes[i], x);
        if (gated) continue;
        g->chosen[i] = x;
        enum step r = assign(g, i + 1, n, single);
        if (r != STEP_CONTINUE) return r;
    }
    return STEP_CONTINUE;
}

/* Judges the candidate path_nodes/path_edges[0..n): canonicalises it, skips cycles already
 * reported in their best form, and reports a new or upgraded valid one. */
static enum step consider(struct lw_graph *g, size_t n, struct lw_graph_cycle *out)
{
    size_t first = 0;
    for (size_t i = 1; i < n; i++)
        if (g->path_nodes[i] < g->path_nodes[first]) first = i;
    for (size_t i = 0; i < n; i++) {
        g->cyc_nodes[i] = g->path_nodes[(first + i) % n];
        g->cyc_edges[i] = g->path_edges[(first + i) % n];
    }
    struct lw_seqset_entry *seen = lw_seqset_find(&g->cycles, g->cyc_nodes, n);
    uint32_t id = seen ? (uint32_t)seen->value : (uint32_t)g->ncycles;
    if (seen && !g->cycle_single[id]) return STEP_CONTINUE;
    bool single = false;
    enum step r = assign(g, 0, n, &single);
    if (r == STEP_STOP) return r;
    bool valid = r == STEP_FOUND || single;
    if (!valid || (seen && single)) return STEP_CONTINUE;
    if (!seen) {
        uint8_t *flags = lw_grow(g->cycle_single, &g->cycles_cap, g->ncycles + 1, 1);
        if (!flags) return STEP_NOMEM;
        g->cycle_single = flags;
        if (lw_seqset_add(&g->cycles, g->cyc_nodes, n, id) != 0) return STEP_NOMEM;
        g->ncycles++;
    }
    g->cycle_single[id] = single;
    *out = (struct lw_graph_cycle){
        .id = id,
        .upgraded = seen != NULL,
        .single_thread = single,
        .length = n,
        .nodes = g->cyc_nodes,
        .instances = g->best,
    };
    return STEP_FOUND;
}

/* Extends the path (path_nodes[0..k], last node u) by exactly `rem` more edges ending at
 * path_nodes[0]. */
static enum step extend(struct lw_graph *g, size_t k, unsigned rem, struct lw_graph_cycle *out)
{
    uint32_t target = g->path_nodes[0];
    const struct lw_vec32 *outs = &g->out[g->path_nodes[k]];
    for (uint32_t i = 0; i < outs->n; i++) {
        if (!spend(g)) return STEP_STOP;
        uint32_t e = outs->items[i], v = g->edges[e].to;
        g->path_edges[k] = e;
        if (rem == 1) {
            if (v != target) continue;
            enum step r = consider(g, k + 1, out);
            if (r != STEP_CONTINUE) return r;
            continue;
        }
        if (v == target || g->on_path[v] || g->stamp[v] != g->search_stamp || g->dist[v] > rem - 1)
            continue;
        g->on_path[v] = 1;
        g->path_nodes[k + 1] = v;
        enum step r = extend(g, k + 1, rem - 1, out);
        g->on_path[v] = 0;
        if (r != STEP_CONTINUE) return r;
    }
    return STEP_CONTINUE;
}

/* Stamps every node within max_cycle - 1 edges of `target` (walking edges backwards) with its
 * distance to it. Returns false when the budget ran out or scratch could not grow. */
static bool distances_to(struct lw_graph *g, uint32_t target, bool *nomem)
{
    if (++g->search_stamp == 0) {
        memset(g->stamp, 0, g->nodes_cap * sizeof *g->stamp);
        g->search_stamp = 1;
    }
    uint32_t *queue = lw_grow(g->queue, &g->queue_cap, g->nnodes, sizeof *queue);
    if (!queue) {
        *nomem = true;
        return false;
    }
    g->queue = queue;
    size_t head = 0, tail = 0;
    g->stamp[target] = g->search_stamp;
    g->dist[target] = 0;
    queue[tail++] = target;
    while (head < tail) {
        uint32_t u = queue[head++];
        if (g->dist[u] + 1u >= g->max_cycle) continue;
        const struct lw_vec32 *ins = &g->in[u];
        for (uint32_t i = 0; i < ins->n; i++) {
            if (!spend(g)) return false;
            uint32_t v = g->edges[ins->items[i]].from;
            if (g->stamp[v] == g->search_stamp) continue;
            g->stamp[v] = g->search_stamp;
            g->dist[v] = (uint8_t)(g->dist[u] + 1);
            queue[tail++] = v;
        }
    }
    return true;
}

int lw_graph_search(struct lw_graph *g, uint32_t edge, struct lw_graph_cycle *cycle)
{
    uint32_t a = g->edges[edge].from, b = g->edges[edge].to;
    if (g->out[b].n == 0 || g->in[a].n == 0)
        return LW_GRAPH_STORED; /* nothing leaves b or enters a: no path b ~> a */
    g->searches++;
    g->work = 0;
    bool nomem = false;
    if (!distances_to(g, a, &nomem)) {
        if (nomem) return LW_GRAPH_ERR_NOMEM;
        g->truncated++;
        return LW_GRAPH_STORED;
    }
    if (g->stamp[b] != g->search_stamp) return LW_GRAPH_STORED;
    g->path_nodes[0] = a;
    g->path_nodes[1] = b;
    g->path_edges[0] = edge;
    g->on_path[a] = g->on_path[b] = 1;
    enum step r = STEP_CONTINUE;
    for (unsigned len = g->dist[b] + 1u; len <= g->max_cycle && r == STEP_CONTINUE; len++)
        r = extend(g, 1, len - 1, cycle);
    g->on_path[a] = g->on_path[b] = 0;
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
