/* rplat budget: check runs against a latency budget; exit 0 pass, 1 fail, 2 usage or input error. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "rplat/budget.h"
#include "rplat/run.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rplat budget SPEC RUN... [--junit FILE] [--tap] [-q]\n"
		"\n"
		"Check each run against the budget SPEC: a file of rules, or rules inline separated by ';'\n"
		"('rtt.p99.9 <= 50us; lost == 0'). Exit 0 when every rule holds on every run, 1 when one fails\n"
		"or names a figure the run did not measure, 2 for a usage, syntax or run error.\n"
		"\n"
		"  --junit FILE  also write JUnit XML (one testsuite per run, one testcase per rule)\n"
		"  --tap         print TAP (version 13) instead of the table\n"
		"  -q, --quiet   print nothing; the exit status tells\n"
		"\n"
		"Rules, one per line ('#' comments):\n"
		"  rtt.p99.9 <= 50us           rtt.max <= 120us           rtt.avg < 30us\n"
		"  stage.remote_dispatch.p99 <= 5us   (h2r, dispatch, proc, r2h for short)\n"
		"  rtt@64.p99 <= 40us          rtt@*.p99 <= 40us (every size on its own)\n"
		"  lost == 0    late <= 2    lost <= 0.1%%    clock.err_bound <= 2us\n"
		"  size 64:                    a block: the indented rules below apply to 64-byte messages\n"
		"      rtt.p99 <= 40us\n"
		"Statistics: pN (0 < N <= 100), min, max, avg, stddev, count. Operators: <= < >= > == !=.\n"
		"Times need a unit (ns, us, ms, s).\n");
}

static int write_junit(const char *path, const struct rplat_budget *b, struct rplat_run *const *runs,
		       const struct rplat_budget_result *res, int n)
{
	char tmp[4200];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "rplat budget: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	if (rplat_budget_write_junit(f, b, runs, res, n) | fclose(f) || rename(tmp, path)) {
		fprintf(stderr, "rplat budget: %s: write failed: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int cmd_budget(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "junit", required_argument, NULL, 'j' }, { "tap", no_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },       { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *junit = NULL;
	int tap = 0, quiet = 0, c, i, n, rc = 0, bad = 0;
	struct rplat_budget *b;
	struct rplat_run **runs;
	struct rplat_budget_result *res;
	char err[1024];

	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			junit = optarg;
			break;
		case 't':
			tap = 1;
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
	if (argc - optind < 2) {
		usage(stderr);
		return 2;
	}
	b = rplat_budget_load(argv[optind], err, sizeof(err));
	if (!b) {
		fprintf(stderr, "rplat budget: %s\n", err);
		return 2;
	}
	n = argc - optind - 1;
	runs = calloc((size_t)n, sizeof(*runs));
	res = calloc((size_t)n, sizeof(*res));
	if (!runs || !res) {
		fprintf(stderr, "rplat budget: out of memory\n");
		rc = 2;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (rplat_run_load(argv[optind + 1 + i], &runs[i], err, sizeof(err))) {
			fprintf(stderr, "rplat budget: %s\n", err);
			rc = 2;
			goto out;
		}
		if (rplat_budget_eval(b, runs[i], &res[i])) {
			fprintf(stderr, "rplat budget: out of memory\n");
			rc = 2;
			goto out;
		}
		bad += res[i].failed + res[i].missing;
	}
	if (!quiet) {
		if (tap)
			rplat_budget_write_tap(stdout, b, runs, res, n);
		else
			rplat_budget_print(stdout, b, runs, res, n);
	}
	if (junit && write_junit(junit, b, runs, res, n))
		rc = 2;
	if (!rc)
		rc = bad ? 1 : 0;
out:
	for (i = 0; runs && res && i < n; i++) {
		rplat_budget_result_free(&res[i]);
		rplat_run_free(runs[i]);
	}
	free(runs);
	free(res);
	rplat_budget_free(b);
	return rc;
}
