/* Unit tests for the capture's files (tracing/tev.c), samples.tsv reading and the analysis outputs
 * (tracing/analyze_out.c), the exports (tracing/export.c) and the trace option parsing
 * (tracing/trace_hooks.c). No root, no tracefs. */
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

#include "rplat/json.h"
#include "analyze.h"
#include "export.h"
#include "synth.h"
#include "tev.h"
#include "trace_hooks.h"

static char *tmpdir(void)
{
	char *d = strdup("/tmp/rplat-test-trace-XXXXXX");

	assert_non_null(d);
	assert_non_null(mkdtemp(d));
	return d;
}

static void rm_rf(const char *d)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Write a capture directory (cpuN.ev + names.tsv) from a synthetic set. */
static void save_set(const struct rplat_tev_set *ev, const char *dir)
{
	struct rplat_tev_writer w[2];
	char path[512];
	size_t i;
	FILE *f;
	int c;

	for (c = 0; c < 2; c++) {
		snprintf(path, sizeof(path), "%s/cpu%d.ev", dir, c);
		assert_int_equal(rplat_tev_writer_open(&w[c], path, (unsigned)c), 0);
	}
	for (i = 0; i < ev->n; i++)
		rplat_tev_writer_put(&w[ev->ev[i].cpu], &ev->ev[i]);
	for (c = 0; c < 2; c++)
		assert_int_equal(rplat_tev_writer_close(&w[c], 1), 0);
	snprintf(path, sizeof(path), "%s/names.tsv", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(rplat_tev_names_write(&ev->names, f), 0);
	fclose(f);
}

static void test_event_files_round_trip(void **state)
{
	struct rplat_synth_opts so;
	struct rplat_tev_set ev, back;
	struct rplat_ana_sample *s;
	char *d = tmpdir(), err[512];
	size_t i;

	(void)state;
	rplat_synth_opts_init(&so);
	so.nmsg = 200;
	so.noise_per_msg = 5;
	rplat_tev_set_init(&ev);
	assert_int_equal(rplat_synth(&so, &ev, &s), 0);
	rplat_tev_names_task(&ev.names, 555, "tab\there", 49);
	rplat_tev_names_find(&ev.names, 555)->kind = RPLAT_TASK_KTHREAD;
	rplat_tev_names_find(&ev.names, 1000)->kind = RPLAT_TASK_USER;
	save_set(&ev, d);
	rplat_tev_set_init(&back);
	if (rplat_tev_set_load(&back, d, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(back.n, ev.n);
	assert_int_equal(back.ncpus, 2);
	for (i = 0; i < ev.n; i++)
		assert_memory_equal(&ev.ev[i], &back.ev[i], sizeof(ev.ev[i]));
	assert_string_equal(rplat_tev_names_find(&back.names, 1000)->comm, "rplat");
	assert_string_equal(rplat_tev_names_find(&back.names, 555)->comm, "tab?here");
	assert_int_equal(rplat_tev_names_find(&back.names, 555)->prio, 49);
	assert_int_equal(rplat_tev_names_find(&back.names, 555)->kind, RPLAT_TASK_KTHREAD);
	assert_int_equal(rplat_tev_names_find(&back.names, 1000)->kind, RPLAT_TASK_USER);
	assert_int_equal(rplat_tev_names_find(&back.names, 1001)->kind, RPLAT_TASK_UNKNOWN);
	assert_string_equal(rplat_tev_names_irq_name(&back.names, 24), "timer");
	assert_int_equal(rplat_tev_set_lower(&back, back.ev[10].ts), 10 - (back.ev[9].ts == back.ev[10].ts));
	rplat_tev_set_free(&back);
	rplat_tev_set_free(&ev);
	free(s);
	rm_rf(d);
	free(d);
}

static void test_event_files_bad(void **state)
{
	struct rplat_tev_set ev;
	struct rplat_tev_filehdr h;
	char *d = tmpdir(), path[512], err[512];
	FILE *f;

	(void)state;
	rplat_tev_set_init(&ev);
	assert_int_equal(rplat_tev_set_load(&ev, d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no cpu*.ev event files"));
	/* a truncated record */
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, RPLAT_TEV_MAGIC, 8);
	h.version = RPLAT_TEV_VERSION;
	h.record_size = 32;
	h.endian = 0x01020304;
	snprintf(path, sizeof(path), "%s/cpu0.ev", d);
	f = fopen(path, "wb");
	fwrite(&h, sizeof(h), 1, f);
	fwrite("0123456789", 10, 1, f);
	fclose(f);
	assert_int_equal(rplat_tev_set_load(&ev, d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cpu0.ev"));
	assert_non_null(strstr(err, "truncated"));
	/* bad magic */
	f = fopen(path, "wb");
	fwrite("NOTRPLAT", 8, 1, f);
	fwrite(&h.version, sizeof(h) - 8, 1, f);
	fclose(f);
	assert_int_equal(rplat_tev_set_load(&ev, d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "magic"));
	/* the other byte order */
	h.endian = 0x04030201;
	f = fopen(path, "wb");
	fwrite(&h, sizeof(h), 1, f);
	fclose(f);
	assert_int_equal(rplat_tev_set_load(&ev, d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "field endian"));
	/* a good event file, a bad names.tsv */
	h.endian = 0x01020304;
	f = fopen(path, "wb");
	fwrite(&h, sizeof(h), 1, f);
	fclose(f);
	write_file(d, "names.tsv", "# rplat-trace-names 1\ntask\tx12\tcomm\t120\t-\n");
	assert_int_equal(rplat_tev_set_load(&ev, d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "names.tsv: line 2: task pid 'x12'"));
	/* the kind column: optional (older captures), and only user, kthread or - */
	write_file(d, "names.tsv", "task\t12\tcomm\t120\t-\n");
	assert_int_equal(rplat_tev_set_load(&ev, d, err, sizeof(err)), 0);
	rplat_tev_set_free(&ev);
	rplat_tev_set_init(&ev);
	write_file(d, "names.tsv", "task\t12\tcomm\t120\t-\tdaemon\n");
	assert_int_equal(rplat_tev_set_load(&ev, d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "names.tsv: line 1: task kind 'daemon'"));
	write_file(d, "names.tsv", "bogus line\n");
	assert_int_equal(rplat_tev_set_load(&ev, d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 1"));
	rplat_tev_set_free(&ev);
	rm_rf(d);
	free(d);
}

static void test_samples_tsv(void **state)
{
	struct rplat_ana_sample *s;
	size_t n;
	char *d = tmpdir(), path[512], err[512];

	(void)state;
	write_file(d, "samples.tsv",
		   "seq\tsize\tt_send\trtt\th2r\tdispatch\tproc\tr2h\tr_kick\tr_consume\tr_reply\tstatus\n"
		   "0\t40\t1000\t5000\t1000\t100\t200\t3700\t1\t2\t3\tok\n"
		   "1\t40\t2000000\tnan\tnan\tnan\tnan\tnan\tnan\tnan\tnan\tlost\n");
	snprintf(path, sizeof(path), "%s/samples.tsv", d);
	assert_int_equal(rplat_ana_read_samples(path, &s, &n, NULL, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(s[0].t_send, 1000);
	assert_int_equal(s[0].rtt, 5000);
	assert_int_equal(s[0].h2r, 1000);
	assert_int_equal(s[0].proc, 200);
	assert_int_equal(s[1].status, 1);
	assert_true(s[1].rtt == RPLAT_NONE);
	free(s);
	write_file(d, "samples.tsv", "seq\tt_send\trtt\tstatus\n0\t1\tx\tok\n");
	assert_int_equal(rplat_ana_read_samples(path, &s, &n, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 2: column rtt"));
	write_file(d, "samples.tsv", "seq\tt_send\tstatus\n");
	assert_int_equal(rplat_ana_read_samples(path, &s, &n, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no 'rtt' column"));
	write_file(d, "samples.tsv", "seq\tt_send\trtt\tstatus\n0\t1\t2\tok");
	assert_int_equal(rplat_ana_read_samples(path, &s, &n, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated"));
	write_file(d, "samples.tsv", "seq\tt_send\trtt\tstatus\n5\t1\t2\tok\n4\t1\t2\tok\n");
	assert_int_equal(rplat_ana_read_samples(path, &s, &n, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not in sequence order"));
	rm_rf(d);
	free(d);
}

/* A stream's samples.tsv: the remote stamps come back as durations from the receive and are placed on host
 * time; duplicates are not messages; the kind is reported. */
static void test_stream_samples_tsv(void **state)
{
	struct rplat_ana_sample *s;
	size_t n;
	int kind = -1;
	char *d = tmpdir(), path[512], err[512];

	(void)state;
	write_file(d, "samples.tsv",
		   "seq\tt_recv\tone_way\tirq_latency\tisr_to_send\tinterarrival\tr_due\tr_isr\tr_send\tstatus\n"
		   "0\t100000\t20000\t5000\t1000\tnan\t1\t2\t3\tok\n"
		   "1\tnan\tnan\tnan\tnan\tnan\tnan\tnan\tnan\tlost\n"
		   "2\t300000\tnan\t5000\t1000\t200000\t1\t2\t3\tok\n"
		   "2\t300500\tnan\t5000\t1000\tnan\t1\t2\t3\tdup\n");
	snprintf(path, sizeof(path), "%s/samples.tsv", d);
	assert_int_equal(rplat_ana_read_samples(path, &s, &n, &kind, err, sizeof(err)), 0);
	assert_int_equal(kind, RPLAT_ANA_STREAM);
	assert_int_equal(n, 3);
	assert_int_equal(s[0].t_recv, 100000);
	assert_int_equal(s[0].rsend, 80000);
	assert_int_equal(s[0].isr, 79000);
	assert_int_equal(s[0].due, 74000);
	assert_true(s[0].t_send == RPLAT_NONE && s[0].rtt == RPLAT_NONE && s[0].h2r == RPLAT_NONE);
	assert_int_equal(s[1].status, 1);
	assert_true(s[1].t_recv == RPLAT_NONE && s[1].rsend == RPLAT_NONE);
	/* no clock fit (one_way nan): received, but no remote stamps on host time */
	assert_int_equal(s[2].t_recv, 300000);
	assert_true(s[2].rsend == RPLAT_NONE && s[2].due == RPLAT_NONE);
	free(s);
	write_file(d, "samples.tsv", "seq\tone_way\tstatus\n0\t1\tok\n");
	assert_int_equal(rplat_ana_read_samples(path, &s, &n, &kind, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no 't_send' column"));
	write_file(d, "samples.tsv", "seq\tt_recv\tone_way\tstatus\n0\t5\tzz\tok\n");
	assert_int_equal(rplat_ana_read_samples(path, &s, &n, &kind, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 2: column one_way"));
	rm_rf(d);
	free(d);
}

/* A whole run directory made of synthetic parts: analyse it offline and check what it writes. */
static void test_analyze_run_dir(void **state)
{
	static const struct rplat_synth_glitch g[] = {
		{ .seq = 33, .kind = RPLAT_GLITCH_WAKE_DELAY, .ns = 400000, .pid = 4242, .name = "hog", .prio = 49 },
	};
	struct rplat_synth_opts so;
	struct rplat_tev_set ev;
	struct rplat_ana_sample *s;
	struct rplat_ana_opts ao;
	struct rplat_json *j;
	char *d = tmpdir(), tdir[512], path[600], err[512];
	FILE *f;
	uint32_t i;

	(void)state;
	rplat_synth_opts_init(&so);
	so.nmsg = 100;
	so.glitch = g;
	so.nglitch = 1;
	rplat_tev_set_init(&ev);
	assert_int_equal(rplat_synth(&so, &ev, &s), 0);
	snprintf(tdir, sizeof(tdir), "%s/trace", d);
	assert_int_equal(mkdir(tdir, 0755), 0);
	save_set(&ev, tdir);
	write_file(tdir, "capture.json", "{\"format\":\"rplat-trace-capture\",\"format_version\":1,\"pids\":[1000],"
		   "\"remote_pid\":1001,\"marker_fd\":9}\n");
	snprintf(path, sizeof(path), "%s/samples.tsv", d);
	f = fopen(path, "w");
	fprintf(f, "seq\tsize\tt_send\trtt\th2r\tdispatch\tproc\tr2h\tr_kick\tr_consume\tr_reply\tstatus\n");
	for (i = 0; i < so.nmsg; i++)
		fprintf(f, "%u\t40\t%lld\t%lld\t%lld\t%lld\t%lld\tnan\t0\t0\t0\tok\n", i, (long long)s[i].t_send,
			(long long)s[i].rtt, (long long)s[i].h2r, (long long)s[i].dispatch, (long long)s[i].proc);
	fclose(f);
	write_file(d, "run.json", "{\"format\":\"rplat-run\",\"clock\":{\"valid\":true,\"err_bound_ns\":750.5}}\n");
	rplat_ana_opts_init(&ao);
	ao.worst = 2;
	ao.threshold_ns = 300000;
	if (rplat_analyze_run(d, &ao, NULL, NULL, err, sizeof(err)))
		fail_msg("%s", err);
	snprintf(path, sizeof(path), "%s/analysis.json", tdir);
	j = rplat_json_load(path, err, sizeof(err));
	assert_non_null(j);
	assert_string_equal(rplat_json_str(rplat_json_get(j, "format")), "rplat-trace-analysis");
	{
		double v;
		const struct rplat_json *o;

		assert_int_equal(rplat_json_num(rplat_json_get(j, "match_rate"), &v), 0);
		assert_true(v == 1.0);
		assert_int_equal(rplat_json_num(rplat_json_get(j, "clock.err_bound_ns"), &v), 0);
		assert_true(v == 750.5);
		assert_int_equal(rplat_json_num(rplat_json_get(j, "over_threshold"), &v), 0);
		assert_true(v == 1);
		o = rplat_json_get(j, "outliers");
		assert_non_null(o);
		assert_int_equal(o->n, 2);
		assert_string_equal(rplat_json_str(rplat_json_member(&o->child[0], "dominant_stage")), "wakeup_to_run");
		assert_non_null(strstr(rplat_json_str(rplat_json_member(&o->child[0], "verdict")), "`hog`"));
		assert_int_equal(rplat_json_num(rplat_json_get(j, "stages.wakeup_to_run.stats.count"), &v), 0);
		assert_true(v == 100);
	}
	rplat_json_free(j);
	snprintf(path, sizeof(path), "%s/hist/wakeup_to_run.hist", tdir);
	assert_int_equal(access(path, R_OK), 0);
	snprintf(path, sizeof(path), "%s/stages.tsv", tdir);
	assert_int_equal(access(path, R_OK), 0);
	snprintf(path, sizeof(path), "%s/analysis.txt", tdir);
	assert_int_equal(access(path, R_OK), 0);

	/* exports from the same run */
	{
		struct rplat_ana_input in;
		struct rplat_analysis a;
		struct rplat_export_opts eo;
		struct rplat_tev_set ev2;
		char *buf = NULL;
		size_t len = 0;
		FILE *m;

		rplat_tev_set_init(&ev2);
		assert_int_equal(rplat_ana_load_run(d, &ev2, &in, err, sizeof(err)), 0);
		assert_int_equal(in.remote_pid, 1001);
		assert_int_equal(in.marker_fd, 9);
		assert_int_equal(rplat_analyze(&ev2, &in, &ao, &a, err, sizeof(err)), 0);
		rplat_export_opts_init(&eo);
		m = open_memstream(&buf, &len);
		assert_int_equal(rplat_export_perfetto(&ev2, &a, &eo, m), 0);
		fclose(m);
		j = rplat_json_parse(buf, len, err, sizeof(err));
		if (!j)
			fail_msg("perfetto JSON: %s", err);
		{
			const struct rplat_json *te = rplat_json_get(j, "traceEvents");
			size_t k, flows_s = 0, flows_f = 0, remote = 0;

			assert_non_null(te);
			for (k = 0; k < te->n; k++) {
				const char *ph = rplat_json_str(rplat_json_member(&te->child[k], "ph"));
				double pid;

				if (!strcmp(ph, "s"))
					flows_s++;
				if (!strcmp(ph, "f"))
					flows_f++;
				if (!strcmp(ph, "X") && !rplat_json_num(rplat_json_member(&te->child[k], "pid"), &pid) &&
				    pid == 2)
					remote++;
			}
			assert_int_equal(flows_s, 100);
			assert_int_equal(flows_f, 100);
			assert_int_equal(remote, 300); /* per message: remote, dispatch, processing */
		}
		rplat_json_free(j);
		free(buf);
		buf = NULL;
		eo.seq_from = eo.seq_to = 33;
		m = open_memstream(&buf, &len);
		assert_int_equal(rplat_export_text(&ev2, &a, &eo, m), 0);
		fclose(m);
		assert_non_null(strstr(buf, "# ---- seq 33: rtt"));
		assert_non_null(strstr(buf, "rplat seq=33"));
		assert_null(strstr(buf, "rplat seq=34"));
		assert_non_null(strstr(buf, "hog[4242]"));
		free(buf);
		rplat_analysis_free(&a);
		rplat_ana_input_free(&in);
		rplat_tev_set_free(&ev2);
	}
	/* a run that was not traced */
	rm_rf(tdir);
	assert_int_equal(rplat_analyze_run(d, &ao, NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not traced"));
	rplat_tev_set_free(&ev);
	free(s);
	rm_rf(d);
	free(d);
}

static void test_trace_options(void **state)
{
	struct rplat_trace_opts o;
	char err[256];
	char *argv[] = { "trace", "--buffer-kb", "4096", "--worst", "5", "--threshold", "200", "--break", "1ms",
			 "--on-threshold", "signal,USR2,continue", "--no-uprobes", "-l", "10", NULL };
	int i, r, argc = 14;

	(void)state;
	rplat_trace_opts_init(&o);
	for (i = 1; i < argc; i += r > 0 ? r : 1) {
		r = rplat_trace_parse_opt(&o, argc, argv, i, err, sizeof(err));
		assert_true(r >= 0);
		if (!strcmp(argv[i], "-l") || !strcmp(argv[i], "10"))
			assert_int_equal(r, 0);
	}
	assert_int_equal(o.buffer_kb, 4096);
	assert_int_equal(o.worst, 5);
	assert_int_equal(o.threshold_ns, 200000);
	assert_int_equal(o.break_ns, 1000000);
	assert_int_equal(o.actions, RPLAT_ACT_SIGNAL);
	assert_int_equal(o.action_signal, 12); /* SIGUSR2 */
	assert_true(o.action_continue);
	assert_false(o.uprobes);

	rplat_trace_opts_init(&o);
	assert_int_equal(rplat_trace_parse_action(&o, "shell,echo a,b", err, sizeof(err)), 0);
	assert_string_equal(o.action_shell, "echo a,b");
	assert_false(o.action_continue);
	assert_int_equal(rplat_trace_parse_action(&o, "shell,touch x,continue", err, sizeof(err)), 0);
	assert_string_equal(o.action_shell, "touch x");
	assert_true(o.action_continue);
	assert_int_equal(rplat_trace_parse_action(&o, "trace", err, sizeof(err)), 0);
	assert_true(o.actions & RPLAT_ACT_TRACE);
	assert_int_equal(rplat_trace_parse_action(&o, "signal,NOPE", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a signal"));
	assert_int_equal(rplat_trace_parse_action(&o, "dance", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "expected trace"));
	assert_int_equal(rplat_trace_parse_action(&o, "shell,", err, sizeof(err)), -1);
	{
		char *bad[] = { "trace", "--threshold", "-5", NULL };
		char *miss[] = { "trace", "--worst", NULL };

		assert_int_equal(rplat_trace_parse_opt(&o, 3, bad, 1, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "--threshold '-5'"));
		assert_int_equal(rplat_trace_parse_opt(&o, 2, miss, 1, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "needs a value"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_files_round_trip),
		cmocka_unit_test(test_event_files_bad),
		cmocka_unit_test(test_samples_tsv),
		cmocka_unit_test(test_stream_samples_tsv),
		cmocka_unit_test(test_analyze_run_dir),
		cmocka_unit_test(test_trace_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
