/* lone_locks.h — the locks a program took only alone (LOCK_SEEN records): counted, not kept.
 *
 * A lock taken with nothing else held makes no lock-order edge, so it needs no struct lw_lock:
 * its identity (image, address, generation) sits in this set, 16 bytes a slot, until it enters a
 * chain, a wait or a misuse, where the lock table takes it over (lw_lone_locks_remove). The
 * run's distinct locks are then the lock table's plus this set's count. Linear probing, load at
 * most 3/4, deletion by backward shift (no tombstones). */
#ifndef LW_CORE_LONE_LOCKS_H
#define LW_CORE_LONE_LOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lw_lone_slot {
    uint64_t addr;
    uint32_t image1; /* image + 1; 0: free */
    uint32_t generation;
};

struct lw_lone_locks {
    struct lw_lone_slot *slots;
    size_t capacity; /* power of two, or 0 before the first insertion */
    size_t count;
};

/* A zeroed struct is an empty set; lw_lone_locks_free returns it to that state. */
void lw_lone_locks_free(struct lw_lone_locks *s);

/* Adds the identity (image < UINT32_MAX). 0 (also when already present), or -1 when out of
 * memory (the set is unchanged). */
int lw_lone_locks_add(struct lw_lone_locks *s, uint32_t image, uint64_t addr, uint32_t generation);

/* Removes the identity if present; true when it was. */
bool lw_lone_locks_remove(struct lw_lone_locks *s, uint32_t image, uint64_t addr,
                          uint32_t generation);

#endif
