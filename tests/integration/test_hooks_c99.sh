#!/bin/bash
# Issue 12 item 1: the hooks library (probe-fw/hooks/) is C99, allocates nothing, takes no lock and has no
# board #ifdef. Compiled as strict ISO C99 (-std=c99 -pedantic-errors) for the Cortex-M4 and for the host,
# its object may call nothing but memcpy/memset (no malloc, no mutex, no libc beyond those), and its
# sources have no conditional compilation other than the header guard.
. "$TOP/tests/integration/lib.sh"
src=$TOP/probe-fw/hooks/rplat_hooks.c
inc="-I$TOP/probe-fw/hooks/include -I$TOP/probe-fw/include"
flags="-std=c99 -pedantic-errors -Wall -Wextra -Werror -O2"
command -v arm-none-eabi-gcc >/dev/null || skip "arm-none-eabi-gcc not installed (make deps)"
arm-none-eabi-gcc $flags -mcpu=cortex-m4 -mthumb $inc -c "$src" -o "$TMPDIR/m4.o" ||
    fail "the hooks are not strict C99 for the Cortex-M4"
gcc $flags $inc -c "$src" -o "$TMPDIR/host.o" || fail "the hooks are not strict C99 on the host"
for o in m4 host; do
    nmc=nm; [ $o = host ] || nmc=arm-none-eabi-nm
    bad=$($nmc -u "$TMPDIR/$o.o" | awk '{print $NF}' | grep -vx 'memcpy\|memset' || true)
    [ -z "$bad" ] || fail "the $o hooks object calls $bad (only memcpy/memset are allowed)"
done
conds=$(grep -n '^[[:space:]]*#[[:space:]]*if' "$TOP"/probe-fw/hooks/*.c "$TOP"/probe-fw/hooks/include/rplat/*.h |
        grep -v '#ifndef RPLAT_HOOKS_H' || true)
[ -z "$conds" ] || fail "conditional compilation in the hooks: $conds"
echo "PASS: hooks are strict C99 (M4 and host), call only memcpy/memset, no #if but the header guard"
