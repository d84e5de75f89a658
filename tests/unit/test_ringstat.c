/* Unit tests for the shared-ring drain measurement (host-tools/lib/ringstat.c): an in-process producer
 * thread marks samples into a hooks ring with a counter that is a known function of CLOCK_MONOTONIC
 * (drift and offset), and rplat_ringstat_run drains it. The drains' own clock fit must hold its bound
 * against that truth, the latency must be the drain period's, and a reader too slow for the ring must
 * count the producer's drops. Timing-based, with margins far wider than scheduling noise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <pthread.h>
#include <time.h>
#include <cmocka.h>

#include "rplat/hooks.h"
#include "rplat/ring.h"
#include "rplat/ringstat.h"
#include "rplat/util.h"

#define HZ 100000000.0 /* 100 MHz */
#define DRIFT 80e-6
#define OFFSET 5e9     /* ticks */

static union {
	uint8_t b[RPLAT_RING_HDR_SIZE + 1024 * RPLAT_RING_REC_SIZE];
	uint64_t align;
} mem;
static volatile int stop_producer;
static int64_t period_ns;

static uint64_t counter(void *ctx)
{
	(void)ctx;
	return (uint64_t)llround(OFFSET + (double)rplat_now_ns() * HZ / 1e9 * (1 + DRIFT));
}

static double true_ns(void *ctx, uint64_t ticks)
{
	(void)ctx;
	return ((double)ticks - OFFSET) / (HZ / 1e9 * (1 + DRIFT));
}

static void *producer(void *arg)
{
	uint32_t n = 0;
	struct timespec ts = { 0, 0 };

	(void)arg;
	while (!stop_producer) {
		rplat_mark(2, n++);
		if (n % 8 == 0)
			rplat_mark(1, n); /* not a sample */
		ts.tv_nsec = period_ns;
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static void run(struct rplat_ringstat *s, int64_t sample_ns, double drains_hz, int truth)
{
	struct rplat_ring_reader r;
	struct rplat_ringstat_opts o = { .duration_ns = 600000000, .drains_hz = drains_hz, .mark_id = 2,
					 .true_ns = truth ? true_ns : NULL };
	char err[256];
	pthread_t th;

	memset(&mem, 0, sizeof(mem));
	assert_int_not_equal(rplat_hooks_init(mem.b, sizeof(mem.b), (uint64_t)HZ, 7, counter, NULL), 0);
	assert_int_equal(rplat_ring_attach(&r, mem.b, sizeof(mem.b), err, sizeof(err)), 0);
	stop_producer = 0;
	period_ns = sample_ns;
	assert_int_equal(pthread_create(&th, NULL, producer, NULL), 0);
	assert_int_equal(rplat_ringstat_run(&r, &o, s), 0);
	stop_producer = 1;
	pthread_join(th, NULL);
	print_message("      %llu samples, %llu other, %llu drops, %llu drains; latency p50 %llu max %llu ns; "
		      "fit %s +-%.0f ns, truth %.0f ns\n", (unsigned long long)s->samples,
		      (unsigned long long)s->other, (unsigned long long)s->drops, (unsigned long long)s->drains,
		      (unsigned long long)rplat_hist_percentile(&s->lat, 50), (unsigned long long)s->lat.max,
		      s->fit.valid ? "valid" : "none", s->fit.err_ns, s->truth_max_err_ns);
}

/* the drains' fit against the truth: every sample's mapped stamp within the bound */
static void test_fit_within_bound(void **state)
{
	static struct rplat_ringstat s;

	(void)state;
	run(&s, 200000, 50, 1);
	assert_false(s.ended_early);
	assert_true(s.samples > 500 && s.other > 50);
	assert_int_equal(s.drops, 0);
	assert_true(s.fit.valid);
	assert_true(s.truth_max_err_ns >= 0 && s.truth_max_err_ns <= s.fit.err_ns);
	assert_true(fabs(s.fit.drift_ppm - DRIFT * 1e6) < 2000); /* a 0.6 s span at a ~200 us bound */
	/* drained 50 times a second: no sample waits much beyond a period */
	assert_true(rplat_hist_percentile(&s.lat, 50) < 20000000);
	assert_int_equal(s.lat.count, s.samples);
}

/* without the truth, the latency comes from the fit: the same order as the drain period, never the
 * huge offset of an unmapped counter */
static void test_latency_from_fit(void **state)
{
	static struct rplat_ringstat s;

	(void)state;
	run(&s, 200000, 50, 0);
	assert_true(s.fitted && !s.relative);
	assert_true(s.lat.count == s.samples && s.samples > 500);
	assert_true(rplat_hist_percentile(&s.lat, 50) < 20000000);
	assert_true(s.lat.max < 200000000);
	/* a sample read just after its stamp can map a little after its drain (within the bound): few */
	assert_true(s.lat.underflow < s.samples / 4);
}

/* one drain a second behind a fast producer: the 1024-record ring fills, the producer counts drops */
static void test_slow_reader_drops(void **state)
{
	static struct rplat_ringstat s;

	(void)state;
	run(&s, 20000, 1, 0);
	assert_true(s.drops > 0);
	assert_true(s.samples > 0 && s.samples < 2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fit_within_bound),
		cmocka_unit_test(test_latency_from_fit),
		cmocka_unit_test(test_slow_reader_drops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
