/* wrap_cond_destroy.c — pthread_cond_destroy (also std::condition_variable's destructor) and C11
 * cnd_destroy: a destroy while threads wait is noted before the real call, which in glibc waits
 * until every waiter has left (cond_check.h says who reports it and why). */
#include <pthread.h>
#include <threads.h>

#include "cond_check.h"
#include "real.h"
#include "tls.h"
#include "track.h"

static void lwi_cond_destroying(const void *c, uint64_t pc)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return;
    lwi_cond_check_destroy(self, c, pc);
    lwi_leave(self);
}

LWI_EXPORT int pthread_cond_destroy(pthread_cond_t *c)
{
    lwi_cond_destroying(c, LWI_CALLER_PC());
    return REAL(pthread_cond_destroy)(c);
}

LWI_EXPORT void cnd_destroy(cnd_t *c)
{
    lwi_cond_destroying(c, LWI_CALLER_PC());
    REAL(cnd_destroy)(c);
}
