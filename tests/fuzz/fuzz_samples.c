/* fuzz-sources: host-tools/lib/run_read.c host-tools/lib/run_samples.c host-tools/lib/hist.c host-tools/lib/json.c host-tools/lib/util.c */
/* libFuzzer target for the run reader's samples.tsv (host-tools/lib/run_samples.c), the file report,
 * budget, compare and merge read line by line.
 *
 * Input: byte 0 selects the run (bit 0: a stream run, else a ping run with sizes 40 and 256, 2 s long);
 * the rest is samples.tsv. Every message the reader hands out must be one it checked: a known status,
 * ping: seq increasing within a run, a listed size, an ok/late rtt from 0 to the run's bound and a lost
 * one without, observe's kernel split whole and adding up; every failure must name the file
 * ("DIR/samples.tsv: ..."). A file that reads whole must
 * read the same way twice (the same messages, the same census).
 *
 *   clang -g -fsanitize=fuzzer,address,undefined -Iprobe-fw/include -Ihost-tools/include \
 *         tests/fuzz/fuzz_samples.c host-tools/lib/{run_read,run_samples,hist,json,util}.c -lm -o fuzz_samples
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rplat/run.h"

static char g_dir[64], g_path[128];
static struct rplat_run g_run[2];

static void cleanup(void)
{
	unlink(g_path);
	rmdir(g_dir);
}

static void setup(void)
{
	static const char *const meta[2] = {
		"{\"format\":\"rplat-run\",\"format_version\":1,\"kind\":\"ping\",\"label\":\"f\",\"duration_s\":2,"
		"\"options\":{\"sizes\":[40,256],\"timeout_us\":1000},\"counts\":{\"sent\":3}}",
		"{\"format\":\"rplat-run\",\"format_version\":1,\"kind\":\"stream\",\"label\":\"f\",\"duration_s\":2,"
		"\"options\":{\"size\":40,\"interval_us\":1000}}",
	};
	char err[128];
	int i;

	snprintf(g_dir, sizeof(g_dir), "/tmp/fuzz_samples.%d", (int)getpid());
	if (mkdir(g_dir, 0700) && access(g_dir, W_OK))
		abort();
	snprintf(g_path, sizeof(g_path), "%s/samples.tsv", g_dir);
	atexit(cleanup);
	for (i = 0; i < 2; i++) {
		g_run[i].meta = rplat_json_parse(meta[i], strlen(meta[i]), err, sizeof(err));
		if (!g_run[i].meta)
			abort();
		g_run[i].dir = g_dir;
		g_run[i].label = "f";
		g_run[i].kind = i ? "stream" : "ping";
		g_run[i].is_stream = i;
		g_run[i].format_version = 1;
		g_run[i].has_samples = 1;
		g_run[i].counts.sent = 3;
		rplat_hist_init(&g_run[i].rtt);
	}
}

/* Read the file whole; returns the messages read, or -1 (the error checked). 'sum' fingerprints them. */
static long read_all(const struct rplat_run *r, uint64_t *sum)
{
	struct rplat_samples *s;
	struct rplat_sample sm;
	char err[1024] = "";
	long n = 0;
	int rc, i;

	*sum = 0;
	if (rplat_samples_open(r, &s, err, sizeof(err))) {
		if (strncmp(err, g_dir, strlen(g_dir)) != 0)
			abort();
		return -1;
	}
	while ((rc = rplat_samples_next(s, &sm, err, sizeof(err))) == 1) {
		if ((unsigned)sm.status >= RPLAT_RS_NSTATUS)
			abort();
		if (!r->is_stream) {
			int answered = sm.status == RPLAT_RS_OK || sm.status == RPLAT_RS_LATE;

			if (sm.size != 40 && sm.size != 256)
				abort();
			if (answered && (sm.rtt == RPLAT_NA || sm.rtt < 0))
				abort();
			if (sm.status == RPLAT_RS_LOST && sm.rtt != RPLAT_NA)
				abort();
			/* observe's kernel split: pairs whole, adding up to the stage they split */
			for (i = 0; i < 2; i++) {
				const int64_t *k = &sm.ksplit[2 * i], w = sm.stage[i ? 3 : 0];

				if ((k[0] == RPLAT_NA) != (k[1] == RPLAT_NA) ||
				    (k[0] != RPLAT_NA && (w == RPLAT_NA || k[i] < 0 || k[0] + k[1] - w > 2 || w - k[0] - k[1] > 2)))
					abort();
			}
		}
		*sum = *sum * 1000003u + sm.seq * 31u + (uint64_t)sm.status + (uint64_t)sm.rtt;
		n++;
	}
	rplat_samples_close(s);
	if (rc < 0) {
		if (strncmp(err, g_dir, strlen(g_dir)) != 0)
			abort();
		return -1;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct rplat_run *r;
	uint64_t s1, s2;
	long n1, n2;
	FILE *f;

	if (!g_run[0].meta)
		setup();
	if (size < 1)
		return 0;
	r = &g_run[data[0] & 1];
	f = fopen(g_path, "w");
	if (!f)
		abort();
	if (size > 1 && fwrite(data + 1, 1, size - 1, f) != size - 1)
		abort();
	fclose(f);
	n1 = read_all(r, &s1);
	n2 = read_all(r, &s2);
	if (n1 != n2 || (n1 >= 0 && s1 != s2))
		abort();
	return 0;
}
