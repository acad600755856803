#!/usr/bin/env bash
# winpv-sim with a guest's disk, as a person uses it: an existing raw image
# attached with --disk-image reads back through the guest's drivers (the
# disk class, Storport, xenvbd.sys, the ring, QEMU) with the SHA-256 of the
# file, and a disk the guest does not have is refused with the reason; the
# run then stops cleanly. Prints TAP.
set -uo pipefail
bin=${1:?usage: check_disk_cli.sh BINDIR PACKAGES}
packages=${2:?usage: check_disk_cli.sh BINDIR PACKAGES}
sim=$bin/winpv-sim
. "$(dirname "$0")/../../support/tap.sh"
. "$(dirname "$0")/../../support/sim_up.sh"

echo "1..5"
out=$(mktemp) err=$(mktemp) image=$(mktemp)
trap 'rm -f "$out" "$err" "$image"' EXIT
head -c $((6 * 1024 * 1024)) /dev/urandom >"$image"
sim_up "winpv-sim up --disk-image --guest prints the run" --disk-image "$image" --guest "$packages"
log=$WINPV_SIM_DIR/guest-1.log
check "the guest's Storport finds the disk" \
    bash -c "for _ in \$(seq 200); do grep -q 'storport: scan of 16 target(s): 1 disk(s)' '$log' && exit 0; sleep 0.1; done; exit 1"
want=$(sha256sum <"$image" | cut -d' ' -f1)
got=$("$sim" io 1 0 --sha256 2>"$err")
check "io 1 0 --sha256: the file's SHA-256, read through the guest" \
    test "${got%% *}" = "$want" -a "$(sed -n 's/.*(\([0-9]*\) bytes.*/\1/p' <<<"$got")" = $((6 * 1024 * 1024))
check "io 1 1 --sha256: a disk the guest does not have is refused, saying so" \
    bash -c "! '$sim' io 1 1 --sha256 2>'$err' && grep -q 'the guest has no disk 1' '$err'"
kill -TERM "$up"
wait "$up"
check "up exits 0: every component ended cleanly" test $? -eq 0
exit $failed
