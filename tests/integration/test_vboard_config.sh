#!/bin/bash
# The virtual board's kernel build refuses a config fragment whose option olddefconfig drops, naming
# the fragment, the line and what the final .config has instead, and never marks such a build done.
# Runs only the config steps (tinyconfig, merge, olddefconfig) on a private copy of the fragments, for
# the board's architecture (RPLAT_VBOARD_ARCH, default arm64: cross, aarch64-linux-gnu-).
. "$TOP/tests/integration/lib.sh"

arch=${RPLAT_VBOARD_ARCH:-arm64}
cc=gcc
[ "$arch" != arm64 ] || cc=aarch64-linux-gnu-gcc
[ -r /usr/src/linux-source-6.12.tar.xz ] || skip "linux-source-6.12 not installed (make deps)"
for t in make gcc $cc flex bison bc; do command -v $t >/dev/null || skip "$t not installed (make deps; .ci/install-deps.sh --arm64)"; done

vb=$TMPDIR/vboard
mkdir -p "$vb"
cp "$TOP/host-tools/vboard/build-kernel.sh" "$TOP/host-tools/vboard/"*.config "$vb/"
# RPMSG_QCOM_SMD depends on MAILBOX and QCOM_SMEM, which nothing here enables
echo 'CONFIG_RPMSG_QCOM_SMD=y' >> "$vb/kernel.config"
line=$(wc -l < "$vb/kernel.config")

set +e
"$vb/build-kernel.sh" --arch $arch preempt >"$TMPDIR/out" 2>"$TMPDIR/err"
rc=$?
set -e
cat "$TMPDIR/err"
dir=$(sed -n 's/.*(log: \(.*\)\/build\.log).*/\1/p' "$TMPDIR/err" | head -n 1)
cleanup() { case $dir in /var/cache/rplat/vboard/$arch-preempt-*|"${RPLAT_VBOARD_CACHE:-/nonexistent}"/$arch-preempt-*) rm -rf "$dir" ;; esac; }
trap cleanup EXIT
[ "$rc" -eq 1 ] || fail "build-kernel.sh with an unsatisfiable option exited $rc, expected 1"
[ ! -s "$TMPDIR/out" ] || fail "build-kernel.sh printed a kernel directory for a failed build: $(cat "$TMPDIR/out")"
grep -q "kernel.config:$line: CONFIG_RPMSG_QCOM_SMD=y did not stick" "$TMPDIR/err" ||
    fail "the error does not name kernel.config:$line and CONFIG_RPMSG_QCOM_SMD=y"
grep -q "final .config: # CONFIG_RPMSG_QCOM_SMD is not set\|final .config: CONFIG_RPMSG_QCOM_SMD absent" "$TMPDIR/err" ||
    fail "the error does not say what the final .config has"
[ -n "$dir" ] || fail "no build directory named in the messages"
[ ! -f "$dir/.done" ] || fail "$dir marked done after a config failure"
"$vb/build-kernel.sh" --print --arch $arch preempt >/dev/null && fail "--print reports a kernel for the failed config"

# the same fragments without the bad line pass the check (the option list itself is satisfiable):
# the real fragments' kernel is what test_vboard_boot.sh boots, so only --print is checked here

# --help is an answer, not an error: both scripts print their whole help on stdout and exit 0; an
# unknown option is a usage error (exit 2, on stderr, stdout empty)
for s in build-kernel.sh run.sh; do
    set +e
    "$TOP/host-tools/vboard/$s" --help >"$TMPDIR/h.out" 2>"$TMPDIR/h.err"; rc=$?
    "$TOP/host-tools/vboard/$s" --no-such-option x >"$TMPDIR/u.out" 2>"$TMPDIR/u.err"; urc=$?
    set -e
    [ "$rc" -eq 0 ] || fail "$s --help exited $rc, expected 0"
    [ ! -s "$TMPDIR/h.err" ] || fail "$s --help wrote to stderr: $(head -n 2 "$TMPDIR/h.err")"
    grep -q -- '--arch arm64|x86_64' "$TMPDIR/h.out" || fail "$s --help does not describe --arch"
    grep -q 'Exit status' "$TMPDIR/h.out" || fail "$s --help does not give its exit statuses"
    [ "$urc" -eq 2 ] || fail "$s with an unknown option exited $urc, expected 2"
    [ ! -s "$TMPDIR/u.out" ] && [ -s "$TMPDIR/u.err" ] || fail "$s: the usage error is not on stderr alone"
done
# --kvm is refused before anything boots where it cannot work: the arm64 board on this x86_64 host, and
# any board without a usable /dev/kvm (these machines have none)
rc=0; "$TOP/host-tools/vboard/run.sh" --arch arm64 --kvm -- true 2>"$TMPDIR/k.err" || rc=$?
[ "$rc" -eq 2 ] && grep -q 'cannot use KVM' "$TMPDIR/k.err" || fail "run.sh --arch arm64 --kvm: exit $rc, $(cat "$TMPDIR/k.err")"
if [ ! -w /dev/kvm ]; then
    rc=0; "$TOP/host-tools/vboard/run.sh" --arch x86_64 --kvm -- true 2>"$TMPDIR/k.err" || rc=$?
    [ "$rc" -eq 2 ] && grep -q 'no usable /dev/kvm' "$TMPDIR/k.err" || fail "run.sh --kvm without /dev/kvm: exit $rc, $(cat "$TMPDIR/k.err")"
fi
echo "PASS: unsatisfiable option refused with file, line and final value; --help on stdout, exit 0"
