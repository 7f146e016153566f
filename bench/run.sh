#!/usr/bin/env bash
# run.sh — run lockwatch's benchmarks: bench/run.sh [BUILD_DIR] [options] (see --help).
# The work is done by run.py (Python standard library only); this wrapper only finds it.
set -euo pipefail
exec python3 "$(dirname "$(readlink -f "$0")")/run.py" "$@"
