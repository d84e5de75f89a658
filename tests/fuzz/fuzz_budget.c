/* fuzz-sources: reports/budget.c host-tools/lib/run_read.c host-tools/lib/run_samples.c host-tools/lib/hist.c host-tools/lib/json.c host-tools/lib/util.c */
/* libFuzzer target for the budget language (reports/budget.c): parser and evaluation.
 *
 * Every input either parses or fails with "fuzz.txt:LINE:COL: what". A budget that parses has no negative
 * limit, and is evaluated against a fixed in-memory run (1000 round trips, two sizes, a stage, lost and
 * late replies): every check's verdict must be the one an oracle of its own derives from the check's
 * bounds (exact: the value meets the limit or not; a percentile's bucket: all of it, none of it, or
 * undecided), and the result's tallies must add up. The oracle orders doubles by their bit patterns, not
 * with budget.c's comparison, so a mistake there (a '<' for '<=', a NaN let through) shows. The text, TAP
 * and JUnit writers run on the result.
 *
 *   clang -g -fsanitize=fuzzer,address,undefined -Iprobe-fw/include -Ihost-tools/include \
 *         tests/fuzz/fuzz_budget.c reports/budget.c host-tools/lib/{hist,json,util}.c -lm -o fuzz_budget
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rplat/budget.h"

static struct rplat_run run;

static void setup(void)
{
	static const char meta[] = "{\"format\":\"rplat-run\",\"format_version\":1,\"kind\":\"ping\",\"label\":\"f\","
				   "\"options\":{\"sizes\":[40,256]},\"clock\":{\"valid\":true,\"err_bound_ns\":1500}}";
	char err[128];
	int i;

	run.meta = rplat_json_parse(meta, sizeof(meta) - 1, err, sizeof(err));
	if (!run.meta)
		abort();
	run.dir = "RUN";
	run.label = "f";
	run.kind = "ping";
	run.format_version = 1;
	run.verified = 1;
	rplat_hist_init(&run.rtt);
	for (i = 0; i < RPLAT_NSTAGES; i++)
		rplat_hist_init(&run.stage[i]);
	run.nsizes = 2;
	run.sizes = calloc(2, sizeof(*run.sizes));
	if (!run.sizes)
		abort();
	run.sizes[0].size = 40;
	run.sizes[1].size = 256;
	rplat_hist_init(&run.sizes[0].hist);
	rplat_hist_init(&run.sizes[1].hist);
	for (i = 0; i < 1000; i++) {
		uint64_t v = 9000 + (uint64_t)i * 37 + (i % 97 == 0 ? 5000000 : 0);

		rplat_hist_add(&run.rtt, v);
		rplat_hist_add(&run.sizes[i % 2].hist, v);
		rplat_hist_add(&run.stage[1], 100 + (uint64_t)i);
	}
	run.has_stage[1] = 1;
	run.counts.sent = 1003;
	run.counts.received = 1000;
	run.counts.lost = 3;
	run.counts.late = 12;
}

/* The oracle, written apart from budget.c's compare() so that it cannot share its mistakes: no
 * floating-point comparison operator at all. A double's order is read from its IEEE-754 bit pattern (sign
 * and magnitude; for non-negative doubles the magnitude bits order like integers, infinities included),
 * the two zeros are one value, NaN is unordered. An operator is the set of orders it accepts. */
enum order { LESS = 1, EQUAL = 2, GREATER = 4, UNORDERED = 8 };

static enum order order_of(double a, double b)
{
	const uint64_t mag = ~(1ull << 63), inf = 0x7ffull << 52;
	uint64_t ua, ub;
	int64_t ka, kb;

	memcpy(&ua, &a, sizeof(ua));
	memcpy(&ub, &b, sizeof(ub));
	if ((ua & mag) > inf || (ub & mag) > inf)
		return UNORDERED;
	ka = ua >> 63 ? -(int64_t)(ua & mag) : (int64_t)(ua & mag);
	kb = ub >> 63 ? -(int64_t)(ub & mag) : (int64_t)(ub & mag);
	return ka < kb ? LESS : ka > kb ? GREATER : EQUAL;
}

static unsigned accepts(enum rplat_budget_op op)
{
	switch (op) {
	case RPLAT_B_LE:
		return LESS | EQUAL;
	case RPLAT_B_LT:
		return LESS;
	case RPLAT_B_GE:
		return GREATER | EQUAL;
	case RPLAT_B_GT:
		return GREATER;
	case RPLAT_B_EQ:
		return EQUAL;
	case RPLAT_B_NE:
		return LESS | GREATER | UNORDERED;
	}
	abort(); /* an operator the oracle does not know */
}

/* Does 'v OP lim' hold? */
static int holds(double v, enum rplat_budget_op op, double lim)
{
	return (accepts(op) & order_of(v, lim)) != 0;
}

/* The verdict a check must have: exact (lo == hi), it holds or not; a range (a percentile somewhere in
 * [lo, hi]) passes when every value there meets the limit, fails when none does, else is undecided.
 * The monotone operators are decided by the two ends; == and != by whether the limit lies inside. */
static enum rplat_budget_status verdict(const struct rplat_budget_check *c)
{
	enum rplat_budget_op op = c->rule->op;
	double lo = c->measured_lo, hi = c->measured_hi, lim = c->rule->limit;
	int inside;

	if (order_of(lo, hi) == EQUAL)
		return holds(lo, op, lim) ? RPLAT_B_PASS : RPLAT_B_FAIL;
	if (op == RPLAT_B_EQ || op == RPLAT_B_NE) {
		inside = !holds(lim, RPLAT_B_LT, lo) && !holds(lim, RPLAT_B_GT, hi);
		if (op == RPLAT_B_EQ)
			return inside ? RPLAT_B_UNDECIDED : RPLAT_B_FAIL;
		return inside ? RPLAT_B_UNDECIDED : RPLAT_B_PASS;
	}
	if (holds(lo, op, lim) && holds(hi, op, lim))
		return RPLAT_B_PASS;
	if (!holds(lo, op, lim) && !holds(hi, op, lim))
		return RPLAT_B_FAIL;
	return RPLAT_B_UNDECIDED;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rplat_run *runs[1] = { &run };
	struct rplat_budget_result res;
	struct rplat_budget *b;
	char err[512] = "", *text, *buf = NULL;
	size_t len = 0;
	FILE *f;
	int i, pass = 0, fail = 0, other = 0, undecided = 0;

	if (!run.meta)
		setup();
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	b = rplat_budget_parse(text, "fuzz.txt", err, sizeof(err));
	free(text);
	if (!b) {
		if (strncmp(err, "fuzz.txt:", 9) != 0 && !strstr(err, "out of memory"))
			abort();
		return 0;
	}
	if (b->n < 1)
		abort();
	for (i = 0; i < b->n; i++)
		if (!(b->rules[i].limit >= 0))
			abort(); /* negative (or nan) limits are refused */
	if (rplat_budget_eval(b, &run, &res) == 0) {
		for (i = 0; i < res.n; i++) {
			const struct rplat_budget_check *c = &res.checks[i];

			if (c->status == RPLAT_B_PASS)
				pass++;
			else if (c->status == RPLAT_B_FAIL)
				fail++;
			else
				other++;
			undecided += c->status == RPLAT_B_UNDECIDED;
			if (c->status == RPLAT_B_MISSING)
				continue;
			if (order_of(c->measured_lo, c->measured_hi) == GREATER)
				abort();
			if (c->status != verdict(c))
				abort();
		}
		if (pass != res.passed || fail != res.failed || other != res.missing ||
		    undecided != res.undecided)
			abort();
		f = open_memstream(&buf, &len);
		if (!f)
			abort();
		rplat_budget_print(f, b, runs, &res, 1);
		rplat_budget_write_tap(f, b, runs, &res, 1);
		if (rplat_budget_write_junit(f, b, runs, &res, 1) != 0)
			abort();
		fclose(f);
		free(buf);
		rplat_budget_result_free(&res);
	}
	rplat_budget_free(b);
	return 0;
}
