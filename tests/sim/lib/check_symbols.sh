#!/usr/bin/env bash
# Checks the replacement Xen libraries in OURS (build/sim/lib) against
# Debian's: each has Debian's SONAME and exports, in the same version
# node, every symbol that Debian's xenstored, oxenstored, xenconsoled and
# QEMU (and the Debian libraries loaded beside ours: libxenstore,
# libxencall, libxentoollog) import from Debian's library of that name.
# A last test checks the libc functions libxenctrl takes over are exported
# in the versions those programs bind them with.
#
# Prints TAP, one test per library.
#
# usage: check_symbols.sh OURS
set -uo pipefail

ours=$1
debian=/usr/lib/x86_64-linux-gnu
libs=(libxenevtchn.so.1 libxengnttab.so.1 libxenforeignmemory.so.1 libxenctrl.so.4.17
      libxendevicemodel.so.1 libxentoolcore.so.1 libxenguest.so.4.17)
consumers=(/usr/lib/xen-4.17/bin/xenstored /usr/lib/xen-4.17/bin/oxenstored
           /usr/lib/xen-4.17/bin/xenconsoled /usr/libexec/xen-qemu-system-i386
           "$debian/libxenstore.so.4" "$debian/libxencall.so.1" "$debian/libxentoollog.so.1")
interposed='^(open|open64|setrlimit|setrlimit64)@'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "name@version" for each symbol FILE defines (exports), one per line, sorted.
exported() {
    objdump -T "$1" | awk '/^[0-9a-f]+ / && $0 !~ /\*UND\*/ && NF >= 6 {
        v = $(NF - 1); gsub(/[()]/, "", v); print $NF "@" v }' | LC_ALL=C sort -u
}

# "name@version" for each versioned symbol FILE imports.
imported() {
    objdump -T "$1" | awk '/^[0-9a-f]+ / && /\*UND\*/ && $(NF - 1) ~ /^\(/ {
        v = $(NF - 1); gsub(/[()]/, "", v); print $NF "@" v }' | LC_ALL=C sort -u
}

soname() {
    readelf -d "$1" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p'
}

for c in "${consumers[@]}"; do
    [[ -r $c ]] || { echo "Bail out! $c is missing (packages xen-utils-4.17, qemu-system-xen)"; exit 1; }
    imported "$c"
done | LC_ALL=C sort -u >"$tmp/imports"

echo "1..$(( ${#libs[@]} + 1 ))"
n=0
for lib in "${libs[@]}"; do
    n=$((n + 1))
    if [[ ! -r $ours/$lib ]]; then
        echo "not ok $n - $lib: $ours/$lib was not built"
        continue
    fi
    exported "$debian/$lib" >"$tmp/theirs"
    exported "$ours/$lib" >"$tmp/ours"
    LC_ALL=C comm -12 "$tmp/imports" "$tmp/theirs" >"$tmp/needed"
    missing=$(LC_ALL=C comm -23 "$tmp/needed" "$tmp/ours" | tr '\n' ' ')
    want=$(soname "$debian/$lib") got=$(soname "$ours/$lib")
    if [[ -z $want || $want != "$got" ]]; then
        echo "not ok $n - $lib: SONAME '$got', Debian's is '$want'"
    elif [[ -n $missing ]]; then
        echo "not ok $n - $lib: does not export ${missing% }"
    else
        echo "ok $n - $lib: SONAME $got and all $(wc -l <"$tmp/needed") imported symbols, same versions"
    fi
done

n=$((n + 1))
grep -E "$interposed" "$tmp/imports" >"$tmp/needed"
exported "$ours/libxenctrl.so.4.17" >"$tmp/ours" 2>/dev/null
missing=$(LC_ALL=C comm -23 "$tmp/needed" "$tmp/ours" | tr '\n' ' ')
if [[ ! -s $tmp/needed ]]; then
    echo "not ok $n - libxenctrl.so.4.17: the programs import none of open, open64, setrlimit, setrlimit64"
elif [[ -n $missing ]]; then
    echo "not ok $n - libxenctrl.so.4.17: does not take over ${missing% }"
else
    echo "ok $n - libxenctrl.so.4.17 takes over $(tr '\n' ' ' <"$tmp/needed")"
fi
