/* The kernel as the oracle of host-tools/lib/cmdline.c: built by test_cmdline_kernel.sh with the
 * next_arg() of the installed linux-source (NEXT_ARG_C, extracted from its lib/cmdline.c, never kept in
 * this tree) and the kernel's isspace(), it splits random command lines both ways and compares.
 *
 *   cmdline_oracle N   N random lines (quotes, '=', blanks of every kind, '-', "--" likely); exit 1 and
 *                      the first differences on stdout if the two disagree on any
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rplat/cmdline.h"

/* the kernel's environment for next_arg(): its ctype's white space (lib/ctype.c) and skip_spaces() */
static int kernel_isspace(char c)
{
	unsigned char u = (unsigned char)c;

	return u == ' ' || (u >= '\t' && u <= '\r') || u == 0xa0;
}
#define isspace(c) kernel_isspace(c)
static char *skip_spaces(const char *s)
{
	while (isspace(*s))
		s++;
	return (char *)s;
}
#define EXPORT_SYMBOL(sym)
#include NEXT_ARG_C

/* "name[=val]|..." up to a bare "--", as parse_args() walks it */
static void kernel_view(const char *line, char *out, size_t n)
{
	char *copy = strdup(line), *args, *param, *val;
	size_t o = 0, k = 0;

	if (!copy)
		exit(2);
	out[0] = '\0';
	args = skip_spaces(copy);
	while (*args) {
		args = next_arg(args, &param, &val);
		if (!val && !strcmp(param, "--"))
			break;
		o += (size_t)snprintf(out + o, n - o, "%s%s", k++ ? "|" : "", param);
		if (val)
			o += (size_t)snprintf(out + o, n - o, "=%s", val);
	}
	free(copy);
}

static void our_view(const char *line, char *out, size_t n)
{
	struct rplat_cmdline_param p;
	const char *at = line;
	size_t o = 0, k = 0;

	out[0] = '\0';
	while ((at = rplat_cmdline_next(at, &p))) {
		o += (size_t)snprintf(out + o, n - o, "%s%.*s", k++ ? "|" : "", (int)p.name_len, p.name);
		if (p.val)
			o += (size_t)snprintf(out + o, n - o, "=%.*s", (int)p.val_len, p.val);
	}
}

static uint64_t rng = 88172645463325252ull;

static unsigned next_rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)rng;
}

int main(int argc, char **argv)
{
	static const char alphabet[] = "ab=\" \t-_\n\xa0=\"x\v\f\r-";
	long n = argc > 1 ? atol(argv[1]) : 1000000, bad = 0;
	char line[64], a[4096], b[4096];

	for (long it = 0; it < n; it++) {
		int len = (int)(next_rnd() % 32);

		for (int i = 0; i < len; i++)
			line[i] = alphabet[next_rnd() % (sizeof(alphabet) - 1)];
		line[len] = '\0';
		kernel_view(line, a, sizeof(a));
		our_view(line, b, sizeof(b));
		if (strcmp(a, b) && bad++ < 5)
			printf("line [%s]\n  kernel [%s]\n  rplat  [%s]\n", line, a, b);
	}
	printf("%ld random lines, %ld split differently\n", n, bad);
	return bad != 0;
}
