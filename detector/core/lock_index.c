/* lock_index.c — see lock_index.h. */
#include "lock_index.h"

#include <stdlib.h>

#include "mix.h"

/* A random start for the address's 4 KiB window, plus its 8-byte unit within the window: the
 * locks of one array, page or object get neighbouring slots, so a program that makes or takes
 * them in address order has the driver read the table (and the locks it names) in order too,
 * instead of one cache miss per lock; windows, images and generations still land apart.
 *
 * Neighbouring home slots make runs of full slots that a probe walks. A table of 2^k slots holds
 * indices below 2^k (load at most 1/2), so the slot's bits above k hold a tag of the identity
 * (other bits of its hash) and a probe reads a lock only when the tag matches. */
struct probe {
    uint32_t home;       /* the home slot, before masking */
    uint32_t tag;        /* the tag bits a slot of this identity carries */
    uint32_t index_mask; /* the bits of a slot that hold index + 1 */
};

static struct probe probe_of(uint32_t image, uint64_t addr, uint32_t generation, size_t capacity)
{
    uint64_t window = lw_mix64(addr >> 12 ^ lw_mix64((uint64_t)image << 32 | generation));
    unsigned k = (unsigned)__builtin_ctzll((unsigned long long)capacity); /* capacity = 2^k */
    uint32_t index_mask = k >= 32 ? UINT32_MAX : ((uint32_t)1 << k) - 1;
    uint32_t unit = (uint32_t)(addr >> 3) & 511u;
    return (struct probe){.home = (uint32_t)(window >> 32) + unit,
                          .tag = ((uint32_t)window ^ unit * 0x9e3779b1u) & ~index_mask,
                          .index_mask = index_mask};
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
    size_t mask = x->capacity - 1;
    struct probe p = probe_of(image, addr, generation, x->capacity);
    for (size_t i = p.home & mask;; i = (i + 1) & mask) {
        uint32_t slot = x->slots[i];
        if (slot == 0) return UINT32_MAX;
        if ((slot & ~p.index_mask) != p.tag) continue;
        uint32_t index = (slot & p.index_mask) - 1;
        const struct lw_lock *l = locks[index];
        if (l->addr == addr && l->generation == generation && l->image == image) return index;
    }
}

/* Places lock `index` (locks[index]); the caller guarantees a free slot. */
static void place(uint32_t *slots, size_t capacity, struct lw_lock *const *locks, uint32_t index)
{
    const struct lw_lock *l = locks[index];
    struct probe p = probe_of(l->image, l->addr, l->generation, capacity);
    size_t i = p.home & (capacity - 1);
    while (slots[i] != 0)
        i = (i + 1) & (capacity - 1);
    slots[i] = (index + 1) | p.tag;
}

int lw_lock_index_add(struct lw_lock_index *x, struct lw_lock *const *locks, uint32_t index)
{
    if (index == UINT32_MAX) return -1; /* not representable as index + 1 */
    if (2 * (x->count + 1) > x->capacity) {
        size_t capacity = x->capacity ? 2 * x->capacity : 64;
        /* Home slots come from the 32-bit hash: a larger table would leave slots unused. */
        if (capacity > ((size_t)1 << 32) || capacity > SIZE_MAX / sizeof *x->slots) return -1;
        uint32_t *slots = calloc(capacity, sizeof *slots);
        if (!slots) return -1;
        uint32_t old_mask = x->capacity ? (uint32_t)(x->capacity - 1) : 0;
        for (size_t i = 0; i < x->capacity; i++)
            if (x->slots[i] != 0) place(slots, capacity, locks, (x->slots[i] & old_mask) - 1);
        free(x->slots);
        x->slots = slots;
        x->capacity = capacity;
    }
    place(x->slots, x->capacity, locks, index);
    x->count++;
    return 0;
}
