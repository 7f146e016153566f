#!/bin/sh
# with_pidns.sh CMD... — runs CMD when this machine lets us make a pid namespace (unshare -p:
# root, or user namespaces); says why and exits 77 (CTest's skip) otherwise.
if ! unshare -p -f --mount-proc true 2>/dev/null; then
  echo "skipped: unshare -p cannot make a pid namespace here (needs root or user namespaces)"
  exit 77
fi
exec "$@"
