/* external.c — findings that do not come from the program's records: data races that
 * ThreadSanitizer reported (its log, parsed by tsan_parse.c) and the stacks of a run that hung
 * (taken by the driver from outside). Both are put in the same report model as lockwatch's own
 * findings, so every renderer and the exit code treat them alike. */
#include <stdlib.h>
#include <string.h>

#include "deadlock.h"
#include "lockwatch/tsan.h"
#include "state.h"

/* TSan's stacks come with their names and belong to no image of ours: they live in the depot
 * under this pseudo image, numbered in order. */
#define NAMED_IMAGE UINT32_MAX

static char *copy_string(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    if (copy) memcpy(copy, s, n);
    return copy;
}

/* Copies a TSan stack into the depot as a named stack. NULL when empty or out of memory
 * (*nomem tells which). */
static struct lw_stack *named_stack(struct lw_detector *d, const struct lw_tsan_stack *ts,
                                    int *nomem)
{
    if (ts->nframes == 0) return NULL;
    struct lw_stack *stack = lw_depot_get(&d->depot, NAMED_IMAGE, ++d->named_stacks, nomem);
    if (!stack) return NULL;
    stack->frames = calloc(ts->nframes, sizeof *stack->frames);
    if (!stack->frames) {
        *nomem = 1;
        return NULL;
    }
    stack->nframes = ts->nframes;
    stack->named = true;
    for (size_t i = 0; i < ts->nframes; i++) {
        const struct lw_tsan_frame *tf = &ts->frames[i];
        struct lw_frame *f = &stack->frames[i];
        f->pc = tf->module_offset;
        f->line = tf->line;
        if ((tf->function && !(f->function = copy_string(tf->function))) ||
            (tf->file && !(f->file = copy_string(tf->file))) ||
            (tf->module && !(f->module = copy_string(tf->module))))
            *nomem = 1;
    }
    return *nomem ? NULL : stack;
}

static struct lw_thread *thread_by_tid(struct lw_detector *d, int32_t pid, int32_t tid)
{
    if (tid == 0) return NULL;
    for (size_t i = 0; i < d->report.nthreads; i++) {
        struct lw_thread *t = d->report.threads[i];
        if (t->pid == pid && t->tid == tid) return t;
    }
    return NULL;
}

/* lockwatch's thread for TSan's "T2": TSan names the kernel tid in its thread descriptions, and
 * the main thread's tid is the pid. */
static struct lw_thread *thread_of_tsan(struct lw_detector *d, const struct lw_tsan_report *r,
                                        const char *tsan_thread)
{
    if (!tsan_thread) return NULL;
    if (strcmp(tsan_thread, "T0") == 0) return thread_by_tid(d, r->pid, r->pid);
    for (size_t i = 0; i < r->nthreads; i++)
        if (r->threads[i].thread && strcmp(r->threads[i].thread, tsan_thread) == 0)
            return thread_by_tid(d, r->pid, r->threads[i].tid);
    return NULL;
}

/* A race is the same race when its accesses are of the same kinds at the same places: a hash of
 * each access's kind and the function/file/line of its frames. */
static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h;
}

static uint64_t mix_string(uint64_t h, const char *s)
{
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return mix(h, 0xff);
}

static uint64_t race_key(const struct lw_tsan_report *r)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t a = 0; a < r->naccesses; a++) {
        const struct lw_tsan_access *acc = &r->accesses[a];
        h = mix(h, (uint64_t)acc->write << 1 | acc->atomic);
        for (size_t i = 0; i < acc->stack.nframes; i++) {
            h = mix_string(h, acc->stack.frames[i].function);
            h = mix_string(h, acc->stack.frames[i].file);
            h = mix(h, (uint64_t)acc->stack.frames[i].line);
        }
    }
    return h;
}

static const char *access_label(const struct lw_tsan_access *a)
{
    if (a->previous) return a->write ? "previous write here" : "previous read here";
    return a->write ? "write here" : "read here";
}

int lw_detector_add_tsan(struct lw_detector *d, const struct lw_tsan_report *race)
{
    if (!race || !lw_tsan_is_race(race) || race->naccesses == 0) return LW_ERR_BADREC;
    uint64_t key = race_key(race), seen;
    if (lw_map_get(&d->races_seen, key, 0, &seen)) return LW_OK;
    if (lw_map_put(&d->races_seen, key, 0, 1) != 0) return LW_ERR_NOMEM;

    struct lw_thread *threads[2] = {NULL, NULL};
    size_t nthreads = 0;
    for (size_t a = 0; a < race->naccesses; a++) {
        struct lw_thread *t = thread_of_tsan(d, race, race->accesses[a].thread);
        if (t && !(nthreads == 1 && threads[0] == t)) threads[nthreads++] = t;
    }
    struct lw_finding *f =
        lw_finding_add(d, LW_KIND_DATA_RACE, race->pid, 0, nthreads, 0, race->naccesses);
    if (!f) return LW_ERR_NOMEM;
    for (size_t i = 0; i < nthreads; i++)
        f->threads[i] = threads[i];
    f->accesses = calloc(race->naccesses, sizeof *f->accesses);
    if (!f->accesses) return LW_ERR_NOMEM;
    f->naccesses = race->naccesses;
    int nomem = 0;
    for (size_t a = 0; a < race->naccesses; a++) {
        const struct lw_tsan_access *src = &race->accesses[a];
        struct lw_access *dst = &f->accesses[a];
        *dst = (struct lw_access){.write = src->write,
                                  .atomic = src->atomic,
                                  .previous = src->previous,
                                  .size = src->size,
                                  .addr = src->addr,
                                  .thread = thread_of_tsan(d, race, src->thread),
                                  .tsan_thread = copy_string(src->thread),
                                  .mutexes = copy_string(src->mutexes),
                                  .stack = named_stack(d, &src->stack, &nomem)};
        if ((src->thread && !dst->tsan_thread) || (src->mutexes && !dst->mutexes)) nomem = 1;
        f->stacks[a] = (struct lw_labelled_stack){dst->thread, access_label(src), dst->stack};
    }
    f->variable = copy_string(race->variable);
    f->location = copy_string(race->location);
    if ((race->variable && !f->variable) || (race->location && !f->location)) nomem = 1;
    return nomem ? LW_ERR_NOMEM : LW_OK;
}

static uint64_t pcs_id(const uint64_t *pcs, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = mix(h, pcs[i]);
    return h ? h : 1; /* 0 means "no stack" */
}

int lw_detector_add_hang(struct lw_detector *d, const struct lw_hung_thread *threads, size_t n,
                         bool interrupted)
{
    if (n == 0) return LW_OK;
    struct lw_finding *f = lw_finding_add(d, LW_KIND_HANG, threads[0].pid, 0, n, 0, n);
    if (!f) return LW_ERR_NOMEM;
    f->interrupted = interrupted;
    f->nthreads = 0;
    for (size_t i = 0; i < n; i++) {
        const struct lw_hung_thread *h = &threads[i];
        struct lw_process *p = lw_process_latest(d, h->pid);
        if (!p) return LW_ERR_NOMEM;
        struct lw_stack *stack = NULL;
        if (h->nframes > 0) {
            /* Threads in one C stack may run different Python code: that is part of the id. */
            uint64_t id = pcs_id(h->pcs, h->nframes);
            for (size_t k = 0; k < h->npy; k++)
                id = mix(mix(id, h->py[k].code), (uint64_t)h->py[k].line << 8 | h->py[k].flags);
            id = id ? id : 1;
            int nomem = 0;
            if (lw_depot_fill(&d->depot, p->image, id, h->pcs, h->nframes) != 0 ||
                !(stack = lw_depot_get(&d->depot, p->image, id, &nomem)) ||
                ((h->npy || h->py_flags) &&
                 lw_python_stack_set(stack, h->py, h->npy, h->py_flags) != LW_OK))
                return LW_ERR_NOMEM;
        }
        struct lw_thread *t = thread_by_tid(d, h->pid, h->tid);
        if (!t && h->tid == h->pid) {
            /* The main thread (its tid is the pid) has number 0 even if it sent no record. */
            struct lw_rec_header main_thread = {.pid = h->pid, .tid = h->tid, .thread = 0};
            if (!(t = lw_thread_of(d, &main_thread))) return LW_ERR_NOMEM;
        }
        if (t) f->threads[f->nthreads++] = t;
        f->stacks[i] = (struct lw_labelled_stack){
            t, t ? "is here" : "(a thread lockwatch never saw) is here", stack};
    }
    return lw_deadlock_describe_blocked(d, f);
}
