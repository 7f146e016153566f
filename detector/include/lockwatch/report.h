/* lockwatch/report.h — what a run found, as data.
 *
 * The detector (detector.h) fills this model from records; the driver then names what it holds
 * (frames, locks, threads: the fields marked "driver") and the renderers read it. Nothing here
 * prints, opens files or knows about processes. Every pointer in the model stays valid until
 * lw_detector_free(); strings set by the driver must be owned by the driver for as long. */
#ifndef LOCKWATCH_REPORT_H
#define LOCKWATCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lockwatch/wire.h"

/* Finding kinds. Keep renderers' switches free of `default` so a new kind is flagged. */
enum lw_finding_kind {
    LW_KIND_LOCK_ORDER_INVERSION,
    LW_KIND_DEADLOCK,
    LW_KIND_DOUBLE_LOCK,
    LW_KIND_UNLOCK_UNOWNED,
    LW_KIND_DESTROY_LOCKED,
    LW_KIND_EXIT_HOLDING_LOCK,
    LW_KIND_DATA_RACE,
    LW_KIND_HANG,
    LW_KIND_INVALID_LOCK,
    LW_KIND_REINIT_LIVE,
    LW_KIND_COND_MISUSE,
};
#define LW_KIND_COUNT (LW_KIND_COND_MISUSE + 1)

/* Which case of its kind a misuse finding is, for its wording (report.c, the renderers' Fix
 * lines); LW_DETAIL_NONE for the kinds that have one case. */
enum lw_finding_detail {
    LW_DETAIL_NONE,
    LW_DETAIL_DESTROYED,      /* invalid-lock: used after its destroy */
    LW_DETAIL_UNINITIALISED,  /* invalid-lock: the object holds no valid lock */
    LW_DETAIL_HELD,           /* reinit-live: initialised while held */
    LW_DETAIL_NOT_DESTROYED,  /* reinit-live: initialised twice without a destroy */
    LW_DETAIL_MUTEX_NOT_HELD, /* cond-misuse: wait with a mutex the caller does not hold */
    LW_DETAIL_TWO_MUTEXES,    /* cond-misuse: concurrent waits with two mutexes */
    LW_DETAIL_COND_DESTROYED, /* cond-misuse: condition variable destroyed under a waiter */
    LW_DETAIL_SEM_DESTROYED,  /* cond-misuse: semaphore destroyed under waiters */
};

/* "lock-order-inversion", "deadlock", ... — the stable names used in JSON and suppressions. */
const char *lw_kind_name(enum lw_finding_kind kind);

/* One frame of a stack. pc is raw; the rest is set by the driver's symboliser (NULL / 0 when
 * unknown). module is the object's path. */
struct lw_frame {
    uint64_t pc;
    const char *function; /* driver */
    const char *file;     /* driver */
    int line;             /* driver */
    const char *module;   /* driver */
    bool inlined;         /* driver: a call inlined into the next frame (same pc) */
    bool wrapper;         /* driver: a lock wrapper's frame, never the user's site */
    bool python;          /* driver: a Python frame (pc 0, module NULL; file, line, function from
                             the code object) spliced in for an evaluation-loop frame */
};

/* An interned stack of one process image. frames is NULL when its STACK record never came.
 * named: the frames came with their names (from ThreadSanitizer) and are not symbolised again. */
struct lw_stack {
    uint32_t image;
    uint64_t id;
    size_t nframes;
    struct lw_frame *frames;
    bool named;
    uint32_t epoch; /* the image's module epoch when its frames came (lw_image.remaps) */
    /* driver: frames named, inlined calls expanded (frames then replaced by a longer malloc'd
     * array, freed with the stack like the first) */
    bool symbolised;
    /* CPython (PYSTACK record, or a thread dump): the Python frames the stack's evaluation-loop
     * frames ran, innermost first; the driver splices them in when it symbolises. */
    size_t npy;
    struct lw_py_frame *py;
    uint32_t py_flags; /* enum lw_py_stack_flag */
    bool has_py;       /* py was given (a re-sent PYSTACK does not replace it) */
};

/* An ELF object mapped into an image: the symboliser's input. */
struct lw_module {
    uint64_t base; /* load bias */
    uint64_t start, end;
    const char *path;
    uint32_t epoch; /* the image's remaps when it was announced */
};

/* A Python code object's names (PYCODE record, or read from a stopped thread). */
struct lw_py_code {
    uint64_t id;
    int32_t first_line;
    const char *file;     /* co_filename, UTF-8 */
    const char *function; /* co_qualname */
    bool file_cut, function_cut;
};

/* One exec'd program image; forked children share their parent's. */
struct lw_image {
    uint32_t index;
    const char *exe;
    size_t nmodules;
    struct lw_module *modules; /* in order of announcement */
    /* Modules announced over another's addresses (dlclose, then dlopen at the same place): a
     * stack is named with the modules of its epoch, the latest first (lwd_find_module_at). */
    uint32_t remaps;
    /* CPython (PYTHON record): python says the image is an interpreter, python_version its
     * Py_Version (0 when older than 3.11), python_layout how its frames are read when
     * python_supported. pycode: the code objects named so far, sorted by id. */
    bool python, python_supported;
    uint32_t python_version;
    struct lw_py_layout python_layout;
    size_t npycode, pycode_cap;
    struct lw_py_code *pycode;
};

struct lw_process {
    int32_t pid;
    int32_t parent_pid;
    uint32_t image;
    bool forked;          /* false: started by exec */
    uint64_t start_ns;    /* CLOCK_MONOTONIC time of its PROCESS record; 0: not known */
    uint64_t timer_board; /* address of its struct lw_timer_board in the program, 0 if unknown */
    bool superseded;      /* a later image of the same pid (an exec, or the pid used again) started
                             after it: the pid's live image is the one entry not superseded */
};

/* Contention figures of one lock from the hold events of --profile (wire.h LW_REC_HOLDS), in
 * nanoseconds. contended: acquisitions whose first try failed (the thread had to wait). Waits of
 * trylocks, timed locks and condition-wait re-acquisitions are not measured (count 0). */
struct lw_lock_profile {
    uint64_t acquisitions;
    uint64_t contended;
    uint64_t wait_total_ns, wait_max_ns;
    uint64_t hold_total_ns, hold_max_ns;
};

/* A lock: address + generation within one image. Report id "M<index>" (1-based). 40 bytes, one
 * per lock of the run: what only some locks have (a contention profile) lives in lw_report. */
struct lw_lock {
    uint32_t index;
    uint32_t image;
    uint64_t addr;
    uint32_t generation;
    uint8_t type;                 /* enum lw_lock_type (wire.h) */
    uint8_t flags;                /* enum lw_lock_flag (wire.h) */
    bool signal;                  /* LW_LOCK_SEM: proved a signal, not a lock (no edges) */
    struct lw_stack *first_stack; /* first acquisition seen */
    const char *name;             /* driver: static symbol, or "mutex taken in f (file:line)" */
};

/* A thread of one process. Report id "T<number>" within its process ("1234:T2" when the run
 * has several processes). */
struct lw_thread {
    uint32_t index; /* dense, across the run */
    int32_t pid;
    uint32_t process; /* its entry in lw_report.processes (an exec keeps the pid, not the entry) */
    uint32_t number;  /* 0 = main thread */
    int32_t tid;
    char *name;               /* from pthread_setname_np, or NULL */
    uint32_t parent;          /* creator's number, UINT32_MAX if unknown */
    struct lw_stack *created; /* pthread_create call, NULL for main / unknown */
    bool exited;
    uint64_t start_routine; /* address of the start routine (THREAD record), 0 if unknown */
    uint64_t wait_slot;     /* address of its struct lw_wait_slot in the program, 0 if unknown */
    uint64_t signal_log;    /* address of its struct lw_signal_log in the program, 0 if unknown */
    uint64_t handle;        /* its pthread_t (what a joiner's wait names), 0 if unknown */
    const char *label;      /* driver: name, else "main", else the start routine's symbol */
};

/* One edge of a cycle: `thread` held `holding` (taken at holding_stack) and requested
 * `acquiring` (at acquiring_stack). */
/* Where a held lock was taken and where the next one was requested. */
struct lw_stack_pair {
    struct lw_stack *holding;
    struct lw_stack *acquiring;
};

struct lw_cycle_edge {
    struct lw_thread *thread;
    struct lw_lock *holding;
    struct lw_lock *acquiring;
    uint8_t holding_mode;   /* enum lw_lock_mode */
    uint8_t acquiring_mode; /* enum lw_lock_mode */
    struct lw_stack *holding_stack;
    struct lw_stack *acquiring_stack;
};

/* Every other place the program took a cycle edge's two locks in that order (any thread), in
 * order of arrival. */
struct lw_edge_places {
    size_t n;
    const struct lw_stack_pair *pairs;
};

/* A labelled stack of a finding ("blocked here", "first acquired here", ...). */
struct lw_labelled_stack {
    struct lw_thread *thread;
    const char *label; /* static string */
    struct lw_stack *stack;
};

/* A lock a waiting thread holds, and where it took it. */
struct lw_held_info {
    struct lw_lock *lock;
    uint8_t mode; /* enum lw_lock_mode */
    struct lw_stack *stack;
};

/* Where the condition variable or semaphore a thread waits on was last signalled or posted. */
enum lw_last_signal {
    LW_SIGNAL_UNKNOWN = 0, /* not among the signals lockwatch keeps (each thread's last few) */
    LW_SIGNAL_NEVER = 1,   /* never, in any thread of the process lockwatch saw */
    LW_SIGNAL_BEFORE = 2,  /* before this wait began: that signal was lost */
    LW_SIGNAL_DURING = 3,  /* after this wait began */
};

/* What one thread of a deadlock waits for (lw_finding.waits). */
struct lw_thread_wait {
    struct lw_thread *thread;
    uint8_t kind;         /* enum lw_wait_kind (wire.h): lock, join, cond, sem, barrier */
    uint8_t mode;         /* LOCK: the mode requested */
    struct lw_lock *lock; /* LOCK: the lock; COND: the condition variable's mutex; SEM: the
                             semaphore lock another waiting thread holds, or NULL */
    uint64_t object; /* COND, SEM, BARRIER (and LOCK with condwait): the object's address; JOIN:
                        the pthread_t */
    const char *object_name;     /* driver: the object's variable, or NULL */
    struct lw_thread *waits_for; /* LOCK: its holder; JOIN: the joined thread; SEM: the waiting
                                    thread that holds it as a lock; NULL: unknown, or any thread
                                    (a condition, semaphore or barrier) */
    bool holder_ended;           /* LOCK: waits_for ended while holding it */
    bool condwait;       /* LOCK: taking the mutex back inside a condition wait on `object` */
    uint8_t last_signal; /* COND, SEM: enum lw_last_signal */
    struct lw_thread *signalled_by; /* COND, SEM: who signalled or posted it last, or NULL */
    struct lw_stack *signal_stack;  /* ...and where */
    struct lw_stack *stack;         /* where it waits */
    size_t nheld;
    struct lw_held_info *held;
};

/* One memory access of a data race, as ThreadSanitizer described it. */
struct lw_access {
    bool write;
    bool atomic;
    bool previous; /* the earlier of the two accesses */
    unsigned size;
    uint64_t addr;
    struct lw_thread *thread; /* NULL when lockwatch never saw TSan's thread */
    char *tsan_thread;        /* TSan's name for it ("T2") */
    char *mutexes;            /* locks TSan saw held ("write M0"), or NULL */
    struct lw_stack *stack;   /* named frames */
};

/* The locks of one instance of a finding's cycle, in the order of the finding's edges. */
struct lw_instance_example {
    size_t nlocks;
    struct lw_lock **locks;
};

/* Example lock sets a grouped finding keeps: its first instances in record order. */
#define LW_FINDING_EXAMPLES 2

/* lock-order-inversion: whether this run's thread starts and joins let the cycle's edges be in
 * progress at once (docs/report-format.md, "schedule"). */
enum lw_schedule {
    LW_SCHEDULE_NONE,       /* not labelled: another kind, or the report was made mid-run */
    LW_SCHEDULE_CONCURRENT, /* some way to close the cycle uses edges whose threads overlapped */
    LW_SCHEDULE_ORDERED,    /* every way to close it uses edges that this run ordered */
    LW_SCHEDULE_UNCHECKED,  /* too many threads or uses to decide within the budget */
};

/* One step of an ordering: CREATED, `from` created `to` at stack; JOINED, `to` joined `from`;
 * BARRIER, `from` arrived at barrier `object` (its wait at stack) in a round `to` then left. */
enum lw_order_step_kind {
    LW_ORDER_CREATED = 1,
    LW_ORDER_JOINED = 2,
    LW_ORDER_BARRIER = 3,
    LW_ORDER_FORKED = 4,   /* `from` forked the process whose first thread is `to` */
    LW_ORDER_SEM_POST = 5, /* note: `from` posted semaphore `object` at stack, after its uses */
    LW_ORDER_SEM_WAIT = 6, /* note: `to` took that post in a wait at stack, before its uses */
    LW_ORDER_REAPED = 7,   /* `from`'s process ended and `to` waited for it (wait*) at stack */
};
struct lw_order_step {
    enum lw_order_step_kind kind;
    struct lw_thread *from, *to;
    struct lw_stack *stack;  /* NULL when not captured */
    uint64_t object;         /* BARRIER: the barrier's address in from's process */
    const char *object_name; /* BARRIER: its symbol (driver), or NULL */
};

/* Why `first`'s uses of the cycle's edges all happened before `then`'s: steps, earliest first;
 * none when first == then (one thread, program order). Or, when `copied` is set, why their
 * edges could never meet: first and then are in different processes and `copied`, the lock
 * first's edge requests and then's edge holds, is not process-shared (each had its own copy). */
struct lw_ordering {
    struct lw_thread *first, *then;
    size_t nsteps;
    struct lw_order_step *steps;
    const struct lw_lock *copied;
    bool note; /* a hand-over the label does not count (semaphore): steps SEM_POST, SEM_WAIT */
};

/* lock-order-inversion: what `lockwatch --confirm` made of it (set by the driver). */
enum lw_confirm_status {
    LW_CONFIRM_NONE,           /* not tried */
    LW_CONFIRM_REPRODUCED,     /* a steered re-run deadlocked on this cycle */
    LW_CONFIRM_NOT_REPRODUCED, /* no re-run did, or none could be steered (reason) */
};
struct lw_confirmation {
    enum lw_confirm_status status;
    unsigned attempt;   /* REPRODUCED: the re-run that deadlocked, 1-based */
    unsigned attempts;  /* re-runs made for it */
    const char *reason; /* NOT_REPRODUCED: why, a static string */
    const char *replay; /* REPRODUCED: the replay file written for it, or NULL (owned by the
                           driver) */
};

struct lw_finding {
    uint32_t id; /* 1-based, in order found */
    enum lw_finding_kind kind;
    int32_t pid;
    bool single_thread; /* cycle seen in one thread only */
    size_t nlocks;
    struct lw_lock **locks;
    size_t nthreads;
    struct lw_thread **threads;
    size_t ncycle;
    struct lw_cycle_edge *cycle;
    size_t nstacks;
    struct lw_labelled_stack *stacks;
    /* data-race only */
    size_t naccesses;
    struct lw_access *accesses;
    char *variable;   /* "counter" when TSan names the memory, else NULL */
    char *location;   /* "global 'counter' of size 4", "heap block of size 8", or NULL */
    uint64_t time_ns; /* CLOCK_MONOTONIC time of the record that produced it; 0 when it did not
                         come from a record (data races, hangs) */
    /* deadlock and hang: what each thread waits for (hang: the threads lockwatch saw waiting) */
    size_t nwaits;
    struct lw_thread_wait *waits;
    bool stuck;     /* deadlock: every thread of the run waits, none can wake another */
    bool inversion; /* deadlock: its cycle is also a lock-order inversion (the edges say where each
                       lock was taken in that order) */
    bool interrupted; /* hang: the run was ended after a signal to lockwatch, not by --timeout */
    enum lw_finding_detail detail; /* misuse findings: which case of the kind */
    /* lock-order-inversion, and the deadlock such a finding became: the instance-level cycles of
     * the same code (the same holding and acquiring stacks per edge, up to rotation; other locks,
     * other threads) that this one finding stands for. instances counts them (0 in findings of
     * other kinds: lw_finding_instances reads it as 1); examples are the lock sets of the first
     * two in record order; distinct_stacks is every stack their edges named, each once, in the
     * order first seen. The cycle above (and pid) shows one of them: the one that really
     * deadlocked, else the first seen across threads, else the first. */
    size_t instances;
    size_t nexamples;
    struct lw_instance_example examples[LW_FINDING_EXAMPLES];
    size_t ndistinct_stacks;
    struct lw_stack **distinct_stacks;
    /* Per cycle edge (ncycle of them, or NULL): the other places its locks were taken in that
     * order. Filled by lw_detector_finish, owned by the detector. */
    const struct lw_edge_places *places;
    /* lock-order-inversion, filled by lw_detector_finish: the label, and for ORDERED the orderings
     * between the threads of the cycle shown */
    enum lw_schedule schedule;
    size_t nordered;
    struct lw_ordering *ordered_by;
    struct lw_confirmation confirmation;
};

/* A table of the program's runtime that filled (wire.h enum lw_overflow_table). */
struct lw_overflow {
    int32_t pid;
    uint32_t table;
    uint64_t limit;
};

/* One hold kept for a timeline (--trace; detector.h lw_detector_options.max_trace_holds):
 * `thread` waited for `lock` from wait_start_ns, held it from acquired_ns to released_ns
 * (CLOCK_MONOTONIC). flags: enum lw_hold_flag (wire.h). */
struct lw_trace_hold {
    struct lw_thread *thread;
    struct lw_lock *lock;
    uint64_t wait_start_ns, acquired_ns, released_ns;
    uint32_t flags;
    uint8_t mode; /* enum lw_lock_mode */
};

struct lw_report {
    size_t nfindings;
    struct lw_finding **findings;
    size_t nprocesses;
    struct lw_process *processes;
    size_t nimages;
    struct lw_image *images;
    size_t nlocks;
    struct lw_lock **locks;
    size_t nlone_locks; /* locks only ever taken with nothing else held: counted, not in `locks`
                           (the run's distinct locks are nlocks + nlone_locks) */
    size_t nthreads;
    struct lw_thread **threads;
    size_t noverflows;
    struct lw_overflow *overflows;
    uint64_t cycle_searches_stopped; /* lock-order cycle searches the work budget stopped: cycles
                                        through those edges may be missing */
    uint64_t records;                /* records accepted */
    uint64_t bad_records;            /* records rejected as malformed */
    uint64_t steer_met, steer_alone; /* --confirm re-runs: steered pauses that ended with all
                                        partners there, and that ran out (wire.h STEER) */
    /* --profile / --trace (LW_REC_HOLDS records) */
    uint64_t first_time_ns; /* earliest header time of an accepted record: the run's start */
    uint64_t holds;         /* hold events received */
    /* by lock index - 1: each lock's figures, NULL until a hold event names it; made by the first
     * hold event, nprofiles entries (lw_profile_of) */
    struct lw_lock_profile **profiles;
    size_t nprofiles;
    size_t ntrace; /* holds kept for the timeline, in arrival order */
    struct lw_trace_hold *trace;
    uint64_t trace_dropped; /* holds past max_trace_holds, not kept */
};

/* The contention figures of lock l (--profile, --trace), NULL when no hold event named it. */
static inline const struct lw_lock_profile *lw_profile_of(const struct lw_report *r,
                                                          const struct lw_lock *l)
{
    return l->index - 1u < r->nprofiles ? r->profiles[l->index - 1u] : NULL;
}

/* Thread ids carry the pid ("4242:T2") when the threads the findings name come from more than
 * one process. Processes that appear in no finding (a helper the program ran, ThreadSanitizer's
 * symboliser) do not count, so a one-process bug keeps short ids. */
bool lw_report_multi_process(const struct lw_report *r);

/* The names of Python code object `id` of `image`, or NULL when none came. */
const struct lw_py_code *lw_report_py_code(const struct lw_report *r, uint32_t image, uint64_t id);

/* How many instance-level cycles f stands for: f->instances, and 1 for a finding that counts
 * none (every finding is at least itself). */
size_t lw_finding_instances(const struct lw_finding *f);

/* "the same lock order was inverted between 1,000 pairs of locks (instances)" for a finding
 * standing for several instances (lw_finding_instances > 1); "" otherwise. Written like
 * lw_finding_message. */
size_t lw_instances_phrase(const struct lw_finding *f, char *buf, size_t len);

/* The one-line explanation of a finding, from named data (call after the driver named locks and
 * threads), with thread ids as lw_thread_id(multi_process) writes them. Writes at most len bytes
 * including the NUL; returns the length it needed. */
size_t lw_finding_message(const struct lw_finding *f, bool multi_process, char *buf, size_t len);

/* What one thread of a deadlock waits for, as a verb phrase ("joins T1"; what it holds is left
 * to the caller), written like lw_finding_message. */
size_t lw_wait_phrase(const struct lw_finding *f, const struct lw_thread_wait *w,
                      bool multi_process, char *buf, size_t len);

/* "M3", "T2" or "4242:T2": the report ids. multi_process is true when the run had several
 * processes. Return buf. */
const char *lw_lock_id(const struct lw_lock *l, char *buf, size_t len);
const char *lw_thread_id(const struct lw_thread *t, bool multi_process, char *buf, size_t len);

#endif
