/* ring.c — see ring.h; the protocol is lockwatch/ring.h's. The ring's bytes belong to the
 * program, so nothing read from them is trusted: sizes are checked before use, and a record is
 * copied out whole before anyone looks at it. */
#include "ring.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* How long a reserved slot may hold the read up before the driver asks whether its writer still
 * maps the ring (a writer is a few instructions from publishing, unless stopped or gone). */
#define LWD_RING_STALL_MS 500

static long long ring_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int lwd_ring_attach(struct lwd_ring *r, int fd, uint64_t file_size)
{
    memset(r, 0, sizeof *r);
    struct stat st;
    int seals = fcntl(fd, F_GET_SEALS);
    bool usable = file_size == LW_RING_FILE_SIZE && fstat(fd, &st) == 0 &&
                  (uint64_t)st.st_size == file_size && seals >= 0 && (seals & F_SEAL_SHRINK);
    void *map = usable ? mmap(NULL, LW_RING_FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
                       : MAP_FAILED;
    close(fd);
    if (map == MAP_FAILED) return -1;
    struct lw_ring_header *hdr = map;
    if (hdr->magic != LW_RING_MAGIC || hdr->version != LW_WIRE_VERSION ||
        hdr->data_size != LW_RING_DATA_SIZE) {
        munmap(map, LW_RING_FILE_SIZE);
        return -1;
    }
    r->hdr = hdr;
    r->ino = (uint64_t)st.st_ino;
    atomic_store_explicit(&hdr->reader_pid, (int32_t)getpid(), memory_order_release);
    return 0;
}

void lwd_ring_detach(struct lwd_ring *r)
{
    if (!r->hdr) return;
    atomic_store_explicit(&r->hdr->closed, 1, memory_order_release);
    munmap(r->hdr, LW_RING_FILE_SIZE);
    r->hdr = NULL;
}

bool lwd_ring_mapped_by(const struct lwd_ring *r, int32_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%" PRId32 "/maps", pid);
    FILE *maps = fopen(path, "re");
    if (!maps) return errno != ENOENT && errno != ESRCH;
    char *line = NULL;
    size_t cap = 0;
    bool found = false;
    while (!found && getline(&line, &cap, maps) > 0) {
        unsigned long long ino;
        /* start-end perms offset dev inode path */
        if (sscanf(line, "%*s %*s %*s %*s %llu", &ino) == 1 && ino == r->ino &&
            strstr(line, "memfd:"))
            found = true;
    }
    free(line);
    fclose(maps);
    return found;
}

/* The slot at tail is reserved but not yet written. True when it never will be (its writer's
 * image no longer maps the ring, after the slot held the read up for LWD_RING_STALL_MS): the
 * caller skips it. */
static bool abandoned(struct lwd_ring *r, uint64_t tail)
{
    long long now = ring_now_ms();
    if (!r->stalled || r->stall_pos != tail) {
        r->stalled = true;
        r->stall_pos = tail;
        r->stall_since_ms = now;
        return false;
    }
    if (now - r->stall_since_ms < LWD_RING_STALL_MS) return false;
    int32_t pid;
    memcpy(&pid, lw_ring_byte(r->hdr, tail + 8), sizeof pid);
    if (pid > 0 && lwd_ring_mapped_by(r, pid)) {
        r->stall_since_ms = now; /* ask again later, not on every read */
        return false;
    }
    return true;
}

/* Frees [tail, tail + span) for writers: zeroed first, so an unpublished slot reads as magic 0. */
static void consume(struct lw_ring_header *hdr, uint64_t tail, uint64_t span)
{
    lw_ring_zero(hdr, tail, (size_t)span);
    atomic_store_explicit(&hdr->tail, tail + span, memory_order_release);
}

enum lwd_ring_drain_result lwd_ring_drain(struct lwd_ring *r, size_t cap, bool final,
                                          lwd_record_fn *fn, void *ctx, size_t *bytes,
                                          uint64_t *skipped)
{
    _Alignas(16) unsigned char rec[LW_WIRE_MAX_RECORD];
    struct lw_ring_header *hdr = r->hdr;
    size_t taken = 0;
    for (;;) {
        uint64_t tail = atomic_load_explicit(&hdr->tail, memory_order_relaxed);
        uint64_t head = atomic_load_explicit(&hdr->head, memory_order_acquire);
        if (head == tail) return LWD_RING_EMPTY;
        if (head - tail > LW_RING_DATA_SIZE) return LWD_RING_BROKEN;
        if (taken >= cap) return LWD_RING_MORE;
        uint64_t word = __atomic_load_n(lw_ring_slot_word(hdr, tail), __ATOMIC_ACQUIRE);
        struct lw_rec_header h = lw_ring_word_header(word);
        if (word == 0) return LWD_RING_EMPTY; /* reserved this instant: marked next */
        if (h.size < sizeof h || h.size > LW_WIRE_MAX_RECORD || lw_ring_span(h.size) > head - tail)
            return LWD_RING_BROKEN;
        uint64_t span = lw_ring_span(h.size);
        if (h.magic == 0) { /* reserved, being written */
            if (!final && !abandoned(r, tail)) return LWD_RING_EMPTY;
            consume(hdr, tail, span);
            ++*skipped;
            continue;
        }
        if (h.magic != LW_WIRE_MAGIC || h.version != LW_WIRE_VERSION) return LWD_RING_BROKEN;
        r->stalled = false;
        lw_ring_copy_out(hdr, tail, rec, h.size);
        memcpy(rec, &h, 8); /* the header as checked, whatever the program wrote since */
        consume(hdr, tail, span);
        taken += span;
        *bytes += span;
        fn(ctx, rec, h.size);
    }
}
