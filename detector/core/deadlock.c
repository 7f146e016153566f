/* deadlock.c — deadlock findings (see deadlock.h). */
#include "deadlock.h"

#include <stdlib.h>
#include <string.h>

#include "state.h"

enum deadlock_shape { SHAPE_CYCLE = 1, SHAPE_ENDED_OWNER = 2, SHAPE_STUCK = 3 };

/* Where a thread waits, as a stack label. */
static const char *wait_label(uint8_t kind)
{
    switch ((enum lw_wait_kind)kind) {
    case LW_WAIT_LOCK:
        return "blocked here";
    case LW_WAIT_JOIN:
        return "joins here";
    case LW_WAIT_COND:
        return "waits on the condition variable here";
    case LW_WAIT_SEM:
        return "waits on the semaphore here";
    case LW_WAIT_BARRIER:
        return "waits at the barrier here";
    case LW_WAIT_CHILD:
        return "waits for a child process here";
    case LW_WAIT_COND_DESTROY:
        return "destroys the condition variable here";
    case LW_WAIT_NONE:
        break;
    }
    return "waits here";
}

/* Who keeps blocked thread t waiting, when one thread does: a blocked thread holding its lock,
 * else the owner its lock named; the joined thread. */
static struct lw_thread *waits_for(struct lw_detector *d, uint32_t t)
{
    const struct lw_wait *w = d->waits[t];
    struct lw_thread *thread = d->report.threads[t];
    switch ((enum lw_wait_kind)w->kind) {
    case LW_WAIT_LOCK: {
        struct lw_thread *queued = NULL; /* a writer ahead of a reader */
        for (size_t i = 0; i < d->nblocked; i++) {
            const struct lw_held_lock *held;
            if (!lw_waitfor_blocks(d, t, d->blocked[i], &held)) continue;
            if (held) return d->report.threads[d->blocked[i]];
            if (!queued) queued = d->report.threads[d->blocked[i]];
        }
        /* The owner the lock named, when it still holds it as far as anyone can tell. */
        int32_t pid = w->lock->flags & LW_LOCKF_PSHARED ? 0 : thread->pid;
        struct lw_thread *owner = lw_waitfor_thread_by_tid(d, pid, w->owner_tid);
        const struct lw_wait *ow = owner ? lw_waitfor_of(d, owner) : NULL;
        bool stale = ow && !ow->held_partial && owner->process == thread->process;
        return owner && !stale ? owner : queued;
    }
    case LW_WAIT_JOIN:
        return lw_waitfor_joined(d, thread, w->object);
    case LW_WAIT_COND_DESTROY:
        for (size_t i = 0; i < d->nblocked; i++) {
            const struct lw_held_lock *held;
            if (lw_waitfor_blocks(d, t, d->blocked[i], &held))
                return d->report.threads[d->blocked[i]];
        }
        return NULL;
    case LW_WAIT_NONE:
    case LW_WAIT_COND:
    case LW_WAIT_SEM:
    case LW_WAIT_BARRIER:
    case LW_WAIT_CHILD:
        break;
    }
    return NULL;
}

static int describe(struct lw_detector *d, uint32_t t, struct lw_thread_wait *out)
{
    const struct lw_wait *w = d->waits[t];
    *out = (struct lw_thread_wait){.thread = d->report.threads[t],
                                   .kind = w->kind,
                                   .mode = w->mode,
                                   .lock = w->lock,
                                   .object = w->object,
                                   .waits_for = waits_for(d, t),
                                   .stack = w->stack};
    out->holder_ended = w->kind == LW_WAIT_LOCK && out->waits_for && out->waits_for->exited &&
                        lw_waitfor_held_at_exit(d, w->lock, out->waits_for);
    out->condwait = w->condwait;
    out->last_signal = w->last_signal;
    out->signalled_by = w->signalled_by;
    out->signal_stack = w->signal_stack;
    if (w->nheld == 0) return LW_OK;
    out->held = calloc(w->nheld, sizeof *out->held);
    if (!out->held) return LW_ERR_NOMEM;
    for (size_t i = 0; i < w->nheld; i++)
        out->held[i] = (struct lw_held_info){w->held[i].lock, w->held[i].mode, w->held[i].stack};
    out->nheld = w->nheld;
    return LW_OK;
}

static bool has_lock(struct lw_lock *const *locks, size_t n, const struct lw_lock *l)
{
    for (size_t i = 0; i < n; i++)
        if (locks[i] == l) return true;
    return false;
}

/* Fills f->waits (and threads) from blocked thread indices ts[0..n), f->locks with the distinct
 * locks they wait for, and f->stacks with where each waits and where the waited-for locks that
 * one of them holds were taken. */
/* A semaphore wait on a semaphore that another waiting thread holds as a lock (taken, not
 * posted, never proved a signal: docs/internals.md, "Semaphores") waits for that thread: the
 * wait names the lock and its holder. */
static void sem_holders(struct lw_finding *f)
{
    for (size_t i = 0; i < f->nwaits; i++) {
        struct lw_thread_wait *w = &f->waits[i];
        if (w->kind != LW_WAIT_SEM || w->waits_for) continue;
        for (size_t j = 0; j < f->nwaits && !w->waits_for; j++) {
            const struct lw_thread_wait *o = &f->waits[j];
            if (j == i || o->thread->pid != w->thread->pid) continue;
            for (size_t k = 0; k < o->nheld; k++) {
                struct lw_lock *l = o->held[k].lock;
                if (l && l->type == LW_LOCK_SEM && !l->signal && l->addr == w->object) {
                    w->lock = l;
                    w->waits_for = o->thread;
                    break;
                }
            }
        }
    }
}

static int fill_waits(struct lw_detector *d, struct lw_finding *f, const uint32_t *ts, size_t n)
{
    f->waits = calloc(n, sizeof *f->waits);
    struct lw_lock **locks = calloc(n, sizeof *locks);
    struct lw_labelled_stack *stacks = NULL;
    size_t nlocks = 0, nstacks = 0, cap = n;
    for (size_t i = 0; i < n; i++)
        cap += d->waits[ts[i]]->nheld;
    stacks = calloc(cap, sizeof *stacks);
    if (!f->waits || !locks || !stacks) goto nomem;
    f->nwaits = n;
    for (size_t i = 0; i < n; i++) {
        if (describe(d, ts[i], &f->waits[i]) != LW_OK) goto nomem;
        const struct lw_wait *w = d->waits[ts[i]];
        if (w->kind == LW_WAIT_LOCK && !has_lock(locks, nlocks, w->lock)) locks[nlocks++] = w->lock;
    }
    sem_holders(f);
    for (size_t i = 0; i < n; i++)
        if (f->waits[i].kind == LW_WAIT_SEM && f->waits[i].lock &&
            !has_lock(locks, nlocks, f->waits[i].lock))
            locks[nlocks++] = f->waits[i].lock;
    for (size_t i = 0; i < n; i++) {
        const struct lw_wait *w = d->waits[ts[i]];
        if (w->stack)
            stacks[nstacks++] =
                (struct lw_labelled_stack){d->report.threads[ts[i]], wait_label(w->kind), w->stack};
        for (size_t k = 0; k < w->nheld; k++)
            if (w->held[k].stack && has_lock(locks, nlocks, w->held[k].lock))
                stacks[nstacks++] = (struct lw_labelled_stack){d->report.threads[ts[i]],
                                                               "acquired here", w->held[k].stack};
    }
    if (f->nthreads == 0) {
        free(f->threads);
        if (!(f->threads = calloc(n, sizeof *f->threads))) goto nomem;
        for (size_t i = 0; i < n; i++)
            f->threads[i] = d->report.threads[ts[i]];
        f->nthreads = n;
    }
    free(f->locks);
    f->locks = locks;
    f->nlocks = nlocks;
    free(f->stacks);
    f->stacks = stacks;
    f->nstacks = nstacks;
    return LW_OK;
nomem:
    free(locks);
    free(stacks);
    return LW_ERR_NOMEM;
}

/* Whether this set of waits was reported before; if not, remembers it. -1: out of memory. */
static int seen_before(struct lw_detector *d, enum deadlock_shape shape, const uint32_t *ts,
                       size_t n)
{
    /* Per thread: the thread, its wait's kind, and the lock (index, all ones) or else the whole
     * object address: no two different waits share a key. */
    size_t len = 4 * n + 1;
    uint32_t *key = malloc(len * sizeof *key);
    if (!key) return -1;
    key[0] = shape;
    for (size_t i = 0; i < n; i++) {
        const struct lw_wait *w = d->waits[ts[i]];
        uint32_t *k = &key[1 + 4 * i];
        k[0] = ts[i];
        k[1] = w->kind;
        k[2] = w->lock ? w->lock->index : (uint32_t)(w->object >> 32);
        k[3] = w->lock ? UINT32_MAX : (uint32_t)w->object;
    }
    int rc = lw_seqset_find(&d->deadlocks_seen, key, len) != NULL;
    if (!rc && lw_seqset_add(&d->deadlocks_seen, key, len, 0) != 0) rc = -1;
    free(key);
    return rc;
}

/* The cycle's edges when every link is a lock held by the next thread: path[i] holds the lock
 * path[i - 1] waits for and waits for the one path[i + 1] holds. False for any other cycle. */
static bool lock_cycle(struct lw_detector *d, const uint32_t *path, size_t n,
                       struct lw_cycle_edge *edges)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t t = path[i], prev = path[(i + n - 1) % n];
        const struct lw_held_lock *held;
        if (!lw_waitfor_blocks(d, prev, t, &held) || !held) return false;
        const struct lw_wait *w = d->waits[t];
        if (w->kind != LW_WAIT_LOCK) return false;
        edges[i] = (struct lw_cycle_edge){.thread = d->report.threads[t],
                                          .holding = held->lock,
                                          .acquiring = w->lock,
                                          .holding_mode = held->mode,
                                          .acquiring_mode = w->mode,
                                          .holding_stack = held->stack,
                                          .acquiring_stack = w->stack};
    }
    return true;
}

/* Threads are ordered the same way on every run: by process, then thread number (thread indices
 * follow the order records happened to arrive in). */
static uint64_t thread_order(const struct lw_detector *d, uint32_t index)
{
    const struct lw_thread *t = d->report.threads[index];
    return (uint64_t)t->process << 32 | t->number;
}

struct thread_key {
    uint64_t order;
    uint32_t index;
};

static int compare_keys(const void *a, const void *b)
{
    uint64_t x = ((const struct thread_key *)a)->order, y = ((const struct thread_key *)b)->order;
    return (x > y) - (x < y);
}

/* Sorts the thread indices ts[0..n) in that order. -1 when out of memory (ts unchanged). */
static int sort_threads(const struct lw_detector *d, uint32_t *ts, size_t n)
{
    struct thread_key *keys = malloc(n * sizeof *keys);
    if (!keys) return -1;
    for (size_t i = 0; i < n; i++)
        keys[i] = (struct thread_key){thread_order(d, ts[i]), ts[i]};
    qsort(keys, n, sizeof *keys, compare_keys);
    for (size_t i = 0; i < n; i++)
        ts[i] = keys[i].index;
    free(keys);
    return 0;
}

static void reverse(uint32_t *a, size_t n)
{
    for (size_t i = 0; i < n / 2; i++) {
        uint32_t t = a[i];
        a[i] = a[n - 1 - i];
        a[n - 1 - i] = t;
    }
}

/* Rotates the cycle path[0..n) to start at its first thread in that order. */
static void rotate_to_first(const struct lw_detector *d, uint32_t *path, size_t n)
{
    size_t first = 0;
    for (size_t i = 1; i < n; i++)
        if (thread_order(d, path[i]) < thread_order(d, path[first])) first = i;
    reverse(path, first);
    reverse(path + first, n - first);
    reverse(path, n);
}

int lw_deadlock_cycle(struct lw_detector *d, uint32_t *path, size_t n)
{
    rotate_to_first(d, path, n);
    /* The first thread's process, not the one whose wait closed the cycle: a deadlock across
     * processes is reported under the same pid whatever order its waits arrived in. */
    int32_t pid = d->report.threads[path[0]]->pid;
    int seen = seen_before(d, SHAPE_CYCLE, path, n);
    if (seen) return seen < 0 ? LW_ERR_NOMEM : LW_OK;
    struct lw_cycle_edge *edges = calloc(n, sizeof *edges);
    if (!edges) return LW_ERR_NOMEM;
    bool locks_only = lock_cycle(d, path, n, edges);
    struct lw_finding *f = NULL;
    if (locks_only) {
        struct lw_lock **locks = malloc(n * sizeof *locks);
        if (!locks) goto nomem;
        for (size_t i = 0; i < n; i++)
            locks[i] = edges[i].acquiring;
        f = lw_group_deadlocked(d, pid, locks, n);
        free(locks);
    }
    if (f) {
        /* An inversion found earlier really deadlocked: its group's finding keeps both facts,
         * with the edges that instance recorded, and still counts the group's instances. */
        f->kind = LW_KIND_DEADLOCK;
        f->inversion = true;
        f->single_thread = false;
        free(edges);
        edges = NULL;
    } else {
        f = lw_finding_add(d, LW_KIND_DEADLOCK, pid, 0, 0, 0, 0);
        if (!f) goto nomem;
        if (locks_only) {
            f->cycle = edges;
            f->ncycle = n;
            edges = NULL;
        }
    }
    free(edges);
    d->must_stop = true;
    return fill_waits(d, f, path, n);
nomem:
    free(edges);
    return LW_ERR_NOMEM;
}

int lw_deadlock_ended_owner(struct lw_detector *d, uint32_t waiter, struct lw_thread *owner)
{
    int seen = seen_before(d, SHAPE_ENDED_OWNER, &waiter, 1);
    if (seen) return seen < 0 ? LW_ERR_NOMEM : LW_OK;
    struct lw_finding *f =
        lw_finding_add(d, LW_KIND_DEADLOCK, d->report.threads[waiter]->pid, 0, 2, 0, 0);
    if (!f) return LW_ERR_NOMEM;
    f->threads[0] = d->report.threads[waiter];
    f->threads[1] = owner;
    d->must_stop = true;
    return fill_waits(d, f, &waiter, 1);
}

int lw_detector_stuck(struct lw_detector *d, struct lw_thread *const *threads, size_t n)
{
    if (n == 0) return LW_ERR_BADREC;
    uint32_t *ts = malloc(n * sizeof *ts);
    if (!ts) return LW_ERR_NOMEM;
    int rc = LW_ERR_BADREC;
    for (size_t i = 0; i < n; i++) {
        if (!lw_waitfor_of(d, threads[i])) goto out;
        ts[i] = threads[i]->index;
    }
    rc = LW_ERR_NOMEM;
    if (sort_threads(d, ts, n) != 0) goto out;
    int seen = seen_before(d, SHAPE_STUCK, ts, n);
    rc = seen < 0 ? LW_ERR_NOMEM : LW_OK;
    if (seen) goto out;
    /* The program's own process first: the finding's pid is the run's main process when it
     * takes part. */
    int32_t pid = d->report.nprocesses ? d->report.processes[0].pid : threads[0]->pid;
    size_t k = 0;
    while (k < n && threads[k]->pid != pid)
        k++;
    struct lw_finding *f =
        lw_finding_add(d, LW_KIND_DEADLOCK, k < n ? pid : threads[0]->pid, 0, 0, 0, 0);
    rc = LW_ERR_NOMEM;
    if (!f) goto out;
    f->stuck = true;
    d->must_stop = true;
    rc = fill_waits(d, f, ts, n);
out:
    free(ts);
    return rc;
}

int lw_deadlock_describe_blocked(struct lw_detector *d, struct lw_finding *f)
{
    size_t n = d->nblocked;
    if (n == 0) return LW_OK;
    uint32_t *ts = malloc(n * sizeof *ts);
    f->waits = calloc(n, sizeof *f->waits);
    int rc = LW_ERR_NOMEM;
    if (!ts || !f->waits) goto out;
    memcpy(ts, d->blocked, n * sizeof *ts);
    if (sort_threads(d, ts, n) != 0) goto out;
    for (size_t i = 0; i < n; i++) {
        if (describe(d, ts[i], &f->waits[i]) != LW_OK) goto out;
        f->nwaits++;
    }
    rc = LW_OK;
out:
    free(ts);
    return rc;
}
