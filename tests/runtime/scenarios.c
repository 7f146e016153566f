/* scenarios.c — small programs that exercise liblockwatch.so one behaviour at a time, for
 * check.py. `scenarios NAME` runs one; each prints "key=value" lines (lock addresses, counts)
 * that check.py compares with the records the runtime sent. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void *ba_thread(void *arg)
{
    usleep(100000); /* still alive when its creator names it */
    pthread_mutex_lock(&b);
    pthread_mutex_lock(&a);
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&b);
    return arg;
}

/* ABBA across two threads, the second named by its creator. */
static int abba(void)
{
    pthread_mutex_lock(&a);
    pthread_mutex_lock(&b);
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    pthread_t t;
    pthread_create(&t, NULL, ba_thread, NULL);
    pthread_setname_np(t, "inverter");
    pthread_join(t, NULL);
    printf("a=%p\nb=%p\n", (void *)&a, (void *)&b);
    return 0;
}

/* The same nested pair a million times, with unlocks out of order half the time. */
static int repeat(void)
{
    long long start = now_ns();
    for (int i = 0; i < 1000000; i++) {
        pthread_mutex_lock(&a);
        pthread_mutex_lock(&b);
        if (i & 1) {
            pthread_mutex_unlock(&a);
            pthread_mutex_unlock(&b);
        } else {
            pthread_mutex_unlock(&b);
            pthread_mutex_unlock(&a);
        }
    }
    printf("a=%p\nb=%p\nns=%lld\n", (void *)&a, (void *)&b, now_ns() - start);
    return 0;
}

static int recursive(void)
{
    static pthread_mutex_t r = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
    pthread_mutex_lock(&a);
    pthread_mutex_lock(&r);
    pthread_mutex_lock(&r);
    pthread_mutex_lock(&r);
    pthread_mutex_unlock(&r);
    pthread_mutex_unlock(&r);
    pthread_mutex_unlock(&r);
    pthread_mutex_unlock(&a);
    printf("r=%p\n", (void *)&r);
    return 0;
}

static pthread_barrier_t b_is_held, b_was_tried;

static void *hold_b_briefly(void *arg)
{
    pthread_mutex_lock(&b);
    pthread_barrier_wait(&b_is_held);
    pthread_barrier_wait(&b_was_tried);
    pthread_mutex_unlock(&b);
    return arg;
}

/* A successful trylock is held (announced once with TRY) and a lock taken above it reports it,
 * with TRY and its stack; a failed one leaves no trace. */
static int trylock(void)
{
    static pthread_mutex_t above = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&a);
    if (pthread_mutex_trylock(&b) != 0) return 1;
    pthread_mutex_lock(&above);
    pthread_mutex_unlock(&above);
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    pthread_t t;
    pthread_barrier_init(&b_is_held, NULL, 2);
    pthread_barrier_init(&b_was_tried, NULL, 2);
    pthread_create(&t, NULL, hold_b_briefly, NULL);
    pthread_barrier_wait(&b_is_held);
    pthread_mutex_t c = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&c);
    int rc = pthread_mutex_trylock(&b); /* busy: nothing to report */
    pthread_mutex_unlock(&c);
    pthread_barrier_wait(&b_was_tried);
    pthread_join(t, NULL);
    printf("a=%p\nb=%p\nabove=%p\nbusy=%d\n", (void *)&a, (void *)&b, (void *)&above, rc == EBUSY);
    return 0;
}

/* A lock destroyed and re-initialised at the same address is a new lock. */
static int reuse(void)
{
    pthread_mutex_t *m = malloc(sizeof *m);
    pthread_mutex_init(m, NULL);
    pthread_mutex_lock(&a);
    pthread_mutex_lock(m);
    pthread_mutex_unlock(m);
    pthread_mutex_unlock(&a);
    pthread_mutex_destroy(m);
    pthread_mutex_init(m, NULL);
    pthread_mutex_lock(&a);
    pthread_mutex_lock(m);
    pthread_mutex_unlock(m);
    pthread_mutex_unlock(&a);
    printf("m=%p\n", (void *)m);
    return 0;
}

static int fork_child(void)
{
    pthread_mutex_lock(&a);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_mutex_lock(&b); /* edge a -> b from the child */
        pthread_mutex_unlock(&b);
        pthread_mutex_unlock(&a);
        _exit(0);
    }
    pthread_mutex_unlock(&a);
    int status;
    waitpid(pid, &status, 0);
    printf("child=%d\nparent=%d\n", (int)pid, (int)getpid());
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* An error-checking mutex locked twice (EDEADLK, does not block). */
static int double_lock(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_t m;
    pthread_mutex_init(&m, &attr);
    pthread_mutex_lock(&m);
    int rc = pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
    printf("m=%p\nrc=%d\n", (void *)&m, rc);
    return rc == EDEADLK ? 0 : 1;
}

static int unlock_unowned(void)
{
    int rc = pthread_mutex_unlock(&a); /* never locked: normal mutexes return 0 */
    printf("a=%p\nrc=%d\n", (void *)&a, rc);
    return 0;
}

static int destroy_locked(void)
{
    pthread_mutex_t m;
    pthread_mutex_init(&m, NULL);
    pthread_mutex_lock(&m);
    int rc = pthread_mutex_destroy(&m); /* EBUSY: still valid */
    pthread_mutex_unlock(&m);
    int rc2 = pthread_mutex_destroy(&m);
    printf("m=%p\nrc=%d\nrc2=%d\n", (void *)&m, rc, rc2);
    return 0;
}

static void *exit_holding_thread(void *arg)
{
    pthread_mutex_lock(&a);
    pthread_exit(arg);
}

static int exit_holding(void)
{
    pthread_t t;
    pthread_create(&t, NULL, exit_holding_thread, NULL);
    pthread_join(t, NULL);
    printf("a=%p\n", (void *)&a);
    return 0;
}

static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int ready;

static void *signaller(void *arg)
{
    pthread_mutex_lock(&b);
    ready = 1;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&b);
    return arg;
}

/* The mutex is re-acquired at the end of the wait while `a` is held: a CONDWAIT edge a -> b. */
static int condwait(void)
{
    pthread_t t;
    pthread_mutex_lock(&a);
    pthread_mutex_lock(&b);
    pthread_create(&t, NULL, signaller, NULL);
    while (!ready)
        pthread_cond_wait(&cond, &b);
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    pthread_join(t, NULL);
    printf("a=%p\nb=%p\n", (void *)&a, (void *)&b);
    return 0;
}

static int rwlock(void)
{
    static pthread_rwlock_t rw = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
    pthread_mutex_lock(&a);
    pthread_rwlock_rdlock(&rw);
    pthread_rwlock_rdlock(&rw); /* reader re-entry: count only */
    pthread_rwlock_unlock(&rw);
    pthread_rwlock_unlock(&rw);
    pthread_rwlock_wrlock(&rw);
    pthread_rwlock_unlock(&rw);
    pthread_mutex_unlock(&a);
    printf("rw=%p\n", (void *)&rw);
    return 0;
}

static int c11(void)
{
    mtx_t m1, m2;
    mtx_init(&m1, mtx_plain);
    mtx_init(&m2, mtx_recursive);
    mtx_lock(&m1);
    mtx_lock(&m2);
    mtx_lock(&m2);
    mtx_unlock(&m2);
    mtx_unlock(&m2);
    mtx_unlock(&m1);
    mtx_destroy(&m2);
    mtx_destroy(&m1);
    printf("m1=%p\nm2=%p\n", (void *)&m1, (void *)&m2);
    return 0;
}

static int spin(void)
{
    pthread_spinlock_t s1, s2;
    pthread_spin_init(&s1, 0);
    pthread_spin_init(&s2, 0);
    pthread_spin_lock(&s1);
    pthread_spin_lock(&s2);
    pthread_spin_unlock(&s2);
    pthread_spin_unlock(&s1);
    printf("s1=%p\ns2=%p\n", (void *)&s1, (void *)&s2);
    return 0;
}

/* Many threads each taking a fresh pair: thread numbers, THREAD and THREAD_EXIT records. */
static void *pair_thread(void *arg)
{
    pthread_mutex_lock(&a);
    pthread_mutex_lock(&b);
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    return arg;
}

static int threads(void)
{
    pthread_t t[16];
    for (int i = 0; i < 16; i++)
        pthread_create(&t[i], NULL, pair_thread, NULL);
    for (int i = 0; i < 16; i++)
        pthread_join(t[i], NULL);
    puts("threads=16");
    return 0;
}

/* Two threads fighting over one mutex: the contended path. */
static void *contend(void *arg)
{
    long n = (long)arg;
    for (long i = 0; i < n; i++) {
        pthread_mutex_lock(&a);
        pthread_mutex_unlock(&a);
    }
    return NULL;
}

static int contended(void)
{
    long n = 2000000;
    long long start = now_ns();
    pthread_t t;
    pthread_create(&t, NULL, contend, (void *)n);
    contend((void *)n);
    pthread_join(t, NULL);
    printf("ns=%lld\n", now_ns() - start);
    return 0;
}

/* Holds `a` for 400 ms while the main thread blocks on it: a WAIT and a WAIT_END. */
static pthread_barrier_t a_is_held;

static void *hold_a_long(void *arg)
{
    pthread_mutex_lock(&a);
    pthread_barrier_wait(&a_is_held);
    usleep(400000);
    pthread_mutex_unlock(&a);
    return arg;
}

static int long_wait(void)
{
    pthread_t t;
    pthread_barrier_init(&a_is_held, NULL, 2);
    pthread_create(&t, NULL, hold_a_long, NULL);
    pthread_barrier_wait(&a_is_held);
    pthread_mutex_lock(&b);
    pthread_mutex_lock(&a);
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&b);
    pthread_join(t, NULL);
    printf("a=%p\nb=%p\n", (void *)&a, (void *)&b);
    return 0;
}

static pthread_mutex_t normal = PTHREAD_MUTEX_INITIALIZER;

static void *unlock_later(void *arg)
{
    usleep(300000);
    pthread_mutex_unlock(&normal); /* not the owner: undefined by POSIX, works on glibc */
    return arg;
}

/* A normal mutex re-locked by its owner blocks; here another thread releases it after 300 ms,
 * so the run ends: DOUBLE_LOCK (will_block), WAIT naming ourselves as owner, WAIT_END. */
static int relock_normal(void)
{
    pthread_t t;
    pthread_mutex_lock(&normal);
    pthread_create(&t, NULL, unlock_later, NULL);
    pthread_mutex_lock(&normal);
    pthread_mutex_unlock(&normal);
    pthread_join(t, NULL);
    printf("m=%p\n", (void *)&normal);
    return 0;
}

static pthread_barrier_t both_hold_one;

static void *deadlock_ba(void *arg)
{
    pthread_mutex_lock(&b);
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&a);
    return arg;
}

/* A real ABBA deadlock: never ends by itself (the checker kills it). */
static int deadlock(void)
{
    pthread_t t;
    printf("a=%p\nb=%p\n", (void *)&a, (void *)&b);
    fflush(stdout);
    pthread_barrier_init(&both_hold_one, NULL, 2);
    pthread_create(&t, NULL, deadlock_ba, NULL);
    pthread_mutex_lock(&a);
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&b);
    pthread_join(t, NULL);
    return 0;
}

/* Every lock through one helper: all acquisitions share the helper's pc, only the frames above
 * it tell them apart. */
__attribute__((noinline)) static void helper_lock(pthread_mutex_t *m)
{
    pthread_mutex_lock(m);
}

static int helper(void)
{
    helper_lock(&a);
    helper_lock(&b);
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    helper_lock(&b);
    helper_lock(&a);
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&b);
    printf("a=%p\nb=%p\n", (void *)&a, (void *)&b);
    return 0;
}

/* The same nested pair taken at the same call sites by two threads in turn: each thread reports
 * the chain once (a cycle first seen in one thread must still be seen in the other). */
__attribute__((noinline)) static void take_pair(void)
{
    pthread_mutex_lock(&a);
    pthread_mutex_lock(&b);
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
}

static void *take_pair_twice(void *arg)
{
    take_pair();
    take_pair();
    return arg;
}

static int per_thread(void)
{
    take_pair_twice(NULL);
    pthread_t t;
    pthread_create(&t, NULL, take_pair_twice, NULL);
    pthread_join(t, NULL);
    printf("a=%p\nb=%p\n", (void *)&a, (void *)&b);
    return 0;
}

static mtx_t c11_outer, c11_inner;
static cnd_t c11_cond;
static int c11_ready;

static int c11_signaller(void *arg)
{
    mtx_lock(&c11_inner);
    c11_ready = 1;
    cnd_signal(&c11_cond);
    mtx_unlock(&c11_inner);
    return arg != NULL;
}

/* C11 condition waits: the mtx leaves the held stack for the wait and its re-acquisition while
 * `outer` is held is a CONDWAIT edge outer -> inner; a timed wait that times out re-acquires too.
 */
static int c11_condwait(void)
{
    mtx_init(&c11_outer, mtx_plain);
    mtx_init(&c11_inner, mtx_plain);
    cnd_init(&c11_cond);
    thrd_t t;
    mtx_lock(&c11_outer);
    mtx_lock(&c11_inner);
    thrd_create(&t, c11_signaller, NULL);
    while (!c11_ready)
        cnd_wait(&c11_cond, &c11_inner);
    struct timespec soon;
    timespec_get(&soon, TIME_UTC);
    soon.tv_nsec += 1000000;
    if (soon.tv_nsec >= 1000000000) {
        soon.tv_sec++;
        soon.tv_nsec -= 1000000000;
    }
    int rc = cnd_timedwait(&c11_cond, &c11_inner, &soon);
    mtx_unlock(&c11_inner);
    mtx_unlock(&c11_outer);
    thrd_join(t, NULL);
    printf("outer=%p\ninner=%p\ntimedout=%d\n", (void *)&c11_outer, (void *)&c11_inner,
           rc == thrd_timedout);
    return 0;
}

static sem_t sem_lock, sem_signal;

static void *post_three(void *arg)
{
    for (int i = 0; i < 3; i++)
        sem_post(&sem_signal);
    return arg;
}

/* A semaphore used as a lock (taken and posted by the same thread, 1000 times, around a mutex)
 * and one used as a signal (posted three times by a thread, waited on three times by main):
 * only the signal's posts and waits send SEM records; results and errno are the program's. */
static int sem_records(void)
{
    int ok = sem_init(&sem_lock, 0, 1) == 0 && sem_init(&sem_signal, 0, 0) == 0;
    for (int i = 0; i < 1000; i++) {
        errno = 1234;
        ok &= (i % 2 ? sem_trywait(&sem_lock) : sem_wait(&sem_lock)) == 0 && errno == 1234;
        pthread_mutex_lock(&a);
        pthread_mutex_unlock(&a);
        ok &= sem_post(&sem_lock) == 0 && errno == 1234;
    }
    pthread_t t;
    pthread_create(&t, NULL, post_three, NULL);
    for (int i = 0; i < 3; i++) {
        errno = 4321;
        ok &= sem_wait(&sem_signal) == 0 && errno == 4321;
    }
    pthread_join(t, NULL);
    errno = 0;
    ok &= sem_trywait(&sem_signal) == -1 && errno == EAGAIN;
    printf("lock=%p\nsignal=%p\nok=%d\n", (void *)&sem_lock, (void *)&sem_signal, ok);
    return 0;
}

static const struct {
    const char *name;
    int (*run)(void);
} lwi_scenarios[] = {
    {"abba", abba},
    {"repeat", repeat},
    {"recursive", recursive},
    {"trylock", trylock},
    {"reuse", reuse},
    {"fork", fork_child},
    {"double_lock", double_lock},
    {"unlock_unowned", unlock_unowned},
    {"destroy_locked", destroy_locked},
    {"exit_holding", exit_holding},
    {"condwait", condwait},
    {"rwlock", rwlock},
    {"c11", c11},
    {"spin", spin},
    {"threads", threads},
    {"contended", contended},
    {"long_wait", long_wait},
    {"relock_normal", relock_normal},
    {"deadlock", deadlock},
    {"helper", helper},
    {"per_thread", per_thread},
    {"c11_condwait", c11_condwait},
    {"sem_records", sem_records},
};

int main(int argc, char **argv)
{
    for (size_t i = 0; argc > 1 && i < sizeof lwi_scenarios / sizeof lwi_scenarios[0]; i++)
        if (!strcmp(argv[1], lwi_scenarios[i].name)) {
            int rc = lwi_scenarios[i].run();
            fflush(stdout);
            return rc;
        }
    fprintf(stderr, "usage: scenarios NAME\n");
    return 2;
}
