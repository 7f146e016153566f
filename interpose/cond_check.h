/* cond_check.h — misuse of condition variables (cond-misuse), checked by the condition-wait
 * wrappers (wrap_cond.c) and the destroy wrappers (wrap_cond_destroy.c):
 *   - a wait with a mutex the caller does not hold (held stacks; the object's owner field only
 *     shows a hold taken before the runtime started). glibc then returns with the mutex locked;
 *   - a wait with another mutex than a wait still inside on the same condition variable;
 *   - a destroy while a thread waits on it without having been woken. glibc's destroy waits
 *     until every waiter has left, and a woken waiter leaves by itself: destroying right after a
 *     broadcast is correct (POSIX allows it). Only the waiter knows whether it was woken, so the
 *     waiter reports: its timed wait ran out (nobody woke it) after a destroy had begun. An
 *     untimed waiter nobody wakes keeps the destroy waiting for ever: the destroy is on the wait
 *     board (wrap_cond_destroy.c), so that is found as a stuck run.
 * The waits of a condition variable live in its lock-state entry (lockstate.h). Under the guard,
 * on the wait's slow path (a wait blocks anyway). */
#ifndef LWI_COND_CHECK_H
#define LWI_COND_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "lockwatch/wire.h"

struct lwi_thread;
struct lwi_lockstate;

/* One wait in progress, in the wrapper's frame. */
struct lwi_cond_wait {
    struct lwi_lockstate *entry; /* NULL: not counted (invalid mutex, table full) */
    struct lw_lock_ref mutex;
    uint64_t stack;    /* the wait's stack */
    uint32_t destroys; /* the entry's destroys when the wait began */
};

/* Before the real wait on `cond` with `mutex` at `pc`; `held`: the mutex was on the held stack. */
void lwi_cond_check_begin(struct lwi_thread *self, struct lwi_cond_wait *w, const void *cond,
                          const struct lw_lock_ref *mutex, bool held, uint64_t pc);
/* After it returned (or was cancelled): `deadline` is the deadline of a wait that ran out (on
 * `clock`), NULL for any other end. A wait that ran out before the destroy began was no longer
 * waiting when the condition variable went: only one whose deadline came after it is reported. */
void lwi_cond_check_end(struct lwi_thread *self, struct lwi_cond_wait *w, clockid_t clock,
                        const struct timespec *deadline);
/* Before the real destroy of `cond`. */
void lwi_cond_check_destroy(struct lwi_thread *self, const void *cond);

#endif
