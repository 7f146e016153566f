/* trust.c — programs for the run's trust tests (trust.expect, check_trust.py), one per mode:
 *   rawfork     a child made by syscall(SYS_fork) (no atfork handlers) takes two locks in both
 *               orders: the inversion is the child's, not its parent's
 *   rawfork-late  the same child, but its parent exits at once and the child, silent until
 *               then, finds the inversion two seconds later
 *   daemon      a double fork: the grandchild leaves the tree, and 3 s after the program has
 *               exited takes two locks in both orders
 *   lowfd       re-runs itself under RLIMIT_NOFILE 16, where it counts the descriptors it holds
 *               beyond stdio and how many it can open, then the lowest free number before and
 *               after its first locks: the same as without lockwatch (the test closes inherited
 *               descriptors first)
 *   clean N     takes two locks in one order for N seconds, then exits 0
 *   many N      takes two locks in both orders, then keeps N exec'd children alive at once
 *               ("hold FD": each waits for the end of a pipe) for two seconds
 *   sleep       sleeps for a minute (the test kills lockwatch meanwhile)
 *   daemon-confirm DIR  a daemon that writes DIR/daemon.PID two seconds after the program
 *               ended, and an inversion --confirm reproduces */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

static void a_then_b(void)
{
    pthread_mutex_lock(&lock_a); /* @trust:a-first */
    pthread_mutex_lock(&lock_b); /* @trust:b-second */
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
}

static void b_then_a(void)
{
    pthread_mutex_lock(&lock_b); /* @trust:b-first */
    pthread_mutex_lock(&lock_a); /* @trust:a-second */
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
}

static int rawfork(void)
{
    pid_t child = (pid_t)syscall(SYS_fork);
    if (child < 0) return 1;
    if (child == 0) {
        a_then_b();
        b_then_a();
        _exit(0);
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int rawfork_late(void)
{
    pid_t child = (pid_t)syscall(SYS_fork);
    if (child < 0) return 1;
    if (child == 0) {
        sleep(2); /* past the driver's next look at who maps the ring */
        a_then_b();
        b_then_a();
        _exit(0);
    }
    return 0;
}

static int daemonise(void)
{
    pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) {
        if (fork() != 0) _exit(0); /* the grandchild is orphaned at once */
        setsid();
        sleep(3);
        a_then_b();
        b_then_a();
        _exit(0);
    }
    waitpid(child, NULL, 0);
    return 0; /* the program exits long before the daemon finds its bug */
}

static int count_extra_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && fd > 2 && fd != dirfd(d)) n++;
    }
    closedir(d);
    return n;
}

static int lowest_free_fd(void)
{
    int fd = open("/dev/null", O_RDONLY);
    if (fd >= 0) close(fd);
    return fd;
}

/* How many descriptors the program can still open (all closed again). */
static int count_openable(void)
{
    int fds[64], n = 0;
    while (n < 64 && (fds[n] = open("/dev/null", O_RDONLY)) >= 0)
        n++;
    for (int i = 0; i < n; i++)
        close(fds[i]);
    return n;
}

/* Counts before the first lock; the first stack capture then makes libunwind open a pipe of its
 * own, which must not take the numbers the program's next open() gets (under this small limit it
 * still counts against it: docs/internals.md). */
static int lowfd_child(void)
{
    int extra = count_extra_fds();
    int opened = count_openable();
    int before = lowest_free_fd();
    a_then_b();
    int after = lowest_free_fd();
    printf("extra descriptors %d, opened %d of %d\n", extra, opened, 13 - extra);
    printf("lowest free descriptor %d, after locking %d\n", before, after);
    return 0;
}

static int lowfd(const char *self)
{
    struct rlimit rl = {16, 16};
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) return 1;
    fflush(stdout);
    execl(self, self, "lowfd-child", (char *)NULL);
    return 1;
}

static int clean(int seconds)
{
    time_t end = time(NULL) + seconds;
    while (time(NULL) < end) {
        a_then_b();
        usleep(10000);
    }
    return 0;
}

static int many(const char *self, int n)
{
    a_then_b();
    b_then_a();
    int gate[2];
    if (pipe(gate) != 0) return 1;
    char fd[16];
    snprintf(fd, sizeof fd, "%d", gate[0]);
    for (int i = 0; i < n; i++) {
        pid_t child = fork();
        if (child < 0) return 1;
        if (child == 0) {
            close(gate[1]);
            execl(self, self, "hold", fd, (char *)NULL);
            _exit(127);
        }
    }
    close(gate[0]);
    sleep(2);
    close(gate[1]); /* every child's read ends */
    int failed = 0, status;
    while (wait(&status) > 0)
        failed += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    printf("%d children, %d failed\n", n, failed);
    return failed != 0;
}

static void *b_then_a_later(void *arg)
{
    (void)arg;
    usleep(200000); /* apart in time: the inversion never deadlocks on its own */
    b_then_a();
    return NULL;
}

/* A daemon that outlives the program by two seconds and then writes DIR/daemon.PID, and two
 * threads with an inversion that --confirm can reproduce. */
static int daemon_confirm(const char *dir)
{
    pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) {
        if (fork() != 0) _exit(0);
        setsid();
        sleep(2);
        char path[4096];
        snprintf(path, sizeof path, "%s/daemon.%d", dir, (int)getpid());
        FILE *f = fopen(path, "w");
        if (f) fclose(f);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    pthread_t t;
    if (pthread_create(&t, NULL, b_then_a_later, NULL) != 0) return 1;
    a_then_b();
    pthread_join(t, NULL);
    return 0;
}

static int hold(int fd)
{
    char byte;
    while (read(fd, &byte, 1) > 0) {
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "rawfork") == 0) return rawfork();
    if (strcmp(mode, "rawfork-late") == 0) return rawfork_late();
    if (strcmp(mode, "daemon") == 0) return daemonise();
    if (strcmp(mode, "daemon-confirm") == 0 && argc > 2) return daemon_confirm(argv[2]);
    if (strcmp(mode, "lowfd") == 0) return lowfd(argv[0]);
    if (strcmp(mode, "lowfd-child") == 0) return lowfd_child();
    if (strcmp(mode, "many") == 0) return many(argv[0], argc > 2 ? atoi(argv[2]) : 100);
    if (strcmp(mode, "hold") == 0) return hold(argc > 2 ? atoi(argv[2]) : 0);
    if (strcmp(mode, "clean") == 0) return clean(argc > 2 ? atoi(argv[2]) : 1);
    if (strcmp(mode, "sleep") == 0) {
        sleep(60);
        return 0;
    }
    fprintf(stderr, "trust: unknown mode '%s'\n", mode);
    return 2;
}
