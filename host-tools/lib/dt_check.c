/* Device-tree checks: see rplat/dt.h.
 *
 * What the kernel does with these nodes (drivers/of/of_reserved_mem.c, kernel/dma/coherent.c,
 * drivers/remoteproc/ti_k3_m4_remoteproc.c, drivers/mailbox/omap-mailbox.c):
 *   - a shared-dma-pool region becomes a per-device coherent pool; dma_alloc_coherent() takes aligned
 *     power-of-two page runs from it, first fit; that is how vrings, carveouts and RPMsg buffers land;
 *   - the first memory-region of a TI K3 remote core is that pool; the others are firmware memory that
 *     da_to_va() translates 1:1;
 *   - the TI mailbox takes one cell per channel: a phandle to a sub-node holding ti,mbox-rx/tx.
 * libfdt does the parsing; every blob is validated with fdt_check_full() before it is walked. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rplat/dt.h"
#include "rplat/util.h"

#define DT_MAX_FILE (64u << 20)
#define DT_MAX_PROP (1u << 20)
#define DT_MAX_DEPTH 32
#define DT_MAX_MEMORY 16
#define PAGE_4K 4096ull
#define RPMSG_BUF_SIZE 512ull

struct rplat_dt {
	char *name;
	uint8_t *blob;
	size_t len;
};

/* ---- rules ---- */

enum dt_rule {
	D_BLOB,
	D_NO_RESERVED_MEMORY,
	D_CELLS,
	D_REG_MALFORMED,
	D_REG_MULTI,
	D_REGION_DYNAMIC,
	D_REGION_SIZE0,
	D_REGION_OVERLAP,
	D_REGION_OUTSIDE_MEMORY,
	D_TOO_MANY,
	D_NO_RPROC,
	D_RPROC_DISABLED,
	D_RPROC_NO_MEMORY,
	D_PHANDLE_DANGLING,
	D_REGION_NOT_RESERVED,
	D_REGION_SHARED,
	D_DMA_POOL_MISSING,
	D_POOL_MAPPED,
	D_POOL_REUSABLE,
	D_RPROC_NO_MBOX,
	D_MBOXES_MALFORMED,
	D_MBOX_DISABLED,
	D_MBOX_SUBNODE_MISSING,
	D_MBOX_SUBNODE_INCOMPLETE,
	D_NO_FIRMWARE_NAME,
	D_DMA_COHERENT,
	D_NON_COHERENT,
	D_RPROC_NOT_FOUND,
	D_RPROC_AMBIGUOUS,
	D_FW_NAME_MISMATCH,
	D_POOL_TOO_SMALL,
	D_POOL_USAGE,
	D_K3_MEM_COUNT,
	D_RPROC_NO_KICK,
	D_DMA_RANGES_MISSING,
	D_REGION_NO_DA,
	D_NO_VDEV_BUFFER,
	D_MEMMAP_OTHER,
	D__COUNT
};

#define E RPLAT_SEV_ERROR
#define W RPLAT_SEV_WARNING
#define I RPLAT_SEV_INFO

static const struct rplat_rule rules[D__COUNT] = {
	[D_BLOB] = { "dt.blob", E, 0,
		"The blob is not a valid flattened device tree, so nothing in it can be checked.",
		"Compile it again with dtc; check that the file is a .dtb, not a .dts.",
		"unflatten_device_tree() / fdt_check_full()" },
	[D_NO_RESERVED_MEMORY] = { "dt.no_reserved_memory", W, 0,
		"There is an enabled remote core but no /reserved-memory node: no DMA pool and no firmware memory is "
		"set aside, so vrings, buffers and the firmware's DDR sections land wherever the kernel allocates them.",
		"Reserve a no-map shared-dma-pool for the vdev and a no-map region for the firmware (AM62x SK: "
		"m4f-dma-memory@9cb00000 and m4f-memory@9cc00000).",
		"fdt_scan_reserved_mem()" },
	[D_CELLS] = { "dt.cells", E, 0,
		"#address-cells or #size-cells of /reserved-memory is not 1 or 2: reg cannot be decoded.",
		"Use #address-cells = <2> and #size-cells = <2> on arm64.",
		"__reserved_mem_check_root()" },
	[D_REG_MALFORMED] = { "dt.reg_malformed", E, 0,
		"reg is not a whole number of (address, size) cell pairs, or the node has neither reg nor size: "
		"the kernel ignores the region.",
		"Write reg = <addr-cells... size-cells...> with the parent's cell counts.",
		"__reserved_mem_reserve_reg()" },
	[D_REG_MULTI] = { "dt.reg_multi", I, 0,
		"reg has more than one range; the kernel and rplat use the first.",
		"",
		"__reserved_mem_reserve_reg()" },
	[D_REGION_DYNAMIC] = { "dt.region_dynamic", I, 0,
		"The region is placed at boot (size, no reg): its address is unknown until then, so it cannot be "
		"cross-checked.",
		"Give remote-core regions a fixed reg: the firmware is linked against fixed addresses.",
		"__reserved_mem_alloc_size()" },
	[D_REGION_SIZE0] = { "dt.region_size0", W, 0,
		"A reserved region of size 0 reserves nothing.",
		"Set the size in reg.",
		"__reserved_mem_reserve_reg()" },
	[D_REGION_OVERLAP] = { "dt.region_overlap", E, 0,
		"Two reserved regions overlap: the kernel reports it at boot (__rmem_check_for_overlap(): \"OVERLAP "
		"DETECTED!\") and their users (remote cores, DMA pools, CMA) trample each other's memory.",
		"Move or shrink one of them.",
		"__rmem_check_for_overlap()" },
	[D_REGION_OUTSIDE_MEMORY] = { "dt.region_outside_memory", I, 0,
		"The reserved region lies outside every /memory range: it is not DDR but on-chip RAM (SRAM, TCM, "
		"RETRAM) or device memory. The kernel accepts it (early_init_dt_reserve_memory() marks no-map "
		"regions outside memory without complaint) and maps it with ioremap or memremap when a driver uses "
		"it; rplat cannot tell whether RAM is really there.",
		"",
		"early_init_dt_reserve_memory()" },
	[D_TOO_MANY] = { "dt.too_many", I, 0,
		"More nodes of this kind than rplat examines; the rest were skipped.",
		"",
		"-" },
	[D_NO_RPROC] = { "dt.no_rproc", I, 0,
		"No remote-processor node (firmware-name, or memory-region with mboxes, or a known compatible) was "
		"found.",
		"",
		"-" },
	[D_RPROC_DISABLED] = { "dt.rproc_disabled", I, 0,
		"The remote-processor node is disabled: remoteproc never probes it.",
		"Set status = \"okay\" in the board's device tree.",
		"of_device_is_available()" },
	[D_RPROC_NO_MEMORY] = { "dt.rproc_no_memory", I, 0,
		"The STM32 or i.MX core has no memory-region. Their drivers take it as optional and the core boots "
		"from its own RAM (TCM, SRAM), but there is no reserved DMA pool: vrings and buffers, if the "
		"firmware has a vdev, come from the default DMA area, which the core must be able to reach.",
		"For RPMsg, add vdev0buffer, vdev0vring0 and vdev0vring1 regions to memory-region.",
		"stm32_rproc_prepare(), imx_rproc_prepare()" },
	[D_PHANDLE_DANGLING] = { "dt.phandle_dangling", E, 0,
		"A phandle points at no node: the driver's probe fails.",
		"Fix the reference (a label of a node that exists and is enabled).",
		"of_parse_phandle()" },
	[D_REGION_NOT_RESERVED] = { "dt.region_not_reserved", E, 0,
		"memory-region points at a node outside /reserved-memory: of_reserved_mem cannot use it and the "
		"probe fails.",
		"Point memory-region at children of /reserved-memory.",
		"of_reserved_mem_lookup()" },
	[D_REGION_SHARED] = { "dt.region_shared", E, 0,
		"Two remote-processor nodes use the same reserved region, and at least one uses it as a static "
		"carveout (firmware memory that remoteproc loads into or maps): each core loads or writes over the "
		"other's. Sharing a DMA pool is fine: every device on it gets the same allocator "
		"(rmem_dma_device_init()).",
		"Give every core its own firmware region.",
		"rproc_elf_load_segments() (not checked)" },
	[D_DMA_POOL_MISSING] = { "dt.dma_pool_missing", W, 0,
		"The region the driver takes as the vdev DMA pool (TI K3: the first memory-region; STM32 and i.MX: "
		"the one named vdev0buffer) is not a shared-dma-pool: of_reserved_mem_device_init_by_idx() finds no "
		"pool operations and fails. On TI K3 the probe fails; elsewhere the vdev is not added.",
		"Make that region a no-map shared-dma-pool (compatible = \"shared-dma-pool\"; no-map;).",
		"of_reserved_mem_device_init_by_idx()" },
	[D_POOL_MAPPED] = { "dt.pool_mapped", E, 0,
		"The vdev DMA pool lies in System RAM without no-map: dma_init_coherent_memory() maps it with "
		"memremap(MEMREMAP_WC), which refuses System RAM (\"memremap attempted on ram\"), so the pool fails "
		"(\"failed to init DMA memory pool\") and with it the TI K3 probe or the vdev (32-bit ARM refuses "
		"such a pool earlier, in rmem_dma_setup()).",
		"Add no-map to the shared-dma-pool node.",
		"dma_init_coherent_memory() -> memremap()" },
	[D_POOL_REUSABLE] = { "dt.pool_reusable", W, 0,
		"The vdev DMA pool is reusable (a CMA area): its pages are lent to movable allocations until needed, "
		"so allocating vrings can stall or fail, and the remote core may see the kernel's data there "
		"before remoteproc starts it.",
		"Use a dedicated no-map shared-dma-pool without reusable.",
		"rmem_dma_setup() (refuses reusable; CMA takes it)" },
	[D_RPROC_NO_MBOX] = { "dt.rproc_no_mbox", E, 0,
		"The remote-processor node has no mboxes: remoteproc cannot kick the vrings (the K3 drivers fail to "
		"probe without a mailbox channel).",
		"Add mboxes = <&mailbox_cluster &mbox_subnode>.",
		"mbox_request_channel() in the K3 probes" },
	[D_MBOXES_MALFORMED] = { "dt.mboxes_malformed", E, 0,
		"mboxes does not match the controller's #mbox-cells (or the controller has none): the channel "
		"request fails.",
		"Give the controller #mbox-cells and pass that many cells after its phandle.",
		"of_parse_phandle_with_args()" },
	[D_MBOX_DISABLED] = { "dt.mbox_disabled", E, 0,
		"The mailbox controller is disabled: the channel never appears and the remote-processor probe "
		"defers forever.",
		"Enable the mailbox cluster node (status = \"okay\").",
		"of_mbox_index_xlate() (the controller never probes)" },
	[D_MBOX_SUBNODE_MISSING] = { "dt.mbox_subnode_missing", E, 0,
		"The TI mailbox channel cell must be the phandle of a sub-node of that controller (mbox_m4_0 { "
		"ti,mbox-rx; ti,mbox-tx; }); it is not, so no channel is found.",
		"Add the sub-node to the mailbox cluster and reference it in mboxes.",
		"omap_mbox_of_xlate()" },
	[D_MBOX_SUBNODE_INCOMPLETE] = { "dt.mbox_subnode_incomplete", E, 0,
		"The TI mailbox sub-node lacks ti,mbox-rx or ti,mbox-tx (three cells each: fifo, 0, user): the "
		"driver rejects the channel.",
		"AM62x M4F: ti,mbox-rx = <0 0 0>; ti,mbox-tx = <1 0 0>;",
		"omap_mbox_probe()" },
	[D_NO_FIRMWARE_NAME] = { "dt.no_firmware_name", I, 0,
		"No firmware-name: the driver uses its default name, or none (then write one to "
		"/sys/class/remoteproc/*/firmware before starting).",
		"",
		"rproc_alloc() (default name)" },
	[D_DMA_COHERENT] = { "dt.dma_coherent", W, 0,
		"dma-coherent applies to the remote-processor node: Linux skips cache maintenance on vrings and "
		"buffers. That is only right if the interconnect really keeps the remote core coherent; on K3 M4F "
		"and R5F it does not, and stale lines corrupt messages.",
		"Remove dma-coherent unless the SoC manual says the path is coherent; run `rplat check coherency`.",
		"of_dma_is_coherent()" },
	[D_NON_COHERENT] = { "dt.non_coherent", I, 0,
		"Not dma-coherent: Linux maps vrings and buffers uncached. The remote side must map them "
		"non-cacheable too (cores with a data cache: an MPU region), or clean and invalidate around every "
		"access.",
		"",
		"of_dma_is_coherent()" },
	[D_RPROC_NOT_FOUND] = { "dt.rproc_not_found", E, 0,
		"The requested remote-processor node does not exist (or is not a remote processor).",
		"List them with `rplat check dt` without --node.",
		"-" },
	[D_RPROC_AMBIGUOUS] = { "dt.rproc_ambiguous", W, 0,
		"Several remote-processor nodes, and none has a firmware-name matching the firmware file: the "
		"cross-check needs one.",
		"Pass --node PATH.",
		"-" },
	[D_FW_NAME_MISMATCH] = { "dt.fw_name_mismatch", I, 0,
		"The firmware file is not the one the node names; remoteproc loads /lib/firmware/<firmware-name> "
		"unless another name is written to sysfs.",
		"",
		"request_firmware()" },
	[D_POOL_TOO_SMALL] = { "dt.pool_too_small", E, 0,
		"The vdev DMA pool cannot hold what the firmware's table asks for: vrings (PAGE_ALIGN(vring_size)), "
		"carveouts and 512-byte RPMsg buffers (2 * num, at most 512), each taken as an aligned power-of-two "
		"page run, first fit, as dma_alloc_coherent() does. The allocation fails and RPMsg never comes up.",
		"Grow the shared-dma-pool, or lower vring num.",
		"dma_alloc_coherent() from the per-device pool" },
	[D_POOL_USAGE] = { "dt.pool_usage", I, 0,
		"What the firmware's vdevs take from the DMA pool, allocated as the kernel does.",
		"",
		"dma_alloc_coherent() from the per-device pool" },
	[D_K3_MEM_COUNT] = { "dt.k3_memory_regions", E, 0,
		"The TI K3 remoteproc drivers refuse to probe a core with fewer than two memory-regions "
		"(k3_m4_reserved_mem_init(), k3_r5_reserved_mem_init(), k3_dsp_reserved_mem_init(): \"device needs "
		"at least two memory regions to be defined\"): the first is the vdev DMA pool, the others firmware "
		"memory.",
		"memory-region = <&dma_pool &fw_memory>; (AM62x SK: m4f-dma-memory and m4f-memory).",
		"k3_m4/r5/dsp_reserved_mem_init()" },
	[D_RPROC_NO_KICK] = { "dt.rproc_no_kick", W, 0,
		"The core has memory regions for a vdev but no mboxes: stm32_rproc and imx_rproc probe without a "
		"mailbox (\"cannot get vq0 mbox\" is only a warning), but then neither side can kick the vrings and "
		"RPMsg never carries a message.",
		"Add mboxes and mbox-names (STM32: vq0, vq1, shutdown; i.MX: tx, rx).",
		"stm32_rproc_request_mbox(), imx_rproc_xtr_mbox_init()" },
	[D_DMA_RANGES_MISSING] = { "dt.dma_ranges_missing", E, 0,
		"stm32_rproc_of_memory_translations() needs dma-ranges on the core's parent to translate physical "
		"addresses into the M4's view, and refuses the probe without it (\"dma-ranges property not "
		"defined\").",
		"Keep the mlahb bus node's dma-ranges from stm32mp151.dtsi.",
		"stm32_rproc_of_memory_translations()" },
	[D_REGION_NO_DA] = { "dt.region_no_da", E, 0,
		"The region's physical address lies in none of the parent's dma-ranges: stm32_rproc_prepare() cannot "
		"translate it (\"memory region not valid\") and the core does not start.",
		"Place the region in memory the M4 reaches (MCU SRAM, RETRAM or the DDR alias), or extend dma-ranges.",
		"stm32_rproc_prepare() -> stm32_rproc_pa_to_da()" },
	[D_MEMMAP_OTHER] = { "dt.memmap_other", I, 0,
		"No target map describes this node's compatible (or --memmap names another core's): its internal "
		"memories (TCM, SRAM) are not known, so only the tree's reserved regions count as reachable and "
		"segments linked into internal RAM are reported as unreachable.",
		"Pass --memmap for the node's core, or --memmap none.",
		"-" },
	[D_NO_VDEV_BUFFER] = { "dt.no_vdev_buffer", I, 0,
		"No memory-region is named vdev0buffer (the driver goes by node name, not by label or "
		"memory-region-names): the vdev's vrings and buffers come from the default DMA area instead of a "
		"reserved pool, and regions with other names are registered as plain carveouts.",
		"Name the pool node vdev0buffer@ADDR if the firmware expects its buffers there.",
		"rproc_add_virtio_dev() (vdev%dbuffer by name)" },
};

const struct rplat_rule *rplat_dt_rules(size_t *n)
{
	*n = D__COUNT;
	return rules;
}

/* ---- loading ---- */

static struct rplat_dt *dt_new(const char *name, const void *buf, size_t len)
{
	struct rplat_dt *dt = calloc(1, sizeof(*dt));

	if (!dt)
		return NULL;
	dt->name = strdup(name ? name : "");
	dt->blob = malloc(len + 1);
	if (!dt->name || !dt->blob) {
		rplat_dt_free(dt);
		return NULL;
	}
	if (len)
		memcpy(dt->blob, buf, len);
	dt->len = len;
	return dt;
}

void rplat_dt_free(struct rplat_dt *dt)
{
	if (!dt)
		return;
	free(dt->name);
	free(dt->blob);
	free(dt);
}

const char *rplat_dt_name(const struct rplat_dt *dt)
{
	return dt->name;
}

const void *rplat_dt_blob(const struct rplat_dt *dt, size_t *len)
{
	*len = dt->len;
	return dt->blob;
}

int rplat_dt_load_blob(const void *buf, size_t len, const char *name, struct rplat_dt **dtp)
{
	*dtp = dt_new(name, buf, len);
	if (!*dtp) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* What a non-regular file is, for the message that refuses it. */
static const char *file_kind(mode_t m)
{
	return S_ISFIFO(m) ? "a FIFO" : S_ISDIR(m) ? "a directory" : S_ISCHR(m) ? "a character device" :
	       S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "not a file";
}

/* Read a whole file of at most 'max' bytes. Returns a malloc'd buffer, or NULL with a message. */
static uint8_t *read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
	uint8_t *buf = NULL;
	struct stat st;
	size_t got = 0;
	int fd;

	/* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		rplat_fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		rplat_fail(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rplat_fail(err, errlen, "%s: not a regular file (%s): a .dtb is read whole", path,
			   file_kind(st.st_mode));
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		rplat_fail(err, errlen, "%s: too large (%lld bytes, at most %zu)", path, (long long)st.st_size, max);
		goto out;
	}
	/* sysfs files report 4096 whatever they hold: read until EOF, up to max */
	buf = malloc(max < 65536 ? max + 1 : (size_t)st.st_size + 4097);
	if (!buf) {
		rplat_fail(err, errlen, "%s: out of memory", path);
		goto out;
	}
	for (;;) {
		size_t cap = max < 65536 ? max : (size_t)st.st_size + 4096;
		ssize_t n;

		if (got >= cap)
			break;
		n = read(fd, buf + got, cap - got);
		if (n < 0) {
			rplat_fail(err, errlen, "%s: cannot read: %s", path, strerror(errno));
			free(buf);
			buf = NULL;
			goto out;
		}
		if (!n)
			break;
		got += (size_t)n;
	}
	*len = got;
out:
	close(fd);
	return buf;
}

int rplat_dt_load_dtb(const char *path, struct rplat_dt **dtp, char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len = 0;
	int ret = 0;

	*dtp = NULL;
	buf = read_file(path, DT_MAX_FILE, &len, err, errlen);
	if (!buf)
		return -1;
	if (rplat_dt_load_blob(buf, len, path, dtp) < 0)
		ret = rplat_fail(err, errlen, "%s: out of memory", path);
	free(buf);
	return ret;
}

/* Flatten a live-tree directory into an FDT with libfdt's sequential writer. Properties (files) come
 * before sub-nodes (directories), as the format requires; both in name order, so the blob is stable. */
struct flat {
	void *fdt;
	char *err;
	size_t errlen;
	int nospace;
};

static int flat_fdt(struct flat *fl, int ret, const char *what, const char *path)
{
	if (ret == -FDT_ERR_NOSPACE) {
		fl->nospace = 1;
		return -1;
	}
	if (ret < 0)
		return rplat_fail(fl->err, fl->errlen, "%s: %s: %s", path, what, fdt_strerror(ret));
	return 0;
}

static int flat_dir(struct flat *fl, const char *dir, int depth)
{
	struct dirent **ents = NULL;
	int n, i, pass, ret = 0;

	if (depth > DT_MAX_DEPTH)
		return rplat_fail(fl->err, fl->errlen, "%s: nested deeper than %d nodes", dir, DT_MAX_DEPTH);
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return rplat_fail(fl->err, fl->errlen, "%s: cannot read: %s", dir, strerror(errno));
	for (pass = 0; pass < 2 && !ret; pass++) {
		for (i = 0; i < n && !ret; i++) {
			const char *name = ents[i]->d_name;
			char path[4096];
			struct stat st;

			if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
				continue;
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
				ret = rplat_fail(fl->err, fl->errlen, "%s/%s: path too long", dir, name);
				break;
			}
			if (lstat(path, &st) < 0) {
				ret = rplat_fail(fl->err, fl->errlen, "%s: %s", path, strerror(errno));
				break;
			}
			if (pass == 0 && S_ISREG(st.st_mode)) {
				uint8_t *val;
				size_t len = 0;

				if (!strcmp(name, "name")) /* the legacy 'name' property: not part of an FDT */
					continue;
				val = read_file(path, DT_MAX_PROP, &len, fl->err, fl->errlen);
				if (!val) {
					ret = -1;
					break;
				}
				ret = flat_fdt(fl, fdt_property(fl->fdt, name, val, (int)len), "property", path);
				free(val);
			} else if (pass == 1 && S_ISDIR(st.st_mode)) {
				ret = flat_fdt(fl, fdt_begin_node(fl->fdt, name), "node", path);
				if (!ret)
					ret = flat_dir(fl, path, depth + 1);
				if (!ret)
					ret = flat_fdt(fl, fdt_end_node(fl->fdt), "node", path);
			}
		}
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return ret;
}

int rplat_dt_load_tree(const char *dir, struct rplat_dt **dtp, char *err, size_t errlen)
{
	struct flat fl = { NULL, err, errlen, 0 };
	struct stat st;
	size_t size;

	*dtp = NULL;
	if (stat(dir, &st) < 0)
		return rplat_fail(err, errlen, "%s: no device tree here: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return rplat_fail(err, errlen, "%s: not a directory (use --dtb for a blob)", dir);
	for (size = 64 * 1024; size <= DT_MAX_FILE; size *= 2) {
		int ret;

		fl.fdt = malloc(size);
		if (!fl.fdt)
			return rplat_fail(err, errlen, "%s: out of memory", dir);
		fl.nospace = 0;
		ret = flat_fdt(&fl, fdt_create(fl.fdt, (int)size), "create", dir);
		if (!ret)
			ret = flat_fdt(&fl, fdt_finish_reservemap(fl.fdt), "reservemap", dir);
		if (!ret)
			ret = flat_fdt(&fl, fdt_begin_node(fl.fdt, ""), "node", dir);
		if (!ret)
			ret = flat_dir(&fl, dir, 0);
		if (!ret)
			ret = flat_fdt(&fl, fdt_end_node(fl.fdt), "node", dir);
		if (!ret)
			ret = flat_fdt(&fl, fdt_finish(fl.fdt), "finish", dir);
		if (!ret) {
			ret = rplat_dt_load_blob(fl.fdt, fdt_totalsize(fl.fdt), dir, dtp);
			free(fl.fdt);
			return ret < 0 ? rplat_fail(err, errlen, "%s: out of memory", dir) : 0;
		}
		free(fl.fdt);
		if (!fl.nospace)
			return -1;
	}
	return rplat_fail(err, errlen, "%s: the tree is larger than %u bytes", dir, DT_MAX_FILE);
}

/* ---- walking the tree ---- */

struct dctx {
	const void *fdt;
	const char *src;
	const struct rplat_dt_opts *o;
	struct rplat_dt_report *rep;
	struct rplat_findings *out;
	int nomem;
	int too_many_rprocs; /* nodes past RPLAT_DT_MAX_RPROCS (reported once) */
	int active_rprocs;   /* enabled remote cores that use memory and mailboxes (not PRUs) */
};

static void emit(struct dctx *c, enum dt_rule r, int sev, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void emit(struct dctx *c, enum dt_rule r, int sev, const char *field, const char *fmt, ...)
{
	char value[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	rplat_findings_emit(c->out, &rules[r], sev, c->src, -1, field, "%s", value);
}

static uint32_t be32_at(const void *p, int i)
{
	const uint8_t *b = (const uint8_t *)p + 4 * i;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint64_t cells_at(const void *p, int i, int n)
{
	uint64_t v = 0;
	int k;

	for (k = 0; k < n; k++)
		v = (v << 32) | be32_at(p, i + k);
	return v;
}

static void node_path(struct dctx *c, int node, char *buf, size_t len)
{
	if (fdt_get_path(c->fdt, node, buf, (int)len) < 0)
		snprintf(buf, len, "%s", fdt_get_name(c->fdt, node, NULL) ? fdt_get_name(c->fdt, node, NULL) : "?");
}

static void field_of(char *buf, size_t len, const char *path, const char *prop)
{
	snprintf(buf, len, "%s:%s", path, prop);
}

static int node_enabled(const void *fdt, int node)
{
	int len;
	const char *s = fdt_getprop(fdt, node, "status", &len);

	if (!s || len <= 0)
		return 1;
	return !strncmp(s, "okay", (size_t)len) || !strncmp(s, "ok", (size_t)len);
}

static int prop_has_string(const void *fdt, int node, const char *prop, const char *str)
{
	int len;
	const char *s = fdt_getprop(fdt, node, prop, &len);

	return s && len > 0 && fdt_stringlist_contains(s, len, str);
}

/* First string of a property, copied and NUL-terminated. */
static void prop_string(const void *fdt, int node, const char *prop, char *buf, size_t size)
{
	int len;
	const char *s = fdt_getprop(fdt, node, prop, &len);
	size_t n;

	buf[0] = '\0';
	if (!s || len <= 0)
		return;
	n = strnlen(s, (size_t)len);
	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

static int region_by_phandle(const struct rplat_dt_report *rep, uint32_t ph)
{
	size_t i;

	for (i = 0; i < rep->nregion; i++)
		if (rep->region[i].phandle == ph)
			return (int)i;
	return -1;
}

static int range_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	uint64_t aend = a + alen < a ? UINT64_MAX : a + alen;
	uint64_t bend = b + blen < b ? UINT64_MAX : b + blen;

	return a < bend && b < aend;
}

static int range_in(uint64_t start, uint64_t size, uint64_t x, uint64_t len)
{
	return x >= start && x - start <= size && len <= size - (x - start);
}

/* /reserved-memory and /memory */
static void scan_regions(struct dctx *c)
{
	struct rplat_dt_report *rep = c->rep;
	uint64_t mem[DT_MAX_MEMORY][2];
	int rm, node, ac, sc, nmem = 0, rac, rsc;
	size_t i, j;
	char path[160], field[200];

	rm = fdt_path_offset(c->fdt, "/reserved-memory");
	if (rm < 0)
		return; /* reported by scan_rprocs() when a remote core needs it */
	ac = fdt_address_cells(c->fdt, rm);
	sc = fdt_size_cells(c->fdt, rm);
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2) {
		emit(c, D_CELLS, -1, "/reserved-memory:#address-cells", "%d, #size-cells %d", ac, sc);
		return;
	}
	fdt_for_each_subnode(node, c->fdt, rm) {
		struct rplat_dt_region *r;
		const void *reg;
		int len;

		if (rep->nregion == RPLAT_DT_MAX_REGIONS) {
			emit(c, D_TOO_MANY, -1, "/reserved-memory", "more than %d regions", RPLAT_DT_MAX_REGIONS);
			break;
		}
		r = &rep->region[rep->nregion++];
		memset(r, 0, sizeof(*r));
		node_path(c, node, r->path, sizeof(r->path));
		r->phandle = fdt_get_phandle(c->fdt, node);
		r->no_map = fdt_getprop(c->fdt, node, "no-map", NULL) != NULL;
		r->reusable = fdt_getprop(c->fdt, node, "reusable", NULL) != NULL;
		r->dma_pool = prop_has_string(c->fdt, node, "compatible", "shared-dma-pool");
		reg = fdt_getprop(c->fdt, node, "reg", &len);
		field_of(field, sizeof(field), r->path, "reg");
		if (reg) {
			int pair = (ac + sc) * 4;

			if (len < pair || len % pair) {
				emit(c, D_REG_MALFORMED, -1, field, "%d bytes (pairs of %d)", len, pair);
				continue;
			}
			r->has_reg = 1;
			r->base = cells_at(reg, 0, ac);
			r->size = cells_at(reg, ac, sc);
			if (len > pair)
				emit(c, D_REG_MULTI, -1, field, "%d ranges", len / pair);
			if (!r->size)
				emit(c, D_REGION_SIZE0, -1, field, "base 0x%llx size 0", (unsigned long long)r->base);
		} else if (fdt_getprop(c->fdt, node, "size", NULL)) {
			r->dynamic = 1; /* reported by scan_rprocs() when a remote core uses it */
		} else {
			emit(c, D_REG_MALFORMED, -1, field, "missing (and no size)");
		}
	}
	/* overlaps between static regions: few regions, pairwise is fine */
	for (i = 0; i < rep->nregion; i++)
		for (j = i + 1; j < rep->nregion; j++) {
			const struct rplat_dt_region *a = &rep->region[i], *b = &rep->region[j];

			if (!a->has_reg || !b->has_reg || !a->size || !b->size)
				continue;
			if (!range_overlap(a->base, a->size, b->base, b->size))
				continue;
			field_of(field, sizeof(field), b->path, "reg");
			emit(c, D_REGION_OVERLAP, -1, field, "0x%llx+0x%llx overlaps %s (0x%llx+0x%llx)",
			     (unsigned long long)b->base, (unsigned long long)b->size, a->path,
			     (unsigned long long)a->base, (unsigned long long)a->size);
		}

	/* /memory ranges, with the root's cell counts */
	rac = fdt_address_cells(c->fdt, 0);
	rsc = fdt_size_cells(c->fdt, 0);
	if (rac < 1 || rac > 2 || rsc < 1 || rsc > 2)
		return;
	fdt_for_each_subnode(node, c->fdt, 0) {
		const char *name = fdt_get_name(c->fdt, node, NULL);
		const void *reg;
		int len, k, pair = (rac + rsc) * 4;

		if (!prop_has_string(c->fdt, node, "device_type", "memory") && !(name && !strncmp(name, "memory@", 7)))
			continue;
		reg = fdt_getprop(c->fdt, node, "reg", &len);
		if (!reg || len < pair)
			continue;
		for (k = 0; k + pair <= len && nmem < DT_MAX_MEMORY; k += pair) {
			mem[nmem][0] = cells_at(reg, k / 4, rac);
			mem[nmem][1] = cells_at(reg, k / 4 + rac, rsc);
			nmem++;
		}
	}
	if (!nmem) {
		/* no /memory node: the boot loader fills it in; take every region for System RAM */
		for (i = 0; i < rep->nregion; i++)
			rep->region[i].in_memory = 1;
		return;
	}
	for (i = 0; i < rep->nregion; i++) {
		const struct rplat_dt_region *r = &rep->region[i];
		int k, inside = 0;

		if (!r->has_reg || !r->size)
			continue;
		for (k = 0; k < nmem; k++) {
			inside |= range_in(mem[k][0], mem[k][1], r->base, r->size);
			rep->region[i].in_memory |= range_overlap(mem[k][0], mem[k][1], r->base, r->size);
		}
		if (inside)
			continue;
		snprintf(path, sizeof(path), "%s", r->path);
		field_of(field, sizeof(field), path, "reg");
		emit(c, D_REGION_OUTSIDE_MEMORY, -1, field, "0x%llx+0x%llx", (unsigned long long)r->base,
		     (unsigned long long)r->size);
	}
}

/* Remote cores are the nodes the remoteproc drivers of Linux 6.12 bind to: the compatibles of their
 * of_match tables (drivers/remoteproc/ *.c), and the R5F cores, which are the available children of a
 * node matched by k3_r5_of_match (k3_r5_cluster_of_init()). Nodes with a firmware-name that no remoteproc
 * driver binds (an audio EASRC, a GPU) are not remote cores. What a node needs depends on its driver
 * family:
 *   - TI K3 M4F, R5F and DSP (ti_k3_m4/r5/dsp_remoteproc.c): at least two memory-regions, the first a
 *     shared-dma-pool for the vdevs (k3_*_reserved_mem_init() refuses the probe otherwise), and a mailbox
 *     channel (mbox_request_channel() in the probe);
 *   - TI PRU, RTU and TX_PRU (pru_rproc.c): neither memory-region nor mailbox (interrupts go through the
 *     PRUSS INTC), so nothing here applies;
 *   - STM32MP1 M4 (stm32_rproc.c) and i.MX M4/M7/M33 (imx_rproc.c): memory-region and mailboxes are
 *     optional; regions are told apart by node name: vdev0buffer is the vdev DMA pool, vdevNvringM the
 *     fixed vrings, rsc-table (i.MX) the table; every other one is registered as a carveout. STM32
 *     translates each region through the parent's dma-ranges (stm32_rproc_of_memory_translations()
 *     refuses the probe without one, stm32_rproc_prepare() refuses a region outside them). */
enum rproc_family { F_K3, F_PRU, F_STM32, F_IMX, F_OTHER };

static const struct rproc_driver {
	const char *compatible;
	enum rproc_family family;
	const char *driver;
} rproc_drivers[] = {
	{ "ti,am64-m4fss", F_K3, "ti_k3_m4_remoteproc" },
	{ "ti,j721e-c66-dsp", F_K3, "ti_k3_dsp_remoteproc" },
	{ "ti,j721e-c71-dsp", F_K3, "ti_k3_dsp_remoteproc" },
	{ "ti,j721s2-c71-dsp", F_K3, "ti_k3_dsp_remoteproc" },
	{ "ti,am62a-c7xv-dsp", F_K3, "ti_k3_dsp_remoteproc" },
	{ "ti,am3356-pru", F_PRU, "pru_rproc" },     { "ti,am4376-pru", F_PRU, "pru_rproc" },
	{ "ti,am5728-pru", F_PRU, "pru_rproc" },     { "ti,am642-pru", F_PRU, "pru_rproc" },
	{ "ti,am642-rtu", F_PRU, "pru_rproc" },      { "ti,am642-tx-pru", F_PRU, "pru_rproc" },
	{ "ti,k2g-pru", F_PRU, "pru_rproc" },        { "ti,am654-pru", F_PRU, "pru_rproc" },
	{ "ti,am654-rtu", F_PRU, "pru_rproc" },      { "ti,am654-tx-pru", F_PRU, "pru_rproc" },
	{ "ti,j721e-pru", F_PRU, "pru_rproc" },      { "ti,j721e-rtu", F_PRU, "pru_rproc" },
	{ "ti,j721e-tx-pru", F_PRU, "pru_rproc" },   { "ti,am625-pru", F_PRU, "pru_rproc" },
	{ "st,stm32mp1-m4", F_STM32, "stm32_rproc" },
	{ "fsl,imx7ulp-cm4", F_IMX, "imx_rproc" },   { "fsl,imx7d-cm4", F_IMX, "imx_rproc" },
	{ "fsl,imx6sx-cm4", F_IMX, "imx_rproc" },    { "fsl,imx8mq-cm4", F_IMX, "imx_rproc" },
	{ "fsl,imx8mm-cm4", F_IMX, "imx_rproc" },    { "fsl,imx8mn-cm7", F_IMX, "imx_rproc" },
	{ "fsl,imx8mp-cm7", F_IMX, "imx_rproc" },    { "fsl,imx8mn-cm7-mmio", F_IMX, "imx_rproc" },
	{ "fsl,imx8mp-cm7-mmio", F_IMX, "imx_rproc" }, { "fsl,imx8qxp-cm4", F_IMX, "imx_rproc" },
	{ "fsl,imx8qm-cm4", F_IMX, "imx_rproc" },    { "fsl,imx8ulp-cm33", F_IMX, "imx_rproc" },
	{ "fsl,imx93-cm33", F_IMX, "imx_rproc" },
	{ "fsl,imx8qxp-hifi4", F_OTHER, "imx_dsp_rproc" }, { "fsl,imx8qm-hifi4", F_OTHER, "imx_dsp_rproc" },
	{ "fsl,imx8mp-hifi4", F_OTHER, "imx_dsp_rproc" }, { "fsl,imx8ulp-hifi4", F_OTHER, "imx_dsp_rproc" },
	{ "ti,da850-dsp", F_OTHER, "da8xx_remoteproc" },
	{ "ti,k2hk-dsp", F_OTHER, "keystone_remoteproc" }, { "ti,k2l-dsp", F_OTHER, "keystone_remoteproc" },
	{ "ti,k2e-dsp", F_OTHER, "keystone_remoteproc" }, { "ti,k2g-dsp", F_OTHER, "keystone_remoteproc" },
	{ "ti,omap4-dsp", F_OTHER, "omap_remoteproc" }, { "ti,omap4-ipu", F_OTHER, "omap_remoteproc" },
	{ "ti,omap5-dsp", F_OTHER, "omap_remoteproc" }, { "ti,omap5-ipu", F_OTHER, "omap_remoteproc" },
	{ "ti,dra7-dsp", F_OTHER, "omap_remoteproc" },  { "ti,dra7-ipu", F_OTHER, "omap_remoteproc" },
	{ "ti,am3352-wkup-m3", F_OTHER, "wkup_m3_rproc" }, { "ti,am4372-wkup-m3", F_OTHER, "wkup_m3_rproc" },
	{ "renesas,rcar-cr7", F_OTHER, "rcar_rproc" },
	{ "xlnx,zynqmp-r5f", F_OTHER, "xlnx_r5_remoteproc" }, { "xlnx,versal-r5f", F_OTHER, "xlnx_r5_remoteproc" },
	{ "st,st231-rproc", F_OTHER, "st_remoteproc" }, { "st,st40-rproc", F_OTHER, "st_remoteproc" },
	{ "mediatek,mt8183-scp", F_OTHER, "mtk_scp" },  { "mediatek,mt8192-scp", F_OTHER, "mtk_scp" },
	{ "mediatek,mt8195-scp", F_OTHER, "mtk_scp" },
	/* rplat's virtual board (host-tools/vboard/kmod/rproc_ivshmem.c, out of tree): a PCI driver, bound by
	 * the PCI ID of QEMU's ivshmem-doorbell; the device's node (the PCI bus binding's "pciVVVV,DDDD") gives
	 * it its memory-regions, the vdev pool first */
	{ "pci1af4,1110", F_OTHER, "rproc_ivshmem" },
};

/* k3_r5_of_match: the R5F cores are the cluster's available children */
static const char *const k3_r5_clusters[] = {
	"ti,am654-r5fss", "ti,j721e-r5fss", "ti,j7200-r5fss", "ti,am64-r5fss", "ti,am62-r5fss", "ti,j721s2-r5fss",
};

/* The driver that binds the node, or NULL when it is no remote core. */
static const struct rproc_driver *rproc_driver_of(const void *fdt, int node)
{
	static const struct rproc_driver k3_r5 = { "ti,*-r5fss child", F_K3, "ti_k3_r5_remoteproc" };
	int parent;
	size_t i;

	if (!fdt_getprop(fdt, node, "compatible", NULL))
		return NULL;
	for (i = 0; i < sizeof(rproc_drivers) / sizeof(rproc_drivers[0]); i++)
		if (prop_has_string(fdt, node, "compatible", rproc_drivers[i].compatible))
			return &rproc_drivers[i];
	parent = fdt_parent_offset(fdt, node);
	if (parent >= 0)
		for (i = 0; i < sizeof(k3_r5_clusters) / sizeof(k3_r5_clusters[0]); i++)
			if (prop_has_string(fdt, parent, "compatible", k3_r5_clusters[i]))
				return &k3_r5;
	return NULL;
}

/* A node is available when it and every ancestor are (of_device_is_available(): a child of a disabled
 * bus or cluster is never populated). */
static int node_available(const void *fdt, int node)
{
	int depth = 0;

	while (node > 0 && depth++ < DT_MAX_DEPTH) {
		if (!node_enabled(fdt, node))
			return 0;
		node = fdt_parent_offset(fdt, node);
	}
	return 1;
}

static int is_ti_mailbox(const void *fdt, int node)
{
	int len;
	const char *s = fdt_getprop(fdt, node, "compatible", &len);

	return s && len > 0 && !strncmp(s, "ti,", 3) && strstr(s, "mailbox");
}

static void scan_mboxes(struct dctx *c, int node, struct rplat_dt_rproc *rp, enum rproc_family fam)
{
	const void *prop;
	char field[200], cpath[160];
	int len, i = 0, ncells;

	prop = fdt_getprop(c->fdt, node, "mboxes", &len);
	field_of(field, sizeof(field), rp->path, "mboxes");
	if (!prop) {
		if (fam == F_K3)
			emit(c, D_RPROC_NO_MBOX, -1, field, "missing");
		else if ((fam == F_STM32 || fam == F_IMX) && rp->nmem)
			emit(c, D_RPROC_NO_KICK, -1, field, "missing");
		return;
	}
	if (len <= 0 || len % 4) {
		emit(c, D_MBOXES_MALFORMED, -1, field, "%d bytes", len);
		return;
	}
	while (i < len / 4) {
		uint32_t ph = be32_at(prop, i);
		const void *cells;
		int ctrl, clen;

		ctrl = fdt_node_offset_by_phandle(c->fdt, ph);
		if (ctrl < 0) {
			emit(c, D_PHANDLE_DANGLING, -1, field, "cell %d: phandle 0x%x", i, ph);
			return;
		}
		node_path(c, ctrl, cpath, sizeof(cpath));
		cells = fdt_getprop(c->fdt, ctrl, "#mbox-cells", &clen);
		if (!cells || clen != 4) {
			emit(c, D_MBOXES_MALFORMED, -1, field, "controller %s has no #mbox-cells", cpath);
			return;
		}
		/* a hostile #mbox-cells (0xffffffff) must not walk backwards */
		if (be32_at(cells, 0) > 8 || i + 1 + (int)be32_at(cells, 0) > len / 4) {
			emit(c, D_MBOXES_MALFORMED, -1, field, "controller %s takes %u cells, %d left", cpath,
			     be32_at(cells, 0), len / 4 - i - 1);
			return;
		}
		ncells = (int)be32_at(cells, 0);
		if (!node_available(c->fdt, ctrl))
			emit(c, D_MBOX_DISABLED, -1, field, "%s", cpath);
		if (rp->nmbox < RPLAT_DT_MAX_MBOX)
			snprintf(rp->mbox[rp->nmbox], sizeof(rp->mbox[0]), "%s", cpath);
		if (is_ti_mailbox(c->fdt, ctrl) && ncells == 1) {
			int sub = fdt_node_offset_by_phandle(c->fdt, be32_at(prop, i + 1));
			char spath[160];
			int rx, tx;

			if (sub < 0 || fdt_parent_offset(c->fdt, sub) != ctrl) {
				emit(c, D_MBOX_SUBNODE_MISSING, -1, field, "phandle 0x%x is not a sub-node of %s",
				     be32_at(prop, i + 1), cpath);
			} else {
				node_path(c, sub, spath, sizeof(spath));
				if (rp->nmbox < RPLAT_DT_MAX_MBOX)
					snprintf(rp->mbox[rp->nmbox], sizeof(rp->mbox[0]), "%s", spath);
				if (!fdt_getprop(c->fdt, sub, "ti,mbox-rx", &rx) || rx != 12 ||
				    !fdt_getprop(c->fdt, sub, "ti,mbox-tx", &tx) || tx != 12)
					emit(c, D_MBOX_SUBNODE_INCOMPLETE, -1, field, "%s", spath);
			}
		}
		if (rp->nmbox < RPLAT_DT_MAX_MBOX)
			rp->nmbox++;
		i += 1 + ncells;
	}
}

static int has_dma_coherent(const void *fdt, int node)
{
	int depth = 0;

	while (node >= 0 && depth++ < DT_MAX_DEPTH) {
		if (fdt_getprop(fdt, node, "dma-coherent", NULL))
			return 1;
		node = fdt_parent_offset(fdt, node);
	}
	return 0;
}

/* The node name without its unit address, as the kernel's of_node name (it.node->name). */
static void region_node_name(const char *path, char *buf, size_t len)
{
	const char *b = strrchr(path, '/');

	b = b ? b + 1 : path;
	snprintf(buf, len, "%.*s", (int)strcspn(b, "@"), b);
}

/* STM32: the parent's dma-ranges, (dev_addr, bus_addr, size) triplets of one cell each, as
 * stm32_rproc_of_memory_translations() reads them. Returns the number of ranges, 0 if none. */
static int stm32_ranges(struct dctx *c, int node, uint32_t r[][3], int max)
{
	int parent = fdt_parent_offset(c->fdt, node), len, n, i;
	const void *p;

	if (parent < 0)
		return 0;
	p = fdt_getprop(c->fdt, parent, "dma-ranges", &len);
	if (!p || len < 12)
		return 0;
	n = len / 12;
	if (n > max)
		n = max;
	for (i = 0; i < n; i++) {
		r[i][0] = be32_at(p, 3 * i);
		r[i][1] = be32_at(p, 3 * i + 1);
		r[i][2] = be32_at(p, 3 * i + 2);
	}
	return n;
}

/* stm32_rproc_pa_to_da(): the first range holding pa. Returns 0 and sets *da, or -1. */
static int stm32_pa_to_da(uint32_t r[][3], int n, uint64_t pa, uint64_t *da)
{
	int i;

	for (i = 0; i < n; i++)
		if (pa >= r[i][1] && pa < (uint64_t)r[i][1] + r[i][2]) {
			*da = pa - r[i][1] + r[i][0];
			return 0;
		}
	return -1;
}

static void scan_rproc(struct dctx *c, int node, int rm, const struct rproc_driver *drv)
{
	struct rplat_dt_report *rep = c->rep;
	struct rplat_dt_rproc *rp;
	const void *mr;
	char field[200], name[64];
	uint32_t ranges[8][3];
	int len, i, n, nranges = 0;

	if (rep->nrproc == RPLAT_DT_MAX_RPROCS) {
		if (!c->too_many_rprocs++)
			emit(c, D_TOO_MANY, -1, "remote-processor nodes", "more than %d; the rest are not checked",
			     RPLAT_DT_MAX_RPROCS);
		return;
	}
	rp = &rep->rproc[rep->nrproc++];
	memset(rp, 0, sizeof(*rp));
	rp->pool = -1;
	node_path(c, node, rp->path, sizeof(rp->path));
	prop_string(c->fdt, node, "compatible", rp->compatible, sizeof(rp->compatible));
	prop_string(c->fdt, node, "firmware-name", rp->firmware, sizeof(rp->firmware));
	snprintf(rp->driver, sizeof(rp->driver), "%s", drv->driver);
	rp->enabled = node_available(c->fdt, node);
	rp->dma_coherent = has_dma_coherent(c->fdt, node);
	if (!rp->enabled) {
		emit(c, D_RPROC_DISABLED, -1, rp->path, node_enabled(c->fdt, node) ? "a parent is disabled" :
		     "status disabled");
		return;
	}
	if (drv->family == F_PRU)
		return; /* the PRUSS INTC and the PRU's own RAMs: nothing of this check applies */
	c->active_rprocs++;
	if (!rp->firmware[0])
		emit(c, D_NO_FIRMWARE_NAME, -1, rp->path, "%s", rp->compatible);
	field_of(field, sizeof(field), rp->path, "dma-coherent");
	if (rp->dma_coherent)
		emit(c, D_DMA_COHERENT, -1, field, "present");
	else
		emit(c, D_NON_COHERENT, -1, field, "absent");
	if (drv->family == F_STM32) {
		nranges = stm32_ranges(c, node, ranges, 8);
		if (!nranges)
			emit(c, D_DMA_RANGES_MISSING, -1, rp->path, "the parent has no dma-ranges");
	}

	mr = fdt_getprop(c->fdt, node, "memory-region", &len);
	field_of(field, sizeof(field), rp->path, "memory-region");
	if (!mr || len <= 0) {
		if (drv->family == F_K3)
			emit(c, D_K3_MEM_COUNT, -1, field, "missing (%s needs two or more)", drv->driver);
		else if (drv->family != F_OTHER)
			emit(c, D_RPROC_NO_MEMORY, -1, field, "missing");
	} else if (len % 4) {
		emit(c, D_PHANDLE_DANGLING, -1, field, "%d bytes (not whole phandles)", len);
	} else {
		n = len / 4;
		if (drv->family == F_K3 && n < 2)
			emit(c, D_K3_MEM_COUNT, -1, field, "%d region (%s needs two or more)", n, drv->driver);
		for (i = 0; i < n; i++) {
			uint32_t ph = be32_at(mr, i);
			int target = fdt_node_offset_by_phandle(c->fdt, ph);
			int ri;

			if (target < 0) {
				emit(c, D_PHANDLE_DANGLING, -1, field, "entry %d: phandle 0x%x", i, ph);
				ri = -1;
			} else if (rm < 0 || fdt_parent_offset(c->fdt, target) != rm) {
				char tpath[160];

				node_path(c, target, tpath, sizeof(tpath));
				emit(c, D_REGION_NOT_RESERVED, -1, field, "entry %d: %s", i, tpath);
				ri = -1;
			} else {
				ri = region_by_phandle(rep, ph);
			}
			if (rp->nmem < RPLAT_DT_MAX_MEM)
				rp->mem[rp->nmem++] = ri;
			if (ri < 0)
				continue;
			rep->region[ri].users++;
			region_node_name(rep->region[ri].path, name, sizeof(name));
			if (drv->family == F_K3 && i == 0)
				rp->pool = ri; /* of_reserved_mem_device_init_by_idx(dev, np, 0) */
			else if ((drv->family == F_STM32 || drv->family == F_IMX) && !strcmp(name, "vdev0buffer"))
				rp->pool = ri; /* rproc_add_virtio_dev(): the carveout named vdev0buffer */
			else if (drv->family == F_OTHER && i == 0 && rep->region[ri].dma_pool)
				rp->pool = ri;
			/* a static carveout: K3 firmware memory (index 1 on, whatever its compatible: the
			 * driver ioremaps it), or any region that is no DMA pool */
			if ((drv->family == F_K3 && i > 0) || !rep->region[ri].dma_pool)
				rep->region[ri].carveout_users++;
			if (drv->family == F_STM32 && nranges && rep->region[ri].has_reg) {
				uint64_t da;

				if (stm32_pa_to_da(ranges, nranges, rep->region[ri].base, &da) < 0)
					emit(c, D_REGION_NO_DA, -1, field, "entry %d: %s at 0x%llx is in no dma-ranges", i,
					     rep->region[ri].path, (unsigned long long)rep->region[ri].base);
			}
		}
		if (rp->pool < 0) {
			if (drv->family == F_K3)
				emit(c, D_DMA_POOL_MISSING, E, field, "%d regions, none found", n);
			else if (drv->family == F_STM32 || drv->family == F_IMX)
				emit(c, D_NO_VDEV_BUFFER, -1, field, "%d regions, none named vdev0buffer", n);
		} else {
			const struct rplat_dt_region *p = &rep->region[rp->pool];

			if (!p->dma_pool) {
				field_of(field, sizeof(field), p->path, "compatible");
				emit(c, D_DMA_POOL_MISSING, drv->family == F_K3 ? E : W, field,
				     "not shared-dma-pool (%s uses it as the vdev DMA pool)", drv->driver);
			} else if (p->reusable) {
				field_of(field, sizeof(field), p->path, "reusable");
				emit(c, D_POOL_REUSABLE, -1, field, "present");
			} else if (!p->no_map && p->in_memory) {
				field_of(field, sizeof(field), p->path, "no-map");
				emit(c, D_POOL_MAPPED, -1, field, "absent (the region is System RAM)");
			}
		}
	}
	scan_mboxes(c, node, rp, drv->family);
}

static void scan_rprocs(struct dctx *c)
{
	struct rplat_dt_report *rep = c->rep;
	int node, depth = 0, rm;
	size_t i;

	rm = fdt_path_offset(c->fdt, "/reserved-memory");
	for (node = fdt_next_node(c->fdt, -1, &depth); node >= 0; node = fdt_next_node(c->fdt, node, &depth)) {
		const struct rproc_driver *drv;

		if (depth > 0 && (drv = rproc_driver_of(c->fdt, node)) != NULL)
			scan_rproc(c, node, rm, drv);
	}
	if (!rep->nrproc)
		emit(c, D_NO_RPROC, -1, "/", "none");
	if (c->active_rprocs && rm < 0)
		emit(c, D_NO_RESERVED_MEMORY, -1, "/reserved-memory", "missing");
	for (i = 0; i < rep->nregion; i++) {
		const struct rplat_dt_region *r = &rep->region[i];
		char field[200];

		field_of(field, sizeof(field), r->path, "reg");
		if (r->users && !r->has_reg && r->dynamic)
			emit(c, D_REGION_DYNAMIC, -1, field, "none (size only)");
		/* every device on a pool gets the same allocator (rmem_dma_device_init()): sharing a pool is
		 * fine; sharing a static carveout (loaded into, mapped by each user) is not */
		if (r->users < 2 || !r->carveout_users)
			continue;
		field_of(field, sizeof(field), r->path, "phandle");
		emit(c, D_REGION_SHARED, -1, field, "used by %d remote-processor nodes", r->users);
	}
}

/* ---- the firmware cross-check ---- */

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static int pick_rproc(struct dctx *c)
{
	struct rplat_dt_report *rep = c->rep;
	const char *fwname = c->o->fw ? base_name(rplat_fw_name(c->o->fw)) : NULL;
	int i, only = -1, enabled = 0;

	if (c->o->node) {
		for (i = 0; i < (int)rep->nrproc; i++) {
			const char *p = rep->rproc[i].path, *b = base_name(p);
			size_t bl = strcspn(b, "@");

			if (!strcmp(p, c->o->node) || !strcmp(b, c->o->node) ||
			    (strlen(c->o->node) == bl && !strncmp(b, c->o->node, bl)))
				return i;
		}
		emit(c, D_RPROC_NOT_FOUND, -1, "--node", "%s", c->o->node);
		return -1;
	}
	for (i = 0; i < (int)rep->nrproc; i++)
		if (rep->rproc[i].enabled) {
			enabled++;
			only = i;
		}
	if (enabled == 1)
		return only;
	if (!fwname || !enabled)
		return -1;
	for (i = 0; i < (int)rep->nrproc; i++)
		if (rep->rproc[i].enabled && !strcmp(rep->rproc[i].firmware, fwname))
			return i;
	emit(c, D_RPROC_AMBIGUOUS, -1, "--node", "%d enabled nodes, none named %s", enabled, fwname);
	return -1;
}

/* dma_alloc_coherent() from a per-device pool: an aligned power-of-two run of pages, first fit. */
#define POOL_MAX_ALLOCS 256
struct pool {
	uint64_t size;
	uint64_t start[POOL_MAX_ALLOCS], len[POOL_MAX_ALLOCS];
	int n;
	uint64_t high;   /* highest end so far */
	int failed;
	char fail[128];
};

static void pool_alloc(struct pool *p, uint64_t bytes, const char *what)
{
	uint64_t run = PAGE_4K, pos = 0;
	int k, hit;

	if (p->failed || !bytes)
		return;
	if (p->n == POOL_MAX_ALLOCS) {
		p->failed = 1;
		snprintf(p->fail, sizeof(p->fail), "more than %d allocations", POOL_MAX_ALLOCS);
		return;
	}
	while (run < bytes && run < (1ull << 62))
		run <<= 1;
	for (;;) {
		if (run > p->size || pos > p->size - run) {
			p->failed = 1;
			snprintf(p->fail, sizeof(p->fail), "%s (%llu bytes) does not fit", what,
				 (unsigned long long)run);
			return;
		}
		for (hit = -1, k = 0; k < p->n && hit < 0; k++)
			if (range_overlap(pos, run, p->start[k], p->len[k]))
				hit = k;
		if (hit < 0)
			break;
		pos = (p->start[hit] + p->len[hit] + run - 1) / run * run;
	}
	p->start[p->n] = pos;
	p->len[p->n] = run;
	p->n++;
	if (pos + run > p->high)
		p->high = pos + run;
}

static void check_pool(struct dctx *c, const struct rplat_dt_rproc *rp)
{
	const struct rplat_rsc *t = rplat_fw_rsc(c->o->fw);
	const struct rplat_dt_region *r;
	struct pool *p;
	char field[200], what[48];
	uint64_t vrings = 0, bufs = 0, carve = 0;
	size_t i;
	unsigned j;

	if (!t || rp->pool < 0 || !c->rep->region[rp->pool].has_reg)
		return;
	r = &c->rep->region[rp->pool];
	p = calloc(1, sizeof(*p));
	if (!p) {
		c->nomem = 1;
		return;
	}
	p->size = r->size;
	/* carveouts and vrings in table order (remoteproc registers and allocates them in that order) ... */
	for (i = 0; i < t->nentry; i++) {
		const struct rplat_rsc_entry *e = &t->entry[i];

		if (!e->hdr_ok || !e->complete)
			continue;
		if (e->type == RSC_CARVEOUT) {
			snprintf(what, sizeof(what), "entry %zu carveout", i);
			pool_alloc(p, e->len, what);
			carve += e->len;
		}
		if (e->type != RSC_VDEV)
			continue;
		for (j = 0; j < e->nvring && j < 2; j++) {
			uint64_t b = rplat_rsc_vring_bytes(e->vring[j].num, e->vring[j].align);

			snprintf(what, sizeof(what), "entry %zu vring%u", i, j);
			pool_alloc(p, b, what);
			vrings += b;
		}
	}
	/* ... then each RPMsg vdev's buffers when virtio_rpmsg_bus probes */
	for (i = 0; i < t->nentry; i++) {
		const struct rplat_rsc_entry *e = &t->entry[i];
		uint64_t b;

		if (!e->hdr_ok || !e->complete || e->type != RSC_VDEV || e->id != VIRTIO_ID_RPMSG || !e->nvring ||
		    !e->vring[0].num)
			continue;
		b = (uint64_t)rplat_rsc_rpmsg_nbufs(e->vring[0].num) * RPMSG_BUF_SIZE;
		snprintf(what, sizeof(what), "entry %zu rpmsg buffers", i);
		pool_alloc(p, b, what);
		bufs += b;
	}
	c->rep->pool_need = p->high;
	c->rep->pool_size = r->size;
	field_of(field, sizeof(field), r->path, "reg");
	if (p->failed)
		emit(c, D_POOL_TOO_SMALL, -1, field, "pool 0x%llx bytes: %s (vrings %llu, carveouts %llu, buffers %llu)",
		     (unsigned long long)r->size, p->fail, (unsigned long long)vrings, (unsigned long long)carve,
		     (unsigned long long)bufs);
	else if (p->n)
		emit(c, D_POOL_USAGE, -1, field, "%llu of %llu bytes (vrings %llu, carveouts %llu, buffers %llu)",
		     (unsigned long long)p->high, (unsigned long long)r->size, (unsigned long long)vrings,
		     (unsigned long long)carve, (unsigned long long)bufs);
	free(p);
}

/* The target map for the chosen node: --memmap if given and made for the node's compatible, else the
 * one made for it; a map for another compatible is not applied (its internal memories are another
 * core's) and that is said. */
static void memmap_for(struct dctx *c, const struct rplat_dt_rproc *rp, struct rplat_memmap *mm)
{
	const char *const *n;
	char field[200];
	int node = fdt_path_offset(c->fdt, rp->path);

	if (c->o->memmap && !strcmp(c->o->memmap, "none")) {
		rplat_memmap_get("none", mm);
		return;
	}
	if (c->o->memmap && rplat_memmap_get(c->o->memmap, mm) == 0) {
		if (!mm->compatible || (node >= 0 && prop_has_string(c->fdt, node, "compatible", mm->compatible))) {
			snprintf(c->rep->memmap, sizeof(c->rep->memmap), "%s", mm->name);
			return;
		}
		field_of(field, sizeof(field), rp->path, "compatible");
		emit(c, D_MEMMAP_OTHER, -1, field, "%s; --memmap %s is for %s", rp->compatible, mm->name,
		     mm->compatible);
		rplat_memmap_get("none", mm);
		return;
	}
	for (n = rplat_memmap_names; *n; n++)
		if (rplat_memmap_get(*n, mm) == 0 && mm->compatible && node >= 0 &&
		    prop_has_string(c->fdt, node, "compatible", mm->compatible)) {
			snprintf(c->rep->memmap, sizeof(c->rep->memmap), "%s", mm->name);
			return;
		}
	field_of(field, sizeof(field), rp->path, "compatible");
	emit(c, D_MEMMAP_OTHER, -1, field, "%s: no target map made for it", rp->compatible);
	rplat_memmap_get("none", mm);
}

static void cross_check(struct dctx *c)
{
	struct rplat_dt_report *rep = c->rep;
	const struct rplat_dt_rproc *rp;
	struct rplat_memmap base, mm;
	uint32_t ranges[8][3];
	char name[64];
	size_t i;
	int k, nranges, vring_region;

	rep->chosen = pick_rproc(c);
	if (rep->chosen < 0 || !c->o->fw)
		return;
	rp = &rep->rproc[rep->chosen];
	if (rp->firmware[0] && strcmp(rp->firmware, base_name(rplat_fw_name(c->o->fw))))
		emit(c, D_FW_NAME_MISMATCH, -1, rp->path, "firmware-name \"%s\", checking %s", rp->firmware,
		     rplat_fw_name(c->o->fw));

	/* the core's own memories from the target map made for its compatible, DDR from this tree */
	memmap_for(c, rp, &base);
	memset(&mm, 0, sizeof(mm));
	snprintf(mm.name, sizeof(mm.name), "dt+%.20s", base.name);
	mm.iommu = base.iommu;
	mm.machine = base.machine;
	mm.known = base.known;
	mm.compatible = base.compatible;
	mm.needs_rsc = base.needs_rsc;
	mm.dcache_line = base.dcache_line;
	for (i = 0; i < base.n; i++)
		if (base.r[i].flags & RPLAT_MEM_INTERNAL)
			rplat_memmap_add(&mm, base.r[i].name, base.r[i].start, base.r[i].size, base.r[i].flags);
	nranges = !strcmp(rp->driver, "stm32_rproc") ? stm32_ranges(c, fdt_path_offset(c->fdt, rp->path), ranges, 8)
						     : -1;
	for (k = 0; k < rp->nmem; k++) {
		const struct rplat_dt_region *r;
		uint64_t da;

		if (rp->mem[k] < 0)
			continue;
		r = &rep->region[rp->mem[k]];
		if (!r->has_reg)
			continue;
		/* the device address: STM32 translates through the parent's dma-ranges (RETRAM is at 0 for
		 * the M4); TI K3 and i.MX use the physical address (k3_r5_reserved_mem_init(),
		 * imx_rproc_prepare()) */
		da = r->base;
		if (nranges >= 0 && stm32_pa_to_da(ranges, nranges, r->base, &da) < 0)
			continue; /* dt.region_no_da said so */
		/* STM32 and i.MX take fixed vrings from the regions named vdevNvringM (rproc_alloc_vring()
		 * finds them by name): vrings belong there as much as in the pool */
		region_node_name(r->path, name, sizeof(name));
		vring_region = strcmp(rp->driver, "stm32_rproc") ? !strcmp(rp->driver, "imx_rproc") : 1;
		vring_region = vring_region && !strncmp(name, "vdev", 4) && strstr(name, "vring");
		rplat_memmap_add(&mm, base_name(r->path), da, r->size,
				 RPLAT_MEM_DDR | (rp->mem[k] == rp->pool || vring_region ? RPLAT_MEM_DMA_POOL : 0));
	}
	if (rplat_fw_check(c->o->fw, &mm, c->out) < 0)
		c->nomem = 1;
	check_pool(c, rp);
}

/* fdt_check_full() of libfdt 1.6.1 (Debian 12) dereferences fdt_get_name() of the root node without a
 * NULL check, so a blob whose root name cannot be read crashes it (found by fuzz_dt; kept in
 * tests/fuzz/regress/dt). Walk to the root node the way it does and ask first. Returns 0, or the libfdt
 * error of the root name. */
static int root_name_check(const void *fdt)
{
	int offset, next = 0, len, guard;
	uint32_t tag;

	for (guard = 0; guard < (1 << 20); guard++) {
		offset = next;
		tag = fdt_next_tag(fdt, offset, &next);
		if (next < 0 || tag == FDT_END)
			return 0; /* fdt_check_full() reports it */
		if (tag == FDT_BEGIN_NODE)
			return fdt_get_name(fdt, offset, &len) ? 0 : (len < 0 ? len : -FDT_ERR_BADSTRUCTURE);
		if (tag != FDT_NOP && tag != FDT_PROP)
			return 0;
	}
	return 0;
}

/* The part of the blob a libfdt error is about. */
static const char *blob_field(int err)
{
	switch (-err) {
	case FDT_ERR_BADMAGIC:
		return "header.magic";
	case FDT_ERR_BADVERSION:
		return "header.version";
	case FDT_ERR_TRUNCATED:
		return "header.totalsize";
	case FDT_ERR_BADLAYOUT:
		return "header (block offsets)";
	case FDT_ERR_BADSTRUCTURE:
	case FDT_ERR_BADOFFSET:
		return "structure block";
	case FDT_ERR_BADNCELLS:
		return "#address-cells/#size-cells";
	default:
		return "blob";
	}
}

int rplat_dt_check(const struct rplat_dt *dt, const struct rplat_dt_opts *o, struct rplat_dt_report *rep,
		   struct rplat_findings *out)
{
	static const struct rplat_dt_opts none = { NULL, NULL, NULL };
	struct rplat_dt_report *own = NULL;
	struct dctx c;
	int err, field_root = 0;

	if (!rep) {
		own = calloc(1, sizeof(*own));
		if (!own)
			return -1;
		rep = own;
	}
	memset(rep, 0, sizeof(*rep));
	rep->chosen = -1;
	c.fdt = dt->blob;
	c.src = dt->name;
	c.o = o ? o : &none;
	c.rep = rep;
	c.out = out;
	c.nomem = 0;
	c.too_many_rprocs = 0;
	c.active_rprocs = 0;

	if (dt->len >= 4 && fdt_magic(dt->blob) != FDT_MAGIC)
		err = -FDT_ERR_BADMAGIC;
	else if (dt->len < sizeof(struct fdt_header))
		err = -FDT_ERR_TRUNCATED;
	else if ((err = fdt_check_header(dt->blob)) == 0 && fdt_totalsize(dt->blob) <= dt->len &&
		 (err = root_name_check(dt->blob)) != 0)
		field_root = 1;
	else
		err = fdt_check_full(dt->blob, dt->len);
	if (err) {
		emit(&c, D_BLOB, -1, field_root ? "root node name" : blob_field(err), "%s (%zu bytes)",
		     fdt_strerror(err), dt->len);
	} else {
		scan_regions(&c);
		scan_rprocs(&c);
		cross_check(&c);
	}
	free(own);
	return c.nomem || out->oom ? -1 : 0;
}
