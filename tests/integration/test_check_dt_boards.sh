# rplat check dt against the device trees of real boards: every TI K3, STM32MP15 and i.MX8/i.MX9 board of
# Debian's linux-source-6.12, built with cpp + dtc by dts-corpus.sh (cached under /var/cache/rplat). Each
# must exit 0, except the boards of tests/fixtures/dt/boards-expected.txt, whose defect the kernel itself
# reports. Then mutations of real boards, one per rule, each of which must be caught.
. "$TOP/tests/integration/lib.sh"
command -v fdtput >/dev/null || skip "fdtput missing (Debian package device-tree-compiler)"
rc=0
dir=$(bash "$TOP/tests/integration/dts-corpus.sh") || rc=$?
[ "$rc" -ne 77 ] || skip "$(echo "$dir" | sed -n 's/^SKIP: //p')"
[ "$rc" -eq 0 ] || fail "dts-corpus.sh failed ($rc): $dir"
cat "$dir/build.txt"
expected="$TOP/tests/fixtures/dt/boards-expected.txt"

# 1. the corpus: every board, exit 0 unless listed
n=0 alarms=0
for f in "$dir"/dtb/*/*.dtb; do
    b=$(basename "$f" .dtb)
    want=$(awk -v b="$b" '$1==b {print $2}' "$expected")
    wrule=$(awk -v b="$b" '$1==b {print $3}' "$expected")
    got=0
    "$RPLAT" check dt --dtb "$f" --json >"$TMPDIR/b.json" 2>"$TMPDIR/b.err" || got=$?
    n=$((n + 1))
    if [ "$got" -ne "${want:-0}" ]; then
        alarms=$((alarms + 1))
        echo "board $b: exit $got, expected ${want:-0}:"
        python3 -c 'import json,sys
for f in json.load(open(sys.argv[1]))["findings"]:
    if f["severity"]!="info": print("   ", f["severity"], f["rule"], f["field"], "=", f["value"])' "$TMPDIR/b.json"
        cat "$TMPDIR/b.err"
    elif [ -n "$wrule" ]; then
        jassert "$TMPDIR/b.json" "any(f['rule']=='$wrule' for f in d['findings'])"
    fi
done
echo "boards checked: $n; unexpected exit codes: $alarms"
echo "boards dtc 1.6.1 could not build: $(wc -l <"$dir/failed.txt")"
cut -f1 "$dir/failed.txt" | sed 's/^/    /'
[ "$n" -ge 150 ] || fail "only $n boards in the corpus: the build lost some"
[ "$alarms" -eq 0 ] || fail "$alarms boards got an unexpected exit code"

# 2. what was found on boards whose layout is known
check() { "$RPLAT" check dt --dtb "$dir/dtb/$1.dtb" --json >"$TMPDIR/c.json" || true; }
check ti/k3-am642-evm # 4 R5F cores (checked) and 12 PRU/RTU/TX_PRU cores (identified, nothing to check)
jassert "$TMPDIR/c.json" "sum(p['driver']=='ti_k3_r5_remoteproc' and p['enabled'] for p in d['remoteprocs'])==4"
jassert "$TMPDIR/c.json" "sum(p['driver']=='pru_rproc' for p in d['remoteprocs'])==12"
jassert "$TMPDIR/c.json" "all(p['dma_pool'] and 'r5f-dma-memory' in p['dma_pool'] for p in d['remoteprocs'] if p['driver']=='ti_k3_r5_remoteproc')"
check ti/k3-am62p5-sk # the R5F clusters are disabled, the cores' own status is not
jassert "$TMPDIR/c.json" "d['remoteprocs'] and not any(p['enabled'] for p in d['remoteprocs'])"
check ti/k3-j784s4-evm # more than 16 remote cores, no cap message
jassert "$TMPDIR/c.json" "len(d['remoteprocs'])==12 and not any(f['rule']=='dt.too_many' for f in d['findings'])"
check st/stm32mp157c-dk2 # the pool is the region named vdev0buffer, not RETRAM (the first)
jassert "$TMPDIR/c.json" "d['remoteprocs'][0]['dma_pool'].endswith('vdev0buffer@10042000')"
check freescale/imx8mn-evk # the EASRC has a firmware-name but is no remote core
jassert "$TMPDIR/c.json" "not d['remoteprocs']"
check freescale/imx8qm-mek # two M4s on one shared-dma-pool
jassert "$TMPDIR/c.json" "len(d['remoteprocs'])==2 and not any(f['rule']=='dt.region_shared' for f in d['findings'])"

# 3. mutations of real boards: each must be caught with its rule and exit code
mutate() { # NAME BOARD RULE EXIT fdtput-args... (several mutations separated by --)
    local name=$1 board=$2 rule=$3 want=$4 got=0 args=()
    shift 4
    cp "$dir/dtb/$board.dtb" "$TMPDIR/$name.dtb"
    for a in "$@" --; do
        if [ "$a" = -- ]; then
            [ ${#args[@]} -eq 0 ] || fdtput "$TMPDIR/$name.dtb" "${args[@]}" || fail "$name: fdtput ${args[*]} failed"
            args=()
        else
            args+=("$a")
        fi
    done
    "$RPLAT" check dt --dtb "$TMPDIR/$name.dtb" --json >"$TMPDIR/$name.json" || got=$?
    [ "$got" -eq "$want" ] || fail "$name ($board): exit $got, expected $want"
    jassert "$TMPDIR/$name.json" "any(f['rule']=='$rule' for f in d['findings'])"
    echo "mutation $name ($board): $rule, exit $got"
}
r5=/bus@100000/bus@28380000/r5fss@41000000/r5f@41000000
ph() { fdtget -t x "$dir/dtb/$1.dtb" "$2" phandle; }
pool=$(ph ti/k3-j721e-sk /reserved-memory/r5f-dma-memory@a0000000)
mutate k3-one-region ti/k3-j721e-sk dt.k3_memory_regions 2 -t x "$r5" memory-region "$pool"
mutate k3-pool-mapped ti/k3-j721e-sk dt.pool_mapped 2 -d /reserved-memory/r5f-dma-memory@a0000000 no-map
mutate k3-pool-plain ti/k3-j721e-sk dt.dma_pool_missing 2 -d /reserved-memory/r5f-dma-memory@a0000000 compatible
mutate k3-no-mbox ti/k3-am642-evm dt.rproc_no_mbox 2 -d /bus@f4000/r5fss@78000000/r5f@78000000 mboxes
mutate k3-dangling ti/k3-am642-evm dt.phandle_dangling 2 -t x /bus@f4000/r5fss@78000000/r5f@78000000 memory-region dead beef
mutate k3-mbox-off ti/k3-am642-evm dt.mbox_disabled 2 -t s /bus@f4000/mailbox@29020000 status disabled
fw=$(ph ti/k3-am642-evm /reserved-memory/r5f-memory@a0100000)
pool1=$(ph ti/k3-am642-evm /reserved-memory/r5f-dma-memory@a1000000)
mutate k3-shared-carveout ti/k3-am642-evm dt.region_shared 2 -t x /bus@f4000/r5fss@78000000/r5f@78200000 memory-region "$pool1" "$fw"
mutate k3-overlap ti/k3-am642-evm dt.region_overlap 2 -t x /reserved-memory/r5f-memory@a0100000 reg 0 0xa0000000 0 0x1000000
mutate k3-coherent ti/k3-am642-evm dt.dma_coherent 1 -t x /bus@f4000/r5fss@78000000/r5f@78000000 dma-coherent ""
mutate stm32-no-dma-ranges st/stm32mp157c-dk2 dt.dma_ranges_missing 2 -d /ahb dma-ranges
mutate stm32-region-no-da st/stm32mp157c-dk2 dt.region_no_da 2 -t x /ahb dma-ranges 0x10000000 0x10000000 0x60000
mutate stm32-no-mbox st/stm32mp157c-dk2 dt.rproc_no_kick 1 -d /ahb/m4@10000000 mboxes
mutate stm32-pool-mapped st/stm32mp157c-dk2 dt.pool_mapped 2 -d /reserved-memory/vdev0buffer@10042000 no-map -- \
    -t x /reserved-memory/vdev0buffer@10042000 reg 0xd0000000 0x4000 -- \
    -t x /ahb dma-ranges 0 0x38000000 0x10000 0x10000000 0x10000000 0x60000 0x30000000 0x30000000 0x60000 0xd0000000 0xd0000000 0x100000
vring=$(ph freescale/imx8qm-mek /reserved-memory/memory@90000000)
buf=$(ph freescale/imx8qm-mek /reserved-memory/memory@90400000)
mutate imx-shared-vring freescale/imx8qm-mek dt.region_shared 2 -t x /imx8qm-cm4-1 memory-region "$buf" "$vring"
mutate imx-no-mbox freescale/imx93-11x11-evk dt.rproc_no_kick 1 -d /remoteproc-cm33 mboxes
# memory-region is optional for imx_rproc: a core running from TCM boots, so this is info, exit 0
mutate imx-no-memory freescale/imx93-11x11-evk dt.rproc_no_memory 0 -d /remoteproc-cm33 memory-region
mutate imx-not-reserved freescale/imx93-11x11-evk dt.region_not_reserved 2 -t x /remoteproc-cm33 memory-region "$(ph freescale/imx93-11x11-evk /soc@0/bus@44000000/mailbox@44230000)"
mutate k3-no-reserved-memory ti/k3-am642-evm dt.no_reserved_memory 2 -r /reserved-memory
echo "all mutations caught"

# 4. the firmware cross-check on a real STM32 board: the STM32 map is chosen by the node's compatible,
#    the tree's regions sit at their dma-ranges address (RETRAM at 0), fixed vrings in vdev0vring0/1 are
#    where the driver puts them; the AM62x map is not applied to an STM32 node
rawtable() { # OUT VRING0_DA VRING1_DA ALIGN NUM TRACE_DA: ver 1, a vdev with two vrings and a trace entry
    python3 - "$@" <<'PY'
import struct, sys
out, v0, v1, align, num, tda = sys.argv[1], *[int(x, 0) for x in sys.argv[2:]]
hdr = struct.pack("<4I2I", 1, 2, 0, 0, 24, 92)
vdev = struct.pack("<I5I4B", 3, 7, 0, 1, 0, 0, 0, 2, 0, 0)
vr = struct.pack("<5I", v0, align, num, 0, 0) + struct.pack("<5I", v1, align, num, 1, 0)
trace = struct.pack("<4I32s", 2, tda, 0x1000, 0, b"cm4_log")
open(out, "wb").write(hdr + vdev + vr + trace)
PY
}
dk2="$dir/dtb/st/stm32mp157c-dk2.dtb"
rawtable "$TMPDIR/st-fixed.bin" 0x10040000 0x10041000 16 8 0x10030000
rc=0; "$RPLAT" check dt --dtb "$dk2" --fw "$TMPDIR/st-fixed.bin" --json >"$TMPDIR/x.json" || rc=$?
[ "$rc" -eq 0 ] || { python3 -c 'import json,sys; [print(f["severity"],f["rule"],f["field"],f["value"]) for f in json.load(open(sys.argv[1]))["findings"] if f["severity"]!="info"]' "$TMPDIR/x.json"; fail "dk2 + fixed-vring table: exit $rc"; }
jassert "$TMPDIR/x.json" "d['cross_check']['memmap']=='stm32mp1-m4'"
# a trace in RETRAM at the M4's address 0x1000: inside only if RETRAM (pa 0x38000000) is translated to da 0
rawtable "$TMPDIR/st-retram.bin" 0xffffffff 0xffffffff 16 8 0x1000
rc=0; "$RPLAT" check dt --dtb "$dk2" --fw "$TMPDIR/st-retram.bin" --memmap none --json >"$TMPDIR/x.json" || rc=$?
[ "$rc" -eq 0 ] || fail "dk2 + trace at RETRAM da 0x1000: exit $rc (dma-ranges not honoured)"
rawtable "$TMPDIR/st-far.bin" 0xffffffff 0xffffffff 16 8 0x38001000
rc=0; "$RPLAT" check dt --dtb "$dk2" --fw "$TMPDIR/st-far.bin" --memmap none --json >"$TMPDIR/x.json" || rc=$?
jassert "$TMPDIR/x.json" "any(f['rule']=='rsc.outside_memory' for f in d['findings'])"
# --memmap for another core's compatible is not applied, and that is said
rc=0; "$RPLAT" check dt --dtb "$dk2" --fw "$TMPDIR/st-fixed.bin" --memmap am62x-m4f --json >"$TMPDIR/x.json" || rc=$?
jassert "$TMPDIR/x.json" "any(f['rule']=='dt.memmap_other' for f in d['findings']) and d['cross_check']['memmap'] is None"
echo "cross-checks on stm32mp157c-dk2 done"
