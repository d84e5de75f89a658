/* Clock correlation: map the probe's counter onto host CLOCK_MONOTONIC, robust to queueing delay.
 *
 * Each ping gives two bounds on the mapping H(x) = host ns of remote tick x:
 *   H(t_kick)  >= host_send   (the kick cannot precede the send)
 *   H(t_reply) <= host_recv   (the reply cannot arrive before it was sent)
 * Only the fastest exchanges are informative, so the estimator keeps, per window of samples, the one
 * with the smallest host-side time (host_recv - host_send - remote time); the number of windows is
 * bounded (adjacent windows merge when full), so memory stays constant however long the run. The true
 * line is one of those that meet every kept lower and upper bound; at each end of the stamps' span those
 * lines give a range of host times, and the fit is the line through the middles of the two ranges
 * (slope = drift, intercept = offset). A line through the windows' symmetric midpoints, weighted towards
 * the cheapest, only centres that search (and is kept, with the nominal slope, when the span is under
 * 100 us). The error bound reported with every correlated stage assumes no noise model: err_ns is how far
 * the fitted line can be from any of those lines anywhere over the span (derived in clocksync.c), and the
 * fit is the line that makes it smallest. Bursty, one-sided host delays that would tilt a midpoints' line
 * over a short span neither tilt this one nor make its bound false.
 *
 * What cannot be known: an asymmetry between the two one-way minimum delays shifts every mapped time by
 * half the difference. The bound covers it (the lines it counts include those of every split of the
 * minimum round trip between the two ways), so err_ns stays an honest bound, but the typical error is
 * about |min_h2r - min_r2h| / 2.
 *
 * Memory and cost: the struct is ~20 KiB, fixed; rplat_clk_add is O(1) (a window compaction every
 * RPLAT_CLK_MAX_WINDOWS / 2 windows is O(RPLAT_CLK_MAX_WINDOWS)); rplat_clk_fit is O(windows) per step of
 * the bound's searches over slopes (a few hundred steps): a few milliseconds with 512 windows, once per
 * run. */
#ifndef RPLAT_CLOCKSYNC_H
#define RPLAT_CLOCKSYNC_H

#include <stddef.h>
#include <stdint.h>

#define RPLAT_CLK_MAX_WINDOWS 512

/* run.json clock.method: how rplat_clk_fit() drew its line (clocksync.c's design note); a fit names the
 * one it used in rplat_clk_fit.method. The error bound is the causal envelope's with any of them. */
#define RPLAT_CLK_METHOD \
	"causal-envelope fit: the line through the middles of the feasible host-time range at both span ends"
#define RPLAT_CLK_METHOD_NOMINAL \
	"nominal-rate line through the cheapest-weighted midpoints (the stamps span under 100 us, or " \
	"their midpoints do not rise: too little to show a slope); error bound from the causal envelope"
#define RPLAT_CLK_METHOD_MIDPOINTS \
	"weighted midpoints' line (the envelope's middle line did not rise); error bound from the causal " \
	"envelope"

struct rplat_clk_sample {
	int64_t host_send;  /* ns, CLOCK_MONOTONIC, just before the send */
	int64_t host_recv;  /* ns, CLOCK_MONOTONIC, just after the reply was read */
	uint64_t r_kick;    /* remote ticks */
	uint64_t r_reply;   /* remote ticks */
};

struct rplat_clk {
	double nominal_hz;
	size_t per_window;   /* samples per window; doubles when the windows are full */
	size_t nwin;
	size_t in_cur;       /* samples in the current (last) window */
	size_t nadded;       /* samples taken */
	uint64_t r_first;    /* the earliest remote stamp taken (kept in a window or not) */
	uint64_t r_last;     /* the latest */
	struct rplat_clk_sample win[RPLAT_CLK_MAX_WINDOWS];
	double win_cost[RPLAT_CLK_MAX_WINDOWS];
};

struct rplat_clk_fit {
	int valid;
	double nominal_hz;
	uint64_t r0;         /* reference remote tick */
	double h0;           /* host ns at r0 */
	double ns_per_tick;  /* slope */
	double hz_est;       /* 1e9 / ns_per_tick */
	double drift_ppm;    /* (hz_est / nominal_hz - 1) * 1e6 */
	double err_ns;       /* error bound of a mapped time within the stamps' span (see rplat_clk_fit) */
	size_t windows;      /* windows used */
	uint64_t r_first, r_last;              /* the stamps' span: the earliest and latest remote stamp */
	double ns_per_tick_min, ns_per_tick_max; /* the slopes the kept bounds allow (see rplat_clk_err_at) */
	const char *method;  /* the line drawn: RPLAT_CLK_METHOD or one of its fallbacks above (static) */
	int crossed;         /* no line met every kept bound (clock wander, a wrong stamp): err_ns is an
			      * estimate from relaxed bounds, not a guaranteed bound */
};

/* Start empty; nominal_hz is the counter rate the firmware declares (used for window costs and as the
 * slope when the samples span too little time, under 100 us, to show one). */
void rplat_clk_init(struct rplat_clk *c, double nominal_hz);
/* Add one completed exchange. Samples that bound nothing (host_recv < host_send, r_reply < r_kick) are
 * ignored. */
void rplat_clk_add(struct rplat_clk *c, const struct rplat_clk_sample *s);
/* Fit from what was added; 'c' is not changed, so it can be called at any time during a run. Returns 0,
 * or -1 (fit->valid = 0) with fewer than 2 samples. err_ns bounds |mapped - true| for every remote stamp
 * between the earliest and the latest one added: the largest distance, at either end of that span, from
 * the fitted line to the lines that meet every kept window's two bounds. When no line meets them all
 * (the clock wandered, or a stamp is wrong) every bound is first relaxed by the crossing plus the
 * cheapest window's host-side time, err_ns is no longer guaranteed, and fit->crossed says so. */
int rplat_clk_fit(const struct rplat_clk *c, struct rplat_clk_fit *fit);
/* Host ns (CLOCK_MONOTONIC) of remote tick 'x'. */
/* What run.json clock.method says of a fit: its line, or that there is none. */
const char *rplat_clk_method(const struct rplat_clk_fit *fit);
double rplat_clk_map(const struct rplat_clk_fit *fit, uint64_t x);
/* Error bound of the mapped time of remote tick 'x': err_ns within the stamps' span; beyond it (a fit
 * extrapolated, e.g. one-sided), err_ns plus the distance times the largest difference between the fitted
 * slope and one the kept bounds allow. INFINITY for an invalid fit. */
double rplat_clk_err_at(const struct rplat_clk_fit *fit, uint64_t x);
/* Duration in ns of 'ticks' remote ticks under the fit (nominal rate when the fit is invalid). */
double rplat_clk_ticks_to_ns(const struct rplat_clk_fit *fit, int64_t ticks);

#endif
