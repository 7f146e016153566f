/* confirm.h — `--confirm[=N]`: after the run, each lock-order inversion whose threads overlapped
 * (schedule concurrent or unchecked) is re-run up to N times with the runtime steering the
 * schedule toward its cycle (LOCKWATCH_STEER, interpose/steer.h): the same command, arguments,
 * environment and working directory, standard input from /dev/null unless it is a regular file
 * (then from its start). The first re-run that deadlocks on the cycle's call sites marks the
 * finding reproduced; otherwise it is not-reproduced, with the reason. Ordered inversions are
 * not re-run: this run's creates and joins kept their threads apart. */
#ifndef LWD_CONFIRM_H
#define LWD_CONFIRM_H

#include "driver.h"
#include "run/preflight.h"

/* Fills the confirmation of every lock-order inversion of report, and writes a replay file
 * (replay.h) for each one reproduced. Returns LWD_EXIT_OK, or an exit code after one line on
 * stderr. */
enum lwd_exit lwd_confirm(const struct lwd_options *opts, const struct lwd_preflight *pf,
                          struct lw_report *report);

/* Frees the replay file names lwd_confirm put in report's findings (NULL: nothing). */
void lwd_confirm_release(struct lw_report *report);

#endif
