/* wait_board.h — the driver's looks at the wait board (wire.h: struct lw_wait_slot).
 *
 * Every thread of the run announced where its wait slot is (LW_REC_WATCH). On a clock, the
 * driver reads every slot of every process with process_vm_readv — the program does nothing for
 * it. A join, condition, semaphore or barrier wait that shows the same seq on looks at least the
 * deadlock delay apart is handed to the detector (lw_detector_board_wait) with the locks the
 * thread holds, read the same way; its end follows when the slot changes. When every thread of
 * every process of the run waits like that (lock waits included) and nothing else can wake one
 * (wake.h: timers, the kernel's view, the world outside the run), the run is stuck
 * (lw_detector_stuck). Before a deadlock finding that names board waits is
 * reported, each of their threads is unwound with ptrace so its stack is the real one; when ptrace
 * is not allowed the stack is the waiting call's return address alone. */
#ifndef LWD_WAIT_BOARD_H
#define LWD_WAIT_BOARD_H

#include <sys/types.h>

#include "lockwatch/detector.h"

struct lwd_watch;

/* delay_ms: the deadlock delay. runtime: liblockwatch.so's path (its frames are left out of
 * unwound stacks), may be NULL. NULL when out of memory. */
struct lwd_watch *lwd_watch_new(unsigned delay_ms, const char *runtime);
void lwd_watch_free(struct lwd_watch *w);

/* Looks at the board when a look is due. child: the program's pid (0 once it has exited);
 * socket_name: the run's, to recognise its processes. Returns the milliseconds until the next
 * look is due. */
/* Reads where the objects of the run's condition and semaphore waits were last signalled (the
 * threads' signal logs), for a report about to be made (a hang); a stuck run does it itself. */
void lwd_watch_refresh_signals(struct lwd_watch *w, struct lw_detector *d);

int lwd_watch_tick(struct lwd_watch *w, struct lw_detector *d, pid_t child,
                   const char *socket_name);

#endif
