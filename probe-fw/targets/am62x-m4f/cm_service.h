/* The main-loop step both Cortex-M targets share: attach once the host has set DRIVER_OK (logging the
 * vrings it wrote back to the trace buffer), then serve every pending request. Call it from the
 * doorbell ISR and, until attached, from the periodic tick. */
#ifndef CM_SERVICE_H
#define CM_SERVICE_H

#include "rp_probe.h"
#include "tlog.h"

struct cm_service {
	struct rp_probe *probe;
	volatile struct rplat_rsc_table *rsc;
	struct tlog *log;
	const char *pool;   /* where the vrings must be, for the error line ("the DMA pool", "PSRAM") */
	int attached;
	int bad_table;      /* the error was logged once */
};

void cm_service(struct cm_service *s);

#endif
