/* rplat merge: combine runs exactly (histograms bucket for bucket, counts, samples) into a new run. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "rplat/run.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rplat merge RUN... -o NEW_RUN [--force] [-q]\n"
		"\n"
		"Combine runs (repeats, or the same test on many boards) into one run directory of kind \"merged\":\n"
		"histograms added bucket for bucket (the result equals measuring all the messages as one run),\n"
		"counts summed, samples.tsv concatenated with a \"run\" column, and run.json listing the sources.\n"
		"Refused: runs of another format version or of different kinds (ping vs stream); without\n"
		"--force also runs that differ in link type, firmware target, probe protocol version, or\n"
		"PREEMPT_RT vs not. NEW_RUN must not exist; it appears complete or not at all.\n");
}

static void command_line(int argc, char **argv, char *buf, size_t n)
{
	size_t len = (size_t)snprintf(buf, n, "rplat");
	int i;

	for (i = 0; i < argc && len + 2 < n; i++)
		len += (size_t)snprintf(buf + len, n - len, " %s", argv[i]);
}

int cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' }, { "force", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },        { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	int force = 0, quiet = 0, c, i, n, rc = 0;
	struct rplat_run **runs;
	char err[1024], cmd[2048];

	command_line(argc, argv, cmd, sizeof(cmd));
	while ((c = getopt_long(argc, argv, "o:fqh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc || !out) {
		fprintf(stderr, "rplat merge: %s\n", !out ? "no output run (-o NEW_RUN)" : "no run given");
		usage(stderr);
		return 2;
	}
	n = argc - optind;
	runs = calloc((size_t)n, sizeof(*runs));
	if (!runs)
		return 2;
	for (i = 0; i < n; i++)
		if (rplat_run_load(argv[optind + i], &runs[i], err, sizeof(err))) {
			fprintf(stderr, "rplat merge: %s\n", err);
			rc = 2;
			goto out;
		}
	if (rplat_run_merge(runs, n, out, force, cmd, err, sizeof(err))) {
		fprintf(stderr, "rplat merge: %s\n", err);
		rc = 2;
		goto out;
	}
	if (!quiet) {
		uint64_t total = 0;

		for (i = 0; i < n; i++)
			total += runs[i]->rtt.count;
		printf("merged %d runs (%llu round trips) into %s\n", n, (unsigned long long)total, out);
	}
out:
	for (i = 0; i < n; i++)
		rplat_run_free(runs[i]);
	free(runs);
	return rc;
}
