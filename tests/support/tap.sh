# tests/support/tap.sh - TAP results for the shell checks, sourced by them:
# ok WHAT; not_ok WHAT [DETAIL...] (each detail a "# " line); check WHAT
# COMMAND... (ok when the command succeeds). $failed is 1 once a result
# was not ok: a check ends with "exit $failed".
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
