/* test_render_golden.c — renders hand-built report models (no program, no symboliser) as text
 * and JSON and compares each with a file under tests/golden/expected/. The models cover every
 * shape the renderers branch on: two- and three-thread cycles, a group of 1,000 cycles of the
 * same code, a single-thread cycle on an
 * rwlock, misuse findings with labelled stacks, long stacks cut to the frame limit, frames
 * without symbols or without a module, a stack that never arrived, several processes,
 * overflows, a signal, colour and a clean run.
 *
 * usage: test_render_golden GOLDEN_DIR ACTUAL_DIR
 * It runs in GOLDEN_DIR, so source paths below it show relative; the absolute directory is
 * written as @CWD@ in the compared output so the files do not depend on the checkout's place. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "golden.h"
#include "lockwatch/wire.h"

#define PROGRAM "/opt/demo/bank"
#define LIBC "/usr/lib/x86_64-linux-gnu/libc.so.6"
#define NO_THREAD UINT32_MAX

static char cwd[PATH_MAX];

/* ---- every allocation of a model is kept here and freed when the case ends ---- */

static void *kept[4096];
static size_t nkept;

static void *keep(void *p)
{
    if (p == NULL || nkept == sizeof kept / sizeof kept[0]) {
        fprintf(stderr, "test_render_golden: out of memory\n");
        exit(1);
    }
    kept[nkept++] = p;
    return p;
}

static void release_all(void)
{
    while (nkept > 0)
        free(kept[--nkept]);
}

static void *copy(const void *src, size_t size)
{
    void *p = keep(malloc(size));
    memcpy(p, src, size);
    return p;
}

/* ---- model builders ---- */

static struct lw_module modules[] = {
    {.base = 0x555555554000, .start = 0x555555554000, .end = 0x55555555a000, .path = PROGRAM},
    {.base = 0x7ffff7dc0000, .start = 0x7ffff7dc0000, .end = 0x7ffff7f90000, .path = LIBC},
};

#define USER(pc, fn, file, line)                                                                   \
    {                                                                                              \
        (pc), (fn), (file), (line), PROGRAM, false, false, false                                   \
    }
#define SYS(pc, fn)                                                                                \
    {                                                                                              \
        (pc), (fn), NULL, 0, LIBC, false, false, false                                             \
    }

/* A stack of image `image`; relative file names are made absolute below the test's directory
 * (so the text renderer has to show them relative again). */
static struct lw_stack *stack_of(uint32_t image, const struct lw_frame *frames, size_t n)
{
    struct lw_stack *s = keep(calloc(1, sizeof *s));
    s->image = image;
    s->id = 0x1000 + nkept;
    s->nframes = n;
    s->frames = copy(frames, n * sizeof *frames);
    for (size_t i = 0; i < n; i++) {
        const char *file = s->frames[i].file;
        if (file == NULL || file[0] == '/') continue;
        char *abs = keep(malloc(strlen(cwd) + strlen(file) + 2));
        sprintf(abs, "%s/%s", cwd, file);
        s->frames[i].file = abs;
    }
    return s;
}
#define STACK(image, ...)                                                                          \
    stack_of((image), (const struct lw_frame[]){__VA_ARGS__},                                      \
             sizeof((const struct lw_frame[]){__VA_ARGS__}) / sizeof(struct lw_frame))

static struct lw_lock *lock_of(uint32_t index, uint64_t addr, uint8_t type, uint8_t flags,
                               const char *name)
{
    struct lw_lock l = {.index = index, .addr = addr, .type = type, .flags = flags, .name = name};
    return copy(&l, sizeof l);
}

static struct lw_thread *thread_of(uint32_t index, int32_t pid, uint32_t number, const char *label,
                                   uint32_t parent, struct lw_stack *created)
{
    struct lw_thread t = {.index = index,
                          .pid = pid,
                          .number = number,
                          .tid = pid + (int32_t)number,
                          .label = label,
                          .parent = parent,
                          .created = created};
    return copy(&t, sizeof t);
}

static struct lw_finding *finding_of(uint32_t id, enum lw_finding_kind kind, int32_t pid)
{
    struct lw_finding *f = keep(calloc(1, sizeof *f));
    f->id = id;
    f->kind = kind;
    f->pid = pid;
    return f;
}

#define LIST(type, ...)                                                                            \
    copy((type[]){__VA_ARGS__}, sizeof((type[]){__VA_ARGS__})),                                    \
        sizeof((type[]){__VA_ARGS__}) / sizeof(type)

static void set_locks(struct lw_finding *f, struct lw_lock **locks, size_t n)
{
    f->locks = locks;
    f->nlocks = n;
}

static void set_threads(struct lw_finding *f, struct lw_thread **threads, size_t n)
{
    f->threads = threads;
    f->nthreads = n;
}

static void set_cycle(struct lw_finding *f, struct lw_cycle_edge *cycle, size_t n)
{
    f->cycle = cycle;
    f->ncycle = n;
}

static void set_stacks(struct lw_finding *f, struct lw_labelled_stack *stacks, size_t n)
{
    f->stacks = stacks;
    f->nstacks = n;
}

static void set_waits(struct lw_finding *f, struct lw_thread_wait *waits, size_t n)
{
    f->waits = waits;
    f->nwaits = n;
}

static void set_findings(struct lw_report *r, struct lw_finding **findings, size_t n)
{
    r->findings = findings;
    r->nfindings = n;
}

static void set_report_locks(struct lw_report *r, struct lw_lock **locks, size_t n)
{
    r->locks = locks;
    r->nlocks = n;
}

static void set_report_threads(struct lw_report *r, struct lw_thread **threads, size_t n)
{
    r->threads = threads;
    r->nthreads = n;
}

static void set_overflows(struct lw_report *r, struct lw_overflow *overflows, size_t n)
{
    r->overflows = overflows;
    r->noverflows = n;
}

static struct lw_image one_image[] = {
    {.index = 0, .exe = PROGRAM, .nmodules = 2, .modules = modules}};

static void single_process(struct lw_report *r, int32_t pid)
{
    struct lw_process p = {.pid = pid, .parent_pid = 1, .image = 0};
    r->processes = copy(&p, sizeof p);
    r->nprocesses = 1;
    r->images = one_image;
    r->nimages = 1;
}

/* Makes f the finding of a group of `instances` cycles as the detector does: the cycle shown
 * is the first example, its stacks the first distinct stacks, then extra[0..nextra). */
static void set_group(struct lw_finding *f, size_t instances, struct lw_lock **second,
                      struct lw_stack **extra, size_t nextra)
{
    f->instances = instances;
    struct lw_lock **first = keep(calloc(f->ncycle, sizeof *first));
    for (size_t k = 0; k < f->ncycle; k++)
        first[k] = f->cycle[k].holding;
    f->examples[f->nexamples++] = (struct lw_instance_example){f->ncycle, first};
    if (second != NULL)
        f->examples[f->nexamples++] = (struct lw_instance_example){f->ncycle, second};
    f->distinct_stacks = keep(calloc(2 * f->ncycle + nextra, sizeof *f->distinct_stacks));
    for (size_t k = 0; k < f->ncycle; k++) {
        f->distinct_stacks[f->ndistinct_stacks++] = f->cycle[k].holding_stack;
        f->distinct_stacks[f->ndistinct_stacks++] = f->cycle[k].acquiring_stack;
    }
    for (size_t k = 0; k < nextra; k++)
        f->distinct_stacks[f->ndistinct_stacks++] = extra[k];
}

/* A thread's stack below its own code. */
#define THREAD_BASE SYS(0x7ffff7e5a044, "start_thread"), SYS(0x7ffff7eda5fc, "clone3")

/* ---- the cases ---- */

/* The classic: two threads take two locks in opposite orders. */
static void build_abba(struct lw_report *r)
{
    single_process(r, 4242);
    struct lw_thread *t0 = thread_of(0, 4242, 0, "main", NO_THREAD, NULL);
    struct lw_thread *t1 = thread_of(1, 4242, 1, "worker_ab", 0,
                                     STACK(0, USER(0x555555555480, "main", "src/broken.c", 40),
                                           SYS(0x7ffff7de918a, "__libc_start_call_main")));
    struct lw_thread *t2 = thread_of(2, 4242, 2, "worker_ba", 0,
                                     STACK(0, USER(0x5555555554a0, "main", "src/broken.c", 41),
                                           SYS(0x7ffff7de918a, "__libc_start_call_main")));
    struct lw_lock *a = lock_of(1, 0x555555558040, LW_LOCK_MUTEX, 0, "lock_a");
    struct lw_lock *b = lock_of(2, 0x555555558080, LW_LOCK_MUTEX, 0, "lock_b");

    struct lw_finding *f = finding_of(1, LW_KIND_LOCK_ORDER_INVERSION, 4242);
    set_locks(f, LIST(struct lw_lock *, a, b));
    set_threads(f, LIST(struct lw_thread *, t1, t2));
    set_cycle(f,
              LIST(struct lw_cycle_edge,
                   {t1, a, b, LW_MODE_EXCLUSIVE, LW_MODE_EXCLUSIVE,
                    STACK(0, USER(0x555555555215, "worker_ab", "src/broken.c", 21), THREAD_BASE),
                    STACK(0, USER(0x555555555229, "worker_ab", "src/broken.c", 23), THREAD_BASE)},
                   {t2, b, a, LW_MODE_EXCLUSIVE, LW_MODE_EXCLUSIVE,
                    STACK(0, USER(0x555555555315, "worker_ba", "src/broken.c", 30), THREAD_BASE),
                    STACK(0, USER(0x555555555329, "worker_ba", "src/broken.c", 32), THREAD_BASE)}));
    set_group(f, 1, NULL, NULL, 0);
    set_findings(r, LIST(struct lw_finding *, f));
    set_report_locks(r, LIST(struct lw_lock *, a, b));
    set_report_threads(r, LIST(struct lw_thread *, t0, t1, t2));
}

/* One finding for 1,000 cycles of the same code: transfers between pairs of accounts in both
 * directions. Other instances also came from an audit path (six more stacks: four shown, two
 * counted). */
static void build_group(struct lw_report *r)
{
    single_process(r, 4343);
    struct lw_thread *t0 = thread_of(0, 4343, 0, "main", NO_THREAD, NULL);
    struct lw_thread *t1 = thread_of(1, 4343, 1, "teller_a", 0,
                                     STACK(0, USER(0x555555555480, "main", "src/bank.c", 60)));
    struct lw_thread *t2 = thread_of(2, 4343, 2, "teller_b", 0,
                                     STACK(0, USER(0x5555555554a0, "main", "src/bank.c", 61)));
    struct lw_lock *m[4];
    for (uint32_t i = 0; i < 4; i++) {
        char *name = keep(malloc(32));
        snprintf(name, 32, "accounts+%u", 64 * i);
        m[i] = lock_of(i + 1, 0x555555558040 + 64 * i, LW_LOCK_MUTEX, 0, name);
    }
    struct lw_finding *f = finding_of(1, LW_KIND_LOCK_ORDER_INVERSION, 4343);
    set_locks(f, LIST(struct lw_lock *, m[0], m[1]));
    set_threads(f, LIST(struct lw_thread *, t1, t2));
    set_cycle(f, LIST(struct lw_cycle_edge,
                      {t1, m[0], m[1], LW_MODE_EXCLUSIVE, LW_MODE_EXCLUSIVE,
                       STACK(0, USER(0x555555555215, "transfer", "src/bank.c", 30),
                             USER(0x555555555300, "teller_a", "src/bank.c", 45), THREAD_BASE),
                       STACK(0, USER(0x555555555229, "transfer", "src/bank.c", 31),
                             USER(0x555555555300, "teller_a", "src/bank.c", 45), THREAD_BASE)},
                      {t2, m[1], m[0], LW_MODE_EXCLUSIVE, LW_MODE_EXCLUSIVE,
                       STACK(0, USER(0x555555555215, "transfer", "src/bank.c", 30),
                             USER(0x555555555340, "teller_b", "src/bank.c", 52), THREAD_BASE),
                       STACK(0, USER(0x555555555229, "transfer", "src/bank.c", 31),
                             USER(0x555555555340, "teller_b", "src/bank.c", 52), THREAD_BASE)}));
    struct lw_stack *extra[6];
    for (int i = 0; i < 6; i++)
        extra[i] = STACK(0, USER(0x555555555215, "transfer", "src/bank.c", 30 + i % 2),
                         USER(0x555555555400 + (uint64_t)i, "audit", "src/audit.c", 10 + i));
    struct lw_lock **second = keep(calloc(2, sizeof *second));
    second[0] = m[2];
    second[1] = m[3];
    set_group(f, 1000, second, extra, 6);
    set_findings(r, LIST(struct lw_finding *, f));
    set_report_locks(r, LIST(struct lw_lock *, m[0], m[1], m[2], m[3]));
    set_report_threads(r, LIST(struct lw_thread *, t0, t1, t2));
}

/* The group above, after its shown pair really deadlocked: a deadlock with inversion that still
 * counts the group's instances (its message says how many; the text adds the examples). */
static void build_group_deadlock(struct lw_report *r)
{
    build_group(r);
    struct lw_finding *f = r->findings[0];
    f->kind = LW_KIND_DEADLOCK;
    f->inversion = true;
    struct lw_held_info *held = keep(calloc(2, sizeof *held));
    for (size_t k = 0; k < 2; k++)
        held[k] = (struct lw_held_info){f->cycle[k].holding, LW_MODE_EXCLUSIVE,
                                        f->cycle[k].holding_stack};
    set_waits(f, LIST(struct lw_thread_wait,
                      {.thread = f->cycle[0].thread,
                       .kind = LW_WAIT_LOCK,
                       .lock = f->cycle[0].acquiring,
                       .waits_for = f->cycle[1].thread,
                       .stack = f->cycle[0].acquiring_stack,
                       .nheld = 1,
                       .held = &held[0]},
                      {.thread = f->cycle[1].thread,
                       .kind = LW_WAIT_LOCK,
                       .lock = f->cycle[1].acquiring,
                       .waits_for = f->cycle[0].thread,
                       .stack = f->cycle[1].acquiring_stack,
                       .nheld = 1,
                       .held = &held[1]}));
    set_stacks(f, LIST(struct lw_labelled_stack,
                       {f->cycle[0].thread, "blocked here", f->cycle[0].acquiring_stack},
                       {f->cycle[1].thread, "blocked here", f->cycle[1].acquiring_stack}));
}

/* Several kinds in one run of a C++ program: a single-thread cycle through an rwlock, a double
 * lock deep in recursion (more frames than the limit, system frames in the middle), an unlock of
 * an unowned heap lock, an exit holding a lock whose stack never arrived and whose frames have
 * no symbols. The program was then killed by SIGABRT; two runtime tables filled. */
static void build_misuse(struct lw_report *r)
{
    single_process(r, 5151);
    struct lw_thread *t0 = thread_of(0, 5151, 0, "main", NO_THREAD, NULL);
    struct lw_thread *t1 = thread_of(1, 5151, 1, "bank::auditor", 0,
                                     STACK(0, USER(0x555555555600, "main", "src/bank.cc", 88)));
    struct lw_thread *t3 = thread_of(2, 5151, 3, NULL, 0, NULL);
    struct lw_lock *table = lock_of(1, 0x5555555580c0, LW_LOCK_RWLOCK, 0, "accounts_lock");
    struct lw_lock *entry =
        lock_of(2, 0x555555558100, LW_LOCK_MUTEX, LW_LOCKF_ERRORCHECK, "accounts+40");
    struct lw_lock *heap = lock_of(3, 0x55555556b2a0, LW_LOCK_MUTEX, 0,
                                   "mutex first locked in open_account "
                                   "(bank.cc:12)");
    struct lw_lock *spin = lock_of(4, 0x7fffe8000b70, LW_LOCK_SPIN, 0, NULL);

    struct lw_finding *cycle = finding_of(1, LW_KIND_LOCK_ORDER_INVERSION, 5151);
    cycle->single_thread = true;
    set_locks(cycle, LIST(struct lw_lock *, table, entry));
    set_threads(cycle, LIST(struct lw_thread *, t0));
    set_cycle(cycle, LIST(struct lw_cycle_edge,
                          {t0, table, entry, LW_MODE_SHARED, LW_MODE_EXCLUSIVE,
                           STACK(0, USER(0x555555555700, "bank::report()", "src/bank.cc", 50)),
                           STACK(0, USER(0x555555555720, "bank::report()", "src/bank.cc", 52))},
                          {t0, entry, table, LW_MODE_EXCLUSIVE, LW_MODE_EXCLUSIVE,
                           STACK(0, USER(0x555555555800, "bank::close()", "src/bank.cc", 61)),
                           STACK(0, USER(0x555555555820, "bank::close()", "src/bank.cc", 63))}));

    struct lw_finding *twice = finding_of(2, LW_KIND_DOUBLE_LOCK, 5151);
    set_locks(twice, LIST(struct lw_lock *, entry));
    set_threads(twice, LIST(struct lw_thread *, t1));
    set_stacks(twice, LIST(struct lw_labelled_stack,
                           {t1, "locks it again here",
                            STACK(0, USER(0x555555555a10, "audit_entry", "src/audit.c", 17),
                                  SYS(0x7ffff7df0e30, "msort_with_tmp.part.0"),
                                  SYS(0x7ffff7df1100, "qsort_r"),
                                  USER(0x555555555a80, "audit_all", "src/audit.c", 30),
                                  USER(0x555555555a90, "walk", "src/audit.c", 40),
                                  USER(0x555555555a90, "walk", "src/audit.c", 40),
                                  USER(0x555555555a90, "walk", "src/audit.c", 40),
                                  USER(0x555555555a90, "walk", "src/audit.c", 40),
                                  USER(0x555555555a90, "walk", "src/audit.c", 40),
                                  USER(0x555555555ab0, "auditor", "src/audit.c", 55), THREAD_BASE)},
                           {t1, "first locked here",
                            STACK(0, USER(0x555555555a00, "audit_entry", "src/audit.c", 15),
                                  USER(0x555555555a80, "audit_all", "src/audit.c", 30))}));

    struct lw_finding *unowned = finding_of(3, LW_KIND_UNLOCK_UNOWNED, 5151);
    set_locks(unowned, LIST(struct lw_lock *, heap));
    set_threads(unowned, LIST(struct lw_thread *, t0));
    set_stacks(unowned, LIST(struct lw_labelled_stack,
                             {t0, "unlocks here",
                              STACK(0, USER(0x555555555b00, "close_account", "/tmp/bank.cc", 99),
                                    SYS(0x7ffff7de918a, NULL),
                                    {0xdeadbeef, NULL, NULL, 0, NULL, false, false, false})}));

    struct lw_stack *lost = keep(calloc(1, sizeof *lost));
    lost->id = 0x77;
    struct lw_finding *left = finding_of(4, LW_KIND_EXIT_HOLDING_LOCK, 5151);
    set_locks(left, LIST(struct lw_lock *, spin));
    set_threads(left, LIST(struct lw_thread *, t3));
    set_stacks(left, LIST(struct lw_labelled_stack, {t3, "locked here", lost},
                          {t3, "exited here", NULL})); /* never captured: stack id 0 */

    set_findings(r, LIST(struct lw_finding *, cycle, twice, unowned, left));
    set_report_locks(r, LIST(struct lw_lock *, table, entry, heap, spin));
    set_report_threads(r, LIST(struct lw_thread *, t0, t1, t3));
    set_overflows(r, LIST(struct lw_overflow, {5151, LW_OVERFLOW_CHAINS, 4096},
                          {5151, LW_OVERFLOW_CHANNEL, 0}));
    r->bad_records = 2;
}

/* A real deadlock of three threads in a forked child: thread ids carry the pid. */
static void build_multiprocess(struct lw_report *r)
{
    static struct lw_process procs[] = {
        {.pid = 7000, .parent_pid = 1, .image = 0},
        {.pid = 7001, .parent_pid = 7000, .image = 0, .forked = true}};
    r->processes = procs;
    r->nprocesses = 2;
    r->images = one_image;
    r->nimages = 1;
    struct lw_thread *p0 = thread_of(0, 7000, 0, "main", NO_THREAD, NULL);
    struct lw_thread *c0 = thread_of(1, 7001, 0, "main", NO_THREAD, NULL);
    struct lw_thread *c[3];
    struct lw_lock *fork_lock[3];
    static const char *const names[] = {"fork_0", "fork_1", "fork_2"};
    for (uint32_t i = 0; i < 3; i++) {
        c[i] = thread_of(2 + i, 7001, 1 + i, "philosopher", 0,
                         STACK(0, USER(0x555555555c00 + 0x10 * i, "main", "src/dine.c", 70)));
        fork_lock[i] = lock_of(1 + i, 0x555555558200 + 0x40 * i, LW_LOCK_MTX, 0, names[i]);
    }
    struct lw_finding *f = finding_of(1, LW_KIND_DEADLOCK, 7001);
    set_locks(f, LIST(struct lw_lock *, fork_lock[0], fork_lock[1], fork_lock[2]));
    set_threads(f, LIST(struct lw_thread *, c[0], c[1], c[2]));
    struct lw_cycle_edge edges[3];
    for (uint32_t i = 0; i < 3; i++)
        edges[i] = (struct lw_cycle_edge){
            c[i],
            fork_lock[i],
            fork_lock[(i + 1) % 3],
            LW_MODE_EXCLUSIVE,
            LW_MODE_EXCLUSIVE,
            STACK(0, USER(0x555555555d00, "dine", "src/dine.c", 31), THREAD_BASE),
            STACK(0, USER(0x555555555d20, "dine", "src/dine.c", 33), THREAD_BASE)};
    set_cycle(f, copy(edges, sizeof edges), 3);
    set_findings(r, LIST(struct lw_finding *, f));
    set_report_locks(r, LIST(struct lw_lock *, fork_lock[0], fork_lock[1], fork_lock[2]));
    set_report_threads(r, LIST(struct lw_thread *, p0, c0, c[0], c[1], c[2]));
    set_overflows(r, LIST(struct lw_overflow, {7001, LW_OVERFLOW_HELD, 32}));
}

/* A data race reported by ThreadSanitizer: named frames as TSan printed them (absolute paths,
 * its module names and offsets), one frame without a source file, one side holding a lock, one
 * access by a thread lockwatch never saw; the threads' creation stacks are lockwatch's. */
#define TSAN_FRAME(pc, fn, file, line)                                                             \
    {                                                                                              \
        (pc), (fn), (file), (line), "bank", false, false, false                                    \
    }
static struct lw_stack *named_stack(struct lw_stack *s)
{
    s->named = true;
    s->image = UINT32_MAX;
    return s;
}

static void set_accesses(struct lw_finding *f, struct lw_access *accesses, size_t n)
{
    f->accesses = accesses;
    f->naccesses = n;
}

static void build_race(struct lw_report *r)
{
    single_process(r, 6060);
    struct lw_thread *t0 = thread_of(0, 6060, 0, "main", NO_THREAD, NULL);
    struct lw_thread *t1 = thread_of(1, 6060, 1, "teller", 0,
                                     STACK(0, USER(0x555555555e00, "main", "src/bank.c", 70),
                                           SYS(0x7ffff7de918a, "__libc_start_call_main")));
    struct lw_thread *t2 = thread_of(2, 6060, 2, "auditor", 0,
                                     STACK(0, USER(0x555555555e20, "main", "src/bank.c", 71),
                                           SYS(0x7ffff7de918a, "__libc_start_call_main")));
    struct lw_finding *f = finding_of(1, LW_KIND_DATA_RACE, 6060);
    set_threads(f, LIST(struct lw_thread *, t2, t1));
    struct lw_stack *now = named_stack(STACK(0, TSAN_FRAME(0xd021f, "audit", "/src/bank.c", 33),
                                             TSAN_FRAME(0xd0300, "auditor", "/src/bank.c", 50)));
    struct lw_stack *before =
        named_stack(STACK(0, TSAN_FRAME(0xd0288, "deposit", "/src/bank.c", 21),
                          TSAN_FRAME(0xd0400, "teller", "/src/bank.c", 40),
                          TSAN_FRAME(0x4fbf1, "__tsan_thread_start_func", NULL, 0)));
    set_accesses(f, LIST(struct lw_access,
                         {.write = true,
                          .size = 8,
                          .addr = 0x7b0400000010,
                          .thread = t2,
                          .tsan_thread = "T2",
                          .stack = now},
                         {.write = true,
                          .previous = true,
                          .size = 8,
                          .addr = 0x7b0400000010,
                          .thread = t1,
                          .tsan_thread = "T1",
                          .mutexes = "write M0",
                          .stack = before}));
    f->variable = "balance";
    f->location = "heap block of size 16";
    set_stacks(f, LIST(struct lw_labelled_stack, {t2, "write here", now},
                       {t1, "previous write here", before}));

    /* The same memory read by a thread that TSan saw and lockwatch did not. */
    struct lw_finding *g = finding_of(2, LW_KIND_DATA_RACE, 6060);
    set_threads(g, LIST(struct lw_thread *, t1));
    struct lw_stack *read = named_stack(STACK(0, TSAN_FRAME(0xd0500, "peek", "/src/bank.c", 60)));
    set_accesses(
        g,
        LIST(
            struct lw_access,
            {.atomic = true, .size = 4, .addr = 0x7b0400000010, .tsan_thread = "T5", .stack = read},
            {.write = true,
             .previous = true,
             .size = 8,
             .addr = 0x7b0400000010,
             .thread = t1,
             .tsan_thread = "T1",
             .mutexes = "write M0, read M3",
             .stack = before}));
    set_stacks(g, LIST(struct lw_labelled_stack, {NULL, "read here", read},
                       {t1, "previous write here", before}));
    set_findings(r, LIST(struct lw_finding *, f, g));
    set_report_threads(r, LIST(struct lw_thread *, t0, t1, t2));
}

/* A stuck run (every thread waits): main joins a worker that waits on a condition variable while
 * holding a lock the third thread waits for. */
static void build_stuck(struct lw_report *r)
{
    single_process(r, 3131);
    struct lw_thread *t0 = thread_of(0, 3131, 0, "main", NO_THREAD, NULL);
    struct lw_stack *created = STACK(0, USER(0x555555555e00, "main", "src/stuck.c", 60),
                                     SYS(0x7ffff7de918a, "__libc_start_call_main"));
    struct lw_thread *t1 = thread_of(1, 3131, 1, "loader", 0, created);
    struct lw_thread *t2 = thread_of(2, 3131, 2, "reporter", 0, created);
    struct lw_lock *config = lock_of(1, 0x555555558040, LW_LOCK_MUTEX, 0, "config_lock");
    struct lw_lock *queue = lock_of(2, 0x555555558080, LW_LOCK_MUTEX, 0, "queue_lock");
    struct lw_stack *joins = STACK(0, USER(0x555555555e40, "main", "src/stuck.c", 63),
                                   SYS(0x7ffff7de918a, "__libc_start_call_main"));
    struct lw_stack *waits =
        STACK(0, USER(0x555555555600, "loader", "src/stuck.c", 25), THREAD_BASE);
    struct lw_stack *took =
        STACK(0, USER(0x5555555555e0, "loader", "src/stuck.c", 22), THREAD_BASE);
    struct lw_stack *blocked =
        STACK(0, USER(0x555555555700, "reporter", "src/stuck.c", 40), THREAD_BASE);
    struct lw_finding *f = finding_of(1, LW_KIND_DEADLOCK, 3131);
    f->stuck = true;
    set_locks(f, LIST(struct lw_lock *, config));
    set_threads(f, LIST(struct lw_thread *, t0, t1, t2));
    struct lw_held_info *held =
        copy(&(struct lw_held_info){config, LW_MODE_EXCLUSIVE, took}, sizeof(struct lw_held_info));
    set_waits(f, LIST(struct lw_thread_wait,
                      {.thread = t0,
                       .kind = LW_WAIT_JOIN,
                       .object = 0x7ffff7a00640,
                       .waits_for = t1,
                       .stack = joins},
                      {.thread = t1,
                       .kind = LW_WAIT_COND,
                       .lock = queue,
                       .object = 0x5555555580c0,
                       .object_name = "ready_cv",
                       .last_signal = LW_SIGNAL_NEVER,
                       .stack = waits,
                       .nheld = 1,
                       .held = held},
                      {.thread = t2,
                       .kind = LW_WAIT_LOCK,
                       .lock = config,
                       .waits_for = t1,
                       .stack = blocked}));
    set_stacks(f, LIST(struct lw_labelled_stack, {t0, "joins here", joins},
                       {t1, "waits on the condition variable here", waits},
                       {t1, "acquired here", took}, {t2, "blocked here", blocked}));
    set_findings(r, LIST(struct lw_finding *, f));
    set_report_locks(r, LIST(struct lw_lock *, config, queue));
    set_report_threads(r, LIST(struct lw_thread *, t0, t1, t2));
}

/* Nothing found: one line, counting the locks taken alone too. */
static void build_clean(struct lw_report *r)
{
    single_process(r, 9000);
    struct lw_thread *t0 = thread_of(0, 9000, 0, "main", NO_THREAD, NULL);
    struct lw_thread *t1 = thread_of(1, 9000, 1, "worker", 0, NULL);
    set_report_locks(r, LIST(struct lw_lock *, lock_of(1, 0x555555558040, LW_LOCK_MUTEX, 0, NULL),
                             lock_of(2, 0x555555558080, LW_LOCK_MUTEX, LW_LOCKF_RECURSIVE, NULL),
                             lock_of(3, 0x5555555580c0, LW_LOCK_RWLOCK, 0, NULL)));
    set_report_threads(r, LIST(struct lw_thread *, t0, t1));
    r->nlone_locks = 2; /* two more locks, each only ever taken alone */
}

/* ---- rendering and comparing ---- */

/* out with every occurrence of the working directory replaced by @CWD@. */
static char *normalise(const char *out)
{
    size_t n = strlen(cwd), len = strlen(out);
    char *norm = keep(malloc(len * 2 + 1)), *w = norm;
    for (const char *p = out; *p != '\0';) {
        if (strncmp(p, cwd, n) == 0) {
            w += sprintf(w, "@CWD@");
            p += n;
        } else {
            *w++ = *p++;
        }
    }
    *w = '\0';
    return norm;
}

/* Renders r with `render` and compares with expected/NAME; returns true when they match. */
static bool check(const char *name, int (*render)(FILE *, const struct lwd_render_input *),
                  const struct lwd_render_input *in)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&buf, &size);
    if (mem == NULL) {
        perror("open_memstream");
        return false;
    }
    int rc = render(mem, in);
    fclose(mem);
    keep(buf);
    if (rc != 0) {
        fprintf(stderr, "%s: the renderer returned %d\n", name, rc);
        return false;
    }
    const char *actual = normalise(buf);
    return golden_compare(name, actual);
}

struct golden_case {
    const char *name;
    void (*build)(struct lw_report *r);
    struct lwd_outcome outcome;
    bool color;
    bool races_checked;
    bool verbose; /* --verbose: a clean run's summary line, the counts in every summary */
};

static bool run_case(const struct golden_case *c)
{
    struct lw_report report = {0};
    c->build(&report);
    char *argv[] = {"./demo", "--threads", "2", NULL};
    struct lwd_options options = {
        .format = LWD_FORMAT_TEXT, .argv = argv, .argc = 3, .verbose = c->verbose};
    struct lwd_render_input in = {.report = &report,
                                  .options = &options,
                                  .outcome = &c->outcome,
                                  .color = c->color,
                                  .races_checked = c->races_checked};
    char name[128];
    snprintf(name, sizeof name, "%s.txt", c->name);
    bool ok = check(name, lwd_render_text, &in);
    if (!c->color) {
        snprintf(name, sizeof name, "%s.json", c->name);
        ok = check(name, lwd_render_json, &in) && ok;
    }
    release_all();
    return ok;
}

int main(int argc, char **argv)
{
    int rc = golden_init(argc, argv);
    if (rc != 0) return rc;
    if (chdir(golden_dir()) != 0 || getcwd(cwd, sizeof cwd) == NULL) {
        perror(golden_dir());
        return 1;
    }
    static const struct golden_case cases[] = {
        {"abba", build_abba, {.pid = 4242, .exit_code = 0}, false, true, false},
        {"abba.color", build_abba, {.pid = 4242, .exit_code = 0}, true, true, false},
        {"group", build_group, {.pid = 4343, .exit_code = 0}, false, true, false},
        {"group-deadlock",
         build_group_deadlock,
         {.pid = 4343, .signal = 9, .stopped = true, .stop_reason = LWD_STOP_DEADLOCK},
         false,
         true,
         false},
        {"misuse", build_misuse, {.pid = 5151, .signal = 6}, false, true, false},
        {"multiprocess", build_multiprocess, {.pid = 7000, .signal = 9}, false, true, false},
        /* --verbose: the summary of a run with findings counts locks, threads and processes. */
        {"multiprocess.verbose", build_multiprocess, {.pid = 7000, .signal = 9}, false, true, true},
        {"clean", build_clean, {.pid = 9000, .exit_code = 3}, false, true, true},
        {"clean.no-tsan", build_clean, {.pid = 9000, .exit_code = 0}, false, false, true},
        /* Without --verbose a clean run prints nothing at all. */
        {"clean.quiet", build_clean, {.pid = 9000, .exit_code = 0}, false, false, false},
        {"race", build_race, {.pid = 6060, .exit_code = 0}, false, true, false},
        {"stuck",
         build_stuck,
         {.pid = 3131, .signal = 9, .stopped = true, .stop_reason = LWD_STOP_DEADLOCK},
         false,
         true,
         false},
    };
    int failed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        failed += !run_case(&cases[i]);
    return failed == 0 ? 0 : 1;
}
