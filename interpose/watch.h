/* watch.h — the calling thread's wait slot and signal log (wire.h: the wait board) and its
 * process's timers.
 *
 * A wrapper of an indefinite wait calls lwi_watch_begin before the real call and lwi_watch_end
 * after it: a few stores to the thread's own memory and a read of the coarse clock (vDSO), no
 * system call. The driver reads the slot from outside the process, so a thread that stays
 * blocked needs to do nothing more to be seen. A signal or post is noted in the thread's signal
 * log (lwi_watch_signal) after it succeeded.
 * A wait that begins while the slot is taken (a signal handler waiting inside a wait) leaves it
 * alone: the slot shows the outermost wait, and lwi_watch_begin says whether it took the slot.
 * A slot left behind by a wait that never ended (jumped out of) is taken over by the next wait.
 * The held locks are described by pointer and count, as they are at the start of the wait. */
#ifndef LWI_WATCH_H
#define LWI_WATCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#include "lockwatch/wire.h"
#include "tls.h"

extern struct lw_timer_board lwi_timers;

static inline uint64_t lwi_timespec_ns(const struct timespec *ts)
{
    return (uint64_t)ts->tv_sec * 1000000000ull + (uint64_t)ts->tv_nsec;
}

static inline uint64_t lwi_timeval_ns(const struct timeval *tv)
{
    return (uint64_t)tv->tv_sec * 1000000000ull + (uint64_t)tv->tv_usec * 1000u;
}

/* CLOCK_MONOTONIC_COARSE in nanoseconds: the time of waits and signals, compared with each other
 * only (a few ms of resolution is enough to tell a signal long before a wait). */
static inline uint64_t lwi_watch_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* object_flags: LW_LOCKF_PSHARED when the condition variable, semaphore or barrier waited on is
 * process-shared (family.h). */
static inline bool lwi_watch_begin(struct lwi_thread *self, enum lw_wait_kind kind, uint64_t object,
                                   uint8_t object_flags, const struct lw_lock_ref *lock,
                                   uint64_t pc)
{
    struct lw_wait_slot *s = &self->watch;
    /* A slot in use belongs to a wait this one is nested in (a signal handler's frames lie below
     * the interrupted wait's), unless that wait was left without its end (siglongjmp out of a
     * handler, an exception thrown through the wait): then this wait's frame is not below it. */
    volatile char probe = 0;
    uint64_t frame = (uint64_t)(uintptr_t)&probe;
    if (s->kind != LW_WAIT_NONE && frame < s->frame) return false;
    s->seq++;
    atomic_thread_fence(memory_order_release);
    s->kind = kind;
    s->object = object;
    s->lock = lock ? *lock : (struct lw_lock_ref){0};
    s->pc = pc;
    s->since_ns = lwi_watch_now();
    s->frame = frame;
    s->held = (uint64_t)(uintptr_t)self->held.entries;
    s->nheld = self->held.count;
    s->held_stride = sizeof *self->held.entries;
    s->object_flags = object_flags;
    atomic_thread_fence(memory_order_release);
    s->seq++;
    return true;
}

static inline void lwi_watch_end(struct lwi_thread *self, bool took)
{
    if (!took) return;
    struct lw_wait_slot *s = &self->watch;
    s->seq++;
    atomic_thread_fence(memory_order_release);
    s->kind = LW_WAIT_NONE;
    atomic_thread_fence(memory_order_release);
    s->seq++;
}

/* An alarm armed before an exec keeps running in the new image: the timer board starts with it
 * (the constructor calls this). */
void lwi_watch_init_timers(void);

/* Notes in self's signal log that it signalled or posted `object` at `pc` (under the guard: the
 * stack comes from the site cache, site.h). */
void lwi_watch_signal(struct lwi_thread *self, uint64_t object, uint64_t pc);

/* Tells the driver where this thread's slot and the process's timers are, and the thread's
 * pthread_t (LW_REC_WATCH). */
void lwi_watch_announce(const struct lwi_thread *self);

#endif
