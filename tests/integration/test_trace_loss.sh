# Event loss and a low match rate are said everywhere (issue 10 item 10): an 8 KiB buffer under a
# flood of round trips (-i 0) loses most events. Even with -q, stderr says so; run.json's
# trace.evidence and return_code, the analysis and the report say so; the exit status is 1 (a
# finding); and no outlier whose window lost events or was not matched gets a verdict from the trace.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/fixtures/trace/lib.sh"
trace_need
run="$TMPDIR/lossy"
rc=0
"$RPLAT" trace --link sim -l 30000 -i 0 --buffer-kb 8 -q -o "$run" > /dev/null 2> "$TMPDIR/err.txt" || rc=$?
cat "$TMPDIR/err.txt"
[ "$rc" = 1 ] || fail "a lossy capture exited $rc, not 1"
grep -q 'WARNING: the capture lost [0-9]* events' "$TMPDIR/err.txt" || fail "no loss warning on stderr with -q"
jassert "$run/run.json" 'd["trace"]["evidence"]["complete"] is False and d["trace"]["lost_events"] > 0'
jassert "$run/run.json" 'd["trace"]["evidence"]["match_rate"] < 0.99 and d["return_code"] == 1'
sed -n '1,4p' "$run/trace/analysis.txt"
grep -q '^# WARNING: the capture lost' "$run/trace/analysis.txt" || fail "analysis.txt does not warn"
python3 - "$run/trace/analysis.json" <<'PY' || fail "a verdict rests on missing evidence"
import json, sys
a = json.load(open(sys.argv[1]))
e = a["evidence"]
print("evidence:", {k: e[k] for k in ("complete", "lost_events", "match_rate", "windows_lost", "verdicts_withheld")})
assert not e["complete"] and e["lost_events"] > 0
bad = [o for o in a["outliers"] if (o["events_lost"] or o["chain_broken"]) and o["evidence"] != "samples only"]
assert not bad, bad[0]
for o in a["outliers"]:
    if o["evidence"] == "samples only":
        assert o["verdict"].startswith("no verdict from the trace"), o["verdict"]
        assert o["dominant_stage"] == "unknown" and not o["meanwhile"], o
print("withheld:", sum(o["evidence"] == "samples only" for o in a["outliers"]), "of", len(a["outliers"]))
print("example:", a["outliers"][0]["verdict"])
PY
# the offline analysis says it too, and exits 1
rc=0
"$RPLAT" trace analyze "$run" -q 2> "$TMPDIR/err2.txt" || rc=$?
[ "$rc" = 1 ] || fail "rplat trace analyze of a lossy capture exited $rc"
grep -q 'WARNING: the capture lost' "$TMPDIR/err2.txt" || fail "trace analyze -q did not warn"
# and the report
"$RPLAT" report "$run" -o "$TMPDIR/rep" -q --no-png > /dev/null 2>&1 || fail "rplat report failed"
grep -q 'The trace capture is incomplete' "$TMPDIR/rep/report.md" || fail "the report does not say the capture is incomplete"
# a stream the same: 8 KiB at 50,000 messages/s
rc=0
"$RPLAT" stream --trace -L sim -i 20 -n 20000 --buffer-kb 8 -q -o "$TMPDIR/lossy-stream" > /dev/null \
    2> "$TMPDIR/err4.txt" || rc=$?
[ "$rc" = 1 ] || fail "a lossy stream capture exited $rc, not 1"
grep -q 'WARNING: the capture lost' "$TMPDIR/err4.txt" || fail "no loss warning for the stream with -q"
jassert "$TMPDIR/lossy-stream/run.json" 'd["trace"]["evidence"]["complete"] is False and d["return_code"] == 1'
# a quiet capture is complete and exits 0
run="$TMPDIR/quiet"
"$RPLAT" trace --link sim -l 1000 -i 500 -q -o "$run" > /dev/null 2> "$TMPDIR/err3.txt" || { cat "$TMPDIR/err3.txt"; fail "a quiet traced run exited $?"; }
jassert "$run/run.json" 'd["trace"]["evidence"]["complete"] is True and d["return_code"] == 0'
echo ok
