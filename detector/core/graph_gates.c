/* graph_gates.c — the sets of locks held together, interned: every instance made by one
 * acquisition (one per held lock) shares one copy of the held set, and equal sets made by later
 * acquisitions share it too, so a thread holding n locks costs O(n) per new acquisition, not
 * O(n^2). Sets live until the graph is freed. */
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"
#include "grow.h"

struct gate_set {
    struct gate_set *next; /* next set with the same (hash, size) */
    uint32_t n;
    struct lw_graph_gate gates[];
};

static int compare_gates(const void *x, const void *y)
{
    const struct lw_graph_gate *gx = x, *gy = y;
    if (gx->node != gy->node) return gx->node < gy->node ? -1 : 1;
    return (int)gx->mode - (int)gy->mode;
}

static uint64_t hash_gates(const struct lw_graph_gate *gates, size_t n)
{
    uint64_t h = 0x6a09e667f3bcc909ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ ((uint64_t)gates[i].node << 8 | gates[i].mode)) * 0x100000001b3ull;
    return h ^ (h >> 29);
}

/* Field by field: the struct's padding is not part of a set. */
static bool same_gates(const struct lw_graph_gate *x, const struct lw_graph_gate *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (x[i].node != y[i].node || x[i].mode != y[i].mode) return false;
    return true;
}

const struct lw_graph_gate *lw_graph_intern_gates(struct lw_graph *g,
                                                  const struct lw_graph_gate *gates, size_t n,
                                                  uint16_t *nout)
{
    *nout = 0;
    if (n == 0) return NULL;
    struct lw_graph_gate *scratch =
        lw_grow(g->gate_scratch, &g->gate_scratch_cap, n, sizeof *scratch);
    if (!scratch) return NULL;
    g->gate_scratch = scratch;
    for (size_t i = 0; i < n; i++)
        scratch[i] = (struct lw_graph_gate){.node = gates[i].node, .mode = gates[i].mode};
    qsort(scratch, n, sizeof *scratch, compare_gates); /* exclusive (0) sorts first */
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (kept == 0 || scratch[kept - 1].node != scratch[i].node) scratch[kept++] = scratch[i];
    uint64_t hash = hash_gates(scratch, kept), found;
    struct gate_set *head = NULL;
    if (lw_map_get(&g->gate_sets, hash, kept, &found)) head = (struct gate_set *)(uintptr_t)found;
    for (struct gate_set *s = head; s; s = s->next)
        if (same_gates(s->gates, scratch, kept)) {
            *nout = (uint16_t)kept;
            return s->gates;
        }
    if (kept > LW_GRAPH_MAX_GATES) return NULL;
    struct gate_set *s = malloc(sizeof *s + kept * sizeof *scratch);
    if (!s) return NULL;
    s->next = head;
    s->n = (uint32_t)kept;
    memcpy(s->gates, scratch, kept * sizeof *scratch);
    if (lw_map_put(&g->gate_sets, hash, kept, (uint64_t)(uintptr_t)s) != 0) {
        free(s);
        return NULL;
    }
    *nout = (uint16_t)s->n;
    return s->gates;
}

void lw_graph_free_gate_sets(struct lw_graph *g)
{
    for (size_t i = 0; i < g->gate_sets.capacity; i++) {
        if (!g->gate_sets.used[i]) continue;
        struct gate_set *s = (struct gate_set *)(uintptr_t)g->gate_sets.slots[i].value;
        while (s) {
            struct gate_set *next = s->next;
            free(s);
            s = next;
        }
    }
    lw_map_free(&g->gate_sets);
}
