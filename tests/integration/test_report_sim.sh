# rplat report, compare, budget and merge on runs measured here by rplat ping on the sim link: the HTML is
# self-contained and renders in headless Chromium; a budget passes on a good run and fails on a bad one
# (sim delay=) with a well-formed JUnit file; merging N runs equals measuring them as one, bucket for
# bucket; bad input gets a clear error and leaves nothing behind.
. "$TOP/tests/integration/lib.sh"
cd "$TMPDIR"

ping() { "$RPLAT" ping -q -i 100 -s 40,256 "$@" > /dev/null || fail "rplat ping $* exited $?"; }
ping -L sim -l 3000 --label good -o good
ping -L sim:delay=500us -l 600 --label slow -o slow

# ---- report
"$RPLAT" report good -o rep > out.txt || fail "report exited $?"
grep -q 'rep/index.html' out.txt || fail "report did not print the page's path"
for f in index.html report.md plots.gp plots/r0_hist.svg plots/r0_hist.png plots/r0_pct.png plots/r0_time.png \
         plots/r0_stages.png data/r0_time.dat; do
    [ -s "rep/$f" ] || fail "report: rep/$f missing"
done
[ "$(grep -c '<svg' rep/index.html)" -ge 4 ] || fail "expected >= 4 inline SVG plots"
grep -Eiq '<script|<link |<img |src=|@import|url\(http' rep/index.html && fail "index.html refers to external assets"
grep -q 'answered messages: half took less than' rep/index.html || fail "no at-a-glance summary"
grep -q 'Slowest messages' rep/index.html || fail "no outliers"
grep -q 'PREEMPT' rep/index.html || fail "no system section"
grep -o 'plots/[a-z0-9_]*\.png' rep/report.md | while read -r p; do [ -s "rep/$p" ] || fail "report.md links missing $p"; done
ls -d rep.tmp-* 2>/dev/null && fail "a temporary report directory was left behind"

# ---- it renders: a real headless Chromium screenshot, compared with a blank page's
if command -v chromium > /dev/null; then
    echo '<html><body></body></html>' > blank.html
    shot() { timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,3000 \
             --screenshot="$1" "file://$TMPDIR/$2" > /dev/null 2>&1; }
    shot blank.png blank.html || fail "chromium failed on a blank page"
    shot report.png rep/index.html || fail "chromium failed on the report"
    python3 - report.png blank.png <<'PY' || fail "screenshot check"
import struct, sys, zlib
def png(path):
    d = open(path, "rb").read()
    assert d[:8] == b"\x89PNG\r\n\x1a\n", path + ": not a PNG"
    w, h = struct.unpack(">II", d[16:24])
    idat, i = b"", 8
    while i < len(d):
        n, t = struct.unpack(">I4s", d[i:i + 8])
        if t == b"IDAT":
            idat += d[i + 8:i + 8 + n]
        i += 12 + n
    return w, h, len(d), zlib.decompress(idat)
w, h, size, raw = png(sys.argv[1])
bw, bh, bsize, braw = png(sys.argv[2])
print(f"report screenshot {w}x{h}, {size} bytes; blank page {bsize} bytes")
assert (w, h) == (1200, 3000), (w, h)
assert size > 10 * bsize and size > 100000, "the report screenshot looks blank"
# distinct byte values across the decoded image: a blank page has one or two
assert len(set(raw[::97])) > 50, "too few distinct pixel values"
PY
else
    echo "note: chromium not installed, render check skipped"
fi

# ---- budget: passes on the good run, fails on the slow one; JUnit and TAP
cat > budget.txt <<'EOF'
# the sim without delay answers well under 400 us at p50; with delay=500us it cannot
rtt.p50 <= 400us
lost == 0
size 256:
    rtt.max <= 10s
stage.remote_processing.p50 <= 100us
EOF
rc=0; "$RPLAT" budget budget.txt good --junit good.xml > b1.txt || rc=$?
cat b1.txt
[ $rc -eq 0 ] || fail "budget on the good run: exit $rc, expected 0"
rc=0; "$RPLAT" budget budget.txt slow --junit slow.xml > b2.txt || rc=$?
cat b2.txt
[ $rc -eq 1 ] || fail "budget on the slow run: exit $rc, expected 1"
grep -q '^FAIL *rtt.p50 <= 400us' b2.txt || fail "the slow run's p50 should fail"
grep -q '^FAIL *stage.remote_processing.p50 <= 100us' b2.txt || fail "the delay shows in remote_processing"
rc=0; "$RPLAT" budget budget.txt good slow --tap > tap.txt || rc=$?
[ $rc -eq 1 ] || fail "budget over both runs: exit $rc"
grep -q '^1\.\.8$' tap.txt && grep -q '^not ok ' tap.txt && grep -q '^ok ' tap.txt || fail "TAP output: $(cat tap.txt)"
python3 - good.xml slow.xml <<'PY' || fail "JUnit files"
import sys, xml.etree.ElementTree as ET
for path, fails in ((sys.argv[1], 0), (sys.argv[2], 2)):
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites", root.tag
    suites = root.findall("testsuite")
    assert len(suites) == 1
    s = suites[0]
    cases = s.findall("testcase")
    assert len(cases) == 4 == int(s.get("tests")) == int(root.get("tests")), (len(cases), s.get("tests"))
    assert int(s.get("failures")) == fails == int(root.get("failures")), (path, s.get("failures"))
    assert sum(1 for c in cases if c.find("failure") is not None) == fails
    for c in cases:
        assert c.get("name") and c.get("classname", "").startswith("rplat.budget."), c.attrib
        f = c.find("failure")
        if f is not None:
            assert f.get("message") and f.get("type") in ("over-budget", "not-measured"), f.attrib
    names = {p.get("name") for p in s.find("properties")}
    assert {"run", "budget", "kernel", "link"} <= names, names
print("junit ok")
PY
rc=0; "$RPLAT" budget 'rtt.p99 <= 50' good 2> err.txt || rc=$?
[ $rc -eq 2 ] && grep -q '<inline>:1:14: a time needs a unit' err.txt || fail "syntax error: exit $rc, $(cat err.txt)"
printf 'rtt.p99 <= 1ms\nlost = 0\n' > bad.txt
rc=0; "$RPLAT" budget bad.txt good 2> err.txt || rc=$?
[ $rc -eq 2 ] && grep -q 'bad.txt:2:6: use' err.txt || fail "syntax error with line/column: $(cat err.txt)"

# ---- report with a budget: the verdict is in the page, and the exit status says it
rc=0; "$RPLAT" report slow -o rep-slow --budget budget.txt -q || rc=$?
[ $rc -eq 1 ] || fail "report --budget on the slow run: exit $rc, expected 1"
grep -q 'class="fail">FAIL' rep-slow/index.html || fail "budget verdict missing from the report"

# ---- compare: the delay is found, and it is significant
"$RPLAT" compare good slow -o cmp -q || fail "compare exited $?"
grep -q 'p50: B is slower than A' cmp/index.html || fail "compare did not find B slower at p50"
grep -q 'Mann-Whitney' cmp/index.html || fail "no Mann-Whitney statement"
[ "$(grep -c '<svg' cmp/index.html)" -ge 3 ] || fail "compare plots"
grep -q 'slow' cmp/report.md && grep -q 'good' cmp/report.md || fail "labels from the runs' metadata"
# this machine's own answer to "a virtual machine?" (cpuinfo's hypervisor flag, DMI), not rplat's: the runs,
# measured here, say it in run.json, the report and the comparison, or say nothing when it is not one
vm=""
grep -q '^flags.* hypervisor' /proc/cpuinfo && vm="a hypervisor (cpuinfo flag)"
[ -n "$vm" ] || { [ "$(cat /sys/hypervisor/type 2>/dev/null)" != "" ] && vm="$(cat /sys/hypervisor/type) (/sys/hypervisor/type)"; }
[ -n "$vm" ] || { [ -e /sys/firmware/devicetree/base/hypervisor ] && vm="a hypervisor (device tree /hypervisor node)"; }
for w in product_name sys_vendor; do
    v=$(head -n1 /sys/class/dmi/id/$w 2>/dev/null) || continue
    echo "$v" | grep -qE 'QEMU|KVM|VMware|VirtualBox|Xen|Microsoft|Amazon EC2|Google|Firecracker|Parallels|innotek|Bochs|OpenStack' &&
        vm="$(printf '%.40s' "$v") (DMI $w)"
done
[ -e /sys/firmware/devicetree/base/compatible ] && tr '\0' '\n' </sys/firmware/devicetree/base/compatible | grep -qx 'linux,dummy-virt' &&
    vm="QEMU virt (device tree: linux,dummy-virt)"
jassert good/run.json "d['system']['virtual_machine'] == ('$vm' or None)"
if [ -n "$vm" ]; then
    grep -qF "Virtual machine: runs A, B ran in a virtual machine ($vm, the first)" cmp/report.md ||
        fail "compare does not say its runs ran in a virtual machine ($vm)"
    grep -qF "| virtual machine | $vm | $vm |" cmp/report.md || fail "compare's setup has no virtual machine row"
    grep -qF "$vm" rep/report.md || fail "the report does not say the run ran in a virtual machine"
else
    ! grep -q 'Virtual machine:' cmp/report.md || fail "compare calls a machine without a hypervisor a virtual machine"
fi
echo "virtual machine: ${vm:-none seen}"

# ---- merge: N runs merged equal the N runs measured as one, bucket for bucket
for i in 1 2 3; do ping -L sim -l 700 -o "m$i"; done
"$RPLAT" merge m1 m2 m3 -o merged > /dev/null || fail "merge exited $?"
python3 - merged m1 m2 m3 <<'PY' || fail "merged histograms"
import csv, sys
def bucket(v):  # rplat's log-linear buckets (rplat/hist.h): exact below 128 ns, then 64 per octave
    if v < 128:
        return v
    shift = v.bit_length() - 7
    return (v >> shift) + (shift << 6)
def read_hist(path):
    head, buckets = {}, {}
    for line in open(path):
        if line.startswith("#"):
            parts = line[1:].split()
            if len(parts) == 2:
                head[parts[0]] = parts[1]
        elif line.strip():
            lo, hi, n = map(int, line.split("\t"))
            buckets[bucket(lo)] = n
    return head, buckets
def from_samples(paths):
    n, s, b = 0, 0, {}
    vals = []
    for p in paths:
        for r in csv.DictReader(open(p + "/samples.tsv"), delimiter="\t"):
            if r["status"] == "ok":
                v = int(r["rtt"]); vals.append(v)
                b[bucket(v)] = b.get(bucket(v), 0) + 1
    return len(vals), min(vals), max(vals), sum(vals), b
merged, sources = sys.argv[1], sys.argv[2:]
head, buckets = read_hist(merged + "/hist/rtt.hist")
n, mn, mx, s, b = from_samples(sources)
assert int(head["count"]) == n and int(head["min"]) == mn and int(head["max"]) == mx and int(head["sum"]) == s, head
assert buckets == b, "merged buckets differ from the samples measured as one"
n2, _, _, _, b2 = from_samples([merged])
assert (n2, b2) == (n, b), "merged samples.tsv differs"
rows = list(csv.DictReader(open(merged + "/samples.tsv"), delimiter="\t"))
assert sorted({r["run"] for r in rows}) == ["0", "1", "2"]
print(f"merge exact: {n} round trips, {len(b)} buckets")
PY
jassert merged/run.json 'd["kind"]=="merged" and d["counts"]["sent"]==2100 and len(d["sources"])==3'
"$RPLAT" report merged -o rep-merged -q || fail "report of a merged run"
cp -r m1 foreign
python3 - foreign/run.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["link"]["type"] = "rpmsg"; json.dump(d, open(sys.argv[1], "w"))
PY
rc=0; "$RPLAT" merge m1 foreign -o never 2> err.txt || rc=$?
[ $rc -eq 2 ] && grep -q 'link type (sim vs rpmsg)' err.txt || fail "incompatible merge: exit $rc, $(cat err.txt)"
[ ! -e never ] && ! ls -d never.tmp-* 2>/dev/null || fail "a refused merge left files"

# ---- bad input: clear errors naming the file, nothing written
mkdir notarun
rc=0; "$RPLAT" report notarun -o rep-bad 2> err.txt || rc=$?
[ $rc -eq 2 ] && grep -q 'notarun: not a run directory (no run.json)' err.txt || fail "foreign dir: $(cat err.txt)"
cp -r good corrupt
head -c 300 good/samples.tsv > corrupt/samples.tsv
rc=0; "$RPLAT" report corrupt -o rep-bad 2> err.txt || rc=$?
[ $rc -eq 2 ] && grep -q 'corrupt/samples.tsv: line [0-9]*: truncated' err.txt || fail "truncated samples: $(cat err.txt)"
cp -r good partial
rm partial/hist/rtt.hist
rc=0; "$RPLAT" compare good partial -o rep-bad 2> err.txt || rc=$?
[ $rc -eq 2 ] && grep -q 'partial/hist/rtt.hist: missing' err.txt || fail "partial run: $(cat err.txt)"
[ ! -e rep-bad ] && ! ls -d rep-bad.tmp-* 2>/dev/null || fail "a failed report left files"
mkdir precious && touch precious/keep
rc=0; "$RPLAT" report good -o precious 2> err.txt || rc=$?
[ $rc -eq 2 ] && grep -q 'is not an rplat report' err.txt && [ -e precious/keep ] || fail "overwrote a foreign dir"
"$RPLAT" report good -o rep -q || fail "replacing an earlier report failed"
echo "report/compare/budget/merge: ok"
