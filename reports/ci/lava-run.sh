#!/bin/sh
# Run rplat on a LAVA board: ping the remote under a load, check a latency budget, report every rule as a
# LAVA test case (with its measurement), and keep the run and the report as the job's results.
#
#   reports/ci/lava-run.sh          (environment: RPLAT LINK DURATION INTERVAL SIZES LOAD PRIORITY BUDGET OUT;
#                                    PRIORITY 0 leaves the measuring thread's scheduling alone)
#
# Outside LAVA (no lava-test-case on PATH) the results are printed instead, so the script can be tried by
# hand, e.g. LINK=sim DURATION=5s reports/ci/lava-run.sh
set -u
RPLAT=${RPLAT:-rplat}
LINK=${LINK:-rpmsg:rproc=5000000.m4fss,port=14}
DURATION=${DURATION:-10m}
INTERVAL=${INTERVAL:-1000}
SIZES=${SIZES:-40,256,496}
LOAD=${LOAD:-rteval}
PRIORITY=${PRIORITY:-95}
BUDGET=${BUDGET:-$(dirname "$0")/budget-am62x.txt}
OUT=${OUT:-rplat-lava}

case_result() { # NAME pass|fail [MEASUREMENT UNITS]
    if command -v lava-test-case > /dev/null 2>&1; then
        if [ $# -ge 4 ]; then
            lava-test-case "$1" --result "$2" --measurement "$3" --units "$4"
        else
            lava-test-case "$1" --result "$2"
        fi
    else
        echo "test case: $*"
    fi
}

rm -rf "$OUT"
mkdir -p "$OUT"
"$RPLAT" check system > "$OUT/check.txt" 2>&1 || true
prio=
[ "$PRIORITY" -gt 0 ] 2> /dev/null && prio="-p $PRIORITY"   # 0: leave the scheduling alone
"$RPLAT" ping --link "$LINK" -D "$DURATION" -i "$INTERVAL" -s "$SIZES" $prio -m --load "$LOAD" \
    --label "${LAVA_JOB_ID:+job $LAVA_JOB_ID: }$LINK, $LOAD" -q -o "$OUT/run"
prc=$?
if [ ! -f "$OUT/run/run.json" ]; then
    case_result rplat-ping fail
    exit 0
fi
case_result rplat-ping "$( [ $prc -eq 0 ] && echo pass || echo fail)"

# one LAVA test case per budget rule: TAP "ok N - LABEL: RULE (measured X UNIT)" or "(measured LO..HI)"
"$RPLAT" budget "$BUDGET" "$OUT/run" --tap --junit "$OUT/budget-junit.xml" > "$OUT/budget.tap"
brc=$?
[ $brc -le 1 ] || { cat "$OUT/budget.tap"; case_result rplat-budget fail; exit 0; }
grep -E '^(not )?ok ' "$OUT/budget.tap" | while IFS= read -r line; do
    case $line in "not ok"*) res=fail ;; *) res=pass ;; esac
    rule=$(echo "$line" | sed -e 's/^[^:]*: //' -e 's/ (measured .*//')
    name=$(echo "budget $rule" | sed -e 's/ <= / le /' -e 's/ >= / ge /' -e 's/ == / eq /' -e 's/ != / ne /' \
                  -e 's/ < / lt /' -e 's/ > / gt /' -e 's/%/pct/g' | tr -c 'A-Za-z0-9_.@\n-' '_' | tr -s '_')
    # a percentile known to its histogram bucket reads "(measured LO UNIT..HI UNIT)": report the upper bound
    meas=$(echo "$line" | sed -E -n 's/.*\(measured ([-0-9.]+ [a-z%]+\.\.)?([-0-9.]+) ([a-z%]*)\).*/\2 \3/p')
    if [ -n "$meas" ]; then
        case_result "$name" "$res" $meas
    else
        case_result "$name" "$res"
    fi
done
case_result rplat-budget "$( [ $brc -eq 0 ] && echo pass || echo fail)"

"$RPLAT" report "$OUT/run" -o "$OUT/report" --budget "$BUDGET" -q
command -v lava-test-reference > /dev/null 2>&1 && [ -n "${REPORT_URL:-}" ] &&
    lava-test-reference rplat-report --result pass --reference "$REPORT_URL"
tar -czf "$OUT.tar.gz" "$OUT"
echo "rplat: results in $OUT.tar.gz (run, report/index.html, budget-junit.xml)"
exit 0
