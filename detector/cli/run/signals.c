/* signals.c — see signals.h. A signalfd (rather than handlers and a self-pipe) keeps every
 * signal in the one poll() loop of run.c with no async-signal-safety concerns. */
#include "run/signals.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

int lwd_signals_setup(struct lwd_signals *s)
{
    s->fd = -1;
    sigset_t watched;
    sigemptyset(&watched);
    sigaddset(&watched, SIGCHLD);
    sigaddset(&watched, SIGTERM);
    sigaddset(&watched, SIGHUP);
    sigaddset(&watched, SIGINT);
    if (sigprocmask(SIG_BLOCK, &watched, &s->old_mask) != 0) goto fail;
    s->fd = signalfd(-1, &watched, SFD_NONBLOCK | SFD_CLOEXEC);
    if (s->fd < 0) {
        int err = errno;
        sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
        errno = err;
        goto fail;
    }
    struct sigaction ignore;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGQUIT, &ignore, &s->old_quit);
    return 0;
fail:
    fprintf(stderr, "lockwatch: cannot set up signal handling: %s\n", strerror(errno));
    return -1;
}

void lwd_signals_restore(const struct lwd_signals *s)
{
    sigaction(SIGQUIT, &s->old_quit, NULL);
    sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
}

void lwd_signals_teardown(struct lwd_signals *s)
{
    if (s->fd < 0) return;
    lwd_signals_restore(s);
    close(s->fd);
    s->fd = -1;
}
