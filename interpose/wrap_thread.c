/* wrap_thread.c — thread creation, naming and end.
 *
 * pthread_create and thrd_create start the thread in a trampoline that gives it the number the
 * creator drew (numbers follow creation order), announces it with a THREAD record (creator and
 * creation stack) before the start routine runs, and registers a cleanup handler that runs on
 * return, pthread_exit, thrd_exit and cancellation: locks still held are reported (EXIT_HOLDING)
 * and THREAD_EXIT closes the thread. The small start block is malloc'd: thread creation is not a
 * lock path, and the guard makes any lock malloc takes pass through. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <threads.h>
#include <unistd.h>

#include "depot.h"
#include "emit.h"
#include "errsave.h"
#include "profile.h"
#include "real.h"
#include "restrict.h"
#include "stack_room.h"
#include "threads.h"
#include "track.h"
#include "watch.h"
#include "wrap_thread.h"

struct lwi_start {
    void *(*pthread_start)(void *);
    thrd_start_t thrd_start; /* set instead of pthread_start for C11 threads */
    void *arg;
    uint32_t number;
    uint32_t parent;
    uint32_t parent_epoch; /* the creator's epoch this create ended */
    int32_t slot;          /* live-thread table slot reserved by the creator, -1 if none */
    bool restricted;       /* the creator's, inherited with its seccomp filter */
    uint64_t created_stack;
};

static void lwi_thread_end(void *arg)
{
    struct lwi_thread *self = arg;
    /* A thread that retired when the channel died (tls.h) is UNKNOWN but still registered, and
     * its held stack still allocated. */
    bool retired = self->guard == LWI_GUARD_UNKNOWN && self->state == LWI_THREAD_LIVE;
    if (self->guard != LWI_GUARD_IDLE && !retired) return;
    (void)lwi_guard_hold(self); /* ends as EXITED, below */
    LWI_ERRNO_SAVE();
    if (atomic_load_explicit(&lwi_active, memory_order_relaxed)) {
        lwi_profile_thread_exit(self); /* holds still open end here (profile.h) */
        lwi_track_thread_exit(self, self->exit_stack);
    }
    lwi_threads_unregister(self);
    lwi_held_release(&self->held);
    lwi_thread_storage_release(self);
    self->state = LWI_THREAD_EXITED;
    LWI_ERRNO_RESTORE();
    atomic_signal_fence(memory_order_seq_cst);
    self->guard = LWI_GUARD_EXITED; /* thread-local destructors that run later pass through */
}

/* Takes over the start block and makes the calling (new) thread known. */
static struct lwi_start lwi_thread_begin(struct lwi_start *block)
{
    struct lwi_start start = *block;
    struct lwi_thread *self = &lwi_tls;
    self->guard = LWI_GUARD_BUSY;
    LWI_ERRNO_SAVE();
    free(block);
    self->tid = (int32_t)syscall(SYS_gettid);
    lwi_thread_set_number(self, start.number);
    self->ours = true;
    self->restricted = start.restricted; /* a seccomp filter is inherited (restrict.h) */
    self->held.no_syscalls = start.restricted;
    lwi_thread_storage(self);
    if (!start.restricted) lwi_stack_bounds_init(self); /* pthread_getattr_np: sched_getaffinity */
    self->state = LWI_THREAD_LIVE;
    lwi_threads_attach(self, start.slot);
    lwi_emit_thread(self, start.parent, start.parent_epoch, start.created_stack,
                    start.pthread_start ? (uint64_t)(uintptr_t)start.pthread_start
                                        : (uint64_t)(uintptr_t)start.thrd_start);
    lwi_watch_announce(self);
    LWI_ERRNO_RESTORE();
    lwi_leave(self); /* UNKNOWN instead of IDLE if the THREAD record found the channel dead */
    return start;
}

static void *lwi_pthread_trampoline(void *arg)
{
    struct lwi_start start = lwi_thread_begin(arg);
    void *ret;
    pthread_cleanup_push(lwi_thread_end, &lwi_tls);
    ret = start.pthread_start(start.arg);
    pthread_cleanup_pop(1);
    return ret;
}

static int lwi_thrd_trampoline(void *arg)
{
    struct lwi_start start = lwi_thread_begin(arg);
    int ret;
    pthread_cleanup_push(lwi_thread_end, &lwi_tls);
    ret = start.thrd_start(start.arg);
    pthread_cleanup_pop(1);
    return ret;
}

/* Draws the new thread's number and captures the creation stack; NULL when out of memory (the
 * thread is then created untracked and numbered lazily). */
static struct lwi_start *lwi_start_block(struct lwi_thread *self, void *arg)
{
    LWI_ERRNO_SAVE();
    struct lwi_start *block = malloc(sizeof *block);
    LWI_ERRNO_RESTORE();
    if (!block) return NULL;
    block->pthread_start = NULL;
    block->thrd_start = NULL;
    block->arg = arg;
    block->number = lwi_threads_next_number();
    block->parent = self->number;
    block->slot = lwi_threads_reserve(block->number);
    block->restricted = self->restricted;
    block->created_stack = lwi_depot_capture(self);
    block->parent_epoch = self->epoch;
    lwi_thread_next_epoch(self); /* what the creator does next is not before the new thread */
    return block;
}

/* After the real create: publishes the new thread's handle, or takes the block back. Runs even
 * if making the block retired this thread (tls.h): the reserved slot and the block must still be
 * settled. */
static void lwi_start_block_done(struct lwi_thread *self, struct lwi_start *block, int32_t slot,
                                 pthread_t handle, bool ok)
{
    if (self->guard != LWI_GUARD_IDLE && self->guard != LWI_GUARD_UNKNOWN) return; /* never */
    uint32_t guard = lwi_guard_hold(self);
    lwi_threads_created(slot, handle, ok);
    LWI_ERRNO_SAVE();
    if (!ok) free(block);
    LWI_ERRNO_RESTORE();
    lwi_guard_restore(self, guard);
}

LWI_EXPORT int pthread_create(pthread_t *restrict thread, const pthread_attr_t *restrict attr,
                              void *(*start_routine)(void *), void *restrict arg)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(pthread_create)(thread, attr, start_routine, arg);
    struct lwi_start *block = lwi_start_block(self, arg);
    lwi_leave(self);
    if (!block) return REAL(pthread_create)(thread, attr, start_routine, arg);
    block->pthread_start = start_routine;
    int32_t slot = block->slot; /* the block belongs to the new thread once it runs */
    int rc = REAL(pthread_create)(thread, attr, lwi_pthread_trampoline, block);
    lwi_start_block_done(self, block, slot, rc == 0 ? *thread : 0, rc == 0);
    return rc;
}

LWI_EXPORT int thrd_create(thrd_t *thread, thrd_start_t func, void *arg)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(thrd_create)(thread, func, arg);
    struct lwi_start *block = lwi_start_block(self, arg);
    lwi_leave(self);
    if (!block) return REAL(thrd_create)(thread, func, arg);
    block->thrd_start = func;
    int32_t slot = block->slot;
    int rc = REAL(thrd_create)(thread, lwi_thrd_trampoline, block);
    lwi_start_block_done(self, block, slot, rc == thrd_success ? *thread : 0, rc == thrd_success);
    return rc;
}

/* Ends the threads we did not start (the main thread among them) when they call pthread_exit:
 * a thread-specific value's destructor runs after the thread's cleanup handlers, which may still
 * unlock what it holds. */
static pthread_key_t lwi_exit_key;
static bool lwi_exit_key_made;

int lwi_thread_exit_init(void)
{
    lwi_exit_key_made = pthread_key_create(&lwi_exit_key, lwi_thread_end) == 0;
    return lwi_exit_key_made ? 0 : -1;
}

void lwi_thread_end_at_exit(struct lwi_thread *self)
{
    if (lwi_exit_key_made) (void)pthread_setspecific(lwi_exit_key, self);
}

/* Remembers where a thread holding locks chose to end, for its EXIT_HOLDING records, and has a
 * thread we did not start end after its cleanup handlers (at once when that cannot be set up). */
static void lwi_exit_called(void)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return;
    if (self->held.count) self->exit_stack = lwi_depot_capture(self);
    bool later = self->ours || (lwi_exit_key_made && pthread_setspecific(lwi_exit_key, self) == 0);
    lwi_leave(self);
    if (!later) lwi_thread_end(self);
}

LWI_EXPORT void pthread_exit(void *retval)
{
    lwi_exit_called();
    REAL(pthread_exit)(retval);
    __builtin_unreachable();
}

LWI_EXPORT void thrd_exit(int res)
{
    lwi_exit_called();
    REAL(thrd_exit)(res);
    __builtin_unreachable();
}

LWI_EXPORT int pthread_setname_np(pthread_t thread, const char *name)
{
    int rc = REAL(pthread_setname_np)(thread, name);
    if (rc != 0) return rc;
    struct lwi_thread *self = lwi_enter();
    if (!self) return rc;
    uint32_t number;
    int32_t tid;
    if (pthread_equal(thread, pthread_self()))
        lwi_emit_thread_name(self, self->number, self->tid, name);
    else if (lwi_threads_by_handle(thread, &number, &tid))
        lwi_emit_thread_name(self, number, tid, name);
    lwi_leave(self);
    return rc;
}

/* A thread that calls us before anyone introduced it (the main thread at the constructor, a
 * thread not started through our trampoline) becomes known on its first tracked call. */
void lwi_thread_adopt(struct lwi_thread *self)
{
    self->tid = (int32_t)syscall(SYS_gettid);
    self->registry_slot = -1;
    if (atomic_load_explicit(&lwi_restrict_all, memory_order_relaxed)) lwi_restrict_self(self);
    lwi_thread_storage(self);
    if (self->tid == atomic_load_explicit(&lwi_pid, memory_order_relaxed)) {
        /* The main thread: number 0, lives as long as the process, so it is registered. */
        lwi_thread_set_number(self, 0);
        self->state = LWI_THREAD_LIVE;
        lwi_threads_register_self(self);
        return;
    }
    /* A thread we did not start (created before the constructor, or by glibc internally): it
     * gets the next number and an announcement without a creator. It is not registered, as
     * nothing tells us when it ends. */
    lwi_thread_set_number(self, lwi_threads_next_number());
    if (!self->restricted) lwi_stack_bounds_init(self); /* before its first stack capture */
    self->state = LWI_THREAD_LIVE;
    lwi_thread_end_at_exit(self); /* its memo and held stack are returned when it ends */
    lwi_emit_thread(self, UINT32_MAX, 0, 0, 0);
    lwi_watch_announce(self);
}

struct lwi_thread *lwi_enter_slow(struct lwi_thread *self)
{
    if (self->guard != LWI_GUARD_UNKNOWN || !atomic_load(&lwi_active)) return NULL;
    self->guard = LWI_GUARD_BUSY;
    atomic_signal_fence(memory_order_seq_cst);
    /* A signal handler may have adopted the thread between the test and the store. */
    if (self->state != LWI_THREAD_LIVE) lwi_thread_adopt(self);
    return self;
}
