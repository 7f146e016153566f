/* wrap_cond_destroy.c — pthread_cond_destroy (also std::condition_variable's destructor) and C11
 * cnd_destroy: a destroy while threads wait is noted before the real call, which in glibc waits
 * until every waiter has left (cond_check.h says who reports it and why). That wait is on the
 * wait board for the real call (watch.h): a destroy that waits for a waiter nobody will wake is
 * part of a stuck run. */
#include <pthread.h>
#include <threads.h>

#include "cond_check.h"
#include "real.h"
#include "family.h"
#include "tls.h"
#include "track.h"
#include "watch.h"

/* Before the real destroy: the misuse check, then the board. Returns whether it took the slot;
 * *self is NULL when the thread is not tracked. */
static bool lwi_cond_destroying(struct lwi_thread **self, const void *c, uint8_t flags, uint64_t pc)
{
    if (!(*self = lwi_enter())) return false;
    lwi_cond_check_destroy(*self, c);
    bool took =
        lwi_watch_begin(*self, LW_WAIT_COND_DESTROY, (uint64_t)(uintptr_t)c, flags, NULL, pc);
    lwi_leave(*self);
    return took;
}

LWI_EXPORT int pthread_cond_destroy(pthread_cond_t *c)
{
    struct lwi_thread *self;
    bool took = lwi_cond_destroying(&self, c, lwi_cond_flags(c), LWI_CALLER_PC());
    int rc = REAL(pthread_cond_destroy)(c);
    if (self) lwi_watch_end(self, took);
    return rc;
}

LWI_EXPORT void cnd_destroy(cnd_t *c)
{
    struct lwi_thread *self;
    bool took = lwi_cond_destroying(&self, c, 0, LWI_CALLER_PC());
    REAL(cnd_destroy)(c);
    if (self) lwi_watch_end(self, took);
}
