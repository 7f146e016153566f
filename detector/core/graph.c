/* graph.c — the lock-order graph's nodes, edges and edge instances (graph.h is the contract;
 * the cycle search lives in cycle_search.c). */
#include "graph_internal.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"

struct lw_graph *lw_graph_new(unsigned max_cycle_length, uint64_t work_budget)
{
    struct lw_graph *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    if (max_cycle_length == 0) max_cycle_length = LW_GRAPH_DEFAULT_MAX_CYCLE;
    if (max_cycle_length < 2) max_cycle_length = 2;
    if (max_cycle_length > LW_GRAPH_LIMIT_MAX_CYCLE) max_cycle_length = LW_GRAPH_LIMIT_MAX_CYCLE;
    g->max_cycle = max_cycle_length;
    g->budget = work_budget ? work_budget : LW_GRAPH_DEFAULT_BUDGET;
    return g;
}

void lw_graph_free(struct lw_graph *g)
{
    if (!g) return;
    for (size_t i = 0; i < g->nnodes; i++) {
        free(g->out[i].items);
        free(g->in[i].items);
    }
    for (size_t i = 0; i < g->ninsts; i++)
        free(g->insts[i].gates);
    free(g->out);
    free(g->in);
    free(g->reader_pref);
    free(g->stamp);
    free(g->dist);
    free(g->on_path);
    free(g->edges);
    free(g->insts);
    lw_map_free(&g->edge_map);
    lw_seqset_free(&g->cycles);
    free(g->cycle_single);
    free(g->queue);
    free(g->gate_scratch);
    free(g);
}

/* Grows one per-node array to cap elements, zeroing the new part. */
static int grow_nodes_array(void **array, size_t old_cap, size_t cap, size_t elem)
{
    void *grown = realloc(*array, cap * elem);
    if (!grown) return -1;
    memset((char *)grown + old_cap * elem, 0, (cap - old_cap) * elem);
    *array = grown;
    return 0;
}

/* Makes node ids up to `node` valid. */
static int ensure_node(struct lw_graph *g, uint32_t node)
{
    if (node >= g->nodes_cap) {
        size_t cap = g->nodes_cap ? g->nodes_cap : 64;
        while (cap <= node)
            cap *= 2;
        void *arrays[] = {g->out, g->in, g->reader_pref, g->stamp, g->dist, g->on_path};
        size_t elems[] = {sizeof *g->out,   sizeof *g->in,   sizeof *g->reader_pref,
                          sizeof *g->stamp, sizeof *g->dist, sizeof *g->on_path};
        int rc = 0;
        for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++)
            if (rc == 0) rc = grow_nodes_array(&arrays[i], g->nodes_cap, cap, elems[i]);
        /* Arrays grown before a failure stay valid (realloc kept their contents). */
        g->out = arrays[0];
        g->in = arrays[1];
        g->reader_pref = arrays[2];
        g->stamp = arrays[3];
        g->dist = arrays[4];
        g->on_path = arrays[5];
        if (rc != 0) return -1;
        g->nodes_cap = cap;
    }
    if (node >= g->nnodes) g->nnodes = (size_t)node + 1;
    return 0;
}

int lw_graph_set_reader_preferring(struct lw_graph *g, uint32_t node, bool reader_preferring)
{
    if (ensure_node(g, node) != 0) return -1;
    g->reader_pref[node] = reader_preferring;
    return 0;
}

static int vec_push(struct lw_vec32 *v, uint32_t item)
{
    if (v->n == v->cap) {
        size_t cap = v->cap;
        uint32_t *items = lw_grow(v->items, &cap, (size_t)v->n + 1, sizeof *items);
        if (!items || cap > UINT32_MAX) return -1;
        v->items = items;
        v->cap = (uint32_t)cap;
    }
    v->items[v->n++] = item;
    return 0;
}

/* Returns the index of edge a -> b, creating it; UINT32_MAX when out of memory. */
static uint32_t find_or_add_edge(struct lw_graph *g, uint32_t a, uint32_t b)
{
    uint64_t key = (uint64_t)a << 32 | b, found;
    if (lw_map_get(&g->edge_map, key, 0, &found)) return (uint32_t)found;
    if (g->nedges >= UINT32_MAX - 1 || ensure_node(g, a > b ? a : b) != 0) return UINT32_MAX;
    struct lw_graph_edge *edges = lw_grow(g->edges, &g->edges_cap, g->nedges + 1, sizeof *edges);
    if (!edges) return UINT32_MAX;
    g->edges = edges;
    uint32_t index = (uint32_t)g->nedges;
    /* Reserve both adjacency slots before publishing, so a failure leaves no half edge. */
    if (vec_push(&g->out[a], index) != 0) return UINT32_MAX;
    if (vec_push(&g->in[b], index) != 0) {
        g->out[a].n--;
        return UINT32_MAX;
    }
    if (lw_map_put(&g->edge_map, key, 0, index) != 0) {
        g->out[a].n--;
        g->in[b].n--;
        return UINT32_MAX;
    }
    g->edges[index] = (struct lw_graph_edge){.from = a, .to = b};
    g->nedges++;
    return index;
}

static int compare_gates(const void *x, const void *y)
{
    const struct lw_graph_gate *gx = x, *gy = y;
    if (gx->node != gy->node) return gx->node < gy->node ? -1 : 1;
    return (int)gx->mode - (int)gy->mode;
}

/* Copies inst's gates into scratch in canonical form: sorted, without the edge's ends, one entry
 * per node holding its strongest mode (exclusive sorts first). Returns the count or -1. */
static long normalise_gates(struct lw_graph *g, uint32_t a, uint32_t b,
                            const struct lw_graph_instance *inst)
{
    if (inst->ngates == 0) return 0;
    struct lw_graph_gate *scratch =
        lw_grow(g->gate_scratch, &g->gate_scratch_cap, inst->ngates, sizeof *scratch);
    if (!scratch) return -1;
    g->gate_scratch = scratch;
    size_t n = 0;
    for (uint32_t i = 0; i < inst->ngates; i++)
        if (inst->gates[i].node != a && inst->gates[i].node != b) scratch[n++] = inst->gates[i];
    qsort(scratch, n, sizeof *scratch, compare_gates);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (kept == 0 || scratch[kept - 1].node != scratch[i].node) scratch[kept++] = scratch[i];
    return (long)kept;
}

static bool same_instance(const struct lw_graph_instance *x, uint32_t thread, uint8_t from_mode,
                          uint8_t to_mode, const struct lw_graph_gate *gates, size_t ngates)
{
    if (x->thread != thread || x->from_mode != from_mode || x->to_mode != to_mode ||
        x->ngates != ngates)
        return false;
    for (size_t i = 0; i < ngates; i++)
        if (x->gates[i].node != gates[i].node || x->gates[i].mode != gates[i].mode) return false;
    return true;
}

/* Which stored instance a new one of `thread` with `ngates` gates replaces on a full edge, or -1
 * when it is not worth keeping: distinct threads first (a new thread evicts an instance of a
 * thread seen more than once), then smaller gate sets (which can close more cycles). */
static int pick_victim(const struct lw_graph *g, const struct lw_graph_edge *e, uint32_t thread,
                       size_t ngates)
{
    bool thread_known = false;
    for (uint32_t i = 0; i < e->ninst; i++)
        thread_known |= g->insts[e->inst[i]].thread == thread;
    int victim = -1;
    for (uint32_t i = 0; i < e->ninst; i++) {
        const struct lw_graph_instance *x = &g->insts[e->inst[i]];
        bool candidate;
        if (thread_known) {
            candidate = x->thread == thread && x->ngates > ngates;
        } else {
            unsigned same = 0;
            for (uint32_t j = 0; j < e->ninst; j++)
                same += g->insts[e->inst[j]].thread == x->thread;
            candidate = same > 1;
        }
        if (candidate && (victim < 0 || x->ngates >= g->insts[e->inst[victim]].ngates))
            victim = (int)i;
    }
    return victim;
}

/* Stores a copy of the instance on edge e (in slot `slot`, or appended when slot < 0). */
static int store_instance(struct lw_graph *g, struct lw_graph_edge *e, int slot,
                          const struct lw_graph_instance *inst, size_t ngates)
{
    struct lw_graph_gate *gates = NULL;
    if (ngates) {
        gates = malloc(ngates * sizeof *gates);
        if (!gates) return -1;
        memcpy(gates, g->gate_scratch, ngates * sizeof *gates);
    }
    struct lw_graph_instance copy = *inst;
    copy.gates = gates;
    copy.ngates = (uint32_t)ngates;
    if (slot >= 0) {
        struct lw_graph_instance *old = &g->insts[e->inst[slot]];
        free(old->gates);
        *old = copy;
        return 0;
    }
    struct lw_graph_instance *insts =
        lw_grow(g->insts, &g->insts_cap, g->ninsts + 1, sizeof *insts);
    if (!insts || g->ninsts >= UINT32_MAX) {
        if (insts) g->insts = insts;
        free(gates);
        return -1;
    }
    g->insts = insts;
    g->insts[g->ninsts] = copy;
    e->inst[e->ninst++] = (uint32_t)g->ninsts++;
    return 0;
}

int lw_graph_add(struct lw_graph *g, uint32_t a, uint32_t b, const struct lw_graph_instance *inst,
                 struct lw_graph_cycle *cycle)
{
    if (a == b) return LW_GRAPH_KNOWN;
    uint32_t edge = find_or_add_edge(g, a, b);
    if (edge == UINT32_MAX) return LW_GRAPH_ERR_NOMEM;
    long ngates = normalise_gates(g, a, b, inst);
    if (ngates < 0) return LW_GRAPH_ERR_NOMEM;
    struct lw_graph_edge *e = &g->edges[edge];
    for (uint32_t i = 0; i < e->ninst; i++)
        if (same_instance(&g->insts[e->inst[i]], inst->thread, inst->from_mode, inst->to_mode,
                          g->gate_scratch, (size_t)ngates))
            return LW_GRAPH_KNOWN;
    int slot = -1;
    if (e->ninst == LW_GRAPH_MAX_INSTANCES) {
        slot = pick_victim(g, e, inst->thread, (size_t)ngates);
        if (slot < 0) return LW_GRAPH_KNOWN;
    }
    if (store_instance(g, e, slot, inst, (size_t)ngates) != 0) return LW_GRAPH_ERR_NOMEM;
    return lw_graph_search(g, edge, cycle);
}

void lw_graph_stats(const struct lw_graph *g, struct lw_graph_stats *stats)
{
    *stats = (struct lw_graph_stats){
        .nodes = g->nnodes,
        .edges = g->nedges,
        .instances = g->ninsts,
        .cycles = g->ncycles,
        .searches = g->searches,
        .truncated = g->truncated,
    };
}
