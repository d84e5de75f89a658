/* Unit tests for stream runs (kind "stream", rplat stream) in the run loader (host-tools/lib/run_read.c)
 * and the reports: rplat_run_load_flags(RPLAT_RUN_LOAD_STREAM) reads a hand-written stream run (counts,
 * the four stage histograms, samples.tsv's stream columns) with clear errors for partial ones, while
 * rplat_run_load (compare, budget, merge) still refuses it, as do rplat_compare_write, rplat_run_merge and
 * rplat_report_write with a budget. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "suite_tmpdir.h"

#include "rplat/report.h"
#include "rplat/run.h"

static char top[256];

static void put(const char *dir, const char *name, const char *text)
{
	assert_int_equal(suite_put_file(dir, name, text), 0);
}

static void put_hist(const char *dir, const char *name, uint64_t a, uint64_t b)
{
	struct rplat_hist h;
	char p[512];
	FILE *f;

	rplat_hist_init(&h);
	rplat_hist_add(&h, a);
	if (b)
		rplat_hist_add(&h, b);
	snprintf(p, sizeof(p), "%s/hist/%s.hist", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	rplat_hist_write(&h, name, f);
	fclose(f);
}

static const char *stream_json =
	"{\"format\":\"rplat-run\",\"format_version\":1,\"kind\":\"stream\",\"label\":\"S\","
	"\"counts\":{\"expected\":3,\"received\":2,\"lost\":1,\"overruns\":1,\"duplicate\":0,\"out_of_order\":0,"
	"\"corrupt\":0},"
	"\"summary\":{\"rate\":{\"configured_hz\":2000,\"measured_hz\":1999.5,\"delivered_hz\":1333,"
	"\"missed_periods\":0},\"stages\":{\"remote_to_host\":{\"count\":2,\"err_bound_ns\":900},"
	"\"irq_latency\":{\"count\":2},\"isr_to_send\":{\"count\":2},\"interarrival\":{\"count\":1}}}}\n";

#define SHDR "seq\tt_recv\tone_way\tirq_latency\tisr_to_send\tinterarrival\tr_due\tr_isr\tr_send\tstatus\n"

static const char *stream_samples =
	"seq\tt_recv\tone_way\tirq_latency\tisr_to_send\tinterarrival\tr_due\tr_isr\tr_send\tstatus\n"
	"0\t1000000\t80000\t3000\t700\tnan\t10\t20\t30\tok\n"
	"1\tnan\tnan\tnan\tnan\tnan\tnan\tnan\tnan\tlost\n"
	"2\t2000000\t90000\t4000\t800\t1000000\t50\t60\t70\tok\n";

/* A stream run directory under top, as rplat stream writes it. */
static const char *make_stream(const char *name)
{
	static char d[512];
	char h[600];

	snprintf(d, sizeof(d), "%s/%s", top, name);
	assert_int_equal(mkdir(d, 0755), 0);
	snprintf(h, sizeof(h), "%s/hist", d);
	assert_int_equal(mkdir(h, 0755), 0);
	put(d, "run.json", stream_json);
	put_hist(d, "remote_to_host", 80000, 90000);
	put_hist(d, "irq_latency", 3000, 4000);
	put_hist(d, "isr_to_send", 700, 800);
	put_hist(d, "interarrival", 1000000, 0); /* between the two receives */
	put(d, "samples.tsv", stream_samples);
	return d;
}

static void test_stream_load(void **state)
{
	const char *d = make_stream("good");
	struct rplat_run *r;
	struct rplat_samples *s;
	struct rplat_sample sm;
	char err[512];
	int i;

	(void)state;
	assert_int_equal(rplat_run_load_flags(d, RPLAT_RUN_LOAD_STREAM, &r, err, sizeof(err)), 0);
	assert_true(r->is_stream);
	assert_string_equal(r->kind, "stream");
	assert_string_equal(r->label, "S");
	assert_int_equal(r->stream_counts.expected, 3);
	assert_int_equal(r->stream_counts.received, 2);
	assert_int_equal(r->stream_counts.lost, 1);
	assert_int_equal(r->stream_counts.overruns, 1);
	for (i = 0; i < RPLAT_NSTREAM_STAGES; i++) {
		assert_true(r->has_stream_stage[i]);
		assert_int_equal(r->stream_stage[i].count, i == 3 ? 1 : 2);
	}
	assert_string_equal(rplat_stream_stage_names[0], "remote_to_host");
	assert_int_equal(r->stream_stage[0].min, 80000);
	assert_int_equal(r->stream_stage[1].max, 4000);
	/* nothing of a ping run */
	assert_int_equal(r->rtt.count, 0);
	assert_int_equal(r->nsizes, 0);
	for (i = 0; i < RPLAT_NSTAGES; i++)
		assert_false(r->has_stage[i]);
	assert_true(rplat_run_num(r, "summary.rate.measured_hz", 0) == 1999.5);
	assert_true(rplat_run_num(r, "summary.stages.remote_to_host.err_bound_ns", 0) == 900);
	assert_true(r->has_samples);
	assert_null(r->analysis);

	assert_int_equal(rplat_samples_open(r, &s, err, sizeof(err)), 0);
	assert_int_equal(rplat_samples_next(s, &sm, err, sizeof(err)), 1);
	assert_int_equal(sm.seq, 0);
	assert_int_equal(sm.t_recv, 1000000);
	assert_int_equal(sm.sstage[0], 80000);
	assert_int_equal(sm.sstage[1], 3000);
	assert_int_equal(sm.sstage[2], 700);
	assert_true(sm.sstage[3] == RPLAT_NA);
	assert_int_equal(sm.status, RPLAT_RS_OK);
	assert_true(sm.rtt == RPLAT_NA);
	assert_int_equal(rplat_samples_next(s, &sm, err, sizeof(err)), 1);
	assert_int_equal(sm.status, RPLAT_RS_LOST);
	assert_true(sm.t_recv == RPLAT_NA && sm.sstage[0] == RPLAT_NA);
	assert_int_equal(rplat_samples_next(s, &sm, err, sizeof(err)), 1);
	assert_int_equal(sm.seq, 2);
	assert_int_equal(sm.sstage[3], 1000000);
	assert_int_equal(rplat_samples_next(s, &sm, err, sizeof(err)), 0);
	rplat_samples_close(s);
	rplat_run_free(r);
}

static void expect_stream_error(const char *dir, const char *what)
{
	struct rplat_run *r = NULL;
	char err[512] = "";

	if (!rplat_run_load_flags(dir, RPLAT_RUN_LOAD_STREAM, &r, err, sizeof(err))) {
		rplat_run_free(r);
		fail_msg("%s loaded, expected '%s'", dir, what);
	}
	if (!strstr(err, what) || !strstr(err, dir))
		fail_msg("%s: got '%s', expected '%s' and the directory", dir, err, what);
}

static void test_stream_errors(void **state)
{
	struct rplat_run *r;
	struct rplat_samples *s;
	struct rplat_sample sm;
	char err[512], p[600];
	const char *d;
	int rc;

	(void)state;
	/* a histogram that the summary counts is missing */
	d = make_stream("nohist");
	snprintf(p, sizeof(p), "%s/hist/irq_latency.hist", d);
	assert_int_equal(unlink(p), 0);
	expect_stream_error(d, "hist/irq_latency.hist: missing");
	/* a histogram from another run */
	d = make_stream("badcount");
	put_hist(d, "remote_to_host", 1, 2);
	put(d, "run.json", "{\"format\":\"rplat-run\",\"format_version\":1,\"kind\":\"stream\",\"counts\":{},"
			   "\"summary\":{\"stages\":{\"remote_to_host\":{\"count\":5}}}}");
	expect_stream_error(d, "hist/remote_to_host.hist: 2 samples, but run.json's summary says 5");
	/* bad counts */
	d = make_stream("badcounts");
	put(d, "run.json", "{\"format\":\"rplat-run\",\"format_version\":1,\"kind\":\"stream\","
			   "\"counts\":{\"overruns\":-2}}");
	expect_stream_error(d, "counts.overruns is not a count");
	/* the flag does not open the door to other kinds */
	d = make_stream("otherkind");
	put(d, "run.json", "{\"format\":\"rplat-run\",\"format_version\":1,\"kind\":\"foo\",\"counts\":{}}");
	expect_stream_error(d, "a \"foo\" run");

	/* samples.tsv: a truncated last line (the loader reads it whole), lines that contradict each other,
	 * and a ping header in a stream run */
	d = make_stream("truncated");
	put(d, "samples.tsv", SHDR "0\t1000000\t80000\t3000\t700\tnan\t10\t20\t30\tok\n"
			      "1\t2000000\t900");
	expect_stream_error(d, "samples.tsv: line 3: truncated");
	d = make_stream("interarrival");
	put(d, "samples.tsv", SHDR "0\t1000000\t80000\t3000\t700\tnan\t10\t20\t30\tok\n"
			      "1\tnan\tnan\tnan\tnan\tnan\tnan\tnan\tnan\tlost\n"
			      "2\t2000000\t90000\t4000\t800\t999000\t50\t60\t70\tok\n");
	expect_stream_error(d, "samples.tsv: line 4: interarrival");
	d = make_stream("backwards");
	put(d, "samples.tsv", SHDR "0\t1000000\t80000\t3000\t700\tnan\t10\t20\t30\tok\n"
			      "1\tnan\tnan\tnan\tnan\tnan\tnan\tnan\tnan\tlost\n"
			      "2\t900000\t90000\t4000\t800\t-100000\t50\t60\t70\tok\n");
	expect_stream_error(d, "samples.tsv: line 4: t_recv goes back in time");
	d = make_stream("dupnever");
	put(d, "samples.tsv", SHDR "0\t1000000\t80000\t3000\t700\tnan\t10\t20\t30\tok\n"
			      "5\t1000100\t80000\t3000\t700\tnan\t10\t20\t30\tdup\n");
	expect_stream_error(d, "samples.tsv: line 3: a dup message with seq 5");
	d = make_stream("streamcount");
	put(d, "samples.tsv", SHDR "0\t1000000\t80000\t3000\t700\tnan\t10\t20\t30\tok\n"
			      "1\tnan\tnan\tnan\tnan\tnan\tnan\tnan\tnan\tlost\n");
	expect_stream_error(d, "1 ok messages, but run.json's counts.received is 2");
	d = make_stream("pinghdr");
	assert_int_equal(rplat_run_load_flags(d, RPLAT_RUN_LOAD_STREAM, &r, err, sizeof(err)), 0);
	put(d, "samples.tsv", "seq\tsize\tt_send\trtt\tstatus\n");
	assert_int_equal(rplat_samples_open(r, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "samples.tsv: line 1: no 't_recv' column"));
	(void)sm;
	(void)rc;
	rplat_run_free(r);
}

/* compare, budget and merge load with rplat_run_load, which refuses streams with the message they always
 * gave; their library entry points refuse a stream run loaded for a report too. */
static void test_stream_refused_elsewhere(void **state)
{
	const char *d = make_stream("refused");
	struct rplat_run *r = NULL, *runs[2];
	struct rplat_report_opts o;
	char err[512] = "", out[600];

	(void)state;
	assert_int_equal(rplat_run_load(d, &r, err, sizeof(err)), -1);
	assert_null(r);
	assert_non_null(strstr(err, "run.json: a \"stream\" run; report, compare, budget and merge read ping runs"));
	assert_non_null(strstr(err, d));

	assert_int_equal(rplat_run_load_flags(d, RPLAT_RUN_LOAD_STREAM, &r, err, sizeof(err)), 0);
	runs[0] = runs[1] = r;
	snprintf(out, sizeof(out), "%s/merged", top);
	err[0] = 0;
	assert_int_equal(rplat_run_merge(runs, 2, out, 0, "test", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a \"stream\" run; report, compare, budget and merge read ping runs"));
	assert_int_equal(access(out, F_OK), -1);

	rplat_report_opts_init(&o);
	snprintf(out, sizeof(out), "%s/cmp", top);
	o.out_dir = out;
	err[0] = 0;
	assert_int_equal(rplat_compare_write(runs, 2, &o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a \"stream\" run; report, compare, budget and merge read ping runs"));
	assert_int_equal(access(out, F_OK), -1);

	snprintf(out, sizeof(out), "%s/rep", top);
	o.out_dir = out;
	o.budget = "rtt.p50 <= 1ms";
	err[0] = 0;
	assert_int_equal(rplat_report_write(runs, 1, &o, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a stream run: budgets (--budget) apply to ping runs only"));
	assert_int_equal(access(out, F_OK), -1);
	rplat_run_free(r);
}

static int setup(void **state)
{
	(void)state;
	return suite_tmpdir_make(top, sizeof(top), "stream");
}

static int teardown(void **state)
{
	(void)state;
	return suite_tmpdir_remove(top);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_load),
		cmocka_unit_test(test_stream_errors),
		cmocka_unit_test(test_stream_refused_elsewhere),
	};

	return cmocka_run_group_tests_name("report_stream", tests, setup, teardown);
}
