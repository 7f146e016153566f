/* lock_index.h — finds a lock of the run by its identity (image, address, generation).
 *
 * An open-addressing table of lock indices (lw_report.locks): the identity itself is read from
 * the lock, so a slot costs 4 bytes, where a map keyed by the identity would cost 25. A lock's
 * home slot keeps neighbours in memory neighbours in the table (lock_index.c), and the slot's
 * bits above the table's index bits carry a tag of the identity, so a probe reads a lock only
 * when the tag matches. Linear probing, load kept at most 1/2; insert-only, like the run's
 * locks. */
#ifndef LW_CORE_LOCK_INDEX_H
#define LW_CORE_LOCK_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "lockwatch/report.h"

struct lw_lock_index {
    uint32_t *slots; /* lock index + 1; 0: free */
    size_t capacity; /* power of two, or 0 before the first insertion */
    size_t count;
};

/* A zeroed struct is an empty index; lw_lock_index_free returns it to that state. */
void lw_lock_index_free(struct lw_lock_index *x);

/* The index in `locks` of the lock with this identity, or UINT32_MAX when there is none. */
uint32_t lw_lock_index_find(const struct lw_lock_index *x, struct lw_lock *const *locks,
                            uint32_t image, uint64_t addr, uint32_t generation);

/* Adds locks[index] (whose identity is not in the index yet). 0, or -1 when out of memory (the
 * index is unchanged). */
int lw_lock_index_add(struct lw_lock_index *x, struct lw_lock *const *locks, uint32_t index);

#endif
