/* graph_out.h — the --graph=FILE stage: the run's lock-order graph written as DOT (render_dot.h)
 * to FILE, or rendered by graphviz in the format FILE's extension names (png, svg, pdf, ...).
 *
 * The file is opened before the run (like --output), so a bad path fails before the program
 * does anything. FILE ending in .dot or .gv, or without an extension, gets the DOT text. Any
 * other extension is a format for `dot -T`: before the run, lockwatch finds dot on PATH and asks
 * it to render an empty graph in that format; when dot is missing or does not know the format,
 * it says so in one line and the run does not start (LWD_EXIT_GRAPH_FORMAT). After the run the
 * DOT goes to a temporary file ($TMPDIR, else /tmp) that `dot -TFORMAT` renders into FILE. DOT
 * text never goes into a file named for another format. */
#ifndef LWD_GRAPH_OUT_H
#define LWD_GRAPH_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "driver.h"

struct lwd_graph_out {
    const char *requested; /* the --graph value, NULL when no graph is wanted */
    char *written;         /* the file opened (requested) */
    FILE *file;
    char *dot_program; /* graphviz `dot` found on PATH, to render format */
    char format[32];   /* dot's -T format, from the extension; "" for DOT text */
};

/* Opens the graph file for path (NULL: no graph; nothing to do). Returns LWD_EXIT_OK, or
 * LWD_EXIT_USAGE / LWD_EXIT_GRAPH_FORMAT / LWD_EXIT_TOOL after one line on stderr. */
enum lwd_exit lwd_graph_open(struct lwd_graph_out *g, const char *path);

/* Writes the graph of the finished run: collects the detector's edges, cuts them to the node
 * cap, names what they mention, renders. `rendered` is the report as the user sees it (its
 * findings, after suppressions, give the highlighted cycles and their ids); the locks, threads
 * and stacks are the detector's. Returns 0, or -1 after one line on stderr. */
int lwd_graph_write(struct lwd_graph_out *g, struct lw_detector *detector,
                    const struct lw_report *rendered);

/* Closes and frees; returns -1 (after one line on stderr) when closing the file failed. */
int lwd_graph_close(struct lwd_graph_out *g);

#endif
