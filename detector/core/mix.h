/* mix.h — the detector's one integer hash: splitmix64's finaliser, cheap, and every input bit
 * reaches the low bits a power-of-two table masks with. */
#ifndef LW_CORE_MIX_H
#define LW_CORE_MIX_H

#include <stdint.h>

static inline uint64_t lw_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

#endif
