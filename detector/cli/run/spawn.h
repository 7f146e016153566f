/* spawn.h — starts the program with the runtime preloaded: LD_PRELOAD gets the runtime in front
 * of whatever it held, LOCKWATCH_SOCKET names the record channel, TSAN_OPTIONS (when given)
 * routes a ThreadSanitizer build's reports to lockwatch. An exec failure comes back through a
 * close-on-exec pipe, so it is reported with the errno exec saw. */
#ifndef LWD_SPAWN_H
#define LWD_SPAWN_H

#include <sys/types.h>

#include "driver.h"
#include "run/preflight.h"
#include "run/signals.h"

/* Raises lockwatch's own soft RLIMIT_NOFILE to its hard limit (a connection per live process of
 * the run), remembering the old one: the program gets the limit lockwatch was started with. */
void lwd_spawn_raise_nofile(void);

/* The program is started with PR_SET_PDEATHSIG(SIGKILL): it dies when lockwatch does, even by
 * SIGKILL (processes it started are not killed with it).
 * tsan_options, when not NULL, replaces TSAN_OPTIONS in the program's environment (tsan_run.h).
 * Returns LWD_EXIT_OK with *pid set once the program image is running, or an exit code after
 * one line on stderr (the child, if any, has been reaped). */
enum lwd_exit lwd_spawn(const struct lwd_options *opts, const struct lwd_preflight *pf,
                        const char *socket_name, const char *tsan_options,
                        const struct lwd_signals *sig, pid_t *pid);

#endif
