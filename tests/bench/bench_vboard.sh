#!/bin/bash
# The virtual board (issue 11, `make bench` part): printed, never asserted. TCG figures, not a board's.
#
#   1. Round trip over the real rpmsg_char in the guest (`rplat ping` on /dev/rpmsgN against the host
#      probe behind rplat-vboard-server and rproc_ivshmem.ko, pinned to vCPU 0), divided by the same
#      guest's eventfd + shared-memory ping-pong between two processes pinned to vCPUs 0 and 1
#      (tests/bench/bench_pingpong.c, static), same count, measured just before each of three pings in
#      the same boot: the baseline of the same run; the median of the three p50 ratios. Per built flavour.
#   2. Boot time: host-observed from QEMU's connect to the ivshmem server (QEMU start) to init's first
#      console line, plus the guest's own uptime when init started (host-tools/vboard/run.sh's boot.txt).
#   3. Kernel build times: cold = the cache directory's build-seconds (recorded wall time of the cold
#      build, under whatever load the machine had then), cached = `build-kernel.sh preempt` timed now.
# A kernel that is not built is said and its part skipped. Nothing is left running (QEMU, server, probe).
# The board is arm64 virt (the guest runs build-aarch64/rplat and an aarch64 static ping-pong), or
# x86_64 pc with RPLAT_VBOARD_ARCH=x86_64.
# Usage: tests/bench/bench_vboard.sh BUILD [N]   (N round trips, default 5000; RPLAT_VBOARD_FLAVOURS)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
n=${2:-5000}
flavours=${RPLAT_VBOARD_FLAVOURS:-preempt rt}
vb=$top/host-tools/vboard
srv=$build/rplat-vboard-server
T=$(mktemp -d /tmp/rplat-vboardbench.XXXXXX)
SHM=/dev/shm/rplat-vboardbench-$$
SPID=""
cleanup() {
    [ -z "$SPID" ] || { kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; }
    rm -f "$SHM"
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# timestamp each line read (host CLOCK_REALTIME, µs resolution) into FILE
stamp() { while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done >"$1"; }

arch=${RPLAT_VBOARD_ARCH:-arm64}
export RPLAT_VBOARD_ARCH=$arch
case $arch in
    arm64) qemu=qemu-system-aarch64 cc=aarch64-linux-gnu-gcc guest_rplat=$top/build-aarch64/rplat ;;
    *) qemu=qemu-system-x86_64 cc=gcc guest_rplat=$build/rplat ;;
esac
echo "   board: $arch"
command -v $qemu >/dev/null || { echo "   $qemu not installed: skipped"; exit 0; }
command -v $cc >/dev/null || { echo "   $cc not installed: skipped"; exit 0; }
[ -x "$vb/run.sh" ] || { echo "   host-tools/vboard/run.sh not in this tree: skipped"; exit 0; }
[ -x "$srv" ] && [ -x "$build/rplat" ] || { echo "   $build/rplat or rplat-vboard-server not built"; exit 1; }
[ -x "$guest_rplat" ] || { echo "   $guest_rplat (the guest's rplat) not built: make vboard-guest"; exit 1; }

echo "   -- kernel build times"
built=""
for f in $flavours; do
    if d=$("$vb/build-kernel.sh" --print "$f" 2>/dev/null); then
        built="$built $f"
        jobs=$(awk '$1 == "jobs" { print $2 }' "$d/inputs" 2>/dev/null)
        echo "   $f: cold build $(cat "$d/build-seconds" 2>/dev/null || echo '?') s wall (recorded by build-kernel.sh" \
            "when it built $d, make -j${jobs:-?} under nice -n 19, machine load then not recorded)"
    else
        echo "   $f: guest kernel not built (host-tools/vboard/build-kernel.sh $f): its figures skipped"
    fi
done
if "$vb/build-kernel.sh" --print preempt >/dev/null 2>&1; then
    t0=$EPOCHREALTIME
    "$vb/build-kernel.sh" preempt >/dev/null
    t1=$EPOCHREALTIME
    echo "   preempt: cached build-kernel.sh $(echo "($t1 - $t0) * 1000" | bc -l | xargs printf '%.0f') ms wall (hash + stat, measured now)"
fi
[ -n "$built" ] || { echo "   no guest kernel built: round-trip and boot figures skipped"; exit 0; }

$cc -O2 -static -Wall -Wextra -o "$T/pingpong" "$top/tests/bench/bench_pingpong.c" ||
    { echo "   static bench_pingpong build failed (glibc static libraries?): skipped"; exit 1; }
"$srv" --fw-out "$T/rplat-vboard.elf" || { echo "   firmware ELF not written"; exit 1; }
cat >"$T/guest.sh" <<EOF
insmod /in/rproc_ivshmem.ko || exit 10
r=\$(grep -l '^rplat-vboard\$' /sys/class/remoteproc/remoteproc*/name | head -n1)
[ -n "\$r" ] || exit 11
r=\${r%/name}
echo start > \$r/state || exit 12
i=0
while ! ls /dev/rpmsg[0-9]* >/dev/null 2>&1; do
    i=\$((i + 1)); [ \$i -lt 300 ] || exit 13
    sleep 0.1
done
dev=\$(ls /dev/rpmsg[0-9]* | head -n1)
for k in 1 2 3; do
    echo "base\$k \$(/in/pingpong $n 0 1)"
    rplat ping --link rpmsg:dev=\$dev -a 0 -l $n -i 0 -q --no-samples -o /out/ping\$k || echo "ping-rc: \$?"
done
echo stop > \$r/state
EOF

echo "   -- round trip over the real rpmsg_char vs the guest's eventfd ping-pong ($n each, TCG: not a board's figures)"
for f in $built; do
    ko=$("$vb/kmod/build.sh" "$f" 2>"$T/kmod-$f.log") || { echo "   $f: rproc_ivshmem.ko did not build: skipped"; continue; }
    sock=$T/ivshmem-$f.sock
    "$srv" --socket "$sock" --shm "$SHM" --once -v 2> >(stamp "$T/server-$f.log") &
    SPID=$!
    i=0
    while [ ! -S "$sock" ] && [ $i -lt 100 ] && kill -0 "$SPID" 2>/dev/null; do i=$((i + 1)); sleep 0.1; done
    [ -S "$sock" ] || { echo "   $f: the ivshmem server did not come up: skipped"; continue; }
    "$vb/run.sh" -v --flavour "$f" --ivshmem "$sock" --out "$T/$f" --timeout 400 --rplat "$guest_rplat" \
        --file "$ko" --file "$T/rplat-vboard.elf:/lib/firmware/rplat-vboard.elf" --file "$T/pingpong:/in/pingpong" \
        --file "$T/guest.sh:/in/guest.sh" -- sh /in/guest.sh >"$T/run-$f.log" 2> >(stamp "$T/console-$f.log")
    rc=$?
    i=0
    while kill -0 "$SPID" 2>/dev/null && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
    kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null
    SPID=""
    # run.sh -v's `tail -f --pid` notices QEMU's exit within about a second; the stamping readers then see EOF
    i=0
    while pgrep -f "$T/$f/" >/dev/null && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
    for p in $(pgrep -f "$T/$f/"); do kill "$p" 2>/dev/null; done
    sleep 0.2
    if [ $rc -ne 0 ]; then
        echo "   $f: the guest run failed (run.sh exit $rc): skipped; last lines:"
        tail -n 8 "$T/run-$f.log" "$T/$f/guest.log" 2>/dev/null | sed 's/^/     /'
        continue
    fi
    python3 - "$T/$f/out" "$T/$f/guest.log" "$f" "$n" <<'PY'
import json, os, sys
base = {}
for line in open(sys.argv[2]):
    w = line.split()
    if len(w) == 3 and w[0].startswith("base"):
        base[w[0][4:]] = (int(w[1]), int(w[2]))
f, n, r50 = sys.argv[3], int(sys.argv[4]), []
for k in ("1", "2", "3"):
    j = os.path.join(sys.argv[1], "ping" + k, "run.json")
    if not os.path.exists(j) or k not in base:
        print("   %s: round %s: no ping run or no baseline" % (f, k)); continue
    d = json.load(open(j)); c = d["counts"]; r = d["summary"]["rtt"]; b50, b99 = base[k]
    r50.append(r["p50"] / b50)
    print("   %s: round %s: eventfd ping-pong (vCPU 0 <-> 1) p50 %.1f us, p99 %.1f us; then rplat ping over"
          " /dev/rpmsgN p50 %.1f us, p99 %.1f us (%d received, %d lost, %d late of %d) -> ratio p50 %.2f, p99 %.2f"
          % (f, k, b50 / 1e3, b99 / 1e3, r["p50"] / 1e3, r["p99"] / 1e3, c["received"], c["lost"], c["late"], n,
             r["p50"] / b50, r["p99"] / b99))
if r50:
    print("   %s: ratio p50, median of %d rounds: %.2f (range %.2f-%.2f)" % (f, len(r50), sorted(r50)[len(r50) // 2],
          min(r50), max(r50)))
PY
    grep -q '^ping-rc' "$T/$f/guest.log" && echo "   $f: rplat ping exited $(sed -n 's/^ping-rc: //p' "$T/$f/guest.log") (figures above are of an incomplete run)"
    # boot: QEMU connects to the ivshmem server as it starts; init prints its first line on the console
    python3 - "$T/server-$f.log" "$T/console-$f.log" "$T/$f/boot.txt" "$f" <<'PY'
import sys
def first(path, s):
    for line in open(path):
        t, _, rest = line.partition(" ")
        if s in rest:
            return float(t)
start = first(sys.argv[1], "guest connected")
init = first(sys.argv[2], "rplat-vboard: init started")
boot = dict(l.split(None, 1) for l in open(sys.argv[3]) if l.strip())
up = boot.get("guest_init_uptime_s", "?").strip()
host = "%.2f s" % (init - start) if start and init else "not seen"
print("   %s: boot: QEMU start -> init %s host wall (QEMU's ivshmem connect to init's console line, as tail -f"
      " saw it); guest uptime at init %s s; whole run.sh %s s" % (sys.argv[4], host, up,
      "%.1f" % float(boot["host_wall_s"]) if "host_wall_s" in boot else "?"))
PY
done
left=$(pgrep -f "$T" || true)
[ -z "$left" ] || { echo "   left running:"; ps -o pid,ppid,args -p "$(echo $left | tr " " ,)"; exit 1; }
exit 0
