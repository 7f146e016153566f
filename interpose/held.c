/* held.c — growth and removal for the held-lock stack (see held.h). Memory comes from mmap, never
 * malloc: these run on lock paths. */
#include "held.h"

#include <string.h>
#include <sys/mman.h>

#include "errsave.h"

/* Doubles the capacity: the first time by copying the inline array into a fresh mapping, later
 * with mremap (which may move the mapping; nothing keeps pointers into it across calls). */
static bool lwi_held_grow(struct lwi_held_stack *h)
{
    if (h->capacity >= LWI_HELD_MAX) return false;
    uint32_t want = h->capacity * 2;
    size_t bytes = (size_t)want * sizeof(struct lwi_held_entry);
    void *mem;
    LWI_ERRNO_SAVE();
    if (h->map_bytes == 0) {
        mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mem != MAP_FAILED)
            memcpy(mem, h->inline_entries, (size_t)h->count * sizeof(struct lwi_held_entry));
    } else {
        mem = mremap(h->entries, h->map_bytes, bytes, MREMAP_MAYMOVE);
    }
    LWI_ERRNO_RESTORE();
    if (mem == MAP_FAILED) return false;
    h->entries = mem;
    h->map_bytes = bytes;
    h->capacity = want;
    return true;
}

bool lwi_held_make_room(struct lwi_held_stack *h)
{
    if (!h->entries) {
        h->entries = h->inline_entries;
        h->capacity = LWI_HELD_INLINE;
        return true;
    }
    if (lwi_held_grow(h)) return true;
    h->overflowed = true;
    return false;
}

void lwi_held_remove(struct lwi_held_stack *h, uint32_t i)
{
    if (i >= h->count) return;
    memmove(&h->entries[i], &h->entries[i + 1],
            (size_t)(h->count - i - 1) * sizeof(struct lwi_held_entry));
    h->count--;
}

void lwi_held_release(struct lwi_held_stack *h)
{
    LWI_ERRNO_SAVE();
    if (h->map_bytes) munmap(h->entries, h->map_bytes);
    LWI_ERRNO_RESTORE();
    h->entries = h->inline_entries;
    h->capacity = LWI_HELD_INLINE;
    h->map_bytes = 0;
    h->count = 0;
}
