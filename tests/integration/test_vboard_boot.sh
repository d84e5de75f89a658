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
no_qemu_left() {
    sleep 0.2
    if pgrep -f "$qemu.*$TMPDIR" >/dev/null; then
        pgrep -af "$qemu.*$TMPDIR"; fail "a QEMU outlived run.sh"
    fi
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
exit 0'

for f in $flavours; do
    echo "== $f: boot and inspect"
    d=$TMPDIR/$f
    "$vb/run.sh" --arch $arch --flavour $f --out "$d" --timeout 240 -- sh -c "$probe" || {
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
done

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
