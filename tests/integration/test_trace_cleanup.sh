# `rplat trace cleanup` removes what a crashed run left, never a live capture: every trace test starts
# with it, so a cleanup from another checkout's test used to turn a running capture's instance off
# mid-run (the events stopped 0.5 s before the run did, with nothing counted as lost). Now the running
# capture's lock protects it: cleanup says so and leaves it alone, and the capture is whole.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/fixtures/trace/lib.sh"
trace_need
run="$TMPDIR/live"
"$RPLAT" trace --link sim -D 2s -i 500 -q -o "$run" > /dev/null 2> "$TMPDIR/err.txt" &
pid=$!
sleep 1
"$RPLAT" trace cleanup > "$TMPDIR/cleanup.txt" || fail "rplat trace cleanup exited $?"
cat "$TMPDIR/cleanup.txt"
grep -q "is using the instance 'rplat': left alone" "$TMPDIR/cleanup.txt" || fail "cleanup did not leave the live capture alone"
rc=0; wait $pid || rc=$?
cat "$TMPDIR/err.txt"
[ "$rc" = 0 ] || fail "the traced run exited $rc"
jassert "$run/run.json" 'd["trace"]["evidence"]["complete"] is True and d["trace"]["evidence"]["match_rate"] == 1.0'
# with nothing running, a cleanup finds nothing (trace_need already cleaned)
"$RPLAT" trace cleanup | grep -q "nothing left over" || fail "cleanup after the run found something"
echo ok
