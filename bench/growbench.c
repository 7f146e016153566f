/* growbench.c — programs whose lock-order graph or lock population keeps growing, for measuring
 * what a detector pays per new edge, per new lock and per process.
 *
 * lockbench repeats one pattern, which a detector learns once; here almost every operation is
 * new to it. None of the workloads has a lock-order cycle, so a correct detector reports nothing.
 *
 *   growbench -k transfers [-a ACCOUNTS] [-n TRANSFERS] [-t THREADS] [-s SEED]
 *   growbench -k distinct  [-n LOCKS]
 *   growbench -k fork      [-c CHILDREN] [-p PARALLEL] [-t THREADS] [-n ITERATIONS]
 *
 *   transfers  THREADS threads share TRANSFERS transfers between random pairs of ACCOUNTS
 *              accounts, each guarded by its own mutex; a transfer locks the lower-indexed
 *              account first, then the other (index order: no cycle). With 1,000 accounts most
 *              transfers add a lock-order edge never seen before, with 10,000 almost all do.
 *              The sum of the balances is checked at the end.
 *   distinct   LOCKS mutexes (LOCKS even), taken two at a time by one thread: lock 2k, then
 *              lock 2k+1 while holding it, once each. Every lock is new, and each pair makes one
 *              edge, so a detector learns of every lock (a lock never taken with another held
 *              makes no edge, and a detector may never hear of it).
 *   fork       CHILDREN processes, at most PARALLEL at a time; each starts THREADS threads that
 *              take two of the child's mutexes in a fixed order ITERATIONS times, joins them and
 *              exits 0 when every update was counted. The parent checks every child's status.
 *              The parent allocates each child's state before the fork (as a pool keeps a record
 *              per worker), so every child's two mutexes are at new addresses: new locks and a
 *              new edge per child.
 *
 * Output is one line: the kind, the elapsed wall time and a checksum that depends only on the
 * options (so runs under any tool agree). Exit status 1 when a check failed. */
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "count_arg.h"

enum bench_kind { BENCH_TRANSFERS, BENCH_DISTINCT, BENCH_FORK };

struct bench_config {
    enum bench_kind kind;
    uint64_t accounts;
    uint64_t count; /* transfers, locks, or iterations per fork-child thread */
    uint64_t threads;
    uint64_t children;
    uint64_t parallel;
    uint64_t seed;
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* splitmix64: a fast, well-mixed generator; each thread has its own state. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* --- transfers --- */

struct account {
    pthread_mutex_t lock;
    int64_t balance;
};

struct transfer_worker {
    pthread_t thread;
    struct account *accounts;
    const struct bench_config *config;
    uint64_t transfers;
    uint64_t random_state;
};

static void *transfer_main(void *arg)
{
    struct transfer_worker *w = arg;
    uint64_t n = w->config->accounts;
    for (uint64_t i = 0; i < w->transfers; i++) {
        uint64_t from = next_random(&w->random_state) % n;
        uint64_t to = next_random(&w->random_state) % (n - 1);
        if (to >= from) to++; /* distinct from `from` */
        struct account *first = &w->accounts[from < to ? from : to];
        struct account *second = &w->accounts[from < to ? to : from];
        int64_t amount = (int64_t)(next_random(&w->random_state) % 100);
        pthread_mutex_lock(&first->lock);
        pthread_mutex_lock(&second->lock);
        w->accounts[from].balance -= amount;
        w->accounts[to].balance += amount;
        pthread_mutex_unlock(&second->lock);
        pthread_mutex_unlock(&first->lock);
    }
    return NULL;
}

static int run_transfers(const struct bench_config *c, uint64_t *checksum)
{
    const int64_t initial = 1000;
    struct account *accounts = calloc(c->accounts, sizeof *accounts);
    struct transfer_worker *workers = calloc(c->threads, sizeof *workers);
    if (!accounts || !workers) {
        fputs("growbench: out of memory\n", stderr);
        free(accounts);
        free(workers);
        return -1;
    }
    for (uint64_t i = 0; i < c->accounts; i++) {
        pthread_mutex_init(&accounts[i].lock, NULL);
        accounts[i].balance = initial;
    }
    int rc = 0;
    uint64_t started = 0;
    for (; started < c->threads; started++) {
        struct transfer_worker *w = &workers[started];
        w->accounts = accounts;
        w->config = c;
        w->transfers = c->count / c->threads + (started < c->count % c->threads ? 1 : 0);
        w->random_state = c->seed * 1000003u + started;
        int err = pthread_create(&w->thread, NULL, transfer_main, w);
        if (err != 0) {
            fprintf(stderr, "growbench: pthread_create: %s\n", strerror(err));
            rc = -1;
            break;
        }
    }
    for (uint64_t i = 0; i < started; i++)
        pthread_join(workers[i].thread, NULL);
    int64_t sum = 0;
    for (uint64_t i = 0; i < c->accounts; i++) {
        sum += accounts[i].balance;
        pthread_mutex_destroy(&accounts[i].lock);
    }
    if (rc == 0 && sum != initial * (int64_t)c->accounts) {
        fprintf(stderr, "growbench: balances sum to %" PRId64 ", not %" PRId64 "\n", sum,
                initial * (int64_t)c->accounts);
        rc = -1;
    }
    *checksum = (uint64_t)sum ^ c->count;
    free(accounts);
    free(workers);
    return rc;
}

/* --- distinct --- */

static int run_distinct(const struct bench_config *c, uint64_t *checksum)
{
    pthread_mutex_t *locks = calloc(c->count, sizeof *locks);
    if (!locks) {
        fputs("growbench: out of memory\n", stderr);
        return -1;
    }
    uint64_t sum = 0;
    for (uint64_t i = 0; i < c->count; i++)
        pthread_mutex_init(&locks[i], NULL);
    for (uint64_t i = 0; i + 1 < c->count; i += 2) {
        if (pthread_mutex_lock(&locks[i]) == 0) sum++;
        if (pthread_mutex_lock(&locks[i + 1]) == 0) sum++;
        pthread_mutex_unlock(&locks[i + 1]);
        pthread_mutex_unlock(&locks[i]);
    }
    for (uint64_t i = 0; i < c->count; i++)
        pthread_mutex_destroy(&locks[i]);
    free(locks);
    *checksum = sum;
    if (sum != c->count) {
        fprintf(stderr, "growbench: %" PRIu64 " of %" PRIu64 " locks taken\n", sum, c->count);
        return -1;
    }
    return 0;
}

/* --- fork --- */

struct child_shared {
    pthread_mutex_t outer, inner;
    uint64_t updates;
    uint64_t iterations;
};

static void *child_thread_main(void *arg)
{
    struct child_shared *s = arg;
    for (uint64_t i = 0; i < s->iterations; i++) {
        pthread_mutex_lock(&s->outer);
        pthread_mutex_lock(&s->inner);
        s->updates++;
        pthread_mutex_unlock(&s->inner);
        pthread_mutex_unlock(&s->outer);
    }
    return NULL;
}

/* A child's whole life; its exit status says whether every update was counted. */
static int child_main(const struct bench_config *c, struct child_shared *s)
{
    s->iterations = c->count;
    pthread_mutex_init(&s->outer, NULL);
    pthread_mutex_init(&s->inner, NULL);
    pthread_t threads[64];
    uint64_t started = 0;
    for (; started < c->threads; started++)
        if (pthread_create(&threads[started], NULL, child_thread_main, s) != 0) break;
    for (uint64_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    return started == c->threads && s->updates == c->threads * c->count ? 0 : 1;
}

/* Waits for one child; false (after a line on stderr) when it failed. */
static bool reap_one(void)
{
    int status;
    pid_t pid;
    while ((pid = wait(&status)) < 0 && errno == EINTR)
        ;
    if (pid < 0) {
        perror("growbench: wait");
        return false;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "growbench: child %ld failed (status 0x%x)\n", (long)pid, status);
        return false;
    }
    return true;
}

static int run_fork(const struct bench_config *c, uint64_t *checksum)
{
    struct child_shared *states = calloc(c->children, sizeof *states);
    if (!states) {
        fputs("growbench: out of memory\n", stderr);
        return -1;
    }
    uint64_t running = 0, failed = 0;
    for (uint64_t i = 0; i < c->children; i++) {
        if (running == c->parallel) {
            if (!reap_one()) failed++;
            running--;
        }
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            perror("growbench: fork");
            failed++;
            break;
        }
        if (pid == 0) _exit(child_main(c, &states[i]));
        running++;
    }
    for (; running > 0; running--)
        if (!reap_one()) failed++;
    free(states);
    *checksum = c->children * c->threads * c->count;
    return failed == 0 ? 0 : -1;
}

static void usage(FILE *out)
{
    fputs("usage: growbench -k transfers [-a ACCOUNTS] [-n TRANSFERS] [-t THREADS] [-s SEED]\n"
          "       growbench -k distinct [-n LOCKS]\n"
          "       growbench -k fork [-c CHILDREN] [-p PARALLEL] [-t THREADS] [-n ITERATIONS]\n",
          out);
}

static const char *const kind_names[] = {"transfers", "distinct", "fork"};

int main(int argc, char **argv)
{
    struct bench_config c = {.kind = BENCH_TRANSFERS,
                             .accounts = 1000,
                             .threads = 4,
                             .children = 400,
                             .parallel = 4,
                             .seed = 1};
    uint64_t count = 0;
    int opt;
    while ((opt = getopt(argc, argv, "k:a:n:t:c:p:s:h")) != -1) {
        int bad = 0;
        switch (opt) {
        case 'k':
            bad = 1;
            for (int k = 0; k < 3; k++)
                if (strcmp(optarg, kind_names[k]) == 0) {
                    c.kind = (enum bench_kind)k;
                    bad = 0;
                }
            break;
        case 'a':
            bad = parse_count(optarg, UINT32_MAX, &c.accounts) || c.accounts < 2;
            break;
        case 'n':
            bad = parse_count(optarg, UINT64_MAX / 64, &count);
            break;
        case 't':
            bad = parse_count(optarg, 64, &c.threads);
            break;
        case 'c':
            bad = parse_count(optarg, 1000000, &c.children);
            break;
        case 'p':
            bad = parse_count(optarg, 4096, &c.parallel);
            break;
        case 's':
            bad = parse_count(optarg, UINT32_MAX, &c.seed);
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            bad = 1;
        }
        if (bad) {
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    static const uint64_t default_count[] = {200000, 1000000, 20000};
    c.count = count ? count : default_count[c.kind];
    if (c.kind == BENCH_DISTINCT && c.count % 2 != 0) {
        fputs("growbench: -k distinct takes an even number of locks\n", stderr);
        return 2;
    }
    uint64_t checksum = 0;
    double start = now_seconds();
    int rc = c.kind == BENCH_TRANSFERS  ? run_transfers(&c, &checksum)
             : c.kind == BENCH_DISTINCT ? run_distinct(&c, &checksum)
                                        : run_fork(&c, &checksum);
    double elapsed = now_seconds() - start;
    printf("growbench %s: %.3f s, checksum %" PRIu64 "\n", kind_names[c.kind], elapsed, checksum);
    return rc == 0 ? 0 : 1;
}
