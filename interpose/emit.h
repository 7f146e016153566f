/* emit.h — builds each wire.h record and hands it to the channel. One function per record type;
 * each fills the common header (pid, tid and thread number of `self`, CLOCK_MONOTONIC time).
 * Called under the re-entry guard; builds records on the stack, never allocates. */
#ifndef LWI_EMIT_H
#define LWI_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "degraded.h"
#include "lockwatch/wire.h"

struct lwi_thread;

void lwi_emit_process(const struct lwi_thread *self, uint32_t origin, int32_t parent_pid,
                      uint32_t fork_thread, uint32_t held_at_fork, const char *exe);
void lwi_emit_module(const struct lwi_thread *self, uint64_t base, uint64_t start, uint64_t end,
                     const char *path);
void lwi_emit_stack(const struct lwi_thread *self, uint64_t id, const uint64_t *pcs,
                    uint32_t nframes);
void lwi_emit_thread(const struct lwi_thread *self, uint32_t parent_thread, uint32_t parent_epoch,
                     uint64_t created_stack, uint64_t start_routine);
/* self (in its new epoch) joined the thread whose pthread_t is `joined`, at `stack`. */
void lwi_emit_join(const struct lwi_thread *self, uint64_t joined, uint64_t stack);
/* self (in its new epoch) returned from a wait on `barrier` of `count` threads, at `stack`. */
void lwi_emit_barrier(const struct lwi_thread *self, uint64_t barrier, uint32_t count,
                      uint32_t flags, uint64_t stack);
/* self (in its new epoch) waited for the end of child process `child`, at `stack`. */
void lwi_emit_reap(const struct lwi_thread *self, int32_t child, uint64_t stack);
/* A semaphore event (enum lw_sem_op) of self on `sem`, at `stack`. */
void lwi_emit_sem(const struct lwi_thread *self, uint64_t sem, uint32_t op, uint32_t value,
                  uint64_t stack);
/* How a steered pause at site index `site` ended (enum lw_steer_outcome). */
void lwi_emit_steer(const struct lwi_thread *self, uint32_t outcome, uint32_t site);
/* Names thread `number` (kernel tid `tid`), which need not be the calling thread. */
void lwi_emit_thread_name(const struct lwi_thread *self, uint32_t number, int32_t tid,
                          const char *name);
void lwi_emit_thread_exit(const struct lwi_thread *self, uint32_t nheld);
/* ACQUIRE for `lock` at `stack`, carrying self's current held set. */
void lwi_emit_acquire(const struct lwi_thread *self, const struct lw_lock_ref *lock,
                      uint64_t stack);
/* LOCK_SEEN for `lock`, taken with nothing held (a chain with no edge). */
void lwi_emit_lock_seen(const struct lwi_thread *self, const struct lw_lock_ref *lock);
/* SEM_SIGNAL: semaphore `sem` behaved as a signal (enum lw_sem_signal_why). */
void lwi_emit_sem_signal(const struct lwi_thread *self, const struct lw_lock_ref *sem,
                         uint32_t why);
void lwi_emit_wait(const struct lwi_thread *self, const struct lw_lock_ref *lock, uint64_t stack,
                   int32_t owner_tid, uint64_t deadline_ns);
void lwi_emit_wait_end(const struct lwi_thread *self, const struct lw_lock_ref *lock,
                       int32_t result);
void lwi_emit_misuse(const struct lwi_thread *self, uint32_t kind, uint32_t will_block,
                     const struct lw_lock_ref *lock, uint64_t stack, uint64_t other_stack,
                     uint32_t other_thread);
/* A misuse that names two locks (TWO_MUTEXES). */
void lwi_emit_misuse_pair(const struct lwi_thread *self, uint32_t kind,
                          const struct lw_lock_ref *lock, const struct lw_lock_ref *other_lock,
                          uint64_t stack, uint64_t other_stack, uint32_t other_thread);
/* Sends a filled LW_REC_HOLDS record of thread `thread` (kernel tid `tid`, which need not be the
 * calling thread) in place: rec->nevents events, header written here (profile.c). */
void lwi_emit_holds(struct lw_rec_holds *rec, int32_t tid, uint32_t thread);
/* Where self's wait slot, signal log and the process's timer board are, and self's pthread_t
 * (watch.h). */
void lwi_emit_watch(const struct lwi_thread *self, uint64_t slot, uint64_t signals, uint64_t timers,
                    uint64_t handle);
/* Raises the table's degraded flag (degraded.h) and sends what is pending: at most once per
 * table per process. */
void lwi_emit_overflow(const struct lwi_thread *self, uint32_t table, uint64_t limit);
/* One OVERFLOW record per flag raised and not reported yet (lwi_emit_degraded_now). */
void lwi_emit_degraded(const struct lwi_thread *self) __attribute__((cold, noinline));
/* Reports the flags a table raised during this call now, rather than before the next record: a
 * process that dies by a signal or _exit before sending another loses none. For the slow paths
 * that put into a table; one load when nothing is pending. */
static inline void lwi_emit_degraded_now(const struct lwi_thread *self)
{
    if (__builtin_expect(lwi_degraded_pending() != 0, 0)) lwi_emit_degraded(self);
}
/* The hand-over of a record ring on the socket, with its memfd attached; true when it went out. */
bool lwi_emit_ring(const struct lwi_thread *self, int memfd);

/* The image's CPython: its version, whether its frames are read, and how (layout NULL: not). */
void lwi_emit_python(const struct lwi_thread *self, uint32_t version, bool supported,
                     const struct lw_py_layout *layout);
/* Sends a record of `type` and `size` bytes built by the caller, after filling its header. */
void lwi_emit_record(const struct lwi_thread *self, enum lw_rec_type type, struct lw_rec_header *h,
                     size_t size);

uint64_t lwi_now_ns(void);

#endif
