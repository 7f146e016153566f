/* graph_uses.c — which threads took each edge, and in which epochs (graph.h lw_graph_edge_uses).
 *
 * A stored instance's thread is kept with the span of epochs of its uses (an array by instance
 * made by the first use in an epoch other than 0); a thread whose uses the edge does not store
 * (a third thread of a kind, say) goes to the edge's list of others, up to
 * LW_GRAPH_OTHER_THREADS of them; beyond, the edge is marked crowded. So the cost of a use is a
 * walk over the edge's few instances, and of others only on an edge many threads took. */
#include "graph_internal.h"

#include "grow.h"

/* Makes spans cover instance index k (new entries: epoch 0 alone). */
static int need_spans(struct lw_graph *g, uint32_t k)
{
    return lw_graph_cover_id((void **)&g->spans, &g->spans_cap, k, sizeof *g->spans);
}

/* Widens instance k's span to epoch. */
static int widen_span(struct lw_graph *g, uint32_t k, uint32_t epoch)
{
    if (!g->spans && epoch == 0) return 0; /* every span is still epoch 0 alone */
    if (need_spans(g, k) != 0) return -1;
    struct lw_graph_span *s = &g->spans[k];
    if (epoch < s->emin) s->emin = epoch;
    if (epoch > s->emax) s->emax = epoch;
    return 0;
}

void lw_graph_store_span(struct lw_graph *g, uint32_t k, uint32_t epoch)
{
    if (g->spans) g->spans[k] = (struct lw_graph_span){epoch, epoch}; /* room: keep_use */
}

/* Records a use by a thread the edge has no instance of. */
static int note_other(struct lw_graph *g, uint32_t edge, uint32_t thread, uint32_t epoch)
{
    if (edge < g->crowded_cap && g->crowded[edge]) return 0;
    if (lw_graph_cover_id((void **)&g->first_other, &g->first_other_cap, edge,
                          sizeof *g->first_other) != 0)
        return -1;
    uint32_t n = 0, last = LW_GRAPH_NONE;
    for (uint32_t k = g->first_other[edge]; k != 0; k = g->others[k - 1].next) {
        struct lw_graph_other *o = &g->others[k - 1];
        if (o->thread == thread) {
            if (epoch < o->emin) o->emin = epoch;
            if (epoch > o->emax) o->emax = epoch;
            return 0;
        }
        last = k - 1;
        n++;
    }
    if (n >= LW_GRAPH_OTHER_THREADS) {
        if (lw_graph_cover_id((void **)&g->crowded, &g->crowded_cap, edge, 1) != 0) return -1;
        g->crowded[edge] = 1;
        return 0;
    }
    if (g->nothers >= UINT32_MAX - 1) return -1;
    struct lw_graph_other *all = lw_grow(g->others, &g->others_cap, g->nothers + 1, sizeof *all);
    if (!all) return -1;
    g->others = all;
    uint32_t index = (uint32_t)g->nothers++;
    all[index] = (struct lw_graph_other){thread, epoch, epoch, 0};
    if (last == LW_GRAPH_NONE)
        g->first_other[edge] = index + 1;
    else
        all[last].next = index + 1;
    return 0;
}

int lw_graph_keep_use(struct lw_graph *g, uint32_t edge, const struct lw_graph_instance *inst,
                      uint32_t epoch)
{
    /* An edge keeps, of each kind, the first two threads' instances (graph.h). */
    uint32_t own = LW_GRAPH_NONE;
    unsigned of_kind = 0;
    for (uint32_t k = g->edges[edge].first_inst; k != LW_GRAPH_NONE; k = g->inst_next[k]) {
        const struct lw_graph_instance *x = &g->insts[k];
        bool kind = lw_graph_same_kind(x, inst);
        if (x->thread == inst->thread) {
            if (kind) return widen_span(g, k, epoch);
            own = k;
        } else if (kind) {
            of_kind++;
        }
    }
    if (of_kind < 2) { /* stored: its span needs room if spans are kept */
        if (!g->spans && epoch == 0) return 1;
        return need_spans(g, (uint32_t)g->ninsts) != 0 ? -1 : 1;
    }
    if (own != LW_GRAPH_NONE) return widen_span(g, own, epoch);
    return note_other(g, edge, inst->thread, epoch);
}

/* Adds (thread, emin, emax) to out[0..*n) (max room), merging with the thread's entry. */
static void merge_use(struct lw_graph_use *out, size_t max, size_t *n, uint32_t thread,
                      uint32_t emin, uint32_t emax)
{
    size_t seen = *n < max ? *n : max;
    for (size_t i = 0; i < seen; i++)
        if (out[i].thread == thread) {
            if (emin < out[i].emin) out[i].emin = emin;
            if (emax > out[i].emax) out[i].emax = emax;
            return;
        }
    if (*n < max) out[*n] = (struct lw_graph_use){thread, emin, emax};
    ++*n;
}

size_t lw_graph_edge_uses(const struct lw_graph *g, uint32_t a, uint32_t b,
                          struct lw_graph_use *out, size_t max, bool *crowded)
{
    *crowded = false;
    if (a >= g->nnodes || b >= g->nnodes) return 0;
    uint32_t edge = lw_graph_edge_find(g, a, b);
    if (edge == LW_GRAPH_NONE) return 0;
    size_t n = 0;
    for (uint32_t k = g->edges[edge].first_inst; k != LW_GRAPH_NONE; k = g->inst_next[k]) {
        struct lw_graph_span s = k < g->spans_cap ? g->spans[k] : (struct lw_graph_span){0, 0};
        merge_use(out, max, &n, g->insts[k].thread, s.emin, s.emax);
    }
    if (edge < g->first_other_cap)
        for (uint32_t k = g->first_other[edge]; k != 0; k = g->others[k - 1].next) {
            const struct lw_graph_other *o = &g->others[k - 1];
            merge_use(out, max, &n, o->thread, o->emin, o->emax);
        }
    *crowded = edge < g->crowded_cap && g->crowded[edge];
    return n;
}
