/* rplat trace: ping with ftrace capture, stage breakdown and glitch analysis; offline analysis and exports.
 *
 *   rplat trace [ping options] [trace options]
 *   rplat trace analyze RUN|FILE.dat [--worst N] [--threshold US] [-o DIR] [-q]
 *   rplat trace analyze --tracecmd FILE [...]
 *   rplat trace export RUN|FILE.dat --perfetto FILE | --text [FILE] [--seq A[-B]]
 *   rplat trace cleanup          remove what a crashed run left in tracefs
 *   rplat trace synth DIR [--messages N] [--noise K]   a synthetic traced run with a known truth (for the
 *                                benchmarks and for trying the analysis without root) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "rplat/ping.h"
#include "rplat/util.h"
#include "analyze.h"
#include "capture.h"
#include "export.h"
#include "synth.h"
#include "trace_hooks.h"
#include "tracedat.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rplat trace [ping options] [trace options]\n"
		"       rplat trace analyze RUN|FILE.dat [--worst N] [--threshold US] [-o DIR] [-q]\n"
		"       rplat trace analyze --tracecmd FILE [--worst N] [--threshold US] [-o DIR] [-q]\n"
		"       rplat trace export RUN|FILE.dat (--perfetto FILE | --text [FILE]) [--seq A[-B]]\n"
		"       rplat trace cleanup\n"
		"       rplat trace synth DIR [--messages N] [--noise K]\n\n"
		"Runs a ping (same options as 'rplat ping') under ftrace, in the tracefs instance 'rplat', saves the\n"
		"capture in RUN/trace and explains where each round trip went: RUN/trace/analysis.txt, analysis.json,\n"
		"stages.tsv and hist/STAGE.hist. Needs root (tracefs). FILE.dat is a trace-cmd recording made on a\n"
		"target (its markers 'rplat seq=N' and the writing thread's syscalls are matched). A stream run\n"
		"('rplat stream --trace', markers 'rplat rx seq=N') is analysed and exported the same way, per\n"
		"message from the probe timer's due time to the host's receive.\n\n");
	rplat_trace_usage(f);
	fprintf(f, "\n");
	rplat_ping_usage(f);
}

/* A run directory or a trace.dat: load events, samples and the analysis. */
struct loaded {
	struct rplat_tev_set ev;
	struct rplat_ana_input in;
	struct rplat_analysis a;
	int is_run;
};

static int load_and_analyze(const char *path, int tracecmd, const struct rplat_ana_opts *ao, struct loaded *l)
{
	struct stat st;
	char err[1024];

	memset(l, 0, sizeof(*l));
	rplat_tev_set_init(&l->ev);
	if (stat(path, &st)) {
		fprintf(stderr, "rplat trace: %s: %s\n", path, strerror(errno));
		return 2;
	}
	l->is_run = S_ISDIR(st.st_mode) && !tracecmd;
	if (l->is_run) {
		if (rplat_ana_load_run(path, &l->ev, &l->in, err, sizeof(err))) {
			fprintf(stderr, "rplat trace: %s\n", err);
			return 2;
		}
	} else {
		if (rplat_tracedat_load(path, &l->ev, err, sizeof(err))) {
			fprintf(stderr, "rplat trace: %s\n", err);
			return 2;
		}
		l->in.marker_fd = -1;
		l->in.clock_err_ns = -1;
		l->in.clock_source = "none: a trace.dat has no remote stamps";
	}
	if (rplat_analyze(&l->ev, &l->in, ao, &l->a, err, sizeof(err))) {
		fprintf(stderr, "rplat trace: %s: %s\n", path, err);
		return 1;
	}
	if (!l->is_run)
		snprintf(l->a.source, sizeof(l->a.source), "trace.dat");
	return 0;
}

static void loaded_free(struct loaded *l)
{
	rplat_analysis_free(&l->a);
	rplat_ana_input_free(&l->in);
	rplat_tev_set_free(&l->ev);
}

static int cmd_analyze(int argc, char **argv)
{
	struct rplat_ana_opts ao, given, kept;
	struct loaded l;
	const char *path = NULL, *out = NULL;
	int i, tracecmd = 0, quiet = 0, rc, set_worst = 0, set_thr = 0, have_kept = 0;
	char err[1024], beside[4300] = "";

	rplat_ana_opts_init(&ao);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		uint64_t v;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-q")) {
			quiet = 1;
		} else if ((!strcmp(a, "--worst") || !strcmp(a, "--threshold") || !strcmp(a, "-o") ||
			    !strcmp(a, "--tracecmd")) && i + 1 >= argc) {
			fprintf(stderr, "rplat trace analyze: %s needs a value\n", a);
			return 2;
		} else if (!strcmp(a, "--worst")) {
			if (rplat_parse_u64(argv[++i], &v) || v > 1000000) {
				fprintf(stderr, "rplat trace analyze: --worst '%s': not a number\n", argv[i]);
				return 2;
			}
			ao.worst = (int)v;
			set_worst = 1;
		} else if (!strcmp(a, "--threshold")) {
			if (rplat_parse_time_us(argv[++i], &ao.threshold_ns) || ao.threshold_ns <= 0) {
				fprintf(stderr, "rplat trace analyze: --threshold '%s': not a positive time\n", argv[i]);
				return 2;
			}
			set_thr = 1;
		} else if (!strcmp(a, "-o")) {
			out = argv[++i];
		} else if (!strcmp(a, "--tracecmd")) {
			path = argv[++i];
			tracecmd = 1;
		} else if (a[0] == '-') {
			fprintf(stderr, "rplat trace analyze: unknown option '%s'\n", a);
			return 2;
		} else if (!path) {
			path = a;
		} else {
			fprintf(stderr, "rplat trace analyze: one RUN or FILE.dat, not '%s' too\n", a);
			return 2;
		}
	}
	if (!path) {
		fprintf(stderr, "rplat trace analyze: which RUN or FILE.dat?\n");
		return 2;
	}
	/* a run's capture-time analysis keeps its options (--worst, --threshold, the --break hit) as the
	 * defaults; one made with other options goes beside it, not over it */
	given = ao;
	rplat_ana_opts_init(&kept);
	if (!tracecmd && rplat_ana_opts_of_run(path, &kept) == 0) {
		have_kept = 1;
		ao = kept;
		if (set_worst)
			ao.worst = given.worst;
		if (set_thr)
			ao.threshold_ns = given.threshold_ns;
		if (!out && (ao.worst != kept.worst || ao.threshold_ns != kept.threshold_ns)) {
			snprintf(beside, sizeof(beside), "%s/trace/analysis-worst%d-threshold%lldus", path, ao.worst,
				 (long long)(ao.threshold_ns / 1000));
			out = beside;
		}
	}
	rc = load_and_analyze(path, tracecmd, &ao, &l);
	if (rc) {
		loaded_free(&l);
		return rc;
	}
	if (l.is_run || out) {
		char dir[4200];

		snprintf(dir, sizeof(dir), "%s/trace", path);
		if (out && mkdir(out, 0755) && errno != EEXIST) {
			fprintf(stderr, "rplat trace analyze: %s: %s\n", out, strerror(errno));
			loaded_free(&l);
			return 2;
		}
		if (rplat_analysis_write(&l.a, &l.ev, out ? out : dir, err, sizeof(err))) {
			fprintf(stderr, "rplat trace analyze: %s\n", err);
			loaded_free(&l);
			return 1;
		}
	}
	if (beside[0])
		fprintf(stderr, "rplat trace analyze: the capture-time analysis (--worst %d, --threshold %.1f us) is kept "
			"in %s/trace; this one (--worst %d, --threshold %.1f us) is in %s\n", kept.worst,
			(double)kept.threshold_ns / 1000.0, path, ao.worst, (double)ao.threshold_ns / 1000.0, beside);
	(void)have_kept;
	if (!quiet)
		rplat_analysis_print(&l.a, stdout);
	rplat_ana_evidence_text(&l.a.evidence, err, sizeof(err));
	if (err[0]) /* even with -q: a lossy capture must not pass for a complete one */
		fprintf(stderr, "rplat trace analyze: WARNING: %s\n", err);
	rc = l.a.evidence.complete ? 0 : 1;
	loaded_free(&l);
	return rc;
}

static int cmd_export(int argc, char **argv)
{
	struct rplat_export_opts eo;
	struct rplat_ana_opts ao;
	struct loaded l;
	const char *path = NULL, *perfetto = NULL, *text = NULL;
	int i, want_text = 0, rc;
	FILE *f;

	rplat_export_opts_init(&eo);
	rplat_ana_opts_init(&ao);
	ao.worst = 0;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--perfetto")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "rplat trace export: --perfetto needs a FILE\n");
				return 2;
			}
			perfetto = argv[++i];
		} else if (!strcmp(a, "--text")) {
			want_text = 1;
			if (i + 1 < argc && argv[i + 1][0] != '-' && path)
				text = argv[++i];
		} else if (!strcmp(a, "--seq")) {
			char *end;

			if (i + 1 >= argc) {
				fprintf(stderr, "rplat trace export: --seq needs A or A-B\n");
				return 2;
			}
			eo.seq_from = strtoll(argv[++i], &end, 10);
			eo.seq_to = *end == '-' ? strtoll(end + 1, &end, 10) : eo.seq_from;
			if (*end || eo.seq_from < 0 || eo.seq_to < eo.seq_from) {
				fprintf(stderr, "rplat trace export: --seq '%s': expected A or A-B\n", argv[i]);
				return 2;
			}
		} else if (a[0] == '-') {
			fprintf(stderr, "rplat trace export: unknown option '%s'\n", a);
			return 2;
		} else if (!path) {
			path = a;
		} else {
			fprintf(stderr, "rplat trace export: one RUN or FILE.dat, not '%s' too\n", a);
			return 2;
		}
	}
	if (!path || (!perfetto && !want_text)) {
		fprintf(stderr, "rplat trace export: usage: rplat trace export RUN|FILE.dat (--perfetto FILE | --text "
			"[FILE])\n");
		return 2;
	}
	rc = load_and_analyze(path, 0, &ao, &l);
	if (rc) {
		loaded_free(&l);
		return rc;
	}
	if (perfetto) {
		f = fopen(perfetto, "w");
		if (!f || rplat_export_perfetto(&l.ev, &l.a, &eo, f) | fclose(f)) {
			fprintf(stderr, "rplat trace export: %s: %s\n", perfetto, strerror(errno ? errno : EIO));
			loaded_free(&l);
			return 1;
		}
	}
	if (want_text) {
		f = text ? fopen(text, "w") : stdout;
		if (!f || rplat_export_text(&l.ev, &l.a, &eo, f) | (text ? fclose(f) : fflush(f))) {
			fprintf(stderr, "rplat trace export: %s: %s\n", text ? text : "stdout", strerror(errno ? errno : EIO));
			loaded_free(&l);
			return 1;
		}
	}
	loaded_free(&l);
	return 0;
}

static int write_synth_run(const char *dir, const struct rplat_synth_opts *so, const struct rplat_tev_set *ev,
			   const struct rplat_ana_sample *s)
{
	struct rplat_tev_writer w[2];
	char path[4200];
	uint32_t i;
	size_t k;
	FILE *f;
	int c;

	snprintf(path, sizeof(path), "%s/trace", dir);
	if ((mkdir(dir, 0755) && errno != EEXIST) || (mkdir(path, 0755) && errno != EEXIST))
		return -1;
	for (c = 0; c < 2; c++) {
		snprintf(path, sizeof(path), "%s/trace/cpu%d.ev", dir, c);
		if (rplat_tev_writer_open(&w[c], path, (unsigned)c))
			return -1;
	}
	for (k = 0; k < ev->n; k++)
		rplat_tev_writer_put(&w[ev->ev[k].cpu & 1], &ev->ev[k]);
	if (rplat_tev_writer_close(&w[0], 1) | rplat_tev_writer_close(&w[1], 1))
		return -1;
	snprintf(path, sizeof(path), "%s/trace/names.tsv", dir);
	if (!(f = fopen(path, "w")) || rplat_tev_names_write(&ev->names, f) | fclose(f))
		return -1;
	snprintf(path, sizeof(path), "%s/trace/capture.json", dir);
	if (!(f = fopen(path, "w")))
		return -1;
	fprintf(f, "{\"format\":\"rplat-trace-capture\",\"format_version\":1,\"source\":\"synthetic\",\"pids\":[%d],"
		"\"remote_pid\":%d,\"marker_fd\":%d}\n", so->tid, so->remote_pid, so->marker_fd);
	if (fclose(f))
		return -1;
	snprintf(path, sizeof(path), "%s/samples.tsv", dir);
	if (!(f = fopen(path, "w")))
		return -1;
	fprintf(f, "seq\tsize\tt_send\trtt\th2r\tdispatch\tproc\tr2h\tr_kick\tr_consume\tr_reply\tstatus\n");
	for (i = 0; i < so->nmsg; i++)
		fprintf(f, "%u\t40\t%lld\t%lld\t%lld\t%lld\t%lld\tnan\t0\t0\t0\tok\n", i, (long long)s[i].t_send,
			(long long)s[i].rtt, (long long)s[i].h2r, (long long)s[i].dispatch, (long long)s[i].proc);
	return fclose(f);
}

/* A synthetic run: events with a known truth, for benchmarks and for trying the analysis without root. */
static int cmd_synth(int argc, char **argv)
{
	static const struct rplat_synth_glitch g[] = {
		{ .seq = 1000, .kind = RPLAT_GLITCH_WAKE_DELAY, .ns = 250000, .pid = 4242, .name = "hog", .prio = 49 },
		{ .seq = 2000, .kind = RPLAT_GLITCH_REMOTE_DELAY, .ns = 180000 },
		{ .seq = 3000, .kind = RPLAT_GLITCH_IRQ, .ns = 120000, .pid = 31, .name = "eth0" },
	};
	struct rplat_synth_opts so;
	struct rplat_tev_set ev;
	struct rplat_ana_sample *s = NULL;
	uint64_t v;
	int i, rc;

	rplat_synth_opts_init(&so);
	so.nmsg = 10000;
	so.interval_ns = 100000;
	so.glitch = g;
	so.nglitch = 3;
	so.trace_idle_switch_in = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: rplat trace synth DIR [--messages N] [--noise K]\n");
		return 2;
	}
	for (i = 2; i < argc; i++) {
		if (i + 1 < argc && (!strcmp(argv[i], "--messages") || !strcmp(argv[i], "--noise")) &&
		    !rplat_parse_u64(argv[i + 1], &v) && v <= 100000000) {
			if (!strcmp(argv[i], "--messages"))
				so.nmsg = (uint32_t)v;
			else
				so.noise_per_msg = (int)v;
			i++;
		} else {
			fprintf(stderr, "rplat trace synth: bad option '%s'\n", argv[i]);
			return 2;
		}
	}
	rplat_tev_set_init(&ev);
	if (rplat_synth(&so, &ev, &s)) {
		fprintf(stderr, "rplat trace synth: out of memory\n");
		return 1;
	}
	rc = write_synth_run(argv[1], &so, &ev, s);
	if (rc)
		fprintf(stderr, "rplat trace synth: %s: %s\n", argv[1], strerror(errno));
	else
		printf("%s: %u messages, %zu events\n", argv[1], so.nmsg, ev.n);
	rplat_tev_set_free(&ev);
	free(s);
	return rc ? 1 : 0;
}

static int cmd_cleanup(void)
{
	char msg[1024];
	int n = rplat_capture_leftovers(1, msg, sizeof(msg));

	if (n < 0) /* another rplat trace is running: its instance is not a leftover */
		printf("rplat trace: %s\n", msg);
	else if (n)
		printf("rplat trace: removed %s\n", msg);
	else
		printf("rplat trace: nothing left over in tracefs\n");
	return 0;
}

int cmd_trace(int argc, char **argv)
{
	struct rplat_trace_opts t;
	struct rplat_ping_opts po;
	char **pargv, err[512], cmdline[1024] = "rplat";
	int i, pargc = 0, r, rc;

	if (argc >= 2 && !strcmp(argv[1], "analyze"))
		return cmd_analyze(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "export"))
		return cmd_export(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "cleanup"))
		return cmd_cleanup();
	if (argc >= 2 && !strcmp(argv[1], "synth"))
		return cmd_synth(argc - 1, argv + 1);
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
	rplat_trace_opts_init(&t);
	pargv = calloc((size_t)argc + 1, sizeof(*pargv));
	if (!pargv)
		return 2;
	pargv[pargc++] = argv[0];
	for (i = 1; i < argc; i++) {
		r = rplat_trace_parse_opt(&t, argc, argv, i, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "rplat trace: %s\n", err);
			free(pargv);
			return 2;
		}
		if (r > 0) {
			i += r - 1;
			continue;
		}
		pargv[pargc++] = argv[i];
	}
	if (t.actions && !t.threshold_ns) {
		fprintf(stderr, "rplat trace: --on-threshold needs --threshold US\n");
		free(pargv);
		return 2;
	}
	rplat_ping_opts_init(&po);
	r = rplat_ping_parse(&po, pargc, pargv);
	if (r) {
		free(pargv);
		return r > 0 ? 0 : 2;
	}
	for (i = 0; i < argc; i++) /* the command line, for run.json */
		snprintf(cmdline + strlen(cmdline), sizeof(cmdline) - strlen(cmdline), " %s", argv[i]);
	po.command = cmdline;
	t.quiet = po.quiet;
	po.hooks = rplat_trace_hooks(&t);
	rc = rplat_ping_run(&po);
	if (rplat_trace_finish() && !rc)
		rc = 1;
	free(pargv);
	return rc;
}
