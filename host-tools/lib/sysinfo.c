/* Machine description for run metadata. See rplat/sysinfo.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "rplat/sysck.h"
#include "rplat/sysinfo.h"
#include "sysenv.h" /* rplat_sysenv_guest_at: the capture's guest evidence */

static int read_line(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fgets(buf, (int)n, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int read_at(const char *root, const char *path, char *buf, size_t n)
{
	char p[512];

	snprintf(p, sizeof(p), "%s%s", root, path);
	if (read_line(p, buf, n)) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

/* CONFIG_HZ=N from a kernel config stream */
static int config_hz_from(FILE *f, char *out, size_t n)
{
	char line[256];

	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "CONFIG_HZ=", 10)) {
			size_t k = strcspn(line + 10, "\n");

			if (k >= n)
				k = n - 1;
			memcpy(out, line + 10, k);
			out[k] = '\0';
			return 0;
		}
	}
	return -1;
}

/* /boot/config-RELEASE, else /proc/config.gz through gzip (an essential Debian package; rplat links no
 * zlib). Left empty when neither is there. */
static void read_config_hz(struct rplat_sysinfo *si, const char *root)
{
	char p[512], cmd[600];
	FILE *f;

	snprintf(p, sizeof(p), "%s/boot/config-%s", root, si->release);
	f = fopen(p, "r");
	if (f) {
		config_hz_from(f, si->config_hz, sizeof(si->config_hz));
		fclose(f);
		if (si->config_hz[0])
			return;
	}
	snprintf(p, sizeof(p), "%s/proc/config.gz", root);
	if (access(p, R_OK) || strpbrk(p, "'\\"))
		return;
	snprintf(cmd, sizeof(cmd), "gzip -dc '%s' 2>/dev/null", p);
	f = popen(cmd, "r");
	if (f) {
		config_hz_from(f, si->config_hz, sizeof(si->config_hz));
		pclose(f);
	}
}

static void read_kernel_settings(struct rplat_sysinfo *si, const char *root)
{
	char ctl[32], act[8];

	read_at(root, "/proc/cmdline", si->cmdline, sizeof(si->cmdline));
	read_config_hz(si, root);
	read_at(root, "/sys/devices/system/clocksource/clocksource0/current_clocksource", si->clocksource,
		sizeof(si->clocksource));
	read_at(root, "/sys/devices/system/cpu/cpuidle/current_driver", si->cpuidle, sizeof(si->cpuidle));
	if (!read_at(root, "/sys/devices/system/cpu/smt/control", ctl, sizeof(ctl))) {
		if (!read_at(root, "/sys/devices/system/cpu/smt/active", act, sizeof(act)) && (act[0] == '0' || act[0] == '1'))
			snprintf(si->smt, sizeof(si->smt), "%s (%s)", ctl, act[0] == '1' ? "active" : "not active");
		else
			snprintf(si->smt, sizeof(si->smt), "%s", ctl);
	}
	read_at(root, "/proc/sys/kernel/sched_rt_runtime_us", si->sched_rt_runtime_us, sizeof(si->sched_rt_runtime_us));
}

void rplat_sysinfo_read(struct rplat_sysinfo *si)
{
	rplat_sysinfo_read_at(si, "");
}

void rplat_sysinfo_read_at(struct rplat_sysinfo *si, const char *root)
{
	struct utsname u;
	char line[256], p[512];
	FILE *f;

	memset(si, 0, sizeof(*si));
	snprintf(si->root, sizeof(si->root), "%s", root);
	if (uname(&u) == 0) {
		snprintf(si->sysname, sizeof(si->sysname), "%s", u.sysname);
		snprintf(si->nodename, sizeof(si->nodename), "%s", u.nodename);
		snprintf(si->release, sizeof(si->release), "%s", u.release);
		snprintf(si->version, sizeof(si->version), "%s", u.version);
		snprintf(si->machine, sizeof(si->machine), "%s", u.machine);
	}
	si->realtime = read_at(root, "/sys/kernel/realtime", line, sizeof(line)) == 0 && line[0] == '1';
	if (strstr(si->version, "PREEMPT_RT"))
		si->realtime = 1;
	snprintf(si->preempt, sizeof(si->preempt), "%s",
		 si->realtime ? "PREEMPT_RT" : strstr(si->version, "PREEMPT_DYNAMIC") ? "PREEMPT_DYNAMIC" :
		 strstr(si->version, "PREEMPT") ? "PREEMPT" : "none");
	snprintf(si->cpu_model, sizeof(si->cpu_model), "unknown");
	snprintf(p, sizeof(p), "%s/proc/cpuinfo", root);
	f = fopen(p, "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *colon = strchr(line, ':');

			if (colon && (!strncmp(line, "model name", 10) || !strncmp(line, "Model", 5) ||
				      !strncmp(line, "CPU part", 8))) {
				colon++;
				colon += strspn(colon, " \t");
				colon[strcspn(colon, "\n")] = '\0';
				snprintf(si->cpu_model, sizeof(si->cpu_model), "%s", colon);
				break;
			}
		}
		fclose(f);
	}
	si->ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (read_at(root, "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", si->governor, sizeof(si->governor)))
		snprintf(si->governor, sizeof(si->governor), "none");
	read_kernel_settings(si, root);
	rplat_sysenv_guest_at(root, si->virt, sizeof(si->virt));
}

static void str_or_null(struct rplat_jw *jw, const char *k, const char *v)
{
	if (v[0])
		rplat_jw_str(jw, k, v);
	else
		rplat_jw_null(jw, k);
}

void rplat_sysinfo_json(const struct rplat_sysinfo *si, struct rplat_jw *jw)
{
	rplat_jw_obj_begin(jw, "system");
	rplat_jw_str(jw, "sysname", si->sysname);
	rplat_jw_str(jw, "nodename", si->nodename);
	rplat_jw_str(jw, "release", si->release);
	rplat_jw_str(jw, "version", si->version);
	rplat_jw_str(jw, "machine", si->machine);
	rplat_jw_bool(jw, "realtime", si->realtime);
	rplat_jw_str(jw, "preempt", si->preempt);
	rplat_jw_str(jw, "cpu_model", si->cpu_model);
	rplat_jw_int(jw, "ncpus", si->ncpus);
	rplat_jw_str(jw, "governor", si->governor);
	str_or_null(jw, "cmdline", si->cmdline);
	str_or_null(jw, "config_hz", si->config_hz);
	str_or_null(jw, "clocksource", si->clocksource);
	str_or_null(jw, "cpuidle", si->cpuidle);
	str_or_null(jw, "smt", si->smt);
	str_or_null(jw, "sched_rt_runtime_us", si->sched_rt_runtime_us);
	str_or_null(jw, "virtual_machine", si->virt);
	{
		/* check system's findings, embedded so that a report shows them without a separate file */
		struct rplat_sysck_roots r;
		struct rplat_findings fs;

		rplat_findings_init(&fs);
		if (!rplat_sysck_roots_init(&r, si->root[0] ? si->root : NULL) && !rplat_sysck_run(&r, &fs)) {
			rplat_jw_obj_begin(jw, "check");
			rplat_findings_write_json(jw, &fs);
			rplat_jw_obj_end(jw);
		} else {
			rplat_jw_null(jw, "check");
		}
		rplat_findings_free(&fs);
	}
	rplat_jw_obj_end(jw);
}
