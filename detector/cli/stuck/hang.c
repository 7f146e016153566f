/* hang.c — see hang.h. Stacks are taken before anything is killed, so they show where each
 * thread was stuck, not where it died. */
#include "stuck/hang.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/stop.h"
#include "stuck/py_dump.h"
#include "stuck/thread_dump.h"

/* The module list of pid's current image (an exec keeps the pid: the entry not superseded). */
static const struct lw_image *image_of(const struct lw_report *r, pid_t pid)
{
    for (size_t i = 0; i < r->nprocesses; i++)
        if (r->processes[i].pid == pid && !r->processes[i].superseded &&
            r->processes[i].image < r->nimages)
            return &r->images[r->processes[i].image];
    return NULL;
}

bool lwd_pc_in_module(const struct lw_image *image, uint64_t pc, const char *path)
{
    for (size_t m = 0; image && m < image->nmodules; m++) {
        const struct lw_module *mod = &image->modules[m];
        if (pc >= mod->start && pc < mod->end) return mod->path && strcmp(mod->path, path) == 0;
    }
    return false;
}

/* Drops the runtime's own frames. Only the original innermost frame carries thread_dump.h's
 * "+1" (it is an instruction, not a return address), so it is looked up one byte lower and every
 * address is kept as it is. */
static void drop_runtime_frames(const struct lw_report *r, struct lwd_thread_stack *st,
                                const char *runtime)
{
    const struct lw_image *image = image_of(r, st->pid);
    size_t kept = 0;
    for (size_t i = 0; i < st->nframes; i++) {
        if (lwd_pc_in_module(image, i == 0 ? st->pcs[0] - 1 : st->pcs[i], runtime)) continue;
        st->pcs[kept++] = st->pcs[i];
    }
    st->nframes = kept;
}

int lwd_report_hang(struct lw_detector *d, pid_t child, const char *socket_name,
                    const char *runtime, bool interrupted)
{
    pid_t *pids = NULL;
    struct lwd_thread_stack *stacks = NULL;
    struct lw_hung_thread *hung = NULL;
    struct lw_py_frame *py = NULL;
    size_t nstacks = 0;
    int rc = -1;
    size_t npids = lwd_run_pids(lw_detector_report(d), child, socket_name, &pids);
    /* A process that ended since it was listed has no threads to list: its stacks are simply
     * missing, the others still make the finding. */
    for (size_t i = 0; i < npids; i++)
        if (lwd_dump_threads(pids[i], &stacks, &nstacks) != 0) continue;
    if (nstacks == 0) {
        fprintf(stderr, "lockwatch: the run %s, but no thread's stack could be taken\n",
                interrupted ? "did not end when interrupted" : "timed out");
        goto out;
    }
    hung = calloc(nstacks, sizeof *hung);
    py = calloc(nstacks * LW_WIRE_MAX_FRAMES, sizeof *py);
    if (!hung || !py) goto nomem;
    for (size_t i = 0; i < nstacks; i++) {
        if (runtime) drop_runtime_frames(lw_detector_report(d), &stacks[i], runtime);
        const struct lw_image *image = image_of(lw_detector_report(d), stacks[i].pid);
        struct lw_py_frame *mine = py + i * LW_WIRE_MAX_FRAMES;
        uint32_t py_flags = 0;
        size_t npy =
            image ? lwd_py_dump(d, image->index, stacks[i].pid, stacks[i].tid, mine, &py_flags) : 0;
        hung[i] = (struct lw_hung_thread){.pid = stacks[i].pid,
                                          .tid = stacks[i].tid,
                                          .comm = stacks[i].comm,
                                          .nframes = stacks[i].nframes,
                                          .pcs = stacks[i].pcs,
                                          .npy = npy,
                                          .py = mine,
                                          .py_flags = py_flags};
    }
    if (lw_detector_add_hang(d, hung, nstacks, interrupted) != LW_OK) goto nomem;
    rc = 0;
    goto out;
nomem:
    fputs("lockwatch: out of memory while taking the stacks of a hung run\n", stderr);
out:
    free(py);
    free(hung);
    free(stacks);
    free(pids);
    return rc;
}
