/* real.c — resolves the original libc functions with dlsym(RTLD_NEXT), all in one place.
 *
 * Resolution is lazy and idempotent: whichever comes first (the constructor or a lock call made
 * by another library's constructor) resolves the whole table, mutexes first. dlsym allocates
 * only on failure, so an interposed malloc that locks while a later name fails to resolve finds
 * the mutex entries already filled; any other nested call resolves just its own name with a
 * nested dlsym (the loader's lock is recursive), bounded by a per-thread depth. glibc's
 * __pthread_* aliases cannot serve as a fallback: since 2.34 they are compat-only symbols. */
#include "real.h"

#include <stddef.h>

void *lwi_real_table[LWI_REAL_COUNT];

static const char *const lwi_real_names[LWI_REAL_COUNT] = {
#define LWI_REAL_NAME(name) [LWI_REAL_##name] = #name,
    LWI_REAL_FUNCS(LWI_REAL_NAME)
#undef LWI_REAL_NAME
};

static __thread int lwi_real_depth __attribute__((tls_model("initial-exec")));

static void *lwi_real_lookup(enum lwi_real_id id)
{
    const char *name = lwi_real_names[id];
    void *fn = NULL;
    /* Older glibcs return the GLIBC_2.2.5 compat condition variables from plain dlsym; ask for
     * the current version first. */
    if (id == LWI_REAL_pthread_cond_wait || id == LWI_REAL_pthread_cond_timedwait ||
        id == LWI_REAL_pthread_cond_destroy || id == LWI_REAL_pthread_cond_signal ||
        id == LWI_REAL_pthread_cond_broadcast)
        fn = dlvsym(RTLD_NEXT, name, "GLIBC_2.3.2");
    if (!fn) fn = dlsym(RTLD_NEXT, name);
    return fn;
}

void lwi_real_resolve_all(void)
{
    lwi_real_depth++;
    for (int i = 0; i < LWI_REAL_COUNT; i++) {
        if (__atomic_load_n(&lwi_real_table[i], __ATOMIC_ACQUIRE)) continue;
        void *fn = lwi_real_lookup((enum lwi_real_id)i);
        if (fn) __atomic_store_n(&lwi_real_table[i], fn, __ATOMIC_RELEASE);
    }
    lwi_real_depth--;
}

void *lwi_real_get(enum lwi_real_id id)
{
    void *fn = __atomic_load_n(&lwi_real_table[id], __ATOMIC_ACQUIRE);
    if (fn) return fn;
    if (lwi_real_depth == 0) {
        lwi_real_resolve_all();
        fn = __atomic_load_n(&lwi_real_table[id], __ATOMIC_ACQUIRE);
        if (fn) return fn;
    }
    /* Nested inside dlsym with no alias to fall back on: look up just this name, a bounded
     * number of levels deep (dlsym's loader lock is recursive). */
    if (lwi_real_depth < 4) {
        lwi_real_depth++;
        fn = lwi_real_lookup(id);
        lwi_real_depth--;
        if (fn) __atomic_store_n(&lwi_real_table[id], fn, __ATOMIC_RELEASE);
    }
    return fn;
}
