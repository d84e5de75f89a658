#!/bin/bash
# rplat trace benchmarks, printed, never asserted. Usage: tests/bench/bench_trace.sh BUILD
#   1. analysis throughput of a saved capture, events/s (target >= 2 M events/s): a synthetic run of
#      200,000 messages (6 M events), then a live capture
#   2. capture: messages/s the reader keeps up with, events lost (target: >= 50,000 msg/s, 0 lost)
#   3. tracing overhead: traced p50 RTT / untraced p50 RTT, interleaved in the same run (target <= 1.5)
set -u
cd "$(dirname "$0")/../.."
build=${1:-build}
rplat=$build/rplat
out=$(mktemp -d /tmp/rplat-bench-trace.XXXXXX)
trap 'rm -rf "$out"' EXIT
py() { python3 -c "$@"; }

echo "   analysis throughput (target >= 2 M events/s)"
"$rplat" trace synth "$out/synth" --messages 200000 --noise 8 > /dev/null || { echo "   synth failed"; exit 1; }
for round in 1 2 3; do
    t0=$(date +%s.%N)
    "$rplat" trace analyze "$out/synth" -q || { echo "   analyze failed"; exit 1; }
    t1=$(date +%s.%N)
    py 'import json,sys; d=json.load(open(sys.argv[1])); w=float(sys.argv[3])-float(sys.argv[2])
print("   round %s: %.1f M events, %d messages: analysis %.1f M events/s, end to end (load + analyse + write) %.2f M events/s (%.2f s)" % (sys.argv[4], d["events"]/1e6, d["messages"], d["events"]/d["analysis_seconds"]/1e6, d["events"]/w/1e6, w))' \
        "$out/synth/trace/analysis.json" "$t0" "$t1" "$round"
done

if [ "$(id -u)" != 0 ] || ! "$rplat" trace cleanup > /dev/null 2>&1; then
    echo "   (not root or no tracefs: the live capture and overhead figures are skipped)"
    exit 0
fi

echo "   capture: can the reader keep up? (target: the events of >= 50,000 messages/s with 0 lost)"
echo "   The sim's round trip on this machine is too slow to reach that rate, so a writer on CPU0 adds"
echo "   trace markers (\"rplat seq=N\" from another pid: read and decoded like the rest) while rplat traces"
echo "   the sim; the reader runs on CPU1."
cat > "$out/marker.c" <<'EOF_C'
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	int fd = -1;
	long n = 0;
	time_t end;
	cpu_set_t s;
	char buf[40];

	CPU_ZERO(&s);
	CPU_SET(0, &s);
	sched_setaffinity(0, sizeof(s), &s);
	for (int i = 0; i < 100 && fd < 0; i++, usleep(20000))
		fd = open(argv[2], O_WRONLY);
	if (fd < 0)
		return 1;
	end = time(NULL) + atoi(argv[1]);
	while (time(NULL) < end) {
		int len = snprintf(buf, sizeof(buf), "rplat seq=%ld\n", n);

		if (write(fd, buf, (size_t)len) < 0)
			break;
		n++;
	}
	printf("%ld\n", n);
	return 0;
}
EOF_C
${CC:-gcc} -O2 -o "$out/marker" "$out/marker.c"
"$rplat" trace -L sim:cpu=1,fifo=60 -a 1 -p 50 -D 2s -i 100 -q -o "$out/quiet" --reader-cpu 1 --no-analysis \
    > /dev/null 2>&1
"$rplat" trace -L sim:cpu=1,fifo=60 -a 1 -p 50 -D 3s -i 100 -q -o "$out/fast" --reader-cpu 1 --no-analysis \
    > /dev/null 2>&1 &
tpid=$!
marks=$("$out/marker" 2 /sys/kernel/tracing/instances/rplat/trace_marker)
wait $tpid
py 'import json,sys
q=json.load(open(sys.argv[1])); qc=json.load(open(sys.argv[2]))
per_msg=qc["stats"]["events"]/max(q["counts"]["sent"],1)
r=json.load(open(sys.argv[3])); c=json.load(open(sys.argv[4])); s=c["stats"]
secs=(c["stop_ns"]-c["start_ns"])/1e9
peak=(s["events"])/min(secs, 2.0)
print("   a quiet traced run: %.1f events per message" % per_msg)
print("   with the writer: %d events in %.1f s (%s markers written in 2 s), %.2f M events/s during the writer; lost: %d missed, %d overwritten, %d dropped" % (s["events"], secs, sys.argv[5], peak/1e6, s["missed"], s["overrun"], s["dropped"]))
print("   that rate is the events of %.0f messages/s" % (peak/per_msg))
cpu=s.get("reader_cpu_s", 0)
if cpu > 0:
    print("   the reader used %.2f s of CPU for them: it decodes %.2f M events/s per CPU, the events of %.0f messages/s" % (cpu, s["events"]/cpu/1e6, s["events"]/cpu/per_msg))' \
    "$out/quiet/run.json" "$out/quiet/trace/capture.json" "$out/fast/run.json" "$out/fast/trace/capture.json" "$marks"
t0=$(date +%s.%N)
"$rplat" trace analyze "$out/fast" -q
t1=$(date +%s.%N)
py 'import json,sys; d=json.load(open(sys.argv[1])); w=float(sys.argv[3])-float(sys.argv[2])
print("   its analysis: %.2f M events, matched %.2f%%, %.1f M events/s (analysis), %.2f M events/s end to end" % (d["events"]/1e6, d["match_rate"]*100, d["events"]/d["analysis_seconds"]/1e6, d["events"]/w/1e6))' \
    "$out/fast/trace/analysis.json" "$t0" "$t1"

echo "   tracing overhead: p50 RTT traced / untraced, interleaved rounds (target <= 1.5)"
for spec in "sim:cpu=1,fifo=60 -a 0 -p 50 -i 100" "sim:cpu=1,fifo=60 -a 0 -p 50 -i 100 --uprobes"; do
    for round in 1 2 3; do
        # shellcheck disable=SC2086
        "$rplat" ping -L ${spec% --uprobes} -l 20000 -q --no-samples -o "$out/u$round" > /dev/null 2>&1
        # shellcheck disable=SC2086
        "$rplat" trace -L $spec -l 20000 -q -o "$out/t$round" --reader-cpu 1 --no-analysis > /dev/null 2>&1
        py 'import json,sys; u=json.load(open(sys.argv[1]))["summary"]["rtt"]; t=json.load(open(sys.argv[2]))["summary"]["rtt"]
print("   %-46s round %s: untraced p50 %6.2f us, traced p50 %6.2f us, ratio %.2f" % (sys.argv[3], sys.argv[4], u["p50"]/1e3, t["p50"]/1e3, t["p50"]/u["p50"]))' \
            "$out/u$round/run.json" "$out/t$round/run.json" "$spec" "$round"
        rm -rf "$out/u$round" "$out/t$round"
    done
done
