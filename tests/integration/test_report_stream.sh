# rplat report on stream runs measured here by rplat stream on the sim link: the HTML and Markdown pages
# with the stream's stages, counts and rate, gnuplot's plots (histograms, percentiles, over time); a
# truncated samples.tsv is named; --budget, compare, budget and merge refuse stream runs with a reason;
# a traced stream run's report carries the trace's stage table and a verdict from its analysis.json.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/fixtures/trace/lib.sh"
cd "$TMPDIR"
command -v gnuplot > /dev/null || skip "no gnuplot"

"$RPLAT" stream -q -L sim:cpu=0 -a 1 -i 500 -n 3000 --label st -o st > /dev/null || fail "rplat stream exited $?"

# ---- report
"$RPLAT" report st -o rep > out.txt || fail "report of a stream run exited $?"
grep -q 'rep/index.html' out.txt || fail "report did not print the page's path"
for f in index.html report.md plots.gp plots/r0_hist.svg plots/r0_hist.png plots/r0_pct.png plots/r0_time.png \
         plots/r0_time.svg data/r0_time.dat data/r0_time_ia.dat data/r0_hist_one_way.dat; do
    [ -s "rep/$f" ] || fail "report: rep/$f missing"
done
[ "$(grep -c '<svg' rep/index.html)" -ge 3 ] || fail "expected >= 3 inline SVG plots"
grep -Eiq '<script|<link |<img |src=|@import|url\(http' rep/index.html && fail "index.html refers to external assets"
for stage in remote_to_host irq_latency isr_to_send interarrival; do
    grep -q "<td>$stage</td>" rep/index.html || fail "no $stage row in the statistics"
    grep -q "^| ${stage//_/\\\\_} | " rep/report.md || fail "no $stage row in report.md"
done
# the counts from run.json, in the Messages table
exp=$(python3 -c 'import json; c = json.load(open("st/run.json"))["counts"]; print(c["expected"], c["received"], c["lost"], c["overruns"])')
set -- $exp
grep -q "^| $1 | $2 | $3 | $4 | " rep/report.md || fail "counts $exp not in report.md's Messages table"
grep -q '<th>overruns</th>' rep/index.html || fail "no overruns column"
grep -q 'missed periods' rep/index.html || fail "no rate table"
grep -q 'Half of the messages reached the host less than' rep/index.html || fail "no at-a-glance summary"
grep -q 'clock error' rep/report.md || fail "no clock error bound on remote_to_host"
grep -q 'Slowest messages' rep/report.md || fail "no outliers"
grep -q 'calibration pings' rep/report.md || fail "no stream options"
[ "$(grep -vc '^#' rep/data/r0_time.dat)" -ge 100 ] || fail "too few bins over time"
grep -o 'plots/[a-z0-9_]*\.png' rep/report.md | while read -r p; do [ -s "rep/$p" ] || fail "report.md links missing $p"; done
ls -d rep.tmp-* 2>/dev/null && fail "a temporary report directory was left behind"

# ---- refusals
rc=0; "$RPLAT" report st -o rb --budget 'rtt.p50 <= 1ms' 2> err.txt || rc=$?
[ $rc = 2 ] && grep -q 'budgets (--budget) apply to ping runs only' err.txt || fail "report --budget on a stream: rc $rc: $(cat err.txt)"
[ -e rb ] && fail "report --budget left rb behind"
for cmd in "compare st st -o cmp" "budget rtt.p50<=1ms st" "merge st st -o mg"; do
    rc=0; $RPLAT $cmd > /dev/null 2> err.txt || rc=$?
    [ $rc = 2 ] && grep -q 'st/run.json: a "stream" run; report, compare, budget and merge read ping runs' err.txt ||
        fail "$cmd: rc $rc: $(cat err.txt)"
done
[ -e cmp ] || [ -e mg ] && fail "a refused compare/merge left output behind"

# ---- a truncated samples.tsv line is named, nothing is left
cp -r st cut
n=$(wc -l < cut/samples.tsv)
head -c -7 st/samples.tsv > cut/samples.tsv
rc=0; "$RPLAT" report cut -o rc 2> err.txt || rc=$?
[ $rc = 2 ] && grep -q "cut/samples.tsv: line $n: " err.txt || fail "truncated samples.tsv: rc $rc: $(cat err.txt)"
[ -e rc ] && fail "a failed report left rc behind"
ls -d rc.tmp-* 2>/dev/null && fail "a failed report left its temporary directory"

# ---- traced: the trace's stages and verdicts
if [ "$(id -u)" != 0 ] || [ ! -e "$TRACEFS/events/syscalls" ]; then
    echo "note: no usable tracefs, the traced stream report is not checked"
    exit 0
fi
trace_need
"$RPLAT" stream -q -L sim:cpu=0 -a 1 -i 500 -n 3000 --trace --worst 5 -o tr > /dev/null 2>&1 ||
    fail "rplat stream --trace exited $?"
[ -s tr/trace/analysis.json ] || fail "no trace/analysis.json"
"$RPLAT" report tr -o trep -q || fail "report of a traced stream exited $?"
verdict=$(python3 -c 'import html, json; a = json.load(open("tr/trace/analysis.json")); assert a["kind"] == "stream"; print(html.escape(a["outliers"][0]["verdict"], quote=False).replace(chr(34), "&quot;"))')
[ -n "$verdict" ] || fail "analysis.json has no outlier verdict"
grep -qF "<td>$verdict</td>" trep/index.html || fail "the report lacks the verdict '$verdict'"
grep -q '^### Trace analysis' trep/report.md || fail "no trace analysis section"
for id in due_to_isr send_to_wakeup wakeup_to_run; do
    label=$(python3 -c "import html, json; print(html.escape(json.load(open('tr/trace/analysis.json'))['stages']['$id']['label'], quote=False))")
    grep -qF "<td>$label</td>" trep/index.html || fail "trace stage $id ($label) not in the report"
done
grep -q '<th>latency</th>' trep/index.html || fail "the trace outliers' latency column is missing"
echo "stream reports OK"
