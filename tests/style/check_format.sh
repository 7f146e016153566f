#!/usr/bin/env bash
# check_format.sh SOURCE_DIR — every C source and header git tracks in SOURCE_DIR is formatted as
# its .clang-format says (clang-format --dry-run --Werror). The list comes from `git ls-files`, so
# files added or moved are covered without editing this script. Exit 0: all clean; 1: some are
# not (each is named, with clang-format's diagnostics); 77 (CTest's skip), saying why, when
# clang-format or git is missing or SOURCE_DIR is not the top of a git checkout.
set -u
src=${1:?usage: check_format.sh SOURCE_DIR}
if ! command -v clang-format >/dev/null 2>&1; then
  echo "skipped: clang-format is not installed (Debian: apt-get install clang-format)"
  exit 77
fi
if ! command -v git >/dev/null 2>&1; then
  echo "skipped: git is not installed (the file list comes from git ls-files)"
  exit 77
fi
cd "$src" || exit 1
src=$(pwd -P)
# The checkout is trusted for this one command even when another user owns it (a CI container
# running as root over the runner's workspace): git would otherwise refuse ("dubious
# ownership") and the check would be skipped where it matters most.
git() { command git -c safe.directory="$src" "$@"; }
top=$(git rev-parse --show-toplevel 2>/dev/null) || top=
if [ -z "$top" ] || [ "$(cd "$top" && pwd -P)" != "$src" ]; then
  # No repository, or one that only contains this tree (a release tarball unpacked inside
  # another checkout): not lockwatch's own file list.
  echo "skipped: $src is not the top of a git checkout (the file list comes from git ls-files)"
  exit 77
fi
list=$(mktemp) || exit 1
trap 'rm -f "$list"' EXIT
git ls-files -z -- '*.c' '*.h' >"$list"
count=$(tr -cd '\0' <"$list" | wc -c)
if [ "$count" -eq 0 ]; then
  echo "FAIL: git ls-files lists no C files in $src"
  exit 1
fi
out=$(xargs -0 clang-format --style=file --dry-run --Werror <"$list" 2>&1)
rc=$?
if [ "$rc" -ne 0 ]; then
  printf '%s\n' "$out" | head -n 60
  bad=$(printf '%s\n' "$out" | sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: .*clang-format.*/\1/p' | sort -u)
  echo "FAIL: C files that differ from .clang-format (fix: clang-format -i FILE):"
  printf '  %s\n' ${bad:-"(clang-format exit $rc, see above)"}
  exit 1
fi
echo "ok: $count C files formatted as .clang-format says"
