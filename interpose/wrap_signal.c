/* wrap_signal.c — pthread_cond_signal, pthread_cond_broadcast, cnd_signal, cnd_broadcast (also
 * std::condition_variable::notify_*), noted in the signalling thread's log when they succeed
 * (watch.h), so a deadlock report can say where a condition variable that threads wait on was
 * last signalled, and whether that was before they waited (a lost wake-up). sem_post, which is
 * also a release when its thread took the semaphore, is noted by wrap_semlock.c. The real call
 * comes first and its result and errno are the program's. */
#include <pthread.h>
#include <threads.h>

#include "real.h"
#include "track.h"
#include "watch.h"

static void lwi_signal_noted(const void *object, uint64_t pc)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return;
    lwi_watch_signal(self, (uint64_t)(uintptr_t)object, pc);
    lwi_leave(self);
}

LWI_EXPORT int pthread_cond_signal(pthread_cond_t *c)
{
    int rc = REAL(pthread_cond_signal)(c);
    if (rc == 0) lwi_signal_noted(c, LWI_CALLER_PC());
    return rc;
}

LWI_EXPORT int pthread_cond_broadcast(pthread_cond_t *c)
{
    int rc = REAL(pthread_cond_broadcast)(c);
    if (rc == 0) lwi_signal_noted(c, LWI_CALLER_PC());
    return rc;
}

LWI_EXPORT int cnd_signal(cnd_t *c)
{
    int rc = REAL(cnd_signal)(c);
    if (rc == thrd_success) lwi_signal_noted(c, LWI_CALLER_PC());
    return rc;
}

LWI_EXPORT int cnd_broadcast(cnd_t *c)
{
    int rc = REAL(cnd_broadcast)(c);
    if (rc == thrd_success) lwi_signal_noted(c, LWI_CALLER_PC());
    return rc;
}
