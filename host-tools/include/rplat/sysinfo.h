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
	/* the kernel settings that decide a latency tail; "" = could not be read (written as null) */
	char cmdline[1024];    /* /proc/cmdline */
	char config_hz[16];    /* CONFIG_HZ of /boot/config-RELEASE, else /proc/config.gz */
	char clocksource[32];  /* clocksource0's current_clocksource */
	char cpuidle[32];      /* cpuidle's current_driver ("none" when it says so) */
	char smt[48];          /* smt/control, and whether it is active: "on (active)", "notsupported" */
	char sched_rt_runtime_us[24]; /* -1: RT throttling off */
	/* a virtual machine, and how it was told ("" = none seen): rplat_sysenv_guest_at() (tracing/sysenv.h),
	 * as a capture's guest */
	char virt[96];
	char root[256];        /* rplat_sysinfo_read_at()'s root, "" = the live system */
};

/* As rplat_sysinfo_read(), with every /proc, /sys and /boot path under root ("" = the machine's own). */
void rplat_sysinfo_read_at(struct rplat_sysinfo *si, const char *root);

void rplat_sysinfo_read(struct rplat_sysinfo *si);
/* Write si as the member "system" of the object being written, with "check": the findings of every
 * 'rplat check system' check (rplat/sysck.h), run on si's root when this is called. */
void rplat_sysinfo_json(const struct rplat_sysinfo *si, struct rplat_jw *jw);

#endif
