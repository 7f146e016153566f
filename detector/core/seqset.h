/* seqset.h — a set of uint32 sequences, each remembered with a caller's value.
 *
 * Cycles (of the lock-order graph, of blocked threads) are reported once each; their identity is
 * the sequence of their members rotated into a canonical form. This set answers "seen before?"
 * for such sequences in O(length) without storing a pointer per cycle in a map. Insert-only. */
#ifndef LW_CORE_SEQSET_H
#define LW_CORE_SEQSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "map.h"

struct lw_seqset_entry {
    size_t offset; /* into words */
    uint32_t length;
    uint32_t next; /* next entry with the same hash and length, UINT32_MAX at the end */
    uint64_t value;
};

struct lw_seqset {
    struct lw_map heads; /* (hash, length) -> first entry */
    struct lw_seqset_entry *entries;
    size_t nentries, entries_cap;
    uint32_t *words;
    size_t nwords, words_cap;
};

/* A zeroed struct is an empty set. */
void lw_seqset_free(struct lw_seqset *s);

/* Returns the entry holding seq[0..len), or NULL. The pointer is valid until the next insert. */
struct lw_seqset_entry *lw_seqset_find(struct lw_seqset *s, const uint32_t *seq, size_t len);

/* Adds seq (known to be absent) with value. Returns 0, or -1 when out of memory. */
int lw_seqset_add(struct lw_seqset *s, const uint32_t *seq, size_t len, uint64_t value);

/* Rotates seq[0..len) in place so that the smallest element at a position that is a multiple of
 * stride comes first (stride groups, e.g. (thread, lock) pairs, move together). */
void lw_seq_rotate_canonical(uint32_t *seq, size_t len, size_t stride);

#endif
