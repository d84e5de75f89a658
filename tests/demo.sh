#!/bin/bash
# make demo: ping the built-in simulated link under the 'mixed' load (cyclictest + hackbench + stress-ng),
# traced when ftrace is usable here, then check the demo budget and write the report. Builds nothing: make
# did. Usage: tests/demo.sh BUILD/rplat   (output in BUILD/demo, or $RPLAT_DEMO_DIR)
set -u
RPLAT=$(readlink -f "${1:-build/rplat}")
TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=${RPLAT_DEMO_DIR:-$(dirname "$RPLAT")/demo}
RUN=$OUT/run
REPORT=$OUT/report
BUDGET=$TOP/reports/demo-budget.txt
LOOPS=${RPLAT_DEMO_LOOPS:-20000}

[ -x "$RPLAT" ] || { echo "demo: $RPLAT is not built (run make)" >&2; exit 2; }
rm -rf "$OUT"
mkdir -p "$OUT"
start=$(date +%s)

# Tracing: `rplat ping --trace` needs a writable tracefs (root). ---- TRACING HOOK ----
trace=
if "$RPLAT" ping --help 2>&1 | grep -q -- '--trace' &&
   { [ -w /sys/kernel/tracing ] || [ -w /sys/kernel/debug/tracing ]; }; then
    trace=--trace
fi

ping_cmd=("$RPLAT" ping --link sim:fifo=81 -l "$LOOPS" -i 500 -s 40,256,496 -p 80 -m --load mixed
          --label "demo: sim link, mixed load" -o "$RUN")
echo "== 1/3 rplat ping: $LOOPS round trips on the simulated link (its probe SCHED_FIFO 81, as a real-time core),"
echo "       sizes 40/256/496 bytes, the measuring thread SCHED_FIFO 80,"
echo "       under the 'mixed' load (cyclictest, hackbench, stress-ng)${trace:+, with ftrace}"
"${ping_cmd[@]}" $trace
rc=$?
if [ ! -f "$RUN/run.json" ] && [ -n "$trace" ]; then
    echo "demo: the traced run failed (exit $rc); measuring again without tracing"
    rm -rf "$RUN"
    "${ping_cmd[@]}"
    rc=$?
fi
[ -f "$RUN/run.json" ] || { echo "demo: rplat ping wrote no run (exit $rc)" >&2; exit 1; }
[ "$rc" -eq 0 ] || echo "demo: rplat ping exited $rc (lost, late or corrupt replies are counted in the run)"

echo
echo "== 2/3 rplat budget $BUDGET"
"$RPLAT" budget "$BUDGET" "$RUN" --junit "$OUT/budget-junit.xml"
brc=$?
case $brc in
0) verdict="PASS" ;;
1) verdict="FAIL (a shared, loaded machine; see the report for why)" ;;
*) echo "demo: rplat budget failed (exit $brc)" >&2; exit 1 ;;
esac

echo
echo "== 3/3 rplat report"
"$RPLAT" report "$RUN" -o "$REPORT" --budget "$BUDGET" -q
rrc=$?
[ "$rrc" -le 1 ] || { echo "demo: rplat report failed (exit $rrc)" >&2; exit 1; }

echo
echo "demo: done in $(( $(date +%s) - start )) s"
echo "  run directory:  $RUN"
echo "  budget verdict: $verdict (JUnit: $OUT/budget-junit.xml)"
echo "  Markdown:       $REPORT/report.md"
echo "  The report:     $REPORT/index.html"
