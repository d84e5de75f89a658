# rplat trace over the qemu link (issue 10 items 10, 14): the link's doorbell is a socket byte (sendto)
# and its reads recvfrom, which the capture now traces, so the messages match (1.4-1.8% did, every
# outlier then getting a verdict from unmatched data); the verdicts name QEMU as the remote (never "on
# the sim", never "Linux was not involved", never "CPU-1") and QEMU's own threads are not blamed.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/fixtures/trace/lib.sh"
CROSS=${CROSS:-arm-none-eabi-}
command -v qemu-system-arm >/dev/null || skip "qemu-system-arm not installed (Debian: qemu-system-arm)"
command -v "${CROSS}gcc" >/dev/null || skip "${CROSS}gcc not installed (Debian: gcc-arm-none-eabi)"
trace_need
make --no-print-directory -C "$TOP/probe-fw" TARGET=qemu-mps2-an386 >"$TMPDIR/build.log" 2>&1 ||
    { cat "$TMPDIR/build.log"; fail "firmware build failed"; }
elf=$TMPDIR/probe.elf
cp "$TOP/probe-fw/build/qemu-mps2-an386/rplat-probe.elf" "$elf"
run="$TMPDIR/q"
rc=0
"$RPLAT" trace --link "qemu:$elf" -l 1000 -i 1000 -q -o "$run" --worst 10 > /dev/null 2> "$TMPDIR/err.txt" || rc=$?
cat "$TMPDIR/err.txt"
sed -n '1,4p' "$run/trace/analysis.txt"
jassert "$run/trace/capture.json" '"syscalls:sys_enter_sendto" in d["events"] and "syscalls:sys_exit_recvfrom" in d["events"]'
python3 - "$run/trace/analysis.json" "$rc" <<'PY' || fail "the qemu link's trace analysis is wrong"
import json, sys
a = json.load(open(sys.argv[1]))
rc = int(sys.argv[2])
print("match rate %.4f, link %s, exit %d" % (a["match_rate"], a["link"], rc))
assert a["link"] == "qemu"
assert a["match_rate"] >= 0.99, a["match_rate"]
assert rc == (0 if a["evidence"]["complete"] else 1), (rc, a["evidence"])
for o in a["outliers"]:
    v = o["verdict"]
    assert "on the sim" not in v and "Linux was not involved" not in v and "CPU-1" not in v, v
    assert "`qemu-system" not in v, v  # QEMU's threads are the remote, not a competing task
print("example:", a["outliers"][0]["verdict"])
PY
echo ok
