# The run's bookkeeping (issue 10 item 8): run.json's rsc object, --json checked before measuring,
# return_code equal to the exit code, no half-made run directory after a setup error, CPUs that do not
# exist refused.
. "$TOP/tests/integration/lib.sh"
expect_rc() { # expect_rc RC cmd...
    local want=$1 rc=0; shift
    "$@" || rc=$?
    [ "$rc" -eq "$want" ] || fail "expected exit $want, got $rc from: $*"
}
# rsc: the resource table in force (vrings as written back, the trace entry), ping and stream
"$RPLAT" ping -L sim -l 20 -q -o "$TMPDIR/p" > /dev/null || fail "ping exited $?"
"$RPLAT" stream -L sim -n 20 --calibrate 20 -q -o "$TMPDIR/s" > /dev/null || fail "stream exited $?"
for r in p s; do
    jassert "$TMPDIR/$r/run.json" 'len(d["rsc"]["vrings"]) == 2 and all(v["num"] == 256 and v["align"] == 4096 for v in d["rsc"]["vrings"])'
    jassert "$TMPDIR/$r/run.json" '[v["notifyid"] for v in d["rsc"]["vrings"]] == [0, 1] and d["rsc"]["vrings"][0]["da"] != d["rsc"]["vrings"][1]["da"]'
    jassert "$TMPDIR/$r/run.json" 'd["rsc"]["trace"]["name"] == "trace:rplat-sim" and d["rsc"]["trace"]["len"] > 0'
done
"$RPLAT" report "$TMPDIR/p" -o "$TMPDIR/rep" > /dev/null || fail "report exited $?"
grep -q 'resource table vring0' "$TMPDIR/rep/index.html" || fail "the report does not show the resource table"
# --json into a directory that does not exist: refused at once, before anything is measured
start=$(date +%s%N)
expect_rc 2 "$RPLAT" ping -L sim -l 1000000 -q --json /nonexistent/x.json -o "$TMPDIR/j" 2> "$TMPDIR/j.err"
grep -q -- '--json /nonexistent/x.json' "$TMPDIR/j.err" || fail "unclear --json error: $(cat "$TMPDIR/j.err")"
[ ! -e "$TMPDIR/j" ] || fail "a refused --json left a run directory"
# a --json file that cannot be written at the end (its directory went away during the run): exit 1, and
# run.json says so (return_code is the exit code), without blaming the run directory
mkdir "$TMPDIR/jd"
"$RPLAT" ping -L sim -D 1 -i 1000 -q --json "$TMPDIR/jd/x.json" -o "$TMPDIR/j2" > /dev/null 2> "$TMPDIR/j2.err" & pid=$!
sleep 0.3; rmdir "$TMPDIR/jd"
rc=0; wait $pid || rc=$?
[ $rc -eq 1 ] || fail "an unwritable --json at the end: exit $rc, expected 1"
jassert "$TMPDIR/j2/run.json" 'd["return_code"] == 1'
grep -q 'writing the run directory' "$TMPDIR/j2.err" && fail "blamed the run directory: $(cat "$TMPDIR/j2.err")"
# setup errors after the run directory was made leave nothing behind: a load that does not start, a
# stream whose opening calibration gets no reply
expect_rc 2 "$RPLAT" ping -L sim -l 10 -q --load /nonexistent.profile -o "$TMPDIR/l"
[ ! -e "$TMPDIR/l" ] || { ls -R "$TMPDIR/l"; fail "a failed --load left a half-made run directory"; }
expect_rc 2 "$RPLAT" stream -L sim:mute=1 -n 10 -q -o "$TMPDIR/c"
[ ! -e "$TMPDIR/c" ] || { ls -R "$TMPDIR/c"; fail "a failed calibration left a half-made run directory"; }
# ... and an existing directory given with -o keeps what it had, but gets nothing of ours
mkdir "$TMPDIR/e"; echo mine > "$TMPDIR/e/notes.txt"
expect_rc 2 "$RPLAT" ping -L sim -l 10 -q --load /nonexistent.profile -o "$TMPDIR/e"
[ "$(ls -A "$TMPDIR/e")" = notes.txt ] || { ls -A "$TMPDIR/e"; fail "the existing directory was not restored"; }
# CPUs this process cannot run on are refused before anything starts
expect_rc 2 "$RPLAT" ping -L sim -a 999 -l 10 -q -o "$TMPDIR/a"
expect_rc 2 "$RPLAT" ping -L sim:cpu=999 -l 10 -q -o "$TMPDIR/b"
expect_rc 2 "$RPLAT" trace -L sim --reader-cpu 999 -l 10 -q -o "$TMPDIR/t"
expect_rc 2 "$RPLAT" stream -L sim -a 999 -n 10 -q -o "$TMPDIR/st"
n=$(nproc --all)
expect_rc 2 "$RPLAT" trace -L sim --reader-cpu "$n" -l 10 -q -o "$TMPDIR/t2"
for d in a b t t2 st; do [ ! -e "$TMPDIR/$d" ] || fail "refused CPU option left $d"; done
no_probe_left
echo ok
