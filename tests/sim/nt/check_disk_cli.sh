#!/usr/bin/env bash
# winpv-sim with a guest's disk, as a person uses it: an existing raw image
# attached with --disk-image reads back through the guest's drivers (the
# disk class, Storport, xenvbd.sys, the ring, QEMU) with the SHA-256 of the
# file; a file written with --fill lands in the image byte for byte; a
# workload prints its IOPS and MB/s; a disk the guest does not have and a
# workload not understood are refused with the reason; a disk hot-plugged
# with disk-add is found by the guest and reads back as its image, one
# grown with disk-resize reads back whole at its new size, and one
# unplugged with disk-remove is gone for the guest; the run then stops
# cleanly. Prints TAP.
set -uo pipefail
bin=${1:?usage: check_disk_cli.sh BINDIR PACKAGES}
packages=${2:?usage: check_disk_cli.sh BINDIR PACKAGES}
sim=$bin/winpv-sim
. "$(dirname "$0")/../../support/tap.sh"
. "$(dirname "$0")/../../support/sim_up.sh"

echo "1..17"
out=$(mktemp) err=$(mktemp) image=$(mktemp) file=$(mktemp)
trap 'rm -f "$out" "$out.add" "$err" "$image" "$file"' EXIT
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
head -c $((1024 * 1024 + 333)) /dev/urandom >"$file"
"$sim" io 1 0 --fill "$file" >"$out" 2>"$err"
check "io 1 0 --fill FILE: the file's bytes are the image's first bytes" \
    bash -c "grep -q '1048909 bytes written to disk 0' '$out' && cmp -n 1048909 '$file' '$image'"
got=$("$sim" io 1 0 --sha256 2>"$err")
check "io 1 0 --sha256 after --fill: the image's SHA-256 still" \
    test "${got%% *}" = "$(sha256sum <"$image" | cut -d' ' -f1)"
check "io 1 0 --rw randread --bs 4k --qd 8 --seconds 1 prints IOPS and MB/s" \
    bash -c "'$sim' io 1 0 --rw randread --bs 4k --qd 8 --seconds 1 >'$out' 2>'$err' && grep -Eq '^randread, 4096 bytes a request, 8 at once, [0-9.]+ s: [0-9]+ IOPS, [0-9.]+ MB/s' '$out'"
check "io 1 0 --trim 1m 1m on a QEMU disk, which does not discard, is refused, saying so" \
    bash -c "! '$sim' io 1 0 --trim 1m 1m 2>'$err' && grep -q 'does not unmap' '$err'"
check "io 1 0 --rw sideways is refused, saying what is needed" \
    bash -c "'$sim' io 1 0 --rw sideways 2>'$err'; test \$? -eq 2 && grep -q 'read|write|randread|randwrite' '$err'"
# Waits up to 20 s for the guest's log to show $1.
guest_logs() {
    for _ in $(seq 200); do grep -qF "$1" "$log" && return 0; sleep 0.1; done
    return 1
}
check "disk-add 2: a disk hot-plugged into the running guest" \
    bash -c "'$sim' disk-add 2 >'$out.add' 2>'$err' && grep -q '^ok xvdb ' '$out.add'"
check "the guest's Storport finds it while it runs" guest_logs 'storport: scan of 16 target(s): 2 disk(s)'
want=$(head -c $((2 * 1024 * 1024)) /dev/zero | sha256sum | cut -d' ' -f1)
got=$("$sim" io 1 1 --sha256 2>"$err")
check "io 1 1 --sha256: the new disk's SHA-256, read through the guest" test "${got%% *}" = "$want"
"$sim" disk-resize xvda 8 >/dev/null 2>"$err" && guest_logs 'vbd: device/vbd/51712: now 16384 sectors'
check "disk-resize xvda 8: the guest's frontend takes the new size" test $? -eq 0
want=$(sha256sum <"$image" | cut -d' ' -f1)
got=$("$sim" io 1 0 --sha256 2>"$err")
check "io 1 0 --sha256: the grown image's SHA-256, read whole at its new size" \
    test "${got%% *}" = "$want" -a "$(sed -n 's/.*(\([0-9]*\) bytes.*/\1/p' <<<"$got")" = $((8 * 1024 * 1024))
"$sim" disk-remove xvdb >/dev/null 2>"$err" && guest_logs 'storport: unit 0:1:0: removed'
check "disk-remove xvdb: the guest's Storport drops it" test $? -eq 0
check "io 1 1 --sha256: the removed disk is refused, saying so" \
    bash -c "! '$sim' io 1 1 --sha256 2>'$err' && grep -q 'the guest has no disk 1' '$err'"
kill -TERM "$up"
wait "$up"
check "up exits 0: every component ended cleanly" test $? -eq 0
exit $failed
