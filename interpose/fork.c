/* fork.c — keeps the runtime consistent across fork().
 *
 * Only the forking thread exists in the child. It becomes the child's main thread (number 0, its
 * new kernel tid), the live-thread table is reset to it, the flags another thread might have
 * held at the fork are cleared, and the child announces itself with a PROCESS record (origin
 * FORK, parent pid, the forking thread's number in the parent, and how many locks the vanished
 * threads held), in the epoch the fork started (happens-before). The child keeps the parent's
 * connection and caches: it shares its image. */
#include "fork.h"

#include <pthread.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "channel.h"
#include "emit.h"
#include "errsave.h"
#include "modules.h"
#include "profile.h"
#include "threads.h"
#include "tls.h"
#include "watch.h"

int32_t *lwi_fork_mark;
atomic_bool lwi_fork_by_getpid;

/* The pid the mark says this process announced, refreshed for a child. */
static void lwi_fork_rearm(void)
{
    if (lwi_fork_mark) *(volatile int32_t *)lwi_fork_mark = (int32_t)getpid();
}

/* In the parent, before the fork: gives the forking thread its number if it has none yet, and
 * ends its epoch: what it did so far happens before everything the child does (the child
 * carries on from the new epoch, which its PROCESS record's header gives). */
static void lwi_fork_prepare(void)
{
    struct lwi_thread *self = lwi_enter();
    if (self) {
        lwi_thread_next_epoch(self);
        lwi_leave(self);
    }
    lwi_profile_before_fork(); /* the forking thread's timed holds are the parent's (profile.h) */
}

/* The child's side of a fork, from the atfork handler or from a record's check. */
static void lwi_fork_child_of(struct lwi_thread *self)
{
    lwi_fork_rearm(); /* first: the records sent below run the check */
    if (!atomic_load_explicit(&lwi_active, memory_order_relaxed)) {
        /* The parent's runtime went passive: nothing will be sent from the child either. */
        if (self->guard == LWI_GUARD_IDLE) self->guard = LWI_GUARD_UNKNOWN;
        return;
    }
    if (self->state != LWI_THREAD_LIVE) return;
    uint32_t guard = lwi_guard_hold(self);
    LWI_ERRNO_SAVE();
    int32_t parent_pid = atomic_load(&lwi_pid);
    uint32_t fork_thread = self->number;
    uint32_t held_by_others = lwi_threads_held_by_others(self);
    atomic_store(&lwi_pid, (int)getpid());
    self->tid = (int32_t)syscall(SYS_gettid);
    lwi_thread_set_number(self, 0);
    lwi_memo_clear(self->memo); /* its slots were matched against the parent's chain root */
    lwi_channel_after_fork();
    lwi_modules_after_fork();
    lwi_threads_reset_after_fork(self);
    lwi_profile_after_fork_child(self); /* profile.h */
    lwi_emit_process(self, LW_ORIGIN_FORK, parent_pid, fork_thread, held_by_others,
                     lwi_modules_exe());
    lwi_watch_announce(self);
    LWI_ERRNO_RESTORE();
    lwi_guard_restore(self, guard);
}

static void lwi_fork_child(void)
{
    /* A record made in the child before this handler ran (a child handler registered before ours
     * took a lock) already announced it through lwi_fork_adopt, which rearmed the mark: once is
     * enough, a second PROCESS record would name the child its own parent. */
    if (lwi_fork_mark && *(volatile int32_t *)lwi_fork_mark == (int32_t)getpid()) return;
    lwi_fork_child_of(&lwi_tls);
}

void lwi_fork_adopt(struct lwi_thread *self)
{
    if (self != &lwi_tls) return; /* a record made for another thread: its own check will do */
    if (atomic_load_explicit(&lwi_fork_by_getpid, memory_order_relaxed) &&
        (int)getpid() == atomic_load_explicit(&lwi_pid, memory_order_relaxed))
        return;
    lwi_fork_child_of(self);
}

int lwi_fork_init(void)
{
    if (pthread_atfork(lwi_fork_prepare, NULL, lwi_fork_child) != 0) return -1;
    long page = sysconf(_SC_PAGESIZE);
    void *mark = mmap(NULL, (size_t)(page > 0 ? page : 4096), PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mark == MAP_FAILED) return 0; /* no check: raw forks stay the parent's (documented) */
#ifdef MADV_WIPEONFORK
    bool wipes = madvise(mark, (size_t)(page > 0 ? page : 4096), MADV_WIPEONFORK) == 0;
#else
    bool wipes = false;
#endif
    atomic_store(&lwi_fork_by_getpid, !wipes);
    *(volatile int32_t *)mark = (int32_t)getpid();
    lwi_fork_mark = mark;
    return 0;
}
