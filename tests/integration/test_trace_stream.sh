# rplat stream --trace on the live tracefs with the sim link, against known truths:
#  1. a quiet stream: >= 99% of messages matched to their events, the six stream stages each with a
#     histogram, the same result when analysed again offline, and a perfetto/text export of it;
#  2. remote delay: sim delay=200us (spun between the probe's timer ISR and its send): the analysis puts
#     the time in the remote's ISR -> send stage and says the sim's remote is a Linux process;
#  3. wakeup delay: rplat-hog (SCHED_FIFO 50) spins 1.5 ms every 20 ms on the reader's CPU: the messages
#     it delays (over 1 ms) are explained by the scheduled-in stage naming rplat-hog, and the ones the
#     probe sent meanwhile (over 300 us) are reported as queued behind them;
#  4. the ping-only options are refused with a reason, and tracefs is left as it was after every run.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/fixtures/trace/lib.sh"
trace_need
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs (the probe and the reader apart)"
command -v cc >/dev/null || skip "no C compiler for the competing task"
cc -O2 -o "$TMPDIR/rplat-hog" "$TOP/tests/fixtures/trace/rplat-hog.c" || fail "cannot build rplat-hog"
tracefs_state > "$TMPDIR/state.before"

# ---- 4. usage errors first (cheap) ----
rc=0; "$RPLAT" stream --trace --break 100 -n 10 -o "$TMPDIR/nope" > /dev/null 2> "$TMPDIR/err.txt" || rc=$?
[ $rc = 2 ] || fail "stream --break: expected exit 2, got $rc"
grep -q "round trips" "$TMPDIR/err.txt" || { cat "$TMPDIR/err.txt"; fail "stream --break: no reason given"; }
rc=0; "$RPLAT" stream --threshold 100 -n 10 -o "$TMPDIR/nope" > /dev/null 2> "$TMPDIR/err.txt" || rc=$?
[ $rc = 2 ] || fail "stream --threshold without --trace: expected exit 2, got $rc"
grep -q "need --trace" "$TMPDIR/err.txt" || { cat "$TMPDIR/err.txt"; fail "no reason for the refused option"; }
[ ! -e "$TMPDIR/nope" ] || fail "a refused command left a run directory"

# ---- 1. quiet ----
run="$TMPDIR/quiet"
"$RPLAT" stream --trace -L sim:cpu=0,fifo=60 -a 1 -p 10 -i 500 -n 3000 -q -o "$run" --reader-cpu 0 \
    > "$TMPDIR/out.txt" 2> "$TMPDIR/err.txt" || { cat "$TMPDIR/err.txt"; fail "rplat stream --trace exited $?"; }
tracefs_same "$TMPDIR/state.before" "after the quiet stream"
probe_gone "$run"
sed -n '1,12p' "$run/trace/analysis.txt"
for s in due_to_isr isr_to_send send_to_wakeup wakeup_to_run run_to_ret ret_to_recv; do
    [ -s "$run/trace/hist/$s.hist" ] || fail "no histogram for stage $s"
done
[ ! -e "$run/trace/hist/send_to_kick.hist" ] || fail "a ping stage's histogram in a stream run"
python3 - "$run" <<'PY' || fail "the quiet stream's analysis is wrong"
import json, sys, csv
run = sys.argv[1]
a = json.load(open(run + "/trace/analysis.json"))
r = json.load(open(run + "/run.json"))
print("kind", a["kind"], "messages", a["messages"], "matched", a["matched"], "rate %.4f" % a["match_rate"])
assert a["kind"] == "stream" and a["latency"].startswith("due")
assert r["kind"] == "stream" and r["trace"]["saved"] is True
assert a["messages"] == r["counts"]["received"] + r["counts"]["lost"], (a["messages"], r["counts"])
assert a["match_rate"] >= 0.99, a["match_rate"]
assert set(a["stages"]) == {"due_to_isr", "isr_to_send", "send_to_wakeup", "wakeup_to_run", "run_to_ret",
                            "ret_to_recv"}, list(a["stages"])
for k, s in a["stages"].items():
    assert s["stats"]["count"] >= 0.9 * a["matched"] or k in ("wakeup_to_run", "run_to_ret"), (k, s)
# the stages of a matched message add up to its latency (due -> recv), within rounding
rows = [x for x in csv.DictReader(open(run + "/trace/stages.tsv"), delimiter="\t") if x["matched"] == "1"]
stages = ["due_to_isr", "isr_to_send", "send_to_wakeup", "wakeup_to_run", "run_to_ret", "ret_to_recv"]
bad = 0
for x in rows:
    tot = sum(int(x[s]) for s in stages if x[s] != "nan")
    if abs(tot - (int(x["t_recv"]) - int(x["t_due"]))) > 2:
        bad += 1
assert not bad, "%d messages whose stages do not add up" % bad
# the remote stamps agree with the run's own one-way figures
ow = {int(x["seq"]): int(x["one_way"]) for x in csv.DictReader(open(run + "/samples.tsv"), delimiter="\t")
      if x["status"] == "ok" and x["one_way"] != "nan"}
for x in rows[:200]:
    assert abs(int(x["t_recv"]) - int(x["t_remote_send"]) - ow[int(x["seq"])]) <= 2 + abs(int(x["remote_moved"]))
# an outlier gets a verdict from the trace, or (its window broke a context-switch chain or lost events)
# none, saying why
for o in a["outliers"]:
    assert "latency_ns" in o and o["verdict"], o
    if o["evidence"] == "samples only":
        assert o["chain_broken"] or o["events_lost"], o
        assert o["verdict"].startswith("no verdict from the trace") and o["dominant_stage"] == "unknown", o
    else:
        assert o["dominant_stage"] in stages and not o["chain_broken"] and not o["events_lost"], o
print("worst:", a["outliers"][0]["verdict"])
PY
cp "$run/trace/analysis.json" "$TMPDIR/live.json"
"$RPLAT" trace analyze "$run" -q || fail "offline analysis of the stream run failed"
python3 - "$TMPDIR/live.json" "$run/trace/analysis.json" <<'PY' || fail "the offline analysis differs"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for k in ("kind", "messages", "matched", "events"):
    assert a[k] == b[k], (k, a[k], b[k])
assert [o["seq"] for o in a["outliers"]] == [o["seq"] for o in b["outliers"]]
PY
"$RPLAT" trace export "$run" --perfetto "$TMPDIR/t.json" || fail "perfetto export of a stream run failed"
python3 - "$TMPDIR/t.json" "$run/trace/analysis.json" <<'PY' || fail "the perfetto export of the stream is wrong"
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
a = json.load(open(sys.argv[2]))
remote = [e for e in ev if e.get("cat") == "remote" and e["name"].startswith("seq ")]
flows = [e for e in ev if e.get("ph") in ("s", "f")]
starts = [e for e in flows if e["ph"] == "s"]
print("remote slices", len(remote), "flows", len(starts))
assert len(remote) >= a["matched"] * 0.99
assert len(starts) >= a["matched"] * 0.99 and all(e["pid"] == 2 for e in starts)  # from the remote's send
assert {e["name"] for e in ev if e.get("cat") == "remote"} >= {"irq latency", "isr -> send"}
PY
"$RPLAT" trace export "$run" --text "$TMPDIR/t.txt" --seq 100-101 || fail "text export failed"
grep -q "marker *rplat rx seq=100" "$TMPDIR/t.txt" || fail "the text listing lacks the rx marker"
grep -q "^# ---- seq 100 (read" "$TMPDIR/t.txt" || fail "the text listing lacks the message header"

# ---- 2. remote delay ----
run="$TMPDIR/remote"
"$RPLAT" stream --trace -L sim:delay=200us,cpu=0,fifo=60 -a 1 -p 40 -i 1000 -n 2000 -q -o "$run" \
    --reader-cpu 0 --threshold 150 --worst 5 > /dev/null 2> "$TMPDIR/err.txt" \
    || { cat "$TMPDIR/err.txt"; fail "rplat stream --trace (delay) exited $?"; }
tracefs_same "$TMPDIR/state.before" "after the remote-delay stream"
probe_gone "$run"
python3 - "$run/trace/analysis.json" <<'PY' || fail "the remote delay was not put in the remote's ISR -> send stage"
import json, sys
a = json.load(open(sys.argv[1]))
s = a["stages"]["isr_to_send"]["stats"]
print("isr_to_send p50 %.1f us" % (s["p50"] / 1000))
# the spin lasts at least the delay; a VM under load stretches it (p50 222 us was seen under ASan)
assert 195000 <= s["p50"] <= 260000, s
over = [o for o in a["outliers"] if "threshold" in o["why"]]
remote = [o for o in over if o["dominant_stage"] == "isr_to_send"]
print("over 150 us:", a["over_threshold"], "explained:", len(over), "remote ISR -> send:", len(remote))
assert a["over_threshold"] >= 1900
assert len(remote) >= 0.9 * len(over)
for o in remote:
    assert "sending the message" in o["verdict"] and "on the sim the remote is a Linux process" in o["verdict"], o["verdict"]
print("example:", remote[0]["verdict"])
PY

# ---- 3. wakeup delay ----
run="$TMPDIR/wake"
"$TMPDIR/rplat-hog" 1 50 1500 20000 3000 300 "$TMPDIR/bursts.txt" &
hog=$!
rc=0
"$RPLAT" stream --trace -L sim:cpu=0,fifo=60 -a 1 -p 10 -i 500 -D 3500ms -q -o "$run" --reader-cpu 0 \
    --threshold 300 --worst 5 > /dev/null 2> "$TMPDIR/err.txt" || rc=$?
cat "$TMPDIR/err.txt"
# exit 1 is a finding; under the hog the only one expected is the stream's own report of negative
# one-way latencies (the clock fit under load); anything else fails
if [ "$rc" != 0 ]; then
    [ "$rc" = 1 ] && grep -q "one-way latencies are negative" "$TMPDIR/err.txt" \
        || fail "rplat stream --trace (hog) exited $rc"
    echo "note: exit 1 from the stream's negative one-way report"
fi
wait $hog || fail "rplat-hog failed"
tracefs_same "$TMPDIR/state.before" "after the wakeup-delay stream"
probe_gone "$run"
python3 - "$run/trace/analysis.json" "$TMPDIR/bursts.txt" <<'PY' || fail "the analysis did not name the competing task"
import json, sys
a = json.load(open(sys.argv[1]))
bursts = [int(l) for l in open(sys.argv[2])]
# explained: every message over 300 us; the hog's own victims are over 1 ms. The hog's period (20 ms) is
# 40 stream periods, so every burst meets the stream at the same phase: how long the messages queued
# behind a victim wait (0.5 .. 1 ms and less) depends on that phase, which is why the threshold is 300 us
expl = [o for o in a["outliers"] if "threshold" in o["why"]]
over = [o for o in expl if o["latency_ns"] >= 1000000]
def overlaps(o):
    s, r = o["at_ns"]["due"], o["at_ns"]["recv"]
    return s is not None and any(b < r and s < b + 1500000 for b in bursts)
def names_hog(o):
    return any(c["name"] == "rplat-hog" for c in o["meanwhile"]) and "`rplat-hog`" in o["verdict"]
during = [o for o in over if overlaps(o)]
wake = [o for o in during if o["dominant_stage"] == "wakeup_to_run"]
queued = [o for o in expl if o["queued"] and overlaps(o)]
print("over 300 us:", a["over_threshold"], "over 1 ms:", len(over), "during a burst:", len(during),
      "wakeup_to_run:", len(wake), "queued:", len(queued), "bursts:", len(bursts))
for o in over:
    if not overlaps(o):
        print("not the hog (the machine is shared):", o["seq"], o["verdict"])
assert len(wake) >= 5, "the hog delayed too few wakeups"
good = [o for o in wake if names_hog(o) and "SCHED_FIFO 50" in o["verdict"] and o["wake_to_run_ns"] >= 500000]
for o in wake:
    if o not in good:
        print("wakeup delay not pinned on the hog:", o["seq"], o["verdict"])
assert len(good) >= 0.9 * len(wake)
# a 1.5 ms burst at a 0.5 ms period: the probe sends into the ring while the reader waits for its CPU
# (a queued message whose own timer was later still is explained by that: its dominant stage wins)
inring = [o for o in queued if o["dominant_stage"] == "send_to_wakeup"]
assert len(inring) >= 5, "too few messages were reported as queued behind a delayed one"
for o in inring:
    assert "in the ring" in o["verdict"], o
print("example:", good[0]["verdict"])
print("queued:", inring[0]["verdict"])
PY
echo ok
