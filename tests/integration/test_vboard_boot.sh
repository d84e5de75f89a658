#!/bin/bash
# The virtual board boots both guest kernels (host-tools/vboard/run.sh under TCG: arm64 virt by default,
# x86_64 pc with RPLAT_VBOARD_ARCH=x86_64) and the guest is what it claims to be:
#   - the preemption model: uname -v says PREEMPT_DYNAMIC and there is no /sys/kernel/realtime on the
#     preempt kernel; PREEMPT_RT and CONFIG_PREEMPT_RT=y in /proc/config.gz on the rt kernel (mainline
#     6.12 has no /sys/kernel/realtime: that came with the out-of-tree RT patch); the real rplat in
#     the guest (`rplat check system`) agrees (sys.not_rt on preempt only);
#   - the architecture (uname -m: aarch64 or x86_64), and the real rplat of that architecture runs;
#   - 2 CPUs; a real clocksource (arm64: arch_sys_counter, the architected timer; x86_64: tsc/hpet/
#     acpi_pm; never jiffies) and high-resolution timers; /dev/cpu_dma_latency; tracefs with sched, irq and syscall events; a kprobe on rproc_vq_interrupt can be created
#     and removed; the remoteproc class and the rpmsg bus with rpmsg_chrdev and rpmsg_ctrl drivers;
#   - arm64: the live device tree (/sys/firmware/devicetree/base) describes the remote, and `rplat check
#     dt` in the guest finds it (/pcie@10000000/rproc@8, rproc_ivshmem) with its five reserved regions in
#     BAR2 at 0x21000000, the vdev0buffer pool, cross-checks the firmware ELF and finds no error (the one
#     warning is dma-coherent, inherited from QEMU's PCIe host node, which is right on this board: the
#     remote is a host process on the same memory); a tree broken on purpose (vdev0vring0 moved onto
#     vdev0vring1, run.sh --dtb-hook) is caught by the kernel ("OVERLAP DETECTED") and check dt (error
#     dt.region_overlap, exit 2); rproc_ivshmem takes its carveouts from that tree: with vdev0buffer
#     moved out of BAR2 the rproc does not start and the driver names the region;
#   - files the command writes under /out come back; the command's exit status is run.sh's;
#   - a missing kernel is a clear error (exit 4); no QEMU outlives a run.
# Prints the boot times (guest uptime at init, host wall time of a whole run). RPLAT_VBOARD_FLAVOURS
# (default "preempt rt") picks the kernels; each must be built, or the test skips.
. "$TOP/tests/integration/lib.sh"

vb=$TOP/host-tools/vboard
arch=${RPLAT_VBOARD_ARCH:-arm64}
case $arch in
    arm64) qemu=qemu-system-aarch64 qemu_deb=qemu-system-arm uname_m=aarch64 clocksources=arch_sys_counter
           busybox=${RPLAT_ARM64_SYSROOT:-/var/cache/rplat/arm64-sysroot}/bin/busybox
           guest_rplat=$TOP/build-aarch64/rplat ;;
    x86_64) qemu=qemu-system-x86_64 qemu_deb=qemu-system-x86 uname_m=x86_64 clocksources="tsc tsc-early hpet acpi_pm"
            busybox=/bin/busybox guest_rplat=$TOP/build/rplat ;;
    *) fail "RPLAT_VBOARD_ARCH=$arch: arm64 or x86_64" ;;
esac
command -v $qemu >/dev/null || skip "$qemu not installed (Debian: $qemu_deb)"
[ -x "$busybox" ] || skip "$busybox missing (.ci/install-deps.sh --arm64 unpacks busybox-static:arm64; x86_64: busybox-static)"
[ -x "$guest_rplat" ] || fail "$guest_rplat: the guest's rplat is not built (make vboard-guest)"
flavours=${RPLAT_VBOARD_FLAVOURS:-preempt rt}
for f in $flavours; do
    "$vb/build-kernel.sh" --print --arch $arch $f >/dev/null ||
        skip "the $arch $f guest kernel is not built or its build failed (make vboard-kernels; logs under /var/cache/rplat/vboard/$arch-$f-*/build.log)"
done
echo "board: $arch ($qemu)"
fw=$TMPDIR/rplat-vboard.elf
"$BUILD/rplat-vboard-server" --fw-out "$fw" || fail "$BUILD/rplat-vboard-server --fw-out failed"
no_qemu_left() {
    sleep 0.2
    if pgrep -f "$qemu.*$TMPDIR" >/dev/null; then
        pgrep -af "$qemu.*$TMPDIR"; fail "a QEMU outlived run.sh"
    fi
}

# check dt's verdict on the arm64 board's live tree (dt.json, dt-rc in DIR): the remote and its regions,
# no error, the one warning dt.dma_coherent
check_dt_clean() {
    local f=$1 o=$2
    [ "$(cat "$o/dt-rc")" = 1 ] || { cat "$o/dt.json"; fail "$f: check dt exited $(cat "$o/dt-rc") on the live tree, expected 1 (one warning)"; }
    jassert "$o/dt.json" 'd["source"] == "/sys/firmware/devicetree/base" and d["summary"]["errors"] == 0 and [x["rule"] for x in d["findings"] if x["severity"] == "warning"] == ["dt.dma_coherent"]'
    jassert "$o/dt.json" 'len(d["remoteprocs"]) == 1 and d["remoteprocs"][0]["path"] == "/pcie@10000000/rproc@8" and d["remoteprocs"][0]["driver"] == "rproc_ivshmem" and d["remoteprocs"][0]["firmware_name"] == "rplat-vboard.elf" and d["remoteprocs"][0]["dma_pool"] == "/reserved-memory/vdev0buffer@21040000" and len(d["remoteprocs"][0]["memory_regions"]) == 5'
    jassert "$o/dt.json" 'sorted((r["path"], r["base"], r["size"], r["no_map"], r["shared_dma_pool"]) for r in d["reserved_memory"]) == [("/reserved-memory/rplat-ring@21030000", 0x21030000, 0x10000, True, False), ("/reserved-memory/rsc-table@21000000", 0x21000000, 0x10000, True, False), ("/reserved-memory/vdev0buffer@21040000", 0x21040000, 0xc0000, True, True), ("/reserved-memory/vdev0vring0@21010000", 0x21010000, 0x10000, True, False), ("/reserved-memory/vdev0vring1@21020000", 0x21020000, 0x10000, True, False)]'
    jassert "$o/dt.json" 'd["cross_check"]["node"] == "/pcie@10000000/rproc@8" and 0 < d["cross_check"]["pool_need"] <= d["cross_check"]["pool_size"] == 0xc0000'
    echo "$f: check dt on the live tree: /pcie@10000000/rproc@8 (rproc_ivshmem), 5 regions in BAR2, pool $(jget "$o/dt.json" 'd["cross_check"]["pool_need"]') of $(jget "$o/dt.json" 'd["cross_check"]["pool_size"]') bytes for the firmware, 0 errors"
}

# what the guest reports about itself, into /out
probe='set -u
uname -v > uname-v
uname -m > uname-m
rplat --version > rplat-version
nproc > nproc
if [ -e /sys/kernel/realtime ]; then cat /sys/kernel/realtime > realtime; else echo absent > realtime; fi
zcat /proc/config.gz | grep -E "^CONFIG_PREEMPT(_RT|_DYNAMIC)?=" > preempt-config
t=/sys/kernel/tracing
for e in sched/sched_switch sched/sched_wakeup irq/irq_handler_entry syscalls/sys_enter_read; do
    [ -d $t/events/$e ] && echo "$e" >> events
done
echo "p:rplat_vboard_test rproc_vq_interrupt" > $t/kprobe_events && [ -d $t/events/kprobes/rplat_vboard_test ] &&
    echo "-:rplat_vboard_test" >> $t/kprobe_events && echo ok > kprobe
[ -d /sys/class/remoteproc ] && echo remoteproc >> drivers
for d in rpmsg_chrdev rpmsg_ctrl; do [ -d /sys/bus/rpmsg/drivers/$d ] && echo $d >> drivers; done
cat /sys/devices/system/clocksource/clocksource0/current_clocksource > clocksource
grep -m1 "resolution" /proc/timer_list | tr -d " " > hres
[ -c /dev/cpu_dma_latency ] && echo cpu_dma_latency >> drivers
rplat check system --json > system.json
echo "check system exit $?"
if [ -d /sys/firmware/devicetree/base ]; then
    rplat check dt --fw /in/rplat-vboard.elf --json > dt.json
    echo $? > dt-rc
fi
exit 0'

for f in $flavours; do
    echo "== $f: boot and inspect"
    d=$TMPDIR/$f
    "$vb/run.sh" --arch $arch --flavour $f --out "$d" --timeout 240 --file "$fw" -- sh -c "$probe" || {
        rc=$?; tail -n 30 "$d/console.log" 2>/dev/null; fail "run.sh --flavour $f exited $rc"; }
    no_qemu_left
    o=$d/out
    cat "$d/boot.txt"
    uv=$(cat "$o/uname-v")
    echo "uname -v: $uv"
    if [ $f = rt ]; then
        case $uv in *PREEMPT_RT*) ;; *) fail "rt kernel: uname -v has no PREEMPT_RT: $uv" ;; esac
        # mainline 6.12 has no /sys/kernel/realtime (that was the out-of-tree RT patch's); its config says it
        grep -qx CONFIG_PREEMPT_RT=y "$o/preempt-config" || fail "rt kernel: /proc/config.gz lacks CONFIG_PREEMPT_RT=y"
        case $(cat "$o/realtime") in absent|1) ;; *) fail "rt kernel: /sys/kernel/realtime is '$(cat "$o/realtime")'" ;; esac
        jassert "$o/system.json" 'not any(x["rule"] == "sys.not_rt" for x in d["findings"])'
    else
        case $uv in *PREEMPT_RT*) fail "preempt kernel: uname -v says PREEMPT_RT: $uv" ;; esac
        case $uv in *PREEMPT_DYNAMIC*) ;; *) fail "preempt kernel: uname -v has no PREEMPT_DYNAMIC: $uv" ;; esac
        [ "$(cat "$o/realtime")" = absent ] || fail "preempt kernel: /sys/kernel/realtime exists"
        grep -qx CONFIG_PREEMPT_DYNAMIC=y "$o/preempt-config" || fail "preempt kernel: /proc/config.gz lacks CONFIG_PREEMPT_DYNAMIC=y"
        grep -q CONFIG_PREEMPT_RT=y "$o/preempt-config" && fail "preempt kernel: /proc/config.gz has CONFIG_PREEMPT_RT=y"
        jassert "$o/system.json" 'any(x["rule"] == "sys.not_rt" for x in d["findings"])'
    fi
    [ "$(cat "$o/uname-m")" = $uname_m ] || fail "$f: uname -m in the guest is '$(cat "$o/uname-m")', not $uname_m"
    grep -q '^rplat ' "$o/rplat-version" || fail "$f: the guest's rplat did not run: $(cat "$o/rplat-version")"
    [ "$(cat "$o/nproc")" = 2 ] || fail "$f: the guest has $(cat "$o/nproc") CPUs, expected 2"
    for e in sched/sched_switch sched/sched_wakeup irq/irq_handler_entry syscalls/sys_enter_read; do
        grep -qx "$e" "$o/events" 2>/dev/null || fail "$f: no tracefs event $e in the guest"
    done
    cs=$(cat "$o/clocksource")
    case " $clocksources " in *" $cs "*) ;;
        *) fail "$f: the guest's clocksource is '$cs', not one of: $clocksources" ;; esac
    [ "$(cat "$o/hres")" = ".resolution:1nsecs" ] || fail "$f: no high-resolution timers in the guest ($(cat "$o/hres"))"
    [ "$(cat "$o/kprobe" 2>/dev/null)" = ok ] || fail "$f: cannot create a kprobe on rproc_vq_interrupt in the guest"
    for x in remoteproc rpmsg_chrdev rpmsg_ctrl cpu_dma_latency; do
        grep -qx "$x" "$o/drivers" 2>/dev/null || fail "$f: $x missing in the guest's sysfs"
    done
    if [ $arch = arm64 ]; then
        [ -f "$o/dt.json" ] || fail "$f: no live device tree in the arm64 guest"
        check_dt_clean "$f" "$o"
    fi
done

if [ $arch = arm64 ]; then
    echo "== a broken live tree is caught (vdev0vring0 moved onto vdev0vring1)"
    printf '#!/bin/sh\nfdtput -t x "$1" /reserved-memory/vdev0vring0@21010000 reg 0 0x21018000 0 0x10000\n' > "$TMPDIR/break.sh"
    chmod +x "$TMPDIR/break.sh"
    f=${flavours%% *}
    "$vb/run.sh" --arch $arch --flavour $f --out "$TMPDIR/broken" --timeout 120 --file "$fw" \
        --dtb-hook "$TMPDIR/break.sh" -- sh -c 'rplat check dt --fw /in/rplat-vboard.elf --json > dt.json; echo $? > dt-rc' \
        >/dev/null || fail "run.sh with the broken tree exited $?"
    no_qemu_left
    o=$TMPDIR/broken/out
    grep -q 'OVERLAP DETECTED' "$TMPDIR/broken/dmesg.txt" || fail "the kernel did not report the overlapping regions"
    [ "$(cat "$o/dt-rc")" = 2 ] || fail "check dt exited $(cat "$o/dt-rc") on the broken live tree, expected 2"
    jassert "$o/dt.json" 'any(x["rule"] == "dt.region_overlap" and x["severity"] == "error" and "vdev0vring" in x["field"] for x in d["findings"])'
    echo "broken tree: the kernel said OVERLAP DETECTED, check dt: $(jget "$o/dt.json" '[x["rule"] for x in d["findings"] if x["severity"] == "error"]')"

    echo "== rproc_ivshmem refuses a carveout of the tree outside BAR2 (vdev0buffer moved to 0x21100000)"
    printf '#!/bin/sh\nfdtput -t x "$1" /reserved-memory/vdev0buffer@21040000 reg 0 0x21100000 0 0xc0000\n' > "$TMPDIR/away.sh"
    chmod +x "$TMPDIR/away.sh"
    ko=$("$vb/kmod/build.sh" --arch $arch $f) || fail "rproc_ivshmem.ko did not build for $arch $f"
    sock=$TMPDIR/ivshmem.sock
    shm=/dev/shm/rplat-vboard-boottest-$$
    "$BUILD/rplat-vboard-server" --socket "$sock" --shm "$shm" --once 2>"$TMPDIR/server.log" &
    spid=$!
    trap 'kill $spid 2>/dev/null; rm -f "$shm"' EXIT
    i=0
    while [ ! -S "$sock" ]; do
        i=$((i + 1)); [ $i -lt 100 ] && kill -0 $spid 2>/dev/null || { cat "$TMPDIR/server.log"; fail "the server did not come up"; }
        sleep 0.1
    done
    "$vb/run.sh" --arch $arch --flavour $f --out "$TMPDIR/away" --timeout 120 --ivshmem "$sock" --file "$ko" \
        --file "$fw:/lib/firmware/rplat-vboard.elf" --dtb-hook "$TMPDIR/away.sh" -- sh -c 'insmod /in/rproc_ivshmem.ko
r=$(grep -l "^rplat-vboard\$" /sys/class/remoteproc/remoteproc*/name); r=${r%/name}
echo start > $r/state; echo "start-rc $?"; echo "state $(cat $r/state)"' >/dev/null || fail "run.sh (vdev0buffer away) exited $?"
    wait $spid || fail "the server exited non-zero"
    trap - EXIT
    [ ! -e "$shm" ] || fail "the server left $shm"
    no_qemu_left
    g=$TMPDIR/away/guest.log
    grep -q '^start-rc 1$' "$g" && grep -q '^state offline$' "$g" || { cat "$g"; fail "the rproc started with vdev0buffer outside BAR2"; }
    grep -q 'memory-region /reserved-memory/vdev0buffer@21040000 .* is outside BAR2' "$TMPDIR/away/dmesg.txt" ||
        { grep -i rproc "$TMPDIR/away/dmesg.txt"; fail "rproc_ivshmem did not name the region outside BAR2"; }
    echo "carveout outside BAR2: start refused, $(grep -o 'memory-region .* is outside BAR2' "$TMPDIR/away/dmesg.txt")"
fi

echo "== the command's exit status and /out come back"
set +e
"$vb/run.sh" --arch $arch --out "$TMPDIR/st" --timeout 120 -- sh -c 'echo hello > greeting; exit 7' >/dev/null
rc=$?
set -e
no_qemu_left
[ $rc -eq 7 ] || fail "run.sh returned $rc for a guest command that exited 7"
[ "$(cat "$TMPDIR/st/out/greeting")" = hello ] || fail "/out/greeting did not come back"
cat "$TMPDIR/st/boot.txt"

echo "== a missing kernel is refused"
set +e
RPLAT_VBOARD_CACHE=$TMPDIR/nocache "$vb/run.sh" --arch $arch --out "$TMPDIR/nk" -- true 2>"$TMPDIR/nk.err"
rc=$?
set -e
cat "$TMPDIR/nk.err"
[ $rc -eq 4 ] || fail "run.sh without a built kernel exited $rc, expected 4"
grep -q "kernel is not built" "$TMPDIR/nk.err" || fail "no 'kernel is not built' message"
no_qemu_left
echo "PASS"
