/* Timeline exports. See export.h. */
#include <stdlib.h>
#include <string.h>

#include "export.h"

void rplat_export_opts_init(struct rplat_export_opts *o)
{
	o->seq_from = o->seq_to = -1;
}

static int in_range(const struct rplat_export_opts *o, uint32_t seq)
{
	return (o->seq_from < 0 || seq >= o->seq_from) && (o->seq_to < 0 || seq <= o->seq_to);
}

/* The time span of the selected messages (whole capture when none is selected). */
static void span(const struct rplat_tev_set *ev, const struct rplat_analysis *a, const struct rplat_export_opts *o,
		 int64_t *t0, int64_t *t1)
{
	size_t i;

	*t0 = ev->n ? ev->ev[0].ts : 0;
	*t1 = ev->n ? ev->ev[ev->n - 1].ts : 0;
	if (o->seq_from < 0 && o->seq_to < 0) {
		for (i = 0; i < a->nmsg; i++) { /* t_recv comes after the last event of its message */
			if (a->msg[i].b[RPLAT_B_RECV] != RPLAT_NONE && a->msg[i].b[RPLAT_B_RECV] > *t1)
				*t1 = a->msg[i].b[RPLAT_B_RECV];
			int64_t s = rplat_ana_msg_start(&a->msg[i]);

			if (s != RPLAT_NONE && s < *t0)
				*t0 = s;
		}
		return;
	}
	*t0 = INT64_MAX;
	*t1 = INT64_MIN;
	for (i = 0; i < a->nmsg; i++) {
		const struct rplat_ana_msg *m = &a->msg[i];
		int64_t s = rplat_ana_msg_start(m), e = m->b[RPLAT_B_RECV];

		if (a->kind != RPLAT_ANA_STREAM && m->marker != RPLAT_NONE) /* a ping's window opens at its marker */
			s = m->marker;

		if (!in_range(o, m->seq))
			continue;
		if (s != RPLAT_NONE && s < *t0)
			*t0 = s;
		if (e != RPLAT_NONE && e > *t1)
			*t1 = e;
	}
	if (*t0 > *t1)
		*t0 = *t1 = 0;
}

static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

struct pw {
	FILE *f;
	int first;
	int64_t base;
};

static void sep(struct pw *w)
{
	fputs(w->first ? "\n" : ",\n", w->f);
	w->first = 0;
}

static double tus(const struct pw *w, int64_t ns)
{
	return (double)(ns - w->base) / 1000.0;
}

static void meta(struct pw *w, const char *what, int pid, int tid, const char *name)
{
	sep(w);
	fprintf(w->f, "{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":", what, pid, tid);
	jstr(w->f, name);
	fputs("}}", w->f);
}

static void slice(struct pw *w, int pid, int tid, int64_t t0, int64_t t1, const char *name, const char *cat)
{
	if (t1 < t0)
		t1 = t0;
	sep(w);
	fprintf(w->f, "{\"ph\":\"X\",\"pid\":%d,\"tid\":%d,\"ts\":%.3f,\"dur\":%.3f,\"cat\":\"%s\",\"name\":", pid, tid,
		tus(w, t0), (double)(t1 - t0) / 1000.0, cat);
	jstr(w->f, name);
	fputc('}', w->f);
}

/* A flow point, placed strictly inside the slice [t0, t1] it belongs to (a quarter of the way in from
 * 'at_end' ? the end : the start), so that binding it to its enclosing slice never depends on which of
 * two slices touching at one instant the viewer picks. */
static void flow(struct pw *w, const char *ph, int pid, int tid, int64_t t0, int64_t t1, int at_end, uint32_t id)
{
	int64_t q = (t1 - t0) / 4, t = at_end ? t1 - q : t0 + q;

	sep(w);
	fprintf(w->f, "{\"ph\":\"%s\",\"id\":%u,\"pid\":%d,\"tid\":%d,\"ts\":%.3f,\"cat\":\"message\","
		"\"name\":\"message\",\"bp\":\"e\"}", ph, id, pid, tid, tus(w, t));
}

#define PID_CPUS 1
#define PID_REMOTE 2
#define PID_THREADS 100 /* + index of the measuring thread */
#define TID_IRQ 10000
#define TID_LANE 20000 /* + lane: overlapping messages */
#define MAX_LANES 64

static int thread_index(const struct rplat_analysis *a, int32_t pid)
{
	int i;

	for (i = 0; i < a->ntids; i++)
		if (a->tids[i] == pid)
			return i;
	return -1;
}

int rplat_export_perfetto(const struct rplat_tev_set *ev, const struct rplat_analysis *a,
			  const struct rplat_export_opts *o, FILE *f)
{
	struct pw w = { f, 1, 0 };
	int64_t t0, t1;
	size_t i, lo;
	unsigned c;
	int k;
	char name[96], buf[40];
	/* per-CPU state: running task and since when; IRQ and softirq in progress */
	struct cpust { int32_t pid; int64_t since, irq_ts, sirq_ts; int32_t irq, vec; } *cs;
	struct thst { int sys; int64_t ts; } th[8];

	span(ev, a, o, &t0, &t1);
	w.base = t0;
	cs = calloc(ev->ncpus ? ev->ncpus : 1, sizeof(*cs));
	if (!cs)
		return -1;
	for (c = 0; c < ev->ncpus; c++) {
		cs[c].pid = -1;
		cs[c].since = t0;
		cs[c].irq_ts = cs[c].sirq_ts = RPLAT_NONE;
	}
	for (k = 0; k < 8; k++)
		th[k].sys = -1;
	fprintf(f, "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"tool\":\"rplat\",\"time_base_ns\":%lld},"
		"\"traceEvents\":[", (long long)t0);
	meta(&w, "process_name", PID_CPUS, 0, "host CPUs");
	meta(&w, "process_name", PID_REMOTE, 0, "remote core");
	meta(&w, "thread_name", PID_REMOTE, 1, "remote (correlated time)");
	for (c = 0; c < ev->ncpus; c++) {
		snprintf(name, sizeof(name), "CPU%u", c);
		meta(&w, "thread_name", PID_CPUS, (int)c, name);
		snprintf(name, sizeof(name), "CPU%u IRQ/softirq", c);
		meta(&w, "thread_name", PID_CPUS, TID_IRQ + (int)c, name);
	}
	for (k = 0; k < a->ntids; k++) {
		const char *comm = rplat_tev_comm(&ev->names, a->tids[k], buf, sizeof(buf));

		if (!strcmp(comm, "rplat"))
			snprintf(name, sizeof(name), "rplat (measuring thread %d)", (int)a->tids[k]);
		else
			snprintf(name, sizeof(name), "rplat (measuring thread %d, %s)", (int)a->tids[k], comm);
		meta(&w, "process_name", PID_THREADS + k, 0, name);
		snprintf(name, sizeof(name), "thread %d (syscalls)", (int)a->tids[k]);
		meta(&w, "thread_name", PID_THREADS + k, a->tids[k], name);
		meta(&w, "thread_name", PID_THREADS + k, 1, "messages");
	}
	lo = rplat_tev_set_lower(ev, t0);
	for (i = lo; i < ev->n && ev->ev[i].ts <= t1; i++) {
		const struct rplat_tev *e = &ev->ev[i];
		struct cpust *s = &cs[e->cpu];
		int ti;

		switch (e->type) {
		case RPLAT_TEV_SWITCH:
			if (s->pid > 0) {
				snprintf(name, sizeof(name), "%s %d", rplat_tev_comm(&ev->names, s->pid, buf, sizeof(buf)),
					 (int)s->pid);
				slice(&w, PID_CPUS, e->cpu, s->since, e->ts, name, "sched");
			}
			s->pid = e->b;
			s->since = e->ts;
			break;
		case RPLAT_TEV_IRQ_ENTRY:
			s->irq_ts = e->ts;
			s->irq = e->a;
			break;
		case RPLAT_TEV_IRQ_EXIT:
			if (s->irq_ts != RPLAT_NONE) {
				const char *n = rplat_tev_names_irq_name(&ev->names, e->a);

				snprintf(name, sizeof(name), "IRQ %d %s", (int)e->a, n ? n : "");
				slice(&w, PID_CPUS, TID_IRQ + e->cpu, s->irq_ts, e->ts, name, "irq");
			}
			s->irq_ts = RPLAT_NONE;
			break;
		case RPLAT_TEV_SOFTIRQ_ENTRY:
			s->sirq_ts = e->ts;
			s->vec = e->a;
			break;
		case RPLAT_TEV_SOFTIRQ_EXIT:
			if (s->sirq_ts != RPLAT_NONE) {
				snprintf(name, sizeof(name), "softirq %s", rplat_tev_softirq_name((unsigned)e->a));
				slice(&w, PID_CPUS, TID_IRQ + e->cpu, s->sirq_ts, e->ts, name, "softirq");
			}
			s->sirq_ts = RPLAT_NONE;
			break;
		case RPLAT_TEV_SYS_ENTER:
			ti = thread_index(a, e->pid);
			if (ti >= 0 && ti < 8) {
				th[ti].sys = e->a;
				th[ti].ts = e->ts;
			}
			break;
		case RPLAT_TEV_SYS_EXIT:
			ti = thread_index(a, e->pid);
			if (ti >= 0 && ti < 8 && th[ti].sys == e->a) {
				slice(&w, PID_THREADS + ti, e->pid, th[ti].ts, e->ts, rplat_tev_sys_name((unsigned)e->a),
				      "syscall");
				th[ti].sys = -1;
			}
			break;
		case RPLAT_TEV_WAKING:
		case RPLAT_TEV_WAKEUP:
			ti = thread_index(a, e->a);
			if (ti >= 0) {
				sep(&w);
				fprintf(f, "{\"ph\":\"i\",\"s\":\"t\",\"pid\":%d,\"tid\":%d,\"ts\":%.3f,\"name\":\"%s by %d\"}",
					PID_THREADS + ti, e->a, tus(&w, e->ts), rplat_tev_type_name(e->type), (int)e->pid);
			}
			break;
		case RPLAT_TEV_LOST:
			sep(&w);
			fprintf(f, "{\"ph\":\"i\",\"s\":\"p\",\"pid\":%d,\"tid\":%d,\"ts\":%.3f,\"name\":\"events lost\"}",
				PID_CPUS, e->cpu, tus(&w, e->ts));
			break;
		default:
			break;
		}
	}
	/* close what is still running at the end */
	for (c = 0; c < ev->ncpus; c++)
		if (cs[c].pid > 0) {
			snprintf(name, sizeof(name), "%s %d", rplat_tev_comm(&ev->names, cs[c].pid, buf, sizeof(buf)),
				 (int)cs[c].pid);
			slice(&w, PID_CPUS, (int)c, cs[c].since, t1, name, "sched");
		}
	free(cs);
	/* messages, the remote core and one flow per message. A message's slice spans exactly the latency
	 * its name gives (a ping's send -> recv, a stream's due -> recv); messages that overlap (a stream's
	 * queued ones) go on further lanes, "messages 2", ..., so that no track has overlapping slices. */
	{
		int64_t lane_end[MAX_LANES], rlane_end[MAX_LANES];
		int nlanes = 0, nrlanes = 0, L, R = 0;

		for (i = 0; i < a->nmsg; i++) {
			const struct rplat_ana_msg *m = &a->msg[i];
			int ti = thread_index(a, m->tid), pid = PID_THREADS + (ti < 0 ? 0 : ti);
			int stream = a->kind == RPLAT_ANA_STREAM;
			int64_t s = stream ? rplat_ana_msg_start(m) : m->b[RPLAT_B_SEND], r = m->b[RPLAT_B_RECV];
			int remote = m->b[RPLAT_B_RISR] != RPLAT_NONE && m->b[RPLAT_B_REPLY] != RPLAT_NONE &&
				     m->b[RPLAT_B_REPLY] >= m->b[RPLAT_B_RISR];

			if (!in_range(o, m->seq) || s == RPLAT_NONE || r == RPLAT_NONE || s < t0 || r > t1 || r < s)
				continue;
			for (L = 0; L < nlanes && lane_end[L] > s; L++)
				;
			if (L == nlanes) {
				if (nlanes == MAX_LANES)
					continue; /* more than MAX_LANES at once: not drawn */
				nlanes++;
				if (L) {
					snprintf(name, sizeof(name), "messages %d (overlapping)", L + 1);
					meta(&w, "thread_name", pid, TID_LANE + L, name);
				}
			}
			lane_end[L] = r;
			snprintf(name, sizeof(name), "seq %u (%.1f us)", m->seq, (double)(r - s) / 1000.0);
			slice(&w, pid, L ? TID_LANE + L : 1, s, r, name, "message");
			/* the remote core's track likewise: a remote block that overlaps the one before it (the
			 * clock fit's error, a stream's timer firing again while the previous message was still
			 * being sent) goes on a further lane */
			if (remote) {
				for (R = 0; R < nrlanes && rlane_end[R] > m->b[RPLAT_B_RISR]; R++)
					;
				if (R == nrlanes && nrlanes < MAX_LANES) {
					nrlanes++;
					if (R) {
						snprintf(name, sizeof(name), "remote %d (overlapping)", R + 1);
						meta(&w, "thread_name", PID_REMOTE, TID_LANE + R, name);
					}
				}
				remote = R < nrlanes;
			}
			if (remote) {
				int rt = R ? TID_LANE + R : 1;

				rlane_end[R] = m->b[RPLAT_B_REPLY];
				snprintf(name, sizeof(name), "seq %u", m->seq);
				slice(&w, PID_REMOTE, rt, m->b[RPLAT_B_RISR], m->b[RPLAT_B_REPLY], name, "remote");
				if (m->b[RPLAT_B_CONSUME] != RPLAT_NONE) {
					slice(&w, PID_REMOTE, rt, m->b[RPLAT_B_RISR], m->b[RPLAT_B_CONSUME],
					      stream ? "irq latency" : "dispatch", "remote");
					slice(&w, PID_REMOTE, rt, m->b[RPLAT_B_CONSUME], m->b[RPLAT_B_REPLY],
					      stream ? "isr -> send" : "processing", "remote");
				}
			}
			/* one flow per message: ping send -> remote ISR -> recv; stream remote -> recv, each point
			 * inside its slice */
			if (stream && remote) {
				flow(&w, "s", PID_REMOTE, R ? TID_LANE + R : 1, m->b[RPLAT_B_RISR], m->b[RPLAT_B_REPLY], 1,
				     m->seq);
			} else {
				flow(&w, "s", pid, L ? TID_LANE + L : 1, s, r, 0, m->seq);
				if (remote)
					flow(&w, "t", PID_REMOTE, R ? TID_LANE + R : 1, m->b[RPLAT_B_RISR],
					     m->b[RPLAT_B_REPLY], 0, m->seq);
			}
			flow(&w, "f", pid, L ? TID_LANE + L : 1, s, r, 1, m->seq);
		}
	}
	fputs("\n]}\n", f);
	return ferror(f) ? -1 : 0;
}

/* A task's name on a CPU: pid 0 is that CPU's idle task (swapper/N), whichever CPU's name the table kept. */
static const char *comm_on(const struct rplat_tev_set *ev, int32_t pid, unsigned cpu, char *buf, size_t len)
{
	if (pid == 0) {
		snprintf(buf, len, "swapper/%u", cpu);
		return buf;
	}
	return rplat_tev_comm(&ev->names, pid, buf, len);
}

static void text_event(FILE *f, const struct rplat_tev_set *ev, const struct rplat_tev *e)
{
	char b1[40], b2[40];
	const char *irq;

	fprintf(f, "%18.3f %3u %16s-%-7d %-18s ", (double)e->ts / 1000.0, e->cpu,
		e->pid >= 0 ? comm_on(ev, e->pid, e->cpu, b1, sizeof(b1)) : "-", (int)e->pid,
		e->type == RPLAT_TEV_SYS_ENTER || e->type == RPLAT_TEV_SYS_EXIT ? rplat_tev_sys_name((unsigned)e->a) :
		rplat_tev_type_name(e->type));
	switch (e->type) {
	case RPLAT_TEV_SWITCH:
		fprintf(f, "%s[%d] prio %d state 0x%llx ==> %s[%d] prio %d",
			comm_on(ev, e->a, e->cpu, b1, sizeof(b1)), (int)e->a, rplat_tev_prev_prio(e),
			(unsigned long long)rplat_tev_prev_state(e), comm_on(ev, e->b, e->cpu, b2, sizeof(b2)),
			(int)e->b, rplat_tev_next_prio(e));
		break;
	case RPLAT_TEV_WAKING:
	case RPLAT_TEV_WAKEUP:
	case RPLAT_TEV_WAKEUP_NEW:
		fprintf(f, "%s[%d] prio %lld target CPU%d", rplat_tev_comm(&ev->names, e->a, b1, sizeof(b1)), (int)e->a,
			(long long)e->c, (int)e->b);
		break;
	case RPLAT_TEV_MIGRATE:
		fprintf(f, "%s[%d] CPU%d -> CPU%lld", rplat_tev_comm(&ev->names, e->a, b1, sizeof(b1)), (int)e->a,
			(int)e->b, (long long)e->c);
		break;
	case RPLAT_TEV_IRQ_ENTRY:
		irq = rplat_tev_names_irq_name(&ev->names, e->a);
		fprintf(f, "irq %d %s", (int)e->a, irq ? irq : "");
		break;
	case RPLAT_TEV_IRQ_EXIT:
		fprintf(f, "irq %d ret %d", (int)e->a, (int)e->b);
		break;
	case RPLAT_TEV_SOFTIRQ_ENTRY:
	case RPLAT_TEV_SOFTIRQ_EXIT:
		fprintf(f, "%s", rplat_tev_softirq_name((unsigned)e->a));
		break;
	case RPLAT_TEV_IPI_SEND:
		fprintf(f, "to CPU%d (%d targets, mask 0x%llx)", (int)e->a, (int)e->b, (unsigned long long)e->c);
		break;
	case RPLAT_TEV_SYS_ENTER:
		if (e->a == RPLAT_SYS_POLL || e->a == RPLAT_SYS_PPOLL) /* (struct pollfd *, nfds, ...): no fd */
			fprintf(f, "enter fds pointer (low 32 bits 0x%x) nfds %lld", (unsigned)e->b, (long long)e->c);
		else
			fprintf(f, "enter fd %d arg %lld", (int)e->b, (long long)e->c);
		break;
	case RPLAT_TEV_SYS_EXIT:
		fprintf(f, "exit = %lld", (long long)e->c);
		break;
	case RPLAT_TEV_MARKER:
		fprintf(f, "rplat %sseq=%lld", e->b == 1 ? "rx " : "", (long long)e->c);
		break;
	case RPLAT_TEV_PROBE:
		fprintf(f, "%s", rplat_tev_probe_name((unsigned)e->a));
		break;
	case RPLAT_TEV_LOST:
		fprintf(f, "%lld events lost", (long long)e->c);
		break;
	default:
		break;
	}
	fputc('\n', f);
}

static const struct rplat_ana_msg *msg_of(const struct rplat_analysis *a, uint32_t seq)
{
	size_t lo = 0, hi = a->nmsg;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->msg[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < a->nmsg && a->msg[lo].seq == seq ? &a->msg[lo] : NULL;
}

int rplat_export_text(const struct rplat_tev_set *ev, const struct rplat_analysis *a,
		      const struct rplat_export_opts *o, FILE *f)
{
	int64_t t0, t1;
	size_t i;
	int k;

	span(ev, a, o, &t0, &t1);
	fprintf(f, "# rplat trace listing: time in us (CLOCK_MONOTONIC), cpu, task-pid, event, details\n");
	for (i = rplat_tev_set_lower(ev, t0); i < ev->n && ev->ev[i].ts <= t1; i++) {
		const struct rplat_tev *e = &ev->ev[i];

		if (e->type == RPLAT_TEV_MARKER) {
			const struct rplat_ana_msg *m = msg_of(a, (uint32_t)e->c);

			if (m) {
				fprintf(f, "# ---- seq %u%s", m->seq, e->b == 1 ? " (read: its events are above)" : "");
				if (m->rtt != RPLAT_NONE)
					fprintf(f, ": %s %.1f us", e->b == 1 ? "latency" : "rtt", (double)m->rtt / 1000.0);
				for (k = 0; k < RPLAT_ST_N; k++)
					if (m->st[k] != RPLAT_NONE)
						fprintf(f, " %s %.1f", rplat_ana_stage_id(a, k), (double)m->st[k] / 1000.0);
				fprintf(f, "%s\n", m->matched ? "" : " (not matched)");
			}
		}
		text_event(f, ev, e);
	}
	return ferror(f) ? -1 : 0;
}
