#!/bin/sh
# Boot the virtual board (x86_64 guest under QEMU/TCG), run one command in it, bring its results back.
#
#   host-tools/vboard/run.sh [options] -- COMMAND [ARG...]
#
#   --flavour preempt|rt   guest kernel (built by build-kernel.sh; default preempt)
#   --out DIR              results (default: a new directory under $TMPDIR, printed at the end):
#                            DIR/out/        the guest's /out tree (the command's cwd: run directories)
#                            DIR/guest.log   the command's stdout and stderr
#                            DIR/status      its exit status
#                            DIR/dmesg.txt   the guest's kernel log after the command
#                            DIR/boot.txt    guest uptime when init started and when the command began
#                            DIR/console.log the serial console (kernel boot messages, init's markers)
#   --rplat PATH           the rplat binary for the guest (default: build/rplat of this checkout)
#   --bin PATH             another executable for the guest's /usr/bin, with its shared libraries
#   --file HOST[:GUEST]    a file for the guest, at GUEST (absolute) or /in/BASENAME; repeatable
#   --ivshmem SOCK         an ivshmem-doorbell device (2 MSI-X vectors) on the ivshmem server at SOCK
#   --smp N --mem SIZE     guest CPUs (default 2) and memory (default 512M)
#   --timeout S            wall-clock limit of the whole run in seconds (default 300); the command gets
#                          S-30 s inside the guest so that its results still come back
#   --kvm                  -enable-kvm instead of TCG (see README: stalls on these PVM hosts)
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

usage() { sed -n '4,21p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "$me: $*" >&2; exit "${2:-2}"; }

flavour=preempt out="" rplat=$top/build/rplat ivshmem="" smp=2 mem=512M tmo=300 kvm=0 verbose=0
bins="" files=""
while [ $# -gt 0 ]; do
    case $1 in
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
        -h|--help) usage ;;
        *) echo "$me: unknown option '$1'" >&2; usage ;;
    esac
done
[ $# -gt 0 ] || { echo "$me: no command given" >&2; usage; }
case $flavour in preempt|rt) ;; *) die "--flavour must be preempt or rt, not '$flavour'" ;; esac
case $tmo in ''|*[!0-9]*) die "--timeout wants whole seconds, not '$tmo'" ;; esac
[ "$tmo" -ge 40 ] || die "--timeout must be at least 40 s (boot plus the 30 s kept for the results)"
case $smp in ''|*[!0-9]*) die "--smp wants a CPU count, not '$smp'" ;; esac
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not installed (Debian: qemu-system-x86)" 4
[ -x /bin/busybox ] || die "/bin/busybox missing (Debian: busybox-static)" 4
[ -x "$rplat" ] || die "$rplat: no rplat binary (run make, or pass --rplat)" 4
[ -z "$ivshmem" ] || [ -S "$ivshmem" ] || die "--ivshmem $ivshmem: not a socket (is the server running?)"
kdir=$("$here/build-kernel.sh" --print "$flavour") ||
    die "the $flavour kernel is not built: run host-tools/vboard/build-kernel.sh $flavour" 4

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
cp /bin/busybox "$root/bin/busybox"
cp "$here/init" "$root/init"
chmod 755 "$root/init"
add_prog() {
    cp -L "$1" "$root/usr/bin/$(basename "$1")"
    # ldd prints "name => /path (addr)" and the loader as "/lib64/ld-linux-x86-64.so.2 (addr)"
    ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
    while IFS= read -r lib; do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
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
[ $kvm = 0 ] || accel="-enable-kvm -cpu host"
set -- -machine pc $accel -smp "$smp" -m "$mem" -nodefaults -no-reboot -display none -monitor none \
    -kernel "$kdir/bzImage" -initrd "$work/initramfs.cpio" \
    -append "console=ttyS0 panic=-1 tsc=reliable rdinit=/init" \
    -serial "file:$console" \
    -drive "file=$work/in.img,format=raw,if=virtio,readonly=on" \
    -drive "file=$work/out.img,format=raw,if=virtio"
[ $kvm = 1 ] || set -- "$@" -cpu max
[ -z "$ivshmem" ] || set -- "$@" -chardev "socket,path=$ivshmem,id=ivs" -device ivshmem-doorbell,chardev=ivs,vectors=2
echo "qemu-system-x86_64 $*" > "$out/qemu-cmdline"
t0=$(date +%s.%N)
qemu-system-x86_64 "$@" 2>"$work/qemu.err" &
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
