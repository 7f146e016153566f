/* happens_before.h — thread start, join, barrier, fork and wait order, and whether a lock-order
 * cycle's edges were ordered by it in this run.
 *
 * Threads are dense indices; a thread's epoch counts the creates, joins, forks, barrier waits and
 * waits for a child it made (wire.h). Event (t, e) — thread t in epoch e — happens before (u, f)
 * when a chain of creates, joins, forks, reaps and barrier rounds leads from it to u no later
 * than epoch f. A barrier round orders every participant's epochs before its wait before every
 * participant's epochs after it; lw_hb_barrier records one returned wait, and rounds are told
 * apart only where that is certain: a barrier (caller's dense index) used by exactly `count`
 * threads, each with the same number of returned waits, has its k-th round made of each thread's
 * k-th wait. Any other barrier orders nothing. A forked child's first thread starts like a
 * created thread (lw_hb_fork), its creator the forking thread. Threads may be given their process
 * (lw_hb_set_process): a cycle whose consecutive edges were taken in different processes can
 * close only through a lock they share (process-shared); lw_hb_classify is told which of the
 * cycle's locks are not. A use is thread t's taking of a lock-order edge,
 * kept by the caller as the interval of the epochs it took the edge in, taken whole (every
 * epoch in between counts as a use: never fewer orderings claimed than exist). lw_hb_classify
 * says whether the edges of a cycle could all have been in progress at once: one use per edge,
 * in distinct threads, no two ordered. Pure logic: no I/O; sites are the caller's opaque
 * pointers. Functions returning int give 0, or -1 when out of memory. */
#ifndef LW_CORE_HAPPENS_BEFORE_H
#define LW_CORE_HAPPENS_BEFORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LW_HB_NONE UINT32_MAX

struct lw_hb_join {
    uint32_t epoch; /* the joiner's epoch after the join */
    uint32_t joined;
    const void *site;
    bool reaped; /* a wait for the end of the joined thread's process, not a thread join */
};

/* A thread's part in a barrier: its departure epochs (one per returned wait, increasing). */
struct lw_hb_member {
    uint32_t thread;
    const void *site; /* its first wait */
    uint32_t *departs;
    size_t n, cap;
};

struct lw_hb_barrier {
    uint64_t object; /* the caller's name for it (the barrier's address) */
    uint32_t count;
    struct lw_hb_member *members;
    size_t nmembers, members_cap;
};

/* A thread's membership: barrier index and member slot. */
struct lw_hb_meet {
    uint32_t barrier, member;
};

struct lw_hb_thread {
    uint32_t parent; /* LW_HB_NONE: unknown creator, nothing known before the thread */
    uint32_t parent_epoch;
    uint32_t process; /* caller's process id, LW_HB_NONE when not given */
    bool forked;      /* the parent forked this thread's process (it did not create it) */
    const void *site; /* where it was created */
    bool joined;      /* some thread joined it */
    struct lw_hb_join *joins;
    size_t njoins, joins_cap;
    struct lw_hb_meet *meets;
    size_t nmeets, meets_cap;
};

/* Thread `thread`'s uses of one edge: in epochs emin to emax. */
struct lw_hb_use {
    uint32_t thread, emin, emax;
};

/* The known uses of one edge of a cycle, in distinct threads. more: other threads took the edge
 * too, in epochs not known. */
struct lw_hb_edge {
    const struct lw_hb_use *uses;
    size_t n;
    bool more;
};

/* A zeroed struct lw_hb is empty; lw_hb_free returns it to that state. */
struct lw_hb {
    struct lw_hb_thread *threads;
    size_t nthreads, threads_cap;
    struct lw_hb_barrier *barriers;
    size_t nbarriers, barriers_cap;
};

void lw_hb_free(struct lw_hb *hb);
/* Makes threads 0..n) known (a thread no start names has no creator: nothing precedes it). The
 * uses lw_hb_classify is given must be of known threads. */
int lw_hb_threads(struct lw_hb *hb, uint32_t n);
int lw_hb_start(struct lw_hb *hb, uint32_t thread, uint32_t parent, uint32_t parent_epoch,
                const void *site);
/* Thread `thread` is the first thread of a process that `parent` forked in its epoch
 * `parent_epoch` (the fork ended that epoch). */
int lw_hb_fork(struct lw_hb *hb, uint32_t thread, uint32_t parent, uint32_t parent_epoch);
int lw_hb_set_process(struct lw_hb *hb, uint32_t thread, uint32_t process);
/* `waiter` waited (wait*) for the end of the process `thread` was in: a join of it, kind REAPED. */
int lw_hb_reap(struct lw_hb *hb, uint32_t waiter, uint32_t epoch_after, uint32_t thread,
               const void *site);
int lw_hb_join(struct lw_hb *hb, uint32_t joiner, uint32_t epoch_after, uint32_t joined,
               const void *site);
/* Thread `thread` returned from a wait on barrier `barrier` (dense, chosen by the caller; object
 * is kept for naming) of `count` threads; `depart` is its epoch after the wait, site the wait. */
int lw_hb_barrier(struct lw_hb *hb, uint32_t barrier, uint64_t object, uint32_t count,
                  uint32_t thread, uint32_t depart, const void *site);

/* Whether (t, e) happens before (u, f). Same thread: program order. */
bool lw_hb_before(const struct lw_hb *hb, uint32_t t, uint32_t e, uint32_t u, uint32_t f);

enum lw_hb_verdict {
    LW_HB_CONCURRENT = 1, /* some choice of known uses could all have been in progress at once */
    LW_HB_ORDERED = 2,    /* every choice has two uses in one thread, ordered by start, join,
                             fork, reap or barrier, or apart in two processes */
    LW_HB_UNCHECKED = 3,  /* the budget ran out, an edge has no use, or the unknown uses of an
                             edge with `more` might close it (or out of memory): no claim */
};

/* The cycle's edges[0..n), in order: edge k holds the lock edge k - 1 acquires. An edge with
 * `more` is taken as a use compatible with every other (what its unknown uses may be): ordered
 * only when the other edges alone are. private_lock (NULL: all shared) says per edge k whether
 * the lock it acquires, which edge k + 1 (mod n) holds, is one each process has its own copy of:
 * two such consecutive uses in different processes cannot meet there. budget bounds the search
 * steps. */
enum lw_hb_verdict lw_hb_classify(const struct lw_hb *hb, const struct lw_hb_edge *edges,
                                  const bool *private_lock, size_t n, size_t budget);

/* Whether threads t and u are known to be in different processes. */
bool lw_hb_other_process(const struct lw_hb *hb, uint32_t t, uint32_t u);

/* One step of an ordering, earliest first: CREATED, `from` created `to` at site; JOINED, `to`
 * joined `from` (which had ended) at site; BARRIER, `from` arrived at barrier `object` (waiting at
 * site) in a round that `to` then left; FORKED, `from` forked the process `to` started; REAPED,
 * `from`'s process ended and `to` waited for it at site. */
enum lw_hb_step_kind {
    LW_HB_CREATED = 1,
    LW_HB_JOINED = 2,
    LW_HB_BARRIER = 3,
    LW_HB_FORKED = 4,
    LW_HB_REAPED = 5,
};
struct lw_hb_step {
    enum lw_hb_step_kind kind;
    uint32_t from, to;
    const void *site;
    uint64_t object; /* BARRIER: the barrier */
};

/* Why every use of thread t in epochs up to e happened before (u, f): the steps from t to u,
 * into out[0..cap); returns how many there are (may exceed cap), 0 when t == u or when it did not.
 */
size_t lw_hb_why(const struct lw_hb *hb, uint32_t t, uint32_t e, uint32_t u, uint32_t f,
                 struct lw_hb_step *out, size_t cap);

/* reach[0..nthreads): 0 when no event of thread x is known to happen before (u, f), else 1 + the
 * latest epoch of x that does (UINT32_MAX: all of them). So (t, e) happens before (u, f), t != u,
 * exactly when reach[t] > e. */
int lw_hb_reach(const struct lw_hb *hb, uint32_t u, uint32_t f, uint32_t *reach);

#endif
