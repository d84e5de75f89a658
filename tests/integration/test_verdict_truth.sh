# Verdict truth suite (issue 10 section 3): traced sim runs with a known, injected cause, made by the
# test itself. For each scenario the affected outliers (those the injection made: its episodes cover at
# least half of the message's latency) must name the injected cause, or, where the trace lost the
# evidence (events lost, a broken context-switch chain, not matched), say so instead of guessing: >= 95%
# of them (tests/fixtures/trace/score.py prints a SCORE line per scenario). The machine is shared, so a
# scenario that misses is run once more (the assertion is not loosened); both scores are printed.
#   probe-delay         sim delay=300us in every request: remote processing, the probe's own time
#   fifo-hog-reader     rplat-hog SCHED_FIFO 50, 1.5 ms bursts on rplat's CPU (rplat FIFO 10)
#   fifo-hog-probe      rplat-hog SCHED_FIFO 50 on the probe's CPU (probe FIFO 20)
#   sigstop-probe       the probe SIGSTOPped for 3 ms every 47 ms
#   sched-other-bursts  rplat-hog SCHED_OTHER, 3 ms bursts on rplat's CPU (rplat SCHED_OTHER; this
#                       kernel's model in force is recorded, e.g. none here: a non-preempting kernel)
#   undersized-buffer   --buffer-kb 8 at -i 0: every outlier whose window lost events says so
# The hogs' period (20.037 ms) is not a multiple of the send interval, so their bursts meet the
# absolute send grid at every phase (at 20 ms exactly they can all fall between two round trips). A
# hog's episodes are the stretches it really ran (it writes them: a SCHED_OTHER burst shares the CPU
# with the machine's other load), not its bursts' wall-clock windows.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/fixtures/trace/lib.sh"
trace_need
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs (the probe and the measuring thread apart)"
command -v cc >/dev/null || skip "no C compiler for the competing task"
cc -O2 -o "$TMPDIR/rplat-hog" "$TOP/tests/fixtures/trace/rplat-hog.c" || fail "cannot build rplat-hog"
SCORE="$TOP/tests/fixtures/trace/score.py"
tracefs_state > "$TMPDIR/state.before"
failed=""

# one scenario: NAME RUN_FUNCTION SCORE_ARGS...; the run function fills $TMPDIR/NAME (run) and
# $TMPDIR/NAME.win (episodes)
scenario() {
    local name=$1 fn=$2 try
    shift 2
    for try in 1 2; do
        rm -rf "$TMPDIR/$name" "$TMPDIR/$name.win"
        "$fn" "$TMPDIR/$name" "$TMPDIR/$name.win"
        if python3 "$SCORE" "$TMPDIR/$name/trace/analysis.json" "$TMPDIR/$name.win" "$name" "$@"; then
            return 0
        fi
        echo "($name: try $try missed)"
    done
    failed="$failed $name"
}

run_delay() {
    "$RPLAT" trace -L sim:delay=300us,cpu=0,fifo=60 -a 1 -p 40 -l 1000 -i 1000 -q -o "$1" --reader-cpu 0 \
        --threshold 250 --worst 5 > /dev/null 2>> "$TMPDIR/err.txt" || true
    echo "0 9000000000000000000" > "$2"
}
run_hog_reader() {
    "$TMPDIR/rplat-hog" 1 50 1500 20037 3000 300 "$1.bursts" "$2" &
    "$RPLAT" trace -L sim:cpu=0,fifo=60 -a 1 -p 10 -D 3500ms -i 200 -q -o "$1" --reader-cpu 0 \
        --threshold 1000 --worst 5 > /dev/null 2>> "$TMPDIR/err.txt" || true
    wait
}
run_hog_probe() {
    "$TMPDIR/rplat-hog" 0 50 1500 20037 3000 300 "$1.bursts" "$2" &
    "$RPLAT" trace -L sim:cpu=0,fifo=20 -a 1 -p 10 -D 3500ms -i 200 -q -o "$1" --reader-cpu 1 \
        --threshold 1000 --worst 5 > /dev/null 2>> "$TMPDIR/err.txt" || true
    wait
}
run_sigstop() {
    local rp pp="" i
    "$RPLAT" trace -L sim:cpu=0,fifo=60 -a 1 -p 10 -D 3s -i 500 -q -o "$1" --reader-cpu 0 --threshold 2000 \
        --worst 5 > /dev/null 2>> "$TMPDIR/err.txt" &
    rp=$!
    for i in $(seq 100); do
        pp=$(pgrep -P "$rp" -x rplat-sim-probe) && break
        sleep 0.02
    done
    [ -n "$pp" ] || fail "no sim probe under rplat $rp"
    python3 "$TOP/tests/fixtures/trace/stopper.py" "$pp" 3 47 40 "$2"
    wait "$rp" || true
}
run_other() {
    "$TMPDIR/rplat-hog" 1 0 3000 20037 3000 300 "$1.bursts" "$2" &
    "$RPLAT" trace -L sim:cpu=0,fifo=60 -a 1 -D 3500ms -i 200 -q -o "$1" --reader-cpu 0 --threshold 500 \
        --worst 5 > /dev/null 2>> "$TMPDIR/err.txt" || true
    wait
}
run_lossy() {
    "$RPLAT" trace --link sim -l 30000 -i 0 --buffer-kb 8 -q -o "$1" --threshold 100 --worst 10 > /dev/null \
        2>> "$TMPDIR/err.txt" || true
    echo "0 9000000000000000000" > "$2"
}

scenario probe-delay run_delay "remote processing stage.*the probe's own" --dominant consume_to_reply \
    --must-not "Linux was not involved"
scenario fifo-hog-reader run_hog_reader '`rplat-hog` \(SCHED_FIFO 50\)'
scenario fifo-hog-probe run_hog_probe '`rplat-hog` \(SCHED_FIFO 50\)' \
    --dominant kick_to_isr,isr_to_consume,consume_to_reply,reply_to_wakeup
scenario sigstop-probe run_sigstop 'the sim probe process was stopped for'
scenario sched-other-bursts run_other '`rplat-hog` \(SCHED_OTHER'
scenario undersized-buffer run_lossy '(?!)' --lossy --min-affected 3
python3 -c 'import json,sys; print("model in force:", json.load(open(sys.argv[1]))["system"]["preempt"])' \
    "$TMPDIR/sched-other-bursts/trace/capture.json"
tracefs_same "$TMPDIR/state.before" "after the truth suite"
[ -z "$failed" ] || fail "scenarios below 95%:$failed"
echo ok
