#!/usr/bin/env python3
"""check_preflight.py — bad input gets one clear line on stderr and its own exit code.

Runs $LOCKWATCH on each kind of bad input the command checks before running anything (unknown
option, missing or non-executable program, statically linked or setuid binary, missing runtime,
bad LOCKWATCH_OPTIONS) plus --help, --version and a good run, and checks the exit code and that
the error is a single "lockwatch: " line naming the problem (usage errors may add the pointer
to --help).

Usage: check_preflight.py CC   (CC builds the static test binary; only that case is skipped,
with a message, when the C library has no static archive; the test then exits 77, skipped)."""
import os
import shutil
import stat
import subprocess
import sys
import tempfile

LOCKWATCH = os.environ["LOCKWATCH"]
failures = []
skipped = []  # cases that could not run here: the test then exits 77 (skipped), not 0
SKIP = 77


def run(args, env_extra=None):
    env = dict(os.environ)
    env.pop("LOCKWATCH_OPTIONS", None)
    env.update(env_extra or {})
    p = subprocess.run([LOCKWATCH] + args, capture_output=True, text=True, env=env, timeout=30)
    return p.returncode, p.stdout, p.stderr


def expect_error(name, args, code, words, env_extra=None):
    rc, _, err = run(args, env_extra)
    lines = [l for l in err.splitlines() if l.strip()]
    problems = []
    if rc != code:
        problems.append(f"exit code {rc}, expected {code}")
    # Usage errors may add the usual pointer to --help, as GNU tools do.
    hint = "Try 'lockwatch --help' for more information."
    if not lines or not lines[0].startswith("lockwatch: ") or any(l != hint for l in lines[1:]):
        problems.append(f"stderr is not one 'lockwatch: ' line: {err!r}")
    elif not all(w in lines[0] for w in words):
        problems.append(f"the line does not name {words}: {lines[0]!r}")
    print(("ok   " if not problems else "FAIL ") + name)
    for p in problems:
        print("     " + p)
        failures.append(name)


def main():
    cc = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="lockwatch-preflight-")
    try:
        expect_error("unknown option", ["--bogus", "/bin/true"], 2, ["--bogus"])
        expect_error("bad option value", ["--format=xml", "/bin/true"], 2, ["xml"])
        expect_error("no program", [], 2, [])
        expect_error("bad LOCKWATCH_OPTIONS", ["/bin/true"], 2, ["--nope"],
                     {"LOCKWATCH_OPTIONS": "--nope"})
        expect_error("missing program", [os.path.join(tmp, "absent")], 4, ["absent"])
        expect_error("not on PATH", ["lockwatch-no-such-program"], 4,
                     ["lockwatch-no-such-program"])
        plain = os.path.join(tmp, "plain")
        with open(plain, "w") as f:
            f.write("not a program\n")
        os.chmod(plain, 0o644)
        expect_error("not executable", [plain], 5, ["plain"])
        expect_error("a directory", [tmp], 5, [os.path.basename(tmp)])

        setuid = os.path.join(tmp, "setuid-true")
        shutil.copy("/bin/true", setuid)
        os.chmod(setuid, 0o755 | stat.S_ISUID)
        expect_error("setuid", [setuid], 7, ["setuid"])
        setgid = os.path.join(tmp, "setgid-true")
        shutil.copy("/bin/true", setgid)
        os.chmod(setgid, 0o755 | stat.S_ISGID)
        expect_error("setgid", [setgid], 7, ["setgid"])

        expect_error("missing runtime", ["--runtime=" + os.path.join(tmp, "no.so"), "/bin/true"],
                     8, ["no.so"])

        src = os.path.join(tmp, "static.c")
        with open(src, "w") as f:
            f.write("int main(void) { return 0; }\n")
        static = os.path.join(tmp, "static")
        built = subprocess.run([cc, "-static", "-o", static, src], capture_output=True)
        if built.returncode == 0:
            expect_error("statically linked", [static], 6, ["statically linked"])
        else:
            print("skip statically linked: no static C library to build one")
            skipped.append("statically linked")

        for name, args in (("--help", ["--help"]), ("--version", ["--version"])):
            rc, out, _ = run(args)
            ok = rc == 0 and out.strip()
            print(("ok   " if ok else "FAIL ") + name)
            if not ok:
                failures.append(name)
        rc, out, _ = run(["--version"])
        if not out.startswith("lockwatch "):
            print(f"FAIL --version prints {out!r}")
            failures.append("--version text")
        for prog, code in (("/bin/true", 0), ("/bin/false", 1)):
            rc, _, err = run([prog])
            ok = rc == code
            print(("ok   " if ok else "FAIL ") + f"{prog} exits {code}")
            if not ok:
                print(f"     exit {rc}, stderr {err!r}")
                failures.append(prog)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{'FAILED' if failures else 'passed'}: {len(failures)} failure(s)"
          + (f", skipped: {', '.join(skipped)}" if skipped else ""))
    if failures:
        return 1
    return SKIP if skipped else 0


if __name__ == "__main__":
    sys.exit(main())
