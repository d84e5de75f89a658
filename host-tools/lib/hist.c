/* Log-linear latency histograms: geometry, merge, percentiles, text form. See rplat/hist.h.
 * Recording (rplat_hist_add) is inline in the header. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rplat/hist.h"

#define HALF (1u << (RPLAT_HIST_SUB_BITS - 1)) /* buckets per power-of-two range */

void rplat_hist_init(struct rplat_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void rplat_hist_bounds(unsigned idx, uint64_t *lo, uint64_t *hi)
{
	unsigned block = idx / HALF;

	if (block <= 1) { /* exact values below 2^SUB_BITS */
		*lo = *hi = idx;
		return;
	}
	unsigned shift = block - 1;
	uint64_t m = idx - ((uint64_t)shift << (RPLAT_HIST_SUB_BITS - 1)); /* in [HALF, 2 * HALF) */

	*lo = m << shift;
	*hi = *lo + (1ull << shift) - 1;
}

void rplat_hist_merge(struct rplat_hist *dst, const struct rplat_hist *src)
{
	dst->count += src->count;
	dst->sum += src->sum;
	dst->sumsq += src->sumsq;
	dst->overflow += src->overflow;
	dst->underflow += src->underflow;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	for (unsigned i = 0; i < RPLAT_HIST_NBUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
}

/* Rank (1-based) of percentile p among n samples: ceil(p/100 * n), with a relative tolerance of 1e-12 so
 * that p = 99.9 (not exact in binary) over 1000 samples gives 999, not 1000. */
uint64_t rplat_hist_rank(double p, uint64_t n)
{
	long double x = (long double)p / 100.0L * (long double)n;
	uint64_t r;

	x *= 1.0L - 1e-12L;
	if (x <= 1.0L)
		return 1;
	r = (uint64_t)ceill(x);
	return r > n ? n : r;
}

/* The bucket holding the sample of rank 'rank' (1..count), or RPLAT_HIST_NBUCKETS when it is among the
 * overflowed samples. */
static unsigned rank_bucket(const struct rplat_hist *h, uint64_t rank)
{
	uint64_t cum = 0;

	for (unsigned i = 0; i < RPLAT_HIST_NBUCKETS; i++) {
		cum += h->bucket[i];
		if (h->bucket[i] && cum >= rank)
			return i;
	}
	return RPLAT_HIST_NBUCKETS;
}

uint64_t rplat_hist_percentile(const struct rplat_hist *h, double p)
{
	uint64_t rank, lo, hi, mid;
	unsigned i;

	if (h->count == 0)
		return 0;
	rank = rplat_hist_rank(p, h->count);
	if (rank >= h->count) /* the top rank is the maximum, known exactly */
		return h->max;
	if (rank == 1)
		return h->min;
	i = rank_bucket(h, rank);
	if (i == RPLAT_HIST_NBUCKETS)
		return h->max; /* the rank falls among the overflowed samples */
	rplat_hist_bounds(i, &lo, &hi);
	mid = lo + (hi - lo) / 2;
	if (mid < h->min)
		mid = h->min;
	if (mid > h->max)
		mid = h->max;
	return mid;
}

int rplat_hist_percentile_range(const struct rplat_hist *h, double p, uint64_t *lo, uint64_t *hi)
{
	uint64_t rank;
	unsigned i;

	if (h->count == 0)
		return -1;
	rank = rplat_hist_rank(p, h->count);
	if (rank >= h->count || rank == 1) {
		*lo = *hi = rank == 1 && rank < h->count ? h->min : h->max;
		return 0;
	}
	i = rank_bucket(h, rank);
	if (i == RPLAT_HIST_NBUCKETS) {
		*lo = RPLAT_HIST_MAX_NS + 1;
		*hi = h->max;
	} else {
		rplat_hist_bounds(i, lo, hi);
	}
	if (*lo < h->min)
		*lo = h->min;
	if (*hi > h->max)
		*hi = h->max;
	return 0;
}

double rplat_hist_mean(const struct rplat_hist *h)
{
	return h->count ? (double)((long double)h->sum / (long double)h->count) : 0.0;
}

double rplat_hist_stddev(const struct rplat_hist *h)
{
	long double n = (long double)h->count, mean, var;

	if (h->count == 0)
		return 0.0;
	mean = (long double)h->sum / n;
	var = (long double)h->sumsq / n - mean * mean;
	return var > 0 ? (double)sqrtl(var) : 0.0;
}

void rplat_hist_stats(const struct rplat_hist *h, struct rplat_stats *s)
{
	s->count = h->count;
	s->min = h->count ? h->min : 0;
	s->max = h->max;
	s->avg = rplat_hist_mean(h);
	s->stddev = rplat_hist_stddev(h);
	s->p50 = rplat_hist_percentile(h, 50);
	s->p90 = rplat_hist_percentile(h, 90);
	s->p99 = rplat_hist_percentile(h, 99);
	s->p999 = rplat_hist_percentile(h, 99.9);
	s->p9999 = rplat_hist_percentile(h, 99.99);
}

/* ------------------------------------------------------------------------------------------------ */
/* text form */

/* Decimal text of a 128-bit value into buf (at least 40 bytes). */
static const char *u128_str(unsigned __int128 v, char *buf, size_t len)
{
	char *p = buf + len - 1;

	*p = '\0';
	do {
		*--p = (char)('0' + (unsigned)(v % 10));
		v /= 10;
	} while (v);
	return p;
}

int rplat_hist_write(const struct rplat_hist *h, const char *name, FILE *f)
{
	char sq[48];

	if (!name || !*name) {
		errno = EINVAL;
		return -1;
	}
	for (const char *c = name; *c; c++) {
		if ((unsigned char)*c <= ' ' || *c == 0x7f) {
			errno = EINVAL;
			return -1;
		}
	}
	fprintf(f, "# rplat-hist 1\n# name %s\n# unit ns\n# sub_bits %d\n", name, RPLAT_HIST_SUB_BITS);
	fprintf(f, "# count %" PRIu64 "\n# min %" PRIu64 "\n# max %" PRIu64 "\n# sum %" PRIu64 "\n", h->count,
		h->min, h->max, h->sum);
	fprintf(f, "# sumsq %s\n# overflow %" PRIu64 "\n# underflow %" PRIu64 "\n",
		u128_str(h->sumsq, sq, sizeof(sq)), h->overflow, h->underflow);
	for (unsigned i = 0; i < RPLAT_HIST_NBUCKETS; i++) {
		uint64_t lo, hi;

		if (!h->bucket[i])
			continue;
		rplat_hist_bounds(i, &lo, &hi);
		fprintf(f, "%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\n", lo, hi, h->bucket[i]);
	}
	if (fflush(f) != 0 || ferror(f)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}

/* The header fields, in the order they are written; each must appear exactly once. */
enum { F_SUB_BITS, F_COUNT, F_MIN, F_MAX, F_SUM, F_SUMSQ, F_OVERFLOW, F_UNDERFLOW, F_N };
static const char *const field_names[F_N] = { "sub_bits", "count", "min", "max", "sum", "sumsq", "overflow",
					      "underflow" };

struct hr {
	const char *path;
	char *err;
	size_t errlen;
	unsigned long line;
};

__attribute__((format(printf, 3, 4))) static int hr_fail(struct hr *r, const char *field, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (r->err && r->errlen)
		snprintf(r->err, r->errlen, "%s: line %lu: %s: %s", r->path ? r->path : "(histogram)", r->line,
			 field, what);
	errno = EINVAL;
	return -1;
}

/* Strict unsigned decimal, no sign or blanks, up to 'max'. Returns 0 or -1. */
static int parse_u128(const char *s, unsigned __int128 max, unsigned __int128 *v)
{
	unsigned __int128 acc = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return -1;
		d = (unsigned)(*s - '0');
		if (acc > (max - d) / 10)
			return -1;
		acc = acc * 10 + d;
	}
	*v = acc;
	return 0;
}

static int parse_u64(const char *s, uint64_t *v)
{
	unsigned __int128 x;

	if (parse_u128(s, UINT64_MAX, &x) < 0)
		return -1;
	*v = (uint64_t)x;
	return 0;
}

/* One "# key value" line (after the "# "). Unknown keys are skipped. */
static int read_header(struct hr *r, struct rplat_hist *h, char *kv, unsigned *seen)
{
	char *val = strchr(kv, ' ');
	uint64_t *dst[F_N] = { NULL, &h->count, &h->min, &h->max, &h->sum, NULL, &h->overflow, &h->underflow };
	unsigned __int128 x;
	int f;

	if (!val)
		return hr_fail(r, kv, "missing value");
	*val++ = '\0';
	if (strcmp(kv, "unit") == 0)
		return strcmp(val, "ns") == 0 ? 0 : hr_fail(r, "unit", "'%.40s' is not 'ns'", val);
	for (f = 0; f < F_N && strcmp(kv, field_names[f]) != 0; f++)
		;
	if (f == F_N)
		return 0; /* "# name ..." and future keys */
	if (*seen & (1u << f))
		return hr_fail(r, kv, "given twice");
	*seen |= 1u << f;
	if (f == F_SUMSQ) {
		if (parse_u128(val, ~(unsigned __int128)0, &h->sumsq) < 0)
			return hr_fail(r, kv, "'%.40s' is not an unsigned 128-bit integer", val);
		return 0;
	}
	if (f == F_SUB_BITS) {
		if (parse_u128(val, 64, &x) < 0 || x != RPLAT_HIST_SUB_BITS)
			return hr_fail(r, kv, "'%.40s' is not %d (the only precision this build reads)", val,
				       RPLAT_HIST_SUB_BITS);
		return 0;
	}
	if (parse_u64(val, dst[f]) < 0)
		return hr_fail(r, kv, "'%.40s' is not an unsigned 64-bit integer", val);
	return 0;
}

/* One "lo<TAB>hi<TAB>count" line. 'next' is the lowest index still allowed (ascending order). */
static int read_bucket(struct hr *r, struct rplat_hist *h, char *line, unsigned *next, uint64_t *total)
{
	char *f1 = line, *f2, *f3;
	uint64_t lo, hi, n, blo, bhi;
	unsigned idx;

	f2 = strchr(f1, '\t');
	f3 = f2 ? strchr(f2 + 1, '\t') : NULL;
	if (!f2 || !f3 || strchr(f3 + 1, '\t'))
		return hr_fail(r, "bucket", "expected 3 tab-separated fields lo, hi, count");
	*f2++ = '\0';
	*f3++ = '\0';
	if (parse_u64(f1, &lo) < 0)
		return hr_fail(r, "lo", "'%.40s' is not an unsigned 64-bit integer", f1);
	if (parse_u64(f2, &hi) < 0)
		return hr_fail(r, "hi", "'%.40s' is not an unsigned 64-bit integer", f2);
	if (parse_u64(f3, &n) < 0)
		return hr_fail(r, "count", "'%.40s' is not an unsigned 64-bit integer", f3);
	if (lo > RPLAT_HIST_MAX_NS)
		return hr_fail(r, "lo", "%" PRIu64 " is above the range (%llu)", lo, RPLAT_HIST_MAX_NS);
	idx = rplat_hist_index(lo);
	rplat_hist_bounds(idx, &blo, &bhi);
	if (lo != blo)
		return hr_fail(r, "lo", "%" PRIu64 " is not a bucket edge (bucket is %" PRIu64 "..%" PRIu64 ")", lo,
			       blo, bhi);
	if (hi != bhi)
		return hr_fail(r, "hi", "%" PRIu64 " does not match the bucket %" PRIu64 "..%" PRIu64, hi, blo,
			       bhi);
	if (idx < *next)
		return hr_fail(r, "lo", "buckets out of order or repeated");
	if (n == 0)
		return hr_fail(r, "count", "empty bucket listed");
	if (n > UINT64_MAX - *total)
		return hr_fail(r, "count", "bucket counts overflow");
	h->bucket[idx] = n;
	*total += n;
	*next = idx + 1;
	return 0;
}

/* Cross-checks once everything is read. */
static int read_check(struct hr *r, const struct rplat_hist *h, uint64_t total)
{
	unsigned first = RPLAT_HIST_NBUCKETS, last = 0;
	uint64_t lo, hi;

	if (total > UINT64_MAX - h->overflow || total + h->overflow != h->count)
		return hr_fail(r, "count", "%" PRIu64 " != bucket counts %" PRIu64 " + overflow %" PRIu64, h->count,
			       total, h->overflow);
	if (h->underflow > h->count)
		return hr_fail(r, "underflow", "larger than count");
	if (h->count == 0) {
		if (h->sum || h->sumsq || h->max || h->min != UINT64_MAX)
			return hr_fail(r, "count", "0, but min/max/sum are not those of an empty histogram");
		return 0;
	}
	if (h->min > h->max)
		return hr_fail(r, "min", "larger than max");
	for (unsigned i = 0; i < RPLAT_HIST_NBUCKETS; i++) {
		if (!h->bucket[i])
			continue;
		if (first == RPLAT_HIST_NBUCKETS)
			first = i;
		last = i;
	}
	if (h->overflow && h->max <= RPLAT_HIST_MAX_NS)
		return hr_fail(r, "max", "overflow is counted but max is in range");
	if (!h->overflow && h->max > RPLAT_HIST_MAX_NS)
		return hr_fail(r, "max", "above the range but overflow is 0");
	if (first == RPLAT_HIST_NBUCKETS)
		return h->min > RPLAT_HIST_MAX_NS ? 0 : hr_fail(r, "min", "in range but no bucket is listed");
	rplat_hist_bounds(first, &lo, &hi);
	if (h->min < lo || h->min > hi)
		return hr_fail(r, "min", "%" PRIu64 " is not in the first bucket %" PRIu64 "..%" PRIu64, h->min, lo,
			       hi);
	if (h->underflow && h->min != 0)
		return hr_fail(r, "min", "underflow is counted but min is not 0");
	rplat_hist_bounds(last, &lo, &hi);
	if (!h->overflow && (h->max < lo || h->max > hi))
		return hr_fail(r, "max", "%" PRIu64 " is not in the last bucket %" PRIu64 "..%" PRIu64, h->max, lo,
			       hi);
	if ((unsigned __int128)h->min * h->count > h->sum || (unsigned __int128)h->max * h->count < h->sum)
		return hr_fail(r, "sum", "not between count * min and count * max");
	return 0;
}

#define HIST_MAX_LINE 512

int rplat_hist_read(struct rplat_hist *h, FILE *f, const char *path, char *err, size_t errlen)
{
	struct hr r = { .path = path, .err = err, .errlen = errlen };
	struct rplat_hist *t = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned seen = 0, next = 0;
	uint64_t total = 0;
	int in_buckets = 0, ret = -1;

	if (!path)
		r.path = path = "(histogram)";
	t = malloc(sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	rplat_hist_init(t);
	t->min = 0; /* must be given */
	while ((n = getline(&line, &cap, f)) >= 0) {
		r.line++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (memchr(line, '\0', (size_t)n)) {
			hr_fail(&r, "line", "NUL byte");
			goto out;
		}
		if (n > HIST_MAX_LINE) {
			hr_fail(&r, "line", "longer than %d bytes", HIST_MAX_LINE);
			goto out;
		}
		if (r.line == 1) {
			if (strcmp(line, "# rplat-hist 1") != 0) {
				hr_fail(&r, "format", "not an rplat histogram version 1 (expected '# rplat-hist 1')");
				goto out;
			}
			continue;
		}
		if (n == 0)
			continue;
		if (line[0] == '#') {
			if (in_buckets) {
				hr_fail(&r, "header", "header line after the buckets");
				goto out;
			}
			if (strncmp(line, "# ", 2) != 0) {
				hr_fail(&r, "header", "expected '# key value'");
				goto out;
			}
			if (read_header(&r, t, line + 2, &seen) < 0)
				goto out;
			continue;
		}
		if (!in_buckets) {
			for (int i = 0; i < F_N; i++) {
				if (!(seen & (1u << i))) {
					hr_fail(&r, field_names[i], "missing before the buckets");
					goto out;
				}
			}
			in_buckets = 1;
		}
		if (read_bucket(&r, t, line, &next, &total) < 0)
			goto out;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		errno = EIO;
		goto out;
	}
	if (r.line == 0) {
		r.line = 1;
		hr_fail(&r, "format", "empty file");
		goto out;
	}
	for (int i = 0; i < F_N && !in_buckets; i++) {
		if (!(seen & (1u << i))) {
			hr_fail(&r, field_names[i], "missing");
			goto out;
		}
	}
	if (read_check(&r, t, total) < 0)
		goto out;
	memcpy(h, t, sizeof(*h));
	ret = 0;
out:
	free(line);
	free(t);
	return ret;
}
