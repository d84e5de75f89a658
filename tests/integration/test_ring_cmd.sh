#!/bin/bash
# rplat ring (the shared-ring side of the streaming question) on the sim's example firmware sampling into
# its ring: the samples it delivers at the rate the firmware makes them, none dropped, a latency set by
# the drain period (against the sim's true clock); a reader too slow for the ring counts the firmware's
# drops and exits 1; a signal ends it early, said so, exit 1; bad input exit 2; no ring exit 3.
. "$TOP/tests/integration/lib.sh"

"$RPLAT" ring -L sim:stream=1000,drift=50ppm,offset=2s -d 2 -r 100 --json "$TMPDIR/a.json" >"$TMPDIR/a.out" 2>&1 ||
    { cat "$TMPDIR/a.out"; fail "rplat ring on the sim exited $?"; }
cat "$TMPDIR/a.out"
j=$TMPDIR/a.json
jassert "$j" 'd["kind"] == "ring" and not d["ended_early"] and d["drops"] == 0 and d["restarts"] == 0'
jassert "$j" '1800 <= d["samples"] <= 2100 and 900 <= d["delivered_hz"] <= 1050'
jassert "$j" '150 <= d["drains"] <= 201 and d["latency"]["measure"] == "against the sim'"'"'s true clock"'
# drained 100 times a second: a sample waits up to a period (10 ms), half of one at the median
jassert "$j" '2e6 <= d["latency"]["p50_ns"] <= 8e6 and d["latency"]["max_ns"] <= 60e6 and d["latency"]["count"] == d["samples"]'
jassert "$j" '0 < d["cpu_percent"] < 20'
# the drains' own clock fit (each drain's first and last new record lie between two drains) maps every
# sample's stamp within its bound of the sim's true clock, the bound about a sample period (1 ms) wide
jassert "$j" 'd["clock"]["valid"] and d["clock"]["bound_guaranteed"] and d["clock"]["windows"] >= 100'
jassert "$j" '0 <= d["clock"]["sim_truth_max_err_ns"] <= d["clock"]["err_bound_ns"] <= 3e6'
grep -q 'latency    p50' "$TMPDIR/a.out" || fail "no latency line"

# a reader that drains once a second behind a firmware sampling at 20 kHz: the 4096-record ring
# overflows, the firmware counts the drops, rplat ring says so and exits 1
rc=0; "$RPLAT" ring -L sim:stream=20000 -d 2 -r 1 --json "$TMPDIR/b.json" -q || rc=$?
[ $rc -eq 1 ] || fail "a ring that overflowed: exit $rc, expected 1"
jassert "$TMPDIR/b.json" 'd["drops"] > 0 and d["samples"] > 0 and not d["ended_early"]'

# a signal mid-run: what was measured is printed and marked as ended early, exit 1
"$RPLAT" ring -L sim:stream=1000 -d 30 --json "$TMPDIR/c.json" >"$TMPDIR/c.out" 2>&1 &
p=$!
sleep 1.5
kill -INT $p
rc=0; wait $p || rc=$?
[ $rc -eq 1 ] || { cat "$TMPDIR/c.out"; fail "rplat ring after SIGINT: exit $rc, expected 1"; }
grep -q '^ENDED EARLY' "$TMPDIR/c.out" || fail "the interrupted run does not say it ended early"
jassert "$TMPDIR/c.json" 'd["ended_early"] and d["wall_s"] < 29 and d["samples"] > 0'

# bad input and no ring
for a in "-d 0" "-r 0" "--mark 70000" "-L bogus" "extra"; do
    rc=0; "$RPLAT" ring $a -q 2>"$TMPDIR/e" || rc=$?
    [ $rc -eq 2 ] || fail "rplat ring $a: exit $rc, expected 2 ($(cat "$TMPDIR/e"))"
done
mkdir -p "$TMPDIR/dbg/remoteproc"
rc=0; "$RPLAT" ring --debugfs "$TMPDIR/dbg" -d 1 -q 2>"$TMPDIR/e" || rc=$?
[ $rc -eq 3 ] && grep -q 'lists a "rplat-ring" carveout' "$TMPDIR/e" || fail "no ring: exit $rc, $(cat "$TMPDIR/e")"
"$RPLAT" ring --help | grep -q 'rplat stream' || fail "--help does not point at the other side (rplat stream)"
echo "PASS: rplat ring on the sim: delivered, dropped when too slow, ended early on a signal, errors"
