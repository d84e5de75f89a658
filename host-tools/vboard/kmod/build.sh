#!/bin/sh
# Build rproc_ivshmem.ko against a virtual-board kernel and print the .ko's path on stdout.
#
#   host-tools/vboard/kmod/build.sh [--arch arm64|x86_64] preempt|rt
#
# The kernel comes from host-tools/vboard/build-kernel.sh (never built here: exit 4 if it is not built
# yet, so tests can skip); --arch as there (default $RPLAT_VBOARD_ARCH, else arm64), the module is
# built with that kernel's ARCH and CROSS_COMPILE. The module is built in build/vboard/kmod-ARCH-FLAVOUR/
# of this clone, from a copy of the sources, so the source directory stays clean. Exit 0 ok, 1 build
# failure, 2 usage, 4 no kernel.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
arch=${RPLAT_VBOARD_ARCH:-arm64}
if [ "${1:-}" = --arch ] && [ $# -ge 2 ]; then arch=$2; shift 2; fi
[ $# -eq 1 ] || { echo "usage: $0 [--arch arm64|x86_64] preempt|rt" >&2; exit 2; }
flavour=$1
case $flavour in preempt|rt) ;; *) echo "$0: unknown flavour '$flavour'" >&2; exit 2;; esac
case $arch in arm64|x86_64) ;; *) echo "$0: unknown architecture '$arch'" >&2; exit 2;; esac

kdir=$("$repo/host-tools/vboard/build-kernel.sh" --print --arch "$arch" "$flavour" 2>/dev/null) || {
    echo "$0: the $arch $flavour kernel is not built (host-tools/vboard/build-kernel.sh --arch $arch $flavour)" >&2
    exit 4
}
karch=$(cat "$kdir/arch-make")
cross=$(cat "$kdir/cross")
[ -f "$kdir/build/Module.symvers" ] || { echo "$0: $kdir/build has no Module.symvers" >&2; exit 4; }
grep -q '^CONFIG_DMA_DECLARE_COHERENT=y' "$kdir/build/.config" || {
    echo "$0: $kdir lacks CONFIG_DMA_DECLARE_COHERENT (set CONFIG_OF=y): remoteproc cannot put the" \
         "rpmsg buffers in the shared memory without it" >&2
    exit 1
}

out="$repo/build/vboard/kmod-$arch-$flavour"
mkdir -p "$out"
for f in Kbuild rproc_ivshmem.c rproc_ivshmem_abi.h; do
    cmp -s "$here/$f" "$out/$f" 2>/dev/null || cp "$here/$f" "$out/$f"
done
log="$out/build.log"
if ! nice -n 19 make -C "$kdir/build" ARCH="$karch" CROSS_COMPILE="$cross" M="$out" W=1 modules >"$log" 2>&1; then
    cat "$log" >&2
    echo "$0: module build failed (log: $log)" >&2
    exit 1
fi
if grep -E 'warning:' "$log" >&2; then
    echo "$0: the module must build without warnings (log: $log)" >&2
    exit 1
fi
echo "$out/rproc_ivshmem.ko"
