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

static json_object *checked(struct json *j, json_object *o)
{
    if (o == NULL) j->failed = true;
    return o;
}

/* Appends val, which may be JSON null (NULL). */
static void jpush_nullable(struct json *j, json_object *array, json_object *val)
{
    if (array == NULL || json_object_array_add(array, val) != 0) {
        j->failed = true;
        json_object_put(val);
    }
}

/* A string, or JSON null for NULL. */
static json_object *jstring(struct json *j, const char *s)
{
    return s != NULL ? checked(j, json_object_new_string(s)) : NULL;
}

static json_object *jaddress(struct json *j, uint64_t addr)
{
    char buf[32];
    snprintf(buf, sizeof buf, "0x%" PRIx64, addr);
    return jstring(j, buf);
}

/* Adds val under key; val is released when it cannot be added. */
static void jset(struct json *j, json_object *obj, const char *key, json_object *val)
{
    if (obj == NULL || json_object_object_add(obj, key, val) != 0) {
        j->failed = true;
        json_object_put(val);
    }
}

static void jpush(struct json *j, json_object *array, json_object *val)
{
    if (array == NULL || val == NULL || json_object_array_add(array, val) != 0) {
        j->failed = true;
        json_object_put(val);
    }
}

static json_object *jthread_id(struct json *j, const struct lw_thread *t)
{
    char buf[48];
    return t != NULL ? jstring(j, lw_thread_id(t, j->multi_process, buf, sizeof buf)) : NULL;
}

static json_object *jframe(struct json *j, const struct lw_frame *f)
{
    json_object *o = checked(j, json_object_new_object());
    jset(j, o, "function", jstring(j, f->function));
    jset(j, o, "file", jstring(j, f->file));
    jset(j, o, "line", f->line > 0 ? checked(j, json_object_new_int(f->line)) : NULL);
    jset(j, o, "module", jstring(j, f->module));
    jset(j, o, "address", f->python ? NULL : jaddress(j, f->pc));
    if (f->python) jset(j, o, "language", jstring(j, "python"));
    if (f->inlined) jset(j, o, "inlined", checked(j, json_object_new_boolean(true)));
    return o;
}

/* An array of frames, innermost first; null when the stack never arrived. */
static json_object *jstack(struct json *j, const struct lw_stack *s)
{
    if (s == NULL || s->frames == NULL) return NULL;
    json_object *a = checked(j, json_object_new_array());
    for (size_t i = 0; i < s->nframes; i++)
        jpush(j, a, jframe(j, &s->frames[i]));
    return a;
}

static json_object *jlock(struct json *j, const struct lw_lock *l)
{
    char id[32];
    json_object *o = checked(j, json_object_new_object());
    jset(j, o, "id", jstring(j, lw_lock_id(l, id, sizeof id)));
    jset(j, o, "name", jstring(j, l->name));
    jset(j, o, "address", jaddress(j, l->addr));
    jset(j, o, "type", jstring(j, lwd_lock_type_name(l->type)));
    jset(j, o, "recursive",
         checked(j, json_object_new_boolean((l->flags & LW_LOCKF_RECURSIVE) != 0)));
    return o;
}

static json_object *jthread(struct json *j, const struct lw_thread *t)
{
    json_object *o = checked(j, json_object_new_object());
    jset(j, o, "id", jthread_id(j, t));
    jset(j, o, "name", jstring(j, t->label));
    jset(j, o, "created_at", jstack(j, t->created));
    return o;
}

/* e: the edge; places: the other places its locks were taken in that order, or NULL. */
static json_object *jedge(struct json *j, const struct lw_cycle_edge *e,
                          const struct lw_edge_places *places)
{
    char id[32];
    json_object *o = checked(j, json_object_new_object());
    jset(j, o, "thread", jthread_id(j, e->thread));
    jset(j, o, "holding", e->holding ? jstring(j, lw_lock_id(e->holding, id, sizeof id)) : NULL);
    jset(j, o, "acquiring",
         e->acquiring ? jstring(j, lw_lock_id(e->acquiring, id, sizeof id)) : NULL);
    jset(j, o, "holding_mode", jstring(j, lwd_mode_name(e->holding_mode)));
    jset(j, o, "acquiring_mode", jstring(j, lwd_mode_name(e->acquiring_mode)));
    jset(j, o, "holding_stack", jstack(j, e->holding_stack));
    jset(j, o, "acquiring_stack", jstack(j, e->acquiring_stack));
    json_object *also = checked(j, json_object_new_array());
    for (size_t k = 0; places != NULL && k < places->n; k++) {
        json_object *place = checked(j, json_object_new_object());
        jset(j, place, "holding_stack", jstack(j, places->pairs[k].holding));
        jset(j, place, "acquiring_stack", jstack(j, places->pairs[k].acquiring));
        jpush(j, also, place);
    }
    jset(j, o, "also", also);
    return o;
}

static json_object *jlabelled(struct json *j, const struct lw_labelled_stack *s)
{
    json_object *o = checked(j, json_object_new_object());
    jset(j, o, "thread", jthread_id(j, s->thread));
    jset(j, o, "label", jstring(j, s->label));
    jset(j, o, "frames", jstack(j, s->stack));
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
    json_object *o = checked(j, json_object_new_object());
    jset(j, o, "lock", jstring(j, lw_lock_id(h->lock, id, sizeof id)));
    jset(j, o, "mode", jstring(j, lwd_mode_name(h->mode)));
    jset(j, o, "stack", jstack(j, h->stack));
    return o;
}

/* One thread of a deadlock: what it waits for, where, and what it holds. */
static json_object *jwait(struct json *j, const struct lw_thread_wait *w)
{
    char id[32];
    json_object *o = checked(j, json_object_new_object());
    jset(j, o, "thread", jthread_id(j, w->thread));
    jset(j, o, "kind", jstring(j, wait_kind_name(w->kind)));
    jset(j, o, "lock", w->lock ? jstring(j, lw_lock_id(w->lock, id, sizeof id)) : NULL);
    jset(j, o, "mode", w->kind == LW_WAIT_LOCK ? jstring(j, lwd_mode_name(w->mode)) : NULL);
    bool has_object = w->kind == LW_WAIT_COND || w->kind == LW_WAIT_SEM ||
                      w->kind == LW_WAIT_BARRIER || w->kind == LW_WAIT_COND_DESTROY || w->condwait;
    char pid[32];
    snprintf(pid, sizeof pid, "%lld", (long long)(int64_t)w->object);
    jset(j, o, "object",
         has_object                 ? jaddress(j, w->object)
         : w->kind == LW_WAIT_CHILD ? jstring(j, pid)
                                    : NULL);
    jset(j, o, "object_name", has_object ? jstring(j, w->object_name) : NULL);
    jset(j, o, "waits_for", jthread_id(j, w->waits_for));
    jset(j, o, "holder_ended", checked(j, json_object_new_boolean(w->holder_ended)));
    jset(j, o, "in_condition_wait", checked(j, json_object_new_boolean(w->condwait)));
    jset(j, o, "stack", jstack(j, w->stack));
    jset(j, o, "last_signal", jstring(j, last_signal_name(w)));
    jset(j, o, "signalled_by", jthread_id(j, w->signalled_by));
    jset(j, o, "signal_stack", jstack(j, w->signal_stack));
    json_object *held = checked(j, json_object_new_array());
    for (size_t k = 0; k < w->nheld; k++)
        jpush(j, held, jheld(j, &w->held[k]));
    jset(j, o, "held", held);
    return o;
}

/* index: the finding's place in the report, for the baseline flag. */
/* TSan's "write M0, read M1" as ["write M0", "read M1"]; [] when no lock was held. */
static json_object *jmutexes(struct json *j, const char *mutexes)
{
    json_object *a = checked(j, json_object_new_array());
    for (const char *p = mutexes; p != NULL && *p != '\0';) {
        size_t len = strcspn(p, ",");
        json_object *one = checked(j, json_object_new_string_len(p, (int)len));
        jpush(j, a, one);
        p += len;
        p += strspn(p, ", ");
    }
    return a;
}

/* One access of a data race (ThreadSanitizer's description of it). */
static json_object *jaccess(struct json *j, const struct lw_access *a)
{
    json_object *o = checked(j, json_object_new_object());
    jset(j, o, "thread", jthread_id(j, a->thread));
    jset(j, o, "tsan_thread", jstring(j, a->tsan_thread));
    jset(j, o, "kind", jstring(j, a->write ? "write" : "read"));
    jset(j, o, "atomic", checked(j, json_object_new_boolean(a->atomic)));
    jset(j, o, "previous", checked(j, json_object_new_boolean(a->previous)));
    jset(j, o, "size", checked(j, json_object_new_uint64(a->size)));
    jset(j, o, "address", jaddress(j, a->addr));
    jset(j, o, "mutexes", jmutexes(j, a->mutexes));
    jset(j, o, "stack", jstack(j, a->stack));
    return o;
}

/* A grouped finding's example lock sets: {"locks": [...]} per instance kept. */
static json_object *jexamples(struct json *j, const struct lw_finding *f)
{
    json_object *a = checked(j, json_object_new_array());
    for (size_t e = 0; e < f->nexamples; e++) {
        json_object *ex = checked(j, json_object_new_object());
        json_object *locks = checked(j, json_object_new_array());
        for (size_t k = 0; k < f->examples[e].nlocks; k++)
            jpush(j, locks, jlock(j, f->examples[e].locks[k]));
        jset(j, ex, "locks", locks);
        jpush(j, a, ex);
    }
    return a;
}

/* The orderings that made a lock-order inversion "ordered": who came first, then, the steps
 * (creates, joins and barrier rounds, earliest first) and the sentence the text report prints. */
static json_object *jordered_by(struct json *j, const struct lw_finding *f)
{
    json_object *a = checked(j, json_object_new_array());
    for (size_t i = 0; i < f->nordered; i++) {
        const struct lw_ordering *o = &f->ordered_by[i];
        json_object *e = checked(j, json_object_new_object());
        jset(j, e, "first", jthread_id(j, o->first));
        jset(j, e, "then", jthread_id(j, o->then));
        json_object *steps = checked(j, json_object_new_array());
        for (size_t k = 0; k < o->nsteps; k++) {
            json_object *s = checked(j, json_object_new_object());
            jset(j, s, "kind", jstring(j, lwd_order_step_name(o->steps[k].kind)));
            jset(j, s, "from", jthread_id(j, o->steps[k].from));
            jset(j, s, "to", jthread_id(j, o->steps[k].to));
            jset(j, s, "stack", jstack(j, o->steps[k].stack));
            if (o->steps[k].kind == LW_ORDER_SEM_POST || o->steps[k].kind == LW_ORDER_SEM_WAIT)
                jset(j, s, "semaphore",
                     o->steps[k].object_name ? jstring(j, o->steps[k].object_name)
                                             : jaddress(j, o->steps[k].object));
            if (o->steps[k].kind == LW_ORDER_BARRIER)
                jset(j, s, "barrier",
                     o->steps[k].object_name ? jstring(j, o->steps[k].object_name)
                                             : jaddress(j, o->steps[k].object));
            jpush(j, steps, s);
        }
        jset(j, e, "steps", steps);
        if (o->note) jset(j, e, "note", checked(j, json_object_new_boolean(true)));
        if (o->copied != NULL) {
            char id[32];
            jset(j, e, "separate_copies", jstring(j, lw_lock_id(o->copied, id, sizeof id)));
        }
        char *text = lwd_ordering_text(o, j->multi_process);
        if (text == NULL) j->failed = true;
        jset(j, e, "text", jstring(j, text));
        free(text);
        jpush(j, a, e);
    }
    return a;
}

static json_object *jfinding(struct json *j, const struct lw_finding *f, size_t index)
{
    json_object *o = checked(j, json_object_new_object());
    char *msg = lwd_finding_message(f, j->multi_process);
    if (msg == NULL) j->failed = true;
    char fingerprint[LWD_FINGERPRINT_LEN];
    if (lwd_fingerprint(f, fingerprint) != 0) j->failed = true;
    bool known = j->triage != NULL && j->triage->known != NULL && j->triage->known[index];
    jset(j, o, "id", checked(j, json_object_new_int64(f->id)));
    jset(j, o, "kind", jstring(j, lw_kind_name(f->kind)));
    jset(j, o, "message", jstring(j, msg));
    free(msg);
    jset(j, o, "single_thread", checked(j, json_object_new_boolean(f->single_thread)));
    if (f->kind == LW_KIND_LOCK_ORDER_INVERSION && f->schedule != LW_SCHEDULE_NONE) {
        jset(j, o, "schedule", jstring(j, lwd_schedule_name(f->schedule)));
        /* concurrent findings carry only notes (a semaphore hand-over) there */
        if (f->schedule == LW_SCHEDULE_ORDERED || f->nordered > 0)
            jset(j, o, "ordered_by", jordered_by(j, f));
    }
    if (f->confirmation.status != LW_CONFIRM_NONE) {
        const struct lw_confirmation *c = &f->confirmation;
        json_object *conf = checked(j, json_object_new_object());
        jset(j, conf, "status", jstring(j, lwd_confirm_name(c->status)));
        jset(j, conf, "attempt",
             c->status == LW_CONFIRM_REPRODUCED ? checked(j, json_object_new_int64(c->attempt))
                                                : NULL);
        jset(j, conf, "attempts", checked(j, json_object_new_int64(c->attempts)));
        jset(j, conf, "reason", jstring(j, c->reason));
        jset(j, conf, "replay", c->replay != NULL ? jstring(j, c->replay) : NULL);
        jset(j, o, "confirmation", conf);
    }
    jset(j, o, "pid", checked(j, json_object_new_int(f->pid)));
    json_object *locks = checked(j, json_object_new_array());
    for (size_t k = 0; k < f->nlocks; k++)
        jpush(j, locks, jlock(j, f->locks[k]));
    jset(j, o, "locks", locks);
    json_object *threads = checked(j, json_object_new_array());
    for (size_t k = 0; k < f->nthreads; k++)
        jpush(j, threads, jthread(j, f->threads[k]));
    jset(j, o, "threads", threads);
    json_object *cycle = checked(j, json_object_new_array());
    for (size_t e = 0; e < f->ncycle; e++)
        jpush(j, cycle, jedge(j, &f->cycle[e], f->places ? &f->places[e] : NULL));
    jset(j, o, "cycle", cycle);
    json_object *stacks = checked(j, json_object_new_array());
    for (size_t k = 0; k < f->nstacks; k++)
        jpush(j, stacks, jlabelled(j, &f->stacks[k]));
    jset(j, o, "stacks", stacks);
    json_object *accesses = checked(j, json_object_new_array());
    for (size_t k = 0; k < f->naccesses; k++)
        jpush(j, accesses, jaccess(j, &f->accesses[k]));
    jset(j, o, "accesses", accesses);
    json_object *waits = checked(j, json_object_new_array());
    for (size_t k = 0; k < f->nwaits; k++)
        jpush(j, waits, jwait(j, &f->waits[k]));
    jset(j, o, "waits", waits);
    jset(j, o, "stuck", checked(j, json_object_new_boolean(f->stuck)));
    jset(j, o, "inversion", checked(j, json_object_new_boolean(f->inversion)));
    jset(j, o, "instances", checked(j, json_object_new_uint64(lw_finding_instances(f))));
    jset(j, o, "examples", jexamples(j, f));
    json_object *distinct = checked(j, json_object_new_array());
    for (size_t k = 0; k < f->ndistinct_stacks; k++)
        jpush_nullable(j, distinct, jstack(j, f->distinct_stacks[k]));
    jset(j, o, "distinct_stacks", distinct);
    jset(j, o, "variable", jstring(j, f->variable));
    jset(j, o, "location", jstring(j, f->location));
    jset(j, o, "fingerprint", jstring(j, fingerprint));
    jset(j, o, "baseline", checked(j, json_object_new_boolean(known)));
    return o;
}

/* --profile: every timed lock, most waited-for first (docs/report-format.md "profile"). */
static json_object *jprofile(struct json *j)
{
    size_t n = 0;
    const struct lw_lock **locks = lwd_profile_sorted(j->report, &n);
    json_object *a = checked(j, json_object_new_array());
    if (locks == NULL && n > 0) j->failed = true;
    for (size_t i = 0; locks != NULL && i < n; i++) {
        const struct lw_lock_profile *p = lw_profile_of(j->report, locks[i]);
        char id[32];
        json_object *o = checked(j, json_object_new_object());
        jset(j, o, "lock", jstring(j, lw_lock_id(locks[i], id, sizeof id)));
        jset(j, o, "name", jstring(j, locks[i]->name));
        jset(j, o, "type", jstring(j, lwd_lock_type_name(locks[i]->type)));
        jset(j, o, "acquisitions", checked(j, json_object_new_uint64(p->acquisitions)));
        jset(j, o, "contended", checked(j, json_object_new_uint64(p->contended)));
        jset(j, o, "wait_total_ns", checked(j, json_object_new_uint64(p->wait_total_ns)));
        jset(j, o, "wait_max_ns", checked(j, json_object_new_uint64(p->wait_max_ns)));
        jset(j, o, "hold_total_ns", checked(j, json_object_new_uint64(p->hold_total_ns)));
        jset(j, o, "hold_max_ns", checked(j, json_object_new_uint64(p->hold_max_ns)));
        jpush(j, a, o);
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
    json_object *runs = checked(j, json_object_new_array());
    if (in->outcome == NULL) return runs;
    json_object *run = checked(j, json_object_new_object());
    jset(j, run, "pid", checked(j, json_object_new_int(in->outcome->pid)));
    json_object *argv = checked(j, json_object_new_array());
    for (int i = 0;
         in->options != NULL && in->options->argv != NULL && in->options->argv[i] != NULL; i++)
        jpush(j, argv, jstring(j, in->options->argv[i]));
    jset(j, run, "argv", argv);
    bool signalled = in->outcome->signal != 0;
    jset(j, run, "exit_code",
         signalled ? NULL : checked(j, json_object_new_int(in->outcome->exit_code)));
    jset(j, run, "signal", signalled ? checked(j, json_object_new_int(in->outcome->signal)) : NULL);
    jset(j, run, "stopped", checked(j, json_object_new_boolean(in->outcome->stopped)));
    jset(j, run, "stop_reason",
         in->outcome->stopped ? jstring(j, stop_reason_name(in->outcome->stop_reason)) : NULL);
    jpush(j, runs, run);
    return runs;
}

static json_object *jsummary(struct json *j)
{
    const struct lw_report *r = j->report;
    json_object *o = checked(j, json_object_new_object());
    size_t count[LW_KIND_COUNT] = {0};
    for (size_t i = 0; i < r->nfindings; i++)
        count[r->findings[i]->kind]++;
    jset(j, o, "findings", checked(j, json_object_new_uint64(r->nfindings)));
    json_object *by_kind = checked(j, json_object_new_object());
    for (int k = 0; k < LW_KIND_COUNT; k++)
        jset(j, by_kind, lw_kind_name((enum lw_finding_kind)k),
             checked(j, json_object_new_uint64(count[k])));
    jset(j, o, "by_kind", by_kind);
    jset(j, o, "locks", checked(j, json_object_new_uint64(lwd_locks_seen(r))));
    jset(j, o, "lone_locks", checked(j, json_object_new_uint64(r->nlone_locks)));
    jset(j, o, "threads", checked(j, json_object_new_uint64(r->nthreads)));
    jset(j, o, "processes", checked(j, json_object_new_uint64(r->nprocesses)));
    jset(j, o, "forked", checked(j, json_object_new_uint64(lwd_forked_processes(r))));
    json_object *overflows = checked(j, json_object_new_array());
    for (size_t i = 0; i < r->noverflows; i++) {
        json_object *ov = checked(j, json_object_new_object());
        jset(j, ov, "pid", checked(j, json_object_new_int(r->overflows[i].pid)));
        jset(j, ov, "table", jstring(j, lwd_overflow_table_name(r->overflows[i].table)));
        jset(j, ov, "limit", checked(j, json_object_new_uint64(r->overflows[i].limit)));
        jpush(j, overflows, ov);
    }
    jset(j, o, "overflows", overflows);
    json_object *python = checked(j, json_object_new_array());
    for (size_t i = 0; i < r->nimages; i++) {
        const struct lw_image *img = &r->images[i];
        if (!img->python) continue;
        char buf[32];
        json_object *py = checked(j, json_object_new_object());
        jset(j, py, "exe", jstring(j, img->exe));
        jset(j, py, "version",
             jstring(j, lwd_python_version(img->python_version, buf, sizeof buf)));
        jset(j, py, "frames", checked(j, json_object_new_boolean(img->python_supported)));
        jpush(j, python, py);
    }
    jset(j, o, "python", python);
    jset(j, o, "bad_records", checked(j, json_object_new_uint64(r->bad_records)));
    jset(j, o, "cycle_searches_stopped",
         checked(j, json_object_new_uint64(r->cycle_searches_stopped)));
    jset(j, o, "races_checked", checked(j, json_object_new_boolean(j->races_checked)));
    size_t known = j->triage != NULL ? j->triage->known_count : 0;
    jset(j, o, "suppressed",
         checked(j, json_object_new_uint64(j->triage != NULL ? j->triage->suppressed : 0)));
    jset(j, o, "new", checked(j, json_object_new_uint64(r->nfindings - known)));
    jset(j, o, "known", checked(j, json_object_new_uint64(known)));
    return o;
}

int lwd_render_json(FILE *out, const struct lwd_render_input *in)
{
    struct json j = {
        .report = in->report, .triage = in->triage, .multi_process = lwd_multi_process(in->report)};
    j.races_checked = in->races_checked;
    json_object *root = checked(&j, json_object_new_object());
    jset(&j, root, "tool", jstring(&j, "lockwatch"));
    jset(&j, root, "version", jstring(&j, LOCKWATCH_VERSION));
    jset(&j, root, "schema", checked(&j, json_object_new_int(LWD_JSON_SCHEMA)));
    jset(&j, root, "runs", jruns(&j, in));
    json_object *findings = checked(&j, json_object_new_array());
    for (size_t i = 0; i < in->report->nfindings; i++)
        jpush(&j, findings, jfinding(&j, in->report->findings[i], i));
    jset(&j, root, "findings", findings);
    /* null without --profile (fields are never omitted) */
    jset(&j, root, "profile", in->options != NULL && in->options->profile ? jprofile(&j) : NULL);
    jset(&j, root, "summary", jsummary(&j));
    return lwd_json_write_document(out, root, !j.failed);
}
