# rplat check dt on the CLI: the .dts fixtures compiled with dtc here, good and broken, with and without
# the firmware cross-check; a hand-made live tree (--root); the live system, which has no device tree
# on an x86 host (exit 3 with the reason) or one to check on a board.
. "$TOP/tests/integration/lib.sh"
expect_rc() { # expect_rc RC cmd...
    local want=$1 rc=0; shift
    "$@" || rc=$?
    [ "$rc" -eq "$want" ] || fail "expected exit $want, got $rc from: $*"
}
command -v dtc >/dev/null || skip "dtc not installed (Debian package device-tree-compiler)"
gen="$BUILD/tests/test_rsc_check"
[ -x "$gen" ] || fail "$gen is missing (make all builds it)"
mkdir -p "$TMPDIR/img"
RSC_FIXTURE_DIR="$TMPDIR/img" TOP="$TOP" "$gen" >/dev/null 2>&1 || fail "test_rsc_check failed"
fw="$TMPDIR/img/ti-clean.elf"
for f in "$TOP"/tests/fixtures/dt/*.dts; do
    dtc -q -I dts -O dtb -o "$TMPDIR/$(basename "$f" .dts).dtb" "$f" || fail "dtc failed on $f"
done

# 1. the AM62x SK layout with the TI-style firmware: clean, the pool arithmetic in the JSON
expect_rc 0 "$RPLAT" check dt --dtb "$TMPDIR/am62x-good.dtb" --fw "$fw" --json >"$TMPDIR/good.json"
jassert "$TMPDIR/good.json" 'd["check"]=="dt" and d["summary"]["errors"]==0 and d["summary"]["warnings"]==0'
jassert "$TMPDIR/good.json" 'len(d["reserved_memory"])==2 and d["reserved_memory"][0]["base"]==0x9cb00000 and d["reserved_memory"][0]["no_map"]'
jassert "$TMPDIR/good.json" 'len(d["remoteprocs"])==1 and d["remoteprocs"][0]["firmware_name"]=="am62-mcu-m4f0_0-fw" and d["remoteprocs"][0]["dma_pool"].endswith("m4f-dma-memory@9cb00000")'
jassert "$TMPDIR/good.json" 'd["cross_check"]["pool_need"]==512*1024 and d["cross_check"]["pool_size"]==1024*1024'
expect_rc 0 "$RPLAT" check dt --dtb "$TMPDIR/am62x-good.dtb" --fw "$fw" >"$TMPDIR/good.txt"
grep -q 'DMA pool 512 KiB of 1024 KiB used' "$TMPDIR/good.txt" || { cat "$TMPDIR/good.txt"; fail "text: no pool usage"; }

# 2. broken trees: exit 2, the expected rules named, every finding names the blob or the firmware
check_broken() { # DTB RULE...
    local dtb=$1; shift
    expect_rc 2 "$RPLAT" check dt --dtb "$dtb" --fw "$fw" --node m4fss --json >"$TMPDIR/b.json"
    python3 - "$TMPDIR/b.json" "$dtb" "$fw" "$@" <<'PY' || fail "$dtb: expected rules missing"
import json, sys
d = json.load(open(sys.argv[1]))
dtb, fw, want = sys.argv[2], sys.argv[3], sys.argv[4:]
got = {x["rule"] for x in d["findings"]}
missing = [r for r in want if r not in got]
assert not missing, "missing %s, got %s" % (missing, sorted(got))
assert all(x["source"] in (dtb, fw) for x in d["findings"])
PY
}
check_broken "$TMPDIR/am62x-broken-memory.dtb" dt.pool_mapped dt.region_overlap dt.region_outside_memory dt.pool_too_small
check_broken "$TMPDIR/am62x-broken-mbox.dtb" dt.mbox_subnode_missing dt.mbox_subnode_incomplete dt.rproc_no_mbox dt.dma_coherent
check_broken "$TMPDIR/broken-cells.dtb" dt.cells

# 3. the firmware's own findings under the tree's memory map: a fixed vring outside the DMA pool
expect_rc 1 "$RPLAT" check dt --dtb "$TMPDIR/am62x-good.dtb" --fw "$(echo "$TMPDIR"/img/*-rsc.vring_da_pool-warning.elf)" --json >"$TMPDIR/vr.json"
jassert "$TMPDIR/vr.json" '"rsc.vring_da_pool" in [x["rule"] for x in d["findings"]]'

# 4. not a blob, a missing blob, a missing firmware: errors naming the file
printf 'not a device tree at all, just text\n' >"$TMPDIR/junk.dtb"
expect_rc 2 "$RPLAT" check dt --dtb "$TMPDIR/junk.dtb" >"$TMPDIR/junk.txt"
grep -q "^$TMPDIR/junk.dtb: error: header.magic = .*\[dt.blob\]" "$TMPDIR/junk.txt" || { cat "$TMPDIR/junk.txt"; fail "junk blob not reported"; }
expect_rc 3 "$RPLAT" check dt --dtb "$TMPDIR/none.dtb" 2>"$TMPDIR/err.txt"
grep -q "$TMPDIR/none.dtb" "$TMPDIR/err.txt" || fail "missing dtb not named"
expect_rc 3 "$RPLAT" check dt --dtb "$TMPDIR/am62x-good.dtb" --fw "$TMPDIR/none.elf" 2>"$TMPDIR/err.txt"
grep -q "$TMPDIR/none.elf" "$TMPDIR/err.txt" || fail "missing firmware not named"
expect_rc 3 "$RPLAT" check dt --dtb a --root b 2>/dev/null

# 5. a live tree under --root: one file per property, as /sys/firmware/devicetree/base has it
base="$TMPDIR/live/sys/firmware/devicetree/base"
mkdir -p "$base/reserved-memory/pool@9cb00000" "$base/reserved-memory/fw@9cc00000" "$base/mbox@29000000/m4-0" \
    "$base/m4fss@5000000"
be32() { for v in "$@"; do printf "\\x$(printf %02x $((v >> 24 & 255)))\\x$(printf %02x $((v >> 16 & 255)))\\x$(printf %02x $((v >> 8 & 255)))\\x$(printf %02x $((v & 255)))"; done; }
be32 2 >"$base/#address-cells"; be32 2 >"$base/#size-cells"
be32 2 >"$base/reserved-memory/#address-cells"; be32 2 >"$base/reserved-memory/#size-cells"
printf 'shared-dma-pool\0' >"$base/reserved-memory/pool@9cb00000/compatible"
be32 0 0x9cb00000 0 0x100000 >"$base/reserved-memory/pool@9cb00000/reg"
: >"$base/reserved-memory/pool@9cb00000/no-map"
be32 1 >"$base/reserved-memory/pool@9cb00000/phandle"
printf 'pool@9cb00000\0' >"$base/reserved-memory/pool@9cb00000/name"
# the firmware region: ti_k3_m4_remoteproc refuses a core with fewer than two memory-regions
be32 0 0x9cc00000 0 0xe00000 >"$base/reserved-memory/fw@9cc00000/reg"
: >"$base/reserved-memory/fw@9cc00000/no-map"
be32 4 >"$base/reserved-memory/fw@9cc00000/phandle"
printf 'ti,am64-mailbox\0' >"$base/mbox@29000000/compatible"
be32 1 >"$base/mbox@29000000/#mbox-cells"; be32 2 >"$base/mbox@29000000/phandle"
be32 0 0 0 >"$base/mbox@29000000/m4-0/ti,mbox-rx"; be32 1 0 0 >"$base/mbox@29000000/m4-0/ti,mbox-tx"
be32 3 >"$base/mbox@29000000/m4-0/phandle"
printf 'ti,am64-m4fss\0' >"$base/m4fss@5000000/compatible"
printf 'am62-mcu-m4f0_0-fw\0' >"$base/m4fss@5000000/firmware-name"
be32 1 4 >"$base/m4fss@5000000/memory-region"; be32 2 3 >"$base/m4fss@5000000/mboxes"
expect_rc 0 "$RPLAT" check dt --root "$TMPDIR/live" --fw "$fw" --json >"$TMPDIR/live.json"
jassert "$TMPDIR/live.json" 'd["source"].endswith("/sys/firmware/devicetree/base") and any(r["base"]==0x9cb00000 and r["shared_dma_pool"] for r in d["reserved_memory"])'
jassert "$TMPDIR/live.json" 'd["remoteprocs"][0]["mboxes"][0].endswith("/mbox@29000000/m4-0") and d["cross_check"]["pool_need"]==512*1024'

# 6. the live system: a board checks its tree; a host without one gets exit 3 and the reason
if [ -d /sys/firmware/devicetree/base ]; then
    rc=0; "$RPLAT" check dt --json >"$TMPDIR/sys.json" || rc=$?
    [ "$rc" -le 2 ] || fail "live tree: exit $rc"
    jassert "$TMPDIR/sys.json" '"findings" in d'
else
    expect_rc 3 "$RPLAT" check dt 2>"$TMPDIR/err.txt"
    grep -q 'no device tree' "$TMPDIR/err.txt" || fail "live: reason not given: $(cat "$TMPDIR/err.txt")"
fi
echo ok
