/* golden.h — what the renderer golden tests share: their command line (GOLDEN_DIR ACTUAL_DIR),
 * and the comparison of a renderer's output with GOLDEN_DIR/expected/NAME. A mismatch is written
 * to ACTUAL_DIR/NAME and shown with diff -u; LOCKWATCH_GOLDEN_UPDATE=1 in the environment
 * rewrites the expected file instead, for an intended change of output. */
#ifndef LW_TEST_GOLDEN_H
#define LW_TEST_GOLDEN_H

#include <stdbool.h>

/* Reads argv (usage: PROGRAM GOLDEN_DIR ACTUAL_DIR) and creates ACTUAL_DIR. Returns 0, or the
 * exit status for main after saying why on stderr. */
int golden_init(int argc, char **argv);

/* GOLDEN_DIR as given on the command line. */
const char *golden_dir(void);

/* Compares `actual` with expected/NAME (or rewrites it when updating); prints "ok NAME",
 * "updated PATH" or "FAIL NAME" with the diff. True when they match or the update succeeded. */
bool golden_compare(const char *name, const char *actual);

#endif
