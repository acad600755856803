# tests/support/sim_up.sh - `winpv-sim up` for the shell checks, sourced
# after tap.sh: sim_up WHAT ARGS... starts "$sim up ARGS" in the background
# (its output in $out, its errors in $err, its pid in $up), waits until it
# printed the run, and reports WHAT as a result; on failure it stops it and
# exits the check. The run's exports ($WINPV_SIM_DIR, $XENSTORED_PATH) are
# then set.
sim_up() {
    local what=$1
    shift
    "$sim" up "$@" >"$out" 2>"$err" &
    up=$!
    for _ in $(seq 300); do grep -q '^# xenstored' "$out" && break; sleep 0.1; done
    if ! grep -q '^export WINPV_SIM_DIR=' "$out"; then
        not_ok "$what" "$(cat "$err")"
        kill "$up" 2>/dev/null
        exit 1
    fi
    ok "$what"
    eval "$(grep '^export' "$out")"
}
