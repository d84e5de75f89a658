# --break and --on-threshold: a break stops at the first round trip over the limit and analyses it at
# once; shell and signal actions run on every hit with ,continue, and the run goes on to the end.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/fixtures/trace/lib.sh"
trace_need
tracefs_state > "$TMPDIR/state.before"

# every round trip on the sim is over 1 us: the break comes at the first message. A run that stopped
# early never looks complete (issue 10 item 15): ended_by "break", exit 1 (a threshold finding) and
# run.json's return_code 1, and a notice on stderr even with -q.
run="$TMPDIR/break"
rc=0
"$RPLAT" trace -L sim -l 5000 -i 200 -o "$run" --break 1 > "$TMPDIR/out.txt" 2> "$TMPDIR/err.txt" || rc=$?
[ "$rc" = 1 ] || { cat "$TMPDIR/err.txt"; fail "rplat trace --break exited $rc, not 1"; }
grep -q 'exceeded --break' "$TMPDIR/err.txt" || fail "no break reported: $(cat "$TMPDIR/err.txt")"
jassert "$run/run.json" 'd["counts"]["sent"] < 10 and d["trace"]["threshold_hits"] == 1'
jassert "$run/run.json" 'd["ended_by"] == "break" and d["return_code"] == 1 and d["trace"]["stopped_by"] == "--break"'
rc=0
"$RPLAT" trace -L sim -l 5000 -i 200 -q -o "$TMPDIR/breakq" --break 1 > /dev/null 2> "$TMPDIR/errq.txt" || rc=$?
[ "$rc" = 1 ] || fail "rplat trace -q --break exited $rc, not 1"
grep -q 'the run stops early, after 1 messages (ended_by "break")' "$TMPDIR/errq.txt" \
    || fail "-q hid the break: $(cat "$TMPDIR/errq.txt")"
jassert "$TMPDIR/breakq/run.json" 'd["ended_by"] == "break" and d["return_code"] == 1'
jassert "$run/run.json" 'd["trace"]["first_hit_seq"] == 0'
jassert "$run/trace/analysis.json" 'd["outliers"][0]["seq"] == 0 and "break" in d["outliers"][0]["why"]'
grep -q '\[break\]' "$TMPDIR/out.txt" || fail "the break hit was not analysed at once"
tracefs_same "$TMPDIR/state.before" "after --break"

# shell and signal actions on every hit, and the run continues
run="$TMPDIR/actions"
got=0
trap 'got=$((got + 1))' USR2
"$RPLAT" trace -L sim -l 300 -i 200 -q -o "$run" --threshold 1 --no-analysis \
    --on-threshold "shell,echo \$RPLAT_SEQ \$RPLAT_RTT_US >> $TMPDIR/hits.txt,continue" \
    --on-threshold signal,USR2 > /dev/null 2> "$TMPDIR/err2.txt" || { cat "$TMPDIR/err2.txt"; fail "exited $?"; }
trap - USR2
jassert "$run/run.json" 'd["counts"]["sent"] == 300 and d["trace"]["threshold_hits"] == 300'
jassert "$run/run.json" 'd["ended_by"] == "completed" and d["trace"]["stopped_by"] is None'
[ "$(wc -l < "$TMPDIR/hits.txt")" = 300 ] || fail "the shell action ran $(wc -l < "$TMPDIR/hits.txt") times, not 300"
head -2 "$TMPDIR/hits.txt"
echo "signals received: $got"
[ "$got" -ge 1 ] || fail "the parent got no SIGUSR2"
# --warm-up messages are in no threshold: the break comes at the first measured message (seq 50), which
# the analysis explains as the break hit (rtla's --warm-up; the ping side is tested with ping)
rc=0
"$RPLAT" trace -L sim -l 2000 -i 200 --warm-up 50 --break 1 -q -o "$TMPDIR/warm" > /dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "--warm-up 50 --break 1 exited $rc, not 1"
jassert "$TMPDIR/warm/run.json" 'd["trace"]["first_hit_seq"] == 50 and d["ended_by"] == "break" and d["counts"]["warmup"] == 50'
jassert "$TMPDIR/warm/trace/analysis.json" 'd["outliers"][0]["seq"] == 50 and "break" in d["outliers"][0]["why"]'
# rtla's forms (issue 10 item 17): shell,command=CMD runs CMD (it used to run "command=CMD", a shell
# variable assignment), signal,num=N,pid=parent signals the parent; a failing command is reported
run="$TMPDIR/rtla"
got=0
trap 'got=$((got + 1))' USR2
"$RPLAT" trace -L sim -l 50 -i 200 -q -o "$run" --threshold 1 --no-analysis \
    --on-threshold "shell,command=echo \$RPLAT_SEQ >> $TMPDIR/rtla.txt,continue" \
    --on-threshold signal,num=12,pid=parent > /dev/null 2> "$TMPDIR/err4.txt" || { cat "$TMPDIR/err4.txt"; fail "exited $?"; }
trap - USR2
[ "$(wc -l < "$TMPDIR/rtla.txt")" = 50 ] || fail "shell,command= ran $(wc -l < "$TMPDIR/rtla.txt" 2>/dev/null) times, not 50"
[ "$got" -ge 1 ] || fail "signal,num=12,pid=parent sent nothing"
"$RPLAT" trace -L sim -l 5 -i 200 -q -o "$TMPDIR/rtla2" --threshold 1 --no-analysis \
    --on-threshold "shell,command=exit 3,continue" > /dev/null 2> "$TMPDIR/err5.txt" || true
grep -q "shell: 'exit 3' exited 3" "$TMPDIR/err5.txt" || fail "a failing action was not reported: $(cat "$TMPDIR/err5.txt")"
# without ,continue the first hit ends the run: a break, said even with -q
run="$TMPDIR/stop"
rc=0
"$RPLAT" trace -L sim -l 300 -i 200 -q -o "$run" --threshold 1 --on-threshold trace > /dev/null \
    2> "$TMPDIR/err3.txt" || rc=$?
[ "$rc" = 1 ] || fail "--on-threshold trace exited $rc, not 1"
grep -q 'exceeded --threshold 1.0 us: the run stops early' "$TMPDIR/err3.txt" || fail "-q hid the stop: $(cat "$TMPDIR/err3.txt")"
jassert "$run/run.json" 'd["counts"]["sent"] < 10 and d["ended_by"] == "break" and d["return_code"] == 1'
jassert "$run/run.json" 'd["trace"]["stopped_by"] == "--on-threshold"'
if "$RPLAT" trace -L sim -l 10 --on-threshold trace -o "$TMPDIR/bad" 2> "$TMPDIR/bad.txt"; then
    fail "--on-threshold without --threshold was accepted"
fi
grep -q 'needs --threshold' "$TMPDIR/bad.txt" || fail "unclear error: $(cat "$TMPDIR/bad.txt")"
tracefs_same "$TMPDIR/state.before" "after the threshold runs"
echo ok
