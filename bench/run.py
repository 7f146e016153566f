#!/usr/bin/env python3
"""run.py — lockwatch's benchmark driver (started by bench/run.sh).

For each workload it runs the program natively, under libnullpreload.so (an interposer that only
forwards: the floor any LD_PRELOAD tool pays) and under lockwatch, alternating the three modes
within each round so that slow drifts of a shared machine hit all of them alike. It reports
medians of wall time and peak RSS as ratios against the native run, checks every lockwatch report
for findings (these workloads have no lock-order cycle, so any finding is a false positive), and
prints one table. With --baseline OTHER_BUILD a fourth mode runs the lockwatch of another build
(an older commit) on the same programs, alternating with the others, so the table also says what
changed between the two. Only the Python standard library is used.
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

MODES = ("native", "null", "lockwatch", "baseline")
LOCKWATCH_MODES = ("lockwatch", "baseline")  # modes whose run writes a lockwatch report
INSTALL_HINT = "apt-get install pigz memcached libmemcached-tools"
PYTHON = "/usr/bin/python3"  # the CPython whose frames lockwatch reads (python3-dev headers)
PYLOOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pyloop.py")
RUN_TIMEOUT_S = 600
SERVER_READY_TIMEOUT_S = 30
SERVER_STOP_TIMEOUT_S = 60


class RunResult:
    """One run of one workload in one mode."""

    def __init__(self, seconds=None, rss_kb=None, error=None, findings=None):
        self.seconds = seconds
        self.rss_kb = rss_kb
        self.error = error  # None when the run worked
        self.findings = findings  # list of finding kinds (lockwatch mode), else None
        self.driver_kb = None  # the lockwatch process's own peak RSS (DriverMemoryWorkload)


class Env:
    """Paths and settings every workload needs."""

    def __init__(self, build_dir, tmp_dir, lockwatch, nullpreload, lockbench, waitbench,
                 growbench, selfrss, baseline=None):
        # GNU time measures peak RSS: os.wait4 from Python would not do, because a child's
        # peak RSS keeps the high-water mark of the memory image it had before exec — a fork of
        # the Python interpreter (~17 MB here). time's own image is ~1 MB.
        self.gnu_time = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
        self.build_dir = build_dir
        self.tmp_dir = tmp_dir
        self.lockwatch = lockwatch  # None when lockwatch is unusable
        self.nullpreload = nullpreload
        self.lockbench = lockbench
        self.waitbench = waitbench
        self.growbench = growbench
        self.selfrss = selfrss  # libselfrss.so: the driver's own peak RSS (DriverMemoryWorkload)
        self.baseline = baseline  # another build's lockwatch command (--baseline), or None
        self.run_counter = 0

    def scratch(self, stem):
        """A fresh file name in the temporary directory."""
        self.run_counter += 1
        return os.path.join(self.tmp_dir, "%s.%d" % (stem, self.run_counter))


def base_environment():
    """The environment for every run: the caller's, without a preload of its own."""
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    return env


def wrap(env, mode, argv, report_path, rss_path, driver_rss_path=None):
    """(argv, environment) that run argv in the given mode, under GNU time when there is one
    (its exit status is the program's, 128+N when a signal N killed it). With driver_rss_path,
    a lockwatch mode preloads libselfrss.so into lockwatch alone (through env(1), so GNU time
    does not load it), which writes lockwatch's own peak RSS there."""
    child_env = base_environment()
    cmd = list(argv)
    if mode == "null":
        child_env["LD_PRELOAD"] = env.nullpreload
    elif mode in LOCKWATCH_MODES:
        tool = env.lockwatch if mode == "lockwatch" else env.baseline
        cmd = [tool, "--format=json", "--output=" + report_path, "--"] + cmd
        if driver_rss_path:
            cmd = ["env", "LD_PRELOAD=" + env.selfrss,
                   "LOCKWATCH_BENCH_SELF_RSS=" + driver_rss_path] + cmd
    if env.gnu_time:
        cmd = [env.gnu_time, "-f", "%M", "-o", rss_path] + cmd
    return cmd, child_env


def read_rss(rss_path):
    """Peak RSS in KB from GNU time's output file (last line), or None."""
    try:
        with open(rss_path) as f:
            return int(f.read().split()[-1])
    except (OSError, ValueError, IndexError):
        return None


def spawn(argv, child_env, stdout_path, stdin=subprocess.DEVNULL):
    """Starts argv in its own session (so a timeout can end its whole process group)."""
    out = open(stdout_path, "wb")
    try:
        return subprocess.Popen(argv, env=child_env, stdin=stdin, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        out.close()


def kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def wait_bounded(proc, timeout_s):
    """Waits for proc; returns (exit code as Popen reports it, timed out). After timeout_s the
    process group is killed."""
    expired = threading.Event()

    def expire():
        expired.set()
        kill_group(proc)

    timer = threading.Timer(timeout_s, expire)
    timer.start()
    try:
        proc.wait()
    finally:
        timer.cancel()
    return proc.returncode, expired.is_set()


def tail(path, lines=5):
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return " | ".join(text.strip().splitlines()[-lines:])


def read_findings(report_path):
    """The kinds of the findings in a lockwatch JSON report, or raises ValueError."""
    try:
        with open(report_path, "r", encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError("no readable JSON report (%s)" % e)
    findings = doc.get("findings") if isinstance(doc, dict) else None
    if not isinstance(findings, list):
        raise ValueError("JSON report has no findings array")
    return [f.get("kind", "?") if isinstance(f, dict) else "?" for f in findings]


def finish_lockwatch_run(result, report_path):
    """Adds the report's findings to a lockwatch-mode result."""
    if result.error is not None:
        return result
    try:
        result.findings = read_findings(report_path)
    except ValueError as e:
        result.error = str(e)
    return result


def status_text(code):
    return "killed by signal %d" % -code if code < 0 else "exit status %d" % code


class CommandWorkload:
    """A program whose whole run is timed (lockbench, pigz)."""

    measures_driver = False  # DriverMemoryWorkload: also the lockwatch process's own peak RSS
    target_seconds = None  # a limit on lockwatch's wall time in seconds, besides `target`

    def __init__(self, name, target, argv, what, tools=(), setup=None):
        self.name = name
        self.target = target
        self.argv = argv
        self.what = what
        self.tools = tools
        self.setup = setup

    def describe(self, env):
        """The command line, with paths in the (deleted) temporary directory named by role."""
        return " ".join(a.replace(env.tmp_dir, "$TMPDIR") for a in self.argv)

    def run(self, env, mode, argv=None):
        report = env.scratch("report.json")
        output = env.scratch("out")
        rss_path = env.scratch("rss")
        driver_rss = env.scratch("driver-rss") if self.measures_driver else None
        argv, child_env = wrap(env, mode, argv or self.argv, report, rss_path, driver_rss)
        start = time.monotonic()
        proc = spawn(argv, child_env, output)
        code, timed_out = wait_bounded(proc, RUN_TIMEOUT_S)
        seconds = time.monotonic() - start
        result = RunResult(seconds, read_rss(rss_path))
        if driver_rss and mode in LOCKWATCH_MODES:
            result.driver_kb = read_rss(driver_rss)
        if timed_out:
            result.error = "timed out after %d s" % RUN_TIMEOUT_S
        elif code == 66 and mode in LOCKWATCH_MODES:
            pass  # findings: the report says which
        elif code != 0:
            result.error = "%s: %s" % (status_text(code), tail(output))
        if mode in LOCKWATCH_MODES:
            finish_lockwatch_run(result, report)
        return result


class DriverMemoryWorkload(CommandWorkload):
    """A program that makes `locks` distinct locks known to the driver: timed like any command,
    and under lockwatch also the driver's own peak RSS per lock: (peak with `locks` locks - peak
    of the same program with `few` locks, measured once per round) / (locks - few)."""

    measures_driver = True

    def __init__(self, name, target_seconds, target_bytes, argv, few_argv, locks, few, what):
        super().__init__(name, None, argv, what)
        self.target_seconds = target_seconds
        self.target_bytes = target_bytes
        self.few_argv = few_argv
        self.locks = locks
        self.few = few
        self.few_kb = {}  # mode -> the driver's peak RSS with few locks, one per round

    def run(self, env, mode):
        result = super().run(env, mode)
        if mode in LOCKWATCH_MODES and result.error is None:
            few = super().run(env, mode, self.few_argv)
            if few.error is not None or few.driver_kb is None or result.driver_kb is None:
                result.error = few.error or "no driver peak RSS (libselfrss.so not loaded?)"
            else:
                result.driver_kb -= few.driver_kb
        return result

    def bytes_per_lock(self, kb):
        return kb * 1024.0 / (self.locks - self.few)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, proc, timeout_s):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def find_process(root_pid, comm):
    """root_pid or its first descendant whose command name is comm (lockwatch spawns the
    program as its child), or None."""
    pending = [root_pid]
    while pending:
        pid = pending.pop(0)
        try:
            with open("/proc/%d/comm" % pid) as f:
                if f.read().strip() == comm:
                    return pid
            for task in os.listdir("/proc/%d/task" % pid):
                with open("/proc/%d/task/%s/children" % (pid, task)) as f:
                    pending.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue
    return None


class MemcachedWorkload:
    """memcached -t 2 under load from memcslap: the time is memcslap's wall time; the server's
    peak RSS is taken when it is stopped with SIGTERM (its normal end here)."""

    def __init__(self, name, target, load_argv):
        self.name = name
        self.target = target
        self.load_argv = load_argv
        self.what = "server throughput: memcslap wall time against memcached -t 2"
        self.measures_driver = False
        self.target_seconds = None
        self.tools = ("memcached", "memcslap")
        self.setup = None

    def server_argv(self, port):
        argv = ["memcached", "-t", "2", "-U", "0", "-l", "127.0.0.1", "-p", str(port)]
        if os.geteuid() == 0:
            argv += ["-u", "root"]  # memcached refuses to run as root without -u
        return argv

    def describe(self, env):
        return "%s; %s" % (" ".join(self.server_argv(0)).replace("-p 0", "-p PORT"),
                           " ".join(self.load_argv).replace("{port}", "PORT"))

    def run(self, env, mode):
        port = free_port()
        report = env.scratch("report.json")
        server_out = env.scratch("memcached.out")
        load_out = env.scratch("memcslap.out")
        rss_path = env.scratch("rss")
        argv, child_env = wrap(env, mode, self.server_argv(port), report, rss_path)
        server = spawn(argv, child_env, server_out)
        result = RunResult()
        try:
            if not wait_for_port(port, server, SERVER_READY_TIMEOUT_S):
                result.error = "memcached did not listen on port %d: %s" % (port,
                                                                         tail(server_out))
                return result
            load = [a.replace("{port}", str(port)) for a in self.load_argv]
            start = time.monotonic()
            client = spawn(load, base_environment(), load_out)
            code, timed_out = wait_bounded(client, RUN_TIMEOUT_S)
            result.seconds = time.monotonic() - start
            if timed_out or code != 0:
                result.error = "memcslap %s: %s" % (
                    "timed out" if timed_out else status_text(code), tail(load_out))
        finally:
            self.stop_server(server, result, server_out)
            result.rss_kb = read_rss(rss_path)
        if mode in LOCKWATCH_MODES:
            finish_lockwatch_run(result, report)
        return result

    def stop_server(self, server, result, server_out):
        """SIGTERM to memcached itself (not to GNU time or lockwatch), then wait for the tree.
        Dying from that SIGTERM — or exiting 0, or lockwatch passing on 128+15 — is the
        normal end; 66 means lockwatch found something, which the report will say."""
        pid = find_process(server.pid, "memcached")
        if pid is not None:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        else:
            kill_group(server)
        code, timed_out = wait_bounded(server, SERVER_STOP_TIMEOUT_S)
        if result.error is None:
            if timed_out:
                result.error = "memcached did not stop on SIGTERM"
            elif code not in (0, -signal.SIGTERM, 128 + signal.SIGTERM, 66):
                result.error = "memcached %s: %s" % (status_text(code), tail(server_out))


def make_pigz_input(env, size_mb):
    """~size_mb MB of mildly compressible data: blocks of text from a random vocabulary mixed
    with blocks of random bytes (pigz compresses it to about 75%)."""
    path = os.path.join(env.tmp_dir, "pigz-input.bin")
    rng = random.Random(20240601)
    vocabulary = ["".join(rng.choice("etaoinshrdlucmfwypvbgkqjxz") for _ in range(rng.randint(2, 9)))
                  for _ in range(4000)]
    text = " ".join(rng.choices(vocabulary, k=400000)).encode()
    block = 64 * 1024
    with open(path, "wb") as f:
        for _ in range(size_mb * 1024 * 1024 // block):
            if rng.random() < 0.5:
                offset = rng.randrange(len(text) - block)
                f.write(text[offset:offset + block])
            else:
                f.write(os.urandom(block))
    return path


def workloads(env, args):
    lb = env.lockbench
    wb = env.waitbench
    gb = env.growbench
    n1 = str(args.iterations)
    n3 = str(max(1, args.iterations // 2))
    pigz_input = os.path.join(env.tmp_dir, "pigz-input.bin")
    return [
        # No target: the per-call cost without contention, steadier than the contended loops,
        # whose time goes mostly to futex hand-overs (bench/README.md: reading the table).
        CommandWorkload("mutex 1t/1 lock", None, [lb, "-t", "1", "-l", "1", "-d", "1", "-k",
                                                  "mutex", "-n", n1],
                        "1 thread taking one pthread mutex (no contention: the cost per call)"),
        CommandWorkload("mutex 2t/1 lock", 1.5, [lb, "-t", "2", "-l", "1", "-d", "1", "-k", "mutex",
                                                 "-n", n1],
                        "2 threads contending on one pthread mutex"),
        CommandWorkload("mutex 2t nest 3", 2.0, [lb, "-t", "2", "-l", "3", "-d", "3", "-k", "mutex",
                                                 "-n", n3],
                        "2 threads, each iteration takes 3 mutexes in a fixed order"),
        CommandWorkload("rwlock rd 2t", 2.0, [lb, "-t", "2", "-l", "1", "-d", "1", "-k", "rdlock",
                                              "-n", n1],
                        "2 threads taking one rwlock in read mode"),
        CommandWorkload("rwlock wr 2t", 2.0, [lb, "-t", "2", "-l", "1", "-d", "1", "-k", "wrlock",
                                              "-n", n1],
                        "2 threads taking one rwlock in write mode"),
        CommandWorkload("spin 2t", 2.0, [lb, "-t", "2", "-l", "1", "-d", "1", "-k", "spin",
                                         "-n", n1],
                        "2 threads contending on one pthread spinlock"),
        CommandWorkload("pigz -p 2", 1.05, ["pigz", "-p", "2", "-c", pigz_input],
                        "pigz -p 2 compressing %d MB to /dev/null (a real threaded program, "
                        "few lock calls)" % args.pigz_mb,
                        tools=("pigz",), setup=lambda: make_pigz_input(env, args.pigz_mb)),
        MemcachedWorkload("memcached -t 2", 1.15,
                          ["memcslap", "--servers=127.0.0.1:{port}", "--concurrency=4",
                           "--execute-number=%d" % args.memcslap_n]),
        # The indefinite waits (bench/README.md). Counts give ~0.2-1 s natively here; a
        # ping-pong's time swings several-fold with where the scheduler puts the two threads.
        CommandWorkload("cond ping-pong 2t", 1.5, [wb, "-k", "cond", "-n", "20000"],
                        "2 threads handing a turn over through a mutex and 2 condition variables"),
        CommandWorkload("sem ping-pong 2t", 1.5, [wb, "-k", "sem", "-n", "40000"],
                        "2 threads handing a turn over through 2 semaphores"),
        CommandWorkload("thread create+join", 1.5, [wb, "-k", "join", "-n", "15000"],
                        "15000 short threads created and joined 8 at a time"),
        CommandWorkload("barrier 2t", 2.0, [wb, "-k", "barrier", "-n", "60000"],
                        "2 threads crossing a 2-thread barrier"),
        # Python's threading.Lock is a semaphore (bench/README.md): the per-call cost of the
        # semaphore wrappers in a lock-heavy interpreter loop.
        CommandWorkload("python lock nest 2", 1.5,
                        ["/usr/bin/python3", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                           "python_locks.py"),
                         str(args.iterations // 4)],
                        "CPython (/usr/bin/python3): 1 thread taking two threading.Locks nested, "
                        "in a loop", tools=("/usr/bin/python3",)),
        # Growth (bench/README.md): work the detector has not seen before, all the time.
        CommandWorkload("transfers-1k", 5.0, [gb, "-k", "transfers", "-a", "1000", "-n", "200000",
                                              "-t", "4"],
                        "200000 index-ordered transfers between 1000 random accounts, 4 threads "
                        "(most transfers a new lock-order edge)"),
        CommandWorkload("transfers-10k", 5.0, [gb, "-k", "transfers", "-a", "10000", "-n",
                                               "200000", "-t", "4"],
                        "200000 index-ordered transfers between 10000 random accounts, 4 threads "
                        "(almost every transfer a new edge)"),
        DriverMemoryWorkload("distinct-locks-1M", 3.0, 100,
                             [gb, "-k", "distinct", "-n", "1000000"],
                             [gb, "-k", "distinct", "-n", "1000"], 1000000, 1000,
                             "1000000 distinct mutexes taken in pairs by one thread: time, and "
                             "the driver's own peak RSS per lock"),
        # CPython (bench/pyloop.py): a lock-heavy loop, and new chains from Python code, each a
        # stack capture that reads the thread's Python frames (docs/internals.md).
        CommandWorkload("python lock loop", None, [PYTHON, PYLOOP, "lock", "300000"],
                        "2 threads taking a threading.Lock 300000 times, the main thread 2 "
                        "nested pthread mutexes through ctypes", tools=(PYTHON,)),
        CommandWorkload("python new chains", None, [PYTHON, PYLOOP, "chains", "20000"],
                        "20000 new lock-order chains made from Python 8 calls deep: a stack "
                        "capture with Python frames each", tools=(PYTHON,)),
        CommandWorkload("python queue", None, [PYTHON, PYLOOP, "queue", "100000"],
                        "100000 round trips through two queue.Queue(maxsize=1): a new waiter "
                        "semaphore per Condition.wait (RSS x: the driver's memory)",
                        tools=(PYTHON,)),
        CommandWorkload("fork-heavy", 3.0, [gb, "-k", "fork", "-c", "400", "-p", "4", "-t", "4",
                                            "-n", "20000"],
                        "400 forked children, 4 at a time, each with 4 threads taking 2 mutexes "
                        "in order 20000 times"),
    ]


def find_lockwatch(build_dir, tmp_dir):
    """The lockwatch command if it exists and runs /bin/true cleanly, else (None, why)."""
    path = os.path.join(build_dir, "bin", "lockwatch")
    if not os.access(path, os.X_OK):
        return None, "%s not built" % path
    report = os.path.join(tmp_dir, "preflight.json")
    try:
        proc = subprocess.run([path, "--format=json", "--output=" + report, "--", "/bin/true"],
                              env=base_environment(), stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return None, "lockwatch /bin/true timed out"
    if proc.returncode != 0:
        return None, "lockwatch /bin/true exited %d: %s" % (
            proc.returncode, proc.stderr.decode("utf-8", "replace").strip()[-300:])
    try:
        read_findings(report)
    except ValueError as e:
        return None, "lockwatch /bin/true: %s" % e
    return path, None


def summarise(workload, results):
    """One table row from the results of all rounds: {mode: [RunResult]}."""
    row = {"name": workload.name, "target": workload.target}
    errors = [(m, r.error) for m in MODES for r in results.get(m, []) if r.error]
    findings = sorted({k for m in LOCKWATCH_MODES for r in results.get(m, []) if r.findings
                       for k in r.findings})
    medians = {}
    for mode in MODES:
        runs = [r for r in results.get(mode, []) if r.error is None]
        if runs:
            rss = [r.rss_kb for r in runs if r.rss_kb is not None]
            medians[mode] = (statistics.median(r.seconds for r in runs),
                             statistics.median(rss) if rss else None)
    row["native"] = medians.get("native", (None, None))[0]
    # How much the native runs alone varied: (slowest - fastest) / median.
    native = [r.seconds for r in results.get("native", []) if r.error is None]
    row["spread"] = ((max(native) - min(native)) / statistics.median(native)
                     if len(native) > 1 and statistics.median(native) > 0 else None)

    def ratio(mode, index):
        if mode not in medians or "native" not in medians:
            return None
        if medians[mode][index] is None or not medians["native"][index]:
            return None
        return medians[mode][index] / medians["native"][index]

    row["null"] = ratio("null", 0)
    row["lockwatch"] = ratio("lockwatch", 0)
    # The same ratio taken within each round, then the median: less sensitive to the machine
    # getting slower or faster between rounds than the ratio of the medians.
    paired = [lw.seconds / nat.seconds
              for nat, lw in zip(results.get("native", []), results.get("lockwatch", []))
              if nat.error is None and lw.error is None and nat.seconds > 0]
    row["paired"] = statistics.median(paired) if paired else None
    # This build against the baseline build, within each round (None without --baseline).
    row["baseline"] = ratio("baseline", 0)
    versus = [lw.seconds / base.seconds
              for base, lw in zip(results.get("baseline", []), results.get("lockwatch", []))
              if base.error is None and lw.error is None and base.seconds > 0]
    row["versus"] = statistics.median(versus) if versus else None
    row["rss"] = ratio("lockwatch", 1)
    row["lw_seconds"] = medians.get("lockwatch", (None, None))[0]
    driver = [r.driver_kb for r in results.get("lockwatch", []) if r.error is None
              and r.driver_kb is not None]
    row["per_lock"] = (workload.bytes_per_lock(statistics.median(driver))
                       if driver and workload.measures_driver else None)
    row["target_text"] = target_text(workload)
    misses = []
    if workload.target is not None and row["lockwatch"] is not None \
            and row["lockwatch"] > workload.target:
        misses.append("+%.0f%% over target" % (100 * (row["lockwatch"] / workload.target - 1)))
    if workload.target_seconds is not None and row["lw_seconds"] is not None \
            and row["lw_seconds"] > workload.target_seconds:
        misses.append("%.2f s" % row["lw_seconds"])
    if workload.measures_driver and row["per_lock"] is not None \
            and row["per_lock"] > workload.target_bytes:
        misses.append("%.0f B/lock" % row["per_lock"])
    if errors:
        row["verdict"] = "FAIL (%s)" % "; ".join("%s: %s" % e for e in errors[:1])
    elif findings:
        row["verdict"] = "FINDING (%s)" % ", ".join(findings)
    elif row["lockwatch"] is None:
        row["verdict"] = "n/a (no lockwatch)"
    elif workload.target is None and workload.target_seconds is None:
        row["verdict"] = "info (no target)"
    elif not misses:
        row["verdict"] = "ok"
    else:
        row["verdict"] = "MISS (%s)" % ", ".join(misses)
    return row


def target_text(workload):
    """The target column: a ratio, and/or seconds and driver bytes per lock."""
    parts = []
    if workload.target is not None:
        parts.append("<= %.2fx" % workload.target)
    if workload.target_seconds is not None:
        parts.append("<= %.1f s" % workload.target_seconds)
    if workload.measures_driver:
        parts.append("<= %d B/lock" % workload.target_bytes)
    return ", ".join(parts) if parts else "-"


def print_table(rows, out):
    def fmt(value, pattern):
        return pattern % value if value is not None else "-"

    compared = any(r["baseline"] is not None for r in rows)
    per_lock = any(r["per_lock"] is not None for r in rows)
    header = ("workload", "native s", "spread", "null x", "lockwatch x", "paired x") + (
        ("baseline x", "lw/base") if compared else ()) + ("target", "RSS x") + (
        ("lw s", "driver B/lock") if per_lock else ()) + ("verdict",)
    lines = [header]
    for r in rows:
        lines.append((r["name"], fmt(r["native"], "%.3f"),
                      fmt(r["spread"] and 100 * r["spread"], "%.0f%%"), fmt(r["null"], "%.2f"),
                      fmt(r["lockwatch"], "%.2f"), fmt(r["paired"], "%.2f")) + (
            (fmt(r["baseline"], "%.2f"), fmt(r["versus"], "%.2f")) if compared else ()) + (
            r["target_text"], fmt(r["rss"], "%.2f")) + (
            (fmt(r["lw_seconds"], "%.2f"), fmt(r["per_lock"], "%.0f")) if per_lock else ()) + (
            r["verdict"],))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    for line in lines:
        cells = [line[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(line[1:-1], widths[1:])]
        print("  ".join(cells + [line[-1]]), file=out)


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="bench/run.sh",
        description="Run lockwatch's benchmarks: native vs. null preload vs. lockwatch.")
    p.add_argument("build_dir", nargs="?", default="build",
                   help="build directory holding bin/lockwatch and bench/ (default: build)")
    p.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    p.add_argument("--only", action="append", default=[], metavar="TEXT",
                   help="run only workloads whose name contains TEXT (repeatable)")
    p.add_argument("--iterations", type=int, default=20000000,
                   help="lockbench iterations per thread (nesting runs half; default 20000000)")
    p.add_argument("--pigz-mb", type=int, default=100, help="pigz input size (default 100)")
    p.add_argument("--memcslap-n", type=int, default=30000,
                   help="memcslap --execute-number (default 30000)")
    p.add_argument("--baseline", metavar="OTHER_BUILD",
                   help="also run OTHER_BUILD/bin/lockwatch (e.g. an older commit's build) on the "
                        "same programs, as a fourth alternating mode")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 when a workload misses its target (not only on failures)")
    args = p.parse_args(argv)
    if args.rounds < 1 or args.iterations < 1 or args.pigz_mb < 1 or args.memcslap_n < 1:
        p.error("counts must be positive")
    return args


def run_workload(env, workload, rounds, log):
    results = {m: [] for m in MODES}
    modes = [m for m in MODES if (m != "lockwatch" or env.lockwatch)
             and (m != "baseline" or env.baseline)]
    for r in range(rounds):
        # Rotate the order each round so no mode always runs first (cold caches, turbo).
        order = modes[r % len(modes):] + modes[:r % len(modes)]
        for mode in order:
            res = workload.run(env, mode)
            results[mode].append(res)
            note = res.error or ("findings: %s" % ", ".join(res.findings) if res.findings else "")
            log("  round %d/%d %-9s %s  %s  %s" % (
                r + 1, rounds, mode, "%.3f s" % res.seconds if res.seconds is not None else "-",
                "%d KB" % res.rss_kb if res.rss_kb is not None else "-", note))
    return results


def main(argv):
    args = parse_args(argv)
    build_dir = os.path.abspath(args.build_dir)
    lockbench = os.path.join(build_dir, "bench", "lockbench")
    waitbench = os.path.join(build_dir, "bench", "waitbench")
    growbench = os.path.join(build_dir, "bench", "growbench")
    nullpreload = os.path.join(build_dir, "bench", "libnullpreload.so")
    selfrss = os.path.join(build_dir, "bench", "libselfrss.so")
    for path in (lockbench, waitbench, growbench, nullpreload, selfrss):
        if not os.path.exists(path):
            print("bench: %s is missing; build it with\n  cmake --build %s --target lockbench "
                  "waitbench growbench nullpreload selfrss" % (path, args.build_dir),
                  file=sys.stderr)
            return 2

    def log(text):
        print(text, file=sys.stderr, flush=True)

    tmp_dir = tempfile.mkdtemp(prefix="lockwatch-bench-")
    try:
        lockwatch, why = find_lockwatch(build_dir, tmp_dir)
        rows, notes, commands = [], [], []
        baseline = None
        if args.baseline:
            baseline, why_base = find_lockwatch(os.path.abspath(args.baseline), tmp_dir)
            if baseline is None:
                log("bench: --baseline unusable (%s)" % why_base)
                return 2
        env = Env(build_dir, tmp_dir, lockwatch, nullpreload, lockbench, waitbench, growbench,
                  selfrss, baseline)
        if lockwatch is None:
            notes.append("lockwatch unusable (%s): measured native and null preload only" % why)
            log("bench: " + notes[-1])
        if env.gnu_time is None:
            notes.append("/usr/bin/time missing, no peak RSS (apt-get install time)")
            log("bench: " + notes[-1])
        selected = [w for w in workloads(env, args)
                    if not args.only or any(t in w.name for t in args.only)]
        for w in selected:
            missing = [t for t in w.tools if shutil.which(t) is None]
            if missing:
                notes.append("skipped %s: %s not installed (%s)" % (w.name, ", ".join(missing),
                                                                    INSTALL_HINT))
                continue
            log("%s — %s" % (w.name, w.what))
            if w.setup:
                w.setup()
            commands.append("%-18s %s" % (w.name, w.describe(env)))
            rows.append(summarise(w, run_workload(env, w, args.rounds, log)))
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)

    sys.stderr.flush()
    print("lockwatch benchmarks: %s, %d rounds, medians of alternating runs, %d CPUs" % (
        build_dir, args.rounds, os.cpu_count() or 0))
    print("ratios are against native; RSS x = peak RSS under lockwatch / native")
    if env.baseline:
        print("baseline = %s; lw/base = lockwatch / baseline within each round, median" %
              env.baseline)
    print()
    print_table(rows, sys.stdout)
    for note in notes:
        print("note: " + note)
    print("\ncommands (native form; null = LD_PRELOAD=%s, lockwatch = %s --format=json "
          "--output=REPORT -- ...):" % (nullpreload, lockwatch or "bin/lockwatch"))
    for c in commands:
        print("  " + c)
    if any("pigz-input.bin" in c for c in commands):
        print("  ($TMPDIR/pigz-input.bin: %d MB generated once per run of this script)"
              % args.pigz_mb)
    failed = any(r["verdict"].startswith(("FAIL", "FINDING")) for r in rows)
    missed = any(r["verdict"].startswith("MISS") for r in rows)
    return 1 if failed or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
