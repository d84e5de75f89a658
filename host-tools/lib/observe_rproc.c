/* rplat observe on a board: the ring as remoteproc lists it in debugfs. See rplat/observe.h.
 *
 * /sys/kernel/debug/remoteproc/remoteprocN/carveout_memories (drivers/remoteproc/remoteproc_debugfs.c)
 * lists every carveout as
 *     Carveout memory entry:
 *     \tName: NAME
 *     \tVirtual address: ...
 *     \tDMA address: 0x...
 *     \tDevice address: 0x...
 *     \tLength: 0x... Bytes
 * followed by an empty line. The parser takes nothing for granted: unknown lines are skipped, numbers
 * must be hexadecimal and in range, and an entry counts only when it has all of name, DMA address,
 * device address and length. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "observe_local.h"
#include "rplat/observe.h"
#include "rplat/util.h"

static int hex_field(const char *p, const char *e, uint64_t *v)
{
	char buf[40];
	char *end;
	size_t n;

	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	n = 0;
	while (p + n < e && p[n] != ' ' && p[n] != '\t')
		n++;
	if (n < 3 || n >= sizeof(buf) || p[0] != '0' || (p[1] != 'x' && p[1] != 'X'))
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	errno = 0;
	*v = strtoull(buf + 2, &end, 16);
	return errno || *end || end == buf + 2 ? -1 : 0;
}

int rplat_obs_carveout_find(const char *text, size_t len, const char *name, struct rplat_obs_carveout *out,
			    char *err, size_t errlen)
{
	const char *p = text, *end = text + len;
	struct rplat_obs_carveout cur;
	unsigned have = 0, found = 0, line = 0;

	memset(&cur, 0, sizeof(cur));
	for (;;) {
		const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		const char *e = nl ? nl : end;
		const char *q = p;

		if (p < end)
			line++;
		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		if (p >= end || ((size_t)(e - q) >= 22 && !strncmp(q, "Carveout memory entry:", 22))) {
			/* the end of the previous entry */
			if (have == 0xF && !strcmp(cur.name, name)) {
				if (found++)
					return rplat_fail(err, errlen, "carveout_memories: two carveouts named %s", name);
				*out = cur;
			}
			memset(&cur, 0, sizeof(cur));
			have = 0;
			if (p >= end)
				break;
		} else if ((size_t)(e - q) > 5 && !strncmp(q, "Name:", 5)) {
			const char *s = q + 5;
			size_t n;

			while (s < e && (*s == ' ' || *s == '\t'))
				s++;
			n = (size_t)(e - s);
			if (n >= sizeof(cur.name))
				n = sizeof(cur.name) - 1;
			memcpy(cur.name, s, n);
			cur.name[n] = '\0';
			have |= 1;
		} else if ((size_t)(e - q) > 12 && !strncmp(q, "DMA address:", 12)) {
			if (hex_field(q + 12, e, &cur.dma))
				return rplat_fail(err, errlen, "carveout_memories: line %u: bad DMA address", line);
			have |= 2;
		} else if ((size_t)(e - q) > 15 && !strncmp(q, "Device address:", 15)) {
			uint64_t v;

			if (hex_field(q + 15, e, &v) || v > 0xFFFFFFFFull)
				return rplat_fail(err, errlen, "carveout_memories: line %u: bad device address", line);
			cur.da = (uint32_t)v;
			have |= 4;
		} else if ((size_t)(e - q) > 7 && !strncmp(q, "Length:", 7)) {
			if (hex_field(q + 7, e, &cur.len) || cur.len == 0 || cur.len > (1ull << 32))
				return rplat_fail(err, errlen, "carveout_memories: line %u: bad length", line);
			have |= 8;
		}
		if (!nl)
			p = end;
		else
			p = nl + 1;
	}
	if (!found)
		return rplat_fail(err, errlen, "carveout_memories: no carveout named %s (is the firmware built with the "
				  "rplat hooks, and running?)", name);
	return 0;
}

char *rplat_obs_read_text(const char *path, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (!buf || fd < 0) {
		int e = errno;

		free(buf);
		if (fd >= 0)
			close(fd);
		errno = buf ? e : ENOMEM;
		return NULL;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb = cap >= (1u << 20) ? NULL : realloc(buf, 2 * cap + 1);

			if (!nb) {
				free(buf);
				close(fd);
				errno = EFBIG;
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

int rplat_obs_rproc_ring_map(const char *rproc, const char *dbg, const char *mem, const char *name,
			     struct rplat_obs_rproc_ring *r, char *err, size_t errlen)
{
	char path[4200], e2[256];
	struct dirent *de;
	int nfound = 0;
	long pg = sysconf(_SC_PAGESIZE);
	uint64_t base;
	DIR *d;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	snprintf(path, sizeof(path), "%s/remoteproc", dbg);
	d = rproc ? NULL : opendir(path);
	if (!rproc && !d)
		return rplat_fail(err, errlen, "%s: %s (debugfs mounted? --debugfs DIR)", path, strerror(errno));
	for (;;) {
		const char *rp = rproc;
		struct rplat_obs_carveout co;
		char *text;
		size_t len;

		if (!rp) {
			de = readdir(d);
			if (!de)
				break;
			if (de->d_name[0] == '.')
				continue;
			rp = de->d_name;
		}
		snprintf(path, sizeof(path), "%s/remoteproc/%s/carveout_memories", dbg, rp);
		text = rplat_obs_read_text(path, &len);
		if (text && rplat_obs_carveout_find(text, len, name, &co, e2, sizeof(e2)) == 0) {
			nfound++;
			r->co = co;
			snprintf(r->rproc, sizeof(r->rproc), "%s", rp);
		} else if (rproc) {
			rplat_fail(err, errlen, "%s: %s", path, text ? e2 : strerror(errno));
			free(text);
			return -1;
		}
		free(text);
		if (rproc)
			break;
	}
	if (d)
		closedir(d);
	if (nfound == 0)
		return rplat_fail(err, errlen, "no remoteproc in %s/remoteproc lists a \"%s\" carveout (is the "
				  "firmware running, with the hooks' ring in its resource table?)", dbg, name);
	if (nfound > 1) {
		rplat_fail(err, errlen, "more than one remoteproc lists a \"%s\" carveout: say which with --rproc",
			   name);
		return 1;
	}
	r->fd = open(mem, O_RDWR | O_SYNC | O_CLOEXEC);
	if (r->fd < 0)
		return rplat_fail(err, errlen, "%s: %s", mem, strerror(errno));
	base = r->co.dma & ~(uint64_t)(pg - 1);
	r->map_len = (size_t)(r->co.dma - base + r->co.len);
	r->map_base = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, (off_t)base);
	if (r->map_base == MAP_FAILED) {
		r->map_base = NULL;
		return rplat_fail(err, errlen, "%s: mmap of 0x%llx (+%llu bytes): %s", mem,
				  (unsigned long long)r->co.dma, (unsigned long long)r->co.len, strerror(errno));
	}
	r->mem = (uint8_t *)r->map_base + (r->co.dma - base);
	return 0;
}

void rplat_obs_rproc_ring_unmap(struct rplat_obs_rproc_ring *r)
{
	if (r->map_base)
		munmap(r->map_base, r->map_len);
	if (r->fd >= 0)
		close(r->fd);
	r->map_base = NULL;
	r->fd = -1;
}
