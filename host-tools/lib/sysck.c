/* System readiness checks: see rplat/sysck.h.
 *
 * One table of checks, one table of rules. Each check reads a few files under the roots and emits one
 * finding per subject with the rule that applies; the words (why, advice) live in the rule table. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rplat/cmdline.h"
#include "rplat/sysck.h"

#define DEEP_IDLE_US 10            /* exit latency above which an idle state hurts wakeups */
#define MEMLOCK_MIN (64ull << 20)  /* enough for rplat's buffers and histograms */
#define CAP_IPC_LOCK_BIT 14
#define MAX_CPUS 1024

enum sys_rule {
	S_UNREADABLE,
	S_PREEMPT_RT,
	S_NOT_RT,
	S_NO_CPUFREQ,
	S_GOVERNOR_OK,
	S_GOVERNOR,
	S_NO_CPUIDLE,
	S_IDLE_SHALLOW,
	S_IDLE_DEEP,
	S_DMA_LATENCY,
	S_NO_DMA_LATENCY,
	S_NO_ISOLATION,
	S_ISOLATION,
	S_ISOLATION_PARTIAL,
	S_NO_MBOX_IRQ,
	S_MBOX_IRQ,
	S_MBOX_IRQ_THREAD,
	S_RT_THROTTLING_OFF,
	S_RT_THROTTLING,
	S_MEMLOCK_OK,
	S_MEMLOCK,
	S_CLOCKSOURCE,
	S_CLOCKSOURCE_SLOW,
	S_TRACEFS,
	S_NO_TRACEFS,
	S_RPROC,
	S_RPROC_CRASHED,
	S_NO_RPROC,
	S_RPMSG,
	S_NO_RPMSG,
	S_NO_RPMSG_CHAR,
	S__COUNT
};

#define E RPLAT_SEV_ERROR
#define W RPLAT_SEV_WARNING
#define I RPLAT_SEV_INFO

static const struct rplat_rule rules[S__COUNT] = {
	[S_UNREADABLE] = { "sys.unreadable", W, 0,
		"A file this check needs is missing or malformed, so the setting is unknown.",
		"Check that /proc and /sys are mounted (or that --root points at a complete tree)." },
	[S_PREEMPT_RT] = { "sys.preempt_rt", I, 0,
		"A PREEMPT_RT kernel: interrupt handlers run in threads and kernel sections are preemptible, so a "
		"high-priority thread is woken within tens of microseconds.",
		"" },
	[S_NOT_RT] = { "sys.not_rt", W, 0,
		"Not a PREEMPT_RT kernel: a wakeup can wait for a long non-preemptible kernel section, so tails reach "
		"milliseconds under load.",
		"Fine for comparing; for a release budget measure on PREEMPT_RT (and use `rplat compare`)." },
	[S_NO_CPUFREQ] = { "sys.no_cpufreq", I, 0,
		"No cpufreq: the CPUs run at a fixed frequency (or the hypervisor decides).",
		"" },
	[S_GOVERNOR_OK] = { "sys.governor", I, 0,
		"Every CPU runs the performance governor: no frequency ramp after an idle period.",
		"" },
	[S_GOVERNOR] = { "sys.governor_scaling", W, 0,
		"Some CPUs scale their frequency: after an idle period the first messages run slow, so latency "
		"depends on the message rate.",
		"For measurements: echo performance > /sys/devices/system/cpu/cpu*/cpufreq/scaling_governor." },
	[S_NO_CPUIDLE] = { "sys.no_cpuidle", I, 0,
		"No cpuidle states are exposed: the CPUs idle with the architecture default (WFI).",
		"" },
	[S_IDLE_SHALLOW] = { "sys.idle", I, 0,
		"The enabled idle states have short exit latencies.",
		"" },
	[S_IDLE_DEEP] = { "sys.idle_deep", W, 0,
		"Deep idle states are enabled: waking a CPU from them adds their exit latency to every wakeup of the "
		"receiving thread.",
		"Hold /dev/cpu_dma_latency at 0 during runs (rplat ping --dma-latency 0), or disable the states." },
	[S_DMA_LATENCY] = { "sys.cpu_dma_latency", I, 0,
		"/dev/cpu_dma_latency is present: rplat can hold it at 0 during a run to keep CPUs out of deep idle.",
		"" },
	[S_NO_DMA_LATENCY] = { "sys.no_cpu_dma_latency", W, 0,
		"/dev/cpu_dma_latency is missing: deep idle cannot be blocked for the duration of a run.",
		"Build the kernel with PM QoS (CONFIG_CPU_IDLE / PM) or disable deep idle states another way." },
	[S_NO_ISOLATION] = { "sys.no_isolation", I, 0,
		"No CPU is isolated: the measuring thread shares its CPU with everything else.",
		"Pin it anyway (-a CPU); for the best tails boot with isolcpus=, nohz_full= and rcu_nocbs= on the "
		"same CPUs." },
	[S_ISOLATION] = { "sys.isolation", I, 0,
		"CPUs are isolated, tick-less and free of RCU callbacks.",
		"Pin the measuring thread to one of them (-a CPU)." },
	[S_ISOLATION_PARTIAL] = { "sys.isolation_partial", W, 0,
		"CPUs are isolated but still take the scheduler tick or RCU callbacks: periodic jitter of tens of "
		"microseconds remains on them.",
		"Give nohz_full= and rcu_nocbs= the same CPU list as isolcpus=." },
	[S_NO_MBOX_IRQ] = { "sys.no_mbox_irq", I, 0,
		"No mailbox interrupt in /proc/interrupts: there is no real remote core link on this system (the sim "
		"and qemu links do not need one).",
		"" },
	[S_MBOX_IRQ] = { "sys.mbox_irq", I, 0,
		"The mailbox interrupt: where it lands and, when threaded, its thread's priority. Its handler is the "
		"first stage of every remote-to-host message.",
		"Keep its thread above the measuring thread's priority, and its affinity off the measuring CPU unless "
		"you mean to measure the same-CPU path." },
	[S_MBOX_IRQ_THREAD] = { "sys.mbox_irq_thread", W, 0,
		"The mailbox interrupt thread is not a real-time thread: under load, every remote-to-host message "
		"waits for the fair scheduler.",
		"chrt -f -p 90 PID (the irq/N-... thread)." },
	[S_RT_THROTTLING_OFF] = { "sys.rt_throttling", I, 0,
		"RT throttling is off: a real-time thread is never parked by the scheduler.",
		"" },
	[S_RT_THROTTLING] = { "sys.rt_throttling_on", W, 0,
		"RT throttling is on: real-time threads are stopped for the rest of each period once they used their "
		"runtime, which shows up as a burst of late messages under heavy RT load.",
		"For long loaded runs: echo -1 > /proc/sys/kernel/sched_rt_runtime_us (keep it on while debugging)." },
	[S_MEMLOCK_OK] = { "sys.memlock", I, 0,
		"mlockall() will succeed: rplat's memory cannot be paged out during a run.",
		"" },
	[S_MEMLOCK] = { "sys.memlock_low", W, 0,
		"The memlock limit is low and CAP_IPC_LOCK is missing: mlockall() fails, and page faults land inside "
		"measured round trips.",
		"Run as root, or raise the limit (ulimit -l unlimited, or memlock in /etc/security/limits.conf)." },
	[S_CLOCKSOURCE] = { "sys.clocksource", I, 0,
		"The clocksource is read in user space (vDSO): CLOCK_MONOTONIC costs tens of nanoseconds.",
		"" },
	[S_CLOCKSOURCE_SLOW] = { "sys.clocksource_slow", W, 0,
		"The clocksource cannot be read from user space: every clock_gettime() is a system call of a "
		"microsecond or more, which inflates and blurs every host timestamp.",
		"Fix the platform timer (arch_sys_counter on arm64, tsc on x86) or check the kernel log for why it "
		"was rejected." },
	[S_TRACEFS] = { "sys.tracefs", I, 0,
		"tracefs is mounted: `rplat trace` can break round trips into kernel stages.",
		"" },
	[S_NO_TRACEFS] = { "sys.no_tracefs", W, 0,
		"tracefs is not mounted: `rplat trace` cannot capture kernel events.",
		"mount -t tracefs nodev /sys/kernel/tracing" },
	[S_RPROC] = { "sys.remoteproc", I, 0,
		"A remote processor managed by remoteproc.",
		"" },
	[S_RPROC_CRASHED] = { "sys.remoteproc_crashed", E, 0,
		"The remote processor crashed: its link is down until it is recovered or restarted.",
		"rplat rproc trace (its last words), then rplat rproc stop && rplat rproc start." },
	[S_NO_RPROC] = { "sys.no_remoteproc", W, 0,
		"No remote processor: the rpmsg-char link is unavailable here; only the sim and qemu links work.",
		"On the board: load the remoteproc driver (ti_k3_m4_remoteproc) and check its DT node with `rplat "
		"check dt`." },
	[S_RPMSG] = { "sys.rpmsg", I, 0,
		"RPMsg channels and the rpmsg_char control device are present: `rplat ping --link rpmsg` can run.",
		"" },
	[S_NO_RPMSG] = { "sys.no_rpmsg", W, 0,
		"A remote processor runs but announced no RPMsg channel: its firmware has no name service, did not "
		"get DRIVER_OK, or is not an RPMsg firmware.",
		"rplat rproc trace; rplat check rsc /lib/firmware/<firmware>." },
	[S_NO_RPMSG_CHAR] = { "sys.no_rpmsg_char", W, 0,
		"RPMsg channels exist but no /dev/rpmsg_ctrlN: user space cannot create endpoints.",
		"modprobe rpmsg_char (and rpmsg_ctrl on kernels >= 5.18)." },
};

const struct rplat_rule *rplat_sysck_rules(size_t *n)
{
	*n = S__COUNT;
	return rules;
}

int rplat_sysck_roots_init(struct rplat_sysck_roots *r, const char *root)
{
	const char *base = root && root[0] && strcmp(root, "/") ? root : "";

	if ((size_t)snprintf(r->proc, sizeof(r->proc), "%s/proc", base) >= sizeof(r->proc) ||
	    (size_t)snprintf(r->sys, sizeof(r->sys), "%s/sys", base) >= sizeof(r->sys) ||
	    (size_t)snprintf(r->dev, sizeof(r->dev), "%s/dev", base) >= sizeof(r->dev)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* ---- helpers ---- */

struct sctx {
	const struct rplat_sysck_roots *r;
	struct rplat_findings *out;
};

static void emit(struct sctx *c, enum sys_rule rule, const char *source, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void emit(struct sctx *c, enum sys_rule rule, const char *source, const char *field, const char *fmt, ...)
{
	char value[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	rplat_findings_emit(c->out, &rules[rule], -1, source, -1, field, "%s", value);
}

/* Read a small text file, trailing whitespace stripped. Returns its length, or -1. */
static int rd(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return (int)n;
}

#define PATHF(buf, ...) snprintf(buf, sizeof(buf), __VA_ARGS__)

/* cpuN directories under SYS/devices/system/cpu, sorted by N. Returns the count. */
static int list_cpus(struct sctx *c, int *cpus, int max)
{
	char dir[PATH_MAX + 32];
	struct dirent *d;
	DIR *dp;
	int n = 0, i, j;

	PATHF(dir, "%s/devices/system/cpu", c->r->sys);
	dp = opendir(dir);
	if (!dp)
		return 0;
	while ((d = readdir(dp)) && n < max) {
		char *end;
		long v;

		if (strncmp(d->d_name, "cpu", 3) || !isdigit((unsigned char)d->d_name[3]))
			continue;
		v = strtol(d->d_name + 3, &end, 10);
		if (*end || v < 0 || v > 1000000)
			continue;
		cpus[n++] = (int)v;
	}
	closedir(dp);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && cpus[j - 1] > cpus[j]; j--) {
			int t = cpus[j];

			cpus[j] = cpus[j - 1];
			cpus[j - 1] = t;
		}
	return n;
}

/* Append "N" or "A-B" ranges of a sorted list to buf. */
static void cpulist(char *buf, size_t size, const int *cpus, int n)
{
	size_t o = 0;
	int i = 0;

	buf[0] = '\0';
	while (i < n && o < size) {
		int j = i;

		while (j + 1 < n && cpus[j + 1] == cpus[j] + 1)
			j++;
		if (j > i)
			o += (size_t)snprintf(buf + o, size - o, "%s%d-%d", o ? "," : "", cpus[i], cpus[j]);
		else
			o += (size_t)snprintf(buf + o, size - o, "%s%d", o ? "," : "", cpus[i]);
		i = j + 1;
	}
}

/* The value of a kernel command line's parameter, "" if absent or bare; 'pick' is which one counts when it
 * is given more than once (rplat/cmdline.h). A value longer than 'size' is cut. */
static void cmdline_arg(const char *cmdline, const char *key, enum rplat_cmdline_pick pick, char *val,
			size_t size)
{
	struct rplat_cmdline_param p;

	val[0] = '\0';
	if (rplat_cmdline_find(cmdline, key, pick, &p))
		rplat_cmdline_value(&p, val, size);
}

/* ---- the checks ---- */

static void check_preempt(struct sctx *c)
{
	char path[PATH_MAX + 64], buf[1024], model[64];
	int rt = 0;

	PATHF(path, "%s/kernel/realtime", c->r->sys);
	if (rd(path, buf, sizeof(buf)) > 0 && !strcmp(buf, "1")) {
		emit(c, S_PREEMPT_RT, path, "kernel", "PREEMPT_RT (/sys/kernel/realtime = 1)");
		return;
	}
	PATHF(path, "%s/version", c->r->proc);
	if (rd(path, buf, sizeof(buf)) <= 0) {
		emit(c, S_UNREADABLE, path, "kernel version", "missing");
		return;
	}
	rt = strstr(buf, "PREEMPT_RT") != NULL;
	if (rt) {
		emit(c, S_PREEMPT_RT, path, "kernel", "PREEMPT_RT");
		return;
	}
	if (strstr(buf, "PREEMPT_DYNAMIC")) {
		char mpath[PATH_MAX + 64], m[128];
		char *open_, *close_;

		snprintf(model, sizeof(model), "PREEMPT_DYNAMIC");
		PATHF(mpath, "%s/kernel/debug/sched/preempt", c->r->sys);
		if (rd(mpath, m, sizeof(m)) > 0 && (open_ = strchr(m, '(')) && (close_ = strchr(open_, ')'))) {
			*close_ = '\0';
			snprintf(model, sizeof(model), "PREEMPT_DYNAMIC (%.32s)", open_ + 1);
		}
	} else if (strstr(buf, " PREEMPT ")) {
		snprintf(model, sizeof(model), "PREEMPT (low-latency desktop)");
	} else {
		snprintf(model, sizeof(model), "no forced preemption");
	}
	emit(c, S_NOT_RT, path, "kernel", "%s", model);
}

static void check_governor(struct sctx *c)
{
	int cpus[MAX_CPUS], slow[MAX_CPUS];
	char path[PATH_MAX + 96], gov[64], first[64] = "", list[256];
	int n, i, nfreq = 0, nslow = 0;

	n = list_cpus(c, cpus, MAX_CPUS);
	for (i = 0; i < n; i++) {
		PATHF(path, "%s/devices/system/cpu/cpu%d/cpufreq/scaling_governor", c->r->sys, cpus[i]);
		if (rd(path, gov, sizeof(gov)) <= 0)
			continue;
		nfreq++;
		if (strcmp(gov, "performance")) {
			if (!nslow)
				snprintf(first, sizeof(first), "%s", gov);
			slow[nslow++] = cpus[i];
		}
	}
	PATHF(path, "%s/devices/system/cpu", c->r->sys);
	if (!nfreq) {
		emit(c, S_NO_CPUFREQ, path, "cpufreq", "no scaling_governor on %d CPUs", n);
		return;
	}
	if (!nslow) {
		emit(c, S_GOVERNOR_OK, path, "scaling_governor", "performance on %d CPUs", nfreq);
		return;
	}
	cpulist(list, sizeof(list), slow, nslow);
	emit(c, S_GOVERNOR, path, "scaling_governor", "%s on CPU %s", first, list);
}

static void check_idle(struct sctx *c)
{
	int cpus[MAX_CPUS];
	char path[PATH_MAX + 128], drv[64], name[64], lat[32], dis[16], worst[96] = "";
	int n, i, s, nstates = 0, ndeep = 0;
	long worst_lat = -1;

	PATHF(path, "%s/devices/system/cpu/cpuidle/current_driver", c->r->sys);
	if (rd(path, drv, sizeof(drv)) <= 0)
		snprintf(drv, sizeof(drv), "unknown");
	n = list_cpus(c, cpus, MAX_CPUS);
	for (i = 0; i < n; i++) {
		int deep_here = 0;

		for (s = 0; s < 32; s++) {
			long l;

			PATHF(path, "%s/devices/system/cpu/cpu%d/cpuidle/state%d/latency", c->r->sys, cpus[i], s);
			if (rd(path, lat, sizeof(lat)) <= 0)
				break;
			nstates++;
			l = strtol(lat, NULL, 10);
			PATHF(path, "%s/devices/system/cpu/cpu%d/cpuidle/state%d/disable", c->r->sys, cpus[i], s);
			if (rd(path, dis, sizeof(dis)) > 0 && strcmp(dis, "0"))
				continue;
			if (l <= DEEP_IDLE_US)
				continue;
			deep_here = 1;
			if (l > worst_lat) {
				worst_lat = l;
				PATHF(path, "%s/devices/system/cpu/cpu%d/cpuidle/state%d/name", c->r->sys, cpus[i], s);
				if (rd(path, name, sizeof(name)) <= 0)
					snprintf(name, sizeof(name), "state%d", s);
				snprintf(worst, sizeof(worst), "%.40s", name);
			}
		}
		ndeep += deep_here;
	}
	PATHF(path, "%s/devices/system/cpu/cpuidle", c->r->sys);
	if (!nstates)
		emit(c, S_NO_CPUIDLE, path, "cpuidle", "driver %s, no states", drv);
	else if (!ndeep)
		emit(c, S_IDLE_SHALLOW, path, "cpuidle", "driver %s, all enabled states exit within %d us", drv,
		     DEEP_IDLE_US);
	else
		emit(c, S_IDLE_DEEP, path, "cpuidle", "driver %s: %s (exit latency %ld us) enabled on %d CPUs", drv,
		     worst, worst_lat, ndeep);
}

static void check_dma_latency(struct sctx *c)
{
	char path[PATH_MAX + 32];
	unsigned char b[32];
	ssize_t n;
	long v;
	int fd;

	PATHF(path, "%s/cpu_dma_latency", c->r->dev);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			emit(c, S_NO_DMA_LATENCY, path, "cpu_dma_latency", "missing");
		else
			emit(c, S_UNREADABLE, path, "cpu_dma_latency", "%s", strerror(errno));
		return;
	}
	/* the device returns the current target as a binary s32; a fixture may hold text */
	n = read(fd, b, sizeof(b) - 1);
	close(fd);
	if (n == 4) {
		v = (int32_t)((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);
	} else if (n > 0) {
		b[n] = '\0';
		v = strtol((char *)b, NULL, 0);
	} else {
		emit(c, S_UNREADABLE, path, "cpu_dma_latency", "unreadable");
		return;
	}
	if (v >= 2000000000)
		emit(c, S_DMA_LATENCY, path, "cpu_dma_latency", "%ld us (no request held)", v);
	else
		emit(c, S_DMA_LATENCY, path, "cpu_dma_latency", "%ld us (held by someone now)", v);
}

static void check_isolation(struct sctx *c)
{
	char path[PATH_MAX + 64], cmdline[4096], iso[256], nohz[256], rcu[256], sysiso[256];

	PATHF(path, "%s/cmdline", c->r->proc);
	if (rd(path, cmdline, sizeof(cmdline)) < 0) {
		emit(c, S_UNREADABLE, path, "kernel command line", "missing");
		return;
	}
	/* the kernel keeps the first isolcpus= and nohz_full= (housekeeping_setup() refuses a later, different
	 * CPU list) and the last rcu_nocbs= (each one re-parses the mask) */
	cmdline_arg(cmdline, "isolcpus", RPLAT_CMDLINE_FIRST, iso, sizeof(iso));
	cmdline_arg(cmdline, "nohz_full", RPLAT_CMDLINE_FIRST, nohz, sizeof(nohz));
	cmdline_arg(cmdline, "rcu_nocbs", RPLAT_CMDLINE_LAST, rcu, sizeof(rcu));
	{
		char ipath[PATH_MAX + 64];

		PATHF(ipath, "%s/devices/system/cpu/isolated", c->r->sys);
		if (rd(ipath, sysiso, sizeof(sysiso)) <= 0)
			snprintf(sysiso, sizeof(sysiso), "%s", iso);
	}
	if (!iso[0] && !sysiso[0] && !nohz[0]) {
		emit(c, S_NO_ISOLATION, path, "isolcpus", "none");
		return;
	}
	if (!nohz[0] || !rcu[0])
		emit(c, S_ISOLATION_PARTIAL, path, "isolcpus", "isolcpus=%s nohz_full=%s rcu_nocbs=%s",
		     iso[0] ? iso : "-", nohz[0] ? nohz : "-", rcu[0] ? rcu : "-");
	else
		emit(c, S_ISOLATION, path, "isolcpus", "isolcpus=%s nohz_full=%s rcu_nocbs=%s", iso[0] ? iso : "-",
		     nohz, rcu);
}

/* The thread "irq/N-..." of an interrupt: its pid, policy and RT priority. Returns 0 if found. */
static int irq_thread(struct sctx *c, long irq, long *pid, int *policy, int *prio)
{
	char dir[PATH_MAX + 16], prefix[32];
	struct dirent *d;
	DIR *dp;
	int found = -1;

	snprintf(prefix, sizeof(prefix), "irq/%ld-", irq);
	PATHF(dir, "%s", c->r->proc);
	dp = opendir(dir);
	if (!dp)
		return -1;
	while (found < 0 && (d = readdir(dp))) {
		char path[PATH_MAX + 300], comm[64], stat[1024], *p, *save = NULL, *tok;
		int field = 3;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		PATHF(path, "%s/%s/comm", c->r->proc, d->d_name);
		if (rd(path, comm, sizeof(comm)) <= 0 || strncmp(comm, prefix, strlen(prefix)))
			continue;
		PATHF(path, "%s/%s/stat", c->r->proc, d->d_name);
		if (rd(path, stat, sizeof(stat)) <= 0 || !(p = strrchr(stat, ')')))
			continue;
		*pid = strtol(d->d_name, NULL, 10);
		*policy = *prio = -1;
		/* fields after the comm: state is field 3, rt_priority 40, policy 41 */
		for (tok = strtok_r(p + 1, " ", &save); tok; tok = strtok_r(NULL, " ", &save), field++) {
			if (field == 40)
				*prio = (int)strtol(tok, NULL, 10);
			if (field == 41)
				*policy = (int)strtol(tok, NULL, 10);
		}
		found = 0;
	}
	closedir(dp);
	return found;
}

static int is_mbox_name(const char *s)
{
	static const char *const pat[] = { "mailbox", "mbox", "imx_mu", "imx-mu", "ipcc", "zynqmp-ipi", "rproc",
					   NULL };
	int i;

	for (i = 0; pat[i]; i++)
		if (strstr(s, pat[i]))
			return 1;
	return 0;
}

static void check_mbox_irq(struct sctx *c)
{
	static const char *const policies[] = { "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "?",
						"SCHED_IDLE", "SCHED_DEADLINE" };
	char path[PATH_MAX + 64], line[4096];
	FILE *f;
	int found = 0, ncpu = 0, lineno = 0;

	PATHF(path, "%s/interrupts", c->r->proc);
	f = fopen(path, "re");
	if (!f) {
		emit(c, S_UNREADABLE, path, "interrupts", "missing");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end, *tok, *save = NULL, name[256] = "", aff[128] = "?", apath[PATH_MAX + 64];
		unsigned long long count = 0;
		long irq, pid;
		int i, policy, prio;

		if (lineno++ == 0) {
			for (tok = strtok_r(line, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
				ncpu += !strncmp(tok, "CPU", 3);
			continue;
		}
		while (isspace((unsigned char)*p))
			p++;
		irq = strtol(p, &end, 10);
		if (end == p || *end != ':')
			continue; /* NMI:, LOC:, ... */
		p = end + 1;
		for (i = 0; i < ncpu; i++) {
			unsigned long long v = strtoull(p, &end, 10);

			if (end == p)
				break;
			count += v;
			p = end;
		}
		while (isspace((unsigned char)*p))
			p++;
		snprintf(name, sizeof(name), "%s", p);
		name[strcspn(name, "\n")] = '\0';
		if (!is_mbox_name(name))
			continue;
		found++;
		PATHF(apath, "%s/irq/%ld/smp_affinity_list", c->r->proc, irq);
		if (rd(apath, aff, sizeof(aff)) <= 0)
			snprintf(aff, sizeof(aff), "?");
		if (irq_thread(c, irq, &pid, &policy, &prio) == 0) {
			const char *pol = policy >= 0 && policy < 7 ? policies[policy] : "?";

			if (policy == 1 || policy == 2)
				emit(c, S_MBOX_IRQ, path, "irq",
				     "%ld (%.80s): %llu interrupts, affinity %s, thread pid %ld %s %d", irq, name, count,
				     aff, pid, pol, prio);
			else
				emit(c, S_MBOX_IRQ_THREAD, path, "irq", "%ld (%.80s): thread pid %ld runs %s", irq, name,
				     pid, pol);
		} else {
			emit(c, S_MBOX_IRQ, path, "irq", "%ld (%.80s): %llu interrupts, affinity %s, not threaded", irq,
			     name, count, aff);
		}
	}
	fclose(f);
	if (!lineno)
		emit(c, S_UNREADABLE, path, "interrupts", "empty");
	else if (!found)
		emit(c, S_NO_MBOX_IRQ, path, "irq", "none");
}

static void check_rt_throttle(struct sctx *c)
{
	char path[PATH_MAX + 64], ppath[PATH_MAX + 64], rt[32], per[32];

	PATHF(path, "%s/sys/kernel/sched_rt_runtime_us", c->r->proc);
	PATHF(ppath, "%s/sys/kernel/sched_rt_period_us", c->r->proc);
	if (rd(path, rt, sizeof(rt)) <= 0) {
		emit(c, S_UNREADABLE, path, "sched_rt_runtime_us", "missing");
		return;
	}
	if (rd(ppath, per, sizeof(per)) <= 0)
		snprintf(per, sizeof(per), "?");
	if (strtol(rt, NULL, 10) < 0)
		emit(c, S_RT_THROTTLING_OFF, path, "sched_rt_runtime_us", "%s", rt);
	else
		emit(c, S_RT_THROTTLING, path, "sched_rt_runtime_us", "%s of %s us", rt, per);
}

static void check_memlock(struct sctx *c)
{
	char path[PATH_MAX + 64], spath[PATH_MAX + 64], line[512], soft[64] = "";
	unsigned long long caps = 0;
	int have_cap = 0;
	FILE *f;

	PATHF(spath, "%s/self/status", c->r->proc);
	f = fopen(spath, "re");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "CapEff:", 7)) {
				caps = strtoull(line + 7, NULL, 16);
				have_cap = 1;
			}
		fclose(f);
	}
	PATHF(path, "%s/self/limits", c->r->proc);
	f = fopen(path, "re");
	if (!f) {
		emit(c, S_UNREADABLE, path, "Max locked memory", "missing");
		return;
	}
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Max locked memory", 17))
			sscanf(line + 17, "%63s", soft);
	fclose(f);
	if (!soft[0]) {
		emit(c, S_UNREADABLE, path, "Max locked memory", "no such line");
		return;
	}
	if (have_cap && (caps >> CAP_IPC_LOCK_BIT) & 1)
		emit(c, S_MEMLOCK_OK, spath, "CapEff", "CAP_IPC_LOCK (limit %s ignored)", soft);
	else if (!strcmp(soft, "unlimited") || strtoull(soft, NULL, 10) >= MEMLOCK_MIN)
		emit(c, S_MEMLOCK_OK, path, "Max locked memory", "%s", soft);
	else
		emit(c, S_MEMLOCK, path, "Max locked memory", "%s bytes, no CAP_IPC_LOCK", soft);
}

static void check_clocksource(struct sctx *c)
{
	static const char *const slow[] = { "jiffies", "refined-jiffies", "hpet", "acpi_pm", "pit", NULL };
	char path[PATH_MAX + 96], cs[64];
	int i;

	PATHF(path, "%s/devices/system/clocksource/clocksource0/current_clocksource", c->r->sys);
	if (rd(path, cs, sizeof(cs)) <= 0) {
		emit(c, S_UNREADABLE, path, "current_clocksource", "missing");
		return;
	}
	for (i = 0; slow[i]; i++)
		if (!strcmp(cs, slow[i])) {
			emit(c, S_CLOCKSOURCE_SLOW, path, "current_clocksource", "%s", cs);
			return;
		}
	emit(c, S_CLOCKSOURCE, path, "current_clocksource", "%s", cs);
}

static void check_tracefs(struct sctx *c)
{
	char path[PATH_MAX + 64], line[1024], dev[256], mnt[512], type[64];
	FILE *f;

	PATHF(path, "%s/mounts", c->r->proc);
	f = fopen(path, "re");
	if (!f) {
		emit(c, S_UNREADABLE, path, "mounts", "missing");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%255s %511s %63s", dev, mnt, type) != 3 || strcmp(type, "tracefs"))
			continue;
		fclose(f);
		emit(c, S_TRACEFS, path, "tracefs", "mounted at %s", mnt);
		return;
	}
	fclose(f);
	emit(c, S_NO_TRACEFS, path, "tracefs", "not mounted");
}

/* remoteproc and rpmsg: the two are judged together */
static void check_rproc_rpmsg(struct sctx *c)
{
	char dir[PATH_MAX + 64], path[PATH_MAX + 400], name[128], state[32], fw[128];
	struct dirent *d;
	DIR *dp;
	int nrproc = 0, running = 0, nchan = 0, nctrl = 0, nept = 0;

	PATHF(dir, "%s/class/remoteproc", c->r->sys);
	dp = opendir(dir);
	if (dp) {
		while ((d = readdir(dp))) {
			if (strncmp(d->d_name, "remoteproc", 10))
				continue;
			nrproc++;
			PATHF(path, "%s/%s/name", dir, d->d_name);
			if (rd(path, name, sizeof(name)) <= 0)
				snprintf(name, sizeof(name), "?");
			PATHF(path, "%s/%s/firmware", dir, d->d_name);
			if (rd(path, fw, sizeof(fw)) <= 0)
				snprintf(fw, sizeof(fw), "?");
			PATHF(path, "%s/%s/state", dir, d->d_name);
			if (rd(path, state, sizeof(state)) <= 0) {
				emit(c, S_UNREADABLE, path, "state", "missing");
				continue;
			}
			running += !strcmp(state, "running") || !strcmp(state, "attached");
			if (!strcmp(state, "crashed"))
				emit(c, S_RPROC_CRASHED, path, d->d_name, "%s: %s (firmware %s)", name, state, fw);
			else
				emit(c, S_RPROC, path, d->d_name, "%s: %s (firmware %s)", name, state, fw);
		}
		closedir(dp);
	}
	if (!nrproc)
		emit(c, S_NO_RPROC, dir, "remoteproc", "none");

	PATHF(dir, "%s/bus/rpmsg/devices", c->r->sys);
	dp = opendir(dir);
	if (dp) {
		while ((d = readdir(dp)))
			nchan += d->d_name[0] != '.';
		closedir(dp);
	}
	PATHF(path, "%s", c->r->dev);
	dp = opendir(path);
	if (dp) {
		while ((d = readdir(dp))) {
			if (!strncmp(d->d_name, "rpmsg_ctrl", 10))
				nctrl++;
			else if (!strncmp(d->d_name, "rpmsg", 5) && isdigit((unsigned char)d->d_name[5]))
				nept++;
		}
		closedir(dp);
	}
	if (nchan && nctrl)
		emit(c, S_RPMSG, dir, "rpmsg", "%d channels, %d rpmsg_ctrl, %d endpoint devices", nchan, nctrl, nept);
	else if (nchan)
		emit(c, S_NO_RPMSG_CHAR, c->r->dev, "rpmsg_ctrl", "none (%d channels)", nchan);
	else if (running)
		emit(c, S_NO_RPMSG, dir, "rpmsg", "no channel from %d running remote processors", running);
}

static const struct sys_check {
	const char *name;
	void (*fn)(struct sctx *c);
} checks[] = {
	{ "preempt", check_preempt },
	{ "governor", check_governor },
	{ "idle", check_idle },
	{ "cpu_dma_latency", check_dma_latency },
	{ "isolation", check_isolation },
	{ "mailbox-irq", check_mbox_irq },
	{ "rt-throttling", check_rt_throttle },
	{ "memlock", check_memlock },
	{ "clocksource", check_clocksource },
	{ "tracefs", check_tracefs },
	{ "remoteproc", check_rproc_rpmsg },
};

int rplat_sysck_run(const struct rplat_sysck_roots *r, struct rplat_findings *out)
{
	struct sctx c;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.r = r;
	c.out = out;
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		checks[i].fn(&c);
	return out->oom ? -1 : 0;
}
