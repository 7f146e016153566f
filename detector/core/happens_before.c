/* happens_before.c — thread start/join/barrier/fork order and cycle classification (see
 * happens_before.h). */
#include "happens_before.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"

#define LW_HB_ALL UINT32_MAX /* reach value: every epoch of the thread */

void lw_hb_free(struct lw_hb *hb)
{
    for (size_t i = 0; i < hb->nthreads; i++) {
        free(hb->threads[i].joins);
        free(hb->threads[i].meets);
    }
    free(hb->threads);
    for (size_t b = 0; b < hb->nbarriers; b++) {
        for (size_t m = 0; m < hb->barriers[b].nmembers; m++)
            free(hb->barriers[b].members[m].departs);
        free(hb->barriers[b].members);
    }
    free(hb->barriers);
    memset(hb, 0, sizeof *hb);
}

static struct lw_hb_thread *thread_at(struct lw_hb *hb, uint32_t t)
{
    if (t == LW_HB_NONE) return NULL;
    if (t >= hb->nthreads) {
        struct lw_hb_thread *all =
            lw_grow(hb->threads, &hb->threads_cap, (size_t)t + 1, sizeof *all);
        if (!all) return NULL;
        hb->threads = all;
        for (size_t i = hb->nthreads; i <= t; i++)
            all[i] = (struct lw_hb_thread){.parent = LW_HB_NONE, .process = LW_HB_NONE};
        hb->nthreads = (size_t)t + 1;
    }
    return &hb->threads[t];
}

int lw_hb_threads(struct lw_hb *hb, uint32_t n)
{
    return n == 0 || thread_at(hb, n - 1) ? 0 : -1;
}

int lw_hb_start(struct lw_hb *hb, uint32_t thread, uint32_t parent, uint32_t parent_epoch,
                const void *site)
{
    struct lw_hb_thread *t = thread_at(hb, thread);
    if (!t) return -1;
    t->parent = parent == thread ? LW_HB_NONE : parent;
    t->parent_epoch = parent_epoch;
    t->site = site;
    return 0;
}

int lw_hb_fork(struct lw_hb *hb, uint32_t thread, uint32_t parent, uint32_t parent_epoch)
{
    if (lw_hb_start(hb, thread, parent, parent_epoch, NULL) != 0) return -1;
    hb->threads[thread].forked = true;
    return 0;
}

int lw_hb_set_process(struct lw_hb *hb, uint32_t thread, uint32_t process)
{
    struct lw_hb_thread *t = thread_at(hb, thread);
    if (!t) return -1;
    t->process = process;
    return 0;
}

int lw_hb_reap(struct lw_hb *hb, uint32_t waiter, uint32_t epoch_after, uint32_t thread,
               const void *site)
{
    if (waiter == thread) return 0;
    if (lw_hb_join(hb, waiter, epoch_after, thread, site) != 0) return -1;
    struct lw_hb_thread *t = &hb->threads[waiter];
    t->joins[t->njoins - 1].reaped = true;
    return 0;
}

bool lw_hb_other_process(const struct lw_hb *hb, uint32_t t, uint32_t u)
{
    if (t >= hb->nthreads || u >= hb->nthreads) return false;
    uint32_t p = hb->threads[t].process, q = hb->threads[u].process;
    return p != LW_HB_NONE && q != LW_HB_NONE && p != q;
}

int lw_hb_join(struct lw_hb *hb, uint32_t joiner, uint32_t epoch_after, uint32_t joined,
               const void *site)
{
    if (joiner == joined || !thread_at(hb, joined)) return joiner == joined ? 0 : -1;
    struct lw_hb_thread *t = thread_at(hb, joiner);
    if (!t) return -1;
    struct lw_hb_join *all = lw_grow(t->joins, &t->joins_cap, t->njoins + 1, sizeof *all);
    if (!all) return -1;
    t->joins = all;
    hb->threads[joined].joined = true;
    all[t->njoins++] = (struct lw_hb_join){.epoch = epoch_after, .joined = joined, .site = site};
    return 0;
}

int lw_hb_barrier(struct lw_hb *hb, uint32_t barrier, uint64_t object, uint32_t count,
                  uint32_t thread, uint32_t depart, const void *site)
{
    struct lw_hb_thread *t = thread_at(hb, thread);
    if (!t || barrier == LW_HB_NONE) return -1;
    if (barrier >= hb->nbarriers) {
        struct lw_hb_barrier *all =
            lw_grow(hb->barriers, &hb->barriers_cap, (size_t)barrier + 1, sizeof *all);
        if (!all) return -1;
        hb->barriers = all;
        for (size_t i = hb->nbarriers; i <= barrier; i++)
            all[i] = (struct lw_hb_barrier){0};
        hb->nbarriers = (size_t)barrier + 1;
    }
    struct lw_hb_barrier *b = &hb->barriers[barrier];
    b->object = object;
    if (b->count == 0) b->count = count;
    if (b->count != count) b->count = UINT32_MAX; /* re-made with another count: no rounds */
    struct lw_hb_meet *meet = NULL;
    for (size_t i = 0; i < t->nmeets && !meet; i++)
        if (t->meets[i].barrier == barrier) meet = &t->meets[i];
    if (!meet) {
        struct lw_hb_member *members =
            lw_grow(b->members, &b->members_cap, b->nmembers + 1, sizeof *members);
        if (!members) return -1;
        b->members = members;
        struct lw_hb_meet *meets = lw_grow(t->meets, &t->meets_cap, t->nmeets + 1, sizeof *meets);
        if (!meets) return -1;
        t->meets = meets;
        members[b->nmembers] = (struct lw_hb_member){.thread = thread, .site = site};
        meet = &meets[t->nmeets++];
        *meet = (struct lw_hb_meet){.barrier = barrier, .member = (uint32_t)b->nmembers++};
    }
    struct lw_hb_member *m = &b->members[meet->member];
    uint32_t *departs = lw_grow(m->departs, &m->cap, m->n + 1, sizeof *departs);
    if (!departs) return -1;
    m->departs = departs;
    departs[m->n++] = depart;
    return 0;
}

/* Whether the barrier's rounds are known: each of its `count` threads waited in every round. */
static bool rounds_known(const struct lw_hb_barrier *b)
{
    if (b->count < 2 || b->count == UINT32_MAX || b->nmembers != b->count) return false;
    for (size_t m = 1; m < b->nmembers; m++)
        if (b->members[m].n != b->members[0].n) return false;
    return true;
}

/* How a thread came to precede the start point: through `next` (closer to it). */
struct lw_hb_via {
    uint32_t next;
    enum lw_hb_step_kind kind;
    const void *site;
    uint64_t object;
};

struct lw_hb_push {
    uint32_t thread, reach;
    struct lw_hb_via via; /* how it precedes: set when the push improves its reach */
};

/* reach[x] (nthreads entries): 0 when no event of x is known to precede (u, f), else 1 + the
 * latest epoch of x that does (LW_HB_ALL: all of them). via may be NULL. Walks the creates and
 * joins backwards with an explicit stack. -1 when out of memory. */
static int reach_from(const struct lw_hb *hb, uint32_t u, uint32_t f, uint32_t *reach,
                      struct lw_hb_via *via)
{
    memset(reach, 0, hb->nthreads * sizeof *reach);
    struct lw_hb_push *stack = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct lw_hb_push start = {u, f == LW_HB_ALL ? LW_HB_ALL : f + 1, {.next = LW_HB_NONE}};
    stack = lw_grow(stack, &cap, 1, sizeof *stack);
    if (!stack) return -1;
    stack[n++] = start;
    while (n) {
        struct lw_hb_push p = stack[--n];
        if (p.thread >= hb->nthreads || p.reach <= reach[p.thread]) continue;
        reach[p.thread] = p.reach;
        if (via) via[p.thread] = p.via;
        const struct lw_hb_thread *t = &hb->threads[p.thread];
        size_t more = t->njoins + 1;
        for (size_t m = 0; m < t->nmeets; m++)
            more += hb->barriers[t->meets[m].barrier].nmembers;
        struct lw_hb_push *grown = lw_grow(stack, &cap, n + more, sizeof *stack);
        if (!grown) {
            rc = -1;
            break;
        }
        stack = grown;
        for (size_t j = 0; j < t->njoins; j++) {
            const struct lw_hb_join *join = &t->joins[j];
            /* the join precedes the epochs from join->epoch on */
            if (join->joined >= hb->nthreads || p.reach <= join->epoch ||
                reach[join->joined] == LW_HB_ALL)
                continue;
            stack[n++] = (struct lw_hb_push){
                join->joined,
                LW_HB_ALL,
                {p.thread, join->reaped ? LW_HB_REAPED : LW_HB_JOINED, join->site, 0}};
        }
        for (size_t m = 0; m < t->nmeets; m++) {
            const struct lw_hb_barrier *b = &hb->barriers[t->meets[m].barrier];
            if (!rounds_known(b)) continue;
            /* the latest round this thread left within the reach: departure epoch < p.reach */
            const struct lw_hb_member *me = &b->members[t->meets[m].member];
            size_t lo = 0, hi = me->n;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (me->departs[mid] < p.reach)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo == 0) continue;
            size_t round = lo - 1;
            /* every member's epochs before its wait in that round (departure - 1) precede */
            for (size_t o = 0; o < b->nmembers; o++) {
                const struct lw_hb_member *other = &b->members[o];
                if (other->thread == p.thread || other->thread >= hb->nthreads ||
                    reach[other->thread] >= other->departs[round])
                    continue;
                stack[n++] = (struct lw_hb_push){
                    other->thread,
                    other->departs[round],
                    {p.thread, LW_HB_BARRIER, other->site, b->object},
                };
            }
        }
        if (t->parent != LW_HB_NONE && t->parent < hb->nthreads &&
            reach[t->parent] < t->parent_epoch + 1u) {
            stack[n++] = (struct lw_hb_push){
                t->parent,
                t->parent_epoch + 1u,
                {p.thread, t->forked ? LW_HB_FORKED : LW_HB_CREATED, t->site, 0}};
        }
    }
    free(stack);
    return rc;
}

int lw_hb_reach(const struct lw_hb *hb, uint32_t u, uint32_t f, uint32_t *reach)
{
    if (u >= hb->nthreads) {
        memset(reach, 0, hb->nthreads * sizeof *reach);
        return 0;
    }
    return reach_from(hb, u, f, reach, NULL);
}

bool lw_hb_before(const struct lw_hb *hb, uint32_t t, uint32_t e, uint32_t u, uint32_t f)
{
    if (t == u) return e <= f;
    if (t >= hb->nthreads || u >= hb->nthreads) return false;
    uint32_t *reach = malloc(hb->nthreads * sizeof *reach);
    bool before = reach && reach_from(hb, u, f, reach, NULL) == 0 && reach[t] > e;
    free(reach);
    return before;
}

size_t lw_hb_why(const struct lw_hb *hb, uint32_t t, uint32_t e, uint32_t u, uint32_t f,
                 struct lw_hb_step *out, size_t cap)
{
    if (t == u || t >= hb->nthreads || u >= hb->nthreads) return 0;
    uint32_t *reach = malloc(hb->nthreads * sizeof *reach);
    struct lw_hb_via *via = malloc(hb->nthreads * sizeof *via);
    size_t n = 0;
    if (reach && via && reach_from(hb, u, f, reach, via) == 0 && reach[t] > e) {
        for (uint32_t x = t; x != u && x != LW_HB_NONE && n <= hb->nthreads; x = via[x].next) {
            if (n < cap)
                out[n] =
                    (struct lw_hb_step){via[x].kind, x, via[x].next, via[x].site, via[x].object};
            n++;
        }
    }
    free(reach);
    free(via);
    return n;
}

/* Classification scratch: the candidate uses of each edge and what precedes each. */
struct lw_hb_search {
    const struct lw_hb *hb;
    size_t n;
    const struct lw_hb_use **cand; /* all candidates, edge by edge */
    size_t *first;                 /* edge k's candidates: cand[first[k] .. first[k + 1]) */
    uint32_t *reach;               /* per candidate, nthreads entries: reach from its emin */
    const bool *private_lock;      /* per chosen edge, or NULL (lw_hb_classify) */
    size_t *chosen;
    size_t steps, budget;
};

/* Whether every use of a precedes every use of b (b's earliest epoch is reached by a's latest). */
static bool all_before(const struct lw_hb_search *s, size_t a, size_t b)
{
    return s->reach[b * s->hb->nthreads + s->cand[a]->thread] > s->cand[a]->emax;
}

static bool compatible(const struct lw_hb_search *s, size_t a, size_t b)
{
    return s->cand[a]->thread != s->cand[b]->thread && !all_before(s, a, b) && !all_before(s, b, a);
}

/* Whether the chosen uses of edges i < k are consecutive in the cycle (k = i + 1, or i = 0 and k
 * the last) and meet only at a lock of which their two processes each had a copy. */
static bool apart(const struct lw_hb_search *s, size_t i, size_t k)
{
    if (!s->private_lock) return false;
    bool meet_after_i = k == i + 1 && s->private_lock[i];
    bool meet_after_k = i == 0 && k == s->n - 1 && s->private_lock[k];
    return (meet_after_i || meet_after_k) &&
           lw_hb_other_process(s->hb, s->cand[s->chosen[i]]->thread, s->cand[s->chosen[k]]->thread);
}

/* 1: a pairwise compatible choice exists; 0: none; -1: budget. Iterative backtracking. */
static int search_choice(struct lw_hb_search *s)
{
    size_t k = 0;
    s->chosen[0] = s->first[0];
    for (;;) {
        if (++s->steps > s->budget) return -1;
        if (s->chosen[k] >= s->first[k + 1]) { /* edge k exhausted: back up */
            if (k == 0) return 0;
            k--;
            s->chosen[k]++;
            continue;
        }
        bool ok = true;
        for (size_t i = 0; i < k && ok; i++)
            ok = compatible(s, s->chosen[i], s->chosen[k]) && !apart(s, i, k);
        if (!ok) {
            s->chosen[k]++;
            continue;
        }
        if (k + 1 == s->n) return 1;
        k++;
        s->chosen[k] = s->first[k];
    }
}

/* Whether one known use per edge of edges[0..n) (leaving out those with `more` when
 * skip_more) can be chosen, pairwise compatible: 1 yes, 0 no, -1 budget or out of memory.
 * private_lock (NULL: none) is used only when no edge is left out: leaving one out breaks the
 * cycle's adjacency, and without it fewer choices are ruled out (never a claim too many). */
static int choose(const struct lw_hb *hb, const struct lw_hb_edge *edges, const bool *private_lock,
                  size_t n, bool skip_more, size_t budget)
{
    size_t total = 0, m = 0;
    for (size_t k = 0; k < n; k++)
        if (!(skip_more && edges[k].more)) {
            total += edges[k].n;
            m++;
        }
    if (m == 0) return 1;
    /* the reach table costs candidates x threads: over the budget it is no claim */
    size_t threads = hb->nthreads ? hb->nthreads : 1;
    if (total > budget / threads) return -1;
    if (total == 0) return 0;
    struct lw_hb_search s = {
        .hb = hb, .n = m, .budget = budget, .private_lock = m == n ? private_lock : NULL};
    int found = -1;
    s.cand = malloc(total * sizeof *s.cand);
    s.first = malloc((m + 1) * sizeof *s.first);
    s.chosen = malloc(m * sizeof *s.chosen);
    s.reach = malloc(total * threads * sizeof *s.reach);
    if (!s.cand || !s.first || !s.chosen || !s.reach) goto out;
    size_t c = 0, j = 0;
    for (size_t k = 0; k < n; k++) {
        if (skip_more && edges[k].more) continue;
        s.first[j++] = c;
        for (size_t i = 0; i < edges[k].n; i++)
            s.cand[c++] = &edges[k].uses[i];
    }
    s.first[m] = c;
    for (size_t i = 0; i < total; i++) {
        if (s.cand[i]->thread >= hb->nthreads) goto out; /* not known (lw_hb_threads) */
        if (reach_from(hb, s.cand[i]->thread, s.cand[i]->emin, &s.reach[i * threads], NULL) != 0)
            goto out;
    }
    s.steps = total * threads;
    found = search_choice(&s);
out:
    free(s.cand);
    free(s.first);
    free(s.chosen);
    free(s.reach);
    return found;
}

enum lw_hb_verdict lw_hb_classify(const struct lw_hb *hb, const struct lw_hb_edge *edges,
                                  const bool *private_lock, size_t n, size_t budget)
{
    if (n == 0) return LW_HB_UNCHECKED;
    bool more = false;
    for (size_t k = 0; k < n; k++) {
        if (edges[k].n == 0 && !edges[k].more) return LW_HB_UNCHECKED; /* nobody took it */
        more |= edges[k].more;
    }
    int found = choose(hb, edges, private_lock, n, false, budget);
    if (found != 0) return found > 0 ? LW_HB_CONCURRENT : LW_HB_UNCHECKED;
    if (!more) return LW_HB_ORDERED;
    /* an edge's unknown uses may pair with any choice of the others' */
    found = choose(hb, edges, private_lock, n, true, budget);
    return found == 0 ? LW_HB_ORDERED : LW_HB_UNCHECKED;
}
