#!/usr/bin/env bash
# winpv-sim with a guest kernel, as a person uses it: bring a run up with
# --guest (the simulated Windows kernel running the drivers the INFs of a
# package directory choose), look at its devices with winpv-sim pnp while a
# disk is hot-plugged, balloon it to half its memory with winpv-sim balloon,
# migrate it by hand with a disk (suspend, save, restore: the disk follows),
# reboot it and shut it down through its drivers and agent (Windows's
# shutdown IRPs, then the domain's reason), stop the run; every component
# ends cleanly and nothing of the run is left behind; what the drivers log
# shows in xenconsoled's log of the guest's console, in each domain it runs
# in. Prints TAP.
set -uo pipefail
bin=${1:?usage: check_guest_cli.sh BINDIR PACKAGES VENDOR_PREFIX}
packages=${2:?usage: check_guest_cli.sh BINDIR PACKAGES VENDOR_PREFIX}
prefix=${3:?usage: check_guest_cli.sh BINDIR PACKAGES VENDOR_PREFIX}
sim=$bin/winpv-sim
. "$(dirname "$0")/../../support/tap.sh"
. "$(dirname "$0")/../../support/sim_up.sh"
# Wait up to 10 s for file $1 to hold the text $2.
wait_text() { for _ in $(seq 100); do grep -qF "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
# Wait up to 10 s for `winpv-sim pnp 1` to show a line matching $1.
wait_pnp() { for _ in $(seq 100); do "$sim" pnp 1 2>/dev/null | grep -qE "$1" && return 0; sleep 0.1; done; return 1; }

echo "1..35"
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$out.ls" "$err"' EXIT
sim_up "winpv-sim up --guest prints the run" --memory 64 --vcpus 2 --disks 1 --disk-size 8 --guest "$packages"
dir=$WINPV_SIM_DIR
log=$dir/guest-1.log

check "pnp shows the platform device started by xenbus.sys" \
    wait_pnp '^PCI\\VEN_5853&DEV_0001&SUBSYS_00015853&REV_01\\3&0&0 \[.*\] xenbus\.sys started$'
check "pnp shows the disk class as a child, no driver for it" \
    wait_pnp '^  XENBUS\\VEN_'"$prefix"'&DEV_VBD\\0 \[XENBUS\\VEN_'"$prefix"'&DEV_VBD&REV_00000001 .*\] - no driver$'
check "pnp shows the interface child bound by its INF to child.sys, started" \
    wait_pnp '^  XENBUS\\VEN_'"$prefix"'&DEV_IFACE\\0 \[.*\] child\.sys started$'
check "the guest's kernel log is in the run directory" grep -q 'winpv: xenbus: xenstore connected, domain 1' "$log"
check "the drivers' log shows in xenconsoled's log of the guest's console" \
    wait_text "$dir/console/guest-guest1.log" 'xenbus: xenstore connected, domain 1'
check "status shows the guest holding event channels" \
    bash -c "\"$sim\" status | grep -qE '^1 +[0-9]+ +[0-9]+ +running +([3-9]|[1-9][0-9]+) '"
# A second disk changes nothing (the class has its child); removing both takes the child away.
"$sim" disk-add 8 >/dev/null && "$sim" disk-remove xvda >/dev/null && "$sim" disk-remove xvdb >/dev/null
check "the disk class goes with its last disk" \
    bash -c "for _ in \$(seq 100); do \"$sim\" pnp 1 | grep -q DEV_VBD || exit 0; sleep 0.1; done; exit 1"
check "pnp of a domain with no guest kernel says so" \
    bash -c "! \"$sim\" pnp 7 2>&1 | grep -q VEN_5853 && \"$sim\" pnp 7 2>&1 | grep -q 'runs no simulated Windows kernel'"

# Half of 64 MiB goes back to Xen: the guest says so, and the domain holds 8192 pages fewer.
# The pages domain $1 (default 1) holds, as status shows them.
pages() { "$sim" status | awk -v d="${1:-1}" '$1 == d { print $2 }'; }
full=$(pages)
"$sim" balloon 1 32
check "balloon 1 32: the guest's drivers give 8192 pages to Xen" \
    bash -c "for _ in \$(seq 100); do grep -q 'winpv: balloon: at target: 8192 page(s) (32768 KiB) with Xen' \"$log\" && exit 0; sleep 0.1; done; exit 1"
check "balloon 1 32: status shows the domain 8192 pages smaller" test "$(pages)" -eq "$((full - 8192))"

# Migrated by hand: the guest's drivers suspend it, the toolstack saves it and
# restores it as domain 2, and the drivers go on there, with the disk.
"$sim" disk-add 8 >/dev/null
"$sim" suspend 1
check "suspend 1: the guest's drivers suspend the domain" \
    bash -c "for _ in \$(seq 100); do \"$sim\" status | grep -qE '^1 .* suspend ' && exit 0; sleep 0.1; done; exit 1"
"$sim" save 1 img >/dev/null
check "save 1 img, restore img: the guest goes on in domain 2" \
    test "$("$sim" restore img)" = "domain 2"
check "the drivers say so in the guest's log" \
    bash -c "for _ in \$(seq 100); do grep -q 'winpv: xenbus: suspend: restored in domain 2' \"$log\" && exit 0; sleep 0.1; done; exit 1"
check "and in xenconsoled's log of the new domain's console" \
    wait_text "$dir/console/guest-guest2.log" 'xenbus: suspend: restored in domain 2'
check "the balloon's target came along: domain 2 holds 8192 pages fewer, as domain 1 did" \
    bash -c "$(declare -f pages); sim='$sim'; sleep 1; test \"\$(pages 2)\" -eq $((full - 8192)) &&
             test \"\$(xenstore-read /local/domain/2/memory/target)\" = 32768"
check "pnp 2 shows xenbus.sys started in the new domain" \
    bash -c "\"$sim\" pnp 2 | grep -qE '^PCI.* xenbus\\.sys started$'"
check "the disk came along: a backend of domain 2 waits for the guest" \
    bash -c "\"$sim\" ls /local/domain/0/backend/qdisk/2 | grep -qE '/51744/state = \"2\"'"
check "domain 2's device directory names that backend" \
    bash -c "\"$sim\" ls /local/domain/2/device/vbd | grep -qE '/51744/backend = \"/local/domain/0/backend/qdisk/2/51744\"'"
qdisks() { "$sim" ls /local/domain/0/backend >"$out.ls" && cat "$out.ls"; }
check "the saved domain's backend is gone" \
    bash -c "$(declare -f qdisks); sim='$sim' out='$out'; qdisks | grep -q 'qdisk/2/' && ! qdisks | grep -q 'qdisk/1/'"
check "disk-remove xvdc unplugs it from domain 2" \
    bash -c "$(declare -f qdisks); sim='$sim' out='$out'; \"$sim\" disk-remove xvdc >/dev/null && qdisks >/dev/null && ! qdisks | grep -q 'qdisk/2/'"

# xl reboot: the agent has Windows restart, and the toolstack starts the guest again
# in a new domain, its disk with it.
"$sim" disk-add 8 >/dev/null
check "reboot 2 is taken" "$sim" reboot 2
check "up says the guest runs again in domain 3" \
    wait_text "$out" '# domain 2 rebooted: the guest runs in domain 3'
check "Windows sent IRP_MJ_SHUTDOWN to xenbus.sys before the S5 IRPs" \
    bash -c "grep -E 'io: IRP_MJ_SHUTDOWN to device .*xenbus\.sys.*: 0\$|po: platform device: set S5 \(restart\) -> 0' \"$dir/guest-2.log\" | head -1 | grep -q IRP_MJ_SHUTDOWN"
check "the S5 restart reached every device stack, then Xen heard reboot" \
    bash -c "grep -q 'po: platform device: set S5 (restart) -> 0' \"$dir/guest-2.log\" && grep -q 'SCHEDOP_shutdown(reboot) -> 0' \"$dir/guest-2.log\""
check "status: domain 2 destroyed, domain 3 running" \
    bash -c "\"$sim\" status | awk '\$1 == 2 { exit 1 } \$1 == 3 && \$4 == \"running\" { found = 1 } END { exit !found }'"
check "the disk came along to domain 3" \
    bash -c "\"$sim\" ls /local/domain/0/backend/qdisk/3 | grep -qE '/state = \"[2-4]\"'"
check "xenconsoled's log of domain 3 shows the drivers starting again" \
    wait_text "$dir/console/guest-guest3.log" 'xenbus: xenstore connected, domain 3'
check "pnp 3 shows xenbus.sys started again, with the agent" \
    bash -c "for _ in \$(seq 100); do \"$sim\" pnp 3 2>/dev/null | grep -qE '^PCI.* xenbus\\.sys started\$' && grep -q 'the agent is here' \"$dir/guest-3.log\" && exit 0; sleep 0.1; done; exit 1"

# xl shutdown: Windows shuts down, the domain powers off and is destroyed; the run goes on.
check "shutdown 3 is taken" "$sim" shutdown 3
check "up says domain 3 powered off and was destroyed" \
    wait_text "$out" '# domain 3 powered off: destroyed'
check "Xen heard poweroff after the S5 IRPs" \
    bash -c "grep -q 'po: platform device: set S5 -> 0' \"$dir/guest-3.log\" && grep -q 'SCHEDOP_shutdown(poweroff) -> 0' \"$dir/guest-3.log\""
check "shutdown of a domain that is gone is refused, saying why" \
    bash -c "msg=\$(\"$sim\" shutdown 3 2>&1); test \$? -ne 0 && grep -q 'domain 3 does not offer poweroff' <<<\"\$msg\""

kill -TERM "$up"
wait "$up"
status=$?
check "up exits 0: every component, the guest kernel too, ended cleanly" test "$status" -eq 0
check "the drivers unloaded, removed in order, nothing left" \
    test ! -e "$dir" -o -n "${WINPV_SIM_KEEP:-}"
exit $failed
