#!/bin/sh
# Build (or reuse) a virtual-board guest kernel from Debian's linux-source-6.12.
#
#   host-tools/vboard/build-kernel.sh [--print] [--arch arm64|x86_64] FLAVOUR   FLAVOUR: preempt | rt
#
# --arch: arm64 (QEMU virt, cross-compiled with aarch64-linux-gnu-, the default) or x86_64 (QEMU pc,
# the host's gcc); default $RPLAT_VBOARD_ARCH, else arm64.
# Prints one line on stdout: the cache directory holding the kernel image (Image on arm64, bzImage on
# x86_64; its name is in the file image), the O= build tree (build/, usable for
# `make -C DIR/build ARCH=$(cat DIR/arch-make) CROSS_COMPILE=$(cat DIR/cross) M=MODDIR modules`, which
# kmod/build.sh does), config, kernelrelease and the build log and times.
# --print never builds: it prints the directory of an already built kernel, or exits 1.
# Exit status: 0 ok, 1 build or config failure (or --print and not built), 2 usage.
#
# The cache key is a hash of the source package version and tarball size, the architecture, the
# compiler's version, the config fragments (kernel.config + arch-ARCH.config + FLAVOUR.config),
# build_version below and the flavour, so a change to any of them builds afresh and two machines with
# the same inputs build the same thing. Bump build_version when a change to this script changes what it
# builds (not for comments). Builds run under nice -n 19.
#
# Environment: RPLAT_VBOARD_ARCH, RPLAT_VBOARD_CACHE (default /var/cache/rplat/vboard),
# RPLAT_VBOARD_SRC (tarball, default /usr/src/linux-source-6.12.tar.xz), RPLAT_VBOARD_JOBS (default 2).
set -eu

build_version=2
me=build-kernel.sh
here=$(cd "$(dirname "$0")" && pwd)
cache=${RPLAT_VBOARD_CACHE:-/var/cache/rplat/vboard}
tarball=${RPLAT_VBOARD_SRC:-/usr/src/linux-source-6.12.tar.xz}
jobs=${RPLAT_VBOARD_JOBS:-2}

die() { echo "$me: $*" >&2; exit 1; }
usage() { echo "usage: $me [--print] [--arch arm64|x86_64] preempt|rt" >&2; exit 2; }

case ${1:-} in -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
print_only=0
arch=${RPLAT_VBOARD_ARCH:-arm64}
while [ $# -gt 1 ]; do
    case $1 in
        --print) print_only=1; shift ;;
        --arch) arch=$2; shift 2 ;;
        *) usage ;;
    esac
done
[ $# -eq 1 ] || usage
flavour=$1
case $flavour in preempt|rt) ;; *) usage ;; esac
case $arch in
    arm64) karch=arm64 cross=aarch64-linux-gnu- image=Image ;;
    # ARCH=x86, not x86_64: tinyconfig then starts 32-bit and CONFIG_64BIT=y comes from the fragment, as
    # before the architecture split (ARCH=x86_64 gave a different .config, see arch-x86_64.config)
    x86_64) karch=x86 cross="" image=bzImage ;;
    *) echo "$me: --arch must be arm64 or x86_64, not '$arch'" >&2; usage ;;
esac
imgpath=arch/$karch/boot/$image

common=$here/kernel.config
archfrag=$here/arch-$arch.config
fragment=$here/$flavour.config
for f in "$common" "$archfrag" "$fragment"; do [ -r "$f" ] || die "$f: missing"; done
[ -r "$tarball" ] || die "$tarball: missing (install the Debian package linux-source-6.12: make deps)"
command -v "${cross}gcc" >/dev/null ||
    die "${cross}gcc not found (Debian: crossbuild-essential-arm64; .ci/install-deps.sh --arm64)"

version=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo unknown)
size=$(stat -c %s "$tarball")
ccver=$("${cross}gcc" -dumpfullversion 2>/dev/null || echo unknown)
key=$( { echo "source $version $size $(basename "$tarball")"; echo "arch $arch ${cross}gcc $ccver";
         echo "flavour $flavour"; echo "build_version $build_version";
         cat "$common" "$archfrag" "$fragment"; } | sha256sum | cut -c1-16)
dir=$cache/$arch-$flavour-$key

if [ $print_only = 1 ]; then
    [ -f "$dir/.done" ] || exit 1
    echo "$dir"
    exit 0
fi

mkdir -p "$cache"

# --- the source tree, shared by both flavours (read-only once extracted) ---
src_root=$cache/src-$version-$size
src=$src_root/linux-source-6.12
(
    flock 9
    if [ ! -f "$src_root/.done" ]; then
        echo "$me: extracting $tarball into $src_root" >&2
        rm -rf "$src_root"
        mkdir -p "$src_root"
        t0=$(date +%s)
        nice -n 19 tar -xJf "$tarball" -C "$src_root" || die "extracting $tarball failed"
        [ -f "$src/Makefile" ] || die "$tarball: no linux-source-6.12/Makefile inside"
        echo $(( $(date +%s) - t0 )) > "$src_root/extract-seconds"
        touch "$src_root/.done"
    fi
) 9>"$cache/.src-$version-$size.lock"

# Every CONFIG_ line of the fragments must be in the final .config; '# CONFIG_X is not set' lines
# must not be set. Names the fragment file, line and what the final .config has instead.
check_config() {
    cfg=$1; shift
    for frag in "$@"; do
        n=0
        while IFS= read -r line || [ -n "$line" ]; do
            n=$((n + 1))
            case $line in
                CONFIG_*=*)
                    sym=${line%%=*}
                    grep -qxF -- "$line" "$cfg" && continue
                    have=$(grep -E "^$sym=|^# $sym is not set" "$cfg" || echo "$sym absent")
                    die "$frag:$n: $line did not stick after olddefconfig (final .config: $have); a dependency is missing" ;;
                "# CONFIG_"*" is not set")
                    sym=${line#\# }; sym=${sym%% *}
                    if grep -qE "^$sym=" "$cfg"; then
                        die "$frag:$n: $sym should be unset but the final .config has: $(grep -E "^$sym=" "$cfg")"
                    fi ;;
            esac
        done < "$frag"
    done
}

# --- the kernel, one build tree per flavour and key ---
(
    flock 9
    if [ -f "$dir/.done" ]; then exit 0; fi
    rm -rf "$dir"
    mkdir -p "$dir/build"
    log=$dir/build.log
    echo "$me: building the $arch $flavour kernel in $dir (log: $log); a cold build takes minutes" >&2
    t0=$(date +%s)
    mk() { nice -n 19 make -C "$src" O="$dir/build" ARCH="$karch" CROSS_COMPILE="$cross" "$@" >>"$log" 2>&1; }
    mk tinyconfig || die "make tinyconfig failed (see $log)"
    ARCH=$karch CROSS_COMPILE=$cross "$src/scripts/kconfig/merge_config.sh" -m -O "$dir/build" \
        "$dir/build/.config" "$common" "$archfrag" "$fragment" >>"$log" 2>&1 ||
        die "merge_config.sh failed (see $log)"
    mk olddefconfig || die "make olddefconfig failed (see $log)"
    check_config "$dir/build/.config" "$common" "$archfrag" "$fragment"
    if ! mk -j"$jobs" all; then
        tail -n 30 "$log" >&2
        die "kernel build failed (see $log)"
    fi
    [ -f "$dir/build/$imgpath" ] || die "no $imgpath after the build (see $log)"
    [ -f "$dir/build/Module.symvers" ] || die "no Module.symvers after the build (see $log)"
    cp "$dir/build/$imgpath" "$dir/$image"
    echo "$image" > "$dir/image"
    echo "$arch" > "$dir/arch"
    echo "$karch" > "$dir/arch-make"
    echo "$cross" > "$dir/cross"
    cp "$dir/build/.config" "$dir/config"
    make -s -C "$src" O="$dir/build" ARCH="$karch" CROSS_COMPILE="$cross" kernelrelease \
        > "$dir/kernelrelease" 2>>"$log"
    echo $(( $(date +%s) - t0 )) > "$dir/build-seconds"
    printf 'version %s\nsize %s\narch %s\ncompiler %sgcc %s\nflavour %s\nbuild_version %s\nkey %s\njobs %s\n' \
        "$version" "$size" "$arch" "$cross" "$ccver" "$flavour" "$build_version" "$key" "$jobs" > "$dir/inputs"
    touch "$dir/.done"
    echo "$me: $arch $flavour kernel built in $(cat "$dir/build-seconds") s" >&2
) 9>"$cache/.$arch-$flavour-$key.lock"

[ -f "$dir/.done" ] || exit 1
echo "$dir"
