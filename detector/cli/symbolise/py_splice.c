/* py_splice.c — see py_splice.h. */
#include "symbolise/py_splice.h"

#include <stdlib.h>
#include <string.h>

#define LWD_EVAL_LOOP "_PyEval_EvalFrameDefault"

static bool is_eval_loop(const struct lw_frame *f)
{
    return !f->python && f->function != NULL && strcmp(f->function, LWD_EVAL_LOOP) == 0;
}

/* The frame of Python frame p (names interned in the symboliser's pool). */
static struct lw_frame python_frame(struct lwd_symboliser *s, const struct lw_report *r,
                                    const struct lw_stack *stack, const struct lw_py_frame *p)
{
    const struct lw_py_code *code = lw_report_py_code(r, stack->image, p->code);
    struct lw_frame f = {.python = true, .line = p->line};
    if (code != NULL) {
        f.function = lwd_sym_intern(s, code->function);
        f.file = lwd_sym_intern(s, code->file);
    } else {
        f.function = "(Python code not received)";
    }
    return f;
}

/* Writes the frames of one evaluation-loop call (py[*k] up to the next ENTRY) to out (when not
 * NULL); returns how many are shown. */
static size_t one_call(struct lwd_symboliser *s, const struct lw_report *r,
                       const struct lw_stack *stack, size_t *k, struct lw_frame *out)
{
    size_t n = 0;
    while (*k < stack->npy) {
        const struct lw_py_frame *p = &stack->py[(*k)++];
        if (!(p->flags & LW_PYF_INCOMPLETE)) {
            if (out) out[n] = python_frame(s, r, stack, p);
            n++;
        }
        if (p->flags & LW_PYF_ENTRY) break;
    }
    return n;
}

/* The interpreter's image: the module of the stack's first evaluation-loop frame. */
static const char *interpreter_of(const struct lw_stack *stack)
{
    for (size_t i = 0; i < stack->nframes; i++)
        if (is_eval_loop(&stack->frames[i])) return stack->frames[i].module;
    return NULL;
}

/* Whether f is the interpreter's own C code (other than its evaluation loop): the machinery of
 * a Python call, which a Python traceback does not show either. */
static bool interpreter_frame(const struct lw_frame *f, const char *interpreter)
{
    return interpreter != NULL && !f->python && !is_eval_loop(f) && f->module != NULL &&
           strcmp(f->module, interpreter) == 0;
}

/* The spliced frames into out (when not NULL); returns their count. */
static size_t splice(struct lwd_symboliser *s, const struct lw_report *r,
                     const struct lw_stack *stack, struct lw_frame *out)
{
    size_t n = 0, k = 0;
    const char *interpreter = interpreter_of(stack);
    for (size_t i = 0; i < stack->nframes; i++) {
        const struct lw_frame *f = &stack->frames[i];
        if (interpreter_frame(f, interpreter)) continue;
        /* Inlined frames come before their physical frame, at the same pc. */
        size_t phys = i;
        while (phys < stack->nframes && stack->frames[phys].inlined &&
               stack->frames[phys].pc == f->pc)
            phys++;
        bool loop = phys < stack->nframes && is_eval_loop(&stack->frames[phys]);
        if (loop && k < stack->npy) {
            n += one_call(s, r, stack, &k, out ? out + n : NULL);
            i = phys;
            continue;
        }
        if (out) out[n] = *f;
        n++;
    }
    while (k < stack->npy)
        n += one_call(s, r, stack, &k, out ? out + n : NULL);
    return n;
}

int lwd_py_splice(struct lwd_symboliser *s, const struct lw_report *r, struct lw_stack *stack)
{
    if (stack == NULL || stack->frames == NULL || stack->npy == 0) return 0;
    size_t total = splice(s, r, stack, NULL);
    struct lw_frame *frames = calloc(total ? total : 1, sizeof *frames);
    if (frames == NULL) return -1;
    splice(s, r, stack, frames);
    for (size_t i = 0; i < total; i++)
        if (frames[i].python && frames[i].function == NULL) {
            free(frames);
            return -1; /* the pool ran out of memory */
        }
    free(stack->frames);
    stack->frames = frames;
    stack->nframes = total;
    return 0;
}
