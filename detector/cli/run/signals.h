/* signals.h — lockwatch's signal handling while the program runs, like time(1): SIGQUIT is
 * ignored (the terminal delivers it to the program, which stays in lockwatch's process group and
 * keeps the terminal); SIGINT, SIGTERM, SIGHUP and SIGCHLD are read from a signalfd (run.c
 * forwards SIGTERM and SIGHUP, and SIGINT when a process rather than the terminal sent it, and
 * reports a run that does not end after them). The child undoes all of it before exec so the
 * program starts with the signal state lockwatch was started with. */
#ifndef LWD_SIGNALS_H
#define LWD_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

struct lwd_signals {
    int fd; /* signalfd for SIGCHLD, SIGINT, SIGTERM, SIGHUP; -1 when not set up */
    sigset_t old_mask;
    struct sigaction old_quit;
};

/* Returns 0, or -1 after printing one line on stderr (nothing left changed). */
int lwd_signals_setup(struct lwd_signals *s);
/* Restores the mask and dispositions saved by setup. Async-signal-safe: the forked child
 * calls it before exec. */
void lwd_signals_restore(const struct lwd_signals *s);
/* In lockwatch after the run: the same, and closes the signalfd. Does nothing when s->fd is -1
 * (setup failed or never ran). */
void lwd_signals_teardown(struct lwd_signals *s);

#endif
