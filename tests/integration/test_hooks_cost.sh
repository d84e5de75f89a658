#!/bin/bash
# The rplat hooks' cost regression check: every hook call of the QEMU echo firmware, counted instruction
# by instruction from QEMU's execution log (tests/bench/bench_hooks.sh --check; 64-, 5- and 2-byte
# messages: the digest's three paths; and a full ring: the drop path, which some calls must take), costs
# at most 40 instructions, the issue's target; and the hooks use no FPU instruction (they run in interrupts, maybe in a firmware
# that never enables the FPU; GCC moves 64-bit values through d registers under -mfloat-abi=hard).
# The count is exact and repeatable for one compiler (no timing involved), so a change that makes a hook
# dearer fails here rather than only moving a benchmark figure; a different arm-none-eabi-gcc may
# schedule differently, and the failure names the compiler so that the README table can be re-measured.
. "$TOP/tests/integration/lib.sh"

CROSS=${CROSS_COMPILE_FW:-arm-none-eabi-}
command -v qemu-system-arm >/dev/null || skip "qemu-system-arm not installed (Debian: qemu-system-arm)"
command -v "${CROSS}gcc" >/dev/null || skip "${CROSS}gcc not installed (Debian: gcc-arm-none-eabi)"
# (set -e is on: the status is taken with ||, or a failing benchmark would end the test before its
# output and the reason are shown)
rc=0
"$TOP/tests/bench/bench_hooks.sh" --check "$BUILD" "64 5 2" >"$TMPDIR/out" 2>&1 || rc=$?
cat "$TMPDIR/out"
[ $rc = 0 ] || fail "bench_hooks --check failed (above: a call over 40 instructions, a hook not measured, or no call through the drop path), with $("${CROSS}gcc" --version | head -n 1)"
grep -q "rplat_hook_rx .* 200 " "$TMPDIR/out" || fail "the benchmark measured no 200 RX hook calls"
grep -Eq "rplat_hook_rx .*; [1-9][0-9]* of them dropped \(ring full\)" "$TMPDIR/out" ||
    fail "the full-ring run took no drop path (the ring never filled): the drop cost was not measured"
"${CROSS}objdump" -d "$TOP/probe-fw/build/qemu-echo/rplat-echo.elf" |
    awk '/^[0-9a-f]+ <(rplat_hook_[a-z]+|rplat_mark|rplat_hooks_tick|put_fn|drop|extend)>:/,/^$/' >"$TMPDIR/hooks.dis"
grep -q "rplat_hook_rx" "$TMPDIR/hooks.dis" || fail "no hook code found in the firmware's disassembly"
if grep -E "\sv[a-z0-9.]+\s" "$TMPDIR/hooks.dis"; then fail "the hooks use FPU instructions (above)"; fi
# the tick count (struct rplat_hooks.now, 8 bytes at offset 16) is read by every hook in one LDRD, which an
# exception restarts whole: so rplat_hooks_tick(), which may preempt a hook (hooks.h), cannot leave it
# half old, half new. Two LDRs (or an LDM, which an exception may continue) could, off by 2^32 at a carry.
for h in rplat_hook_isr rplat_hook_rx rplat_hook_send rplat_mark; do
    awk -v h="$h" '$0 ~ "^[0-9a-f]+ <" h ">:" {on = 1; next} /^$/ {on = 0} on' "$TMPDIR/hooks.dis" |
        grep -Eq 'ldrd[[:space:]]+[a-z0-9]+, [a-z0-9]+, \[[a-z0-9]+, #16\]' ||
        fail "$h does not read the 64-bit tick count in one ldrd (a tick preempting it could tear it)"
done
echo "ok"
