/* rplat sim: run the simulated probe on its own, serving clients over a unix socket.
 *
 * Each client (`--link sim:socket=PATH`) gets a fresh probe: new shared memory, new doorbells, a new
 * process, exactly as the sim link would fork for itself. Clients are served one at a time. The probe is
 * killed when its client goes, and the client's connection is closed when its probe dies. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "commands.h"
#include "rplat/link.h"
#include "rplat/simlink.h"
#include "rplat/util.h"

static volatile sig_atomic_t g_quit;

static void on_quit(int sig)
{
	(void)sig;
	g_quit = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: rplat sim [--socket PATH] [--once] [OPTS]\n\n"
		   "Run the simulated probe on its own. Each client that connects with\n"
		   "  rplat ping --link sim:socket=PATH\n"
		   "gets a fresh probe. OPTS are the sim link's options (comma-separated key=value):\n\n%s\n\n"
		   "  --socket PATH   where to listen (default /tmp/rplat-sim.sock)\n"
		   "  --once          exit after the first client\n", rplat_sim_help);
}

static int send_hello(int c, const struct rplat_sim_proc *p)
{
	struct rplat_sim_hello hello = { RPLAT_SIM_HELLO_MAGIC, 1, p->o };
	int fds[3] = { p->memfd, p->to_probe, p->to_host };
	char cbuf[CMSG_SPACE(sizeof(fds))];
	struct iovec iov = { &hello, sizeof(hello) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	return sendmsg(c, &m, MSG_NOSIGNAL) == sizeof(hello) ? 0 : -1;
}

/* Serve one client until it leaves, its probe dies, or we are told to quit. */
static void serve(int c, const struct rplat_sim_opts *o)
{
	struct rplat_sim_proc p;
	char err[256];
	uint64_t v;
	struct pollfd pf[2];

	if (rplat_sim_spawn(&p, o, err, sizeof(err))) {
		fprintf(stderr, "rplat sim: %s\n", err);
		return;
	}
	/* wait for the boot kick, then hand it back: the client's driver reads it as "booted" */
	pf[0] = (struct pollfd){ p.to_host, POLLIN, 0 };
	if (poll(pf, 1, 5000) != 1 || read(p.to_host, &v, sizeof(v)) != sizeof(v) ||
	    write(p.to_host, &v, sizeof(v)) != sizeof(v)) {
		fprintf(stderr, "rplat sim: the probe did not boot\n");
		goto out;
	}
	if (send_hello(c, &p)) {
		fprintf(stderr, "rplat sim: sending the region to the client: %s\n", strerror(errno));
		goto out;
	}
	fprintf(stderr, "rplat sim: client attached (probe pid %d)\n", (int)p.pid);
	pf[0] = (struct pollfd){ c, POLLIN, 0 };
	pf[1] = (struct pollfd){ p.pidfd, POLLIN, 0 };
	while (!g_quit) {
		char b[64];

		if (poll(pf, 2, -1) < 0)
			continue;
		if (pf[1].revents) {
			fprintf(stderr, "rplat sim: the probe exited\n");
			break;
		}
		if (pf[0].revents && read(c, b, sizeof(b)) <= 0) {
			fprintf(stderr, "rplat sim: client left\n");
			break;
		}
	}
out:
	rplat_sim_reap(&p);
}

int cmd_sim(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "once", no_argument, NULL, '1' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = "/tmp/rplat-sim.sock";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct rplat_sim_opts o;
	struct rplat_kv kv;
	struct sigaction act;
	char err[256];
	int once = 0, ls, c, i;

	rplat_sim_opts_init(&o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:", lo, NULL)) != -1) {
		switch (c) {
		case 's': path = optarg; break;
		case '1': once = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	for (; optind < argc; optind++) {
		if (rplat_kv_parse(&kv, argv[optind], err, sizeof(err))) {
			fprintf(stderr, "rplat sim: %s\n", err);
			return 2;
		}
		for (i = 0; i < kv.n; i++)
			if (rplat_sim_opt(&o, kv.key[i], kv.val[i], err, sizeof(err))) {
				fprintf(stderr, "rplat sim: %s\n", err);
				return 2;
			}
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "rplat sim: socket path too long\n");
		return 2;
	}
	strcpy(sa.sun_path, path);
	unlink(path);
	ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 4)) {
		fprintf(stderr, "rplat sim: cannot listen on %s: %s\n", path, strerror(errno));
		return 2;
	}
	memset(&act, 0, sizeof(act));
	act.sa_handler = on_quit;
	sigaction(SIGINT, &act, NULL);
	sigaction(SIGTERM, &act, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "rplat sim: listening on %s (connect with --link sim:socket=%s)\n", path, path);
	while (!g_quit) {
		int cl = accept4(ls, NULL, NULL, SOCK_CLOEXEC);

		if (cl < 0)
			continue;
		serve(cl, &o);
		close(cl);
		if (once)
			break;
	}
	close(ls);
	unlink(path);
	return 0;
}
