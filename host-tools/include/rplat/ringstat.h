/* The shared-ring side of the streaming question (README, "The streaming question"): drain an attached
 * rplat hooks ring lazily, a fixed number of times a second, as Linux would in a shared-ring design, and
 * measure what it delivered: the sample marks per second, the producer's drops, each sample's latency
 * from its stamp to the drain that got it, and the draining thread's CPU time.
 *
 * Latency needs the remote counter on host time, and a ring gives its own clock correlation: a drain
 * empties the ring, so every record the next drain gets was published after the previous drain read the
 * head, and before this one did. The first and the last new record of each drain therefore bound the
 * mapping from both sides, like a ping's kick and reply: H(first) >= previous drain, H(last) <= this
 * drain, a "round trip" whose host-side cost is the drain period less the span of the stamps. Those
 * bounds go into the same causal-envelope fit as ping's (rplat/clocksync.h), whose err_ns bounds every
 * mapped stamp, and the latency of a sample is its drain's time minus its mapped stamp. One caveat: a
 * record stamped before a drain's head read but published after it (the hook preempted between its
 * stamp and its publish, at most the hook's own ~40 instructions on an M4) breaks the lower bound by
 * that much; crossed bounds are reported (clock.bound_guaranteed false). With fewer than two drains that
 * got records there is no fit, and the latency falls back to the one above the fastest sample's (the line
 * through the fastest sample of the first and of the last quarter taken as zero): the spread only. On the
 * sim the caller gives the true clock: the latency is the true one, and the fit is checked against it.  */
#ifndef RPLAT_RINGSTAT_H
#define RPLAT_RINGSTAT_H

#include <signal.h>
#include <stdint.h>

#include "rplat/clocksync.h"
#include "rplat/hist.h"
#include "rplat/ring.h"

struct rplat_ringstat_opts {
	int64_t duration_ns;     /* how long to drain */
	double drains_hz;        /* drains per second (> 0) */
	int mark_id;             /* count marks with this id as samples (-1: every mark) */
	/* the sample's true host CLOCK_MONOTONIC time from its stamp (NULL: latency above the fastest) */
	double (*true_ns)(void *ctx, uint64_t ticks);
	void *ctx;
	volatile sig_atomic_t *stop; /* set asynchronously (a signal): end early */
};

struct rplat_ringstat {
	uint64_t samples;        /* sample marks drained */
	uint64_t other;          /* other records drained (ISR, RX, SEND, other marks) */
	uint64_t drains, empty_drains;
	uint64_t drops;          /* the producer's, since attach */
	uint64_t restarts;       /* the remote re-initialised the ring */
	double wall_ns, cpu_ns;  /* the drain loop's wall time; its thread's CPU time */
	int relative;            /* latency is above the fastest sample's (no true clock, no fit) */
	int fitted;              /* latency from the drains' clock fit (fit below) */
	struct rplat_clk_fit fit; /* the drains' bounds fitted (valid: at least two drains got records) */
	double truth_max_err_ns; /* true clock given: the largest |fit - truth| over the samples (-1: none) */
	int ended_early;         /* stopped by a signal or an error before duration_ns */
	struct rplat_hist lat;   /* per sample, ns */
	char err[256];           /* why it ended early after an error ("" otherwise) */
};

/* Run the drain loop on 'r' (attached; what it already holds is discarded first, as stale; one last
 * drain at the end of duration_ns counts what it holds then). Returns 0
 * (with ended_early possibly set by a signal), or -1 if the ring was refused or memory ran out: then
 * s->err says why and what was measured so far is in s, marked ended_early. */
int rplat_ringstat_run(struct rplat_ring_reader *r, const struct rplat_ringstat_opts *o, struct rplat_ringstat *s);

#endif
