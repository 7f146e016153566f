#!/usr/bin/env python3
"""check_profile.py — integration test of --profile and --trace.

  check_profile.py --lockwatch BIN --workdir DIR profile --program P --hot NAME
      runs P under `lockwatch --profile` (JSON and text): the lock NAME must top the profile
      with contended acquisitions and non-zero waits, in both reports.
  check_profile.py --lockwatch BIN --workdir DIR trace --program P [--lock NAME] [--finding KIND]
      runs P under `lockwatch --trace=FILE`: FILE must parse as JSON with "traceEvents", name
      every thread that has events (thread_name), have "wait NAME" and "hold NAME" slices for
      --lock, keep each thread's complete ("X") slices properly nested, pair every async "b"
      with an "e", and (with --finding) hold an instant event of that finding kind whose time
      was recorded and lies within the run.
Exit status 0 when every check passes; otherwise the failed checks are printed and it is 1."""
import argparse
import collections
import json
import os
import subprocess
import sys

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=120)
    return proc.returncode, proc.stderr


def check_profile(args):
    report = os.path.join(args.workdir, 'profile.json')
    rc, _ = run([args.lockwatch, '--profile', '--format=json', '--output=' + report, '--',
                 args.program])
    check(rc == 0, 'lockwatch --profile exit status %d, expected 0' % rc)
    with open(report) as f:
        profile = json.load(f)['profile']
    if not check(isinstance(profile, list) and profile, 'JSON "profile" is empty or not a list'):
        return
    top = profile[0]
    check(top['name'] == args.hot, 'top lock of the profile is %r, expected %r' %
          (top['name'], args.hot))
    check(top['contended'] > 0, 'top lock has no contended acquisitions')
    check(top['wait_total_ns'] > 0 and top['wait_max_ns'] > 0, 'top lock has no wait time')
    check(top['hold_total_ns'] >= top['hold_max_ns'] > 0, 'top lock hold figures inconsistent')
    waits = [p['wait_total_ns'] for p in profile]
    check(waits == sorted(waits, reverse=True), 'profile not ordered by total wait')
    for p in profile:
        check(p['contended'] <= p['acquisitions'], '%s: more contended than acquisitions' % p['lock'])
        check(p['wait_max_ns'] <= p['wait_total_ns'], '%s: wait max above total' % p['lock'])
    # The text report shows the same lock first in its table.
    rc, text = run([args.lockwatch, '--profile', '--', args.program])
    lines = text.splitlines()
    head = [i for i, l in enumerate(lines) if l.startswith('lockwatch: contention profile')]
    if check(head, 'text report has no contention profile table'):
        first = lines[head[0] + 2].split()
        check(first[-1] == args.hot and int(first[2]) > 0 and float(first[3]) > 0,
              'first row of the text table is not %s with waits: %r' % (args.hot,
                                                                        lines[head[0] + 2]))
    # Without --profile nothing is timed: profile is null.
    rc, _ = run([args.lockwatch, '--format=json', '--output=' + report, '--', args.program])
    with open(report) as f:
        check(json.load(f)['profile'] is None, 'profile is not null without --profile')


def nested_ok(slices):
    """True when [start, end) integer-ns slices of one thread are pairwise nested or disjoint."""
    slices = sorted(slices, key=lambda s: (s[0], -s[1]))
    stack = []
    for start, end, name in slices:
        while stack and stack[-1][1] <= start and stack[-1][1] < end:
            stack.pop()
        if stack and end > stack[-1][1]:
            failures.append('slice %r [%d, %d] overlaps %r [%d, %d] on one thread' %
                            (name, start, end, stack[-1][2], stack[-1][0], stack[-1][1]))
            return False
        stack.append((start, end, name))
    return True


def ns(us):
    return round(us * 1000)


def check_trace(args):
    trace_file = os.path.join(args.workdir, 'trace.json')
    if os.path.exists(trace_file):
        os.remove(trace_file)
    rc, _ = run([args.lockwatch, '--trace=' + trace_file, '--output=/dev/null', '--',
                 args.program])
    check(rc in (0, 66), 'lockwatch --trace exit status %d' % rc)
    try:
        with open(trace_file) as f:
            trace = json.load(f)
    except (OSError, ValueError) as e:
        failures.append('trace file does not parse as JSON: %s' % e)
        return
    events = trace.get('traceEvents')
    if not check(isinstance(events, list) and events, 'no "traceEvents" list'):
        return
    named = {(e['pid'], e['tid']) for e in events
             if e['ph'] == 'M' and e['name'] == 'thread_name' and e['args'].get('name')}
    by_thread = collections.defaultdict(list)
    asyncs = {}
    end_of_run = max(e.get('ts', 0) + e.get('dur', 0) for e in events)
    for e in events:
        if e['ph'] in ('X', 'b', 'e') or (e['ph'] == 'i' and e.get('s') == 't'):
            check((e['pid'], e['tid']) in named, 'thread %s:%s has events but no thread_name' %
                  (e['pid'], e['tid']))
        if e['ph'] == 'X':
            check(e['cat'] == 'lock' and e['dur'] >= 0, 'bad slice %r' % e)
            by_thread[(e['pid'], e['tid'])].append((ns(e['ts']), ns(e['ts'] + e['dur']),
                                                    e['name']))
        elif e['ph'] == 'b':
            check(e['id'] not in asyncs, 'async id %s begun twice' % e['id'])
            asyncs[e['id']] = e
        elif e['ph'] == 'e':
            b = asyncs.pop(e['id'], None)
            if check(b is not None, 'async end %s without begin' % e['id']):
                check(b['name'] == e['name'] and b['cat'] == e['cat'] and b['ts'] <= e['ts'],
                      'async pair %s does not match' % e['id'])
    check(not asyncs, '%d async slices never end' % len(asyncs))
    for slices in by_thread.values():
        nested_ok(slices)
    names = collections.Counter(e['name'] for e in events if e['ph'] in ('X', 'b'))
    if args.lock:
        check(names['hold ' + args.lock] > 0, 'no "hold %s" slice' % args.lock)
        check(names['wait ' + args.lock] > 0, 'no "wait %s" slice' % args.lock)
    if args.non_lifo:
        check(any(e['ph'] == 'b' for e in events), 'no async slice for the non-LIFO holds')
    if args.finding:
        marks = [e for e in events if e['ph'] == 'i' and e['name'] == args.finding]
        if check(marks, 'no instant event for a %s finding' % args.finding):
            m = marks[0]
            check(m['args']['time_recorded'] and 0 <= m['ts'] <= end_of_run,
                  'finding mark not at a recorded time within the run: %r' % m)
            check(m['args']['message'], 'finding mark without message')
    other = trace.get('otherData', {})
    check(other.get('holds_kept', -1) + other.get('holds_dropped', -1) == other.get('holds'),
          'otherData hold counts do not add up: %r' % other)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--lockwatch', required=True)
    ap.add_argument('--workdir', required=True)
    sub = ap.add_subparsers(dest='mode', required=True)
    p = sub.add_parser('profile')
    p.add_argument('--program', required=True)
    p.add_argument('--hot', required=True)
    t = sub.add_parser('trace')
    t.add_argument('--program', required=True)
    t.add_argument('--lock')
    t.add_argument('--finding')
    t.add_argument('--non-lifo', action='store_true',
                   help='the program releases locks out of LIFO order: async slices expected')
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    if args.mode == 'profile':
        check_profile(args)
    else:
        check_trace(args)
    for f in failures:
        print('FAIL:', f)
    print('ok' if not failures else '%d check(s) failed' % len(failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
