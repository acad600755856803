#!/usr/bin/env bash
# scripts/run-tests judged by tiny checks whose right tally is known: each
# case is a LIST of one or more commands run through it, and its summary
# lines, its failure reasons and its exit status are compared with what
# they must be. A check that prints no TAP, plans nothing, skips, reports
# more results than planned, has no plan or crashes after some results is
# not a pass. Prints TAP.
#
# usage: check_run_tests.sh [RUN_TESTS]
set -uo pipefail
cd "$(dirname "$0")/../.."
run_tests=${1:-scripts/run-tests}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "1..13"
n=0 failed=0

# The output and exit status of run-tests over the LIST lines "name kind command" given.
run() {
    printf '%s\n' "$@" >"$work/list"
    rm -rf "$work/logs"
    out=$("$run_tests" "$work/list" "$work/logs" 2>&1)
    status=$?
}

# case NAME SUMMARY CLOSING STATUS [REASON]: the last run's summary line,
# closing line, exit status and (when given) a line of its output.
case_is() {
    local what=$1 summary=$2 closing=$3 want_status=$4 reason=${5:-} problems=()
    n=$((n + 1))
    [[ $(tail -n 1 <<<"$out") == "$closing" ]] || problems+=("closing line is not '$closing'")
    [[ $(tail -n 2 <<<"$out" | head -n 1) == "$summary" ]] ||
        problems+=("summary line is not '$summary'")
    ((status == want_status)) || problems+=("exit status $status, not $want_status")
    if [[ -n $reason ]] && ! grep -qF -- "$reason" <<<"$out"; then
        problems+=("no '$reason' in the output")
    fi
    if ((${#problems[@]} == 0)); then
        echo "ok $n - $what"
    else
        failed=1
        echo "not ok $n - $what: ${problems[*]}"
        sed 's/^/# /' <<<"$out"
    fi
}

T=$'\t'

run "good${T}test${T}printf '1..2\nok 1 - a\nok 2 - b\n'"
case_is "a TAP test whose results all pass is a pass" \
    "2 results: 2 behavioural tests, 0 lint and format checks" "2 passed, 0 failed" 0

run "silent${T}test${T}echo hello; exit 0"
case_is "a test printing no TAP that exits 0 fails" \
    "1 result: 1 behavioural test, 0 lint and format checks" "0 passed, 1 failed" 1 \
    "printed no TAP"

run "empty${T}test${T}echo 1..0"
case_is "a test planning nothing (1..0) fails" \
    "1 result: 1 behavioural test, 0 lint and format checks" "0 passed, 1 failed" 1 \
    "plans no tests"

run "skips${T}test${T}printf '1..2\nok 1 - a\nok 2 - b # SKIP not here\n'"
case_is "a skipped test is a failure, listed as skipped" \
    "2 results: 2 behavioural tests, 0 lint and format checks" "1 passed, 1 failed" 1 \
    "skipped: ok 2 - b # SKIP not here"

run "extra${T}test${T}printf '1..1\nok 1 - a\nok 2 - b\n'"
case_is "results beyond the plan are failures" \
    "2 results: 2 behavioural tests, 0 lint and format checks" "1 passed, 1 failed" 1 \
    "2 results where the plan says 1"

run "unplanned${T}test${T}printf 'ok 1 - a\nok 2 - b\n'"
case_is "results without a plan fail once more" \
    "3 results: 3 behavioural tests, 0 lint and format checks" "2 passed, 1 failed" 1 \
    "2 results without a plan"

run "crash${T}test${T}printf '1..3\nok 1 - a\nok 2 - b\n'; kill -SEGV \$\$"
case_is "a crash after two of three results fails the third" \
    "3 results: 3 behavioural tests, 0 lint and format checks" "2 passed, 1 failed" 1 \
    "2 of 3 planned results: 1 missing"

run "late-crash${T}test${T}printf '1..2\nok 1 - a\nok 2 - b\n'; exit 3"
case_is "a non-zero exit after every planned result passed fails once" \
    "3 results: 3 behavioural tests, 0 lint and format checks" "2 passed, 1 failed" 1 \
    "exit status 3"

run "failing${T}test${T}printf '1..2\nok 1 - a\nnot ok 2 - b\n'; exit 1"
case_is "a not ok result is a failure" \
    "2 results: 2 behavioural tests, 0 lint and format checks" "1 passed, 1 failed" 1 \
    "not ok 2 - b"

run "groups${T}test${T}printf '1..1\nok 1 - a\n1..2\nok 1 - b\nok 2 - c\n'"
case_is "plans of several groups add up" \
    "3 results: 3 behavioural tests, 0 lint and format checks" "3 passed, 0 failed" 0

run "fuzz-ok${T}status${T}echo 'INFO: done'" "fuzz-bad${T}status${T}exit 2"
case_is "a check of kind status is judged by its exit status" \
    "2 results: 2 behavioural tests, 0 lint and format checks" "1 passed, 1 failed" 1 \
    "exit status 2"

run "format${T}lint${T}printf '1..3\nok 1\nok 2\nok 3\n'" \
    "tests${T}test${T}printf '1..2\nok 1\nok 2\n'"
case_is "lint checks are counted apart from behavioural tests" \
    "5 results: 2 behavioural tests, 3 lint and format checks" "5 passed, 0 failed" 0

run "unknown${T}quick${T}printf '1..1\nok 1\n'"
case_is "a check of an unknown kind fails" \
    "1 result: 1 behavioural test, 0 lint and format checks" "0 passed, 1 failed" 1 \
    "unknown kind 'quick'"

exit $failed
