/* test_external.c — findings from outside the record stream: ThreadSanitizer races (matched to
 * lockwatch's threads by kernel tid, deduplicated, named stacks kept as TSan named them) and
 * the per-thread stacks of a hung run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lockwatch/detector.h"
#include "lockwatch/tsan.h"
#include "records.h"

/* The recorded race-heap-mutex.txt: pid 5094, T1 = tid 5096 writes, T2 = tid 5097 reads. */
#define PID 5094

static void parse_sample(struct lw_tsan_log *log)
{
    char path[512];
    snprintf(path, sizeof path, "%s/race-heap-mutex.txt", LW_TSAN_SAMPLES);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char text[1 << 16];
    size_t len = fread(text, 1, sizeof text, f);
    fclose(f);
    memset(log, 0, sizeof *log);
    assert_int_equal(lw_tsan_parse(text, len, log), 0);
    assert_int_equal(log->nreports, 1);
}

static void feed_thread(struct lw_detector *d, uint32_t number, int32_t tid)
{
    struct rec r;
    rec_thread(&r, PID, number, 0, 0);
    ((struct lw_rec_header *)r.bytes)->tid = tid;
    feed_ok(d, &r);
}

static void test_race_becomes_finding(void **state)
{
    struct lw_detector *d = lw_detector_new(NULL);
    struct rec r;
    rec_process(&r, PID, 1, LW_ORIGIN_EXEC, "/tmp/tsan/heap");
    feed_ok(d, &r);
    feed_thread(d, 1, 5096);
    feed_thread(d, 2, 5097);

    struct lw_tsan_log log;
    parse_sample(&log);
    assert_int_equal(lw_detector_add_tsan(d, &log.reports[0]), LW_OK);
    /* The same race again (TSan in a forked child, say) is not a second finding. */
    assert_int_equal(lw_detector_add_tsan(d, &log.reports[0]), LW_OK);

    struct lw_report *rep = lw_detector_report(d);
    assert_int_equal(rep->nfindings, 1);
    struct lw_finding *f = rep->findings[0];
    assert_int_equal(f->kind, LW_KIND_DATA_RACE);
    assert_int_equal(f->pid, PID);
    assert_int_equal(f->naccesses, 2);
    assert_true(f->accesses[0].write);
    assert_false(f->accesses[1].write);
    assert_true(f->accesses[1].previous);
    assert_int_equal(f->accesses[0].size, 8);
    assert_string_equal(f->accesses[0].mutexes, "write M0");
    assert_non_null(f->accesses[0].thread);
    assert_int_equal(f->accesses[0].thread->number, 1);
    assert_int_equal(f->accesses[1].thread->number, 2);
    assert_int_equal(f->nthreads, 2);
    assert_string_equal(f->location, "heap block of size 8");
    assert_null(f->variable);
    assert_int_equal(f->nstacks, 2);
    assert_string_equal(f->stacks[0].label, "write here");
    struct lw_stack *s = f->stacks[0].stack;
    assert_true(s->named);
    assert_string_equal(s->frames[0].function, "writer");
    assert_string_equal(s->frames[0].file, "/tmp/tsan/heap.c");
    assert_int_equal(s->frames[0].line, 7);

    char msg[256];
    lw_finding_message(f, false, msg, sizeof msg);
    assert_non_null(strstr(msg, "writes heap block of size 8 while"));
    lw_tsan_log_free(&log);
    lw_detector_free(d);
}

static void test_race_with_unknown_threads(void **state)
{
    struct lw_detector *d = lw_detector_new(NULL);
    struct lw_tsan_log log;
    parse_sample(&log);
    assert_int_equal(lw_detector_add_tsan(d, &log.reports[0]), LW_OK);
    struct lw_finding *f = lw_detector_report(d)->findings[0];
    assert_null(f->accesses[0].thread);
    assert_string_equal(f->accesses[0].tsan_thread, "T1");
    assert_int_equal(f->nthreads, 0);
    lw_tsan_log_free(&log);
    lw_detector_free(d);
}

static void test_non_race_is_refused(void **state)
{
    struct lw_detector *d = lw_detector_new(NULL);
    struct lw_tsan_report lock_order = {.kind = "lock-order-inversion (potential deadlock)"};
    assert_int_equal(lw_detector_add_tsan(d, &lock_order), LW_ERR_BADREC);
    struct lw_tsan_report empty_race = {.kind = "data race"};
    assert_int_equal(lw_detector_add_tsan(d, &empty_race), LW_ERR_BADREC);
    assert_int_equal(lw_detector_report(d)->nfindings, 0);
    lw_detector_free(d);
}

static void test_hang_holds_every_thread(void **state)
{
    struct lw_detector *d = detector_with_process(PID);
    feed_thread(d, 1, 5096);
    const uint64_t pcs_a[] = {0x1001, 0x2002}, pcs_b[] = {0x3003};
    const struct lw_hung_thread hung[] = {
        {.pid = PID, .tid = 5096, .comm = "worker", .nframes = 2, .pcs = pcs_a},
        {.pid = PID, .tid = 7777, .comm = "stranger", .nframes = 1, .pcs = pcs_b},
        {.pid = PID, .tid = 7778, .comm = "gone", .nframes = 0, .pcs = NULL},
        /* The main thread sent no record (it only created threads): its tid is the pid. */
        {.pid = PID, .tid = PID, .comm = "prog", .nframes = 1, .pcs = pcs_b},
    };
    assert_int_equal(lw_detector_add_hang(d, hung, 4, false), LW_OK);
    struct lw_report *rep = lw_detector_report(d);
    assert_int_equal(rep->nfindings, 1);
    struct lw_finding *f = rep->findings[0];
    assert_int_equal(f->kind, LW_KIND_HANG);
    assert_int_equal(f->nstacks, 4);
    assert_int_equal(f->nthreads, 2);
    assert_int_equal(f->stacks[0].thread->number, 1);
    assert_int_equal(f->stacks[0].stack->nframes, 2);
    assert_true(f->stacks[0].stack->frames[1].pc == 0x2002);
    assert_false(f->stacks[0].stack->named);
    assert_null(f->stacks[1].thread);
    assert_null(f->stacks[2].stack);
    assert_non_null(f->stacks[3].thread);
    assert_int_equal(f->stacks[3].thread->number, 0);
    assert_int_equal(f->stacks[3].thread->tid, PID);
    lw_detector_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_race_becomes_finding),
        cmocka_unit_test(test_race_with_unknown_threads),
        cmocka_unit_test(test_non_race_is_refused),
        cmocka_unit_test(test_hang_holds_every_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
