#!/bin/sh
# Build (or reuse) a virtual-board guest kernel from Debian's linux-source-6.12.
#
#   host-tools/vboard/build-kernel.sh [--print] FLAVOUR        FLAVOUR: preempt | rt
#
# Prints one line on stdout: the cache directory holding bzImage, the O= build tree (build/, usable
# for `make -C DIR/build M=MODDIR modules`), config, kernelrelease and the build log and times.
# --print never builds: it prints the directory of an already built kernel, or exits 1.
# Exit status: 0 ok, 1 build or config failure (or --print and not built), 2 usage.
#
# The cache key is a hash of the source package version and tarball size, the config fragments
# (kernel.config + FLAVOUR.config), build_version below and the flavour, so a change to any of them
# builds afresh and two machines with the same inputs build the same thing. Bump build_version when a
# change to this script changes what it builds (not for comments). Builds run under nice -n 19.
#
# Environment: RPLAT_VBOARD_CACHE (default /var/cache/rplat/vboard), RPLAT_VBOARD_SRC (tarball,
# default /usr/src/linux-source-6.12.tar.xz), RPLAT_VBOARD_JOBS (default 2).
set -eu

build_version=1
me=build-kernel.sh
here=$(cd "$(dirname "$0")" && pwd)
cache=${RPLAT_VBOARD_CACHE:-/var/cache/rplat/vboard}
tarball=${RPLAT_VBOARD_SRC:-/usr/src/linux-source-6.12.tar.xz}
jobs=${RPLAT_VBOARD_JOBS:-2}

die() { echo "$me: $*" >&2; exit 1; }
usage() { echo "usage: $me [--print] preempt|rt" >&2; exit 2; }

print_only=0
if [ "${1:-}" = "--print" ]; then print_only=1; shift; fi
[ $# -eq 1 ] || usage
flavour=$1
case $flavour in preempt|rt) ;; *) usage ;; esac

common=$here/kernel.config
fragment=$here/$flavour.config
[ -r "$common" ] || die "$common: missing"
[ -r "$fragment" ] || die "$fragment: missing"
[ -r "$tarball" ] || die "$tarball: missing (install the Debian package linux-source-6.12: make deps)"

version=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo unknown)
size=$(stat -c %s "$tarball")
key=$( { echo "source $version $size $(basename "$tarball")"; echo "flavour $flavour";
         echo "build_version $build_version"; cat "$common" "$fragment"; } | sha256sum | cut -c1-16)
dir=$cache/$flavour-$key

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
    echo "$me: building the $flavour kernel in $dir (log: $log); a cold build takes minutes" >&2
    t0=$(date +%s)
    mk() { nice -n 19 make -C "$src" O="$dir/build" "$@" >>"$log" 2>&1; }
    mk tinyconfig || die "make tinyconfig failed (see $log)"
    "$src/scripts/kconfig/merge_config.sh" -m -O "$dir/build" "$dir/build/.config" \
        "$common" "$fragment" >>"$log" 2>&1 || die "merge_config.sh failed (see $log)"
    mk olddefconfig || die "make olddefconfig failed (see $log)"
    check_config "$dir/build/.config" "$common" "$fragment"
    if ! mk -j"$jobs" all; then
        tail -n 30 "$log" >&2
        die "kernel build failed (see $log)"
    fi
    [ -f "$dir/build/arch/x86/boot/bzImage" ] || die "no bzImage after the build (see $log)"
    [ -f "$dir/build/Module.symvers" ] || die "no Module.symvers after the build (see $log)"
    cp "$dir/build/arch/x86/boot/bzImage" "$dir/bzImage"
    cp "$dir/build/.config" "$dir/config"
    make -s -C "$src" O="$dir/build" kernelrelease > "$dir/kernelrelease" 2>>"$log"
    echo $(( $(date +%s) - t0 )) > "$dir/build-seconds"
    printf 'version %s\nsize %s\nflavour %s\nbuild_version %s\nkey %s\njobs %s\n' "$version" "$size" \
        "$flavour" "$build_version" "$key" "$jobs" > "$dir/inputs"
    touch "$dir/.done"
    echo "$me: $flavour kernel built in $(cat "$dir/build-seconds") s" >&2
) 9>"$cache/.$flavour-$key.lock"

[ -f "$dir/.done" ] || exit 1
echo "$dir"
