# `rplat sim` on its own: a client attaches over a unix socket, gets a fresh probe, and the probe is
# gone when the client leaves.
. "$TOP/tests/integration/lib.sh"
sock=$TMPDIR/sim.sock
"$RPLAT" sim --socket "$sock" delay=5us 2>"$TMPDIR/sim.log" & srv=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || fail "rplat sim did not listen"
"$RPLAT" ping -L "sim:socket=$sock" -l 2000 -i 0 -q -o "$TMPDIR/a" || fail "ping over the socket failed"
jassert "$TMPDIR/a/run.json" 'd["counts"]["received"]==2000 and d["counts"]["lost"]==0'
jassert "$TMPDIR/a/run.json" 'abs(d["summary"]["stages"]["remote_processing"]["p50"]-5000) < 1000'
# a second client gets a fresh probe (its counters start from zero again)
"$RPLAT" ping -L "sim:socket=$sock" -l 100 -q -o "$TMPDIR/b" || fail "second client failed"
jassert "$TMPDIR/b/run.json" 'd["firmware"]["counters"]["rx_msgs"] < 500'
sleep 0.3
pgrep -x rplat-sim-probe >/dev/null && fail "a probe outlived its client"
# options for the probe belong to the server
"$RPLAT" ping -L "sim:socket=$sock,delay=1us" -l 1 -q -o "$TMPDIR/c" 2>"$TMPDIR/err" && fail "accepted mixed options"
grep -q "belong to" "$TMPDIR/err" || fail "unclear error for mixed options"
kill -TERM $srv; wait $srv || true
[ ! -e "$sock" ] || fail "socket left behind"
# no server: a clear error
"$RPLAT" ping -L "sim:socket=$sock" -l 1 -q -o "$TMPDIR/d" 2>"$TMPDIR/err" && fail "ping without a server succeeded"
grep -q "is \`rplat sim --socket" "$TMPDIR/err" || fail "unclear error without a server"
no_probe_left
echo ok
