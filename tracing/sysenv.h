/* What the host's kernel and machine were while a capture ran, as far as they change what a trace can
 * say: the preemption model in force (not just the build's), whether it is a virtual machine, the
 * cpuidle driver, steal time. The capture records it in capture.json ("system"); the verdicts read it
 * back (glitch.c). */
#ifndef RPLAT_SYSENV_H
#define RPLAT_SYSENV_H

#include <stdint.h>

#include "rplat/json.h"

struct rplat_sysenv {
	char preempt[24];          /* model in force: "none", "voluntary", "none/voluntary", "full", "lazy",
				      "rt"; "" unknown */
	char preempt_source[160];  /* where that came from */
	char preempt_build[24];    /* the build (uname -v): "PREEMPT_RT", "PREEMPT_DYNAMIC", "PREEMPT", "" */
	int guest;                 /* a virtual machine: 1 yes, 0 no evidence of one, -1 unknown */
	char guest_source[96];     /* the evidence: "hypervisor CPU flag", "DMI: QEMU", ... */
	char cpuidle[32];          /* cpuidle driver, "none" when the kernel has none, "" unknown */
	int64_t steal_ns;          /* steal time during the capture (/proc/stat), -1 unknown */
};

void rplat_sysenv_init(struct rplat_sysenv *e);
/* Read the preemption model, the guest evidence and the cpuidle driver from the live system. */
void rplat_sysenv_read(struct rplat_sysenv *e);
/* Is the machine under root ("" = this one) a virtual machine? 1 with the evidence in src, 0 (src "") when
 * none was seen. In order: the device tree's compatible "linux,dummy-virt" (QEMU's virt board: an arm64
 * guest under TCG has neither the CPU flag nor a /hypervisor node), DMI sys_vendor then product_name
 * naming a known hypervisor, cpuinfo's hypervisor flag, /sys/hypervisor/type, the device tree's
 * /hypervisor node. TCG and KVM look the same from inside: it says VM, not which. Both the capture
 * (guest) and run.json (system.virtual_machine) use it. */
int rplat_sysenv_guest_at(const char *root, char *src, size_t len);
/* Total steal time of all CPUs so far (ns), -1 unknown. */
int64_t rplat_sysenv_steal_ns(void);
/* The model from its sources, in order of precedence (exposed for the unit tests; NULL = absent):
 * /sys/kernel/realtime, /sys/kernel/debug/sched/preempt ("none voluntary (full)"), the preempt= boot
 * parameter (/proc/cmdline), the kernel log's "Dynamic Preempt: X", the build (uname -v). */
void rplat_sysenv_preempt_from(struct rplat_sysenv *e, const char *realtime, const char *debugfs,
			       const char *cmdline, const char *klog, const char *uname_v);
/* Whether the model preempts a task running in the kernel: 1 yes (full, lazy, rt), 0 no, -1 unknown. */
int rplat_sysenv_preempts(const struct rplat_sysenv *e);
void rplat_sysenv_json(struct rplat_jw *jw, const char *key, const struct rplat_sysenv *e);
/* From capture.json's "system" object (NULL: leaves e as initialised). */
void rplat_sysenv_from_json(struct rplat_sysenv *e, const struct rplat_json *j);

#endif
