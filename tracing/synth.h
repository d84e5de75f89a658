/* Synthetic captures with a known truth, for the unit tests and the analysis benchmark.
 *
 * Each message follows the sim link's path: marker, write syscall with a wakeup of the probe (the kick),
 * the probe's run on its CPU, its wakeup of the measuring thread, the thread's switch-in, poll and read
 * returns. Glitches are injected at chosen sequence numbers, so a test knows which stage must dominate and
 * which task must be named. */
#ifndef RPLAT_SYNTH_H
#define RPLAT_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "analyze.h"
#include "tev.h"

enum rplat_synth_glitch_kind {
	RPLAT_GLITCH_WAKE_DELAY,   /* another task holds the host CPU after the wakeup */
	RPLAT_GLITCH_REMOTE_DELAY, /* the remote processes longer */
	RPLAT_GLITCH_IRQ,          /* an IRQ on the host CPU between the switch-in and the read return */
};

struct rplat_synth_glitch {
	uint32_t seq;
	enum rplat_synth_glitch_kind kind;
	int64_t ns;                /* how long */
	int32_t pid;               /* WAKE_DELAY: the competing task; IRQ: the irq number */
	const char *name;          /* its comm / irq name */
	int prio;                  /* kernel prio of the task (e.g. 49 = SCHED_FIFO 50) */
};

struct rplat_synth_opts {
	uint32_t nmsg;
	int64_t t0, interval_ns;
	int32_t tid, remote_pid;
	int host_cpu, remote_cpu, ncpus;
	int tid_prio;              /* kernel prio of the measuring thread (120 = nice 0) */
	int marker_fd;
	int trace_idle_switch_in;  /* emit the idle -> task switch (some kernels do not) */
	int noise_per_msg;         /* extra unrelated events per message (timer IRQs, kworker switches) */
	const struct rplat_synth_glitch *glitch;
	int nglitch;
	uint32_t seed;
};

void rplat_synth_opts_init(struct rplat_synth_opts *o);
/* Build the events (sorted) and the samples (malloc'd, nmsg entries; free()). Returns 0 or -1 (ENOMEM). */
int rplat_synth(const struct rplat_synth_opts *o, struct rplat_tev_set *ev, struct rplat_ana_sample **samples);

#endif
