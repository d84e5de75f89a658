/* rplat: measure and explain RPMsg link latency. Dispatches to the subcommands in cmd/. */
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "rplat/link.h"
#include "rplat/util.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "ping", cmd_ping, "round-trip latency and jitter, cyclictest style" },
	{ "stream", cmd_stream, "remote -> host one-way latency from the probe's own timer" },
	{ "trace", cmd_trace, "ping/stream with ftrace capture, stage breakdown and glitch analysis" },
	{ "check", cmd_check, "resource tables, device trees, coherency, system readiness" },
	{ "rproc", cmd_rproc, "remoteproc control: list, status, start, stop, load, trace" },
	{ "report", cmd_report, "HTML/Markdown report with plots from runs" },
	{ "compare", cmd_compare, "compare runs (e.g. PREEMPT_RT vs mainline)" },
	{ "budget", cmd_budget, "check runs against a latency budget (exit 0 pass, 1 fail)" },
	{ "merge", cmd_merge, "merge runs exactly, histograms included" },
	{ "load", cmd_load, "run a command under a named load profile" },
	{ "observe", cmd_observe, "measure your own firmware (rplat hooks) and application, beside them" },
	{ "ring", cmd_ring, "drain a firmware's hooks ring lazily: the shared-ring side of streaming" },
	{ "sim", cmd_sim, "run the simulated probe on its own" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: rplat COMMAND [OPTIONS]   (rplat COMMAND --help for each)\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nlinks (--link):\n");
	for (i = 0; rplat_link_types[i]; i++)
		fprintf(f, "%s\n", rplat_link_types[i]->help);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("rplat %s\n", RPLAT_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "rplat: unknown command '%s' (rplat --help lists them)\n", argv[1]);
	return 2;
}
