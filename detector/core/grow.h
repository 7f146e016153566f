/* grow.h — the one way the detector grows its arrays (doubling, checked for overflow). */
#ifndef LW_CORE_GROW_H
#define LW_CORE_GROW_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* Returns buf reallocated to hold at least need elements of elem bytes (buf itself when it
 * already does), updating *cap; returns NULL and leaves buf and *cap alone when out of memory. */
static inline void *lw_grow(void *buf, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap && buf) return buf;
    size_t next = *cap ? *cap : 8;
    while (next < need) {
        if (next > SIZE_MAX / 2 / elem) return NULL;
        next *= 2;
    }
    void *grown = realloc(buf, next * elem);
    if (grown) *cap = next;
    return grown;
}

#endif
