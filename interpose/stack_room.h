/* stack_room.h — how much of the current stack is left below the caller, so that stack capture
 * (libunwind needs several KiB) never runs a thread or a signal handler off its stack.
 *
 * A thread started through our trampoline learns its stack's bounds once, before its start
 * routine runs (pthread_getattr_np; not in a ThreadSanitizer build, whose allocator cannot serve
 * the thread yet: there its stack counts as unbounded). When the caller's stack pointer is outside
 * them (or they are unknown: the main thread, threads started before the runtime), sigaltstack
 * tells whether it runs on the alternate signal stack and where that ends. Anything else (a
 * coroutine's stack, the main thread) counts as unbounded. Rare paths only, under the guard. */
#ifndef LWI_STACK_ROOM_H
#define LWI_STACK_ROOM_H

#include <stddef.h>
#include <stdint.h>

struct lwi_thread;

/* Looks once (constructor) for what lwi_stack_bounds_init needs to know. */
void lwi_stack_room_init(void);

/* Records the calling thread's stack bounds in self (0, 0 when unknown). */
void lwi_stack_bounds_init(struct lwi_thread *self);

/* Bytes between the caller's frame and the end of the stack it runs on; SIZE_MAX when not known.
 * May make one system call (sigaltstack): not for a restricted thread (restrict.h). */
size_t lwi_stack_room(const struct lwi_thread *self);

#endif
