/* fork.h — keeps the runtime consistent across fork (see fork.c): pthread_atfork handlers for
 * fork(), and a check at every record for a child made without them (syscall(SYS_fork), a raw
 * clone without CLONE_VM), which would otherwise write the parent's pid.
 *
 * The check reads one word of a page mapped MADV_WIPEONFORK: the kernel zeroes it in any child
 * made by copying the process, however it was made. Where the kernel lacks MADV_WIPEONFORK
 * (before 4.14) the check compares getpid() with the cached pid instead. */
#ifndef LWI_FORK_H
#define LWI_FORK_H

#include <stdatomic.h>
#include <stdint.h>

struct lwi_thread;

int lwi_fork_init(void);

/* NULL until lwi_fork_init ran; its pid is 0 in a child nobody announced yet. */
extern int32_t *lwi_fork_mark;
extern atomic_bool lwi_fork_by_getpid;

/* In a child made without fork()'s handlers: does what they do (the child announces itself). */
void lwi_fork_adopt(struct lwi_thread *self) __attribute__((cold, noinline));

/* Under the guard, before a record of thread self (the calling thread) is made. */
static inline void lwi_fork_check(struct lwi_thread *self)
{
    int32_t *mark = lwi_fork_mark;
    if (mark && (*(volatile int32_t *)mark == 0 ||
                 atomic_load_explicit(&lwi_fork_by_getpid, memory_order_relaxed)))
        lwi_fork_adopt(self);
}

#endif
