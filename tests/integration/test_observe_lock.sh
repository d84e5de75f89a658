#!/bin/bash
# One rplat observe per machine, and it stays inside its own tracefs instance:
#  1. a second observe started while one runs is refused (exit 3, naming the first one's pid) and
#     writes nothing; the first goes on undisturbed (every message matched). Before the lock, the second
#     removed the first's instance "rplat-observe" under its reader ("reading the rplat-observe buffers
#     failed", or "0 written");
#  2. under strace, the first writes no tracefs file outside instances/rplat-observe and the dynamic-event
#     files: a forced uprobe removal writes the top-level events/GROUP/NAME/enable, which in 6.12 expands
#     the top-level ring buffer for good (see tracing/capture.h, rplat_dynevent_remove);
#  3. once it has ended, the lock is free and the instance gone.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/observe_lib.sh"
TRACEFS=/sys/kernel/tracing
command -v strace >/dev/null || fail "strace is missing (.ci/install-deps.sh installs it)"
build_client

start_client "sim:fw=echo" 3000 1000 64
# LeakSanitizer refuses to run under ptrace (the ASan build): leaks are checked by every other run.
# --no-sched: under strace every syscall of observe's buffer reads is a ptrace stop, two context switches,
# which it then reads: a feedback loop (seen: 6.8 M scheduling events in a 3 s run, 6.3 M overwritten,
# with half the application's writes among them); the scheduling events' enables are instance files too
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=openat -o "$TMPDIR/opens.txt" \
    "$RPLAT" observe -p "$CLIENT_PID" -r 100 --no-sched -o "$TMPDIR/a" >"$TMPDIR/a.out" 2>&1 &
obs=$!
for _ in $(seq 1 600); do grep -q '^# rplat observe: tracing pid' "$TMPDIR/a.out" && break; sleep 0.05; done
grep -q '^# rplat observe: tracing pid' "$TMPDIR/a.out" || { cat "$TMPDIR/a.out"; fail "the first observe did not start in 30 s"; }
rc=0; "$RPLAT" observe -p "$CLIENT_PID" -r 100 -o "$TMPDIR/b" >"$TMPDIR/b.out" 2>&1 || rc=$?
cat "$TMPDIR/b.out"
[ "$rc" = 3 ] || fail "a second observe while one runs: exit $rc, expected 3"
grep -q "another rplat observe (pid [0-9]*) is using the tracefs instance 'rplat-observe'" "$TMPDIR/b.out" ||
    fail "the refusal does not name the running observe"
[ ! -e "$TMPDIR/b" ] || fail "the refused observe wrote a run"
rc=0; wait $obs || rc=$?
wait_client
cat "$TMPDIR/a.out"
[ "$rc" = 0 ] || fail "the first observe exited $rc after the second was refused"
jassert "$TMPDIR/a/run.json" 'd["counts"]["sent"] == 3000 and d["counts"]["received"] == 3000 and d["counts"]["error"] == 0'
jassert "$TMPDIR/a/run.json" 'd["observe"]["match"]["remote_msgs"] == 3000'
echo "a second observe was refused; the first matched 3000 of 3000"

grep -F "\"$TRACEFS/" "$TMPDIR/opens.txt" | grep -v O_RDONLY | grep -v "\"$TRACEFS/instances/rplat-observe[/\"]" |
    grep -v -E "\"$TRACEFS/(dynamic_events|uprobe_events|kprobe_events)\"" >"$TMPDIR/trespass.txt" || true
grep -q "instances/rplat-observe" "$TMPDIR/opens.txt" || fail "strace saw no tracefs opens"
if [ -s "$TMPDIR/trespass.txt" ]; then
    cat "$TMPDIR/trespass.txt"
    fail "rplat observe wrote tracefs files outside its instance"
fi
echo "rplat observe wrote only its instance and the dynamic-event files"

[ ! -d "$TRACEFS/instances/rplat-observe" ] || fail "the instance rplat-observe was left behind"
flock -n /run/lock/rplat-observe.lock true || fail "the observe lock is still held after the run"
echo PASS
