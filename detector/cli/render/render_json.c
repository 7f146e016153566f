/* render_json.c — the report for programs: one pretty-printed JSON document (json-c) whose field
 * names are a stable contract, described field by field in docs/report-format.md. Within schema
 * 1 fields are only ever added; unknown values are JSON null, never omitted. */
#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "lockwatch/wire.h"
#include "render/json_doc.h"
#include "render/profile_view.h"
#include "render/render_common.h"
#include "render/schedule_text.h"
#include "triage/fingerprint.h"

#define LWD_JSON_SCHEMA 1

/* json-c returns NULL when out of memory; the builder notes it once and the render fails. */
struct json {
    const struct lw_report *report;
    const struct lwd_triage *triage; /* NULL: no suppressions, no baseline */
    bool multi_process;
    bool races_checked;
    bool failed;
};

static json_object *jaddress(struct json *j, uint64_t addr)
{
    char buf[32];
    snprintf(buf, sizeof buf, "0x%" PRIx64, addr);
    return lwd_json_string_or_null(&j->failed, buf);
}

static json_object *jthread_id(struct json *j, const struct lw_thread *t)
{
    char buf[48];
    return t != NULL ? lwd_json_string_or_null(&j->failed,
                                               lw_thread_id(t, j->multi_process, buf, sizeof buf))
                     : NULL;
}

static json_object *jframe(struct json *j, const struct lw_frame *f)
{
    json_object *o = lwd_json_checked(&j->failed, json_object_new_object());
    lwd_json_set_or_null(&j->failed, o, "function",
                         lwd_json_string_or_null(&j->failed, f->function));
    lwd_json_set_or_null(&j->failed, o, "file", lwd_json_string_or_null(&j->failed, f->file));
    lwd_json_set_or_null(&j->failed, o, "line",
                         f->line > 0 ? lwd_json_checked(&j->failed, json_object_new_int(f->line))
                                     : NULL);
    lwd_json_set_or_null(&j->failed, o, "module", lwd_json_string_or_null(&j->failed, f->module));
    lwd_json_set_or_null(&j->failed, o, "address", f->python ? NULL : jaddress(j, f->pc));
    if (f->python)
        lwd_json_set_or_null(&j->failed, o, "language",
                             lwd_json_string_or_null(&j->failed, "python"));
    if (f->inlined)
        lwd_json_set_or_null(&j->failed, o, "inlined",
                             lwd_json_checked(&j->failed, json_object_new_boolean(true)));
    return o;
}

/* An array of frames, innermost first; null when the stack never arrived. */
static json_object *jstack(struct json *j, const struct lw_stack *s)
{
    if (s == NULL || s->frames == NULL) return NULL;
    json_object *a = lwd_json_checked(&j->failed, json_object_new_array());
    for (size_t i = 0; i < s->nframes; i++)
        lwd_json_push(&j->failed, a, jframe(j, &s->frames[i]));
    return a;
}

static json_object *jlock(struct json *j, const struct lw_lock *l)
{
    char id[32];
    json_object *o = lwd_json_checked(&j->failed, json_object_new_object());
    lwd_json_set_or_null(&j->failed, o, "id",
                         lwd_json_string_or_null(&j->failed, lw_lock_id(l, id, sizeof id)));
    lwd_json_set_or_null(&j->failed, o, "name", lwd_json_string_or_null(&j->failed, l->name));
    lwd_json_set_or_null(&j->failed, o, "address", jaddress(j, l->addr));
    lwd_json_set_or_null(&j->failed, o, "type",
                         lwd_json_string_or_null(&j->failed, lwd_lock_type_name(l->type)));
    lwd_json_set_or_null(&j->failed, o, "recursive",
                         lwd_json_checked(&j->failed, json_object_new_boolean(
                                                          (l->flags & LW_LOCKF_RECURSIVE) != 0)));
    return o;
}

static json_object *jthread(struct json *j, const struct lw_thread *t)
{
    json_object *o = lwd_json_checked(&j->failed, json_object_new_object());
    lwd_json_set_or_null(&j->failed, o, "id", jthread_id(j, t));
    lwd_json_set_or_null(&j->failed, o, "name", lwd_json_string_or_null(&j->failed, t->label));
    lwd_json_set_or_null(&j->failed, o, "created_at", jstack(j, t->created));
    return o;
}

/* e: the edge; places: the other places its locks were taken in that order, or NULL. */
static json_object *jedge(struct json *j, const struct lw_cycle_edge *e,
                          const struct lw_edge_places *places)
{
    char id[32];
    json_object *o = lwd_json_checked(&j->failed, json_object_new_object());
    lwd_json_set_or_null(&j->failed, o, "thread", jthread_id(j, e->thread));
    lwd_json_set_or_null(
        &j->failed, o, "holding",
        e->holding ? lwd_json_string_or_null(&j->failed, lw_lock_id(e->holding, id, sizeof id))
                   : NULL);
    lwd_json_set_or_null(
        &j->failed, o, "acquiring",
        e->acquiring ? lwd_json_string_or_null(&j->failed, lw_lock_id(e->acquiring, id, sizeof id))
                     : NULL);
    lwd_json_set_or_null(&j->failed, o, "holding_mode",
                         lwd_json_string_or_null(&j->failed, lwd_mode_name(e->holding_mode)));
    lwd_json_set_or_null(&j->failed, o, "acquiring_mode",
                         lwd_json_string_or_null(&j->failed, lwd_mode_name(e->acquiring_mode)));
    lwd_json_set_or_null(&j->failed, o, "holding_stack", jstack(j, e->holding_stack));
    lwd_json_set_or_null(&j->failed, o, "acquiring_stack", jstack(j, e->acquiring_stack));
    json_object *also = lwd_json_checked(&j->failed, json_object_new_array());
    for (size_t k = 0; places != NULL && k < places->n; k++) {
        json_object *place = lwd_json_checked(&j->failed, json_object_new_object());
        lwd_json_set_or_null(&j->failed, place, "holding_stack",
                             jstack(j, places->pairs[k].holding));
        lwd_json_set_or_null(&j->failed, place, "acquiring_stack",
                             jstack(j, places->pairs[k].acquiring));
        lwd_json_push(&j->failed, also, place);
    }
    lwd_json_set_or_null(&j->failed, o, "also", also);
    return o;
}

static json_object *jlabelled(struct json *j, const struct lw_labelled_stack *s)
{
    json_object *o = lwd_json_checked(&j->failed, json_object_new_object());
    lwd_json_set_or_null(&j->failed, o, "thread", jthread_id(j, s->thread));
    lwd_json_set_or_null(&j->failed, o, "label", lwd_json_string_or_null(&j->failed, s->label));
    lwd_json_set_or_null(&j->failed, o, "frames", jstack(j, s->stack));
    return o;
}

/* "lock", "join", "condition", "semaphore", "barrier": what a deadlocked thread waits on. */
static const char *wait_kind_name(uint8_t kind)
{
    switch ((enum lw_wait_kind)kind) {
    case LW_WAIT_LOCK:
        return "lock";
    case LW_WAIT_JOIN:
        return "join";
    case LW_WAIT_COND:
        return "condition";
    case LW_WAIT_SEM:
        return "semaphore";
    case LW_WAIT_BARRIER:
        return "barrier";
    case LW_WAIT_CHILD:
        return "child";
    case LW_WAIT_COND_DESTROY:
        return "condition-destroy";
    case LW_WAIT_NONE:
        break;
    }
    return NULL;
}

/* "before-wait", "during-wait", "never", "unknown" for a condition or semaphore wait, else
 * NULL. */
static const char *last_signal_name(const struct lw_thread_wait *w)
{
    if (w->kind != LW_WAIT_COND && w->kind != LW_WAIT_SEM) return NULL;
    switch ((enum lw_last_signal)w->last_signal) {
    case LW_SIGNAL_UNKNOWN:
        return "unknown";
    case LW_SIGNAL_NEVER:
        return "never";
    case LW_SIGNAL_BEFORE:
        return "before-wait";
    case LW_SIGNAL_DURING:
        return "during-wait";
    }
    return NULL;
}

static json_object *jheld(struct json *j, const struct lw_held_info *h)
{
    char id[32];
    json_object *o = lwd_json_checked(&j->failed, json_object_new_object());
    lwd_json_set_or_null(&j->failed, o, "lock",
                         lwd_json_string_or_null(&j->failed, lw_lock_id(h->lock, id, sizeof id)));
    lwd_json_set_or_null(&j->failed, o, "mode",
                         lwd_json_string_or_null(&j->failed, lwd_mode_name(h->mode)));
    lwd_json_set_or_null(&j->failed, o, "stack", jstack(j, h->stack));
    return o;
}

/* One thread of a deadlock: what it waits for, where, and what it holds. */
static json_object *jwait(struct json *j, const struct lw_thread_wait *w)
{
    char id[32];
    json_object *o = lwd_json_checked(&j->failed, json_object_new_object());
    lwd_json_set_or_null(&j->failed, o, "thread", jthread_id(j, w->thread));
    lwd_json_set_or_null(&j->failed, o, "kind",
                         lwd_json_string_or_null(&j->failed, wait_kind_name(w->kind)));
    lwd_json_set_or_null(
        &j->failed, o, "lock",
        w->lock ? lwd_json_string_or_null(&j->failed, lw_lock_id(w->lock, id, sizeof id)) : NULL);
    lwd_json_set_or_null(&j->failed, o, "mode",
                         w->kind == LW_WAIT_LOCK
                             ? lwd_json_string_or_null(&j->failed, lwd_mode_name(w->mode))
                             : NULL);
    bool has_object = w->kind == LW_WAIT_COND || w->kind == LW_WAIT_SEM ||
                      w->kind == LW_WAIT_BARRIER || w->kind == LW_WAIT_COND_DESTROY || w->condwait;
    char pid[32];
    snprintf(pid, sizeof pid, "%lld", (long long)(int64_t)w->object);
    lwd_json_set_or_null(&j->failed, o, "object",
                         has_object                 ? jaddress(j, w->object)
                         : w->kind == LW_WAIT_CHILD ? lwd_json_string_or_null(&j->failed, pid)
                                                    : NULL);
    lwd_json_set_or_null(&j->failed, o, "object_name",
                         has_object ? lwd_json_string_or_null(&j->failed, w->object_name) : NULL);
    lwd_json_set_or_null(&j->failed, o, "waits_for", jthread_id(j, w->waits_for));
    lwd_json_set_or_null(&j->failed, o, "holder_ended",
                         lwd_json_checked(&j->failed, json_object_new_boolean(w->holder_ended)));
    lwd_json_set_or_null(&j->failed, o, "in_condition_wait",
                         lwd_json_checked(&j->failed, json_object_new_boolean(w->condwait)));
    lwd_json_set_or_null(&j->failed, o, "stack", jstack(j, w->stack));
    lwd_json_set_or_null(&j->failed, o, "last_signal",
                         lwd_json_string_or_null(&j->failed, last_signal_name(w)));
    lwd_json_set_or_null(&j->failed, o, "signalled_by", jthread_id(j, w->signalled_by));
    lwd_json_set_or_null(&j->failed, o, "signal_stack", jstack(j, w->signal_stack));
    json_object *held = lwd_json_checked(&j->failed, json_object_new_array());
    for (size_t k = 0; k < w->nheld; k++)
        lwd_json_push(&j->failed, held, jheld(j, &w->held[k]));
    lwd_json_set_or_null(&j->failed, o, "held", held);
    return o;
}

/* index: the finding's place in the report, for the baseline flag. */
/* TSan's "write M0, read M1" as ["write M0", "read M1"]; [] when no lock was held. */
static json_object *jmutexes(struct json *j, const char *mutexes)
{
    json_object *a = lwd_json_checked(&j->failed, json_object_new_array());
    for (const char *p = mutexes; p != NULL && *p != '\0';) {
        size_t len = strcspn(p, ",");
        json_object *one = lwd_json_checked(&j->failed, json_object_new_string_len(p, (int)len));
        lwd_json_push(&j->failed, a, one);
        p += len;
        p += strspn(p, ", ");
    }
    return a;
}

/* One access of a data race (ThreadSanitizer's description of it). */
static json_object *jaccess(struct json *j, const struct lw_access *a)
{
    json_object *o = lwd_json_checked(&j->failed, json_object_new_object());
    lwd_json_set_or_null(&j->failed, o, "thread", jthread_id(j, a->thread));
    lwd_json_set_or_null(&j->failed, o, "tsan_thread",
                         lwd_json_string_or_null(&j->failed, a->tsan_thread));
    lwd_json_set_or_null(&j->failed, o, "kind",
                         lwd_json_string_or_null(&j->failed, a->write ? "write" : "read"));
    lwd_json_set_or_null(&j->failed, o, "atomic",
                         lwd_json_checked(&j->failed, json_object_new_boolean(a->atomic)));
    lwd_json_set_or_null(&j->failed, o, "previous",
                         lwd_json_checked(&j->failed, json_object_new_boolean(a->previous)));
    lwd_json_set_or_null(&j->failed, o, "size",
                         lwd_json_checked(&j->failed, json_object_new_uint64(a->size)));
    lwd_json_set_or_null(&j->failed, o, "address", jaddress(j, a->addr));
    lwd_json_set_or_null(&j->failed, o, "mutexes", jmutexes(j, a->mutexes));
    lwd_json_set_or_null(&j->failed, o, "stack", jstack(j, a->stack));
    return o;
}

/* A grouped finding's example lock sets: {"locks": [...]} per instance kept. */
static json_object *jexamples(struct json *j, const struct lw_finding *f)
{
    json_object *a = lwd_json_checked(&j->failed, json_object_new_array());
    for (size_t e = 0; e < f->nexamples; e++) {
        json_object *ex = lwd_json_checked(&j->failed, json_object_new_object());
        json_object *locks = lwd_json_checked(&j->failed, json_object_new_array());
        for (size_t k = 0; k < f->examples[e].nlocks; k++)
            lwd_json_push(&j->failed, locks, jlock(j, f->examples[e].locks[k]));
        lwd_json_set_or_null(&j->failed, ex, "locks", locks);
        lwd_json_push(&j->failed, a, ex);
    }
    return a;
}

/* The orderings that made a lock-order inversion "ordered": who came first, then, the steps
 * (creates, joins and barrier rounds, earliest first) and the sentence the text report prints. */
static json_object *jordered_by(struct json *j, const struct lw_finding *f)
{
    json_object *a = lwd_json_checked(&j->failed, json_object_new_array());
    for (size_t i = 0; i < f->nordered; i++) {
        const struct lw_ordering *o = &f->ordered_by[i];
        json_object *e = lwd_json_checked(&j->failed, json_object_new_object());
        lwd_json_set_or_null(&j->failed, e, "first", jthread_id(j, o->first));
        lwd_json_set_or_null(&j->failed, e, "then", jthread_id(j, o->then));
        json_object *steps = lwd_json_checked(&j->failed, json_object_new_array());
        for (size_t k = 0; k < o->nsteps; k++) {
            json_object *s = lwd_json_checked(&j->failed, json_object_new_object());
            lwd_json_set_or_null(
                &j->failed, s, "kind",
                lwd_json_string_or_null(&j->failed, lwd_order_step_name(o->steps[k].kind)));
            lwd_json_set_or_null(&j->failed, s, "from", jthread_id(j, o->steps[k].from));
            lwd_json_set_or_null(&j->failed, s, "to", jthread_id(j, o->steps[k].to));
            lwd_json_set_or_null(&j->failed, s, "stack", jstack(j, o->steps[k].stack));
            if (o->steps[k].kind == LW_ORDER_SEM_POST || o->steps[k].kind == LW_ORDER_SEM_WAIT)
                lwd_json_set_or_null(
                    &j->failed, s, "semaphore",
                    o->steps[k].object_name
                        ? lwd_json_string_or_null(&j->failed, o->steps[k].object_name)
                        : jaddress(j, o->steps[k].object));
            if (o->steps[k].kind == LW_ORDER_BARRIER)
                lwd_json_set_or_null(
                    &j->failed, s, "barrier",
                    o->steps[k].object_name
                        ? lwd_json_string_or_null(&j->failed, o->steps[k].object_name)
                        : jaddress(j, o->steps[k].object));
            lwd_json_push(&j->failed, steps, s);
        }
        lwd_json_set_or_null(&j->failed, e, "steps", steps);
        if (o->note)
            lwd_json_set_or_null(&j->failed, e, "note",
                                 lwd_json_checked(&j->failed, json_object_new_boolean(true)));
        if (o->copied != NULL) {
            char id[32];
            lwd_json_set_or_null(
                &j->failed, e, "separate_copies",
                lwd_json_string_or_null(&j->failed, lw_lock_id(o->copied, id, sizeof id)));
        }
        char *text = lwd_ordering_text(o, j->multi_process);
        if (text == NULL) j->failed = true;
        lwd_json_set_or_null(&j->failed, e, "text", lwd_json_string_or_null(&j->failed, text));
        free(text);
        lwd_json_push(&j->failed, a, e);
    }
    return a;
}

static json_object *jfinding(struct json *j, const struct lw_finding *f, size_t index)
{
    json_object *o = lwd_json_checked(&j->failed, json_object_new_object());
    char *msg = lwd_finding_message(f, j->multi_process);
    if (msg == NULL) j->failed = true;
    char fingerprint[LWD_FINGERPRINT_LEN];
    if (lwd_fingerprint(f, fingerprint) != 0) j->failed = true;
    bool known = j->triage != NULL && j->triage->known != NULL && j->triage->known[index];
    lwd_json_set_or_null(&j->failed, o, "id",
                         lwd_json_checked(&j->failed, json_object_new_int64(f->id)));
    lwd_json_set_or_null(&j->failed, o, "kind",
                         lwd_json_string_or_null(&j->failed, lw_kind_name(f->kind)));
    lwd_json_set_or_null(&j->failed, o, "message", lwd_json_string_or_null(&j->failed, msg));
    free(msg);
    lwd_json_set_or_null(&j->failed, o, "single_thread",
                         lwd_json_checked(&j->failed, json_object_new_boolean(f->single_thread)));
    if (f->kind == LW_KIND_LOCK_ORDER_INVERSION && f->schedule != LW_SCHEDULE_NONE) {
        lwd_json_set_or_null(&j->failed, o, "schedule",
                             lwd_json_string_or_null(&j->failed, lwd_schedule_name(f->schedule)));
        /* concurrent findings carry only notes (a semaphore hand-over) there */
        if (f->schedule == LW_SCHEDULE_ORDERED || f->nordered > 0)
            lwd_json_set_or_null(&j->failed, o, "ordered_by", jordered_by(j, f));
    }
    if (f->confirmation.status != LW_CONFIRM_NONE) {
        const struct lw_confirmation *c = &f->confirmation;
        json_object *conf = lwd_json_checked(&j->failed, json_object_new_object());
        lwd_json_set_or_null(&j->failed, conf, "status",
                             lwd_json_string_or_null(&j->failed, lwd_confirm_name(c->status)));
        lwd_json_set_or_null(&j->failed, conf, "attempt",
                             c->status == LW_CONFIRM_REPRODUCED
                                 ? lwd_json_checked(&j->failed, json_object_new_int64(c->attempt))
                                 : NULL);
        lwd_json_set_or_null(&j->failed, conf, "attempts",
                             lwd_json_checked(&j->failed, json_object_new_int64(c->attempts)));
        lwd_json_set_or_null(&j->failed, conf, "reason",
                             lwd_json_string_or_null(&j->failed, c->reason));
        lwd_json_set_or_null(&j->failed, conf, "replay",
                             c->replay != NULL ? lwd_json_string_or_null(&j->failed, c->replay)
                                               : NULL);
        lwd_json_set_or_null(&j->failed, o, "confirmation", conf);
    }
    lwd_json_set_or_null(&j->failed, o, "pid",
                         lwd_json_checked(&j->failed, json_object_new_int(f->pid)));
    json_object *locks = lwd_json_checked(&j->failed, json_object_new_array());
    for (size_t k = 0; k < f->nlocks; k++)
        lwd_json_push(&j->failed, locks, jlock(j, f->locks[k]));
    lwd_json_set_or_null(&j->failed, o, "locks", locks);
    json_object *threads = lwd_json_checked(&j->failed, json_object_new_array());
    for (size_t k = 0; k < f->nthreads; k++)
        lwd_json_push(&j->failed, threads, jthread(j, f->threads[k]));
    lwd_json_set_or_null(&j->failed, o, "threads", threads);
    json_object *cycle = lwd_json_checked(&j->failed, json_object_new_array());
    for (size_t e = 0; e < f->ncycle; e++)
        lwd_json_push(&j->failed, cycle, jedge(j, &f->cycle[e], f->places ? &f->places[e] : NULL));
    lwd_json_set_or_null(&j->failed, o, "cycle", cycle);
    json_object *stacks = lwd_json_checked(&j->failed, json_object_new_array());
    for (size_t k = 0; k < f->nstacks; k++)
        lwd_json_push(&j->failed, stacks, jlabelled(j, &f->stacks[k]));
    lwd_json_set_or_null(&j->failed, o, "stacks", stacks);
    json_object *accesses = lwd_json_checked(&j->failed, json_object_new_array());
    for (size_t k = 0; k < f->naccesses; k++)
        lwd_json_push(&j->failed, accesses, jaccess(j, &f->accesses[k]));
    lwd_json_set_or_null(&j->failed, o, "accesses", accesses);
    json_object *waits = lwd_json_checked(&j->failed, json_object_new_array());
    for (size_t k = 0; k < f->nwaits; k++)
        lwd_json_push(&j->failed, waits, jwait(j, &f->waits[k]));
    lwd_json_set_or_null(&j->failed, o, "waits", waits);
    lwd_json_set_or_null(&j->failed, o, "stuck",
                         lwd_json_checked(&j->failed, json_object_new_boolean(f->stuck)));
    lwd_json_set_or_null(&j->failed, o, "inversion",
                         lwd_json_checked(&j->failed, json_object_new_boolean(f->inversion)));
    lwd_json_set_or_null(
        &j->failed, o, "instances",
        lwd_json_checked(&j->failed, json_object_new_uint64(lw_finding_instances(f))));
    lwd_json_set_or_null(&j->failed, o, "examples", jexamples(j, f));
    json_object *distinct = lwd_json_checked(&j->failed, json_object_new_array());
    for (size_t k = 0; k < f->ndistinct_stacks; k++)
        lwd_json_push_or_null(&j->failed, distinct, jstack(j, f->distinct_stacks[k]));
    lwd_json_set_or_null(&j->failed, o, "distinct_stacks", distinct);
    lwd_json_set_or_null(&j->failed, o, "variable",
                         lwd_json_string_or_null(&j->failed, f->variable));
    lwd_json_set_or_null(&j->failed, o, "location",
                         lwd_json_string_or_null(&j->failed, f->location));
    lwd_json_set_or_null(&j->failed, o, "fingerprint",
                         lwd_json_string_or_null(&j->failed, fingerprint));
    lwd_json_set_or_null(&j->failed, o, "baseline",
                         lwd_json_checked(&j->failed, json_object_new_boolean(known)));
    return o;
}

/* --profile: every timed lock, most waited-for first (docs/report-format.md "profile"). */
static json_object *jprofile(struct json *j)
{
    size_t n = 0;
    const struct lw_lock **locks = lwd_profile_sorted(j->report, &n);
    json_object *a = lwd_json_checked(&j->failed, json_object_new_array());
    if (locks == NULL && n > 0) j->failed = true;
    for (size_t i = 0; locks != NULL && i < n; i++) {
        const struct lw_lock_profile *p = lw_profile_of(j->report, locks[i]);
        char id[32];
        json_object *o = lwd_json_checked(&j->failed, json_object_new_object());
        lwd_json_set_or_null(
            &j->failed, o, "lock",
            lwd_json_string_or_null(&j->failed, lw_lock_id(locks[i], id, sizeof id)));
        lwd_json_set_or_null(&j->failed, o, "name",
                             lwd_json_string_or_null(&j->failed, locks[i]->name));
        lwd_json_set_or_null(
            &j->failed, o, "type",
            lwd_json_string_or_null(&j->failed, lwd_lock_type_name(locks[i]->type)));
        lwd_json_set_or_null(&j->failed, o, "acquisitions",
                             lwd_json_checked(&j->failed, json_object_new_uint64(p->acquisitions)));
        lwd_json_set_or_null(&j->failed, o, "contended",
                             lwd_json_checked(&j->failed, json_object_new_uint64(p->contended)));
        lwd_json_set_or_null(
            &j->failed, o, "wait_total_ns",
            lwd_json_checked(&j->failed, json_object_new_uint64(p->wait_total_ns)));
        lwd_json_set_or_null(&j->failed, o, "wait_max_ns",
                             lwd_json_checked(&j->failed, json_object_new_uint64(p->wait_max_ns)));
        lwd_json_set_or_null(
            &j->failed, o, "hold_total_ns",
            lwd_json_checked(&j->failed, json_object_new_uint64(p->hold_total_ns)));
        lwd_json_set_or_null(&j->failed, o, "hold_max_ns",
                             lwd_json_checked(&j->failed, json_object_new_uint64(p->hold_max_ns)));
        lwd_json_push(&j->failed, a, o);
    }
    free(locks);
    return a;
}

/* runs[].stop_reason: why lockwatch ended the run itself (docs/report-format.md). */
static const char *stop_reason_name(enum lwd_stop_reason reason)
{
    switch (reason) {
    case LWD_STOP_NONE:
        return NULL;
    case LWD_STOP_DEADLOCK:
        return "deadlock";
    case LWD_STOP_DOUBLE_LOCK:
        return "double-lock";
    case LWD_STOP_TIMEOUT:
        return "timeout";
    case LWD_STOP_INTERRUPTED:
        return "interrupted";
    }
    return NULL;
}

/* The run: the program lockwatch started and how it ended. */
static json_object *jruns(struct json *j, const struct lwd_render_input *in)
{
    json_object *runs = lwd_json_checked(&j->failed, json_object_new_array());
    if (in->outcome == NULL) return runs;
    json_object *run = lwd_json_checked(&j->failed, json_object_new_object());
    lwd_json_set_or_null(&j->failed, run, "pid",
                         lwd_json_checked(&j->failed, json_object_new_int(in->outcome->pid)));
    json_object *argv = lwd_json_checked(&j->failed, json_object_new_array());
    for (int i = 0;
         in->options != NULL && in->options->argv != NULL && in->options->argv[i] != NULL; i++)
        lwd_json_push(&j->failed, argv, lwd_json_string_or_null(&j->failed, in->options->argv[i]));
    lwd_json_set_or_null(&j->failed, run, "argv", argv);
    bool signalled = in->outcome->signal != 0;
    lwd_json_set_or_null(
        &j->failed, run, "exit_code",
        signalled ? NULL
                  : lwd_json_checked(&j->failed, json_object_new_int(in->outcome->exit_code)));
    lwd_json_set_or_null(
        &j->failed, run, "signal",
        signalled ? lwd_json_checked(&j->failed, json_object_new_int(in->outcome->signal)) : NULL);
    lwd_json_set_or_null(
        &j->failed, run, "stopped",
        lwd_json_checked(&j->failed, json_object_new_boolean(in->outcome->stopped)));
    lwd_json_set_or_null(
        &j->failed, run, "stop_reason",
        in->outcome->stopped
            ? lwd_json_string_or_null(&j->failed, stop_reason_name(in->outcome->stop_reason))
            : NULL);
    lwd_json_push(&j->failed, runs, run);
    return runs;
}

static json_object *jsummary(struct json *j)
{
    const struct lw_report *r = j->report;
    json_object *o = lwd_json_checked(&j->failed, json_object_new_object());
    size_t count[LW_KIND_COUNT] = {0};
    for (size_t i = 0; i < r->nfindings; i++)
        count[r->findings[i]->kind]++;
    lwd_json_set_or_null(&j->failed, o, "findings",
                         lwd_json_checked(&j->failed, json_object_new_uint64(r->nfindings)));
    json_object *by_kind = lwd_json_checked(&j->failed, json_object_new_object());
    for (int k = 0; k < LW_KIND_COUNT; k++)
        lwd_json_set_or_null(&j->failed, by_kind, lw_kind_name((enum lw_finding_kind)k),
                             lwd_json_checked(&j->failed, json_object_new_uint64(count[k])));
    lwd_json_set_or_null(&j->failed, o, "by_kind", by_kind);
    lwd_json_set_or_null(&j->failed, o, "locks",
                         lwd_json_checked(&j->failed, json_object_new_uint64(lwd_locks_seen(r))));
    lwd_json_set_or_null(&j->failed, o, "lone_locks",
                         lwd_json_checked(&j->failed, json_object_new_uint64(r->nlone_locks)));
    lwd_json_set_or_null(&j->failed, o, "threads",
                         lwd_json_checked(&j->failed, json_object_new_uint64(r->nthreads)));
    lwd_json_set_or_null(&j->failed, o, "processes",
                         lwd_json_checked(&j->failed, json_object_new_uint64(r->nprocesses)));
    lwd_json_set_or_null(
        &j->failed, o, "forked",
        lwd_json_checked(&j->failed, json_object_new_uint64(lwd_forked_processes(r))));
    json_object *overflows = lwd_json_checked(&j->failed, json_object_new_array());
    for (size_t i = 0; i < r->noverflows; i++) {
        json_object *ov = lwd_json_checked(&j->failed, json_object_new_object());
        lwd_json_set_or_null(
            &j->failed, ov, "pid",
            lwd_json_checked(&j->failed, json_object_new_int(r->overflows[i].pid)));
        lwd_json_set_or_null(
            &j->failed, ov, "table",
            lwd_json_string_or_null(&j->failed, lwd_overflow_table_name(r->overflows[i].table)));
        lwd_json_set_or_null(
            &j->failed, ov, "limit",
            lwd_json_checked(&j->failed, json_object_new_uint64(r->overflows[i].limit)));
        lwd_json_push(&j->failed, overflows, ov);
    }
    lwd_json_set_or_null(&j->failed, o, "overflows", overflows);
    json_object *python = lwd_json_checked(&j->failed, json_object_new_array());
    for (size_t i = 0; i < r->nimages; i++) {
        const struct lw_image *img = &r->images[i];
        if (!img->python) continue;
        char buf[32];
        json_object *py = lwd_json_checked(&j->failed, json_object_new_object());
        lwd_json_set_or_null(&j->failed, py, "exe", lwd_json_string_or_null(&j->failed, img->exe));
        lwd_json_set_or_null(
            &j->failed, py, "version",
            lwd_json_string_or_null(&j->failed,
                                    lwd_python_version(img->python_version, buf, sizeof buf)));
        lwd_json_set_or_null(
            &j->failed, py, "frames",
            lwd_json_checked(&j->failed, json_object_new_boolean(img->python_supported)));
        lwd_json_push(&j->failed, python, py);
    }
    lwd_json_set_or_null(&j->failed, o, "python", python);
    lwd_json_set_or_null(&j->failed, o, "bad_records",
                         lwd_json_checked(&j->failed, json_object_new_uint64(r->bad_records)));
    lwd_json_set_or_null(
        &j->failed, o, "cycle_searches_stopped",
        lwd_json_checked(&j->failed, json_object_new_uint64(r->cycle_searches_stopped)));
    lwd_json_set_or_null(&j->failed, o, "races_checked",
                         lwd_json_checked(&j->failed, json_object_new_boolean(j->races_checked)));
    size_t known = j->triage != NULL ? j->triage->known_count : 0;
    lwd_json_set_or_null(
        &j->failed, o, "suppressed",
        lwd_json_checked(&j->failed,
                         json_object_new_uint64(j->triage != NULL ? j->triage->suppressed : 0)));
    lwd_json_set_or_null(
        &j->failed, o, "new",
        lwd_json_checked(&j->failed, json_object_new_uint64(r->nfindings - known)));
    lwd_json_set_or_null(&j->failed, o, "known",
                         lwd_json_checked(&j->failed, json_object_new_uint64(known)));
    return o;
}

int lwd_render_json(FILE *out, const struct lwd_render_input *in)
{
    struct json j = {
        .report = in->report, .triage = in->triage, .multi_process = lwd_multi_process(in->report)};
    j.races_checked = in->races_checked;
    json_object *root = lwd_json_checked(&j.failed, json_object_new_object());
    lwd_json_set_or_null(&j.failed, root, "tool", lwd_json_string_or_null(&j.failed, "lockwatch"));
    lwd_json_set_or_null(&j.failed, root, "version",
                         lwd_json_string_or_null(&j.failed, LOCKWATCH_VERSION));
    lwd_json_set_or_null(&j.failed, root, "schema",
                         lwd_json_checked(&j.failed, json_object_new_int(LWD_JSON_SCHEMA)));
    lwd_json_set_or_null(&j.failed, root, "runs", jruns(&j, in));
    json_object *findings = lwd_json_checked(&j.failed, json_object_new_array());
    for (size_t i = 0; i < in->report->nfindings; i++)
        lwd_json_push(&j.failed, findings, jfinding(&j, in->report->findings[i], i));
    lwd_json_set_or_null(&j.failed, root, "findings", findings);
    /* null without --profile (fields are never omitted) */
    lwd_json_set_or_null(&j.failed, root, "profile",
                         in->options != NULL && in->options->profile ? jprofile(&j) : NULL);
    lwd_json_set_or_null(&j.failed, root, "summary", jsummary(&j));
    return lwd_json_write_document(out, root, !j.failed);
}
