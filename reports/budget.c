/* Latency budgets: parser, evaluation against runs, text/TAP/JUnit output. See rplat/budget.h. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "rplat/budget.h"
#include "rplat/util.h"

static const char *const counter_names[8] = { "sent", "received", "lost", "late", "duplicate", "out_of_order",
					      "corrupt", "error" };
static const char *const op_names[] = { "<=", "<", ">=", ">", "==", "!=" };

void rplat_fmt_ns(double ns, char *buf, size_t n)
{
	double a = fabs(ns);

	if (!isfinite(ns))
		snprintf(buf, n, "-");
	else if (a < 1e3)
		snprintf(buf, n, "%.0f ns", ns);
	else if (a < 1e6)
		snprintf(buf, n, "%.2f us", ns / 1e3);
	else if (a < 1e9)
		snprintf(buf, n, "%.3f ms", ns / 1e6);
	else
		snprintf(buf, n, "%.3f s", ns / 1e9);
}

/* ---------------------------------------------------------------- parsing */

struct bp {
	const char *name;
	int line;
	const char *base; /* start of the line, for columns */
	char *err;
	size_t errlen;
};

static int bp_fail(struct bp *b, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bp_fail(struct bp *b, const char *at, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rplat_fail(b->err, b->errlen, "%s:%d:%d: %s", b->name, b->line, (int)(at - b->base) + 1, msg);
}

static int is_ident(int c)
{
	return islower(c) || isdigit(c) || c == '_';
}

/* Copy the identifier at *p into buf (lower-case letters, digits, '_'); advance *p. */
static void ident(const char **p, char *buf, size_t n)
{
	size_t i = 0;

	while (is_ident((unsigned char)**p)) {
		if (i + 1 < n)
			buf[i++] = **p;
		(*p)++;
	}
	buf[i] = 0;
}

static int stage_index(const char *s)
{
	int i;

	for (i = 0; i < RPLAT_NSTAGES; i++)
		if (!strcmp(s, rplat_stage_names[i]) || !strcmp(s, rplat_stage_short[i]))
			return i;
	return -1;
}

static int counter_index(const char *s)
{
	int i;

	if (!strcmp(s, "dup"))
		return 4;
	if (!strcmp(s, "ooo"))
		return 5;
	for (i = 0; i < 8; i++)
		if (!strcmp(s, counter_names[i]))
			return i;
	return -1;
}

/* The figure at *p up to the first blank or operator character. */
static int parse_metric(struct bp *b, const char **pp, struct rplat_budget_rule *r)
{
	const char *p = *pp, *seg = p;
	char id[64];

	ident(&p, id, sizeof(id));
	if (!*id)
		return bp_fail(b, seg, "expected a figure (rtt.p99, stage.remote_dispatch.max, lost, ...)");
	r->series = -1;
	if (!strcmp(id, "stage")) {
		if (*p != '.')
			return bp_fail(b, p, "expected '.' and a stage name after 'stage'");
		seg = ++p;
		ident(&p, id, sizeof(id));
		r->series = stage_index(id);
		if (r->series < 0)
			return bp_fail(b, seg,
				       "unknown stage '%s' (host_to_remote, remote_dispatch, remote_processing, "
				       "remote_to_host)", id);
		r->kind = RPLAT_B_HIST;
	} else if (!strcmp(id, "rtt")) {
		r->kind = RPLAT_B_HIST;
	} else if (stage_index(id) >= 0) {
		r->series = stage_index(id);
		r->kind = RPLAT_B_HIST;
	} else if (!strcmp(id, "clock")) {
		if (*p != '.')
			return bp_fail(b, p, "expected '.err_bound' after 'clock'");
		seg = ++p;
		ident(&p, id, sizeof(id));
		if (strcmp(id, "err_bound") && strcmp(id, "err_bound_ns"))
			return bp_fail(b, seg, "unknown clock figure '%s' (clock.err_bound)", id);
		r->kind = RPLAT_B_CLOCK;
		r->is_time = 1;
		*pp = p;
		return 0;
	} else if (counter_index(id) >= 0) {
		r->kind = RPLAT_B_COUNTER;
		r->counter = counter_index(id);
		if (*p == '.' || *p == '@')
			return bp_fail(b, p, "'%s' is a count: compare it directly (e.g. %s == 0)", id, id);
		*pp = p;
		return 0;
	} else {
		return bp_fail(b, seg,
			       "unknown figure '%s' (expected rtt, stage.NAME, a count such as lost, or "
			       "clock.err_bound)", id);
	}
	if (*p == '@') {
		if (r->series >= 0)
			return bp_fail(b, p, "per-size figures exist for rtt only");
		if (r->size != RPLAT_B_ALL_SIZES)
			return bp_fail(b, p, "a size is already given by the 'size' block");
		p++;
		if (*p == '*') {
			r->size = RPLAT_B_EACH_SIZE;
			p++;
		} else if (isdigit((unsigned char)*p)) {
			char *end;
			long v = strtol(p, &end, 10);

			if (v > 65535)
				return bp_fail(b, p, "size %ld is too large", v);
			r->size = (int)v;
			p = end;
		} else {
			return bp_fail(b, p, "expected a payload size in bytes or '*' after '@'");
		}
	}
	if (*p != '.')
		return bp_fail(b, p, "expected '.' and a statistic (p99, p99.9, max, min, avg, stddev, count)");
	seg = ++p;
	if (*p == 'p' && (isdigit((unsigned char)p[1]) || p[1] == '.')) {
		char *end;
		double v;

		errno = 0;
		v = strtod(p + 1, &end);
		if (end == p + 1 || errno || !(v > 0 && v <= 100))
			return bp_fail(b, seg, "a percentile must lie in (0, 100], e.g. p99.9");
		r->stat = RPLAT_B_PCT;
		r->pct = v;
		p = end;
	} else {
		ident(&p, id, sizeof(id));
		if (!strcmp(id, "min"))
			r->stat = RPLAT_B_MIN;
		else if (!strcmp(id, "max"))
			r->stat = RPLAT_B_MAX;
		else if (!strcmp(id, "avg") || !strcmp(id, "mean"))
			r->stat = RPLAT_B_AVG;
		else if (!strcmp(id, "stddev"))
			r->stat = RPLAT_B_STDDEV;
		else if (!strcmp(id, "count"))
			r->stat = RPLAT_B_COUNT;
		else if (!strcmp(id, "median")) {
			r->stat = RPLAT_B_PCT;
			r->pct = 50;
		} else
			return bp_fail(b, seg, "unknown statistic '%s' (pN such as p99.9, max, min, avg, stddev, count)",
				       *id ? id : (char[]){ *seg, 0 });
	}
	r->is_time = r->stat != RPLAT_B_COUNT;
	*pp = p;
	return 0;
}

static int parse_rule(struct bp *b, const char *p, struct rplat_budget_rule *r)
{
	const char *start = p, *at;
	char *end;
	char unit[16];
	size_t i, n;
	double v;

	r->line = b->line;
	r->col = (int)(p - b->base) + 1;
	if (parse_metric(b, &p, r))
		return -1;
	if (*p && *p != ' ' && *p != '\t' && !strchr("<>=!", *p))
		return bp_fail(b, p, "unexpected '%c' in the figure", *p);
	while (*p == ' ' || *p == '\t')
		p++;
	at = p;
	for (i = 0; i < 6; i++) {
		n = strlen(op_names[i]);
		if (!strncmp(p, op_names[i], n)) {
			if (n == 1 && p[1] == '=')
				continue;
			r->op = (enum rplat_budget_op)i;
			p += n;
			break;
		}
	}
	if (i == 6) {
		if (*p == '=')
			return bp_fail(b, at, "use '==' to compare for equality");
		if (!*p)
			return bp_fail(b, at, "expected a comparison (<=, <, >=, >, ==, !=) after the figure");
		return bp_fail(b, at, "expected a comparison (<=, <, >=, >, ==, !=), found '%c'", *p);
	}
	while (*p == ' ' || *p == '\t')
		p++;
	at = p;
	if (!*p)
		return bp_fail(b, at, "expected a value after '%s'", op_names[r->op]);
	errno = 0;
	v = strtod(p, &end);
	if (end == p || errno || !isfinite(v) || strchr("xXpP", *p) || (*p == '0' && (p[1] == 'x' || p[1] == 'X')))
		return bp_fail(b, at, "expected a number, found '%.20s'", p);
	if (v < 0)
		return bp_fail(b, at, "a limit must be >= 0 (latencies and counts are never negative)");
	p = end;
	/* "50us" or "50 us" */
	{
		const char *q = p;

		while (*q == ' ' || *q == '\t')
			q++;
		if (q != p && (isalpha((unsigned char)*q) || *q == '%'))
			p = q;
	}
	n = 0;
	while ((isalpha((unsigned char)*p) || *p == '%') && n + 1 < sizeof(unit))
		unit[n++] = *p++;
	unit[n] = 0;
	if (r->is_time) {
		static const struct {
			const char *u;
			double mult;
		} tu[] = { { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 } };

		if (!*unit)
			return bp_fail(b, end, "a time needs a unit: ns, us, ms or s (e.g. %gus)", v);
		for (i = 0; i < 4 && strcmp(unit, tu[i].u); i++)
			;
		if (i == 4)
			return bp_fail(b, end, "unknown time unit '%s' (ns, us, ms, s)", unit);
		r->limit = v * tu[i].mult;
	} else {
		if (!strcmp(unit, "%")) {
			if (r->kind != RPLAT_B_COUNTER)
				return bp_fail(b, end, "'%%' applies to counts of messages only (e.g. lost <= 0.1%%)");
			r->percent = 1;
		} else if (*unit) {
			return bp_fail(b, end, "a count takes no unit, found '%s'", unit);
		} else if (v < 0 || v != floor(v)) {
			return bp_fail(b, at, "a count must be a whole number >= 0");
		}
		r->limit = v;
	}
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	if (*p)
		return bp_fail(b, p, "unexpected '%.20s' after the value", p);
	n = (size_t)(p - start);
	while (n && (start[n - 1] == ' ' || start[n - 1] == '\t' || start[n - 1] == '\r'))
		n--;
	if (r->size >= 0 && !strstr(start, "@"))
		snprintf(r->text, sizeof(r->text), "%.*s (size %d)", (int)(n > 150 ? 150 : n), start, r->size);
	else if (r->size == RPLAT_B_EACH_SIZE && !strstr(start, "@"))
		snprintf(r->text, sizeof(r->text), "%.*s (each size)", (int)(n > 150 ? 150 : n), start);
	else
		snprintf(r->text, sizeof(r->text), "%.*s", (int)(n > 190 ? 190 : n), start);
	return 0;
}

struct rplat_budget *rplat_budget_parse(const char *text, const char *name, char *err, size_t errlen)
{
	struct rplat_budget *bud = calloc(1, sizeof(*bud));
	struct bp b = { name, 0, NULL, err, errlen };
	int cap = 0, block = 0, block_size = RPLAT_B_ALL_SIZES, block_rules = 0, block_line = 0;
	char block_text[64] = "";
	const char *s = text;

	if (!bud) {
		rplat_fail(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(bud->name, sizeof(bud->name), "%s", name);
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		char line[1024], *c, *p;
		int indented;

		b.line++;
		if (n >= sizeof(line)) {
			b.base = s;
			bp_fail(&b, s, "line longer than 1023 characters");
			goto fail;
		}
		memcpy(line, s, n);
		line[n] = 0;
		s += n + (e ? 1 : 0);
		b.base = line;
		for (c = line; *c; c++)
			if ((unsigned char)*c < 0x20 && *c != '\t' && *c != '\r') {
				bp_fail(&b, c, "control character 0x%02x (a binary file?)", (unsigned)(unsigned char)*c);
				goto fail;
			}
		if ((c = strchr(line, '#')))
			*c = 0;
		indented = line[0] == ' ' || line[0] == '\t';
		for (p = line; *p == ' ' || *p == '\t' || *p == '\r'; p++)
			;
		if (!*p)
			continue;
		if (!indented) {
			if (block == 1 && !block_rules) {
				b.line = block_line;
				b.base = block_text;
				bp_fail(&b, block_text, "'%s' has no rules: indent the rules that belong to it",
					block_text);
				goto fail;
			}
			block = 0;
		}
		if (!strncmp(p, "size", 4) && (p[4] == ' ' || p[4] == '\t')) {
			const char *q = p + 4;
			int sz;

			if (indented) {
				bp_fail(&b, p, "size blocks do not nest: write 'size N:' at the start of a line");
				goto fail;
			}
			while (*q == ' ' || *q == '\t')
				q++;
			if (*q == '*') {
				sz = RPLAT_B_EACH_SIZE;
				q++;
			} else if (isdigit((unsigned char)*q)) {
				char *end;
				long v = strtol(q, &end, 10);

				if (v > 65535) {
					bp_fail(&b, q, "size %ld is too large", v);
					goto fail;
				}
				sz = (int)v;
				q = end;
			} else {
				bp_fail(&b, q, "expected a payload size in bytes or '*' after 'size'");
				goto fail;
			}
			while (*q == ' ' || *q == '\t')
				q++;
			if (*q != ':') {
				bp_fail(&b, q, "expected ':' after 'size %s'", sz == RPLAT_B_EACH_SIZE ? "*" : "N");
				goto fail;
			}
			q++;
			while (*q == ' ' || *q == '\t' || *q == '\r')
				q++;
			if (!*q) { /* opens a block */
				block = 1;
				block_size = sz;
				block_rules = 0;
				block_line = b.line;
				snprintf(block_text, sizeof(block_text), "%.*s", (int)(q - p), p);
				while (*block_text && strchr(" \t\r", block_text[strlen(block_text) - 1]))
					block_text[strlen(block_text) - 1] = 0;
				continue;
			}
			p = (char *)q; /* "size 64: rule": this rule only */
			block_size = sz;
			block = 2;
		}
		if (bud->n == cap) {
			struct rplat_budget_rule *nr;

			cap = cap ? cap * 2 : 16;
			nr = realloc(bud->rules, (size_t)cap * sizeof(*nr));
			if (!nr) {
				rplat_fail(err, errlen, "out of memory");
				goto fail;
			}
			bud->rules = nr;
		}
		memset(&bud->rules[bud->n], 0, sizeof(bud->rules[0]));
		bud->rules[bud->n].size = block ? block_size : RPLAT_B_ALL_SIZES;
		if (parse_rule(&b, p, &bud->rules[bud->n]))
			goto fail;
		if (block && bud->rules[bud->n].kind != RPLAT_B_HIST) {
			bp_fail(&b, p, "only rtt figures can be limited to a size");
			goto fail;
		}
		if (block && bud->rules[bud->n].series >= 0) {
			bp_fail(&b, p, "per-size figures exist for rtt only");
			goto fail;
		}
		if (block == 2)
			block = 0;
		block_rules++;
		bud->n++;
	}
	if (block == 1 && !block_rules) {
		b.line = block_line;
		b.base = block_text;
		bp_fail(&b, block_text, "'%s' has no rules: indent the rules that belong to it", block_text);
		goto fail;
	}
	if (!bud->n) {
		rplat_fail(err, errlen, "%s: no rules (a budget needs at least one, e.g. 'rtt.p99 <= 50us')", name);
		goto fail;
	}
	return bud;
fail:
	rplat_budget_free(bud);
	return NULL;
}

void rplat_budget_free(struct rplat_budget *b)
{
	if (!b)
		return;
	free(b->rules);
	free(b);
}

struct rplat_budget *rplat_budget_load(const char *spec, char *err, size_t errlen)
{
	struct rplat_budget *b;
	struct stat st;
	char *buf, *c;
	FILE *f;
	size_t n;

	if (stat(spec, &st) != 0) {
		if (!strpbrk(spec, "<>=!")) {
			rplat_fail(err, errlen, "%s: %s (give a budget file, or rules such as 'rtt.p99 <= 50us')", spec,
				   strerror(errno));
			return NULL;
		}
		buf = strdup(spec);
		if (!buf) {
			rplat_fail(err, errlen, "out of memory");
			return NULL;
		}
		for (c = buf; *c; c++)
			if (*c == ';')
				*c = '\n';
		b = rplat_budget_parse(buf, "<inline>", err, errlen);
		free(buf);
		return b;
	}
	if (!S_ISREG(st.st_mode)) {
		rplat_fail(err, errlen, "%s: not a regular file", spec);
		return NULL;
	}
	if (st.st_size > 1 << 20) {
		rplat_fail(err, errlen, "%s: larger than 1 MiB, not a budget", spec);
		return NULL;
	}
	f = fopen(spec, "r");
	if (!f) {
		rplat_fail(err, errlen, "%s: %s", spec, strerror(errno));
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fclose(f);
		rplat_fail(err, errlen, "out of memory");
		return NULL;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	buf[n] = 0;
	if (strlen(buf) != n) {
		free(buf);
		rplat_fail(err, errlen, "%s: contains NUL bytes, not a budget file", spec);
		return NULL;
	}
	b = rplat_budget_parse(buf, spec, err, errlen);
	free(buf);
	return b;
}

/* ---------------------------------------------------------------- evaluation */

/* buf = a b c, truncated to n - 1 characters. */
static void bcat(char *buf, size_t n, const char *a, const char *b, const char *c)
{
	const char *part[3] = { a, b, c };
	size_t len = 0;
	int i;

	for (i = 0; i < 3; i++)
		for (const char *p = part[i]; *p && len + 1 < n; p++)
			buf[len++] = *p;
	buf[len] = 0;
}

/* The sizes a run measured: from its per-size histograms, or options.sizes when there is one size. */
static int run_sizes(const struct rplat_run *r, unsigned *out, int max)
{
	const struct rplat_json *s = rplat_json_get(r->meta, "options.sizes");
	int i, n = 0;

	if (r->nsizes) {
		for (i = 0; i < r->nsizes && n < max; i++)
			out[n++] = r->sizes[i].size;
		return n;
	}
	if (s && s->type == RPLAT_JSON_ARR && s->n == 1) {
		int64_t v;

		if (!rplat_json_i64(&s->child[0], &v) && v >= 0)
			out[n++] = (unsigned)v;
	}
	return n;
}

static const struct rplat_hist *size_hist(const struct rplat_run *r, unsigned size)
{
	unsigned sizes[1];
	const struct rplat_hist *h = rplat_run_size_hist(r, size);

	if (h || r->nsizes)
		return h;
	/* one size measured: the whole run is that size */
	if (run_sizes(r, sizes, 1) == 1 && sizes[0] == size)
		return &r->rtt;
	return NULL;
}

static int compare(double v, enum rplat_budget_op op, double lim)
{
	switch (op) {
	case RPLAT_B_LE:
		return v <= lim;
	case RPLAT_B_LT:
		return v < lim;
	case RPLAT_B_GE:
		return v >= lim;
	case RPLAT_B_GT:
		return v > lim;
	case RPLAT_B_EQ:
		return v == lim;
	case RPLAT_B_NE:
		return v != lim;
	}
	return 0;
}

static void fmt_value(const struct rplat_budget_rule *r, double v, char *buf, size_t n)
{
	if (r->is_time)
		rplat_fmt_ns(v, buf, n);
	else if (r->percent)
		snprintf(buf, n, "%.4g%%", v);
	else
		snprintf(buf, n, "%.0f", v);
}

static void stat_name(const struct rplat_budget_rule *r, char *buf, size_t n)
{
	static const char *const names[] = { "min", "max", "avg", "stddev", "count" };

	if (r->stat == RPLAT_B_PCT)
		snprintf(buf, n, "p%g", r->pct);
	else
		snprintf(buf, n, "%s", names[r->stat]);
}

/* What a latency figure was computed over: "p99 of the round trips over 2999 of 3000 messages (1528 late
 * replies included; 1 lost: no round trip)". */
static void population(const struct rplat_run *r, const struct rplat_budget_rule *ru, int size,
		       const struct rplat_hist *h, const char *sn, const char *what, char *buf, size_t n)
{
	size_t len;

	len = (size_t)snprintf(buf, n, "%s of the %s over %llu of %llu messages", sn, what,
			       (unsigned long long)h->count, (unsigned long long)r->counts.sent);
	if (len >= n)
		return;
	if (ru->series < 0 && size < 0 && r->counts.late && h->count == r->counts.received)
		len += (size_t)snprintf(buf + len, n - len, " (%llu late replies included", (unsigned long long)r->counts.late);
	else if (ru->series < 0 && size < 0 && r->counts.late)
		len += (size_t)snprintf(buf + len, n - len, " (%llu late replies not in the histogram",
					(unsigned long long)r->counts.late);
	else if (ru->series >= 0)
		len += (size_t)snprintf(buf + len, n - len, " (the answered ones with the remote's stamps");
	else
		len += (size_t)snprintf(buf + len, n - len, " (");
	if (len >= n)
		return;
	if (r->counts.lost)
		snprintf(buf + len, n - len, "%s%llu lost: no round trip)", buf[len - 1] == '(' ? "" : "; ",
			 (unsigned long long)r->counts.lost);
	else if (buf[len - 1] == '(')
		buf[len - 2] = 0;
	else
		snprintf(buf + len, n - len, ")");
}

static void eval_one(const struct rplat_budget_rule *ru, const struct rplat_run *r, int size,
		     struct rplat_budget_check *c)
{
	const struct rplat_hist *h = NULL;
	char what[64], sn[16];
	double v = 0, lo = 0, hi = 0;
	int ranged = 0;

	c->rule = ru;
	c->status = RPLAT_B_MISSING;
	fmt_value(ru, ru->limit, c->limit_text, sizeof(c->limit_text));
	snprintf(c->measured_text, sizeof(c->measured_text), "-");
	if (ru->size == RPLAT_B_EACH_SIZE) {
		const char *at = strstr(ru->text, "@*");

		if (at)
			snprintf(c->name, sizeof(c->name), "%.*s@%d%s", (int)(at - ru->text), ru->text, size, at + 2);
		else
			snprintf(c->name, sizeof(c->name), "%.*s (size %d)", (int)(strlen(ru->text) - 12), ru->text, size);
	} else {
		snprintf(c->name, sizeof(c->name), "%s", ru->text);
	}
	switch (ru->kind) {
	case RPLAT_B_COUNTER: {
		uint64_t cnt = ((const uint64_t *)&r->counts)[ru->counter];

		if (ru->percent) {
			if (!r->counts.sent) {
				snprintf(c->detail, sizeof(c->detail), "no messages were sent");
				return;
			}
			v = 100.0 * (double)cnt / (double)r->counts.sent;
			snprintf(c->detail, sizeof(c->detail), "%s %llu of %llu sent", counter_names[ru->counter],
				 (unsigned long long)cnt, (unsigned long long)r->counts.sent);
		} else {
			v = (double)cnt;
			snprintf(c->detail, sizeof(c->detail), "%s %llu (of %llu sent)", counter_names[ru->counter],
				 (unsigned long long)cnt, (unsigned long long)r->counts.sent);
		}
		break;
	}
	case RPLAT_B_CLOCK: {
		const struct rplat_json *valid = rplat_json_get(r->meta, "clock.valid");

		if (!valid || valid->type != RPLAT_JSON_BOOL || !valid->num ||
		    rplat_json_num(rplat_json_get(r->meta, "clock.err_bound_ns"), &v)) {
			snprintf(c->detail, sizeof(c->detail), "the run has no valid clock correlation");
			return;
		}
		snprintf(c->detail, sizeof(c->detail), "clock correlation error bound");
		break;
	}
	case RPLAT_B_HIST:
		if (ru->series >= 0) {
			snprintf(what, sizeof(what), "%s", rplat_stage_names[ru->series]);
			if (!r->has_stage[ru->series]) {
				snprintf(c->detail, sizeof(c->detail), "the run has no %s stage (no stage breakdown)",
					 what);
				return;
			}
			h = &r->stage[ru->series];
		} else if (size >= 0) {
			snprintf(what, sizeof(what), "%d-byte round trips", size);
			h = size_hist(r, (unsigned)size);
			if (!h) {
				snprintf(c->detail, sizeof(c->detail), "the run has no %d-byte messages", size);
				return;
			}
		} else {
			snprintf(what, sizeof(what), "round trips");
			h = &r->rtt;
		}
		if (!h->count && ru->stat != RPLAT_B_COUNT) {
			snprintf(c->detail, sizeof(c->detail), "no %s measured", what);
			return;
		}
		lo = hi = 0;
		switch (ru->stat) {
		case RPLAT_B_MIN:
			v = (double)h->min;
			break;
		case RPLAT_B_MAX:
			v = (double)h->max;
			break;
		case RPLAT_B_AVG:
			v = rplat_hist_mean(h);
			break;
		case RPLAT_B_STDDEV:
			v = rplat_hist_stddev(h);
			break;
		case RPLAT_B_COUNT:
			v = (double)h->count;
			break;
		case RPLAT_B_PCT: {
			uint64_t plo, phi;

			rplat_hist_percentile_range(h, ru->pct, &plo, &phi);
			lo = (double)plo;
			hi = (double)phi;
			ranged = plo != phi;
			v = (double)rplat_hist_percentile(h, ru->pct);
			break;
		}
		}
		stat_name(ru, sn, sizeof(sn));
		population(r, ru, size, h, sn, what, c->detail, sizeof(c->detail));
		break;
	}
	c->measured = v;
	c->measured_lo = c->measured_hi = v;
	fmt_value(ru, v, c->measured_text, sizeof(c->measured_text));
	if (!ranged) {
		c->status = compare(v, ru->op, ru->limit) ? RPLAT_B_PASS : RPLAT_B_FAIL;
		return;
	}
	/* a percentile somewhere in [lo, hi]: decided only when every value there gives the same answer */
	{
		char a[32], b[32];
		int plo = compare(lo, ru->op, ru->limit), phi = compare(hi, ru->op, ru->limit);
		int inside = ru->limit >= lo && ru->limit <= hi;

		c->measured_lo = lo;
		c->measured_hi = hi;
		fmt_value(ru, lo, a, sizeof(a));
		fmt_value(ru, hi, b, sizeof(b));
		bcat(c->measured_text, sizeof(c->measured_text), a, "..", b);
		if (ru->op == RPLAT_B_EQ)
			c->status = inside ? RPLAT_B_UNDECIDED : RPLAT_B_FAIL;
		else if (ru->op == RPLAT_B_NE)
			c->status = inside ? RPLAT_B_UNDECIDED : RPLAT_B_PASS;
		else
			c->status = plo && phi ? RPLAT_B_PASS : !plo && !phi ? RPLAT_B_FAIL : RPLAT_B_UNDECIDED;
		/* the bound that decides: the upper one for <=, <, the lower one for >=, > */
		c->measured = ru->op == RPLAT_B_GE || ru->op == RPLAT_B_GT ? lo : hi;
		if (c->status == RPLAT_B_UNDECIDED) {
			size_t n = strlen(c->detail);
			uint64_t ex;
			char e[16];

			/* the limit falls inside the bucket: take the percentile itself from samples.tsv */
			if (r->verified && r->has_samples &&
			    !rplat_run_exact_percentile(r, h, ru->series, h == &r->rtt ? -1 : size, ru->pct, &ex, e,
							sizeof(e))) {
				c->measured = c->measured_lo = c->measured_hi = (double)ex;
				fmt_value(ru, (double)ex, c->measured_text, sizeof(c->measured_text));
				c->status = compare((double)ex, ru->op, ru->limit) ? RPLAT_B_PASS : RPLAT_B_FAIL;
				snprintf(c->detail + n, sizeof(c->detail) - n,
					 "; exact from samples.tsv (the limit fell in its histogram bucket %s..%s)", a, b);
			} else {
				snprintf(c->detail + n, sizeof(c->detail) - n,
					 "; the limit lies in the percentile's histogram bucket %s..%s: undecidable", a, b);
			}
		}
	}
}

/* The check every budget gets first: the figures come from a run whose samples.tsv was read whole and
 * agrees with run.json and the histograms. */
static const struct rplat_budget_rule verified_rule = { .text = "samples.tsv", .kind = RPLAT_B_COUNTER,
							 .op = RPLAT_B_EQ };

int rplat_budget_eval(const struct rplat_budget *b, const struct rplat_run *r, struct rplat_budget_result *res)
{
	unsigned sizes[64];
	int nsz = run_sizes(r, sizes, 64), i, j, cap = 0;

	memset(res, 0, sizeof(*res));
	if (!r->verified) {
		struct rplat_budget_check *c = calloc(16, sizeof(*c));

		if (!c)
			return -1;
		cap = 16;
		res->checks = c;
		res->n = 1;
		res->missing = 1;
		c->rule = &verified_rule;
		c->status = RPLAT_B_MISSING;
		snprintf(c->name, sizeof(c->name), "samples.tsv verified");
		snprintf(c->measured_text, sizeof(c->measured_text), "-");
		snprintf(c->limit_text, sizeof(c->limit_text), "read whole, agreeing with run.json");
		bcat(c->detail, sizeof(c->detail), *r->unverified ? r->unverified :
		     "samples.tsv was not checked against run.json and the histograms", "", "");
	}
	for (i = 0; i < b->n; i++) {
		const struct rplat_budget_rule *ru = &b->rules[i];
		int k = ru->size == RPLAT_B_EACH_SIZE ? (nsz ? nsz : 1) : 1;

		for (j = 0; j < k; j++) {
			struct rplat_budget_check *c;

			if (res->n == cap) {
				struct rplat_budget_check *nc;

				cap = cap ? cap * 2 : 16;
				nc = realloc(res->checks, (size_t)cap * sizeof(*nc));
				if (!nc) {
					rplat_budget_result_free(res);
					return -1;
				}
				res->checks = nc;
			}
			c = &res->checks[res->n++];
			memset(c, 0, sizeof(*c));
			if (ru->size == RPLAT_B_EACH_SIZE && !nsz) {
				eval_one(ru, r, 0, c);
				c->status = RPLAT_B_MISSING;
				snprintf(c->measured_text, sizeof(c->measured_text), "-");
				snprintf(c->detail, sizeof(c->detail), "the run records no payload sizes");
			} else {
				eval_one(ru, r, ru->size == RPLAT_B_EACH_SIZE ? (int)sizes[j] : ru->size, c);
			}
			if (c->status == RPLAT_B_PASS)
				res->passed++;
			else if (c->status == RPLAT_B_FAIL)
				res->failed++;
			else
				res->missing++;
			if (c->status == RPLAT_B_UNDECIDED)
				res->undecided++;
		}
	}
	return 0;
}

void rplat_budget_result_free(struct rplat_budget_result *res)
{
	free(res->checks);
	memset(res, 0, sizeof(*res));
}

/* ---------------------------------------------------------------- output */

static const char *status_word(enum rplat_budget_status s)
{
	return s == RPLAT_B_PASS ? "PASS" : s == RPLAT_B_FAIL ? "FAIL" : s == RPLAT_B_UNDECIDED ? "UNDECIDED" :
											"MISSING";
}

void rplat_budget_print(FILE *f, const struct rplat_budget *b, struct rplat_run *const *runs,
			const struct rplat_budget_result *res, int n)
{
	int i, j, bad = 0;

	for (i = 0; i < n; i++) {
		fprintf(f, "# budget %s on %s (%s)\n", b->name, runs[i]->dir, runs[i]->label);
		for (j = 0; j < res[i].n; j++) {
			const struct rplat_budget_check *c = &res[i].checks[j];

			fprintf(f, "%-9s %-40s %20s", status_word(c->status), c->name, c->measured_text);
			if (c->status == RPLAT_B_PASS)
				fprintf(f, "   %s\n", c->detail);
			else if (c->status == RPLAT_B_FAIL || c->status == RPLAT_B_UNDECIDED)
				fprintf(f, "   limit %s %s; %s\n", op_names[c->rule->op], c->limit_text, c->detail);
			else
				fprintf(f, "   not measured: %s\n", c->detail);
		}
		fprintf(f, "# %s: %d checks, %d passed, %d failed, %d undecided, %d not measured: %s\n", runs[i]->dir,
			res[i].n, res[i].passed, res[i].failed, res[i].undecided, res[i].missing - res[i].undecided,
			res[i].failed + res[i].missing ? "FAIL" : "PASS");
		bad += res[i].failed + res[i].missing;
	}
	if (n > 1)
		fprintf(f, "# budget: %d runs: %s\n", n, bad ? "FAIL" : "PASS");
}

void rplat_budget_write_tap(FILE *f, const struct rplat_budget *b, struct rplat_run *const *runs,
			    const struct rplat_budget_result *res, int n)
{
	int i, j, k = 0, total = 0;

	for (i = 0; i < n; i++)
		total += res[i].n;
	fprintf(f, "TAP version 13\n1..%d\n", total);
	for (i = 0; i < n; i++)
		for (j = 0; j < res[i].n; j++) {
			const struct rplat_budget_check *c = &res[i].checks[j];

			k++;
			fprintf(f, "%s %d - %s: %s (measured %s)\n", c->status == RPLAT_B_PASS ? "ok" : "not ok", k,
				runs[i]->label, c->name, c->measured_text);
			if (c->status != RPLAT_B_PASS) {
				fprintf(f, "  ---\n");
				fprintf(f, "  message: \"%s\"\n", c->status == RPLAT_B_FAIL ? "over budget" :
								c->status == RPLAT_B_UNDECIDED ? "undecidable" : "not measured");
				fprintf(f, "  measured: \"%s\"\n", c->measured_text);
				fprintf(f, "  limit: \"%s %s\"\n", op_names[c->rule->op], c->limit_text);
				fprintf(f, "  detail: \"%s\"\n", c->detail);
				fprintf(f, "  run: \"%s\"\n", runs[i]->dir);
				fprintf(f, "  at: \"%s:%d\"\n", b->name, c->rule->line);
				fprintf(f, "  ...\n");
			}
		}
}

static void xml_esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '&')
			fputs("&amp;", f);
		else if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if (c == '\'')
			fputs("&apos;", f);
		else if (c < 0x20 && c != '\t' && c != '\n')
			fputc('?', f);
		else
			fputc(c, f);
	}
}

static void xml_attr(FILE *f, const char *name, const char *val)
{
	fprintf(f, " %s=\"", name);
	xml_esc(f, val ? val : "");
	fputc('"', f);
}

int rplat_budget_write_junit(FILE *f, const struct rplat_budget *b, struct rplat_run *const *runs,
			     const struct rplat_budget_result *res, int n)
{
	int i, j, total = 0, fails = 0;
	char num[32];

	for (i = 0; i < n; i++) {
		total += res[i].n;
		fails += res[i].failed + res[i].missing;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
	xml_attr(f, "name", "rplat budget");
	snprintf(num, sizeof(num), "%d", total);
	xml_attr(f, "tests", num);
	snprintf(num, sizeof(num), "%d", fails);
	xml_attr(f, "failures", num);
	xml_attr(f, "errors", "0");
	fprintf(f, ">\n");
	for (i = 0; i < n; i++) {
		const struct rplat_run *r = runs[i];
		char cls[256];
		size_t k;

		fprintf(f, "  <testsuite");
		xml_attr(f, "name", r->label);
		snprintf(num, sizeof(num), "%d", res[i].n);
		xml_attr(f, "tests", num);
		snprintf(num, sizeof(num), "%d", res[i].failed + res[i].missing);
		xml_attr(f, "failures", num);
		xml_attr(f, "errors", "0");
		xml_attr(f, "skipped", "0");
		xml_attr(f, "time", "0");
		if (rplat_run_str(r, "start_time"))
			xml_attr(f, "timestamp", rplat_run_str(r, "start_time"));
		if (rplat_run_str(r, "system.nodename"))
			xml_attr(f, "hostname", rplat_run_str(r, "system.nodename"));
		fprintf(f, ">\n    <properties>\n");
		{
			static const char *const props[][2] = {
				{ "run", NULL }, { "budget", NULL }, { "kernel", "system.release" },
				{ "preempt", "system.preempt" }, { "link", "link.spec" }, { "firmware", "firmware.target" },
				{ "load", "load.profile" }, { "command", "command" },
			};

			for (k = 0; k < sizeof(props) / sizeof(props[0]); k++) {
				const char *v = k == 0 ? r->dir : k == 1 ? b->name : rplat_run_str(r, props[k][1]);

				if (!v)
					continue;
				fprintf(f, "      <property");
				xml_attr(f, "name", props[k][0]);
				xml_attr(f, "value", v);
				fprintf(f, "/>\n");
			}
		}
		fprintf(f, "    </properties>\n");
		snprintf(cls, sizeof(cls), "rplat.budget.%s", r->label);
		for (k = strlen("rplat.budget."); cls[k]; k++)
			if (!isalnum((unsigned char)cls[k]) && cls[k] != '-' && cls[k] != '_')
				cls[k] = '_';
		for (j = 0; j < res[i].n; j++) {
			const struct rplat_budget_check *c = &res[i].checks[j];
			char msg[256];

			fprintf(f, "    <testcase");
			xml_attr(f, "classname", cls);
			xml_attr(f, "name", c->name);
			xml_attr(f, "time", "0");
			fprintf(f, ">\n");
			if (c->status != RPLAT_B_PASS) {
				if (c->status == RPLAT_B_FAIL || c->status == RPLAT_B_UNDECIDED)
					snprintf(msg, sizeof(msg), "%smeasured %s, limit %s %s",
						 c->status == RPLAT_B_UNDECIDED ? "undecidable: " : "", c->measured_text,
						 op_names[c->rule->op], c->limit_text);
				else
					snprintf(msg, sizeof(msg), "not measured: %s", c->detail);
				fprintf(f, "      <failure");
				xml_attr(f, "message", msg);
				xml_attr(f, "type", c->status == RPLAT_B_FAIL ? "over-budget" :
						    c->status == RPLAT_B_UNDECIDED ? "undecidable" : "not-measured");
				fprintf(f, ">");
				xml_esc(f, b->name);
				fprintf(f, ":%d: ", c->rule->line);
				xml_esc(f, c->name);
				fprintf(f, "\n");
				xml_esc(f, msg);
				fprintf(f, " (%s)</failure>\n", c->status == RPLAT_B_FAIL ? c->detail : r->dir);
			}
			fprintf(f, "      <system-out>");
			xml_esc(f, c->detail);
			fprintf(f, ": ");
			xml_esc(f, c->measured_text);
			fprintf(f, "</system-out>\n    </testcase>\n");
		}
		fprintf(f, "  </testsuite>\n");
	}
	fprintf(f, "</testsuites>\n");
	return ferror(f) ? -1 : 0;
}
