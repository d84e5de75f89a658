# The CI examples in reports/ci: the LAVA definition and the GitLab example are valid YAML that run
# lava-run.sh / rplat budget --junit; lava-run.sh, run here on the sim link with a stand-in
# lava-test-case, reports the ping and one LAVA test case per budget rule with its measurement.
. "$TOP/tests/integration/lib.sh"
cd "$TMPDIR"
python3 - "$TOP/reports/ci" <<'PY' || fail "CI YAML"
import sys, yaml
d = yaml.safe_load(open(sys.argv[1] + "/lava-rplat.yaml"))
assert d["metadata"]["format"] == "Lava-Test Test Definition 1.0", d["metadata"]
assert "lava-run.sh" in d["run"]["steps"][0] and "BUDGET" in d["params"]
g = yaml.safe_load(open(sys.argv[1] + "/gitlab-ci.yml"))
job = g["rpmsg-latency"]
assert job["artifacts"]["reports"]["junit"] == "budget-junit.xml"
assert any("rplat budget" in s for s in job["script"]) and any("rplat ping" in s for s in job["script"])
print("yaml ok")
PY
mkdir bin
cat > bin/lava-test-case <<'SH'
#!/bin/sh
echo "$*" >> "$LAVA_LOG"
SH
chmod +x bin/lava-test-case
export LAVA_LOG=$TMPDIR/lava.log
ln -s "$RPLAT" bin/rplat
printf 'rtt.p50 <= 1s\nlost == 0\nrtt.max <= 1ns\n' > budget.txt
PATH=$TMPDIR/bin:$PATH LINK=sim DURATION=1s INTERVAL=500 LOAD=none PRIORITY=0 BUDGET=budget.txt OUT=lava \
    sh "$TOP/reports/ci/lava-run.sh" > out.txt 2>&1 || { cat out.txt; fail "lava-run.sh exited $?"; }
cat "$LAVA_LOG"
grep -q '^rplat-ping --result pass$' "$LAVA_LOG" || fail "no rplat-ping result"
grep -Eq '^budget_rtt.p50_le_1s --result pass --measurement [0-9.]+ --units (ns|us|ms)$' "$LAVA_LOG" || fail "p50 case"
grep -q '^budget_lost_eq_0 --result pass$' "$LAVA_LOG" || fail "lost case"
grep -Eq '^budget_rtt.max_le_1ns --result fail --measurement' "$LAVA_LOG" || fail "max case"
grep -q '^rplat-budget --result fail$' "$LAVA_LOG" || fail "overall budget case"
[ -s lava/report/index.html ] && [ -s lava/budget-junit.xml ] && [ -s lava.tar.gz ] || fail "results not kept"
echo "ci examples: ok"
