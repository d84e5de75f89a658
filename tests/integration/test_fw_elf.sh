#!/bin/bash
# The built probe firmware ELFs, inspected with the cross binutils: memory layout, vector table, the
# resource table decoded and checked against the rules remoteproc applies (FACTS section 1), RAM fit and
# size. Brings probe-fw/build up to date first (make -C probe-fw all, a no-op when built).
. "$TOP/tests/integration/lib.sh"

CROSS=${CROSS_COMPILE_FW:-arm-none-eabi-}
for t in gcc readelf nm objdump; do
    command -v "${CROSS}$t" >/dev/null || skip "${CROSS}$t not installed (Debian: gcc-arm-none-eabi)"
done
fw=$TOP/probe-fw/build
make --no-print-directory -C "$TOP/probe-fw" all >"$TMPDIR/build.log" 2>&1 ||
    { cat "$TMPDIR/build.log"; fail "firmware build failed"; }

# ---- helpers over one ELF: $elf ----
u32() { od -An -tu4 -j "$1" -N4 "$elf" | tr -d ' '; }
u8() { od -An -tu1 -j "$1" -N1 "$elf" | tr -d ' '; }
str() { dd if="$elf" bs=1 skip="$1" count="$2" status=none | tr -d '\0'; }
hex() { printf '0x%x' "$1"; }
# section NAME -> "addr offset size align" in decimal, or nothing
section() {
    "${CROSS}readelf" -SW "$elf" | sed -n 's/^ *\[ *[0-9]*\] *//p' | while read -r name type addr off size rest; do
        [ "$name" = "$1" ] && echo "$((16#$addr)) $((16#$off)) $((16#$size)) ${rest##* }"
    done
}
# every allocated section: "name addr size"
alloc_sections() {
    "${CROSS}readelf" -SW "$elf" | sed -n 's/^ *\[ *[0-9]*\] *//p' | while read -r name type addr off size es flg rest; do
        case $flg in *A*) echo "$name $((16#$addr)) $((16#$size))" ;; esac
    done
}
declare -A SYMS
load_syms() { # the symbol table of $elf, once
    local a t n
    SYMS=()
    while read -r a t n; do [ -n "$n" ] && [ -z "${SYMS[$n]:-}" ] && SYMS[$n]=$((16#$a)); done < <("${CROSS}nm" "$elf")
}
sym() { # NAME -> address in decimal
    [ -n "${SYMS[$1]:-}" ] || fail "$elf: no symbol $1"
    echo "${SYMS[$1]}"
}
in_range() { [ "$1" -ge "$2" ] && [ "$(($1 + ${4:-0}))" -le "$3" ]; } # VALUE LO HI [SIZE]

# check_vectors NENTRIES RAM_LO RAM_HI "INDEX=SYMBOL ..." [TABLE_ADDR (default 0)]
check_vectors() {
    local n=$1 lo=$2 hi=$3 map=$4 at=${5:-0} addr off size al words i want sp reset fault
    read -r addr off size al < <(section .vectors)
    [ -n "${addr:-}" ] || fail "$elf: no .vectors section"
    [ "$addr" -eq "$at" ] || fail "$elf: vector table at $(hex "$addr"), expected $(hex "$at")"
    [ "$size" -eq $((4 * n)) ] || fail "$elf: vector table $size bytes, expected $((4 * n))"
    mapfile -t words < <(od -An -tu4 -v -j "$off" -N "$size" "$elf" | tr -s ' ' '\n' | sed '/^$/d')
    sp=${words[0]}
    in_range "$sp" $((lo + 1)) "$hi" || fail "$elf: initial SP $(hex "$sp") not in RAM ($(hex "$lo")..$(hex "$hi")]"
    [ $((sp % 8)) -eq 0 ] || fail "$elf: initial SP $(hex "$sp") not 8-byte aligned"
    [ "$sp" -eq "$(sym __stack_top)" ] || fail "$elf: initial SP is not __stack_top"
    reset=${words[1]}
    [ $((reset & 1)) -eq 1 ] || fail "$elf: reset vector $(hex "$reset") has no Thumb bit"
    [ $((reset & ~1)) -eq "$(sym cm_reset)" ] || fail "$elf: reset vector does not point at cm_reset"
    [ "$(("$("${CROSS}readelf" -h "$elf" | awk '/Entry point/ { print $NF }')"))" -eq "$reset" ] ||
        fail "$elf: ELF entry point differs from the reset vector"
    fault=$(($(sym cm_fault) | 1))
    for ((i = 2; i < n; i++)); do
        want=$fault
        for m in $map; do [ "${m%%=*}" -eq "$i" ] && want=$(($(sym "${m#*=}") | 1)); done
        [ "${words[$i]}" -eq "$want" ] ||
            fail "$elf: vector $i = $(hex "${words[$i]}"), expected $(hex "$want")"
    done
    echo "  vectors: $n entries, SP $(hex "$sp"), reset $(hex "$reset"), $map"
}

# check_rsc RSC_ADDR TRACE_LO TRACE_HI TRACE_NAME: the 140-byte table, decoded field by field
check_rsc() {
    local want_addr=$1 tlo=$2 thi=$3 tname=$4 addr off size al num i o type avail base vr da
    read -r addr off size al < <(section .resource_table)
    [ -n "${addr:-}" ] || fail "$elf: no .resource_table section"
    [ "$addr" -eq "$want_addr" ] || fail "$elf: .resource_table at $(hex "$addr"), expected $(hex "$want_addr")"
    [ "$size" -eq 140 ] || fail "$elf: .resource_table is $size bytes, expected 140 (struct rplat_rsc_table)"
    [ "$al" -ge 4096 ] || fail "$elf: .resource_table aligned to $al, expected 4096"
    [ "$(sym rplat_rsc)" -eq "$addr" ] || fail "$elf: rplat_rsc is not at the section start"
    # find_table: ver 1, reserved 0, offset array inside
    [ "$(u32 "$off")" -eq 1 ] || fail "$elf: resource table ver $(u32 "$off"), expected 1"
    num=$(u32 $((off + 4)))
    [ "$num" -eq 2 ] || fail "$elf: resource table num $num, expected 2"
    [ "$(u32 $((off + 8)))" -eq 0 ] && [ "$(u32 $((off + 12)))" -eq 0 ] || fail "$elf: reserved words not 0"
    [ $((16 + 4 * num)) -le "$size" ] || fail "$elf: offset array does not fit"
    local seen_vdev=0 seen_trace=0
    for ((i = 0; i < num; i++)); do
        o=$(u32 $((off + 16 + 4 * i)))
        avail=$((size - o - 4))
        [ "$o" -ge $((16 + 4 * num)) ] && [ "$avail" -ge 0 ] || fail "$elf: entry $i offset $o outside the table body"
        [ $((o % 4)) -eq 0 ] || fail "$elf: entry $i offset $o not word aligned"
        type=$(u32 $((off + o)))
        base=$((off + o + 4))
        case $type in
        3) # vdev: id 7, NS feature, 2 vrings, nothing Linux writes back pre-set
            seen_vdev=1
            [ $((24 + 2 * 20)) -le "$avail" ] || fail "$elf: vdev truncated ($avail bytes)"
            [ "$(u32 "$base")" -eq 7 ] || fail "$elf: vdev id $(u32 "$base"), expected 7 (VIRTIO_ID_RPMSG)"
            [ "$(u32 $((base + 8)))" -eq 1 ] || fail "$elf: vdev dfeatures $(u32 $((base + 8))), expected 1 (NS)"
            [ "$(u32 $((base + 12)))" -eq 0 ] || fail "$elf: vdev gfeatures not 0"
            [ "$(u32 $((base + 16)))" -eq 0 ] || fail "$elf: vdev config_len not 0"
            [ "$(u8 $((base + 20)))" -eq 0 ] || fail "$elf: vdev status not 0"
            [ "$(u8 $((base + 21)))" -eq 2 ] || fail "$elf: vdev num_of_vrings $(u8 $((base + 21))), expected 2"
            [ "$(u8 $((base + 22)))" -eq 0 ] && [ "$(u8 $((base + 23)))" -eq 0 ] || fail "$elf: vdev reserved not 0"
            for vr in 0 1; do
                local v=$((base + 24 + 20 * vr))
                da=$(u32 "$v")
                [ "$da" -eq 4294967295 ] || fail "$elf: vring$vr da $(hex "$da"), expected FW_RSC_ADDR_ANY"
                [ "$(u32 $((v + 4)))" -eq 4096 ] || fail "$elf: vring$vr align $(u32 $((v + 4))), expected 4096"
                [ "$(u32 $((v + 8)))" -eq 256 ] || fail "$elf: vring$vr num $(u32 $((v + 8))), expected 256"
                [ "$(u32 $((v + 12)))" -eq $((vr + 1)) ] || fail "$elf: vring$vr notifyid $(u32 $((v + 12)))"
                [ "$(u32 $((v + 16)))" -eq 0 ] || fail "$elf: vring$vr pa not 0"
            done
            ;;
        2) # trace: a buffer in the firmware's own RAM
            seen_trace=1
            [ 44 -le "$avail" ] || fail "$elf: trace entry truncated"
            da=$(u32 "$base")
            local len
            len=$(u32 $((base + 4)))
            [ "$len" -eq 4096 ] || fail "$elf: trace len $len, expected 4096"
            in_range "$da" "$tlo" "$thi" "$len" || fail "$elf: trace da $(hex "$da") + $len outside $(hex "$tlo")..$(hex "$thi")"
            [ "$da" -eq "$(sym rplat_trace_buf)" ] || fail "$elf: trace da is not rplat_trace_buf"
            [ "$(u32 $((base + 8)))" -eq 0 ] || fail "$elf: trace reserved not 0"
            [ "$(str $((base + 12)) 32)" = "$tname" ] || fail "$elf: trace name '$(str $((base + 12)) 32)', expected '$tname'"
            ;;
        0 | 1) fail "$elf: carveout/devmem entry $i (devmem aborts the boot without an IOMMU; none wanted)" ;;
        *) fail "$elf: entry $i has type $type" ;;
        esac
    done
    [ "$seen_vdev" -eq 1 ] && [ "$seen_trace" -eq 1 ] || fail "$elf: vdev or trace entry missing"
    echo "  resource table: $(hex "$addr"), 140 bytes, vdev 7 + 2 vrings (ADDR_ANY/4096/256, notifyid 1 2), trace '$tname' @ $(hex "$(sym rplat_trace_buf)")"
}

# check_ram RAM_LO RAM_HI: .data/.bss/.stack inside, stack at the top, nothing overlapping
check_ram() {
    local lo=$1 hi=$2 s addr off size al
    for s in .data .bss .stack; do
        read -r addr off size al < <(section "$s")
        [ -n "${addr:-}" ] || continue
        in_range "$addr" "$lo" "$hi" "$size" || fail "$elf: $s $(hex "$addr")+$size outside RAM $(hex "$lo")..$(hex "$hi")"
    done
    [ "$(sym __bss_end)" -le "$(sym __stack_bottom)" ] || fail "$elf: .bss runs into the stack"
    [ "$(sym __stack_top)" -le "$hi" ] || fail "$elf: stack top above RAM"
    [ $(($(sym __stack_top) - $(sym __stack_bottom))) -ge 4096 ] || fail "$elf: stack smaller than 4 KiB"
    echo "  RAM: .data+.bss end $(hex "$(sym __bss_end)"), stack $(hex "$(sym __stack_bottom)")..$(hex "$(sym __stack_top)"), in $(hex "$lo")..$(hex "$hi")"
}

# every loadable segment must land where the loader can put it: p_paddr inside one of the ranges
check_segments() {
    local ranges=$1 type off va pa fsz msz ok r
    while read -r type off va pa fsz msz _; do
        [ "$type" = LOAD ] || continue
        ok=0
        for r in $ranges; do in_range $((pa)) $((${r%-*})) $((${r#*-})) $((msz)) && ok=1; done
        [ "$ok" -eq 1 ] || fail "$elf: segment at paddr $pa (memsz $msz) outside $ranges"
        [ $((va)) -eq $((pa)) ] || [ $((fsz)) -gt 0 ] || fail "$elf: unloaded segment with paddr $pa != vaddr $va"
    done < <("${CROSS}readelf" -lW "$elf" | awk '$1 == "LOAD"')
}

check_size() {
    local text data bss
    read -r text data bss < <("${CROSS}size" "$elf" | awk 'NR == 2 { print $1, $2, $3 }')
    [ $((text + data)) -le 32768 ] || fail "$elf: text+data = $((text + data)) bytes, over 32 KiB"
    "${CROSS}readelf" -n "$elf" | grep -q 'Build ID: [0-9a-f]\{40\}' || fail "$elf: no 20-byte GNU build-id"
    [ "$(sym __build_id_end)" -gt "$(sym __build_id_start)" ] || fail "$elf: build-id note not between its symbols"
    echo "  size: text $text + data $data = $((text + data)) bytes (<= 32768), bss $bss; $("${CROSS}readelf" -n "$elf" | grep -o 'Build ID: .*')"
}

# ---- am62x-m4f: what remoteproc loads as am62-mcu-m4f0_0-fw ----
elf=$fw/am62x-m4f/am62-mcu-m4f0_0-fw
[ -f "$elf" ] || fail "no $elf"
load_syms
echo "am62x-m4f: $elf"
"${CROSS}readelf" -h "$elf" | grep -q 'Machine: *ARM' || fail "$elf: not an ARM ELF"
"${CROSS}readelf" -h "$elf" | grep -q 'Type: *EXEC' || fail "$elf: not an executable"
"${CROSS}readelf" -A "$elf" | grep -q 'Tag_ABI_VFP_args: VFP registers' || fail "$elf: not hard-float"
"${CROSS}readelf" -A "$elf" | grep -q "Tag_CPU_name: \"7E-M\"\|Tag_CPU_arch: v7E-M" || fail "$elf: not built for v7E-M (Cortex-M4)"
IRAM_LO=0 IRAM_HI=$((0x30000)) DRAM_LO=$((0x30000)) DRAM_HI=$((0x40000))
check_vectors 128 $DRAM_LO $DRAM_HI "15=m4f_systick_isr 66=m4f_mbox_isr"
for s in .text .rodata .note.gnu.build-id; do
    read -r addr off size al < <(section "$s")
    in_range "$addr" $IRAM_LO $IRAM_HI "$size" || fail "$elf: $s outside IRAM"
done
for f in m4f_mbox_isr m4f_systick_isr cm_reset main; do
    a=${SYMS[$f]:-${SYMS[cm_reset]}} # main may be inlined into cm_reset
    in_range "$a" $IRAM_LO $IRAM_HI || fail "$elf: $f at $(hex "$a") outside IRAM"
done
check_rsc $DRAM_LO $DRAM_LO $DRAM_HI "trace:m4fss0_0"
check_ram $DRAM_LO $DRAM_HI
check_segments "$IRAM_LO-$IRAM_HI $DRAM_LO-$DRAM_HI"
check_size
# everything in IRAM or DRAM: no DDR section that would need the m4f-memory carveout
while read -r name addr size; do
    in_range "$addr" $IRAM_LO $IRAM_HI "$size" || in_range "$addr" $DRAM_LO $DRAM_HI "$size" ||
        fail "$elf: section $name at $(hex "$addr") outside IRAM and DRAM"
done < <(alloc_sections)
# the register bases the HAL uses in the image: RAT, mailbox through the RAT, DWT, SCS
read -r addr off size al < <(section .rodata)
base=$(sym m4f_regs_hw)
regs="$(u32 $((off + base - addr))) $(u32 $((off + base - addr + 4))) $(u32 $((off + base - addr + 8))) $(u32 $((off + base - addr + 12)))"
[ "$regs" = "$((0x44200000)) $((0xB9000000)) $((0xE0001000)) $((0xE000E000))" ] ||
    fail "$elf: m4f_regs_hw = $regs, expected RAT 0x44200000, mailbox 0xB9000000, DWT 0xE0001000, SCS 0xE000E000"
echo "  HAL bases: RAT 0x44200000, mailbox 0xB9000000 (cluster 0 via RAT), DWT 0xE0001000, SCS 0xE000E000"
# the mailbox ISR calls into the mailbox drain (or has it inlined): it must reach code that reads MSGSTATUS
"${CROSS}objdump" -d --no-show-raw-insn "$elf" | awk '/<m4f_mbox_isr>:/,/^$/' | grep -q 'bl.*<\(m4f_mbox_drain\|rp_probe_kick_isr\)' ||
    "${CROSS}objdump" -d "$elf" | awk '/<m4f_mbox_isr>:/,/^$/' | grep -q '#196\|0xc4' || fail "$elf: m4f_mbox_isr does not drain the mailbox"

# ---- qemu-mps2-an386 ----
elf=$fw/qemu-mps2-an386/rplat-probe.elf
[ -f "$elf" ] || fail "no $elf"
load_syms
echo "qemu-mps2-an386: $elf"
SRAM_LO=$((0x20000000)) SRAM_HI=$((0x20010000)) PSRAM=$((0x21000000))
check_vectors 48 $SRAM_LO $SRAM_HI "16=mps2_uart0_rx_isr 24=mps2_timer0_isr"
# the table and the trace buffer open the shared PSRAM, below the host's pool at +8 KiB
check_rsc $PSRAM $((PSRAM + 4096)) $((PSRAM + 8192)) "trace:rplat-qemu"
check_ram $SRAM_LO $SRAM_HI
check_segments "0-$((0x400000)) $SRAM_LO-$SRAM_HI $PSRAM-$((PSRAM + 8192))"
check_size

# ---- qemu-vboard: the same probe run from PSRAM, loaded by the virtual board's remoteproc ----
# (host-tools/vboard: BAR2 = PSRAM; the table page at +0, the control block at +8 KiB and the driver's
# vring/buffer carveouts up to +1 MiB; the image from +1 MiB, where the boot ROM jumps)
elf=$fw/qemu-vboard/rplat-probe.elf
[ -f "$elf" ] || fail "no $elf"
load_syms
echo "qemu-vboard: $elf"
IMG=$((PSRAM + 0x100000)) PSRAM_HI=$((PSRAM + 0x1000000))
check_vectors 48 $IMG $PSRAM_HI "16=mps2_uart0_rx_isr 24=mps2_timer0_isr" $IMG
check_rsc $PSRAM $((PSRAM + 4096)) $((PSRAM + 8192)) "trace:rplat-qemu"
check_ram $IMG $PSRAM_HI
# every PT_LOAD in the window, none over the control block and the carveouts
check_segments "$PSRAM-$((PSRAM + 4096)) $IMG-$PSRAM_HI"
while read -r name addr size; do
    in_range "$addr" $PSRAM $((PSRAM + 8192)) "$size" || in_range "$addr" $IMG $PSRAM_HI "$size" ||
        fail "$elf: section $name at $(hex "$addr") outside the table page and the image"
done < <(alloc_sections)
[ "$(sym __data_load)" -eq "$(sym __data_start)" ] || fail "$elf: .data is not run where it is loaded"
check_size

# ---- qemu-vboard-rom: its boot ROM, QEMU's only image ----
elf=$fw/qemu-vboard-rom/rplat-vboot.elf
[ -f "$elf" ] || fail "no $elf"
load_syms
echo "qemu-vboard-rom: $elf"
check_segments "0-$((0x1000)) $SRAM_LO-$SRAM_HI" # nothing in PSRAM: QEMU must not overwrite the firmware
read -r addr off size al < <(section .vectors)
[ "$addr" -eq 0 ] && [ "$size" -eq 64 ] || fail "$elf: vector table $(hex "$addr")+$size, expected 0+64"
in_range "$(u32 "$off")" $((SRAM_LO + 1)) $SRAM_HI || fail "$elf: initial SP $(hex "$(u32 "$off")") not in SSRAM2"
[ "$(u32 $((off + 4)))" -eq $(($(sym vboot_reset) | 1)) ] || fail "$elf: reset vector is not vboot_reset"
"${CROSS}objdump" -d "$elf" | grep -q '\.word.*0x21100000' || fail "$elf: no reference to the firmware's vector table 0x21100000"
"${CROSS}objdump" -d "$elf" | grep -q 'msr.*MSP\|msr.*msp' || fail "$elf: never sets MSP"
echo "  boot ROM: $size-byte vector table at 0, SP $(hex "$(u32 "$off")"), jumps to the table at 0x21100000 (VTOR, MSP)"
echo "PASS"
