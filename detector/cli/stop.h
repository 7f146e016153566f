/* stop.h — ends a run that can never finish (a real deadlock, a double lock blocking for ever):
 * SIGKILL to every process of the run, so the report comes out instead of a hang. */
#ifndef LWD_STOP_H
#define LWD_STOP_H

#include <sys/types.h>

#include "lockwatch/report.h"

/* Kills the program (child: its pid while it is not yet reaped, 0 once it is) and every other
 * process the report knows of whose environment still names this run's socket (socket_name),
 * which guards against pids that ended and were reused by a process outside the run. */
void lwd_stop_run(const struct lw_report *report, pid_t child, const char *socket_name);

#endif
