/* rplat-vboard-server: the ivshmem server of the virtual board, and its remote processor.
 *
 * Debian ships no ivshmem-server, so this implements the server side of QEMU's ivshmem protocol
 * (docs/specs/ivshmem-spec.txt): a UNIX socket; each client (a QEMU ivshmem-doorbell device) gets the
 * protocol version 0, its peer id, the shared-memory fd, the eventfds of every other peer and then its
 * own. The server is itself a peer (id 0, the remote): it owns eventfds like any client, so a guest
 * rings it with Doorbell = (0 << 16) | vector.
 *
 * The remote is the host probe (probe-fw/targets/host, the `sim` link's probe) attached to the shared
 * memory the guest's remoteproc filled, or with --opts fw=echo the example echo firmware (echo_sim.c,
 * the rplat hooks writing their ring into the rplat-ring slot of BAR2): it runs in a child process,
 * forked on the guest's start command and killed on its stop command (rproc_ivshmem_abi.h: the control
 * block and the two vectors). A child that dies on its own is reported to the guest as a crash.
 *
 * With --remote qemu:BOOT.elf the remote is instead the real probe firmware under qemu-system-arm
 * (mps2-an386), its PSRAM backed by the same file, and the server bridges the doorbells: a guest's ring of
 * vector 0 becomes a byte on the firmware's UART0 (its RX interrupt), a byte the firmware writes there
 * becomes a ring of the guest's vector 0. The guest's remoteproc loads the firmware ELF
 * (probe-fw TARGET=qemu-vboard, linked into PSRAM) into the shared memory; on its start command the
 * server starts QEMU with nothing but the boot ROM BOOT.elf (TARGET=qemu-vboard-rom), which jumps to
 * the firmware's vector table in PSRAM, as a SoC's ROM boots what its host loaded.
 *
 * Nothing is left behind: the socket and the shared-memory file are removed on exit (signal, error, or
 * with --once when the guest disconnects), and the child dies with the server (PR_SET_PDEATHSIG). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rproc_ivshmem_abi.h"
#include "sim_probe.h"
#include "rplat/util.h"
#include "vboard_server.h"

_Static_assert(RPLAT_VB_RSC_OFF == RPLAT_SIM_RSC_OFF, "the host probe reads its table at RPLAT_SIM_RSC_OFF");
_Static_assert(RPLAT_VB_TRACE_OFF == RPLAT_SIM_TRACE_OFF && RPLAT_VB_TRACE_LEN == RPLAT_SIM_TRACE_LEN,
	       "the host probe logs at RPLAT_SIM_TRACE_OFF");
_Static_assert(RPLAT_VB_RING_OFF >= RPLAT_VB_VRING1_OFF + RPLAT_VB_VRING_LEN &&
		       RPLAT_VB_RING_OFF + RPLAT_VB_RING_LEN <= RPLAT_VB_BUF_OFF,
	       "the echo firmware's ring lies between the vrings and the buffers");

#define MAX_GUESTS 8
#define REMOTE_ID 0
/* where the QEMU remote's boot ROM takes the firmware's vector table (probe-fw/targets/qemu-vboard-rom) */
#define RPLAT_VB_QEMU_FW_VT 0x21100000u

struct peer {
	int id;			/* -1 = free slot */
	int sock;
	int efd[RPLAT_VB_NVEC];	/* ring this peer */
};

struct server {
	const char *sock_path;
	const char *shm_path;
	int once;
	int verbose;
	struct rplat_sim_opts opts;
	int lfd;
	int shm_fd;
	uint8_t *shm;
	uint32_t size;
	struct rplat_vb_ctrl *ctrl;
	struct peer remote;
	struct peer guest[MAX_GUESTS];
	int next_id;
	int nguests;
	int served;		/* a guest has connected at least once */
	pid_t child;		/* the running remote, or 0 */
	int stopping;		/* we killed it: not a crash */
	/* --remote qemu:BOOT.elf: the real firmware under qemu-system-arm mps2-an386, its PSRAM = our file,
	 * QEMU loading only the boot ROM BOOT.elf (the guest's remoteproc loads the firmware) */
	const char *qemu_rom;
	const char *qemu_bin;
	int db;			/* our end of its UART0 (the doorbell), or -1 */
	int db_guest;		/* the peer id it serves */
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("rplat-vboard-server: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* One protocol message: a little-endian int64, with an fd when fd >= 0. */
static int send_msg(int sock, int64_t v, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &v, sizeof(v) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *cm;

		memset(cbuf, 0, sizeof(cbuf));
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	return sendmsg(sock, &m, MSG_NOSIGNAL) == (ssize_t)sizeof(v) ? 0 : -1;
}

/* Connect notification: 'about's id once per vector, each with the fd that rings it. */
static int send_peer(int sock, const struct peer *about)
{
	for (int v = 0; v < RPLAT_VB_NVEC; v++)
		if (send_msg(sock, about->id, about->efd[v]))
			return -1;
	return 0;
}

static int make_efds(struct peer *p)
{
	for (int v = 0; v < RPLAT_VB_NVEC; v++) {
		p->efd[v] = eventfd(0, EFD_CLOEXEC);
		if (p->efd[v] < 0)
			return -1;
	}
	return 0;
}

static void close_peer(struct peer *p)
{
	for (int v = 0; v < RPLAT_VB_NVEC; v++)
		if (p->efd[v] >= 0)
			close(p->efd[v]);
	if (p->sock >= 0)
		close(p->sock);
	p->id = -1;
	p->sock = -1;
	for (int v = 0; v < RPLAT_VB_NVEC; v++)
		p->efd[v] = -1;
}

static void ring(const struct peer *p, int vector)
{
	uint64_t one = 1;

	if (p->id >= 0 && write(p->efd[vector], &one, sizeof(one)) != sizeof(one))
		say("ringing peer %d vector %d: %s", p->id, vector, strerror(errno));
}

/* The guest that sent the last command (or every guest if it did not say who it is). */
static struct peer *cmd_guest(struct server *s)
{
	uint32_t id = __atomic_load_n(&s->ctrl->guest_id, __ATOMIC_ACQUIRE);

	for (int i = 0; i < MAX_GUESTS; i++)
		if (s->guest[i].id >= 0 && (uint32_t)s->guest[i].id == id)
			return &s->guest[i];
	return NULL;
}

static void ring_guests(struct server *s, int vector)
{
	struct peer *g = cmd_guest(s);

	if (g) {
		ring(g, vector);
		return;
	}
	for (int i = 0; i < MAX_GUESTS; i++)
		ring(&s->guest[i], vector);
}

static void accept_guest(struct server *s)
{
	struct peer *g = NULL;
	int c = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);

	if (c < 0)
		return;
	for (int i = 0; i < MAX_GUESTS; i++)
		if (s->guest[i].id < 0) {
			g = &s->guest[i];
			break;
		}
	if (!g || s->next_id > 65535) {
		say("refusing a client: %s", g ? "peer ids exhausted" : "too many clients");
		close(c);
		return;
	}
	g->sock = c;
	g->id = s->next_id++;
	if (make_efds(g) || send_msg(c, 0, -1) || send_msg(c, g->id, -1) || send_msg(c, -1, s->shm_fd) ||
	    send_peer(c, &s->remote))
		goto fail;
	for (int i = 0; i < MAX_GUESTS; i++)
		if (&s->guest[i] != g && s->guest[i].id >= 0 && send_peer(c, &s->guest[i]))
			goto fail;
	if (send_peer(c, g))
		goto fail;
	for (int i = 0; i < MAX_GUESTS; i++)
		if (&s->guest[i] != g && s->guest[i].id >= 0)
			send_peer(s->guest[i].sock, g);
	s->nguests++;
	s->served = 1;
	say("guest connected: peer id %d", g->id);
	return;
fail:
	say("setting up peer %d: %s", g->id, strerror(errno));
	close_peer(g);
}

static void stop_remote(struct server *s)
{
	int st;

	if (s->db >= 0) {
		close(s->db);
		s->db = -1;
	}
	if (!s->child)
		return;
	s->stopping = 1;
	kill(s->child, SIGKILL);
	waitpid(s->child, &st, 0);
	s->child = 0;
	s->stopping = 0;
}

static void drop_guest(struct server *s, struct peer *g)
{
	say("guest disconnected: peer id %d", g->id);
	for (int i = 0; i < MAX_GUESTS; i++)
		if (&s->guest[i] != g && s->guest[i].id >= 0)
			send_msg(s->guest[i].sock, g->id, -1);
	close_peer(g);
	s->nguests--;
	/* the board's only user is gone: so is its remote */
	stop_remote(s);
	__atomic_store_n(&s->ctrl->state, RPLAT_VB_OFFLINE, __ATOMIC_RELEASE);
}

static void drain(int fd)
{
	uint64_t v;
	struct pollfd pf = { fd, POLLIN, 0 };

	while (poll(&pf, 1, 0) == 1 && (pf.revents & POLLIN))
		if (read(fd, &v, sizeof(v)) != sizeof(v))
			break;
}

/* The remote: the host probe on the guest's shared memory. Runs in the child. */
static void run_remote(struct server *s, const struct peer *g)
{
	struct rplat_sim_opts o = s->opts;
	uint64_t pa = (uint64_t)s->ctrl->bar_pa_hi << 32 | s->ctrl->bar_pa_lo;
	char err[256];

	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(1);
	if (pa + s->size > 0x100000000ull) {
		say("remote: BAR2 at 0x%llx is not 32-bit addressable", (unsigned long long)pa);
		_exit(2);
	}
	o.da = (uint32_t)pa;
	o.shm_size = s->size;
	if (o.fw_echo) /* the echo firmware: its ring in the slot the table's rplat-ring carveout names */
		rplat_echo_sim_run_attached(&o, s->shm, RPLAT_VB_RING_OFF, RPLAT_VB_RING_LEN,
					    s->remote.efd[RPLAT_VB_VEC_VQ], g->efd[RPLAT_VB_VEC_VQ], err, sizeof(err));
	else
		rplat_sim_run_attached(&o, s->shm, s->remote.efd[RPLAT_VB_VEC_VQ], g->efd[RPLAT_VB_VEC_VQ], err,
				       sizeof(err));
	say("remote: %s", err);
	_exit(2);
}

/* The firmware under QEMU: UART0 on a socketpair (fd 4), the console (UART1) appended to our stderr; QEMU
 * loads only the boot ROM. 'gate' (close-on-exec) gets errno if the exec fails. */
static void exec_qemu(struct server *s, int db, int gate)
{
	char mem[4200];
	sigset_t all;
	int e;

	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(1);
	if (db != 4 && (dup2(db, 4) < 0 || close(db)))
		_exit(126);
	fcntl(4, F_SETFD, 0);
	snprintf(mem, sizeof(mem), "memory-backend-file,id=rplat-psram,size=16M,mem-path=%s,share=on", s->shm_path);
	execlp(s->qemu_bin, s->qemu_bin, "-machine", "mps2-an386,memory-backend=rplat-psram", "-object", mem,
	       "-nodefaults", "-nic", "none", "-display", "none", "-no-reboot", "-chardev", "socket,id=db,fd=4",
	       "-serial", "chardev:db", "-chardev", "file,id=con,path=/proc/self/fd/2,append=on", "-serial",
	       "chardev:con", "-kernel", s->qemu_rom, (char *)NULL);
	e = errno;
	say("cannot run %s: %s", s->qemu_bin, strerror(e));
	if (write(gate, &e, sizeof(e)) != sizeof(e))
		_exit(127);
	_exit(127);
}

/* What the boot ROM will find at RPLAT_VB_QEMU_FW_VT: a plausible initial SP (8-byte aligned, in PSRAM
 * or SSRAM2/3) and reset vector (Thumb, in the image), i.e. the guest's remoteproc loaded a firmware
 * linked for the virtual board there (not, say, the host remote's table-only ELF). 0 if so. */
static int qemu_fw_loaded(const struct server *s, uint32_t *sp, uint32_t *pc)
{
	const volatile uint32_t *vt =
		(const volatile uint32_t *)(const void *)(s->shm + (RPLAT_VB_QEMU_FW_VT - RPLAT_VB_FW_DA));
	uint32_t top = RPLAT_VB_FW_DA + s->size;

	*sp = vt[0];
	*pc = vt[1];
	if ((*sp & 7u) || !((*sp > RPLAT_VB_FW_DA && *sp <= top) || (*sp > 0x20000000u && *sp <= 0x20800000u)))
		return -1;
	if (!(*pc & 1u) || (*pc & ~1u) < RPLAT_VB_QEMU_FW_VT || (*pc & ~1u) >= top)
		return -1;
	return 0;
}

/* The QEMU image must be a boot ROM: no loadable segment in PSRAM [RPLAT_VB_FW_DA, + 16 MiB), which
 * holds what the guest's remoteproc loaded (QEMU would overwrite it, resource table included, with
 * whatever the image has there). Reads the ELF32 program headers. 0 if the image is acceptable. */
static int qemu_rom_check(const char *path, char *err, size_t errlen)
{
	unsigned char eh[52], ph[32];
	uint32_t phoff;
	uint16_t phentsize, phnum;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = -1;

	if (fd < 0)
		return rplat_fail(err, errlen, "%s: %s", path, strerror(errno));
	if (pread(fd, eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) || memcmp(eh, "\177ELF\1\1", 6)) {
		rplat_fail(err, errlen, "%s: not an ELF32 little-endian image", path);
		goto out;
	}
	memcpy(&phoff, eh + 28, 4);
	memcpy(&phentsize, eh + 42, 2);
	memcpy(&phnum, eh + 44, 2);
	if (phentsize < sizeof(ph) || !phnum) {
		rplat_fail(err, errlen, "%s: no program headers", path);
		goto out;
	}
	for (uint16_t i = 0; i < phnum; i++) {
		uint32_t type, paddr, memsz;

		if (pread(fd, ph, sizeof(ph), (off_t)phoff + (off_t)i * phentsize) != (ssize_t)sizeof(ph)) {
			rplat_fail(err, errlen, "%s: program header %u truncated", path, i);
			goto out;
		}
		memcpy(&type, ph, 4);
		memcpy(&paddr, ph + 12, 4);
		memcpy(&memsz, ph + 20, 4);
		if (type == 1 && memsz && (uint64_t)paddr + memsz > RPLAT_VB_FW_DA &&
		    paddr < RPLAT_VB_FW_DA + (16u << 20)) {
			rplat_fail(err, errlen,
				   "%s: segment %u at 0x%x is in PSRAM, which the guest's remoteproc loads; QEMU takes "
				   "the boot ROM (probe-fw TARGET=qemu-vboard-rom)", path, i, paddr);
			goto out;
		}
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

/* Start QEMU on the shared memory, the guest's remoteproc having loaded the firmware into it already
 * (its segments, then the resource table as Linux wrote it): QEMU gets only the boot ROM, which jumps to
 * the firmware's vector table, so nothing the guest loaded or writes later (vring addresses, DRIVER_OK)
 * is overwritten. Refused when there is no firmware to boot, so that remoteproc's start fails at once
 * instead of a crash and a recovery per attempt. */
static int start_qemu(struct server *s, struct peer *g)
{
	uint64_t pa = (uint64_t)s->ctrl->bar_pa_hi << 32 | s->ctrl->bar_pa_lo;
	uint32_t sp, pc;
	int sp2[2], gate[2], e;
	pid_t pid;
	ssize_t r;

	if (pa != RPLAT_VB_FW_DA) {
		say("start: the firmware sees its shared memory at 0x%x, but the guest's BAR2 is at 0x%llx "
		    "(load rproc_ivshmem with bar_pa=0x%x)", RPLAT_VB_FW_DA, (unsigned long long)pa, RPLAT_VB_FW_DA);
		return -1;
	}
	if (qemu_fw_loaded(s, &sp, &pc)) {
		say("start: no firmware for the boot ROM at 0x%x (SP 0x%x, reset 0x%x): the guest's remoteproc must "
		    "load one linked there (probe-fw TARGET=qemu-vboard)", RPLAT_VB_QEMU_FW_VT, sp, pc);
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp2)) {
		say("socketpair: %s", strerror(errno));
		return -1;
	}
	if (pipe2(gate, O_CLOEXEC)) {
		say("pipe: %s", strerror(errno));
		close(sp2[0]);
		close(sp2[1]);
		return -1;
	}
	drain(s->remote.efd[RPLAT_VB_VEC_VQ]);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		say("fork: %s", strerror(errno));
		close(sp2[0]);
		close(sp2[1]);
		close(gate[0]);
		close(gate[1]);
		return -1;
	}
	if (pid == 0) {
		close(gate[0]);
		exec_qemu(s, sp2[1], gate[1]);
	}
	close(sp2[1]);
	close(gate[1]);
	/* EOF: the exec happened (the write end was close-on-exec); an errno: it did not */
	do
		r = read(gate[0], &e, sizeof(e));
	while (r < 0 && errno == EINTR);
	close(gate[0]);
	if (r == (ssize_t)sizeof(e)) {
		waitpid(pid, NULL, 0);
		close(sp2[0]);
		return -1;
	}
	s->child = pid;
	s->db = sp2[0];
	s->db_guest = g->id;
	say("remote started: %s under %s (pid %d) for peer %d, booting the firmware the guest loaded "
	    "(vector table 0x%x: SP 0x%x, reset 0x%x)", s->qemu_rom, s->qemu_bin, (int)pid, g->id,
	    RPLAT_VB_QEMU_FW_VT, sp, pc);
	return 0;
}

/* On the guest's stop command: clear the QEMU remote's image area (above the first MiB's table, control
 * block and carveouts), so that the next start boots only what the guest's remoteproc loads then, never a
 * previous firmware left in the memory (remoteproc does not clear it on stop; a table-only image would
 * otherwise boot the old code). */
static void qemu_clear_image(struct server *s)
{
	if (s->qemu_rom && s->size > RPLAT_VB_SHM_MIN)
		memset(s->shm + RPLAT_VB_SHM_MIN, 0, s->size - RPLAT_VB_SHM_MIN);
}

static int start_remote(struct server *s)
{
	struct peer *g = cmd_guest(s);
	pid_t pid;

	stop_remote(s);
	if (!g) {
		say("start: no guest with peer id %u", s->ctrl->guest_id);
		return -1;
	}
	if (s->qemu_rom)
		return start_qemu(s, g);
	drain(s->remote.efd[RPLAT_VB_VEC_VQ]);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		say("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		run_remote(s, g);
	s->child = pid;
	say("remote started (pid %d) for peer %d, DMA window at 0x%llx", (int)pid, g->id,
	    (unsigned long long)s->ctrl->bar_pa_hi << 32 | s->ctrl->bar_pa_lo);
	return 0;
}

/* Carry out the guest's command, if there is a new one. */
static void do_command(struct server *s)
{
	struct rplat_vb_ctrl *c = s->ctrl;
	uint32_t seq = __atomic_load_n(&c->cmd_seq, __ATOMIC_ACQUIRE);
	uint32_t state;

	if (seq == c->ack_seq)
		return;
	switch (c->cmd) {
	case RPLAT_VB_CMD_START:
		state = start_remote(s) ? RPLAT_VB_OFFLINE : RPLAT_VB_RUNNING;
		break;
	case RPLAT_VB_CMD_STOP:
		if (s->verbose)
			say("stop");
		stop_remote(s);
		qemu_clear_image(s);
		state = RPLAT_VB_OFFLINE;
		break;
	default:
		say("unknown command %u", c->cmd);
		state = c->state;
		break;
	}
	__atomic_store_n(&c->state, state, __ATOMIC_RELAXED);
	__atomic_store_n(&c->ack_seq, seq, __ATOMIC_RELEASE);
	ring_guests(s, RPLAT_VB_VEC_CTRL);
}

static void reap(struct server *s)
{
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid != s->child)
			continue;
		s->child = 0;
		say("remote (pid %d) died: %s %d", (int)pid, WIFSIGNALED(st) ? "signal" : "exit",
		    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		s->ctrl->exit_status = (uint32_t)st;
		__atomic_store_n(&s->ctrl->state, RPLAT_VB_CRASHED, __ATOMIC_RELAXED);
		__atomic_store_n(&s->ctrl->crash_seq, s->ctrl->crash_seq + 1, __ATOMIC_RELEASE);
		ring_guests(s, RPLAT_VB_VEC_CTRL);
	}
}

static int setup(struct server *s, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(s->sock_path) >= sizeof(sa.sun_path))
		return rplat_fail(err, errlen, "socket path too long: %s", s->sock_path);
	s->shm_fd = open(s->shm_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (s->shm_fd < 0)
		return rplat_fail(err, errlen, "%s: %s%s", s->shm_path, strerror(errno),
				  errno == EEXIST ? " (left over? remove it)" : "");
	if (ftruncate(s->shm_fd, s->size))
		return rplat_fail(err, errlen, "%s: ftruncate: %s", s->shm_path, strerror(errno));
	s->shm = mmap(NULL, s->size, PROT_READ | PROT_WRITE, MAP_SHARED, s->shm_fd, 0);
	if (s->shm == MAP_FAILED) {
		s->shm = NULL;
		return rplat_fail(err, errlen, "%s: mmap: %s", s->shm_path, strerror(errno));
	}
	s->ctrl = (struct rplat_vb_ctrl *)(void *)(s->shm + RPLAT_VB_CTRL_OFF);
	s->ctrl->version = RPLAT_VB_VERSION;
	s->ctrl->remote_id = REMOTE_ID;
	s->ctrl->state = RPLAT_VB_OFFLINE;
	__atomic_store_n(&s->ctrl->magic, RPLAT_VB_MAGIC, __ATOMIC_RELEASE);
	s->remote.id = REMOTE_ID;
	if (make_efds(&s->remote))
		return rplat_fail(err, errlen, "eventfd: %s", strerror(errno));

	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->lfd < 0)
		return rplat_fail(err, errlen, "socket: %s", strerror(errno));
	strcpy(sa.sun_path, s->sock_path);
	if (bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)))
		return rplat_fail(err, errlen, "%s: bind: %s%s", s->sock_path, strerror(errno),
				  errno == EADDRINUSE ? " (left over? remove it)" : "");
	if (listen(s->lfd, 4))
		return rplat_fail(err, errlen, "%s: listen: %s", s->sock_path, strerror(errno));
	return 0;
}

static void cleanup(struct server *s)
{
	stop_remote(s);
	for (int i = 0; i < MAX_GUESTS; i++)
		if (s->guest[i].id >= 0)
			close_peer(&s->guest[i]);
	if (s->lfd >= 0) {
		close(s->lfd);
		unlink(s->sock_path);
	}
	if (s->shm)
		munmap(s->shm, s->size);
	if (s->shm_fd >= 0) {
		close(s->shm_fd);
		unlink(s->shm_path);
	}
}

/* One doorbell each way between the guest's eventfds and the firmware's UART0. */
static void bridge(struct server *s, short to_fw, short from_fw)
{
	uint8_t buf[64];
	uint64_t v;

	if ((to_fw & POLLIN) && read(s->remote.efd[RPLAT_VB_VEC_VQ], &v, sizeof(v)) == sizeof(v)) {
		buf[0] = 1; /* the firmware drains whatever it gets; the value is the vring, as Linux sends */
		if (write(s->db, buf, 1) != 1)
			say("doorbell to the firmware: %s", strerror(errno));
	}
	if (from_fw & (POLLIN | POLLHUP)) {
		ssize_t r = read(s->db, buf, sizeof(buf));

		if (r > 0) {
			for (int i = 0; i < MAX_GUESTS; i++)
				if (s->guest[i].id == s->db_guest)
					ring(&s->guest[i], RPLAT_VB_VEC_VQ);
		} else if (r == 0) {
			close(s->db); /* QEMU went: its exit is reaped as a crash */
			s->db = -1;
		}
	}
}

static int serve(struct server *s, int sfd)
{
	for (;;) {
		struct pollfd pf[5 + MAX_GUESTS];
		int n = 0, db = s->db;

		pf[n++] = (struct pollfd){ sfd, POLLIN, 0 };
		pf[n++] = (struct pollfd){ s->lfd, POLLIN, 0 };
		pf[n++] = (struct pollfd){ s->remote.efd[RPLAT_VB_VEC_CTRL], POLLIN, 0 };
		for (int i = 0; i < MAX_GUESTS; i++)
			pf[n++] = (struct pollfd){ s->guest[i].sock, POLLIN, 0 };
		/* the QEMU remote's doorbells: [3 + MAX_GUESTS] guest -> firmware, [4 + MAX_GUESTS] back */
		pf[n++] = (struct pollfd){ db >= 0 ? s->remote.efd[RPLAT_VB_VEC_VQ] : -1, POLLIN, 0 };
		pf[n++] = (struct pollfd){ db, POLLIN, 0 };
		if (poll(pf, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			say("poll: %s", strerror(errno));
			return 1;
		}
		if (pf[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGCHLD) {
					reap(s);
				} else {
					say("signal %u: exiting", si.ssi_signo);
					return 0;
				}
			}
		}
		if (db >= 0 && db == s->db)
			bridge(s, pf[3 + MAX_GUESTS].revents, pf[4 + MAX_GUESTS].revents);
		if (pf[1].revents & POLLIN)
			accept_guest(s);
		if (pf[2].revents & POLLIN) {
			drain(s->remote.efd[RPLAT_VB_VEC_CTRL]);
			do_command(s);
		}
		for (int i = 0; i < MAX_GUESTS; i++) {
			char b;

			if (s->guest[i].id >= 0 && (pf[3 + i].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    recv(s->guest[i].sock, &b, 1, MSG_DONTWAIT) <= 0)
				drop_guest(s, &s->guest[i]);
		}
		if (s->once && s->served && !s->nguests) {
			say("--once: the guest has gone, exiting");
			return 0;
		}
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rplat-vboard-server --socket PATH --shm FILE [--size BYTES] [--once] [--opts K=V,...]\n"
		"       rplat-vboard-server --fw-out ELF\n\n"
		"The ivshmem server of rplat's virtual board, and its remote (the host probe on the shared memory).\n"
		"Point QEMU at it with\n"
		"  -chardev socket,path=PATH,id=ivs -device ivshmem-doorbell,chardev=ivs,vectors=%d\n"
		"and load host-tools/vboard/kmod/rproc_ivshmem.ko in the guest.\n\n"
		"  --socket PATH   the UNIX socket to listen on (must not exist)\n"
		"  --shm FILE      the shared-memory file to create (must not exist; e.g. /dev/shm/NAME)\n"
		"  --size BYTES    its size, a power of two >= 1M (default 1M)\n"
		"  --once          exit when the first guest disconnects\n"
		"  --opts K=V,...  the host remote's options: the sim link's (hz=, delay=, jitter=, die=, mute=, ...;\n"
		"                  fw=echo: the example echo firmware with the rplat hooks instead of the probe,\n"
		"                  and --fw-out writes its table, with the rplat-ring carveout)\n"
		"  --remote host|qemu:BOOT.elf  the remote: the host probe (default) or the probe firmware under\n"
		"                  qemu-system-arm mps2-an386, its PSRAM = the shared memory (16M; the guest's\n"
		"                  BAR2 must sit at 0x21000000), its UART0 bridged to the doorbells; QEMU loads only\n"
		"                  the boot ROM BOOT.elf (probe-fw/build/qemu-vboard-rom/rplat-vboot.elf), the\n"
		"                  guest's remoteproc the firmware (probe-fw/build/qemu-vboard/rplat-probe.elf)\n"
		"  --qemu BIN      the QEMU for --remote qemu (default qemu-system-arm)\n"
		"  --fw-out ELF    write the firmware ELF for the guest's /lib/firmware and exit (or go on serving\n"
		"                  if --socket is given too)\n"
		"  -v              log commands\n"
		"The socket and the file are removed on exit; the remote dies with the server.\n",
		RPLAT_VB_NVEC);
}

static int parse_opts(struct rplat_sim_opts *o, char *list, char *err, size_t errlen)
{
	for (char *save = NULL, *kv = strtok_r(list, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');

		if (eq)
			*eq = '\0';
		if (!strcmp(kv, "da") || !strcmp(kv, "shm") || !strcmp(kv, "socket"))
			return rplat_fail(err, errlen, "--opts %s: set by the virtual board itself", kv);
		if (rplat_sim_opt(o, kv, eq ? eq + 1 : "", err, errlen))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' }, { "shm", required_argument, NULL, 'm' },
		{ "size", required_argument, NULL, 'z' },   { "once", no_argument, NULL, '1' },
		{ "opts", required_argument, NULL, 'o' },   { "fw-out", required_argument, NULL, 'f' },
		{ "remote", required_argument, NULL, 'r' }, { "qemu", required_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
	};
	struct server s;
	const char *fw_out = NULL;
	char err[256];
	uint64_t size = RPLAT_VB_SHM_MIN;
	sigset_t mask;
	int c, sfd, ret;

	memset(&s, 0, sizeof(s));
	s.lfd = s.shm_fd = s.db = -1;
	s.qemu_bin = "qemu-system-arm";
	s.next_id = REMOTE_ID + 1;
	close_peer(&s.remote);
	for (int i = 0; i < MAX_GUESTS; i++)
		close_peer(&s.guest[i]);
	rplat_sim_opts_init(&s.opts);
	while ((c = getopt_long(argc, argv, "hv", lo, NULL)) != -1) {
		switch (c) {
		case 's': s.sock_path = optarg; break;
		case 'm': s.shm_path = optarg; break;
		case 'z':
			if (rplat_parse_bytes(optarg, &size) || size < RPLAT_VB_SHM_MIN || size > (256u << 20) ||
			    (size & (size - 1))) {
				fprintf(stderr, "rplat-vboard-server: --size %s: want a power of two in [1M, 256M]\n",
					optarg);
				return 2;
			}
			break;
		case '1': s.once = 1; break;
		case 'o':
			if (parse_opts(&s.opts, optarg, err, sizeof(err))) {
				fprintf(stderr, "rplat-vboard-server: %s\n", err);
				return 2;
			}
			break;
		case 'f': fw_out = optarg; break;
		case 'r':
			if (!strcmp(optarg, "host")) {
				s.qemu_rom = NULL;
			} else if (!strncmp(optarg, "qemu:", 5) && optarg[5]) {
				s.qemu_rom = optarg + 5;
			} else {
				fprintf(stderr, "rplat-vboard-server: --remote %s: want host or qemu:BOOT.elf\n", optarg);
				return 2;
			}
			break;
		case 'q': s.qemu_bin = optarg; break;
		case 'v': s.verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || (!fw_out && (!s.sock_path || !s.shm_path)) || (!s.sock_path != !s.shm_path)) {
		usage(stderr);
		return 2;
	}
	if (fw_out && rplat_vb_write_fw(fw_out, s.opts.fw_echo, err, sizeof(err))) {
		fprintf(stderr, "rplat-vboard-server: %s\n", err);
		return 1;
	}
	if (!s.sock_path)
		return 0;
	if (s.qemu_rom && size != (16u << 20)) {
		if (size != RPLAT_VB_SHM_MIN) {
			fprintf(stderr, "rplat-vboard-server: --remote qemu: the shared memory is mps2-an386's 16 MiB PSRAM\n");
			return 2;
		}
		size = 16u << 20;
	}
	if (s.qemu_rom && qemu_rom_check(s.qemu_rom, err, sizeof(err))) {
		fprintf(stderr, "rplat-vboard-server: --remote qemu: %s\n", err);
		return 2;
	}
	s.size = (uint32_t)size;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		perror("rplat-vboard-server: signalfd");
		return 1;
	}
	if (setup(&s, err, sizeof(err))) {
		fprintf(stderr, "rplat-vboard-server: %s\n", err);
		cleanup(&s);
		return 1;
	}
	say("listening on %s, shared memory %s (%u KiB), remote peer id %d, %d vectors", s.sock_path,
	    s.shm_path, s.size >> 10, REMOTE_ID, RPLAT_VB_NVEC);
	ret = serve(&s, sfd);
	cleanup(&s);
	return ret;
}
