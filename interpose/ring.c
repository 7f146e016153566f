/* ring.c — the writing end of the record ring (see ring.h and lockwatch/ring.h). */
#include "ring.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "nocancel.h"

/* Naps while the ring is full: from 20 µs, doubling up to 1 ms. A driver whose beat has not
 * moved for ten seconds of naps is gone, stopped, or never took the ring over. */
#define LWI_RING_FIRST_NAP_NS 20000L
#define LWI_RING_LAST_NAP_NS 1000000L
#ifndef LWI_RING_PATIENCE_NS /* test_ring shortens it */
#define LWI_RING_PATIENCE_NS 10000000000ull
#endif

struct lw_ring_header *lwi_ring_create(int *fd)
{
    int memfd = memfd_create("lockwatch-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (memfd < 0) return NULL;
    void *map = MAP_FAILED;
    /* Sealed at its size: nobody can shrink it under the driver's mapping (a SIGBUS there). */
    if (ftruncate(memfd, LW_RING_FILE_SIZE) == 0 &&
        fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) == 0)
        map = mmap(NULL, LW_RING_FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (map == MAP_FAILED) {
        close(memfd);
        return NULL;
    }
    struct lw_ring_header *r = map;
    r->magic = LW_RING_MAGIC;
    r->version = LW_WIRE_VERSION;
    r->data_size = LW_RING_DATA_SIZE;
    *fd = memfd;
    return r;
}

void lwi_ring_destroy(struct lw_ring_header *r)
{
    munmap(r, LW_RING_FILE_SIZE);
}

/* A writer's wait for room: the driver's beat when last seen to move, and the time napped since. */
struct lwi_ring_wait {
    uint64_t beat;
    uint64_t napped_ns;
    unsigned naps;
};

static inline void lwi_ring_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    atomic_signal_fence(memory_order_seq_cst);
#endif
}

/* One nap while the ring is full. False when waiting is pointless: the driver has not looked at
 * the ring for LWI_RING_PATIENCE_NS (lwi_ring_put checks `closed` itself). A driver that keeps
 * looking but cannot keep up is waited for, as a full socket would be. */
static bool lwi_ring_nap(struct lw_ring_header *r, struct lwi_ring_wait *w, bool may_sleep)
{
    uint64_t beat = atomic_load_explicit(&r->beat, memory_order_relaxed);
    if (beat != w->beat) {
        w->beat = beat;
        w->napped_ns = 0;
    }
    if (w->napped_ns >= LWI_RING_PATIENCE_NS) return false;
    long ns = LWI_RING_FIRST_NAP_NS << (w->naps < 6 ? w->naps : 6);
    if (ns > LWI_RING_LAST_NAP_NS) ns = LWI_RING_LAST_NAP_NS;
    struct timespec nap = {.tv_sec = 0, .tv_nsec = ns};
    if (!may_sleep) {
        /* No nanosleep allowed (seccomp): spin instead, a pause being 10 ns or more. */
        for (long i = 0; i < ns / 10; i++)
            lwi_ring_pause();
    } else {
        LWI_NOCANCEL_BEGIN(); /* nanosleep is a cancellation point; the lock call is not */
        nanosleep(&nap, NULL);
        LWI_NOCANCEL_END();
    }
    w->napped_ns += (uint64_t)ns;
    w->naps++;
    return true;
}

bool lwi_ring_put(struct lw_ring_header *r, const void *record, size_t size)
{
    return lwi_ring_put_ex(r, record, size, true);
}

bool lwi_ring_put_ex(struct lw_ring_header *r, const void *record, size_t size, bool may_sleep)
{
    uint64_t span = lw_ring_span(size);
    uint64_t pos;
    struct lwi_ring_wait wait = {.beat = atomic_load_explicit(&r->beat, memory_order_relaxed)};
    for (;;) {
        if (atomic_load_explicit(&r->closed, memory_order_relaxed)) return false;
        /* tail first: head, read after it, is then never behind it */
        uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
        pos = atomic_load_explicit(&r->head, memory_order_relaxed);
        if (pos - tail + span > LW_RING_DATA_SIZE) {
            if (!lwi_ring_nap(r, &wait, may_sleep)) return false;
            continue;
        }
        if (atomic_compare_exchange_weak_explicit(&r->head, &pos, pos + span, memory_order_relaxed,
                                                  memory_order_relaxed))
            break;
    }
    /* Reserved: say whose slot it is (pid and tid first, so a reader that sees the mark sees
     * them). */
    struct lw_rec_header h;
    memcpy(&h, record, sizeof h);
    memcpy(lw_ring_byte(r, pos + 8), (const unsigned char *)record + 8, 8);
    struct lw_rec_header mark = h;
    mark.magic = 0;
    uint64_t *slot = lw_ring_slot_word(r, pos);
    __atomic_store_n(slot, lw_ring_header_word(&mark), __ATOMIC_RELEASE);
    lw_ring_copy_in(r, pos + 8, (const unsigned char *)record + 8, size - 8);
    __atomic_store_n(slot, lw_ring_header_word(&h), __ATOMIC_RELEASE);
    return true;
}
