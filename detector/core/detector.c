/* detector.c — the detector's public entry points (detector.h): validate each record, then hand
 * it to the part of the state it updates. */
#include <stdlib.h>
#include <string.h>

#include "state.h"

struct lw_detector *lw_detector_new(const struct lw_detector_options *opts)
{
    struct lw_detector *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->graph = lw_graph_new(opts ? opts->cycle_search_budget : 0);
    d->max_trace_holds = opts ? opts->max_trace_holds : 0;
    if (!d->graph) {
        free(d);
        return NULL;
    }
    return d;
}

static void free_interned_sites(struct lw_map *sites)
{
    for (size_t i = 0; i < sites->capacity; i++)
        if (sites->used[i]) free((void *)(uintptr_t)sites->slots[i].value);
    lw_map_free(sites);
}

void lw_detector_free(struct lw_detector *d)
{
    if (!d) return;
    struct lw_report *r = &d->report;
    for (size_t i = 0; i < r->nfindings; i++)
        lw_finding_free(r->findings[i]);
    free(r->findings);
    for (size_t i = 0; i < r->nimages; i++) {
        for (size_t m = 0; m < r->images[i].nmodules; m++)
            free((char *)r->images[i].modules[m].path);
        free(r->images[i].modules);
        free((char *)r->images[i].exe);
        lw_python_free(&r->images[i]);
    }
    free(r->images);
    free(r->processes);
    for (size_t i = 0; i < r->nprofiles; i++)
        free(r->profiles[i]);
    free(r->profiles);
    for (size_t i = 0; i < r->nlocks; i += LW_LOCK_BLOCK)
        free(r->locks[i]); /* the start of a block (state.h) */
    free(r->locks);
    for (size_t i = 0; i < r->nthreads; i++) {
        free(r->threads[i]->name);
        free(r->threads[i]);
    }
    free(r->threads);
    free(r->overflows);
    free(r->trace);
    lw_depot_free(&d->depot);
    lw_graph_free(d->graph);
    lw_map_free(&d->pids);
    free(d->process_prev);
    lw_map_free(&d->thread_keys);
    lw_lock_index_free(&d->lock_keys);
    lw_lone_locks_free(&d->lone);
    free_interned_sites(&d->sites);
    lw_map_free(&d->overflow_seen);
    lw_map_free(&d->misuse_seen);
    lw_map_free(&d->exit_held);
    lw_map_free(&d->races_seen);
    for (size_t i = 0; i < d->older_held_cap; i++)
        free(d->older_held[i].held);
    free(d->older_held);
    free(d->held_scratch);
    free(d->gate_scratch);
    lw_map_free(&d->held_seen);
    lw_group_free(d);
    lw_hb_free(&d->hb);
    lw_map_free(&d->barrier_ids);
    lw_sem_free(d);
    free(d->reaps);
    for (size_t i = 0; i < d->nplaces; i++)
        free(d->places[i]);
    free(d->places);
    free(d->robust);
    free(d->sem_edges);
    lw_map_free(&d->sem_gate_threads);
    lw_waitfor_free(d);
    free(d);
}

struct lw_report *lw_detector_report(struct lw_detector *d)
{
    struct lw_graph_stats stats;
    lw_graph_stats(d->graph, &stats);
    d->report.cycle_searches_stopped = stats.truncated;
    return &d->report;
}

int lw_detector_finish(struct lw_detector *d)
{
    int rc = lw_sem_flush(d);
    if (rc == LW_OK) rc = lw_robust_finish(d);
    if (rc == LW_OK) rc = lw_lock_order_places(d);
    return rc == LW_OK ? lw_schedule_label(d) : rc;
}

bool lw_detector_must_stop(const struct lw_detector *d)
{
    return d->must_stop;
}

static int on_stack(struct lw_detector *d, const struct lw_rec_stack *rec)
{
    struct lw_process *p = lw_process_for(d, &rec->h);
    int nomem = 0;
    struct lw_stack *stack = p ? lw_depot_get(&d->depot, p->image, rec->id, &nomem) : NULL;
    bool had_frames = stack && stack->frames;
    if (!p || lw_depot_fill(&d->depot, p->image, rec->id, rec->pcs, rec->nframes) != 0)
        return LW_ERR_NOMEM;
    /* Its addresses name the modules announced so far: a later remap does not rename it. */
    if (stack && !had_frames && stack->frames) stack->epoch = d->report.images[p->image].remaps;
    return nomem ? LW_ERR_NOMEM : LW_OK;
}

static int on_thread(struct lw_detector *d, const struct lw_rec_thread *rec)
{
    struct lw_process *p = lw_process_for(d, &rec->h);
    struct lw_thread *t = p ? lw_thread_of(d, &rec->h) : NULL;
    if (!t) return LW_ERR_NOMEM;
    int nomem = 0;
    t->parent = rec->parent_thread;
    t->start_routine = rec->start_routine;
    if (rec->created_stack)
        t->created = lw_depot_get(&d->depot, p->image, rec->created_stack, &nomem);
    if (nomem) return LW_ERR_NOMEM;
    return lw_schedule_thread(d, t, rec);
}

static int on_thread_name(struct lw_detector *d, const struct lw_rec_thread_name *rec)
{
    struct lw_thread *t = lw_thread_of(d, &rec->h);
    if (!t) return LW_ERR_NOMEM;
    size_t n = strlen(rec->name) + 1;
    char *name = malloc(n);
    if (!name) return LW_ERR_NOMEM;
    memcpy(name, rec->name, n);
    free(t->name);
    t->name = name;
    return LW_OK;
}

static int on_thread_exit(struct lw_detector *d, const struct lw_rec_thread_exit *rec)
{
    struct lw_thread *t = lw_thread_of(d, &rec->h);
    if (!t) return LW_ERR_NOMEM;
    t->exited = true;
    lw_waitfor_end(d, t);
    return lw_waitfor_thread_exit(d, t);
}

static int on_watch(struct lw_detector *d, const struct lw_rec_watch *rec)
{
    struct lw_process *p = lw_process_for(d, &rec->h);
    struct lw_thread *t = p ? lw_thread_of(d, &rec->h) : NULL;
    if (!t) return LW_ERR_NOMEM;
    /* lw_thread_of may have grown the process table: look the process up again. */
    p = lw_process_for(d, &rec->h);
    t->wait_slot = rec->slot;
    t->signal_log = rec->signals;
    t->handle = rec->handle;
    p->timer_board = rec->timers;
    return LW_OK;
}

static int on_wait_end(struct lw_detector *d, const struct lw_rec_header *h)
{
    struct lw_thread *t = lw_thread_of(d, h);
    if (!t) return LW_ERR_NOMEM;
    lw_waitfor_end(d, t);
    return LW_OK;
}

/* Applies a validated record (in d->rec). */
static int apply(struct lw_detector *d, const struct lw_rec_header *h)
{
    switch ((enum lw_rec_type)h->type) {
    case LW_REC_PROCESS:
        return lw_process_start(d, (const void *)h);
    case LW_REC_MODULE:
        return lw_module_add(d, (const void *)h);
    case LW_REC_STACK:
        return on_stack(d, (const void *)h);
    case LW_REC_THREAD:
        return on_thread(d, (const void *)h);
    case LW_REC_THREAD_NAME:
        return on_thread_name(d, (const void *)h);
    case LW_REC_THREAD_EXIT:
        return on_thread_exit(d, (const void *)h);
    case LW_REC_ACQUIRE:
        return lw_lock_order_acquire(d, (const void *)h);
    case LW_REC_WAIT:
        return lw_waitfor_wait(d, (const void *)h);
    case LW_REC_WAIT_END:
        return on_wait_end(d, h);
    case LW_REC_MISUSE:
        return lw_misuse_record(d, (const void *)h);
    case LW_REC_OVERFLOW:
        return lw_overflow_add(d, (const void *)h);
    case LW_REC_HOLDS:
        return lw_profile_holds(d, (const void *)h);
    case LW_REC_SEM_SIGNAL:
        return lw_sem_signal(d, (const void *)h);
    case LW_REC_WATCH:
        return on_watch(d, (const void *)h);
    case LW_REC_HELD:
        return lw_lock_order_held(d, (const void *)h);
    case LW_REC_JOIN:
        return lw_schedule_join(d, (const void *)h);
    case LW_REC_BARRIER:
        return lw_schedule_barrier(d, (const void *)h);
    case LW_REC_REAP:
        return lw_schedule_reap(d, (const void *)h);
    case LW_REC_SEM:
        return lw_sem_record(d, (const void *)h);
    case LW_REC_STEER:
        if (((const struct lw_rec_steer *)(const void *)h)->outcome == LW_STEER_MET)
            d->report.steer_met++;
        else
            d->report.steer_alone++;
        return LW_OK;
    case LW_REC_LOCK_SEEN:
        return lw_lock_seen(d, (const void *)h);
    case LW_REC_PYTHON:
        return lw_python_record(d, (const void *)h);
    case LW_REC_PYSTACK:
        return lw_python_stack_record(d, (const void *)h);
    case LW_REC_PYCODE:
        return lw_python_code_record(d, (const void *)h);
    case LW_REC_RING:
        break; /* lw_validate_record rejects it: the driver's channel takes it */
    }
    return LW_ERR_BADREC; /* lw_validate_record admits no other type */
}

int lw_detector_feed(struct lw_detector *d, const void *rec, size_t len)
{
    /* Copy first: the caller's buffer need not be aligned for the record's fields. */
    bool fits = rec && len <= sizeof d->rec;
    if (fits) memcpy(d->rec, rec, len);
    if (!fits || lw_validate_record(d->rec, len) != 0) {
        d->report.bad_records++;
        return LW_ERR_BADREC;
    }
    const struct lw_rec_header *h = (const struct lw_rec_header *)d->rec;
    d->record_time_ns = h->time_ns; /* findings this record adds carry its time */
    int rc = apply(d, h);
    d->record_time_ns = 0;
    if (rc != LW_OK) return rc;
    d->report.records++;
    if (h->time_ns != 0 && (d->report.first_time_ns == 0 || h->time_ns < d->report.first_time_ns))
        d->report.first_time_ns = h->time_ns;
    return rc;
}
