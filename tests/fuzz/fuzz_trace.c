/* fuzz-sources: tracing/tev.c tracing/analyze.c tracing/analyze_out.c tracing/glitch.c tracing/sysenv.c host-tools/lib/hist.c host-tools/lib/json.c host-tools/lib/runfile.c host-tools/lib/util.c */
/* libFuzzer target for the readers of a saved traced run (what `rplat trace analyze RUN` reads):
 * samples.tsv (rplat_ana_read_samples, a ping's or a stream's), trace/cpuN.ev and trace/names.tsv
 * (rplat_tev_set_load), and, when they load, the analysis and its outputs (rplat_analyze,
 * rplat_analysis_write).
 *
 * Input: an 8-byte header, then the files, separated by the 4 bytes "\n%%\n":
 *
 *     byte 0    flags: bit 0  write samples.tsv (the first part); without it the run has no samples
 *                             and the markers decide ping or stream
 *                      bit 1  the measuring thread is given (bytes 2..3), else the markers' writer
 *                      bit 2  the sim probe's pid is bytes 4..5, else 0
 *                      bit 3  the trace marker's fd is byte 6, else -1
 *                      bit 4  a valid clock fit (error bound 500 ns), else none
 *                      bit 5  --break at seq byte 7
 *                      bit 6  no names.tsv file (its part is skipped)
 *     byte 1    --worst = low nibble; --threshold = high nibble * 10 us (0: none)
 *     byte 2..3 tid (u16, little endian), 4..5 sim probe pid (u16), 6 marker fd, 7 break seq
 *     then      samples.tsv \n%%\n names.tsv \n%%\n cpu0.ev \n%%\n cpu1.ev ... (at most 8 cpu files:
 *               cpu7.ev takes the rest)
 *
 * e.g.  "\x1f\x23\xe8\x03\xe9\x03\x09\x01" "seq\tsize\tt_send...\n...\tok\n" "\n%%\n"
 *       "task\t1000\trplat\t120\t-\n" "\n%%\n" "RPLATEV1..." (so a text file that ends with a newline is
 *       followed by a blank line; an empty part is an empty file, a missing one no file).
 *
 * Contract: each reader either loads or fails with a message that names its file (samples.tsv) or the
 * trace directory / the file in it (the events); rplat_analyze() either works or says why; what it made is
 * consistent (outliers point at messages, counts add up) and is written to a directory without error,
 * analysis.json parsing back as JSON.
 * The files live in one temporary directory per process (mkdtemp), emptied after each input.
 *
 * Seeds (tests/fuzz/corpus/trace/, 4 messages each, made the way tracing/synth.c and
 * tests/unit/test_trace_stream.c build theirs, with a hog, an IRQ and a remote delay so that outliers are
 * explained): ping.bin and stream.bin (samples, given thread, sim probe, marker fd, clock fit; a lost
 * event, a lost and a duplicate sample), ping-markers-only.bin and stream-markers-only.bin (no samples.tsv:
 * the markers decide). */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rplat/json.h"
#include "analyze.h"
#include "tev.h"

#define MAX_CPU_FILES 8
#define MAX_PARTS (2 + MAX_CPU_FILES)

static char g_dir[256];
static char g_trace[300], g_samples[300], g_out[300];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	if (ftw->level > 0 && remove(path) != 0)
		abort();
	return 0;
}

/* Empty the temporary directory (it stays). */
static void clean(void)
{
	if (nftw(g_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		abort();
}

static void rm_dir(void)
{
	clean();
	rmdir(g_dir);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(g_dir, sizeof(g_dir), "%s/fuzz_trace.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(g_dir))
		abort();
	snprintf(g_trace, sizeof(g_trace), "%s/trace", g_dir);
	snprintf(g_samples, sizeof(g_samples), "%s/samples.tsv", g_dir);
	snprintf(g_out, sizeof(g_out), "%s/out", g_dir);
	atexit(rm_dir);
}

static void put(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f))
		abort();
}

/* Split at each "\n%%\n": part i is [start[i], start[i] + len[i]). */
static int split(const uint8_t *p, size_t n, const uint8_t **start, size_t *len)
{
	const uint8_t *end = p + n, *sep;
	int np = 0;

	while (np < MAX_PARTS - 1 && (sep = memmem(p, (size_t)(end - p), "\n%%\n", 4))) {
		start[np] = p;
		len[np++] = (size_t)(sep - p);
		p = sep + 4;
	}
	start[np] = p;
	len[np++] = (size_t)(end - p);
	return np;
}

/* A failure must say why, naming what failed: err starts with prefix. */
static void check_err(const char *err, const char *prefix)
{
	if (!err[0] || strncmp(err, prefix, strlen(prefix)) != 0) {
		fprintf(stderr, "fuzz_trace: bad error message '%s' (expected to start with '%s')\n", err, prefix);
		abort();
	}
}

static void check_analysis(const struct rplat_analysis *a, const struct rplat_ana_opts *o)
{
	size_t i;

	if (a->ok > a->nmsg || a->matched > a->nmsg || a->nout > (size_t)o->max_outliers ||
	    (a->kind != RPLAT_ANA_PING && a->kind != RPLAT_ANA_STREAM) || a->ntids < 1 || a->ntids > 8)
		abort();
	for (i = 0; i < a->nout; i++) {
		const struct rplat_ana_outlier *out = &a->out[i];

		if (out->msg >= a->nmsg || !out->why || out->dominant < -1 || out->dominant >= RPLAT_ST_N ||
		    (out->dominant >= 0 && !rplat_ana_stage_id(a, out->dominant)) || out->ncontrib < 0 ||
		    out->ncontrib > RPLAT_ANA_MAX_CONTRIB || !memchr(out->verdict, 0, sizeof(out->verdict)))
			abort();
	}
	for (i = 1; i < a->nmsg; i++)
		if (a->msg[i].seq < a->msg[i - 1].seq)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part[MAX_PARTS];
	size_t plen[MAX_PARTS];
	struct rplat_ana_sample *samples = NULL;
	struct rplat_ana_opts o;
	struct rplat_ana_input in;
	struct rplat_analysis a;
	struct rplat_tev_set ev;
	struct rplat_json *json;
	const char *fmt;
	char err[1024] = "", path[400];
	size_t nsamples = 12345, i;
	int kind = -1, np, rc, samples_ok = 1, k;
	int32_t tid;

	if (!g_dir[0])
		setup();
	if (size < 8)
		return 0;
	np = split(data + 8, size - 8, part, plen);
	if (mkdir(g_trace, 0755))
		abort();
	if (data[0] & 1)
		put(g_samples, part[0], plen[0]);
	if (np > 1 && !(data[0] & 64)) {
		snprintf(path, sizeof(path), "%s/names.tsv", g_trace);
		put(path, part[1], plen[1]);
	}
	for (k = 2; k < np; k++) {
		snprintf(path, sizeof(path), "%s/cpu%d.ev", g_trace, k - 2);
		put(path, part[k], plen[k]);
	}

	/* samples.tsv */
	if (data[0] & 1) {
		rc = rplat_ana_read_samples(g_samples, &samples, &nsamples, &kind, err, sizeof(err));
		if (rc != 0) {
			if (rc != -1 || samples || nsamples)
				abort();
			check_err(err, g_samples);
			samples_ok = 0;
		} else {
			if ((kind != RPLAT_ANA_PING && kind != RPLAT_ANA_STREAM) || (nsamples && !samples))
				abort();
			for (i = 1; i < nsamples; i++)
				if (samples[i].seq < samples[i - 1].seq)
					abort();
		}
	} else {
		nsamples = 0;
	}

	/* trace/cpu*.ev and trace/names.tsv */
	rplat_tev_set_init(&ev);
	err[0] = 0;
	rc = rplat_tev_set_load(&ev, g_trace, err, sizeof(err));
	if (rc != 0) {
		if (rc != -1)
			abort();
		check_err(err, g_trace);
		goto out;
	}
	for (i = 0; i < ev.n; i++)
		if (ev.ev[i].cpu >= ev.ncpus ||
		    (i && (ev.ev[i].ts < ev.ev[i - 1].ts ||
			   (ev.ev[i].ts == ev.ev[i - 1].ts && ev.ev[i].cpu < ev.ev[i - 1].cpu))))
			abort();
	if (!samples_ok)
		goto out;

	/* the analysis, as rplat_analyze_run() does it */
	memset(&in, 0, sizeof(in));
	in.samples = samples;
	in.nsamples = nsamples;
	in.kind = kind >= 0 ? kind : RPLAT_ANA_PING;
	tid = (int32_t)(data[2] | data[3] << 8);
	if (data[0] & 2) {
		in.tids = &tid;
		in.ntids = 1;
	}
	in.remote_pid = data[0] & 4 ? (int32_t)(data[4] | data[5] << 8) : 0;
	in.marker_fd = data[0] & 8 ? data[6] : -1;
	in.clock_err_ns = data[0] & 16 ? 500 : -1;
	in.clock_source = data[0] & 16 ? "fuzz" : "none";
	rplat_ana_opts_init(&o);
	o.worst = data[1] & 15;
	o.threshold_ns = (int64_t)(data[1] >> 4) * 10000;
	o.break_seq = data[0] & 32 ? data[7] : -1;
	err[0] = 0;
	if (rplat_analyze(&ev, &in, &o, &a, err, sizeof(err)) != 0) {
		check_err(err, "");
		rplat_analysis_free(&a);
		goto out;
	}
	check_analysis(&a, &o);
	if (rplat_analysis_write(&a, &ev, g_out, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_trace: writing the analysis failed: %s\n", err);
		abort();
	}
	/* whatever the names and numbers, analysis.json is JSON */
	snprintf(path, sizeof(path), "%s/analysis.json", g_out);
	json = rplat_json_load(path, err, sizeof(err));
	if (!json) {
		fprintf(stderr, "fuzz_trace: analysis.json does not parse: %s\n", err);
		abort();
	}
	fmt = rplat_json_str(rplat_json_get(json, "format"));
	if (!fmt || strcmp(fmt, "rplat-trace-analysis"))
		abort();
	rplat_json_free(json);
	rplat_analysis_free(&a);
out:
	rplat_tev_set_free(&ev);
	free(samples);
	clean();
	return 0;
}
