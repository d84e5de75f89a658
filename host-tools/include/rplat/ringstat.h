/* The shared-ring side of the streaming question (README, "The streaming question"): drain an attached
 * rplat hooks ring lazily, a fixed number of times a second, as Linux would in a shared-ring design, and
 * measure what it delivered: the sample marks per second, the producer's drops, each sample's latency
 * from its stamp to the drain that got it, and the draining thread's CPU time.
 *
 * Latency without messages has no clock fit (nothing bounds the remote counter from both sides), so
 * unless the caller gives the sample's true host time (the sim), it is the latency above the fastest
 * sample's: each stamp is mapped at the ring's counter rate, and the line through the fastest sample of
 * the first and of the last quarter of the run is taken as zero (which removes the counter's drift
 * against the host as well as the offset). It is a lower bound on the true latency's spread, the true
 * minimum unknown; a run too short for two quarters uses the single fastest sample. */
#ifndef RPLAT_RINGSTAT_H
#define RPLAT_RINGSTAT_H

#include <signal.h>
#include <stdint.h>

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
	int relative;            /* latency is above the fastest sample's (no true clock) */
	int ended_early;         /* stopped by a signal or an error before duration_ns */
	struct rplat_hist lat;   /* per sample, ns */
	char err[256];           /* why it ended early after an error ("" otherwise) */
};

/* Run the drain loop on 'r' (attached; what it already holds is discarded first, as stale). Returns 0
 * (with ended_early possibly set by a signal), or -1 if the ring was refused or memory ran out: then
 * s->err says why and what was measured so far is in s, marked ended_early. */
int rplat_ringstat_run(struct rplat_ring_reader *r, const struct rplat_ringstat_opts *o, struct rplat_ringstat *s);

#endif
