#!/usr/bin/env bash
# build.sh — one step from a fresh Debian 12 machine to a built lockwatch.
# Installs the Debian packages that are missing (apt-get as root, sudo apt-get otherwise; nothing
# when all are present, so a user without root can still build), then configures and builds into
# build/ (or $LOCKWATCH_BUILD_DIR). Usage: cmake/build.sh [extra cmake -D options]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LOCKWATCH_BUILD_DIR:-$here/build}

# Why each package: see "Dependencies" in docs/hacking.md.
packages=(build-essential cmake pkg-config clang clang-format libclang-rt-dev libunwind-dev
          libdw-dev libelf-dev libjson-c-dev libcmocka-dev python3 python3-dev python3-yaml
          graphviz git)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node and npm run the report validators of tests/ci (SARIF multitool, Ajv). Looked up as
# commands, not packages: a nodejs from another source bundles its own npm, and Debian's npm
# package would conflict with it.
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
  echo "build.sh: installing ${missing[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
