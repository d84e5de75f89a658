# rplat trace on the sim link, quiet: events matched to >= 99% of the messages, the capture and the
# analysis in the run directory, tracefs as it was before, the run analysable again offline from a copy,
# and the exports.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/fixtures/trace/lib.sh"
trace_need
tracefs_state > "$TMPDIR/state.before"

run="$TMPDIR/quiet"
"$RPLAT" trace -L sim:cpu=0,fifo=50 -a 1 -p 40 -l 5000 -i 200 -q -o "$run" --reader-cpu 0 --uprobes \
    > "$TMPDIR/out.txt" 2> "$TMPDIR/err.txt" || { cat "$TMPDIR/err.txt"; fail "rplat trace exited $?"; }
tracefs_same "$TMPDIR/state.before" "after a normal run"
probe_gone "$run"

# Nothing outside rplat's own instance is written but the dynamic-event files. tracefs_same cannot see
# every trespass: writing even "0" to a top-level events/.../enable expands the top-level ring buffer for
# good, which shows in buffer_size_kb only on a machine that had never traced. So watch the opens.
command -v strace >/dev/null || fail "strace is missing (.ci/install-deps.sh installs it)"
# LeakSanitizer refuses to run under ptrace (the ASan build): leaks are checked by every other run
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=openat -o "$TMPDIR/opens.txt" \
    "$RPLAT" trace -L sim -l 50 -i 200 -q -o "$TMPDIR/straced" --uprobes > /dev/null 2>&1 \
    || fail "the straced rplat trace exited $?"
grep -F "\"$TRACEFS/" "$TMPDIR/opens.txt" | grep -v O_RDONLY | grep -v "\"$TRACEFS/instances/rplat[/\"]" \
    | grep -v -E "\"$TRACEFS/(dynamic_events|uprobe_events|kprobe_events)\"" > "$TMPDIR/trespass.txt" || true
[ -s "$TMPDIR/opens.txt" ] && grep -q "instances/rplat" "$TMPDIR/opens.txt" || fail "strace saw no tracefs opens"
if [ -s "$TMPDIR/trespass.txt" ]; then
    cat "$TMPDIR/trespass.txt"
    fail "rplat trace wrote tracefs files outside its instance"
fi

for f in capture.json names.tsv cpu0.ev analysis.json analysis.txt stages.tsv hist/wakeup_to_run.hist \
         hist/consume_to_reply.hist; do
    [ -s "$run/trace/$f" ] || fail "missing $run/trace/$f"
done
cat "$run/trace/analysis.txt" | head -14
jassert "$run/trace/capture.json" 'd["trace_clock"] == "mono" and d["stats"]["events"] > 50000'
jassert "$run/trace/capture.json" 'd["stats"]["missed"] == 0 and d["stats"]["overrun"] == 0'
jassert "$run/trace/capture.json" 'any("kprobes" in n for n in d["notes"]) or d["kprobes"]["available"]'
jassert "$run/trace/capture.json" '"sched:sched_switch" in d["events"] and "syscalls:sys_enter_write" in d["events"]'
jassert "$run/trace/capture.json" 'len(d["uprobes"]) == 2 and "rplat:send" in d["events"]'
jassert "$run/run.json" 'd["trace"]["saved"] and d["trace"]["events"] > 0'
jassert "$run/trace/analysis.json" 'd["messages"] == 5000 and d["match_rate"] >= 0.99'
echo "match rate: $(jget "$run/trace/analysis.json" 'd["match_rate"]')"
# every stage that Linux can see was seen for the matched messages
jassert "$run/trace/analysis.json" 'd["stages"]["send_to_kick"]["stats"]["count"] >= 4950'
jassert "$run/trace/analysis.json" 'len(d["outliers"]) == 10 and all(o["verdict"] for o in d["outliers"])'

# offline, from a copy of the run directory alone
cp -r "$run" "$TMPDIR/copy"
"$RPLAT" trace analyze "$TMPDIR/copy" --worst 3 --threshold 500 -q || fail "offline analyze exited $?"
# (other options than the capture's: the new analysis goes beside the capture-time one, which stays)
jassert "$TMPDIR/copy/trace/analysis-worst3-threshold500us/analysis.json" 'd["match_rate"] >= 0.99 and len([o for o in d["outliers"] if "worst" in o["why"]]) == 3'
jassert "$TMPDIR/copy/trace/analysis.json" 'd["options"]["worst"] == 10 and d["options"]["threshold_ns"] == 0'

# exports
"$RPLAT" trace export "$TMPDIR/copy" --perfetto "$TMPDIR/trace.json" || fail "perfetto export exited $?"
jassert "$TMPDIR/trace.json" 'len([e for e in d["traceEvents"] if e["ph"] == "s"]) >= 4950'
jassert "$TMPDIR/trace.json" 'any(e["ph"] == "M" and e["args"]["name"] == "remote core" for e in d["traceEvents"])'
"$RPLAT" trace export "$TMPDIR/copy" --text --seq 100-101 > "$TMPDIR/listing.txt" || fail "text export exited $?"
grep -q 'rplat seq=100' "$TMPDIR/listing.txt" || fail "no marker 100 in the listing"
grep -q '^# ---- seq 101' "$TMPDIR/listing.txt" || fail "no message header 101 in the listing"

# bad input: a clear error naming the file, non-zero exit, nothing written
printf 'garbage' > "$TMPDIR/copy/trace/cpu0.ev"
rm -f "$TMPDIR/copy/trace/analysis.json"
if "$RPLAT" trace analyze "$TMPDIR/copy" -q 2> "$TMPDIR/bad.txt"; then fail "a corrupt capture was accepted"; fi
grep -q 'cpu0.ev' "$TMPDIR/bad.txt" || fail "the error does not name the file: $(cat "$TMPDIR/bad.txt")"
[ ! -e "$TMPDIR/copy/trace/analysis.json" ] || fail "analysis.json written from a corrupt capture"
echo ok
