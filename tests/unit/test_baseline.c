/* test_baseline.c — --baseline (detector/cli/triage/baseline.h): the fingerprints of a lockwatch
 * JSON report and of the lockwatch runs of a SARIF log (other tools' runs skipped), and the one
 * line each kind of unusable file gets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture.h"
#include "triage/baseline.h"
#include "triage/fingerprint.h"

static struct lwd_baseline *parse(const char *text, char **err)
{
    bool oom = true;
    capture_begin();
    struct lwd_baseline *b = lwd_baseline_parse(text, strlen(text), "old.json", &oom);
    *err = capture_end();
    assert_false(oom);
    return b;
}

static void expect_bad(const char *text, const char *message)
{
    char *err = NULL;
    assert_null(parse(text, &err));
    assert_string_equal(err, message);
    free(err);
}

static void test_json_report(void **state)
{
    (void)state;
    char *err = NULL;
    struct lwd_baseline *b = parse("{\"tool\": \"lockwatch\", \"findings\": ["
                                   "{\"id\": 1, \"fingerprint\": \"00112233aabbccdd\"},"
                                   "{\"id\": 2, \"fingerprint\": \"ffffffff00000000\"}]}\n\n",
                                   &err);
    assert_non_null(b);
    assert_string_equal(err, "");
    free(err);
    assert_true(lwd_baseline_has(b, "00112233aabbccdd"));
    assert_true(lwd_baseline_has(b, "ffffffff00000000"));
    assert_false(lwd_baseline_has(b, "00112233aabbccde"));
    lwd_baseline_free(b);
    /* A clean run's report is a baseline that knows nothing. */
    b = parse("{\"tool\": \"lockwatch\", \"findings\": []}", &err);
    assert_non_null(b);
    free(err);
    assert_false(lwd_baseline_has(b, "00112233aabbccdd"));
    lwd_baseline_free(b);
    assert_false(lwd_baseline_has(NULL, "00112233aabbccdd"));
}

static void test_sarif_log(void **state)
{
    (void)state;
    char *err = NULL;
    struct lwd_baseline *b = parse(
        "{\"version\": \"2.1.0\", \"runs\": ["
        "{\"tool\": {\"driver\": {\"name\": \"othertool\"}}, \"results\": [{}]},"
        "{\"tool\": {\"driver\": {\"name\": \"lockwatch\"}}, \"results\": ["
        "{\"partialFingerprints\": {\"" LWD_SARIF_FINGERPRINT_KEY "\": \"0123456789abcdef\"}}]},"
        "{\"tool\": {\"driver\": {\"name\": \"lockwatch\"}}, \"results\": ["
        "{\"partialFingerprints\": {\"" LWD_SARIF_FINGERPRINT_KEY "\": \"fedcba9876543210\"}}]}"
        "]}",
        &err);
    assert_non_null(b);
    assert_string_equal(err, "");
    free(err);
    assert_true(lwd_baseline_has(b, "0123456789abcdef"));
    assert_true(lwd_baseline_has(b, "fedcba9876543210"));
    lwd_baseline_free(b);
}

static void test_unusable(void **state)
{
    (void)state;
    expect_bad("<report/>", "lockwatch: the baseline old.json is not valid JSON: unexpected "
                            "character\n");
    expect_bad("{\"tool\": \"lockwatch\", \"findings\": [",
               "lockwatch: the baseline old.json is not valid JSON: it ends in the middle of a "
               "value\n");
    expect_bad("{\"tool\": \"lockwatch\", \"findings\": []} {}",
               "lockwatch: the baseline old.json is not valid JSON: more follows the value\n");
    expect_bad("[1, 2]", "lockwatch: the baseline old.json is not a JSON object\n");
    expect_bad("{\"tool\": \"helgrind\", \"findings\": []}",
               "lockwatch: the baseline old.json is not a lockwatch JSON report (no \"tool\": "
               "\"lockwatch\")\n");
    expect_bad("{\"tool\": \"lockwatch\"}", "lockwatch: the baseline old.json has no \"findings\" "
                                            "array\n");
    expect_bad("", "lockwatch: the baseline old.json is not valid JSON: it is empty\n");
    expect_bad(" \n", "lockwatch: the baseline old.json is not valid JSON: it is empty\n");
    expect_bad("{\"tool\": \"lockwatch\", \"findings\": [{\"id\": 1}]}",
               "lockwatch: the baseline old.json: finding 1 has no \"fingerprint\" (a report of "
               "an older lockwatch? write the baseline again)\n");
    expect_bad("{\"runs\": [{\"tool\": {\"driver\": {\"name\": \"othertool\"}}}]}",
               "lockwatch: the baseline old.json is a SARIF log without a lockwatch run\n");
    expect_bad("{\"runs\": [{\"tool\": {\"driver\": {\"name\": \"lockwatch\"}}, \"results\": "
               "[{\"partialFingerprints\": {}}]}]}",
               "lockwatch: the baseline old.json: result 1 of run 1 has no partialFingerprints "
               "\"" LWD_SARIF_FINGERPRINT_KEY "\" (a log of an older lockwatch? write the "
               "baseline again)\n");
    expect_bad("{\"tool\": \"x\", \"runs\": []}", "lockwatch: the baseline old.json is neither a "
                                                  "lockwatch JSON report nor a SARIF log\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_report),
        cmocka_unit_test(test_sarif_log),
        cmocka_unit_test(test_unusable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
