#!/usr/bin/env bash
# run_fuzzer.sh FUZZER SEEDS WORKDIR SECONDS — one bounded libFuzzer run for CTest: every seed of
# the repository's corpus is run first (the regression seeds among them), then new inputs for the
# rest of SECONDS. New inputs go to WORKDIR/corpus (emptied first, so each run costs the same),
# a crashing, leaking or hanging input (over 10 s) to WORKDIR/crash-*, timeout-*, leak-*; any of
# those fails the test. The harness's own stdout and stderr are closed (-close_fd_mask=3: bad
# inputs make the parsers print); sanitizer and libFuzzer reports still appear.
set -euo pipefail
fuzzer=$1 seeds=$2 work=$3 seconds=$4
rm -rf "$work/corpus"
mkdir -p "$work/corpus"
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -close_fd_mask=3 \
  -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" "$seeds"
