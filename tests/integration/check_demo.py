#!/usr/bin/env python3
"""check_demo.py - integration test of `lockwatch demo`.

    check_demo.py LOCKWATCH SCENARIOS_SOURCE_DIR

Checks that `lockwatch demo` lists every scenario of the source tree (each directory with a
README.md), that `lockwatch demo two-lock-deadlock` explains the bug, shows the broken run's
inversion, then the fixed run clean, and exits 0, that an unknown name is a usage error (2),
and that colour appears on a terminal and not when NO_COLOR is set or the output is a pipe.
Also: the narrative and the reports all go to stdout (a pager sees everything, in order); the
narrative is wrapped to COLUMNS without breaking a word; the marked source lines of the bug and
of the fix are shown without test markers, and every scenario marks some in both programs;
`--step` waits for Enter on the terminal between steps (and refuses to run without one); the
ThreadSanitizer hint never appears in a demo, appears once on a clean --verbose run of several
threads, and not on a run with findings or with --no-hints. `--confirm[=N]` (before or after
NAME) is passed on to the runs: two-lock-deadlock's join-ordered inversion is "Not confirmed",
rare-deadlock's concurrent one is CONFIRMED, its fix has nothing to confirm.
Python 3 standard library only.
"""

import fcntl
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import termios
import time

HINT = "data races are checked only in ThreadSanitizer builds"
MARKER_RE = re.compile(r"@[a-z]+:[A-Za-z0-9_.-]+|@show")

ESC = "\033["


def run(argv, env=None):
    return subprocess.run(argv, capture_output=True, text=True, errors="replace", timeout=120,
                          env=env)


def run_on_terminal(argv, env):
    """Runs argv with stdout and stderr on a pseudo-terminal; returns (status, output)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdout=slave, stderr=slave, stdin=subprocess.DEVNULL, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: every writer closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


def readme_paragraph(path, label):
    """The words of the README paragraph starting with **label**, bold marks dropped."""
    words, inside = [], False
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not inside:
                if line.startswith(f"**{label}**"):
                    inside = True
                    words += line.replace(f"**{label}**", label, 1).split()
                continue
            if not line:
                break
            words += line.split()
    return words


def check_streams_and_width(lockwatch, env, problems):
    """Everything on stdout, nothing on stderr; the narrative wrapped to 60 columns, whole words."""
    demo = subprocess.run([lockwatch, "demo", "two-lock-deadlock"], capture_output=True,
                          text=True, errors="replace", timeout=120, env=dict(env, COLUMNS="60"))
    out = demo.stdout
    for needed in ["lock-order inversion", "no lock-order problems found", "The bug."]:
        if needed not in out:
            problems.append(f"the demo's stdout lacks {needed!r} (stderr: {demo.stderr[:300]!r})")
    if demo.stderr.strip():
        problems.append(f"the demo wrote to stderr: {demo.stderr[:300]!r}")
    lines = out.splitlines()
    # Every line but the source listings (a file name, then lines indented by four spaces, up
    # to a blank line) and a line of one word wider than the terminal (never broken): the
    # narrative, the programs' output and the reports alike.
    in_listing = False
    for line in lines:
        if re.fullmatch(r"(broken|fixed)\.(c|cpp)", line) or \
                re.fullmatch(r" +broken\.c(pp)? +\| +fixed\.c(pp)?", line):
            in_listing = True
        elif not line.strip():
            in_listing = False
        if not in_listing and len(line) > 60 and len(line.split()) > 1:
            problems.append(f"a line is wider than COLUMNS=60: {line!r}")
    readme = os.path.join(os.path.dirname(lockwatch), "..", "scenarios", "two-lock-deadlock",
                          "README.md")
    for label in ["The bug.", "Why."]:
        want = readme_paragraph(readme, label)
        start = next((i for i, line in enumerate(lines) if line.startswith(label)), None)
        if start is None:
            problems.append(f"the demo lacks the paragraph {label!r}")
            continue
        got = []
        for line in lines[start:]:
            if not line.strip():
                break
            got += line.split()
        if got != want:
            problems.append(f"the paragraph {label!r} lost or broke words: {got!r} vs {want!r}")


def check_sources(lockwatch, source_dir, names, env, problems):
    """Every scenario marks lines in both programs; the demo shows them without markers."""
    for name in names:
        for variant in ["broken", "fixed"]:
            paths = [os.path.join(source_dir, name, f"{variant}.{ext}")
                     for ext in ("c", "cpp", "py")]
            path = next((p for p in paths if os.path.exists(p)), None)
            text = open(path, encoding="utf-8").read() if path else ""
            begin, end = ("# @show", "# @show-end") if path and path.endswith(".py") \
                else ("/* @show */", "/* @show-end */")
            if begin not in text or end not in text:
                problems.append(f"{name}/{variant} marks no lines for the demo ({begin})")
    demo = subprocess.run([lockwatch, "demo", "two-lock-deadlock"], capture_output=True,
                          text=True, errors="replace", timeout=120, env=dict(env, COLUMNS="80"))
    out = demo.stdout
    bug = out.find("broken.c\n")
    broken_run = out.find("$ lockwatch")
    listing = out[bug:broken_run] if 0 <= bug < broken_run else ""
    if "pthread_mutex_lock(&lock_b);" not in listing or "pthread_mutex_lock(&lock_a);" \
            not in listing:
        problems.append("the bug's source lines are not shown before the broken run")
    side = re.search(r"^ +broken\.c +\| +fixed\.c$", out, re.M)
    if not side:
        problems.append("the fix's source lines are not shown beside the bug's at 80 columns")
    narrow = subprocess.run([lockwatch, "demo", "two-lock-deadlock"], capture_output=True,
                            text=True, errors="replace", timeout=120,
                            env=dict(env, COLUMNS="40")).stdout
    if not re.search(r"^fixed\.c$", narrow, re.M):
        problems.append("at 40 columns the fix's source lines are not shown on their own")
    for text in (out, narrow):
        for line in text.splitlines():
            if line.startswith("    ") and MARKER_RE.search(line):
                problems.append(f"a shown source line keeps a test marker: {line!r}")


def run_on_tty(argv, env):
    """Starts argv with the pty as its controlling terminal; returns (proc, master fd)."""
    master, slave = pty.openpty()

    def take_terminal():
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                            start_new_session=True, preexec_fn=take_terminal)
    os.close(slave)
    return proc, master


def read_until(master, needle, seconds):
    """Reads the terminal until needle shows (returns all read) or the time runs out."""
    data, deadline = b"", time.monotonic() + seconds
    while needle.encode() not in data and time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
    return data.decode("utf-8", "replace")


def check_step(lockwatch, env, problems):
    prompt = "[Enter: next step]"
    proc, master = run_on_tty([lockwatch, "demo", "--step", "two-lock-deadlock"],
                              dict(env, NO_COLOR="1"))
    try:
        first = read_until(master, prompt, 30)
        time.sleep(0.5)
        first += read_until(master, "$ lockwatch", 0.5)
        if prompt not in first or "$ lockwatch" in first:
            problems.append(f"--step did not stop before the broken run: {first[-300:]!r}")
        presses = 0
        rest = ""
        while proc.poll() is None and presses < 10:
            os.write(master, b"\n")
            presses += 1
            rest += read_until(master, prompt, 30)
        rest += read_until(master, "ran as expected", 30)
        if "ran as expected" not in rest or presses < 3:
            problems.append(f"--step: {presses} Enter presses did not walk the demo to its end")
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        os.close(master)
    none = subprocess.run([lockwatch, "demo", "--step", "two-lock-deadlock"], capture_output=True,
                          text=True, timeout=60, env=env, stdin=subprocess.DEVNULL,
                          start_new_session=True)
    if none.returncode != 2 or len(none.stderr.strip().splitlines()) != 1:
        problems.append(f"--step without a terminal exits {none.returncode} with "
                        f"{none.stderr!r}; expected 2 and one line")


def check_hint(lockwatch, scenarios, env, problems):
    demo = subprocess.run([lockwatch, "demo", "unlocked-counter"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, errors="replace", timeout=300,
                          env=env)
    if HINT in demo.stdout:
        problems.append("the ThreadSanitizer hint appears in a demo")
    racy = os.path.join(scenarios, "unlocked-counter", "broken")
    clean = run([lockwatch, "--verbose", racy], env)
    if clean.stderr.count(HINT) != 1:
        problems.append(f"a clean --verbose run of threads shows the ThreadSanitizer hint "
                        f"{clean.stderr.count(HINT)} times, expected once: {clean.stderr!r}")
    quiet = run([lockwatch, "--verbose", "--no-hints", racy], env)
    if HINT in quiet.stderr:
        problems.append("--no-hints still shows the ThreadSanitizer hint")
    found = run([lockwatch, os.path.join(scenarios, "two-lock-deadlock", "broken")], env)
    if HINT in found.stderr:
        problems.append("a run with lock-order findings shows the ThreadSanitizer hint")


def check_confirm(lockwatch, env, problems):
    """demo NAME --confirm=N shows the re-runs' verdicts (replay files go to a scratch dir)."""
    scratch = tempfile.mkdtemp(prefix="lw-demo-confirm-")
    cases = [(["two-lock-deadlock", "--confirm=2"], ["--confirm=2", "Not confirmed",
                                                      "ran as expected"]),
             (["--confirm=3", "rare-deadlock"], ["--confirm=3", "CONFIRMED: deadlocked on re-run",
                                                 "rare-deadlock/fixed", "ran as expected"])]
    for args, steps in cases:
        demo = subprocess.run([lockwatch, "demo", *args], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, errors="replace",
                              timeout=120, env=env, cwd=scratch)
        if demo.returncode != 0:
            problems.append(f"`lockwatch demo {' '.join(args)}` exited {demo.returncode}")
        at = 0
        for step in steps:
            found = demo.stdout.find(step, at)
            if found < 0:
                problems.append(f"`lockwatch demo {' '.join(args)}` lacks {step!r} after what "
                                f"came before it:\n{demo.stdout}")
                break
            at = found + len(step)
    shutil.rmtree(scratch, ignore_errors=True)


def main():
    lockwatch, source_dir = sys.argv[1], sys.argv[2]
    problems = []
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["TERM"] = "xterm"

    names = sorted(d for d in os.listdir(source_dir)
                   if os.path.isfile(os.path.join(source_dir, d, "README.md")))
    listing = run([lockwatch, "demo"], env)
    if listing.returncode != 0:
        problems.append(f"`lockwatch demo` exited {listing.returncode}: {listing.stderr}")
    listed = {line.split()[0] for line in listing.stdout.splitlines()[1:] if line.strip()}
    for name in names:
        if name not in listed:
            problems.append(f"`lockwatch demo` does not list {name}")
    if ESC in listing.stdout:
        problems.append("`lockwatch demo` into a pipe is coloured")

    # One stream for the demo's own text, the program's output and lockwatch's report, so the
    # order can be checked: the bug, the broken run and its inversion, the fix, the clean run.
    demo = subprocess.run([lockwatch, "demo", "two-lock-deadlock"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, errors="replace", timeout=120,
                          env=env)
    out = demo.stdout
    if demo.returncode != 0:
        problems.append(f"`lockwatch demo two-lock-deadlock` exited {demo.returncode}")
    steps = ["The bug.", "two-lock-deadlock/broken", "lock-order inversion", "The fix.",
             "two-lock-deadlock/fixed", "no lock-order problems found", "ran as expected"]
    at = 0
    for step in steps:
        found = out.find(step, at)
        if found < 0:
            problems.append(f"the demo output lacks {step!r} after what came before it")
        else:
            at = found + len(step)
    if ESC in out:
        problems.append("`lockwatch demo two-lock-deadlock` into a pipe is coloured")

    # A Python lesson runs its .py programs on python3, shown as the student would type it.
    if os.access("/usr/bin/python3", os.X_OK):
        py = subprocess.run([lockwatch, "demo", "python-pool-map"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, errors="replace", timeout=120,
                            env=env)
        if py.returncode != 0:
            problems.append(f"`lockwatch demo python-pool-map` exited {py.returncode}")
        steps = ["broken.py", "with source.lock:", "$ lockwatch --verbose", "python3",
                 "python-pool-map/broken.py", "lock-order inversion", "fixed.py",
                 "python-pool-map/fixed.py", "no lock-order problems found", "ran as expected"]
        at = 0
        for step in steps:
            found = py.stdout.find(step, at)
            if found < 0:
                problems.append(f"the Python demo lacks {step!r} after what came before it")
            else:
                at = found + len(step)
        if "@lock:" in py.stdout or "@show" in py.stdout:
            problems.append("the Python demo shows test markers")

    unknown = run([lockwatch, "demo", "no-such-scenario"], env)
    if unknown.returncode != 2:
        problems.append(f"an unknown scenario exits {unknown.returncode}, expected 2")

    status, text = run_on_terminal([lockwatch, "demo", "two-lock-deadlock"], env)
    if status != 0 or ESC not in text:
        problems.append(f"on a terminal the demo exits {status} and is "
                        f"{'coloured' if ESC in text else 'not coloured'}; expected 0, coloured")
    status, text = run_on_terminal([lockwatch, "demo", "two-lock-deadlock"],
                                   dict(env, NO_COLOR="1"))
    if status != 0 or ESC in text:
        problems.append(f"with NO_COLOR on a terminal the demo exits {status} and is "
                        f"{'coloured' if ESC in text else 'not coloured'}; expected 0, plain")

    check_streams_and_width(lockwatch, env, problems)
    check_sources(lockwatch, source_dir, names, env, problems)
    check_step(lockwatch, env, problems)
    check_confirm(lockwatch, env, problems)
    check_hint(lockwatch, os.path.join(os.path.dirname(lockwatch), "..", "scenarios"), env,
               problems)

    if problems:
        print("FAIL:\n  " + "\n  ".join(problems))
        print(f"--- lockwatch demo ---\n{listing.stdout}{listing.stderr}")
        print(f"--- lockwatch demo two-lock-deadlock ---\n{out}")
        return 1
    print(f"OK: {len(names)} scenarios listed; two-lock-deadlock demo in order; colour only on "
          "a terminal without NO_COLOR")
    return 0


if __name__ == "__main__":
    sys.exit(main())
