#!/usr/bin/env python3
"""latency.py — how soon lockwatch reports a deadlock: from the last thread blocking to
lockwatch's exit with the report.

Each program of stuckbench (bench/stuckbench.c) gets all its threads stuck and prints, just before
the blocking call that completes the deadlock, a line `stuck-at NANOSECONDS` with the
CLOCK_MONOTONIC time. lockwatch passes the program's stdout through; this script reads that line,
waits for lockwatch to exit, reads CLOCK_MONOTONIC again and takes the difference. Every run must
end with exit status 66 and a JSON report holding a finding; anything else fails the run. Runs of
the different programs alternate, so a slow spell of a shared machine hits all of them alike.
Only the Python standard library is used.

    bench/latency.py [BUILD_DIR] [--runs N] [--deadlock-delay SEC] [--only PROGRAM]
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

PROGRAMS = (
    ("abba", "lock-order cycle: two threads, locks A and B in opposite orders"),
    ("join", "main holds a mutex and joins a worker blocked on it"),
    ("cond", "lost wake-up: the consumer waits unconditionally, main joins it"),
    ("sentinel", "two consumers wait on a condition variable for ever, main joins them"),
)
RUN_TIMEOUT_S = 30


def monotonic_ns():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def findings(report_path):
    """The finding kinds of a lockwatch JSON report, or None when it cannot be read."""
    try:
        with open(report_path, encoding="utf-8") as f:
            doc = json.load(f)
        return [f.get("kind", "?") for f in doc["findings"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def one_run(lockwatch, stuckbench, program, delay, tmp_dir, counter):
    """(latency in ns, finding kinds) or raises RuntimeError saying what went wrong."""
    report = os.path.join(tmp_dir, "report.%d.json" % counter)
    errors = os.path.join(tmp_dir, "stderr.%d" % counter)
    cmd = [lockwatch, "--format=json", "--output=" + report]
    if delay is not None:
        cmd.append("--deadlock-delay=%s" % delay)
    cmd += ["--", stuckbench, program]
    with open(errors, "wb") as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                                start_new_session=True)
    stuck_at = None
    expired = threading.Event()

    def expire():
        expired.set()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(RUN_TIMEOUT_S, expire)
    timer.start()
    try:
        for line in proc.stdout:
            if line.startswith(b"stuck-at "):
                stuck_at = int(line.split()[1])
                break
        proc.stdout.read()  # EOF once lockwatch and the program are gone
        proc.wait()
        ended = monotonic_ns()
    finally:
        timer.cancel()
        proc.stdout.close()
    if expired.is_set():
        raise RuntimeError("no report within %d s" % RUN_TIMEOUT_S)
    if stuck_at is None:
        raise RuntimeError("no stuck-at line (exit status %d)" % proc.returncode)
    kinds = findings(report)
    if proc.returncode != 66 or not kinds:
        with open(errors, "rb") as f:
            text = f.read().decode("utf-8", "replace").strip()[-300:]
        raise RuntimeError("exit status %d, findings %s: %s" % (proc.returncode, kinds, text))
    return ended - stuck_at, kinds


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="bench/latency.py",
        description="Measure how long lockwatch takes to report a deadlock after it forms.")
    p.add_argument("build_dir", nargs="?", default="build",
                   help="build directory holding bin/lockwatch and bench/stuckbench "
                        "(default: build)")
    p.add_argument("--runs", type=int, default=10, help="runs per program (default 10)")
    p.add_argument("--deadlock-delay", metavar="SEC",
                   help="passed to lockwatch (default: lockwatch's own, 0.1 s)")
    p.add_argument("--only", action="append", default=[], metavar="PROGRAM",
                   choices=[name for name, _ in PROGRAMS],
                   help="run only this program (repeatable)")
    args = p.parse_args(argv)
    if args.runs < 1:
        p.error("--runs must be positive")
    return args


def main(argv):
    args = parse_args(argv)
    build_dir = os.path.abspath(args.build_dir)
    lockwatch = os.path.join(build_dir, "bin", "lockwatch")
    stuckbench = os.path.join(build_dir, "bench", "stuckbench")
    for path in (lockwatch, stuckbench):
        if not os.access(path, os.X_OK):
            print("latency: %s is missing; build it with\n  cmake --build %s" % (
                path, args.build_dir), file=sys.stderr)
            return 2
    selected = [(n, what) for n, what in PROGRAMS if not args.only or n in args.only]
    latencies = {n: [] for n, _ in selected}
    kinds = {n: set() for n, _ in selected}
    failures = []
    counter = 0
    with tempfile.TemporaryDirectory(prefix="lockwatch-latency-") as tmp_dir:
        for r in range(args.runs):
            for name, _ in selected:
                counter += 1
                try:
                    ns, found = one_run(lockwatch, stuckbench, name, args.deadlock_delay,
                                        tmp_dir, counter)
                except RuntimeError as e:
                    failures.append("%s run %d: %s" % (name, r + 1, e))
                    print("  run %d/%d %-8s FAILED: %s" % (r + 1, args.runs, name, e),
                          file=sys.stderr, flush=True)
                    continue
                latencies[name].append(ns / 1e6)
                kinds[name].update(found)
                print("  run %d/%d %-8s %7.1f ms  %s" % (r + 1, args.runs, name, ns / 1e6,
                                                        ", ".join(found)),
                      file=sys.stderr, flush=True)

    print("lockwatch deadlock latency: %s, --deadlock-delay %s, %d runs per program" % (
        build_dir, args.deadlock_delay or "default (0.1)", args.runs))
    print("from the stuck-at stamp (just before the last blocking call) to lockwatch's exit\n")
    header = ("program", "runs", "median ms", "min ms", "max ms", "findings", "what")
    lines = [header]
    for name, what in selected:
        values = latencies[name]
        lines.append((name, str(len(values)),
                      "%.1f" % statistics.median(values) if values else "-",
                      "%.1f" % min(values) if values else "-",
                      "%.1f" % max(values) if values else "-",
                      ", ".join(sorted(kinds[name])) or "-", what))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        cells = [line[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(line[1:5], widths[1:5])]
        cells += [line[5].ljust(widths[5]), line[6]]
        print("  ".join(cells).rstrip())
    for f in failures:
        print("failed: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
