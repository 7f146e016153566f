/* selfrss.c — libselfrss.so: preloaded into lockwatch itself by run.py, it writes the peak RSS
 * of that one process (getrusage RUSAGE_SELF: the driver alone, without the program it runs) to
 * the file named by LOCKWATCH_BENCH_SELF_RSS when the process exits normally.
 *
 * The variable is removed from the environment at load, so the processes the driver spawns
 * (which inherit the preload) write nothing. A bench-only helper, never installed. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static char report_path[4096];

__attribute__((constructor)) static void selfrss_start(void)
{
    const char *path = getenv("LOCKWATCH_BENCH_SELF_RSS");
    if (!path || strlen(path) >= sizeof report_path) return;
    strcpy(report_path, path);
    unsetenv("LOCKWATCH_BENCH_SELF_RSS");
}

__attribute__((destructor)) static void selfrss_end(void)
{
    if (!report_path[0]) return;
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return;
    FILE *f = fopen(report_path, "w");
    if (!f) return;
    fprintf(f, "%ld\n", ru.ru_maxrss); /* KB */
    fclose(f);
}
