/* Resource-table and firmware-image checks: the kernel's rules and the field lints, one rule table.
 *
 * Each rule has a stable identifier, a severity, whether the kernel refuses the firmware over it, the
 * reason and the advice. The checks below only decide *where* a rule fires (entry, field, value); the
 * words come from the table, so `rplat check rsc --rules` and the documentation cannot drift from what
 * the checks say. Kernel behaviour follows drivers/remoteproc (remoteproc_core.c, remoteproc_elf_loader.c,
 * remoteproc_virtio.c) and virtio_rpmsg_bus.c; see FACTS section 1. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rsc_local.h"
#include "rplat/ring.h"

#define REF RPLAT_FINDING_REFUSED
#define E RPLAT_SEV_ERROR
#define W RPLAT_SEV_WARNING
#define I RPLAT_SEV_INFO

#define CACHE_LINE 64u
#define VRING_NUM_MAX 32768u
#define EM_ARM_ID 40u

static const struct rplat_rule rules[R__COUNT] = {
	[R_ELF_TRUNCATED] = { "elf.truncated", E, REF,
		"rproc_elf_sanity_check() refuses an image too small for its ELF header, or whose section-header "
		"offset lies past the end (\"Image is too small\").",
		"The file is cut short: rebuild it, or copy it to /lib/firmware again.",
		"rproc_elf_sanity_check()" },
	[R_ELF_CLASS] = { "elf.class", E, REF,
		"Only ELFCLASS32 and ELFCLASS64 images are accepted (\"Unsupported class\").",
		"The file is not a valid ELF; rebuild it.",
		"rproc_elf_sanity_check()" },
	[R_ELF_ENDIAN] = { "elf.endian", E, REF,
		"The kernel assumes the firmware has its own byte order (little-endian on arm64) and refuses others "
		"(\"Unsupported firmware endianness\"); the table is read in the host's order too.",
		"Build the firmware little-endian.",
		"rproc_elf_sanity_check()" },
	[R_ELF_NO_PHDRS] = { "elf.no_phdrs", E, REF,
		"An image without program headers has nothing to load (\"No loadable segments\").",
		"Link an executable, not a relocatable object.",
		"rproc_elf_sanity_check()" },
	[R_ELF_PHDRS_OUTSIDE] = { "elf.phdrs_outside", E, REF,
		"The program-header table lies (partly) past the end of the file: the kernel refuses it (\"Firmware "
		"size is too small\") or reads past the image.",
		"The file is cut short or corrupt; rebuild it.",
		"rproc_elf_sanity_check(), rproc_elf_load_segments()" },
	[R_ELF_SHDRS_OUTSIDE] = { "elf.shdrs_outside", E, REF,
		"rproc_elf_sanity_check() refuses an image whose section-header table runs past the end of the file "
		"(\"Section headers are out of bounds\"). Kernels before that bound walked the table in "
		"find_table() and read past the image.",
		"The file is cut short or corrupt; rebuild it.",
		"rproc_elf_sanity_check()" },
	[R_ELF_UNREADABLE] = { "elf.unreadable", E, 0,
		"libelf cannot read these headers, so rplat cannot check what the kernel would load; the kernel reads "
		"the same headers with fewer checks and may load garbage.",
		"Rebuild the image; `readelf -lS FILE` shows what is wrong.",
		"find_table() (reads the same headers without libelf's checks)" },
	[R_ELF_MACHINE] = { "elf.machine", W, 0,
		"The ELF is built for another CPU than the target's. The kernel does not check e_machine: it loads "
		"the image and the core faults on its first instruction.",
		"Build for the target core, or pass --memmap none if this is not an AM62x M4F image.",
		"rproc_elf_load_segments() (not checked)" },
	[R_ELF_SEG_MEMSZ] = { "elf.seg_memsz", E, REF,
		"rproc_elf_load_segments() refuses a loadable segment whose memory size is below its file size "
		"(\"bad phdr filesz\").",
		"Fix the linker script.",
		"rproc_elf_load_segments()" },
	[R_ELF_SEG_TRUNCATED] = { "elf.seg_truncated", E, REF,
		"A loadable segment's file bytes lie past the end of the file (\"truncated fw\").",
		"The file is cut short; rebuild it.",
		"rproc_elf_load_segments()" },
	[R_ELF_SEG_DA] = { "elf.seg_da", E, REF,
		"The driver cannot translate the segment's load address into memory it can write (\"bad phdr da\"). "
		"remoteproc loads at p_paddr, not p_vaddr. What translates is the target's: on the AM62x M4F only "
		"IRAM, DRAM and the node's firmware reserved-memory regions, not the vdev DMA pool; on the virtual "
		"board (rproc_ivshmem) only its shared memory, 0x21000000 + 16 MiB.",
		"Link the segment into the core's RAM or a firmware reserved-memory region of its DT node (on the "
		"virtual board: into its shared memory, as probe-fw TARGET=qemu-vboard is).",
		"rproc_elf_load_segments(), rproc_da_to_va()" },
	[R_ELF_SEG_OVERLAP] = { "elf.seg_overlap", W, 0,
		"Two loadable segments overlap in device memory: the later one overwrites the earlier when loaded.",
		"Fix the linker script.",
		"rproc_elf_load_segments() (not checked)" },
	[R_ELF_NO_RSC] = { "elf.no_rsc", E, REF,
		"The TI K3 drivers (and the virtual board's rproc_ivshmem) load the table with "
		"rproc_elf_load_rsc_table() as their parse_fw, which fails with -EINVAL without a .resource_table "
		"section, so the core does not boot.",
		"Add a resource table, even an empty one (ver 1, num 0), in a section named .resource_table.",
		"rproc_elf_load_rsc_table() as TI K3's (and rproc_ivshmem's) parse_fw" },
	[R_ELF_NO_RSC_BOOTS] = { "elf.no_rsc_boots", W, 0,
		"No .resource_table section. STM32 (stm32_rproc_parse_fw()), i.MX (imx_rproc_parse_fw()) and PRU "
		"(pru_rproc_parse_fw()) boot such an image, but without a vdev there is no RPMsg; the TI K3 drivers "
		"refuse it (rproc_elf_load_rsc_table()). A warning when the target is not known, info when it is "
		"one of those that boot it.",
		"Add a resource table with an RPMsg vdev if the firmware talks RPMsg.",
		"stm32_rproc_parse_fw(), imx_rproc_parse_fw(), pru_rproc_parse_fw()" },
	[R_ELF_RSC_DUP] = { "elf.rsc_dup", W, 0,
		"The kernel uses the first .resource_table section and ignores the others; the firmware may be using "
		"another one.",
		"Keep exactly one .resource_table section.",
		"find_table()" },
	[R_ELF_RSC_NOBITS] = { "elf.rsc_nobits", E, 0,
		"The section is NOBITS: the kernel still reads the table from the file bytes at sh_offset, which are "
		"not the table the firmware builds at run time.",
		"Make the table initialised data (a const struct in a PROGBITS section).",
		"find_table() (not checked)" },
	[R_ELF_RSC_TRUNCATED] = { "elf.rsc_truncated", E, REF,
		"find_table() refuses a section that runs past the end of the file (\"resource table truncated\").",
		"The file is cut short or the section header is corrupt; rebuild it.",
		"find_table()" },
	[R_ELF_RSC_NOT_LOADED] = { "elf.rsc_not_loaded", W, 0,
		"The table's address lies outside every loadable segment: the kernel cannot copy its updated table "
		"(vring addresses, vdev status DRIVER_OK) to where the firmware reads it, so the firmware waits for "
		"DRIVER_OK forever.",
		"Place .resource_table in a section that a PT_LOAD segment covers.",
		"rproc_elf_find_loaded_rsc_table()" },
	[R_RAW_INPUT] = { "raw.input", I, 0,
		"A raw table dump, not an ELF: the checks that need the image (loaded segments, the table's own "
		"address) are skipped.",
		"",
		"-" },
	[R_RSC_SIZE] = { "rsc.size", E, REF,
		"find_table() refuses a table shorter than its 16-byte header (\"header-less resource table\").",
		"The table must start with ver, num and two reserved words.",
		"find_table()" },
	[R_RSC_VER] = { "rsc.ver", E, REF,
		"Only resource-table version 1 exists (\"unsupported fw ver\").",
		"Set ver to 1.",
		"find_table()" },
	[R_RSC_RESERVED] = { "rsc.reserved", E, REF,
		"The two reserved header words must be zero (\"non zero reserved bytes\").",
		"Zero reserved[0] and reserved[1].",
		"find_table()" },
	[R_RSC_OFFSETS_TRUNCATED] = { "rsc.offsets_truncated", E, REF,
		"The offset array (4 bytes per entry) runs past the end of the table (\"resource table incomplete\").",
		"num must match the offsets that follow the header.",
		"find_table()" },
	[R_RSC_EMPTY] = { "rsc.empty", I, 0,
		"The table declares no entries: the firmware boots but has no vdev, so no RPMsg link.",
		"",
		"rproc_handle_resources()" },
	[R_RSC_TOO_MANY] = { "rsc.too_many", W, 0,
		"More entries than rplat examines (4096); the rest were not checked. Real tables have a handful.",
		"Check that num is what you meant.",
		"-" },
	[R_OFF_RANGE] = { "rsc.offset_range", E, REF,
		"rsc_table_for_each_entry() (include/linux/rsc_table.h) refuses an offset inside the 16-byte header, "
		"at or past the end of the table, or without room for the 4-byte type word (\"rsc table is "
		"truncated\"). Offsets are unsigned there; kernels before it held them in an int, so one >= 2^31 "
		"went negative and was read (and for a vdev written) before the table.",
		"Offsets are byte offsets from the start of the table, after the offset array.",
		"rsc_table_for_each_entry()" },
	[R_OFF_ALIGN] = { "rsc.offset_align", W, 0,
		"The entry is not 4-byte aligned. The kernel does not care, but the firmware's word accesses to it "
		"fault or split on cores without full unaligned support (LDRD/LDM on Cortex-M).",
		"Pad entries to a multiple of 4 bytes.",
		"rsc_table_for_each_entry() (not checked)" },
	[R_OFF_IN_HEADER] = { "rsc.offset_in_header", E, 0,
		"The entry overlaps the offset array. rsc_table_for_each_entry() only refuses offsets inside the "
		"16-byte header, so this one passes; what the kernel writes back into the entry (vring addresses, "
		"vdev status) corrupts the offsets.",
		"Entries start after the offset array: at 16 + 4 * num or later.",
		"rsc_table_for_each_entry() (not checked)" },
	[R_ENTRY_OVERLAP] = { "rsc.entry_overlap", E, 0,
		"Two entries share bytes. The kernel does not check this; what it writes back into one (vring "
		"addresses, notifyids, vdev status) corrupts the other.",
		"Give every entry its own bytes; check the offsets against the struct sizes.",
		"rsc_table_for_each_entry() (not checked)" },
	[R_ENTRY_TRUNCATED] = { "rsc.entry_truncated", E, REF,
		"The entry's body runs past the end of the table (\"... rsc is truncated\").",
		"The table is shorter than its entries: check num_of_vrings, config_len and the section size.",
		"rproc_handle_carveout(), _devmem(), _trace(), _vdev()" },
	[R_ENTRY_RESERVED] = { "rsc.entry_reserved", E, REF,
		"remoteproc refuses an entry whose reserved field is not zero (\"... has non zero reserved bytes\").",
		"Zero the reserved field.",
		"rproc_handle_carveout(), _devmem(), _trace(), _vdev()" },
	[R_TYPE_UNKNOWN] = { "rsc.type_unknown", W, 0,
		"The kernel skips unknown types with a warning (\"unsupported resource\"): whatever the firmware "
		"expects from this entry never happens.",
		"Use RSC_CARVEOUT, RSC_DEVMEM, RSC_TRACE or RSC_VDEV, or a vendor type (128..512) your driver handles.",
		"rproc_handle_rsc_entry()" },
	[R_TYPE_VENDOR] = { "rsc.type_vendor", I, 0,
		"Vendor types (128..512) go to the platform driver's handle_rsc hook; drivers without one (TI K3 "
		"among them) skip them with a warning.",
		"",
		"rproc_handle_rsc_entry() -> rproc_handle_rsc()" },
	[R_NAME_UNTERMINATED] = { "rsc.name_unterminated", W, 0,
		"The carveout's 32-byte name has no terminating NUL: rproc_find_carveout_by_name() and "
		"rproc_mem_entry_init() format it with vsnprintf() and read past the entry. (Trace and devmem names "
		"are never read by the kernel: traces are named trace%d.)",
		"Keep names to 31 characters.",
		"rproc_find_carveout_by_name(), rproc_mem_entry_init()" },
	[R_NAME_FORMAT] = { "rsc.name_format", E, 0,
		"The carveout name contains '%': rproc_handle_carveout() passes it as the printf format of "
		"rproc_find_carveout_by_name() and rproc_mem_entry_init(), so vsnprintf() reads arguments that were "
		"never passed (garbage in the name, or an oops for %s).",
		"Use a name without '%'.",
		"rproc_find_carveout_by_name(), rproc_mem_entry_init()" },
	[R_DEVMEM_NO_IOMMU] = { "rsc.devmem_no_iommu", E, REF,
		"RSC_DEVMEM maps memory through the core's IOMMU; this target has none, so the handler returns "
		"-EINVAL and the boot fails.",
		"Drop the entry: without an IOMMU the core reaches that memory directly.",
		"rproc_handle_devmem()" },
	[R_DEVMEM] = { "rsc.devmem", W, 0,
		"RSC_DEVMEM needs an IOMMU domain for the core; on a core without one the handler returns -EINVAL "
		"and the boot fails.",
		"Keep it only if the core sits behind an IOMMU.",
		"rproc_handle_devmem()" },
	[R_CARVEOUT_LEN0] = { "rsc.carveout_len0", W, 0,
		"A zero-length carveout allocates nothing; the firmware gets no memory there.",
		"Set len.",
		"rproc_handle_carveout() (not checked)" },
	[R_ADDR_WRAP] = { "rsc.addr_wrap", W, 0,
		"da + len wraps past 4 GiB: the range means nothing to a 32-bit core.",
		"Check da and len.",
		"- (the remote core's 32-bit view)" },
	[R_TRACE_LEN0] = { "rsc.trace_len0", W, 0,
		"A zero-length trace buffer: the debugfs trace file is always empty.",
		"Set len to the size of the firmware's log buffer.",
		"rproc_handle_trace() (not checked)" },
	[R_TRACE_DA_ANY] = { "rsc.trace_da_any", W, 0,
		"The kernel does not allocate trace buffers: with da = FW_RSC_ADDR_ANY it cannot map one and the "
		"debugfs file says \"Trace not available\".",
		"Set da to the address of the firmware's log buffer.",
		"rproc_handle_trace() -> rproc_da_to_va()" },
	[R_TRACE_NOT_LOADED] = { "rsc.trace_not_loaded", W, 0,
		"The trace buffer lies outside every loadable or NOBITS part of the image (and every carveout): the "
		"firmware writes where nothing was reserved for it, and the kernel may not be able to map it.",
		"Point da at a buffer the firmware defines (in .bss or .data).",
		"rproc_handle_trace() (not checked)" },
	[R_VDEV_VRINGS_MAX] = { "rsc.vdev_vrings_max", E, REF,
		"remoteproc supports at most two vrings per vdev (\"too many vrings\").",
		"An RPMsg vdev has exactly two vrings.",
		"rproc_handle_vdev()" },
	[R_VRING_ZERO] = { "rsc.vring_zero", E, 0,
		"A vring with num or align 0: the kernel does not refuse the image, but rproc_parse_vring() (\"invalid "
		"qsz or alignment\") fails the vdev's probe (rproc_virtio_probe()), so the core boots without RPMsg.",
		"Set num (e.g. 256) and align (e.g. 4096).",
		"rproc_parse_vring() from rproc_virtio_probe()" },
	[R_RPMSG_VRINGS] = { "rsc.rpmsg_vrings", E, 0,
		"virtio_rpmsg_bus needs exactly two vrings (RX and TX): with another count its probe fails and no "
		"RPMsg channel appears.",
		"Declare two vrings in the RPMsg vdev.",
		"rpmsg_probe() (virtio_rpmsg_bus.c)" },
	[R_VRING_NUM_POW2] = { "rsc.vring_num_pow2", W, 0,
		"num is not a power of two. Current kernels no longer refuse it, but ring indices wrap with num - 1 "
		"as a mask in most remote stacks: the image boots, then the ring corrupts.",
		"Use a power of two (TI uses 256).",
		"rproc_parse_vring() (not checked since it dropped the power-of-two test)" },
	[R_VRING_NUM_MAX] = { "rsc.vring_num_max", W, 0,
		"A split virtqueue holds at most 32768 entries (16-bit ring indices).",
		"Use 256 or so; more buys nothing for RPMsg.",
		"- (virtio split ring: 16-bit indices)" },
	[R_VRING_ALIGN_POW2] = { "rsc.vring_align_pow2", W, 0,
		"align is not a power of two: vring layout rounds with align - 1 as a mask, so the two sides may "
		"disagree on where the used ring starts.",
		"Use 4096 (TI) or another power of two of at least 64.",
		"vring_init() (rounds with align - 1)" },
	[R_VRING_ALIGN_CACHE] = { "rsc.vring_align_cache", W, 0,
		"align is below the remote core's data-cache line: the used ring shares a line with the avail ring, "
		"and cache maintenance by the core clobbers the host's writes (the OpenAMP PR #465 class of bug). Linux "
		"maps the vrings uncached (a no-map pool), so only the remote's cache matters: a core without a data "
		"cache (Cortex-M4, the AM62x M4F, the STM32MP1 M4) is safe with align 16. Info when the target, and so "
		"its cache, is not known (--memmap none): 64 bytes is assumed.",
		"Use 4096 (TI) or at least the core's cache line.",
		"- (the remote core's cache maintenance)" },
	[R_VRING_DA_ALIGN] = { "rsc.vring_da_align", W, 0,
		"The fixed vring address is not a multiple of its align: the used ring lands where the two sides "
		"disagree.",
		"Align the vring address to align (4 KiB).",
		"rproc_alloc_vring() (not checked)" },
	[R_RPMSG_ASYM] = { "rsc.rpmsg_asym", W, 0,
		"virtio_rpmsg_bus expects both vrings to be the same size (WARN_ON) and sizes its buffer pool from "
		"vring0 alone.",
		"Give both vrings the same num.",
		"rpmsg_probe() (WARN_ON)" },
	[R_RPMSG_NO_NS] = { "rsc.rpmsg_no_ns", I, 0,
		"VIRTIO_RPMSG_F_NS (dfeatures bit 0) is not offered: the remote cannot announce channels, so Linux "
		"creates no rpmsg devices on its own.",
		"Set dfeatures bit 0 unless channels are created from the Linux side.",
		"rpmsg_probe()" },
	[R_VDEV_STATUS] = { "rsc.vdev_status", I, 0,
		"The vdev status is not 0 in the image. The host resets it, but a firmware that checks it before the "
		"host writes may start early.",
		"Start with status 0 and wait for DRIVER_OK (0x04).",
		"rproc_virtio_reset() (not checked)" },
	[R_NOTIFYID_DUP] = { "rsc.notifyid_dup", W, 0,
		"Two vrings share a notifyid. The kernel assigns its own ids and writes them back, but a firmware "
		"that kicks with its compiled-in ids signals the wrong queue.",
		"Give each vring its own notifyid (TI: vdev 0, vrings 1 and 2).",
		"rproc_alloc_vring() (assigns its own)" },
	[R_NO_VDEV] = { "rsc.no_vdev", I, 0,
		"No vdev entry: the firmware boots without an RPMsg link.",
		"",
		"rproc_handle_resources()" },
	[R_OUTSIDE_MEMORY] = { "rsc.outside_memory", E, 0,
		"The fixed address lies outside the target's memory map and every loaded segment: the core reads or "
		"writes memory that is not there.",
		"Use FW_RSC_ADDR_ANY, or an address in the core's RAM or its reserved-memory regions.",
		"rproc_da_to_va()" },
	[R_OUTSIDE_SEGMENTS] = { "rsc.outside_segments", W, 0,
		"The fixed address lies outside every loaded segment, and no target memory map was given to vouch "
		"for it.",
		"Pass --memmap for the target (or check it with `rplat check dt --fw`).",
		"rproc_da_to_va()" },
	[R_VRING_DA_POOL] = { "rsc.vring_da_pool", W, 0,
		"remoteproc allocates vrings from the vdev DMA pool and only warns (\"Allocated carveout doesn't fit "
		"device address request\") when that differs from a fixed da; a firmware that uses its compiled-in "
		"address instead of the one written back polls the wrong memory.",
		"Use FW_RSC_ADDR_ANY and read the address back, or place the vring inside the DMA pool.",
		"rproc_alloc_carveout() (\"doesn't fit device address request\")" },
	[R_MEM_OVERLAP] = { "rsc.mem_overlap", W, 0,
		"Two resources (vrings, trace buffer, carveouts) occupy the same device memory.",
		"Move one of them.",
		"- (not checked)" },
	[R_PLACEMENT_SKIPPED] = { "rsc.placement_skipped", I, 0,
		"A raw table and no memory map: the fixed addresses were not checked against anything.",
		"Pass --memmap for the target, or check the ELF.",
		"-" },
};

const struct rplat_rule *rplat_rsc_rules(size_t *n)
{
	*n = R__COUNT;
	return rules;
}

void rsc_emit_sev(struct rplat_findings *fs, const char *source, enum rsc_rule r, enum rplat_severity sev,
		  int entry, const char *field, const char *fmt, ...)
{
	char value[256] = "";
	va_list ap;

	if (fs->n < fs->max) {
		va_start(ap, fmt);
		vsnprintf(value, sizeof(value), fmt, ap);
		va_end(ap);
	}
	rplat_findings_emit(fs, &rules[r], (int)sev, source, entry, field, "%s", value);
}

void rsc_emit(struct rplat_findings *fs, const char *source, enum rsc_rule r, int entry, const char *field,
	      const char *fmt, ...)
{
	char value[256] = "";
	va_list ap;

	if (fs->n < fs->max) { /* a finding past the cap is only counted */
		va_start(ap, fmt);
		vsnprintf(value, sizeof(value), fmt, ap);
		va_end(ap);
	}
	rplat_findings_emit(fs, &rules[r], -1, source, entry, field, "%s", value);
}

/* ---- memory maps ---- */

const char *const rplat_memmap_names[] = { "am62x-m4f", "stm32mp1-m4", "imx8mp-cm7", "vboard", "none", NULL };

int rplat_memmap_add(struct rplat_memmap *mm, const char *name, uint64_t start, uint64_t size, unsigned flags)
{
	struct rplat_mem_region *r;

	if (mm->n >= RPLAT_MEMMAP_MAX)
		return -1;
	r = &mm->r[mm->n++];
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->start = start;
	r->size = size;
	r->flags = flags;
	mm->known = 1;
	return 0;
}

int rplat_memmap_get(const char *name, struct rplat_memmap *mm)
{
	memset(mm, 0, sizeof(*mm));
	snprintf(mm->name, sizeof(mm->name), "%s", name);
	if (!strcmp(name, "none"))
		return 0;
	if (!strcmp(name, "vboard")) {
		/* the virtual board's rproc_ivshmem (host-tools/vboard/kmod): its da_to_va translates the
		 * shared memory (BAR2) at 0x21000000 and nothing else, so a segment or trace buffer outside is
		 * refused ("bad phdr da"); 16 MiB is the QEMU remote's (mps2-an386 PSRAM), a host board made
		 * with a smaller --size translates only that much. No DMA-pool flag: its carveouts lie in the
		 * same window and da_to_va takes them too. Its parse_fw is rproc_elf_load_rsc_table, so an
		 * image without a table is refused. */
		rplat_memmap_add(mm, "vboard shared memory", 0x21000000, 0x1000000, RPLAT_MEM_DDR);
		mm->needs_rsc = 1;
		return 0;
	}
	if (!strcmp(name, "am62x-m4f")) {
		/* ti_k3_m4_remoteproc.c: internal RAMs in the M4F's view and the SoC's; DDR regions from the
		 * AM62x SK device tree (k3-am62x-sk-common.dtsi), used until a real tree says otherwise. */
		rplat_memmap_add(mm, "m4f iram", 0x00000000, 0x30000, RPLAT_MEM_INTERNAL);
		rplat_memmap_add(mm, "m4f dram", 0x00030000, 0x10000, RPLAT_MEM_INTERNAL);
		rplat_memmap_add(mm, "m4f iram (soc view)", 0x05000000, 0x30000, RPLAT_MEM_INTERNAL);
		rplat_memmap_add(mm, "m4f dram (soc view)", 0x05040000, 0x10000, RPLAT_MEM_INTERNAL);
		rplat_memmap_add(mm, "m4f-dma-memory@9cb00000", 0x9cb00000, 0x100000,
				 RPLAT_MEM_DDR | RPLAT_MEM_DMA_POOL | RPLAT_MEM_DEFAULT);
		rplat_memmap_add(mm, "m4f-memory@9cc00000", 0x9cc00000, 0xe00000, RPLAT_MEM_DDR | RPLAT_MEM_DEFAULT);
		mm->machine = EM_ARM_ID;
		mm->iommu = 0;
		mm->compatible = "ti,am64-m4fss";
		mm->needs_rsc = 1;    /* k3_m4_rproc_ops: .parse_fw = rproc_elf_load_rsc_table */
		mm->dcache_line = 0;  /* Cortex-M4F: no data cache */
		return 0;
	}
	if (!strcmp(name, "stm32mp1-m4")) {
		/* the M4's view through the mlahb bus' dma-ranges (stm32mp151.dtsi): RETRAM at 0, MCU SRAM 1-4
		 * at 0x10000000 and its alias at 0x30000000; DDR regions come from a real tree (check dt --fw) */
		rplat_memmap_add(mm, "retram", 0x00000000, 0x10000, RPLAT_MEM_INTERNAL);
		rplat_memmap_add(mm, "mcu sram", 0x10000000, 0x60000, RPLAT_MEM_INTERNAL);
		rplat_memmap_add(mm, "mcu sram (alias)", 0x30000000, 0x60000, RPLAT_MEM_INTERNAL);
		mm->machine = EM_ARM_ID;
		mm->compatible = "st,stm32mp1-m4";
		mm->needs_rsc = 0;    /* stm32_rproc_parse_fw() only warns */
		mm->dcache_line = 0;  /* Cortex-M4: no data cache */
		return 0;
	}
	if (!strcmp(name, "imx8mp-cm7")) {
		/* imx_rproc_att_imx8mn (used for fsl,imx8mp-cm7 too): ITCM, DTCM, OCRAM and the DDR aliases */
		rplat_memmap_add(mm, "itcm", 0x00000000, 0x20000, RPLAT_MEM_INTERNAL);
		rplat_memmap_add(mm, "ocram_s", 0x00180000, 0x9000, RPLAT_MEM_INTERNAL);
		rplat_memmap_add(mm, "ocram", 0x00900000, 0x90000, RPLAT_MEM_INTERNAL);
		rplat_memmap_add(mm, "ddr (code alias)", 0x10000000, 0x0ffe0000, RPLAT_MEM_DDR);
		rplat_memmap_add(mm, "dtcm", 0x20000000, 0x20000, RPLAT_MEM_INTERNAL);
		rplat_memmap_add(mm, "ocram_s (alias)", 0x20180000, 0x8000, RPLAT_MEM_INTERNAL);
		rplat_memmap_add(mm, "ocram (alias)", 0x20200000, 0x80000, RPLAT_MEM_INTERNAL);
		rplat_memmap_add(mm, "ddr", 0x40000000, 0x80000000, RPLAT_MEM_DDR);
		mm->machine = EM_ARM_ID;
		mm->compatible = "fsl,imx8mp-cm7";
		mm->needs_rsc = 0;    /* imx_rproc_parse_fw() only logs */
		mm->dcache_line = 32; /* Cortex-M7: 32-byte data-cache lines */
		return 0;
	}
	return -1;
}

/* [x, x + len) inside [start, start + size), without overflow; len 0 counts as 1 byte. */
static int range_in(uint64_t start, uint64_t size, uint64_t x, uint64_t len)
{
	if (!len)
		len = 1;
	return x >= start && x - start < size && len <= size - (x - start);
}

const struct rplat_mem_region *rplat_memmap_find(const struct rplat_memmap *mm, uint64_t da, uint64_t len)
{
	size_t i;

	for (i = 0; i < mm->n; i++)
		if (range_in(mm->r[i].start, mm->r[i].size, da, len))
			return &mm->r[i];
	return NULL;
}

/* ---- the checks ---- */

struct ctx {
	const struct rplat_fw *fw;
	const struct rplat_rsc *rsc; /* NULL when there is no table */
	const struct rplat_memmap *mm;
	struct rplat_findings *out;
	const char *src;
	int nomem;
};

/* An address range for the overlap sweeps. */
struct span {
	uint64_t start, end; /* end exclusive, saturated */
	int entry;
	char what[40];
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->entry != y->entry)
		return x->entry < y->entry ? -1 : 1;
	return 0;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static int is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static const char *type_name(uint32_t type)
{
	switch (type) {
	case RSC_CARVEOUT:
		return "carveout";
	case RSC_DEVMEM:
		return "devmem";
	case RSC_TRACE:
		return "trace";
	case RSC_VDEV:
		return "vdev";
	default:
		return "entry";
	}
}

static int in_segment(const struct rplat_fw *fw, uint64_t da, uint64_t len)
{
	size_t i;

	for (i = 0; i < fw->nseg; i++)
		if (range_in(fw->seg[i].da, fw->seg[i].memsz, da, len))
			return 1;
	return 0;
}

static int in_nobits(const struct rplat_fw *fw, uint64_t da, uint64_t len)
{
	size_t i;

	for (i = 0; i < fw->nnobits; i++)
		if (range_in(fw->nobits[i].addr, fw->nobits[i].size, da, len))
			return 1;
	return 0;
}

static int check_image(struct ctx *c)
{
	const struct rplat_fw *fw = c->fw;
	struct span *sp;
	uint64_t maxend = 0;
	size_t i;
	int maxi = -1;
	char field[64];

	if (rplat_findings_merge(c->out, &fw->parse) < 0)
		c->nomem = 1;
	if (!fw->is_elf) {
		rsc_emit(c->out, c->src, R_RAW_INPUT, -1, "file", "%zu bytes", fw->len);
		return 1;
	}
	if (!fw->elf_ok)
		return 1;
	if (!fw->rsc_sections) {
		/* the TI K3 drivers' parse_fw is rproc_elf_load_rsc_table(); STM32, i.MX and PRU only log */
		if (c->mm->needs_rsc)
			rsc_emit(c->out, c->src, R_ELF_NO_RSC, -1, ".resource_table", "missing (%s)", c->mm->name);
		else
			rsc_emit_sev(c->out, c->src, R_ELF_NO_RSC_BOOTS, c->mm->known ? RPLAT_SEV_INFO : RPLAT_SEV_WARNING,
				     -1, ".resource_table", "missing%s%s%s", c->mm->known ? " (" : "",
				     c->mm->known ? c->mm->name : "", c->mm->known ? " boots without one)" : "");
	}
	if (c->mm->machine && fw->machine != c->mm->machine)
		rsc_emit(c->out, c->src, R_ELF_MACHINE, -1, "e_machine", "%u (%s expects %u)", fw->machine,
			 c->mm->name, c->mm->machine);
	if (c->mm->known) {
		for (i = 0; i < fw->nseg; i++) {
			const struct rplat_fw_seg *s = &fw->seg[i];
			const struct rplat_mem_region *r = rplat_memmap_find(c->mm, s->da, s->memsz);

			if (r && !(r->flags & RPLAT_MEM_DMA_POOL))
				continue;
			snprintf(field, sizeof(field), "phdr[%d].p_paddr", s->index);
			rsc_emit(c->out, c->src, R_ELF_SEG_DA, -1, field, "0x%llx + memsz 0x%llx%s%s",
				 (unsigned long long)s->da, (unsigned long long)s->memsz,
				 r ? ": inside the DMA pool " : ": outside the memory map of ", r ? r->name : c->mm->name);
		}
	}
	/* overlapping segments: sort by load address, sweep */
	if (fw->nseg > 1) {
		sp = calloc(fw->nseg, sizeof(*sp));
		if (!sp) {
			c->nomem = 1;
		} else {
			for (i = 0; i < fw->nseg; i++) {
				sp[i].start = fw->seg[i].da;
				sp[i].end = sat_add(fw->seg[i].da, fw->seg[i].memsz);
				sp[i].entry = fw->seg[i].index;
			}
			qsort(sp, fw->nseg, sizeof(*sp), span_cmp);
			for (i = 0; i < fw->nseg; i++) {
				if (maxi >= 0 && sp[i].start < maxend) {
					snprintf(field, sizeof(field), "phdr[%d].p_paddr", sp[i].entry);
					rsc_emit(c->out, c->src, R_ELF_SEG_OVERLAP, -1, field,
						 "0x%llx overlaps phdr[%d] (ends at 0x%llx)",
						 (unsigned long long)sp[i].start, maxi, (unsigned long long)maxend);
				}
				if (maxi < 0 || sp[i].end > maxend) {
					maxend = sp[i].end;
					maxi = sp[i].entry;
				}
			}
			free(sp);
		}
	}
	if (fw->have_rsc && !in_segment(fw, fw->rsc.da, fw->rsc.size))
		rsc_emit(c->out, c->src, R_ELF_RSC_NOT_LOADED, -1, ".resource_table.sh_addr",
			 "0x%llx (%zu bytes)", (unsigned long long)fw->rsc.da, fw->rsc.size);
	return 1;
}

/* The table header, as find_table() checks it. Returns 0 when the entries cannot be examined. */
static int check_header(struct ctx *c)
{
	const struct rplat_rsc *t = c->rsc;

	if (!t->header_ok) {
		rsc_emit(c->out, c->src, R_RSC_SIZE, -1, "table size", "%zu bytes", t->size);
		return 0;
	}
	if (t->ver != 1)
		rsc_emit(c->out, c->src, R_RSC_VER, -1, "ver", "%u", t->ver);
	if (t->reserved[0] || t->reserved[1])
		rsc_emit(c->out, c->src, R_RSC_RESERVED, -1, "reserved", "[0x%x, 0x%x]", t->reserved[0],
			 t->reserved[1]);
	if (t->noffsets < t->num) {
		/* num is wrong, so what follows the header is not an offset array: stop here */
		rsc_emit(c->out, c->src, R_RSC_OFFSETS_TRUNCATED, -1, "num",
			 "%u (room for %u offsets in %zu bytes)", t->num, t->noffsets, t->size);
		return 0;
	}
	if (!t->num)
		rsc_emit(c->out, c->src, R_RSC_EMPTY, -1, "num", "0");
	if (t->nentry < t->noffsets)
		rsc_emit(c->out, c->src, R_RSC_TOO_MANY, -1, "num", "%u", t->num);
	return 1;
}

/* Offsets, as rproc_handle_resources() uses them, and the byte layout of the entries. */
static int check_offsets(struct ctx *c)
{
	const struct rplat_rsc *t = c->rsc;
	uint64_t hdr_end = 16 + 4ull * t->noffsets;
	struct span *sp;
	size_t i, n = 0;
	uint64_t maxend = 0;
	int maxi = -1;
	char field[48];

	for (i = 0; i < t->nentry; i++) {
		const struct rplat_rsc_entry *e = &t->entry[i];

		snprintf(field, sizeof(field), "offset[%zu]", i);
		/* rsc_table_for_each_entry(): offset < sizeof(table), >= table_sz, or no room for the type */
		if (!e->hdr_ok || e->offset < 16) {
			rsc_emit(c->out, c->src, R_OFF_RANGE, (int)i, field, "0x%x (%s)", e->offset,
				 e->offset < 16 ? "inside the 16-byte header" : "past the end of the table");
			continue;
		}
		if (e->offset % 4)
			rsc_emit(c->out, c->src, R_OFF_ALIGN, (int)i, field, "0x%x", e->offset);
		if (e->offset < hdr_end)
			rsc_emit(c->out, c->src, R_OFF_IN_HEADER, (int)i, field, "0x%x (header and offsets end at 0x%llx)",
				 e->offset, (unsigned long long)hdr_end);
	}
	if (t->nentry < 2)
		return 1;
	sp = calloc(t->nentry, sizeof(*sp));
	if (!sp) {
		c->nomem = 1;
		return 1;
	}
	for (i = 0; i < t->nentry; i++) {
		const struct rplat_rsc_entry *e = &t->entry[i];

		if (!e->hdr_ok)
			continue;
		sp[n].start = e->offset;
		sp[n].end = e->offset + 4 + (e->complete ? e->need : e->avail);
		sp[n].entry = (int)i;
		n++;
	}
	qsort(sp, n, sizeof(*sp), span_cmp);
	for (i = 0; i < n; i++) {
		if (maxi >= 0 && sp[i].start < maxend) {
			snprintf(field, sizeof(field), "offset[%d]", sp[i].entry);
			rsc_emit(c->out, c->src, R_ENTRY_OVERLAP, sp[i].entry, field,
				 "0x%llx lies inside entry %d (0x%llx..0x%llx)", (unsigned long long)sp[i].start, maxi,
				 (unsigned long long)t->entry[maxi].offset, (unsigned long long)maxend);
		}
		if (maxi < 0 || sp[i].end > maxend) {
			maxend = sp[i].end;
			maxi = sp[i].entry;
		}
	}
	free(sp);
	return 1;
}

/* Only a carveout's name is read by the kernel (as a printf format: rproc_handle_carveout()). */
static void check_name(struct ctx *c, int idx, const struct rplat_rsc_entry *e)
{
	if (e->type != RSC_CARVEOUT)
		return;
	if (!e->name_terminated)
		rsc_emit(c->out, c->src, R_NAME_UNTERMINATED, idx, "carveout.name", "\"%s\"", e->name);
	if (strchr(e->name, '%'))
		rsc_emit(c->out, c->src, R_NAME_FORMAT, idx, "carveout.name", "\"%s\"", e->name);
}

static void check_wrap(struct ctx *c, int idx, const struct rplat_rsc_entry *e)
{
	char field[48];

	if (e->da == FW_RSC_ADDR_ANY || (uint64_t)e->da + e->len <= 0x100000000ull)
		return;
	snprintf(field, sizeof(field), "%s.len", type_name(e->type));
	rsc_emit(c->out, c->src, R_ADDR_WRAP, idx, field, "da 0x%x + len 0x%x", e->da, e->len);
}

static void check_vdev(struct ctx *c, int idx, const struct rplat_rsc_entry *e)
{
	unsigned i;
	char field[64];

	if (e->vreserved[0] || e->vreserved[1])
		rsc_emit(c->out, c->src, R_ENTRY_RESERVED, idx, "vdev.reserved", "[0x%x, 0x%x]", e->vreserved[0],
			 e->vreserved[1]);
	if (e->num_of_vrings > 2)
		rsc_emit(c->out, c->src, R_VDEV_VRINGS_MAX, idx, "vdev.num_of_vrings", "%u", e->num_of_vrings);
	for (i = 0; i < e->nvring; i++) {
		const struct rplat_rsc_vring *v = &e->vring[i];

		if (!v->num || !v->align) {
			snprintf(field, sizeof(field), "vring[%u].%s", i, !v->num ? "num" : "align");
			rsc_emit(c->out, c->src, R_VRING_ZERO, idx, field, "0");
			continue;
		}
		snprintf(field, sizeof(field), "vring[%u].num", i);
		if (!is_pow2(v->num))
			rsc_emit(c->out, c->src, R_VRING_NUM_POW2, idx, field, "%u", v->num);
		if (v->num > VRING_NUM_MAX)
			rsc_emit(c->out, c->src, R_VRING_NUM_MAX, idx, field, "%u", v->num);
		snprintf(field, sizeof(field), "vring[%u].align", i);
		if (!is_pow2(v->align))
			rsc_emit(c->out, c->src, R_VRING_ALIGN_POW2, idx, field, "%u", v->align);
		if (!c->mm->known && v->align < CACHE_LINE)
			rsc_emit_sev(c->out, c->src, R_VRING_ALIGN_CACHE, RPLAT_SEV_INFO, idx, field,
				     "%u (target unknown: a %u-byte cache line assumed)", v->align, CACHE_LINE);
		else if (c->mm->known && c->mm->dcache_line && v->align < c->mm->dcache_line)
			rsc_emit(c->out, c->src, R_VRING_ALIGN_CACHE, idx, field, "%u (%s: %u-byte cache line)",
				 v->align, c->mm->name, c->mm->dcache_line);
		if (v->da != FW_RSC_ADDR_ANY && is_pow2(v->align) && v->da % v->align) {
			snprintf(field, sizeof(field), "vring[%u].da", i);
			rsc_emit(c->out, c->src, R_VRING_DA_ALIGN, idx, field, "0x%x (align %u)", v->da, v->align);
		}
	}
	if (e->id != VIRTIO_ID_RPMSG)
		return;
	if (e->num_of_vrings != 2)
		rsc_emit(c->out, c->src, R_RPMSG_VRINGS, idx, "vdev.num_of_vrings", "%u", e->num_of_vrings);
	if (e->nvring >= 2 && e->vring[0].num && e->vring[1].num && e->vring[0].num != e->vring[1].num)
		rsc_emit(c->out, c->src, R_RPMSG_ASYM, idx, "vring[1].num", "%u (vring[0].num %u)", e->vring[1].num,
			 e->vring[0].num);
	if (!(e->dfeatures & (1u << VIRTIO_RPMSG_F_NS)))
		rsc_emit(c->out, c->src, R_RPMSG_NO_NS, idx, "vdev.dfeatures", "0x%x", e->dfeatures);
	if (e->status)
		rsc_emit(c->out, c->src, R_VDEV_STATUS, idx, "vdev.status", "0x%x", e->status);
}

/* Each entry, as its handler sees it. */
static int check_entries(struct ctx *c)
{
	const struct rplat_rsc *t = c->rsc;
	size_t i;
	char field[48];

	for (i = 0; i < t->nentry; i++) {
		const struct rplat_rsc_entry *e = &t->entry[i];
		const char *tn = type_name(e->type);
		int idx = (int)i;

		if (!e->hdr_ok)
			continue;
		if (e->type >= RSC_VENDOR_START && e->type <= RSC_VENDOR_END) {
			rsc_emit(c->out, c->src, R_TYPE_VENDOR, idx, "type", "%u", e->type);
			continue;
		}
		if (e->type >= RSC_LAST) {
			rsc_emit(c->out, c->src, R_TYPE_UNKNOWN, idx, "type", "%u", e->type);
			continue;
		}
		if (!e->complete) {
			snprintf(field, sizeof(field), "%s", tn);
			rsc_emit(c->out, c->src, R_ENTRY_TRUNCATED, idx, field,
				 "needs %llu bytes after its type word, %llu left in the table",
				 (unsigned long long)e->need, (unsigned long long)e->avail);
			continue;
		}
		if (e->type == RSC_VDEV) {
			check_vdev(c, idx, e);
			continue;
		}
		if (e->reserved) {
			snprintf(field, sizeof(field), "%s.reserved", tn);
			rsc_emit(c->out, c->src, R_ENTRY_RESERVED, idx, field, "0x%x", e->reserved);
		}
		check_name(c, idx, e);
		check_wrap(c, idx, e);
		switch (e->type) {
		case RSC_DEVMEM:
			if (c->mm->known && !c->mm->iommu)
				rsc_emit(c->out, c->src, R_DEVMEM_NO_IOMMU, idx, "type", "RSC_DEVMEM (%s has no IOMMU)",
					 c->mm->name);
			else if (!c->mm->known)
				rsc_emit(c->out, c->src, R_DEVMEM, idx, "type", "RSC_DEVMEM");
			break;
		case RSC_CARVEOUT:
			if (!e->len)
				rsc_emit(c->out, c->src, R_CARVEOUT_LEN0, idx, "carveout.len", "0");
			break;
		case RSC_TRACE:
			if (!e->len)
				rsc_emit(c->out, c->src, R_TRACE_LEN0, idx, "trace.len", "0");
			if (e->da == FW_RSC_ADDR_ANY)
				rsc_emit(c->out, c->src, R_TRACE_DA_ANY, idx, "trace.da", "0x%x", e->da);
			break;
		}
	}
	return 1;
}

/* Duplicate notifyids over every vring of every complete vdev. */
static int check_notifyids(struct ctx *c)
{
	const struct rplat_rsc *t = c->rsc;
	struct span *sp;
	size_t i, n = 0, nv = 0;
	unsigned j;
	int vdevs = 0;
	char field[48];

	for (i = 0; i < t->nentry; i++)
		if (t->entry[i].hdr_ok && t->entry[i].type == RSC_VDEV) {
			vdevs++;
			nv += t->entry[i].nvring;
		}
	if (!vdevs && t->num)
		rsc_emit(c->out, c->src, R_NO_VDEV, -1, "entries", "no RSC_VDEV among %u", t->num);
	if (nv < 2)
		return 1;
	sp = calloc(nv, sizeof(*sp));
	if (!sp) {
		c->nomem = 1;
		return 1;
	}
	for (i = 0; i < t->nentry; i++) {
		const struct rplat_rsc_entry *e = &t->entry[i];

		if (!e->hdr_ok || e->type != RSC_VDEV)
			continue;
		for (j = 0; j < e->nvring; j++) {
			if (e->vring[j].notifyid == FW_RSC_ADDR_ANY)
				continue;
			sp[n].start = e->vring[j].notifyid;
			sp[n].entry = (int)i;
			snprintf(sp[n].what, sizeof(sp[n].what), "vring[%u].notifyid", j);
			n++;
		}
	}
	qsort(sp, n, sizeof(*sp), span_cmp);
	for (i = 1; i < n; i++) {
		if (sp[i].start != sp[i - 1].start)
			continue;
		snprintf(field, sizeof(field), "%s", sp[i].what);
		rsc_emit(c->out, c->src, R_NOTIFYID_DUP, sp[i].entry, field, "%llu (also entry %d %s)",
			 (unsigned long long)sp[i].start, sp[i - 1].entry, sp[i - 1].what);
	}
	free(sp);
	return 1;
}

/* Exact bytes of a vring (not page-aligned), for the overlap sweep. */
static uint64_t vring_exact(uint32_t num, uint32_t align)
{
	uint64_t sz = 16ull * num + 2ull * (3ull + num);

	sz = (sz + align - 1) / align * align;
	return sz + 6ull + 8ull * num;
}

/* Inside a region that vrings are allocated from (the DMA pool, or a vdevNvringM region)? Regions may
 * nest (the STM32 MCU SRAM holds vdev0vring0), so every region is asked, not only the first match. */
static int in_pool(const struct rplat_memmap *mm, uint64_t da, uint64_t len)
{
	size_t i;

	for (i = 0; i < mm->n; i++)
		if ((mm->r[i].flags & RPLAT_MEM_DMA_POOL) && range_in(mm->r[i].start, mm->r[i].size, da, len))
			return 1;
	return 0;
}

/* Fixed device addresses: inside the memory map or the image, not on top of each other. */
static int check_placement(struct ctx *c)
{
	const struct rplat_rsc *t = c->rsc;
	const struct rplat_fw *fw = c->fw;
	struct span *sp;
	size_t i, n = 0, cap = 0;
	unsigned j;
	uint64_t maxend = 0;
	int maxi = -1, skipped = 0, pool = 0;
	char field[48];

	for (i = 0; i < c->mm->n; i++)
		pool |= !!(c->mm->r[i].flags & RPLAT_MEM_DMA_POOL);
	for (i = 0; i < t->nentry; i++)
		if (t->entry[i].hdr_ok && t->entry[i].complete)
			cap += t->entry[i].type == RSC_VDEV ? t->entry[i].nvring : 1;
	if (!cap)
		return 1;
	sp = calloc(cap, sizeof(*sp));
	if (!sp) {
		c->nomem = 1;
		return 1;
	}
	for (i = 0; i < t->nentry; i++) {
		const struct rplat_rsc_entry *e = &t->entry[i];

		if (!e->hdr_ok || !e->complete)
			continue;
		if ((e->type == RSC_CARVEOUT || e->type == RSC_TRACE) && e->da != FW_RSC_ADDR_ANY && e->len) {
			sp[n].start = e->da;
			sp[n].end = (uint64_t)e->da + e->len;
			sp[n].entry = (int)i;
			snprintf(sp[n].what, sizeof(sp[n].what), "%s.da", type_name(e->type));
			n++;
		}
		if (e->type != RSC_VDEV)
			continue;
		for (j = 0; j < e->nvring; j++) {
			const struct rplat_rsc_vring *v = &e->vring[j];

			if (v->da == FW_RSC_ADDR_ANY || !v->num || !v->align)
				continue;
			sp[n].start = v->da;
			sp[n].end = v->da + vring_exact(v->num, v->align);
			sp[n].entry = (int)i;
			snprintf(sp[n].what, sizeof(sp[n].what), "vring[%u].da", j);
			n++;
		}
	}
	for (i = 0; i < n; i++) {
		const struct span *s = &sp[i];
		const struct rplat_rsc_entry *e = &t->entry[s->entry];
		uint64_t len = s->end - s->start;
		int is_trace = e->type == RSC_TRACE, is_vring = e->type == RSC_VDEV;
		const struct rplat_mem_region *r = NULL;
		int in_seg = fw->is_elf && in_segment(fw, s->start, len);

		if (is_trace && fw->is_elf && fw->elf_ok && !in_seg && !in_nobits(fw, s->start, len)) {
			size_t k;
			int in_carveout = 0;

			for (k = 0; k < t->nentry; k++) {
				const struct rplat_rsc_entry *o = &t->entry[k];

				if (o->hdr_ok && o->complete && o->type == RSC_CARVEOUT && o->da != FW_RSC_ADDR_ANY &&
				    range_in(o->da, o->len, s->start, len))
					in_carveout = 1;
			}
			if (!in_carveout)
				rsc_emit(c->out, c->src, R_TRACE_NOT_LOADED, s->entry, s->what, "0x%llx + len 0x%llx",
					 (unsigned long long)s->start, (unsigned long long)len);
		}
		if (c->mm->known) {
			r = rplat_memmap_find(c->mm, s->start, len);
			if (!r && !in_seg)
				rsc_emit(c->out, c->src, R_OUTSIDE_MEMORY, s->entry, s->what,
					 "0x%llx + 0x%llx (not in %s)", (unsigned long long)s->start,
					 (unsigned long long)len, c->mm->name);
			else if (is_vring && pool && r && !in_pool(c->mm, s->start, len))
				rsc_emit(c->out, c->src, R_VRING_DA_POOL, s->entry, s->what, "0x%llx (in %s)",
					 (unsigned long long)s->start, r->name);
		} else if (fw->is_elf && fw->elf_ok) {
			if (!in_seg && !is_trace)
				rsc_emit(c->out, c->src, R_OUTSIDE_SEGMENTS, s->entry, s->what, "0x%llx + 0x%llx",
					 (unsigned long long)s->start, (unsigned long long)len);
		} else {
			skipped = 1;
		}
	}
	if (skipped)
		rsc_emit(c->out, c->src, R_PLACEMENT_SKIPPED, -1, "memory map", "%s", c->mm->name);
	qsort(sp, n, sizeof(*sp), span_cmp);
	for (i = 0; i < n; i++) {
		if (maxi >= 0 && sp[i].start < maxend) {
			snprintf(field, sizeof(field), "%s", sp[i].what);
			rsc_emit(c->out, c->src, R_MEM_OVERLAP, sp[i].entry, field, "0x%llx overlaps entry %d (..0x%llx)",
				 (unsigned long long)sp[i].start, maxi, (unsigned long long)maxend);
		}
		if (maxi < 0 || sp[i].end > maxend) {
			maxend = sp[i].end;
			maxi = sp[i].entry;
		}
	}
	free(sp);
	return 1;
}

/* The checks in the order the kernel meets the problems; a step returning 0 ends the walk (nothing after
 * it can be examined). The table ones are skipped when the image has no table. */
static const struct check_step {
	const char *name;
	int needs_table;
	int (*fn)(struct ctx *c);
} steps[] = {
	{ "image", 0, check_image },
	{ "header", 1, check_header },
	{ "offsets", 1, check_offsets },
	{ "entries", 1, check_entries },
	{ "notifyids", 1, check_notifyids },
	{ "placement", 1, check_placement },
};

int rplat_fw_check(const struct rplat_fw *fw, const struct rplat_memmap *mm, struct rplat_findings *out)
{
	struct ctx c = { fw, rplat_fw_rsc(fw), mm, out, fw->name, 0 };
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (steps[i].needs_table && !c.rsc)
			break;
		if (!steps[i].fn(&c))
			break;
	}
	if (c.rsc)
		rplat_ring_check_rsc(c.rsc, c.src, out); /* the rplat-ring carveout: ring_check.c */
	return c.nomem || out->oom ? -1 : 0;
}
