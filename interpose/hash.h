/* hash.h — the 64-bit mixing used for chain keys, cache indexes and stack ids. The finaliser of
 * MurmurHash3 (public domain idea, written out here): every input bit affects every output bit,
 * which keeps the direct-mapped tables evenly filled. */
#ifndef LWI_HASH_H
#define LWI_HASH_H

#include <stdint.h>

static inline uint64_t lwi_mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

/* Combines a running hash with one more value (order matters). */
static inline uint64_t lwi_combine(uint64_t h, uint64_t v)
{
    return lwi_mix64(h ^ (v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2)));
}

#endif
