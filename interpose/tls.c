/* tls.c — the thread-local runtime state and its per-thread mapping (see tls.h). */
#include "tls.h"

#include <sys/mman.h>

#include "chain.h"
#include "errsave.h"
#include "memo.h"

/* Zero-initialised (.tbss): guard LWI_GUARD_UNKNOWN, state LWI_THREAD_NEW. */
__thread struct lwi_thread lwi_tls __attribute__((tls_model("initial-exec")));
atomic_bool lwi_active;
atomic_int lwi_pid;
struct lwi_memo lwi_memo_none;

uint32_t lwi_detour_all;

void lwi_thread_storage(struct lwi_thread *self)
{
    self->detour = lwi_detour_all;
    lwi_held_init(&self->held);
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
    lwi_held_set_root(&self->held, self->chain_root);
}

void lwi_thread_next_epoch(struct lwi_thread *self)
{
    self->epoch++;
    self->dirty = false;
    self->chain_root = lwi_chain_thread_root(self->number, self->epoch);
    lwi_held_set_root(&self->held, self->chain_root);
    lwi_chain_rekey(&self->held, 0, self->chain_root);
    lwi_memo_clear(self->memo); /* its slots were matched against the old root */
}
