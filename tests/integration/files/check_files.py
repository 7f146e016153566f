#!/usr/bin/env python3
"""Output safety: what the program controls never reaches a terminal raw, no output follows a
planted link, bad input files fail at once, the ThreadSanitizer log directory survives what is
planted in it.

check_files.py --lockwatch L --workdir D escape --program evil-names
check_files.py --lockwatch L --workdir D links --program abba
check_files.py --lockwatch L --workdir D inputs --program abba
check_files.py --lockwatch L --workdir D tsan-dir --program tsan-dir-plant --log TSAN_LOG
Each prints what it checked and exits 1 on the first failure."""
import argparse
import json
import os
import pty
import shutil
import subprocess
import sys
import time

FAILED = []


def check(cond, what):
    print(('ok      ' if cond else 'FAILED  ') + what)
    if not cond:
        FAILED.append(what)


def run(cmd, timeout=60, env=None, **kw):
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env, **kw)
    except subprocess.TimeoutExpired:
        return None, timeout
    return p, time.monotonic() - start


def on_terminal(cmd):
    """Runs cmd with stderr on a pseudo-terminal (colour on); returns what it wrote there."""
    master, slave = pty.openpty()
    env = dict(os.environ)
    env.pop('NO_COLOR', None)
    env['TERM'] = 'xterm'
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave,
                         env=env)
    os.close(slave)
    out = b''
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait(timeout=60)
    os.close(master)
    return out


def check_escape(args, lw):
    p, _ = run([lw, args.program])
    err = p.stderr
    check(p.returncode == 66, f'the inversion is reported (exit {p.returncode})')
    check(b'\\x1b]2;pwn\\x07\\x1b[2J' in err, 'the first thread name is shown escaped')
    check(b'ok\\xe2\\x80\\xae\\xc2\\x9b\\xff\xc3\xa9' in err,
          'the override, C1 CSI and stray byte are escaped, the e-acute kept')
    check(b'\x1b' not in err and b'\x07' not in err and b'\x9b\xff' not in err,
          'no raw control byte on stderr')
    report = os.path.join(args.workdir, 'report.txt')
    p, _ = run([lw, f'--output={report}', args.program])
    with open(report, 'rb') as f:
        text = f.read()
    check(b'\\x1b]2;pwn' in text and b'\x1b' not in text, 'the --output text file is escaped too')
    p, _ = run([lw, '--format=json', args.program])
    raw = p.stdout or p.stderr
    try:
        doc = json.loads(raw.decode('utf-8'))
    except UnicodeDecodeError:
        check(False, 'the JSON report is valid UTF-8')
        return
    check(b'\\u202e\\u009b\\ufffd' in raw,
          'JSON writes the override and C1 escaped, the stray byte as U+FFFD')
    names = []

    def walk(node):
        if isinstance(node, dict):
            names.extend(v for k, v in node.items() if k == 'name')
            node = list(node.values())
        if isinstance(node, list):
            for v in node:
                walk(v)
    walk(doc)
    check('\x1b]2;pwn\x07\x1b[2J' in names and 'ok\u202e\u009b\ufffd\u00e9' in names,
          'JSON keeps the names (in its own escapes)')
    trace = os.path.join(args.workdir, 'trace.json')
    run([lw, f'--trace={trace}', args.program])
    with open(trace, 'rb') as f:
        raw = f.read()
    try:
        json.loads(raw.decode('utf-8'))
        check(b'\\ufffd' in raw, 'the --trace file is valid UTF-8 JSON with the names escaped')
    except (UnicodeDecodeError, ValueError) as e:
        check(False, f'the --trace file is valid UTF-8 JSON ({e})')
    tty = on_terminal([lw, args.program])
    check(b'\x1b[1;31m' in tty and b'\x1b[0m' in tty, "lockwatch's own colours still pass")
    check(b'\x1b]2' not in tty and b'\x1b[2J' not in tty and b'\\x1b]2;pwn' in tty,
          "the program's sequences do not, on a terminal either")


def check_links(args, lw):
    wd = args.workdir
    victim = os.path.join(wd, 'victim')
    for opt in ('--output', '--graph', '--trace'):
        with open(victim, 'w') as f:
            f.write('precious\n')
        link = os.path.join(wd, f'planted{opt}')
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(victim, link)
        p, _ = run([lw, f'{opt}={link}', args.program])
        with open(victim) as f:
            kept = f.read()
        check(p.returncode == 2 and kept == 'precious\n',
              f'{opt} refuses a planted link (exit {p.returncode}), the target is unchanged')
        check(b'symbolic link' in p.stderr and p.stderr.count(b'\n') == 1,
              f'{opt}: one line says why')
        dangling = os.path.join(wd, f'dangling{opt}')
        target = os.path.join(wd, f'created-through{opt}')
        for path in (dangling, target):
            if os.path.lexists(path):
                os.unlink(path)
        os.symlink(target, dangling)
        p, _ = run([lw, f'{opt}={dangling}', args.program])
        check(p.returncode == 2 and not os.path.exists(target),
              f'{opt} creates nothing through a dangling link')
    hard = os.path.join(wd, 'hard-link')
    if os.path.lexists(hard):
        os.unlink(hard)
    os.link(victim, hard)
    p, _ = run([lw, f'--output={hard}', args.program])
    with open(victim) as f:
        kept = f.read()
    check(p.returncode == 2 and kept == 'precious\n', 'a file with another hard link is refused')
    os.unlink(hard)
    p, _ = run([lw, '--format=json', '--output=/dev/stdout', args.program])
    check(p.returncode == 66 and json.loads(p.stdout)['tool'] == 'lockwatch',
          '--output=/dev/stdout (a link to our own stdout) still works')
    plain = os.path.join(wd, 'plain.json')
    with open(plain, 'w') as f:
        f.write('x' * 1000000)
    p, _ = run([lw, '--format=json', f'--output={plain}', args.program])
    with open(plain) as f:
        check(p.returncode == 66 and json.load(f)['tool'] == 'lockwatch',
              'an existing regular file is replaced by the report (truncated first)')


def check_inputs(args, lw):
    wd = args.workdir
    fifo = os.path.join(wd, 'fifo')
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    big = os.path.join(wd, 'big')
    with open(big, 'wb') as f:
        f.truncate((64 << 20) + 1)
    cases = [('--suppressions', 9), ('--baseline', 10)]
    for opt, code in cases:
        for path, why in (('/dev/zero', 'character device'), (fifo, 'FIFO'),
                          (big, 'larger than'), (wd, 'directory')):
            p, secs = run([lw, f'{opt}={path}', args.program], timeout=20)
            ok = p is not None and p.returncode == code and why.encode() in p.stderr
            check(ok and p.stderr.count(b'\n') == 1 and secs < 10,
                  f'{opt}={path}: exit {code} with one line in {secs:.1f} s'
                  + ('' if p is None else f' (exit {p.returncode}: {p.stderr!r})'))


def check_tsan_dir(args, lw):
    wd = args.workdir
    tmp = os.path.join(wd, 'tmp')
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    outside_file = os.path.join(wd, 'outside-file')
    with open(outside_file, 'w') as f:
        f.write('not a log\n')
    env = dict(os.environ, TMPDIR=tmp)
    p, secs = run([lw, '--format=json', args.program, 'fill', outside_file, args.log],
                  timeout=60, env=env)
    check(p is not None, f'a FIFO, link, directory, unreadable and huge file: no hang ({secs:.1f} s)')
    if p is None:
        return
    report = json.loads(p.stderr[p.stderr.index(b'{'):])
    races = [f for f in report['findings'] if f['kind'] == 'data-race']
    check(p.returncode == 66 and len(races) == 1,
          f'the CRLF log ending in CR gives its race (exit {p.returncode}, {len(races)} races)')
    with open(outside_file) as f:
        check(f.read() == 'not a log\n', 'the file a planted link points to is untouched')
    check(os.listdir(tmp) == [], f'the log directory is removed ({os.listdir(tmp)} left)')

    outside_dir = os.path.join(wd, 'outside-dir')
    shutil.rmtree(outside_dir, ignore_errors=True)
    os.makedirs(outside_dir)
    for name in ('tsan.1', 'keep'):
        with open(os.path.join(outside_dir, name), 'w') as f:
            f.write('mine\n')
    p, secs = run([lw, args.program, 'swap', outside_dir], timeout=60, env=env)
    check(p is not None and p.returncode == 0, 'a log directory swapped for a link: the run ends')
    check(sorted(os.listdir(outside_dir)) == ['keep', 'tsan.1'],
          f'nothing is deleted in the directory the link points to ({os.listdir(outside_dir)})')
    check(b'data race' not in (p.stderr if p else b''), 'nothing is read through the link')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--lockwatch', required=True)
    ap.add_argument('--workdir', required=True)
    ap.add_argument('what', choices=['escape', 'links', 'inputs', 'tsan-dir'])
    ap.add_argument('--program', required=True)
    ap.add_argument('--log')
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    {'escape': check_escape, 'links': check_links, 'inputs': check_inputs,
     'tsan-dir': check_tsan_dir}[args.what](args, args.lockwatch)
    if FAILED:
        print(f'{len(FAILED)} check(s) failed')
        sys.exit(1)


if __name__ == '__main__':
    main()
