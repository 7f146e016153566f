/* watch.c — the process's timer board and the announcement of each thread's wait slot (watch.h). */
#include "watch.h"

#include <pthread.h>

#include "emit.h"

struct lw_timer_board lwi_timers;

void lwi_watch_announce(const struct lwi_thread *self)
{
    lwi_emit_watch(self, (uint64_t)(uintptr_t)&self->watch, (uint64_t)(uintptr_t)&lwi_timers,
                   (uint64_t)pthread_self());
}
