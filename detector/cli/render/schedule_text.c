/* schedule_text.c — the words for the happens-before label (see schedule_text.h). */
#include "render/schedule_text.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "render/render_common.h"

const char *lwd_schedule_name(enum lw_schedule s)
{
    switch (s) {
    case LW_SCHEDULE_NONE:
        return NULL;
    case LW_SCHEDULE_CONCURRENT:
        return "concurrent";
    case LW_SCHEDULE_ORDERED:
        return "ordered";
    case LW_SCHEDULE_UNCHECKED:
        return "unchecked";
    }
    return NULL;
}

const char *lwd_confirm_name(enum lw_confirm_status s)
{
    switch (s) {
    case LW_CONFIRM_NONE:
        return NULL;
    case LW_CONFIRM_REPRODUCED:
        return "reproduced";
    case LW_CONFIRM_NOT_REPRODUCED:
        return "not-reproduced";
    }
    return NULL;
}

const char *lwd_order_step_name(enum lw_order_step_kind k)
{
    switch (k) {
    case LW_ORDER_CREATED:
        return "created";
    case LW_ORDER_JOINED:
        return "joined";
    case LW_ORDER_BARRIER:
        return "barrier";
    case LW_ORDER_FORKED:
        return "forked";
    case LW_ORDER_REAPED:
        return "reaped";
    case LW_ORDER_SEM_POST:
        return "sem-post";
    case LW_ORDER_SEM_WAIT:
        return "sem-wait";
    }
    return "unknown";
}

static void put_thread(FILE *f, const struct lw_thread *t, bool multi_process)
{
    char id[32];
    if (t == NULL) {
        fputs("an unknown thread", f);
        return;
    }
    lw_thread_id(t, multi_process, id, sizeof id);
    if (t->label != NULL)
        fprintf(f, "%s (%s)", id, t->label);
    else
        fputs(id, f);
}

/* " at file:line" of the stack's first user frame, else of its first frame, else nothing. */
static void put_site(FILE *f, const struct lw_stack *s)
{
    if (s == NULL || s->frames == NULL || s->nframes == 0) return;
    size_t i = lwd_first_user_frame(s);
    const struct lw_frame *fr = &s->frames[i < s->nframes ? i : 0];
    if (fr->file != NULL)
        fprintf(f, " at %s:%d", lwd_basename(fr->file), fr->line);
    else if (fr->function != NULL)
        fprintf(f, " in %s", fr->function);
}

char *lwd_ordering_text(const struct lw_ordering *o, bool multi_process)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL) return NULL;
    if (o->note && o->nsteps == 2) {
        const struct lw_order_step *post = &o->steps[0], *wait = &o->steps[1];
        put_thread(f, o->first, multi_process);
        fputs(" posted semaphore ", f);
        if (post->object_name != NULL)
            fputs(post->object_name, f);
        else
            fprintf(f, "at 0x%" PRIx64, post->object);
        put_site(f, post->stack);
        fputs(" after its acquisitions, and ", f);
        put_thread(f, o->then, multi_process);
        fputs(" returned from a wait on it", f);
        put_site(f, wait->stack);
        fputs(" before its own: that hand-over ordered them in this run (a note: semaphores do "
              "not count for the label, another schedule may not hand over)",
              f);
    } else if (o->copied != NULL) {
        char id[32];
        put_thread(f, o->first, multi_process);
        fputs(" and ", f);
        put_thread(f, o->then, multi_process);
        fprintf(f, " are different processes and %s", lw_lock_id(o->copied, id, sizeof id));
        if (o->copied->name != NULL) fprintf(f, " %s", o->copied->name);
        fputs(" is not process-shared: each took its own copy", f);
    } else if (o->first == o->then || o->nsteps == 0) {
        fputs("all were taken in ", f);
        put_thread(f, o->first, multi_process);
    } else {
        for (size_t i = 0; i < o->nsteps; i++) {
            const struct lw_order_step *s = &o->steps[i];
            if (i > 0) fputs(", then ", f);
            if (s->kind == LW_ORDER_JOINED) {
                put_thread(f, s->from, multi_process);
                fputs(" ended and ", f);
                put_thread(f, s->to, multi_process);
                fputs(" joined it", f);
            } else if (s->kind == LW_ORDER_REAPED) {
                put_thread(f, s->from, multi_process);
                fputs(" ended with its process and ", f);
                put_thread(f, s->to, multi_process);
                fputs(" waited for it", f);
            } else if (s->kind == LW_ORDER_FORKED) {
                put_thread(f, s->from, multi_process);
                fputs(" forked the process of ", f);
                put_thread(f, s->to, multi_process);
            } else if (s->kind == LW_ORDER_BARRIER) {
                put_thread(f, s->from, multi_process);
                fputs(" reached barrier ", f);
                if (s->object_name != NULL)
                    fputs(s->object_name, f);
                else
                    fprintf(f, "at 0x%" PRIx64, s->object);
                put_site(f, s->stack);
                fputs(" before ", f);
                put_thread(f, s->to, multi_process);
                fputs(" left it", f);
                continue;
            } else {
                put_thread(f, s->from, multi_process);
                fputs(" created ", f);
                put_thread(f, s->to, multi_process);
            }
            put_site(f, s->stack);
        }
        fputs(", so ", f);
        put_thread(f, o->first, multi_process);
        fputs("'s acquisitions came before ", f);
        put_thread(f, o->then, multi_process);
        fputs("'s", f);
    }
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}
