#!/bin/bash
# host-tools/vboard/dt-remote.sh on the device tree QEMU's virt machine dumps (the one run.sh boots): the
# remote's five reserved-memory regions get phandles that no node of the tree already has, the rproc
# node's memory-region points at them in the driver's order (vdev0buffer first), and `rplat check dt`
# reads the result as a remote with its carveouts. A tree that already uses the phandles the script
# once hardcoded (0x7001-0x7005) must not get them twice. Host only: no guest boots.
. "$TOP/tests/integration/lib.sh"
qemu=qemu-system-aarch64
for t in $qemu dtc fdtget fdtput; do command -v $t >/dev/null || skip "$t not installed (make deps)"; done
dtb=$TMPDIR/board.dtb
$qemu -machine virt,gic-version=3,its=on,dumpdtb="$dtb" -cpu cortex-a53 -smp 2 -m 512M -nodefaults \
    -display none >"$TMPDIR/dump.log" 2>&1 || { cat "$TMPDIR/dump.log"; fail "QEMU could not dump its tree"; }

# phandles of the whole tree, in decimal, one per node that has one
phandles() { dtc -q -I dtb -O dts "$1" | sed -n 's/.*[^,]phandle = <\(0x[0-9a-f]*\)>;.*/\1/p' | while read -r p; do echo $((p)); done; }
check() { # DTB: unique phandles, memory-region resolves to the named regions in order
    local d=$1 dup
    dup=$(phandles "$d" | sort -n | uniq -d)
    [ -z "$dup" ] || fail "$d: phandles used twice: $dup"
    local mr want=(vdev0buffer vdev0vring0 vdev0vring1 rplat-ring rsc-table) i=0
    mr=$(fdtget -t x "$d" /pcie@10000000/rproc@8 memory-region) || fail "no rproc@8 memory-region"
    for p in $mr; do
        local hit=""
        for n in $(fdtget -l "$d" /reserved-memory); do
            [ "$(fdtget -t x "$d" "/reserved-memory/$n" phandle)" = "$p" ] && hit=$n
        done
        [ "${hit%@*}" = "${want[$i]}" ] || fail "memory-region entry $i (phandle 0x$p) is '$hit', expected ${want[$i]}"
        i=$((i + 1))
    done
    [ $i -eq 5 ] || fail "memory-region has $i entries, expected 5"
}

cp "$dtb" "$TMPDIR/a.dtb"
"$TOP/host-tools/vboard/dt-remote.sh" "$TMPDIR/a.dtb" || fail "dt-remote.sh failed on QEMU's tree"
check "$TMPDIR/a.dtb"
max0=$(phandles "$dtb" | sort -n | tail -n 1)
for n in vdev0buffer@21040000 vdev0vring0@21010000 rsc-table@21000000; do
    p=$(fdtget -t x "$TMPDIR/a.dtb" /reserved-memory/$n phandle)
    [ $((0x$p)) -gt "$max0" ] || fail "$n got phandle 0x$p, not above the tree's own (max $max0)"
done

# a tree whose nodes already hold 0x7001..0x7005 (the numbers the script used to hardcode)
cp "$dtb" "$TMPDIR/b.dtb"
for i in 1 2 3 4 5; do
    fdtput -c "$TMPDIR/b.dtb" /taken$i
    fdtput -t x "$TMPDIR/b.dtb" /taken$i phandle 700$i
done
"$TOP/host-tools/vboard/dt-remote.sh" "$TMPDIR/b.dtb" || fail "dt-remote.sh failed on a tree with more phandles"
check "$TMPDIR/b.dtb"

# the live-tree reader agrees: check dt sees the remote's five carveouts in the edited tree
set +e
"$RPLAT" check dt --dtb "$TMPDIR/a.dtb" >"$TMPDIR/dt.out" 2>&1
rc=$?
set -e
cat "$TMPDIR/dt.out"
[ $rc -le 1 ] || fail "rplat check dt on the edited tree exited $rc"
for n in vdev0buffer vdev0vring0 vdev0vring1 rplat-ring; do
    grep -q "$n" "$TMPDIR/dt.out" || fail "check dt does not report $n"
done
echo "PASS: dt-remote.sh phandles are new in QEMU's tree and in one that held 0x7001-0x7005; check dt reads the regions"
