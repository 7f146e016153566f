/* test_detector.c — the detector fed hand-built records: the edge rules end to end, processes,
 * threads, stacks, overflows, and malformed input (rejected and counted, never a crash). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lockwatch/detector.h"
#include "records.h"

#define PID 100
#define A 0x1000
#define B 0x2000
#define C 0x3000
#define G 0x4000

static struct rec r;

static void feed_bad(struct lw_detector *d)
{
    uint64_t before = lw_detector_report(d)->bad_records;
    assert_int_equal(lw_detector_feed(d, r.bytes, r.len), LW_ERR_BADREC);
    assert_int_equal(lw_detector_report(d)->bad_records, before + 1);
}

/* Thread `thread` of PID requests `lock` at stack `stack` while holding held[0..n). */
static void acquire(struct lw_detector *d, uint32_t thread, struct lw_lock_ref lock, uint64_t stack,
                    uint32_t n, const struct lw_held *held)
{
    rec_acquire(&r, PID, thread, lock, stack, n, held);
    feed_ok(d, &r);
}

/* thread takes `first` then `second` (both mutexes unless given as refs). */
static void order(struct lw_detector *d, uint32_t thread, struct lw_lock_ref first,
                  struct lw_lock_ref second)
{
    const struct lw_held held[] = {held_at(first, 0x10 + thread)};
    acquire(d, thread, second, 0x20 + thread, 1, held);
}

static int setup(void **state)
{
    *state = detector_with_process(PID);
    return 0;
}

static size_t nfindings(struct lw_detector *d)
{
    return lw_detector_report(d)->nfindings;
}

static void test_abba_finding(void **state)
{
    struct lw_detector *d = *state;
    order(d, 1, ref_mutex(A), ref_mutex(B));
    assert_int_equal(nfindings(d), 0);
    order(d, 2, ref_mutex(B), ref_mutex(A));
    struct lw_report *rep = lw_detector_report(d);
    assert_int_equal(rep->nfindings, 1);
    const struct lw_finding *f = rep->findings[0];
    assert_int_equal(f->id, 1);
    assert_int_equal(f->kind, LW_KIND_LOCK_ORDER_INVERSION);
    assert_int_equal(f->pid, PID);
    assert_false(f->single_thread);
    assert_int_equal(f->nlocks, 2);
    assert_int_equal(f->locks[0]->addr, A);
    assert_int_equal(f->locks[1]->addr, B);
    assert_int_equal(f->locks[0]->index, 1);
    assert_int_equal(f->nthreads, 2);
    assert_int_equal(f->ncycle, 2);
    assert_int_equal(f->cycle[0].thread->number, 1);
    assert_ptr_equal(f->cycle[0].holding, f->locks[0]);
    assert_ptr_equal(f->cycle[0].acquiring, f->locks[1]);
    assert_int_equal(f->cycle[0].holding_stack->id, 0x11);
    assert_int_equal(f->cycle[0].acquiring_stack->id, 0x21);
    assert_int_equal(f->cycle[1].thread->number, 2);
    assert_int_equal(f->cycle[1].holding_stack->id, 0x12);
    assert_int_equal(f->cycle[1].acquiring_stack->id, 0x22);
    assert_int_equal(rep->nlocks, 2);
    assert_int_equal(rep->nthreads, 2);
    assert_int_equal(rep->records, 3);
}

static void test_trylock_makes_no_edge(void **state)
{
    struct lw_detector *d = *state;
    order(d, 1, ref_mutex(A), ref_mutex(B));
    struct lw_lock_ref try_a = ref_mutex(A);
    try_a.acq = LW_ACQF_TRY;
    order(d, 2, ref_mutex(B), try_a);
    assert_int_equal(nfindings(d), 0);
    /* A lock taken by trylock is still held: it makes edges out of it. */
    const struct lw_held held[] = {held_at(try_a, 0x50)};
    acquire(d, 3, ref_mutex(C), 0x51, 1, held);
    order(d, 4, ref_mutex(C), ref_mutex(A));
    assert_int_equal(nfindings(d), 1);
}

static void test_recursion_makes_no_edge(void **state)
{
    struct lw_detector *d = *state;
    /* T1 holds A and B and re-takes A (recursive mutex): no B -> A. */
    struct lw_lock_ref ra = ref_mutex(A);
    ra.flags = LW_LOCKF_RECURSIVE;
    const struct lw_held held[] = {held_at(ra, 1), held_at(ref_mutex(B), 2)};
    acquire(d, 1, ra, 3, 2, held);
    order(d, 2, ref_mutex(A), ref_mutex(B));
    assert_int_equal(nfindings(d), 0);
}

static void test_read_read_reader_preferring(void **state)
{
    struct lw_detector *d = *state;
    order(d, 1, ref_mutex(A), ref_rwlock(B, LW_MODE_SHARED, 0));
    order(d, 2, ref_rwlock(B, LW_MODE_SHARED, 0), ref_mutex(A));
    assert_int_equal(nfindings(d), 0);
    order(d, 3, ref_rwlock(B, LW_MODE_EXCLUSIVE, 0), ref_mutex(A)); /* a writer */
    assert_int_equal(nfindings(d), 1);
    assert_int_equal(lw_detector_report(d)->findings[0]->cycle[1].holding_mode, LW_MODE_EXCLUSIVE);
}

static void test_read_read_writer_preferring(void **state)
{
    struct lw_detector *d = *state;
    order(d, 1, ref_mutex(A), ref_rwlock(B, LW_MODE_SHARED, LW_LOCKF_WRITER_PREF));
    order(d, 2, ref_rwlock(B, LW_MODE_SHARED, LW_LOCKF_WRITER_PREF), ref_mutex(A));
    assert_int_equal(nfindings(d), 1);
}

/* thread holds gate then first, requests second. */
static void gated(struct lw_detector *d, uint32_t thread, struct lw_lock_ref gate,
                  struct lw_lock_ref first, struct lw_lock_ref second)
{
    const struct lw_held held[] = {held_at(gate, 0x30), held_at(first, 0x31)};
    acquire(d, thread, second, 0x32, 2, held);
}

static void test_gate_lock(void **state)
{
    struct lw_detector *d = *state;
    gated(d, 1, ref_mutex(G), ref_mutex(A), ref_mutex(B));
    gated(d, 2, ref_mutex(G), ref_mutex(B), ref_mutex(A));
    assert_int_equal(nfindings(d), 0);
}

static void test_gate_on_one_edge_only(void **state)
{
    struct lw_detector *d = *state;
    gated(d, 1, ref_mutex(G), ref_mutex(A), ref_mutex(B));
    order(d, 2, ref_mutex(B), ref_mutex(A));
    assert_int_equal(nfindings(d), 1);
}

static void test_gate_held_shared_by_both(void **state)
{
    struct lw_detector *d = *state;
    struct lw_lock_ref rg = ref_rwlock(G, LW_MODE_SHARED, 0);
    gated(d, 1, rg, ref_mutex(A), ref_mutex(B));
    gated(d, 2, rg, ref_mutex(B), ref_mutex(A));
    assert_int_equal(nfindings(d), 1);
}

static void test_reused_address_new_generation(void **state)
{
    struct lw_detector *d = *state;
    order(d, 1, ref_mutex(A), ref_mutex(B));
    struct lw_lock_ref a1 = ref_mutex(A);
    a1.generation = 1;
    order(d, 2, ref_mutex(B), a1);
    assert_int_equal(nfindings(d), 0);
    assert_int_equal(lw_detector_report(d)->nlocks, 3);
}

static void test_cycle_lengths_2_to_8(void **state)
{
    struct lw_detector *d = *state;
    for (uint64_t k = 2; k <= 8; k++) {
        uint64_t base = 0x100000 * k;
        for (uint64_t i = 0; i + 1 < k; i++)
            order(d, (uint32_t)i, ref_mutex(base + i), ref_mutex(base + i + 1));
        order(d, (uint32_t)k, ref_mutex(base + k - 1), ref_mutex(base));
        struct lw_report *rep = lw_detector_report(d);
        assert_int_equal(rep->nfindings, k - 1);
        const struct lw_finding *f = rep->findings[k - 2];
        assert_int_equal(f->ncycle, k);
        for (uint64_t i = 0; i < k; i++)
            assert_int_equal(f->locks[i]->addr, base + i);
        /* Every record again: nothing new. */
        for (uint64_t i = 0; i + 1 < k; i++)
            order(d, (uint32_t)i, ref_mutex(base + i), ref_mutex(base + i + 1));
        order(d, (uint32_t)k, ref_mutex(base + k - 1), ref_mutex(base));
        assert_int_equal(rep->nfindings, k - 1);
    }
}

static void test_single_thread_upgrade(void **state)
{
    struct lw_detector *d = *state;
    order(d, 1, ref_mutex(A), ref_mutex(B));
    order(d, 1, ref_mutex(B), ref_mutex(A));
    struct lw_report *rep = lw_detector_report(d);
    assert_int_equal(rep->nfindings, 1);
    const struct lw_finding *f = rep->findings[0];
    assert_true(f->single_thread);
    assert_int_equal(f->nthreads, 1);
    order(d, 2, ref_mutex(B), ref_mutex(A));
    assert_int_equal(rep->nfindings, 1);
    assert_ptr_equal(rep->findings[0], f);
    assert_false(f->single_thread);
    assert_int_equal(f->nthreads, 2);
    assert_int_equal(f->cycle[1].thread->number, 2);
}

static void test_duplicate_records(void **state)
{
    struct lw_detector *d = *state;
    for (int i = 0; i < 3; i++) {
        order(d, 1, ref_mutex(A), ref_mutex(B));
        order(d, 2, ref_mutex(B), ref_mutex(A));
    }
    assert_int_equal(nfindings(d), 1);
}

static void test_fork_shares_image_exec_does_not(void **state)
{
    struct lw_detector *d = *state;
    order(d, 1, ref_mutex(A), ref_mutex(B));
    rec_process(&r, 101, PID, LW_ORIGIN_FORK, "/bin/prog");
    feed_ok(d, &r);
    const struct lw_held held[] = {held_at(ref_mutex(B), 7)};
    rec_acquire(&r, 101, 0, ref_mutex(A), 8, 1, held);
    feed_ok(d, &r);
    struct lw_report *rep = lw_detector_report(d);
    assert_int_equal(rep->nfindings, 1);
    assert_int_equal(rep->nimages, 1);
    assert_int_equal(rep->nprocesses, 2);
    assert_true(rep->processes[1].forked);
    assert_int_not_equal(rep->findings[0]->threads[0]->pid, rep->findings[0]->threads[1]->pid);
    /* 102 execs something else: its A and B are other locks. */
    rec_process(&r, 102, PID, LW_ORIGIN_EXEC, "/bin/other");
    feed_ok(d, &r);
    rec_acquire(&r, 102, 0, ref_mutex(C), 9, 1, held);
    feed_ok(d, &r);
    assert_int_equal(rep->nimages, 2);
    assert_int_equal(rep->nlocks, 4);
    assert_string_equal(rep->images[1].exe, "/bin/other");
}

static void test_stack_record_after_use(void **state)
{
    struct lw_detector *d = *state;
    order(d, 1, ref_mutex(A), ref_mutex(B));
    order(d, 2, ref_mutex(B), ref_mutex(A));
    const struct lw_finding *f = lw_detector_report(d)->findings[0];
    assert_null(f->cycle[0].holding_stack->frames);
    const uint64_t pcs[] = {0x401234, 0x401500, 0x7f0000001000};
    rec_stack(&r, PID, 0x11, 3, pcs);
    feed_ok(d, &r);
    assert_int_equal(f->cycle[0].holding_stack->nframes, 3);
    assert_int_equal(f->cycle[0].holding_stack->frames[2].pc, 0x7f0000001000);
    assert_ptr_equal(f->locks[0]->first_stack, f->cycle[0].holding_stack);
}

static void test_threads_and_modules(void **state)
{
    struct lw_detector *d = *state;
    rec_thread(&r, PID, 3, 0, 0x77);
    feed_ok(d, &r);
    rec_thread_name(&r, PID, 3, "worker");
    feed_ok(d, &r);
    rec_thread_exit(&r, PID, 3, 0);
    feed_ok(d, &r);
    rec_module(&r, PID, 0x7f0000000000, "/lib/libc.so.6");
    feed_ok(d, &r);
    struct lw_report *rep = lw_detector_report(d);
    assert_int_equal(rep->nthreads, 1);
    const struct lw_thread *t = rep->threads[0];
    assert_int_equal(t->number, 3);
    assert_int_equal(t->parent, 0);
    assert_int_equal(t->tid, PID + 3);
    assert_string_equal(t->name, "worker");
    assert_true(t->exited);
    assert_int_equal(t->created->id, 0x77);
    assert_int_equal(rep->images[0].nmodules, 1);
    assert_string_equal(rep->images[0].modules[0].path, "/lib/libc.so.6");
}

static void test_overflow_once_per_table(void **state)
{
    struct lw_detector *d = *state;
    rec_overflow(&r, PID, LW_OVERFLOW_CHAINS, 4096);
    feed_ok(d, &r);
    feed_ok(d, &r);
    rec_overflow(&r, PID, LW_OVERFLOW_HELD, 64);
    feed_ok(d, &r);
    rec_overflow(&r, 101, LW_OVERFLOW_CHAINS, 4096);
    feed_ok(d, &r);
    struct lw_report *rep = lw_detector_report(d);
    assert_int_equal(rep->noverflows, 3);
    assert_int_equal(rep->overflows[1].table, LW_OVERFLOW_HELD);
    assert_int_equal(rep->overflows[1].limit, 64);
}

static void test_malformed_records(void **state)
{
    struct lw_detector *d = *state;
    struct lw_rec_header *h = (struct lw_rec_header *)r.bytes;
    const struct lw_held two[] = {held_at(ref_mutex(A), 1), held_at(ref_mutex(B), 2)};

    rec_acquire(&r, PID, 1, ref_mutex(C), 3, 2, two);
    h->magic = 0x1234;
    feed_bad(d);
    rec_acquire(&r, PID, 1, ref_mutex(C), 3, 2, two);
    h->version = LW_WIRE_VERSION + 1;
    feed_bad(d);
    rec_acquire(&r, PID, 1, ref_mutex(C), 3, 2, two);
    h->type = 99;
    feed_bad(d);
    rec_acquire(&r, PID, 1, ref_mutex(C), 3, 2, two);
    h->size += 1; /* header disagrees with the message length */
    feed_bad(d);
    rec_acquire(&r, PID, 1, ref_mutex(C), 3, 2, two);
    r.len -= 8; /* truncated */
    h->size -= 8;
    feed_bad(d);
    rec_acquire(&r, PID, 1, ref_mutex(C), 3, 2, two);
    ((struct lw_rec_acquire *)r.bytes)->nheld = 3; /* count disagrees with size */
    feed_bad(d);
    rec_acquire(&r, PID, 1, ref_mutex(C), 3, 2, two);
    ((struct lw_rec_acquire *)r.bytes)->held_total = 1; /* fewer in total than carried */
    feed_bad(d);
    rec_acquire(&r, PID, 1, ref_mutex(C), 3, 2, two);
    ((struct lw_rec_acquire *)r.bytes)->held[1].lock.type = 9;
    feed_bad(d);
    rec_acquire(&r, PID, 1, ref_mutex(C), 3, 2, two);
    ((struct lw_rec_acquire *)r.bytes)->lock.mode = 2;
    feed_bad(d);
    rec_held(&r, PID, 1, 0, 0, two); /* a HELD record carries at least one lock */
    feed_bad(d);
    rec_held(&r, PID, 1, 0, 2, two);
    ((struct lw_rec_held *)r.bytes)->held[0].lock.type = 9;
    feed_bad(d);
    rec_held(&r, PID, 1, UINT32_MAX, 2, two); /* first + nheld overflows */
    feed_bad(d);

    /* More held locks than a record may carry, with a matching size. */
    struct lw_held many[LW_WIRE_MAX_HELD + 1];
    for (uint32_t i = 0; i <= LW_WIRE_MAX_HELD; i++)
        many[i] = held_at(ref_mutex(0x9000 + i), 1);
    rec_acquire(&r, PID, 1, ref_mutex(C), 3, LW_WIRE_MAX_HELD + 1, many);
    feed_bad(d);
    rec_acquire(&r, PID, 1, ref_mutex(C), 3, LW_WIRE_MAX_HELD, many);
    feed_ok(d, &r);

    uint64_t pcs[LW_WIRE_MAX_FRAMES + 1] = {0};
    rec_stack(&r, PID, 5, LW_WIRE_MAX_FRAMES + 1, pcs);
    feed_bad(d);
    rec_stack(&r, PID, 0, 1, pcs); /* stack ids are never 0 */
    feed_bad(d);

    rec_process(&r, PID, 1, LW_ORIGIN_EXEC, "/bin/prog");
    memset(((struct lw_rec_process *)r.bytes)->exe, 'x', LW_WIRE_MAX_PATH); /* no NUL */
    feed_bad(d);
    rec_process(&r, PID, 1, 7, "/bin/prog");
    feed_bad(d);
    rec_thread_name(&r, PID, 1, "x");
    memset(((struct lw_rec_thread_name *)r.bytes)->name, 'y', LW_WIRE_MAX_NAME);
    feed_bad(d);
    rec_module(&r, PID, 0x1000, "");
    feed_bad(d);
    rec_misuse(&r, PID, 1, 0, ref_mutex(A), 1, 0, UINT32_MAX, 0);
    feed_bad(d);
    rec_overflow(&r, PID, 0, 1);
    feed_bad(d);

    rec_thread(&r, PID, 1, 0, 0);
    for (size_t len = 0; len < r.len; len++) { /* every truncation of a valid record */
        h->size = (uint32_t)len;
        assert_int_equal(lw_detector_feed(d, r.bytes, len), LW_ERR_BADREC);
    }
    assert_int_equal(lw_detector_feed(d, NULL, 10), LW_ERR_BADREC);
    assert_int_equal(lw_detector_feed(d, r.bytes, LW_WIRE_MAX_RECORD + 1), LW_ERR_BADREC);
    assert_int_equal(nfindings(d), 0);
}

/* Valid records with random bytes flipped, and random bytes behind a valid header: whatever
 * comes back, nothing crashes (ASan and UBSan watch the run in CI). */
static void test_random_bytes_never_crash(void **state)
{
    struct lw_detector *d = *state;
    srand(7);
    const struct lw_held held[] = {held_at(ref_mutex(A), 1), held_at(ref_rwlock(B, 1, 0), 2)};
    for (int i = 0; i < 20000; i++) {
        switch (i % 6) {
        case 0:
            rec_acquire(&r, PID, (uint32_t)(i % 5), ref_mutex(C + (uint64_t)(i % 3)), 3, 2, held);
            break;
        case 1:
            rec_wait(&r, PID, (uint32_t)(i % 5), ref_mutex(A), 4, 0, 2, held);
            break;
        case 2:
            rec_misuse(&r, PID, 1, LW_MISUSE_DOUBLE_LOCK, ref_mutex(A), 1, 2, 3, 1);
            break;
        case 3: {
            const uint64_t pcs[] = {1, 2, 3};
            rec_stack(&r, PID, 9, 3, pcs);
            break;
        }
        case 4:
            rec_process(&r, PID + i % 3, PID, LW_ORIGIN_FORK, "/bin/prog");
            break;
        default: /* a valid header with a random type and size, random bytes behind it */
            rec_thread(&r, PID, 0, 0, 0);
            r.len = sizeof(struct lw_rec_header) + (size_t)(rand() % 200);
            for (size_t k = sizeof(struct lw_rec_header); k < r.len; k++)
                r.bytes[k] = (unsigned char)rand();
            ((struct lw_rec_header *)r.bytes)->type = (uint8_t)(rand() % 13);
            ((struct lw_rec_header *)r.bytes)->size = (uint32_t)r.len;
            break;
        }
        int flips = rand() % 4;
        for (int k = 0; k < flips; k++)
            r.bytes[(size_t)rand() % r.len] ^= (unsigned char)(1u << (rand() % 8));
        int rc = lw_detector_feed(d, r.bytes, r.len);
        assert_true(rc == LW_OK || rc == LW_ERR_BADREC);
    }
    struct lw_report *rep = lw_detector_report(d);
    assert_true(rep->bad_records > 0);
    assert_true(rep->records > 0);
}

static void test_unaligned_input(void **state)
{
    struct lw_detector *d = *state;
    static unsigned char shifted[LW_WIRE_MAX_RECORD + 1];
    order(d, 1, ref_mutex(A), ref_mutex(B));
    const struct lw_held held[] = {held_at(ref_mutex(B), 7)};
    rec_acquire(&r, PID, 2, ref_mutex(A), 8, 1, held);
    memcpy(shifted + 1, r.bytes, r.len);
    assert_int_equal(lw_detector_feed(d, shifted + 1, r.len), LW_OK);
    assert_int_equal(nfindings(d), 1);
}

/* A thread holding 40 locks: the ACQUIRE record carries the most recent 32, two HELD records the
 * 8 older ones. Edges come from all 40, so the oldest closes a 2-cycle with another thread. */
static void ordered_40_then_new(struct lw_detector *d, bool send_older, uint32_t older_first)
{
    struct lw_held all[40];
    for (uint32_t i = 0; i < 40; i++)
        all[i] = held_at(ref_mutex(0x1000 + 0x40 * i), 0x500 + i);
    if (send_older) {
        rec_held(&r, PID, 1, older_first, 5, all);
        feed_ok(d, &r);
        rec_held(&r, PID, 1, older_first + 5, 3, all + 5);
        feed_ok(d, &r);
    }
    rec_acquire(&r, PID, 1, ref_mutex(0x9000), 0x600, LW_WIRE_MAX_HELD, all + 8);
    ((struct lw_rec_acquire *)r.bytes)->held_total = 40;
    feed_ok(d, &r);
    order(d, 2, ref_mutex(0x9000), ref_mutex(0x1000));
}

static void test_older_held_make_edges(void **state)
{
    struct lw_detector *d = *state;
    ordered_40_then_new(d, true, 0);
    struct lw_report *rep = lw_detector_report(d);
    assert_int_equal(rep->nfindings, 1);
    const struct lw_finding *f = rep->findings[0];
    assert_int_equal(f->ncycle, 2);
    assert_int_equal(f->locks[0]->addr, 0x1000);
    assert_int_equal(f->cycle[0].holding_stack->id, 0x500);
}

/* Older entries that do not add up to held_total are dropped: only the window makes edges. */
static void test_older_held_mismatch_ignored(void **state)
{
    struct lw_detector *d = *state;
    ordered_40_then_new(d, true, 1);
    assert_int_equal(nfindings(d), 0);
}

static void test_records_before_process(void **state)
{
    struct lw_detector *d = lw_detector_new(NULL);
    const struct lw_held ab[] = {held_at(ref_mutex(A), 1), held_at(ref_mutex(B), 2)};
    rec_acquire(&r, 555, 0, ref_mutex(C), 3, 2, ab);
    feed_ok(d, &r);
    rec_acquire(&r, 555, 1, ref_mutex(A), 3, 1, (const struct lw_held[]){held_at(ref_mutex(C), 4)});
    feed_ok(d, &r);
    struct lw_report *rep = lw_detector_report(d);
    assert_int_equal(rep->nprocesses, 1);
    assert_null(rep->images[0].exe);
    assert_int_equal(rep->nfindings, 1);
    rec_acquire(&r, 555, 2, ref_mutex(B), 3, 1, (const struct lw_held[]){held_at(ref_mutex(C), 4)});
    feed_ok(d, &r);
    assert_int_equal(rep->nfindings, 2); /* C -> B closes B -> C -> B */
    lw_detector_free(d);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, detector_teardown)
    const struct CMUnitTest tests[] = {
        T(test_abba_finding),
        T(test_older_held_make_edges),
        T(test_older_held_mismatch_ignored),
        T(test_trylock_makes_no_edge),
        T(test_recursion_makes_no_edge),
        T(test_read_read_reader_preferring),
        T(test_read_read_writer_preferring),
        T(test_gate_lock),
        T(test_gate_on_one_edge_only),
        T(test_gate_held_shared_by_both),
        T(test_reused_address_new_generation),
        T(test_cycle_lengths_2_to_8),
        T(test_single_thread_upgrade),
        T(test_duplicate_records),
        T(test_fork_shares_image_exec_does_not),
        T(test_stack_record_after_use),
        T(test_threads_and_modules),
        T(test_overflow_once_per_table),
        T(test_malformed_records),
        T(test_random_bytes_never_crash),
        T(test_unaligned_input),
        cmocka_unit_test(test_records_before_process),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
