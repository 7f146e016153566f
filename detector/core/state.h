/* state.h — the detector's state, shared by the files that each handle one part of it:
 * detector.c (feeding and dispatch), validate.c (record checks), tables.c (processes, images,
 * threads, locks), lock_order.c (edge rules -> graph -> cycles), cycle_group.c (cycles of the
 * same code -> one finding), waitfor.c (real deadlocks), misuse.c and findings.c (the report's
 * findings). */
#ifndef LW_CORE_STATE_H
#define LW_CORE_STATE_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>

#include "depot.h"
#include "happens_before.h"
#include "lock_index.h"
#include "lockwatch/detector.h"
#include "lockwatch/graph.h"
#include "lockwatch/wire.h"
#include "lone_locks.h"
#include "map.h"
#include "seqset.h"

/* Payload of a graph instance: where the held lock was taken and where the next one was
 * requested. Interned per pair, so instances the graph drops leak nothing. */
struct lw_site {
    struct lw_stack *holding;
    struct lw_stack *acquiring;
    uint32_t id; /* dense, in order interned: the element of a cycle group's key */
};

/* cycle_group.c: one instance-level cycle of a group, its edges rotated to line up with the
 * group's first instance (edge k taken at the same stacks in each). */
struct lw_cycle_instance {
    struct lw_cycle_edge *edges;
    int32_t pid;
    bool single_thread;
};

/* cycle_group.c: the instance-level cycles of the same code, and the one finding they make. */
struct lw_cycle_group {
    struct lw_finding *finding;
    size_t n; /* edges per instance */
    struct lw_cycle_instance *instances;
    size_t ninstances, instances_cap;
    size_t stacks_cap;  /* of finding->distinct_stacks */
    size_t shown;       /* the instance the finding's cycle shows */
    size_t first_cross; /* the first instance seen across threads, SIZE_MAX while none is */
    bool deadlocked;    /* shown really deadlocked: the finding keeps showing it */
};

/* Where a graph cycle (by id) went: its group and its instance there. */
struct lw_cycle_ref {
    uint32_t group;
    uint32_t instance;
};

/* One lock a blocked thread holds. */
struct lw_held_lock {
    struct lw_lock *lock;
    uint8_t mode;
    struct lw_stack *stack;
};

/* What a thread is blocked on: a lock (its last WAIT record without WAIT_END), or another
 * indefinite wait the driver saw on the wait board (lw_detector_board_wait). */
struct lw_wait {
    bool active;
    uint8_t kind; /* enum lw_wait_kind */
    uint8_t mode;
    struct lw_lock *lock; /* LOCK: requested; COND: the mutex */
    uint64_t object;
    int32_t owner_tid;   /* LOCK: the owner the lock object named, 0 if unknown */
    bool board;          /* from the wait board (lw_detector_board_wait), not a WAIT record */
    bool held_partial;   /* held[] is the most recent of more held locks */
    bool condwait;       /* LOCK: the re-acquisition inside a condition wait on `object` */
    uint8_t last_signal; /* COND, SEM: enum lw_last_signal, and who and where */
    struct lw_thread *signalled_by;
    struct lw_stack *signal_stack;
    struct lw_stack *stack;
    size_t nheld, held_cap;
    struct lw_held_lock *held;
};

/* lock_order.c: the HELD records of a thread, waiting for its next ACQUIRE record. */
struct lw_older_held {
    struct lw_held *held;
    uint32_t n, cap;
};

/* sem_locks.c: a lock-order edge into or out of a semaphore, kept aside until the end of the run
 * (the semaphore may yet prove to be a signal). */
struct lw_sem_edge {
    struct lw_lock *from, *to;
    uint32_t epoch;
    int32_t pid;
    struct lw_graph_instance inst;
};

/* robust.c: an EXIT_HOLDING record of a robust mutex, waiting for the end of the run. */
struct lw_robust_pending {
    uint32_t image;
    struct lw_rec_misuse rec;
};

struct lw_detector {
    struct lw_report report;
    size_t findings_cap, processes_cap, images_cap, locks_cap, threads_cap, overflows_cap;

    struct lw_depot depot;
    struct lw_graph *graph;
    struct lw_map pids;     /* (pid, 0) -> index of its newest process (latest start) */
    uint32_t *process_prev; /* per process: the entry of the same pid that started just
                               before it (an earlier image or pid use), UINT32_MAX none */
    size_t process_prev_cap;
    struct lw_map thread_keys;      /* (process index, thread number) -> thread index */
    struct lw_lock_index lock_keys; /* (image, addr, generation) -> lock index (tables.c) */
    struct lw_lone_locks lone;      /* locks seen only alone: not in lock_keys (tables.c) */
    struct lw_map sites;            /* (holding stack, acquiring stack) -> struct lw_site * */
    struct lw_map_memo sites_memo, thread_memo; /* in front of sites and thread_keys */
    /* lw_process_for's memo: pid's newest entry, while nprocesses is what it was */
    struct {
        int32_t pid;
        uint32_t index;
        size_t nprocesses; /* 0: empty */
    } process_memo;
    struct lw_map overflow_seen;
    struct lw_map misuse_seen;
    struct lw_map exit_held;  /* (lock index, thread index): the thread ended holding the lock */
    struct lw_map races_seen; /* external.c: races already added, by race key */
    uint64_t named_stacks;    /* external.c: ids of named (TSan) stacks handed out */

    uint32_t nsites; /* sites interned: the next site id */

    struct lw_cycle_group *groups; /* cycle_group.c */
    size_t ngroups, groups_cap;
    struct lw_seqset group_keys;     /* canonical site-id sequence -> group index */
    struct lw_map group_stacks;      /* (group index, stack) -> 1: in its distinct stacks */
    struct lw_cycle_ref *cycle_refs; /* graph cycle id -> its instance */
    size_t cycle_refs_cap;
    struct lw_older_held *older_held; /* per thread index */
    size_t older_held_cap;
    void **places; /* lock_order.c: the arrays lw_finding.places points into */
    size_t nplaces, places_cap;

    struct lw_wait **waits; /* per thread index, NULL until the thread first waits */
    size_t waits_cap;
    uint32_t *blocked; /* thread indices with an active wait */
    size_t nblocked, blocked_cap;
    struct lw_seqset deadlocks_seen;
    uint64_t board_stacks; /* ids of board waits' private stacks handed out */
    bool must_stop;

    struct lw_hb hb; /* schedule.c: thread starts, joins, forks, reaps and barrier waits */
    struct lw_map barrier_ids; /* (process index, barrier address) -> dense barrier index */
    struct lw_reap *reaps;     /* schedule.c: REAP records, matched to their child at the end */
    size_t nreaps, reaps_cap;
    struct lw_sem_track *sems; /* sem_notes.c: one per semaphore life (from its sem_init) */
    size_t nsems, sems_cap, ndead_sems;
    struct lw_map sem_ids; /* (image, semaphore address) -> its latest life in sems */

    struct lw_robust_pending *robust; /* robust.c */
    size_t nrobust, robust_cap;

    struct lw_sem_edge *sem_edges; /* sem_locks.c */
    size_t nsem_edges, sem_edges_cap;
    struct lw_map sem_gate_threads; /* (semaphore lock index, 0) -> the thread index + 1 of the
                                       only thread it was a gate for, UINT64_MAX for several */

    uint64_t record_time_ns; /* header time of the record being applied, 0 outside feed */
    size_t max_trace_holds;  /* lw_detector_options.max_trace_holds */
    size_t trace_cap;

    /* scratch, one record at a time, grown to the largest held set */
    struct lw_held_lock *held_scratch;
    struct lw_graph_gate *gate_scratch;
    size_t held_scratch_cap, gate_scratch_cap;
    struct lw_map held_seen; /* lw_resolve_held: lock -> its entry, for large held sets */
    alignas(max_align_t) unsigned char rec[LW_WIRE_MAX_RECORD];
};

/* validate.c: 0 when rec[0..len) is a well-formed record (len <= LW_WIRE_MAX_RECORD, rec
 * aligned for any record type), else -1. */
int lw_validate_record(const void *rec, size_t len);

/* tables.c. Each returns NULL (or UINT32_MAX) only when out of memory.
 * lw_process_for: the process entry (image instance) that sent the record with header h: the
 * newest entry of h->pid that started at or before h->time_ns, since an exec keeps the pid while
 * the old image's records may still be applied after the new image's PROCESS record. A header
 * without a time (0: a driver call, or a runtime without a clock) means the newest entry.
 * lw_process_latest: the newest entry of pid, for calls that have no record (the driver reads the
 * live program, which is its newest image). Both make an entry of unknown image when none fits. */
struct lw_process *lw_process_for(struct lw_detector *d, const struct lw_rec_header *h);
struct lw_process *lw_process_latest(struct lw_detector *d, int32_t pid);
int lw_process_start(struct lw_detector *d, const struct lw_rec_process *rec);
int lw_module_add(struct lw_detector *d, const struct lw_rec_module *rec);
struct lw_thread *lw_thread_of(struct lw_detector *d, const struct lw_rec_header *h);
/* tables.c: the thread that sent a record (lw_thread_of) and the stack `stack_id` names in its
 * image (NULL for id 0) into *thread and *stack. Returns LW_OK or LW_ERR_NOMEM. */
int lw_record_origin(struct lw_detector *d, const struct lw_rec_header *h, uint64_t stack_id,
                     struct lw_thread **thread, struct lw_stack **stack);
struct lw_lock *lw_lock_of(struct lw_detector *d, uint32_t image, const struct lw_lock_ref *ref,
                           struct lw_stack *stack);
/* tables.c: a LOCK_SEEN record: the lock joins the lone set unless the lock table has it. */
int lw_lock_seen(struct lw_detector *d, const struct lw_rec_lock_seen *rec);
/* lw_lock_of allocates the locks LW_LOCK_BLOCK at a time: report.locks[k * LW_LOCK_BLOCK] is the
 * start of block k (what lw_detector_free frees). */
#define LW_LOCK_BLOCK 1024u
int lw_overflow_add(struct lw_detector *d, const struct lw_rec_overflow *rec);

/* python.c: the CPython records, and the Python frames of a stack (kept from the first time
 * they are given). lw_python_free frees an image's code table. */
int lw_python_record(struct lw_detector *d, const struct lw_rec_python *rec);
int lw_python_code_record(struct lw_detector *d, const struct lw_rec_pycode *rec);
int lw_python_stack_record(struct lw_detector *d, const struct lw_rec_pystack *rec);
int lw_python_stack_set(struct lw_stack *stack, const struct lw_py_frame *py, size_t npy,
                        uint32_t flags);
void lw_python_free(struct lw_image *img);

/* Resolves wire held entries into locks of `image` (held_scratch), skipping repeats of one lock
 * (the stronger mode wins). Returns the count or -1 when out of memory. */
long lw_resolve_held(struct lw_detector *d, uint32_t image, const struct lw_held *held,
                     uint32_t nheld);

/* What an ACQUIRE or WAIT record names: its held locks (into held_scratch, count in *nresolved,
 * resolved first so lock ids follow the program's order), its stack (*stack) and the lock it
 * requests, which is returned. NULL only when out of memory. */
struct lw_lock *lw_resolve_request(struct lw_detector *d, uint32_t image,
                                   const struct lw_lock_ref *ref, uint64_t stack_id,
                                   const struct lw_held *held, uint32_t nheld, long *nresolved,
                                   struct lw_stack **stack);

/* lock_order.c: the edge rules for one ACQUIRE record, with the older held locks of the HELD
 * records its thread sent before it. */
int lw_lock_order_acquire(struct lw_detector *d, const struct lw_rec_acquire *rec);
int lw_lock_order_held(struct lw_detector *d, const struct lw_rec_held *rec);
/* lock_order.c: one edge from -> to of thread inst->thread (epoch, pid) into the graph, and the
 * cycle it closes (if any) into its finding. */
int lw_lock_order_edge(struct lw_detector *d, struct lw_lock *from, struct lw_lock *to,
                       uint32_t epoch, int32_t pid, const struct lw_graph_instance *inst);
/* sem_locks.c: a SEM_SIGNAL record; an edge through a semaphore, kept aside (lw_sem_defer); and
 * at the end of the run, the kept edges whose semaphores never proved to be signals, into the
 * graph (lw_sem_flush). */
int lw_sem_signal(struct lw_detector *d, const struct lw_rec_sem_signal *rec);
int lw_sem_defer(struct lw_detector *d, struct lw_lock *from, struct lw_lock *to,
                 struct lw_thread *t, uint32_t epoch, int32_t pid,
                 const struct lw_graph_instance *inst);
int lw_sem_flush(struct lw_detector *d);
/* lock_order.c: fills lw_finding.places of every finding with a cycle, from the graph. */
int lw_lock_order_places(struct lw_detector *d);

/* cycle_group.c: a cycle the graph reported, new or upgraded (the same id, now across threads),
 * into the finding of its group. edges[0..n) describe it as lock_order.c does, sites[k] is the
 * site of edge k; the group copies what it keeps. */
int lw_group_cycle(struct lw_detector *d, uint32_t cycle_id, bool upgraded,
                   const struct lw_cycle_edge *edges, const struct lw_site *const *sites, size_t n,
                   bool single_thread, int32_t pid);
/* The finding of the first group not yet deadlocked with an instance of pid over exactly the
 * locks locks[0..n) (in any order), now showing that instance for good; NULL when there is
 * none. The caller makes the finding the deadlock. */
struct lw_finding *lw_group_deadlocked(struct lw_detector *d, int32_t pid,
                                       struct lw_lock *const *locks, size_t n);
void lw_group_free(struct lw_detector *d);

/* waitfor.c: real deadlocks among blocked threads. */
int lw_waitfor_wait(struct lw_detector *d, const struct lw_rec_wait *rec);
void lw_waitfor_end(struct lw_detector *d, const struct lw_thread *thread);
/* A thread ended: a lock wait on a lock it held can never end. */
int lw_waitfor_thread_exit(struct lw_detector *d, const struct lw_thread *thread);
/* Whether blocked thread u keeps blocked thread t (thread indices) waiting; *held is u's held
 * entry that does, when a held lock is the reason. */
bool lw_waitfor_blocks(struct lw_detector *d, uint32_t t, uint32_t u,
                       const struct lw_held_lock **held);
/* Whether `thread` ended holding `lock` (its EXIT_HOLDING record, misuse.c): the owner a lock
 * object names may have let go of it since a waiter read it. */
bool lw_waitfor_held_at_exit(struct lw_detector *d, const struct lw_lock *lock,
                             const struct lw_thread *thread);
/* The latest thread of pid (0: of any process) with kernel tid `tid` (0: none), or NULL. */
struct lw_thread *lw_waitfor_thread_by_tid(struct lw_detector *d, int32_t pid, int32_t tid);
/* The thread of joiner's process whose pthread_t is `handle`, or NULL. */
struct lw_thread *lw_waitfor_joined(struct lw_detector *d, const struct lw_thread *joiner,
                                    uint64_t handle);
void lw_waitfor_free(struct lw_detector *d);
/* The wait of a thread, or NULL when it has none active. */
const struct lw_wait *lw_waitfor_of(const struct lw_detector *d, const struct lw_thread *thread);

/* schedule.c: happens-before from THREAD, JOIN, BARRIER, REAP and forked PROCESS records and,
 * with the edge uses the graph keeps (lw_graph_edge_uses), at the end the label of each
 * lock-order-inversion finding. */
int lw_schedule_thread(struct lw_detector *d, const struct lw_thread *t,
                       const struct lw_rec_thread *rec);
int lw_schedule_join(struct lw_detector *d, const struct lw_rec_join *rec);
int lw_schedule_barrier(struct lw_detector *d, const struct lw_rec_barrier *rec);
/* A REAP record: kept until the end, when every process it may name has announced itself. */
struct lw_reap {
    uint32_t waiter, epoch; /* the waiting thread (index) and its epoch after the wait */
    int32_t waiter_pid, child;
    uint64_t time_ns;
    struct lw_stack *stack;
};
int lw_schedule_reap(struct lw_detector *d, const struct lw_rec_reap *rec);
/* A forked child announced itself (PROCESS record); parent: its parent's process index. */
int lw_schedule_fork(struct lw_detector *d, const struct lw_rec_process *rec, uint32_t parent);
int lw_schedule_label(struct lw_detector *d);

/* sem_notes.c: the posts and waits of each process-private semaphore life, and the note a
 * concurrent finding gets when one of them handed over between two of its edges' threads. */
struct lw_sem_track {
    uint32_t image;
    uint64_t addr;
    uint32_t value;          /* sem_init's initial value */
    uint32_t poster, waiter; /* the one thread that posted / waited, LW_HB_NONE: none yet */
    bool many_posters, many_waiters;
    bool dead; /* superseded by a new life at its address, and no note can come of it */
    struct lw_stack *post_stack, *wait_stack; /* the first post and wait */
    uint32_t *posts, *waits; /* per post: epochs before it; per wait: first epoch after it */
    size_t nposts, posts_cap, nwaits, waits_cap;
};
int lw_sem_record(struct lw_detector *d, const struct lw_rec_sem *rec);
/* Adds to f (labelled concurrent) a note for the first pair of consecutive edges of its cycle
 * that a semaphore hand-over ordered in this run; uses[k]: the uses of f->cycle[k]'s edge. */
int lw_sem_note(struct lw_detector *d, struct lw_finding *f, const struct lw_hb_edge *uses);
void lw_sem_free(struct lw_detector *d);

/* misuse.c: a MISUSE record becomes a finding once per (kind, lock, offending stack);
 * lw_misuse_finding makes it without the hold-back of robust mutexes. */
int lw_misuse_record(struct lw_detector *d, const struct lw_rec_misuse *rec);
int lw_misuse_finding(struct lw_detector *d, const struct lw_rec_misuse *rec);

/* robust.c: exit-holding records of robust mutexes wait for the end of the run; a recovery
 * (pthread_mutex_consistent) drops them, lw_robust_finish turns the rest into findings. */
int lw_robust_hold_back(struct lw_detector *d, const struct lw_rec_misuse *rec);
int lw_robust_recovered(struct lw_detector *d, const struct lw_rec_misuse *rec);
int lw_robust_finish(struct lw_detector *d);

/* profile.c: a HOLDS record's events into their locks' profiles (and the timeline). */
int lw_profile_holds(struct lw_detector *d, const struct lw_rec_holds *rec);

/* findings.c: a new finding appended to the report with id set, or NULL. Arrays are allocated
 * with the given sizes (zeroed); lw_finding_free releases one. */
struct lw_finding *lw_finding_add(struct lw_detector *d, enum lw_finding_kind kind, int32_t pid,
                                  size_t nlocks, size_t nthreads, size_t ncycle, size_t nstacks);
void lw_finding_free(struct lw_finding *f);

#endif
