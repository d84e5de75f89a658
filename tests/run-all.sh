#!/bin/bash
# make check: unit tests (plain and ASan/UBSan), integration tests (plain and ASan/UBSan), the firmware
# builds, the arm64 cross build, and every fuzz corpus and crash regression replayed once under
# libFuzzer + ASan/UBSan. Ends with one "N passed, N failed" line over all suites.
set -u
cd "$(dirname "$0")/.."
suites=0 bad=0 names=""
run() {
    local name=$1; shift
    echo "== $name"
    suites=$((suites + 1))
    if ! "$@"; then bad=$((bad + 1)); names="$names $name"; fi
}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
run unit tests/run-unit.sh build
run unit-san tests/run-unit.sh build-san
run firmware make --no-print-directory -C probe-fw all
run integration tests/run-integration.sh build
run integration-san tests/run-integration.sh build-san
run cross-arm64 tests/cross-build.sh
run fuzz-replay tests/fuzz/run.sh --replay
echo "check: $((suites - bad)) passed, $bad failed"
[ -z "$names" ] || echo "failed suites:$names"
[ "$bad" -eq 0 ]
