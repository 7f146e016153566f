#!/usr/bin/env python3
"""check_small_things.py - options users reach for in scripts and CI.

    check_small_things.py --program ABBA --clean CLEAN --workdir DIR

lockwatch comes from $LOCKWATCH. ABBA has one lock-order inversion, CLEAN none. Checks:
  - --output takes %p (lockwatch's pid) and %%;
  - --profile's table goes to stderr with --format=sarif and json (and into the JSON report);
  - a suppression rule with a trailing `# comment` matches; with --verbose the rules that
    matched nothing are listed (file:line), without it they are not;
  - --baseline accepts the SARIF lockwatch wrote (the finding is known: exit 0), and refuses a
    SARIF log of another tool (exit 10, one line);
  - merge-sarif merges logs into one run, keeping a finding several logs hold once, and refuses
    what is not lockwatch SARIF (exit 13, one line);
  - --text-on-stderr writes the text report on stderr next to a SARIF --output;
  - --color=always colours a text report into a pipe, never does not, a bad value exits 2;
  - COLUMNS narrows the text report's prose into a pipe (`lockwatch demo` relies on it), while
    a regular --output file keeps the default width.
Python 3 standard library only.
"""

import argparse
import glob
import json
import os
import subprocess
import sys

FINDINGS = 66
BAD_BASELINE = 10
BAD_SARIF = 13
PROFILE_HEAD = "lockwatch: contention profile"


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, errors="replace", timeout=120,
                          **kw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--program", required=True)
    ap.add_argument("--clean", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    lw = os.environ["LOCKWATCH"]
    work = args.workdir
    os.makedirs(work, exist_ok=True)
    for old in glob.glob(os.path.join(work, "*")):
        os.remove(old)
    problems = []

    def check(ok, what):
        if not ok:
            problems.append(what)

    # %p and %%
    proc = run([lw, "--format=json", "--output=" + os.path.join(work, "r-%p-100%%.json"),
                args.program])
    made = glob.glob(os.path.join(work, "r-*-100%.json"))
    check(proc.returncode == FINDINGS and len(made) == 1 and
          os.path.basename(made[0])[2:-10].isdigit(),
          f"--output=r-%p-100%%.json made {made} (exit {proc.returncode})")

    # --profile on stderr whatever the format, and in the JSON
    for fmt in ("sarif", "json"):
        out = os.path.join(work, "profile." + fmt)
        proc = run([lw, "--profile", "--format=" + fmt, "--output=" + out, args.program])
        check(PROFILE_HEAD in proc.stderr, f"--profile --format={fmt}: no table on stderr")
        if fmt == "json":
            with open(out, encoding="utf-8") as f:
                check("profile" in json.load(f), "--profile: the JSON report has no profile")

    # --text-on-stderr
    sarif = os.path.join(work, "abba.sarif")
    proc = run([lw, "--format=sarif", "--output=" + sarif, "--text-on-stderr", args.program])
    check(proc.returncode == FINDINGS and "==lockwatch== lock-order inversion" in proc.stderr,
          "--text-on-stderr: no text report on stderr")
    if not os.path.exists(sarif):  # an unknown option: write the log the later checks use
        run([lw, "--format=sarif", "--output=" + sarif, args.program])
    with open(sarif, encoding="utf-8") as f:
        check(json.load(f)["version"] == "2.1.0", "--text-on-stderr: the SARIF file is broken")

    # --color
    proc = run([lw, "--color=always", args.program])
    check("\033[" in proc.stderr, "--color=always: no colour into a pipe")
    proc = run([lw, "--color=never", args.program], env=dict(os.environ, TERM="xterm"))
    check("\033[" not in proc.stderr, "--color=never: coloured")
    proc = run([lw, "--color=sometimes", args.program])
    check(proc.returncode == 2, f"--color=sometimes exits {proc.returncode}, expected 2")

    # COLUMNS: prose (lines indented by two: not frames or the thread list) wrapped to it, a
    # file not
    env60 = dict(os.environ, COLUMNS="60")
    env60.pop("LOCKWATCH_OPTIONS", None)
    proc = run([lw, args.program], env=env60)
    prose = [line for line in proc.stderr.splitlines()
             if line.startswith("  ") and not line.startswith("   ")]
    check(prose and max(len(line) for line in prose) <= 60,
          "COLUMNS=60: prose lines wider than 60: "
          f"{[line for line in prose if len(line) > 60][:2]}")
    wide = os.path.join(work, "wide.txt")
    run([lw, "--output=" + wide, args.program], env=env60)
    with open(wide, encoding="utf-8") as f:
        check(max(len(line) for line in f.read().splitlines()) > 60,
              "COLUMNS=60 narrowed a report written to a regular file")

    # suppressions: trailing comments, unused rules
    supp = os.path.join(work, "rules.supp")
    with open(supp, "w", encoding="utf-8") as f:
        f.write("# accepted\n"
                "lock-order-inversion:function:*   # every inversion, with a comment\n"
                "deadlock:lock:no_such_lock\t# stale: matches nothing\n")
    proc = run([lw, "--suppressions=" + supp, args.program])
    check(proc.returncode == 0, f"a rule with a trailing comment did not match "
                                f"(exit {proc.returncode}): {proc.stderr[-300:]!r}")
    check("matched no finding" not in proc.stderr, "unused rules listed without --verbose")
    proc = run([lw, "--verbose", "--suppressions=" + supp, args.program])
    unused = [line for line in proc.stderr.splitlines() if "matched no finding" in line]
    check(len(unused) == 1 and f"{supp}:3:" in unused[0] and "no_such_lock" in unused[0],
          f"--verbose lists the unused rules as {unused}")

    # --baseline with SARIF
    proc = run([lw, "--baseline=" + sarif, args.program])
    check(proc.returncode == 0 and "1 known" in proc.stderr,
          f"--baseline=SARIF: exit {proc.returncode}, {proc.stderr[-200:]!r}")
    other = os.path.join(work, "other.sarif")
    with open(other, "w", encoding="utf-8") as f:
        json.dump({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "other"}},
                                                 "results": []}]}, f)
    proc = run([lw, "--baseline=" + other, args.program])
    check(proc.returncode == BAD_BASELINE and len(proc.stderr.splitlines()) == 1,
          f"--baseline=another tool's SARIF: exit {proc.returncode}, {proc.stderr!r}")

    # merge-sarif
    sarif2 = os.path.join(work, "abba-again.sarif")
    clean = os.path.join(work, "clean.sarif")
    run([lw, "--format=sarif", "--output=" + sarif2, args.program])
    run([lw, "--format=sarif", "--output=" + clean, args.clean])
    merged = os.path.join(work, "merged.sarif")
    proc = run([lw, "merge-sarif", merged, sarif, sarif2, clean])
    check(proc.returncode == 0, f"merge-sarif exited {proc.returncode}: {proc.stderr!r}")
    if proc.returncode == 0:
        with open(merged, encoding="utf-8") as f:
            log = json.load(f)
        runs = log["runs"]
        check(len(runs) == 1, f"merge-sarif wrote {len(runs)} runs, expected 1")
        check(len(runs[0]["results"]) == 1,
              f"the finding both logs hold is kept {len(runs[0]['results'])} times, expected once")
        check(len(runs[0]["invocations"]) == 3, "merge-sarif lost invocations")
        proc = run([lw, "--baseline=" + merged, args.program])
        check(proc.returncode == 0, "the merged log does not serve as a baseline")
    proc = run([lw, "merge-sarif", os.path.join(work, "no.sarif"), sarif, other])
    check(proc.returncode == BAD_SARIF and len(proc.stderr.splitlines()) == 1 and
          not os.path.exists(os.path.join(work, "no.sarif")),
          f"merge-sarif of another tool's log: exit {proc.returncode}, {proc.stderr!r}")
    proc = run([lw, "merge-sarif", os.path.join(work, "no.sarif")])
    check(proc.returncode == 2, f"merge-sarif without inputs exits {proc.returncode}")

    if problems:
        print("FAIL:\n  " + "\n  ".join(problems))
        return 1
    print("OK: %p, --profile on stderr, --text-on-stderr, suppression comments and unused rules, "
          "SARIF baselines, merge-sarif")
    return 0


if __name__ == "__main__":
    sys.exit(main())
