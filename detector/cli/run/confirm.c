/* confirm.c — steered re-runs for `--confirm` (see confirm.h). */
#include "run/confirm.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lockwatch/detector.h"
#include "render/render_common.h"
#include "run/replay.h"
#include "run/run.h"

/* The module-relative call site of a stack's innermost frame (the lock call): false when it is
 * not known. */
static bool call_site(const struct lw_report *r, const struct lw_stack *s, const char **path,
                      uint64_t *offset)
{
    if (s == NULL || s->frames == NULL || s->nframes == 0) return false;
    const struct lw_module *m = lwd_find_module_at(r, s->image, s->epoch, s->frames[0].pc);
    if (m == NULL || m->path == NULL || strchr(m->path, ';')) return false;
    *path = m->path;
    *offset = s->frames[0].pc - m->base;
    return true;
}

/* "N;OFFSET@PATH;..." for the cycle of f, in a fresh string; NULL when a site is not known or
 * out of memory (*unknown tells which). */
static char *steer_spec(const struct lw_report *r, const struct lw_finding *f, bool *unknown)
{
    char *text = NULL;
    size_t len = 0;
    *unknown = false;
    FILE *out = open_memstream(&text, &len);
    if (out == NULL) return NULL;
    fprintf(out, "%zu", f->ncycle);
    for (size_t e = 0; e < f->ncycle; e++) {
        const char *path;
        uint64_t offset;
        if (!call_site(r, f->cycle[e].acquiring_stack, &path, &offset))
            *unknown = true;
        else
            fprintf(out, ";%llx@%s", (unsigned long long)offset, path);
    }
    if (fclose(out) != 0 || *unknown) {
        free(text);
        return NULL;
    }
    return text;
}

/* Whether the deadlock d of a re-run closed at the sites of f: every edge of d was requested at
 * a call site of f's cycle (same object, same offset). */
static bool same_sites(const struct lw_report *orig, const struct lw_finding *f,
                       const struct lw_report *rerun, const struct lw_finding *d)
{
    if (d->ncycle == 0) return false;
    for (size_t e = 0; e < d->ncycle; e++) {
        const char *path;
        uint64_t offset;
        if (!call_site(rerun, d->cycle[e].acquiring_stack, &path, &offset)) return false;
        bool found = false;
        for (size_t k = 0; k < f->ncycle && !found; k++) {
            const char *p2;
            uint64_t o2;
            found = call_site(orig, f->cycle[k].acquiring_stack, &p2, &o2) && o2 == offset &&
                    strcmp(p2, path) == 0;
        }
        if (!found) return false;
    }
    return true;
}

/* Standard input for the re-runs: a regular file from its start, anything else /dev/null. */
static void rewind_stdin(void)
{
    struct stat st;
    if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) &&
        lseek(STDIN_FILENO, 0, SEEK_SET) == 0)
        return;
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    if (fd != STDIN_FILENO) {
        (void)dup2(fd, STDIN_FILENO);
        close(fd);
    }
}

/* How the steered pauses of the re-runs so far ended (wire.h STEER records). */
struct steer_tally {
    uint64_t met, alone;
};

/* Why no re-run deadlocked, from how their pauses ended. */
static const char *not_reproduced_reason(const struct steer_tally *t)
{
    if (t->met > 0)
        return "no steered re-run deadlocked: the threads met at the cycle's lock calls, but "
               "one got through first (something else orders their next locks)";
    if (t->alone > 0)
        return "no steered re-run deadlocked: the threads reached the cycle's lock calls, but "
               "never together (something else keeps them apart)";
    return "no steered re-run deadlocked: no re-run reached the cycle's lock calls holding a "
           "lock";
}

/* One steered re-run: LWD_EXIT_OK with *deadlocked set, or an exit code. */
static enum lwd_exit rerun(const struct lwd_options *opts, const struct lwd_preflight *pf,
                           const struct lw_report *orig, const struct lw_finding *f,
                           const char *spec, bool *deadlocked, struct steer_tally *tally)
{
    *deadlocked = false;
    const struct lw_detector_options dopts = {.cycle_search_budget = opts->cycle_search_budget};
    struct lw_detector *d = lw_detector_new(&dopts);
    if (d == NULL || setenv(LW_WIRE_ENV_STEER, spec, 1) != 0) {
        fputs("lockwatch: out of memory\n", stderr);
        if (d) lw_detector_free(d);
        return LWD_EXIT_TOOL;
    }
    rewind_stdin();
    struct lwd_options steered = *opts;
    steered.on_deadlock = LWD_ON_DEADLOCK_EXIT; /* the deadlock sought must end the re-run */
    struct lwd_outcome outcome;
    enum lwd_exit status = lwd_run(&steered, pf, d, &outcome);
    unsetenv(LW_WIRE_ENV_STEER);
    if (status == LWD_EXIT_OK && lw_detector_finish(d) != LW_OK) {
        fputs("lockwatch: out of memory\n", stderr);
        status = LWD_EXIT_TOOL;
    }
    if (status == LWD_EXIT_OK) {
        const struct lw_report *r = lw_detector_report(d);
        tally->met += r->steer_met;
        tally->alone += r->steer_alone;
        for (size_t i = 0; i < r->nfindings && !*deadlocked; i++)
            *deadlocked =
                r->findings[i]->kind == LW_KIND_DEADLOCK && same_sites(orig, f, r, r->findings[i]);
    }
    lw_detector_free(d);
    return status;
}

enum lwd_exit lwd_confirm(const struct lwd_options *opts, const struct lwd_preflight *pf,
                          struct lw_report *report)
{
    for (size_t i = 0; i < report->nfindings; i++) {
        struct lw_finding *f = report->findings[i];
        if (f->kind != LW_KIND_LOCK_ORDER_INVERSION) continue;
        struct lw_confirmation *c = &f->confirmation;
        *c = (struct lw_confirmation){.status = LW_CONFIRM_NOT_REPRODUCED};
        if (f->schedule == LW_SCHEDULE_ORDERED) {
            c->reason =
                "not re-run: this run's thread creates, joins and barriers kept its threads apart";
            continue;
        }
        bool unknown;
        char *spec = steer_spec(report, f, &unknown);
        if (spec == NULL) {
            if (!unknown) {
                fputs("lockwatch: out of memory\n", stderr);
                return LWD_EXIT_TOOL;
            }
            c->reason = "not re-run: the call site of some lock request is not known";
            continue;
        }
        fprintf(stderr, "lockwatch: confirming finding %u: up to %u steered re-runs\n", f->id,
                opts->confirm);
        struct steer_tally tally = {0, 0};
        for (unsigned k = 1; k <= opts->confirm; k++) {
            bool deadlocked;
            enum lwd_exit status = rerun(opts, pf, report, f, spec, &deadlocked, &tally);
            if (status != LWD_EXIT_OK) {
                free(spec);
                return status;
            }
            c->attempts = k;
            c->reason = not_reproduced_reason(&tally);
            if (deadlocked) {
                bool out_of_memory;
                char *replay = lwd_replay_write(f->id, spec, opts, pf->program, &out_of_memory);
                if (out_of_memory) {
                    free(spec);
                    return LWD_EXIT_TOOL;
                }
                *c =
                    (struct lw_confirmation){LW_CONFIRM_REPRODUCED, k, opts->confirm, NULL, replay};
                break;
            }
        }
        free(spec);
    }
    return LWD_EXIT_OK;
}

void lwd_confirm_release(struct lw_report *report)
{
    for (size_t i = 0; report != NULL && i < report->nfindings; i++) {
        free((char *)report->findings[i]->confirmation.replay);
        report->findings[i]->confirmation.replay = NULL;
    }
}
