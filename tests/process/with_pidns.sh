#!/bin/sh
# with_pidns.sh CMD... — runs CMD when this machine lets us make a pid namespace (unshare -p:
# root, or user namespaces); exits 77 (CTest's skip) otherwise.
unshare -p -f --mount-proc true 2>/dev/null || exit 77
exec "$@"
