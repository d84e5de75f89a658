/* Unit tests for rplat merge (reports/merge.c): merging N synthetic runs equals recording all their samples
 * into one histogram, bucket for bucket; counts add up; samples are concatenated with a run column; merges
 * of merged runs work; incompatible runs are refused with the reason, and --force overrides the soft
 * rules only. */
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

#include "rplat/json.h"
#include "rplat/run.h"

static char top[256];
static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static void write_hist(const char *dir, const char *name, const struct rplat_hist *h)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/hist/%s.hist", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(rplat_hist_write(h, name, f), 0);
	fclose(f);
}

struct truth {
	struct rplat_hist rtt, dispatch, s40, s256;
	uint64_t sent, lost, lines;
};

/* A run like rplat ping writes it: every 37th message lost, two sizes, dispatch stage only. */
static void make_run(const char *dir, int n, const char *link, int realtime, const char *kind, struct truth *t)
{
	struct rplat_hist rtt, disp, s40, s256;
	struct rplat_jw jw;
	char p[512];
	FILE *f;
	int i, lost = 0;

	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(p, sizeof(p), "%s/hist", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	rplat_hist_init(&rtt);
	rplat_hist_init(&disp);
	rplat_hist_init(&s40);
	rplat_hist_init(&s256);
	snprintf(p, sizeof(p), "%s/samples.tsv", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("seq\tsize\tt_send\trtt\th2r\tdispatch\tproc\tr2h\tr_kick\tr_consume\tr_reply\tstatus\n", f);
	for (i = 0; i < n; i++) {
		unsigned size = i % 2 ? 256 : 40;
		uint64_t v = 15000 + rnd() % 20000 + (rnd() % 100 == 0 ? rnd() % 5000000 : 0), d = 500 + rnd() % 3000;

		if (i % 37 == 36) {
			fprintf(f, "%d\t%u\t%lld\tnan\tnan\tnan\tnan\tnan\tnan\tnan\tnan\tlost\n", i, size,
				1000000000LL + i * 1000000LL);
			lost++;
			continue;
		}
		fprintf(f, "%d\t%u\t%lld\t%llu\tnan\t%llu\tnan\tnan\t1\t2\t3\tok\n", i, size, 1000000000LL + i * 1000000LL,
			(unsigned long long)v, (unsigned long long)d);
		rplat_hist_add(&rtt, v);
		rplat_hist_add(&disp, d);
		rplat_hist_add(size == 40 ? &s40 : &s256, v);
		rplat_hist_add(&t->rtt, v);
		rplat_hist_add(&t->dispatch, d);
		rplat_hist_add(size == 40 ? &t->s40 : &t->s256, v);
	}
	fclose(f);
	t->sent += (uint64_t)n;
	t->lost += (uint64_t)lost;
	t->lines += (uint64_t)n;
	write_hist(dir, "rtt", &rtt);
	write_hist(dir, "remote_dispatch", &disp);
	write_hist(dir, "rtt@40", &s40);
	write_hist(dir, "rtt@256", &s256);
	snprintf(p, sizeof(p), "%s/run.json", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	rplat_jw_init(&jw, f);
	rplat_jw_obj_begin(&jw, NULL);
	rplat_jw_str(&jw, "format", "rplat-run");
	rplat_jw_int(&jw, "format_version", 1);
	rplat_jw_str(&jw, "kind", kind);
	rplat_jw_str(&jw, "label", dir);
	rplat_jw_str(&jw, "start_time", "2026-01-01T00:00:00Z");
	rplat_jw_double(&jw, "duration_s", n / 1000.0);
	rplat_jw_obj_begin(&jw, "system");
	rplat_jw_bool(&jw, "realtime", realtime);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "link");
	rplat_jw_str(&jw, "type", link);
	rplat_jw_str(&jw, "spec", link);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "firmware");
	rplat_jw_str(&jw, "target", "host");
	rplat_jw_int(&jw, "proto_version", 1);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "options");
	rplat_jw_arr_begin(&jw, "sizes");
	rplat_jw_int(&jw, NULL, 40);
	rplat_jw_int(&jw, NULL, 256);
	rplat_jw_arr_end(&jw);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "counts");
	rplat_jw_uint(&jw, "sent", (uint64_t)n);
	rplat_jw_uint(&jw, "received", (uint64_t)(n - lost));
	rplat_jw_uint(&jw, "lost", (uint64_t)lost);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "summary");
	rplat_jw_obj_begin(&jw, "rtt");
	rplat_jw_uint(&jw, "count", rtt.count);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_end(&jw);
	assert_int_equal(rplat_jw_finish(&jw), 0);
	fclose(f);
}

static void assert_same_hist(const struct rplat_hist *a, const struct rplat_hist *b)
{
	assert_int_equal(a->count, b->count);
	assert_int_equal(a->min, b->min);
	assert_int_equal(a->max, b->max);
	assert_int_equal(a->sum, b->sum);
	assert_true(a->sumsq == b->sumsq);
	assert_int_equal(a->overflow, b->overflow);
	assert_memory_equal(a->bucket, b->bucket, sizeof(a->bucket));
}

static struct rplat_run *load(const char *dir)
{
	struct rplat_run *r;
	char err[512];

	if (rplat_run_load(dir, &r, err, sizeof(err)))
		fail_msg("load %s: %s", dir, err);
	return r;
}

static void truth_init(struct truth *t)
{
	memset(t, 0, sizeof(*t));
	rplat_hist_init(&t->rtt);
	rplat_hist_init(&t->dispatch);
	rplat_hist_init(&t->s40);
	rplat_hist_init(&t->s256);
}

static void test_merge_equals_one(void **state)
{
	struct truth *t = calloc(1, sizeof(*t));
	struct rplat_run *runs[5], *m, *mm, *extra;
	char dirs[5][300], out[300], out2[300], extra_dir[300], err[512];
	struct rplat_samples *s;
	struct rplat_sample sm;
	uint64_t lines = 0, per_run[5] = { 0 };
	int i, rc;

	(void)state;
	truth_init(t);
	for (i = 0; i < 5; i++) {
		snprintf(dirs[i], sizeof(dirs[i]), "%s/run%d", top, i);
		make_run(dirs[i], 500 + i * 333, "sim", 0, "ping", t);
		runs[i] = load(dirs[i]);
	}
	snprintf(out, sizeof(out), "%s/merged", top);
	assert_int_equal(rplat_run_merge(runs, 5, out, 0, "test", err, sizeof(err)), 0);
	m = load(out);
	assert_string_equal(m->kind, "merged");
	assert_same_hist(&m->rtt, &t->rtt);
	assert_true(m->has_stage[1]);
	assert_same_hist(&m->stage[1], &t->dispatch);
	assert_false(m->has_stage[0]);
	assert_int_equal(m->nsizes, 2);
	assert_same_hist(rplat_run_size_hist(m, 40), &t->s40);
	assert_same_hist(rplat_run_size_hist(m, 256), &t->s256);
	assert_int_equal(m->counts.sent, t->sent);
	assert_int_equal(m->counts.lost, t->lost);
	assert_true(rplat_run_num(m, "summary.rtt.count", -1) == (double)t->rtt.count);
	assert_true(rplat_run_num(m, "source_runs", -1) == 5);
	/* samples: all lines, each with its source run */
	assert_int_equal(rplat_samples_open(m, &s, err, sizeof(err)), 0);
	while ((rc = rplat_samples_next(s, &sm, err, sizeof(err))) == 1) {
		assert_in_range(sm.run, 0, 4);
		per_run[sm.run]++;
		lines++;
	}
	assert_int_equal(rc, 0);
	rplat_samples_close(s);
	assert_int_equal(lines, t->lines);
	for (i = 0; i < 5; i++)
		assert_int_equal(per_run[i], 500 + i * 333);
	/* a merged run merges again, its sources keeping their run numbers */
	snprintf(out2, sizeof(out2), "%s/merged2", top);
	snprintf(extra_dir, sizeof(extra_dir), "%s/extra", top);
	make_run(extra_dir, 500, "sim", 0, "ping", t);
	extra = load(extra_dir);
	assert_int_equal(rplat_run_merge((struct rplat_run *[]){ m, extra }, 2, out2, 0, "test", err, sizeof(err)),
			 0);
	mm = load(out2);
	assert_int_equal(mm->rtt.count, m->rtt.count + extra->rtt.count);
	assert_true(rplat_run_num(mm, "source_runs", -1) == 6);
	assert_int_equal(rplat_samples_open(mm, &s, err, sizeof(err)), 0);
	memset(per_run, 0, sizeof(per_run));
	while ((rc = rplat_samples_next(s, &sm, err, sizeof(err))) == 1)
		if (sm.run == 5)
			per_run[0]++;
	rplat_samples_close(s);
	assert_int_equal(per_run[0], 500);
	/* the output must not exist */
	assert_int_equal(rplat_run_merge(runs, 2, out, 0, "test", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exists"));
	rplat_run_free(mm);
	rplat_run_free(m);
	rplat_run_free(extra);
	for (i = 0; i < 5; i++)
		rplat_run_free(runs[i]);
	free(t);
}

static void test_merge_refuses(void **state)
{
	struct truth *t = calloc(1, sizeof(*t));
	struct rplat_run *a, *b, *c, *d;
	char pa[300], pb[300], pc[300], pd[300], out[300], err[512];
	struct stat st;

	(void)state;
	truth_init(t);
	snprintf(pa, sizeof(pa), "%s/a", top);
	snprintf(pb, sizeof(pb), "%s/b", top);
	snprintf(pc, sizeof(pc), "%s/c", top);
	snprintf(pd, sizeof(pd), "%s/d", top);
	make_run(pa, 100, "sim", 0, "ping", t);
	make_run(pb, 100, "rpmsg", 0, "ping", t);
	make_run(pc, 100, "sim", 0, "ping", t);
	make_run(pd, 100, "sim", 1, "ping", t);
	a = load(pa);
	b = load(pb);
	c = load(pc);
	c->kind = "stream"; /* the loader refuses stream runs; the merge rule stands on its own */
	d = load(pd);
	snprintf(out, sizeof(out), "%s/refused", top);
	assert_int_equal(rplat_run_merge((struct rplat_run *[]){ a, b }, 2, out, 0, "t", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "link type (sim vs rpmsg)"));
	assert_non_null(strstr(err, "--force"));
	assert_int_equal(rplat_run_merge((struct rplat_run *[]){ a, d }, 2, out, 0, "t", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "PREEMPT_RT"));
	assert_int_equal(rplat_run_merge((struct rplat_run *[]){ a, c }, 2, out, 1, "t", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'ping' run"));
	assert_non_null(strstr(err, "'stream' run"));
	assert_int_equal(stat(out, &st), -1); /* nothing written */
	assert_int_equal(rplat_run_merge((struct rplat_run *[]){ a, b, d }, 3, out, 1, "t", err, sizeof(err)), 0);
	assert_int_equal(stat(out, &st), 0);
	rplat_run_free(a);
	rplat_run_free(b);
	rplat_run_free(c);
	rplat_run_free(d);
	free(t);
}

/* Issue 15 item 5: a measurement is never merged twice: the same directory twice, a copy of a run, or a
 * run together with a merge that already holds it. */
static void test_merge_refuses_twice(void **state)
{
	struct truth *t = calloc(1, sizeof(*t));
	struct rplat_run *a, *a2, *e, *b, *ab;
	char pa[300], pb[300], pe[300], pab[300], out[300], cmd[1024], err[512];
	struct stat st;

	(void)state;
	truth_init(t);
	snprintf(pa, sizeof(pa), "%s/twice_a", top);
	snprintf(pb, sizeof(pb), "%s/twice_b", top);
	snprintf(pe, sizeof(pe), "%s/twice_copy", top);
	snprintf(pab, sizeof(pab), "%s/twice_ab", top);
	snprintf(out, sizeof(out), "%s/twice_out", top);
	make_run(pa, 100, "sim", 0, "ping", t);
	make_run(pb, 100, "sim", 0, "ping", t);
	snprintf(cmd, sizeof(cmd), "cp -r '%s' '%s'", pa, pe);
	assert_int_equal(system(cmd), 0);
	a = load(pa);
	a2 = load(pa);
	e = load(pe);
	b = load(pb);
	assert_int_equal(rplat_run_merge((struct rplat_run *[]){ a, a2 }, 2, out, 1, "t", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "given twice"));
	assert_int_equal(rplat_run_merge((struct rplat_run *[]){ a, b, e }, 3, out, 1, "t", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "twice_copy"));
	assert_non_null(strstr(err, "same measurement"));
	assert_int_equal(stat(out, &st), -1);
	assert_int_equal(rplat_run_merge((struct rplat_run *[]){ a, b }, 2, pab, 0, "t", err, sizeof(err)), 0);
	ab = load(pab);
	assert_int_equal(rplat_run_merge((struct rplat_run *[]){ ab, e }, 2, out, 0, "t", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "same measurement"));
	assert_int_equal(stat(out, &st), -1);
	rplat_run_free(a);
	rplat_run_free(a2);
	rplat_run_free(e);
	rplat_run_free(b);
	rplat_run_free(ab);
	free(t);
}

static int setup(void **state)
{
	(void)state;
	return suite_tmpdir_make(top, sizeof(top), "merge");
}

static int teardown(void **state)
{
	(void)state;
	return suite_tmpdir_remove(top);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_equals_one),
		cmocka_unit_test(test_merge_refuses),
		cmocka_unit_test(test_merge_refuses_twice),
	};

	return cmocka_run_group_tests_name("merge", tests, setup, teardown);
}
