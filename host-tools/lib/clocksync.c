/* Clock correlation: remote counter -> host CLOCK_MONOTONIC. See rplat/clocksync.h.
 *
 * Arithmetic is done on centred values (remote ticks relative to r0, host ns relative to the first
 * window's send time) in long double, so that counters of ~1e13 ticks and host times of ~1e13 ns lose
 * nothing to rounding: the fit is exact to well below a nanosecond. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rplat/clocksync.h"

void rplat_clk_init(struct rplat_clk *c, double nominal_hz)
{
	memset(c, 0, sizeof(*c));
	c->nominal_hz = nominal_hz;
	c->per_window = 1;
}

/* Host-side time of an exchange: the round trip minus the remote's own part at the nominal rate. */
static double sample_cost(const struct rplat_clk *c, const struct rplat_clk_sample *s)
{
	double remote = c->nominal_hz > 0 ? (double)(s->r_reply - s->r_kick) * 1e9 / c->nominal_hz : 0;

	return (double)(s->host_recv - s->host_send) - remote;
}

/* Halve the number of windows: each adjacent pair keeps its cheaper sample. */
static void clk_compact(struct rplat_clk *c)
{
	size_t j = 0;

	for (size_t i = 0; i + 1 < c->nwin; i += 2, j++) {
		size_t k = c->win_cost[i + 1] < c->win_cost[i] ? i + 1 : i;

		c->win[j] = c->win[k];
		c->win_cost[j] = c->win_cost[k];
	}
	if (c->nwin & 1) { /* never with an even maximum, kept for safety */
		c->win[j] = c->win[c->nwin - 1];
		c->win_cost[j] = c->win_cost[c->nwin - 1];
		j++;
	}
	c->nwin = j;
	c->per_window *= 2;
	c->in_cur = c->per_window; /* the last merged window is full */
}

void rplat_clk_add(struct rplat_clk *c, const struct rplat_clk_sample *s)
{
	double cost;

	/* a reply before its send, or a counter that ran backwards, bounds nothing */
	if (s->host_recv < s->host_send || s->r_reply < s->r_kick)
		return;
	cost = sample_cost(c, s);
	if (c->nwin == 0 || c->in_cur >= c->per_window) {
		if (c->nwin == RPLAT_CLK_MAX_WINDOWS)
			clk_compact(c);
		c->win[c->nwin] = *s;
		c->win_cost[c->nwin] = cost;
		c->nwin++;
		c->in_cur = 1;
		return;
	}
	c->in_cur++;
	if (cost < c->win_cost[c->nwin - 1]) {
		c->win[c->nwin - 1] = *s;
		c->win_cost[c->nwin - 1] = cost;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Signed distance a - b of two counter values (|a - b| < 2^63). */
static long double tick_diff(uint64_t a, uint64_t b)
{
	return (long double)(int64_t)(a - b);
}

int rplat_clk_fit(const struct rplat_clk *c, struct rplat_clk_fit *fit)
{
	const size_t n = c->nwin;
	double costs[RPLAT_CLK_MAX_WINDOWS], cmin, cmed, scale;
	long double w[RPLAT_CLK_MAX_WINDOWS], W = 0, mx = 0, my = 0, sxx = 0, sxy = 0, a, nominal;
	long double lo = -INFINITY, hi = INFINITY, half, res2 = 0, span = 0, slope_err = 0;
	const int64_t hb = n ? c->win[0].host_send : 0;
	uint64_t r0;

	memset(fit, 0, sizeof(*fit));
	fit->nominal_hz = c->nominal_hz;
	nominal = c->nominal_hz > 0 ? 1e9L / c->nominal_hz : 1.0L;
	if (n < 2)
		return -1;

	/* Weights: the cheapest windows' midpoints are the most trustworthy. A midpoint is off by at most
	 * half its window's cost, so windows are weighted by 1 / (cost - cmin + scale)^2, with the median's
	 * excess as the scale. */
	memcpy(costs, c->win_cost, n * sizeof(costs[0]));
	qsort(costs, n, sizeof(costs[0]), cmp_double);
	cmin = costs[0];
	cmed = costs[n / 2];
	scale = cmed - cmin > 1.0 ? cmed - cmin : 1.0;
	for (size_t i = 0; i < n; i++) {
		long double e = (long double)(c->win_cost[i] - cmin + scale);

		w[i] = 1.0L / (e * e);
		W += w[i];
	}

	/* r0: the weighted centre of the remote midpoints, so that slope errors matter least */
	r0 = c->win[0].r_kick;
	for (size_t i = 0; i < n; i++)
		mx += w[i] * (tick_diff(c->win[i].r_kick, r0) + tick_diff(c->win[i].r_reply, c->win[i].r_kick) / 2);
	r0 += (uint64_t)(int64_t)llroundl(mx / W);

	mx = 0;
	for (size_t i = 0; i < n; i++) {
		const struct rplat_clk_sample *s = &c->win[i];
		long double x = tick_diff(s->r_kick, r0) + tick_diff(s->r_reply, s->r_kick) / 2;
		long double y = (long double)(s->host_send - hb) + (long double)(s->host_recv - s->host_send) / 2;

		mx += w[i] * x;
		my += w[i] * y;
	}
	mx /= W;
	my /= W;
	for (size_t i = 0; i < n; i++) {
		const struct rplat_clk_sample *s = &c->win[i];
		long double x = tick_diff(s->r_kick, r0) + tick_diff(s->r_reply, s->r_kick) / 2 - mx;
		long double y = (long double)(s->host_send - hb) + (long double)(s->host_recv - s->host_send) / 2 - my;

		sxx += w[i] * x * x;
		sxy += w[i] * x * y;
		if (fabsl(x + mx) > span)
			span = fabsl(x + mx);
	}
	/* windows too close together to see a slope: assume the nominal rate */
	a = sxx > 0 && span * nominal > 1e5L ? sxy / sxx : nominal;
	if (!(a > 0))
		a = nominal;

	/* The intercept: every window bounds it from below (the kick follows the send) and from above (the
	 * reply precedes the receive). Centre it in what remains. */
	for (size_t i = 0; i < n; i++) {
		const struct rplat_clk_sample *s = &c->win[i];
		long double l = (long double)(s->host_send - hb) - a * tick_diff(s->r_kick, r0);
		long double u = (long double)(s->host_recv - hb) - a * tick_diff(s->r_reply, r0);

		if (l > lo)
			lo = l;
		if (u < hi)
			hi = u;
	}
	if (lo <= hi)
		half = (hi - lo) / 2;
	else /* crossed bounds (clock wander, a bad stamp): the overlap plus a typical half-cost */
		half = (lo - hi) + (long double)cmed / 2;

	/* Slope uncertainty, from the weighted residuals of the midpoints (3 standard errors), carried to
	 * the farthest window. */
	if (n > 2 && sxx > 0 && a != nominal) {
		for (size_t i = 0; i < n; i++) {
			const struct rplat_clk_sample *s = &c->win[i];
			long double x = tick_diff(s->r_kick, r0) + tick_diff(s->r_reply, s->r_kick) / 2 - mx;
			long double y = (long double)(s->host_send - hb) +
					(long double)(s->host_recv - s->host_send) / 2 - my;
			long double r = y - a * x;

			res2 += w[i] * r * r;
		}
		slope_err = 3.0L * sqrtl(res2 / ((long double)(n - 2) * sxx));
	}

	fit->valid = 1;
	fit->r0 = r0;
	fit->h0 = (double)((long double)hb + (lo + hi) / 2);
	fit->ns_per_tick = (double)a;
	fit->hz_est = (double)(1e9L / a);
	fit->drift_ppm = c->nominal_hz > 0 ? (fit->hz_est / c->nominal_hz - 1.0) * 1e6 : 0;
	fit->err_ns = (double)(half + slope_err * span);
	fit->windows = n;
	return 0;
}

double rplat_clk_map(const struct rplat_clk_fit *fit, uint64_t x)
{
	return (double)((long double)fit->h0 + (long double)fit->ns_per_tick * tick_diff(x, fit->r0));
}

double rplat_clk_ticks_to_ns(const struct rplat_clk_fit *fit, int64_t ticks)
{
	if (fit->valid)
		return (double)((long double)ticks * fit->ns_per_tick);
	return fit->nominal_hz > 0 ? (double)((long double)ticks * 1e9L / fit->nominal_hz) : (double)ticks;
}
