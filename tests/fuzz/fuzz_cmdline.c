/* fuzz-sources: host-tools/lib/cmdline.c */
/* libFuzzer target for kernel command lines (host-tools/lib/cmdline.c).
 *
 * Every input is split: each parameter lies inside the input, after the one before, its value (if any)
 * right after its name's '=' (and an opening quote); every search finds what a plain count over the split
 * parameters finds, names compared with '-' = '_' here on their own, and FIRST/LAST return the first and
 * the last of them; a value is copied without overrunning its buffer, cut only when it does not fit. The
 * parameters that need no quoting, written out again one blank apart, split into the same parameters.
 * The splitting itself is compared with the kernel's own next_arg() by test_cmdline_kernel.sh.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rplat/cmdline.h"

#define MAXLEN 1024
#define MAXP (MAXLEN / 2 + 1) /* the most parameters MAXLEN bytes can hold */

static int same_name(const struct rplat_cmdline_param *a, const struct rplat_cmdline_param *b)
{
	if (a->name_len != b->name_len)
		return 0;
	for (size_t i = 0; i < a->name_len; i++) {
		char x = a->name[i], y = b->name[i];

		if (x != y && !((x == '-' || x == '_') && (y == '-' || y == '_')))
			return 0;
	}
	return 1;
}

static int plain(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0)
			return 0;
	}
	return 1;
}

/* A parameter that reads the same written as NAME or NAME=VALUE: no quotes or blanks, a name without '='
 * that is not the bare "--". */
static int needs_no_quotes(const struct rplat_cmdline_param *c)
{
	return c->name_len && plain(c->name, c->name_len) && !memchr(c->name, '=', c->name_len) &&
	       (!c->val || plain(c->val, c->val_len)) && !(!c->val && c->name_len == 2 && !memcmp(c->name, "--", 2));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rplat_cmdline_param p[MAXP], q;
	char *in, *out, key[128], buf[16];
	const char *at, *prev_end;
	size_t n = 0, o = 0, len;

	if (size > MAXLEN)
		return 0;
	in = malloc(size + 1);
	out = malloc(2 * size + 2);
	if (!in || !out)
		abort();
	memcpy(in, data, size);
	in[size] = '\0';
	len = strlen(in);

	/* splitting: inside the input, in order, always moving on */
	at = in;
	prev_end = in;
	for (const char *from = in; (at = rplat_cmdline_next(from, &p[n])); from = at) {
		const struct rplat_cmdline_param *c = &p[n];

		if (n + 1 >= MAXP || c->name < prev_end || c->name + c->name_len > in + len || at > in + len ||
		    at <= from || at < c->name + c->name_len)
			abort();
		if (c->val) {
			if (c->val < c->name + c->name_len + 1 || c->val > c->name + c->name_len + 2 ||
			    c->name[c->name_len] != '=' || c->val + c->val_len > in + len || !c->name_len)
				abort();
			prev_end = c->val + c->val_len;
		} else {
			prev_end = c->name + c->name_len;
		}
		n++;
	}

	/* searching: the count, the first and the last of the same name */
	for (size_t i = 0; i < n; i++) {
		size_t count = 0, firsti = n, lasti = n;

		if (p[i].name_len >= sizeof(key) || memchr(p[i].name, '\0', p[i].name_len))
			continue;
		memcpy(key, p[i].name, p[i].name_len);
		key[p[i].name_len] = '\0';
		for (size_t j = 0; j < n; j++)
			if (same_name(&p[i], &p[j])) {
				if (firsti == n)
					firsti = j;
				lasti = j;
				count++;
			}
		if (rplat_cmdline_find(in, key, RPLAT_CMDLINE_FIRST, &q) != count || q.name != p[firsti].name)
			abort();
		if (rplat_cmdline_find(in, key, RPLAT_CMDLINE_LAST, &q) != count || q.name != p[lasti].name)
			abort();
		errno = 0;
		if (rplat_cmdline_value(&q, buf, sizeof(buf)) == 0) {
			if (q.val ? q.val_len >= sizeof(buf) || memcmp(buf, q.val, q.val_len) || buf[q.val_len] : buf[0])
				abort();
		} else if (errno != ENOSPC || !q.val || q.val_len < sizeof(buf) || strlen(buf) != sizeof(buf) - 1 ||
			   memcmp(buf, q.val, sizeof(buf) - 1)) {
			abort();
		}
	}

	/* round trip of the parameters that need no quotes */
	for (size_t i = 0; i < n; i++) {
		if (!needs_no_quotes(&p[i]))
			continue;
		if (o)
			out[o++] = ' ';
		memcpy(out + o, p[i].name, p[i].name_len);
		o += p[i].name_len;
		if (p[i].val) {
			out[o++] = '=';
			memcpy(out + o, p[i].val, p[i].val_len);
			o += p[i].val_len;
		}
	}
	out[o] = '\0';
	at = out;
	for (size_t i = 0; i < n; i++) {
		if (!needs_no_quotes(&p[i]))
			continue;
		if (!(at = rplat_cmdline_next(at, &q)) || q.name_len != p[i].name_len ||
		    memcmp(q.name, p[i].name, q.name_len) || !q.val != !p[i].val ||
		    (q.val && (q.val_len != p[i].val_len || memcmp(q.val, p[i].val, q.val_len))))
			abort();
	}
	if (at && rplat_cmdline_next(at, &q))
		abort(); /* more parameters than were written */
	free(out);
	free(in);
	return 0;
}
