/* waits_shared.c — process-shared mutexes that deadlock between a program and a child it exec'd:
 * the parent puts two PTHREAD_PROCESS_SHARED mutexes in a memfd, takes the first, and execs a
 * child (this program again, with the descriptor's number) that takes the second and then wants
 * the first; the parent then wants the second. Each process is another image, so the mutexes have
 * different addresses in each: only the owner the kernel-visible mutex names ties them together.
 * With `fixed` both take the mutexes in the same order. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct shared {
    pthread_mutex_t first, second;
};

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static struct shared *map(int fd)
{
    void *p = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    return p == MAP_FAILED ? NULL : p;
}

static int child(int fd, int fixed)
{
    struct shared *s = map(fd);
    if (!s) return 2;
    if (fixed) {
        pthread_mutex_lock(&s->first);
        pthread_mutex_lock(&s->second);
    } else {
        pthread_mutex_lock(&s->second); /* @wait:child-second */
        pause_ms(100);
        pthread_mutex_lock(&s->first); /* @wait:child-first */
    }
    pthread_mutex_unlock(&s->first);
    pthread_mutex_unlock(&s->second);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 2 && strcmp(argv[1], "child") == 0) return child(atoi(argv[2]), argc > 3);
    int fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
    int fd = memfd_create("waits-shared", 0);
    if (fd < 0 || ftruncate(fd, sizeof(struct shared)) != 0) return 2;
    struct shared *s = map(fd);
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    if (!s || pthread_mutex_init(&s->first, &attr) != 0 || pthread_mutex_init(&s->second, &attr))
        return 2;
    if (!fixed) pthread_mutex_lock(&s->first); /* @wait:parent-first */
    pid_t pid = fork();
    if (pid < 0) return 2;
    if (pid == 0) {
        char fdarg[16];
        snprintf(fdarg, sizeof fdarg, "%d", fd);
        execl("/proc/self/exe", argv[0], "child", fdarg, fixed ? "fixed" : NULL, (char *)NULL);
        _exit(127);
    }
    if (fixed) {
        waitpid(pid, NULL, 0);
        pthread_mutex_lock(&s->first);
        pthread_mutex_lock(&s->second);
    } else {
        pause_ms(50);
        pthread_mutex_lock(&s->second); /* @wait:parent-second */
    }
    pthread_mutex_unlock(&s->second);
    pthread_mutex_unlock(&s->first);
    waitpid(pid, NULL, 0);
    puts("both done");
    return 0;
}
