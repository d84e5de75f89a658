/* System readiness for latency work: is this Linux set up so that RPMsg round trips can be trusted?
 *
 * Each check reads files under three roots (/proc, /sys, /dev by default; a fixture tree in tests) and
 * reports findings with a severity and advice: PREEMPT_RT, CPU governor and idle states,
 * cpu_dma_latency, isolcpus/nohz_full/rcu_nocbs, the mailbox interrupt (affinity, thread priority), RT
 * throttling, the memlock limit, the clocksource, tracefs, remoteproc and rpmsg devices.
 * A file that is missing or malformed is reported as such, naming the file; no check ever fails the run. */
#ifndef RPLAT_SYSCK_H
#define RPLAT_SYSCK_H

#include <limits.h>
#include <stddef.h>

#include "rplat/findings.h"

struct rplat_sysck_roots {
	char proc[PATH_MAX];
	char sys[PATH_MAX];
	char dev[PATH_MAX];
};

/* root NULL or "" or "/": the live system; else ROOT/proc, ROOT/sys, ROOT/dev. Returns 0, or -1 with
 * errno ENAMETOOLONG. */
int rplat_sysck_roots_init(struct rplat_sysck_roots *r, const char *root);

/* Run every check. Returns 0, or -1 if memory ran out. */
int rplat_sysck_run(const struct rplat_sysck_roots *r, struct rplat_findings *out);

/* Every rule the checks can report. */
const struct rplat_rule *rplat_sysck_rules(size_t *n);

#endif
