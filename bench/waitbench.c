/* waitbench.c — a wait-heavy program for measuring what an interposer costs per indefinite wait.
 *
 * Where lockbench repeats lock calls, waitbench repeats the waits lockwatch puts on its wait
 * board: condition waits, semaphore waits, joins and barrier waits. Every wait in these loops
 * really blocks most of the time (the other thread has not arrived yet), so the run time is a
 * mix of the wrapper's bookkeeping and the futex hand-over between two threads; the wrapper's
 * share is largest when the hand-over is cheap. Every workload checks its own result, so an
 * interposer that broke the synchronisation cannot look fast by losing work.
 *
 *   waitbench [-k cond|sem|join|barrier] [-n ITERATIONS] [-b BATCH] [-l]
 *
 *   cond     two threads ping-pong ITERATIONS times through a mutex and two condition variables;
 *            each waits in a predicate loop (pthread_cond_wait), so one iteration is two
 *            hand-overs and at least two condition waits when the threads alternate.
 *   sem      two threads ping-pong ITERATIONS times through two semaphores (sem_wait, sem_post).
 *   join     the main thread creates ITERATIONS short threads, BATCH at a time, and joins each
 *            batch (pthread_create, pthread_join).
 *   barrier  two threads cross a two-thread barrier ITERATIONS times (pthread_barrier_wait);
 *            with -l each side takes two nested mutexes (one lock-order chain) before each
 *            crossing, as a phase of work under locks between barriers does.
 *
 * Output is one line with the elapsed wall time (from the start barrier to the last join), the
 * rate and a checksum that depends only on the options, so runs under any tool must agree. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "count_arg.h"

enum bench_kind { BENCH_COND, BENCH_SEM, BENCH_JOIN, BENCH_BARRIER };

struct bench_config {
    enum bench_kind kind;
    uint64_t iterations;
    unsigned batch;
    bool nested; /* barrier: a nested lock pair before each crossing */
};

/* The state the two threads of a ping-pong share. `turn` says which side may go (cond only);
 * `value` is mixed by whichever side holds the turn, so it depends on the strict alternation. */
struct pingpong {
    pthread_mutex_t mutex;
    pthread_cond_t cond[2];
    sem_t sem[2];
    pthread_barrier_t barrier;
    pthread_mutex_t inner;
    unsigned turn;
    uint64_t value;
    uint64_t updates;
};

struct side {
    pthread_t thread;
    unsigned index;
    const struct bench_config *config;
    struct pingpong *shared;
    pthread_barrier_t *start;
    uint64_t serial; /* barrier: crossings this side was the serial thread of */
    int error;       /* first non-zero return of a wait */
};

static const char *kind_name(enum bench_kind kind)
{
    switch (kind) {
    case BENCH_COND:
        return "cond";
    case BENCH_SEM:
        return "sem";
    case BENCH_JOIN:
        return "join";
    case BENCH_BARRIER:
        return "barrier";
    }
    return "?";
}

static int parse_kind(const char *text, enum bench_kind *kind)
{
    static const enum bench_kind kinds[] = {BENCH_COND, BENCH_SEM, BENCH_JOIN, BENCH_BARRIER};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(text, kind_name(kinds[i])) == 0) {
            *kind = kinds[i];
            return 0;
        }
    }
    return -1;
}

static uint64_t mix(uint64_t value, uint64_t salt)
{
    return (value * 6364136223846793005u + salt) ^ (value >> 17);
}

/* One side of the condition-variable ping-pong: wait for our turn, take it, hand it over. */
static int cond_side(struct side *s)
{
    struct pingpong *p = s->shared;
    unsigned me = s->index, other = 1 - s->index;
    for (uint64_t i = 0; i < s->config->iterations; i++) {
        int rc = pthread_mutex_lock(&p->mutex);
        while (rc == 0 && p->turn != me)
            rc = pthread_cond_wait(&p->cond[me], &p->mutex);
        if (rc != 0) return rc;
        p->value = mix(p->value, i * 2 + me);
        p->updates++;
        p->turn = other;
        rc = pthread_cond_signal(&p->cond[other]);
        int unlock_rc = pthread_mutex_unlock(&p->mutex);
        if (rc != 0 || unlock_rc != 0) return rc != 0 ? rc : unlock_rc;
    }
    return 0;
}

/* One side of the semaphore ping-pong: side 0 starts (its semaphore starts at 1). */
static int sem_side(struct side *s)
{
    struct pingpong *p = s->shared;
    unsigned me = s->index, other = 1 - s->index;
    for (uint64_t i = 0; i < s->config->iterations; i++) {
        while (sem_wait(&p->sem[me]) != 0) {
            if (errno != EINTR) return errno;
        }
        p->value = mix(p->value, i * 2 + me);
        p->updates++;
        if (sem_post(&p->sem[other]) != 0) return errno;
    }
    return 0;
}

/* One side of the barrier loop: exactly one of the two is the serial thread of each crossing. */
static int barrier_side(struct side *s)
{
    struct pingpong *p = s->shared;
    for (uint64_t i = 0; i < s->config->iterations; i++) {
        if (s->config->nested) {
            pthread_mutex_lock(&p->mutex);
            pthread_mutex_lock(&p->inner);
            p->updates++;
            pthread_mutex_unlock(&p->inner);
            pthread_mutex_unlock(&p->mutex);
        }
        int rc = pthread_barrier_wait(&p->barrier);
        if (rc == PTHREAD_BARRIER_SERIAL_THREAD)
            s->serial++;
        else if (rc != 0)
            return rc;
    }
    return 0;
}

static void *side_main(void *arg)
{
    struct side *s = arg;
    pthread_barrier_wait(s->start);
    switch (s->config->kind) {
    case BENCH_COND:
        s->error = cond_side(s);
        break;
    case BENCH_SEM:
        s->error = sem_side(s);
        break;
    case BENCH_BARRIER:
        s->error = barrier_side(s);
        break;
    case BENCH_JOIN:
        break;
    }
    return NULL;
}

/* The body of a join-mode thread: a little arithmetic whose result travels back through join. */
static void *short_main(void *arg)
{
    uintptr_t n = (uintptr_t)arg;
    return (void *)(uintptr_t)mix(n, n + 1);
}

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Two sides released together by a start barrier, timed until both are joined. */
static int run_pair(const struct bench_config *c, struct pingpong *p, uint64_t *checksum,
                    double *elapsed)
{
    pthread_barrier_t start;
    struct side sides[2];
    int rc = pthread_barrier_init(&start, NULL, 3);
    if (rc != 0) return rc;
    for (unsigned i = 0; i < 2; i++) {
        sides[i] = (struct side){.index = i, .config = c, .shared = p, .start = &start};
        rc = pthread_create(&sides[i].thread, NULL, side_main, &sides[i]);
        if (rc != 0) {
            fprintf(stderr, "waitbench: pthread_create: %s\n", strerror(rc));
            exit(1); /* the started side waits at the start barrier */
        }
    }
    struct timespec begin, end;
    pthread_barrier_wait(&start);
    clock_gettime(CLOCK_MONOTONIC, &begin);
    for (unsigned i = 0; i < 2; i++)
        pthread_join(sides[i].thread, NULL);
    clock_gettime(CLOCK_MONOTONIC, &end);
    *elapsed = seconds_between(&begin, &end);
    pthread_barrier_destroy(&start);

    for (unsigned i = 0; i < 2; i++) {
        if (sides[i].error != 0) {
            fprintf(stderr, "waitbench: thread %u: wait failed: %s\n", i, strerror(sides[i].error));
            return -1;
        }
    }
    if (c->kind == BENCH_BARRIER) {
        uint64_t serial = sides[0].serial + sides[1].serial;
        if (serial != c->iterations) {
            fprintf(stderr, "waitbench: %" PRIu64 " serial threads, expected %" PRIu64 "\n", serial,
                    c->iterations);
            return -1;
        }
        *checksum = mix(serial, c->iterations);
        return 0;
    }
    if (p->updates != 2 * c->iterations) {
        fprintf(stderr, "waitbench: %" PRIu64 " updates, expected %" PRIu64 "\n", p->updates,
                2 * c->iterations);
        return -1;
    }
    *checksum = p->value;
    return 0;
}

/* Creates and joins c->iterations threads, c->batch at a time. */
static int run_joins(const struct bench_config *c, uint64_t *checksum, double *elapsed)
{
    pthread_t *threads = calloc(c->batch, sizeof *threads);
    if (threads == NULL) return ENOMEM;
    struct timespec begin, end;
    uint64_t sum = 0;
    int rc = 0;
    clock_gettime(CLOCK_MONOTONIC, &begin);
    for (uint64_t done = 0; done < c->iterations && rc == 0;) {
        unsigned n = c->iterations - done < c->batch ? (unsigned)(c->iterations - done) : c->batch;
        unsigned started = 0;
        for (; started < n; started++) {
            rc = pthread_create(&threads[started], NULL, short_main,
                                (void *)(uintptr_t)(done + started));
            if (rc != 0) break;
        }
        for (unsigned i = 0; i < started; i++) {
            void *result = NULL;
            int join_rc = pthread_join(threads[i], &result);
            if (join_rc != 0 && rc == 0) rc = join_rc;
            sum += (uint64_t)(uintptr_t)result;
        }
        done += started;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    *elapsed = seconds_between(&begin, &end);
    *checksum = sum;
    free(threads);
    if (rc != 0) fprintf(stderr, "waitbench: create or join: %s\n", strerror(rc));
    return rc;
}

static void usage(FILE *out)
{
    fputs("usage: waitbench [-k cond|sem|join|barrier] [-n ITERATIONS] [-b BATCH] [-l]\n"
          "  -k KIND        what to wait on (default cond)\n"
          "  -n ITERATIONS  ping-pongs, threads or barrier crossings (default 100000)\n"
          "  -b BATCH       join: threads created before they are joined (default 8)\n"
          "  -l             barrier: two nested mutexes before each crossing\n",
          out);
}

static int parse_options(int argc, char **argv, struct bench_config *c)
{
    uint64_t iterations = 100000, batch = 8;
    int opt;
    while ((opt = getopt(argc, argv, "k:n:b:lh")) != -1) {
        int rc = 0;
        switch (opt) {
        case 'k':
            rc = parse_kind(optarg, &c->kind);
            break;
        case 'n':
            rc = parse_count(optarg, UINT64_MAX / 4, &iterations);
            break;
        case 'b':
            rc = parse_count(optarg, 4096, &batch);
            break;
        case 'l':
            c->nested = true;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return -1;
        }
        if (rc != 0) {
            fprintf(stderr, "waitbench: bad value for -%c: %s\n", opt, optarg);
            return -1;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return -1;
    }
    c->iterations = iterations;
    c->batch = (unsigned)batch;
    return 0;
}

static int init_pingpong(struct pingpong *p)
{
    int rc = pthread_mutex_init(&p->mutex, NULL);
    for (unsigned i = 0; i < 2 && rc == 0; i++)
        rc = pthread_cond_init(&p->cond[i], NULL);
    for (unsigned i = 0; i < 2 && rc == 0; i++)
        rc = sem_init(&p->sem[i], 0, i == 0 ? 1 : 0) == 0 ? 0 : errno;
    if (rc == 0) rc = pthread_barrier_init(&p->barrier, NULL, 2);
    if (rc == 0) rc = pthread_mutex_init(&p->inner, NULL);
    p->turn = 0;
    p->value = 1;
    p->updates = 0;
    return rc;
}

static void destroy_pingpong(struct pingpong *p)
{
    pthread_barrier_destroy(&p->barrier);
    pthread_mutex_destroy(&p->inner);
    for (unsigned i = 0; i < 2; i++) {
        sem_destroy(&p->sem[i]);
        pthread_cond_destroy(&p->cond[i]);
    }
    pthread_mutex_destroy(&p->mutex);
}

int main(int argc, char **argv)
{
    struct bench_config config = {.kind = BENCH_COND};
    struct pingpong shared;
    uint64_t checksum = 0;
    double elapsed = 0;

    if (parse_options(argc, argv, &config) != 0) return 2;
    int rc = init_pingpong(&shared);
    if (rc != 0) {
        fprintf(stderr, "waitbench: init: %s\n", strerror(rc));
        return 1;
    }
    if (config.kind == BENCH_JOIN)
        rc = run_joins(&config, &checksum, &elapsed);
    else
        rc = run_pair(&config, &shared, &checksum, &elapsed);
    destroy_pingpong(&shared);
    if (rc != 0) return 1;

    printf("waitbench kind=%s iterations=%" PRIu64 " elapsed=%.6f s iterations/s=%.0f"
           " checksum=%016" PRIx64 "\n",
           kind_name(config.kind), config.iterations, elapsed, (double)config.iterations / elapsed,
           checksum);
    return 0;
}
