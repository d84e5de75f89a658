/* Benchmark: histogram recording cost and memory, and clock-correlation error against a known truth.
 * Prints results only; never asserts (targets: <= 5 ns/sample, <= 16 MiB RSS after 1e8 samples).
 *
 *   gcc -O2 -Iprobe-fw/include -Ihost-tools/include tests/bench/bench_hist.c build/librplat.a -lm
 *   gcc -O2 -Iprobe-fw/include -Ihost-tools/include tests/bench/bench_hist.c \
 *       host-tools/lib/hist.c host-tools/lib/clocksync.c -lm
 *
 * Usage: bench_hist [SAMPLES]   (default 1e8) */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rplat/clocksync.h"
#include "rplat/hist.h"

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static double rnd01(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return ((double)((x * 0x2545f4914f6cdd1dull) >> 11) + 0.5) / 9007199254740992.0;
}

static double rexp(double mean) { return -mean * log(rnd01()); }

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* "VmRSS:   1234 kB" -> kB, or -1 */
static long status_kb(const char *key)
{
	char line[256];
	long kb = -1;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, n) == 0 && line[n] == ':')
			kb = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return kb;
}

static void bench_record(uint64_t n)
{
	enum { NV = 1 << 16 };
	uint64_t *v = malloc(NV * sizeof(*v));
	struct rplat_hist *h = malloc(sizeof(*h)), *m = malloc(sizeof(*m));
	struct rplat_stats s;
	double t0, t1, t2, t3;

	/* latency-like values: 15 us +- exponential, 1% heavy tail */
	for (int i = 0; i < NV; i++)
		v[i] = (uint64_t)(15000 + rexp(2000) + (rnd01() < 0.01 ? rexp(500000) : 0));
	rplat_hist_init(h);
	t0 = now_s();
	for (uint64_t i = 0; i < n; i++)
		rplat_hist_add(h, v[i & (NV - 1)]);
	t1 = now_s();
	rplat_hist_init(m);
	for (int i = 0; i < 1000; i++)
		rplat_hist_merge(m, h);
	t2 = now_s();
	for (int i = 0; i < 1000; i++)
		rplat_hist_stats(h, &s);
	t3 = now_s();
	printf("# histogram (sub_bits %d, %d buckets, %zu bytes per histogram)\n", RPLAT_HIST_SUB_BITS,
	       RPLAT_HIST_NBUCKETS, sizeof(*h));
	printf("record_ns_per_sample\t%.2f\t(%llu samples, target <= 5)\n", (t1 - t0) * 1e9 / (double)n,
	       (unsigned long long)n);
	printf("merge_us\t%.2f\n", (t2 - t1) * 1e6 / 1000);
	printf("stats_us\t%.2f\t(min/avg/max/stddev and 5 percentiles)\n", (t3 - t2) * 1e6 / 1000);
	printf("vm_rss_kib\t%ld\t(after %llu samples, target <= 16384)\n", status_kb("VmRSS"),
	       (unsigned long long)n);
	printf("vm_hwm_kib\t%ld\n", status_kb("VmHWM"));
	printf("check\tcount %llu p50 %llu p99 %llu p99.99 %llu max %llu ns\n", (unsigned long long)s.count,
	       (unsigned long long)s.p50, (unsigned long long)s.p99, (unsigned long long)s.p9999,
	       (unsigned long long)s.max);
	free(v);
	free(h);
	free(m);
}

/* A simulated link with a known true mapping (see tests/unit/test_clocksync.c): 400 MHz counter with
 * the given drift, large offsets, one-way minimums 3 us / 2 us, 1 us mean exponential queueing per way,
 * 1% stalls of 50 us mean, 20 us remote processing, one ping per ms. */
struct link {
	double hz, drift;
	long double t0, x0, t;
};

static long double true_host(const struct link *l, uint64_t x)
{
	return l->t0 + ((long double)x - l->x0) * 1e9L / ((long double)l->hz * (1.0L + l->drift / 1e6L));
}

static uint64_t true_ticks(const struct link *l, long double host)
{
	return (uint64_t)floorl(l->x0 + (host - l->t0) * (long double)l->hz * (1.0L + l->drift / 1e6L) / 1e9L);
}

static double way(double min)
{
	return min + rexp(1000) + (rnd01() < 0.01 ? rexp(50000) : 0);
}

static void link_sample(struct link *l, struct rplat_clk_sample *s)
{
	long double kick = l->t + way(3000), reply = kick + 20000 + rexp(200), recv = reply + way(2000);

	s->host_send = (int64_t)floorl(l->t);
	s->r_kick = true_ticks(l, kick);
	s->r_reply = true_ticks(l, reply);
	s->host_recv = (int64_t)ceill(recv);
	l->t += 1e6L;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void bench_clock(double drift, size_t n)
{
	struct link l = { 400e6, drift, 12345678901234.0L, 9876543210987.0L, 0 };
	struct rplat_clk *c = malloc(sizeof(*c));
	struct rplat_clk_fit fit;
	struct rplat_clk_sample *s = malloc(n * sizeof(*s));
	double *err = malloc(n * sizeof(*err)), t0, t1, t2;

	l.t = l.t0 + 1e9L;
	for (size_t i = 0; i < n; i++)
		link_sample(&l, &s[i]);
	rplat_clk_init(c, l.hz);
	t0 = now_s();
	for (size_t i = 0; i < n; i++)
		rplat_clk_add(c, &s[i]);
	t1 = now_s();
	rplat_clk_fit(c, &fit);
	t2 = now_s();
	/* fresh noise over the same span */
	l.t = l.t0 + 1e9L;
	for (size_t i = 0; i < n; i++) {
		struct rplat_clk_sample e;

		link_sample(&l, &e);
		err[i] = fabs(rplat_clk_map(&fit, e.r_kick) - (double)true_host(&l, e.r_kick));
	}
	qsort(err, n, sizeof(*err), cmp_double);
	printf("%.0f\t%zu\t%zu\t%.1f\t%.1f\t%.1f\t%.1f\t%.4f\t%.1f\t%.0f\n", drift, n, fit.windows, err[n / 2],
	       err[(size_t)(n * 0.99)], err[n - 1], fit.err_ns, fit.drift_ppm - drift, (t1 - t0) * 1e9 / n, (t2 - t1) * 1e6);
	free(s);
	free(err);
	free(c);
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 100000000ull;
	static const double drifts[] = { 0, 10, 100, 500 };

	bench_record(n ? n : 1);
	printf("# clock correlation: |mapped - true| at every kick stamp, ns (400 MHz, min one-way 3/2 us,\n"
	       "# 1 us mean queueing, 1%% stalls of 50 us, 1 ping/ms)\n");
	printf("# drift_ppm\tsamples\twindows\tp50_ns\tp99_ns\tmax_ns\tbound_ns\tdrift_err_ppm\tns_per_add\tfit_us\n");
	for (size_t i = 0; i < sizeof(drifts) / sizeof(drifts[0]); i++) {
		bench_clock(drifts[i], 10000);
		bench_clock(drifts[i], 1000000);
	}
	return 0;
}
