#!/usr/bin/env python3
"""check_replay.py - --confirm's replay files, --replay, and SARIF levels under --fail-on.

    check_replay.py --program APART --apart-other OVERLAP --workdir DIR

lockwatch comes from $LOCKWATCH. APART has a concurrent inversion --confirm reproduces, OVERLAP
one it never reproduces (a semaphore keeps the orders apart). Checks:
  - --confirm writes lockwatch-replay-1.json in the current directory, named by the JSON
    report's confirmation.replay and the SARIF result's confirmationReplay property;
  - the SARIF result of the reproduced inversion is level error, with the label and the
    confirmation as properties; under --fail-on=confirmed the unreproduced one is a warning;
  - --replay=FILE runs once, deadlocks, reports a deadlock finding, exits 66 and says so;
  - a replay file that is not one, or not a regular file, exits 14 with one line;
  - --fail-on=confirmed without --confirm, and --replay with --confirm, exit 2.
Python 3 standard library only.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys

FINDINGS = 66
USAGE = 2
BAD_REPLAY = 14


def run(argv, cwd):
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def fail(msg, proc=None):
    print(f"FAIL: {msg}")
    if proc is not None:
        print(f"exit {proc.returncode}\nstderr:\n{proc.stderr}")
    sys.exit(1)


def one_result(sarif_path):
    with open(sarif_path) as f:
        results = json.load(f)["runs"][0]["results"]
    if len(results) != 1:
        fail(f"{sarif_path}: expected one result, got {len(results)}")
    return results[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--program", required=True)
    ap.add_argument("--apart-other", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    lw = os.environ.get("LOCKWATCH", "lockwatch")
    wd = args.workdir
    shutil.rmtree(wd, ignore_errors=True)
    os.makedirs(wd)

    # --confirm: JSON and SARIF name the replay file.
    p = run([lw, "--confirm=5", "--format=json", "--output=r.json", "--", args.program], wd)
    if p.returncode != FINDINGS:
        fail("--confirm on the concurrent inversion should exit 66", p)
    with open(os.path.join(wd, "r.json")) as f:
        conf = json.load(f)["findings"][0]["confirmation"]
    if conf.get("status") != "reproduced" or conf.get("replay") != "lockwatch-replay-1.json":
        fail(f"confirmation should be reproduced with its replay file: {conf}")
    with open(os.path.join(wd, "lockwatch-replay-1.json")) as f:
        replay = json.load(f)
    if replay.get("lockwatch_replay") != 1 or not replay.get("steer", "").startswith("2;"):
        fail(f"replay file lacks its version or a two-site steering: {replay}")
    os.rename(os.path.join(wd, "lockwatch-replay-1.json"), os.path.join(wd, "saved.json"))

    p = run([lw, "--confirm=5", "--format=sarif", "--output=r.sarif", "--", args.program], wd)
    res = one_result(os.path.join(wd, "r.sarif"))
    props = res.get("properties", {})
    if res.get("level") != "error" or props.get("confirmation") != "reproduced" or \
            props.get("schedule") != "concurrent" or \
            props.get("confirmationReplay") != "lockwatch-replay-1.json" or \
            not isinstance(props.get("confirmationAttempt"), int):
        fail(f"SARIF result of the reproduced inversion: level {res.get('level')}, {props}")

    p = run([lw, "--confirm=2", "--fail-on=confirmed", "--format=sarif", "--output=o.sarif",
             "--", args.apart_other], wd)
    if p.returncode != 0:
        fail("--fail-on=confirmed with an unreproduced inversion should exit 0", p)
    res = one_result(os.path.join(wd, "o.sarif"))
    props = res.get("properties", {})
    if res.get("level") != "warning" or props.get("confirmation") != "not-reproduced" or \
            "confirmationReplay" in props or not props.get("confirmationReason"):
        fail(f"SARIF result of the unreproduced inversion: level {res.get('level')}, {props}")

    # --replay: one run, the deadlock again.
    p = run([lw, "--replay=saved.json", "--format=json", "--output=d.json", "--",
             args.program], wd)
    if p.returncode != FINDINGS or "the run deadlocked" not in p.stderr:
        fail("--replay should deadlock again, exit 66 and say so", p)
    with open(os.path.join(wd, "d.json")) as f:
        kinds = [x["kind"] for x in json.load(f)["findings"]]
    if "deadlock" not in kinds:
        fail(f"--replay's report should hold a deadlock finding: {kinds}")

    # Bad replay files and option misuse.
    with open(os.path.join(wd, "bad.json"), "w") as f:
        f.write('{"steer": "not a schedule"}\n')
    for path in ("bad.json", "/dev/zero", "missing.json"):
        p = run([lw, f"--replay={path}", "--", args.program], wd)
        lines = p.stderr.strip().splitlines()
        if p.returncode != BAD_REPLAY or len(lines) != 1 or path not in lines[0]:
            fail(f"--replay={path} should exit {BAD_REPLAY} with one line naming it", p)
    for argv in (["--fail-on=confirmed"], ["--replay=saved.json", "--confirm"],
                 ["--fail-on=sometimes"]):
        p = run([lw, *argv, "--", args.program], wd)
        if p.returncode != USAGE:
            fail(f"{' '.join(argv)} should exit {USAGE}", p)
    print("PASS")


if __name__ == "__main__":
    main()
