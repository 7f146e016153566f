/* lockbench.c — a lock-heavy program for measuring what an interposer costs per lock call.
 *
 * Every thread repeats: take DEPTH locks in ascending index order, do a few arithmetic
 * operations on the data each lock guards, release them in reverse order. The fixed order means
 * the workload has no lock-order cycle, so a correct detector must report nothing on it; the
 * small critical section means the run time is dominated by the lock calls themselves, which is
 * the worst case for an LD_PRELOAD interposer. The program checks its own result (every update
 * made under a write lock is counted) so a broken interposer cannot look fast by losing work.
 *
 *   lockbench [-t THREADS] [-l LOCKS] [-d DEPTH] [-k mutex|rdlock|wrlock|spin] [-n ITERATIONS]
 *
 * ITERATIONS is per thread; one iteration = DEPTH acquisitions and DEPTH releases. Output is
 * one line with the elapsed wall time (from the start barrier to the last join) and rates. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "count_arg.h"

enum bench_kind { BENCH_MUTEX, BENCH_RDLOCK, BENCH_WRLOCK, BENCH_SPIN };

/* One lock with the data it guards, on its own cache lines so that the only sharing between
 * threads is the sharing the workload asks for. */
struct guarded {
    union {
        pthread_mutex_t mutex;
        pthread_rwlock_t rwlock;
        pthread_spinlock_t spin;
    } lock;
    uint64_t value;
    uint64_t updates;
} __attribute__((aligned(64)));

struct bench_config {
    enum bench_kind kind;
    unsigned threads;
    unsigned nlocks;
    unsigned depth;
    uint64_t iterations;
};

struct bench_shared {
    const struct bench_config *config;
    struct guarded *locks;
    pthread_barrier_t start;
};

struct worker {
    pthread_t thread;
    unsigned index;
    struct bench_shared *shared;
    uint64_t read_checksum; /* what read-mode critical sections saw, so they are not elided */
    int error;              /* first non-zero return of a lock call */
};

static const char *kind_name(enum bench_kind kind)
{
    switch (kind) {
    case BENCH_MUTEX:
        return "mutex";
    case BENCH_RDLOCK:
        return "rdlock";
    case BENCH_WRLOCK:
        return "wrlock";
    case BENCH_SPIN:
        return "spin";
    }
    return "?";
}

static int parse_kind(const char *text, enum bench_kind *kind)
{
    static const enum bench_kind kinds[] = {BENCH_MUTEX, BENCH_RDLOCK, BENCH_WRLOCK, BENCH_SPIN};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(text, kind_name(kinds[i])) == 0) {
            *kind = kinds[i];
            return 0;
        }
    }
    return -1;
}

static int lock_one(enum bench_kind kind, struct guarded *g)
{
    switch (kind) {
    case BENCH_MUTEX:
        return pthread_mutex_lock(&g->lock.mutex);
    case BENCH_RDLOCK:
        return pthread_rwlock_rdlock(&g->lock.rwlock);
    case BENCH_WRLOCK:
        return pthread_rwlock_wrlock(&g->lock.rwlock);
    case BENCH_SPIN:
        return pthread_spin_lock(&g->lock.spin);
    }
    return EINVAL;
}

static int unlock_one(enum bench_kind kind, struct guarded *g)
{
    switch (kind) {
    case BENCH_MUTEX:
        return pthread_mutex_unlock(&g->lock.mutex);
    case BENCH_RDLOCK:
    case BENCH_WRLOCK:
        return pthread_rwlock_unlock(&g->lock.rwlock);
    case BENCH_SPIN:
        return pthread_spin_unlock(&g->lock.spin);
    }
    return EINVAL;
}

/* The critical section: a few dependent arithmetic operations on the guarded data. In read mode
 * the data is only read (several readers hold the lock at once). */
static void touch(enum bench_kind kind, struct guarded *g, uint64_t salt, uint64_t *checksum)
{
    if (kind == BENCH_RDLOCK) {
        *checksum += (g->value ^ salt) * 0x9E3779B97F4A7C15u;
        return;
    }
    g->value = (g->value * 6364136223846793005u + salt) ^ (g->value >> 17);
    g->updates++;
}

/* Which locks iteration i of a thread takes: DEPTH consecutive indices starting at a position
 * that moves with i and the thread, so with more locks than DEPTH threads meet on varying locks,
 * and with LOCKS == DEPTH every thread takes all of them. Always ascending: no cycle. */
static unsigned first_lock(const struct bench_config *c, unsigned thread, uint64_t i)
{
    unsigned span = c->nlocks - c->depth + 1;
    return (unsigned)((i + thread) % span);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    const struct bench_config *c = w->shared->config;
    struct guarded *locks = w->shared->locks;
    uint64_t checksum = 0;

    pthread_barrier_wait(&w->shared->start);
    for (uint64_t i = 0; i < c->iterations; i++) {
        unsigned first = first_lock(c, w->index, i);
        for (unsigned d = 0; d < c->depth; d++) {
            int rc = lock_one(c->kind, &locks[first + d]);
            if (rc != 0) {
                w->error = rc;
                return NULL;
            }
            touch(c->kind, &locks[first + d], i * c->threads + w->index, &checksum);
        }
        for (unsigned d = c->depth; d-- > 0;) {
            int rc = unlock_one(c->kind, &locks[first + d]);
            if (rc != 0) {
                w->error = rc;
                return NULL;
            }
        }
    }
    w->read_checksum = checksum;
    return NULL;
}

static int init_locks(const struct bench_config *c, struct guarded *locks)
{
    for (unsigned i = 0; i < c->nlocks; i++) {
        int rc = 0;
        switch (c->kind) {
        case BENCH_MUTEX:
            rc = pthread_mutex_init(&locks[i].lock.mutex, NULL);
            break;
        case BENCH_RDLOCK:
        case BENCH_WRLOCK:
            rc = pthread_rwlock_init(&locks[i].lock.rwlock, NULL);
            break;
        case BENCH_SPIN:
            rc = pthread_spin_init(&locks[i].lock.spin, PTHREAD_PROCESS_PRIVATE);
            break;
        }
        if (rc != 0) return rc;
        locks[i].value = i + 1;
        locks[i].updates = 0;
    }
    return 0;
}

static void destroy_locks(const struct bench_config *c, struct guarded *locks)
{
    for (unsigned i = 0; i < c->nlocks; i++) {
        switch (c->kind) {
        case BENCH_MUTEX:
            pthread_mutex_destroy(&locks[i].lock.mutex);
            break;
        case BENCH_RDLOCK:
        case BENCH_WRLOCK:
            pthread_rwlock_destroy(&locks[i].lock.rwlock);
            break;
        case BENCH_SPIN:
            pthread_spin_destroy(&locks[i].lock.spin);
            break;
        }
    }
}

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void usage(FILE *out)
{
    fputs("usage: lockbench [-t THREADS] [-l LOCKS] [-d DEPTH] [-k mutex|rdlock|wrlock|spin]\n"
          "                 [-n ITERATIONS]\n"
          "  -t THREADS     worker threads (default 2)\n"
          "  -l LOCKS       number of locks (default: DEPTH)\n"
          "  -d DEPTH       locks held at once, taken in ascending order (default 1)\n"
          "  -k KIND        lock kind and mode (default mutex)\n"
          "  -n ITERATIONS  iterations per thread (default 2000000)\n",
          out);
}

static int parse_options(int argc, char **argv, struct bench_config *c)
{
    uint64_t threads = 2, depth = 1, nlocks = 0, iterations = 2000000;
    int opt;
    while ((opt = getopt(argc, argv, "t:l:d:k:n:h")) != -1) {
        int rc = 0;
        switch (opt) {
        case 't':
            rc = parse_count(optarg, 1024, &threads);
            break;
        case 'l':
            rc = parse_count(optarg, 1u << 20, &nlocks);
            break;
        case 'd':
            rc = parse_count(optarg, 1024, &depth);
            break;
        case 'k':
            rc = parse_kind(optarg, &c->kind);
            break;
        case 'n':
            rc = parse_count(optarg, UINT64_MAX / 2, &iterations);
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return -1;
        }
        if (rc != 0) {
            fprintf(stderr, "lockbench: bad value for -%c: %s\n", opt, optarg);
            return -1;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return -1;
    }
    if (nlocks == 0) nlocks = depth;
    if (depth > nlocks) {
        fprintf(stderr, "lockbench: depth %" PRIu64 " exceeds the number of locks %" PRIu64 "\n",
                depth, nlocks);
        return -1;
    }
    c->threads = (unsigned)threads;
    c->nlocks = (unsigned)nlocks;
    c->depth = (unsigned)depth;
    c->iterations = iterations;
    return 0;
}

/* Every write-mode acquisition updates its lock's data once: the totals must match exactly. */
static int check_updates(const struct bench_config *c, const struct guarded *locks)
{
    if (c->kind == BENCH_RDLOCK) return 0;
    uint64_t total = 0;
    for (unsigned i = 0; i < c->nlocks; i++)
        total += locks[i].updates;
    uint64_t expected = (uint64_t)c->threads * c->iterations * c->depth;
    if (total != expected) {
        fprintf(stderr, "lockbench: %" PRIu64 " updates, expected %" PRIu64 "\n", total, expected);
        return -1;
    }
    return 0;
}

/* Starts the workers, releases them together and times them until the last one is joined.
 * A failure to start a thread ends the process: the started ones wait at the barrier. */
static int run_workers(const struct bench_config *c, struct bench_shared *shared,
                       struct worker *workers, double *elapsed)
{
    for (unsigned i = 0; i < c->threads; i++) {
        workers[i].index = i;
        workers[i].shared = shared;
        int rc = pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]);
        if (rc != 0) {
            fprintf(stderr, "lockbench: pthread_create: %s\n", strerror(rc));
            exit(1);
        }
    }
    struct timespec begin, end;
    pthread_barrier_wait(&shared->start);
    clock_gettime(CLOCK_MONOTONIC, &begin);
    for (unsigned i = 0; i < c->threads; i++)
        pthread_join(workers[i].thread, NULL);
    clock_gettime(CLOCK_MONOTONIC, &end);
    *elapsed = seconds_between(&begin, &end);

    for (unsigned i = 0; i < c->threads; i++) {
        if (workers[i].error != 0) {
            fprintf(stderr, "lockbench: thread %u: lock call failed: %s\n", i,
                    strerror(workers[i].error));
            return -1;
        }
    }
    return check_updates(c, shared->locks);
}

int main(int argc, char **argv)
{
    struct bench_config config = {.kind = BENCH_MUTEX};
    struct bench_shared shared = {.config = &config};
    struct worker *workers = NULL;
    bool locks_ready = false, barrier_ready = false;
    double elapsed = 0;
    int status = 1;

    if (parse_options(argc, argv, &config) != 0) return 2;
    shared.locks = aligned_alloc(64, sizeof *shared.locks * config.nlocks);
    workers = calloc(config.threads, sizeof *workers);
    if (shared.locks == NULL || workers == NULL) {
        fputs("lockbench: out of memory\n", stderr);
        goto out;
    }
    int rc = init_locks(&config, shared.locks);
    locks_ready = rc == 0;
    if (rc == 0) rc = pthread_barrier_init(&shared.start, NULL, config.threads + 1);
    if (rc != 0) {
        fprintf(stderr, "lockbench: init: %s\n", strerror(rc));
        goto out;
    }
    barrier_ready = true;
    if (run_workers(&config, &shared, workers, &elapsed) != 0) goto out;

    uint64_t checksum = 0;
    for (unsigned i = 0; i < config.threads; i++)
        checksum += workers[i].read_checksum;
    double iterations = (double)config.threads * (double)config.iterations;
    printf("lockbench kind=%s threads=%u locks=%u depth=%u iterations=%" PRIu64
           " elapsed=%.6f s ops/s=%.0f lock-calls/s=%.0f checksum=%016" PRIx64 "\n",
           kind_name(config.kind), config.threads, config.nlocks, config.depth, config.iterations,
           elapsed, iterations / elapsed, iterations * config.depth / elapsed, checksum);
    status = 0;
out:
    if (barrier_ready) pthread_barrier_destroy(&shared.start);
    if (locks_ready) destroy_locks(&config, shared.locks);
    free(workers);
    free(shared.locks);
    return status;
}
