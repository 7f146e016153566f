/* lockstate.h — what the runtime remembers about a lock or condition variable between calls:
 * the init or destroy call that last set it up or ended it (invalid-lock, reinit-live), a hold
 * that another thread's unlock ended (exit-holding-lock), a condition variable's current waiters
 * and their mutex (cond-misuse).
 *
 * Only slow paths use it: init and destroy wrappers, condition waits, unlocks of locks not on the
 * held stack, real calls that failed, new chains. The lock/unlock fast path never touches it.
 * A fixed table of LWI_LOCKSTATE_SLOTS entries mapped at start (pages touched when used), open
 * addressing by address (a local run, then a spill run: lwi_lockstate_local_home), lock-free: an
 * entry is claimed with a compare-and-swap of its key and
 * never given back, only rewritten (a reused address takes over its entry). Fields are relaxed
 * atomics read racily: the checks tolerate a stale read, as they tolerate the races of the program
 * they watch. When no slot is free within the probe limit, one OVERFLOW record
 * (LW_OVERFLOW_LOCKS) says so and that object goes unchecked. */
#ifndef LWI_LOCKSTATE_H
#define LWI_LOCKSTATE_H

#include <stdatomic.h>
#include <stdint.h>

#include "hash.h"

#define LWI_LOCKSTATE_LOG2 18u
#define LWI_LOCKSTATE_SLOTS (1u << LWI_LOCKSTATE_LOG2)

/* What an entry describes: a lock (any family) or a condition variable (pthread or C11). */
enum lwi_ls_kind { LWI_LS_LOCK = 0, LWI_LS_COND = 1 };

/* A lock's life as its init and destroy calls told it. */
enum lwi_ls_life {
    LWI_LS_UNKNOWN = 0,     /* nothing to say (static initialiser, or memory reused) */
    LWI_LS_INITIALISED = 1, /* an init call set it up, no destroy since (static storage only) */
    LWI_LS_DESTROYED = 2,   /* a destroy call ended it, no init since */
};

struct lwi_lockstate {
    _Atomic uint64_t key; /* address | kind; 0: free */
    /* locks: life; condition variables: unused */
    _Atomic uint32_t life;
    /* the init/destroy that set `life` (locks), the last destroy made under waiters (conds) */
    _Atomic uint32_t thread;
    _Atomic uint64_t stack;
    /* locks: objects unloaded so far when `life` was set (storage.h) */
    _Atomic uint64_t unloads;
    /* locks: the process that set `life` (a child inherits its parent's entries) */
    _Atomic int32_t pid;
    /* locks: kernel tid of a thread whose hold another thread's unlock ended, 0 if none */
    _Atomic int32_t released_tid;
    /* condition variables: threads inside a wait, their mutex (its family in mutex_type), the
     * stack and thread of the wait that set it, destroys seen while waiters were inside */
    _Atomic uint32_t waiters;
    _Atomic uint64_t mutex;
    _Atomic uint64_t wait_stack;
    _Atomic uint32_t wait_thread;
    _Atomic uint32_t destroys;
    _Atomic uint32_t mutex_type;
    /* condition variables: when the last destroy under waiters began, on the two clocks a
     * timed wait's deadline can be on (nanoseconds) */
    _Atomic uint64_t destroy_realtime_ns;
    _Atomic uint64_t destroy_monotonic_ns;
};

/* Locks and condition variables are at least 4-byte aligned: the kind fits in the low bits. */
static inline uint64_t lwi_lockstate_key(uint64_t addr, enum lwi_ls_kind kind)
{
    return addr | (uint64_t)kind;
}

/* An object's first run of slots: a random start for its 4 KiB window (and kind), plus its
 * 16-byte unit within the window, so that an array of locks set up together touches a few pages
 * of the table (about 6 per 4 KiB of 40-byte mutexes) instead of one page per lock. Objects
 * denser than one per 16 bytes (spinlocks) can fill a run: they go on to the spill run, a random
 * start like any hash table's, probed in steps that leave a full run. */
static inline uint64_t lwi_lockstate_local_home(uint64_t key)
{
    return lwi_mix64(key >> 12 << 1 | (key & 1)) + (key >> 4 & 255);
}

static inline uint64_t lwi_lockstate_spill_home(uint64_t key)
{
    return lwi_mix64(key);
}

/* Maps the table; 0 or -1. */
int lwi_lockstate_init(void);

/* The entry of the object at `addr`, or NULL when it has none. */
struct lwi_lockstate *lwi_lockstate_find(uint64_t addr, enum lwi_ls_kind kind);

/* The entry of the object at `addr`, claimed if it has none; NULL when the table is full (its
 * degraded flag is raised: degraded.h). Under the guard. */
struct lwi_lockstate *lwi_lockstate_get(uint64_t addr, enum lwi_ls_kind kind);

#endif
