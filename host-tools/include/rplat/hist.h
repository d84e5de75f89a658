/* Latency histograms: constant memory, exact merges, <= 1% relative error.
 *
 * Log-linear buckets in the style of HdrHistogram: values below 2^RPLAT_HIST_SUB_BITS ns are exact, and
 * every power-of-two range above is split into 2^RPLAT_HIST_SUB_BITS / 2 equal buckets, so a bucket is at
 * most 1/64 of its lower edge wide; percentiles report the bucket midpoint clamped to [min, max], whose
 * relative error is <= 1/128 (0.8%). Values up to RPLAT_HIST_MAX_NS (about 18 minutes) are bucketed;
 * larger ones are counted in 'overflow' (still in count/min/max/sum). Negative values (a correlated stage
 * that came out below zero within its error bound) are counted in 'underflow' and recorded as 0.
 *
 * count, sum and sumsq are integers (sumsq is 128-bit), so merging histograms is exact and gives the same
 * result, bit for bit, as recording all the samples into one. */
#ifndef RPLAT_HIST_H
#define RPLAT_HIST_H

#include <stdint.h>
#include <stdio.h>

#define RPLAT_HIST_SUB_BITS 7
#define RPLAT_HIST_MAX_BITS 40
#define RPLAT_HIST_MAX_NS ((1ull << RPLAT_HIST_MAX_BITS) - 1)
#define RPLAT_HIST_NBUCKETS (((RPLAT_HIST_MAX_BITS - RPLAT_HIST_SUB_BITS) + 2) << (RPLAT_HIST_SUB_BITS - 1))

struct rplat_hist {
	uint64_t count;     /* samples recorded, overflow and underflow included */
	uint64_t min, max;  /* exact, ns; min = UINT64_MAX when empty */
	uint64_t sum;       /* exact sum, ns */
	unsigned __int128 sumsq; /* exact sum of squares, ns^2 */
	uint64_t overflow;  /* samples > RPLAT_HIST_MAX_NS */
	uint64_t underflow; /* negative samples, recorded as 0 */
	uint64_t bucket[RPLAT_HIST_NBUCKETS];
};

/* Start empty: all counts 0, min = UINT64_MAX, max = 0. */
void rplat_hist_init(struct rplat_hist *h);

/* Bucket index of a value <= RPLAT_HIST_MAX_NS: values below 2^SUB_BITS index themselves; above, the
 * power-of-two range [2^k, 2^(k+1)) starts at block k - SUB_BITS + 2 of 2^(SUB_BITS-1) buckets, each
 * 2^(k - SUB_BITS + 1) wide. */
static inline unsigned rplat_hist_index(uint64_t v)
{
	unsigned shift = 63u - (unsigned)__builtin_clzll(v | ((1ull << RPLAT_HIST_SUB_BITS) - 1)) -
			 (RPLAT_HIST_SUB_BITS - 1);

	return (shift << (RPLAT_HIST_SUB_BITS - 1)) + (unsigned)(v >> shift);
}

/* The [lo, hi] values (inclusive, ns) that bucket 'idx' (< RPLAT_HIST_NBUCKETS) covers. */
void rplat_hist_bounds(unsigned idx, uint64_t *lo, uint64_t *hi);

/* Record one value in ns: a clz, a shift and an increment, plus the exact moments. Inline because it
 * sits in the measurement loop (a few ns). */
static inline void rplat_hist_add(struct rplat_hist *h, uint64_t v)
{
	h->count++;
	h->sum += v;
	h->sumsq += (unsigned __int128)v * v;
	h->min = v < h->min ? v : h->min;
	h->max = v > h->max ? v : h->max;
	if (__builtin_expect(v > RPLAT_HIST_MAX_NS, 0))
		h->overflow++;
	else
		h->bucket[rplat_hist_index(v)]++;
}

/* Record a signed value: negatives count as underflow and record 0. */
static inline void rplat_hist_add_signed(struct rplat_hist *h, int64_t v)
{
	if (v < 0) {
		h->underflow++;
		v = 0;
	}
	rplat_hist_add(h, (uint64_t)v);
}

/* dst += src, exactly. */
void rplat_hist_merge(struct rplat_hist *dst, const struct rplat_hist *src);

/* The value at percentile p (0 < p <= 100): the smallest v such that at least p% of samples are <= v,
 * within the bucket error (the bucket's midpoint clamped to [min, max]). The first and the last rank are
 * exact: p100, and any p whose rank is the count, is the maximum; a rank of 1 is the minimum. Returns 0
 * for an empty histogram. */
uint64_t rplat_hist_percentile(const struct rplat_hist *h, double p);
/* Where the value at percentile p certainly lies: [*lo, *hi] in ns, its bucket's bounds clamped to the
 * exact min and max (lo == hi when it is known exactly). Returns 0, or -1 for an empty histogram. A
 * budget compares these bounds, never the midpoint. */
int rplat_hist_percentile_range(const struct rplat_hist *h, double p, uint64_t *lo, uint64_t *hi);
/* The rank (1-based) of percentile p among n samples, ceil(p/100 n) with a 1e-12 relative tolerance (so
 * that p99.9 of 1000 is rank 999): the rank every percentile here uses, from histograms or samples. */
uint64_t rplat_hist_rank(double p, uint64_t n);
/* Mean and population standard deviation in ns, from the exact sums; 0 for an empty histogram. */
double rplat_hist_mean(const struct rplat_hist *h);
double rplat_hist_stddev(const struct rplat_hist *h);

/* Text form (the run directory's hist/NAME.hist):
 *   # rplat-hist 1
 *   # name NAME
 *   # unit ns
 *   # sub_bits 7
 *   # count N / min / max / sum / sumsq / overflow / underflow   (one "# key value" line each)
 *   lo_ns<TAB>hi_ns<TAB>count           one line per non-empty bucket, ascending
 * 'name' must be non-empty and free of whitespace and control characters (else EINVAL).
 * Returns 0, or -1 with errno set (write). */
int rplat_hist_write(const struct rplat_hist *h, const char *name, FILE *f);
/* Parse the text form into 'h'. Unknown "# key value" lines are skipped (forward compatibility); the
 * counts must add up and every bucket must match the geometry. Returns 0, or -1 with
 * "PATH: line N: FIELD: what" in err and 'h' left untouched. */
int rplat_hist_read(struct rplat_hist *h, FILE *f, const char *path, char *err, size_t errlen);

/* Summary statistics of a histogram, in ns. */
struct rplat_stats {
	uint64_t count;
	uint64_t min, max;
	double avg, stddev;
	uint64_t p50, p90, p99, p999, p9999;
};
void rplat_hist_stats(const struct rplat_hist *h, struct rplat_stats *s);

#endif
