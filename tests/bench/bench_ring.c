/* Benchmarks of the rplat hooks' ring, host side (printed by tests/bench/bench_stream.sh, never asserted).
 *
 *   bench_ring drain                 host drain rate: records/s one CPU drains (the hooks fill a ring in
 *                                    this process, rplat_ring_drain empties it; both in cache, so an upper
 *                                    bound for a ring in uncached shared memory)
 *   bench_ring stream HZ SECONDS D   the shared-ring side of the streaming comparison: the sim's example
 *                                    firmware (sim fw=echo,stream=HZ) writes one sample mark per period into
 *                                    its ring from a timer; this process drains it D times a second for
 *                                    SECONDS and prints: delivered rate, drops, latency from the sample's
 *                                    stamp to the drain that got it (the sim's true clock, no fit), and the
 *                                    draining thread's CPU time over wall time.
 * Output: one "key value" line per figure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "rplat/hist.h"
#include "rplat/hooks.h"
#include "rplat/ring.h"
#include "rplat/rsc.h"
#include "rplat/simlink.h"
#include "rplat/util.h"

#define NREC 4096u

static uint64_t fake_t;

static uint64_t fake_counter(void *ctx)
{
	(void)ctx;
	return ++fake_t;
}

static int64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int bench_drain(void)
{
	static union {
		uint8_t b[RPLAT_RING_HDR_SIZE + NREC * RPLAT_RING_REC_SIZE];
		uint64_t align;
	} mem;
	static struct rplat_ring_rec out[NREC];
	struct rplat_ring_reader r;
	char err[256];
	int64_t busy = 0, t0;
	uint64_t total = 0;
	size_t n;
	unsigned round, i;

	rplat_hooks_init(mem.b, sizeof(mem.b), 1000000000, 1, fake_counter, NULL);
	if (rplat_ring_attach(&r, mem.b, sizeof(mem.b), err, sizeof(err))) {
		fprintf(stderr, "bench_ring: %s\n", err);
		return 1;
	}
	for (round = 0; round < 2000; round++) {
		for (i = 0; i < NREC; i++)
			rplat_mark(1, i);
		t0 = rplat_now_ns();
		if (rplat_ring_drain(&r, out, NREC, &n, err, sizeof(err)) != RPLAT_RING_OK || n != NREC) {
			fprintf(stderr, "bench_ring: drain: %s (%zu)\n", err, n);
			return 1;
		}
		busy += rplat_now_ns() - t0;
		total += n;
	}
	printf("drain_ns_per_record %.2f\n", (double)busy / (double)total);
	printf("drain_records_per_s %.0f\n", (double)total * 1e9 / (double)busy);
	return 0;
}

static int bench_stream(uint64_t hz, double seconds, double drains_hz)
{
	static struct rplat_ring_rec out[NREC];
	struct rplat_sim_opts o;
	struct rplat_sim_proc p;
	struct rplat_ring_reader r;
	struct rplat_rsc rsc;
	struct rplat_hist lat;
	char err[256];
	uint32_t ring_da = 0, ring_len = 0;
	uint64_t got = 0, v;
	int64_t raw0, mono0, t_end, next, period = (int64_t)(1e9 / drains_hz), cpu0, wall0;
	size_t i, n;
	int rc = 1;

	rplat_sim_opts_init(&o);
	o.fw_echo = 1;
	o.stream_hz = hz;
	if (rplat_sim_spawn(&p, &o, err, sizeof(err))) {
		fprintf(stderr, "bench_ring: %s\n", err);
		return 1;
	}
	if (read(p.to_host, &v, sizeof(v)) != sizeof(v)) { /* "booted" */
		fprintf(stderr, "bench_ring: the sim did not boot\n");
		goto out;
	}
	if (rplat_rsc_parse(&rsc, p.shm, 4096))
		goto out;
	for (i = 0; i < rsc.nentry; i++)
		if (rsc.entry[i].type == RSC_CARVEOUT && !strcmp(rsc.entry[i].name, RPLAT_RING_RSC_NAME)) {
			ring_da = rsc.entry[i].da;
			ring_len = rsc.entry[i].len;
		}
	rplat_rsc_release(&rsc);
	if (!ring_len || rplat_ring_attach(&r, p.shm + (ring_da - o.da), ring_len, err, sizeof(err))) {
		fprintf(stderr, "bench_ring: no ring: %s\n", ring_len ? err : "no carveout");
		goto out;
	}
	rplat_hist_init(&lat);
	raw0 = rplat_now_raw_ns();
	mono0 = rplat_now_ns();
	/* what the ring holds already */
	while (rplat_ring_drain(&r, out, NREC, &n, err, sizeof(err)) == RPLAT_RING_OK && n)
		;
	wall0 = rplat_now_ns();
	cpu0 = thread_cpu_ns();
	t_end = wall0 + (int64_t)(seconds * 1e9);
	next = wall0 + period;
	while (rplat_now_ns() < t_end) {
		int64_t now = rplat_now_ns();
		struct timespec ts;

		if (now < next) {
			ts.tv_sec = (next - now) / 1000000000;
			ts.tv_nsec = (next - now) % 1000000000;
			nanosleep(&ts, NULL);
			continue;
		}
		next += period;
		do {
			enum rplat_ring_status st = rplat_ring_drain(&r, out, NREC, &n, err, sizeof(err));
			int64_t t = rplat_now_ns();

			if (st != RPLAT_RING_OK) {
				fprintf(stderr, "bench_ring: %s\n", err);
				goto out;
			}
			for (i = 0; i < n; i++) {
				/* the sample's true host time: raw ns of its stamp, onto CLOCK_MONOTONIC */
				double raw = rplat_sim_raw_at(&o, out[i].t);
				double mono = (double)mono0 + (raw - (double)raw0);

				if (out[i].event != RPLAT_EV_MARK)
					continue;
				rplat_hist_add_signed(&lat, (int64_t)((double)t - mono));
				got++;
			}
		} while (n == NREC);
	}
	{
		double wall = (double)(rplat_now_ns() - wall0), cpu = (double)(thread_cpu_ns() - cpu0);

		printf("configured_hz %llu\n", (unsigned long long)hz);
		printf("drains_hz %.0f\n", drains_hz);
		printf("delivered_hz %.1f\n", (double)got * 1e9 / wall);
		printf("drops %llu\n", (unsigned long long)rplat_ring_drops(&r));
		printf("latency_p50_ns %llu\n", (unsigned long long)rplat_hist_percentile(&lat, 50));
		printf("latency_p99_ns %llu\n", (unsigned long long)rplat_hist_percentile(&lat, 99));
		printf("latency_max_ns %llu\n", (unsigned long long)lat.max);
		printf("cpu_percent %.3f\n", 100.0 * cpu / wall);
	}
	rc = 0;
out:
	rplat_sim_reap(&p);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "drain"))
		return bench_drain();
	if (argc == 5 && !strcmp(argv[1], "stream"))
		return bench_stream(strtoull(argv[2], NULL, 0), atof(argv[3]), atof(argv[4]));
	fprintf(stderr, "usage: bench_ring drain | stream HZ SECONDS DRAINS_HZ\n");
	return 2;
}
