/* waitfor.c — real deadlocks: the wait-for graph of threads that are blocked now.
 *
 * A thread is blocked from a WAIT record (a lock, published by the thread itself) or a board
 * wait (a join, condition, semaphore or barrier wait the driver saw lasting) until its end. A
 * blocked thread releases nothing, so the graph has an edge t -> u when u can never let t go on:
 *  - t waits for a lock that u holds in a conflicting mode, or that the lock object names u as
 *    owner of, or t wants a read lock of a writer-preferring rwlock for which u queues as writer;
 *  - t joins u.
 * A cycle of such edges is a deadlock. So is a lock wait whose owner has ended: nobody will ever
 * unlock it. Condition, semaphore and barrier waits have no edge (any thread might wake them);
 * they deadlock only when every thread of the run waits (lw_detector_stuck, deadlock.c). Timed
 * lock waits give up by themselves and are left out. A lock is the same object for two threads
 * when they are in one process, or when it is process-shared (a forked child has the same
 * addresses as its parent but its own private locks). A thread re-locking a lock it holds is
 * reported by the runtime as a double lock, so no thread waits for itself here. */
#include <stdlib.h>
#include <string.h>

#include "deadlock.h"
#include "grow.h"
#include "state.h"

static struct lw_wait *wait_of(struct lw_detector *d, const struct lw_thread *t)
{
    return t->index < d->waits_cap ? d->waits[t->index] : NULL;
}

const struct lw_wait *lw_waitfor_of(const struct lw_detector *d, const struct lw_thread *thread)
{
    const struct lw_wait *w = thread->index < d->waits_cap ? d->waits[thread->index] : NULL;
    return w && w->active ? w : NULL;
}

void lw_waitfor_end(struct lw_detector *d, const struct lw_thread *thread)
{
    struct lw_wait *w = wait_of(d, thread);
    if (!w || !w->active) return;
    w->active = false;
    for (size_t i = 0; i < d->nblocked; i++) {
        if (d->blocked[i] == thread->index) {
            d->blocked[i] = d->blocked[--d->nblocked];
            break;
        }
    }
}

void lw_waitfor_free(struct lw_detector *d)
{
    for (size_t i = 0; i < d->waits_cap; i++) {
        if (d->waits[i]) free(d->waits[i]->held);
        free(d->waits[i]);
    }
    free(d->waits);
    free(d->blocked);
    lw_seqset_free(&d->deadlocks_seen);
}

/* Thread t's wait entry, made active and listed as blocked; its old held set is dropped. */
static struct lw_wait *begin_wait(struct lw_detector *d, const struct lw_thread *t)
{
    if (t->index >= d->waits_cap) {
        size_t old = d->waits_cap;
        struct lw_wait **waits = lw_grow(d->waits, &d->waits_cap, t->index + 1, sizeof *waits);
        if (!waits) return NULL;
        memset(waits + old, 0, (d->waits_cap - old) * sizeof *waits);
        d->waits = waits;
    }
    struct lw_wait *w = d->waits[t->index];
    if (!w && !(w = d->waits[t->index] = calloc(1, sizeof *w))) return NULL;
    if (!w->active) {
        uint32_t *blocked = lw_grow(d->blocked, &d->blocked_cap, d->nblocked + 1, sizeof *blocked);
        if (!blocked) return NULL;
        d->blocked = blocked;
        blocked[d->nblocked++] = t->index;
    }
    struct lw_held_lock *held = w->held;
    size_t cap = w->held_cap;
    *w = (struct lw_wait){.active = true, .held = held, .held_cap = cap};
    return w;
}

/* Copies the held locks just resolved (d->held_scratch[0..n), lw_resolve_held) into w->held. */
static int set_held(struct lw_detector *d, struct lw_wait *w, long n)
{
    if (n < 0) return LW_ERR_NOMEM;
    if ((size_t)n > w->held_cap) {
        struct lw_held_lock *grown = realloc(w->held, (size_t)n * sizeof *grown);
        if (!grown) return LW_ERR_NOMEM;
        w->held = grown;
        w->held_cap = (size_t)n;
    }
    if (n > 0) memcpy(w->held, d->held_scratch, (size_t)n * sizeof *w->held);
    w->nheld = (size_t)n;
    return LW_OK;
}

struct lw_thread *lw_waitfor_thread_by_tid(struct lw_detector *d, int32_t pid, int32_t tid)
{
    if (tid == 0) return NULL;
    for (size_t i = d->report.nthreads; i-- > 0;) {
        struct lw_thread *t = d->report.threads[i];
        if ((pid == 0 || t->pid == pid) && t->tid == tid) return t;
    }
    return NULL;
}

struct lw_thread *lw_waitfor_joined(struct lw_detector *d, const struct lw_thread *joiner,
                                    uint64_t handle)
{
    if (handle == 0) return NULL;
    for (size_t i = d->report.nthreads; i-- > 0;) {
        struct lw_thread *t = d->report.threads[i];
        if (t->process == joiner->process && t->handle == handle && t != joiner) return t;
    }
    return NULL;
}

bool lw_waitfor_held_at_exit(struct lw_detector *d, const struct lw_lock *lock,
                             const struct lw_thread *thread)
{
    uint64_t seen;
    return lw_map_get(&d->exit_held, lock->index, thread->index, &seen);
}

bool lw_waitfor_blocks(struct lw_detector *d, uint32_t t, uint32_t u,
                       const struct lw_held_lock **held)
{
    *held = NULL;
    const struct lw_wait *wt = d->waits[t], *wu = d->waits[u];
    const struct lw_thread *tt = d->report.threads[t], *tu = d->report.threads[u];
    if (t == u) return false;
    bool same_process = tt->pid == tu->pid;
    switch ((enum lw_wait_kind)wt->kind) {
    case LW_WAIT_JOIN:
        /* One image: an exec keeps the pid, not the threads. */
        return tt->process == tu->process && wt->object != 0 && tu->handle == wt->object;
    case LW_WAIT_LOCK:
        if (!same_process && !(wt->lock->flags & LW_LOCKF_PSHARED)) return false;
        for (size_t i = 0; i < wu->nheld; i++) {
            const struct lw_held_lock *h = &wu->held[i];
            if (h->lock == wt->lock &&
                (wt->mode == LW_MODE_EXCLUSIVE || h->mode == LW_MODE_EXCLUSIVE)) {
                *held = h;
                return true;
            }
        }
        /* The owner the lock object named when t began to wait, only where u's held locks
         * cannot tell: it may have let go since (the lock changed hands meanwhile). A held list
         * names every lock of u's image it holds, unless it was cut short; a process-shared
         * lock of another image is another lock object there. */
        if (wt->owner_tid != 0 && wt->owner_tid == tu->tid &&
            (wu->held_partial || tt->process != tu->process))
            return true;
        /* A writer queued on a writer-preferring rwlock keeps every new reader out. */
        return same_process && (wt->lock->flags & LW_LOCKF_WRITER_PREF) &&
               wt->mode == LW_MODE_SHARED && wu->kind == LW_WAIT_LOCK && wu->lock == wt->lock &&
               wu->mode == LW_MODE_EXCLUSIVE;
    case LW_WAIT_COND_DESTROY:
        /* The destroy waits until every waiter has left the condition variable. */
        return tt->process == tu->process && wu->kind == LW_WAIT_COND && wu->object == wt->object;
    case LW_WAIT_NONE:
    case LW_WAIT_COND:
    case LW_WAIT_SEM:
    case LW_WAIT_BARRIER:
    case LW_WAIT_CHILD:
        return false;
    }
    return false;
}

/* Depth-first search over blocked threads from `start` for a path back to it. On success
 * path[0..*len) holds the cycle's thread indices (path[i] waits for path[i + 1]). */
static bool find_cycle(struct lw_detector *d, uint32_t start, uint32_t *path, size_t *cursor,
                       uint8_t *visited, size_t *len)
{
    size_t n = d->nblocked, depth = 1;
    memset(visited, 0, n);
    path[0] = start;
    cursor[0] = 0;
    while (depth > 0) {
        uint32_t t = path[depth - 1];
        size_t *next = &cursor[depth - 1];
        if (*next == n) {
            depth--;
            continue;
        }
        size_t k = (*next)++;
        uint32_t u = d->blocked[k];
        const struct lw_held_lock *held;
        if (!lw_waitfor_blocks(d, t, u, &held)) continue;
        if (u == start) {
            *len = depth;
            return true;
        }
        if (visited[k] || depth == n) continue;
        visited[k] = 1; /* a dead end once explored stays one within this search */
        path[depth] = u;
        cursor[depth++] = 0;
    }
    return false;
}

/* A new wait of thread `start`: a cycle through it, or an owner that has already ended. */
static int check_wait(struct lw_detector *d, uint32_t start)
{
    const struct lw_wait *w = d->waits[start];
    const struct lw_thread *t = d->report.threads[start];
    if (w->kind == LW_WAIT_LOCK) {
        /* As for edges (lw_waitfor_blocks): a process-shared lock's owner may be in another
         * process, e.g. a forked child's thread that ended holding a mutex in shared memory. */
        int32_t pid = w->lock->flags & LW_LOCKF_PSHARED ? 0 : t->pid;
        struct lw_thread *owner = lw_waitfor_thread_by_tid(d, pid, w->owner_tid);
        if (owner && owner->exited && lw_waitfor_held_at_exit(d, w->lock, owner))
            return lw_deadlock_ended_owner(d, start, owner);
    }
    size_t n = d->nblocked;
    uint32_t *path = malloc(n * sizeof *path);
    size_t *cursor = malloc(n * sizeof *cursor);
    uint8_t *visited = malloc(n);
    int rc = LW_ERR_NOMEM;
    size_t len = 0;
    if (path && cursor && visited) {
        rc = LW_OK;
        if (find_cycle(d, start, path, cursor, visited, &len)) rc = lw_deadlock_cycle(d, path, len);
    }
    free(path);
    free(cursor);
    free(visited);
    return rc;
}

int lw_waitfor_wait(struct lw_detector *d, const struct lw_rec_wait *rec)
{
    struct lw_process *p = lw_process_for(d, &rec->h);
    struct lw_thread *t = p ? lw_thread_of(d, &rec->h) : NULL;
    if (!t) return LW_ERR_NOMEM;
    if (rec->deadline_ns != 0) return LW_OK;
    long nheld;
    struct lw_stack *stack;
    struct lw_lock *lock = lw_resolve_request(d, p->image, &rec->lock, rec->stack, rec->held,
                                              rec->nheld, &nheld, &stack);
    if (!lock) return LW_ERR_NOMEM;
    struct lw_wait *w = begin_wait(d, t);
    if (!w) return LW_ERR_NOMEM;
    w->kind = LW_WAIT_LOCK;
    w->lock = lock;
    w->mode = rec->lock.mode;
    w->object = rec->lock.addr;
    w->owner_tid = rec->owner_tid;
    w->held_partial = rec->held_total > rec->nheld;
    w->stack = stack;
    int rc = set_held(d, w, nheld);
    if (rc != LW_OK) return rc;
    return check_wait(d, t->index);
}

/* A board wait's stack: a private one (its own id, outside the runtime's hashes) that
 * lw_detector_board_wait_stack may later replace. */
static struct lw_stack *board_stack(struct lw_detector *d, uint32_t image, const uint64_t *pcs,
                                    size_t npcs)
{
    if (npcs == 0) return NULL;
    int nomem = 0;
    uint64_t id = UINT64_C(1) << 63 | ++d->board_stacks;
    struct lw_stack *stack = lw_depot_get(&d->depot, image, id, &nomem);
    if (!stack || lw_depot_fill(&d->depot, image, id, pcs, npcs) != 0) return NULL;
    return stack;
}

/* Thread `number` of pid's current process, or NULL when either is unknown. Unlike
 * lw_thread_of, it makes no entry: the driver's calls name threads the records made, and an
 * unknown pid must not become a process of the report. */
static struct lw_thread *known_thread(struct lw_detector *d, int32_t pid, uint32_t number)
{
    uint64_t proc, index;
    if (!lw_map_get(&d->pids, (uint64_t)(uint32_t)pid, 0, &proc) ||
        !lw_map_get(&d->thread_keys, proc, number, &index))
        return NULL;
    return d->report.threads[index];
}

/* Where the object of board wait w (of process p) was last signalled (lw_board_wait). */
static int set_signal(struct lw_detector *d, struct lw_wait *w, const struct lw_process *p,
                      int32_t pid, uint8_t last_signal, uint32_t signal_thread,
                      uint64_t signal_stack)
{
    if (last_signal > LW_SIGNAL_DURING) return LW_ERR_BADREC;
    w->last_signal = last_signal;
    w->signalled_by = NULL;
    w->signal_stack = NULL;
    if (last_signal < LW_SIGNAL_BEFORE) return LW_OK;
    struct lw_rec_header sh = {.pid = pid, .thread = signal_thread};
    int nomem = 0;
    if (!(w->signalled_by = lw_thread_of(d, &sh))) return LW_ERR_NOMEM;
    w->signal_stack = lw_depot_get(&d->depot, p->image, signal_stack, &nomem);
    return nomem ? LW_ERR_NOMEM : LW_OK;
}

int lw_detector_board_wait(struct lw_detector *d, const struct lw_board_wait *bw)
{
    if (bw->kind == LW_WAIT_NONE || bw->kind == LW_WAIT_LOCK || bw->kind > LW_WAIT_KIND_MAX)
        return LW_ERR_BADREC;
    uint64_t entry;
    if (!lw_map_get(&d->pids, (uint64_t)(uint32_t)bw->pid, 0, &entry)) return LW_ERR_BADREC;
    struct lw_process *p = &d->report.processes[entry];
    struct lw_rec_header h = {.pid = bw->pid, .thread = bw->thread};
    struct lw_thread *t = lw_thread_of(d, &h);
    if (!t) return LW_ERR_NOMEM;
    struct lw_stack *stack = board_stack(d, p->image, bw->pcs, bw->npcs);
    if (bw->npcs && !stack) return LW_ERR_NOMEM;
    struct lw_lock *lock = NULL;
    if (bw->kind == LW_WAIT_COND && bw->lock.addr &&
        !(lock = lw_lock_of(d, p->image, &bw->lock, NULL)))
        return LW_ERR_NOMEM;
    struct lw_wait *w = begin_wait(d, t);
    if (!w) return LW_ERR_NOMEM;
    w->kind = (uint8_t)bw->kind;
    w->object = bw->object;
    w->lock = lock;
    w->stack = stack;
    w->board = true;
    w->held_partial = bw->held_total > bw->nheld;
    if (bw->kind == LW_WAIT_COND && bw->reacquiring && lock) {
        /* Inside the condition wait, but waiting for the mutex: a lock wait like any other. */
        w->kind = LW_WAIT_LOCK;
        w->mode = LW_MODE_EXCLUSIVE;
        w->owner_tid = bw->owner_tid;
        w->condwait = true;
    }
    int rc = set_held(d, w, lw_resolve_held(d, p->image, bw->held, bw->nheld));
    if (rc != LW_OK) return rc;
    return check_wait(d, t->index);
}

static struct lw_wait *board_wait_of(struct lw_detector *d, int32_t pid, uint32_t thread)
{
    struct lw_thread *t = known_thread(d, pid, thread);
    struct lw_wait *w = t ? wait_of(d, t) : NULL;
    return w && w->active && w->board ? w : NULL;
}

void lw_detector_board_wait_end(struct lw_detector *d, int32_t pid, uint32_t thread)
{
    if (board_wait_of(d, pid, thread)) lw_waitfor_end(d, known_thread(d, pid, thread));
}

int lw_detector_board_wait_signal(struct lw_detector *d, int32_t pid, uint32_t thread,
                                  uint8_t last_signal, uint32_t signal_thread,
                                  uint64_t signal_stack)
{
    struct lw_wait *w = board_wait_of(d, pid, thread);
    uint64_t entry;
    if (!w || !lw_map_get(&d->pids, (uint64_t)(uint32_t)pid, 0, &entry)) return LW_ERR_BADREC;
    return set_signal(d, w, &d->report.processes[entry], pid, last_signal, signal_thread,
                      signal_stack);
}

int lw_detector_board_wait_stack(struct lw_detector *d, int32_t pid, uint32_t thread,
                                 const uint64_t *pcs, size_t npcs)
{
    struct lw_wait *w = board_wait_of(d, pid, thread);
    if (!w) return LW_ERR_BADREC;
    if (npcs == 0) return LW_OK;
    if (!w->stack) {
        struct lw_process *p = lw_process_latest(d, pid);
        w->stack = board_stack(d, p->image, pcs, npcs);
        return w->stack ? LW_OK : LW_ERR_NOMEM;
    }
    struct lw_frame *frames = calloc(npcs, sizeof *frames);
    if (!frames) return LW_ERR_NOMEM;
    for (size_t i = 0; i < npcs; i++)
        frames[i].pc = pcs[i];
    free(w->stack->frames);
    w->stack->frames = frames;
    w->stack->nframes = npcs;
    return LW_OK;
}

int lw_detector_board_wait_py(struct lw_detector *d, int32_t pid, uint32_t thread,
                              const struct lw_py_frame *py, size_t npy, uint32_t py_flags)
{
    struct lw_wait *w = board_wait_of(d, pid, thread);
    if (!w) return LW_ERR_BADREC;
    if (!w->stack || (npy == 0 && py_flags == 0)) return LW_OK;
    /* The frames just set are this moment's: so are these. */
    free(w->stack->py);
    w->stack->py = NULL;
    w->stack->npy = 0;
    w->stack->has_py = false;
    return lw_python_stack_set(w->stack, py, npy, py_flags);
}

int lw_waitfor_thread_exit(struct lw_detector *d, const struct lw_thread *thread)
{
    for (size_t i = 0; i < d->nblocked; i++) {
        uint32_t b = d->blocked[i];
        const struct lw_wait *w = d->waits[b];
        const struct lw_thread *t = d->report.threads[b];
        if (w->kind != LW_WAIT_LOCK || w->owner_tid != thread->tid ||
            (t->pid != thread->pid && !(w->lock->flags & LW_LOCKF_PSHARED)) ||
            !lw_waitfor_held_at_exit(d, w->lock, thread))
            continue; /* only a process-shared lock's owner may be in another process */
        int rc = lw_deadlock_ended_owner(d, b, (struct lw_thread *)thread);
        if (rc != LW_OK) return rc;
    }
    return LW_OK;
}
