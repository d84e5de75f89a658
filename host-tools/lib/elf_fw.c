/* Reading a firmware ELF as remoteproc does (rproc_elf_sanity_check, rproc_elf_load_segments, find_table).
 *
 * The kernel's own sanity checks are done first on the raw header bytes, because the kernel does them that
 * way and because libelf may refuse a file the kernel would accept (or the reverse). libelf then supplies
 * the program and section headers. Everything found wrong goes to fw->parse as a finding. */
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include "rsc_local.h"

#define ELF32_EHDR_SIZE 52u
#define ELF64_EHDR_SIZE 64u

/* An ELF header field, honouring the file's class and byte order. */
struct ehdr_raw {
	const uint8_t *p;
	size_t len;
	int be;
};

static uint64_t ehdr_get(const struct ehdr_raw *h, uint64_t off, unsigned size)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < size; i++) {
		unsigned b = h->be ? i : size - 1 - i;
		uint64_t o = off + b;

		v = (v << 8) | (o < h->len ? h->p[o] : 0);
	}
	return v;
}

/* The checks of rproc_elf_sanity_check() on the raw bytes. Returns 1 when libelf may go on. */
static int sanity_check(struct rplat_fw *fw)
{
	struct ehdr_raw h = { fw->image, fw->len, 0 };
	const char *src = fw->name;
	uint64_t phoff, shoff, phnum, phentsize, shnum, shentsize, shstrndx;
	int is64;

	if (fw->len < ELF32_EHDR_SIZE) {
		rsc_emit(&fw->parse, src, R_ELF_TRUNCATED, -1, "file size", "%zu (an ELF32 header needs %u)",
			 fw->len, ELF32_EHDR_SIZE);
		return 0;
	}
	fw->elf_class = fw->image[4];
	fw->elf_data = fw->image[5];
	if (fw->elf_class != 1 && fw->elf_class != 2) {
		rsc_emit(&fw->parse, src, R_ELF_CLASS, -1, "e_ident[EI_CLASS]", "%d", fw->elf_class);
		return 0;
	}
	is64 = fw->elf_class == 2;
	if (is64 && fw->len < ELF64_EHDR_SIZE) {
		rsc_emit(&fw->parse, src, R_ELF_TRUNCATED, -1, "file size", "%zu (an ELF64 header needs %u)",
			 fw->len, ELF64_EHDR_SIZE);
		return 0;
	}
	if (fw->elf_data != 1)
		rsc_emit(&fw->parse, src, R_ELF_ENDIAN, -1, "e_ident[EI_DATA]", "%d (%s)", fw->elf_data,
			 fw->elf_data == 2 ? "big-endian" : "invalid");
	h.be = fw->elf_data == 2;
	fw->machine = (uint16_t)ehdr_get(&h, 18, 2);
	phoff = ehdr_get(&h, is64 ? 32 : 28, is64 ? 8 : 4);
	shoff = ehdr_get(&h, is64 ? 40 : 32, is64 ? 8 : 4);
	phentsize = ehdr_get(&h, is64 ? 54 : 42, 2);
	phnum = ehdr_get(&h, is64 ? 56 : 44, 2);
	shentsize = ehdr_get(&h, is64 ? 58 : 46, 2);
	shnum = ehdr_get(&h, is64 ? 60 : 48, 2);
	if (shoff > fw->len || fw->len - shoff < ELF32_EHDR_SIZE)
		rsc_emit(&fw->parse, src, R_ELF_TRUNCATED, -1, "e_shoff", "0x%llx (file is %zu bytes)",
			 (unsigned long long)shoff, fw->len);
	else if (shnum * shentsize > fw->len - shoff)
		rsc_emit(&fw->parse, src, R_ELF_SHDRS_OUTSIDE, -1, "e_shnum",
			 "%llu headers of %llu bytes at 0x%llx (file is %zu bytes)", (unsigned long long)shnum,
			 (unsigned long long)shentsize, (unsigned long long)shoff, fw->len);
	/* rproc_elf_sanity_check(): find_table() reads the section header at e_shstrndx even with no
	 * sections, so that header must lie inside the file ("Image is too small") */
	shstrndx = ehdr_get(&h, is64 ? 62 : 50, 2);
	if (shoff <= fw->len && (shstrndx + 1) * (is64 ? 64u : 40u) > fw->len - shoff)
		rsc_emit(&fw->parse, src, R_ELF_TRUNCATED, -1, "e_shstrndx",
			 "%llu: its section header ends past the file (%zu bytes)", (unsigned long long)shstrndx, fw->len);
	if (!phnum)
		rsc_emit(&fw->parse, src, R_ELF_NO_PHDRS, -1, "e_phnum", "0");
	if (phoff > fw->len)
		rsc_emit(&fw->parse, src, R_ELF_PHDRS_OUTSIDE, -1, "e_phoff", "0x%llx (file is %zu bytes)",
			 (unsigned long long)phoff, fw->len);
	else if (phnum && phnum * phentsize > fw->len - phoff)
		rsc_emit(&fw->parse, src, R_ELF_PHDRS_OUTSIDE, -1, "e_phnum", "%llu headers of %llu bytes at 0x%llx",
			 (unsigned long long)phnum, (unsigned long long)phentsize, (unsigned long long)phoff);
	return 1;
}

static int add_seg(struct rplat_fw *fw, size_t *cap, const struct rplat_fw_seg *s)
{
	if (fw->nseg == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct rplat_fw_seg *p = realloc(fw->seg, ncap * sizeof(*p));

		if (!p)
			return -1;
		fw->seg = p;
		*cap = ncap;
	}
	fw->seg[fw->nseg++] = *s;
	return 0;
}

static int add_nobits(struct rplat_fw *fw, size_t *cap, const char *name, uint64_t addr, uint64_t size)
{
	struct rplat_fw_sec *s;

	if (fw->nnobits == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct rplat_fw_sec *p = realloc(fw->nobits, ncap * sizeof(*p));

		if (!p)
			return -1;
		fw->nobits = p;
		*cap = ncap;
	}
	s = &fw->nobits[fw->nnobits++];
	snprintf(s->name, sizeof(s->name), "%s", name ? name : "?");
	s->addr = addr;
	s->size = size;
	return 0;
}

/* The program headers, as rproc_elf_load_segments() walks them. */
static int read_segments(struct rplat_fw *fw, Elf *e)
{
	size_t i, cap = 0;
	char field[48];

	if (elf_getphdrnum(e, &fw->nphdr) < 0) {
		rsc_emit(&fw->parse, fw->name, R_ELF_UNREADABLE, -1, "program headers", "%s", elf_errmsg(-1));
		return 0;
	}
	for (i = 0; i < fw->nphdr; i++) {
		struct rplat_fw_seg s;
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph)) {
			snprintf(field, sizeof(field), "phdr[%zu]", i);
			rsc_emit(&fw->parse, fw->name, R_ELF_UNREADABLE, -1, field, "%s", elf_errmsg(-1));
			break;
		}
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		if (ph.p_memsz < ph.p_filesz) {
			snprintf(field, sizeof(field), "phdr[%zu].p_memsz", i);
			rsc_emit(&fw->parse, fw->name, R_ELF_SEG_MEMSZ, -1, field, "0x%llx < p_filesz 0x%llx",
				 (unsigned long long)ph.p_memsz, (unsigned long long)ph.p_filesz);
		}
		if (ph.p_offset > fw->len || ph.p_filesz > fw->len - ph.p_offset) {
			snprintf(field, sizeof(field), "phdr[%zu].p_offset", i);
			rsc_emit(&fw->parse, fw->name, R_ELF_SEG_TRUNCATED, -1, field,
				 "0x%llx + p_filesz 0x%llx > file size 0x%zx", (unsigned long long)ph.p_offset,
				 (unsigned long long)ph.p_filesz, fw->len);
		}
		s.index = (int)i;
		s.offset = ph.p_offset;
		s.da = ph.p_paddr;
		s.vaddr = ph.p_vaddr;
		s.filesz = ph.p_filesz;
		s.memsz = ph.p_memsz;
		s.flags = ph.p_flags;
		if (add_seg(fw, &cap, &s) < 0)
			return -1;
	}
	return 0;
}

/* The section headers: the .resource_table as find_table() picks it (the first one), and NOBITS. */
static int read_sections(struct rplat_fw *fw, Elf *e)
{
	size_t shstrndx, cap = 0;
	Elf_Scn *scn = NULL;
	GElf_Shdr first;

	if (elf_getshdrstrndx(e, &shstrndx) < 0) {
		rsc_emit(&fw->parse, fw->name, R_ELF_UNREADABLE, -1, "e_shstrndx", "%s", elf_errmsg(-1));
		return 0;
	}
	memset(&first, 0, sizeof(first));
	while ((scn = elf_nextscn(e, scn))) {
		const char *name;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh)) {
			rsc_emit(&fw->parse, fw->name, R_ELF_UNREADABLE, -1, "section header", "%zu: %s",
				 elf_ndxscn(scn), elf_errmsg(-1));
			continue;
		}
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (sh.sh_type == SHT_NOBITS && (sh.sh_flags & SHF_ALLOC) && sh.sh_size &&
		    add_nobits(fw, &cap, name, sh.sh_addr, sh.sh_size) < 0)
			return -1;
		if (!name || strcmp(name, ".resource_table"))
			continue;
		if (!fw->rsc_sections++)
			first = sh;
	}
	if (!fw->rsc_sections)
		return 0; /* rplat_fw_check() says what that means for the target */
	if (fw->rsc_sections > 1)
		rsc_emit(&fw->parse, fw->name, R_ELF_RSC_DUP, -1, ".resource_table", "%zu sections",
			 fw->rsc_sections);
	if (first.sh_type == SHT_NOBITS)
		rsc_emit(&fw->parse, fw->name, R_ELF_RSC_NOBITS, -1, ".resource_table.sh_type", "SHT_NOBITS");
	if (first.sh_offset > fw->len || first.sh_size > fw->len - first.sh_offset) {
		rsc_emit(&fw->parse, fw->name, R_ELF_RSC_TRUNCATED, -1, ".resource_table.sh_offset",
			 "0x%llx + sh_size 0x%llx > file size 0x%zx", (unsigned long long)first.sh_offset,
			 (unsigned long long)first.sh_size, fw->len);
		return 0;
	}
	fw->have_rsc = 1;
	fw->rsc_offset = first.sh_offset;
	if (rplat_rsc_parse(&fw->rsc, fw->image + first.sh_offset, (size_t)first.sh_size) < 0)
		return -1;
	fw->rsc.da_known = 1;
	fw->rsc.da = first.sh_addr;
	return 0;
}

int rplat_fw_read_elf(struct rplat_fw *fw)
{
	Elf *e;
	int ret = 0;

	if (!sanity_check(fw))
		return 0;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		rsc_emit(&fw->parse, fw->name, R_ELF_UNREADABLE, -1, "libelf", "%s", elf_errmsg(-1));
		return 0;
	}
	e = elf_memory((char *)fw->image, fw->len);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		rsc_emit(&fw->parse, fw->name, R_ELF_UNREADABLE, -1, "ELF header", "%s", elf_errmsg(-1));
		goto out;
	}
	fw->elf_ok = 1;
	if (read_segments(fw, e) < 0 || read_sections(fw, e) < 0)
		ret = -1;
out:
	if (e)
		elf_end(e);
	return ret;
}
