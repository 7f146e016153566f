#!/usr/bin/env python3
"""check_record_copy.py — LOCKWATCH_RECORD_COPY (docs/user-guide.md): a run with it writes every
record the driver applied, and bench/feedbench, fed that file, finds what the run's report says
(as many findings, an edge for each lock pair of the cycle). A path that cannot be created ends
the run before it starts: exit 3 and one line naming the record copy.

usage: check_record_copy.py --feedbench PATH --program PATH --workdir DIR
(lockwatch comes from $LOCKWATCH)"""
import argparse
import json
import os
import re
import subprocess
import sys


def fail(msg):
    print("check_record_copy: FAIL: " + msg)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--feedbench", required=True)
    ap.add_argument("--program", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    lockwatch = os.environ["LOCKWATCH"]
    os.makedirs(args.workdir, exist_ok=True)
    copy = os.path.join(args.workdir, "records.bin")
    report = os.path.join(args.workdir, "report.json")
    for path in (copy, report):
        if os.path.exists(path):
            os.unlink(path)
    env = dict(os.environ, LOCKWATCH_RECORD_COPY=copy)
    run = subprocess.run([lockwatch, "--format=json", "--output=" + report, "--", args.program],
                         env=env, capture_output=True, text=True, timeout=60)
    if run.returncode != 66:
        fail("lockwatch exited %d, not 66: %s" % (run.returncode, run.stderr))
    summary = json.load(open(report))["summary"]
    if not os.path.exists(copy) or os.path.getsize(copy) == 0:
        fail("no record copy written")
    fed = subprocess.run([args.feedbench, "-r", "2", copy], capture_output=True, text=True,
                         timeout=60)
    if fed.returncode != 0:
        fail("feedbench exited %d: %s" % (fed.returncode, fed.stderr))
    m = re.search(r"(\d+) records, (\d+) edges, (\d+) findings", fed.stdout)
    if not m:
        fail("feedbench printed no summary: " + fed.stdout)
    records, edges, findings = (int(x) for x in m.groups())
    if findings != summary["findings"]:
        fail("feedbench found %d findings, the report %d" % (findings, summary["findings"]))
    if edges < 2 or records < 2:
        fail("feedbench saw %d records and %d edges" % (records, edges))

    bad = subprocess.run([lockwatch, "--", args.program],
                         env=dict(os.environ, LOCKWATCH_RECORD_COPY=os.path.join(
                             args.workdir, "no-such-dir", "records.bin")),
                         capture_output=True, text=True, timeout=60)
    lines = bad.stderr.strip().splitlines()
    if bad.returncode != 3 or len(lines) != 1 or "record copy" not in lines[0]:
        fail("an uncreatable copy: exit %d, stderr %r" % (bad.returncode, bad.stderr))
    print("check_record_copy: ok (%d records, %d edges, %d findings)" % (records, edges, findings))


if __name__ == "__main__":
    main()
