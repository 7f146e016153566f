#!/usr/bin/env python3
"""confirm_rates.py - how often `lockwatch --confirm` reproduces each test case's inversion, and
what it costs in wall time against a plain run.

    bench/confirm_rates.py [--build build] [--runs 20] [--only NAME...]

For every case below: RUNS plain runs (`lockwatch --format=json PROGRAM`) and RUNS confirming
runs (`lockwatch --confirm=N --format=json PROGRAM`), alternated so that machine load hits both
alike. Prints one Markdown table row per case: the label, how many confirming runs reproduced
the inversion (and on which re-run, median), the median wall time of each kind of run and their
difference. Python 3 standard library only; lockwatch and the programs come from the build tree.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

# name, program (relative to the build tree), arguments, --confirm's N
CASES = [
    ("abba-apart (2 threads)", "tests/integration/cases/abba-apart", [], 10),
    ("cycle-three-apart (3 threads)", "tests/integration/cases/cycle-three-apart-confirm", [], 10),
    ("rare-deadlock scenario", "scenarios/rare-deadlock/broken", [], 10),
    ("join-ordered abba-threads", "tests/integration/cases/abba-threads", [], 10),
    ("barrier-ordered abba-barrier", "tests/integration/cases/abba-barrier", [], 10),
    ("semaphore-ordered abba-overlap", "tests/integration/cases/abba-overlap", [], 2),
    ("gate-locked gate-lock", "tests/integration/cases/gate-lock", [], 10),
    ("abba-apart fixed", "tests/integration/cases/abba-apart-fixed", ["fixed"], 10),
    ("rare-deadlock fixed", "scenarios/rare-deadlock/fixed", [], 10),
]


def run_once(lockwatch, argv, confirm, workdir):
    report = os.path.join(workdir, "report.json")
    cmd = [lockwatch, "--format=json", f"--output={report}", f"--replay-dir={workdir}"]
    if confirm:
        cmd.insert(1, f"--confirm={confirm}")
    else:
        cmd.remove(f"--replay-dir={workdir}")
    start = time.monotonic()
    subprocess.run(cmd + ["--"] + argv, cwd=workdir, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    elapsed = time.monotonic() - start
    try:
        with open(report) as f:
            findings = json.load(f).get("findings", [])
    except (OSError, ValueError):
        return elapsed, None, None, "no report"
    inversions = [x for x in findings if x.get("kind") == "lock-order-inversion"]
    if not inversions:
        return elapsed, None, None, "nothing reported"
    f = inversions[0]
    conf = f.get("confirmation") or {}
    attempt = conf.get("attempt") if conf.get("status") == "reproduced" else None
    return elapsed, f.get("schedule"), attempt, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--only", nargs="*")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    lockwatch = os.path.join(build, "bin", "lockwatch")
    print("| case | label | reproduced | re-run (median) | plain (median s) | --confirm (median s)"
          " | extra s |")
    print("|---|---|---|---|---|---|---|")
    for name, program, extra, confirm in CASES:
        if args.only and not any(o in name for o in args.only):
            continue
        argv = [os.path.join(build, program)] + extra
        if not os.path.exists(argv[0]):
            print(f"confirm_rates.py: {argv[0]} is not built", file=sys.stderr)
            continue
        plain, steered, attempts, labels, notes = [], [], [], set(), set()
        with tempfile.TemporaryDirectory(prefix="lw-confirm-") as wd:
            for _ in range(args.runs):
                t, label, _, note = run_once(lockwatch, argv, 0, wd)
                plain.append(t)
                t, label, attempt, note = run_once(lockwatch, argv, confirm, wd)
                steered.append(t)
                labels.add(label or "-")
                if note:
                    notes.add(note)
                if attempt is not None:
                    attempts.append(attempt)
        p, s = statistics.median(plain), statistics.median(steered)
        rerun = statistics.median(attempts) if attempts else "-"
        label = "/".join(sorted(labels)) + (f" ({', '.join(sorted(notes))})" if notes else "")
        print(f"| {name} | {label} | {len(attempts)}/{args.runs} (--confirm={confirm}) | {rerun} "
              f"| {p:.2f} | {s:.2f} | {s - p:+.2f} |", flush=True)


if __name__ == "__main__":
    main()
