# The kernel command line splitter (host-tools/lib/cmdline.c) against the kernel's own next_arg(), taken
# from the installed linux-source-6.12 (the virtual board's extracted tree if there is one, else the
# tarball) and compiled here beside it: 2 million random lines must split the same way.
. "$TOP/tests/integration/lib.sh"
src=""
for d in /var/cache/rplat/vboard/src-*/linux-source-6.12; do
    [ -r "$d/lib/cmdline.c" ] && { src="$d/lib/cmdline.c"; break; }
done
if [ -z "$src" ]; then
    tarball=${RPLAT_LINUX_SRC:-/usr/src/linux-source-6.12.tar.xz}
    [ -r "$tarball" ] || skip "no linux-source-6.12 (apt-get install linux-source-6.12)"
    nice -n 19 tar -xJf "$tarball" -O linux-source-6.12/lib/cmdline.c >"$TMPDIR/cmdline.c" ||
        fail "cannot read lib/cmdline.c from $tarball"
    src="$TMPDIR/cmdline.c"
fi
sed -n '/^char \*next_arg(char \*args, char \*\*param, char \*\*val)$/,/^}$/p' "$src" >"$TMPDIR/next_arg.c"
grep -q 'in_quote' "$TMPDIR/next_arg.c" || fail "no next_arg() found in $src"
cc -O2 -w -I"$TOP/host-tools/include" -DNEXT_ARG_C="\"$TMPDIR/next_arg.c\"" \
    "$TOP/tests/integration/cmdline_oracle.c" "$TOP/host-tools/lib/cmdline.c" \
    $(case "$BUILD" in *san*) echo -fsanitize=address,undefined ;; esac) -o "$TMPDIR/oracle" ||
    fail "building the oracle against $src"
"$TMPDIR/oracle" 2000000 || fail "rplat's split differs from the kernel's next_arg() ($src)"
echo "cmdline against the kernel's next_arg(): ok"
