/* render_text.c — the report a person reads on stderr: per finding a title, one or two plain
 * sentences of what can go wrong, the stacks that prove it (user code first, at most
 * LWD_TEXT_MAX_FRAMES frames each), where the threads came from and a line saying how to fix it;
 * then one summary line. Written for someone who has never read lockwatch's documentation. */
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h> /* sigabbrev_np, with the _GNU_SOURCE the command is built with */
#include <unistd.h>

#include "common/safe_text.h"
#include "common/wrap.h"
#include "driver.h"
#include "lockwatch/wire.h"
#include "render/profile_view.h"
#include "render/render_common.h"
#include "render/schedule_text.h"
#include "render/text_fix.h"

struct text {
    FILE *out;
    const struct lw_report *report;
    bool color;
    bool multi_process;
    bool races_checked;
    bool hints;   /* advice lines (the ThreadSanitizer hint) wanted */
    bool verbose; /* a clean run still gets its summary (--verbose, or --profile's table) */
    size_t width; /* prose is wrapped to this many columns (lwd_report_width) */
    const struct lwd_triage *triage; /* NULL: no suppressions, no baseline */
    char cwd[PATH_MAX];              /* empty when unknown: paths are then shown as they are */
};

enum colour { PLAIN, TITLE, FIX };

static void colour_on(const struct text *t, enum colour c)
{
    if (!t->color) return;
    switch (c) {
    case PLAIN:
        break;
    case TITLE:
        lwd_safe_raw(t->out, "\033[1;31m");
        break;
    case FIX:
        lwd_safe_raw(t->out, "\033[1;32m");
        break;
    }
}

static void colour_off(const struct text *t)
{
    if (t->color) lwd_safe_raw(t->out, "\033[0m");
}

/* Writes text (its leading spaces kept) word by word starting at column col, breaking before
 * a word that would pass t->width; continuation lines are indented by two spaces. Ends
 * with `end` (unless text already ends with it) and a newline. */
static void print_wrapped(const struct text *t, size_t col, const char *text, const char *end)
{
    size_t lead = strspn(text, " ");
    fwrite(text, 1, lead, t->out);
    col += lead;
    const char *p = text + lead;
    bool first = true;
    while (*p != '\0') {
        while (*p == ' ')
            p++;
        size_t word = strcspn(p, " ");
        if (word == 0) break;
        if (!first && col + 1 + word > t->width) {
            fputs("\n  ", t->out);
            col = 2;
        } else if (!first) {
            fputc(' ', t->out);
            col++;
        }
        fwrite(p, 1, word, t->out);
        col += word;
        p += word;
        first = false;
    }
    size_t len = strlen(text), elen = strlen(end);
    if (len < elen || strcmp(text + len - elen, end) != 0) fputs(end, t->out);
    fputc('\n', t->out);
}

/* An in-memory stream to compose one paragraph for print_wrapped. */
struct paragraph {
    char *text;
    size_t len;
    FILE *f;
};

static bool paragraph_open(struct paragraph *p)
{
    p->text = NULL;
    p->len = 0;
    p->f = open_memstream(&p->text, &p->len);
    return p->f != NULL;
}

/* Prints the paragraph (when it could be composed) and frees it. */
static void paragraph_print(const struct text *t, struct paragraph *p, size_t col)
{
    if (fclose(p->f) == 0) print_wrapped(t, col, p->text, "");
    free(p->text);
}

/* path relative to the current directory when it lies below it. */
static const char *shown_path(const struct text *t, const char *path)
{
    size_t n = strlen(t->cwd);
    if (n > 1 && strncmp(path, t->cwd, n) == 0 && path[n] == '/') return path + n + 1;
    return path;
}

/* "T1 (worker_ab)", or "T1" when the thread has no label. */
static const char *thread_ref(const struct text *t, const struct lw_thread *th, char *buf,
                              size_t len)
{
    if (th == NULL) return "an unknown thread";
    char id[32];
    lw_thread_id(th, t->multi_process, id, sizeof id);
    if (th->label != NULL)
        snprintf(buf, len, "%s (%s)", id, th->label);
    else
        snprintf(buf, len, "%s", id);
    return buf;
}

/* "M1 lock_a", with " (read)" / " (write)" for rwlocks, where the mode matters. */
static const char *lock_ref(const struct lw_lock *l, uint8_t mode, bool with_mode, char *buf,
                            size_t len)
{
    if (l == NULL) return "an unknown lock";
    char id[32];
    lw_lock_id(l, id, sizeof id);
    int n = snprintf(buf, len, "%s", id);
    if (l->name != NULL && n >= 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, " %s", l->name);
    if (with_mode && l->type == LW_LOCK_RWLOCK && n >= 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, " (%s)", lwd_mode_name(mode));
    return buf;
}

/* "#0 worker  src/broken.c:21" for code with source; code in a system library shows only its
 * module ("#1 start_thread  libc.so.6": libc's own source paths help no one reading this), and
 * code without a symbol its module and offset ("#2 0x7f..  libfoo.so+0x1a2b"). */
static void print_frame(const struct text *t, const struct lw_stack *s, size_t i)
{
    const struct lw_frame *f = &s->frames[i];
    const struct lw_module *m = lwd_find_module_at(t->report, s->image, s->epoch, f->pc);
    fprintf(t->out, "      #%zu ", i);
    if (f->function != NULL)
        fputs(f->function, t->out);
    else
        fprintf(t->out, "0x%" PRIx64, f->pc);
    if (f->function != NULL && f->module != NULL && lwd_is_system_module(f->module))
        fprintf(t->out, "  %s", lwd_basename(f->module));
    else if (s->named && f->file == NULL && f->module != NULL)
        fprintf(t->out, "  %s+0x%" PRIx64, f->module, f->pc); /* as ThreadSanitizer named it */
    else if (f->file != NULL && f->line > 0)
        fprintf(t->out, "  %s:%d", shown_path(t, f->file), f->line);
    else if (f->file != NULL)
        fprintf(t->out, "  %s", shown_path(t, f->file));
    else if (m != NULL && m->path != NULL)
        fprintf(t->out, "  %s+0x%" PRIx64, lwd_basename(m->path), f->pc - m->base);
    fputc('\n', t->out);
}

/* Frames up to the first user frame are always shown; past it, when the stack is longer than
 * the limit, only user frames are, so the limit is spent on the program's own code. */
static void print_stack(const struct text *t, const struct lw_stack *s)
{
    if (s == NULL) { /* stack id 0: the runtime could not capture it (the overflows say why) */
        fputs("      (stack not captured)\n", t->out);
        return;
    }
    if (s->frames == NULL) {
        fputs("      (stack not received)\n", t->out);
        return;
    }
    if (s->nframes == 0) {
        fputs("      (no frames)\n", t->out);
        return;
    }
    size_t user = lwd_first_user_frame(s);
    size_t shown = 0;
    for (size_t i = 0; i < s->nframes && shown < LWD_TEXT_MAX_FRAMES; i++) {
        if (s->nframes > LWD_TEXT_MAX_FRAMES && i > user && !lwd_frame_is_user(&s->frames[i]))
            continue;
        print_frame(t, s, i);
        shown++;
    }
    if (shown < s->nframes)
        fprintf(t->out, "      (%zu more frame%s)\n", s->nframes - shown,
                s->nframes - shown == 1 ? "" : "s");
    if (s->py_flags & LW_PYS_TRUNCATED)
        fprintf(t->out, "      (outer Python frames not kept: more than %u)\n", LW_WIRE_MAX_FRAMES);
    if (s->py_flags & LW_PYS_UNREADABLE)
        fputs("      (the Python frames beyond these could not be read)\n", t->out);
}

/* "main (broken.c:40)" for frame f. */
static const char *frame_site(const struct text *t, const struct lw_frame *f, char *buf, size_t len)
{
    const char *fn = f->function != NULL ? f->function : "?";
    if (f->file != NULL)
        snprintf(buf, len, "%s (%s:%d)", fn, shown_path(t, f->file), f->line);
    else if (f->function != NULL)
        snprintf(buf, len, "%s", fn);
    else
        snprintf(buf, len, "0x%" PRIx64, f->pc);
    return buf;
}

/* frame_site of the user frame of s (else its first frame), or NULL. */
static const char *site(const struct text *t, const struct lw_stack *s, char *buf, size_t len)
{
    if (s == NULL || s->frames == NULL || s->nframes == 0) return NULL;
    size_t u = lwd_first_user_frame(s);
    return frame_site(t, &s->frames[u < s->nframes ? u : 0], buf, len);
}

static const char *title(enum lw_finding_kind kind)
{
    switch (kind) {
    case LW_KIND_LOCK_ORDER_INVERSION:
        return "lock-order inversion (potential deadlock)";
    case LW_KIND_DEADLOCK:
        return "deadlock (threads wait for each other forever)";
    case LW_KIND_DOUBLE_LOCK:
        return "double lock (a thread locks a lock it already holds)";
    case LW_KIND_UNLOCK_UNOWNED:
        return "unlock of a lock this thread does not hold";
    case LW_KIND_DESTROY_LOCKED:
        return "destroy of a lock that is still held";
    case LW_KIND_EXIT_HOLDING_LOCK:
        return "thread ended while holding a lock";
    case LW_KIND_DATA_RACE:
        return "data race (two threads access the same memory without a common lock)";
    case LW_KIND_HANG:
        return "hang (the program stopped making progress)";
    case LW_KIND_INVALID_LOCK:
        return "use of an invalid lock (destroyed, or never initialised)";
    case LW_KIND_REINIT_LIVE:
        return "init of a live lock (held, or initialised and not destroyed)";
    case LW_KIND_COND_MISUSE:
        return "condition variable or semaphore misuse";
    }
    return "finding";
}

static void print_fix(const struct text *t, const struct lw_finding *f)
{
    struct paragraph p;
    fputs("  ", t->out);
    colour_on(t, FIX);
    fputs("Fix:", t->out);
    colour_off(t);
    fputc(' ', t->out);
    if (!paragraph_open(&p)) {
        fputc('\n', t->out);
        return;
    }
    lwd_text_write_fix(p.f, f);
    paragraph_print(t, &p, 7);
}

/* The one or two sentences above a cycle's stacks: who takes what, and what can happen. */
static void print_cycle_story(const struct text *t, const struct lw_finding *f)
{
    char tb[160], a[256], b[256];
    bool deadlock = f->kind == LW_KIND_DEADLOCK;
    struct paragraph p;
    if (!paragraph_open(&p)) return;
    for (size_t e = 0; e < f->ncycle; e++) {
        const struct lw_cycle_edge *edge = &f->cycle[e];
        if (lwd_text_edge_folded(f, e)) {
            if (e == LWD_TEXT_FOLD_HEAD)
                fprintf(p.f, "; and so on through %zu more locks", lwd_text_folded_edges(f));
            continue;
        }
        if (e > 0) fputs("; ", p.f);
        if (e == 0 || !f->single_thread)
            fprintf(p.f, "%s ", thread_ref(t, edge->thread, tb, sizeof tb));
        else
            fputs("elsewhere it ", p.f);
        const char *held = lwd_lock_word(edge->holding, a, sizeof a);
        const char *wanted = lwd_lock_word(edge->acquiring, b, sizeof b);
        if (deadlock)
            fprintf(p.f, "holds %s and waits for %s", held, wanted);
        else
            fprintf(p.f, "takes %s then %s", held, wanted);
    }
    fputs(".", p.f);
    fputs("  ", t->out);
    paragraph_print(t, &p, 2);
    if (f->single_thread)
        fputs("  Seen in one thread only; two threads running this code would deadlock.\n", t->out);
    else if (deadlock)
        fputs("  None of them can ever go on: the program is stuck.\n", t->out);
    else if (f->ncycle == 2)
        print_wrapped(t, 0,
                      "  If they run at the same time, each can hold one lock and wait "
                      "forever for the other.",
                      "");
    else
        print_wrapped(t, 0,
                      "  If they run at the same time, each can hold one lock and wait "
                      "forever for the next.",
                      "");
}

/* The happens-before label of a lock-order inversion (docs/report-format.md, "schedule"). */
static void print_schedule(const struct text *t, const struct lw_finding *f)
{
    struct paragraph p;
    if (f->kind != LW_KIND_LOCK_ORDER_INVERSION || f->schedule == LW_SCHEDULE_NONE) return;
    if (!paragraph_open(&p)) return;
    fprintf(p.f, "Schedule: %s. ", lwd_schedule_name(f->schedule));
    switch (f->schedule) {
    case LW_SCHEDULE_NONE:
        break;
    case LW_SCHEDULE_CONCURRENT:
        fputs("Nothing lockwatch saw ordered its threads (thread starts and joins, barriers, forks "
              "and waits for a child): this run could have deadlocked here.",
              p.f);
        for (size_t i = 0; i < f->nordered; i++) {
            char *why = lwd_ordering_text(&f->ordered_by[i], t->multi_process);
            fprintf(p.f, " Note: %s.", why != NULL ? why : "(out of memory)");
            free(why);
        }
        break;
    case LW_SCHEDULE_ORDERED:
        fputs("This run could not deadlock here: ", p.f);
        for (size_t i = 0; i < f->nordered; i++) {
            char *why = lwd_ordering_text(&f->ordered_by[i], t->multi_process);
            fprintf(p.f, "%s%s", i ? "; " : "", why != NULL ? why : "(out of memory)");
            free(why);
        }
        fputs(". The lock order is still inconsistent.", p.f);
        break;
    case LW_SCHEDULE_UNCHECKED:
        fputs("Too many threads and epochs took these edges to decide whether this run could "
              "have deadlocked here.",
              p.f);
        break;
    }
    fputs("  ", t->out);
    paragraph_print(t, &p, 2);
    const struct lw_confirmation *c = &f->confirmation;
    if (c->status == LW_CONFIRM_REPRODUCED) {
        fprintf(t->out, "  CONFIRMED: deadlocked on re-run %u of %u.\n", c->attempt, c->attempts);
        if (c->replay != NULL)
            fprintf(t->out, "  Replay: lockwatch --replay=%s followed by the same command.\n",
                    c->replay);
    } else if (c->status == LW_CONFIRM_NOT_REPRODUCED && c->attempts > 0)
        fprintf(t->out, "  Not confirmed: %s (%u re-runs).\n", c->reason, c->attempts);
    else if (c->status == LW_CONFIRM_NOT_REPRODUCED)
        fprintf(t->out, "  Not confirmed: %s.\n", c->reason);
}

/* Other places of one edge printed before "(N more in the JSON report)". */
#define LWD_TEXT_MAX_PLACES 4u

/* The frame where stack s leaves ref (comparing from the lock call outwards): what tells two
 * paths through one helper apart. The first user frame when they do not differ. */
static const char *where_differs(const struct text *t, const struct lw_stack *s,
                                 const struct lw_stack *ref, char *buf, size_t len)
{
    if (s == NULL || s->frames == NULL || s->nframes == 0) return "an unknown place";
    size_t i = 0;
    while (ref != NULL && ref->frames != NULL && i < s->nframes && i < ref->nframes &&
           s->frames[i].pc == ref->frames[i].pc)
        i++;
    return i < s->nframes ? frame_site(t, &s->frames[i], buf, len) : site(t, s, buf, len);
}

/* "The same order was also taken at 2 other places:" and one line per place. */
static void print_places(const struct text *t, const struct lw_cycle_edge *edge,
                         const struct lw_edge_places *places)
{
    if (places == NULL || places->n == 0) return;
    char hb[512], ab[512];
    fprintf(t->out, "    The same order was also taken at %zu other place%s:\n", places->n,
            places->n == 1 ? "" : "s");
    for (size_t k = 0; k < places->n && k < LWD_TEXT_MAX_PLACES; k++) {
        const struct lw_stack_pair *p = &places->pairs[k];
        fprintf(t->out, "      holding at %s, requesting at %s\n",
                where_differs(t, p->holding, edge->holding_stack, hb, sizeof hb),
                where_differs(t, p->acquiring, edge->acquiring_stack, ab, sizeof ab));
    }
    if (places->n > LWD_TEXT_MAX_PLACES)
        fprintf(t->out, "      (%zu more in the JSON report)\n", places->n - LWD_TEXT_MAX_PLACES);
}

static void print_cycle_stacks(const struct text *t, const struct lw_finding *f)
{
    char tb[160], lb[320];
    for (size_t e = 0; e < f->ncycle; e++) {
        const struct lw_cycle_edge *edge = &f->cycle[e];
        if (lwd_text_edge_folded(f, e)) {
            if (e == LWD_TEXT_FOLD_HEAD)
                fprintf(t->out,
                        "  ... %zu more edges of the cycle, left out here (the JSON report has "
                        "every one) ...\n",
                        lwd_text_folded_edges(f));
            continue;
        }
        fprintf(t->out, "  %s holds %s, taken at\n", thread_ref(t, edge->thread, tb, sizeof tb),
                lock_ref(edge->holding, edge->holding_mode, true, lb, sizeof lb));
        print_stack(t, edge->holding_stack);
        fprintf(t->out, "    and %s %s at\n",
                f->kind == LW_KIND_DEADLOCK && f->nwaits == 0 ? "is blocked on" : "requests",
                lock_ref(edge->acquiring, edge->acquiring_mode, true, lb, sizeof lb));
        print_stack(t, edge->acquiring_stack);
        print_places(t, edge, f->places ? &f->places[e] : NULL);
    }
}

/* Stacks of a group's other instances printed before "(N more stacks)". */
#define LWD_TEXT_MAX_GROUP_STACKS 4u

/* A grouped finding: how many instances (unless the message above said it: with_phrase
 * false) and the example lock sets ("M1 a and M2 b; M3 c and M4 d"); nothing for a finding of
 * one instance. */
static void print_instances(const struct text *t, const struct lw_finding *f, bool with_phrase)
{
    size_t need = lw_instances_phrase(f, NULL, 0);
    if (need == 0) return;
    struct paragraph p;
    if (!paragraph_open(&p)) return;
    char *phrase = with_phrase ? malloc(need + 1) : NULL;
    if (phrase != NULL) {
        lw_instances_phrase(f, phrase, need + 1);
        phrase[0] = (char)toupper((unsigned char)phrase[0]);
        fputs(phrase, p.f);
        free(phrase);
    }
    char lb[320];
    for (size_t e = 0; e < f->nexamples; e++) {
        if (e == 0)
            fputs(with_phrase ? ", for example " : "The instances include ", p.f);
        else
            fputs("; ", p.f);
        const struct lw_instance_example *ex = &f->examples[e];
        for (size_t k = 0; k < ex->nlocks; k++) {
            if (k > 0) fputs(k + 1 == ex->nlocks ? " and " : ", ", p.f);
            fputs(lock_ref(ex->locks[k], 0, false, lb, sizeof lb), p.f);
        }
    }
    fputs(".", p.f);
    fputs("  ", t->out);
    paragraph_print(t, &p, 2);
}

static bool in_cycle(const struct lw_finding *f, const struct lw_stack *s)
{
    for (size_t e = 0; e < f->ncycle; e++)
        if (f->cycle[e].holding_stack == s || f->cycle[e].acquiring_stack == s) return true;
    return false;
}

/* The stacks a group's instances named besides those of the cycle shown, up to the limit. */
static void print_group_stacks(const struct text *t, const struct lw_finding *f)
{
    size_t other = 0, shown = 0;
    for (size_t k = 0; k < f->ndistinct_stacks; k++) {
        const struct lw_stack *s = f->distinct_stacks[k];
        if (in_cycle(f, s)) continue;
        if (other++ == 0)
            fputs("  Other instances took their locks at other stacks too:\n", t->out);
        if (shown == LWD_TEXT_MAX_GROUP_STACKS) continue;
        if (shown > 0) fputs("    and\n", t->out);
        print_stack(t, s);
        shown++;
    }
    if (other > shown)
        fprintf(t->out, "    (%zu more stack%s)\n", other - shown, other - shown == 1 ? "" : "s");
}

/* Where the condition variable or semaphore a thread waits on was last signalled. */
static void print_last_signal(const struct text *t, const struct lw_thread_wait *w)
{
    char tb[160];
    const char *verb = w->kind == LW_WAIT_SEM ? "posted" : "signalled";
    switch ((enum lw_last_signal)w->last_signal) {
    case LW_SIGNAL_NEVER:
        fprintf(t->out, "    never %s by any thread\n", verb);
        return;
    case LW_SIGNAL_UNKNOWN:
        if (w->kind == LW_WAIT_COND || w->kind == LW_WAIT_SEM)
            fprintf(t->out,
                    "    not %s by any thread lately (lockwatch keeps each thread's last %u)\n",
                    verb, LW_SIGNAL_LOG);
        return;
    case LW_SIGNAL_BEFORE:
    case LW_SIGNAL_DURING:
        fprintf(t->out, "    last %s by %s%s, at\n", verb,
                thread_ref(t, w->signalled_by, tb, sizeof tb),
                w->last_signal == LW_SIGNAL_BEFORE ? " before this wait began" : " during it");
        print_stack(t, w->signal_stack);
        return;
    }
}

/* Per thread of a deadlock: what it waits for and where, and where it took what it holds. */
static void print_waits(const struct text *t, const struct lw_finding *f)
{
    char tb[160], lb[320];
    for (size_t i = 0; i < f->nwaits; i++) {
        const struct lw_thread_wait *w = &f->waits[i];
        char *phrase = NULL;
        size_t need = lw_wait_phrase(f, w, t->multi_process, NULL, 0);
        if ((phrase = malloc(need + 1)) != NULL)
            lw_wait_phrase(f, w, t->multi_process, phrase, need + 1);
        char *header = NULL;
        if (asprintf(&header, "  %s %s", thread_ref(t, w->thread, tb, sizeof tb),
                     phrase ? phrase : "waits") < 0)
            header = NULL;
        print_wrapped(t, 0, header ? header : "  a thread waits", ", at");
        free(header);
        free(phrase);
        print_stack(t, w->stack);
        print_last_signal(t, w);
        for (size_t k = 0; k < w->nheld; k++) {
            fprintf(t->out, "    holding %s, taken at\n",
                    lock_ref(w->held[k].lock, w->held[k].mode, true, lb, sizeof lb));
            print_stack(t, w->held[k].stack);
        }
    }
}

/* "M2 accounts+40 is an error-checking mutex at 0x55d0c0a8" */
static void print_locks(const struct text *t, const struct lw_finding *f)
{
    char lb[320];
    for (size_t k = 0; k < f->nlocks; k++) {
        const struct lw_lock *l = f->locks[k];
        const char *kind = (l->flags & LW_LOCKF_RECURSIVE)    ? "a recursive"
                           : (l->flags & LW_LOCKF_ERRORCHECK) ? "an error-checking"
                                                              : "a";
        fprintf(t->out, "  %s is %s %s at 0x%" PRIx64 "\n", lock_ref(l, 0, false, lb, sizeof lb),
                kind, lwd_lock_type_name(l->type), l->addr);
    }
}

static void print_labelled_stacks(const struct text *t, const struct lw_finding *f)
{
    char tb[160];
    for (size_t k = 0; k < f->nstacks; k++) {
        const struct lw_labelled_stack *ls = &f->stacks[k];
        if (ls->thread != NULL)
            fprintf(t->out, "  %s, %s:\n", thread_ref(t, ls->thread, tb, sizeof tb), ls->label);
        else
            fprintf(t->out, "  %s:\n", ls->label);
        print_stack(t, ls->stack);
    }
}

/* "T2 (worker)"; a thread lockwatch never saw by ThreadSanitizer's number for it. */
static const char *access_thread(const struct text *t, const struct lw_access *a, char *buf,
                                 size_t len)
{
    if (a->thread != NULL) return thread_ref(t, a->thread, buf, len);
    snprintf(buf, len, "thread %s (ThreadSanitizer's number)",
             a->tsan_thread != NULL ? a->tsan_thread : "?");
    return buf;
}

/* "race.c:4" for the user frame of s (else its first frame), or NULL. */
static const char *access_site(const struct text *t, const struct lw_stack *s, char *buf,
                               size_t len)
{
    if (s == NULL || s->frames == NULL || s->nframes == 0) return NULL;
    size_t u = lwd_first_user_frame(s);
    const struct lw_frame *f = &s->frames[u < s->nframes ? u : 0];
    if (f->file != NULL && f->line > 0)
        snprintf(buf, len, "%s:%d", shown_path(t, f->file), f->line);
    else if (f->function != NULL)
        snprintf(buf, len, "%s", f->function);
    else
        return NULL;
    return buf;
}

/* A data race: each access as one sentence over its stack ("T2 writes counter (8 bytes) at
 * race.c:4, holding no lock" / "previously T1 wrote it at race.c:4, ..."), then the memory.
 * The locks are ThreadSanitizer's (its own M numbers, not lockwatch's). */
static void print_accesses(const struct text *t, const struct lw_finding *f)
{
    char tb[160], sb[PATH_MAX + 32], mem[64];
    const struct lw_access *first = &f->accesses[0];
    snprintf(mem, sizeof mem, "0x%" PRIx64, first->addr);
    const char *object = f->variable != NULL ? f->variable : mem;
    for (size_t k = 0; k < f->naccesses; k++) {
        const struct lw_access *a = &f->accesses[k];
        fprintf(t->out, "  %s%s %s", a->previous ? "previously " : "",
                access_thread(t, a, tb, sizeof tb), a->atomic ? "atomically " : "");
        if (a->previous)
            fprintf(t->out, "%s it", a->write ? "wrote" : "read");
        else
            fprintf(t->out, "%s %s (%u byte%s)", a->write ? "writes" : "reads", object, a->size,
                    a->size == 1 ? "" : "s");
        const char *where = access_site(t, a->stack, sb, sizeof sb);
        if (where != NULL) fprintf(t->out, " at %s", where);
        if (a->mutexes != NULL && a->mutexes[0] != '\0')
            fprintf(t->out, ", holding %s (ThreadSanitizer's ids)\n", a->mutexes);
        else
            fputs(", holding no lock\n", t->out);
        print_stack(t, a->stack);
    }
    if (f->location != NULL)
        fprintf(t->out, "  The memory: %s, accessed at %s\n", f->location, mem);
    else
        fprintf(t->out, "  The memory: %s\n", mem);
}

/* Whether thread th appears in an edge of f's cycle the text shows (true without a cycle). */
static bool thread_shown(const struct lw_finding *f, const struct lw_thread *th)
{
    if (lwd_text_folded_edges(f) == 0) return true;
    for (size_t e = 0; e < f->ncycle; e++)
        if (!lwd_text_edge_folded(f, e) && f->cycle[e].thread == th) return true;
    return false;
}

static void print_threads(const struct text *t, const struct lw_finding *f)
{
    char tb[160], pb[160], sb[512];
    if (f->nthreads == 0) return;
    fputs("  Threads:\n", t->out);
    size_t hidden = 0;
    for (size_t k = 0; k < f->nthreads; k++)
        hidden += !thread_shown(f, f->threads[k]);
    bool told = false;
    for (size_t k = 0; k < f->nthreads; k++) {
        const struct lw_thread *th = f->threads[k];
        if (!thread_shown(f, th)) {
            if (!told)
                fprintf(t->out, "    ... %zu more, of the edges left out (in the JSON report)\n",
                        hidden);
            told = true;
            continue;
        }
        fprintf(t->out, "    %s ", thread_ref(t, th, tb, sizeof tb));
        if (th->number == 0 && th->created == NULL) {
            fputs("is the main thread\n", t->out);
            continue;
        }
        fputs("was created", t->out);
        const struct lw_thread *parent =
            th->parent != UINT32_MAX ? lwd_find_thread(t->report, th->pid, th->parent) : NULL;
        if (parent != NULL) fprintf(t->out, " by %s", thread_ref(t, parent, pb, sizeof pb));
        const char *where = site(t, th->created, sb, sizeof sb);
        if (where != NULL) fprintf(t->out, " at %s", where);
        fputc('\n', t->out);
        if (f->naccesses > 0 && th->created != NULL) print_stack(t, th->created);
    }
}

/* index: the finding's place in the report, for the baseline mark. */
static void print_finding(const struct text *t, const struct lw_finding *f, size_t index)
{
    fputs("==lockwatch== ", t->out);
    colour_on(t, TITLE);
    fputs(title(f->kind), t->out);
    colour_off(t);
    fprintf(t->out, " [finding %" PRIu32 " of %zu, pid %" PRId32 "]", f->id, t->report->nfindings,
            f->pid);
    if (t->triage != NULL && t->triage->known != NULL && t->triage->known[index])
        fputs(" (known, in baseline)", t->out);
    fputc('\n', t->out);
    bool story = f->ncycle > 0 && !(f->kind == LW_KIND_DEADLOCK && f->nwaits > 0);
    if (story) {
        print_cycle_story(t, f);
        print_schedule(t, f);
    } else {
        /* The message is a sentence without its full stop (JSON carries it as is). */
        char *msg = lwd_finding_message(f, t->multi_process);
        fputs("  ", t->out);
        print_wrapped(t, 2, msg != NULL ? msg : lw_kind_name(f->kind), ".");
        free(msg);
        print_locks(t, f);
    }
    print_instances(t, f, story);
    fputc('\n', t->out);
    bool waits_block = f->kind == LW_KIND_DEADLOCK && f->nwaits > 0;
    if (waits_block) {
        print_waits(t, f);
        if (f->ncycle > 0)
            print_wrapped(t, 0,
                          "  The same threads took these locks in opposite orders before (a "
                          "lock-order inversion, now a deadlock):",
                          "");
    }
    print_cycle_stacks(t, f);
    print_group_stacks(t, f);
    if (f->naccesses > 0)
        print_accesses(t, f);
    else if (!waits_block)
        print_labelled_stacks(t, f);
    print_threads(t, f);
    print_fix(t, f);
    fputc('\n', t->out);
}

/* Singular and plural of each kind, for the summary line. */
static const char *kind_noun(enum lw_finding_kind kind, bool plural)
{
    switch (kind) {
    case LW_KIND_LOCK_ORDER_INVERSION:
        return plural ? "lock-order inversions" : "lock-order inversion";
    case LW_KIND_DEADLOCK:
        return plural ? "deadlocks" : "deadlock";
    case LW_KIND_DOUBLE_LOCK:
        return plural ? "double locks" : "double lock";
    case LW_KIND_UNLOCK_UNOWNED:
        return plural ? "unlocks of unowned locks" : "unlock of an unowned lock";
    case LW_KIND_DESTROY_LOCKED:
        return plural ? "destroys of held locks" : "destroy of a held lock";
    case LW_KIND_EXIT_HOLDING_LOCK:
        return plural ? "thread exits holding locks" : "thread exit holding a lock";
    case LW_KIND_DATA_RACE:
        return plural ? "data races" : "data race";
    case LW_KIND_HANG:
        return plural ? "hangs" : "hang";
    case LW_KIND_INVALID_LOCK:
        return plural ? "uses of invalid locks" : "use of an invalid lock";
    case LW_KIND_REINIT_LIVE:
        return plural ? "inits of live locks" : "init of a live lock";
    case LW_KIND_COND_MISUSE:
        return plural ? "condition variable misuses" : "condition variable misuse";
    }
    return plural ? "findings" : "finding";
}

/* "after a deadlock": why lockwatch ended the run, for the summary line. */
static const char *stop_words(enum lwd_stop_reason reason)
{
    switch (reason) {
    case LWD_STOP_NONE:
        return "";
    case LWD_STOP_DEADLOCK:
        return " after a deadlock";
    case LWD_STOP_DOUBLE_LOCK:
        return " after a double lock that would block for ever";
    case LWD_STOP_TIMEOUT:
        return " after the timeout";
    case LWD_STOP_INTERRUPTED:
        return " after it was interrupted and the program did not end";
    }
    return "";
}

static void print_outcome(const struct text *t, const struct lwd_outcome *o)
{
    if (o == NULL) return;
    if (o->stopped) fprintf(t->out, "; run stopped by lockwatch%s", stop_words(o->stop_reason));
    if (o->signal == 0) {
        fprintf(t->out, "; program exited with %d", o->exit_code);
        return;
    }
    const char *abbrev = sigabbrev_np(o->signal);
    if (abbrev != NULL)
        fprintf(t->out, "; program was killed by SIG%s", abbrev);
    else
        fprintf(t->out, "; program was killed by signal %d", o->signal);
}

static void print_overflow(const struct text *t, const struct lw_overflow *ov)
{
    fputs("lockwatch: ", t->out);
    if (t->multi_process) fprintf(t->out, "in pid %" PRId32 ", ", ov->pid);
    switch ((enum lw_overflow_table)ov->table) {
    case LW_OVERFLOW_CHAINS:
        fprintf(t->out, "the chain cache filled (%" PRIu64 " chains); some chains were re-sent\n",
                ov->limit);
        return;
    case LW_OVERFLOW_STACKS:
        fprintf(t->out, "the stack depot filled (%" PRIu64 " stacks); some stacks were re-sent\n",
                ov->limit);
        return;
    case LW_OVERFLOW_HELD:
        fprintf(t->out,
                "a thread held more than %" PRIu64
                " locks at once; the locks beyond that were not checked\n",
                ov->limit);
        return;
    case LW_OVERFLOW_THREADS:
        fprintf(t->out,
                "the thread table filled (%" PRIu64 " threads); later threads were not checked\n",
                ov->limit);
        return;
    case LW_OVERFLOW_CHANNEL:
        fputs("the record channel broke and was reopened; some records may be lost\n", t->out);
        return;
    case LW_OVERFLOW_HELD_EDGES:
        fprintf(t->out,
                "a thread held more than %" PRIu64
                " locks at once; its lock-order edges came from the %" PRIu64
                " it took last, so a cycle through an older one may be missing\n",
                ov->limit, ov->limit);
        return;
    case LW_OVERFLOW_LOCKS:
        fprintf(t->out,
                "the lock-state table filled (%" PRIu64
                " locks and condition variables); later inits, destroys and condition waits "
                "were not checked for misuse\n",
                ov->limit);
        return;
    case LW_OVERFLOW_GENERATIONS:
        fputs("no memory was left for lock generations; a lock whose memory was reused may have "
              "been taken for its predecessor\n",
              t->out);
        return;
    case LW_OVERFLOW_STACKS_SHORT:
        fprintf(t->out,
                "a thread or signal handler had less than %" PRIu64
                " bytes of stack left; some stacks were not captured\n",
                ov->limit);
        return;
    case LW_OVERFLOW_STACKS_RESTRICTED:
        fputs("a thread ran under seccomp, where unwinding is not allowed; its stacks were not "
              "captured\n",
              t->out);
        return;
    }
    fprintf(t->out, "internal table %" PRIu32 " filled (limit %" PRIu64 ")\n", ov->table,
            ov->limit);
}

/* What the run used: "3 locks, 2 of them only ever taken alone; 4 threads; 3 processes (2
 * forked)". A lock taken alone makes no lock-order edge, but the program used it. */
static void print_counts(const struct text *t)
{
    const struct lw_report *r = t->report;
    size_t locks = lwd_locks_seen(r);
    if (locks == 0)
        fputs("no lock was taken", t->out);
    else if (r->nlone_locks == 0)
        fprintf(t->out, "%zu lock%s", locks, locks == 1 ? "" : "s");
    else if (r->nlone_locks == locks)
        fprintf(t->out, "%zu lock%s, %s only ever taken alone", locks, locks == 1 ? "" : "s",
                locks == 1   ? "it"
                : locks == 2 ? "both"
                             : "all");
    else
        fprintf(t->out, "%zu locks, %zu of them only ever taken alone", locks, r->nlone_locks);
    fprintf(t->out, "; %zu thread%s", r->nthreads, r->nthreads == 1 ? "" : "s");
    size_t forked = lwd_forked_processes(r);
    if (r->nprocesses > 1) fprintf(t->out, "; %zu processes (%zu forked)", r->nprocesses, forked);
}

static void print_summary(const struct text *t, const struct lwd_outcome *o)
{
    const struct lw_report *r = t->report;
    /* A clean run is silent, as the sanitizers are, unless something limited the analysis or
     * findings were left out by --suppressions (the reader should know they exist). */
    bool suppressed = t->triage != NULL && t->triage->suppressed > 0;
    if (r->nfindings == 0 && !t->verbose && !suppressed && r->noverflows == 0 &&
        r->bad_records == 0 && r->cycle_searches_stopped == 0)
        return;
    if (r->nfindings == 0) {
        fputs("lockwatch: no lock-order problems found (", t->out);
        print_counts(t);
        fputc(')', t->out);
    } else {
        size_t count[LW_KIND_COUNT] = {0};
        for (size_t i = 0; i < r->nfindings; i++)
            count[r->findings[i]->kind]++;
        fprintf(t->out, "lockwatch: %zu finding%s (", r->nfindings, r->nfindings == 1 ? "" : "s");
        const char *sep = "";
        for (int k = 0; k < LW_KIND_COUNT; k++) {
            if (count[k] == 0) continue;
            fprintf(t->out, "%s%zu %s", sep, count[k],
                    kind_noun((enum lw_finding_kind)k, count[k] != 1));
            sep = ", ";
        }
        fputc(')', t->out);
        if (t->verbose) {
            fputs("; ", t->out);
            print_counts(t);
        }
    }
    if (t->triage != NULL && t->triage->known != NULL)
        fprintf(t->out, "; %zu new, %zu known", r->nfindings - t->triage->known_count,
                t->triage->known_count);
    if (t->triage != NULL && t->triage->suppressed > 0)
        fprintf(t->out, "; %zu suppressed", t->triage->suppressed);
    print_outcome(t, o);
    fputc('\n', t->out);
    for (size_t i = 0; i < r->noverflows; i++)
        print_overflow(t, &r->overflows[i]);
    for (size_t i = 0; i < r->nimages; i++) {
        const struct lw_image *img = &r->images[i];
        char buf[32];
        const char *version = lwd_python_version(img->python_version, buf, sizeof buf);
        if (img->python && !img->python_supported)
            fprintf(t->out,
                    "lockwatch: Python frames unavailable: CPython %s%s is not supported (3.11 "
                    "is); its stacks show the interpreter's C frames\n",
                    version ? "" : "older than ", version ? version : "3.11");
    }
    if (r->cycle_searches_stopped > 0)
        fprintf(t->out,
                "lockwatch: %" PRIu64 " lock-order cycle search%s reached the work budget, so "
                "cycles through %s edge%s may be missing: --cycle-search-budget=0 lifts it\n",
                r->cycle_searches_stopped, r->cycle_searches_stopped == 1 ? "" : "es",
                r->cycle_searches_stopped == 1 ? "its" : "their",
                r->cycle_searches_stopped == 1 ? "" : "s");
    if (r->bad_records > 0)
        fprintf(t->out, "lockwatch: %" PRIu64 " malformed record%s ignored\n", r->bad_records,
                r->bad_records == 1 ? " was" : "s were");
    /* Only where it helps: several threads ran, lock order found nothing, and races were not
     * looked for, so a clean-looking run may still race. */
    if (!t->races_checked && t->hints && r->nfindings == 0 && r->nthreads >= 2 && !suppressed)
        fputs("lockwatch: data races are checked only in ThreadSanitizer builds: rebuild with "
              "clang -fsanitize=thread -g\n",
              t->out);
}

int lwd_render_text(FILE *out, const struct lwd_render_input *in)
{
    struct text t = {.out = out,
                     .report = in->report,
                     .color = in->color,
                     .multi_process = lwd_multi_process(in->report),
                     .triage = in->triage,
                     .width = in->width > 0 ? (size_t)in->width : LWD_REPORT_WIDTH};
    if (getcwd(t.cwd, sizeof t.cwd) == NULL) t.cwd[0] = '\0';
    t.races_checked = in->races_checked;
    t.hints = in->options == NULL || !in->options->no_hints;
    t.verbose = in->options != NULL && (in->options->verbose || in->options->profile);
    for (size_t i = 0; i < in->report->nfindings; i++)
        print_finding(&t, in->report->findings[i], i);
    /* --profile's table next to the findings (profile_view.h) */
    if (in->options != NULL && in->options->profile && lwd_print_profile(out, in->report) != 0)
        return -1;
    lwd_print_trace_cut(out, in->report);
    print_summary(&t, in->outcome);
    if (fflush(out) != 0 || ferror(out)) return -1;
    return 0;
}
