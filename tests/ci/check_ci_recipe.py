#!/usr/bin/env python3
"""check_ci_recipe.py - runs the CTest recipe of docs/ci-guide.md as printed.

    check_ci_recipe.py --lockwatch LOCKWATCH --guide docs/ci-guide.md --man docs/lockwatch.1
                       --work DIR

Takes from the guide the files marked `<!-- recipe-file: PATH -->`, the CMake snippet marked
`<!-- recipe-cmake -->` and the GitHub workflow marked `<!-- recipe-workflow -->`, writes a small
CMake project (one test with a lock-order inversion, one without) around them, and runs the
workflow's steps "Build the project with debug information", "Run the tests under lockwatch" and
"Merge the SARIF logs" with bash, as GitHub would (-eo pipefail), outside GitHub (no GITHUB_*
variables) and with lockwatch on PATH. Checks: the build passes; the test step fails, with the
bad test failed, the good one passed and lockwatch's text report in ctest's output; one SARIF log
per test; the merged log has one run whose results point into the project's bad.c relative to
SRCROOT; the workflow uploads that one file with upload-sarif@v4 and the permissions it needs.
Also checks the man page has no example that runs ctest without lockwatch.
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys

try:
    import yaml
except ImportError:  # python3-yaml
    yaml = None

BAD_C = r"""#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;

static void *forward(void *arg)
{
    pthread_mutex_lock(&a);
    pthread_mutex_lock(&b);
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    return arg;
}

static void *backward(void *arg)
{
    pthread_mutex_lock(&b);
    pthread_mutex_lock(&a);
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&b);
    return arg;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, forward, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, backward, NULL);
    pthread_join(t, NULL);
    puts("bad: done");
    return 0;
}
"""

GOOD_C = r"""#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static long n;

static void *work(void *arg)
{
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&a);
        pthread_mutex_lock(&b);
        n++;
        pthread_mutex_unlock(&b);
        pthread_mutex_unlock(&a);
    }
    return arg;
}

int main(void)
{
    pthread_t t1, t2;
    pthread_create(&t1, NULL, work, NULL);
    pthread_create(&t2, NULL, work, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("good: %ld\n", n);
    return n == 2000 ? 0 : 1;
}
"""

PROJECT = """cmake_minimum_required(VERSION 3.16)
project(recipe C)
find_package(Threads REQUIRED)
enable_testing()
{snippet}
foreach(name good bad)
  add_executable(${{name}} ${{name}}.c)
  target_link_libraries(${{name}} PRIVATE Threads::Threads)
  add_test(NAME ${{name}} COMMAND ${{name}})
endforeach()
"""

STEPS = ["Build the project with debug information", "Run the tests under lockwatch",
         "Merge the SARIF logs"]


def blocks(guide):
    """{marker: code} for each fenced block right after an HTML comment marker."""
    found = {}
    for m in re.finditer(r"<!-- (recipe-[a-z]+)(?:: (\S+))? -->\n```[a-z]*\n(.*?)```", guide,
                         re.S):
        key = m.group(1) + (":" + m.group(2) if m.group(2) else "")
        found[key] = m.group(3)
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lockwatch", required=True)
    ap.add_argument("--guide", required=True)
    ap.add_argument("--man", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    problems = []

    with open(args.man, encoding="utf-8") as f:
        for line in f:
            if "ctest" in line and "LOCKWATCH_OPTIONS" in line:
                problems.append(f"the man page runs ctest with only LOCKWATCH_OPTIONS: {line!r}")

    if yaml is None:
        if problems:  # found without yaml: a failure, not a skip
            print("FAIL:\n  " + "\n  ".join(problems))
            return 1
        print("SKIP: python3-yaml is not installed (needed to read the workflow)")
        return 77
    with open(args.guide, encoding="utf-8") as f:
        found = blocks(f.read())
    files = {k.split(":", 1)[1]: v for k, v in found.items() if k.startswith("recipe-file:")}
    if "ci/lockwatch-launcher.sh" not in files or "recipe-cmake" not in found or \
            "recipe-workflow" not in found:
        print(f"FAIL: the guide lacks a marked recipe part (found {sorted(found)})")
        return 1
    workflow = yaml.safe_load(found["recipe-workflow"])
    job = next(iter(workflow["jobs"].values()))
    perms = job.get("permissions", {})
    for name, want in [("security-events", "write"), ("actions", "read"),
                       ("contents", "read")]:
        if perms.get(name) != want:
            problems.append(f"the workflow's permissions lack {name}: {want}")
    steps = {s.get("name"): s for s in job["steps"]}
    upload = next((s for s in job["steps"] if "upload-sarif" in s.get("uses", "")), None)
    if upload is None or not upload["uses"].endswith("@v4"):
        problems.append(f"the workflow does not upload with upload-sarif@v4: {upload}")

    project = os.path.abspath(os.path.join(args.work, "project"))
    shutil.rmtree(project, ignore_errors=True)
    os.makedirs(project)
    for path, text in files.items():
        os.makedirs(os.path.dirname(os.path.join(project, path)), exist_ok=True)
        with open(os.path.join(project, path), "w", encoding="utf-8") as f:
            f.write(text)
    with open(os.path.join(project, "CMakeLists.txt"), "w", encoding="utf-8") as f:
        f.write(PROJECT.format(snippet=found["recipe-cmake"]))
    for name, text in [("bad.c", BAD_C), ("good.c", GOOD_C)]:
        with open(os.path.join(project, name), "w", encoding="utf-8") as f:
            f.write(text)

    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "RUNNER_", "LOCKWATCH_"))}
    env["PATH"] = os.path.dirname(os.path.abspath(args.lockwatch)) + os.pathsep + env["PATH"]
    outputs = {}
    for name in STEPS:
        step = steps.get(name)
        if step is None or "run" not in step:
            problems.append(f"the workflow has no step {name!r} with run:")
            continue
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                               step["run"]], cwd=project, env=env, capture_output=True,
                              text=True, errors="replace", timeout=900)
        outputs[name] = proc
        print(f"--- step {name!r}: exit {proc.returncode}\n{proc.stdout[-3000:]}"
              f"{proc.stderr[-3000:]}")
    build, test, merge = (outputs.get(n) for n in STEPS)
    if build is not None and build.returncode != 0:
        problems.append("the build step failed")
    if test is not None:
        out = test.stdout + test.stderr
        if test.returncode == 0:
            problems.append("the test step passed although bad has a lock-order inversion")
        if not re.search(r"\bbad \.+\*+Failed", out) or not re.search(r"\bgood \.+ +Passed", out):
            problems.append("ctest did not fail bad and pass good")
        if "==lockwatch== lock-order inversion" not in out:
            problems.append("ctest --output-on-failure does not show lockwatch's text report")
    reports = glob.glob(os.path.join(project, "build", "lockwatch-reports", "*.sarif"))
    names = sorted(os.path.basename(r).split("-")[0] for r in reports)
    if names != ["bad", "good"]:
        problems.append(f"expected one SARIF log per test, found {names}")
    if merge is not None and merge.returncode != 0:
        problems.append("the merge step failed")
    merged_path = os.path.join(project, "build", "lockwatch.sarif")
    if upload is not None and upload.get("with", {}).get("sarif_file") != "build/lockwatch.sarif":
        problems.append("the workflow does not upload the merged log")
    if os.path.exists(merged_path):
        with open(merged_path, encoding="utf-8") as f:
            merged = json.load(f)
        runs = merged.get("runs", [])
        results = runs[0].get("results", []) if runs else []
        if len(runs) != 1 or not results:
            problems.append(f"the merged log has {len(runs)} runs and {len(results)} results")
        uris = [loc["physicalLocation"]["artifactLocation"]
                for r in results for loc in r.get("locations", [])]
        if not any(u.get("uri") == "bad.c" and u.get("uriBaseId") == "SRCROOT" for u in uris):
            problems.append(f"no result points at bad.c under SRCROOT: {uris}")
        base = runs[0].get("originalUriBaseIds", {}).get("SRCROOT", {}).get("uri", "") \
            if runs else ""
        if base.rstrip("/") != "file://" + project:
            problems.append(f"SRCROOT is {base!r}, not the project {project!r}")
    else:
        problems.append("no merged SARIF log")

    if problems:
        print("FAIL:\n  " + "\n  ".join(problems))
        return 1
    print("OK: the CI guide's CTest recipe and workflow steps work as printed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
