#!/bin/sh
# Check that the host tools cross-build for arm64 (on a real board they run on the A53), that the result
# is an AArch64 binary, and that it and the unit tests run under qemu-user.
set -eu
cd "$(dirname "$0")/.."
sysroot=${ARM64_SYSROOT:-/var/cache/rplat/arm64-sysroot}
make --no-print-directory CROSS_COMPILE=aarch64-linux-gnu- all
file=build-aarch64/rplat
readelf -h "$file" | grep -q 'AArch64' || { echo "cross-build: $file is not an AArch64 ELF"; exit 1; }
run() { qemu-aarch64 -L / -E LD_LIBRARY_PATH="$sysroot/usr/lib/aarch64-linux-gnu" "$@"; }
run "$file" --version
pass=0 fail=0
for t in build-aarch64/tests/test_*; do
    case $t in *.d|*.log) continue ;; esac
    if run "$t" >"$t.log" 2>&1; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "arm64: $t failed:"; tail -20 "$t.log"; fi
done
echo "cross-build arm64: $file OK; unit tests under qemu-aarch64: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
