#!/usr/bin/env bash
# The programs `make` builds for people (build/release/bin) carry no
# sanitizer runtime (check_cli.sh runs them as people do). Prints TAP.
set -uo pipefail
bin=${1:?usage: check_release.sh RELEASE_BINDIR}
programs=(winpv-sim winpv-simd)
n=0 failed=0
echo "1..${#programs[@]}"
for p in "${programs[@]}"; do
    n=$((n + 1))
    # ASan, UBSan and TSan each link a runtime that defines its __*san_ entry points.
    sanitizers=$(nm "$bin/$p" 2>&1 | grep -oE '__(asan|ubsan|tsan|lsan)_[a-z_]+' | sort -u | head -3)
    if [[ -x $bin/$p && -z $sanitizers ]]; then
        echo "ok $n - $p is built without sanitizers"
    else
        failed=1
        echo "not ok $n - $p is built without sanitizers"
        echo "# ${sanitizers:-not found: $bin/$p}"
    fi
done
exit $failed
