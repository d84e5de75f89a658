/* fuzz-sources: reports/budget.c host-tools/lib/run_read.c host-tools/lib/run_samples.c host-tools/lib/hist.c host-tools/lib/json.c host-tools/lib/util.c */
/* libFuzzer target for the budget language (reports/budget.c): parser and evaluation.
 *
 * Every input either parses or fails with "fuzz.txt:LINE:COL: what". A budget that parses has no negative
 * limit, and is evaluated against a fixed in-memory run (1000 round trips, two sizes, a stage, lost and
 * late replies): every check's verdict must follow from its bounds (a PASS of '<=' has its upper bound
 * within the limit, a FAIL its lower bound beyond it, an UNDECIDED the limit inside them), and the
 * result's tallies must add up. The text, TAP and JUnit writers run on the result.
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

static int holds(double v, enum rplat_budget_op op, double lim)
{
	switch (op) {
	case RPLAT_B_LE:
		return v <= lim;
	case RPLAT_B_LT:
		return v < lim;
	case RPLAT_B_GE:
		return v >= lim;
	case RPLAT_B_GT:
		return v > lim;
	case RPLAT_B_EQ:
		return v == lim;
	case RPLAT_B_NE:
		return v != lim;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rplat_run *runs[1] = { &run };
	struct rplat_budget_result res;
	struct rplat_budget *b;
	char err[512] = "", *text, *buf = NULL;
	size_t len = 0;
	FILE *f;
	int i, pass = 0, fail = 0, other = 0;

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
			int lo = holds(c->measured_lo, c->rule->op, c->rule->limit);
			int hi = holds(c->measured_hi, c->rule->op, c->rule->limit);

			if (c->status == RPLAT_B_PASS) {
				pass++;
				if (c->rule->op != RPLAT_B_NE && (!lo || !hi))
					abort();
			} else if (c->status == RPLAT_B_FAIL) {
				fail++;
				if (c->rule->op != RPLAT_B_EQ && (lo || hi))
					abort();
			} else {
				other++;
				if (c->status == RPLAT_B_UNDECIDED && lo == hi && c->rule->op != RPLAT_B_EQ &&
				    c->rule->op != RPLAT_B_NE)
					abort();
			}
			if (c->measured_lo > c->measured_hi)
				abort();
		}
		if (pass != res.passed || fail != res.failed || other != res.missing || res.undecided > res.missing)
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
