/* graph.c — the lock-order graph's nodes, edges and edge instances (graph.h is the contract;
 * the cycle search lives in cycle_search.c). */
#include "graph_internal.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"

struct lw_graph *lw_graph_new(uint64_t work_budget)
{
    struct lw_graph *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    g->budget = work_budget ? work_budget : LW_GRAPH_DEFAULT_BUDGET;
    return g;
}

void lw_graph_free(struct lw_graph *g)
{
    if (!g) return;
    for (size_t i = 0; i < g->nnodes; i++) {
        free(g->nodes[i].out.items);
        free(g->nodes[i].in.items);
    }
    for (size_t i = 0; i < g->ninsts; i++)
        free(g->insts[i].gates);
    for (size_t i = 0; i < g->nedges; i++)
        free(g->edges[i].exclusive);
    free(g->ext_to_node);
    free(g->reader_pref);
    free(g->nodes);
    free(g->edges);
    free(g->insts);
    lw_map_free(&g->edge_map);
    lw_seqset_free(&g->cycles);
    free(g->cycle_single);
    free(g->forward);
    free(g->back);
    free(g->places);
    free(g->queue);
    free(g->path_nodes);
    free(g->path_edges);
    free(g->path_next);
    free(g->cyc_nodes);
    free(g->cyc_edges);
    free(g->cyc_ext);
    free(g->choice);
    free(g->held_by_path);
    free(g->chosen);
    free(g->best);
    free(g->gate_scratch);
    free(g);
}

int lw_graph_scratch(uint32_t **array, size_t *cap, size_t need)
{
    uint32_t *grown = lw_grow(*array, cap, need ? need : 1, sizeof *grown);
    if (!grown) return -1;
    *array = grown;
    return 0;
}

/* Grows a per-caller-id byte or word array to cover id, zeroing the new part. */
static int cover_id(void **array, size_t *cap, uint32_t id, size_t elem)
{
    if (id < *cap) return 0;
    size_t old = *cap, next = old;
    void *grown = lw_grow(*array, &next, (size_t)id + 1, elem);
    if (!grown) return -1;
    memset((char *)grown + old * elem, 0, (next - old) * elem);
    *array = grown;
    *cap = next;
    return 0;
}

/* The internal node of caller id `ext`, created (as a component of its own, placed after every
 * other) when new; LW_GRAPH_NONE when out of memory. */
static uint32_t node_of(struct lw_graph *g, uint32_t ext)
{
    if (ext < g->ext_cap && g->ext_to_node[ext]) return g->ext_to_node[ext] - 1;
    if (g->nnodes >= UINT32_MAX - 1 || g->next_ord == UINT32_MAX ||
        cover_id((void **)&g->ext_to_node, &g->ext_cap, ext, sizeof *g->ext_to_node) != 0)
        return LW_GRAPH_NONE;
    struct lw_graph_node *nodes = lw_grow(g->nodes, &g->nodes_cap, g->nnodes + 1, sizeof *nodes);
    if (!nodes) return LW_GRAPH_NONE;
    g->nodes = nodes;
    uint32_t n = (uint32_t)g->nnodes++;
    nodes[n] = (struct lw_graph_node){
        .ext = ext, .comp = n, .next_member = LW_GRAPH_NONE, .ord = g->next_ord++, .size = 1};
    g->ext_to_node[ext] = n + 1;
    return n;
}

int lw_graph_set_reader_preferring(struct lw_graph *g, uint32_t node, bool reader_preferring)
{
    if (!reader_preferring && node >= g->reader_pref_cap) return 0;
    if (cover_id((void **)&g->reader_pref, &g->reader_pref_cap, node, 1) != 0) return -1;
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

/* Returns the index of edge a -> b (internal numbers), creating it and placing it in the order
 * of components (*closes: whether a and b are now in one component); UINT32_MAX when out of
 * memory. */
static uint32_t find_or_add_edge(struct lw_graph *g, uint32_t a, uint32_t b, bool *closes)
{
    uint64_t key = (uint64_t)a << 32 | b, found;
    if (lw_map_get(&g->edge_map, key, 0, &found)) {
        *closes = g->nodes[a].comp == g->nodes[b].comp;
        return (uint32_t)found;
    }
    if (g->nedges >= UINT32_MAX - 1) return UINT32_MAX;
    struct lw_graph_edge *edges = lw_grow(g->edges, &g->edges_cap, g->nedges + 1, sizeof *edges);
    if (!edges) return UINT32_MAX;
    g->edges = edges;
    uint32_t index = (uint32_t)g->nedges;
    g->edges[index] = (struct lw_graph_edge){.from = a, .to = b};
    /* Reserve both adjacency slots before publishing, so a failure leaves no half edge. */
    struct lw_graph_node *na = &g->nodes[a], *nb = &g->nodes[b];
    if (vec_push(&na->out, index) != 0) return UINT32_MAX;
    if (vec_push(&nb->in, index) != 0) {
        na->out.n--;
        return UINT32_MAX;
    }
    int placed = lw_graph_order_insert(g, index);
    if (placed < 0 || lw_map_put(&g->edge_map, key, 0, index) != 0) {
        /* An edge the order already placed stays consistent with it once removed: dropping an
         * edge never invalidates a topological order (components stay merged, which only
         * widens later searches). */
        na->out.n--;
        nb->in.n--;
        return UINT32_MAX;
    }
    g->nedges++;
    *closes = placed == 1;
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

#define MODE_SHARED 1 /* enum lw_lock_mode LW_MODE_SHARED (wire.h) */

static bool holds_exclusively(const struct lw_graph_instance *x, uint32_t source, uint32_t id)
{
    if (id == source) return x->from_mode != MODE_SHARED;
    for (uint32_t i = 0; i < x->ngates; i++)
        if (x->gates[i].node == id) return x->gates[i].mode != MODE_SHARED;
    return false;
}

/* Recomputes e->exclusive: the ids every instance of e holds exclusively. On failure the list
 * is left empty, which only makes searches prune less. */
static int update_exclusive(struct lw_graph *g, struct lw_graph_edge *e)
{
    const struct lw_graph_instance *first = &g->insts[e->inst[0]];
    uint32_t source = g->nodes[e->from].ext, n = 0;
    e->nexclusive = 0;
    uint32_t *ids = realloc(e->exclusive, ((size_t)first->ngates + 1) * sizeof *ids);
    if (!ids) return -1;
    e->exclusive = ids;
    /* The search counts these ids per path: its table must cover them (zeroed as it grows). */
    if (cover_id((void **)&g->held_by_path, &g->held_by_path_cap, source, sizeof(uint32_t)) != 0)
        return -1;
    for (uint32_t c = 0; c < first->ngates; c++)
        if (cover_id((void **)&g->held_by_path, &g->held_by_path_cap, first->gates[c].node,
                     sizeof(uint32_t)) != 0)
            return -1;
    for (uint32_t c = 0; c <= first->ngates; c++) {
        uint32_t id = c == first->ngates ? source : first->gates[c].node;
        bool all = true;
        for (uint32_t k = 0; k < e->ninst && all; k++)
            all = holds_exclusively(&g->insts[e->inst[k]], source, id);
        if (all) ids[n++] = id;
    }
    e->nexclusive = n;
    return 0;
}

int lw_graph_add(struct lw_graph *g, uint32_t a, uint32_t b, const struct lw_graph_instance *inst,
                 struct lw_graph_cycle *cycle)
{
    if (a == b) return LW_GRAPH_KNOWN;
    uint32_t na = node_of(g, a), nb = na == LW_GRAPH_NONE ? na : node_of(g, b);
    if (nb == LW_GRAPH_NONE) return LW_GRAPH_ERR_NOMEM;
    bool closes = false;
    uint32_t edge = find_or_add_edge(g, na, nb, &closes);
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
    if (store_instance(g, e, slot, inst, (size_t)ngates) != 0 || update_exclusive(g, e) != 0)
        return LW_GRAPH_ERR_NOMEM;
    /* Outside one component no path leads back from b to a: most edges end here. */
    return closes ? lw_graph_search(g, edge, cycle) : LW_GRAPH_STORED;
}

void lw_graph_stats(const struct lw_graph *g, struct lw_graph_stats *stats)
{
    *stats = (struct lw_graph_stats){
        .nodes = g->nnodes,
        .reorders = g->reorders,
        .edges = g->nedges,
        .instances = g->ninsts,
        .cycles = g->ncycles,
        .searches = g->searches,
        .truncated = g->truncated,
    };
}
