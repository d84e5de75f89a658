/* Clock correlation: map the probe's counter onto host CLOCK_MONOTONIC, robust to queueing delay.
 *
 * Each ping gives two bounds on the mapping H(x) = host ns of remote tick x:
 *   H(t_kick)  >= host_send   (the kick cannot precede the send)
 *   H(t_reply) <= host_recv   (the reply cannot arrive before it was sent)
 * Only the fastest exchanges are informative, so the estimator keeps, per window of samples, the one
 * with the smallest host-side time (host_recv - host_send - remote time); the number of windows is
 * bounded (adjacent windows merge when full), so memory stays constant however long the run. The fit
 * is a line through those windows' symmetric midpoints (slope = drift, intercept = offset), weighted
 * towards the cheapest windows, then the intercept is re-centred in the interval that all kept lower and
 * upper bounds allow: its half-width is the error bound reported with every correlated stage.
 *
 * What cannot be known: an asymmetry between the two one-way minimum delays shifts every mapped time by
 * half the difference. The half-width covers it (it is at least the mean of the two minimums), so
 * err_ns stays an honest bound, but the typical error is about |min_h2r - min_r2h| / 2.
 *
 * Memory and cost: the struct is ~20 KiB, fixed; rplat_clk_add is O(1) (a window compaction every
 * RPLAT_CLK_MAX_WINDOWS / 2 windows is O(RPLAT_CLK_MAX_WINDOWS)); rplat_clk_fit is O(windows log windows),
 * well under a millisecond. */
#ifndef RPLAT_CLOCKSYNC_H
#define RPLAT_CLOCKSYNC_H

#include <stddef.h>
#include <stdint.h>

#define RPLAT_CLK_MAX_WINDOWS 512

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
	double err_ns;       /* error bound of a mapped time (half-width of the feasible interval + fit residual) */
	size_t windows;      /* windows used */
};

/* Start empty; nominal_hz is the counter rate the firmware declares (used for window costs and as the
 * slope when the samples span too little time, under 100 us, to show one). */
void rplat_clk_init(struct rplat_clk *c, double nominal_hz);
/* Add one completed exchange. Samples that bound nothing (host_recv < host_send, r_reply < r_kick) are
 * ignored. */
void rplat_clk_add(struct rplat_clk *c, const struct rplat_clk_sample *s);
/* Fit from what was added; 'c' is not changed, so it can be called at any time during a run. Returns 0,
 * or -1 (fit->valid = 0) with fewer than 2 samples. err_ns = half-width of the feasible interval plus
 * 3 standard errors of the slope carried to the farthest window; when the bounds cross (the clock
 * wandered, or a stamp is wrong) it is the overlap plus half the median window cost instead. */
int rplat_clk_fit(const struct rplat_clk *c, struct rplat_clk_fit *fit);
/* Host ns (CLOCK_MONOTONIC) of remote tick 'x'. */
double rplat_clk_map(const struct rplat_clk_fit *fit, uint64_t x);
/* Duration in ns of 'ticks' remote ticks under the fit (nominal rate when the fit is invalid). */
double rplat_clk_ticks_to_ns(const struct rplat_clk_fit *fit, int64_t ticks);

#endif
