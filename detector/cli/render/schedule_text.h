/* schedule_text.h — the words for a lock-order inversion's happens-before label (report.h enum
 * lw_schedule, struct lw_ordering), shared by the text, JSON and SARIF reports so they never
 * disagree. */
#ifndef LWD_SCHEDULE_TEXT_H
#define LWD_SCHEDULE_TEXT_H

#include <stdbool.h>

#include "lockwatch/report.h"

/* "concurrent", "ordered", "unchecked"; NULL for LW_SCHEDULE_NONE (no label). */
const char *lwd_schedule_name(enum lw_schedule s);

/* "reproduced", "not-reproduced"; NULL for LW_CONFIRM_NONE (not tried). */
const char *lwd_confirm_name(enum lw_confirm_status s);

/* "created" or "joined". */
const char *lwd_order_step_name(enum lw_order_step_kind k);

/* One sentence for an ordering, in a fresh heap string (NULL when out of memory): "T1 (worker)
 * ended and T0 (main) joined it at main.c:30, then T0 (main) created T2 (worker) at main.c:31,
 * so T1's acquisitions came before T2's", or "all were taken in T1 (worker)" for one thread. */
char *lwd_ordering_text(const struct lw_ordering *o, bool multi_process);

#endif
