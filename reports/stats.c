/* Statistics on histograms for `rplat compare`: Mann-Whitney U with tie correction and a bootstrap
 * confidence interval for the difference of a percentile. See rplat/report.h for the method. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rplat/report.h"

int rplat_hist_mann_whitney(const struct rplat_hist *a, const struct rplat_hist *b, struct rplat_mwu *out)
{
	long double n1 = (long double)a->count, n2 = (long double)b->count, N, below = 0, u = 0, ties = 0;
	long double mean, var, d;
	unsigned i;

	memset(out, 0, sizeof(*out));
	if (!a->count || !b->count)
		return -1;
	for (i = 0; i < RPLAT_HIST_NBUCKETS; i++) {
		long double x = (long double)a->bucket[i], y = (long double)b->bucket[i], t = x + y;

		if (t == 0)
			continue;
		u += x * (below + y / 2);
		below += y;
		ties += t * t * t - t;
	}
	{ /* the overflow counts form one tie group above every bucket */
		long double x = (long double)a->overflow, y = (long double)b->overflow, t = x + y;

		u += x * (below + y / 2);
		ties += t * t * t - t;
	}
	N = n1 + n2;
	mean = n1 * n2 / 2;
	var = n1 * n2 / 12 * ((N + 1) - (N > 1 ? ties / (N * (N - 1)) : 0));
	d = u - mean;
	out->n1 = (double)n1;
	out->n2 = (double)n2;
	out->u1 = (double)u;
	out->auc = (double)(u / (n1 * n2));
	out->tie_term = (double)ties;
	if (var <= 0) { /* every value tied */
		out->z = 0;
		out->p = 1;
		return 0;
	}
	if (d > 0.5L)
		d -= 0.5L;
	else if (d < -0.5L)
		d += 0.5L;
	else
		d = 0;
	out->z = (double)(d / sqrtl(var));
	out->p = erfc(fabs(out->z) / sqrt(2.0));
	return 0;
}

/* ---- bootstrap ---- */

struct rng {
	uint64_t s[4];
};

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r) /* xoshiro256** */
{
	uint64_t res = rotl(r->s[1] * 5, 7) * 9, t = r->s[1] << 17;

	r->s[2] ^= r->s[0];
	r->s[3] ^= r->s[1];
	r->s[1] ^= r->s[2];
	r->s[0] ^= r->s[3];
	r->s[2] ^= t;
	r->s[3] = rotl(r->s[3], 45);
	return res;
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++) { /* splitmix64 */
		uint64_t z = (seed += 0x9e3779b97f4a7c15ull);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		r->s[i] = z ^ (z >> 31);
	}
}

static double unif(struct rng *r) /* (0, 1) */
{
	return ((double)(rng_next(r) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static double normal(struct rng *r)
{
	return sqrt(-2 * log(unif(r))) * cos(2 * M_PI * unif(r));
}

/* Gamma(shape, 1), Marsaglia and Tsang; shape < 1 through the boost u^(1/shape). */
static double gamma_draw(struct rng *r, double shape)
{
	double d, c, x, v, u;

	if (shape < 1)
		return gamma_draw(r, shape + 1) * pow(unif(r), 1 / shape);
	d = shape - 1.0 / 3;
	c = 1 / sqrt(9 * d);
	for (;;) {
		do {
			x = normal(r);
			v = 1 + c * x;
		} while (v <= 0);
		v = v * v * v;
		u = unif(r);
		if (u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v)))
			return d * v;
	}
}

struct quant {
	size_t n;
	uint64_t *cum;  /* cumulative counts */
	uint64_t *val;  /* the value reported for the bucket (as rplat_hist_percentile) */
	uint64_t total;
};

static int quant_init(struct quant *q, const struct rplat_hist *h)
{
	unsigned i;

	memset(q, 0, sizeof(*q));
	q->cum = malloc((RPLAT_HIST_NBUCKETS + 1) * sizeof(uint64_t));
	q->val = malloc((RPLAT_HIST_NBUCKETS + 1) * sizeof(uint64_t));
	if (!q->cum || !q->val)
		return -1;
	for (i = 0; i < RPLAT_HIST_NBUCKETS; i++) {
		uint64_t lo, hi, mid;

		if (!h->bucket[i])
			continue;
		rplat_hist_bounds(i, &lo, &hi);
		mid = lo + (hi - lo) / 2;
		mid = mid < h->min ? h->min : mid > h->max ? h->max : mid;
		q->total += h->bucket[i];
		q->cum[q->n] = q->total;
		q->val[q->n++] = mid;
	}
	if (h->overflow) {
		q->total += h->overflow;
		q->cum[q->n] = q->total;
		q->val[q->n++] = h->max;
	}
	return 0;
}

static void quant_free(struct quant *q)
{
	free(q->cum);
	free(q->val);
}

/* The value of the sample of rank r (1-based). */
static uint64_t quant_at(const struct quant *q, uint64_t r)
{
	size_t lo = 0, hi = q->n - 1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (q->cum[mid] >= r)
			hi = mid;
		else
			lo = mid + 1;
	}
	return q->val[lo];
}

static uint64_t rank_of(double p, uint64_t n)
{
	long double x = (long double)p / 100.0L * (long double)n * (1.0L - 1e-12L);
	uint64_t r;

	if (x <= 1)
		return 1;
	r = (uint64_t)ceill(x);
	return r > n ? n : r;
}

/* One bootstrap replicate of the percentile: the k-th smallest of n resampled values. */
static double boot_draw(struct rng *r, const struct quant *q, uint64_t k)
{
	double ga = gamma_draw(r, (double)k), gb = gamma_draw(r, (double)(q->total + 1 - k));
	double v = ga / (ga + gb);
	uint64_t rank = (uint64_t)ceil(v * (double)q->total);

	if (rank < 1)
		rank = 1;
	if (rank > q->total)
		rank = q->total;
	return (double)quant_at(q, rank);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int rplat_hist_bootstrap_pct_diff(const struct rplat_hist *a, const struct rplat_hist *b, double pct, int reps,
				  double conf, uint64_t seed, double *lo, double *est, double *hi)
{
	struct quant qa, qb;
	struct rng r;
	double *d;
	uint64_t ka, kb;
	int i, rc = -1;

	if (!a->count || !b->count || reps < 10)
		return -1;
	d = malloc((size_t)reps * sizeof(*d));
	if (!d)
		return -1;
	memset(&qa, 0, sizeof(qa));
	memset(&qb, 0, sizeof(qb));
	if (quant_init(&qa, a) || quant_init(&qb, b))
		goto out;
	rng_seed(&r, seed);
	ka = rank_of(pct, qa.total);
	kb = rank_of(pct, qb.total);
	for (i = 0; i < reps; i++)
		d[i] = boot_draw(&r, &qb, kb) - boot_draw(&r, &qa, ka);
	qsort(d, (size_t)reps, sizeof(*d), cmp_double);
	{
		double al = (1 - conf) / 2;
		int il = (int)floor(al * (reps - 1)), ih = (int)ceil((1 - al) * (reps - 1));

		*lo = d[il < 0 ? 0 : il];
		*hi = d[ih >= reps ? reps - 1 : ih];
	}
	*est = (double)rplat_hist_percentile(b, pct) - (double)rplat_hist_percentile(a, pct);
	rc = 0;
out:
	quant_free(&qa);
	quant_free(&qb);
	free(d);
	return rc;
}
