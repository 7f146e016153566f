/* nullpreload.c — libnullpreload.so, an LD_PRELOAD library that wraps the lock calls and the
 * indefinite waits lockwatch wraps and does nothing but forward them.
 *
 * It measures the floor any interposer pays: the extra PLT hop into a preloaded library and an
 * indirect call through a pointer resolved with dlsym(RTLD_NEXT). The benchmark reports
 * lockwatch against native *and* against this floor, so a slow result can be split into "the
 * cost of interposing at all" and "the cost of lockwatch's own bookkeeping".
 *
 * Pointers are resolved once, in a constructor. A lock call that arrives before the constructor
 * ran (another library's constructor) resolves them itself; dlsym on glibc takes only the
 * loader's internal locks, not these exported symbols, so that cannot recurse. The pointers are
 * read with relaxed atomic loads: several threads may resolve at once, but all store the same
 * value, and on x86-64 the load is a plain move. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>

#define NULL_EXPORT __attribute__((visibility("default")))

typedef int (*mutex_fn)(pthread_mutex_t *);
typedef int (*mutex_timed_fn)(pthread_mutex_t *, const struct timespec *);
typedef int (*rwlock_fn)(pthread_rwlock_t *);
typedef int (*spin_fn)(pthread_spinlock_t *);
typedef int (*cond_wait_fn)(pthread_cond_t *, pthread_mutex_t *);
typedef int (*cond_timedwait_fn)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
typedef int (*cnd_wait_fn)(cnd_t *, mtx_t *);
typedef int (*pthread_join_fn)(pthread_t, void **);
typedef int (*thrd_join_fn)(thrd_t, int *);
typedef int (*sem_wait_fn)(sem_t *);
typedef int (*sem_clockwait_fn)(sem_t *, clockid_t, const struct timespec *);
typedef int (*barrier_wait_fn)(pthread_barrier_t *);
typedef pid_t (*wait_fn)(int *);
typedef pid_t (*waitpid_fn)(pid_t, int *, int);
typedef pid_t (*wait3_fn)(int *, int, struct rusage *);
typedef pid_t (*wait4_fn)(pid_t, int *, int, struct rusage *);
typedef int (*waitid_fn)(idtype_t, id_t, siginfo_t *, int);
typedef unsigned (*alarm_fn)(unsigned);
typedef useconds_t (*ualarm_fn)(useconds_t, useconds_t);
typedef int (*setitimer_fn)(__itimer_which_t, const struct itimerval *, struct itimerval *);
typedef int (*timer_settime_fn)(timer_t, int, const struct itimerspec *, struct itimerspec *);

static struct {
    mutex_fn mutex_lock, mutex_trylock, mutex_unlock;
    mutex_timed_fn mutex_timedlock;
    rwlock_fn rwlock_rdlock, rwlock_tryrdlock, rwlock_wrlock, rwlock_trywrlock, rwlock_unlock;
    spin_fn spin_lock, spin_trylock, spin_unlock;
    cond_wait_fn cond_wait;
    cond_timedwait_fn cond_timedwait;
    cnd_wait_fn cnd_wait;
    pthread_join_fn pthread_join;
    thrd_join_fn thrd_join;
    sem_wait_fn sem_wait, sem_trywait, sem_post;
    sem_clockwait_fn sem_clockwait;
    barrier_wait_fn barrier_wait;
    wait_fn wait;
    waitpid_fn waitpid;
    wait3_fn wait3;
    wait4_fn wait4;
    waitid_fn waitid;
    alarm_fn alarm;
    ualarm_fn ualarm;
    setitimer_fn setitimer;
    timer_settime_fn timer_settime;
} real;

/* Looks one symbol up; a missing lock function means the process cannot work at all. */
static void *resolve(const char *name)
{
    void *sym = dlsym(RTLD_NEXT, name);
    if (sym == NULL) {
        fprintf(stderr, "libnullpreload: cannot resolve %s\n", name);
        abort();
    }
    return sym;
}

#define RESOLVE(field, name) __atomic_store_n(&real.field, resolve(name), __ATOMIC_RELAXED)

__attribute__((constructor(101))) static void resolve_all(void)
{
    RESOLVE(mutex_lock, "pthread_mutex_lock");
    RESOLVE(mutex_trylock, "pthread_mutex_trylock");
    RESOLVE(mutex_timedlock, "pthread_mutex_timedlock");
    RESOLVE(mutex_unlock, "pthread_mutex_unlock");
    RESOLVE(rwlock_rdlock, "pthread_rwlock_rdlock");
    RESOLVE(rwlock_tryrdlock, "pthread_rwlock_tryrdlock");
    RESOLVE(rwlock_wrlock, "pthread_rwlock_wrlock");
    RESOLVE(rwlock_trywrlock, "pthread_rwlock_trywrlock");
    RESOLVE(rwlock_unlock, "pthread_rwlock_unlock");
    RESOLVE(spin_lock, "pthread_spin_lock");
    RESOLVE(spin_trylock, "pthread_spin_trylock");
    RESOLVE(spin_unlock, "pthread_spin_unlock");
    RESOLVE(cond_wait, "pthread_cond_wait");
    RESOLVE(cond_timedwait, "pthread_cond_timedwait");
    RESOLVE(cnd_wait, "cnd_wait");
    RESOLVE(pthread_join, "pthread_join");
    RESOLVE(thrd_join, "thrd_join");
    RESOLVE(sem_wait, "sem_wait");
    RESOLVE(sem_trywait, "sem_trywait");
    RESOLVE(sem_post, "sem_post");
    RESOLVE(sem_clockwait, "sem_clockwait");
    RESOLVE(barrier_wait, "pthread_barrier_wait");
    RESOLVE(wait, "wait");
    RESOLVE(waitpid, "waitpid");
    RESOLVE(wait3, "wait3");
    RESOLVE(wait4, "wait4");
    RESOLVE(waitid, "waitid");
    RESOLVE(alarm, "alarm");
    RESOLVE(ualarm, "ualarm");
    RESOLVE(setitimer, "setitimer");
    RESOLVE(timer_settime, "timer_settime");
}

/* The pointer for one field, resolving everything first if the constructor has not run yet. */
#define REAL(field)                                                                                \
    (__builtin_expect(__atomic_load_n(&real.field, __ATOMIC_RELAXED) == NULL, 0)                   \
         ? (resolve_all(), __atomic_load_n(&real.field, __ATOMIC_RELAXED))                         \
         : __atomic_load_n(&real.field, __ATOMIC_RELAXED))

NULL_EXPORT int pthread_mutex_lock(pthread_mutex_t *m)
{
    return REAL(mutex_lock)(m);
}

NULL_EXPORT int pthread_mutex_trylock(pthread_mutex_t *m)
{
    return REAL(mutex_trylock)(m);
}

NULL_EXPORT int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *deadline)
{
    return REAL(mutex_timedlock)(m, deadline);
}

NULL_EXPORT int pthread_mutex_unlock(pthread_mutex_t *m)
{
    return REAL(mutex_unlock)(m);
}

NULL_EXPORT int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
    return REAL(rwlock_rdlock)(l);
}

NULL_EXPORT int pthread_rwlock_tryrdlock(pthread_rwlock_t *l)
{
    return REAL(rwlock_tryrdlock)(l);
}

NULL_EXPORT int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
    return REAL(rwlock_wrlock)(l);
}

NULL_EXPORT int pthread_rwlock_trywrlock(pthread_rwlock_t *l)
{
    return REAL(rwlock_trywrlock)(l);
}

NULL_EXPORT int pthread_rwlock_unlock(pthread_rwlock_t *l)
{
    return REAL(rwlock_unlock)(l);
}

NULL_EXPORT int pthread_spin_lock(pthread_spinlock_t *s)
{
    return REAL(spin_lock)(s);
}

NULL_EXPORT int pthread_spin_trylock(pthread_spinlock_t *s)
{
    return REAL(spin_trylock)(s);
}

NULL_EXPORT int pthread_spin_unlock(pthread_spinlock_t *s)
{
    return REAL(spin_unlock)(s);
}

NULL_EXPORT int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    return REAL(cond_wait)(c, m);
}

NULL_EXPORT int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
                                       const struct timespec *deadline)
{
    return REAL(cond_timedwait)(c, m, deadline);
}

NULL_EXPORT int cnd_wait(cnd_t *c, mtx_t *m)
{
    return REAL(cnd_wait)(c, m);
}

NULL_EXPORT int pthread_join(pthread_t thread, void **retval)
{
    return REAL(pthread_join)(thread, retval);
}

NULL_EXPORT int thrd_join(thrd_t thread, int *res)
{
    return REAL(thrd_join)(thread, res);
}

NULL_EXPORT int sem_wait(sem_t *sem)
{
    return REAL(sem_wait)(sem);
}

NULL_EXPORT int sem_trywait(sem_t *sem)
{
    return REAL(sem_trywait)(sem);
}

NULL_EXPORT int sem_post(sem_t *sem)
{
    return REAL(sem_post)(sem);
}

NULL_EXPORT int sem_clockwait(sem_t *sem, clockid_t clock, const struct timespec *abstime)
{
    return REAL(sem_clockwait)(sem, clock, abstime);
}

NULL_EXPORT int pthread_barrier_wait(pthread_barrier_t *barrier)
{
    return REAL(barrier_wait)(barrier);
}

NULL_EXPORT pid_t wait(int *status)
{
    return REAL(wait)(status);
}

NULL_EXPORT pid_t waitpid(pid_t pid, int *status, int options)
{
    return REAL(waitpid)(pid, status, options);
}

NULL_EXPORT pid_t wait3(int *status, int options, struct rusage *usage)
{
    return REAL(wait3)(status, options, usage);
}

NULL_EXPORT pid_t wait4(pid_t pid, int *status, int options, struct rusage *usage)
{
    return REAL(wait4)(pid, status, options, usage);
}

NULL_EXPORT int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
    return REAL(waitid)(idtype, id, info, options);
}

NULL_EXPORT unsigned alarm(unsigned seconds)
{
    return REAL(alarm)(seconds);
}

NULL_EXPORT useconds_t ualarm(useconds_t value, useconds_t interval)
{
    return REAL(ualarm)(value, interval);
}

NULL_EXPORT int setitimer(__itimer_which_t which, const struct itimerval *restrict value,
                          struct itimerval *restrict old)
{
    return REAL(setitimer)(which, value, old);
}

NULL_EXPORT int timer_settime(timer_t timer, int flags, const struct itimerspec *restrict value,
                              struct itimerspec *restrict old)
{
    return REAL(timer_settime)(timer, flags, value, old);
}
