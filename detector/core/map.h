/* map.h — open-addressing hash map from a two-word key to a 64-bit value.
 *
 * Every table of the detector (locks, threads, processes, stacks, graph edges, seen cycles) is a
 * lookup by a small fixed key; one exact-key map serves them all. Keys are compared whole, so
 * composite keys (image, address, generation) never collide. Insert-only: the detector never
 * forgets a lock, an edge or a finding during a run. Linear probing, load kept at most 1/2. */
#ifndef LW_CORE_MAP_H
#define LW_CORE_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lw_map_slot {
    uint64_t k0, k1;
    uint64_t value;
};

struct lw_map {
    struct lw_map_slot *slots;
    uint8_t *used;
    size_t capacity; /* power of two, or 0 before the first insertion */
    size_t count;
    uint64_t version; /* changes with every lw_map_put and lw_map_free (lw_map_memo) */
};

/* A zeroed struct lw_map is an empty map; lw_map_free returns it to that state. */
void lw_map_free(struct lw_map *m);

/* Returns true and sets *value when the key is present. */
bool lw_map_get(const struct lw_map *m, uint64_t k0, uint64_t k1, uint64_t *value);

/* Inserts or overwrites. Returns 0, or -1 when out of memory (the map is unchanged). */
int lw_map_put(struct lw_map *m, uint64_t k0, uint64_t k1, uint64_t value);

/* A memo in front of one map: the last few keys looked up there, with their values, for the
 * hot lookups that ask for the same few keys again and again (a record's thread, its stacks).
 * It answers only while the map has not changed since it remembered the key, so it is always
 * the map's answer; a memo must front one map only for its whole life. A zeroed memo is empty. */
#define LW_MAP_MEMO_WAYS 8u

struct lw_map_memo {
    struct {
        uint64_t k0, k1, value;
        uint64_t stamp; /* the map's version + 1 when remembered; 0: empty */
    } way[LW_MAP_MEMO_WAYS];
};

/* lw_map_get, through the memo. */
static inline bool lw_map_get_memo(const struct lw_map *m, struct lw_map_memo *memo, uint64_t k0,
                                   uint64_t k1, uint64_t *value)
{
    unsigned w = (unsigned)((k0 ^ k1 * 0x9e3779b97f4a7c15ull) * 0xff51afd7ed558ccdull >> 61);
    if (memo->way[w].stamp == m->version + 1 && memo->way[w].k0 == k0 && memo->way[w].k1 == k1) {
        *value = memo->way[w].value;
        return true;
    }
    if (!lw_map_get(m, k0, k1, value)) return false;
    memo->way[w].k0 = k0;
    memo->way[w].k1 = k1;
    memo->way[w].value = *value;
    memo->way[w].stamp = m->version + 1;
    return true;
}

#endif
