/* graph.c — the lock-order graph's nodes, edges and edge instances (graph.h is the contract;
 * the cycle search lives in cycle_search.c). */
#include "graph_internal.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "mix.h"

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
    lw_graph_free_gate_sets(g);
    for (size_t i = 0; i < g->exclusive_cap; i++)
        free(g->exclusive[i].ids);
    free(g->exclusive);
    free(g->first_extra);
    free(g->spans);
    free(g->others);
    free(g->first_other);
    free(g->crowded);
    free(g->reader_pref);
    free(g->nodes);
    free(g->members);
    free(g->ords);
    free(g->marks);
    free(g->scratch);
    free(g->edges);
    free(g->insts);
    free(g->inst_next);
    free(g->edge_slots);
    free(g->extras);
    lw_seqset_free(&g->cycles);
    free(g->cycle_single);
    free(g->adj_out_at);
    free(g->adj_in_at);
    free(g->adj_out);
    free(g->adj_in);
    free(g->forward);
    free(g->back);
    free(g->places);
    free(g->queue);
    free(g->path_nodes);
    free(g->path_edges);
    free(g->path_next);
    free(g->cyc_edges);
    free(g->cyc_ext);
    free(g->choice);
    free(g->held_by_path);
    free(g->chosen);
    free(g->best);
    free(g->gate_scratch);
    free(g);
}

/* Grows *array (elem bytes each, *cap of them) to hold `need` entries, filling new entries with
 * `fill` (elem bytes). */
static int cover(void **array, size_t *cap, size_t need, size_t elem, const void *fill)
{
    if (*cap >= need) return 0;
    size_t next = *cap;
    void *grown = lw_grow(*array, &next, need, elem);
    if (!grown) return -1;
    for (size_t i = *cap; i < next; i++)
        memcpy((char *)grown + i * elem, fill, elem);
    *array = grown;
    *cap = next;
    return 0;
}

int lw_graph_need_members(struct lw_graph *g)
{
    size_t old = g->members_cap;
    const struct lw_graph_member fill = {.next = LW_GRAPH_NONE, .size = 1};
    if (cover((void **)&g->members, &g->members_cap, g->nnodes, sizeof fill, &fill) != 0) return -1;
    for (size_t i = old; i < g->members_cap; i++)
        g->members[i].comp = (uint32_t)i; /* every node alone until a merge */
    return 0;
}

int lw_graph_need_ords(struct lw_graph *g)
{
    size_t old = g->ords_cap;
    const uint32_t fill = 0;
    if (cover((void **)&g->ords, &g->ords_cap, g->nnodes, sizeof fill, &fill) != 0) return -1;
    for (size_t i = old; i < g->ords_cap; i++)
        g->ords[i] = (uint32_t)i; /* the default place (graph_internal.h) */
    return 0;
}

int lw_graph_need_marks(struct lw_graph *g)
{
    const uint8_t fill = 0;
    return cover((void **)&g->marks, &g->marks_cap, g->nnodes, 1, &fill);
}

int lw_graph_need_scratch(struct lw_graph *g)
{
    const struct lw_graph_scratch fill = {0};
    return cover((void **)&g->scratch, &g->scratch_cap, g->nnodes, sizeof fill, &fill);
}

int lw_graph_need_exclusive(struct lw_graph *g)
{
    const struct lw_graph_exclusive fill = {.n = LW_EXCLUSIVE_STALE, .ids = NULL};
    return cover((void **)&g->exclusive, &g->exclusive_cap, g->nedges, sizeof fill, &fill);
}

int lw_graph_cover_id(void **array, size_t *cap, uint32_t id, size_t elem)
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

/* Makes node `id` exist (every id up to it, each a component of its own without edges);
 * LW_GRAPH_NONE when out of memory, else id. */
static uint32_t node_of(struct lw_graph *g, uint32_t id)
{
    if (id < g->nnodes) return id;
    if (id >= LW_GRAPH_NONE - 1) return LW_GRAPH_NONE;
    struct lw_graph_node *nodes = lw_grow(g->nodes, &g->nodes_cap, (size_t)id + 1, sizeof *nodes);
    if (!nodes) return LW_GRAPH_NONE;
    g->nodes = nodes;
    for (size_t n = g->nnodes; n <= id; n++) /* only up to id: the rest of the capacity untouched */
        nodes[n] = (struct lw_graph_node){.first_out = LW_GRAPH_NONE, .first_in = LW_GRAPH_NONE};
    g->nnodes = (size_t)id + 1;
    return id;
}

static bool has_edges(const struct lw_graph_node *n)
{
    return n->first_out != LW_GRAPH_NONE || n->first_in != LW_GRAPH_NONE;
}

int lw_graph_set_reader_preferring(struct lw_graph *g, uint32_t node, bool reader_preferring)
{
    if (!reader_preferring && node >= g->reader_pref_cap) return 0;
    if (lw_graph_cover_id((void **)&g->reader_pref, &g->reader_pref_cap, node, 1) != 0) return -1;
    g->reader_pref[node] = reader_preferring;
    return 0;
}

/* The edge table: open addressing over edge indices + 1 (0 = empty) in 4-byte slots, the key
 * read back from the edge itself. A table of 2^k slots holds indices below 2^k (its load is at
 * most 1/2), so a slot's bits above k are free: they hold a tag, bits of the key's hash that
 * the slot's place does not use, and a probe reads an edge only when the tag matches. A new
 * edge's lookup then costs the one slot it lands on, not the edges of the slots it passes. */
struct edge_probe {
    size_t at;           /* the first slot to look at */
    uint32_t tag;        /* the tag bits a slot of this key carries */
    uint32_t index_mask; /* the bits of a slot that hold index + 1 */
};

static struct edge_probe edge_probe(uint32_t a, uint32_t b, size_t cap)
{
    uint64_t h = lw_mix64((uint64_t)a << 32 | b); /* both ends reach the low bits */
    unsigned k = (unsigned)__builtin_ctzll((unsigned long long)cap); /* cap = 2^k */
    uint32_t index_mask = k >= 32 ? UINT32_MAX : ((uint32_t)1 << k) - 1;
    return (struct edge_probe){.at = (size_t)h & (cap - 1),
                               .tag = (uint32_t)(h >> 32) & ~index_mask,
                               .index_mask = index_mask};
}

/* The index of edge a -> b, or LW_GRAPH_NONE with *free_at set to the empty slot where the probe
 * stopped and *tag to the pair's tag (what the edge's slot would be, but for its index, while the
 * table does not grow). */
static uint32_t edge_lookup(const struct lw_graph *g, uint32_t a, uint32_t b, size_t *free_at,
                            uint32_t *tag)
{
    size_t mask = g->edge_slots_cap - 1;
    struct edge_probe p = edge_probe(a, b, g->edge_slots_cap);
    size_t i = p.at;
    for (; g->edge_slots[i]; i = (i + 1) & mask) {
        uint32_t slot = g->edge_slots[i];
        if ((slot & ~p.index_mask) != p.tag) continue;
        const struct lw_graph_edge *e = &g->edges[(slot & p.index_mask) - 1];
        if (e->from == a && e->to == b) return (slot & p.index_mask) - 1;
    }
    *free_at = i;
    *tag = p.tag;
    return LW_GRAPH_NONE;
}

uint32_t lw_graph_edge_find(const struct lw_graph *g, uint32_t a, uint32_t b)
{
    size_t unused_at;
    uint32_t unused_tag;
    return g->edge_slots_cap == 0 ? LW_GRAPH_NONE : edge_lookup(g, a, b, &unused_at, &unused_tag);
}

static void edge_slot_put(uint32_t *slots, size_t cap, const struct lw_graph_edge *e,
                          uint32_t index)
{
    struct edge_probe p = edge_probe(e->from, e->to, cap);
    size_t i = p.at;
    while (slots[i])
        i = (i + 1) & (cap - 1);
    slots[i] = (index + 1) | p.tag;
}

/* Makes room for `count` edges at a load of at most 1/2. */
static int edge_table_reserve(struct lw_graph *g, size_t count)
{
    if (count * 2 <= g->edge_slots_cap) return 0;
    size_t cap = g->edge_slots_cap ? g->edge_slots_cap * 2 : 64;
    while (count * 2 > cap)
        cap *= 2;
    uint32_t *slots = calloc(cap, sizeof *slots);
    if (!slots) return -1;
    for (size_t i = 0; i < g->nedges; i++)
        edge_slot_put(slots, cap, &g->edges[i], (uint32_t)i);
    free(g->edge_slots);
    g->edge_slots = slots;
    g->edge_slots_cap = cap;
    return 0;
}

/* Returns the index of edge a -> b (internal numbers), creating it and placing it in the order
 * of components (*closes: whether a and b are now in one component); UINT32_MAX when out of
 * memory. */
static uint32_t find_or_add_edge(struct lw_graph *g, uint32_t a, uint32_t b, bool *closes)
{
    /* An end without edges on that side (a node just made, say) has no such edge: no probe. */
    bool maybe = g->nodes[a].first_out != LW_GRAPH_NONE && g->nodes[b].first_in != LW_GRAPH_NONE;
    /* A lookup that found no edge knows its free slot: the new edge goes there unless the table
     * grows first. */
    size_t free_at = SIZE_MAX, cap_before = g->edge_slots_cap;
    uint32_t tag = 0;
    uint32_t found = maybe && cap_before ? edge_lookup(g, a, b, &free_at, &tag) : LW_GRAPH_NONE;
    if (found != LW_GRAPH_NONE) {
        *closes = lw_graph_comp(g, a) == lw_graph_comp(g, b);
        return found;
    }
    if (g->nedges >= UINT32_MAX - 1 || edge_table_reserve(g, g->nedges + 1) != 0) return UINT32_MAX;
    if (g->edge_slots_cap != cap_before) free_at = SIZE_MAX;
    struct lw_graph_edge *edges = lw_grow(g->edges, &g->edges_cap, g->nedges + 1, sizeof *edges);
    if (!edges) return UINT32_MAX;
    g->edges = edges;
    uint32_t index = (uint32_t)g->nedges;
    struct lw_graph_node *na = &g->nodes[a], *nb = &g->nodes[b];
    edges[index] = (struct lw_graph_edge){.from = a,
                                          .to = b,
                                          .next_out = na->first_out,
                                          .next_in = nb->first_in,
                                          .first_inst = LW_GRAPH_NONE};
    /* Placed before it is linked: the order's walks start beyond its two ends. */
    int placed = lw_graph_order_insert(g, index);
    if (placed < 0) return UINT32_MAX;
    g->nends += !has_edges(na) + !has_edges(nb); /* a != b */
    na->first_out = index;
    nb->first_in = index;
    if (free_at == SIZE_MAX)
        edge_slot_put(g->edge_slots, g->edge_slots_cap, &edges[index], index);
    else
        g->edge_slots[free_at] = (index + 1) | tag;
    g->nedges++;
    *closes = placed == 1;
    return index;
}

/* Makes room for one more instance, so that storing it cannot fail once its edge exists. */
static int reserve_instance(struct lw_graph *g)
{
    if (g->ninsts >= UINT32_MAX - 1) return -1;
    size_t cap = g->insts_cap;
    struct lw_graph_instance *insts = lw_grow(g->insts, &cap, g->ninsts + 1, sizeof *insts);
    if (!insts) return -1;
    g->insts = insts;
    g->insts_cap = cap;
    cap = g->inst_next_cap;
    uint32_t *next = lw_grow(g->inst_next, &cap, g->ninsts + 1, sizeof *next);
    if (!next) return -1;
    g->inst_next = next;
    g->inst_next_cap = cap;
    return 0;
}

/* Appends a copy of the instance to edge e's list (room reserved by reserve_instance). */
static void store_instance(struct lw_graph *g, struct lw_graph_edge *e,
                           const struct lw_graph_instance *inst)
{
    uint32_t k = (uint32_t)g->ninsts++;
    g->insts[k] = *inst;
    g->inst_next[k] = LW_GRAPH_NONE;
    uint32_t *link = &e->first_inst;
    while (*link != LW_GRAPH_NONE)
        link = &g->inst_next[*link];
    *link = k;
}

/* Whether edge index `edge` remembers payload p: a stored instance's, or one of its extras. */
static bool has_payload(const struct lw_graph *g, uint32_t edge, const void *p)
{
    for (uint32_t k = g->edges[edge].first_inst; k != LW_GRAPH_NONE; k = g->inst_next[k])
        if (g->insts[k].payload == p) return true;
    for (uint32_t k = lw_graph_first_extra(g, edge); k != LW_GRAPH_NONE; k = g->extras[k].next)
        if (g->extras[k].payload == p) return true;
    return false;
}

/* Remembers payload p of an instance edge e does not keep (one like a stored one but for its
 * payload or thread), after those it has. */
static int remember_payload(struct lw_graph *g, uint32_t edge, const void *p)
{
    if (!p || has_payload(g, edge, p)) return 0;
    const uint32_t none = LW_GRAPH_NONE;
    if (g->nextras >= UINT32_MAX - 1 ||
        cover((void **)&g->first_extra, &g->first_extra_cap, g->nedges, sizeof none, &none) != 0)
        return -1;
    struct lw_graph_extra *extras =
        lw_grow(g->extras, &g->extras_cap, g->nextras + 1, sizeof *extras);
    if (!extras) return -1;
    g->extras = extras;
    uint32_t k = (uint32_t)g->nextras++;
    extras[k] = (struct lw_graph_extra){.payload = p, .next = LW_GRAPH_NONE};
    uint32_t *link = &g->first_extra[edge];
    while (*link != LW_GRAPH_NONE)
        link = &extras[*link].next;
    *link = k;
    return 0;
}

size_t lw_graph_edge_payloads(const struct lw_graph *g, uint32_t a, uint32_t b, const void **out,
                              size_t max)
{
    if (a >= g->nnodes || b >= g->nnodes) return 0;
    uint32_t edge = lw_graph_edge_find(g, a, b);
    if (edge == LW_GRAPH_NONE) return 0;
    const struct lw_graph_edge *e = &g->edges[edge];
    size_t n = 0;
    for (uint32_t k = e->first_inst; k != LW_GRAPH_NONE; k = g->inst_next[k]) {
        const void *p = g->insts[k].payload;
        bool seen = false;
        for (uint32_t j = e->first_inst; j != k && !seen; j = g->inst_next[j])
            seen = g->insts[j].payload == p;
        if (!seen && n++ < max) out[n - 1] = p;
    }
    for (uint32_t k = lw_graph_first_extra(g, edge); k != LW_GRAPH_NONE; k = g->extras[k].next) {
        const void *p = g->extras[k].payload;
        bool stored = false;
        for (uint32_t i = e->first_inst; i != LW_GRAPH_NONE && !stored; i = g->inst_next[i])
            stored = g->insts[i].payload == p;
        if (!stored && n++ < max) out[n - 1] = p;
    }
    return n;
}

int lw_graph_add(struct lw_graph *g, uint32_t a, uint32_t b, const struct lw_graph_instance *inst,
                 struct lw_graph_cycle *cycle)
{
    return lw_graph_add_in_epoch(g, a, b, inst, 0, cycle);
}

int lw_graph_add_in_epoch(struct lw_graph *g, uint32_t a, uint32_t b,
                          const struct lw_graph_instance *inst, uint32_t epoch,
                          struct lw_graph_cycle *cycle)
{
    /* Requesting a lock already held is recursion, not an ordering. */
    if (a == b || lw_graph_find_gate(inst->gates, inst->ngates, b)) return LW_GRAPH_KNOWN;
    uint32_t na = node_of(g, a), nb = na == LW_GRAPH_NONE ? na : node_of(g, b);
    if (nb == LW_GRAPH_NONE || reserve_instance(g) != 0) return LW_GRAPH_ERR_NOMEM;
    bool closes = false;
    uint32_t edge = find_or_add_edge(g, na, nb, &closes);
    if (edge == UINT32_MAX) return LW_GRAPH_ERR_NOMEM;
    int needed = lw_graph_keep_use(g, edge, inst, epoch);
    if (needed < 0) return LW_GRAPH_ERR_NOMEM;
    if (!needed)
        return remember_payload(g, edge, inst->payload) ? LW_GRAPH_ERR_NOMEM : LW_GRAPH_KNOWN;
    store_instance(g, &g->edges[edge], inst);
    lw_graph_store_span(g, (uint32_t)g->ninsts - 1, epoch);
    if (edge < g->exclusive_cap) g->exclusive[edge].n = LW_EXCLUSIVE_STALE;
    /* Outside one component no path leads back from b to a: most edges end here. */
    return closes ? lw_graph_search(g, edge, cycle) : LW_GRAPH_STORED;
}

void lw_graph_stats(const struct lw_graph *g, struct lw_graph_stats *stats)
{
    *stats = (struct lw_graph_stats){
        .nodes = g->nends,
        .reorders = g->reorders,
        .edges = g->nedges,
        .instances = g->ninsts,
        .cycles = g->ncycles,
        .searches = g->searches,
        .truncated = g->truncated,
    };
}
