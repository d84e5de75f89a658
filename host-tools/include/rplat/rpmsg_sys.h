/* The kernel side of the rpmsg link: sysfs discovery, device nodes and the rpmsg_char ioctls.
 *
 * Everything the rpmsg link asks of the kernel goes through this module, so that tests can stand in
 * for the kernel with a fixture tree and fake ioctls:
 *   - rplat_rpmsg_set_root() moves the sysfs and devfs roots (defaults "/sys" and "/dev");
 *   - rplat_rpmsg_set_hooks() replaces open() of device nodes and the two endpoint ioctls.
 * Both are process-wide settings, like tracefs_set_tracing_dir(); set them before opening a link.
 *
 * The sysfs layout it reads (names are examples):
 *   SYS/class/remoteproc/remoteproc0           -> the rproc device; files 'name', 'state'
 *   SYS/bus/rpmsg/devices/virtio0.rpmsg_chrdev.-1.14   a channel: VIRTIO.NAME.SRC.DST, which resolves
 *                                              to a directory below the rproc's virtio device
 *   SYS/class/rpmsg/rpmsg_ctrl0                -> the ctrl device, below the same virtio device
 *   SYS/class/rpmsg/rpmsg_ctrl0/rpmsg3         an endpoint created through it ('name', 'src', 'dst')
 *   DEV/rpmsg_ctrl0, DEV/rpmsg3                their device nodes */
#ifndef RPLAT_RPMSG_SYS_H
#define RPLAT_RPMSG_SYS_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/rpmsg.h>

/* Largest payload of one RPMsg message: a 512-byte buffer less the 16-byte header. */
#define RPLAT_RPMSG_MAX_PAYLOAD 496

/* Replaceable kernel entry points. Each returns what the system call would: an fd or 0, or -1 with
 * errno set. 'data' is passed back unchanged. */
struct rplat_rpmsg_hooks {
	int (*open_dev)(void *data, const char *path, int flags);
	int (*create_ept)(void *data, int ctrl_fd, const struct rpmsg_endpoint_info *info);
	int (*destroy_ept)(void *data, int ept_fd);
	void *data;
};

/* A remoteproc found in sysfs. */
struct rplat_rpmsg_rproc {
	char id[64];        /* class entry, "remoteproc0" */
	char name[128];     /* its 'name' attribute */
	char state[32];     /* its 'state' attribute, "" if unreadable */
	char path[PATH_MAX]; /* resolved sysfs directory */
};

/* An RPMsg channel announced by the remote. */
struct rplat_rpmsg_chan {
	char dev[128];       /* sysfs device name, "virtio0.rpmsg_chrdev.-1.14" */
	char name[32];       /* channel name, "rpmsg_chrdev" */
	char vdev[64];       /* virtio device, "virtio0" */
	char vdev_path[PATH_MAX]; /* resolved sysfs directory of the virtio device */
	uint32_t dst;        /* remote address (the port) */
};

/**
 * rplat_rpmsg_set_root - move the sysfs and devfs roots
 * @sys_dir: directory standing in for /sys, or NULL for "/sys"
 * @dev_dir: directory standing in for /dev, or NULL for "/dev"
 *
 * Returns 0, or -1 with errno ENAMETOOLONG (nothing is changed then).
 */
int rplat_rpmsg_set_root(const char *sys_dir, const char *dev_dir);
/* The current roots. The strings stay valid until the next rplat_rpmsg_set_root(). */
const char *rplat_rpmsg_sys_dir(void);
const char *rplat_rpmsg_dev_dir(void);

/**
 * rplat_rpmsg_set_hooks - replace the kernel entry points
 * @hooks: the replacements (copied; a NULL member keeps the real call), or NULL for the real calls
 */
void rplat_rpmsg_set_hooks(const struct rplat_rpmsg_hooks *hooks);

/* Open a device node (O_CLOEXEC is added). Returns an fd, or -1 with errno set. */
int rplat_rpmsg_dev_open(const char *path, int flags);
/* RPMSG_CREATE_EPT_IOCTL on a ctrl fd / RPMSG_DESTROY_EPT_IOCTL on an endpoint fd. 0, or -1 + errno. */
int rplat_rpmsg_ept_ioctl_create(int ctrl_fd, const struct rpmsg_endpoint_info *info);
int rplat_rpmsg_ept_ioctl_destroy(int ept_fd);

/**
 * rplat_rpmsg_rproc_find - find a remoteproc by name
 * @name: its 'name' attribute, its class entry ("remoteproc0") or its parent device's name
 * @rp: filled in on success
 * @err, @errlen: a message on failure, naming what was found instead
 *
 * Returns 0, or -1 when none or more than one remoteproc matches.
 */
int rplat_rpmsg_rproc_find(const char *name, struct rplat_rpmsg_rproc *rp, char *err, size_t errlen);

/**
 * rplat_rpmsg_chan_find - find the channel a remoteproc announced on a port
 * @rp: the remoteproc
 * @name: the channel name, or NULL for "rpmsg_chrdev" or "rpmsg-raw"
 * @port: the remote address
 * @ch: filled in on success
 * @err, @errlen: a message on failure, listing the remoteproc's channels
 *
 * Returns 0, or -1 when none or more than one channel matches.
 */
int rplat_rpmsg_chan_find(const struct rplat_rpmsg_rproc *rp, const char *name, uint32_t port,
			  struct rplat_rpmsg_chan *ch, char *err, size_t errlen);

/**
 * rplat_rpmsg_ctrl_find - find the ctrl device of a channel's virtio device
 * @ch: the channel
 * @ctrl: receives the ctrl device's name, "rpmsg_ctrl0"
 * @len: size of @ctrl
 * @err, @errlen: a message on failure
 *
 * Returns 0, or -1 when none or more than one ctrl device belongs to the virtio device.
 */
int rplat_rpmsg_ctrl_find(const struct rplat_rpmsg_chan *ch, char *ctrl, size_t len, char *err,
			  size_t errlen);

/**
 * rplat_rpmsg_ept_create - create an endpoint device through a ctrl device
 * @ctrl: the ctrl device's name ("rpmsg_ctrl0") or its node's path ("/dev/rpmsg_ctrl0")
 * @name: the endpoint name (at most 31 characters)
 * @dst: the remote address
 * @ept: receives the new endpoint device's name, "rpmsg3"
 * @len: size of @ept
 * @err, @errlen: a message on failure
 *
 * The new device is told apart from those already there by listing the ctrl device's endpoints (in
 * sysfs, or in devfs when sysfs has no entry for the ctrl) before and after the ioctl. Returns 0, or
 * -1. The caller destroys the endpoint with rplat_rpmsg_ept_ioctl_destroy() on an fd of it.
 */
int rplat_rpmsg_ept_create(const char *ctrl, const char *name, uint32_t dst, char *ept, size_t len,
			   char *err, size_t errlen);

#endif
