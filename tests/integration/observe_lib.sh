# Helpers for the rplat observe tests (sourced after lib.sh).
[ "$(id -u)" = 0 ] || skip "rplat observe traces syscalls: root needed"
[ -d /sys/kernel/tracing/instances ] || skip "no tracefs at /sys/kernel/tracing"
[ -d /sys/kernel/tracing/events/syscalls/sys_enter_write ] || skip "no syscalls/sys_enter_write event"
# rplat observe's tracefs instance (rplat-observe) is machine-wide: one observe test at a time across
# checkouts, under the lock the trace tests take (tests/integration/test_stream_sim.sh); two at once
# disable each other's events ("0 written") or remove the instance under the other's reader
trace_lock
# the plain echo client (tests/integration/echo_client.c), linked against the same library as rplat
build_client() {
    cc -O2 -D_GNU_SOURCE -I"$TOP/probe-fw/include" -I"$TOP/probe-fw/core" -I"$TOP/probe-fw/targets/host" \
        -I"$TOP/host-tools/include" "$TOP/tests/integration/echo_client.c" "$BUILD/librplat.a" \
        $(pkg-config --libs libtracefs libtraceevent libelf libtracecmd) -lfdt -lm -lpthread \
        $(case "$BUILD" in *san*) echo -fsanitize=address,undefined ;; esac) -o "$TMPDIR/echo_client" ||
        fail "building the echo client"
}
# start_client LINK COUNT INTERVAL_US SIZE: run it in the background; sets CLIENT_PID (it waits 1.5 s
# before its first message, for rplat observe to attach)
start_client() {
    "$TMPDIR/echo_client" "$1" "$2" "$3" "$4" 1500 >"$TMPDIR/client.log" 2>&1 &
    CLIENT_BG=$!
    # up to 30 s: on a loaded machine the client's own sim probe can take more than 5 s to come up
    for _ in $(seq 1 600); do grep -q '^ready' "$TMPDIR/client.log" && break; sleep 0.05; done
    grep -q '^ready' "$TMPDIR/client.log" || { cat "$TMPDIR/client.log"; fail "the echo client did not start in 30 s"; }
    CLIENT_PID=$(awk '/^ready/ { print $2 }' "$TMPDIR/client.log")
}
# wait_client: its exit code must be 0 (every echo came back intact)
wait_client() {
    local rc=0
    wait "$CLIENT_BG" || rc=$?
    tail -n 1 "$TMPDIR/client.log"
    [ "$rc" = 0 ] || fail "the echo client failed (exit $rc): $(tail -n 1 "$TMPDIR/client.log")"
}
