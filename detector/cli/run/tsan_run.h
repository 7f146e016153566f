/* tsan_run.h — running ThreadSanitizer builds under lockwatch.
 *
 * TSan reports races from inside the program; lockwatch routes them to itself by giving every
 * process of the run a TSAN_OPTIONS whose log_path points into a private directory, keeps the
 * user's other TSan options, and after the run folds the logs into the report as data-race
 * findings (TSan's own lock-order reports are dropped: lockwatch reports each cycle once). */
#ifndef LWD_TSAN_RUN_H
#define LWD_TSAN_RUN_H

#include "lockwatch/detector.h"

#include <stdbool.h>

struct lwd_tsan {
    char dir[256]; /* private directory holding TSan's logs (tsan.<pid>) */
    int dirfd;     /* that directory, opened once it is made; only meaningful when dir[0] */
    char *options; /* TSAN_OPTIONS value for the program */
};

/* 1 when the ELF file at path carries the ThreadSanitizer runtime (defines __tsan_init in its
 * dynamic symbols), 0 when not, -1 when it cannot be read as ELF. */
int lwd_tsan_detect(const char *path);

/* True when a ThreadSanitizer build ran: program (the path lockwatch executed) or the exe of any
 * image of the run is one. Only then were data races looked for. Files that cannot be read as
 * ELF (a script, a vanished file) count as not instrumented. */
bool lwd_tsan_in_run(const struct lw_report *report, const char *program);

/* Creates the log directory and the TSAN_OPTIONS value from the user's (may be NULL).
 * Returns 0, or -1 after printing one line on stderr. */
int lwd_tsan_prepare(struct lwd_tsan *t, const char *user_options);

/* Parses every log in the directory, adds data-race findings to the detector, removes the logs
 * and the directory. Entries are opened relative to the directory's descriptor without following
 * links or waiting (a FIFO, link, device or unreadable entry is skipped with one line), a log is
 * read up to LWD_INPUT_LIMIT bytes (input_file.h; a longer one is cut, and said so), and
 * removal never reaches outside the directory. Returns the number of races added, or -1 on error
 * (reported on stderr). */
int lwd_tsan_collect(struct lwd_tsan *t, struct lw_detector *d);

/* Removes what lwd_tsan_prepare made (safe to call twice). */
void lwd_tsan_cleanup(struct lwd_tsan *t);

#endif
