/* The rpmsg link: the kernel's rpmsg_char devices, the real path to a remote core. See rplat/link.h.
 *
 * The link either opens an endpoint device that already exists (rpmsg:/dev/rpmsgN), or finds the
 * remote's channel in sysfs and creates an endpoint for it through /dev/rpmsg_ctrlN, which it destroys
 * again on close. All kernel access goes through rplat/rpmsg_sys.h, so tests can stand in for it.
 *
 * The fd is non-blocking; send and recv wait in poll(), so that a remote that stops consuming or
 * answering bounds every call instead of hanging it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rplat/link.h"
#include "rplat/rpmsg_sys.h"
#include "rplat/util.h"

/* How long send() waits for a free TX buffer before it gives up with ETIMEDOUT. */
#define TX_WAIT_NS 1000000000LL
/* How long open waits for udev to create the node of an endpoint it has just created. */
#define NODE_WAIT_NS 2000000000LL

struct rpmsg_priv {
	int fd;
	int destroy;         /* the link created the endpoint: destroy it on close */
	char node[PATH_MAX]; /* the endpoint's device node */
};

/* Describe the link for the run metadata; a description too long for l->desc is cut short. */
static void __attribute__((format(printf, 2, 3))) set_desc(struct rplat_link *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->desc, sizeof(l->desc), fmt, ap);
	va_end(ap);
}

/* The errors by which rpmsg_char and stand-ins report that the endpoint or the remote is gone. */
static int is_hangup(int e)
{
	return e == EPIPE || e == ENODEV || e == ENXIO || e == ECONNRESET || e == ESHUTDOWN || e == ENOTCONN;
}

/* Wait for 'events' on fd until the CLOCK_MONOTONIC 'deadline' (< 0: forever). Returns the revents, 0
 * on timeout, or -1 with errno set. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	struct timespec ts, *tsp = NULL;
	int r;

	if (deadline >= 0) {
		int64_t rem = deadline - rplat_now_ns();

		if (rem < 0)
			rem = 0;
		ts.tv_sec = rem / 1000000000;
		ts.tv_nsec = rem % 1000000000;
		tsp = &ts;
	}
	r = ppoll(&p, 1, tsp, NULL);
	if (r <= 0)
		return r;
	return p.revents;
}

/* Open an endpoint node, retrying while udev has not created it yet. */
static int open_node(const char *node, int64_t wait_ns)
{
	int64_t deadline = rplat_now_ns() + wait_ns;
	struct timespec pause = { 0, 10000000 };
	int fd;

	for (;;) {
		fd = rplat_rpmsg_dev_open(node, O_RDWR);
		if (fd >= 0 || errno != ENOENT || rplat_now_ns() >= deadline)
			return fd;
		nanosleep(&pause, NULL);
	}
}

/* Take over an open endpoint fd: make it non-blocking and keep it in the link. */
static int adopt_fd(struct rpmsg_priv *p, int fd, char *err, size_t errlen)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return rplat_fail(err, errlen, "cannot make %s non-blocking: %s", p->node, strerror(errno));
	p->fd = fd;
	return 0;
}

/* rpmsg:/dev/rpmsgN (or rpmsg:rpmsgN, relative to the devfs root): an existing endpoint, kept on close. */
static int open_existing(struct rplat_link *l, struct rpmsg_priv *p, const char *dev, char *err,
			 size_t errlen)
{
	int fd, n;

	n = strchr(dev, '/') ? snprintf(p->node, sizeof(p->node), "%s", dev) :
			       snprintf(p->node, sizeof(p->node), "%s/%s", rplat_rpmsg_dev_dir(), dev);
	if (n < 0 || (size_t)n >= sizeof(p->node))
		return rplat_fail(err, errlen, "rpmsg: device path too long: %s", dev);
	fd = rplat_rpmsg_dev_open(p->node, O_RDWR);
	if (fd < 0)
		return rplat_fail(err, errlen, "rpmsg: cannot open %s: %s%s", p->node, strerror(errno),
				  errno == EBUSY ? " (another process has it open)" : "");
	if (adopt_fd(p, fd, err, errlen)) {
		close(fd);
		return -1;
	}
	set_desc(l, "rpmsg:%s", p->node);
	return 0;
}

/* Discovery: rproc=NAME,port=N[,name=...][,ctrl=...], or ctrl=...,port=N[,name=...] without discovery. */
static int open_created(struct rplat_link *l, struct rpmsg_priv *p, const char *rproc, const char *port_s,
			const char *name, const char *ctrl, char *err, size_t errlen)
{
	struct rplat_rpmsg_rproc rp;
	struct rplat_rpmsg_chan ch;
	char ctrl_buf[64], ept[64], msg[768], where[384] = "";
	uint64_t port;
	int fd;

	if (!port_s)
		return rplat_fail(err, errlen, "rpmsg: %s needs port=N (the remote's address, e.g. 14)",
				  rproc ? "rproc=" : "ctrl=");
	if (rplat_parse_u64(port_s, &port) || port >= RPMSG_ADDR_ANY)
		return rplat_fail(err, errlen, "rpmsg: bad port '%s' (expected 0..%u)", port_s,
				  RPMSG_ADDR_ANY - 1);
	if (name && (!*name || strlen(name) >= sizeof(ch.name)))
		return rplat_fail(err, errlen, "rpmsg: bad name '%s' (1..%zu characters)", name,
				  sizeof(ch.name) - 1);
	if (rproc) {
		if (rplat_rpmsg_rproc_find(rproc, &rp, msg, sizeof(msg)) ||
		    rplat_rpmsg_chan_find(&rp, name, (uint32_t)port, &ch, msg, sizeof(msg)) ||
		    (!ctrl && rplat_rpmsg_ctrl_find(&ch, ctrl_buf, sizeof(ctrl_buf), msg, sizeof(msg))))
			return rplat_fail(err, errlen, "rpmsg: %s", msg);
		name = ch.name;
		ctrl = ctrl ? ctrl : ctrl_buf;
		snprintf(where, sizeof(where), " of %s '%s'", rp.id, rp.name);
	} else if (!name) {
		name = "rpmsg_chrdev";
	}
	if (rplat_rpmsg_ept_create(ctrl, name, (uint32_t)port, ept, sizeof(ept), msg, sizeof(msg)))
		return rplat_fail(err, errlen, "rpmsg: %s", msg);
	if (snprintf(p->node, sizeof(p->node), "%s/%s", rplat_rpmsg_dev_dir(), ept) >= (int)sizeof(p->node))
		return rplat_fail(err, errlen, "rpmsg: device path too long for %s (endpoint left behind)", ept);
	fd = open_node(p->node, NODE_WAIT_NS);
	if (fd < 0)
		return rplat_fail(err, errlen,
				  "rpmsg: created endpoint %s but cannot open %s: %s (the endpoint is left behind)",
				  ept, p->node, strerror(errno));
	p->destroy = 1;
	if (adopt_fd(p, fd, err, errlen))
		goto out_destroy;
	set_desc(l, "rpmsg:%s (endpoint '%s' to port %u%s, created via %s)", p->node, name, (unsigned)port,
		 where, ctrl);
	return 0;

out_destroy:
	rplat_rpmsg_ept_ioctl_destroy(fd);
	close(fd);
	p->destroy = 0;
	return -1;
}

static int open_rpmsg(struct rplat_link *l, const char *args, char *err, size_t errlen)
{
	const char *dev = NULL, *rproc = NULL, *port = NULL, *name = NULL, *ctrl = NULL;
	struct rpmsg_priv *p;
	struct rplat_kv kv;
	int i;

	if (!*args)
		return rplat_fail(err, errlen, "rpmsg: give a device (rpmsg:/dev/rpmsgN) or a remote "
					       "(rpmsg:rproc=NAME,port=N); see --help");
	if (!strchr(args, '=')) {
		dev = args;
	} else {
		if (rplat_kv_parse(&kv, args, err, errlen))
			return -1;
		for (i = 0; i < kv.n; i++) {
			const char **slot = !strcmp(kv.key[i], "dev")	? &dev :
					    !strcmp(kv.key[i], "rproc") ? &rproc :
					    !strcmp(kv.key[i], "port")	? &port :
					    !strcmp(kv.key[i], "name")	? &name :
					    !strcmp(kv.key[i], "ctrl")	? &ctrl :
									  NULL;

			if (!slot)
				return rplat_fail(err, errlen,
						  "rpmsg: unknown option '%s' (expected dev, rproc, port, name, ctrl)",
						  kv.key[i]);
			if (!*kv.val[i])
				return rplat_fail(err, errlen, "rpmsg: option '%s' needs a value", kv.key[i]);
			*slot = kv.val[i];
		}
		if (dev && (rproc || port || name || ctrl))
			return rplat_fail(err, errlen, "rpmsg: dev= opens an existing endpoint and takes no other "
						       "option");
		if (!dev && !rproc && !ctrl)
			return rplat_fail(err, errlen, "rpmsg: give dev=, rproc= or ctrl=");
	}

	p = calloc(1, sizeof(*p));
	if (!p)
		return rplat_fail(err, errlen, "out of memory");
	p->fd = -1;
	if (dev ? open_existing(l, p, dev, err, errlen) :
		  open_created(l, p, rproc, port, name, ctrl, err, errlen))
		goto out_free;
	l->priv = p;
	return 0;

out_free:
	free(p);
	return -1;
}

static int send_rpmsg(struct rplat_link *l, const void *buf, size_t len)
{
	struct rpmsg_priv *p = l->priv;
	int64_t deadline = -1;
	ssize_t n;
	int r;

	if (!p || p->fd < 0) {
		errno = EBADF;
		return -1;
	}
	if (len > RPLAT_RPMSG_MAX_PAYLOAD) {
		errno = EMSGSIZE;
		return -1;
	}
	for (;;) {
		n = write(p->fd, buf, len);
		if (n >= 0)
			break;
		/* No free TX buffer: rpmsg_char says EAGAIN, older virtio_rpmsg_bus ENOMEM. */
		if (errno != EAGAIN && errno != ENOMEM) {
			if (is_hangup(errno))
				errno = EPIPE;
			return -1;
		}
		if (deadline < 0)
			deadline = rplat_now_ns() + TX_WAIT_NS;
		r = wait_fd(p->fd, POLLOUT, deadline);
		if (r < 0)
			return -1;
		if (!r) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (!(r & POLLOUT) && (r & (POLLHUP | POLLERR))) {
			errno = EPIPE;
			return -1;
		}
	}
	if ((size_t)n != len) {
		errno = EIO; /* rpmsg sends whole messages; a short write means something else answered */
		return -1;
	}
	return 0;
}

/* After read() returned 0: the peer hung up, or it sent an empty message, which recv cannot return (0
 * means timeout), so it is reported as EBADMSG rather than dropped. */
static ssize_t empty_read(int fd)
{
	int r = wait_fd(fd, POLLIN, 0);

	errno = r > 0 && (r & (POLLHUP | POLLERR)) ? EPIPE : EBADMSG;
	return -1;
}

static ssize_t recv_rpmsg(struct rplat_link *l, void *buf, size_t cap, int64_t timeout_ns)
{
	struct rpmsg_priv *p = l->priv;
	int64_t deadline = timeout_ns < 0 ? -1 : rplat_now_ns() + timeout_ns;
	char bounce[RPLAT_RPMSG_MAX_PAYLOAD + 16];
	int small = cap < sizeof(bounce);
	ssize_t n;
	int r;

	if (!p || p->fd < 0) {
		errno = EBADF;
		return -1;
	}
	for (;;) {
		r = wait_fd(p->fd, POLLIN, deadline);
		if (r <= 0)
			return r; /* 0: timeout; -1: EINTR or another poll error */
		if (r & POLLNVAL) {
			errno = EBADF;
			return -1;
		}
		if (!(r & POLLIN)) {
			errno = EPIPE; /* POLLHUP or POLLERR without data */
			return -1;
		}
		n = read(p->fd, small ? bounce : buf, small ? sizeof(bounce) : cap);
		if (n > 0)
			break;
		if (n == 0)
			return empty_read(p->fd);
		if (errno == EAGAIN)
			continue; /* woken without a message: wait for the rest of the timeout */
		if (is_hangup(errno))
			errno = EPIPE;
		return -1;
	}
	if (small) {
		if ((size_t)n > cap) {
			errno = EMSGSIZE; /* the message does not fit; it is consumed */
			return -1;
		}
		memcpy(buf, bounce, n);
	}
	return n;
}

static void close_rpmsg(struct rplat_link *l)
{
	struct rpmsg_priv *p = l->priv;

	if (!p)
		return;
	if (p->fd >= 0) {
		if (p->destroy)
			rplat_rpmsg_ept_ioctl_destroy(p->fd);
		close(p->fd);
	}
	free(p);
	l->priv = NULL;
}

static int fd_rpmsg(struct rplat_link *l)
{
	struct rpmsg_priv *p = l->priv;

	return p ? p->fd : -1;
}

const struct rplat_link_ops rplat_link_rpmsg_ops = {
	.name = "rpmsg",
	.help = "  rpmsg:/dev/rpmsgN   an existing rpmsg_char endpoint device (also rpmsg:rpmsgN or\n"
		"                      rpmsg:dev=/dev/rpmsgN); it is left in place on exit.\n"
		"  rpmsg:rproc=NAME,port=N[,name=CHAN][,ctrl=/dev/rpmsg_ctrlN]\n"
		"                      find the remote in sysfs and create an endpoint for it, destroyed on exit:\n"
		"      rproc=NAME      the remoteproc: its 'name' in /sys/class/remoteproc/*/name (e.g.\n"
		"                      5000000.m4fss), its entry (remoteproc0) or its parent device's name\n"
		"      port=N          the remote's address: a channel VIRTIO.CHAN.-1.N must exist in\n"
		"                      /sys/bus/rpmsg/devices (TI firmware: 14)\n"
		"      name=CHAN       the channel and endpoint name: rpmsg_chrdev (TI kernels and firmware) or\n"
		"                      rpmsg-raw (mainline); default: whichever of the two is on the port\n"
		"      ctrl=DEV        the ctrl device to create the endpoint through; default: the\n"
		"                      /dev/rpmsg_ctrlN of the channel's virtio device\n"
		"  rpmsg:ctrl=/dev/rpmsg_ctrlN,port=N[,name=CHAN]\n"
		"                      create the endpoint without sysfs discovery (name default rpmsg_chrdev).\n"
		"  Messages carry at most 496 bytes; a send waits at most 1 s for a free TX buffer.",
	.open = open_rpmsg,
	.send = send_rpmsg,
	.recv = recv_rpmsg,
	.close = close_rpmsg,
	.fd = fd_rpmsg,
};
