# Issue 15: report, budget, compare and merge never mislead. On real sim runs with lost and late replies
# (sim:jitter= with a short --timeout), a merged run and a stream run, every figure they print is checked
# against the same figure recomputed here from samples.tsv (tests/integration/recompute.py): late replies
# count in every latency figure, the slowest message is the real one, the over-time plot draws late
# replies as late and lost ones as lost, budgets say over how many of how many messages and decide a
# percentile from its bucket's bounds (or say undecidable), damaged runs never pass.
. "$TOP/tests/integration/lib.sh"
cd "$TMPDIR"
command -v gnuplot > /dev/null || skip "no gnuplot"
RC=$TOP/tests/integration/recompute.py

# a lossy run: 300 us of jitter against a 150 us timeout makes many late replies, --max-silent keeps it going
rc=0; "$RPLAT" ping --link sim:jitter=300us -l 3000 -i 500 --timeout 150 --max-silent 1000 -q -o lost \
    > /dev/null || rc=$?
[ $rc -le 1 ] || fail "rplat ping (lossy) exited $rc"
late=$(jget lost/run.json 'd["counts"]["late"]')
[ "$late" -gt 100 ] || fail "the lossy run has only $late late replies; the test needs many"

# ---- item 1: the headline counts the late replies, and names the slowest message
"$RPLAT" report lost -o rep -q --no-png || fail "report exited $?"
python3 "$RC" headline lost rep/index.html || fail "the headline does not match samples.tsv"
grep -q 'counted here, not in' rep/index.html && fail "the page still says late replies are not in the statistics"
# ---- item 2: late replies are drawn as late, only lost messages as lost; the x axis ends with the run
python3 "$RC" overtime lost rep || fail "the over-time plot data do not match samples.tsv"
# ---- reviewer: jitter figures from the samples; the kernel setup, recorded or said not to be
python3 "$RC" jitter lost rep/index.html || fail "jitter table"
# the run records the kernel settings itself (run.json system.*): as this machine has them
python3 - lost/run.json <<'PY' || fail "run.json system does not hold this machine's kernel settings"
import json
s = json.load(open(__import__("sys").argv[1]))["system"]
assert s["cmdline"] == open("/proc/cmdline").read().strip(), s["cmdline"]
cs = open("/sys/devices/system/clocksource/clocksource0/current_clocksource").read().strip()
assert s["clocksource"] == cs, (s["clocksource"], cs)
assert s["sched_rt_runtime_us"] == open("/proc/sys/kernel/sched_rt_runtime_us").read().strip()
for k in ("config_hz", "cpuidle", "smt"):
    assert k in s, k
PY
grep -q '<td>clocksource</td><td>[^<]*</td><td>run.json system.clocksource</td>' rep/index.html ||
    fail "the recorded clocksource is not in the kernel setup"
grep -q '<td>boot command line</td><td>[^<]*</td><td>run.json system.cmdline</td>' rep/index.html ||
    fail "the recorded command line is not in the kernel setup"
# and check system's findings, taken by the run itself (run.json system.check), embedded whole
python3 - lost/run.json rep/index.html <<'PY' || fail "the run's own check system findings are not embedded"
import json, sys, html
f = json.load(open(sys.argv[1]))["system"]["check"]["findings"]
page = html.unescape(open(sys.argv[2]).read())
assert f and "sys.tracefs" in [x["rule"] for x in f]
missing = [x["rule"] for x in f if "<td>%s</td><td>%s</td>" % (x["severity"], x["rule"]) not in page]
assert not missing, missing
PY
# a run that did not record them (made before they were): said so, or taken from check system's findings
cp -r lost old
python3 - old/run.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("cmdline", "config_hz", "clocksource", "cpuidle", "smt", "sched_rt_runtime_us", "check"):
    d["system"].pop(k)
json.dump(d, open(sys.argv[1], "w"), indent=1)
PY
"$RPLAT" report old -o rep-old -q --no-png || fail "report (old run) exited $?"
grep -q '<td>boot command line</td><td>not recorded in this run</td>' rep-old/index.html ||
    fail "a run without a recorded command line does not say so"
"$RPLAT" check system --json > old/system-check.json || [ $? -le 2 ] || fail "check system --json"
"$RPLAT" report old -o rep-k -q --no-png || fail "report with system-check.json exited $?"
cs=$(jget old/system-check.json '[f["value"] for f in d["findings"] if f["field"] == "current_clocksource"][0]')
grep -q "<td>clocksource</td><td>$cs</td><td>system-check.json (sys.clocksource)</td>" rep-k/index.html ||
    fail "the clocksource from system-check.json is not in the kernel setup"
grep -q "findings of 'rplat check system' recorded with the run" rep-k/index.html || fail "check system's findings not embedded"
python3 - old/system-check.json rep-k/index.html <<'PY' || fail "every finding of check system in the page"
import json, sys, html
f = json.load(open(sys.argv[1]))["findings"]
page = html.unescape(open(sys.argv[2]).read())
missing = [x["rule"] for x in f if "<td>%s</td><td>%s</td>" % (x["severity"], x["rule"]) not in page]
assert f and not missing, "findings not embedded: %s" % missing
print("check system: %d findings embedded" % len(f))
PY
rm -r old

# ---- item 6: histogram bars are whole numbers of messages that agree with the samples
python3 "$RC" histbars lost rep/data/r0_hist.dat || fail "histogram bars"
# ---- item 1 and 3: budget figures over N of M messages, decided from the bucket bounds
rc=0; "$RPLAT" budget "$TOP/reports/demo-budget.txt" lost > b.txt || rc=$?
cat b.txt
[ $rc -eq 1 ] || fail "demo budget on the lossy run: exit $rc, expected 1"
grep -q '^FAIL *late == 0 ' b.txt || fail "the demo budget has no failing 'late == 0'"
python3 "$RC" budget lost b.txt || fail "budget figures do not match samples.tsv"
mid=$(python3 "$RC" bucketmid lost 99)
rc=0; "$RPLAT" budget "rtt.p99 <= ${mid}ns" lost > b1.txt || rc=$?
cat b1.txt
grep -Eq '^(PASS|FAIL) *rtt.p99 .*exact from samples.tsv' b1.txt || fail "a limit inside p99's bucket was not decided exactly"
python3 "$RC" budget lost b1.txt || fail "the exact verdict does not follow from the samples"
# the exact value on either side of the limit
ex=$(python3 "$RC" exact lost 99)
"$RPLAT" budget "rtt.p99 <= ${ex}ns" lost | grep -q '^PASS *rtt.p99' || fail "rtt.p99 <= its exact value does not pass"
rc=0; "$RPLAT" budget "rtt.p99 < ${ex}ns" lost > b1.txt || rc=$?
[ $rc -eq 1 ] && grep -q '^FAIL *rtt.p99' b1.txt || fail "rtt.p99 < its exact value does not fail: $(cat b1.txt)"
p99=$(python3 "$RC" exact lost 99)
rc=0; "$RPLAT" budget "rtt.p100 <= ${p99}ns; rtt.max <= ${p99}ns" lost > b2.txt || rc=$?
cat b2.txt
[ "$(grep -c '^FAIL' b2.txt)" -eq 2 ] || fail "rtt.p100 and rtt.max disagree (or pass below the max)"
max=$(python3 "$RC" exact lost 100)
rc=0; "$RPLAT" budget "rtt.p100 <= ${max}ns; rtt.max <= ${max}ns" lost > b3.txt || rc=$?
[ "$(grep -c '^PASS' b3.txt)" -eq 2 ] || { cat b3.txt; fail "rtt.p100 and rtt.max at the exact max"; }

# ---- item 5: merge refuses a run twice (and a copy of it), and writes one validated line per message
"$RPLAT" ping -L sim -l 500 -i 200 -q -o good > /dev/null || fail "rplat ping (good) exited $?"
rc=0; "$RPLAT" merge lost lost -o twice 2> err.txt || rc=$?
[ $rc -eq 2 ] && grep -q 'given twice' err.txt && [ ! -e twice ] || fail "merge a a: exit $rc, $(cat err.txt)"
cp -r good good-copy
rc=0; "$RPLAT" merge lost good good-copy -o twice 2> err.txt || rc=$?
[ $rc -eq 2 ] && grep -q 'same measurement' err.txt && [ ! -e twice ] || fail "merge of a copy: exit $rc, $(cat err.txt)"
"$RPLAT" merge lost good -o merged -q || fail "merge exited $?"
python3 - merged/samples.tsv <<'PY' || fail "merged samples.tsv"
import sys, collections
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
head, rows = rows[0], rows[1:]
i_seq, i_run = head.index("seq"), head.index("run")
dup = [k for k, n in collections.Counter((r[i_run], r[i_seq]) for r in rows).items() if n > 1]
assert not dup, "messages written twice: %s" % dup[:5]
assert all(len(r) == len(head) for r in rows)
print("merged: %d lines, one per message" % len(rows))
PY
"$RPLAT" report merged -o rep-merged -q --no-png || fail "report of the merged run exited $?"
python3 "$RC" headline merged rep-merged/index.html || fail "merged headline"
python3 "$RC" overtime merged rep-merged || fail "merged over-time plot (x = message index)"

# ---- item 9: the page's defects
grep -q '<tr><th></th><th></th></tr>' rep/index.html && fail "a Setup table has an empty header row"
grep -q 'e+0[0-9] Hz\|<td>[0-9.]*e+[0-9]*</td>' rep/index.html && fail "a number in exponent notation"
grep -Eq '<td>estimated counter \(Hz\)</td><td>[0-9]{9}(\.[0-9]+)?</td>' rep/index.html || fail "estimated counter not in full"
grep -q "return code 1: not every message was answered once, in time and intact ([0-9]* lost, [0-9]* late" rep/index.html ||
    fail "the Attention line does not say why the return code is 1"
grep -Eq 'set key (top|bottom) (left|right)' rep/plots.gp && fail "a legend inside a plot (over the data)"
grep -q 'the three slowest labelled' rep/index.html || fail "the over-time caption does not say which are labelled"
grep -Eq '<td[^>]*>run [0-9]+ \([^)]*(lost|good)\), [0-9.]+ s into it</td>' rep-merged/index.html ||
    fail "a merged run's slowest messages do not name their source run"
if command -v cyclictest > /dev/null; then
    "$RPLAT" ping -L sim -l 600 -i 500 --load mixed -q -o loaded > /dev/null || fail "ping under load exited $?"
    "$RPLAT" report loaded -o rep-loaded -q --no-png || fail "report of the loaded run exited $?"
    cpus=$(jget loaded/load/load.json 'd["cyclictest"]["cpus"]')
    meas=$(jget loaded/load/load.json 'd["measurement_cpus"]')
    grep -q 'cyclictest on the other CPUs' rep-loaded/index.html && fail "'the other CPUs' (cyclictest ran on $cpus)"
    nth=$(jget loaded/load/load.json 'len(d["cyclictest"]["threads"])')
    [ "$(grep -A$((nth + 4)) 'per CPU during the run' rep-loaded/report.md | grep -Ec '^\| [0-9]+ \| [0-9]+ \|')" -eq "$nth" ] ||
        fail "the per-CPU cyclictest table does not have $nth rows"
    if [ -z "$meas" ]; then
        grep -q "cyclictest on CPUs $cpus (all of them" rep-loaded/index.html || fail "where cyclictest ran"
    fi
fi

# ---- compare: runs' figures from their samples (late replies in), per-size tables, stage deltas within
# the clock bounds marked, each run's load, an over-time overlay, no DIFFERS from the clock's own noise
"$RPLAT" ping -L sim -l 600 -i 200 -s 40,256 -q -o sizes > /dev/null || fail "rplat ping -s exited $?"
"$RPLAT" compare lost sizes merged -o cmp -q || fail "compare exited $?"
python3 "$RC" compare cmp/index.html lost sizes merged || fail "compare's figures"
grep -q 'id="sizes"' cmp/index.html && grep -Eq '<td>256</td><td>A</td>' cmp/index.html && grep -Eq '<td></td><td>B</td><td class="n">[1-9]' cmp/index.html || fail "no per-size table"
grep -q '<th>p99 - A</th>' cmp/index.html && grep -q 'within the clock bounds\|clock correlation: a difference' \
    cmp/index.html || fail "no stage deltas"
[ -s cmp/plots/cmp_time.svg ] && [ -s cmp/data/cmp_time_r2.dat ] || fail "no over-time overlay"
grep -q '<th>load (cyclictest during the run)</th>' cmp/index.html || fail "no load per run"
grep -q '<td>clock error bound (ns)</td>.*DIFFERS' cmp/index.html && fail "DIFFERS flagged for the clock's own error bound"
# per-size breakdown: a plot, and each size's count in the statistics from its samples
"$RPLAT" report sizes -o rep-sizes -q --no-png || fail "report of the size sweep exited $?"
[ -s rep-sizes/plots/r0_sizes.svg ] || fail "no per-size plot"
for sz in 40 256; do
    n=$(python3 -c "import sys; sys.path.insert(0, '$TOP/tests/integration'); import recompute as r
print(sum(1 for m in r.load('sizes') if m['size'] == '$sz' and m['status'] in ('ok', 'late')))" x)
    grep -q "<td>rtt, $sz bytes</td><td class=\"n\">$n</td>" rep-sizes/index.html || fail "size $sz: count $n not in the statistics"
done
mkdir nosamples && cp -r sizes/run.json sizes/hist nosamples/
"$RPLAT" compare lost nosamples -o cmp2 -q || fail "compare (no samples) exited $?"
grep -q "Attention: B's figures are unverified: nosamples/samples.tsv is missing" cmp2/index.html ||
    fail "compare does not say B's samples.tsv is missing"
rc=0; "$RPLAT" budget 'rtt.p99 <= 1s' nosamples > b4.txt || rc=$?
[ $rc -eq 1 ] && grep -q '^MISSING *samples.tsv verified' b4.txt || fail "budget passed a run without samples.tsv: $(cat b4.txt)"
# without samples, a limit inside the percentile's bucket cannot be decided
mid=$(python3 "$RC" bucketmid sizes 99)
rc=0; "$RPLAT" budget "rtt.p99 <= ${mid}ns" nosamples > b5.txt || rc=$?
[ $rc -eq 1 ] && grep -q '^UNDECIDED *rtt.p99' b5.txt || fail "no UNDECIDED without samples: $(cat b5.txt)"

# ---- what the timing work records: warm-up messages, the sender's wakeup latency, skipped slots
"$RPLAT" ping -L sim -l 500 -i 300 --warm-up 50 -q -o warm > /dev/null || fail "rplat ping --warm-up exited $?"
"$RPLAT" report warm -o rep-warm -q --no-png || fail "report of the warm-up run exited $?"
grep -q 'Before these, 50 warm-up messages' rep-warm/index.html || fail "the warm-up is not said"
python3 "$RC" headline warm rep-warm/index.html || fail "warm-up messages leak into the figures"
if [ -s warm/hist/send_wakeup.hist ]; then
    python3 "$RC" wakeup warm rep-warm/index.html || fail "sender wakeup figures"
    grep -q '<td>send_wakeup</td>' rep-warm/index.html || fail "no send_wakeup row in the statistics"
fi

# ---- item 4: a stream's interarrival near the period: deviation figures exact to 0.8% of the deviation
"$RPLAT" stream -q -L sim:cpu=0 -a 1 -i 1000 -n 2000 -o st > /dev/null || fail "rplat stream exited $?"
"$RPLAT" report st -o rep-st -q || fail "report of the stream run exited $?"
python3 "$RC" stream st rep-st/index.html || fail "stream interarrival figures"
grep -q '(median), p99' rep-st/index.html && fail "the stream's interarrival is still quoted from 0.8%-of-the-period buckets"
[ -s rep-st/plots/r0_dev.svg ] && grep -q 'deviation from the' rep-st/index.html || fail "no deviation-from-period histogram"
echo "honest: ok"
