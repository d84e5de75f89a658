# rplat check system: the live system must run and report with no error-level finding (on this machine:
# a mainline kernel, no remote core, so warnings and info only), with valid --json; the fixture trees
# give their known verdicts; a root without any file still reports (no crash).
. "$TOP/tests/integration/lib.sh"
expect_rc() { # expect_rc RC cmd...
    local want=$1 rc=0; shift
    "$@" || rc=$?
    [ "$rc" -eq "$want" ] || fail "expected exit $want, got $rc from: $*"
}

# 1. live
rc=0
"$RPLAT" check system >"$TMPDIR/live.txt" 2>&1 || rc=$?
cat "$TMPDIR/live.txt" | grep -v '^    ' || true
[ "$rc" -le 1 ] || { cat "$TMPDIR/live.txt"; fail "live system check: exit $rc (an error-level finding, or it could not run)"; }
rc2=0
"$RPLAT" check system --json >"$TMPDIR/live.json" || rc2=$?
[ "$rc2" -eq "$rc" ] || fail "live: --json exit $rc2, text exit $rc"
jassert "$TMPDIR/live.json" 'd["check"]=="system" and d["roots"]["proc"]=="/proc" and len(d["findings"])>=10'
jassert "$TMPDIR/live.json" 'all(x["severity"]!="error" for x in d["findings"]) and all(x["why"] for x in d["findings"])'
# every area is reported
python3 - "$TMPDIR/live.json" <<'PY' || fail "live: an area is missing"
import json, sys
d = json.load(open(sys.argv[1]))
rules = " ".join(x["rule"] for x in d["findings"])
for area in ("rt", "cpufreq|governor", "idle|cpuidle", "cpu_dma_latency", "isolation", "mbox_irq", "rt_throttling",
             "memlock", "clocksource", "tracefs", "remoteproc"):
    assert any(a in rules for a in area.split("|")), "no finding for " + area
PY

# 2. fixtures
expect_rc 0 "$RPLAT" check system --root "$TOP/tests/fixtures/system/rt-ready" --json >"$TMPDIR/rt.json"
jassert "$TMPDIR/rt.json" 'd["summary"]["warnings"]==0 and d["summary"]["errors"]==0 and len(d["findings"])==12'
expect_rc 2 "$RPLAT" check system --root "$TOP/tests/fixtures/system/mainline-bench" --json >"$TMPDIR/ml.json"
jassert "$TMPDIR/ml.json" '{"sys.not_rt","sys.governor_scaling","sys.idle_deep","sys.no_cpu_dma_latency","sys.isolation_partial","sys.mbox_irq_thread","sys.rt_throttling_on","sys.memlock_low","sys.clocksource_slow","sys.no_tracefs","sys.remoteproc_crashed","sys.no_rpmsg"} <= {x["rule"] for x in d["findings"]}'
expect_rc 2 "$RPLAT" check system --root "$TOP/tests/fixtures/system/mainline-bench" >"$TMPDIR/ml.txt"
grep -q 'remoteproc0 = 5000000.m4fss: crashed' "$TMPDIR/ml.txt" || fail "text: crashed core not reported"
grep -q 'advice: ' "$TMPDIR/ml.txt" || fail "text: no advice"
expect_rc 0 "$RPLAT" check system --proc "$TOP/tests/fixtures/system/rt-ready/proc" \
    --sys "$TOP/tests/fixtures/system/rt-ready/sys" --dev "$TOP/tests/fixtures/system/rt-ready/dev" -q >/dev/null

# 3. an empty root: warnings about what is missing, named, no crash
mkdir -p "$TMPDIR/empty"
expect_rc 1 "$RPLAT" check system --root "$TMPDIR/empty" >"$TMPDIR/empty.txt"
grep -q "^$TMPDIR/empty/proc/version: warning: kernel version = missing \[sys.unreadable\]" "$TMPDIR/empty.txt" ||
    { cat "$TMPDIR/empty.txt"; fail "empty root: missing file not named"; }
expect_rc 3 "$RPLAT" check system --bogus 2>/dev/null
expect_rc 3 "$RPLAT" check system extra 2>/dev/null
expect_rc 0 "$RPLAT" check system --rules >/dev/null
echo ok
