#!/bin/bash
# Benchmark: `rplat check rsc` on a 10 MB firmware ELF (target < 50 ms), printed, never asserted.
# The ELF is built here with arm-none-eabi-gcc: the TI-style resource table, code in the M4F's IRAM, and
# 10 MB of initialised data in the firmware DDR region (m4f-memory@9cc00000), so the image is clean and
# every check runs over real segments. Usage: tests/bench/bench_check.sh BUILD
set -u
build=${1:-build}
rplat=$build/rplat
cc=arm-none-eabi-gcc
if ! command -v "$cc" >/dev/null; then
    echo "   skipped: $cc not installed (Debian package gcc-arm-none-eabi)"
    exit 0
fi
tmp=$(mktemp -d /tmp/rplat-bench-check.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/fw.c" <<'C'
#include <stddef.h>
#include "rplat/wire/rsc_table.h"

#define BIG (10u << 20)
/* 10 MB of initialised data: a lookup table a real firmware might carry */
__attribute__((section(".ddr_data"), used)) unsigned char big_table[BIG] = { 1, 2, 3 };
__attribute__((section(".log_buf"), used)) char trace_buf[4096];

__attribute__((section(".resource_table"), used)) const struct rplat_rsc_table rsc = {
	.base = { 1, 2, { 0, 0 } },
	.offset = { offsetof(struct rplat_rsc_table, vdev_hdr), offsetof(struct rplat_rsc_table, trace_hdr) },
	.vdev_hdr = { RSC_VDEV },
	.vdev = { VIRTIO_ID_RPMSG, 0, 1, 0, 0, 0, 2, { 0, 0 } },
	.vring0 = { FW_RSC_ADDR_ANY, 4096, 256, 1, 0 },
	.vring1 = { FW_RSC_ADDR_ANY, 4096, 256, 2, 0 },
	.trace_hdr = { RSC_TRACE },
	.trace = { 0x31000, 4096, 0, "trace:m4fss0_0" },
};

void _start(void)
{
	for (;;)
		big_table[0]++;
}
C
cat >"$tmp/fw.ld" <<'LD'
MEMORY {
	IRAM (rx) : ORIGIN = 0x00000000, LENGTH = 0x30000
	DRAM (rw) : ORIGIN = 0x00030000, LENGTH = 0x10000
	DDR (rw)  : ORIGIN = 0x9cc00000, LENGTH = 0xe00000
}
SECTIONS {
	.text : { *(.text*) *(.rodata*) } > IRAM
	.resource_table : ALIGN(4096) { KEEP(*(.resource_table)) } > DRAM
	.log_buf (NOLOAD) : ALIGN(4096) { *(.log_buf) } > DRAM
	.ddr_data : { KEEP(*(.ddr_data)) } > DDR
	/DISCARD/ : { *(.ARM.exidx*) *(.comment) }
}
LD
if ! "$cc" -mcpu=cortex-m4 -mthumb -O2 -nostdlib -Iprobe-fw/include -T "$tmp/fw.ld" -o "$tmp/fw.elf" "$tmp/fw.c" \
    >"$tmp/cc.log" 2>&1; then
    echo "   skipped: building the 10 MB ELF failed:"; sed 's/^/   /' "$tmp/cc.log"; exit 0
fi
size=$(stat -c %s "$tmp/fw.elf")
"$rplat" check rsc -q "$tmp/fw.elf" >"$tmp/out.txt"
echo "   image: $(sed -n 2p "$tmp/out.txt" | sed 's/^ *//') ($((size / 1024)) KiB); $(tail -n 1 "$tmp/out.txt")"
times=()
for i in $(seq 1 21); do
    t0=$(date +%s%N)
    "$rplat" check rsc "$tmp/fw.elf" >/dev/null
    t1=$(date +%s%N)
    times+=($(((t1 - t0) / 1000)))
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
min=$(echo "$sorted" | head -n 1)
med=$(echo "$sorted" | sed -n 11p)
max=$(echo "$sorted" | tail -n 1)
printf '   rplat check rsc, %.1f MB ELF, 21 runs (whole process, warm cache): min %d.%03d ms, median %d.%03d ms, max %d.%03d ms (target < 50 ms)\n' \
    "$(awk -v s="$size" 'BEGIN { print s / 1048576 }')" $((min / 1000)) $((min % 1000)) $((med / 1000)) $((med % 1000)) $((max / 1000)) $((max % 1000))
