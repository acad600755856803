#!/usr/bin/env bash
# Checks that Debian's xenstored, oxenstored, xenconsoled and QEMU, run with
# LD_LIBRARY_PATH=OURS, load the replacement Xen libraries from OURS and
# Debian's own libxenstore, libxentoollog and libxencall, and that the
# dynamic linker resolves every symbol and version they need (ldd -r does
# the binding a BIND_NOW program does at start).
#
# Prints TAP, one test per program.
#
# usage: check_ldd.sh OURS
set -uo pipefail

ours=$(realpath "$1")
replaced=" libxenevtchn.so.1 libxengnttab.so.1 libxenforeignmemory.so.1 libxenctrl.so.4.17 \
libxendevicemodel.so.1 libxentoolcore.so.1 libxenguest.so.4.17 "
programs=(/usr/lib/xen-4.17/bin/xenstored /usr/lib/xen-4.17/bin/oxenstored
          /usr/lib/xen-4.17/bin/xenconsoled /usr/libexec/xen-qemu-system-i386)

echo "1..${#programs[@]}"
n=0
for prog in "${programs[@]}"; do
    n=$((n + 1))
    if [[ ! -x $prog ]]; then
        echo "not ok $n - $prog is missing (packages xen-utils-4.17, qemu-system-xen)"
        continue
    fi
    out=$(LD_LIBRARY_PATH=$ours ldd -r "$prog" 2>&1)
    problems=$(grep -E 'not found|undefined symbol' <<<"$out" | tr -s '\t ' ' ')
    if [[ -n $problems ]]; then
        problems="$(head -n 3 <<<"$problems" | tr '\n' ';') ($(wc -l <<<"$problems") in all)"
    fi
    ok_ours=() wrong=()
    while read -r name _ path _; do
        [[ $name == libxen* ]] || continue
        where=$(realpath "$path" 2>/dev/null)
        if [[ $replaced == *" $name "* ]]; then
            if [[ $where == "$ours/$name" ]]; then ok_ours+=("$name"); else wrong+=("$name=>$path"); fi
        elif [[ $where == "$ours"/* ]]; then
            wrong+=("$name=>$path")
        fi
    done <<<"$out"
    # Every replaced library the program names itself must have been loaded from OURS.
    for need in $(readelf -d "$prog" | sed -n 's/.*(NEEDED).*\[\(libxen.*\)\]/\1/p'); do
        if [[ $replaced == *" $need "* && " ${ok_ours[*]} " != *" $need "* ]]; then
            wrong+=("$need:not-ours")
        fi
    done
    if [[ -n $problems || ${#wrong[@]} -gt 0 ]]; then
        echo "not ok $n - $(basename "$prog"): ${wrong[*]} ${problems}"
    else
        echo "ok $n - $(basename "$prog") loads ${ok_ours[*]} from $1, every symbol bound"
    fi
done
