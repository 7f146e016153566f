#!/usr/bin/env python3
"""check_native.py — a program behaves under lockwatch exactly as it does natively.

Runs the program natively, then under lockwatch with a JSON report, and compares the exit status
and standard output (standard error is lockwatch's). Optionally checks that the report lists given
overflow tables (runtime degradations that the report must own up to), or lists none.
Usage: check_native.py [--overflow NAME]... [--no-overflow] [--env K=V]... -- program [args...]
The lockwatch command is $LOCKWATCH."""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def run(cmd, env, timeout):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                       timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def status(rc):
    return f"signal {-rc}" if rc < 0 else f"exit {rc}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--overflow", action="append", default=[])
    ap.add_argument("--no-overflow", action="store_true")
    ap.add_argument("--finding", action="append", default=[], help="a finding kind expected")
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--env", action="append", default=[], help="K=V for both runs")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    lockwatch = os.environ["LOCKWATCH"]
    env = dict(os.environ)
    for kv in a.env:
        k, _, v = kv.partition("=")
        env[k] = v
    nrc, nout, nerr = run(cmd, env, a.timeout)
    with tempfile.TemporaryDirectory() as tmp:
        report_path = os.path.join(tmp, "report.json")
        lrc, lout, lerr = run([lockwatch, "--format=json", f"--output={report_path}", "--"] + cmd,
                              env, a.timeout)
        report = None
        if os.path.exists(report_path):
            with open(report_path) as f:
                text = f.read()
            report = json.loads(text) if text.strip() else None
    problems = []
    # lockwatch exits as the program did (128 + N after a signal N) when nothing was found, and
    # 66 when it found what --finding expects.
    want = 66 if a.finding else 128 - nrc if nrc < 0 else nrc
    if lrc != want:
        problems.append(f"native {status(nrc)}, under lockwatch {status(lrc)} (want {want})")
    if lout != nout:
        problems.append(f"standard output differs:\n--- native\n{nout}--- lockwatch\n{lout}")
    if report is None:
        problems.append("no JSON report")
    else:
        tables = [o.get("table") for o in report.get("summary", {}).get("overflows", [])]
        for name in a.overflow:
            if name not in tables:
                problems.append(f"overflow {name!r} missing from the report (has {tables})")
        if a.no_overflow and tables:
            problems.append(f"unexpected overflows {tables}")
        kinds = sorted(f.get("kind") for f in report.get("findings", []))
        if kinds != sorted(a.finding):
            problems.append(f"findings {kinds}, expected {sorted(a.finding)}")
    if problems:
        print(f"FAIL: {' '.join(cmd)}", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        print("lockwatch stderr:\n" + lerr, file=sys.stderr)
        return 1
    print(f"ok: {' '.join(cmd)}: {status(nrc)} natively and under lockwatch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
