/* test_lockstate.c — the runtime's lock-state table (interpose/lockstate.c): an entry per object,
 * found again by address and kind; an array of locks set up together takes entries from a few
 * pages of the table; objects denser than the local runs (4-byte spinlocks) spill over and are
 * all kept and found. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "degraded.h"
#include "lockstate.h"
#include "tls.h"

__thread struct lwi_thread lwi_tls __attribute__((tls_model("initial-exec")));

struct lwi_degraded lwi_degraded; /* the tables raise flags here (degraded.h) */

#define PAGE 4096u

static int setup(void **state)
{
    (void)state;
    return lwi_lockstate_init();
}

/* 1,000 mutexes of 48-byte accounts: each its own entry, found again; a condition variable at a
 * mutex's address is another object. */
static void test_found_again(void **state)
{
    (void)state;
    const uint64_t base = 0x7d0000001000ull;
    for (uint32_t i = 0; i < 1000; i++) {
        struct lwi_lockstate *e = lwi_lockstate_get(base + 48u * i, LWI_LS_LOCK);
        assert_non_null(e);
        atomic_store(&e->thread, i + 1);
    }
    for (uint32_t i = 0; i < 1000; i++) {
        struct lwi_lockstate *e = lwi_lockstate_find(base + 48u * i, LWI_LS_LOCK);
        assert_non_null(e);
        assert_int_equal(atomic_load(&e->thread), i + 1);
    }
    assert_null(lwi_lockstate_find(base, LWI_LS_COND));
    assert_null(lwi_lockstate_find(base + 8, LWI_LS_LOCK));
    assert_int_equal(atomic_load(&lwi_degraded.raised), 0);
}

/* The pages of the table the entries of 16 KiB of 48-byte mutexes lie in: a few per 4 KiB of
 * locks, where a hashed home gives one page per lock (341 here). */
static void test_array_touches_few_pages(void **state)
{
    (void)state;
    const uint64_t base = 0x7d0000100000ull;
    enum { N = 4 * PAGE / 48 };
    uintptr_t pages[N];
    size_t npages = 0;
    for (uint32_t i = 0; i < N; i++) {
        struct lwi_lockstate *e = lwi_lockstate_get(base + 48u * i, LWI_LS_LOCK);
        assert_non_null(e);
        uintptr_t page = (uintptr_t)e / PAGE;
        bool seen = false;
        for (size_t k = 0; k < npages && !seen; k++)
            seen = pages[k] == page;
        if (!seen) pages[npages++] = page;
    }
    assert_true(npages <= 4 * 8);
    assert_int_equal(atomic_load(&lwi_degraded.raised), 0);
}

/* 8,192 spinlocks packed 4 bytes apart (4 per local unit): every one gets an entry (through the
 * spill runs) and is found again, with no overflow. */
static void test_dense_objects_spill(void **state)
{
    (void)state;
    const uint64_t base = 0x7d0000200000ull;
    for (uint32_t i = 0; i < 8192; i++)
        assert_non_null(lwi_lockstate_get(base + 4u * i, LWI_LS_LOCK));
    for (uint32_t i = 0; i < 8192; i++)
        assert_non_null(lwi_lockstate_find(base + 4u * i, LWI_LS_LOCK));
    assert_int_equal(atomic_load(&lwi_degraded.raised), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_found_again),
        cmocka_unit_test(test_array_touches_few_pages),
        cmocka_unit_test(test_dense_objects_spill),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
