/* wrap_sem.c — sem_destroy: ends the semaphore's generation (wrap_semlock.c tracks semaphores as
 * locks), and reports a destroy of a semaphore threads are blocked on (cond-misuse); and the SEM
 * records of process-private semaphores from which the driver notes hand-overs that ordered a
 * cycle's edges (lwi_sem_event, called by wrap_semlock.c; docs/internals.md, "Semaphore notes").
 *
 * The waiters are read from the object: glibc's 64-bit
 * semaphore keeps the blocked waiters in the high half of its data word and the value in the low
 * half. A waiter counts from the moment it blocks until it returns; one a post has already
 * released still counts until it returns, so only waiters beyond the value (tokens not yet
 * taken) prove that a thread stays blocked on a destroyed semaphore. Other layouts: no check. */
#include <semaphore.h>
#include <stdint.h>

#include "wrap_sem.h"

#include "chain.h"
#include "depot.h"
#include "emit.h"
#include "errsave.h"
#include "family.h"
#include "gen.h"
#include "real.h"
#include "site.h"
#include "tls.h"
#include "track.h"

#if UINTPTR_MAX == UINT64_MAX && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LWI_SEM_NWAITERS_SHIFT 32
static bool lwi_sem_has_blocked_waiters(const sem_t *sem)
{
    uint64_t data = __atomic_load_n((const uint64_t *)(const void *)sem, __ATOMIC_RELAXED);
    uint32_t waiters = (uint32_t)(data >> LWI_SEM_NWAITERS_SHIFT), value = (uint32_t)data;
    return waiters > value;
}
#else
static bool lwi_sem_has_blocked_waiters(const sem_t *sem)
{
    (void)sem;
    return false;
}
#endif

#define LWI_SEM_SITE 0x73656d6170686f72ull

void lwi_sem_event(struct lwi_thread *self, const sem_t *sem, uint8_t flags, uint32_t op,
                   uint32_t value, uint64_t pc)
{
    if (flags & LW_LOCKF_PSHARED) return; /* posts elsewhere are not seen */
    LWI_ERRNO_SAVE();
    /* Only a thread with an edge in its current epoch needs a new one to tell its uses before
     * the post or wait from those after; otherwise the current epoch has no use before it. */
    if (op != LW_SEM_INIT && self->dirty) lwi_thread_next_epoch(self);
    struct lw_lock_ref site_ref = {.addr = (uint64_t)(uintptr_t)sem};
    uint64_t stack = lwi_site_stack(self, lwi_chain_site_key(LWI_SEM_SITE + op, pc), &site_ref);
    lwi_emit_sem(self, (uint64_t)(uintptr_t)sem, op, value, stack);
    LWI_ERRNO_RESTORE();
}

LWI_EXPORT int sem_destroy(sem_t *sem)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(sem_destroy)(sem);
    if (lwi_sem_has_blocked_waiters(sem)) {
        /* A semaphore is no lock: the record names it by address, type 0. */
        struct lw_lock_ref ref = {.addr = (uint64_t)(uintptr_t)sem};
        lwi_emit_misuse(self, LW_MISUSE_SEM_DESTROYED, 0, &ref, lwi_depot_capture(self), 0,
                        UINT32_MAX);
    }
    lwi_leave(self);
    int rc = REAL(sem_destroy)(sem);
    if (rc == 0 && lwi_reenter(self)) {
        /* The semaphore's generation ends; a hold of it by this thread goes with it (taking a
         * semaphore carries no ownership, so destroying a taken one is no misuse). */
        lwi_track_sem_forget(self, (uint64_t)(uintptr_t)sem);
        lwi_gen_retire((uint64_t)(uintptr_t)sem);
        lwi_leave(self);
    }
    return rc;
}
