/* test_cache.c — the runtime's lossy tables (interpose/cache.c): every key put is found again
 * while the table has room, also across the doublings of the prefix in use; a table with few
 * entries touches a few pages of its reservation (peak RSS of programs with few chains); only an
 * eviction at full size raises the table's degraded flag; with a filter, which a large table turns
 * on, a key never put whose bit is clear is decided without reading the table (made unreadable
 * here, so a read would crash the test), and every key put is still found. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "cache.h"
#include "degraded.h"
#include "lockwatch/wire.h"

struct lwi_degraded lwi_degraded; /* the tables raise flags here (degraded.h) */

/* Chain keys are well mixed: so are these (splitmix64's finaliser). */
static uint64_t key_of(uint64_t i)
{
    uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull;
    x = (x ^ x >> 30) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ x >> 27) * 0x94d049bb133111ebull;
    return x ^ x >> 31;
}

static size_t resident_pages(const void *start, size_t bytes)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), n = (bytes + page - 1) / page, count = 0;
    unsigned char vec[4096];
    assert_true(n <= sizeof vec);
    assert_int_equal(mincore((void *)start, bytes, vec), 0);
    for (size_t i = 0; i < n; i++)
        count += vec[i] & 1u;
    return count;
}

static void test_found_across_growth(void **state)
{
    (void)state;
    struct lwi_cache c;
    assert_int_equal(lwi_cache_init(&c, 18, LW_OVERFLOW_CHAINS), 0);
    for (uint64_t i = 0; i < 5000; i++) {
        lwi_cache_put(&c, key_of(i), i + 1);
        uint64_t v = 0;
        assert_true(lwi_cache_get(&c, key_of(i / 2), &v)); /* an older key, after any growth */
        assert_int_equal(v, i / 2 + 1);
    }
    for (uint64_t i = 0; i < 5000; i++) {
        uint64_t v = 0;
        assert_true(lwi_cache_get(&c, key_of(i), &v));
        assert_int_equal(v, i + 1);
    }
    uint64_t v;
    assert_false(lwi_cache_get(&c, key_of(5000), &v));
    assert_int_equal(atomic_load(&lwi_degraded.raised), 0);
}

/* 1,000 chains in a table reserved for 256 Ki slots (1,024 pages): a few dozen pages, not one
 * page per chain. */
static void test_few_entries_touch_few_pages(void **state)
{
    (void)state;
    struct lwi_cache c;
    assert_int_equal(lwi_cache_init(&c, 18, LW_OVERFLOW_CHAINS), 0);
    for (uint64_t i = 0; i < 1000; i++)
        lwi_cache_put(&c, key_of(i), i + 1);
    size_t bytes = ((size_t)1 << 18) * sizeof(struct lwi_cache_slot);
    assert_true(resident_pages(c.slots, bytes) <= 64);
}

/* A full table keeps working (evicting) and says so once it cannot grow. */
static void test_full_table_raises_flag(void **state)
{
    (void)state;
    struct lwi_cache c;
    assert_int_equal(lwi_cache_init(&c, 6, LW_OVERFLOW_STACKS), 0);
    for (uint64_t i = 0; i < 1000; i++)
        lwi_cache_put(&c, key_of(i), i + 1);
    uint64_t v = 0;
    assert_true(lwi_cache_get(&c, key_of(999), &v)); /* the last put is always kept */
    assert_int_equal(v, 1000);
    assert_true(atomic_load(&lwi_degraded.raised) & (1u << LW_OVERFLOW_STACKS));
    assert_int_equal(atomic_load(&lwi_degraded.limit[LW_OVERFLOW_STACKS]), 64);
}

/* A filter is off while the table is small (its pages would cost a small program more than the
 * bucket loads), on once the prefix grows past LWI_CACHE_FILTER_FROM_LOG2 slots, with the bits
 * of the keys put before. */
static void test_filter_decides_new_keys(void **state)
{
    (void)state;
    struct lwi_cache c;
    assert_int_equal(lwi_cache_init(&c, 18, LW_OVERFLOW_CHAINS), 0);
    assert_int_equal(lwi_cache_init_filter(&c, 21), 0);
    lwi_cache_put(&c, key_of(0), 1);
    assert_null(atomic_load(&c.filter));
    const uint64_t n = 20000; /* past 16 Ki slots at half full */
    for (uint64_t i = 1; i < n; i++)
        lwi_cache_put(&c, key_of(i), i + 1);
    _Atomic uint64_t *filter = atomic_load(&c.filter);
    assert_non_null(filter);
    unsigned lost = 0; /* a move into a full bucket forgets an entry: a re-send, not a wrong hit */
    for (uint64_t i = 0; i < n; i++) { /* the first key's bit came from the growth */
        uint64_t bit, v = 0;
        assert_true(atomic_load(lwi_cache_filter_word(filter, c.filter_mask, key_of(i), &bit)) &
                    bit);
        if (lwi_cache_get(&c, key_of(i), &v))
            assert_int_equal(v, i + 1);
        else
            lost++;
    }
    assert_true(lost <= n / 1000);
    size_t bytes = ((size_t)1 << 18) * sizeof(struct lwi_cache_slot);
    assert_int_equal(mprotect(c.slots, bytes, PROT_NONE), 0);
    unsigned clear = 0;
    for (uint64_t i = n; i < n + 10000; i++) {
        uint64_t bit, v;
        if (atomic_load(lwi_cache_filter_word(filter, c.filter_mask, key_of(i), &bit)) & bit)
            continue;
        assert_false(lwi_cache_get(&c, key_of(i), &v));
        clear++;
    }
    assert_true(clear > 9000); /* 20,000 keys set at most 20,000 of 2 Mi bits */
    assert_int_equal(mprotect(c.slots, bytes, PROT_READ | PROT_WRITE), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_found_across_growth),
        cmocka_unit_test(test_few_entries_touch_few_pages),
        cmocka_unit_test(test_full_table_raises_flag),
        cmocka_unit_test(test_filter_decides_new_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
