/* lock_wrapper.c — see lock_wrapper.h. */
#include "symbolise/lock_wrapper.h"

#include <stdlib.h>
#include <string.h>

#include "render/render_common.h"

static const char **wrapper_names; /* kept for the command's lifetime, like the string pool */
static size_t nwrapper_names;

/* Index of the frame of st that called into the lock functions, or st->nframes. */
static size_t calling_frame(const struct lw_stack *st)
{
    for (size_t i = 0; i < st->nframes; i++)
        if (lwd_frame_is_user_code(&st->frames[i])) return i;
    return st->nframes;
}

static bool same(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Whether function is one of names[0..n). */
static bool listed(const char *const *names, size_t n, const char *function)
{
    for (size_t i = 0; i < n; i++)
        if (same(names[i], function)) return true;
    return false;
}

static bool is_wrapper_name(const char *function)
{
    return listed(wrapper_names, nwrapper_names, function);
}

/* Whether the acquisitions whose calling frame is in `function` make it a wrapper. */
static bool acts_as_wrapper(const struct lwd_acquisitions *a, const char *function)
{
    const struct lw_lock *lock = NULL;
    const char *caller = NULL, *file = NULL;
    int line = 0;
    bool first = true, two_locks = false, two_callers = false;
    for (size_t k = 0; k < a->n; k++) {
        const struct lw_stack *st = a->list[k].stack;
        size_t u = calling_frame(st);
        if (u >= st->nframes || !same(st->frames[u].function, function)) continue;
        const char *by = u + 1 < st->nframes ? st->frames[u + 1].function : NULL;
        if (first) {
            lock = a->list[k].lock;
            caller = by;
            file = st->frames[u].file;
            line = st->frames[u].line;
            first = false;
            continue;
        }
        if (st->frames[u].line != line || !same(st->frames[u].file, file)) return false;
        two_locks = two_locks || a->list[k].lock != lock;
        two_callers = two_callers || (by != NULL && !same(by, caller));
    }
    return two_locks && two_callers;
}

void lwd_mark_wrapper(struct lw_stack *st)
{
    if (st == NULL || st->frames == NULL || nwrapper_names == 0) return;
    size_t u = calling_frame(st);
    if (u < st->nframes && u + 1 < st->nframes && is_wrapper_name(st->frames[u].function))
        st->frames[u].wrapper = true;
}

/* Finds the wrappers among the acquisitions' calling frames and marks their frames. Each
 * calling function is judged once (the others judged are remembered in `judged`). */
int lwd_find_wrappers(struct lwd_acquisitions *a)
{
    const char **judged = NULL;
    size_t njudged = 0;
    int rc = 0;
    for (size_t k = 0; k < a->n && rc == 0; k++) {
        const struct lw_stack *st = a->list[k].stack;
        size_t u = calling_frame(st);
        if (u >= st->nframes || st->frames[u].function == NULL) continue;
        const char *function = st->frames[u].function;
        if (is_wrapper_name(function) || listed(judged, njudged, function)) continue;
        bool wrapper = acts_as_wrapper(a, function);
        const char ***list = wrapper ? &wrapper_names : &judged;
        size_t *n = wrapper ? &nwrapper_names : &njudged;
        const char **grown = realloc(*list, (*n + 1) * sizeof *grown);
        if (grown == NULL) {
            rc = -1;
            break;
        }
        *list = grown;
        grown[(*n)++] = function;
    }
    free(judged);
    for (size_t k = 0; k < a->n && rc == 0; k++)
        lwd_mark_wrapper(a->list[k].stack);
    return rc;
}

int lwd_acquisitions_add(struct lwd_acquisitions *a, const struct lw_lock *lock,
                         struct lw_stack *stack)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        struct lwd_acquisition *grown = realloc(a->list, cap * sizeof *grown);
        if (grown == NULL) return -1;
        a->list = grown;
        a->cap = cap;
    }
    a->list[a->n++] = (struct lwd_acquisition){lock, stack};
    return 0;
}
