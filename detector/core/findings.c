/* findings.c — allocation of the report's findings (data only; wording is in report.c). */
#include <stdlib.h>

#include "grow.h"
#include "state.h"

void lw_finding_free(struct lw_finding *f)
{
    if (!f) return;
    free(f->locks);
    free(f->threads);
    free(f->cycle);
    free(f->stacks);
    for (size_t i = 0; i < f->naccesses; i++) {
        free(f->accesses[i].tsan_thread);
        free(f->accesses[i].mutexes);
    }
    free(f->accesses);
    for (size_t i = 0; i < f->nwaits; i++)
        free(f->waits[i].held);
    free(f->waits);
    for (size_t i = 0; i < f->nexamples; i++)
        free(f->examples[i].locks);
    free(f->distinct_stacks);
    for (size_t i = 0; i < f->nordered; i++)
        free(f->ordered_by[i].steps);
    free(f->ordered_by);
    free(f->variable);
    free(f->location);
    free(f);
}

struct lw_finding *lw_finding_add(struct lw_detector *d, enum lw_finding_kind kind, int32_t pid,
                                  size_t nlocks, size_t nthreads, size_t ncycle, size_t nstacks)
{
    struct lw_report *r = &d->report;
    struct lw_finding **all = lw_grow(r->findings, &d->findings_cap, r->nfindings + 1, sizeof *all);
    if (!all) return NULL;
    r->findings = all;
    struct lw_finding *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->kind = kind;
    f->pid = pid;
    f->nlocks = nlocks;
    f->nthreads = nthreads;
    f->ncycle = ncycle;
    f->nstacks = nstacks;
    f->time_ns = d->record_time_ns;
    /* calloc(0) may return NULL: count 0 needs no array. */
    f->locks = nlocks ? calloc(nlocks, sizeof *f->locks) : NULL;
    f->threads = nthreads ? calloc(nthreads, sizeof *f->threads) : NULL;
    f->cycle = ncycle ? calloc(ncycle, sizeof *f->cycle) : NULL;
    f->stacks = nstacks ? calloc(nstacks, sizeof *f->stacks) : NULL;
    if ((nlocks && !f->locks) || (nthreads && !f->threads) || (ncycle && !f->cycle) ||
        (nstacks && !f->stacks)) {
        lw_finding_free(f);
        return NULL;
    }
    f->id = (uint32_t)r->nfindings + 1;
    all[r->nfindings++] = f;
    return f;
}
