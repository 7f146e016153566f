/* graph_out.h — the --graph=FILE stage: the run's lock-order graph written as DOT (render_dot.h)
 * to FILE, or rendered to SVG by graphviz when FILE ends in ".svg".
 *
 * The file is opened before the run (like --output), so a bad path fails before the program
 * does anything. For ".svg" the DOT goes to a temporary file ($TMPDIR, else /tmp) that
 * `dot -Tsvg` renders into FILE. When `dot` is not on PATH, the DOT is written to FILE with
 * ".svg" replaced by ".dot" instead, with one line on stderr saying so; the exit status is then
 * the run's as usual (documented in docs/user-guide.md). */
#ifndef LWD_GRAPH_OUT_H
#define LWD_GRAPH_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "driver.h"

struct lwd_graph_out {
    const char *requested; /* the --graph value, NULL when no graph is wanted */
    char *written;         /* the file opened: requested, or its ".dot" stand-in */
    FILE *file;
    char *dot_program; /* graphviz `dot` found on PATH, for an SVG */
    bool svg;          /* render file as SVG with dot_program */
};

/* Opens the graph file for path (NULL: no graph; nothing to do). Returns LWD_EXIT_OK, or
 * LWD_EXIT_USAGE / LWD_EXIT_TOOL after one line on stderr. */
int lwd_graph_open(struct lwd_graph_out *g, const char *path);

/* Writes the graph of the finished run: collects the detector's edges, cuts them to the node
 * cap, names what they mention, renders. `rendered` is the report as the user sees it (its
 * findings, after suppressions, give the highlighted cycles and their ids); the locks, threads
 * and stacks are the detector's. Returns 0, or -1 after one line on stderr. */
int lwd_graph_write(struct lwd_graph_out *g, struct lw_detector *detector,
                    const struct lw_report *rendered);

/* Closes and frees; returns -1 (after one line on stderr) when closing the file failed. */
int lwd_graph_close(struct lwd_graph_out *g);

#endif
