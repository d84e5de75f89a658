#!/bin/sh
# The virtual board end to end: the real Linux remoteproc / virtio_rpmsg / rpmsg_char in a QEMU guest,
# driving the host probe through rproc_ivshmem.ko and rplat-vboard-server.
#
# In the guest: rproc_ivshmem binds the ivshmem-doorbell device, the rproc appears offline; `start`
# loads the firmware ELF into the shared memory, the remote sees DRIVER_OK and announces rpmsg-raw /
# rpmsg_chrdev on port 14, rpmsg_char gives /dev/rpmsgN; `rplat ping` over it (and over an endpoint
# made through /dev/rpmsg_ctrlN) must lose nothing, and stream, check coherency and trace run over both;
# `stop` stops the remote. On the host, report, budget and compare read the runs that came back. Skips (with the reason) when
# the guest kernel is not built. Usage: test_vboard_rpmsg.sh [BUILD_DIR ["FLAVOURS"]] (tests/run-integration.sh
# passes BUILD in the environment).
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-${BUILD:-build}}
FLAVOURS=${2:-${RPLAT_VBOARD_FLAVOURS:-preempt rt}}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
N=${RPLAT_VBOARD_PINGS:-10000}

SRV=$BUILD/rplat-vboard-server
[ -x "$SRV" ] || fail "$SRV not built"
[ -x "$BUILD/rplat" ] || fail "$BUILD/rplat not built"
# the board's architecture (run.sh, build-kernel.sh and kmod/build.sh read the same variable): arm64
# virt by default, whose guest runs the cross-built rplat; BUILD's rplat stays the host's (check rsc,
# report, compare)
ARCH=${RPLAT_VBOARD_ARCH:-arm64}
export RPLAT_VBOARD_ARCH=$ARCH
case $ARCH in
    arm64) QEMU=qemu-system-aarch64 QEMU_M=virt,gic-version=3 GUEST_RPLAT=${RPLAT_VBOARD_GUEST_RPLAT:-$TOP/build-aarch64/rplat} ;;
    x86_64) QEMU=qemu-system-x86_64 QEMU_M=pc GUEST_RPLAT=${RPLAT_VBOARD_GUEST_RPLAT:-$BUILD/rplat} ;;
    *) fail "RPLAT_VBOARD_ARCH=$ARCH: arm64 or x86_64" ;;
esac
command -v $QEMU >/dev/null || skip "$QEMU not installed (.ci/install-deps.sh)"
[ -x "$GUEST_RPLAT" ] || fail "$GUEST_RPLAT: the guest's rplat is not built (make vboard-guest)"

T=$(mktemp -d /tmp/rplat-vboard-test.XXXXXX)
printf '%s\n' "# busybox-only CPU load for the guest: one spinning shell per vCPU (2)" \
    "exec restart=yes -- /bin/sh -c 'while :; do :; done'" "exec restart=yes -- /bin/sh -c 'while :; do :; done'" \
    >"$T/spin.profile"
SOCK=$T/ivshmem.sock
SHM=/dev/shm/rplat-vboard-test-$$
SPID=""
QPID=""
WPID=""
cleanup() {
    for p in $QPID $SPID $WPID; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    rm -f "$SHM"
    if [ -n "${RPLAT_VBOARD_KEEP:-}" ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
# a signal ends the test (through the EXIT trap's cleanup): a trap that only cleaned up would go on with
# the next board after it, on a removed directory
trap 'exit 130' INT
trap 'exit 143' TERM

. "$TOP/tests/integration/vboard_lib.sh"

# 0. The firmware ELF the guest loads: the host probe's table, at the firmware window
"$SRV" --fw-out "$T/rplat-vboard.elf" || fail "firmware ELF not written"
"$BUILD/rplat" check rsc --memmap none "$T/rplat-vboard.elf" >"$T/rsc.txt" 2>&1 ||
    { cat "$T/rsc.txt" >&2; fail "check rsc rejects the vboard firmware ELF"; }
grep -q '0 errors, 0 warnings' "$T/rsc.txt" || { cat "$T/rsc.txt" >&2; fail "check rsc finds fault with the ELF"; }
grep -q '.resource_table 140 bytes at 0x21000000' "$T/rsc.txt" || { cat "$T/rsc.txt" >&2; fail "table not at 0x21000000"; }

# 1. The ivshmem protocol against QEMU itself (no guest kernel needed): QEMU takes the version, its id,
#    the shared memory and both peers' eventfds, or refuses to start the device.
start_server
printf 'info pci\nquit\n' >"$T/monitor.in"
$QEMU -M $QEMU_M -display none -S -monitor stdio -chardev socket,path="$SOCK",id=ivs \
    -device ivshmem-doorbell,chardev=ivs,vectors=2 <"$T/monitor.in" >"$T/qemu.log" 2>&1 &
QPID=$!
wait "$QPID" || { cat "$T/qemu.log" "$T/server.log" >&2; fail "QEMU refused the ivshmem server"; }
QPID=""
grep -q 'PCI device 1af4:1110' "$T/qemu.log" || { cat "$T/qemu.log" >&2; fail "no ivshmem device in QEMU"; }
grep -q 'BAR2: 64 bit prefetchable memory at .*\[0x000ffffe\]' "$T/qemu.log" ||
    { cat "$T/qemu.log" >&2; fail "QEMU's BAR2 is not the 1 MiB shared memory"; }
grep -q 'guest connected: peer id 1' "$T/server.log" || { cat "$T/server.log" >&2; fail "no peer id 1"; }
server_gone
echo "ivshmem handshake with QEMU: ok (peer 1, 1 MiB BAR2, server gone with its files)"

# 2. The guest, on each kernel flavour that is built: build the module, then one board per remote.
[ -x "$TOP/host-tools/vboard/run.sh" ] || skip "host-tools/vboard/run.sh not in this tree (handshake passed)"
built="" unbuilt=""
for f in $FLAVOURS; do
    if "$TOP/host-tools/vboard/build-kernel.sh" --print "$f" >/dev/null 2>&1; then
        built="$built $f"
    else
        echo "$f: guest kernel not built (host-tools/vboard/build-kernel.sh $f): not tested"
        unbuilt="$unbuilt $f"
    fi
done
[ -n "$built" ] || skip "no guest kernel built ($FLAVOURS; host-tools/vboard/build-kernel.sh; handshake passed)"

# board NAME N [SERVER ARGS...]: boot the guest on a fresh server; in it, load the module, start the
# rproc, wait for /dev/rpmsgN; over it and over an endpoint made through /dev/rpmsg_ctrlN, ping N times,
# stream N messages and run check coherency for at least N messages; stop the rproc. Results in $T/NAME/.
board() {
    name=$1 ndev=$2 nctrl=$2
    shift 2
    # a stream of N messages at STREAM_US apart; coherency rounds of ~511 messages each (every slot of
    # both directions once)
    nstream=$ndev
    srounds=$(( (ndev + 499) / 500 ))
    SRV_ARGS="$*"
    # shellcheck disable=SC2086
    start_server $SRV_ARGS
    mkdir -p "$T/$FLAVOUR-$name"
    cat >"$T/$FLAVOUR-$name/guest.sh" <<EOF
set -x
insmod /in/rproc_ivshmem.ko || exit 10
r=\$(grep -l '^rplat-vboard\$' /sys/class/remoteproc/remoteproc*/name | head -n1)
[ -n "\$r" ] || exit 11
r=\${r%/name}
echo "state-before: \$(cat \$r/state)"
if [ $name = qemu ]; then
    # the firmware's vector table in BAR2 (guest-physical 0x21100000), before remoteproc loads anything
    # (/dev/mem read() takes only RAM, on x86_64 and arm64; busybox devmem mmaps)
    echo "image-before: \$(devmem 0x21100000 32) \$(devmem 0x21100004 32)"
fi
# rplat rproc against the live sysfs: list, load (offline: the kernel takes it), start
rplat rproc list > /out/rproc-list-offline.txt; echo "rproc-list-rc: \$?"
rplat rproc load rplat-vboard.elf > /out/rproc-load.txt; echo "rproc-load-rc: \$?"
echo "firmware-loaded: \$(cat \$r/firmware)"
rplat rproc start > /out/rproc-start.txt || exit 12
i=0
while ! ls /dev/rpmsg[0-9]* >/dev/null 2>&1; do
    i=\$((i + 1)); [ \$i -lt 300 ] || { echo "no /dev/rpmsgN"; cat /sys/kernel/debug/remoteproc/*/trace0; exit 13; }
    sleep 0.1
done
echo "state-running: \$(cat \$r/state)"
if [ $name = qemu ]; then
    # what the guest's remoteproc loaded, as the guest sees it: the vector table, the vdev's status
    echo "image-running: \$(devmem 0x21100000 32) \$(devmem 0x21100004 32)"
    echo "vdev-status: \$(devmem 0x21000030 8)"
fi
ls /sys/bus/rpmsg/devices/
ls /dev/rpmsg*
grep mbox /proc/interrupts
dev=\$(ls /dev/rpmsg[0-9]* | head -n1)
rplat ping --link rpmsg:dev=\$dev -l $ndev -i 0 --no-dma-latency -q -o /out/ping-dev || echo "ping-dev-rc: \$?"
rplat ping --link rpmsg:rproc=rplat-vboard,port=14,name=rpmsg-raw -l $nctrl -i 0 --no-dma-latency -q -o /out/ping-ctrl ||
    echo "ping-ctrl-rc: \$?"
# the PREEMPT_RT vs PREEMPT_DYNAMIC comparison's runs: the same --load on both kernels (a busybox-only
# profile, one spinning shell per vCPU: the guest has no cyclictest, hackbench or stress-ng)
rplat ping --link rpmsg:dev=\$dev -l 1000 -i 500 --load /in/spin.profile --no-dma-latency -q -o /out/ping-load ||
    echo "ping-load-rc: \$?"
ctl=rpmsg:rproc=rplat-vboard,port=14,name=rpmsg-raw
rplat check coherency --link rpmsg:\$dev --rounds $srounds > /out/coherency.txt; echo "coherency-rc: \$?"
rplat check coherency --link \$ctl --rounds $srounds > /out/coherency-ctrl.txt; echo "coherency-ctrl-rc: \$?"
rplat stream --link rpmsg:\$dev -n $nstream -i $STREAM_US --no-dma-latency -q -o /out/stream > /out/stream.txt 2>&1
echo "stream-rc: \$?"
rplat stream --link \$ctl -n $nstream -i $STREAM_US --no-dma-latency -q -o /out/stream-ctrl > /out/stream-ctrl.txt 2>&1
echo "stream-ctrl-rc: \$?"
if [ $name = host ]; then
    # rplat's own tools against the live remoteproc, rpmsg and tracefs
    rplat rproc status > /out/rproc-status.txt; echo "rproc-status-rc: \$?"
    rplat rproc status --json > /out/rproc-status.json
    rplat rproc list --json > /out/rproc-list.json
    echo "sysfs: \${r##*/} \$(cat \$r/name) \$(cat \$r/state) \$(cat \$r/firmware) \$(cat \$r/recovery)" \
        "\$(ls /sys/kernel/debug/remoteproc/\${r##*/}/ | grep -c '^trace[0-9]')"
    # the kernel's own answers (a raw write: busybox names the write's errno), then rplat's
    { echo -n rplat-vboard.elf > \$r/firmware; } 2> /out/raw-fw-running.err; echo "raw-fw-running-rc: \$?"
    rplat rproc load rplat-vboard.elf 2> /out/rproc-load-running.err; echo "load-running-rc: \$?"
    echo "firmware-after-refusal: \$(cat \$r/firmware)"
    # start of a running core: the kernel does not refuse it, it takes another power reference (then one
    # stop leaves the core running); rplat does not write it
    rplat rproc start 2> /out/rproc-start-running.err; echo "start-running-rc: \$?"
    { echo start > \$r/state; } 2> /out/raw-start-running.err; echo "raw-start-running-rc: \$?"
    { echo stop > \$r/state; } 2> /out/raw-stop-one.err; echo "raw-stop-one-rc: \$?"
    echo "state-after-one-stop: \$(cat \$r/state)"
    rplat rproc trace > /out/rproc-trace.txt; echo "rproc-trace-rc: \$?"
    rplat check system > /out/check-system.txt; echo "check-system-rc: \$?"
    rplat trace --link rpmsg:\$dev -l 300 -i 1000 --no-dma-latency -q -o /out/trace > /out/trace.txt 2>&1
    echo "trace-rc: \$?"
    # trace over an endpoint rplat makes itself through /dev/rpmsg_ctrlN too
    rplat trace --link \$ctl -l 200 -i 1000 --no-dma-latency -q -o /out/trace-ctrl > /out/trace-ctrl.txt 2>&1
    echo "trace-ctrl-rc: \$?"
fi
echo "trace:"
cat /sys/kernel/debug/remoteproc/*/trace0
rplat rproc stop > /out/rproc-stop.txt || exit 14
echo "state-after: \$(cat \$r/state)"
if [ $name = qemu ]; then
    # images the real kernel or the server must refuse: a segment outside the 16 MiB window, one that
    # runs past its end, and the host remote's table-only ELF (no firmware for the boot ROM)
    for f in outside straddle table; do
        echo -n "vboard-\$f.elf" > \$r/firmware || { echo "window \$f firmware-not-set"; continue; }
        if echo start > \$r/state 2>/dev/null; then
            echo "window \$f started"
            echo stop > \$r/state
        else
            echo "window \$f refused"
        fi
    done
    echo "state-end: \$(cat \$r/state)"
fi
if [ $name = host ]; then
    { echo stop > \$r/state; } 2> /out/raw-stop-offline.err; echo "raw-stop-offline-rc: \$?"
    rplat rproc stop 2> /out/rproc-stop-offline.err; echo "stop-offline-rc: \$?"
    # the kernel as the oracle of check rsc: try to start every mutant
    for f in /lib/firmware/oracle-*.elf; do
        n=\${f##*/oracle-}
        n=\${n%.elf}
        echo "rplat-oracle: \$n" > /dev/kmsg
        echo -n "oracle-\$n.elf" > \$r/firmware || { echo "oracle \$n firmware-not-set"; continue; }
        if echo start > \$r/state 2>/dev/null; then
            echo "oracle \$n started"
            echo stop > \$r/state
        else
            echo "oracle \$n refused"
        fi
    done
fi
EOF
    WPID=""
    if [ "$name" = qemu ]; then
        # the shared file as the firmware runs: copied once it has attached (its console line)
        (
            i=0
            while ! grep -q '^attached: ' "$T/server.log"; do
                i=$((i + 1)); [ $i -lt 3000 ] || exit 1
                sleep 0.1
            done
            cp "$SHM" "$T/$FLAVOUR-$name/shm-running.bin"
        ) &
        WPID=$!
    fi
    set +e
    "$TOP/host-tools/vboard/run.sh" --flavour "$FLAVOUR" --ivshmem "$SOCK" --out "$T/$FLAVOUR-$name/out" --timeout 400 \
        --rplat "$GUEST_RPLAT" --file "$KO" --file "$FW_FILE:/lib/firmware/rplat-vboard.elf" \
        --file "$T/$FLAVOUR-$name/guest.sh:/in/guest.sh" --file "$T/spin.profile:/in/spin.profile" \
        $(oracle_files "$name") $(qemu_files "$name") -- sh /in/guest.sh \
        >"$T/$FLAVOUR-$name/run.log" 2>&1
    rc=$?
    [ -z "$WPID" ] || { kill "$WPID" 2>/dev/null; wait "$WPID"; WPID=""; }
    set -e
    O=$T/$FLAVOUR-$name/out
    show() {
        for f in "$T/$FLAVOUR-$name/run.log" "$O/guest.log" "$O/dmesg.txt" "$T/server.log"; do
            [ -f "$f" ] && { echo "--- $f"; tail -n 60 "$f"; }
        done >&2
    }
    [ $rc -ne 4 ] || skip "run.sh: the $FLAVOUR kernel is not built"
    [ $rc -eq 0 ] || { show; fail "$name: the guest command failed (run.sh rc $rc)"; }
    G=$O/guest.log
    D=$O/dmesg.txt
    grep -q '^state-before: offline$' "$G" || { show; fail "$name: the rproc was not offline after insmod"; }
    grep -q '^state-running: running$' "$G" || { show; fail "$name: the rproc did not reach running"; }
    grep -q '^state-after: offline$' "$G" || { show; fail "$name: the rproc was not offline after stop"; }
    grep -q 'rpmsg-raw' "$G" || { show; fail "$name: no rpmsg-raw channel in /sys/bus/rpmsg/devices"; }
    grep -q 'ivshmem-mbox-vq' "$G" || { show; fail "$name: no mbox interrupt in /proc/interrupts"; }
    # the remote's name-service announcements on port 14: mainline rpmsg_char's name and TI's
    grep -q 'creating channel rpmsg-raw addr 0xe' "$D" ||
        { show; fail "$name: dmesg: no name-service channel rpmsg-raw on port 14"; }
    grep -q 'creating channel rpmsg_chrdev addr 0xe' "$D" ||
        { show; fail "$name: dmesg: no name-service channel rpmsg_chrdev on port 14"; }
    grep -q 'remote processor rplat-vboard is now up' "$D" || { show; fail "$name: dmesg: the core is not up"; }
    # arm64: the board's device tree describes the remote (host-tools/vboard/dt-remote.sh); the driver
    # takes its carveouts from the node's memory-region
    [ "$ARCH" != arm64 ] || grep -q 'carveouts from the device tree' "$D" ||
        { show; fail "$name: rproc_ivshmem did not take its carveouts from the device tree"; }
    grep -q 'remote started' "$T/server.log" || { show; fail "$name: the server did not start the remote"; }
    ! grep -q 'ping-.*-rc' "$G" || { show; fail "$name: a ping in the guest failed"; }
    for run in ping-dev ping-ctrl; do
        j=$O/out/$run/run.json
        want=$ndev
        [ $run = ping-dev ] || want=$nctrl
        [ -f "$j" ] || { show; fail "$name: $run: no run.json came back"; }
        jassert "$j" "d['counts']['lost'] == 0 and d['counts']['late'] == 0 and d['counts']['received'] == $want"
    done
    echo "$name ($FLAVOUR): $ndev + $nctrl round trips over the real rpmsg_char (dev, ctrl endpoint), 0 lost"
    for l in "" -ctrl; do
        c=$O/out/coherency$l.txt
        { grep -q "^coherency$l-rc: 0\$" "$G" && grep -q '^# verdict: clean' "$c"; } ||
            { cat "$c" >&2; fail "$name: check coherency over the real rpmsg (${l:-dev}) is not clean"; }
        grep -q '^# problems: lost 0, probe errors 0, unparseable 0, unexpected 0$' "$c" ||
            { cat "$c" >&2; fail "$name: check coherency had problems on the real rpmsg (${l:-dev})"; }
        # messages the host sent: its writes (each checked by the probe) and its fill requests (each
        # answered by a message the host checks)
        msgs=$(sed -n 's/^# messages: \([0-9]*\) COH_WRITE -> [0-9]* COH_REPORT, \([0-9]*\) COH_FILL .*/\1 \2/p' "$c")
        set -- $msgs
        [ $# -eq 2 ] && [ $(($1 + $2)) -ge "$ndev" ] ||
            { cat "$c" >&2; fail "$name: check coherency (${l:-dev}) covered ${msgs:-no} messages, fewer than $ndev"; }
        # Linux, not rplat, picks the TX buffer of each write (rpmsg's get_a_tx_buf() recycles used ones),
        # so all 256 host->probe slots are usually but not always reached (255/256 seen): said, not required
        cover="$(sed -n 's/^# slots covered: //p' "$c"), $(($1 + $2)) messages"
        [ -n "$l" ] && cover_ctrl=$cover || cover_dev=$cover
        # a stream's exit status also judges its clock fit and its closing calibration, which a TCG guest on
        # a loaded host can fail; what must hold on the real rpmsg path is that every message the probe sent
        # arrived, none lost
        j=$O/out/stream$l/run.json
        [ -f "$j" ] || { cat "$O/out/stream$l.txt" >&2; fail "$name: rplat stream (${l:-dev}) wrote no run"; }
        jassert "$j" "d['kind'] == 'stream' and d['counts']['expected'] >= $nstream and d['counts']['received'] == d['counts']['expected'] and d['counts']['lost'] == 0"
    done
    echo "$name ($FLAVOUR): check coherency clean over /dev/rpmsgN ($cover_dev) and the ctrl endpoint ($cover_ctrl)"
    for l in "" -ctrl; do
        echo "$name ($FLAVOUR): stream${l:- (dev)}: $(jget "$O/out/stream$l/run.json" "d['counts']['received']") messages, 0 lost (ended_by $(jget "$O/out/stream$l/run.json" "d['ended_by']"), exit $(sed -n "s/^stream$l-rc: //p" "$G"))"
    done
    [ "$name" != host ] || host_tools_checks
    [ "$name" != qemu ] || qemu_checks
    # nothing left running: the server exits (--once) when QEMU disconnects, with its remote
    server_gone
}

# The kernel as the oracle of `check rsc`: mutants of the firmware ELF (tests/integration/vboard/
# rsc_mutants.py), each made to hit one rule. check rsc on the host must report exactly that rule (of
# those the kernel refuses: the mutant's declared knock-ons aside), so a mutant that hits another rule
# fails here; the guest's remoteproc then answers: an image whose rule the kernel refuses must fail to
# start, any other must start. Together the mutants must cover every rule check rsc marks "kernel
# refuses" (`check rsc --rules`): a new such rule without a mutant fails the test.
mkdir -p "$T/oracle"
"$SRV" --fw-out "$T/oracle/base.elf"
python3 "$TOP/tests/integration/vboard/rsc_mutants.py" "$T/oracle/base.elf" "$T/oracle" >"$T/oracle/mutants"
"$BUILD/rplat" check rsc --rules >"$T/oracle/rules.txt"
sed -n 's/^\([a-z_.]*\)  *[a-z]*  *(the kernel refuses)$/\1/p' "$T/oracle/rules.txt" | sort >"$T/oracle/ref-rules"
[ -s "$T/oracle/ref-rules" ] || fail "check rsc --rules lists no rule the kernel refuses"
awk '{print $2}' "$T/oracle/mutants" | sort -u | grep -Fxf "$T/oracle/ref-rules" >"$T/oracle/covered" || true
uncovered=$(comm -23 "$T/oracle/ref-rules" "$T/oracle/covered" | tr '\n' ' ')
[ -z "$uncovered" ] || fail "rules check rsc marks 'kernel refuses' with no mutant in rsc_mutants.py: $uncovered"
while read -r n rule also; do
    "$BUILD/rplat" check rsc --memmap vboard --json "$T/oracle/oracle-$n.elf" >"$T/oracle/$n.json" \
        2>"$T/oracle/$n.err" || true
    python3 -c 'import json,sys
n, rule, also, refs = sys.argv[2], sys.argv[3], sys.argv[4].split(","), open(sys.argv[5]).read().split()
d=json.load(open(sys.argv[1])); f=d.get("findings", [])
got = sorted(set(x["rule"] for x in f if x["kernel_refuses"]) - set(also))
want = [rule] if rule in refs else []
if rule != "-" and rule not in [x["rule"] for x in f]:
    sys.exit("mutant %s: check rsc does not report %s (it reports: %s)" % (n, rule, ", ".join(x["rule"] for x in f) or "nothing"))
if got != want:
    sys.exit("mutant %s: check rsc says the kernel refuses it for %s, not exactly %s" % (n, ", ".join(got) or "nothing", rule))
if n == "clean" and f:
    sys.exit("the clean image has findings: " + ", ".join(x["rule"] for x in f))
print(n, "refused" if want else "started", rule)' "$T/oracle/$n.json" "$n" "$rule" "$also" "$T/oracle/ref-rules" \
        >>"$T/oracle/expected" 2>"$T/oracle/$n.why" ||
        { cat "$T/oracle/$n.why" "$T/oracle/$n.err" >&2; fail "check rsc does not report the rule mutant $n is made for"; }
done <"$T/oracle/mutants"
awk '{print $1}' "$T/oracle/mutants" >"$T/oracle/names"
echo "check rsc: each of $(wc -l <"$T/oracle/names") mutants reports exactly its rule; they cover all" \
    "$(wc -l <"$T/oracle/ref-rules") rules marked 'kernel refuses'"
oracle_files() {
    [ "$1" = host ] || return 0
    for n in $(cat "$T/oracle/names"); do
        printf ' --file %s' "$T/oracle/oracle-$n.elf:/lib/firmware/oracle-$n.elf"
    done
}
# --memmap vboard: rproc_ivshmem's parse_fw is rproc_elf_load_rsc_table, so a missing table is refused
# there (under none, whose driver is unknown, it is only a warning).
# rsc.vring_zero is not "kernel refuses" (this test once found that claim wrong): in 6.12 a vring with num
# or align 0 only fails the rproc-virtio platform device's probe ("invalid qsz (N) or alignment (M)",
# "probe with driver rproc-virtio failed with error -22"), which rproc_handle_vdev() does not see: the
# core boots, without RPMsg. Its two mutants must start, with exactly that kernel evidence.
oracle_evidence() {
    case $1 in
    vring-num-zero) grep -q 'invalid qsz (0) or alignment (4096)' "$D" ;;
    vring-align-zero) grep -q 'invalid qsz (256) or alignment (0)' "$D" ;;
    *) return 0 ;;
    esac && grep -q 'probe with driver rproc-virtio failed with error -22' "$D"
}
# the kernel log between the guest's marker for mutant $1 and the next one
oracle_log() { sed -n "/rplat-oracle: $1\$/,/rplat-oracle: /p" "$D" | grep -v 'rplat-oracle: '; }
oracle_checks() {
    bad=0 nref=0 nstart=0
    while read -r n want rule; do
        got=$(sed -n "s/^oracle $n //p" "$G")
        if [ "$got" != "$want" ]; then
            echo "DISAGREE: $n: check rsc expects it $want ($rule), the kernel: ${got:-not tried}" >&2
            bad=$((bad + 1))
        elif ! oracle_evidence "$n"; then
            echo "DISAGREE: $n: started, but not for the reason rsc.vring_zero gives (no 'invalid qsz' probe failure)" >&2
            bad=$((bad + 1))
        fi
        [ "$want" = refused ] && nref=$((nref + 1)) || nstart=$((nstart + 1))
    done <"$T/oracle/expected"
    [ $bad -eq 0 ] || { grep -i 'remoteproc\|rproc' "$D" | tail -n 40 >&2; fail "check rsc and the kernel disagree on $bad images"; }
    # the two newest mutants, refused for the reason the rule gives: rproc_elf_sanity_check()'s bound,
    # and rproc_handle_devmem() without an IOMMU domain (-EINVAL, no message of its own)
    oracle_log elf-shdrs-outside | grep -q 'Section headers are out of bounds' ||
        { oracle_log elf-shdrs-outside >&2; fail "oracle: elf-shdrs-outside was not refused by rproc_elf_sanity_check()"; }
    oracle_log devmem-no-iommu | grep -q 'Failed to process resources: -22' ||
        { oracle_log devmem-no-iommu >&2; fail "oracle: devmem-no-iommu was not refused while processing the resources"; }
    echo "host ($FLAVOUR): check rsc and the guest's remoteproc agree on all $((nref + nstart)) images" \
        "(check rsc: $nref refused, $nstart started); the kernel on elf-shdrs-outside:" \
        "'$(oracle_log elf-shdrs-outside | grep -m1 'out of bounds' | sed 's/^\[[^]]*\] //')', on devmem-no-iommu:" \
        "'$(oracle_log devmem-no-iommu | grep -m1 'Failed to process' | sed 's/^\[[^]]*\] //')'"
}

# rplat rproc on the live sysfs (host board): its outputs against what sysfs said, and its refusals
# against the kernel's own answers to the same writes made raw (the errno busybox reports).
rproc_checks() {
    read -r id rname rstate rfw rrec ntrace <<SYS
$(sed -n 's/^sysfs: //p' "$G")
SYS
    [ "$rname" = rplat-vboard ] && [ "$rstate" = running ] && [ "$rfw" = rplat-vboard.elf ] ||
        { show; fail "rproc: sysfs while running: $id $rname $rstate $rfw"; }
    grep -q "^$id  *rplat-vboard  *offline  *" "$O/out/rproc-list-offline.txt" ||
        { cat "$O/out/rproc-list-offline.txt" >&2; fail "rplat rproc list (offline) does not show $id offline"; }
    grep -q "^$id (rplat-vboard): firmware set to rplat-vboard.elf\$" "$O/out/rproc-load.txt" &&
        grep -q '^firmware-loaded: rplat-vboard.elf$' "$G" ||
        { cat "$O/out/rproc-load.txt" >&2; fail "rplat rproc load of an offline core did not set the firmware"; }
    grep -q "^$id (rplat-vboard): started with rplat-vboard.elf\$" "$O/out/rproc-start.txt" ||
        { cat "$O/out/rproc-start.txt" >&2; fail "rplat rproc start did not say it started"; }
    jassert "$O/out/rproc-status.json" "d['id'] == '$id' and d['name'] == '$rname' and d['state'] == '$rstate' and d['firmware'] == '$rfw' and d['recovery'] == '$rrec' and d['traces'] == $ntrace and d['firmware_file']['present'] and d['firmware_file']['kernel_refuses'] == 0"
    jassert "$O/out/rproc-list.json" "[(p['id'], p['name'], p['state'], p['firmware']) for p in d['remoteprocs']] == [('$id', '$rname', '$rstate', '$rfw')]"
    grep -q "^  state     $rstate\$" "$O/out/rproc-status.txt" || { cat "$O/out/rproc-status.txt" >&2; fail "rplat rproc status: not '$rstate'"; }
    # the kernel refuses, rplat passes its errno on: the same refusal (exit 1, the state unchanged) and
    # its message carries the kernel's errno, by name and by the text busybox printed for the raw write
    for what in fw-running:load-running stop-offline:stop-offline; do
        raw=${what%%:*} mine=${what#*:}
        grep -q "^raw-$raw-rc: 1\$" "$G" || { show; fail "rproc: the kernel took the raw $raw write"; }
        grep -q "^$mine-rc: 1\$" "$G" || { show; fail "rplat rproc: $mine did not fail as the kernel's write did"; }
        python3 -c 'import errno, os, sys
raw = open(sys.argv[1]).read().strip().rsplit(": ", 1)[-1]
mine = open(sys.argv[2]).read()
names = {os.strerror(e): n for e, n in errno.errorcode.items()}
if raw not in names:
    sys.exit("the raw write printed no errno text: %r" % raw)
want = "%s: %s" % (names[raw], raw)
if want not in mine:
    sys.exit("rplat says %r, the kernel answered %s" % (mine.strip(), want))
print(want)' "$O/out/raw-$raw.err" "$O/out/rproc-$mine.err" >"$O/kernel-$raw.txt" ||
            { cat "$O/out/raw-$raw.err" "$O/out/rproc-$mine.err" >&2; fail "rplat rproc $mine does not report the kernel's errno"; }
    done
    grep -q "^firmware-after-refusal: rplat-vboard.elf\$" "$G" || { show; fail "rproc: the firmware changed on a running core"; }
    # start of a running core: the kernel takes it (0) and one stop then leaves the core running, which is
    # why rplat does not write it
    grep -q '^start-running-rc: 1$' "$G" && grep -q 'not written, since the kernel would not refuse start' "$O/out/rproc-start-running.err" ||
        { cat "$O/out/rproc-start-running.err" >&2; fail "rplat rproc start of a running core was not refused"; }
    grep -q '^raw-start-running-rc: 0$' "$G" && grep -q '^raw-stop-one-rc: 0$' "$G" && grep -q '^state-after-one-stop: running$' "$G" ||
        { show; fail "rproc: the kernel no longer takes a start of a running core as another power reference (rproc.c's claim)"; }
    grep -q '^state-after: offline$' "$G" && grep -q "^$id (rplat-vboard): stopped\$" "$O/out/rproc-stop.txt" ||
        { cat "$O/out/rproc-stop.txt" >&2; fail "rplat rproc stop did not stop the core"; }
    rproc_said="firmware change on a running core: the kernel $(cat "$O/kernel-fw-running.txt"), stop offline: $(cat "$O/kernel-stop-offline.txt"), rplat the same; start running: the kernel takes it (0) as a power reference, rplat refuses"
}

# What rplat's other tools did against the live kernel on the host board (see the guest script).
host_tools_checks() {
    rproc_checks
    grep -q 'DRIVER_OK, announced' "$O/out/rproc-trace.txt" ||
        { show; fail "rplat rproc trace did not show the remote's trace buffer (debugfs trace0)"; }
    grep -q 'ivshmem-mbox-vq.*\[sys.mbox_irq\]' "$O/out/check-system.txt" ||
        { cat "$O/out/check-system.txt" >&2; fail "check system did not find the mailbox interrupt"; }
    grep -q 'rplat-vboard: running.*\[sys.remoteproc\]' "$O/out/check-system.txt" ||
        { cat "$O/out/check-system.txt" >&2; fail "check system did not find the running remoteproc"; }
    grep -q '^trace-rc: 0$' "$G" || { cat "$O/out/trace.txt" >&2; fail "rplat trace failed in the guest"; }
    jassert "$O/out/trace/trace/capture.json" \
        "set(['rproc_vq_interrupt', 'rpmsg_recv_done', 'virtqueue_kick']) <= set(d['kprobes']['traced'])"
    jassert "$O/out/trace/trace/analysis.json" "d['messages'] == 300 and d['matched'] / d['messages'] >= 0.99"
    # the capture knows it ran in a VM, as run.json does (one detector): on arm64 virt under TCG only the
    # device tree says so (no hypervisor CPU flag, no /hypervisor node)
    jassert "$O/out/trace/trace/capture.json" \
        "d['system']['guest'] is True and ('$ARCH' != 'arm64' or d['system']['guest_source'] == 'QEMU virt (device tree: linux,dummy-virt)')"
    # the doorbell IRQ (the driver's MSI-X vector 0, "ivshmem-mbox-vq" in /proc/interrupts) was found by
    # its name (capture.json's mailbox_irqs), was traced in the path of every message (an entry between
    # its kick and its host wakeup) and was used by the analysis (a message's wakeup stage starting at
    # it; analyze.c takes it when it finds it, else the sched_wakeup; 247 of 300 were seen, not all)
    irq=$(sed -n 's/^ *\([0-9]*\):.* ivshmem-mbox-vq$/\1/p' "$G" | head -n1)
    [ -n "$irq" ] || { show; fail "no ivshmem-mbox-vq line in the guest's /proc/interrupts"; }
    jassert "$O/out/trace/trace/capture.json" "'$irq' in d['mailbox_irqs']"
    "$BUILD/rplat" trace export "$O/out/trace" --text "$O/trace-events.txt" ||
        fail "rplat trace export cannot read the guest's trace"
    use=$(python3 "$TOP/tests/integration/vboard/mbox_irq_use.py" "$O/trace-events.txt" \
        "$O/out/trace/trace/stages.tsv" "$irq")
    set -- $use
    [ $# -eq 4 ] && [ "$3" -gt 0 ] && [ $(($1 * 100)) -ge $(($3 * 99)) ] ||
        fail "rplat trace: the mailbox IRQ $irq was traced in the path of only ${1:-?} of ${3:-?} matched messages"
    [ "$2" -gt 0 ] || fail "rplat trace: the analysis used the mailbox IRQ $irq for no message (wakeups only)"
    mbox_used="mailbox IRQ $irq (ivshmem-mbox-vq) in capture.json's mailbox_irqs, in the path of $1/$3 matched messages, their wakeup stage in $2"
    # over the rpmsg_ctrl endpoint: the trace matched
    grep -q '^trace-ctrl-rc: 0$' "$G" || { cat "$O/out/trace-ctrl.txt" >&2; fail "rplat trace over the ctrl endpoint failed"; }
    jassert "$O/out/trace-ctrl/trace/analysis.json" "d['messages'] == 200 and d['matched'] / d['messages'] >= 0.99"
    echo "host ($FLAVOUR): over the rpmsg_ctrl endpoint: trace" \
        "$(jget "$O/out/trace-ctrl/trace/analysis.json" "d['matched']")/200 matched"
    oracle_checks
    echo "host ($FLAVOUR): rplat rproc list/load/start/status/stop agree with sysfs; $rproc_said"
    echo "host ($FLAVOUR): check system (mbox irq, remoteproc)," \
        "trace (kprobes on rproc_vq_interrupt/rpmsg_recv_done/virtqueue_kick," \
        "$(jget "$O/out/trace/trace/analysis.json" "d['matched']")/300 matched; $mbox_used)"
}

# The QEMU remote: the guest's remoteproc loaded the real firmware ELF (probe-fw TARGET=qemu-vboard) into
# the shared memory and QEMU ran only the boot ROM, which booted it. Evidence from every side: the
# kernel's log (the ELF's name and size), the image area zero before the start and the ELF's read-only
# segment byte-identical there while running (read through the guest's /dev/mem), the table as Linux
# wrote it, the ROM's console line with the ELF's own vectors, the firmware's INFO (target, build-id).
qemu_files() {
    [ "$1" = qemu ] || return 0
    printf ' --file %s' "$T/vboard-outside.elf:/lib/firmware/vboard-outside.elf" \
        "$T/vboard-straddle.elf:/lib/firmware/vboard-straddle.elf" "$T/rplat-vboard.elf:/lib/firmware/vboard-table.elf"
}
qemu_checks() {
    fws="python3 $TOP/tests/integration/vboard/fw_segments.py"
    size=$(stat -c %s "$FW_FILE")
    grep -q "Booting fw image rplat-vboard.elf, size $size\$" "$D" ||
        { show; fail "qemu: dmesg: remoteproc did not boot the $size-byte firmware ELF"; }
    read -r sp pc <<VEC
$($fws vectors "$FW_FILE" 0x21100000)
VEC
    # the guest's view of BAR2: nothing at the image before the start, the ELF's vectors after
    grep -q '^image-before: 0x00000000 0x00000000$' "$G" || { show; fail "qemu: the image area was not empty before the start"; }
    grep -qi "^image-running: $sp $pc\$" "$G" || { show; fail "qemu: the guest does not see the ELF's vectors ($sp $pc) at 0x21100000"; }
    # the host's view, the shared file: the ELF's read-only segment byte-identical at its address
    [ -f "$T/$FLAVOUR-qemu/shm-running.bin" ] || { show; fail "qemu: the firmware never attached (no copy of the shared file)"; }
    $fws compare "$FW_FILE" "$T/$FLAVOUR-qemu/shm-running.bin" --text-only >"$T/$FLAVOUR-qemu/compare.txt" ||
        { cat "$T/$FLAVOUR-qemu/compare.txt" >&2; fail "qemu: the firmware's read-only segment is not what the ELF holds"; }
    grep -aq 'rplat probe qemu-vboard 0.1.0' "$T/$FLAVOUR-qemu/shm-running.bin" ||
        fail "qemu: the firmware's banner string is not in the shared memory"
    tab=$($fws table "$T/$FLAVOUR-qemu/shm-running.bin")
    st=${tab#*status }
    st=${st%% *}
    case $tab in
    "ver 1 num 2 status "*" vring0 0x21010000 vring1 0x21020000") [ $((st & 4)) -ne 0 ] ||
        fail "qemu: the loaded table has no DRIVER_OK: $tab" ;;
    *) fail "qemu: the loaded resource table is not Linux's (vrings at the carveouts): $tab" ;;
    esac
    # 0x07 here (ACKNOWLEDGE, DRIVER, DRIVER_OK: remoteproc's virtio device is legacy, no FEATURES_OK)
    vs=$(sed -n 's/^vdev-status: //p' "$G")
    [ -n "$vs" ] && [ $((vs & 4)) -ne 0 ] || { show; fail "qemu: the guest does not see DRIVER_OK in the loaded table (${vs:-nothing})"; }
    grep -q "vboot: firmware vector table at 0x21100000: SP $sp, reset $pc: booting it" "$T/server.log" ||
        { show; fail "qemu: the boot ROM did not boot the ELF's vector table (SP $sp, reset $pc)"; }
    bid=$("${CROSS}readelf" -n "$FW_FILE" | sed -n 's/.*Build ID: //p')
    jassert "$O/out/ping-dev/run.json" "d['firmware']['target'] == 'qemu-vboard' and d['firmware']['build_id'] == '$bid'"
    # refusals: the kernel's own "bad phdr da" for a segment it cannot translate (rproc_ivshmem's da_to_va
    # covers [0x21000000, + BAR2 size)), the server's for an image with nothing to boot
    for f in outside straddle table; do
        grep -q "^window $f refused\$" "$G" || { show; fail "qemu: vboard-$f.elf was not refused"; }
    done
    for f in outside straddle; do
        read -r da _ memsz _ <<SEG
$($fws list "$T/vboard-$f.elf" | sed -n 2p)
SEG
        grep -q "bad phdr da $da mem $memsz\$" "$D" || { show; fail "qemu: dmesg: no 'bad phdr da $da mem $memsz' for vboard-$f.elf"; }
    done
    grep -q 'start: no firmware for the boot ROM at 0x21100000' "$T/server.log" ||
        { show; fail "qemu: the server did not refuse the table-only image"; }
    grep -q "can't start rproc rplat-vboard: -5" "$D" || { show; fail "qemu: remoteproc did not report the refused start"; }
    [ "$(grep -c 'remote started' "$T/server.log")" -eq 1 ] || { show; fail "qemu: QEMU was started for a refused image"; }
    grep -q '^state-end: offline$' "$G" || { show; fail "qemu: not offline after the refusals"; }
    echo "qemu ($FLAVOUR): remoteproc loaded the $size-byte firmware ELF (read-only segment identical in BAR2," \
        "table $tab), the boot ROM booted SP $sp reset $pc, INFO build-id $bid;" \
        "refused: segment outside the window and past its end (bad phdr da), table-only image (server)"
}

# The remote dies mid-run (the host probe exits after about 1500 requests, without a word): the guest's rplat
# must end with the rest counted lost and exit 3 (remote gone), not hang; the driver reports the crash
# and remoteproc recovers the core (stop, then start: a fresh remote announces again).
crash_board() {
    name=crash
    start_server --opts die=1500
    mkdir -p "$T/$FLAVOUR-$name"
    cat >"$T/$FLAVOUR-$name/guest.sh" <<EOF
set -x
insmod /in/rproc_ivshmem.ko || exit 10
r=\$(grep -l '^rplat-vboard\$' /sys/class/remoteproc/remoteproc*/name | head -n1)
r=\${r%/name}
echo start > \$r/state || exit 12
i=0
while ! ls /dev/rpmsg[0-9]* >/dev/null 2>&1; do
    i=\$((i + 1)); [ \$i -lt 300 ] || { echo "no /dev/rpmsgN"; exit 13; }
    sleep 0.1
done
rplat ping --link rpmsg:/dev/rpmsg0 -l 5000 -i 0 --no-dma-latency -q -o /out/ping-crash
echo "ping-rc: \$?"
i=0
until [ "\$(cat \$r/state)" = running ] && ls /dev/rpmsg[0-9]* >/dev/null 2>&1; do
    i=\$((i + 1)); [ \$i -lt 300 ] || { echo "not recovered: \$(cat \$r/state)"; exit 15; }
    sleep 0.1
done
echo "state-recovered: \$(cat \$r/state)"
echo stop > \$r/state || exit 14
echo "state-after: \$(cat \$r/state)"
EOF
    set +e
    "$TOP/host-tools/vboard/run.sh" --flavour "$FLAVOUR" --ivshmem "$SOCK" --out "$T/$FLAVOUR-$name/out" --timeout 300 \
        --rplat "$GUEST_RPLAT" --file "$KO" --file "$T/rplat-vboard.elf:/lib/firmware/rplat-vboard.elf" \
        --file "$T/$FLAVOUR-$name/guest.sh:/in/guest.sh" -- sh /in/guest.sh >"$T/$FLAVOUR-$name/run.log" 2>&1
    rc=$?
    set -e
    O=$T/$FLAVOUR-$name/out
    show() {
        for f in "$T/$FLAVOUR-$name/run.log" "$O/guest.log" "$O/dmesg.txt" "$T/server.log"; do
            [ -f "$f" ] && { echo "--- $f"; tail -n 60 "$f"; }
        done >&2
    }
    [ $rc -eq 0 ] || { show; fail "$name: the guest command failed (run.sh rc $rc)"; }
    grep -q '^ping-rc: 3$' "$O/guest.log" || { show; fail "$name: rplat ping did not exit 3 when the remote died"; }
    j=$O/out/ping-crash/run.json
    [ -f "$j" ] || { show; fail "$name: no run.json came back"; }
    # die=N ends the probe once it has served N requests, counted per batch it takes from the ring, so a
    # few more than N may be answered
    jassert "$j" "1500 <= d['counts']['received'] < 5000 and d['counts']['lost'] >= 1 and d['counts']['received'] + d['counts']['lost'] == d['counts']['sent'] and d['return_code'] == 3"
    grep -q 'remote died' "$O/dmesg.txt" || { show; fail "$name: the driver did not report the death"; }
    grep -q 'crash detected in rplat-vboard' "$O/dmesg.txt" || { show; fail "$name: remoteproc saw no crash"; }
    grep -q '^state-recovered: running$' "$O/guest.log" || { show; fail "$name: remoteproc did not recover the core"; }
    grep -q '^state-after: offline$' "$O/guest.log" || { show; fail "$name: not offline after stop"; }
    [ "$(grep -c 'remote started' "$T/server.log")" -ge 2 ] || { show; fail "$name: the server did not restart the remote"; }
    echo "$name ($FLAVOUR): the remote died after $(jget "$j" "d['counts']['received']") replies; rplat exit 3 with $(jget "$j" "d['counts']['lost']") lost ($(jget "$j" "d['ended_by']")), remoteproc reported the crash and recovered"
    server_gone
}

# The QEMU remote dies mid-run (the host kills its qemu-system-arm, by the pid the server logged, once the
# firmware has consumed 1000 of the guest's messages: vring1's used index in the shared file): the guest's
# rplat ends with exit 3, the driver reports the crash, and remoteproc's recovery stops the core (the
# server clears the image area), loads the firmware ELF again and starts it: a fresh QEMU, the boot ROM
# boots the reloaded image, and a ping over the new channel loses nothing.
qemu_crash_board() {
    name=qemu-crash
    start_server --remote "qemu:$T/vboot.elf"
    mkdir -p "$T/$FLAVOUR-$name"
    cat >"$T/$FLAVOUR-$name/guest.sh" <<EOF
set -x
insmod /in/rproc_ivshmem.ko || exit 10
r=\$(grep -l '^rplat-vboard\$' /sys/class/remoteproc/remoteproc*/name | head -n1)
r=\${r%/name}
echo start > \$r/state || exit 12
i=0
while ! ls /dev/rpmsg[0-9]* >/dev/null 2>&1; do
    i=\$((i + 1)); [ \$i -lt 300 ] || { echo "no /dev/rpmsgN"; exit 13; }
    sleep 0.1
done
rplat ping --link rpmsg:/dev/rpmsg0 -l 20000 -i 0 --no-dma-latency -q -o /out/ping-crash
echo "ping-rc: \$?"
i=0
until [ "\$(cat \$r/state)" = running ] && ls /dev/rpmsg[0-9]* >/dev/null 2>&1; do
    i=\$((i + 1)); [ \$i -lt 300 ] || { echo "not recovered: \$(cat \$r/state)"; exit 15; }
    sleep 0.1
done
echo "state-recovered: \$(cat \$r/state)"
echo "image-recovered: \$(devmem 0x21100000 32) \$(devmem 0x21100004 32)"
dev=\$(ls /dev/rpmsg[0-9]* | head -n1)
rplat ping --link rpmsg:dev=\$dev -l 200 -i 0 --no-dma-latency -q -o /out/ping-after || echo "ping-after-rc: \$?"
echo stop > \$r/state || exit 14
echo "state-after: \$(cat \$r/state)"
EOF
    (
        i=0
        while :; do
            pid=$(sed -n 's/.*under qemu-system-arm (pid \([0-9]*\)).*/\1/p' "$T/server.log" | head -n1)
            used=$(od -An -tu2 -j $((0x22002)) -N2 "$SHM" 2>/dev/null | tr -d ' ')
            [ -z "$pid" ] || [ "${used:-0}" -lt 1000 ] || break
            i=$((i + 1)); [ $i -lt 3000 ] || exit 1
            sleep 0.1
        done
        kill -KILL "$pid" && echo "$pid $used" >"$T/$FLAVOUR-$name/killed"
    ) &
    WPID=$!
    set +e
    "$TOP/host-tools/vboard/run.sh" --flavour "$FLAVOUR" --ivshmem "$SOCK" --out "$T/$FLAVOUR-$name/out" --timeout 300 \
        --rplat "$GUEST_RPLAT" --file "$KO" --file "$T/vboard-fw.elf:/lib/firmware/rplat-vboard.elf" \
        --file "$T/$FLAVOUR-$name/guest.sh:/in/guest.sh" -- sh /in/guest.sh >"$T/$FLAVOUR-$name/run.log" 2>&1
    rc=$?
    kill "$WPID" 2>/dev/null; wait "$WPID"; WPID=""
    set -e
    O=$T/$FLAVOUR-$name/out
    show() {
        for f in "$T/$FLAVOUR-$name/run.log" "$O/guest.log" "$O/dmesg.txt" "$T/server.log"; do
            [ -f "$f" ] && { echo "--- $f"; tail -n 60 "$f"; }
        done >&2
    }
    [ $rc -eq 0 ] || { show; fail "$name: the guest command failed (run.sh rc $rc)"; }
    [ -f "$T/$FLAVOUR-$name/killed" ] || { show; fail "$name: QEMU was not killed (the firmware never served 1000 messages?)"; }
    read -r qpid used <"$T/$FLAVOUR-$name/killed"
    grep -q '^ping-rc: 3$' "$O/guest.log" || { show; fail "$name: rplat ping did not exit 3 when QEMU died"; }
    j=$O/out/ping-crash/run.json
    [ -f "$j" ] || { show; fail "$name: no run.json came back"; }
    jassert "$j" "1000 <= d['counts']['received'] < 20000 and d['counts']['lost'] >= 1 and d['counts']['received'] + d['counts']['lost'] == d['counts']['sent'] and d['return_code'] == 3"
    grep -q "remote (pid $qpid) died: signal 9" "$T/server.log" || { show; fail "$name: the server did not see QEMU die"; }
    grep -q 'remote died' "$O/dmesg.txt" || { show; fail "$name: the driver did not report the death"; }
    grep -q 'crash detected in rplat-vboard' "$O/dmesg.txt" || { show; fail "$name: remoteproc saw no crash"; }
    # the recovery (rproc_boot_recovery: stop, request_firmware, rproc_start) loads the segments again
    # without rproc_fw_boot's "Booting fw image" line; the evidence: the stop cleared the image area, yet
    # the next start found the ELF's vectors there (the server) and the guest sees them again
    grep -q 'recovering rplat-vboard' "$O/dmesg.txt" || { show; fail "$name: remoteproc did not recover"; }
    sed -n '/remote (pid [0-9]*) died/,$p' "$T/server.log" | grep -E '^rplat-vboard-server: (stop|remote started)' | sed -n '1,2p' |
        tr '\n' ' ' | grep -q '^rplat-vboard-server: stop rplat-vboard-server: remote started: ' ||
        { show; fail "$name: after the death the server did not stop (clearing the image) and start a reloaded image"; }
    [ "$(grep -c 'vboot: .*: booting it' "$T/server.log")" -eq 2 ] || { show; fail "$name: the boot ROM did not boot twice"; }
    read -r sp pc <<VEC
$(python3 "$TOP/tests/integration/vboard/fw_segments.py" vectors "$T/vboard-fw.elf" 0x21100000)
VEC
    grep -qi "^image-recovered: $sp $pc\$" "$O/guest.log" || { show; fail "$name: the guest does not see the reloaded vectors"; }
    grep -q '^state-recovered: running$' "$O/guest.log" || { show; fail "$name: remoteproc did not recover the core"; }
    ! grep -q '^ping-after-rc' "$O/guest.log" || { show; fail "$name: the ping after the recovery failed"; }
    jassert "$O/out/ping-after/run.json" "d['counts']['received'] == 200 and d['counts']['lost'] == 0"
    grep -q '^state-after: offline$' "$O/guest.log" || { show; fail "$name: not offline after stop"; }
    echo "$name ($FLAVOUR): QEMU killed after $used messages; rplat exit 3 with $(jget "$j" "d['counts']['received']") received, $(jget "$j" "d['counts']['lost']") lost; remoteproc recovered (the ELF loaded again, the boot ROM booted it), 200 pings after it, 0 lost"
    server_gone
}

"$SRV" --fw-out "$T/rplat-vboard.elf" || fail "firmware ELF not written"
CROSS=${CROSS_COMPILE_FW:-arm-none-eabi-}
if command -v qemu-system-arm >/dev/null && command -v "${CROSS}gcc" >/dev/null; then
    # the firmware the guest's remoteproc loads (linked into PSRAM) and the boot ROM QEMU runs
    for t in qemu-vboard qemu-vboard-rom; do
        make --no-print-directory -C "$TOP/probe-fw" TARGET=$t >"$T/fw-build.log" 2>&1 ||
            { cat "$T/fw-build.log"; fail "firmware build ($t) failed"; }
    done
    cp "$TOP/probe-fw/build/qemu-vboard/rplat-probe.elf" "$T/vboard-fw.elf"
    cp "$TOP/probe-fw/build/qemu-vboard-rom/rplat-vboot.elf" "$T/vboot.elf"
    # the same image with its code segment moved out of the 16 MiB window, and across its end
    python3 "$TOP/tests/integration/vboard/fw_segments.py" move "$T/vboard-fw.elf" "$T/vboard-outside.elf" 0x22100000
    python3 "$TOP/tests/integration/vboard/fw_segments.py" move "$T/vboard-fw.elf" "$T/vboard-straddle.elf" 0x21fff000
    "$BUILD/rplat" check rsc --memmap vboard "$T/vboard-fw.elf" >"$T/rsc-fw.txt" 2>&1 ||
        { cat "$T/rsc-fw.txt" >&2; fail "check rsc rejects the qemu-vboard firmware"; }
    grep -q '0 errors, 0 warnings' "$T/rsc-fw.txt" || { cat "$T/rsc-fw.txt" >&2; fail "check rsc finds fault with the qemu-vboard firmware"; }
    # check rsc must agree with the kernel (below) that these cannot be loaded: elf.seg_da, kernel refuses
    for f in outside straddle; do
        "$BUILD/rplat" check rsc --memmap vboard --json "$T/vboard-$f.elf" >"$T/rsc-$f.json" 2>"$T/rsc-$f.err" || true
        jassert "$T/rsc-$f.json" "any(x['rule'] == 'elf.seg_da' and x['kernel_refuses'] for x in d['findings'])"
    done
    # the server refuses a QEMU image that would overwrite what the guest loads
    if "$SRV" --socket "$T/x.sock" --shm "$SHM" --remote "qemu:$T/vboard-fw.elf" 2>"$T/refuse.log"; then
        fail "the server took the firmware itself as QEMU's image"
    fi
    grep -q 'is in PSRAM, which the guest' "$T/refuse.log" || { cat "$T/refuse.log" >&2; fail "the server did not say why"; }
    [ ! -e "$SHM" ] && [ ! -e "$T/x.sock" ] || fail "the refusing server left its files"
fi
for FLAVOUR in $built; do
    set +e
    KO=$("$TOP/host-tools/vboard/kmod/build.sh" "$FLAVOUR")
    rc=$?
    set -e
    [ $rc -eq 0 ] || fail "rproc_ivshmem.ko did not build for $FLAVOUR (rc $rc)"
    FW_FILE=$T/rplat-vboard.elf
    STREAM_US=1000
    board host "$N"
    crash_board
    # the real probe firmware under qemu-system-arm, on the same shared memory (16 MiB, its PSRAM)
    if [ -f "$T/vboard-fw.elf" ]; then
        FW_FILE=$T/vboard-fw.elf
        STREAM_US=1000
        board qemu "${RPLAT_VBOARD_QEMU_PINGS:-1000}" --remote "qemu:$T/vboot.elf"
        qemu_crash_board
        ! pgrep -f "qemu-system-arm.*$T" >/dev/null || fail "a qemu-system-arm outlived the board"
    else
        echo "qemu remote: skipped (qemu-system-arm or ${CROSS}gcc missing)"
    fi
done
# The run directories came back to the host, where report, budget and compare read them: PREEMPT_RT against
# PREEMPT_DYNAMIC on the same board under the same load when both kernels are built.
runs=""
for FLAVOUR in $built; do
    r=$T/$FLAVOUR-host/out/out/ping-load/run.json
    [ -f "$r" ] || fail "$FLAVOUR: the loaded ping did not run"
    jassert "$r" "d['load']['profile'] == 'spin' and d['counts']['lost'] == 0 and d['counts']['sent'] == 1000"
    jassert "$r" "d['system']['virtual_machine'] == 'QEMU virt (device tree: linux,dummy-virt)' or '$ARCH' != 'arm64'"
    runs="$runs $T/$FLAVOUR-host/out/out/ping-load"
done
# shellcheck disable=SC2086
set -- $runs
"$BUILD/rplat" report "$1" -o "$T/report" -q --no-png >"$T/report.log" 2>&1 ||
    { cat "$T/report.log" >&2; fail "rplat report cannot read the guest's run"; }
grep -q 'PREEMPT' "$T/report/report.md" || fail "the report does not name the guest's preemption model"
# budget reads the guest's runs: a rule that holds (nothing lost) and one that cannot (rtt under 1 ns)
"$BUILD/rplat" budget 'lost == 0; late == 0' "$@" >"$T/budget.txt" 2>&1 ||
    { cat "$T/budget.txt" >&2; fail "rplat budget 'lost == 0' failed on the guest's runs"; }
rc=0; "$BUILD/rplat" budget 'rtt.max <= 1ns' "$1" -q || rc=$?
[ $rc -eq 1 ] || fail "rplat budget 'rtt.max <= 1ns' on a guest run exited $rc, not 1"
echo "budget: the guest's runs hold 'lost == 0; late == 0' and fail 'rtt.max <= 1ns' (exit 1)"
if [ $# -ge 2 ]; then
    "$BUILD/rplat" compare "$@" -o "$T/compare" -q --no-png >"$T/compare.log" 2>&1 ||
        { cat "$T/compare.log" >&2; fail "rplat compare of the flavours failed"; }
    grep -q '^| preemption |.*PREEMPT\\_DYNAMIC.*PREEMPT\\_RT' "$T/compare/report.md" ||
        { grep -i preempt "$T/compare/report.md" >&2; fail "the comparison does not set PREEMPT_DYNAMIC against PREEMPT_RT"; }
    grep -q '^| load | spin | spin | yes' "$T/compare/report.md" ||
        { grep -i '| load' "$T/compare/report.md" >&2; fail "the comparison's runs do not share the same load"; }
    grep -q '^Virtual machine: runs A, B ran in a virtual machine' "$T/compare/report.md" ||
        fail "the comparison does not say its runs are from a virtual machine"
    echo "compare: PREEMPT_DYNAMIC vs PREEMPT_RT on the virtual board under the same load (spin), report in $T/compare, which says the runs are from a virtual machine"
fi
pgrep -f "$T" >/dev/null && fail "something of this test is still running"
# a flavour that was not built was not tested: the run says so as a skip, never as a pass
[ -z "$unbuilt" ] || skip "passed on$built only: the$unbuilt guest kernel is not built (make vboard-kernels)"
echo "PASS"
