# rplat observe against a hostile ring, on the sim with the example echo firmware and the plain client:
#  1. a host that reads nothing (-r 0: one drain at the end): the hooks count drops, the firmware keeps
#     echoing, the run says how many records were dropped and matches only what precedes the drops;
#  2. the ring header corrupted by the host mid-observation: the firmware keeps echoing, rplat refuses
#     the ring with an error naming the field and writes nothing;
#  3. the remote restarting mid-observation (restart=N: a new boot_id every N messages): each restart is
#     detected, the new boots are matched by time, and nothing is mis-matched (every staged message
#     agrees with the sim's truth within the error bound: a message matched to its neighbour's records
#     would be off by a whole round trip and interval).
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/observe_lib.sh"
build_client
sim="drift=-10ppm,offset=1s,delay=20us"

# 1. nobody drains: 2000 messages make 6000 records, the ring holds 4096. 1 ms apart, so that the 1365
# messages before the drops span over a second: the clock fit is well conditioned (over 0.35 s, a fit
# 17 ppm off the truth with too small an error bound was seen; see the README's clock notes)
start_client "sim:fw=echo,$sim" 2000 1000 64
"$RPLAT" observe -p "$CLIENT_PID" -r 0 -o "$TMPDIR/nodrain" --sim-truth "$sim" >"$TMPDIR/out" 2>&1 ||
    { cat "$TMPDIR/out"; fail "rplat observe -r 0 failed"; }
cat "$TMPDIR/out"
wait_client
r="$TMPDIR/nodrain/run.json"
jassert "$r" 'd["observe"]["ring"]["records"]==4096 and d["observe"]["ring"]["drops"]==6000-4096'
jassert "$r" 'd["observe"]["drain"]["drains"]==2 and d["counts"]["sent"]==2000'
jassert "$r" 'd["observe"]["drain"]["empty_drains"]==1'   # the first (discarding) drain; the last kept all
jassert "$r" 'd["observe"]["match"]["after_drops"] >= 600 and d["observe"]["match"]["remote_msgs"] >= 1300'
jassert "$r" 'd["summary"]["stages"]["remote_processing"]["count"] >= 1300'
jassert "$r" 'd["summary"]["stages"]["remote_processing"]["count"] <= d["observe"]["match"]["remote_msgs"]'
jassert "$r" 'd["clock"]["sim_truth"]["stage_max_ns"] <= d["clock"]["err_bound_ns"]'
grep -q "6000 records\|4096 records, 1904 drops" "$TMPDIR/out" || fail "the summary does not show the drops"

# 2. the host corrupts the header's magic while observe drains it
start_client "sim:fw=echo,$sim" 10000 200 64
"$RPLAT" observe -p "$CLIENT_PID" -r 100 -o "$TMPDIR/corrupt" >"$TMPDIR/out" 2>&1 &
obs=$!
sleep 2.2 # the client starts after 1.5 s
python3 - "$CLIENT_PID" <<'PY' || fail "could not corrupt the ring header"
import os, struct, sys
fd = None
for n in os.listdir("/proc/%s/fd" % sys.argv[1]):
    if os.readlink("/proc/%s/fd/%s" % (sys.argv[1], n)).startswith("/memfd:rplat-sim-shm"):
        fd = os.open("/proc/%s/fd/%s" % (sys.argv[1], n), os.O_RDWR)
t = os.pread(fd, 4096, 0)
num = struct.unpack_from("<I", t, 4)[0]
for i in range(num):
    off = struct.unpack_from("<I", t, 16 + 4 * i)[0]
    if struct.unpack_from("<I", t, off)[0] == 0 and t[off + 24:off + 34] == b"rplat-ring":
        da = struct.unpack_from("<I", t, off + 4)[0]
        os.pwrite(fd, struct.pack("<I", 0xBADC0DE5), da - 0x9cb00000)
        sys.exit(0)
sys.exit(1)
PY
rc=0; wait $obs || rc=$?
cat "$TMPDIR/out"
[ "$rc" = 3 ] || fail "a corrupt ring header: exit $rc, expected 3"
grep -q "refused" "$TMPDIR/out" && grep -q "magic 0xbadc0de5" "$TMPDIR/out" ||
    fail "the refusal does not name the field"
[ ! -e "$TMPDIR/corrupt/run.json" ] || fail "a refused ring still wrote a run"
wait_client # the firmware kept echoing every message

# 3. restarts every 500 messages
start_client "sim:fw=echo,$sim,restart=500" 2000 200 64
"$RPLAT" observe -p "$CLIENT_PID" -r 200 -o "$TMPDIR/restart" --sim-truth "$sim" >"$TMPDIR/out" 2>&1 ||
    { cat "$TMPDIR/out"; fail "rplat observe across restarts failed"; }
cat "$TMPDIR/out"
wait_client
r="$TMPDIR/restart/run.json"
# restarts after the 500th, 1000th, 1500th and 2000th message
jassert "$r" 'd["observe"]["ring"]["restarts"]==4 and len(set(d["observe"]["ring"]["boot_ids"]))==5'
# the new boots are matched by time with the fit of the boot before (the sim's counter runs on)
jassert "$r" 'd["observe"]["match"]["contradicted"]==0 and d["counts"]["sent"]==2000'
jassert "$r" 'd["observe"]["match"]["by_time"] >= 1400 and d["observe"]["match"]["time_unaligned"]==0'
jassert "$r" 'd["counts"]["received"]+d["counts"]["lost"]+d["counts"]["error"]==2000'
jassert "$r" 'd["summary"]["stages"]["remote_processing"]["count"] >= 1800'
jassert "$r" 'd["clock"]["sim_truth"]["stage_max_ns"] <= d["clock"]["err_bound_ns"]'
python3 - "$TMPDIR/restart/samples.tsv" <<'PY' || fail "boots in samples.tsv"
import sys, csv
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
boots = [int(r["boot"]) for r in rows]
assert boots == sorted(boots) and {0, 1, 2, 3} <= set(boots) <= {0, 1, 2, 3, 4}, set(boots)
PY
[ ! -d /sys/kernel/tracing/instances/rplat-observe ] || fail "the tracefs instance rplat-observe was left behind"
echo "hostile ring: ok"
