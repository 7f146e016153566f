/* preflight.h — checks made before the program runs, so that a run which could not be watched
 * fails with a clear message and its own exit code instead of silently reporting nothing:
 * the program exists and is executable (found like execvp does), is not setuid/setgid (the
 * loader ignores LD_PRELOAD then), is not statically linked (LD_PRELOAD cannot reach it), and
 * the runtime library exists. */
#ifndef LWD_PREFLIGHT_H
#define LWD_PREFLIGHT_H

#include "driver.h"

struct lwd_preflight {
    char *program; /* the path to execute: argv[0] itself or found on PATH (malloc'd) */
    char *runtime; /* absolute path of liblockwatch.so (malloc'd) */
};

/* Fills pf. Returns LWD_EXIT_OK, or the exit code after printing one line on stderr.
 * Call lwd_preflight_free() in both cases. */
enum lwd_exit lwd_preflight(const struct lwd_options *opts, struct lwd_preflight *pf);
void lwd_preflight_free(struct lwd_preflight *pf);

#endif
