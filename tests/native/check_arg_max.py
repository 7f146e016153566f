#!/usr/bin/env python3
"""check_arg_max.py — argument lists near the kernel's limit under lockwatch.

Finds, by bisection, the largest argument list the program accepts natively (the kernel's room
for arguments and environment, in bytes). Then, under lockwatch ($LOCKWATCH):
  - a list that leaves exactly the room lockwatch's own command words and the environment entries
    it adds need runs as natively (exit 0);
  - a list that fits natively but not with lockwatch's additions fails with exit 11 and one line
    that says how many bytes lockwatch adds (never a bare "Argument list too long").
Usage: check_arg_max.py program"""
import os
import re
import subprocess
import sys

CHUNK = 4096


def args_of(total):
    """Arguments taking `total` bytes of exec room (string, NUL and pointer each)."""
    out = []
    while total > 0:
        n = min(CHUNK, total)
        if n < 9 + 1:  # a string of at least one character
            break
        out.append("x" * (n - 9))
        total -= n
    return out


def runs(cmd, env):
    try:
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    except OSError as e:
        if e.errno == 7:  # E2BIG at our own exec
            return None, ""
        raise
    return p.returncode, p.stderr.decode(errors="replace")


def main():
    program = sys.argv[1]
    lockwatch = os.environ["LOCKWATCH"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOCKWATCH_")}
    env["LOCKWATCH"] = lockwatch
    lo, hi = 0, 4 << 20
    while hi - lo > 16:
        mid = (lo + hi) // 2
        rc, _ = runs([program] + args_of(mid), env)
        if rc == 0:
            lo = mid
        else:
            hi = mid
    native = lo  # this many bytes of arguments run natively
    # Bytes lockwatch's exec needs beyond the program's: its path and "--", then what it adds
    # to the environment (LD_PRELOAD, LOCKWATCH_SOCKET, TSAN_OPTIONS: measured from a run).
    # (the kernel also copies the executable's file name).
    words = len(lockwatch) + 1 + 8 + len("--") + 1 + 8 + max(0, len(lockwatch) - len(program))
    probe = subprocess.run([lockwatch, "--", "/usr/bin/env"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, env=env).stdout.decode()
    added = sum(len(line) + 1 + 8 for line in probe.splitlines()
                if re.match(r"(LD_PRELOAD|LOCKWATCH_\w+|TSAN_OPTIONS)=", line))
    added -= sum(len(k) + len(v) + 2 + 8 for k, v in env.items()
                 if k in ("LD_PRELOAD", "TSAN_OPTIONS"))
    fits = native - words - added - 64
    rc, err = runs([lockwatch, "--", program] + args_of(fits), env)
    problems = []
    if rc != 0:
        problems.append(f"{fits} bytes of arguments (native limit {native}, lockwatch adds "
                        f"{added}): exit {rc} under lockwatch\n{err}")
    too_long = native - words - 16
    rc, err = runs([lockwatch, "--", program] + args_of(too_long), env)
    lines = [l for l in err.splitlines() if l.strip()]
    if rc != 11 or len(lines) != 1 or "bytes of environment lockwatch adds" not in lines[0]:
        problems.append(f"{too_long} bytes of arguments: want exit 11 and one line, got exit "
                        f"{rc}:\n{err}")
    if problems:
        print("FAIL:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print(f"ok: native room {native} bytes; lockwatch adds {added}; {fits} bytes ran; "
          f"{too_long} bytes: {lines[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
