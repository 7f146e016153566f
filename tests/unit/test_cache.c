/* test_cache.c — the runtime's lossy tables (interpose/cache.c) against a naive model: every key
 * put and not evicted is found with its value, a key never put is never found, and with a filter
 * a key whose filter bit is clear is decided without reading the table (made unreadable here,
 * so a read would crash the test). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "cache.h"
#include "emit.h"
#include "tls.h"

/* cache.c's one use of the rest of the runtime: the overflow record on the first eviction. */
__thread struct lwi_thread lwi_tls __attribute__((tls_model("initial-exec")));
static unsigned overflows;
void lwi_emit_overflow(const struct lwi_thread *self, uint32_t table, uint64_t limit)
{
    (void)self, (void)table, (void)limit;
    overflows++;
}

#define LOG2 12u
#define NKEYS 1000u

static uint64_t next_key(uint64_t *x)
{
    *x += 0x9e3779b97f4a7c15ull;
    uint64_t z = *x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void check_against_model(struct lwi_cache *c)
{
    uint64_t seed = 1, keys[NKEYS];
    for (unsigned i = 0; i < NKEYS; i++) {
        keys[i] = next_key(&seed);
        lwi_cache_put(c, keys[i], i + 1);
    }
    unsigned found = 0;
    for (unsigned i = 0; i < NKEYS; i++) {
        uint64_t v;
        if (lwi_cache_get(c, keys[i], &v)) {
            assert_int_equal(v, i + 1);
            found++;
        }
    }
    assert_true(found + overflows >= NKEYS); /* each eviction loses one key */
    assert_true(found > NKEYS * 9 / 10);
    for (unsigned i = 0; i < 100000; i++) {
        uint64_t v;
        assert_false(lwi_cache_get(c, next_key(&seed), &v));
    }
}

static void test_without_filter(void **state)
{
    (void)state;
    struct lwi_cache c = {0};
    assert_int_equal(lwi_cache_init(&c, LOG2, 1), 0);
    overflows = 0;
    check_against_model(&c);
}

static void test_with_filter(void **state)
{
    (void)state;
    struct lwi_cache c = {0};
    assert_int_equal(lwi_cache_init(&c, LOG2, 1), 0);
    assert_int_equal(lwi_cache_init_filter(&c, 16), 0);
    overflows = 0;
    check_against_model(&c);
    /* Keys never put whose bit is clear: decided by the filter alone. */
    assert_int_equal(mprotect(c.slots, sizeof(struct lwi_cache_slot) << LOG2, PROT_NONE), 0);
    uint64_t seed = 99;
    unsigned clear = 0;
    for (unsigned i = 0; i < 10000; i++) {
        uint64_t key = next_key(&seed), bit, v;
        if (atomic_load(lwi_cache_filter_word(&c, key, &bit)) & bit) continue;
        assert_false(lwi_cache_get(&c, key, &v));
        clear++;
    }
    assert_true(clear > 9000); /* 1,000 keys set at most 1,000 of 65,536 bits */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_without_filter),
        cmocka_unit_test(test_with_filter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
