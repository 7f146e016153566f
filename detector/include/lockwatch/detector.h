/* lockwatch/detector.h — the detector: records in, findings out.
 *
 * lw_detector_feed() takes each record exactly as received from the program (wire.h), validates
 * it, and updates the run's state: processes and images, modules, the stack depot, threads,
 * locks, the lock-order graph (with its edge rules and cycle search) and the report model
 * (report.h). A record that closes a new lock-order cycle adds a finding at once. Pure logic: no
 * I/O, no processes, no clocks; records may arrive in any order the wire contract allows.
 * Not thread-safe: one caller feeds it. */
#ifndef LOCKWATCH_DETECTOR_H
#define LOCKWATCH_DETECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lockwatch/report.h"
#include "lockwatch/wire.h"

struct lw_detector;

enum lw_status {
    LW_OK = 0,
    LW_ERR_NOMEM = -1,
    LW_ERR_BADREC = -2, /* malformed record: rejected, counted in report->bad_records */
};

struct lw_detector_options {
    uint64_t cycle_search_budget; /* steps per cycle search (graph.h): 0 = the default,
                                     UINT64_MAX = none */
    size_t max_trace_holds;       /* hold events kept in report->trace (--trace); 0 = none. Every
                                     hold event counts in its lock's profile either way */
};

/* opts may be NULL for defaults. Returns NULL when out of memory. */
struct lw_detector *lw_detector_new(const struct lw_detector_options *opts);
void lw_detector_free(struct lw_detector *d);

/* Feeds one record of len bytes. Returns LW_OK, LW_ERR_BADREC or LW_ERR_NOMEM. */
int lw_detector_feed(struct lw_detector *d, const void *rec, size_t len);

/* The run has ended (every record is in): adds the findings that could only be decided then —
 * a thread that ended holding a robust mutex that no later owner recovered with
 * pthread_mutex_consistent — and lists, for each cycle edge of a finding, the other places the
 * same two locks were taken in that order (lw_finding.places). Call once, before rendering.
 * Returns LW_OK or LW_ERR_NOMEM. */
int lw_detector_finish(struct lw_detector *d);

/* The live report: findings so far, and every table the driver names before rendering. */
struct lw_report *lw_detector_report(struct lw_detector *d);

/* True once a finding means the program can never finish: a real deadlock (LW_KIND_DEADLOCK) or
 * a double lock whose call blocks forever (MISUSE record with will_block). The driver should
 * then end the run and report. */
bool lw_detector_must_stop(const struct lw_detector *d);

/* The whole lock-order graph, read-only (for --graph and other views of every edge; a finding
 * already carries the edges of its own cycle). One edge per (held lock, requested lock) pair the
 * run made, with the first LW_ORDER_MAX_INSTANCES instances the graph kept (graph.h: one per
 * kind and thread, two threads per kind). Each instance reads like a cycle edge: holding == from,
 * acquiring == to, the thread, both modes and both stacks. Pointers stay valid until
 * lw_detector_free(). */
#define LW_ORDER_MAX_INSTANCES 4

struct lw_order_edge {
    struct lw_lock *from;
    struct lw_lock *to;
    size_t ninstances;
    struct lw_cycle_edge instances[LW_ORDER_MAX_INSTANCES];
};

/* Number of edges; they are numbered 0 .. count - 1 in the order they first appeared. */
size_t lw_detector_order_edge_count(const struct lw_detector *d);

/* Fills *edge with edge i. Returns false when i >= the count. */
bool lw_detector_order_edge(const struct lw_detector *d, size_t i, struct lw_order_edge *edge);

/* Waits the driver sees on the wait board (wire.h: struct lw_wait_slot), other than lock waits
 * (those come as WAIT records). The driver reports a wait once it has lasted (the same slot seq
 * on looks at least the deadlock delay apart) and its end when the slot changes. */
struct lw_board_wait {
    int32_t pid;
    uint32_t thread;         /* thread number in pid */
    uint32_t kind;           /* enum lw_wait_kind: JOIN, COND, SEM or BARRIER */
    uint64_t object;         /* as in the slot */
    struct lw_lock_ref lock; /* COND: the mutex */
    const uint64_t *pcs;     /* where it waits: return addresses, innermost first */
    size_t npcs;
    const struct lw_held *held; /* its held locks, oldest first: the most recent nheld of */
    size_t nheld;
    size_t held_total; /* held_total (0: nheld) */
    /* COND: the thread was woken and now waits inside the call to take the mutex back (the
     * kernel says it sleeps on the mutex's word); owner_tid is the owner the mutex names. */
    bool reacquiring;
    int32_t owner_tid;
};

/* Records the wait and looks for a cycle of waits through it (a join of a thread that waits for
 * a lock the joiner holds); a cycle is a deadlock finding and makes lw_detector_must_stop true.
 * Returns LW_OK, LW_ERR_BADREC (unknown kind, no such process) or LW_ERR_NOMEM. */
int lw_detector_board_wait(struct lw_detector *d, const struct lw_board_wait *w);
void lw_detector_board_wait_end(struct lw_detector *d, int32_t pid, uint32_t thread);

/* Tells where the object of the condition or semaphore board wait of (pid, thread) was last
 * signalled (last_signal: enum lw_last_signal; for BEFORE and DURING, the signalling thread's
 * number in pid and the stack id of its call): the driver reads the threads' signal logs (wire.h)
 * only when it is about to report, so a board wait starts with LW_SIGNAL_UNKNOWN. LW_OK,
 * LW_ERR_BADREC (no such board wait, bad value) or LW_ERR_NOMEM. Findings made before keep what
 * they said. */
int lw_detector_board_wait_signal(struct lw_detector *d, int32_t pid, uint32_t thread,
                                  uint8_t last_signal, uint32_t signal_thread,
                                  uint64_t signal_stack);

/* Gives the board wait of (pid, thread) a better stack (the driver unwound the blocked thread):
 * findings already naming the wait show the new frames. LW_OK, LW_ERR_BADREC (no such board
 * wait) or LW_ERR_NOMEM. */
int lw_detector_board_wait_stack(struct lw_detector *d, int32_t pid, uint32_t thread,
                                 const uint64_t *pcs, size_t npcs);

/* The Python frames of that stack (after lw_detector_board_wait_stack), as lw_stack.py. */
int lw_detector_board_wait_py(struct lw_detector *d, int32_t pid, uint32_t thread,
                              const struct lw_py_frame *py, size_t npy, uint32_t py_flags);

/* A Python code object the driver read itself (thread dumps), named in `image` as a PYCODE
 * record would. The strings are copied. Returns LW_OK or LW_ERR_NOMEM. */
int lw_detector_py_code(struct lw_detector *d, uint32_t image, const struct lw_py_code *code);

/* The run is stuck: threads[0..n) are every live thread of every process of the run, and the
 * driver found each in the same indefinite wait on two looks with nothing (timer, other process)
 * left to wake one. Adds one deadlock finding (stuck) that says what each waits for, unless one
 * of them has no active wait here (LW_ERR_BADREC, nothing added) or the same threads' waits were
 * already reported. Makes lw_detector_must_stop true. */
int lw_detector_stuck(struct lw_detector *d, struct lw_thread *const *threads, size_t n);

/* Findings from outside the record stream (external.c). */
struct lw_tsan_report;

/* A data race ThreadSanitizer reported (tsan.h): both accesses with the stacks TSan named, their
 * threads matched to lockwatch's by kernel tid where TSan gives it, and the variable when TSan
 * names it. A race already added (same kind of accesses at the same source lines) is not added
 * twice. Returns LW_OK, LW_ERR_BADREC when the report is not a race with an access, or
 * LW_ERR_NOMEM. */
int lw_detector_add_tsan(struct lw_detector *d, const struct lw_tsan_report *race);

/* One thread's stack at the moment a hung run was stopped (innermost first; raw addresses of
 * process pid, symbolised with its image like every other stack). */
struct lw_hung_thread {
    int32_t pid;
    int32_t tid;
    const char *comm; /* the kernel's thread name, may be NULL */
    size_t nframes;
    const uint64_t *pcs;
    /* its Python frames (lw_stack.py), when the driver could read them */
    size_t npy;
    const struct lw_py_frame *py;
    uint32_t py_flags;
};

/* Adds one `hang` finding holding every given thread's stack, and what each thread the detector
 * knows to be blocked waits for (lw_finding.waits). interrupted: the run was ended after a signal
 * to lockwatch, not by --timeout. Returns LW_OK or LW_ERR_NOMEM. */
int lw_detector_add_hang(struct lw_detector *d, const struct lw_hung_thread *threads, size_t n,
                         bool interrupted);

#endif
