#!/usr/bin/env python3
"""check_python_stacks.py - Python frames in lockwatch's stacks (CPython 3.11).

    check_python_stacks.py --python PYTHON --sources DIR --workdir DIR

lockwatch comes from $LOCKWATCH. Source lines are named by `@py:NAME` markers in DIR's files.
  - relock.py locks a pthread mutex twice through ctypes: the double-lock record's stacks (the
    runtime's own capture) show take() at its lock line called from relock() at the second and
    the first call, then <module>; no frame of the evaluation loop is left; the text headline,
    the JSON frames ("language": "python") and SARIF's location all name the .py line of take();
  - abba.py takes two pthread mutexes in opposite orders in two threads run one after the other
    (ctypes): the inversion's edges show where each lock was taken and requested at the four
    marked lines (held-lock "taken at" stacks included), the Fix line names .py lines, and the
    --graph edge labels name them too;
  - deadlock_frames.py really deadlocks on two threading.Lock objects: the --timeout report's thread
    dumps (read from outside) show one() and two() at the lines where each waits, and the main
    thread at its join, with no frame of the evaluation loop left.
Python 3 standard library only.
"""

import argparse
import json
import os
import re
import subprocess
import sys

EVAL_LOOP = "_PyEval_EvalFrameDefault"
FAILURES = []


def fail(msg):
    FAILURES.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def markers(path):
    lines = {}
    with open(path, encoding="utf-8") as f:
        for number, text in enumerate(f, 1):
            for name in re.findall(r"@py:([\w-]+)", text):
                lines[name] = number
    return lines


def run(argv, workdir):
    return subprocess.run(argv, capture_output=True, text=True, errors="replace", timeout=120,
                          cwd=workdir)


def python_frames(frames):
    return [(f["function"], os.path.basename(f["file"] or ""), f["line"])
            for f in frames if f.get("language") == "python"]


def check_no_eval_loop(what, frames):
    """No evaluation loop left, and none of the interpreter's own C frames (its image's frames
    around the Python ones): a stack in Python terms, as a traceback is."""
    if any(f.get("function") == EVAL_LOOP for f in frames):
        fail(f"{what}: an evaluation-loop frame is still there")
    interpreter = [f for f in frames
                   if os.path.basename(f.get("module") or "").startswith(("python3", "libpython3"))]
    if interpreter:
        fail(f"{what}: the interpreter's own frames are shown: {interpreter[:2]}")


def check_relock(args, lockwatch):
    src = os.path.join(args.sources, "relock.py")
    at = markers(src)
    out = os.path.join(args.workdir, "relock.json")
    sarif = os.path.join(args.workdir, "relock.sarif")
    r = run([lockwatch, "--format=json", "--output", out, "--text-on-stderr",
             args.python, src], args.workdir)
    if r.returncode != 66:
        fail(f"relock: exit {r.returncode}, expected 66\n{r.stderr}")
        return
    want_line = f"relock.py:{at['take']} (take)"
    if want_line not in r.stderr:
        fail(f"relock: the text headline does not name {want_line}:\n{r.stderr}")
    with open(out, encoding="utf-8") as f:
        report = json.load(f)
    found = [x for x in report["findings"] if x["kind"] == "double-lock"]
    if len(found) != 1:
        fail(f"relock: {len(found)} double-lock findings")
        return
    stacks = {s["label"]: s["frames"] for s in found[0]["stacks"]}
    for label, call in (("locked again here", "second"), ("first locked here", "first")):
        frames = stacks.get(label)
        if frames is None:
            fail(f"relock: no stack '{label}': {sorted(stacks)}")
            continue
        check_no_eval_loop(f"relock '{label}'", frames)
        want = [("take", "relock.py", at["take"]), ("relock", "relock.py", at[call]),
                ("<module>", "relock.py", at["module"])]
        got = python_frames(frames)
        if got != want:
            fail(f"relock '{label}': Python frames {got}, expected {want}")
    r = run([lockwatch, "--format=sarif", "--output", sarif, args.python, src], args.workdir)
    with open(sarif, encoding="utf-8") as f:
        result = json.load(f)["runs"][0]["results"][0]
    loc = result["locations"][0].get("physicalLocation", {})
    if (not loc.get("artifactLocation", {}).get("uri", "").endswith("/relock.py") or
            loc.get("region", {}).get("startLine") != at["take"]):
        fail(f"relock: SARIF location {loc}, expected relock.py:{at['take']}")


def innermost_py(frames, file):
    py = [p for p in python_frames(frames) if p[1] == file]
    return py[0] if py else None


def check_abba(args, lockwatch):
    src = os.path.join(args.sources, "abba.py")
    at = markers(src)
    out = os.path.join(args.workdir, "abba.json")
    dot = os.path.join(args.workdir, "abba.dot")
    r = run([lockwatch, "--format=json", "--output", out, "--text-on-stderr", "--graph", dot,
             args.python, src], args.workdir)
    if r.returncode != 66:
        fail(f"abba: exit {r.returncode}, expected 66\n{r.stderr}")
        return
    with open(out, encoding="utf-8") as f:
        report = json.load(f)
    found = [x for x in report["findings"] if x["kind"] == "lock-order-inversion"]
    if len(found) != 1:
        fail(f"abba: {len(found)} inversions")
        return
    places = set()
    for edge in found[0]["cycle"]:
        for key in ("holding_stack", "acquiring_stack"):
            check_no_eval_loop(f"abba {key}", edge[key] or [])
            places.add(innermost_py(edge[key] or [], "abba.py"))
    want = {("transfer", "abba.py", at["transfer-a"]), ("transfer", "abba.py", at["transfer-b"]),
            ("audit", "abba.py", at["audit-b"]), ("audit", "abba.py", at["audit-a"])}
    if places != want:
        fail(f"abba: edge places {sorted(places, key=str)}, expected {sorted(want)}")
    fix = [line for line in r.stderr.splitlines() if "Fix:" in line]
    if not fix or f"abba.py:{at['transfer-a']}" not in r.stderr.split("Fix:")[1]:
        fail(f"abba: the Fix line does not name abba.py:{at['transfer-a']}: {fix}")
    with open(dot, encoding="utf-8") as f:
        graph = f.read()
    for name in ("transfer-a", "transfer-b"):
        if f"abba.py:{at[name]}" not in graph:
            fail(f"abba: the graph names no abba.py:{at[name]}")


def check_deadlock(args, lockwatch):
    src = os.path.join(args.sources, "deadlock_frames.py")
    at = markers(src)
    out = os.path.join(args.workdir, "deadlock.json")
    r = run([lockwatch, "--timeout", "2", "--format=json", "--output", out, args.python, src],
            args.workdir)
    if r.returncode != 66:
        fail(f"deadlock: exit {r.returncode}, expected 66\n{r.stderr}")
        return
    with open(out, encoding="utf-8") as f:
        report = json.load(f)
    stacks = [s["frames"] for x in report["findings"] for s in x["stacks"]]
    innermost = set()
    for frames in stacks:
        check_no_eval_loop("deadlock", frames)
        py = python_frames(frames)
        if py:
            innermost.add(py[0] if py[0][1] == "deadlock_frames.py" else
                          next((p for p in py if p[1] == "deadlock_frames.py"), py[0]))
    for name, fn in (("one-waits", "one"), ("two-waits", "two"), ("main-joins", "<module>")):
        if (fn, "deadlock_frames.py", at[name]) not in innermost:
            fail(f"deadlock: no thread at {fn} deadlock_frames.py:{at[name]}; saw {sorted(innermost)}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", required=True)
    ap.add_argument("--sources", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    lockwatch = os.environ.get("LOCKWATCH", "lockwatch")
    check_relock(args, lockwatch)
    check_abba(args, lockwatch)
    check_deadlock(args, lockwatch)
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        return 1
    print("python stacks: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
