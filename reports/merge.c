/* rplat merge: combine runs exactly into a new run (kind "merged"). See rplat/run.h for the rules.
 *
 * What is refused, and why:
 * - another format version, or runs of different kinds (ping vs stream: different quantities);
 * - unless --force: different link types (sim vs rpmsg), firmware targets or protocol versions (the stamps
 *   mean other things), PREEMPT_RT mixed with non-RT kernels (a merge would hide the very difference a
 *   comparison is for).
 * Different payload sizes, intervals, loads and kernel versions of the same kind are merged; the sources
 * list keeps each run's own metadata. */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rp.h"
#include "rplat/runfile.h"
#include "rplat/util.h"

/* The kind of measurement behind a run: a merged run keeps its sources' kind in "source_kind". */
static const char *base_kind(const struct rplat_run *r)
{
	const char *k = rplat_run_str(r, "source_kind");

	return !strcmp(r->kind, "merged") && k ? k : r->kind;
}

static int str_differs(const struct rplat_run *a, const struct rplat_run *b, const char *path, const char **va,
		       const char **vb)
{
	char b1[64], b2[64];
	const char *x = rp_meta_s(a, path, b1, sizeof(b1)), *y = rp_meta_s(b, path, b2, sizeof(b2));

	*va = rplat_run_str(a, path);
	*vb = rplat_run_str(b, path);
	return strcmp(x, y) != 0;
}

int rplat_run_compatible(const struct rplat_run *a, const struct rplat_run *b, int force, char *err, size_t errlen)
{
	static const struct {
		const char *path, *what;
	} soft[] = {
		{ "link.type", "link type" },
		{ "firmware.target", "firmware target" },
		{ "firmware.proto_version", "probe protocol version" },
		{ "system.realtime", "PREEMPT_RT (realtime) flag" },
	};
	const char *va, *vb;
	size_t i;

	if (a->format_version != b->format_version)
		return rplat_fail(err, errlen, "%s has run format %d, %s format %d", a->dir, a->format_version, b->dir,
				  b->format_version);
	if (strcmp(base_kind(a), base_kind(b)))
		return rplat_fail(err, errlen, "%s is a '%s' run, %s a '%s' run: their latencies measure different things",
				  a->dir, base_kind(a), b->dir, base_kind(b));
	if (force)
		return 0;
	for (i = 0; i < sizeof(soft) / sizeof(soft[0]); i++)
		if (str_differs(a, b, soft[i].path, &va, &vb)) {
			char b1[64], b2[64];

			return rplat_fail(err, errlen,
					  "%s and %s differ in %s (%s vs %s): merging them would mix different measurements "
					  "(--force merges anyway)",
					  a->dir, b->dir, soft[i].what, rp_meta_s(a, soft[i].path, b1, sizeof(b1)),
					  rp_meta_s(b, soft[i].path, b2, sizeof(b2)));
		}
	return 0;
}

/* ---- writing ---- */

static void jcopy(struct rplat_jw *w, const char *key, const struct rplat_json *j)
{
	size_t i;

	switch (j->type) {
	case RPLAT_JSON_NULL:
		rplat_jw_null(w, key);
		break;
	case RPLAT_JSON_BOOL:
		rplat_jw_bool(w, key, j->num != 0);
		break;
	case RPLAT_JSON_NUM:
		if (j->is_int)
			rplat_jw_int(w, key, j->inum);
		else
			rplat_jw_double(w, key, j->num);
		break;
	case RPLAT_JSON_STR:
		rplat_jw_str(w, key, j->str);
		break;
	case RPLAT_JSON_ARR:
		rplat_jw_arr_begin(w, key);
		for (i = 0; i < j->n; i++)
			jcopy(w, NULL, &j->child[i]);
		rplat_jw_arr_end(w);
		break;
	case RPLAT_JSON_OBJ:
		rplat_jw_obj_begin(w, key);
		for (i = 0; i < j->n; i++)
			jcopy(w, j->child[i].key, &j->child[i]);
		rplat_jw_obj_end(w);
		break;
	}
}

static void jcopy_member(struct rplat_jw *w, const struct rplat_run *r, const char *key)
{
	const struct rplat_json *j = rplat_json_member(r->meta, key);

	if (j)
		jcopy(w, key, j);
}

static int write_hist(const char *dir, const char *name, const struct rplat_hist *h, char *err, size_t errlen)
{
	char file[300];
	struct rplat_runfile rf;

	rp_fmt(file, sizeof(file), "hist/%s.hist", name);
	if (rplat_runfile_open(&rf, dir, file))
		return rplat_fail(err, errlen, "%s/%s: %s", dir, file, strerror(errno));
	if (rplat_hist_write(h, name, rf.f)) {
		rplat_runfile_abort(&rf);
		return rplat_fail(err, errlen, "%s/%s: write failed", dir, file);
	}
	if (rplat_runfile_commit(&rf))
		return rplat_fail(err, errlen, "%s/%s: %s", dir, file, strerror(errno));
	return 0;
}

/* The header line of a run's samples.tsv, without the newline; "" if unreadable. */
static void samples_header(const struct rplat_run *r, char *buf, size_t n)
{
	char p[PATH_MAX];
	FILE *f;

	buf[0] = 0;
	rp_fmt(p, sizeof(p), "%s/samples.tsv", r->dir);
	f = fopen(p, "r");
	if (!f)
		return;
	if (!fgets(buf, (int)n, f))
		buf[0] = 0;
	buf[strcspn(buf, "\r\n")] = 0;
	fclose(f);
}

/* Concatenate samples.tsv of every run, with a "run" column: verbatim lines when every header is the same,
 * otherwise the common columns rewritten. */
static int write_samples(struct rplat_run *const *runs, int n, const int *run_base, const char *dir, char *err,
			 size_t errlen)
{
	char h0[1024], h[1024];
	struct rplat_runfile rf;
	int i, verbatim = 1;

	samples_header(runs[0], h0, sizeof(h0));
	for (i = 0; i < n; i++) {
		samples_header(runs[i], h, sizeof(h));
		if (strcmp(h, h0) || strstr(h, "\trun\t") || (strlen(h) >= 4 && !strcmp(h + strlen(h) - 4, "\trun")))
			verbatim = 0;
	}
	if (rplat_runfile_open(&rf, dir, "samples.tsv"))
		return rplat_fail(err, errlen, "%s/samples.tsv: %s", dir, strerror(errno));
	if (verbatim) {
		/* every line as the reader checked it (a legacy lost-then-late pair becomes its one late line) */
		fprintf(rf.f, "%s\trun\n", h0);
		for (i = 0; i < n; i++) {
			struct rplat_samples *s;
			struct rplat_sample sm;
			const char *raw;
			size_t len;
			int rc;

			if (rplat_samples_open(runs[i], &s, err, errlen)) {
				rplat_runfile_abort(&rf);
				return -1;
			}
			while ((rc = rplat_samples_next(s, &sm, err, errlen)) == 1) {
				raw = rplat_samples_raw(s, &len);
				fwrite(raw, 1, len, rf.f);
				fprintf(rf.f, "\t%d\n", run_base[i]);
			}
			rplat_samples_close(s);
			if (rc < 0) {
				rplat_runfile_abort(&rf);
				return -1;
			}
		}
	} else {
		fputs("seq\tsize\tt_send\trtt\th2r\tdispatch\tproc\tr2h\tstatus\trun\n", rf.f);
		for (i = 0; i < n; i++) {
			struct rplat_samples *s;
			struct rplat_sample sm;
			int rc, k;

			if (rplat_samples_open(runs[i], &s, err, errlen)) {
				rplat_runfile_abort(&rf);
				return -1;
			}
			while ((rc = rplat_samples_next(s, &sm, err, errlen)) == 1) {
				fprintf(rf.f, "%llu\t%u\t%lld", (unsigned long long)sm.seq, sm.size, (long long)sm.t_send);
				if (sm.rtt == RPLAT_NA)
					fputs("\tnan", rf.f);
				else
					fprintf(rf.f, "\t%lld", (long long)sm.rtt);
				for (k = 0; k < RPLAT_NSTAGES; k++)
					if (sm.stage[k] == RPLAT_NA)
						fputs("\tnan", rf.f);
					else
						fprintf(rf.f, "\t%lld", (long long)sm.stage[k]);
				fprintf(rf.f, "\t%s\t%d\n", rplat_run_status_names[sm.status], run_base[i] + sm.run);
			}
			rplat_samples_close(s);
			if (rc < 0) {
				rplat_runfile_abort(&rf);
				return -1;
			}
		}
	}
	if (rplat_runfile_commit(&rf))
		return rplat_fail(err, errlen, "%s/samples.tsv: %s", dir, strerror(errno));
	return 0;
}

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

struct szacc {
	unsigned size;
	struct rplat_hist h;
};

/* ---------------------------------------------------------------- one measurement, merged once */

/* A measurement's identity: host, start and end time, command. A merged run holds its sources'. */
struct ident {
	const char *host, *start, *end, *cmd;
	double rtt_count, sent, rtt_sum; /* rtt_sum < 0: not recorded (sources of rplat <= 0.1.0 merges) */
	int run;                /* which of the runs given holds it */
};

static int ident_add(struct ident **v, int *n, int *cap, const char *host, const char *start, const char *end,
		     const char *cmd, double rtt_count, double sent, double rtt_sum, int run)
{
	if (!start) /* no identity to compare (hand-made runs) */
		return 0;
	if (*n == *cap) {
		struct ident *nv = realloc(*v, (size_t)(*cap ? *cap * 2 : 16) * sizeof(**v));

		if (!nv)
			return -1;
		*v = nv;
		*cap = *cap ? *cap * 2 : 16;
	}
	(*v)[(*n)++] = (struct ident){ host, start, end, cmd, rtt_count, sent, rtt_sum, run };
	return 0;
}

static int ident_sources(struct ident **v, int *n, int *cap, const struct rplat_json *src, int run)
{
	size_t i;

	for (i = 0; src && src->type == RPLAT_JSON_ARR && i < src->n; i++) {
		const struct rplat_json *e = &src->child[i], *sub = rplat_json_member(e, "sources");

		if (sub) {
			if (ident_sources(v, n, cap, sub, run))
				return -1;
		} else {
			double c = -1, k = -1, sum = -1;

			rplat_json_num(rplat_json_member(e, "rtt_count"), &c);
			rplat_json_num(rplat_json_member(e, "sent"), &k);
			rplat_json_num(rplat_json_member(e, "rtt_sum"), &sum);
			if (ident_add(v, n, cap, rplat_json_str(rplat_json_member(e, "host")),
				      rplat_json_str(rplat_json_member(e, "start_time")),
				      rplat_json_str(rplat_json_member(e, "end_time")),
				      rplat_json_str(rplat_json_member(e, "command")), c, k, sum, run))
				return -1;
		}
	}
	return 0;
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Refuse to merge a measurement twice: the same directory given twice, a copy of a run, or a run that a
 * merged run given already holds. */
static int check_distinct(struct rplat_run *const *runs, int n, char *err, size_t errlen)
{
	struct ident *v = NULL;
	int nv = 0, cap = 0, i, j, rc = 0;

	for (i = 0; i < n; i++) {
		char *a = realpath(runs[i]->dir, NULL);

		for (j = 0; a && j < i; j++) {
			char *b = realpath(runs[j]->dir, NULL);
			int eq = b && !strcmp(a, b);

			free(b);
			if (eq) {
				free(a);
				return rplat_fail(err, errlen, "%s is given twice (as run %d and %d): merging it would count "
						  "each of its messages twice", runs[i]->dir, j + 1, i + 1);
			}
		}
		free(a);
	}
	for (i = 0; i < n && !rc; i++) {
		const struct rplat_run *r = runs[i];

		if (rplat_json_member(r->meta, "sources"))
			rc = ident_sources(&v, &nv, &cap, rplat_json_member(r->meta, "sources"), i);
		else
			rc = ident_add(&v, &nv, &cap, rplat_run_str(r, "system.nodename"), rplat_run_str(r, "start_time"),
				       rplat_run_str(r, "end_time"), rplat_run_str(r, "command"), (double)r->rtt.count,
				       (double)r->counts.sent, (double)r->rtt.sum, i);
	}
	if (rc) {
		free(v);
		return rplat_fail(err, errlen, "out of memory");
	}
	for (i = 0; i < nv && !rc; i++)
		for (j = 0; j < i && !rc; j++)
			if (same(v[i].host, v[j].host) && same(v[i].start, v[j].start) && same(v[i].end, v[j].end) &&
			    same(v[i].cmd, v[j].cmd) && v[i].sent == v[j].sent && v[i].rtt_count == v[j].rtt_count &&
			    (v[i].rtt_sum < 0 || v[j].rtt_sum < 0 || v[i].rtt_sum == v[j].rtt_sum))
				rc = rplat_fail(err, errlen,
						"%s and %s hold the same measurement (host %s, %s to %s): merging it would "
						"count each of its messages twice",
						runs[v[j].run]->dir, runs[v[i].run]->dir, v[i].host ? v[i].host : "-",
						v[i].start, v[i].end ? v[i].end : "-");
	free(v);
	return rc;
}

int rplat_run_merge(struct rplat_run *const *runs, int n, const char *out_dir, int force, const char *command,
		    char *err, size_t errlen)
{
	static const char *const count_keys[] = { "sent", "received", "lost", "late", "duplicate", "out_of_order",
						  "corrupt", "error" };
	struct rplat_hist *rtt = NULL, *stage = NULL;
	struct szacc *sz = NULL;
	int nsz = 0, i, k, rc = -1, all_samples = 1, all_wake = 1, clock_valid = 1, any_clock = 0, *run_base = NULL,
	    max_run = 0;
	double err_bound = -1, stage_eb[RPLAT_NSTAGES], dur = 0, retcode = 0;
	struct rplat_run_counts cnt = { 0 };
	char tmp[PATH_MAX], label[512];
	const char *t0 = NULL, *t1 = NULL;
	struct rplat_runfile rf;
	struct rplat_jw jw;
	struct stat st;

	if (n < 1)
		return rplat_fail(err, errlen, "nothing to merge");
	for (i = 1; i < n; i++)
		if (rplat_run_compatible(runs[0], runs[i], force, err, errlen))
			return -1;
	for (i = 0; i < n; i++) /* runs of one kind, but a kind merge does not read (streams) */
		if (rplat_run_ping_only(runs[i], err, errlen))
			return -1;
	if (check_distinct(runs, n, err, errlen))
		return -1;
	if (stat(out_dir, &st) == 0)
		return rplat_fail(err, errlen, "%s exists: merge writes a new run directory", out_dir);
	rtt = calloc(1, sizeof(*rtt));
	stage = calloc(RPLAT_NSTAGES + 1, sizeof(*stage)); /* + the sender's wakeup latency */
	sz = calloc((size_t)n * 65 + 1, sizeof(*sz));
	run_base = calloc((size_t)n, sizeof(*run_base));
	if (!rtt || !stage || !sz || !run_base) {
		rplat_fail(err, errlen, "out of memory");
		goto out_free;
	}
	rplat_hist_init(rtt);
	for (k = 0; k < RPLAT_NSTAGES; k++) {
		rplat_hist_init(&stage[k]);
		stage_eb[k] = -1;
	}
	rplat_hist_init(&stage[RPLAT_NSTAGES]);
	for (i = 0; i < n; i++) {
		const struct rplat_run *r = runs[i];
		const struct rplat_json *v;
		char key[96];

		run_base[i] = i == 0 ? 0 : run_base[i - 1] + (int)rplat_run_num(runs[i - 1], "source_runs", 1);
		rplat_hist_merge(rtt, &r->rtt);
		rplat_hist_merge(&stage[RPLAT_NSTAGES], &r->send_wakeup);
		all_wake &= r->has_send_wakeup;
		if (r->rtt.count && r->rtt.max >= rtt->max)
			max_run = i;
		for (k = 0; k < RPLAT_NSTAGES; k++) {
			double eb;

			if (r->has_stage[k] || r->stage[k].count)
				rplat_hist_merge(&stage[k], &r->stage[k]);
			rp_fmt(key, sizeof(key), "summary.stages.%s.err_bound_ns", rplat_stage_names[k]);
			eb = rplat_run_num(r, key, -1);
			if (eb > stage_eb[k])
				stage_eb[k] = eb;
		}
		for (k = 0; k < r->nsizes; k++) {
			int j;

			for (j = 0; j < nsz && sz[j].size != r->sizes[k].size; j++)
				;
			if (j == nsz) {
				sz[nsz].size = r->sizes[k].size;
				rplat_hist_init(&sz[nsz].h);
				nsz++;
			}
			rplat_hist_merge(&sz[j].h, &r->sizes[k].hist);
		}
		for (k = 0; k < 8; k++)
			((uint64_t *)&cnt)[k] += ((const uint64_t *)&r->counts)[k];
		all_samples &= r->has_samples;
		v = rplat_json_get(r->meta, "clock.valid");
		if (v) {
			any_clock = 1;
			if (v->type != RPLAT_JSON_BOOL || !v->num)
				clock_valid = 0;
		}
		if (rplat_run_num(r, "clock.err_bound_ns", -1) > err_bound)
			err_bound = rplat_run_num(r, "clock.err_bound_ns", -1);
		dur += rplat_run_num(r, "duration_s", 0);
		if (rplat_run_num(r, "return_code", 0) > retcode)
			retcode = rplat_run_num(r, "return_code", 0);
		if (rplat_run_str(r, "start_time") && (!t0 || strcmp(rplat_run_str(r, "start_time"), t0) < 0))
			t0 = rplat_run_str(r, "start_time");
		if (rplat_run_str(r, "end_time") && (!t1 || strcmp(rplat_run_str(r, "end_time"), t1) > 0))
			t1 = rplat_run_str(r, "end_time");
	}
	/* a run with one payload size and no per-size files: its rtt is that size's */
	for (i = 0; i < n; i++) {
		const struct rplat_json *s = rplat_json_get(runs[i]->meta, "options.sizes");
		int64_t v;
		int j;

		if (runs[i]->nsizes || !s || s->type != RPLAT_JSON_ARR || s->n != 1 || rplat_json_i64(&s->child[0], &v))
			continue;
		for (j = 0; j < nsz && sz[j].size != (unsigned)v; j++)
			;
		if (j == nsz) {
			sz[nsz].size = (unsigned)v;
			rplat_hist_init(&sz[nsz].h);
			nsz++;
		}
		rplat_hist_merge(&sz[j].h, &runs[i]->rtt);
	}
	rp_fmt(tmp, sizeof(tmp), "%s.tmp-XXXXXX", out_dir);
	if (!mkdtemp(tmp)) {
		rplat_fail(err, errlen, "%s: cannot create a temporary directory: %s", tmp, strerror(errno));
		goto out_free;
	}
	chmod(tmp, 0755);
	{
		char hd[PATH_MAX + 8];

		rp_fmt(hd, sizeof(hd), "%s/hist", tmp);
		if (mkdir(hd, 0755)) {
			rplat_fail(err, errlen, "%s: %s", hd, strerror(errno));
			goto out_rm;
		}
	}
	if (write_hist(tmp, "rtt", rtt, err, errlen))
		goto out_rm;
	for (k = 0; k < RPLAT_NSTAGES; k++)
		if (stage[k].count && write_hist(tmp, rplat_stage_names[k], &stage[k], err, errlen))
			goto out_rm;
	/* the sender's wakeup latency, when every source has it (else a merged figure would leave runs out) */
	if (all_wake && stage[RPLAT_NSTAGES].count &&
	    write_hist(tmp, "send_wakeup", &stage[RPLAT_NSTAGES], err, errlen))
		goto out_rm;
	for (i = 0; i < nsz; i++) {
		char name[32];

		rp_fmt(name, sizeof(name), "rtt@%u", sz[i].size);
		if (nsz > 1 && write_hist(tmp, name, &sz[i].h, err, errlen))
			goto out_rm;
	}
	if (all_samples && write_samples(runs, n, run_base, tmp, err, errlen))
		goto out_rm;
	/* run.json */
	if (rplat_runfile_open(&rf, tmp, "run.json")) {
		rplat_fail(err, errlen, "%s/run.json: %s", tmp, strerror(errno));
		goto out_rm;
	}
	rp_fmt(label, sizeof(label), "merged %d runs: %s", n, runs[0]->label);
	rplat_jw_init(&jw, rf.f);
	rplat_jw_obj_begin(&jw, NULL);
	rplat_jw_str(&jw, "format", "rplat-run");
	rplat_jw_int(&jw, "format_version", RPLAT_RUN_FORMAT_VERSION);
	rplat_jw_str(&jw, "tool", "rplat " RPLAT_VERSION);
	rplat_jw_str(&jw, "kind", "merged");
	rplat_jw_str(&jw, "source_kind", base_kind(runs[0]));
	{
		int total = 0;

		for (i = 0; i < n; i++)
			total += (int)rplat_run_num(runs[i], "source_runs", 1);
		rplat_jw_int(&jw, "source_runs", total);
	}
	rplat_jw_str(&jw, "label", label);
	rplat_jw_str(&jw, "command", command ? command : "rplat merge");
	rplat_jw_str(&jw, "start_time", t0);
	rplat_jw_str(&jw, "end_time", t1);
	rplat_jw_double(&jw, "duration_s", dur);
	jcopy_member(&jw, runs[0], "system");
	jcopy_member(&jw, runs[0], "link");
	jcopy_member(&jw, runs[0], "firmware");
	jcopy_member(&jw, runs[0], "rsc");
	rplat_jw_obj_begin(&jw, "options");
	{
		const struct rplat_json *o = rplat_json_member(runs[0]->meta, "options");
		size_t j;

		for (j = 0; o && o->type == RPLAT_JSON_OBJ && j < o->n; j++)
			if (strcmp(o->child[j].key, "sizes"))
				jcopy(&jw, o->child[j].key, &o->child[j]);
		rplat_jw_arr_begin(&jw, "sizes");
		{ /* ascending */
			unsigned last = 0;
			int emitted = 0;

			while (emitted < nsz) {
				unsigned best = UINT32_MAX;

				for (i = 0; i < nsz; i++)
					if ((emitted == 0 || sz[i].size > last) && sz[i].size < best)
						best = sz[i].size;
				rplat_jw_uint(&jw, NULL, best);
				last = best;
				emitted++;
			}
		}
		if (!nsz) {
			const struct rplat_json *s = rplat_json_get(runs[0]->meta, "options.sizes");

			for (j = 0; s && s->type == RPLAT_JSON_ARR && j < s->n; j++)
				jcopy(&jw, NULL, &s->child[j]);
		}
		rplat_jw_arr_end(&jw);
		rplat_jw_str(&jw, "note", "from the first source, except sizes (all sources)");
	}
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "load");
	{
		const char *p0 = rplat_run_str(runs[0], "load.profile");
		int same = 1;

		for (i = 1; i < n; i++) {
			const char *p = rplat_run_str(runs[i], "load.profile");

			if (!p0 || !p || strcmp(p, p0))
				same = 0;
		}
		rplat_jw_str(&jw, "profile", same && p0 ? p0 : "mixed sources");
	}
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "clock");
	rplat_jw_str(&jw, "method", "per source run (see sources); valid only if every source's is");
	rplat_jw_bool(&jw, "valid", any_clock && clock_valid);
	if (err_bound >= 0)
		rplat_jw_double(&jw, "err_bound_ns", err_bound);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "counts");
	for (k = 0; k < 8; k++)
		rplat_jw_uint(&jw, count_keys[k], ((const uint64_t *)&cnt)[k]);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "summary");
	rplat_stats_json(&jw, "rtt", rtt, -1);
	if (rplat_json_get(runs[max_run]->meta, "summary.max_seq"))
		jcopy(&jw, "max_seq", rplat_json_get(runs[max_run]->meta, "summary.max_seq"));
	if (rplat_json_get(runs[max_run]->meta, "summary.max_time_s"))
		jcopy(&jw, "max_time_s", rplat_json_get(runs[max_run]->meta, "summary.max_time_s"));
	rplat_jw_int(&jw, "max_run", run_base[max_run]);
	rplat_jw_obj_begin(&jw, "stages");
	for (k = 0; k < RPLAT_NSTAGES; k++)
		if (stage[k].count)
			rplat_stats_json(&jw, rplat_stage_names[k], &stage[k], stage_eb[k]);
	if (all_wake && stage[RPLAT_NSTAGES].count)
		rplat_stats_json(&jw, "send_wakeup", &stage[RPLAT_NSTAGES], -1);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "per_size");
	for (i = 0; i < nsz; i++) {
		char key[16];

		rp_fmt(key, sizeof(key), "%u", sz[i].size);
		rplat_stats_json(&jw, key, &sz[i].h, -1);
	}
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_end(&jw);
	rplat_jw_arr_begin(&jw, "sources");
	for (i = 0; i < n; i++) {
		const struct rplat_run *r = runs[i];

		rplat_jw_obj_begin(&jw, NULL);
		rplat_jw_int(&jw, "run", run_base[i]);
		rplat_jw_str(&jw, "dir", r->dir);
		rplat_jw_str(&jw, "label", r->label);
		rplat_jw_str(&jw, "kind", r->kind);
		rplat_jw_str(&jw, "start_time", rplat_run_str(r, "start_time"));
		rplat_jw_str(&jw, "end_time", rplat_run_str(r, "end_time"));
		rplat_jw_str(&jw, "kernel", rplat_run_str(r, "system.release"));
		rplat_jw_str(&jw, "preempt", rplat_run_str(r, "system.preempt"));
		rplat_jw_str(&jw, "host", rplat_run_str(r, "system.nodename"));
		rplat_jw_str(&jw, "link", rplat_run_str(r, "link.spec"));
		rplat_jw_str(&jw, "load", rplat_run_str(r, "load.profile"));
		rplat_jw_str(&jw, "command", rplat_run_str(r, "command"));
		rplat_jw_uint(&jw, "rtt_count", r->rtt.count);
		rplat_jw_uint(&jw, "rtt_sum", r->rtt.sum);
		rplat_jw_uint(&jw, "sent", r->counts.sent);
		rplat_jw_uint(&jw, "lost", r->counts.lost);
		if (rplat_json_member(r->meta, "sources"))
			jcopy(&jw, "sources", rplat_json_member(r->meta, "sources"));
		rplat_jw_obj_end(&jw);
	}
	rplat_jw_arr_end(&jw);
	rplat_jw_bool(&jw, "samples", all_samples);
	rplat_jw_str(&jw, "ended_by", "merged");
	rplat_jw_int(&jw, "return_code", (int64_t)retcode);
	rplat_jw_obj_end(&jw);
	if (rplat_jw_finish(&jw)) {
		rplat_runfile_abort(&rf);
		rplat_fail(err, errlen, "%s/run.json: write failed", tmp);
		goto out_rm;
	}
	if (rplat_runfile_commit(&rf)) {
		rplat_fail(err, errlen, "%s/run.json: %s", tmp, strerror(errno));
		goto out_rm;
	}
	if (rename(tmp, out_dir)) {
		rplat_fail(err, errlen, "%s: %s", out_dir, strerror(errno));
		goto out_rm;
	}
	rc = 0;
	goto out_free;
out_rm:
	nftw(tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
out_free:
	free(rtt);
	free(stage);
	free(sz);
	free(run_base);
	return rc;
}
