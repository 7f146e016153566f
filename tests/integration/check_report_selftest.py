#!/usr/bin/env python3
"""check_report_selftest.py - shows that check_report.py fails when it should.

An integration test that always passes proves nothing, so this runs the checker against a stand-in
for lockwatch that writes a prepared report, and requires a pass for the right report and a
failure for each kind of wrong one (wrong line, wrong function, extra finding, missing edge, wrong
lock name, type or mode, wrong single_thread, locks never seen, wrong exit status, finding where silence is expected, unknown
marker, wrong labelled stack, wrong end of the run, findings beyond the `extra` kinds, wrong
stop reason, frame missing from every stack, finding in the wrong process, wrong instance count,
example lock sets or message of a grouped finding). Python 3 standard library only.
"""

import copy
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(HERE, "check_report.py")

SOURCE = """\
void take_a_then_b(void)
{
    lock(&lock_a); /* @lock:ab-first */
    lock(&lock_b); /* @lock:ab-second */
}
void take_b_then_a(void)
{
    lock(&lock_b); /* @lock:ba-first */
    lock(&lock_a); /* @lock:ba-second */
}
void tail(void) { lock(&lock_c); } /* @tail:c */
"""

EXPECT = """\
# test expectation
[broken]
finding lock-order-inversion cross-thread
locks lock_a lock_b
types mutex mutex
edge @ab-first/take_a_then_b @ab-second/take_a_then_b write write
edge @ba-first/take_b_then_a @ba-second/take_b_then_a
[fixed]
locks-seen 2
no-findings
"""

# Stands in for lockwatch: runs the program, copies $FAKE_REPORT to --output, exits $FAKE_EXIT.
FAKE_LOCKWATCH = """\
#!/usr/bin/env python3
import os, shutil, subprocess, sys
args = sys.argv[1:]
output = next(a for a in args if a.startswith("--output=")).split("=", 1)[1]
subprocess.run(args[args.index("--") + 1:], check=False)
shutil.copy(os.environ["FAKE_REPORT"], output)
sys.exit(int(os.environ["FAKE_EXIT"]))
"""


def frame(function, line, file="src/sample.c"):
    return {"function": function, "file": file, "line": line, "module": "/t/prog",
            "address": "0x401000"}


def edge(thread, holding, acquiring, function, hold_line, acq_line):
    return {"thread": thread, "holding": holding, "acquiring": acquiring,
            "holding_mode": "write", "acquiring_mode": "write",
            "holding_stack": [frame(function, hold_line), frame("start_thread", 0, None)],
            "acquiring_stack": [frame("pthread_mutex_lock", 0, None),
                                frame(function, acq_line)]}


GOOD = {
    "tool": "lockwatch", "version": "0.1.0", "schema": 1,
    "runs": [{"pid": 10, "argv": ["prog"], "exit_code": 0, "signal": 0}],
    "findings": [{
        "id": 1, "kind": "lock-order-inversion", "message": "m", "single_thread": False,
        "pid": 10,
        "locks": [{"id": "M1", "name": "lock_a", "address": "0x1", "type": "mutex"},
                  {"id": "M2", "name": "lock_b", "address": "0x2", "type": "mutex"}],
        "threads": [],
        # Rotated on purpose: the checker must not depend on where the cycle starts.
        "cycle": [edge("T2", "M2", "M1", "take_b_then_a", 8, 9),
                  edge("T1", "M1", "M2", "take_a_then_b", 3, 4)],
        "stacks": []}],
    "summary": {},
}
GOOD["summary"] = {"locks": 2}
SILENT = dict(copy.deepcopy(GOOD), findings=[])
UNSEEN = dict(copy.deepcopy(SILENT), summary={"locks": 0})


def variant(change):
    report = copy.deepcopy(GOOD)
    change(report)
    return report


def set_line(r):
    r["findings"][0]["cycle"][1]["acquiring_stack"][1]["line"] = 5


def set_function(r):
    r["findings"][0]["cycle"][0]["holding_stack"][0]["function"] = "elsewhere"


def add_finding(r):
    r["findings"].append(dict(copy.deepcopy(r["findings"][0]), id=2))


def drop_edge(r):
    r["findings"][0]["cycle"].pop()


def rename_lock(r):
    r["findings"][0]["locks"][0]["name"] = "mutex taken in main"


def set_type(r):
    r["findings"][0]["locks"][1]["type"] = "rwlock"


def set_mode(r):
    r["findings"][0]["cycle"][1]["holding_mode"] = "read"


def make_single(r):
    r["findings"][0]["single_thread"] = True


def drop_summary(r):
    del r["summary"]


CASES = [
    # name, section, report, lockwatch exit status, expected checker status
    ("right report", "broken", GOOD, 66, 0),
    ("wrong line", "broken", variant(set_line), 66, 1),
    ("wrong function", "broken", variant(set_function), 66, 1),
    ("extra finding", "broken", variant(add_finding), 66, 1),
    ("missing edge", "broken", variant(drop_edge), 66, 1),
    ("wrong lock name", "broken", variant(rename_lock), 66, 1),
    ("wrong lock type", "broken", variant(set_type), 66, 1),
    ("wrong mode", "broken", variant(set_mode), 66, 1),
    ("single_thread where cross-thread expected", "broken", variant(make_single), 66, 1),
    ("no summary", "broken", variant(drop_summary), 66, 1),
    ("exit 0 with findings", "broken", GOOD, 0, 1),
    ("silence", "fixed", SILENT, 0, 0),
    ("finding where silence expected", "fixed", GOOD, 66, 1),
    ("exit 66 without findings", "fixed", SILENT, 66, 1),
    ("silent because the locks were never seen", "fixed", UNSEEN, 0, 1),
]


# Labelled stacks, a run ended by lockwatch (program-signal), findings of an `extra` kind, and
# lockwatch options from the expectation.
MISUSE_EXPECT = """\
[killed]
option --on-deadlock=exit
program-signal 9
finding double-lock
locks lock_a
stack @ab-first first locked here
stack @ab-second locked again*
[races]
finding data-race
stack @ba-first *
extra data-race
"""


def labelled(label, function, line):
    return {"thread": "T0", "label": label, "frames": [frame(function, line)]}


KILLED = dict(copy.deepcopy(GOOD), runs=[{"pid": 10, "argv": ["prog"], "exit_code": None,
                                          "signal": 9}])
KILLED["findings"] = [{
    "id": 1, "kind": "double-lock", "message": "m", "single_thread": True, "pid": 10,
    "locks": [{"id": "M1", "name": "lock_a", "address": "0x1", "type": "mutex"}],
    "threads": [], "cycle": [],
    "stacks": [labelled("locked again here", "take_a_then_b", 4),
               labelled("first locked here", "take_a_then_b", 3)]}]
RACE = {"id": 1, "kind": "data-race", "message": "m", "single_thread": False, "pid": 10,
        "locks": [], "threads": [], "cycle": [],
        "stacks": [labelled("write here", "take_b_then_a", 8),
                   labelled("previous read here", "take_b_then_a", 9)]}
RACES = dict(copy.deepcopy(SILENT), findings=[RACE, dict(copy.deepcopy(RACE), id=2)])


def killed_variant(change):
    report = copy.deepcopy(KILLED)
    change(report)
    return report


MISUSE_CASES = [
    ("labelled stacks and a killed run", "killed", KILLED, 66, 0),
    ("labelled stack at the wrong line", "killed",
     killed_variant(lambda r: r["findings"][0]["stacks"][1]["frames"][0].update(line=5)), 66, 1),
    ("labelled stack with the wrong label", "killed",
     killed_variant(lambda r: r["findings"][0]["stacks"][0].update(label="here")), 66, 1),
    ("a run that exited where a killed one is expected", "killed",
     killed_variant(lambda r: r["runs"][0].update(exit_code=0, signal=None)), 66, 1),
    ("several findings of an extra kind", "races", RACES, 66, 0),
    ("one finding of an extra kind", "races", dict(copy.deepcopy(SILENT), findings=[RACE]), 66, 0),
    ("no finding although one is expected besides the extra ones", "races", SILENT, 66, 1),
    ("a finding of a kind that is not extra", "races",
     dict(copy.deepcopy(SILENT), findings=[RACE, KILLED["findings"][0]]), 66, 1),
]


# A run lockwatch stopped after a deadlock in a forked child: stop_reason, `frame` anywhere in
# the finding's stacks (also through a `@WORD:NAME` marker), the finding's process.
STOP_EXPECT = """\
[stopped]
program-signal 9
stopped deadlock
max-seconds 30
finding deadlock
frame @ab-second @tail:c
process forked
"""

STOPPED = dict(copy.deepcopy(KILLED), runs=[{"pid": 10, "argv": ["prog"], "exit_code": None,
                                             "signal": 9, "stopped": True,
                                             "stop_reason": "deadlock"}])
STOPPED["findings"] = [{
    "id": 1, "kind": "deadlock", "message": "m", "single_thread": False, "pid": 11,
    "locks": [], "threads": [],
    "cycle": [edge("T2", "M2", "M1", "take_b_then_a", 8, 9),
              edge("T1", "M1", "M2", "take_a_then_b", 3, 4)],
    "stacks": [labelled("blocked here", "tail", 11)]}]


def stopped_variant(change):
    report = copy.deepcopy(STOPPED)
    change(report)
    return report


STOP_CASES = [
    ("a run stopped after a deadlock in a forked child", "stopped", STOPPED, 66, 0),
    ("stopped for another reason", "stopped",
     stopped_variant(lambda r: r["runs"][0].update(stop_reason="timeout")), 66, 1),
    ("not stopped", "stopped",
     stopped_variant(lambda r: r["runs"][0].update(stopped=False, stop_reason=None)), 66, 1),
    ("found in the program's own process", "stopped",
     stopped_variant(lambda r: r["findings"][0].update(pid=10)), 66, 1),
    ("no frame at a @WORD:NAME marker", "stopped",
     stopped_variant(lambda r: r["findings"][0]["stacks"][0]["frames"][0].update(line=12)), 66,
     1),
]


# Data races (ThreadSanitizer builds): access kinds, the marked line of each access stack,
# whether a lock was held, the variable, and summary.races_checked.
RACE_EXPECT = """\
[race]
races-checked yes
finding data-race
variable counter
access write @ab-second/take_a_then_b locked
access read @ba-second unlocked
"""


def access(kind, function, line, mutexes, previous):
    return {"thread": "T1", "tsan_thread": "T1", "kind": kind, "atomic": False,
            "previous": previous, "size": 4, "address": "0x10", "mutexes": mutexes,
            "stack": [frame(function, line), frame("start_thread", 0, None)]}


RACE = {
    "tool": "lockwatch", "version": "0.1.0", "schema": 1,
    "runs": [{"pid": 10, "argv": ["prog"], "exit_code": 0, "signal": None}],
    "findings": [{
        "id": 1, "kind": "data-race", "message": "m", "single_thread": False, "pid": 10,
        "locks": [], "threads": [], "cycle": [], "stacks": [],
        # The previous access first on purpose: accesses pair off in any order.
        "accesses": [access("read", "take_b_then_a", 9, [], True),
                     access("write", "take_a_then_b", 4, ["write M0"], False)],
        "variable": "counter", "location": "global 'counter' of size 4"}],
    "summary": {"locks": 0, "races_checked": True},
}


def race_variant(change):
    report = copy.deepcopy(RACE)
    change(report)
    return report


RACE_CASES = [
    ("right race", "race", RACE, 66, 0),
    ("race access of the wrong kind", "race",
     race_variant(lambda r: r["findings"][0]["accesses"][0].update(kind="write")), 66, 1),
    ("race access at the wrong line", "race",
     race_variant(lambda r: r["findings"][0]["accesses"][1]["stack"][0].update(line=3)), 66, 1),
    ("race access without the expected lock", "race",
     race_variant(lambda r: r["findings"][0]["accesses"][1].update(mutexes=[])), 66, 1),
    ("race access with a lock where none is expected", "race",
     race_variant(lambda r: r["findings"][0]["accesses"][0].update(mutexes=["write M1"])), 66, 1),
    ("race with one access missing", "race",
     race_variant(lambda r: r["findings"][0]["accesses"].pop()), 66, 1),
    ("race on another variable", "race",
     race_variant(lambda r: r["findings"][0].update(variable="total")), 66, 1),
    ("races not checked", "race",
     race_variant(lambda r: r["summary"].update(races_checked=False)), 66, 1),
]


def run_checker(tmp, section, report, lockwatch_exit, expect_text=EXPECT):
    report_path = os.path.join(tmp, "report.json")
    expect_path = os.path.join(tmp, "expect")
    with open(report_path, "w", encoding="utf-8") as f:
        json.dump(report, f)
    with open(expect_path, "w", encoding="utf-8") as f:
        f.write(expect_text)
    env = dict(os.environ, LOCKWATCH=os.path.join(tmp, "lockwatch"), FAKE_REPORT=report_path,
               FAKE_EXIT=str(lockwatch_exit))
    run = subprocess.run([sys.executable, CHECKER, "--expect", expect_path, "--section", section,
                          "--source", os.path.join(tmp, "src", "sample.c"), "--", "true"],
                         env=env, capture_output=True, text=True)
    return run.returncode, run.stdout + run.stderr


# A grouped finding: instances, example lock sets in order, message.
GROUP_EXPECT = """\
[group]
finding lock-order-inversion cross-thread
locks lock_a lock_b
instances 3
example lock_a lock_b
example lock_c lock_d
message between 3 pairs of locks \\(instances\\)$
"""


def example(*names):
    return {"locks": [{"id": f"M{i + 1}", "name": n, "address": "0x1", "type": "mutex"}
                      for i, n in enumerate(names)]}


GROUP = copy.deepcopy(GOOD)
GROUP["findings"][0].update(
    instances=3, examples=[example("lock_b", "lock_a"), example("lock_c", "lock_d")],
    message="m; the same lock order was inverted between 3 pairs of locks (instances)")


def group_variant(change):
    report = copy.deepcopy(GROUP)
    change(report)
    return report


GROUP_CASES = [
    ("grouped finding", "group", GROUP, 66, 0),
    ("wrong instance count", "group",
     group_variant(lambda r: r["findings"][0].update(instances=2)), 66, 1),
    ("no instance count (older report)", "group",
     group_variant(lambda r: r["findings"][0].pop("instances")), 66, 1),
    ("examples in the other order", "group",
     group_variant(lambda r: r["findings"][0]["examples"].reverse()), 66, 1),
    ("one example missing", "group",
     group_variant(lambda r: r["findings"][0]["examples"].pop()), 66, 1),
    ("wrong message", "group",
     group_variant(lambda r: r["findings"][0].update(message="m")), 66, 1),
]


def main():
    failures = 0
    with tempfile.TemporaryDirectory(prefix="lw-selftest-") as tmp:
        os.mkdir(os.path.join(tmp, "src"))
        with open(os.path.join(tmp, "src", "sample.c"), "w", encoding="utf-8") as f:
            f.write(SOURCE)
        fake = os.path.join(tmp, "lockwatch")
        with open(fake, "w", encoding="utf-8") as f:
            f.write(FAKE_LOCKWATCH)
        os.chmod(fake, 0o755)
        cases = [(name, lambda s=section, r=report, e=lw_exit: run_checker(tmp, s, r, e), want)
                 for name, section, report, lw_exit, want in CASES]
        cases += [(name, lambda s=section, r=report, e=lw_exit: run_checker(tmp, s, r, e,
                                                                             MISUSE_EXPECT), want)
                  for name, section, report, lw_exit, want in MISUSE_CASES]
        cases += [(name, lambda s=section, r=report, e=lw_exit: run_checker(tmp, s, r, e,
                                                                             STOP_EXPECT), want)
                  for name, section, report, lw_exit, want in STOP_CASES]
        cases += [(name, lambda s=section, r=report, e=lw_exit: run_checker(tmp, s, r, e,
                                                                             RACE_EXPECT), want)
                  for name, section, report, lw_exit, want in RACE_CASES]
        cases += [(name, lambda s=section, r=report, e=lw_exit: run_checker(tmp, s, r, e,
                                                                             GROUP_EXPECT), want)
                  for name, section, report, lw_exit, want in GROUP_CASES]
        cases.append(("unknown marker is a set-up error",
                      lambda: run_checker(tmp, "broken", GOOD, 66,
                                          EXPECT.replace("@ab-first/", "@no-such/")), 2))
        for name, run, want in cases:
            status, output = run()
            verdict = "ok" if status == want else "WRONG"
            print(f"{verdict}: {name}: checker exited {status}, expected {want}")
            if status != want:
                failures += 1
                print(output)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
