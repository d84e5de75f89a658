/* Raw ftrace events -> struct rplat_tev, driven by the event formats in a tep handle.
 *
 * rplat_tdec_alloc() looks up, once, the id and field offsets of every event rplat knows (sched, irq,
 * ipi, the syscalls it traces, the trace marker, rplat's own uprobes and kprobes); decoding one event is
 * then a table lookup and a few loads, fast enough for the live reader. The same decoder serves the live
 * capture (formats from the local tracefs) and trace.dat files (formats from the file, in the file's
 * byte order). */
#ifndef RPLAT_DECODE_H
#define RPLAT_DECODE_H

#include <stdint.h>

#include "tev.h"

struct tep_handle;
struct rplat_tdec;

/* The uprobe/kprobe group rplat creates its dynamic events in. */
#define RPLAT_TDEC_PROBE_GROUP "rplat"

/* Returns NULL with errno set (ENOMEM). The tep handle must outlive the decoder. */
struct rplat_tdec *rplat_tdec_alloc(struct tep_handle *tep);
void rplat_tdec_free(struct rplat_tdec *d);
/* Decode one event: 'data' and 'size' as in the ring buffer (common fields first). Task and IRQ names
 * seen on the way go into 'names' (may be NULL). Returns 1 when e was filled, 0 for an event rplat does
 * not use (or a trace marker that is not rplat's), -1 for a record too short for its format. */
int rplat_tdec_event(struct rplat_tdec *d, const void *data, int size, int64_t ts, unsigned cpu,
		     struct rplat_tev *e, struct rplat_tev_names *names);
/* How many of rplat's events the formats define (0: nothing to decode). */
int rplat_tdec_known(const struct rplat_tdec *d);

#endif
