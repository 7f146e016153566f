/* wait.c — the real blocking call of each lock family. */
#include "wait.h"

#include "real.h"

int lwi_wait_mutex(struct lwi_thread *self, const struct lwi_acq *a, pthread_mutex_t *m)
{
    (void)self;
    (void)a;
    return REAL(pthread_mutex_lock)(m);
}

int lwi_wait_rwlock(struct lwi_thread *self, const struct lwi_acq *a, pthread_rwlock_t *rw,
                    bool write)
{
    (void)self;
    (void)a;
    return write ? REAL(pthread_rwlock_wrlock)(rw) : REAL(pthread_rwlock_rdlock)(rw);
}

int lwi_wait_spin(struct lwi_thread *self, const struct lwi_acq *a, pthread_spinlock_t *lock)
{
    (void)self;
    (void)a;
    return REAL(pthread_spin_lock)(lock);
}

int lwi_wait_mtx(struct lwi_thread *self, const struct lwi_acq *a, mtx_t *m)
{
    (void)self;
    (void)a;
    return REAL(mtx_lock)(m);
}
