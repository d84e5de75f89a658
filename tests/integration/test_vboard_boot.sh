#!/bin/bash
# The virtual board boots both guest kernels (host-tools/vboard/run.sh, QEMU x86_64 under TCG) and
# the guest is what it claims to be:
#   - the preemption model: uname -v says PREEMPT_DYNAMIC and there is no /sys/kernel/realtime on the
#     preempt kernel; PREEMPT_RT and CONFIG_PREEMPT_RT=y in /proc/config.gz on the rt kernel (mainline
#     6.12 has no /sys/kernel/realtime: that came with the out-of-tree RT patch); the real rplat in
#     the guest (`rplat check system`) agrees (sys.not_rt on preempt only);
#   - 2 CPUs; a clocksource user space can read (tsc/hpet/acpi_pm, not jiffies) and high-resolution
#     timers; /dev/cpu_dma_latency; tracefs with sched, irq and syscall events; a kprobe on rproc_vq_interrupt can be created
#     and removed; the remoteproc class and the rpmsg bus with rpmsg_chrdev and rpmsg_ctrl drivers;
#   - files the command writes under /out come back; the command's exit status is run.sh's;
#   - a missing kernel is a clear error (exit 4); no QEMU outlives a run.
# Prints the boot times (guest uptime at init, host wall time of a whole run).
. "$TOP/tests/integration/lib.sh"

vb=$TOP/host-tools/vboard
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed (Debian: qemu-system-x86)"
[ -x /bin/busybox ] || skip "/bin/busybox missing (Debian: busybox-static)"
for f in preempt rt; do
    "$vb/build-kernel.sh" --print $f >/dev/null ||
        skip "the $f guest kernel is not built or its build failed (make vboard-kernels; logs under /var/cache/rplat/vboard/$f-*/build.log)"
done
no_qemu_left() {
    sleep 0.2
    if pgrep -f "qemu-system-x86_64.*$TMPDIR" >/dev/null; then
        pgrep -af "qemu-system-x86_64.*$TMPDIR"; fail "a QEMU outlived run.sh"
    fi
}

# what the guest reports about itself, into /out
probe='set -u
uname -v > uname-v
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

for f in preempt rt; do
    echo "== $f: boot and inspect"
    d=$TMPDIR/$f
    "$vb/run.sh" --flavour $f --out "$d" --timeout 240 -- sh -c "$probe" || {
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
    [ "$(cat "$o/nproc")" = 2 ] || fail "$f: the guest has $(cat "$o/nproc") CPUs, expected 2"
    for e in sched/sched_switch sched/sched_wakeup irq/irq_handler_entry syscalls/sys_enter_read; do
        grep -qx "$e" "$o/events" 2>/dev/null || fail "$f: no tracefs event $e in the guest"
    done
    case $(cat "$o/clocksource") in tsc|tsc-early|hpet|acpi_pm) ;;
        *) fail "$f: the guest's clocksource is '$(cat "$o/clocksource")', not tsc/tsc-early/hpet/acpi_pm" ;; esac
    [ "$(cat "$o/hres")" = ".resolution:1nsecs" ] || fail "$f: no high-resolution timers in the guest ($(cat "$o/hres"))"
    [ "$(cat "$o/kprobe" 2>/dev/null)" = ok ] || fail "$f: cannot create a kprobe on rproc_vq_interrupt in the guest"
    for x in remoteproc rpmsg_chrdev rpmsg_ctrl cpu_dma_latency; do
        grep -qx "$x" "$o/drivers" 2>/dev/null || fail "$f: $x missing in the guest's sysfs"
    done
done

echo "== the command's exit status and /out come back"
set +e
"$vb/run.sh" --out "$TMPDIR/st" --timeout 120 -- sh -c 'echo hello > greeting; exit 7' >/dev/null
rc=$?
set -e
no_qemu_left
[ $rc -eq 7 ] || fail "run.sh returned $rc for a guest command that exited 7"
[ "$(cat "$TMPDIR/st/out/greeting")" = hello ] || fail "/out/greeting did not come back"
cat "$TMPDIR/st/boot.txt"

echo "== a missing kernel is refused"
set +e
RPLAT_VBOARD_CACHE=$TMPDIR/nocache "$vb/run.sh" --out "$TMPDIR/nk" -- true 2>"$TMPDIR/nk.err"
rc=$?
set -e
cat "$TMPDIR/nk.err"
[ $rc -eq 4 ] || fail "run.sh without a built kernel exited $rc, expected 4"
grep -q "kernel is not built" "$TMPDIR/nk.err" || fail "no 'kernel is not built' message"
no_qemu_left
echo "PASS"
