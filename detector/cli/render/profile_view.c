/* profile_view.c — ordering and text table of the contention profile (see profile_view.h). */
#include "render/profile_view.h"

#include <inttypes.h>
#include <stdlib.h>

struct ranked {
    const struct lw_lock *lock;
    const struct lw_lock_profile *p;
};

/* Longest wait first; equal waits by hold, then the lower id first (a stable order for tests). */
static int by_wait(const void *pa, const void *pb)
{
    const struct ranked *a = pa, *b = pb;
    if (a->p->wait_total_ns != b->p->wait_total_ns)
        return a->p->wait_total_ns > b->p->wait_total_ns ? -1 : 1;
    if (a->p->hold_total_ns != b->p->hold_total_ns)
        return a->p->hold_total_ns > b->p->hold_total_ns ? -1 : 1;
    return a->lock->index < b->lock->index ? -1 : a->lock->index > b->lock->index;
}

const struct lw_lock **lwd_profile_sorted(const struct lw_report *r, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < r->nlocks; i++)
        if (lw_profile_of(r, r->locks[i])) (*n)++;
    if (*n == 0) return NULL;
    const struct lw_lock **locks = malloc(*n * sizeof *locks);
    struct ranked *ranked = malloc(*n * sizeof *ranked);
    if (locks == NULL || ranked == NULL) {
        free(locks);
        free(ranked);
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < r->nlocks; i++) {
        const struct lw_lock_profile *p = lw_profile_of(r, r->locks[i]);
        if (p) ranked[k++] = (struct ranked){.lock = r->locks[i], .p = p};
    }
    qsort(ranked, *n, sizeof *ranked, by_wait);
    for (size_t i = 0; i < *n; i++)
        locks[i] = ranked[i].lock;
    free(ranked);
    return locks;
}

static double ms(uint64_t ns)
{
    return (double)ns / 1e6;
}

int lwd_print_profile(FILE *out, const struct lw_report *r)
{
    size_t n = 0;
    const struct lw_lock **locks = lwd_profile_sorted(r, &n);
    if (locks == NULL && n > 0) return -1;
    if (n == 0) {
        fputs("lockwatch: contention profile: no lock was taken while profiling\n", out);
    } else {
        size_t shown = n < LWD_PROFILE_TOP ? n : LWD_PROFILE_TOP;
        fprintf(out,
                "lockwatch: contention profile, %zu of %zu lock%s by total wait (times in ms):\n",
                shown, n, n == 1 ? "" : "s");
        fprintf(out, "  %-6s %12s %12s %12s %10s %12s %10s  %s\n", "lock", "acquired", "contended",
                "wait total", "wait max", "hold total", "hold max", "name");
        for (size_t i = 0; i < shown; i++) {
            const struct lw_lock *l = locks[i];
            const struct lw_lock_profile *p = lw_profile_of(r, l);
            char id[32];
            fprintf(out, "  %-6s %12" PRIu64 " %12" PRIu64 " %12.3f %10.3f %12.3f %10.3f  %s\n",
                    lw_lock_id(l, id, sizeof id), p->acquisitions, p->contended,
                    ms(p->wait_total_ns), ms(p->wait_max_ns), ms(p->hold_total_ns),
                    ms(p->hold_max_ns), l->name != NULL ? l->name : "?");
        }
    }
    free(locks);
    return 0;
}

void lwd_print_trace_cut(FILE *out, const struct lw_report *r)
{
    if (r->trace_dropped > 0)
        fprintf(out,
                "lockwatch: the --trace file keeps the first %zu holds; %" PRIu64
                " later holds are not in it (a profile counts them all)\n",
                r->ntrace, r->trace_dropped);
}
