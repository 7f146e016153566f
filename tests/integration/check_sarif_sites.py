#!/usr/bin/env python3
"""check_sarif_sites.py - runs a program under lockwatch twice with --format=sarif and
--source-root ROOT and checks where the results point: every physical location (primary,
related, code flows) is relative to %SRCROOT% (inside ROOT), never an absolute or system path;
there are exactly N results; their fingerprints are distinct and the same in both runs; each
--message regex is found in some result's message; with --primary-function, every result's
primary location is in one of the functions named (not a lock wrapper or library code).

    check_sarif_sites.py --lockwatch LW --source-root ROOT --results N [--message RE]...
                         [--primary-function NAME]... --workdir DIR -- PROGRAM [ARGS...]

Exits 0 when all holds, 1 when not (with the SARIF), 2 on bad arguments.
"""
import argparse
import json
import os
import re
import subprocess
import sys


def physical_locations(node, where="result"):
    """(path, artifactLocation) of every physicalLocation below node."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "physicalLocation" and isinstance(value, dict):
                yield where, value.get("artifactLocation") or {}
            else:
                yield from physical_locations(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from physical_locations(value, f"{where}[{i}]")


def run(args, command, out):
    argv = [args.lockwatch, "--format=sarif", f"--source-root={args.source_root}",
            f"--output={out}", "--", *command]
    print("$ " + " ".join(argv))
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    print(done.stderr, end="")
    with open(out, encoding="utf-8") as f:
        return json.load(f)


def problems_of(sarif, args):
    problems = []
    results = sarif["runs"][0].get("results") or []
    if len(results) != args.results:
        problems.append(f"{len(results)} results, expected {args.results}")
    root = args.source_root.rstrip("/")
    for r, result in enumerate(results):
        if "physicalLocation" not in json.dumps(result.get("locations") or []):
            problems.append(f"result {r}: no physical primary location")
        for where, art in physical_locations(result, f"result {r}"):
            uri = art.get("uri", "")
            if art.get("uriBaseId") != "SRCROOT" or uri.startswith(("/", "file:", "..")):
                problems.append(f"{where}: {art} is not inside --source-root {root}")
            elif not os.path.isfile(os.path.join(root, uri)):
                problems.append(f"{where}: {uri} is no file under {root}")
    prints = [json.dumps(r.get("partialFingerprints"), sort_keys=True) for r in results]
    if len(set(prints)) != len(prints):
        problems.append(f"fingerprints are not distinct: {prints}")
    for r, result in enumerate(results):
        logical = [((loc.get("logicalLocations") or [{}])[0]).get("name")
                   for loc in result.get("locations") or []]
        if args.primary_function and not set(logical) & set(args.primary_function):
            problems.append(f"result {r}: primary location in {logical}, expected one of "
                            f"{args.primary_function}")
    texts = [((r.get("message") or {}).get("text") or "") for r in results]
    for pattern in args.message:
        if not any(re.search(pattern, t) for t in texts):
            problems.append(f"no result message matches /{pattern}/: {texts}")
    return problems, prints


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lockwatch", required=True)
    parser.add_argument("--source-root", required=True)
    parser.add_argument("--results", type=int, required=True)
    parser.add_argument("--message", action="append", default=[])
    parser.add_argument("--primary-function", action="append", default=[])
    parser.add_argument("--workdir", required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        print("check_sarif_sites: no program given", file=sys.stderr)
        return 2
    os.makedirs(args.workdir, exist_ok=True)
    first = run(args, command, os.path.join(args.workdir, "first.sarif"))
    second = run(args, command, os.path.join(args.workdir, "second.sarif"))
    problems, prints = problems_of(first, args)
    more, prints_again = problems_of(second, args)
    problems += more
    if sorted(prints) != sorted(prints_again):
        problems.append(f"fingerprints changed between runs: {prints} then {prints_again}")
    if problems:
        print("FAIL:\n  " + "\n  ".join(problems))
        print(json.dumps(first, indent=2))
        return 1
    print(f"OK: {len(prints)} results, every location inside {args.source_root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
