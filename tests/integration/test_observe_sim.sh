# rplat observe on the sim: the example echo firmware (fw=echo: port 14, rplat hooks, rplat-ring
# carveout) and a plain echo client that knows nothing of rplat; observe beside them gives the stage
# breakdown, and the stages agree with the sim's truth (its counter is a known function of the host
# clock, with drift and offset here) within the clock's error bound.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/observe_lib.sh"
build_client
sim="drift=25ppm,offset=3s,delay=40us"
start_client "sim:fw=echo,$sim" 2000 300 64
"$RPLAT" observe -p "$CLIENT_PID" -r 200 -o "$TMPDIR/run" --sim-truth "$sim" >"$TMPDIR/out" 2>&1 ||
    { cat "$TMPDIR/out"; fail "rplat observe failed"; }
cat "$TMPDIR/out"
wait_client
r="$TMPDIR/run/run.json"
jassert "$r" 'd["kind"]=="ping" and d["counts"]["sent"]==2000 and d["counts"]["lost"]==0'
# the reads are the returns of the client's rplat_link_recv() (a uretprobe): every reply is seen
# and every message answered and staged
jassert "$r" 'd["counts"]["received"]+d["counts"]["error"]==2000 and d["counts"]["error"]==d["observe"]["match"]["reply_unseen"]'
jassert "$r" 'd["counts"]["error"]==0'
jassert "$r" 'd["observe"]["match"]["remote_msgs"]==2000 and d["observe"]["match"]["remote_unmatched"]==0'
jassert "$r" 'd["observe"]["ring"]["drops"]==0 and d["observe"]["ring"]["restarts"]==0'
# the drain's cost per record counts only the drains that kept records (the pre-observation discard is
# an empty one): empty polls do not inflate it
dr='d["observe"]["drain"]'
jassert "$r" "$dr['empty_drains'] >= 1 and $dr['records_busy_ns'] <= $dr['busy_ns'] and abs($dr['ns_per_record'] - $dr['records_busy_ns'] / d['observe']['ring']['records']) < 1e-6"
st='d["summary"]["stages"]'
jassert "$r" "all($st[k]['count']==d['counts']['received'] for k in ('host_to_remote','remote_dispatch','remote_processing','remote_to_host'))"
# the clock: drift found, and every mapped stamp within the bound of the truth
jassert "$r" 'd["clock"]["valid"] and abs(d["clock"]["drift_ppm"]-25) < 5'
jassert "$r" 'd["clock"]["sim_truth"]["max_ns"] <= d["clock"]["err_bound_ns"]'
jassert "$r" 'd["clock"]["sim_truth"]["stage_max_ns"] <= d["clock"]["err_bound_ns"]'
jassert "$r" 'd["clock"]["err_bound_ns"] < 50000'
# the remote's own work (delay=40us, spun in the RX callback) is where the firmware's records put it
jassert "$r" "40000 <= $st['remote_processing']['p50'] <= 45000"
jassert "$r" "$st['remote_dispatch']['p50'] < 5000"
# the host-only round trip agrees with the client's own log: observe's write..read lies inside the
# client's send..recv, message by message
python3 - "$TMPDIR/run/samples.tsv" "$TMPDIR/client.log" <<'PY' || fail "round trips against the client's log"
import sys, csv
rows = {int(r["seq"]): r for r in csv.DictReader(open(sys.argv[1]), delimiter="\t")}
own = {}
for line in open(sys.argv[2]):
    f = line.split()
    if len(f) == 2 and f[0].isdigit():
        own[int(f[0])] = int(f[1])
assert len(own) == 2000 and len(rows) == 2000
n = 0
for s, r in rows.items():
    if r["status"] != "ok":
        continue
    d = own[s] - int(r["rtt"])
    assert -2000 <= d <= 2000000, (s, own[s], r["rtt"])
    n += d < 50000
assert n >= 0.9 * sum(r["status"] == "ok" for r in rows.values()), n
PY
# the summary's slowest message is the samples' slowest ok line, and its time is its write into the run
python3 - "$TMPDIR/run/samples.tsv" "$r" <<'PY' || fail "summary.max_seq / max_time_s against samples.tsv"
import sys, csv, json
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
ok = [x for x in rows if x["status"] == "ok"]
worst = max(ok, key=lambda x: float(x["rtt"]))
s = json.load(open(sys.argv[2]))["summary"]
assert s["max_seq"] == int(worst["seq"]), (s["max_seq"], worst["seq"])
at = (int(worst["t_send"]) - int(rows[0]["t_send"])) / 1e9
assert abs(s["max_time_s"] - at) < 1e-6, (s["max_time_s"], at)
# no kprobes on the sim's link: the kernel split's columns are there, and nan on every line (never a 0)
k = ("t_kick", "t_irq", "write_to_kick", "kick_to_isr", "send_to_irq", "irq_to_read")
assert all(c in rows[0] for c in k), list(rows[0])
assert all(x[c] == "nan" for x in rows for c in k), [x for x in rows if any(x[c] != "nan" for c in k)][:1]
PY
# the trace analysis (rplat trace's, on the observed messages): it exists, its markers are the writes,
# it covers the ten slowest messages, and each verdict names a stage, and a task or what is missing
python3 - "$TMPDIR/run" <<'PY' || fail "the trace analysis of the observed run"
import sys, csv, json
run = sys.argv[1]
a = json.load(open(run + "/trace/analysis.json"))
cap = json.load(open(run + "/trace/capture.json"))
rj = json.load(open(run + "/run.json"))
rows = list(csv.DictReader(open(run + "/samples.tsv"), delimiter="\t"))
ok = [r for r in rows if r["status"] == "ok"]
assert cap["source"] == "rplat observe" and cap["markers_placed"] == len(rows), cap
assert rj["observe"]["trace"]["sched"] and rj["observe"]["trace"]["analysis_events"] > 0
assert a["measured"].startswith("the application `echo_cli"), a.get("measured")
assert a["messages"] == len(rows), (a["messages"], len(rows))
ev = a["evidence"]
print("analysis: matched", a["matched"], "of", a["messages_ok"], "lost events", ev["lost_events"],
      "unlocated", ev["unlocated_lost_events"], "withheld", ev["verdicts_withheld"])
# every answered message is matched to its events, unless the kernel lost some (then it says so)
assert a["matched"] >= 0.99 * len(ok) or ev["lost_events"] + ev["unlocated_lost_events"] > 0, ev
assert ev["lost_events"] + ev["unlocated_lost_events"] == rj["observe"]["trace"]["analysis_lost"]
slow = sorted(ok, key=lambda r: -int(r["rtt"]))[:10]
outs = {o["seq"]: o for o in a["outliers"]}
missing = [r["seq"] for r in slow if int(r["seq"]) not in outs]
assert not missing, ("slowest messages without a verdict", missing)
for r in slow:
    o = outs[int(r["seq"])]
    v = o["verdict"]
    assert v, o
    if o["evidence"] != "trace":
        assert v.startswith("no verdict from the trace"), v
        continue
    assert o["dominant_stage"], o
    assert "`" in v or "idle" in v or "nothing else ran" in v or "scheduler itself" in v or \
           "remote-side delay" in v or "the write syscall itself" in v or "read path" in v, v
print("example:", outs[int(slow[0]["seq"])]["verdict"])
PY
# a normal run: report, budget and merge read it
"$RPLAT" report "$TMPDIR/run" -o "$TMPDIR/rep" -q || fail "rplat report refused the observed run"
grep -q "remote_processing\|remote processing" "$TMPDIR/rep/report.md" || fail "the report has no stages"
# the report shows the slowest messages with the analysis' verdicts
report_shows_verdicts() {
    python3 - "$1" "$2" <<'PY' || fail "the report of $1 does not show the trace verdicts"
import sys, json
a = json.load(open(sys.argv[1] + "/trace/analysis.json"))
import re
md = re.sub(r"\\(.)", r"\1", open(sys.argv[2]).read())
assert "trace/analysis.json" in md, "no mention of the trace analysis"
worst = max(a["outliers"], key=lambda o: o["rtt_ns"] or 0)
assert worst["verdict"][:60] in md, worst["verdict"][:60]
print("the report shows:", worst["verdict"][:100])
PY
}
report_shows_verdicts "$TMPDIR/run" "$TMPDIR/rep/report.md"
"$RPLAT" budget 'stage.remote_processing.p50 <= 50us' "$TMPDIR/run" -q || fail "rplat budget on the observed run"
# a second, shorter observation to merge and compare with
start_client "sim:fw=echo,$sim" 300 300 64
"$RPLAT" observe -p "$CLIENT_PID" -r 200 -q -o "$TMPDIR/run2" || fail "rplat observe (second run) failed"
wait_client
"$RPLAT" merge "$TMPDIR/run" "$TMPDIR/run2" -o "$TMPDIR/merged" >"$TMPDIR/merge.out" 2>&1 ||
    { cat "$TMPDIR/merge.out"; fail "rplat merge refused the observed run"; }
"$RPLAT" compare "$TMPDIR/run" "$TMPDIR/merged" -o "$TMPDIR/cmp" >/dev/null || fail "rplat compare refused the observed run"
[ ! -d /sys/kernel/tracing/instances/rplat-observe ] || fail "the tracefs instance rplat-observe was left behind"
echo "observe on the sim: ok"
# a competing task on the application's CPU: rplat-hog (SCHED_FIFO 50) spins 1.5 ms every 20.037 ms on
# CPU1, where the client's thread is pinned at SCHED_FIFO 10 (as a user's real-time application would
# be; a SCHED_OTHER client is let through by the kernel's fair server); its sim probe, a process of its
# own, is kept on CPU0 and spends 800 us in each message (delay=), so that most bursts begin while the
# client waits for a reply. The messages a burst delays must be explained by the stage it delays (the
# client's wakeup -> scheduled in), naming the hog. The machine may be shared: delays that no burst
# explains are printed, not judged.
if [ "$(nproc)" -ge 2 ] && command -v chrt >/dev/null && command -v taskset >/dev/null; then
    cc -O2 -o "$TMPDIR/rplat-hog" "$TOP/tests/fixtures/trace/rplat-hog.c" || fail "cannot build rplat-hog"
    start_client "sim:fw=echo,delay=800us" 1500 1000 64
    taskset -p -c 1 "$CLIENT_PID" >/dev/null && chrt -f -p 10 "$CLIENT_PID" || fail "cannot pin the client"
    for c in $(pgrep -P "$CLIENT_PID"); do taskset -a -p -c 0 "$c" >/dev/null || fail "cannot pin the probe"; done
    # the client sends from 1.5 s after its start for ~1.6 s; the hog from 1.2 s after now, for 3 s
    "$TMPDIR/rplat-hog" 1 50 1500 20037 3000 1200 "$TMPDIR/bursts.txt" &
    hog=$!
    "$RPLAT" observe -p "$CLIENT_PID" -r 200 --threshold 1000 -o "$TMPDIR/hog" >"$TMPDIR/hog.out" 2>&1 ||
        { cat "$TMPDIR/hog.out"; fail "rplat observe (with the hog) failed"; }
    wait_client
    wait $hog || fail "rplat-hog failed"
    python3 - "$TMPDIR/hog/trace/analysis.json" "$TMPDIR/bursts.txt" <<'PY' || fail "the analysis did not name the competing task"
import json, sys
a = json.load(open(sys.argv[1]))
bursts = [int(l) for l in open(sys.argv[2])]
over = [o for o in a["outliers"] if "threshold" in o["why"]]
def overlaps(o):
    s, r = o["at_ns"]["send"], o["at_ns"]["recv"]
    return any(b < r and s < b + 1500000 for b in bursts)
def names_hog(o):
    return any(c["name"] == "rplat-hog" for c in o["meanwhile"]) and "`rplat-hog` (SCHED_FIFO 50)" in o["verdict"]
during = [o for o in over if overlaps(o) and o["dominant_stage"] == "wakeup_to_run"]
print("over 1 ms:", len(over), "during a burst, in wakeup_to_run:", len(during),
      "naming rplat-hog:", sum(names_hog(o) for o in during))
other = [o for o in over if not (overlaps(o) and names_hog(o))]
print(len(other), "others (the machine is shared), e.g.:")
for o in other[:5]:
    print("  ", o["seq"], o["dominant_stage"], o["verdict"][:200])
assert len(during) >= 10, "the hog delayed too few of the client's wakeups"
assert sum(names_hog(o) for o in during) >= 0.8 * len(during), "under 80% of them name rplat-hog"
print("example:", [o for o in during if names_hog(o)][0]["verdict"])
PY
    "$RPLAT" report "$TMPDIR/hog" -o "$TMPDIR/hogrep" -q || fail "rplat report refused the run with the hog"
    report_shows_verdicts "$TMPDIR/hog" "$TMPDIR/hogrep/report.md"
    echo "a competing task named: ok"
fi
# --no-sched: no trace/, the run otherwise whole
start_client "sim:fw=echo" 200 1000 64
"$RPLAT" observe -p "$CLIENT_PID" -r 200 -q --no-sched -o "$TMPDIR/nosched" || fail "rplat observe --no-sched failed"
wait_client
[ ! -e "$TMPDIR/nosched/trace" ] || fail "--no-sched wrote a trace"
jassert "$TMPDIR/nosched/run.json" 'not d["observe"]["trace"]["sched"] and d["counts"]["received"] >= 190'
echo "--no-sched: ok"
# bad input: clear errors, the documented exit codes, nothing written
rc=0; "$RPLAT" observe -L bogus -p 1 -o "$TMPDIR/bad1" 2>"$TMPDIR/err" || rc=$?
[ "$rc" = 2 ] && grep -q "'sim', 'qemu' or 'rpmsg'" "$TMPDIR/err" || fail "a bad --link: exit $rc, $(cat "$TMPDIR/err")"
rc=0; "$RPLAT" observe -p $$ -o "$TMPDIR/bad2" 2>"$TMPDIR/err" || rc=$?
[ "$rc" = 3 ] && grep -q "has no sim link region open" "$TMPDIR/err" || fail "no region: exit $rc, $(cat "$TMPDIR/err")"
rc=0; "$RPLAT" observe -L rpmsg -p $$ -o "$TMPDIR/bad3" 2>"$TMPDIR/err" || rc=$?
[ "$rc" = 3 ] && grep -q "has no /dev/rpmsgN open" "$TMPDIR/err" || fail "no rpmsg fd: exit $rc, $(cat "$TMPDIR/err")"
[ ! -e "$TMPDIR/bad1" ] && [ ! -e "$TMPDIR/bad2" ] && [ ! -e "$TMPDIR/bad3" ] || fail "a refused observation wrote a run"
echo "bad input: ok"
