/* wait.h — the blocking call of each lock family, made visible when it waits long.
 *
 * "Try first, publish before blocking": the wrapper has already tried the real trylock (under its
 * guard, so the uncontended path reads no clock and makes no extra call). These functions run
 * only when that failed, and wait the way the real call would: through the real timed variant
 * (which spins first for an adaptive mutex, as the plain call does, and sleeps at once for the
 * other kinds, as spinning on those slows a contended normal mutex), with a deadline of now + the
 * wait threshold (LOCKWATCH_RUNTIME wait_ms, default 100 ms), read from the coarse clock (a vDSO
 * read; it lags by at most one kernel tick, a few ms, which the threshold does not need); when that
 * times out, the thread captures its stack, sends a WAIT record (lock, owner tid from the lock
 * object, whole held set) and only then calls the real blocking function, after which WAIT_END
 * carries its result. A real deadlock is thus announced by every thread in it before they block for
 * good. Spinlocks spin on trylock and look at the clock every 1024 attempts. The result is what the
 * plain blocking call would have returned. The lwi_wait_<family> functions are called outside the
 * guard, between lwi_track_attempt and lwi_track_acquired. */
#ifndef LWI_WAIT_H
#define LWI_WAIT_H

#include <pthread.h>
#include <stdbool.h>
#include <threads.h>

#include "track.h"

/* The rest of a plain blocking acquisition (mutex, mtx, rwlock rd/wr, spin: which one is read
 * from a->ref) whose attempt is made and whose real trylock under the guard returned `rc` other
 * than 0: wait, then push on success. Called under the guard, which it leaves; returns the real
 * call's result. The three entry points differ in where the acquisition comes from. This one
 * takes it whole (profile.c). */
int lwi_wait_acquire(struct lwi_thread *self, struct lwi_acq a, void *lock, int rc)
    __attribute__((cold, noinline));
/* For a plain acquisition of `lock` (its type and mode) at `pc` that no fast path took (fastpath.h,
 * acquire.c): the full attempt and the trylock are made here, the flags read from the lock. Its
 * identity is made again here rather than passed, so the wrapper's fast path keeps it in
 * registers instead of storing it to its frame. */
int lwi_wait_untried(struct lwi_thread *self, void *lock, uint8_t type, uint8_t mode, uint64_t pc)
    __attribute__((cold, noinline));
/* lwi_wait_staged, the exit of a plain lock whose real trylock failed: fastpath.h. */

/* Whether a real trylock's result means "busy", and whether it means the lock is now held, for a
 * plain acquisition (mutex, mtx, rwlock, spin: a->ref's type). Shared with profile.c. */
bool lwi_trylock_busy(const struct lw_lock_ref *ref, int rc);
bool lwi_lock_acquired(const struct lw_lock_ref *ref, int rc);

int lwi_wait_mutex(struct lwi_thread *self, const struct lwi_acq *a, pthread_mutex_t *m)
    __attribute__((cold, noinline));
int lwi_wait_rwlock(struct lwi_thread *self, const struct lwi_acq *a, pthread_rwlock_t *rw,
                    bool write) __attribute__((cold, noinline));
int lwi_wait_spin(struct lwi_thread *self, const struct lwi_acq *a, pthread_spinlock_t *lock)
    __attribute__((cold, noinline));
int lwi_wait_mtx(struct lwi_thread *self, const struct lwi_acq *a, mtx_t *m)
    __attribute__((cold, noinline));

#endif
