/* threads.h — thread numbers and the table of live threads.
 *
 * Numbers come from one atomic counter (0 is the main thread). The table lets any thread map a
 * pthread_t or kernel tid to a thread number (pthread_setname_np on another thread, the owner of
 * a busy lock) and lets a forked child count the locks other threads held at fork. Only threads
 * whose end we see are registered: the main thread and threads started through our trampoline.
 * A trampoline thread's slot is claimed by its creator before the thread exists, so the parent
 * can name it right after pthread_create; the slot is shared by creator and thread and freed by
 * whichever of them lets go last. A full table degrades to "unknown" (one OVERFLOW record). */
#ifndef LWI_THREADS_H
#define LWI_THREADS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct lwi_thread;

#define LWI_THREADS_MAX 8192u

uint32_t lwi_threads_next_number(void);

/* Registers the calling thread (the main thread) alone in a new slot. */
void lwi_threads_register_self(struct lwi_thread *self);

/* Creator side: a slot for thread `number`, -1 if the table is full. After the real create,
 * lwi_threads_created publishes the handle (ok) or abandons the slot (!ok). */
int32_t lwi_threads_reserve(uint32_t number);
void lwi_threads_created(int32_t slot, pthread_t handle, bool ok);
/* New thread side: attaches its state to the slot its creator reserved (slot may be -1). */
void lwi_threads_attach(struct lwi_thread *self, int32_t slot);
/* Thread end: detaches from its slot. */
void lwi_threads_unregister(struct lwi_thread *self);

bool lwi_threads_by_handle(pthread_t handle, uint32_t *number, int32_t *tid);
/* Thread number of a kernel tid, UINT32_MAX if it is not a registered thread. */
uint32_t lwi_threads_by_tid(int32_t tid);
/* A thread other than `self` whose held stack has the lock at `addr` (lockwatch's own record
 * of who holds it): its number, kernel tid and acquisition stack. Reads other threads' held
 * stacks (a system call per 16 entries), so only misuse checks call it. */
struct lwi_holder {
    uint32_t number;
    int32_t tid;
    uint64_t stack;
};
bool lwi_threads_holder(const struct lwi_thread *self, uint64_t addr, struct lwi_holder *out);
/* Copies len bytes at `from` (memory that may be gone: another thread's stack and TLS as it
 * exits, a lock object the program freed) without the risk of a fault: process_vm_readv on our
 * own process fails with EFAULT where a plain read would crash the program. errno is kept. */
bool lwi_read_safely(void *to, const void *from, size_t len);

/* In a forked child: the locks the other (now vanished) threads held at the fork, and then the
 * table and counter reset so that `self` is the only, main thread. */
uint32_t lwi_threads_held_by_others(const struct lwi_thread *self);
void lwi_threads_reset_after_fork(struct lwi_thread *self);

#endif
