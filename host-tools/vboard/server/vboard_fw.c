/* The firmware ELF the guest's remoteproc loads for the host remote (rplat-vboard-server --fw-out).
 *
 * The remote is a host process, so the image carries no code: one PT_LOAD segment at RPLAT_VB_FW_DA
 * holding the host remote's resource table, followed by the zero-filled trace buffer, and a
 * `.resource_table` section over the table. Loading it puts the table at BAR2 offset RPLAT_VB_RSC_OFF,
 * where the remote reads what Linux writes back.
 *
 * The table is the host probe's own (RPLAT_RSC_TABLE_INIT, the table rplat's sim writes), or with
 * --opts fw=echo the example echo firmware's (ECHO_RSC_TABLE_INIT: the same vdev and trace buffer plus
 * the hooks' ring as the CARVEOUT "rplat-ring" at RPLAT_VB_FW_DA + RPLAT_VB_RING_OFF, the BAR2 slot the
 * driver registers under that name, so that remoteproc binds the entry to it and lists it in debugfs). */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rproc_ivshmem_abi.h"
#include "rplat/util.h"
#include "echo_svc.h"
#include "rplat/wire/rsc_table.h"
#include "vboard_server.h"

#define FW_TABLE_OFF 0x100u /* file offset of the table */

static const char shstrtab[] = "\0.resource_table\0.shstrtab";

_Static_assert(sizeof(struct echo_rsc_table) <= RPLAT_VB_TRACE_OFF - RPLAT_VB_RSC_OFF, "the echo table fits its page");

int rplat_vb_write_fw(const char *path, int echo, char *err, size_t errlen)
{
	struct rplat_rsc_table probe = RPLAT_RSC_TABLE_INIT(RPLAT_VB_FW_DA + RPLAT_VB_TRACE_OFF, RPLAT_VB_TRACE_LEN,
							    "trace:rplat-vboard");
	struct echo_rsc_table ech = ECHO_RSC_TABLE_INIT(RPLAT_VB_FW_DA + RPLAT_VB_TRACE_OFF, RPLAT_VB_TRACE_LEN,
							 "trace:rplat-vboard-echo", RPLAT_VB_FW_DA + RPLAT_VB_RING_OFF,
							 RPLAT_VB_RING_LEN);
	const void *t = echo ? (const void *)&ech : (const void *)&probe;
	uint32_t tlen = echo ? (uint32_t)sizeof(ech) : (uint32_t)sizeof(probe);
	uint8_t img[FW_TABLE_OFF + sizeof(ech) + sizeof(probe) + sizeof(shstrtab) + 3 * sizeof(Elf32_Shdr) + 8];
	Elf32_Ehdr *eh = (Elf32_Ehdr *)(void *)img;
	Elf32_Phdr *ph = (Elf32_Phdr *)(void *)(img + sizeof(*eh));
	uint32_t str_off = FW_TABLE_OFF + tlen;
	uint32_t sh_off = (str_off + sizeof(shstrtab) + 3) & ~3u;
	Elf32_Shdr *sh = (Elf32_Shdr *)(void *)(img + sh_off);
	size_t len = sh_off + 3 * sizeof(Elf32_Shdr);
	FILE *f;

	memset(img, 0, sizeof(img));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_ARM;
	eh->e_version = EV_CURRENT;
	eh->e_entry = RPLAT_VB_FW_DA;
	eh->e_phoff = sizeof(*eh);
	eh->e_shoff = sh_off;
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	eh->e_shentsize = sizeof(Elf32_Shdr);
	eh->e_shnum = 3;
	eh->e_shstrndx = 2;

	ph->p_type = PT_LOAD;
	ph->p_offset = FW_TABLE_OFF;
	ph->p_vaddr = ph->p_paddr = RPLAT_VB_FW_DA + RPLAT_VB_RSC_OFF;
	ph->p_filesz = tlen;
	ph->p_memsz = RPLAT_VB_TRACE_OFF + RPLAT_VB_TRACE_LEN; /* the table's page and the trace buffer */
	ph->p_flags = PF_R | PF_W;
	ph->p_align = 4096;

	memcpy(img + FW_TABLE_OFF, t, tlen);
	memcpy(img + str_off, shstrtab, sizeof(shstrtab));

	sh[1].sh_name = 1;
	sh[1].sh_type = SHT_PROGBITS;
	sh[1].sh_flags = SHF_ALLOC | SHF_WRITE;
	sh[1].sh_addr = RPLAT_VB_FW_DA + RPLAT_VB_RSC_OFF;
	sh[1].sh_offset = FW_TABLE_OFF;
	sh[1].sh_size = tlen;
	sh[1].sh_addralign = 4;
	sh[2].sh_name = 1 + sizeof(".resource_table");
	sh[2].sh_type = SHT_STRTAB;
	sh[2].sh_offset = str_off;
	sh[2].sh_size = sizeof(shstrtab);
	sh[2].sh_addralign = 1;

	f = fopen(path, "wb");
	if (!f)
		return rplat_fail(err, errlen, "%s: %s", path, strerror(errno));
	if (fwrite(img, 1, len, f) != len) {
		fclose(f);
		return rplat_fail(err, errlen, "%s: write failed", path);
	}
	if (fclose(f))
		return rplat_fail(err, errlen, "%s: %s", path, strerror(errno));
	return 0;
}
