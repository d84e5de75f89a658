/* Unit tests for clock correlation (host-tools/lib/clocksync.c) on a synthetic link with a known true
 * mapping: drift, offset, large counter and host values, exponential queueing noise with rare long
 * stalls, and asymmetric minimum one-way delays; and the error bound against the truth over many seeds,
 * with one-sided, heavy-tailed, bursty host delays, on short and long spans. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "rplat/clocksync.h"

static uint64_t rng_state = 0x853c49e6748fea9bull;

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

/* A simulated link. The remote counter runs at hz * (1 + drift_ppm/1e6) and reads x0 at host time t0. */
struct link {
	double hz, drift_ppm;
	long double t0, x0;
	double min_h2r, min_r2h; /* minimum one-way delays, ns */
	double noise;            /* mean of the exponential queueing delay added to each way, ns */
	double stall_p, stall;   /* probability and mean of a long stall (scheduling, IRQ storm) */
	double proc;             /* remote processing, ns */
	long double t;           /* host time of the next send */
	double interval;
};

static long double true_host(const struct link *l, uint64_t x)
{
	return l->t0 + ((long double)x - l->x0) * 1e9L / ((long double)l->hz * (1.0L + l->drift_ppm / 1e6L));
}

static uint64_t true_ticks(const struct link *l, long double host)
{
	return (uint64_t)floorl(l->x0 + (host - l->t0) * (long double)l->hz * (1.0L + l->drift_ppm / 1e6L) / 1e9L);
}

static double way_delay(const struct link *l, double min)
{
	double d = min + rexp(l->noise);

	if (rnd01() < l->stall_p)
		d += rexp(l->stall);
	return d;
}

static void link_sample(struct link *l, struct rplat_clk_sample *s)
{
	long double kick = l->t + way_delay(l, l->min_h2r);
	long double reply = kick + l->proc + rexp(200);
	long double recv = reply + way_delay(l, l->min_r2h);

	s->host_send = (int64_t)floorl(l->t);
	s->r_kick = true_ticks(l, kick);
	s->r_reply = true_ticks(l, reply);
	s->host_recv = (int64_t)ceill(recv);
	l->t += l->interval;
}

static void link_init(struct link *l, double hz, double drift_ppm)
{
	memset(l, 0, sizeof(*l));
	l->hz = hz;
	l->drift_ppm = drift_ppm;
	l->t0 = 12345678901234.0L; /* ~3.4 h of uptime, ns */
	l->x0 = 9876543210987.0L;  /* a counter far from zero */
	l->t = l->t0 + 1e9L;
	l->min_h2r = 3000;
	l->min_r2h = 2000;
	l->noise = 1000;
	l->stall_p = 0.01;
	l->stall = 50000;
	l->proc = 20000;
	l->interval = 1e6; /* 1 ms */
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct result {
	double p50, p99, max; /* |mapped - true|, ns */
	double err_ns, drift_err_ppm;
	size_t windows;
};

/* Feed n samples, fit, and measure the mapping error at every kick and reply stamp of a second pass over
 * the same span (fresh noise). */
static void run(struct link *l, size_t n, struct result *res)
{
	struct rplat_clk *c = malloc(sizeof(*c));
	struct rplat_clk_fit fit;
	struct rplat_clk_sample s;
	long double start = l->t;
	double *err = malloc(2 * n * sizeof(*err));
	size_t m = 0;

	rplat_clk_init(c, l->hz);
	for (size_t i = 0; i < n; i++) {
		link_sample(l, &s);
		rplat_clk_add(c, &s);
	}
	assert_int_equal(rplat_clk_fit(c, &fit), 0);
	assert_true(fit.valid);
	l->t = start;
	for (size_t i = 0; i < n; i++) {
		link_sample(l, &s);
		err[m++] = fabs(rplat_clk_map(&fit, s.r_kick) - (double)true_host(l, s.r_kick));
		err[m++] = fabs(rplat_clk_map(&fit, s.r_reply) - (double)true_host(l, s.r_reply));
	}
	qsort(err, m, sizeof(*err), cmp_double);
	res->p50 = err[m / 2];
	res->p99 = err[(size_t)(m * 0.99)];
	res->max = err[m - 1];
	res->err_ns = fit.err_ns;
	res->drift_err_ppm = fit.drift_ppm - l->drift_ppm;
	res->windows = fit.windows;
	free(err);
	free(c);
}

static void test_too_few(void **state)
{
	struct rplat_clk c;
	struct rplat_clk_fit fit;
	struct rplat_clk_sample s = { 1000, 2000, 10, 20 };

	(void)state;
	rplat_clk_init(&c, 200e6);
	assert_int_equal(rplat_clk_fit(&c, &fit), -1);
	assert_false(fit.valid);
	assert_true(rplat_clk_ticks_to_ns(&fit, 200) == 1000.0); /* nominal rate */
	rplat_clk_add(&c, &s);
	assert_int_equal(rplat_clk_fit(&c, &fit), -1);
	/* nonsense samples are ignored */
	s.host_recv = 0;
	rplat_clk_add(&c, &s);
	assert_int_equal(c.nwin, 1);
}

/* clock.method names the line the fit drew: the envelope's over a span long enough to show a slope, the
 * nominal-rate line under 100 us (the first message of a short observe), none without two exchanges */
static void test_method_named(void **state)
{
	struct rplat_clk *c = malloc(sizeof(*c));
	struct rplat_clk_fit fit;
	struct rplat_clk_sample s;
	struct link l;

	(void)state;
	assert_non_null(c);
	rplat_clk_init(c, 200e6);
	rplat_clk_fit(c, &fit);
	assert_string_equal(rplat_clk_method(&fit), "no fit (fewer than two exchanges bound the clock)");

	link_init(&l, 200e6, 25);
	l.interval = 20e3; /* 4 exchanges 20 us apart: a 60 us span */
	for (int i = 0; i < 4; i++) {
		link_sample(&l, &s);
		rplat_clk_add(c, &s);
	}
	assert_int_equal(rplat_clk_fit(c, &fit), 0);
	assert_string_equal(rplat_clk_method(&fit), RPLAT_CLK_METHOD_NOMINAL);
	assert_true(fit.ns_per_tick == 5.0); /* the nominal rate, not a fitted one */

	rplat_clk_init(c, 200e6);
	link_init(&l, 200e6, 25);
	for (int i = 0; i < 200; i++) { /* 200 ms */
		link_sample(&l, &s);
		rplat_clk_add(c, &s);
	}
	assert_int_equal(rplat_clk_fit(c, &fit), 0);
	assert_string_equal(rplat_clk_method(&fit), RPLAT_CLK_METHOD);
	assert_true(fit.ns_per_tick != 5.0);
	free(c);
}

static void test_exact_no_noise(void **state)
{
	struct link l;
	struct result r;

	(void)state;
	link_init(&l, 400e6, 100);
	l.noise = 1;
	l.stall_p = 0;
	l.min_h2r = l.min_r2h = 1000;
	run(&l, 2000, &r);
	assert_true(fabs(r.drift_err_ppm) < 0.01);
	assert_true(r.max <= r.err_ns);
	assert_true(r.max < 50);
}

/* Sweep drift and seeds; the error must stay within the reported bound, and within 1 us at p99 for these
 * realistic delays (min 3 us / 2 us, 1 us mean queueing, 1% stalls of 50 us). */
static void test_drift_sweep(void **state)
{
	static const double drifts[] = { -200, -100, -10, 0, 0.5, 10, 100, 200 };
	static const double rates[] = { 400e6, 200e6, 32768 * 1024.0 };

	(void)state;
	for (size_t d = 0; d < sizeof(drifts) / sizeof(drifts[0]); d++) {
		for (size_t k = 0; k < sizeof(rates) / sizeof(rates[0]); k++) {
			struct link l;
			struct result r;

			link_init(&l, rates[k], drifts[d]);
			run(&l, 10000, &r);
			if (!(r.max <= r.err_ns) || !(r.p99 < 1000) || !(fabs(r.drift_err_ppm) < 0.5))
				fail_msg("drift %g ppm at %g Hz: p50 %.0f p99 %.0f max %.0f ns, bound %.0f ns, "
					 "drift error %.4f ppm", drifts[d], rates[k], r.p50, r.p99, r.max, r.err_ns,
					 r.drift_err_ppm);
		}
	}
}

/* Asymmetric minimums: the error is then about half the asymmetry, and still within the bound. */
static void test_asymmetric(void **state)
{
	struct link l;
	struct result r;

	(void)state;
	link_init(&l, 400e6, 100);
	l.min_h2r = 8000;
	l.min_r2h = 2000;
	run(&l, 10000, &r);
	assert_true(r.max <= r.err_ns);
	assert_true(fabs(r.p50 - 3000) < 500);
	assert_true(r.err_ns < 6000);
}

/* Heavy noise (mean queueing 20 us, 10% stalls of 500 us): window minimums still find the envelope. */
static void test_heavy_noise(void **state)
{
	struct link l;
	struct result r;

	(void)state;
	link_init(&l, 400e6, -150);
	l.noise = 20000;
	l.stall_p = 0.1;
	l.stall = 500000;
	run(&l, 20000, &r);
	assert_true(r.max <= r.err_ns);
	assert_true(fabs(r.drift_err_ppm) < 1);
	assert_true(r.p99 < 5000);
}

/* Memory stays constant: a long run keeps at most RPLAT_CLK_MAX_WINDOWS windows and still fits well. */
static void test_windows_bounded(void **state)
{
	struct link l;
	struct result r;

	(void)state;
	link_init(&l, 200e6, 500);
	l.interval = 50000;
	run(&l, 300000, &r);
	assert_true(r.windows <= RPLAT_CLK_MAX_WINDOWS);
	assert_true(r.windows >= RPLAT_CLK_MAX_WINDOWS / 2);
	assert_true(r.max <= r.err_ns);
	assert_true(r.p99 < 1000);
	assert_true(fabs(r.drift_err_ppm) < 0.1);
}

/* A short run (a few samples, all close together): valid, nominal-ish slope, bound still holds. */
static void test_short_run(void **state)
{
	struct link l;
	struct result r;

	(void)state;
	link_init(&l, 400e6, 50);
	run(&l, 5, &r);
	assert_true(r.max <= r.err_ns);
	link_init(&l, 400e6, 50);
	l.interval = 10; /* all within ~50 us: the slope cannot be seen */
	run(&l, 5, &r);
	assert_true(r.max <= r.err_ns);
}

/* A stamp that contradicts the others (the kick stamped 50 us before its send) crosses the bounds: the
 * fit stays valid, and the bound grows to cover the contradiction. */
static void test_crossed_bounds(void **state)
{
	struct link l;
	struct rplat_clk c;
	struct rplat_clk_fit fit;
	struct rplat_clk_sample s;
	double err0;

	(void)state;
	link_init(&l, 400e6, 20);
	rplat_clk_init(&c, l.hz);
	for (int i = 0; i < 400; i++) {
		link_sample(&l, &s);
		rplat_clk_add(&c, &s);
	}
	assert_int_equal(rplat_clk_fit(&c, &fit), 0);
	assert_false(fit.crossed);
	err0 = fit.err_ns;
	link_sample(&l, &s);
	s.r_kick -= 20000; /* 50 us at 400 MHz */
	s.r_reply -= 20000;
	rplat_clk_add(&c, &s);
	assert_int_equal(rplat_clk_fit(&c, &fit), 0);
	assert_true(fit.valid);
	assert_true(fit.crossed); /* the bound is an estimate now, and the fit says so */
	assert_true(fit.err_ns > err0 + 10000);
	assert_true(fabs(rplat_clk_map(&fit, s.r_kick + 20000) - (double)true_host(&l, s.r_kick + 20000)) <=
		    fit.err_ns);
}

static void test_ticks_to_ns(void **state)
{
	struct link l;
	struct rplat_clk c;
	struct rplat_clk_fit fit;
	struct rplat_clk_sample s;

	(void)state;
	link_init(&l, 400e6, 100);
	rplat_clk_init(&c, l.hz);
	for (int i = 0; i < 5000; i++) {
		link_sample(&l, &s);
		rplat_clk_add(&c, &s);
	}
	assert_int_equal(rplat_clk_fit(&c, &fit), 0);
	/* 400e6 ticks at +100 ppm last 1 s / 1.0001 */
	assert_true(fabs(rplat_clk_ticks_to_ns(&fit, 400000000) - 1e9 / 1.0001) < 100);
	assert_true(fabs(fit.hz_est - 400e6 * 1.0001) < 100);
	assert_true(fabs(fit.drift_ppm - 100) < 0.25);
}

/* A loaded host, as the error bound must survive it: every delay only ever adds (one-sided); the send
 * side pays a small syscall cost with a rare heavy (Pareto) tail; the reader's wakeup is mostly small,
 * often a few us, sometimes tens; and the host goes through busy spells (two states, ~100 ms each on
 * average) in which the reader wakes ~30 us late on average. Bursts are what tilt a short fit's midpoints:
 * the old bound (residual spread as if independent) was below the real error on 10% of 0.35 s fits. */
struct loaded {
	struct link l;
	int busy;
	double dwell_s, busy_mean;
};

static double pareto_tail(double p, double scale)
{
	return rnd01() < p ? scale * (pow(rnd01(), -1.0 / 1.5) - 1.0) : 0;
}

static void loaded_sample(struct loaded *h, struct rplat_clk_sample *s)
{
	struct link *l = &h->l;
	long double kick, reply, recv;

	if (rnd01() < l->interval / 1e9 / h->dwell_s)
		h->busy = !h->busy;
	kick = l->t + l->min_h2r + rexp(300) + pareto_tail(0.05, 2000);
	reply = kick + l->proc + rexp(200);
	recv = reply + l->min_r2h + rexp(3000) + pareto_tail(0.1, 5000) + (h->busy ? rexp(h->busy_mean) : 0);
	s->host_send = (int64_t)floorl(l->t);
	s->r_kick = true_ticks(l, kick);
	s->r_reply = true_ticks(l, reply);
	s->host_recv = (int64_t)ceill(recv);
	l->t += l->interval;
}

struct coverage {
	int fits, over;       /* fits, and those whose worst mapped stamp is off by more than their bound */
	double worst;         /* the largest (max error / bound) */
	double ratio_p50;     /* the median of bound / (min_h2r + min_r2h) / 2, the bound's floor */
	double ratio_max;
	double err_bound_p50; /* the median of max error / bound */
	double err_p50, err_max; /* the fits' worst mapped stamp: median and largest, ns */
};

/* 'seeds' fits of n exchanges over span_s seconds, each with its own seed, drift and offset; every kick
 * and reply stamp fed to the fit is mapped and compared with the truth. */
static void coverage_run(size_t seeds, size_t n, double span_s, double busy_mean, struct coverage *cv)
{
	struct rplat_clk *c = malloc(sizeof(*c));
	struct rplat_clk_sample *smp = malloc(n * sizeof(*smp));
	double *ratio = malloc(seeds * sizeof(*ratio)), *eb = malloc(seeds * sizeof(*eb));
	double *em = malloc(seeds * sizeof(*em));

	assert_non_null(c);
	assert_non_null(smp);
	assert_non_null(ratio);
	assert_non_null(eb);
	assert_non_null(em);
	memset(cv, 0, sizeof(*cv));
	for (size_t k = 0; k < seeds; k++) {
		struct loaded h;
		struct rplat_clk_fit fit;
		double max = 0;

		rng_state = 0x9e3779b97f4a7c15ull * (k + 1);
		link_init(&h.l, 400e6, (rnd01() - 0.5) * 200);
		h.l.t0 += rnd01() * 1e12;
		h.l.t = h.l.t0 + 1e9L;
		h.l.interval = span_s * 1e9 / (double)n;
		h.busy = rnd01() < 0.5;
		h.dwell_s = 0.1;
		h.busy_mean = busy_mean;
		rplat_clk_init(c, h.l.hz);
		for (size_t i = 0; i < n; i++) {
			loaded_sample(&h, &smp[i]);
			rplat_clk_add(c, &smp[i]);
		}
		assert_int_equal(rplat_clk_fit(c, &fit), 0);
		assert_false(fit.crossed); /* delays only add: some line always meets every bound */
		for (size_t i = 0; i < n; i++) {
			double e1 = fabs(rplat_clk_map(&fit, smp[i].r_kick) - (double)true_host(&h.l, smp[i].r_kick));
			double e2 = fabs(rplat_clk_map(&fit, smp[i].r_reply) - (double)true_host(&h.l, smp[i].r_reply));

			max = fmax(max, fmax(e1, e2));
		}
		cv->fits++;
		cv->over += max > fit.err_ns;
		cv->worst = fmax(cv->worst, max / fit.err_ns);
		ratio[k] = fit.err_ns / ((h.l.min_h2r + h.l.min_r2h) / 2);
		eb[k] = max / fit.err_ns;
		em[k] = max;
		cv->err_max = fmax(cv->err_max, max);
		cv->ratio_max = fmax(cv->ratio_max, ratio[k]);
	}
	qsort(ratio, seeds, sizeof(*ratio), cmp_double);
	qsort(eb, seeds, sizeof(*eb), cmp_double);
	cv->ratio_p50 = ratio[seeds / 2];
	cv->err_bound_p50 = eb[seeds / 2];
	qsort(em, seeds, sizeof(*em), cmp_double);
	cv->err_p50 = em[seeds / 2];
	print_message("      %zu fits of %zu exchanges over %.2f s: %d over their bound, worst error/bound %.2f, "
		      "median %.2f; bound / half the minimum round trip: median %.2f, max %.2f; worst error: "
		      "median %.0f ns, max %.0f ns\n", seeds, n, span_s, cv->over, cv->worst, cv->err_bound_p50,
		      cv->ratio_p50, cv->ratio_max, cv->err_p50, cv->err_max);
	free(em);
	free(eb);
	free(ratio);
	free(smp);
	free(c);
}

/* Short spans (0.3 s, as observe's first fit): every fit's bound holds, for every stamp, on every seed. */
static void test_bound_short_span(void **state)
{
	struct coverage cv;

	(void)state;
	coverage_run(300, 1365, 0.3, 30000, &cv);
	assert_int_equal(cv.over, 0);
	/* the busy spells' heavier wakeups: the same */
	coverage_run(100, 1365, 0.3, 100000, &cv);
	assert_int_equal(cv.over, 0);
	/* quiet hosts: the same, and the bound stays near its floor */
	coverage_run(100, 1365, 0.3, 1, &cv);
	assert_int_equal(cv.over, 0);
	assert_true(cv.ratio_p50 < 1.6);
}

/* Long spans (20 s): the bound holds, and is not loose: within 30% of its floor, half the minimum round
 * trip (the part no stamp can split between the two ways). */
static void test_bound_long_span(void **state)
{
	struct coverage cv;

	(void)state;
	coverage_run(20, 40000, 20, 30000, &cv);
	assert_int_equal(cv.over, 0);
	assert_true(cv.ratio_max < 1.3);
}

/* A fit extrapolated (a stream without its closing calibration): a 0.3 s fit, then the 3 s after it; every
 * stamp there within rplat_clk_err_at, which grows with the distance, and is err_ns inside the span. */
static void test_bound_extrapolated(void **state)
{
	struct rplat_clk *c = malloc(sizeof(*c));
	struct rplat_clk_fit fit;
	struct rplat_clk_sample s;
	int over = 0;
	double worst = 0;

	(void)state;
	assert_non_null(c);
	for (uint64_t k = 0; k < 100; k++) {
		struct loaded h;
		uint64_t x_end;

		rng_state = 0x2545f4914f6cdd1dull * (k + 1);
		link_init(&h.l, 400e6, (rnd01() - 0.5) * 200);
		h.l.interval = 0.3e9 / 1365;
		h.busy = 0;
		h.dwell_s = 0.1;
		h.busy_mean = 30000;
		rplat_clk_init(c, h.l.hz);
		for (int i = 0; i < 1365; i++) {
			loaded_sample(&h, &s);
			rplat_clk_add(c, &s);
		}
		assert_int_equal(rplat_clk_fit(c, &fit), 0);
		assert_true(rplat_clk_err_at(&fit, fit.r_first) == fit.err_ns);
		assert_true(rplat_clk_err_at(&fit, fit.r_last) == fit.err_ns);
		x_end = fit.r_last;
		for (int i = 0; i < 3000; i++) {
			double e;

			h.l.interval = 1e6;
			loaded_sample(&h, &s);
			e = fabs(rplat_clk_map(&fit, s.r_reply) - (double)true_host(&h.l, s.r_reply));
			over += e > rplat_clk_err_at(&fit, s.r_reply);
			worst = fmax(worst, e / rplat_clk_err_at(&fit, s.r_reply));
			x_end = s.r_reply;
		}
		assert_true(rplat_clk_err_at(&fit, x_end) > fit.err_ns);
		assert_true(rplat_clk_err_at(&fit, fit.r_first - (x_end - fit.r_last)) > fit.err_ns);
	}
	print_message("      100 fits over 0.3 s carried 3 s on: %d stamps over their bound, worst error/bound %.2f\n",
		      over, worst);
	assert_int_equal(over, 0);
	fit.valid = 0;
	assert_true(isinf(rplat_clk_err_at(&fit, 0)));
	free(c);
}

/* The floor is reached: with all of the minimum round trip on one way, the error is nearly the bound. */
static void test_bound_tight(void **state)
{
	struct link l;
	struct result r;

	(void)state;
	link_init(&l, 400e6, 30);
	l.min_h2r = 5000;
	l.min_r2h = 0;
	l.noise = 100;
	l.stall_p = 0;
	run(&l, 20000, &r);
	assert_true(r.max <= r.err_ns);
	assert_true(r.max > 0.9 * r.err_ns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_too_few),
		cmocka_unit_test(test_method_named),
		cmocka_unit_test(test_exact_no_noise),
		cmocka_unit_test(test_drift_sweep),
		cmocka_unit_test(test_asymmetric),
		cmocka_unit_test(test_heavy_noise),
		cmocka_unit_test(test_windows_bounded),
		cmocka_unit_test(test_short_run),
		cmocka_unit_test(test_crossed_bounds),
		cmocka_unit_test(test_ticks_to_ns),
		cmocka_unit_test(test_bound_short_span),
		cmocka_unit_test(test_bound_long_span),
		cmocka_unit_test(test_bound_extrapolated),
		cmocka_unit_test(test_bound_tight),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
