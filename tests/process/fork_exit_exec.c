/* fork_exit_exec.c — `fork_exit_exec PROGRAM ARGS...` does what a shell script does before it
 * execs its program (pyenv's shim does it many times): forks a child that runs for a while
 * without waiting on anything and ends by _exit (no exit handlers, as a subshell ends), reaps it,
 * then execs PROGRAM. A run whose program then deadlocks must still be reported: the ended
 * child's thread waits for nothing and cannot run. */
#define _GNU_SOURCE /* nanosleep under -std=c11 */
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: fork_exit_exec PROGRAM [ARGS...]\n", stderr);
        return 2;
    }
    pid_t child = fork();
    if (child < 0) {
        perror("fork_exit_exec: fork");
        return 127;
    }
    if (child == 0) {
        /* Long enough for lockwatch to look at the child's thread while it runs. */
        struct timespec busy = {0, 300 * 1000 * 1000};
        nanosleep(&busy, NULL);
        _exit(0);
    }
    int status;
    if (waitpid(child, &status, 0) != child) {
        perror("fork_exit_exec: waitpid");
        return 127;
    }
    execv(argv[1], argv + 1);
    perror("fork_exit_exec: exec");
    return 127;
}
