# --warm-up (rtla's): the first messages, or the first seconds, are sent and written but in no figure,
# count or threshold; a run a hook stops (--break) ends with ended_by "break", a notice on stderr even
# with -q, and exit 1.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/fixtures/trace/lib.sh"
expect_rc() { # expect_rc RC cmd...
    local want=$1 rc=0; shift
    "$@" || rc=$?
    [ "$rc" -eq "$want" ] || fail "expected exit $want, got $rc from: $*"
}
run=$TMPDIR/n
"$RPLAT" ping -L sim -l 200 -i 0 --warm-up 50 -q -o "$run" > /dev/null || fail "warm-up run exited $?"
jassert "$run/run.json" 'd["counts"]["warmup"] == 50 and d["counts"]["sent"] == 150 and d["counts"]["received"] == 150'
jassert "$run/run.json" 'd["summary"]["rtt"]["count"] == 150 and d["options"]["warm_up"]["messages"] == 50'
python3 - "$run/samples.tsv" <<'PY' || fail "warm-up samples"
import sys, csv
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
assert [int(r["seq"]) for r in rows] == list(range(200))
assert all(r["status"] == "warmup" for r in rows[:50]) and all(r["status"] == "ok" for r in rows[50:])
assert all(r["h2r"] == "nan" for r in rows[:50]) and all(r["rtt"] != "nan" for r in rows[:50])
PY
"$RPLAT" report "$run" -o "$TMPDIR/n-report" > /dev/null || fail "rplat report refused a warm-up run"
grep -q 'warmup' "$run/hist/rtt.hist" && fail "warm-up in the histogram?"
grep -q '^# count 150$' "$run/hist/rtt.hist" || fail "rtt.hist holds the warm-up"

# a warm-up in time: the messages sent in the first 100 ms
run=$TMPDIR/t
"$RPLAT" ping -L sim -l 300 -i 1000 --warm-up 100ms -q -o "$run" > /dev/null || fail "timed warm-up exited $?"
python3 - "$run" <<'PY' || fail "timed warm-up"
import sys, csv, json
d = json.load(open(sys.argv[1] + "/run.json"))
rows = list(csv.DictReader(open(sys.argv[1] + "/samples.tsv"), delimiter="\t"))
w = [r for r in rows if r["status"] == "warmup"]
assert 20 <= len(w) <= 101 and w == rows[:len(w)], len(w)
assert int(w[-1]["t_send"]) - int(rows[0]["t_send"]) < 100e6 <= int(rows[len(w)]["t_send"]) - int(rows[0]["t_send"]) + 1e6
assert d["counts"]["warmup"] == len(w) and d["counts"]["sent"] == 300 - len(w)
assert d["options"]["warm_up"]["duration_s"] == 0.1
PY
expect_rc 2 "$RPLAT" ping -L sim --warm-up abc -o "$TMPDIR/x1"
expect_rc 2 "$RPLAT" ping -L sim --warm-up 5x -o "$TMPDIR/x2"
[ ! -e "$TMPDIR/x1" ] && [ ! -e "$TMPDIR/x2" ] || fail "a refused option left a run directory"

# --break under rplat trace: the warm-up is not tested against the threshold; the break stops at the
# first measured message, with a clock fit from the warm-up, and says so even with -q
( trace_need
  run=$TMPDIR/break
  rc=0
  "$RPLAT" trace -L sim -l 5000 -i 200 --warm-up 30 --break 1 -q -o "$run" > /dev/null 2> "$TMPDIR/break.err" || rc=$?
  cat "$TMPDIR/break.err"
  [ $rc -eq 1 ] || fail "a break run exited $rc, expected 1"
  grep -q 'stopped early by a break' "$TMPDIR/break.err" || fail "no break notice with -q"
  jassert "$run/run.json" 'd["ended_by"] == "break" and d["return_code"] == 1'
  jassert "$run/run.json" 'd["counts"]["warmup"] == 30 and d["counts"]["sent"] == 1 and d["trace"]["first_hit_seq"] == 30'
  jassert "$run/run.json" 'd["clock"]["valid"]'
  # a message lost (its reply comes after --timeout) stops a --break run at once: the engine used to go
  # on after a hook asked to stop on a lost message
  run=$TMPDIR/break-late
  rc=0
  "$RPLAT" trace -L sim:delay=2ms -l 50 -i 10ms --timeout 1ms --break 1500 -q -o "$run" > /dev/null 2>&1 || rc=$?
  [ $rc -eq 1 ] || fail "a late reply over --break: exit $rc, expected 1"
  jassert "$run/run.json" 'd["ended_by"] == "break" and d["counts"]["sent"] == 1'
) || { rc=$?; [ $rc -eq 77 ] || exit $rc; echo "(the --break part was skipped: no tracefs)"; }
no_probe_left
echo ok
