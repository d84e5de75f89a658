/* rplat ping: round-trip latency and jitter over an RPMsg link, cyclictest's habits. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "rplat/ping.h"

/* The command line as one string, for the run metadata. */
static void join_args(char *buf, size_t n, int argc, char **argv)
{
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < argc && len + 1 < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? " " : "rplat ", argv[i]);
}

int cmd_ping(int argc, char **argv)
{
	struct rplat_ping_opts o;
	char cmdline[1024];
	int r;

	rplat_ping_opts_init(&o);
	r = rplat_ping_parse(&o, argc, argv);
	if (r)
		return r > 0 ? 0 : 2;
	join_args(cmdline, sizeof(cmdline), argc, argv);
	o.command = cmdline;
	return rplat_ping_run(&o);
}
