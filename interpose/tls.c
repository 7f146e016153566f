/* tls.c — the thread-local runtime state and lazy thread identity (see tls.h). */
#include "tls.h"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "chain.h"
#include "emit.h"
#include "errsave.h"
#include "memo.h"
#include "restrict.h"
#include "stack_room.h"
#include "threads.h"
#include "watch.h"
#include "wrap_thread.h"

/* Zero-initialised (.tbss): guard LWI_GUARD_UNKNOWN, state LWI_THREAD_NEW. */
__thread struct lwi_thread lwi_tls __attribute__((tls_model("initial-exec")));
atomic_bool lwi_active;
atomic_int lwi_pid;
struct lwi_memo lwi_memo_none;

uint32_t lwi_detour_all;

void lwi_thread_storage(struct lwi_thread *self)
{
    self->detour = lwi_detour_all;
    self->memo = &lwi_memo_none;
    if (self->restricted) return;
    LWI_ERRNO_SAVE();
    void *mem =
        mmap(NULL, sizeof *self->mem, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    LWI_ERRNO_RESTORE();
    if (mem == MAP_FAILED) return;
    self->mem = mem;
    self->memo = &self->mem->memo;
}

void lwi_thread_storage_release(struct lwi_thread *self)
{
    struct lwi_thread_mem *mem = self->mem;
    self->memo = &lwi_memo_none;
    self->mem = NULL;
    atomic_signal_fence(memory_order_seq_cst);
    if (!mem) return;
    LWI_ERRNO_SAVE();
    munmap(mem, sizeof *mem);
    LWI_ERRNO_RESTORE();
}

void lwi_thread_set_number(struct lwi_thread *self, uint32_t number)
{
    self->number = number;
    self->chain_root = lwi_chain_thread_root(number, self->epoch);
}

void lwi_thread_next_epoch(struct lwi_thread *self)
{
    self->epoch++;
    self->dirty = false;
    self->chain_root = lwi_chain_thread_root(self->number, self->epoch);
    lwi_chain_rekey(&self->held, 0, self->chain_root);
    lwi_memo_clear(self->memo); /* its slots were matched against the old root */
}

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
