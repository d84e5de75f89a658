/* Loading run directories: run.json, hist/NAME.hist, the optional load and trace parts, and a streaming
 * reader for samples.tsv. Every error names the file and what is wrong with it. See rplat/run.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rplat/run.h"
#include "rplat/util.h"

const char *const rplat_stage_names[RPLAT_NSTAGES] = { "host_to_remote", "remote_dispatch", "remote_processing",
						       "remote_to_host" };
const char *const rplat_stage_short[RPLAT_NSTAGES] = { "h2r", "dispatch", "proc", "r2h" };
const char *const rplat_stream_stage_names[RPLAT_NSTREAM_STAGES] = { "remote_to_host", "irq_latency",
								     "isr_to_send", "interarrival" };
const char *const rplat_run_status_names[RPLAT_RS_NSTATUS] = { "ok", "lost", "late", "dup", "ooo", "corrupt",
							       "error", "warmup" };

static int path_exists(const char *dir, const char *name)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) == 0;
}

/* Read dir/name into h. missing_ok: return 1 when the file does not exist. */
static int load_hist(const char *dir, const char *name, struct rplat_hist *h, int missing_ok, char *err,
		     size_t errlen)
{
	char p[PATH_MAX];
	struct stat st;
	FILE *f;
	int rc;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "r");
	if (!f) {
		if (errno == ENOENT && missing_ok)
			return 1;
		if (errno == ENOENT)
			return rplat_fail(err, errlen, "%s: missing (an incomplete or partial run?)", p);
		return rplat_fail(err, errlen, "%s: %s", p, strerror(errno));
	}
	if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
		fclose(f);
		return rplat_fail(err, errlen, "%s: %s, not a histogram file", p,
				  S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
	}
	rc = rplat_hist_read(h, f, p, err, errlen);
	fclose(f);
	return rc;
}

const char *rplat_run_str(const struct rplat_run *r, const char *path)
{
	return rplat_json_str(rplat_json_get(r->meta, path));
}

double rplat_run_num(const struct rplat_run *r, const char *path, double def)
{
	double v;

	return rplat_json_num(rplat_json_get(r->meta, path), &v) ? def : v;
}

const struct rplat_hist *rplat_run_size_hist(const struct rplat_run *r, unsigned size)
{
	int i;

	for (i = 0; i < r->nsizes; i++)
		if (r->sizes[i].size == size)
			return &r->sizes[i].hist;
	return NULL;
}

static int cmp_size(const void *a, const void *b)
{
	const struct rplat_run_size *x = a, *y = b;

	return x->size < y->size ? -1 : x->size > y->size;
}

static int load_sizes(struct rplat_run *r, char *err, size_t errlen)
{
	char p[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int cap = 0;

	snprintf(p, sizeof(p), "%s/hist", r->dir);
	d = opendir(p);
	if (!d)
		return rplat_fail(err, errlen, "%s: %s (an incomplete run?)", p, strerror(errno));
	while ((de = readdir(d))) {
		char *end, name[PATH_MAX];
		unsigned long sz;
		size_t n = strlen(de->d_name);

		if (strncmp(de->d_name, "rtt@", 4) || n < 10 || strcmp(de->d_name + n - 5, ".hist"))
			continue;
		sz = strtoul(de->d_name + 4, &end, 10);
		if (end != de->d_name + n - 5 || sz > 65535) {
			rplat_fail(err, errlen, "%s/%s: not a payload size in the name", p, de->d_name);
			closedir(d); /* after: de lives in d */
			return -1;
		}
		if (r->nsizes == cap) {
			struct rplat_run_size *ns;

			cap = cap ? cap * 2 : 8;
			ns = realloc(r->sizes, (size_t)cap * sizeof(*ns));
			if (!ns) {
				closedir(d);
				return rplat_fail(err, errlen, "out of memory");
			}
			r->sizes = ns;
		}
		r->sizes[r->nsizes].size = (unsigned)sz;
		snprintf(name, sizeof(name), "hist/%s", de->d_name);
		if (load_hist(r->dir, name, &r->sizes[r->nsizes].hist, 0, err, errlen)) {
			closedir(d);
			return -1;
		}
		r->nsizes++;
	}
	closedir(d);
	if (r->nsizes)
		qsort(r->sizes, (size_t)r->nsizes, sizeof(r->sizes[0]), cmp_size);
	return 0;
}

/* The count in run.json's summary 'path' must match the histogram's. */
static int check_count(struct rplat_run *r, const char *what, const struct rplat_json *stats,
		       const struct rplat_hist *h, char *err, size_t errlen)
{
	int64_t c;

	if (!stats)
		return 0;
	if (rplat_json_i64(rplat_json_member(stats, "count"), &c))
		return 0;
	if ((uint64_t)c != h->count)
		return rplat_fail(err, errlen,
				  "%s/hist/%s.hist: %llu samples, but run.json's summary says %lld (files from different "
				  "runs, or a damaged run?)",
				  r->dir, what, (unsigned long long)h->count, (long long)c);
	return 0;
}

static struct rplat_json *load_optional_json(struct rplat_run *r, const char *name, const char *format)
{
	char p[PATH_MAX], jerr[256];
	struct rplat_json *j;
	const char *f;

	if (!path_exists(r->dir, name))
		return NULL;
	snprintf(p, sizeof(p), "%s/%s", r->dir, name);
	j = rplat_json_load(p, jerr, sizeof(jerr));
	if (!j) {
		rplat_fail(r->warning, sizeof(r->warning), "%s (ignored)", jerr);
		return NULL;
	}
	if (j->type != RPLAT_JSON_OBJ) {
		rplat_fail(r->warning, sizeof(r->warning), "%s: not a JSON object (ignored)", p);
		rplat_json_free(j);
		return NULL;
	}
	f = rplat_json_str(rplat_json_member(j, "format"));
	if (format && f && strcmp(f, format)) {
		rplat_fail(r->warning, sizeof(r->warning), "%s: format \"%s\", expected \"%s\" (ignored)", p, f, format);
		rplat_json_free(j);
		return NULL;
	}
	return j;
}

/* A stream run's counts and stage histograms (kind "stream"). A stage that run.json's summary gives a
 * non-zero count must have its histogram. */
static int load_stream(struct rplat_run *r, const char *p, char *err, size_t errlen)
{
	static const char *const keys[] = { "expected", "received", "lost", "overruns", "duplicate", "out_of_order",
					    "corrupt" };
	const struct rplat_json *counts, *stages;
	uint64_t *c = (uint64_t *)&r->stream_counts;
	int64_t v;
	int i, rc;

	counts = rplat_json_member(r->meta, "counts");
	if (!counts || counts->type != RPLAT_JSON_OBJ)
		return rplat_fail(err, errlen, "%s: \"counts\" missing or not an object", p);
	for (i = 0; i < 7; i++) {
		const struct rplat_json *j = rplat_json_member(counts, keys[i]);

		if (!j)
			v = 0;
		else if (rplat_json_i64(j, &v) || v < 0)
			return rplat_fail(err, errlen, "%s: counts.%s is not a count", p, keys[i]);
		c[i] = (uint64_t)v;
	}
	stages = rplat_json_get(r->meta, "summary.stages");
	for (i = 0; i < RPLAT_NSTREAM_STAGES; i++) {
		const struct rplat_json *st = rplat_json_member(stages, rplat_stream_stage_names[i]);
		char name[64];

		snprintf(name, sizeof(name), "hist/%s.hist", rplat_stream_stage_names[i]);
		rc = load_hist(r->dir, name, &r->stream_stage[i], 1, err, errlen);
		if (rc < 0)
			return -1;
		if (rc == 1) {
			if (!rplat_json_i64(rplat_json_member(st, "count"), &v) && v > 0)
				return rplat_fail(err, errlen, "%s/%s: missing (an incomplete or partial run?)", r->dir,
						  name);
			rplat_hist_init(&r->stream_stage[i]);
			continue;
		}
		if (check_count(r, rplat_stream_stage_names[i], st, &r->stream_stage[i], err, errlen))
			return -1;
		r->has_stream_stage[i] = r->stream_stage[i].count > 0;
	}
	return 0;
}

/* Did the writer say it left samples.tsv out? options.samples (ping --no-samples) or "samples" (merge). */
static int samples_declared_off(const struct rplat_run *r)
{
	const struct rplat_json *a = rplat_json_get(r->meta, "options.samples"), *b = rplat_json_member(r->meta, "samples");

	return (a && a->type == RPLAT_JSON_BOOL && !a->num) || (b && b->type == RPLAT_JSON_BOOL && !b->num);
}

int rplat_run_ping_only(const struct rplat_run *r, char *err, size_t errlen)
{
	if (!strcmp(r->kind, "ping") || !strcmp(r->kind, "merged"))
		return 0;
	return rplat_fail(err, errlen,
			  "%s/run.json: a \"%s\" run; report, compare, budget and merge read ping runs (and merges of "
			  "them) only%s", r->dir, r->kind,
			  !strcmp(r->kind, "stream") ? " (rplat report reads stream runs too)" : "");
}

int rplat_run_load(const char *dir, struct rplat_run **out, char *err, size_t errlen)
{
	return rplat_run_load_flags(dir, 0, out, err, errlen);
}

int rplat_run_load_flags(const char *dir, unsigned flags, struct rplat_run **out, char *err, size_t errlen)
{
	static const char *const count_keys[] = { "sent", "received", "lost", "late", "duplicate", "out_of_order",
						  "corrupt", "error" };
	struct rplat_run *r;
	struct stat st;
	char p[PATH_MAX], jerr[512];
	const struct rplat_json *counts, *summary, *stages;
	const char *fmt;
	int64_t v;
	size_t n;
	int i, rc;

	*out = NULL;
	if (!dir || !*dir)
		return rplat_fail(err, errlen, "empty run directory name");
	if (stat(dir, &st))
		return rplat_fail(err, errlen, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return rplat_fail(err, errlen, "%s: not a directory (a run is a directory with run.json)", dir);
	r = calloc(1, sizeof(*r));
	if (!r)
		return rplat_fail(err, errlen, "out of memory");
	r->dir = strdup(dir);
	if (!r->dir)
		goto oom;
	n = strlen(r->dir);
	while (n > 1 && r->dir[n - 1] == '/')
		r->dir[--n] = 0;
	if (!path_exists(r->dir, "run.json")) {
		if (path_exists(r->dir, "run.json.tmp"))
			rplat_fail(err, errlen,
				   "%s: incomplete run: run.json.tmp exists but run.json does not (the writer was "
				   "interrupted)", r->dir);
		else
			rplat_fail(err, errlen, "%s: not a run directory (no run.json)", r->dir);
		goto fail;
	}
	snprintf(p, sizeof(p), "%s/run.json", r->dir);
	r->meta = rplat_json_load(p, jerr, sizeof(jerr));
	if (!r->meta) {
		rplat_fail(err, errlen, "%s", jerr);
		goto fail;
	}
	if (r->meta->type != RPLAT_JSON_OBJ) {
		rplat_fail(err, errlen, "%s: not a JSON object", p);
		goto fail;
	}
	fmt = rplat_json_str(rplat_json_member(r->meta, "format"));
	if (!fmt || strcmp(fmt, "rplat-run")) {
		rplat_fail(err, errlen, "%s: \"format\" is %s%s%s, not \"rplat-run\" (not an rplat run)", p,
			   fmt ? "\"" : "", fmt ? fmt : "missing", fmt ? "\"" : "");
		goto fail;
	}
	if (rplat_json_i64(rplat_json_member(r->meta, "format_version"), &v)) {
		rplat_fail(err, errlen, "%s: \"format_version\" missing or not an integer", p);
		goto fail;
	}
	if (v != RPLAT_RUN_FORMAT_VERSION) {
		rplat_fail(err, errlen, "%s: format_version %lld; this rplat reads version %d", p, (long long)v,
			   RPLAT_RUN_FORMAT_VERSION);
		goto fail;
	}
	r->format_version = (int)v;
	r->kind = rplat_json_str(rplat_json_member(r->meta, "kind"));
	if (!r->kind) {
		rplat_fail(err, errlen, "%s: \"kind\" missing or not a string", p);
		goto fail;
	}
	r->is_stream = !strcmp(r->kind, "stream");
	if (!(r->is_stream && (flags & RPLAT_RUN_LOAD_STREAM)) && rplat_run_ping_only(r, err, errlen))
		goto fail;
	r->label = rplat_json_str(rplat_json_member(r->meta, "label"));
	if (!r->label || !*r->label)
		r->label = strrchr(r->dir, '/') ? strrchr(r->dir, '/') + 1 : r->dir;
	if (r->is_stream) {
		rplat_hist_init(&r->rtt);
		if (load_stream(r, p, err, errlen))
			goto fail;
		goto optional;
	}
	counts = rplat_json_member(r->meta, "counts");
	if (!counts || counts->type != RPLAT_JSON_OBJ) {
		rplat_fail(err, errlen, "%s: \"counts\" missing or not an object", p);
		goto fail;
	}
	for (i = 0; i < 8; i++) {
		const struct rplat_json *c = rplat_json_member(counts, count_keys[i]);

		if (!c) {
			v = 0;
		} else if (rplat_json_i64(c, &v) || v < 0) {
			rplat_fail(err, errlen, "%s: counts.%s is not a count", p, count_keys[i]);
			goto fail;
		}
		((uint64_t *)&r->counts)[i] = (uint64_t)v;
	}
	if (rplat_json_member(counts, "warmup")) {
		if (rplat_json_i64(rplat_json_member(counts, "warmup"), &v) || v < 0) {
			rplat_fail(err, errlen, "%s: counts.warmup is not a count", p);
			goto fail;
		}
		r->has_warmup = 1;
		r->warmup = (uint64_t)v;
	}
	if (load_hist(r->dir, "hist/rtt.hist", &r->rtt, 0, err, errlen))
		goto fail;
	summary = rplat_json_member(r->meta, "summary");
	if (check_count(r, "rtt", rplat_json_member(summary, "rtt"), &r->rtt, err, errlen))
		goto fail;
	stages = rplat_json_member(summary, "stages");
	for (i = 0; i < RPLAT_NSTAGES; i++) {
		char name[64];

		snprintf(name, sizeof(name), "hist/%s.hist", rplat_stage_names[i]);
		rc = load_hist(r->dir, name, &r->stage[i], 1, err, errlen);
		if (rc < 0)
			goto fail;
		if (rc == 1) {
			rplat_hist_init(&r->stage[i]);
			continue;
		}
		if (check_count(r, rplat_stage_names[i], rplat_json_member(stages, rplat_stage_names[i]), &r->stage[i],
				err, errlen))
			goto fail;
		r->has_stage[i] = r->stage[i].count > 0;
	}
	if (load_sizes(r, err, errlen))
		goto fail;
	/* the sender's wakeup latency (ping -i > 0, rplat > 0.1.0): optional */
	rc = load_hist(r->dir, "hist/send_wakeup.hist", &r->send_wakeup, 1, err, errlen);
	if (rc < 0)
		goto fail;
	if (rc == 1)
		rplat_hist_init(&r->send_wakeup);
	else if (check_count(r, "send_wakeup", rplat_json_member(stages, "send_wakeup"), &r->send_wakeup, err, errlen))
		goto fail;
	r->has_send_wakeup = r->send_wakeup.count > 0;
optional:
	r->load = load_optional_json(r, "load/load.json", "rplat-load");
	r->analysis = load_optional_json(r, "trace/analysis.json", NULL);
	r->syscheck = load_optional_json(r, "system-check.json", NULL);
	r->has_samples = path_exists(r->dir, "samples.tsv");
	if (r->has_samples) {
		if (rplat_run_verify(r, err, errlen))
			goto fail;
	} else if (samples_declared_off(r)) {
		rplat_fail(r->unverified, sizeof(r->unverified),
			   "the run was written without samples.tsv (--no-samples): its histograms could not be checked "
			   "against the messages");
	} else {
		rplat_fail(r->unverified, sizeof(r->unverified),
			   "%s/samples.tsv is missing (an incomplete copy of the run?): its histograms and counts could "
			   "not be checked against the messages", r->dir);
	}
	*out = r;
	return 0;
oom:
	rplat_fail(err, errlen, "out of memory");
fail:
	rplat_run_free(r);
	return -1;
}

void rplat_run_free(struct rplat_run *r)
{
	if (!r)
		return;
	rplat_json_free(r->meta);
	rplat_json_free(r->load);
	rplat_json_free(r->analysis);
	rplat_json_free(r->syscheck);
	free(r->sizes);
	free(r->dir);
	free(r);
}
