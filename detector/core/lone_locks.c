/* lone_locks.c — see lone_locks.h. */
#include "lone_locks.h"

#include <stdlib.h>

#include "mix.h"

static size_t home_of(uint32_t image, uint64_t addr, uint32_t generation, size_t mask)
{
    return (size_t)lw_mix64(addr ^ lw_mix64((uint64_t)image << 32 | generation)) & mask;
}

static bool same(const struct lw_lone_slot *s, uint32_t image, uint64_t addr, uint32_t generation)
{
    return s->image1 == image + 1 && s->addr == addr && s->generation == generation;
}

void lw_lone_locks_free(struct lw_lone_locks *s)
{
    free(s->slots);
    *s = (struct lw_lone_locks){0};
}

/* The slot holding the identity, or the free slot where the probe ended. */
static size_t probe(const struct lw_lone_locks *s, uint32_t image, uint64_t addr,
                    uint32_t generation)
{
    size_t mask = s->capacity - 1;
    size_t i = home_of(image, addr, generation, mask);
    while (s->slots[i].image1 != 0 && !same(&s->slots[i], image, addr, generation))
        i = (i + 1) & mask;
    return i;
}

static int grow(struct lw_lone_locks *s)
{
    size_t capacity = s->capacity ? 2 * s->capacity : 64;
    if (capacity > SIZE_MAX / sizeof *s->slots) return -1;
    struct lw_lone_slot *slots = calloc(capacity, sizeof *slots);
    if (!slots) return -1;
    struct lw_lone_locks bigger = {.slots = slots, .capacity = capacity, .count = s->count};
    for (size_t i = 0; i < s->capacity; i++) {
        const struct lw_lone_slot *o = &s->slots[i];
        if (o->image1 != 0) slots[probe(&bigger, o->image1 - 1, o->addr, o->generation)] = *o;
    }
    free(s->slots);
    *s = bigger;
    return 0;
}

int lw_lone_locks_add(struct lw_lone_locks *s, uint32_t image, uint64_t addr, uint32_t generation)
{
    if (image == UINT32_MAX) return -1; /* not representable as image + 1 */
    if (4 * (s->count + 1) > 3 * s->capacity && grow(s) != 0) return -1;
    size_t i = probe(s, image, addr, generation);
    if (s->slots[i].image1 != 0) return 0;
    s->slots[i] =
        (struct lw_lone_slot){.addr = addr, .image1 = image + 1, .generation = generation};
    s->count++;
    return 0;
}

bool lw_lone_locks_remove(struct lw_lone_locks *s, uint32_t image, uint64_t addr,
                          uint32_t generation)
{
    if (s->count == 0) return false;
    size_t mask = s->capacity - 1;
    size_t hole = probe(s, image, addr, generation);
    if (s->slots[hole].image1 == 0) return false;
    /* Backward shift: move up every later entry of the run whose home does not lie between the
     * hole and it, so each remaining entry stays reachable from its home. */
    for (size_t j = (hole + 1) & mask; s->slots[j].image1 != 0; j = (j + 1) & mask) {
        const struct lw_lone_slot *e = &s->slots[j];
        size_t home = home_of(e->image1 - 1, e->addr, e->generation, mask);
        bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (stays) continue;
        s->slots[hole] = *e;
        hole = j;
    }
    s->slots[hole] = (struct lw_lone_slot){0};
    s->count--;
    return true;
}
