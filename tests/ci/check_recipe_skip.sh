#!/usr/bin/env bash
# check_recipe_skip.sh PYTHON CHECK_CI_RECIPE — without python3-yaml, check_ci_recipe.py skips
# (77) only when the checks it could still make passed: a man page that runs ctest with only
# LOCKWATCH_OPTIONS must fail it (1). yaml is hidden by a module of that name that fails to
# import. Exit 0 when it behaves so, 1 otherwise.
set -u
python=${1:?usage: check_recipe_skip.sh PYTHON CHECK_CI_RECIPE}
script=${2:?usage: check_recipe_skip.sh PYTHON CHECK_CI_RECIPE}
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
echo 'raise ImportError("hidden by check_recipe_skip.sh")' >"$work/yaml.py"
echo 'LOCKWATCH_OPTIONS=--format=sarif ctest' >"$work/bad.1"
echo '.TH LOCKWATCH 1' >"$work/good.1"
failures=0
for case in "bad.1 1" "good.1 77"; do
  set -- $case
  out=$(PYTHONPATH="$work" "$python" "$script" --lockwatch /bin/false --guide /dev/null \
    --man "$work/$1" --work "$work/w" 2>&1)
  rc=$?
  if [ "$rc" -eq "$2" ]; then
    echo "ok   man page $1 without yaml: exit $rc"
  else
    echo "FAIL man page $1 without yaml: exit $rc, expected $2: $out"
    failures=$((failures + 1))
  fi
done
[ "$failures" -eq 0 ]
