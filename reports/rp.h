/* Internal helpers of the reports (report, compare): the output directory, gnuplot, the pass over
 * samples.tsv, plot data, HTML and Markdown escaping. Not a public header. */
#ifndef RPLAT_REPORTS_RP_H
#define RPLAT_REPORTS_RP_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "rplat/budget.h"
#include "rplat/report.h"
#include "rplat/run.h"

/* ---- the output directory: DIR.tmp-XXXXXX, renamed to DIR when complete ---- */
struct rp_out {
	char final[PATH_MAX];
	char tmp[PATH_MAX];
};

int rp_out_begin(struct rp_out *o, const char *dir, char *err, size_t errlen);
int rp_out_commit(struct rp_out *o, char *err, size_t errlen);
void rp_out_abort(struct rp_out *o);
/* Open o->tmp/rel for writing (creating plots/ and data/ as needed). */
FILE *rp_fopen(const struct rp_out *o, const char *rel, char *err, size_t errlen);
/* Close, reporting a write error on rel. */
int rp_fclose(FILE *f, const char *rel, char *err, size_t errlen);
/* Run gnuplot on o->tmp/script (cwd o->tmp); its stderr goes to o->tmp/gnuplot.log. */
int rp_gnuplot(const struct rp_out *o, const char *script, char *err, size_t errlen);
/* Copy an SVG drawn by gnuplot into an HTML page: drop the XML prolog, prefix every id with 'prefix' so
 * several plots can share a page. Returns 0, or -1 (err). */
int rp_svg_inline(FILE *html, const struct rp_out *o, const char *rel, const char *prefix, char *err,
		  size_t errlen);

/* ---- one pass over samples.tsv ---- */
#define RP_NBINS 1000
#define RP_MAXLOST 2000

struct rp_bin {
	uint64_t n, bad;     /* answered messages (ok and late), and lost/other ones */
	int64_t min, max;    /* ok samples' rtt, ns */
	double sum;
};

struct rp_scan {
	int by_index;        /* merged runs: x is the message's index, not its time */
	int64_t t0;          /* the first t_send */
	double binw;         /* ns or messages per bin */
	int nbins;
	struct rp_bin bin[2 * RP_NBINS];
	int topk, nout;
	struct rplat_sample *out; /* the topk largest round trips (ok and late), descending after rp_scan_run */
	int nlost;
	double lost_x[RP_MAXLOST]; /* x of the first RP_MAXLOST messages that got no reply */
	int nlate;
	double late_x[RP_MAXLOST], late_y[RP_MAXLOST]; /* x and rtt (ns) of the first late replies */
	double x_end;        /* x of the last message (s, or its index when by_index) */
#define RP_MAXRUNS 256
	int64_t run_t0[RP_MAXRUNS]; /* merged runs: each source run's first t_send (have_run_t0) */
	unsigned char have_run_t0[RP_MAXRUNS];
	uint64_t samples;    /* messages, warm-up excluded */
	uint64_t status[RPLAT_RS_NSTATUS]; /* messages by status, warm-up included */
	double secs;         /* how long the pass took */
};

/* Scan r's samples.tsv. Returns 0, or -1 with the file and line in err. */
int rp_scan_run(const struct rplat_run *r, int topk, struct rp_scan *s, char *err, size_t errlen);
/* The same with x the message's index whatever the run's kind (by_index), for overlays of runs of which
 * some are merged. */
int rp_scan_run_x(const struct rplat_run *r, int topk, int by_index, struct rp_scan *s, char *err, size_t errlen);
void rp_scan_free(struct rp_scan *s);
/* x of bin i's centre, in seconds (or messages when by_index). */
double rp_bin_x(const struct rp_scan *s, int i);
double rp_x_of(const struct rp_scan *s, const struct rplat_sample *sm, uint64_t index);
/* Bin x (ns, or messages) into nseries parallel bin arrays of 2 * RP_NBINS sharing *binw and *nbins,
 * halving the resolution (merging pairs of bins) until it fits. Returns the bin's index. */
long rp_bins_place(struct rp_bin *const *bins, int nseries, double *binw, int *nbins, double x);
/* Count v in b; not ok or RPLAT_NA counts as bad. */
void rp_bin_add(struct rp_bin *b, int64_t v, int ok);
/* Keep the topk samples with the largest key in the min-heap h of *n entries. */
void rp_top_push(struct rplat_sample *h, int *n, int topk, const struct rplat_sample *sm,
		 int64_t (*key)(const struct rplat_sample *));

/* ---- plot data ---- */
/* The range [lo, hi] in us that covers the histograms' non-empty buckets, padded, on log scale. */
void rp_hist_range_us(const struct rplat_hist *const *h, int n, double *lo, double *hi);
/* A display histogram: log-spaced bins, per_decade of them per decade, from lo to hi us; each source
 * bucket's whole count in the bin that holds its midpoint (clamped to min..max), so counts are integers.
 * Columns: centre_us, count (or fraction of all samples when normalize), lo_us, hi_us. Empty bins are skipped when zero < 0, else written as 'zero'
 * (below a log axis' range, so that a curve drops to the axis). */
void rp_write_hist_dat(FILE *f, const struct rplat_hist *h, double lo_us, double hi_us, int per_decade,
		       int normalize, double zero);
/* Percentile curve: columns 1/(1-F), value_us, F (one row per non-empty bucket). */
void rp_write_pct_dat(FILE *f, const struct rplat_hist *h);
/* The x tics of a percentile plot up to n samples: set xtics ("0%" 1, "90%" 10, ...) */
void rp_gp_pct_xtics(FILE *gp, uint64_t n);
/* A gnuplot single-quoted string. */
void rp_gp_str(FILE *gp, const char *s);
/* Start a plot: reset, noenhanced, output to plots/NAME.svg; rp_gp_end() adds the PNG. */
void rp_gp_begin(FILE *gp, const char *name, int w, int h);
void rp_gp_end(FILE *gp, const char *name, int w, int h, int png);

/* ---- cyclictest's -h file (the load context) ---- */
struct rp_cthist {
	int nthreads;
	int nrows;
	int *us;             /* nrows bucket values, us */
	uint64_t *count;     /* nrows * nthreads */
	uint64_t overflows[64];
	long max_us[64];
};
int rp_cthist_read(const char *path, struct rp_cthist *c, char *err, size_t errlen);
void rp_cthist_free(struct rp_cthist *c);

/* ---- text ---- */
/* snprintf for paths and messages whose truncation is acceptable (and checked by the caller, if at all). */
int rp_fmt(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void rp_html_esc(FILE *f, const char *s);
void rp_md_esc(FILE *f, const char *s);
void rp_html_begin(FILE *f, const char *title);
void rp_html_end(FILE *f);
/* "32.10 us" etc.; "-" for an empty histogram's figures */
const char *rp_ns(double ns, char *buf, size_t n);
extern const char *const rp_colors[8];

/* ---- a document written twice: HTML and Markdown ---- */
struct rp_doc {
	FILE *h, *m;
	const struct rp_out *out;
	int png;
};

void rp_doc_raw(struct rp_doc *d, const char *html, const char *md);
void rp_doc_text(struct rp_doc *d, const char *s); /* escaped for both */
void rp_doc_p(struct rp_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rp_doc_h(struct rp_doc *d, int level, const char *id, const char *title);
void rp_doc_table(struct rp_doc *d, int n, const char *const *head);
/* A row; numeric columns (bit i of num) are right-aligned in HTML. */
void rp_doc_row(struct rp_doc *d, int n, const char *const *cell, unsigned num);
void rp_doc_table_end(struct rp_doc *d);
void rp_doc_kv(struct rp_doc *d, const char *k, const char *v);
/* Inline plots/NAME.svg with a caption (HTML), link plots/NAME.png (Markdown). */
int rp_doc_figure(struct rp_doc *d, const char *name, const char *caption, char *err, size_t errlen);
/* End the page, close index.html and report.md (d->h and d->m become NULL) and commit 'out'. Returns 0,
 * or -1 with a message in err: a file that did not close aborts 'out'; a failed commit cleans up itself. */
int rp_doc_finish(struct rp_doc *d, struct rp_out *out, char *err, size_t errlen);

/* ---- run metadata as text ---- */
const char *rp_meta_s(const struct rplat_run *r, const char *path, char *buf, size_t n); /* "-" if absent */
const char *rp_json_s(const struct rplat_json *j, char *buf, size_t n);
void rp_sizes_text(const struct rplat_run *r, char *buf, size_t n);

#endif
