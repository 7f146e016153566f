/* trace_out.h — the --trace=FILE stage: the run's timeline in the Chrome trace-event format (a
 * JSON object with "traceEvents"), which ui.perfetto.dev and chrome://tracing open.
 *
 * One track per thread (pid, kernel tid; a thread_name metadata event with the report's thread
 * id and name, a process_name one per process); slices, category "lock", for the time a thread
 * waited for a lock it could not take at once ("wait NAME") and for each hold ("hold NAME"),
 * args naming the lock id; an instant event (category "finding", process scope) per finding of
 * the report at the time the record that produced it was sent (findings from outside the record
 * stream, data races and hangs, at the end of the timeline). Times are microseconds since the
 * run's first record. Holds that do not nest on their thread (non-LIFO unlock) are async "b"/"e"
 * pairs (trace_layout.h). The detector keeps at most LWD_TRACE_MAX_HOLDS holds; "otherData"
 * says how many were left out. The file is opened before the run, like --output. */
#ifndef LWD_TRACE_OUT_H
#define LWD_TRACE_OUT_H

#include <stdio.h>

#include "driver.h"

#define LWD_TRACE_MAX_HOLDS 2000000u

struct lwd_trace_out {
    const char *path; /* NULL: no trace wanted */
    FILE *file;
};

/* Opens path for writing (NULL: nothing to do). Returns LWD_EXIT_OK, or LWD_EXIT_USAGE after one
 * line on stderr. */
enum lwd_exit lwd_trace_open(struct lwd_trace_out *t, const char *path);

/* Writes the timeline of report r (the holds it kept, its threads, its findings). Returns 0, or
 * -1 after one line on stderr. */
int lwd_trace_write(struct lwd_trace_out *t, const struct lw_report *r);

/* Closes; returns -1 (after one line on stderr) when closing failed. */
int lwd_trace_close(struct lwd_trace_out *t);

#endif
