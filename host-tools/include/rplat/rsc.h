/* Firmware images and their resource tables, checked as Linux remoteproc would load them.
 *
 * A firmware image is an ELF (read with libelf) or a raw resource-table dump; rplat_fw_load() tells them
 * apart by the ELF magic. Loading only fails when the bytes cannot be read at all: everything wrong
 * *inside* the image (a truncated header, a missing .resource_table, a bad offset) becomes a finding, so
 * that `rplat check rsc` can say all of it at once.
 *
 * rplat_fw_check() then applies every rule the kernel applies (those findings carry
 * RPLAT_FINDING_REFUSED) and the field lints on top (overlaps, alignment, geometry, memory placement).
 * The rules are a table (rplat_rsc_rules()), each with a stable identifier, severity and reason. */
#ifndef RPLAT_RSC_H
#define RPLAT_RSC_H

#include <stddef.h>
#include <stdint.h>

#include "rplat/findings.h"
#include "rplat/wire/rsc_table.h"

/* ---- memory maps: where the remote core can reach ---- */

#define RPLAT_MEM_INTERNAL 0x1u /* on-chip RAM of the core (IRAM, DRAM, TCM) */
#define RPLAT_MEM_DDR 0x2u      /* DDR reserved for the firmware (mapped 1:1) */
#define RPLAT_MEM_DMA_POOL 0x4u /* the vdev DMA pool: vrings and buffers are allocated here */
#define RPLAT_MEM_DEFAULT 0x8u  /* taken from a reference board's device tree, not from this board's */

struct rplat_mem_region {
	char name[48];
	uint64_t start; /* device address, as the remote core sees it */
	uint64_t size;
	unsigned flags;
};

#define RPLAT_MEMMAP_MAX 32
struct rplat_memmap {
	char name[32];     /* "am62x-m4f", "none" */
	int known;         /* 0 for "none": nothing is known about the target */
	int iommu;         /* the core sits behind an IOMMU (RSC_DEVMEM works) */
	uint16_t machine;  /* expected ELF e_machine, 0 if any */
	const char *compatible; /* the DT compatible of the cores it describes, NULL for "none" */
	int needs_rsc;     /* the driver refuses an image without a resource table (TI K3) */
	unsigned dcache_line; /* the core's data-cache line in bytes, 0 when it has no data cache */
	size_t n;
	struct rplat_mem_region r[RPLAT_MEMMAP_MAX];
};

/* Fill 'mm' with a named map ("am62x-m4f", "stm32mp1-m4", "imx8mp-cm7" or "none"). Returns 0, or -1 for an
 * unknown name. */
int rplat_memmap_get(const char *name, struct rplat_memmap *mm);
/* Names accepted by rplat_memmap_get(), NULL-terminated. */
extern const char *const rplat_memmap_names[];
/* Add a region. Returns 0, or -1 when the map is full. */
int rplat_memmap_add(struct rplat_memmap *mm, const char *name, uint64_t start, uint64_t size, unsigned flags);
/* The region that holds all of [da, da + len), or NULL. len 0 is treated as 1. */
const struct rplat_mem_region *rplat_memmap_find(const struct rplat_memmap *mm, uint64_t da, uint64_t len);

/* ---- the parsed resource table ---- */

struct rplat_rsc_vring {
	uint32_t da, align, num, notifyid, pa;
};

struct rplat_rsc_entry {
	uint32_t offset;      /* from the offset array */
	int hdr_ok;           /* the 4-byte type word lies inside the table */
	uint32_t type;        /* RSC_* (0 when !hdr_ok) */
	uint64_t avail;       /* bytes from the body to the end of the table (0 when !hdr_ok) */
	uint64_t need;        /* bytes the body needs for its type (0 for unknown types) */
	int complete;         /* the whole body lies inside the table */
	/* RSC_CARVEOUT, RSC_DEVMEM, RSC_TRACE (bytes past the table read as 0) */
	uint32_t da, pa, len, flags, reserved;
	char name[33];        /* NUL-terminated copy */
	int name_terminated;  /* the 32-byte name holds a NUL */
	/* RSC_VDEV */
	uint32_t id, notifyid, dfeatures, gfeatures, config_len;
	uint8_t status, num_of_vrings, vreserved[2];
	unsigned nvring;               /* vrings that lie inside the table (<= num_of_vrings) */
	struct rplat_rsc_vring *vring; /* nvring of them */
};

struct rplat_rsc {
	size_t size;          /* bytes of the table (section size, or the dump's size) */
	int header_ok;        /* size >= 16 */
	uint32_t ver, num, reserved[2];
	uint32_t noffsets;    /* offsets that lie inside the table (<= num) */
	size_t nentry;        /* entries parsed (<= noffsets, at most RPLAT_RSC_MAX_ENTRIES) */
	struct rplat_rsc_entry *entry;
	int da_known;         /* the table's own device address is known (an ELF's sh_addr) */
	uint64_t da;
};

/* More entries than this are counted but not parsed (real tables have a handful). */
#define RPLAT_RSC_MAX_ENTRIES 4096

/* Parse 'len' bytes as a resource table. Never fails on content; returns 0, or -1 with errno ENOMEM. */
int rplat_rsc_parse(struct rplat_rsc *rsc, const void *buf, size_t len);
/* Free what rplat_rsc_parse() allocated. No operation on NULL. */
void rplat_rsc_release(struct rplat_rsc *rsc);

/* Bytes remoteproc reserves for one vring: PAGE_ALIGN(vring_size(num, align)) with 4 KiB pages;
 * align need not be a power of two here (rounded up arithmetically). 0 when num or align is 0. */
uint64_t rplat_rsc_vring_bytes(uint32_t num, uint32_t align);
/* RPMsg buffers the host allocates for a vdev whose vring0 has 'num' entries: 2*num if num < 256, else
 * 512 (virtio_rpmsg_bus), half for RX and half for TX, 512 bytes each. */
uint32_t rplat_rsc_rpmsg_nbufs(uint32_t num);

/* ---- firmware images ---- */

struct rplat_fw; /* opaque */

struct rplat_fw_seg {
	int index;        /* program header index */
	uint64_t offset;  /* p_offset */
	uint64_t da;      /* p_paddr: where remoteproc loads it */
	uint64_t vaddr;   /* p_vaddr */
	uint64_t filesz, memsz;
	uint32_t flags;
};

/* A section that occupies memory but no file bytes (SHF_ALLOC + SHT_NOBITS), e.g. .bss. */
struct rplat_fw_sec {
	char name[32];
	uint64_t addr, size;
};

/**
 * rplat_fw_load - read a firmware ELF or a raw resource-table dump
 * @path: the file
 * @fwp: where to store the image (free with rplat_fw_free)
 * @err: buffer for an error message naming the file
 * @errlen: its size
 *
 * Returns 0, or -1 with a message in err when the file cannot be opened or read (or memory runs out).
 * A malformed file loads fine: what is wrong with it is reported by rplat_fw_check().
 */
int rplat_fw_load(const char *path, struct rplat_fw **fwp, char *err, size_t errlen);

/**
 * rplat_fw_parse - the same from memory
 * @buf: the image (copied: the caller keeps ownership)
 * @len: its size
 * @name: what findings call it (a file name)
 * @fwp: where to store the image
 *
 * Returns 0, or -1 with errno ENOMEM.
 */
int rplat_fw_parse(const void *buf, size_t len, const char *name, struct rplat_fw **fwp);
void rplat_fw_free(struct rplat_fw *fw);

const char *rplat_fw_name(const struct rplat_fw *fw);
int rplat_fw_is_elf(const struct rplat_fw *fw);
/* The resource table, or NULL when the image has none (or an ELF whose section lies outside the file). */
const struct rplat_rsc *rplat_fw_rsc(const struct rplat_fw *fw);
/* PT_LOAD segments with a non-zero memsz, in program-header order. */
const struct rplat_fw_seg *rplat_fw_segments(const struct rplat_fw *fw, size_t *n);
const struct rplat_fw_sec *rplat_fw_nobits(const struct rplat_fw *fw, size_t *n);
/* One line: "ELF32 ARM, 3 loadable segments, .resource_table 140 bytes at 0x3f000" or "raw table, ..." */
void rplat_fw_describe(const struct rplat_fw *fw, char *buf, size_t len);

/**
 * rplat_fw_check - check an image against the kernel's rules and the field lints
 * @fw: the image
 * @mm: the target's memory map (a "none" map skips the placement checks that need one)
 * @out: findings are appended here
 *
 * Returns 0, or -1 if memory ran out (the findings so far are kept).
 */
int rplat_fw_check(const struct rplat_fw *fw, const struct rplat_memmap *mm, struct rplat_findings *out);

/* ---- the rule table ---- */

/* Every rule rplat_fw_check() can report, in the order it applies them. */
const struct rplat_rule *rplat_rsc_rules(size_t *n);

#endif
