#!/usr/bin/env bash
# check_format_cases.sh SOURCE_DIR — check_format.sh on small throw-away trees, so that a skip
# never hides what it should catch:
#  - a checkout owned by another user (a CI container running as root over the runner's
#    workspace) with one badly formatted file fails (1), it is not skipped;
#  - a tree unpacked inside an unrelated checkout (a release tarball) is skipped (77), not failed.
# Exit 0 when both hold, 1 otherwise, 77 when clang-format or git is missing. The first case
# needs root (to give the tree away) and is left out with a message otherwise.
set -u
src=${1:?usage: check_format_cases.sh SOURCE_DIR}
check=$src/tests/style/check_format.sh
for tool in clang-format git; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "skipped: $tool is not installed"
    exit 77
  fi
done
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
failures=0
expect() { # expect CODE WHAT DIR [TEXT the output must hold]
  local out rc
  out=$(bash "$check" "$3" 2>&1)
  rc=$?
  if [ "$rc" -eq "$1" ] && [[ "$out" == *"${4:-}"* ]]; then
    echo "ok   $2: exit $rc"
  else
    echo "FAIL $2: exit $rc, expected $1"
    printf '     %s\n' "$out" | head -n 5
    failures=$((failures + 1))
  fi
}
g() { git -c user.name=t -c user.email=t@t -c init.defaultBranch=main -c commit.gpgsign=false "$@"; }

# A tree of one C file under lockwatch's .clang-format, committed.
make_tree() {
  mkdir -p "$1"
  cp "$src/.clang-format" "$1/"
  printf 'int main(void)\n{\n    return 0;\n}\n' >"$1/ok.c"
  g -C "$1" init -q && g -C "$1" add . && g -C "$1" commit -q -m tree || exit 1
}

if [ "$(id -u)" -eq 0 ]; then
  make_tree "$work/foreign"
  printf 'int   f( void ){return 1;}\n' >"$work/foreign/bad.c"
  g -C "$work/foreign" add bad.c && g -C "$work/foreign" commit -q -m bad || exit 1
  chown -R 65534:65534 "$work/foreign"
  expect 1 "a badly formatted checkout owned by another user" "$work/foreign" "  bad.c"
else
  echo "left out: the checkout owned by another user (needs root to give it away)"
fi

make_tree "$work/outer"
mkdir "$work/outer/unpacked"
cp "$src/.clang-format" "$work/outer/unpacked/"
printf 'int main(void)\n{\n    return 0;\n}\n' >"$work/outer/unpacked/ok.c"
expect 77 "a tree unpacked inside another checkout" "$work/outer/unpacked"

[ "$failures" -eq 0 ] || exit 1
