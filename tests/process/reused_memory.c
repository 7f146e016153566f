/* reused_memory.c — locks in memory handed back without *_destroy, then reused for locks in the
 * opposite roles: each pair is locked in one role order throughout, so there is no inversion,
 * though by address the second pair is the first one reversed.
 *   realloc  an array of two statically initialised mutexes grows (realloc moves it); new blocks
 *            from the allocator land where the old array was, their mutexes in swapped roles;
 *   cfree    as realloc, but the first block is freed with cfree, as programs linked before
 *            glibc 2.26 do (cfree@GLIBC_2.2.5);
 *   munmap   two mutexes in an anonymous mapping; the mapping is unmapped and mapped again at
 *            the same address, the mutexes' roles swapped;
 *   alive    the control: the same two mutexes reused in swapped roles without being freed are
 *            one pair taken in both orders, an inversion.
 * The program checks that the memory really was reused and exits 2 if not. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static const pthread_mutex_t initializer = PTHREAD_MUTEX_INITIALIZER;

/* Locks `first` then `second`: the role order is always the same. */
static void in_order(pthread_mutex_t *first, pthread_mutex_t *second)
{
    pthread_mutex_lock(first);
    pthread_mutex_lock(second); /* @lock:reused-second */
    pthread_mutex_unlock(second);
    pthread_mutex_unlock(first);
}

static int via_realloc(void)
{
    pthread_mutex_t *pair = malloc(2 * sizeof *pair);
    if (!pair) return 1;
    pair[0] = initializer;
    pair[1] = initializer;
    in_order(&pair[0], &pair[1]);
    void *old = pair;
    /* a large block cannot grow in place at the top of a small heap: it moves */
    pthread_mutex_t *grown = realloc(pair, 1 << 20);
    if (!grown || (void *)grown == old) return 2;
    pthread_mutex_t *swapped = malloc(2 * sizeof *swapped);
    if ((void *)swapped != old) return 2;
    swapped[1] = initializer; /* the new first lock where the old second was */
    swapped[0] = initializer;
    in_order(&swapped[1], &swapped[0]);
    free(swapped);
    free(grown);
    return 0;
}

/* The compat symbol old binaries call; glibc's headers no longer declare it. */
__asm__(".symver old_cfree, cfree@GLIBC_2.2.5");
void old_cfree(void *p);

static int via_cfree(void)
{
    pthread_mutex_t *pair = malloc(2 * sizeof *pair);
    if (!pair) return 1;
    pair[0] = initializer;
    pair[1] = initializer;
    in_order(&pair[0], &pair[1]);
    void *old = pair;
    old_cfree(pair);
    pthread_mutex_t *swapped = malloc(2 * sizeof *swapped);
    if ((void *)swapped != old) return 2;
    swapped[1] = initializer;
    swapped[0] = initializer;
    in_order(&swapped[1], &swapped[0]);
    free(swapped);
    return 0;
}

static int via_munmap(void)
{
    size_t size = 4096;
    pthread_mutex_t *m =
        mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return 1;
    m[0] = initializer;
    m[1] = initializer;
    in_order(&m[0], &m[1]);
    if (munmap(m, size) != 0) return 1;
    pthread_mutex_t *again = mmap(m, size, PROT_READ | PROT_WRITE,
                                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (again != m) return 2;
    again[0] = initializer;
    again[1] = initializer;
    in_order(&again[1], &again[0]);
    munmap(again, size);
    return 0;
}

static int alive(void)
{
    static pthread_mutex_t m[2] = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER};
    in_order(&m[0], &m[1]);
    in_order(&m[1], &m[0]);
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    int rc = !strcmp(mode, "realloc")  ? via_realloc()
             : !strcmp(mode, "cfree")  ? via_cfree()
             : !strcmp(mode, "munmap") ? via_munmap()
             : !strcmp(mode, "alive")  ? alive()
                                       : 3;
    if (rc == 2) fprintf(stderr, "reused_memory: the memory was not reused as planned\n");
    if (rc == 0) puts("done");
    return rc;
}
