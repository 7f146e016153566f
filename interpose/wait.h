/* wait.h — the blocking call of each lock family, made visible when it waits long.
 *
 * "Try first, publish before blocking": the real trylock first (the uncontended path reads no
 * clock); when the lock is busy, the real timed variant with a deadline of now + the wait
 * threshold (LOCKWATCH_RUNTIME wait_ms, default 100 ms); when that times out, the thread captures
 * its stack, sends a WAIT record (lock, owner tid from the lock object, whole held set) and only
 * then calls the real blocking function, after which WAIT_END carries its result. A real
 * deadlock is thus announced by every thread in it before they block for good. Spinlocks spin on
 * trylock and look at the clock every 1024 attempts. The result is what the plain blocking call
 * would have returned. Called outside the guard, between lwi_track_attempt and
 * lwi_track_finish. */
#ifndef LWI_WAIT_H
#define LWI_WAIT_H

#include <pthread.h>
#include <stdbool.h>
#include <threads.h>

#include "track.h"

int lwi_wait_mutex(struct lwi_thread *self, const struct lwi_acq *a, pthread_mutex_t *m);
int lwi_wait_rwlock(struct lwi_thread *self, const struct lwi_acq *a, pthread_rwlock_t *rw,
                    bool write);
int lwi_wait_spin(struct lwi_thread *self, const struct lwi_acq *a, pthread_spinlock_t *lock);
int lwi_wait_mtx(struct lwi_thread *self, const struct lwi_acq *a, mtx_t *m);

#endif
