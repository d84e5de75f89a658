# The measurement spine on the sim link: 10,000 pings of several sizes, nothing lost, run directory
# complete and loadable, cyclictest-compatible outputs.
. "$TOP/tests/integration/lib.sh"
run=$TMPDIR/run
"$RPLAT" ping -L sim:cpu=1 -a 0 -l 10000 -i 0 -s 40,64,128,256,496 -q -h 200 --json "$TMPDIR/ct.json" -o "$run" \
    > "$TMPDIR/out.txt" || fail "rplat ping exited $?"
cat "$TMPDIR/out.txt"
jassert "$run/run.json" 'd["format"]=="rplat-run" and d["counts"]["sent"]==10000'
jassert "$run/run.json" 'd["counts"]["received"]==10000 and d["counts"]["lost"]==0'
jassert "$run/run.json" 'all(d["counts"][k]==0 for k in ("late","duplicate","out_of_order","corrupt","error"))'
jassert "$run/run.json" 'd["summary"]["rtt"]["count"]==10000 and d["summary"]["rtt"]["min"]>0'
jassert "$run/run.json" 'd["summary"]["rtt"]["p50"]<=d["summary"]["rtt"]["p99"]<=d["summary"]["rtt"]["max"]'
jassert "$run/run.json" 'sorted(d["summary"]["per_size"].keys())==sorted(["40","64","128","256","496"])'
jassert "$run/run.json" 'sum(v["count"] for v in d["summary"]["per_size"].values())==10000'
jassert "$run/run.json" 'd["firmware"]["target"]=="host" and d["firmware"]["counter_hz"]==400000000'
jassert "$run/run.json" 'd["firmware"]["counters"]["rx_msgs"]>=10000 and d["firmware"]["counters"]["bad_desc_index"]==0'
jassert "$run/run.json" 'd["clock"]["valid"] and all(d["summary"]["stages"][s]["count"]==10000 for s in d["summary"]["stages"])'
jassert "$run/run.json" 'd["return_code"]==0 and d["ended_by"]=="completed"'
# samples.tsv: a header and one line per message; pandas-style columns; monotonic remote stamps
python3 - "$run/samples.tsv" <<'PY' || fail "samples.tsv"
import sys, csv
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
assert len(rows) == 10000, len(rows)
assert [int(r["seq"]) for r in rows] == list(range(10000))
assert all(r["status"] == "ok" for r in rows)
k = [int(r["r_kick"]) for r in rows]
c = [int(r["r_consume"]) for r in rows]
assert all(b > a for a, b in zip(c, c[1:])), "remote stamps not monotonic"
assert all(b > a for a, b in zip(k, k[1:])), "kick stamps not monotonic"
for r in rows:
    assert int(r["r_kick"]) <= int(r["r_consume"]) <= int(r["r_reply"])
    # the four stages add up to the round trip (each is rounded to a whole ns)
    assert abs(float(r["h2r"]) + float(r["dispatch"]) + float(r["proc"]) + float(r["r2h"]) - float(r["rtt"])) <= 2.5
assert {int(r["size"]) for r in rows} == {40, 64, 128, 256, 496}
PY
# histograms: every stage present, counts add up
for h in rtt host_to_remote remote_dispatch remote_processing remote_to_host rtt@40 rtt@496; do
    [ -s "$run/hist/$h.hist" ] || fail "missing hist/$h.hist"
done
grep -q '^# count 10000$' "$run/hist/rtt.hist" || fail "rtt.hist count"
# cyclictest formats
grep -q '^# Histogram$' "$run/histogram.txt" || fail "histogram.txt header"
grep -q '^# Max Latencies: ' "$run/histogram.txt" || fail "histogram.txt max line"
grep -Eq '^[0-9]{6} [0-9]{6}$' "$run/histogram.txt" || fail "histogram.txt bucket lines"
jassert "$TMPDIR/ct.json" 'd["file_version"]==1 and "cmdline:" in d and d["thread"]["0"]["cycles"]==10000'
over=$(sed -n 's/^# Histogram Overflows: 0*\([0-9][0-9]*\)$/\1/p' "$run/histogram.txt")
jassert "$TMPDIR/ct.json" "sum(d['thread']['0']['histogram'].values()) + ${over:-0} == 10000"
# a second run into the same directory is refused, the first is kept
if "$RPLAT" ping -L sim -l 10 -q -o "$run" 2>"$TMPDIR/err"; then fail "overwrote a run"; fi
grep -q "already holds a run" "$TMPDIR/err" || fail "no clear error for an existing run"
no_probe_left
echo ok
