# Remote-delay truth: the sim probe spends delay=300us in every request. The analysis must put the time
# in the remote-processing stage (consume -> reply), say the remote is a Linux process on the sim (not
# "Linux was not involved"), and measure the delay.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/fixtures/trace/lib.sh"
trace_need
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs (the probe and the measuring thread apart)"
tracefs_state > "$TMPDIR/state.before"
run="$TMPDIR/remote"
"$RPLAT" trace -L sim:delay=300us,cpu=0,fifo=60 -a 1 -p 40 -l 2000 -i 500 -q -o "$run" --reader-cpu 0 \
    --threshold 250 --worst 5 > /dev/null 2> "$TMPDIR/err.txt" || { cat "$TMPDIR/err.txt"; fail "rplat trace exited $?"; }
tracefs_same "$TMPDIR/state.before" "after the remote-delay run"
probe_gone "$run"
sed -n '1,14p' "$run/trace/analysis.txt"
python3 - "$run/trace/analysis.json" <<'PY' || fail "the remote delay was not found in the remote-processing stage"
import json, sys
a = json.load(open(sys.argv[1]))
proc = a["stages"]["consume_to_reply"]["stats"]
print("consume_to_reply p50 %.1f us" % (proc["p50"] / 1000))
assert abs(proc["p50"] - 300000) <= 10000, proc
over = [o for o in a["outliers"] if "threshold" in o["why"]]
remote = [o for o in over if o["dominant_stage"] == "consume_to_reply"]
print("over 250 us:", a["over_threshold"], "explained:", len(over), "remote processing:", len(remote))
# every message is over the threshold; the remote's own processing dominates them, not Linux
assert a["over_threshold"] >= 1900
assert len(remote) >= 0.9 * len(over)
for o in remote:
    # on the sim the remote is a Linux process: the verdict says so, never "Linux was not involved"
    assert "remote processing" in o["verdict"] and "on the sim the remote is a Linux process" in o["verdict"], o["verdict"]
    assert "Linux was not involved" not in o["verdict"], o["verdict"]
assert a["dominant_counts"]["consume_to_reply"] >= 0.9 * len(over)
print("example:", remote[0]["verdict"])
PY
echo ok
