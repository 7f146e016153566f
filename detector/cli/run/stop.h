/* stop.h — the processes of a run, and ending a run that can never finish (a real deadlock, a
 * double lock blocking for ever, the --timeout): SIGKILL to every process of the run, so the
 * report comes out instead of a hang. */
#ifndef LWD_STOP_H
#define LWD_STOP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lockwatch/report.h"

/* Whether /proc/<pid>/environ holds entry ("LOCKWATCH_SOCKET=<value>") among its strings. */
bool lwd_environ_holds(pid_t pid, const char *entry);

/* The live processes of the run: the program (child: its pid while it is not yet reaped, 0 once
 * it is) and every other process the report knows of whose environment still names this run's
 * socket (socket_name), which guards against pids that ended and were reused by a process
 * outside the run. Returns how many pids were stored in *pids (malloc'd, the caller frees it;
 * NULL when none), or 0 with *pids NULL when memory runs out. */
size_t lwd_run_pids(const struct lw_report *report, pid_t child, const char *socket_name,
                    pid_t **pids);

/* Kills every process lwd_run_pids() finds; the child is killed even when memory runs out. */
void lwd_stop_run(const struct lw_report *report, pid_t child, const char *socket_name);

#endif
