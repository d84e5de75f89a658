/* Machine description for run metadata. See rplat/sysinfo.h. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "rplat/sysinfo.h"

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

void rplat_sysinfo_read(struct rplat_sysinfo *si)
{
	struct utsname u;
	char line[256];
	FILE *f;

	memset(si, 0, sizeof(*si));
	if (uname(&u) == 0) {
		snprintf(si->sysname, sizeof(si->sysname), "%s", u.sysname);
		snprintf(si->nodename, sizeof(si->nodename), "%s", u.nodename);
		snprintf(si->release, sizeof(si->release), "%s", u.release);
		snprintf(si->version, sizeof(si->version), "%s", u.version);
		snprintf(si->machine, sizeof(si->machine), "%s", u.machine);
	}
	si->realtime = read_line("/sys/kernel/realtime", line, sizeof(line)) == 0 && line[0] == '1';
	if (strstr(si->version, "PREEMPT_RT"))
		si->realtime = 1;
	snprintf(si->preempt, sizeof(si->preempt), "%s",
		 si->realtime ? "PREEMPT_RT" : strstr(si->version, "PREEMPT_DYNAMIC") ? "PREEMPT_DYNAMIC" :
		 strstr(si->version, "PREEMPT") ? "PREEMPT" : "none");
	snprintf(si->cpu_model, sizeof(si->cpu_model), "unknown");
	f = fopen("/proc/cpuinfo", "r");
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
	if (read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", si->governor, sizeof(si->governor)))
		snprintf(si->governor, sizeof(si->governor), "none");
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
	rplat_jw_obj_end(jw);
}
