/* Kernel command lines (host-tools/lib/cmdline.c), split and searched as Linux 6.12's next_arg() and
 * parse_args() do: quotes, bare flags, the first '=', "--", white space, names whole with '-' = '_', and
 * repeated parameters (first or last, as the caller says). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rplat/cmdline.h"

/* The value of 'key' ("" bare), or NULL when absent; 'times' gets the count. */
static const char *get(const char *cmdline, const char *key, enum rplat_cmdline_pick pick, size_t *times)
{
	static char buf[256];
	struct rplat_cmdline_param p;
	size_t n = rplat_cmdline_find(cmdline, key, pick, &p);

	if (times)
		*times = n;
	if (!n)
		return NULL;
	assert_int_equal(rplat_cmdline_value(&p, buf, sizeof(buf)), 0);
	return p.val ? buf : "(bare)";
}

static const char *first(const char *cmdline, const char *key)
{
	return get(cmdline, key, RPLAT_CMDLINE_FIRST, NULL);
}

static const char *last(const char *cmdline, const char *key)
{
	return get(cmdline, key, RPLAT_CMDLINE_LAST, NULL);
}

/* Split a whole command line into "name=val|name|..." to check the splitting itself. */
static const char *split(const char *cmdline)
{
	static char out[512];
	struct rplat_cmdline_param p;
	const char *at = cmdline;
	size_t o = 0, k = 0;

	out[0] = '\0';
	while ((at = rplat_cmdline_next(at, &p))) {
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%.*s", k++ ? "|" : "", (int)p.name_len, p.name);
		if (p.val)
			o += (size_t)snprintf(out + o, sizeof(out) - o, "=%.*s", (int)p.val_len, p.val);
	}
	return out;
}

static void test_plain(void **state)
{
	(void)state;
	assert_string_equal(split("console=ttyS0 isolcpus=1 nohz_full=1 threadirqs\n"),
			    "console=ttyS0|isolcpus=1|nohz_full=1|threadirqs");
	assert_string_equal(first("console=ttyS0 isolcpus=1-3 threadirqs\n", "isolcpus"), "1-3");
	assert_string_equal(first("console=ttyS0 isolcpus=1-3 threadirqs\n", "threadirqs"), "(bare)");
	assert_null(first("console=ttyS0\n", "isolcpus"));
	assert_null(first("", "isolcpus"));
	assert_string_equal(split("   \t\n"), "");
	/* an empty value is a value */
	assert_string_equal(first("isolcpus= quiet", "isolcpus"), "");
	/* the value runs to the blank, '=' inside it included */
	assert_string_equal(first("root=UUID=ab-12 ro", "root"), "UUID=ab-12");
}

/* Names are whole: no prefix matches either way. */
static void test_whole_names(void **state)
{
	(void)state;
	assert_null(first("isolcpus_x=3", "isolcpus"));
	assert_null(first("isolcpus=3", "isolcpus_x"));
	assert_null(first("xisolcpus=3", "isolcpus"));
	assert_null(first("foo.isolcpus=3", "isolcpus"));
	assert_string_equal(first("isolcpus_x=3 isolcpus=4", "isolcpus"), "4");
	/* '-' and '_' are the same in a name (parameq), not in a value */
	assert_string_equal(first("nohz-full=2-3", "nohz_full"), "2-3");
	assert_string_equal(first("nohz_full=2-3", "nohz-full"), "2-3");
	assert_string_equal(first("rcu_nocbs=a-b_c", "rcu-nocbs"), "a-b_c");
	/* case matters */
	assert_null(first("ISOLCPUS=1", "isolcpus"));
}

/* Quotes: a quoted value loses them and keeps its blanks; a quoted parameter likewise; a quote inside
 * another parameter's value hides what looks like a parameter. */
static void test_quotes(void **state)
{
	(void)state;
	assert_string_equal(split("foo=\"bar baz\" isolcpus=1"), "foo=bar baz|isolcpus=1");
	assert_string_equal(first("foo=\"a isolcpus=3 b\" quiet", "foo"), "a isolcpus=3 b");
	assert_null(first("foo=\"a isolcpus=3 b\" quiet", "isolcpus"));
	assert_string_equal(split("\"isolcpus=1 2\" x"), "isolcpus=1 2|x");
	assert_string_equal(split("\"threadirqs\""), "threadirqs");
	/* a quote that does not open the value stays, and still joins blanks */
	assert_string_equal(split("a=b\"c d\"e f"), "a=b\"c d\"e|f");
	/* an opening quote of the value with no closing one at the end: only the opening one goes */
	assert_string_equal(split("a=\"b c\"d e"), "a=b c\"d|e");
	/* unterminated: the rest of the line is the value */
	assert_string_equal(split("a=\"b c d"), "a=b c d");
	assert_string_equal(split("a=\" b"), "a= b");
	assert_string_equal(split("a=\""), "a=");
	assert_string_equal(split("\"\" x"), "|x");
}

/* The first '=' splits, except one in the first position; a bare "--" ends the kernel's part. */
static void test_equals_and_dashes(void **state)
{
	size_t n;

	(void)state;
	assert_string_equal(split("=x a"), "=x|a");
	assert_string_equal(split("=a=b"), "=a=b");
	assert_string_equal(first("=a=b", "=a"), "b");
	assert_null(first("quiet -- isolcpus=1", "isolcpus"));
	assert_string_equal(split("quiet -- isolcpus=1"), "quiet");
	assert_string_equal(split("quiet \"--\" isolcpus=1"), "quiet");
	/* "--" with a value, or longer, is a parameter like any other */
	assert_string_equal(split("--=1 --- isolcpus=2"), "--=1|---|isolcpus=2");
	assert_int_equal(rplat_cmdline_find("isolcpus=1 -- isolcpus=2", "isolcpus", RPLAT_CMDLINE_LAST, NULL), 1);
	assert_string_equal(get("isolcpus=1 -- isolcpus=2", "isolcpus", RPLAT_CMDLINE_LAST, &n), "1");
	assert_int_equal(n, 1);
}

/* White space is the kernel's: \t \n \v \f \r, space, 0xa0 (its ctype has it as a hard space). */
static void test_white_space(void **state)
{
	(void)state;
	assert_string_equal(split("a=1\tb=2\nc=3\vd\fe\rf g\xa0h"), "a=1|b=2|c=3|d|e|f|g|h");
	assert_string_equal(split("\t a=\"1\t2\"  \n"), "a=1\t2");
}

/* Given more than once: the caller's pick, and the count. */
static void test_repeated(void **state)
{
	size_t n;

	(void)state;
	assert_string_equal(get("isolcpus=1 quiet isolcpus=2-3", "isolcpus", RPLAT_CMDLINE_FIRST, &n), "1");
	assert_int_equal(n, 2);
	assert_string_equal(get("isolcpus=1 quiet isolcpus=2-3", "isolcpus", RPLAT_CMDLINE_LAST, &n), "2-3");
	assert_int_equal(n, 2);
	/* a bare one and one with a value are the same parameter */
	assert_string_equal(last("rcu_nocbs=1 rcu_nocbs", "rcu_nocbs"), "(bare)");
	assert_string_equal(first("rcu_nocbs=1 rcu_nocbs", "rcu_nocbs"), "1");
	assert_string_equal(last("nohz_full=1 nohz-full=2", "nohz_full"), "2");
	assert_int_equal(rplat_cmdline_find("a a a", "a", RPLAT_CMDLINE_FIRST, NULL), 3);
}

static void test_value_copy(void **state)
{
	struct rplat_cmdline_param p;
	char buf[4];

	(void)state;
	assert_int_equal(rplat_cmdline_find("isolcpus=1-3", "isolcpus", RPLAT_CMDLINE_FIRST, &p), 1);
	assert_int_equal(rplat_cmdline_value(&p, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1-3");
	assert_int_equal(rplat_cmdline_find("isolcpus=1-15", "isolcpus", RPLAT_CMDLINE_FIRST, &p), 1);
	errno = 0;
	assert_int_equal(rplat_cmdline_value(&p, buf, sizeof(buf)), -1);
	assert_int_equal(errno, ENOSPC);
	assert_string_equal(buf, "1-1");
	assert_int_equal(rplat_cmdline_find("threadirqs", "threadirqs", RPLAT_CMDLINE_FIRST, &p), 1);
	assert_null(p.val);
	assert_int_equal(rplat_cmdline_value(&p, buf, 1), 0);
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_whole_names),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_equals_and_dashes),
		cmocka_unit_test(test_white_space),
		cmocka_unit_test(test_repeated),
		cmocka_unit_test(test_value_copy),
	};

	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
