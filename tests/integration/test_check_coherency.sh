# rplat check coherency on the sim link: clean and every buffer slot covered in both directions without
# a fault; with the sim's stale-cache-line fault, mismatches are found, shown with their evidence, and
# the evidence points at the line the fault replaced.
. "$TOP/tests/integration/lib.sh"
expect_rc() { # expect_rc RC cmd...
    local want=$1 rc=0; shift
    "$@" || rc=$?
    [ "$rc" -eq "$want" ] || fail "expected exit $want, got $rc from: $*"
}
probe_out=$("$RPLAT" check coherency --help 2>&1 || true)
case "$probe_out" in
*"usage: rplat check coherency"*) ;;
*) skip "rplat check does not dispatch 'coherency' to check_coherency_main yet: $(echo "$probe_out" | head -1)" ;;
esac

# 1. no fault: clean, exit 0, all 256 TX (vring1) and 256 RX (vring0) buffers exercised
expect_rc 0 "$RPLAT" check coherency --link sim --rounds 2 --json -o "$TMPDIR/clean.json"
jassert "$TMPDIR/clean.json" 'd["verdict"]=="clean" and d["return_code"]==0 and d["mismatches"]["total"]==0'
jassert "$TMPDIR/clean.json" 'd["slots"]["per_direction"]==256 and d["slots"]["host_to_probe"]==256 and d["slots"]["probe_to_host"]==256 and d["slots"]["complete"]'
jassert "$TMPDIR/clean.json" 'd["counts"]["lost"]==0 and d["counts"]["writes"]==d["counts"]["reports"]>=510 and d["counts"]["fills"]==d["counts"]["data"]==512'
expect_rc 0 "$RPLAT" check coherency --link sim:num=32 --rounds 1 -o "$TMPDIR/clean32.txt"
grep -q '^# slots covered: host->probe 32/32 (vring1 TX buffers), probe->host 32/32 (vring0 RX buffers)$' \
    "$TMPDIR/clean32.txt" || { cat "$TMPDIR/clean32.txt"; fail "32-entry vrings: not every slot covered"; }
grep -q '^# verdict: clean$' "$TMPDIR/clean32.txt" || fail "text form: no clean verdict"
echo "clean: $(grep '^# slots covered' "$TMPDIR/clean32.txt")"

# 2. every 7th buffer the probe reads gets one 64-byte line back from its previous contents
expect_rc 2 "$RPLAT" check coherency --link sim:stale=7 --rounds 2 -o "$TMPDIR/stale.txt"
echo "--- what rplat reported with the stale-line fault (first evidence lines and summary):"
grep -v '^#' "$TMPDIR/stale.txt" | head -n 5
grep '^# mismatches\|^# verdict\|^# slots' "$TMPDIR/stale.txt"
echo "---"
n=$(grep -vc '^#' "$TMPDIR/stale.txt" || true)
[ "$n" -ge 20 ] || fail "only $n mismatches reported with stale=7"
grep -q '^# verdict: mismatch$' "$TMPDIR/stale.txt" || fail "no mismatch verdict"
# every evidence line names the host->probe direction, one line, and the stale-line kind
awk '!/^#/ && ($1 != "h2p" || $9 != 1 || $11 != "stale-line") { print; bad = 1 } END { exit bad }' \
    "$TMPDIR/stale.txt" || fail "evidence that is not a single stale line (above)"
expect_rc 2 "$RPLAT" check coherency --link sim:stale=7 --rounds 2 --json -o "$TMPDIR/stale.json"
jassert "$TMPDIR/stale.json" 'd["verdict"]=="mismatch" and d["return_code"]==2 and d["mismatches"]["host_to_probe"]==d["mismatches"]["total"]==d["mismatches"]["by_kind"]["stale-line"]>=20'
jassert "$TMPDIR/stale.json" 'd["slots"]["complete"] and d["counts"]["lost"]==0'
# the sim replaces the line after the RPMsg and rplat headers: buffer bytes 64..127 of a 512-byte slot
jassert "$TMPDIR/stale.json" 'all(e["line_da"]==e["slot_da"]+64 and e["nlines"]==1 and 1<=e["nbad"]<=64 and 48<=e["first"]<=e["last"]<=111 for e in d["evidence"])'
# what the line held: zeros on a slot's first use, later the pattern of an older message in that slot
# (a line mixing leftovers of several older messages may name none)
jassert "$TMPDIR/stale.json" 'all(e["old_seq"] is None or e["old_seq"]<e["seq"] for e in d["evidence"])'
jassert "$TMPDIR/stale.json" 'sum(e["zero"] or e["old_seq"] is not None for e in d["evidence"])>=0.9*len(d["evidence"])'
jassert "$TMPDIR/stale.json" 'any(e["old_seq"] is not None for e in d["evidence"]) and any(e["zero"] for e in d["evidence"])'
jassert "$TMPDIR/stale.json" 'all(e["expected"]!=e["seen"] for e in d["evidence"])'
python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
e=[e for e in d["evidence"] if e["old_seq"] is not None][0]
print("caught: seq %d in slot 0x%08x read line 0x%08x holding seq %d (expected %s, seen %s)" % (e["seq"], e["slot_da"], e["line_da"], e["old_seq"], e["expected"], e["seen"]))' "$TMPDIR/stale.json"

# 3. errors: exit 3 (could not run) with a clear message, nothing written
expect_rc 3 "$RPLAT" check coherency -o "$TMPDIR/x1.txt"
expect_rc 3 "$RPLAT" check coherency --link nosuch: -o "$TMPDIR/x2.txt"
expect_rc 3 "$RPLAT" check coherency --link sim --rounds 0 -o "$TMPDIR/x3.txt"
"$RPLAT" check coherency --link sim:bogus=1 2>&1 | grep -q "unknown sim option 'bogus'" || fail "unclear error"
[ ! -e "$TMPDIR/x1.txt" ] && [ ! -e "$TMPDIR/x2.txt" ] && [ ! -e "$TMPDIR/x3.txt" ] || fail "a report was written on error"
no_probe_left
echo ok
