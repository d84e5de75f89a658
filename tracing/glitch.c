/* Glitch analysis: outliers, what ran meanwhile, verdicts. See glitch.h and analyze.h. */
#include <stdlib.h>
#include <string.h>

#include "rplat/util.h"
#include "glitch.h"

/* Per-CPU list of sched_switch event indices, to find the task running on a CPU at any time. */
struct swidx {
	size_t **idx;
	size_t *n;
	int ncpu;
};

static void swidx_free(struct swidx *s)
{
	int i;

	for (i = 0; s->idx && i < s->ncpu; i++)
		free(s->idx[i]);
	free(s->idx);
	free(s->n);
	memset(s, 0, sizeof(*s));
}

static int swidx_build(struct swidx *s, const struct rplat_tev_set *ev)
{
	size_t i, *cap;
	int c;

	memset(s, 0, sizeof(*s));
	s->ncpu = (int)ev->ncpus;
	if (!s->ncpu)
		return 0;
	s->idx = calloc((size_t)s->ncpu, sizeof(*s->idx));
	s->n = calloc((size_t)s->ncpu, sizeof(*s->n));
	cap = calloc((size_t)s->ncpu, sizeof(*cap));
	if (!s->idx || !s->n || !cap)
		goto fail;
	for (i = 0; i < ev->n; i++) {
		const struct rplat_tev *e = &ev->ev[i];

		if (e->type != RPLAT_TEV_SWITCH)
			continue;
		c = e->cpu;
		if (s->n[c] == cap[c]) {
			size_t nc = cap[c] ? cap[c] * 2 : 1024;
			void *p = realloc(s->idx[c], nc * sizeof(size_t));

			if (!p)
				goto fail;
			s->idx[c] = p;
			cap[c] = nc;
		}
		s->idx[c][s->n[c]++] = i;
	}
	free(cap);
	return 0;
fail:
	free(cap);
	swidx_free(s);
	return -1;
}

/* The task running on cpu at time t (next_pid of the last switch at or before t), or -1. */
static int32_t task_at(const struct swidx *s, const struct rplat_tev_set *ev, int cpu, int64_t t)
{
	size_t lo = 0, hi;

	if (cpu < 0 || cpu >= s->ncpu)
		return -1;
	hi = s->n[cpu];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ev->ev[s->idx[cpu][mid]].ts <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo) /* nothing switched yet: the task that first switches out was running */
		return s->n[cpu] ? ev->ev[s->idx[cpu][0]].a : -1;
	return ev->ev[s->idx[cpu][lo - 1]].b;
}

struct acc {
	struct rplat_ana_contrib c[96];
	int n;
};

static struct rplat_ana_contrib *acc_find(struct acc *a, int kind, int cpu, int32_t id)
{
	int i;

	for (i = 0; i < a->n; i++)
		if (a->c[i].kind == kind && a->c[i].id == id && a->c[i].cpu == cpu)
			return &a->c[i];
	if (a->n == (int)(sizeof(a->c) / sizeof(a->c[0])))
		return NULL;
	memset(&a->c[a->n], 0, sizeof(a->c[0]));
	a->c[a->n].kind = kind;
	a->c[a->n].cpu = cpu;
	a->c[a->n].id = id;
	a->c[a->n].prio = INT32_MIN;
	return &a->c[a->n++];
}

static void acc_add(struct acc *a, int kind, int cpu, int32_t id, int64_t ns)
{
	struct rplat_ana_contrib *c = acc_find(a, kind, cpu, id);

	if (ns > 0 && c) /* saturating: unmatched IRQ exits each count from the window's start */
		c->ns = ns > INT64_MAX - c->ns ? INT64_MAX : c->ns + ns;
}

/* The prio a task had in the window (from its switches). */
static void acc_prio(struct acc *a, int cpu, int32_t pid, int prio)
{
	struct rplat_ana_contrib *c = pid > 0 ? acc_find(a, 0, cpu, pid) : NULL;

	if (c)
		c->prio = prio;
}

/* Whether cpu was inside an IRQ / softirq at t0 (looking back at most ~10 ms), and since when. */
static void state_at(const struct rplat_tev_set *ev, size_t from, int cpu, int64_t t0, int64_t *irq_ts,
		     int32_t *irq, int64_t *sirq_ts, int32_t *vec)
{
	size_t i = from;
	int irq_known = 0, sirq_known = 0;

	*irq_ts = *sirq_ts = RPLAT_NONE;
	while (i-- > 0 && (!irq_known || !sirq_known)) {
		const struct rplat_tev *e = &ev->ev[i];

		if (t0 - e->ts > 10000000)
			break;
		if (e->cpu != cpu)
			continue;
		if (!irq_known && (e->type == RPLAT_TEV_IRQ_ENTRY || e->type == RPLAT_TEV_IRQ_EXIT)) {
			irq_known = 1;
			if (e->type == RPLAT_TEV_IRQ_ENTRY) {
				*irq_ts = e->ts;
				*irq = e->a;
			}
		}
		if (!sirq_known && (e->type == RPLAT_TEV_SOFTIRQ_ENTRY || e->type == RPLAT_TEV_SOFTIRQ_EXIT)) {
			sirq_known = 1;
			if (e->type == RPLAT_TEV_SOFTIRQ_ENTRY) {
				*sirq_ts = e->ts;
				*vec = e->a;
			}
		}
	}
}

/* The task an event shows running on its CPU: a switch's prev, else the event's pid. */
static int32_t runner(const struct rplat_tev *e)
{
	return e->type == RPLAT_TEV_SWITCH ? e->a : e->pid;
}

/* Who ran on cpu at t0, from the last event there (within 10 ms), else from the switch index. */
static int32_t running_at(const struct swidx *s, const struct rplat_tev_set *ev, size_t from, int cpu, int64_t t0,
			  int64_t *since)
{
	size_t i = from, steps = 0;

	while (i-- > 0 && steps++ < 200000) {
		const struct rplat_tev *e = &ev->ev[i];

		if (t0 - e->ts > 10000000)
			break;
		if (e->cpu != cpu || e->type == RPLAT_TEV_LOST)
			continue;
		*since = e->ts;
		return e->type == RPLAT_TEV_SWITCH ? e->b : e->pid;
	}
	*since = t0;
	return task_at(s, ev, cpu, t0);
}

/* What ran on cpu in [t0, t1]. A task that shows up without a traced switch-in (the kernels here do not
 * trace the switch out of idle) is taken to have started right after the CPU's previous event. */
static void activity(const struct swidx *s, const struct rplat_tev_set *ev, int cpu, int64_t t0, int64_t t1,
		     struct acc *a)
{
	size_t i = rplat_tev_set_lower(ev, t0);
	int32_t cur, irq = -1, vec = -1;
	int64_t seg = t0, last, irq_ts, sirq_ts;

	if (t1 <= t0)
		return;
	cur = running_at(s, ev, i, cpu, t0, &last);
	if (last < t0)
		last = t0;
	state_at(ev, i, cpu, t0, &irq_ts, &irq, &sirq_ts, &vec);
	if (irq_ts != RPLAT_NONE)
		irq_ts = t0;
	if (sirq_ts != RPLAT_NONE)
		sirq_ts = t0;
	for (; i < ev->n && ev->ev[i].ts <= t1; i++) {
		const struct rplat_tev *e = &ev->ev[i];
		int32_t r;

		if (e->cpu != cpu || e->type == RPLAT_TEV_LOST)
			continue;
		r = runner(e);
		if (r >= 0 && r != cur) {
			if (cur >= 0)
				acc_add(a, cur ? 0 : 3, cpu, cur, last - seg);
			cur = r;
			seg = last;
		}
		switch (e->type) {
		case RPLAT_TEV_SWITCH:
			if (cur >= 0)
				acc_add(a, cur ? 0 : 3, cpu, cur, e->ts - seg);
			acc_prio(a, cpu, e->a, rplat_tev_prev_prio(e));
			cur = e->b;
			seg = e->ts;
			acc_prio(a, cpu, e->b, rplat_tev_next_prio(e));
			break;
		case RPLAT_TEV_IRQ_ENTRY:
			irq_ts = e->ts;
			irq = e->a;
			break;
		case RPLAT_TEV_IRQ_EXIT:
			acc_add(a, 1, cpu, e->a, e->ts - (irq_ts != RPLAT_NONE ? irq_ts : t0));
			irq_ts = RPLAT_NONE;
			break;
		case RPLAT_TEV_SOFTIRQ_ENTRY:
			sirq_ts = e->ts;
			vec = e->a;
			break;
		case RPLAT_TEV_SOFTIRQ_EXIT:
			acc_add(a, 2, cpu, e->a, e->ts - (sirq_ts != RPLAT_NONE ? sirq_ts : t0));
			sirq_ts = RPLAT_NONE;
			break;
		default:
			break;
		}
		last = e->ts;
	}
	if (cur >= 0)
		acc_add(a, cur ? 0 : 3, cpu, cur, t1 - seg);
	if (irq_ts != RPLAT_NONE)
		acc_add(a, 1, cpu, irq, t1 - irq_ts);
	if (sirq_ts != RPLAT_NONE)
		acc_add(a, 2, cpu, vec, t1 - sirq_ts);
}

static int cmp_contrib(const void *pa, const void *pb)
{
	const struct rplat_ana_contrib *a = pa, *b = pb;

	return (a->ns < b->ns) - (a->ns > b->ns);
}

static void name_contrib(const struct rplat_tev_set *ev, struct rplat_ana_contrib *c)
{
	char buf[40];

	switch (c->kind) {
	case 0:
		snprintf(c->name, sizeof(c->name), "%s", rplat_tev_comm(&ev->names, c->id, buf, sizeof(buf)));
		rplat_tev_policy_at(&ev->names, c->id, c->prio, c->policy, sizeof(c->policy));
		break;
	case 1: {
		const char *n = rplat_tev_names_irq_name(&ev->names, c->id);

		snprintf(c->name, sizeof(c->name), "IRQ %d%s%s", (int)c->id, n ? " " : "", n ? n : "");
		snprintf(c->policy, sizeof(c->policy), "hardirq");
		break;
	}
	case 2:
		snprintf(c->name, sizeof(c->name), "softirq %s", rplat_tev_softirq_name((unsigned)c->id));
		snprintf(c->policy, sizeof(c->policy), "softirq");
		break;
	default:
		snprintf(c->name, sizeof(c->name), "idle");
		snprintf(c->policy, sizeof(c->policy), "idle");
		break;
	}
}

int rplat_glitch_cpu_activity(const struct rplat_tev_set *ev, int cpu, int64_t t0, int64_t t1,
			      struct rplat_ana_contrib *out, int max)
{
	struct swidx s;
	struct acc a = { .n = 0 };
	int i;

	if (swidx_build(&s, ev))
		return -1;
	activity(&s, ev, cpu, t0, t1, &a);
	swidx_free(&s);
	qsort(a.c, (size_t)a.n, sizeof(a.c[0]), cmp_contrib);
	for (i = 0; i < a.n && i < max; i++) {
		out[i] = a.c[i];
		name_contrib(ev, &out[i]);
	}
	return i;
}

/* ---- verdicts ---- */

static int is_rt(int prio)
{
	return prio >= 0 && prio < 100;
}

static int task_prio(const struct rplat_tev_set *ev, int32_t pid)
{
	const struct rplat_tev_task *t = rplat_tev_names_find(&ev->names, pid);

	return t ? t->prio : INT32_MIN;
}

/* Why 'other' (a contributor, with the prio it had) could run while 'me' ('who', with its prio) waited. */
static void reason(const struct rplat_tev_set *ev, const struct rplat_analysis *a, const struct rplat_ana_contrib *other,
		   int32_t me, int pm, const char *who, char *buf, size_t len)
{
	int po = other->prio;
	char sm[32];
	const struct rplat_tev_task *ot = rplat_tev_names_find(&ev->names, other->id);
	int kind = ot ? ot->kind : RPLAT_TASK_UNKNOWN;

	if (po == INT32_MIN)
		po = task_prio(ev, other->id);
	if (pm == INT32_MIN)
		pm = task_prio(ev, me);
	rplat_tev_policy_at(&ev->names, me, pm, sm, sizeof(sm));
	if (po == INT32_MIN || pm == INT32_MIN)
		snprintf(buf, len, "the scheduler ran it first (priorities unknown)");
	else if (is_rt(po) && !is_rt(pm))
		snprintf(buf, len, "it is real-time (%s) and %s is %s: it runs until it blocks", other->policy, who, sm);
	else if (is_rt(po) && is_rt(pm) && po < pm)
		snprintf(buf, len, "its real-time priority is higher (%s vs %s's %s)", other->policy, who, sm);
	else if (is_rt(po) && is_rt(pm) && po == pm)
		snprintf(buf, len, "it has %s's own real-time priority (%s) and was running first: no preemption "
			 "between equals", who, other->policy);
	else if (!is_rt(po) && !is_rt(pm))
		snprintf(buf, len, "both are SCHED_OTHER-class tasks and the fair scheduler let it use its slice "
			 "(a real-time priority for %s would preempt it)", who);
	else if (rplat_sysenv_preempts(&a->env) == 0 && kind == RPLAT_TASK_KTHREAD)
		snprintf(buf, len, "%s (%s) outranks it, but it is a kernel thread, so it ran in the kernel, and the "
			 "kernel in force does not preempt there (preemption model %s, from %s): it kept the CPU until it "
			 "blocked or reached a preemption point", who, sm, a->env.preempt, a->env.preempt_source);
	else if (rplat_sysenv_preempts(&a->env) == 0 && kind == RPLAT_TASK_USER)
		snprintf(buf, len, "%s (%s) outranks it; it is a user task, which even the kernel in force (preemption "
			 "model %s, from %s) preempts on its next return to user space, so it kept the CPU inside the "
			 "kernel (a system call or a page fault; the trace does not show which) until it blocked or "
			 "reached a preemption point", who, sm, a->env.preempt, a->env.preempt_source);
	else if (rplat_sysenv_preempts(&a->env) == 0)
		snprintf(buf, len, "%s (%s) outranks it, but the kernel in force does not preempt a task that is in the "
			 "kernel (preemption model %s, from %s): if it was in the kernel (a system call, or a kernel "
			 "thread; the trace does not show which) it kept the CPU until it blocked or reached a preemption "
			 "point", who, sm, a->env.preempt, a->env.preempt_source);
	else if (rplat_sysenv_preempts(&a->env) == 1)
		snprintf(buf, len, "%s (%s) outranks it and the kernel in force preempts (model %s, from %s): it "
			 "can only have kept the CPU with preemption or interrupts disabled (a spinlock, an IRQ-off "
			 "section in the kernel)", who, sm, a->env.preempt, a->env.preempt_source);
	else
		snprintf(buf, len, "%s (%s) outranks it, yet it kept the CPU; the preemption model in force is unknown "
			 "(build %s), so a non-preemptible kernel section and a kernel that does not preempt cannot be "
			 "told apart", who, sm, a->env.preempt_build[0] ? a->env.preempt_build : "unknown");
}

/* "CPU1", or "an unknown CPU" (a CPU the trace could not place) */
static const char *cpu_s(int cpu, char *buf, size_t len)
{
	if (cpu < 0)
		snprintf(buf, len, "an unknown CPU");
	else
		snprintf(buf, len, "CPU%d", cpu);
	return buf;
}

/* On a guest, a gap the trace shows nothing in may also be the host not running the vCPU: say so. */
static int vm_note(const struct rplat_analysis *a, char *v, size_t len, int n)
{
	char steal[96];

	if (a->env.guest != 1 || n < 0 || (size_t)n >= len)
		return n;
	if (a->env.steal_ns > 0)
		snprintf(steal, sizeof(steal), "%.1f ms of steal time were reported during the capture",
			 (double)a->env.steal_ns / 1e6);
	else if (a->env.steal_ns == 0)
		snprintf(steal, sizeof(steal), "this guest reported no steal time during the capture, which "
			 "does not rule it out");
	else
		snprintf(steal, sizeof(steal), "steal time unknown");
	return n + snprintf(v + n, len - (size_t)n, "; this is a virtual machine (%s): the time may also be the "
			    "host not running this vCPU, or waking a halted one, which the trace cannot tell apart (%s)",
			    a->env.guest_source[0] ? a->env.guest_source : "detected", steal);
}

/* Why an idle CPU took long to run what it was woken for, as far as this run's settings tell. */
static void idle_why(const struct rplat_analysis *a, char *buf, size_t len)
{
	int vm = a->env.guest == 1;

	if (!strcmp(a->env.cpuidle, "none"))
		snprintf(buf, len, "the kernel has no cpuidle driver, so no idle state was left: the time went to the "
			 "cross-CPU wakeup (IPI)%s", vm ? " and the host waking the halted vCPU" : "");
	else if (a->dma_known && a->dma_latency >= 0 && a->dma_latency <= 1)
		snprintf(buf, len, "/dev/cpu_dma_latency was held at %d us during the run, so no deep idle state was "
			 "entered: the time went to the cross-CPU wakeup (IPI)%s", a->dma_latency,
			 vm ? " and the host waking the halted vCPU" : "");
	else if (a->dma_known && a->dma_latency < 0)
		snprintf(buf, len, "the time went to waking an idle CPU (idle-state exit%s, cross-CPU wakeup IPI%s); "
			 "/dev/cpu_dma_latency was not held (--no-dma-latency): holding it at 0 shortens the idle-state "
			 "part", a->env.cpuidle[0] ? ", cpuidle driver " : "", vm ? ", the host waking the vCPU" : "");
	else if (a->dma_known)
		snprintf(buf, len, "the time went to waking an idle CPU (idle-state exit, cross-CPU wakeup IPI%s); "
			 "/dev/cpu_dma_latency was held at %d us, which allows idle states that take up to that long "
			 "to leave: --dma-latency 0 shortens it", vm ? ", the host waking the vCPU" : "", a->dma_latency);
	else
		snprintf(buf, len, "the time went to waking an idle CPU (idle-state exit, cross-CPU wakeup IPI%s)",
			 vm ? ", the host waking the vCPU" : "");
	if (a->env.cpuidle[0] && strcmp(a->env.cpuidle, "none") && strstr(buf, "cpuidle driver "))
		snprintf(buf + strlen(buf), len - strlen(buf), " (cpuidle driver %s)", a->env.cpuidle);
}

/* The largest non-idle contributor, or NULL. Sets *idle to the idle time seen. */
static const struct rplat_ana_contrib *top_busy(const struct rplat_ana_outlier *o, int64_t *idle)
{
	const struct rplat_ana_contrib *top = NULL;
	int i;

	*idle = 0;
	for (i = 0; i < o->ncontrib; i++) {
		if (o->contrib[i].kind == 3)
			*idle += o->contrib[i].ns;
		else if (!top)
			top = &o->contrib[i];
	}
	return top;
}

static double us(int64_t ns)
{
	return (double)ns / 1000.0;
}

/* part is at least 1/k of whole (part * k >= whole, without overflowing) */
static int share(int64_t part, int k, int64_t whole)
{
	return (__int128)part * k >= whole;
}

/* How long the sim probe spent stopped (SIGSTOP, SIGTSTP, a debugger) inside [t0, t1]: from each switch
 * out that left it in a stopped or traced state to its next switch in. *since gets when the first such
 * stop began (it may be before t0). Returns ns, 0 if it was not stopped. */
static int64_t probe_stopped(const struct rplat_tev_set *ev, int32_t rpid, int64_t t0, int64_t t1, int64_t *since)
{
	size_t i = rplat_tev_set_lower(ev, t0), steps = 0;
	int64_t from = RPLAT_NONE, total = 0;

	*since = RPLAT_NONE;
	if (rpid <= 0 || t1 <= t0)
		return 0;
	while (i-- > 0 && steps++ < 2000000) { /* its state at t0: its last switch before it */
		const struct rplat_tev *e = &ev->ev[i];

		if (e->type != RPLAT_TEV_SWITCH || (e->a != rpid && e->b != rpid))
			continue;
		if (e->a == rpid && e->b != rpid && rplat_tev_prev_state(e) & 0x0c) /* __TASK_STOPPED, __TASK_TRACED */
			from = *since = e->ts;
		break;
	}
	for (i = rplat_tev_set_lower(ev, t0); i < ev->n && ev->ev[i].ts <= t1; i++) {
		const struct rplat_tev *e = &ev->ev[i];

		if (e->type != RPLAT_TEV_SWITCH)
			continue;
		if (e->b == rpid && from != RPLAT_NONE) {
			total += e->ts - (from > t0 ? from : t0);
			from = RPLAT_NONE;
		} else if (e->a == rpid && e->b != rpid && rplat_tev_prev_state(e) & 0x0c && from == RPLAT_NONE) {
			from = e->ts;
			if (*since == RPLAT_NONE)
				*since = e->ts;
		}
	}
	if (from != RPLAT_NONE)
		total += t1 - (from > t0 ? from : t0);
	return total;
}

static int is_reader(const struct rplat_analysis *a, const struct rplat_ana_contrib *c)
{
	return c && c->kind == 0 && ((a->reader_tid > 0 && c->id == a->reader_tid) || !strcmp(c->name, "rplat-trace"));
}

/* `name` (policy): a task's name with its class, or an IRQ's / softirq's name */
static void who_s(const struct rplat_ana_contrib *c, char *buf, size_t len)
{
	if (c->kind == 0)
		snprintf(buf, len, "`%s` (%s)", c->name, c->policy);
	else
		snprintf(buf, len, "%s", c->name);
}

static void verdict(const struct rplat_tev_set *ev, const struct rplat_analysis *a, const struct rplat_ana_msg *m,
		    struct rplat_ana_outlier *o, int focus_cpu, int64_t t0, int64_t t1)
{
	char *v = o->verdict, why[512], clk[64] = "", cpu[24], idl[320], who[96];
	size_t len = sizeof(o->verdict);
	int64_t idle, d = o->dominant_ns, stopped = 0, since = RPLAT_NONE;
	const struct rplat_ana_contrib *top = top_busy(o, &idle);
	int n = 0, stream = a->kind == RPLAT_ANA_STREAM, qemu = !strcmp(a->link, "qemu");
	int proc = a->remote_pid > 0; /* the remote is a host process: the sim probe, or QEMU */
	int sim = proc && !qemu;
	int gap = 0; /* the verdict rests on nothing having run: a VM's host may be the reason */
	const char *me = a->app[0] ? a->app : "rplat"; /* the measuring thread: rplat's, or the observed one */
	const char *what = stream ? "the message" : "the reply";
	const char *bell = o->dominant == 1 ? "the request's doorbell (kick -> remote ISR)" :
			   stream ? "the message's doorbell (remote send -> host IRQ/wakeup)" :
				    "the reply's doorbell (reply -> host IRQ/wakeup)";

	if (a->clock_err_ns >= 0)
		snprintf(clk, sizeof(clk), " (clock error +-%.1f us)", a->clock_err_ns / 1000.0);
	cpu_s(focus_cpu, cpu, sizeof(cpu));
	if (top)
		who_s(top, who, sizeof(who));
	idle_why(a, idl, sizeof(idl));
	switch (o->dominant) {
	case -1:
		snprintf(v, len, "the %s took %.1f us but its stages could not be seen in the trace",
			 stream ? "message" : "round trip", us(m->rtt));
		return;
	case 5: /* wakeup -> run */
		if (top && share(top->ns, 5, d) && top->kind == 0 && m->preempted) {
			reason(ev, a, top, m->tid, m->tid_prio, me, why, sizeof(why));
			n = snprintf(v, len, "%s waited %.1f us for %s to get %s back (it had been "
				     "preempted): %s ran for %.1f us meanwhile because %s", what, us(d), me, cpu, who,
				     us(top->ns), why);
			gap = strstr(why, "outranks it") != NULL;
		} else if (top && share(top->ns, 5, d) && top->kind == 0) {
			reason(ev, a, top, m->tid, m->tid_prio, me, why, sizeof(why));
			n = snprintf(v, len, "%s waited %.1f us between the wakeup and the run on %s: %s ran for "
				     "%.1f us after the wakeup because %s", what, us(d), cpu, who, us(top->ns), why);
			gap = strstr(why, "outranks it") != NULL;
		} else if (top && share(top->ns, 5, d)) {
			n = snprintf(v, len, "%s waited %.1f us between the wakeup and the run on %s: %s ran "
				     "for %.1f us before %s could run", what, us(d), cpu, top->name, us(top->ns), me);
		} else if (share(idle, 2, d)) {
			n = snprintf(v, len, "%s waited %.1f us between the wakeup and the run on %s, and the CPU was "
				     "idle for %.1f us of it: %s", what, us(d), cpu, us(idle), idl);
		} else {
			n = snprintf(v, len, "%s waited %.1f us between the wakeup and the run on %s in the "
				     "scheduler itself (nothing else ran for long)", what, us(d), cpu);
			gap = 1;
		}
		break;
	case 6: /* run -> ret */
		if (top && share(top->ns, 5, d))
			n = snprintf(v, len, "after it was scheduled in, %s took %.1f us more to return from the "
				     "read on %s: %s ran for %.1f us in between", me, us(d), cpu, who, us(top->ns));
		else {
			n = snprintf(v, len, "after it was scheduled in, %s took %.1f us more to return from the "
				     "read on %s, in the kernel's read path (no other task or IRQ ran for long)",
				     me, us(d), cpu);
			gap = 1;
		}
		break;
	case 0: /* send -> kick */
		if (top && share(top->ns, 5, d))
			n = snprintf(v, len, "the send took %.1f us from t_send to the kick on %s: %s ran for "
				     "%.1f us inside it", us(d), cpu, who, us(top->ns));
		else {
			n = snprintf(v, len, "the send took %.1f us from t_send to the kick on %s, in the write "
				     "syscall itself", us(d), cpu);
			gap = 1;
		}
		break;
	case 1: /* kick -> remote ISR */
	case 4: /* reply -> host wakeup */
		if (proc) /* the probe (QEMU) rings both doorbells */
			stopped = probe_stopped(ev, a->remote_pid, t0, t1, &since);
		if (stream && m->queued)
			n = snprintf(v, len, "the message waited %.1f us%s in the ring: the probe sent it before rplat "
				     "was done with the message before it, so it queued behind that one's delay (a "
				     "backlog, not a delay of its own)", us(d), clk);
		else if (share(stopped, 2, d))
			n = snprintf(v, len, "%s took %.1f us%s: %s was stopped for %.1f us of it "
				     "(SIGSTOP, SIGTSTP or a debugger: switched out in a stopped state %.1f us %s the "
				     "stage began)", bell, us(d), clk, qemu ? "QEMU (the remote)" : "the sim probe process",
				     us(stopped), us(llabs(t0 - since)), since <= t0 ? "before" : "after");
		else if (proc && top && share(top->ns, 5, d) && top->kind == 0) {
			reason(ev, a, top, a->remote_pid, INT32_MIN, qemu ? "QEMU" : "the probe", why, sizeof(why));
			n = snprintf(v, len, "%s took %.1f us%s: %s could not run: %s ran for %.1f us on its CPU%d "
				     "because %s", bell, us(d), clk, qemu ? "on the qemu link the remote is QEMU, and it" :
				     "on the sim, the probe process", who, us(top->ns), top->cpu, why);
			gap = strstr(why, "outranks it") != NULL;
		} else if (proc && share(idle, 2, d))
			n = snprintf(v, len, "%s took %.1f us%s: the CPU that had to run %s was idle for %.1f us of "
				     "it: %s", bell, us(d), clk, o->dominant == 1 ? (qemu ? "QEMU" : "the sim probe") :
				     "the wakeup",
				     us(idle), idl);
		else if (qemu)
			n = snprintf(v, len, "%s took %.1f us%s: on the qemu link the remote is QEMU, whose threads and "
				     "doorbell (a socket write) the trace does not follow, so the delay is in QEMU's "
				     "doorbell path or in QEMU's threads waiting for a CPU", bell, us(d), clk);
		else if (sim) {
			n = snprintf(v, len, "%s took %.1f us%s: on the sim the doorbell is an eventfd between two Linux "
				     "processes; nothing else ran for long on %s, so the time is the %s", bell, us(d),
				     clk, top ? "the CPUs the trace shows" : "its CPU",
				     o->dominant == 1 ? "probe's wakeup" : "host thread's wakeup");
			gap = 1;
		} else {
			n = snprintf(v, len, "%s took %.1f us%s: the delay is in the doorbell path (mailbox, "
				     "interrupt delivery) %s", bell, us(d), clk, o->dominant == 1 ?
				     "or the remote's interrupt latency" : "or the host's interrupt handling");
		}
		break;
	case 2: /* remote dispatch; a stream's remote IRQ latency */
	case 3: /* remote processing; a stream's ISR -> send */ {
		const char *where = stream ? (o->dominant == 2 ? "between its timer's due time and its ISR" :
					      "between its timer ISR and sending the message") :
				    o->dominant == 2 ? "between its ISR and consuming the request" : "processing the request";
		const char *stage = stream ? (o->dominant == 2 ? "remote IRQ latency stage, due -> ISR" :
					      "remote ISR -> send stage") :
				    o->dominant == 2 ? "remote dispatch stage, ISR -> consume" :
						       "remote processing stage, consume -> reply";

		if (proc)
			stopped = probe_stopped(ev, a->remote_pid, t0, t1, &since);
		if (proc && share(stopped, 2, d))
			n = snprintf(v, len, "the remote spent %.1f us %s (%s): %s was stopped for %.1f us of it "
				     "(SIGSTOP, SIGTSTP or a debugger)", us(d), where, stage,
				     qemu ? "QEMU (the remote)" : "the sim probe process", us(stopped));
		else if (qemu && top && top->kind == 0 && share(top->ns, 5, d))
			n = snprintf(v, len, "the remote spent %.1f us %s (%s): on the qemu link the remote is QEMU, "
				     "whose threads run on this host's CPUs, and %s ran %.1f us on CPU%d meanwhile", us(d),
				     where, stage, who, us(top->ns), top->cpu);
		else if (sim && top && top->kind == 0 && share(top->ns, 5, d))
			n = snprintf(v, len, "the remote spent %.1f us %s (%s): on the sim the remote is a Linux "
				     "process, and %s ran %.1f us on the probe's CPU%d meanwhile", us(d), where, stage, who,
				     us(top->ns), top->cpu);
		else if (sim)
			n = snprintf(v, len, "the remote spent %.1f us %s (%s): a remote-side delay; on the sim the "
				     "remote is a Linux process, but nothing else ran for long on its CPU, so the time "
				     "is the probe's own (its delay= setting, for one)", us(d), where, stage);
		else if (qemu)
			n = snprintf(v, len, "the remote spent %.1f us %s (%s): a remote-side delay; on the qemu link "
				     "the remote is QEMU, whose threads run on this host's CPUs and are not followed "
				     "by the trace, so QEMU waiting for a CPU is not ruled out", us(d), where, stage);
		else
			n = snprintf(v, len, "the remote spent %.1f us %s (%s): a remote-side delay, Linux was not "
				     "involved", us(d), where, stage);
		break;
	}
	case 7: /* ret -> recv */
		if (top && share(top->ns, 5, d))
			n = snprintf(v, len, "%s took %.1f us in user space after the read returned, on %s: %s "
				     "ran for %.1f us", me, us(d), cpu, who, us(top->ns));
		else {
			n = snprintf(v, len, "%s took %.1f us in user space after the read returned, on %s",
				     me, us(d), cpu);
			gap = 1;
		}
		break;
	}
	if (n > 0 && (size_t)n < len && top && share(top->ns, 5, d) && o->dominant != 2 && o->dominant != 3 &&
	    !(stream && m->queued)) {
		/* a second task or IRQ that also took a fifth of the stage is a cause too: name it */
		const struct rplat_ana_contrib *c2 = NULL;
		int k;

		for (k = 0; k < o->ncontrib && !c2; k++)
			if (&o->contrib[k] != top && o->contrib[k].kind != 3 && share(o->contrib[k].ns, 5, d) &&
			    !(o->contrib[k].kind == top->kind && o->contrib[k].id == top->id))
				c2 = &o->contrib[k];
		if (c2) {
			who_s(c2, who, sizeof(who));
			n += snprintf(v + n, len - (size_t)n, "; %s also ran for %.1f us of it on CPU%d", who, us(c2->ns),
				      c2->cpu);
		}
	}
	if (n > 0 && (size_t)n < len && is_reader(a, top) && share(top->ns, 5, d) && a->app[0])
		n += snprintf(v + n, len - (size_t)n, "; `%s` is rplat observe itself (its ring and trace reads): "
			      "keep it off this CPU (taskset)", top->name);
	else if (n > 0 && (size_t)n < len && is_reader(a, top) && share(top->ns, 5, d))
		n += snprintf(v + n, len - (size_t)n, "; `%s` is rplat's own trace reader thread: keep it off this "
			      "CPU with --reader-cpu N (a CPU that runs neither rplat nor the probe)", top->name);
	if (gap)
		n = vm_note(a, v, len, n);
	if (n > 0 && (size_t)n < len && m->migrated)
		n += snprintf(v + n, len - (size_t)n, "; %s moved from CPU%d to CPU%d during the message",
			      me, m->cpu_send, m->cpu_ret);
}

/* On the qemu link every thread of QEMU (its vCPU and I/O threads, named qemu-system-*) is the remote. */
static int is_qemu_thread(const struct rplat_tev_set *ev, const struct rplat_analysis *a, int32_t pid)
{
	const struct rplat_tev_task *t;

	if (strcmp(a->link, "qemu"))
		return 0;
	t = rplat_tev_names_find(&ev->names, pid);
	return t && !strncmp(t->comm, "qemu-system", 11);
}

/* The CPU where the remote process (the sim probe; on the qemu link any of QEMU's threads) was last seen
 * at time t, or -1. */
static int remote_cpu(const struct rplat_tev_set *ev, const struct rplat_analysis *a, int64_t t)
{
	int32_t rpid = a->remote_pid;
	size_t i = rplat_tev_set_lower(ev, t), steps = 0;

#define IS_REMOTE(p) ((p) == rpid || ((p) > 0 && is_qemu_thread(ev, a, (p))))
	while (i < ev->n && steps++ < 20000) { /* forward first: the switch-in that ended a wait */
		const struct rplat_tev *e = &ev->ev[i++];

		if (e->type == RPLAT_TEV_SWITCH && (IS_REMOTE(e->b) || IS_REMOTE(e->a)))
			return e->cpu;
	}
	i = rplat_tev_set_lower(ev, t);
	steps = 0;
	while (i-- > 0 && steps++ < 200000) {
		const struct rplat_tev *e = &ev->ev[i];

		if (e->type == RPLAT_TEV_SWITCH && (IS_REMOTE(e->b) || IS_REMOTE(e->a)))
			return e->cpu;
	}
#undef IS_REMOTE
	return -1;
}

static int is_measured(const struct rplat_analysis *a, int32_t pid)
{
	int i;

	for (i = 0; i < a->ntids; i++)
		if (a->tids[i] == pid)
			return 1;
	return 0;
}

/* No verdict from the trace: say why, and what rplat's own stamps show. */
static void withheld_verdict(const struct rplat_analysis *a, const struct rplat_ana_msg *m,
			     struct rplat_ana_outlier *o)
{
	static const char *const ping_ss[4] = { "host -> remote", "remote dispatch", "remote processing",
						"remote -> host" };
	static const char *const stream_ss[4] = { "remote IRQ latency", "remote ISR -> send", "remote send -> recv",
						  NULL };
	const char *const *names = a->kind == RPLAT_ANA_STREAM ? stream_ss : ping_ss;
	char *v = o->verdict;
	size_t len = sizeof(o->verdict);
	int n, k, any = 0;

	n = snprintf(v, len, "no verdict from the trace: %s%s%s%s%s; from %s alone, the %s took %.1f us",
		     o->withheld & RPLAT_EV_LOST ? "the ring buffer lost events in this message's window" : "",
		     o->withheld & RPLAT_EV_LOST && o->withheld & (RPLAT_EV_BROKEN | RPLAT_EV_UNMATCHED) ? ", " : "",
		     o->withheld & RPLAT_EV_BROKEN ? "a context switch is missing from the trace inside this "
						     "message's window (a task ran that the trace does not show)" : "",
		     o->withheld & RPLAT_EV_BROKEN && o->withheld & RPLAT_EV_UNMATCHED ? ", " : "",
		     o->withheld & RPLAT_EV_UNMATCHED ? "the trace does not show this message's send and read (not "
							"matched)" : "",
		     a->app[0] ? "the observed stamps (samples.tsv)" : "rplat's own stamps",
		     a->kind == RPLAT_ANA_STREAM ? "message" : "round trip", us(m->rtt));
	for (k = 0; k < 4 && n > 0 && (size_t)n < len; k++) {
		if (!names[k] || m->ss[k] == RPLAT_NONE)
			continue;
		n += snprintf(v + n, len - (size_t)n, "%s %s %.1f us", any ? "," : ":", names[k], us(m->ss[k]));
		any = 1;
	}
	if (n > 0 && (size_t)n < len && !any)
		snprintf(v + n, len - (size_t)n, " (no remote stamps to split it)");
}

static void explain(const struct rplat_tev_set *ev, const struct swidx *s, const struct rplat_analysis *a,
		    const struct rplat_ana_msg *m, struct rplat_ana_outlier *o)
{
	struct acc acc = { .n = 0 };
	int64_t t0 = RPLAT_NONE, t1 = RPLAT_NONE, remote_ns = 0;
	int i, j, cpus[4], ncpus = 0, focus = -1;

	o->withheld = (!m->matched ? RPLAT_EV_UNMATCHED : 0) | (m->incomplete ? RPLAT_EV_LOST : 0) |
		      (m->broken ? RPLAT_EV_BROKEN : 0);
	if (o->withheld) {
		o->dominant = -1;
		o->dominant_ns = 0;
		o->wake_to_run = RPLAT_NONE;
		o->migrations = m->nmigrations;
		withheld_verdict(a, m, o);
		return;
	}
	o->dominant = -1;
	o->dominant_ns = 0;
	for (i = 0; i < RPLAT_ST_N; i++)
		if (m->st[i] != RPLAT_NONE && rplat_ana_stage_id(a, i) && (o->dominant < 0 || m->st[i] > o->dominant_ns)) {
			o->dominant = i;
			o->dominant_ns = m->st[i];
		}
	o->wake_to_run = m->waking != RPLAT_NONE && m->b[RPLAT_B_RUN] != RPLAT_NONE ?
			 m->b[RPLAT_B_RUN] - m->waking : RPLAT_NONE;
	o->migrations = m->nmigrations;
	if (o->dominant >= 0) {
		t0 = m->b[o->dominant];
		for (j = o->dominant + 1; j < RPLAT_B_N && m->b[j] == RPLAT_NONE; j++)
			;
		t1 = j < RPLAT_B_N ? m->b[j] : t0;
		switch (o->dominant) {
		case 0:
			focus = m->cpu_send;
			break;
		case 5:
		case 6:
			focus = m->cpu_run >= 0 ? m->cpu_run : m->cpu_ret;
			break;
		case 7:
			focus = m->cpu_ret;
			break;
		default:
			if (a->remote_pid > 0)
				focus = remote_cpu(ev, a, t0);
			break;
		}
		if (focus >= 0)
			cpus[ncpus++] = focus;
		if (o->dominant == 5 && m->cpu_send >= 0 && m->cpu_send != focus)
			cpus[ncpus++] = m->cpu_send;
		for (i = 0; i < ncpus; i++)
			activity(s, ev, cpus[i], t0, t1, &acc);
	}
	/* keep what is not the measured thread itself (nor the sim probe in remote stages) */
	qsort(acc.c, (size_t)acc.n, sizeof(acc.c[0]), cmp_contrib);
	for (i = 0; i < acc.n && o->ncontrib < RPLAT_ANA_MAX_CONTRIB; i++) {
		struct rplat_ana_contrib *c = &acc.c[i];

		if (c->ns <= 0 || (c->kind == 0 && is_measured(a, c->id)))
			continue;
		if (c->kind == 0 && a->remote_pid > 0 && (c->id == a->remote_pid || is_qemu_thread(ev, a, c->id))) {
			remote_ns += c->ns;
			continue;
		}
		if (c->kind == 3 && c->cpu != focus)
			continue;
		o->contrib[o->ncontrib] = *c;
		name_contrib(ev, &o->contrib[o->ncontrib]);
		o->ncontrib++;
	}
	(void)remote_ns;
	verdict(ev, a, m, o, focus, t0, t1);
}

struct rank {
	int64_t rtt;
	size_t i;
};

static int cmp_rank(const void *pa, const void *pb)
{
	const struct rank *a = pa, *b = pb;

	if (a->rtt != b->rtt)
		return a->rtt < b->rtt ? 1 : -1;
	return (a->i > b->i) - (a->i < b->i);
}

int rplat_glitch_explain(const struct rplat_tev_set *ev, struct rplat_analysis *a, const struct rplat_ana_opts *o,
			 char *err, size_t errlen)
{
	struct rank *r;
	struct swidx s;
	size_t n = 0, i, max = o->max_outliers > 0 ? (size_t)o->max_outliers : 2000;
	int *why;

	a->out = NULL;
	a->nout = 0;
	r = malloc((a->nmsg + 1) * sizeof(*r));
	why = calloc(a->nmsg + 1, sizeof(*why));
	if (!r || !why) {
		free(r);
		free(why);
		return rplat_fail(err, errlen, "out of memory");
	}
	for (i = 0; i < a->nmsg; i++) {
		const struct rplat_ana_msg *m = &a->msg[i];

		if (m->rtt == RPLAT_NONE || (m->status != 0 && m->status != 3))
			continue;
		if (o->break_seq >= 0 && m->seq == (uint64_t)o->break_seq)
			why[i] |= 4;
		if (o->threshold_ns > 0 && m->rtt > o->threshold_ns) {
			why[i] |= 2;
			a->over_threshold++;
		}
		r[n++] = (struct rank){ m->rtt, i };
	}
	qsort(r, n, sizeof(*r), cmp_rank);
	for (i = 0; i < n && i < (size_t)(o->worst > 0 ? o->worst : 0); i++)
		why[r[i].i] |= 1;
	a->out = calloc(max + 1, sizeof(*a->out));
	if (!a->out || swidx_build(&s, ev)) {
		free(r);
		free(why);
		return rplat_fail(err, errlen, "out of memory");
	}
	/* the --break hit first, then by round trip, longest first */
	for (i = 0; i < a->nmsg && a->nout < max; i++)
		if (why[i] & 4) {
			a->out[a->nout].msg = i;
			a->out[a->nout++].why = why[i];
			why[i] = 0;
		}
	for (i = 0; i < n && a->nout < max; i++)
		if (why[r[i].i]) {
			a->out[a->nout].msg = r[i].i;
			a->out[a->nout++].why = why[r[i].i];
		}
	for (i = 0; i < a->nout; i++) {
		explain(ev, &s, a, &a->msg[a->out[i].msg], &a->out[i]);
		if (a->out[i].dominant >= 0)
			a->dominant_count[a->out[i].dominant]++;
	}
	swidx_free(&s);
	free(r);
	free(why);
	return 0;
}
