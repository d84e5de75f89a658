/* Resource-table and firmware-image checks (host-tools/lib/rsc_*.c, elf_fw.c).
 *
 * Every table is built here, and wrapped in a minimal ELF32 ARM image written byte by byte (program
 * headers, .text, .resource_table, .bss, .shstrtab), so the tests exercise the same path as a real
 * firmware file. A clean TI-style table (one rpmsg vdev with two vrings, a trace buffer: 140 bytes) must
 * pass with no finding at all; then one image per rule breaks exactly that rule, and a last test checks
 * that every rule in the table has such an image. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rplat/rsc.h"

/* ---- table builder ---- */

#define TBL_MAX 65536

struct tbl {
	uint8_t b[TBL_MAX];
	size_t len;
};

static void put32(struct tbl *t, size_t off, uint32_t v)
{
	assert_true(off + 4 <= TBL_MAX);
	t->b[off] = (uint8_t)v;
	t->b[off + 1] = (uint8_t)(v >> 8);
	t->b[off + 2] = (uint8_t)(v >> 16);
	t->b[off + 3] = (uint8_t)(v >> 24);
	if (off + 4 > t->len)
		t->len = off + 4;
}

static void put8(struct tbl *t, size_t off, uint8_t v)
{
	t->b[off] = v;
	if (off + 1 > t->len)
		t->len = off + 1;
}

static void tbl_header(struct tbl *t, uint32_t num)
{
	memset(t, 0, sizeof(*t));
	put32(t, 0, 1);
	put32(t, 4, num);
	put32(t, 8, 0);
	put32(t, 12, 0);
}

static void tbl_offset(struct tbl *t, unsigned i, uint32_t off)
{
	put32(t, 16 + 4 * i, off);
}

static void tbl_name(struct tbl *t, size_t off, const char *name)
{
	size_t i;

	for (i = 0; i < 32; i++)
		put8(t, off + i, 0);
	memcpy(t->b + off, name, strlen(name) < 32 ? strlen(name) : 32);
}

/* carveout or devmem at 'off' (type word included) */
static void tbl_carveout(struct tbl *t, size_t off, uint32_t type, uint32_t da, uint32_t len, const char *name)
{
	put32(t, off, type);
	put32(t, off + 4, da);
	put32(t, off + 8, FW_RSC_ADDR_ANY);
	put32(t, off + 12, len);
	put32(t, off + 16, 0);
	put32(t, off + 20, 0);
	tbl_name(t, off + 24, name);
}

static void tbl_trace(struct tbl *t, size_t off, uint32_t da, uint32_t len, const char *name)
{
	put32(t, off, RSC_TRACE);
	put32(t, off + 4, da);
	put32(t, off + 8, len);
	put32(t, off + 12, 0);
	tbl_name(t, off + 16, name);
}

static void tbl_vdev(struct tbl *t, size_t off, uint8_t nvrings)
{
	put32(t, off, RSC_VDEV);
	put32(t, off + 4, VIRTIO_ID_RPMSG);
	put32(t, off + 8, 0);  /* notifyid */
	put32(t, off + 12, 1); /* dfeatures: VIRTIO_RPMSG_F_NS */
	put32(t, off + 16, 0); /* gfeatures */
	put32(t, off + 20, 0); /* config_len */
	put8(t, off + 24, 0);  /* status */
	put8(t, off + 25, nvrings);
	put8(t, off + 26, 0);
	put8(t, off + 27, 0);
}

/* vring i of the vdev whose type word is at 'vdev_off' */
static void tbl_vring(struct tbl *t, size_t vdev_off, unsigned i, uint32_t da, uint32_t align, uint32_t num,
		      uint32_t notifyid)
{
	size_t o = vdev_off + 4 + 24 + 20 * i;

	put32(t, o, da);
	put32(t, o + 4, align);
	put32(t, o + 8, num);
	put32(t, o + 12, notifyid);
	put32(t, o + 16, 0);
}

/* Offsets in the TI layout */
#define TI_VDEV 24u
#define TI_TRACE 92u
#define TRACE_DA 0x31000u /* inside .bss */

/* The MCU+ SDK echo table (FACTS section 2): 140 bytes. */
static void tbl_ti(struct tbl *t)
{
	tbl_header(t, 2);
	tbl_offset(t, 0, TI_VDEV);
	tbl_offset(t, 1, TI_TRACE);
	tbl_vdev(t, TI_VDEV, 2);
	tbl_vring(t, TI_VDEV, 0, FW_RSC_ADDR_ANY, 4096, 256, 1);
	tbl_vring(t, TI_VDEV, 1, FW_RSC_ADDR_ANY, 4096, 256, 2);
	tbl_trace(t, TI_TRACE, TRACE_DA, 0x1000, "trace:m4fss0_0");
	assert_int_equal(t->len, 140);
}

/* ---- ELF32 builder ---- */

struct seg {
	uint32_t type, offset, vaddr, paddr, filesz, memsz;
};

struct sec {
	const char *name;
	uint32_t type, flags, addr, size;
	int data; /* 0: none, 1: .text bytes, 2: the table */
	uint32_t offset_override;
	int has_offset_override;
};

struct spec {
	int raw;              /* write the table alone, not an ELF */
	struct tbl t;
	uint32_t tbl_addr;
	uint16_t machine;
	uint8_t ei_class, ei_data;
	struct seg seg[8];
	int nseg;
	struct sec sec[8];
	int nsec;
	int truncate;         /* cut the file to this many bytes (0: no) */
	int phoff_override;   /* 1: e_phoff = phoff_value */
	uint32_t phoff_value;
	int shnum_extra;      /* claim more section headers than written */
	uint8_t ei_version;   /* e_ident[EI_VERSION] (1) */
	const char *memmap;
};

#define SHT_PROGBITS_ 1u
#define SHT_STRTAB_ 3u
#define SHT_NOBITS_ 8u
#define SHF_ALLOC_ 2u
#define SHF_EXEC_ 4u
#define SHF_WRITE_ 1u
#define PT_LOAD_ 1u
#define TEXT_SIZE 0x100u

static void spec_default(struct spec *s)
{
	memset(s, 0, sizeof(*s));
	tbl_ti(&s->t);
	s->tbl_addr = 0x30000;
	s->machine = 40; /* EM_ARM */
	s->ei_class = 1;
	s->ei_data = 1;
	s->ei_version = 1;
	/* .text in IRAM; .resource_table + .bss in DRAM. Segment offsets are filled in by the writer. */
	s->seg[0] = (struct seg){ PT_LOAD_, 0, 0x0, 0x0, TEXT_SIZE, TEXT_SIZE };
	s->seg[1] = (struct seg){ PT_LOAD_, 0, 0x30000, 0x30000, 0, 0x2000 }; /* filesz = table size */
	s->nseg = 2;
	s->sec[0] = (struct sec){ ".text", SHT_PROGBITS_, SHF_ALLOC_ | SHF_EXEC_, 0x0, TEXT_SIZE, 1, 0, 0 };
	s->sec[1] = (struct sec){ ".resource_table", SHT_PROGBITS_, SHF_ALLOC_, 0x30000, 0, 2, 0, 0 };
	s->sec[2] = (struct sec){ ".bss", SHT_NOBITS_, SHF_ALLOC_ | SHF_WRITE_, 0x31000, 0x1000, 0, 0, 0 };
	s->nsec = 3;
	s->memmap = "am62x-m4f";
}

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static size_t bput(struct buf *b, const void *data, size_t n)
{
	size_t at = b->len;

	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 256;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	if (data)
		memcpy(b->p + b->len, data, n);
	else
		memset(b->p + b->len, 0, n);
	b->len += n;
	return at;
}

static void w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void w32(uint8_t *p, uint32_t v)
{
	w16(p, (uint16_t)v);
	w16(p + 2, (uint16_t)(v >> 16));
}

static uint8_t *build(const struct spec *s, size_t *len)
{
	struct buf b = { 0 };
	uint8_t text[TEXT_SIZE];
	size_t phoff, text_off, tbl_off, str_off, sh_off, name_off[8], i;
	uint32_t tbl_len = (uint32_t)s->t.len;
	char strtab[512];
	size_t strlen_ = 1;
	int nsh;

	if (s->raw) {
		uint8_t *p = malloc(s->t.len + 1);

		assert_non_null(p);
		memcpy(p, s->t.b, s->t.len);
		*len = s->t.len;
		return p;
	}
	memset(text, 0xbf, sizeof(text)); /* BKPT-ish filler */
	bput(&b, NULL, 52);
	phoff = bput(&b, NULL, 32 * (size_t)s->nseg);
	text_off = bput(&b, text, sizeof(text));
	while (b.len % 8)
		bput(&b, NULL, 1);
	tbl_off = bput(&b, s->t.b, s->t.len);

	/* section names */
	memset(strtab, 0, sizeof(strtab));
	for (i = 0; i < (size_t)s->nsec; i++) {
		name_off[i] = strlen_;
		strcpy(strtab + strlen_, s->sec[i].name);
		strlen_ += strlen(s->sec[i].name) + 1;
	}
	name_off[s->nsec] = strlen_;
	strcpy(strtab + strlen_, ".shstrtab");
	strlen_ += 10;
	str_off = bput(&b, strtab, strlen_);
	while (b.len % 4)
		bput(&b, NULL, 1);
	nsh = s->nsec + 2;
	sh_off = bput(&b, NULL, 40 * (size_t)nsh);

	/* ELF header */
	memcpy(b.p, "\x7f" "ELF", 4);
	b.p[4] = s->ei_class;
	b.p[5] = s->ei_data;
	b.p[6] = s->ei_version;
	w16(b.p + 16, 2); /* ET_EXEC */
	w16(b.p + 18, s->machine);
	w32(b.p + 20, 1);
	w32(b.p + 24, 0x1); /* entry */
	w32(b.p + 28, s->phoff_override ? s->phoff_value : (s->nseg ? (uint32_t)phoff : 0));
	w32(b.p + 32, (uint32_t)sh_off);
	w32(b.p + 36, 0x5000000); /* EF_ARM_EABI_VER5 */
	w16(b.p + 40, 52);
	w16(b.p + 42, 32);
	w16(b.p + 44, (uint16_t)s->nseg);
	w16(b.p + 46, 40);
	w16(b.p + 48, (uint16_t)(nsh + s->shnum_extra));
	w16(b.p + 50, (uint16_t)(nsh - 1));

	/* program headers */
	for (i = 0; i < (size_t)s->nseg; i++) {
		uint8_t *ph = b.p + phoff + 32 * i;
		const struct seg *g = &s->seg[i];
		uint32_t off = g->offset, filesz = g->filesz;

		if (!off)
			off = (uint32_t)(i == 0 ? text_off : tbl_off);
		if (i == 1 && !filesz)
			filesz = tbl_len;
		w32(ph, g->type);
		w32(ph + 4, off);
		w32(ph + 8, g->vaddr);
		w32(ph + 12, g->paddr);
		w32(ph + 16, filesz);
		w32(ph + 20, g->memsz);
		w32(ph + 24, i == 0 ? 5 : 6);
		w32(ph + 28, 4);
	}
	/* section headers: [0] null, sections, .shstrtab */
	for (i = 0; i < (size_t)s->nsec; i++) {
		uint8_t *sh = b.p + sh_off + 40 * (i + 1);
		const struct sec *x = &s->sec[i];
		uint32_t off = x->data == 1 ? (uint32_t)text_off : x->data == 2 ? (uint32_t)tbl_off : (uint32_t)tbl_off;
		uint32_t size = x->data == 2 && !x->size ? tbl_len : x->size;

		if (x->has_offset_override)
			off = x->offset_override;
		w32(sh, (uint32_t)name_off[i]);
		w32(sh + 4, x->type);
		w32(sh + 8, x->flags);
		w32(sh + 12, x->addr);
		w32(sh + 16, off);
		w32(sh + 20, size);
		w32(sh + 32, 4);
	}
	{
		uint8_t *sh = b.p + sh_off + 40 * (size_t)(nsh - 1);

		w32(sh, (uint32_t)name_off[s->nsec]);
		w32(sh + 4, SHT_STRTAB_);
		w32(sh + 16, (uint32_t)str_off);
		w32(sh + 20, (uint32_t)strlen_);
		w32(sh + 32, 1);
	}
	*len = s->truncate && (size_t)s->truncate < b.len ? (size_t)s->truncate : b.len;
	return b.p;
}

/* With RSC_FIXTURE_DIR set, every image built is also written there as NAME.elf (or NAME.bin for a raw
 * table), so that the CLI tests, the fuzz seeds and the benchmark use the very same images. */
static void save_image(const char *name, const struct spec *s, const uint8_t *img, size_t len)
{
	const char *dir = getenv("RSC_FIXTURE_DIR");
	char path[1024];
	FILE *f;

	if (!dir || !name)
		return;
	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, s->raw ? "bin" : "elf");
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(img, 1, len, f), len);
	fclose(f);
}

/* Build, load from memory, check. The caller frees 'fs'. */
static void run_spec_named(const struct spec *s, struct rplat_findings *fs, const char *name)
{
	struct rplat_memmap mm;
	struct rplat_fw *fw;
	uint8_t *img;
	size_t len;

	img = build(s, &len);
	save_image(name, s, img, len);
	assert_int_equal(rplat_memmap_get(s->memmap, &mm), 0);
	assert_int_equal(rplat_fw_parse(img, len, "test.elf", &fw), 0);
	rplat_findings_init(fs);
	assert_int_equal(rplat_fw_check(fw, &mm, fs), 0);
	rplat_fw_free(fw);
	free(img);
}

static void run_spec(const struct spec *s, struct rplat_findings *fs)
{
	run_spec_named(s, fs, NULL);
}

static void dump(const struct rplat_findings *fs)
{
	rplat_findings_write_text(stderr, fs, RPLAT_SEV_INFO);
}

/* ---- the clean tables ---- */

static void test_ti_table_clean(void **state)
{
	struct rplat_findings fs;
	struct spec s;

	(void)state;
	spec_default(&s);
	run_spec_named(&s, &fs, "ti-clean");
	if (fs.n)
		dump(&fs);
	assert_int_equal(fs.n, 0);
	assert_int_equal(rplat_findings_worst(&fs), -1);
	assert_int_equal(rplat_findings_exit_code(&fs), 0);
	rplat_findings_free(&fs);
}

static void test_ti_table_parsed(void **state)
{
	const struct rplat_rsc *t;
	struct rplat_memmap mm;
	struct rplat_fw *fw;
	struct spec s;
	uint8_t *img;
	size_t len, nseg;

	(void)state;
	spec_default(&s);
	img = build(&s, &len);
	assert_int_equal(rplat_fw_parse(img, len, "ti.elf", &fw), 0);
	assert_true(rplat_fw_is_elf(fw));
	t = rplat_fw_rsc(fw);
	assert_non_null(t);
	assert_int_equal(t->size, 140);
	assert_int_equal(t->num, 2);
	assert_int_equal(t->nentry, 2);
	assert_int_equal(t->entry[0].type, RSC_VDEV);
	assert_int_equal(t->entry[0].nvring, 2);
	assert_int_equal(t->entry[0].vring[1].notifyid, 2);
	assert_int_equal(t->entry[1].type, RSC_TRACE);
	assert_string_equal(t->entry[1].name, "trace:m4fss0_0");
	assert_true(t->da_known);
	assert_int_equal(t->da, 0x30000);
	rplat_fw_segments(fw, &nseg);
	assert_int_equal(nseg, 2);
	/* PAGE_ALIGN(vring_size(256, 4096)) = 12 KiB; 512 buffers for num 256 */
	assert_int_equal(rplat_rsc_vring_bytes(256, 4096), 12288);
	assert_int_equal(rplat_rsc_rpmsg_nbufs(256), 512);
	assert_int_equal(rplat_rsc_rpmsg_nbufs(64), 128);
	assert_int_equal(rplat_memmap_get("am62x-m4f", &mm), 0);
	assert_non_null(rplat_memmap_find(&mm, 0x9cb00000, 0x100000));
	assert_null(rplat_memmap_find(&mm, 0x9cb00000, 0x100001));
	assert_int_equal(rplat_memmap_get("nonsense", &mm), -1);
	rplat_fw_free(fw);
	free(img);
}

/* A raw dump of the same table: only the "raw input" note. */
static void test_raw_clean(void **state)
{
	struct rplat_findings fs;
	struct spec s;

	(void)state;
	spec_default(&s);
	s.raw = 1;
	run_spec_named(&s, &fs, "ti-clean");
	assert_int_equal(fs.count[RPLAT_SEV_ERROR] + fs.count[RPLAT_SEV_WARNING], 0);
	assert_non_null(rplat_findings_find(&fs, "raw.input"));
	rplat_findings_free(&fs);
}

/* ---- one image per rule ---- */

struct breaker {
	const char *rule;
	int entry;          /* expected entry index, -2 = don't care */
	const char *field;  /* expected field (prefix), NULL = don't care */
	void (*mutate)(struct spec *s);
};

static void m_elf_truncated(struct spec *s) { s->truncate = 40; }
static void m_elf_class(struct spec *s) { s->ei_class = 3; }
static void m_elf_endian(struct spec *s) { s->ei_data = 2; }
static void m_elf_no_phdrs(struct spec *s) { s->nseg = 0; }
static void m_elf_phdrs_outside(struct spec *s) { s->phoff_override = 1; s->phoff_value = 0x100000; }
static void m_elf_shdrs_outside(struct spec *s) { s->shnum_extra = 400; }
static void m_elf_unreadable(struct spec *s) { s->ei_version = 0; }
static void m_elf_machine(struct spec *s) { s->machine = 62; }
static void m_elf_seg_memsz(struct spec *s) { s->seg[0].memsz = 0x10; }
static void m_elf_seg_truncated(struct spec *s) { s->seg[0].filesz = 0x100000; s->seg[0].memsz = 0x100000; }
static void m_elf_seg_da(struct spec *s) { s->seg[0].paddr = 0x80000000; }
static void m_elf_seg_da_pool(struct spec *s) { s->seg[0].paddr = 0x9cb00000; }
static void m_elf_seg_overlap(struct spec *s) { s->seg[0].paddr = 0x2ff80; }
static void m_elf_no_rsc(struct spec *s) { s->sec[1].name = ".resource_tbl"; }
/* the same image for a target that is not known: TI K3 would refuse it, STM32/i.MX/PRU boot it */
static void m_elf_no_rsc_boots(struct spec *s)
{
	m_elf_no_rsc(s);
	s->memmap = "none";
}
static void m_elf_rsc_dup(struct spec *s) { s->sec[s->nsec++] = s->sec[1]; }
static void m_elf_rsc_nobits(struct spec *s) { s->sec[1].type = SHT_NOBITS_; }
static void m_elf_rsc_truncated(struct spec *s) { s->sec[1].size = 0x100000; }
static void m_elf_rsc_not_loaded(struct spec *s) { s->sec[1].addr = 0x20000; }
static void m_raw(struct spec *s) { s->raw = 1; }
static void m_rsc_size(struct spec *s) { s->t.len = 12; }
static void m_rsc_ver(struct spec *s) { put32(&s->t, 0, 2); }
static void m_rsc_reserved(struct spec *s) { put32(&s->t, 12, 1); }
static void m_rsc_offsets_truncated(struct spec *s) { put32(&s->t, 4, 100); }
static void m_rsc_empty(struct spec *s) { tbl_header(&s->t, 0); }

static void m_rsc_too_many(struct spec *s)
{
	unsigned i, n = RPLAT_RSC_MAX_ENTRIES + 10;
	size_t body = 16 + 4 * n;

	tbl_header(&s->t, n);
	/* every entry is a separate vendor entry (type 200, no body) */
	for (i = 0; i < n; i++) {
		tbl_offset(&s->t, i, (uint32_t)(body + 4 * i));
		put32(&s->t, body + 4 * i, 200);
	}
	s->seg[1].memsz = 0x10000;
	s->sec[2].addr = 0x3f000;
	s->sec[2].size = 0x100;
}

static void m_off_range(struct spec *s) { tbl_offset(&s->t, 1, 200); }
static void m_off_negative(struct spec *s) { tbl_offset(&s->t, 1, 0xfffffff0u); }

/* TI table with the trace entry moved to an odd offset */
static void m_off_align(struct spec *s)
{
	memset(s->t.b + TI_TRACE, 0, 48);
	s->t.len = TI_TRACE;
	tbl_offset(&s->t, 1, TI_TRACE + 2);
	tbl_trace(&s->t, TI_TRACE + 2, TRACE_DA, 0x1000, "trace:m4fss0_0");
}

static void m_off_in_header(struct spec *s) { tbl_offset(&s->t, 1, 8); }
/* inside the offset array (num 2: it ends at 24), which rsc_table_for_each_entry() lets through */
static void m_off_in_array(struct spec *s) { tbl_offset(&s->t, 1, 20); }
static void m_entry_overlap(struct spec *s) { tbl_offset(&s->t, 1, TI_VDEV + 8); }
static void m_entry_truncated(struct spec *s) { s->t.len = 120; }
static void m_entry_reserved(struct spec *s) { put32(&s->t, TI_TRACE + 12, 1); }
static void m_vdev_reserved(struct spec *s) { put8(&s->t, TI_VDEV + 27, 1); }
static void m_type_unknown(struct spec *s) { put32(&s->t, TI_TRACE, 7); }
static void m_type_vendor(struct spec *s) { put32(&s->t, TI_TRACE, 130); }
/* the trace entry turned into a carveout (only a carveout's name is read by the kernel) */
static void m_carveout(struct spec *s, const char *name)
{
	tbl_carveout(&s->t, TI_TRACE, RSC_CARVEOUT, FW_RSC_ADDR_ANY, 0x1000, name);
}

static void m_name_unterminated(struct spec *s) { m_carveout(s, "0123456789abcdef0123456789abcdefXX"); }
static void m_name_format(struct spec *s) { m_carveout(s, "ddr%s%n"); }
static void m_devmem_no_iommu(struct spec *s) { tbl_carveout(&s->t, TI_TRACE, RSC_DEVMEM, 0x60000000, 0x1000, "regs"); }

static void m_devmem(struct spec *s)
{
	m_devmem_no_iommu(s);
	s->memmap = "none";
}

static void m_carveout_len0(struct spec *s) { tbl_carveout(&s->t, TI_TRACE, RSC_CARVEOUT, FW_RSC_ADDR_ANY, 0, "ddr"); }
static void m_addr_wrap(struct spec *s) { tbl_carveout(&s->t, TI_TRACE, RSC_CARVEOUT, 0xfffff000u, 0x2000, "ddr"); }
static void m_trace_len0(struct spec *s) { put32(&s->t, TI_TRACE + 8, 0); }
static void m_trace_da_any(struct spec *s) { put32(&s->t, TI_TRACE + 4, FW_RSC_ADDR_ANY); }
static void m_trace_not_loaded(struct spec *s) { put32(&s->t, TI_TRACE + 4, 0x3f000); }

static void m_vdev_vrings_max(struct spec *s)
{
	/* three vrings: the vdev grows by 20 bytes and the trace moves after it */
	memset(s->t.b + TI_TRACE, 0, 48);
	tbl_vdev(&s->t, TI_VDEV, 3);
	tbl_vring(&s->t, TI_VDEV, 2, FW_RSC_ADDR_ANY, 4096, 256, 3);
	tbl_offset(&s->t, 1, TI_TRACE + 20);
	tbl_trace(&s->t, TI_TRACE + 20, TRACE_DA, 0x1000, "trace:m4fss0_0");
}

static void m_vring_zero(struct spec *s) { tbl_vring(&s->t, TI_VDEV, 1, FW_RSC_ADDR_ANY, 4096, 0, 2); }
static void m_rpmsg_vrings(struct spec *s) { put8(&s->t, TI_VDEV + 25, 1); }

static void m_vring_num_pow2(struct spec *s)
{
	tbl_vring(&s->t, TI_VDEV, 0, FW_RSC_ADDR_ANY, 4096, 100, 1);
	tbl_vring(&s->t, TI_VDEV, 1, FW_RSC_ADDR_ANY, 4096, 100, 2);
}

static void m_vring_num_max(struct spec *s)
{
	tbl_vring(&s->t, TI_VDEV, 0, FW_RSC_ADDR_ANY, 4096, 65536, 1);
	tbl_vring(&s->t, TI_VDEV, 1, FW_RSC_ADDR_ANY, 4096, 65536, 2);
}

static void m_vring_align_pow2(struct spec *s) { tbl_vring(&s->t, TI_VDEV, 1, FW_RSC_ADDR_ANY, 96, 256, 2); }
/* align 16 matters only on a core with a data cache: the i.MX8MP Cortex-M7 (32-byte lines) */
static void m_vring_align_cache(struct spec *s)
{
	tbl_vring(&s->t, TI_VDEV, 1, FW_RSC_ADDR_ANY, 16, 256, 2);
	s->memmap = "imx8mp-cm7";
}
static void m_vring_da_align(struct spec *s) { tbl_vring(&s->t, TI_VDEV, 0, 0x9cb00100u, 4096, 256, 1); }
static void m_rpmsg_asym(struct spec *s) { tbl_vring(&s->t, TI_VDEV, 1, FW_RSC_ADDR_ANY, 4096, 128, 2); }
static void m_rpmsg_no_ns(struct spec *s) { put32(&s->t, TI_VDEV + 12, 0); }
static void m_vdev_status(struct spec *s) { put8(&s->t, TI_VDEV + 24, 7); }
static void m_notifyid_dup(struct spec *s) { tbl_vring(&s->t, TI_VDEV, 1, FW_RSC_ADDR_ANY, 4096, 256, 1); }

static void m_no_vdev(struct spec *s)
{
	tbl_header(&s->t, 1);
	tbl_offset(&s->t, 0, 20);
	tbl_trace(&s->t, 20, TRACE_DA, 0x1000, "trace:m4fss0_0");
}

static void m_outside_memory(struct spec *s) { tbl_carveout(&s->t, TI_TRACE, RSC_CARVEOUT, 0x70000000, 0x1000, "ddr"); }

static void m_outside_segments(struct spec *s)
{
	m_outside_memory(s);
	s->memmap = "none";
}

static void m_vring_da_pool(struct spec *s) { tbl_vring(&s->t, TI_VDEV, 0, 0x9cc00000u, 4096, 256, 1); }

static void m_mem_overlap(struct spec *s)
{
	tbl_vring(&s->t, TI_VDEV, 0, 0x9cb00000u, 4096, 256, 1);
	tbl_vring(&s->t, TI_VDEV, 1, 0x9cb01000u, 4096, 256, 2);
}

static void m_placement_skipped(struct spec *s)
{
	m_outside_memory(s);
	s->raw = 1;
	s->memmap = "none";
}

static const struct breaker breakers[] = {
	{ "elf.truncated", -1, "file size", m_elf_truncated },
	{ "elf.class", -1, "e_ident[EI_CLASS]", m_elf_class },
	{ "elf.endian", -1, "e_ident[EI_DATA]", m_elf_endian },
	{ "elf.no_phdrs", -1, "e_phnum", m_elf_no_phdrs },
	{ "elf.phdrs_outside", -1, "e_phoff", m_elf_phdrs_outside },
	{ "elf.shdrs_outside", -1, "e_shnum", m_elf_shdrs_outside },
	{ "elf.unreadable", -1, NULL, m_elf_unreadable },
	{ "elf.machine", -1, "e_machine", m_elf_machine },
	{ "elf.seg_memsz", -1, "phdr[0].p_memsz", m_elf_seg_memsz },
	{ "elf.seg_truncated", -1, "phdr[0].p_offset", m_elf_seg_truncated },
	{ "elf.seg_da", -1, "phdr[0].p_paddr", m_elf_seg_da },
	{ "elf.seg_da", -1, "phdr[0].p_paddr", m_elf_seg_da_pool },
	{ "elf.seg_overlap", -1, "phdr[1].p_paddr", m_elf_seg_overlap },
	{ "elf.no_rsc", -1, ".resource_table", m_elf_no_rsc },
	{ "elf.no_rsc_boots", -1, ".resource_table", m_elf_no_rsc_boots },
	{ "elf.rsc_dup", -1, ".resource_table", m_elf_rsc_dup },
	{ "elf.rsc_nobits", -1, ".resource_table.sh_type", m_elf_rsc_nobits },
	{ "elf.rsc_truncated", -1, ".resource_table.sh_offset", m_elf_rsc_truncated },
	{ "elf.rsc_not_loaded", -1, ".resource_table.sh_addr", m_elf_rsc_not_loaded },
	{ "raw.input", -1, "file", m_raw },
	{ "rsc.size", -1, "table size", m_rsc_size },
	{ "rsc.ver", -1, "ver", m_rsc_ver },
	{ "rsc.reserved", -1, "reserved", m_rsc_reserved },
	{ "rsc.offsets_truncated", -1, "num", m_rsc_offsets_truncated },
	{ "rsc.empty", -1, "num", m_rsc_empty },
	{ "rsc.too_many", -1, "num", m_rsc_too_many },
	{ "rsc.offset_range", 1, "offset[1]", m_off_range },
	{ "rsc.offset_range", 1, "offset[1]", m_off_negative },
	{ "rsc.offset_range", 1, "offset[1]", m_off_in_header },
	{ "rsc.offset_align", 1, "offset[1]", m_off_align },
	{ "rsc.offset_in_header", 1, "offset[1]", m_off_in_array },
	{ "rsc.entry_overlap", 1, "offset[1]", m_entry_overlap },
	{ "rsc.entry_truncated", 1, "trace", m_entry_truncated },
	{ "rsc.entry_reserved", 1, "trace.reserved", m_entry_reserved },
	{ "rsc.entry_reserved", 0, "vdev.reserved", m_vdev_reserved },
	{ "rsc.type_unknown", 1, "type", m_type_unknown },
	{ "rsc.type_vendor", 1, "type", m_type_vendor },
	{ "rsc.name_unterminated", 1, "carveout.name", m_name_unterminated },
	{ "rsc.name_format", 1, "carveout.name", m_name_format },
	{ "rsc.devmem_no_iommu", 1, "type", m_devmem_no_iommu },
	{ "rsc.devmem", 1, "type", m_devmem },
	{ "rsc.carveout_len0", 1, "carveout.len", m_carveout_len0 },
	{ "rsc.addr_wrap", 1, "carveout.len", m_addr_wrap },
	{ "rsc.trace_len0", 1, "trace.len", m_trace_len0 },
	{ "rsc.trace_da_any", 1, "trace.da", m_trace_da_any },
	{ "rsc.trace_not_loaded", 1, "trace.da", m_trace_not_loaded },
	{ "rsc.vdev_vrings_max", 0, "vdev.num_of_vrings", m_vdev_vrings_max },
	{ "rsc.vring_zero", 0, "vring[1].num", m_vring_zero },
	{ "rsc.rpmsg_vrings", 0, "vdev.num_of_vrings", m_rpmsg_vrings },
	{ "rsc.vring_num_pow2", 0, "vring[0].num", m_vring_num_pow2 },
	{ "rsc.vring_num_max", 0, "vring[0].num", m_vring_num_max },
	{ "rsc.vring_align_pow2", 0, "vring[1].align", m_vring_align_pow2 },
	{ "rsc.vring_align_cache", 0, "vring[1].align", m_vring_align_cache },
	{ "rsc.vring_da_align", 0, "vring[0].da", m_vring_da_align },
	{ "rsc.rpmsg_asym", 0, "vring[1].num", m_rpmsg_asym },
	{ "rsc.rpmsg_no_ns", 0, "vdev.dfeatures", m_rpmsg_no_ns },
	{ "rsc.vdev_status", 0, "vdev.status", m_vdev_status },
	{ "rsc.notifyid_dup", 0, "vring[1].notifyid", m_notifyid_dup },
	{ "rsc.no_vdev", -1, "entries", m_no_vdev },
	{ "rsc.outside_memory", 1, "carveout.da", m_outside_memory },
	{ "rsc.outside_segments", 1, "carveout.da", m_outside_segments },
	{ "rsc.vring_da_pool", 0, "vring[0].da", m_vring_da_pool },
	{ "rsc.mem_overlap", 0, "vring[1].da", m_mem_overlap },
	{ "rsc.placement_skipped", -1, "memory map", m_placement_skipped },
};

static void test_each_rule_breaks(void **state)
{
	const struct rplat_rule *rules;
	size_t i, j, nrules;
	int bad = 0;

	(void)state;
	rules = rplat_rsc_rules(&nrules);
	for (i = 0; i < sizeof(breakers) / sizeof(breakers[0]); i++) {
		const struct breaker *b = &breakers[i];
		const struct rplat_rule *rule = NULL;
		const struct rplat_finding *f = NULL;
		struct rplat_findings fs;
		struct spec s;
		size_t k;
		char name[96];

		spec_default(&s);
		b->mutate(&s);
		/* NN-RULE-SEVERITY[@MAP]: the CLI test reads the rule, the least exit code and the memory map
		 * (when not am62x-m4f) from the name */
		snprintf(name, sizeof(name), "%02zu-%s", i, b->rule);
		for (j = 0; j < nrules; j++)
			if (!strcmp(rules[j].id, b->rule))
				snprintf(name, sizeof(name), "%02zu-%s-%s%s%s", i, b->rule, rplat_severity_name(rules[j].sev),
					 strcmp(s.memmap, "am62x-m4f") ? "@" : "",
					 strcmp(s.memmap, "am62x-m4f") ? s.memmap : "");
		run_spec_named(&s, &fs, name);
		for (j = 0; j < nrules; j++)
			if (!strcmp(rules[j].id, b->rule))
				rule = &rules[j];
		for (k = 0; k < fs.n; k++) {
			const struct rplat_finding *x = &fs.item[k];

			if (strcmp(x->rule, b->rule))
				continue;
			if (b->entry != -2 && x->entry != b->entry)
				continue;
			if (b->field && strncmp(x->field, b->field, strlen(b->field)))
				continue;
			f = x;
			break;
		}
		if (getenv("RSC_TEST_DUMP")) {
			fprintf(stderr, "== breaker %zu: %s\n", i, b->rule);
			dump(&fs);
		}
		if (!rule || !f) {
			fprintf(stderr, "breaker %zu (%s): %s\n", i, b->rule, rule ? "did not fire as expected" :
				"no such rule");
			dump(&fs);
			bad++;
		} else {
			/* severity and "kernel refuses" come from the rule; the text names the file */
			assert_int_equal(f->sev, rule->sev);
			assert_int_equal(f->flags & RPLAT_FINDING_REFUSED, rule->flags & RPLAT_FINDING_REFUSED);
			assert_string_equal(f->source, "test.elf");
			assert_true(f->why[0] != '\0');
			/* exit code follows the worst severity */
			assert_int_equal(rplat_findings_exit_code(&fs), rplat_findings_worst(&fs) < 0 ? 0 :
					 rplat_findings_worst(&fs));
			assert_true(rplat_findings_worst(&fs) >= (int)rule->sev);
		}
		rplat_findings_free(&fs);
	}
	assert_int_equal(bad, 0);
}

/* Every rule in the table has a breaker above. */
static void test_every_rule_has_a_breaker(void **state)
{
	const struct rplat_rule *rules;
	size_t i, j, n;
	int missing = 0;

	(void)state;
	rules = rplat_rsc_rules(&n);
	assert_true(n > 40);
	for (i = 0; i < n; i++) {
		int found = 0;

		assert_non_null(rules[i].id);
		assert_non_null(rules[i].why);
		assert_non_null(rules[i].advice);
		assert_non_null(rules[i].kernel); /* the kernel function, in the table of README */
		for (j = 0; j < sizeof(breakers) / sizeof(breakers[0]); j++)
			found |= !strcmp(breakers[j].rule, rules[i].id);
		if (!found) {
			fprintf(stderr, "rule %s has no breaking table\n", rules[i].id);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
}

/* The kernel's refusals are flagged, and an image with one is an error (exit 2). */
static void test_refusal_exit_code(void **state)
{
	struct rplat_findings fs;
	struct spec s;

	(void)state;
	spec_default(&s);
	m_rsc_ver(&s);
	run_spec(&s, &fs);
	assert_int_equal(rplat_findings_exit_code(&fs), RPLAT_CHECK_EXIT_ERROR);
	assert_int_equal(fs.refused, 1);
	rplat_findings_free(&fs);

	spec_default(&s);
	m_vring_num_pow2(&s);
	run_spec(&s, &fs);
	assert_int_equal(rplat_findings_exit_code(&fs), RPLAT_CHECK_EXIT_WARNING);
	assert_int_equal(fs.refused, 0);
	rplat_findings_free(&fs);
}

/* ---- resource tables of real firmware ----
 *
 * The tables of public firmware, rebuilt here from what their sources declare (the values were read from
 * those files and written out below; no code was taken). All four have the same layout as rplat's own
 * table: header, two offsets, an RPMsg vdev with two vrings, a trace entry. Each must check clean (no
 * warning, no error) as a raw dump under its target's map. */
struct real_table {
	const char *name;
	const char *memmap;
	size_t size;          /* section size (the struct may be padded by an aligned attribute) */
	uint32_t vdev_notifyid, vring_align, vring_num, vring0_id, vring1_id, trace_da, trace_len;
	const char *trace_name;
};

static const struct real_table real_tables[] = {
	/* TI MCU+ SDK ipc_rpmsg_echo_linux (AM62x M4F): FACTS section 2; ipc_rpmsg_echo_linux's
	 * resource table: vrings 256 x 4096 with notifyids 1 and 2, a 4 KiB trace "trace:m4fss0_0" in DRAM */
	{ "ti-mcu-plus-ipc-rpmsg-echo-linux", "am62x-m4f", 140, 0, 4096, 256, 1, 2, 0x31000, 0x1000,
	  "trace:m4fss0_0" },
	/* Zephyr lib/open-amp/resource_table.c and resource_table.h (openamp_rsc_table sample, the 3.7
	 * branch): VRING_ALIGNMENT 16, VRING0_ID 0 and VRING1_ID 1, vdev notifyid 0, trace "Zephyr_log" of
	 * CONFIG_RAM_CONSOLE_BUFFER_SIZE at ram_console; num is CONFIG_OPENAMP_RSC_TABLE_NUM_RPMSG_BUFF (8 here;
	 * the Kconfig default is not in the files read [?]); STM32MP1 M4 (ST's default alignment) */
	{ "zephyr-openamp-rsc-table", "stm32mp1-m4", 140, 0, 16, 8, 0, 1, 0x10030000, 1024, "Zephyr_log" },
	/* the same table under the AM62x M4F map: align 16 is fine on a core without a data cache */
	{ "zephyr-openamp-rsc-table", "am62x-m4f", 140, 0, 16, 8, 0, 1, 0x31000, 1024, "Zephyr_log" },
	/* STM32CubeMP1 Middlewares/Third_Party/OpenAMP/platform_if/rsc_table_template.c with the projects'
	 * openamp_conf.h: VRING_ALIGNMENT 16, VRING_NUM_BUFFS 16, vring ids 0 and 1, addresses -1 (allocated
	 * by the Cortex-A7), trace "cm4_log" of SYSTEM_TRACE_BUF_SZ (2048 here [?]) at system_log_buf */
	{ "stm32cube-openamp", "stm32mp1-m4", 140, 0, 16, 16, 0, 1, 0x10031000, 2048, "cm4_log" },
	/* OpenAMP apps/machine/ti_k3_r5/rsc_table.c and rsc_table.h (the OpenAMP demos on a TI K3 R5F):
	 * vdev notifyid 31, VRING_ALIGN 0x1000, VRING_SIZE 256, vring ids 1 and 2, trace "trace:r5fss0_0";
	 * the struct is aligned(0x100), so the section is 256 bytes; no rplat map for the R5F: none */
	{ "openamp-ti-k3-r5", "none", 256, 31, 0x1000, 256, 1, 2, 0xa0100000, 0x1000, "trace:r5fss0_0" },
};

static void test_real_firmware_tables(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(real_tables) / sizeof(real_tables[0]); i++) {
		const struct real_table *r = &real_tables[i];
		struct rplat_rsc_table t = RPLAT_RSC_TABLE_INIT(r->trace_da, r->trace_len, "");
		uint8_t buf[512];
		struct rplat_findings fs;
		struct rplat_memmap mm;
		struct rplat_fw *fw;
		const char *dir = getenv("RSC_FIXTURE_DIR");

		t.vdev.notifyid = r->vdev_notifyid;
		t.vring0.align = t.vring1.align = r->vring_align;
		t.vring0.num = t.vring1.num = r->vring_num;
		t.vring0.notifyid = r->vring0_id;
		t.vring1.notifyid = r->vring1_id;
		memset(t.trace.name, 0, sizeof(t.trace.name));
		memcpy(t.trace.name, r->trace_name, strlen(r->trace_name));
		assert_true(sizeof(t) == 140 && r->size <= sizeof(buf));
		memset(buf, 0, sizeof(buf));
		memcpy(buf, &t, sizeof(t));
		assert_int_equal(rplat_fw_parse(buf, r->size, r->name, &fw), 0);
		assert_int_equal(rplat_memmap_get(r->memmap, &mm), 0);
		rplat_findings_init(&fs);
		assert_int_equal(rplat_fw_check(fw, &mm, &fs), 0);
		if (fs.count[RPLAT_SEV_WARNING] || fs.count[RPLAT_SEV_ERROR]) {
			fprintf(stderr, "== %s under %s\n", r->name, r->memmap);
			dump(&fs);
		}
		assert_int_equal(fs.count[RPLAT_SEV_WARNING] + fs.count[RPLAT_SEV_ERROR], 0);
		if (dir) { /* for the CLI test: real-NAME@MAP.bin */
			char path[1024];
			FILE *f;

			snprintf(path, sizeof(path), "%s/real-%s@%s.bin", dir, r->name, r->memmap);
			f = fopen(path, "wb");
			assert_non_null(f);
			assert_int_equal(fwrite(buf, 1, r->size, f), r->size);
			fclose(f);
		}
		rplat_findings_free(&fs);
		rplat_fw_free(fw);
	}
}

/* What Linux 6.12.118 does, claim by claim (issue 14 items 9-13): each check below failed before the rules
 * were read against that kernel's source. */
static const struct rplat_finding *find_in(const struct rplat_findings *fs, const char *rule)
{
	return rplat_findings_find(fs, rule);
}

static void expect_rule(void (*mutate)(struct spec *s), const char *memmap, const char *rule, int sev, int refused)
{
	const struct rplat_finding *f;
	struct rplat_findings fs;
	struct spec s;

	spec_default(&s);
	mutate(&s);
	if (memmap)
		s.memmap = memmap;
	run_spec(&s, &fs);
	f = find_in(&fs, rule);
	if (sev < 0) {
		if (f)
			dump(&fs);
		assert_null(f);
	} else {
		if (!f)
			dump(&fs);
		assert_non_null(f);
		assert_int_equal(f->sev, sev);
		assert_int_equal(!!(f->flags & RPLAT_FINDING_REFUSED), refused);
		assert_non_null(f->kernel);
	}
	rplat_findings_free(&fs);
}

/* the virtual board's layout (probe-fw TARGET=qemu-vboard): table at 0x21000000, code from 0x21100000 */
static void m_seg_vboard(struct spec *s)
{
	s->seg[0].paddr = s->seg[0].vaddr = s->sec[0].addr = 0x21100000;
	s->seg[1].paddr = s->seg[1].vaddr = s->sec[1].addr = s->tbl_addr = 0x21000000;
	s->sec[2].addr = 0x21001000;
}
static void m_seg_vboard_past_end(struct spec *s)
{
	m_seg_vboard(s);
	s->seg[0].paddr = s->seg[0].vaddr = s->sec[0].addr = 0x22000000 - TEXT_SIZE / 2;
}
static void m_trace_unterminated(struct spec *s) { tbl_name(&s->t, TI_TRACE + 16, "0123456789abcdef0123456789abcdefXX"); }
static void m_devmem_unterminated(struct spec *s)
{
	tbl_carveout(&s->t, TI_TRACE, RSC_DEVMEM, 0x60000000, 0x1000, "0123456789abcdef0123456789abcdefXX");
}
static void m_off_2g(struct spec *s) { tbl_offset(&s->t, 1, 0x80000000u); }
static void m_nothing(struct spec *s) { (void)s; }

static void test_kernel_6_12_claims(void **state)
{
	(void)state;
	/* 9: rsc_table_for_each_entry() refuses offsets >= 2^31 and inside the header */
	expect_rule(m_off_2g, NULL, "rsc.offset_range", RPLAT_SEV_ERROR, 1);
	expect_rule(m_off_in_header, NULL, "rsc.offset_range", RPLAT_SEV_ERROR, 1);
	expect_rule(m_off_in_array, NULL, "rsc.offset_in_header", RPLAT_SEV_ERROR, 0);
	/* 9: rproc_elf_sanity_check() refuses section headers past the end */
	expect_rule(m_elf_shdrs_outside, NULL, "elf.shdrs_outside", RPLAT_SEV_ERROR, 1);
	/* 9: ... and the section header at e_shstrndx past the end ("Image is too small") */
	{
		const struct rplat_finding *f;
		struct rplat_findings fs;
		struct rplat_memmap mm;
		struct rplat_fw *fw;
		struct spec s;
		uint8_t *img;
		size_t len;

		spec_default(&s);
		img = build(&s, &len);
		img[50] = 0xf0; /* ELF32 e_shstrndx = 0xfff0 */
		img[51] = 0xff;
		assert_int_equal(rplat_fw_parse(img, len, "test.elf", &fw), 0);
		assert_int_equal(rplat_memmap_get("am62x-m4f", &mm), 0);
		rplat_findings_init(&fs);
		assert_int_equal(rplat_fw_check(fw, &mm, &fs), 0);
		f = rplat_findings_find(&fs, "elf.truncated");
		assert_non_null(f);
		assert_string_equal(f->field, "e_shstrndx");
		assert_true(f->flags & RPLAT_FINDING_REFUSED);
		rplat_findings_free(&fs);
		rplat_fw_free(fw);
		free(img);
	}
	/* 10: '%' in a carveout name is a printf format */
	expect_rule(m_name_format, NULL, "rsc.name_format", RPLAT_SEV_ERROR, 0);
	/* 11: trace and devmem names are never read; a zero vring fails the vdev, not the image */
	expect_rule(m_trace_unterminated, NULL, "rsc.name_unterminated", -1, 0);
	expect_rule(m_devmem_unterminated, "none", "rsc.name_unterminated", -1, 0);
	expect_rule(m_vring_zero, NULL, "rsc.vring_zero", RPLAT_SEV_ERROR, 0);
	/* 12: no table: TI K3 refuses, STM32 and i.MX boot without one */
	expect_rule(m_elf_no_rsc, "am62x-m4f", "elf.no_rsc", RPLAT_SEV_ERROR, 1);
	expect_rule(m_elf_no_rsc, "stm32mp1-m4", "elf.no_rsc", -1, 0);
	expect_rule(m_elf_no_rsc, "stm32mp1-m4", "elf.no_rsc_boots", RPLAT_SEV_INFO, 0);
	expect_rule(m_elf_no_rsc, "imx8mp-cm7", "elf.no_rsc_boots", RPLAT_SEV_INFO, 0);
	expect_rule(m_elf_no_rsc, "none", "elf.no_rsc_boots", RPLAT_SEV_WARNING, 0);
	expect_rule(m_elf_no_rsc, "vboard", "elf.no_rsc", RPLAT_SEV_ERROR, 1); /* rproc_ivshmem: like TI K3 */
	/* rproc_ivshmem's da_to_va: the shared memory at 0x21000000 (16 MiB), nothing else ("bad phdr da") */
	expect_rule(m_seg_vboard, "vboard", "elf.seg_da", -1, 0);
	expect_rule(m_seg_vboard_past_end, "vboard", "elf.seg_da", RPLAT_SEV_ERROR, 1);
	expect_rule(m_elf_seg_da, "vboard", "elf.seg_da", RPLAT_SEV_ERROR, 1);
	/* 13: vring align 16 against the target's data cache */
	expect_rule(m_vring_align_cache, "am62x-m4f", "rsc.vring_align_cache", -1, 0);
	expect_rule(m_vring_align_cache, "stm32mp1-m4", "rsc.vring_align_cache", -1, 0);
	expect_rule(m_vring_align_cache, "none", "rsc.vring_align_cache", RPLAT_SEV_INFO, 0);
	expect_rule(m_vring_align_cache, "imx8mp-cm7", "rsc.vring_align_cache", RPLAT_SEV_WARNING, 0);
	/* the clean table has no vring finding */
	expect_rule(m_nothing, NULL, "rsc.vring_zero", -1, 0);
}

/* Hostile bytes in a name come out escaped. */
static void test_name_escaped(void **state)
{
	struct rplat_findings fs;
	const struct rplat_finding *f;
	struct spec s;
	size_t i;

	(void)state;
	spec_default(&s);
	m_carveout(&s, "x");
	for (i = 0; i < 32; i++)
		s.t.b[TI_TRACE + 24 + i] = (uint8_t)(0x1b + i % 3); /* ESC and friends, no NUL */
	run_spec(&s, &fs);
	f = rplat_findings_find(&fs, "rsc.name_unterminated");
	assert_non_null(f);
	assert_non_null(strstr(f->value, "\\x1b"));
	for (i = 0; f->value[i]; i++)
		assert_true(f->value[i] >= 0x20 && f->value[i] < 0x7f);
	rplat_findings_free(&fs);
}

/* The findings list stays bounded however many entries are broken, and still counts them all. */
static void test_findings_bounded(void **state)
{
	struct rplat_findings fs;
	struct spec s;
	unsigned i, n = 3000;

	(void)state;
	spec_default(&s);
	s.raw = 1;
	tbl_header(&s.t, n);
	for (i = 0; i < n; i++)
		tbl_offset(&s.t, i, 0xfff0u + i); /* all out of range */
	run_spec(&s, &fs);
	assert_true(fs.n <= RPLAT_FINDINGS_MAX);
	assert_true(fs.count[RPLAT_SEV_ERROR] >= n);
	assert_true(fs.dropped > 0);
	rplat_findings_free(&fs);
}

/* rplat_fw_load: a missing file is an input error naming the file; an empty file is a finding. */
static void test_load_files(void **state)
{
	char path[] = "/tmp/rplat-rsc-XXXXXX";
	struct rplat_findings fs;
	struct rplat_memmap mm;
	struct rplat_fw *fw;
	char err[256];
	int fd;

	(void)state;
	assert_int_equal(rplat_fw_load("/nonexistent/fw.elf", &fw, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/fw.elf"));
	assert_int_equal(rplat_fw_load("/tmp", &fw, err, sizeof(err)), -1);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(rplat_fw_load(path, &fw, err, sizeof(err)), 0);
	rplat_memmap_get("none", &mm);
	rplat_findings_init(&fs);
	rplat_fw_check(fw, &mm, &fs);
	assert_non_null(rplat_findings_find(&fs, "rsc.size"));
	assert_string_equal(rplat_findings_find(&fs, "rsc.size")->source, path);
	rplat_findings_free(&fs);
	rplat_fw_free(fw);
	unlink(path);
}

/* Replay the fuzzers' corpora and regressions through the library (the fuzz build is separate). */
static void replay_dir(const char *dir)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	struct rplat_memmap mm;

	if (!dp)
		return;
	rplat_memmap_get("am62x-m4f", &mm);
	while ((d = readdir(dp))) {
		char path[1024];
		struct rplat_findings fs;
		struct rplat_fw *fw;
		char err[256];

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (rplat_fw_load(path, &fw, err, sizeof(err)) < 0)
			continue;
		rplat_findings_init(&fs);
		rplat_fw_check(fw, &mm, &fs);
		rplat_findings_free(&fs);
		rplat_fw_free(fw);
	}
	closedir(dp);
}

static void test_fuzz_replay(void **state)
{
	const char *top = getenv("TOP");
	char dir[1024];

	(void)state;
	if (!top)
		top = ".";
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/rsc", top);
	replay_dir(dir);
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/regress/rsc", top);
	replay_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ti_table_clean),
		cmocka_unit_test(test_ti_table_parsed),
		cmocka_unit_test(test_raw_clean),
		cmocka_unit_test(test_each_rule_breaks),
		cmocka_unit_test(test_every_rule_has_a_breaker),
		cmocka_unit_test(test_refusal_exit_code),
		cmocka_unit_test(test_name_escaped),
		cmocka_unit_test(test_kernel_6_12_claims),
		cmocka_unit_test(test_real_firmware_tables),
		cmocka_unit_test(test_findings_bounded),
		cmocka_unit_test(test_load_files),
		cmocka_unit_test(test_fuzz_replay),
	};

	return cmocka_run_group_tests_name("rsc_check", tests, NULL, NULL);
}
