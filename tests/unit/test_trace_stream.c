/* Unit tests for the stream side of the trace analysis (tracing/analyze.c, glitch.c, analyze_out.c): a
 * hand-built capture of rplat stream --trace with a known truth. The probe (pid 2000, CPU0) sends every
 * 100 us; the reader (tid 1000, CPU1) sleeps in read(), is woken by the probe, reads, and writes the
 * "rplat rx seq=N" marker. Per message, by construction:
 *   due -> ISR 5 us, ISR -> send 1 us, send -> wakeup 2 us, wakeup -> run 2 us, run -> read return 1 us,
 *   read return -> recv 1.5 us
 * with three glitches: seq 30 spends 80 us between its ISR and its send (a remote delay), seq 50's
 * wakeup is followed by 300 us of rplat-hog (SCHED_FIFO) on the reader's CPU, and seq 69's 150 us hog
 * delay makes seq 70 arrive while the reader is still busy (it queues in the ring). No root, no tracefs. */
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

#include "analyze.h"
#include "tev.h"

#define T 1000    /* the reader */
#define R 2000    /* the sim probe */
#define HOG 3000
#define N 100
#define PERIOD 100000
#define T0 1000000000ll

struct fx {
	struct rplat_tev_set ev;
	struct rplat_ana_sample s[N];
	int queued[N];           /* sent before the reader was done with the previous message */
	struct rplat_ana_input in;
	struct rplat_analysis a;
	int32_t tid;
};

static void put(struct fx *f, int64_t ts, int type, int cpu, int32_t pid, int32_t a, int32_t b, int64_t c)
{
	struct rplat_tev e = { ts, (uint16_t)type, (uint16_t)cpu, pid, a, b, c };

	assert_int_equal(rplat_tev_set_push(&f->ev, &e), 0);
}

static void sw(struct fx *f, int64_t ts, int cpu, int32_t prev, int prev_prio, int64_t state, int32_t next,
	       int next_prio)
{
	put(f, ts, RPLAT_TEV_SWITCH, cpu, prev, prev, next, rplat_tev_pack_switch(state, prev_prio, next_prio));
}

static int64_t hog_ns(uint32_t seq)
{
	return seq == 50 ? 300000 : seq == 69 ? 150000 : 0;
}

/* Build the capture and the samples. */
static void build(struct fx *f, int with_samples)
{
	int64_t free_at = T0 - 50000; /* when the reader is done with the previous message (its marker) */
	uint32_t i;

	memset(f, 0, sizeof(*f));
	rplat_tev_set_init(&f->ev);
	rplat_tev_names_task(&f->ev.names, T, "rplat", 89);
	rplat_tev_names_task(&f->ev.names, R, "rplat-sim-probe", 120);
	rplat_tev_names_task(&f->ev.names, HOG, "rplat-hog", 49);
	for (i = 0; i < N; i++) {
		int64_t due = T0 + (int64_t)i * PERIOD, isr = due + 5000, snd = isr + (i == 30 ? 80000 : 1000);
		int64_t enter = free_at + 500, wake = snd + 2000, run, ret, recv;

		/* the reader goes back to read() */
		put(f, enter, RPLAT_TEV_SYS_ENTER, 1, T, RPLAT_SYS_READ, 5, 8);
		/* the probe's timer and send, on CPU0 */
		sw(f, isr - 500, 0, 0, 120, 0, R, 120);
		if (wake > enter + 300) { /* the message is not there yet: the reader sleeps */
			sw(f, enter + 300, 1, T, 89, 1, 0, 120);
			put(f, wake, RPLAT_TEV_WAKING, 0, R, T, 1, 89);
			if (hog_ns(i)) {
				sw(f, wake + 100, 1, 0, 120, 0, HOG, 49);
				sw(f, wake + 100 + hog_ns(i), 1, HOG, 49, 0, T, 89);
				run = wake + 100 + hog_ns(i);
			} else {
				run = wake + 2000;
				sw(f, run, 1, 0, 120, 0, T, 89);
			}
			ret = run + 1000;
		} else { /* already in the ring: the read returns at once */
			ret = enter + 1000;
			f->queued[i] = 1;
		}
		sw(f, snd + 3000, 0, R, 120, 1, 0, 120);
		put(f, ret, RPLAT_TEV_SYS_EXIT, 1, T, RPLAT_SYS_READ, 0, 48);
		recv = ret + 1500;
		put(f, recv + 200, RPLAT_TEV_SYS_ENTER, 1, T, RPLAT_SYS_WRITE, 7, 16);
		put(f, recv + 500, RPLAT_TEV_MARKER, 1, T, (int32_t)i, 1, i);
		put(f, recv + 700, RPLAT_TEV_SYS_EXIT, 1, T, RPLAT_SYS_WRITE, 0, 16);
		free_at = recv + 700;
		f->s[i] = (struct rplat_ana_sample){ .seq = i, .status = 0, .t_send = RPLAT_NONE, .rtt = RPLAT_NONE,
						     .h2r = RPLAT_NONE, .dispatch = RPLAT_NONE, .proc = RPLAT_NONE,
						     .t_recv = recv, .due = due, .isr = isr, .rsend = snd };
	}
	rplat_tev_set_sort(&f->ev);
	f->tid = T;
	f->in.samples = with_samples ? f->s : NULL;
	f->in.nsamples = with_samples ? N : 0;
	f->in.kind = with_samples ? RPLAT_ANA_STREAM : RPLAT_ANA_PING; /* without samples the markers decide */
	f->in.tids = &f->tid;
	f->in.ntids = 1;
	f->in.remote_pid = R;
	f->in.marker_fd = 7;
	f->in.clock_err_ns = 300;
	f->in.clock_source = "synthetic";
}

static void analyze(struct fx *f, int64_t threshold_ns)
{
	struct rplat_ana_opts o;
	char err[256] = "";

	rplat_ana_opts_init(&o);
	o.worst = 3;
	o.threshold_ns = threshold_ns;
	if (rplat_analyze(&f->ev, &f->in, &o, &f->a, err, sizeof(err)))
		fail_msg("analyze: %s", err);
}

static void done(struct fx *f)
{
	rplat_analysis_free(&f->a);
	rplat_tev_set_free(&f->ev);
}

static void test_stages_match_the_truth(void **state)
{
	static const int64_t truth[RPLAT_ST_N] = { RPLAT_NONE, RPLAT_NONE, 5000, 1000, 2000, 2000, 1000, 1500 };
	struct fx f;
	size_t i;
	int k;

	(void)state;
	build(&f, 1);
	analyze(&f, 0);
	assert_int_equal(f.a.kind, RPLAT_ANA_STREAM);
	assert_string_equal(rplat_ana_stage_id(&f.a, 2), "due_to_isr");
	assert_null(rplat_ana_stage_id(&f.a, 0));
	assert_int_equal(f.a.nmsg, N); /* the window after the last marker is not a message */
	assert_int_equal(f.a.matched, N);
	for (i = 0; i < N; i++) {
		const struct rplat_ana_msg *m = &f.a.msg[i];
		int64_t sum = 0;

		assert_int_equal(m->seq, i);
		assert_true(m->matched);
		assert_true(m->b[RPLAT_B_SEND] == RPLAT_NONE && m->b[RPLAT_B_KICK] == RPLAT_NONE);
		for (k = 0; k < RPLAT_ST_N; k++)
			if (m->st[k] != RPLAT_NONE)
				sum += m->st[k];
		assert_int_equal(sum, m->rtt); /* the stages add up to due -> recv */
		assert_int_equal(m->rtt, m->b[RPLAT_B_RECV] - f.s[i].due);
		assert_int_equal(m->remote_shift, 0);
		assert_int_equal(m->queued, f.queued[i]);
		if (i == 30 || i == 50 || i == 69 || f.queued[i])
			continue;
		for (k = 0; k < RPLAT_ST_N; k++)
			if (m->st[k] != truth[k])
				fail_msg("seq %zu stage %d: %lld, not %lld", i, k, (long long)m->st[k], (long long)truth[k]);
		assert_int_equal(m->cpu_run, 1);
		assert_int_equal(m->waker, R);
		assert_false(m->queued);
	}
	/* the 300 us hog delayed the reader for three periods: 51..53 queued behind 50, 70 behind 69 */
	assert_true(f.queued[51] && f.queued[52] && f.queued[53] && !f.queued[54] && f.queued[70] && !f.queued[71]);
	/* every stage the stream has got a histogram entry per message (but the queued ones' wakeup/run) */
	assert_int_equal(f.a.hist[2].count, N);
	assert_int_equal(f.a.hist[5].count, N - 4);
	assert_int_equal(f.a.hist[0].count, 0);
	done(&f);
}

static void test_remote_delay_is_remote(void **state)
{
	const struct rplat_ana_outlier *o;
	struct fx f;

	(void)state;
	build(&f, 1);
	analyze(&f, 50000);
	o = rplat_ana_outlier_of(&f.a, 30);
	assert_non_null(o);
	assert_string_equal(rplat_ana_stage_id(&f.a, o->dominant), "isr_to_send");
	assert_int_equal(o->dominant_ns, 80000);
	assert_non_null(strstr(o->verdict, "on the sim the remote is a Linux process"));
	assert_non_null(strstr(o->verdict, "between its timer ISR and sending the message"));
	done(&f);
}

static void test_wakeup_delay_names_the_task(void **state)
{
	const struct rplat_ana_outlier *o;
	struct fx f;
	int i, found = 0;

	(void)state;
	build(&f, 1);
	analyze(&f, 50000);
	o = rplat_ana_outlier_of(&f.a, 50);
	assert_non_null(o);
	assert_true(o->why & 2);
	assert_string_equal(rplat_ana_stage_id(&f.a, o->dominant), "wakeup_to_run");
	assert_int_equal(o->wake_to_run, 300100);
	for (i = 0; i < o->ncontrib; i++)
		if (!strcmp(o->contrib[i].name, "rplat-hog") && o->contrib[i].ns == 300000 && o->contrib[i].cpu == 1)
			found = 1;
	assert_true(found);
	assert_non_null(strstr(o->verdict, "the message waited 300.1 us between the wakeup and the run on CPU1"));
	assert_non_null(strstr(o->verdict, "`rplat-hog`"));
	done(&f);
}

static void test_backlog_is_queued(void **state)
{
	const struct rplat_ana_outlier *o;
	const struct rplat_ana_msg *m;
	struct fx f;

	(void)state;
	build(&f, 1);
	analyze(&f, 40000);
	m = &f.a.msg[70];
	assert_true(m->queued);
	assert_true(m->b[RPLAT_B_WAKE] == RPLAT_NONE && m->b[RPLAT_B_RUN] == RPLAT_NONE);
	assert_true(m->b[RPLAT_B_REPLY] < m->b[RPLAT_B_RET]);
	o = rplat_ana_outlier_of(&f.a, 70);
	assert_non_null(o);
	assert_string_equal(rplat_ana_stage_id(&f.a, o->dominant), "send_to_wakeup");
	assert_non_null(strstr(o->verdict, "in the ring"));
	/* the message that caused the backlog is explained by its own delay */
	o = rplat_ana_outlier_of(&f.a, 69);
	assert_non_null(o);
	assert_string_equal(rplat_ana_stage_id(&f.a, o->dominant), "wakeup_to_run");
	done(&f);
}

static void test_markers_alone(void **state)
{
	struct fx f;
	size_t i;

	(void)state;
	build(&f, 0); /* a trace.dat: no samples, the "rx" markers say it is a stream */
	analyze(&f, 0);
	assert_int_equal(f.a.kind, RPLAT_ANA_STREAM);
	assert_int_equal(f.a.nmsg, N);
	assert_int_equal(f.a.matched, N);
	for (i = 0; i < N; i++) {
		const struct rplat_ana_msg *m = &f.a.msg[i];

		assert_true(m->b[RPLAT_B_RISR] == RPLAT_NONE);
		assert_int_equal(m->b[RPLAT_B_RECV], m->b[RPLAT_B_RET]);
		if (!f.queued[i] && m->rtt != m->b[RPLAT_B_RET] - m->b[RPLAT_B_WAKE]) /* the host part: wakeup -> return */
			fail_msg("seq %zu: latency %lld, wakeup %lld, run %lld, return %lld", i, (long long)m->rtt,
				 (long long)m->b[RPLAT_B_WAKE], (long long)m->b[RPLAT_B_RUN], (long long)m->b[RPLAT_B_RET]);
	}
	done(&f);
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);

	assert_non_null(fp);
	assert_non_null(buf);
	assert_true(fread(buf, 1, (1 << 20) - 1, fp) > 0);
	fclose(fp);
	return buf;
}

static void test_outputs_use_stream_names(void **state)
{
	static const char head[] = "seq\tstatus\tmatched\tt_due\tt_remote_isr\tt_remote_send\tt_wakeup\tt_run\t"
				   "t_ret\tt_recv\tdue_to_isr\tisr_to_send\tsend_to_wakeup\twakeup_to_run\trun_to_ret\t"
				   "ret_to_recv\tcpu_send";
	char dir[] = "/tmp/rplat-test-stream-XXXXXX", path[256], err[256], *s;
	struct stat st;
	struct fx f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	build(&f, 1);
	analyze(&f, 100000);
	assert_int_equal(rplat_analysis_write(&f.a, &f.ev, dir, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/analysis.json", dir);
	s = slurp(path);
	assert_non_null(strstr(s, "\"kind\": \"stream\""));
	assert_non_null(strstr(s, "\"due_to_isr\": {"));
	assert_non_null(strstr(s, "\"latency_ns\""));
	assert_null(strstr(s, "send_to_kick"));
	assert_null(strstr(s, "\"rtt_ns\""));
	free(s);
	snprintf(path, sizeof(path), "%s/stages.tsv", dir);
	s = slurp(path);
	assert_int_equal(strncmp(s, head, strlen(head)), 0);
	free(s);
	snprintf(path, sizeof(path), "%s/hist/isr_to_send.hist", dir);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/hist/send_to_kick.hist", dir);
	assert_int_not_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
	done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stages_match_the_truth),
		cmocka_unit_test(test_remote_delay_is_remote),
		cmocka_unit_test(test_wakeup_delay_names_the_task),
		cmocka_unit_test(test_backlog_is_queued),
		cmocka_unit_test(test_markers_alone),
		cmocka_unit_test(test_outputs_use_stream_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
