#!/usr/bin/env bash
# run.sh — runs every test and prints one closing line "N passed, M failed".
#
#  - CUnit binaries build/tests/test_*: their "tests" summary row is counted.
#  - Shell suites tests/shell/test_*.sh (and tests/oracle/run.sh,
#    tests/conformance/run.sh): TAP-style lines "ok - ..." / "not ok - ..."
#    are counted; a suite that exits non-zero without a "not ok" counts as
#    one failure.
# Options: --unit-only runs the CUnit binaries only.
# Environment: BUILD (default build) picks the build folder (build-asan for
# the sanitizer build); CBZ_SHELL_SUITES, when set, replaces the list of
# shell suites.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export CBZ_BIN="$PWD/$BUILD/cobzip" CBZ_GEN="$PWD/$BUILD/cbzgen" CBZ_ROOT="$PWD"
export CBZ_SHARED="${CBZ_SHARED:-$PWD/../shared}"
passed=0 failed=0 failed_names=()

run_cunit() {
    local bin=$1 out
    out=$("$bin" 2>&1)
    local rc=$?
    printf '%s\n' "$out"
    local row
    row=$(printf '%s\n' "$out" | awk '$1=="tests"{print $3, $4, $5}' | tail -1)
    if [ -z "$row" ]; then
        failed=$((failed + 1)); failed_names+=("$(basename "$bin") (no CUnit summary, rc=$rc)")
        return
    fi
    set -- $row
    passed=$((passed + $2)); failed=$((failed + $3))
    [ "$3" -eq 0 ] && [ $rc -eq 0 ] || failed_names+=("$(basename "$bin")")
    if [ "$3" -eq 0 ] && [ $rc -ne 0 ]; then failed=$((failed + 1)); fi
}

run_tap() {
    local script=$1 out
    out=$(bash "$script" 2>&1)
    local rc=$?
    printf '%s\n' "$out"
    local ok notok
    ok=$(printf '%s\n' "$out" | grep -c '^ok ')
    notok=$(printf '%s\n' "$out" | grep -c '^not ok ')
    passed=$((passed + ok)); failed=$((failed + notok))
    if [ $rc -ne 0 ] && [ "$notok" -eq 0 ]; then failed=$((failed + 1)); fi
    if [ $rc -ne 0 ] || [ "$notok" -ne 0 ]; then failed_names+=("$script"); fi
}

for bin in "$BUILD"/tests/test_*; do
    [ -x "$bin" ] || continue
    echo "=== $bin"
    run_cunit "$bin"
done
if [ "${1:-}" != --unit-only ]; then
    suites=${CBZ_SHELL_SUITES:-tests/shell/test_*.sh tests/oracle/run.sh tests/conformance/run.sh}
    for script in $suites; do
        [ -f "$script" ] || continue
        echo "=== $script"
        run_tap "$script"
    done
fi
echo
if [ ${#failed_names[@]} -gt 0 ]; then
    echo "failing: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
