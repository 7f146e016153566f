/* test_symbolise.c — the symboliser on a real process: this test is its own "program". It
 * records its module map (dl_iterate_phdr) and a few of its own stacks (backtrace), builds a
 * report around them by hand and checks what lwd_symbolise_report() names: functions and
 * source lines of frames, a lock in a global ("lock_a"), a lock inside a global struct by its
 * member ("accounts.guard", from DWARF), a heap lock by the user code that first took it, and
 * threads by name, "main" and start routine. */
#include <execinfo.h>
#include <link.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "lockwatch/wire.h"

pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
struct {
    long balance[5];
    pthread_mutex_t guard;
} accounts;

static struct lw_module modules[128];
static size_t nmodules;
static char exe[4096];

static int add_module(struct dl_phdr_info *info, size_t size, void *data)
{
    uint64_t lo = UINT64_MAX, hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD) continue;
        uint64_t start = info->dlpi_addr + ph->p_vaddr;
        lo = start < lo ? start : lo;
        hi = start + ph->p_memsz > hi ? start + ph->p_memsz : hi;
    }
    const char *path = info->dlpi_name[0] != '\0' ? info->dlpi_name : exe;
    if (nmodules < sizeof modules / sizeof modules[0] && lo < hi)
        modules[nmodules++] = (struct lw_module){info->dlpi_addr, lo, hi, path, 0};
    return 0;
}

static struct lw_stack stacks[8];
static struct lw_frame frames[8][16];
static size_t nstacks;

/* Records the caller's stack: return addresses, innermost first, starting at the return into the
 * caller (frames of capture itself, and of an ASan backtrace interceptor, are dropped). */
static __attribute__((noinline)) struct lw_stack *capture(void)
{
    void *pcs[20];
    void *caller = __builtin_return_address(0);
    int n = backtrace(pcs, 20), first = 0;
    while (first < n && pcs[first] != caller)
        first++;
    struct lw_stack *s = &stacks[nstacks];
    s->frames = frames[nstacks++];
    for (int i = first; i < n && s->nframes < 16; i++)
        s->frames[s->nframes++].pc = (uint64_t)(uintptr_t)pcs[i];
    return s;
}

static int site_line;

static __attribute__((noinline)) struct lw_stack *open_account(void)
{
    site_line = __LINE__ + 1;
    struct lw_stack *s = capture();
    __asm__ volatile("" ::: "memory"); /* keep the call a call, not a tail call */
    return s;
}

static void *teller(void *arg)
{
    return arg;
}

static int failures;

static void expect(const char *what, const char *got, const char *want)
{
    if (got != NULL && strcmp(got, want) == 0) return;
    printf("FAIL %s: got \"%s\", want \"%s\"\n", what, got ? got : "(null)", want);
    failures++;
}

int main(void)
{
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return 1;
    exe[n] = '\0';
    dl_iterate_phdr(add_module, NULL);

    struct lw_image image = {.index = 0, .exe = exe, .nmodules = nmodules, .modules = modules};
    struct lw_process process = {.pid = getpid(), .parent_pid = 1, .image = 0};
    pthread_mutex_t *heap_lock = malloc(sizeof *heap_lock);
    struct lw_lock a = {.index = 1, .addr = (uintptr_t)&lock_a, .type = LW_LOCK_MUTEX};
    struct lw_lock b = {.index = 2, .addr = (uintptr_t)&accounts.guard, .type = LW_LOCK_MUTEX};
    struct lw_lock c = {.index = 3,
                        .addr = (uintptr_t)heap_lock,
                        .type = LW_LOCK_MUTEX,
                        .first_stack = open_account()};
    struct lw_thread t0 = {.pid = getpid(), .number = 0, .parent = UINT32_MAX};
    struct lw_thread t1 = {.index = 1,
                           .pid = getpid(),
                           .number = 1,
                           .parent = 0,
                           .created = open_account(),
                           .start_routine = (uintptr_t)teller};
    char named[] = "ledger";
    struct lw_thread t2 = {.index = 2, .pid = getpid(), .number = 2, .parent = 0, .name = named};
    struct lw_lock *locks[] = {&a, &b, &c};
    struct lw_thread *threads[] = {&t0, &t1, &t2};
    struct lw_cycle_edge edges[] = {{&t1, &a, &b, 0, 0, open_account(), open_account()},
                                    {&t2, &b, &a, 0, 0, open_account(), NULL}};
    struct lw_finding finding = {.id = 1,
                                 .kind = LW_KIND_LOCK_ORDER_INVERSION,
                                 .pid = getpid(),
                                 .nlocks = 3,
                                 .locks = locks,
                                 .nthreads = 3,
                                 .threads = threads,
                                 .ncycle = 2,
                                 .cycle = edges};
    struct lw_finding *findings[] = {&finding};
    struct lw_report report = {.nfindings = 1,
                               .findings = findings,
                               .nprocesses = 1,
                               .processes = &process,
                               .nimages = 1,
                               .images = &image,
                               .nlocks = 3,
                               .locks = locks,
                               .nthreads = 3,
                               .threads = threads};

    if (lwd_symbolise_report(&report) != 0) {
        printf("FAIL lwd_symbolise_report returned an error\n");
        return 1;
    }

    char want[256];
    const struct lw_frame *f = &edges[0].holding_stack->frames[0];
    expect("frame 0 function", f->function, "open_account");
    expect("frame 0 file", f->file ? strrchr(f->file, '/') + 1 : NULL, "test_symbolise.c");
    if (f->line != site_line) {
        printf("FAIL frame 0 line: got %d, want %d\n", f->line, site_line);
        failures++;
    }
    expect("frame 0 module", f->module, exe);
    expect("frame 1 function", edges[0].holding_stack->frames[1].function, "main");
    expect("global lock", a.name, "lock_a");
    expect("lock inside a global", b.name, "accounts.guard");
    snprintf(want, sizeof want, "mutex first locked at test_symbolise.c:%d (open_account)",
             site_line);
    expect("heap lock", c.name, want);
    expect("main thread", t0.label, "main");
    expect("thread by start routine", t1.label, "teller");
    expect("named thread", t2.label, "ledger");
    expect("creation stack", t1.created->frames[0].function, "open_account");
    free(heap_lock);
    printf("%s\n", failures == 0 ? "ok symbolise" : "symbolise: failures");
    return failures == 0 ? 0 : 1;
}
