/* Command-line options of `rplat ping` (shared with `rplat trace`). See rplat/ping.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rplat/measure.h"
#include "rplat/ping.h"
#include "rplat/util.h"

void rplat_ping_opts_init(struct rplat_ping_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->link = "sim";
	o->interval_ns = 1000000;
	o->sizes[0] = RPLAT_PING_MIN;
	o->nsizes = 1;
	o->affinity = -1;
	o->dma_latency = 0;
	o->timeout_ns = 1000000000;
	o->max_silent = 3;
}

int rplat_warm_up_parse(const char *arg, uint64_t *n, int64_t *ns)
{
	uint64_t v;
	int64_t t;

	*n = 0;
	*ns = 0;
	if (!rplat_parse_u64(arg, &v)) {
		if (v > 1000000000000ull)
			return -1;
		*n = v;
		return 0;
	}
	if (!*arg || (arg[strlen(arg) - 1] >= '0' && arg[strlen(arg) - 1] <= '9') || rplat_parse_duration(arg, &t) ||
	    t <= 0 || t > 86400ll * 1000000000ll)
		return -1;
	*ns = t;
	return 0;
}

void rplat_ping_usage(FILE *f)
{
	fprintf(f,
		"  -L, --link SPEC         the link to the probe (default sim); see `rplat --help` for link types\n"
		"  -l, --loops N           number of pings (default: until -D or Ctrl-C)\n"
		"  -D, --duration T        run time: 30 (s), 30s, 5m, 2h, 1d\n"
		"  -i, --interval US       interval between sends, us (default 1000; 0 = back to back)\n"
		"  -s, --size LIST         message sizes in bytes, 40..496, comma list and/or ranges A-B:STEP\n"
		"                          (default 40 = header only); several sizes are cycled (a sweep)\n"
		"  -p, --priority N        run the measuring thread SCHED_FIFO at priority N\n"
		"  -a, --affinity CPU      pin the measuring thread to CPU\n"
		"  -m, --mlockall          lock current and future memory\n"
		"      --dma-latency US    hold /dev/cpu_dma_latency at US while measuring (default 0);\n"
		"                          --no-dma-latency leaves it alone. Released (restored) on exit\n"
		"  -q, --quiet             print only the summary at the end\n"
		"  -h, --histogram US      also write cyclictest's -h histogram (1 us bins up to US) to\n"
		"                          RUN/histogram.txt and print it\n"
		"      --json FILE         write the results as JSON with cyclictest's keys plus \"rplat\"\n"
		"      --timeout US        a reply later than this is late; none at all, lost (default 1 s)\n"
		"      --max-silent N      end the run after N consecutive timeouts (default 3)\n"
		"      --warm-up N|TIME    the first N messages, or those sent in the first TIME (2s, 500ms), are\n"
		"                          warm-up: sent and written to samples.tsv as 'warmup', in no figure,\n"
		"                          count or threshold (their replies still feed the clock fit)\n"
		"  -o, --output DIR        run directory (default rplat-run-YYYYmmdd-HHMMSS)\n"
		"      --label TEXT        label for reports and comparisons\n"
		"      --no-samples        do not write samples.tsv (histograms and summary only)\n"
		"      --load PROFILE      run a background load during the measurement: none, cpu, io, mixed,\n"
		"                          rteval or a profile file (see `rplat load --list`)\n"
		"      --help              this text\n");
}

/* "40,64,128-496:64" -> sizes. */
static int parse_sizes(struct rplat_ping_opts *o, const char *arg)
{
	char buf[256], *p, *item, *save = NULL;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	o->nsizes = 0;
	for (p = buf; (item = strtok_r(p, ",", &save)); p = NULL) {
		uint64_t a, b, step = 1;
		char *dash = strchr(item, '-'), *colon = strchr(item, ':');

		if (colon) {
			*colon = '\0';
			if (rplat_parse_u64(colon + 1, &step) || step == 0)
				return -1;
		}
		if (dash) {
			*dash = '\0';
			if (rplat_parse_u64(item, &a) || rplat_parse_u64(dash + 1, &b) || b < a)
				return -1;
		} else {
			if (rplat_parse_u64(item, &a))
				return -1;
			b = a;
		}
		for (; a <= b; a += step) {
			if (a < RPLAT_PING_MIN || a > RPLAT_PING_MAX || o->nsizes == (int)(sizeof(o->sizes) / sizeof(o->sizes[0])))
				return -1;
			o->sizes[o->nsizes++] = (uint16_t)a;
		}
	}
	return o->nsizes ? 0 : -1;
}

enum { OPT_DMA = 256, OPT_NO_DMA, OPT_JSON, OPT_TIMEOUT, OPT_LABEL, OPT_NO_SAMPLES, OPT_HELP, OPT_MAX_SILENT, OPT_LOAD,
       OPT_WARM_UP };

int rplat_ping_parse(struct rplat_ping_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "link", required_argument, NULL, 'L' },
		{ "loops", required_argument, NULL, 'l' },
		{ "duration", required_argument, NULL, 'D' },
		{ "interval", required_argument, NULL, 'i' },
		{ "size", required_argument, NULL, 's' },
		{ "priority", required_argument, NULL, 'p' },
		{ "affinity", required_argument, NULL, 'a' },
		{ "mlockall", no_argument, NULL, 'm' },
		{ "dma-latency", required_argument, NULL, OPT_DMA },
		{ "no-dma-latency", no_argument, NULL, OPT_NO_DMA },
		{ "quiet", no_argument, NULL, 'q' },
		{ "histogram", required_argument, NULL, 'h' },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "max-silent", required_argument, NULL, OPT_MAX_SILENT },
		{ "output", required_argument, NULL, 'o' },
		{ "label", required_argument, NULL, OPT_LABEL },
		{ "no-samples", no_argument, NULL, OPT_NO_SAMPLES },
		{ "load", required_argument, NULL, OPT_LOAD },
		{ "warm-up", required_argument, NULL, OPT_WARM_UP },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = argv[0];
	uint64_t v;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":L:l:D:i:s:p:a:mqh:o:", longopts, NULL)) != -1) {
		const char *bad = NULL;

		switch (c) {
		case 'L': o->link = optarg; break;
		case 'l':
			if (rplat_parse_u64(optarg, &o->loops) || o->loops == 0)
				bad = "--loops takes a positive count";
			break;
		case 'D':
			if (rplat_parse_duration(optarg, &o->duration_ns) || o->duration_ns == 0)
				bad = "--duration takes a time such as 30, 30s, 5m, 2h or 1d";
			break;
		case 'i':
			if (rplat_parse_time_us(optarg, &o->interval_ns))
				bad = "--interval takes microseconds (or a time with a unit)";
			break;
		case 's':
			if (parse_sizes(o, optarg))
				bad = "--size takes sizes of 40..496 bytes: 40,64 or 40-496:32 (at most 64 sizes)";
			break;
		case 'p': bad = rplat_rt_value('p', optarg, &o->priority); break;
		case 'a': bad = rplat_rt_value('a', optarg, &o->affinity); break;
		case 'm': o->mlockall = 1; break;
		case OPT_DMA: bad = rplat_rt_value('d', optarg, &o->dma_latency); break;
		case OPT_NO_DMA: o->dma_latency = -1; break;
		case 'q': o->quiet = 1; break;
		case 'h':
			if (rplat_parse_u64(optarg, &v) || v < 1 || v > 10000000)
				bad = "--histogram takes the largest bucket in us (1..10000000)";
			else
				o->hist_us = (int)v;
			break;
		case OPT_JSON: o->json_path = optarg; break;
		case OPT_TIMEOUT:
			if (rplat_parse_time_us(optarg, &o->timeout_ns) || o->timeout_ns == 0)
				bad = "--timeout takes microseconds (or a time with a unit), > 0";
			break;
		case OPT_MAX_SILENT:
			if (rplat_parse_u64(optarg, &v) || v < 1 || v > 1000000)
				bad = "--max-silent takes a positive count";
			else
				o->max_silent = (int)v;
			break;
		case 'o': o->out_dir = optarg; break;
		case OPT_LABEL: o->label = optarg; break;
		case OPT_NO_SAMPLES: o->no_samples = 1; break;
		case OPT_LOAD: o->load = optarg; break;
		case OPT_WARM_UP:
			if (rplat_warm_up_parse(optarg, &o->warm_up, &o->warm_up_ns))
				bad = "--warm-up takes a message count (100) or a time with a unit (2s, 500ms)";
			break;
		case OPT_HELP:
			printf("usage: rplat %s [OPTIONS]\n\n", cmd);
			rplat_ping_usage(stdout);
			return 1;
		case ':':
			fprintf(stderr, "rplat %s: option %s needs a value\n", cmd, argv[optind - 1]);
			return -1;
		default:
			fprintf(stderr, "rplat %s: unknown option %s (rplat %s --help)\n", cmd, argv[optind - 1], cmd);
			return -1;
		}
		if (bad) {
			fprintf(stderr, "rplat %s: bad value '%s': %s\n", cmd, optarg, bad);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "rplat %s: unexpected argument '%s'\n", cmd, argv[optind]);
		return -1;
	}
	return 0;
}
