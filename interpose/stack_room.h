/* stack_room.h — how much of the current stack is left below the caller, so that stack capture
 * (libunwind needs several KiB) never runs a thread or a signal handler off its stack.
 *
 * A thread learns its stack's bounds once (pthread_getattr_np): one started through our trampoline
 * before its start routine runs, one started otherwise (glibc's SIGEV_THREAD timer threads,
 * threads from before the runtime) when it becomes known. Not the main thread (glibc would read
 * /proc for it), nor in a ThreadSanitizer build (whose allocator cannot serve a new thread before
 * TSan's own thread start ran). When the caller's stack pointer is outside the bounds, or they
 * are unknown, sigaltstack tells whether it runs on the alternate signal stack and where that
 * ends. Anything else (the main thread's stack, a coroutine's) counts as unbounded. Rare paths
 * only, under the guard. */
#ifndef LWI_STACK_ROOM_H
#define LWI_STACK_ROOM_H

#include <stddef.h>
#include <stdint.h>

struct lwi_thread;

/* Looks once (constructor, main thread `self`) for what lwi_stack_bounds_init needs to know, and
 * learns the main thread's bounds. */
void lwi_stack_room_init(struct lwi_thread *self);

/* Records the calling thread's stack bounds in self (0, 0 when unknown). */
void lwi_stack_bounds_init(struct lwi_thread *self);

/* Bytes between the caller's frame and the end of the stack it runs on; SIZE_MAX when not known.
 * May make one system call (sigaltstack): not for a restricted thread (restrict.h). */
size_t lwi_stack_room(const struct lwi_thread *self);

#endif
