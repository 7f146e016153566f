#!/usr/bin/env python3
"""check_report.py - runs one program under lockwatch and checks its JSON report against an
expectation file (format: scenarios/README.md, "The expect format"). A finding may be refined by
`instances N` (how many instance-level cycles a grouped finding stands for), `example PATTERN...`
(the k-th such line: the lock names of the finding's k-th example lock set, in any order; when
given, there are exactly that many examples) and `message REGEX` (searched in its message).

    check_report.py --expect FILE [--section NAME] [--source FILE]... [--timeout SEC]
                    -- PROGRAM [ARGS...]

The lockwatch command is taken from $LOCKWATCH. Source files are scanned for `@lock:NAME`
markers (and `@WORD:NAME` markers, referred to as `@WORD:NAME`), so expectations name source
lines by marker and never by number. Exits 0 when the run
matches, 1 when it does not (after printing expected vs actual and the whole report), 2 when the
expectation itself is unusable (syntax, unknown marker, no lockwatch).

Python 3 standard library only: the test suite needs nothing beyond what the build needs.
"""

import argparse
import fnmatch
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

# `@lock:NAME` is referred to as @NAME; any other `@WORD:NAME` as @WORD:NAME.
MARKER_RE = re.compile(r"@([a-z]+):([A-Za-z0-9_.-]+)")
STOP_REASONS = ("deadlock", "double-lock", "timeout", "interrupted", "no")
RUN_TIMEOUT_SECONDS = 50  # below the CTest timeout, so a hang is reported here with context
FINDINGS_EXIT = 66


class ExpectError(Exception):
    """The expectation or the test set-up is wrong (not the tool)."""


# ---------------------------------------------------------------------------------------------
# Expectations


class Place:
    """Where a frame must be: a marked source line, optionally in a named function."""

    def __init__(self, token, markers):
        if not token.startswith("@"):
            raise ExpectError(f"a place is @MARKER or @MARKER/FUNCTION, not {token!r}")
        name, _, self.function = token[1:].partition("/")
        if name not in markers:
            raise ExpectError(f"marker @lock:{name} is in none of the sources")
        self.marker = name
        self.file, self.line = markers[name]

    def matches(self, frame):
        if not isinstance(frame, dict) or not frame.get("file"):
            return False
        if os.path.basename(frame["file"]) != self.file or frame.get("line") != self.line:
            return False
        return not self.function or frame.get("function") == self.function

    def __str__(self):
        where = f"{self.file}:{self.line}"
        if self.function:
            where += f" in {self.function}"
        return f"@{self.marker} ({where})"


class ExpectedFinding:
    def __init__(self, kind, threads):
        self.kind = kind
        self.threads = threads  # "single-thread", "cross-thread" or None (either)
        self.locks = None       # list of glob patterns, or None (not checked)
        self.types = None       # list of lock types ("mutex", "rwlock", ...), or None
        self.cycle_length = None  # number of cycle edges, or None (not checked)
        self.edges = []         # list of (holding Place, acquiring Place, modes or None)
        self.stacks = []        # list of (Place, label glob): a labelled stack with a frame there
        self.accesses = []      # list of (kind, Place, held): data-race accesses, one to one
        self.variable = None    # glob for a data race's `variable`, or None (not checked)
        self.frames = []        # list of Place: some stack of the finding has a frame there
        self.forked = None      # True: found in a process other than the program (pid differs)
        self.instances = None   # the finding's `instances`, or None (not checked)
        self.examples = []      # list of glob lists: its `examples`' lock names, in order
        self.message = None     # regex its `message` must contain, or None
        self.schedule = None    # its `schedule` label ("concurrent", ...), or None
        self.ordered_by = None  # regex some `ordered_by` text must contain, or None
        self.no_ordered_by = False  # the finding must have no `ordered_by` entry (no note)
        self.confirmation = None  # its `confirmation.status` (--confirm), or None
        self.confirmation_reason = None  # regex its `confirmation.reason` must match, or None
        self.confirmation_attempts = None  # its `confirmation.attempts`, or None

    def describe(self):
        lines = [f"finding {self.kind}" + (f" {self.threads}" if self.threads else "")]
        if self.locks is not None:
            lines.append("  locks " + " ".join(self.locks))
        if self.types is not None:
            lines.append("  types " + " ".join(self.types))
        if self.cycle_length is not None:
            lines.append(f"  a cycle of {self.cycle_length} edges")
        for hold, acq, modes in self.edges:
            mode_text = f" ({modes[0]} -> {modes[1]})" if modes else ""
            lines.append(f"  edge holding at {hold} -> acquiring at {acq}{mode_text}")
        for place, label in self.stacks:
            lines.append(f"  stack labelled {label!r} with a frame at {place}")
        for place in self.frames:
            lines.append(f"  a frame at {place} in any of its stacks")
        if self.forked is not None:
            lines.append("  in " + ("another process than" if self.forked else "the process of")
                         + " the program")
        for kind, place, held in self.accesses:
            held_text = f" ({held})" if held else ""
            lines.append(f"  access {kind} with a frame at {place}{held_text}")
        if self.schedule is not None:
            lines.append(f"  schedule {self.schedule}")
        if self.no_ordered_by:
            lines.append("  no ordered_by")
        if self.ordered_by is not None:
            lines.append(f"  ordered by /{self.ordered_by.pattern}/")
        if self.confirmation is not None:
            lines.append(f"  confirmation {self.confirmation}")
        if self.confirmation_reason is not None:
            lines.append(f"  confirmation-reason /{self.confirmation_reason.pattern}/")
        if self.confirmation_attempts is not None:
            lines.append(f"  confirmation-attempts {self.confirmation_attempts}")
        if self.variable is not None:
            lines.append(f"  variable {self.variable}")
        if self.instances is not None:
            lines.append(f"  instances {self.instances}")
        for k, patterns in enumerate(self.examples):
            lines.append(f"  example {k + 1}: locks " + " ".join(patterns))
        if self.message is not None:
            lines.append(f"  message matching /{self.message.pattern}/")
        return lines


class Expectation:
    def __init__(self):
        self.exit = None          # lockwatch's exit status; None = 66 if findings else program's
        self.program_exit = 0     # runs[0].exit_code
        self.stdout = []          # regexes the program's stdout must match (^ and $ at line ends)
        self.findings = []
        self.no_findings = False
        self.locks_seen = None    # summary.locks, or None (not checked)
        self.summary = {}         # summary field -> expected integer
        self.races_checked = None  # summary.races_checked, or None (not checked)
        self.program_signal = None  # runs[0].signal when the run was killed, or None (exited)
        self.extra_kinds = set()  # kinds of which further findings beyond the listed are allowed
        self.options = []         # lockwatch options put before `--` (e.g. --timeout=3)
        self.stopped = None       # runs[0].stop_reason ("deadlock", ...) or "no"; None: unchecked
        self.max_seconds = None   # lockwatch must exit within this wall time
        self.interrupt_after = None  # send SIGINT to lockwatch's process group after this long
        self.text = []            # regexes the text report (a second run) must match


def marked_regex(text, markers):
    """A regex in which `@{NAME}` stands for the marked place's `file:line`, escaped."""
    def place(m):
        if m.group(1) not in markers:
            raise ExpectError(f"marker @lock:{m.group(1)} is in none of the sources")
        file, line = markers[m.group(1)]
        return re.escape(f"{file}:{line}")
    return re.sub(r"@\{([^}]+)\}", place, text)


def read_markers(paths):
    """Maps marker name -> (file basename, line) over all sources; a name may be used once."""
    markers = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for number, text in enumerate(f, start=1):
                for word, base in MARKER_RE.findall(text):
                    name = base if word == "lock" else f"{word}:{base}"
                    if name in markers:
                        raise ExpectError(f"marker @lock:{name} appears twice ({path}:{number})")
                    markers[name] = (os.path.basename(path), number)
    return markers


def parse_expect(path, section, markers):
    """Reads the lines of one section into an Expectation. `[NAME]` starts a section; lines
    before the first header belong to every section; `#` starts a comment line."""
    exp = Expectation()
    current = None  # the finding that `locks` and `edge` refine
    active = True
    seen_section = section is None
    with open(path, encoding="utf-8") as f:
        lines = list(enumerate(f, start=1))
    for number, raw in lines:
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        where = f"{path}:{number}"
        header = re.fullmatch(r"\[([A-Za-z0-9_-]+)\]", text)
        if header:
            active = section is not None and header.group(1) == section
            seen_section = seen_section or active
            current = None
            continue
        if not active:
            continue
        word, _, rest = text.partition(" ")
        args = rest.split()
        try:
            if word == "exit":
                exp.exit = int(args[0])
            elif word == "program-exit":
                exp.program_exit = int(args[0])
            elif word == "program-signal":
                exp.program_signal = int(args[0])
            elif word == "extra":
                exp.extra_kinds.add(args[0])
            elif word == "option":
                if not args[0].startswith("--"):
                    raise ExpectError("`option --NAME=VALUE` takes one lockwatch option")
                exp.options.append(args[0])
            elif word == "stopped":
                if args[0] not in STOP_REASONS:
                    raise ExpectError("stopped " + "|".join(STOP_REASONS))
                exp.stopped = args[0]
            elif word == "max-seconds":
                exp.max_seconds = float(args[0])
            elif word == "interrupt-after":
                exp.interrupt_after = float(args[0])
            elif word == "text":
                exp.text.append(re.compile(rest.strip()))
            elif word == "frame":
                if current is None:
                    raise ExpectError("`frame @PLACE...` must follow a `finding`")
                current.frames.extend(Place(a, markers) for a in args)
            elif word == "process":
                if current is None or args[0] not in ("program", "forked"):
                    raise ExpectError("`process program|forked` must follow a `finding`")
                current.forked = args[0] == "forked"
            elif word == "stdout":
                exp.stdout.append(re.compile(rest.strip(), re.MULTILINE))
            elif word == "locks-seen":
                exp.locks_seen = int(args[0])
            elif word == "summary":
                if len(args) != 2 or not args[1].isdigit():
                    raise ExpectError("summary FIELD N")
                exp.summary[args[0]] = int(args[1])
            elif word == "no-findings":
                exp.no_findings = True
            elif word == "finding":
                threads = args[1] if len(args) > 1 else None
                if threads not in (None, "single-thread", "cross-thread") or len(args) > 2:
                    raise ExpectError("finding KIND [single-thread|cross-thread]")
                current = ExpectedFinding(args[0], threads)
                exp.findings.append(current)
            elif word == "locks":
                if current is None:
                    raise ExpectError("`locks` must follow a `finding`")
                current.locks = args
            elif word == "types":
                if current is None:
                    raise ExpectError("`types` must follow a `finding`")
                current.types = sorted(args)
            elif word == "cycle-length":
                if current is None or len(args) != 1 or not args[0].isdigit():
                    raise ExpectError("`cycle-length N` must follow a `finding`")
                current.cycle_length = int(args[0])
            elif word == "edge":
                if current is None or len(args) not in (2, 4):
                    raise ExpectError("`edge HOLDING ACQUIRING [HOLDING_MODE ACQUIRING_MODE]` "
                                      "must follow a `finding`")
                modes = tuple(args[2:]) or None
                current.edges.append((Place(args[0], markers), Place(args[1], markers), modes))
            elif word == "access":
                if current is None or len(args) not in (2, 3) or args[0] not in ACCESS_KINDS or \
                        args[2:] not in ([], ["locked"], ["unlocked"]):
                    raise ExpectError("`access write|read|atomic-write|atomic-read @PLACE "
                                      "[locked|unlocked]` must follow a `finding`")
                held = args[2] if len(args) == 3 else None
                current.accesses.append((args[0], Place(args[1], markers), held))
            elif word == "instances":
                if current is None:
                    raise ExpectError("`instances N` must follow a `finding`")
                current.instances = int(args[0])
            elif word == "example":
                if current is None or not args:
                    raise ExpectError("`example PATTERN...` must follow a `finding`")
                current.examples.append(args)
            elif word == "message":
                if current is None:
                    raise ExpectError("`message REGEX` must follow a `finding`")
                current.message = re.compile(rest.strip())
            elif word == "schedule":
                if current is None or len(args) != 1 or \
                        args[0] not in ("concurrent", "ordered", "unchecked"):
                    raise ExpectError("`schedule concurrent|ordered|unchecked` must follow a "
                                      "`finding`")
                current.schedule = args[0]
            elif word == "confirmation":
                if current is None or len(args) != 1 or \
                        args[0] not in ("reproduced", "not-reproduced"):
                    raise ExpectError("`confirmation reproduced|not-reproduced` must follow a "
                                      "`finding`")
                current.confirmation = args[0]
            elif word == "confirmation-reason":
                if current is None:
                    raise ExpectError("`confirmation-reason REGEX` must follow a `finding`")
                current.confirmation_reason = re.compile(rest.strip())
            elif word == "confirmation-attempts":
                if current is None or len(args) != 1 or not args[0].isdigit():
                    raise ExpectError("`confirmation-attempts N` must follow a `finding`")
                current.confirmation_attempts = int(args[0])
            elif word == "no-ordered-by":
                if current is None:
                    raise ExpectError("`no-ordered-by` must follow a `finding`")
                current.no_ordered_by = True
            elif word == "ordered-by":
                if current is None:
                    raise ExpectError("`ordered-by REGEX` must follow a `finding`")
                current.ordered_by = re.compile(marked_regex(rest.strip(), markers))
            elif word == "variable":
                if current is None:
                    raise ExpectError("`variable NAME` must follow a `finding`")
                current.variable = args[0]
            elif word == "races-checked":
                if args[0] not in ("yes", "no"):
                    raise ExpectError("races-checked yes|no")
                exp.races_checked = args[0] == "yes"
            elif word == "stack":
                if current is None:
                    raise ExpectError("`stack @PLACE [LABEL]` must follow a `finding`")
                label = rest.strip().partition(" ")[2].strip() or "*"
                current.stacks.append((Place(args[0], markers), label))
            else:
                raise ExpectError(f"unknown keyword {word!r}")
        except (IndexError, ValueError) as e:
            raise ExpectError(f"{where}: bad line {text!r} ({e})") from None
        except ExpectError as e:
            raise ExpectError(f"{where}: {e}") from None
    if not seen_section:
        raise ExpectError(f"{path}: no section [{section}]")
    if exp.no_findings == bool(exp.findings):
        raise ExpectError(f"{path}: say either `no-findings` or at least one `finding`")
    return exp


# ---------------------------------------------------------------------------------------------
# Matching a report against the expectation


def lock_names(finding):
    """Names of the finding's locks; entries may be objects or ids into the run's lock table."""
    names = []
    for lock in finding.get("locks") or []:
        names.append(lock.get("name") if isinstance(lock, dict) else str(lock))
    return names


def frames_of(stack):
    if isinstance(stack, dict):
        stack = stack.get("frames")
    return stack if isinstance(stack, list) else []


def match_globs(patterns, names):
    """True when patterns and names pair off one to one (glob match), in any order."""
    if len(patterns) != len(names):
        return False
    if not patterns:
        return True
    first, rest = patterns[0], patterns[1:]
    for i, name in enumerate(names):
        if name is not None and fnmatch.fnmatchcase(name, first):
            if match_globs(rest, names[:i] + names[i + 1:]):
                return True
    return False


def edge_matches(edge, expected):
    hold, acq, modes = expected
    if modes and (edge.get("holding_mode"), edge.get("acquiring_mode")) != modes:
        return False
    return (any(hold.matches(fr) for fr in frames_of(edge.get("holding_stack"))) and
            any(acq.matches(fr) for fr in frames_of(edge.get("acquiring_stack"))))


def match_edges(expected_edges, actual_edges):
    """Pairs every expected edge with a distinct actual edge (cycles may start anywhere)."""
    if len(expected_edges) != len(actual_edges):
        return False
    if not expected_edges:
        return True
    first, rest = expected_edges[0], expected_edges[1:]
    for i, edge in enumerate(actual_edges):
        if edge_matches(edge, first) and match_edges(rest, actual_edges[:i] + actual_edges[i + 1:]):
            return True
    return False


def labelled_stack_matches(stack, place, label):
    return (isinstance(stack, dict) and fnmatch.fnmatchcase(str(stack.get("label")), label) and
            any(place.matches(fr) for fr in frames_of(stack)))


def all_stacks(finding):
    """Every stack of a finding: both stacks of each cycle edge and each labelled stack."""
    for edge in finding.get("cycle") or []:
        if isinstance(edge, dict):
            yield edge.get("holding_stack")
            yield edge.get("acquiring_stack")
    for stack in finding.get("stacks") or []:
        yield stack


ACCESS_KINDS = ("write", "read", "atomic-write", "atomic-read")


def access_matches(access, expected):
    """One data-race access against (kind, Place, held): its kind, a frame of its stack at the
    place, and with `locked`/`unlocked` whether ThreadSanitizer saw it hold a mutex."""
    kind, place, held = expected
    if not isinstance(access, dict):
        return False
    actual = ("atomic-" if access.get("atomic") else "") + str(access.get("kind"))
    if actual != kind:
        return False
    if held is not None and bool(access.get("mutexes")) != (held == "locked"):
        return False
    return any(place.matches(fr) for fr in frames_of(access.get("stack")))


def race_problems(exp, finding):
    """The data-race refinements (`access`, `variable`) of one expected finding."""
    problems = []
    if exp.variable is not None and not fnmatch.fnmatchcase(str(finding.get("variable")),
                                                            exp.variable):
        problems.append(f"variable is {finding.get('variable')!r}, expected {exp.variable}")
    if not exp.accesses:
        return problems
    accesses = finding.get("accesses") if isinstance(finding.get("accesses"), list) else []

    def pair(wanted, left):
        if not wanted:
            return not left
        return any(access_matches(a, wanted[0]) and pair(wanted[1:], left[:i] + left[i + 1:])
                   for i, a in enumerate(left))

    if not pair(exp.accesses, accesses):
        seen = [f"{'atomic-' if a.get('atomic') else ''}{a.get('kind')} at "
                f"{best_frame(a.get('stack'), set())} mutexes {a.get('mutexes')}"
                for a in accesses if isinstance(a, dict)]
        problems.append(f"accesses are {seen}, expected " +
                        "; ".join(f"{k} at {p}" + (f" ({h})" if h else "")
                                  for k, p, h in exp.accesses))
    return problems


def group_problems(exp, finding):
    """The grouping refinements (`instances`, `example`, `message`) of one expected finding."""
    problems = []
    if exp.instances is not None and finding.get("instances") != exp.instances:
        problems.append(f"instances is {finding.get('instances')!r}, expected {exp.instances}")
    if exp.examples:
        examples = finding.get("examples") if isinstance(finding.get("examples"), list) else []
        names = [lock_names(e) if isinstance(e, dict) else [] for e in examples]
        if len(names) != len(exp.examples) or not all(
                match_globs(want, got) for want, got in zip(exp.examples, names)):
            problems.append(f"example lock sets are {names}, expected {exp.examples}")
    if exp.message is not None and not exp.message.search(str(finding.get("message"))):
        problems.append(f"message {finding.get('message')!r} does not match "
                        f"/{exp.message.pattern}/")
    return problems


def finding_problems(exp, finding, program_pid=None):
    """Why one actual finding does not satisfy one expected finding ([] when it does)."""
    problems = []
    if finding.get("kind") != exp.kind:
        return [f"kind is {finding.get('kind')!r}, not {exp.kind!r}"]
    problems.extend(race_problems(exp, finding))
    if exp.threads is not None:
        single = finding.get("single_thread")
        if single is not (exp.threads == "single-thread"):
            problems.append(f"single_thread is {single!r}, expected {exp.threads}")
    if exp.schedule is not None and finding.get("schedule") != exp.schedule:
        problems.append(f"schedule is {finding.get('schedule')!r}, expected {exp.schedule}")
    if exp.confirmation is not None:
        conf = finding.get("confirmation")
        status = conf.get("status") if isinstance(conf, dict) else None
        if status != exp.confirmation:
            problems.append(f"confirmation is {conf!r}, expected {exp.confirmation}")
    if exp.confirmation_reason is not None:
        reason = (finding.get("confirmation") or {}).get("reason")
        if not isinstance(reason, str) or not exp.confirmation_reason.search(reason):
            problems.append(f"confirmation reason {reason!r} does not match "
                            f"/{exp.confirmation_reason.pattern}/")
    if exp.confirmation_attempts is not None:
        attempts = (finding.get("confirmation") or {}).get("attempts")
        if attempts != exp.confirmation_attempts:
            problems.append(f"confirmation attempts {attempts!r}, expected "
                            f"{exp.confirmation_attempts}")
    if exp.no_ordered_by and finding.get("ordered_by"):
        problems.append(f"ordered_by should be absent: {finding.get('ordered_by')}")
    if exp.ordered_by is not None:
        texts = [str(o.get("text")) for o in finding.get("ordered_by") or []
                 if isinstance(o, dict)]
        if not any(exp.ordered_by.search(t) for t in texts):
            problems.append(f"ordered_by texts {texts} do not match /{exp.ordered_by.pattern}/")
    if exp.locks is not None:
        names = lock_names(finding)
        if not match_globs(exp.locks, names):
            problems.append(f"lock names are {names}, expected {exp.locks}")
    if exp.types is not None:
        types = sorted(str(lock.get("type")) for lock in finding.get("locks") or []
                       if isinstance(lock, dict))
        if types != exp.types:
            problems.append(f"lock types are {types}, expected {exp.types}")
    if exp.cycle_length is not None:
        cycle = finding.get("cycle") or []
        if len(cycle) != exp.cycle_length:
            problems.append(f"cycle has {len(cycle)} edges, expected {exp.cycle_length}")
    if exp.edges:
        cycle = finding.get("cycle") or []
        if len(cycle) != len(exp.edges):
            problems.append(f"cycle has {len(cycle)} edges, expected {len(exp.edges)}")
        elif not match_edges(exp.edges, cycle):
            for hold, acq, modes in exp.edges:
                if not any(edge_matches(e, (hold, acq, modes)) for e in cycle):
                    mode_text = f" ({modes[0]} -> {modes[1]})" if modes else ""
                    problems.append(f"no edge holding at {hold} -> acquiring at {acq}{mode_text}")
            if not problems:
                problems.append("edges match individually but not one to one")
    for place, label in exp.stacks:
        if not any(labelled_stack_matches(s, place, label) for s in finding.get("stacks") or []):
            problems.append(f"no stack labelled {label!r} with a frame at {place}")
    for place in exp.frames:
        if not any(place.matches(fr) for s in all_stacks(finding) for fr in frames_of(s)):
            problems.append(f"no stack with a frame at {place}")
    problems.extend(group_problems(exp, finding))
    if exp.forked is not None and (finding.get("pid") != program_pid) != exp.forked:
        problems.append(f"pid is {finding.get('pid')!r}, the program's is {program_pid!r}")
    return problems


def assign_findings(expected, actual, extra_kinds=frozenset(), program_pid=None):
    """Pairs expected and actual findings one to one (actual findings of extra_kinds may be left
    over); returns the unmatched expected ones with the problems found against each candidate,
    or [] when everything pairs."""
    def solve(i, free):
        if i == len(expected):
            return all(actual[j].get("kind") in extra_kinds for j in free)
        for j in sorted(free):
            if not finding_problems(expected[i], actual[j], program_pid):
                if solve(i + 1, free - {j}):
                    return True
        return False

    if len(expected) <= len(actual) and solve(0, frozenset(range(len(actual)))):
        return []
    failures = []
    for exp in expected:
        tried = [(f.get("id"), finding_problems(exp, f, program_pid)) for f in actual]
        if not any(not problems for _, problems in tried):
            failures.append((exp, tried))
    return failures


# ---------------------------------------------------------------------------------------------
# Describing what happened


def frame_text(frame):
    if not isinstance(frame, dict):
        return "?"
    where = frame.get("function") or frame.get("address") or "?"
    if frame.get("file"):
        where += f" ({os.path.basename(frame['file'])}:{frame.get('line')})"
    return where


def best_frame(stack, source_files):
    """The frames in the test's own sources (innermost first, at most three, joined by " < "),
    else the first frame with a file, else the top frame."""
    frames = [f for f in frames_of(stack) if isinstance(f, dict)]
    own = [f for f in frames if f.get("file") and os.path.basename(f["file"]) in source_files]
    if own:
        return " < ".join(frame_text(f) for f in own[:3])
    for frame in frames:
        if frame.get("file"):
            return frame_text(frame)
    return frame_text(frames[0]) if frames else "(no frames)"


def describe_actual(report, source_files):
    lines = []
    for f in report.get("findings") or []:
        single = " single-thread" if f.get("single_thread") else " cross-thread"
        lines.append(f"finding {f.get('kind')}{single}")
        if f.get("instances", 1) != 1 or f.get("examples"):
            lines.append(f"  instances {f.get('instances')} examples " + "; ".join(
                " ".join(str(n) for n in lock_names(e)) for e in f.get("examples") or []
                if isinstance(e, dict)))
        lines.append("  locks " + " ".join(
            f"{lock.get('id')}={lock.get('name')} ({lock.get('type')})" if isinstance(lock, dict)
            else str(lock) for lock in f.get("locks") or []))
        for edge in f.get("cycle") or []:
            lines.append(f"  edge [{edge.get('thread')}] holding {edge.get('holding')} "
                         f"({edge.get('holding_mode')}) taken at "
                         f"{best_frame(edge.get('holding_stack'), source_files)} -> acquiring "
                         f"{edge.get('acquiring')} ({edge.get('acquiring_mode')}) at "
                         f"{best_frame(edge.get('acquiring_stack'), source_files)}")
        for stack in f.get("stacks") or []:
            if isinstance(stack, dict):
                lines.append(f"  stack [{stack.get('thread')}] {stack.get('label')!r}: "
                             f"{best_frame(stack, source_files)}")
    return lines or ["no-findings"]


def check_shape(report):
    """The fixed top-level fields of the JSON report (docs/report-format.md)."""
    problems = []
    if report.get("tool") != "lockwatch":
        problems.append(f"tool is {report.get('tool')!r}, not 'lockwatch'")
    if report.get("schema") != 1:
        problems.append(f"schema is {report.get('schema')!r}, not 1")
    for key, kind in (("runs", list), ("findings", list), ("summary", dict)):
        if not isinstance(report.get(key), kind):
            problems.append(f"{key} is missing or not a JSON {kind.__name__}")
    return problems


def run_lockwatch(argv, interrupt_after, timeout):
    """Runs lockwatch to its end (at most timeout seconds) and returns (CompletedProcess, wall
    seconds). With
    interrupt_after, lockwatch leads its own process group and gets SIGINT (as from Ctrl-C at a
    terminal: the whole group) after that many seconds."""
    start = time.monotonic()
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          errors="replace", start_new_session=interrupt_after is not None) as proc:
        try:
            if interrupt_after is not None:
                try:
                    proc.wait(timeout=interrupt_after)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGINT)
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            if interrupt_after is not None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.kill()
            out, err = proc.communicate()
            raise subprocess.TimeoutExpired(argv, timeout, out, err) from None
    seconds = time.monotonic() - start
    return subprocess.CompletedProcess(argv, proc.returncode, out, err), seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--expect", required=True, help="expectation file")
    parser.add_argument("--section", help="section of the expectation file ([broken], [fixed])")
    parser.add_argument("--source", action="append", default=[], help="source with markers")
    parser.add_argument("--timeout", type=float, default=RUN_TIMEOUT_SECONDS,
                        help="seconds lockwatch may run before the check fails (keep it below "
                             "the CTest timeout so a hang is reported here with context)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- PROGRAM [ARGS...]")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    try:
        if not command:
            raise ExpectError("no program given")
        lockwatch = os.environ.get("LOCKWATCH")
        if not lockwatch or not os.access(lockwatch, os.X_OK):
            raise ExpectError(f"$LOCKWATCH ({lockwatch!r}) is not an executable lockwatch")
        markers = read_markers(args.source)
        exp = parse_expect(args.expect, args.section, markers)
    except (ExpectError, OSError) as e:
        print(f"check_report: {e}", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="lw-check-") as tmp:
        report_path = os.path.join(tmp, "report.json")
        argv = [lockwatch, "--format=json", f"--output={report_path}", *exp.options, "--",
                *command]
        print("$ " + " ".join(argv))
        try:
            run, seconds = run_lockwatch(argv, exp.interrupt_after, args.timeout)
        except subprocess.TimeoutExpired as e:
            print(f"FAIL: no exit after {args.timeout} s")
            print(f"--- stdout ---\n{e.stdout or ''}\n--- stderr ---\n{e.stderr or ''}")
            return 1
        print(f"--- program stdout ---\n{run.stdout}--- lockwatch stderr ---\n{run.stderr}---")
        print(f"lockwatch ran {seconds:.2f} s")
        text_report = None
        if exp.text:
            text_argv = [lockwatch, "--format=text", *exp.options, "--", *command]
            print("$ " + " ".join(text_argv))
            try:
                text_report = run_lockwatch(text_argv, exp.interrupt_after, args.timeout)[0].stderr
            except subprocess.TimeoutExpired:
                text_report = f"(no exit after {args.timeout} s)"
        try:
            with open(report_path, encoding="utf-8") as f:
                report_text = f.read()
            report = json.loads(report_text)
        except (OSError, ValueError) as e:
            print(f"FAIL: no readable JSON report at {report_path}: {e} "
                  f"(lockwatch exited {run.returncode})")
            return 1

    problems = check_shape(report)
    findings = report.get("findings") if isinstance(report.get("findings"), list) else []
    want_exit = exp.exit
    if want_exit is None:
        want_exit = FINDINGS_EXIT if exp.findings else exp.program_exit
    if run.returncode != want_exit:
        problems.append(f"lockwatch exited {run.returncode}, expected {want_exit}")
    if exp.max_seconds is not None and seconds > exp.max_seconds:
        problems.append(f"lockwatch ran {seconds:.2f} s, expected at most {exp.max_seconds} s")
    for pattern in exp.text:
        if not pattern.search(text_report or ""):
            problems.append(f"the text report does not match /{pattern.pattern}/:\n{text_report}")
    runs = report.get("runs") if isinstance(report.get("runs"), list) else []
    program_pid = runs[0].get("pid") if runs and isinstance(runs[0], dict) else None
    if runs and isinstance(runs[0], dict) and exp.stopped is not None:
        reason = runs[0].get("stop_reason") if runs[0].get("stopped") is True else "no"
        if reason != exp.stopped or (exp.stopped == "no" and runs[0].get("stopped") is not False):
            problems.append(f"runs[0] says stopped {runs[0].get('stopped')!r} stop_reason "
                            f"{runs[0].get('stop_reason')!r}, expected {exp.stopped}")
    if not runs or not isinstance(runs[0], dict):
        problems.append("runs[] is empty")
    elif exp.program_signal is not None:
        if runs[0].get("signal") != exp.program_signal:
            problems.append(f"runs[0] says signal {runs[0].get('signal')!r}, expected "
                            f"{exp.program_signal} (the run ended by lockwatch)")
    elif runs[0].get("exit_code") != exp.program_exit or runs[0].get("signal") not in (0, None):
        problems.append(f"runs[0] says exit_code {runs[0].get('exit_code')!r} signal "
                        f"{runs[0].get('signal')!r}, expected exit_code {exp.program_exit}")
    summary = report.get("summary") if isinstance(report.get("summary"), dict) else {}
    if exp.locks_seen is not None and summary.get("locks") != exp.locks_seen:
        problems.append(f"summary.locks is {summary.get('locks')!r}, expected {exp.locks_seen}")
    for field, want in exp.summary.items():
        if summary.get(field) != want:
            problems.append(f"summary.{field} is {summary.get(field)!r}, expected {want}")
    if exp.races_checked is not None and summary.get("races_checked") is not exp.races_checked:
        problems.append(f"summary.races_checked is {summary.get('races_checked')!r}, "
                        f"expected {exp.races_checked}")
    for pattern in exp.stdout:
        if not pattern.search(run.stdout):
            problems.append(f"program stdout does not match /{pattern.pattern}/")

    kinds_actual = sorted(str(f.get("kind")) for f in findings)
    kinds_expected = sorted(f.kind for f in exp.findings)
    kinds_listed = sorted(k for k in kinds_actual if k not in exp.extra_kinds)
    if kinds_listed != sorted(k for k in kinds_expected if k not in exp.extra_kinds):
        extra_text = f" (plus any {', '.join(sorted(exp.extra_kinds))})" if exp.extra_kinds else ""
        problems.append(f"finding kinds are {kinds_actual}, expected exactly {kinds_expected}"
                        f"{extra_text}")
    elif len(kinds_actual) < len(kinds_expected):
        problems.append(f"finding kinds are {kinds_actual}, expected at least {kinds_expected}")
    for unmatched, tried in assign_findings(exp.findings, findings, exp.extra_kinds, program_pid):
        problems.append(f"expected finding {unmatched.kind} not found; candidates:")
        for fid, why in tried:
            problems.append(f"    finding {fid}: " + "; ".join(why))

    if not problems:
        print(f"OK: {len(findings)} finding(s) as expected, exit {run.returncode}")
        return 0
    sources = {os.path.basename(s) for s in args.source}
    print("FAIL:")
    for p in problems:
        print(f"  {p}")
    print("--- expected ---")
    for f in exp.findings:
        print("\n".join(f.describe()))
    if exp.no_findings:
        print("no-findings")
    print("--- actual ---")
    print("\n".join(describe_actual(report, sources)))
    print("--- report ---")
    print(json.dumps(report, indent=2))
    return 1


if __name__ == "__main__":
    sys.exit(main())
