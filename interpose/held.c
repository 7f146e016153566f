/* held.c — growth and removal for the held-lock stack (see held.h). Memory comes from mmap, never
 * malloc: these run on lock paths. */
#include "held.h"

#include <string.h>
#include <sys/mman.h>

#include "errsave.h"

const struct lwi_held_entry lwi_held_none[1] = {{.ref = {.addr = LWI_HELD_NO_LOCK}}};

/* Maps the sentinel and LWI_HELD_FIRST entries, later doubles the mapping with mremap (which may
 * move it; nothing keeps pointers into it across calls). */
static bool lwi_held_grow(struct lwi_held_stack *h)
{
    if (h->capacity + 1 >= LWI_HELD_MAX || h->no_syscalls) return false;
    uint32_t want = h->capacity ? h->capacity * 2 + 1 : LWI_HELD_FIRST;
    size_t bytes = ((size_t)want + 1) * sizeof(struct lwi_held_entry);
    struct lwi_held_entry *mem;
    LWI_ERRNO_SAVE();
    if (h->map_bytes == 0) {
        mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mem != MAP_FAILED) mem[0] = lwi_held_none[0];
    } else {
        mem = mremap(h->entries - 1, h->map_bytes, bytes, MREMAP_MAYMOVE);
    }
    LWI_ERRNO_RESTORE();
    if (mem == MAP_FAILED) return false;
    h->entries = mem + 1;
    h->map_bytes = bytes;
    h->capacity = want;
    lwi_held_set_root(h, h->root);
    return true;
}

bool lwi_held_make_room(struct lwi_held_stack *h)
{
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
    struct lwi_held_entry *base = h->entries - 1;
    size_t bytes = h->map_bytes;
    h->count = 0;
    h->capacity = 0;
    h->map_bytes = 0;
    lwi_held_init(h);
    atomic_signal_fence(memory_order_seq_cst);
    if (bytes) munmap(base, bytes);
    LWI_ERRNO_RESTORE();
}
