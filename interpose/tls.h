/* tls.h — per-thread runtime state and the re-entry guard every wrapper goes through.
 *
 * The state lives in initial-exec TLS (the library is preloaded, so its TLS is in the static
 * block and reaching it is one %fs-relative access, with no call and no allocation).
 *
 * Wrapper protocol:
 *     struct lwi_thread *self = lwi_enter();
 *     if (!self) return REAL(f)(...);       // passive, re-entered, or thread already gone
 *     ...bookkeeping...  lwi_leave(self);   // guard off
 *     rc = REAL(f)(...);                    // the real (blocking) call runs unguarded
 *     if (lwi_reenter(self)) { ...bookkeeping...; lwi_leave(self); }
 * While the guard is set, any lock call on this thread (from dlsym, libunwind, a signal handler
 * that interrupts the bookkeeping) passes straight through. A real call that can neither block
 * nor call back into us (trylock, unlock) may run under the guard, which saves re-arming it. When
 * the driver is gone, the runtime goes passive: each thread stops tracking at the first record it
 * tries to send (LWI_GUARD_RETIRING), and threads that never send again keep only the fast path.
 *
 * errno: the fast path makes no call that can change it, so the guard does not save it (that
 * would cost two calls to __errno_location per lock call). Each slow path that can change it
 * restores it itself: lwi_channel_send, lwi_depot_capture, held-stack growth, thread start and
 * end, the fork handler and the constructor (errsave.h). */
#ifndef LWI_TLS_H
#define LWI_TLS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "held.h"
#include "lockwatch/wire.h"
#include "memo.h"
#include "python.h"

enum lwi_thread_state {
    LWI_THREAD_NEW = 0,    /* zero-initialised TLS: identity not known yet */
    LWI_THREAD_LIVE = 1,   /* number and tid assigned */
    LWI_THREAD_EXITED = 2, /* our exit handler ran: everything passes through from now on */
};

/* The guard word: the one thing a wrapper reads to decide whether to track. Only a live thread is
 * ever IDLE, so the fast path tests neither lwi_active nor the state. Leaving the guard decrements
 * it: BUSY becomes IDLE, and RETIRING (a thread whose record found the channel dead, channel.c)
 * becomes UNKNOWN, which lwi_enter_slow never adopts while the runtime is passive, so that thread
 * passes every call through from then on. */
enum lwi_guard {
    LWI_GUARD_UNKNOWN = 0,  /* zero-initialised TLS: identity not known yet, or runtime passive */
    LWI_GUARD_RETIRING = 1, /* runtime code running, and the thread stops tracking when it leaves */
    LWI_GUARD_IDLE = 2,     /* live, no runtime code running on this thread: track */
    LWI_GUARD_BUSY = 3,     /* runtime code running: any lock call it makes passes through */
    LWI_GUARD_EXITED = 4,   /* our exit handler ran: everything passes through from now on */
};
_Static_assert(LWI_GUARD_BUSY - 1 == LWI_GUARD_IDLE && LWI_GUARD_RETIRING - 1 == LWI_GUARD_UNKNOWN,
               "lwi_leave decrements the guard");

/* What a thread maps for itself when it becomes known (lwi_thread_storage), so that its TLS block,
 * which glibc carves out of the thread's stack, stays small: the memo, and the scratch of a stack
 * capture (depot.c), which would otherwise sit on the program's stack. */
struct lwi_thread_mem {
    struct lwi_memo memo;
    uint64_t capture[LW_WIRE_MAX_FRAMES + 16]; /* unw_backtrace's output, our frames included */
    struct lwi_python_scratch python;          /* the capture's Python frames (python.h) */
};

struct lwi_thread {
    /* The plain lock and unlock read guard and detour as one word (lwi_enter_plain). */
    union {
        struct {
            volatile uint32_t guard; /* enum lwi_guard */
            /* Non-zero: the plain lock and unlock take their out-of-line path (--profile, set
             * when the thread becomes known: profile.h). */
            uint32_t detour;
        };
        volatile uint64_t gate;
    };
    uint8_t state; /* enum lwi_thread_state */
    bool ours;     /* started through our pthread_create trampoline */
    /* Where this thread may not make system calls other than read, write, exit and sigreturn
     * (seccomp: restrict.h): no stack capture, no mapping, records sent with write(). */
    bool restricted;
    bool dirty;            /* reported a lock-order chain (an edge) in its current epoch */
    uint32_t number;       /* thread number in this process, 0 = main */
    uint32_t epoch;        /* creates and joins so far (wire.h lw_rec_header.epoch) */
    uint64_t chain_root;   /* lwi_chain_thread_root(number, epoch), for the fast path */
    int32_t tid;           /* kernel tid, cached */
    int32_t registry_slot; /* index in the live-thread table, -1 if not registered */
    uint64_t exit_stack;   /* stack of pthread_exit/thrd_exit while holding locks, else 0 */
    struct lwi_held_stack held;
    struct lwi_memo *memo;        /* ready-made entries for repeated acquisitions (memo.h) */
    struct lwi_thread_mem *mem;   /* the memo's mapping, NULL when none could be made */
    uintptr_t stack_lo, stack_hi; /* the thread's stack (0, 0: not known), stack_room.h */
    struct lw_wait_slot watch;    /* the indefinite wait it is in, read by the driver (watch.h) */
    struct lw_signal_log signals; /* its last signals and posts, read by the driver (watch.h) */
};

extern __thread struct lwi_thread lwi_tls __attribute__((tls_model("initial-exec")));

/* Set once the channel is connected, cleared when it dies; never set when LOCKWATCH_SOCKET is
 * absent (passive). */
extern atomic_bool lwi_active;
/* Cached getpid(), refreshed in a forked child. */
extern atomic_int lwi_pid;
/* The detour every thread gets when it becomes known (lwi_thread_storage); set once by the
 * constructor before the runtime turns active (profile.c). */
extern uint32_t lwi_detour_all;

/* Maps the thread's memo and capture scratch (lwi_thread_mem); without memory the thread runs with
 * lwi_memo_none and captures no stack. Under the guard, when the thread becomes known. */
void lwi_thread_storage(struct lwi_thread *self);
/* Unmaps them (thread end). */
void lwi_thread_storage_release(struct lwi_thread *self);

/* Sets the thread's number and what derives from it. */
void lwi_thread_set_number(struct lwi_thread *self, uint32_t number);

/* Ends the thread's epoch (a create, join, fork or barrier wait, or a semaphore post or wait
 * after an edge): later records carry the next one, and its lock-order chains are reported
 * again. Under the guard. */
void lwi_thread_next_epoch(struct lwi_thread *self);

/* Gives a thread its identity on first use (main thread = 0, others numbered lazily and
 * announced with a THREAD record). Runs under the guard. Defined with the rest of a thread's
 * life in wrap_thread.c, as is lwi_enter_slow. */
void lwi_thread_adopt(struct lwi_thread *self);

/* lwi_enter for a guard that is not IDLE: adopts a new thread of an active runtime, else NULL. */
struct lwi_thread *lwi_enter_slow(struct lwi_thread *self) __attribute__((cold, noinline));

/* lwi_enter without the slow path: arms the guard of a live, idle thread, else returns false
 * having changed nothing (fastpath.h tail-calls its own slow paths instead). */
static inline bool lwi_enter_idle(struct lwi_thread *self)
{
    uint64_t gate = self->gate;
    if (__builtin_expect((uint32_t)gate != LWI_GUARD_IDLE, 0)) return false;
    self->gate = gate + 1; /* BUSY, the detour kept (see lwi_leave) */
    atomic_signal_fence(memory_order_seq_cst);
    return true;
}

/* lwi_enter_idle for the plain lock and unlock (fastpath.h): also false when the thread has a
 * detour, with one compare of the guard and the detour together. */
static inline bool lwi_enter_plain(struct lwi_thread *self)
{
    _Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the guard is the gate's low half");
    if (__builtin_expect(self->gate != LWI_GUARD_IDLE, 0)) return false;
    self->gate = LWI_GUARD_BUSY;
    atomic_signal_fence(memory_order_seq_cst);
    return true;
}

static inline struct lwi_thread *lwi_enter(void)
{
    struct lwi_thread *self = &lwi_tls;
    if (__builtin_expect(!lwi_enter_idle(self), 0)) return lwi_enter_slow(self);
    return self;
}

/* Re-arms the guard after the real call; false if a signal handler left it set (never). */
static inline bool lwi_reenter(struct lwi_thread *self)
{
    return lwi_enter_idle(self);
}

/* BUSY -> IDLE, RETIRING -> UNKNOWN (see enum lwi_guard). A load and a store would be as safe (a
 * signal handler never changes the guard it finds BUSY or RETIRING), but this runs twice per
 * lock and unlock, and on x86 one read-modify-write instruction does it. The guard is at least 1
 * here, so the decrement never reaches the detour; it is made on the whole gate, as are the
 * entries' stores, because the next enter reads the whole gate and a load wider than the last
 * store to it waits for that store to retire (docs/internals.md, "The fast path"). */
static inline void lwi_leave(struct lwi_thread *self)
{
    atomic_signal_fence(memory_order_seq_cst);
#if defined(__x86_64__)
    __asm__ volatile("subq $1, %0" : "+m"(self->gate));
#else
    self->gate = self->gate - 1;
#endif
}

/* Called by runtime code under the guard once the channel is dead: the thread passes every call
 * through after it leaves. */
static inline void lwi_retire(struct lwi_thread *self)
{
    if (self->guard == LWI_GUARD_BUSY) self->guard = LWI_GUARD_RETIRING;
}

/* For runtime code that runs whatever the guard says (fork handler, thread creation and end,
 * process exit): sets it BUSY and returns what it was, for lwi_guard_restore. */
static inline uint32_t lwi_guard_hold(struct lwi_thread *self)
{
    uint32_t saved = self->guard;
    self->guard = LWI_GUARD_BUSY;
    atomic_signal_fence(memory_order_seq_cst);
    return saved;
}

/* Puts back what lwi_guard_hold returned, as UNKNOWN instead of IDLE if the thread retired
 * meanwhile. */
static inline void lwi_guard_restore(struct lwi_thread *self, uint32_t saved)
{
    atomic_signal_fence(memory_order_seq_cst);
    if (saved == LWI_GUARD_IDLE && self->guard == LWI_GUARD_RETIRING) saved = LWI_GUARD_UNKNOWN;
    self->guard = saved;
}

#endif
