/* remoteproc control: see rplat/rproc.h.
 *
 * The kernel's rules (Linux 6.12: drivers/remoteproc/remoteproc_sysfs.c state_store(), firmware_store();
 * remoteproc_core.c rproc_boot(), rproc_shutdown(), rproc_set_firmware()), checked against the virtual
 * board's live kernel by tests/integration/test_vboard_rpmsg.sh:
 *   - "stop" shuts down a running, attached or crashed core; any other state gives -EINVAL;
 *   - 'firmware' can only change while the core is offline (-EBUSY, "can't change firmware while
 *     running"), and not to an empty name (-EINVAL);
 *   - "start" boots an offline core; a failed boot gives its error to the writer (-ENOENT: no firmware
 *     file, -EINVAL: bad image);
 *   - "start" on a core that is already powered (running, attached, crashed) is *not* refused: rproc_boot()
 *     only takes another power reference and returns 0, after which one "stop" drops that reference and
 *     leaves the core running.
 * So stop and firmware changes are written as asked and the kernel's errno is explained; only a start of
 * a powered core is refused before the write, since the kernel would take it silently. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rplat/rproc.h"
#include "rplat/util.h"

#define TRACE_MAX (4u << 20)

int rplat_rproc_roots_init(struct rplat_rproc_roots *r, const char *root)
{
	const char *base = root && root[0] && strcmp(root, "/") ? root : "";

	if ((size_t)snprintf(r->sys, sizeof(r->sys), "%s/sys", base) >= sizeof(r->sys) ||
	    (size_t)snprintf(r->debug, sizeof(r->debug), "%s/sys/kernel/debug", base) >= sizeof(r->debug) ||
	    (size_t)snprintf(r->fw, sizeof(r->fw), "%s/lib/firmware", base) >= sizeof(r->fw)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Read a sysfs attribute, trailing newline stripped; "" when unreadable. */
static void attr(const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX + 64];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
}

static int count_traces(const struct rplat_rproc_roots *r, const char *id)
{
	char dir[PATH_MAX + 64];
	struct dirent *d;
	DIR *dp;
	int n = 0;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/remoteproc/%s", r->debug, id) >= sizeof(dir))
		return -1;
	dp = opendir(dir);
	if (!dp)
		return -1;
	while ((d = readdir(dp)))
		n += !strncmp(d->d_name, "trace", 5) && isdigit((unsigned char)d->d_name[5]);
	closedir(dp);
	return n;
}

/* Returns -1 when the names do not fit (the entry is then skipped). */
static int fill(const struct rplat_rproc_roots *r, const char *classdir, const char *id, struct rplat_rproc *p)
{
	memset(p, 0, sizeof(*p));
	if ((size_t)snprintf(p->id, sizeof(p->id), "%s", id) >= sizeof(p->id) ||
	    (size_t)snprintf(p->dir, sizeof(p->dir), "%s/%s", classdir, id) >= sizeof(p->dir))
		return -1;
	attr(p->dir, "name", p->name, sizeof(p->name));
	attr(p->dir, "state", p->state, sizeof(p->state));
	attr(p->dir, "firmware", p->firmware, sizeof(p->firmware));
	attr(p->dir, "recovery", p->recovery, sizeof(p->recovery));
	p->ntrace = count_traces(r, id);
	return 0;
}

static int cmp_rproc(const void *a, const void *b)
{
	const struct rplat_rproc *x = a, *y = b;
	long nx = strtol(x->id + 10, NULL, 10), ny = strtol(y->id + 10, NULL, 10);

	return nx < ny ? -1 : nx > ny;
}

int rplat_rproc_list(const struct rplat_rproc_roots *r, struct rplat_rproc **list, size_t *n, char *err,
		     size_t errlen)
{
	char classdir[PATH_MAX + 32];
	struct rplat_rproc *v = NULL;
	size_t cap = 0;
	struct dirent *d;
	DIR *dp;

	*list = NULL;
	*n = 0;
	snprintf(classdir, sizeof(classdir), "%s/class/remoteproc", r->sys);
	dp = opendir(classdir);
	if (!dp) {
		if (errno == ENOENT)
			return 0;
		return rplat_fail(err, errlen, "%s: %s", classdir, strerror(errno));
	}
	while ((d = readdir(dp))) {
		if (strncmp(d->d_name, "remoteproc", 10) || !isdigit((unsigned char)d->d_name[10]))
			continue;
		if (*n == cap) {
			struct rplat_rproc *nv = realloc(v, (cap ? cap * 2 : 4) * sizeof(*v));

			if (!nv) {
				free(v);
				closedir(dp);
				*n = 0;
				return rplat_fail(err, errlen, "%s: out of memory", classdir);
			}
			v = nv;
			cap = cap ? cap * 2 : 4;
		}
		if (fill(r, classdir, d->d_name, &v[*n]) == 0)
			(*n)++;
	}
	closedir(dp);
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_rproc);
	*list = v;
	return 0;
}

int rplat_rproc_find(const struct rplat_rproc_roots *r, const char *which, struct rplat_rproc *out, char *err,
		     size_t errlen)
{
	struct rplat_rproc *v;
	size_t n, i;
	int ret = -1;
	char want[64];

	if (rplat_rproc_list(r, &v, &n, err, errlen) < 0)
		return -1;
	if (!n)
		return rplat_fail(err, errlen, "no remote processor in %s/class/remoteproc (is the remoteproc driver "
				  "loaded? `rplat check dt` shows the DT side)", r->sys);
	if (!which) {
		if (n == 1) {
			*out = v[0];
			ret = 0;
		} else {
			rplat_fail(err, errlen, "%zu remote processors: pick one with -r (rplat rproc list)", n);
		}
		goto out;
	}
	/* "3" means remoteproc3 */
	snprintf(want, sizeof(want), "%s%s", isdigit((unsigned char)which[0]) ? "remoteproc" : "", which);
	for (i = 0; i < n; i++)
		if (!strcmp(v[i].id, want) || !strcmp(v[i].name, which)) {
			*out = v[i];
			ret = 0;
			goto out;
		}
	rplat_fail(err, errlen, "no remote processor '%s' (rplat rproc list shows them)", which);
out:
	free(v);
	return ret;
}

/* Write a sysfs attribute; the kernel's error comes back as errno. */
static int attr_write(const char *dir, const char *name, const char *val)
{
	char path[PATH_MAX + 64];
	size_t len = strlen(val);
	ssize_t n;
	int fd, e;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, val, len);
	e = errno;
	if (close(fd) < 0 && n >= 0) {
		e = errno;
		n = -1;
	}
	errno = e;
	return n == (ssize_t)len ? 0 : -1;
}

static int is_up(const char *state)
{
	return !strcmp(state, "running") || !strcmp(state, "attached");
}

static const char *errno_name(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case EBUSY: return "EBUSY";
	case ENOENT: return "ENOENT";
	case ENODEV: return "ENODEV";
	case ENOMEM: return "ENOMEM";
	case EIO: return "EIO";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EINTR: return "EINTR";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EISDIR: return "EISDIR";
	default: return "errno";
	}
}

int rplat_rproc_explain(const struct rplat_rproc *p, const char *attr_name, const char *val, int e, char *err,
			size_t errlen)
{
	const char *st = p->state[0] ? p->state : "in an unreadable state";
	const char *why = "";

	if (!strcmp(attr_name, "state") && !strcmp(val, "stop") && e == EINVAL)
		why = ": rproc_shutdown() stops only a running, attached or crashed core";
	else if (!strcmp(attr_name, "state") && !strcmp(val, "start") && e == ENOENT)
		why = ": the firmware file is not in /lib/firmware (request_firmware() failed)";
	else if (!strcmp(attr_name, "state") && !strcmp(val, "start") && e == EINVAL)
		why = ": the kernel rejected the image; run `rplat check rsc` on it and see the kernel log";
	else if (!strcmp(attr_name, "firmware") && e == EBUSY)
		why = ": rproc_set_firmware() changes it only while the core is offline; stop it first";
	else if (!strcmp(attr_name, "firmware") && e == EINVAL)
		why = ": an empty firmware name";
	return rplat_fail(err, errlen, "%s (%s) is %s; the kernel refused %s %s (%s: %s)%s", p->id, p->name, st,
			  !strcmp(attr_name, "state") ? "to" : "the firmware", val, errno_name(e), strerror(e), why);
}

int rplat_rproc_start(const struct rplat_rproc_roots *r, const struct rplat_rproc *p, char *err, size_t errlen)
{
	(void)r;
	/* rproc_boot() takes another power reference on a powered core and returns 0: the write would
	 * "succeed" and the next stop would leave the core running */
	if (is_up(p->state) || !strcmp(p->state, "crashed"))
		return rplat_fail(err, errlen, "%s (%s) is already %s: not written, since the kernel would not refuse "
				  "start but only take another power reference (rproc_boot()), after which one stop "
				  "leaves it running%s", p->id, p->name, p->state,
				  strcmp(p->state, "crashed") ? "" : "; a crashed core is being recovered, or stop it");
	if (attr_write(p->dir, "state", "start") == 0)
		return 0;
	if (errno == EACCES || errno == EPERM || errno == EROFS)
		return rplat_fail(err, errlen, "%s: writing start to %s/state: %s", p->id, p->dir, strerror(errno));
	return rplat_rproc_explain(p, "state", "start", errno, err, errlen);
}

int rplat_rproc_stop(const struct rplat_rproc_roots *r, const struct rplat_rproc *p, char *err, size_t errlen)
{
	char st[sizeof(p->state)];

	(void)r;
	if (attr_write(p->dir, "state", "stop") < 0) {
		if (errno == EACCES || errno == EPERM || errno == EROFS)
			return rplat_fail(err, errlen, "%s: writing stop to %s/state: %s", p->id, p->dir, strerror(errno));
		return rplat_rproc_explain(p, "state", "stop", errno, err, errlen);
	}
	/* rproc_shutdown() returns 0 also when it only dropped one of several power references */
	attr(p->dir, "state", st, sizeof(st));
	if (is_up(st))
		return rplat_fail(err, errlen, "%s (%s): the kernel took stop but the core is still %s: someone else "
				  "holds a power reference (a start written while it ran, or a driver using it); stop "
				  "again to drop it", p->id, p->name, st);
	return 0;
}

int rplat_rproc_firmware_path(const struct rplat_rproc_roots *r, const char *fw, char *name, size_t namelen,
			      char *path, size_t pathlen, char *err, size_t errlen)
{
	char real_fw[PATH_MAX], real_dir[PATH_MAX];
	struct stat st;
	size_t dl;

	if (!fw[0])
		return rplat_fail(err, errlen, "empty firmware name");
	if (!strchr(fw, '/')) {
		if (!strcmp(fw, "..") || !strcmp(fw, "."))
			return rplat_fail(err, errlen, "'%s' is not a firmware name", fw);
		if ((size_t)snprintf(path, pathlen, "%s/%s", r->fw, fw) >= pathlen ||
		    (size_t)snprintf(name, namelen, "%s", fw) >= namelen)
			return rplat_fail(err, errlen, "%s: name too long", fw);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			return rplat_fail(err, errlen, "%s: no such firmware file (the kernel loads from %s)", path, r->fw);
		return 0;
	}
	/* a path: it must lie inside the firmware directory */
	if (!realpath(fw, real_fw))
		return rplat_fail(err, errlen, "%s: %s", fw, strerror(errno));
	if (!realpath(r->fw, real_dir))
		return rplat_fail(err, errlen, "%s: %s", r->fw, strerror(errno));
	dl = strlen(real_dir);
	if (strncmp(real_fw, real_dir, dl) || real_fw[dl] != '/')
		return rplat_fail(err, errlen, "%s is outside %s: the kernel only loads firmware from there; copy it "
				  "first (cp %s %s/)", fw, r->fw, fw, r->fw);
	if (stat(real_fw, &st) < 0 || !S_ISREG(st.st_mode))
		return rplat_fail(err, errlen, "%s: not a regular file", fw);
	if ((size_t)snprintf(name, namelen, "%s", real_fw + dl + 1) >= namelen ||
	    (size_t)snprintf(path, pathlen, "%s", real_fw) >= pathlen)
		return rplat_fail(err, errlen, "%s: name too long", fw);
	return 0;
}

int rplat_rproc_set_firmware(const struct rplat_rproc_roots *r, const struct rplat_rproc *p, const char *name,
			     char *err, size_t errlen)
{
	(void)r;
	if (attr_write(p->dir, "firmware", name) == 0)
		return 0;
	if (errno == EACCES || errno == EPERM || errno == EROFS)
		return rplat_fail(err, errlen, "%s: writing %s to %s/firmware: %s", p->id, name, p->dir, strerror(errno));
	return rplat_rproc_explain(p, "firmware", name, errno, err, errlen);
}

int rplat_rproc_read_trace(const struct rplat_rproc_roots *r, const struct rplat_rproc *p, int idx, char **buf,
			   size_t *len, char *err, size_t errlen)
{
	char path[PATH_MAX + 96], dir[PATH_MAX + 32];
	struct stat st;
	char *b = NULL;
	size_t got = 0, cap = 0;
	int fd, ret = -1;

	*buf = NULL;
	*len = 0;
	snprintf(dir, sizeof(dir), "%s/remoteproc", r->debug);
	if (stat(dir, &st) < 0)
		return rplat_fail(err, errlen, "%s: not there: is debugfs mounted? (mount -t debugfs none %s)", dir,
				  r->debug);
	snprintf(path, sizeof(path), "%s/%s/trace%d", dir, p->id, idx);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return rplat_fail(err, errlen, "%s: %s%s", path, strerror(errno),
				  errno == ENOENT ? " (no trace entry in the firmware's resource table, or not started)" : "");
	for (;;) {
		ssize_t n;

		if (got + 4096 + 1 > cap) {
			char *nb;

			if (cap >= TRACE_MAX)
				break;
			cap = cap ? cap * 2 : 8192;
			nb = realloc(b, cap);
			if (!nb) {
				rplat_fail(err, errlen, "%s: out of memory", path);
				goto out;
			}
			b = nb;
		}
		n = read(fd, b + got, cap - got - 1);
		if (n < 0) {
			rplat_fail(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (!n)
			break;
		got += (size_t)n;
	}
	if (!b) {
		b = malloc(1);
		if (!b) {
			rplat_fail(err, errlen, "%s: out of memory", path);
			goto out;
		}
	}
	b[got] = '\0';
	*len = strlen(b); /* the buffer is text up to its first NUL */
	*buf = b;
	b = NULL;
	ret = 0;
out:
	free(b);
	close(fd);
	return ret;
}
