/* rplat observe's matcher (host-tools/lib/observe_match.c): the application's writes and reads against
 * the firmware's ISR / RX / SEND records, by order and identity, with stale doorbell reads, dropped
 * records, restarts, NS announcements and length mismatches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rplat/clocksync.h"
#include "rplat/observe.h"
#include "rplat/wire/rpmsg.h"
#include "analyze.h"
#include "synth.h"
#include "tev.h"
#include "../../host-tools/lib/observe_local.h"

struct world {
	struct rplat_obs_hostev h[64];
	size_t nh;
	struct rplat_obs_rec r[128];
	size_t nr;
	struct rplat_obs_seg s[4];
	size_t ns;
};

static void init(struct world *w)
{
	memset(w, 0, sizeof(*w));
	w->ns = 1;
	w->s[0].clean_end = UINT64_MAX;
}

static void hw(struct world *w, int64_t t, int64_t len)
{
	w->h[w->nh++] = (struct rplat_obs_hostev){ t, RPLAT_OBS_WRITE, len };
}

static void hr(struct world *w, int64_t t, int64_t len)
{
	w->h[w->nh++] = (struct rplat_obs_hostev){ t, RPLAT_OBS_READ, len };
}

static void rec(struct world *w, uint16_t ev, uint64_t t, uint32_t src, uint32_t dst, uint16_t len, uint32_t dig)
{
	struct rplat_obs_rec *x = &w->r[w->nr++];

	memset(x, 0, sizeof(*x));
	x->r.event = ev;
	x->r.t = t;
	x->r.src = src;
	x->r.dst = dst;
	x->r.len = len;
	x->r.digest = dig;
	x->seg = (uint32_t)(w->ns - 1);
}

/* one echoed message: ISR, RX, SEND */
static void echo(struct world *w, uint64_t t, uint16_t len, uint32_t dig)
{
	rec(w, RPLAT_EV_ISR, t, 0, 0, 0, 0);
	rec(w, RPLAT_EV_RX, t + 10, 1024, 14, len, dig);
	rec(w, RPLAT_EV_SEND, t + 20, 14, 1024, len, dig);
}

static void run(struct world *w, struct rplat_obs_msg **m, size_t *n, struct rplat_obs_match_stats *st)
{
	assert_int_equal(rplat_obs_match(w->h, w->nh, w->r, w->nr, w->s, w->ns, m, n, st), 0);
}

static void test_basic(void **state)
{
	struct world w;
	struct rplat_obs_msg *m;
	struct rplat_obs_match_stats st;
	size_t n;

	(void)state;
	init(&w);
	rec(&w, RPLAT_EV_SEND, 1, 14, RPMSG_NS_ADDR, 40, 0); /* announcement: not a reply */
	hw(&w, 100, -1);
	hr(&w, 5, -1); /* a read before the write belongs to nothing */
	hr(&w, 150, -1);
	echo(&w, 1000, 64, 7);
	hw(&w, 200, -1);
	hr(&w, 250, -1);
	echo(&w, 2000, 32, 8);
	memmove(&w.h[1], &w.h[0], sizeof(w.h[0])); /* keep time order: read@5 first */
	w.h[0] = (struct rplat_obs_hostev){ 5, RPLAT_OBS_READ, -1 };
	w.h[1] = (struct rplat_obs_hostev){ 100, RPLAT_OBS_WRITE, -1 };
	run(&w, &m, &n, &st);
	assert_int_equal(n, 2);
	assert_int_equal(m[0].t_write, 100);
	assert_true(m[0].has_read);
	assert_int_equal(m[0].t_read, 150);
	assert_true(m[0].has_isr && m[0].has_rx && m[0].has_send);
	assert_int_equal(m[0].r_isr, 1000);
	assert_int_equal(m[0].r_rx, 1010);
	assert_int_equal(m[0].r_send, 1020);
	assert_int_equal(m[0].size, 64);
	assert_int_equal(m[1].size, 32);
	assert_int_equal(m[1].r_rx, 2010);
	assert_int_equal(st.remote_msgs, 2);
	assert_int_equal(st.sends_unmatched, 0);
	free(m);
}

/* a stale doorbell read first: the read that brought the reply is the last before the next write */
static void test_stale_read(void **state)
{
	struct world w;
	struct rplat_obs_msg *m;
	struct rplat_obs_match_stats st;
	size_t n;

	(void)state;
	init(&w);
	hw(&w, 100, -1);
	hr(&w, 101, -1);
	hr(&w, 180, -1);
	hw(&w, 200, -1);
	echo(&w, 1000, 8, 1);
	echo(&w, 2000, 8, 2);
	run(&w, &m, &n, &st);
	assert_int_equal(m[0].t_read, 180);
	assert_false(m[1].has_read);
	free(m);
}

/* the reply goes to the sender with the same bytes, even when replies come out of order */
static void test_reply_identity(void **state)
{
	struct world w;
	struct rplat_obs_msg *m;
	struct rplat_obs_match_stats st;
	size_t n;

	(void)state;
	init(&w);
	hw(&w, 100, -1);
	hw(&w, 110, -1);
	rec(&w, RPLAT_EV_RX, 1000, 1024, 14, 16, 0xa);
	rec(&w, RPLAT_EV_RX, 1100, 1024, 14, 16, 0xb);
	rec(&w, RPLAT_EV_SEND, 1200, 14, 1024, 16, 0xb);
	rec(&w, RPLAT_EV_SEND, 1300, 14, 1024, 16, 0xa);
	rec(&w, RPLAT_EV_SEND, 1400, 14, 2000, 16, 0xa); /* to someone else */
	run(&w, &m, &n, &st);
	assert_int_equal(m[0].r_send, 1300);
	assert_int_equal(m[1].r_send, 1200);
	assert_false(m[0].has_isr); /* no doorbell before it */
	assert_int_equal(st.no_isr, 2);
	assert_int_equal(st.sends_unmatched, 1);
	free(m);
}

/* records after the first drop are not matched: the order is lost there */
static void test_drops(void **state)
{
	struct world w;
	struct rplat_obs_msg *m;
	struct rplat_obs_match_stats st;
	size_t n, i;

	(void)state;
	init(&w);
	for (i = 0; i < 4; i++) {
		hw(&w, 100 * (int64_t)i + 100, -1);
		hr(&w, 100 * (int64_t)i + 150, -1);
	}
	echo(&w, 1000, 8, 1);
	echo(&w, 2000, 8, 2);
	echo(&w, 4000, 8, 4); /* message 3's records were dropped */
	w.s[0].clean_end = 6;
	run(&w, &m, &n, &st);
	assert_int_equal(n, 4);
	assert_true(m[1].has_rx);
	assert_false(m[2].has_rx);
	assert_false(m[3].has_rx);
	assert_int_equal(st.after_drops, 2);
	assert_int_equal(st.remote_unmatched, 0);
	/* then by time (host ns = ticks / 10): only message 3's records are left to match; those matched by
	 * order before the drop are neither unmatched nor counted against the alignment */
	{
		struct rplat_clk_fit fit;

		memset(&fit, 0, sizeof(fit));
		fit.valid = 1;
		fit.ns_per_tick = 0.1;
		assert_int_equal(rplat_obs_match_time(m, n, w.r, w.nr, 0, &fit, 5, &st), 0);
	}
	assert_true(m[3].has_rx && m[3].by_time);
	assert_int_equal(m[3].r_rx, 4010);
	assert_false(m[1].by_time);
	assert_false(m[2].has_rx);
	assert_int_equal(st.by_time, 1);
	assert_int_equal(st.remote_unmatched, 0);
	assert_int_equal(st.time_unaligned, 0);
	free(m);
}

/* a restart: segment 1 is not matched by order (how many of the new boot's first messages answer writes
 * made while it restarted is unknown), but by time with a fit that holds there; a fit that does not
 * (the counter restarted too) matches nothing */
static void restart_world(struct world *w)
{
	init(w);
	hw(w, 100, -1);
	hr(w, 150, -1);
	echo(w, 1000, 8, 1);
	hw(w, 300, -1); /* in the window (250, 400] */
	hr(w, 350, -1);
	hw(w, 500, -1);
	hr(w, 550, -1);
	w->ns = 2;
	w->s[1].t_prev = 250;
	w->s[1].t_seen = 400;
	w->s[1].clean_end = UINT64_MAX;
	echo(w, 1290, 8, 2); /* the new boot answered the window's message ... */
	echo(w, 1490, 8, 3); /* ... and the next */
}

static void test_restart(void **state)
{
	struct world w;
	struct rplat_obs_msg *m;
	struct rplat_obs_match_stats st;
	struct rplat_clk_fit fit;
	size_t n;

	(void)state;
	restart_world(&w);
	run(&w, &m, &n, &st);
	assert_int_equal(n, 3);
	assert_int_equal(m[0].seg, 0);
	assert_true(m[0].has_rx);
	assert_true(m[1].restart);
	assert_false(m[1].has_rx);
	assert_false(m[2].has_rx);
	assert_int_equal(st.restart_window, 1);
	/* host ns = ticks - 1000 */
	memset(&fit, 0, sizeof(fit));
	fit.valid = 1;
	fit.r0 = 1000;
	fit.h0 = 0;
	fit.ns_per_tick = 1;
	assert_int_equal(rplat_obs_match_time(m, n, w.r, w.nr, 1, &fit, 5, &st), 0);
	assert_true(m[1].has_rx && m[1].by_time);
	assert_int_equal(m[1].r_rx, 1300);
	assert_int_equal(m[1].seg, 1);
	assert_int_equal(m[2].r_rx, 1500);
	assert_int_equal(st.by_time, 2);
	assert_int_equal(st.time_unaligned, 0);
	free(m);
	/* the counter started over: its stamps map before every write */
	restart_world(&w);
	run(&w, &m, &n, &st);
	fit.r0 = 100000;
	assert_int_equal(rplat_obs_match_time(m, n, w.r, w.nr, 1, &fit, 5, &st), 0);
	assert_false(m[1].has_rx);
	assert_false(m[2].has_rx);
	assert_int_equal(st.time_unaligned, 2);
	free(m);
}

/* rpmsg_char: a write's count must be the RX record's len */
static void test_len_mismatch(void **state)
{
	struct world w;
	struct rplat_obs_msg *m;
	struct rplat_obs_match_stats st;
	size_t n;

	(void)state;
	init(&w);
	hw(&w, 100, 64);
	hr(&w, 150, 64);
	echo(&w, 1000, 32, 1);
	run(&w, &m, &n, &st);
	assert_false(m[0].has_rx);
	assert_int_equal(m[0].size, 64);
	assert_int_equal(st.len_mismatch, 1);
	free(m);
}

/* remoteproc's debugfs carveout list, in the kernel's format (remoteproc_debugfs.c, rproc_carveouts_show) */
static void test_carveouts(void **state)
{
	static const char text[] =
		"Carveout memory entry:\n\tName: vdev0buffer\n\tVirtual address: 00000000a1b2c3d4\n"
		"\tDMA address: 0x000000009cb00000\n\tDevice address: 0x9cb00000\n\tLength: 0x100000 Bytes\n\n"
		"Carveout memory entry:\n\tName: rplat-ring\n\tVirtual address: 0000000011223344\n"
		"\tDMA address: 0x000000009cc40000\n\tDevice address: 0x40000\n\tLength: 0x20080 Bytes\n\n";
	struct rplat_obs_carveout co;
	char err[256], bad[sizeof(text)];

	(void)state;
	assert_int_equal(rplat_obs_carveout_find(text, strlen(text), "rplat-ring", &co, err, sizeof(err)), 0);
	assert_string_equal(co.name, "rplat-ring");
	assert_int_equal(co.dma, 0x9cc40000ull);
	assert_int_equal(co.da, 0x40000u);
	assert_int_equal(co.len, 0x20080u);
	/* the last entry without its blank line still counts */
	assert_int_equal(rplat_obs_carveout_find(text, strlen(text) - 2, "rplat-ring", &co, err, sizeof(err)), 0);
	assert_int_equal(co.len, 0x20080u);
	assert_int_equal(rplat_obs_carveout_find(text, strlen(text), "nope", &co, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no carveout named nope"));
	memcpy(bad, text, sizeof(text));
	memcpy(strstr(bad, "0x20080"), "0xZZZZZ", 7);
	assert_int_equal(rplat_obs_carveout_find(bad, strlen(bad), "rplat-ring", &co, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 13: bad length"));
	/* an entry missing its DMA address is not a carveout rplat can map */
	memcpy(bad, text, sizeof(text));
	memcpy(strstr(bad, "DMA address: 0x000000009cc4"), "XMA", 3);
	assert_int_equal(rplat_obs_carveout_find(bad, strlen(bad), "rplat-ring", &co, err, sizeof(err)), -1);
}

/* A fit carried to records beyond the stamps it was made from is known less well there: the bound grows
 * with the slopes the fit allows (rplat_clk_err_at), and rplat_obs_seg_err takes the worst record. */
static void test_seg_err(void **state)
{
	struct rplat_clk *clk = malloc(sizeof(*clk));
	struct rplat_clk_fit fit;
	struct rplat_obs_rec rec[3];
	double inside;

	(void)state;
	assert_non_null(clk);
	/* 100 exchanges over 0.1 s of a 1 MHz counter (1 tick = 1000 ns), 2-4 us each way */
	rplat_clk_init(clk, 1e6);
	for (int i = 0; i < 100; i++) {
		struct rplat_clk_sample cs;
		uint64_t k = 1000 + (uint64_t)i * 1000;

		cs.host_send = (int64_t)k * 1000 - 2000 - (i % 3) * 1000;
		cs.host_recv = (int64_t)k * 1000 + 5000 + (i % 2) * 1000;
		cs.r_kick = k;
		cs.r_reply = k + 2;
		rplat_clk_add(clk, &cs);
	}
	assert_int_equal(rplat_clk_fit(clk, &fit), 0);
	assert_true(fit.valid);
	memset(rec, 0, sizeof(rec));
	/* segment 1 has no records: the fit's own bound */
	assert_true(rplat_obs_seg_err(&fit, rec, 0, 1) == fit.err_ns);
	/* inside the fit's span: its own bound */
	rec[0].seg = 1;
	rec[0].r.t = 50000;
	inside = rplat_obs_seg_err(&fit, rec, 1, 1);
	assert_true(inside == fit.err_ns);
	/* 10 s past the span's end: wider, by the allowed slopes times the distance, and a record of
	 * another segment does not count */
	rec[1].seg = 1;
	rec[1].r.t = 10100000;
	rec[2].seg = 2;
	rec[2].r.t = 99000000;
	assert_true(rplat_obs_seg_err(&fit, rec, 2, 1) > fit.err_ns + 1000);
	assert_true(rplat_obs_seg_err(&fit, rec, 2, 1) == rplat_clk_err_at(&fit, 10100000));
	assert_true(rplat_obs_seg_err(&fit, rec, 3, 1) == rplat_obs_seg_err(&fit, rec, 2, 1));
	free(clk);
}

/* The analysis' windows for observed messages: a marker 1 ns before each write, on the write's CPU (the
 * application's own syscall entry at exactly that time, not another task's), CPU 0 without one. */
static void test_place_markers(void **state)
{
	struct rplat_tev_set s;
	struct rplat_tev e;
	const struct rplat_obs_marker mk[2] = { { 5000, 1 }, { 1000, 0 } };
	size_t i, nmark = 0;

	(void)state;
	rplat_tev_set_init(&s);
	memset(&e, 0, sizeof(e));
	e.ts = 1000, e.type = RPLAT_TEV_SYS_ENTER, e.cpu = 0, e.pid = 200; /* another task, same time */
	assert_int_equal(rplat_tev_set_push(&s, &e), 0);
	e.ts = 1000, e.type = RPLAT_TEV_SYS_ENTER, e.cpu = 1, e.pid = 100;
	assert_int_equal(rplat_tev_set_push(&s, &e), 0);
	e.ts = 500, e.type = RPLAT_TEV_SWITCH, e.cpu = 1, e.pid = 0;
	assert_int_equal(rplat_tev_set_push(&s, &e), 0);
	assert_int_equal(rplat_obs_place_markers(&s, 100, mk, 2), 0);
	assert_int_equal(s.n, 5);
	for (i = 0; i < s.n; i++) {
		if (i)
			assert_true(s.ev[i - 1].ts <= s.ev[i].ts);
		if (s.ev[i].type != RPLAT_TEV_MARKER)
			continue;
		nmark++;
		assert_int_equal(s.ev[i].pid, 100);
		assert_int_equal(s.ev[i].b, 0);
		if (s.ev[i].c == 0) {
			assert_int_equal(s.ev[i].ts, 999);
			assert_int_equal(s.ev[i].cpu, 1);
			assert_int_equal(s.ev[i + 1].ts, 1000); /* before the write */
		} else {
			assert_int_equal(s.ev[i].c, 1);
			assert_int_equal(s.ev[i].a, 1);
			assert_int_equal(s.ev[i].ts, 4999);
			assert_int_equal(s.ev[i].cpu, 0);
		}
	}
	assert_int_equal(nmark, 2);
	rplat_tev_set_free(&s);
}

/* An observed run's verdicts name the application, not rplat, as the thread that waited. */
static void test_observed_verdict_names_the_application(void **state)
{
	static const struct rplat_synth_glitch g[] = {
		{ .seq = 40, .kind = RPLAT_GLITCH_WAKE_DELAY, .ns = 212000, .pid = 4242, .name = "hog", .prio = 49 },
	};
	struct rplat_synth_opts so;
	struct rplat_ana_opts ao;
	struct rplat_ana_input in;
	struct rplat_analysis a;
	struct rplat_ana_sample *samples = NULL;
	struct rplat_tev_set ev;
	const struct rplat_ana_outlier *o;
	char err[256] = "";
	int32_t tid;
	int observed;

	(void)state;
	for (observed = 0; observed < 2; observed++) {
		rplat_synth_opts_init(&so);
		so.nmsg = 100;
		so.glitch = g;
		so.nglitch = 1;
		so.tid_prio = 120; /* both SCHED_OTHER: the verdict says who would preempt whom */
		rplat_ana_opts_init(&ao);
		ao.worst = 3;
		rplat_tev_set_init(&ev);
		assert_int_equal(rplat_synth(&so, &ev, &samples), 0);
		assert_int_equal(rplat_tev_names_task(&ev.names, so.tid, "echo_client", INT32_MIN), 0);
		memset(&in, 0, sizeof(in));
		memset(&a, 0, sizeof(a));
		tid = so.tid;
		in.samples = samples;
		in.nsamples = so.nmsg;
		in.tids = &tid;
		in.ntids = 1;
		in.marker_fd = so.marker_fd;
		in.clock_err_ns = 500;
		in.clock_source = "synthetic";
		in.observed = observed;
		if (rplat_analyze(&ev, &in, &ao, &a, err, sizeof(err)))
			fail_msg("analyze: %s", err);
		o = rplat_ana_outlier_of(&a, 40);
		assert_non_null(o);
		assert_non_null(strstr(o->verdict, "`hog`"));
		if (observed) {
			assert_string_equal(a.app, "the application `echo_client`");
			assert_non_null(strstr(o->verdict, "the application `echo_client`"));
		} else {
			assert_string_equal(a.app, "");
			assert_null(strstr(o->verdict, "the application"));
		}
		rplat_analysis_free(&a);
		rplat_tev_set_free(&ev);
		free(samples);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),       cmocka_unit_test(test_stale_read),
		cmocka_unit_test(test_reply_identity), cmocka_unit_test(test_drops),
		cmocka_unit_test(test_restart),     cmocka_unit_test(test_len_mismatch),
		cmocka_unit_test(test_carveouts),   cmocka_unit_test(test_seg_err),
		cmocka_unit_test(test_place_markers), cmocka_unit_test(test_observed_verdict_names_the_application),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
