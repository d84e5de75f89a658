#!/bin/bash
# Build (or find in the cache) the device trees of the real boards that `rplat check dt` is tested
# against: every TI K3, STM32MP15 and i.MX8/i.MX9 board .dts of Debian's linux-source-6.12, preprocessed
# with cpp and compiled with dtc as the kernel's Makefile does (scripts/Makefile.dtbs: cpp -nostdinc
# -undef -D__DTS__ -x assembler-with-cpp with the dts directory, include/ and scripts/dtc/include-prefixes
# on the include path, then dtc -O dtb).
#
#   tests/integration/dts-corpus.sh            prints the directory holding SOC/BOARD.dtb
#
# The blobs are cached under ${RPLAT_DTS_CACHE:-/var/cache/rplat/linux-6.12-dts}/KEY, where KEY is the
# tarball's size and sha256 prefix plus this script's version: a new kernel package or a change to how
# the corpus is built gives a new key, and a key whose directory lacks .done is built again. Exit 77 (with
# "SKIP: ...") when the source package or the tools are missing, so a test can skip instead of failing.
# Boards dtc rejects are listed in failed.txt next to the blobs, with dtc's message: the test reports them.
set -eu
VERSION=2
tarball=${RPLAT_LINUX_SRC:-/usr/src/linux-source-6.12.tar.xz}
cache=${RPLAT_DTS_CACHE:-/var/cache/rplat/linux-6.12-dts}

[ -r "$tarball" ] || { echo "SKIP: $tarball missing (apt-get install linux-source-6.12)"; exit 77; }
for t in cpp dtc xz tar sha256sum; do
    command -v "$t" >/dev/null || { echo "SKIP: $t missing (.ci/install-deps.sh)"; exit 77; }
done

size=$(stat -c %s "$tarball")
sha=$(sha256sum "$tarball" | cut -c1-16)
key="$size-$sha-v$VERSION"
out="$cache/$key"
if [ -f "$out/.done" ]; then
    echo "$out"
    exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
start=$(date +%s.%N)
top=linux-source-6.12
# only what the boards include: their dts directories, the binding headers and the include prefixes
nice -n 19 tar -xJf "$tarball" -C "$work" --wildcards \
    "$top/arch/arm64/boot/dts/ti/*" "$top/arch/arm64/boot/dts/freescale/*" \
    "$top/arch/arm/boot/dts/st/*" "$top/arch/arm/boot/dts/nxp/*" "$top/arch/arm64/boot/dts/st/*" \
    "$top/include/dt-bindings/*" "$top/include/uapi/linux/input-event-codes.h" \
    "$top/scripts/dtc/include-prefixes/*"
src="$work/$top"
mkdir -p "$work/dtb"
: >"$work/failed.txt"

build_one() { # SOC DTS
    local soc=$1 dts=$2 dir name
    dir=$(dirname "$dts")
    name=$(basename "$dts" .dts)
    if nice -n 19 cpp -nostdinc -undef -D__DTS__ -x assembler-with-cpp -I "$dir" -I "$src/include" \
            -I "$src/scripts/dtc/include-prefixes" "$dts" 2>"$work/err.$soc.$name" |
        nice -n 19 dtc -q -I dts -O dtb -o "$work/dtb/$soc/$name.dtb" - 2>>"$work/err.$soc.$name" &&
        [ -s "$work/dtb/$soc/$name.dtb" ]; then
        rm -f "$work/err.$soc.$name"
    else
        rm -f "$work/dtb/$soc/$name.dtb"
        printf '%s/%s\t%s\n' "$soc" "$name" "$(sed "s|$src/||g" "$work/err.$soc.$name" | head -c 300 | tr '\n\t' '  ')" >>"$work/failed.txt"
    fi
}

n=0
for soc in ti st freescale; do
    mkdir -p "$work/dtb/$soc"
    case $soc in
    ti) list=$(ls "$src"/arch/arm64/boot/dts/ti/k3-*.dts) ;;
    st) list=$(ls "$src"/arch/arm/boot/dts/st/stm32mp15*.dts) ;;
    freescale) list=$(ls "$src"/arch/arm64/boot/dts/freescale/imx8*.dts "$src"/arch/arm64/boot/dts/freescale/imx9*.dts) ;;
    esac
    for dts in $list; do
        build_one "$soc" "$dts" &
        n=$((n + 1))
        # two jobs at a time: the machine is shared
        [ $((n % 2)) -ne 0 ] || wait
    done
    wait
done
end=$(date +%s.%N)
built=$(find "$work/dtb" -name '*.dtb' | wc -l)
printf 'boards %d built %d failed %d seconds %.1f\n' "$n" "$built" "$(wc -l <"$work/failed.txt")" \
    "$(awk -v a="$start" -v b="$end" 'BEGIN{print b-a}')" >"$work/build.txt"
rm -rf "$out"
mkdir -p "$out"
mv "$work/dtb" "$work/failed.txt" "$work/build.txt" "$out/"
touch "$out/.done"
echo "$out"
