#!/bin/bash
# make bench: every benchmark, printed, never asserted. Targets are stated next to each figure.
# Usage: tests/bench/run.sh BUILD
set -u
cd "$(dirname "$0")/../.."
build=${1:-build}
rplat=$build/rplat
out=$(mktemp -d /tmp/rplat-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT
. tests/tracefs-mount.sh
cc=${CC:-gcc}
inc="-Iprobe-fw/include -Iprobe-fw/core -Iprobe-fw/targets/host -Ihost-tools/include"

echo "== RTT overhead: rplat ping on the sim link vs a bare eventfd + shared-memory ping-pong"
echo "   (same CPUs 0 and 1, cpu_dma_latency held at 0, same run; target ratio <= 1.10)"
$cc -O2 -Wall -o "$out/pingpong" tests/bench/bench_pingpong.c
for round in 1 2 3; do
    read -r base_p50 base_p99 < <("$out/pingpong" 20000 0 1)
    "$rplat" ping -L sim:cpu=1 -a 0 -l 20000 -i 0 -q --no-samples -o "$out/ping$round" >/dev/null
    p50=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["rtt"]["p50"])' "$out/ping$round/run.json")
    python3 -c 'import sys; b,p=float(sys.argv[1]),float(sys.argv[2]); print(f"   round {sys.argv[3]}: baseline p50 {b/1e3:.2f} us, rplat ping p50 {p/1e3:.2f} us, ratio {p/b:.3f}")' \
        "$base_p50" "$p50" "$round"
done

echo "== Histogram cost, RSS after 1e8 samples, clock correlation vs truth (targets: <= 5 ns/sample, <= 16 MiB)"
$cc -O2 $inc -o "$out/bench_hist" tests/bench/bench_hist.c host-tools/lib/hist.c host-tools/lib/clocksync.c -lm
"$out/bench_hist"

echo "== Clock correlation on the live sim link (error against the sim's true mapping)"
for drift in 0 10 100 500; do
    "$rplat" ping -L "sim:spin,cpu=1,drift=${drift}ppm,offset=3s" -a 0 -l 5000 -i 200 -q --no-samples \
        -o "$out/clk$drift" >/dev/null
    python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["clock"]; t=c["sim_truth"]
print("   drift %3s ppm: estimated %+.2f ppm, error p50 %d ns, p99 %d ns, max %d ns, bound %.0f ns" % (sys.argv[2], c["drift_ppm"], t["p50_ns"], t["p99_ns"], t["max_ns"], c["err_bound_ns"]))' \
        "$out/clk$drift/run.json" "$drift"
done

for b in tests/bench/*.sh; do
    # bench_vboard_arm64.sh is the one-off arm64-vs-x86_64 measurement (README), not part of make bench
    case $b in */run.sh | */bench_vboard_arm64.sh) continue ;; esac
    echo "== $(basename "$b")"
    bash "$b" "$build" || echo "   ($(basename "$b") failed: exit $?)"
done
