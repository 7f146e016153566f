/* small_stack.c — lock calls where little stack is left.
 *
 *   thread SIZE USED  a thread with a SIZE-byte stack uses USED bytes of it, then takes two
 *                     nested mutexes (a new lock-order chain: the runtime records it)
 *   altstack SIZE     a signal handler on a SIZE-byte alternate signal stack takes two nested
 *                     mutexes
 *   timer SIZE USED   as "thread", in the thread glibc starts for a SIGEV_THREAD timer (created
 *                     inside glibc, so lockwatch meets it only at its first lock)
 * Prints "ok" and exits 0 when every call succeeded. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t outer = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t inner = PTHREAD_MUTEX_INITIALIZER;
static size_t used;
static volatile int failures;

static void nested(void)
{
    if (pthread_mutex_lock(&outer) != 0) failures++;
    if (pthread_mutex_lock(&inner) != 0) failures++;
    if (pthread_mutex_unlock(&inner) != 0) failures++;
    if (pthread_mutex_unlock(&outer) != 0) failures++;
}

/* Uses `used` bytes of stack below its frame before locking. */
static void *deep(void *arg)
{
    (void)arg;
    volatile char pad[used ? used : 1];
    memset((char *)pad, 1, used ? used : 1);
    nested();
    return (void *)(long)pad[0];
}

static void handler(int sig)
{
    (void)sig;
    nested();
}

static int run_thread(size_t size)
{
    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    if (pthread_attr_setstacksize(&attr, size) != 0) return 2;
    if (pthread_create(&t, &attr, deep, NULL) != 0) return 2;
    pthread_join(t, NULL);
    return 0;
}

static pthread_mutex_t fired_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fired_cond = PTHREAD_COND_INITIALIZER;
static int fired;

static void notify(union sigval v)
{
    (void)v;
    deep(NULL);
    pthread_mutex_lock(&fired_lock);
    fired = 1;
    pthread_cond_signal(&fired_cond);
    pthread_mutex_unlock(&fired_lock);
}

static int run_timer(size_t size)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    if (pthread_attr_setstacksize(&attr, size) != 0) return 2;
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD;
    ev.sigev_notify_function = notify;
    ev.sigev_notify_attributes = &attr;
    timer_t timer;
    if (timer_create(CLOCK_MONOTONIC, &ev, &timer) != 0) return 2;
    struct itimerspec when = {.it_value = {.tv_nsec = 10 * 1000 * 1000}};
    if (timer_settime(timer, 0, &when, NULL) != 0) return 2;
    pthread_mutex_lock(&fired_lock);
    while (!fired)
        pthread_cond_wait(&fired_cond, &fired_lock);
    pthread_mutex_unlock(&fired_lock);
    timer_delete(timer);
    return 0;
}

static int run_altstack(size_t size)
{
    /* A guard page below, as below a thread's stack: running off the end faults instead of
     * silently writing over whatever is mapped there. */
    long page = sysconf(_SC_PAGESIZE);
    char *mem =
        mmap(NULL, size + (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED || mprotect(mem, (size_t)page, PROT_NONE) != 0) return 2;
    stack_t ss = {.ss_sp = mem + page, .ss_size = size, .ss_flags = 0};
    if (sigaltstack(&ss, NULL) != 0) return 2;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) != 0) return 2;
    raise(SIGUSR1);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) return 2;
    size_t size = strtoul(argv[2], NULL, 0);
    int rc = 2;
    if (strcmp(argv[1], "thread") == 0 && argc == 4) {
        used = strtoul(argv[3], NULL, 0);
        rc = run_thread(size);
    } else if (strcmp(argv[1], "timer") == 0 && argc == 4) {
        used = strtoul(argv[3], NULL, 0);
        rc = run_timer(size);
    } else if (strcmp(argv[1], "altstack") == 0) {
        rc = run_altstack(size);
    }
    if (rc != 0) return rc;
    printf("%s\n", failures ? "failed" : "ok");
    return failures ? 1 : 0;
}
