/* replay.h — the replay file of a confirmed deadlock (`--confirm` writes it, `--replay=FILE`
 * reads it; format in docs/report-format.md, "Replay files"): the steering (the LOCKWATCH_STEER
 * value, interpose/steer.h) under which a re-run deadlocked, and the command it ran. A replay
 * runs the program once with that steering, so the recorded deadlock happens again. */
#ifndef LWD_REPLAY_H
#define LWD_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "driver.h"

/* The runtime's steering variable (interpose/steer.h). */

/* Largest replay file --replay reads. */
#define LWD_REPLAY_LIMIT ((size_t)1 << 20)

/* Writes the replay file for finding id (lockwatch-replay-ID.json in --replay-dir, else next to
 * a regular --output file, else in the current directory; never through a symbolic link):
 * its name in a fresh string, or NULL after one line on stderr (*out_of_memory tells whether
 * that was the cause). */
char *lwd_replay_write(uint32_t id, const char *steer, const struct lwd_options *opts,
                       const char *program, bool *out_of_memory);

/* Reads the --replay file at path: its steering in a fresh string (*steer) and LWD_EXIT_OK, or
 * an exit code after one line on stderr. A program other than the recorded one gets a note. */
enum lwd_exit lwd_replay_load(const char *path, const char *program, char **steer);

#endif
