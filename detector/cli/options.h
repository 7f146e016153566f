/* options.h — the `lockwatch` command line and the LOCKWATCH_OPTIONS environment variable.
 *
 * lwd_options_parse() fills struct lwd_options (driver.h) from the words of LOCKWATCH_OPTIONS
 * first and the command line second, so the command line wins. Options stop at the first word
 * that is not an option (or after "--"): the program's own options pass through untouched.
 * Errors are reported once on stderr ("lockwatch: ..."). */
#ifndef LWD_OPTIONS_H
#define LWD_OPTIONS_H

#include "driver.h"
#include "lockwatch/wire.h"

#define LWD_ENV_OPTIONS "LOCKWATCH_OPTIONS"
/* Default of --deadlock-delay: short enough that a deadlock is reported well within a second,
 * long enough that ordinary contention is never published. */
#define LWD_DEFAULT_DEADLOCK_DELAY_MS LW_WIRE_DEFAULT_WAIT_MS
/* How long an interrupted program may take to end before it is reported (--interrupt-grace). */
#define LWD_DEFAULT_INTERRUPT_GRACE_MS 2000u

enum lwd_parse_result {
    LWD_PARSE_RUN,    /* options are complete: run the program */
    LWD_PARSE_DONE,   /* --help or --version was printed: exit 0 */
    LWD_PARSE_FAILED, /* a usage error was reported: exit LWD_EXIT_USAGE */
};

/* env_words: a writable copy of LOCKWATCH_OPTIONS (split in place; opts may point into it, so
 * it must outlive opts), or NULL. argv: main's argv; opts->argv points into it. */
enum lwd_parse_result lwd_options_parse(struct lwd_options *opts, char *env_words, int argc,
                                        char **argv);

#endif
