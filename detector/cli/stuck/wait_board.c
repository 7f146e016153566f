/* wait_board.c — see wait_board.h. */
#include "stuck/wait_board.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "run/stop.h"
#include "stuck/hang.h"
#include "stuck/proc_tasks.h"
#include "stuck/py_dump.h"
#include "stuck/remote.h"
#include "stuck/thread_dump.h"
#include "stuck/wake.h"

/* Looks come this often per deadlock delay, within these bounds. */
#define LWD_WATCH_LOOKS_PER_DELAY 2
#define LWD_WATCH_MIN_MS 20
#define LWD_WATCH_MAX_MS 250
/* Held locks read per board wait; a thread holding more is described by these, oldest first
 * (lw_board_wait.held_total says how many it held; the wait-for rules use the owner a lock names
 * when the list is partial). */
#define LWD_WATCH_MAX_HELD 4096u
/* Looks between two asks whether a long condition wait now re-takes its mutex, at most. */
#define LWD_WATCH_MAX_CHECK_GAP 16u

/* What the driver knows of one thread's slot (indexed like lw_report.threads). */
struct slot_look {
    struct lw_wait_slot slot; /* as last read */
    long long since_ms;       /* when this seq was first read */
    unsigned looks;           /* looks that read this seq */
    bool fed;                 /* handed to the detector as a board wait */
    bool reacquiring;         /* COND: fed as waiting for its mutex (wait_board.h) */
    unsigned next_check;      /* COND, fed: the look that asks the kernel again whether it */
    unsigned check_gap;       /* re-takes its mutex; looks between asks, doubling to a bound */
};

struct lwd_watch {
    unsigned delay_ms;
    unsigned period_ms;
    long long next_ms;
    const char *runtime;
    struct slot_look *looks;
    size_t nlooks;
    pid_t *denied; /* processes whose board could not be read, said once each */
    size_t ndenied;
};

struct lwd_watch *lwd_watch_new(unsigned delay_ms, const char *runtime)
{
    struct lwd_watch *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->delay_ms = delay_ms;
    unsigned period = delay_ms / LWD_WATCH_LOOKS_PER_DELAY;
    w->period_ms = period < LWD_WATCH_MIN_MS   ? LWD_WATCH_MIN_MS
                   : period > LWD_WATCH_MAX_MS ? LWD_WATCH_MAX_MS
                                               : period;
    w->runtime = runtime;
    return w;
}

void lwd_watch_free(struct lwd_watch *w)
{
    if (!w) return;
    free(w->looks);
    free(w->denied);
    free(w);
}

/* Says once per process that its board cannot be read, and why. */
static void say_denied(struct lwd_watch *w, pid_t pid, int err)
{
    for (size_t i = 0; i < w->ndenied; i++)
        if (w->denied[i] == pid) return;
    pid_t *grown = realloc(w->denied, (w->ndenied + 1) * sizeof *grown);
    if (!grown) return;
    w->denied = grown;
    w->denied[w->ndenied++] = pid;
    fprintf(stderr,
            "lockwatch: cannot read the waits of process %d (%s): a deadlock through a join, "
            "condition variable, semaphore or barrier there is not detected\n",
            (int)pid, strerror(err));
}

static struct slot_look *look_of(struct lwd_watch *w, const struct lw_thread *t)
{
    if (t->index >= w->nlooks) {
        size_t n = t->index + 1 > 2 * w->nlooks ? t->index + 1 : 2 * w->nlooks;
        struct slot_look *grown = realloc(w->looks, n * sizeof *grown);
        if (!grown) return NULL;
        memset(grown + w->nlooks, 0, (n - w->nlooks) * sizeof *grown);
        w->looks = grown;
        w->nlooks = n;
    }
    return &w->looks[t->index];
}

/* The threads a look reads: watched (their slot announced), alive, of their pid's current image
 * (an exec keeps the pid, not the image), sorted by process entry, then kernel tid. Made afresh
 * at each look, in O(n log n): a look costs the driver no more than that however many threads
 * and processes the run has. */
struct roster {
    struct lw_thread **threads;
    size_t n;
};

static int by_entry_tid(const void *a, const void *b)
{
    const struct lw_thread *x = *(struct lw_thread *const *)a, *y = *(struct lw_thread *const *)b;
    if (x->process != y->process) return x->process < y->process ? -1 : 1;
    return (x->tid > y->tid) - (x->tid < y->tid);
}

/* false when out of memory (nothing is looked at this time). */
static bool make_roster(const struct lw_report *r, struct roster *ro)
{
    *ro = (struct roster){NULL, 0};
    size_t np = r->nprocesses;
    ro->threads = malloc((r->nthreads + 1) * sizeof *ro->threads);
    bool ok = ro->threads != NULL;
    if (ok) {
        for (size_t i = 0; i < r->nthreads; i++) {
            struct lw_thread *t = r->threads[i];
            if (t->wait_slot != 0 && !t->exited && t->process < np &&
                !r->processes[t->process].superseded)
                ro->threads[ro->n++] = t;
        }
        qsort(ro->threads, ro->n, sizeof *ro->threads, by_entry_tid);
    }
    if (!ok) {
        free(ro->threads);
        ro->threads = NULL;
    }
    return ok;
}

/* The roster's threads of process entry p: [*first, *first + count). */
static size_t roster_of(const struct roster *ro, uint32_t p, size_t *first)
{
    size_t lo = 0, hi = ro->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ro->threads[mid]->process < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < ro->n && ro->threads[end]->process == p)
        end++;
    *first = lo;
    return end - lo;
}

/* The roster's thread of process entry p with kernel tid `tid`, or NULL. */
static struct lw_thread *roster_thread(const struct roster *ro, uint32_t p, pid_t tid)
{
    size_t first, n = roster_of(ro, p, &first);
    struct lw_thread *const *slice = ro->threads + first;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (slice[mid]->tid == tid) return slice[mid];
        if (slice[mid]->tid < tid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Whether thread t, in a condition wait (slot s), sleeps on the mutex's word: it was woken and
 * waits to take the mutex back. *owner: the owner the mutex names (glibc's layout; C11 mtx_t
 * shares it). */
static bool reacquiring(const struct lw_thread *t, const struct lw_wait_slot *s, int32_t *owner)
{
    uint64_t args[4];
    *owner = 0;
    if (s->kind != LW_WAIT_COND || s->lock.addr == 0 ||
        lwd_proc_task_syscall(t->pid, t->tid, args) != SYS_futex || args[0] != s->lock.addr)
        return false;
    uint64_t at = s->lock.addr + offsetof(pthread_mutex_t, __data.__owner);
    if (!lwd_read_remote(t->pid, at, owner, sizeof *owner)) *owner = 0;
    return true;
}

/* Hands the lasting board wait of t (slot as read) to the detector, with its held locks. */
static void feed(struct lw_detector *d, const struct lw_thread *t, struct slot_look *lk)
{
    const struct lw_wait_slot *s = &lk->slot;
    uint32_t nheld = s->nheld < LWD_WATCH_MAX_HELD ? s->nheld : LWD_WATCH_MAX_HELD;
    if (nheld && s->held_stride < sizeof(struct lw_held)) return; /* not a runtime's slot */
    struct lw_held *held = nheld ? calloc(nheld, sizeof *held) : NULL;
    unsigned char *raw = nheld ? malloc((size_t)nheld * s->held_stride) : NULL;
    bool read = !nheld || (held && raw &&
                           lwd_read_remote(t->pid, s->held, raw, (size_t)nheld * s->held_stride));
    for (uint32_t i = 0; read && i < nheld; i++)
        memcpy(&held[i], raw + (size_t)i * s->held_stride, sizeof held[i]);
    free(raw);
    if (!read) {
        free(held);
        return; /* looked at again next time */
    }
    /* The held locks are the slot's only while the slot is unchanged. */
    uint32_t seq;
    if (lwd_read_remote(t->pid, t->wait_slot, &seq, sizeof seq) && seq == s->seq) {
        uint64_t pc = s->pc;
        int32_t owner;
        lk->reacquiring = reacquiring(t, s, &owner);
        struct lw_board_wait bw = {.reacquiring = lk->reacquiring,
                                   .owner_tid = owner,
                                   .pid = t->pid,
                                   .thread = t->number,
                                   .kind = s->kind,
                                   .object = s->object,
                                   .lock = s->lock,
                                   .pcs = &pc,
                                   .npcs = pc != 0,
                                   .held = held,
                                   .nheld = nheld,
                                   .held_total = s->nheld};
        lk->fed = lw_detector_board_wait(d, &bw) == LW_OK;
    }
    free(held);
}

/* What a look read in t's slot s: a new wait (or none), or the same one lasting. */
static void note_slot(struct lwd_watch *w, struct lw_detector *d, struct lw_thread *t,
                      const struct lw_wait_slot *s, long long now)
{
    struct slot_look *lk = look_of(w, t);
    if (!lk || (s->seq & 1u)) return; /* being written: the next look will tell */
    if (s->seq != lk->slot.seq || s->kind != lk->slot.kind || lk->looks == 0) {
        if (lk->fed) lw_detector_board_wait_end(d, t->pid, t->number);
        *lk = (struct slot_look){.slot = *s, .since_ms = now, .looks = 1};
        return;
    }
    lk->looks++;
    /* A long condition wait is asked about less and less often: a thousand idle waiters must not
     * cost the driver a thousand /proc reads a look. */
    if (lk->fed && s->kind == LW_WAIT_COND && lk->looks >= lk->next_check) {
        lk->check_gap = lk->check_gap < LWD_WATCH_MAX_CHECK_GAP ? 2 * lk->check_gap + 1
                                                                : LWD_WATCH_MAX_CHECK_GAP;
        lk->next_check = lk->looks + lk->check_gap;
        int32_t owner;
        if (reacquiring(t, s, &owner) != lk->reacquiring) {
            /* Woken: the same wait now waits for its mutex (or the other way round). */
            lw_detector_board_wait_end(d, t->pid, t->number);
            lk->fed = false;
        }
    }
    bool lasted = lk->looks >= 2 && now - lk->since_ms >= (long long)w->delay_ms;
    if (s->kind != LW_WAIT_NONE && s->kind != LW_WAIT_LOCK && lasted && !lk->fed) feed(d, t, lk);
}

/* A slot that could not be read (its thread ending, or its image replaced by an exec): what was
 * known of it no longer holds. */
static void forget_slot(struct lwd_watch *w, struct lw_detector *d, struct lw_thread *t)
{
    struct slot_look *lk = look_of(w, t);
    if (!lk) return;
    if (lk->fed) lw_detector_board_wait_end(d, t->pid, t->number);
    *lk = (struct slot_look){.looks = 0};
}

/* Slots read by one process_vm_readv call (IOV_MAX allows 1024). */
#define LWD_WATCH_BATCH 256

/* Reads the slots of threads[0..count) (all of one process), a batch per system call, and
 * notes each. */
static void look_process(struct lwd_watch *w, struct lw_detector *d, pid_t pid,
                         struct lw_thread *const *threads, size_t count, long long now)
{
    struct lw_wait_slot slots[LWD_WATCH_BATCH];
    struct iovec local[LWD_WATCH_BATCH], remote[LWD_WATCH_BATCH];
    for (size_t at = 0; at < count; at += LWD_WATCH_BATCH) {
        struct lw_thread *const *batch = threads + at;
        size_t n = count - at < LWD_WATCH_BATCH ? count - at : LWD_WATCH_BATCH;
        for (size_t k = 0; k < n; k++) {
            local[k] = (struct iovec){&slots[k], sizeof slots[k]};
            remote[k] = (struct iovec){(void *)(uintptr_t)batch[k]->wait_slot, sizeof slots[k]};
        }
        /* A read stops at the first slot it cannot read (a thread ending, its memory gone):
         * that one is skipped and the rest read again. */
        for (size_t done = 0; done < n;) {
            ssize_t got = process_vm_readv(pid, local + done, n - done, remote + done, n - done, 0);
            if (got < 0 && errno == ESRCH) {
                /* Ended (a process that calls _exit sends no THREAD_EXIT): its threads wait for
                 * nothing now, and must not keep the run from counting as stuck. */
                for (size_t k = at + done; k < count; k++)
                    forget_slot(w, d, threads[k]);
                return;
            }
            if (got < 0 && errno != EFAULT) {
                if (errno == EPERM || errno == EACCES) say_denied(w, pid, errno);
                return; /* closed to us */
            }
            size_t whole = got > 0 ? (size_t)got / sizeof slots[0] : 0;
            for (size_t k = done; k < done + whole; k++)
                note_slot(w, d, batch[k], &slots[k], now);
            if (done + whole < n) forget_slot(w, d, batch[done + whole]);
            done += whole + 1; /* past the slot that stopped the read, if any */
        }
    }
}

/* Reads the signal logs of threads[0..count) (all of process pid) into logs[], a batch per
 * system call; ok[k]: log k was read whole, and its count had not moved when read again. */
static void read_logs(pid_t pid, struct lw_thread *const *threads, size_t count,
                      struct lw_signal_log *logs, bool *ok)
{
    struct iovec local[LWD_WATCH_BATCH], remote[LWD_WATCH_BATCH];
    uint32_t next[LWD_WATCH_BATCH];
    for (size_t at = 0; at < count; at += LWD_WATCH_BATCH) {
        size_t n = count - at < LWD_WATCH_BATCH ? count - at : LWD_WATCH_BATCH;
        for (size_t pass = 0; pass < 2; pass++) {
            for (size_t k = 0; k < n; k++) {
                local[k] = pass == 0 ? (struct iovec){&logs[at + k], sizeof logs[at + k]}
                                     : (struct iovec){&next[k], sizeof next[k]};
                remote[k] = (struct iovec){(void *)(uintptr_t)threads[at + k]->signal_log,
                                           local[k].iov_len};
            }
            /* A log that cannot be read stops the call: the rest are read one by one. */
            ssize_t got = process_vm_readv(pid, local, n, remote, n, 0);
            size_t whole = got > 0 ? (size_t)got / local[0].iov_len : 0;
            for (size_t k = 0; k < n; k++) {
                bool read = k < whole || process_vm_readv(pid, &local[k], 1, &remote[k], 1, 0) ==
                                             (ssize_t)local[k].iov_len;
                if (pass == 0) ok[at + k] = read && threads[at + k]->signal_log != 0;
                if (pass == 1) ok[at + k] = ok[at + k] && read && next[k] == logs[at + k].next;
            }
        }
    }
}

/* Where the object of each condition or semaphore board wait of threads[0..count) (process
 * entry p of the report) was last signalled, from every signal log of the process, told to the
 * detector. "Never" only when no log lost an entry and no thread that could have signalled has
 * ended (its log went with it). Read only before a report: a run of idle waiters costs nothing. */
static void refresh_process_signals(struct lwd_watch *w, struct lw_detector *d, uint32_t p,
                                    struct lw_thread *const *threads, size_t count)
{
    const struct lw_report *r = lw_detector_report(d);
    struct lw_signal_log *logs = malloc((count + 1) * sizeof *logs);
    bool *ok = malloc((count + 1) * sizeof *ok);
    if (!logs || !ok) goto out;
    read_logs(r->processes[p].pid, threads, count, logs, ok);
    bool complete = true;
    for (size_t i = 0; i < r->nthreads; i++)
        if (r->threads[i]->process == p && r->threads[i]->exited && r->threads[i]->signal_log)
            complete = false;
    for (size_t k = 0; k < count; k++)
        if (!ok[k] || logs[k].next > LW_SIGNAL_LOG) complete = false;
    for (size_t k = 0; k < count; k++) {
        const struct lw_thread *t = threads[k];
        const struct slot_look *lk = t->index < w->nlooks ? &w->looks[t->index] : NULL;
        if (!lk || !lk->fed || (lk->slot.kind != LW_WAIT_COND && lk->slot.kind != LW_WAIT_SEM))
            continue;
        const struct lw_signal_entry *newest = NULL;
        uint32_t by = 0;
        for (size_t u = 0; u < count; u++) {
            uint32_t n = !ok[u] ? 0 : logs[u].next < LW_SIGNAL_LOG ? logs[u].next : LW_SIGNAL_LOG;
            for (uint32_t e = 0; e < n; e++) {
                const struct lw_signal_entry *entry = &logs[u].entries[e];
                if (entry->object != lk->slot.object ||
                    (newest && entry->time_ns <= newest->time_ns))
                    continue;
                newest = entry;
                by = threads[u]->number;
            }
        }
        uint8_t seen =
            newest ? (newest->time_ns < lk->slot.since_ns ? LW_SIGNAL_BEFORE : LW_SIGNAL_DURING)
                   : (complete ? LW_SIGNAL_NEVER : LW_SIGNAL_UNKNOWN);
        lw_detector_board_wait_signal(d, t->pid, t->number, seen, by, newest ? newest->stack : 0);
    }
out:
    free(logs);
    free(ok);
}

static void refresh_signals(struct lwd_watch *w, struct lw_detector *d, const struct roster *ro)
{
    for (size_t at = 0; at < ro->n;) {
        size_t first, n = roster_of(ro, ro->threads[at]->process, &first);
        refresh_process_signals(w, d, ro->threads[at]->process, ro->threads + first, n);
        at = first + n;
    }
}

void lwd_watch_refresh_signals(struct lwd_watch *w, struct lw_detector *d)
{
    struct roster ro;
    if (!make_roster(lw_detector_report(d), &ro)) return;
    refresh_signals(w, d, &ro);
    free(ro.threads);
}

/* Whether thread t has waited on the same slot seq for the delay, as the stuck rule needs. */
static bool lasting(const struct lwd_watch *w, const struct lw_thread *t, long long now)
{
    if (t->index >= w->nlooks) return false;
    const struct slot_look *lk = &w->looks[t->index];
    if (lk->slot.kind == LW_WAIT_NONE || lk->looks < 2 ||
        now - lk->since_ms < (long long)w->delay_ms)
        return false;
    return lk->slot.kind == LW_WAIT_LOCK || lk->fed;
}

/* The current entry of pid in the report, or -1. */
static long entry_of(const struct lw_report *r, pid_t pid)
{
    for (size_t i = r->nprocesses; i-- > 0;)
        if (r->processes[i].pid == pid && !r->processes[i].superseded) return (long)i;
    return -1;
}

/* Adds pid's waiting threads to *out; false when one of its threads may still run, or something
 * (a timer, no runtime, a process outside the run) may still wake it. run: the run's live
 * processes. */
static bool process_stuck(const struct lwd_watch *w, const struct lw_report *r,
                          const struct roster *ro, pid_t pid, const pid_t *run, size_t nrun,
                          long long now, struct lw_thread **out, size_t *n, size_t cap)
{
    long p = entry_of(r, pid);
    if (p < 0 || lwd_timers_pending(w->delay_ms, &r->processes[p])) return false;
    const struct lw_process *proc = &r->processes[p];
    bool python = proc->image < r->nimages && r->images[proc->image].python;
    uint64_t caught = lwd_wake_signals(lwd_proc_caught_signals(pid), python);
    pid_t *tids = NULL;
    long ntids = lwd_proc_threads(pid, &tids);
    bool stuck = ntids >= 0;
    for (long i = 0; stuck && i < ntids; i++) {
        struct lw_thread *t = roster_thread(ro, (uint32_t)p, tids[i]);
        stuck = t && lasting(w, t, now) && *n < cap;
        if (!stuck) break;
        const struct lw_wait_slot *s = &w->looks[t->index].slot;
        stuck = lwd_asleep_in_wait(pid, tids[i], s) &&
                !lwd_wakeable_from_outside(pid, s, caught, run, nrun);
        out[(*n)++] = t;
    }
    free(tids);
    return stuck;
}

/* Every thread of the run, when all of them wait with nothing left to wake one: into *out
 * (malloc'd), count returned; 0 otherwise. */
static size_t stuck_threads(const struct lwd_watch *w, struct lw_detector *d,
                            const struct roster *ro, pid_t child, const char *socket_name,
                            long long now, struct lw_thread ***out)
{
    const struct lw_report *r = lw_detector_report(d);
    *out = NULL;
    /* Cheap first: a watched thread that is not waiting ends the question. */
    for (size_t i = 0; i < ro->n; i++) {
        const struct lw_thread *t = ro->threads[i];
        if (!lasting(w, t, now) && t->index < w->nlooks && w->looks[t->index].looks > 0 &&
            w->looks[t->index].slot.kind == LW_WAIT_NONE)
            return 0;
    }
    pid_t *run = NULL;
    size_t nrun = lwd_run_processes(r, child, socket_name, &run);
    struct lw_thread **threads = malloc((r->nthreads + 1) * sizeof *threads);
    size_t n = 0;
    bool stuck = threads && nrun > 0;
    for (size_t i = 0; stuck && i < nrun; i++)
        stuck = process_stuck(w, r, ro, run[i], run, nrun, now, threads, &n, r->nthreads);
    free(run);
    if (!stuck || n == 0) {
        free(threads);
        return 0;
    }
    *out = threads;
    return n;
}

/* Unwinds the threads of the board waits the detector holds, so the findings naming them show
 * the real stacks. Only when a deadlock is reported: ptrace stops each thread for a moment. */
static void unwind_board_waits(struct lwd_watch *w, struct lw_detector *d)
{
    const struct lw_report *r = lw_detector_report(d);
    for (size_t i = 0; i < r->nthreads && i < w->nlooks; i++) {
        const struct lw_thread *t = r->threads[i];
        if (!w->looks[i].fed || t->exited) continue;
        struct lwd_thread_stack st;
        if (lwd_unwind_one(t->pid, t->tid, &st) != 0) continue;
        /* Keep the frames outside the wrapper: from the first frame past the innermost run of
         * the runtime's frames (the thread's start, further out, is the runtime's too). */
        const struct lw_image *image =
            t->process < r->nprocesses && r->processes[t->process].image < r->nimages
                ? &r->images[r->processes[t->process].image]
                : NULL;
        size_t first = 0;
        bool inside = false;
        for (size_t f = 0; image && w->runtime && f < st.nframes; f++) {
            bool ours = lwd_pc_in_module(image, f == 0 ? st.pcs[0] - 1 : st.pcs[f], w->runtime);
            if (ours) inside = true;
            if (inside && !ours) {
                first = f;
                break;
            }
        }
        if (first == 0) continue; /* no wrapper frame: keep the waiting call's address */
        size_t kept = 0;
        for (size_t f = first; f < st.nframes; f++)
            if (!lwd_pc_in_module(image, st.pcs[f], w->runtime)) st.pcs[kept++] = st.pcs[f];
        lw_detector_board_wait_stack(d, t->pid, t->number, st.pcs, kept);
        struct lw_py_frame py[LW_WIRE_MAX_FRAMES];
        uint32_t py_flags = 0;
        size_t npy = lwd_py_dump(d, image->index, t->pid, t->tid, py, &py_flags);
        lw_detector_board_wait_py(d, t->pid, t->number, py, npy, py_flags);
    }
}

int lwd_watch_tick(struct lwd_watch *w, struct lw_detector *d, pid_t child, const char *socket_name)
{
    long long now = lwd_now_ms();
    if (now < w->next_ms) return (int)(w->next_ms - now);
    w->next_ms = now + w->period_ms;
    const struct lw_report *r = lw_detector_report(d);
    size_t findings = r->nfindings;
    bool stopping = lw_detector_must_stop(d);
    struct roster ro;
    if (!make_roster(r, &ro)) return (int)w->period_ms; /* out of memory: look again later */
    for (size_t at = 0; at < ro.n;) {
        size_t first, n = roster_of(&ro, ro.threads[at]->process, &first);
        look_process(w, d, r->processes[ro.threads[at]->process].pid, ro.threads + first, n, now);
        at = first + n;
    }
    if (!lw_detector_must_stop(d)) {
        struct lw_thread **threads;
        size_t n = stuck_threads(w, d, &ro, child, socket_name, now, &threads);
        if (n) refresh_signals(w, d, &ro);
        if (n) lw_detector_stuck(d, threads, n);
        free(threads);
    }
    free(ro.threads);
    /* A new deadlock, or an inversion that became one. */
    if (r->nfindings > findings || lw_detector_must_stop(d) != stopping) unwind_board_waits(w, d);
    return (int)w->period_ms;
}
