/* seccomp_strict.c — lock calls after entering SECCOMP_MODE_STRICT.
 *
 * In strict mode a thread may only read, write, exit and sigreturn; any other system call kills
 * the process. The program locks two mutexes in a new nesting order before and after entering
 * the mode, writes "ok" and leaves with the exit system call (exit_group is not allowed).
 * "syscall" enters the mode through syscall(SYS_seccomp) instead of prctl. */
#define _GNU_SOURCE
#include <linux/seccomp.h>
#include <pthread.h>
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

int main(int argc, char **argv)
{
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
