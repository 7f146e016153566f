/* wake.h — what may still wake a thread that waits, for the stuck rule (wait_board.h): the kernel's
 * view of the waiting thread, the process's timers, and the world outside the run (processes that
 * are not the program's, signals that may come from anywhere). Every answer errs towards "may
 * still wake": a run is called stuck only when nothing here can end any of its waits. */
#ifndef LWD_WAKE_H
#define LWD_WAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lockwatch/report.h"
#include "lockwatch/wire.h"

/* Whether a timer of process p may still fire; one that expired less than margin_ms ago counts
 * (its signal handler may not have run yet). */
bool lwd_timers_pending(unsigned margin_ms, const struct lw_process *p);

/* Whether the kernel agrees that thread tid of pid sleeps, with no deadline, in the wait its slot
 * s names. */
bool lwd_asleep_in_wait(pid_t pid, pid_t tid, const struct lw_wait_slot *s);

/* The signals of caught (a SigCgt mask) whose handler may post a semaphore: all of them, but
 * SIGINT in a CPython process (python), whose own handler posts none. */
uint64_t lwd_wake_signals(uint64_t caught, bool python);

/* Whether something outside the run may end the wait of slot s in process pid. caught: the
 * signals pid catches that may post (lwd_wake_signals of lwd_proc_caught_signals);
 * run[0..nrun): the run's live processes. */
bool lwd_wakeable_from_outside(pid_t pid, const struct lw_wait_slot *s, uint64_t caught,
                               const pid_t *run, size_t nrun);

/* The run's live processes into *run (malloc'd): the program's descendants, and processes of the
 * report that carry the run's socket (a daemon that left the tree). Returns the count. */
size_t lwd_run_processes(const struct lw_report *r, pid_t child, const char *socket_name,
                         pid_t **run);

#endif
