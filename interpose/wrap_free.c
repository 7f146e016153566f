/* wrap_free.c — free, realloc, reallocarray and munmap: memory that goes back to the allocator or
 * the kernel ends the generation of every lock it held (gen.h), so a lock later made at the same
 * address is a new lock even when nothing calls *_init or *_destroy (std::mutex, a mutex in a
 * freed object). operator delete in every variant (sized, aligned, nothrow) reaches free through
 * libstdc++, as do the allocator's own paths (a large block's munmap happens inside free).
 *
 * Runs for every free of the program, tracked or not, before the runtime is set up and in any
 * thread: no guard, no allocation, no lock, no system call of ours; memory whose pages hold no
 * lock costs a size query and a radix lookup. The extent of a block is malloc_usable_size's (the
 * program's allocator's when it replaces glibc's). Retiring happens before the memory is handed
 * back, so a lock another thread makes there afterwards cannot lose its new generation to us. */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <string.h>

#include "gen.h"
#include "real.h"

static void lwi_free_block(void *p)
{
    if (p) lwi_gen_retire_range((uint64_t)(uintptr_t)p, malloc_usable_size(p));
}

LWI_EXPORT void free(void *p)
{
    lwi_free_block(p);
    REAL(free)(p);
}

/* A block holding a live lock is moved by hand (allocate, copy, free): the real realloc may move it
 * or not, and only after the call would we know whether its locks died, too late to retire them
 * before the memory can be reused. Moving is always a valid realloc. */
static void *lwi_realloc_moving(void *p, size_t old, size_t n)
{
    void *q = malloc(n);
    if (!q) return NULL; /* p is untouched, errno is malloc's */
    memcpy(q, p, old < n ? old : n);
    lwi_gen_retire_range((uint64_t)(uintptr_t)p, old);
    REAL(free)(p);
    return q;
}

LWI_EXPORT void *realloc(void *p, size_t n)
{
    if (!p) return REAL(realloc)(p, n);
    size_t old = malloc_usable_size(p);
    if (!lwi_gen_range_used((uint64_t)(uintptr_t)p, old)) return REAL(realloc)(p, n);
    if (n == 0) {
        lwi_gen_retire_range((uint64_t)(uintptr_t)p, old); /* glibc frees p */
        return REAL(realloc)(p, n);
    }
    return lwi_realloc_moving(p, old, n);
}

LWI_EXPORT void *reallocarray(void *p, size_t nmemb, size_t size)
{
    if (!p) return REAL(reallocarray)(p, nmemb, size);
    size_t old = malloc_usable_size(p), n;
    if (!lwi_gen_range_used((uint64_t)(uintptr_t)p, old)) return REAL(reallocarray)(p, nmemb, size);
    if (__builtin_mul_overflow(nmemb, size, &n)) {
        errno = ENOMEM;
        return NULL;
    }
    if (n == 0) {
        lwi_gen_retire_range((uint64_t)(uintptr_t)p, old);
        return REAL(reallocarray)(p, nmemb, size);
    }
    return lwi_realloc_moving(p, old, n);
}

LWI_EXPORT int munmap(void *addr, size_t len)
{
    /* not for a call that fails with EINVAL (unaligned or empty), which unmaps nothing */
    if (len && ((uintptr_t)addr & 4095u) == 0) lwi_gen_retire_range((uint64_t)(uintptr_t)addr, len);
    return REAL(munmap)(addr, len);
}
