# scripts/run-tests, the runner make check counts with: tiny checks whose
# right tally is known (no TAP, 1..0, a skip, too many results, no plan, a
# crash after some results) fed to it, its tally and exit status compared.
CHECKS += run-tests
run-tests_CMD := tests/scripts/check_run_tests.sh
