# A terminal's Ctrl-C (SIGINT) and `timeout`'s or systemd's SIGTERM reach rplat's whole process group. The
# remote's process (the sim probe, QEMU) must outlive the signal until rplat stops it, on every link: the
# run then ends "signal", with every message it sent answered (issue 10 item 6).
. "$TOP/tests/integration/lib.sh"
set -m # each background job is its own process group, as a terminal's foreground job is
# signal_group SIG LINK NAME: a back-to-back ping (a message is always in flight), the signal sent to
# the whole group mid-run
signal_group() {
    local sig=$1 link=$2 run=$TMPDIR/$3 pid rc=0
    "$RPLAT" ping -L "$link" -D 60 -i 0 -q -o "$run" > "$run.out" 2>&1 &
    pid=$!
    for _ in $(seq 1 200); do [ -e "$run/.samples.spill" ] && break; sleep 0.05; done
    sleep 0.7
    kill -s "$sig" -- "-$pid"
    wait $pid || rc=$?
    cat "$run.out"
    [ $rc -eq 0 ] || fail "$3: a group SIG$sig ended the run with exit $rc (the remote died of it?)"
    if grep -q 'had died of signal' "$run.out"; then fail "$3: the sim probe died of the group SIG$sig"; fi
    jassert "$run/run.json" 'd["ended_by"] == "signal" and d["counts"]["lost"] == 0 and d["counts"]["received"] > 100'
}
for i in 1 2 3; do
    signal_group INT sim "sim-int$i"
    signal_group TERM sim "sim-term$i"
    signal_group HUP sim "sim-hup$i"
done
no_probe_left
CROSS=${CROSS_COMPILE_FW:-arm-none-eabi-}
if command -v qemu-system-arm > /dev/null && command -v "${CROSS}gcc" > /dev/null; then
    make --no-print-directory -C "$TOP/probe-fw" TARGET=qemu-mps2-an386 > "$TMPDIR/build.log" 2>&1 ||
        { cat "$TMPDIR/build.log"; fail "firmware build failed"; }
    elf=$TMPDIR/probe.elf
    cp "$TOP/probe-fw/build/qemu-mps2-an386/rplat-probe.elf" "$elf"
    for i in 1 2; do
        signal_group INT "qemu:$elf" "qemu-int$i"
        signal_group TERM "qemu:$elf" "qemu-term$i"
    done
    sleep 0.2
    if pgrep -f "qemu-system-arm.*$TMPDIR" > /dev/null; then pgrep -af "qemu-system-arm.*$TMPDIR"; fail "a QEMU outlived rplat"; fi
else
    echo "(the qemu part was skipped: no qemu-system-arm or ${CROSS}gcc)"
fi
echo ok
