/* lock_index.c — see lock_index.h. */
#include "lock_index.h"

#include <stdlib.h>

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

static size_t home(size_t capacity, uint32_t image, uint64_t addr, uint32_t generation)
{
    uint64_t h = mix64(addr ^ mix64((uint64_t)image << 32 | generation));
    return (size_t)(h & (capacity - 1));
}

void lw_lock_index_free(struct lw_lock_index *x)
{
    free(x->slots);
    *x = (struct lw_lock_index){0};
}

uint32_t lw_lock_index_find(const struct lw_lock_index *x, struct lw_lock *const *locks,
                            uint32_t image, uint64_t addr, uint32_t generation)
{
    if (x->capacity == 0) return UINT32_MAX;
    for (size_t i = home(x->capacity, image, addr, generation);; i = (i + 1) & (x->capacity - 1)) {
        uint32_t slot = x->slots[i];
        if (slot == 0) return UINT32_MAX;
        const struct lw_lock *l = locks[slot - 1];
        if (l->addr == addr && l->generation == generation && l->image == image) return slot - 1;
    }
}

static void place(uint32_t *slots, size_t capacity, const struct lw_lock *l, uint32_t index)
{
    size_t i = home(capacity, l->image, l->addr, l->generation);
    while (slots[i] != 0)
        i = (i + 1) & (capacity - 1);
    slots[i] = index + 1;
}

int lw_lock_index_add(struct lw_lock_index *x, struct lw_lock *const *locks, uint32_t index)
{
    if (index == UINT32_MAX) return -1; /* not representable as index + 1 */
    if (2 * (x->count + 1) > x->capacity) {
        size_t capacity = x->capacity ? 2 * x->capacity : 64;
        if (capacity > SIZE_MAX / sizeof *x->slots) return -1;
        uint32_t *slots = calloc(capacity, sizeof *slots);
        if (!slots) return -1;
        for (size_t i = 0; i < x->capacity; i++)
            if (x->slots[i] != 0) place(slots, capacity, locks[x->slots[i] - 1], x->slots[i] - 1);
        free(x->slots);
        x->slots = slots;
        x->capacity = capacity;
    }
    place(x->slots, x->capacity, locks[index], index);
    x->count++;
    return 0;
}
