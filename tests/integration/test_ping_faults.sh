# A misbehaving remote is counted, reported and reflected in the exit code; it never hangs the host.
. "$TOP/tests/integration/lib.sh"
expect_rc() { # expect_rc RC cmd...
    local want=$1 rc=0; shift
    "$@" || rc=$?
    [ "$rc" -eq "$want" ] || fail "expected exit $want, got $rc from: $*"
}
# corrupt payloads
expect_rc 1 "$RPLAT" ping -L sim:corrupt=50 -l 1000 -i 0 -s 100 -q -o "$TMPDIR/corrupt"
jassert "$TMPDIR/corrupt/run.json" 'd["counts"]["corrupt"]==20 and d["return_code"]==1'
grep -c 'corrupt$' "$TMPDIR/corrupt/samples.tsv" | grep -qx 20 || fail "corrupt samples not marked"
# corrupt=N reaches header-only messages too (the default -s 40): each hit is one corrupt message
expect_rc 1 "$RPLAT" ping -L sim:corrupt=50 -l 1000 -i 0 -q -o "$TMPDIR/corrupt40"
jassert "$TMPDIR/corrupt40/run.json" 'd["counts"]["corrupt"]==20 and d["counts"]["received"]==1000 and d["counts"]["lost"]==0'
# wrong sequence numbers: the awaited message's reply comes with a seq never sent; it is that message's
# reply, garbled: one corrupt message per hit, nothing lost
expect_rc 1 "$RPLAT" ping -L sim:badseq=100 -l 500 -i 0 --timeout 20ms -q -o "$TMPDIR/badseq"
jassert "$TMPDIR/badseq/run.json" 'd["counts"]["corrupt"]==5 and d["counts"]["lost"]==0 and d["counts"]["received"]==500'
grep -c 'corrupt$' "$TMPDIR/badseq/samples.tsv" | grep -qx 5 || fail "badseq samples not marked corrupt once each"
# every reply garbled: the remote answers every time, so it did not "stop answering"
expect_rc 1 "$RPLAT" ping -L sim:badseq=1 -l 50 -i 0 --timeout 20ms -q -o "$TMPDIR/badseq1"
jassert "$TMPDIR/badseq1/run.json" 'd["counts"]["corrupt"]==50 and d["ended_by"]=="completed"'
# die=N and mute=N count the pings answered (the INFO exchange at the start is not one of them)
expect_rc 3 "$RPLAT" ping -L sim:die=100 -l 1000 -i 0 -q -o "$TMPDIR/die100"
jassert "$TMPDIR/die100/run.json" 'd["counts"]["received"]==100 and d["counts"]["lost"]<=1 and d["ended_by"]=="remote gone"'
expect_rc 3 "$RPLAT" ping -L sim:mute=100 -l 1000 -i 0 --timeout 20ms -q -o "$TMPDIR/mute100"
jassert "$TMPDIR/mute100/run.json" 'd["counts"]["received"]==100 and d["counts"]["lost"]==3'
# the probe dies mid-run: lost counted, partial results written, exit 3, no hang
start=$(date +%s)
expect_rc 3 "$RPLAT" ping -L sim:die=3000 -l 10000 -i 0 -q -o "$TMPDIR/die"
[ $(( $(date +%s) - start )) -lt 20 ] || fail "a dead probe took too long to notice"
# (the message after the last answer is lost when it was sent before the probe was gone, else never sent)
jassert "$TMPDIR/die/run.json" 'd["counts"]["lost"]<=1 and d["counts"]["received"]==3000 and d["ended_by"]=="remote gone"'
[ "$(wc -l < "$TMPDIR/die/samples.tsv")" -ge 3000 ] || fail "partial samples not written"
# killed from outside mid-run
"$RPLAT" ping -L sim -l 1000000 -i 100 -q -o "$TMPDIR/kill" & pid=$!
sleep 1.5
pkill -9 -P $pid -x rplat-sim-probe || fail "no probe process to kill" # ours only
rc=0; wait $pid || rc=$?
[ $rc -eq 3 ] || fail "killed probe: exit $rc, expected 3"
# (between two messages nothing is lost: the next send finds the probe gone)
jassert "$TMPDIR/kill/run.json" 'd["counts"]["lost"]<=1 and d["counts"]["received"]>100 and d["ended_by"]=="remote gone"'
# a remote that goes silent but stays alive: the run ends after --max-silent timeouts
start=$(date +%s)
expect_rc 3 "$RPLAT" ping -L sim:mute=200 -l 100000 -i 0 --timeout 50ms -q -o "$TMPDIR/mute"
[ $(( $(date +%s) - start )) -lt 20 ] || fail "a mute probe took too long to notice"
jassert "$TMPDIR/mute/run.json" 'd["counts"]["lost"]==3 and d["ended_by"]=="remote silent"'
# Ctrl-C mid-run: what was measured is written, the probe is gone
"$RPLAT" ping -L sim -D 60 -i 500 -q -o "$TMPDIR/int" & pid=$!
sleep 1.5
kill -INT $pid
rc=0; wait $pid || rc=$?
jassert "$TMPDIR/int/run.json" 'd["ended_by"]=="signal" and d["counts"]["received"]>100 and d["counts"]["lost"]==0'
[ -s "$TMPDIR/int/samples.tsv" ] || fail "no samples after Ctrl-C"
# bad options get a clear error and exit 2
expect_rc 2 "$RPLAT" ping -s 20 -o "$TMPDIR/x1"
expect_rc 2 "$RPLAT" ping -L sim:hz=fast -o "$TMPDIR/x2"
expect_rc 2 "$RPLAT" ping -L nosuch: -o "$TMPDIR/x3"
"$RPLAT" ping -L sim:bogus=1 -o "$TMPDIR/x4" 2>&1 | grep -q "unknown sim option 'bogus'" || fail "unclear error"
no_probe_left
echo ok
