/* waits.c — deadlocks through waits other than a lock, and their legitimate look-alikes. Each
 * mode (argv[1]) is one program; the broken ones never end by themselves, so lockwatch must find
 * the deadlock, say what every thread waits for, and end the run. The others must end cleanly
 * and silently. Threads first meet (a short sleep, or a flag) so every run takes the same path. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static sem_t ready_sem;
static pthread_barrier_t phase_barrier;
static pthread_rwlock_t table_lock;
static bool ready;

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static pthread_t start(void *(*fn)(void *), void *arg)
{
    pthread_t t;
    if (pthread_create(&t, NULL, fn, arg) != 0) exit(2);
    return t;
}

/* --- main holds a lock and joins a worker that needs it --- */
static void *needs_config(void *arg)
{
    pthread_mutex_lock(&config_lock); /* @wait:worker-lock */
    pthread_mutex_unlock(&config_lock);
    return arg;
}

static int join_holding(void)
{
    pthread_mutex_lock(&config_lock); /* @wait:main-takes */
    pthread_t t = start(needs_config, NULL);
    pthread_join(t, NULL); /* @wait:main-joins */
    pthread_mutex_unlock(&config_lock);
    return 0;
}

/* --- a thread keeps a lock while it waits on a condition only a thread needing it signals --- */
static void *cond_waiter(void *arg)
{
    pthread_mutex_lock(&config_lock); /* @wait:cw-config */
    pthread_mutex_lock(&queue_lock);
    while (!ready)
        pthread_cond_wait(&ready_cv, &queue_lock); /* @wait:cw-waits */
    pthread_mutex_unlock(&queue_lock);
    pthread_mutex_unlock(&config_lock);
    return arg;
}

static void *cond_signaller(void *arg)
{
    pause_ms(50);
    pthread_mutex_lock(&config_lock); /* @wait:cs-config */
    pthread_mutex_lock(&queue_lock);
    ready = true;
    pthread_cond_signal(&ready_cv);
    pthread_mutex_unlock(&queue_lock);
    pthread_mutex_unlock(&config_lock);
    return arg;
}

static int cond_holding(void)
{
    pthread_t a = start(cond_waiter, NULL), b = start(cond_signaller, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    return 0;
}

/* --- the deadlock closes through the condition wait's re-acquisition of its mutex --- */
static void *reacquire_waiter(void *arg)
{
    pthread_mutex_lock(&config_lock); /* @wait:rw-config */
    pthread_mutex_lock(&queue_lock);  /* @wait:rw-queue */
    while (!ready)
        pthread_cond_wait(&ready_cv, &queue_lock); /* @wait:rw-waits */
    pthread_mutex_unlock(&queue_lock);
    pthread_mutex_unlock(&config_lock);
    return arg;
}

static void *reacquire_signaller(void *arg)
{
    pause_ms(50);
    pthread_mutex_lock(&queue_lock); /* @wait:rs-queue */
    ready = true;
    pthread_cond_signal(&ready_cv);
    pthread_mutex_lock(&config_lock); /* @wait:rs-config */
    pthread_mutex_unlock(&config_lock);
    pthread_mutex_unlock(&queue_lock);
    return arg;
}

static int cond_reacquire(void)
{
    pthread_t a = start(reacquire_waiter, NULL), b = start(reacquire_signaller, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    return 0;
}

/* --- the same with a semaphore, and with a barrier --- */
static void *sem_waiter(void *arg)
{
    pthread_mutex_lock(&config_lock); /* @wait:sw-config */
    sem_wait(&ready_sem);             /* @wait:sw-waits */
    pthread_mutex_unlock(&config_lock);
    return arg;
}

static void *sem_poster(void *arg)
{
    pause_ms(50);
    pthread_mutex_lock(&config_lock); /* @wait:sp-config */
    sem_post(&ready_sem);
    pthread_mutex_unlock(&config_lock);
    return arg;
}

static int sem_holding(void)
{
    sem_init(&ready_sem, 0, 0);
    pthread_t a = start(sem_waiter, NULL), b = start(sem_poster, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    return 0;
}

static void *barrier_first(void *arg)
{
    pthread_mutex_lock(&config_lock);     /* @wait:bf-config */
    pthread_barrier_wait(&phase_barrier); /* @wait:bf-waits */
    pthread_mutex_unlock(&config_lock);
    return arg;
}

static void *barrier_second(void *arg)
{
    pause_ms(50);
    pthread_mutex_lock(&config_lock); /* @wait:bs-config */
    pthread_mutex_unlock(&config_lock);
    pthread_barrier_wait(&phase_barrier);
    return arg;
}

static int barrier_holding(void)
{
    pthread_barrier_init(&phase_barrier, NULL, 2);
    pthread_t a = start(barrier_first, NULL), b = start(barrier_second, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    return 0;
}

/* --- producer/consumer whose producer forgets the end-of-work sentinel --- */
static int queued, done_flag;

static void *consumer(void *arg)
{
    for (;;) {
        pthread_mutex_lock(&queue_lock);
        while (queued == 0 && !done_flag)
            pthread_cond_wait(&not_empty, &queue_lock); /* @wait:consumer-waits */
        if (queued == 0 && done_flag) {
            pthread_mutex_unlock(&queue_lock);
            return arg;
        }
        queued--;
        pthread_mutex_unlock(&queue_lock);
    }
}

static int sentinel(bool send_it)
{
    pthread_t c[2] = {start(consumer, NULL), start(consumer, NULL)};
    for (int i = 0; i < 100; i++) {
        pthread_mutex_lock(&queue_lock);
        queued++;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&queue_lock);
    }
    if (send_it) {
        pthread_mutex_lock(&queue_lock);
        done_flag = 1;
        pthread_cond_broadcast(&not_empty);
        pthread_mutex_unlock(&queue_lock);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(c[i], NULL); /* @wait:sentinel-join */
    puts("all consumed");
    return 0;
}

/* --- a lost wake-up: the signal comes before the wait, which has no predicate --- */
static void *late_waiter(void *arg)
{
    pause_ms(100);
    pthread_mutex_lock(&queue_lock);
    pthread_cond_wait(&ready_cv, &queue_lock); /* @wait:lost-waits */
    pthread_mutex_unlock(&queue_lock);
    return arg;
}

static int lost_wakeup(void)
{
    pthread_t t = start(late_waiter, NULL);
    pthread_mutex_lock(&queue_lock);
    pthread_cond_signal(&ready_cv);
    pthread_mutex_unlock(&queue_lock);
    pthread_join(t, NULL); /* @wait:lost-join */
    return 0;
}

/* --- a thread ends holding a lock another then waits for --- */
static void *takes_and_ends(void *arg)
{
    pthread_mutex_lock(&config_lock); /* @wait:ends-holding */
    return arg;
}

static int exit_holding(void)
{
    pthread_t t = start(takes_and_ends, NULL);
    pthread_join(t, NULL);
    pthread_mutex_lock(&config_lock); /* @wait:after-exit-lock */
    return 0;
}

static void *waits_for_main(void *arg)
{
    pause_ms(100);
    pthread_mutex_lock(&config_lock); /* @wait:orphan-lock */
    pthread_mutex_unlock(&config_lock);
    return arg;
}

static int main_exit_holding(void)
{
    pthread_mutex_lock(&config_lock); /* @wait:main-exit-takes */
    start(waits_for_main, NULL);
    pthread_exit(NULL);
}

/* --- a recursive read lock on a writer-preferring rwlock while a writer is queued --- */
static void *writer(void *arg)
{
    pause_ms(50);
    pthread_rwlock_wrlock(&table_lock); /* @wait:writer-queued */
    pthread_rwlock_unlock(&table_lock);
    return arg;
}

static int reader_reenters(void)
{
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&table_lock, &attr);
    pthread_rwlock_rdlock(&table_lock); /* @wait:reader-first */
    pthread_t t = start(writer, NULL);
    pause_ms(200);
    pthread_rwlock_rdlock(&table_lock); /* @wait:reader-again */
    pthread_rwlock_unlock(&table_lock);
    pthread_rwlock_unlock(&table_lock);
    pthread_join(t, NULL);
    return 0;
}

/* --- legitimate: nothing here may be reported --- */

/* A timed polling wait that a thread ends after a while. */
static void *sets_ready_late(void *arg)
{
    pause_ms(400);
    pthread_mutex_lock(&queue_lock);
    ready = true;
    pthread_mutex_unlock(&queue_lock);
    return arg;
}

static int timed_polling(void)
{
    pthread_t t = start(sets_ready_late, NULL);
    pthread_mutex_lock(&queue_lock);
    while (!ready) {
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_nsec += 50 * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&ready_cv, &queue_lock, &deadline);
    }
    pthread_mutex_unlock(&queue_lock);
    pthread_join(t, NULL);
    puts("ready seen");
    return 0;
}

/* A lock holder that sleeps, then releases; the others wait for it meanwhile. */
static void *sleeps_holding(void *arg)
{
    pthread_mutex_lock(&config_lock);
    pause_ms(500);
    pthread_mutex_unlock(&config_lock);
    return arg;
}

static int sleeping_holder(void)
{
    pthread_t t = start(sleeps_holding, NULL);
    pause_ms(50);
    pthread_mutex_lock(&config_lock);
    pthread_mutex_unlock(&config_lock);
    pthread_join(t, NULL);
    puts("released");
    return 0;
}

/* The only thread waits on a semaphore that a SIGALRM handler posts. */
static void on_alarm(int sig)
{
    (void)sig;
    sem_post(&ready_sem);
}

static int alarm_post(void)
{
    sem_init(&ready_sem, 0, 0);
    signal(SIGALRM, on_alarm);
    alarm(1);
    while (sem_wait(&ready_sem) != 0 && errno == EINTR) {
    }
    puts("woken by the alarm");
    return 0;
}

/* A process-shared semaphore that a child process posts while the parent's only thread waits. */
static int child_post(void)
{
    sem_t *shared =
        mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED || sem_init(shared, 1, 0) != 0) return 2;
    pid_t child = fork();
    if (child < 0) return 2;
    if (child == 0) {
        pause_ms(500);
        sem_post(shared);
        _exit(0);
    }
    while (sem_wait(shared) != 0 && errno == EINTR) {
    }
    waitpid(child, NULL, 0);
    puts("posted by the child");
    return 0;
}

/* The classic shutdown idiom: main waits on a semaphore that a signal handler posts, the
 * workers wait for work on a condition variable. The signal comes from a process outside the run
 * (double-forked, without the run's environment), so until it comes every thread of the run
 * waits: the handler may still post the semaphore, so this is not stuck. */
static sem_t quit;

static void on_quit(int sig)
{
    (void)sig;
    sem_post(&quit);
}

static void *idle_worker(void *arg)
{
    pthread_mutex_lock(&queue_lock);
    while (!done_flag)
        pthread_cond_wait(&not_empty, &queue_lock);
    pthread_mutex_unlock(&queue_lock);
    return arg;
}

static int signal_quit(void)
{
    sem_init(&quit, 0, 0);
    signal(SIGUSR1, on_quit);
    pthread_t worker = start(idle_worker, NULL);
    char command[64];
    snprintf(command, sizeof command, "sleep 1; kill -USR1 %d", (int)getpid());
    pid_t child = fork();
    if (child < 0) return 2;
    if (child == 0) {
        if (fork() == 0) {
            char *const argv[] = {"sh", "-c", command, NULL}, *const env[] = {NULL};
            execve("/bin/sh", argv, env);
            _exit(127);
        }
        _exit(0);
    }
    waitpid(child, NULL, 0);
    while (sem_wait(&quit) != 0 && errno == EINTR) {
    }
    pthread_mutex_lock(&queue_lock);
    done_flag = 1;
    pthread_cond_broadcast(&not_empty);
    pthread_mutex_unlock(&queue_lock);
    pthread_join(worker, NULL);
    puts("quit by signal");
    return 0;
}

/* An alarm set before an exec keeps running in the new image, whose only thread then waits for
 * good: the alarm ends it (SIGALRM's default action), not lockwatch. */
static int alarm_exec(const char *self)
{
    alarm(1);
    execl(self, self, "alarm-exec-wait", (char *)NULL);
    return 2;
}

static int alarm_exec_wait(void)
{
    sem_init(&ready_sem, 0, 0);
    sem_wait(&ready_sem);
    return 0;
}

/* main ends with pthread_exit while it holds a lock that its cleanup handler unlocks: a worker
 * waiting for the lock gets it. */
static void unlock_config(void *arg)
{
    (void)arg;
    pthread_mutex_unlock(&config_lock);
}

static void *late_locker(void *arg)
{
    pause_ms(200);
    pthread_mutex_lock(&config_lock);
    puts("worker got the lock");
    pthread_mutex_unlock(&config_lock);
    return arg;
}

static int main_exit_cleanup(void)
{
    pthread_mutex_lock(&config_lock);
    start(late_locker, NULL);
    pthread_cleanup_push(unlock_config, NULL);
    pthread_exit(NULL);
    pthread_cleanup_pop(0);
}

/* main destroys a condition variable a worker still waits on, unwoken: glibc's destroy waits
 * for the waiter to leave, and nobody will wake it. */
static pthread_cond_t doomed_cv = PTHREAD_COND_INITIALIZER;

static void *doomed_waiter(void *arg)
{
    pthread_mutex_lock(&queue_lock);
    while (!ready)
        pthread_cond_wait(&doomed_cv, &queue_lock); /* @wait:doomed-waits */
    pthread_mutex_unlock(&queue_lock);
    return arg;
}

static int destroy_waited(void)
{
    start(doomed_waiter, NULL);
    pause_ms(100);
    pthread_cond_destroy(&doomed_cv); /* @wait:destroys */
    return 0;
}

/* A worker ends holding a mutex inside a large object that main has freed meanwhile (free
 * unmaps it): the thread's exit must not touch the lock's memory. */
struct big_object {
    pthread_mutex_t lock;
    char payload[1 << 20]; /* above malloc's mmap threshold: free() unmaps it */
};
static struct big_object *big;

static void *holds_in_freed(void *arg)
{
    pthread_mutex_lock(&big->lock); /* @wait:freed-lock */
    pthread_barrier_wait(&phase_barrier);
    pthread_barrier_wait(&phase_barrier); /* main frees the object meanwhile */
    return arg;
}

static int exit_freed(void)
{
    big = malloc(sizeof *big);
    if (!big || pthread_mutex_init(&big->lock, NULL) != 0) return 2;
    pthread_barrier_init(&phase_barrier, NULL, 2);
    pthread_t t = start(holds_in_freed, NULL);
    pthread_barrier_wait(&phase_barrier);
    free(big);
    pthread_barrier_wait(&phase_barrier);
    pthread_join(t, NULL);
    puts("worker ended");
    return 0;
}

/* The only thread waits on a named (so process-shared) semaphore that a process outside the run
 * posts a second later: this program again, started double-forked with an empty environment (no
 * runtime, no link to the run). Nothing in the run can post it, but something outside may. */
static int named_sem(const char *self)
{
    char name[64];
    snprintf(name, sizeof name, "/lockwatch-waits-%d", (int)getpid());
    sem_t *named = sem_open(name, O_CREAT | O_EXCL, 0600, 0);
    if (named == SEM_FAILED) return 2;
    pid_t child = fork();
    if (child < 0) return 2;
    if (child == 0) {
        if (fork() == 0) {
            char *const argv[] = {(char *)self, "named-sem-post", name, NULL}, *const env[] = {
                                                                                   NULL};
            execve(self, argv, env);
            _exit(127);
        }
        _exit(0);
    }
    waitpid(child, NULL, 0);
    while (sem_wait(named) != 0 && errno == EINTR) {
    }
    sem_close(named);
    sem_unlink(name);
    puts("posted from outside the run");
    return 0;
}

static int named_sem_post(const char *name)
{
    pause_ms(1000);
    sem_t *named = sem_open(name, 0);
    if (named == SEM_FAILED) return 2;
    sem_post(named);
    sem_close(named);
    return 0;
}

/* The forgotten sentinel in a forked child, while the parent waits for the child: the parent is
 * part of the stuck run. */
static int forked_sentinel(void)
{
    pid_t child = fork();
    if (child < 0) return 2;
    if (child == 0) _exit(sentinel(false));
    int status;
    waitpid(child, &status, 0); /* @wait:parent-waits */
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    static const struct {
        const char *name;
        int (*run)(void);
    } modes[] = {
        {"join-holding", join_holding},       {"cond-holding", cond_holding},
        {"cond-reacquire", cond_reacquire},   {"sem-holding", sem_holding},
        {"barrier-holding", barrier_holding}, {"lost-wakeup", lost_wakeup},
        {"exit-holding", exit_holding},       {"main-exit-holding", main_exit_holding},
        {"reader-reenters", reader_reenters}, {"timed-polling", timed_polling},
        {"sleeping-holder", sleeping_holder}, {"alarm-post", alarm_post},
        {"child-post", child_post},
    };
    if (strcmp(mode, "sentinel") == 0) return sentinel(false);
    if (strcmp(mode, "sentinel-fixed") == 0) return sentinel(true);
    if (strcmp(mode, "forked-sentinel") == 0) return forked_sentinel();
    if (strcmp(mode, "signal-quit") == 0) return signal_quit();
    if (strcmp(mode, "alarm-exec") == 0) return alarm_exec(argv[0]);
    if (strcmp(mode, "alarm-exec-wait") == 0) return alarm_exec_wait();
    if (strcmp(mode, "main-exit-cleanup") == 0) return main_exit_cleanup();
    if (strcmp(mode, "destroy-waited") == 0) return destroy_waited();
    if (strcmp(mode, "exit-freed") == 0) return exit_freed();
    if (strcmp(mode, "named-sem") == 0) return named_sem(argv[0]);
    if (strcmp(mode, "named-sem-post") == 0 && argc > 2) return named_sem_post(argv[2]);
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (strcmp(mode, modes[i].name) == 0) return modes[i].run();
    fprintf(stderr, "waits: unknown mode '%s'\n", mode);
    return 2;
}
