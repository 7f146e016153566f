/* profile.c — the contention profile (--profile) and the timeline (--trace) from LW_REC_HOLDS
 * records: each hold event adds to its lock's figures (report.h struct lw_lock_profile) and,
 * while fewer than max_trace_holds are kept, is kept as it is for the timeline. Events name
 * their lock like every other record (address + generation in the sender's image), so a lock of
 * the profile is the same lock the findings mention. */
#include <string.h>

#include "grow.h"
#include "state.h"

/* Adds one event's figures to its lock. Waits of acquisitions whose wait was not measured
 * (LW_HOLDF_NO_WAIT) add nothing to the wait figures. */
static void add_figures(struct lw_lock_profile *p, const struct lw_hold *e)
{
    uint64_t wait = e->acquired_ns - e->wait_start_ns; /* validated: in order */
    uint64_t hold = e->released_ns - e->acquired_ns;
    p->acquisitions++;
    if (e->flags & LW_HOLDF_CONTENDED) p->contended++;
    p->wait_total_ns += wait;
    if (wait > p->wait_max_ns) p->wait_max_ns = wait;
    p->hold_total_ns += hold;
    if (hold > p->hold_max_ns) p->hold_max_ns = hold;
}

static int keep_for_trace(struct lw_detector *d, struct lw_thread *t, struct lw_lock *l,
                          const struct lw_hold *e)
{
    struct lw_report *r = &d->report;
    if (r->ntrace >= d->max_trace_holds) {
        if (d->max_trace_holds > 0) r->trace_dropped++;
        return LW_OK;
    }
    struct lw_trace_hold *all = lw_grow(r->trace, &d->trace_cap, r->ntrace + 1, sizeof *all);
    if (!all) return LW_ERR_NOMEM;
    r->trace = all;
    all[r->ntrace++] = (struct lw_trace_hold){.thread = t,
                                              .lock = l,
                                              .wait_start_ns = e->wait_start_ns,
                                              .acquired_ns = e->acquired_ns,
                                              .released_ns = e->released_ns,
                                              .flags = e->flags,
                                              .mode = e->lock.mode};
    return LW_OK;
}

/* Lock l's figures, made (zero) on first use; NULL when out of memory. */
static struct lw_lock_profile *profile_of(struct lw_report *r, const struct lw_lock *l)
{
    size_t i = l->index - 1u;
    if (i >= r->nprofiles) {
        size_t cap = r->nprofiles;
        struct lw_lock_profile **grown = lw_grow(r->profiles, &cap, i + 1, sizeof *grown);
        if (!grown) return NULL;
        memset(grown + r->nprofiles, 0, (cap - r->nprofiles) * sizeof *grown);
        r->profiles = grown;
        r->nprofiles = cap;
    }
    if (!r->profiles[i]) r->profiles[i] = calloc(1, sizeof *r->profiles[i]);
    return r->profiles[i];
}

int lw_profile_holds(struct lw_detector *d, const struct lw_rec_holds *rec)
{
    struct lw_process *p = lw_process_for(d, &rec->h);
    struct lw_thread *t = p ? lw_thread_of(d, &rec->h) : NULL;
    if (!t) return LW_ERR_NOMEM;
    for (uint32_t i = 0; i < rec->nevents; i++) {
        const struct lw_hold *e = &rec->events[i];
        int nomem = 0;
        struct lw_stack *stack =
            e->stack ? lw_depot_get(&d->depot, p->image, e->stack, &nomem) : NULL;
        struct lw_lock *l = nomem ? NULL : lw_lock_of(d, p->image, &e->lock, stack);
        struct lw_lock_profile *figures = l ? profile_of(&d->report, l) : NULL;
        if (!figures) return LW_ERR_NOMEM;
        add_figures(figures, e);
        d->report.holds++;
        int rc = keep_for_trace(d, t, l, e);
        if (rc != LW_OK) return rc;
    }
    return LW_OK;
}
