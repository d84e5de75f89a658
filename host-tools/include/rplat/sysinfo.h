/* What the run metadata says about the machine: kernel, PREEMPT_RT, CPU, governor. */
#ifndef RPLAT_SYSINFO_H
#define RPLAT_SYSINFO_H

#include "rplat/json.h"

struct rplat_sysinfo {
	char sysname[65], nodename[65], release[65], version[129], machine[65];
	int realtime;          /* /sys/kernel/realtime is 1, or the version says PREEMPT_RT */
	char preempt[32];      /* PREEMPT_RT, PREEMPT_DYNAMIC, PREEMPT, or "none" */
	char cpu_model[128];
	int ncpus;
	char governor[32];     /* cpu0's cpufreq governor, or "none" */
};

void rplat_sysinfo_read(struct rplat_sysinfo *si);
/* Write si as the member "system" of the object being written. */
void rplat_sysinfo_json(const struct rplat_sysinfo *si, struct rplat_jw *jw);

#endif
