/* merge_sarif.h — `lockwatch merge-sarif OUT IN...`: the SARIF logs lockwatch wrote (one per test
 * of a suite) merged into one log with one run, as code-scanning services want it (GitHub rejects
 * an upload with several runs of one tool in one category).
 *
 * Every input must be a SARIF 2.1.0 log whose runs are lockwatch's, written by the same lockwatch
 * (identical rules) with the same --source-root (identical originalUriBaseIds, or none). The
 * merged run keeps the first run's tool and base ids, every run's invocations, and every result
 * once: results with the same fingerprint (partialFingerprints "lockwatch/v1", e.g. one library
 * cycle found by several tests) are kept once, the first seen. OUT is written through
 * out_file.h; inputs are read through input_file.h. Returns LWD_EXIT_OK, LWD_EXIT_USAGE for bad
 * arguments or an OUT that cannot be created, LWD_EXIT_BAD_SARIF when an input cannot be read or
 * merged (one line saying which and why), LWD_EXIT_TOOL when out of memory or OUT cannot be
 * written. */
#ifndef LWD_MERGE_SARIF_H
#define LWD_MERGE_SARIF_H

#include "driver.h"

/* argv[0] is "merge-sarif". */
enum lwd_exit lwd_merge_sarif(int argc, char **argv);

#endif
