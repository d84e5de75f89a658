/* Reports from runs: `rplat report` (one section per run) and `rplat compare` (runs overlaid), each as a
 * self-contained HTML page (inline SVG, no external assets), a Markdown page with PNG plots, the gnuplot
 * script and its data. The output directory is written as DIR.tmp-XXXXXX and renamed into place when
 * complete; an existing DIR is replaced only if it is an rplat report itself.
 *
 * The statistics behind `compare` work on histograms, so they cost the same for 1e3 and 1e9 samples:
 * - rplat_hist_mann_whitney(): Mann-Whitney U with the normal approximation and the tie correction, each
 *   histogram bucket being one tie group (values within 0.8% of each other count as equal).
 * - rplat_hist_bootstrap_pct_diff(): a bootstrap confidence interval for the difference of a percentile
 *   between two runs. Each replicate draws the resampled order statistic exactly: the k-th smallest of n
 *   uniforms is Beta(k, n+1-k), mapped through the histogram's empirical quantile function, which is what
 *   resampling n values with replacement and taking their k-th smallest gives.
 * Both treat samples as independent. Consecutive round trips are correlated in time, so the p-value and
 * interval are optimistic; the reports say so. */
#ifndef RPLAT_REPORT_H
#define RPLAT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "rplat/hist.h"
#include "rplat/run.h"

struct rplat_report_opts {
	const char *out_dir;   /* -o DIR (required) */
	const char *budget;    /* --budget SPEC (file or inline rules), or NULL */
	const char *title;     /* --title, or NULL for one made from the labels */
	int top;               /* outliers listed per run (default 10) */
	int no_png;            /* --no-png: SVG only (faster) */
	int quiet;
};

void rplat_report_opts_init(struct rplat_report_opts *o);

/* Write the report of 'n' runs into o->out_dir. Returns 0, or -1 with a message in err (nothing is left
 * behind). budget_failed, if not NULL, is set when a budget was given and a run does not meet it. */
int rplat_report_write(struct rplat_run *const *runs, int n, const struct rplat_report_opts *o, int *budget_failed,
		       char *err, size_t errlen);

/* Write the comparison of 'n' >= 2 runs (the first is the baseline). Returns 0 or -1 (err). */
int rplat_compare_write(struct rplat_run *const *runs, int n, const struct rplat_report_opts *o, char *err,
			size_t errlen);

struct rplat_mwu {
	double n1, n2;
	double u1;        /* U of the first histogram: pairs (a, b) with a > b, ties counting 1/2 */
	double auc;       /* u1 / (n1 n2): the chance that a value from the first exceeds one from the second */
	double z;         /* normal approximation, tie- and continuity-corrected */
	double p;         /* two-sided p-value */
	double tie_term;  /* sum over tie groups of t^3 - t */
};

/* Mann-Whitney U between two histograms. Returns 0, or -1 if either is empty. */
int rplat_hist_mann_whitney(const struct rplat_hist *a, const struct rplat_hist *b, struct rplat_mwu *out);

/* Bootstrap CI of percentile(b) - percentile(a) in ns: 'reps' replicates (e.g. 2000) with a fixed seed
 * (reproducible reports). conf is the two-sided level (0.95). est is the difference of the percentiles
 * themselves. Returns 0, or -1 if either histogram is empty. */
int rplat_hist_bootstrap_pct_diff(const struct rplat_hist *a, const struct rplat_hist *b, double pct, int reps,
				  double conf, uint64_t seed, double *lo, double *est, double *hi);

#endif
