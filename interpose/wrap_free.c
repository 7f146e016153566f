/* wrap_free.c — free, cfree, realloc, reallocarray and munmap: memory that goes back to the
 * allocator or the kernel ends the generation of every lock it held (gen.h), so a lock later made
 * at the same address is a new lock even when nothing calls *_init or *_destroy (std::mutex, a
 * mutex in a freed object). operator delete in every variant (sized, aligned, nothrow) reaches free
 * through libstdc++, as do the allocator's own paths (a large block's munmap happens inside free).
 *
 * Runs for every free of the program, tracked or not, before the runtime is set up and in any
 * thread: no guard, no allocation, no lock, no system call of ours; memory whose pages hold no
 * lock costs a size query and a radix lookup. The extent of a block is malloc_usable_size's, used
 * only when the allocator whose free we forward to provides it (glibc's, or one that replaces it,
 * as jemalloc, tcmalloc and mimalloc do): asked about another allocator's block, glibc's would
 * read a chunk header that is not there. Without it, blocks are not looked at. Retiring happens
 * before the memory is handed back, so a lock another thread makes there afterwards cannot lose its
 * new generation to us. */
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "errsave.h"
#include "gen.h"
#include "real.h"

/* Does malloc_usable_size belong to the allocator behind REAL(free)? Decided once (0: not yet). */
static _Atomic int lwi_free_sized;

static bool lwi_block_size(void *p, size_t *size)
{
    int known = atomic_load_explicit(&lwi_free_sized, memory_order_relaxed);
    if (__builtin_expect(known == 0, 0)) {
        LWI_ERRNO_SAVE(); /* free leaves errno alone */
        Dl_info f, s;
        void *real_free = (void *)REAL(free);
        bool same = real_free && dladdr(real_free, &f) && dladdr((void *)&malloc_usable_size, &s) &&
                    f.dli_fbase == s.dli_fbase;
        known = same ? 1 : -1;
        atomic_store_explicit(&lwi_free_sized, known, memory_order_relaxed);
        LWI_ERRNO_RESTORE();
    }
    if (known < 0) return false;
    *size = malloc_usable_size(p);
    return true;
}

static void lwi_free_block(void *p)
{
    size_t size;
    if (p && lwi_block_size(p, &size)) lwi_gen_retire_range((uint64_t)(uintptr_t)p, size);
}

LWI_EXPORT void free(void *p)
{
    lwi_free_block(p);
    REAL(free)(p);
}

/* glibc keeps cfree only for programs linked before 2.26 (cfree@GLIBC_2.2.5, no default
 * version, so dlsym cannot find it): it is free under its old name, and is forwarded as such. */
LWI_EXPORT void cfree(void *p);
LWI_EXPORT void cfree(void *p)
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
    size_t old;
    if (!p || !lwi_block_size(p, &old) || !lwi_gen_range_used((uint64_t)(uintptr_t)p, old))
        return REAL(realloc)(p, n);
    if (n == 0) {
        lwi_gen_retire_range((uint64_t)(uintptr_t)p, old); /* glibc frees p */
        return REAL(realloc)(p, n);
    }
    return lwi_realloc_moving(p, old, n);
}

LWI_EXPORT void *reallocarray(void *p, size_t nmemb, size_t size)
{
    size_t old, n;
    if (!p || !lwi_block_size(p, &old) || !lwi_gen_range_used((uint64_t)(uintptr_t)p, old))
        return REAL(reallocarray)(p, nmemb, size);
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
