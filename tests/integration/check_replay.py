#!/usr/bin/env python3
"""check_replay.py - --confirm's replay files, --replay, and SARIF levels under --fail-on.

    check_replay.py --program APART --apart-other OVERLAP --workdir DIR

lockwatch comes from $LOCKWATCH. APART has a concurrent inversion --confirm reproduces, OVERLAP
one it never reproduces (a semaphore keeps the orders apart). Checks:
  - --confirm writes lockwatch-replay-1.json in the current directory, named by the JSON
    report's confirmation.replay and the SARIF result's confirmationReplay property; next to
    a regular --output file in another directory; in --replay-dir (also from
    LOCKWATCH_OPTIONS); never through a symbolic link planted there;
  - the SARIF result of the reproduced inversion is level error, with the label and the
    confirmation as properties; under --fail-on=confirmed the unreproduced one is a warning;
  - --replay=FILE runs once, deadlocks, reports a deadlock finding, exits 66 and says so;
  - a replay file that is not one, or not a regular file, exits 14 with one line;
  - --fail-on=confirmed without --confirm, --replay with --confirm, --replay-dir without
    --confirm or naming no directory, exit 2.
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

    # Where replay files go: next to a regular --output file, in --replay-dir (also from
    # LOCKWATCH_OPTIONS), never through a symbolic link planted there.
    os.makedirs(os.path.join(wd, "out"))
    if os.path.exists(os.path.join(wd, "lockwatch-replay-1.json")):
        os.remove(os.path.join(wd, "lockwatch-replay-1.json"))
    p = run([lw, "--confirm=5", "--format=json", "--output=out/r.json", "--", args.program], wd)
    with open(os.path.join(wd, "out", "r.json")) as f:
        conf = json.load(f)["findings"][0]["confirmation"]
    if conf.get("replay") != "out/lockwatch-replay-1.json" or \
            not os.path.isfile(os.path.join(wd, "out", "lockwatch-replay-1.json")) or \
            os.path.exists(os.path.join(wd, "lockwatch-replay-1.json")):
        fail(f"with --output=out/r.json the replay file belongs in out/: {conf}", p)
    os.makedirs(os.path.join(wd, "rd"))
    env = dict(os.environ, LOCKWATCH_OPTIONS="--replay-dir=rd")
    p = subprocess.run([lw, "--confirm=5", "--format=json", "--output=out/r2.json", "--",
                        args.program], cwd=wd, capture_output=True, text=True, timeout=120,
                       stdin=subprocess.DEVNULL, env=env)
    with open(os.path.join(wd, "out", "r2.json")) as f:
        conf = json.load(f)["findings"][0]["confirmation"]
    if conf.get("replay") != "rd/lockwatch-replay-1.json" or \
            not os.path.isfile(os.path.join(wd, "rd", "lockwatch-replay-1.json")):
        fail(f"--replay-dir=rd (from LOCKWATCH_OPTIONS) should put the replay file there: {conf}",
             p)
    os.makedirs(os.path.join(wd, "trap"))
    with open(os.path.join(wd, "victim"), "w") as f:
        f.write("precious\n")
    os.symlink(os.path.join(wd, "victim"), os.path.join(wd, "trap", "lockwatch-replay-1.json"))
    p = run([lw, "--confirm=5", "--replay-dir=trap", "--format=json", "--output=t.json", "--",
             args.program], wd)
    with open(os.path.join(wd, "victim")) as f:
        if f.read() != "precious\n":
            fail("a symbolic link planted where the replay file goes was followed", p)
    with open(os.path.join(wd, "t.json")) as f:
        conf = json.load(f)["findings"][0]["confirmation"]
    if conf.get("status") != "reproduced" or conf.get("replay") is not None or \
            "replay file" not in p.stderr:
        fail(f"a refused replay file should be said on stderr and named nowhere: {conf}", p)

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
                 ["--fail-on=sometimes"], ["--replay-dir=rd"], ["--confirm", "--replay-dir=none"],
                 ["--confirm", "--replay-dir=saved.json"]):
        p = run([lw, *argv, "--", args.program], wd)
        if p.returncode != USAGE:
            fail(f"{' '.join(argv)} should exit {USAGE}", p)
    print("PASS")


if __name__ == "__main__":
    main()
