/* make_seeds.c — writes the record seeds of tests/fuzz/corpus (records/ and ring/) with the unit
 * tests' record builders, so each seed is a stream a real run could send: an ABBA inversion with
 * names, modules and stacks, a deadlock wait, a misuse, an overflow and holds. Run by hand after
 * a wire format change (docs/internals.md, "Fuzzing"), from the source tree:
 *   cc -I detector/include -I tests/unit -o /tmp/make_seeds tests/fuzz/make_seeds.c
 *      tests/unit/records.c build/lib/liblockwatch_detector.a -lcmocka
 *   /tmp/make_seeds tests/fuzz/corpus */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockwatch/ring.h"
#include "records.h"

#define PID 4000

struct stream {
    unsigned char bytes[1 << 16];
    size_t len;      /* as on a socket: records back to back */
    size_t ring_len; /* as in a ring: each record in a slot of lw_ring_span(size) */
    unsigned char ring[1 << 16];
};

static void add(struct stream *s, const struct rec *r)
{
    memcpy(s->bytes + s->len, r->bytes, r->len);
    s->len += r->len;
    memcpy(s->ring + s->ring_len, r->bytes, r->len);
    s->ring_len += lw_ring_span(r->len);
}

static void save(const char *dir, const char *kind, const char *name, const void *b, size_t n,
                 const void *prefix, size_t nprefix)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s", dir, kind, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(prefix, 1, nprefix, f) != nprefix || fwrite(b, 1, n, f) != n ||
        fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void emit(const char *dir, const char *name, const struct stream *s)
{
    unsigned char split = (unsigned char)(s->len / 3);
    save(dir, "records", name, s->bytes, s->len, &split, 1);
    uint64_t counters[2] = {LW_RING_DATA_SIZE - 64, s->ring_len}; /* tail near the wrap */
    save(dir, "ring", name, s->ring, s->ring_len, counters, sizeof counters);
}

int main(int argc, char **argv)
{
    if (argc != 2) return 2;
    static struct stream abba, misc, python;
    struct rec r;
    uint64_t pcs[] = {0x401000, 0x401100, 0x7f0000001000};
    struct lw_lock_ref a = ref_mutex(0x601000), b = ref_mutex(0x601040);
    struct lw_lock_ref rw = ref_rwlock(0x601080, LW_MODE_SHARED, 0);

    rec_process(&r, PID, 1, LW_ORIGIN_EXEC, "/usr/bin/prog");
    add(&abba, &r);
    add(&misc, &r);
    rec_module(&r, PID, 0x400000, "/usr/bin/prog");
    add(&abba, &r);
    rec_stack(&r, PID, 1, 3, pcs);
    add(&abba, &r);
    add(&misc, &r);
    rec_thread(&r, PID, 1, 0, 1);
    add(&abba, &r);
    rec_thread_name(&r, PID, 1, "worker");
    add(&abba, &r);
    rec_thread(&r, PID, 2, 0, 1);
    add(&abba, &r);
    struct lw_held held_a = held_at(a, 1), held_b = held_at(b, 1);
    rec_acquire(&r, PID, 1, b, 1, 1, &held_a);
    add(&abba, &r);
    for (uint32_t t = 1; t <= 2; t++) { /* a barrier round between the two orders */
        rec_barrier(&r, PID, t, 0x6010c0, 2, 1);
        rec_epoch(&r, 1);
        add(&abba, &r);
    }
    rec_acquire(&r, PID, 2, a, 1, 1, &held_b);
    rec_epoch(&r, 1);
    add(&abba, &r);
    rec_thread_exit(&r, PID, 1, 0);
    add(&abba, &r);
    emit(argv[1], "abba", &abba);

    rec_wait(&r, PID, 1, a, 1, 0, 1, &held_b);
    add(&misc, &r);
    rec_wait_owner(&r, PID + 2);
    rec_watch(&r, PID, 1, 0x7f00);
    add(&misc, &r);
    rec_wait_end(&r, PID, 1, a);
    add(&misc, &r);
    rec_misuse(&r, PID, 1, LW_MISUSE_DOUBLE_LOCK, a, 1, 1, 1, 1);
    add(&misc, &r);
    struct lw_held held_rw = held_at(rw, 1);
    rec_held(&r, PID, 1, 0, 1, &held_rw);
    add(&misc, &r);
    rec_acquire(&r, PID, 1, b, 1, 1, &held_a);
    add(&misc, &r);
    struct lw_hold hold = {
        .lock = a, .stack = 1, .wait_start_ns = 10, .acquired_ns = 20, .released_ns = 30};
    rec_holds(&r, PID, 1, &hold, 1, 40);
    add(&misc, &r);
    rec_overflow(&r, PID, LW_OVERFLOW_CHAINS, 4096);
    add(&misc, &r);
    rec_sem(&r, PID, 1, 0x6010e0, LW_SEM_INIT, 0, 1); /* a hand-over and a wait for a child */
    add(&misc, &r);
    rec_sem(&r, PID, 1, 0x6010e0, LW_SEM_POST, 0, 1);
    add(&misc, &r);
    rec_sem(&r, PID, 2, 0x6010e0, LW_SEM_WAIT, 0, 1);
    add(&misc, &r);
    rec_reap(&r, PID, 1, PID + 1, 1);
    rec_epoch(&r, 1);
    rec_time(&r, 50);
    add(&misc, &r);
    /* a semaphore lock under a mutex, then proved a signal */
    rec_acquire(&r, PID, 1, ref_sem(0x5000), 1, 1, &held_a);
    add(&misc, &r);
    rec_sem_signal(&r, PID, 2, ref_sem(0x5000), LW_SEM_POSTED_UNHELD);
    add(&misc, &r);
    emit(argv[1], "misc", &misc);

    /* CPython: the interpreter's layout (a made-up one that passes validation), a code object,
     * a stack with its Python frames. */
    const struct lw_py_layout layout = py_layout_fake(0x900000);
    rec_process(&r, PID, 1, LW_ORIGIN_EXEC, "/usr/bin/python3.11");
    add(&python, &r);
    rec_python(&r, PID, 0x030b02f0, &layout);
    add(&python, &r);
    rec_pycode(&r, PID, 0xc0de, 3, "/home/student/lesson.py", "Worker.run");
    add(&python, &r);
    rec_stack(&r, PID, 1, 3, pcs);
    add(&python, &r);
    const struct lw_py_frame frames[] = {{0xc0de, 12, 0}, {0xc0de, 5, LW_PYF_ENTRY}};
    rec_pystack(&r, PID, 1, 2, frames, 0);
    add(&python, &r);
    rec_misuse(&r, PID, 0, LW_MISUSE_DOUBLE_LOCK, a, 1, 1, 0, 1);
    add(&python, &r);
    emit(argv[1], "python", &python);
    return 0;
}
