# The load (cyclictest, hackbench, stress-ng) starts before the measurement, is recorded in the run, and is
# gone afterwards: after a normal run, after Ctrl-C (SIGINT to the foreground process group) and after
# rplat itself is killed with SIGKILL. Processes are tracked as descendants of the rplat under test, so
# other users of the machine do not disturb the check.
. "$TOP/tests/integration/lib.sh"
cd "$TMPDIR"
[ "$(id -u)" = 0 ] || skip "needs root (cyclictest runs SCHED_FIFO)"
for t in cyclictest hackbench stress-ng; do command -v $t > /dev/null || skip "$t not installed"; done

# every process under PID (one snapshot of the process table): "pid comm" lines
tree_of() {
    ps -e -o pid=,ppid=,comm= | awk -v root="$1" '{ pp[$1] = $2; cm[$1] = $3 }
        END { for (p in pp) { q = p; while (q in pp && q != root && q > 1) q = pp[q]; if (q == root && p != root) print p, cm[p] } }'
}
still_alive() {
    local p any=1
    for p in "$@"; do
        if kill -0 "$p" 2> /dev/null && [ "$(ps -o stat= -p "$p" | cut -c1)" != Z ]; then
            ps -o pid=,pgid=,comm= -p "$p"
            any=0
        fi
    done
    return $any
}
# start rplat in its own session (like a shell's foreground job), wait until its load runs, and list
# every process under it
start_loaded() {
    local out=$1; shift
    setsid "$RPLAT" "$@" > "$out.log" 2>&1 &
    pid=$!
    for _ in $(seq 150); do
        sup=$(pgrep -P "$pid" -x rplat-load || true)
        [ -n "$sup" ] && [ -n "$(pgrep -P "$sup" -x cyclictest || true)" ] && break
        sleep 0.1
    done
    [ -n "$sup" ] || { cat "$out.log"; fail "no load supervisor under rplat ($pid)"; }
    sleep 2
    local t ok snap
    for _ in $(seq 30); do  # hackbench rounds end and restart: look until each tool is seen at once
        snap=$(tree_of "$pid")
        ok=1
        for t in $expect; do echo "$snap" | grep -q " $t" || ok=0; done
        [ $ok = 1 ] && break
        sleep 0.2
    done
    [ $ok = 1 ] || fail "expected $expect under rplat, found: $(echo "$snap" | awk '{print $2}' | sort | uniq -c | tr '\n' ' ')"
    tree=$(echo "$snap" | awk '{print $1}')
    echo "$out: rplat $pid, load supervisor $sup, $(echo $tree | wc -w) processes under rplat:" \
        $(echo "$snap" | awk '{print $2}' | sort | uniq -c | tr '\n' ' ')
}
gone_within() {
    local secs=$1; shift
    for _ in $(seq $((secs * 10))); do still_alive "$@" > /dev/null || return 0; sleep 0.1; done
    still_alive "$@"
    return 1
}

# 1. a normal run: recorded, and nothing left
t0=$(date +%s)
"$RPLAT" ping -L sim -l 2000 -i 300 --load mixed -q -o r1 > r1.log 2>&1 || { cat r1.log; fail "ping --load: exit $?"; }
jassert r1/run.json 'd["load"]["profile"]=="mixed" and d["load"]["file"]=="load/load.json"'
jassert r1/run.json 'd["load"]["cyclictest"]["all"]["cycles"] > 0'
jassert r1/load/load.json 'd["format"]=="rplat-load" and [t["tool"] for t in d["tools"]]==["cyclictest","hackbench","stress-ng"]'
jassert r1/load/load.json 'all(t["starts"] >= 1 and not t["failed"] for t in d["tools"])'
jassert r1/load/load.json '"-P" in d["tools"][1]["argv"] and "1000" in d["tools"][1]["argv"]'
grep -q '^# Histogram Overflows:' r1/load/cyclictest.hist || fail "cyclictest's -h file"
jassert r1/load/cyclictest.json 'd["num_threads"] >= 1 and "thread" in d'
echo "normal run with load: $(( $(date +%s) - t0 )) s"

# 2. Ctrl-C: SIGINT to the process group; the partial run is written, the load is stopped
expect="cyclictest hackbench stress-ng"
start_loaded r2 ping -L sim -D 60 -i 300 --load mixed -q -o r2
tree=$(tree_of "$pid" | awk '{print $1}')
kill -INT -- "-$pid"
rc=0; wait "$pid" || rc=$?
echo "rplat after SIGINT: exit $rc"
gone_within 5 $tree || fail "load processes survived Ctrl-C"
[ -f r2/run.json ] || { cat r2.log; fail "no run.json after Ctrl-C"; }
jassert r2/run.json 'd["ended_by"]=="signal" and d["load"]["profile"]=="mixed"'
[ -f r2/load/load.json ] || fail "no load.json after Ctrl-C"
jassert r2/load/load.json 'd["cyclictest"]["all"]["cycles"] > 0'
ls /tmp/rplat-stress-* 2> /dev/null | grep -q . && echo "note: stress-ng temp dirs of others exist"

# 3. rplat killed outright: the supervisor (PR_SET_PDEATHSIG, control pipe) stops everything
expect="cyclictest stress-ng rplat-sim-probe"
start_loaded r3 ping -L sim -D 60 -i 300 --load cpu -q -o r3
tree=$(tree_of "$pid" | awk '{print $1}')
kill -KILL "$pid"
wait "$pid" 2> /dev/null || true
gone_within 10 $tree || fail "load processes survived SIGKILL of rplat"

# 4. rplat load PROFILE -- CMD: the command's exit status, the load gone
rc=0; "$RPLAT" load -o r4 cpu -- sh -c 'exit 7' 2> r4.log || rc=$?
[ $rc -eq 7 ] || { cat r4.log; fail "rplat load -- CMD: exit $rc, expected 7"; }
jassert r4/load/load.json 'd["profile"]=="cpu"'
rc=0; "$RPLAT" load nosuch -- true 2> err.txt || rc=$?
[ $rc -eq 2 ] && grep -q "unknown profile 'nosuch'" err.txt || fail "unknown profile: $(cat err.txt)"
printf 'cyclictest\nhackbench groups=x\n' > bad.load
rc=0; "$RPLAT" load bad.load -- true 2> err.txt || rc=$?
[ $rc -eq 2 ] && grep -q 'bad.load:2:11: groups=x' err.txt || fail "profile syntax error: $(cat err.txt)"
rc=0; "$RPLAT" ping -L sim -l 10 --load bad.load -q -o r5 2> err.txt || rc=$?
[ $rc -ne 0 ] && grep -q 'bad.load:2:11' err.txt || fail "ping --load with a bad profile: exit $rc, $(cat err.txt)"
echo "load cleanup: ok"
