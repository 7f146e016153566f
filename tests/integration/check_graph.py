#!/usr/bin/env python3
"""check_graph.py — runs a program under lockwatch with --graph and checks the graph it writes.

  check_graph.py --program PROG --cycle-locks NAME... --workdir DIR [--name NAME]

1. --graph=DIR/NAME.dot: the DOT file exists, every lock named in --cycle-locks is a node
   labelled "M<n> NAME" drawn red and bold, the red edges join exactly those locks and form a
   cycle through all of them, each labelled with a finding id ("#1 ...") and a thread ("T<n>");
   graphviz `dot -Tsvg` accepts the file (skipped, with a message, when dot is not installed).
2. --graph=DIR/NAME.svg: with dot installed the SVG is well-formed XML and contains every cycle
   lock's name; without it, lockwatch wrote DIR/NAME.dot instead and said so on stderr.
3. Same with PATH holding no dot: the documented fallback (DIR/NAME-nodot.dot and a message).
lockwatch comes from $LOCKWATCH. Exit status 0 when every check passed, 1 otherwise."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

FINDINGS_EXIT = 66
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)
    return ok


def run_lockwatch(lockwatch, graph, program, env=None):
    proc = subprocess.run([lockwatch, "--graph=" + graph, program], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=120)
    check(proc.returncode == FINDINGS_EXIT,
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
    for suffix in (".dot", ".svg", "-nodot.dot", "-nodot.svg"):
        if os.path.exists(stem + suffix):
            os.remove(stem + suffix)

    run_lockwatch(lockwatch, stem + ".dot", args.program)
    check_dot(stem + ".dot", args.cycle_locks)

    proc = run_lockwatch(lockwatch, stem + ".svg", args.program)
    if shutil.which("dot") is None:
        print("skip SVG checks: graphviz is not installed (the fallback is checked instead)")
        check("not on PATH" in proc.stderr, "lockwatch says dot is missing")
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

    # No dot on PATH: the DOT goes beside the requested file, and lockwatch says so.
    env = dict(os.environ, PATH=os.path.join(args.workdir, "no-such-dir"))
    proc = run_lockwatch(lockwatch, stem + "-nodot.svg", args.program, env)
    check(not os.path.exists(stem + "-nodot.svg"), "no SVG without dot")
    check(f"the graph is in {stem}-nodot.dot" in proc.stderr,
          "lockwatch names the DOT file it wrote instead")
    check_dot(stem + "-nodot.dot", args.cycle_locks)

    print(f"{len(failures)} check(s) failed" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
