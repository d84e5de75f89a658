#!/bin/bash
# rplat hooks (probe-fw/hooks): instructions per call, measured in QEMU. Printed, never asserted.
#
# How: the example echo firmware (probe-fw TARGET=qemu-echo) runs under qemu-system-arm with one
# instruction per translation block and every executed block logged (-d exec,nochain + -singlestep, as
# tests/bench/fw_size.sh does for the probe), started through the qemu link's qemu= option by the plain
# echo client (tests/integration/echo_client.c), which sends 200 messages. For every entry into a hook
# (its first instruction's PC), the instructions up to the return address (the caller's bl + 4) are
# counted, the target's counter HAL (mps2_counter + rp_ctr_ext_update: SysTick extended to 64 bits)
# counted apart. Target: <= 40 per call.
# Usage: tests/bench/bench_hooks.sh BUILD
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
CROSS=${CROSS_COMPILE_FW:-arm-none-eabi-}
command -v qemu-system-arm >/dev/null || { echo "skipped: qemu-system-arm not installed"; exit 0; }
command -v "${CROSS}gcc" >/dev/null || { echo "skipped: ${CROSS}gcc not installed"; exit 0; }
make --no-print-directory -C "$top/probe-fw" TARGET=qemu-echo >/dev/null || { echo "firmware build failed"; exit 1; }
work=$(mktemp -d /tmp/rplat-hookbench.XXXXXX)
trap 'rm -rf "$work"' EXIT
elf=$top/probe-fw/build/qemu-echo/rplat-echo.elf
cc -O2 -D_GNU_SOURCE -I"$top/probe-fw/include" -I"$top/probe-fw/core" -I"$top/probe-fw/targets/host" \
    -I"$top/host-tools/include" "$top/tests/integration/echo_client.c" "$build/librplat.a" \
    $(pkg-config --libs libtracefs libtraceevent libelf libtracecmd) -lfdt -lm -lpthread -o "$work/client" ||
    { echo "client build failed"; exit 1; }
if qemu-system-arm -accel tcg,help 2>/dev/null | grep -q one-insn-per-tb; then
    onestep="-accel tcg,one-insn-per-tb=on"
else
    onestep="-singlestep"
fi
printf '#!/bin/sh\nexec qemu-system-arm "$@" %s -d exec,nochain -D %s\n' "$onestep" "$work/exec.log" >"$work/qemu"
chmod +x "$work/qemu"
"$work/client" "qemu:$elf,qemu=$work/qemu" 200 2000 64 0 >"$work/client.log" 2>&1 ||
    { echo "the echo client failed: $(tail -n 1 "$work/client.log")"; exit 1; }
"${CROSS}nm" -S --defined-only "$elf" >"$work/syms"
python3 - "$work/syms" "$work/exec.log" <<'PY'
import sys, collections
syms = {}
for l in open(sys.argv[1]):
    f = l.split()
    if len(f) == 4 and f[2] in "tTwW":
        syms[f[3]] = (int(f[0], 16), int(f[1], 16))
hooks = ["rplat_hook_isr", "rplat_hook_rx", "rplat_hook_send", "rplat_mark"]
hal = [syms[n] for n in ("mps2_counter", "rp_ctr_ext_update") if n in syms]
starts = {syms[h][0]: h for h in hooks if h in syms}
pcs = [int(l.split()[3].split("/")[1], 16) for l in open(sys.argv[2]) if l.startswith("Trace")]
res = collections.defaultdict(list)
i = 0
while i < len(pcs):
    h = starts.get(pcs[i])
    if h and i > 0:
        ret, n, nh, j = pcs[i - 1] + 4, 0, 0, i
        while j < len(pcs) and pcs[j] != ret and n < 10000:
            n += 1
            nh += any(a <= pcs[j] < a + s for a, s in hal)
            j += 1
        res[h].append((n, nh))
        i = j
    else:
        i += 1
print("   %-16s %6s %10s %12s %12s   (instructions per call, qemu-mps2-an386, Cortex-M4 Thumb-2, -O2)"
      % ("hook", "calls", "total", "hook only", "counter HAL"))
for h in hooks:
    v = res.get(h)
    if not v:
        print("   %-16s %6d" % (h, 0))
        continue
    tot = sum(a for a, b in v) / len(v)
    hc = sum(b for a, b in v) / len(v)
    print("   %-16s %6d %10.1f %12.1f %12.1f   min %d max %d; target <= 40" %
          (h, len(v), tot, tot - hc, hc, min(a for a, b in v), max(a for a, b in v)))
PY
