#!/bin/sh
# Run every cmocka unit test binary in BUILD/tests. Usage: tests/run-unit.sh BUILD
# Prints each test's cmocka output and a closing "N passed, N failed" line; exits 1 if any failed.
build=${1:-build}
pass=0 fail=0 failed=""
for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    case "$t" in *.d|*.o) continue ;; esac
    if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed="$failed $(basename "$t")"; fi
done
echo "unit ($build): $pass passed, $fail failed"
[ -z "$failed" ] || echo "failed:$failed"
[ "$fail" -eq 0 ]
