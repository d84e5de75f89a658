/* Unit tests for the histograms (host-tools/lib/hist.c): geometry, percentiles and merges against brute
 * force on random data with heavy tails, moments, and the text form with its errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "rplat/hist.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dull;
}

static double rnd01(void) { return ((double)(rnd() >> 11) + 0.5) / 9007199254740992.0; }

enum dist { D_SMALL, D_EXP, D_PARETO, D_BIMODAL, D_OVERFLOW, D_NDIST };

/* One sample of a latency-like distribution, in ns. */
static uint64_t sample(enum dist d)
{
	switch (d) {
	case D_SMALL: return rnd() % 300; /* around the exact / first log range boundary */
	case D_EXP: return (uint64_t)(20000.0 - 3000.0 * log(rnd01()));
	case D_PARETO: return (uint64_t)(5000.0 / pow(rnd01(), 1.0 / 1.2)); /* heavy tail, infinite variance */
	case D_BIMODAL: return rnd() % 10 ? 15000 + rnd() % 500 : 1000000 + rnd() % 4000000;
	case D_OVERFLOW: return rnd() % 100 ? rnd() % 1000000 : RPLAT_HIST_MAX_NS - 5 + rnd() % 10;
	default: return 0;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The brute-force percentile: the value at rank ceil(p/100 n) of the sorted samples (with the same
 * 1e-12 relative tolerance the library documents for non-representable p). */
static uint64_t brute_pct(const uint64_t *sorted, size_t n, double p)
{
	long double x = (long double)p / 100.0L * (long double)n * (1.0L - 1e-12L);
	size_t r = x <= 1 ? 1 : (size_t)ceill(x);

	return sorted[(r > n ? n : r) - 1];
}

static void test_geometry(void **state)
{
	uint64_t prev_hi = 0, lo, hi;

	(void)state;
	for (unsigned i = 0; i < RPLAT_HIST_NBUCKETS; i++) {
		rplat_hist_bounds(i, &lo, &hi);
		if (i == 0)
			assert_int_equal(lo, 0);
		else
			assert_int_equal(lo, prev_hi + 1);
		assert_true(hi >= lo);
		assert_int_equal(rplat_hist_index(lo), i);
		assert_int_equal(rplat_hist_index(hi), i);
		assert_int_equal(rplat_hist_index(lo + (hi - lo) / 2), i);
		if (lo < (1u << RPLAT_HIST_SUB_BITS))
			assert_int_equal(hi, lo);
		else
			assert_true((hi - lo + 1) * 64 <= lo); /* width <= 1/64 of the lower edge */
		prev_hi = hi;
	}
	assert_int_equal(prev_hi, RPLAT_HIST_MAX_NS);
}

static void test_empty(void **state)
{
	struct rplat_hist h;
	struct rplat_stats s;

	(void)state;
	rplat_hist_init(&h);
	assert_int_equal(rplat_hist_percentile(&h, 50), 0);
	assert_true(rplat_hist_mean(&h) == 0);
	assert_true(rplat_hist_stddev(&h) == 0);
	rplat_hist_stats(&h, &s);
	assert_int_equal(s.count, 0);
	assert_int_equal(s.min, 0);
	assert_int_equal(s.max, 0);
}

static void test_exact_small(void **state)
{
	struct rplat_hist h;

	(void)state;
	rplat_hist_init(&h);
	for (uint64_t v = 1; v <= 100; v++)
		rplat_hist_add(&h, v);
	assert_int_equal(rplat_hist_percentile(&h, 50), 50);
	assert_int_equal(rplat_hist_percentile(&h, 99), 99);
	assert_int_equal(rplat_hist_percentile(&h, 99.9), 100);
	assert_int_equal(rplat_hist_percentile(&h, 100), 100);
	assert_int_equal(rplat_hist_percentile(&h, 0.001), 1);
	assert_true(rplat_hist_mean(&h) == 50.5);
	assert_int_equal(rplat_hist_rank(99.9, 1000), 999);
	assert_int_equal(rplat_hist_rank(100, 1000), 1000);
	assert_true(fabs(rplat_hist_stddev(&h) - sqrt((100.0 * 100 - 1) / 12)) < 1e-9);
}

/* Issue 15 item 3: p100 (and any percentile whose rank is the count) is the maximum, never the top
 * bucket's midpoint below it, and the range a budget compares holds the true value. */
static void test_top_rank_is_max(void **state)
{
	struct rplat_hist h;
	uint64_t lo, hi;

	(void)state;
	rplat_hist_init(&h);
	rplat_hist_add(&h, 1000);
	rplat_hist_add(&h, 7965000); /* 7.965 ms: its bucket's midpoint is below it */
	assert_int_equal(rplat_hist_percentile(&h, 100), 7965000);
	assert_int_equal(rplat_hist_percentile(&h, 99.99), 7965000);
	assert_int_equal(rplat_hist_percentile(&h, 50), 1000);
	assert_int_equal(rplat_hist_percentile_range(&h, 100, &lo, &hi), 0);
	assert_int_equal(lo, 7965000);
	assert_int_equal(hi, 7965000);
	for (int i = 0; i < 98; i++)
		rplat_hist_add(&h, 5000000 + (uint64_t)i * 10);
	assert_int_equal(rplat_hist_percentile_range(&h, 50, &lo, &hi), 0);
	assert_true(lo <= 5000490 && hi >= 5000000 && lo < hi);
	assert_true(rplat_hist_percentile(&h, 50) >= lo && rplat_hist_percentile(&h, 50) <= hi);
	rplat_hist_init(&h);
	assert_int_equal(rplat_hist_percentile_range(&h, 50, &lo, &hi), -1);
}

static void test_signed_and_overflow(void **state)
{
	struct rplat_hist h;

	(void)state;
	rplat_hist_init(&h);
	rplat_hist_add_signed(&h, -5);
	rplat_hist_add_signed(&h, 7);
	rplat_hist_add(&h, RPLAT_HIST_MAX_NS + 1);
	rplat_hist_add(&h, UINT64_MAX);
	assert_int_equal(h.count, 4);
	assert_int_equal(h.underflow, 1);
	assert_int_equal(h.overflow, 2);
	assert_int_equal(h.min, 0);
	assert_int_equal(h.max, UINT64_MAX);
	assert_int_equal(h.bucket[0], 1);
	assert_int_equal(h.bucket[7], 1);
	assert_true(h.sumsq == (unsigned __int128)49 + (unsigned __int128)(RPLAT_HIST_MAX_NS + 1) *
		    (RPLAT_HIST_MAX_NS + 1) + (unsigned __int128)UINT64_MAX * UINT64_MAX);
	assert_int_equal(rplat_hist_percentile(&h, 25), 0);
	assert_int_equal(rplat_hist_percentile(&h, 50), 7);
	assert_int_equal(rplat_hist_percentile(&h, 75), UINT64_MAX);
}

/* The percentile must be exactly the clamped midpoint of the brute-force value's bucket, and so within
 * 1/128 of it; the first and the last rank are the exact min and max. The range must hold the exact
 * value, within one bucket. */
static void check_percentiles(const struct rplat_hist *h, const uint64_t *sorted, size_t n)
{
	static const double ps[] = { 0.0001, 1, 10, 25, 50, 75, 90, 99, 99.5, 99.9, 99.99, 99.999, 100 };

	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		uint64_t exact = brute_pct(sorted, n, ps[i]), got = rplat_hist_percentile(h, ps[i]), want, lo, hi;
		uint64_t rank = rplat_hist_rank(ps[i], n), rlo, rhi;

		assert_int_equal(rplat_hist_percentile_range(h, ps[i], &rlo, &rhi), 0);
		if (exact < rlo || exact > rhi)
			fail_msg("p%g over %zu: exact %llu outside the range %llu..%llu", ps[i], n,
				 (unsigned long long)exact, (unsigned long long)rlo, (unsigned long long)rhi);
		if (rank == n || rank == 1) {
			want = exact;
			assert_int_equal(rlo, exact);
			assert_int_equal(rhi, exact);
		} else if (exact > RPLAT_HIST_MAX_NS) {
			want = sorted[n - 1];
		} else {
			rplat_hist_bounds(rplat_hist_index(exact), &lo, &hi);
			want = lo + (hi - lo) / 2;
			want = want < sorted[0] ? sorted[0] : want > sorted[n - 1] ? sorted[n - 1] : want;
			if (fabs((double)got - (double)exact) > (double)exact / 128.0)
				fail_msg("p%g: %llu vs exact %llu: error above 1/128", ps[i],
					 (unsigned long long)got, (unsigned long long)exact);
		}
		if (got != want)
			fail_msg("p%g over %zu: got %llu, want %llu (exact %llu)", ps[i], n, (unsigned long long)got,
				 (unsigned long long)want, (unsigned long long)exact);
	}
}

static void test_percentiles_brute_force(void **state)
{
	static const size_t sizes[] = { 1, 2, 3, 10, 999, 1000, 12345, 200000 };

	(void)state;
	for (int d = 0; d < D_NDIST; d++) {
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			size_t n = sizes[k];
			uint64_t *v = malloc(n * sizeof(*v));
			struct rplat_hist *h = malloc(sizeof(*h));
			long double sum = 0, sumsq = 0;

			rplat_hist_init(h);
			for (size_t i = 0; i < n; i++) {
				v[i] = sample((enum dist)d);
				rplat_hist_add(h, v[i]);
				sum += v[i];
				sumsq += (long double)v[i] * v[i];
			}
			qsort(v, n, sizeof(*v), cmp_u64);
			assert_int_equal(h->count, n);
			assert_int_equal(h->min, v[0]);
			assert_int_equal(h->max, v[n - 1]);
			check_percentiles(h, v, n);
			long double mean = sum / n, sd = sqrtl(fmaxl(sumsq / n - mean * mean, 0));
			assert_true(fabsl(rplat_hist_mean(h) - mean) <= mean * 1e-12L);
			assert_true(fabsl(rplat_hist_stddev(h) - sd) <= sd * 1e-6L + 1e-6L);
			free(v);
			free(h);
		}
	}
}

/* Merging N parts gives the same histogram, bit for bit, as one recording of all; and the merged
 * percentiles still match brute force. */
static void test_merge_exact(void **state)
{
	enum { N = 300000, PARTS = 7 };
	uint64_t *v = malloc(N * sizeof(*v));
	struct rplat_hist *all = malloc(sizeof(*all)), *part = malloc(PARTS * sizeof(*part));
	struct rplat_hist *m1 = malloc(sizeof(*m1)), *m2 = malloc(sizeof(*m2));

	(void)state;
	rplat_hist_init(all);
	for (int p = 0; p < PARTS; p++)
		rplat_hist_init(&part[p]);
	for (size_t i = 0; i < N; i++) {
		int p = (int)(rnd() % PARTS);
		int64_t x = (int64_t)sample((enum dist)(rnd() % D_NDIST));

		if (rnd() % 1000 == 0)
			x = -x; /* a few underflows */
		v[i] = x < 0 ? 0 : (uint64_t)x;
		rplat_hist_add_signed(all, x);
		rplat_hist_add_signed(&part[p], x);
	}
	rplat_hist_init(m1);
	rplat_hist_init(m2);
	for (int p = 0; p < PARTS; p++) {
		rplat_hist_merge(m1, &part[p]);
		rplat_hist_merge(m2, &part[PARTS - 1 - p]);
	}
	assert_memory_equal(m1, all, sizeof(*all));
	assert_memory_equal(m2, all, sizeof(*all));
	/* merging an empty histogram changes nothing */
	rplat_hist_init(m2);
	rplat_hist_merge(m1, m2);
	assert_memory_equal(m1, all, sizeof(*all));
	qsort(v, N, sizeof(*v), cmp_u64);
	check_percentiles(m1, v, N);
	free(v);
	free(all);
	free(part);
	free(m1);
	free(m2);
}

static char *hist_text(const struct rplat_hist *h, const char *name)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(rplat_hist_write(h, name, f), 0);
	fclose(f);
	return buf;
}

static int read_text(struct rplat_hist *h, const char *text, char *err, size_t errlen)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int rc;

	assert_non_null(f);
	rc = rplat_hist_read(h, f, "run/hist/rtt.hist", err, errlen);
	fclose(f);
	return rc;
}

static void test_text_round_trip(void **state)
{
	struct rplat_hist *h = malloc(sizeof(*h)), *r = malloc(sizeof(*r));
	char err[200];
	char *s;

	(void)state;
	for (int d = 0; d < D_NDIST; d++) {
		rplat_hist_init(h);
		for (int i = 0; i < 50000; i++)
			rplat_hist_add_signed(h, (int64_t)sample((enum dist)d) - (d == D_SMALL ? 5 : 0));
		s = hist_text(h, "rtt@40");
		memset(r, 0xa5, sizeof(*r));
		if (read_text(r, s, err, sizeof(err)) < 0)
			fail_msg("%s", err);
		assert_memory_equal(r, h, sizeof(*h));
		free(s);
	}
	/* empty */
	rplat_hist_init(h);
	s = hist_text(h, "rtt");
	assert_non_null(strstr(s, "# min 18446744073709551615\n"));
	assert_int_equal(read_text(r, s, err, sizeof(err)), 0);
	assert_memory_equal(r, h, sizeof(*h));
	free(s);
	free(h);
	free(r);
}

static void test_text_format(void **state)
{
	struct rplat_hist h;
	char *s;

	(void)state;
	rplat_hist_init(&h);
	rplat_hist_add(&h, 3);
	rplat_hist_add(&h, 1000);
	rplat_hist_add(&h, 1001);
	s = hist_text(&h, "rtt");
	assert_string_equal(s, "# rplat-hist 1\n# name rtt\n# unit ns\n# sub_bits 7\n# count 3\n# min 3\n"
			       "# max 1001\n# sum 2004\n# sumsq 2002010\n# overflow 0\n# underflow 0\n"
			       "3\t3\t1\n1000\t1007\t2\n");
	free(s);
	assert_int_equal(rplat_hist_write(&h, "a b", stdout), -1);
	assert_int_equal(rplat_hist_write(&h, "", stdout), -1);
}

struct bad {
	const char *text;
	const char *err;
};

#define HDR "# rplat-hist 1\n# name rtt\n# unit ns\n# sub_bits 7\n"
#define MOM "# count 3\n# min 3\n# max 1001\n# sum 2004\n# sumsq 2002010\n# overflow 0\n# underflow 0\n"

static const struct bad bad_inputs[] = {
	{ "", "run/hist/rtt.hist: line 1: format: empty file" },
	{ "# rplat-hist 2\n", "run/hist/rtt.hist: line 1: format: not an rplat histogram version 1" },
	{ "hello\n", "line 1: format:" },
	/* issue 15 item 8: garbage is named as such, never "empty file" */
	{ "garbage\n", "run/hist/rtt.hist: line 1: format: not an rplat histogram version 1" },
	{ "\x89PNG\r\n\x1a\n", "run/hist/rtt.hist: line 1: format: not an rplat histogram version 1" },
	{ HDR "# count x\n", "run/hist/rtt.hist: line 5: count: 'x' is not an unsigned 64-bit integer" },
	{ HDR "# count -1\n", "line 5: count: '-1' is not" },
	{ HDR "# count 18446744073709551616\n", "line 5: count: '18446744073709551616' is not" },
	{ HDR "# count 1\n# count 1\n", "line 6: count: given twice" },
	{ "# rplat-hist 1\n# sub_bits 6\n", "line 2: sub_bits: '6' is not 7" },
	{ "# rplat-hist 1\n# unit us\n", "line 2: unit: 'us' is not 'ns'" },
	{ "# rplat-hist 1\n# count\n", "line 2: count: missing value" },
	{ "# rplat-hist 1\n#count 1\n", "line 2: header: expected '# key value'" },
	{ HDR "# count 3\n3\t3\t1\n", "line 6: min: missing before the buckets" },
	{ HDR "# count 3\n", "line 5: min: missing" },
	{ HDR MOM "3\t3\n", "line 12: bucket: expected 3 tab-separated fields" },
	{ HDR MOM "3\t3\t1\t1\n", "line 12: bucket: expected 3" },
	{ HDR MOM "3 3 1\n", "line 12: bucket: expected 3" },
	{ HDR MOM "3\t3\tx\n", "line 12: count: 'x' is not" },
	{ HDR MOM "q\t3\t1\n", "line 12: lo: 'q' is not" },
	{ HDR MOM "3\t\t1\n", "line 12: hi: '' is not" },
	{ HDR MOM "3\t3\t1\n1001\t1007\t2\n", "line 13: lo: 1001 is not a bucket edge (bucket is 1000..1007)" },
	{ HDR MOM "3\t3\t1\n1000\t1008\t2\n", "line 13: hi: 1008 does not match the bucket 1000..1007" },
	{ HDR MOM "1000\t1007\t2\n3\t3\t1\n", "line 13: lo: buckets out of order" },
	{ HDR MOM "3\t3\t1\n3\t3\t1\n", "line 13: lo: buckets out of order or repeated" },
	{ HDR MOM "3\t3\t0\n", "line 12: count: empty bucket listed" },
	{ HDR MOM "3\t3\t1\n1000\t1007\t1\n", "line 13: count: 3 != bucket counts 2 + overflow 0" },
	{ HDR MOM "3\t3\t1\n# x 1\n", "line 13: header: header line after the buckets" },
	{ HDR MOM "2199023255552\t2199023255552\t1\n", "line 12: lo: 2199023255552 is above the range" },
	{ HDR "# count 3\n# min 4\n# max 1001\n# sum 2004\n# sumsq 2002010\n# overflow 0\n# underflow 0\n"
	      "3\t3\t1\n1000\t1007\t2\n", "line 13: min: 4 is not in the first bucket 3..3" },
	{ HDR "# count 3\n# min 3\n# max 1020\n# sum 2004\n# sumsq 2002010\n# overflow 0\n# underflow 0\n"
	      "3\t3\t1\n1000\t1007\t2\n", "line 13: max: 1020 is not in the last bucket 1000..1007" },
	{ HDR "# count 3\n# min 3\n# max 1001\n# sum 8\n# sumsq 2002010\n# overflow 0\n# underflow 0\n"
	      "3\t3\t1\n1000\t1007\t2\n", "line 13: sum: not between" },
	{ HDR "# count 3\n# min 3\n# max 1001\n# sum 2004\n# sumsq 2002010\n# overflow 1\n# underflow 0\n"
	      "3\t3\t1\n1000\t1007\t1\n", "line 13: max: overflow is counted but max is in range" },
	{ HDR "# count 3\n# min 3\n# max 1001\n# sum 2004\n# sumsq 2002010\n# overflow 0\n# underflow 4\n"
	      "3\t3\t1\n1000\t1007\t2\n", "line 13: underflow: larger than count" },
	{ HDR "# count 0\n# min 0\n# max 0\n# sum 0\n# sumsq 0\n# overflow 0\n# underflow 0\n",
	  "count: 0, but min/max/sum are not those of an empty histogram" },
	{ HDR "# count 3\n# min 3\n# max 1001\n# sum 2004\n"
	      "# sumsq 340282366920938463463374607431768211456\n", "line 9: sumsq: '3402823669209384634" },
};

static void test_text_errors(void **state)
{
	struct rplat_hist *h = malloc(sizeof(*h)), *keep = malloc(sizeof(*keep));

	(void)state;
	rplat_hist_init(h);
	rplat_hist_add(h, 42);
	memcpy(keep, h, sizeof(*h));
	for (size_t i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++) {
		char err[300] = "unset";

		if (read_text(h, bad_inputs[i].text, err, sizeof(err)) == 0)
			fail_msg("input %zu was accepted", i);
		if (!strstr(err, bad_inputs[i].err))
			fail_msg("input %zu: got \"%s\", want \"%s\"", i, err, bad_inputs[i].err);
		assert_memory_equal(h, keep, sizeof(*h)); /* untouched on error */
	}
	free(h);
	free(keep);
}

static void test_text_nul_and_long(void **state)
{
	static const char nul[] = "# rplat-hist 1\n# na\0me x\n";
	char err[200], *lng = malloc(2000);
	struct rplat_hist h;
	FILE *f;

	(void)state;
	f = fmemopen((void *)nul, sizeof(nul) - 1, "r");
	assert_int_equal(rplat_hist_read(&h, f, "p", err, sizeof(err)), -1);
	assert_string_equal(err, "p: line 2: line: NUL byte");
	fclose(f);
	memset(lng, '1', 1999);
	lng[1999] = '\0';
	memcpy(lng, "# rplat-hist 1\n# count ", 23);
	assert_int_equal(read_text(&h, lng, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 2: line: longer than"));
	free(lng);
}

static void test_stats(void **state)
{
	struct rplat_hist h;
	struct rplat_stats s;

	(void)state;
	rplat_hist_init(&h);
	for (uint64_t v = 1; v <= 10000; v++)
		rplat_hist_add(&h, v * 10);
	rplat_hist_stats(&h, &s);
	assert_int_equal(s.count, 10000);
	assert_int_equal(s.min, 10);
	assert_int_equal(s.max, 100000);
	assert_true(s.avg == 50005.0);
	assert_true(fabs((double)s.p50 - 50000) <= 50000 / 128.0);
	assert_true(fabs((double)s.p90 - 90000) <= 90000 / 128.0);
	assert_true(fabs((double)s.p99 - 99000) <= 99000 / 128.0);
	assert_true(fabs((double)s.p999 - 99900) <= 99900 / 128.0);
	assert_true(fabs((double)s.p9999 - 99990) <= 99990 / 128.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_geometry),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_exact_small),
		cmocka_unit_test(test_signed_and_overflow),
		cmocka_unit_test(test_percentiles_brute_force),
		cmocka_unit_test(test_top_rank_is_max),
		cmocka_unit_test(test_merge_exact),
		cmocka_unit_test(test_text_round_trip),
		cmocka_unit_test(test_text_format),
		cmocka_unit_test(test_text_errors),
		cmocka_unit_test(test_text_nul_and_long),
		cmocka_unit_test(test_stats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
