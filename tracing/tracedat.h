/* trace-cmd trace.dat files (recorded on a target with `trace-cmd record`) read through libtracecmd into
 * the same decoded events as rplat's own captures, so the same analysis and exports apply. */
#ifndef RPLAT_TRACEDAT_H
#define RPLAT_TRACEDAT_H

#include <stddef.h>

#include "tev.h"

/* Read every buffer of FILE (the top one and any instances) into ev, sorted. Task names come from the
 * sched events and the file's saved cmdlines. Returns 0, or -1 with a message naming the file. */
int rplat_tracedat_load(const char *file, struct rplat_tev_set *ev, char *err, size_t errlen);
/* Whether PATH starts with trace-cmd's magic (0x17 0x08 0x44 "tracing"). */
int rplat_tracedat_is(const char *path);

#endif
