/* `rplat check rsc`: the observation ring's CARVEOUT entry (RPLAT_RING_RSC_NAME). See rplat/ring.h.
 *
 * Only the declaration can be checked in a firmware file: the ring's header is written by the firmware
 * at run time (rplat observe validates that, see ring.c). */
#include <string.h>

#include "rplat/findings.h"
#include "rplat/ring.h"
#include "rplat/rsc.h"

enum { RING_SMALL, RING_ALIGN, RING_DUP, RING_DA_ANY, RING_FOUND, RING__COUNT };

static const struct rplat_rule rules[RING__COUNT] = {
	[RING_SMALL] = { "rsc.ring.len", RPLAT_SEV_ERROR, 0,
		"The rplat-ring carveout is smaller than the ring header plus 16 records (640 bytes): the rplat "
		"hooks stay off and rplat observe finds no ring.",
		"Give the carveout at least 640 bytes; 128 + 32 * N for N records (a power of two)." },
	[RING_ALIGN] = { "rsc.ring.align", RPLAT_SEV_ERROR, 0,
		"The rplat-ring carveout is not 8-byte aligned: the hooks refuse it (64-bit stamps would be split "
		"or fault).",
		"Align the ring buffer to 8 bytes (64 is better: the header keeps producer and consumer on their "
		"own cache lines)." },
	[RING_DUP] = { "rsc.ring.duplicate", RPLAT_SEV_WARNING, 0,
		"More than one carveout is named rplat-ring: rplat observe reads the first one only.",
		"Declare one ring." },
	[RING_DA_ANY] = { "rsc.ring.da_any", RPLAT_SEV_INFO, 0,
		"The rplat-ring carveout has da FW_RSC_ADDR_ANY: remoteproc allocates it and writes da/pa back, "
		"so the firmware must take the ring's address from its resource table after boot.",
		"" },
	[RING_FOUND] = { "rsc.ring", RPLAT_SEV_INFO, 0,
		"An rplat observation ring is declared (rplat observe drains it).",
		"" },
};

void rplat_ring_check_rsc(const struct rplat_rsc *rsc, const char *source, struct rplat_findings *out)
{
	size_t i;
	int seen = 0;

	for (i = 0; i < rsc->nentry; i++) {
		const struct rplat_rsc_entry *e = &rsc->entry[i];
		int idx = (int)i;

		if (!e->hdr_ok || !e->complete || e->type != RSC_CARVEOUT || strcmp(e->name, RPLAT_RING_RSC_NAME))
			continue;
		if (seen++) {
			rplat_findings_emit(out, &rules[RING_DUP], -1, source, idx, "carveout.name", "%s", e->name);
			continue;
		}
		rplat_findings_emit(out, &rules[RING_FOUND], -1, source, idx, "carveout", "da 0x%x len %u", e->da,
				    e->len);
		if (e->len < RPLAT_RING_HDR_SIZE + RPLAT_RING_NREC_MIN * RPLAT_RING_REC_SIZE)
			rplat_findings_emit(out, &rules[RING_SMALL], -1, source, idx, "carveout.len", "%u", e->len);
		if (e->da == FW_RSC_ADDR_ANY)
			rplat_findings_emit(out, &rules[RING_DA_ANY], -1, source, idx, "carveout.da", "0x%x", e->da);
		else if (e->da & 7u)
			rplat_findings_emit(out, &rules[RING_ALIGN], -1, source, idx, "carveout.da", "0x%x", e->da);
	}
}
