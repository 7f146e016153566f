#!/usr/bin/env python3
"""check_trust.py - what a process outside the run, or the end of lockwatch, does to a run.

    check_trust.py inject PROGRAM       (PROGRAM: tests/process/trust.c's binary)
    check_trust.py kill-driver PROGRAM

inject: while `PROGRAM clean 3` runs under lockwatch, this script (not a process of the run)
connects to the run's record channel and sends a forged double-lock record, once without the
run's secret and once with it (read from the program's environment), and holds 1,200 more
connections open. The run must end as it would alone: the program's exit status, no finding, no
bad record, and one line on stderr saying connections were refused.

forge-inside: the program itself (this script, run under lockwatch) connects to the channel
without the secret, and with a wrong one, and sends the forged records: a process of the run
that does not prove itself is refused as well.

kill-driver: SIGKILL to lockwatch while `PROGRAM sleep` runs: the program must be gone within
two seconds.

many: `PROGRAM many 150` (an inversion, then 150 live exec'd processes, each keeping its socket:
runtime knob ring=0) under a soft descriptor limit of 64: lockwatch raises its own and reports
the inversion. many-hard: the same under a hard limit of 64, which cannot be raised: the
connections lockwatch cannot take are closed and counted, and the inversion is still reported.

daemon-confirm: `PROGRAM daemon-confirm DIR` under --linger=0.3 --confirm=1: the daemon the first
run left running must outlive the steered re-run and write its file (a re-run ends only what it
started itself).

The lockwatch command is $LOCKWATCH. Exits 0 when the run behaved, 1 when not.
"""

import json
import os
import resource
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HEADER = struct.Struct("<HBBIiiIIQ")
WIRE_VERSION = 2


def fail(message):
    print("FAIL: " + message, flush=True)
    sys.exit(1)


def children_of(pid):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def run_socket(lockwatch_pid, deadline):
    """The program's pid and its LOCKWATCH_SOCKET value, once it runs under the runtime."""
    while time.time() < deadline:
        for child in children_of(lockwatch_pid):
            try:
                with open("/proc/%d/environ" % child, "rb") as f:
                    env = f.read().split(b"\0")
            except OSError:
                continue
            for entry in env:
                if entry.startswith(b"LOCKWATCH_SOCKET="):
                    return child, entry.split(b"=", 1)[1].decode()
        time.sleep(0.02)
    fail("the program never ran with LOCKWATCH_SOCKET")


def forged_records(pid):
    """A PROCESS record and a double lock that would block for ever, in the program's name."""
    now = time.monotonic_ns()
    process = HEADER.pack(0x574C, WIRE_VERSION, 1, HEADER.size + 16 + 1024, pid, pid, 0, 0, now)
    process += struct.pack("<iIII", 1, 1, 0, 0) + b"/forged".ljust(1024, b"\0")
    lock = struct.pack("<QIBBBB", 0x1000, 0, 1, 0, 0, 0)
    misuse = HEADER.pack(0x574C, WIRE_VERSION, 10, HEADER.size + 64, pid, pid, 0, 0, now)
    misuse += struct.pack("<II", 1, 1) + lock + struct.pack("<QQII", 0, 0, 0xFFFFFFFF, 0)
    misuse += bytes(16)
    return process + misuse


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def inject(lockwatch, program):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 1400 if hard == resource.RLIM_INFINITY else min(hard, 1400)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        errors = open(os.path.join(tmp, "stderr"), "w+")
        lw = subprocess.Popen([lockwatch, "--format=json", "--output=" + report, "--",
                               program, "clean", "3"], stderr=errors)
        pid, value = run_socket(lw.pid, time.time() + 5)
        # "<secret>:<path>"; a bare name is an abstract socket with no secret (older lockwatch)
        secret, path = value.split(":", 1) if ":" in value else ("", "\0" + value)
        held = []
        # A refused connection may be closed while the records are still being sent.
        for payload in (forged_records(pid), secret.encode() + forged_records(pid)):
            try:
                s = connect(path)
                held.append(s)
                s.sendall(payload)
            except OSError:
                pass
        for _ in range(1200):
            try:
                held.append(connect(path))
            except OSError:
                pass
        if not held:
            fail("could not reach the channel at all")
        try:
            status = lw.wait(timeout=20)
        except subprocess.TimeoutExpired:
            lw.kill()
            fail("lockwatch did not end")
        for s in held:
            s.close()
        errors.seek(0)
        stderr = errors.read()
        print(stderr, end="")
        if status != 0:
            fail("lockwatch exited %d (the program alone exits 0)" % status)
        with open(report) as f:
            doc = json.load(f)
        run = doc["runs"][0]
        if doc["findings"]:
            fail("findings: %s" % [f["kind"] for f in doc["findings"]])
        if run.get("stopped") or run.get("exit_code") != 0:
            fail("the run was disturbed: %s" % run)
        if doc["summary"].get("bad_records", 0) != 0:
            fail("bad records: %s" % doc["summary"]["bad_records"])
        if "refused" not in stderr or stderr.count("refused") != 1:
            fail("stderr does not say once that connections were refused")
    print("ok: forged records and a flood changed nothing")


def forge_inside(lockwatch, program):
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        done = subprocess.run([lockwatch, "--format=json", "--output=" + report, "--",
                               sys.executable, os.path.abspath(__file__), "forge-child", program],
                              timeout=20, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
        print(done.stdout + done.stderr, end="")
        if done.returncode != 0:
            fail("lockwatch exited %d (the program alone exits 0)" % done.returncode)
        with open(report) as f:
            doc = json.load(f)
        if doc["findings"] or doc["summary"].get("bad_records", 0) != 0:
            fail("the forged records were used")
        if "forged 2" not in done.stdout:
            fail("the program could not reach the channel")
        if done.stderr.count("refused 2 connections") != 1:
            fail("stderr does not say once that 2 connections were refused")
    print("ok: the run's own process was refused without the secret")


def forge_child(lockwatch, program):
    """Under lockwatch: sends forged records on two connections that lack the secret."""
    value = os.environ["LOCKWATCH_SOCKET"]
    secret, path = value.split(":", 1) if ":" in value else ("", "\0" + value)
    wrong = ("0" if secret[:1] != "0" else "1") + secret[1:]
    sent = 0
    for preamble in (b"", wrong.encode()):
        try:
            s = connect(path)
            s.sendall(preamble + forged_records(os.getpid()))
            sent += 1
            time.sleep(0.3)  # let lockwatch read it before this process ends
            s.close()
        except OSError:
            pass
    print("forged %d" % sent, flush=True)


def kill_driver(lockwatch, program):
    lw = subprocess.Popen([lockwatch, "--", program, "sleep"], start_new_session=True)
    pid, _ = run_socket(lw.pid, time.time() + 5)
    os.kill(lw.pid, signal.SIGKILL)
    lw.wait()
    deadline = time.time() + 2
    while time.time() < deadline:
        try:
            with open("/proc/%d/stat" % pid) as f:
                stat = f.read()
            if stat[stat.rindex(")") + 2] in "ZX":
                break
        except OSError:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
        fail("the program still runs 2 s after lockwatch was killed")
    print("ok: the program died with lockwatch")


def many(lockwatch, program, hard_limit):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit = (64, 64 if hard_limit else hard)

    def lower():
        resource.setrlimit(resource.RLIMIT_NOFILE, limit)

    env = dict(os.environ, LOCKWATCH_RUNTIME="ring=0")
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        done = subprocess.run([lockwatch, "--format=json", "--output=" + report, "--", program,
                               "many", "150"], env=env, preexec_fn=lower, timeout=25,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        print(done.stdout + done.stderr, end="")
        if done.returncode != 66:
            fail("lockwatch exited %d, expected 66 (the inversion)" % done.returncode)
        with open(report) as f:
            doc = json.load(f)
        kinds = [f["kind"] for f in doc["findings"]]
        if kinds != ["lock-order-inversion"]:
            fail("findings: %s" % kinds)
        if "150 children, 0 failed" not in done.stdout:
            fail("the program's children did not all run")
        dropped = "for want of file descriptors" in done.stderr
        if hard_limit and (not dropped or doc["summary"]["bad_records"] == 0):
            fail("the connections lockwatch could not take are not counted")
        if not hard_limit and (dropped or doc["summary"]["bad_records"] != 0):
            fail("lockwatch lost connections although it could raise its limit")
    print("ok: the inversion was reported")


def daemon_confirm(lockwatch, program):
    """--confirm's re-runs must leave alone what the first run left running (--linger)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        done = subprocess.run([lockwatch, "--linger=0.3", "--confirm=1", "--format=json",
                               "--output=" + report, "--", program, "daemon-confirm", tmp],
                              timeout=25, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, cwd=tmp)  # the replay file goes there
        print(done.stdout + done.stderr, end="")
        if done.returncode != 66:
            fail("lockwatch exited %d, expected 66 (the inversion)" % done.returncode)
        with open(report) as f:
            doc = json.load(f)
        confirmation = doc["findings"][0].get("confirmation", {})
        if confirmation.get("status") != "reproduced":
            fail("the inversion was not reproduced: %s" % confirmation)
        deadline = time.time() + 5
        while time.time() < deadline:
            if any(name.startswith("daemon.") for name in os.listdir(tmp)):
                break
            time.sleep(0.1)
        else:
            fail("no daemon wrote its file: the first run's daemon was killed by a re-run")
    print("ok: the first run's daemon outlived the re-run")


def main():
    modes = {"inject": inject, "kill-driver": kill_driver, "forge-inside": forge_inside,
             "forge-child": forge_child, "daemon-confirm": daemon_confirm,
             "many": lambda lw, prog: many(lw, prog, False),
             "many-hard": lambda lw, prog: many(lw, prog, True)}
    if len(sys.argv) != 3 or sys.argv[1] not in modes:
        print(__doc__, file=sys.stderr)
        return 2
    lockwatch = os.environ.get("LOCKWATCH")
    if not lockwatch and sys.argv[1] != "forge-child":
        print("check_trust.py: set LOCKWATCH", file=sys.stderr)
        return 2
    modes[sys.argv[1]](lockwatch, sys.argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
