# rplat stream on the sim probe: messages arrive at the configured rate, with the probe's own stamps,
# correlated to host time; a bad request is refused clearly.
. "$TOP/tests/integration/lib.sh"
# the probe runs SCHED_FIFO, as its timer interrupt would preempt everything on a real core
"$RPLAT" stream -L sim:cpu=1,fifo=50 -a 0 -i 1000 -n 3000 -q -o "$TMPDIR/s" >"$TMPDIR/out" || true
cat "$TMPDIR/out"
jassert "$TMPDIR/s/run.json" 'd["kind"]=="stream" and d["counts"]["expected"]==3000'
# messages are sent and delivered at the configured rate. The sim's timer is a timerfd in a process, and
# on these VMs a wakeup is now and then held off for milliseconds (2% of periods missed were seen under
# ASan): those periods are counted, bounded here at 10%, and the rate is checked with them accounted for.
jassert "$TMPDIR/s/run.json" 'd["summary"]["rate"]["missed_periods"] <= 300'
jassert "$TMPDIR/s/run.json" 'abs(d["summary"]["rate"]["measured_hz"]*(1+d["summary"]["rate"]["missed_periods"]/3000.0)/1000.0 - 1) < 0.01'
jassert "$TMPDIR/s/run.json" 'd["counts"]["received"]==3000 and d["counts"]["lost"]==0'
jassert "$TMPDIR/s/run.json" 'd["clock"]["valid"] and d["summary"]["stages"]["remote_to_host"]["count"]==d["counts"]["received"]'
jassert "$TMPDIR/s/run.json" 'd["summary"]["stages"]["remote_to_host"]["p50"] > 0 and d["summary"]["stages"]["irq_latency"]["count"] > 0'
jassert "$TMPDIR/s/run.json" 'd["counts"]["duplicate"]==0 and d["counts"]["out_of_order"]==0 and d["counts"]["corrupt"]==0'
python3 - "$TMPDIR/s/samples.tsv" <<'PY' || fail "samples.tsv"
import sys, csv
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
assert len(rows) == 3000 and [int(r["seq"]) for r in rows] == list(range(3000))
ok = [r for r in rows if r["status"] == "ok"]
due = [int(r["r_due"]) for r in ok]
assert all(b > a for a, b in zip(due, due[1:])), "t_due not increasing"
for r in ok:
    assert int(r["r_due"]) <= int(r["r_isr"]) <= int(r["r_send"])
PY
# Ctrl-C ends a stream like a ping: the messages never sent are not lost, and the run is written
set -m   # a background job of a non-interactive shell would otherwise ignore SIGINT
"$RPLAT" stream -L sim:cpu=1,fifo=50 -a 0 -i 1000 -n 1000000 -q -o "$TMPDIR/int" >"$TMPDIR/out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do [ -e "$TMPDIR/int/.samples.spill" ] && break; sleep 0.05; done
sleep 1.5
kill -INT $pid
rc=0; wait $pid || rc=$?
set +m
cat "$TMPDIR/out"
jassert "$TMPDIR/int/run.json" 'd["ended_by"]=="signal" and d["counts"]["received"] >= 500'
jassert "$TMPDIR/int/run.json" 'd["counts"]["expected"]==d["counts"]["received"]+d["counts"]["lost"]'
jassert "$TMPDIR/int/run.json" 'd["counts"]["lost"]==0 and d["counts"]["expected"] < 1000000'
if [ "$(jget "$TMPDIR/int/run.json" 'd["counts"]["overruns"]')" = 0 ]; then
    [ $rc -eq 0 ] || fail "a stream ended by Ctrl-C with nothing lost exited $rc"
fi
# a period below the probe's minimum is refused with a reason
rc=0; "$RPLAT" stream -L sim -i 5 -n 10 -q -o "$TMPDIR/bad" 2>"$TMPDIR/err" || rc=$?
[ $rc -eq 2 ] || fail "expected exit 2 for -i 5, got $rc"
grep -q "10 us" "$TMPDIR/err" || fail "unclear error for a short period"
# --trace records the capture into the run and leaves tracefs as it found it
if [ -w /sys/kernel/tracing ]; then
    # the tracefs instance is machine-wide: one traced test at a time, as tests/fixtures/trace/lib.sh does
    trace_lock
    "$RPLAT" stream -L sim:cpu=1,fifo=50 -a 0 -i 1000 -n 500 -q --trace -o "$TMPDIR/t" >/dev/null \
        || fail "traced stream exited $?"
    jassert "$TMPDIR/t/run.json" 'd["trace"]["saved"] and d["trace"]["events"] > 500 and d["trace"]["missed"] == 0'
    [ -s "$TMPDIR/t/trace/capture.json" ] || fail "no capture in the run"
    [ ! -e /sys/kernel/tracing/instances/rplat ] || fail "the tracefs instance was left behind"
else
    echo "SKIP (part): tracefs not writable, --trace not exercised"
fi
no_probe_left
echo ok
