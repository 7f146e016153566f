/* thread_dump.h — every thread's current stack, taken from outside the program.
 *
 * Used when a run hangs (--timeout) in a way that is not a lock cycle: a lost wake-up, a join
 * that never returns. The program is wedged, so nothing can be asked of it: the driver attaches
 * to each thread with ptrace, unwinds it with libunwind-ptrace, and detaches. Only raw return
 * addresses are taken; they are symbolised like every other stack, with the image's modules. */
#ifndef LWD_THREAD_DUMP_H
#define LWD_THREAD_DUMP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lockwatch/wire.h"

struct lwd_thread_stack {
    pid_t pid;
    pid_t tid;
    char comm[16]; /* the kernel's thread name */
    size_t nframes;
    uint64_t pcs[LW_WIRE_MAX_FRAMES];
};

/* Appends one entry per thread of process pid to *stacks (realloc'd; *n counts them). A thread
 * that cannot be attached to or unwound gets an entry with no frames. Returns 0, or -1 when the
 * process's threads cannot be listed (it is gone) or memory runs out. */
/* One thread's stack into *st (the innermost frame as lwd_dump_threads stores it). 0, or -1 when
 * it could not be taken (the thread is gone, or ptrace is not allowed). */
int lwd_unwind_one(pid_t pid, pid_t tid, struct lwd_thread_stack *st);

int lwd_dump_threads(pid_t pid, struct lwd_thread_stack **stacks, size_t *n);

#endif
