/* Kernel command lines, split as Linux 6.12 splits them. See rplat/cmdline.h for the rules and where in
 * the kernel they come from. */
#include <errno.h>
#include <string.h>

#include "rplat/cmdline.h"

/* The kernel's isspace() (lib/ctype.c): \t \n \v \f \r, space, and 0xa0. Never true for NUL. */
static int k_space(char c)
{
	unsigned char u = (unsigned char)c;

	return u == ' ' || (u >= '\t' && u <= '\r') || u == 0xa0;
}

static const char *k_skip_spaces(const char *s)
{
	while (k_space(*s))
		s++;
	return s;
}

/* One parameter from 'args' (no leading space). Returns where the next one starts. */
static const char *split_one(const char *args, struct rplat_cmdline_param *p)
{
	int in_quote = 0, quoted = 0;
	size_t len, eq = 0, end;

	if (*args == '"') {
		args++;
		in_quote = quoted = 1;
	}
	/* the parameter runs to the first white space outside quotes; its '=' is the first one after its
	 * first character */
	for (len = 0; args[len] && (in_quote || !k_space(args[len])); len++) {
		if (!eq && len && args[len] == '=')
			eq = len;
		if (args[len] == '"')
			in_quote = !in_quote;
	}
	end = len;
	p->name = args;
	p->val = NULL;
	p->val_len = 0;
	if (eq) {
		size_t v = eq + 1;

		if (args[v] == '"') { /* a quoted value: without its quotes */
			v++;
			if (args[len - 1] == '"')
				end = len - 1;
		}
		if (quoted && args[len - 1] == '"')
			end = len - 1;
		p->name_len = eq;
		p->val = args + v;
		p->val_len = end > v ? end - v : 0;
	} else {
		if (quoted && len && args[len - 1] == '"')
			end = len - 1;
		p->name_len = end;
	}
	return k_skip_spaces(args + len);
}

const char *rplat_cmdline_next(const char *args, struct rplat_cmdline_param *p)
{
	struct rplat_cmdline_param q;
	const char *next;

	args = k_skip_spaces(args);
	if (!*args)
		return NULL;
	next = split_one(args, &q);
	if (!q.val && q.name_len == 2 && !strncmp(q.name, "--", 2))
		return NULL; /* the rest is init's */
	*p = q;
	return next;
}

/* parameq(): whole names, '-' and '_' alike. */
static int name_is(const struct rplat_cmdline_param *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->name_len; i++) {
		char a = p->name[i] == '-' ? '_' : p->name[i], b = key[i] == '-' ? '_' : key[i];

		if (!b || a != b)
			return 0;
	}
	return key[i] == '\0';
}

size_t rplat_cmdline_find(const char *cmdline, const char *key, enum rplat_cmdline_pick pick,
			  struct rplat_cmdline_param *p)
{
	struct rplat_cmdline_param q;
	const char *at = cmdline;
	size_t n = 0;

	while ((at = rplat_cmdline_next(at, &q)))
		if (name_is(&q, key)) {
			if (p && (pick == RPLAT_CMDLINE_LAST || !n))
				*p = q;
			n++;
		}
	return n;
}

int rplat_cmdline_value(const struct rplat_cmdline_param *p, char *buf, size_t size)
{
	size_t n = p->val ? p->val_len : 0;
	int cut = n >= size;

	if (cut)
		n = size - 1;
	if (n)
		memcpy(buf, p->val, n);
	buf[n] = '\0';
	if (cut) {
		errno = ENOSPC;
		return -1;
	}
	return 0;
}
