#!/bin/sh
# Check that the host tools cross-build for arm64 (they run on the A53 of a real board) and that the
# result is an aarch64 binary that runs under qemu-user.
set -eu
cd "$(dirname "$0")/.."
make --no-print-directory CROSS_COMPILE=aarch64-linux-gnu- tools
file=build-aarch64/rplat
readelf -h "$file" | grep -q 'AArch64' || { echo "cross-build: $file is not an AArch64 ELF"; exit 1; }
if command -v qemu-aarch64 >/dev/null; then
    qemu-aarch64 -L /usr/aarch64-linux-gnu "$file" --version
fi
echo "cross-build: $file OK"
