#!/bin/bash
# Benchmarks of the reports (printed, never asserted):
#   - rplat report on a run of 1e7 samples (target < 5 s): a real 20,000-message sim run, repeated 500 times
#     into one run of 1e7 samples (rplat merge), then reported;
#   - rplat merge of 100 runs; rplat compare and rplat budget on the 1e7-sample run.
# Usage: tests/bench/bench_report.sh BUILD    (needs ~2 GB free in $TMPDIR for the 1e7-sample samples.tsv)
set -u
build=${1:-build}
rplat=$(readlink -f "$build/rplat")
out=$(mktemp -d "${TMPDIR:-/tmp}/rplat-bench-report.XXXXXX")
trap 'rm -rf "$out"' EXIT
cd "$out"
secs() { python3 -c 'import sys; print(f"{(int(sys.argv[2]) - int(sys.argv[1])) / 1e9:.2f}")' "$1" "$2"; }

"$rplat" ping -L sim -l 20000 -i 0 -s 40,256 -q -o base > /dev/null || { echo "   ping failed"; exit 1; }
# merge refuses one measurement twice: 500 stand-ins for repeats, each base's hist/ and samples.tsv linked and
# its run.json given its own start time (a synthetic repeat, for timing only)
for i in $(seq 500); do
    mkdir "rep$i" && ln -s ../base/hist "rep$i/hist" && ln -s ../base/samples.tsv "rep$i/samples.tsv"
    python3 -c 'import json, sys; d = json.load(open("base/run.json")); d["start_time"] += "+%s" % sys.argv[1]
json.dump(d, open(sys.argv[2], "w"))' "$i" "rep$i/run.json"
done
runs=$(for i in $(seq 500); do echo "rep$i"; done)
t0=$(date +%s%N)
"$rplat" merge $runs -o big -q || exit 1
t1=$(date +%s%N)
n=$(python3 -c 'import json; print(json.load(open("big/run.json"))["summary"]["rtt"]["count"])')
size=$(du -m big/samples.tsv | cut -f1)
echo "   merge of 500 runs into $n samples ($size MB of samples.tsv): $(secs $t0 $t1) s"

t0=$(date +%s%N)
"$rplat" report big -o rep -q || exit 1
t1=$(date +%s%N)
echo "   report of a run of $n samples: $(secs $t0 $t1) s (target < 5 s)"
t0=$(date +%s%N)
"$rplat" report big -o rep2 -q --no-png || exit 1
t1=$(date +%s%N)
echo "   the same, SVG only (--no-png): $(secs $t0 $t1) s"

runs=$(for i in $(seq 100); do echo "rep$i"; done)
t0=$(date +%s%N)
"$rplat" merge $runs -o m100 -q || exit 1
t1=$(date +%s%N)
echo "   merge of 100 runs of 20,000 samples (2e6 samples, histograms and samples.tsv): $(secs $t0 $t1) s"

t0=$(date +%s%N)
"$rplat" compare base big -o cmp -q || exit 1
t1=$(date +%s%N)
echo "   compare 2e4 vs 1e7 samples (bootstrap 3 x 2000 replicates, Mann-Whitney): $(secs $t0 $t1) s"
t0=$(date +%s%N)
"$rplat" budget 'rtt.p99.9 <= 1s; rtt@*.p99 <= 1s; lost == 0' big -q
t1=$(date +%s%N)
echo "   budget on the 1e7-sample run: $(secs $t0 $t1) s"
