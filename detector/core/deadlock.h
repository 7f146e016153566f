/* deadlock.h — deadlock findings from the wait-for graph (waitfor.c): a cycle of waits, a lock
 * wait whose owner has ended, and a run whose every thread waits (lw_detector_stuck). Each
 * finding says what every thread in it waits for and holds (lw_finding.waits); a cycle of lock
 * waits that is also a lock-order inversion already reported becomes that finding, upgraded, so
 * one bug is one finding. Each set of waits is reported once. */
#ifndef LW_CORE_DEADLOCK_H
#define LW_CORE_DEADLOCK_H

#include <stddef.h>
#include <stdint.h>

struct lw_detector;
struct lw_thread;

/* path[0..n) are blocked thread indices, path[i] waiting for path[i + 1] (mod n). path is
 * rotated in place to start at its first thread by (process entry, thread number); the finding
 * is that thread's process's. */
int lw_deadlock_cycle(struct lw_detector *d, uint32_t *path, size_t n);

/* Blocked thread index `waiter` waits for a lock that `owner` held when it ended. */
int lw_deadlock_ended_owner(struct lw_detector *d, uint32_t waiter, struct lw_thread *owner);

/* Fills f->waits with every blocked thread of the run (in the order of lw_detector_stuck), for a
 * hang: where the threads lockwatch sees waiting wait, and what they hold. */
struct lw_finding;
int lw_deadlock_describe_blocked(struct lw_detector *d, struct lw_finding *f);

#endif
