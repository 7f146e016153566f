/* run.c — the event loop of a run: one poll() over the signalfd (child exit, signals to
 * forward), the listening socket and every connection, on a clock while rings are attached.
 * See run.h for when it ends. lockwatch is the run's child subreaper: a process the program
 * leaves behind (a daemon) becomes lockwatch's child, so the run lasts while lockwatch has
 * children, and each one's exit is seen. */
#include "run/run.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "records/listener.h"
#include "run/signals.h"
#include "run/spawn.h"
#include "run/stop.h"
#include "run/tsan_run.h"
#include "stuck/hang.h"
#include "stuck/proc_tasks.h"
#include "stuck/wait_board.h"

/* After the last process of the run has ended: stop when no record arrived for this long... */
#define LWD_DRAIN_QUIET_MS 200
/* ...or at the latest this long after it, so a process outside lockwatch's tree that keeps
 * sending records cannot hold the report back for ever. */
#define LWD_DRAIN_MAX_MS 2000
/* While connections wait to prove themselves (listener.h), the loop wakes this often at least. */
#define LWD_EXPIRE_WAKE_MAX_MS 100
/* How long the driver lets records pile up before reading again (see nap_after_records). */
#define LWD_BATCH_NAP_US 5000L
#define LWD_BATCH_NAP_MAX_BYTES (64u * 1024u)
/* No poll() wakes the driver for records in a ring (listener.h): while one is attached it looks
 * this soon after a look that found records, waiting twice as long after each look that found
 * none, up to the maximum (records then wait at most that long; a writer finding the ring full
 * naps until the driver has read). */
#define LWD_RING_WAKE_MIN_MS 5
#define LWD_RING_WAKE_MAX_MS 50
/* Records read are applied in slices of at most this long between two reads (backlog.h), the
 * clock looked at every LWD_APPLY_BATCH records: a ring the program fills meanwhile waits no
 * longer than that for the driver to empty it. */
#define LWD_APPLY_SLICE_NS 1000000u
#define LWD_APPLY_BATCH 32u
/* While this much waits in the backlog the driver reads no more: the rings fill and their
 * writers wait, as they did before the backlog, so a program that makes records faster than they
 * can be applied, for ever, cannot make the driver's memory grow without bound. */
#define LWD_BACKLOG_MAX_BYTES (64u * 1024u * 1024u)

struct run_state {
    pid_t child;
    struct lwd_watch *watch; /* the wait board's looks (wait_board.h) */
    bool child_running;
    bool others_running; /* once the program is reaped: lockwatch has children it left behind */
    bool stop_waiting;   /* --linger is over: processes left behind are not waited for */
    bool stop;           /* a forwarded signal arrived after the program had exited */
    long long interrupt_deadline; /* grace_ms after an interrupt, -1 before one */
    unsigned grace_ms;            /* --interrupt-grace */
    bool told;                    /* --on-deadlock=report: the deadlock was announced */
    struct lwd_outcome *outcome;
    const char *runtime; /* liblockwatch.so, whose frames hang stacks leave out */
    /* Processes below lockwatch before this run began: what an earlier run of the same lockwatch
     * (--confirm) left running. Not this run's: neither waited for nor killed. */
    pid_t *earlier;
    size_t nearlier;
};

static bool is_earlier(const struct run_state *st, pid_t pid)
{
    for (size_t i = 0; i < st->nearlier; i++)
        if (st->earlier[i] == pid) return true;
    return false;
}

/* Whether a process of this run other than lockwatch lives below lockwatch. */
static bool run_has_others(const struct run_state *st)
{
    pid_t *pids = NULL;
    size_t n = lwd_proc_descendants(getpid(), &pids);
    bool found = false;
    for (size_t i = 0; i < n && !found; i++)
        found = pids[i] != getpid() && !is_earlier(st, pids[i]);
    free(pids);
    return found;
}

/* Reaps every child that ended: the program (its status is the run's) and the processes of the
 * run that were left to lockwatch, the subreaper. */
static void reap_children(struct run_state *st)
{
    for (;;) {
        int status;
        pid_t got = waitpid(-1, &status, WNOHANG);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            /* some child lives (maybe only an earlier run's); < 0 (ECHILD): none left */
            st->others_running = got == 0 && !st->stop_waiting && run_has_others(st);
            return;
        }
        if (got != st->child || !(WIFEXITED(status) || WIFSIGNALED(status))) continue;
        st->child_running = false;
        st->outcome->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
        st->outcome->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    }
}

/* An interrupt: the program decides what to do with it (SIGINT from the terminal reached it
 * already, as it reaches every process of the foreground group), and has --interrupt-grace to
 * end; a program still running then is reported (a hang finding: where each thread is and what
 * it waits for) and ended. A second such signal ends the grace at once. */
static void interrupted(const struct signalfd_siginfo *info, struct run_state *st)
{
    bool from_terminal = info->ssi_signo == SIGINT && info->ssi_code == SI_KERNEL;
    if (!from_terminal) kill(st->child, (int)info->ssi_signo);
    long long now = lwd_now_ms();
    st->interrupt_deadline =
        st->interrupt_deadline < 0 ? now + st->grace_ms : now; /* a second one */
}

/* SIGKILL to every process of this run below lockwatch. */
static void kill_left(const struct run_state *st)
{
    pid_t *pids = NULL;
    size_t n = lwd_proc_descendants(getpid(), &pids);
    for (size_t i = 0; i < n; i++)
        if (pids[i] != getpid() && !is_earlier(st, pids[i])) kill(pids[i], SIGKILL);
    free(pids);
}

static void handle_signals(int fd, struct run_state *st)
{
    struct signalfd_siginfo info;
    while (read(fd, &info, sizeof info) == (ssize_t)sizeof info) {
        if (info.ssi_signo == SIGCHLD)
            reap_children(st);
        else if (st->child_running)
            interrupted(&info, st);
        else
            st->stop = true;
    }
}

/* pollfd[0] = signalfd, [1] = listening socket, [2 + i] = connection i. */
static struct pollfd *make_pollfds(const struct lwd_channel *ch, int sig_fd, struct pollfd *fds,
                                   size_t *cap)
{
    size_t need = 2 + ch->nconns;
    if (need > *cap) {
        struct pollfd *grown = realloc(fds, need * sizeof *grown);
        if (!grown) {
            free(fds);
            return NULL;
        }
        fds = grown;
        *cap = need;
    }
    fds[0] = (struct pollfd){.fd = sig_fd, .events = POLLIN};
    fds[1] = (struct pollfd){.fd = ch->listen_fd, .events = POLLIN};
    for (size_t i = 0; i < ch->nconns; i++)
        fds[2 + i] = (struct pollfd){.fd = ch->conns[i]->fd, .events = POLLIN};
    return fds;
}

/* Reads the connections oldest first (listener.c keeps them in accept order), each until it has
 * nothing waiting. Records are attributed to their pid's latest image, so when a program execs
 * before lockwatch accepted its first connection, the old image's records (all written before the
 * exec) must be read before the new image's, which arrive on a newer connection: a connection
 * that still had records waiting when its read stopped at the cap ends this round, and the next
 * round starts again from the oldest. Returns the number of bytes read. */
static size_t read_connections(struct lwd_channel *ch, struct lw_detector *d)
{
    size_t total = 0;
    size_t i = 0;
    while (i < ch->nconns) {
        size_t before = ch->nconns;
        bool more = false;
        total += lwd_channel_read(ch, i, d, &more);
        if (more) break;
        if (ch->nconns == before) i++; /* else connection i ended: the next one took its place */
    }
    return total;
}

/* After a read that found a few records, the driver waits LWD_BATCH_NAP_US before it polls again,
 * so a program sending records all the time wakes it about once per nap, not once per record (a
 * wake-up costs both sides a context switch: memcached, ~30,000 new chains a second, ran 25%
 * slower for them). Records meanwhile queue in the socket; a sender blocks only if its whole send
 * buffer (raised by the runtime to 416 KB on a stock system: about 500 small records) piles up
 * within one nap. A read that found more than LWD_BATCH_NAP_MAX_BYTES skips the nap: records are
 * coming faster than a nap's worth of buffer would hold. */
static void nap_after_records(void)
{
    struct timespec nap = {.tv_sec = 0, .tv_nsec = LWD_BATCH_NAP_US * 1000L};
    while (nanosleep(&nap, &nap) != 0 && errno == EINTR) {
    }
}

/* Applies the backlog for up to LWD_APPLY_SLICE_NS; true when records still wait. */
static bool apply_slice(struct lwd_channel *ch, struct lw_detector *d)
{
    if (!lwd_channel_backlogged(ch)) return false;
    uint64_t start = lwd_now_ns();
    do
        lwd_channel_apply(ch, d, LWD_APPLY_BATCH);
    while (lwd_channel_backlogged(ch) && lwd_now_ns() - start < LWD_APPLY_SLICE_NS);
    return lwd_channel_backlogged(ch);
}

/* Why the detector says the run can never finish: a deadlock finding, else a double lock that
 * blocks for ever. */
static enum lwd_stop_reason stuck_reason(const struct lw_report *r)
{
    for (size_t i = 0; i < r->nfindings; i++)
        if (r->findings[i]->kind == LW_KIND_DEADLOCK) return LWD_STOP_DEADLOCK;
    return LWD_STOP_DOUBLE_LOCK;
}

/* --on-deadlock=report: one line on stderr the moment the run can never finish, so a user
 * watching a program that now waits for ever knows why (the report comes when the run ends). */
static void announce_stuck(const struct lw_report *r)
{
    for (size_t i = r->nfindings; i-- > 0;) {
        const struct lw_finding *f = r->findings[i];
        if (f->kind != LW_KIND_DEADLOCK && f->kind != LW_KIND_DOUBLE_LOCK) continue;
        fprintf(stderr,
                "lockwatch: %s found (finding %u); the program is left running "
                "(--on-deadlock=report): end it for the report\n",
                f->kind == LW_KIND_DEADLOCK ? "a deadlock" : "a double lock that blocks for ever",
                (unsigned)f->id);
        return;
    }
}

/* --on-deadlock=exit: once the detector knows the run can never finish, end it; the loop then
 * sees the exits and the connections' ends as for any run. */
static void stop_if_stuck(const struct lwd_options *opts, struct lwd_channel *ch,
                          struct run_state *st, struct lw_detector *d)
{
    if (st->outcome->stopped || !lw_detector_must_stop(d)) return;
    switch (opts->on_deadlock) {
    case LWD_ON_DEADLOCK_EXIT:
        lwd_stop_run(lw_detector_report(d), st->child_running ? st->child : 0, ch->name);
        st->outcome->stopped = true;
        st->outcome->stop_reason = stuck_reason(lw_detector_report(d));
        break;
    case LWD_ON_DEADLOCK_REPORT:
        if (!st->told) announce_stuck(lw_detector_report(d));
        st->told = true;
        break;
    }
}

/* --timeout, or an interrupt the program did not end after: the program is still running.
 * Every thread's stack goes into a hang finding first, then the run is ended like a deadlocked
 * one. After the program has exited, what it left running (a daemon) is what is dumped and
 * ended; a run whose processes have all exited (only the drain is left) ended by itself. */
static void stop_hung(struct lwd_channel *ch, struct run_state *st, struct lw_detector *d,
                      enum lwd_stop_reason reason)
{
    pid_t child = st->child_running ? st->child : 0; /* else only what the program left runs */
    /* Judge with every record read so far applied: one still in the backlog may be the deadlock
     * that explains the hang. */
    lwd_channel_apply(ch, d, SIZE_MAX);
    /* A deadlock already explains the hang (--on-deadlock=report left the program running). */
    if (lw_detector_must_stop(d))
        reason = stuck_reason(lw_detector_report(d));
    else { /* on failure it said so: the run still ends */
        lwd_watch_refresh_signals(st->watch, d);
        lwd_report_hang(d, child, ch->name, st->runtime, reason == LWD_STOP_INTERRUPTED);
    }
    lwd_stop_run(lw_detector_report(d), child, ch->name);
    st->outcome->stopped = true;
    st->outcome->stop_reason = reason;
}

/* Milliseconds poll() may wait before the timeout is due (-1: no timeout pending). */
static int timeout_wait(long long deadline, const struct run_state *st)
{
    if (deadline < 0 || !(st->child_running || st->others_running) || st->outcome->stopped)
        return -1;
    long long left = deadline - lwd_now_ms();
    return left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

/* After the exit: milliseconds until the run has been quiet (no record read since the exit or
 * the last record) for LWD_DRAIN_QUIET_MS. */
static long long quiet_left(long long exited_at, long long last_record_at, long long now)
{
    long long since = last_record_at > exited_at ? last_record_at : exited_at;
    return since + LWD_DRAIN_QUIET_MS - now;
}

static int min_wait(int a, int b)
{
    if (a < 0) return b;
    if (b < 0) return a;
    return a < b ? a : b;
}

static enum lwd_exit event_loop(const struct lwd_options *opts, struct lwd_channel *ch,
                                const struct lwd_signals *sig, struct run_state *st,
                                struct lw_detector *d)
{
    struct pollfd *fds = NULL;
    size_t cap = 0;
    long long exited_at = -1;
    long long last_record_at = -1;
    int ring_wake = LWD_RING_WAKE_MIN_MS;
    bool behind = false; /* records read wait to be applied (backlog.h) */
    long long deadline = opts->timeout_ms > 0 ? lwd_now_ms() + opts->timeout_ms : -1;
    enum lwd_exit rc = LWD_EXIT_OK;
    long long linger_deadline = -1; /* --linger: when to stop waiting for processes left */
    for (;;) {
        if (!st->child_running && linger_deadline < 0)
            linger_deadline = opts->linger_ms > 0 ? lwd_now_ms() + opts->linger_ms : LLONG_MAX;
        if (!st->child_running && st->others_running && lwd_now_ms() >= linger_deadline) {
            fprintf(stderr,
                    "lockwatch: stopped waiting for the processes the program left running "
                    "(--linger); they keep running, and what they find later is not reported\n");
            st->others_running = false;
            st->stop_waiting = true;
        }
        /* A run lockwatch ended takes with it what the program left (which has no runtime, or
         * lwd_stop_run would have found it by its environment). */
        if (st->outcome->stopped && !st->child_running && st->others_running) kill_left(st);
        if (!st->child_running && !st->others_running && exited_at < 0) {
            exited_at = lwd_now_ms();
            ch->run_over = true;
            lwd_channel_recheck(ch); /* its rings may have no writer left: read them to the end */
        }
        if (st->stop) {
            if (!st->child_running && st->others_running)
                fputs("lockwatch: stopped waiting for the processes the program left running (a "
                      "signal); they keep running, and what they find later is not reported\n",
                      stderr);
            break;
        }
        if (timeout_wait(deadline, st) == 0) stop_hung(ch, st, d, LWD_STOP_TIMEOUT);
        if (timeout_wait(st->interrupt_deadline, st) == 0)
            stop_hung(ch, st, d, LWD_STOP_INTERRUPTED);
        int timeout = -1;
        if (exited_at >= 0) {
            long long now = lwd_now_ms();
            long long left = exited_at + LWD_DRAIN_MAX_MS - now;
            if (left <= 0) break;
            long long quiet = quiet_left(exited_at, last_record_at, now);
            /* With no connection open, only a connection still waiting in the backlog can
             * bring records: look once without waiting. */
            timeout = ch->nconns == 0 ? 0 : (int)(left < quiet ? left : quiet);
        }
        timeout = min_wait(timeout, timeout_wait(deadline, st));
        timeout = min_wait(timeout, timeout_wait(st->interrupt_deadline, st));
        /* The board is looked at only with every record read applied: a detector still behind
         * the program could take threads it has not heard of yet for absent. */
        bool run_alive = st->child_running || st->others_running;
        if (run_alive && !st->outcome->stopped && !behind)
            timeout = min_wait(
                timeout, lwd_watch_tick(st->watch, d, st->child_running ? st->child : 0, ch->name));
        if (!st->child_running && st->others_running && linger_deadline != LLONG_MAX) {
            long long left = linger_deadline - lwd_now_ms();
            timeout = min_wait(timeout, left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left);
        }
        int expiry = lwd_channel_expire(ch);
        if (expiry >= 0)
            timeout = min_wait(timeout,
                               expiry < LWD_EXPIRE_WAKE_MAX_MS ? expiry : LWD_EXPIRE_WAKE_MAX_MS);
        if (lwd_channel_has_rings(ch)) timeout = min_wait(timeout, ring_wake);
        if (behind) timeout = 0; /* records wait to be applied: only look whether more came */
        fds = make_pollfds(ch, sig->fd, fds, &cap);
        if (!fds) {
            fputs("lockwatch: out of memory\n", stderr);
            rc = LWD_EXIT_TOOL;
            break;
        }
        size_t nfds = 2 + ch->nconns;
        int ready = poll(fds, nfds, timeout);
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) {
            fprintf(stderr, "lockwatch: poll failed: %s\n", strerror(errno));
            rc = LWD_EXIT_TOOL;
            break;
        }
        size_t read_bytes = 0;
        if (ch->backlog.bytes < LWD_BACKLOG_MAX_BYTES)
            read_bytes = read_connections(ch, d);
        else
            lwd_channel_beat(ch); /* not reading, but alive: the writers wait */
        behind = apply_slice(ch, d);
        if (read_bytes > LWD_BATCH_NAP_MAX_BYTES) {
            /* Records come faster than a nap's worth: look again at once. */
            last_record_at = lwd_now_ms();
            ring_wake = 0;
        } else if (read_bytes > 0) {
            last_record_at = lwd_now_ms();
            ring_wake = LWD_RING_WAKE_MIN_MS;
        } else {
            ring_wake = ring_wake == 0                         ? LWD_RING_WAKE_MIN_MS
                        : 2 * ring_wake < LWD_RING_WAKE_MAX_MS ? 2 * ring_wake
                                                               : LWD_RING_WAKE_MAX_MS;
        }
        /* quiet after the exit: the run is over */
        if (exited_at >= 0 && ready == 0 && read_bytes == 0 && !behind &&
            (ch->nconns == 0 || quiet_left(exited_at, last_record_at, lwd_now_ms()) <= 0))
            break;
        stop_if_stuck(opts, ch, st, d);
        if (fds[1].revents && lwd_channel_accept(ch) != 0) {
            rc = LWD_EXIT_TOOL;
            break;
        }
        if (fds[0].revents) handle_signals(sig->fd, st);
        if (read_bytes > 0 && read_bytes <= LWD_BATCH_NAP_MAX_BYTES && !behind &&
            st->child_running && !st->stop)
            nap_after_records();
    }
    free(fds);
    return rc;
}

enum lwd_exit lwd_run(const struct lwd_options *opts, const struct lwd_preflight *pf,
                      struct lw_detector *d, struct lwd_outcome *outcome)
{
    *outcome = (struct lwd_outcome){.pid = 0, .exit_code = 0, .signal = 0, .stopped = false};
    struct lwd_channel ch;
    struct lwd_signals sig = {.fd = -1};
    struct lwd_tsan tsan = {.dir = "", .options = NULL};
    struct lwd_watch *watch = NULL;
    pid_t *earlier = NULL;
    enum lwd_exit rc = LWD_EXIT_TOOL;
    lwd_spawn_raise_nofile();
    if (lwd_channel_open(&ch) != 0) goto out;
    /* Processes the program leaves behind become lockwatch's children (run.c's header). */
    (void)prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (lwd_signals_setup(&sig) != 0) goto out;
    /* Every run gets the TSan options, not only TSan builds: any process of the run may be one.
     * Without them (no log directory) TSan reports on stderr as usual, which the line printed by
     * lwd_tsan_prepare explains; the run goes on. */
    lwd_tsan_prepare(&tsan, getenv("TSAN_OPTIONS"));
    struct run_state st = {.child_running = true,
                           .stop = false,
                           .interrupt_deadline = -1,
                           .grace_ms = opts->interrupt_grace_ms,
                           .outcome = outcome,
                           .runtime = pf->runtime};
    st.nearlier = lwd_proc_descendants(getpid(), &earlier);
    st.earlier = earlier;
    st.watch = watch = lwd_watch_new(opts->deadlock_delay_ms, pf->runtime);
    if (!watch) goto out;
    rc = lwd_spawn(opts, pf, ch.name, tsan.options, &sig, &st.child);
    if (rc != LWD_EXIT_OK) goto out;
    outcome->pid = st.child;
    rc = event_loop(opts, &ch, &sig, &st, d);
    ch.run_over = true;
    lwd_channel_finish(&ch, d);
    lw_detector_report(d)->bad_records += ch.dropped;
    lwd_channel_say_refused(&ch);
    if (rc == LWD_EXIT_OK && ch.out_of_memory) rc = LWD_EXIT_TOOL;
    /* After the loop every process of the run has exited or been stopped: the logs are whole.
     * A log that cannot be read was reported; the rest of the report still stands. */
    if (rc == LWD_EXIT_OK) lwd_tsan_collect(&tsan, d);
out:
    free(earlier);
    lwd_watch_free(watch);
    lwd_tsan_cleanup(&tsan);
    lwd_signals_teardown(&sig);
    lwd_channel_close(&ch);
    return rc;
}
