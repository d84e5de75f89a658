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
							       "error" };

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
		if (rc == 1)
			continue;
		if (check_count(r, rplat_stage_names[i], rplat_json_member(stages, rplat_stage_names[i]), &r->stage[i],
				err, errlen))
			goto fail;
		r->has_stage[i] = r->stage[i].count > 0;
	}
	if (load_sizes(r, err, errlen))
		goto fail;
optional:
	r->has_samples = path_exists(r->dir, "samples.tsv");
	r->load = load_optional_json(r, "load/load.json", "rplat-load");
	r->analysis = load_optional_json(r, "trace/analysis.json", NULL);
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
	free(r->sizes);
	free(r->dir);
	free(r);
}

/* ---- samples.tsv ---- */

#define SBUF (1 << 20)
#define MAXCOLS 32

enum col { C_SEQ, C_SIZE, C_TSEND, C_RTT, C_H2R, C_DISPATCH, C_PROC, C_R2H, C_STATUS, C_RUN, C_TRECV,
	   C_ONEWAY, C_IRQ, C_ISR2SEND, C_INTERARR, C_NCOLS, C_SKIP };
static const char *const col_names[C_NCOLS] = { "seq", "size", "t_send", "rtt", "h2r", "dispatch",
						"proc", "r2h", "status", "run", "t_recv", "one_way",
						"irq_latency", "isr_to_send", "interarrival" };

struct rplat_samples {
	int fd;
	char path[PATH_MAX];
	char *buf;
	size_t len, pos;
	int eof;
	uint64_t line;
	uint64_t done, total;
	int ncols;
	int stream;                      /* a stream run's samples */
	enum col map[MAXCOLS];
};

void rplat_samples_close(struct rplat_samples *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s->buf);
	free(s);
}

/* Make sure a whole line is in the buffer from pos. Returns a pointer to its '\n' (or the end of the file,
 * where a final newline may be missing), or NULL at the end. */
static char *next_line(struct rplat_samples *s, int *truncated)
{
	char *nl;

	*truncated = 0;
	for (;;) {
		nl = memchr(s->buf + s->pos, '\n', s->len - s->pos);
		if (nl)
			return nl;
		if (s->eof) {
			if (s->pos == s->len)
				return NULL;
			*truncated = 1;
			s->buf[s->len] = '\n';
			return s->buf + s->len;
		}
		if (s->pos) {
			memmove(s->buf, s->buf + s->pos, s->len - s->pos);
			s->len -= s->pos;
			s->pos = 0;
		}
		if (s->len >= SBUF - 1) {
			return NULL; /* a line longer than the buffer: reported by the caller */
		}
		{
			ssize_t n = read(s->fd, s->buf + s->len, SBUF - 1 - s->len);

			if (n < 0) {
				if (errno == EINTR)
					continue;
				return NULL;
			}
			if (n == 0)
				s->eof = 1;
			s->len += (size_t)n;
			s->done += (uint64_t)n;
		}
	}
}

int rplat_samples_open(const struct rplat_run *r, struct rplat_samples **out, char *err, size_t errlen)
{
	struct rplat_samples *s;
	struct stat st;
	char *nl, *p;
	int tr, i, have[C_NCOLS] = { 0 };

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return rplat_fail(err, errlen, "out of memory");
	s->fd = -1;
	s->stream = r->is_stream;
	snprintf(s->path, sizeof(s->path), "%s/samples.tsv", r->dir);
	s->buf = malloc(SBUF + 1);
	if (!s->buf) {
		rplat_samples_close(s);
		return rplat_fail(err, errlen, "out of memory");
	}
	s->fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0) {
		rplat_fail(err, errlen, "%s: %s", s->path, strerror(errno));
		rplat_samples_close(s);
		return -1;
	}
	if (!fstat(s->fd, &st))
		s->total = (uint64_t)st.st_size;
	posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	nl = next_line(s, &tr);
	if (!nl) {
		rplat_fail(err, errlen, "%s: empty (no header line)", s->path);
		rplat_samples_close(s);
		return -1;
	}
	*nl = 0;
	s->line = 1;
	p = s->buf + s->pos;
	for (;;) {
		char *e = strchr(p, '\t');
		enum col c = C_SKIP;

		if (e)
			*e = 0;
		if (s->ncols == MAXCOLS) {
			rplat_fail(err, errlen, "%s: line 1: more than %d columns", s->path, MAXCOLS);
			rplat_samples_close(s);
			return -1;
		}
		for (i = 0; i < C_NCOLS; i++)
			if (!strcmp(p, col_names[i]))
				c = (enum col)i;
		if (c != C_SKIP) {
			if (have[c]) {
				rplat_fail(err, errlen, "%s: line 1: column '%s' appears twice", s->path, p);
				rplat_samples_close(s);
				return -1;
			}
			have[c] = 1;
		}
		s->map[s->ncols++] = c;
		if (!e)
			break;
		p = e + 1;
	}
	{
		static const enum col req[] = { C_SEQ, C_SIZE, C_TSEND, C_RTT, C_STATUS };
		static const enum col sreq[] = { C_SEQ, C_TRECV, C_ONEWAY, C_STATUS };
		const enum col *rq = s->stream ? sreq : req;
		int nrq = s->stream ? 4 : 5;

		for (i = 0; i < nrq; i++)
			if (!have[rq[i]]) {
				rplat_fail(err, errlen, "%s: line 1: no '%s' column (not an rplat %ssamples file?)", s->path,
					   col_names[rq[i]], s->stream ? "stream " : "");
				rplat_samples_close(s);
				return -1;
			}
	}
	s->pos = (size_t)(nl - s->buf) + 1;
	*out = s;
	return 0;
}

/* Parse a signed integer or "nan" in [p, e). Returns 0 or -1. */
static int parse_field(const char *p, const char *e, int64_t *v)
{
	int neg = 0;
	uint64_t x = 0;

	if (e - p == 3 && p[0] == 'n' && p[1] == 'a' && p[2] == 'n') {
		*v = RPLAT_NA;
		return 0;
	}
	if (p < e && *p == '-') {
		neg = 1;
		p++;
	}
	if (p == e || e - p > 19)
		return -1;
	for (; p < e; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (d > 9)
			return -1;
		x = x * 10 + d;
	}
	if (x > (uint64_t)INT64_MAX)
		return -1;
	*v = neg ? -(int64_t)x : (int64_t)x;
	return 0;
}

int rplat_samples_next(struct rplat_samples *s, struct rplat_sample *out, char *err, size_t errlen)
{
	char *nl, *p;
	int tr, i, col = 0;

	nl = next_line(s, &tr);
	if (!nl) {
		if (!s->eof && s->len >= SBUF - 1)
			return rplat_fail(err, errlen, "%s: line %llu: longer than 1 MiB", s->path,
					  (unsigned long long)s->line + 1);
		if (!s->eof)
			return rplat_fail(err, errlen, "%s: read error: %s", s->path, strerror(errno));
		return 0;
	}
	s->line++;
	p = s->buf + s->pos;
	s->pos = (size_t)(nl - s->buf) + 1;
	if (tr)
		return rplat_fail(err, errlen, "%s: line %llu: truncated (no final newline; the run was cut short?)",
				  s->path, (unsigned long long)s->line);
	out->seq = 0;
	out->size = 0;
	out->t_send = RPLAT_NA;
	out->rtt = RPLAT_NA;
	for (i = 0; i < RPLAT_NSTAGES; i++)
		out->stage[i] = RPLAT_NA;
	out->status = RPLAT_RS_OK;
	out->run = 0;
	out->t_recv = RPLAT_NA;
	for (i = 0; i < RPLAT_NSTREAM_STAGES; i++)
		out->sstage[i] = RPLAT_NA;
	out->line = s->line;
	while (p <= nl) {
		char *e = p;
		enum col c;
		int64_t v;

		while (e < nl && *e != '\t')
			e++;
		if (col >= s->ncols)
			return rplat_fail(err, errlen, "%s: line %llu: more fields than the %d header columns", s->path,
					  (unsigned long long)s->line, s->ncols);
		c = s->map[col];
		if (c == C_STATUS) {
			size_t n = (size_t)(e - p);

			for (i = 0; i < RPLAT_RS_NSTATUS; i++)
				if (strlen(rplat_run_status_names[i]) == n && !memcmp(p, rplat_run_status_names[i], n))
					break;
			if (i == RPLAT_RS_NSTATUS)
				return rplat_fail(err, errlen, "%s: line %llu: unknown status '%.*s'", s->path,
						  (unsigned long long)s->line, (int)(n > 32 ? 32 : n), p);
			out->status = (enum rplat_run_status)i;
		} else if (c != C_SKIP) {
			if (parse_field(p, e, &v)) {
				return rplat_fail(err, errlen, "%s: line %llu: column '%s': '%.*s' is not an integer or nan",
						  s->path, (unsigned long long)s->line,
						  col_names[c], (int)(e - p > 32 ? 32 : e - p), p);
			}
			switch (c) {
			case C_SEQ:
			case C_SIZE:
			case C_RUN:
				if (v < 0)
					return rplat_fail(err, errlen, "%s: line %llu: column '%s' must be a non-negative integer",
							  s->path, (unsigned long long)s->line, col_names[c]);
				if (c == C_SEQ)
					out->seq = (uint64_t)v;
				else if (c == C_SIZE)
					out->size = v > 65535 ? 65535 : (unsigned)v;
				else
					out->run = v > INT32_MAX ? INT32_MAX : (int)v;
				break;
			case C_TSEND:
				out->t_send = v;
				break;
			case C_RTT:
				out->rtt = v;
				break;
			case C_TRECV:
				out->t_recv = v;
				break;
			case C_ONEWAY:
			case C_IRQ:
			case C_ISR2SEND:
			case C_INTERARR:
				out->sstage[c - C_ONEWAY] = v;
				break;
			default:
				out->stage[c - C_H2R] = v;
				break;
			}
		}
		col++;
		p = e + 1;
	}
	if (col != s->ncols)
		return rplat_fail(err, errlen, "%s: line %llu: %d fields, the header has %d (a truncated line?)", s->path,
				  (unsigned long long)s->line, col, s->ncols);
	return 1;
}

void rplat_samples_progress(const struct rplat_samples *s, uint64_t *done, uint64_t *total)
{
	*done = s->done - (s->len - s->pos);
	*total = s->total;
}
