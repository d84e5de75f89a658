#!/bin/bash
# Run every tests/integration/test_*.sh against BUILD/rplat. Usage: tests/run-integration.sh BUILD [PATTERN]
#
# Contract for a test script: it gets RPLAT (the binary), BUILD, TOP (the checkout) and TMPDIR (a fresh
# directory it may fill) in its environment; exit 0 = pass, 77 = skipped (it prints "SKIP: why" first),
# anything else = fail. Each script's output goes to BUILD/integration/NAME.log and is shown on failure.
set -u
build=${1:-build}
pattern=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
export RPLAT="$top/$build/rplat" BUILD="$top/$build" TOP="$top"
mkdir -p "$build/integration"
. "$top/tests/tracefs-mount.sh"
pass=0 fail=0 skip=0 failed=""
for t in "$top"/tests/integration/test_*.sh; do
    name=$(basename "$t" .sh)
    [ -z "$pattern" ] || [[ "$name" == *$pattern* ]] || continue
    log="$build/integration/$name.log"
    tmp=$(mktemp -d /tmp/rplat-it.XXXXXX)
    start=$(date +%s)
    TMPDIR="$tmp" timeout --kill-after=10 ${RPLAT_TEST_TIMEOUT:-600} bash "$t" >"$log" 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    case $rc in
    0) pass=$((pass + 1)); echo "  PASS  $name (${secs}s)" ;;
    77) skip=$((skip + 1)); echo "  SKIP  $name: $(grep -m1 '^SKIP:' "$log" | cut -c7-)" ;;
    *) fail=$((fail + 1)); failed="$failed $name"; echo "  FAIL  $name (exit $rc, ${secs}s)"; tail -n 40 "$log" | sed 's/^/        /' ;;
    esac
    rm -rf "$tmp"
done
echo "integration ($build): $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
