/* rplat report: HTML + Markdown report with gnuplot plots from one or more runs. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "rplat/report.h"
#include "rplat/run.h"
#include "rplat/util.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rplat report RUN... -o DIR [--budget SPEC] [--title TEXT] [--top N] [--no-png] [-q]\n"
		"\n"
		"Write DIR/index.html (self-contained: inline SVG, no external assets), DIR/report.md (with PNG\n"
		"plots in DIR/plots/), the plot data (DIR/data/) and the gnuplot script (DIR/plots.gp). DIR is\n"
		"written under a temporary name and renamed when complete; an existing DIR is replaced only if it\n"
		"is an rplat report.\n"
		"\n"
		"  -o, --output DIR   the report directory (required)\n"
		"  --budget SPEC      add the verdict of a budget (file or inline rules, see rplat budget --help);\n"
		"                     the exit status is then 1 when a run does not meet it\n"
		"  --title TEXT       the page title\n"
		"  --top N            list the N slowest messages of each run (default 10)\n"
		"  --no-png           SVG only (the Markdown page then links the SVG files)\n"
		"  -q, --quiet        do not print the path of the report\n");
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' }, { "budget", required_argument, NULL, 'b' },
		{ "title", required_argument, NULL, 't' },  { "top", required_argument, NULL, 'T' },
		{ "no-png", no_argument, NULL, 'P' },       { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
	};
	struct rplat_report_opts o;
	struct rplat_run **runs;
	char err[1024];
	int c, i, n, rc = 0, bad = 0;
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
		case 'T':
			o.top = atoi(optarg);
			if (o.top < 1 || o.top > 10000) {
				fprintf(stderr, "rplat report: --top takes 1..10000\n");
				return 2;
			}
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
	if (optind >= argc || !o.out_dir) {
		fprintf(stderr, "rplat report: %s\n", optind >= argc ? "no run given" : "no output directory (-o DIR)");
		usage(stderr);
		return 2;
	}
	n = argc - optind;
	runs = calloc((size_t)n, sizeof(*runs));
	if (!runs)
		return 2;
	for (i = 0; i < n; i++)
		if (rplat_run_load_flags(argv[optind + i], RPLAT_RUN_LOAD_STREAM, &runs[i], err, sizeof(err))) {
			fprintf(stderr, "rplat report: %s\n", err);
			rc = 2;
			goto out;
		}
	if (rplat_report_write(runs, n, &o, &bad, err, sizeof(err))) {
		fprintf(stderr, "rplat report: %s\n", err);
		rc = 2;
		goto out;
	}
	if (!o.quiet)
		printf("report: %s/index.html (%.2f s)\n", o.out_dir, (double)(rplat_now_ns() - t0) / 1e9);
	rc = bad ? 1 : 0;
out:
	for (i = 0; i < n; i++)
		rplat_run_free(runs[i]);
	free(runs);
	return rc;
}
