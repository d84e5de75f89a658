/* Private to rsc_parse.c, elf_fw.c and rsc_check.c: the firmware image and the rule identifiers. */
#ifndef RPLAT_RSC_LOCAL_H
#define RPLAT_RSC_LOCAL_H

#include "rplat/rsc.h"

/* Rule identifiers: indices into the rule table in rsc_check.c, in the order the checks apply them. */
enum rsc_rule {
	/* the ELF file, as rproc_elf_sanity_check() and rproc_elf_load_segments() see it */
	R_ELF_TRUNCATED,
	R_ELF_CLASS,
	R_ELF_ENDIAN,
	R_ELF_NO_PHDRS,
	R_ELF_PHDRS_OUTSIDE,
	R_ELF_SHDRS_OUTSIDE,
	R_ELF_UNREADABLE,
	R_ELF_MACHINE,
	R_ELF_SEG_MEMSZ,
	R_ELF_SEG_TRUNCATED,
	R_ELF_SEG_DA,
	R_ELF_SEG_OVERLAP,
	/* the .resource_table section */
	R_ELF_NO_RSC,
	R_ELF_NO_RSC_BOOTS,
	R_ELF_RSC_DUP,
	R_ELF_RSC_NOBITS,
	R_ELF_RSC_TRUNCATED,
	R_ELF_RSC_NOT_LOADED,
	R_RAW_INPUT,
	/* the table header (find_table) */
	R_RSC_SIZE,
	R_RSC_VER,
	R_RSC_RESERVED,
	R_RSC_OFFSETS_TRUNCATED,
	R_RSC_EMPTY,
	R_RSC_TOO_MANY,
	/* entries (rproc_handle_resources and the handlers) */
	R_OFF_RANGE,
	R_OFF_ALIGN,
	R_OFF_IN_HEADER,
	R_ENTRY_OVERLAP,
	R_ENTRY_TRUNCATED,
	R_ENTRY_RESERVED,
	R_TYPE_UNKNOWN,
	R_TYPE_VENDOR,
	R_NAME_UNTERMINATED,
	R_NAME_FORMAT,
	R_DEVMEM_NO_IOMMU,
	R_DEVMEM,
	R_CARVEOUT_LEN0,
	R_ADDR_WRAP,
	R_TRACE_LEN0,
	R_TRACE_DA_ANY,
	R_TRACE_NOT_LOADED,
	R_VDEV_VRINGS_MAX,
	R_VRING_ZERO,
	R_RPMSG_VRINGS,
	R_VRING_NUM_POW2,
	R_VRING_NUM_MAX,
	R_VRING_ALIGN_POW2,
	R_VRING_ALIGN_CACHE,
	R_VRING_DA_ALIGN,
	R_RPMSG_ASYM,
	R_RPMSG_NO_NS,
	R_VDEV_STATUS,
	R_NOTIFYID_DUP,
	R_NO_VDEV,
	/* placement in memory */
	R_OUTSIDE_MEMORY,
	R_OUTSIDE_SEGMENTS,
	R_VRING_DA_POOL,
	R_MEM_OVERLAP,
	R_PLACEMENT_SKIPPED,
	R__COUNT
};

struct rplat_fw {
	char *name;
	uint8_t *image; /* private copy of the file */
	size_t len;
	int mapped;     /* image is a private mapping (munmap), else malloc'd */

	int is_elf;
	int elf_ok;            /* libelf read the headers: segments and sections below are valid */
	int elf_class;         /* ELFCLASS32 / ELFCLASS64 */
	int elf_data;          /* ELFDATA2LSB / ELFDATA2MSB */
	uint16_t machine;
	size_t nphdr;          /* program headers, loadable or not */

	struct rplat_fw_seg *seg; /* PT_LOAD with memsz != 0 */
	size_t nseg;
	struct rplat_fw_sec *nobits;
	size_t nnobits;

	int have_rsc;          /* a resource table was found and lies inside the file */
	size_t rsc_sections;   /* .resource_table sections in the ELF */
	uint64_t rsc_offset;   /* file offset of the table */
	struct rplat_rsc rsc;

	struct rplat_findings parse; /* what was wrong while reading the image */
};

/* Append the finding for rule 'r': 'field' is the offending field, the value is printf-formatted. */
void rsc_emit(struct rplat_findings *fs, const char *source, enum rsc_rule r, int entry, const char *field,
	      const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* The same with a severity other than the rule's own. */
void rsc_emit_sev(struct rplat_findings *fs, const char *source, enum rsc_rule r, enum rplat_severity sev,
		  int entry, const char *field, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Read the ELF headers of fw->image into fw (segments, NOBITS sections, the .resource_table), recording
 * problems in fw->parse. Returns 0, or -1 on ENOMEM. */
int rplat_fw_read_elf(struct rplat_fw *fw);

/* Little-endian reads that yield 0 past 'len'. */
static inline uint32_t rsc_le32(const uint8_t *p, size_t len, uint64_t off)
{
	uint32_t v = 0;
	int i;

	for (i = 3; i >= 0; i--)
		v = (v << 8) | (off + (uint64_t)i < len ? p[off + (uint64_t)i] : 0);
	return v;
}

static inline uint8_t rsc_u8(const uint8_t *p, size_t len, uint64_t off)
{
	return off < len ? p[off] : 0;
}

#endif
