/* Glitch analysis: pick the outliers of an analysis and explain each one (internal to tracing/). */
#ifndef RPLAT_GLITCH_H
#define RPLAT_GLITCH_H

#include <stddef.h>

#include "analyze.h"
#include "tev.h"

/* Fill a->out / a->nout / a->over_threshold / a->dominant_count from a->msg. Returns 0 or -1 with err. */
int rplat_glitch_explain(const struct rplat_tev_set *ev, struct rplat_analysis *a, const struct rplat_ana_opts *o,
			 char *err, size_t errlen);

/* What ran on 'cpu' between t0 and t1: tasks, IRQs, softirqs and idle time, largest first, at most max
 * entries. Exposed for the unit tests. */
int rplat_glitch_cpu_activity(const struct rplat_tev_set *ev, int cpu, int64_t t0, int64_t t1,
			      struct rplat_ana_contrib *out, int max);

#endif
