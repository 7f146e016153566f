/* lockwatch/pyframe.h — reading CPython's frames through a memory-read callback.
 *
 * Contract: every read of the interpreter's memory goes through `read` (which returns false
 * instead of faulting), so the same code serves the runtime reading its own thread and the
 * driver reading a stopped one. Nothing here trusts what it reads: each object's type pointer is
 * checked against the layout's, every count is bounded, and a walk ends after `cap` frames. A
 * frame chain that changes under a reader gives wrong or missing frames, never a fault. The
 * layout (wire.h lw_py_layout) comes from the runtime, built against the interpreter's headers.
 *
 * Header-only, like wire.h: shared by interpose/ and detector/ with no code of either. */
#ifndef LOCKWATCH_PYFRAME_H
#define LOCKWATCH_PYFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lockwatch/wire.h"

/* Copies len bytes at addr into buf; false when any of them cannot be read. */
typedef bool (*lw_py_read_fn)(void *ctx, uint64_t addr, void *buf, size_t len);

/* One frame as the walk finds it: the code object's address and the offset (in bytes) of the
 * instruction it is at, -1 before the first. */
struct lw_py_raw_frame {
    uint64_t code;
    int64_t offset;
    uint32_t flags; /* enum lw_py_frame_flag: ENTRY, INCOMPLETE */
};

#define LW_PY_MAX_OBJECT 256u /* bytes of a frame or code object header read at once */

/* Whether every field the readers use lies inside the part of its object they read (a layout
 * from a record is checked before use). */
static inline bool lw_py_layout_valid(const struct lw_py_layout *L)
{
    const unsigned w = 8, max = LW_PY_MAX_OBJECT;
    unsigned frame = L->fr_size, code = L->co_code, bytes = L->bytes_data,
             str = L->str_compact_data;
    return frame <= max && code <= max && bytes <= max && str <= max && L->str_ascii_data <= str &&
           L->fr_code + w <= frame && L->fr_previous + w <= frame &&
           L->fr_prev_instr + w <= frame && L->fr_is_entry < frame && L->fr_owner < frame &&
           L->ob_type + w <= code && L->ob_size + w <= code && L->co_filename + w <= code &&
           L->co_qualname + w <= code && L->co_firstlineno + 4u <= code &&
           L->co_linetable + w <= code && L->co_firsttraceable + 4u <= code &&
           L->ob_type + w <= bytes && L->ob_size + w <= bytes && L->ob_type + w <= str &&
           L->str_length + w <= str && L->str_state + 4u <= str && L->str_kind_shift < 32 &&
           L->str_kind_mask != 0 && L->str_compact_bit != 0 && L->str_ascii_bit != 0;
}

static inline uint64_t lw_py_u64(const unsigned char *buf, uint16_t off)
{
    uint64_t v;
    memcpy(&v, buf + off, sizeof v);
    return v;
}

static inline bool lw_py_read_u64(lw_py_read_fn read, void *ctx, uint64_t addr, uint64_t *out)
{
    return addr != 0 && read(ctx, addr, out, sizeof *out);
}

/* Reads object addr's first len bytes and checks that its type is `type`. */
static inline bool lw_py_read_object(const struct lw_py_layout *L, lw_py_read_fn read, void *ctx,
                                     uint64_t addr, uint64_t type, unsigned char *buf, size_t len)
{
    return addr != 0 && len <= LW_PY_MAX_OBJECT && read(ctx, addr, buf, len) &&
           lw_py_u64(buf, L->ob_type) == type;
}

/* The frames of thread state tstate, innermost first, into out[0..cap). Sets *flags
 * (enum lw_py_stack_flag) and returns the count. */
static inline size_t lw_py_walk(const struct lw_py_layout *L, lw_py_read_fn read, void *ctx,
                                uint64_t tstate, struct lw_py_raw_frame *out, size_t cap,
                                uint32_t *flags)
{
    *flags = 0;
    uint64_t cframe = 0, frame = 0;
    if (L->fr_size > LW_PY_MAX_OBJECT || L->co_code > LW_PY_MAX_OBJECT ||
        !lw_py_read_u64(read, ctx, tstate + L->ts_cframe, &cframe) ||
        !lw_py_read_u64(read, ctx, cframe + L->cframe_current, &frame)) {
        if (tstate != 0) *flags = LW_PYS_UNREADABLE;
        return 0;
    }
    size_t n = 0;
    unsigned char fbuf[LW_PY_MAX_OBJECT];
    while (frame != 0) {
        if (n == cap) {
            *flags |= LW_PYS_TRUNCATED;
            break;
        }
        if (!read(ctx, frame, fbuf, L->fr_size)) {
            *flags |= LW_PYS_UNREADABLE;
            break;
        }
        uint64_t code = lw_py_u64(fbuf, L->fr_code);
        uint64_t prev_instr = lw_py_u64(fbuf, L->fr_prev_instr);
        uint64_t start = code + L->co_code;
        struct lw_py_raw_frame *f = &out[n++];
        f->code = code;
        f->offset = prev_instr >= start ? (int64_t)((prev_instr - start) & ~(uint64_t)1) : -1;
        f->flags = fbuf[L->fr_is_entry] ? LW_PYF_ENTRY : 0;
        frame = lw_py_u64(fbuf, L->fr_previous);
    }
    return n;
}

/* A signed varint of the location table (CPython 3.11's Objects/locations.md): six bits a byte,
 * bit 6 continues, the lowest bit of the value is the sign. *p advances past it. */
static inline bool lw_py_svarint(const unsigned char *tab, size_t len, size_t *p, int64_t *out)
{
    uint64_t val = 0;
    unsigned shift = 0;
    for (;;) {
        if (*p >= len || shift > 42) return false;
        unsigned char b = tab[(*p)++];
        val |= (uint64_t)(b & 63u) << shift;
        shift += 6;
        if (!(b & 64u)) break;
    }
    *out = (val & 1u) ? -(int64_t)(val >> 1) : (int64_t)(val >> 1);
    return true;
}

#define LW_PY_TABLE_CHUNK 512u /* location table bytes read at once */

/* The source line of byte offset `offset` of code object `code` (header already read into cbuf):
 * walks its location table. 0 when it cannot be read or the instruction has no line. */
static inline int32_t lw_py_line(const struct lw_py_layout *L, lw_py_read_fn read, void *ctx,
                                 const unsigned char *cbuf, int64_t offset)
{
    int32_t first;
    memcpy(&first, cbuf + L->co_firstlineno, sizeof first);
    if (offset < 0) return first;
    uint64_t table = lw_py_u64(cbuf, L->co_linetable);
    unsigned char tbuf[LW_PY_MAX_OBJECT];
    size_t hdr = (size_t)L->bytes_data;
    if (hdr > sizeof tbuf || !lw_py_read_object(L, read, ctx, table, L->bytes_type, tbuf, hdr))
        return 0;
    uint64_t size = lw_py_u64(tbuf, L->ob_size);
    if (size > (1u << 24)) return 0;
    /* The table in chunks; an entry never spans more than 16 bytes, so a chunk is refilled from
     * the start of the entry it ends in. */
    unsigned char chunk[LW_PY_TABLE_CHUNK];
    uint64_t base = 0;
    size_t have = 0, p = 0;
    int64_t line = first, addr = 0;
    for (;;) {
        if (p + 16 > have && base + have < size) {
            base += p;
            have = size - base < sizeof chunk ? (size_t)(size - base) : sizeof chunk;
            p = 0;
            if (!read(ctx, table + hdr + base, chunk, have)) return 0;
        }
        if (p >= have) return 0;
        unsigned char b = chunk[p];
        if (!(b & 128u)) return 0;
        unsigned kind = (b >> 3) & 15u;
        int64_t end = addr + (int64_t)((b & 7u) + 1u) * 2;
        size_t q = p + 1;
        int64_t delta = 0;
        if (kind == 13 || kind == 14) {
            if (!lw_py_svarint(chunk, have, &q, &delta)) return 0;
        } else if (kind >= 10 && kind <= 12) {
            delta = (int64_t)kind - 10;
        }
        line += delta;
        if (offset < end) return kind == 15 || line <= 0 || line > INT32_MAX ? 0 : (int32_t)line;
        addr = end;
        do
            p++;
        while (p < have && !(chunk[p] & 128u));
        if (p >= have && base + have >= size) return 0;
    }
}

/* Completes a walked frame: checks its code object, gives its line (flags NO_LINE when none) and
 * marks it INCOMPLETE when it has not reached its first traceable instruction. false when the
 * code object cannot be read. */
static inline bool lw_py_resolve(const struct lw_py_layout *L, lw_py_read_fn read, void *ctx,
                                 const struct lw_py_raw_frame *raw, struct lw_py_frame *out,
                                 unsigned char cbuf[LW_PY_MAX_OBJECT])
{
    out->code = raw->code;
    out->flags = raw->flags;
    out->line = 0;
    if (!lw_py_read_object(L, read, ctx, raw->code, L->code_type, cbuf, L->co_code)) return false;
    int64_t units = (int64_t)lw_py_u64(cbuf, L->ob_size);
    int32_t traceable;
    memcpy(&traceable, cbuf + L->co_firsttraceable, sizeof traceable);
    if (raw->offset >= units * 2) return false;
    if (raw->offset < (int64_t)traceable * 2) out->flags |= LW_PYF_INCOMPLETE;
    out->line = lw_py_line(L, read, ctx, cbuf, raw->offset);
    if (out->line == 0) out->flags |= LW_PYF_NO_LINE;
    return true;
}

/* Appends code point cp as UTF-8 to buf[*n..cap); false when it does not fit. */
static inline bool lw_py_put_utf8(char *buf, size_t cap, size_t *n, uint32_t cp)
{
    unsigned char b[4];
    size_t k;
    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        k = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xc0 | cp >> 6);
        b[1] = (unsigned char)(0x80 | (cp & 63));
        k = 2;
    } else if (cp < 0x10000) {
        b[0] = (unsigned char)(0xe0 | cp >> 12);
        b[1] = (unsigned char)(0x80 | (cp >> 6 & 63));
        b[2] = (unsigned char)(0x80 | (cp & 63));
        k = 3;
    } else {
        b[0] = (unsigned char)(0xf0 | (cp >> 18 & 7));
        b[1] = (unsigned char)(0x80 | (cp >> 12 & 63));
        b[2] = (unsigned char)(0x80 | (cp >> 6 & 63));
        b[3] = (unsigned char)(0x80 | (cp & 63));
        k = 4;
    }
    if (*n + k > cap) return false;
    memcpy(buf + *n, b, k);
    *n += k;
    return true;
}

/* The text of str object addr as UTF-8 into buf[0..cap) (not terminated): its length, *cut when
 * it was longer or could not be read whole. Compact strings only (all names of code objects). */
static inline size_t lw_py_str(const struct lw_py_layout *L, lw_py_read_fn read, void *ctx,
                               uint64_t addr, char *buf, size_t cap, bool *cut)
{
    unsigned char h[LW_PY_MAX_OBJECT];
    *cut = true;
    if (L->str_compact_data > sizeof h ||
        !lw_py_read_object(L, read, ctx, addr, L->unicode_type, h, L->str_compact_data))
        return 0;
    uint64_t length = lw_py_u64(h, L->str_length);
    uint32_t state;
    memcpy(&state, h + L->str_state, sizeof state);
    if (!(state & L->str_compact_bit) || length > (1u << 30)) return 0;
    if (state & L->str_ascii_bit) {
        size_t n = length < cap ? (size_t)length : cap;
        if (!read(ctx, addr + L->str_ascii_data, buf, n)) return 0;
        *cut = n < length;
        return n;
    }
    uint32_t kind = (state >> L->str_kind_shift) & L->str_kind_mask;
    if (kind != 1 && kind != 2 && kind != 4) return 0;
    size_t n = 0;
    unsigned char units[64];
    uint64_t at = addr + L->str_compact_data, left = length;
    while (left > 0) {
        size_t take = left < sizeof units / kind ? (size_t)left : sizeof units / kind;
        if (!read(ctx, at, units, take * kind)) return n;
        for (size_t i = 0; i < take; i++) {
            uint32_t cp;
            if (kind == 1) {
                cp = units[i];
            } else if (kind == 2) {
                uint16_t u;
                memcpy(&u, units + i * 2, 2);
                cp = u;
            } else {
                memcpy(&cp, units + i * 4, 4);
                if (cp > 0x10ffff) cp = 0xfffd;
            }
            if (cp >= 0xd800 && cp < 0xe000) cp = 0xfffd; /* a lone surrogate */
            if (!lw_py_put_utf8(buf, cap, &n, cp)) return n;
        }
        at += take * kind;
        left -= take;
    }
    *cut = false;
    return n;
}

/* A code object's id: its address mixed with its names, so that another code object later
 * allocated at the same address is another id. Never 0. */
static inline uint64_t lw_py_code_id(uint64_t code, const char *file, size_t file_len,
                                     const char *func, size_t func_len, int32_t first_line)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ code;
    for (size_t i = 0; i < file_len; i++)
        h = (h ^ (unsigned char)file[i]) * 0x100000001b3ull;
    h = (h ^ 0xff) * 0x100000001b3ull;
    for (size_t i = 0; i < func_len; i++)
        h = (h ^ (unsigned char)func[i]) * 0x100000001b3ull;
    h ^= (uint64_t)(uint32_t)first_line << 17;
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 29;
    return h ? h : 1;
}

/* The thread state of kernel thread tid, from the interpreters' thread lists (the driver's way:
 * the runtime asks its own thread's); 0 when not found within `limit` thread states. */
static inline uint64_t lw_py_find_thread(const struct lw_py_layout *L, lw_py_read_fn read,
                                         void *ctx, int32_t tid, unsigned limit)
{
    uint64_t interp = 0, ts = 0;
    if (!lw_py_read_u64(read, ctx, L->runtime + L->runtime_interp_head, &interp)) return 0;
    /* The main interpreter only: the one Python threads run in unless a program makes others. */
    if (!lw_py_read_u64(read, ctx, interp + L->interp_threads_head, &ts)) return 0;
    for (unsigned i = 0; ts != 0 && i < limit; i++) {
        uint64_t native = 0;
        if (!read(ctx, ts + L->ts_native_tid, &native, sizeof native)) return 0;
        if ((int64_t)native == tid) return ts;
        if (!lw_py_read_u64(read, ctx, ts + L->ts_next, &ts)) return 0;
    }
    return 0;
}

#endif
