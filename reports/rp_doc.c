/* Reports: the HTML and Markdown pages written side by side, and run metadata as text. See rp.h. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rp.h"

/* ---------------------------------------------------------------- a document written twice */

void rp_doc_raw(struct rp_doc *d, const char *html, const char *md)
{
	if (html)
		fputs(html, d->h);
	if (md)
		fputs(md, d->m);
}

void rp_doc_text(struct rp_doc *d, const char *s)
{
	rp_html_esc(d->h, s);
	rp_md_esc(d->m, s);
}

void rp_doc_p(struct rp_doc *d, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	rp_doc_raw(d, "<p>", "");
	rp_doc_text(d, buf);
	rp_doc_raw(d, "</p>\n", "\n\n");
}

void rp_doc_h(struct rp_doc *d, int level, const char *id, const char *title)
{
	fprintf(d->h, "<h%d id=\"%s\">", level, id);
	rp_html_esc(d->h, title);
	fprintf(d->h, "</h%d>\n", level);
	fprintf(d->m, "\n%.*s ", level, "####");
	rp_md_esc(d->m, title);
	fprintf(d->m, "\n\n");
}

void rp_doc_table(struct rp_doc *d, int n, const char *const *head)
{
	int i;

	fputs("<table><tr>", d->h);
	for (i = 0; i < n; i++) {
		fputs("<th>", d->h);
		rp_html_esc(d->h, head[i]);
		fputs("</th>", d->h);
	}
	fputs("</tr>\n", d->h);
	fputs("|", d->m);
	for (i = 0; i < n; i++) {
		fputc(' ', d->m);
		rp_md_esc(d->m, head[i]);
		fputs(" |", d->m);
	}
	fputs("\n|", d->m);
	for (i = 0; i < n; i++)
		fputs("---|", d->m);
	fputs("\n", d->m);
}

/* A row; numeric columns (bit i of num) are right-aligned in HTML. */
void rp_doc_row(struct rp_doc *d, int n, const char *const *cell, unsigned num)
{
	int i;

	fputs("<tr>", d->h);
	for (i = 0; i < n; i++) {
		fputs(num & (1u << i) ? "<td class=\"n\">" : "<td>", d->h);
		rp_html_esc(d->h, cell[i] ? cell[i] : "");
		fputs("</td>", d->h);
	}
	fputs("</tr>\n", d->h);
	fputs("|", d->m);
	for (i = 0; i < n; i++) {
		fputc(' ', d->m);
		rp_md_esc(d->m, cell[i] && *cell[i] ? cell[i] : " ");
		fputs(" |", d->m);
	}
	fputs("\n", d->m);
}

void rp_doc_table_end(struct rp_doc *d)
{
	fputs("</table>\n", d->h);
	fputs("\n", d->m);
}

/* Two-column key/value table. */
void rp_doc_kv(struct rp_doc *d, const char *k, const char *v)
{
	const char *c[2] = { k, v && *v ? v : "-" };

	rp_doc_row(d, 2, c, 0);
}

int rp_doc_figure(struct rp_doc *d, const char *name, const char *caption, char *err, size_t errlen)
{
	char rel[128], pfx[64];

	rp_fmt(rel, sizeof(rel), "plots/%s.svg", name);
	rp_fmt(pfx, sizeof(pfx), "%s_", name);
	fputs("<figure>\n", d->h);
	if (rp_svg_inline(d->h, d->out, rel, pfx, err, errlen))
		return -1;
	fputs("<figcaption>", d->h);
	rp_html_esc(d->h, caption);
	fputs("</figcaption>\n</figure>\n", d->h);
	if (d->png)
		fprintf(d->m, "![%s](plots/%s.png)\n\n", name, name);
	else
		fprintf(d->m, "![%s](plots/%s.svg)\n\n", name, name);
	fputs("*", d->m);
	rp_md_esc(d->m, caption);
	fputs("*\n\n", d->m);
	return 0;
}

/* ---------------------------------------------------------------- metadata helpers */

/* A number as a reader wants it: integers whole, others with up to 6 decimals and no exponent below 1e15
 * (399999994.8, not 4e+08), trailing zeros dropped. */
static const char *rp_num_s(const struct rplat_json *j, char *buf, size_t n)
{
	size_t len;

	if (j->is_int) {
		rp_fmt(buf, n, "%lld", (long long)j->inum);
		return buf;
	}
	if (!isfinite(j->num) || fabs(j->num) >= 1e15 || (j->num != 0 && fabs(j->num) < 1e-4)) {
		rp_fmt(buf, n, "%.6g", j->num);
		return buf;
	}
	rp_fmt(buf, n, "%.*f", fabs(j->num) >= 1e6 ? 1 : fabs(j->num) >= 1e3 ? 2 : fabs(j->num) >= 1 ? 4 : 6, j->num);
	len = strlen(buf);
	while (len > 1 && strchr(buf, '.') && (buf[len - 1] == '0' || buf[len - 1] == '.')) {
		int dot = buf[len - 1] == '.';

		buf[--len] = 0;
		if (dot)
			break;
	}
	return buf;
}

const char *rp_meta_s(const struct rplat_run *r, const char *path, char *buf, size_t n)
{
	const struct rplat_json *j = rplat_json_get(r->meta, path);

	if (!j)
		return "-";
	switch (j->type) {
	case RPLAT_JSON_STR:
		return j->str;
	case RPLAT_JSON_BOOL:
		return j->num ? "yes" : "no";
	case RPLAT_JSON_NUM:
		return rp_num_s(j, buf, n);
	case RPLAT_JSON_NULL:
		return "-";
	default:
		return "(object)";
	}
}

const char *rp_json_s(const struct rplat_json *j, char *buf, size_t n)
{
	if (!j)
		return "-";
	if (j->type == RPLAT_JSON_STR)
		return j->str;
	if (j->type == RPLAT_JSON_NUM)
		return rp_num_s(j, buf, n);
	if (j->type == RPLAT_JSON_BOOL)
		return j->num ? "yes" : "no";
	return "-";
}

void rp_sizes_text(const struct rplat_run *r, char *buf, size_t n)
{
	const struct rplat_json *s = rplat_json_get(r->meta, "options.sizes");
	size_t i, len = 0;

	buf[0] = 0;
	if (s && s->type == RPLAT_JSON_ARR)
		for (i = 0; i < s->n && len + 12 < n; i++) {
			int64_t v;

			if (!rplat_json_i64(&s->child[i], &v))
				len += (size_t)rp_fmt(buf + len, n - len, "%s%lld", len ? ", " : "", (long long)v);
		}
	if (!*buf)
		rp_fmt(buf, n, "?");
}


int rp_doc_finish(struct rp_doc *d, struct rp_out *out, char *err, size_t errlen)
{
	FILE *h = d->h, *m = d->m;

	rp_html_end(h);
	d->h = d->m = NULL;
	if (rp_fclose(h, "index.html", err, errlen) | rp_fclose(m, "report.md", err, errlen)) {
		rp_out_abort(out);
		return -1;
	}
	return rp_out_commit(out, err, errlen);
}
