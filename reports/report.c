/* rplat report: an HTML page (inline SVG) and a Markdown page per set of runs, with gnuplot plots.
 * See rplat/report.h. The pass over samples.tsv is the only part that grows with the run; everything
 * else comes from the histograms. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rp.h"
#include "rplat/cmdline.h"
#include "rplat/util.h"

void rplat_report_opts_init(struct rplat_report_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->top = 10;
}

/* ---------------------------------------------------------------- per-run state */

struct rrun {
	const struct rplat_run *r;
	char pfx[16];
	struct rp_scan scan;
	int scanned;
	char scan_err[512];
	struct rplat_budget_result bres;
	int has_budget;
	struct rp_cthist ct;
	int has_ct;
	char ct_err[512];
	int has_time, has_stages, has_dev, has_sizes;
	struct sscan *ss;        /* stream runs: the pass over samples.tsv */
};

static const char *const stage_title[RPLAT_NSTAGES] = { "host -> remote", "remote dispatch", "remote processing",
							"remote -> host" };

/* ---------------------------------------------------------------- plot data and script */

static int write_data(struct rp_doc *d, const char *rel, void (*fn)(FILE *, const void *), const void *arg, char *err,
		      size_t errlen)
{
	FILE *f = rp_fopen(d->out, rel, err, errlen);

	if (!f)
		return -1;
	fn(f, arg);
	return rp_fclose(f, rel, err, errlen);
}

struct histarg {
	const struct rplat_hist *h;
	double lo, hi;
	int norm;
	double empty; /* what an empty bin writes (see rp_write_hist_dat) */
};

static void fn_hist(FILE *f, const void *a)
{
	const struct histarg *x = a;

	rp_write_hist_dat(f, x->h, x->lo, x->hi, 40, x->norm, x->empty);
}

static void fn_pct(FILE *f, const void *a)
{
	rp_write_pct_dat(f, a);
}

/* One series of the over-time plot: a row per non-empty bin. A ping's rows end with the bins' messages
 * without a reply; a stream's min and max are at least 1 ns (log scale). */
struct timearg {
	const struct rp_bin *bin;
	int nbins;
	double binw;       /* ns, or messages when by_index */
	int by_index;
	int stream;
};

static void fn_time(FILE *f, const void *a)
{
	const struct timearg *x = a;
	int i;

	fprintf(f, x->stream ? "# t_s\tmin_us\tmean_us\tmax_us\tn\n" : "# x\tmin_us\tmean_us\tmax_us\tn\tno_reply\n");
	for (i = 0; i < x->nbins; i++) {
		const struct rp_bin *b = &x->bin[i];
		double bx = ((double)i + 0.5) * x->binw;
		int64_t mn = b->min, mx = b->max;

		if (!b->n) {
			/* a blank line: gnuplot breaks the band and the line over bins without a reply */
			if (i && x->bin[i - 1].n)
				fprintf(f, "\n");
			continue;
		}
		if (x->stream) {
			mn = mn < 1 ? 1 : mn;
			mx = mx < 1 ? 1 : mx;
		}
		fprintf(f, "%.9g\t%.6g\t%.6g\t%.6g\t%llu", x->by_index ? bx : bx / 1e9, (double)mn / 1e3,
			b->sum / (double)b->n / 1e3, (double)mx / 1e3, (unsigned long long)b->n);
		if (!x->stream)
			fprintf(f, "\t%llu", (unsigned long long)b->bad);
		fprintf(f, "\n");
	}
}

static void fn_outliers(FILE *f, const void *a)
{
	const struct rp_scan *s = a;
	int i;

	fprintf(f, "# x\trtt_us\tlabel\n");
	for (i = 0; i < s->nout; i++)
		fprintf(f, "%.9g\t%.6g\tseq %llu\n", rp_x_of(s, &s->out[i], s->out[i].index),
			(double)s->out[i].rtt / 1e3, (unsigned long long)s->out[i].seq);
}

/* The lost messages' x, each at height y (above the data), for the over-time plot. */
struct lostarg {
	const char *xname; /* the x column's name */
	const double *x;
	int n;
	double y;
	const double *ys;  /* or each point's own height, ns (the late replies' round trips) */
};

static void fn_lost(FILE *f, const void *a)
{
	const struct lostarg *x = a;
	int i;

	fprintf(f, "# %s\ty\n", x->xname);
	for (i = 0; i < x->n; i++)
		fprintf(f, "%.9g\t%.6g\n", x->x[i], x->ys ? x->ys[i] / 1e3 : x->y);
}

static void fn_stages(FILE *f, const void *a)
{
	const struct rplat_run *r = a;
	int i, k;

	fprintf(f, "# stage\tp50_us\tp99_us\tp99.9_us\tmax_us\n");
	for (i = -1; i < RPLAT_NSTAGES; i++) {
		const struct rplat_hist *h = i < 0 ? &r->rtt : &r->stage[i];
		double v[4];

		if (i >= 0 && !r->has_stage[i])
			continue;
		if (!h->count)
			continue;
		v[0] = (double)rplat_hist_percentile(h, 50);
		v[1] = (double)rplat_hist_percentile(h, 99);
		v[2] = (double)rplat_hist_percentile(h, 99.9);
		v[3] = (double)h->max;
		fprintf(f, "%s", i < 0 ? "round trip" : stage_title[i]);
		for (k = 0; k < 4; k++)
			fprintf(f, "\t%.6g", v[k] / 1e3 < 0.001 ? 0.001 : v[k] / 1e3);
		fprintf(f, "\n");
	}
}

static void fn_load(FILE *f, const void *a)
{
	const struct rp_cthist *c = a;
	int i, t;

	fprintf(f, "# us");
	for (t = 0; t < c->nthreads; t++)
		fprintf(f, "\tthread%d", t);
	fprintf(f, "\n");
	int last = -1;

	for (i = 0; i < c->nrows; i++)
		for (t = 0; t < c->nthreads; t++)
			if (c->count[(size_t)i * 64 + (size_t)t])
				last = i;
	/* empty buckets as 0.5: below the plot's y range, so a step drops to the axis instead of holding */
	for (i = 0; i <= last; i++) {
		fprintf(f, "%d", c->us[i]);
		for (t = 0; t < c->nthreads; t++) {
			uint64_t v = c->count[(size_t)i * 64 + (size_t)t];

			if (v)
				fprintf(f, "\t%llu", (unsigned long long)v);
			else
				fprintf(f, "\t0.5");
		}
		fprintf(f, "\n");
	}
}

static int file_nonempty_rows(const struct rp_out *o, const char *rel)
{
	char p[PATH_MAX + 256], line[256];
	FILE *f;
	int n = 0;

	rp_fmt(p, sizeof(p), "%s/%s", o->tmp, rel);
	f = fopen(p, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (line[0] != '#' && line[0] != '\n')
			n++;
	fclose(f);
	return n;
}

/* A dashed vertical line at x_us on a log x axis [lo, hi], labelled on the side with more room. */
static void gp_vline(FILE *gp, int id, double x_us, double lo, double hi, const char *label, const char *color,
		     double ypos)
{
	double frac = (log(x_us) - log(lo)) / (log(hi) - log(lo));

	fprintf(gp, "set arrow %d from %.6g, graph 0 to %.6g, graph 1 nohead dt 2 lw 1.5 lc rgb '%s'\n", id, x_us, x_us,
		color);
	fprintf(gp, "set label %d ", id);
	rp_gp_str(gp, label);
	fprintf(gp, " at %.6g, graph %.2f %s tc rgb '%s' font ',10'\n", x_us, ypos,
		frac > 0.7 ? "right offset -0.4,0" : "left offset 0.4,0", color);
}

/* data/PFX_pct_SHORT.dat for each of the n histograms h[i] that the run has (has[i]). */
static int write_pct_files(struct rp_doc *d, const char *pfx, const struct rplat_hist *h, const int *has,
			   const char *const *shortn, int n, char *err, size_t errlen)
{
	char rel[128];
	int i;

	for (i = 0; i < n; i++) {
		if (!has[i])
			continue;
		rp_fmt(rel, sizeof(rel), "data/%s_pct_%s.dat", pfx, shortn[i]);
		if (write_data(d, rel, fn_pct, &h[i], err, errlen))
			return -1;
	}
	return 0;
}

/* The percentile plot's settings, up to its x tics. */
static void gp_pct_begin(FILE *gp, const char *name, const char *ylabel)
{
	rp_gp_begin(gp, name, 960, 420);
	fprintf(gp, "set title 'Latency by percentile (HdrHistogram style): the tail, stage by stage'\n");
	fprintf(gp, "set logscale xy\nset format y '%%g'\nset xlabel 'percentile'\nset ylabel '%s'\n", ylabel);
	fprintf(gp, "set key outside right top vertical\n");
}

/* The load context: cyclictest's histogram from RUN/load/, when the run was loaded. */
static int plot_load(struct rp_doc *d, FILE *gp, struct rrun *rr, char *err, size_t errlen)
{
	const struct rplat_run *r = rr->r;
	char rel[128], name[64];
	int i;

	if (rr->has_ct) {
		const struct rplat_json *th = r->load ? rplat_json_get(r->load, "cyclictest.threads") : NULL;

		rp_fmt(rel, sizeof(rel), "data/%s_load.dat", rr->pfx);
		if (write_data(d, rel, fn_load, &rr->ct, err, errlen))
			return -1;
		rp_fmt(name, sizeof(name), "%s_load", rr->pfx);
		rp_gp_begin(gp, name, 960, 340);
		fprintf(gp, "set title ");
		{
			char t[256];

			rp_fmt(t, sizeof(t), "Load context: cyclictest wakeup latency during the run (load %s)",
			       r->load ? rp_json_s(rplat_json_member(r->load, "profile"), t + 200, 50) : "?");
			rp_gp_str(gp, t);
		}
		{
			uint64_t over = 0;

			for (i = 0; i < rr->ct.nthreads && i < 64; i++)
				over += rr->ct.overflows[i];
			if (over)
				fprintf(gp, "\nset label 20 '%llu wakeups beyond the histogram (see the table)' at graph 0.98, graph 0.6 "
				    "right tc rgb '#555555'", (unsigned long long)over);
		}
		fprintf(gp, "\nset logscale y\nset xlabel 'cyclictest latency (us, 1 us bins)'\n"
			    "set ylabel 'wakeups (log scale)'\nset key outside right top vertical\nset yrange [0.7:*]\n");
		fprintf(gp, "plot ");
		for (i = 0; i < rr->ct.nthreads; i++) {
			char cpu[32] = "";
			int64_t c;

			if (th && th->type == RPLAT_JSON_ARR && (size_t)i < th->n &&
			    !rplat_json_i64(rplat_json_member(&th->child[i], "cpu"), &c))
				rp_fmt(cpu, sizeof(cpu), "CPU %lld", (long long)c);
			else
				rp_fmt(cpu, sizeof(cpu), "thread %d", i);
			fprintf(gp, "%s'%s' using 1:%d with steps lw 1.4 lc rgb '%s' title '%s'", i ? ", " : "", rel,
				i + 2, rp_colors[i % 8], cpu);
		}
		fprintf(gp, "\n");
		rp_gp_end(gp, name, 960, 340, d->png);
	}
	return 0;
}

static int run_plots(struct rp_doc *d, FILE *gp, struct rrun *rr, char *err, size_t errlen)
{
	const struct rplat_run *r = rr->r;
	char rel[128], name[64], ps[4][32];
	double lo, hi;
	const struct rplat_hist *hp[1] = { &r->rtt };
	int i;

	rp_hist_range_us(hp, 1, &lo, &hi);
	/* histogram */
	{
		struct histarg ha = { &r->rtt, lo, hi, 0, -1 };
		double p50 = (double)rplat_hist_percentile(&r->rtt, 50) / 1e3,
		       p99 = (double)rplat_hist_percentile(&r->rtt, 99) / 1e3,
		       p999 = (double)rplat_hist_percentile(&r->rtt, 99.9) / 1e3, mx = (double)r->rtt.max / 1e3;

		rp_fmt(rel, sizeof(rel), "data/%s_hist.dat", rr->pfx);
		if (write_data(d, rel, fn_hist, &ha, err, errlen))
			return -1;
		rp_fmt(name, sizeof(name), "%s_hist", rr->pfx);
		rp_gp_begin(gp, name, 960, 380);
		fprintf(gp, "set title 'Round-trip latency: how often each value occurred'\n");
		fprintf(gp, "set logscale xy\nset format x '%%g'\nset xrange [%g:%g]\nset yrange [0.7:*]\n", lo, hi);
		fprintf(gp, "set xlabel 'round trip (us, log scale; bins 1/40 decade wide)'\n"
			    "set ylabel 'messages per bin (log scale)'\n");
		fprintf(gp, "set style fill solid 0.6 noborder\nset key outside right top vertical\n");
		if (r->rtt.count) {
			rp_fmt(ps[0], sizeof(ps[0]), "p50 %.4g us", p50);
			rp_fmt(ps[1], sizeof(ps[1]), "p99 %.4g us", p99);
			rp_fmt(ps[2], sizeof(ps[2]), "p99.9 %.4g us", p999);
			rp_fmt(ps[3], sizeof(ps[3]), "max %.4g us", mx);
			gp_vline(gp, 1, p50, lo, hi, ps[0], "#2ca02c", 0.95);
			gp_vline(gp, 2, p99, lo, hi, ps[1], "#ff7f0e", 0.88);
			gp_vline(gp, 3, p999, lo, hi, ps[2], "#d62728", 0.81);
			gp_vline(gp, 4, mx, lo, hi, ps[3], "#7f0000", 0.74);
		}
		if (file_nonempty_rows(d->out, rel))
			fprintf(gp, "plot '%s' using 1:2:3:4:(0.7):2 with boxxyerror lc rgb '#1f77b4' "
				    "title 'round trips'\n", rel);
		else
			fprintf(gp, "set label 10 'no round trips measured' at graph 0.4, graph 0.5\n"
				    "plot 1 notitle lc rgb '#ffffff'\n");
		rp_gp_end(gp, name, 960, 380, d->png);
	}
	/* percentiles */
	rp_fmt(rel, sizeof(rel), "data/%s_pct_rtt.dat", rr->pfx);
	if (write_data(d, rel, fn_pct, &r->rtt, err, errlen))
		return -1;
	if (write_pct_files(d, rr->pfx, r->stage, r->has_stage, rplat_stage_short, RPLAT_NSTAGES, err, errlen))
		return -1;
	rp_fmt(name, sizeof(name), "%s_pct", rr->pfx);
	gp_pct_begin(gp, name, "latency (us, log scale)");
	rp_gp_pct_xtics(gp, r->rtt.count);
	if (r->rtt.count) {
		fprintf(gp, "plot 'data/%s_pct_rtt.dat' using 1:2 with steps lw 2.5 lc rgb '#1f77b4' title 'round trip'",
			rr->pfx);
		for (i = 0; i < RPLAT_NSTAGES; i++)
			if (r->has_stage[i])
				fprintf(gp, ", 'data/%s_pct_%s.dat' using 1:2 with steps lw 1.4 dt %d lc rgb '%s' title '%s'",
					rr->pfx, rplat_stage_short[i], 2 + i % 3, rp_colors[1 + i], stage_title[i]);
		fprintf(gp, "\n");
	} else {
		fprintf(gp, "set yrange [1:10]\nplot 1 notitle lc rgb '#ffffff'\n");
	}
	rp_gp_end(gp, name, 960, 420, d->png);
	/* over time */
	if (rr->scanned && rr->scan.samples) {
		struct lostarg la = { "x", rr->scan.lost_x, rr->scan.nlost, (double)r->rtt.max / 1e3 * 1.6, NULL };
		struct lostarg lt = { "x", rr->scan.late_x, rr->scan.nlate, 0, rr->scan.late_y };
		char rel2[128], rel3[128], rel4[128];
		int first = 1;
		double bw = rr->scan.binw;
		char bws[48];

		if (la.y <= 0)
			la.y = 1000;
		rp_fmt(rel, sizeof(rel), "data/%s_time.dat", rr->pfx);
		rp_fmt(rel2, sizeof(rel2), "data/%s_outliers.dat", rr->pfx);
		rp_fmt(rel3, sizeof(rel3), "data/%s_lost.dat", rr->pfx);
		rp_fmt(rel4, sizeof(rel4), "data/%s_late.dat", rr->pfx);
		struct timearg ta = { rr->scan.bin, rr->scan.nbins, rr->scan.binw, rr->scan.by_index, 0 };

		if (write_data(d, rel, fn_time, &ta, err, errlen) ||
		    write_data(d, rel2, fn_outliers, &rr->scan, err, errlen) ||
		    write_data(d, rel3, fn_lost, &la, err, errlen) || write_data(d, rel4, fn_lost, &lt, err, errlen))
			return -1;
		if (rr->scan.by_index)
			rp_fmt(bws, sizeof(bws), "%.0f messages", bw);
		else
			rplat_fmt_ns(bw, bws, sizeof(bws));
		rp_fmt(name, sizeof(name), "%s_time", rr->pfx);
		rp_gp_begin(gp, name, 960, 380);
		fprintf(gp, "set title 'Round-trip latency over the run'\nset logscale y\nset format y '%%g'\n");
		fprintf(gp, "set xlabel '%s'\nset ylabel 'round trip (us, log scale)'\n",
			rr->scan.by_index ? "message (merged runs, in order, warm-up excluded)" : "time into the run (s)");
		/* the x axis ends with the run (gnuplot would round it up to the next tic) */
		fprintf(gp, "set xrange [0:%.9g]\n", rr->scan.x_end > 0 ? rr->scan.x_end : 1);
		fprintf(gp, "set style fill transparent solid 0.45 noborder\nset key outside right top vertical\n");
		fprintf(gp, "plot ");
		if (file_nonempty_rows(d->out, rel)) {
			fprintf(gp, "'%s' using 1:2:4 with filledcurves lc rgb '#9ecae1' title 'min..max per %s', "
				    "'' using 1:3 with lines lw 1.2 lc rgb '#1f77b4' title 'mean'",
				rel, bws);
			first = 0;
		}
		/* late replies under the slowest, small: they can be thousands */
		if (rr->scan.nlate) {
			fprintf(gp, "%s'%s' using 1:2 with points pt 9 ps 0.35 lc rgb '#fdae6b' title 'late reply (%llu)'",
				first ? "" : ", ", rel4, (unsigned long long)rr->scan.status[RPLAT_RS_LATE]);
			first = 0;
		}
		if (rr->scan.nout) {
			fprintf(gp, "%s'%s' using 1:2 with points pt 7 ps 0.8 lc rgb '#d62728' title 'the %d slowest', "
				    "'' every ::0::2 using 1:2:3 with labels offset 0,0.9 font ',9' tc rgb '#d62728' notitle",
				first ? "" : ", ", rel2, rr->scan.nout);
			first = 0;
		}
		if (rr->scan.nlost) {
			fprintf(gp, "%s'%s' using 1:2 with points pt 2 ps 1.2 lc rgb '#000000' title 'no reply (lost)'",
				first ? "" : ", ", rel3);
			first = 0;
		}
		if (first)
			fprintf(gp, "1 notitle lc rgb '#ffffff'");
		fprintf(gp, "\n");
		rp_gp_end(gp, name, 960, 380, d->png);
		rr->has_time = 1;
	}
	/* stages */
	{
		int any = 0;

		for (i = 0; i < RPLAT_NSTAGES; i++)
			any |= r->has_stage[i];
		if (any && r->rtt.count) {
			rp_fmt(rel, sizeof(rel), "data/%s_stages.dat", rr->pfx);
			if (write_data(d, rel, fn_stages, r, err, errlen))
				return -1;
			rp_fmt(name, sizeof(name), "%s_stages", rr->pfx);
			rp_gp_begin(gp, name, 960, 380);
			fprintf(gp, "set title 'Where the time goes: each stage of the round trip'\n");
			fprintf(gp, "set style data histograms\nset style histogram clustered gap 1\n"
				    "set style fill solid 0.85 border -1\nset logscale y\nset format y '%%g'\n"
				    "set ylabel 'us (log scale)'\nset key outside right top vertical\nset grid ytics\n");
			fprintf(gp, "plot '%s' using 2:xtic(1) title 'p50' lc rgb '#2ca02c', '' using 3 title 'p99' "
				    "lc rgb '#ff7f0e', '' using 4 title 'p99.9' lc rgb '#d62728', '' using 5 title 'max' "
				    "lc rgb '#7f0000'\n", rel);
			rp_gp_end(gp, name, 960, 380, d->png);
			rr->has_stages = 1;
		}
	}
	/* per payload size: one percentile curve each */
	if (r->nsizes > 1) {
		for (i = 0; i < r->nsizes; i++) {
			rp_fmt(rel, sizeof(rel), "data/%s_pct_size%u.dat", rr->pfx, r->sizes[i].size);
			if (write_data(d, rel, fn_pct, &r->sizes[i].hist, err, errlen))
				return -1;
		}
		rp_fmt(name, sizeof(name), "%s_sizes", rr->pfx);
		rp_gp_begin(gp, name, 960, 420);
		fprintf(gp, "set title 'Round trip by percentile, one curve per payload size'\n");
		fprintf(gp, "set logscale xy\nset format y '%%g'\nset xlabel 'percentile'\n"
			    "set ylabel 'round trip (us, log scale)'\nset key outside right top vertical\n");
		rp_gp_pct_xtics(gp, r->rtt.count);
		fprintf(gp, "plot ");
		for (i = 0; i < r->nsizes; i++)
			fprintf(gp, "%s'data/%s_pct_size%u.dat' using 1:2 with steps lw 1.8 lc rgb '%s' title '%u bytes (%llu)'",
				i ? ", " : "", rr->pfx, r->sizes[i].size, rp_colors[i % 8], r->sizes[i].size,
				(unsigned long long)r->sizes[i].hist.count);
		fprintf(gp, "\n");
		rp_gp_end(gp, name, 960, 420, d->png);
		rr->has_sizes = 1;
	}
	return plot_load(d, gp, rr, err, errlen);
}

/* ---------------------------------------------------------------- the page, per run */

static void stats_row(struct rp_doc *d, const char *name, const struct rplat_hist *h, const char *extra)
{
	char b[10][32];
	const char *c[12];
	int i;

	c[0] = name;
	c[11] = extra;
	if (!h->count) {
		c[1] = "0";
		for (i = 2; i < 11; i++)
			c[i] = "-";
		rp_doc_row(d, 12, c, 0x7fe);
		return;
	}
	rp_fmt(b[0], sizeof(b[0]), "%llu", (unsigned long long)h->count);
	rp_ns((double)h->min, b[1], sizeof(b[1]));
	rp_ns(rplat_hist_mean(h), b[2], sizeof(b[2]));
	rp_ns((double)rplat_hist_percentile(h, 50), b[3], sizeof(b[3]));
	rp_ns((double)rplat_hist_percentile(h, 90), b[4], sizeof(b[4]));
	rp_ns((double)rplat_hist_percentile(h, 99), b[5], sizeof(b[5]));
	rp_ns((double)rplat_hist_percentile(h, 99.9), b[6], sizeof(b[6]));
	rp_ns((double)rplat_hist_percentile(h, 99.99), b[7], sizeof(b[7]));
	rp_ns((double)h->max, b[8], sizeof(b[8]));
	rp_ns(rplat_hist_stddev(h), b[9], sizeof(b[9]));
	for (i = 0; i < 10; i++)
		c[i + 1] = b[i];
	rp_doc_row(d, 12, c, 0x7fe);
}

/* A jitter row: max - min (exact), p99 - p50 and p99.9 - p50 (each percentile within its bucket, so the
 * difference is given with the range it certainly lies in), stddev (exact). */
static void jitter_row(struct rp_doc *d, const char *name, const struct rplat_hist *h)
{
	static const double hp[] = { 99, 99.9 };
	char b[4][96];
	const char *c[5];
	uint64_t lo50, hi50;
	int k;

	if (!h->count)
		return;
	rplat_hist_percentile_range(h, 50, &lo50, &hi50);
	rp_ns((double)(h->max - h->min), b[0], sizeof(b[0]));
	for (k = 0; k < 2; k++) {
		uint64_t lo, hi;
		double mid = (double)rplat_hist_percentile(h, hp[k]) - (double)rplat_hist_percentile(h, 50);
		char s1[32], s2[32], s3[32];

		rplat_hist_percentile_range(h, hp[k], &lo, &hi);
		if (lo == hi && lo50 == hi50)
			rp_fmt(b[1 + k], sizeof(b[1 + k]), "%s", rp_ns(mid, s1, sizeof(s1)));
		else
			rp_fmt(b[1 + k], sizeof(b[1 + k]), "%s (%s..%s)", rp_ns(mid, s1, sizeof(s1)),
			       rp_ns((double)lo - (double)hi50 > 0 ? (double)lo - (double)hi50 : 0, s2, sizeof(s2)),
			       rp_ns((double)hi - (double)lo50, s3, sizeof(s3)));
	}
	rp_ns(rplat_hist_stddev(h), b[3], sizeof(b[3]));
	c[0] = name;
	c[1] = b[0];
	c[2] = b[1];
	c[3] = b[2];
	c[4] = b[3];
	rp_doc_row(d, 5, c, 0x1e);
}

static const char *const jitter_head[] = { "figure", "max - min", "p99 - p50", "p99.9 - p50", "stddev" };

static void section_jitter(struct rp_doc *d, const struct rplat_run *r)
{
	int i;

	rp_doc_table(d, 5, jitter_head);
	jitter_row(d, "round trip", &r->rtt);
	for (i = 0; i < RPLAT_NSTAGES; i++)
		if (r->has_stage[i])
			jitter_row(d, rplat_stage_names[i], &r->stage[i]);
	for (i = 0; i < r->nsizes; i++) {
		char nm[32];

		rp_fmt(nm, sizeof(nm), "rtt, %u bytes", r->sizes[i].size);
		jitter_row(d, nm, &r->sizes[i].hist);
	}
	if (r->has_send_wakeup)
		jitter_row(d, "send_wakeup", &r->send_wakeup);
	rp_doc_table_end(d);
	rp_doc_p(d, "Jitter: the spread of each figure. max - min and stddev are exact; a percentile difference is "
		    "the difference of the bucket midpoints, with the range it certainly lies in (each percentile is "
		    "known to its histogram bucket).");
}

static void section_stats(struct rp_doc *d, const struct rplat_run *r)
{
	static const char *const head[] = { "figure", "count", "min", "avg", "p50", "p90", "p99", "p99.9", "p99.99",
					    "max", "stddev", "note" };
	double eb;
	char note[96];
	int i;

	rp_doc_table(d, 12, head);
	stats_row(d, "round trip", &r->rtt, "");
	for (i = 0; i < RPLAT_NSTAGES; i++) {
		char key[96];

		if (!r->has_stage[i])
			continue;
		rp_fmt(key, sizeof(key), "summary.stages.%s.err_bound_ns", rplat_stage_names[i]);
		eb = rplat_run_num(r, key, -1);
		if (eb >= 0) {
			char e[32];

			rp_fmt(note, sizeof(note), "%s; +-%s clock error", stage_title[i], rp_ns(eb, e, sizeof(e)));
		} else {
			rp_fmt(note, sizeof(note), "%s", stage_title[i]);
		}
		stats_row(d, rplat_stage_names[i], &r->stage[i], note);
	}
	for (i = 0; i < r->nsizes; i++) {
		char nm[32];

		rp_fmt(nm, sizeof(nm), "rtt, %u bytes", r->sizes[i].size);
		stats_row(d, nm, &r->sizes[i].hist, "");
	}
	if (r->has_send_wakeup)
		stats_row(d, "send_wakeup", &r->send_wakeup, "sender wakeup, not in the round trip");
	rp_doc_table_end(d);
	for (i = 0; i < RPLAT_NSTAGES; i++)
		if (r->has_stage[i] && r->stage[i].underflow)
			rp_doc_p(d,
			      "%s: %llu values came out below zero (within the clock error bound) and are counted as 0.",
			      rplat_stage_names[i], (unsigned long long)r->stage[i].underflow);
	rp_doc_p(d, "The round trip is measured by the host's CLOCK_MONOTONIC from just before the send to just after the "
		 "reply is read. Remote dispatch and processing come from the probe's own cycle counter; host -> remote "
		 "and remote -> host need the remote counter mapped onto host time, so they carry the clock "
		 "correlation's error bound. Percentiles come from log-linear histograms (<= 0.8%% error); min and max "
		 "are exact.");
}

/* A one-row table of n (<= 8) counters under their headings, every cell numeric. */
static void counts_table(struct rp_doc *d, int n, const char *const *head, const uint64_t *c)
{
	char b[8][24];
	const char *cell[8];
	int i;

	rp_doc_table(d, n, head);
	for (i = 0; i < n; i++) {
		rp_fmt(b[i], sizeof(b[i]), "%llu", (unsigned long long)c[i]);
		cell[i] = b[i];
	}
	rp_doc_row(d, n, cell, (1u << n) - 1);
	rp_doc_table_end(d);
}

static void section_counts(struct rp_doc *d, const struct rplat_run *r, const struct rp_scan *s)
{
	static const char *const head[] = { "sent", "received", "lost", "late", "duplicate", "out of order",
					    "corrupt", "error" };

	counts_table(d, 8, head, (const uint64_t *)&r->counts);
	if (r->has_warmup && r->warmup)
		rp_doc_p(d, "Before these, %llu warm-up messages (--warm-up) were sent and measured; they are in no figure.",
			 (unsigned long long)r->warmup);
	if (rplat_json_get(r->meta, "counts.skipped_slots") && rplat_run_num(r, "counts.skipped_slots", 0) > 0)
		rp_doc_p(d, "%.0f send-grid slots passed while a reply was still out and were skipped (never sent late in "
			    "a burst): the link was slower than the interval at those times.",
			 rplat_run_num(r, "counts.skipped_slots", 0));
	if (s && s->samples && s->samples != r->counts.sent)
		rp_doc_p(d, "Note: samples.tsv holds %llu lines for %llu messages sent.", (unsigned long long)s->samples,
		      (unsigned long long)r->counts.sent);
	rp_doc_p(d, "Lost: no reply at all. Late: the reply came after the timeout; its round trip is known and counts "
		 "in every latency figure and histogram of this report (it is also counted here). Every kind is "
		 "reflected in the exit status of the run.");
}

/* Index of the stage with the largest excess over its median, or -1. */
static int dominant_stage(const struct rplat_run *r, const struct rplat_sample *s, double *excess)
{
	int i, best = -1;
	double bx = 0;

	for (i = 0; i < RPLAT_NSTAGES; i++) {
		double x;

		if (s->stage[i] == RPLAT_NA || !r->has_stage[i])
			continue;
		x = (double)s->stage[i] - (double)rplat_hist_percentile(&r->stage[i], 50);
		if (best < 0 || x > bx) {
			best = i;
			bx = x;
		}
	}
	*excess = bx;
	return best;
}

static const struct rplat_json *analysis_outlier(const struct rplat_run *r, uint64_t seq)
{
	const struct rplat_json *o = r->analysis ? rplat_json_member(r->analysis, "outliers") : NULL;
	size_t i;

	if (!o || o->type != RPLAT_JSON_ARR)
		return NULL;
	for (i = 0; i < o->n; i++) {
		int64_t v;

		if (!rplat_json_i64(rplat_json_member(&o->child[i], "seq"), &v) && (uint64_t)v == seq)
			return &o->child[i];
	}
	return NULL;
}

/* The trace's verdict on an outlier (a from analysis_outlier), or why there is none. */
static void outlier_verdict(const struct rplat_json *a, int with_trace, char *verdict, size_t len)
{
	if (a) {
		const struct rplat_json *dj = rplat_json_member(a, "dominant_stage");
		const char *v = rplat_json_str(rplat_json_member(a, "verdict"));
		char tmp[64];

		rp_fmt(verdict, len, "%s%s%s", dj ? rp_json_s(dj, tmp, sizeof(tmp)) : "", dj && v ? ": " : "",
		       v ? v : "");
	} else if (with_trace) {
		rp_fmt(verdict, len, "(not among the trace's outliers)");
	}
}

/* A merged run's source 'run' (the samples.tsv column) as "label, dir", from run.json's sources (nested
 * merges number their own sources from their entry's run); NULL when not recorded. */
static const char *source_in(const struct rplat_json *src, int run, char *buf, size_t n)
{
	size_t i;

	for (i = 0; src && src->type == RPLAT_JSON_ARR && i < src->n; i++) {
		const struct rplat_json *e = &src->child[i], *sub = rplat_json_member(e, "sources");
		int64_t base;

		if (rplat_json_i64(rplat_json_member(e, "run"), &base) || run < base)
			continue;
		if (sub) {
			const char *x = source_in(sub, (int)(run - base), buf, n);

			if (x)
				return x;
			continue;
		}
		if (run == base) {
			const char *l = rplat_json_str(rplat_json_member(e, "label"));
			const char *dd = rplat_json_str(rplat_json_member(e, "dir"));

			rp_fmt(buf, n, "%s%s%s", l ? l : "", l && dd ? ", " : "", dd ? dd : "");
			return buf;
		}
	}
	return NULL;
}

static void section_outliers(struct rp_doc *d, const struct rrun *rr, int top)
{
	static const char *const head[] = { "#", "seq", "at", "size", "round trip", "h2r", "dispatch", "proc", "r2h",
					    "dominant (excess over its median)", "trace verdict" };
	const struct rplat_run *r = rr->r;
	const struct rp_scan *s = &rr->scan;
	int i, k, n = s->nout < top ? s->nout : top, with_trace = r->analysis != NULL;

	if (!rr->scanned) {
		rp_doc_p(d, "No per-message samples: %s", rr->scan_err[0] ? rr->scan_err : "the run has no samples.tsv.");
		return;
	}
	if (!n) {
		rp_doc_p(d, "No answered messages to list.");
		return;
	}
	rp_doc_table(d, with_trace ? 11 : 10, head);
	for (i = 0; i < n; i++) {
		const struct rplat_sample *sm = &s->out[i];
		char b[10][48], dom[96], verdict[700] = "", at[320];
		const char *c[11];
		const struct rplat_json *a = analysis_outlier(r, sm->seq);
		double ex;
		int ds = dominant_stage(r, sm, &ex);

		rp_fmt(b[0], sizeof(b[0]), "%d", i + 1);
		rp_fmt(b[1], sizeof(b[1]), "%llu", (unsigned long long)sm->seq);
		if (s->by_index) {
			char sb[256];
			const char *src = source_in(rplat_json_member(r->meta, "sources"), sm->run, sb, sizeof(sb));

			if (sm->run >= 0 && sm->run < RP_MAXRUNS && s->have_run_t0[sm->run])
				rp_fmt(at, sizeof(at), "run %d (%s), %.3f s into it", sm->run, src ? src : "?",
				       (double)(sm->t_send - s->run_t0[sm->run]) / 1e9);
			else
				rp_fmt(at, sizeof(at), "run %d (%s)", sm->run, src ? src : "?");
		} else {
			rp_fmt(at, sizeof(at), "%.3f s", (double)(sm->t_send - s->t0) / 1e9);
		}
		rp_fmt(b[3], sizeof(b[3]), "%u", sm->size);
		rp_ns((double)sm->rtt, b[4], sizeof(b[4]));
		if (sm->status == RPLAT_RS_LATE) {
			size_t bl = strlen(b[4]);

			rp_fmt(b[4] + bl, sizeof(b[4]) - bl, " (late)");
		}
		for (k = 0; k < RPLAT_NSTAGES; k++)
			if (sm->stage[k] == RPLAT_NA)
				rp_fmt(b[5 + k], sizeof(b[5 + k]), "-");
			else
				rp_ns((double)sm->stage[k], b[5 + k], sizeof(b[5 + k]));
		if (ds >= 0) {
			char e[32];

			rp_fmt(dom, sizeof(dom), "%s (+%s)", stage_title[ds], rp_ns(ex, e, sizeof(e)));
		} else {
			rp_fmt(dom, sizeof(dom), "-");
		}
		outlier_verdict(a, with_trace, verdict, sizeof(verdict));
		c[0] = b[0];
		c[1] = b[1];
		c[2] = at;
		c[3] = b[3];
		c[4] = b[4];
		for (k = 0; k < 4; k++)
			c[5 + k] = b[5 + k];
		c[9] = dom;
		c[10] = verdict;
		rp_doc_row(d, with_trace ? 11 : 10, c, 0x1fe);
	}
	rp_doc_table_end(d);
	rp_doc_p(d, "The dominant stage is the one that exceeded its own median by the most in that message: where to look "
		 "first.%s",
	      with_trace ? " The trace verdicts come from the run's ftrace analysis (trace/analysis.json)." :
			   " Run with tracing (rplat trace) to get, for each outlier, what ran on the CPUs meanwhile.");
}

/* The trace analysis' stage table, stages as analysis.json lists them (a ping's or a stream's). */
static void section_trace_stages(struct rp_doc *d, const struct rplat_run *r)
{
	static const char *const head[] = { "stage", "from -> to", "count", "not seen", "p50", "p99", "p99.9", "max" };
	const struct rplat_json *st = rplat_json_member(r->analysis, "stages");
	const char *lat = rplat_json_str(rplat_json_member(r->analysis, "latency"));
	size_t i;

	if (!st || st->type != RPLAT_JSON_OBJ || !st->n)
		return;
	if (lat)
		rp_doc_p(d, "The trace cut each message's latency (%s) into stages:", lat);
	rp_doc_table(d, 8, head);
	for (i = 0; i < st->n; i++) {
		const struct rplat_json *x = &st->child[i], *stats = rplat_json_member(x, "stats");
		static const char *const keys[] = { "count", "p50", "p99", "p99.9", "max" };
		char ft[128], b[6][32], f1[32], f2[32], nsn[32];
		const char *c[8], *label = rplat_json_str(rplat_json_member(x, "label"));
		int k;

		rp_fmt(ft, sizeof(ft), "%s -> %s", rp_json_s(rplat_json_member(x, "from"), f1, sizeof(f1)),
		       rp_json_s(rplat_json_member(x, "to"), f2, sizeof(f2)));
		rp_fmt(b[5], sizeof(b[5]), "%s", x->key ? x->key : "?");
		c[0] = label ? label : b[5];
		c[1] = ft;
		c[3] = rp_json_s(rplat_json_member(x, "not_seen"), nsn, sizeof(nsn));
		for (k = 0; k < 5; k++) {
			double v;

			if (rplat_json_num(rplat_json_member(stats, keys[k]), &v))
				c[k ? k + 3 : 2] = "-";
			else if (k == 0)
				c[2] = rp_json_s(rplat_json_member(stats, "count"), b[0], sizeof(b[0]));
			else
				c[k + 3] = rp_ns(v, b[k], sizeof(b[k]));
		}
		rp_doc_row(d, 8, c, 0xfc);
	}
	rp_doc_table_end(d);
}

static void section_trace(struct rp_doc *d, const struct rplat_run *r, int top)
{
	static const char *const head[] = { "seq", "round trip", "dominant stage", "verdict" };
	static const char *const shead[] = { "seq", "latency", "dominant stage", "verdict" };
	const struct rplat_json *o = rplat_json_member(r->analysis, "outliers");
	const char *kind = rplat_json_str(rplat_json_member(r->analysis, "kind"));
	int stream = r->is_stream || (kind && !strcmp(kind, "stream"));
	size_t i, n;

	{ /* a lossy capture must not pass for a complete one (analysis.json evidence) */
		const struct rplat_json *ev = rplat_json_member(r->analysis, "evidence");
		const struct rplat_json *cj = rplat_json_member(ev, "complete");
		const char *sum = rplat_json_str(rplat_json_member(ev, "summary"));

		if (cj && cj->type == RPLAT_JSON_BOOL && !cj->num)
			rp_doc_p(d, "The trace capture is incomplete: %s. Outliers whose window lacks evidence get no "
				 "verdict, only what rplat's own stamps show.", sum ? sum : "see trace/analysis.json");
		else if (sum)
			rp_doc_p(d, "Trace evidence: %s.", sum);
	}
	section_trace_stages(d, r);
	if (!o || o->type != RPLAT_JSON_ARR || !o->n) {
		rp_doc_p(d, "The trace analysis lists no outliers.");
		return;
	}
	n = o->n < (size_t)top ? o->n : (size_t)top;
	rp_doc_p(d, "The trace analysis explains %zu outliers; the first %zu:", o->n, n);
	rp_doc_table(d, 4, stream ? shead : head);
	for (i = 0; i < n; i++) {
		const struct rplat_json *x = &o->child[i];
		char b0[32], b1[32], b2[64];
		const char *c[4];
		double v;

		c[0] = rp_json_s(rplat_json_member(x, "seq"), b0, sizeof(b0));
		c[1] = rplat_json_num(rplat_json_member(x, stream ? "latency_ns" : "rtt_ns"), &v) ? "-" :
										     rp_ns(v, b1, sizeof(b1));
		c[2] = rp_json_s(rplat_json_member(x, "dominant_stage"), b2, sizeof(b2));
		c[3] = rplat_json_str(rplat_json_member(x, "verdict"));
		rp_doc_row(d, 4, c, 0x3);
	}
	rp_doc_table_end(d);
}

static void section_system(struct rp_doc *d, const struct rplat_run *r)
{
	static const char *const head[] = { "setting", "value" };
	static const struct {
		const char *k, *path;
	} rows[] = {
		{ "kernel release", "system.release" }, { "kernel version", "system.version" },
		{ "preemption model", "system.preempt" }, { "PREEMPT_RT", "system.realtime" },
		{ "CPU", "system.cpu_model" },           { "CPUs", "system.ncpus" },
		{ "cpufreq governor", "system.governor" }, { "machine", "system.machine" },
		{ "preemption in force (traced runs)", "trace.system.preempt" },
		{ "virtual machine", "system.virtual_machine" },
		{ "virtual machine (traced runs)", "trace.system.guest" },
		{ "host name", "system.nodename" },
	};
	char buf[64];
	size_t i;

	rp_doc_table(d, 2, head);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		rp_doc_kv(d, rows[i].k, rp_meta_s(r, rows[i].path, buf, sizeof(buf)));
	rp_doc_table_end(d);
}

/* ---- the kernel setup that decides latency ----
 * Each row is read from what the run recorded: run.json's system.* keys (written by the measuring tool
 * when it knows them), else the findings of `rplat check system` taken with the run (run.json's
 * system.check, or RUN/system-check.json), else it says "not recorded". Never from the machine the
 * report runs on. */

/* The findings object: run.json system.check, or system-check.json. */
static const struct rplat_json *syscheck_of(const struct rplat_run *r, const char **src)
{
	const struct rplat_json *c = rplat_json_get(r->meta, "system.check");

	if (c && c->type == RPLAT_JSON_OBJ) {
		*src = "run.json system.check";
		return c;
	}
	*src = "system-check.json";
	return r->syscheck;
}

/* The value of the finding about 'field' ("isolcpus", "cpuidle", ...), or NULL. */
static const char *finding_value(const struct rplat_json *chk, const char *field, const char **rule)
{
	const struct rplat_json *f = rplat_json_member(chk, "findings");
	size_t i;

	for (i = 0; f && f->type == RPLAT_JSON_ARR && i < f->n; i++) {
		const char *fl = rplat_json_str(rplat_json_member(&f->child[i], "field"));

		if (fl && !strcmp(fl, field)) {
			*rule = rplat_json_str(rplat_json_member(&f->child[i], "rule"));
			return rplat_json_str(rplat_json_member(&f->child[i], "value"));
		}
	}
	return NULL;
}

/* What a kernel command line sets 'key' to: its value, "yes (on the command line)" for a bare flag
 * ("threadirqs"), with how many times it is given and which one the kernel keeps when more than once
 * ('pick', rplat/cmdline.h); or NULL when it is not given. */
static const char *cmdline_param(const char *cmdline, const char *key, enum rplat_cmdline_pick pick, char *buf,
				 size_t n)
{
	struct rplat_cmdline_param p;
	size_t times = rplat_cmdline_find(cmdline, key, pick, &p);
	char val[200];

	if (!times)
		return NULL;
	if (p.val)
		rplat_cmdline_value(&p, val, sizeof(val));
	else
		rp_fmt(val, sizeof(val), "yes (on the command line)");
	if (times == 1)
		rp_fmt(buf, n, "%s", val);
	else
		rp_fmt(buf, n, "%s (given %zu times; the kernel keeps the %s)", val, times,
		       pick == RPLAT_CMDLINE_FIRST ? "first" : "last");
	return buf;
}

static void section_kernel(struct rp_doc *d, const struct rplat_run *r)
{
	static const char *const head[] = { "setting", "value", "from" };
	static const struct {
		const char *k, *path, *field; /* run.json path, else the check finding's field */
	} rows[] = {
		{ "CONFIG_HZ", "system.config_hz", NULL },
		{ "clocksource", "system.clocksource", "current_clocksource" },
		{ "cpuidle", "system.cpuidle", "cpuidle" },
		{ "SMT (hyperthreads)", "system.smt", "smt" },
		{ "RT throttling (sched_rt_runtime_us)", "system.sched_rt_runtime_us", "sched_rt_runtime_us" },
		{ "mailbox IRQ", "system.mailbox_irq.irq", "irq" },
		{ "mailbox IRQ affinity", "system.mailbox_irq.affinity", "irq_affinity" },
		{ "mailbox IRQ thread priority", "system.mailbox_irq.thread_prio", "irq_thread" },
		{ "cpu_dma_latency", NULL, "cpu_dma_latency" },
		{ "preemption in force", "trace.system.preempt", NULL },
	};
	/* which occurrence the kernel keeps: housekeeping_setup() refuses a later, different isolcpus= or
	 * nohz_full=; the others' handlers overwrite */
	static const struct {
		const char *key;
		enum rplat_cmdline_pick pick;
	} params[] = {
		{ "isolcpus", RPLAT_CMDLINE_FIRST },  { "nohz_full", RPLAT_CMDLINE_FIRST },
		{ "rcu_nocbs", RPLAT_CMDLINE_LAST },  { "threadirqs", RPLAT_CMDLINE_LAST },
		{ "irqaffinity", RPLAT_CMDLINE_LAST }, { "preempt", RPLAT_CMDLINE_LAST },
	};
	const char *cmdline = rplat_run_str(r, "system.cmdline"), *src = NULL, *rule = NULL;
	const struct rplat_json *chk = syscheck_of(r, &src);
	char buf[256], from[96];
	size_t i;

	rp_doc_p(d, "The kernel settings that decide a latency tail, as the run recorded them: run.json's system "
		    "keys, else the findings of 'rplat check system' taken with the run (run.json system.check, or "
		    "RUN/system-check.json, written by 'rplat check system --json > RUN/system-check.json' on the "
		    "board). A "
		    "setting neither recorded is said so; nothing here is read from the machine the report was made on.");
	rp_doc_table(d, 3, head);
	{
		const char *c[3] = { "boot command line", cmdline ? cmdline : "not recorded in this run",
				     cmdline ? "run.json system.cmdline" : "-" };

		rp_doc_row(d, 3, c, 0);
	}
	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		const char *v = cmdline ? cmdline_param(cmdline, params[i].key, params[i].pick, buf, sizeof(buf)) : NULL;
		const char *c[3];

		c[0] = params[i].key;
		if (cmdline) {
			c[1] = v ? v : "not set";
			c[2] = "the boot command line";
		} else if (i < 3 && chk && (v = finding_value(chk, "isolcpus", &rule))) {
			c[1] = v; /* check system reports isolcpus, nohz_full and rcu_nocbs together */
			rp_fmt(from, sizeof(from), "%s (%s)", src, rule ? rule : "?");
			c[2] = from;
			if (i) /* once */
				continue;
			c[0] = "isolcpus / nohz_full / rcu_nocbs";
		} else {
			c[1] = "not recorded in this run";
			c[2] = "-";
		}
		rp_doc_row(d, 3, c, 0);
	}
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct rplat_json *j = rows[i].path ? rplat_json_get(r->meta, rows[i].path) : NULL;
		const char *c[3], *v;

		c[0] = rows[i].k;
		if (j && j->type != RPLAT_JSON_NULL) {
			c[1] = rp_meta_s(r, rows[i].path, buf, sizeof(buf));
			rp_fmt(from, sizeof(from), "run.json %s", rows[i].path);
			c[2] = from;
		} else if (rows[i].field && chk && (v = finding_value(chk, rows[i].field, &rule))) {
			c[1] = v;
			rp_fmt(from, sizeof(from), "%s (%s)", src, rule ? rule : "?");
			c[2] = from;
		} else {
			c[1] = "not recorded in this run";
			c[2] = "-";
		}
		rp_doc_row(d, 3, c, 0);
	}
	rp_doc_table_end(d);
	if (!chk) {
		rp_doc_p(d, "No 'rplat check system' findings were recorded with this run.");
		return;
	}
	{
		static const char *const fh[] = { "severity", "rule", "setting", "why", "advice" };
		const struct rplat_json *f = rplat_json_member(chk, "findings");
		size_t k;

		rp_doc_p(d, "The findings of 'rplat check system' recorded with the run (%s):", src);
		rp_doc_table(d, 5, fh);
		for (k = 0; f && f->type == RPLAT_JSON_ARR && k < f->n; k++) {
			const struct rplat_json *e = &f->child[k];
			const char *fl = rplat_json_str(rplat_json_member(e, "field"));
			const char *vl = rplat_json_str(rplat_json_member(e, "value"));
			const char *c[5];

			rp_fmt(buf, sizeof(buf), "%s = %s", fl ? fl : "?", vl ? vl : "");
			c[0] = rplat_json_str(rplat_json_member(e, "severity"));
			c[1] = rplat_json_str(rplat_json_member(e, "rule"));
			c[2] = buf;
			c[3] = rplat_json_str(rplat_json_member(e, "why"));
			c[4] = rplat_json_str(rplat_json_member(e, "advice"));
			rp_doc_row(d, 5, c, 0);
		}
		rp_doc_table_end(d);
	}
}

static void section_firmware(struct rp_doc *d, const struct rplat_run *r)
{
	static const char *const head[] = { "setting", "value" };
	static const struct {
		const char *k, *path;
	} rows[] = {
		{ "target", "firmware.target" },       { "firmware version", "firmware.fw_version" },
		{ "protocol version", "firmware.proto_version" }, { "counter (Hz)", "firmware.counter_hz" },
		{ "build id", "firmware.build_id" },   { "vring size", "firmware.vring_num" },
		{ "features", "firmware.features" },
	};
	const struct rplat_json *fw = rplat_json_member(r->meta, "firmware"), *cn, *rsc, *vr;
	char buf[64], txt[512];
	size_t i, len = 0;

	if (!fw) {
		rp_doc_p(d, "The run has no firmware INFO (the probe never answered it).");
		return;
	}
	rp_doc_table(d, 2, head);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		rp_doc_kv(d, rows[i].k, rp_meta_s(r, rows[i].path, buf, sizeof(buf)));
	cn = rplat_json_member(fw, "counters");
	txt[0] = 0;
	for (i = 0; cn && cn->type == RPLAT_JSON_OBJ && i < cn->n && len + 40 < sizeof(txt); i++) {
		int64_t v;

		if (!rplat_json_i64(&cn->child[i], &v))
			len += (size_t)rp_fmt(txt + len, sizeof(txt) - len, "%s%s %lld", len ? ", " : "", cn->child[i].key,
					      (long long)v);
	}
	rp_doc_kv(d, "probe counters", txt);
	rsc = rplat_json_member(r->meta, "rsc");
	vr = rsc ? rplat_json_member(rsc, "vrings") : NULL;
	if (vr && vr->type == RPLAT_JSON_ARR) {
		for (i = 0; i < vr->n; i++) {
			char k[32], b1[32], b2[32], b3[32], b4[32];

			rp_fmt(k, sizeof(k), "resource table vring%zu", i);
			rp_fmt(txt, sizeof(txt), "da %s, align %s, num %s, notifyid %s",
			       rp_json_s(rplat_json_member(&vr->child[i], "da"), b1, sizeof(b1)),
			       rp_json_s(rplat_json_member(&vr->child[i], "align"), b2, sizeof(b2)),
			       rp_json_s(rplat_json_member(&vr->child[i], "num"), b3, sizeof(b3)),
			       rp_json_s(rplat_json_member(&vr->child[i], "notifyid"), b4, sizeof(b4)));
			rp_doc_kv(d, k, txt);
		}
	} else {
		rp_doc_kv(d, "resource table", "not recorded in this run");
	}
	if (rsc && rplat_json_member(rsc, "trace")) {
		const struct rplat_json *t = rplat_json_member(rsc, "trace");
		char b1[32], b2[32], b3[64];

		rp_fmt(txt, sizeof(txt), "da %s, len %s, name %s", rp_json_s(rplat_json_member(t, "da"), b1, sizeof(b1)),
		       rp_json_s(rplat_json_member(t, "len"), b2, sizeof(b2)), rp_json_s(rplat_json_member(t, "name"), b3,
										    sizeof(b3)));
		rp_doc_kv(d, "resource table trace buffer", txt);
	}
	rp_doc_table_end(d);
}

static void section_link_load(struct rp_doc *d, const struct rrun *rr)
{
	static const char *const head[] = { "setting", "value" };
	const struct rplat_run *r = rr->r;
	char buf[64], txt[512];
	const struct rplat_json *tools;
	size_t i;

	rp_doc_table(d, 2, head);
	rp_doc_kv(d, "link", rp_meta_s(r, "link.spec", buf, sizeof(buf)));
	rp_doc_kv(d, "link type", rp_meta_s(r, "link.type", buf, sizeof(buf)));
	rp_doc_kv(d, "link details", rp_meta_s(r, "link.desc", buf, sizeof(buf)));
	if (r->is_stream) {
		rp_doc_kv(d, "message size (bytes)", rp_meta_s(r, "options.size", buf, sizeof(buf)));
		rp_doc_kv(d, "probe timer period (us)", rp_meta_s(r, "options.interval_us", buf, sizeof(buf)));
		rp_doc_kv(d, "messages (-n)", rp_meta_s(r, "options.count", buf, sizeof(buf)));
		if (rplat_json_get(r->meta, "options.duration_s"))
			rp_doc_kv(d, "duration (s)", rp_meta_s(r, "options.duration_s", buf, sizeof(buf)));
		rp_doc_kv(d, "calibration pings (before and after)", rp_meta_s(r, "options.calibrate", buf, sizeof(buf)));
	} else {
		rp_sizes_text(r, txt, sizeof(txt));
		rp_doc_kv(d, "payload sizes (bytes)", txt);
		rp_doc_kv(d, "interval (us)", rp_meta_s(r, "options.interval_us", buf, sizeof(buf)));
		rp_doc_kv(d, "loops", rp_meta_s(r, "options.loops", buf, sizeof(buf)));
	}
	rp_doc_kv(d, "SCHED_FIFO priority (0 = not set)", rp_meta_s(r, "options.priority", buf, sizeof(buf)));
	rp_doc_kv(d, "CPU affinity (-1 = not set)", rp_meta_s(r, "options.affinity", buf, sizeof(buf)));
	rp_doc_kv(d, "mlockall", rp_meta_s(r, "options.mlockall", buf, sizeof(buf)));
	rp_doc_kv(d, "cpu_dma_latency held (-1 = not held)", rp_meta_s(r, "options.dma_latency", buf, sizeof(buf)));
	if (!r->is_stream)
		rp_doc_kv(d, "reply timeout (us)", rp_meta_s(r, "options.timeout_us", buf, sizeof(buf)));
	rp_doc_kv(d, "load profile", rp_meta_s(r, "load.profile", buf, sizeof(buf)));
	tools = r->load ? rplat_json_member(r->load, "tools") : NULL;
	for (i = 0; tools && tools->type == RPLAT_JSON_ARR && i < tools->n; i++) {
		const struct rplat_json *argv = rplat_json_member(&tools->child[i], "argv");
		size_t j, len = 0;
		char k[96], b1[32], b2[32];

		txt[0] = 0;
		for (j = 0; argv && argv->type == RPLAT_JSON_ARR && j < argv->n && len + 8 < sizeof(txt); j++)
			len += (size_t)rp_fmt(txt + len, sizeof(txt) - len, "%s%s", j ? " " : "",
					      rplat_json_str(&argv->child[j]) ? rplat_json_str(&argv->child[j]) : "?");
		rp_fmt(k, sizeof(k), "load: %s (started %s times, last %s)",
		       rp_json_s(rplat_json_member(&tools->child[i], "name"), b1 + 16, 16),
		       rp_json_s(rplat_json_member(&tools->child[i], "starts"), b1, 16),
		       rp_json_s(rplat_json_member(&tools->child[i], "last_exit"), b2, sizeof(b2)));
		rp_doc_kv(d, k, txt);
	}
	rp_doc_table_end(d);
	if (r->load) {
		const struct rplat_json *all = rplat_json_get(r->load, "cyclictest.all");
		const struct rplat_json *th = rplat_json_get(r->load, "cyclictest.threads");

		if (all && all->type == RPLAT_JSON_OBJ) {
			static const char *const h2[] = { "cyclictest", "CPU", "cycles", "min", "avg", "p50", "p99", "p99.9",
							  "max", "beyond histogram" };
			static const char *const keys[] = { "cycles", "min", "avg", "p50", "p99", "p99.9", "max",
							    "overflows" };
			size_t t, k;

			rp_doc_p(d, "cyclictest ran on CPUs %s during the measurement (times in us):",
			      rp_json_s(rplat_json_get(r->load, "cyclictest.cpus"), txt, sizeof(txt)));
			rp_doc_table(d, 10, h2);
			for (t = 0; t <= (th && th->type == RPLAT_JSON_ARR ? th->n : 0); t++) {
				const struct rplat_json *o = t == 0 ? all : &th->child[t - 1];
				char b[10][32];
				const char *c[10];

				c[0] = t == 0 ? "all threads" : "thread";
				c[1] = t == 0 ? "" : rp_json_s(rplat_json_member(o, "cpu"), b[9], sizeof(b[9]));
				for (k = 0; k < 8; k++) {
					const struct rplat_json *v = rplat_json_member(o, keys[k]);

					if (v && v->type == RPLAT_JSON_NULL)
						c[2 + k] = "(beyond)";
					else if (v && v->type == RPLAT_JSON_NUM && !v->is_int)
						c[2 + k] = (rp_fmt(b[k], sizeof(b[k]), "%.1f", v->num), b[k]);
					else
						c[2 + k] = rp_json_s(v, b[k], sizeof(b[k]));
				}
				rp_doc_row(d, 10, c, 0x3fc);
			}
			rp_doc_table_end(d);
		}
	}
	if (rr->ct_err[0])
		rp_doc_p(d, "Load context plot unavailable: %s", rr->ct_err);
}

static void section_clock(struct rp_doc *d, const struct rplat_run *r)
{
	static const char *const head[] = { "setting", "value" };
	static const struct {
		const char *k, *path;
	} rows[] = {
		{ "method", "clock.method" },            { "valid", "clock.valid" },
		{ "nominal counter (Hz)", "clock.nominal_hz" }, { "estimated counter (Hz)", "clock.est_hz" },
		{ "drift (ppm)", "clock.drift_ppm" },    { "error bound (ns)", "clock.err_bound_ns" },
		{ "fit windows", "clock.windows" },      { "sim truth: p50 error (ns)", "clock.sim_truth.p50_ns" },
		{ "sim truth: p99 error (ns)", "clock.sim_truth.p99_ns" },
		{ "sim truth: max error (ns)", "clock.sim_truth.max_ns" },
	};
	char buf[64];
	size_t i;

	rp_doc_table(d, 2, head);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (i >= 7 && !rplat_json_get(r->meta, rows[i].path))
			continue;
		rp_doc_kv(d, rows[i].k, rp_meta_s(r, rows[i].path, buf, sizeof(buf)));
	}
	rp_doc_table_end(d);
}

static void section_budget(struct rp_doc *d, const struct rplat_budget *b, const struct rrun *rr)
{
	static const char *const head[] = { "verdict", "rule", "measured", "limit", "what" };
	static const char *const ops[] = { "<=", "<", ">=", ">", "==", "!=" };
	int i;

	fprintf(d->h, "<p>Budget <code>");
	rp_html_esc(d->h, b->name);
	fprintf(d->h, "</code>: <span class=\"%s\">%s</span> (%d of %d checks met%s)</p>\n",
		rr->bres.failed + rr->bres.missing ? "fail" : "pass",
		rr->bres.failed + rr->bres.missing ? "FAIL" : "PASS", rr->bres.passed, rr->bres.n,
		rr->bres.missing ? ", some figures not measured" : "");
	fprintf(d->m, "Budget `%s`: **%s** (%d of %d checks met)\n\n", b->name,
		rr->bres.failed + rr->bres.missing ? "FAIL" : "PASS", rr->bres.passed, rr->bres.n);
	rp_doc_table(d, 5, head);
	for (i = 0; i < rr->bres.n; i++) {
		const struct rplat_budget_check *c = &rr->bres.checks[i];
		char lim[80];
		const char *cell[5];

		rp_fmt(lim, sizeof(lim), "%s %s", ops[c->rule->op], c->limit_text);
		cell[0] = c->status == RPLAT_B_PASS ? "PASS" : c->status == RPLAT_B_FAIL ? "FAIL" :
			  c->status == RPLAT_B_UNDECIDED ? "UNDECIDED" : "NOT MEASURED";
		cell[1] = c->name;
		cell[2] = c->measured_text;
		cell[3] = lim;
		cell[4] = c->detail;
		rp_doc_row(d, 5, cell, 0x4);
	}
	rp_doc_table_end(d);
}

static void ended_text(const struct rplat_run *r, char *t, size_t n);

/* Where the load's cyclictest ran, as load.json says: "CPUs 0-1 (all of them, the measurement's too)" or
 * "CPUs 1 (the measurement kept CPU 0)". */
static const char *ct_cpus_text(const struct rplat_json *load, char *buf, size_t n)
{
	const char *cpus = rplat_json_str(rplat_json_get(load, "cyclictest.cpus"));
	const char *meas = rplat_json_str(rplat_json_member(load, "measurement_cpus"));

	if (!cpus || !*cpus)
		rp_fmt(buf, n, "the CPUs it ran on (not recorded)");
	else if (!meas || !*meas)
		rp_fmt(buf, n, "CPUs %s (all of them, the measurement's too)", cpus);
	else
		rp_fmt(buf, n, "CPUs %s (the measurement kept CPUs %s)", cpus, meas);
	return buf;
}

static void glance(struct rp_doc *d, const struct rplat_budget *b, const struct rrun *rr)
{
	const struct rplat_run *r = rr->r;
	char s1[32], s2[32], s3[32], s4[32], sz[128], buf[64], buf2[64];
	const char *ended = rplat_run_str(r, "ended_by");
	double dur = rplat_run_num(r, "duration_s", 0);
	int i, any = 0;

	fputs("<div class=\"glance\">\n", d->h);
	fputs("> **At a glance**\n>\n", d->m);
	rp_sizes_text(r, sz, sizeof(sz));
	fputs("<p>", d->h);
	fputs("> ", d->m);
	{
		char t[1024];

		rp_fmt(t, sizeof(t),
		       "%llu messages of %s bytes over the %s link (%s), %.1f s at a %s us interval, kernel %s (%s), "
		       "load: %s.",
		       (unsigned long long)r->counts.sent, sz, rp_meta_s(r, "link.type", buf, sizeof(buf)),
		       rp_meta_s(r, "link.spec", buf2, sizeof(buf2)), dur, rp_meta_s(r, "options.interval_us", s1, sizeof(s1)),
		       rp_meta_s(r, "system.release", s2, sizeof(s2)), rp_meta_s(r, "system.preempt", s3, sizeof(s3)),
		       rp_meta_s(r, "load.profile", s4, sizeof(s4)));
		rp_doc_text(d, t);
	}
	fputs("</p>\n", d->h);
	fputs("\n>\n", d->m);
	if (r->rtt.count) {
		char t[1024], mt[96] = "", pop[192];
		size_t len;

		/* the slowest message: from the samples (late replies included), else run.json's summary */
		if (rr->scanned && rr->scan.nout && rr->scan.out[0].rtt == (int64_t)r->rtt.max)
			rp_fmt(mt, sizeof(mt), " (message %llu%s, %.3f s into the run)",
			       (unsigned long long)rr->scan.out[0].seq,
			       rr->scan.out[0].status == RPLAT_RS_LATE ? ", a late reply" : "",
			       (double)(rr->scan.out[0].t_send - rr->scan.t0) / 1e9);
		else if (rplat_json_get(r->meta, "summary.max_seq") && !r->counts.late)
			rp_fmt(mt, sizeof(mt), " (message %s, %.3f s into the run)",
			       rp_meta_s(r, "summary.max_seq", buf, sizeof(buf)), rplat_run_num(r, "summary.max_time_s", 0));
		len = (size_t)rp_fmt(pop, sizeof(pop), "Of the %llu answered messages", (unsigned long long)r->rtt.count);
		if (r->counts.late && r->rtt.count == r->counts.received)
			len += (size_t)rp_fmt(pop + len, sizeof(pop) - len, " (%llu of them late replies, counted with their "
					      "round trips)", (unsigned long long)r->counts.late);
		else if (r->counts.late)
			len += (size_t)rp_fmt(pop + len, sizeof(pop) - len, " in the histograms (the %llu late replies are "
					      "not: the run has no samples.tsv to add them from)",
					      (unsigned long long)r->counts.late);
		if (r->counts.lost)
			rp_fmt(pop + len, sizeof(pop) - len, "; %llu lost (no reply) are in no latency figure",
			       (unsigned long long)r->counts.lost);
		rp_fmt(t, sizeof(t),
		       "%s: half took less than %s, 99%% less than %s, 99.9%% less than %s; the slowest took %s%s.", pop,
		       rp_ns((double)rplat_hist_percentile(&r->rtt, 50), s1, sizeof(s1)),
		       rp_ns((double)rplat_hist_percentile(&r->rtt, 99), s2, sizeof(s2)),
		       rp_ns((double)rplat_hist_percentile(&r->rtt, 99.9), s3, sizeof(s3)),
		       rp_ns((double)r->rtt.max, s4, sizeof(s4)), mt);
		fputs("<p><b>", d->h);
		fputs("> **", d->m);
		rp_doc_text(d, t);
		fputs("</b></p>\n", d->h);
		fputs("**\n>\n", d->m);
	}
	{
		char t[512];

		if (r->counts.lost + r->counts.late + r->counts.duplicate + r->counts.out_of_order + r->counts.corrupt +
		    r->counts.error)
			rp_fmt(t, sizeof(t),
			       "Problems: %llu lost, %llu late, %llu duplicated, %llu out of order, %llu corrupt, %llu error "
			       "replies.",
			       (unsigned long long)r->counts.lost, (unsigned long long)r->counts.late,
			       (unsigned long long)r->counts.duplicate, (unsigned long long)r->counts.out_of_order,
			       (unsigned long long)r->counts.corrupt, (unsigned long long)r->counts.error);
		else
			rp_fmt(t, sizeof(t), "Every message was answered once, in order and intact.");
		fputs("<p>", d->h);
		fputs("> ", d->m);
		rp_doc_text(d, t);
		fputs("</p>\n", d->h);
		fputs("\n>\n", d->m);
	}
	{
		char t[768];
		size_t len;

		len = (size_t)rp_fmt(t, sizeof(t), "Where the time goes (medians):");
		for (i = 0; i < RPLAT_NSTAGES; i++)
			if (r->has_stage[i]) {
				len += (size_t)rp_fmt(t + len, sizeof(t) - len, "%s %s %s", any ? "," : "", stage_title[i],
						      rp_ns((double)rplat_hist_percentile(&r->stage[i], 50), s1, sizeof(s1)));
				any = 1;
			}
		if (any && rplat_run_num(r, "clock.err_bound_ns", -1) >= 0)
			rp_fmt(t + len, sizeof(t) - len, " (host <-> remote stages +-%s, the clock correlation's error bound).",
			       rp_ns(rplat_run_num(r, "clock.err_bound_ns", 0), s2, sizeof(s2)));
		else if (any)
			rp_fmt(t + len, sizeof(t) - len, ".");
		else
			rp_fmt(t, sizeof(t), "No stage breakdown in this run (no remote stamps or no clock correlation).");
		fputs("<p>", d->h);
		fputs("> ", d->m);
		rp_doc_text(d, t);
		fputs("</p>\n", d->h);
		fputs("\n>\n", d->m);
	}
	if (r->has_send_wakeup) {
		char t[512];

		rp_fmt(t, sizeof(t),
		       "The sender's own timer wakeup (how late the host thread woke for each send slot, before the "
		       "send; not in the round trip): p50 %s, p99 %s, max %s.",
		       rp_ns((double)rplat_hist_percentile(&r->send_wakeup, 50), s1, sizeof(s1)),
		       rp_ns((double)rplat_hist_percentile(&r->send_wakeup, 99), s2, sizeof(s2)),
		       rp_ns((double)r->send_wakeup.max, s3, sizeof(s3)));
		fputs("<p>", d->h);
		fputs("> ", d->m);
		rp_doc_text(d, t);
		fputs("</p>\n", d->h);
		fputs("\n>\n", d->m);
	}
	if (r->load) {
		const struct rplat_json *all = rplat_json_get(r->load, "cyclictest.all");
		char t[512], b1[32], b2[32], cpus[128];

		if (all && all->type == RPLAT_JSON_OBJ) {
			rp_fmt(t, sizeof(t),
			       "Under load '%s', cyclictest on %s saw wakeup latencies up to %s us (p99 %s us): "
			       "that is the system's own jitter, for scale.",
			       rp_json_s(rplat_json_member(r->load, "profile"), buf, sizeof(buf)), ct_cpus_text(r->load, cpus,
													sizeof(cpus)),
			       rp_json_s(rplat_json_member(all, "max"), b1, sizeof(b1)),
			       rplat_json_member(all, "p99") && rplat_json_member(all, "p99")->type == RPLAT_JSON_NULL ?
				       "beyond the histogram" :
				       rp_json_s(rplat_json_member(all, "p99"), b2, sizeof(b2)));
			fputs("<p>", d->h);
			fputs("> ", d->m);
			rp_doc_text(d, t);
			fputs("</p>\n", d->h);
			fputs("\n>\n", d->m);
		}
	}
	if (rr->has_budget) {
		int bad = rr->bres.failed + rr->bres.missing;

		fprintf(d->h, "<p>Budget <code>");
		rp_html_esc(d->h, b->name);
		fprintf(d->h, "</code>: <span class=\"%s\">%s</span> %d of %d checks met.</p>\n", bad ? "fail" : "pass",
			bad ? "FAIL" : "PASS", rr->bres.passed, rr->bres.n);
		fprintf(d->m, "> Budget `%s`: **%s**, %d of %d checks met.\n>\n", b->name, bad ? "FAIL" : "PASS",
			rr->bres.passed, rr->bres.n);
	}
	fputs("</div>\n", d->h);
	fputs("\n", d->m);
	if ((ended && strcmp(ended, "completed")) || rplat_run_num(r, "return_code", 0) != 0 || r->warning[0]) {
		char t[1024];

		ended_text(r, t, sizeof(t));
		fputs("<div class=\"warn\">", d->h);
		fputs("> ", d->m);
		rp_doc_text(d, t);
		fputs("</div>\n", d->h);
		fputs("\n\n", d->m);
	}
}

/* Why a run ended, and what its return code means (README "Exit codes"), for the Attention line. */
static void ended_text(const struct rplat_run *r, char *t, size_t n)
{
	const char *ended = rplat_run_str(r, "ended_by");
	double rc = rplat_run_num(r, "return_code", 0);
	char why[384] = "";
	size_t len = 0;

	if (!ended)
		ended = "?";
	if (!strcmp(ended, "completed"))
		len = (size_t)rp_fmt(why, sizeof(why), "it sent every message it was asked to");
	else if (!strcmp(ended, "signal"))
		len = (size_t)rp_fmt(why, sizeof(why), "it was interrupted (Ctrl-C or a signal) before the end");
	else if (!strcmp(ended, "remote silent"))
		len = (size_t)rp_fmt(why, sizeof(why), "the remote stopped answering (--max-silent replies in a row "
				     "were lost)");
	else if (!strcmp(ended, "remote gone"))
		len = (size_t)rp_fmt(why, sizeof(why), "the remote went away (the link closed)");
	else if (!strcmp(ended, "break"))
		len = (size_t)rp_fmt(why, sizeof(why), "a threshold stopped it (--break or a hook)");
	else if (!strcmp(ended, "error"))
		len = (size_t)rp_fmt(why, sizeof(why), "an error stopped it");
	else if (!strcmp(ended, "merged"))
		len = (size_t)rp_fmt(why, sizeof(why), "it is a merge of runs (the return code is the worst of theirs)");
	if (rc == 1 && len < sizeof(why)) {
		const struct rplat_run_counts *c = &r->counts;

		if (r->is_stream)
			rp_fmt(why + len, sizeof(why) - len, "%sreturn code 1: %llu lost, %llu duplicated, %llu out of order, "
			       "%llu corrupt messages", len ? "; " : "", (unsigned long long)r->stream_counts.lost,
			       (unsigned long long)r->stream_counts.duplicate,
			       (unsigned long long)r->stream_counts.out_of_order, (unsigned long long)r->stream_counts.corrupt);
		else
			rp_fmt(why + len, sizeof(why) - len, "%sreturn code 1: not every message was answered once, in time "
			       "and intact (%llu lost, %llu late, %llu duplicated, %llu out of order, %llu corrupt, %llu "
			       "error replies)", len ? "; " : "", (unsigned long long)c->lost, (unsigned long long)c->late,
			       (unsigned long long)c->duplicate, (unsigned long long)c->out_of_order,
			       (unsigned long long)c->corrupt, (unsigned long long)c->error);
	} else if (rc == 3 && len < sizeof(why)) {
		rp_fmt(why + len, sizeof(why) - len, "%sreturn code 3: the remote went away", len ? "; " : "");
	} else if (rc != 0 && len < sizeof(why)) {
		rp_fmt(why + len, sizeof(why) - len, "%sreturn code %.0f", len ? "; " : "", rc);
	}
	rp_fmt(t, n, "Attention: the run ended by '%s' with return code %.0f%s%s.%s%s", ended, rc, *why ? ": " : "", why,
	       r->warning[0] ? " " : "", r->warning);
}

/* A run's heading (with several runs) and the line that says where it comes from. */
static void run_heading(struct rp_doc *d, const struct rplat_run *r, int idx, int nruns, const char *what)
{
	char id[64], title[512];

	rp_fmt(id, sizeof(id), "run%d", idx);
	if (nruns > 1) {
		rp_fmt(title, sizeof(title), "Run %d: %s", idx + 1, r->label);
		rp_doc_h(d, 2, id, title);
	}
	rp_fmt(title, sizeof(title), "%s %s, %s to %s, command: %s", what, r->dir,
	       rplat_run_str(r, "start_time") ? rplat_run_str(r, "start_time") : "?",
	       rplat_run_str(r, "end_time") ? rplat_run_str(r, "end_time") : "?",
	       rplat_run_str(r, "command") ? rplat_run_str(r, "command") : "?");
	rp_doc_raw(d, "<p class=\"sub\">", "");
	rp_doc_text(d, title);
	rp_doc_raw(d, "</p>\n", "\n\n");
}

/* The setup of a run (system, firmware, link, clock), its heading at level hl. */
static void section_setup(struct rp_doc *d, const struct rrun *rr, int idx, int hl)
{
	const struct rplat_run *r = rr->r;
	char id[64];

	rp_fmt(id, sizeof(id), "r%d-setup", idx);
	rp_doc_h(d, hl, id, "Setup");
	rp_doc_h(d, hl + 1, "", "System");
	section_system(d, r);
	rp_doc_h(d, hl + 1, "", "Kernel setup");
	section_kernel(d, r);
	rp_doc_h(d, hl + 1, "", "Firmware and resource table");
	section_firmware(d, r);
	rp_doc_h(d, hl + 1, "", "Link, options and load");
	section_link_load(d, rr);
	rp_doc_h(d, hl + 1, "", "Clock correlation");
	section_clock(d, r);
}

/* cyclictest per CPU during the run (load.json cyclictest.threads): the system's own jitter, CPU by CPU. */
static void section_load_cpus(struct rp_doc *d, const struct rplat_run *r)
{
	static const char *const head[] = { "CPU", "wakeups", "min", "avg", "p50", "p99", "p99.9", "max",
					    "over the histogram" };
	static const char *const keys[] = { "cpu", "cycles", "min", "avg", "p50", "p99", "p99.9", "max", "overflows" };
	const struct rplat_json *th = rplat_json_get(r->load, "cyclictest.threads");
	size_t i, k;

	if (!th || th->type != RPLAT_JSON_ARR || !th->n)
		return;
	rp_doc_p(d, "cyclictest's wakeup latency per CPU during the run (us):");
	rp_doc_table(d, 9, head);
	for (i = 0; i < th->n; i++) {
		char b[9][32];
		const char *c[9];

		for (k = 0; k < 9; k++) {
			const struct rplat_json *v = rplat_json_member(&th->child[i], keys[k]);

			if (v && v->type == RPLAT_JSON_NUM && !v->is_int) {
				rp_fmt(b[k], sizeof(b[k]), "%.1f", v->num);
				c[k] = b[k];
			} else if (v && v->type == RPLAT_JSON_NULL) {
				c[k] = "beyond the histogram";
			} else {
				c[k] = rp_json_s(v, b[k], sizeof(b[k]));
			}
		}
		rp_doc_row(d, 9, c, 0x1ff);
	}
	rp_doc_table_end(d);
}

/* The load's own figure (cyclictest under the load), when the run had one. */
static int load_figure(struct rp_doc *d, const struct rrun *rr, char *err, size_t errlen)
{
	char name[64], cap[512], cpus[128];

	if (!rr->has_ct)
		return 0;
	rp_fmt(cap, sizeof(cap), "What the load did to the system: cyclictest's wakeup latency on %s, one curve per CPU, "
	       "1 us bins.", ct_cpus_text(rr->r->load, cpus, sizeof(cpus)));
	rp_fmt(name, sizeof(name), "%s_load", rr->pfx);
	return rp_doc_figure(d, name, cap, err, errlen);
}

/* The end of a run's section, ping or stream: its slowest messages (listed by 'outliers'), the trace's
 * analysis when it was traced, and the setup; headings at level hl. */
static void section_end(struct rp_doc *d, const struct rrun *rr, int idx, int hl, int top,
			void (*outliers)(struct rp_doc *, const struct rrun *, int))
{
	char id[64];

	rp_fmt(id, sizeof(id), "r%d-outliers", idx);
	rp_doc_h(d, hl, id, "Slowest messages");
	outliers(d, rr, top);
	if (rr->r->analysis) {
		rp_doc_h(d, hl + 1, "", "Trace analysis");
		section_trace(d, rr->r, top);
	}
	section_setup(d, rr, idx, hl);
}

static int run_section(struct rp_doc *d, const struct rplat_budget *b, const struct rrun *rr, int idx, int nruns, int top,
		       char *err, size_t errlen)
{
	const struct rplat_run *r = rr->r;
	char id[64], name[64];

	run_heading(d, r, idx, nruns, "Run directory");
	glance(d, b, rr);

	rp_fmt(id, sizeof(id), "r%d-dist", idx);
	rp_doc_h(d, nruns > 1 ? 3 : 2, id, "Latency distribution");
	rp_fmt(name, sizeof(name), "%s_hist", rr->pfx);
	if (rp_doc_figure(d, name,
		       "How often each round-trip time occurred, on log scales so that rare slow messages stay visible. "
		       "A tight peak is a deterministic link; a long right tail is jitter. Each bar counts whole "
		       "messages: those of the histogram buckets (<= 0.8% wide) whose midpoint falls in it. Dashed "
		       "lines: p50, p99, p99.9 and max.",
		       err, errlen))
		return -1;
	rp_fmt(name, sizeof(name), "%s_pct", rr->pfx);
	if (rp_doc_figure(d, name,
		       "Latency at each percentile: read a value at 99.9% as 'one message in a thousand is slower'. "
		       "The x axis stretches the tail (each step is ten times rarer). Dashed curves split the round "
		       "trip into its stages; the stage that rises with the round trip at the right is the one that "
		       "makes the tail.",
		       err, errlen))
		return -1;
	if (rr->has_time) {
		char cap[768], bw[48];

		if (rr->scan.by_index)
			rp_fmt(bw, sizeof(bw), "%.0f messages", rr->scan.binw);
		else
			rplat_fmt_ns(rr->scan.binw, bw, sizeof(bw));
		rp_fmt(cap, sizeof(cap),
		       "Round trips over the run, %llu messages in %d bins of %s: the band spans each bin's fastest and "
		       "slowest reply (late replies included), the line is its mean; red dots are the %d slowest "
		       "messages (the three slowest labelled with their sequence numbers), small orange triangles the "
		       "replies that came after the timeout (late, %llu), black crosses the messages that got no reply (lost, "
		       "%llu). Look for bursts and drifts.",
		       (unsigned long long)rr->scan.samples, rr->scan.nbins, bw, rr->scan.nout,
		       (unsigned long long)rr->scan.status[RPLAT_RS_LATE], (unsigned long long)rr->scan.status[RPLAT_RS_LOST]);
		rp_fmt(name, sizeof(name), "%s_time", rr->pfx);
		if (rp_doc_figure(d, name, cap, err, errlen))
			return -1;
	}
	if (rr->has_stages) {
		rp_fmt(name, sizeof(name), "%s_stages", rr->pfx);
		if (rp_doc_figure(d, name,
			       "Each stage's median, p99, p99.9 and maximum next to the round trip's. Host -> remote runs from "
			       "the send to the remote's interrupt; remote dispatch from the interrupt to taking the request "
			       "off the ring; remote processing until the reply is queued; remote -> host until the host "
			       "thread has read the reply.",
			       err, errlen))
			return -1;
	}
	if (rr->has_sizes) {
		rp_fmt(name, sizeof(name), "%s_sizes", rr->pfx);
		if (rp_doc_figure(d, name,
				  "Each payload size's round trips by percentile (the number of messages of each size in "
				  "the legend): where the curves part, the payload's copy and cache cost shows; the "
				  "Statistics table below has each size's figures.",
				  err, errlen))
			return -1;
	}
	if (load_figure(d, rr, err, errlen))
		return -1;
	if (rr->r->load)
		section_load_cpus(d, rr->r);
	rp_fmt(id, sizeof(id), "r%d-stats", idx);
	rp_doc_h(d, nruns > 1 ? 3 : 2, id, "Statistics");
	section_stats(d, r);
	rp_doc_h(d, nruns > 1 ? 4 : 3, "", "Jitter");
	section_jitter(d, r);
	rp_doc_h(d, nruns > 1 ? 4 : 3, "", "Messages");
	section_counts(d, r, rr->scanned ? &rr->scan : NULL);
	if (rr->has_budget) {
		rp_fmt(id, sizeof(id), "r%d-budget", idx);
		rp_doc_h(d, nruns > 1 ? 3 : 2, id, "Budget");
		section_budget(d, b, rr);
	}
	section_end(d, rr, idx, nruns > 1 ? 3 : 2, top, section_outliers);
	return 0;
}

/* ---------------------------------------------------------------- stream runs (rplat stream) */

/* One pass over a stream run's samples.tsv: one-way latency and interarrival binned over the time of
 * arrival (t_recv), the largest one-way latencies, where the lost messages were. */
struct sscan {
	int64_t t0, last_x;      /* the first t_recv; x (ns into the run) of the last message received */
	double binw;             /* ns per bin */
	int nbins;
	struct rp_bin bin[2][2 * RP_NBINS]; /* one_way, interarrival */
	int topk, nout;
	struct rplat_sample *out; /* the topk largest one_way, descending */
	int nlost;
	double lost_x[RP_MAXLOST]; /* s */
	uint64_t samples, status[RPLAT_RS_NSTATUS];
	/* the interarrival's deviation from the period (options.interval_us), exact to 0.8% of the deviation
	 * rather than of the period: early (before the period, as a magnitude) and late (at or after it) */
	int64_t period;          /* ns, 0 when unknown */
	struct rplat_hist dev_early, dev_late;
	int64_t first_recv, last_recv; /* ok messages' t_recv */
	uint64_t nrecv;
};

/* The value at percentile p of the signed deviation (-early, +late), in ns. */
static double dev_pct(const struct sscan *s, double p)
{
	uint64_t ne = s->dev_early.count, n = ne + s->dev_late.count, k = rplat_hist_rank(p, n);

	if (!n)
		return 0;
	if (k <= ne) /* the (ne - k + 1)-th smallest magnitude among the early ones */
		return -(double)rplat_hist_percentile(&s->dev_early, 100.0 * (double)(ne - k + 1) / (double)ne);
	return (double)rplat_hist_percentile(&s->dev_late, 100.0 * (double)(k - ne) / (double)s->dev_late.count);
}

static const char *const sstage_title[RPLAT_NSTREAM_STAGES] = {
	"remote -> host (host receive - mapped send)", "probe IRQ latency (ISR - timer due)",
	"probe ISR -> send", "interarrival (between host receives)" };
static const char *const sstage_short[RPLAT_NSTREAM_STAGES] = { "one_way", "irq", "isr_send", "interarrival" };

static int64_t key_oneway(const struct rplat_sample *sm)
{
	return sm->sstage[0];
}

static int cmp_oneway_desc(const void *a, const void *b)
{
	const struct rplat_sample *x = a, *y = b;

	if (x->sstage[0] != y->sstage[0])
		return x->sstage[0] < y->sstage[0] ? 1 : -1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int sscan_run(const struct rplat_run *r, int topk, struct sscan *s, char *err, size_t errlen)
{
	struct rplat_samples *in;
	struct rplat_sample sm;
	int rc, have_t0 = 0;

	s->binw = 1e6;
	s->topk = topk > 0 ? topk : 1;
	s->out = calloc((size_t)s->topk, sizeof(*s->out));
	if (!s->out)
		return rplat_fail(err, errlen, "out of memory");
	rplat_hist_init(&s->dev_early);
	rplat_hist_init(&s->dev_late);
	s->period = (int64_t)llround(rplat_run_num(r, "options.interval_us", 0) * 1e3);
	if (!r->has_samples)
		return 0;
	if (rplat_samples_open(r, &in, err, errlen))
		return -1;
	while ((rc = rplat_samples_next(in, &sm, err, errlen)) == 1) {
		int ok = sm.status == RPLAT_RS_OK;

		if (ok && sm.t_recv != RPLAT_NA) {
			if (!s->nrecv++)
				s->first_recv = sm.t_recv;
			s->last_recv = sm.t_recv;
		}
		if (ok && s->period > 0 && sm.sstage[3] != RPLAT_NA) {
			int64_t dv = sm.sstage[3] - s->period;

			if (dv < 0)
				rplat_hist_add(&s->dev_early, (uint64_t)-dv);
			else
				rplat_hist_add(&s->dev_late, (uint64_t)dv);
		}

		s->status[sm.status]++;
		s->samples++;
		if (sm.t_recv == RPLAT_NA) { /* lost: placed after the last message that arrived */
			if (sm.status == RPLAT_RS_LOST && s->nlost < RP_MAXLOST)
				s->lost_x[s->nlost++] = (double)s->last_x / 1e9;
			continue;
		}
		if (!have_t0) {
			s->t0 = sm.t_recv;
			have_t0 = 1;
		}
		s->last_x = sm.t_recv - s->t0;
		{
			struct rp_bin *bins[2] = { s->bin[0], s->bin[1] };
			long idx = rp_bins_place(bins, 2, &s->binw, &s->nbins, (double)s->last_x);

			rp_bin_add(&s->bin[0][idx], sm.sstage[0], ok);
			rp_bin_add(&s->bin[1][idx], sm.sstage[3], ok);
		}
		if (ok && sm.sstage[0] != RPLAT_NA)
			rp_top_push(s->out, &s->nout, s->topk, &sm, key_oneway);
	}
	rplat_samples_close(in);
	if (rc < 0)
		return -1;
	qsort(s->out, (size_t)s->nout, sizeof(*s->out), cmp_oneway_desc);
	return 0;
}

/* A plot of one curve per stream stage the run has, from data/PFX_WHAT_STAGE.dat. */
static void gp_stream_curves(FILE *gp, const struct rplat_run *r, const char *pfx, const char *what, const char *with)
{
	int i, first = 1;

	fprintf(gp, "plot ");
	for (i = 0; i < RPLAT_NSTREAM_STAGES; i++) {
		if (!r->has_stream_stage[i])
			continue;
		fprintf(gp, "%s'data/%s_%s_%s.dat' using 1:2 with %s lw %s lc rgb '%s' title '%s'", first ? "" : ", ",
			pfx, what, sstage_short[i], with, i == 0 ? "2.5" : "1.4", rp_colors[i],
			rplat_stream_stage_names[i]);
		first = 0;
	}
	fprintf(gp, "\n");
}

static int run_plots_stream(struct rp_doc *d, FILE *gp, struct rrun *rr, char *err, size_t errlen)
{
	const struct rplat_run *r = rr->r;
	const struct rplat_hist *hp[RPLAT_NSTREAM_STAGES];
	char rel[128], name[64];
	double lo, hi;
	int i, any = 0;

	for (i = 0; i < RPLAT_NSTREAM_STAGES; i++) {
		hp[i] = r->has_stream_stage[i] ? &r->stream_stage[i] : NULL;
		any |= r->has_stream_stage[i];
	}
	rp_hist_range_us(hp, RPLAT_NSTREAM_STAGES, &lo, &hi);
	/* histograms */
	for (i = 0; i < RPLAT_NSTREAM_STAGES; i++) {
		struct histarg ha = { &r->stream_stage[i], lo, hi, 0, 0.5 };

		if (!r->has_stream_stage[i])
			continue;
		rp_fmt(rel, sizeof(rel), "data/%s_hist_%s.dat", rr->pfx, sstage_short[i]);
		if (write_data(d, rel, fn_hist, &ha, err, errlen))
			return -1;
	}
	rp_fmt(name, sizeof(name), "%s_hist", rr->pfx);
	rp_gp_begin(gp, name, 960, 380);
	fprintf(gp, "set title 'Stream latencies: how often each value occurred'\n");
	fprintf(gp, "set logscale xy\nset format x '%%g'\nset xrange [%g:%g]\nset yrange [0.7:*]\n", lo, hi);
	fprintf(gp, "set xlabel 'us (log scale)'\nset ylabel 'messages per bin (log scale)'\nset key outside right top vertical\n");
	if (any) {
		gp_stream_curves(gp, r, rr->pfx, "hist", "histeps");
	} else {
		fprintf(gp, "set label 10 'no messages measured' at graph 0.4, graph 0.5\nplot 1 notitle lc rgb '#ffffff'\n");
	}
	rp_gp_end(gp, name, 960, 380, d->png);
	/* percentiles */
	if (write_pct_files(d, rr->pfx, r->stream_stage, r->has_stream_stage, sstage_short, RPLAT_NSTREAM_STAGES, err,
			    errlen))
		return -1;
	rp_fmt(name, sizeof(name), "%s_pct", rr->pfx);
	gp_pct_begin(gp, name, "us (log scale)");
	rp_gp_pct_xtics(gp, r->stream_stage[0].count > r->stream_stage[1].count ? r->stream_stage[0].count :
										   r->stream_stage[1].count);
	if (any) {
		gp_stream_curves(gp, r, rr->pfx, "pct", "steps");
	} else {
		fprintf(gp, "set yrange [1:10]\nplot 1 notitle lc rgb '#ffffff'\n");
	}
	rp_gp_end(gp, name, 960, 420, d->png);
	/* the interarrival's deviation from the period */
	if (rr->ss && rr->ss->period > 0 && rr->ss->dev_early.count + rr->ss->dev_late.count) {
		const struct rplat_hist *dh[2] = { &rr->ss->dev_early, &rr->ss->dev_late };
		double dlo, dhi;
		char rel2[128];

		rp_hist_range_us(dh, 2, &dlo, &dhi);
		{
			struct histarg e = { dh[0], dlo, dhi, 0, 0.5 }, l = { dh[1], dlo, dhi, 0, 0.5 };

			rp_fmt(rel, sizeof(rel), "data/%s_dev_early.dat", rr->pfx);
			rp_fmt(rel2, sizeof(rel2), "data/%s_dev_late.dat", rr->pfx);
			if (write_data(d, rel, fn_hist, &e, err, errlen) || write_data(d, rel2, fn_hist, &l, err, errlen))
				return -1;
		}
		rp_fmt(name, sizeof(name), "%s_dev", rr->pfx);
		rp_gp_begin(gp, name, 960, 340);
		fprintf(gp, "set title 'Interarrival: deviation from the %.6g us period'\n", (double)rr->ss->period / 1e3);
		fprintf(gp, "set logscale xy\nset format x '%%g'\nset xrange [%g:%g]\nset yrange [0.7:*]\n", dlo, dhi);
		fprintf(gp, "set xlabel '|interarrival - period| (us, log scale)'\nset ylabel 'messages per bin (log scale)'\n"
			    "set key outside right top vertical\n");
		fprintf(gp, "plot '%s' using 1:2 with histeps lw 2 lc rgb '#1f77b4' title 'early (%llu)', "
			    "'%s' using 1:2 with histeps lw 2 lc rgb '#d62728' title 'late (%llu)'\n",
			rel, (unsigned long long)dh[0]->count, rel2, (unsigned long long)dh[1]->count);
		rp_gp_end(gp, name, 960, 340, d->png);
		rr->has_dev = 1;
	}
	/* over time */
	if (rr->ss && rr->ss->samples) {
		struct timearg t0 = { rr->ss->bin[0], rr->ss->nbins, rr->ss->binw, 0, 1 },
			       t1 = { rr->ss->bin[1], rr->ss->nbins, rr->ss->binw, 0, 1 };
		double ymax = (double)(r->stream_stage[0].max > r->stream_stage[3].max ? r->stream_stage[0].max :
											  r->stream_stage[3].max);
		struct lostarg la = { "t_s", rr->ss->lost_x, rr->ss->nlost, ymax / 1e3 * 1.6, NULL };
		char rel2[128], rel3[128], bws[48];
		int first = 1;

		if (la.y <= 0)
			la.y = 1000;
		rp_fmt(rel, sizeof(rel), "data/%s_time.dat", rr->pfx);
		rp_fmt(rel2, sizeof(rel2), "data/%s_time_ia.dat", rr->pfx);
		rp_fmt(rel3, sizeof(rel3), "data/%s_lost.dat", rr->pfx);
		if (write_data(d, rel, fn_time, &t0, err, errlen) || write_data(d, rel2, fn_time, &t1, err, errlen) ||
		    write_data(d, rel3, fn_lost, &la, err, errlen))
			return -1;
		rplat_fmt_ns(rr->ss->binw, bws, sizeof(bws));
		rp_fmt(name, sizeof(name), "%s_time", rr->pfx);
		rp_gp_begin(gp, name, 960, 380);
		fprintf(gp, "set title 'One-way latency and interarrival over the run'\nset logscale y\nset format y '%%g'\n");
		fprintf(gp, "set xlabel 'time into the run (s, host receive)'\nset ylabel 'us (log scale)'\n");
		fprintf(gp, "set xrange [0:%.9g]\n", rr->ss->last_x > 0 ? (double)rr->ss->last_x / 1e9 : 1);
		fprintf(gp, "set style fill transparent solid 0.45 noborder\nset key outside right top vertical\n");
		fprintf(gp, "plot ");
		if (file_nonempty_rows(d->out, rel)) {
			fprintf(gp, "'%s' using 1:2:4 with filledcurves lc rgb '#9ecae1' title 'one-way min..max per %s', "
				    "'' using 1:3 with lines lw 1.2 lc rgb '#1f77b4' title 'one-way mean'", rel, bws);
			first = 0;
		}
		if (file_nonempty_rows(d->out, rel2)) {
			fprintf(gp, "%s'%s' using 1:2:4 with filledcurves lc rgb '#fdd0a2' title 'interarrival min..max', "
				    "'' using 1:3 with lines lw 1.2 lc rgb '#ff7f0e' title 'interarrival mean'",
				first ? "" : ", ", rel2);
			first = 0;
		}
		if (rr->ss->nlost) {
			fprintf(gp, "%s'%s' using 1:2 with points pt 2 ps 1.2 lc rgb '#000000' title 'lost'",
				first ? "" : ", ", rel3);
			first = 0;
		}
		if (first)
			fprintf(gp, "1 notitle lc rgb '#ffffff'");
		fprintf(gp, "\n");
		rp_gp_end(gp, name, 960, 380, d->png);
		rr->has_time = 1;
	}
	return plot_load(d, gp, rr, err, errlen);
}

static void glance_stream(struct rp_doc *d, const struct rrun *rr)
{
	const struct rplat_run *r = rr->r;
	const struct rplat_run_stream_counts *c = &r->stream_counts;
	const struct rplat_hist *ow = &r->stream_stage[0], *irq = &r->stream_stage[1], *ia = &r->stream_stage[3];
	const char *ended = rplat_run_str(r, "ended_by");
	char s1[32], s2[32], s3[32], s4[32], s5[32], s6[32], b1[64], b2[64], t[1024];

	fputs("<div class=\"glance\">\n", d->h);
	fputs("> **At a glance**\n>\n", d->m);
	rp_fmt(t, sizeof(t),
	       "A stream: the probe sent a message from its timer every %s us (%s Hz configured, %s Hz measured, %s Hz "
	       "delivered, %s missed periods); %llu expected, %llu received over the %s link (%s), %.1f s, kernel %s "
	       "(%s), load: %s.",
	       rp_meta_s(r, "options.interval_us", s1, sizeof(s1)), rp_meta_s(r, "summary.rate.configured_hz", s2, sizeof(s2)),
	       rp_meta_s(r, "summary.rate.measured_hz", s3, sizeof(s3)),
	       rp_meta_s(r, "summary.rate.delivered_hz", s4, sizeof(s4)),
	       rp_meta_s(r, "summary.rate.missed_periods", s5, sizeof(s5)), (unsigned long long)c->expected,
	       (unsigned long long)c->received, rp_meta_s(r, "link.type", b1, sizeof(b1)),
	       rp_meta_s(r, "link.spec", b2, sizeof(b2)), rplat_run_num(r, "duration_s", 0),
	       rp_meta_s(r, "system.release", s6, sizeof(s6)), rp_meta_s(r, "system.preempt", s1, sizeof(s1)),
	       rp_meta_s(r, "load.profile", s2, sizeof(s2)));
	rp_doc_raw(d, "<p>", "> ");
	rp_doc_text(d, t);
	rp_doc_raw(d, "</p>\n", "\n>\n");
	if (ow->count) {
		double eb = rplat_run_num(r, "summary.stages.remote_to_host.err_bound_ns", -1);
		char e[64] = "";

		if (eb >= 0)
			rp_fmt(e, sizeof(e), " (+-%s, the clock fit's error bound)", rp_ns(eb, s5, sizeof(s5)));
		rp_fmt(t, sizeof(t),
		       "Half of the messages reached the host less than %s after the probe sent them, 99%% less than %s, "
		       "99.9%% less than %s; the slowest took %s%s.",
		       rp_ns((double)rplat_hist_percentile(ow, 50), s1, sizeof(s1)),
		       rp_ns((double)rplat_hist_percentile(ow, 99), s2, sizeof(s2)),
		       rp_ns((double)rplat_hist_percentile(ow, 99.9), s3, sizeof(s3)), rp_ns((double)ow->max, s4, sizeof(s4)),
		       e);
		rp_doc_raw(d, "<p><b>", "> **");
		rp_doc_text(d, t);
		rp_doc_raw(d, "</b></p>\n", "**\n>\n");
	} else {
		rp_doc_raw(d, "<p>", "> ");
		rp_doc_text(d, "No one-way latency in this run (no message received, or no clock fit).");
		rp_doc_raw(d, "</p>\n", "\n>\n");
	}
	if (irq->count || ia->count) {
		const struct sscan *ss = rr->ss;

		if (ss && ss->period > 0 && ss->dev_early.count + ss->dev_late.count) {
			char s7[32], s8[32], s9[32], mean[64] = "";

			/* near the period, a histogram bucket of the interarrival itself is 0.8% of the period
			 * wide: the figures are the deviation from the period, bucketed on their own scale */
			if (ss->nrecv > 1)
				rp_fmt(mean, sizeof(mean), " (mean interarrival %.6g us, exact)",
				       (double)(ss->last_recv - ss->first_recv) / (double)(ss->nrecv - 1) / 1e3);
			rp_fmt(t, sizeof(t),
			       "The probe's own timer interrupt latency: p50 %s, p99 %s, max %s. Messages arrived every "
			       "period of %s%s; the interarrival's deviation from it: median %s%s, p1 %s%s, p99 %s%s, "
			       "at most %s early and %s late.",
			       rp_ns((double)rplat_hist_percentile(irq, 50), s1, sizeof(s1)),
			       rp_ns((double)rplat_hist_percentile(irq, 99), s2, sizeof(s2)),
			       rp_ns((double)irq->max, s3, sizeof(s3)), rp_ns((double)ss->period, s4, sizeof(s4)), mean,
			       dev_pct(ss, 50) >= 0 ? "+" : "", rp_ns(dev_pct(ss, 50), s5, sizeof(s5)),
			       dev_pct(ss, 1) >= 0 ? "+" : "", rp_ns(dev_pct(ss, 1), s6, sizeof(s6)),
			       dev_pct(ss, 99) >= 0 ? "+" : "", rp_ns(dev_pct(ss, 99), s7, sizeof(s7)),
			       ss->dev_early.count ? rp_ns((double)ss->dev_early.max, s8, sizeof(s8)) : "0 ns",
			       ss->dev_late.count ? rp_ns((double)ss->dev_late.max, s9, sizeof(s9)) : "0 ns");
		} else {
			rp_fmt(t, sizeof(t),
			       "The probe's own timer interrupt latency: p50 %s, p99 %s, max %s. Messages arrived every %s "
			       "(median, within 0.8%%), p99 %s, at most %s apart.",
			       rp_ns((double)rplat_hist_percentile(irq, 50), s1, sizeof(s1)),
			       rp_ns((double)rplat_hist_percentile(irq, 99), s2, sizeof(s2)),
			       rp_ns((double)irq->max, s3, sizeof(s3)),
			       rp_ns((double)rplat_hist_percentile(ia, 50), s4, sizeof(s4)),
			       rp_ns((double)rplat_hist_percentile(ia, 99), s5, sizeof(s5)),
			       rp_ns((double)ia->max, s6, sizeof(s6)));
		}
		rp_doc_raw(d, "<p>", "> ");
		rp_doc_text(d, t);
		rp_doc_raw(d, "</p>\n", "\n>\n");
	}
	if (c->lost + c->overruns + c->duplicate + c->out_of_order + c->corrupt)
		rp_fmt(t, sizeof(t), "Problems: %llu lost (%llu of them overruns), %llu duplicated, %llu out of order, %llu "
		       "corrupt.", (unsigned long long)c->lost, (unsigned long long)c->overruns,
		       (unsigned long long)c->duplicate, (unsigned long long)c->out_of_order, (unsigned long long)c->corrupt);
	else
		rp_fmt(t, sizeof(t), "Every message arrived once, in order and intact.");
	rp_doc_raw(d, "<p>", "> ");
	rp_doc_text(d, t);
	rp_doc_raw(d, "</p>\n", "\n>\n");
	fputs("</div>\n", d->h);
	fputs("\n", d->m);
	if ((ended && strcmp(ended, "completed")) || rplat_run_num(r, "return_code", 0) != 0 || r->warning[0]) {
		ended_text(r, t, sizeof(t));
		rp_doc_raw(d, "<div class=\"warn\">", "> ");
		rp_doc_text(d, t);
		rp_doc_raw(d, "</div>\n", "\n\n");
	}
}

static void section_stats_stream(struct rp_doc *d, const struct rplat_run *r)
{
	static const char *const head[] = { "figure", "count", "min", "avg", "p50", "p90", "p99", "p99.9", "p99.99",
					    "max", "stddev", "note" };
	static const char *const rhead[] = { "rate", "value" };
	char note[128], buf[64];
	int i;

	rp_doc_table(d, 12, head);
	for (i = 0; i < RPLAT_NSTREAM_STAGES; i++) {
		char key[96], e[32];
		double eb;

		rp_fmt(key, sizeof(key), "summary.stages.%s.err_bound_ns", rplat_stream_stage_names[i]);
		eb = rplat_run_num(r, key, -1);
		if (eb >= 0)
			rp_fmt(note, sizeof(note), "%s; +-%s clock error", sstage_title[i], rp_ns(eb, e, sizeof(e)));
		else
			rp_fmt(note, sizeof(note), "%s", sstage_title[i]);
		stats_row(d, rplat_stream_stage_names[i], &r->stream_stage[i], note);
	}
	rp_doc_table_end(d);
	for (i = 0; i < RPLAT_NSTREAM_STAGES; i++)
		if (r->has_stream_stage[i] && r->stream_stage[i].underflow)
			rp_doc_p(d, "%s: %llu values came out below zero (within the clock error bound) and are counted as 0.",
				 rplat_stream_stage_names[i], (unsigned long long)r->stream_stage[i].underflow);
	rp_doc_p(d, "remote_to_host is the host's CLOCK_MONOTONIC at the receive minus the probe's send stamp mapped onto "
		 "host time by the clock fit (from calibration pings before and after the stream), so it carries the "
		 "fit's error bound. irq_latency (the timer's due time to the probe's ISR) and isr_to_send come from "
		 "the probe's own cycle counter; interarrival is between host receives. Percentiles come from "
		 "log-linear histograms (<= 0.8%% error); min and max are exact.");
	rp_doc_table(d, 2, rhead);
	rp_doc_kv(d, "configured (Hz)", rp_meta_s(r, "summary.rate.configured_hz", buf, sizeof(buf)));
	rp_doc_kv(d, "measured (Hz, the probe's periods)", rp_meta_s(r, "summary.rate.measured_hz", buf, sizeof(buf)));
	rp_doc_kv(d, "delivered (Hz, messages that arrived)", rp_meta_s(r, "summary.rate.delivered_hz", buf, sizeof(buf)));
	rp_doc_kv(d, "missed periods", rp_meta_s(r, "summary.rate.missed_periods", buf, sizeof(buf)));
	rp_doc_table_end(d);
}

static void section_counts_stream(struct rp_doc *d, const struct rplat_run *r, const struct sscan *s)
{
	static const char *const head[] = { "expected", "received", "lost", "overruns", "duplicate", "out of order",
					    "corrupt" };

	counts_table(d, 7, head, (const uint64_t *)&r->stream_counts);
	if (s && s->samples)
		rp_doc_p(d, "samples.tsv: %llu lines: %llu ok, %llu lost, %llu duplicated, %llu out of order.",
			 (unsigned long long)s->samples, (unsigned long long)s->status[RPLAT_RS_OK],
			 (unsigned long long)s->status[RPLAT_RS_LOST], (unsigned long long)s->status[RPLAT_RS_DUP],
			 (unsigned long long)s->status[RPLAT_RS_OOO]);
	rp_doc_p(d, "Lost: a gap in the probe's sequence: lost on the way, an overrun (no RX buffer; the probe counts "
		 "those) or a timer period the probe skipped. Every kind is reflected in the exit status of the run.");
}

static void section_outliers_stream(struct rp_doc *d, const struct rrun *rr, int top)
{
	static const char *const head[] = { "#", "seq", "at", "remote -> host", "irq latency", "isr -> send",
					    "interarrival", "trace verdict" };
	const struct rplat_run *r = rr->r;
	const struct sscan *s = rr->ss;
	int i, k, n, with_trace = r->analysis != NULL;

	if (!s || !r->has_samples) {
		rp_doc_p(d, "No per-message samples: the run has no samples.tsv.");
		return;
	}
	n = s->nout < top ? s->nout : top;
	if (!n) {
		rp_doc_p(d, "No received message with a one-way latency to list.");
		return;
	}
	rp_doc_table(d, with_trace ? 8 : 7, head);
	for (i = 0; i < n; i++) {
		const struct rplat_sample *sm = &s->out[i];
		const struct rplat_json *a = analysis_outlier(r, sm->seq);
		char b[7][48], verdict[700] = "";
		const char *c[8];

		rp_fmt(b[0], sizeof(b[0]), "%d", i + 1);
		rp_fmt(b[1], sizeof(b[1]), "%llu", (unsigned long long)sm->seq);
		rp_fmt(b[2], sizeof(b[2]), "%.3f s", (double)(sm->t_recv - s->t0) / 1e9);
		for (k = 0; k < RPLAT_NSTREAM_STAGES; k++)
			if (sm->sstage[k] == RPLAT_NA)
				rp_fmt(b[3 + k], sizeof(b[3 + k]), "-");
			else
				rp_ns((double)sm->sstage[k], b[3 + k], sizeof(b[3 + k]));
		outlier_verdict(a, with_trace, verdict, sizeof(verdict));
		for (k = 0; k < 7; k++)
			c[k] = b[k];
		c[7] = verdict;
		rp_doc_row(d, with_trace ? 8 : 7, c, 0x7e);
	}
	rp_doc_table_end(d);
	rp_doc_p(d, "The messages with the longest remote -> host latency.%s",
		 with_trace ? " The trace verdicts come from the run's ftrace analysis (trace/analysis.json), whose "
			      "latency runs from the probe timer's due time to the host's receive." :
			      " Run with rplat stream --trace to get, for each outlier, what ran on the CPUs meanwhile.");
}

static int run_section_stream(struct rp_doc *d, const struct rrun *rr, int idx, int nruns, int top, char *err,
			      size_t errlen)
{
	const struct rplat_run *r = rr->r;
	char id[64], name[64];
	int hl = nruns > 1 ? 3 : 2, i;

	run_heading(d, r, idx, nruns, "Stream run directory");
	glance_stream(d, rr);

	rp_fmt(id, sizeof(id), "r%d-dist", idx);
	rp_doc_h(d, hl, id, "Latency distribution");
	rp_fmt(name, sizeof(name), "%s_hist", rr->pfx);
	if (rp_doc_figure(d, name,
			  "How often each value occurred, stage by stage, on log scales so that rare slow messages stay "
			  "visible: remote -> host (the one-way latency), the probe's timer interrupt latency, its ISR -> "
			  "send time, and the interarrival at the host (centred on the period when the stream keeps up).",
			  err, errlen))
		return -1;
	rp_fmt(name, sizeof(name), "%s_pct", rr->pfx);
	if (rp_doc_figure(d, name,
			  "Each stage's value at each percentile: read a value at 99.9% as 'one message in a thousand is "
			  "slower'. The x axis stretches the tail (each step is ten times rarer).",
			  err, errlen))
		return -1;
	if (rr->has_dev) {
		rp_fmt(name, sizeof(name), "%s_dev", rr->pfx);
		if (rp_doc_figure(d, name,
				  "The jitter of the stream as the host saw it: how far each interarrival (between two "
				  "received messages) fell from the probe's period, early (blue) or late (red), as a "
				  "magnitude on a log scale. Histogram buckets are 0.8% of the deviation wide, not of the "
				  "period, so a few us of jitter on a 1 ms period is resolved. A lost or missed message "
				  "shows as a deviation of a whole period.",
				  err, errlen))
			return -1;
	}
	if (rr->has_time) {
		char cap[512], bw[48];

		rplat_fmt_ns(rr->ss->binw, bw, sizeof(bw));
		rp_fmt(cap, sizeof(cap),
		       "One-way latency (blue) and interarrival (orange) over the run, %llu messages in %d bins of %s "
		       "by their arrival time: the bands span each bin's smallest and largest, the lines are the means; "
		       "black crosses are lost messages. Look for bursts and drifts.",
		       (unsigned long long)rr->ss->samples, rr->ss->nbins, bw);
		rp_fmt(name, sizeof(name), "%s_time", rr->pfx);
		if (rp_doc_figure(d, name, cap, err, errlen))
			return -1;
	}
	if (load_figure(d, rr, err, errlen))
		return -1;
	rp_fmt(id, sizeof(id), "r%d-stats", idx);
	rp_doc_h(d, hl, id, "Statistics");
	section_stats_stream(d, r);
	rp_doc_h(d, hl + 1, "", "Jitter");
	rp_doc_table(d, 5, jitter_head);
	for (i = 0; i < RPLAT_NSTREAM_STAGES; i++)
		if (r->has_stream_stage[i])
			jitter_row(d, rplat_stream_stage_names[i], &r->stream_stage[i]);
	rp_doc_table_end(d);
	rp_doc_p(d, "Jitter: the spread of each stage. max - min and stddev are exact; a percentile difference is the "
		    "difference of the bucket midpoints, with the range it certainly lies in. The interarrival's "
		    "deviation from the period is given at a glance and plotted above, on its own scale.");
	rp_doc_h(d, hl + 1, "", "Messages");
	section_counts_stream(d, r, rr->ss);
	section_end(d, rr, idx, hl, top, section_outliers_stream);
	return 0;
}

/* ---------------------------------------------------------------- driver */

static int runs_stream_count(struct rplat_run *const *runs, int n)
{
	int i, k = 0;

	for (i = 0; i < n; i++)
		k += runs[i]->is_stream;
	return k;
}

static int load_context(struct rrun *rr)
{
	const struct rplat_run *r = rr->r;
	char p[PATH_MAX];
	struct stat st;

	rp_fmt(p, sizeof(p), "%s/load/cyclictest.hist", r->dir);
	if (stat(p, &st))
		return 0;
	if (rp_cthist_read(p, &rr->ct, rr->ct_err, sizeof(rr->ct_err)))
		return 0;
	rr->has_ct = 1;
	return 0;
}

int rplat_report_write(struct rplat_run *const *runs, int n, const struct rplat_report_opts *o, int *budget_failed,
		       char *err, size_t errlen)
{
	struct rplat_budget *bud = NULL;
	struct rrun *rr;
	struct rp_out out;
	struct rp_doc d;
	FILE *gp = NULL;
	char title[512];
	int i, rc = -1, top = o->top > 0 ? o->top : 10;

	if (budget_failed)
		*budget_failed = 0;
	if (n < 1)
		return rplat_fail(err, errlen, "no runs");
	for (i = 0; o->budget && i < n; i++)
		if (runs[i]->is_stream)
			return rplat_fail(err, errlen,
					  "%s: a stream run: budgets (--budget) apply to ping runs only; report it without "
					  "--budget", runs[i]->dir);
	if (o->budget) {
		bud = rplat_budget_load(o->budget, err, errlen);
		if (!bud)
			return -1;
	}
	rr = calloc((size_t)n, sizeof(*rr));
	if (!rr) {
		rplat_budget_free(bud);
		return rplat_fail(err, errlen, "out of memory");
	}
	memset(&d, 0, sizeof(d));
	if (rp_out_begin(&out, o->out_dir, err, errlen)) {
		free(rr);
		rplat_budget_free(bud);
		return -1;
	}
	d.out = &out;
	d.png = !o->no_png;
	for (i = 0; i < n; i++) {
		rr[i].r = runs[i];
		rp_fmt(rr[i].pfx, sizeof(rr[i].pfx), "r%d", i);
		if (runs[i]->is_stream) {
			rr[i].ss = calloc(1, sizeof(*rr[i].ss));
			if (!rr[i].ss) {
				rplat_fail(err, errlen, "out of memory");
				goto out;
			}
			if (sscan_run(runs[i], top > 50 ? top : 50, rr[i].ss, err, errlen))
				goto out;
			rr[i].scanned = runs[i]->has_samples;
			load_context(&rr[i]);
			continue;
		}
		if (runs[i]->has_samples) {
			if (rp_scan_run(runs[i], top > 50 ? top : 50, &rr[i].scan, err, errlen))
				goto out;
			rr[i].scanned = 1;
		} else {
			rp_fmt(rr[i].scan_err, sizeof(rr[i].scan_err), "the run has no samples.tsv (run with samples)");
			rp_scan_run(runs[i], 1, &rr[i].scan, err, errlen);
		}
		if (bud) {
			if (rplat_budget_eval(bud, runs[i], &rr[i].bres)) {
				rplat_fail(err, errlen, "out of memory");
				goto out;
			}
			rr[i].has_budget = 1;
			if (budget_failed && rr[i].bres.failed + rr[i].bres.missing)
				*budget_failed = 1;
		}
		load_context(&rr[i]);
	}
	gp = rp_fopen(&out, "plots.gp", err, errlen);
	if (!gp)
		goto out;
	fprintf(gp, "# rplat report plots. Redraw them with: cd THIS_DIRECTORY && gnuplot plots.gp\n");
	for (i = 0; i < n; i++)
		if ((runs[i]->is_stream ? run_plots_stream : run_plots)(&d, gp, &rr[i], err, errlen))
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
	else if (n == 1)
		rp_fmt(title, sizeof(title), "RPMsg latency report: %s", runs[0]->label);
	else
		rp_fmt(title, sizeof(title), "RPMsg latency report: %d runs", n);
	rp_html_begin(d.h, title);
	fprintf(d.h, "<h1>");
	rp_html_esc(d.h, title);
	fprintf(d.h, "</h1>\n");
	fprintf(d.m, "# ");
	rp_md_esc(d.m, title);
	fprintf(d.m, "\n\n");
	if (n > runs_stream_count(runs, n))
		rp_doc_p(&d, "rplat measured round trips between Linux and a real-time core: the host writes a message, "
			  "the probe firmware on the remote core stamps it with its cycle counter when its interrupt "
			  "fires, when it takes the message off the ring and when it queues the reply, and the host reads "
			  "the reply back. Below: how long that took, how often it took longer, where the time went, and "
			  "on what system.");
	if (runs_stream_count(runs, n))
		rp_doc_p(&d, "%s the probe firmware on the remote core sends a message from its own timer interrupt "
			  "every period, stamped with its cycle counter when the timer was due, when its ISR ran and when "
			  "it sent; the host reads them and maps the stamps onto its own clock. Below: how long the "
			  "messages took to reach the host, how regularly they came, what was lost, and on what system.",
			  runs_stream_count(runs, n) == n ? "rplat measured a stream from a real-time core to Linux:" :
							    "Stream runs (rplat stream):");
	if (n > 1) {
		fprintf(d.h, "<ul>\n");
		for (i = 0; i < n; i++) {
			fprintf(d.h, "<li><a href=\"#run%d\">", i);
			rp_html_esc(d.h, runs[i]->label);
			fprintf(d.h, "</a> (");
			rp_html_esc(d.h, runs[i]->dir);
			fprintf(d.h, ")</li>\n");
			fprintf(d.m, "- Run %d: ", i + 1);
			rp_md_esc(d.m, runs[i]->label);
			fprintf(d.m, " (");
			rp_md_esc(d.m, runs[i]->dir);
			fprintf(d.m, ")\n");
		}
		fprintf(d.h, "</ul>\n");
		fprintf(d.m, "\n");
	}
	for (i = 0; i < n; i++)
		if (runs[i]->is_stream ? run_section_stream(&d, &rr[i], i, n, top, err, errlen) :
					 run_section(&d, bud, &rr[i], i, n, top, err, errlen))
			goto out;
	rp_doc_h(&d, 2, "files", "Files");
	rp_doc_p(&d, "This directory holds index.html (this page, self-contained), report.md with the plots as %s files in "
		  "plots/, the plot data in data/ and plots.gp, the gnuplot script that draws them.",
	      d.png ? "PNG" : "SVG");
	if (rp_doc_finish(&d, &out, err, errlen))
		goto out_committed;
	rc = 0;
	goto out_committed;
out:
	rp_out_abort(&out);
out_committed:
	if (gp)
		fclose(gp);
	if (d.h)
		fclose(d.h);
	if (d.m)
		fclose(d.m);
	for (i = 0; i < n; i++) {
		rp_scan_free(&rr[i].scan);
		rplat_budget_result_free(&rr[i].bres);
		rp_cthist_free(&rr[i].ct);
		if (rr[i].ss)
			free(rr[i].ss->out);
		free(rr[i].ss);
	}
	free(rr);
	rplat_budget_free(bud);
	return rc;
}
