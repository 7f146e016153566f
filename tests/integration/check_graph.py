#!/usr/bin/env python3
"""check_graph.py — runs a program under lockwatch with --graph and checks the graph it writes.

  check_graph.py --program PROG --cycle-locks NAME... --workdir DIR [--name NAME]

1. --graph=DIR/NAME.dot: the DOT file exists, every lock named in --cycle-locks is a node
   labelled "M<n> NAME" drawn red and bold, the red edges join exactly those locks and form a
   cycle through all of them, each labelled with a finding id ("#1 ...") and a thread ("T<n>");
   graphviz `dot -Tsvg` accepts the file (skipped, with a message, when dot is not installed).
2. --graph=DIR/NAME.svg: with dot installed the SVG is well-formed XML and contains every cycle
   lock's name; --graph=DIR/NAME.png is a PNG; an extension dot does not know is refused before
   the run (one line, exit 12).
3. With PATH holding no dot, --graph=DIR/NAME-nodot.svg is refused the same way and nothing is
   written (never DOT text under another format's name).
lockwatch comes from $LOCKWATCH. Exit status 0 when every check passed, 1 otherwise."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

FINDINGS_EXIT = 66
GRAPH_FORMAT_EXIT = 12  # --graph names a format dot cannot render, or no dot
failures = []
skipped = []  # checks that could not run here: the test then exits 77 (skipped), not 0
SKIP = 77


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)
    return ok


def run_lockwatch(lockwatch, graph, program, env=None, expect=FINDINGS_EXIT):
    proc = subprocess.run([lockwatch, "--graph=" + graph, program], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=120)
    if expect is None:
        return proc
    check(proc.returncode == expect,
          f"lockwatch --graph={os.path.basename(graph)} exits {FINDINGS_EXIT} "
          f"(got {proc.returncode})")
    return proc


def unescape(s):
    return re.sub(r'\\(.)', lambda m: "\n" if m.group(1) == "n" else m.group(1), s)


STRING = r'"((?:[^"\\]|\\.)*)"'
NODE = re.compile(r'^\s*' + STRING + r'\s*\[(.*)\];$')
EDGE = re.compile(r'^\s*' + STRING + r'\s*->\s*' + STRING + r'\s*\[(.*)\];$')
LABEL = re.compile(r'label=' + STRING)


def parse_dot(text):
    """Nodes {id: (label, red)} and edges [(from, to, label, red)] of lockwatch's DOT output."""
    nodes, edges = {}, []
    for line in text.splitlines():
        m = EDGE.match(line)
        if m:
            attrs = m.group(3)
            label = LABEL.search(attrs)
            edges.append((unescape(m.group(1)), unescape(m.group(2)),
                          unescape(label.group(1)) if label else "",
                          "color=red" in attrs and "style=bold" in attrs))
            continue
        m = NODE.match(line)
        if m:
            attrs = m.group(2)
            label = LABEL.search(attrs)
            nodes[unescape(m.group(1))] = (unescape(label.group(1)) if label else "",
                                           "color=red" in attrs and "style=bold" in attrs)
    return nodes, edges


def check_dot(path, cycle_locks):
    if not check(os.path.isfile(path), f"{path} written"):
        return
    with open(path, encoding="utf-8") as f:
        text = f.read()
    check(text.startswith("digraph lockwatch {") and text.rstrip().endswith("}"),
          "the file is one DOT digraph")
    nodes, edges = parse_dot(text)
    by_name = {}
    for node, (label, red) in nodes.items():
        m = re.fullmatch(r"(M\d+) (.*)", label, re.S)
        check(m is not None and m.group(1) == node, f"node {node} is labelled '{node} NAME'")
        if m:
            by_name[m.group(2)] = (node, red)
    cycle_ids = set()
    for name in cycle_locks:
        if check(name in by_name, f"lock {name} is a node"):
            check(by_name[name][1], f"lock {name} is highlighted (red, bold)")
            cycle_ids.add(by_name[name][0])
    red_nodes = {n for n, (_, red) in nodes.items() if red}
    check(red_nodes == cycle_ids, f"only the cycle's locks are red (red: {sorted(red_nodes)})")
    red_edges = [(a, b, label) for a, b, label, red in edges if red]
    check(len(red_edges) == len(cycle_locks),
          f"{len(cycle_locks)} red edges (got {len(red_edges)})")
    succ = {a: b for a, b, _ in red_edges}
    start = next(iter(cycle_ids), None)
    seen, node = [], start
    while node is not None and node not in seen:
        seen.append(node)
        node = succ.get(node)
    check(set(seen) == cycle_ids and node == start,
          "the red edges form one cycle through all the cycle's locks")
    for a, b, label in red_edges:
        check(re.search(r"#\d+ (lock-order-inversion|deadlock)", label) is not None,
              f"red edge {a} -> {b} names its finding")
        check(re.search(r"\bT\d+ ", label) is not None and re.search(r"\.c:\d+", label),
              f"red edge {a} -> {b} names a thread and a source line")
    dot = shutil.which("dot")
    if dot is None:
        print(f"skip dot -Tsvg {path}: graphviz is not installed")
        skipped.append(f"dot -Tsvg {path}")
    else:
        proc = subprocess.run([dot, "-Tsvg", "-o", os.devnull, path], stderr=subprocess.PIPE,
                              text=True)
        check(proc.returncode == 0 and proc.stderr == "",
              f"dot -Tsvg accepts {os.path.basename(path)} {proc.stderr.strip()}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--program", required=True)
    ap.add_argument("--cycle-locks", nargs="+", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--name", default="graph")
    args = ap.parse_args()
    lockwatch = os.environ["LOCKWATCH"]
    os.makedirs(args.workdir, exist_ok=True)
    stem = os.path.join(args.workdir, args.name)
    for suffix in (".dot", ".svg", ".png", "-nodot.dot", "-nodot.svg", ".nosuchformat"):
        if os.path.exists(stem + suffix):
            os.remove(stem + suffix)

    run_lockwatch(lockwatch, stem + ".dot", args.program)
    check_dot(stem + ".dot", args.cycle_locks)

    have_dot = shutil.which("dot") is not None
    # Without dot the exit status is checked below (12, the refusal), not here.
    proc = run_lockwatch(lockwatch, stem + ".svg", args.program,
                         expect=FINDINGS_EXIT if have_dot else None)
    if not have_dot:
        print("skip SVG and PNG checks: graphviz is not installed (the refusal is checked)")
        skipped.append("SVG and PNG")
        check(proc.returncode == GRAPH_FORMAT_EXIT and "not on PATH" in proc.stderr,
              "lockwatch says dot is missing and exits 12")
    elif check(os.path.isfile(stem + ".svg"), f"{stem}.svg written"):
        with open(stem + ".svg", encoding="utf-8") as f:
            svg = f.read()
        try:
            ET.fromstring(svg)
            check(True, "the SVG is well-formed XML")
        except ET.ParseError as e:
            check(False, f"the SVG is well-formed XML ({e})")
        for name in args.cycle_locks:
            check(re.search(r">M\d+ " + re.escape(name) + "<", svg) is not None,
                  f"the SVG shows lock {name}")

    # Any format dot knows, by the file's extension: a PNG is a PNG, never DOT text.
    if shutil.which("dot") is not None:
        run_lockwatch(lockwatch, stem + ".png", args.program)
        with open(stem + ".png", "rb") as f:
            check(f.read(8) == b"\x89PNG\r\n\x1a\n", "the .png graph is a PNG")
        proc = subprocess.run([lockwatch, "--graph=" + stem + ".nosuchformat", args.program],
                              capture_output=True, text=True, timeout=60)
        check(proc.returncode == GRAPH_FORMAT_EXIT and len(proc.stderr.splitlines()) == 1 and
              not os.path.exists(stem + ".nosuchformat"),
              f"an unknown format is one line and exit 12, before the run ({proc.stderr!r})")

    # No dot on PATH: one line, exit 12, the program is not run, nothing written.
    env = dict(os.environ, PATH=os.path.join(args.workdir, "no-such-dir"))
    proc = subprocess.run([lockwatch, "--graph=" + stem + "-nodot.svg", args.program],
                          capture_output=True, text=True, timeout=60, env=env)
    check(proc.returncode == GRAPH_FORMAT_EXIT and len(proc.stderr.splitlines()) == 1 and
          "not on PATH" in proc.stderr and proc.stdout == "",
          f"without dot, --graph=X.svg is one line and exit 12 ({proc.stderr!r})")
    check(not os.path.exists(stem + "-nodot.svg") and not os.path.exists(stem + "-nodot.dot"),
          "without dot, no graph file is written")

    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    if skipped:
        print(f"the other checks passed; skipped: {', '.join(skipped)}")
        return SKIP
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
