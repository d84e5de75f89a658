#!/bin/bash
# arm64 `virt` under TCG, measured against the x86_64 board (issue 11 item 5, "Architecture"): printed,
# never asserted, not part of `make bench`. TCG figures on this machine, not a board's.
#
#   tests/bench/bench_vboard_arm64.sh [--build] [N]     N round trips per round (default 5000)
#
# Kernel: Debian's linux-source-6.12 (the tree build-kernel.sh extracted under RPLAT_VBOARD_CACHE),
# cross-built with O= into RPLAT_VBOARD_ARM64_DIR (default /var/cache/rplat/vboard-arm64-measure):
# `make tinyconfig` + the fragment below (the arch-neutral console/initramfs/timer/user-space options
# of host-tools/vboard/kernel.config and what arm64 virt needs; no tracing, PCI devices, modules or
# remoteproc, so it is smaller than the x86_64 kernel), make -j2 Image under nice -n 19. Only with
# --build; without it a missing kernel is said and the run skipped. The cold build's wall time is kept
# in DIR/build-seconds with the load average before and after.
# Guest: qemu-system-aarch64 -machine virt,gic-version=3 -cpu cortex-a53 -smp 2 -m 512M -accel tcg,
# a static aarch64 init (written below) that prints /proc/uptime, runs tests/bench/bench_pingpong.c
# (aarch64-linux-gnu-gcc -static -O2) three times pinned to vCPUs 0/1, and powers off.
# QEMU runs under nice -n 19 (the machine is shared). Boot figures: host wall from QEMU start to init's first console line, and the guest's uptime then.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
do_build=0
if [ "${1:-}" = "--build" ]; then do_build=1; shift; fi
n=${1:-5000}
case $n in '' | *[!0-9]*) echo "usage: $0 [--build] [N]" >&2; exit 2 ;; esac
dir=${RPLAT_VBOARD_ARM64_DIR:-/var/cache/rplat/vboard-arm64-measure}
cache=${RPLAT_VBOARD_CACHE:-/var/cache/rplat/vboard}
image=$dir/build/arch/arm64/boot/Image
cc=aarch64-linux-gnu-gcc
T=$(mktemp -d /tmp/rplat-arm64bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

for t in qemu-system-aarch64 $cc cpio gzip; do
    command -v "$t" >/dev/null || { echo "   $t not installed: skipped"; exit 0; }
done

if [ ! -f "$image" ]; then
    [ $do_build = 1 ] || { echo "   no arm64 kernel at $image (run with --build: 4 min of 2 loaded CPUs for the minimal kernel): skipped"; exit 0; }
    src=""
    for s in "$cache"/src-*/linux-source-6.12; do [ -f "$s/Makefile" ] && { src=$s; break; }; done
    [ -n "$src" ] ||
        { echo "   no extracted linux-source-6.12 under $cache (host-tools/vboard/build-kernel.sh preempt extracts it): skipped"; exit 0; }
    mkdir -p "$dir/build" || exit 1
    cat >"$dir/arm64.config" <<'EOF'
CONFIG_64BIT=y
CONFIG_LOCALVERSION="-rplat-vboard-arm64"
# CONFIG_LOCALVERSION_AUTO is not set
CONFIG_CC_OPTIMIZE_FOR_PERFORMANCE=y
# CONFIG_SLUB_TINY is not set
CONFIG_SMP=y
CONFIG_NR_CPUS=8
CONFIG_PCI=y
CONFIG_PCI_HOST_GENERIC=y
CONFIG_ARM_GIC_V3=y
CONFIG_ARM_GIC_V3_ITS=y
CONFIG_ARM_ARCH_TIMER=y
CONFIG_OF=y
CONFIG_HIGH_RES_TIMERS=y
CONFIG_POSIX_TIMERS=y
CONFIG_PRINTK=y
CONFIG_PRINTK_TIME=y
CONFIG_TTY=y
CONFIG_SERIAL_AMBA_PL011=y
CONFIG_SERIAL_AMBA_PL011_CONSOLE=y
CONFIG_BLK_DEV_INITRD=y
CONFIG_DEVTMPFS=y
CONFIG_DEVTMPFS_MOUNT=y
CONFIG_PROC_FS=y
CONFIG_SYSFS=y
CONFIG_TMPFS=y
CONFIG_SHMEM=y
CONFIG_BINFMT_ELF=y
CONFIG_BINFMT_SCRIPT=y
CONFIG_MULTIUSER=y
CONFIG_FUTEX=y
CONFIG_EPOLL=y
CONFIG_EVENTFD=y
CONFIG_TIMERFD=y
CONFIG_PREEMPT=y
CONFIG_PREEMPT_DYNAMIC=y
EOF
    km() { nice -n 19 make -C "$src" O="$dir/build" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- "$@"; }
    { km tinyconfig &&
      nice -n 19 "$src/scripts/kconfig/merge_config.sh" -m -O "$dir/build" "$dir/build/.config" "$dir/arm64.config" &&
      km olddefconfig; } >"$dir/config.log" 2>&1 || { echo "   arm64 config failed: see $dir/config.log"; exit 1; }
    while IFS= read -r l; do
        case $l in CONFIG_*) grep -qxF "$l" "$dir/build/.config" || { echo "   $dir/arm64.config: '$l' did not stick"; exit 1; } ;; esac
    done <"$dir/arm64.config"
    load0=$(cut -d' ' -f1-3 /proc/loadavg)
    t0=$(date +%s)
    km -j2 Image >"$dir/build.log" 2>&1 || { echo "   arm64 kernel build failed: see $dir/build.log"; exit 1; }
    echo "$(( $(date +%s) - t0 )) s wall, make -j2 under nice -n 19, load average before $load0, after $(cut -d' ' -f1-3 /proc/loadavg)" >"$dir/build-seconds"
fi
echo "   arm64 kernel: $image; cold build: $(cat "$dir/build-seconds" 2>/dev/null || echo 'not recorded')"

cat >"$T/init.c" <<'EOF'
#include <stdio.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>
static void show(const char *tag, const char *path)
{
	char b[256];
	FILE *f = fopen(path, "r");

	if (f && fgets(b, sizeof(b), f))
		printf("%s %s", tag, b);
	else
		printf("%s unreadable\n", tag);
	if (f)
		fclose(f);
}
int main(int argc, char **argv)
{
	int r, st;

	(void)argc;
	(void)argv;
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	show("ARM64-UPTIME", "/proc/uptime");
	show("ARM64-CPUS", "/sys/devices/system/cpu/online");
	show("ARM64-CLOCKSOURCE", "/sys/devices/system/clocksource/clocksource0/current_clocksource");
	for (r = 1; r <= 3; r++) {
		pid_t p;

		printf("ARM64-PINGPONG-%d ", r);
		fflush(stdout);
		p = fork();
		if (p == 0) {
			execl("/pingpong", "pingpong", ROUNDS, "0", "1", (char *)NULL);
			_exit(127);
		}
		if (p < 0 || waitpid(p, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			printf("failed\n");
	}
	fflush(stdout);
	reboot(RB_POWER_OFF);
	return 0;
}
EOF
mkdir -p "$T/root/proc" "$T/root/sys" "$T/root/dev"
if ! $cc -static -O2 -Wall -Wextra -DROUNDS="\"$n\"" -o "$T/root/init" "$T/init.c" ||
    ! $cc -static -O2 -Wall -Wextra -o "$T/root/pingpong" "$top/tests/bench/bench_pingpong.c"; then
    echo "   static aarch64 build failed (libc6-dev-arm64-cross?): skipped"
    exit 0
fi
(cd "$T/root" && find . | cpio -o -H newc 2>/dev/null | gzip >"$T/initramfs.gz") || exit 1

# QEMU runs in the foreground under timeout (it ends on power-off, a panic with -no-reboot, or 600 s),
# each console line timestamped with the host's CLOCK_REALTIME (us resolution)
t0=$EPOCHREALTIME
nice -n 19 timeout 600 qemu-system-aarch64 -machine virt,gic-version=3 -cpu cortex-a53 -smp 2 -m 512M -accel tcg \
    -nographic -no-reboot -kernel "$image" -initrd "$T/initramfs.gz" \
    -append "console=ttyAMA0 panic=-1 rdinit=/init" </dev/null 2>&1 |
    while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "${l%$'\r'}"; done >"$T/console"
t1=$EPOCHREALTIME
line=$(grep -m1 ' ARM64-UPTIME ' "$T/console")
[ -n "$line" ] || { echo "   the guest never reached init (console tail):"; tail -n 15 "$T/console" | sed 's/^/     /'; exit 1; }
printf '   boot to init: %.2f s host wall (QEMU start to init'"'"'s first line), guest uptime %s s; whole run %.1f s\n' \
    "$(echo "${line%% *} - $t0" | bc -l)" "$(echo "$line" | awk '{ print $3 }')" "$(echo "$t1 - $t0" | bc -l)"
echo "   vCPUs online: $(grep -m1 ' ARM64-CPUS ' "$T/console" | cut -d' ' -f3-), clocksource: $(grep -m1 ' ARM64-CLOCKSOURCE ' "$T/console" | cut -d' ' -f3-)"
grep ' ARM64-PINGPONG-' "$T/console" | while read -r _ tag p50 p99; do
    case $p50 in '' | *[!0-9]*) echo "   ${tag#ARM64-}: failed or incomplete ($p50 $p99)"; continue ;; esac
    echo "   ${tag#ARM64-}: eventfd ping-pong vCPU 0<->1, $n round trips: p50 $((p50 / 1000)) us, p99 $((p99 / 1000)) us"
done
grep -m1 'smp: Brought up' "$T/console" | sed 's/^[^ ]* /   kernel: /'
[ "$(grep -c ' ARM64-PINGPONG-' "$T/console")" = 3 ] || echo "   fewer than 3 ping-pong rounds came back: this run is incomplete"
echo "   host load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
