/* lock_index.c — see lock_index.h. */
#include "lock_index.h"

#include <stdlib.h>

#include "mix.h"

/* A random start for the address's 4 KiB window, plus its 8-byte unit within the window: the
 * locks of one array, page or object get neighbouring slots, so a program that makes or takes
 * them in address order has the driver read the table (and the locks it names) in order too,
 * instead of one cache miss per lock; windows, images and generations still land apart. */
static uint32_t hash_of(uint32_t image, uint64_t addr, uint32_t generation)
{
    uint64_t window = lw_mix64(addr >> 12 ^ lw_mix64((uint64_t)image << 32 | generation));
    return (uint32_t)(window >> 32) + (uint32_t)((addr >> 3) & 511u);
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
    uint32_t hash = hash_of(image, addr, generation);
    for (size_t i = hash & (x->capacity - 1);; i = (i + 1) & (x->capacity - 1)) {
        uint64_t slot = x->slots[i];
        if (slot == 0) return UINT32_MAX;
        if ((uint32_t)(slot >> 32) != hash) continue;
        uint32_t index = (uint32_t)slot - 1;
        const struct lw_lock *l = locks[index];
        if (l->addr == addr && l->generation == generation && l->image == image) return index;
    }
}

/* Places a slot whose hash is in its high half; the caller guarantees a free slot. */
static void place(uint64_t *slots, size_t capacity, uint64_t slot)
{
    size_t i = (uint32_t)(slot >> 32) & (capacity - 1);
    while (slots[i] != 0)
        i = (i + 1) & (capacity - 1);
    slots[i] = slot;
}

int lw_lock_index_add(struct lw_lock_index *x, struct lw_lock *const *locks, uint32_t index)
{
    if (index == UINT32_MAX) return -1; /* not representable as index + 1 */
    if (2 * (x->count + 1) > x->capacity) {
        size_t capacity = x->capacity ? 2 * x->capacity : 64;
        /* Home slots come from the 32-bit hash: a larger table would leave slots unused. */
        if (capacity > ((size_t)1 << 32) || capacity > SIZE_MAX / sizeof *x->slots) return -1;
        uint64_t *slots = calloc(capacity, sizeof *slots);
        if (!slots) return -1;
        for (size_t i = 0; i < x->capacity; i++)
            if (x->slots[i] != 0) place(slots, capacity, x->slots[i]);
        free(x->slots);
        x->slots = slots;
        x->capacity = capacity;
    }
    const struct lw_lock *l = locks[index];
    place(x->slots, x->capacity,
          (uint64_t)hash_of(l->image, l->addr, l->generation) << 32 | (index + 1u));
    x->count++;
    return 0;
}
