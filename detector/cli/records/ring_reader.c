/* ring_reader.c — see ring_reader.h; the protocol is lockwatch/ring.h's. The ring's bytes belong to
 * the program, so nothing read from them is trusted: sizes are checked before use, and a record is
 * copied out whole before anyone looks at it. */
#include "records/ring_reader.h"

#include <dirent.h>
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

#include "common/clock.h"

/* How long an unpublished slot may hold the read up before the driver asks whether its writer
 * still maps the ring (a writer is a few instructions from publishing, unless stopped or gone),
 * and how often it asks again. */
#define LWD_RING_STALL_MS 500
/* How long an unpublished slot may hold the read up, its writer neither gone nor stopped, before
 * the driver gives the ring up. */
#ifndef LWD_RING_GIVE_UP_MS /* test_ring shortens it */
#define LWD_RING_GIVE_UP_MS 10000
#endif

int lwd_ring_attach(struct lwd_ring *r, int fd, uint64_t file_size, bool pids_ours)
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
    r->tail = atomic_load_explicit(&hdr->tail, memory_order_relaxed); /* 0: nothing read yet */
    r->pids_ours = pids_ours;
    atomic_store_explicit(&hdr->beat, 1, memory_order_relaxed);
    return 0;
}

void lwd_ring_detach(struct lwd_ring *r)
{
    if (!r->hdr) return;
    atomic_store_explicit(&r->hdr->closed, 1, memory_order_release);
    munmap(r->hdr, LW_RING_FILE_SIZE);
    r->hdr = NULL;
}

void lwd_ring_beat(struct lwd_ring *r)
{
    if (r->hdr) atomic_fetch_add_explicit(&r->hdr->beat, 1, memory_order_relaxed);
}

/* Whether the maps file at path lists the ring's memfd; *lines says whether it listed anything.
 * -1 when it cannot be opened (errno set). */
static int maps_list_ring(const char *path, unsigned long long ino, bool *lines)
{
    FILE *maps = fopen(path, "re");
    if (!maps) return -1;
    char *line = NULL;
    size_t cap = 0;
    bool found = false;
    *lines = false;
    while (!found && getline(&line, &cap, maps) > 0) {
        unsigned long long got;
        *lines = true;
        /* start-end perms offset dev inode path */
        if (sscanf(line, "%*s %*s %*s %*s %llu", &got) == 1 && got == ino && strstr(line, "memfd:"))
            found = true;
    }
    free(line);
    fclose(maps);
    return found;
}

bool lwd_ring_mapped_by(const struct lwd_ring *r, int32_t pid)
{
    char path[96];
    snprintf(path, sizeof path, "/proc/%" PRId32 "/maps", pid);
    bool lines = false;
    int found = maps_list_ring(path, r->ino, &lines);
    if (found < 0) return errno != ENOENT && errno != ESRCH;
    if (found || lines) return found;
    /* Nothing listed: the main thread has ended (pthread_exit) while others run, and its maps
     * read empty; a live thread's show the process's mappings. */
    snprintf(path, sizeof path, "/proc/%" PRId32 "/task", pid);
    DIR *tasks = opendir(path);
    if (!tasks) return false;
    struct dirent *e;
    while (!found && (e = readdir(tasks)) != NULL) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9' || strlen(e->d_name) > 10) continue;
        snprintf(path, sizeof path, "/proc/%" PRId32 "/task/%s/maps", pid, e->d_name);
        found = maps_list_ring(path, r->ino, &lines) > 0;
    }
    closedir(tasks);
    return found;
}

/* Whether thread tid of process pid is stopped (SIGSTOP, or a debugger): its slot may take any
 * time, and the driver waits for it however long. */
static bool thread_stopped(int32_t pid, int32_t tid)
{
    char path[96];
    snprintf(path, sizeof path, "/proc/%" PRId32 "/task/%" PRId32 "/stat", pid, tid);
    FILE *f = fopen(path, "re");
    if (!f) return false;
    char buf[512];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *paren = strrchr(buf, ')'); /* "pid (comm) S ...": comm may hold anything */
    return paren && (paren[1] == ' ') && (paren[2] == 'T' || paren[2] == 't');
}

enum stall_verdict { STALL_WAIT, STALL_SKIP, STALL_GIVE_UP };

/* The slot at tail is not published: its first word is 0 (reserved, not yet marked) or a mark
 * naming its writer. Decides whether to wait for it, skip it (its writer's image no longer maps
 * the ring), or give the ring up (it has waited LWD_RING_GIVE_UP_MS for a writer that is neither
 * gone nor stopped). */
static enum stall_verdict judge_stall(struct lwd_ring *r, uint64_t tail, bool marked)
{
    long long now = lwd_now_ms();
    if (!r->stalled || r->stall_pos != tail) {
        r->stalled = true;
        r->stall_pos = tail;
        r->stall_since_ms = r->stall_asked_ms = now;
        return STALL_WAIT;
    }
    if (marked && r->pids_ours && now - r->stall_asked_ms >= LWD_RING_STALL_MS) {
        r->stall_asked_ms = now;
        int32_t ids[2]; /* the header's pid and tid, written with the mark */
        memcpy(ids, lw_ring_byte(r->hdr, tail + 8), sizeof ids);
        if (ids[0] > 0 && !lwd_ring_mapped_by(r, ids[0])) return STALL_SKIP;
        if (thread_stopped(ids[0], ids[1])) r->stall_since_ms = now;
    }
    return now - r->stall_since_ms >= LWD_RING_GIVE_UP_MS ? STALL_GIVE_UP : STALL_WAIT;
}

/* Frees [tail, tail + span) for writers: zeroed first, so an unpublished slot reads as 0. */
static void consume(struct lwd_ring *r, uint64_t span)
{
    lw_ring_zero(r->hdr, r->tail, (size_t)span);
    r->tail += span;
    atomic_store_explicit(&r->hdr->tail, r->tail, memory_order_release);
}

enum lwd_ring_drain_result lwd_ring_drain(struct lwd_ring *r, size_t cap, bool final,
                                          lwd_record_fn *fn, void *ctx, size_t *bytes,
                                          uint64_t *skipped)
{
    _Alignas(16) unsigned char rec[LW_WIRE_MAX_RECORD];
    struct lw_ring_header *hdr = r->hdr;
    atomic_fetch_add_explicit(&hdr->beat, 1, memory_order_relaxed); /* we are here */
    uint64_t head = atomic_load_explicit(&hdr->head, memory_order_acquire);
    if (head - r->tail > LW_RING_DATA_SIZE) return LWD_RING_BROKEN;
    size_t taken = 0;
    while (r->tail != head) {
        if (taken >= cap) return LWD_RING_MORE;
        uint64_t word = __atomic_load_n(lw_ring_slot_word(hdr, r->tail), __ATOMIC_ACQUIRE);
        struct lw_rec_header h = lw_ring_word_header(word);
        if (word != 0 && (h.size < sizeof h || h.size > LW_WIRE_MAX_RECORD ||
                          lw_ring_span(h.size) > head - r->tail))
            return LWD_RING_BROKEN;
        uint64_t span = lw_ring_span(h.size);
        if (word == 0 || h.magic == 0) { /* reserved, not published */
            enum stall_verdict v =
                final ? (word ? STALL_SKIP : STALL_WAIT) : judge_stall(r, r->tail, word != 0);
            if (v == STALL_GIVE_UP) return LWD_RING_STUCK;
            if (v == STALL_WAIT) return LWD_RING_EMPTY;
            consume(r, span);
            ++*skipped;
            continue;
        }
        if (h.magic != LW_WIRE_MAGIC || h.version != LW_WIRE_VERSION) return LWD_RING_BROKEN;
        r->stalled = false;
        lw_ring_copy_out(hdr, r->tail, rec, h.size);
        memcpy(rec, &h, 8); /* the header as checked, whatever the program wrote since */
        consume(r, span);
        taken += span;
        *bytes += span;
        fn(ctx, rec, h.size);
    }
    return LWD_RING_EMPTY;
}
