/* tables.c — the run's processes, images, modules, threads, locks and overflows: created on
 * first mention by any record, so records may arrive in any order the wire contract allows. */
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "state.h"

static char *copy_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    if (copy) memcpy(copy, s, n);
    return copy;
}

/* Appends an image; returns its index or UINT32_MAX. */
static uint32_t image_add(struct lw_detector *d, const char *exe)
{
    struct lw_report *r = &d->report;
    if (r->nimages >= UINT32_MAX - 1) return UINT32_MAX;
    struct lw_image *images = lw_grow(r->images, &d->images_cap, r->nimages + 1, sizeof *images);
    if (!images) return UINT32_MAX;
    r->images = images;
    char *copy = NULL;
    if (exe && !(copy = copy_string(exe))) return UINT32_MAX;
    uint32_t index = (uint32_t)r->nimages++;
    images[index] = (struct lw_image){.index = index, .exe = copy};
    return index;
}

/* Adds an entry for pid to the pid's entries, which are linked newest start first: an image's
 * PROCESS record may be applied after a later image's. `newest`: ahead of all (a PROCESS record
 * without a time), else by start_ns, a tie going to the entry added later. */
static struct lw_process *process_add(struct lw_detector *d, int32_t pid, int32_t parent,
                                      uint32_t image, bool forked, uint64_t start_ns, bool newest)
{
    struct lw_report *r = &d->report;
    if (r->nprocesses >= UINT32_MAX - 1) return NULL;
    struct lw_process *procs =
        lw_grow(r->processes, &d->processes_cap, r->nprocesses + 1, sizeof *procs);
    if (!procs) return NULL;
    r->processes = procs;
    uint32_t *prev =
        lw_grow(d->process_prev, &d->process_prev_cap, r->nprocesses + 1, sizeof *prev);
    if (!prev) return NULL;
    d->process_prev = prev;
    uint32_t index = (uint32_t)r->nprocesses, newer = UINT32_MAX, older = UINT32_MAX;
    uint64_t head;
    if (lw_map_get(&d->pids, (uint64_t)(uint32_t)pid, 0, &head)) older = (uint32_t)head;
    while (!newest && older != UINT32_MAX && procs[older].start_ns > start_ns) {
        newer = older;
        older = prev[older];
    }
    if (newer == UINT32_MAX) {
        if (lw_map_put(&d->pids, (uint64_t)(uint32_t)pid, 0, index) != 0) return NULL;
        if (older != UINT32_MAX) procs[older].superseded = true;
    } else {
        prev[newer] = index;
    }
    prev[index] = older;
    struct lw_process *p = &procs[r->nprocesses++];
    *p = (struct lw_process){.pid = pid,
                             .parent_pid = parent,
                             .image = image,
                             .forked = forked,
                             .start_ns = start_ns,
                             .superseded = newer != UINT32_MAX};
    return p;
}

/* The newest entry of pid that started at or before time_ns (an entry of unknown start fits any
 * time); false when pid has none. */
static bool process_at(const struct lw_detector *d, int32_t pid, uint64_t time_ns, uint64_t *index)
{
    uint64_t i;
    if (!lw_map_get(&d->pids, (uint64_t)(uint32_t)pid, 0, &i)) return false;
    for (; time_ns != 0 && i != UINT32_MAX; i = d->process_prev[i]) {
        if (d->report.processes[i].start_ns <= time_ns) break;
    }
    *index = i;
    return i != UINT32_MAX;
}

/* A record from a process whose PROCESS record has not come (yet): an image of unknown name,
 * older than every entry of its pid that has a start. */
static struct lw_process *process_unknown(struct lw_detector *d, int32_t pid)
{
    uint32_t image = image_add(d, NULL);
    return image == UINT32_MAX ? NULL : process_add(d, pid, 0, image, false, 0, false);
}

struct lw_process *lw_process_latest(struct lw_detector *d, int32_t pid)
{
    uint64_t index;
    if (lw_map_get(&d->pids, (uint64_t)(uint32_t)pid, 0, &index))
        return &d->report.processes[index];
    return process_unknown(d, pid);
}

struct lw_process *lw_process_for(struct lw_detector *d, const struct lw_rec_header *h)
{
    /* The memo holds a pid's newest entry while no entry was added: it is the answer for any
     * time at or after its start (or no time). */
    struct lw_report *r = &d->report;
    if (d->process_memo.nprocesses != 0 && d->process_memo.nprocesses == r->nprocesses &&
        d->process_memo.pid == h->pid &&
        (h->time_ns == 0 || h->time_ns >= r->processes[d->process_memo.index].start_ns))
        return &r->processes[d->process_memo.index];
    uint64_t index;
    if (!process_at(d, h->pid, h->time_ns, &index)) return process_unknown(d, h->pid);
    if (!r->processes[index].superseded) {
        d->process_memo.pid = h->pid;
        d->process_memo.index = (uint32_t)index;
        d->process_memo.nprocesses = r->nprocesses;
    }
    return &r->processes[index];
}

int lw_process_start(struct lw_detector *d, const struct lw_rec_process *rec)
{
    uint32_t image = UINT32_MAX;
    uint64_t parent = 0;
    bool forked = rec->origin == LW_ORIGIN_FORK;
    /* The parent as it was when it forked: it may have exec'd since. */
    bool from_parent = forked && process_at(d, rec->parent_pid, rec->h.time_ns, &parent);
    if (from_parent)
        image = d->report.processes[parent].image;
    else if ((image = image_add(d, rec->exe)) == UINT32_MAX)
        return LW_ERR_NOMEM;
    if (!process_add(d, rec->h.pid, rec->parent_pid, image, forked, rec->h.time_ns,
                     rec->h.time_ns == 0))
        return LW_ERR_NOMEM;
    return from_parent ? lw_schedule_fork(d, rec, (uint32_t)parent) : LW_OK;
}

int lw_module_add(struct lw_detector *d, const struct lw_rec_module *rec)
{
    struct lw_process *p = lw_process_for(d, &rec->h);
    if (!p) return LW_ERR_NOMEM;
    struct lw_image *image = &d->report.images[p->image];
    struct lw_module *mods = realloc(image->modules, (image->nmodules + 1) * sizeof *mods);
    if (!mods) return LW_ERR_NOMEM;
    image->modules = mods;
    char *path = copy_string(rec->path);
    if (!path) return LW_ERR_NOMEM;
    /* Another object over an announced one's addresses: the first was unloaded. The same object
     * announced again over itself is no change unless something else came in between. */
    bool remapped = false;
    for (size_t m = image->nmodules; m-- > 0;) {
        const struct lw_module *old = &mods[m];
        if (rec->start >= old->end || rec->end <= old->start) continue;
        remapped = old->start != rec->start || old->end != rec->end || strcmp(old->path, path);
        break;
    }
    if (remapped) image->remaps++;
    mods[image->nmodules++] = (struct lw_module){.base = rec->base,
                                                 .start = rec->start,
                                                 .end = rec->end,
                                                 .path = path,
                                                 .epoch = image->remaps};
    return LW_OK;
}

struct lw_thread *lw_thread_of(struct lw_detector *d, const struct lw_rec_header *h)
{
    struct lw_process *p = lw_process_for(d, h);
    if (!p) return NULL;
    /* Keyed by process entry, not pid: an exec keeps the pid but numbers threads anew. */
    uint64_t proc = (uint64_t)(p - d->report.processes), index;
    struct lw_report *r = &d->report;
    if (lw_map_get_memo(&d->thread_keys, &d->thread_memo, proc, h->thread, &index)) {
        struct lw_thread *t = r->threads[index];
        if (t->tid == 0) t->tid = h->tid;
        return t;
    }
    struct lw_thread **threads =
        lw_grow(r->threads, &d->threads_cap, r->nthreads + 1, sizeof *threads);
    if (!threads) return NULL;
    r->threads = threads;
    struct lw_thread *t = calloc(1, sizeof *t);
    if (!t || lw_map_put(&d->thread_keys, proc, h->thread, r->nthreads) != 0) {
        free(t);
        return NULL;
    }
    *t = (struct lw_thread){.index = (uint32_t)r->nthreads,
                            .pid = h->pid,
                            .process = (uint32_t)proc,
                            .number = h->thread,
                            .tid = h->tid,
                            .parent = UINT32_MAX};
    threads[r->nthreads++] = t;
    return t;
}

int lw_record_origin(struct lw_detector *d, const struct lw_rec_header *h, uint64_t stack_id,
                     struct lw_thread **thread, struct lw_stack **stack)
{
    *stack = NULL;
    if ((*thread = lw_thread_of(d, h)) == NULL) return LW_ERR_NOMEM;
    if (stack_id == 0) return LW_OK;
    int nomem = 0;
    /* looked up after lw_thread_of, which may have grown the process table */
    *stack =
        lw_depot_get(&d->depot, d->report.processes[(*thread)->process].image, stack_id, &nomem);
    return nomem ? LW_ERR_NOMEM : LW_OK;
}

struct lw_lock *lw_lock_of(struct lw_detector *d, uint32_t image, const struct lw_lock_ref *ref,
                           struct lw_stack *stack)
{
    struct lw_report *r = &d->report;
    uint32_t index = lw_lock_index_find(&d->lock_keys, r->locks, image, ref->addr, ref->generation);
    if (index != UINT32_MAX) {
        struct lw_lock *l = r->locks[index];
        if (!l->first_stack) l->first_stack = stack;
        return l;
    }
    if (r->nlocks >= UINT32_MAX - 1) return NULL;
    struct lw_lock **locks = lw_grow(r->locks, &d->locks_cap, r->nlocks + 1, sizeof *locks);
    if (!locks) return NULL;
    r->locks = locks;
    uint32_t node = (uint32_t)r->nlocks;
    /* One allocation per LW_LOCK_BLOCK locks: a million locks are a thousand blocks, not a
     * million allocations with their headers. */
    struct lw_lock *l =
        node % LW_LOCK_BLOCK == 0 ? malloc(LW_LOCK_BLOCK * sizeof *l) : locks[node - 1] + 1;
    if (!l) return NULL;
    bool reader_pref = ref->type == LW_LOCK_RWLOCK && !(ref->flags & LW_LOCKF_WRITER_PREF);
    *l = (struct lw_lock){.index = node + 1,
                          .image = image,
                          .addr = ref->addr,
                          .generation = ref->generation,
                          .type = ref->type,
                          .flags = ref->flags,
                          .first_stack = stack};
    locks[node] = l;
    if (lw_graph_set_reader_preferring(d->graph, node, reader_pref) != 0 ||
        lw_lock_index_add(&d->lock_keys, locks, node) != 0) {
        if (node % LW_LOCK_BLOCK == 0) free(l);
        return NULL;
    }
    r->nlocks++;
    /* a lock first seen alone is now in the table: counted there, not twice */
    if (lw_lone_locks_remove(&d->lone, image, ref->addr, ref->generation)) r->nlone_locks--;
    return l;
}

int lw_lock_seen(struct lw_detector *d, const struct lw_rec_lock_seen *rec)
{
    struct lw_process *p = lw_process_for(d, &rec->h);
    if (!p || !lw_thread_of(d, &rec->h)) return LW_ERR_NOMEM;
    const struct lw_lock_ref *ref = &rec->lock;
    if (lw_lock_index_find(&d->lock_keys, d->report.locks, p->image, ref->addr, ref->generation) !=
        UINT32_MAX)
        return LW_OK;
    size_t before = d->lone.count;
    if (lw_lone_locks_add(&d->lone, p->image, ref->addr, ref->generation) != 0) return LW_ERR_NOMEM;
    d->report.nlone_locks += d->lone.count - before;
    return LW_OK;
}

long lw_resolve_held(struct lw_detector *d, uint32_t image, const struct lw_held *held,
                     uint32_t nheld)
{
    struct lw_held_lock *out =
        lw_grow(d->held_scratch, &d->held_scratch_cap, nheld, sizeof *d->held_scratch);
    if (!out) return -1;
    d->held_scratch = out;
    /* Repeats are found by a linear scan in a record's held set, by a map in a longer one (a
     * wait the driver read from the wait board). */
    bool large = nheld > LW_WIRE_MAX_HELD_EDGES;
    if (large) lw_map_free(&d->held_seen);
    size_t n = 0;
    for (uint32_t i = 0; i < nheld; i++) {
        int nomem = 0;
        struct lw_stack *stack = lw_depot_get(&d->depot, image, held[i].stack, &nomem);
        struct lw_lock *lock = nomem ? NULL : lw_lock_of(d, image, &held[i].lock, stack);
        if (!lock) return -1;
        uint64_t j = n;
        if (large) {
            if (!lw_map_get(&d->held_seen, (uint64_t)(uintptr_t)lock, 0, &j)) j = n;
        } else {
            for (j = 0; j < n && out[j].lock != lock;)
                j++;
        }
        if (j < n) {
            if (held[i].lock.mode == LW_MODE_EXCLUSIVE) out[j].mode = LW_MODE_EXCLUSIVE;
            continue;
        }
        if (large && lw_map_put(&d->held_seen, (uint64_t)(uintptr_t)lock, 0, n) != 0) return -1;
        out[n++] = (struct lw_held_lock){.lock = lock, .mode = held[i].lock.mode, .stack = stack};
    }
    return (long)n;
}

int lw_overflow_add(struct lw_detector *d, const struct lw_rec_overflow *rec)
{
    uint64_t seen;
    if (lw_map_get(&d->overflow_seen, (uint64_t)(uint32_t)rec->h.pid, rec->table, &seen))
        return LW_OK;
    struct lw_report *r = &d->report;
    struct lw_overflow *ovf =
        lw_grow(r->overflows, &d->overflows_cap, r->noverflows + 1, sizeof *ovf);
    if (!ovf) return LW_ERR_NOMEM;
    r->overflows = ovf;
    if (lw_map_put(&d->overflow_seen, (uint64_t)(uint32_t)rec->h.pid, rec->table, 1) != 0)
        return LW_ERR_NOMEM;
    ovf[r->noverflows++] =
        (struct lw_overflow){.pid = rec->h.pid, .table = rec->table, .limit = rec->limit};
    return LW_OK;
}

struct lw_lock *lw_resolve_request(struct lw_detector *d, uint32_t image,
                                   const struct lw_lock_ref *ref, uint64_t stack_id,
                                   const struct lw_held *held, uint32_t nheld, long *nresolved,
                                   struct lw_stack **stack)
{
    *stack = NULL;
    if ((*nresolved = lw_resolve_held(d, image, held, nheld)) < 0) return NULL;
    int nomem = 0;
    *stack = lw_depot_get(&d->depot, image, stack_id, &nomem);
    return nomem ? NULL : lw_lock_of(d, image, ref, *stack);
}
