# The facts a verdict's wording rests on are recorded from the live system (issue 10 items 12, 13):
# the preemption model in force (here the kernel log says "Dynamic Preempt: ..."), whether this is a
# virtual machine (the hypervisor CPU flag), the cpuidle driver and the steal time during the capture,
# in capture.json, analysis.json, run.json (trace.system) and the report; and a verdict on the sim never
# says "Linux was not involved".
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/fixtures/trace/lib.sh"
trace_need
run="$TMPDIR/facts"
"$RPLAT" trace --link sim:delay=200us -l 500 -i 1000 -q -o "$run" --worst 3 > /dev/null 2> "$TMPDIR/err.txt" \
    || { cat "$TMPDIR/err.txt"; fail "rplat trace exited $?"; }
# what the test finds itself, independently of rplat
want_preempt=$(dmesg 2>/dev/null | sed -n 's/.*Dynamic Preempt: \([a-z]*\).*/\1/p' | tail -1)
if grep -qw preempt= /proc/cmdline; then want_preempt=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^preempt=//p' | tail -1); fi
if [ -r /sys/kernel/debug/sched/preempt ]; then
    want_preempt=$(sed -n 's/.*(\([a-z]*\)).*/\1/p' /sys/kernel/debug/sched/preempt)
fi
if grep -qw hypervisor /proc/cpuinfo; then want_guest=True; else want_guest=unknown; fi
echo "expected: preempt '$want_preempt', guest $want_guest"
python3 - "$run" "$want_preempt" "$want_guest" <<'PY' || fail "the system facts are not recorded as found"
import json, sys
run, want_p, want_g = sys.argv[1:4]
c = json.load(open(run + "/trace/capture.json"))["system"]
a = json.load(open(run + "/trace/analysis.json"))
r = json.load(open(run + "/run.json"))
print("capture.json system:", c)
if want_p:
    assert c["preempt"] == want_p, (c["preempt"], want_p)
    assert c["preempt_source"] != "not found"
if want_g == "True":
    assert c["guest"] is True and "hypervisor" in c["guest_source"], c
assert c["steal_ns"] is None or c["steal_ns"] >= 0
assert a["system"] == c, (a["system"], c)
assert r["trace"]["system"]["preempt"] == c["preempt"] and r["trace"]["system"]["guest"] == c["guest"]
assert a["link"] == "sim" and a["reader_tid"] > 0
for o in a["outliers"]:
    assert "Linux was not involved" not in o["verdict"], o["verdict"]
PY
"$RPLAT" report "$run" -o "$TMPDIR/rep" -q --no-png > /dev/null 2>&1 || fail "rplat report failed"
grep -q "preemption in force (traced runs)" "$TMPDIR/rep/report.md" || fail "the report does not give the preemption model in force"
grep "preemption in force\|virtual machine" "$TMPDIR/rep/report.md"
echo ok
