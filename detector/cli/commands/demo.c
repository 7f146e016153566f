/* demo.c — `lockwatch demo [NAME]` (see demo.h): lists the scenarios, or walks a class through
 * one of them: the bug, the broken program under lockwatch, the fix, the fixed program.
 *
 * The texts come from the scenario's own files (README.md, expect) so the demo never drifts
 * from the catalogue; the runs go through this same lockwatch binary (/proc/self/exe), so what
 * the class sees is exactly what `lockwatch PROGRAM` prints. */
#include "commands/demo.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands/demo_source.h"
#include "common/safe_text.h"
#include "common/wrap.h"
#include "driver.h"

#define DEMO_MAX_OPTIONS 8 /* `option` lines an expect section may carry */

struct demo {
    char self[PATH_MAX];     /* this lockwatch */
    char dir[PATH_MAX + 64]; /* the scenarios directory (holds `index`) */
    bool color;
    bool step;             /* --step: wait for Enter on the terminal between steps */
    const char *confirm;   /* --confirm[=N], passed on to the broken and fixed runs, or NULL */
    char python[PATH_MAX]; /* python3 from PATH for the Python lessons, "" when there is none */
    FILE *tty;             /* /dev/tty, for --step */
    struct lwd_wrap wrap;  /* the narrative, wrapped to the terminal's width */
};

/* What NAME/expect says about one section: findings or not, and the lockwatch options. */
struct demo_expect {
    bool findings;
    int program_exit;
    size_t noptions;
    char *options[DEMO_MAX_OPTIONS];
};

enum demo_style { STYLE_TITLE, STYLE_LABEL, STYLE_COMMAND, STYLE_GOOD, STYLE_BAD };

static const char *style_code(enum demo_style style)
{
    switch (style) {
    case STYLE_TITLE:
        return "\033[1;36m";
    case STYLE_LABEL:
        return "\033[1m";
    case STYLE_COMMAND:
        return "\033[1;33m";
    case STYLE_GOOD:
        return "\033[1;32m";
    case STYLE_BAD:
        return "\033[1;31m";
    }
    return "";
}

/* printf in a style. stdout escapes control characters (safe_text.h): the colour codes, the
 * demo's own, go around it. */
__attribute__((format(printf, 3, 4))) static void
styled(const struct demo *d, enum demo_style style, const char *fmt, ...)
{
    if (d->color) lwd_safe_raw(stdout, style_code(style));
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    if (d->color) lwd_safe_raw(stdout, "\033[0m");
}

/* The scenarios directory: beside the command in a build tree, or where `cmake --install` put
 * it. 0 when found. */
static int find_scenarios(struct demo *d)
{
    ssize_t n = readlink("/proc/self/exe", d->self, sizeof d->self - 1);
    if (n <= 0) {
        fprintf(stderr, "lockwatch demo: cannot find this command (/proc/self/exe): %m\n");
        return -1;
    }
    d->self[n] = '\0';
    char bindir[PATH_MAX];
    memcpy(bindir, d->self, (size_t)n + 1);
    char *slash = strrchr(bindir, '/');
    if (slash) *slash = '\0';
    const char *relpaths[] = {"../scenarios", LWD_SCENARIOS_INSTALL_RELPATH};
    for (size_t i = 0; i < sizeof relpaths / sizeof relpaths[0]; i++) {
        char index[sizeof d->dir + 8];
        snprintf(d->dir, sizeof d->dir, "%s/%s", bindir, relpaths[i]);
        snprintf(index, sizeof index, "%s/index", d->dir);
        if (access(index, R_OK) != 0) continue;
        char resolved[PATH_MAX]; /* shown in every command line: no "bin/.." in it */
        if (realpath(d->dir, resolved)) snprintf(d->dir, sizeof d->dir, "%s", resolved);
        return 0;
    }
    fprintf(stderr,
            "lockwatch demo: the scenarios are not built (looked for %s/../scenarios and %s/%s).\n"
            "Build them in the build tree with:  cmake --build BUILD_DIR --target scenarios\n"
            "or install them with lockwatch:       cmake --install BUILD_DIR\n",
            bindir, bindir, LWD_SCENARIOS_INSTALL_RELPATH);
    return -1;
}

static FILE *open_in(const struct demo *d, const char *name, const char *file)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s/%s", d->dir, name, file);
    return fopen(path, "re");
}

static void chomp(char *line)
{
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
}

/* The summary in the README's first line, "# NAME — summary", into buf ("" when absent). */
static void read_summary(const struct demo *d, const char *name, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = open_in(d, name, "README.md");
    if (!f) return;
    char line[512];
    if (fgets(line, sizeof line, f)) {
        chomp(line);
        const char *dash = strstr(line, " — ");
        if (dash) snprintf(buf, size, "%s", dash + strlen(" — "));
    }
    fclose(f);
}

/* Calls fn for every scenario name in the index, in order; stops at the first nonzero. */
static int for_each_scenario(const struct demo *d,
                             int (*fn)(const struct demo *, const char *, void *), void *arg)
{
    char path[sizeof d->dir + 8];
    snprintf(path, sizeof path, "%s/index", d->dir);
    FILE *f = fopen(path, "re");
    if (!f) {
        fprintf(stderr, "lockwatch demo: cannot read %s: %m\n", path);
        return -1;
    }
    char line[256];
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        chomp(line);
        if (line[0] != '\0') rc = fn(d, line, arg);
    }
    fclose(f);
    return rc;
}

/* Whether NAME is a Python lesson: its programs are broken.py and fixed.py, run by python3. */
static bool is_python(const struct demo *d, const char *name)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s/broken.py", d->dir, name);
    return access(path, R_OK) == 0;
}

/* The python3 the Python lessons run on, into d->python ("" when none is installed): the
 * system's /usr/bin/python3 first (the CPython lockwatch is tested on, and no wrapper script such
 * as a version manager's shim, whose exec chain the run would follow), else python3 from PATH. */
static void find_python(struct demo *d)
{
    d->python[0] = '\0';
    if (access("/usr/bin/python3", X_OK) == 0) {
        snprintf(d->python, sizeof d->python, "/usr/bin/python3");
        return;
    }
    const char *path = getenv("PATH");
    if (path == NULL) path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *at = path; *at != '\0';) {
        size_t n = strcspn(at, ":");
        char candidate[PATH_MAX];
        if (n > 0 && n + sizeof "/python3" <= sizeof candidate) {
            snprintf(candidate, sizeof candidate, "%.*s/python3", (int)n, at);
            if (access(candidate, X_OK) == 0) {
                snprintf(d->python, sizeof d->python, "%s", candidate);
                return;
            }
        }
        at += n + (at[n] == ':');
    }
}

#define DEMO_NO_PYTHON "needs python3, which is not installed (Debian: apt-get install python3)"

#define LIST_NAME_WIDTH 24

static int list_one(const struct demo *d, const char *name, void *arg)
{
    (void)arg;
    char summary[512];
    read_summary(d, name, summary, sizeof summary);
    if (is_python(d, name) && d->python[0] == '\0') {
        size_t len = strlen(summary);
        snprintf(summary + len, sizeof summary - len, " (" DEMO_NO_PYTHON ")");
    }
    printf("  ");
    styled(d, STYLE_LABEL, "%-*s", LIST_NAME_WIDTH, name);
    putchar(' ');
    /* The summary wrapped beside the names, or under them on a narrow terminal. */
    struct lwd_wrap w = d->wrap;
    int name_width = lwd_text_width(name, strlen(name));
    w.col = 2 + (name_width > LIST_NAME_WIDTH ? name_width : LIST_NAME_WIDTH) + 1;
    w.indent = 2 + LIST_NAME_WIDTH + 1;
    if (w.indent > w.width / 2) w.indent = 4;
    lwd_wrap_text(&w, summary);
    lwd_wrap_end(&w);
    return 0;
}

static int match_name(const struct demo *d, const char *name, void *wanted)
{
    (void)d;
    return strcmp(name, wanted) == 0;
}

/* Prints the README paragraph that starts with "**LABEL**" (up to the next blank line), the
 * label styled, the Markdown bold marks dropped, the words wrapped to the terminal. */
static void print_paragraph(struct demo *d, const char *name, const char *label)
{
    FILE *f = open_in(d, name, "README.md");
    if (!f) return;
    char marker[64];
    snprintf(marker, sizeof marker, "**%s**", label);
    char line[1024];
    bool inside = false;
    while (fgets(line, sizeof line, f)) {
        chomp(line);
        if (!inside) {
            if (strncmp(line, marker, strlen(marker)) != 0) continue;
            inside = true;
            styled(d, STYLE_LABEL, "%s", label);
            lwd_wrap_advance(&d->wrap, label);
            lwd_wrap_text(&d->wrap, line + strlen(marker));
            continue;
        }
        if (line[0] == '\0') break;
        lwd_wrap_text(&d->wrap, line);
    }
    fclose(f);
    lwd_wrap_end(&d->wrap);
    if (inside) putchar('\n');
}

/* The source file of a variant: NAME/VARIANT.c, .cpp for C++ scenarios, .py for Python ones. */
static bool source_path(const struct demo *d, const char *name, const char *variant, char *path,
                        size_t size)
{
    const char *exts[] = {"c", "cpp", "py"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        snprintf(path, size, "%s/%s/%s.%s", d->dir, name, variant, exts[i]);
        if (access(path, R_OK) == 0) return true;
    }
    return false;
}

/* The marked lines of NAME/VARIANT's source (demo_source.h); n 0 when there are none or the
 * file cannot be read (said on stderr: the demo goes on without them). */
static void read_lines(const struct demo *d, const char *name, const char *variant,
                       struct lwd_source_lines *s, char *file, size_t size)
{
    *s = (struct lwd_source_lines){NULL, 0, 0};
    if (!source_path(d, name, variant, file, size)) return;
    if (lwd_source_lines_read(file, s) != 0)
        fprintf(stderr, "lockwatch demo: cannot read %s: %m\n", file);
}

static void print_padded(const char *text, int width)
{
    fputs(text, stdout);
    for (int pad = width - lwd_text_width(text, strlen(text)); pad > 0; pad--)
        putchar(' ');
}

#define SOURCE_INDENT "    "
#define SOURCE_GAP "  |  "

/* One source line; one too wide for the terminal that ends in a comment gets the comment on a
 * line of its own above the code, at the code's indentation. */
static void print_source_line(const struct demo *d, const char *line)
{
    int room = d->wrap.width - (int)strlen(SOURCE_INDENT);
    const char *comment = strstr(line, "/*");
    if (comment == NULL) comment = strstr(line, "//");
    size_t indent = strspn(line, " ");
    if (lwd_text_width(line, strlen(line)) <= room || comment == NULL || comment <= line + indent) {
        printf(SOURCE_INDENT "%s\n", line);
        return;
    }
    size_t code = (size_t)(comment - line);
    while (code > indent && line[code - 1] == ' ')
        code--;
    printf(SOURCE_INDENT "%.*s%s\n", (int)indent, line, comment);
    printf(SOURCE_INDENT "%.*s\n", (int)code, line);
}

/* The lines of one file under its name. */
static void print_lines(struct demo *d, const char *title, const struct lwd_source_lines *s)
{
    styled(d, STYLE_LABEL, "%s", title);
    printf("\n");
    for (size_t i = 0; i < s->n; i++)
        print_source_line(d, s->lines[i]);
    printf("\n");
}

/* The bug's lines (from broken) after "The bug." */
static void show_bug_lines(struct demo *d, const char *name)
{
    char file[PATH_MAX * 2];
    struct lwd_source_lines bug;
    read_lines(d, name, "broken", &bug, file, sizeof file);
    if (bug.n > 0) print_lines(d, strrchr(file, '/') + 1, &bug);
    lwd_source_lines_free(&bug);
}

/* The fix's lines after "The fix.": beside the bug's when both fit the width, else alone. */
static void show_fix_lines(struct demo *d, const char *name)
{
    char bug_file[PATH_MAX * 2], fix_file[PATH_MAX * 2];
    struct lwd_source_lines bug, fix;
    read_lines(d, name, "broken", &bug, bug_file, sizeof bug_file);
    read_lines(d, name, "fixed", &fix, fix_file, sizeof fix_file);
    const char *bug_name = bug.n ? strrchr(bug_file, '/') + 1 : "";
    const char *fix_name = fix.n ? strrchr(fix_file, '/') + 1 : "";
    int left = bug.width > (int)strlen(bug_name) ? bug.width : (int)strlen(bug_name);
    int total = (int)strlen(SOURCE_INDENT) + left + (int)strlen(SOURCE_GAP) + fix.width;
    if (bug.n > 0 && fix.n > 0 && total <= d->wrap.width) {
        printf(SOURCE_INDENT);
        if (d->color) lwd_safe_raw(stdout, style_code(STYLE_LABEL));
        print_padded(bug_name, left);
        printf(SOURCE_GAP "%s", fix_name);
        if (d->color) lwd_safe_raw(stdout, "\033[0m");
        printf("\n");
        /* Region beside region: each side's "..." lines up with the other's. */
        size_t b = 0, f = 0;
        while (b < bug.n || f < fix.n) {
            bool bug_gap = b >= bug.n || strcmp(bug.lines[b], "...") == 0;
            bool fix_gap = f >= fix.n || strcmp(fix.lines[f], "...") == 0;
            bool both = bug_gap && fix_gap;
            const char *l = bug_gap && !both ? "" : bug.lines[b];
            const char *r = fix_gap && !both ? "" : fix.lines[f];
            printf(SOURCE_INDENT);
            print_padded(b < bug.n ? l : "", left);
            printf(SOURCE_GAP "%s\n", f < fix.n ? r : "");
            if (!bug_gap || both) b++;
            if (!fix_gap || both) f++;
        }
        printf("\n");
    } else if (fix.n > 0) {
        print_lines(d, fix_name, &fix);
    }
    lwd_source_lines_free(&bug);
    lwd_source_lines_free(&fix);
}

/* --step: waits for Enter on the terminal (not stdin, which may be anything, nor stdout, which
 * may be a pipe). */
static void pause_step(const struct demo *d)
{
    if (!d->step) return;
    fflush(stdout);
    fputs("[Enter: next step] ", d->tty);
    fflush(d->tty);
    int c;
    while ((c = fgetc(d->tty)) != EOF && c != '\n')
        ;
}

static void free_expect(struct demo_expect *e)
{
    for (size_t i = 0; i < e->noptions; i++)
        free(e->options[i]);
    e->noptions = 0;
}

/* Reads section [section] of NAME/expect (lines before the first header belong to every
 * section). Returns false when the file or the section is missing. */
static bool read_expect(const struct demo *d, const char *name, const char *section,
                        struct demo_expect *e)
{
    *e = (struct demo_expect){.findings = false, .program_exit = 0, .noptions = 0};
    FILE *f = open_in(d, name, "expect");
    if (!f) return false;
    char header[64];
    snprintf(header, sizeof header, "[%s]", section);
    char line[512];
    bool active = true, seen = false;
    while (fgets(line, sizeof line, f)) {
        chomp(line);
        if (line[0] == '[') {
            active = strcmp(line, header) == 0;
            seen = seen || active;
        } else if (!active) {
            continue;
        } else if (strncmp(line, "finding ", 8) == 0) {
            e->findings = true;
        } else if (strncmp(line, "program-exit ", 13) == 0) {
            e->program_exit = atoi(line + 13);
        } else if (strncmp(line, "option ", 7) == 0 && e->noptions < DEMO_MAX_OPTIONS) {
            char *option = strdup(line + 7);
            if (option) e->options[e->noptions++] = option;
        }
    }
    fclose(f);
    return seen;
}

/* Runs DIR/NAME/VARIANT under this lockwatch, its output going straight to ours. Returns
 * lockwatch's exit status, or -1 when it could not be run. */
static int run_variant(struct demo *d, const char *name, const char *variant,
                       const struct demo_expect *e)
{
    char program[PATH_MAX * 2];
    bool python = is_python(d, name);
    snprintf(program, sizeof program, "%s/%s/%s%s", d->dir, name, variant, python ? ".py" : "");
    char self[sizeof d->self], dashes[] = "--", verbose[] = "--verbose", python3[] = "python3";
    char interpreter[sizeof d->python];
    memcpy(interpreter, d->python, sizeof interpreter);
    /* The report follows the narrative on stdout (pipes and pagers keep the order); the demo
     * explains the ThreadSanitizer builds itself, so the hint would only repeat it. */
    char to_stdout[] = "--output=/dev/stdout", no_hints[] = "--no-hints",
         color[] = "--color=always";
    memcpy(self, d->self, sizeof self);
    char *argv[DEMO_MAX_OPTIONS + 8];
    size_t argc = 0;
    argv[argc++] = self;
    argv[argc++] = verbose; /* the class sees "no lock-order problems found" for the fix */
    argv[argc++] = to_stdout;
    argv[argc++] = no_hints;
    if (d->color) argv[argc++] = color; /* its stdout is our pipe, the colours are for ours */
    for (size_t i = 0; i < e->noptions; i++)
        argv[argc++] = e->options[i];
    /* --confirm shows the potential deadlock becoming real; the sanitizer builds are not
     * re-run (they are about data races). */
    char confirm[64] = "";
    if (d->confirm != NULL && strstr(variant, "tsan") == NULL) {
        snprintf(confirm, sizeof confirm, "%s", d->confirm);
        argv[argc++] = confirm;
    }
    argv[argc++] = dashes;
    if (python) argv[argc++] = interpreter;
    argv[argc++] = program;
    argv[argc] = NULL;
    /* The command a student would type, wrapped like the rest. */
    char shown[PATH_MAX * 3];
    size_t len = (size_t)snprintf(shown, sizeof shown, "%s$ lockwatch %s",
                                  d->color ? style_code(STYLE_COMMAND) : "", verbose);
    for (size_t i = 0; i < e->noptions && len < sizeof shown; i++)
        len += (size_t)snprintf(shown + len, sizeof shown - len, " %s", e->options[i]);
    if (confirm[0] != '\0' && len < sizeof shown)
        len += (size_t)snprintf(shown + len, sizeof shown - len, " %s", confirm);
    if (len < sizeof shown)
        snprintf(shown + len, sizeof shown - len, "%s%s %s%s", python ? " " : "",
                 python ? python3 : "", program, d->color ? "\033[0m" : "");
    lwd_wrap_line(&d->wrap, shown);
    fflush(stdout);
    fflush(stderr);
    /* The run's stdout (the program's output and the report) comes back through a pipe and is
     * wrapped like the narrative. Only scenario programs run here, so their output may keep its
     * colour sequences as lockwatch's report does. */
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        fprintf(stderr, "lockwatch demo: cannot make a pipe: %m\n");
        return -1;
    }
    pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "lockwatch demo: cannot start lockwatch: %m\n");
        close(pipefd[0]);
        close(pipefd[1]);
        return -1;
    }
    if (child == 0) {
        /* The report is wrapped to the narrative's width, not wrapped twice. */
        char columns[16];
        snprintf(columns, sizeof columns, "%d", d->wrap.width);
        if (dup2(pipefd[1], STDOUT_FILENO) >= 0 && setenv("COLUMNS", columns, 1) == 0)
            execv(self, argv);
        fprintf(stderr, "lockwatch demo: cannot run %s: %m\n", d->self);
        _exit(127);
    }
    close(pipefd[1]);
    FILE *from = fdopen(pipefd[0], "r");
    if (from == NULL) {
        close(pipefd[0]);
    } else {
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, from)) >= 0) {
            if (n > 0 && line[n - 1] == '\n') line[n - 1] = '\0';
            lwd_wrap_line(&d->wrap, line);
            fflush(stdout); /* a slow run shows its output as it comes */
        }
        free(line);
        fclose(from);
    }
    int wstatus;
    while (waitpid(child, &wstatus, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
}

/* Runs one variant (if it was built: TSan variants are optional; broken and fixed were checked
 * by scenario_built) and says whether lockwatch ended as NAME/expect says. Returns 0 when it
 * did or the variant does not exist. */
static enum lwd_exit show_variant(struct demo *d, const char *name, const char *variant,
                                  const char *intro)
{
    char program[PATH_MAX * 2];
    bool python = is_python(d, name);
    snprintf(program, sizeof program, "%s/%s/%s%s", d->dir, name, variant, python ? ".py" : "");
    /* a TSan build clang could not make, or one a Python lesson has not */
    if (access(program, python ? R_OK : X_OK) != 0) return LWD_EXIT_OK;
    struct demo_expect e;
    if (!read_expect(d, name, variant, &e)) {
        fprintf(stderr, "lockwatch demo: %s/%s/expect has no [%s] section\n", d->dir, name,
                variant);
        return LWD_EXIT_TOOL;
    }
    pause_step(d);
    lwd_wrap_text(&d->wrap, intro);
    lwd_wrap_end(&d->wrap);
    int status = run_variant(d, name, variant, &e);
    int want = e.findings ? LWD_EXIT_FINDINGS : e.program_exit;
    free_expect(&e);
    fflush(stderr);
    if (status < 0) return LWD_EXIT_TOOL;
    if (status == want) {
        styled(d, STYLE_GOOD, "[as expected: lockwatch exited %d, %s]", status,
               want == LWD_EXIT_FINDINGS ? "findings reported" : "nothing reported");
        printf("\n\n");
        return LWD_EXIT_OK;
    }
    styled(d, STYLE_BAD, "[NOT as expected: lockwatch exited %d, the scenario expects %d]", status,
           want);
    printf("\n\n");
    return LWD_EXIT_DEMO_MISMATCH;
}

static enum lwd_exit worst(enum lwd_exit a, enum lwd_exit b)
{
    return a == LWD_EXIT_TOOL || b == LWD_EXIT_TOOL ? LWD_EXIT_TOOL : a != LWD_EXIT_OK ? a : b;
}

/* The two programs every scenario has; says how to build them when they are missing. */
static bool scenario_built(const struct demo *d, const char *name)
{
    if (is_python(d, name) && d->python[0] == '\0') {
        fprintf(stderr, "lockwatch demo: %s is a Python lesson and %s\n", name, DEMO_NO_PYTHON);
        return false;
    }
    const char *variants[] = {"broken", "fixed"};
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        char program[PATH_MAX * 2];
        bool python = is_python(d, name);
        snprintf(program, sizeof program, "%s/%s/%s%s", d->dir, name, variants[i],
                 python ? ".py" : "");
        if (access(program, python ? R_OK : X_OK) != 0) {
            fprintf(stderr,
                    "lockwatch demo: %s is not built; build the scenarios with:\n"
                    "  cmake --build BUILD_DIR --target scenarios\n",
                    program);
            return false;
        }
    }
    return true;
}

static enum lwd_exit show_scenario(struct demo *d, const char *name)
{
    if (!scenario_built(d, name)) return LWD_EXIT_TOOL;
    char summary[512];
    read_summary(d, name, summary, sizeof summary);
    char title[PATH_MAX];
    snprintf(title, sizeof title, "== %s: %s", name, summary);
    if (d->color) lwd_safe_raw(stdout, style_code(STYLE_TITLE));
    lwd_wrap_text(&d->wrap, title);
    if (d->color) lwd_safe_raw(stdout, "\033[0m");
    lwd_wrap_end(&d->wrap);
    printf("\n");
    print_paragraph(d, name, "The bug.");
    show_bug_lines(d, name);
    print_paragraph(d, name, "The symptom.");

    enum lwd_exit rc = show_variant(d, name, "broken", "The broken program, under lockwatch:");
    if (rc == LWD_EXIT_TOOL) return rc;
    rc = worst(rc, show_variant(d, name, "broken-tsan",
                                "The same program built with ThreadSanitizer "
                                "(clang -fsanitize=thread), under lockwatch:"));
    pause_step(d);
    print_paragraph(d, name, "Why.");
    print_paragraph(d, name, "The fix.");
    show_fix_lines(d, name);
    rc = worst(rc, show_variant(d, name, "fixed", "The fixed program, under lockwatch:"));
    rc = worst(rc, show_variant(d, name, "fixed-tsan",
                                "The fixed program built with "
                                "ThreadSanitizer, under lockwatch:"));
    pause_step(d);
    print_paragraph(d, name, "What lockwatch reports.");
    if (rc == LWD_EXIT_OK)
        styled(d, STYLE_GOOD, "The demo of %s ran as expected.", name);
    else
        styled(d, STYLE_BAD, "The demo of %s did not run as expected (see above).", name);
    return rc;
}

enum lwd_exit lwd_demo(int argc, char **argv)
{
    struct demo d = {.color = lwd_terminal_colour(STDOUT_FILENO)};
    d.wrap = (struct lwd_wrap){.out = stdout, .width = lwd_terminal_width(STDOUT_FILENO)};
    /* Options before or after NAME: `lockwatch demo NAME --confirm`. */
    const char *name = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--step") == 0) {
            d.step = true;
        } else if (strcmp(argv[i], "--confirm") == 0 ||
                   (strncmp(argv[i], "--confirm=", 10) == 0 && strlen(argv[i]) < 32)) {
            d.confirm = argv[i]; /* the run itself checks N */
        } else if (argv[i][0] != '-' && name == NULL) {
            name = argv[i];
        } else {
            fputs("Usage: lockwatch demo [--step] [--confirm[=N]] [NAME]\n", stderr);
            return LWD_EXIT_USAGE;
        }
    }
    if (find_scenarios(&d) != 0) return LWD_EXIT_TOOL;
    find_python(&d);
    if (name == NULL) {
        styled(&d, STYLE_TITLE, "Scenarios");
        printf(" (run one with: lockwatch demo NAME)\n");
        return for_each_scenario(&d, list_one, NULL) == 0 ? LWD_EXIT_OK : LWD_EXIT_TOOL;
    }
    if (for_each_scenario(&d, match_name, (void *)name) != 1) {
        fprintf(stderr, "lockwatch demo: no scenario named '%s'; 'lockwatch demo' lists them\n",
                name);
        return LWD_EXIT_USAGE;
    }
    if (d.step && (d.tty = fopen("/dev/tty", "r+e")) == NULL) {
        fprintf(stderr, "lockwatch demo: --step waits for Enter on the terminal, and there is "
                        "none (/dev/tty: %m)\n");
        return LWD_EXIT_USAGE;
    }
    enum lwd_exit rc = show_scenario(&d, name);
    if (d.tty) fclose(d.tty);
    return rc;
}
