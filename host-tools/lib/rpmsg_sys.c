/* The kernel side of the rpmsg link: sysfs discovery, device nodes, endpoint ioctls. See rplat/rpmsg_sys.h.
 *
 * Discovery works on resolved sysfs paths: a channel belongs to a remoteproc when its directory lies
 * below the remoteproc's, and a ctrl device belongs to a channel's virtio device when its directory lies
 * below that virtio device's. This holds for the layouts of old kernels (virtioN directly below
 * remoteprocN, ctrl below an "rpmsg_chrdev" device) and new ones (remoteprocN#vdevMbuffer in between,
 * ctrl below "virtioN.rpmsg_ctrl.0.0"), without naming the intermediate directories. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rplat/rpmsg_sys.h"
#include "rplat/util.h"

static char sys_root[PATH_MAX] = "/sys";
static char dev_root[PATH_MAX] = "/dev";

static int real_open_dev(void *data, const char *path, int flags)
{
	(void)data;
	return open(path, flags);
}

static int real_create_ept(void *data, int ctrl_fd, const struct rpmsg_endpoint_info *info)
{
	(void)data;
	return ioctl(ctrl_fd, RPMSG_CREATE_EPT_IOCTL, info);
}

static int real_destroy_ept(void *data, int ept_fd)
{
	(void)data;
	return ioctl(ept_fd, RPMSG_DESTROY_EPT_IOCTL);
}

static const struct rplat_rpmsg_hooks real_hooks = {
	.open_dev = real_open_dev,
	.create_ept = real_create_ept,
	.destroy_ept = real_destroy_ept,
};
static struct rplat_rpmsg_hooks hooks = {
	.open_dev = real_open_dev,
	.create_ept = real_create_ept,
	.destroy_ept = real_destroy_ept,
};

int rplat_rpmsg_set_root(const char *sys_dir, const char *dev_dir)
{
	if (!sys_dir)
		sys_dir = "/sys";
	if (!dev_dir)
		dev_dir = "/dev";
	if (strlen(sys_dir) >= sizeof(sys_root) || strlen(dev_dir) >= sizeof(dev_root)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sys_root, sys_dir);
	strcpy(dev_root, dev_dir);
	return 0;
}

const char *rplat_rpmsg_sys_dir(void)
{
	return sys_root;
}

const char *rplat_rpmsg_dev_dir(void)
{
	return dev_root;
}

void rplat_rpmsg_set_hooks(const struct rplat_rpmsg_hooks *h)
{
	hooks = real_hooks;
	if (!h)
		return;
	if (h->open_dev)
		hooks.open_dev = h->open_dev;
	if (h->create_ept)
		hooks.create_ept = h->create_ept;
	if (h->destroy_ept)
		hooks.destroy_ept = h->destroy_ept;
	hooks.data = h->data;
}

int rplat_rpmsg_dev_open(const char *path, int flags)
{
	return hooks.open_dev(hooks.data, path, flags | O_CLOEXEC);
}

int rplat_rpmsg_ept_ioctl_create(int ctrl_fd, const struct rpmsg_endpoint_info *info)
{
	return hooks.create_ept(hooks.data, ctrl_fd, info);
}

int rplat_rpmsg_ept_ioctl_destroy(int ept_fd)
{
	return hooks.destroy_ept(hooks.data, ept_fd);
}

/* snprintf into a path buffer; -1 with ENAMETOOLONG when it does not fit. */
static int __attribute__((format(printf, 3, 4))) path_fmt(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Read a one-line sysfs attribute DIR/FILE into buf, without trailing whitespace. 0, or -1. */
static int read_attr(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, ret = -1;

	buf[0] = '\0';
	if (path_fmt(path, sizeof(path), "%s/%s", dir, file))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	if (n < 0)
		goto out_close;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	ret = 0;
out_close:
	close(fd);
	return ret;
}

/* Is 'path' strictly below directory 'dir'? Both resolved. */
static int path_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && path[n] == '/';
}

/* Append ", item" (or "item" first) to a list kept for error messages; marks truncation with "...". */
static void list_add(char *list, size_t len, const char *item)
{
	size_t used = strlen(list);
	int n;

	if (used + 4 >= len)
		return;
	n = snprintf(list + used, len - used, "%s%s", used ? ", " : "", item);
	if (n < 0 || (size_t)n >= len - used)
		strcpy(list + len - 4, "...");
}

static int not_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* "rpmsg" followed by digits only: an endpoint device, not "rpmsg_ctrl0". */
static int is_ept_name(const struct dirent *d)
{
	const char *p = d->d_name;

	if (strncmp(p, "rpmsg", 5) || !p[5])
		return 0;
	for (p += 5; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

static void free_names(struct dirent **names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int rplat_rpmsg_rproc_find(const char *want, struct rplat_rpmsg_rproc *rp, char *err, size_t errlen)
{
	char dir[PATH_MAX], entry[PATH_MAX], rpath[PATH_MAX], dev[PATH_MAX];
	char found[512] = "", matches[512] = "", item[256];
	struct rplat_rpmsg_rproc cur;
	struct dirent **names = NULL;
	int i, n, nmatch = 0, ret = -1;

	if (path_fmt(dir, sizeof(dir), "%s/class/remoteproc", sys_root))
		return rplat_fail(err, errlen, "sysfs root too long: %s", sys_root);
	n = scandir(dir, &names, not_dot, alphasort);
	if (n < 0)
		return rplat_fail(err, errlen, "cannot list %s: %s (is a remoteproc driver loaded?)", dir,
				  strerror(errno));
	for (i = 0; i < n; i++) {
		const char *devname = "";

		memset(&cur, 0, sizeof(cur));
		if (path_fmt(entry, sizeof(entry), "%s/%s", dir, names[i]->d_name) || !realpath(entry, rpath) ||
		    path_fmt(cur.id, sizeof(cur.id), "%s", names[i]->d_name))
			continue;
		strcpy(cur.path, rpath);
		read_attr(entry, "name", cur.name, sizeof(cur.name));
		read_attr(entry, "state", cur.state, sizeof(cur.state));
		if (!path_fmt(item, sizeof(item), "%s/device", entry) && realpath(item, dev))
			devname = strrchr(dev, '/') + 1;
		snprintf(item, sizeof(item), "%s '%s'", cur.id, cur.name);
		list_add(found, sizeof(found), item);
		if (strcmp(want, cur.name) && strcmp(want, cur.id) && strcmp(want, devname))
			continue;
		if (!nmatch++)
			*rp = cur;
		list_add(matches, sizeof(matches), cur.id);
	}
	if (!nmatch && !found[0])
		rplat_fail(err, errlen, "no remoteproc named '%s': %s is empty (is a remoteproc driver loaded?)",
			   want, dir);
	else if (!nmatch)
		rplat_fail(err, errlen, "no remoteproc named '%s' (found: %s)", want, found);
	else if (nmatch > 1)
		rplat_fail(err, errlen, "remoteproc name '%s' is ambiguous (%s); give rproc=remoteprocN", want,
			   matches);
	else
		ret = 0;
	free_names(names, n);
	return ret;
}

/* Split a channel device name VIRTIO.NAME.SRC.DST. The name may itself contain dots. */
static int parse_chan_dev(const char *dev, struct rplat_rpmsg_chan *ch)
{
	const char *first = strchr(dev, '.'), *last = strrchr(dev, '.'), *mid;
	char *end;
	long dst;

	if (!first || last == first)
		return -1;
	for (mid = last - 1; mid > first && *mid != '.'; mid--)
		;
	if (mid == first || mid - first - 1 <= 0 || (size_t)(mid - first - 1) >= sizeof(ch->name) ||
	    (size_t)(first - dev) >= sizeof(ch->vdev))
		return -1;
	errno = 0;
	dst = strtol(last + 1, &end, 10);
	if (*end || end == last + 1 || errno || dst < -1 || dst > (long)UINT32_MAX)
		return -1;
	if (path_fmt(ch->dev, sizeof(ch->dev), "%s", dev))
		return -1;
	snprintf(ch->vdev, sizeof(ch->vdev), "%.*s", (int)(first - dev), dev);
	snprintf(ch->name, sizeof(ch->name), "%.*s", (int)(mid - first - 1), first + 1);
	ch->dst = (uint32_t)dst;
	return 0;
}

static int chan_name_ok(const char *name, const char *want)
{
	if (want)
		return !strcmp(name, want);
	return !strcmp(name, "rpmsg_chrdev") || !strcmp(name, "rpmsg-raw");
}

int rplat_rpmsg_chan_find(const struct rplat_rpmsg_rproc *rp, const char *want, uint32_t port,
			  struct rplat_rpmsg_chan *ch, char *err, size_t errlen)
{
	char dir[PATH_MAX], entry[PATH_MAX], cpath[PATH_MAX], chans[512] = "", matches[512] = "";
	char who[256];
	const char *wname = want ? want : "rpmsg_chrdev or rpmsg-raw";
	struct rplat_rpmsg_chan cur;
	struct dirent **names = NULL;
	int i, n, nmatch = 0, ret = -1;

	if (path_fmt(dir, sizeof(dir), "%s/bus/rpmsg/devices", sys_root))
		return rplat_fail(err, errlen, "sysfs root too long: %s", sys_root);
	if (rp->state[0] && strcmp(rp->state, "running"))
		snprintf(who, sizeof(who), "%s ('%s', state %s)", rp->id, rp->name, rp->state);
	else
		snprintf(who, sizeof(who), "%s ('%s')", rp->id, rp->name);
	n = scandir(dir, &names, not_dot, alphasort);
	if (n < 0)
		return rplat_fail(err, errlen, "%s: cannot list %s: %s (is the rpmsg bus loaded?)", who, dir,
				  strerror(errno));
	for (i = 0; i < n; i++) {
		char *slash;

		memset(&cur, 0, sizeof(cur));
		if (path_fmt(entry, sizeof(entry), "%s/%s", dir, names[i]->d_name) || !realpath(entry, cpath) ||
		    !path_below(cpath, rp->path) || parse_chan_dev(names[i]->d_name, &cur))
			continue;
		list_add(chans, sizeof(chans), cur.dev);
		if (cur.dst != port || !chan_name_ok(cur.name, want))
			continue;
		slash = strrchr(cpath, '/');
		*slash = '\0';
		snprintf(cur.vdev_path, sizeof(cur.vdev_path), "%s", cpath);
		if (!nmatch++)
			*ch = cur;
		list_add(matches, sizeof(matches), cur.dev);
	}
	if (!nmatch && !chans[0])
		rplat_fail(err, errlen, "%s has no rpmsg channels: is its firmware running and announcing its ports?",
			   who);
	else if (!nmatch)
		rplat_fail(err, errlen, "%s: no %s channel on port %u (channels: %s)", who, wname, port, chans);
	else if (nmatch > 1)
		rplat_fail(err, errlen, "%s: port %u is ambiguous (%s); give name=", who, port, matches);
	else
		ret = 0;
	free_names(names, n);
	return ret;
}

int rplat_rpmsg_ctrl_find(const struct rplat_rpmsg_chan *ch, char *ctrl, size_t len, char *err,
			  size_t errlen)
{
	char dir[PATH_MAX], entry[PATH_MAX], cpath[PATH_MAX], matches[512] = "";
	struct dirent **names = NULL;
	int i, n, nmatch = 0, ret = -1;

	if (path_fmt(dir, sizeof(dir), "%s/class/rpmsg", sys_root))
		return rplat_fail(err, errlen, "sysfs root too long: %s", sys_root);
	n = scandir(dir, &names, not_dot, alphasort);
	if (n < 0)
		n = 0; /* no rpmsg class at all: reported below as no ctrl device */
	for (i = 0; i < n; i++) {
		if (strncmp(names[i]->d_name, "rpmsg_ctrl", 10) ||
		    path_fmt(entry, sizeof(entry), "%s/%s", dir, names[i]->d_name) || !realpath(entry, cpath) ||
		    !path_below(cpath, ch->vdev_path))
			continue;
		if (!nmatch++)
			snprintf(ctrl, len, "%s", names[i]->d_name);
		list_add(matches, sizeof(matches), names[i]->d_name);
	}
	if (!nmatch)
		rplat_fail(err, errlen,
			   "no rpmsg_ctrl device for %s in %s (the kernel needs CONFIG_RPMSG_CHAR, and "
			   "CONFIG_RPMSG_CTRL since 5.18); give ctrl=/dev/rpmsg_ctrlN",
			   ch->vdev, dir);
	else if (nmatch > 1)
		rplat_fail(err, errlen, "%s has several ctrl devices (%s); give ctrl=/dev/rpmsg_ctrlN", ch->vdev,
			   matches);
	else
		ret = 0;
	if (names)
		free_names(names, n);
	return ret;
}

/* Is 'name' among the first n entries of 'names'? */
static int in_names(struct dirent **names, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i]->d_name, name))
			return 1;
	return 0;
}

/* Does the sysfs entry DIR/EPT describe an endpoint named 'name' to 'dst'? Unreadable attributes pass. */
static int ept_attrs_match(const char *dir, const char *ept, const char *name, uint32_t dst)
{
	char path[PATH_MAX], buf[64], *end;
	long v;

	if (path_fmt(path, sizeof(path), "%s/%s", dir, ept))
		return 1;
	if (!read_attr(path, "name", buf, sizeof(buf)) && strcmp(buf, name))
		return 0;
	if (!read_attr(path, "dst", buf, sizeof(buf))) {
		v = strtol(buf, &end, 0);
		if (end != buf && !*end && (uint32_t)v != dst)
			return 0;
	}
	return 1;
}

int rplat_rpmsg_ept_create(const char *ctrl, const char *name, uint32_t dst, char *ept, size_t len,
			   char *err, size_t errlen)
{
	char node[PATH_MAX], sdir[PATH_MAX], fresh[256] = "";
	struct dirent **before = NULL, **after = NULL;
	struct rpmsg_endpoint_info info;
	const char *base = strrchr(ctrl, '/'), *listdir;
	struct stat st;
	int nb, na = 0, i, fd, nfresh = 0, ret = -1;

	base = base ? base + 1 : ctrl;
	if (strlen(name) >= sizeof(info.name))
		return rplat_fail(err, errlen, "endpoint name '%s' too long (at most %zu characters)", name,
				  sizeof(info.name) - 1);
	if ((strchr(ctrl, '/') ? path_fmt(node, sizeof(node), "%s", ctrl) :
				 path_fmt(node, sizeof(node), "%s/%s", dev_root, ctrl)) ||
	    path_fmt(sdir, sizeof(sdir), "%s/class/rpmsg/%s", sys_root, base))
		return rplat_fail(err, errlen, "path too long for ctrl device '%s'", ctrl);
	/* Where the new endpoint shows up: below the ctrl in sysfs, else as a new node in devfs. */
	listdir = !stat(sdir, &st) && S_ISDIR(st.st_mode) ? sdir : dev_root;
	nb = scandir(listdir, &before, is_ept_name, alphasort);
	if (nb < 0)
		return rplat_fail(err, errlen, "cannot list %s: %s", listdir, strerror(errno));

	fd = rplat_rpmsg_dev_open(node, O_RDWR);
	if (fd < 0) {
		rplat_fail(err, errlen, "cannot open %s: %s", node, strerror(errno));
		goto out_before;
	}
	memset(&info, 0, sizeof(info));
	snprintf(info.name, sizeof(info.name), "%s", name);
	info.src = RPMSG_ADDR_ANY;
	info.dst = dst;
	if (rplat_rpmsg_ept_ioctl_create(fd, &info)) {
		rplat_fail(err, errlen, "RPMSG_CREATE_EPT_IOCTL on %s (name '%s', dst %u) failed: %s", node, name,
			   dst, strerror(errno));
		goto out_close;
	}
	na = scandir(listdir, &after, is_ept_name, alphasort);
	if (na < 0) {
		na = 0;
		rplat_fail(err, errlen, "created an endpoint through %s, but cannot list %s: %s", node, listdir,
			   strerror(errno));
		goto out_close;
	}
	for (i = 0; i < na; i++) {
		if (in_names(before, nb, after[i]->d_name) ||
		    (listdir == sdir && !ept_attrs_match(sdir, after[i]->d_name, name, dst)))
			continue;
		if (!nfresh++)
			snprintf(ept, len, "%s", after[i]->d_name);
		list_add(fresh, sizeof(fresh), after[i]->d_name);
	}
	if (!nfresh)
		rplat_fail(err, errlen, "created an endpoint through %s, but no new rpmsgN appeared in %s", node,
			   listdir);
	else if (nfresh > 1)
		rplat_fail(err, errlen,
			   "created an endpoint through %s, but several appeared at once (%s): is another "
			   "process creating endpoints?",
			   node, fresh);
	else
		ret = 0;
	free_names(after, na);
out_close:
	close(fd);
out_before:
	free_names(before, nb);
	return ret;
}
