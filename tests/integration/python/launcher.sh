#!/bin/sh
# launcher.sh PYTHON PROGRAM [ARGS...]: runs a Python program the way a version manager's shim
# does (pyenv's python3 is a shell script): the shell runs a subshell, a forked child that works
# a while and ends, then execs another shell that execs the interpreter.
python=$1
shift
count=$(i=0; while [ "$i" -lt 100000 ]; do i=$((i + 1)); done; echo "$i")
[ "$count" = 100000 ] || exit 125
exec /bin/sh -c 'exec "$0" "$@"' "$python" "$@"
