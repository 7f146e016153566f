/* test_ring.c — the record ring (lockwatch/ring.h) end to end: the runtime's writer
 * (interpose/ring.c) and the driver's reader (detector/cli/records/ring_reader.c) on one memfd,
 * mapped twice as in a real run. Records come out whole and in each writer's order while the ring
 * goes round many times and writers wait for room; a slot reserved by a process that no longer
 * maps the ring is skipped, one whose writer lives is waited for (for ever if the writer is
 * stopped), else given up; bytes that are not records break the ring; writers wait for a slow
 * driver but give up on a closed ring or one nobody looks at; attach refuses a descriptor that is
 * not a sealed ring. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "detector/cli/records/ring_reader.h"
#include "interpose/ring.h"

#define WRITERS 4
#define PER_WRITER 20000

/* A ring as a run has it: the runtime's mapping (w) and the driver's (r). */
struct pair {
    struct lw_ring_header *w;
    struct lwd_ring r;
};

/* pids_ours: whether the driver may ask /proc about the writers' pids (lwd_ring_attach). */
static void open_pair(struct pair *p, bool pids_ours)
{
    int fd;
    p->w = lwi_ring_create(&fd);
    assert_non_null(p->w);
    assert_int_equal(lwd_ring_attach(&p->r, fd, LW_RING_FILE_SIZE, pids_ours), 0); /* takes fd */
    assert_int_equal(atomic_load(&p->w->beat), 1);
}

static void close_pair(struct pair *p)
{
    lwd_ring_detach(&p->r);
    lwi_ring_destroy(p->w);
}

/* Record `seq` of writer `writer`: its size and every byte follow from the two. */
static uint32_t record_size(uint32_t writer, uint32_t seq)
{
    return (uint32_t)sizeof(struct lw_rec_header) + ((seq * 37u + writer * 11u) % 700u);
}

static unsigned char body_byte(uint32_t writer, uint32_t seq, uint32_t i)
{
    return (unsigned char)(i * 13u + seq * 7u + writer);
}

static void make_record(unsigned char *buf, uint32_t writer, uint32_t seq)
{
    uint32_t size = record_size(writer, seq);
    struct lw_rec_header h = {.magic = LW_WIRE_MAGIC,
                              .version = LW_WIRE_VERSION,
                              .type = LW_REC_THREAD_EXIT,
                              .size = size,
                              .pid = (int32_t)getpid(),
                              .thread = writer,
                              .time_ns = seq};
    memcpy(buf, &h, sizeof h);
    for (uint32_t i = sizeof h; i < size; i++)
        buf[i] = body_byte(writer, seq, i);
}

/* What the reader saw: the next sequence number expected of each writer. */
struct seen {
    uint32_t next[WRITERS];
    uint64_t total;
};

static void check_record(void *ctx, const void *rec, size_t size)
{
    struct seen *s = ctx;
    assert_int_equal((uintptr_t)rec % 16, 0);
    const struct lw_rec_header *h = rec;
    assert_true(h->thread < WRITERS);
    uint32_t seq = (uint32_t)h->time_ns;
    assert_int_equal(seq, s->next[h->thread]); /* each writer's records in its order */
    assert_int_equal(size, record_size(h->thread, seq));
    const unsigned char *bytes = rec;
    for (uint32_t i = sizeof *h; i < size; i++)
        if (bytes[i] != body_byte(h->thread, seq, i)) fail_msg("byte %u of record %u", i, seq);
    s->next[h->thread]++;
    s->total++;
}

static void drain_all(struct pair *p, struct seen *s)
{
    size_t bytes = 0;
    uint64_t skipped = 0;
    assert_int_equal(lwd_ring_drain(&p->r, SIZE_MAX, false, check_record, s, &bytes, &skipped),
                     LWD_RING_EMPTY);
    assert_int_equal(skipped, 0);
}

static void test_one_writer_goes_round(void **state)
{
    (void)state;
    struct pair p;
    open_pair(&p, true);
    struct seen s = {0};
    unsigned char buf[LW_WIRE_MAX_RECORD];
    /* ~450 bytes a record: 9000 records go round the 1 MiB ring about four times. */
    for (uint32_t seq = 0; seq < 9000; seq++) {
        make_record(buf, 0, seq);
        assert_true(lwi_ring_put(p.w, buf, record_size(0, seq)));
        if (seq % 1000 == 999) drain_all(&p, &s);
    }
    drain_all(&p, &s);
    assert_int_equal(s.total, 9000);
    assert_true(atomic_load(&p.w->tail) > 3 * (uint64_t)LW_RING_DATA_SIZE);
    close_pair(&p);
}

struct writer_arg {
    struct lw_ring_header *ring;
    uint32_t writer;
};

static void *writer_main(void *arg)
{
    struct writer_arg *a = arg;
    unsigned char buf[LW_WIRE_MAX_RECORD];
    for (uint32_t seq = 0; seq < PER_WRITER; seq++) {
        make_record(buf, a->writer, seq);
        if (!lwi_ring_put(a->ring, buf, record_size(a->writer, seq))) return (void *)1;
    }
    return NULL;
}

/* Four writers outpace one reader (~28 MB through 1 MiB): they wait for room, and the reader
 * still sees every record whole, each writer's in order. */
static void test_writers_race_reader(void **state)
{
    (void)state;
    struct pair p;
    open_pair(&p, true);
    pthread_t threads[WRITERS];
    struct writer_arg args[WRITERS];
    for (uint32_t i = 0; i < WRITERS; i++) {
        args[i] = (struct writer_arg){p.w, i};
        assert_int_equal(pthread_create(&threads[i], NULL, writer_main, &args[i]), 0);
    }
    struct seen s = {0};
    while (s.total < (uint64_t)WRITERS * PER_WRITER) {
        size_t bytes = 0;
        uint64_t skipped = 0;
        enum lwd_ring_drain_result rc =
            lwd_ring_drain(&p.r, 64 * 1024, false, check_record, &s, &bytes, &skipped);
        assert_int_not_equal(rc, LWD_RING_BROKEN);
        assert_int_equal(skipped, 0);
        if (bytes == 0) sched_yield();
    }
    for (uint32_t i = 0; i < WRITERS; i++) {
        void *failed;
        pthread_join(threads[i], &failed);
        assert_null(failed);
        assert_int_equal(s.next[i], PER_WRITER);
    }
    assert_int_equal(atomic_load(&p.w->head), atomic_load(&p.w->tail));
    close_pair(&p);
}

/* A pid that existed and is gone (reaped). */
static int32_t dead_pid(void)
{
    pid_t child = fork();
    if (child == 0) _exit(0);
    assert_true(child > 0);
    assert_int_equal(waitpid(child, NULL, 0), child);
    return (int32_t)child;
}

/* Steps 1 and 2 of a write (lockwatch/ring.h) by thread `pid` of process `pid`, never
 * finished. */
static void reserve_only(struct lw_ring_header *r, int32_t pid, uint32_t size)
{
    uint64_t pos = atomic_fetch_add(&r->head, lw_ring_span(size));
    int32_t ids[2] = {pid, pid};
    memcpy(lw_ring_byte(r, pos + 8), ids, sizeof ids);
    struct lw_rec_header mark = {.magic = 0, .size = size};
    __atomic_store_n(lw_ring_slot_word(r, pos), lw_ring_header_word(&mark), __ATOMIC_RELEASE);
}

static void nap_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Drains once (`final` as for lwd_ring_drain), expecting EMPTY; returns the records delivered
 * and adds the slots skipped to *skipped. */
static uint64_t drain_count(struct pair *p, bool final, uint64_t *skipped)
{
    struct seen s = {0};
    size_t bytes = 0;
    assert_int_equal(lwd_ring_drain(&p->r, SIZE_MAX, final, check_record, &s, &bytes, skipped),
                     LWD_RING_EMPTY);
    return s.total;
}

static void test_abandoned_slot_is_skipped(void **state)
{
    (void)state;
    struct pair p;
    open_pair(&p, true);
    reserve_only(p.w, dead_pid(), 100);
    unsigned char buf[LW_WIRE_MAX_RECORD];
    make_record(buf, 0, 0);
    assert_true(lwi_ring_put(p.w, buf, record_size(0, 0)));
    uint64_t skipped = 0;
    assert_int_equal(drain_count(&p, false, &skipped), 0); /* held up: the writer may yet publish */
    nap_ms(600);
    assert_int_equal(drain_count(&p, false, &skipped), 1); /* its writer is gone: skipped */
    assert_int_equal(skipped, 1);
    close_pair(&p);
}

/* When the caller knows nobody maps the ring any more, an unpublished slot is skipped at once. */
static void test_final_drain_skips_at_once(void **state)
{
    (void)state;
    struct pair p;
    open_pair(&p, true);
    reserve_only(p.w, (int32_t)getpid(), 100);
    unsigned char buf[LW_WIRE_MAX_RECORD];
    make_record(buf, 0, 0);
    assert_true(lwi_ring_put(p.w, buf, record_size(0, 0)));
    uint64_t skipped = 0;
    assert_int_equal(drain_count(&p, true, &skipped), 1);
    assert_int_equal(skipped, 1);
    close_pair(&p);
}

static enum lwd_ring_drain_result drain_result(struct pair *p)
{
    struct seen s = {0};
    size_t bytes = 0;
    uint64_t skipped = 0;
    enum lwd_ring_drain_result rc =
        lwd_ring_drain(&p->r, SIZE_MAX, false, check_record, &s, &bytes, &skipped);
    assert_int_equal(skipped, 0);
    assert_int_equal(s.total, 0);
    return rc;
}

/* The unpublished slot at the tail holds the read up for a second (the test's give-up delay),
 * neither delivered nor skipped, then the ring is given up. */
static void expect_waited_then_given_up(struct pair *p)
{
    assert_int_equal(drain_result(p), LWD_RING_EMPTY);
    nap_ms(600);
    assert_int_equal(drain_result(p), LWD_RING_EMPTY);
    nap_ms(600);
    assert_int_equal(drain_result(p), LWD_RING_STUCK);
}

/* A slot reserved by a writer that maps the ring, runs and never publishes (a signal handler
 * that jumped out of the write) is waited for, then the ring is given up (after 1 s here, 10 s
 * in a run), so that the process's other writers are not left waiting for room for ever. */
static void test_live_writer_slot_is_waited_for_then_given_up(void **state)
{
    (void)state;
    struct pair p;
    open_pair(&p, true);
    reserve_only(p.w, (int32_t)getpid(), 100); /* we map the ring: we may still publish */
    expect_waited_then_given_up(&p);
    close_pair(&p);
}

/* A slot reserved and never marked (its process killed between the two steps) names no writer:
 * the final drain cannot skip it (its size is unknown), and a live ring is given up. */
static void test_unmarked_slot_is_given_up(void **state)
{
    (void)state;
    struct pair p;
    open_pair(&p, true);
    atomic_fetch_add(&p.w->head, 64);
    uint64_t skipped = 0;
    assert_int_equal(drain_count(&p, true, &skipped), 0);
    assert_int_equal(skipped, 0);
    assert_int_equal(drain_result(&p), LWD_RING_EMPTY);
    nap_ms(1100);
    assert_int_equal(drain_result(&p), LWD_RING_STUCK);
    close_pair(&p);
}

/* A writer stopped (SIGSTOP, a debugger) in the middle of a record is waited for however long;
 * once it is gone, its slot is skipped. */
static void test_stopped_writer_is_waited_for(void **state)
{
    (void)state;
    struct pair p;
    open_pair(&p, true);
    pid_t child = fork(); /* maps the ring too: the mapping is shared */
    if (child == 0) {
        for (;;)
            pause();
    }
    assert_true(child > 0);
    assert_int_equal(kill(child, SIGSTOP), 0);
    int status;
    assert_int_equal(waitpid(child, &status, WUNTRACED), child);
    assert_true(WIFSTOPPED(status));
    reserve_only(p.w, (int32_t)child, 100);
    assert_int_equal(drain_result(&p), LWD_RING_EMPTY);
    nap_ms(1300); /* past the give-up delay */
    assert_int_equal(drain_result(&p), LWD_RING_EMPTY);
    kill(child, SIGKILL);
    assert_int_equal(waitpid(child, &status, 0), child);
    nap_ms(600);
    uint64_t skipped = 0;
    assert_int_equal(drain_count(&p, false, &skipped), 0);
    assert_int_equal(skipped, 1);
    close_pair(&p);
}

/* Pids from another pid namespace say nothing here: a slot is never skipped by its pid (the
 * process with that number here is not the writer), only given up. */
static void test_foreign_pids_are_not_asked_about(void **state)
{
    (void)state;
    struct pair p;
    open_pair(&p, false);
    reserve_only(p.w, dead_pid(), 100);
    expect_waited_then_given_up(&p);
    close_pair(&p);
}

static void test_garbage_breaks_the_ring(void **state)
{
    (void)state;
    struct pair p;
    open_pair(&p, true);
    uint64_t pos = atomic_fetch_add(&p.w->head, 64);
    struct lw_rec_header junk = {.magic = 0x1234, .version = LW_WIRE_VERSION, .size = 64};
    __atomic_store_n(lw_ring_slot_word(p.w, pos), lw_ring_header_word(&junk), __ATOMIC_RELEASE);
    struct seen s = {0};
    size_t bytes = 0;
    uint64_t skipped = 0;
    assert_int_equal(lwd_ring_drain(&p.r, SIZE_MAX, false, check_record, &s, &bytes, &skipped),
                     LWD_RING_BROKEN);
    /* a size beyond what was reserved is as bad */
    junk.magic = LW_WIRE_MAGIC;
    junk.size = 128;
    __atomic_store_n(lw_ring_slot_word(p.w, pos), lw_ring_header_word(&junk), __ATOMIC_RELEASE);
    assert_int_equal(lwd_ring_drain(&p.r, SIZE_MAX, false, check_record, &s, &bytes, &skipped),
                     LWD_RING_BROKEN);
    assert_int_equal(s.total, 0);
    close_pair(&p);
}

/* Fills the ring with 4 KB records until a put fails; returns how many went in. */
static uint32_t fill(struct lw_ring_header *w)
{
    unsigned char buf[LW_WIRE_MAX_RECORD];
    struct lw_rec_header h = {.magic = LW_WIRE_MAGIC,
                              .version = LW_WIRE_VERSION,
                              .type = LW_REC_THREAD_EXIT,
                              .size = LW_WIRE_MAX_RECORD,
                              .pid = (int32_t)getpid()};
    memset(buf, 0x5a, sizeof buf);
    memcpy(buf, &h, sizeof h);
    uint32_t n = 0;
    while (n <= LW_RING_DATA_SIZE / LW_WIRE_MAX_RECORD && lwi_ring_put(w, buf, sizeof buf))
        n++;
    return n;
}

/* A full ring whose driver stopped looking (no beat): the writer gives up after its patience
 * (shortened here), not never. */
static void test_writer_gives_up_when_driver_stops_looking(void **state)
{
    (void)state;
    struct pair p;
    open_pair(&p, true);
    assert_int_equal(fill(p.w), LW_RING_DATA_SIZE / LW_WIRE_MAX_RECORD);
    close_pair(&p);
}

struct beater {
    struct lwd_ring *ring;
    atomic_bool stop;
};

/* A driver that keeps looking but reads nothing until told to stop, then drains. */
static void *beat_main(void *arg)
{
    struct beater *b = arg;
    while (!atomic_load(&b->stop)) {
        atomic_fetch_add(&b->ring->hdr->beat, 1);
        nap_ms(10);
    }
    return NULL;
}

/* A driver that is slow but alive (its beat moves) is waited for beyond the patience. */
static void test_writer_waits_for_slow_driver(void **state)
{
    (void)state;
    struct pair p;
    open_pair(&p, true);
    struct beater b = {.ring = &p.r, .stop = false};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, beat_main, &b), 0);
    unsigned char buf[LW_WIRE_MAX_RECORD];
    uint32_t n = 0;
    while (lw_ring_span(record_size(0, n)) + atomic_load(&p.w->head) <= LW_RING_DATA_SIZE) {
        make_record(buf, 0, n);
        assert_true(lwi_ring_put(p.w, buf, record_size(0, n)));
        n++;
    }
    struct writer_arg late = {p.w, 1};
    pthread_t writer;
    assert_int_equal(pthread_create(&writer, NULL, writer_main, &late), 0);
    nap_ms(600); /* twice the patience: the writer is still waiting */
    atomic_store(&b.stop, true);
    pthread_join(thread, NULL);
    struct seen s = {0};
    while (s.next[1] < PER_WRITER) { /* now read: the waiting writer goes on */
        size_t bytes = 0;
        uint64_t skipped = 0;
        assert_int_not_equal(
            lwd_ring_drain(&p.r, SIZE_MAX, false, check_record, &s, &bytes, &skipped),
            LWD_RING_BROKEN);
    }
    void *failed;
    pthread_join(writer, &failed);
    assert_null(failed);
    assert_int_equal(s.next[0], n);
    close_pair(&p);
}

static void test_writer_gives_up_on_closed_ring(void **state)
{
    (void)state;
    int fd;
    struct lw_ring_header *w = lwi_ring_create(&fd);
    assert_non_null(w);
    struct lwd_ring r;
    assert_int_equal(lwd_ring_attach(&r, fd, LW_RING_FILE_SIZE, true), 0);
    lwd_ring_detach(&r);
    assert_int_equal(fill(w), 0);
    lwi_ring_destroy(w);
}

static void test_attach_refuses_what_is_not_a_ring(void **state)
{
    (void)state;
    struct lwd_ring r;
    /* the right size, but unsealed: the program could shrink it under the driver */
    int fd = memfd_create("not-a-ring", MFD_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, LW_RING_FILE_SIZE), 0);
    assert_int_equal(lwd_ring_attach(&r, fd, LW_RING_FILE_SIZE, true), -1);
    assert_null(r.hdr);
    /* a ring announced with the wrong size */
    struct lw_ring_header *w = lwi_ring_create(&fd);
    assert_non_null(w);
    int again = dup(fd);
    assert_int_equal(lwd_ring_attach(&r, fd, LW_RING_FILE_SIZE / 2, true), -1);
    /* sealed and sized, but its header is not a ring's */
    w->magic = 0;
    assert_int_equal(lwd_ring_attach(&r, again, LW_RING_FILE_SIZE, true), -1);
    assert_null(r.hdr);
    lwi_ring_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_writer_goes_round),
        cmocka_unit_test(test_writers_race_reader),
        cmocka_unit_test(test_abandoned_slot_is_skipped),
        cmocka_unit_test(test_live_writer_slot_is_waited_for_then_given_up),
        cmocka_unit_test(test_unmarked_slot_is_given_up),
        cmocka_unit_test(test_stopped_writer_is_waited_for),
        cmocka_unit_test(test_foreign_pids_are_not_asked_about),
        cmocka_unit_test(test_final_drain_skips_at_once),
        cmocka_unit_test(test_garbage_breaks_the_ring),
        cmocka_unit_test(test_writer_gives_up_when_driver_stops_looking),
        cmocka_unit_test(test_writer_waits_for_slow_driver),
        cmocka_unit_test(test_writer_gives_up_on_closed_ring),
        cmocka_unit_test(test_attach_refuses_what_is_not_a_ring),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
