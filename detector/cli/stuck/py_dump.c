/* py_dump.c — see py_dump.h. */
#include "stuck/py_dump.h"

#include <sys/uio.h>

#include "lockwatch/pyframe.h"

/* The longest thread list walked: a bound against a list that loops while it changes. */
#define LWD_PY_MAX_THREADS 65536u

static bool remote_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
    pid_t pid = *(const pid_t *)ctx;
    if (len == 0) return true;
    struct iovec local = {.iov_base = buf, .iov_len = len};
    struct iovec remote = {.iov_base = (void *)(uintptr_t)addr, .iov_len = len};
    return process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)len;
}

/* Names the code object of f (header in cbuf) in the detector; its id, or 0 when out of memory. */
static uint64_t name_code(struct lw_detector *d, uint32_t image, const struct lw_py_layout *L,
                          pid_t *pid, uint64_t code, const unsigned char *cbuf)
{
    char file[LW_WIRE_MAX_PYFILE + 1], func[LW_WIRE_MAX_PYFUNC + 1];
    bool file_cut, func_cut;
    size_t flen = lw_py_str(L, remote_read, pid, lw_py_u64(cbuf, L->co_filename), file,
                            LW_WIRE_MAX_PYFILE, &file_cut);
    size_t qlen = lw_py_str(L, remote_read, pid, lw_py_u64(cbuf, L->co_qualname), func,
                            LW_WIRE_MAX_PYFUNC, &func_cut);
    int32_t first;
    memcpy(&first, cbuf + L->co_firstlineno, sizeof first);
    uint64_t id = lw_py_code_id(code, file, flen, func, qlen, first);
    file[flen] = '\0';
    func[qlen] = '\0';
    struct lw_py_code named = {.id = id,
                               .first_line = first,
                               .file = file,
                               .function = func,
                               .file_cut = file_cut,
                               .function_cut = func_cut};
    return lw_detector_py_code(d, image, &named) == LW_OK ? id : 0;
}

size_t lwd_py_dump(struct lw_detector *d, uint32_t image, pid_t pid, pid_t tid,
                   struct lw_py_frame *out, uint32_t *flags)
{
    *flags = 0;
    const struct lw_report *r = lw_detector_report(d);
    if (image >= r->nimages || !r->images[image].python_supported) return 0;
    const struct lw_py_layout L = r->images[image].python_layout;
    uint64_t ts = lw_py_find_thread(&L, remote_read, &pid, tid, LWD_PY_MAX_THREADS);
    if (ts == 0) return 0;
    struct lw_py_raw_frame raw[LW_WIRE_MAX_FRAMES];
    size_t nraw = lw_py_walk(&L, remote_read, &pid, ts, raw, LW_WIRE_MAX_FRAMES, flags);
    unsigned char cbuf[LW_PY_MAX_OBJECT];
    size_t n = 0;
    for (size_t i = 0; i < nraw; i++) {
        if (!lw_py_resolve(&L, remote_read, &pid, &raw[i], &out[n], cbuf) ||
            (out[n].code = name_code(d, image, &L, &pid, raw[i].code, cbuf)) == 0) {
            *flags |= LW_PYS_UNREADABLE;
            break;
        }
        n++;
    }
    return n;
}
