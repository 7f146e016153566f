/* graph_out.c — the --graph=FILE stage (see graph_out.h): check the format and open early, then
 * after the run collect the lock-order graph from the detector, choose what fits, name it, write
 * DOT, and for another format run graphviz's `dot -TFORMAT` on a temporary DOT file with FILE as
 * its standard output. */
#include "render/graph_out.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/out_file.h"
#include "render/render_dot.h"
#include "symbolise/symbolise.h"

/* The -T format FILE's extension names, lower case, into format ("" for DOT text). Returns
 * false when the extension cannot be a format name (too long, odd characters). */
static bool format_of(const char *path, char *format, size_t size)
{
    format[0] = '\0';
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (dot == NULL || dot == base || dot[1] == '\0') return true;
    const char *ext = dot + 1;
    if (strcasecmp(ext, "dot") == 0 || strcasecmp(ext, "gv") == 0) return true;
    size_t len = strlen(ext);
    if (len >= size) return false;
    for (size_t i = 0; i < len; i++) {
        char c = ext[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
        format[i] = c;
    }
    format[len] = '\0';
    return true;
}

/* The executable `name` in a directory of PATH, as a fresh string; NULL when there is none.
 * *nomem is set when out of memory. */
static char *find_on_path(const char *name, bool *nomem)
{
    const char *path = getenv("PATH");
    if (path == NULL) return NULL;
    for (const char *dir = path;; dir++) {
        const char *end = strchr(dir, ':');
        size_t len = end ? (size_t)(end - dir) : strlen(dir);
        /* An empty PATH entry means the current directory. */
        char *candidate = malloc(len + strlen(name) + 3);
        if (candidate == NULL) {
            *nomem = true;
            return NULL;
        }
        sprintf(candidate, "%.*s/%s", (int)len, len ? dir : ".", name);
        if (access(candidate, X_OK) == 0) return candidate;
        free(candidate);
        if (end == NULL) return NULL;
        dir = end;
    }
}

/* Whether dot renders an empty graph in format: 1 yes, 0 no, -1 it could not be run. The graph
 * is in the pipe before dot starts, so dot exiting early cannot raise SIGPIPE here. */
static int dot_knows(const char *dot_program, const char *format)
{
    static const char empty[] = "digraph{}\n";
    int in[2];
    if (pipe2(in, O_CLOEXEC) != 0) return -1;
    ssize_t w = write(in[1], empty, sizeof empty - 1);
    close(in[1]);
    if (w != (ssize_t)(sizeof empty - 1)) {
        close(in[0]);
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(in[0]);
        return -1;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        char flag[40];
        snprintf(flag, sizeof flag, "-T%s", format);
        char *argv[] = {"dot", flag, NULL};
        if (null >= 0 && dup2(in[0], STDIN_FILENO) >= 0 && dup2(null, STDOUT_FILENO) >= 0 &&
            dup2(null, STDERR_FILENO) >= 0)
            execv(dot_program, argv);
        _exit(127);
    }
    close(in[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 1 : 0;
}

enum lwd_exit lwd_graph_open(struct lwd_graph_out *g, const char *path)
{
    *g = (struct lwd_graph_out){.requested = path};
    if (path == NULL) return LWD_EXIT_OK;
    if (!format_of(path, g->format, sizeof g->format)) {
        fprintf(stderr,
                "lockwatch: cannot tell the format of --graph=%s from its extension (use .dot "
                "for DOT, or a graphviz format such as .svg or .png)\n",
                path);
        return LWD_EXIT_GRAPH_FORMAT;
    }
    if (g->format[0] != '\0') {
        bool nomem = false;
        g->dot_program = find_on_path("dot", &nomem);
        if (nomem) {
            fputs("lockwatch: out of memory\n", stderr);
            return LWD_EXIT_TOOL;
        }
        if (g->dot_program == NULL) {
            fprintf(stderr,
                    "lockwatch: cannot render --graph=%s: graphviz's dot is not on PATH (install "
                    "graphviz, or write the DOT text with --graph=FILE.dot)\n",
                    path);
            return LWD_EXIT_GRAPH_FORMAT;
        }
        int known = dot_knows(g->dot_program, g->format);
        if (known != 1) {
            fprintf(stderr,
                    known < 0 ? "lockwatch: cannot run %s to check the format '%s' of --graph=%s\n"
                              : "lockwatch: %s cannot render the format '%s' of --graph=%s (dot "
                                "-T? lists the formats it knows)\n",
                    g->dot_program, g->format, path);
            return LWD_EXIT_GRAPH_FORMAT;
        }
    }
    if ((g->written = strdup(path)) == NULL) {
        fputs("lockwatch: out of memory\n", stderr);
        return LWD_EXIT_TOOL;
    }
    if ((g->file = lwd_out_create(g->written, "graph file")) == NULL) return LWD_EXIT_USAGE;
    return LWD_EXIT_OK;
}

/* Every edge of the detector's lock-order graph, in a fresh array (*n of them); NULL with *n 0
 * for an empty graph, NULL with *n set when out of memory. */
static struct lw_order_edge *collect_edges(const struct lw_detector *d, size_t *n)
{
    *n = lw_detector_order_edge_count(d);
    if (*n == 0) return NULL;
    struct lw_order_edge *edges = malloc(*n * sizeof *edges);
    if (edges == NULL) return NULL;
    for (size_t i = 0; i < *n; i++)
        lw_detector_order_edge(d, i, &edges[i]);
    return edges;
}

/* Runs `dot -TFORMAT dot_file` with g->file as its output. Returns 0, or -1 after one line.
 * fork + exec rather than posix_spawn: <spawn.h> is shadowed by the driver's own spawn.h. */
static int run_dot(const struct lwd_graph_out *g, const char *dot_file)
{
    fflush(NULL); /* nothing buffered may be written twice by the child */
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "lockwatch: cannot run %s to render %s: %m\n", g->dot_program,
                g->requested);
        return -1;
    }
    if (pid == 0) {
        char flag[40];
        snprintf(flag, sizeof flag, "-T%s", g->format);
        char *argv[] = {"dot", flag, (char *)dot_file, NULL};
        if (dup2(fileno(g->file), STDOUT_FILENO) >= 0) execv(g->dot_program, argv);
        fprintf(stderr, "lockwatch: cannot run %s: %m\n", g->dot_program);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            fprintf(stderr, "lockwatch: cannot wait for %s: %m\n", g->dot_program);
            return -1;
        }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    fprintf(stderr, "lockwatch: %s failed (%s %d) rendering %s; its DOT input is kept in %s\n",
            g->dot_program, WIFEXITED(status) ? "exit status" : "signal",
            WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), g->requested, dot_file);
    return -1;
}

/* Renders the graph into a temporary DOT file and has dot turn it into g->file. */
static int write_rendered(struct lwd_graph_out *g, const struct lwd_dot_input *in)
{
    const char *tmpdir = getenv("TMPDIR");
    if (tmpdir == NULL || tmpdir[0] == '\0') tmpdir = "/tmp";
    char *dot_file = malloc(strlen(tmpdir) + sizeof "/lockwatch-graph-XXXXXX.dot");
    if (dot_file == NULL) {
        fputs("lockwatch: out of memory\n", stderr);
        return -1;
    }
    sprintf(dot_file, "%s/lockwatch-graph-XXXXXX.dot", tmpdir);
    int fd = mkstemps(dot_file, (int)strlen(".dot"));
    FILE *tmp = fd >= 0 ? fdopen(fd, "w") : NULL;
    int rc = -1;
    bool keep = false; /* a DOT file dot failed on is kept for the user to look at */
    if (tmp == NULL) {
        fprintf(stderr, "lockwatch: cannot create a temporary file in %s: %m\n", tmpdir);
        if (fd >= 0) close(fd);
    } else {
        int written = lwd_render_dot(tmp, in);
        if (fclose(tmp) != 0 || written != 0)
            fprintf(stderr, "lockwatch: cannot write the temporary graph file %s: %m\n", dot_file);
        else
            keep = (rc = run_dot(g, dot_file)) != 0;
    }
    if (fd >= 0 && !keep) unlink(dot_file);
    free(dot_file);
    return rc;
}

int lwd_graph_write(struct lwd_graph_out *g, struct lw_detector *detector,
                    const struct lw_report *rendered)
{
    if (g->requested == NULL) return 0;
    size_t n = 0;
    struct lw_order_edge *edges = collect_edges(detector, &n);
    struct lwd_dot_input in = {.report = rendered, .edges = edges};
    int rc = -1;
    if ((n > 0 && edges == NULL) || lwd_dot_select(rendered, edges, &n, 0, &in.totals) != 0) {
        fputs("lockwatch: out of memory while drawing the lock-order graph\n", stderr);
        goto out;
    }
    in.nedges = n;
    /* On failure it said so; the graph renders with what is known. */
    lwd_symbolise_graph(lw_detector_report(detector), edges, n);
    if (g->format[0] != '\0') {
        rc = write_rendered(g, &in);
    } else if (lwd_render_dot(g->file, &in) != 0 || fflush(g->file) != 0) {
        fprintf(stderr, "lockwatch: cannot write the graph file %s: %m\n", g->written);
    } else {
        rc = 0;
    }
out:
    free(edges);
    return rc;
}

int lwd_graph_close(struct lwd_graph_out *g)
{
    int rc = 0;
    if (g->file != NULL && fclose(g->file) != 0) {
        fprintf(stderr, "lockwatch: cannot write the graph file %s: %m\n", g->written);
        rc = -1;
    }
    free(g->written);
    free(g->dot_program);
    *g = (struct lwd_graph_out){.requested = NULL};
    return rc;
}
