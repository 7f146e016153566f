/* python.c — CPython records: which image is an interpreter, its code objects' names, and the
 * Python frames of its stacks (wire.h LW_REC_PYTHON, PYCODE, PYSTACK). */
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "state.h"

int lw_python_record(struct lw_detector *d, const struct lw_rec_python *rec)
{
    struct lw_process *p = lw_process_for(d, &rec->h);
    if (!p) return LW_ERR_NOMEM;
    struct lw_image *img = &d->report.images[p->image];
    img->python = true;
    img->python_version = rec->version;
    img->python_supported = rec->supported != 0;
    img->python_layout = rec->layout;
    return LW_OK;
}

/* Index of the first code of img not below id. */
static size_t code_slot(const struct lw_image *img, uint64_t id)
{
    size_t lo = 0, hi = img->npycode;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (img->pycode[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct lw_py_code *lw_report_py_code(const struct lw_report *r, uint32_t image, uint64_t id)
{
    if (image >= r->nimages) return NULL;
    const struct lw_image *img = &r->images[image];
    size_t at = code_slot(img, id);
    return at < img->npycode && img->pycode[at].id == id ? &img->pycode[at] : NULL;
}

static char *copy_text(const char *text, size_t len)
{
    char *s = malloc(len + 1);
    if (s) {
        memcpy(s, text, len);
        s[len] = '\0';
    }
    return s;
}

/* Adds code (its strings text[0..file_len) and the func_len after) unless the image has it. */
static int code_add(struct lw_detector *d, uint32_t image, const struct lw_py_code *code,
                    size_t file_len, size_t func_len)
{
    struct lw_image *img = &d->report.images[image];
    size_t at = code_slot(img, code->id);
    if (at < img->npycode && img->pycode[at].id == code->id) return LW_OK;
    struct lw_py_code *codes =
        lw_grow(img->pycode, &img->pycode_cap, img->npycode + 1, sizeof *codes);
    if (!codes) return LW_ERR_NOMEM;
    img->pycode = codes;
    char *file = copy_text(code->file, file_len), *func = copy_text(code->function, func_len);
    if (!file || !func) {
        free(file);
        free(func);
        return LW_ERR_NOMEM;
    }
    memmove(&codes[at + 1], &codes[at], (img->npycode - at) * sizeof *codes);
    codes[at] = *code;
    codes[at].file = file;
    codes[at].function = func;
    img->npycode++;
    return LW_OK;
}

int lw_python_code_record(struct lw_detector *d, const struct lw_rec_pycode *rec)
{
    struct lw_process *p = lw_process_for(d, &rec->h);
    if (!p) return LW_ERR_NOMEM;
    const struct lw_py_code code = {.id = rec->code,
                                    .first_line = rec->first_line,
                                    .file = rec->text,
                                    .function = rec->text + rec->file_len,
                                    .file_cut = (rec->flags & LW_PYC_FILE_CUT) != 0,
                                    .function_cut = (rec->flags & LW_PYC_FUNC_CUT) != 0};
    return code_add(d, p->image, &code, rec->file_len, rec->func_len);
}

int lw_detector_py_code(struct lw_detector *d, uint32_t image, const struct lw_py_code *code)
{
    if (image >= d->report.nimages || !code->file || !code->function) return LW_ERR_BADREC;
    return code_add(d, image, code, strlen(code->file), strlen(code->function));
}

int lw_python_stack_set(struct lw_stack *stack, const struct lw_py_frame *py, size_t npy,
                        uint32_t flags)
{
    if (stack->has_py) return LW_OK;
    struct lw_py_frame *copy = NULL;
    if (npy && !(copy = malloc(npy * sizeof *copy))) return LW_ERR_NOMEM;
    if (npy) memcpy(copy, py, npy * sizeof *copy);
    stack->py = copy;
    stack->npy = npy;
    stack->py_flags = flags;
    stack->has_py = true;
    return LW_OK;
}

int lw_python_stack_record(struct lw_detector *d, const struct lw_rec_pystack *rec)
{
    struct lw_process *p = lw_process_for(d, &rec->h);
    int nomem = 0;
    struct lw_stack *stack = p ? lw_depot_get(&d->depot, p->image, rec->stack, &nomem) : NULL;
    if (!stack) return LW_ERR_NOMEM;
    return lw_python_stack_set(stack, rec->frames, rec->nframes, rec->flags);
}

void lw_python_free(struct lw_image *img)
{
    for (size_t i = 0; i < img->npycode; i++) {
        free((char *)img->pycode[i].file);
        free((char *)img->pycode[i].function);
    }
    free(img->pycode);
}
