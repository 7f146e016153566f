/* map.c — the detector's exact-key hash map (see map.h for the contract). */
#include "map.h"

#include <stdlib.h>

#include "mix.h"

static size_t slot_of(const struct lw_map *m, uint64_t k0, uint64_t k1)
{
    return (size_t)(lw_mix64(k0 ^ lw_mix64(k1 + 0x9e3779b97f4a7c15ull)) & (m->capacity - 1));
}

void lw_map_free(struct lw_map *m)
{
    if (!m) return;
    free(m->slots);
    free(m->used);
    m->slots = NULL;
    m->used = NULL;
    m->capacity = 0;
    m->count = 0;
    m->version++;
}

bool lw_map_get(const struct lw_map *m, uint64_t k0, uint64_t k1, uint64_t *value)
{
    if (m->capacity == 0) return false;
    for (size_t i = slot_of(m, k0, k1);; i = (i + 1) & (m->capacity - 1)) {
        if (!m->used[i]) return false;
        if (m->slots[i].k0 == k0 && m->slots[i].k1 == k1) {
            *value = m->slots[i].value;
            return true;
        }
    }
}

/* Places a key known to be absent; the caller guarantees a free slot. */
static void place(struct lw_map *m, uint64_t k0, uint64_t k1, uint64_t value)
{
    size_t i = slot_of(m, k0, k1);
    while (m->used[i])
        i = (i + 1) & (m->capacity - 1);
    m->used[i] = 1;
    m->slots[i] = (struct lw_map_slot){k0, k1, value};
    m->count++;
}

static int grow(struct lw_map *m)
{
    size_t capacity = m->capacity ? m->capacity * 2 : 16;
    struct lw_map next = {
        .slots = malloc(capacity * sizeof *next.slots),
        .used = calloc(capacity, 1),
        .capacity = capacity,
        .version = m->version,
    };
    if (!next.slots || !next.used) {
        lw_map_free(&next);
        return -1;
    }
    for (size_t i = 0; i < m->capacity; i++)
        if (m->used[i]) place(&next, m->slots[i].k0, m->slots[i].k1, m->slots[i].value);
    lw_map_free(m);
    next.version = m->version;
    *m = next;
    return 0;
}

int lw_map_put(struct lw_map *m, uint64_t k0, uint64_t k1, uint64_t value)
{
    m->version++; /* also when the put fails: a memo may only forget more than needed */
    if (m->capacity) {
        for (size_t i = slot_of(m, k0, k1); m->used[i]; i = (i + 1) & (m->capacity - 1)) {
            if (m->slots[i].k0 == k0 && m->slots[i].k1 == k1) {
                m->slots[i].value = value;
                return 0;
            }
        }
    }
    if ((m->count + 1) * 2 > m->capacity && grow(m) != 0) return -1;
    place(m, k0, k1, value);
    return 0;
}
