/* close_fds.c — a daemon-like program that closes every descriptor it did not open (including
 * lockwatch's channel), reuses the numbers for its own files, then takes two locks in both orders.
 * The inversion must still be reported, and nothing may be written into the program's files. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;

int main(void)
{
    /* Take one ordered pair first, so lockwatch has already used its channel. */
    pthread_mutex_lock(&a);
    pthread_mutex_lock(&b); /* @fds:ab */
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);

    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    for (long fd = 3; fd < (long)rl.rlim_cur && fd < 65536; fd++)
        close((int)fd);
    /* Put our own file on almost every number, lockwatch's old one included, as a daemon that
     * re-opens its logs would; leave a few free so lockwatch can reconnect. */
    char path[] = "/tmp/lockwatch-close-fds-XXXXXX";
    int first = mkstemp(path);
    if (first < 0) return 1;
    unlink(path);
    long top = (long)rl.rlim_cur < 1024 ? (long)rl.rlim_cur : 1024;
    for (long fd = first + 1; fd < top - 8; fd++)
        dup2(first, (int)fd);

    pthread_mutex_lock(&b);
    pthread_mutex_lock(&a); /* @fds:ba */
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&b);

    off_t size = lseek(first, 0, SEEK_END);
    printf("own file holds %ld bytes\n", (long)size);
    return size == 0 ? 0 : 1; /* a stray record in our file would be a lockwatch bug */
}
