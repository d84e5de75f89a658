# --json (cyclictest's format) without -h: its 1 us histogram is exact, bin for bin, against the round
# trips in samples.tsv (ok and late replies), with those at or over its extent counted in rplat's object
# and none dropped; with -h it is the -h histogram. (It used to fold the 0.8%-wide log buckets into
# 1 us keys: wrong above 64 us.)
. "$TOP/tests/integration/lib.sh"
cd "$TMPDIR"
for h in "" "-h 60"; do
    rm -rf r j.json
    # jitter spreads the round trips over hundreds of us, where the log buckets span several 1 us keys
    # shellcheck disable=SC2086
    "$RPLAT" ping -L sim:jitter=400us -l 1500 -i 500 --timeout 100ms -q $h --json j.json -o r > /dev/null \
        || fail "rplat ping${h:+ $h} exited $?"
    python3 - r j.json "${h#-h }" <<'PY' || fail "the --json histogram${h:+ ($h)} does not match samples.tsv"
import csv, json, sys
from collections import Counter
rows = [r for r in csv.DictReader(open(sys.argv[1] + "/samples.tsv"), delimiter="\t")
        if r["status"] in ("ok", "late")]
j = json.load(open(sys.argv[2]))
cap = int(sys.argv[3]) if sys.argv[3] else 100000
want = Counter(int(float(r["rtt"])) // 1000 for r in rows)
over = sum(n for us, n in want.items() if us >= cap)
want = {us: n for us, n in want.items() if us < cap}
got = {int(k): v for k, v in j["thread"]["0"]["histogram"].items()}
assert got == want, sorted(set(got.items()) ^ set(want.items()))[:10]
assert j["rplat"]["histogram_us"] == cap and j["rplat"]["histogram_overflows"] == over, (j["rplat"], over)
assert sum(got.values()) + over == len(rows)
spread = [us for us in want if us > 64] if cap > 64 else list(want)
assert len(spread) > 30, "too few round trips over 64 us to test the bins there: %d" % len(spread)
print("json histogram ok: %d messages, %d bins, %d over %d us" % (len(rows), len(got), over, cap))
PY
done
echo ok
