/* python.c — the calling thread's Python frames (see python.h). */
#include "python.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/uio.h>

#include "cache.h"
#include "config.h"
#include "emit.h"
#include "errsave.h"
#include "hash.h"
#include "python_layout.h"
#include "tls.h"

#define LWI_PYCODE_LOG2 12u

static struct lw_py_layout lwi_py;
static bool lwi_py_on;
static void *(*lwi_py_this_thread)(void); /* PyGILState_GetThisThreadState */
static struct lwi_cache lwi_sent_codes;   /* code ids whose PYCODE record went out */

bool lwi_python_on(void)
{
    return lwi_py_on;
}

/* Reads our own memory without faulting on an address that is not mapped. */
static bool lwi_py_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
    (void)ctx;
    if (len == 0) return true;
    struct iovec local = {.iov_base = buf, .iov_len = len};
    struct iovec remote = {.iov_base = (void *)(uintptr_t)addr, .iov_len = len};
    pid_t pid = atomic_load_explicit(&lwi_pid, memory_order_relaxed);
    return process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)len;
}

/* lwi_py_read through a window (ctx): in place inside its ranges; else from the window, which a
 * read outside it first fills with the LWI_PY_WINDOW / 2 block holding addr and, when mapped, the
 * block below it (older frames), in one system call. */
static bool lwi_py_read_window(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct lwi_python_window *w = ctx;
    for (uint32_t i = 0; i < w->nranges; i++)
        if (addr >= w->range_lo[i] && addr + len <= w->range_hi[i] && addr + len >= addr) {
            memcpy(buf, (const void *)(uintptr_t)addr, len);
            return true;
        }
    if (addr >= w->lo && addr + len <= w->hi && addr + len >= addr) {
        memcpy(buf, w->bytes + (addr - w->lo), len);
        return true;
    }
    const uint64_t half = LWI_PY_WINDOW / 2;
    uint64_t page = addr & ~(half - 1);
    if (page < half || addr + len > page + half) return lwi_py_read(NULL, addr, buf, len);
    /* The block first: a hole below it then still leaves it read. */
    struct iovec local[2] = {{.iov_base = w->bytes + half, .iov_len = half},
                             {.iov_base = w->bytes, .iov_len = half}};
    struct iovec remote[2] = {{.iov_base = (void *)(uintptr_t)page, .iov_len = half},
                              {.iov_base = (void *)(uintptr_t)(page - half), .iov_len = half}};
    pid_t pid = atomic_load_explicit(&lwi_pid, memory_order_relaxed);
    ssize_t n = process_vm_readv(pid, local, 2, remote, 2, 0);
    w->lo = w->hi = 0;
    if (n < (ssize_t)half) return lwi_py_read(NULL, addr, buf, len);
    w->lo = n == (ssize_t)LWI_PY_WINDOW ? page - half : page;
    w->hi = page + half;
    if (w->lo == page) memmove(w->bytes, w->bytes + half, half); /* keep bytes[0] at lo */
    memcpy(buf, w->bytes + (addr - w->lo), len);
    return true;
}

int lwi_python_init(const struct lwi_thread *self)
{
    if (!lwi_config.python) return 0;
    const unsigned long *version = dlsym(RTLD_DEFAULT, "Py_Version");
    if (!version) {
        /* Before 3.11 there is no Py_Version; an interpreter still exports Py_Initialize. */
        if (dlsym(RTLD_DEFAULT, "Py_Initialize") && dlsym(RTLD_DEFAULT, "PyEval_EvalCode"))
            lwi_emit_python(self, 0, false, NULL);
        return 0;
    }
    struct lw_py_layout L;
    uint32_t built;
    bool known = lwi_python_layout(&L, &built) && ((uint32_t)*version >> 16) == built >> 16;
    L.runtime = (uint64_t)(uintptr_t)dlsym(RTLD_DEFAULT, "_PyRuntime");
    L.code_type = (uint64_t)(uintptr_t)dlsym(RTLD_DEFAULT, "PyCode_Type");
    L.unicode_type = (uint64_t)(uintptr_t)dlsym(RTLD_DEFAULT, "PyUnicode_Type");
    L.bytes_type = (uint64_t)(uintptr_t)dlsym(RTLD_DEFAULT, "PyBytes_Type");
    void *this_thread = dlsym(RTLD_DEFAULT, "PyGILState_GetThisThreadState");
    known = known && L.runtime && L.code_type && L.unicode_type && L.bytes_type && this_thread &&
            lwi_cache_init(&lwi_sent_codes, LWI_PYCODE_LOG2, 0) == 0;
    if (known) {
        lwi_py = L;
        *(void **)&lwi_py_this_thread = this_thread;
        lwi_py_on = true;
    }
    lwi_emit_python(self, (uint32_t)*version, known, known ? &L : NULL);
    return 0;
}

static void lwi_python_range(struct lwi_python_window *w, uint64_t lo, uint64_t size)
{
    if (w->nranges < LWI_PY_RANGES && lo != 0 && size != 0 && lo + size > lo) {
        w->range_lo[w->nranges] = lo;
        w->range_hi[w->nranges++] = lo + size;
    }
}

/* Where the walk may read in place. Always the calling thread's own C stack (where the
 * evaluation loop keeps its cframe). While the thread holds the GIL, also its thread state and
 * the chunks of its data stack (where its frames are allocated, each mapped whole until popped),
 * listed from it: only the finalizing interpreter frees another thread's state, and it holds the
 * GIL to do so. A thread without the GIL (in a blocking call, in C code that let it go) reads
 * them through the safe read: at exit, a daemon thread's state is freed and its data stack
 * unmapped by the main thread. */
static void lwi_python_ranges(const struct lwi_thread *self, struct lwi_python_window *w,
                              uint64_t ts)
{
    w->lo = w->hi = 0; /* memory may have changed since the last capture */
    w->nranges = 0;
    if (self->stack_hi > self->stack_lo)
        lwi_python_range(w, self->stack_lo, self->stack_hi - self->stack_lo);
    /* _PyRuntime is the interpreter's static data: always mapped. */
    uint64_t holder = __atomic_load_n(
        (const uint64_t *)(uintptr_t)(lwi_py.runtime + lwi_py.runtime_tstate_current),
        __ATOMIC_ACQUIRE);
    if (holder != ts) return;
    lwi_python_range(w, ts, lwi_py.ts_size);
    uint64_t chunk;
    memcpy(&chunk, (const void *)(uintptr_t)(ts + lwi_py.ts_datastack_chunk), sizeof chunk);
    while (chunk != 0 && w->nranges < LWI_PY_RANGES) {
        uint64_t size, previous;
        memcpy(&size, (const void *)(uintptr_t)(chunk + lwi_py.chunk_size), sizeof size);
        memcpy(&previous, (const void *)(uintptr_t)(chunk + lwi_py.chunk_previous),
               sizeof previous);
        lwi_python_range(w, chunk, size);
        chunk = previous;
    }
}

void lwi_python_frames(const struct lwi_thread *self, struct lwi_python_scratch *s)
{
    s->nraw = s->flags = 0;
    if (!lwi_py_on) return;
    /* Reads a thread-specific key: no lock, no allocation, NULL in a thread Python never ran. */
    uint64_t ts = (uint64_t)(uintptr_t)lwi_py_this_thread();
    if (ts == 0) return;
    LWI_ERRNO_SAVE();
    lwi_python_ranges(self, &s->window, ts);
    s->nraw = (uint32_t)lw_py_walk(&lwi_py, lwi_py_read_window, &s->window, ts, s->raw,
                                   LW_WIRE_MAX_FRAMES, &s->flags);
    LWI_ERRNO_RESTORE();
}

/* Names code object `code` (header in cbuf) with a PYCODE record unless one went out; its id. */
static uint64_t lwi_python_code(const struct lwi_thread *self, struct lwi_python_scratch *s,
                                uint64_t code, const unsigned char *cbuf)
{
    struct lw_rec_pycode *r = (struct lw_rec_pycode *)(void *)s->code;
    bool file_cut, func_cut;
    size_t flen = lw_py_str(&lwi_py, lwi_py_read, NULL, lw_py_u64(cbuf, lwi_py.co_filename),
                            r->text, LW_WIRE_MAX_PYFILE, &file_cut);
    size_t qlen = lw_py_str(&lwi_py, lwi_py_read, NULL, lw_py_u64(cbuf, lwi_py.co_qualname),
                            r->text + flen, LW_WIRE_MAX_PYFUNC, &func_cut);
    int32_t first;
    memcpy(&first, cbuf + lwi_py.co_firstlineno, sizeof first);
    uint64_t id = lw_py_code_id(code, r->text, flen, r->text + flen, qlen, first);
    uint64_t seen;
    if (lwi_cache_get(&lwi_sent_codes, id, &seen)) return id;
    r->code = id;
    r->first_line = first;
    r->file_len = (uint16_t)flen;
    r->func_len = (uint16_t)qlen;
    r->flags = (file_cut ? LW_PYC_FILE_CUT : 0) | (func_cut ? LW_PYC_FUNC_CUT : 0);
    r->reserved = 0;
    lwi_emit_record(self, LW_REC_PYCODE, &r->h, sizeof *r + flen + qlen);
    lwi_cache_put(&lwi_sent_codes, id, id);
    return id;
}

void lwi_python_send(const struct lwi_thread *self, struct lwi_python_scratch *s, uint64_t id)
{
    if (s->nraw == 0 && s->flags == 0) return;
    LWI_ERRNO_SAVE();
    struct lw_rec_pystack *r = (struct lw_rec_pystack *)(void *)s->stack;
    unsigned char cbuf[LW_PY_MAX_OBJECT];
    uint32_t n = 0, flags = s->flags;
    for (uint32_t i = 0; i < s->nraw; i++) {
        struct lw_py_frame *f = &r->frames[n];
        if (!lw_py_resolve(&lwi_py, lwi_py_read, NULL, &s->raw[i], f, cbuf)) {
            flags |= LW_PYS_UNREADABLE; /* the frames past it are not believed either */
            break;
        }
        f->code = lwi_python_code(self, s, s->raw[i].code, cbuf);
        n++;
    }
    r->stack = id;
    r->nframes = n;
    r->flags = flags;
    lwi_emit_record(self, LW_REC_PYSTACK, &r->h, sizeof *r + n * sizeof r->frames[0]);
    LWI_ERRNO_RESTORE();
}
