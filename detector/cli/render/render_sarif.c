/* render_sarif.c — the report as SARIF 2.1.0 (OASIS), the format code-scanning services read
 * (GitHub's upload-sarif, IDE viewers). One run; one rule per finding kind (ruleId = the kind's
 * stable name); one result per finding with its primary location at the acquiring line, the
 * cycle as one thread flow per thread, every other stack as a related location, and the stable
 * fingerprint (fingerprint.c) so a service can follow a finding across runs. Checked against the
 * official schema by tests/sarif (docs/ci-guide.md). */
#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "render/json_doc.h"
#include "render/render_common.h"
#include "render/schedule_text.h"
#include "triage/exit_status.h"
#include "triage/fingerprint.h"

#define LWD_SARIF_SCHEMA_URI                                                                       \
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#define LWD_SARIF_SRCROOT "SRCROOT"

struct sarif {
    const struct lwd_render_input *in;
    bool multi_process;
    char root[PATH_MAX]; /* absolute --source-root without a trailing slash, or "" */
    bool failed;         /* json-c ran out of memory */
};

/* SARIF has no nulls: a string the model lacks is written empty. */
static json_object *jstring(struct sarif *s, const char *str)
{
    return lwd_json_checked(&s->failed, json_object_new_string(str != NULL ? str : ""));
}

/* {"text": text} — SARIF's message object. */
static json_object *jmessage(struct sarif *s, const char *text)
{
    json_object *o = lwd_json_checked(&s->failed, json_object_new_object());
    lwd_json_set(&s->failed, o, "text", jstring(s, text));
    return o;
}

/* ---- rules ---- */

struct rule_text {
    const char *name;  /* PascalCase, SARIF's reportingDescriptor.name */
    const char *brief; /* shortDescription */
    const char *full;  /* fullDescription */
    const char *help;  /* how to fix it */
};

static struct rule_text rule_text(enum lw_finding_kind kind)
{
    switch (kind) {
    case LW_KIND_LOCK_ORDER_INVERSION:
        return (struct rule_text){
            "LockOrderInversion", "Locks taken in conflicting orders (potential deadlock).",
            "Two or more threads (or one thread at different times) take the same locks in "
            "different orders. When they run at the same time, each can hold one lock and wait "
            "for ever for the next: a deadlock, even if this run did not hang.",
            "Take these locks in one global order everywhere (for example always the lock with "
            "the lower rank first), or take them together with one call that orders them, such "
            "as std::scoped_lock."};
    case LW_KIND_DEADLOCK:
        return (struct rule_text){
            "RealDeadlock", "Threads were blocked on each other for ever.",
            "The threads of the cycle each held a lock the next one waited for; none could go "
            "on, so lockwatch stopped the program.",
            "Take these locks in one global order everywhere, or take them together with one "
            "call that orders them."};
    case LW_KIND_DOUBLE_LOCK:
        return (struct rule_text){
            "DoubleLock", "A thread locked a lock it already holds.",
            "A thread locked a non-recursive lock it already held: it blocks for ever (normal "
            "mutex) or gets an error it may ignore (error-checking mutex).",
            "Do not lock a lock this thread already holds; if the code must re-enter, use a "
            "recursive mutex (PTHREAD_MUTEX_RECURSIVE) on purpose."};
    case LW_KIND_UNLOCK_UNOWNED:
        return (struct rule_text){
            "UnlockUnowned", "A thread unlocked a lock it does not hold.",
            "Unlocking a mutex another thread holds, or one that is not locked, is undefined "
            "behaviour for normal mutexes and breaks the other thread's critical section.",
            "Unlock only what this thread locked: pair every lock with exactly one unlock in the "
            "same thread."};
    case LW_KIND_DESTROY_LOCKED:
        return (struct rule_text){
            "DestroyLocked", "A lock was destroyed while still held.",
            "Destroying a held lock is undefined behaviour; a thread still inside the critical "
            "section, or about to enter it, uses freed or re-initialised memory.",
            "Unlock the lock, and make sure no thread can still use it, before destroying it."};
    case LW_KIND_EXIT_HOLDING_LOCK:
        return (struct rule_text){
            "ExitHoldingLock", "A thread ended while holding a lock.",
            "The lock stays locked for ever: any thread that waits for it later blocks for "
            "ever.",
            "Unlock every lock before the thread returns or calls pthread_exit (check early "
            "returns and error paths)."};
    case LW_KIND_DATA_RACE:
        return (struct rule_text){
            "DataRace", "Two threads access the same memory without a common lock.",
            "At least one of the accesses writes and no lock orders them, so the result depends "
            "on timing and the compiler may assume it cannot happen.",
            "Protect every access to this memory with the same lock, or make it atomic."};
    case LW_KIND_HANG:
        return (struct rule_text){
            "ProgramHang", "The program stopped making progress.",
            "The run did not finish before --timeout and no lock cycle explains it; the report "
            "holds where every thread was waiting.",
            "Look at where each thread waits: a condition wait needs a matching signal, a lock "
            "wait needs its owner to unlock."};
    case LW_KIND_INVALID_LOCK:
        return (struct rule_text){
            "InvalidLock", "A lock was used after it was destroyed, or was never initialised.",
            "A destroyed or uninitialised lock is not a lock: glibc fails the call (EINVAL) or it "
            "acts on freed or garbage memory, and no critical section is protected.",
            "Initialise the lock again before using it after a destroy, and destroy a lock only "
            "when no thread can use it any more."};
    case LW_KIND_REINIT_LIVE:
        return (struct rule_text){
            "ReinitLiveLock", "A lock was initialised again while it was live.",
            "Initialising a held or already initialised lock is undefined behaviour: a holder "
            "loses its critical section and waiters may be lost.",
            "Initialise each lock once; destroy it (when no thread holds or waits for it) before "
            "initialising it again."};
    case LW_KIND_COND_MISUSE:
        return (struct rule_text){
            "CondMisuse", "A condition variable or semaphore was misused.",
            "A condition wait needs its mutex held by the caller, concurrent waits on one "
            "condition variable must use one mutex, and a condition variable or semaphore must "
            "not be destroyed while threads wait on it.",
            "Lock the mutex before waiting, use one mutex per condition variable, and destroy a "
            "condition variable or semaphore only after its waiters have left."};
    }
    return (struct rule_text){"Finding", "A lockwatch finding.", "A lockwatch finding.",
                              "See the lockwatch report."};
}

static json_object *jrule(struct sarif *s, enum lw_finding_kind kind)
{
    struct rule_text t = rule_text(kind);
    json_object *o = lwd_json_checked(&s->failed, json_object_new_object());
    lwd_json_set(&s->failed, o, "id", jstring(s, lw_kind_name(kind)));
    lwd_json_set(&s->failed, o, "name", jstring(s, t.name));
    lwd_json_set(&s->failed, o, "shortDescription", jmessage(s, t.brief));
    lwd_json_set(&s->failed, o, "fullDescription", jmessage(s, t.full));
    lwd_json_set(&s->failed, o, "help", jmessage(s, t.help));
    json_object *config = lwd_json_checked(&s->failed, json_object_new_object());
    lwd_json_set(&s->failed, config, "level", jstring(s, "error"));
    lwd_json_set(&s->failed, o, "defaultConfiguration", config);
    json_object *props = lwd_json_checked(&s->failed, json_object_new_object());
    json_object *tags = lwd_json_checked(&s->failed, json_object_new_array());
    lwd_json_push(&s->failed, tags, jstring(s, "concurrency"));
    lwd_json_set(&s->failed, props, "tags", tags);
    lwd_json_set(&s->failed, o, "properties", props);
    return o;
}

/* ---- locations ---- */

/* Appends str to the open stream, percent-encoding every byte outside RFC 3986's unreserved
 * set and "/" (a source path may hold spaces, '#', '%' or non-ASCII). */
static void write_uri_path(FILE *out, const char *str)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)str; *p != '\0'; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p) != NULL)
            fputc(*p, out);
        else
            fprintf(out, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
    }
}

/* "file:///abs/path" (or "file:///abs/dir/" when dir is true) as a fresh string, or NULL. */
static char *file_uri(const char *path, bool dir)
{
    char *uri = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&uri, &len);
    if (out == NULL) return NULL;
    fputs("file://", out);
    write_uri_path(out, path);
    if (dir && (path[0] == '\0' || path[strlen(path) - 1] != '/')) fputc('/', out);
    if (fclose(out) != 0) {
        free(uri);
        return NULL;
    }
    return uri;
}

/* artifactLocation of a source file: relative to SRCROOT when it lies below --source-root,
 * else an absolute file URI (a relative path stays a relative reference). */
static json_object *jartifact(struct sarif *s, const char *file)
{
    json_object *o = lwd_json_checked(&s->failed, json_object_new_object());
    size_t n = strlen(s->root);
    char *uri = NULL;
    size_t len = 0;
    if (n > 0 && strncmp(file, s->root, n) == 0 && file[n] == '/') {
        FILE *out = open_memstream(&uri, &len);
        if (out != NULL) {
            write_uri_path(out, file + n + 1);
            if (fclose(out) != 0) {
                free(uri);
                uri = NULL;
            }
        }
        lwd_json_set(&s->failed, o, "uriBaseId", jstring(s, LWD_SARIF_SRCROOT));
    } else if (file[0] == '/') {
        uri = file_uri(file, false);
    } else {
        FILE *out = open_memstream(&uri, &len);
        if (out != NULL) {
            write_uri_path(out, file);
            if (fclose(out) != 0) {
                free(uri);
                uri = NULL;
            }
        }
    }
    if (uri == NULL) s->failed = true;
    lwd_json_set(&s->failed, o, "uri", jstring(s, uri));
    free(uri);
    return o;
}

/* The frame a location points at: the first user frame, else the first frame with a function
 * (a location then names only the function: system libraries' source paths mean nothing in
 * the user's repository); NULL when the stack has neither. */
static const struct lw_frame *site_frame(const struct lw_stack *st)
{
    if (st == NULL || st->frames == NULL || st->nframes == 0) return NULL;
    size_t u = lwd_first_user_frame(st);
    if (u < st->nframes) return &st->frames[u];
    for (size_t i = 0; i < st->nframes; i++)
        if (st->frames[i].function != NULL) return &st->frames[i];
    return NULL;
}

/* A location object for stack st with message text (may be NULL), or NULL when the stack has
 * no frame that names anything. id > 0 is set as the location's id. */
static json_object *jlocation(struct sarif *s, const struct lw_stack *st, const char *text, int id)
{
    const struct lw_frame *f = site_frame(st);
    if (f == NULL && text == NULL) return NULL;
    json_object *o = lwd_json_checked(&s->failed, json_object_new_object());
    if (id > 0)
        lwd_json_set(&s->failed, o, "id", lwd_json_checked(&s->failed, json_object_new_int(id)));
    if (f != NULL && lwd_frame_is_user(f)) {
        json_object *phys = lwd_json_checked(&s->failed, json_object_new_object());
        lwd_json_set(&s->failed, phys, "artifactLocation", jartifact(s, f->file));
        if (f->line > 0) {
            json_object *region = lwd_json_checked(&s->failed, json_object_new_object());
            lwd_json_set(&s->failed, region, "startLine",
                         lwd_json_checked(&s->failed, json_object_new_int(f->line)));
            lwd_json_set(&s->failed, phys, "region", region);
        }
        lwd_json_set(&s->failed, o, "physicalLocation", phys);
    }
    if (f != NULL && f->function != NULL) {
        json_object *logical = lwd_json_checked(&s->failed, json_object_new_array());
        json_object *fn = lwd_json_checked(&s->failed, json_object_new_object());
        lwd_json_set(&s->failed, fn, "name", jstring(s, f->function));
        lwd_json_set(&s->failed, fn, "kind", jstring(s, "function"));
        lwd_json_push(&s->failed, logical, fn);
        lwd_json_set(&s->failed, o, "logicalLocations", logical);
    }
    if (text != NULL) lwd_json_set(&s->failed, o, "message", jmessage(s, text));
    return o;
}

/* ---- words ---- */

static const char *thread_word(const struct sarif *s, const struct lw_thread *t, char *buf,
                               size_t len)
{
    if (t == NULL) return "an unknown thread";
    return lw_thread_id(t, s->multi_process, buf, len);
}

static const char *lock_word(const struct lw_lock *l, char *buf, size_t len)
{
    if (l == NULL) return "an unknown lock";
    return l->name != NULL ? l->name : lw_lock_id(l, buf, len);
}

/* ---- one result ---- */

/* "T1 holds lock_a" and "requests lock_b" (deadlock: "waits for lock_b") for edge e. */
static void edge_words(const struct sarif *s, const struct lw_finding *f,
                       const struct lw_cycle_edge *e, char *holds, char *requests, size_t len)
{
    char tb[64], lb[256];
    snprintf(holds, len, "%s holds %s", thread_word(s, e->thread, tb, sizeof tb),
             lock_word(e->holding, lb, sizeof lb));
    snprintf(requests, len, "%s %s", f->kind == LW_KIND_DEADLOCK ? "waits for" : "requests",
             lock_word(e->acquiring, lb, sizeof lb));
}

static bool has_user_frame(const struct lw_stack *st)
{
    return st != NULL && st->frames != NULL && lwd_first_user_frame(st) < st->nframes;
}

/* The stack the result points at: the acquiring stack of the first edge; for other kinds the
 * first labelled stack (else data-race access) with a user frame, else the first one. */
static const struct lw_stack *primary_stack(const struct lw_finding *f)
{
    if (f->ncycle > 0) return f->cycle[0].acquiring_stack;
    for (size_t k = 0; k < f->nstacks; k++)
        if (has_user_frame(f->stacks[k].stack)) return f->stacks[k].stack;
    for (size_t k = 0; k < f->naccesses; k++)
        if (has_user_frame(f->accesses[k].stack)) return f->accesses[k].stack;
    if (f->nstacks > 0) return f->stacks[0].stack;
    return f->naccesses > 0 ? f->accesses[0].stack : NULL;
}

/* Every stack of the finding except the primary one, each with what it shows. */
static json_object *jrelated(struct sarif *s, const struct lw_finding *f,
                             const struct lw_stack *primary)
{
    json_object *a = lwd_json_checked(&s->failed, json_object_new_array());
    char holds[320], requests[320], text[400], tb[64];
    int id = 1;
    for (size_t e = 0; e < f->ncycle; e++) {
        const struct lw_cycle_edge *edge = &f->cycle[e];
        edge_words(s, f, edge, holds, requests, sizeof holds);
        snprintf(text, sizeof text, "%s, taken here", holds);
        json_object *loc = jlocation(s, edge->holding_stack, text, id++);
        lwd_json_push(&s->failed, a, loc);
        if (e == 0 && edge->acquiring_stack == primary) continue;
        snprintf(text, sizeof text, "%s %s here", thread_word(s, edge->thread, tb, sizeof tb),
                 requests);
        lwd_json_push(&s->failed, a, jlocation(s, edge->acquiring_stack, text, id++));
    }
    for (size_t k = 0; k < f->nstacks; k++) {
        const struct lw_labelled_stack *ls = &f->stacks[k];
        if (ls->stack == primary) continue;
        if (ls->thread != NULL)
            snprintf(text, sizeof text, "%s: %s", thread_word(s, ls->thread, tb, sizeof tb),
                     ls->label != NULL ? ls->label : "stack");
        else
            snprintf(text, sizeof text, "%s", ls->label != NULL ? ls->label : "stack");
        lwd_json_push(&s->failed, a, jlocation(s, ls->stack, text, id++));
    }
    for (size_t k = 0; k < f->naccesses; k++) {
        const struct lw_access *acc = &f->accesses[k];
        if (acc->stack == primary) continue;
        const char *who = acc->thread != NULL        ? thread_word(s, acc->thread, tb, sizeof tb)
                          : acc->tsan_thread != NULL ? acc->tsan_thread
                                                     : "a thread";
        snprintf(text, sizeof text, "%s%s%s of size %u by %s", acc->previous ? "previous " : "",
                 acc->atomic ? "atomic " : "", acc->write ? "write" : "read", acc->size, who);
        lwd_json_push(&s->failed, a, jlocation(s, acc->stack, text, id++));
    }
    return a;
}

/* One threadFlow per thread of the cycle, each with its holding site then its acquiring site
 * for every edge it took (a single-thread cycle has one thread flow with every edge). */
static json_object *jcode_flows(struct sarif *s, const struct lw_finding *f)
{
    char holds[320], requests[320], tb[64], title[256];
    json_object *flows = lwd_json_checked(&s->failed, json_object_new_array());
    json_object *flow = lwd_json_checked(&s->failed, json_object_new_object());
    json_object *threads = lwd_json_checked(&s->failed, json_object_new_array());
    for (size_t e = 0; e < f->ncycle; e++) {
        const struct lw_thread *t = f->cycle[e].thread;
        bool seen = false;
        for (size_t p = 0; p < e && !seen; p++)
            seen = f->cycle[p].thread == t;
        if (seen) continue;
        json_object *tf = lwd_json_checked(&s->failed, json_object_new_object());
        const char *id = thread_word(s, t, tb, sizeof tb);
        lwd_json_set(&s->failed, tf, "id", jstring(s, id));
        if (t != NULL && t->label != NULL)
            snprintf(title, sizeof title, "%s (%s)", id, t->label);
        else
            snprintf(title, sizeof title, "%s", id);
        lwd_json_set(&s->failed, tf, "message", jmessage(s, title));
        json_object *locs = lwd_json_checked(&s->failed, json_object_new_array());
        for (size_t k = e; k < f->ncycle; k++) {
            const struct lw_cycle_edge *edge = &f->cycle[k];
            if (edge->thread != t) continue;
            edge_words(s, f, edge, holds, requests, sizeof holds);
            json_object *at = lwd_json_checked(&s->failed, json_object_new_object());
            lwd_json_set(&s->failed, at, "location", jlocation(s, edge->holding_stack, holds, 0));
            lwd_json_push(&s->failed, locs, at);
            at = lwd_json_checked(&s->failed, json_object_new_object());
            lwd_json_set(&s->failed, at, "location",
                         jlocation(s, edge->acquiring_stack, requests, 0));
            lwd_json_push(&s->failed, locs, at);
        }
        lwd_json_set(&s->failed, tf, "locations", locs);
        lwd_json_push(&s->failed, threads, tf);
    }
    lwd_json_set(&s->failed, flow, "threadFlows", threads);
    lwd_json_push(&s->failed, flows, flow);
    return flows;
}

static json_object *jresult(struct sarif *s, const struct lw_finding *f, size_t index)
{
    const struct lwd_triage *triage = s->in->triage;
    json_object *o = lwd_json_checked(&s->failed, json_object_new_object());
    lwd_json_set(&s->failed, o, "ruleId", jstring(s, lw_kind_name(f->kind)));
    lwd_json_set(&s->failed, o, "ruleIndex",
                 lwd_json_checked(&s->failed, json_object_new_int((int)f->kind)));
    /* error: the finding makes lockwatch fail (--fail-on); warning: it is reported only. */
    bool counts = lwd_finding_counts(f, s->in->options->fail_on);
    lwd_json_set(&s->failed, o, "level", jstring(s, counts ? "error" : "warning"));
    char *msg = lwd_finding_message(f, s->multi_process);
    if (msg == NULL) s->failed = true;
    char text[1024];
    snprintf(text, sizeof text, "%s.", msg != NULL ? msg : lw_kind_name(f->kind));
    free(msg);
    lwd_json_set(&s->failed, o, "message", jmessage(s, text));

    const struct lw_stack *primary = primary_stack(f);
    json_object *where = jlocation(s, primary, NULL, 0);
    if (where != NULL) {
        json_object *locs = lwd_json_checked(&s->failed, json_object_new_array());
        lwd_json_push(&s->failed, locs, where);
        lwd_json_set(&s->failed, o, "locations", locs);
    }
    json_object *related = jrelated(s, f, primary);
    if (json_object_array_length(related) > 0)
        lwd_json_set(&s->failed, o, "relatedLocations", related);
    else
        json_object_put(related);
    if (f->ncycle > 0) lwd_json_set(&s->failed, o, "codeFlows", jcode_flows(s, f));

    char fingerprint[LWD_FINGERPRINT_LEN];
    if (lwd_fingerprint(f, fingerprint) != 0) s->failed = true;
    json_object *fps = lwd_json_checked(&s->failed, json_object_new_object());
    lwd_json_set(&s->failed, fps, LWD_SARIF_FINGERPRINT_KEY, jstring(s, fingerprint));
    lwd_json_set(&s->failed, o, "partialFingerprints", fps);
    if (triage != NULL && triage->known != NULL)
        lwd_json_set(&s->failed, o, "baselineState",
                     jstring(s, triage->known[index] ? "unchanged" : "new"));

    json_object *props = lwd_json_checked(&s->failed, json_object_new_object());
    lwd_json_set(&s->failed, props, "pid",
                 lwd_json_checked(&s->failed, json_object_new_int(f->pid)));
    lwd_json_set(&s->failed, props, "singleThread",
                 lwd_json_checked(&s->failed, json_object_new_boolean(f->single_thread)));
    if (f->kind == LW_KIND_LOCK_ORDER_INVERSION && f->schedule != LW_SCHEDULE_NONE) {
        lwd_json_set(&s->failed, props, "schedule", jstring(s, lwd_schedule_name(f->schedule)));
        json_object *why = lwd_json_checked(&s->failed, json_object_new_array());
        for (size_t i = 0; i < f->nordered; i++) {
            char *line = lwd_ordering_text(&f->ordered_by[i], s->multi_process);
            if (line == NULL) s->failed = true;
            lwd_json_push(&s->failed, why, jstring(s, line));
            free(line);
        }
        if (f->schedule == LW_SCHEDULE_ORDERED || f->nordered > 0)
            lwd_json_set(&s->failed, props, "orderedBy", why);
        else
            json_object_put(why);
    }
    const struct lw_confirmation *c = &f->confirmation;
    if (c->status != LW_CONFIRM_NONE) {
        lwd_json_set(&s->failed, props, "confirmation", jstring(s, lwd_confirm_name(c->status)));
        lwd_json_set(&s->failed, props, "confirmationAttempts",
                     lwd_json_checked(&s->failed, json_object_new_int64(c->attempts)));
        if (c->status == LW_CONFIRM_REPRODUCED)
            lwd_json_set(&s->failed, props, "confirmationAttempt",
                         lwd_json_checked(&s->failed, json_object_new_int64(c->attempt)));
        if (c->replay != NULL)
            lwd_json_set(&s->failed, props, "confirmationReplay", jstring(s, c->replay));
        if (c->reason != NULL)
            lwd_json_set(&s->failed, props, "confirmationReason", jstring(s, c->reason));
    }
    lwd_json_set(&s->failed, props, "instances",
                 lwd_json_checked(&s->failed, json_object_new_uint64(lw_finding_instances(f))));
    lwd_json_set(&s->failed, o, "properties", props);
    return o;
}

/* ---- the log ---- */

static json_object *jtool(struct sarif *s)
{
    json_object *tool = lwd_json_checked(&s->failed, json_object_new_object());
    json_object *driver = lwd_json_checked(&s->failed, json_object_new_object());
    lwd_json_set(&s->failed, driver, "name", jstring(s, "lockwatch"));
    lwd_json_set(&s->failed, driver, "version", jstring(s, LOCKWATCH_VERSION));
    lwd_json_set(&s->failed, driver, "semanticVersion", jstring(s, LOCKWATCH_VERSION));
    json_object *rules = lwd_json_checked(&s->failed, json_object_new_array());
    for (int k = 0; k < LW_KIND_COUNT; k++)
        lwd_json_push(&s->failed, rules, jrule(s, (enum lw_finding_kind)k));
    lwd_json_set(&s->failed, driver, "rules", rules);
    lwd_json_set(&s->failed, tool, "driver", driver);
    return tool;
}

static json_object *jinvocations(struct sarif *s)
{
    const struct lwd_render_input *in = s->in;
    json_object *a = lwd_json_checked(&s->failed, json_object_new_array());
    json_object *inv = lwd_json_checked(&s->failed, json_object_new_object());
    lwd_json_set(&s->failed, inv, "executionSuccessful",
                 lwd_json_checked(&s->failed, json_object_new_boolean(true)));
    json_object *args = lwd_json_checked(&s->failed, json_object_new_array());
    for (int i = 0; in->options != NULL && in->options->argv != NULL && in->options->argv[i]; i++)
        lwd_json_push(&s->failed, args, jstring(s, in->options->argv[i]));
    lwd_json_set(&s->failed, inv, "arguments", args);
    if (in->outcome != NULL && in->outcome->signal != 0)
        lwd_json_set(&s->failed, inv, "exitSignalNumber",
                     lwd_json_checked(&s->failed, json_object_new_int(in->outcome->signal)));
    else if (in->outcome != NULL)
        lwd_json_set(&s->failed, inv, "exitCode",
                     lwd_json_checked(&s->failed, json_object_new_int(in->outcome->exit_code)));
    lwd_json_push(&s->failed, a, inv);
    return a;
}

/* Resolves --source-root to an absolute path without a trailing slash (as given, made
 * absolute, when it does not exist: the report may be read on another machine). */
static void set_root(struct sarif *s, const char *root)
{
    s->root[0] = '\0';
    if (root == NULL) return;
    if (realpath(root, s->root) == NULL) {
        char cwd[PATH_MAX];
        int n = -1;
        if (root[0] != '/' && getcwd(cwd, sizeof cwd) != NULL)
            n = snprintf(s->root, sizeof s->root, "%s/%s", cwd, root);
        if (n < 0 || (size_t)n >= sizeof s->root) snprintf(s->root, sizeof s->root, "%s", root);
    }
    size_t n = strlen(s->root);
    while (n > 1 && s->root[n - 1] == '/')
        s->root[--n] = '\0';
}

int lwd_render_sarif(FILE *out, const struct lwd_render_input *in)
{
    struct sarif s = {.in = in, .multi_process = lwd_multi_process(in->report)};
    set_root(&s, in->options != NULL ? in->options->source_root : NULL);
    json_object *root = lwd_json_checked(&s.failed, json_object_new_object());
    lwd_json_set(&s.failed, root, "$schema", jstring(&s, LWD_SARIF_SCHEMA_URI));
    lwd_json_set(&s.failed, root, "version", jstring(&s, "2.1.0"));
    json_object *runs = lwd_json_checked(&s.failed, json_object_new_array());
    json_object *run = lwd_json_checked(&s.failed, json_object_new_object());
    lwd_json_set(&s.failed, run, "tool", jtool(&s));
    lwd_json_set(&s.failed, run, "invocations", jinvocations(&s));
    if (s.root[0] != '\0') {
        json_object *bases = lwd_json_checked(&s.failed, json_object_new_object());
        json_object *base = lwd_json_checked(&s.failed, json_object_new_object());
        char *uri = file_uri(s.root, true);
        if (uri == NULL) s.failed = true;
        lwd_json_set(&s.failed, base, "uri", jstring(&s, uri));
        free(uri);
        lwd_json_set(&s.failed, bases, LWD_SARIF_SRCROOT, base);
        lwd_json_set(&s.failed, run, "originalUriBaseIds", bases);
    }
    json_object *results = lwd_json_checked(&s.failed, json_object_new_array());
    for (size_t i = 0; i < in->report->nfindings; i++)
        lwd_json_push(&s.failed, results, jresult(&s, in->report->findings[i], i));
    lwd_json_set(&s.failed, run, "results", results);
    lwd_json_push(&s.failed, runs, run);
    lwd_json_set(&s.failed, root, "runs", runs);
    return lwd_json_write_document(out, root, !s.failed);
}
