/* runtime_settings.h — the runtime's settings (LOCKWATCH_RUNTIME, read by liblockwatch.so at
 * start-up) that follow from the command's options. They are set in lockwatch's own environment
 * before the program is spawned, so every process of the run inherits them like LD_PRELOAD. */
#ifndef LWD_RUNTIME_SETTINGS_H
#define LWD_RUNTIME_SETTINGS_H

#include "driver.h"

/* Sets LOCKWATCH_RUNTIME to the user's own value (if any) followed by wait_ms from
 * --deadlock-delay, last so that it wins (the runtime applies settings in order), and profile=1
 * with --profile or --trace; leaves it unset when all of them are the runtime's defaults.
 * Returns 0, or -1 after one line on stderr. */
int lwd_set_runtime_settings(const struct lwd_options *opts);

#endif
