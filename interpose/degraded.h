/* degraded.h — sticky "a table could not hold something" flags.
 *
 * A low-level table (caches, generations, lock states, the thread table, the channel) that runs
 * out of room raises its flag with its limit and carries on passing calls through; it never calls
 * the record writer. The record writer (emit.c) sends one OVERFLOW record per raised flag, once
 * per process: at the end of the slow path that put into the table (lwi_emit_degraded_now), or
 * before the next record, or at exit (docs/internals.md, "Degraded tables"). Lock-free; any
 * thread, any context. */
#ifndef LWI_DEGRADED_H
#define LWI_DEGRADED_H

#include <stdatomic.h>
#include <stdint.h>

struct lwi_degraded {
    _Atomic uint32_t raised;   /* bit (table & 31): some table of that kind is full */
    _Atomic uint32_t reported; /* bit: its OVERFLOW record was sent (or is being sent) */
    _Atomic uint64_t limit[32];
};

extern struct lwi_degraded lwi_degraded; /* emit.c */

/* `table` is an enum lw_overflow_table (wire.h), `limit` what the record says the bound was. */
static inline void lwi_degraded_raise(uint32_t table, uint64_t limit)
{
    uint32_t bit = 1u << (table & 31);
    if (atomic_load_explicit(&lwi_degraded.raised, memory_order_relaxed) & bit) return;
    atomic_store_explicit(&lwi_degraded.limit[table & 31], limit, memory_order_relaxed);
    atomic_fetch_or_explicit(&lwi_degraded.raised, bit, memory_order_release);
}

/* Raised flags whose record is still to be sent (the writer's one-load check). */
static inline uint32_t lwi_degraded_pending(void)
{
    return atomic_load_explicit(&lwi_degraded.raised, memory_order_acquire) &
           ~atomic_load_explicit(&lwi_degraded.reported, memory_order_relaxed);
}

#endif
