/* test_held.c — the held-lock stack (interpose/held.c): the sentinel below the first entry holds
 * no lock and carries the thread's chain root, before the first mapping, across growth (mremap
 * may move the mapping) and root changes, and after the release; entries survive growth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "held.h"

static void test_sentinel_follows_the_stack(void **state)
{
    (void)state;
    struct lwi_held_stack h = {0};
    lwi_held_init(&h);
    assert_int_equal(h.capacity, 0);
    assert_int_equal(h.entries[-1].ref.addr, LWI_HELD_NO_LOCK);
    assert_int_equal(h.entries[-1].count, 0);
    lwi_held_set_root(&h, 0x1234);
    for (uint64_t i = 0; i < 5000; i++) {
        struct lwi_held_entry *e = lwi_held_push(&h);
        assert_non_null(e);
        *e = (struct lwi_held_entry){.ref = {.addr = 0x1000 + 64 * i}, .count = 1, .lock_chain = i};
        assert_int_equal(h.entries[-1].lock_chain, 0x1234);
        assert_int_equal(h.entries[-1].ref.addr, LWI_HELD_NO_LOCK);
    }
    for (uint64_t i = 0; i < 5000; i++)
        assert_int_equal(h.entries[i].ref.addr, 0x1000 + 64 * i);
    lwi_held_set_root(&h, 0x5678);
    assert_int_equal(h.entries[-1].lock_chain, 0x5678);
    assert_int_equal(h.entries[-1].count, 0);
    lwi_held_release(&h);
    assert_int_equal(h.count, 0);
    assert_ptr_equal(h.entries, &lwi_held_none[1]);
    assert_int_equal(h.entries[-1].ref.addr, LWI_HELD_NO_LOCK);
}

/* A stack that cannot map memory stays on the shared sentinel and says so. */
static void test_no_syscalls_overflows(void **state)
{
    (void)state;
    struct lwi_held_stack h = {0};
    lwi_held_init(&h);
    h.no_syscalls = true;
    assert_null(lwi_held_push(&h));
    assert_true(h.overflowed);
    assert_ptr_equal(h.entries, &lwi_held_none[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sentinel_follows_the_stack),
        cmocka_unit_test(test_no_syscalls_overflows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
