#!/usr/bin/env python3
"""check_demo.py - integration test of `lockwatch demo`.

    check_demo.py LOCKWATCH SCENARIOS_SOURCE_DIR

Checks that `lockwatch demo` lists every scenario of the source tree (each directory with a
README.md), that `lockwatch demo two-lock-deadlock` explains the bug, shows the broken run's
inversion, then the fixed run clean, and exits 0, that an unknown name is a usage error (2),
and that colour appears on a terminal and not when NO_COLOR is set or the output is a pipe.
Python 3 standard library only.
"""

import os
import pty
import subprocess
import sys

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
