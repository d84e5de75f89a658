/* Device-tree checks for remote cores: reserved memory, remoteproc nodes, mailboxes, coherency, and a
 * cross-check against a firmware's resource table.
 *
 * The tree comes from a .dtb file, from memory, or from a live tree directory (/sys/firmware/devicetree/
 * base, where every node is a directory and every property a file); a live tree is flattened into a blob
 * first, so one libfdt-based checker serves all three. Loading only fails when the input cannot be read;
 * a blob that libfdt rejects is reported by rplat_dt_check() as a finding naming the file. */
#ifndef RPLAT_DT_H
#define RPLAT_DT_H

#include <stddef.h>
#include <stdint.h>

#include "rplat/findings.h"
#include "rplat/rsc.h"

#define RPLAT_DT_LIVE_DIR "/sys/firmware/devicetree/base"

struct rplat_dt; /* opaque */

int rplat_dt_load_dtb(const char *path, struct rplat_dt **dtp, char *err, size_t errlen);
/* 'buf' is copied. Returns 0, or -1 with errno ENOMEM. */
int rplat_dt_load_blob(const void *buf, size_t len, const char *name, struct rplat_dt **dtp);
/* A live tree directory. Returns 0, or -1 with a message naming the directory (missing, unreadable). */
int rplat_dt_load_tree(const char *dir, struct rplat_dt **dtp, char *err, size_t errlen);
void rplat_dt_free(struct rplat_dt *dt);
const char *rplat_dt_name(const struct rplat_dt *dt);
/* The flattened blob (for tests and tools). */
const void *rplat_dt_blob(const struct rplat_dt *dt, size_t *len);

/* ---- what the check found in the tree ---- */

#define RPLAT_DT_MAX_REGIONS 64
#define RPLAT_DT_MAX_RPROCS 64
#define RPLAT_DT_MAX_MEM 8
#define RPLAT_DT_MAX_MBOX 4

struct rplat_dt_region {
	char path[160];
	int has_reg;     /* a static region (reg); 0 for a dynamic one (size only) */
	uint64_t base, size;
	int no_map, dma_pool, reusable;
	int dynamic;     /* placed at boot (size, no reg) */
	int in_memory;   /* overlaps a /memory range (System RAM) */
	uint32_t phandle;
	int users;       /* remoteproc nodes that list it */
	int carveout_users; /* ... of which use it as a static carveout, not as their DMA pool */
};

struct rplat_dt_rproc {
	char path[160];
	char compatible[64];
	char firmware[96];       /* firmware-name, "" if none */
	char driver[32];         /* the remoteproc driver that binds it ("ti_k3_m4_remoteproc") */
	int enabled;             /* it and every ancestor available */
	int dma_coherent;        /* dma-coherent on the node or an ancestor */
	int nmem;
	int mem[RPLAT_DT_MAX_MEM]; /* memory-region entries: region index, or -1 when unresolved */
	int pool;                /* region index of its vdev DMA pool, or -1 */
	int nmbox;
	char mbox[RPLAT_DT_MAX_MBOX][160]; /* controller (and sub-node) paths */
};

struct rplat_dt_report {
	size_t nregion;
	struct rplat_dt_region region[RPLAT_DT_MAX_REGIONS];
	size_t nrproc;
	struct rplat_dt_rproc rproc[RPLAT_DT_MAX_RPROCS];
	int chosen;              /* rproc cross-checked against the firmware, or -1 */
	char memmap[32];         /* the target map applied to it ("" when none applied) */
	uint64_t pool_need;      /* bytes the firmware's vdevs take from the chosen pool (0: not computed) */
	uint64_t pool_size;
};

struct rplat_dt_opts {
	const char *node;             /* remoteproc node to cross-check: path or node name; NULL = pick */
	const struct rplat_fw *fw;    /* firmware to cross-check, or NULL */
	const char *memmap;           /* target whose internal memories count as reachable ("am62x-m4f"); NULL:
				       * the map whose compatible is the chosen node's, if there is one. A map
				       * is only applied to a node of its own compatible. */
};

/**
 * rplat_dt_check - check the tree, and cross-check it with a firmware
 * @dt: the tree
 * @o: options
 * @rep: filled with what was found (may be NULL)
 * @out: findings are appended here (the firmware's own, under the DT-derived memory map, included)
 *
 * Returns 0, or -1 if memory ran out.
 */
int rplat_dt_check(const struct rplat_dt *dt, const struct rplat_dt_opts *o, struct rplat_dt_report *rep,
		   struct rplat_findings *out);

/* Every rule rplat_dt_check() can report. */
const struct rplat_rule *rplat_dt_rules(size_t *n);

#endif
