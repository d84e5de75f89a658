/* rplat ping: round-trip latency and jitter over an RPMsg link, cyclictest's habits. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "rplat/ping.h"
#include "trace_hooks.h"

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
	int r, i, j, trace = 0;

	join_args(cmdline, sizeof(cmdline), argc, argv);
	/* --trace: the same run under `rplat trace`'s default capture (its options: rplat trace --help) */
	for (i = j = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--trace"))
			trace = 1;
		else
			argv[j++] = argv[i];
	}
	argc = j;
	argv[argc] = NULL;
	rplat_ping_opts_init(&o);
	r = rplat_ping_parse(&o, argc, argv);
	if (r > 0)
		printf("      --trace             capture ftrace events during the run and analyse them\n"
		       "                          (rplat trace takes the same options and more)\n");
	if (r)
		return r > 0 ? 0 : 2;
	o.command = cmdline;
	if (trace)
		o.hooks = rplat_trace_hooks(NULL);
	r = rplat_ping_run(&o);
	if (trace && rplat_trace_finish() && r == 0)
		r = 1;
	return r;
}
