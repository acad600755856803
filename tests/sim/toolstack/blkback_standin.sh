#!/bin/sh
# Stands in for winpv-blkback (the toolstack runs $WINPV_BLKBACK): says it is
# ready as winpv-blkback does, then, with STANDIN_CRASH=1, crashes (SIGSEGV),
# else runs until SIGTERM and exits 0. Its last argument is the backend's
# xenstore directory.
ulimit -c 0 # no core file in the tree
for backend; do :; done
xenstore-write "$backend/hotplug-status" connected || exit 1
if [ "${STANDIN_CRASH:-}" = 1 ]; then
    echo "blkback stand-in: crashing on purpose" >&2
    kill -SEGV $$
fi
trap 'exit 0' TERM
while :; do sleep 0.05; done
