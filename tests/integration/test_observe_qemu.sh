# rplat observe on the qemu link: the example echo firmware built for QEMU mps2-an386 (probe-fw
# TARGET=qemu-echo: port 14, rplat hooks in its UART doorbell ISR and service, the ring a carveout in
# the shared PSRAM) and the plain echo client. Every message is matched with the firmware's records and
# staged, causally (no stage below minus the clock's error bound); the run spans several SysTick wraps
# (24 bits at 25 MHz: 0.67 s), so a wrong stamp decoding or a missed wrap (a jump of 0.67 s) breaks the
# clock fit and causality; a host that corrupts the ring header gets the ring refused while the
# firmware keeps echoing.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/observe_lib.sh"
CROSS=${CROSS_COMPILE_FW:-arm-none-eabi-}
command -v qemu-system-arm >/dev/null || skip "qemu-system-arm not installed (Debian: qemu-system-arm)"
command -v "${CROSS}gcc" >/dev/null || skip "${CROSS}gcc not installed (Debian: gcc-arm-none-eabi)"
make --no-print-directory -C "$TOP/probe-fw" TARGET=qemu-echo >"$TMPDIR/build.log" 2>&1 ||
    { cat "$TMPDIR/build.log"; fail "firmware build failed"; }
elf=$TMPDIR/rplat-echo.elf
cp "$TOP/probe-fw/build/qemu-echo/rplat-echo.elf" "$elf"
"$RPLAT" check rsc "$elf" --memmap none >"$TMPDIR/rsc.out" 2>&1 || true
grep -q "rsc.ring" "$TMPDIR/rsc.out" || { cat "$TMPDIR/rsc.out"; fail "check rsc does not report the rplat-ring carveout"; }
if grep -q "rsc.ring\.\(len\|align\)" "$TMPDIR/rsc.out"; then cat "$TMPDIR/rsc.out"; fail "check rsc finds fault with the example's ring"; fi
build_client

start_client "qemu:$elf" 1000 3000 64
"$RPLAT" observe -L qemu -p "$CLIENT_PID" -r 100 -o "$TMPDIR/run" >"$TMPDIR/out" 2>&1 ||
    { cat "$TMPDIR/out"; fail "rplat observe failed"; }
cat "$TMPDIR/out"
wait_client
r="$TMPDIR/run/run.json"
jassert "$r" 'd["counts"]["sent"]==1000 and d["counts"]["received"]==1000 and d["counts"]["error"]==0'
jassert "$r" 'd["observe"]["ring"]["counter_hz"]==25000000 and d["observe"]["ring"]["drops"]==0'
jassert "$r" 'd["observe"]["match"]["remote_msgs"]==1000 and d["observe"]["match"]["remote_unmatched"]==0'
jassert "$r" 'd["clock"]["valid"] and d["clock"]["err_bound_ns"] < 200000'
jassert "$r" 'd["summary"]["stages"]["remote_processing"]["count"]==1000'
python3 - "$TMPDIR/run/samples.tsv" "$(jget "$r" 'd["clock"]["err_bound_ns"]')" <<'PY' || fail "stages in samples.tsv"
import sys, csv
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
err = float(sys.argv[2])
for r in rows:
    st = [int(r[k]) for k in ("h2r", "dispatch", "proc", "r2h")]
    assert st[0] >= -err and st[3] >= -err, r       # causal: after the write, before the read
    assert st[1] >= 0 and st[2] >= 0, r              # the firmware's own order: ISR, RX, SEND
    assert abs(sum(st) - int(r["rtt"])) <= 4, r
    assert int(r["r_kick"]) <= int(r["r_consume"]) <= int(r["r_reply"]), r
kicks = [int(r["r_kick"]) for r in rows]
assert kicks == sorted(kicks), "remote ISR stamps not monotonic"
assert kicks[-1] - kicks[0] > 3 * 2**24, "the run spans fewer than 3 SysTick wraps"      # counter ticks
PY

# the host corrupts the ring's nrec: refused, nothing written, the firmware keeps echoing
start_client "qemu:$elf" 6000 500 64
"$RPLAT" observe -L qemu -p "$CLIENT_PID" -r 100 -o "$TMPDIR/corrupt" >"$TMPDIR/out" 2>&1 &
obs=$!
sleep 2.5
python3 - "$CLIENT_PID" <<'PY' || fail "could not corrupt the ring header"
import os, struct, sys
for n in os.listdir("/proc/%s/fd" % sys.argv[1]):
    if os.readlink("/proc/%s/fd/%s" % (sys.argv[1], n)).startswith("/memfd:rplat-qemu-psram"):
        fd = os.open("/proc/%s/fd/%s" % (sys.argv[1], n), os.O_RDWR)
        os.pwrite(fd, struct.pack("<I", 1000), 0x2000 + 12)   # nrec, in the ring at PSRAM + 8 KiB
        sys.exit(0)
sys.exit(1)
PY
rc=0; wait $obs || rc=$?
cat "$TMPDIR/out"
[ "$rc" = 3 ] || fail "a corrupt ring header: exit $rc, expected 3"
grep -q "refused.*nrec 1000 is not a power of two" "$TMPDIR/out" || fail "the refusal does not name the field"
[ ! -e "$TMPDIR/corrupt/run.json" ] || fail "a refused ring still wrote a run"
wait_client
[ ! -d /sys/kernel/tracing/instances/rplat-observe ] || fail "the tracefs instance rplat-observe was left behind"
! grep -q rplat_observe /sys/kernel/tracing/uprobe_events || fail "the uretprobe was left behind"
echo "observe on qemu: ok"
