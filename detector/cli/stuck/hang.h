/* hang.h — the report of a run that does not end: still going at the --timeout deadline, or
 * still going a moment after lockwatch was asked to stop (SIGINT, SIGTERM, SIGHUP). Every thread
 * of every live process of the run is stopped for a moment and unwound from outside
 * (thread_dump.h), and the stacks become one `hang` finding (lw_detector_add_hang) with what each
 * thread lockwatch sees blocked waits for. The caller then ends the run (stop.h). */
#ifndef LWD_HANG_H
#define LWD_HANG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lockwatch/detector.h"

/* Whether pc lies in the module of `image` whose path is `path` (the runtime's, to drop its
 * frames from a stack read from outside). */
bool lwd_pc_in_module(const struct lw_image *image, uint64_t pc, const char *path);

/* child: the program's pid while it is not yet reaped, 0 once it is; socket_name: the run's
 * record channel (see lwd_run_pids); runtime: the preloaded liblockwatch.so, whose frames (a
 * thread blocked inside a wrapper) are left out as they are from every other stack. Returns 0,
 * or -1 after one line on stderr when no stack could be taken or memory ran out (the run must
 * still be ended). */
int lwd_report_hang(struct lw_detector *d, pid_t child, const char *socket_name,
                    const char *runtime, bool interrupted);

#endif
