/* report.c — the words of a report: kind names, report ids and the one-line explanation of each
 * finding, written for someone who has never heard of lock-order graphs. Data in, text out. */
#include <stdarg.h>
#include <stdio.h>

#include "lockwatch/report.h"
#include "lockwatch/wire.h"

const char *lw_kind_name(enum lw_finding_kind kind)
{
    switch (kind) {
    case LW_KIND_LOCK_ORDER_INVERSION:
        return "lock-order-inversion";
    case LW_KIND_DEADLOCK:
        return "deadlock";
    case LW_KIND_DOUBLE_LOCK:
        return "double-lock";
    case LW_KIND_UNLOCK_UNOWNED:
        return "unlock-unowned";
    case LW_KIND_DESTROY_LOCKED:
        return "destroy-locked";
    case LW_KIND_EXIT_HOLDING_LOCK:
        return "exit-holding-lock";
    case LW_KIND_DATA_RACE:
        return "data-race";
    case LW_KIND_HANG:
        return "hang";
    case LW_KIND_INVALID_LOCK:
        return "invalid-lock";
    case LW_KIND_REINIT_LIVE:
        return "reinit-live";
    case LW_KIND_COND_MISUSE:
        return "cond-misuse";
    }
    return "unknown";
}

const char *lw_lock_id(const struct lw_lock *l, char *buf, size_t len)
{
    snprintf(buf, len, "M%u", (unsigned)l->index);
    return buf;
}

/* Does any thread of the finding sit in process `pid`, and in one that is not? */
static void note_pid(const struct lw_thread *t, int32_t *first, bool *several)
{
    if (!t) return;
    if (*first == 0)
        *first = t->pid;
    else if (t->pid != *first)
        *several = true;
}

bool lw_report_multi_process(const struct lw_report *r)
{
    int32_t first = 0;
    bool several = false;
    for (size_t i = 0; i < r->nfindings && !several; i++) {
        const struct lw_finding *f = r->findings[i];
        for (size_t k = 0; k < f->nthreads; k++)
            note_pid(f->threads[k], &first, &several);
        for (size_t k = 0; k < f->ncycle; k++)
            note_pid(f->cycle[k].thread, &first, &several);
        for (size_t k = 0; k < f->nstacks; k++)
            note_pid(f->stacks[k].thread, &first, &several);
        for (size_t k = 0; k < f->naccesses; k++)
            note_pid(f->accesses[k].thread, &first, &several);
    }
    return several;
}

const char *lw_thread_id(const struct lw_thread *t, bool multi_process, char *buf, size_t len)
{
    if (multi_process)
        snprintf(buf, len, "%d:T%u", (int)t->pid, (unsigned)t->number);
    else
        snprintf(buf, len, "T%u", (unsigned)t->number);
    return buf;
}

/* A bounded writer that still counts what it could not write (snprintf semantics). */
struct text {
    char *buf;
    size_t len;
    size_t need;
    bool multi_process; /* thread ids carry the pid */
};

static void say(struct text *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct text *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = out->need < out->len ? out->len - out->need : 0;
    int n = vsnprintf(room ? out->buf + out->need : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0) out->need += (size_t)n;
}

static void say_lock(struct text *out, const struct lw_lock *l, int mode)
{
    if (!l) {
        say(out, "a lock");
        return;
    }
    if (l->name)
        say(out, "%s", l->name);
    else
        say(out, "M%u", (unsigned)l->index);
    if (mode == LW_MODE_SHARED) say(out, " (read)");
}

static void say_thread(struct text *out, const struct lw_finding *f, const struct lw_thread *t)
{
    (void)f;
    char id[32];
    say(out, "%s", t ? lw_thread_id(t, out->multi_process, id, sizeof id) : "a thread");
}

/* ", " between items and " and " (or " while " for two) before the last. */
static void say_separator(struct text *out, size_t i, size_t n, const char *last)
{
    if (i > 0) say(out, "%s", i + 1 == n ? last : ", ");
}

static void say_inversion(struct text *out, const struct lw_finding *f)
{
    size_t n = f->ncycle;
    if (f->single_thread) {
        say_thread(out, f, n ? f->cycle[0].thread : NULL);
        say(out, " takes ");
        for (size_t i = 0; i < n; i++) {
            say_separator(out, i, n, ", and elsewhere ");
            say_lock(out, f->cycle[i].holding, f->cycle[i].holding_mode);
            say(out, " then ");
            say_lock(out, f->cycle[i].acquiring, f->cycle[i].acquiring_mode);
        }
        say(out, ": these orders conflict within one thread and would deadlock if two threads "
                 "ran them at the same time");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        say_separator(out, i, n, n == 2 ? " while " : " and ");
        say_thread(out, f, f->cycle[i].thread);
        say(out, " takes ");
        say_lock(out, f->cycle[i].holding, f->cycle[i].holding_mode);
        say(out, " then ");
        say_lock(out, f->cycle[i].acquiring, f->cycle[i].acquiring_mode);
    }
    if (n == 2)
        say(out, ": each can hold one and wait forever for the other");
    else
        say(out, ": each can hold its first lock and wait forever for the next");
}

/* "T2 writes counter while T1 reads it, with no lock in common: ..." from TSan's accesses. */
static void say_access_thread(struct text *out, const struct lw_finding *f,
                              const struct lw_access *a)
{
    if (a->thread)
        say_thread(out, f, a->thread);
    else if (a->tsan_thread)
        say(out, "%s", a->tsan_thread);
    else
        say(out, "a thread");
}

static void say_race(struct text *out, const struct lw_finding *f)
{
    if (f->naccesses == 0) {
        say(out, "two threads access the same memory at the same time without a common lock");
        return;
    }
    const struct lw_access *now = &f->accesses[0];
    say_access_thread(out, f, now);
    say(out, now->write ? " writes " : " reads ");
    say(out, "%s", f->variable ? f->variable : (f->location ? f->location : "memory"));
    if (f->naccesses > 1) {
        const struct lw_access *before = &f->accesses[1];
        say(out, " while ");
        say_access_thread(out, f, before);
        say(out, before->write ? " writes it" : " reads it");
    }
    say(out, " with no lock in common: the result depends on timing");
    if (now->write && f->naccesses > 1 && f->accesses[1].write)
        say(out, " and updates can be lost");
}

static const char *object_word(uint8_t kind)
{
    switch ((enum lw_wait_kind)kind) {
    case LW_WAIT_COND:
    case LW_WAIT_COND_DESTROY:
        return "condition variable";
    case LW_WAIT_SEM:
        return "semaphore";
    case LW_WAIT_BARRIER:
        return "barrier";
    case LW_WAIT_NONE:
    case LW_WAIT_LOCK:
    case LW_WAIT_JOIN:
    case LW_WAIT_CHILD:
        break;
    }
    return "object";
}

/* The wait of thread t in f, or NULL. */
static const struct lw_thread_wait *wait_of(const struct lw_finding *f, const struct lw_thread *t)
{
    for (size_t i = 0; i < f->nwaits; i++)
        if (f->waits[i].thread == t) return &f->waits[i];
    return NULL;
}

#define LW_SAY_MAX_HELD 3

/* " (last signalled by T0 before it began to wait)": what lockwatch knows of the last signal of
 * a condition variable or semaphore a thread waits on, when it explains the wait. Whether that
 * signal was lost or taken by a waiter that then came back cannot be told from outside. */
static void say_last_signal(struct text *out, const struct lw_finding *f,
                            const struct lw_thread_wait *w)
{
    const char *verb = w->kind == LW_WAIT_SEM ? "posted" : "signalled";
    switch ((enum lw_last_signal)w->last_signal) {
    case LW_SIGNAL_NEVER:
        say(out, " (never %s)", verb);
        return;
    case LW_SIGNAL_BEFORE:
        say(out, " (last %s by ", verb);
        say_thread(out, f, w->signalled_by);
        say(out, " before it began to wait)");
        return;
    case LW_SIGNAL_DURING:
    case LW_SIGNAL_UNKNOWN:
        return;
    }
}

/* "holds config_lock and joins T1": what one thread of f waits for; with_held: also what it
 * holds, and what is known of the last signal of what it waits on. */
static void say_wait(struct text *out, const struct lw_finding *f, const struct lw_thread_wait *w,
                     bool with_held)
{
    size_t shown = !with_held ? 0 : w->nheld < LW_SAY_MAX_HELD ? w->nheld : LW_SAY_MAX_HELD;
    for (size_t i = 0; i < shown; i++) {
        if (i == 0)
            say(out, "holds ");
        else
            say(out, i + 1 == shown && shown == w->nheld ? " and " : ", ");
        say_lock(out, w->held[i].lock, w->held[i].mode);
    }
    if (with_held && w->nheld > shown) say(out, " and %zu more locks", w->nheld - shown);
    if (shown) say(out, " and ");
    const struct lw_thread_wait *other = w->waits_for ? wait_of(f, w->waits_for) : NULL;
    switch ((enum lw_wait_kind)w->kind) {
    case LW_WAIT_LOCK:
        say(out, "waits for ");
        say_lock(out, w->lock, w->mode);
        if (w->condwait) {
            say(out, " to return from its wait on condition variable ");
            if (w->object_name)
                say(out, "%s", w->object_name);
            else
                say(out, "0x%llx", (unsigned long long)w->object);
        }
        if (!w->waits_for) break;
        if (w->holder_ended) {
            say(out, ", which ");
            say_thread(out, f, w->waits_for);
            say(out, " still held when it ended");
        } else if (other && other->kind == LW_WAIT_LOCK && other->lock == w->lock &&
                   other->mode == LW_MODE_EXCLUSIVE && w->mode == LW_MODE_SHARED) {
            say(out, " behind ");
            say_thread(out, f, w->waits_for);
            say(out, ", a writer queued for it");
        } else {
            say(out, ", held by ");
            say_thread(out, f, w->waits_for);
        }
        break;
    case LW_WAIT_JOIN:
        say(out, "joins ");
        if (w->waits_for)
            say_thread(out, f, w->waits_for);
        else
            say(out, "a thread lockwatch did not see start");
        break;
    case LW_WAIT_SEM:
        if (w->lock && w->waits_for) { /* a semaphore lock another waiting thread holds */
            say(out, "waits for ");
            say_lock(out, w->lock, LW_MODE_EXCLUSIVE);
            say(out, ", held by ");
            say_thread(out, f, w->waits_for);
            break;
        }
        /* fall through */
    case LW_WAIT_COND:
    case LW_WAIT_BARRIER:
        say(out, "%s %s ", w->kind == LW_WAIT_BARRIER ? "waits at" : "waits on",
            object_word(w->kind));
        if (w->object_name)
            say(out, "%s", w->object_name);
        else
            say(out, "0x%llx", (unsigned long long)w->object);
        if (with_held) say_last_signal(out, f, w);
        break;
    case LW_WAIT_COND_DESTROY:
        say(out, "destroys condition variable ");
        if (w->object_name)
            say(out, "%s", w->object_name);
        else
            say(out, "0x%llx", (unsigned long long)w->object);
        say(out, ", which waits for its waiters to leave");
        if (w->waits_for) {
            say(out, " (");
            say_thread(out, f, w->waits_for);
            say(out, " among them)");
        }
        break;
    case LW_WAIT_CHILD:
        if ((int64_t)w->object > 0)
            say(out, "waits for its child process %lld", (long long)(int64_t)w->object);
        else
            say(out, "waits for a child process");
        break;
    case LW_WAIT_NONE:
        say(out, "waits");
        break;
    }
}

/* Threads of a stuck run named in its message before "and N more". */
#define LW_SAY_MAX_WAITS 4

static void say_waits(struct text *out, const struct lw_finding *f)
{
    if (f->nwaits == 1 && f->waits[0].holder_ended) {
        say_thread(out, f, f->waits[0].thread);
        say(out, " ");
        say_wait(out, f, &f->waits[0], true);
        say(out, ": nobody will ever unlock it, so it waits forever");
        return;
    }
    if (f->stuck) say(out, "every thread waits and none can wake another: ");
    for (size_t i = 0; i < f->nwaits && i < LW_SAY_MAX_WAITS; i++) {
        if (i > 0) say(out, "; ");
        say_thread(out, f, f->waits[i].thread);
        say(out, " ");
        say_wait(out, f, &f->waits[i], true);
    }
    if (f->nwaits > LW_SAY_MAX_WAITS)
        say(out, "; %zu more threads wait", f->nwaits - LW_SAY_MAX_WAITS);
    if (!f->stuck) say(out, ": none of them can ever continue, the program is deadlocked");
}

static void say_deadlock(struct text *out, const struct lw_finding *f)
{
    if (f->nwaits > 0) {
        say_waits(out, f);
        return;
    }
    size_t n = f->ncycle;
    for (size_t i = 0; i < n; i++) {
        say_separator(out, i, n, n == 2 ? " while " : " and ");
        say_thread(out, f, f->cycle[i].thread);
        say(out, " holds ");
        say_lock(out, f->cycle[i].holding, f->cycle[i].holding_mode);
        say(out, " and waits for ");
        say_lock(out, f->cycle[i].acquiring, f->cycle[i].acquiring_mode);
    }
    say(out, ": none of them can ever continue, the program is deadlocked");
}

/* "; T1 waits on condition variable ready": the waits lockwatch saw in a hang. */
static void say_hang_waits(struct text *out, const struct lw_finding *f)
{
    for (size_t i = 0; i < f->nwaits && i < LW_SAY_MAX_WAITS; i++) {
        say(out, i == 0 ? ": " : "; ");
        say_thread(out, f, f->waits[i].thread);
        say(out, " ");
        say_wait(out, f, &f->waits[i], true);
    }
    if (f->nwaits > LW_SAY_MAX_WAITS)
        say(out, "; %zu more threads wait", f->nwaits - LW_SAY_MAX_WAITS);
}

size_t lw_wait_phrase(const struct lw_finding *f, const struct lw_thread_wait *w,
                      bool multi_process, char *buf, size_t len)
{
    struct text out = {.buf = buf, .len = len, .multi_process = multi_process};
    if (buf && len) buf[0] = '\0';
    say_wait(&out, f, w, false);
    return out.need;
}

/* " (by T1)" when the conflicting call was another thread's. */
static void say_by(struct text *out, const struct lw_finding *f, const struct lw_thread *other)
{
    if (!other) return;
    say(out, " (by ");
    say_thread(out, f, other);
    say(out, ")");
}

static void say_invalid(struct text *out, const struct lw_finding *f)
{
    const struct lw_lock *lock = f->nlocks ? f->locks[0] : NULL;
    say_thread(out, f, f->nthreads ? f->threads[0] : NULL);
    say(out, " uses ");
    say_lock(out, lock, LW_MODE_EXCLUSIVE);
    if (f->detail == LW_DETAIL_UNINITIALISED) {
        say(out, ", which holds no valid lock (never initialised, or overwritten): the call "
                 "fails or acts on garbage");
        return;
    }
    say(out, " after it was destroyed");
    say_by(out, f, f->nthreads > 1 ? f->threads[1] : NULL);
    say(out, ": a destroyed lock must be initialised again before any lock, unlock or wait");
}

static void say_reinit(struct text *out, const struct lw_finding *f)
{
    const struct lw_lock *lock = f->nlocks ? f->locks[0] : NULL;
    const struct lw_thread *other = f->nthreads > 1 ? f->threads[1] : NULL;
    say_thread(out, f, f->nthreads ? f->threads[0] : NULL);
    say(out, " initialises ");
    say_lock(out, lock, LW_MODE_EXCLUSIVE);
    if (f->detail == LW_DETAIL_HELD) {
        say(out, " while it is held");
        say_by(out, f, other);
        say(out, ": the holder's critical section loses its protection and its unlock acts on a "
                 "new lock");
        return;
    }
    say(out, " again although an earlier init");
    say_by(out, f, other);
    say(out, " set it up and no destroy ended it: a lock is initialised once, or destroyed "
             "before it is initialised again");
}

static void say_cond(struct text *out, const struct lw_finding *f)
{
    const struct lw_lock *lock = f->nlocks ? f->locks[0] : NULL;
    const struct lw_thread *thread = f->nthreads ? f->threads[0] : NULL;
    const struct lw_thread *other = f->nthreads > 1 ? f->threads[1] : NULL;
    say_thread(out, f, thread);
    switch (f->detail) {
    case LW_DETAIL_TWO_MUTEXES:
        say(out, " waits on a condition variable with ");
        say_lock(out, lock, LW_MODE_EXCLUSIVE);
        say(out, " while ");
        say_thread(out, f, other ? other : thread);
        say(out, " waits on it with ");
        say_lock(out, f->nlocks > 1 ? f->locks[1] : NULL, LW_MODE_EXCLUSIVE);
        say(out, ": all waits on one condition variable at the same time must use the same "
                 "mutex");
        return;
    case LW_DETAIL_COND_DESTROYED:
        say(out, " destroys a condition variable while ");
        say_thread(out, f, other ? other : thread);
        say(out, " waits on it");
        if (lock) {
            say(out, " with ");
            say_lock(out, lock, LW_MODE_EXCLUSIVE);
        }
        say(out, ", not woken: the waiter is blocked on a condition variable that no longer "
                 "exists");
        return;
    case LW_DETAIL_SEM_DESTROYED:
        say(out, " destroys a semaphore while threads are blocked on it: they wait on an object "
                 "that no longer exists");
        return;
    case LW_DETAIL_MUTEX_NOT_HELD:
    case LW_DETAIL_NONE:
    case LW_DETAIL_DESTROYED:
    case LW_DETAIL_UNINITIALISED:
    case LW_DETAIL_HELD:
    case LW_DETAIL_NOT_DESTROYED:
        break;
    }
    say(out, " waits on a condition variable with ");
    say_lock(out, lock, LW_MODE_EXCLUSIVE);
    say(out, ", which it does not hold");
    if (other) {
        say(out, " (");
        say_thread(out, f, other);
        say(out, " holds it)");
    }
    say(out, ": the wait must be called with its mutex locked (glibc returns with it locked "
             "anyway)");
}

size_t lw_finding_instances(const struct lw_finding *f)
{
    return f->instances > 1 ? f->instances : 1;
}

/* n with a comma between groups of three digits ("1,000"). */
static void say_count(struct text *out, size_t n)
{
    if (n >= 1000) {
        say_count(out, n / 1000);
        say(out, ",%03zu", n % 1000);
    } else {
        say(out, "%zu", n);
    }
}

static void say_instances(struct text *out, const struct lw_finding *f)
{
    size_t n = lw_finding_instances(f);
    if (n < 2) return;
    say(out, "the same lock order was inverted between ");
    say_count(out, n);
    if (f->ncycle == 2)
        say(out, " pairs of locks (instances)");
    else
        say(out, " sets of %zu locks (instances)", f->ncycle);
}

size_t lw_instances_phrase(const struct lw_finding *f, char *buf, size_t len)
{
    struct text out = {.buf = buf, .len = len};
    if (buf && len) buf[0] = '\0';
    say_instances(&out, f);
    return out.need;
}

size_t lw_finding_message(const struct lw_finding *f, bool multi_process, char *buf, size_t len)
{
    struct text out = {.buf = buf, .len = len, .multi_process = multi_process};
    if (buf && len) buf[0] = '\0';
    const struct lw_lock *lock = f->nlocks ? f->locks[0] : NULL;
    const struct lw_thread *thread = f->nthreads ? f->threads[0] : NULL;
    const struct lw_thread *other = f->nthreads > 1 ? f->threads[1] : NULL;
    switch (f->kind) {
    case LW_KIND_LOCK_ORDER_INVERSION:
        say_inversion(&out, f);
        break;
    case LW_KIND_DEADLOCK:
        say_deadlock(&out, f);
        break;
    case LW_KIND_DOUBLE_LOCK:
        say_thread(&out, f, thread);
        say(&out, " locks ");
        say_lock(&out, lock, LW_MODE_EXCLUSIVE);
        say(&out, " again while it already holds it: a lock that is not recursive cannot be "
                  "taken twice by its owner, the thread would wait for itself forever");
        break;
    case LW_KIND_UNLOCK_UNOWNED:
        say_thread(&out, f, thread);
        say(&out, " unlocks ");
        say_lock(&out, lock, LW_MODE_EXCLUSIVE);
        say(&out, ", which it does not hold");
        if (other) {
            say(&out, " (");
            say_thread(&out, f, other);
            say(&out, " holds it)");
        }
        break;
    case LW_KIND_DESTROY_LOCKED:
        say_thread(&out, f, thread);
        say(&out, " destroys ");
        say_lock(&out, lock, LW_MODE_EXCLUSIVE);
        say(&out, " while it is still locked");
        if (other) {
            say(&out, " by ");
            say_thread(&out, f, other);
        }
        break;
    case LW_KIND_EXIT_HOLDING_LOCK:
        say_thread(&out, f, thread);
        say(&out, " ends while still holding ");
        say_lock(&out, lock, LW_MODE_EXCLUSIVE);
        say(&out, ": any thread that waits for it later will wait forever");
        break;
    case LW_KIND_DATA_RACE:
        say_race(&out, f);
        break;
    case LW_KIND_HANG:
        if (f->interrupted)
            say(&out, "the program did not end after lockwatch was interrupted, so lockwatch "
                      "ended it");
        else
            say(&out, "the program stopped making progress and was ended by the timeout");
        say_hang_waits(&out, f);
        break;
    case LW_KIND_INVALID_LOCK:
        say_invalid(&out, f);
        break;
    case LW_KIND_REINIT_LIVE:
        say_reinit(&out, f);
        break;
    case LW_KIND_COND_MISUSE:
        say_cond(&out, f);
        break;
    }
    if (lw_finding_instances(f) > 1) {
        say(&out, "; ");
        say_instances(&out, f);
    }
    return out.need;
}
