/* The qemu link: the real probe ELF under qemu-system-arm -machine mps2-an386, reached through the
 * user-space vring driver over the board's PSRAM, which QEMU shares with this process.
 *
 * open:
 *   - read the ELF (rplat_fw_load): its .resource_table must lie in the PSRAM window at 0x21000000;
 *     whatever else the image loads or reserves there (the trace buffer) is kept out of the pool that
 *     the vrings and buffers are allocated from;
 *   - a 16 MiB memfd becomes the PSRAM (memory-backend-file on /proc/self/fd/N, share=on), one end of a
 *     socketpair the UART0 doorbell (-chardev socket,fd=N), so nothing is created in the file system;
 *   - qemu-system-arm runs as our child: it dies with us (PR_SET_PDEATHSIG), is tracked for the fatal-
 *     signal path, and its stderr goes to a memfd that is quoted when it exits early;
 *   - once QEMU has loaded the image (table ver 1 in the shared memory), rplat_vdrv_setup() lays out the
 *     vrings, writes back da/notifyid/gfeatures and sets DRIVER_OK, as remoteproc does; the link is
 *     open when both name-service announcements have arrived.
 * Doorbells are single bytes on UART0: we send 1 (vring1 has buffers), the probe sends 0.
 * close: SIGKILL, reap, unmap, close. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rplat/link.h"
#include "rplat/rsc.h"
#include "rplat/util.h"
#include "rplat/vdrv.h"

#define PSRAM_DA 0x21000000u
#define PSRAM_SIZE (16u << 20)
#define PAGE 4096u
#define BOOT_TIMEOUT_NS 10000000000ll
#define FD_PSRAM 3 /* fd numbers in the QEMU process */
#define FD_DOORBELL 4

extern const struct rplat_link_ops rplat_link_qemu_ops;

struct qemu_link {
	pid_t pid;
	int pidfd;        /* readable when QEMU has exited */
	int memfd;        /* the PSRAM */
	int sock;         /* our end of the doorbell */
	int errfd;        /* QEMU's stdout and stderr */
	uint8_t *shm;
	struct rplat_vdrv drv;
	int have_drv;
	int dead;
};

static void qemu_close(struct rplat_link *l)
{
	struct qemu_link *q = l->priv;

	if (!q)
		return;
	if (q->pid > 0) {
		kill(q->pid, SIGKILL);
		waitpid(q->pid, NULL, 0);
		rplat_link_untrack_child(q->pid);
	}
	if (q->have_drv)
		rplat_vdrv_free(&q->drv);
	if (q->shm)
		munmap(q->shm, PSRAM_SIZE);
	if (q->pidfd >= 0)
		close(q->pidfd);
	if (q->memfd >= 0)
		close(q->memfd);
	if (q->sock >= 0)
		close(q->sock);
	if (q->errfd >= 0)
		close(q->errfd);
	free(q);
	l->priv = NULL;
	l->child = 0;
}

/* What QEMU said before it exited, on one line, for an error message. */
static const char *qemu_said(struct qemu_link *q, char *buf, size_t len)
{
	ssize_t n = pread(q->errfd, buf, len - 1, 0);
	char *p;

	if (n <= 0)
		return "(nothing on stderr)";
	buf[n] = '\0';
	for (p = buf; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return buf;
}

/* Has QEMU exited? Records the exit and returns 1 if so. */
static int qemu_gone(struct qemu_link *q, int *status)
{
	pid_t r;

	if (q->dead)
		return 1;
	r = waitpid(q->pid, status, WNOHANG);
	if (r == q->pid) {
		rplat_link_untrack_child(q->pid);
		q->pid = 0;
		q->dead = 1;
		return 1;
	}
	return 0;
}

static void qemu_kick(void *ctx, unsigned vq)
{
	struct qemu_link *q = ctx;
	uint8_t b = (uint8_t)vq;

	/* One byte on UART0 raises the probe's doorbell interrupt. A full socket means doorbells are already
	 * waiting, and any of them makes the probe scan the whole ring; a dead QEMU is noticed on receive. */
	if (send(q->sock, &b, 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
	}
}

/* Wait for the probe's doorbell, QEMU's exit or the timeout. Returns 1 on a doorbell (all pending bytes
 * read), 0 on timeout, -1 with errno (EPIPE: QEMU is gone). */
static int wait_doorbell(struct qemu_link *q, int64_t timeout_ns)
{
	struct pollfd p[2] = { { q->sock, POLLIN, 0 }, { q->pidfd, POLLIN, 0 } };
	/* ppoll: to the ns, so that a wait until the next send slot does not overshoot it by up to 1 ms */
	struct timespec ts = { timeout_ns / 1000000000, timeout_ns % 1000000000 };
	uint8_t buf[64];
	int r;

	r = ppoll(p, q->pidfd >= 0 ? 2 : 1, timeout_ns < 0 ? NULL : &ts, NULL);
	if (r < 0)
		return -1;
	if (r == 0)
		return 0;
	if (p[0].revents & POLLIN) {
		ssize_t n = recv(q->sock, buf, sizeof(buf), MSG_DONTWAIT);

		if (n > 0)
			return 1;
		if (n < 0 && errno == EAGAIN)
			return 1;
	}
	q->dead = 1;
	errno = EPIPE;
	return -1;
}

/* The image's part of PSRAM: the resource table and whatever else it loads or reserves there. Sets
 * *rsc_off and *pool_off (the first page after it, where the pool may start). Returns 0, or -1 with a
 * message in err. */
static int image_extent(const struct rplat_fw *fw, size_t *rsc_off, size_t *pool_off, char *err, size_t errlen)
{
	const struct rplat_rsc *rsc = rplat_fw_rsc(fw);
	const struct rplat_fw_seg *seg;
	const struct rplat_fw_sec *sec;
	const uint64_t lo = PSRAM_DA, hi = (uint64_t)PSRAM_DA + PSRAM_SIZE;
	uint64_t end;
	size_t n, i;

	if (!rsc || !rsc->da_known)
		return rplat_fail(err, errlen, "qemu: %s has no .resource_table section", rplat_fw_name(fw));
	if (rsc->da < lo || rsc->da + rsc->size > hi)
		return rplat_fail(err, errlen,
				  "qemu: %s: .resource_table at 0x%llx is outside the shared PSRAM (0x%llx..0x%llx); "
				  "is this a qemu-mps2-an386 image?",
				  rplat_fw_name(fw), (unsigned long long)rsc->da, (unsigned long long)lo,
				  (unsigned long long)hi);
	*rsc_off = (size_t)(rsc->da - lo);
	end = rsc->da + rsc->size;
	seg = rplat_fw_segments(fw, &n);
	for (i = 0; i < n; i++)
		if (seg[i].da >= lo && seg[i].da < hi && seg[i].da + seg[i].memsz > end)
			end = seg[i].da + seg[i].memsz;
	sec = rplat_fw_nobits(fw, &n);
	for (i = 0; i < n; i++)
		if (sec[i].addr >= lo && sec[i].addr < hi && sec[i].addr + sec[i].size > end)
			end = sec[i].addr + sec[i].size;
	end = ((end - lo) + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	if (end + 64 * PAGE > PSRAM_SIZE)
		return rplat_fail(err, errlen, "qemu: %s fills the shared PSRAM (%llu bytes): no room for vrings",
				  rplat_fw_name(fw), (unsigned long long)end);
	*pool_off = (size_t)end;
	return 0;
}

/* ',' must be doubled inside a QEMU option value. */
static void qemu_escape(char *dst, size_t len, const char *src)
{
	size_t o = 0;

	for (; *src && o + 2 < len; src++) {
		dst[o++] = *src;
		if (*src == ',')
			dst[o++] = ',';
	}
	dst[o] = '\0';
}

static void child_exec(struct qemu_link *q, int child_sock, const char *qemu, const char *elf, const char *console)
{
	char mem[160], con[4200], path[4100];
	int devnull = open("/dev/null", O_RDONLY), mem_fd, db_fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* A terminal's Ctrl-C, `timeout` or `kill -- -PGID` signal rplat's whole process group; QEMU
	 * installs its own SIGINT/SIGTERM/SIGHUP handlers (and dies of them), so ignoring them here would
	 * not last past exec: it leaves the group instead. rplat stops it (and PDEATHSIG if rplat dies). */
	setpgid(0, 0);
	signal(SIGINT, SIG_IGN);
	if (devnull >= 0)
		dup2(devnull, 0);
	dup2(q->errfd, 1);
	dup2(q->errfd, 2);
	/* move both out of the way first: either may already sit on 3 or 4 (and dup2 onto itself would keep
	 * close-on-exec) */
	mem_fd = fcntl(q->memfd, F_DUPFD, 10);
	db_fd = fcntl(child_sock, F_DUPFD, 10);
	if (mem_fd < 0 || db_fd < 0 || dup2(mem_fd, FD_PSRAM) < 0 || dup2(db_fd, FD_DOORBELL) < 0)
		_exit(126);
	syscall(SYS_close_range, FD_DOORBELL + 1, ~0u, 0);
	snprintf(mem, sizeof(mem), "memory-backend-file,id=rplat-psram,size=16M,mem-path=/proc/self/fd/%d,share=on",
		 FD_PSRAM);
	if (console) {
		qemu_escape(path, sizeof(path), console);
		snprintf(con, sizeof(con), "file,id=con,path=%s", path);
	} else {
		snprintf(con, sizeof(con), "null,id=con");
	}
	execlp(qemu, qemu, "-machine", "mps2-an386,memory-backend=rplat-psram", "-object", mem, "-nodefaults",
	       "-nic", "none", "-display", "none", "-no-reboot", "-chardev", "socket,id=db,fd=4", "-serial",
	       "chardev:db", "-chardev", con, "-serial", "chardev:con", "-kernel", elf, (char *)NULL);
	dprintf(2, "cannot run %s: %s\n", qemu, strerror(errno));
	_exit(127);
}

static int qemu_open(struct rplat_link *l, const char *args, char *err, size_t errlen)
{
	struct qemu_link *q = calloc(1, sizeof(*q));
	const char *elf = NULL, *qemu = "qemu-system-arm", *console = NULL;
	int64_t boot_ns = BOOT_TIMEOUT_NS, deadline;
	struct rplat_fw *fw = NULL;
	size_t rsc_off = 0, pool_off = 0, rsc_size;
	struct rplat_kv kv;
	int sv[2] = { -1, -1 }, status, r, i;
	char said[320];

	if (!q)
		return rplat_fail(err, errlen, "out of memory");
	q->pidfd = q->memfd = q->sock = q->errfd = -1;
	l->priv = q;
	if (rplat_kv_parse(&kv, args, err, errlen))
		goto fail;
	for (i = 0; i < kv.n; i++) {
		const char *k = kv.key[i], *v = kv.val[i];

		if (i == 0 && v == k + strlen(k)) /* a first item without '=' is the image */
			elf = k;
		else if (!strcmp(k, "qemu") && *v)
			qemu = v;
		else if (!strcmp(k, "console") && *v)
			console = v;
		else if (!strcmp(k, "boot") && !rplat_parse_duration(v, &boot_ns) && boot_ns > 0)
			;
		else {
			rplat_fail(err, errlen, "qemu: bad option '%s%s%s' (qemu:FW.elf[,qemu=BIN][,console=FILE]"
				   "[,boot=DURATION])", k, *v ? "=" : "", v);
			goto fail;
		}
	}
	if (!elf) {
		rplat_fail(err, errlen, "qemu: no firmware given (qemu:FW.elf, e.g. qemu:probe-fw/build/qemu-mps2-an386/"
			   "rplat-probe.elf)");
		goto fail;
	}
	if (rplat_fw_load(elf, &fw, err, errlen))
		goto fail;
	if (!rplat_fw_is_elf(fw)) {
		rplat_fail(err, errlen, "qemu: %s is not an ELF image", elf);
		goto fail;
	}
	if (image_extent(fw, &rsc_off, &pool_off, err, errlen))
		goto fail;
	rsc_size = rplat_fw_rsc(fw)->size;

	q->memfd = memfd_create("rplat-qemu-psram", MFD_CLOEXEC);
	q->errfd = memfd_create("rplat-qemu-stderr", MFD_CLOEXEC);
	if (q->memfd < 0 || q->errfd < 0 || ftruncate(q->memfd, PSRAM_SIZE)) {
		rplat_fail(err, errlen, "qemu: shared memory: %s", strerror(errno));
		goto fail;
	}
	q->shm = mmap(NULL, PSRAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, q->memfd, 0);
	if (q->shm == MAP_FAILED) {
		q->shm = NULL;
		rplat_fail(err, errlen, "qemu: mmap: %s", strerror(errno));
		goto fail;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		rplat_fail(err, errlen, "qemu: socketpair: %s", strerror(errno));
		goto fail;
	}
	q->sock = sv[0];
	fflush(NULL);
	q->pid = fork();
	if (q->pid < 0) {
		q->pid = 0;
		close(sv[1]);
		rplat_fail(err, errlen, "qemu: fork: %s", strerror(errno));
		goto fail;
	}
	if (q->pid == 0)
		child_exec(q, sv[1], qemu, elf, console);
	setpgid(q->pid, q->pid); /* as the child does: whichever runs first, it is out of our group */
	close(sv[1]);
	rplat_link_track_child(q->pid);
	l->child = q->pid;
	q->pidfd = (int)syscall(SYS_pidfd_open, q->pid, 0);

	/* QEMU loads the image into PSRAM before the core runs: wait for the table to appear */
	deadline = rplat_now_ns() + boot_ns;
	while (((volatile uint32_t *)(void *)(q->shm + rsc_off))[0] != 1) {
		if (qemu_gone(q, &status)) {
			rplat_fail(err, errlen, "qemu: %s exited (%s %d) before loading %s: %s", qemu,
				   WIFEXITED(status) ? "status" : "signal",
				   WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), elf,
				   qemu_said(q, said, sizeof(said)));
			goto fail;
		}
		if (rplat_now_ns() > deadline) {
			rplat_fail(err, errlen, "qemu: %s did not load %s within %.0f s", qemu, elf, boot_ns / 1e9);
			goto fail;
		}
		usleep(2000);
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (rplat_vdrv_setup(&q->drv, q->shm, PSRAM_SIZE, PSRAM_DA, rsc_off, rsc_size, pool_off, qemu_kick, q, err,
			     errlen))
		goto fail;
	q->have_drv = 1;
	l->rsc = q->drv.summary;
	qemu_kick(q, 1); /* DRIVER_OK is set: a doorbell lets the probe attach at once */
	while (q->drv.nannounced < 2) {
		uint8_t tmp[RPMSG_MAX_PAYLOAD];
		int64_t left = deadline - rplat_now_ns();

		if (rplat_vdrv_recv(&q->drv, tmp, sizeof(tmp)) > 0)
			continue; /* nothing but announcements is expected yet */
		if (q->drv.nannounced >= 2)
			break;
		if (left <= 0 || (r = wait_doorbell(q, left)) == 0) {
			rplat_fail(err, errlen, "qemu: %s did not announce its endpoint within %.0f s (%d of 2 names seen)",
				   elf, boot_ns / 1e9, q->drv.nannounced);
			goto fail;
		}
		if (r < 0) {
			qemu_gone(q, &status);
			rplat_fail(err, errlen, "qemu: %s exited during start-up: %s", qemu, qemu_said(q, said, sizeof(said)));
			goto fail;
		}
	}
	snprintf(l->desc, sizeof(l->desc), "qemu:%s (mps2-an386, %s on port %u, vring num %u)", elf,
		 q->drv.announced[0], q->drv.remote_addr, q->drv.rx.num);
	rplat_fw_free(fw);
	return 0;
fail:
	rplat_fw_free(fw);
	qemu_close(l);
	return -1;
}

static int qemu_send(struct rplat_link *l, const void *buf, size_t len)
{
	struct qemu_link *q = l->priv;

	if (q->dead) {
		errno = EPIPE;
		return -1;
	}
	return rplat_vdrv_send(&q->drv, buf, len);
}

static ssize_t qemu_recv(struct rplat_link *l, void *buf, size_t cap, int64_t timeout_ns)
{
	struct qemu_link *q = l->priv;
	int64_t deadline = timeout_ns < 0 ? -1 : rplat_now_ns() + timeout_ns;

	for (;;) {
		ssize_t n = rplat_vdrv_recv(&q->drv, buf, cap);
		int64_t left;

		if (n != 0)
			return n;
		if (q->dead) {
			errno = EPIPE;
			return -1;
		}
		left = deadline < 0 ? -1 : deadline - rplat_now_ns();
		if (deadline >= 0 && left <= 0)
			return 0;
		if (wait_doorbell(q, left) < 0 && errno != EPIPE)
			return -1;
		/* on EPIPE, loop once more: deliver what the probe pushed before QEMU went */
	}
}

/* For test harnesses that post hostile descriptors to the real firmware (rplat_vdrv_post_raw): the driver
 * of an open qemu link, or NULL for any other link. (Declared here and in the harness; a link op in
 * rplat/link.h would be the place for it.) */
struct rplat_vdrv *rplat_link_qemu_vdrv(struct rplat_link *l);
struct rplat_vdrv *rplat_link_qemu_vdrv(struct rplat_link *l)
{
	return l && l->ops == &rplat_link_qemu_ops ? &((struct qemu_link *)l->priv)->drv : NULL;
}

static int qemu_fd(struct rplat_link *l)
{
	return ((struct qemu_link *)l->priv)->sock;
}

const struct rplat_link_ops rplat_link_qemu_ops = {
	.name = "qemu",
	.help = "  qemu:FW.elf[,OPTS]   the probe ELF (probe-fw/build/qemu-mps2-an386/rplat-probe.elf) under\n"
		"                       qemu-system-arm -machine mps2-an386, its PSRAM shared with rplat; QEMU is\n"
		"                       always stopped with rplat. Options:\n"
		"    qemu=BIN           the QEMU binary (default qemu-system-arm)\n"
		"    console=FILE       write the probe's log (UART1) to FILE\n"
		"    boot=DURATION      time allowed to load, attach and announce (default 10s)",
	.open = qemu_open,
	.send = qemu_send,
	.recv = qemu_recv,
	.close = qemu_close,
	.fd = qemu_fd,
};
