/* rplat compare: runs overlaid (histograms, percentile curves), a percentile table with deltas against the
 * first run, and a statistical statement of the difference. See rplat/report.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rp.h"
#include "rplat/util.h"

#define BOOT_REPS 2000
#define BOOT_SEED 0x72706c6174ull /* fixed: the same runs give the same report */

static const double cmp_pcts[] = { 50, 90, 99, 99.9, 99.99 };
#define NPCTS (sizeof(cmp_pcts) / sizeof(cmp_pcts[0]))

/* "A", "B", ... */
static void run_letter(int i, char *buf, size_t n)
{
	if (i < 26)
		rp_fmt(buf, n, "%c", 'A' + i);
	else
		rp_fmt(buf, n, "R%d", i + 1);
}

struct histarg {
	const struct rplat_hist *h;
	double lo, hi, zero;
};

static void fn_hist(FILE *f, const void *a)
{
	const struct histarg *x = a;

	rp_write_hist_dat(f, x->h, x->lo, x->hi, 30, 1, x->zero);
}

static int write_file(const struct rp_out *o, const char *rel, void (*fn)(FILE *, const void *), const void *arg,
		      char *err, size_t errlen)
{
	FILE *f = rp_fopen(o, rel, err, errlen);

	if (!f)
		return -1;
	fn(f, arg);
	return rp_fclose(f, rel, err, errlen);
}

static void fn_pct(FILE *f, const void *a)
{
	rp_write_pct_dat(f, a);
}

struct barsarg {
	struct rplat_run *const *runs;
	int n;
};

static void fn_bars(FILE *f, const void *a)
{
	const struct barsarg *x = a;
	size_t k;
	int i;

	fprintf(f, "# percentile");
	for (i = 0; i < x->n; i++)
		fprintf(f, "\trun%d_us", i);
	fprintf(f, "\n");
	for (k = 0; k <= NPCTS; k++) {
		if (k < NPCTS)
			fprintf(f, "p%g", cmp_pcts[k]);
		else
			fprintf(f, "max");
		for (i = 0; i < x->n; i++) {
			const struct rplat_hist *h = &x->runs[i]->rtt;
			double v = !h->count ? 0 : k < NPCTS ? (double)rplat_hist_percentile(h, cmp_pcts[k]) : (double)h->max;

			fprintf(f, "\t%.6g", v / 1e3 < 0.001 ? 0.001 : v / 1e3);
		}
		fprintf(f, "\n");
	}
}

/* One run's over-time series for the overlay: x, mean and max of each bin's answered messages. */
static void fn_overlay(FILE *f, const void *a)
{
	const struct rp_scan *s = a;
	int i;

	fprintf(f, "# x\tmean_us\tmax_us\tn\n");
	for (i = 0; i < s->nbins; i++)
		if (s->bin[i].n)
			fprintf(f, "%.9g\t%.6g\t%.6g\t%llu\n", rp_bin_x(s, i), s->bin[i].sum / (double)s->bin[i].n / 1e3,
				(double)s->bin[i].max / 1e3, (unsigned long long)s->bin[i].n);
		else if (i && s->bin[i - 1].n) /* a gap: no line drawn across it */
			fprintf(f, "\n");
}

/* The runs' round trips over time, overlaid: each run's samples.tsv binned (time into the run, or the
 * message's index when a run is merged), its mean per bin and its maximum. */
static int overlay(const struct rp_out *o, FILE *gp, struct rplat_run *const *runs, int n, int png, char *err,
		   size_t errlen)
{
	struct rp_scan *s = calloc(1, sizeof(*s));
	int i, by_index = 0, any = 0;
	double xend = 0;
	char rel[96], t[256], L[8];

	if (!s)
		return rplat_fail(err, errlen, "out of memory");
	for (i = 0; i < n; i++)
		by_index |= !strcmp(runs[i]->kind, "merged");
	for (i = 0; i < n; i++) {
		if (rp_scan_run_x(runs[i], 1, by_index, s, err, errlen)) {
			rp_scan_free(s);
			free(s);
			return -1;
		}
		rp_fmt(rel, sizeof(rel), "data/cmp_time_r%d.dat", i);
		if (write_file(o, rel, fn_overlay, s, err, errlen)) {
			rp_scan_free(s);
			free(s);
			return -1;
		}
		if (s->x_end > xend)
			xend = s->x_end;
		any |= s->samples > 0;
		rp_scan_free(s);
	}
	free(s);
	rp_gp_begin(gp, "cmp_time", 960, 400);
	fprintf(gp, "set title 'Round trips over each run, overlaid (mean per bin: solid; maximum: dotted)'\n");
	fprintf(gp, "set logscale y\nset format y '%%g'\nset ylabel 'round trip (us, log scale)'\n");
	fprintf(gp, "set xlabel '%s'\nset xrange [0:%.9g]\nset key outside right top vertical\n",
		by_index ? "message (index in each run, warm-up excluded)" : "time into each run (s)", xend > 0 ? xend : 1);
	if (!any) {
		fprintf(gp, "set label 10 'no samples.tsv in these runs' at graph 0.4, graph 0.5\nplot 1 notitle lc rgb '#ffffff'\n");
	} else {
		fprintf(gp, "plot ");
		for (i = 0; i < n; i++) {
			run_letter(i, L, sizeof(L));
			rp_fmt(t, sizeof(t), "%s: %.28s", L, runs[i]->label);
			fprintf(gp, "%s'data/cmp_time_r%d.dat' using 1:2 with lines lw 1.6 lc rgb '%s' title ", i ? ", " : "", i,
				rp_colors[i % 8]);
			rp_gp_str(gp, t);
			fprintf(gp, ", '' using 1:3 with lines lw 0.8 dt 3 lc rgb '%s' notitle", rp_colors[i % 8]);
		}
		fprintf(gp, "\n");
	}
	rp_gp_end(gp, "cmp_time", 960, 400, png);
	return 0;
}

static int plots(const struct rp_out *o, FILE *gp, struct rplat_run *const *runs, int n, int png, char *err,
		 size_t errlen)
{
	const struct rplat_hist **hp = calloc((size_t)n, sizeof(*hp));
	double lo, hi, zero;
	uint64_t maxn = 1;
	char rel[96], t[256], L[8];
	struct barsarg ba = { runs, n };
	int i;

	if (!hp)
		return rplat_fail(err, errlen, "out of memory");
	for (i = 0; i < n; i++) {
		hp[i] = &runs[i]->rtt;
		if (runs[i]->rtt.count > maxn)
			maxn = runs[i]->rtt.count;
	}
	rp_hist_range_us(hp, n, &lo, &hi);
	free(hp);
	zero = 0.2 / (double)maxn;
	for (i = 0; i < n; i++) {
		struct histarg ha = { &runs[i]->rtt, lo, hi, zero };

		rp_fmt(rel, sizeof(rel), "data/cmp_hist_r%d.dat", i);
		if (write_file(o, rel, fn_hist, &ha, err, errlen))
			return -1;
		rp_fmt(rel, sizeof(rel), "data/cmp_pct_r%d.dat", i);
		if (write_file(o, rel, fn_pct, &runs[i]->rtt, err, errlen))
			return -1;
	}
	if (write_file(o, "data/cmp_bars.dat", fn_bars, &ba, err, errlen))
		return -1;
	/* overlaid histograms */
	rp_gp_begin(gp, "cmp_hist", 960, 400);
	fprintf(gp, "set title 'Round-trip latency distributions, overlaid (each normalised to its own count)'\n");
	fprintf(gp, "set logscale xy\nset format x '%%g'\nset xrange [%g:%g]\nset yrange [%g:*]\n", lo, hi, zero * 2.5);
	fprintf(gp, "set xlabel 'round trip (us, log scale)'\nset ylabel 'share of messages per bin (log scale)'\n");
	fprintf(gp, "set key outside right top vertical\nplot ");
	for (i = 0; i < n; i++) {
		run_letter(i, L, sizeof(L));
		rp_fmt(t, sizeof(t), "%s: %.28s", L, runs[i]->label);
		fprintf(gp, "%s'data/cmp_hist_r%d.dat' using 3:2 with steps lw 2 lc rgb '%s' title ", i ? ", " : "", i,
			rp_colors[i % 8]);
		rp_gp_str(gp, t);
	}
	fprintf(gp, "\n");
	rp_gp_end(gp, "cmp_hist", 960, 400, png);
	/* overlaid percentile curves */
	rp_gp_begin(gp, "cmp_pct", 960, 420);
	fprintf(gp, "set title 'Latency by percentile, overlaid'\nset logscale xy\nset format y '%%g'\n");
	fprintf(gp, "set xlabel 'percentile'\nset ylabel 'round trip (us, log scale)'\nset key outside right top vertical\n");
	rp_gp_pct_xtics(gp, maxn);
	fprintf(gp, "plot ");
	for (i = 0; i < n; i++) {
		run_letter(i, L, sizeof(L));
		rp_fmt(t, sizeof(t), "%s: %.28s", L, runs[i]->label);
		fprintf(gp, "%s'data/cmp_pct_r%d.dat' using 1:2 with steps lw 2 lc rgb '%s' title ", i ? ", " : "", i,
			rp_colors[i % 8]);
		rp_gp_str(gp, t);
	}
	fprintf(gp, "\n");
	rp_gp_end(gp, "cmp_pct", 960, 420, png);
	/* percentiles side by side */
	rp_gp_begin(gp, "cmp_bars", 960, 360);
	fprintf(gp, "set title 'Round-trip percentiles side by side'\nset style data histograms\n"
		    "set style histogram clustered gap 1\nset style fill solid 0.85 border -1\nset logscale y\n"
		    "set format y '%%g'\nset ylabel 'us (log scale)'\nset key outside right top vertical\nset grid ytics\nplot ");
	for (i = 0; i < n; i++) {
		run_letter(i, L, sizeof(L));
		fprintf(gp, "%s'data/cmp_bars.dat' using %d%s lc rgb '%s' title '%s'", i ? ", " : "", i + 2,
			i ? "" : ":xtic(1)", rp_colors[i % 8], L);
	}
	fprintf(gp, "\n");
	rp_gp_end(gp, "cmp_bars", 960, 360, png);
	return overlay(o, gp, runs, n, png, err, errlen);
}

/* How much of a stage's difference between two runs the clock correlations allow: the sum of the runs'
 * error bounds for the correlated stages (host -> remote, remote -> host), 0 for the others. */
static double stage_noise(const struct rplat_run *a, const struct rplat_run *b, int s)
{
	char key[96];
	double ea, eb;

	rp_fmt(key, sizeof(key), "summary.stages.%s.err_bound_ns", rplat_stage_names[s]);
	ea = rplat_run_num(a, key, -1);
	eb = rplat_run_num(b, key, -1);
	if (ea < 0 || eb < 0)
		return 0;
	return ea + eb;
}

static void fmt_delta(double a, double b, char *buf, size_t n)
{
	char d[32];

	rplat_fmt_ns(b - a, d, sizeof(d));
	if (a > 0)
		rp_fmt(buf, n, "%s%s (%+.1f%%)", b >= a ? "+" : "", d, (b - a) / a * 100);
	else
		rp_fmt(buf, n, "%s%s", b >= a ? "+" : "", d);
}

static void pct_table(struct rp_doc *d, struct rplat_run *const *runs, int n)
{
	const char **head = calloc((size_t)(1 + 2 * n), sizeof(*head));
	const char **cell = calloc((size_t)(1 + 2 * n), sizeof(*cell));
	char (*buf)[64] = calloc((size_t)(2 * n + 1), sizeof(*buf));
	char (*hb)[48] = calloc((size_t)(2 * n + 1), sizeof(*hb));
	size_t k;
	int i, nc = 0;
	unsigned num = 0;

	if (!head || !cell || !buf || !hb)
		goto out;
	head[nc++] = "round trip";
	for (i = 0; i < n; i++) {
		char L[8];

		run_letter(i, L, sizeof(L));
		rp_fmt(hb[nc], sizeof(hb[nc]), "%s", L);
		head[nc] = hb[nc];
		nc++;
		if (i) {
			rp_fmt(hb[nc], sizeof(hb[nc]), "%s - A", L);
			head[nc] = hb[nc];
			nc++;
		}
	}
	for (i = 1; i < nc; i++)
		num |= 1u << i;
	rp_doc_table(d, nc, head);
	for (k = 0; k < NPCTS + 4; k++) {
		char name[16];
		int c = 0;

		if (k < NPCTS)
			rp_fmt(name, sizeof(name), "p%g", cmp_pcts[k]);
		else
			rp_fmt(name, sizeof(name), "%s", (const char *[]){ "min", "max", "avg", "stddev" }[k - NPCTS]);
		cell[c++] = name;
		for (i = 0; i < n; i++) {
			const struct rplat_hist *h = &runs[i]->rtt, *a = &runs[0]->rtt;
			double v, va;

			if (k < NPCTS) {
				v = (double)rplat_hist_percentile(h, cmp_pcts[k]);
				va = (double)rplat_hist_percentile(a, cmp_pcts[k]);
			} else if (k == NPCTS) {
				v = h->count ? (double)h->min : 0;
				va = a->count ? (double)a->min : 0;
			} else if (k == NPCTS + 1) {
				v = (double)h->max;
				va = (double)a->max;
			} else if (k == NPCTS + 2) {
				v = rplat_hist_mean(h);
				va = rplat_hist_mean(a);
			} else {
				v = rplat_hist_stddev(h);
				va = rplat_hist_stddev(a);
			}
			if (!h->count)
				rp_fmt(buf[c], sizeof(buf[c]), "-");
			else
				rplat_fmt_ns(v, buf[c], sizeof(buf[c]));
			cell[c] = buf[c];
			c++;
			if (i) {
				if (!h->count || !a->count)
					rp_fmt(buf[c], sizeof(buf[c]), "-");
				else
					fmt_delta(va, v, buf[c], sizeof(buf[c]));
				cell[c] = buf[c];
				c++;
			}
		}
		rp_doc_row(d, nc, cell, num);
	}
	{
		int c = 0;

		cell[c++] = "count";
		for (i = 0; i < n; i++) {
			rp_fmt(buf[c], sizeof(buf[c]), "%llu", (unsigned long long)runs[i]->rtt.count);
			cell[c] = buf[c];
			c++;
			if (i) {
				cell[c] = "";
				c++;
			}
		}
		rp_doc_row(d, nc, cell, num);
	}
	rp_doc_table_end(d);
out:
	free(head);
	free(cell);
	free(buf);
	free(hb);
}

static void p_text(char *buf, size_t n, double p)
{
	if (p < 1e-300)
		rp_fmt(buf, n, "< 1e-300");
	else if (p < 0.001)
		rp_fmt(buf, n, "%.1e", p);
	else
		rp_fmt(buf, n, "%.3f", p);
}

static void statement(struct rp_doc *d, struct rplat_run *const *runs, int i)
{
	const struct rplat_hist *a = &runs[0]->rtt, *b = &runs[i]->rtt;
	static const double bp[] = { 50, 99, 99.9 };
	struct rplat_mwu m;
	char L[8], pt[32];
	size_t k;

	run_letter(i, L, sizeof(L));
	if (!a->count || !b->count) {
		rp_doc_p(d, "%s vs A: no statement, a run has no round trips.", L);
		return;
	}
	rplat_hist_mann_whitney(b, a, &m);
	p_text(pt, sizeof(pt), m.p);
	fputs("<ul>\n", d->h);
	for (k = 0; k < sizeof(bp) / sizeof(bp[0]); k++) {
		double lo, est, hi;
		char s1[32], s2[32], s3[32], t[512];
		const char *verdict;

		if (rplat_hist_bootstrap_pct_diff(a, b, bp[k], BOOT_REPS, 0.95, BOOT_SEED + k, &lo, &est, &hi))
			continue;
		verdict = lo > 0 ? "slower" : hi < 0 ? "faster" : NULL;
		rplat_fmt_ns(est, s1, sizeof(s1));
		rplat_fmt_ns(lo, s2, sizeof(s2));
		rplat_fmt_ns(hi, s3, sizeof(s3));
		if (verdict) {
			char s4[32];

			rplat_fmt_ns(fabs(est), s4, sizeof(s4));
			rp_fmt(t, sizeof(t), "p%g: %s is %s than A by %s (%s - A = %s, 95%% bootstrap CI %s .. %s).", bp[k], L,
			       verdict, s4, L, s1, s2, s3);
		} else
			rp_fmt(t, sizeof(t),
			       "p%g: no clear difference: %s - A = %s%s, and the 95%% bootstrap CI %s .. %s includes 0.",
			       bp[k], L, est >= 0 ? "+" : "", s1, s2, s3);
		fputs("<li>", d->h);
		fputs("- ", d->m);
		rp_doc_text(d, t);
		fputs("</li>\n", d->h);
		fputs("\n", d->m);
	}
	{
		char t[768];

		rp_fmt(t, sizeof(t),
		       "Whole distribution (Mann-Whitney U): a random round trip of %s is slower than a random one of A "
		       "with probability %.3f (0.5 = no shift; U = %.4g, z = %.2f, two-sided p %s, tie-corrected with "
		       "each histogram bucket as one tie group).",
		       L, m.auc, m.u1, m.z, pt);
		fputs("<li>", d->h);
		fputs("- ", d->m);
		rp_doc_text(d, t);
		fputs("</li>\n</ul>\n", d->h);
		fputs("\n\n", d->m);
	}
}

/* Runs made in a virtual machine: said before the figures are compared (system.virtual_machine). */
static void vm_note(struct rp_doc *d, struct rplat_run *const *runs, int n)
{
	char buf[128], L[8], which[256] = "";
	const char *how = NULL;
	int i, k = 0;

	for (i = 0; i < n; i++) {
		const char *v = rp_meta_s(runs[i], "system.virtual_machine", buf, sizeof(buf));

		if (!strcmp(v, "-") || !strcmp(v, "null"))
			continue;
		run_letter(i, L, sizeof(L));
		snprintf(which + strlen(which), sizeof(which) - strlen(which), "%s%s", k++ ? ", " : "", L);
		how = how ? how : v;
	}
	if (k)
		rp_doc_p(d, "Virtual machine: run%s %s ran in a virtual machine (%s%s). Its figures include how the host "
			 "schedules the vCPUs (under QEMU's TCG, its emulation too): they are not a board's, and a "
			 "difference between such runs is a difference on that machine only.", k > 1 ? "s" : "", which,
			 how, k > 1 ? ", the first" : "");
}

static void setup_table(struct rp_doc *d, struct rplat_run *const *runs, int n)
{
	static const struct {
		const char *k, *path;
	} rows[] = {
		{ "kernel", "system.release" },          { "preemption", "system.preempt" },
		{ "PREEMPT_RT", "system.realtime" },     { "CPU", "system.cpu_model" },
		{ "CPUs", "system.ncpus" },              { "governor", "system.governor" },
		{ "host", "system.nodename" },           { "virtual machine", "system.virtual_machine" },
		{ "link", "link.spec" },
		{ "firmware", "firmware.target" },       { "firmware version", "firmware.fw_version" },
		{ "counter (Hz)", "firmware.counter_hz" }, { "interval (us)", "options.interval_us" },
		{ "priority", "options.priority" },      { "affinity", "options.affinity" },
		{ "dma latency", "options.dma_latency" }, { "load", "load.profile" },
		{ "clock error bound (ns)", "clock.err_bound_ns" }, { "start", "start_time" },
	};
	const char **head = calloc((size_t)n + 2, sizeof(*head));
	const char **cell = calloc((size_t)n + 2, sizeof(*cell));
	char (*buf)[64] = calloc((size_t)n + 2, sizeof(*buf));
	char (*L)[8] = calloc((size_t)n + 1, sizeof(*L));
	size_t k;
	int i;

	if (!head || !cell || !buf || !L)
		goto out;
	head[0] = "setting";
	for (i = 0; i < n; i++) {
		run_letter(i, L[i], sizeof(L[i]));
		head[i + 1] = L[i];
	}
	head[n + 1] = "same?";
	rp_doc_table(d, n + 2, head);
	for (k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		int same = 1;

		cell[0] = rows[k].k;
		for (i = 0; i < n; i++) {
			cell[i + 1] = rp_meta_s(runs[i], rows[k].path, buf[i], sizeof(buf[i]));
			if (i && strcmp(cell[i + 1], cell[1]))
				same = 0;
		}
		/* the clock's error bound and the start are measured, not set: their differing is no finding */
		cell[n + 1] = !strcmp(rows[k].path, "start_time") ? "" :
			      !strcmp(rows[k].path, "clock.err_bound_ns") ? (same ? "yes" : "measured (each run's own)") :
			      same ? "yes" : "DIFFERS";
		rp_doc_row(d, n + 2, cell, 0);
	}
	{
		char (*sz)[128] = calloc((size_t)n, sizeof(*sz));
		int same = 1;

		if (sz) {
			cell[0] = "payload sizes";
			for (i = 0; i < n; i++) {
				rp_sizes_text(runs[i], sz[i], sizeof(sz[i]));
				cell[i + 1] = sz[i];
				if (i && strcmp(sz[i], sz[0]))
					same = 0;
			}
			cell[n + 1] = same ? "yes" : "DIFFERS";
			rp_doc_row(d, n + 2, cell, 0);
			free(sz);
		}
	}
	rp_doc_table_end(d);
out:
	free(head);
	free(cell);
	free(buf);
	free(L);
}

/* A run's load, for the runs table: "mixed: cyclictest max 6800 us, p99 77 us", or "none". */
static void load_text(const struct rplat_run *r, char *buf, size_t n)
{
	const struct rplat_json *all = rplat_json_get(r->load, "cyclictest.all");
	char p[64], b1[32], b2[32];

	rp_meta_s(r, "load.profile", p, sizeof(p));
	if (all && all->type == RPLAT_JSON_OBJ)
		rp_fmt(buf, n, "%s: cyclictest max %s us, p99 %s us", rp_meta_s(r, "load.profile", p, sizeof(p)),
		       rp_json_s(rplat_json_member(all, "max"), b1, sizeof(b1)),
		       rplat_json_member(all, "p99") && rplat_json_member(all, "p99")->type == RPLAT_JSON_NULL ?
			       "beyond the histogram" :
			       rp_json_s(rplat_json_member(all, "p99"), b2, sizeof(b2)));
	else
		rp_fmt(buf, n, "%s", rp_meta_s(r, "load.profile", p, sizeof(p)));
}

/* A run's histogram of one size: its per-size histogram, or the whole run when it measured that size only. */
static const struct rplat_hist *size_hist(const struct rplat_run *r, unsigned size)
{
	const struct rplat_json *s = rplat_json_get(r->meta, "options.sizes");
	int64_t v;

	if (r->nsizes)
		return rplat_run_size_hist(r, size);
	if (s && s->type == RPLAT_JSON_ARR && s->n == 1 && !rplat_json_i64(&s->child[0], &v) && v == (int64_t)size)
		return &r->rtt;
	return NULL;
}

/* Each payload size any run measured: the runs' p50, p99, p99.9 and max of that size, with B - A. */
static void size_tables(struct rp_doc *d, struct rplat_run *const *runs, int n)
{
	static const char *const head[] = { "size", "run", "count", "p50", "p99", "p99.9", "max", "p99 - A" };
	unsigned sizes[64];
	int ns = 0, i, j, k;

	for (i = 0; i < n; i++) {
		const struct rplat_json *os = rplat_json_get(runs[i]->meta, "options.sizes");

		for (j = 0; os && os->type == RPLAT_JSON_ARR && j < (int)os->n; j++) {
			int64_t v;

			if (rplat_json_i64(&os->child[j], &v) || v < 0 || !size_hist(runs[i], (unsigned)v))
				continue;
			for (k = 0; k < ns && sizes[k] != (unsigned)v; k++)
				;
			if (k == ns && ns < 64)
				sizes[ns++] = (unsigned)v;
		}
	}
	for (i = 1; i < ns; i++) /* ascending */
		for (j = i; j > 0 && sizes[j - 1] > sizes[j]; j--) {
			unsigned t = sizes[j];

			sizes[j] = sizes[j - 1];
			sizes[j - 1] = t;
		}
	if (!ns) {
		rp_doc_p(d, "No run records its payload sizes.");
		return;
	}
	rp_doc_table(d, 8, head);
	for (k = 0; k < ns; k++) {
		const struct rplat_hist *ha = size_hist(runs[0], sizes[k]);

		for (i = 0; i < n; i++) {
			const struct rplat_hist *h = size_hist(runs[i], sizes[k]);
			char sz[16], L[8], b[6][48];
			const char *c[8];

			rp_fmt(sz, sizeof(sz), "%u", sizes[k]);
			run_letter(i, L, sizeof(L));
			c[0] = i ? "" : sz;
			c[1] = L;
			if (!h || !h->count) {
				c[2] = "0";
				c[3] = c[4] = c[5] = c[6] = c[7] = "-";
			} else {
				rp_fmt(b[0], sizeof(b[0]), "%llu", (unsigned long long)h->count);
				c[2] = b[0];
				c[3] = rp_ns((double)rplat_hist_percentile(h, 50), b[1], sizeof(b[1]));
				c[4] = rp_ns((double)rplat_hist_percentile(h, 99), b[2], sizeof(b[2]));
				c[5] = rp_ns((double)rplat_hist_percentile(h, 99.9), b[3], sizeof(b[3]));
				c[6] = rp_ns((double)h->max, b[4], sizeof(b[4]));
				if (i && ha && ha->count)
					fmt_delta((double)rplat_hist_percentile(ha, 99), (double)rplat_hist_percentile(h, 99),
						  b[5], sizeof(b[5]));
				else
					rp_fmt(b[5], sizeof(b[5]), "%s", i ? "-" : "");
				c[7] = b[5];
			}
			rp_doc_row(d, 8, c, 0xfc);
		}
	}
	rp_doc_table_end(d);
}

static void stage_table(struct rp_doc *d, struct rplat_run *const *runs, int n)
{
	static const char *const head[] = { "stage", "run", "p50", "p99", "p99.9", "max", "p50 - A", "p99 - A" };
	int s, i, any = 0;

	for (s = 0; s < RPLAT_NSTAGES; s++)
		for (i = 0; i < n; i++)
			any |= runs[i]->has_stage[s];
	if (!any) {
		rp_doc_p(d, "None of the runs has a stage breakdown.");
		return;
	}
	rp_doc_table(d, 8, head);
	for (s = 0; s < RPLAT_NSTAGES; s++)
		for (i = 0; i < n; i++) {
			const struct rplat_hist *h = &runs[i]->stage[s], *ha = &runs[0]->stage[s];
			char L[8], b[6][96];
			const char *c[8];
			int k;

			run_letter(i, L, sizeof(L));
			c[0] = i ? "" : rplat_stage_names[s];
			c[1] = L;
			if (!runs[i]->has_stage[s]) {
				c[2] = c[3] = c[4] = c[5] = c[6] = c[7] = "-";
			} else {
				c[2] = rp_ns((double)rplat_hist_percentile(h, 50), b[0], sizeof(b[0]));
				c[3] = rp_ns((double)rplat_hist_percentile(h, 99), b[1], sizeof(b[1]));
				c[4] = rp_ns((double)rplat_hist_percentile(h, 99.9), b[2], sizeof(b[2]));
				c[5] = rp_ns((double)h->max, b[3], sizeof(b[3]));
				for (k = 0; k < 2; k++) {
					double pa, pb, noise = stage_noise(runs[0], runs[i], s);

					if (!i || !runs[0]->has_stage[s]) {
						rp_fmt(b[4 + k], sizeof(b[4 + k]), "%s", i ? "-" : "");
					} else {
						size_t len;

						pa = (double)rplat_hist_percentile(ha, k ? 99 : 50);
						pb = (double)rplat_hist_percentile(h, k ? 99 : 50);
						fmt_delta(pa, pb, b[4 + k], sizeof(b[4 + k]));
						len = strlen(b[4 + k]);
						if (noise > 0 && fabs(pb - pa) <= noise)
							rp_fmt(b[4 + k] + len, sizeof(b[4 + k]) - len,
							       " within the clock bounds");
					}
					c[6 + k] = b[4 + k];
				}
			}
			rp_doc_row(d, 8, c, 0xfc);
		}
	rp_doc_table_end(d);
	rp_doc_p(d, "Host -> remote and remote -> host are mapped through each run's clock correlation: a difference no "
		    "larger than the two runs' error bounds together is marked 'within the clock bounds' and is not a "
		    "difference the runs can show.");
}

int rplat_compare_write(struct rplat_run *const *runs, int n, const struct rplat_report_opts *o, char *err,
			size_t errlen)
{
	struct rplat_budget *bud = NULL;
	struct rp_out out;
	struct rp_doc d;
	FILE *gp = NULL;
	char title[512];
	int i, rc = -1;

	if (n < 2)
		return rplat_fail(err, errlen, "compare needs at least two runs");
	for (i = 0; i < n; i++)
		if (rplat_run_ping_only(runs[i], err, errlen))
			return -1;
	for (i = 1; i < n; i++)
		if (strcmp(runs[i]->kind, runs[0]->kind) && strcmp(runs[i]->kind, "merged") &&
		    strcmp(runs[0]->kind, "merged"))
			return rplat_fail(err, errlen,
					  "%s is a '%s' run and %s a '%s' run: their latencies measure different things",
					  runs[0]->dir, runs[0]->kind, runs[i]->dir, runs[i]->kind);
	if (o->budget) {
		bud = rplat_budget_load(o->budget, err, errlen);
		if (!bud)
			return -1;
	}
	memset(&d, 0, sizeof(d));
	if (rp_out_begin(&out, o->out_dir, err, errlen)) {
		rplat_budget_free(bud);
		return -1;
	}
	d.out = &out;
	d.png = !o->no_png;
	gp = rp_fopen(&out, "plots.gp", err, errlen);
	if (!gp)
		goto out;
	fprintf(gp, "# rplat compare plots. Redraw them with: cd THIS_DIRECTORY && gnuplot plots.gp\n");
	if (plots(&out, gp, runs, n, d.png, err, errlen))
		goto out;
	if (rp_fclose(gp, "plots.gp", err, errlen)) {
		gp = NULL;
		goto out;
	}
	gp = NULL;
	if (rp_gnuplot(&out, "plots.gp", err, errlen))
		goto out;
	d.h = rp_fopen(&out, "index.html", err, errlen);
	if (!d.h)
		goto out;
	d.m = rp_fopen(&out, "report.md", err, errlen);
	if (!d.m)
		goto out;
	if (o->title)
		rp_fmt(title, sizeof(title), "%s", o->title);
	else if (n == 2)
		rp_fmt(title, sizeof(title), "RPMsg latency: %s vs %s", runs[0]->label, runs[1]->label);
	else
		rp_fmt(title, sizeof(title), "RPMsg latency: %d runs compared", n);
	rp_html_begin(d.h, title);
	fprintf(d.h, "<h1>");
	rp_html_esc(d.h, title);
	fprintf(d.h, "</h1>\n");
	fprintf(d.m, "# ");
	rp_md_esc(d.m, title);
	fprintf(d.m, "\n\n");
	{
		static const char *const head[] = { "", "label", "run directory", "round trips", "of them late", "lost",
						    "kind", "load (cyclictest during the run)" };

		rp_doc_p(&d, "Round-trip latency of %d runs; A is the baseline every delta refers to. Every figure counts "
			     "the answered messages, late replies included; lost ones have no round trip.", n);
		rp_doc_table(&d, 8, head);
		for (i = 0; i < n; i++) {
			char L[8], c1[32], c2[32], c3[32], ld[192];
			const char *c[8];

			run_letter(i, L, sizeof(L));
			rp_fmt(c1, sizeof(c1), "%llu", (unsigned long long)runs[i]->rtt.count);
			rp_fmt(c2, sizeof(c2), "%llu", (unsigned long long)runs[i]->counts.late);
			rp_fmt(c3, sizeof(c3), "%llu", (unsigned long long)runs[i]->counts.lost);
			load_text(runs[i], ld, sizeof(ld));
			c[0] = L;
			c[1] = runs[i]->label;
			c[2] = runs[i]->dir;
			c[3] = c1;
			c[4] = c2;
			c[5] = c3;
			c[6] = runs[i]->kind;
			c[7] = ld;
			rp_doc_row(&d, 8, c, 0x38);
		}
		rp_doc_table_end(&d);
		for (i = 0; i < n; i++)
			if (!runs[i]->verified) {
				char L[8];

				run_letter(i, L, sizeof(L));
				rp_doc_raw(&d, "<div class=\"warn\">", "> ");
				rp_doc_p(&d, "Attention: %s's figures are unverified: %s", L,
					 runs[i]->unverified[0] ? runs[i]->unverified : "samples.tsv was not checked");
				rp_doc_raw(&d, "</div>\n", "\n");
			}
	}
	rp_doc_h(&d, 2, "verdict", "What differs, and how sure that is");
	for (i = 1; i < n; i++)
		statement(&d, runs, i);
	rp_doc_p(&d, "Method: each bootstrap replicate resamples a run with replacement (drawn exactly from its histogram: "
		     "the k-th smallest of n resampled values follows the Beta(k, n+1-k) order statistic of the "
		     "empirical distribution), %d replicates with a fixed seed. Both tests assume independent samples; "
		     "consecutive round trips are correlated in time (bursts), so the intervals and p-values are "
		     "optimistic. Repeat runs and merge them (rplat merge) before trusting a small difference.",
		 BOOT_REPS);
	rp_doc_h(&d, 2, "percentiles", "Percentiles");
	pct_table(&d, runs, n);
	if (rp_doc_figure(&d, "cmp_pct",
			  "Latency at each percentile, per run: where the curves part is where the runs differ; the right "
			  "end is the tail (one message in 10, 100, 1000 ...).",
			  err, errlen) ||
	    rp_doc_figure(&d, "cmp_hist",
			  "The distributions overlaid, each as the share of its own messages per bin, so runs of different "
			  "lengths compare.",
			  err, errlen) ||
	    rp_doc_figure(&d, "cmp_bars", "The same percentiles as bars (log scale).", err, errlen) ||
	    rp_doc_figure(&d, "cmp_time",
			  "Each run's round trips over its course (from samples.tsv, late replies included), overlaid: "
			  "a burst or a drift in one run and not the other shows here, where the distributions hide it.",
			  err, errlen))
		goto out;
	rp_doc_h(&d, 2, "sizes", "Per payload size");
	size_tables(&d, runs, n);
	rp_doc_h(&d, 2, "stages", "Stages");
	stage_table(&d, runs, n);
	rp_doc_h(&d, 2, "messages", "Messages");
	{
		static const char *const head[] = { "run", "sent", "received", "lost", "late", "duplicate",
						    "out of order", "corrupt", "error" };

		rp_doc_table(&d, 9, head);
		for (i = 0; i < n; i++) {
			const uint64_t *c = (const uint64_t *)&runs[i]->counts;
			char L[8], b[8][24];
			const char *cell[9];
			int k;

			run_letter(i, L, sizeof(L));
			cell[0] = L;
			for (k = 0; k < 8; k++) {
				rp_fmt(b[k], sizeof(b[k]), "%llu", (unsigned long long)c[k]);
				cell[k + 1] = b[k];
			}
			rp_doc_row(&d, 9, cell, 0x1fe);
		}
		rp_doc_table_end(&d);
	}
	if (bud) {
		static const char *const head[] = { "run", "verdict", "checks met", "failed", "not measured" };

		rp_doc_h(&d, 2, "budget", "Budget");
		rp_doc_p(&d, "Budget %s:", bud->name);
		rp_doc_table(&d, 5, head);
		for (i = 0; i < n; i++) {
			struct rplat_budget_result res;
			char L[8], b1[16], b2[16], b3[16];
			const char *c[5];

			if (rplat_budget_eval(bud, runs[i], &res)) {
				rplat_fail(err, errlen, "out of memory");
				goto out;
			}
			run_letter(i, L, sizeof(L));
			rp_fmt(b1, sizeof(b1), "%d of %d", res.passed, res.n);
			rp_fmt(b2, sizeof(b2), "%d", res.failed);
			rp_fmt(b3, sizeof(b3), "%d", res.missing);
			c[0] = L;
			c[1] = res.failed + res.missing ? "FAIL" : "PASS";
			c[2] = b1;
			c[3] = b2;
			c[4] = b3;
			rp_doc_row(&d, 5, c, 0x1c);
			rplat_budget_result_free(&res);
		}
		rp_doc_table_end(&d);
	}
	rp_doc_h(&d, 2, "setup", "Setup side by side");
	vm_note(&d, runs, n);
	setup_table(&d, runs, n);
	rp_doc_h(&d, 2, "files", "Files");
	rp_doc_p(&d, "index.html is self-contained; report.md links the plots in plots/; data/ and plots.gp redraw "
		     "them. Each run's own report: rplat report RUN -o DIR.");
	if (rp_doc_finish(&d, &out, err, errlen))
		goto done;
	rc = 0;
	goto done;
out:
	rp_out_abort(&out);
done:
	if (gp)
		fclose(gp);
	if (d.h)
		fclose(d.h);
	if (d.m)
		fclose(d.m);
	rplat_budget_free(bud);
	return rc;
}
