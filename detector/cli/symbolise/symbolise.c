/* symbolise.c — turns the raw return addresses of the stacks a report refers to into function,
 * file:line and module, with elfutils libdwfl reading the program's files offline (the program
 * may be gone by now: only the module map of its records is used, never /proc).
 *
 * One Dwfl per process image, every module reported at its load bias. Strings come from a pool
 * that lives until the command exits, because report.h asks driver-set strings to outlive the
 * report and the driver has no later hook to free them. Answers are cached per (image, address). */
#include "symbolise/symbolise.h"

#include "symbolise/py_splice.h"

#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "render/render_common.h"
#include "symbolise/dwarf_member.h"

/* libstdc++'s demangler (the command links libstdc++); declared here to keep this file C. */
extern char *__cxa_demangle(const char *mangled, char *out, size_t *len, int *status);

/* ---- string pool: append-only chunks, reachable from a static so nothing leaks ---- */

struct pool_chunk {
    struct pool_chunk *next;
    size_t used, size;
    char bytes[];
};

static struct pool_chunk *string_pool;

static const char *pool_copy(const char *str, size_t len)
{
    if (string_pool == NULL || string_pool->size - string_pool->used < len + 1) {
        size_t size = len + 1 > 65536 ? len + 1 : 65536;
        struct pool_chunk *chunk = malloc(sizeof *chunk + size);
        if (chunk == NULL) return NULL;
        chunk->next = string_pool;
        chunk->used = 0;
        chunk->size = size;
        string_pool = chunk;
    }
    char *copy = string_pool->bytes + string_pool->used;
    memcpy(copy, str, len);
    copy[len] = '\0';
    string_pool->used += len + 1;
    return copy;
}

/* ---- the symboliser ---- */

enum lookup_kind { LOOKUP_CODE, LOOKUP_OBJECT };

struct cache_entry {
    bool used;
    uint8_t kind; /* enum lookup_kind */
    uint32_t image;
    uint32_t epoch; /* the module epoch looked up in (lw_image.remaps) */
    uint64_t addr;
    uint64_t offset; /* LOOKUP_OBJECT: addr - start of the object */
    uint64_t size;   /* LOOKUP_OBJECT: the object's size */
    /* LOOKUP_CODE: the function containing addr; with inlined calls, its file:line is the call
     * site of the outermost one, and inl[0..ninl) are the inlined functions, innermost first
     * (inl[0] at addr's own line, each next one at the call site of the one before) */
    struct lwd_symbol sym;
    size_t ninl;
    struct lwd_symbol *inl; /* malloc'd, freed with the session */
};

struct image_session {
    uint32_t image;
    uint32_t epoch; /* the modules of this epoch (lw_image.remaps), the latest over others */
    Dwfl *dwfl;     /* NULL when libdwfl could not start for this image */
};

struct lwd_symboliser {
    const struct lw_report *report;
    size_t nsessions;
    struct image_session *sessions;
    size_t cache_size, cache_used; /* cache_size is a power of two */
    struct cache_entry *cache;
    bool dwfl_failed; /* reported once */
};

const char *lwd_sym_intern(struct lwd_symboliser *s, const char *str)
{
    return str == NULL ? NULL : pool_copy(str, strlen(str));
}

/* A C++ name demangled, a C name without its symbol version ("__libc_start_main@@GLIBC_2.34"
 * reads as __libc_start_main); both copied into the pool. */
static const char *intern_symbol(struct lwd_symboliser *s, const char *raw, bool *failed)
{
    if (raw == NULL) return NULL;
    const char *name = NULL;
    int status = -1;
    char *demangled = strncmp(raw, "_Z", 2) == 0 ? __cxa_demangle(raw, NULL, NULL, &status) : NULL;
    if (status == 0 && demangled != NULL)
        name = lwd_sym_intern(s, demangled);
    else
        name = pool_copy(raw, strcspn(raw, "@"));
    free(demangled);
    if (name == NULL) *failed = true;
    return name;
}

/* Removes "." and "dir/.." components of an absolute path, in place: clang names libstdc++'s
 * headers "/usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include/c++/12/mutex", which must
 * read as the /usr/include file it is, for the reader and for the system-header rule. */
static void normalise_path(char *path)
{
    if (path[0] != '/') return;
    char *out = path; /* path[0..out) is the result so far, without a trailing '/' */
    const char *in = path;
    while (*in != '\0') {
        while (*in == '/')
            in++;
        size_t n = strcspn(in, "/");
        if (n == 0) break;
        if (n == 1 && in[0] == '.') {
            /* nothing */
        } else if (n == 2 && in[0] == '.' && in[1] == '.') {
            while (out > path && *--out != '/')
                ;
        } else {
            *out++ = '/';
            memmove(out, in, n);
            out += n;
        }
        in += n;
    }
    if (out == path) *out++ = '/';
    *out = '\0';
}

/* file made absolute with its compilation directory (DWARF keeps the name as the compiler was
 * given it, "broken.c") and normalised, so the text report can show it relative to where the
 * user stands and JSON consumers get a path that opens; copied into the pool. */
static const char *intern_source(struct lwd_symboliser *s, const char *file, const char *dir,
                                 bool *failed)
{
    bool join = file[0] != '/' && dir != NULL && dir[0] == '/';
    size_t dlen = join ? strlen(dir) : 0, flen = strlen(file);
    char *path = malloc(dlen + flen + 2);
    const char *interned = NULL;
    if (path != NULL) {
        if (join) {
            memcpy(path, dir, dlen);
            path[dlen] = '/';
            memcpy(path + dlen + 1, file, flen + 1);
        } else {
            memcpy(path, file, flen + 1);
        }
        normalise_path(path);
        interned = lwd_sym_intern(s, path);
    }
    free(path);
    if (interned == NULL) *failed = true;
    return interned;
}

/* Source file and line of addr when dwfl_module_getsrc() finds none: elfutils before 0.191
 * finds a compilation unit only through .debug_aranges, which clang does not emit, so the
 * units are searched for one whose ranges hold addr. */
static const char *source_by_unit_scan(Dwfl_Module *mod, Dwarf_Addr addr, int *lineno,
                                       const char **dir)
{
    Dwarf_Addr bias = 0;
    Dwarf *dwarf = dwfl_module_getdwarf(mod, &bias);
    if (dwarf == NULL) return NULL;
    Dwarf_CU *unit = NULL;
    Dwarf_Die unit_die;
    while (dwarf_get_units(dwarf, unit, &unit, NULL, NULL, &unit_die, NULL) == 0) {
        if (dwarf_haspc(&unit_die, addr - bias) <= 0) continue;
        Dwarf_Line *line = dwarf_getsrc_die(&unit_die, addr - bias);
        if (line == NULL || dwarf_lineno(line, lineno) != 0) return NULL;
        Dwarf_Attribute attr;
        *dir = dwarf_formstring(dwarf_attr(&unit_die, DW_AT_comp_dir, &attr));
        return dwarf_linesrc(line, NULL, NULL);
    }
    return NULL;
}

/* The compilation unit holding code address addr (and the module's bias), found through
 * .debug_aranges, else by searching the units' ranges (see source_by_unit_scan). */
static bool find_unit(Dwfl_Module *mod, Dwarf_Addr addr, Dwarf_Addr *bias, Dwarf_Die *out)
{
    Dwarf_Die *cu = dwfl_module_addrdie(mod, addr, bias);
    if (cu != NULL) {
        *out = *cu;
        return true;
    }
    Dwarf *dwarf = dwfl_module_getdwarf(mod, bias);
    if (dwarf == NULL) return false;
    Dwarf_CU *unit = NULL;
    while (dwarf_get_units(dwarf, unit, &unit, NULL, NULL, out, NULL) == 0)
        if (dwarf_haspc(out, addr - *bias) > 0) return true;
    return false;
}

/* The name of a function DIE (a subprogram or an inlined instance of one): its linkage name
 * demangled ("std::mutex::lock()"), else its plain name; NULL when it has neither. */
static const char *die_function(struct lwd_symboliser *s, Dwarf_Die *die, bool *failed)
{
    Dwarf_Attribute attr;
    const char *raw = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
    if (raw == NULL)
        raw = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr));
    if (raw != NULL) return intern_symbol(s, raw, failed);
    raw = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
    if (raw == NULL) return NULL;
    /* No linkage name (a function with internal linkage): qualified by the classes and named
     * namespaces that declare it ("Bank::post"), as its symbol would be. */
    Dwarf_Die decl = *die, next;
    for (int hops = 0; hops < 8; hops++) {
        Dwarf_Attribute *ref = dwarf_attr(&decl, DW_AT_abstract_origin, &attr);
        if (ref == NULL) ref = dwarf_attr(&decl, DW_AT_specification, &attr);
        if (ref == NULL || dwarf_formref_die(ref, &next) == NULL) break;
        decl = next;
    }
    Dwarf_Die *scopes = NULL;
    int n = dwarf_getscopes_die(&decl, &scopes);
    char name[512];
    size_t used = 0;
    name[0] = '\0';
    for (int i = n - 1; i >= 1; i--) {
        int tag = dwarf_tag(&scopes[i]);
        const char *scope = dwarf_diename(&scopes[i]);
        if (scope == NULL || (tag != DW_TAG_namespace && tag != DW_TAG_class_type &&
                              tag != DW_TAG_structure_type && tag != DW_TAG_union_type))
            continue;
        int w = snprintf(name + used, sizeof name - used, "%s::", scope);
        if (w < 0 || (size_t)w >= sizeof name - used) break;
        used += (size_t)w;
    }
    free(scopes);
    snprintf(name + used, sizeof name - used, "%s", raw);
    const char *interned = lwd_sym_intern(s, name);
    if (interned == NULL) *failed = true;
    return interned;
}

/* The call site of an inlined instance (DW_AT_call_file / DW_AT_call_line) into *file, *line;
 * NULL / 0 for what the DIE does not say. */
static void call_site(struct lwd_symboliser *s, Dwarf_Die *inlined, Dwarf_Files *files,
                      const char *comp_dir, const char **file, int *line, bool *failed)
{
    Dwarf_Attribute attr;
    Dwarf_Word index = 0, lineno = 0;
    *file = NULL;
    *line = 0;
    if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_line, &attr), &lineno) == 0)
        *line = lineno <= 0x7fffffff ? (int)lineno : 0;
    if (files == NULL || dwarf_formudata(dwarf_attr(inlined, DW_AT_call_file, &attr), &index) != 0)
        return;
    const char *name = dwarf_filesrc(files, index, NULL, NULL);
    if (name != NULL) *file = intern_source(s, name, comp_dir, failed);
}

/* Index of the first function DIE (subprogram or inlined instance) of scopes[from..n), or n. */
static int next_function(Dwarf_Die *scopes, int from, int n)
{
    for (int i = from; i < n; i++) {
        int tag = dwarf_tag(&scopes[i]);
        if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine) return i;
    }
    return n;
}

/* Appends sym to the entry's inline chain. Returns false when out of memory. */
static bool push_inlined(struct cache_entry *e, struct lwd_symbol sym)
{
    struct lwd_symbol *grown = realloc(e->inl, (e->ninl + 1) * sizeof *grown);
    if (grown == NULL) return false;
    e->inl = grown;
    e->inl[e->ninl++] = sym;
    return true;
}

/* The inlined calls at code address addr, as addr2line -i shows them: starting from the
 * innermost scope holding addr, every DW_TAG_inlined_subroutine becomes a frame of its own at
 * the current file:line, and moves the current file:line to its call site; the subprogram that
 * finally holds them all gets the last call site. Each step looks up the scopes of the inlined
 * instance itself (dwarf_getscopes_die), whose enclosing scopes are its caller's, and the
 * nesting depth of valid DWARF is finite, so the walk ends. */
static void expand_inlined(struct lwd_symboliser *s, Dwfl_Module *mod, Dwarf_Addr addr,
                           struct cache_entry *e, bool *failed)
{
    Dwarf_Addr bias = 0;
    Dwarf_Die cu;
    if (!find_unit(mod, addr, &bias, &cu)) return;
    Dwarf_Die *scopes = NULL;
    int n = dwarf_getscopes(&cu, addr - bias, &scopes);
    Dwarf_Files *files = NULL;
    size_t nfiles = 0;
    if (dwarf_getsrcfiles(&cu, &files, &nfiles) != 0) files = NULL;
    Dwarf_Attribute attr;
    const char *comp_dir = dwarf_formstring(dwarf_attr(&cu, DW_AT_comp_dir, &attr));
    const char *file = e->sym.file;
    int line = e->sym.line;
    int i = n > 0 ? next_function(scopes, 0, n) : 0;
    while (n > 0 && i < n && dwarf_tag(&scopes[i]) == DW_TAG_inlined_subroutine && !*failed) {
        struct lwd_symbol sym = {die_function(s, &scopes[i], failed), file, line};
        if (!push_inlined(e, sym)) {
            *failed = true;
            break;
        }
        call_site(s, &scopes[i], files, comp_dir, &file, &line, failed);
        Dwarf_Die *outer = NULL;
        int m = dwarf_getscopes_die(&scopes[i], &outer);
        free(scopes);
        scopes = outer;
        n = m;
        i = n > 1 ? next_function(scopes, 1, n) : n;
    }
    free(scopes);
    if (e->ninl > 0) {
        e->sym.file = file;
        e->sym.line = line;
    }
}

/* The source file and line of code address addr, or NULL. */
static const char *find_source(struct lwd_symboliser *s, Dwfl_Module *mod, Dwarf_Addr addr,
                               int *lineno, bool *failed)
{
    const char *file = NULL, *dir = NULL;
    Dwfl_Line *line = dwfl_module_getsrc(mod, addr);
    if (line != NULL) {
        file = dwfl_lineinfo(line, NULL, lineno, NULL, NULL, NULL);
        dir = dwfl_line_comp_dir(line);
    } else {
        file = source_by_unit_scan(mod, addr, lineno, &dir);
    }
    if (file == NULL) {
        *lineno = 0;
        return NULL;
    }
    return intern_source(s, file, dir, failed);
}

static const Dwfl_Callbacks offline_callbacks = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
};

static const struct lw_image *image_of(const struct lwd_symboliser *s, uint32_t image)
{
    for (size_t i = 0; i < s->report->nimages; i++)
        if (s->report->images[i].index == image) return &s->report->images[i];
    return NULL;
}

/* An epoch past the image's last one names the same modules as its last one. */
static uint32_t clamp_epoch(const struct lwd_symboliser *s, uint32_t image, uint32_t epoch)
{
    const struct lw_image *img = image_of(s, image);
    return img && epoch > img->remaps ? img->remaps : epoch;
}

/* Whether module m is covered by a later module of the image announced by `epoch`. */
static bool shadowed(const struct lw_image *img, size_t m, uint32_t epoch)
{
    const struct lw_module *mod = &img->modules[m];
    for (size_t later = m + 1; later < img->nmodules; later++) {
        const struct lw_module *o = &img->modules[later];
        if (o->epoch <= epoch && o->start < mod->end && mod->start < o->end) return true;
    }
    return false;
}

/* Reports every module of the image, as of `epoch`, whose file is still readable. A module that
 * is gone (or the vDSO, which has no file) is left out: its frames keep their raw address and
 * module+offset. Of modules that overlap (one unloaded, another loaded at its place) the latest
 * of the epoch is reported. */
static Dwfl *open_image(struct lwd_symboliser *s, uint32_t image, uint32_t epoch)
{
    const struct lw_image *img = image_of(s, image);
    if (img == NULL) return NULL;
    Dwfl *dwfl = dwfl_begin(&offline_callbacks);
    if (dwfl == NULL) {
        if (!s->dwfl_failed)
            fprintf(stderr, "lockwatch: cannot symbolise stacks: %s\n", dwfl_errmsg(-1));
        s->dwfl_failed = true;
        return NULL;
    }
    dwfl_report_begin(dwfl);
    for (size_t m = 0; m < img->nmodules; m++) {
        const struct lw_module *mod = &img->modules[m];
        if (mod->epoch > epoch || (img->remaps > 0 && shadowed(img, m, epoch))) continue;
        const char *path = mod->path;
        /* "/proc/self/exe" named the program inside it; here it would name lockwatch. */
        if (path != NULL && strcmp(path, "/proc/self/exe") == 0) path = img->exe;
        if (path == NULL || path[0] != '/' || access(path, R_OK) != 0) continue;
        /* base is the load bias (dlpi_addr): add_p_vaddr=true places an ET_DYN object at
         * bias + p_vaddr, which is right even for objects whose first segment is not at 0. */
        dwfl_report_elf(dwfl, path, path, -1, mod->base, true);
    }
    dwfl_report_end(dwfl, NULL, NULL);
    return dwfl;
}

static Dwfl *session_for(struct lwd_symboliser *s, uint32_t image, uint32_t epoch)
{
    for (size_t i = 0; i < s->nsessions; i++)
        if (s->sessions[i].image == image && s->sessions[i].epoch == epoch)
            return s->sessions[i].dwfl;
    struct image_session *grown = realloc(s->sessions, (s->nsessions + 1) * sizeof *grown);
    if (grown == NULL) return NULL;
    s->sessions = grown;
    s->sessions[s->nsessions].image = image;
    s->sessions[s->nsessions].epoch = epoch;
    s->sessions[s->nsessions].dwfl = open_image(s, image, epoch);
    return s->sessions[s->nsessions++].dwfl;
}

static uint64_t cache_hash(uint32_t image, uint32_t epoch, uint64_t addr, uint8_t kind)
{
    uint64_t x = addr ^ ((uint64_t)image << 40) ^ ((uint64_t)kind << 62) ^ ((uint64_t)epoch << 20);
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static struct cache_entry *cache_slot(struct cache_entry *table, size_t size, uint32_t image,
                                      uint32_t epoch, uint64_t addr, uint8_t kind)
{
    size_t i = (size_t)cache_hash(image, epoch, addr, kind) & (size - 1);
    while (table[i].used && !(table[i].image == image && table[i].epoch == epoch &&
                              table[i].addr == addr && table[i].kind == kind))
        i = (i + 1) & (size - 1);
    return &table[i];
}

/* Keeps the load factor at most one half. Returns false when out of memory. */
static bool cache_reserve(struct lwd_symboliser *s)
{
    if ((s->cache_used + 1) * 2 <= s->cache_size) return true;
    size_t size = s->cache_size ? s->cache_size * 2 : 1024;
    struct cache_entry *table = calloc(size, sizeof *table);
    if (table == NULL) return false;
    for (size_t i = 0; i < s->cache_size; i++)
        if (s->cache[i].used)
            *cache_slot(table, size, s->cache[i].image, s->cache[i].epoch, s->cache[i].addr,
                        s->cache[i].kind) = s->cache[i];
    free(s->cache);
    s->cache = table;
    s->cache_size = size;
    return true;
}

/* The cached entry for (image, addr, kind), looked up in libdwfl the first time. */
static struct cache_entry *lookup(struct lwd_symboliser *s, uint32_t image, uint32_t epoch,
                                  uint64_t addr, enum lookup_kind kind)
{
    epoch = clamp_epoch(s, image, epoch);
    if (!cache_reserve(s)) return NULL;
    struct cache_entry *e = cache_slot(s->cache, s->cache_size, image, epoch, addr, (uint8_t)kind);
    if (e->used) return e;
    bool failed = false;
    Dwfl *dwfl = session_for(s, image, epoch);
    Dwfl_Module *mod = dwfl != NULL ? dwfl_addrmodule(dwfl, addr) : NULL;
    struct cache_entry found = {
        .used = true, .kind = (uint8_t)kind, .image = image, .epoch = epoch, .addr = addr};
    if (mod != NULL) {
        GElf_Off offset = 0;
        GElf_Sym sym;
        const char *raw = dwfl_module_addrinfo(mod, addr, &offset, &sym, NULL, NULL, NULL);
        switch (kind) {
        case LOOKUP_CODE: {
            found.sym.function = intern_symbol(s, raw, &failed);
            found.sym.file = find_source(s, mod, addr, &found.sym.line, &failed);
            if (!failed) expand_inlined(s, mod, addr, &found, &failed);
            break;
        }
        case LOOKUP_OBJECT:
            if (raw != NULL && GELF_ST_TYPE(sym.st_info) == STT_OBJECT && sym.st_size > 0) {
                found.sym.function = intern_symbol(s, raw, &failed);
                found.offset = offset;
                found.size = sym.st_size;
            }
            break;
        }
    }
    if (failed) {
        free(found.inl);
        return NULL;
    }
    *e = found;
    s->cache_used++;
    return e;
}

const struct lwd_symbol *lwd_sym_code(struct lwd_symboliser *s, uint32_t image, uint64_t pc)
{
    struct cache_entry *e = lookup(s, image, UINT32_MAX, pc, LOOKUP_CODE);
    return e != NULL ? &e->sym : NULL;
}

const char *lwd_sym_object(struct lwd_symboliser *s, uint32_t image, uint64_t addr,
                           uint64_t *offset, uint64_t *size, bool *failed)
{
    struct cache_entry *e = lookup(s, image, UINT32_MAX, addr, LOOKUP_OBJECT);
    if (e == NULL) {
        *failed = true;
        return NULL;
    }
    *offset = e->offset;
    if (size != NULL) *size = e->size;
    return e->sym.function;
}

/* The frames of physical frame f: its inlined calls (innermost first), then f itself. Writes
 * them to out when out is not NULL; returns how many there are, or 0 when out of memory. */
static size_t frames_of(struct lwd_symboliser *s, const struct lw_report *r,
                        const struct lw_stack *stack, const struct lw_frame *f,
                        struct lw_frame *out)
{
    /* Every frame is a return address (unw_backtrace): the call is the byte before it. */
    const struct cache_entry *e =
        lookup(s, stack->image, stack->epoch, f->pc ? f->pc - 1 : 0, LOOKUP_CODE);
    if (e == NULL) return 0;
    if (out == NULL) return e->ninl + 1;
    const struct lw_module *mod = lwd_find_module_at(r, stack->image, stack->epoch, f->pc);
    for (size_t k = 0; k <= e->ninl; k++) {
        const struct lwd_symbol *sym = k < e->ninl ? &e->inl[k] : &e->sym;
        out[k] = (struct lw_frame){.pc = f->pc,
                                   .function = sym->function,
                                   .file = sym->file,
                                   .line = sym->line,
                                   .module = mod != NULL ? mod->path : NULL,
                                   .inlined = k < e->ninl};
    }
    return e->ninl + 1;
}

int lwd_sym_stack(struct lwd_symboliser *s, const struct lw_report *r, struct lw_stack *stack)
{
    /* Named stacks (ThreadSanitizer's) arrive with their names. */
    if (stack == NULL || stack->frames == NULL || stack->named || stack->symbolised) return 0;
    size_t total = 0;
    for (size_t i = 0; i < stack->nframes; i++) {
        size_t n = frames_of(s, r, stack, &stack->frames[i], NULL);
        if (n == 0) return -1;
        total += n;
    }
    struct lw_frame *frames = stack->frames;
    if (total > stack->nframes && (frames = calloc(total, sizeof *frames)) == NULL) return -1;
    /* In place, back to front, when nothing was inlined: each frame is read before written. */
    for (size_t i = stack->nframes, at = total; i-- > 0;) {
        struct lw_frame physical = stack->frames[i];
        size_t n = frames_of(s, r, stack, &physical, NULL);
        if (n == 0 || n > at || frames_of(s, r, stack, &physical, frames + at - n) != n) {
            if (frames != stack->frames) free(frames);
            return -1;
        }
        at -= n;
    }
    if (frames != stack->frames) {
        free(stack->frames);
        stack->frames = frames;
        stack->nframes = total;
    }
    if (lwd_py_splice(s, r, stack) != 0) return -1;
    stack->symbolised = true;
    return 0;
}

static int symbolise_findings(struct lwd_symboliser *s, struct lw_report *r)
{
    for (size_t i = 0; i < r->nfindings; i++) {
        const struct lw_finding *f = r->findings[i];
        for (size_t e = 0; e < f->ncycle; e++)
            if (lwd_sym_stack(s, r, f->cycle[e].holding_stack) != 0 ||
                lwd_sym_stack(s, r, f->cycle[e].acquiring_stack) != 0)
                return -1;
        for (size_t k = 0; k < f->nstacks; k++)
            if (lwd_sym_stack(s, r, f->stacks[k].stack) != 0) return -1;
        for (size_t k = 0; k < f->ndistinct_stacks; k++)
            if (lwd_sym_stack(s, r, f->distinct_stacks[k]) != 0) return -1;
        for (size_t k = 0; k < f->nordered; k++)
            for (size_t st = 0; st < f->ordered_by[k].nsteps; st++)
                if (lwd_sym_stack(s, r, f->ordered_by[k].steps[st].stack) != 0) return -1;
        for (size_t e = 0; f->places != NULL && e < f->ncycle; e++)
            for (size_t k = 0; k < f->places[e].n; k++)
                if (lwd_sym_stack(s, r, f->places[e].pairs[k].holding) != 0 ||
                    lwd_sym_stack(s, r, f->places[e].pairs[k].acquiring) != 0)
                    return -1;
    }
    return 0;
}

/* Ends a symbolising session that returned rc: says once what went wrong, frees the session. */
static int end_session(struct lwd_symboliser *s, int rc)
{
    if (rc != 0)
        fprintf(stderr, "lockwatch: out of memory while symbolising; stacks stay raw\n");
    else if (s->dwfl_failed)
        rc = -1;
    for (size_t i = 0; i < s->nsessions; i++)
        dwfl_end(s->sessions[i].dwfl);
    free(s->sessions);
    for (size_t i = 0; i < s->cache_size; i++)
        free(s->cache[i].inl);
    free(s->cache);
    return rc;
}

int lwd_symbolise_report(struct lw_report *report)
{
    struct lwd_symboliser s = {.report = report};
    int rc = symbolise_findings(&s, report);
    if (rc == 0) rc = lwd_name_report(&s, report);
    return end_session(&s, rc);
}

int lwd_symbolise_graph(struct lw_report *report, const struct lw_order_edge *edges, size_t n)
{
    struct lwd_symboliser s = {.report = report};
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        for (size_t k = 0; k < edges[i].ninstances && rc == 0; k++)
            if (lwd_sym_stack(&s, report, edges[i].instances[k].holding_stack) != 0 ||
                lwd_sym_stack(&s, report, edges[i].instances[k].acquiring_stack) != 0)
                rc = -1;
    if (rc == 0) rc = lwd_name_edges(&s, report, edges, n);
    return end_session(&s, rc);
}

int lwd_symbolise_profile(struct lw_report *report)
{
    struct lwd_symboliser s = {.report = report};
    return end_session(&s, lwd_name_profile(&s, report));
}

/* ---- members of static objects (dwarf_member.c) ---- */

const char *lwd_sym_member(struct lwd_symboliser *s, uint32_t image, uint64_t start,
                           uint64_t offset, uint64_t lock_size, bool *failed)
{
    Dwfl *dwfl = session_for(s, image, clamp_epoch(s, image, UINT32_MAX));
    Dwfl_Module *mod = dwfl != NULL ? dwfl_addrmodule(dwfl, start) : NULL;
    Dwarf_Addr bias = 0;
    Dwarf *dwarf = mod != NULL ? dwfl_module_getdwarf(mod, &bias) : NULL;
    char path[512];
    if (dwarf == NULL ||
        !lwd_dwarf_member_path(dwarf, start - bias, offset, lock_size, path, sizeof path))
        return NULL;
    const char *interned = lwd_sym_intern(s, path);
    if (interned == NULL) *failed = true;
    return interned;
}
