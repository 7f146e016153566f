/* robust.c — exit-holding records of robust mutexes, held back until the run ends.
 *
 * A thread that ends holding a robust mutex is not necessarily a bug: the next locker gets
 * EOWNERDEAD and may repair the protected state and call pthread_mutex_consistent, which is what
 * robust mutexes are for. The recovery comes after the exit record, so the finding can only be
 * decided at the end of the run: a pending record is dropped when a RECOVERED record names
 * the same lock (image, address, generation), and lw_robust_finish turns the rest into
 * exit-holding-lock findings. */
#include <stdlib.h>

#include "grow.h"
#include "state.h"

int lw_robust_hold_back(struct lw_detector *d, const struct lw_rec_misuse *rec)
{
    struct lw_process *p = lw_process_for(d, &rec->h);
    if (!p) return LW_ERR_NOMEM;
    struct lw_robust_pending *all =
        lw_grow(d->robust, &d->robust_cap, d->nrobust + 1, sizeof *d->robust);
    if (!all) return LW_ERR_NOMEM;
    d->robust = all;
    all[d->nrobust++] = (struct lw_robust_pending){.image = p->image, .rec = *rec};
    return LW_OK;
}

int lw_robust_recovered(struct lw_detector *d, const struct lw_rec_misuse *rec)
{
    struct lw_process *p = lw_process_for(d, &rec->h);
    if (!p) return LW_ERR_NOMEM;
    size_t kept = 0;
    for (size_t i = 0; i < d->nrobust; i++) {
        const struct lw_robust_pending *e = &d->robust[i];
        bool same = e->image == p->image && e->rec.lock.addr == rec->lock.addr &&
                    e->rec.lock.generation == rec->lock.generation;
        if (!same) d->robust[kept++] = *e;
    }
    d->nrobust = kept;
    return LW_OK;
}

int lw_robust_finish(struct lw_detector *d)
{
    int rc = LW_OK;
    for (size_t i = 0; i < d->nrobust && rc == LW_OK; i++) {
        d->record_time_ns = d->robust[i].rec.h.time_ns;
        rc = lw_misuse_finding(d, &d->robust[i].rec);
    }
    d->record_time_ns = 0;
    d->nrobust = 0;
    return rc;
}
