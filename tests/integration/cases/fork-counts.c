/* fork-counts: the summary counts what the whole run used. The parent takes `shared` alone and
 * forks two children: the first takes `child_only` alone in a thread of its own, the second takes
 * `inner` inside `shared` (a lock-order chain). Three locks (one only ever taken alone), four
 * threads (three main threads and one more), three processes of which two forked. */
#include <pthread.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t shared = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t child_only = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t inner = PTHREAD_MUTEX_INITIALIZER;
static long count;

static void *take_alone(void *arg)
{
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&child_only);
        count++;
        pthread_mutex_unlock(&child_only);
    }
    return arg;
}

static int first_child(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, take_alone, NULL) != 0) return 2;
    return pthread_join(t, NULL) == 0 ? 0 : 2;
}

static int second_child(void)
{
    pthread_mutex_lock(&shared);
    pthread_mutex_lock(&inner);
    count++;
    pthread_mutex_unlock(&inner);
    pthread_mutex_unlock(&shared);
    return 0;
}

static int run_child(int (*body)(void))
{
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) _exit(body());
    int status;
    if (waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(void)
{
    pthread_mutex_lock(&shared);
    count++;
    pthread_mutex_unlock(&shared);
    if (run_child(first_child) != 0 || run_child(second_child) != 0) return 1;
    return 0;
}
