/* Helpers of the reports: output directory, gnuplot, the samples pass, plot data, text. See rp.h. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rp.h"
#include "rplat/util.h"

const char *const rp_colors[8] = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
				   "#9467bd", "#8c564b", "#e377c2", "#17becf" };

int rp_fmt(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

/* ---------------------------------------------------------------- output directory */

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void rm_rf(const char *path)
{
	if (path && *path)
		nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static int is_report_dir(const char *dir)
{
	char p[PATH_MAX];
	struct stat st;

	rp_fmt(p, sizeof(p), "%s/.rplat-report", dir);
	return stat(p, &st) == 0;
}

static int mkdir_parents(const char *path)
{
	char buf[PATH_MAX];
	char *s;

	snprintf(buf, sizeof(buf), "%s", path);
	for (s = buf + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			if (mkdir(buf, 0755) && errno != EEXIST)
				return -1;
			*s = '/';
		}
	return 0;
}

int rp_out_begin(struct rp_out *o, const char *dir, char *err, size_t errlen)
{
	struct stat st;
	char d[PATH_MAX];
	size_t n;
	FILE *f;

	memset(o, 0, sizeof(*o));
	if (!dir || !*dir)
		return rplat_fail(err, errlen, "no output directory (-o DIR)");
	snprintf(d, sizeof(d), "%s", dir);
	n = strlen(d);
	while (n > 1 && d[n - 1] == '/')
		d[--n] = 0;
	if (n + 16 >= sizeof(o->final))
		return rplat_fail(err, errlen, "%s: path too long", dir);
	memcpy(o->final, d, n + 1);
	if (stat(o->final, &st) == 0 && !(S_ISDIR(st.st_mode) && is_report_dir(o->final)))
		return rplat_fail(err, errlen,
				  "%s exists and is not an rplat report (no .rplat-report in it): remove it or choose "
				  "another -o", o->final);
	if (mkdir_parents(o->final))
		return rplat_fail(err, errlen, "%s: cannot create its parent directory: %s", o->final, strerror(errno));
	rp_fmt(o->tmp, sizeof(o->tmp), "%.*s.tmp-XXXXXX", (int)(sizeof(o->tmp) - 16), o->final);
	if (!mkdtemp(o->tmp)) {
		rplat_fail(err, errlen, "%s: cannot create a temporary directory: %s", o->tmp, strerror(errno));
		o->tmp[0] = 0;
		return -1;
	}
	chmod(o->tmp, 0755);
	{
		char sub[PATH_MAX + 16];

		rp_fmt(sub, sizeof(sub), "%s/plots", o->tmp);
		if (mkdir(sub, 0755)) {
			rplat_fail(err, errlen, "%s: %s", sub, strerror(errno));
			rp_out_abort(o);
			return -1;
		}
	}
	f = rp_fopen(o, ".rplat-report", err, errlen);
	if (!f || (fprintf(f, "rplat report directory: rplat may replace it\n"), rp_fclose(f, ".rplat-report", err,
											     errlen))) {
		rp_out_abort(o);
		return -1;
	}
	return 0;
}

void rp_out_abort(struct rp_out *o)
{
	rm_rf(o->tmp);
	o->tmp[0] = 0;
}

int rp_out_commit(struct rp_out *o, char *err, size_t errlen)
{
	char old[PATH_MAX + 32];
	struct stat st;
	int had = stat(o->final, &st) == 0;

	if (had) {
		if (!is_report_dir(o->final)) {
			rp_out_abort(o);
			return rplat_fail(err, errlen, "%s appeared meanwhile and is not an rplat report", o->final);
		}
		rp_fmt(old, sizeof(old), "%s.old-%d", o->final, (int)getpid());
		if (rename(o->final, old)) {
			rplat_fail(err, errlen, "%s: cannot move the previous report aside: %s", o->final, strerror(errno));
			rp_out_abort(o);
			return -1;
		}
	}
	if (rename(o->tmp, o->final)) {
		rplat_fail(err, errlen, "%s: %s", o->final, strerror(errno));
		if (had)
			rename(old, o->final);
		rp_out_abort(o);
		return -1;
	}
	o->tmp[0] = 0;
	if (had)
		rm_rf(old);
	return 0;
}

FILE *rp_fopen(const struct rp_out *o, const char *rel, char *err, size_t errlen)
{
	char p[PATH_MAX + 256];
	const char *slash = strrchr(rel, '/');
	FILE *f;

	if (slash) {
		rp_fmt(p, sizeof(p), "%s/%.*s", o->tmp, (int)(slash - rel), rel);
		if (mkdir(p, 0755) && errno != EEXIST) {
			rplat_fail(err, errlen, "%s: %s", p, strerror(errno));
			return NULL;
		}
	}
	rp_fmt(p, sizeof(p), "%s/%s", o->tmp, rel);
	f = fopen(p, "w");
	if (!f)
		rplat_fail(err, errlen, "%s: %s", p, strerror(errno));
	return f;
}

int rp_fclose(FILE *f, const char *rel, char *err, size_t errlen)
{
	int bad = ferror(f);

	if (fclose(f) || bad)
		return rplat_fail(err, errlen, "writing %s failed: %s", rel, strerror(errno ? errno : EIO));
	return 0;
}

int rp_gnuplot(const struct rp_out *o, const char *script, char *err, size_t errlen)
{
	char log[PATH_MAX + 32];
	pid_t pid;
	int st;

	rp_fmt(log, sizeof(log), "%s/gnuplot.log", o->tmp);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return rplat_fail(err, errlen, "fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
		}
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			dup2(fd, 2);
		if (chdir(o->tmp))
			_exit(126);
		execlp("gnuplot", "gnuplot", script, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return rplat_fail(err, errlen, "waitpid: %s", strerror(errno));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return rplat_fail(err, errlen, "gnuplot not found (install the Debian package gnuplot-nox)");
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		char line[256] = "", last[256] = "";
		FILE *f = fopen(log, "r");

		while (f && fgets(line, sizeof(line), f))
			if (strspn(line, " \t\r\n^") != strlen(line))
				memcpy(last, line, sizeof(last));
		if (f)
			fclose(f);
		last[strcspn(last, "\n")] = 0;
		return rplat_fail(err, errlen, "gnuplot failed on %s: %s", script, *last ? last : "(no message)");
	}
	unlink(log);
	return 0;
}

int rp_svg_inline(FILE *html, const struct rp_out *o, const char *rel, const char *prefix, char *err,
		  size_t errlen)
{
	static const char *const pat[] = { "id=\"", "id='", "href=\"#", "href='#", "url(#" };
	char p[PATH_MAX + 256];
	char *buf, *s;
	long n;
	FILE *f;

	rp_fmt(p, sizeof(p), "%s/%s", o->tmp, rel);
	f = fopen(p, "r");
	if (!f)
		return rplat_fail(err, errlen, "%s: %s (gnuplot drew nothing?)", p, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return rplat_fail(err, errlen, "%s: cannot read", p);
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return rplat_fail(err, errlen, "%s: cannot read", p);
	}
	fclose(f);
	buf[n] = 0;
	s = strstr(buf, "<svg");
	if (!s) {
		free(buf);
		return rplat_fail(err, errlen, "%s: not an SVG file", p);
	}
	while (*s) {
		size_t i, best = (size_t)-1;
		char *hit = NULL;

		for (i = 0; i < sizeof(pat) / sizeof(pat[0]); i++) {
			char *h = strstr(s, pat[i]);

			if (h && (!hit || h < hit)) {
				hit = h;
				best = i;
			}
		}
		if (!hit) {
			fputs(s, html);
			break;
		}
		hit += strlen(pat[best]);
		fwrite(s, 1, (size_t)(hit - s), html);
		fputs(prefix, html);
		s = hit;
	}
	free(buf);
	return ferror(html) ? rplat_fail(err, errlen, "writing the HTML page failed") : 0;
}

/* ---------------------------------------------------------------- the samples pass */

double rp_bin_x(const struct rp_scan *s, int i)
{
	double x = ((double)i + 0.5) * s->binw;

	return s->by_index ? x : x / 1e9;
}

double rp_x_of(const struct rp_scan *s, const struct rplat_sample *sm, uint64_t index)
{
	(void)index;
	return s->by_index ? (double)sm->index : (double)(sm->t_send - s->t0) / 1e9;
}

static void bin_merge(struct rp_bin *d, const struct rp_bin *a, const struct rp_bin *b)
{
	struct rp_bin m;

	m.n = a->n + b->n;
	m.bad = a->bad + b->bad;
	m.sum = a->sum + b->sum;
	m.min = !a->n ? b->min : !b->n ? a->min : a->min < b->min ? a->min : b->min;
	m.max = !a->n ? b->max : !b->n ? a->max : a->max > b->max ? a->max : b->max;
	*d = m;
}

long rp_bins_place(struct rp_bin *const *bins, int nseries, double *binw, int *nbins, double x)
{
	long idx;

	if (x < 0)
		x = 0;
	idx = (long)(x / *binw);
	while (idx >= 2 * RP_NBINS) {
		int i, k;

		for (k = 0; k < nseries; k++) {
			for (i = 0; i < RP_NBINS; i++)
				bin_merge(&bins[k][i], &bins[k][2 * i], &bins[k][2 * i + 1]);
			memset(&bins[k][RP_NBINS], 0, RP_NBINS * sizeof(bins[k][0]));
		}
		*binw *= 2;
		*nbins = (*nbins + 1) / 2;
		idx = (long)(x / *binw);
	}
	if (idx + 1 > *nbins)
		*nbins = (int)idx + 1;
	return idx;
}

void rp_bin_add(struct rp_bin *b, int64_t v, int ok)
{
	if (!ok || v == RPLAT_NA) {
		b->bad++;
		return;
	}
	if (!b->n || v < b->min)
		b->min = v;
	if (!b->n || v > b->max)
		b->max = v;
	b->n++;
	b->sum += (double)v;
}

void rp_top_push(struct rplat_sample *h, int *n, int topk, const struct rplat_sample *sm,
		 int64_t (*key)(const struct rplat_sample *))
{
	struct rplat_sample t;
	int i = 0;

	if (*n < topk) {
		i = (*n)++;
		h[i] = *sm;
		while (i > 0 && key(&h[(i - 1) / 2]) > key(&h[i])) {
			t = h[i];
			h[i] = h[(i - 1) / 2];
			h[(i - 1) / 2] = t;
			i = (i - 1) / 2;
		}
		return;
	}
	if (key(sm) <= key(&h[0]))
		return;
	h[0] = *sm;
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i;

		if (l < *n && key(&h[l]) < key(&h[m]))
			m = l;
		if (r < *n && key(&h[r]) < key(&h[m]))
			m = r;
		if (m == i)
			break;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static int64_t key_rtt(const struct rplat_sample *sm)
{
	return sm->rtt;
}

static int cmp_rtt_desc(const void *a, const void *b)
{
	const struct rplat_sample *x = a, *y = b;

	return x->rtt < y->rtt ? 1 : x->rtt > y->rtt ? -1 : (x->seq > y->seq) - (x->seq < y->seq);
}

int rp_scan_run(const struct rplat_run *r, int topk, struct rp_scan *s, char *err, size_t errlen)
{
	return rp_scan_run_x(r, topk, !strcmp(r->kind, "merged"), s, err, errlen);
}

int rp_scan_run_x(const struct rplat_run *r, int topk, int by_index, struct rp_scan *s, char *err, size_t errlen)
{
	struct rplat_samples *in;
	struct rplat_sample sm;
	int64_t t_start = rplat_now_ns();
	int rc;

	memset(s, 0, sizeof(*s));
	s->by_index = by_index;
	s->binw = s->by_index ? 1 : 1e6;
	s->topk = topk > 0 ? topk : 1;
	s->out = calloc((size_t)s->topk, sizeof(*s->out));
	if (!s->out)
		return rplat_fail(err, errlen, "out of memory");
	if (!r->has_samples)
		return 0;
	if (rplat_samples_open(r, &in, err, errlen))
		return -1;
	while ((rc = rplat_samples_next(in, &sm, err, errlen)) == 1) {
		int answered = sm.status == RPLAT_RS_OK || sm.status == RPLAT_RS_LATE;
		double x;

		s->status[sm.status]++;
		if (sm.status == RPLAT_RS_WARMUP) /* in no figure */
			continue;
		if (s->samples == 0)
			s->t0 = sm.t_send;
		if (sm.run >= 0 && sm.run < RP_MAXRUNS && !s->have_run_t0[sm.run]) {
			s->have_run_t0[sm.run] = 1;
			s->run_t0[sm.run] = sm.t_send;
		}
		x = rp_x_of(s, &sm, sm.index);
		{
			struct rp_bin *bins = s->bin;
			long idx = rp_bins_place(&bins, 1, &s->binw, &s->nbins, s->by_index ? x : x * 1e9);

			rp_bin_add(&s->bin[idx], sm.rtt, answered);
		}
		if (answered && sm.rtt != RPLAT_NA)
			rp_top_push(s->out, &s->nout, s->topk, &sm, key_rtt);
		if (sm.status == RPLAT_RS_LOST && s->nlost < RP_MAXLOST)
			s->lost_x[s->nlost++] = x;
		if (sm.status == RPLAT_RS_LATE && s->nlate < RP_MAXLOST) {
			s->late_x[s->nlate] = x;
			s->late_y[s->nlate++] = (double)sm.rtt;
		}
		if (x > s->x_end)
			s->x_end = x;
		s->samples++;
	}
	rplat_samples_close(in);
	if (rc < 0)
		return -1;
	qsort(s->out, (size_t)s->nout, sizeof(*s->out), cmp_rtt_desc);
	s->secs = (double)(rplat_now_ns() - t_start) / 1e9;
	return 0;
}

void rp_scan_free(struct rp_scan *s)
{
	free(s->out);
	s->out = NULL;
}

/* ---------------------------------------------------------------- plot data */

void rp_hist_range_us(const struct rplat_hist *const *h, int n, double *lo, double *hi)
{
	double mn = INFINITY, mx = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (!h[i] || !h[i]->count)
			continue;
		if ((double)h[i]->min < mn)
			mn = (double)h[i]->min;
		if ((double)h[i]->max > mx)
			mx = (double)h[i]->max;
	}
	if (!isfinite(mn)) {
		*lo = 1;
		*hi = 1000;
		return;
	}
	mn /= 1e3;
	mx /= 1e3;
	if (mn < 0.01)
		mn = 0.01;
	if (mx < mn * 1.5)
		mx = mn * 1.5;
	*lo = pow(10, floor(log10(mn) * 10) / 10);
	*hi = pow(10, ceil(log10(mx) * 10) / 10);
}

void rp_write_hist_dat(FILE *f, const struct rplat_hist *h, double lo_us, double hi_us, int per_decade,
		       int normalize, double zero)
{
	double l0 = log10(lo_us * 1e3), l1 = log10(hi_us * 1e3);
	int nb = (int)ceil((l1 - l0) * per_decade), i;
	uint64_t *acc;
	unsigned j;

	if (nb < 1 || nb > 100000 || !h->count)
		return;
	acc = calloc((size_t)nb, sizeof(*acc));
	if (!acc)
		return;
	/* Each bucket (<= 0.8% wide) counts whole in the display bin (~6% wide at 40 per decade) that holds
	 * its midpoint, clamped to the exact min and max: every bar is a whole number of messages. */
	for (j = 0; j < RPLAT_HIST_NBUCKETS; j++) {
		uint64_t blo, bhi;
		double mid;
		int k;

		if (!h->bucket[j])
			continue;
		rplat_hist_bounds(j, &blo, &bhi);
		if (blo < h->min)
			blo = h->min;
		if (bhi > h->max)
			bhi = h->max;
		if (bhi < blo)
			bhi = blo;
		mid = ((double)blo + (double)bhi) / 2;
		k = (int)floor((log10(mid > 1 ? mid : 1) - l0) * per_decade);
		acc[k < 0 ? 0 : k >= nb ? nb - 1 : k] += h->bucket[j];
	}
	if (h->overflow) /* beyond the buckets: at the max */
		acc[nb - 1] += h->overflow;
	fprintf(f, "# centre_us\t%s\tlo_us\thi_us\n", normalize ? "fraction" : "count");
	for (i = 0; i < nb; i++) {
		double e0 = pow(10, l0 + (double)i / per_decade) / 1e3, e1 = pow(10, l0 + (double)(i + 1) / per_decade) / 1e3;

		if (!acc[i]) {
			if (zero >= 0)
				fprintf(f, "%.6g\t%.6g\t%.6g\t%.6g\n", sqrt(e0 * e1), zero, e0, e1);
			continue;
		}
		if (normalize)
			fprintf(f, "%.6g\t%.6g\t%.6g\t%.6g\n", sqrt(e0 * e1), (double)acc[i] / (double)h->count, e0, e1);
		else
			fprintf(f, "%.6g\t%llu\t%.6g\t%.6g\n", sqrt(e0 * e1), (unsigned long long)acc[i], e0, e1);
	}
	free(acc);
}

void rp_write_pct_dat(FILE *f, const struct rplat_hist *h)
{
	uint64_t cum = 0;
	unsigned j;

	fprintf(f, "# inv_1_minus_F\tvalue_us\tF\n");
	if (!h->count)
		return;
	fprintf(f, "1\t%.6g\t0\n", (double)h->min / 1e3);
	for (j = 0; j < RPLAT_HIST_NBUCKETS; j++) {
		uint64_t lo, hi;
		double F, x, v;

		if (!h->bucket[j])
			continue;
		cum += h->bucket[j];
		rplat_hist_bounds(j, &lo, &hi);
		v = (double)(hi > h->max ? h->max : hi);
		F = (double)cum / (double)h->count;
		x = cum >= h->count ? (double)h->count : 1 / (1 - F);
		fprintf(f, "%.9g\t%.6g\t%.9f\n", x, v / 1e3, F);
	}
	if (h->overflow)
		fprintf(f, "%.9g\t%.6g\t1\n", (double)h->count, (double)h->max / 1e3);
}

void rp_gp_pct_xtics(FILE *gp, uint64_t n)
{
	/* tic labels are formats: '%%' prints '%' */
	static const char *const lab[] = { "0%%", "90%%", "99%%", "99.9%%", "99.99%%", "99.999%%", "99.9999%%",
					   "99.99999%%", "99.999999%%", "99.9999999%%" };
	double top = 10;
	int i;

	while (top < (double)n && top < 1e9)
		top *= 10;
	fprintf(gp, "set xrange [1:%g]\nset xtics (", top);
	for (i = 0; i < 10 && pow(10, i) <= top; i++)
		fprintf(gp, "%s\"%s\" %g", i ? ", " : "", lab[i], pow(10, i));
	fprintf(gp, ")\n");
}

void rp_gp_str(FILE *gp, const char *s)
{
	fputc('\'', gp);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("''", gp);
		else if ((unsigned char)*s >= 0x20)
			fputc(*s, gp);
	}
	fputc('\'', gp);
}

void rp_gp_begin(FILE *gp, const char *name, int w, int h)
{
	fprintf(gp, "\n# ---- %s\nreset\nset datafile separator \"\\t\"\n", name);
	fprintf(gp, "set terminal svg size %d,%d dynamic noenhanced font \"DejaVu Sans,12\" background \"#ffffff\"\n", w,
		h);
	fprintf(gp, "set output 'plots/%s.svg'\nset grid lc rgb '#dddddd'\nset key opaque box lc rgb '#cccccc'\n", name);
	fprintf(gp, "set border lc rgb '#555555'\n");
}

void rp_gp_end(FILE *gp, const char *name, int w, int h, int png)
{
	if (png) {
		fprintf(gp, "set terminal pngcairo size %d,%d noenhanced font \"DejaVu Sans,10\" background \"#ffffff\"\n", w,
			h);
		fprintf(gp, "set output 'plots/%s.png'\nreplot\n", name);
	}
	fprintf(gp, "unset output\n");
}

/* ---------------------------------------------------------------- cyclictest -h file */

int rp_cthist_read(const char *path, struct rp_cthist *c, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int cap = 0, lineno = 0;

	memset(c, 0, sizeof(*c));
	if (!f)
		return rplat_fail(err, errlen, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *end;
		long us;
		int t = 0;

		lineno++;
		if (*s == '#') {
			if (!strncmp(s, "# Histogram Overflows:", 22)) {
				s += 22;
				for (t = 0; t < 64; t++) {
					unsigned long long v = strtoull(s, &end, 10);

					if (end == s)
						break;
					c->overflows[t] = v;
					s = end;
				}
			} else if (!strncmp(s, "# Max Latencies:", 16)) {
				s += 16;
				for (t = 0; t < 64; t++) {
					long v = strtol(s, &end, 10);

					if (end == s)
						break;
					c->max_us[t] = v;
					s = end;
				}
			}
			continue;
		}
		us = strtol(s, &end, 10);
		if (end == s)
			continue;
		s = end;
		if (c->nrows == cap) {
			int *nu;
			uint64_t *nc;
			int ncap = cap ? cap * 2 : 1024;

			nu = realloc(c->us, (size_t)ncap * sizeof(*nu));
			if (!nu)
				goto oom;
			c->us = nu;
			nc = realloc(c->count, (size_t)ncap * 64 * sizeof(*nc));
			if (!nc)
				goto oom;
			c->count = nc;
			cap = ncap;
		}
		c->us[c->nrows] = (int)us;
		for (t = 0; t < 64; t++) {
			unsigned long long v = strtoull(s, &end, 10);

			if (end == s)
				break;
			c->count[(size_t)c->nrows * 64 + (size_t)t] = v;
			s = end;
		}
		if (!c->nthreads)
			c->nthreads = t;
		if (t != c->nthreads) {
			fclose(f);
			rp_cthist_free(c);
			return rplat_fail(err, errlen, "%s: line %d: %d columns, earlier lines have %d", path, lineno, t,
					  c->nthreads);
		}
		c->nrows++;
	}
	fclose(f);
	if (!c->nthreads) {
		rp_cthist_free(c);
		return rplat_fail(err, errlen, "%s: no histogram rows (not a cyclictest -h file?)", path);
	}
	return 0;
oom:
	fclose(f);
	rp_cthist_free(c);
	return rplat_fail(err, errlen, "out of memory");
}

void rp_cthist_free(struct rp_cthist *c)
{
	free(c->us);
	free(c->count);
	c->us = NULL;
	c->count = NULL;
}

/* ---------------------------------------------------------------- text */

void rp_html_esc(FILE *f, const char *s)
{
	if (!s)
		return;
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, f);
		}
	}
}

void rp_md_esc(FILE *f, const char *s)
{
	if (!s)
		return;
	for (; *s; s++) {
		if (strchr("\\`*_[]|<>#", *s))
			fputc('\\', f);
		if (*s == '\n')
			fputc(' ', f);
		else if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
}

const char *rp_ns(double ns, char *buf, size_t n)
{
	rplat_fmt_ns(ns, buf, n);
	return buf;
}

void rp_html_begin(FILE *f, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
	      f);
	rp_html_esc(f, title);
	fputs("</title>\n<style>\n"
	      "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:0;background:#f4f5f7;color:#222;line-height:1.45}\n"
	      "main{max-width:1100px;margin:0 auto;padding:24px 28px 60px;background:#fff;min-height:100vh}\n"
	      "h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.3em;margin-top:36px;border-bottom:2px solid #e3e6ea;"
	      "padding-bottom:4px}h3{font-size:1.08em;margin-top:24px}\n"
	      ".sub{color:#666;margin:0 0 18px}\n"
	      "table{border-collapse:collapse;margin:8px 0 14px;font-size:0.92em;display:block;max-width:100%;"
	      "overflow-x:auto}\n"
	      "th,td{border:1px solid #d8dce1;padding:4px 9px;text-align:left;vertical-align:top}\n"
	      "th{background:#f0f2f5}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	      ".glance{background:#f7fafd;border:1px solid #cfe0f1;border-left:6px solid #1f77b4;padding:12px 16px;"
	      "margin:14px 0}\n"
	      ".glance p{margin:4px 0}\n"
	      ".pass{color:#fff;background:#2e7d32;padding:2px 8px;border-radius:3px;font-weight:bold}\n"
	      ".fail{color:#fff;background:#c62828;padding:2px 8px;border-radius:3px;font-weight:bold}\n"
	      ".miss{color:#fff;background:#ef6c00;padding:2px 8px;border-radius:3px;font-weight:bold}\n"
	      ".warn{background:#fff8e1;border:1px solid #ffe082;padding:8px 12px;margin:10px 0}\n"
	      "figure{margin:14px 0 22px}figure svg{width:100%;height:auto;border:1px solid #e3e6ea}\n"
	      "figcaption{color:#555;font-size:0.9em;margin-top:4px}\n"
	      "code{background:#f0f2f5;padding:1px 4px;border-radius:3px;font-size:0.92em}\n"
	      ".cols{display:flex;flex-wrap:wrap;gap:24px}.cols>div{flex:1 1 300px}\n"
	      "footer{color:#777;font-size:0.85em;margin-top:40px}\n"
	      "</style>\n</head>\n<body>\n<main>\n",
	      f);
}

void rp_html_end(FILE *f)
{
	fputs("<footer>Written by rplat " RPLAT_VERSION ". Plots by gnuplot; the page has no external assets. "
	      "Figures are in ns/us/ms as labelled; percentiles come from log-linear histograms with at most 0.8% "
	      "relative error.</footer>\n</main>\n</body>\n</html>\n",
	      f);
}
