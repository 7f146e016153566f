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

void rec_process(struct rec *r, int32_t pid, int32_t parent, uint32_t origin, const char *exe);
void rec_module(struct rec *r, int32_t pid, uint64_t base, const char *path);
void rec_stack(struct rec *r, int32_t pid, uint64_t id, uint32_t nframes, const uint64_t *pcs);
void rec_thread(struct rec *r, int32_t pid, uint32_t thread, uint32_t parent, uint64_t stack);
void rec_thread_name(struct rec *r, int32_t pid, uint32_t thread, const char *name);
void rec_thread_exit(struct rec *r, int32_t pid, uint32_t thread, uint32_t nheld);
void rec_acquire(struct rec *r, int32_t pid, uint32_t thread, struct lw_lock_ref lock,
                 uint64_t stack, uint32_t nheld, const struct lw_held *held);
void rec_wait(struct rec *r, int32_t pid, uint32_t thread, struct lw_lock_ref lock, uint64_t stack,
              uint64_t deadline_ns, uint32_t nheld, const struct lw_held *held);
void rec_wait_end(struct rec *r, int32_t pid, uint32_t thread, struct lw_lock_ref lock);
void rec_misuse(struct rec *r, int32_t pid, uint32_t thread, uint32_t kind, struct lw_lock_ref lock,
                uint64_t stack, uint64_t other_stack, uint32_t other_thread, uint32_t will_block);
void rec_overflow(struct rec *r, int32_t pid, uint32_t table, uint64_t limit);
/* A HOLDS record of `thread` with n events; time_ns goes in the header. */
void rec_holds(struct rec *r, int32_t pid, uint32_t thread, const struct lw_hold *events,
               uint32_t n, uint64_t time_ns);

struct lw_detector;

/* Feeds r to d; fails the current cmocka test unless the detector accepts it. */
void feed_ok(struct lw_detector *d, const struct rec *r);

/* A new detector that has already accepted the PROCESS record of pid ("/bin/prog", parent 1,
 * exec'd); fails the current test when it cannot be made. */
struct lw_detector *detector_with_process(int32_t pid);

/* A cmocka teardown: frees the detector in *state. */
int detector_teardown(void **state);

#endif
