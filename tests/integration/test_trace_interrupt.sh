# Leave nothing behind: traced runs (rplat trace, and every other one rplat stream --trace) interrupted at
# random moments (SIGINT, SIGTERM, SIGHUP, a double Ctrl-C), many times; after each one, tracefs must be as it was (no instance, no rplat dynamic events,
# the top instance's clock, tracing_on and event enables untouched), the run must have ended with what
# it captured saved once tracing had started, and no probe may be left. A SIGKILL cannot be cleaned up by
# the process itself: the next run must find and remove what it left.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/fixtures/trace/lib.sh"
trace_need
tracefs_state > "$TMPDIR/state.before"
N=${RPLAT_TRACE_INTERRUPTS:-16}
sigs=(INT TERM HUP INTINT)
# job control: background jobs of a non-interactive shell would otherwise start with SIGINT ignored,
# and an early Ctrl-C would be lost before rplat installs its handlers (a real terminal does not do that)
set -m
saved=0
pid=
trap '[ -z "$pid" ] || kill -KILL $pid 2>/dev/null || true' EXIT
for i in $(seq 1 "$N"); do
    run="$TMPDIR/run$i"
    sig=${sigs[$((RANDOM % 4))]}
    # between 0 and 1.2 s: during the set-up, the run, or the drain
    delay=$(python3 -c "import random; print('%.3f' % random.uniform(0, 1.2))")
    if [ $((i % 2)) = 0 ]; then
        what="stream"
        "$RPLAT" stream --trace -L sim -i 100 -n 1000000 --calibrate 50 -q -o "$run" --no-analysis \
            > "$TMPDIR/out$i.txt" 2>&1 &
    else
        what="trace"
        "$RPLAT" trace -L sim -l 1000000 -i 100 -q -o "$run" --no-analysis > "$TMPDIR/out$i.txt" 2>&1 &
    fi
    pid=$!
    sleep "$delay"
    # (a signal that comes before rplat has set its handlers up, early in a slow ASan start, ends it at
    # once: the second Ctrl-C then finds no process, which is not an error)
    case $sig in
    INTINT) kill -INT $pid 2>/dev/null || true; sleep 0.01; kill -INT $pid 2>/dev/null || true ;;
    *) kill -$sig $pid 2>/dev/null || true ;;
    esac
    rc=0
    timeout 20 tail --pid=$pid -s 0.05 -f /dev/null || fail "run $i ($what, $sig after ${delay}s) did not end"
    wait $pid || rc=$?
    echo "run $i ($what): SIG$sig after ${delay}s -> exit $rc"
    tracefs_same "$TMPDIR/state.before" "run $i ($what), SIG$sig after ${delay}s"
    if [ -e "$run/trace/capture.json" ]; then
        saved=$((saved + 1))
        [ -e "$run/trace/names.tsv" ] || fail "run $i: capture.json without names.tsv"
        ls "$run"/trace/cpu*.ev > /dev/null || fail "run $i: no events saved"
        ! ls "$run"/trace/*.tmp > /dev/null 2>&1 || fail "run $i: temporary files left in $run/trace"
        probe_gone "$run"
    fi
done
echo "$saved of $N interrupted runs had started tracing and saved their capture"
[ "$saved" -ge $((N / 3)) ] || fail "too few runs got as far as tracing ($saved of $N)"

# SIGKILL: the instance and the uprobes stay; the next run reports and removes them
run="$TMPDIR/killed"
"$RPLAT" trace -L sim -l 1000000 -i 100 -q -o "$run" --no-analysis > /dev/null 2>&1 &
pid=$!
for _ in $(seq 1 50); do [ -e "$TRACEFS/instances/rplat" ] && break; sleep 0.1; done
sleep 0.3
kill -KILL $pid
wait $pid 2>/dev/null || true
[ -e "$TRACEFS/instances/rplat" ] || fail "the instance was not there to be left behind"
"$RPLAT" trace -L sim -l 200 -i 100 -o "$TMPDIR/after" --no-analysis > /dev/null 2> "$TMPDIR/after.txt" \
    || fail "the run after a SIGKILL exited $?"
grep -q "left over by a crashed run and removed: instance 'rplat'" "$TMPDIR/after.txt" \
    || { cat "$TMPDIR/after.txt"; fail "the leftover instance was not reported"; }
jassert "$TMPDIR/after/trace/capture.json" 'any("left over" in n for n in d["notes"])'
tracefs_same "$TMPDIR/state.before" "after the run that followed a SIGKILL"
echo ok
