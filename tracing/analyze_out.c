/* Trace analysis: loading runs, writing analysis.json / analysis.txt / stages.tsv / hist. See analyze.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rplat/json.h"
#include "rplat/runfile.h"
#include "rplat/util.h"
#include "analyze.h"

/* ---- samples.tsv ---- */

static int status_of(const char *s)
{
	if (!strcmp(s, "ok"))
		return 0;
	if (!strcmp(s, "lost"))
		return 1;
	return 2;
}

/* Times and durations in ns are held to +-2^60 (36 years), as the event stamps are (tev.c): the analysis
 * adds a few of them (t_send + h2r + dispatch + proc) and subtracts others, which must not overflow. */
#define SAMPLE_NS_MAX (INT64_C(1) << 60)

/* 0, -1 not a number, -2 out of range */
static int parse_i64(const char *s, int64_t *v)
{
	char *end;
	long long x;

	if (!strcmp(s, "nan") || !*s) {
		*v = RPLAT_NONE;
		return 0;
	}
	errno = 0;
	x = strtoll(s, &end, 10);
	if (end == s || errno)
		return -1;
	if (*end == '.') { /* tolerate a fractional part */
		strtod(s, &end);
	}
	if (*end)
		return -1;
	if (x < -SAMPLE_NS_MAX || x > SAMPLE_NS_MAX)
		return -2;
	*v = x;
	return 0;
}

enum { C_SEQ, C_TSEND, C_RTT, C_H2R, C_DISP, C_PROC, C_STATUS, C_TRECV, C_ONEWAY, C_ISRSEND, C_IRQLAT, C_N };

/* Stream samples carry the remote stamps as durations back from the receive: place them on host time. */
static void stream_stamps(struct rplat_ana_sample *s, const int64_t d[3]) /* one_way, isr_to_send, irq_latency */
{
	if (s->t_recv == RPLAT_NONE || d[0] == RPLAT_NONE)
		return;
	s->rsend = s->t_recv - d[0];
	if (d[1] != RPLAT_NONE) {
		s->isr = s->rsend - d[1];
		if (d[2] != RPLAT_NONE)
			s->due = s->isr - d[2];
	}
}

int rplat_ana_read_samples(const char *path, struct rplat_ana_sample **out, size_t *nout, int *kind, char *err,
			   size_t errlen)
{
	static const char *const names[C_N] = { "seq", "t_send", "rtt", "h2r", "dispatch", "proc", "status",
						"t_recv", "one_way", "isr_to_send", "irq_latency" };
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, n = 0, vcap = 0;
	ssize_t len;
	int map[64], ncol = 0, i, have[C_N] = { 0 }, stream;
	unsigned long lineno = 0;
	struct rplat_ana_sample *v = NULL;

	*out = NULL;
	*nout = 0;
	if (!f)
		return rplat_fail(err, errlen, "%s: %s", path, strerror(errno));
	if ((len = getline(&line, &cap, f)) <= 0) {
		fclose(f);
		free(line);
		return rplat_fail(err, errlen, "%s: empty (no header line)", path);
	}
	lineno = 1;
	line[strcspn(line, "\r\n")] = 0;
	for (char *save = NULL, *tok = strtok_r(line, "\t", &save); tok && ncol < 64;
	     tok = strtok_r(NULL, "\t", &save)) {
		map[ncol] = -1;
		for (i = 0; i < C_N; i++)
			if (!strcmp(tok, names[i])) {
				map[ncol] = i;
				have[i] = 1;
			}
		ncol++;
	}
	/* a stream's samples.tsv has t_recv and no t_send; its one_way, isr_to_send and irq_latency are turned
	 * into stamps (stream_stamps). Each kind ignores the other's columns. */
	stream = have[C_TRECV] && !have[C_TSEND];
	for (i = 0; i < ncol; i++)
		if (map[i] >= 0 && map[i] != C_SEQ && map[i] != C_STATUS && (map[i] >= C_TRECV) != stream)
			map[i] = -1;
	for (i = 0; i < C_N; i++)
		if (!have[i] && (i == C_SEQ || i == C_STATUS || (stream ? i == C_TRECV : i == C_TSEND || i == C_RTT))) {
			fclose(f);
			free(line);
			return rplat_fail(err, errlen, "%s: line 1: no '%s' column", path, names[i]);
		}
	if (kind)
		*kind = stream ? RPLAT_ANA_STREAM : RPLAT_ANA_PING;
	while ((len = getline(&line, &cap, f)) > 0) {
		struct rplat_ana_sample s = { 0, 0, RPLAT_NONE, RPLAT_NONE, RPLAT_NONE, RPLAT_NONE, RPLAT_NONE,
					      RPLAT_NONE, RPLAT_NONE, RPLAT_NONE, RPLAT_NONE };
		int64_t d[3] = { RPLAT_NONE, RPLAT_NONE, RPLAT_NONE }; /* a stream's one_way, isr_to_send, irq_latency */
		char *p = line, *tab;
		int col = 0, rc;

		lineno++;
		if (line[len - 1] != '\n') {
			rplat_fail(err, errlen, "%s: line %lu: truncated (no final newline)", path, lineno);
			goto fail;
		}
		line[strcspn(line, "\r\n")] = 0;
		for (; p; p = tab ? tab + 1 : NULL, col++) {
			int64_t x;

			tab = strchr(p, '\t');
			if (tab)
				*tab = 0;
			if (col >= ncol || map[col] < 0)
				continue;
			if (map[col] == C_STATUS) {
				s.status = status_of(p);
				continue;
			}
			if ((rc = parse_i64(p, &x))) {
				rplat_fail(err, errlen, "%s: line %lu: column %s: '%.20s' %s", path, lineno,
					   names[map[col]], p, rc == -2 ? "is out of range (+-2^60)" : "is not a number");
				goto fail;
			}
			switch (map[col]) {
			case C_SEQ: s.seq = (uint32_t)x; break;
			case C_TSEND: s.t_send = x; break;
			case C_RTT: s.rtt = x; break;
			case C_H2R: s.h2r = x; break;
			case C_DISP: s.dispatch = x; break;
			case C_PROC: s.proc = x; break;
			case C_TRECV: s.t_recv = x; break;
			case C_ONEWAY: d[0] = x; break;
			case C_ISRSEND: d[1] = x; break;
			case C_IRQLAT: d[2] = x; break;
			}
		}
		if (stream) {
			if (s.status == 2) /* a duplicate or out-of-order copy: counted in run.json, not a message */
				continue;
			stream_stamps(&s, d);
		}
		if (n == vcap) {
			size_t nc = vcap ? vcap * 2 : 4096;
			void *q = realloc(v, nc * sizeof(*v));

			if (!q) {
				rplat_fail(err, errlen, "%s: out of memory", path);
				goto fail;
			}
			v = q;
			vcap = nc;
		}
		v[n++] = s;
	}
	free(line);
	fclose(f);
	/* samples.tsv is in seq order; make sure */
	for (size_t k = 1; k < n; k++)
		if (v[k].seq < v[k - 1].seq) {
			rplat_fail(err, errlen, "%s: line %zu: seq %u after %u: not in sequence order", path, k + 2,
				   v[k].seq, v[k - 1].seq);
			free(v);
			return -1;
		}
	*out = v;
	*nout = n;
	return 0;
fail:
	free(v);
	free(line);
	fclose(f);
	return -1;
}

/* ---- loading a run ---- */

void rplat_ana_input_free(struct rplat_ana_input *in)
{
	free((void *)in->samples);
	free((void *)in->tids);
	memset(in, 0, sizeof(*in));
}

int rplat_ana_load_run(const char *run_dir, struct rplat_tev_set *ev, struct rplat_ana_input *in, char *err,
		       size_t errlen)
{
	char path[4200];
	struct rplat_json *cap, *run;
	const struct rplat_json *j;
	struct rplat_ana_sample *s = NULL;
	int32_t *tids;
	size_t n = 0, i;
	struct stat st;

	memset(in, 0, sizeof(*in));
	in->marker_fd = -1;
	in->clock_err_ns = -1;
	in->clock_source = "none";
	rplat_sysenv_init(&in->env);
	snprintf(path, sizeof(path), "%s/trace", run_dir);
	if (stat(path, &st))
		return rplat_fail(err, errlen, "%s: no trace/ directory: the run was not traced", run_dir);
	if (rplat_tev_set_load(ev, path, err, errlen))
		return -1;
	snprintf(path, sizeof(path), "%s/trace/capture.json", run_dir);
	cap = rplat_json_load(path, err, errlen);
	if (!cap)
		return -1;
	j = rplat_json_get(cap, "format");
	if (!j || !rplat_json_str(j) || strcmp(rplat_json_str(j), "rplat-trace-capture")) {
		rplat_json_free(cap);
		return rplat_fail(err, errlen, "%s: field format: not \"rplat-trace-capture\"", path);
	}
	tids = calloc(8, sizeof(*tids));
	if (!tids) {
		rplat_json_free(cap);
		return rplat_fail(err, errlen, "out of memory");
	}
	j = rplat_json_get(cap, "pids");
	for (i = 0; j && j->type == RPLAT_JSON_ARR && i < j->n && in->ntids < 8; i++) {
		int64_t v;

		if (!rplat_json_i64(&j->child[i], &v))
			tids[in->ntids++] = (int32_t)v;
	}
	in->tids = tids;
	{
		int64_t v;

		if (!rplat_json_i64(rplat_json_get(cap, "remote_pid"), &v))
			in->remote_pid = (int32_t)v;
		if (!rplat_json_i64(rplat_json_get(cap, "marker_fd"), &v))
			in->marker_fd = (int)v;
		/* what the capture counted as lost, per CPU: the reader's missed count and the kernel's overrun
		 * overlap (an overwritten event is also missed), dropped ones are apart */
		j = rplat_json_get(cap, "stats.cpus");
		for (i = 0; j && j->type == RPLAT_JSON_ARR && i < j->n; i++) {
			int64_t mi = 0, ov = 0, dr = 0;

			rplat_json_i64(rplat_json_member(&j->child[i], "missed"), &mi);
			rplat_json_i64(rplat_json_member(&j->child[i], "overrun"), &ov);
			rplat_json_i64(rplat_json_member(&j->child[i], "dropped"), &dr);
			if (mi >= 0 && ov >= 0 && dr >= 0 && mi < INT64_MAX / 4 && ov < INT64_MAX / 4 && dr < INT64_MAX / 4)
				in->capture_lost += (uint64_t)(mi > ov ? mi : ov) + (uint64_t)dr;
		}
		j = rplat_json_get(cap, "stats.aborted");
		in->reader_aborted = j && j->type == RPLAT_JSON_BOOL && j->num;
		if (!rplat_json_i64(rplat_json_get(cap, "reader_tid"), &v))
			in->reader_tid = (int32_t)v;
		rplat_sysenv_from_json(&in->env, rplat_json_get(cap, "system"));
		{
			const char *src = rplat_json_str(rplat_json_get(cap, "source"));

			in->observed = src && !strcmp(src, "rplat observe");
		}
	}
	rplat_json_free(cap);
	snprintf(path, sizeof(path), "%s/samples.tsv", run_dir);
	if (!stat(path, &st)) {
		if (rplat_ana_read_samples(path, &s, &n, &in->kind, err, errlen))
			return -1;
		in->samples = s;
		in->nsamples = n;
	}
	snprintf(path, sizeof(path), "%s/run.json", run_dir);
	if (!stat(path, &st)) {
		double v;

		run = rplat_json_load(path, err, errlen);
		if (!run)
			return -1;
		j = rplat_json_get(run, "clock.valid");
		if (j && j->type == RPLAT_JSON_BOOL && j->num && !rplat_json_num(rplat_json_get(run, "clock.err_bound_ns"), &v)) {
			in->clock_err_ns = v;
			in->clock_source = in->kind == RPLAT_ANA_STREAM ?
				"run clock fit (samples.tsv one_way, isr_to_send, irq_latency)" :
				"run clock fit (samples.tsv h2r, dispatch, proc)";
		} else if (s) {
			in->clock_source = "no valid clock fit: remote stamps not placed";
		}
		{
			int64_t dl;
			const char *lt = rplat_json_str(rplat_json_get(run, "link.type"));

			if (!rplat_json_i64(rplat_json_get(run, "options.dma_latency"), &dl) && dl >= -1 && dl < INT32_MAX)
				in->dma_latency = (int)dl, in->dma_known = 1;
			if (lt)
				snprintf(in->link, sizeof(in->link), "%s", lt);
		}
		rplat_json_free(run);
	}
	return 0;
}

/* ---- outputs ---- */

/* Stage statistics are written as the run's own (rplat_stats_json: samples below zero as below_zero). */

static void int_or_null(struct rplat_jw *jw, const char *key, int64_t v)
{
	if (v == RPLAT_NONE)
		rplat_jw_null(jw, key);
	else
		rplat_jw_int(jw, key, v);
}

static const char *const kind_names[] = { "task", "irq", "softirq", "idle" };

static int write_json(const struct rplat_analysis *a, FILE *f)
{
	struct rplat_jw jw;
	size_t i;
	int k;

	rplat_jw_init(&jw, f);
	rplat_jw_obj_begin(&jw, NULL);
	rplat_jw_str(&jw, "format", "rplat-trace-analysis");
	rplat_jw_int(&jw, "format_version", 1);
	rplat_jw_str(&jw, "tool", "rplat " RPLAT_VERSION);
	rplat_jw_str(&jw, "source", a->source);
	rplat_jw_str(&jw, "kind", a->kind == RPLAT_ANA_STREAM ? "stream" : "ping");
	rplat_jw_str(&jw, "latency", a->kind == RPLAT_ANA_STREAM ? "due -> recv (stream)" : "send -> recv (round trip)");
	rplat_jw_uint(&jw, "events", a->nevents);
	rplat_jw_uint(&jw, "lost_events", a->lost_events);
	rplat_jw_obj_begin(&jw, "options"); /* what this analysis was made with */
	rplat_jw_int(&jw, "worst", a->opts.worst);
	rplat_jw_int(&jw, "threshold_ns", a->opts.threshold_ns);
	if (a->opts.break_seq >= 0)
		rplat_jw_int(&jw, "break_seq", a->opts.break_seq);
	else
		rplat_jw_null(&jw, "break_seq");
	rplat_jw_int(&jw, "max_outliers", a->opts.max_outliers);
	rplat_jw_obj_end(&jw);
	rplat_jw_uint(&jw, "messages", a->nmsg);
	rplat_jw_uint(&jw, "messages_ok", a->ok);
	rplat_jw_uint(&jw, "matched", a->matched);
	rplat_jw_double(&jw, "match_rate", a->ok ? (double)a->matched / (double)a->ok : 0.0);
	{
		const struct rplat_ana_evidence *e = &a->evidence;
		char txt[1024];

		rplat_ana_evidence_text(&a->evidence, txt, sizeof(txt));
		rplat_jw_obj_begin(&jw, "evidence");
		rplat_jw_bool(&jw, "complete", e->complete);
		rplat_jw_uint(&jw, "lost_events", e->lost_events);
		rplat_jw_uint(&jw, "unlocated_lost_events", e->unlocated_lost);
		rplat_jw_bool(&jw, "reader_aborted", e->reader_aborted);
		rplat_jw_uint(&jw, "chain_breaks", e->chain_breaks);
		rplat_jw_uint(&jw, "windows_lost", e->windows_lost);
		rplat_jw_uint(&jw, "windows_broken", e->windows_broken);
		rplat_jw_uint(&jw, "unmatched", e->unmatched);
		rplat_jw_double(&jw, "match_rate", e->match_rate);
		rplat_jw_double(&jw, "min_match_rate", RPLAT_ANA_MIN_MATCH);
		rplat_jw_uint(&jw, "verdicts_withheld", e->withheld);
		rplat_jw_str(&jw, "summary", txt[0] ? txt : NULL);
		rplat_jw_obj_end(&jw);
	}
	rplat_jw_arr_begin(&jw, "threads");
	for (k = 0; k < a->ntids; k++)
		rplat_jw_int(&jw, NULL, a->tids[k]);
	rplat_jw_arr_end(&jw);
	rplat_jw_int(&jw, "remote_pid", a->remote_pid);
	rplat_jw_int(&jw, "reader_tid", a->reader_tid);
	rplat_jw_str(&jw, "link", a->link[0] ? a->link : NULL);
	if (a->app[0])
		rplat_jw_str(&jw, "measured", a->app); /* rplat observe: whose round trips these are */
	if (!a->dma_known)
		rplat_jw_null(&jw, "dma_latency_us");
	else
		rplat_jw_int(&jw, "dma_latency_us", a->dma_latency);
	rplat_sysenv_json(&jw, "system", &a->env);
	rplat_jw_obj_begin(&jw, "clock");
	rplat_jw_str(&jw, "source", a->clock_source);
	if (a->clock_err_ns >= 0)
		rplat_jw_double(&jw, "err_bound_ns", a->clock_err_ns);
	else
		rplat_jw_null(&jw, "err_bound_ns");
	rplat_jw_uint(&jw, "remote_moved", a->remote_shifted);
	rplat_jw_int(&jw, "remote_moved_max_ns", a->remote_shift_max);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "stages");
	for (k = 0; k < RPLAT_ST_N; k++) {
		if (!rplat_ana_stage_id(a, k))
			continue;
		rplat_jw_obj_begin(&jw, rplat_ana_stage_id(a, k));
		rplat_jw_str(&jw, "label", rplat_ana_stage_label(a, k));
		rplat_jw_str(&jw, "from", rplat_ana_bound_name(a, k));
		rplat_jw_str(&jw, "to", rplat_ana_bound_name(a, k + 1));
		rplat_jw_uint(&jw, "not_seen", a->missing[k]);
		rplat_stats_json(&jw, "stats", &a->hist[k], -1);
		rplat_jw_obj_end(&jw);
	}
	rplat_jw_obj_end(&jw);
	rplat_jw_uint(&jw, "over_threshold", a->over_threshold);
	rplat_jw_obj_begin(&jw, "dominant_counts");
	for (k = 0; k < RPLAT_ST_N; k++)
		if (rplat_ana_stage_id(a, k))
			rplat_jw_uint(&jw, rplat_ana_stage_id(a, k), a->dominant_count[k]);
	rplat_jw_obj_end(&jw);
	rplat_jw_arr_begin(&jw, "outliers");
	for (i = 0; i < a->nout; i++) {
		const struct rplat_ana_outlier *o = &a->out[i];
		const struct rplat_ana_msg *m = &a->msg[o->msg];
		int c;

		rplat_jw_obj_begin(&jw, NULL);
		rplat_jw_uint(&jw, "seq", m->seq);
		rplat_jw_arr_begin(&jw, "why");
		if (o->why & 4)
			rplat_jw_str(&jw, NULL, "break");
		if (o->why & 1)
			rplat_jw_str(&jw, NULL, "worst");
		if (o->why & 2)
			rplat_jw_str(&jw, NULL, "threshold");
		rplat_jw_arr_end(&jw);
		int_or_null(&jw, a->kind == RPLAT_ANA_STREAM ? "latency_ns" : "rtt_ns", m->rtt);
		rplat_jw_str(&jw, "dominant_stage", o->dominant >= 0 ? rplat_ana_stage_id(a, o->dominant) : "unknown");
		rplat_jw_str(&jw, "dominant_label", o->dominant >= 0 ? rplat_ana_stage_label(a, o->dominant) : "unknown");
		rplat_jw_int(&jw, "dominant_ns", o->dominant_ns);
		rplat_jw_obj_begin(&jw, "stages_ns");
		for (k = 0; k < RPLAT_ST_N; k++)
			if (rplat_ana_stage_id(a, k))
				int_or_null(&jw, rplat_ana_stage_id(a, k), m->st[k]);
		rplat_jw_obj_end(&jw);
		rplat_jw_obj_begin(&jw, "at_ns");
		for (k = 0; k < RPLAT_B_N; k++)
			if (rplat_ana_bound_name(a, k))
				int_or_null(&jw, rplat_ana_bound_name(a, k), m->b[k]);
		rplat_jw_obj_end(&jw);
		int_or_null(&jw, "wake_to_run_ns", o->wake_to_run);
		rplat_jw_int(&jw, "cpu_send", m->cpu_send);
		rplat_jw_int(&jw, "cpu_run", m->cpu_run);
		rplat_jw_int(&jw, "cpu_ret", m->cpu_ret);
		rplat_jw_bool(&jw, "migrated", m->migrated);
		rplat_jw_bool(&jw, "queued", m->queued);
		rplat_jw_int(&jw, "migrations", o->migrations);
		rplat_jw_int(&jw, "remote_moved_ns", m->remote_shift);
		rplat_jw_bool(&jw, "events_lost", m->incomplete);
		rplat_jw_bool(&jw, "chain_broken", m->broken);
		rplat_jw_str(&jw, "evidence", o->withheld ? "samples only" : "trace");
		rplat_jw_arr_begin(&jw, "evidence_missing");
		if (o->withheld & RPLAT_EV_UNMATCHED)
			rplat_jw_str(&jw, NULL, "not matched");
		if (o->withheld & RPLAT_EV_LOST)
			rplat_jw_str(&jw, NULL, "events lost");
		if (o->withheld & RPLAT_EV_BROKEN)
			rplat_jw_str(&jw, NULL, "broken context-switch chain");
		rplat_jw_arr_end(&jw);
		rplat_jw_arr_begin(&jw, "meanwhile");
		for (c = 0; c < o->ncontrib; c++) {
			const struct rplat_ana_contrib *x = &o->contrib[c];

			rplat_jw_obj_begin(&jw, NULL);
			rplat_jw_str(&jw, "kind", kind_names[x->kind & 3]);
			rplat_jw_int(&jw, "cpu", x->cpu);
			rplat_jw_int(&jw, "id", x->id);
			rplat_jw_str(&jw, "name", x->name);
			rplat_jw_str(&jw, "policy", x->policy);
			rplat_jw_int(&jw, "ns", x->ns);
			rplat_jw_obj_end(&jw);
		}
		rplat_jw_arr_end(&jw);
		rplat_jw_str(&jw, "verdict", o->verdict);
		rplat_jw_obj_end(&jw);
	}
	rplat_jw_arr_end(&jw);
	rplat_jw_double(&jw, "analysis_seconds", a->secs);
	rplat_jw_obj_end(&jw);
	return rplat_jw_finish(&jw);
}

static double us(int64_t ns)
{
	return (double)ns / 1000.0;
}

void rplat_ana_evidence_text(const struct rplat_ana_evidence *e, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
#define ADD(...) do { if (n < len) n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__); } while (0)
	if (e->lost_events || e->unlocated_lost)
		ADD("the capture lost %llu events (%llu located in the trace%s); %zu answered messages' windows "
		    "lost events", (unsigned long long)(e->lost_events + e->unlocated_lost),
		    (unsigned long long)e->lost_events, e->unlocated_lost ? ", the rest anywhere: every window counts as "
		    "lossy" : "", e->windows_lost);
	if (e->reader_aborted)
		ADD("%sthe trace reader was stopped before it drained the buffers", n ? "; " : "");
	if (e->answered && e->match_rate < RPLAT_ANA_MIN_MATCH)
		ADD("%sonly %zu of %zu answered messages (%.1f%%) were matched to trace events (expected at least "
		    "%.0f%%)", n ? "; " : "", e->matched, e->answered, 100.0 * e->match_rate, 100.0 * RPLAT_ANA_MIN_MATCH);
	if (n && e->chain_breaks)
		ADD("; %llu context switches missing from the trace", (unsigned long long)e->chain_breaks);
	if (e->withheld)
		ADD("%s%zu of %zu explained outliers get no verdict (the evidence is missing in their windows)",
		    n ? "; " : "", e->withheld, e->outliers);
#undef ADD
}

void rplat_analysis_print(const struct rplat_analysis *a, FILE *f)
{
	size_t i;
	int k;
	char txt[1024];

	fprintf(f, "# rplat trace analysis (%s, %s)\n", a->source,
		a->kind == RPLAT_ANA_STREAM ? "stream: remote timer due -> host recv" : "ping: round trips");
	fprintf(f, "# events %zu, lost %llu; messages %zu (%zu %s), matched to events %zu (%.2f%%)\n",
		a->nevents, (unsigned long long)a->lost_events, a->nmsg, a->ok,
		a->kind == RPLAT_ANA_STREAM ? "received" : "answered", a->matched,
		a->ok ? 100.0 * (double)a->matched / (double)a->ok : 0.0);
	fprintf(f, "# evidence: %s; %llu context switches missing from the trace (%zu answered messages' windows)\n",
		a->evidence.complete ? "complete (no events lost, matched as expected)" : "INCOMPLETE",
		(unsigned long long)a->evidence.chain_breaks, a->evidence.windows_broken);
	rplat_ana_evidence_text(&a->evidence, txt, sizeof(txt));
	if (txt[0])
		fprintf(f, "# WARNING: %s\n", txt);
	if (a->clock_err_ns >= 0)
		fprintf(f, "# remote stamps: %s, error bound +-%.2f us; moved into the host window in %zu messages "
			"(max %.2f us)\n", a->clock_source, a->clock_err_ns / 1000.0, a->remote_shifted,
			us(a->remote_shift_max));
	else
		fprintf(f, "# remote stamps: %s\n", a->clock_source);
	fprintf(f, "# stage (us)                            count      min      avg      p50      p99    p99.9      max"
		"  not seen\n");
	for (k = 0; k < RPLAT_ST_N; k++) {
		struct rplat_stats s;

		if (!rplat_ana_stage_id(a, k))
			continue;
		rplat_hist_stats(&a->hist[k], &s);
		fprintf(f, "%-38s %7llu", rplat_ana_stage_label(a, k), (unsigned long long)s.count);
		if (s.count)
			fprintf(f, " %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f", us((int64_t)s.min), s.avg / 1000.0,
				us((int64_t)s.p50), us((int64_t)s.p99), us((int64_t)s.p999), us((int64_t)s.max));
		else
			fprintf(f, " %8s %8s %8s %8s %8s %8s", "-", "-", "-", "-", "-", "-");
		fprintf(f, " %9llu\n", (unsigned long long)a->missing[k]);
	}
	if (a->over_threshold)
		fprintf(f, "# %zu messages over the threshold\n", a->over_threshold);
	if (a->nout) {
		fprintf(f, "# outliers by dominant stage:");
		for (k = 0; k < RPLAT_ST_N; k++)
			if (a->dominant_count[k])
				fprintf(f, " %s %llu", rplat_ana_stage_id(a, k), (unsigned long long)a->dominant_count[k]);
		fprintf(f, "\n");
	}
	for (i = 0; i < a->nout; i++) {
		const struct rplat_ana_outlier *o = &a->out[i];
		const struct rplat_ana_msg *m = &a->msg[o->msg];
		int c;

		fprintf(f, "\nseq %u: %s %.1f us%s%s%s; dominant: %s %.1f us", m->seq,
			a->kind == RPLAT_ANA_STREAM ? "latency" : "rtt", us(m->rtt),
			o->why & 4 ? " [break]" : "", o->why & 1 ? " [worst]" : "", o->why & 2 ? " [threshold]" : "",
			o->dominant >= 0 ? rplat_ana_stage_label(a, o->dominant) : "unknown", us(o->dominant_ns));
		if (o->wake_to_run != RPLAT_NONE)
			fprintf(f, "; wakeup to run %.1f us", us(o->wake_to_run));
		fprintf(f, "\n  %s\n  stages (us):", o->verdict);
		for (k = 0; k < RPLAT_ST_N; k++)
			if (m->st[k] != RPLAT_NONE)
				fprintf(f, " %s %.1f", rplat_ana_stage_id(a, k), us(m->st[k]));
		fprintf(f, "\n");
		if (o->ncontrib) {
			fprintf(f, "  meanwhile:");
			for (c = 0; c < o->ncontrib; c++)
				fprintf(f, "%s CPU%d %s%s%s (%s) %.1f us", c ? ";" : "", o->contrib[c].cpu,
					o->contrib[c].kind == 0 ? "`" : "", o->contrib[c].name,
					o->contrib[c].kind == 0 ? "`" : "", o->contrib[c].policy, us(o->contrib[c].ns));
			fprintf(f, "\n");
		}
	}
}

static int write_stages_tsv(const struct rplat_analysis *a, FILE *f)
{
	size_t i;
	int k;

	fprintf(f, "seq\tstatus\tmatched");
	for (k = 0; k < RPLAT_B_N; k++)
		if (rplat_ana_bound_name(a, k))
			fprintf(f, "\tt_%s", rplat_ana_bound_name(a, k));
	for (k = 0; k < RPLAT_ST_N; k++)
		if (rplat_ana_stage_id(a, k))
			fprintf(f, "\t%s", rplat_ana_stage_id(a, k));
	fprintf(f, "\tcpu_send\tcpu_run\tcpu_ret\tmigrated\tremote_moved\tevents_lost\tchain_broken\n");
	for (i = 0; i < a->nmsg; i++) {
		const struct rplat_ana_msg *m = &a->msg[i];
		static const char *const st[] = { "ok", "lost", "other", "nosample" };

		fprintf(f, "%u\t%s\t%d", m->seq, st[m->status & 3], m->matched);
		for (k = 0; k < RPLAT_B_N; k++)
			if (rplat_ana_bound_name(a, k))
				m->b[k] == RPLAT_NONE ? fputs("\tnan", f) : fprintf(f, "\t%lld", (long long)m->b[k]);
		for (k = 0; k < RPLAT_ST_N; k++)
			if (rplat_ana_stage_id(a, k))
				m->st[k] == RPLAT_NONE ? fputs("\tnan", f) : fprintf(f, "\t%lld", (long long)m->st[k]);
		fprintf(f, "\t%d\t%d\t%d\t%d\t%lld\t%d\t%d\n", m->cpu_send, m->cpu_run, m->cpu_ret, m->migrated,
			(long long)m->remote_shift, m->incomplete, m->broken);
	}
	return ferror(f) ? -1 : 0;
}

/* Write DIR/NAME via NAME.tmp. */
static int put_file(const char *dir, const char *name, int (*fn)(const struct rplat_analysis *, FILE *),
		    const struct rplat_analysis *a, char *err, size_t errlen)
{
	char path[4200], tmp[4210];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return rplat_fail(err, errlen, "%s: %s", tmp, strerror(errno));
	rc = fn(a, f);
	if (fclose(f) || rc || rename(tmp, path)) {
		int e = errno;

		unlink(tmp);
		return rplat_fail(err, errlen, "%s: %s", path, strerror(e ? e : EIO));
	}
	return 0;
}

static int print_fn(const struct rplat_analysis *a, FILE *f)
{
	rplat_analysis_print(a, f);
	return ferror(f) ? -1 : 0;
}

int rplat_analysis_write(const struct rplat_analysis *a, const struct rplat_tev_set *ev, const char *dir,
			 char *err, size_t errlen)
{
	char hdir[4200];
	int k;

	(void)ev;
	if (mkdir(dir, 0755) && errno != EEXIST)
		return rplat_fail(err, errlen, "%s: %s", dir, strerror(errno));
	snprintf(hdir, sizeof(hdir), "%s/hist", dir);
	if (mkdir(hdir, 0755) && errno != EEXIST)
		return rplat_fail(err, errlen, "%s: %s", hdir, strerror(errno));
	for (k = 0; k < RPLAT_ST_N; k++) {
		char path[4300], tmp[4310];
		FILE *f;

		if (!rplat_ana_stage_id(a, k))
			continue;
		snprintf(path, sizeof(path), "%s/%s.hist", hdir, rplat_ana_stage_id(a, k));
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		f = fopen(tmp, "w");
		if (!f)
			return rplat_fail(err, errlen, "%s: %s", tmp, strerror(errno));
		if ((rplat_hist_write(&a->hist[k], rplat_ana_stage_id(a, k), f) | fclose(f)) || rename(tmp, path)) {
			unlink(tmp);
			return rplat_fail(err, errlen, "%s: write failed", path);
		}
	}
	if (put_file(dir, "stages.tsv", write_stages_tsv, a, err, errlen) ||
	    put_file(dir, "analysis.json", write_json, a, err, errlen) ||
	    put_file(dir, "analysis.txt", print_fn, a, err, errlen))
		return -1;
	return 0;
}

int rplat_ana_opts_of_run(const char *run_dir, struct rplat_ana_opts *o)
{
	char path[4200], err[256];
	struct rplat_json *j;
	const struct rplat_json *op;
	int64_t v;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/trace/analysis.json", run_dir);
	if (access(path, F_OK))
		return -1;
	j = rplat_json_load(path, err, sizeof(err));
	if (!j)
		return -1;
	op = rplat_json_member(j, "options");
	if (op && op->type == RPLAT_JSON_OBJ) {
		if (!rplat_json_i64(rplat_json_member(op, "worst"), &v) && v >= 0 && v <= 1000000)
			o->worst = (int)v;
		if (!rplat_json_i64(rplat_json_member(op, "threshold_ns"), &v) && v >= 0)
			o->threshold_ns = v;
		if (!rplat_json_i64(rplat_json_member(op, "break_seq"), &v) && v >= 0 && v <= UINT32_MAX)
			o->break_seq = v;
		if (!rplat_json_i64(rplat_json_member(op, "max_outliers"), &v) && v > 0 && v <= 100000000)
			o->max_outliers = (int)v;
		rc = 0;
	}
	rplat_json_free(j);
	return rc;
}

int rplat_analyze_run(const char *run_dir, const struct rplat_ana_opts *o, FILE *summary,
		      struct rplat_ana_evidence *evidence, char *err, size_t errlen)
{
	struct rplat_tev_set ev;
	struct rplat_ana_input in;
	struct rplat_analysis a;
	char dir[4200];
	int rc = -1;

	rplat_tev_set_init(&ev);
	memset(&a, 0, sizeof(a));
	if (rplat_ana_load_run(run_dir, &ev, &in, err, errlen))
		goto out;
	if (rplat_analyze(&ev, &in, o, &a, err, errlen))
		goto out;
	snprintf(dir, sizeof(dir), "%s/trace", run_dir);
	if (rplat_analysis_write(&a, &ev, dir, err, errlen))
		goto out;
	if (summary)
		rplat_analysis_print(&a, summary);
	if (evidence)
		*evidence = a.evidence;
	rc = 0;
out:
	rplat_analysis_free(&a);
	rplat_ana_input_free(&in);
	rplat_tev_set_free(&ev);
	return rc;
}
