/* profile_view.h — the contention profile as the reports show it (--profile): the locks that
 * were timed, most waited-for first, and the text table of the top ones (what mutrace prints,
 * next to the findings). The figures themselves come from the detector (report.h
 * struct lw_lock_profile). */
#ifndef LWD_PROFILE_VIEW_H
#define LWD_PROFILE_VIEW_H

#include <stddef.h>
#include <stdio.h>

#include "lockwatch/report.h"

/* Rows of the text table. */
#define LWD_PROFILE_TOP 10u

/* The locks of r with at least one timed acquisition, in a fresh array (*n of them, the caller
 * frees it), ordered by total wait, then total hold, longest first, then by id. NULL with *n 0
 * when there is none; NULL with *n set when out of memory. */
const struct lw_lock **lwd_profile_sorted(const struct lw_report *r, size_t *n);

/* The text table of the LWD_PROFILE_TOP most waited-for locks (times in ms). Returns 0, or -1
 * when out of memory. */
int lwd_print_profile(FILE *out, const struct lw_report *r);

/* One line when the --trace timeline could not keep every hold (its cap), else nothing. */
void lwd_print_trace_cut(FILE *out, const struct lw_report *r);

#endif
