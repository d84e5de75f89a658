/* Synthetic captures with a known truth. See synth.h. */
#include <stdlib.h>
#include <string.h>

#include "synth.h"

void rplat_synth_opts_init(struct rplat_synth_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->nmsg = 100;
	o->t0 = 1000000000;
	o->interval_ns = 1000000;
	o->tid = 1000;
	o->remote_pid = 1001;
	o->host_cpu = 1;
	o->remote_cpu = 0;
	o->ncpus = 2;
	o->tid_prio = 120;
	o->marker_fd = 9;
	o->trace_idle_switch_in = 1;
	o->seed = 1;
}

struct gen {
	struct rplat_tev_set *ev;
	int failed;
	uint32_t rnd;
};

static void put(struct gen *g, int64_t ts, int type, int cpu, int32_t pid, int32_t a, int32_t b, int64_t c)
{
	struct rplat_tev e = { ts, (uint16_t)type, (uint16_t)cpu, pid, a, b, c };

	if (rplat_tev_set_push(g->ev, &e))
		g->failed = 1;
}

static void sw(struct gen *g, int64_t ts, int cpu, int32_t prev, int prev_prio, int64_t state, int32_t next,
	       int next_prio)
{
	put(g, ts, RPLAT_TEV_SWITCH, cpu, prev, prev, next, rplat_tev_pack_switch(state, prev_prio, next_prio));
}

static uint32_t rnd(struct gen *g)
{
	g->rnd = g->rnd * 1103515245u + 12345u;
	return g->rnd >> 8;
}

static const struct rplat_synth_glitch *glitch_at(const struct rplat_synth_opts *o, uint32_t seq, int kind)
{
	int i;

	for (i = 0; i < o->nglitch; i++)
		if (o->glitch[i].seq == seq && (int)o->glitch[i].kind == kind)
			return &o->glitch[i];
	return NULL;
}

int rplat_synth(const struct rplat_synth_opts *o, struct rplat_tev_set *ev, struct rplat_ana_sample **samples)
{
	struct gen g = { ev, 0, o->seed };
	struct rplat_ana_sample *s = calloc(o->nmsg ? o->nmsg : 1, sizeof(*s));
	const int H = o->host_cpu, R = o->remote_cpu, T = o->tid, P = o->remote_pid, tp = o->tid_prio;
	uint32_t seq;
	int i;

	if (!s)
		return -1;
	rplat_tev_names_task(&ev->names, T, "rplat", tp);
	rplat_tev_names_task(&ev->names, P, "rplat-sim-probe", 120);
	rplat_tev_names_task(&ev->names, 0, "swapper/0", 120);
	rplat_tev_names_task(&ev->names, 77, "kworker/0:1", 120);
	rplat_tev_names_irq(&ev->names, 24, "timer", 5);
	for (i = 0; i < o->nglitch; i++) {
		const struct rplat_synth_glitch *gl = &o->glitch[i];

		if (gl->kind == RPLAT_GLITCH_WAKE_DELAY)
			rplat_tev_names_task(&ev->names, gl->pid, gl->name, gl->prio);
		else if (gl->kind == RPLAT_GLITCH_IRQ)
			rplat_tev_names_irq(&ev->names, gl->pid, gl->name, strlen(gl->name));
	}
	for (seq = 0; seq < o->nmsg; seq++) {
		int64_t t = o->t0 + (int64_t)seq * o->interval_ns, kick, isr, consume, reply, wake, run, ret, recv;
		const struct rplat_synth_glitch *wd = glitch_at(o, seq, RPLAT_GLITCH_WAKE_DELAY);
		const struct rplat_synth_glitch *rd = glitch_at(o, seq, RPLAT_GLITCH_REMOTE_DELAY);
		const struct rplat_synth_glitch *iq = glitch_at(o, seq, RPLAT_GLITCH_IRQ);
		int64_t j = (int64_t)(rnd(&g) % 500); /* up to 0.5 us of jitter */

		/* the marker, through its own write */
		put(&g, t - 3000, RPLAT_TEV_SYS_ENTER, H, T, RPLAT_SYS_WRITE, o->marker_fd, 14);
		put(&g, t - 2000, RPLAT_TEV_MARKER, H, T, (int32_t)seq, 0, seq);
		put(&g, t - 1000, RPLAT_TEV_SYS_EXIT, H, T, RPLAT_SYS_WRITE, 0, 14);
		/* t_send = t; the doorbell write wakes the probe */
		put(&g, t + 1000, RPLAT_TEV_SYS_ENTER, H, T, RPLAT_SYS_WRITE, 4, 8);
		kick = t + 2000 + j;
		put(&g, kick, RPLAT_TEV_WAKING, H, T, P, R, 120);
		put(&g, kick + 200, RPLAT_TEV_IPI_SEND, H, T, R, 1, 1ll << R);
		put(&g, t + 3000 + j, RPLAT_TEV_SYS_EXIT, H, T, RPLAT_SYS_WRITE, 0, 8);
		put(&g, t + 4000 + j, RPLAT_TEV_SYS_ENTER, H, T, RPLAT_SYS_POLL, 5, 1);
		sw(&g, t + 5000 + j, H, T, tp, 1, 0, 120);
		/* the remote */
		put(&g, kick + 5000, RPLAT_TEV_WAKEUP, R, 0, P, R, 120);
		if (o->trace_idle_switch_in)
			sw(&g, kick + 6000, R, 0, 120, 0, P, 120);
		isr = kick + 6500;
		consume = isr + 400;
		reply = consume + 300 + (rd ? rd->ns : 0);
		put(&g, reply + 500, RPLAT_TEV_WAKING, R, P, T, H, tp);
		sw(&g, reply + 1500, R, P, 120, 1, 0, 120);
		/* back on the host */
		wake = reply + 500;
		run = wake + 2000;
		if (wd) {
			/* the competitor took the CPU just before the wakeup and keeps it */
			sw(&g, wake - 1000, H, 0, 120, 0, wd->pid, wd->prio);
			run = wake + wd->ns;
			put(&g, wake + 800, RPLAT_TEV_WAKEUP, H, wd->pid, T, H, tp);
			sw(&g, run, H, wd->pid, wd->prio, 1, T, tp);
		} else {
			put(&g, wake + 800, RPLAT_TEV_WAKEUP, H, 0, T, H, tp);
			if (o->trace_idle_switch_in)
				sw(&g, run, H, 0, 120, 0, T, tp);
		}
		ret = run + 1000;
		if (iq) {
			put(&g, run + 300, RPLAT_TEV_IRQ_ENTRY, H, T, iq->pid, 0, 0);
			put(&g, run + 300 + iq->ns, RPLAT_TEV_IRQ_EXIT, H, T, iq->pid, 1, 0);
			ret += iq->ns;
		}
		put(&g, ret - 800, RPLAT_TEV_SYS_EXIT, H, T, RPLAT_SYS_POLL, 0, 1);
		put(&g, ret - 500, RPLAT_TEV_SYS_ENTER, H, T, RPLAT_SYS_READ, 5, 8);
		put(&g, ret, RPLAT_TEV_SYS_EXIT, H, T, RPLAT_SYS_READ, 0, 8);
		recv = ret + 1500;
		/* unrelated activity */
		for (i = 0; i < o->noise_per_msg; i++) {
			int64_t n = recv + 10000 + (int64_t)(rnd(&g) % (uint32_t)(o->interval_ns / 2));
			int cpu = (int)(rnd(&g) % (uint32_t)(o->ncpus > 0 ? o->ncpus : 1));

			switch (i % 4) {
			case 0:
				put(&g, n, RPLAT_TEV_IRQ_ENTRY, cpu, 0, 24, 0, 0);
				put(&g, n + 700, RPLAT_TEV_IRQ_EXIT, cpu, 0, 24, 1, 0);
				break;
			case 1:
				put(&g, n, RPLAT_TEV_SOFTIRQ_ENTRY, cpu, 0, 1, 0, 0);
				put(&g, n + 900, RPLAT_TEV_SOFTIRQ_EXIT, cpu, 0, 1, 0, 0);
				break;
			case 2:
				put(&g, n, RPLAT_TEV_WAKING, cpu, 0, 77, cpu, 120);
				break;
			default: {
				/* a kworker preempts what the CPU runs now (rplat stays on its CPU after the read,
				 * where its switch-in is traced), so that every CPU's switches chain */
				int32_t rest = cpu == H && (o->trace_idle_switch_in || wd) ? T : 0;
				int rprio = rest ? tp : 120;

				sw(&g, n, cpu, rest, rprio, 0, 77, 120);
				sw(&g, n + 3000, cpu, 77, 120, 1, rest, rprio);
				break;
			}
			}
		}
		s[seq].seq = seq;
		s[seq].status = 0;
		s[seq].t_send = t;
		s[seq].rtt = recv - t;
		s[seq].h2r = isr - t;
		s[seq].dispatch = consume - isr;
		s[seq].proc = reply - consume;
	}
	if (g.failed) {
		free(s);
		return -1;
	}
	rplat_tev_set_sort(ev);
	*samples = s;
	return 0;
}
