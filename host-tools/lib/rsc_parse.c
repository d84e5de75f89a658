/* Resource-table parsing and the firmware image object. See rplat/rsc.h.
 *
 * Parsing never trusts a count or an offset: every field is read through rsc_le32(), which yields 0 past
 * the end of the table, and each entry records whether its header and body really lie inside the table.
 * The checks in rsc_check.c decide what is wrong; this file only says what is there. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rplat/util.h"
#include "rsc_local.h"

#define PAGE_SIZE_4K 4096u

uint64_t rplat_rsc_vring_bytes(uint32_t num, uint32_t align)
{
	uint64_t sz;

	if (!num || !align)
		return 0;
	/* descriptors + avail ring (flags, idx, ring[num], used_event), rounded up to align ... */
	sz = 16ull * num + 2ull * (3ull + num);
	sz = (sz + align - 1) / align * align;
	/* ... + used ring (flags, idx, avail_event, ring[num] of 8 bytes) */
	sz += 2ull * 3ull + 8ull * num;
	return (sz + PAGE_SIZE_4K - 1) / PAGE_SIZE_4K * PAGE_SIZE_4K;
}

uint32_t rplat_rsc_rpmsg_nbufs(uint32_t num)
{
	return num < 256 ? 2 * num : 512;
}

/* Bytes the body of an entry of this type needs, or 0 if the kernel does not know the type. */
static uint64_t body_need(const uint8_t *p, size_t len, uint64_t body, uint32_t type)
{
	switch (type) {
	case RSC_CARVEOUT:
	case RSC_DEVMEM:
		return sizeof(struct fw_rsc_carveout);
	case RSC_TRACE:
		return sizeof(struct fw_rsc_trace);
	case RSC_VDEV:
		return sizeof(struct fw_rsc_vdev) +
		       (uint64_t)rsc_u8(p, len, body + offsetof(struct fw_rsc_vdev, num_of_vrings)) *
			       sizeof(struct fw_rsc_vdev_vring) +
		       rsc_le32(p, len, body + offsetof(struct fw_rsc_vdev, config_len));
	default:
		return 0;
	}
}

static void read_name(struct rplat_rsc_entry *e, const uint8_t *p, size_t len, uint64_t off)
{
	int i;

	e->name_terminated = 0;
	for (i = 0; i < 32; i++) {
		e->name[i] = (char)rsc_u8(p, len, off + (uint64_t)i);
		if (!e->name[i]) {
			e->name_terminated = off + (uint64_t)i < len;
			break;
		}
	}
	e->name[32] = '\0';
}

static int parse_entry(struct rplat_rsc_entry *e, const uint8_t *p, size_t len)
{
	uint64_t hdr = e->offset, body = hdr + 4;
	unsigned i;

	e->hdr_ok = hdr + 4 <= len;
	if (!e->hdr_ok)
		return 0;
	e->type = rsc_le32(p, len, hdr);
	e->avail = len - body;
	e->need = body_need(p, len, body, e->type);
	e->complete = e->need <= e->avail;

	switch (e->type) {
	case RSC_CARVEOUT:
	case RSC_DEVMEM:
		e->da = rsc_le32(p, len, body + offsetof(struct fw_rsc_carveout, da));
		e->pa = rsc_le32(p, len, body + offsetof(struct fw_rsc_carveout, pa));
		e->len = rsc_le32(p, len, body + offsetof(struct fw_rsc_carveout, len));
		e->flags = rsc_le32(p, len, body + offsetof(struct fw_rsc_carveout, flags));
		e->reserved = rsc_le32(p, len, body + offsetof(struct fw_rsc_carveout, reserved));
		read_name(e, p, len, body + offsetof(struct fw_rsc_carveout, name));
		break;
	case RSC_TRACE:
		e->da = rsc_le32(p, len, body + offsetof(struct fw_rsc_trace, da));
		e->len = rsc_le32(p, len, body + offsetof(struct fw_rsc_trace, len));
		e->reserved = rsc_le32(p, len, body + offsetof(struct fw_rsc_trace, reserved));
		read_name(e, p, len, body + offsetof(struct fw_rsc_trace, name));
		break;
	case RSC_VDEV:
		e->id = rsc_le32(p, len, body + offsetof(struct fw_rsc_vdev, id));
		e->notifyid = rsc_le32(p, len, body + offsetof(struct fw_rsc_vdev, notifyid));
		e->dfeatures = rsc_le32(p, len, body + offsetof(struct fw_rsc_vdev, dfeatures));
		e->gfeatures = rsc_le32(p, len, body + offsetof(struct fw_rsc_vdev, gfeatures));
		e->config_len = rsc_le32(p, len, body + offsetof(struct fw_rsc_vdev, config_len));
		e->status = rsc_u8(p, len, body + offsetof(struct fw_rsc_vdev, status));
		e->num_of_vrings = rsc_u8(p, len, body + offsetof(struct fw_rsc_vdev, num_of_vrings));
		e->vreserved[0] = rsc_u8(p, len, body + offsetof(struct fw_rsc_vdev, reserved));
		e->vreserved[1] = rsc_u8(p, len, body + offsetof(struct fw_rsc_vdev, reserved) + 1);
		/* only the vrings that lie inside the table */
		for (i = 0; i < e->num_of_vrings; i++) {
			uint64_t end = body + sizeof(struct fw_rsc_vdev) + (uint64_t)(i + 1) * 20;

			if (end > len)
				break;
		}
		e->nvring = i;
		if (!e->nvring)
			break;
		e->vring = calloc(e->nvring, sizeof(*e->vring));
		if (!e->vring)
			return -1;
		for (i = 0; i < e->nvring; i++) {
			uint64_t v = body + sizeof(struct fw_rsc_vdev) + (uint64_t)i * 20;

			e->vring[i].da = rsc_le32(p, len, v + offsetof(struct fw_rsc_vdev_vring, da));
			e->vring[i].align = rsc_le32(p, len, v + offsetof(struct fw_rsc_vdev_vring, align));
			e->vring[i].num = rsc_le32(p, len, v + offsetof(struct fw_rsc_vdev_vring, num));
			e->vring[i].notifyid = rsc_le32(p, len, v + offsetof(struct fw_rsc_vdev_vring, notifyid));
			e->vring[i].pa = rsc_le32(p, len, v + offsetof(struct fw_rsc_vdev_vring, pa));
		}
		break;
	default:
		break;
	}
	return 0;
}

int rplat_rsc_parse(struct rplat_rsc *rsc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t fit;
	size_t i;

	memset(rsc, 0, sizeof(*rsc));
	rsc->size = len;
	rsc->header_ok = len >= sizeof(struct resource_table);
	rsc->ver = rsc_le32(p, len, 0);
	rsc->num = rsc_le32(p, len, 4);
	rsc->reserved[0] = rsc_le32(p, len, 8);
	rsc->reserved[1] = rsc_le32(p, len, 12);
	if (!rsc->header_ok)
		return 0;

	fit = (len - sizeof(struct resource_table)) / 4;
	rsc->noffsets = fit < rsc->num ? (uint32_t)fit : rsc->num;
	rsc->nentry = rsc->noffsets < RPLAT_RSC_MAX_ENTRIES ? rsc->noffsets : RPLAT_RSC_MAX_ENTRIES;
	if (!rsc->nentry)
		return 0;
	rsc->entry = calloc(rsc->nentry, sizeof(*rsc->entry));
	if (!rsc->entry)
		goto fail;
	for (i = 0; i < rsc->nentry; i++) {
		rsc->entry[i].offset = rsc_le32(p, len, sizeof(struct resource_table) + 4 * (uint64_t)i);
		if (parse_entry(&rsc->entry[i], p, len) < 0)
			goto fail;
	}
	return 0;
fail:
	rplat_rsc_release(rsc);
	errno = ENOMEM;
	return -1;
}

void rplat_rsc_release(struct rplat_rsc *rsc)
{
	size_t i;

	if (!rsc)
		return;
	for (i = 0; i < rsc->nentry; i++)
		free(rsc->entry[i].vring);
	free(rsc->entry);
	rsc->entry = NULL;
	rsc->nentry = 0;
}

/* ---- the image object ---- */

static int fw_init(struct rplat_fw *fw)
{
	static const uint8_t elfmag[4] = { 0x7f, 'E', 'L', 'F' };

	fw->is_elf = fw->len >= 4 && !memcmp(fw->image, elfmag, 4);
	if (fw->is_elf)
		return rplat_fw_read_elf(fw);
	/* a raw dump: the whole file is the table */
	fw->have_rsc = 1;
	fw->rsc_offset = 0;
	return rplat_rsc_parse(&fw->rsc, fw->image, fw->len);
}

/* A file without the ELF magic is taken as a raw table dump only if it starts like one (ver = 1, or too
 * short to say): a .dtb, an archive or a text file is refused as what it is instead of being reported as a
 * table the kernel refuses. Returns 1 when the file may be checked, else 0 with a message. */
static int raw_plausible(const uint8_t *p, size_t len, const char *path, char *err, size_t errlen)
{
	uint32_t ver;

	if (len < 4 || !memcmp(p, "\177ELF", 4))
		return 1;
	ver = rsc_le32(p, len, 0);
	if (ver == 1)
		return 1;
	if (p[0] == 0xd0 && p[1] == 0x0d && p[2] == 0xfe && p[3] == 0xed)
		rplat_fail(err, errlen, "%s: a device tree blob (magic 0xd00dfeed), not a firmware image or resource "
			   "table: use rplat check dt --dtb %s", path, path);
	else
		rplat_fail(err, errlen, "%s: neither an ELF image (no \\177ELF magic) nor a raw resource table (its "
			   "first word, ver, is 0x%08x, not 1)", path, ver);
	return 0;
}

static struct rplat_fw *fw_alloc(const char *name)
{
	struct rplat_fw *fw = calloc(1, sizeof(*fw));

	if (!fw)
		return NULL;
	rplat_findings_init(&fw->parse);
	fw->name = strdup(name ? name : "");
	if (!fw->name) {
		free(fw);
		return NULL;
	}
	return fw;
}

int rplat_fw_parse(const void *buf, size_t len, const char *name, struct rplat_fw **fwp)
{
	struct rplat_fw *fw;

	*fwp = NULL;
	fw = fw_alloc(name);
	if (!fw)
		goto fail;
	/* one spare byte so that a zero-length image still has a valid pointer */
	fw->image = malloc(len + 1);
	if (!fw->image)
		goto fail_fw;
	if (len)
		memcpy(fw->image, buf, len);
	fw->len = len;
	if (fw_init(fw) < 0)
		goto fail_fw;
	*fwp = fw;
	return 0;
fail_fw:
	rplat_fw_free(fw);
fail:
	errno = ENOMEM;
	return -1;
}

/* What a non-regular file is, for the message that refuses it. */
static const char *file_kind(mode_t m)
{
	return S_ISFIFO(m) ? "a FIFO" : S_ISDIR(m) ? "a directory" : S_ISCHR(m) ? "a character device" :
	       S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "not a file";
}

int rplat_fw_load(const char *path, struct rplat_fw **fwp, char *err, size_t errlen)
{
	struct rplat_fw *fw = NULL;
	struct stat st;
	int fd, e;

	*fwp = NULL;
	/* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return rplat_fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		rplat_fail(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
		goto fail_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		rplat_fail(err, errlen, "%s: not a regular file (%s): a firmware image or table dump is read whole",
			   path, file_kind(st.st_mode));
		errno = EINVAL;
		goto fail_fd;
	}
	fw = fw_alloc(path);
	if (!fw) {
		rplat_fail(err, errlen, "%s: out of memory", path);
		goto fail_fd;
	}
	fw->len = (size_t)st.st_size;
	/* A private writable mapping: libelf may convert headers in place, and the file stays untouched.
	 * Empty files cannot be mapped; they get a one-byte buffer. */
	if (fw->len) {
		fw->image = mmap(NULL, fw->len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		if (fw->image == MAP_FAILED) {
			fw->image = NULL;
			rplat_fail(err, errlen, "%s: cannot read: %s", path, strerror(errno));
			goto fail_fw;
		}
		fw->mapped = 1;
	} else {
		fw->image = calloc(1, 1);
		if (!fw->image) {
			rplat_fail(err, errlen, "%s: out of memory", path);
			goto fail_fw;
		}
	}
	if (!raw_plausible(fw->image, fw->len, path, err, errlen)) {
		errno = EINVAL;
		goto fail_fw;
	}
	if (fw_init(fw) < 0) {
		rplat_fail(err, errlen, "%s: out of memory", path);
		goto fail_fw;
	}
	close(fd);
	*fwp = fw;
	return 0;
fail_fw:
	rplat_fw_free(fw);
fail_fd:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

void rplat_fw_free(struct rplat_fw *fw)
{
	if (!fw)
		return;
	rplat_rsc_release(&fw->rsc);
	rplat_findings_free(&fw->parse);
	free(fw->seg);
	free(fw->nobits);
	if (fw->mapped)
		munmap(fw->image, fw->len);
	else
		free(fw->image);
	free(fw->name);
	free(fw);
}

const char *rplat_fw_name(const struct rplat_fw *fw)
{
	return fw->name;
}

int rplat_fw_is_elf(const struct rplat_fw *fw)
{
	return fw->is_elf;
}

const struct rplat_rsc *rplat_fw_rsc(const struct rplat_fw *fw)
{
	return fw->have_rsc ? &fw->rsc : NULL;
}

const struct rplat_fw_seg *rplat_fw_segments(const struct rplat_fw *fw, size_t *n)
{
	*n = fw->nseg;
	return fw->seg;
}

const struct rplat_fw_sec *rplat_fw_nobits(const struct rplat_fw *fw, size_t *n)
{
	*n = fw->nnobits;
	return fw->nobits;
}

void rplat_fw_describe(const struct rplat_fw *fw, char *buf, size_t len)
{
	char tbl[96];

	if (fw->have_rsc && fw->rsc.da_known)
		snprintf(tbl, sizeof(tbl), ".resource_table %zu bytes at 0x%llx", fw->rsc.size,
			 (unsigned long long)fw->rsc.da);
	else if (fw->have_rsc)
		snprintf(tbl, sizeof(tbl), "%zu bytes", fw->rsc.size);
	else
		snprintf(tbl, sizeof(tbl), "no resource table");
	if (!fw->is_elf)
		snprintf(buf, len, "raw resource table, %s", tbl);
	else if (!fw->elf_ok)
		snprintf(buf, len, "ELF (unreadable headers), %zu bytes", fw->len);
	else
		snprintf(buf, len, "ELF%d %s (machine %u), %zu loadable segment%s, %s",
			 fw->elf_class == 2 ? 64 : 32, fw->elf_data == 2 ? "big-endian" : "little-endian",
			 fw->machine, fw->nseg, fw->nseg == 1 ? "" : "s", tbl);
}
