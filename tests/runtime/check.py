#!/usr/bin/env python3
"""check.py — runs scenarios.c under liblockwatch.so with the stand-alone receiver (lwrecv.c,
which decodes records with lockwatch/wire.h itself) and checks the records against what each
scenario must produce. Prints one line per check; exit status 1 if any failed.

  check.py SCENARIOS_BINARY --lib LIBLOCKWATCH --recv LWRECV [SCENARIO...]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import urllib.parse

TRY, TIMED, COND = 1, 2, 4
RECURSIVE, ERRORCHECK, WRITER_PREF = 1, 2, 4
STRINGS = {"exe", "path", "name", "file", "func"}  # percent-encoded by record_text.c
failures = []


def check(name, cond, detail=""):
    print("%s %s%s" % ("ok  " if cond else "FAIL", name, (": " + detail) if detail and not cond else ""))
    if not cond:
        failures.append(name)


def ref(text):
    """A lock ref "addr/generation/type/flags/mode/acq" as a tuple of six integers."""
    return tuple(int(x, 0) for x in text.split("/"))


def value(key, text):
    if key in STRINGS:
        return urllib.parse.unquote(text, errors="replace")
    if key == "held":
        return [] if text == "-" else [(ref(h.split("@")[0]), int(h.split("@")[1], 0))
                                      for h in text.split(",")]
    if key in ("pcs", "events", "frames"):
        return text
    if "/" in text:
        return ref(text)
    try:
        return int(text, 0)
    except ValueError:
        return text  # a name: MISUSE kind, OVERFLOW table


def parse(lines):
    """The receiver's lines as (records as dicts, malformed lines, exit line)."""
    recs, errors, exit_line = [], [], None
    for line in lines:
        words = line.split()
        if not words:
            continue
        if words[0] == "ERROR":
            errors.append(line)
            continue
        if words[0] == "EXIT":
            exit_line = words[1]
            continue
        r = {"type": words[0]}
        for w in words[1:]:
            k, _, v = w.partition("=")
            r[k] = value(k, v)
        recs.append(r)
    return recs, errors, exit_line


def scenario(args, name, runtime=None, kill_after=None, expect_rc=0):
    cmd = [args.recv, "--lib", args.lib]
    if runtime:
        cmd += ["--runtime", runtime]
    if kill_after:
        cmd += ["--kill-after", str(kill_after)]
    with tempfile.NamedTemporaryFile(prefix="lwcheck-", mode="r") as out:
        got = subprocess.run(cmd + ["--stdout", out.name, "--", args.binary, name],
                             stdout=subprocess.PIPE, text=True, errors="replace")
        values = {}
        for line in out:
            if "=" in line:
                k, v = line.strip().split("=", 1)
                values[k] = int(v, 0)
    recs, errors, exit_line = parse(got.stdout.splitlines())
    want = "signal=%d" % -expect_rc if expect_rc < 0 else "status=%d" % expect_rc
    check("%s: receiver ran" % name, got.returncode == 0, "rc=%d" % got.returncode)
    check("%s: exit %s" % (name, want), exit_line == want, str(exit_line))
    check("%s: well-formed records" % name, not errors, "; ".join(errors[:3]))
    stacks = set(r["id"] for r in recs if r["type"] == "STACK")
    named = set()
    for r in recs:
        for key in ("stack", "other_stack", "created_stack"):
            if r.get(key):
                named.add(r[key])
        for _, s in r.get("held", []):
            if s:
                named.add(s)
    check("%s: every stack id named was sent" % name, named <= stacks,
          "missing %s" % [hex(x) for x in named - stacks])
    return recs, values


def of(recs, typ):
    return [r for r in recs if r["type"] == typ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--lib", required=True)
    ap.add_argument("--recv", required=True)
    ap.add_argument("only", nargs="*")
    args = ap.parse_intermixed_args()
    want = lambda n: not args.only or n in args.only

    if want("abba"):
        recs, v = scenario(args, "abba")
        acq = of(recs, "ACQUIRE")
        check("abba: two ACQUIRE", len(acq) == 2, str(len(acq)))
        if len(acq) == 2:
            first, second = sorted(acq, key=lambda r: r["thread"])
            check("abba: T0 takes b holding a",
                  first["lock"][0] == v["b"] and [h[0][0] for h in first["held"]] == [v["a"]])
            check("abba: T1 takes a holding b",
                  second["lock"][0] == v["a"] and [h[0][0] for h in second["held"]] == [v["b"]])
            check("abba: held entries carry stacks", all(h[1] for r in acq for h in r["held"]))
        names = of(recs, "THREAD_NAME")
        check("abba: thread named by its creator", len(names) == 1 and names[0]["name"] == "inverter"
              and names[0]["thread"] == 1)
        check("abba: THREAD then THREAD_EXIT", len(of(recs, "THREAD")) == 1 and
              len(of(recs, "THREAD_EXIT")) == 1)
        check("abba: PROCESS first", recs and recs[0]["type"] == "PROCESS" and recs[0]["origin"] == 1)
        mods = of(recs, "MODULE")
        check("abba: modules include the program and libc",
              any(m["path"] == os.path.realpath(args.binary) for m in mods) and
              any("libc.so" in m["path"] for m in mods))

    if want("repeat"):
        recs, v = scenario(args, "repeat")
        check("repeat: 1e6 iterations send one ACQUIRE", len(of(recs, "ACQUIRE")) == 1,
              str(len(of(recs, "ACQUIRE"))))
        check("repeat: no misuse", not of(recs, "MISUSE"))

    if want("recursive"):
        recs, v = scenario(args, "recursive")
        acq = of(recs, "ACQUIRE")
        check("recursive: re-locks send nothing", len(acq) == 1 and acq[0]["lock"][0] == v["r"]
              and acq[0]["lock"][3] & RECURSIVE)
        check("recursive: no misuse", not of(recs, "MISUSE"))

    if want("trylock"):
        recs, v = scenario(args, "trylock")
        acq = of(recs, "ACQUIRE")
        check("trylock: one ACQUIRE with TRY for the trylock, one for the lock above it",
              len(acq) == 2 and acq[0]["lock"][0] == v["b"] and acq[0]["lock"][5] & TRY
              and acq[1]["lock"][0] == v["above"], str(len(acq)))
        if len(acq) == 2:
            held = acq[1]["held"]
            check("trylock: the trylocked lock is held with TRY and its stack",
                  [h[0][0] for h in held] == [v["a"], v["b"]] and held[1][0][5] & TRY
                  and held[1][1] and not held[0][0][5] & TRY)
        check("trylock: the busy trylock happened", v.get("busy") == 1)

    if want("reuse"):
        recs, v = scenario(args, "reuse")
        gens = [r["lock"][1] for r in of(recs, "ACQUIRE") if r["lock"][0] == v["m"]]
        check("reuse: destroy+init gives a new generation", len(gens) == 2 and gens[0] != gens[1],
              str(gens))

    if want("fork"):
        recs, v = scenario(args, "fork")
        procs = of(recs, "PROCESS")
        forks = [p for p in procs if p["origin"] == 2]
        check("fork: child sends PROCESS FORK", len(forks) == 1 and forks[0]["pid"] == v["child"]
              and forks[0]["ppid"] == v["parent"])
        acq = [r for r in of(recs, "ACQUIRE") if r["pid"] == v["child"]]
        check("fork: child's edge carries the lock held across fork",
              len(acq) == 1 and acq[0]["nheld"] == 1 and acq[0]["thread"] == 0)

    if want("double_lock"):
        recs, v = scenario(args, "double_lock")
        mis = of(recs, "MISUSE")
        check("double_lock: errorcheck relock → DOUBLE_LOCK, will_block=0",
              len(mis) == 1 and mis[0]["kind"] == "DOUBLE_LOCK" and mis[0]["will_block"] == 0
              and mis[0]["other_stack"] and mis[0]["stack"])
        check("double_lock: EDEADLK returned unchanged", v.get("rc") == 35)

    if want("unlock_unowned"):
        recs, v = scenario(args, "unlock_unowned")
        mis = of(recs, "MISUSE")
        check("unlock_unowned: reported", len(mis) == 1 and mis[0]["kind"] == "UNLOCK_UNOWNED"
              and mis[0]["lock"][0] == v["a"])

    if want("destroy_locked"):
        recs, v = scenario(args, "destroy_locked")
        mis = of(recs, "MISUSE")
        check("destroy_locked: reported once, not for the later unlock",
              len(mis) == 1 and mis[0]["kind"] == "DESTROY_LOCKED", str(mis))
        check("destroy_locked: EBUSY then 0", v.get("rc") == 16 and v.get("rc2") == 0)

    if want("exit_holding"):
        recs, v = scenario(args, "exit_holding")
        mis = of(recs, "MISUSE")
        ex = of(recs, "THREAD_EXIT")
        check("exit_holding: EXIT_HOLDING for the held lock",
              len(mis) == 1 and mis[0]["kind"] == "EXIT_HOLDING" and mis[0]["lock"][0] == v["a"]
              and mis[0]["other_stack"])
        check("exit_holding: THREAD_EXIT nheld=1", len(ex) == 1 and ex[0]["nheld"] == 1)

    if want("condwait"):
        recs, v = scenario(args, "condwait")
        acq = of(recs, "ACQUIRE")
        cond = [r for r in acq if r["lock"][5] & COND]
        check("condwait: re-acquisition after the wait is a CONDWAIT acquire",
              len(cond) == 1 and cond[0]["lock"][0] == v["b"] and
              [h[0][0] for h in cond[0]["held"]] == [v["a"]])
        check("condwait: no misuse", not of(recs, "MISUSE"))

    if want("rwlock"):
        recs, v = scenario(args, "rwlock")
        acq = [r for r in of(recs, "ACQUIRE") if r["lock"][0] == v["rw"]]
        check("rwlock: one read and one write acquire",
              sorted(r["lock"][4] for r in acq) == [0, 1])
        check("rwlock: writer-preferring kind read from the static initialiser",
              all(r["lock"][3] & WRITER_PREF for r in acq))
        check("rwlock: no misuse", not of(recs, "MISUSE"))

    if want("c11"):
        recs, v = scenario(args, "c11")
        acq = of(recs, "ACQUIRE")
        check("c11: mtx edge m1 -> m2 (recursive), re-lock silent",
              len(acq) == 1 and acq[0]["lock"][0] == v["m2"] and acq[0]["lock"][2] == 4
              and acq[0]["lock"][3] & RECURSIVE)
        check("c11: no misuse", not of(recs, "MISUSE"))

    if want("spin"):
        recs, v = scenario(args, "spin")
        acq = of(recs, "ACQUIRE")
        check("spin: edge s1 -> s2", len(acq) == 1 and acq[0]["lock"][0] == v["s2"] and
              acq[0]["lock"][2] == 3)
        check("spin: no misuse", not of(recs, "MISUSE"))

    if want("threads"):
        recs, v = scenario(args, "threads")
        nums = sorted(r["thread"] for r in of(recs, "THREAD"))
        check("threads: numbers 1..16 in creation order", nums == list(range(1, 17)), str(nums))
        check("threads: every thread exits", len(of(recs, "THREAD_EXIT")) == 16)

    if want("long_wait"):
        recs, v = scenario(args, "long_wait")
        waits = of(recs, "WAIT")
        ends = of(recs, "WAIT_END")
        check("long_wait: a WAIT for a, held b, owner named",
              len(waits) == 1 and waits[0]["lock"][0] == v["a"] and waits[0]["owner_tid"] > 0
              and [h[0][0] for h in waits[0]["held"]] == [v["b"]])
        check("long_wait: WAIT_END with result 0", len(ends) == 1 and ends[0]["result"] == 0)

    if want("relock_normal"):
        recs, v = scenario(args, "relock_normal")
        mis = [r for r in of(recs, "MISUSE") if r["kind"] == "DOUBLE_LOCK"]
        check("relock_normal: DOUBLE_LOCK with will_block=1", len(mis) == 1 and
              mis[0]["will_block"] == 1 and mis[0]["lock"][0] == v["m"])
        waits = of(recs, "WAIT")
        check("relock_normal: WAIT names the thread itself as owner",
              len(waits) == 1 and waits[0]["owner_tid"] == waits[0]["tid"])
        check("relock_normal: DOUBLE_LOCK sent before the WAIT",
              recs.index(mis[0]) < recs.index(waits[0]) if mis and waits else False)

    if want("deadlock"):
        recs, v = scenario(args, "deadlock", runtime="wait_ms=50",
                           kill_after=1.5, expect_rc=-9)
        acq = of(recs, "ACQUIRE")
        check("deadlock: both orders reported before blocking",
              sorted((r["lock"][0], r["held"][0][0][0]) for r in acq) ==
              sorted([(v["b"], v["a"]), (v["a"], v["b"])]))
        waits = of(recs, "WAIT")
        tids = {r["tid"] for r in waits}
        owners = {r["owner_tid"] for r in waits}
        check("deadlock: both threads publish a WAIT naming the other as owner",
              len(waits) == 2 and tids == owners and len(tids) == 2)
        check("deadlock: no WAIT_END", not of(recs, "WAIT_END"))

    if want("helper"):
        recs, v = scenario(args, "helper")
        acq = of(recs, "ACQUIRE")
        ok = len(acq) == 2
        if ok:
            # Four acquisitions through one pc: four different stacks (the frame above differs).
            stacks = {acq[0]["stack"], acq[1]["stack"], acq[0]["held"][0][1], acq[1]["held"][0][1]}
            ok = len(stacks) == 4
        check("helper: acquisitions through one helper keep their own stacks", ok,
              str([(hex(r["stack"]), [hex(h[1]) for h in r["held"]]) for r in acq]))

    if want("per_thread"):
        recs, v = scenario(args, "per_thread")
        acq = [r for r in of(recs, "ACQUIRE") if r["lock"][0] == v["b"]]
        check("per_thread: each thread reports the repeated chain a -> b once",
              sorted(r["thread"] for r in acq) == [0, 1] and
              all([h[0][0] for h in r["held"]] == [v["a"]] for r in acq),
              str([(r["thread"], hex(r["lock"][0])) for r in acq]))
        # main reaches take_pair_twice through per_thread, the thread from its start: the two
        # threads' stacks differ, and neither borrows the other's (site.h serves no acquisition).
        check("per_thread: each thread's records carry the stacks unwound in it",
              len(acq) == 2 and acq[0]["stack"] != acq[1]["stack"] and
              acq[0]["held"][0][1] != acq[1]["held"][0][1])

    if want("c11_condwait"):
        recs, v = scenario(args, "c11_condwait")
        cond = [r for r in of(recs, "ACQUIRE") if r["lock"][5] & COND]
        # One chain per call site: the cnd_wait and the cnd_timedwait.
        check("c11_condwait: cnd_wait and cnd_timedwait re-acquire the mtx as CONDWAIT (outer held)",
              len(cond) == 2 and all(r["lock"][0] == v["inner"] and r["lock"][2] == 4 and
                                     [h[0][0] for h in r["held"]] == [v["outer"]] for r in cond),
              str(cond))
        check("c11_condwait: the timed wait timed out", v.get("timedout") == 1)
        check("c11_condwait: no misuse", not of(recs, "MISUSE"))

    if want("sem_records"):
        recs, v = scenario(args, "sem_records")
        check("sem_records: results and errno unchanged", v.get("ok") == 1)
        sems = of(recs, "SEM")
        lock = [r["op"] for r in sems if r["sem"] == v["lock"]]
        signal = [r["op"] for r in sems if r["sem"] == v["signal"]]
        # INIT 1, POST 2, WAIT 3 (wire.h enum lw_sem_op)
        check("sem_records: a semaphore used as a lock sends its INIT only", lock == [1], str(lock))
        check("sem_records: a signal sends INIT, three POSTs and three WAITs",
              sorted(signal) == [1, 2, 2, 2, 3, 3, 3], str(signal))
        check("sem_records: the lock is never reported a signal",
              not [r for r in of(recs, "SEM_SIGNAL") if r["sem"][0] == v["lock"]])

    if want("passive"):
        env = dict(os.environ, LD_PRELOAD=os.path.abspath(args.lib))
        env.pop("LOCKWATCH_SOCKET", None)
        rc = subprocess.run([args.binary, "abba"], env=env, stdout=subprocess.DEVNULL).returncode
        check("passive: runs unchanged without LOCKWATCH_SOCKET", rc == 0)

    print("%d failed" % len(failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
