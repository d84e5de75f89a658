# rplat rproc on a copy of tests/fixtures/rproc/root: list, status, start, stop, load and trace, the
# states the kernel refuses (stopping an offline core, starting a running one, loading into a running
# one), a firmware the kernel would refuse, and the usage errors.
. "$TOP/tests/integration/lib.sh"
expect_rc() { # expect_rc RC cmd...
    local want=$1 rc=0; shift
    "$@" || rc=$?
    [ "$rc" -eq "$want" ] || fail "expected exit $want, got $rc from: $*"
}
cp -r "$TOP/tests/fixtures/rproc/root" "$TMPDIR/root"
R="$TMPDIR/root"
rp() { "$RPLAT" rproc --root "$R" "$@"; }
state() { cat "$R/sys/class/remoteproc/$1/state"; }

# list and status
expect_rc 0 rp list >"$TMPDIR/list.txt"
grep -q '^remoteproc1 *78000000.r5f *running *am62-wkup-r5f0_0-fw$' "$TMPDIR/list.txt" || { cat "$TMPDIR/list.txt"; fail "list"; }
expect_rc 0 rp list --json >"$TMPDIR/list.json"
jassert "$TMPDIR/list.json" '[p["state"] for p in d["remoteprocs"]]==["offline","running","crashed"] and d["remoteprocs"][1]["traces"]==1'
expect_rc 0 rp -r 0 status >"$TMPDIR/status.txt"
grep -q '0 errors (0 the kernel refuses)' "$TMPDIR/status.txt" || { cat "$TMPDIR/status.txt"; fail "status: firmware not checked"; }
expect_rc 0 rp -r 5000000.m4fss status --json >"$TMPDIR/status.json"
jassert "$TMPDIR/status.json" 'd["id"]=="remoteproc0" and d["firmware_file"]["present"] and d["firmware_file"]["kernel_refuses"]==0'
expect_rc 1 rp status 2>"$TMPDIR/err.txt"          # three cores, none picked
grep -q 'pick one with -r' "$TMPDIR/err.txt" || fail "no -r: $(cat "$TMPDIR/err.txt")"
expect_rc 1 rp -r nope status 2>/dev/null

# stop and a firmware change are written whatever the state: the kernel answers (EINVAL, EBUSY: see
# test_vboard_rpmsg on a live kernel, and test_rproc for the explanations); a fixture file takes them
expect_rc 0 rp -r 0 stop >/dev/null
[ "$(state remoteproc0)" = stop ] || fail "stop of an offline core was not written for the kernel to answer"
echo offline >"$R/sys/class/remoteproc/remoteproc0/state"
expect_rc 0 rp -r 1 load am62-mcu-m4f0_0-fw >/dev/null
[ "$(cat "$R/sys/class/remoteproc/remoteproc1/firmware")" = am62-mcu-m4f0_0-fw ] ||
    fail "load on a running core was not written for the kernel to answer"
echo am62-wkup-r5f0_0-fw >"$R/sys/class/remoteproc/remoteproc1/firmware"
# a start of a powered core is not written: the kernel would take another power reference, not refuse
expect_rc 1 rp -r 1 start 2>"$TMPDIR/err.txt"
grep -q 'already running: not written, since the kernel would not refuse start but only take another power reference' "$TMPDIR/err.txt" ||
    fail "start running: $(cat "$TMPDIR/err.txt")"
[ "$(state remoteproc1)" = running ] || fail "start of a running core wrote the state"
expect_rc 1 rp -r 2 start 2>"$TMPDIR/err.txt"
grep -q 'crashed' "$TMPDIR/err.txt" || fail "start crashed: $(cat "$TMPDIR/err.txt")"

# a firmware the kernel would refuse: refused unless --force
expect_rc 1 rp -r 0 load broken-ver-fw 2>"$TMPDIR/err.txt"
grep -q 'the kernel would refuse' "$TMPDIR/err.txt" && grep -q 'rsc.ver' "$TMPDIR/err.txt" || fail "broken firmware: $(cat "$TMPDIR/err.txt")"
[ "$(cat "$R/sys/class/remoteproc/remoteproc0/firmware")" = am62-mcu-m4f0_0-fw ] || fail "refused firmware was written"
expect_rc 0 rp -r 0 load --force broken-ver-fw >/dev/null 2>&1
[ "$(cat "$R/sys/class/remoteproc/remoteproc0/firmware")" = broken-ver-fw ] || fail "--force did not write"
cp "$TOP/tests/fixtures/rproc/root/lib/firmware/am62-mcu-m4f0_0-fw" "$TMPDIR/outside.elf"
expect_rc 1 rp -r 0 load "$TMPDIR/outside.elf" 2>"$TMPDIR/err.txt"
grep -q 'outside' "$TMPDIR/err.txt" || fail "outside firmware: $(cat "$TMPDIR/err.txt")"
expect_rc 1 rp -r 0 load nope-fw 2>/dev/null

# allowed operations reach sysfs
expect_rc 0 rp -r 0 load --start "$R/lib/firmware/am62-mcu-m4f0_0-fw" >"$TMPDIR/load.txt"
[ "$(cat "$R/sys/class/remoteproc/remoteproc0/firmware")" = am62-mcu-m4f0_0-fw ] || fail "load by path"
[ "$(state remoteproc0)" = start ] || fail "load --start did not start"
expect_rc 0 rp -r remoteproc1 stop >/dev/null
[ "$(state remoteproc1)" = stop ] || fail "stop did not write"

# trace: the text up to the first NUL
expect_rc 0 rp -r 1 trace >"$TMPDIR/trace.txt"
grep -q 'waiting for messages' "$TMPDIR/trace.txt" || fail "trace text"
if grep -q stale "$TMPDIR/trace.txt"; then fail "trace printed past the NUL"; fi
expect_rc 1 rp -r 1 trace -t 4 2>"$TMPDIR/err.txt"
grep -q 'trace4' "$TMPDIR/err.txt" || fail "missing trace not named"
# no remoteproc at all: an empty list, and a clear error for the rest
expect_rc 0 "$RPLAT" rproc --root "$TMPDIR/nothing" list --json >"$TMPDIR/none.json"
jassert "$TMPDIR/none.json" 'd["remoteprocs"]==[]'
expect_rc 1 "$RPLAT" rproc --root "$TMPDIR/nothing" start 2>"$TMPDIR/err.txt"
grep -q 'no remote processor in' "$TMPDIR/err.txt" || fail "no remoteproc: $(cat "$TMPDIR/err.txt")"

# usage
expect_rc 2 rp 2>/dev/null
expect_rc 2 rp frobnicate 2>/dev/null
expect_rc 2 rp load 2>/dev/null
expect_rc 2 rp -r 1 trace -t x 2>/dev/null
expect_rc 0 rp --help >/dev/null
echo ok
