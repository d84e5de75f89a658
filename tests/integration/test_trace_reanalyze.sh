# `rplat trace analyze RUN` keeps the capture-time analysis (issue 10 item 16): without options it
# reuses the options the capture was analysed with (--threshold 150 here), so the result is the same;
# with other options the new analysis goes beside the old one, which stays as it was.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/fixtures/trace/lib.sh"
trace_need
run="$TMPDIR/re"
"$RPLAT" trace -L sim:delay=200us -l 300 -i 1000 -q -o "$run" --threshold 150 --worst 3 > /dev/null \
    2> "$TMPDIR/err.txt" || { cat "$TMPDIR/err.txt"; fail "rplat trace exited $?"; }
jassert "$run/trace/analysis.json" 'd["options"]["threshold_ns"] == 150000 and d["over_threshold"] >= 290'
cp "$run/trace/analysis.json" "$TMPDIR/live.json"
"$RPLAT" trace analyze "$run" -q || fail "rplat trace analyze exited $?"
python3 - "$TMPDIR/live.json" "$run/trace/analysis.json" <<'PY' || fail "a plain re-analysis changed the capture-time one"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert b["options"] == a["options"], (a["options"], b["options"])
assert b["over_threshold"] == a["over_threshold"] and len(b["outliers"]) == len(a["outliers"]), \
    (a["over_threshold"], b["over_threshold"])
print("kept: threshold", b["options"]["threshold_ns"], "over", b["over_threshold"], "outliers", len(b["outliers"]))
PY
# other options: beside it, and the capture's analysis is untouched
cp "$run/trace/analysis.json" "$TMPDIR/before.json"
"$RPLAT" trace analyze "$run" -q --threshold 500 2> "$TMPDIR/err2.txt" || fail "analyze --threshold 500 exited $?"
cat "$TMPDIR/err2.txt"
grep -q "is kept" "$TMPDIR/err2.txt" || fail "no notice of where the new analysis went"
cmp -s "$TMPDIR/before.json" "$run/trace/analysis.json" || fail "the capture-time analysis was replaced"
jassert "$run/trace/analysis-worst3-threshold500us/analysis.json" 'd["options"]["threshold_ns"] == 500000'
echo ok
