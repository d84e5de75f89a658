#!/bin/bash
# The rplat hooks' cost regression check: every hook call of the QEMU echo firmware, counted instruction
# by instruction from QEMU's execution log (tests/bench/bench_hooks.sh --check, 64- and 5-byte messages:
# the digest's word and overlapping-word paths), costs at most 40 instructions, the issue's target.
# The count is exact and repeatable for one compiler (no timing involved), so a change that makes a hook
# dearer fails here rather than only moving a benchmark figure; a different arm-none-eabi-gcc may
# schedule differently, and the failure names the compiler so that the README table can be re-measured.
. "$TOP/tests/integration/lib.sh"

CROSS=${CROSS_COMPILE_FW:-arm-none-eabi-}
command -v qemu-system-arm >/dev/null || skip "qemu-system-arm not installed (Debian: qemu-system-arm)"
command -v "${CROSS}gcc" >/dev/null || skip "${CROSS}gcc not installed (Debian: gcc-arm-none-eabi)"
"$TOP/tests/bench/bench_hooks.sh" --check "$BUILD" "64 5" >"$TMPDIR/out" 2>&1
rc=$?
cat "$TMPDIR/out"
[ $rc = 0 ] || fail "a hook call costs more than 40 instructions (or was not measured), with $("${CROSS}gcc" --version | head -n 1)"
grep -q "rplat_hook_rx .* 200 " "$TMPDIR/out" || fail "the benchmark measured no 200 RX hook calls"
echo "ok"
