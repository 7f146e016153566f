/* test_py_lock_name.c — a Python lock's name from the line that took it
 * (detector/cli/symbolise/py_lock_name.h): `with` and `acquire` forms, comments and `as` clauses,
 * and the lines that must name nothing (several locks, calls, out of range). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "symbolise/py_lock_name.h"

static const char source[] = "import threading\n"                     /* 1 */
                             "lock1 = threading.Lock()\n"             /* 2 */
                             "    with lock1:\n"                      /* 3 */
                             "    with self.accounts[i].lock:  # x\n" /* 4 */
                             "    with cond as c:\n"                  /* 5 */
                             "    async with guard:\n"                /* 6 */
                             "    lock2.acquire()\n"                  /* 7 */
                             "    ok = m.lock.acquire(timeout=1)\n"   /* 8 */
                             "    with a, b:\n"                       /* 9 */
                             "    with make_lock():\n"                /* 10 */
                             "    a.acquire(); b.acquire()\n"         /* 11 */
                             "    print('with x:')\n"                 /* 12 */
                             "    with open(p) as f:\n";              /* 13 */

static void expect_name(int line, const char *want)
{
    char out[64];
    assert_true(lwd_py_lock_expr_in(source, line, out, sizeof out));
    assert_string_equal(out, want);
}

static void expect_none(int line)
{
    char out[64];
    assert_false(lwd_py_lock_expr_in(source, line, out, sizeof out));
}

static void test_with_forms(void **state)
{
    (void)state;
    expect_name(3, "lock1");
    expect_name(4, "self.accounts[i].lock");
    expect_name(5, "cond");
    expect_name(6, "guard");
}

static void test_acquire_forms(void **state)
{
    (void)state;
    expect_name(7, "lock2");
    expect_name(8, "m.lock");
}

static void test_lines_that_name_nothing(void **state)
{
    (void)state;
    expect_none(1);
    expect_none(2);
    expect_none(9);  /* two locks */
    expect_none(10); /* a call, not a name */
    expect_none(11); /* two acquisitions */
    expect_none(12);
    expect_none(13);
    expect_none(0);
    expect_none(99);
}

static void test_small_buffer_names_nothing(void **state)
{
    (void)state;
    char small[5], exact[6];
    assert_false(lwd_py_lock_expr_in(source, 3, small, sizeof small));
    assert_true(lwd_py_lock_expr_in(source, 7, exact, sizeof exact));
    assert_string_equal(exact, "lock2");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_with_forms),
        cmocka_unit_test(test_acquire_forms),
        cmocka_unit_test(test_lines_that_name_nothing),
        cmocka_unit_test(test_small_buffer_names_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
