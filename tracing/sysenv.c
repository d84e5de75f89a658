/* The host's preemption model, virtualisation, cpuidle and steal time. See sysenv.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "sysenv.h"

void rplat_sysenv_init(struct rplat_sysenv *e)
{
	memset(e, 0, sizeof(*e));
	e->guest = -1;
	e->steal_ns = -1;
}

/* The first line of a file, without its newline, into buf; NULL if unreadable. */
static char *read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	char *r;

	if (!f)
		return NULL;
	r = fgets(buf, (int)len, f);
	fclose(f);
	if (!r)
		return NULL;
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

/* A model name as the kernel spells it, or NULL. */
static const char *model_name(const char *s, size_t n)
{
	static const char *const names[] = { "none", "voluntary", "full", "lazy" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (n == strlen(names[i]) && !strncmp(s, names[i], n))
			return names[i];
	return NULL;
}

static void set_model(struct rplat_sysenv *e, const char *m, const char *src)
{
	snprintf(e->preempt, sizeof(e->preempt), "%s", m);
	snprintf(e->preempt_source, sizeof(e->preempt_source), "%s", src);
}

void rplat_sysenv_preempt_from(struct rplat_sysenv *e, const char *realtime, const char *debugfs,
			       const char *cmdline, const char *klog, const char *uname_v)
{
	const char *p, *m;
	char src[160];

	e->preempt[0] = e->preempt_source[0] = e->preempt_build[0] = 0;
	if (uname_v) {
		if (strstr(uname_v, "PREEMPT_RT"))
			snprintf(e->preempt_build, sizeof(e->preempt_build), "PREEMPT_RT");
		else if (strstr(uname_v, "PREEMPT_DYNAMIC"))
			snprintf(e->preempt_build, sizeof(e->preempt_build), "PREEMPT_DYNAMIC");
		else if (strstr(uname_v, "PREEMPT_LAZY"))
			snprintf(e->preempt_build, sizeof(e->preempt_build), "PREEMPT_LAZY");
		else if (strstr(uname_v, " PREEMPT "))
			snprintf(e->preempt_build, sizeof(e->preempt_build), "PREEMPT");
	}
	if (realtime && atoi(realtime) == 1) {
		set_model(e, "rt", "/sys/kernel/realtime is 1");
		return;
	}
	if (debugfs && (p = strchr(debugfs, '(')) && strchr(p, ')') && (m = model_name(p + 1, strcspn(p + 1, ")")))) {
		set_model(e, m, "/sys/kernel/debug/sched/preempt");
		return;
	}
	if (!strcmp(e->preempt_build, "PREEMPT_RT")) {
		set_model(e, "rt", "the build (uname -v: PREEMPT_RT)");
		return;
	}
	if (cmdline) { /* the last preempt= wins, as for the kernel's own parsing */
		const char *last = NULL;

		for (p = cmdline; (p = strstr(p, "preempt=")); p += 8)
			if (p == cmdline || p[-1] == ' ')
				last = p + 8;
		if (last && (m = model_name(last, strcspn(last, " \n")))) {
			snprintf(src, sizeof(src), "the boot parameter preempt=%s", m);
			set_model(e, m, src);
			return;
		}
	}
	if (klog && (p = strstr(klog, "Dynamic Preempt: "))) {
		const char *q = p + 17, *last = q;

		while ((p = strstr(q, "Dynamic Preempt: "))) /* the latest line */
			last = q = p + 17;
		if ((m = model_name(last, strcspn(last, " \r\n")))) {
			snprintf(src, sizeof(src), "the kernel log (\"Dynamic Preempt: %s\")", m);
			set_model(e, m, src);
			return;
		}
	}
	if (!strcmp(e->preempt_build, "PREEMPT") || !strcmp(e->preempt_build, "PREEMPT_LAZY")) {
		set_model(e, !strcmp(e->preempt_build, "PREEMPT") ? "full" : "lazy", "the build (uname -v)");
		return;
	}
	if (uname_v && !e->preempt_build[0]) {
		set_model(e, "none/voluntary", "the build (uname -v names no PREEMPT)");
		return;
	}
	/* a dynamic build whose boot choice could not be read: unknown */
}

int rplat_sysenv_preempts(const struct rplat_sysenv *e)
{
	if (!strcmp(e->preempt, "full") || !strcmp(e->preempt, "lazy") || !strcmp(e->preempt, "rt"))
		return 1;
	if (!strcmp(e->preempt, "none") || !strcmp(e->preempt, "voluntary") || !strcmp(e->preempt, "none/voluntary"))
		return 0;
	return -1;
}

int64_t rplat_sysenv_steal_ns(void)
{
	char line[512];
	unsigned long long v[8];
	long hz = sysconf(_SC_CLK_TCK);

	if (!read_line("/proc/stat", line, sizeof(line)) || hz <= 0 ||
	    sscanf(line, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &v[6], &v[7]) != 8)
		return -1;
	return (int64_t)(v[7] * (1000000000ull / (unsigned long long)hz));
}

int rplat_sysenv_guest_at(const char *root, char *src, size_t len)
{
	static const char *const vendors[] = { "QEMU", "KVM", "VMware", "VirtualBox", "Xen", "Microsoft",
					       "Amazon EC2", "Google", "Firecracker", "Parallels", "innotek",
					       "Bochs", "OpenStack" };
	char p[512], buf[4096];
	size_t n, i, k;
	FILE *f;

	snprintf(p, sizeof(p), "%s/sys/firmware/devicetree/base/compatible", root);
	f = fopen(p, "r");
	if (f) { /* NUL-separated strings */
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		for (i = 0; i < n; i += strlen(buf + i) + 1)
			if (!strcmp(buf + i, "linux,dummy-virt"))
				return snprintf(src, len, "QEMU virt (device tree: linux,dummy-virt)"), 1;
	}
	for (i = 0; i < 2; i++) {
		const char *what = i ? "product_name" : "sys_vendor";

		snprintf(p, sizeof(p), "%s/sys/class/dmi/id/%s", root, what);
		if (!read_line(p, buf, sizeof(buf)))
			continue;
		for (k = 0; k < sizeof(vendors) / sizeof(vendors[0]); k++)
			if (strstr(buf, vendors[k]))
				return snprintf(src, len, "%.40s (DMI %s)", buf, what), 1;
	}
	snprintf(p, sizeof(p), "%s/proc/cpuinfo", root);
	f = fopen(p, "r");
	if (f) {
		int flag = 0;

		while (!flag && fgets(buf, sizeof(buf), f))
			flag = !strncmp(buf, "flags", 5) && strstr(buf, " hypervisor");
		fclose(f);
		if (flag)
			return snprintf(src, len, "a hypervisor (cpuinfo flag)"), 1;
	}
	snprintf(p, sizeof(p), "%s/sys/hypervisor/type", root);
	if (read_line(p, buf, sizeof(buf)) && buf[0])
		return snprintf(src, len, "%.40s (/sys/hypervisor/type)", buf), 1;
	snprintf(p, sizeof(p), "%s/sys/firmware/devicetree/base/hypervisor", root);
	if (!access(p, F_OK))
		return snprintf(src, len, "a hypervisor (device tree /hypervisor node)"), 1;
	src[0] = '\0';
	return 0;
}

void rplat_sysenv_read(struct rplat_sysenv *e)
{
	char rt[32], dbg[128], cmd[4096], *klog = NULL;
	struct utsname u;
	int n;

	rplat_sysenv_init(e);
	n = klogctl(10, NULL, 0); /* SYSLOG_ACTION_SIZE_BUFFER */
	if (n > 0 && n < (64 << 20) && (klog = malloc((size_t)n + 1))) {
		int got = klogctl(3, klog, n); /* SYSLOG_ACTION_READ_ALL */

		if (got < 0)
			got = 0;
		klog[got] = 0;
	}
	rplat_sysenv_preempt_from(e, read_line("/sys/kernel/realtime", rt, sizeof(rt)),
				  read_line("/sys/kernel/debug/sched/preempt", dbg, sizeof(dbg)),
				  read_line("/proc/cmdline", cmd, sizeof(cmd)), klog, uname(&u) ? NULL : u.version);
	free(klog);
	e->guest = rplat_sysenv_guest_at("", e->guest_source, sizeof(e->guest_source));
	if (!read_line("/sys/devices/system/cpu/cpuidle/current_driver", e->cpuidle, sizeof(e->cpuidle)))
		snprintf(e->cpuidle, sizeof(e->cpuidle), access("/sys/devices/system/cpu", F_OK) ? "" : "none");
}

void rplat_sysenv_json(struct rplat_jw *jw, const char *key, const struct rplat_sysenv *e)
{
	rplat_jw_obj_begin(jw, key);
	rplat_jw_str(jw, "preempt", e->preempt[0] ? e->preempt : NULL);
	rplat_jw_str(jw, "preempt_source", e->preempt_source[0] ? e->preempt_source : "not found");
	rplat_jw_str(jw, "preempt_build", e->preempt_build[0] ? e->preempt_build : NULL);
	if (e->guest < 0)
		rplat_jw_null(jw, "guest");
	else
		rplat_jw_bool(jw, "guest", e->guest);
	rplat_jw_str(jw, "guest_source", e->guest_source[0] ? e->guest_source : NULL);
	rplat_jw_str(jw, "cpuidle_driver", e->cpuidle[0] ? e->cpuidle : NULL);
	if (e->steal_ns >= 0)
		rplat_jw_int(jw, "steal_ns", e->steal_ns);
	else
		rplat_jw_null(jw, "steal_ns");
	rplat_jw_obj_end(jw);
}

static void str_from(char *dst, size_t len, const struct rplat_json *j)
{
	const char *s = rplat_json_str(j);

	if (s)
		snprintf(dst, len, "%s", s);
}

void rplat_sysenv_from_json(struct rplat_sysenv *e, const struct rplat_json *j)
{
	const struct rplat_json *g;
	int64_t v;

	if (!j || j->type != RPLAT_JSON_OBJ)
		return;
	str_from(e->preempt, sizeof(e->preempt), rplat_json_member(j, "preempt"));
	str_from(e->preempt_source, sizeof(e->preempt_source), rplat_json_member(j, "preempt_source"));
	str_from(e->preempt_build, sizeof(e->preempt_build), rplat_json_member(j, "preempt_build"));
	g = rplat_json_member(j, "guest");
	if (g && g->type == RPLAT_JSON_BOOL)
		e->guest = g->num != 0;
	str_from(e->guest_source, sizeof(e->guest_source), rplat_json_member(j, "guest_source"));
	str_from(e->cpuidle, sizeof(e->cpuidle), rplat_json_member(j, "cpuidle_driver"));
	if (!rplat_json_i64(rplat_json_member(j, "steal_ns"), &v))
		e->steal_ns = v;
}
