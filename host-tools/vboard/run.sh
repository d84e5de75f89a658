#!/bin/sh
# Boot the virtual board (an arm64 `virt` or x86_64 `pc` guest under QEMU/TCG), run one command in it,
# bring its results back.
#
#   host-tools/vboard/run.sh [options] -- COMMAND [ARG...]
#
#   --arch arm64|x86_64    the board (default $RPLAT_VBOARD_ARCH, else arm64): arm64 is QEMU virt,
#                          cortex-a53, GICv3 + ITS, console ttyAMA0; x86_64 is QEMU pc, console ttyS0
#   --flavour preempt|rt   guest kernel (built by build-kernel.sh; default preempt)
#   --out DIR              results (default: a new directory under $TMPDIR, printed at the end):
#                            DIR/out/        the guest's /out tree (the command's cwd: run directories)
#                            DIR/guest.log   the command's stdout and stderr
#                            DIR/status      its exit status
#                            DIR/dmesg.txt   the guest's kernel log after the command
#                            DIR/boot.txt    guest uptime when init started and when the command began
#                            DIR/console.log the serial console (kernel boot messages, init's markers)
#   --rplat PATH           the rplat binary for the guest (default: this checkout's build-aarch64/rplat
#                          on arm64, `make CROSS_COMPILE=aarch64-linux-gnu- tools`; build/rplat on x86_64)
#   --bin PATH             another executable for the guest's /usr/bin, with its shared libraries
#   --file HOST[:GUEST]    a file for the guest, at GUEST (absolute) or /in/BASENAME; repeatable
#   --ivshmem SOCK         an ivshmem-doorbell device (2 MSI-X vectors) on the ivshmem server at SOCK
#   --smp N --mem SIZE     guest CPUs (default 2) and memory (default 512M)
#   --dtb-hook PROG        arm64: run PROG DTB on the board's device tree before the boot (to break it
#                          on purpose); the tree booted is DIR/board.dtb
#   --no-dt-remote         arm64: boot QEMU's own tree, without the remote's /reserved-memory and node
#   --timeout S            wall-clock limit of the whole run in seconds (default 300); the command gets
#                          S-30 s inside the guest so that its results still come back
#   --kvm                  -enable-kvm instead of TCG (x86_64 board on an x86_64 host with /dev/kvm;
#                          see README: these hosts have none, or a PVM one that stalls stock kernels)
#   -v                     show the console while it boots (stderr)
#
# Exit status: the command's own exit status; 124 if it ran out of time in the guest; 4 if the
# kernel is not built (run build-kernel.sh first); 2 usage; 125 if the guest died or hung before
# the command's results came back (DIR/console.log says why).
#
# Transport: no 9p or network in the guest. The command, /in files and firmware go in as a tar on
# a read-only virtio-blk disk (/dev/vda); the guest writes its results as a tar onto a second raw
# virtio-blk disk (/dev/vdb), which this script unpacks after QEMU exits. QEMU is killed on every
# exit path (timeout, signal, error); nothing is left running.
set -eu

me=run.sh
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

usage() { sed -n '5,29p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
help() { sed -n '2,38p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
die() { echo "$me: $1" >&2; exit "${2:-2}"; }

arch=${RPLAT_VBOARD_ARCH:-arm64}
flavour=preempt out="" rplat="" ivshmem="" smp=2 mem=512M tmo=300 kvm=0 verbose=0
bins="" files="" dtb_hook="" dt_remote=1
while [ $# -gt 0 ]; do
    case $1 in
        --arch) arch=$2; shift 2 ;;
        --dtb-hook) dtb_hook=$2; shift 2 ;;
        --no-dt-remote) dt_remote=0; shift ;;
        --flavour) flavour=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --rplat) rplat=$2; shift 2 ;;
        --bin) bins="$bins
$2"; shift 2 ;;
        --file) files="$files
$2"; shift 2 ;;
        --ivshmem) ivshmem=$2; shift 2 ;;
        --smp) smp=$2; shift 2 ;;
        --mem) mem=$2; shift 2 ;;
        --timeout) tmo=$2; shift 2 ;;
        --kvm) kvm=1; shift ;;
        -v) verbose=1; shift ;;
        --) shift; break ;;
        -h|--help) help ;;
        *) echo "$me: unknown option '$1'" >&2; usage ;;
    esac
done
[ $# -gt 0 ] || { echo "$me: no command given" >&2; usage; }
case $flavour in preempt|rt) ;; *) die "--flavour must be preempt or rt, not '$flavour'" ;; esac
case $tmo in ''|*[!0-9]*) die "--timeout wants whole seconds, not '$tmo'" ;; esac
[ "$arch" = arm64 ] || [ -z "$dtb_hook" ] || die "--dtb-hook: only the arm64 board has a device tree"
if [ $kvm = 1 ]; then
    [ "$arch" = "$(uname -m)" ] || die "--kvm: the $arch board cannot use KVM on this $(uname -m) host (TCG only)"
    [ -r /dev/kvm ] && [ -w /dev/kvm ] ||
        die "--kvm: no usable /dev/kvm on this host (QEMU would say 'failed to initialize kvm'); boot without --kvm (TCG)"
fi
[ "$tmo" -ge 40 ] || die "--timeout must be at least 40 s (boot plus the 30 s kept for the results)"
case $smp in ''|*[!0-9]*) die "--smp wants a CPU count, not '$smp'" ;; esac
# the arm64 user space: busybox and the libraries that are not multiarch-installed come from the
# arm64 sysroot that .ci/install-deps.sh --arm64 unpacks (busybox-static:arm64, libfdt1, libtracecmd1)
sysroot=${RPLAT_ARM64_SYSROOT:-/var/cache/rplat/arm64-sysroot}
case $arch in
    arm64)
        qemu=qemu-system-aarch64 qemu_deb=qemu-system-arm busybox=$sysroot/bin/busybox
        busybox_hint="run .ci/install-deps.sh --arm64 (make deps DEPS_FLAGS=--arm64): it unpacks busybox-static:arm64 there"
        [ -n "$rplat" ] || rplat=$top/build-aarch64/rplat
        rplat_hint="make CROSS_COMPILE=aarch64-linux-gnu- tools, or pass --rplat"
        triplet=aarch64-linux-gnu ;;
    x86_64)
        qemu=qemu-system-x86_64 qemu_deb=qemu-system-x86 busybox=/bin/busybox
        busybox_hint="Debian: busybox-static"
        [ -n "$rplat" ] || rplat=$top/build/rplat
        rplat_hint="run make, or pass --rplat"
        triplet=x86_64-linux-gnu ;;
    *) die "--arch must be arm64 or x86_64, not '$arch'" ;;
esac
command -v $qemu >/dev/null || die "$qemu not installed (Debian: $qemu_deb)" 4
[ -x "$busybox" ] || die "$busybox missing ($busybox_hint)" 4
[ -x "$rplat" ] || die "$rplat: no rplat binary ($rplat_hint)" 4
[ -z "$ivshmem" ] || [ -S "$ivshmem" ] || die "--ivshmem $ivshmem: not a socket (is the server running?)"
kdir=$("$here/build-kernel.sh" --print --arch "$arch" "$flavour") ||
    die "the $arch $flavour kernel is not built: run host-tools/vboard/build-kernel.sh --arch $arch $flavour" 4

work=$(mktemp -d "${TMPDIR:-/tmp}/rplat-vboard.XXXXXX")
qpid=""
cleanup() {
    if [ -n "$qpid" ]; then kill "$qpid" 2>/dev/null || true; wait "$qpid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [ -z "$out" ]; then out=$(mktemp -d "${TMPDIR:-/tmp}/rplat-vboard-out.XXXXXX"); fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/out" "$out/guest.log" "$out/status" "$out/dmesg.txt" "$out/boot.txt"

# --- initramfs: busybox, init, rplat and the --bin programs with their shared libraries ---
root=$work/root
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/lib/firmware" \
    "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/in" "$root/out" "$root/vboard"
cp "$busybox" "$root/bin/busybox"
cp "$here/init" "$root/init"
chmod 755 "$root/init"
# The program's ELF machine must be the guest's (a host rplat on the arm64 board would not run).
check_machine() {
    m=$(readelf -h "$1" 2>/dev/null | sed -n 's/^ *Machine: *//p')
    case $arch:$m in
        arm64:AArch64|x86_64:*X86-64) ;;
        *) die "$1: an ELF for '${m:-not an ELF}', not for the $arch guest" ;;
    esac
}
check_machine "$busybox"
# The libraries of a foreign-architecture program, without running it: its NEEDED entries (readelf -d),
# looked up the way the guest's loader will (the multiarch directories, then the sysroot's), walked to
# the closure; each copied to /lib/TRIPLET/ of the guest, the loader's own default directory, and the
# loader (PT_INTERP) to its path.
libdirs="/lib/$triplet /usr/lib/$triplet $sysroot/usr/lib/$triplet $sysroot/lib/$triplet"
add_libs_readelf() {
    interp=$(readelf -lW "$1" | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
    if [ -n "$interp" ] && [ ! -e "$root$interp" ]; then
        [ -e "$interp" ] || die "$1: its loader $interp is not installed (Debian: libc6:${arch})"
        mkdir -p "$root$(dirname "$interp")"
        cp -L "$interp" "$root$interp"
    fi
    todo=$1
    while [ -n "$todo" ]; do
        set -- $todo
        f=$1; shift; todo="$*"
        for n in $(readelf -dW "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
            [ ! -e "$root/lib/$triplet/$n" ] || continue
            lib=""
            for d in $libdirs; do [ -e "$d/$n" ] && { lib=$d/$n; break; }; done
            [ -n "$lib" ] || die "$f needs $n, found in none of: $libdirs"
            mkdir -p "$root/lib/$triplet"
            cp -L "$lib" "$root/lib/$triplet/$n"
            todo="$todo $lib"
        done
    done
}
add_prog() {
    check_machine "$1"
    cp -L "$1" "$root/usr/bin/$(basename "$1")"
    if [ "$arch" = x86_64 ]; then
        # ldd prints "name => /path (addr)" and the loader as "/lib64/ld-linux-x86-64.so.2 (addr)"
        ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
        while IFS= read -r lib; do
            mkdir -p "$root$(dirname "$lib")"
            cp -L "$lib" "$root$lib"
        done
    else
        add_libs_readelf "$1"
    fi
}
add_prog "$rplat"
nl='
'
oldifs=$IFS
IFS=$nl
for b in $bins; do
    IFS=$oldifs
    [ -x "$b" ] || die "--bin $b: not an executable"
    add_prog "$b"
done
IFS=$oldifs
( cd "$root" && find . | cpio -o -H newc --quiet ) > "$work/initramfs.cpio"

# --- the input disk: the command, the --file files ---
stage=$work/stage
mkdir -p "$stage/in"
IFS=$nl
for f in $files; do
    IFS=$oldifs
    hostp=${f%%:*}
    case $f in *:*) guestp=${f#*:} ;; *) guestp=/in/$(basename "$hostp") ;; esac
    case $guestp in /*) ;; *) die "--file $f: the guest path must be absolute" ;; esac
    [ -f "$hostp" ] || die "--file $f: $hostp is not a file"
    mkdir -p "$stage$(dirname "$guestp")"
    cp -L "$hostp" "$stage$guestp"
done
IFS=$oldifs
{
    echo "# written by run.sh"
    printf 'VBOARD_TIMEOUT=%s\n' $((tmo - 30))
    printf 'set --'
    for a in "$@"; do printf " '%s'" "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")"; done
    echo
} > "$stage/vboard-cmd"
tar -cf "$work/in.img" -C "$stage" .
# the output disk: sparse, large enough for a long run's samples
truncate -s 512M "$work/out.img"

# --- QEMU ---
console=$out/console.log
: > "$console"
accel="-accel tcg"
[ $kvm = 0 ] || accel="-enable-kvm"
kimage=$kdir/$(cat "$kdir/image")
ivs_addr=""
if [ "$arch" = arm64 ]; then
    # GICv3 with its ITS (the default of virt-7.2): the MSI-X of ivshmem-doorbell and virtio-pci.
    # The device tree: QEMU's own (dumped with the same machine, CPUs and memory; PCI devices are not in
    # it), plus the remote's /reserved-memory and the ivshmem device's node in PCI slot 8
    # (dt-remote.sh), booted with -dtb, so the guest has a live tree as a board does.
    machine=virt,gic-version=3,its=on
    dtb=$out/board.dtb
    rm -f "$dtb"
    $qemu -machine "$machine,dumpdtb=$dtb" $accel -cpu cortex-a53 -smp "$smp" -m "$mem" -nodefaults \
        -display none >"$work/dumpdtb.log" 2>&1 && [ -s "$dtb" ] ||
        { cat "$work/dumpdtb.log" >&2; die "$qemu could not dump the board's device tree" 125; }
    if [ $dt_remote = 1 ]; then
        "$here/dt-remote.sh" --slot 8 "$dtb" || die "dt-remote.sh failed on $dtb" 125
        ivs_addr=,addr=8
    fi
    if [ -n "$dtb_hook" ]; then "$dtb_hook" "$dtb" || die "--dtb-hook $dtb_hook $dtb failed"; fi
    set -- -machine "$machine" $accel -cpu cortex-a53 -dtb "$dtb" \
        -append "console=ttyAMA0 panic=-1 rdinit=/init"
else
    set -- -machine pc $accel -append "console=ttyS0 panic=-1 tsc=reliable rdinit=/init"
    if [ $kvm = 1 ]; then set -- "$@" -cpu host; else set -- "$@" -cpu max; fi
fi
# the disks as explicit virtio-blk-pci devices, in this order: vda (in), vdb (out)
set -- "$@" -smp "$smp" -m "$mem" -nodefaults -no-reboot -display none -monitor none \
    -kernel "$kimage" -initrd "$work/initramfs.cpio" \
    -serial "file:$console" \
    -drive "file=$work/in.img,format=raw,if=none,id=vin,readonly=on" -device virtio-blk-pci,drive=vin \
    -drive "file=$work/out.img,format=raw,if=none,id=vout" -device virtio-blk-pci,drive=vout
[ -z "$ivshmem" ] || set -- "$@" -chardev "socket,path=$ivshmem,id=ivs" -device ivshmem-doorbell,chardev=ivs,vectors=2$ivs_addr
echo "$qemu $*" > "$out/qemu-cmdline"
t0=$(date +%s.%N)
$qemu "$@" 2>"$work/qemu.err" &
qpid=$!
if [ $verbose = 1 ]; then tail -f "$console" --pid="$qpid" >&2 & fi
# wait for QEMU, or kill it at the deadline
deadline=$(( $(date +%s) + tmo ))
while kill -0 "$qpid" 2>/dev/null; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
        kill "$qpid" 2>/dev/null || true
        echo "$me: the guest ran past --timeout $tmo s; QEMU killed" >&2
        break
    fi
    sleep 0.2
done
wait "$qpid" 2>/dev/null && qrc=0 || qrc=$?
qpid=""
t1=$(date +%s.%N)
if [ -s "$work/qemu.err" ]; then sed 's/^/qemu: /' "$work/qemu.err" >&2; fi

mkdir -p "$work/res"
if ! tar -xf "$work/out.img" -C "$work/res" 2>/dev/null || [ ! -f "$work/res/vboard/status" ]; then
    echo "$me: the guest returned no results (QEMU exit $qrc); last console lines:" >&2
    tail -n 15 "$console" | sed 's/^/  /' >&2
    exit 125
fi
mv "$work/res/out" "$out/out"
for f in guest.log status dmesg.txt boot.txt; do
    [ ! -f "$work/res/vboard/$f" ] || mv "$work/res/vboard/$f" "$out/$f"
done
printf 'host_wall_s %s\n' "$(echo "$t1 - $t0" | bc)" >> "$out/boot.txt"
cat "$out/guest.log"
echo "$me: results in $out" >&2
exit "$(cat "$out/status")"
