/* exec_chain.c — `exec_chain N PROGRAM ARGS...` replaces itself by itself N times, then by
 * PROGRAM: a chain of exec'd images in one process, each of which must load the runtime again
 * from the inherited environment and report to the same run. */
#define _GNU_SOURCE /* pthread barriers, nanosleep, pause under -std=c11 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: exec_chain N PROGRAM [ARGS...]\n", stderr);
        return 2;
    }
    int left = atoi(argv[1]);
    if (left > 0) {
        char count[16];
        snprintf(count, sizeof count, "%d", left - 1);
        argv[1] = count;
        execv("/proc/self/exe", argv);
    } else {
        execv(argv[2], argv + 2);
    }
    perror("exec_chain: exec");
    return 127;
}
