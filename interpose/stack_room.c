/* stack_room.c — bounds of the stack a thread runs on (see stack_room.h). */
#include "stack_room.h"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include "errsave.h"
#include "tls.h"

/* Whether the program carries ThreadSanitizer, whose allocator cannot serve a thread before its
 * start routine (which TSan wraps) has run: pthread_getattr_np allocates. */
static bool lwi_tsan_present;

void lwi_stack_room_init(struct lwi_thread *self)
{
    lwi_tsan_present = dlsym(RTLD_DEFAULT, "__tsan_init") != NULL;
    /* The main thread's bounds (glibc reads /proc/self/maps and RLIMIT_STACK for them), which
     * also binds the functions pthread_getattr_np calls: the loader's lazy binding needs KiB of
     * stack, too many for a thread that first meets it deep in a small stack. */
    lwi_stack_bounds_init(self);
}

void lwi_stack_bounds_init(struct lwi_thread *self)
{
    self->stack_lo = self->stack_hi = 0;
    if (lwi_tsan_present) return;
    LWI_ERRNO_SAVE();
    pthread_attr_t attr;
    void *addr = NULL;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        if (pthread_attr_getstack(&attr, &addr, &size) != 0) size = 0;
        pthread_attr_destroy(&attr);
    }
    LWI_ERRNO_RESTORE();
    self->stack_lo = size ? (uintptr_t)addr : 0;
    self->stack_hi = size ? (uintptr_t)addr + size : 0;
}

size_t lwi_stack_room(const struct lwi_thread *self)
{
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    if (sp > self->stack_lo && sp < self->stack_hi) return sp - self->stack_lo;
    LWI_ERRNO_SAVE();
    stack_t alt;
    int rc = sigaltstack(NULL, &alt);
    LWI_ERRNO_RESTORE();
    if (rc == 0 && (alt.ss_flags & SS_ONSTACK)) {
        uintptr_t lo = (uintptr_t)alt.ss_sp;
        if (sp > lo && sp <= lo + alt.ss_size) return sp - lo;
        return 0; /* on it, yet outside it: trust nothing */
    }
    return SIZE_MAX;
}
