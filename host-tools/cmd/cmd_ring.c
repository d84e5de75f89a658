/* rplat ring: the shared-ring side of the streaming question, on the sim or a board.
 *
 * The firmware fills its rplat hooks ring ("rplat-ring" carveout) with one rplat_mark() per sample from
 * its timer; this drains it HZ times a second for a while, as a Linux reader of a shared ring would, and
 * prints what got through (rplat/ringstat.h: delivered rate, drops, latency, CPU). `rplat stream` is the
 * other side (one RPMsg message per sample), so the two commands answer the question on the same board.
 *
 * Design notes:
 * - The ring is found the way `rplat observe -L rpmsg` finds it: the remoteproc's debugfs carveout list
 *   gives its physical address, mapped through /dev/mem. On the sim link this process spawns the sim's
 *   example firmware (fw=echo) with stream=HZ and reads the ring in the shared memory.
 * - The clock: the drains themselves bound the remote counter (ringstat.h), fitted as ping's exchanges
 *   are; the sim's true clock gives the real latency there and checks that fit.
 * - The drain loop runs in the main thread; its CPU time is that thread's (CLOCK_THREAD_CPUTIME_ID). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "rplat/clocksync.h"
#include "rplat/json.h"
#include "rplat/observe.h"
#include "rplat/ring.h"
#include "rplat/ringstat.h"
#include "rplat/rsc.h"
#include "rplat/simlink.h"
#include "rplat/util.h"

static volatile sig_atomic_t g_stop;

static void on_stop(int sig)
{
	(void)sig;
	g_stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rplat ring [-L sim[:OPTS]|rpmsg] [-d TIME] [-r HZ] [--mark ID] [--json FILE] [-q]\n"
		"                  [--rproc NAME] [--debugfs DIR] [--mem FILE]\n\n"
		"Drain the rplat hooks' event ring of a firmware that writes one rplat_mark() per sample, HZ times\n"
		"a second for TIME, as Linux would in a shared-ring design, and print what got through: samples\n"
		"delivered per second, the firmware's drops, each sample's latency from its stamp to the drain\n"
		"that got it, and the draining thread's CPU. `rplat stream` measures the other design (one RPMsg\n"
		"message per sample) on the same link: README, \"The streaming question\".\n\n"
		"  -L, --link L     rpmsg (default): a board, the remoteproc whose debugfs carveout list has an\n"
		"                   \"rplat-ring\", mapped through /dev/mem (root); sim:OPTS: the sim's example\n"
		"                   firmware (fw=echo), OPTS the sim link's, e.g. sim:stream=10000 (samples/s)\n"
		"  --rproc NAME     rpmsg: the remoteproc (remoteprocN) to use when several list a ring\n"
		"  --debugfs DIR    rpmsg: where debugfs is mounted (/sys/kernel/debug)\n"
		"  --mem FILE       rpmsg: the physical memory device (/dev/mem)\n"
		"  -d, --duration T how long to drain (ns/us/ms/s; bare = s; default 10 s)\n"
		"  -r, --rate HZ    drains per second (default 100)\n"
		"  --mark ID        only marks with this id are samples (default: every mark; the example\n"
		"                   firmware's sample mark is 2)\n"
		"  --json FILE      also write the figures as JSON (- for stdout)\n"
		"  -q, --quiet      no text summary\n\n"
		"Latency: a drain empties the ring, so each drain's first and last new record were stamped\n"
		"between the previous drain and this one: those bounds fit the remote counter onto host time as\n"
		"ping's kicks and replies do (clock.err_bound_ns bounds every mapped stamp; about the time between\n"
		"two samples), and a sample's latency is its drain's time minus its mapped stamp. Without two\n"
		"drains that got records it is the latency above the fastest sample's (the spread only). On the\n"
		"sim it is against the sim's true clock, and the fit is checked against that clock.\n"
		"Exit: 0 every sample delivered, 1 the firmware dropped records or the run ended early (a\n"
		"signal), 2 usage or setup error, 3 no ring, or the ring was refused (corrupt) during the run.\n");
}

struct ring_src {
	struct rplat_sim_proc sim;
	int have_sim;
	int64_t raw0, mono0;
	struct rplat_obs_rproc_ring rr;
	char where[320];
};

static double sim_true_ns(void *ctx, uint64_t ticks)
{
	const struct ring_src *s = ctx;

	return (double)s->mono0 + (rplat_sim_raw_at(&s->sim.o, ticks) - (double)s->raw0);
}

/* The "rplat-ring" carveout of the table at the start of the sim's shared memory. */
static int sim_ring(struct ring_src *s, char *opts, struct rplat_ring_reader *r, char *err, size_t errlen)
{
	struct rplat_sim_opts o;
	struct rplat_rsc rsc;
	uint32_t da = 0, len = 0;
	uint64_t v;
	size_t i;

	rplat_sim_opts_init(&o);
	o.fw_echo = 1;
	for (char *save = NULL, *kv = strtok_r(opts, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');

		if (eq)
			*eq = '\0';
		if (rplat_sim_opt(&o, kv, eq ? eq + 1 : "", err, errlen))
			return 2;
	}
	if (rplat_sim_spawn(&s->sim, &o, err, errlen))
		return 2;
	s->have_sim = 1;
	if (read(s->sim.to_host, &v, sizeof(v)) != sizeof(v))
		return rplat_fail(err, errlen, "the sim did not boot"), 3;
	if (rplat_rsc_parse(&rsc, s->sim.shm, 4096))
		return rplat_fail(err, errlen, "out of memory"), 2;
	for (i = 0; i < rsc.nentry; i++)
		if (rsc.entry[i].type == RSC_CARVEOUT && !strcmp(rsc.entry[i].name, RPLAT_RING_RSC_NAME)) {
			da = rsc.entry[i].da;
			len = rsc.entry[i].len;
		}
	rplat_rsc_release(&rsc);
	if (!len || da < o.da)
		return rplat_fail(err, errlen, "the sim's table has no \"%s\" carveout", RPLAT_RING_RSC_NAME), 3;
	s->raw0 = rplat_now_raw_ns();
	s->mono0 = rplat_now_ns();
	snprintf(s->where, sizeof(s->where), "sim (fw=echo), ring at da 0x%x, %u bytes", da, len);
	if (rplat_ring_attach(r, s->sim.shm + (da - o.da), len, err, errlen))
		return 3;
	return 0;
}

/* A board: the carveout from remoteproc's debugfs, mapped through /dev/mem, as rplat observe finds it. */
static int rproc_ring(struct ring_src *s, const char *rproc, const char *dbg, const char *mem,
		      struct rplat_ring_reader *r, char *err, size_t errlen)
{
	int rc = rplat_obs_rproc_ring_map(rproc, dbg, mem, RPLAT_RING_RSC_NAME, &s->rr, err, errlen);

	if (rc)
		return rc > 0 ? 2 : 3;
	snprintf(s->where, sizeof(s->where), "%s, ring at da 0x%x (pa 0x%llx), %llu bytes", s->rr.rproc, s->rr.co.da,
		 (unsigned long long)s->rr.co.dma, (unsigned long long)s->rr.co.len);
	if (rplat_ring_attach(r, s->rr.mem, (size_t)s->rr.co.len, err, errlen))
		return 3;
	return 0;
}

static const char *latency_measure(const struct rplat_ringstat *st)
{
	if (st->fitted)
		return st->fit.crossed ? "the drains' clock fit (its bounds crossed: err_bound_ns an estimate)"
				       : "the drains' clock fit, within err_bound_ns";
	if (st->relative)
		return "above the fastest sample (no clock fit: fewer than two drains got records; the spread only)";
	return "against the sim's true clock";
}

static int write_json(const char *file, const char *where, const struct rplat_ringstat_opts *o,
		      const struct rplat_ringstat *st, uint64_t counter_hz)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "w") : stdout;
	struct rplat_jw jw;
	int rc;

	if (!f)
		return -1;
	rplat_jw_init(&jw, f);
	rplat_jw_obj_begin(&jw, NULL);
	rplat_jw_str(&jw, "kind", "ring");
	rplat_jw_str(&jw, "source", where);
	rplat_jw_uint(&jw, "counter_hz", counter_hz);
	rplat_jw_double(&jw, "duration_s", (double)o->duration_ns / 1e9);
	rplat_jw_double(&jw, "drains_hz", o->drains_hz);
	rplat_jw_int(&jw, "mark_id", o->mark_id);
	rplat_jw_bool(&jw, "ended_early", st->ended_early);
	rplat_jw_str(&jw, "error", st->err[0] ? st->err : NULL);
	rplat_jw_double(&jw, "wall_s", st->wall_ns / 1e9);
	rplat_jw_uint(&jw, "samples", st->samples);
	rplat_jw_uint(&jw, "other_records", st->other);
	rplat_jw_double(&jw, "delivered_hz", st->wall_ns > 0 ? (double)st->samples * 1e9 / st->wall_ns : 0);
	rplat_jw_uint(&jw, "drops", st->drops);
	rplat_jw_uint(&jw, "restarts", st->restarts);
	rplat_jw_uint(&jw, "drains", st->drains);
	rplat_jw_uint(&jw, "empty_drains", st->empty_drains);
	rplat_jw_obj_begin(&jw, "clock");
	rplat_jw_str(&jw, "method", st->fit.valid ? "the drains' bounds (each drain's first and last new record lie "
						      "between the previous drain's head read and this one's)"
						 : NULL);
	rplat_jw_str(&jw, "line", rplat_clk_method(&st->fit));
	rplat_jw_bool(&jw, "valid", st->fit.valid);
	if (st->fit.valid) {
		rplat_jw_double(&jw, "drift_ppm", st->fit.drift_ppm);
		rplat_jw_double(&jw, "err_bound_ns", st->fit.err_ns);
		rplat_jw_bool(&jw, "bound_guaranteed", !st->fit.crossed);
		rplat_jw_uint(&jw, "windows", st->fit.windows);
	}
	if (st->truth_max_err_ns >= 0)
		rplat_jw_double(&jw, "sim_truth_max_err_ns", st->truth_max_err_ns);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "latency");
	rplat_jw_str(&jw, "measure", latency_measure(st));
	if (st->fitted)
		rplat_jw_double(&jw, "err_bound_ns", st->fit.err_ns);
	rplat_jw_uint(&jw, "count", st->lat.count);
	/* samples whose mapped stamp came after their drain (within the clock's bound: counted as 0) */
	rplat_jw_uint(&jw, "negative", st->lat.underflow);
	if (st->lat.count) {
		rplat_jw_uint(&jw, "p50_ns", rplat_hist_percentile(&st->lat, 50));
		rplat_jw_uint(&jw, "p99_ns", rplat_hist_percentile(&st->lat, 99));
		rplat_jw_uint(&jw, "max_ns", st->lat.max);
	}
	rplat_jw_obj_end(&jw);
	rplat_jw_double(&jw, "cpu_percent", st->wall_ns > 0 ? 100.0 * st->cpu_ns / st->wall_ns : 0);
	rplat_jw_obj_end(&jw);
	rc = rplat_jw_finish(&jw);
	if (f != stdout && fclose(f))
		rc = -1;
	return rc;
}

int cmd_ring(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "link", required_argument, NULL, 'L' },   { "duration", required_argument, NULL, 'd' },
		{ "rate", required_argument, NULL, 'r' },   { "mark", required_argument, NULL, 'm' },
		{ "json", required_argument, NULL, 'j' },   { "rproc", required_argument, NULL, 'p' },
		{ "debugfs", required_argument, NULL, 'g' }, { "mem", required_argument, NULL, 'M' },
		{ "quiet", no_argument, NULL, 'q' },        { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct rplat_ringstat_opts o = { .duration_ns = 10000000000LL, .drains_hz = 100, .mark_id = -1,
					 .stop = &g_stop };
	const char *link = "rpmsg", *json = NULL, *rproc = NULL, *dbg = "/sys/kernel/debug", *mem = "/dev/mem";
	struct ring_src src = { .rr = { .fd = -1 } };
	static struct rplat_ringstat st;
	struct rplat_ring_reader r;
	char err[512] = "", *opts = NULL;
	int c, quiet = 0, rc;
	uint64_t v;

	while ((c = getopt_long(argc, argv, "L:d:r:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'L': link = optarg; break;
		case 'd':
			if (rplat_parse_duration(optarg, &o.duration_ns) || o.duration_ns <= 0) {
				fprintf(stderr, "rplat ring: -d %s: not a duration (ns/us/ms/s; bare = s)\n", optarg);
				return 2;
			}
			break;
		case 'r':
			if (rplat_parse_freq(optarg, &v) || v == 0 || v > 100000) {
				fprintf(stderr, "rplat ring: -r %s: drains per second, 1 to 100000\n", optarg);
				return 2;
			}
			o.drains_hz = (double)v;
			break;
		case 'm':
			if (rplat_parse_u64(optarg, &v) || v > 0xFFFF) {
				fprintf(stderr, "rplat ring: --mark %s: a mark id, 0 to 65535\n", optarg);
				return 2;
			}
			o.mark_id = (int)v;
			break;
		case 'j': json = optarg; break;
		case 'p': rproc = optarg; break;
		case 'g': dbg = optarg; break;
		case 'M': mem = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "rplat ring: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (!strcmp(link, "sim") || !strncmp(link, "sim:", 4)) {
		opts = strdup(link[3] ? link + 4 : "");
		if (!opts)
			return 2;
		rc = sim_ring(&src, opts, &r, err, sizeof(err));
		o.true_ns = sim_true_ns;
		o.ctx = &src;
	} else if (!strcmp(link, "rpmsg")) {
		rc = rproc_ring(&src, rproc, dbg, mem, &r, err, sizeof(err));
	} else {
		fprintf(stderr, "rplat ring: -L %s: 'rpmsg' (a board) or 'sim[:OPTS]'\n", link);
		return 2;
	}
	if (rc) {
		fprintf(stderr, "rplat ring: %s\n", err);
		goto out;
	}
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	if (!quiet)
		fprintf(stderr, "rplat ring: %s; draining %.0f times a second for %.3f s\n", src.where, o.drains_hz,
			(double)o.duration_ns / 1e9);
	rc = rplat_ringstat_run(&r, &o, &st) ? 3 : (st.drops || st.ended_early) ? 1 : 0;
	if (!quiet) {
		double wall = st.wall_ns > 0 ? st.wall_ns : 1;

		printf("ring: %s\n", src.where);
		if (st.ended_early)
			printf("ENDED EARLY after %.3f s of %.3f s: %s\n", st.wall_ns / 1e9, (double)o.duration_ns / 1e9,
			       st.err[0] ? st.err : "stopped by a signal");
		printf("samples    %llu delivered (%.1f/s), drops %llu%s, %llu other records, restarts %llu\n",
		       (unsigned long long)st.samples, (double)st.samples * 1e9 / wall, (unsigned long long)st.drops,
		       st.drops ? " (the firmware's: the ring was full)" : "", (unsigned long long)st.other,
		       (unsigned long long)st.restarts);
		printf("drains     %llu at %.0f Hz, %llu found nothing\n", (unsigned long long)st.drains, o.drains_hz,
		       (unsigned long long)st.empty_drains);
		if (st.lat.count)
			printf("latency    p50 %.1f us, p99 %.1f us, max %.1f us (stamp -> the drain that got it; %s)\n",
			       rplat_hist_percentile(&st.lat, 50) / 1e3, rplat_hist_percentile(&st.lat, 99) / 1e3,
			       st.lat.max / 1e3, latency_measure(&st));
		if (st.fit.valid)
			printf("clock      from the drains' bounds: drift %+.2f ppm, mapped stamps +-%.2f us%s\n",
			       st.fit.drift_ppm, st.fit.err_ns / 1e3, st.fit.crossed ? " (bounds crossed: an estimate)" : "");
		if (st.truth_max_err_ns >= 0)
			printf("clock      vs the sim's truth: max %.2f us\n", st.truth_max_err_ns / 1e3);
		else
			printf("latency    no samples\n");
		printf("cpu        %.3f %% of one CPU (the draining thread)\n", 100.0 * st.cpu_ns / wall);
	}
	if (json && write_json(json, src.where, &o, &st, r.counter_hz)) {
		fprintf(stderr, "rplat ring: %s: %s\n", json, strerror(errno));
		rc = 2;
	}
out:
	if (src.have_sim)
		rplat_sim_reap(&src.sim);
	rplat_obs_rproc_ring_unmap(&src.rr);
	free(opts);
	return rc;
}
