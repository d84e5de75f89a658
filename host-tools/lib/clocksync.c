/* Clock correlation: remote counter -> host CLOCK_MONOTONIC. See rplat/clocksync.h.
 *
 * Arithmetic is done on centred values (remote ticks relative to r0, host ns relative to the first
 * window's send time) in long double, so that counters of ~1e13 ticks and host times of ~1e13 ns lose
 * nothing to rounding: the fit is exact to well below a nanosecond.
 *
 * The error bound, and why it is what it is.
 *
 * Each kept window gives two hard constraints on the true mapping H(x) = b + a x (x: ticks from r0):
 *   b + a (k + 1) >= s    the kick came after the send (k: its stamp, floored, so the kick happened
 *                         before tick k + 1; s: the send stamp, taken before the send)
 *   b + a p       <= v    the reply was pushed before it was received (p: its stamp, v: the receive)
 * They hold whatever the delays are: no noise model, no independence. So the true line lies in the
 * feasible set F of lines (a, b) meeting all of them, and at any x the true H(x) lies in
 * [L(x), U(x)] = [min, max of b + a x over F]. The fitted line Hf is then off at x by at most
 *   B(x) = max(U(x) - Hf(x), Hf(x) - L(x)).
 * U is a maximum of linear functions of x, so U - Hf is convex, and so is Hf - L: B is largest at an
 * end of the stamps' span, and err_ns = max(B(x_first), B(x_last)), x_first/x_last the earliest and
 * latest remote stamp ever added (kept or not).
 *
 * Computing U(x0): for a fixed slope a the intercept ranges over [lo(a), hi(a)], lo(a) = max(s - a (k + 1)),
 * hi(a) = min(v - a p), both over the windows. hi - lo is concave in a, so the feasible slopes are an
 * interval A = [a_min, a_max] (found by bisection around the slope where hi - lo is largest), and
 * U(x0) = max over A of hi(a) + a x0, a concave function of a (ternary search), L(x0) likewise with lo. The
 * slopes are searched within a factor 2 of the fitted one (no counter is off its declared rate by that).
 * Beyond the span (rplat_clk_err_at), U grows at most as fast as a_max and L at least as fast as a_min, so
 * B(x) <= err_ns + max(a_max - a, a - a_min) * distance.
 *
 * The fitted line: B is smallest, (U - L) / 2 at both ends, for the line through the middles of [L, U] at
 * x_first and x_last, so that is the fit. It depends only on the envelope of the fastest exchanges, not
 * on how the slower ones are spread: a burst of late one-way wakeups that tilts the weighted midpoints'
 * line leaves it alone (observing 0.3 s of a sim echo with a true drift of 25 ppm on the loaded VM, the
 * midpoints' line said 9.96 and 31.5 ppm, this one 23.9 to 26.9 ppm). The midpoints' line still centres the slope search, and
 * is the fit (with the nominal slope) when the span is too short to show a slope.
 *
 * What the old bound missed: it took the half-width (hi(a) - lo(a)) / 2 at the fitted slope only, plus 3
 * standard errors of the slope computed from the midpoints' weighted residuals as if they were independent.
 * They are not: the host's delays come in bursts (a loaded host wakes its reader late for tens of ms at a
 * time), and they are one-sided (a late wakeup only ever adds to one way), so a burst in one part of a
 * short span tilts the midpoints' line, by more than their spread says. Worse, a wrong slope narrows
 * [lo(a), hi(a)] rather than widening it, so the half-width shrank exactly when the slope was off: a fit
 * over 0.35 s came out 17 ppm off with a bound of 2.5 us and a real error of 4.4 us. B(x) needs neither
 * assumption; it is at least the old half-width (U - L >= hi(a) - lo(a) at any x), and over long spans,
 * where the slope is pinned by the windows at both ends, hardly more (see tests/unit/test_clocksync.c).
 *
 * When no line meets every constraint (the clock wandered, or a stamp is wrong: the bounds cross by g at
 * best), there is no such guarantee. Every constraint is then relaxed by g plus the cheapest window's
 * cost (a true line misses one wrong stamp's bound by at most the crossing plus one round trip's host-side
 * time) and B is taken on the relaxed set. */
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
	if (!c->nadded || (int64_t)(s->r_kick - c->r_first) < 0)
		c->r_first = s->r_kick;
	if (!c->nadded || (int64_t)(s->r_reply - c->r_last) > 0)
		c->r_last = s->r_reply;
	c->nadded++;
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

/* The windows' constraints in centred coordinates (see the note at the top): for each window, the line
 * must pass above (k, s) and below (p, v); 'relax' widens every constraint (crossed bounds). */
struct feas {
	size_t n;
	long double k[RPLAT_CLK_MAX_WINDOWS], s[RPLAT_CLK_MAX_WINDOWS];
	long double p[RPLAT_CLK_MAX_WINDOWS], v[RPLAT_CLK_MAX_WINDOWS];
	long double relax;
	long double xscale; /* the largest |x| involved, ticks: a slope error times it is a host-time error */
};

/* The lowest and highest intercept a line of slope 'a' can have. */
static long double feas_lo(const struct feas *f, long double a)
{
	long double m = -INFINITY;

	for (size_t i = 0; i < f->n; i++)
		if (f->s[i] - a * f->k[i] > m)
			m = f->s[i] - a * f->k[i];
	return m - f->relax;
}

static long double feas_hi(const struct feas *f, long double a)
{
	long double m = INFINITY;

	for (size_t i = 0; i < f->n; i++)
		if (f->v[i] - a * f->p[i] < m)
			m = f->v[i] - a * f->p[i];
	return m + f->relax;
}

enum feas_what { FEAS_GAP, FEAS_UPPER, FEAS_LOWER };

/* Three concave functions of the slope: the room left for the intercept, the highest value at x0 of a line
 * of that slope, and minus the lowest. */
static long double feas_eval(const struct feas *f, enum feas_what what, long double a, long double x0)
{
	switch (what) {
	case FEAS_GAP:
		return feas_hi(f, a) - feas_lo(f, a);
	case FEAS_UPPER:
		return feas_hi(f, a) + a * x0;
	case FEAS_LOWER:
		return -(feas_lo(f, a) + a * x0);
	}
	return -INFINITY;
}

/* Until a slope interval matters less than this at the farthest x (ns). */
#define FEAS_TOL_NS 1e-3L

/* Maximum of a concave function of the slope over [l, r] (ternary search); its argument in *arg. The
 * value is below the true maximum by at most FEAS_TOL_NS. */
static long double feas_max(const struct feas *f, enum feas_what what, long double x0, long double l, long double r,
			    long double *arg)
{
	long double fl, fr, best;

	for (int i = 0; i < 400 && (r - l) * f->xscale > FEAS_TOL_NS; i++) {
		long double m1 = l + (r - l) / 3, m2 = r - (r - l) / 3;

		if (feas_eval(f, what, m1, x0) < feas_eval(f, what, m2, x0))
			l = m1;
		else
			r = m2;
	}
	fl = feas_eval(f, what, l, x0);
	fr = feas_eval(f, what, r, x0);
	best = fl > fr ? fl : fr;
	if (arg)
		*arg = fl > fr ? l : r;
	return best;
}

/* The edge of the feasible slopes between 'in' (feasible) and 'out' (a limit of the search), by
 * bisection; returns the outer end, so the interval is never too narrow. */
static long double feas_edge(const struct feas *f, long double in, long double out)
{
	if (feas_eval(f, FEAS_GAP, out, 0) >= 0)
		return out;
	for (int i = 0; i < 400 && fabsl(out - in) * f->xscale > FEAS_TOL_NS; i++) {
		long double m = (in + out) / 2;

		if (feas_eval(f, FEAS_GAP, m, 0) >= 0)
			in = m;
		else
			out = m;
	}
	return out;
}

/* The bound B(x0) of the note at the top, for the fitted line of slope 'a' and intercept 'b', with the
 * feasible slopes [amin, amax]. */
static long double feas_bound_at(const struct feas *f, long double amin, long double amax, long double a,
				 long double b, long double x0)
{
	long double hf = b + a * x0;
	long double up = feas_max(f, FEAS_UPPER, x0, amin, amax, NULL) - hf;
	long double down = hf + feas_max(f, FEAS_LOWER, x0, amin, amax, NULL);

	return up > down ? up : down;
}

int rplat_clk_fit(const struct rplat_clk *c, struct rplat_clk_fit *fit)
{
	const size_t n = c->nwin;
	double costs[RPLAT_CLK_MAX_WINDOWS], cmin, cmed, scale;
	long double w[RPLAT_CLK_MAX_WINDOWS], W = 0, mx = 0, my = 0, sxx = 0, sxy = 0, a, nominal;
	long double lo = -INFINITY, hi = INFINITY, span = 0, amin, amax, astar, err, b;
	const int64_t hb = n ? c->win[0].host_send : 0;
	struct feas feas, *f = &feas;
	uint64_t r0;
	int sloped;

	memset(fit, 0, sizeof(*fit));
	fit->nominal_hz = c->nominal_hz;
	fit->method = RPLAT_CLK_METHOD_NOMINAL;
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
	sloped = sxx > 0 && span * nominal > 1e5L && sxy / sxx > 0;
	a = sloped ? sxy / sxx : nominal;

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
	b = (lo + hi) / 2;

	/* The error bound (see the note at the top): the feasible lines, relaxed if there are none. */
	f->n = n;
	f->relax = 0;
	f->xscale = 1;
	for (size_t i = 0; i < n; i++) {
		const struct rplat_clk_sample *s = &c->win[i];

		f->k[i] = tick_diff(s->r_kick, r0) + 1;
		f->s[i] = (long double)(s->host_send - hb);
		f->p[i] = tick_diff(s->r_reply, r0);
		f->v[i] = (long double)(s->host_recv - hb);
		if (fabsl(f->k[i]) > f->xscale)
			f->xscale = fabsl(f->k[i]);
		if (fabsl(f->p[i]) > f->xscale)
			f->xscale = fabsl(f->p[i]);
	}
	{
		long double x1 = tick_diff(c->r_first, r0), x2 = tick_diff(c->r_last, r0), gap;

		if (fabsl(x1) > f->xscale)
			f->xscale = fabsl(x1);
		if (fabsl(x2) > f->xscale)
			f->xscale = fabsl(x2);
		gap = feas_max(f, FEAS_GAP, 0, a / 2, a * 2, &astar);
		if (gap < 0) /* crossed: relax by the crossing plus the cheapest window's host-side time */
			f->relax = -gap + (cmin > 0 ? (long double)cmin : 0);
		amin = feas_edge(f, astar, a / 2);
		amax = feas_edge(f, astar, a * 2);
		/* the line that makes that bound smallest: through the middle of [L, U] at both ends of the span
		 * (the midpoints' slope only centres the search) */
		if (sloped)
			fit->method = RPLAT_CLK_METHOD_MIDPOINTS;
		if (sloped && x2 > x1) {
			long double u1 = feas_max(f, FEAS_UPPER, x1, amin, amax, NULL);
			long double l1 = -feas_max(f, FEAS_LOWER, x1, amin, amax, NULL);
			long double u2 = feas_max(f, FEAS_UPPER, x2, amin, amax, NULL);
			long double l2 = -feas_max(f, FEAS_LOWER, x2, amin, amax, NULL);
			long double am = ((u2 + l2) / 2 - (u1 + l1) / 2) / (x2 - x1);

			if (am > 0 && isfinite(am)) {
				fit->method = RPLAT_CLK_METHOD;
				a = am;
				b = (u1 + l1) / 2 - a * x1;
			}
		}
		err = feas_bound_at(f, amin, amax, a, b, x1);
		gap = feas_bound_at(f, amin, amax, a, b, x2);
		if (gap > err)
			err = gap;
		err += FEAS_TOL_NS;
	}

	fit->valid = 1;
	fit->r0 = r0;
	fit->h0 = (double)((long double)hb + b);
	fit->ns_per_tick = (double)a;
	fit->hz_est = (double)(1e9L / a);
	fit->drift_ppm = c->nominal_hz > 0 ? (fit->hz_est / c->nominal_hz - 1.0) * 1e6 : 0;
	fit->err_ns = (double)err;
	fit->windows = n;
	fit->r_first = c->r_first;
	fit->r_last = c->r_last;
	fit->ns_per_tick_min = (double)amin;
	fit->ns_per_tick_max = (double)amax;
	fit->crossed = f->relax > 0;
	return 0;
}

const char *rplat_clk_method(const struct rplat_clk_fit *fit)
{
	if (!fit->valid || !fit->method)
		return "no fit (fewer than two exchanges bound the clock)";
	return fit->method;
}

double rplat_clk_map(const struct rplat_clk_fit *fit, uint64_t x)
{
	return (double)((long double)fit->h0 + (long double)fit->ns_per_tick * tick_diff(x, fit->r0));
}

double rplat_clk_err_at(const struct rplat_clk_fit *fit, uint64_t x)
{
	long double d = 0, up, down;

	if (!fit->valid)
		return INFINITY;
	if ((int64_t)(x - fit->r_first) < 0)
		d = tick_diff(fit->r_first, x);
	else if ((int64_t)(x - fit->r_last) > 0)
		d = tick_diff(x, fit->r_last);
	if (d == 0)
		return fit->err_ns;
	/* beyond the span's end by d ticks, U grows by at most the steepest allowed slope times d, the fitted
	 * line by its own slope (before its start, the same with the slopes' roles swapped) */
	up = (long double)fit->ns_per_tick_max - fit->ns_per_tick;
	down = (long double)fit->ns_per_tick - fit->ns_per_tick_min;
	return (double)((long double)fit->err_ns + (up > down ? up : down) * d);
}

double rplat_clk_ticks_to_ns(const struct rplat_clk_fit *fit, int64_t ticks)
{
	if (fit->valid)
		return (double)((long double)ticks * fit->ns_per_tick);
	return fit->nominal_hz > 0 ? (double)((long double)ticks * 1e9L / fit->nominal_hz) : (double)ticks;
}
