/* records.h — builders of wire records (lockwatch/wire.h) for the detector's unit tests, so each
 * test reads as the sequence of events a program under lockwatch would send, and the few cmocka
 * helpers that feed them to a detector (shared so every test file sets up the same way). */
#ifndef LW_TEST_RECORDS_H
#define LW_TEST_RECORDS_H

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>

#include "lockwatch/wire.h"

struct rec {
    alignas(8) unsigned char bytes[LW_WIRE_MAX_RECORD];
    size_t len;
};

/* Lock references: a mutex, and an rwlock taken in a mode; generation 0, blocking. */
struct lw_lock_ref ref_mutex(uint64_t addr);
struct lw_lock_ref ref_rwlock(uint64_t addr, uint8_t mode, uint8_t flags);
struct lw_held held_at(struct lw_lock_ref lock, uint64_t stack);
/* A semaphore used as a lock (LW_LOCK_SEM), generation 0. */
struct lw_lock_ref ref_sem(uint64_t addr);
/* SEM_SIGNAL: `thread` saw `sem` behave as a signal (enum lw_sem_signal_why). */
void rec_sem_signal(struct rec *r, int32_t pid, uint32_t thread, struct lw_lock_ref sem,
                    uint32_t why);
/* The same lock made process-shared. */
struct lw_lock_ref ref_pshared(struct lw_lock_ref lock);

void rec_process(struct rec *r, int32_t pid, int32_t parent, uint32_t origin, const char *exe);
void rec_module(struct rec *r, int32_t pid, uint64_t base, const char *path);
void rec_stack(struct rec *r, int32_t pid, uint64_t id, uint32_t nframes, const uint64_t *pcs);
void rec_thread(struct rec *r, int32_t pid, uint32_t thread, uint32_t parent, uint64_t stack);
/* CPython: the image's interpreter (layout NULL: an unsupported version), a code object's names,
 * and the Python frames of stack `stack`. */
void rec_python(struct rec *r, int32_t pid, uint32_t version, const struct lw_py_layout *layout);
/* A made-up CPython layout that passes validation: the interpreter state at `runtime`, the code,
 * str and bytes type objects at 0x9000, 0x9100 and 0x9200, small field offsets. */
struct lw_py_layout py_layout_fake(uint64_t runtime);
void rec_pycode(struct rec *r, int32_t pid, uint64_t code, int32_t first_line, const char *file,
                const char *func);
void rec_pystack(struct rec *r, int32_t pid, uint64_t stack, uint32_t nframes,
                 const struct lw_py_frame *frames, uint32_t flags);
void rec_thread_name(struct rec *r, int32_t pid, uint32_t thread, const char *name);
void rec_thread_exit(struct rec *r, int32_t pid, uint32_t thread, uint32_t nheld);
void rec_acquire(struct rec *r, int32_t pid, uint32_t thread, struct lw_lock_ref lock,
                 uint64_t stack, uint32_t nheld, const struct lw_held *held);
/* LOCK_SEEN: `thread` took `lock` holding nothing else. */
void rec_lock_seen(struct rec *r, int32_t pid, uint32_t thread, struct lw_lock_ref lock);
/* HELD: held entries first .. first + nheld - 1 of the next ACQUIRE's older part. */
void rec_held(struct rec *r, int32_t pid, uint32_t thread, uint32_t first, uint32_t nheld,
              const struct lw_held *held);
void rec_wait(struct rec *r, int32_t pid, uint32_t thread, struct lw_lock_ref lock, uint64_t stack,
              uint64_t deadline_ns, uint32_t nheld, const struct lw_held *held);
void rec_wait_end(struct rec *r, int32_t pid, uint32_t thread, struct lw_lock_ref lock);
/* The WAIT record in r names owner_tid as the lock object's owner. */
void rec_wait_owner(struct rec *r, int32_t owner_tid);
/* The WAIT record in r carries its held locks as the most recent of held_total. */
void rec_wait_held_total(struct rec *r, uint32_t held_total);
/* A WATCH record: the thread's wait slot (0x7000 + thread), timer board and pthread_t. */
void rec_watch(struct rec *r, int32_t pid, uint32_t thread, uint64_t handle);
void rec_misuse(struct rec *r, int32_t pid, uint32_t thread, uint32_t kind, struct lw_lock_ref lock,
                uint64_t stack, uint64_t other_stack, uint32_t other_thread, uint32_t will_block);
void rec_overflow(struct rec *r, int32_t pid, uint32_t table, uint64_t limit);
/* A HOLDS record of `thread` with n events; time_ns goes in the header. */
void rec_holds(struct rec *r, int32_t pid, uint32_t thread, const struct lw_hold *events,
               uint32_t n, uint64_t time_ns);

/* JOIN: `thread` of pid joined the thread whose pthread_t is `handle`, at stack `stack`. */
void rec_join(struct rec *r, int32_t pid, uint32_t thread, uint64_t handle, uint64_t stack);
/* BARRIER: `thread` of pid returned from a wait on `barrier` of `count` threads, at `stack`. */
void rec_barrier(struct rec *r, int32_t pid, uint32_t thread, uint64_t barrier, uint32_t count,
                 uint64_t stack);
/* SEM: `thread` of pid did `op` (enum lw_sem_op) on `sem` (INIT: initial `value`) at `stack`. */
void rec_sem(struct rec *r, int32_t pid, uint32_t thread, uint64_t sem, uint32_t op, uint32_t value,
             uint64_t stack);
/* REAP: `thread` of pid waited for the end of child process `child`, at `stack`. */
void rec_reap(struct rec *r, int32_t pid, uint32_t thread, int32_t child, uint64_t stack);
/* Sets the CLOCK_MONOTONIC time in the header of the record in r. */
void rec_time(struct rec *r, uint64_t time_ns);
/* Sets the epoch in the header of the record in r (the builders leave 0). */
void rec_epoch(struct rec *r, uint32_t epoch);
/* Sets the creator's epoch of the THREAD record in r. */
void rec_parent_epoch(struct rec *r, uint32_t epoch);

/* The kernel tid the builders put in the headers of `thread` of pid. */
int32_t tid_of(int32_t pid, uint32_t thread);

struct lw_detector;
struct lw_finding;
struct lw_thread;
struct lw_thread_wait;

/* Feeds r to d; fails the current cmocka test unless the detector accepts it. */
void feed_ok(struct lw_detector *d, const struct rec *r);

/* A new detector that has already accepted the PROCESS record of pid ("/bin/prog", parent 1,
 * exec'd); fails the current test when it cannot be made. */
struct lw_detector *detector_with_process(int32_t pid);
/* Feeds the PROCESS record of `child`, forked from `parent` (same image). */
void fork_process(struct lw_detector *d, int32_t child, int32_t parent);

/* Hands d a board wait (lw_detector_board_wait) of `thread` of pid: `kind` on `object`, at the
 * single frame 0x5000 + thread, holding held[0..nheld). Returns what the detector returned. */
int board_wait(struct lw_detector *d, int32_t pid, uint32_t thread, uint32_t kind, uint64_t object,
               uint32_t nheld, const struct lw_held *held);

/* The report's thread `number` of pid; fails the current test when there is none. */
struct lw_thread *thread_numbered(struct lw_detector *d, int32_t pid, uint32_t number);

/* The only deadlock finding of d; fails the test unless there is exactly one. */
const struct lw_finding *the_deadlock(struct lw_detector *d);

/* What thread `number` of pid waits for in f; fails the test when f has no such wait. */
const struct lw_thread_wait *wait_in(const struct lw_finding *f, int32_t pid, uint32_t number);

/* A cmocka teardown: frees the detector in *state. */
int detector_teardown(void **state);

#endif
