#!/usr/bin/env python3
"""test_ci_outputs.py — tests of lockwatch's CI-facing outputs on real programs (scenarios and
tests/integration/cases): SARIF validated against the official SARIF 2.1.0 schema (Ajv) and by
the Microsoft SARIF multitool, the JSON report against docs/report-schema.json, fingerprints
(stable across runs, different for different bugs), --suppressions and --baseline (which
counts a group of instance-level cycles as one finding).

Usage: test_ci_outputs.py TEST --lockwatch BIN --work DIR --source-root DIR
                          --program NAME=PATH ...
TEST is validators (npm ci of tests/ci/package-lock.json into DIR; the fixture of the others),
sarif, json-schema, fingerprint, suppressions or baseline. Exit 0 passed, 1 failed, 77 skipped
(only when node or npm is missing, for the tests that need them)."""
import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SARIF_SCHEMA = os.path.join(REPO, 'tests', 'schemas', 'sarif-schema-2.1.0.json')
REPORT_SCHEMA = os.path.join(REPO, 'docs', 'report-schema.json')
SKIP = 77
FINDINGS = 66


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument('test')
    p.add_argument('--lockwatch', required=True)
    p.add_argument('--work', required=True)
    p.add_argument('--source-root', required=True)
    p.add_argument('--program', action='append', default=[], help='NAME=PATH')
    a = p.parse_args()
    a.programs = dict(x.split('=', 1) for x in a.program)
    return a


def run_lockwatch(args, options, program, expect_status=None):
    """Runs lockwatch OPTIONS PROGRAM (a path, or a list: path and arguments); returns
    (status, stderr)."""
    cmd = [args.lockwatch] + options + ['--'] + (program if isinstance(program, list) else [program])
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          timeout=120, env=dict(os.environ, NO_COLOR='1'))
    if expect_status is not None:
        check(proc.returncode == expect_status,
              f'{" ".join(cmd)}: exit {proc.returncode}, expected {expect_status}\n{proc.stderr}')
    return proc.returncode, proc.stderr


def report(args, name, fmt='json', extra=(), expect_status=None):
    """Runs the program NAME with --format=fmt into a file of the work directory; returns the
    parsed document and lockwatch's exit status."""
    out = os.path.join(args.work, f'{name}.{fmt}')
    status, err = run_lockwatch(args, [f'--format={fmt}', f'--output={out}', *extra],
                                args.programs[name], expect_status)
    with open(out) as f:
        return json.load(f), status, out


# ---- validators (node, npm) ----

def validators_dir(args):
    return os.path.join(args.base, 'validators')


def need_node():
    missing = [t for t in ('node', 'npm') if shutil.which(t) is None]
    if missing:
        print(f'SKIP: {" and ".join(missing)} not found; install nodejs and npm (Debian: '
              f'apt-get install nodejs npm) to validate reports against their schemas')
        sys.exit(SKIP)


def multitool_path(args):
    return os.path.join(validators_dir(args), 'node_modules', '@microsoft',
                        'sarif-multitool-linux', 'Sarif.Multitool')


def test_validators(args):
    """npm ci of the committed lock file (no other download); the multitool's binary comes
    inside its npm package."""
    need_node()
    d = validators_dir(args)
    os.makedirs(d, exist_ok=True)
    for f in ('package.json', 'package-lock.json', 'validate.js'):
        shutil.copy(os.path.join(HERE, f), d)
    proc = subprocess.run(['npm', 'ci', '--no-audit', '--no-fund'], cwd=d,
                          capture_output=True, text=True, timeout=900)
    check(proc.returncode == 0, f'npm ci failed:\n{proc.stdout}\n{proc.stderr}')
    tool = multitool_path(args)
    check(os.path.exists(tool), f'{tool} missing after npm ci')
    # Its npm postinstall only does this; npm may not run install scripts.
    os.chmod(tool, os.stat(tool).st_mode | stat.S_IXUSR)
    print(f'validators installed in {d}')


def ajv(args, schema, files, strict=False):
    need_node()
    script = os.path.join(validators_dir(args), 'validate.js')
    check(os.path.exists(script), f'{script} missing: run the validators test first')
    cmd = ['node', script] + (['--strict'] if strict else []) + [schema] + files
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    check(proc.returncode == 0, f'Ajv: invalid against {schema}:\n{proc.stdout}{proc.stderr}')
    print(proc.stdout, end='')


def multitool(args, sarif_file):
    """The SARIF multitool's validate: schema plus SARIF rules. It exits 0 even on errors, so
    its own SARIF output is read: any result of level error fails."""
    out = sarif_file + '.validation.sarif'
    proc = subprocess.run([multitool_path(args), 'validate', sarif_file, '-o', out],
                          capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, DOTNET_CLI_TELEMETRY_OPTOUT='1'))
    check(proc.returncode == 0 and os.path.exists(out),
          f'multitool failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}')
    with open(out) as f:
        results = json.load(f)['runs'][0].get('results', [])
    errors = [r for r in results if r.get('level') == 'error']
    check(not errors, f'multitool: {sarif_file} has errors:\n{proc.stdout}')
    print(f'{sarif_file}: multitool validate: no errors '
          f'({len(results)} warnings/notes)')


# ---- the tests ----

BROKEN = ['two-lock-deadlock', 'three-lock-cycle', 'dining-philosophers', 'lock-held-at-exit',
          'self-deadlock', 'two-lock-hang', 'abba-threads', 'abba-one-thread', 'accounts']
CLEAN = ['two-lock-deadlock-fixed', 'gate-lock']


def test_sarif(args):
    need_node()
    files = []
    for name in BROKEN + CLEAN:
        root_opts = ['--source-root', args.source_root] if name != 'abba-one-thread' else []
        sarif, status, path = report(args, name, 'sarif', root_opts)
        doc, _, _ = report(args, name, 'json')
        files.append(path)
        check(sarif['version'] == '2.1.0', f'{name}: version')
        run = sarif['runs'][0]
        rule_ids = [r['id'] for r in run['tool']['driver']['rules']]
        results = run['results']
        check(len(results) == len(doc['findings']),
              f'{name}: {len(results)} results, {len(doc["findings"])} findings')
        check((status == FINDINGS) == bool(results), f'{name}: exit {status}, {len(results)} results')
        for res, finding in zip(results, doc['findings']):
            check(res['ruleId'] == finding['kind'] and rule_ids[res['ruleIndex']] == res['ruleId'],
                  f'{name}: rule {res["ruleId"]} for kind {finding["kind"]}')
            check(res['level'] == 'error', f'{name}: level')
            # Two runs: a real deadlock may name its threads in another order, so the message
            # is compared by shape only.
            text = res['message']['text']
            check(text.endswith('.') and len(text) > 20 and not text.endswith('..'),
                  f'{name}: message {text!r}')
            check(res['partialFingerprints']['lockwatch/v1'] == finding['fingerprint'],
                  f'{name}: SARIF and JSON fingerprints differ between two runs')
            art = res['locations'][0]['physicalLocation']['artifactLocation']
            if root_opts:
                check(art.get('uriBaseId') == 'SRCROOT' and not art['uri'].startswith('/'),
                      f'{name}: {art} not relative to SRCROOT')
                check(run['originalUriBaseIds']['SRCROOT']['uri'].startswith('file:///'),
                      f'{name}: originalUriBaseIds')
            else:
                check(art['uri'].startswith('file:///') and 'uriBaseId' not in art,
                      f'{name}: {art} not an absolute file URI')
            if finding['cycle']:
                # An acquiring line of the cycle (the JSON comes from another run, whose edges
                # may start at another thread when the program races), and in this run the
                # first edge's: the first thread flow's "requests" step.
                lines = {next((fr['line'] for fr in e['acquiring_stack'] if fr['file'] and
                               fr['line'] and not fr['module'].startswith(('/lib', '/usr/lib'))),
                              None) for e in finding['cycle']}
                got = res['locations'][0]['physicalLocation']['region']['startLine']
                check(got in lines, f'{name}: primary location {got}, not an acquiring line {lines}')
                flows = res['codeFlows'][0]['threadFlows']
                step = flows[0]['locations'][1]['location']['physicalLocation']['region']
                check(step['startLine'] == got, f'{name}: primary location is not the first edge')
                threads = {e['thread'] for e in finding['cycle']}
                check(len(flows) == len(threads), f'{name}: {len(flows)} thread flows')
                for flow in flows:
                    texts = [l['location']['message']['text'] for l in flow['locations']]
                    check(texts[0].startswith(flow['id'] + ' holds ') and
                          (texts[1].startswith('requests ') or texts[1].startswith('waits for ')),
                          f'{name}: thread flow messages {texts}')
    ajv(args, SARIF_SCHEMA, files)
    for path in files:
        multitool(args, path)


def test_json_schema(args):
    need_node()
    files = []
    # --profile fills the "profile" array (null otherwise), which the schema must describe too.
    _, _, path = report(args, CLEAN[0], 'json', extra=('--profile',))
    os.replace(path, path + '.profile.json')
    files.append(path + '.profile.json')
    for name in BROKEN + CLEAN:
        _, _, path = report(args, name, 'json')
        files.append(path)
    ajv(args, REPORT_SCHEMA, files, strict=True)


def fingerprints(doc):
    return sorted(f['fingerprint'] for f in doc['findings'])


def lock_addresses(doc):
    return sorted(l['address'] for f in doc['findings'] for l in f['locks'])


def test_fingerprint(args):
    a, _, _ = report(args, 'abba-threads', 'json', expect_status=FINDINGS)
    b, _, _ = report(args, 'abba-threads', 'json', expect_status=FINDINGS)
    check(len(a['findings']) == 1, 'abba-threads: one finding expected')
    with open('/proc/sys/kernel/randomize_va_space') as f:
        aslr = f.read().strip() != '0'
    if aslr:
        check(lock_addresses(a) != lock_addresses(b),
              'two runs put the locks at the same addresses: the test proves nothing')
    check(fingerprints(a) == fingerprints(b),
          f'fingerprints differ between two runs: {fingerprints(a)} {fingerprints(b)}')
    others = set()
    for name in ('abba-one-thread', 'three-lock-cycle', 'two-lock-deadlock', 'lock-held-at-exit'):
        doc, _, _ = report(args, name, 'json', expect_status=FINDINGS)
        others.update(fingerprints(doc))
    check(not others & set(fingerprints(a)), 'a different bug has the same fingerprint')
    check(len(others) >= 4, f'different bugs share fingerprints: {others}')
    print(f'abba-threads: {fingerprints(a)} in both runs (ASLR {"on" if aslr else "off"}); '
          f'{len(others)} other fingerprints, all different')


def write(args, name, text):
    path = os.path.join(args.work, name)
    with open(path, 'w') as f:
        f.write(text)
    return path


def test_suppressions(args):
    prog = 'abba-threads'
    cases = [  # (file text, suppressed?)
        ('# legacy code\n\nlock-order-inversion:function:take_a_*\n', True),
        ('*:file:cases/abba-*.c\n', True),
        ('*:lock:lock_?\n', True),
        ('lock-order-inversion:module:abba-threads\n', True),
        ('deadlock:function:take_a_*\n', False),            # other kind
        ('lock-order-inversion:function:legacy_*\n', False),  # no frame matches
        ('*:lock:stats_mutex\n', False),
    ]
    for i, (text, suppressed) in enumerate(cases):
        path = write(args, f'supp{i}.txt', text)
        doc, status, _ = report(args, prog, 'json', [f'--suppressions={path}'])
        _, err = run_lockwatch(args, [f'--suppressions={path}'], args.programs[prog])
        if suppressed:
            check(status == 0 and doc['findings'] == [] and doc['summary']['suppressed'] == 1,
                  f'{text!r}: not suppressed (exit {status})')
            check('1 suppressed' in err, f'{text!r}: text summary does not say so:\n{err}')
        else:
            check(status == FINDINGS and len(doc['findings']) == 1 and
                  doc['summary']['suppressed'] == 0, f'{text!r}: suppressed wrongly')
    bad = write(args, 'supp-bad.txt', '# ok\n*:function:x\nlock-order-inversion:fn:take_*\n')
    status, err = run_lockwatch(args, [f'--suppressions={bad}'], args.programs[prog])
    check(status == 9 and f'{bad}:3:' in err and err.count('\n') == 1,
          f'malformed file: exit {status}, {err!r}')
    bad_kind = write(args, 'supp-kind.txt', 'lock-inversion:function:x\n')
    status, err = run_lockwatch(args, [f'--suppressions={bad_kind}'], args.programs[prog])
    check(status == 9 and ':1: unknown finding kind' in err, f'bad kind: {status} {err!r}')
    missing = os.path.join(args.work, 'no-such-suppressions.txt')
    status, err = run_lockwatch(args, [f'--suppressions={missing}'], args.programs[prog])
    check(status == 9 and 'cannot read the suppressions file' in err, f'unreadable: {status} {err!r}')
    print('suppressions: matching rules suppress, others do not, bad files exit 9')


def test_baseline(args):
    prog = 'abba-threads'
    base, _, base_path = report(args, prog, 'json', expect_status=FINDINGS)
    doc, status, _ = report(args, prog, 'json', [f'--baseline={base_path}'])
    check(status == 0, f'same program against its own baseline: exit {status}')
    check(all(f['baseline'] for f in doc['findings']) and doc['summary']['known'] == 1 and
          doc['summary']['new'] == 0, 'findings not marked known')
    _, err = run_lockwatch(args, [f'--baseline={base_path}'], args.programs[prog], 0)
    check('(known, in baseline)' in err and '0 new, 1 known' in err, f'text report:\n{err}')
    # A new bug on top of the baseline: three-lock-cycle's finding is not in abba's report.
    doc, status, _ = report(args, 'three-lock-cycle', 'json', [f'--baseline={base_path}'])
    check(status == FINDINGS and doc['summary']['new'] == len(doc['findings']) > 0 and
          not any(f['baseline'] for f in doc['findings']), f'new finding: exit {status}')
    # SARIF marks the state too.
    sarif, _, _ = report(args, prog, 'sarif', [f'--baseline={base_path}'])
    check(all(r['baselineState'] == 'unchanged' for r in sarif['runs'][0]['results']),
          'SARIF baselineState')
    for text, why in (('{"tool": "other", "findings": []}', 'not a lockwatch JSON report'),
                      ('not json', 'is not valid JSON'),
                      ('{"tool": "lockwatch", "findings": [{"id": 1}]}', 'has no "fingerprint"')):
        path = write(args, 'bad-baseline.json', text)
        status, err = run_lockwatch(args, [f'--baseline={path}'], args.programs[prog])
        check(status == 10 and why in err, f'bad baseline {text!r}: exit {status}, {err!r}')
    status, err = run_lockwatch(args, ['--baseline=' + os.path.join(args.work, 'none.json')],
                                args.programs[prog])
    check(status == 10 and 'cannot read the baseline' in err, f'missing baseline: {status}')
    # Baselines count groups: the account flood of 100 pairs is the same finding as that of 1,000.
    small = os.path.join(args.work, 'flood-100.json')
    run_lockwatch(args, ['--format=json', f'--output={small}'], [args.programs['accounts'], '100'],
                  FINDINGS)
    with open(small, encoding='utf-8') as f:
        check([g['instances'] for g in json.load(f)['findings']] == [100], 'flood of 100 pairs')
    doc, status, _ = report(args, 'accounts', 'json', [f'--baseline={small}'])
    check(status == 0 and [g['instances'] for g in doc['findings']] == [1000] and
          doc['summary']['known'] == 1 and doc['summary']['new'] == 0,
          f'flood of 1,000 pairs against that of 100: exit {status}, {doc["summary"]}')
    print('baseline: known findings exit 0, a new one exits 66, bad baselines exit 10; a group is '
          'known whatever its number of instances')


TESTS = {'validators': test_validators, 'sarif': test_sarif, 'json-schema': test_json_schema,
         'fingerprint': test_fingerprint, 'suppressions': test_suppressions,
         'baseline': test_baseline}


def main():
    args = parse_args()
    os.makedirs(args.work, exist_ok=True)
    args.base = args.work
    args.work = tempfile.mkdtemp(prefix=args.test + '.', dir=args.base)
    try:
        TESTS[args.test](args)
    except Failure as e:
        print(f'FAIL: {e}')
        return 1
    print(f'PASS: {args.test}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
