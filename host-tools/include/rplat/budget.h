/* Latency budgets: a small rule language checked against runs (rplat budget, rplat report --budget).
 *
 * One rule per line, '#' starts a comment, blank lines are ignored:
 *
 *   rtt.p99.9 <= 50us                   a percentile of the round trip (any pN, 0 < N <= 100)
 *   rtt.max <= 120us                    min, max, avg (or mean), stddev, count, pN
 *   stage.remote_dispatch.p99 <= 5us    a stage: stage.host_to_remote, .remote_dispatch,
 *   dispatch.p50 < 2us                  .remote_processing, .remote_to_host (or h2r, dispatch, proc, r2h)
 *   rtt@64.p99 <= 40us                  only the 64-byte messages (a run measured with -s ...,64,...)
 *   rtt@*.p99 <= 40us                   every payload size of the run, each checked on its own
 *   lost == 0                           counts: sent, received, lost, late, duplicate, out_of_order,
 *   lost <= 0.1%                        corrupt, error; with '%': as a share of the messages sent
 *   clock.err_bound <= 2us              the clock correlation's error bound
 *   size 64:                            a block: the indented rules below it apply to 64-byte
 *     rtt.p99 <= 40us                   messages (size *: to every size), up to the next unindented line
 *
 * Operators: <= < >= > == !=. Times need a unit (ns, us, ms, s); counts take none; limits are >= 0. A
 * figure the run does not have (no stage breakdown, no such size) fails the rule, and so does every run
 * whose samples.tsv is missing or does not agree with run.json and its histograms (a check named
 * "samples.tsv"): a budget passes only when every figure it names was measured, verified and met.
 * Latency figures count every answered message (ok and late replies); lost messages have no latency
 * and are in none. Percentiles come from the run's histograms: a percentile is only known to lie in its
 * bucket (<= 0.8% wide, see rplat/hist.h), so a rule passes when the whole bucket meets the limit, fails
 * when none of it does, and when the limit falls inside it is decided on the exact percentile from the
 * run's verified samples.tsv (rplat_run_exact_percentile), or is UNDECIDED (not a pass) without one;
 * p100, min, max, avg and stddev are exact. */
#ifndef RPLAT_BUDGET_H
#define RPLAT_BUDGET_H

#include <stddef.h>
#include <stdio.h>

#include "rplat/run.h"

enum rplat_budget_op { RPLAT_B_LE, RPLAT_B_LT, RPLAT_B_GE, RPLAT_B_GT, RPLAT_B_EQ, RPLAT_B_NE };
enum rplat_budget_stat { RPLAT_B_MIN, RPLAT_B_MAX, RPLAT_B_AVG, RPLAT_B_STDDEV, RPLAT_B_COUNT, RPLAT_B_PCT };
enum rplat_budget_kind { RPLAT_B_HIST, RPLAT_B_COUNTER, RPLAT_B_CLOCK };

#define RPLAT_B_ALL_SIZES (-1)  /* the whole run */
#define RPLAT_B_EACH_SIZE (-2)  /* @* : every size on its own */

struct rplat_budget_rule {
	int line, col;                  /* where the rule starts (1-based) */
	char text[200];                 /* the rule as written, trimmed (with its size block folded in) */
	enum rplat_budget_kind kind;
	int series;                     /* RPLAT_B_HIST: -1 rtt, else a stage index (rplat_stage_names) */
	int size;                       /* RPLAT_B_ALL_SIZES, RPLAT_B_EACH_SIZE or a payload size */
	enum rplat_budget_stat stat;
	double pct;                     /* RPLAT_B_PCT: the percentile */
	int counter;                    /* RPLAT_B_COUNTER: index into struct rplat_run_counts */
	int percent;                    /* the limit is a share of sent, in % */
	enum rplat_budget_op op;
	double limit;                   /* ns for times, a count, or % */
	int is_time;
};

struct rplat_budget {
	char name[256]; /* the file, or "<inline>" */
	int n;
	struct rplat_budget_rule *rules;
};

/**
 * rplat_budget_parse - parse budget text
 * @text: the rules; @name: the file name used in messages
 *
 * Returns the budget (free with rplat_budget_free), or NULL with "NAME:LINE:COL: problem" in err.
 */
struct rplat_budget *rplat_budget_parse(const char *text, const char *name, char *err, size_t errlen);
/* Parse a file; if 'spec' is not a file and looks like rules ("rtt.p99 <= 50us; lost == 0"), parse it as
 * inline rules separated by ';'. */
struct rplat_budget *rplat_budget_load(const char *spec, char *err, size_t errlen);
void rplat_budget_free(struct rplat_budget *b);

/* UNDECIDED: the figure's histogram bucket straddles the limit (a percentile is only known to lie in its
 * bucket, see rplat_hist_percentile_range), so the run can neither pass nor fail the rule; like MISSING,
 * it keeps the budget from passing. */
enum rplat_budget_status { RPLAT_B_PASS, RPLAT_B_FAIL, RPLAT_B_MISSING, RPLAT_B_UNDECIDED };

struct rplat_budget_check {
	const struct rplat_budget_rule *rule;
	char name[224];        /* the rule, with a @* size made concrete */
	enum rplat_budget_status status;
	double measured;       /* ns, count or %, as the rule (a percentile: its bucket's bound that decides) */
	double measured_lo, measured_hi; /* where the figure certainly lies (lo == hi when exact) */
	char measured_text[64];
	char limit_text[64];
	char detail[192];      /* what was measured, or why it is missing */
};

struct rplat_budget_result {
	int n;
	struct rplat_budget_check *checks;
	int passed, failed, missing; /* missing: not measured or undecided (neither passed nor failed) */
	int undecided;               /* of those, undecided */
};

/* Check every rule against one run. Returns 0 (res filled; free with rplat_budget_result_free), or -1
 * (out of memory). */
int rplat_budget_eval(const struct rplat_budget *b, const struct rplat_run *r, struct rplat_budget_result *res);
void rplat_budget_result_free(struct rplat_budget_result *res);

/* Outputs over several runs: res[i] belongs to runs[i]. */
void rplat_budget_print(FILE *f, const struct rplat_budget *b, struct rplat_run *const *runs,
			const struct rplat_budget_result *res, int n);
void rplat_budget_write_tap(FILE *f, const struct rplat_budget *b, struct rplat_run *const *runs,
			    const struct rplat_budget_result *res, int n);
/* JUnit XML (one testsuite per run, one testcase per check). Returns 0 or -1 (write error). */
int rplat_budget_write_junit(FILE *f, const struct rplat_budget *b, struct rplat_run *const *runs,
			     const struct rplat_budget_result *res, int n);

/* Format a time in ns with a fitting unit ("812 ns", "32.10 us", "1.250 ms"). */
void rplat_fmt_ns(double ns, char *buf, size_t n);

#endif
