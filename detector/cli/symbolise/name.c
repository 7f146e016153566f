/* name.c — gives the locks and threads a finding (or, for --graph, an edge of the lock-order
 * graph) mentions the names a reader recognises:
 * a lock in static storage by its symbol ("lock_a"), a lock inside a static object by the
 * member holding it ("bank.ledger_mutex", "table[3].m", from DWARF; "accounts+40" when DWARF
 * cannot tell), any other lock by the user code that first took it ("mutex first locked at
 * bank.c:42 (worker)"; a Python lock by its expression there, "lock1 (first locked at
 * lesson.py:12)"); a thread by its pthread_setname_np name, else "main" for the main
 * thread, else its start routine. Lock wrappers are told apart from the user's sites
 * (lock_wrapper.h). */
#include <inttypes.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "lockwatch/wire.h"
#include "render/render_common.h"
#include "symbolise/lock_wrapper.h"
#include "symbolise/py_lock_name.h"
#include "symbolise/symbolise.h"

/* The process entry of thread t: its own image (an exec keeps the pid, not the image). */
static const struct lw_process *process_of(const struct lw_report *r, const struct lw_thread *t)
{
    return t->process < r->nprocesses ? &r->processes[t->process] : NULL;
}

/* ---- acquisitions, for the lock wrapper rule (lock_wrapper.h) ---- */

static int add_acquisition(struct lwd_symboliser *s, struct lw_report *r,
                           struct lwd_acquisitions *a, const struct lw_lock *lock,
                           struct lw_stack *stack)
{
    if (lock == NULL || stack == NULL || stack->frames == NULL) return 0;
    if (lwd_sym_stack(s, r, stack) != 0) return -1;
    return lwd_acquisitions_add(a, lock, stack);
}

/* The acquisitions a finding shows: its cycle's, the other places of its edges, its locks'
 * first ones, and the locks held or waited for in a deadlock. */
static int finding_acquisitions(struct lwd_symboliser *s, struct lw_report *r,
                                const struct lw_finding *f, struct lwd_acquisitions *a)
{
    for (size_t e = 0; e < f->ncycle; e++) {
        const struct lw_cycle_edge *c = &f->cycle[e];
        if (add_acquisition(s, r, a, c->holding, c->holding_stack) != 0 ||
            add_acquisition(s, r, a, c->acquiring, c->acquiring_stack) != 0)
            return -1;
        for (size_t k = 0; f->places != NULL && k < f->places[e].n; k++)
            if (add_acquisition(s, r, a, c->holding, f->places[e].pairs[k].holding) != 0 ||
                add_acquisition(s, r, a, c->acquiring, f->places[e].pairs[k].acquiring) != 0)
                return -1;
    }
    for (size_t k = 0; k < f->nlocks; k++)
        if (f->locks[k] != NULL &&
            add_acquisition(s, r, a, f->locks[k], f->locks[k]->first_stack) != 0)
            return -1;
    for (size_t k = 0; k < f->nwaits; k++) {
        const struct lw_thread_wait *w = &f->waits[k];
        if (add_acquisition(s, r, a, w->lock, w->stack) != 0) return -1;
        for (size_t h = 0; h < w->nheld; h++)
            if (add_acquisition(s, r, a, w->held[h].lock, w->held[h].stack) != 0) return -1;
    }
    return 0;
}

/* The size of a lock of `type` (the program's ABI is the host's). */
static uint64_t lock_size(uint8_t type)
{
    switch ((enum lw_lock_type)type) {
    case LW_LOCK_MUTEX:
        return sizeof(pthread_mutex_t);
    case LW_LOCK_RWLOCK:
        return sizeof(pthread_rwlock_t);
    case LW_LOCK_SPIN:
        return sizeof(pthread_spinlock_t);
    case LW_LOCK_MTX:
        return sizeof(mtx_t);
    case LW_LOCK_SEM:
        return sizeof(sem_t);
    }
    return 1;
}

/* The frame a lock is named after: the first user frame, else the first with a function. */
static const struct lw_frame *naming_frame(const struct lw_stack *s)
{
    if (s == NULL || s->frames == NULL) return NULL;
    size_t u = lwd_first_user_frame(s);
    if (u < s->nframes) return &s->frames[u];
    for (size_t i = 0; i < s->nframes; i++)
        if (s->frames[i].function != NULL) return &s->frames[i];
    return NULL;
}

static int name_lock(struct lwd_symboliser *s, struct lw_report *r, struct lw_lock *l)
{
    if (l == NULL || l->name != NULL) return 0;
    char buf[512], expr[128];
    bool failed = false;
    uint64_t offset = 0;
    uint64_t size = 0;
    const char *object = lwd_sym_object(s, l->image, l->addr, &offset, &size, &failed);
    if (failed) return -1;
    if (lwd_sym_stack(s, r, l->first_stack) != 0) return -1;
    lwd_mark_wrapper(l->first_stack);
    const struct lw_frame *site = naming_frame(l->first_stack);
    const char *type = lwd_lock_type_name(l->type);
    const char *member = NULL;
    /* Inside an object larger than the lock (a struct, an array): the member or element. */
    if (object != NULL && (offset > 0 || size > lock_size(l->type))) {
        member = lwd_sym_member(s, l->image, l->addr - offset, offset, lock_size(l->type), &failed);
        if (failed) return -1;
    }
    /* An object in an anonymous namespace is known by its own name in its file. */
    static const char anonymous[] = "(anonymous namespace)::";
    while (object != NULL && strncmp(object, anonymous, sizeof anonymous - 1) == 0)
        object += sizeof anonymous - 1;
    if (object != NULL && member != NULL)
        snprintf(buf, sizeof buf, "%s%s", object, member);
    else if (object != NULL && offset == 0)
        snprintf(buf, sizeof buf, "%s", object);
    else if (object != NULL)
        snprintf(buf, sizeof buf, "%s+%" PRIu64, object, offset);
    else if (site != NULL && site->python &&
             lwd_py_lock_expr(site->file, site->line, expr, sizeof expr))
        snprintf(buf, sizeof buf, "%s (first locked at %s:%d)", expr, lwd_basename(site->file),
                 site->line);
    else if (site != NULL && site->file != NULL && site->function != NULL)
        snprintf(buf, sizeof buf, "%s first locked at %s:%d (%s)", type, lwd_basename(site->file),
                 site->line, site->function);
    else if (site != NULL && site->file != NULL)
        snprintf(buf, sizeof buf, "%s first locked at %s:%d", type, lwd_basename(site->file),
                 site->line);
    else if (site != NULL)
        snprintf(buf, sizeof buf, "%s first locked in %s", type, site->function);
    else
        snprintf(buf, sizeof buf, "%s at 0x%" PRIx64, type, l->addr);
    l->name = lwd_sym_intern(s, buf);
    return l->name != NULL ? 0 : -1;
}

/* Threads are labelled even when only their creation is mentioned ("created by T0 (main)"). */
static int label_thread(struct lwd_symboliser *s, struct lw_report *r, struct lw_thread *t)
{
    if (t == NULL || t->label != NULL) return 0;
    if (t->name != NULL && t->name[0] != '\0') {
        t->label = t->name;
    } else if (t->number == 0) {
        t->label = "main";
    } else if (t->start_routine != 0) {
        const struct lw_process *p = process_of(r, t);
        if (p != NULL) {
            /* A function address, not a return address: looked up as is. */
            const struct lwd_symbol *sym = lwd_sym_code(s, p->image, t->start_routine);
            if (sym == NULL) return -1;
            const struct lw_module *mod = lwd_find_module(r, p->image, t->start_routine);
            /* A thread started by a library (std::thread's execute_native_thread_routine) or
             * by ThreadSanitizer's trampoline names nothing of the user's: it is labelled by
             * the user code its stacks show (label_by_stack), else stays "T2". */
            if (mod != NULL && !lwd_is_system_module(mod->path) &&
                (sym->function == NULL || strcmp(sym->function, "__tsan_thread_start_func") != 0))
                t->label = sym->function;
        }
    }
    return 0;
}

/* A thread without a label, by the outermost user frame of one of its stacks: the function
 * std::thread runs ("work(int)"), the same in every run. */
static void label_by_stack(struct lw_thread *t, const struct lw_stack *st)
{
    if (t == NULL || t->label != NULL || t->number == 0 || st == NULL || st->frames == NULL) return;
    for (size_t i = st->nframes; i-- > 0;)
        if (lwd_frame_is_user(&st->frames[i]) && st->frames[i].function != NULL) {
            t->label = st->frames[i].function;
            return;
        }
}

static int name_thread(struct lwd_symboliser *s, struct lw_report *r, struct lw_thread *t)
{
    if (t == NULL) return 0;
    if (label_thread(s, r, t) != 0 || lwd_sym_stack(s, r, t->created) != 0) return -1;
    if (t->parent == UINT32_MAX) return 0;
    for (size_t i = 0; i < r->nthreads; i++)
        if (r->threads[i]->pid == t->pid && r->threads[i]->number == t->parent)
            return label_thread(s, r, r->threads[i]);
    return 0;
}

/* *name = the symbol of an object at `addr` in thread t's process ("table+8"); stays NULL when
 * no symbol holds it. */
static int name_object(struct lwd_symboliser *s, struct lw_report *r, const struct lw_thread *t,
                       uint64_t addr, const char **name)
{
    const struct lw_process *p = process_of(r, t);
    if (p == NULL) return 0;
    bool failed = false;
    uint64_t offset = 0;
    const char *symbol = lwd_sym_object(s, p->image, addr, &offset, NULL, &failed);
    if (failed) return -1;
    if (symbol == NULL) return 0;
    char buf[512];
    if (offset == 0)
        snprintf(buf, sizeof buf, "%s", symbol);
    else
        snprintf(buf, sizeof buf, "%s+%" PRIu64, symbol, offset);
    return (*name = lwd_sym_intern(s, buf)) != NULL ? 0 : -1;
}

/* A deadlock's waits: their locks, threads, stacks, and the objects waited on by their symbol. */
static int name_waits(struct lwd_symboliser *s, struct lw_report *r, struct lw_finding *f)
{
    for (size_t k = 0; k < f->nwaits; k++) {
        struct lw_thread_wait *w = &f->waits[k];
        if (name_lock(s, r, w->lock) != 0 || name_thread(s, r, w->thread) != 0 ||
            name_thread(s, r, w->waits_for) != 0 || lwd_sym_stack(s, r, w->stack) != 0 ||
            name_thread(s, r, w->signalled_by) != 0 || lwd_sym_stack(s, r, w->signal_stack) != 0)
            return -1;
        label_by_stack(w->thread, w->stack);
        for (size_t h = 0; h < w->nheld; h++)
            if (name_lock(s, r, w->held[h].lock) != 0 || lwd_sym_stack(s, r, w->held[h].stack) != 0)
                return -1;
        bool object = w->kind == LW_WAIT_COND || w->kind == LW_WAIT_SEM ||
                      w->kind == LW_WAIT_BARRIER || w->kind == LW_WAIT_COND_DESTROY || w->condwait;
        if (!object || w->object_name) continue;
        if (name_object(s, r, w->thread, w->object, &w->object_name) != 0) return -1;
    }
    return 0;
}

/* The barriers of a finding's orderings, by their symbol. */
static int name_orderings(struct lwd_symboliser *s, struct lw_report *r, struct lw_finding *f)
{
    for (size_t k = 0; k < f->nordered; k++)
        for (size_t st = 0; st < f->ordered_by[k].nsteps; st++) {
            struct lw_order_step *step = &f->ordered_by[k].steps[st];
            if (name_thread(s, r, step->from) != 0 || name_thread(s, r, step->to) != 0) return -1;
            bool object = step->kind == LW_ORDER_BARRIER || step->kind == LW_ORDER_SEM_POST ||
                          step->kind == LW_ORDER_SEM_WAIT;
            if (object && step->object_name == NULL &&
                name_object(s, r, step->from, step->object, &step->object_name) != 0)
                return -1;
        }
    return 0;
}

int lwd_name_report(struct lwd_symboliser *s, struct lw_report *r)
{
    struct lwd_acquisitions a = {0, 0, NULL};
    int rc = 0;
    for (size_t i = 0; i < r->nfindings && rc == 0; i++)
        rc = finding_acquisitions(s, r, r->findings[i], &a);
    if (rc == 0) rc = lwd_find_wrappers(&a);
    free(a.list);
    if (rc != 0) return -1;
    for (size_t i = 0; i < r->nfindings; i++) {
        struct lw_finding *f = r->findings[i];
        for (size_t k = 0; k < f->nlocks; k++)
            if (name_lock(s, r, f->locks[k]) != 0) return -1;
        for (size_t k = 0; k < f->nthreads; k++)
            if (name_thread(s, r, f->threads[k]) != 0) return -1;
        for (size_t e = 0; e < f->ncycle; e++) {
            if (name_lock(s, r, f->cycle[e].holding) != 0 ||
                name_lock(s, r, f->cycle[e].acquiring) != 0 ||
                name_thread(s, r, f->cycle[e].thread) != 0)
                return -1;
            label_by_stack(f->cycle[e].thread, f->cycle[e].holding_stack);
        }
        for (size_t k = 0; k < f->nstacks; k++) {
            if (name_thread(s, r, f->stacks[k].thread) != 0 ||
                lwd_sym_stack(s, r, f->stacks[k].stack) != 0)
                return -1;
            label_by_stack(f->stacks[k].thread, f->stacks[k].stack);
        }
        for (size_t x = 0; x < f->nexamples; x++)
            for (size_t k = 0; k < f->examples[x].nlocks; k++)
                if (name_lock(s, r, f->examples[x].locks[k]) != 0) return -1;
        if (name_waits(s, r, f) != 0 || name_orderings(s, r, f) != 0) return -1;
    }
    return 0;
}

int lwd_name_profile(struct lwd_symboliser *s, struct lw_report *r)
{
    for (size_t i = 0; i < r->nlocks; i++)
        if (lw_profile_of(r, r->locks[i]) && name_lock(s, r, r->locks[i]) != 0) return -1;
    for (size_t i = 0; i < r->nthreads; i++)
        if (label_thread(s, r, r->threads[i]) != 0) return -1;
    return 0;
}

int lwd_name_edges(struct lwd_symboliser *s, struct lw_report *r, const struct lw_order_edge *edges,
                   size_t n)
{
    struct lwd_acquisitions a = {0, 0, NULL};
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        for (size_t k = 0; k < edges[i].ninstances && rc == 0; k++)
            if (add_acquisition(s, r, &a, edges[i].from, edges[i].instances[k].holding_stack) !=
                    0 ||
                add_acquisition(s, r, &a, edges[i].to, edges[i].instances[k].acquiring_stack) != 0)
                rc = -1;
    if (rc == 0) rc = lwd_find_wrappers(&a);
    free(a.list);
    if (rc != 0) return -1;
    for (size_t i = 0; i < n; i++) {
        if (name_lock(s, r, edges[i].from) != 0 || name_lock(s, r, edges[i].to) != 0) return -1;
        for (size_t k = 0; k < edges[i].ninstances; k++)
            if (name_thread(s, r, edges[i].instances[k].thread) != 0) return -1;
    }
    return 0;
}
