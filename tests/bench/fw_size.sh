#!/bin/bash
# Firmware figures (printed, never asserted): size per target, and the instructions the probe executes
# per message from the doorbell to the reply's doorbell, excluding the payload copy.
#
# How the instructions are counted: the real qemu-mps2-an386 ELF runs under qemu-system-arm with one
# instruction per translation block and every executed block logged (-d exec,nochain + -singlestep or
# one-insn-per-tb), so the log has one line per executed instruction with its PC. This script plays the
# host's part through the shared PSRAM file and a pipe chardev: it lays out the vrings as remoteproc
# would, sets DRIVER_OK, lets the probe announce, then posts one 40-byte PING and rings. Counted: from
# the first instruction of the UART0 RX ISR that serves the PING to the return from the doorbell write
# (mps2_kick), i.e. ISR entry, doorbell drain, attach check, avail pop and validation, t_kick/t_consume/
# t_reply stamps, RPMsg and protocol checks, used push of the request, RX-buffer pop and reply header,
# used push, kick. Excluded: instructions inside memcpy, which on this path copies only the message
# (the request out of its buffer, then into the reply buffer). Exception entry/exit are hardware, not
# instructions. The AM62x image runs the same core code; its HAL differs only in the doorbell drain,
# the counter read (DWT instead of SysTick) and the kick, each a few instructions (see the per-function
# breakdown). Target: <= 150.
#
# Usage: tests/bench/fw_size.sh [BUILD]   (BUILD, the host build directory tests/bench/run.sh passes, is
# not needed.) The firmware comes from $PROBE_FW_BUILD (default probe-fw/build), built if missing.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
fwb=${PROBE_FW_BUILD:-$top/probe-fw/build}
CROSS=${CROSS_COMPILE:-arm-none-eabi-}
am62=$fwb/am62x-m4f/am62-mcu-m4f0_0-fw
qemu_elf=$fwb/qemu-mps2-an386/rplat-probe.elf

if [ ! -f "$am62" ] || [ ! -f "$qemu_elf" ]; then
    make --no-print-directory -C "$top/probe-fw" all BUILDDIR="$fwb" >/dev/null || { echo "fw_size: firmware build failed"; exit 1; }
fi

# awk (mawk or gawk) has no portable hex conversion
HEX='function hex(s,   i, c, v) { v = 0; s = tolower(s); sub(/^0x/, "", s)
    for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)); if (!c) break; v = v * 16 + c - 1 }
    return v }'

echo "# firmware size (bytes; text = code + rodata + vectors + build-id, data = resource table + .data)"
printf '%-18s %8s %8s %8s %10s %16s  %s\n' target text data bss text+data data+bss+stack budget
for elf in "$am62" "$qemu_elf"; do
    t=$(basename "$(dirname "$elf")")
    read -r text data bss _ < <("${CROSS}size" "$elf" | awk 'NR == 2 { print $1, $2, $3 }')
    # RAM taken in the data RAM: .data + .bss + .stack
    ram=$("${CROSS}readelf" -SW "$elf" | awk "$HEX"'
        { for (i = 1; i < NF; i++) if ($i ~ /^\.(data|bss|stack)$/) sum += hex($(i + 4)) } END { print sum + 0 }')
    td=$((text + data))
    printf '%-18s %8d %8d %8d %10d %16d  %s\n' "$t" "$text" "$data" "$bss" "$td" "$ram" \
        "$([ "$td" -le 32768 ] && echo "ok (<= 32768)" || echo "OVER 32768")"
done

echo
echo "# instructions per PING, doorbell to reply doorbell, excluding the payload copy (qemu-mps2-an386)"
if ! command -v qemu-system-arm >/dev/null; then
    echo "skipped: qemu-system-arm not installed"
    exit 0
fi
work=$(mktemp -d /tmp/rplat-fwbench.XXXXXX)
shm=/dev/shm/rplat-fwbench-$$
qpid=
cleanup() {
    [ -n "$qpid" ] && kill "$qpid" 2>/dev/null && wait "$qpid" 2>/dev/null
    rm -rf "$work" "$shm"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

truncate -s 16M "$shm"
mkfifo "$work/db.in" "$work/db.out"
if qemu-system-arm -accel tcg,help 2>/dev/null | grep -q one-insn-per-tb; then
    onestep=(-accel tcg,one-insn-per-tb=on)
else
    onestep=(-singlestep)
fi
qemu-system-arm -machine mps2-an386,memory-backend=m \
    -object memory-backend-file,id=m,size=16M,mem-path="$shm",share=on \
    -display none -monitor none -serial chardev:db -chardev pipe,id=db,path="$work/db" \
    "${onestep[@]}" -d exec,nochain -D "$work/exec.log" -kernel "$qemu_elf" 2>"$work/qemu.err" &
qpid=$!
exec 3<>"$work/db.in" 4<>"$work/db.out"

# little-endian integer of SIZE bytes at OFF in the shared file
put() {
    local off=$1 size=$2 val=$3 bytes="" i
    for ((i = 0; i < size; i++)); do bytes+=$(printf '\\x%02x' $(((val >> (8 * i)) & 0xff))); done
    printf "$bytes" | dd of="$shm" bs=1 seek="$off" conv=notrunc status=none
}
get16() { od -An -tu2 -j "$1" -N2 "$shm" | tr -d ' '; }
wait_for() { # OFFSET VALUE: wait until the u16 there equals VALUE
    local i
    for ((i = 0; i < 500; i++)); do [ "$(get16 "$1")" = "$2" ] && return 0; sleep 0.01; done
    echo "fw_size: timed out waiting for the probe (u16 at $1 != $2)"; cat "$work/qemu.err"; exit 1
}

DA=$((0x21000000)) NUM=256 V0=$((0x2000)) V1=$((0x5000)) BUF=$((0x8000))
AV=$((16 * NUM)) US=8192
wait_for 0 1                                  # the resource table is loaded: ver 1
for i in 0 1 2 3; do                          # four RX buffers on vring0
    put $((V0 + 16 * i)) 8 $((DA + BUF + 512 * i)); put $((V0 + 16 * i + 8)) 4 512; put $((V0 + 16 * i + 12)) 2 2
    put $((V0 + AV + 4 + 2 * i)) 2 "$i"
done
put $((V0 + AV + 2)) 2 4
put 52 4 $((DA + V0)); put 64 4 0; put 72 4 $((DA + V1)); put 84 4 1   # vring da and notifyid
put 40 4 1                                    # gfeatures: NS
put 48 1 15                                   # status: ... DRIVER_OK
printf '\x00' >&3
wait_for $((V0 + US + 2)) 2                   # both name-service announcements
sleep 0.2
tx=$((BUF + 512 * 8))                         # one PING of 40 bytes in a TX buffer
put "$tx" 4 1024; put $((tx + 4)) 4 14; put $((tx + 12)) 2 40
put $((tx + 16)) 2 $((0x5052)); put $((tx + 18)) 1 1; put $((tx + 19)) 1 3; put $((tx + 20)) 2 40
put $((V1 + 0)) 8 $((DA + tx)); put $((V1 + 8)) 4 56
put $((V1 + AV + 4)) 2 0; put $((V1 + AV + 2)) 2 1
printf '\x01' >&3
wait_for $((V0 + US + 2)) 3                   # the PONG
sleep 0.2
kill "$qpid"; wait "$qpid" 2>/dev/null; qpid=

# function ranges from the symbol table, then walk the log from the last UART ISR entry
"${CROSS}nm" -S --defined-only "$qemu_elf" | awk 'NF == 4 && $3 ~ /[tTwW]/' >"$work/syms"
isr=$(awk '$4 == "mps2_uart0_rx_isr" { print $1 }' "$work/syms")
awk -v isr="$isr" "$HEX"'
    FNR == NR { lo[NR] = hex($1); lo[NR] -= lo[NR] % 2; hi[NR] = lo[NR] + hex($2); name[NR] = $4; n = NR; next }
    function fn(pc,   i) { for (i = 1; i <= n; i++) if (pc >= lo[i] && pc < hi[i]) return name[i]; return "?" }
    /^Trace/ { split($4, w, "/"); pc[++m] = hex(w[2]) }
    END {
        start = 0; entry = hex(isr); entry -= entry % 2
        for (i = 1; i <= m; i++) if (pc[i] == entry) start = i
        if (!start) { print "no UART ISR entry in the trace"; exit 1 }
        total = 0; copy = 0; seen = 0
        for (i = start; i <= m; i++) {
            f = fn(pc[i]); cnt[f]++; total++
            if (f == "memcpy") copy++
            if (f == "mps2_kick") seen = 1
            else if (seen) { cnt[f]--; total--; break }
        }
        printf "instructions: %d (all %d, of which %d in memcpy copying the message)\n", total - copy, total, copy
        printf "per function:"
        for (f in cnt) if (f != "memcpy") printf " %s=%d", f, cnt[f]
        printf "\n"
    }' "$work/syms" "$work/exec.log"
echo "target: <= 150"
