/* rplat compare: runs side by side (e.g. PREEMPT_RT vs mainline), with a statistical statement. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "rplat/report.h"
#include "rplat/run.h"
#include "rplat/util.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rplat compare RUN_A RUN_B [RUN...] -o DIR [--budget SPEC] [--title TEXT] [--no-png] [-q]\n"
		"\n"
		"Overlay the runs' histograms and percentile curves, tabulate their percentiles with deltas against\n"
		"RUN_A, and state how sure the difference is: a bootstrap 95%% confidence interval of the p50, p99\n"
		"and p99.9 differences and a Mann-Whitney U test, both computed from the histograms. Labels come\n"
		"from each run's metadata (rplat ping --label). Writes DIR/index.html (self-contained) and\n"
		"DIR/report.md as rplat report does.\n");
}

int cmd_compare(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' }, { "budget", required_argument, NULL, 'b' },
		{ "title", required_argument, NULL, 't' },  { "no-png", no_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },        { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rplat_report_opts o;
	struct rplat_run **runs;
	char err[1024];
	int c, i, n, rc = 0;
	int64_t t0 = rplat_now_ns();

	rplat_report_opts_init(&o);
	while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.out_dir = optarg;
			break;
		case 'b':
			o.budget = optarg;
			break;
		case 't':
			o.title = optarg;
			break;
		case 'P':
			o.no_png = 1;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind < 2 || !o.out_dir) {
		fprintf(stderr, "rplat compare: %s\n", !o.out_dir ? "no output directory (-o DIR)" : "give two runs or more");
		usage(stderr);
		return 2;
	}
	n = argc - optind;
	runs = calloc((size_t)n, sizeof(*runs));
	if (!runs)
		return 2;
	for (i = 0; i < n; i++)
		if (rplat_run_load(argv[optind + i], &runs[i], err, sizeof(err))) {
			fprintf(stderr, "rplat compare: %s\n", err);
			rc = 2;
			goto out;
		}
	if (rplat_compare_write(runs, n, &o, err, sizeof(err))) {
		fprintf(stderr, "rplat compare: %s\n", err);
		rc = 2;
		goto out;
	}
	if (!o.quiet)
		printf("comparison: %s/index.html (%.2f s)\n", o.out_dir, (double)(rplat_now_ns() - t0) / 1e9);
out:
	for (i = 0; i < n; i++)
		rplat_run_free(runs[i]);
	free(runs);
	return rc;
}
