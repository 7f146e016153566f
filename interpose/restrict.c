/* restrict.c — noticing seccomp (see restrict.h). */
#include "restrict.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errsave.h"
#include "real.h"
#include "tls.h"

void lwi_restrict_self(struct lwi_thread *self)
{
    self->restricted = true;
    self->held.no_syscalls = true;
    atomic_signal_fence(memory_order_seq_cst);
}

atomic_bool lwi_restrict_all;

void lwi_restrict_process(struct lwi_thread *self)
{
    atomic_store(&lwi_restrict_all, true);
    lwi_restrict_self(self);
}

bool lwi_restrict_inherited(void)
{
    LWI_ERRNO_SAVE();
    bool restricted = false;
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n > 0) {
            buf[n] = '\0';
            const char *line = strstr(buf, "\nSeccomp:");
            if (line) {
                line += strlen("\nSeccomp:");
                while (*line == ' ' || *line == '\t')
                    line++;
                restricted = *line != '0';
            }
        }
    }
    LWI_ERRNO_RESTORE();
    return restricted;
}

/* Marks the calling thread before a call that may enter a seccomp mode (the mark stays if the
 * call fails: stacks are only lost, never the program). */
static void lwi_restrict_before(void)
{
    /* While system calls are still allowed: the thread gets its identity and its held stack's
     * first mapping, which cannot be made afterwards (without it, no lock it takes once
     * restricted would be tracked). */
    LWI_ERRNO_SAVE();
    struct lwi_thread *self = lwi_enter();
    if (self) {
        if (self->held.capacity == 0) (void)lwi_held_make_room(&self->held);
        lwi_leave(self);
    }
    LWI_ERRNO_RESTORE();
    lwi_restrict_self(&lwi_tls);
}

LWI_EXPORT int prctl(int option, ...)
{
    va_list ap;
    va_start(ap, option);
    unsigned long a2 = va_arg(ap, unsigned long), a3 = va_arg(ap, unsigned long),
                  a4 = va_arg(ap, unsigned long), a5 = va_arg(ap, unsigned long);
    va_end(ap);
    if (option == PR_SET_SECCOMP) lwi_restrict_before();
    return REAL(prctl)(option, a2, a3, a4, a5);
}

LWI_EXPORT long syscall(long number, ...)
{
    va_list ap;
    va_start(ap, number);
    long a1 = va_arg(ap, long), a2 = va_arg(ap, long), a3 = va_arg(ap, long), a4 = va_arg(ap, long),
         a5 = va_arg(ap, long), a6 = va_arg(ap, long);
    va_end(ap);
    if ((number == SYS_seccomp &&
         (a1 == SECCOMP_SET_MODE_STRICT || a1 == SECCOMP_SET_MODE_FILTER)) ||
        (number == SYS_prctl && a1 == PR_SET_SECCOMP))
        lwi_restrict_before();
    return REAL(syscall)(number, a1, a2, a3, a4, a5, a6);
}
