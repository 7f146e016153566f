/* hang.c — a lost wake-up, in two processes: a worker waits on a condition nobody signals and
 * main joins it; the parent waits for the child's end of a pipe to close. A read is not a wait
 * lockwatch can judge (another process could write), so the run is not provably stuck: only
 * --timeout can end it, with every thread's stack of both processes in the hang finding, and
 * what the threads lockwatch sees wait for. With the argument `quick` it signals the worker and
 * exits at once (a run that ends before the timeout); with `stubborn` both processes ignore
 * SIGINT, so an interrupt does not end them. */
#define _GNU_SOURCE /* pthread barriers, nanosleep, pause under -std=c11 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t state = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready = PTHREAD_COND_INITIALIZER;
static bool is_ready;

static void *worker(void *arg)
{
    pthread_mutex_lock(&state);
    while (!is_ready)
        pthread_cond_wait(&ready, &state); /* @lock:hang-cond-wait */
    pthread_mutex_unlock(&state);
    return arg;
}

static int lost_wakeup(bool signal_it)
{
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0) return 1;
    if (signal_it) {
        pthread_mutex_lock(&state);
        is_ready = true;
        pthread_cond_signal(&ready);
        pthread_mutex_unlock(&state);
    }
    pthread_join(t, NULL); /* @lock:hang-join */
    return 0;
}

int main(int argc, char **argv)
{
    bool quick = argc > 1 && strcmp(argv[1], "quick") == 0;
    if (argc > 1 && strcmp(argv[1], "stubborn") == 0) signal(SIGINT, SIG_IGN);
    fflush(stdout);
    int done[2];
    if (pipe(done) != 0) return 1;
    pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) {
        close(done[0]);
        _exit(lost_wakeup(quick)); /* the pipe closes with the child */
    }
    close(done[1]);
    char byte;
    while (read(done[0], &byte, 1) > 0) /* @lock:hang-waitpid */
        ;
    int status;
    waitpid(child, &status, 0);
    puts("child ended");
    return 0;
}
