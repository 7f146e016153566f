/* wait.h — the real blocking call of each lock family. */
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
