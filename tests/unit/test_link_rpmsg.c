/* Unit tests for the rpmsg link (host-tools/lib/link_rpmsg.c) and its kernel interface (rpmsg_sys.c).
 *
 * The kernel is played by two stand-ins:
 *   - a fixture tree in a temporary directory, laid out like /sys and /dev on a board (remoteprocs,
 *     virtio devices, rpmsg channels, ctrl devices), set with rplat_rpmsg_set_root();
 *   - fake hooks: opening an endpoint node returns one end of a SOCK_SEQPACKET socketpair, which has the
 *     message semantics of /dev/rpmsgN, and the test plays the remote on the other end; the create
 *     ioctl adds the endpoint to the tree as rpmsg_char does, the destroy ioctl removes it. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "rplat/link.h"
#include "rplat/rpmsg_sys.h"
#include "rplat/util.h"

extern const struct rplat_link_ops rplat_link_rpmsg_ops;

/* ---- the fixture tree ---- */

struct fake {
	char root[PATH_MAX]; /* the temporary directory */
	char sys[PATH_MAX];  /* root/sys */
	char dev[PATH_MAX];  /* root/dev */
	int sv[2];           /* sv[0] is handed to the link as the endpoint, sv[1] is the remote */
	int next_ept;        /* number of the next endpoint the create ioctl makes */
	int creates, destroys;
	int create_errno;    /* non-zero: the create ioctl fails with it */
	int destroyed_ours;  /* the destroy ioctl was given an fd of the endpoint handed out */
	struct rpmsg_endpoint_info info; /* of the last create */
	char created[64];    /* name of the last endpoint created */
	char opened[PATH_MAX]; /* last endpoint node opened */
};

static struct fake fk;

static void fmt_path(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fmt_path(char *out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, PATH_MAX, fmt, ap);
	va_end(ap);
	assert_true(n > 0 && n < PATH_MAX);
}

static void mkdirs(const char *path)
{
	char buf[PATH_MAX], *p;

	fmt_path(buf, "%s", path);
	for (p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	if (mkdir(buf, 0755) && errno != EEXIST)
		fail_msg("mkdir %s: %s", buf, strerror(errno));
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void put_attr(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];

	fmt_path(path, "%s/%s", dir, name);
	put_file(path, text);
}

static void link_to(const char *target, const char *linkpath)
{
	char dir[PATH_MAX], *slash;

	fmt_path(dir, "%s", linkpath);
	slash = strrchr(dir, '/');
	*slash = '\0';
	mkdirs(dir);
	if (symlink(target, linkpath))
		fail_msg("symlink %s: %s", linkpath, strerror(errno));
}

/* A remoteproc below platform device 'pdev', with its class link. Writes its directory to 'out'. */
static void add_rproc(int idx, const char *pdev, const char *name, const char *state, char *out)
{
	char cls[PATH_MAX], pdir[PATH_MAX];

	fmt_path(pdir, "%s/devices/platform/%s", fk.sys, pdev);
	fmt_path(out, "%s/remoteproc/remoteproc%d", pdir, idx);
	mkdirs(out);
	put_attr(out, "name", name);
	put_attr(out, "state", state);
	fmt_path(cls, "%s/device", out);
	link_to(pdir, cls);
	fmt_path(cls, "%s/class/remoteproc/remoteproc%d", fk.sys, idx);
	link_to(out, cls);
}

/* virtioN below a remoteproc, through the remoteprocI#vdev0buffer device of current kernels. */
static void add_vdev(const char *rproc_dir, int idx, int n, char *out)
{
	fmt_path(out, "%s/remoteproc%d#vdev0buffer/virtio%d", rproc_dir, idx, n);
	mkdirs(out);
}

static void add_chan(const char *vdev_dir, const char *dev)
{
	char dir[PATH_MAX], bus[PATH_MAX];

	fmt_path(dir, "%s/%s", vdev_dir, dev);
	mkdirs(dir);
	fmt_path(bus, "%s/bus/rpmsg/devices/%s", fk.sys, dev);
	link_to(dir, bus);
}

/* rpmsg_ctrlN below virtio device 'vdev_dir' (named virtioV), as the 5.18+ rpmsg_ctrl driver lays it. */
static void add_ctrl(const char *vdev_dir, int v, int n)
{
	char dir[PATH_MAX], cls[PATH_MAX], node[PATH_MAX];

	fmt_path(dir, "%s/virtio%d.rpmsg_ctrl.0.0/rpmsg/rpmsg_ctrl%d", vdev_dir, v, n);
	mkdirs(dir);
	fmt_path(cls, "%s/class/rpmsg/rpmsg_ctrl%d", fk.sys, n);
	link_to(dir, cls);
	fmt_path(node, "%s/rpmsg_ctrl%d", fk.dev, n);
	put_file(node, "");
}

static void add_dev_node(const char *name)
{
	char node[PATH_MAX];

	fmt_path(node, "%s/%s", fk.dev, name);
	put_file(node, "");
}

/* The board most tests use: an AM62x-like M4F (remoteproc0) announcing rpmsg_chrdev on port 14 and
 * another channel, and an R5F (remoteproc1) with its own virtio device and ctrl. */
static void board(void)
{
	char rp[PATH_MAX], vd[PATH_MAX];

	add_rproc(0, "5000000.m4fss", "5000000.m4fss", "running", rp);
	add_vdev(rp, 0, 0, vd);
	add_chan(vd, "virtio0.rpmsg_chrdev.-1.14");
	add_chan(vd, "virtio0.ti.ipc4.ping-pong.-1.13");
	add_ctrl(vd, 0, 0);
	add_rproc(1, "78000000.r5f", "78000000.r5f", "running", rp);
	add_vdev(rp, 1, 1, vd);
	add_chan(vd, "virtio1.rpmsg_chrdev.-1.14");
	add_ctrl(vd, 1, 1);
}

/* ---- fake kernel entry points ---- */

static int is_ept_node(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !strncmp(base, "rpmsg", 5) && base[5] >= '0' && base[5] <= '9';
}

static int same_file(int a, int b)
{
	struct stat sa, sb;

	return !fstat(a, &sa) && !fstat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int fake_open(void *data, const char *path, int flags)
{
	struct fake *f = data;

	if (!is_ept_node(path))
		return open(path, flags);
	if (access(path, F_OK))
		return -1; /* ENOENT from access() */
	fmt_path(f->opened, "%s", path);
	return dup(f->sv[0]);
}

/* Resolve the ctrl fd to its node's name, and add the endpoint below the ctrl in sysfs (when the ctrl is
 * there) and in devfs, as rpmsg_char does. */
static int fake_create(void *data, int ctrl_fd, const struct rpmsg_endpoint_info *info)
{
	struct fake *f = data;
	char fdpath[64], node[PATH_MAX], dir[PATH_MAX], buf[64];
	struct stat st;
	ssize_t n;

	f->creates++;
	f->info = *info;
	if (f->create_errno) {
		errno = f->create_errno;
		return -1;
	}
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", ctrl_fd);
	n = readlink(fdpath, node, sizeof(node) - 1);
	assert_true(n > 0);
	node[n] = '\0';
	snprintf(f->created, sizeof(f->created), "rpmsg%d", f->next_ept++);
	fmt_path(dir, "%s/class/rpmsg/%s", f->sys, strrchr(node, '/') + 1);
	if (!stat(dir, &st)) {
		fmt_path(dir, "%s/class/rpmsg/%s/%s", f->sys, strrchr(node, '/') + 1, f->created);
		mkdirs(dir);
		put_attr(dir, "name", info->name);
		snprintf(buf, sizeof(buf), "%d\n", (int)info->src);
		put_attr(dir, "src", buf);
		snprintf(buf, sizeof(buf), "%d\n", (int)info->dst);
		put_attr(dir, "dst", buf);
	}
	add_dev_node(f->created);
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static int fake_destroy(void *data, int ept_fd)
{
	struct fake *f = data;

	f->destroys++;
	f->destroyed_ours = same_file(ept_fd, f->sv[0]);
	unlink(f->opened);
	return 0;
}

static const struct rplat_rpmsg_hooks fake_hooks = {
	.open_dev = fake_open,
	.create_ept = fake_create,
	.destroy_ept = fake_destroy,
	.data = &fk,
};

static int setup(void **state)
{
	char tmpl[] = "/tmp/rplat-rpmsg-XXXXXX";
	char real[PATH_MAX];

	(void)state;
	memset(&fk, 0, sizeof(fk));
	assert_non_null(mkdtemp(tmpl));
	assert_non_null(realpath(tmpl, real));
	fmt_path(fk.root, "%s", real);
	fmt_path(fk.sys, "%s/sys", fk.root);
	fmt_path(fk.dev, "%s/dev", fk.root);
	mkdirs(fk.sys);
	mkdirs(fk.dev);
	fk.next_ept = 1;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fk.sv), 0);
	assert_int_equal(rplat_rpmsg_set_root(fk.sys, fk.dev), 0);
	rplat_rpmsg_set_hooks(&fake_hooks);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (fk.sv[0] >= 0)
		close(fk.sv[0]);
	if (fk.sv[1] >= 0)
		close(fk.sv[1]);
	nftw(fk.root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	rplat_rpmsg_set_root(NULL, NULL);
	rplat_rpmsg_set_hooks(NULL);
	return 0;
}

static struct rplat_link *open_ok(const char *spec)
{
	char err[512] = "";
	struct rplat_link *l = rplat_link_open(spec, err, sizeof(err));

	if (!l)
		fail_msg("%s: %s", spec, err);
	return l;
}

/* Open 'spec', expect failure, and check that the message contains 'want'. */
static void open_fails(const char *spec, const char *want)
{
	char err[512] = "";
	struct rplat_link *l = rplat_link_open(spec, err, sizeof(err));

	if (l) {
		rplat_link_close(l);
		fail_msg("%s: opened, expected an error containing \"%s\"", spec, want);
	}
	if (!strstr(err, want))
		fail_msg("%s: error \"%s\" lacks \"%s\"", spec, err, want);
	if (getenv("RPLAT_TEST_VERBOSE"))
		print_message("%s\n    -> %s\n", spec, err);
}

/* Open the fixture's /dev/rpmsg0, an existing endpoint. */
static struct rplat_link *open_dev0(void)
{
	char spec[PATH_MAX];

	add_dev_node("rpmsg0");
	fmt_path(spec, "rpmsg:%s/rpmsg0", fk.dev);
	return open_ok(spec);
}

/* ---- data path ---- */

static void test_echo_keeps_message_boundaries(void **state)
{
	struct rplat_link *l = open_dev0();
	char buf[600];
	ssize_t n;

	(void)state;
	assert_int_equal(rplat_link_send(l, "hello", 5), 0);
	assert_int_equal(rplat_link_send(l, "rpmsg!", 6), 0);
	/* the remote sees two messages, and answers with two */
	assert_int_equal(read(fk.sv[1], buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(read(fk.sv[1], buf, sizeof(buf)), 6);
	assert_int_equal(write(fk.sv[1], "abc", 3), 3);
	memset(buf, 'x', RPLAT_RPMSG_MAX_PAYLOAD);
	assert_int_equal(write(fk.sv[1], buf, RPLAT_RPMSG_MAX_PAYLOAD), RPLAT_RPMSG_MAX_PAYLOAD);
	memset(buf, 0, sizeof(buf));
	n = rplat_link_recv(l, buf, sizeof(buf), 1000000000);
	assert_int_equal(n, 3);
	assert_memory_equal(buf, "abc", 3);
	n = rplat_link_recv(l, buf, sizeof(buf), 1000000000);
	assert_int_equal(n, RPLAT_RPMSG_MAX_PAYLOAD);
	assert_int_equal(buf[0], 'x');
	/* the fd is pollable, and the description names the node */
	assert_true(l->ops->fd(l) >= 0);
	assert_non_null(strstr(l->desc, "/dev/rpmsg0"));
	rplat_link_close(l);
	assert_int_equal(fk.destroys, 0); /* an endpoint the link did not create is kept */
}

static void test_relative_device_name(void **state)
{
	struct rplat_link *l;

	(void)state;
	add_dev_node("rpmsg0");
	l = open_ok("rpmsg:rpmsg0");
	rplat_link_close(l);
	l = open_ok("rpmsg:dev=rpmsg0");
	rplat_link_close(l);
	assert_non_null(strstr(fk.opened, "/dev/rpmsg0"));
}

static void test_silence_times_out(void **state)
{
	struct rplat_link *l = open_dev0();
	int64_t t0;
	char buf[512];

	(void)state;
	t0 = rplat_now_ns();
	assert_int_equal(rplat_link_recv(l, buf, sizeof(buf), 30000000), 0);
	assert_true(rplat_now_ns() - t0 >= 30000000);
	assert_true(rplat_now_ns() - t0 < 1000000000);
	assert_int_equal(rplat_link_recv(l, buf, sizeof(buf), 0), 0);
	rplat_link_close(l);
}

static void test_remote_gone_is_epipe(void **state)
{
	struct rplat_link *l = open_dev0();
	char buf[512];

	(void)state;
	close(fk.sv[1]);
	fk.sv[1] = -1;
	errno = 0;
	assert_int_equal(rplat_link_recv(l, buf, sizeof(buf), -1), -1);
	assert_int_equal(errno, EPIPE);
	errno = 0;
	assert_int_equal(rplat_link_send(l, "x", 1), -1);
	assert_int_equal(errno, EPIPE);
	rplat_link_close(l);
}

static void test_message_too_big(void **state)
{
	struct rplat_link *l = open_dev0();
	char buf[600];

	(void)state;
	memset(buf, 7, sizeof(buf));
	errno = 0;
	assert_int_equal(rplat_link_send(l, buf, RPLAT_RPMSG_MAX_PAYLOAD + 1), -1);
	assert_int_equal(errno, EMSGSIZE);
	assert_int_equal(rplat_link_send(l, buf, RPLAT_RPMSG_MAX_PAYLOAD), 0);
	assert_int_equal(read(fk.sv[1], buf, sizeof(buf)), RPLAT_RPMSG_MAX_PAYLOAD);
	/* a reply larger than the caller's buffer is an error, not a silent truncation */
	assert_int_equal(write(fk.sv[1], buf, 100), 100);
	errno = 0;
	assert_int_equal(rplat_link_recv(l, buf, 10, 1000000000), -1);
	assert_int_equal(errno, EMSGSIZE);
	/* and a message that fits a small buffer arrives whole */
	assert_int_equal(write(fk.sv[1], "0123456789", 10), 10);
	assert_int_equal(rplat_link_recv(l, buf, 10, 1000000000), 10);
	assert_memory_equal(buf, "0123456789", 10);
	rplat_link_close(l);
}

static void test_empty_message_is_reported(void **state)
{
	struct rplat_link *l = open_dev0();
	char buf[512];

	(void)state;
	assert_int_equal(write(fk.sv[1], buf, 0), 0);
	errno = 0;
	assert_int_equal(rplat_link_recv(l, buf, sizeof(buf), 1000000000), -1);
	assert_int_equal(errno, EBADMSG);
	rplat_link_close(l);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void test_signal_is_eintr(void **state)
{
	struct rplat_link *l = open_dev0();
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval it = { .it_value = { 0, 20000 } }, none = { 0 };
	char buf[512];
	ssize_t n;
	int e;

	(void)state;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART; /* poll is interrupted even so */
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	n = rplat_link_recv(l, buf, sizeof(buf), -1);
	e = errno;
	setitimer(ITIMER_REAL, &none, NULL);
	sigaction(SIGALRM, &old, NULL);
	assert_int_equal(n, -1);
	assert_int_equal(e, EINTR);
	rplat_link_close(l);
}

static void test_send_waits_then_times_out_when_full(void **state)
{
	struct rplat_link *l = open_dev0();
	char buf[RPLAT_RPMSG_MAX_PAYLOAD];
	int64_t t0;
	int i, r = 0;

	(void)state;
	memset(buf, 1, sizeof(buf));
	/* the remote never reads: the socket fills up, like a TX ring nobody consumes */
	t0 = rplat_now_ns();
	for (i = 0; i < 100000 && !(r = rplat_link_send(l, buf, sizeof(buf))); i++)
		;
	assert_int_equal(r, -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_true(rplat_now_ns() - t0 < 5000000000LL);
	rplat_link_close(l);
}

static void test_missing_device(void **state)
{
	char spec[PATH_MAX];

	(void)state;
	fmt_path(spec, "rpmsg:%s/rpmsg7", fk.dev);
	open_fails(spec, "rpmsg7");
	open_fails(spec, "No such file");
}

/* ---- discovery ---- */

static void test_discover_create_and_destroy(void **state)
{
	struct rplat_link *l;
	char buf[64], ept_dir[PATH_MAX], node[PATH_MAX];
	struct stat st;

	(void)state;
	board();
	l = open_ok("rpmsg:rproc=5000000.m4fss,port=14");
	assert_int_equal(fk.creates, 1);
	assert_string_equal(fk.info.name, "rpmsg_chrdev");
	assert_int_equal(fk.info.src, RPMSG_ADDR_ANY);
	assert_int_equal(fk.info.dst, 14);
	assert_string_equal(fk.created, "rpmsg1");
	assert_non_null(strstr(fk.opened, "/dev/rpmsg1"));
	assert_non_null(strstr(l->desc, "rpmsg1"));
	assert_non_null(strstr(l->desc, "rpmsg_ctrl0"));
	assert_non_null(strstr(l->desc, "remoteproc0"));
	if (getenv("RPLAT_TEST_VERBOSE"))
		print_message("desc: %s\n", l->desc);
	fmt_path(ept_dir, "%s/class/rpmsg/rpmsg_ctrl0/rpmsg1", fk.sys);
	assert_int_equal(stat(ept_dir, &st), 0);
	/* the data path works on the created endpoint */
	assert_int_equal(rplat_link_send(l, "ping", 4), 0);
	assert_int_equal(read(fk.sv[1], buf, sizeof(buf)), 4);
	assert_int_equal(write(fk.sv[1], "pong", 4), 4);
	assert_int_equal(rplat_link_recv(l, buf, sizeof(buf), 1000000000), 4);
	assert_int_equal(fk.destroys, 0);
	rplat_link_close(l);
	assert_int_equal(fk.destroys, 1);
	assert_true(fk.destroyed_ours);
	fmt_path(node, "%s/rpmsg1", fk.dev);
	assert_int_not_equal(stat(node, &st), 0);
}

static void test_discover_by_entry_and_device_name(void **state)
{
	char rp[PATH_MAX], vd[PATH_MAX];
	struct rplat_link *l;

	(void)state;
	board();
	/* remoteproc2 is named "imx-rproc" but lives below platform device "imx8mp-cm7" */
	add_rproc(2, "imx8mp-cm7", "imx-rproc", "running", rp);
	add_vdev(rp, 2, 2, vd);
	add_chan(vd, "virtio2.rpmsg-raw.-1.30");
	add_ctrl(vd, 2, 2);
	l = open_ok("rpmsg:rproc=remoteproc1,port=14");
	assert_non_null(strstr(l->desc, "rpmsg_ctrl1")); /* the ctrl of remoteproc1's own virtio device */
	rplat_link_close(l);
	l = open_ok("rpmsg:rproc=imx8mp-cm7,port=30");
	assert_string_equal(fk.info.name, "rpmsg-raw");
	assert_int_equal(fk.info.dst, 30);
	assert_non_null(strstr(l->desc, "rpmsg_ctrl2"));
	rplat_link_close(l);
	l = open_ok("rpmsg:rproc=imx-rproc,port=30,name=rpmsg-raw");
	rplat_link_close(l);
	assert_int_equal(fk.destroys, 3);
}

static void test_old_kernel_layout(void **state)
{
	char rp[PATH_MAX], vd[PATH_MAX], dir[PATH_MAX], cls[PATH_MAX];
	struct rplat_link *l;

	(void)state;
	/* virtio0 directly below remoteproc0, ctrl below the "rpmsg_chrdev" control channel */
	add_rproc(0, "5000000.m4fss", "5000000.m4fss", "running", rp);
	fmt_path(vd, "%s/virtio0", rp);
	mkdirs(vd);
	add_chan(vd, "virtio0.rpmsg_chrdev.-1.14");
	fmt_path(dir, "%s/virtio0.rpmsg_chrdev.-1.-1/rpmsg/rpmsg_ctrl0", vd);
	mkdirs(dir);
	fmt_path(cls, "%s/class/rpmsg/rpmsg_ctrl0", fk.sys);
	link_to(dir, cls);
	add_dev_node("rpmsg_ctrl0");
	l = open_ok("rpmsg:rproc=5000000.m4fss,port=14");
	rplat_link_close(l);
	assert_int_equal(fk.destroys, 1);
}

static void test_existing_endpoints_are_not_mistaken(void **state)
{
	char dir[PATH_MAX];
	struct rplat_link *l;

	(void)state;
	board();
	/* someone else's endpoint already hangs below the ctrl */
	fmt_path(dir, "%s/class/rpmsg/rpmsg_ctrl0/rpmsg0", fk.sys);
	mkdirs(dir);
	put_attr(dir, "name", "rpmsg_chrdev");
	put_attr(dir, "dst", "14");
	add_dev_node("rpmsg0");
	fk.next_ept = 5;
	l = open_ok("rpmsg:rproc=5000000.m4fss,port=14");
	assert_non_null(strstr(fk.opened, "/dev/rpmsg5"));
	rplat_link_close(l);
}

static void test_rproc_not_found(void **state)
{
	(void)state;
	open_fails("rpmsg:rproc=x,port=14", "class/remoteproc");
	board();
	open_fails("rpmsg:rproc=x,port=14",
		   "no remoteproc named 'x' (found: remoteproc0 '5000000.m4fss', remoteproc1 '78000000.r5f')");
	assert_int_equal(fk.creates, 0);
}

static void test_rproc_ambiguous(void **state)
{
	char rp[PATH_MAX];

	(void)state;
	add_rproc(0, "imx8mp-cm7", "imx-rproc", "running", rp);
	add_rproc(1, "imx8mp-dsp", "imx-rproc", "running", rp);
	open_fails("rpmsg:rproc=imx-rproc,port=14", "'imx-rproc' is ambiguous (remoteproc0, remoteproc1)");
}

static void test_port_not_found(void **state)
{
	char rp[PATH_MAX];

	(void)state;
	board();
	open_fails("rpmsg:rproc=5000000.m4fss,port=15",
		   "remoteproc0 ('5000000.m4fss'): no rpmsg_chrdev or rpmsg-raw channel on port 15 (channels: "
		   "virtio0.rpmsg_chrdev.-1.14, virtio0.ti.ipc4.ping-pong.-1.13)");
	open_fails("rpmsg:rproc=5000000.m4fss,port=14,name=rpmsg-raw", "no rpmsg-raw channel on port 14");
	/* a channel with a dotted name is parsed, and can be named */
	rplat_link_close(open_ok("rpmsg:rproc=5000000.m4fss,port=13,name=ti.ipc4.ping-pong"));
	/* a remote that is not running has no channels, and the error says so */
	add_rproc(3, "79000000.r5f", "79000000.r5f", "offline", rp);
	open_fails("rpmsg:rproc=79000000.r5f,port=14",
		   "remoteproc3 ('79000000.r5f', state offline) has no rpmsg channels");
}

static void test_channel_ambiguous(void **state)
{
	char rp[PATH_MAX], vd[PATH_MAX];
	struct rplat_link *l;

	(void)state;
	add_rproc(0, "5000000.m4fss", "5000000.m4fss", "running", rp);
	add_vdev(rp, 0, 0, vd);
	add_chan(vd, "virtio0.rpmsg_chrdev.-1.14");
	add_chan(vd, "virtio0.rpmsg-raw.-1.14");
	add_ctrl(vd, 0, 0);
	open_fails("rpmsg:rproc=5000000.m4fss,port=14",
		   "port 14 is ambiguous (virtio0.rpmsg-raw.-1.14, virtio0.rpmsg_chrdev.-1.14); give name=");
	l = open_ok("rpmsg:rproc=5000000.m4fss,port=14,name=rpmsg-raw");
	assert_string_equal(fk.info.name, "rpmsg-raw");
	rplat_link_close(l);
}

static void test_no_ctrl(void **state)
{
	char rp[PATH_MAX], vd[PATH_MAX], spec[PATH_MAX];
	struct rplat_link *l;

	(void)state;
	add_rproc(0, "5000000.m4fss", "5000000.m4fss", "running", rp);
	add_vdev(rp, 0, 0, vd);
	add_chan(vd, "virtio0.rpmsg_chrdev.-1.14");
	open_fails("rpmsg:rproc=5000000.m4fss,port=14", "no rpmsg_ctrl device for virtio0");
	/* a ctrl device of another virtio device does not count */
	add_rproc(1, "78000000.r5f", "78000000.r5f", "running", rp);
	add_vdev(rp, 1, 1, vd);
	add_ctrl(vd, 1, 1);
	open_fails("rpmsg:rproc=5000000.m4fss,port=14", "no rpmsg_ctrl device for virtio0");
	/* ctrl= overrides the search */
	fmt_path(spec, "rpmsg:rproc=5000000.m4fss,port=14,ctrl=%s/rpmsg_ctrl1", fk.dev);
	l = open_ok(spec);
	assert_non_null(strstr(l->desc, "rpmsg_ctrl1"));
	rplat_link_close(l);
	assert_int_equal(fk.destroys, 1);
}

static void test_ctrl_without_discovery(void **state)
{
	struct rplat_link *l;

	(void)state;
	/* no sysfs at all: the new endpoint is found as a new node in devfs */
	add_dev_node("rpmsg_ctrl4");
	add_dev_node("rpmsg0");
	l = open_ok("rpmsg:ctrl=rpmsg_ctrl4,port=0x400");
	assert_string_equal(fk.info.name, "rpmsg_chrdev");
	assert_int_equal(fk.info.dst, 0x400);
	assert_non_null(strstr(fk.opened, "/dev/rpmsg1"));
	rplat_link_close(l);
	assert_int_equal(fk.destroys, 1);
}

static void test_create_fails(void **state)
{
	(void)state;
	board();
	fk.create_errno = EEXIST;
	open_fails("rpmsg:rproc=5000000.m4fss,port=14", "RPMSG_CREATE_EPT_IOCTL");
	open_fails("rpmsg:rproc=5000000.m4fss,port=14", "File exists");
	assert_int_equal(fk.destroys, 0);
}

static void test_bad_options(void **state)
{
	(void)state;
	open_fails("rpmsg", "give a device");
	open_fails("rpmsg:", "give a device");
	open_fails("rpmsg:rproc=a", "needs port=");
	open_fails("rpmsg:rproc=a,port=x", "bad port 'x'");
	open_fails("rpmsg:rproc=a,port=4294967295", "bad port");
	open_fails("rpmsg:rproc=a,port=14,speed=1", "unknown option 'speed'");
	open_fails("rpmsg:dev=/dev/rpmsg0,port=14", "dev= opens an existing endpoint");
	open_fails("rpmsg:port=14", "give dev=, rproc= or ctrl=");
	open_fails("rpmsg:rproc=,port=14", "'rproc' needs a value");
	open_fails("rpmsg:rproc=a,port=14,name=0123456789012345678901234567890123", "bad name");
}

static void test_help_documents_every_option(void **state)
{
	const char *h = rplat_link_rpmsg_ops.help;
	static const char *const words[] = { "rpmsg:/dev/rpmsgN", "dev=", "rproc=", "port=", "name=", "ctrl=",
					     "rpmsg_chrdev", "rpmsg-raw", "496", NULL };
	int i;

	(void)state;
	for (i = 0; words[i]; i++)
		if (!strstr(h, words[i]))
			fail_msg("help lacks '%s'", words[i]);
}

static void test_roots_and_hooks_reset(void **state)
{
	char longpath[PATH_MAX + 10];

	(void)state;
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	errno = 0;
	assert_int_equal(rplat_rpmsg_set_root(longpath, NULL), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	assert_string_equal(rplat_rpmsg_sys_dir(), fk.sys); /* unchanged */
	assert_int_equal(rplat_rpmsg_set_root(NULL, NULL), 0);
	assert_string_equal(rplat_rpmsg_sys_dir(), "/sys");
	assert_string_equal(rplat_rpmsg_dev_dir(), "/dev");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_echo_keeps_message_boundaries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relative_device_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silence_times_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remote_gone_is_epipe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_message_too_big, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_message_is_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signal_is_eintr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_waits_then_times_out_when_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discover_create_and_destroy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discover_by_entry_and_device_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_kernel_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_existing_endpoints_are_not_mistaken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rproc_not_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rproc_ambiguous, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_not_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_channel_ambiguous, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_ctrl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_without_discovery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help_documents_every_option, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roots_and_hooks_reset, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN); /* a socketpair stand-in raises it where /dev/rpmsgN returns EPIPE */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
