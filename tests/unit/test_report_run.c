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
	assert_int_equal(suite_put_file(dir, name, text), 0);
}

static const char *good_json = "{\"format\":\"rplat-run\",\"format_version\":1,\"kind\":\"ping\",\"label\":\"L\","
			       "\"counts\":{\"sent\":3,\"received\":2,\"lost\":1},"
			       "\"summary\":{\"rtt\":{\"count\":2}}}\n";

static void good_hist(const char *dir, const char *name, uint64_t a, uint64_t b)
{
	struct rplat_hist h;
	char p[1100];
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

static void signed_hist(const char *dir, const char *name, int n, const int64_t *v)
{
	struct rplat_hist h;
	char p[1100];
	FILE *f;
	int i;

	rplat_hist_init(&h);
	for (i = 0; i < n; i++)
		rplat_hist_add_signed(&h, v[i]);
	snprintf(p, sizeof(p), "%s/hist/%s.hist", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	rplat_hist_write(&h, name, f);
	fclose(f);
}

static const char *good_samples = "seq\tsize\tt_send\trtt\th2r\tdispatch\tproc\tr2h\tstatus\textra\n"
				  "0\t40\t100\t20000\tnan\t-5\t7\tnan\tok\tx\n"
				  "1\t40\t200\tnan\tnan\tnan\tnan\tnan\tlost\ty\n"
				  "2\t40\t300\t30000\t10000\t9000\t1000\t10000\tok\tz\n";

/* A fresh run directory under top: run.json, hist/ (rtt and the stages), samples.tsv, all agreeing. */
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
	signed_hist(d, "host_to_remote", 1, (const int64_t[]){ 10000 });
	signed_hist(d, "remote_dispatch", 2, (const int64_t[]){ -5, 9000 });
	signed_hist(d, "remote_processing", 2, (const int64_t[]){ 7, 1000 });
	signed_hist(d, "remote_to_host", 1, (const int64_t[]){ 10000 });
	put(d, "samples.tsv", good_samples);
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
	assert_true(r->has_stage[0]);
	assert_true(r->has_samples);
	assert_true(r->verified);
	assert_int_equal(r->census.messages, 3);
	assert_int_equal(r->census.status[RPLAT_RS_LOST], 1);
	assert_int_equal(r->census.staged[1], 2);
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
	assert_int_equal(sm.stage[3], 10000);
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
	signed_hist(d, "remote_dispatch", 2, (const int64_t[]){ 1, 2 });
	put(d, "run.json", "{\"format\":\"rplat-run\",\"format_version\":1,\"kind\":\"ping\",\"counts\":{},"
			   "\"summary\":{\"rtt\":{\"count\":2},\"stages\":{\"remote_dispatch\":{\"count\":5}}}}");
	expect_load_error(d, "hist/remote_dispatch.hist: 2 samples, but run.json's summary says 5");
	d = make_dir("badsize");
	snprintf(p, sizeof(p), "%s/hist/rtt.hist", d);
	snprintf(p2, sizeof(p2), "%s/hist/rtt@4x.hist", d);
	assert_int_equal(link(p, p2), 0);
	expect_load_error(d, "rtt@4x.hist: not a payload size");
}

/* samples.tsv replaced by 'text' must fail: when the run is loaded (rplat_run_load reads it whole), or at
 * the latest when it is read. */
static void expect_samples_error_n(const char *name, const char *text, size_t len, const char *what)
{
	const char *d = make_dir(name);
	struct rplat_run *r;
	struct rplat_samples *s;
	struct rplat_sample sm;
	char err[512] = "", p[1100];
	FILE *f;
	int rc;

	snprintf(p, sizeof(p), "%s/samples.tsv", d);
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	rc = rplat_run_load(d, &r, err, sizeof(err));
	if (rc == 0) {
		rc = rplat_samples_open(r, &s, err, sizeof(err));
		if (rc == 0) {
			while ((rc = rplat_samples_next(s, &sm, err, sizeof(err))) == 1)
				;
			rplat_samples_close(s);
		}
		rplat_run_free(r);
	}
	assert_int_equal(rc, -1);
	if (!strstr(err, what) || !strstr(err, "samples.tsv"))
		fail_msg("%s: got '%s', expected '%s'", name, err, what);
}

static void expect_samples_error(const char *name, const char *text, const char *what)
{
	expect_samples_error_n(name, text, strlen(text), what);
}

#define HDR "seq\tsize\tt_send\trtt\th2r\tdispatch\tproc\tr2h\tstatus\textra\n"
#define L0 "0\t40\t100\t20000\tnan\t-5\t7\tnan\tok\tx\n"
#define L1 "1\t40\t200\tnan\tnan\tnan\tnan\tnan\tlost\ty\n"
#define L2 "2\t40\t300\t30000\t10000\t9000\t1000\t10000\tok\tz\n"

static void test_samples_errors(void **state)
{
	(void)state;
	expect_samples_error("s_empty", "", "empty file");
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

/* Issue 15 item 5: a damaged samples.tsv never passes; every error names the file and the line. */
static void test_samples_damage(void **state)
{
	(void)state;
	expect_samples_error("d_header_only", HDR, "0 messages, but run.json's counts.sent is 3");
	expect_samples_error("d_missing_line", HDR L0 L2, "2 messages, but run.json's counts.sent is 3");
	expect_samples_error("d_crlf", HDR L0 "1\t40\t200\tnan\tnan\tnan\tnan\tnan\tlost\ty\r\n" L2,
			     "line 3: carriage return");
	expect_samples_error("d_crlf_header", "seq\tsize\tt_send\trtt\tstatus\r\n", "line 1: carriage return");
	expect_samples_error_n("d_nul", HDR L0 "1\t40\t2\0\0\tnan\tnan\tnan\tnan\tnan\tlost\ty\n" L2,
			       sizeof(HDR L0 "1\t40\t2\0\0\tnan\tnan\tnan\tnan\tnan\tlost\ty\n" L2) - 1, "line 3: NUL byte");
	expect_samples_error("d_extra", HDR L0 "1\t40\t200\tnan\tnan\tnan\tnan\tnan\tlost\ty\t1\n" L2,
			     "line 3: more fields");
	expect_samples_error("d_huge_rtt", HDR "0\t40\t100\t9223372036854775807\tnan\t-5\t7\tnan\tok\tx\n" L1 L2,
			     "line 2: rtt 9223372036854775807 ns is longer than the run");
	expect_samples_error("d_neg_rtt", HDR "0\t40\t100\t-20000\tnan\t-5\t7\tnan\tok\tx\n" L1 L2,
			     "line 2: rtt -20000 ns is negative");
	expect_samples_error("d_nan_rtt", HDR "0\t40\t100\tnan\tnan\t-5\t7\tnan\tok\tx\n" L1 L2,
			     "line 2: an ok message without a round trip");
	expect_samples_error("d_size", HDR "0\t100000\t100\t20000\tnan\t-5\t7\tnan\tok\tx\n" L1 L2,
			     "line 2: size larger than 65535");
	expect_samples_error("d_size2", HDR "0\t7\t100\t20000\tnan\t-5\t7\tnan\tok\tx\n" L1 L2,
			     "line 2: size 7 is not a message size");
	expect_samples_error("d_backwards", HDR L0 "1\t40\t50\tnan\tnan\tnan\tnan\tnan\tlost\ty\n" L2,
			     "line 3: t_send goes back in time");
	expect_samples_error("d_dup_seq", HDR L0 "0\t40\t200\tnan\tnan\tnan\tnan\tnan\tlost\ty\n" L2,
			     "line 3: seq 0 again (line 2 has it too)");
	expect_samples_error("d_lost_rtt", HDR L0 "1\t40\t200\t5\tnan\tnan\tnan\tnan\tlost\ty\n" L2,
			     "line 3: a lost message with a round trip");
	expect_samples_error("d_stages", HDR L0 L1 "2\t40\t300\t30000\t10000\t9000\t1000\t90000\tok\tz\n",
			     "line 4: the stages add up to 110000 ns, but rtt is 30000 ns");
	expect_samples_error("d_count", HDR L0 "1\t40\t200\t25000\tnan\tnan\tnan\tnan\tok\ty\n" L2,
			     "0 lost messages, but run.json's counts.lost is 1");
	/* a value edited in place: the histogram no longer agrees, and the error says where */
	expect_samples_error("d_edit", HDR "0\t40\t100\t21000\tnan\t-5\t7\tnan\tok\tx\n" L1 L2, "hist/rtt.hist");
	expect_samples_error("d_edit2", HDR "0\t40\t100\t21000\tnan\t-5\t7\tnan\tok\tx\n" L1 L2,
			     "hist/rtt.hist: line 12: bucket 19968..20223 ns holds 1 round trips, but");
	expect_samples_error("d_stage_edit", HDR "0\t40\t100\t20000\tnan\t-5\t900\tnan\tok\tx\n" L1 L2,
			     "hist/remote_processing.hist");
}

/* rplat observe's kernel split (issue 12): write_to_kick + kick_to_isr is h2r, send_to_irq + irq_to_read is
 * r2h, the host halves never negative, a pair whole or nan, none on a lost line. */
#define KHDR "seq\tsize\tt_send\trtt\th2r\tdispatch\tproc\tr2h\tstatus\textra\twrite_to_kick\tkick_to_isr" \
	     "\tsend_to_irq\tirq_to_read\n"
#define K0 "0\t40\t100\t20000\tnan\t-5\t7\tnan\tok\tx\tnan\tnan\tnan\tnan\n"
#define K1 "1\t40\t200\tnan\tnan\tnan\tnan\tnan\tlost\ty\tnan\tnan\tnan\tnan\n"
#define K2(w2k, k2i, s2i, i2r) "2\t40\t300\t30000\t10000\t9000\t1000\t10000\tok\tz\t" w2k "\t" k2i "\t" s2i "\t" i2r "\n"

static void test_samples_kernel_split(void **state)
{
	struct rplat_run *r = NULL;
	struct rplat_samples *s;
	struct rplat_sample sm;
	char err[512] = "";
	const char *d = make_dir("k_good");
	int rc, n = 0;

	(void)state;
	put(d, "samples.tsv", KHDR K0 K1 K2("4000", "6001", "2999", "7000"));
	assert_int_equal(rplat_run_load(d, &r, err, sizeof(err)), 0);
	assert_int_equal(rplat_samples_open(r, &s, err, sizeof(err)), 0);
	while ((rc = rplat_samples_next(s, &sm, err, sizeof(err))) == 1)
		if (n++ == 2) {
			assert_int_equal(sm.ksplit[0], 4000);
			assert_int_equal(sm.ksplit[1], 6001);
			assert_int_equal(sm.ksplit[2], 2999);
			assert_int_equal(sm.ksplit[3], 7000);
		} else {
			assert_true(sm.ksplit[0] == RPLAT_NA && sm.ksplit[3] == RPLAT_NA);
		}
	assert_int_equal(rc, 0);
	assert_int_equal(n, 3);
	rplat_samples_close(s);
	rplat_run_free(r);
	expect_samples_error("k_sum", KHDR K0 K1 K2("4000", "6003", "3000", "7000"),
			     "line 4: write_to_kick + kick_to_isr is 10003 ns, but h2r is 10000 ns");
	expect_samples_error("k_sum2", KHDR K0 K1 K2("4000", "6000", "3000", "6000"),
			     "line 4: send_to_irq + irq_to_read is 9000 ns, but r2h is 10000 ns");
	expect_samples_error("k_half", KHDR K0 K1 K2("4000", "nan", "3000", "7000"),
			     "line 4: write_to_kick and kick_to_isr are one split of h2r");
	expect_samples_error("k_neg", KHDR K0 K1 K2("4000", "6000", "13000", "-3000"),
			     "line 4: irq_to_read -3000 ns is negative");
	expect_samples_error("k_nanwhole", KHDR "0\t40\t100\t20000\tnan\t-5\t7\tnan\tok\tx\t1\t2\tnan\tnan\n" K1
			     K2("4000", "6000", "3000", "7000"), "line 2: h2r is split (write_to_kick, kick_to_isr) but");
	expect_samples_error("k_lost", KHDR K0 "1\t40\t200\tnan\tnan\tnan\tnan\tnan\tlost\ty\tnan\tnan\t5\t5\n"
			     K2("4000", "6000", "3000", "7000"), "line 3: a lost message with a send_to_irq stage");
}

/* A directory where samples.tsv should be, a histogram that is a directory, and a missing samples.tsv
 * (the run loads, unverified, and says why). */
static void test_samples_not_files(void **state)
{
	const char *d;
	char p[600];
	struct rplat_run *r;
	char err[512];

	(void)state;
	d = make_dir("n_dir");
	snprintf(p, sizeof(p), "%s/samples.tsv", d);
	unlink(p);
	assert_int_equal(mkdir(p, 0755), 0);
	expect_load_error(d, "samples.tsv: a directory, not a file");
	d = make_dir("n_histdir");
	snprintf(p, sizeof(p), "%s/hist/rtt.hist", d);
	unlink(p);
	assert_int_equal(mkdir(p, 0755), 0);
	expect_load_error(d, "hist/rtt.hist: a directory, not a histogram file");
	d = make_dir("n_missing");
	snprintf(p, sizeof(p), "%s/samples.tsv", d);
	unlink(p);
	assert_int_equal(rplat_run_load(d, &r, err, sizeof(err)), 0);
	assert_false(r->verified);
	assert_non_null(strstr(r->unverified, "samples.tsv is missing"));
	rplat_run_free(r);
}

/* The legacy "lost then late" pair (rplat <= 0.1.0) is one late message in the lost line's place; its
 * histograms, which left the late reply out, are rebuilt with it. Any other repeated seq is an error. */
static void test_samples_legacy_late(void **state)
{
	const char *d = make_dir("legacy");
	struct rplat_run *r;
	struct rplat_samples *s;
	struct rplat_sample sm;
	char err[512];

	(void)state;
	put(d, "run.json", "{\"format\":\"rplat-run\",\"format_version\":1,\"kind\":\"ping\",\"label\":\"L\","
			   "\"counts\":{\"sent\":3,\"received\":3,\"lost\":0,\"late\":1},"
			   "\"summary\":{\"rtt\":{\"count\":2}}}\n");
	put(d, "samples.tsv", HDR L0 L1 L2 "1\t40\t200\t5000000\tnan\tnan\tnan\tnan\tlate\tq\n");
	assert_int_equal(rplat_run_load(d, &r, err, sizeof(err)), 0);
	assert_true(r->verified);
	assert_true(r->late_rebuilt);
	assert_int_equal(r->census.messages, 3);
	assert_int_equal(r->census.legacy_pairs, 1);
	assert_int_equal(r->census.status[RPLAT_RS_LATE], 1);
	assert_int_equal(r->census.status[RPLAT_RS_LOST], 0);
	assert_int_equal(r->rtt.count, 3); /* the late reply is in the figures */
	assert_int_equal(r->rtt.max, 5000000);
	assert_int_equal(rplat_samples_open(r, &s, err, sizeof(err)), 0);
	assert_int_equal(rplat_samples_next(s, &sm, err, sizeof(err)), 1);
	assert_int_equal(sm.seq, 0);
	assert_int_equal(rplat_samples_next(s, &sm, err, sizeof(err)), 1);
	assert_int_equal(sm.seq, 1);
	assert_int_equal(sm.status, RPLAT_RS_LATE);
	assert_int_equal(sm.rtt, 5000000);
	assert_int_equal(sm.line, 5);
	assert_int_equal(rplat_samples_next(s, &sm, err, sizeof(err)), 1);
	assert_int_equal(sm.seq, 2);
	assert_int_equal(rplat_samples_next(s, &sm, err, sizeof(err)), 0);
	rplat_samples_close(s);
	rplat_run_free(r);
	/* a late line for a message that was not lost */
	d = make_dir("legacy_bad");
	put(d, "samples.tsv", HDR L0 L1 L2 "2\t40\t300\t5000000\tnan\tnan\tnan\tnan\tlate\tq\n");
	expect_load_error(d, "line 5: seq 2 again (line 4 is its 'ok' line)");
}

/* ---- statistics ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Issue 15 item 3: a percentile taken exactly from samples.tsv (budget, when a limit falls inside the
 * percentile's bucket) is the rank-th value of the ok and late replies, not a bucket's midpoint. */
static void test_exact_percentile(void **state)
{
	static const double ps[] = { 1, 25, 50, 90, 99, 99.9, 100 };
	struct rplat_hist h;
	struct rplat_run *r = NULL;
	uint64_t v[400], sorted[400], x, rng = 12345;
	char d[512], p[600], err[512] = "", json[512];
	int i, n = 0, late = 0;
	size_t k;
	FILE *f;

	(void)state;
	snprintf(d, sizeof(d), "%s/exact", top);
	assert_int_equal(mkdir(d, 0755), 0);
	snprintf(p, sizeof(p), "%s/hist", d);
	assert_int_equal(mkdir(p, 0755), 0);
	rplat_hist_init(&h);
	snprintf(p, sizeof(p), "%s/samples.tsv", d);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("seq\tsize\tt_send\trtt\th2r\tdispatch\tproc\tr2h\tstatus\n", f);
	for (i = 0; i < 400; i++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		v[i] = 1000000 + (rng >> 33) % 9000; /* a few buckets of 8 us around 1 ms */
		if (i % 50 == 7) {
			fprintf(f, "%d\t40\t%d\tnan\tnan\tnan\tnan\tnan\tlost\n", i, 1000 + i * 2000000);
			continue;
		}
		fprintf(f, "%d\t40\t%d\t%llu\tnan\tnan\tnan\tnan\t%s\n", i, 1000 + i * 2000000,
			(unsigned long long)v[i], i % 3 ? "ok" : "late");
		late += !(i % 3);
		rplat_hist_add(&h, v[i]);
		sorted[n++] = v[i];
	}
	fclose(f);
	snprintf(p, sizeof(p), "%s/hist/rtt.hist", d);
	f = fopen(p, "w");
	assert_non_null(f);
	rplat_hist_write(&h, "rtt", f);
	fclose(f);
	snprintf(json, sizeof(json),
		 "{\"format\":\"rplat-run\",\"format_version\":1,\"kind\":\"ping\",\"label\":\"E\",\"duration_s\":1,"
		 "\"counts\":{\"sent\":400,\"received\":%d,\"lost\":%d,\"late\":%d},\"summary\":{\"rtt\":"
		 "{\"count\":%d}}}\n", n, 400 - n, late, n);
	put(d, "run.json", json);
	if (rplat_run_load(d, &r, err, sizeof(err)))
		fail_msg("load: %s", err);
	assert_true(r->verified);
	qsort(sorted, (size_t)n, sizeof(sorted[0]), cmp_u64);
	for (k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
		uint64_t want = sorted[rplat_hist_rank(ps[k], (uint64_t)n) - 1];

		assert_int_equal(rplat_run_exact_percentile(r, &r->rtt, -1, -1, ps[k], &x, err, sizeof(err)), 0);
		if (x != want)
			fail_msg("p%g: %llu, the samples' rank-th value is %llu", ps[k], (unsigned long long)x,
				 (unsigned long long)want);
	}
	rplat_run_free(r);
}

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

/* The report's Kernel setup rows read the boot command line as the kernel does (rplat/cmdline.h): the first
 * isolcpus=, the last irqaffinity=, nohz-full as nohz_full, nothing inside a quoted value or after "--".
 * (Markdown escapes the names' '_'.) */
static void test_report_cmdline(void **state)
{
	static const char *const want[] = {
		"| isolcpus | 2-3 (given 2 times; the kernel keeps the first) | the boot command line |",
		"| nohz\\_full | 2-3 | the boot command line |",
		"| rcu\\_nocbs | 1-3 | the boot command line |",
		"| threadirqs | not set | the boot command line |",
		"| irqaffinity | 0,1 (given 2 times; the kernel keeps the last) | the boot command line |",
		"| preempt | full | the boot command line |",
	};
	const char *d = make_dir("cmdline");
	struct rplat_report_opts o;
	struct rplat_run *r = NULL;
	char err[512] = "", out[600], md[700], *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	put(d, "run.json", "{\"format\":\"rplat-run\",\"format_version\":1,\"kind\":\"ping\",\"label\":\"L\","
			   "\"counts\":{\"sent\":3,\"received\":2,\"lost\":1},\"summary\":{\"rtt\":{\"count\":2}},"
			   "\"system\":{\"cmdline\":\"BOOT_IMAGE=/k isolcpus=2-3 nohz-full=2-3 "
			   "dyndbg=\\\"file x.c threadirqs\\\" rcu_nocbs=1-3 isolcpus=1 irqaffinity=0 "
			   "irqaffinity=\\\"0,1\\\" preempt=full -- threadirqs\"}}\n");
	if (rplat_run_load(d, &r, err, sizeof(err)))
		fail_msg("%s", err);
	rplat_report_opts_init(&o);
	snprintf(out, sizeof(out), "%s/cmdline-rep", top);
	o.out_dir = out;
	o.no_png = 1;
	o.quiet = 1;
	if (rplat_report_write(&r, 1, &o, NULL, err, sizeof(err)))
		fail_msg("%s", err);
	snprintf(md, sizeof(md), "%s/report.md", out);
	f = fopen(md, "r");
	assert_non_null(f);
	assert_int_equal(getdelim(&text, &len, '\0', f) > 0, 1);
	fclose(f);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(text, want[i]))
			fail_msg("report.md has no row '%s':\n%s", want[i], strstr(text, "| boot command") ? strstr(text, "| boot command") : text);
	free(text);
	rplat_run_free(r);
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
		cmocka_unit_test(test_samples_errors), cmocka_unit_test(test_samples_damage),
		cmocka_unit_test(test_samples_not_files), cmocka_unit_test(test_samples_kernel_split), cmocka_unit_test(test_samples_legacy_late),
		cmocka_unit_test(test_exact_percentile),
		cmocka_unit_test(test_mann_whitney),
		cmocka_unit_test(test_bootstrap),
		cmocka_unit_test(test_report_cmdline),
	};

	return cmocka_run_group_tests_name("report_run", tests, setup, teardown);
}
