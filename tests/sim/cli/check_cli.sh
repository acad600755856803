#!/usr/bin/env bash
# winpv-sim as a person uses it: bring a run up, look at it, ask the guest to
# shut down (refused until the guest offers it) and balloon, destroy the domain, stop the run; nothing of the
# run may be left behind (processes, directory). Prints TAP.
set -uo pipefail
bin=${1:?usage: check_cli.sh BINDIR}
sim=$bin/winpv-sim
. "$(dirname "$0")/../../support/tap.sh"
. "$(dirname "$0")/../../support/sim_up.sh"

echo "1..23"
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
sim_up "winpv-sim up prints the run" --memory 32 --disks 2 --disk-size 8
dir=$WINPV_SIM_DIR

status=$("$sim" status)
check "status lists domain 1 without a guest" grep -qE '^1 +8196 +1 +no guest' <<<"$status"
backend=/local/domain/0/backend/qdisk/1
check "two disks wait for the guest (InitWait)" test \
    "$(xenstore-read $backend/51712/state)-$(xenstore-read $backend/51728/state)" = 2-2
check "the second disk is xvdb, 8 MiB" test \
    "$(xenstore-read /local/domain/1/device/vbd/51728/backend)-$(xenstore-read $backend/51728/sectors)" \
    = "$backend/51728-16384"
check "ls shows the guest's tree" grep -q '^/local/domain/1/name = "guest1"' <<<"$("$sim" ls /local/domain/1)"
# No drivers run in this guest: nothing offers a power-off, so none is asked for.
check "shutdown of a guest that does not offer it is refused, saying why" \
    bash -c "! '$sim' shutdown 1 2>'$err' && grep -q 'domain 1 does not offer poweroff' '$err' &&
             test -z \"\$(xenstore-read /local/domain/1/control/shutdown)\""
# Offered (as a guest's drivers write it), the request is written as xl writes it.
xenstore-write /local/domain/1/control/feature-poweroff 1
"$sim" shutdown 1 && check "shutdown of a guest that offers it writes control/shutdown" \
    test "$(xenstore-read /local/domain/1/control/shutdown)" = poweroff
"$sim" balloon 1 16 && check "balloon sets memory/target in KiB" \
    test "$(xenstore-read /local/domain/1/memory/target)" = 16384
added=$("$sim" disk-add 4)
check "disk-add hot-plugs xvdc, waiting for the guest" test \
    "$added-$(xenstore-read $backend/51744/state)-$(xenstore-read $backend/51744/sectors)" \
    = "ok xvdc $backend/51744-2-8192"
"$sim" disk-remove xvdb >/dev/null
check "disk-remove unplugs xvdb: both directories gone" bash -c \
    "! xenstore-read $backend/51728/state 2>/dev/null && ! xenstore-ls /local/domain/1/device/vbd/51728 >/dev/null 2>&1"
check "disk-remove stops xvdb's QEMU and keeps its image" bash -c \
    "! pgrep -f 'file=$dir/[x]vdb.img' >/dev/null && test -f '$dir/xvdb.img'"
check "removing a disk that is not there is refused" bash -c "! '$sim' disk-remove xvdz 2>/dev/null"
check "saving a domain whose guest did not suspend is refused, saying why" bash -c \
    "'$sim' save 1 early.img 2>&1 >/dev/null | grep -q 'has not suspended'"
check "a bad domain id is refused" bash -c "! '$sim' shutdown nonsense 2>/dev/null"
"$sim" destroy 1
check "destroy removes the domain" bash -c "! '$sim' status | grep -qE '^1 '"

kill -INT "$up"
wait "$up"
check "up stops cleanly on interrupt" test $? -eq 0
left=$(pgrep -f "$dir" || true)
if [[ -z $left && ! -e $dir ]]; then
    ok "no process and no directory left behind"
else
    not_ok "no process and no directory left behind" "processes: $left" "dir: $(ls -d "$dir" 2>&1)"
fi

# Killed outright (no chance to clean up): its components still end with it.
out2=$(mktemp)
"$sim" up --disks 1 --disk-size 4 >"$out2" 2>"$err" &
up=$!
for _ in $(seq 300); do grep -q '^# xenstored' "$out2" && break; sleep 0.1; done
killed_dir=$(sed -n 's/^export WINPV_SIM_DIR=//p' "$out2")
rm -f "$out2"
kill -KILL "$up"
wait "$up" 2>/dev/null
for _ in $(seq 50); do [[ -z $(pgrep -f "$killed_dir") ]] && break; sleep 0.1; done
left=$(pgrep -fa "$killed_dir" || true)
if [[ -n $killed_dir && -z $left ]]; then
    ok "a killed winpv-sim leaves no process behind"
else
    not_ok "a killed winpv-sim leaves no process behind" "dir: $killed_dir" "left: $left" "$(cat "$err")"
fi
[[ -n $killed_dir && -d $killed_dir ]] && rm -rf "$killed_dir"

# An existing raw image attached with --disk-image: xvda of its size, and the
# file is the user's: still there, unchanged, after the run stops.
image=$(mktemp) bad=$(mktemp)
head -c $((3 * 1024 * 1024)) /dev/urandom >"$image"
before=$(sha256sum <"$image")
out3=$(mktemp)
"$sim" up --disk-image "$image" --disks 1 --disk-size 4 >"$out3" 2>"$err" &
up=$!
for _ in $(seq 300); do grep -q '^# xenstored' "$out3" && break; sleep 0.1; done
run_dir=$(sed -n 's/^export WINPV_SIM_DIR=//p' "$out3")
export XENSTORED_PATH=$(sed -n 's/^export XENSTORED_PATH=//p' "$out3")
check "--disk-image: xvda is the image, 6144 sectors, xvdb a new disk" test \
    "$(xenstore-read /local/domain/1/device/vbd/51712/backend 2>/dev/null | xargs -I{} xenstore-read {}/sectors)-$(grep -c '^# disk xvdb' "$out3")" = 6144-1
kill -TERM "$up"
wait "$up"
check "--disk-image: the image is kept, unchanged" test "$(sha256sum <"$image")" = "$before"
check "--disk-image: the run's directory went, the image did not" \
    bash -c "test ! -e '$run_dir' && test -f '$image'"
head -c 1000 /dev/zero >"$bad"
check "--disk-image refuses a file of no whole sectors, saying why, before starting" \
    bash -c "! '$sim' up --disk-image '$bad' 2>'$err'; grep -q 'not a whole number of 512-byte sectors' '$err' && ! grep -q 'logs were in' '$err'"
check "--disk-image refuses a missing file" \
    bash -c "! '$sim' up --disk-image '$bad.missing' 2>'$err' && grep -q 'no such file' '$err'"
rm -f "$image" "$bad" "$out3"
exit $failed
