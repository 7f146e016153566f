/* run.h — runs the program under the runtime and feeds every record of every process of the
 * run into the detector until the run is over: the program has exited and each connection has
 * ended, or has been silent for a short grace period (a daemonised grandchild may keep its
 * connection open for ever). Then it adds the data races ThreadSanitizer builds in the run
 * reported (tsan_run.h). */
#ifndef LWD_RUN_H
#define LWD_RUN_H

#include "driver.h"
#include "run/preflight.h"

/* Returns LWD_EXIT_OK with *outcome filled, or an exit code after one line on stderr. */
enum lwd_exit lwd_run(const struct lwd_options *opts, const struct lwd_preflight *pf,
                      struct lw_detector *d, struct lwd_outcome *outcome);

#endif
