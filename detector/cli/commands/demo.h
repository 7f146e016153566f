/* demo.h — `lockwatch demo [NAME]`, the classroom front end to the scenario catalogue.
 *
 * Without NAME it lists the scenarios (the `index` file of the scenarios directory, with the
 * one-line summary each NAME/README.md starts with). With NAME it explains the bug (from the
 * README), runs NAME/broken under this lockwatch (and NAME/broken-tsan when it was built),
 * explains the fix, runs NAME/fixed (and fixed-tsan), and checks each run against what
 * NAME/expect says about it: findings or none. The scenarios directory is found beside the
 * command: bin/../scenarios in a build tree, bin/../share/lockwatch/scenarios once installed.
 *
 * Colour only when standard output is a terminal and NO_COLOR is unset (and TERM is not dumb).
 * Returns the exit status: LWD_EXIT_OK when every run went as the scenario expects,
 * LWD_EXIT_DEMO_MISMATCH (1) when one did not,
 * LWD_EXIT_USAGE for an unknown scenario or bad arguments, LWD_EXIT_TOOL when the scenarios are
 * missing (with how to build them) or a run could not start. */
#ifndef LWD_DEMO_H
#define LWD_DEMO_H

#include "driver.h"

/* argv[0] is "demo"; then, in any order, the scenario's name, --step, and --confirm[=N] (passed
 * on to the broken and fixed runs, so a potential deadlock is shown becoming real). */
enum lwd_exit lwd_demo(int argc, char **argv);

#endif
