/* Minimal JSON: streaming writer and DOM reader. See rplat/json.h for the contract.
 *
 * The writer never fails half-way: it writes what it is asked, and rplat_jw_finish() reports whether any
 * write failed or the nesting was misused. The reader is a recursive-descent parser over a byte buffer
 * (not NUL-terminated); nesting is capped at RPLAT_JSON_MAX_DEPTH, so its recursion is bounded.
 * Numbers are converted with strtod(), which assumes LC_NUMERIC is "C" (the default of a C program). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rplat/json.h"

/* ------------------------------------------------------------------------------------------------ */
/* writer */

void rplat_jw_init(struct rplat_jw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->pretty = 1;
}

static void jw_indent(struct rplat_jw *w, int level)
{
	if (!w->pretty)
		return;
	fputc('\n', w->f);
	for (int i = 0; i < level; i++)
		fputs("  ", w->f);
}

/* Write 's' as a JSON string. Control characters are escaped; bytes that are not valid UTF-8 are
 * replaced by U+FFFD so that the output is always valid JSON. */
static void jw_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		unsigned char c = *p;
		int n = 0;
		uint32_t cp;

		if (c < 0x80) {
			switch (c) {
			case '"': fputs("\\\"", f); break;
			case '\\': fputs("\\\\", f); break;
			case '\n': fputs("\\n", f); break;
			case '\r': fputs("\\r", f); break;
			case '\t': fputs("\\t", f); break;
			case '\b': fputs("\\b", f); break;
			case '\f': fputs("\\f", f); break;
			default:
				if (c < 0x20)
					fprintf(f, "\\u%04x", c);
				else
					fputc(c, f);
			}
			p++;
			continue;
		}
		/* multi-byte: validate, copy verbatim if valid */
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		int i;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				break;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (i <= n || (n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff)) {
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		fwrite(p, 1, (size_t)n + 1, f);
		p += n + 1;
	}
	fputc('"', f);
}

/* Separator, indentation and key before a value. */
static void jw_member(struct rplat_jw *w, const char *key)
{
	if (w->depth > 0) {
		int lvl = w->depth - 1;

		if (lvl < RPLAT_JSON_MAX_DEPTH) {
			if (w->count[lvl] > 0)
				fputc(',', w->f);
			w->count[lvl]++;
		}
		jw_indent(w, w->depth);
	}
	if (key) {
		jw_string(w->f, key);
		fputs(w->pretty ? ": " : ":", w->f);
	}
}

static void jw_open(struct rplat_jw *w, const char *key, char c)
{
	jw_member(w, key);
	fputc(c, w->f);
	if (w->depth >= RPLAT_JSON_MAX_DEPTH)
		w->err = 1; /* still balanced on output, but separators are no longer tracked */
	else
		w->count[w->depth] = 0;
	w->depth++;
}

static void jw_close(struct rplat_jw *w, char c)
{
	if (w->depth <= 0) {
		w->err = 1;
		return;
	}
	w->depth--;
	if (w->depth < RPLAT_JSON_MAX_DEPTH && w->count[w->depth] > 0)
		jw_indent(w, w->depth);
	fputc(c, w->f);
}

void rplat_jw_obj_begin(struct rplat_jw *w, const char *key) { jw_open(w, key, '{'); }
void rplat_jw_obj_end(struct rplat_jw *w) { jw_close(w, '}'); }
void rplat_jw_arr_begin(struct rplat_jw *w, const char *key) { jw_open(w, key, '['); }
void rplat_jw_arr_end(struct rplat_jw *w) { jw_close(w, ']'); }

void rplat_jw_str(struct rplat_jw *w, const char *key, const char *val)
{
	jw_member(w, key);
	if (val)
		jw_string(w->f, val);
	else
		fputs("null", w->f);
}

void rplat_jw_int(struct rplat_jw *w, const char *key, int64_t val)
{
	jw_member(w, key);
	fprintf(w->f, "%" PRId64, val);
}

void rplat_jw_uint(struct rplat_jw *w, const char *key, uint64_t val)
{
	jw_member(w, key);
	fprintf(w->f, "%" PRIu64, val);
}

void rplat_jw_double(struct rplat_jw *w, const char *key, double val)
{
	char buf[40];

	jw_member(w, key);
	if (!isfinite(val)) {
		fputs("null", w->f);
		return;
	}
	/* the shortest of %.15g / %.17g that reads back to the same double */
	snprintf(buf, sizeof(buf), "%.15g", val);
	if (strtod(buf, NULL) != val)
		snprintf(buf, sizeof(buf), "%.17g", val);
	fputs(buf, w->f);
}

void rplat_jw_bool(struct rplat_jw *w, const char *key, int val)
{
	jw_member(w, key);
	fputs(val ? "true" : "false", w->f);
}

void rplat_jw_null(struct rplat_jw *w, const char *key)
{
	jw_member(w, key);
	fputs("null", w->f);
}

int rplat_jw_finish(struct rplat_jw *w)
{
	fputc('\n', w->f);
	if (fflush(w->f) != 0 || ferror(w->f))
		return -1;
	if (w->err || w->depth != 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------------------------------ */
/* reader */

struct jp {
	const unsigned char *s;
	size_t len, pos;
	char *err;
	size_t errlen;
	int failed;
};

/* Record the first error at byte offset 'at', as "line L, column C: what". Columns count bytes. */
__attribute__((format(printf, 3, 4))) static void jp_fail(struct jp *p, size_t at, const char *fmt, ...)
{
	size_t line = 1, col = 1;
	char what[160];
	va_list ap;

	if (p->failed)
		return;
	p->failed = 1;
	if (at > p->len)
		at = p->len;
	for (size_t i = 0; i < at; i++) {
		if (p->s[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, "line %zu, column %zu: %s", line, col, what);
}

static void jp_ws(struct jp *p)
{
	while (p->pos < p->len) {
		unsigned char c = p->s[p->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

/* Report what sits at pos, and what was expected there. */
static void jp_unexpected(struct jp *p, const char *expected)
{
	unsigned char c;

	if (p->pos >= p->len) {
		jp_fail(p, p->pos, "unexpected end of input, expected %s", expected);
		return;
	}
	c = p->s[p->pos];
	if (c >= 0x20 && c < 0x7f)
		jp_fail(p, p->pos, "unexpected '%c', expected %s", c, expected);
	else
		jp_fail(p, p->pos, "unexpected byte 0x%02x, expected %s", c, expected);
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at pos. Returns the value, or -1 after reporting. */
static long jp_hex4(struct jp *p)
{
	long v = 0;

	if (p->len - p->pos < 4) {
		jp_fail(p, p->pos, "truncated \\u escape");
		return -1;
	}
	for (int i = 0; i < 4; i++) {
		int h = hexval(p->s[p->pos + i]);

		if (h < 0) {
			jp_fail(p, p->pos + i, "invalid hex digit in \\u escape");
			return -1;
		}
		v = v * 16 + h;
	}
	p->pos += 4;
	return v;
}

static size_t utf8_put(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Length of the valid UTF-8 sequence at s[0..avail), or 0 if it is not valid (overlong forms,
 * surrogates and code points above U+10FFFF are invalid). */
static size_t utf8_valid(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Parse a string at pos (which holds '"'). Returns a malloc'd NUL-terminated copy, or NULL. The
 * decoded form is never longer than the source, so one allocation of the source length suffices. */
static char *jp_string(struct jp *p)
{
	size_t start = ++p->pos, end = start;
	char *out = NULL, *o;

	/* find the closing quote to size the buffer */
	while (end < p->len && p->s[end] != '"')
		end += (p->s[end] == '\\' && end + 1 < p->len) ? 2 : 1;
	if (end >= p->len) {
		jp_fail(p, start - 1, "unterminated string");
		goto fail;
	}
	out = malloc(end - start + 1);
	if (!out) {
		jp_fail(p, start, "out of memory");
		goto fail;
	}
	o = out;
	while (p->s[p->pos] != '"') {
		unsigned char c = p->s[p->pos];

		if (c < 0x20) {
			jp_fail(p, p->pos, c ? "control character 0x%02x in string" : "embedded NUL (0x%02x) in string",
				c);
			goto fail;
		}
		if (c >= 0x80) {
			size_t n = utf8_valid(p->s + p->pos, p->len - p->pos);

			if (!n) {
				jp_fail(p, p->pos, "invalid UTF-8 in string");
				goto fail;
			}
			memcpy(o, p->s + p->pos, n);
			o += n;
			p->pos += n;
			continue;
		}
		if (c != '\\') {
			*o++ = (char)c;
			p->pos++;
			continue;
		}
		size_t esc = p->pos++;
		c = p->s[p->pos++];
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			long hi = jp_hex4(p), lo;
			uint32_t cp;

			if (hi < 0)
				goto fail;
			if (hi == 0) {
				jp_fail(p, esc, "embedded NUL (\\u0000) in string");
				goto fail;
			}
			if (hi >= 0xdc00 && hi <= 0xdfff) {
				jp_fail(p, esc, "unpaired low surrogate \\u%04lx", hi);
				goto fail;
			}
			cp = (uint32_t)hi;
			if (hi >= 0xd800 && hi <= 0xdbff) {
				if (p->len - p->pos < 2 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u') {
					jp_fail(p, esc, "unpaired high surrogate \\u%04lx", hi);
					goto fail;
				}
				p->pos += 2;
				lo = jp_hex4(p);
				if (lo < 0)
					goto fail;
				if (lo < 0xdc00 || lo > 0xdfff) {
					jp_fail(p, esc, "high surrogate \\u%04lx not followed by a low one", hi);
					goto fail;
				}
				cp = 0x10000 + (((uint32_t)hi - 0xd800) << 10) + ((uint32_t)lo - 0xdc00);
			}
			/* a \u escape (6 or 12 bytes) never decodes into more bytes than it takes */
			o += utf8_put(o, cp);
			break;
		}
		default:
			jp_fail(p, esc, "invalid escape '\\%c'", c >= 0x20 && c < 0x7f ? c : '?');
			goto fail;
		}
	}
	*o = '\0';
	p->pos++;
	return out;
fail:
	free(out);
	return NULL;
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static int jp_number(struct jp *p, struct rplat_json *v)
{
	size_t start = p->pos, i = p->pos;
	int integral = 1, neg = 0;
	char sbuf[64], *buf = sbuf;
	int ret = -1;

	if (i < p->len && p->s[i] == '-') {
		neg = 1;
		i++;
	}
	if (i >= p->len || !is_digit(p->s[i])) {
		p->pos = i;
		jp_unexpected(p, "a digit");
		goto out;
	}
	if (p->s[i] == '0') {
		i++;
		if (i < p->len && is_digit(p->s[i])) {
			jp_fail(p, i, "leading zero in number");
			goto out;
		}
	} else {
		while (i < p->len && is_digit(p->s[i]))
			i++;
	}
	if (i < p->len && p->s[i] == '.') {
		integral = 0;
		i++;
		if (i >= p->len || !is_digit(p->s[i])) {
			p->pos = i;
			jp_unexpected(p, "a digit after '.'");
			goto out;
		}
		while (i < p->len && is_digit(p->s[i]))
			i++;
	}
	if (i < p->len && (p->s[i] == 'e' || p->s[i] == 'E')) {
		integral = 0;
		i++;
		if (i < p->len && (p->s[i] == '+' || p->s[i] == '-'))
			i++;
		if (i >= p->len || !is_digit(p->s[i])) {
			p->pos = i;
			jp_unexpected(p, "a digit in the exponent");
			goto out;
		}
		while (i < p->len && is_digit(p->s[i]))
			i++;
	}
	size_t n = i - start;
	if (n >= sizeof(sbuf)) {
		buf = malloc(n + 1);
		if (!buf) {
			jp_fail(p, start, "out of memory");
			goto out;
		}
	}
	memcpy(buf, p->s + start, n);
	buf[n] = '\0';
	v->type = RPLAT_JSON_NUM;
	v->num = strtod(buf, NULL);
	if (!isfinite(v->num)) {
		jp_fail(p, start, "number out of range");
		goto out;
	}
	if (integral) {
		/* exact int64 from the digits, when it fits */
		uint64_t acc = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
		int fits = 1;

		for (size_t k = start + (size_t)neg; k < i; k++) {
			unsigned d = p->s[k] - '0';

			if (acc > (lim - d) / 10) {
				fits = 0;
				break;
			}
			acc = acc * 10 + d;
		}
		if (fits) {
			v->is_int = 1;
			v->inum = neg ? (int64_t)(0 - acc) : (int64_t)acc;
		}
	} else if (v->num == floor(v->num) && fabs(v->num) <= 9007199254740992.0) {
		/* "1e3", "20.0": integral values that a double holds exactly */
		v->is_int = 1;
		v->inum = (int64_t)v->num;
	}
	p->pos = i;
	ret = 0;
out:
	if (buf != sbuf)
		free(buf);
	return ret;
}

static int jp_value(struct jp *p, struct rplat_json *v, int depth);

static int jp_literal(struct jp *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0) {
		jp_unexpected(p, "a value");
		return -1;
	}
	p->pos += n;
	return 0;
}

/* Append a zeroed child to an array or object value; returns it, or NULL. */
static struct rplat_json *jp_push(struct jp *p, struct rplat_json *v, size_t *cap)
{
	if (v->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		struct rplat_json *c = realloc(v->child, ncap * sizeof(*c));

		if (!c) {
			jp_fail(p, p->pos, "out of memory");
			return NULL;
		}
		v->child = c;
		*cap = ncap;
	}
	memset(&v->child[v->n], 0, sizeof(v->child[0]));
	return &v->child[v->n++];
}

/* Array or object at pos; 'close' is ']' or '}'. */
static int jp_container(struct jp *p, struct rplat_json *v, int depth, int is_obj)
{
	size_t cap = 0;
	char close = is_obj ? '}' : ']';

	v->type = is_obj ? RPLAT_JSON_OBJ : RPLAT_JSON_ARR;
	if (depth >= RPLAT_JSON_MAX_DEPTH) {
		jp_fail(p, p->pos, "nesting deeper than %d levels", RPLAT_JSON_MAX_DEPTH);
		return -1;
	}
	p->pos++;
	jp_ws(p);
	if (p->pos < p->len && p->s[p->pos] == (unsigned char)close) {
		p->pos++;
		return 0;
	}
	for (;;) {
		struct rplat_json *c = jp_push(p, v, &cap);
		char *key = NULL;

		if (!c)
			return -1;
		if (is_obj) {
			if (p->pos >= p->len || p->s[p->pos] != '"') {
				jp_unexpected(p, "a member name (string)");
				return -1;
			}
			key = jp_string(p);
			if (!key)
				return -1;
			c->key = key;
			jp_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':') {
				jp_unexpected(p, "':'");
				return -1;
			}
			p->pos++;
			jp_ws(p);
		}
		if (jp_value(p, c, depth + 1) < 0)
			return -1;
		jp_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			jp_ws(p);
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == (unsigned char)close) {
			p->pos++;
			return 0;
		}
		jp_unexpected(p, is_obj ? "',' or '}'" : "',' or ']'");
		return -1;
	}
}

/* One value at pos (whitespace already skipped). On failure, what was built so far stays in 'v' for
 * the caller to free. */
static int jp_value(struct jp *p, struct rplat_json *v, int depth)
{
	if (p->pos >= p->len) {
		jp_unexpected(p, "a value");
		return -1;
	}
	switch (p->s[p->pos]) {
	case '{':
		return jp_container(p, v, depth, 1);
	case '[':
		return jp_container(p, v, depth, 0);
	case '"':
		v->type = RPLAT_JSON_STR;
		v->str = jp_string(p);
		return v->str ? 0 : -1;
	case 't':
		v->type = RPLAT_JSON_BOOL;
		v->num = 1;
		return jp_literal(p, "true");
	case 'f':
		v->type = RPLAT_JSON_BOOL;
		return jp_literal(p, "false");
	case 'n':
		v->type = RPLAT_JSON_NULL;
		return jp_literal(p, "null");
	default:
		if (p->s[p->pos] == '-' || is_digit(p->s[p->pos]))
			return jp_number(p, v);
		jp_unexpected(p, "a value");
		return -1;
	}
}

static void json_free_members(struct rplat_json *j)
{
	for (size_t i = 0; i < j->n; i++)
		json_free_members(&j->child[i]);
	free(j->child);
	free(j->key);
	free(j->str);
}

void rplat_json_free(struct rplat_json *j)
{
	if (!j)
		return;
	json_free_members(j);
	free(j);
}

struct rplat_json *rplat_json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct jp p = { .s = (const unsigned char *)text, .len = len, .err = err, .errlen = errlen };
	struct rplat_json *root;

	if (err && errlen)
		err[0] = '\0';
	root = calloc(1, sizeof(*root));
	if (!root) {
		jp_fail(&p, 0, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		p.pos = 3; /* a UTF-8 byte order mark is ignored */
	jp_ws(&p);
	if (p.pos >= p.len) {
		jp_fail(&p, p.pos, "empty document");
		goto fail;
	}
	if (jp_value(&p, root, 0) < 0)
		goto fail;
	jp_ws(&p);
	if (p.pos < p.len) {
		jp_unexpected(&p, "end of input after the document");
		goto fail;
	}
	return root;
fail:
	rplat_json_free(root);
	errno = EINVAL;
	return NULL;
}

/* Files larger than this are refused: run metadata, budgets and profiles are small. */
#define JSON_MAX_FILE (64u << 20)

struct rplat_json *rplat_json_load(const char *path, char *err, size_t errlen)
{
	struct rplat_json *j = NULL;
	char *buf = NULL, perr[200];
	size_t n = 0, cap = 0;
	FILE *f;

	f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	for (;;) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			char *b;

			if (ncap > JSON_MAX_FILE) {
				snprintf(err, errlen, "%s: larger than %u MiB", path, JSON_MAX_FILE >> 20);
				errno = EFBIG;
				goto out_close;
			}
			b = realloc(buf, ncap);
			if (!b) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto out_close;
			}
			buf = b;
			cap = ncap;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		errno = EIO;
		goto out_close;
	}
	j = rplat_json_parse(buf, n, perr, sizeof(perr));
	if (!j)
		snprintf(err, errlen, "%s: %s", path, perr);
out_close:
	fclose(f);
out:
	free(buf);
	return j;
}

const struct rplat_json *rplat_json_member(const struct rplat_json *obj, const char *key)
{
	if (!obj || obj->type != RPLAT_JSON_OBJ || !key)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (strcmp(obj->child[i].key, key) == 0)
			return &obj->child[i];
	return NULL;
}

const struct rplat_json *rplat_json_get(const struct rplat_json *j, const char *path)
{
	char step[256];

	if (!path)
		return NULL;
	while (j && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);

		if (n >= sizeof(step))
			return NULL;
		memcpy(step, path, n);
		step[n] = '\0';
		j = rplat_json_member(j, step);
		path += n + (dot ? 1 : 0);
	}
	return j;
}

int rplat_json_num(const struct rplat_json *j, double *v)
{
	if (!j || j->type != RPLAT_JSON_NUM)
		return -1;
	*v = j->num;
	return 0;
}

int rplat_json_i64(const struct rplat_json *j, int64_t *v)
{
	if (!j || j->type != RPLAT_JSON_NUM || !j->is_int)
		return -1;
	*v = j->inum;
	return 0;
}

const char *rplat_json_str(const struct rplat_json *j)
{
	return j && j->type == RPLAT_JSON_STR ? j->str : NULL;
}
