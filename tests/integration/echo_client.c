/* A plain echo client, as a user's Linux application would be: no rplat protocol, no stamps, no
 * instrumentation. It sends COUNT messages of SIZE bytes (a little-endian sequence number, then a
 * pattern) to the echo service on port 14 every INTERVAL_US, waits for each echo, checks it, and logs
 * "seq rtt_ns" per message on stdout as an application's own log would.
 *
 * On the sim there is no kernel rpmsg_char: the client's transport is the sim link's (rplat's user-space
 * virtio-rpmsg driver over shared memory and eventfd doorbells), reached through the link API, which is
 * all it uses of librplat. Its write() to the host->remote doorbell is its "rpmsg write", its read() of
 * the remote->host doorbell its "rpmsg read": what rplat observe traces.
 *
 * On a kernel with rpmsg_char (the virtual board), LINK is the device itself, /dev/rpmsgN: then the
 * client is plain POSIX, open(), write() of each message, poll() and read() of its echo, nothing of
 * rplat at all. Built with -DECHO_CLIENT_POSIX_ONLY it has only that path and needs no librplat (a
 * static binary for the guest).
 *
 * Usage: echo_client LINK COUNT INTERVAL_US SIZE START_DELAY_MS
 * It prints "ready PID" once the link is up, then waits START_DELAY_MS (for rplat observe to attach), or
 * with START_DELAY_MS "-" until it reads a line on stdin (its own start command). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef ECHO_CLIENT_POSIX_ONLY
#include "rplat/link.h"
#endif

/* the transport: an rplat link (the sim), or a plain /dev/rpmsgN fd */
struct conn {
	int fd;
#ifndef ECHO_CLIENT_POSIX_ONLY
	struct rplat_link *l;
#endif
};

static int conn_open(struct conn *c, const char *link, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (!strncmp(link, "/dev/", 5)) {
		c->fd = open(link, O_RDWR | O_CLOEXEC);
		if (c->fd < 0) {
			snprintf(err, errlen, "%s: %s", link, strerror(errno));
			return -1;
		}
		return 0;
	}
#ifndef ECHO_CLIENT_POSIX_ONLY
	c->l = rplat_link_open(link, err, errlen);
	return c->l ? 0 : -1;
#else
	snprintf(err, errlen, "%s: this build takes only a /dev/rpmsgN device", link);
	return -1;
#endif
}

static int conn_send(struct conn *c, const void *msg, size_t len)
{
	if (c->fd >= 0)
		return write(c->fd, msg, len) == (ssize_t)len ? 0 : -1;
#ifndef ECHO_CLIENT_POSIX_ONLY
	return rplat_link_send(c->l, msg, len);
#else
	return -1;
#endif
}

/* > 0 bytes, 0 timeout, < 0 error */
static ssize_t conn_recv(struct conn *c, void *buf, size_t cap, int timeout_ms)
{
	if (c->fd >= 0) {
		struct pollfd pf = { c->fd, POLLIN, 0 };
		int r;

		do
			r = poll(&pf, 1, timeout_ms);
		while (r < 0 && errno == EINTR);
		if (r <= 0)
			return r;
		return read(c->fd, buf, cap);
	}
#ifndef ECHO_CLIENT_POSIX_ONLY
	return rplat_link_recv(c->l, buf, cap, (int64_t)timeout_ms * 1000000);
#else
	return -1;
#endif
}

static void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
#ifndef ECHO_CLIENT_POSIX_ONLY
	if (c->l)
		rplat_link_close(c->l);
#endif
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct conn l;
	char err[256];
	uint8_t msg[496], back[496];
	unsigned count, size, i, bad = 0, lost = 0;
	long interval_us, delay_ms;

	if (argc != 6) {
		fprintf(stderr, "usage: echo_client LINK COUNT INTERVAL_US SIZE START_DELAY_MS\n");
		return 2;
	}
	count = (unsigned)strtoul(argv[2], NULL, 0);
	interval_us = strtol(argv[3], NULL, 0);
	size = (unsigned)strtoul(argv[4], NULL, 0);
	delay_ms = strcmp(argv[5], "-") ? strtol(argv[5], NULL, 0) : -1;
	if (size < 1 || size > sizeof(msg)) {
		fprintf(stderr, "echo_client: SIZE 1..496\n");
		return 2;
	}
	if (conn_open(&l, argv[1], err, sizeof(err))) {
		fprintf(stderr, "echo_client: %s\n", err);
		return 1;
	}
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	if (delay_ms >= 0) {
		usleep((useconds_t)delay_ms * 1000);
	} else {
		char line[64];

		if (!fgets(line, sizeof(line), stdin)) {
			fprintf(stderr, "echo_client: no start line on stdin\n");
			return 1;
		}
	}
	for (i = 0; i < count; i++) {
		int64_t t0, t1;
		ssize_t n;
		unsigned k;

		memcpy(msg, &i, size < 4 ? size : 4); /* the sequence number (its low bytes below 4 bytes) */
		for (k = 4; k < size; k++)
			msg[k] = (uint8_t)(i * 7 + k);
		t0 = now_ns();
		if (conn_send(&l, msg, size)) {
			perror("echo_client: send");
			break;
		}
		n = conn_recv(&l, back, sizeof(back), 10000); /* 10 s: a loaded TCG guest took 1.4 s once */
		t1 = now_ns();
		if (n <= 0) {
			lost++;
			printf("%u lost\n", i);
			if (n < 0)
				break;
			continue;
		}
		if ((size_t)n != size || memcmp(back, msg, size))
			bad++;
		printf("%u %lld\n", i, (long long)(t1 - t0));
		if (interval_us > 0)
			usleep((useconds_t)interval_us);
	}
	printf("done %u sent, %u lost, %u wrong\n", i, lost, bad);
	conn_close(&l);
	return bad || lost ? 1 : 0;
}
