/* pi_mutex.c — priority-inheritance mutexes under contention on a kernel without FUTEX_LOCK_PI2.
 *
 * Kernels before 5.14 lack FUTEX_LOCK_PI2 (a PI lock with a CLOCK_MONOTONIC deadline). The
 * program makes this kernel look like one of them with a seccomp filter that fails that futex
 * operation with ENOSYS, as an old kernel does, then has two threads take a PI mutex in turn
 * while the other holds it (plain lock, and C++-style lock through a recursive PI mutex). Every
 * call must return what glibc returns natively: 0. Prints one line per call kind and exits 0 when
 * all succeeded. "nofilter" skips the filter. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef FUTEX_LOCK_PI2
#define FUTEX_LOCK_PI2 13
#endif

static pthread_mutex_t pi;
static pthread_mutex_t pi_recursive;
static int failures;

static int hide_lock_pi2(void)
{
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_futex, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
        BPF_STMT(BPF_ALU | BPF_AND | BPF_K, FUTEX_CMD_MASK),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FUTEX_LOCK_PI2, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
    };
    struct sock_fprog prog = {.len = sizeof code / sizeof code[0], .filter = code};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

static void check(const char *what, int rc)
{
    if (rc == 0) return;
    printf("%s: %s\n", what, strerror(rc));
    failures++;
}

/* Holds the mutex long enough for the main thread to block on it, then lets go. */
static void *holder(void *arg)
{
    pthread_mutex_t *m = arg;
    check("holder lock", pthread_mutex_lock(m));
    usleep(300 * 1000);
    check("holder unlock", pthread_mutex_unlock(m));
    return NULL;
}

static void contend(pthread_mutex_t *m, const char *name)
{
    pthread_t t;
    if (pthread_create(&t, NULL, holder, m) != 0) {
        printf("cannot create a thread\n");
        failures++;
        return;
    }
    usleep(50 * 1000);
    int rc = pthread_mutex_lock(m); /* contended: the holder sleeps with it */
    check(name, rc);
    if (rc == 0) check("unlock", pthread_mutex_unlock(m));
    pthread_join(t, NULL);
    printf("%s: %s\n", name, rc == 0 ? "ok" : "failed");
}

int main(int argc, char **argv)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT);
    pthread_mutex_init(&pi, &attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&pi_recursive, &attr);
    if ((argc < 2 || strcmp(argv[1], "nofilter") != 0) && hide_lock_pi2() != 0) {
        printf("cannot install the seccomp filter: %s\n", strerror(errno));
        return 2;
    }
    contend(&pi, "pi lock");
    contend(&pi_recursive, "pi recursive lock");
    return failures ? 1 : 0;
}
