/* lockwatch/wire.h — the record format between liblockwatch.so (in the program) and the driver.
 *
 * Contract:
 *  - The driver listens on an AF_UNIX SOCK_STREAM socket at a path in a private (0700)
 *    directory. LOCKWATCH_SOCKET holds "<secret>:<path>": LW_WIRE_SECRET_LEN hex digits drawn at
 *    random for the run, a colon, the socket's path. Every process of the run connects once (a
 *    forked child shares its parent's connection; an exec'd image connects anew), sends the
 *    secret's LW_WIRE_SECRET_LEN characters first, and then each record with one send() call, as
 *    soon as it arises, so a crash or SIGKILL loses nothing already sent. The stream is the
 *    records back to back. The driver refuses a peer that is not a process of the run or does
 *    not start with the secret.
 *    Threads send concurrently on one connection; their records never interleave because Linux
 *    queues an AF_UNIX stream send no larger than about half the send buffer (and under ~36 KB)
 *    as one unit, and a record is at most LW_WIRE_MAX_RECORD (4 KB) against a send buffer the
 *    runtime raises to 416 KB on a stock system (one too small makes it serialise its sends).
 *    Not SOCK_SEQPACKET: its peers may queue only net.unix.max_dgram_qlen messages (10 by
 *    default), so a busy program's threads would block on a driver that is not reading at that
 *    very moment.
 *  - The socket is only the start: the runtime then creates a shared-memory ring (ring.h), hands
 *    it over with a LW_REC_RING record carrying the ring's descriptor (SCM_RIGHTS), and writes
 *    every later record of the image into the ring, with no system call. A record in the ring is
 *    in the driver's memory the moment it is written, so a crash or SIGKILL still loses nothing.
 *    The runtime then closes the socket (the program keeps all its descriptors); a runtime that
 *    cannot create a ring keeps sending on the socket.
 *  - Every record starts with struct lw_rec_header; header.size is the whole record's size and
 *    never exceeds LW_WIRE_MAX_RECORD. Records have fixed layouts except for the trailing arrays
 *    noted below, whose element counts are in the record.
 *  - All integers are in host byte order (program and driver run on the same machine).
 *  - Only raw addresses leave the program. Naming (symbols, file:line) is the driver's job.
 *  - Stacks are interned: a record names a stack by its 64-bit id (a hash of its return
 *    addresses, never 0); a LW_REC_STACK record carries the addresses once per process image.
 *    A STACK record may arrive after the first record naming its id (another thread may send it),
 *    so the driver resolves ids only when it renders.
 *  - An "image" is one exec'd program: a forked child shares its parent's image (same addresses),
 *    an exec starts a new one. Records carry the pid; LW_REC_PROCESS links pids to images.
 *
 * Header-only: shared by interpose/ and detector/ with no code of either. */
#ifndef LOCKWATCH_WIRE_H
#define LOCKWATCH_WIRE_H

#include <stdint.h>

#define LW_WIRE_MAGIC 0x574cu /* "LW" */
#define LW_WIRE_VERSION 7u
#define LW_WIRE_MAX_RECORD 4096u
#define LW_WIRE_MAX_FRAMES 64u /* return addresses kept per stack */
#define LW_WIRE_MAX_HELD 32u   /* most recent held locks carried by an acquire record */
/* Most recent held locks an acquisition makes edges from (the older part in HELD records); a
 * thread holding more sends one OVERFLOW (LW_OVERFLOW_HELD_EDGES). */
#define LW_WIRE_MAX_HELD_EDGES 64u
#define LW_WIRE_MAX_PATH 1024u /* module / executable path, NUL-terminated, truncated */
#define LW_WIRE_MAX_NAME 32u   /* thread name, NUL-terminated */
#define LW_WIRE_ENV_SOCKET "LOCKWATCH_SOCKET"
#define LW_WIRE_SECRET_LEN 32u /* hex digits of the run's secret, sent first on a connection */
#define LW_WIRE_MAX_HOLDS 64u  /* hold events per LW_REC_HOLDS record */
#define LW_WIRE_ENV_OPTIONS "LOCKWATCH_RUNTIME" /* runtime settings, "key=value:key=value" */
/* The schedule steering of a --confirm or --replay run (interpose/steer.h); set by lockwatch
 * only, for that run. */
#define LW_WIRE_ENV_STEER "LOCKWATCH_STEER"
/* The runtime's wait_ms when LOCKWATCH_RUNTIME does not set it; the driver's default
 * --deadlock-delay, which it then leaves out of the environment. */
#define LW_WIRE_DEFAULT_WAIT_MS 100u

enum lw_rec_type {
    LW_REC_PROCESS = 1, /* first record of every process image or forked child */
    LW_REC_MODULE = 2,  /* an ELF object mapped into the process (at start and after dlopen) */
    LW_REC_STACK = 3,   /* stack id -> return addresses */
    LW_REC_THREAD = 4,  /* a thread started (creator, creation stack) */
    LW_REC_THREAD_NAME = 5,
    LW_REC_THREAD_EXIT = 6,
    LW_REC_ACQUIRE = 7,   /* a lock-order chain not seen before, sent at the attempt */
    LW_REC_WAIT = 8,      /* a thread has been blocked on a lock longer than the wait threshold */
    LW_REC_WAIT_END = 9,  /* ...and has now acquired it (or given up) */
    LW_REC_MISUSE = 10,   /* lock misuse (enum lw_misuse_kind) */
    LW_REC_OVERFLOW = 11, /* an internal table filled; sent once per table */
    LW_REC_HOLDS = 12,    /* --profile / --trace only: a batch of finished holds of one thread */
    LW_REC_RING = 13,     /* on the socket only: later records come through this ring (ring.h) */
    LW_REC_WATCH = 14,    /* where the driver can read a thread's wait slot (struct lw_wait_slot) */
    LW_REC_HELD = 15,     /* the older held locks of the ACQUIRE record that follows */
    LW_REC_JOIN = 16,     /* a thread joined another (pthread_join, thrd_join returned 0) */
    LW_REC_LOCK_SEEN = 17,  /* a lock taken with nothing held, in a chain not seen before */
    LW_REC_SEM_SIGNAL = 18, /* a semaphore proved to be a signal, not a lock (lw_rec_sem_signal) */
    LW_REC_BARRIER = 19,    /* a pthread_barrier_wait returned: the thread's epoch ended there */
    LW_REC_STEER = 20,      /* --confirm re-runs only: how one steered pause ended */
    LW_REC_SEM = 21,        /* sem_init, a sem_post or a sem_wait of a process-private semaphore */
    LW_REC_REAP = 22,       /* a wait for a child process returned its end */
    LW_REC_PYTHON = 23,     /* the image runs CPython: how to read its frames (lw_py_layout) */
    LW_REC_PYSTACK = 24,    /* stack id -> the Python frames its interpreter frames ran */
    LW_REC_PYCODE = 25,     /* a Python code object's file and function names */
};

/* Lock families: which API the lock belongs to. */
enum lw_lock_type {
    LW_LOCK_MUTEX = 1,  /* pthread_mutex_t (also std::mutex and friends) */
    LW_LOCK_RWLOCK = 2, /* pthread_rwlock_t (also std::shared_mutex) */
    LW_LOCK_SPIN = 3,   /* pthread_spinlock_t */
    LW_LOCK_MTX = 4,    /* C11 mtx_t */
    LW_LOCK_SEM = 5,    /* sem_t waited on and posted like a lock (a lock until proved a signal:
                           LW_REC_SEM_SIGNAL; docs/internals.md, "Semaphores") */
};

/* Properties read from the lock object itself at use (static initialisers never call init). */
enum lw_lock_flag {
    LW_LOCKF_RECURSIVE = 1u << 0,   /* owner may re-acquire */
    LW_LOCKF_ERRORCHECK = 1u << 1,  /* re-lock returns EDEADLK instead of blocking */
    LW_LOCKF_WRITER_PREF = 1u << 2, /* rwlock: a waiting writer blocks new readers */
    LW_LOCKF_PSHARED = 1u << 3,     /* process-shared */
    LW_LOCKF_ROBUST = 1u << 4,      /* robust mutex (its next owner may recover it): set only in
                                       EXIT_HOLDING records */
};

enum lw_lock_mode {
    LW_MODE_EXCLUSIVE = 0, /* mutex, spin, mtx, rwlock write */
    LW_MODE_SHARED = 1,    /* rwlock read */
};

/* How an acquisition was attempted. */
enum lw_acq_flag {
    LW_ACQF_TRY = 1u << 0,      /* trylock: cannot block, so makes no edge into the lock */
    LW_ACQF_TIMED = 1u << 1,    /* timedlock / clocklock: blocks at most until a deadline */
    LW_ACQF_CONDWAIT = 1u << 2, /* re-acquisition at the end of pthread_cond_wait */
};

/* Identity of one lock: its address plus a generation bumped by init/destroy at that address. */
struct lw_lock_ref {
    uint64_t addr;
    uint32_t generation;
    uint8_t type;  /* enum lw_lock_type */
    uint8_t flags; /* enum lw_lock_flag */
    uint8_t mode;  /* enum lw_lock_mode */
    uint8_t acq;   /* enum lw_acq_flag, how it was (or is being) acquired */
};

struct lw_held {
    struct lw_lock_ref lock;
    uint64_t stack; /* where it was acquired (the first stack seen for that chain) */
};

struct lw_rec_header {
    uint16_t magic;  /* LW_WIRE_MAGIC */
    uint8_t version; /* LW_WIRE_VERSION */
    uint8_t type;    /* enum lw_rec_type */
    uint32_t size;   /* bytes in the whole record */
    int32_t pid;
    int32_t tid;      /* kernel thread id */
    uint32_t thread;  /* thread number in this process, 0 = main thread, in creation order */
    uint32_t epoch;   /* the thread's creates, joins, forks, waits and barrier rounds: each ends one
                         (happens-before, docs/internals.md) */
    uint64_t time_ns; /* CLOCK_MONOTONIC */
};

enum lw_process_origin {
    LW_ORIGIN_EXEC = 1, /* a new image: the first program, or anything exec'd under it */
    LW_ORIGIN_FORK = 2, /* a child of fork(): same image as parent_pid */
};

struct lw_rec_process {
    struct lw_rec_header h;
    int32_t parent_pid;
    uint32_t origin;            /* enum lw_process_origin */
    uint32_t fork_thread;       /* LW_ORIGIN_FORK: thread number of the forking thread */
    uint32_t held_at_fork;      /* LW_ORIGIN_FORK: locks other threads held when fork ran */
    char exe[LW_WIRE_MAX_PATH]; /* /proc/self/exe */
};

struct lw_rec_module {
    struct lw_rec_header h;
    uint64_t base;               /* load bias (dlpi_addr) */
    uint64_t start, end;         /* lowest and highest address of its PT_LOAD segments */
    char path[LW_WIRE_MAX_PATH]; /* empty for the main program is not allowed: use /proc/self/exe */
};

struct lw_rec_stack {
    struct lw_rec_header h;
    uint64_t id;
    uint32_t nframes;
    uint32_t reserved;
    uint64_t pcs[]; /* nframes return addresses, innermost first; the interposer's own frames
                       are already removed */
};

struct lw_rec_thread {
    struct lw_rec_header h; /* h.thread is the new thread */
    uint32_t parent_thread; /* creator's thread number; UINT32_MAX if unknown */
    uint32_t parent_epoch;  /* the creator's epoch the create ended (its records before the
                               create carry it, those after a larger one) */
    uint64_t created_stack; /* stack of the pthread_create call, 0 if unknown */
    uint64_t start_routine; /* address of the start routine */
};

/* Thread h.thread joined the thread whose pthread_t is `joined` (as its WATCH record gave it); the
 * join ended the joiner's epoch h.epoch - 1. Every record of the joined thread came before. */
struct lw_rec_join {
    struct lw_rec_header h;
    uint64_t joined;
    uint64_t stack; /* the join call, 0 if not captured */
};

/* Thread h.thread returned from pthread_barrier_wait on `barrier` (a barrier of `count` threads);
 * the wait ended its epoch h.epoch - 1, which holds everything the thread did before it arrived.
 * One record per successful wait of a barrier of two or more threads. */
struct lw_rec_barrier {
    struct lw_rec_header h;
    uint64_t barrier;
    uint64_t stack; /* the wait call, 0 if not captured */
    uint32_t count;
    uint32_t flags; /* enum lw_lock_flag: LW_LOCKF_PSHARED for a process-shared barrier */
};

/* How a pause at a steered call site (LOCKWATCH_STEER) ended: MET, the cycle's partners were all
 * at its sites at once (the thread went on with them); ALONE, the pause ran out with partners
 * missing. Sent by the paused thread, once per pause. */
enum lw_steer_outcome {
    LW_STEER_MET = 1,
    LW_STEER_ALONE = 2,
};
struct lw_rec_steer {
    struct lw_rec_header h;
    uint32_t outcome; /* enum lw_steer_outcome */
    uint32_t site;    /* index of the site in LOCKWATCH_STEER, from 0 */
};

/* A process-private semaphore: INIT (sem_init, `value` its initial value), POST (a sem_post that
 * succeeded: the thread's epochs before h.epoch came before it) or WAIT (a sem_wait that
 * returned 0: it came before the thread's epochs from h.epoch on). The runtime ends the thread's
 * epoch at a post or wait only when the thread reported a lock-order chain in its current epoch,
 * so h.epoch is the current epoch otherwise. Used for notes, never for the label. */
enum lw_sem_op {
    LW_SEM_INIT = 1,
    LW_SEM_POST = 2,
    LW_SEM_WAIT = 3,
};
struct lw_rec_sem {
    struct lw_rec_header h;
    uint64_t sem;
    uint64_t stack; /* the call, 0 if not captured */
    uint32_t op;    /* enum lw_sem_op */
    uint32_t value; /* INIT: the initial value */
};

/* Thread h.thread's wait, waitpid, wait3, wait4 or waitid returned the end (exit or signal) of
 * child `child`; the wait ended the thread's epoch h.epoch - 1. Everything the child did came
 * before. */
struct lw_rec_reap {
    struct lw_rec_header h;
    int32_t child;
    uint32_t reserved;
    uint64_t stack; /* the wait call, 0 if not captured */
};

struct lw_rec_thread_name {
    struct lw_rec_header h;
    char name[LW_WIRE_MAX_NAME];
};

struct lw_rec_thread_exit {
    struct lw_rec_header h;
    uint32_t nheld; /* locks still held; > 0 also produces a MISUSE record */
    uint32_t reserved;
};

/* A lock-order chain seen for the first time: thread h.thread attempts `lock` (stack `stack`)
 * while holding held[0..nheld) (oldest first; the most recent LW_WIRE_MAX_HELD when more are
 * held, in which case held_total > nheld and the older ones, up to LW_WIRE_MAX_HELD_EDGES in
 * all, came just before from the same thread in HELD records). Sent before the thread blocks. */
struct lw_rec_acquire {
    struct lw_rec_header h;
    struct lw_lock_ref lock;
    uint64_t stack;
    uint32_t nheld;
    uint32_t held_total;
    struct lw_held held[];
};

/* Thread h.thread took (or attempted) `lock` holding no other lock, in a chain the runtime had not
 * sent before: no lock-order edge, only a lock the program used. Sent at most once per lock
 * generation and call site while the chain cache keeps it. */
struct lw_rec_lock_seen {
    struct lw_rec_header h;
    struct lw_lock_ref lock;
};

/* Why a semaphore is a signal, not a lock, for the rest of its generation. */
enum lw_sem_signal_why {
    LW_SEM_POSTED_UNHELD = 1, /* sem_post by a thread that had not taken it (another thread's
                                 wait took it, or none did) */
    LW_SEM_RETAKEN = 2,       /* a wait by the thread that had taken it and not posted it: a
                                 post by another thread (or a value above 1) let it through */
    LW_SEM_INITIAL_VALUE = 3, /* sem_init with a value other than 1 */
};

/* Thread h.thread saw semaphore `sem` (type LW_LOCK_SEM) behave as a signal (`why`): edges into
 * and out of this generation of it are no lock order. Sent at most once per thread and generation
 * while the runtime's cache keeps it. */
struct lw_rec_sem_signal {
    struct lw_rec_header h;
    struct lw_lock_ref sem;
    uint32_t why; /* enum lw_sem_signal_why */
    uint32_t reserved;
};

/* The part of the next ACQUIRE record's held set that does not fit in it: of the thread's
 * min(held_total, LW_WIRE_MAX_HELD_EDGES) most recent held locks, the older ones beyond the
 * record's own LW_WIRE_MAX_HELD, entries first .. first + nheld - 1 of them (0 = the oldest), in
 * order. A thread sends them in increasing `first`, right before that record. */
struct lw_rec_held {
    struct lw_rec_header h;
    uint32_t first;
    uint32_t nheld; /* 1 .. LW_WIRE_MAX_HELD */
    struct lw_held held[];
};

/* Thread h.thread has been blocked acquiring `lock` for longer than the wait threshold.
 * held[] is its whole held set as in lw_rec_acquire; stack is where it blocks. */
struct lw_rec_wait {
    struct lw_rec_header h;
    struct lw_lock_ref lock;
    uint64_t stack;
    int32_t owner_tid; /* kernel tid the lock object names as owner, 0 if unknown */
    uint32_t reserved;
    uint64_t deadline_ns; /* CLOCK_MONOTONIC deadline of a timed wait, 0 if untimed */
    uint32_t nheld;
    uint32_t held_total;
    struct lw_held held[];
};

struct lw_rec_wait_end {
    struct lw_rec_header h;
    struct lw_lock_ref lock;
    int32_t result; /* the real call's return value */
    uint32_t reserved;
};

enum lw_misuse_kind {
    LW_MISUSE_DOUBLE_LOCK = 1,    /* owner re-locks a non-recursive lock */
    LW_MISUSE_UNLOCK_UNOWNED = 2, /* unlock of a lock this thread does not hold */
    LW_MISUSE_DESTROY_LOCKED = 3, /* destroy of a lock that is held */
    LW_MISUSE_EXIT_HOLDING = 4,   /* thread ended holding `lock` (one record per lock); a robust
                                     mutex carries LW_LOCKF_ROBUST: the driver waits for the end
                                     of the run, as its next owner may still recover it */
    LW_MISUSE_INVALID_LOCK = 5,   /* lock, unlock or condition wait on a lock destroyed and not
                                     initialised again; other_stack: the destroy */
    LW_MISUSE_UNINITIALISED = 6,  /* the same on a lock object that holds no valid lock and whose
                                     destroy the runtime did not see (never initialised) */
    LW_MISUSE_REINIT_HELD = 7,    /* init of a lock that is held; other_stack: the acquisition */
    LW_MISUSE_REINIT_LIVE = 8,    /* init of a lock an earlier init set up and no destroy ended;
                                     other_stack: the earlier init */
    LW_MISUSE_COND_UNOWNED = 9,   /* condition wait with a mutex (`lock`) the caller does not
                                     hold; other_stack: its holder's acquisition, if any */
    LW_MISUSE_TWO_MUTEXES = 10,   /* condition wait with `lock` while another thread waits on the
                                     same condition variable with `other_lock`; other_stack:
                                     that thread's wait */
    LW_MISUSE_CV_DESTROYED = 11,  /* sent by a waiter whose wait ran out after another thread had
                                     begun to destroy its condition variable: stack is that
                                     destroy, other_thread its thread, other_stack the wait;
                                     `lock` the wait's mutex */
    LW_MISUSE_SEM_DESTROYED = 12, /* sem_destroy of a semaphore with blocked waiters; `lock` has
                                     type 0 and the semaphore's address */
    LW_MISUSE_RECOVERED = 13,     /* not a misuse: pthread_mutex_consistent recovered the robust
                                     mutex `lock`, which voids an EXIT_HOLDING of it */
};

/* stack: the offending call. other_stack: the call it conflicts with (0 if none).
 * will_block: for DOUBLE_LOCK, the real call is about to block forever.
 * other_lock: for TWO_MUTEXES, the other waiter's mutex; all zero otherwise. */
struct lw_rec_misuse {
    struct lw_rec_header h;
    uint32_t kind; /* enum lw_misuse_kind */
    uint32_t will_block;
    struct lw_lock_ref lock;
    uint64_t stack;
    uint64_t other_stack;
    uint32_t other_thread; /* thread that holds the lock, UINT32_MAX if none/unknown */
    uint32_t reserved;
    struct lw_lock_ref other_lock;
};

enum lw_overflow_table {
    LW_OVERFLOW_CHAINS = 1,       /* chain cache evicting: repeated chains are re-sent */
    LW_OVERFLOW_STACKS = 2,       /* stack depot full: stacks are re-sent */
    LW_OVERFLOW_HELD = 3,         /* a thread holds more locks than its held stack can grow to */
    LW_OVERFLOW_THREADS = 4,      /* thread table full */
    LW_OVERFLOW_CHANNEL = 5,      /* the record channel broke and was reopened */
    LW_OVERFLOW_LOCKS = 6,        /* lock-state table full: later inits, destroys and condition
                                     waits are not checked for misuse */
    LW_OVERFLOW_GENERATIONS = 7,  /* no memory for a lock's generation counter: locks at the
                                     addresses concerned may merge with their predecessors */
    LW_OVERFLOW_HELD_EDGES = 8,   /* a thread held more than LW_WIRE_MAX_HELD_EDGES locks: edges
                                     came from the most recent ones only */
    LW_OVERFLOW_STACKS_SHORT = 9, /* a thread or signal handler had less than `limit` bytes of
                                     stack left: some stacks were not captured */
    LW_OVERFLOW_STACKS_RESTRICTED = 10, /* a thread under seccomp may not make the system calls
                                           unwinding needs: its stacks were not captured */
};

struct lw_rec_overflow {
    struct lw_rec_header h;
    uint32_t table; /* enum lw_overflow_table */
    uint32_t reserved;
    uint64_t limit;
};

/* The wait board. Each thread keeps one struct lw_wait_slot in its own memory, saying which
 * indefinite wait it is in now; the driver reads it with process_vm_readv (the program makes no
 * system call for it). A wait that lasts shows the same seq on two looks: the driver then knows
 * the thread is blocked, on what, holding which locks, without the thread doing anything more.
 * Only the owning thread writes its slot: seq is made odd, the fields written, seq made even
 * again (a reader that sees an odd seq, or a different seq after reading, looks again later).
 * Waits with a deadline are never on the board: they end by themselves. */
enum lw_wait_kind {
    LW_WAIT_NONE = 0,    /* not in an indefinite wait the runtime sees */
    LW_WAIT_LOCK = 1,    /* a lock acquisition blocked past the deadlock delay (WAIT record too) */
    LW_WAIT_JOIN = 2,    /* pthread_join, thrd_join: object = the joined thread's pthread_t, as
                            its LW_REC_WATCH record gave it */
    LW_WAIT_COND = 3,    /* untimed condition wait: object = the condition variable, lock = its
                            mutex (released during the wait, re-taken inside the call) */
    LW_WAIT_SEM = 4,     /* sem_wait: object = the semaphore */
    LW_WAIT_BARRIER = 5, /* pthread_barrier_wait: object = the barrier */
    LW_WAIT_CHILD = 6,   /* waitpid and friends without WNOHANG: object = the pid argument (as a
                            signed 64-bit value: -1 any child, 0 or < -1 a process group) */
    LW_WAIT_COND_DESTROY = 7, /* pthread_cond_destroy, cnd_destroy: glibc's destroy waits until
                                 every waiter has left; object = the condition variable */
};
#define LW_WAIT_KIND_MAX LW_WAIT_COND_DESTROY

struct lw_wait_slot {
    uint32_t seq;  /* odd while the thread rewrites the slot */
    uint32_t kind; /* enum lw_wait_kind */
    uint64_t object;
    struct lw_lock_ref lock; /* LOCK: the lock requested; COND: the mutex; else zero */
    uint64_t pc;             /* return address of the waiting call: where the program waits */
    uint64_t since_ns;       /* CLOCK_MONOTONIC_COARSE when the wait began */
    uint64_t frame;          /* the waiting wrapper's frame address (the runtime's own use) */
    uint64_t held;           /* address of the thread's held locks: nheld entries, held_stride */
    uint32_t nheld;          /* bytes apart, each starting with a struct lw_held (oldest first) */
    uint32_t held_stride;
    uint32_t object_flags; /* COND, SEM, BARRIER: LW_LOCKF_PSHARED for a process-shared object */
    uint32_t reserved;
};

/* Each thread's last LW_SIGNAL_LOG signals: pthread_cond_signal/broadcast, cnd_signal/broadcast
 * (object: the condition variable) and sem_post (object: the semaphore), in a ring next to its
 * wait slot. Entry (next - 1) % LW_SIGNAL_LOG is the newest; next counts every signal, so a
 * reader knows whether older ones were overwritten, and reads next again after the entries (a
 * change means the thread wrote meanwhile). When it is about to report a deadlock or a hang, the
 * driver reads the rings of every process of the run, to say where each condition variable or
 * semaphore a thread waits on was last signalled, and whether before the wait began. */
#define LW_SIGNAL_LOG 8u

struct lw_signal_entry {
    uint64_t object;
    uint64_t stack;   /* stack id of the signalling call, 0 if unknown */
    uint64_t time_ns; /* CLOCK_MONOTONIC_COARSE, comparable with lw_wait_slot.since_ns */
};

struct lw_signal_log {
    uint32_t next;
    uint32_t reserved;
    struct lw_signal_entry entries[LW_SIGNAL_LOG];
};

/* One per process: pending timers that may still wake a process whose threads all wait (a signal
 * handler may post a semaphore). Written by the wrappers of alarm, setitimer and timer_settime;
 * CLOCK_MONOTONIC nanoseconds, 0 = none, UINT64_MAX = a periodic timer (may fire for ever). */
struct lw_timer_board {
    uint64_t alarm_until_ns; /* alarm, ualarm, setitimer(ITIMER_REAL) */
    uint64_t timer_until_ns; /* timer_settime: latest expiry armed on a wall or monotonic clock */
};

/* Sent by each thread when it starts (or is first seen, or is the forking thread of a child):
 * where its wait slot, its signal log and its process's timer board are, and its pthread_t (what
 * a joiner's slot names). */
struct lw_rec_watch {
    struct lw_rec_header h;
    uint64_t slot;    /* address of the thread's struct lw_wait_slot */
    uint64_t signals; /* address of the thread's struct lw_signal_log */
    uint64_t timers;  /* address of the process's struct lw_timer_board */
    uint64_t handle;  /* pthread_self() */
};

/* Sent on the socket with the ring's memfd as SCM_RIGHTS ancillary data; the last record the
 * connection carries. The driver maps file_size bytes of the descriptor (ring.h gives the
 * layout). */
struct lw_rec_ring {
    struct lw_rec_header h;
    uint64_t file_size; /* LW_RING_FILE_SIZE */
};

/* Hold events (LW_REC_HOLDS), sent only when the runtime setting profile=1 is set (the driver's
 * --profile and --trace). One event per acquisition, written when the lock is released: when the
 * thread began to acquire it, when it had it, when it let it go. A thread buffers its events and
 * sends them in batches: when the buffer is full, at thread exit, at process exit and before
 * fork, so events arrive late and out of order across threads (the driver sorts by time). */
enum lw_hold_flag {
    LW_HOLDF_CONTENDED = 1u << 0,    /* the first try failed: the thread had to wait */
    LW_HOLDF_HELD_AT_EXIT = 1u << 1, /* still held when the thread or process ended: released_ns
                                        is that moment, not an unlock */
    LW_HOLDF_NO_WAIT = 1u << 2,      /* trylock, timed lock, condition-wait re-acquisition: the
                                        wait was not measured (wait_start_ns == acquired_ns) */
};

struct lw_hold {
    struct lw_lock_ref lock;
    uint64_t stack;         /* stack id of the acquisition, 0 if unknown */
    uint64_t wait_start_ns; /* CLOCK_MONOTONIC: the attempt */
    uint64_t acquired_ns;   /* the lock was held from here... */
    uint64_t released_ns;   /* ...to here */
    uint32_t flags;         /* enum lw_hold_flag */
    uint32_t reserved;
};

/* nevents (1..LW_WIRE_MAX_HOLDS) hold events of thread h.thread, oldest release first. */
struct lw_rec_holds {
    struct lw_rec_header h;
    uint32_t nevents;
    uint32_t reserved;
    struct lw_hold events[];
};

/* CPython. When the program is a CPython interpreter whose layout the runtime knows
 * (docs/internals.md, "Python frames"), each image sends one PYTHON record after its MODULE
 * records: the interpreter's version and the offsets the runtime was built with, so that the
 * driver reads a stopped thread's frames (thread dumps) the way the runtime reads its own. A
 * version the runtime cannot read gets a PYTHON record with supported 0 and nothing more. */
struct lw_py_layout {
    uint64_t runtime;   /* address of _PyRuntime */
    uint64_t code_type; /* addresses of PyCode_Type, PyUnicode_Type, PyBytes_Type */
    uint64_t unicode_type;
    uint64_t bytes_type;
    /* offsets in bytes */
    uint16_t ob_type, ob_size;                  /* PyObject, PyVarObject */
    uint16_t runtime_interp_head;               /* _PyRuntimeState.interpreters.head */
    uint16_t interp_threads_head;               /* PyInterpreterState.threads.head */
    uint16_t ts_next, ts_native_tid, ts_cframe; /* PyThreadState */
    uint16_t cframe_current;                    /* _PyCFrame.current_frame */
    uint16_t fr_code, fr_previous, fr_prev_instr, fr_is_entry, fr_owner, fr_size;
    uint16_t co_filename, co_qualname, co_firstlineno, co_linetable, co_firsttraceable, co_code;
    uint16_t bytes_data; /* PyBytesObject.ob_sval */
    uint16_t str_length, str_state, str_utf8_length, str_utf8;
    uint16_t str_ascii_data, str_compact_data; /* sizeof PyASCIIObject, PyCompactUnicodeObject */
    uint16_t reserved;
    uint32_t str_kind_shift, str_kind_mask; /* the bits of PyASCIIObject.state */
    uint32_t str_compact_bit, str_ascii_bit;
    /* where a thread's frames live (its data stack chunks), for the runtime's own reads */
    uint16_t ts_size, ts_datastack_chunk; /* sizeof PyThreadState, its datastack_chunk */
    uint16_t chunk_previous, chunk_size;  /* _PyStackChunk */
    uint16_t runtime_tstate_current;      /* _PyRuntimeState.gilstate.tstate_current */
    uint16_t reserved2[3];
};

struct lw_rec_python {
    struct lw_rec_header h;
    uint32_t version;   /* Py_Version of the interpreter (PY_VERSION_HEX layout) */
    uint32_t supported; /* 1: frames are read with `layout`; 0: this version is not supported */
    struct lw_py_layout layout;
};

enum lw_py_frame_flag {
    LW_PYF_ENTRY = 1u << 0,      /* the first frame of one C call of the evaluation loop */
    LW_PYF_INCOMPLETE = 1u << 1, /* a frame still being set up: not shown, counts for ENTRY */
    LW_PYF_NO_LINE = 1u << 2,    /* its line could not be read (line is 0) */
};

/* One Python frame. code: the code object's id (pyframe.h lw_py_code_id: its address and names),
 * named by a PYCODE record of the same image sent before the first PYSTACK naming it. */
struct lw_py_frame {
    uint64_t code;
    int32_t line;
    uint32_t flags; /* enum lw_py_frame_flag */
};

enum lw_py_stack_flag {
    LW_PYS_TRUNCATED = 1u << 0,  /* more Python frames than LW_WIRE_MAX_FRAMES: the outer ones
                                    are missing */
    LW_PYS_UNREADABLE = 1u << 1, /* the frame chain could not be read to its end */
};

/* The Python frames of stack `stack` (sent right after its STACK record), innermost first. Each
 * C frame of the evaluation loop in the stack ran the Python frames up to and including the next
 * one flagged LW_PYF_ENTRY. */
struct lw_rec_pystack {
    struct lw_rec_header h;
    uint64_t stack;
    uint32_t nframes; /* 0 .. LW_WIRE_MAX_FRAMES */
    uint32_t flags;   /* enum lw_py_stack_flag */
    struct lw_py_frame frames[];
};

#define LW_WIRE_MAX_PYFILE 1024u /* bytes of a code object's file name kept */
#define LW_WIRE_MAX_PYFUNC 256u  /* bytes of its qualified name kept */

enum lw_py_code_flag {
    LW_PYC_FILE_CUT = 1u << 0, /* the file name was longer, or could not be read whole */
    LW_PYC_FUNC_CUT = 1u << 1,
};

/* A code object's names, UTF-8 (not NUL-terminated): text[0..file_len) is co_filename,
 * text[file_len..file_len + func_len) co_qualname. */
struct lw_rec_pycode {
    struct lw_rec_header h;
    uint64_t code;
    int32_t first_line;
    uint16_t file_len; /* <= LW_WIRE_MAX_PYFILE */
    uint16_t func_len; /* <= LW_WIRE_MAX_PYFUNC */
    uint32_t flags;    /* enum lw_py_code_flag */
    uint32_t reserved;
    char text[];
};

#endif
