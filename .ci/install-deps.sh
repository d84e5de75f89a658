#!/bin/sh
# Install the Debian packages rplat needs, non-interactively, as root on Debian 12.
# Used by `make deps`, `make demo` and `make check`. Only packages that are missing are installed,
# so a second run costs a few dpkg-query calls.
#
#   .ci/install-deps.sh [--arm64]     --arm64 also sets up the arm64 cross build (multiarch + sysroot)
set -eu

NATIVE="build-essential pkg-config make
libtracefs-dev libtraceevent-dev libtracecmd-dev libelf-dev libfdt-dev zlib1g-dev
libcmocka-dev rt-tests stress-ng gnuplot-nox device-tree-compiler
gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi qemu-system-arm
clang libclang-rt-14-dev llvm chromium fonts-dejavu-core python3 strace
linux-source-6.12 qemu-system-x86 busybox-static bc bison flex cpio libssl-dev kmod xz-utils cpp"
ARM64="crossbuild-essential-arm64 qemu-user
libtracefs-dev:arm64 libtraceevent-dev:arm64 libelf-dev:arm64 zlib1g-dev:arm64 libcmocka-dev:arm64
libzstd1:arm64"

missing() {
    for p in "$@"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || printf '%s ' "$p"
    done
}

need_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "install-deps: missing Debian packages: $1" >&2
        echo "install-deps: run as root, or: apt-get install $1" >&2
        exit 1
    fi
}

apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    if [ -z "${RPLAT_APT_UPDATED:-}" ]; then
        apt-get update -qq >/dev/null
        RPLAT_APT_UPDATED=1
    fi
    echo "install-deps: installing: $*" >&2
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# shellcheck disable=SC2086
m=$(missing $NATIVE)
if [ -n "$m" ]; then need_root "$m"; apt_install $m; fi

if [ "${1:-}" = "--arm64" ]; then
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        need_root "arm64 multiarch"
        dpkg --add-architecture arm64
        RPLAT_APT_UPDATED=
    fi
    # shellcheck disable=SC2086
    m=$(missing $ARM64)
    if [ -n "$m" ]; then need_root "$m"; apt_install $m; fi
    # libfdt-dev and libtracecmd-dev are not co-installable across architectures: unpack the
    # arm64 .debs into a private sysroot instead (FACTS section 3).
    sysroot=${RPLAT_ARM64_SYSROOT:-/var/cache/rplat/arm64-sysroot}
    if [ ! -f "$sysroot/.done" ]; then
        tmp=$(mktemp -d)
        chmod 755 "$tmp" # apt downloads as _apt
        ( cd "$tmp" && apt-get download -qq libfdt-dev:arm64 libfdt1:arm64 \
              libtracecmd-dev:arm64 libtracecmd1:arm64 >/dev/null )
        mkdir -p "$sysroot"
        for d in "$tmp"/*.deb; do dpkg -x "$d" "$sysroot"; done
        rm -rf "$tmp"
        touch "$sysroot/.done"
    fi
    # the virtual board's arm64 guest runs busybox-static:arm64 (Multi-Arch: no, so not installable
    # next to the host's): unpacked into the same sysroot, host-tools/vboard/run.sh takes $sysroot/bin/busybox
    if [ ! -x "$sysroot/bin/busybox" ]; then
        tmp=$(mktemp -d)
        chmod 755 "$tmp" # apt downloads as _apt
        ( cd "$tmp" && apt-get download -qq busybox-static:arm64 >/dev/null )
        dpkg -x "$tmp"/busybox-static_*_arm64.deb "$sysroot"
        rm -rf "$tmp"
        [ -x "$sysroot/bin/busybox" ] || { echo "install-deps: no bin/busybox in busybox-static:arm64" >&2; exit 1; }
    fi
fi
