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
PY
# a normal run: report, budget and merge read it
"$RPLAT" report "$TMPDIR/run" -o "$TMPDIR/rep" -q || fail "rplat report refused the observed run"
grep -q "remote_processing\|remote processing" "$TMPDIR/rep/report.md" || fail "the report has no stages"
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
# bad input: clear errors, the documented exit codes, nothing written
rc=0; "$RPLAT" observe -L bogus -p 1 -o "$TMPDIR/bad1" 2>"$TMPDIR/err" || rc=$?
[ "$rc" = 2 ] && grep -q "'sim', 'qemu' or 'rpmsg'" "$TMPDIR/err" || fail "a bad --link: exit $rc, $(cat "$TMPDIR/err")"
rc=0; "$RPLAT" observe -p $$ -o "$TMPDIR/bad2" 2>"$TMPDIR/err" || rc=$?
[ "$rc" = 3 ] && grep -q "has no sim link region open" "$TMPDIR/err" || fail "no region: exit $rc, $(cat "$TMPDIR/err")"
rc=0; "$RPLAT" observe -L rpmsg -p $$ -o "$TMPDIR/bad3" 2>"$TMPDIR/err" || rc=$?
[ "$rc" = 3 ] && grep -q "has no /dev/rpmsgN open" "$TMPDIR/err" || fail "no rpmsg fd: exit $rc, $(cat "$TMPDIR/err")"
[ ! -e "$TMPDIR/bad1" ] && [ ! -e "$TMPDIR/bad2" ] && [ ! -e "$TMPDIR/bad3" ] || fail "a refused observation wrote a run"
echo "bad input: ok"
