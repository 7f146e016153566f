/* hang.c — see hang.h. Stacks are taken before anything is killed, so they show where each
 * thread was stuck, not where it died. */
#include "hang.h"

#include <stdio.h>
#include <stdlib.h>

#include "stop.h"
#include "thread_dump.h"

int lwd_report_hang(struct lw_detector *d, pid_t child, const char *socket_name)
{
    pid_t *pids = NULL;
    struct lwd_thread_stack *stacks = NULL;
    struct lw_hung_thread *hung = NULL;
    size_t nstacks = 0;
    int rc = -1;
    size_t npids = lwd_run_pids(lw_detector_report(d), child, socket_name, &pids);
    /* A process that ended since it was listed has no threads to list: its stacks are simply
     * missing, the others still make the finding. */
    for (size_t i = 0; i < npids; i++)
        if (lwd_dump_threads(pids[i], &stacks, &nstacks) != 0) continue;
    if (nstacks == 0) {
        fputs("lockwatch: the run timed out, but no thread's stack could be taken\n", stderr);
        goto out;
    }
    hung = calloc(nstacks, sizeof *hung);
    if (!hung) goto nomem;
    for (size_t i = 0; i < nstacks; i++)
        hung[i] = (struct lw_hung_thread){.pid = stacks[i].pid,
                                          .tid = stacks[i].tid,
                                          .comm = stacks[i].comm,
                                          .nframes = stacks[i].nframes,
                                          .pcs = stacks[i].pcs};
    if (lw_detector_add_hang(d, hung, nstacks) != LW_OK) goto nomem;
    rc = 0;
    goto out;
nomem:
    fputs("lockwatch: out of memory while taking the stacks of a hung run\n", stderr);
out:
    free(hung);
    free(stacks);
    free(pids);
    return rc;
}
