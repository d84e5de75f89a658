/* Unit tests for the budget language (reports/budget.c): parsing, syntax errors with line and column,
 * evaluation against an in-memory run (percentiles, stages, sizes, counts, shares, the clock), and the
 * TAP / JUnit writers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rplat/budget.h"

/* ---- a run in memory: rtt 10..19.99 us uniform over 1000 samples, 40 and 256-byte sizes ---- */

static const char *meta_json =
	"{\"format\":\"rplat-run\",\"format_version\":1,\"kind\":\"ping\",\"label\":\"t\","
	"\"options\":{\"sizes\":[40,256]},\"clock\":{\"valid\":true,\"err_bound_ns\":1500.5},"
	"\"system\":{\"nodename\":\"board<1>\"},\"start_time\":\"2026-01-01T00:00:00Z\"}";

static struct rplat_run *make_run(void)
{
	struct rplat_run *r = calloc(1, sizeof(*r));
	char err[256];
	int i;

	assert_non_null(r);
	r->meta = rplat_json_parse(meta_json, strlen(meta_json), err, sizeof(err));
	assert_non_null(r->meta);
	r->dir = strdup("RUN<&>");
	r->label = "label \"quoted\" & <tag>";
	r->kind = "ping";
	r->format_version = 1;
	rplat_hist_init(&r->rtt);
	r->nsizes = 2;
	r->sizes = calloc(2, sizeof(*r->sizes));
	r->sizes[0].size = 40;
	r->sizes[1].size = 256;
	rplat_hist_init(&r->sizes[0].hist);
	rplat_hist_init(&r->sizes[1].hist);
	for (i = 0; i < RPLAT_NSTAGES; i++)
		rplat_hist_init(&r->stage[i]);
	for (i = 0; i < 1000; i++) {
		uint64_t v = 10000 + (uint64_t)i * 10;

		rplat_hist_add(&r->rtt, v);
		rplat_hist_add(&r->sizes[i % 2].hist, v + (i % 2 ? 5000 : 0));
		rplat_hist_add(&r->stage[1], 1000 + (uint64_t)i); /* remote_dispatch 1..2 us */
	}
	r->has_stage[1] = 1;
	r->counts.sent = 1002;
	r->counts.received = 1000;
	r->counts.lost = 2;
	r->verified = 1;
	return r;
}

static void free_run(struct rplat_run *r)
{
	rplat_json_free(r->meta);
	free(r->sizes);
	free(r->dir);
	free(r);
}

static struct rplat_budget *parse_ok(const char *text)
{
	char err[256] = "";
	struct rplat_budget *b = rplat_budget_parse(text, "b.txt", err, sizeof(err));

	if (!b)
		fail_msg("unexpected parse error: %s", err);
	return b;
}

static void expect_error(const char *text, const char *where, const char *what)
{
	char err[256] = "";
	struct rplat_budget *b = rplat_budget_parse(text, "b.txt", err, sizeof(err));

	if (b) {
		rplat_budget_free(b);
		fail_msg("'%s' parsed, expected error at %s", text, where);
	}
	if (strncmp(err, where, strlen(where)) || !strstr(err, what))
		fail_msg("'%s': got '%s', expected '%s ... %s'", text, err, where, what);
}

/* ---- parsing ---- */

static void test_parse_rules(void **state)
{
	struct rplat_budget *b;

	(void)state;
	b = parse_ok("# a budget\n"
		     "rtt.p99.9 <= 50us\n"
		     "rtt.max < 0.12ms   # trailing comment\n"
		     "\n"
		     "lost == 0\n"
		     "stage.remote_dispatch.p99 <= 5us\n"
		     "dispatch.median >= 100ns\n"
		     "rtt@64.p99 <= 40us\n"
		     "rtt@*.avg != 1s\n"
		     "lost <= 0.5%\n"
		     "clock.err_bound <= 2us\n"
		     "rtt.count >= 1000\n");
	assert_int_equal(b->n, 10);
	assert_int_equal(b->rules[0].kind, RPLAT_B_HIST);
	assert_int_equal(b->rules[0].stat, RPLAT_B_PCT);
	assert_true(b->rules[0].pct == 99.9);
	assert_true(b->rules[0].limit == 50000);
	assert_int_equal(b->rules[0].line, 2);
	assert_int_equal(b->rules[0].col, 1);
	assert_int_equal(b->rules[1].op, RPLAT_B_LT);
	assert_true(b->rules[1].limit == 120000);
	assert_int_equal(b->rules[2].kind, RPLAT_B_COUNTER);
	assert_int_equal(b->rules[2].counter, 2);
	assert_int_equal(b->rules[3].series, 1);
	assert_int_equal(b->rules[4].series, 1);
	assert_true(b->rules[4].pct == 50);
	assert_int_equal(b->rules[4].op, RPLAT_B_GE);
	assert_int_equal(b->rules[5].size, 64);
	assert_int_equal(b->rules[6].size, RPLAT_B_EACH_SIZE);
	assert_int_equal(b->rules[6].op, RPLAT_B_NE);
	assert_int_equal(b->rules[7].percent, 1);
	assert_int_equal(b->rules[8].kind, RPLAT_B_CLOCK);
	assert_int_equal(b->rules[9].stat, RPLAT_B_COUNT);
	assert_false(b->rules[9].is_time);
	assert_string_equal(b->rules[1].text, "rtt.max < 0.12ms");
	rplat_budget_free(b);
}

static void test_parse_size_blocks(void **state)
{
	struct rplat_budget *b;

	(void)state;
	b = parse_ok("size 64:\n"
		     "  rtt.p99 <= 40us\n"
		     "\trtt.max <= 100us\n"
		     "lost == 0\n"
		     "size *: rtt.p50 <= 30us\n"
		     "rtt.p50 <= 31us\n");
	assert_int_equal(b->n, 5);
	assert_int_equal(b->rules[0].size, 64);
	assert_int_equal(b->rules[1].size, 64);
	assert_int_equal(b->rules[2].size, RPLAT_B_ALL_SIZES);
	assert_int_equal(b->rules[3].size, RPLAT_B_EACH_SIZE);
	assert_int_equal(b->rules[4].size, RPLAT_B_ALL_SIZES);
	assert_non_null(strstr(b->rules[0].text, "(size 64)"));
	rplat_budget_free(b);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_error("rtt.p99 <= 50", "b.txt:1:14:", "needs a unit");
	expect_error("rtt.p99 <= 50 xs", "b.txt:1:14:", "unknown time unit 'xs'");
	expect_error("\n\nrtt.p99 <= 50xs", "b.txt:3:14:", "unknown time unit 'xs'");
	expect_error("rtt.p99 = 50us", "b.txt:1:9:", "use '=='");
	expect_error("rtt.p99 50us", "b.txt:1:9:", "expected a comparison");
	expect_error("rtt.p99", "b.txt:1:8:", "expected a comparison");
	expect_error("rtt.p99 <=", "b.txt:1:11:", "expected a value");
	expect_error("rtt.p99 <= fast", "b.txt:1:12:", "expected a number");
	expect_error("rtt.p99 <= 50us extra", "b.txt:1:17:", "unexpected");
	expect_error("rtt.p101 <= 50us", "b.txt:1:5:", "percentile");
	expect_error("rtt.p0 <= 50us", "b.txt:1:5:", "percentile");
	expect_error("rtt.median2 <= 50us", "b.txt:1:5:", "unknown statistic");
	expect_error("rtt <= 50us", "b.txt:1:4:", "expected '.'");
	expect_error("ping.p99 <= 50us", "b.txt:1:1:", "unknown figure 'ping'");
	expect_error("lost.p99 <= 1", "b.txt:1:5:", "is a count");
	expect_error("lost == 1us", "b.txt:1:10:", "takes no unit");
	expect_error("lost == 1.5", "b.txt:1:9:", "whole number");
	expect_error("rtt.count >= 10%", "b.txt:1:16:", "'%' applies to counts");
	expect_error("stage.nowhere.p99 <= 1us", "b.txt:1:7:", "unknown stage 'nowhere'");
	expect_error("stage.remote_dispatch@64.p99 <= 1us", "b.txt:1:22:", "rtt only");
	expect_error("rtt@.p99 <= 1us", "b.txt:1:5:", "payload size");
	expect_error("clock.drift <= 1us", "b.txt:1:7:", "unknown clock figure");
	expect_error("ok\n  size 64:\n", "b.txt:1:1:", "unknown figure");
	expect_error("lost == 0\n  size 64:\n", "b.txt:2:3:", "do not nest");
	expect_error("size 64\n", "b.txt:1:8:", "expected ':'");
	expect_error("size x:\n", "b.txt:1:6:", "payload size");
	expect_error("size 64:\n  lost == 0\n", "b.txt:2:3:", "rtt figures");
	expect_error("size 64:\n  rtt@40.p99 <= 1us\n", "b.txt:2:6:", "already given");
	expect_error("# only a comment\n\n", "b.txt:", "no rules");
	expect_error("rtt.p99 <= 1us\x01", "b.txt:1:15:", "control character");
}

static void test_inline(void **state)
{
	char err[256];
	struct rplat_budget *b;

	(void)state;
	b = rplat_budget_load("rtt.p99 <= 50us; lost == 0", err, sizeof(err));
	assert_non_null(b);
	assert_int_equal(b->n, 2);
	assert_string_equal(b->name, "<inline>");
	assert_int_equal(b->rules[1].line, 2);
	rplat_budget_free(b);
	b = rplat_budget_load("rtt.p99 <= 50us; lost = 0", err, sizeof(err));
	assert_null(b);
	assert_non_null(strstr(err, "<inline>:2:7:"));
	b = rplat_budget_load("/nonexistent/budget.txt", err, sizeof(err));
	assert_null(b);
	assert_non_null(strstr(err, "/nonexistent/budget.txt"));
}

/* ---- evaluation ---- */

static void test_eval(void **state)
{
	struct rplat_run *r = make_run();
	struct rplat_budget *b;
	struct rplat_budget_result res;

	(void)state;
	b = parse_ok("rtt.p50 <= 15.2us\n"      /* 15 us within a bucket: pass */
		     "rtt.max < 19us\n"          /* 19.99 us: fail */
		     "rtt.min >= 10us\n"         /* pass */
		     "rtt.count == 1000\n"       /* pass */
		     "lost == 0\n"               /* 2: fail */
		     "lost <= 0.2%\n"            /* 0.1996%: pass */
		     "dispatch.p99 <= 2us\n"     /* ~1.99 us: pass */
		     "stage.host_to_remote.p99 <= 5us\n" /* not measured */
		     "rtt@256.min >= 15us\n"     /* 15.01 us: pass */
		     "rtt@128.p99 <= 1ms\n"      /* no such size: missing */
		     "rtt@*.p99 <= 20us\n"       /* 40: 19.9 pass, 256: 24.9 fail */
		     "clock.err_bound <= 1us\n"  /* 1.5 us: fail */
		     "rtt.avg > 14us\n");        /* 14.995: pass */
	assert_int_equal(rplat_budget_eval(b, r, &res), 0);
	assert_int_equal(res.n, 14);
	assert_int_equal(res.checks[0].status, RPLAT_B_PASS);
	assert_true(res.checks[0].measured_lo <= 15000 && res.checks[0].measured_hi >= 15000);
	assert_true(res.checks[0].measured == res.checks[0].measured_hi); /* <= is decided by the upper bound */
	assert_int_equal(res.checks[1].status, RPLAT_B_FAIL);
	assert_true(res.checks[1].measured == 19990);
	assert_int_equal(res.checks[2].status, RPLAT_B_PASS);
	assert_int_equal(res.checks[3].status, RPLAT_B_PASS);
	assert_int_equal(res.checks[4].status, RPLAT_B_FAIL);
	assert_int_equal(res.checks[5].status, RPLAT_B_PASS);
	assert_int_equal(res.checks[6].status, RPLAT_B_PASS);
	assert_int_equal(res.checks[7].status, RPLAT_B_MISSING);
	assert_non_null(strstr(res.checks[7].detail, "host_to_remote"));
	assert_int_equal(res.checks[8].status, RPLAT_B_PASS);
	assert_int_equal(res.checks[9].status, RPLAT_B_MISSING);
	assert_string_equal(res.checks[10].name, "rtt@40.p99 <= 20us");
	assert_int_equal(res.checks[10].status, RPLAT_B_PASS);
	assert_string_equal(res.checks[11].name, "rtt@256.p99 <= 20us");
	assert_int_equal(res.checks[11].status, RPLAT_B_FAIL);
	assert_int_equal(res.checks[12].status, RPLAT_B_FAIL);
	assert_int_equal(res.checks[13].status, RPLAT_B_PASS);
	assert_int_equal(res.passed, 8);
	assert_int_equal(res.failed, 4);
	assert_int_equal(res.missing, 2);
	rplat_budget_result_free(&res);
	rplat_budget_free(b);
	free_run(r);
}

/* Issue 15 item 7: the unit the error suggests is accepted; an empty size block is an error (its rules
 * would apply to every size); negative limits are refused. */
static void test_parse_issue15(void **state)
{
	struct rplat_budget *b;
	char err[256] = "";

	(void)state;
	b = rplat_budget_parse("rtt.p99 <= 50\n", "b.txt", err, sizeof(err));
	assert_null(b);
	assert_non_null(strstr(err, "(e.g. 50us)"));
	b = parse_ok("rtt.p99 <= 50us\nrtt.p50 <= 50 us\nlost <= 0.5 %\n");
	assert_int_equal(b->n, 3);
	assert_true(b->rules[0].limit == 50000 && b->rules[1].limit == 50000);
	assert_true(b->rules[2].percent && b->rules[2].limit == 0.5);
	rplat_budget_free(b);
	expect_error("size 496:\nrtt.p99 <= 2ms\n", "b.txt:1:1:", "'size 496:' has no rules");
	expect_error("rtt.p99 <= 2ms\nsize *:  # nothing\n", "b.txt:2:1:", "'size *:' has no rules");
	expect_error("size 40:\n\n# c\nsize 64:\n  rtt.p99 <= 1ms\n", "b.txt:1:1:", "'size 40:' has no rules");
	expect_error("rtt.p99 <= -5us\n", "b.txt:1:12:", "a limit must be >= 0");
	expect_error("lost <= -1%\n", "b.txt:1:9:", "a limit must be >= 0");
	expect_error("rtt.min >= -0.5ms\n", "b.txt:1:12:", "a limit must be >= 0");
	b = parse_ok("size 40:\n  rtt.p99 <= 1ms\nlost == 0\n");
	assert_int_equal(b->rules[0].size, 40);
	assert_int_equal(b->rules[1].size, RPLAT_B_ALL_SIZES);
	rplat_budget_free(b);
}

/* Issue 15 item 3: a percentile is only known to lie in its bucket. A limit between the bucket's midpoint
 * (what the old code compared) and its upper bound is undecidable, not a pass; p100 is the exact max. */
static void test_pct_bucket_bound(void **state)
{
	struct rplat_run *r = make_run();
	struct rplat_budget *b;
	struct rplat_budget_result res;
	uint64_t lo, hi, mid;
	char rules[512];
	int i;

	(void)state;
	/* one value per bucket would make p50 exact; put 1000 samples into the bucket of 1 ms */
	rplat_hist_init(&r->rtt);
	for (i = 0; i < 1000; i++)
		rplat_hist_add(&r->rtt, 1000000 + (uint64_t)(i % 7) * 1000); /* 1.000 .. 1.006 ms */
	assert_int_equal(rplat_hist_percentile_range(&r->rtt, 50, &lo, &hi), 0);
	mid = rplat_hist_percentile(&r->rtt, 50);
	assert_true(lo < mid && mid < hi);
	snprintf(rules, sizeof(rules),
		 "rtt.p50 <= %lluns\n"  /* between the midpoint and the upper bound: undecidable */
		 "rtt.p50 <= %lluns\n"  /* the upper bound: pass */
		 "rtt.p50 < %lluns\n"   /* below the lower bound: fail */
		 "rtt.p50 >= %lluns\n"  /* the lower bound: pass */
		 "rtt.p100 <= %lluns\n" /* the exact max: pass, as rtt.max */
		 "rtt.max <= %lluns\n"
		 "rtt.p100 < %lluns\n" /* fail, as rtt.max */
		 "rtt.max < %lluns\n",
		 (unsigned long long)mid + 1, (unsigned long long)hi, (unsigned long long)lo, (unsigned long long)lo,
		 (unsigned long long)r->rtt.max, (unsigned long long)r->rtt.max, (unsigned long long)r->rtt.max,
		 (unsigned long long)r->rtt.max);
	b = parse_ok(rules);
	assert_int_equal(rplat_budget_eval(b, r, &res), 0);
	assert_int_equal(res.n, 8);
	assert_int_equal(res.checks[0].status, RPLAT_B_UNDECIDED);
	assert_non_null(strstr(res.checks[0].detail, "undecidable"));
	assert_int_equal(res.checks[1].status, RPLAT_B_PASS);
	assert_int_equal(res.checks[2].status, RPLAT_B_FAIL);
	assert_int_equal(res.checks[3].status, RPLAT_B_PASS);
	assert_int_equal(res.checks[4].status, RPLAT_B_PASS);
	assert_int_equal(res.checks[5].status, RPLAT_B_PASS);
	assert_int_equal(res.checks[6].status, RPLAT_B_FAIL);
	assert_int_equal(res.checks[7].status, RPLAT_B_FAIL);
	assert_int_equal(res.undecided, 1);
	assert_int_equal(res.missing, 1); /* undecided is not a pass */
	rplat_budget_result_free(&res);
	rplat_budget_free(b);
	free_run(r);
}

/* Issue 15 items 1 and 5: a run whose samples.tsv was not verified (missing, or not matching) never
 * passes; latency figures say over how many of how many messages, late replies included. */
static void test_unverified_and_population(void **state)
{
	struct rplat_run *r = make_run();
	struct rplat_budget *b = parse_ok("rtt.p99 <= 1s\n");
	struct rplat_budget_result res;

	(void)state;
	r->counts.late = 10;
	r->counts.received = 1000; /* 990 ok + 10 late: all in the histogram */
	assert_int_equal(rplat_budget_eval(b, r, &res), 0);
	assert_int_equal(res.n, 1);
	assert_int_equal(res.checks[0].status, RPLAT_B_PASS);
	assert_non_null(strstr(res.checks[0].detail, "over 1000 of 1002 messages"));
	assert_non_null(strstr(res.checks[0].detail, "10 late replies included"));
	assert_non_null(strstr(res.checks[0].detail, "2 lost"));
	rplat_budget_result_free(&res);
	r->verified = 0;
	snprintf(r->unverified, sizeof(r->unverified), "RUN/samples.tsv is missing");
	assert_int_equal(rplat_budget_eval(b, r, &res), 0);
	assert_int_equal(res.n, 2);
	assert_int_equal(res.checks[0].status, RPLAT_B_MISSING);
	assert_string_equal(res.checks[0].detail, "RUN/samples.tsv is missing");
	assert_int_equal(res.checks[1].status, RPLAT_B_PASS);
	assert_int_equal(res.missing, 1);
	rplat_budget_result_free(&res);
	rplat_budget_free(b);
	free_run(r);
}

static void test_outputs(void **state)
{
	struct rplat_run *r = make_run();
	struct rplat_budget *b = parse_ok("rtt.p50 <= 15.2us\nlost == 0\nstage.h2r.max <= 1us\n");
	struct rplat_budget_result res;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(rplat_budget_eval(b, r, &res), 0);
	f = open_memstream(&buf, &len);
	rplat_budget_write_tap(f, b, &r, &res, 1);
	fclose(f);
	assert_non_null(strstr(buf, "TAP version 13\n1..3\n"));
	assert_non_null(strstr(buf, "ok 1 - "));
	assert_non_null(strstr(buf, "not ok 2 - "));
	assert_non_null(strstr(buf, "not ok 3 - "));
	assert_non_null(strstr(buf, "  at: \"b.txt:2\""));
	free(buf);
	f = open_memstream(&buf, &len);
	assert_int_equal(rplat_budget_write_junit(f, b, &r, &res, 1), 0);
	fclose(f);
	assert_non_null(strstr(buf, "<testsuites name=\"rplat budget\" tests=\"3\" failures=\"2\""));
	assert_non_null(strstr(buf, "name=\"label &quot;quoted&quot; &amp; &lt;tag&gt;\""));
	assert_non_null(strstr(buf, "hostname=\"board&lt;1&gt;\""));
	assert_non_null(strstr(buf, "name=\"rtt.p50 &lt;= 15.2us\""));
	assert_non_null(strstr(buf, "type=\"over-budget\""));
	assert_non_null(strstr(buf, "type=\"not-measured\""));
	assert_null(strstr(buf, "<tag>"));
	free(buf);
	rplat_budget_result_free(&res);
	rplat_budget_free(b);
	free_run(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_rules),  cmocka_unit_test(test_parse_size_blocks),
		cmocka_unit_test(test_parse_errors), cmocka_unit_test(test_inline),
		cmocka_unit_test(test_eval), cmocka_unit_test(test_pct_bucket_bound),
		cmocka_unit_test(test_parse_issue15),
		cmocka_unit_test(test_unverified_and_population),         cmocka_unit_test(test_outputs),
	};

	return cmocka_run_group_tests_name("budget", tests, NULL, NULL);
}
