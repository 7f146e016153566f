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
};

/* A zeroed struct lw_map is an empty map; lw_map_free returns it to that state. */
void lw_map_free(struct lw_map *m);

/* Returns true and sets *value when the key is present. */
bool lw_map_get(const struct lw_map *m, uint64_t k0, uint64_t k1, uint64_t *value);

/* Inserts or overwrites. Returns 0, or -1 when out of memory (the map is unchanged). */
int lw_map_put(struct lw_map *m, uint64_t k0, uint64_t k1, uint64_t value);

#endif
