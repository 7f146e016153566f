/* cycle_group.c — lock-order-inversion findings grouped by code: the instance-level cycles the
 * graph reports whose edges were taken at the same (holding, acquiring) stacks, in the same order
 * up to rotation, are one finding that counts them (docs/report-format.md, "Grouped findings").
 *
 * The key is the sequence of interned sites (lock_order.c), whose stacks are interned per process
 * image: forked children share their parent's image and group with it; separately exec'd images
 * never group, even of one executable. A cycle with an edge whose stack is unknown cannot be told
 * to be the same code and is a group of its own. Which locks and threads an instance names does
 * not enter the key. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "state.h"

/* The start of the lexicographically least rotation of s[0..n): the canonical form of a cyclic
 * key, so the same code closed at another edge gives the same key. Two candidate starts race
 * along the sequence; whichever meets the larger element first cannot be least, nor can any
 * start it passed, so each step discards at least one start: O(n) for any key. */
static size_t least_rotation(const uint32_t *s, size_t n)
{
    size_t i = 0, j = 1, k = 0;
    while (i < n && j < n && k < n) {
        uint32_t a = s[(i + k) % n], b = s[(j + k) % n];
        if (a == b) {
            k++;
            continue;
        }
        if (a > b)
            i += k + 1;
        else
            j += k + 1;
        if (i == j) j++;
        k = 0;
    }
    return i < j ? i : j;
}

static bool same_site(const struct lw_cycle_edge *a, const struct lw_cycle_edge *b)
{
    return a->holding_stack == b->holding_stack && a->acquiring_stack == b->acquiring_stack;
}

/* The rotation r that puts edges[(r + k) % n] at the sites of ref[k] for every k; 0 when none
 * does (an upgrade may have shown an instance at other stacks). */
static size_t alignment(const struct lw_cycle_edge *edges, const struct lw_cycle_edge *ref,
                        size_t n)
{
    for (size_t r = 0; r < n; r++) {
        size_t k = 0;
        while (k < n && same_site(&edges[(r + k) % n], &ref[k]))
            k++;
        if (k == n) return r;
    }
    return 0;
}

/* A copy of edges[0..n) starting at edge r, or NULL. */
static struct lw_cycle_edge *rotated_copy(const struct lw_cycle_edge *edges, size_t n, size_t r)
{
    struct lw_cycle_edge *copy = malloc(n * sizeof *copy);
    if (!copy) return NULL;
    for (size_t k = 0; k < n; k++)
        copy[k] = edges[(r + k) % n];
    return copy;
}

/* Adds the stacks of an instance's edges that the group's finding does not list yet. */
static int add_stacks(struct lw_detector *d, size_t gi, const struct lw_cycle_edge *edges)
{
    struct lw_cycle_group *g = &d->groups[gi];
    struct lw_finding *f = g->finding;
    for (size_t k = 0; k < 2 * g->n; k++) {
        struct lw_stack *s = k % 2 ? edges[k / 2].acquiring_stack : edges[k / 2].holding_stack;
        uint64_t seen;
        if (!s || lw_map_get(&d->group_stacks, gi, (uint64_t)(uintptr_t)s, &seen)) continue;
        struct lw_stack **all =
            lw_grow(f->distinct_stacks, &g->stacks_cap, f->ndistinct_stacks + 1, sizeof *all);
        if (!all) return LW_ERR_NOMEM;
        f->distinct_stacks = all;
        if (lw_map_put(&d->group_stacks, gi, (uint64_t)(uintptr_t)s, 1) != 0) return LW_ERR_NOMEM;
        all[f->ndistinct_stacks++] = s;
    }
    return LW_OK;
}

/* Makes the finding's cycle, locks, threads and pid those of instance i. */
static void show(struct lw_cycle_group *g, size_t i)
{
    struct lw_finding *f = g->finding;
    const struct lw_cycle_instance *inst = &g->instances[i];
    g->shown = i;
    f->pid = inst->pid;
    f->ncycle = f->nlocks = g->n;
    f->nthreads = 0;
    for (size_t k = 0; k < g->n; k++) {
        const struct lw_cycle_edge *e = &inst->edges[k];
        f->cycle[k] = *e;
        f->locks[k] = e->holding;
        size_t t = 0;
        while (t < f->nthreads && f->threads[t] != e->thread)
            t++;
        if (t == f->nthreads) f->threads[f->nthreads++] = e->thread;
    }
    f->single_thread = inst->single_thread;
}

/* Instance i changed (new, or upgraded): shows the first instance seen across threads (else the
 * first) unless the group deadlocked. An instance is only ever upgraded to across threads, so the
 * first one across threads can only move earlier. */
static void refresh(struct lw_cycle_group *g, size_t i)
{
    if (!g->instances[i].single_thread && (g->first_cross == SIZE_MAX || i < g->first_cross))
        g->first_cross = i;
    if (g->deadlocked) return;
    size_t pick = g->first_cross == SIZE_MAX ? 0 : g->first_cross;
    if (pick != g->shown || pick == i) show(g, pick);
}

/* The group index of the key of sites[0..n): found, or a new group with its finding. */
static int group_of(struct lw_detector *d, const struct lw_site *const *sites, size_t n,
                    int32_t pid, size_t *gi)
{
    bool known_code = true;
    for (size_t k = 0; k < n; k++)
        known_code = known_code && sites[k]->holding && sites[k]->acquiring;
    uint32_t *key = NULL;
    if (known_code) {
        uint32_t *ids = malloc(2 * n * sizeof *ids);
        if (!ids) return LW_ERR_NOMEM;
        for (size_t k = 0; k < n; k++)
            ids[k] = ids[n + k] = sites[k]->id;
        size_t r = least_rotation(ids, n);
        key = malloc(n * sizeof *key);
        if (key) memcpy(key, ids + r, n * sizeof *key);
        free(ids);
        if (!key) return LW_ERR_NOMEM;
        const struct lw_seqset_entry *e = lw_seqset_find(&d->group_keys, key, n);
        if (e) {
            *gi = (size_t)e->value;
            free(key);
            return LW_OK;
        }
    }
    int rc = LW_ERR_NOMEM;
    struct lw_cycle_group *groups =
        lw_grow(d->groups, &d->groups_cap, d->ngroups + 1, sizeof *groups);
    if (!groups) goto out;
    d->groups = groups;
    struct lw_finding *f = lw_finding_add(d, LW_KIND_LOCK_ORDER_INVERSION, pid, n, n, n, 0);
    if (!f) goto out;
    if (key && lw_seqset_add(&d->group_keys, key, n, d->ngroups) != 0) goto out;
    *gi = d->ngroups;
    groups[d->ngroups++] = (struct lw_cycle_group){.finding = f, .n = n, .first_cross = SIZE_MAX};
    rc = LW_OK;
out:
    free(key);
    return rc;
}

/* Remembers that graph cycle `id` is instance `instance` of group `group`. */
static int note_ref(struct lw_detector *d, uint32_t id, size_t group, size_t instance)
{
    struct lw_cycle_ref *refs =
        lw_grow(d->cycle_refs, &d->cycle_refs_cap, (size_t)id + 1, sizeof *refs);
    if (!refs) return LW_ERR_NOMEM;
    d->cycle_refs = refs;
    refs[id] = (struct lw_cycle_ref){(uint32_t)group, (uint32_t)instance};
    return LW_OK;
}

static int upgrade(struct lw_detector *d, uint32_t id, const struct lw_cycle_edge *edges,
                   bool single_thread)
{
    const struct lw_cycle_ref *ref = &d->cycle_refs[id];
    struct lw_cycle_group *g = &d->groups[ref->group];
    struct lw_cycle_instance *inst = &g->instances[ref->instance];
    size_t r = ref->instance ? alignment(edges, g->instances[0].edges, g->n) : 0;
    struct lw_cycle_edge *copy = rotated_copy(edges, g->n, r);
    if (!copy) return LW_ERR_NOMEM;
    free(inst->edges);
    inst->edges = copy;
    inst->single_thread = single_thread;
    refresh(g, ref->instance);
    return add_stacks(d, ref->group, copy);
}

int lw_group_cycle(struct lw_detector *d, uint32_t cycle_id, bool upgraded,
                   const struct lw_cycle_edge *edges, const struct lw_site *const *sites, size_t n,
                   bool single_thread, int32_t pid)
{
    if (upgraded) return upgrade(d, cycle_id, edges, single_thread);
    size_t gi;
    int rc = group_of(d, sites, n, pid, &gi);
    if (rc != LW_OK) return rc;
    struct lw_cycle_group *g = &d->groups[gi];
    struct lw_finding *f = g->finding;
    struct lw_cycle_instance *all =
        lw_grow(g->instances, &g->instances_cap, g->ninstances + 1, sizeof *all);
    if (!all) return LW_ERR_NOMEM;
    g->instances = all;
    size_t r = g->ninstances ? alignment(edges, all[0].edges, n) : 0;
    struct lw_cycle_edge *copy = rotated_copy(edges, n, r);
    if (!copy) return LW_ERR_NOMEM;
    if (f->nexamples < LW_FINDING_EXAMPLES) {
        struct lw_instance_example *ex = &f->examples[f->nexamples];
        if (!(ex->locks = malloc(n * sizeof *ex->locks))) {
            free(copy);
            return LW_ERR_NOMEM;
        }
        for (size_t k = 0; k < n; k++)
            ex->locks[k] = copy[k].holding;
        ex->nlocks = n;
        f->nexamples++;
    }
    size_t i = g->ninstances++;
    all[i] = (struct lw_cycle_instance){copy, pid, single_thread};
    f->instances = g->ninstances;
    refresh(g, i);
    if ((rc = note_ref(d, cycle_id, gi, i)) != LW_OK) return rc;
    return add_stacks(d, gi, copy);
}

/* Whether instance inst of pid names exactly the locks locks[0..n), as a set both ways (a
 * cycle may name one lock twice: two readers upgrading). */
static bool same_locks(const struct lw_cycle_instance *inst, size_t len, int32_t pid,
                       struct lw_lock *const *locks, size_t n)
{
    if (inst->pid != pid || len != n) return false;
    for (size_t k = 0; k < n; k++) {
        bool in_inst = false, in_locks = false;
        for (size_t m = 0; m < n; m++) {
            in_inst = in_inst || inst->edges[m].holding == locks[k];
            in_locks = in_locks || locks[m] == inst->edges[k].holding;
        }
        if (!in_inst || !in_locks) return false;
    }
    return true;
}

struct lw_finding *lw_group_deadlocked(struct lw_detector *d, int32_t pid,
                                       struct lw_lock *const *locks, size_t n)
{
    for (size_t gi = 0; gi < d->ngroups; gi++) {
        struct lw_cycle_group *g = &d->groups[gi];
        if (g->deadlocked) continue;
        for (size_t i = 0; i < g->ninstances; i++) {
            if (!same_locks(&g->instances[i], g->n, pid, locks, n)) continue;
            show(g, i);
            g->deadlocked = true;
            return g->finding;
        }
    }
    return NULL;
}

void lw_group_free(struct lw_detector *d)
{
    for (size_t gi = 0; gi < d->ngroups; gi++) {
        for (size_t i = 0; i < d->groups[gi].ninstances; i++)
            free(d->groups[gi].instances[i].edges);
        free(d->groups[gi].instances);
    }
    free(d->groups);
    lw_seqset_free(&d->group_keys);
    lw_map_free(&d->group_stacks);
    free(d->cycle_refs);
}
