/* seccomp_strict.c — lock calls after entering SECCOMP_MODE_STRICT.
 *
 * In strict mode a thread may only read, write, exit and sigreturn; any other system call kills
 * the process. The program locks two mutexes in a new nesting order before and after entering
 * the mode, writes "ok" and leaves with the exit system call (exit_group is not allowed).
 * "syscall" enters the mode through syscall(SYS_seccomp) instead of prctl. "first" enters it
 * before any lock, then takes two mutexes in both orders (an inversion the report must show).
 * "filter-thread" installs a filter that kills the process on sched_getaffinity (which
 * pthread_getattr_np calls) and then starts a thread that locks a mutex. */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t c = PTHREAD_MUTEX_INITIALIZER;

static int nest(pthread_mutex_t *outer, pthread_mutex_t *inner)
{
    int failures = 0;
    failures += pthread_mutex_lock(outer) != 0;
    failures += pthread_mutex_lock(inner) != 0;
    failures += pthread_mutex_unlock(inner) != 0;
    failures += pthread_mutex_unlock(outer) != 0;
    return failures;
}

static int strict_first(void)
{
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) != 0) return 2;
    int failures = nest(&a, &b) + nest(&b, &a);
    const char *msg = failures ? "failed\n" : "ok\n";
    ssize_t n = write(1, msg, strlen(msg));
    (void)n;
    syscall(SYS_exit, failures ? 1 : 0);
    return 0;
}

static void *lock_once(void *arg)
{
    (void)arg;
    return (void *)(intptr_t)nest(&a, &b);
}

static int filter_thread(void)
{
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_sched_getaffinity, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = sizeof code / sizeof code[0], .filter = code};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
        return 2;
    pthread_t t;
    void *failed = NULL;
    if (pthread_create(&t, NULL, lock_once, NULL) != 0 || pthread_join(t, &failed) != 0) return 1;
    const char *msg = failed ? "failed\n" : "ok\n";
    ssize_t n = write(1, msg, strlen(msg));
    (void)n;
    return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "first") == 0) return strict_first();
    if (argc > 1 && strcmp(argv[1], "filter-thread") == 0) return filter_thread();
    int failures = nest(&a, &b);
    int rc = argc > 1 && strcmp(argv[1], "syscall") == 0
                 ? (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, NULL)
                 : prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT);
    if (rc != 0) return 2;
    failures += nest(&b, &c); /* new chains: the runtime records them */
    failures += nest(&a, &c);
    const char *msg = failures ? "failed\n" : "ok\n";
    ssize_t n = write(1, msg, strlen(msg));
    (void)n;
    syscall(SYS_exit, failures ? 1 : 0);
    return 0;
}
