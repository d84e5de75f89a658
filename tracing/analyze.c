/* Trace analysis: matching, stages, outliers. See analyze.h. Outputs are in analyze_out.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rplat/util.h"
#include "analyze.h"
#include "glitch.h"

const char *const rplat_bound_names[RPLAT_B_N] = { "send", "kick", "remote_isr", "consume", "reply", "wakeup",
						  "run", "ret", "recv" };
const char *const rplat_stage_ids[RPLAT_ST_N] = { "send_to_kick", "kick_to_isr", "isr_to_consume",
						  "consume_to_reply", "reply_to_wakeup", "wakeup_to_run",
						  "run_to_ret", "ret_to_recv" };
const char *const rplat_stage_labels[RPLAT_ST_N] = {
	"host write (send -> kick)",
	"kick -> remote ISR",
	"remote dispatch (ISR -> consume)",
	"remote processing (consume -> reply)",
	"reply -> host IRQ/wakeup",
	"wakeup -> scheduled in",
	"scheduled in -> read returns",
	"read return -> recv",
};

const char *const rplat_stream_bound_names[RPLAT_B_N] = { NULL, NULL, "due", "remote_isr", "remote_send", "wakeup",
							 "run", "ret", "recv" };
const char *const rplat_stream_stage_ids[RPLAT_ST_N] = { NULL, NULL, "due_to_isr", "isr_to_send", "send_to_wakeup",
							"wakeup_to_run", "run_to_ret", "ret_to_recv" };
const char *const rplat_stream_stage_labels[RPLAT_ST_N] = {
	NULL,
	NULL,
	"remote IRQ latency (due -> ISR)",
	"remote ISR -> send",
	"remote send -> host IRQ/wakeup",
	"wakeup -> scheduled in",
	"scheduled in -> read returns",
	"read return -> recv",
};

int64_t rplat_ana_msg_start(const struct rplat_ana_msg *m)
{
	int i;

	for (i = 0; i < RPLAT_B_N; i++)
		if (m->b[i] != RPLAT_NONE)
			return m->b[i];
	return RPLAT_NONE;
}

const struct rplat_ana_outlier *rplat_ana_outlier_of(const struct rplat_analysis *a, uint32_t seq)
{
	size_t i;

	for (i = 0; i < a->nout; i++)
		if (a->msg[a->out[i].msg].seq == seq)
			return &a->out[i];
	return NULL;
}

void rplat_ana_opts_init(struct rplat_ana_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->worst = 10;
	o->break_seq = -1;
	o->max_outliers = 2000;
}

void rplat_analysis_free(struct rplat_analysis *a)
{
	free(a->msg);
	free(a->out);
	memset(a, 0, sizeof(*a));
}

/* ---- the per-message window ---- */

struct cand {
	int64_t ts;
	int32_t who;   /* waker pid, irq, ... */
	int16_t cpu;
	int16_t kind;  /* wake: 1 waking, 0 wakeup; ret: syscall */
};

struct cvec {
	struct cand *v;
	size_t n, cap;
};

static int cpush(struct cvec *c, int64_t ts, int32_t who, int cpu, int kind)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		void *p = realloc(c->v, cap * sizeof(*c->v));

		if (!p)
			return -1;
		c->v = p;
		c->cap = cap;
	}
	c->v[c->n++] = (struct cand){ ts, who, (int16_t)cpu, (int16_t)kind };
	return 0;
}

struct win {
	int active;
	uint32_t seq;
	int32_t tid;
	int64_t marker;
	int incomplete;
	int64_t w_enter, w_exit;
	int w_cpu;
	int in_write;
	int64_t kick_wake, kick_ipi, kick_mbox, kick_vq;
	int64_t probe_send;
	struct cvec wakes, runs, rets, irqs, recvs, outs;
	int migrations;
	int tid_prio;
	int kick_wakes_remote;  /* the kick woke the sim probe: it was asleep */
	int64_t remote_run;     /* then: when the probe was first seen running after it */
	int t_off;     /* the thread was switched out and not seen since (the kernel may not trace
			  the switch back in from idle: the thread's next event shows it running) */
	/* the syscall the thread is in */
	int pend_sys;
	int64_t pend_ts;
	int pend_fd;
	int pend_marker;
};

static void win_reset(struct win *w)
{
	w->active = 0;
	w->incomplete = 0;
	w->w_enter = w->w_exit = RPLAT_NONE;
	w->w_cpu = -1;
	w->in_write = 0;
	w->kick_wake = w->kick_ipi = w->kick_mbox = w->kick_vq = RPLAT_NONE;
	w->probe_send = RPLAT_NONE;
	w->wakes.n = w->runs.n = w->rets.n = w->irqs.n = w->recvs.n = w->outs.n = 0;
	w->migrations = 0;
	w->tid_prio = INT32_MIN;
	w->kick_wakes_remote = 0;
	w->remote_run = RPLAT_NONE;
}

/* A stream's window is open from the previous "rplat rx" marker (or the start) to the next one; the reads,
 * wakeups and runs of the reader after 'from' are its candidates (w_exit is the gate that ping uses for
 * "after the write"). */
static void stream_window(struct win *w, int32_t tid, int64_t from)
{
	w->active = 1;
	w->tid = tid;
	w->w_exit = from;
}

static void win_free(struct win *w)
{
	free(w->wakes.v);
	free(w->runs.v);
	free(w->rets.v);
	free(w->irqs.v);
	free(w->recvs.v);
	free(w->outs.v);
}

struct ctx {
	const struct rplat_tev_set *ev;
	const struct rplat_ana_input *in;
	struct rplat_analysis *a;
	int32_t tids[8];
	int ntids;
	int have_waking;
	uint8_t *mbox_irq; /* irq -> is a mailbox IRQ, for irq < 4096 */
	int stream;        /* RPLAT_ANA_STREAM: windows are closed by "rplat rx seq=N" markers */
	struct win w;
	size_t next_sample; /* samples consumed in order, to find the ones without a window */
	uint8_t *sample_seen;
};

static int is_tid(const struct ctx *x, int32_t pid)
{
	int i;

	for (i = 0; i < x->ntids; i++)
		if (x->tids[i] == pid)
			return 1;
	return 0;
}

static const struct rplat_ana_sample *find_sample(const struct ctx *x, uint32_t seq, size_t *idx)
{
	size_t lo = 0, hi = x->in->nsamples;

	if (!x->in->samples)
		return NULL;
	/* dense sequence numbers: try the direct slot first */
	if (seq < hi && x->in->samples[seq].seq == seq) {
		*idx = seq;
		return &x->in->samples[seq];
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->in->samples[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < x->in->nsamples && x->in->samples[lo].seq == seq) {
		*idx = lo;
		return &x->in->samples[lo];
	}
	return NULL;
}

static struct rplat_ana_msg *new_msg(struct rplat_analysis *a)
{
	struct rplat_ana_msg *m;
	int i;

	if (a->nmsg == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 1024;
		void *p = realloc(a->msg, cap * sizeof(*a->msg));

		if (!p)
			return NULL;
		a->msg = p;
		a->cap = cap;
	}
	m = &a->msg[a->nmsg++];
	memset(m, 0, sizeof(*m));
	for (i = 0; i < RPLAT_B_N; i++)
		m->b[i] = RPLAT_NONE;
	for (i = 0; i < RPLAT_ST_N; i++)
		m->st[i] = RPLAT_NONE;
	for (i = 0; i < 4; i++)
		m->ss[i] = RPLAT_NONE;
	m->rtt = m->marker = m->write_enter = m->write_exit = m->waking = RPLAT_NONE;
	m->cpu_send = m->cpu_run = m->cpu_ret = -1;
	m->tid_prio = INT32_MIN;
	m->waker = -1;
	m->status = 3;
	return m;
}

static int64_t min_known(int64_t a, int64_t b)
{
	if (a == RPLAT_NONE)
		return b;
	if (b == RPLAT_NONE)
		return a;
	return a < b ? a : b;
}

static int64_t diff_known(int64_t a, int64_t b)
{
	return a == RPLAT_NONE || b == RPLAT_NONE ? RPLAT_NONE : a - b;
}

static void from_sample(struct rplat_ana_msg *m, const struct rplat_ana_sample *s, int stream)
{
	m->status = s->status;
	if (stream) { /* remote stamps and receive */
		m->b[RPLAT_B_RISR] = s->due;
		m->b[RPLAT_B_CONSUME] = s->isr;
		m->b[RPLAT_B_REPLY] = s->rsend;
		m->b[RPLAT_B_RECV] = s->t_recv;
		m->ss[0] = diff_known(s->isr, s->due);
		m->ss[1] = diff_known(s->rsend, s->isr);
		m->ss[2] = diff_known(s->t_recv, s->rsend);
		return;
	}
	m->b[RPLAT_B_SEND] = s->t_send;
	if (s->rtt != RPLAT_NONE) {
		m->rtt = s->rtt;
		m->b[RPLAT_B_RECV] = s->t_send + s->rtt;
	}
	m->ss[0] = s->h2r;
	m->ss[1] = s->dispatch;
	m->ss[2] = s->proc;
	if (s->rtt != RPLAT_NONE && s->h2r != RPLAT_NONE && s->dispatch != RPLAT_NONE && s->proc != RPLAT_NONE)
		m->ss[3] = s->rtt - s->h2r - s->dispatch - s->proc;
}

/* A stream message's latency: due -> recv, or without remote stamps the host part alone. */
static void stream_latency(struct rplat_ana_msg *m)
{
	int64_t s = rplat_ana_msg_start(m);

	m->rtt = s != RPLAT_NONE && m->b[RPLAT_B_RECV] != RPLAT_NONE ? m->b[RPLAT_B_RECV] - s : RPLAT_NONE;
}

/* Place the remote block [isr, reply] inside [lo, hi], moving it as little as possible. */
static void place_remote(struct rplat_analysis *a, struct rplat_ana_msg *m, int64_t lo, int64_t hi)
{
	int64_t shift = 0, isr = m->b[RPLAT_B_RISR], end;
	int i;

	if (isr == RPLAT_NONE)
		return;
	end = m->b[RPLAT_B_REPLY] != RPLAT_NONE ? m->b[RPLAT_B_REPLY] :
	      m->b[RPLAT_B_CONSUME] != RPLAT_NONE ? m->b[RPLAT_B_CONSUME] : isr;
	if (hi != RPLAT_NONE && end > hi)
		shift = hi - end;
	if (lo != RPLAT_NONE && isr + shift < lo)
		shift = lo - isr; /* the block is longer than the window: the start wins */
	if (!shift)
		return;
	for (i = RPLAT_B_RISR; i <= RPLAT_B_REPLY; i++)
		if (m->b[i] != RPLAT_NONE)
			m->b[i] += shift;
	m->remote_shift = shift;
	a->remote_shifted++;
	if (llabs(shift) > a->remote_shift_max)
		a->remote_shift_max = llabs(shift);
}

static void compute_stages(struct rplat_ana_msg *m)
{
	int i, j;

	for (i = 0; i < RPLAT_ST_N; i++) {
		m->st[i] = RPLAT_NONE;
		if (m->b[i] == RPLAT_NONE)
			continue;
		for (j = i + 1; j < RPLAT_B_N && m->b[j] == RPLAT_NONE; j++)
			;
		if (j < RPLAT_B_N)
			m->st[i] = m->b[j] - m->b[i];
	}
}

static int finalize(struct ctx *x)
{
	struct win *w = &x->w;
	const struct rplat_ana_sample *s;
	struct rplat_ana_msg *m;
	int64_t ret = RPLAT_NONE, recv, wake = RPLAT_NONE, run = RPLAT_NONE, irq = RPLAT_NONE, kick, lo, hi, limit;
	int64_t preempt_out = RPLAT_NONE;
	size_t i, si = 0;
	int ret_cpu = -1, run_cpu = -1;

	if (!w->active)
		return 0;
	m = new_msg(x->a);
	if (!m)
		return -1;
	m->seq = w->seq;
	m->tid = w->tid;
	m->marker = w->marker;
	m->incomplete = w->incomplete;
	m->write_enter = w->w_enter;
	m->write_exit = w->w_exit;
	m->cpu_send = (int16_t)w->w_cpu;
	m->nmigrations = w->migrations;
	m->tid_prio = w->tid_prio;
	s = find_sample(x, w->seq, &si);
	if (s) {
		from_sample(m, s, x->stream);
		x->sample_seen[si] = 1;
	} else if (!x->stream) {
		m->b[RPLAT_B_SEND] = w->probe_send != RPLAT_NONE ? w->probe_send : w->marker;
	}
	recv = m->b[RPLAT_B_RECV];
	if (recv == RPLAT_NONE && w->recvs.n)
		recv = w->recvs.v[w->recvs.n - 1].ts;
	/* the read that returned the reply: the last one before recv */
	for (i = w->rets.n; i-- > 0;)
		if ((recv == RPLAT_NONE || w->rets.v[i].ts <= recv) &&
		    (w->w_exit == RPLAT_NONE || w->rets.v[i].ts > w->w_exit)) {
			ret = w->rets.v[i].ts;
			ret_cpu = w->rets.v[i].cpu;
			break;
		}
	if (recv == RPLAT_NONE)
		recv = ret;
	m->b[RPLAT_B_RECV] = recv;
	if (!s && recv != RPLAT_NONE && m->b[RPLAT_B_SEND] != RPLAT_NONE)
		m->rtt = recv - m->b[RPLAT_B_SEND]; /* no samples (trace.dat): the round trip the trace saw */
	/* the wakeup that ended the wait: the last one before the read returned (or the reply was read) */
	limit = ret != RPLAT_NONE ? ret : recv;
	if (limit != RPLAT_NONE)
		for (i = w->wakes.n; i-- > 0;) {
			const struct cand *c = &w->wakes.v[i];

			if (c->ts > limit || (w->w_exit != RPLAT_NONE && c->ts < w->w_exit))
				continue;
			if (x->have_waking && !c->kind)
				continue;
			wake = c->ts;
			m->waker = c->who;
			break;
		}
	if (wake != RPLAT_NONE) {
		/* the first time the thread is seen running after it */
		for (i = 0; i < w->runs.n; i++)
			if (w->runs.v[i].ts >= wake && w->runs.v[i].ts <= limit) {
				run = w->runs.v[i].ts;
				run_cpu = w->runs.v[i].cpu;
				break;
			}
	} else if (limit != RPLAT_NONE) {
		/* no wakeup (the thread was preempted, not asleep): its last return to the CPU */
		for (i = w->runs.n; i-- > 0;)
			if (w->runs.v[i].ts <= limit) {
				run = w->runs.v[i].ts;
				run_cpu = w->runs.v[i].cpu;
				break;
			}
	}
	m->waking = wake;
	if (wake == RPLAT_NONE && run != RPLAT_NONE) {
		/* no wakeup: was the thread runnable, preempted, when the reply came? */
		for (i = w->outs.n; i-- > 0;)
			if (w->outs.v[i].ts <= run) {
				if (w->outs.v[i].kind) {
					m->preempted = 1;
					preempt_out = w->outs.v[i].ts;
				}
				break;
			}
	}
	kick = w->kick_mbox != RPLAT_NONE ? w->kick_mbox :
	       w->kick_vq != RPLAT_NONE ? w->kick_vq : min_known(w->kick_wake, w->kick_ipi);
	if (kick == RPLAT_NONE && !x->stream)
		kick = w->w_exit;
	m->b[RPLAT_B_KICK] = kick;
	if (s && s->h2r != RPLAT_NONE) {
		m->b[RPLAT_B_RISR] = s->t_send + s->h2r;
		if (s->dispatch != RPLAT_NONE) {
			m->b[RPLAT_B_CONSUME] = m->b[RPLAT_B_RISR] + s->dispatch;
			if (s->proc != RPLAT_NONE)
				m->b[RPLAT_B_REPLY] = m->b[RPLAT_B_CONSUME] + s->proc;
		}
	}
	for (i = 0; i < w->irqs.n; i++) {
		int64_t from = x->stream ? w->w_exit : kick != RPLAT_NONE ? kick : m->b[RPLAT_B_SEND];

		if (w->irqs.v[i].ts >= from && (wake == RPLAT_NONE || w->irqs.v[i].ts <= wake) &&
		    (ret == RPLAT_NONE || w->irqs.v[i].ts <= ret)) {
			irq = w->irqs.v[i].ts;
			break;
		}
	}
	m->b[RPLAT_B_WAKE] = irq != RPLAT_NONE ? irq : wake;
	m->b[RPLAT_B_RUN] = run;
	m->b[RPLAT_B_RET] = ret;
	if (x->stream) {
		/* the latency as measured (before any placement); the remote's send came before the host's
		 * wakeup, or, when the reader did not sleep for it, before the read returned */
		stream_latency(m);
		place_remote(x->a, m, RPLAT_NONE, m->b[RPLAT_B_WAKE] != RPLAT_NONE ? m->b[RPLAT_B_WAKE] : ret);
		if (m->b[RPLAT_B_REPLY] != RPLAT_NONE && w->w_exit > INT64_MIN + 1 && m->b[RPLAT_B_REPLY] < w->w_exit &&
		    wake == RPLAT_NONE) {
			/* sent before the reader was done with the message before it: it waited in the ring */
			m->queued = 1;
			m->preempted = 0;
			m->b[RPLAT_B_WAKE] = m->b[RPLAT_B_RUN] = RPLAT_NONE;
		} else if (m->preempted && m->b[RPLAT_B_REPLY] != RPLAT_NONE && m->b[RPLAT_B_REPLY] > run) {
			/* it came after the reader had the CPU back: no wakeup or scheduling in its path */
			m->preempted = 0;
			m->b[RPLAT_B_WAKE] = m->b[RPLAT_B_RUN] = RPLAT_NONE;
		}
	} else {
		/* the host events bound the remote block: kick <= remote ISR, reply <= host wakeup */
		lo = kick;
		if (w->remote_run != RPLAT_NONE && (lo == RPLAT_NONE || w->remote_run > lo))
			lo = w->remote_run; /* the sim probe cannot stamp before it runs */
		hi = m->b[RPLAT_B_WAKE] != RPLAT_NONE ? m->b[RPLAT_B_WAKE] : run != RPLAT_NONE ? run : ret;
		place_remote(x->a, m, lo, hi);
	}
	if (m->preempted) {
		/* runnable since the reply (or since the preemption, if that came later): waiting for the CPU */
		wake = preempt_out;
		if (m->b[RPLAT_B_REPLY] != RPLAT_NONE && m->b[RPLAT_B_REPLY] > wake)
			wake = m->b[RPLAT_B_REPLY];
		if (wake > run)
			wake = run;
		m->b[RPLAT_B_WAKE] = wake;
		m->waking = wake;
	}
	compute_stages(m);
	m->cpu_run = (int16_t)run_cpu;
	m->cpu_ret = (int16_t)ret_cpu;
	m->migrated = m->cpu_send >= 0 && m->cpu_ret >= 0 && m->cpu_send != m->cpu_ret;
	if (x->stream) /* its marker and sample; the sim's reader takes a message already in the ring without a
			  read syscall, so the read is needed only when there is no sample */
		m->matched = s ? m->status == 0 : ret != RPLAT_NONE;
	else
		m->matched = w->w_enter != RPLAT_NONE && (ret != RPLAT_NONE || recv != RPLAT_NONE) &&
			     (!s || m->status == 0);
	win_reset(w);
	return 0;
}

/* The syscall that sends a ping's request: a write (rpmsg-char, the sim's eventfd doorbell) or a sendto
 * (the qemu link's socket doorbell). */
static int is_send_sys(int sys)
{
	return sys == RPLAT_SYS_WRITE || sys == RPLAT_SYS_SENDTO;
}

static void on_event(struct ctx *x, const struct rplat_tev *e)
{
	struct win *w = &x->w;

	if (e->type == RPLAT_TEV_LOST) {
		w->incomplete = 1;
		return;
	}
	if (is_tid(x, e->pid)) {
		if (w->t_off && e->type != RPLAT_TEV_SWITCH) {
			/* running again without a traced switch-in */
			if (w->active && w->w_exit != RPLAT_NONE)
				cpush(&w->runs, e->ts, 0, e->cpu, 0);
			w->t_off = 0;
		}
		switch (e->type) {
		case RPLAT_TEV_MARKER:
			if (x->stream) {
				/* "rplat rx seq=N" closes message N's window and opens the next one */
				if (e->b != 1)
					return;
				w->active = 1;
				w->seq = (uint32_t)e->c;
				w->tid = e->pid;
				w->marker = e->ts;
				finalize(x);
				stream_window(w, e->pid, e->ts);
				return;
			}
			if (e->b != 0)
				return;
			if (w->pend_sys == RPLAT_SYS_WRITE && w->pend_ts != RPLAT_NONE) {
				/* the write this marker came through is the marker's, not the message's */
				w->pend_marker = 1;
				if (w->active && w->w_enter == w->pend_ts) {
					w->w_enter = RPLAT_NONE;
					w->in_write = 0;
				}
			}
			finalize(x);
			w->active = 1;
			w->seq = (uint32_t)e->c;
			w->tid = e->pid;
			w->marker = e->ts;
			return;
		case RPLAT_TEV_SYS_ENTER:
			w->pend_sys = e->a;
			w->pend_ts = e->ts;
			w->pend_fd = e->b;
			w->pend_marker = x->in->marker_fd >= 0 && e->a == RPLAT_SYS_WRITE && e->b == x->in->marker_fd;
			if (w->active && !x->stream && is_send_sys(e->a) && !w->pend_marker &&
			    w->w_enter == RPLAT_NONE) {
				w->w_enter = e->ts;
				w->w_cpu = e->cpu;
				w->in_write = 1;
			}
			return;
		case RPLAT_TEV_SYS_EXIT:
			if (w->active && w->in_write && is_send_sys(e->a) && w->pend_ts == w->w_enter) {
				w->w_exit = e->ts;
				w->in_write = 0;
			} else if (w->active && !is_send_sys(e->a) && w->w_exit != RPLAT_NONE) {
				cpush(&w->rets, e->ts, e->a, e->cpu, e->a);
			}
			w->pend_sys = -1;
			w->pend_ts = RPLAT_NONE;
			return;
		case RPLAT_TEV_WAKING:
		case RPLAT_TEV_WAKEUP:
			if (e->a != e->pid && w->in_write && w->kick_wake == RPLAT_NONE) {
				w->kick_wake = e->ts;
				w->kick_wakes_remote = x->in->remote_pid > 0 && e->a == x->in->remote_pid;
			}
			break; /* a self-wakeup is also a wakeup of the thread, below */
		case RPLAT_TEV_IPI_SEND:
			if (w->in_write && w->kick_ipi == RPLAT_NONE)
				w->kick_ipi = e->ts;
			return;
		case RPLAT_TEV_PROBE:
			if (!w->active)
				return;
			if (e->a == RPLAT_PROBE_SEND && w->probe_send == RPLAT_NONE)
				w->probe_send = e->ts;
			else if (e->a == RPLAT_PROBE_RECV_RET)
				cpush(&w->recvs, e->ts, 0, e->cpu, 0);
			else if (e->a == RPLAT_PROBE_MBOX_SEND_MESSAGE && w->in_write && w->kick_mbox == RPLAT_NONE)
				w->kick_mbox = e->ts;
			else if (e->a == RPLAT_PROBE_VIRTQUEUE_KICK && w->in_write && w->kick_vq == RPLAT_NONE)
				w->kick_vq = e->ts;
			return;
		default:
			break;
		}
	}
	if (!w->active)
		return;
	/* only a traced switch-in: the probe's next event may come long after it started running (the switch
	 * out of idle is not traced on every kernel, and its syscalls are not traced) */
	if (w->kick_wakes_remote && w->remote_run == RPLAT_NONE && e->type == RPLAT_TEV_SWITCH &&
	    e->b == x->in->remote_pid)
		w->remote_run = e->ts;
	switch (e->type) {
	case RPLAT_TEV_WAKING:
	case RPLAT_TEV_WAKEUP:
		if (w->w_exit != RPLAT_NONE && e->a == w->tid)
			cpush(&w->wakes, e->ts, e->pid, e->b, e->type == RPLAT_TEV_WAKING);
		break;
	case RPLAT_TEV_SWITCH:
		if (e->b == w->tid)
			w->tid_prio = rplat_tev_next_prio(e);
		else if (e->a == w->tid)
			w->tid_prio = rplat_tev_prev_prio(e);
		if (e->b == w->tid) {
			if (w->w_exit != RPLAT_NONE)
				cpush(&w->runs, e->ts, 0, e->cpu, 1);
			w->t_off = 0;
		}
		if (e->a == w->tid && e->b != w->tid) {
			w->t_off = 1;
			if (w->w_exit != RPLAT_NONE) /* kind 1: preempted (still runnable), 0: went to sleep */
				cpush(&w->outs, e->ts, 0, e->cpu, (rplat_tev_prev_state(e) & 0xff) == 0);
		}
		break;
	case RPLAT_TEV_IRQ_ENTRY:
		if (x->mbox_irq && e->a >= 0 && e->a < 4096 && x->mbox_irq[e->a])
			cpush(&w->irqs, e->ts, e->a, e->cpu, 0);
		break;
	case RPLAT_TEV_MIGRATE:
		if (e->a == w->tid)
			w->migrations++;
		break;
	default:
		break;
	}
}

static void find_tids(struct ctx *x)
{
	size_t i;

	for (i = 0; i < x->ev->n && x->ntids < 8; i++) {
		const struct rplat_tev *e = &x->ev->ev[i];

		if (e->type == RPLAT_TEV_MARKER && !is_tid(x, e->pid))
			x->tids[x->ntids++] = e->pid;
	}
}

/* Without samples (a trace.dat), the markers say what was measured: stream runs write only "rx" ones. */
static int marker_kind(const struct rplat_tev_set *ev)
{
	size_t i, tx = 0, rx = 0;

	for (i = 0; i < ev->n; i++)
		if (ev->ev[i].type == RPLAT_TEV_MARKER) {
			if (ev->ev[i].b == 1)
				rx++;
			else
				tx++;
		}
	return rx && !tx ? RPLAT_ANA_STREAM : RPLAT_ANA_PING;
}

static void find_mbox_irqs(struct ctx *x)
{
	const struct rplat_tev_names *n = &x->ev->names;
	size_t i;

	for (i = 0; i < n->nirq; i++)
		if (n->irq[i].irq >= 0 && n->irq[i].irq < 4096 &&
		    (strstr(n->irq[i].name, "mbox") || strstr(n->irq[i].name, "mailbox"))) {
			if (!x->mbox_irq)
				x->mbox_irq = calloc(4096, 1);
			if (x->mbox_irq)
				x->mbox_irq[n->irq[i].irq] = 1;
		}
}

/* Samples that no marker announced: the message is still counted, unmatched. */
static int add_unseen_samples(struct ctx *x)
{
	size_t i;

	for (i = 0; i < x->in->nsamples; i++) {
		struct rplat_ana_msg *m;

		if (x->sample_seen[i])
			continue;
		m = new_msg(x->a);
		if (!m)
			return -1;
		m->seq = x->in->samples[i].seq;
		from_sample(m, &x->in->samples[i], x->stream);
		if (x->stream)
			stream_latency(m);
	}
	return 0;
}

/* ---- evidence: where the trace cannot show what happened ---- */

struct gap {
	int64_t t0, t1; /* nothing is known of the CPU in between */
	int kind;       /* RPLAT_EV_LOST or RPLAT_EV_BROKEN */
};

static int cmp_gap(const void *pa, const void *pb)
{
	const struct gap *a = pa, *b = pb;

	return (a->t0 > b->t0) - (a->t0 < b->t0);
}

/* The span of a message's window: every instant known of it, and its marker. */
static void msg_span(const struct rplat_ana_msg *m, int64_t *lo, int64_t *hi)
{
	int64_t v[RPLAT_B_N + 3];
	int i, n = 0;

	for (i = 0; i < RPLAT_B_N; i++)
		v[n++] = m->b[i];
	v[n++] = m->marker;
	v[n++] = m->write_enter;
	v[n++] = m->waking;
	*lo = *hi = RPLAT_NONE;
	for (i = 0; i < n; i++) {
		if (v[i] == RPLAT_NONE)
			continue;
		if (*lo == RPLAT_NONE || v[i] < *lo)
			*lo = v[i];
		if (*hi == RPLAT_NONE || v[i] > *hi)
			*hi = v[i];
	}
}

/* Mark the windows that the capture cannot fully show, and sum up what it could not show.
 *  - A LOST record on a CPU says events were lost between that CPU's previous event and it.
 *  - A context switch whose previous task is not the one the CPU last switched to means a switch is
 *    missing in between (seen here with pid 1's threads, no loss reported). The switch out of idle is
 *    exempt: some kernels do not trace it, and the analysis takes the task as starting after the CPU's
 *    previous event (glitch.c).
 *  - Losses that the capture's stats count but no LOST record locates taint every window. */
static int check_evidence(const struct rplat_tev_set *ev, const struct rplat_ana_input *in, struct rplat_analysis *a)
{
	struct rplat_ana_evidence *e = &a->evidence;
	struct gap *g = NULL;
	size_t ng = 0, cap = 0, i, k;
	int64_t *last_ts = NULL, *last_sw = NULL, *maxend = NULL;
	int32_t *last_next = NULL;
	unsigned ncpu = ev->ncpus ? ev->ncpus : 1, c;
	int rc = -1;

	e->lost_events = ev->lost;
	e->unlocated_lost = in->capture_lost > ev->lost ? in->capture_lost - ev->lost : 0;
	e->reader_aborted = in->reader_aborted;
	last_ts = malloc(ncpu * sizeof(*last_ts));
	last_sw = malloc(ncpu * sizeof(*last_sw));
	last_next = malloc(ncpu * sizeof(*last_next));
	if (!last_ts || !last_sw || !last_next)
		goto out;
	for (c = 0; c < ncpu; c++) {
		last_ts[c] = last_sw[c] = INT64_MIN;
		last_next[c] = -1;
	}
	for (i = 0; i < ev->n; i++) {
		const struct rplat_tev *t = &ev->ev[i];
		struct gap add = { 0, 0, 0 };

		c = t->cpu < ncpu ? t->cpu : 0;
		if (t->type == RPLAT_TEV_LOST) {
			add = (struct gap){ last_ts[c], t->ts, RPLAT_EV_LOST };
			last_next[c] = -1;
		} else if (t->type == RPLAT_TEV_SWITCH) {
			if (last_next[c] > 0 && t->a != last_next[c]) {
				add = (struct gap){ last_sw[c], t->ts, RPLAT_EV_BROKEN };
				e->chain_breaks++;
			}
			last_next[c] = t->b;
			last_sw[c] = t->ts;
		}
		last_ts[c] = t->ts;
		if (!add.kind)
			continue;
		if (ng == cap) {
			size_t nc = cap ? cap * 2 : 64;
			void *p = realloc(g, nc * sizeof(*g));

			if (!p)
				goto out;
			g = p;
			cap = nc;
		}
		g[ng++] = add;
	}
	if (ng)
		qsort(g, ng, sizeof(*g), cmp_gap);
	/* per kind, the latest end among the gaps that start at or before each one */
	maxend = malloc((ng + 1) * 2 * sizeof(*maxend));
	if (!maxend)
		goto out;
	for (k = 0; k < 2; k++) {
		int64_t mx = INT64_MIN;

		for (i = 0; i < ng; i++) {
			if (g[i].kind == (k ? RPLAT_EV_BROKEN : RPLAT_EV_LOST) && g[i].t1 > mx)
				mx = g[i].t1;
			maxend[k * ng + i] = mx;
		}
	}
	for (i = 0; i < a->nmsg; i++) {
		struct rplat_ana_msg *m = &a->msg[i];
		int64_t lo, hi;
		size_t l = 0, h = ng;

		msg_span(m, &lo, &hi);
		if (e->unlocated_lost || e->reader_aborted)
			m->incomplete = 1;
		if (lo != RPLAT_NONE && ng) {
			while (l < h) { /* the gaps that start before the window ends: [0, l) */
				size_t mid = l + (h - l) / 2;

				if (g[mid].t0 < hi)
					l = mid + 1;
				else
					h = mid;
			}
			if (l && maxend[l - 1] > lo)
				m->incomplete = 1;
			if (l && maxend[ng + l - 1] > lo)
				m->broken = 1;
		}
		if (m->status != 0 && m->status != 3)
			continue;
		e->windows_lost += m->incomplete != 0;
		e->windows_broken += m->broken != 0;
		e->unmatched += !m->matched;
	}
	rc = 0;
out:
	free(g);
	free(maxend);
	free(last_ts);
	free(last_sw);
	free(last_next);
	return rc;
}

static int cmp_msg_seq(const void *pa, const void *pb)
{
	const struct rplat_ana_msg *a = pa, *b = pb;

	return (a->seq > b->seq) - (a->seq < b->seq);
}

int rplat_analyze(const struct rplat_tev_set *ev, const struct rplat_ana_input *in, const struct rplat_ana_opts *o,
		  struct rplat_analysis *a, char *err, size_t errlen)
{
	struct ctx x;
	struct timespec t0, t1;
	size_t i;
	int k;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(a, 0, sizeof(*a));
	memset(&x, 0, sizeof(x));
	x.ev = ev;
	x.in = in;
	x.a = a;
	for (k = 0; k < RPLAT_ST_N; k++)
		rplat_hist_init(&a->hist[k]);
	a->nevents = ev->n;
	a->lost_events = ev->lost;
	a->clock_err_ns = in->clock_err_ns;
	a->clock_source = in->clock_source ? in->clock_source : "none";
	a->remote_pid = in->remote_pid;
	a->opts = *o;
	a->env = in->env;
	a->reader_tid = in->reader_tid;
	a->dma_known = in->dma_known;
	a->dma_latency = in->dma_latency;
	snprintf(a->link, sizeof(a->link), "%s", in->link);
	snprintf(a->source, sizeof(a->source), "run");
	if (in->observed) {
		char buf[24];

		snprintf(a->app, sizeof(a->app), "the application `%s`",
			 in->ntids ? rplat_tev_comm(&ev->names, in->tids[0], buf, sizeof(buf)) : "?");
	}
	a->kind = in->samples ? in->kind : marker_kind(ev);
	x.stream = a->kind == RPLAT_ANA_STREAM;
	a->bound_names = x.stream ? rplat_stream_bound_names : rplat_bound_names;
	a->stage_ids = x.stream ? rplat_stream_stage_ids : rplat_stage_ids;
	a->stage_labels = x.stream ? rplat_stream_stage_labels : rplat_stage_labels;
	for (k = 0; k < in->ntids && k < 8; k++)
		x.tids[x.ntids++] = in->tids[k];
	if (!x.ntids)
		find_tids(&x);
	if (!x.ntids)
		return rplat_fail(err, errlen, "no \"rplat seq=N\" or \"rplat rx seq=N\" trace markers in the "
				  "capture: nothing to match messages with");
	memcpy(a->tids, x.tids, sizeof(a->tids));
	a->ntids = x.ntids;
	for (i = 0; i < ev->n && !x.have_waking; i++)
		x.have_waking = ev->ev[i].type == RPLAT_TEV_WAKING;
	find_mbox_irqs(&x);
	x.sample_seen = calloc(in->nsamples + 1, 1);
	if (!x.sample_seen)
		return rplat_fail(err, errlen, "out of memory");
	if (in->nsamples) { /* one message per sample, usually: no regrowth */
		a->msg = malloc((in->nsamples + 16) * sizeof(*a->msg));
		if (!a->msg) {
			free(x.sample_seen);
			return rplat_fail(err, errlen, "out of memory");
		}
		a->cap = in->nsamples + 16;
	}
	win_reset(&x.w);
	x.w.pend_sys = -1;
	x.w.pend_ts = RPLAT_NONE;
	if (x.stream) /* the first message's window opens with the capture */
		stream_window(&x.w, x.tids[0], INT64_MIN + 1);
	for (i = 0; i < ev->n; i++)
		on_event(&x, &ev->ev[i]);
	if (x.stream) /* the window after the last "rx" marker has no message */
		x.w.active = 0;
	if (finalize(&x) || add_unseen_samples(&x)) {
		win_free(&x.w);
		free(x.sample_seen);
		free(x.mbox_irq);
		return rplat_fail(err, errlen, "out of memory");
	}
	win_free(&x.w);
	free(x.sample_seen);
	free(x.mbox_irq);
	/* a repeated marker (seq reused) would leave two entries; keep them, ordered by seq */
	for (i = 1; i < a->nmsg; i++)
		if (a->msg[i].seq < a->msg[i - 1].seq) {
			qsort(a->msg, a->nmsg, sizeof(*a->msg), cmp_msg_seq);
			break;
		}
	a->nsamples = in->nsamples;
	for (i = 0; i < a->nmsg; i++) {
		struct rplat_ana_msg *m = &a->msg[i];

		if (m->status == 0 || m->status == 3)
			a->ok++;
		if (!m->matched)
			continue;
		a->matched++;
		for (k = 0; k < RPLAT_ST_N; k++) {
			if (m->st[k] == RPLAT_NONE)
				a->missing[k]++;
			else
				rplat_hist_add_signed(&a->hist[k], m->st[k]);
		}
	}
	if (check_evidence(ev, in, a))
		return rplat_fail(err, errlen, "out of memory");
	a->evidence.match_rate = a->ok ? (double)a->matched / (double)a->ok : 0.0;
	a->evidence.answered = a->ok;
	a->evidence.matched = a->matched;
	if (rplat_glitch_explain(ev, a, o, err, errlen))
		return -1;
	a->evidence.outliers = a->nout;
	for (i = 0; i < a->nout; i++)
		a->evidence.withheld += a->out[i].withheld != 0;
	a->evidence.complete = !a->evidence.lost_events && !a->evidence.unlocated_lost && !a->evidence.reader_aborted &&
			       (!a->ok || a->evidence.match_rate >= RPLAT_ANA_MIN_MATCH);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	a->secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return 0;
}
