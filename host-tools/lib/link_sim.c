/* The sim link: the probe core in a child process, reached through the user-space vring driver.
 *
 * open: memfd + two eventfds, fork; the child (the "remote core") pins itself, writes its resource table
 * and kicks once; the parent lays out the vrings from that table (rplat_vdrv_setup) and waits for the
 * name-service announcement. The child dies with the parent (PR_SET_PDEATHSIG) and is killed and reaped
 * by close. A child that dies is seen through its pidfd: recv then fails with EPIPE. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rplat/link.h"
#include "rplat/util.h"
#include "rplat/vdrv.h"
#include "rplat/simlink.h"

#define BOOT_TIMEOUT_NS 5000000000ll

struct sim_link {
	struct rplat_sim_proc p;   /* the probe (fork mode); in socket mode only o, shm, fds are set */
	int sock;                  /* socket mode: the server connection, hangs up when the probe dies */
	struct rplat_vdrv drv;
	volatile int dead;
	/* The watchdog: the host waits for a reply in a plain blocking read() of the doorbell, as the bare
	 * eventfd ping-pong it is benchmarked against does (a poll() first costs ~2 us per round trip
	 * here). Timeouts and a dying probe wake that read through this thread, which sleeps in poll() on
	 * a timerfd armed with the receive deadline, the probe's pidfd (or socket) and a stop pipe. */
	int tfd;
	int stop[2];
	pthread_t wd;
	int wd_running;
};

void rplat_sim_reap(struct rplat_sim_proc *p)
{
	if (p->pid > 0) {
		int st;

		/* a probe that died before we stop it was killed from outside (or crashed): say so, since the
		 * run it served may look complete */
		if (waitpid(p->pid, &st, WNOHANG) == p->pid && WIFSIGNALED(st))
			fprintf(stderr, "rplat: the sim probe had died of signal %d (%s) before rplat stopped it\n",
				WTERMSIG(st), strsignal(WTERMSIG(st)));
		else
			kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
		rplat_link_untrack_child(p->pid);
		p->pid = 0;
	}
	if (p->shm)
		munmap(p->shm, p->o.shm_size);
	p->shm = NULL;
	if (p->memfd >= 0)
		close(p->memfd);
	if (p->to_probe >= 0)
		close(p->to_probe);
	if (p->to_host >= 0)
		close(p->to_host);
	if (p->pidfd >= 0)
		close(p->pidfd);
	p->memfd = p->to_probe = p->to_host = p->pidfd = -1;
}

static void child_main(struct rplat_sim_proc *p)
{
	char err[256];

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "rplat-sim-probe");
	/* A terminal's Ctrl-C, `timeout`, systemd or `kill -- -PGID` may signal rplat's whole group (or
	 * cgroup): those are rplat's to handle, and it stops us (SIGKILL) when it is done; PDEATHSIG if it
	 * dies. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	if (rplat_sim_run(&p->o, p->shm, p->to_probe, p->to_host, err, sizeof(err)))
		fprintf(stderr, "rplat: %s\n", err);
	_exit(1);
}

int rplat_sim_spawn(struct rplat_sim_proc *p, const struct rplat_sim_opts *o, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->memfd = p->to_probe = p->to_host = p->pidfd = -1;
	p->o = *o;
	p->memfd = memfd_create("rplat-sim-shm", MFD_CLOEXEC);
	if (p->memfd < 0 || ftruncate(p->memfd, o->shm_size)) {
		rplat_fail(err, errlen, "sim: shared memory: %s", strerror(errno));
		goto fail;
	}
	p->shm = mmap(NULL, o->shm_size, PROT_READ | PROT_WRITE, MAP_SHARED, p->memfd, 0);
	if (p->shm == MAP_FAILED) {
		p->shm = NULL;
		rplat_fail(err, errlen, "sim: mmap: %s", strerror(errno));
		goto fail;
	}
	p->to_probe = eventfd(0, EFD_CLOEXEC | (o->spin ? EFD_NONBLOCK : 0));
	/* blocking: the host sleeps in read() on it (see sim_recv); poll() before a read keeps the other
	 * paths from blocking */
	p->to_host = eventfd(0, EFD_CLOEXEC);
	if (p->to_probe < 0 || p->to_host < 0) {
		rplat_fail(err, errlen, "sim: eventfd: %s", strerror(errno));
		goto fail;
	}
	fflush(NULL);
	p->pid = fork();
	if (p->pid < 0) {
		p->pid = 0;
		rplat_fail(err, errlen, "sim: fork: %s", strerror(errno));
		goto fail;
	}
	if (p->pid == 0)
		child_main(p);
	rplat_link_track_child(p->pid);
	p->pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
	return 0;
fail:
	rplat_sim_reap(p);
	return -1;
}

static void sim_link_kick(void *ctx, unsigned vq)
{
	struct sim_link *s = ctx;
	uint64_t one = 1;

	(void)vq;
	if (write(s->p.to_probe, &one, sizeof(one)) < 0) {
		/* cannot fail with one writer short of 2^64 kicks; a dead probe is noticed on receive */
	}
}

/* Wait until the probe kicks us or is gone. Returns 1 on a kick, 0 on timeout, -1 with errno (EPIPE:
 * the probe died). */
static int wait_host_kick(struct sim_link *s, int64_t timeout_ns)
{
	int gone_fd = s->sock >= 0 ? s->sock : s->p.pidfd;
	struct pollfd p[2] = { { s->p.to_host, POLLIN, 0 }, { gone_fd, POLLIN, 0 } };
	int ms = timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000);
	uint64_t v;
	int r;

	r = poll(p, gone_fd >= 0 ? 2 : 1, ms);
	if (r < 0)
		return -1;
	if (r == 0)
		return 0;
	if (p[0].revents & POLLIN) {
		if (read(s->p.to_host, &v, sizeof(v)) < 0 && errno != EAGAIN)
			return -1;
		return 1;
	}
	s->dead = 1;
	errno = EPIPE;
	return -1;
}

static void *watchdog(void *arg)
{
	struct sim_link *s = arg;
	int gone_fd = s->sock >= 0 ? s->sock : s->p.pidfd;
	struct pollfd pf[3] = { { s->tfd, POLLIN, 0 }, { s->stop[0], POLLIN, 0 }, { gone_fd, POLLIN, 0 } };
	uint64_t v, one = 1;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL); /* signals are the measuring thread's */
	for (;;) {
		if (poll(pf, gone_fd >= 0 ? 3 : 2, -1) < 0)
			continue;
		if (pf[1].revents)
			break;
		if (pf[2].revents) {
			s->dead = 1;
			if (write(s->p.to_host, &one, sizeof(one)) < 0) {
				/* the reader notices on its next deadline */
			}
			break;
		}
		if ((pf[0].revents & POLLIN) && read(s->tfd, &v, sizeof(v)) == sizeof(v) &&
		    write(s->p.to_host, &one, sizeof(one)) < 0) {
			/* cannot fail short of 2^64 wakeups */
		}
	}
	return NULL;
}

static int watchdog_start(struct sim_link *s, char *err, size_t errlen)
{
	s->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (s->tfd < 0 || pipe2(s->stop, O_CLOEXEC))
		return rplat_fail(err, errlen, "sim: timerfd/pipe: %s", strerror(errno));
	if ((errno = pthread_create(&s->wd, NULL, watchdog, s)))
		return rplat_fail(err, errlen, "sim: watchdog thread: %s", strerror(errno));
	s->wd_running = 1;
	return 0;
}

static void watchdog_stop(struct sim_link *s)
{
	if (s->wd_running) {
		if (write(s->stop[1], "x", 1) < 0) {
			/* a pipe with a reader: cannot fail */
		}
		pthread_join(s->wd, NULL);
		s->wd_running = 0;
	}
	if (s->tfd >= 0)
		close(s->tfd);
	if (s->stop[0] >= 0)
		close(s->stop[0]);
	if (s->stop[1] >= 0)
		close(s->stop[1]);
	s->tfd = s->stop[0] = s->stop[1] = -1;
}

/* Sleep in read() until the probe kicks, the deadline passes or the probe dies (all three arrive as a
 * doorbell count). Returns 0, or -1 with errno (EINTR: a signal). */
static int wait_blocking(struct sim_link *s, int64_t deadline)
{
	struct itimerspec its;
	uint64_t v;

	memset(&its, 0, sizeof(its));
	if (deadline >= 0) {
		its.it_value.tv_sec = deadline / 1000000000;
		its.it_value.tv_nsec = deadline % 1000000000;
	}
	if (timerfd_settime(s->tfd, TFD_TIMER_ABSTIME, &its, NULL))
		return -1;
	return read(s->p.to_host, &v, sizeof(v)) == sizeof(v) ? 0 : -1;
}

static void sim_close(struct rplat_link *l)
{
	struct sim_link *s = l->priv;

	if (!s)
		return;
	watchdog_stop(s);
	rplat_sim_reap(&s->p);
	if (s->sock >= 0)
		close(s->sock);
	rplat_vdrv_free(&s->drv);
	free(s);
	l->priv = NULL;
	l->child = 0;
}

/* socket=PATH: receive the region and doorbells from `rplat sim --socket PATH`. */
static int sim_attach_socket(struct sim_link *s, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct rplat_sim_hello hello;
	char cbuf[CMSG_SPACE(3 * sizeof(int))];
	struct iovec iov = { &hello, sizeof(hello) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fds[3];
	ssize_t n;

	if (strlen(path) >= sizeof(sa.sun_path))
		return rplat_fail(err, errlen, "sim: socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	s->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->sock < 0 || connect(s->sock, (struct sockaddr *)&sa, sizeof(sa)))
		return rplat_fail(err, errlen, "sim: cannot connect to %s: %s (is `rplat sim --socket %s` running?)",
				  path, strerror(errno), path);
	n = recvmsg(s->sock, &m, MSG_CMSG_CLOEXEC);
	c = CMSG_FIRSTHDR(&m);
	if (n != sizeof(hello) || hello.magic != RPLAT_SIM_HELLO_MAGIC || hello.version != 1 || !c ||
	    c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(fds)))
		return rplat_fail(err, errlen, "sim: %s did not send a valid hello", path);
	memcpy(fds, CMSG_DATA(c), sizeof(fds));
	s->p.o = hello.opts;
	s->p.memfd = fds[0];
	s->p.to_probe = fds[1];
	s->p.to_host = fds[2];
	s->p.shm = mmap(NULL, s->p.o.shm_size, PROT_READ | PROT_WRITE, MAP_SHARED, s->p.memfd, 0);
	if (s->p.shm == MAP_FAILED) {
		s->p.shm = NULL;
		return rplat_fail(err, errlen, "sim: mmap of the probe's region: %s", strerror(errno));
	}
	return 0;
}

static int sim_open(struct rplat_link *l, const char *args, char *err, size_t errlen)
{
	struct sim_link *s = calloc(1, sizeof(*s));
	struct rplat_sim_opts o;
	struct rplat_kv kv;
	const char *sock = NULL;
	int64_t deadline;
	int r, i;

	if (!s)
		return rplat_fail(err, errlen, "out of memory");
	s->sock = -1;
	s->tfd = s->stop[0] = s->stop[1] = -1;
	s->p.memfd = s->p.to_probe = s->p.to_host = s->p.pidfd = -1;
	l->priv = s;
	rplat_sim_opts_init(&o);
	if (rplat_kv_parse(&kv, args, err, errlen))
		goto fail;
	for (i = 0; i < kv.n; i++) {
		if (!strcmp(kv.key[i], "socket"))
			sock = kv.val[i];
		else if (rplat_sim_opt(&o, kv.key[i], kv.val[i], err, errlen))
			goto fail;
	}
	if (sock) {
		if (kv.n > 1) {
			rplat_fail(err, errlen, "sim: with socket=, the probe's options belong to `rplat sim`");
			goto fail;
		}
		if (sim_attach_socket(s, sock, err, errlen))
			goto fail;
	} else {
		if (rplat_sim_spawn(&s->p, &o, err, errlen))
			goto fail;
		l->child = s->p.pid;
		/* boot: the probe writes its table and kicks once */
		r = wait_host_kick(s, BOOT_TIMEOUT_NS);
		if (r <= 0) {
			rplat_fail(err, errlen, "sim: the probe did not boot within 5 s%s", r < 0 ? " (it died)" : "");
			goto fail;
		}
	}
	if (rplat_vdrv_setup(&s->drv, s->p.shm, s->p.o.shm_size, s->p.o.da, RPLAT_SIM_RSC_OFF, RPLAT_SIM_TRACE_OFF,
			     RPLAT_SIM_POOL_OFF, sim_link_kick, s, err, errlen))
		goto fail;
	l->rsc = s->drv.summary;
	deadline = rplat_now_ns() + BOOT_TIMEOUT_NS;
	while (s->drv.nannounced < 2) {
		uint8_t tmp[RPMSG_MAX_PAYLOAD];
		int64_t left = deadline - rplat_now_ns();

		if (rplat_vdrv_recv(&s->drv, tmp, sizeof(tmp)) > 0)
			continue; /* nothing but announcements is expected yet */
		if (s->drv.nannounced >= 2)
			break;
		if (left <= 0 || (r = wait_host_kick(s, left)) == 0) {
			rplat_fail(err, errlen, "sim: no name-service announcement within 5 s");
			goto fail;
		}
		if (r < 0) {
			rplat_fail(err, errlen, "sim: the probe died during start-up");
			goto fail;
		}
	}
	if (!s->p.o.spin && watchdog_start(s, err, errlen))
		goto fail;
	snprintf(l->desc, sizeof(l->desc), "sim:%s (%s on port %u, vring num %u)", args, s->drv.announced[0],
		 s->drv.remote_addr, s->drv.rx.num);
	return 0;
fail:
	sim_close(l);
	return -1;
}

static int sim_send(struct rplat_link *l, const void *buf, size_t len)
{
	struct sim_link *s = l->priv;

	if (s->dead) {
		errno = EPIPE;
		return -1;
	}
	return rplat_vdrv_send(&s->drv, buf, len);
}

static ssize_t sim_recv(struct rplat_link *l, void *buf, size_t cap, int64_t timeout_ns)
{
	struct sim_link *s = l->priv;
	int64_t deadline = timeout_ns < 0 ? -1 : rplat_now_ns() + timeout_ns;

	for (;;) {
		ssize_t n = rplat_vdrv_recv(&s->drv, buf, cap);
		int64_t left;
		int r;

		if (n != 0)
			return n;
		if (s->p.o.spin && !s->dead) {
			/* spin: both sides busy-poll, so neither one-way path pays a wakeup */
			unsigned i;

			for (i = 0; i < 4096 && (n = rplat_vdrv_recv(&s->drv, buf, cap)) == 0; i++)
				;
			if (n != 0)
				return n;
			if (deadline >= 0 && rplat_now_ns() >= deadline)
				return 0;
			if (wait_host_kick(s, 0) < 0 && errno != EPIPE)
				return -1;
			continue;
		}
		if (s->dead) {
			errno = EPIPE;
			return -1;
		}
		left = deadline < 0 ? -1 : deadline - rplat_now_ns();
		if (deadline >= 0 && left <= 0)
			return 0;
		r = wait_blocking(s, deadline);
		if (r < 0)
			return -1;
		/* woken: a reply, the deadline, or the probe's death (then loop once more to deliver what it
		 * pushed before it died) */
	}
}

static double sim_truth(struct rplat_link *l, uint64_t ticks)
{
	return rplat_sim_raw_at(&((struct sim_link *)l->priv)->p.o, ticks);
}

static int sim_fd(struct rplat_link *l)
{
	return ((struct sim_link *)l->priv)->p.to_host;
}

const struct rplat_link_ops rplat_link_sim_ops = {
	.name = "sim",
	.help = rplat_sim_help,
	.open = sim_open,
	.send = sim_send,
	.recv = sim_recv,
	.close = sim_close,
	.fd = sim_fd,
	.truth_raw_ns = sim_truth,
};
