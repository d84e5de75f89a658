# Helpers for integration tests (sourced). Each test runs with set -eu; fail() explains and exits 1.
set -eu
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
# One traced test at a time on this machine, whichever checkout it runs from: the tracefs instances
# (rplat, rplat-observe) are machine-wide. Takes the lock on fd 9 for the rest of the test; waits at
# most two minutes less than the runner gives a test, so that a test kept waiting fails saying why
# instead of being killed by the runner's timeout.
trace_lock() {
    local w=$(( ${RPLAT_TEST_TIMEOUT:-600} - 120 ))
    exec 9> /run/lock/rplat-trace-tests.lock
    flock -w $w 9 || fail "another checkout's trace tests held the lock for $w s (the runner stops a test after ${RPLAT_TEST_TIMEOUT:-600} s)"
}
# jq-like lookups into a JSON file with python3: jget FILE 'expr on d'
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# assert a python expression over the JSON document d is true
jassert() {
    python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
ok=eval(sys.argv[2])
sys.exit(0 if ok else 1)' "$1" "$2" || fail "$1: expected $2"
}
# no sim probe process may outlive a run. Only this checkout's probes count (a probe is a fork of the
# rplat binary under test): other checkouts' tests may be running theirs on the same machine.
no_probe_left() {
    local p me left=""
    sleep 0.2
    me=$(readlink -f "$RPLAT")
    for p in $(pgrep -x rplat-sim-probe); do
        [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$me" ] && left="$left $p"
    done
    if [ -n "$left" ]; then ps -o pid,ppid,etime,args -p "${left# }"; fail "a sim probe outlived rplat"; fi
}
