/* lock_wrapper.h — the lock wrapper rule. A program that locks through its own helper
 * (nlMutexLock(m) { pthread_mutex_lock(m); }) would have every lock "first locked in nlMutexLock".
 * The rule: the innermost user-code frame of an acquisition (the one calling into the lock
 * functions) is a wrapper's when, over the acquisitions the report (or graph) knows, its function
 * takes at least two different locks, for at least two different callers, always from the same
 * source line. Such a function does nothing but lock what it is given; its frames are marked
 * (lw_frame.wrapper) and the lock is named and placed by the caller. A function that takes two
 * locks on two lines (transfer(a, b)) is not a wrapper. Wrapper names found by one session stay
 * known to the later ones. */
#ifndef LWD_LOCK_WRAPPER_H
#define LWD_LOCK_WRAPPER_H

#include <stddef.h>

#include "lockwatch/report.h"

/* One acquisition: a lock and the (symbolised) stack that took it. */
struct lwd_acquisition {
    const struct lw_lock *lock;
    struct lw_stack *stack;
};

struct lwd_acquisitions {
    size_t n, cap;
    struct lwd_acquisition *list; /* malloc'd; the caller frees it */
};

/* Appends one acquisition. Returns 0, or -1 when out of memory. */
int lwd_acquisitions_add(struct lwd_acquisitions *a, const struct lw_lock *lock,
                         struct lw_stack *stack);

/* Judges the calling functions of a's acquisitions, remembers the wrappers (for the command's
 * lifetime) and marks their frames in a's stacks. Returns 0, or -1 when out of memory. */
int lwd_find_wrappers(struct lwd_acquisitions *a);

/* Marks st's calling frame (lw_frame.wrapper) when its function is a known wrapper and a caller
 * frame follows it. */
void lwd_mark_wrapper(struct lw_stack *st);

#endif
