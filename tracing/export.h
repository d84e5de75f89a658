/* Timeline exports of an analysed capture.
 *
 *   perfetto: Chrome Trace Event JSON (ui.perfetto.dev, chrome://tracing): a process "host CPUs" with a
 *             track per CPU (tasks) and per CPU IRQs/softirqs, a process per measuring thread (its
 *             syscalls and one slice per message), a process "remote core" (the remote's dispatch and
 *             processing per message, on correlated time), and one flow per message: kick -> remote ISR
 *             -> read return.
 *   text:     one line per event in time order, with a header line per message giving its stages. */
#ifndef RPLAT_EXPORT_H
#define RPLAT_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "analyze.h"
#include "tev.h"

struct rplat_export_opts {
	int64_t seq_from, seq_to; /* only these messages and the time they span; -1 = all */
};

void rplat_export_opts_init(struct rplat_export_opts *o);
int rplat_export_perfetto(const struct rplat_tev_set *ev, const struct rplat_analysis *a,
			  const struct rplat_export_opts *o, FILE *f);
int rplat_export_text(const struct rplat_tev_set *ev, const struct rplat_analysis *a,
		      const struct rplat_export_opts *o, FILE *f);

#endif
