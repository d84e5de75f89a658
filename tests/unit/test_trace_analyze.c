/* Unit tests for the trace analysis (tracing/analyze.c, glitch.c) on synthetic event streams with a
 * known truth (tracing/synth.c). No root, no tracefs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analyze.h"
#include "glitch.h"
#include "synth.h"
#include "tev.h"

struct fixture {
	struct rplat_tev_set ev;
	struct rplat_ana_sample *samples;
	struct rplat_ana_input in;
	struct rplat_analysis a;
	int32_t tid;
};

static void run(struct fixture *f, const struct rplat_synth_opts *so, const struct rplat_ana_opts *ao)
{
	char err[256] = "";

	memset(f, 0, sizeof(*f));
	rplat_tev_set_init(&f->ev);
	assert_int_equal(rplat_synth(so, &f->ev, &f->samples), 0);
	f->tid = so->tid;
	f->in.samples = f->samples;
	f->in.nsamples = so->nmsg;
	f->in.tids = &f->tid;
	f->in.ntids = 1;
	f->in.remote_pid = so->remote_pid;
	f->in.marker_fd = so->marker_fd;
	f->in.clock_err_ns = 500;
	f->in.clock_source = "synthetic";
	if (rplat_analyze(&f->ev, &f->in, ao, &f->a, err, sizeof(err)))
		fail_msg("analyze: %s", err);
}

static void done(struct fixture *f)
{
	rplat_analysis_free(&f->a);
	rplat_tev_set_free(&f->ev);
	free(f->samples);
}

static void test_quiet_all_matched(void **state)
{
	struct rplat_synth_opts so;
	struct rplat_ana_opts ao;
	struct fixture f;
	size_t i;

	(void)state;
	rplat_synth_opts_init(&so);
	so.nmsg = 500;
	rplat_ana_opts_init(&ao);
	run(&f, &so, &ao);
	assert_int_equal(f.a.nmsg, 500);
	assert_int_equal(f.a.matched, 500);
	for (i = 0; i < f.a.nmsg; i++) {
		const struct rplat_ana_msg *m = &f.a.msg[i];
		int64_t sum = 0;
		int k;

		assert_int_equal(m->seq, i);
		assert_true(m->matched);
		/* every boundary seen, and the stages add up to the round trip */
		for (k = 0; k < RPLAT_B_N; k++)
			assert_true(m->b[k] != RPLAT_NONE);
		for (k = 0; k < RPLAT_ST_N; k++) {
			assert_true(m->st[k] != RPLAT_NONE);
			sum += m->st[k];
		}
		assert_int_equal(sum, m->rtt);
		/* the synthetic truth: wakeup -> run is 2 us, the read returns 1 us later, recv 1.5 us after */
		assert_int_equal(m->st[5], 2000);
		assert_int_equal(m->st[6], 1000);
		assert_int_equal(m->st[7], 1500);
		assert_int_equal(m->remote_shift, 0);
		assert_int_equal(m->cpu_send, 1);
		assert_int_equal(m->cpu_run, 1);
		assert_false(m->migrated);
	}
	for (i = 0; i < RPLAT_ST_N; i++)
		assert_int_equal(f.a.hist[i].count, 500);
	done(&f);
}

static void test_marker_write_is_not_the_send(void **state)
{
	struct rplat_synth_opts so;
	struct rplat_ana_opts ao;
	struct fixture f;

	(void)state;
	rplat_synth_opts_init(&so);
	so.nmsg = 50;
	rplat_ana_opts_init(&ao);
	/* without the marker's fd the analysis must still tell the marker's write from the doorbell's */
	memset(&f, 0, sizeof(f));
	{
		char err[256];

		rplat_tev_set_init(&f.ev);
		assert_int_equal(rplat_synth(&so, &f.ev, &f.samples), 0);
		f.tid = so.tid;
		f.in.samples = f.samples;
		f.in.nsamples = so.nmsg;
		f.in.marker_fd = -1;
		f.in.clock_err_ns = -1;
		/* no tids either: found from the markers */
		assert_int_equal(rplat_analyze(&f.ev, &f.in, &ao, &f.a, err, sizeof(err)), 0);
	}
	assert_int_equal(f.a.ntids, 1);
	assert_int_equal(f.a.tids[0], so.tid);
	assert_int_equal(f.a.matched, 50);
	assert_int_equal(f.a.msg[7].write_enter, f.samples[7].t_send + 1000);
	done(&f);
}

static void test_no_idle_switch_in(void **state)
{
	struct rplat_synth_opts so;
	struct rplat_ana_opts ao;
	struct fixture f;
	size_t i;

	(void)state;
	rplat_synth_opts_init(&so);
	so.nmsg = 100;
	so.trace_idle_switch_in = 0; /* as the kernel on these machines: idle -> task is not traced */
	rplat_ana_opts_init(&ao);
	run(&f, &so, &ao);
	assert_int_equal(f.a.matched, 100);
	for (i = 0; i < f.a.nmsg; i++) {
		/* the thread's next event (its poll return, 2.2 us after the wakeup) stands for the switch-in */
		assert_int_equal(f.a.msg[i].st[5], 2200);
		assert_int_equal(f.a.msg[i].cpu_run, 1);
	}
	done(&f);
}

static void test_wake_delay_names_the_task(void **state)
{
	static const struct rplat_synth_glitch g[] = {
		{ .seq = 40, .kind = RPLAT_GLITCH_WAKE_DELAY, .ns = 212000, .pid = 4242, .name = "hog", .prio = 49 },
	};
	struct rplat_synth_opts so;
	struct rplat_ana_opts ao;
	const struct rplat_ana_outlier *o;
	struct fixture f;

	(void)state;
	rplat_synth_opts_init(&so);
	so.nmsg = 100;
	so.glitch = g;
	so.nglitch = 1;
	so.tid_prio = 89; /* rplat at SCHED_FIFO 10, the hog at SCHED_FIFO 50 */
	rplat_ana_opts_init(&ao);
	ao.worst = 3;
	run(&f, &so, &ao);
	o = rplat_ana_outlier_of(&f.a, 40);
	assert_non_null(o);
	assert_true(o->why & 1);
	assert_string_equal(rplat_stage_ids[o->dominant], "wakeup_to_run");
	assert_int_equal(o->dominant_ns, 212000);
	assert_int_equal(o->wake_to_run, 212000);
	assert_true(o->ncontrib >= 1);
	assert_int_equal(o->contrib[0].kind, 0);
	assert_int_equal(o->contrib[0].id, 4242);
	assert_string_equal(o->contrib[0].name, "hog");
	assert_int_equal(o->contrib[0].ns, 212000);
	assert_non_null(strstr(o->verdict, "`hog`"));
	assert_non_null(strstr(o->verdict, "212.0 us"));
	assert_non_null(strstr(o->verdict, "higher"));
	/* the worst message comes first */
	assert_int_equal(f.a.msg[f.a.out[0].msg].seq, 40);
	done(&f);
}

static void test_remote_delay_is_remote(void **state)
{
	static const struct rplat_synth_glitch g[] = {
		{ .seq = 10, .kind = RPLAT_GLITCH_REMOTE_DELAY, .ns = 150000 },
		{ .seq = 70, .kind = RPLAT_GLITCH_REMOTE_DELAY, .ns = 90000 },
	};
	struct rplat_synth_opts so;
	struct rplat_ana_opts ao;
	const struct rplat_ana_outlier *o;
	struct fixture f;

	(void)state;
	rplat_synth_opts_init(&so);
	so.nmsg = 100;
	so.glitch = g;
	so.nglitch = 2;
	rplat_ana_opts_init(&ao);
	ao.worst = 0;
	ao.threshold_ns = 50000;
	run(&f, &so, &ao);
	assert_int_equal(f.a.over_threshold, 2);
	assert_int_equal(f.a.nout, 2);
	o = rplat_ana_outlier_of(&f.a, 10);
	assert_non_null(o);
	assert_true(o->why & 2);
	assert_string_equal(rplat_stage_ids[o->dominant], "consume_to_reply");
	assert_non_null(strstr(o->verdict, "remote processing"));
	/* on the sim the remote is a Linux process: never "Linux was not involved" there */
	assert_non_null(strstr(o->verdict, "on the sim the remote is a Linux process"));
	assert_null(strstr(o->verdict, "Linux was not involved"));
	assert_int_equal(f.a.dominant_count[3], 2);
	done(&f);
}

static void test_irq_in_read_path(void **state)
{
	static const struct rplat_synth_glitch g[] = {
		{ .seq = 5, .kind = RPLAT_GLITCH_IRQ, .ns = 80000, .pid = 31, .name = "eth0" },
	};
	struct rplat_synth_opts so;
	struct rplat_ana_opts ao;
	const struct rplat_ana_outlier *o;
	struct fixture f;

	(void)state;
	rplat_synth_opts_init(&so);
	so.nmsg = 20;
	so.glitch = g;
	so.nglitch = 1;
	rplat_ana_opts_init(&ao);
	ao.worst = 1;
	run(&f, &so, &ao);
	o = rplat_ana_outlier_of(&f.a, 5);
	assert_non_null(o);
	assert_string_equal(rplat_stage_ids[o->dominant], "run_to_ret");
	assert_int_equal(o->contrib[0].kind, 1);
	assert_int_equal(o->contrib[0].id, 31);
	assert_int_equal(o->contrib[0].ns, 80000);
	assert_non_null(strstr(o->verdict, "IRQ 31 eth0"));
	done(&f);
}

static void test_break_seq_first(void **state)
{
	struct rplat_synth_opts so;
	struct rplat_ana_opts ao;
	struct fixture f;

	(void)state;
	rplat_synth_opts_init(&so);
	so.nmsg = 30;
	rplat_ana_opts_init(&ao);
	ao.worst = 2;
	ao.break_seq = 17;
	run(&f, &so, &ao);
	assert_true(f.a.nout >= 1);
	assert_int_equal(f.a.msg[f.a.out[0].msg].seq, 17);
	assert_true(f.a.out[0].why & 4);
	done(&f);
}

static void test_lost_events_flag_the_window(void **state)
{
	struct rplat_synth_opts so;
	struct rplat_ana_opts ao;
	struct fixture f;
	struct rplat_tev lost = { 0 };
	char err[256];

	(void)state;
	rplat_synth_opts_init(&so);
	so.nmsg = 10;
	rplat_ana_opts_init(&ao);
	memset(&f, 0, sizeof(f));
	rplat_tev_set_init(&f.ev);
	assert_int_equal(rplat_synth(&so, &f.ev, &f.samples), 0);
	lost.ts = f.samples[4].t_send + 4500;
	lost.type = RPLAT_TEV_LOST;
	lost.cpu = 1;
	lost.pid = -1;
	lost.c = 12;
	assert_int_equal(rplat_tev_set_push(&f.ev, &lost), 0);
	rplat_tev_set_sort(&f.ev);
	assert_int_equal(f.ev.lost, 12);
	f.tid = so.tid;
	f.in.samples = f.samples;
	f.in.nsamples = so.nmsg;
	f.in.tids = &f.tid;
	f.in.ntids = 1;
	f.in.marker_fd = so.marker_fd;
	assert_int_equal(rplat_analyze(&f.ev, &f.in, &ao, &f.a, err, sizeof(err)), 0);
	assert_true(f.a.msg[4].incomplete);
	assert_false(f.a.msg[3].incomplete);
	assert_false(f.a.msg[5].incomplete);
	assert_int_equal(f.a.lost_events, 12);
	done(&f);
}

static void test_samples_without_markers_count(void **state)
{
	struct rplat_synth_opts so;
	struct rplat_ana_opts ao;
	struct fixture f;
	struct rplat_ana_sample *more;

	(void)state;
	rplat_synth_opts_init(&so);
	so.nmsg = 10;
	rplat_ana_opts_init(&ao);
	memset(&f, 0, sizeof(f));
	rplat_tev_set_init(&f.ev);
	assert_int_equal(rplat_synth(&so, &f.ev, &f.samples), 0);
	/* two more messages were measured than the trace saw (the capture started late, say) */
	more = realloc(f.samples, 12 * sizeof(*more));
	assert_non_null(more);
	f.samples = more;
	f.samples[10] = f.samples[9];
	f.samples[10].seq = 10;
	f.samples[10].t_send += 1000000000;
	f.samples[11] = f.samples[10];
	f.samples[11].seq = 11;
	f.samples[11].status = 1; /* lost */
	f.samples[11].rtt = RPLAT_NONE;
	f.tid = so.tid;
	f.in.samples = f.samples;
	f.in.nsamples = 12;
	f.in.tids = &f.tid;
	f.in.ntids = 1;
	f.in.marker_fd = so.marker_fd;
	{
		char err[256];

		assert_int_equal(rplat_analyze(&f.ev, &f.in, &ao, &f.a, err, sizeof(err)), 0);
	}
	assert_int_equal(f.a.nmsg, 12);
	assert_int_equal(f.a.ok, 11);
	assert_int_equal(f.a.matched, 10);
	assert_false(f.a.msg[10].matched);
	done(&f);
}

static void test_no_markers_is_an_error(void **state)
{
	struct rplat_tev_set ev;
	struct rplat_ana_input in = { .marker_fd = -1, .clock_err_ns = -1 };
	struct rplat_ana_opts ao;
	struct rplat_analysis a;
	struct rplat_tev e = { .ts = 1, .type = RPLAT_TEV_SWITCH, .pid = 1, .a = 1, .b = 2 };
	char err[256] = "";

	(void)state;
	rplat_tev_set_init(&ev);
	rplat_tev_set_push(&ev, &e);
	rplat_ana_opts_init(&ao);
	assert_int_equal(rplat_analyze(&ev, &in, &ao, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no \"rplat seq=N\" or \"rplat rx seq=N\" trace markers"));
	rplat_analysis_free(&a);
	rplat_tev_set_free(&ev);
}

static void test_cpu_activity(void **state)
{
	struct rplat_tev_set ev;
	struct rplat_ana_contrib c[8];
	int n;

	(void)state;
	rplat_tev_set_init(&ev);
	rplat_tev_names_task(&ev.names, 10, "a", 120);
	rplat_tev_names_task(&ev.names, 11, "b", 49);
	/* CPU0: a runs 0..100, b 100..250 with an IRQ 150..170 inside, idle after */
	{
		struct rplat_tev e[] = {
			{ 0, RPLAT_TEV_SWITCH, 0, 0, 0, 10, rplat_tev_pack_switch(0, 120, 120) },
			{ 100, RPLAT_TEV_SWITCH, 0, 10, 10, 11, rplat_tev_pack_switch(0, 120, 49) },
			{ 150, RPLAT_TEV_IRQ_ENTRY, 0, 11, 7, 0, 0 },
			{ 170, RPLAT_TEV_IRQ_EXIT, 0, 11, 7, 1, 0 },
			{ 250, RPLAT_TEV_SWITCH, 0, 11, 11, 0, rplat_tev_pack_switch(1, 49, 120) },
			{ 260, RPLAT_TEV_SWITCH, 1, 0, 0, 10, rplat_tev_pack_switch(0, 120, 120) },
		};
		size_t i;

		for (i = 0; i < sizeof(e) / sizeof(e[0]); i++)
			rplat_tev_set_push(&ev, &e[i]);
	}
	n = rplat_glitch_cpu_activity(&ev, 0, 50, 300, c, 8);
	assert_int_equal(n, 4);
	assert_int_equal(c[0].kind, 0);
	assert_int_equal(c[0].id, 11);
	assert_int_equal(c[0].ns, 150);
	assert_string_equal(c[0].policy, "RT prio 50");
	assert_int_equal(c[1].ns, 50); /* a: 50..100, idle: 250..300 (equal: order by insertion) */
	assert_int_equal(c[2].ns, 50);
	assert_int_equal(c[3].kind, 1);
	assert_int_equal(c[3].ns, 20);
	rplat_tev_set_free(&ev);
}

/* Build a synthetic run with a wake-delay glitch at seq 40, add 'extra' events, analyse. */
static void run_with(struct fixture *f, const struct rplat_tev *extra, int nextra, uint64_t capture_lost)
{
	static const struct rplat_synth_glitch g[] = {
		{ .seq = 40, .kind = RPLAT_GLITCH_WAKE_DELAY, .ns = 212000, .pid = 4242, .name = "hog", .prio = 49 },
	};
	struct rplat_synth_opts so;
	struct rplat_ana_opts ao;
	char err[256];
	int i;

	rplat_synth_opts_init(&so);
	so.nmsg = 100;
	so.glitch = g;
	so.nglitch = 1;
	so.tid_prio = 89;
	so.noise_per_msg = 4;
	rplat_ana_opts_init(&ao);
	ao.worst = 3;
	memset(f, 0, sizeof(*f));
	rplat_tev_set_init(&f->ev);
	assert_int_equal(rplat_synth(&so, &f->ev, &f->samples), 0);
	for (i = 0; i < nextra; i++) {
		struct rplat_tev e = extra[i];

		e.ts += f->samples[40].t_send; /* relative to the glitch message's send */
		assert_int_equal(rplat_tev_set_push(&f->ev, &e), 0);
	}
	rplat_tev_set_sort(&f->ev);
	f->tid = so.tid;
	f->in.samples = f->samples;
	f->in.nsamples = so.nmsg;
	f->in.tids = &f->tid;
	f->in.ntids = 1;
	f->in.remote_pid = so.remote_pid;
	f->in.marker_fd = so.marker_fd;
	f->in.clock_err_ns = 500;
	f->in.capture_lost = capture_lost;
	assert_int_equal(rplat_analyze(&f->ev, &f->in, &ao, &f->a, err, sizeof(err)), 0);
}

/* Issue 10 item 11: a switch whose previous task is not the one last switched in on that CPU means the
 * trace misses a switch; the outlier whose window holds it gets no verdict from the trace, while a
 * quiet synthetic capture has none. */
static void test_broken_chain_withholds_the_verdict(void **state)
{
	/* on the host CPU (1), 100 us after the send, while the hog runs: pid 555 switches out though
	 * it was never switched in */
	static const struct rplat_tev bad[] = {
		{ .ts = 100000, .type = RPLAT_TEV_SWITCH, .cpu = 1, .pid = 555, .a = 555, .b = 4242 },
	};
	struct fixture f;
	const struct rplat_ana_outlier *o;

	(void)state;
	run_with(&f, NULL, 0, 0);
	assert_int_equal(f.a.evidence.chain_breaks, 0);
	assert_int_equal(f.a.evidence.windows_broken, 0);
	o = rplat_ana_outlier_of(&f.a, 40);
	assert_non_null(o);
	assert_int_equal(o->withheld, 0);
	assert_true(f.a.evidence.complete);
	done(&f);

	run_with(&f, bad, 1, 0);
	assert_int_equal(f.a.evidence.chain_breaks, 1);
	assert_true(f.a.evidence.windows_broken >= 1);
	assert_true(f.a.msg[40].broken);
	assert_false(f.a.msg[42].broken);
	o = rplat_ana_outlier_of(&f.a, 40);
	assert_non_null(o);
	assert_int_equal(o->withheld, RPLAT_EV_BROKEN);
	assert_int_equal(o->dominant, -1);
	assert_int_equal(o->ncontrib, 0);
	assert_non_null(strstr(o->verdict, "no verdict from the trace"));
	assert_non_null(strstr(o->verdict, "context switch is missing"));
	assert_null(strstr(o->verdict, "`hog`"));
	assert_int_equal(f.a.evidence.withheld, 1);
	done(&f);
}

/* Issue 10 item 10: events lost in an outlier's window (the gap runs from the CPU's event before the
 * LOST record), or lost where no record says, leave it without a verdict from the trace; the verdict
 * quotes rplat's own stamps and the evidence is incomplete. */
static void test_lost_events_withhold_the_verdict(void **state)
{
	static const struct rplat_tev lost[] = {
		{ .ts = 150000, .type = RPLAT_TEV_LOST, .cpu = 1, .pid = -1, .c = 40 },
	};
	struct fixture f;
	const struct rplat_ana_outlier *o;
	char txt[1024];

	(void)state;
	run_with(&f, lost, 1, 40);
	assert_true(f.a.msg[40].incomplete);
	assert_false(f.a.msg[42].incomplete);
	o = rplat_ana_outlier_of(&f.a, 40);
	assert_non_null(o);
	assert_true(o->withheld & RPLAT_EV_LOST);
	assert_int_equal(o->dominant, -1);
	assert_non_null(strstr(o->verdict, "lost events"));
	assert_non_null(strstr(o->verdict, "from rplat's own stamps alone"));
	assert_non_null(strstr(o->verdict, "remote processing"));
	assert_false(f.a.evidence.complete);
	assert_int_equal(f.a.evidence.lost_events, 40);
	assert_int_equal(f.a.evidence.unlocated_lost, 0);
	rplat_ana_evidence_text(&f.a.evidence, txt, sizeof(txt));
	assert_non_null(strstr(txt, "lost 40 events"));
	done(&f);

	/* the capture's stats count more than the records locate: every window is suspect */
	run_with(&f, lost, 1, 100);
	assert_int_equal(f.a.evidence.unlocated_lost, 60);
	assert_int_equal(f.a.evidence.windows_lost, 100);
	assert_true(f.a.msg[42].incomplete);
	assert_int_equal(f.a.evidence.withheld, f.a.nout);
	done(&f);
}

/* An outlier the trace did not match (its marker's events are missing) gets no verdict either, and a
 * low match rate makes the evidence incomplete. */
static void test_unmatched_outlier_has_no_verdict(void **state)
{
	struct fixture f;
	const struct rplat_ana_outlier *o;
	size_t i, k = 0;

	(void)state;
	/* drop every syscall of messages 30..49: 20 of 100 unmatched, the glitch among them */
	{
		static const struct rplat_synth_glitch g[] = {
			{ .seq = 40, .kind = RPLAT_GLITCH_WAKE_DELAY, .ns = 212000, .pid = 4242, .name = "hog",
			  .prio = 49 },
		};
		struct rplat_synth_opts so;
		struct rplat_ana_opts ao;
		char err[256];

		rplat_synth_opts_init(&so);
		so.nmsg = 100;
		so.glitch = g;
		so.nglitch = 1;
		rplat_ana_opts_init(&ao);
		ao.worst = 3;
		memset(&f, 0, sizeof(f));
		rplat_tev_set_init(&f.ev);
		assert_int_equal(rplat_synth(&so, &f.ev, &f.samples), 0);
		for (i = 0; i < f.ev.n; i++) {
			const struct rplat_tev *e = &f.ev.ev[i];
			int drop = (e->type == RPLAT_TEV_SYS_ENTER || e->type == RPLAT_TEV_SYS_EXIT) &&
				   e->ts > f.samples[30].t_send - 500 && e->ts < f.samples[50].t_send - 5000;

			if (!drop)
				f.ev.ev[k++] = *e;
		}
		f.ev.n = k;
		f.tid = so.tid;
		f.in.samples = f.samples;
		f.in.nsamples = so.nmsg;
		f.in.tids = &f.tid;
		f.in.ntids = 1;
		f.in.remote_pid = so.remote_pid;
		f.in.marker_fd = so.marker_fd;
		assert_int_equal(rplat_analyze(&f.ev, &f.in, &ao, &f.a, err, sizeof(err)), 0);
	}
	assert_false(f.a.msg[40].matched);
	o = rplat_ana_outlier_of(&f.a, 40);
	assert_non_null(o);
	assert_int_equal(o->withheld, RPLAT_EV_UNMATCHED);
	assert_non_null(strstr(o->verdict, "not matched"));
	assert_true(f.a.evidence.match_rate < RPLAT_ANA_MIN_MATCH);
	assert_false(f.a.evidence.complete);
	done(&f);
}

/* A wake delay by 'hog' (kernel prio hog_prio) of rplat (tid_prio), analysed with the given facts. */
static void run_facts(struct fixture *f, int hog_prio, int tid_prio, const struct rplat_sysenv *env, int dma_known,
		      int dma, const char *link, int idle_glitch)
{
	static struct rplat_synth_glitch g[1];
	struct rplat_synth_opts so;
	struct rplat_ana_opts ao;
	char err[256];

	g[0] = (struct rplat_synth_glitch){ .seq = 40, .kind = RPLAT_GLITCH_WAKE_DELAY, .ns = 212000, .pid = 4242,
					    .name = "hog", .prio = hog_prio };
	rplat_synth_opts_init(&so);
	so.nmsg = 100;
	so.glitch = g;
	so.nglitch = idle_glitch ? 0 : 1;
	so.tid_prio = tid_prio;
	rplat_ana_opts_init(&ao);
	ao.worst = 1;
	memset(f, 0, sizeof(*f));
	rplat_tev_set_init(&f->ev);
	assert_int_equal(rplat_synth(&so, &f->ev, &f->samples), 0);
	if (idle_glitch) { /* message 40's thread wakes 212 us late on an idle CPU: move its switch-in */
		size_t i;

		for (i = 0; i < f->ev.n; i++) {
			struct rplat_tev *e = &f->ev.ev[i];

			if (e->type == RPLAT_TEV_SWITCH && e->b == so.tid && e->ts > f->samples[40].t_send &&
			    e->ts < f->samples[41].t_send) {
				e->ts += 212000;
				break;
			}
		}
		for (i = 0; i < f->ev.n; i++) { /* and what follows it in that message */
			struct rplat_tev *e = &f->ev.ev[i];

			if (e->pid == so.tid && e->type == RPLAT_TEV_SYS_EXIT && e->ts > f->samples[40].t_send + 8000 &&
			    e->ts < f->samples[41].t_send - 5000)
				e->ts += 212000;
			else if (e->pid == so.tid && e->type == RPLAT_TEV_SYS_ENTER && e->a == RPLAT_SYS_READ &&
				 e->ts > f->samples[40].t_send + 8000 && e->ts < f->samples[41].t_send - 5000)
				e->ts += 212000;
		}
		f->samples[40].rtt += 212000;
		rplat_tev_set_sort(&f->ev);
	}
	f->tid = so.tid;
	f->in.samples = f->samples;
	f->in.nsamples = so.nmsg;
	f->in.tids = &f->tid;
	f->in.ntids = 1;
	f->in.remote_pid = so.remote_pid;
	f->in.marker_fd = so.marker_fd;
	f->in.clock_err_ns = 500;
	f->in.env = *env;
	f->in.dma_known = dma_known;
	f->in.dma_latency = dma;
	snprintf(f->in.link, sizeof(f->in.link), "%s", link);
	assert_int_equal(rplat_analyze(&f->ev, &f->in, &ao, &f->a, err, sizeof(err)), 0);
}

static void reanalyze(struct fixture *f)
{
	struct rplat_ana_opts ao;
	char err[256];

	rplat_analysis_free(&f->a);
	rplat_ana_opts_init(&ao);
	ao.worst = 1;
	assert_int_equal(rplat_analyze(&f->ev, &f->in, &ao, &f->a, err, sizeof(err)), 0);
}

/* Issue 10 items 12-14: the preemption model in force, a VM and the run's own settings decide what a
 * verdict may say. */
static void test_verdicts_fit_the_facts(void **state)
{
	struct rplat_sysenv env;
	struct fixture f;
	const struct rplat_ana_outlier *o;

	(void)state;
	/* rplat SCHED_FIFO 10 (prio 89) kept off its CPU by a SCHED_OTHER task */
	rplat_sysenv_init(&env);
	rplat_sysenv_preempt_from(&env, NULL, NULL, "quiet", "[0.2] Dynamic Preempt: none\n", "#1 SMP PREEMPT_DYNAMIC");
	assert_string_equal(env.preempt, "none");
	env.guest = 0;
	run_facts(&f, 120, 89, &env, 1, 0, "sim", 0);
	o = rplat_ana_outlier_of(&f.a, 40);
	assert_non_null(o);
	assert_string_equal(rplat_stage_ids[o->dominant], "wakeup_to_run");
	assert_non_null(strstr(o->verdict, "does not preempt a task that is in the kernel (preemption model none, "
				"from the kernel log"));
	assert_null(strstr(o->verdict, "preemption was off"));
	assert_null(strstr(o->verdict, "virtual machine"));
	done(&f);
	/* ... and when the capture knew what kind of task it was */
	run_facts(&f, 120, 89, &env, 1, 0, "sim", 0);
	rplat_tev_names_find(&f.ev.names, 4242)->kind = RPLAT_TASK_KTHREAD;
	reanalyze(&f);
	o = rplat_ana_outlier_of(&f.a, 40);
	assert_non_null(strstr(o->verdict, "it is a kernel thread, so it ran in the kernel"));
	rplat_tev_names_find(&f.ev.names, 4242)->kind = RPLAT_TASK_USER;
	reanalyze(&f);
	o = rplat_ana_outlier_of(&f.a, 40);
	assert_non_null(strstr(o->verdict, "it is a user task"));
	assert_non_null(strstr(o->verdict, "kept the CPU inside the kernel"));
	done(&f);
	/* a preempting kernel: only a non-preemptible section explains it; on a guest, the host too */
	rplat_sysenv_preempt_from(&env, NULL, "none voluntary (full)", "preempt=none", NULL, "#1 SMP PREEMPT_DYNAMIC");
	assert_string_equal(env.preempt, "full");
	env.guest = 1;
	snprintf(env.guest_source, sizeof(env.guest_source), "the hypervisor CPU flag");
	env.steal_ns = 0;
	run_facts(&f, 120, 89, &env, 1, 0, "sim", 0);
	o = rplat_ana_outlier_of(&f.a, 40);
	assert_non_null(strstr(o->verdict, "preemption or interrupts disabled"));
	assert_non_null(strstr(o->verdict, "this is a virtual machine (the hypervisor CPU flag)"));
	assert_non_null(strstr(o->verdict, "the host not running this vCPU"));
	assert_non_null(strstr(o->verdict, "reported no steal time"));
	done(&f);
	/* unknown model: says it cannot tell */
	rplat_sysenv_init(&env);
	rplat_sysenv_preempt_from(&env, NULL, NULL, NULL, NULL, "#1 SMP PREEMPT_DYNAMIC");
	assert_string_equal(env.preempt, "");
	run_facts(&f, 120, 89, &env, 0, 0, "sim", 0);
	o = rplat_ana_outlier_of(&f.a, 40);
	assert_non_null(strstr(o->verdict, "preemption model in force is unknown"));
	done(&f);
	/* a higher real-time priority needs no preemption model and is no VM gap */
	env.guest = 1;
	run_facts(&f, 49, 89, &env, 1, 0, "sim", 0);
	o = rplat_ana_outlier_of(&f.a, 40);
	assert_non_null(strstr(o->verdict, "real-time priority is higher"));
	assert_null(strstr(o->verdict, "virtual machine"));
	done(&f);
	/* rplat's own trace reader is named as such, with the remedy */
	run_facts(&f, 120, 120, &env, 1, 0, "sim", 0);
	{
		struct rplat_tev_task *t = rplat_tev_names_find(&f.ev.names, 4242);

		assert_non_null(t);
		memcpy(t->comm, "rplat-trace", 12);
	}
	rplat_analysis_free(&f.a);
	{
		struct rplat_ana_opts ao;
		char err[256];

		rplat_ana_opts_init(&ao);
		ao.worst = 1;
		assert_int_equal(rplat_analyze(&f.ev, &f.in, &ao, &f.a, err, sizeof(err)), 0);
	}
	o = rplat_ana_outlier_of(&f.a, 40);
	assert_non_null(strstr(o->verdict, "`rplat-trace` is rplat's own trace reader thread"));
	assert_non_null(strstr(o->verdict, "--reader-cpu"));
	done(&f);
	/* an idle CPU's slow wakeup: no cpu_dma_latency advice when it was held at 0, none without cpuidle */
	rplat_sysenv_init(&env);
	env.guest = 0;
	snprintf(env.cpuidle, sizeof(env.cpuidle), "haltpoll");
	run_facts(&f, 120, 120, &env, 1, 0, "sim", 1);
	o = rplat_ana_outlier_of(&f.a, 40);
	assert_non_null(o);
	assert_string_equal(rplat_stage_ids[o->dominant], "wakeup_to_run");
	assert_non_null(strstr(o->verdict, "was held at 0 us during the run"));
	assert_null(strstr(o->verdict, "shortens"));
	done(&f);
	snprintf(env.cpuidle, sizeof(env.cpuidle), "none");
	run_facts(&f, 120, 120, &env, 1, -1, "sim", 1);
	o = rplat_ana_outlier_of(&f.a, 40);
	assert_non_null(strstr(o->verdict, "no cpuidle driver"));
	assert_null(strstr(o->verdict, "shortens"));
	done(&f);
	snprintf(env.cpuidle, sizeof(env.cpuidle), "intel_idle");
	run_facts(&f, 120, 120, &env, 1, -1, "sim", 1);
	o = rplat_ana_outlier_of(&f.a, 40);
	assert_non_null(strstr(o->verdict, "holding it at 0 shortens"));
	done(&f);
}

/* The preemption model's sources, in order of precedence. */
static void test_preempt_model_sources(void **state)
{
	struct rplat_sysenv e;

	(void)state;
	rplat_sysenv_init(&e);
	rplat_sysenv_preempt_from(&e, "1", "none voluntary (full)", NULL, NULL, "#1 SMP PREEMPT_RT");
	assert_string_equal(e.preempt, "rt");
	assert_int_equal(rplat_sysenv_preempts(&e), 1);
	rplat_sysenv_preempt_from(&e, "0", "none (voluntary) full", "preempt=full", NULL, "#1 SMP PREEMPT_DYNAMIC");
	assert_string_equal(e.preempt, "voluntary");
	assert_int_equal(rplat_sysenv_preempts(&e), 0);
	rplat_sysenv_preempt_from(&e, NULL, NULL, "ro preempt=full quiet", "Dynamic Preempt: none", "#1 SMP PREEMPT_DYNAMIC");
	assert_string_equal(e.preempt, "full");
	assert_non_null(strstr(e.preempt_source, "preempt=full"));
	rplat_sysenv_preempt_from(&e, NULL, NULL, "nopreempt=full", "x\nDynamic Preempt: voluntary\n", "#1 SMP PREEMPT_DYNAMIC");
	assert_string_equal(e.preempt, "voluntary");
	rplat_sysenv_preempt_from(&e, NULL, NULL, NULL, NULL, "#1 SMP PREEMPT Tue");
	assert_string_equal(e.preempt, "full");
	rplat_sysenv_preempt_from(&e, NULL, NULL, NULL, NULL, "#1 SMP Tue");
	assert_string_equal(e.preempt, "none/voluntary");
	assert_int_equal(rplat_sysenv_preempts(&e), 0);
	rplat_sysenv_preempt_from(&e, NULL, NULL, NULL, NULL, "#1 SMP PREEMPT_DYNAMIC");
	assert_string_equal(e.preempt, "");
	assert_int_equal(rplat_sysenv_preempts(&e), -1);
}

/* Outside the sim and qemu (a real remote core), a remote stage is not Linux's. */
static void test_real_remote_is_not_linux(void **state)
{
	static const struct rplat_synth_glitch g[] = {
		{ .seq = 10, .kind = RPLAT_GLITCH_REMOTE_DELAY, .ns = 150000 },
	};
	struct rplat_synth_opts so;
	struct rplat_ana_opts ao;
	const struct rplat_ana_outlier *o;
	struct fixture f;

	(void)state;
	rplat_synth_opts_init(&so);
	so.glitch = g;
	so.nglitch = 1;
	rplat_ana_opts_init(&ao);
	ao.worst = 1;
	run(&f, &so, &ao);
	f.in.remote_pid = 0;
	snprintf(f.in.link, sizeof(f.in.link), "rpmsg");
	rplat_analysis_free(&f.a);
	{
		char err[256];

		assert_int_equal(rplat_analyze(&f.ev, &f.in, &ao, &f.a, err, sizeof(err)), 0);
	}
	o = rplat_ana_outlier_of(&f.a, 10);
	assert_non_null(o);
	assert_non_null(strstr(o->verdict, "Linux was not involved"));
	done(&f);
	run(&f, &so, &ao);
	f.in.remote_pid = 0;
	snprintf(f.in.link, sizeof(f.in.link), "qemu");
	rplat_analysis_free(&f.a);
	{
		char err[256];

		assert_int_equal(rplat_analyze(&f.ev, &f.in, &ao, &f.a, err, sizeof(err)), 0);
	}
	o = rplat_ana_outlier_of(&f.a, 10);
	assert_non_null(strstr(o->verdict, "the remote is QEMU"));
	assert_null(strstr(o->verdict, "Linux was not involved"));
	done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quiet_all_matched),
		cmocka_unit_test(test_marker_write_is_not_the_send),
		cmocka_unit_test(test_no_idle_switch_in),
		cmocka_unit_test(test_wake_delay_names_the_task),
		cmocka_unit_test(test_remote_delay_is_remote),
		cmocka_unit_test(test_irq_in_read_path),
		cmocka_unit_test(test_break_seq_first),
		cmocka_unit_test(test_lost_events_flag_the_window),
		cmocka_unit_test(test_samples_without_markers_count),
		cmocka_unit_test(test_no_markers_is_an_error),
		cmocka_unit_test(test_cpu_activity),
		cmocka_unit_test(test_broken_chain_withholds_the_verdict),
		cmocka_unit_test(test_lost_events_withhold_the_verdict),
		cmocka_unit_test(test_unmatched_outlier_has_no_verdict),
		cmocka_unit_test(test_verdicts_fit_the_facts),
		cmocka_unit_test(test_preempt_model_sources),
		cmocka_unit_test(test_real_remote_is_not_linux),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
