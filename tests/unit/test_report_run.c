/* Unit tests for reading runs (host-tools/lib/run_read.c): clear errors naming the file for corrupt, partial
 * and foreign run directories, the samples.tsv reader; and the statistics of rplat compare
 * (reports/stats.c): Mann-Whitney U against brute force with ties, the bootstrap interval of a
 * percentile difference. */
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
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *good_json = "{\"format\":\"rplat-run\",\"format_version\":1,\"kind\":\"ping\",\"label\":\"L\","
			       "\"counts\":{\"sent\":3,\"received\":2,\"lost\":1},"
			       "\"summary\":{\"rtt\":{\"count\":2}}}\n";

static void good_hist(const char *dir, const char *name, uint64_t a, uint64_t b)
{
	struct rplat_hist h;
	char p[512];
	FILE *f;

	rplat_hist_init(&h);
	rplat_hist_add(&h, a);
	rplat_hist_add(&h, b);
	snprintf(p, sizeof(p), "%s/hist/%s.hist", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	rplat_hist_write(&h, name, f);
	fclose(f);
}

/* A fresh run directory under top: run.json, hist/rtt.hist, samples.tsv. */
static const char *make_dir(const char *name)
{
	static char d[512];
	char h[600];

	snprintf(d, sizeof(d), "%s/%s", top, name);
	assert_int_equal(mkdir(d, 0755), 0);
	snprintf(h, sizeof(h), "%s/hist", d);
	assert_int_equal(mkdir(h, 0755), 0);
	put(d, "run.json", good_json);
	good_hist(d, "rtt", 20000, 30000);
	put(d, "samples.tsv", "seq\tsize\tt_send\trtt\th2r\tdispatch\tproc\tr2h\tstatus\textra\n"
			      "0\t40\t100\t20000\tnan\t-5\t7\tnan\tok\tx\n"
			      "1\t40\t200\tnan\tnan\tnan\tnan\tnan\tlost\ty\n"
			      "2\t40\t300\t30000\t1\t2\t3\t4\tok\tz\n");
	return d;
}

static void expect_load_error(const char *dir, const char *what)
{
	struct rplat_run *r = NULL;
	char err[512] = "";

	if (!rplat_run_load(dir, &r, err, sizeof(err))) {
		rplat_run_free(r);
		fail_msg("%s loaded, expected '%s'", dir, what);
	}
	if (!strstr(err, what))
		fail_msg("%s: got '%s', expected '%s'", dir, err, what);
}

static void test_load_good(void **state)
{
	const char *d = make_dir("good");
	struct rplat_run *r;
	struct rplat_samples *s;
	struct rplat_sample sm;
	char err[512];

	(void)state;
	assert_int_equal(rplat_run_load(d, &r, err, sizeof(err)), 0);
	assert_string_equal(r->label, "L");
	assert_string_equal(r->kind, "ping");
	assert_int_equal(r->rtt.count, 2);
	assert_int_equal(r->counts.lost, 1);
	assert_false(r->has_stage[0]);
	assert_true(r->has_samples);
	assert_null(r->load);
	assert_int_equal(rplat_samples_open(r, &s, err, sizeof(err)), 0);
	assert_int_equal(rplat_samples_next(s, &sm, err, sizeof(err)), 1);
	assert_int_equal(sm.rtt, 20000);
	assert_int_equal(sm.stage[1], -5);
	assert_int_equal(sm.stage[0], RPLAT_NA);
	assert_int_equal(sm.status, RPLAT_RS_OK);
	assert_int_equal(rplat_samples_next(s, &sm, err, sizeof(err)), 1);
	assert_int_equal(sm.status, RPLAT_RS_LOST);
	assert_int_equal(sm.rtt, RPLAT_NA);
	assert_int_equal(rplat_samples_next(s, &sm, err, sizeof(err)), 1);
	assert_int_equal(sm.stage[3], 4);
	assert_int_equal(sm.line, 4);
	assert_int_equal(rplat_samples_next(s, &sm, err, sizeof(err)), 0);
	rplat_samples_close(s);
	rplat_run_free(r);
}

static void test_load_errors(void **state)
{
	char p[600], p2[600];
	const char *d;

	(void)state;
	snprintf(p, sizeof(p), "%s/nonexistent", top);
	expect_load_error(p, "No such file or directory");
	d = make_dir("norun");
	snprintf(p, sizeof(p), "%s/run.json", d);
	unlink(p);
	expect_load_error(d, "not a run directory (no run.json)");
	put(d, "run.json.tmp", "{");
	expect_load_error(d, "incomplete run: run.json.tmp exists");
	d = make_dir("filearg");
	snprintf(p, sizeof(p), "%s/run.json", d);
	expect_load_error(p, "not a directory");
	d = make_dir("foreign");
	put(d, "run.json", "{\"format\":\"something-else\",\"format_version\":1}");
	expect_load_error(d, "\"format\" is \"something-else\", not \"rplat-run\"");
	d = make_dir("future");
	put(d, "run.json", "{\"format\":\"rplat-run\",\"format_version\":2,\"kind\":\"ping\",\"counts\":{}}");
	expect_load_error(d, "format_version 2; this rplat reads version 1");
	d = make_dir("badjson");
	put(d, "run.json", "{\"format\":\"rplat-run\",\n\"format_version\": 1,,}");
	expect_load_error(d, "run.json");
	expect_load_error(d, "line 2");
	d = make_dir("nokind");
	put(d, "run.json", "{\"format\":\"rplat-run\",\"format_version\":1,\"counts\":{}}");
	expect_load_error(d, "\"kind\" missing");
	d = make_dir("stream");
	put(d, "run.json", "{\"format\":\"rplat-run\",\"format_version\":1,\"kind\":\"stream\",\"counts\":{}}");
	expect_load_error(d, "a \"stream\" run; report, compare, budget and merge read ping runs");
	d = make_dir("badcount");
	put(d, "run.json", "{\"format\":\"rplat-run\",\"format_version\":1,\"kind\":\"ping\",\"counts\":{\"lost\":-1}}");
	expect_load_error(d, "counts.lost is not a count");
	d = make_dir("nohist");
	snprintf(p, sizeof(p), "%s/hist/rtt.hist", d);
	unlink(p);
	expect_load_error(d, "hist/rtt.hist: missing");
	d = make_dir("badhist");
	put(d, "hist/rtt.hist", "# rplat-hist 1\ngarbage\n");
	expect_load_error(d, "hist/rtt.hist");
	d = make_dir("mismatch");
	good_hist(d, "remote_dispatch", 1, 2);
	put(d, "run.json", "{\"format\":\"rplat-run\",\"format_version\":1,\"kind\":\"ping\",\"counts\":{},"
			   "\"summary\":{\"rtt\":{\"count\":2},\"stages\":{\"remote_dispatch\":{\"count\":5}}}}");
	expect_load_error(d, "hist/remote_dispatch.hist: 2 samples, but run.json's summary says 5");
	d = make_dir("badsize");
	snprintf(p, sizeof(p), "%s/hist/rtt.hist", d);
	snprintf(p2, sizeof(p2), "%s/hist/rtt@4x.hist", d);
	assert_int_equal(link(p, p2), 0);
	expect_load_error(d, "rtt@4x.hist: not a payload size");
}

static void expect_samples_error(const char *name, const char *text, const char *what)
{
	const char *d = make_dir(name);
	struct rplat_run *r;
	struct rplat_samples *s;
	struct rplat_sample sm;
	char err[512] = "";
	int rc;

	put(d, "samples.tsv", text);
	assert_int_equal(rplat_run_load(d, &r, err, sizeof(err)), 0);
	rc = rplat_samples_open(r, &s, err, sizeof(err));
	if (rc == 0) {
		while ((rc = rplat_samples_next(s, &sm, err, sizeof(err))) == 1)
			;
		rplat_samples_close(s);
	}
	rplat_run_free(r);
	assert_int_equal(rc, -1);
	if (!strstr(err, what) || !strstr(err, "samples.tsv"))
		fail_msg("%s: got '%s', expected '%s'", name, err, what);
}

static void test_samples_errors(void **state)
{
	(void)state;
	expect_samples_error("s_empty", "", "empty (no header line)");
	expect_samples_error("s_nocol", "seq\tsize\tt_send\tstatus\n", "no 'rtt' column");
	expect_samples_error("s_dupcol", "seq\tsize\tt_send\trtt\trtt\tstatus\n", "'rtt' appears twice");
	expect_samples_error("s_trunc", "seq\tsize\tt_send\trtt\tstatus\n0\t40\t1\t5\tok\n1\t40\t2\t5",
			     "line 3: truncated");
	expect_samples_error("s_fields", "seq\tsize\tt_send\trtt\tstatus\n0\t40\t1\t2\n", "line 2: 4 fields");
	expect_samples_error("s_more", "seq\tsize\tt_send\trtt\tstatus\n0\t40\t1\t2\tok\t9\n", "more fields");
	expect_samples_error("s_num", "seq\tsize\tt_send\trtt\tstatus\n0\t40\t1\t2x\tok\n",
			     "line 2: column 'rtt': '2x' is not an integer");
	expect_samples_error("s_status", "seq\tsize\tt_send\trtt\tstatus\n0\t40\t1\t2\tfine\n",
			     "unknown status 'fine'");
	expect_samples_error("s_neg", "seq\tsize\tt_send\trtt\tstatus\n-1\t40\t1\t2\tok\n", "'seq' must be");
}

/* ---- statistics ---- */

static void brute_mwu(const uint64_t *a, int na, const uint64_t *b, int nb, double *u)
{
	int i, j;

	*u = 0;
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			*u += a[i] > b[j] ? 1 : a[i] == b[j] ? 0.5 : 0;
}

static void test_mann_whitney(void **state)
{
	static uint64_t a[300], b[200];
	struct rplat_hist ha, hb;
	struct rplat_mwu m;
	double u;
	int i;

	(void)state;
	rplat_hist_init(&ha);
	rplat_hist_init(&hb);
	/* values below 128 ns are exact buckets: ties are real ties */
	for (i = 0; i < 300; i++) {
		a[i] = (uint64_t)(i * 7 % 50) + 10;
		rplat_hist_add(&ha, a[i]);
	}
	for (i = 0; i < 200; i++) {
		b[i] = (uint64_t)(i * 11 % 40);
		rplat_hist_add(&hb, b[i]);
	}
	assert_int_equal(rplat_hist_mann_whitney(&ha, &hb, &m), 0);
	brute_mwu(a, 300, b, 200, &u);
	assert_true(m.u1 == u);
	assert_true(m.auc > 0.5);
	assert_true(m.p < 1e-6);
	assert_true(m.tie_term > 0);
	/* the same distribution: no shift */
	assert_int_equal(rplat_hist_mann_whitney(&ha, &ha, &m), 0);
	assert_true(m.auc == 0.5);
	assert_true(m.p > 0.99);
	/* all values equal: every pair a tie */
	rplat_hist_init(&hb);
	rplat_hist_add(&hb, 5);
	rplat_hist_add(&hb, 5);
	assert_int_equal(rplat_hist_mann_whitney(&hb, &hb, &m), 0);
	assert_true(m.p == 1);
	rplat_hist_init(&hb);
	assert_int_equal(rplat_hist_mann_whitney(&ha, &hb, &m), -1);
}

static void test_bootstrap(void **state)
{
	struct rplat_hist *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	double lo, est, hi, lo2, est2, hi2;
	uint64_t x = 12345;
	int i;

	(void)state;
	rplat_hist_init(a);
	rplat_hist_init(b);
	for (i = 0; i < 100000; i++) {
		uint64_t v;

		x = x * 6364136223846793005ull + 1442695040888963407ull;
		v = 20000 + (x >> 33) % 10000;
		rplat_hist_add(a, v);
		rplat_hist_add(b, v + 5000); /* everything 5 us slower */
	}
	assert_int_equal(rplat_hist_bootstrap_pct_diff(a, b, 99, 2000, 0.95, 1, &lo, &est, &hi), 0);
	assert_true(lo <= est && est <= hi);
	assert_true(lo > 4000 && hi < 6000);
	/* reproducible with the same seed */
	assert_int_equal(rplat_hist_bootstrap_pct_diff(a, b, 99, 2000, 0.95, 1, &lo2, &est2, &hi2), 0);
	assert_true(lo == lo2 && hi == hi2 && est == est2);
	/* no difference: the interval holds 0 */
	assert_int_equal(rplat_hist_bootstrap_pct_diff(a, a, 50, 2000, 0.95, 2, &lo, &est, &hi), 0);
	assert_true(est == 0);
	assert_true(lo <= 0 && hi >= 0);
	assert_true(hi - lo < 500);
	rplat_hist_init(b);
	assert_int_equal(rplat_hist_bootstrap_pct_diff(a, b, 50, 2000, 0.95, 2, &lo, &est, &hi), -1);
	free(a);
	free(b);
}

static int setup(void **state)
{
	(void)state;
	return suite_tmpdir_make(top, sizeof(top), "run");
}

static int teardown(void **state)
{
	(void)state;
	return suite_tmpdir_remove(top);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_good),      cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_samples_errors), cmocka_unit_test(test_mann_whitney),
		cmocka_unit_test(test_bootstrap),
	};

	return cmocka_run_group_tests_name("report_run", tests, setup, teardown);
}
