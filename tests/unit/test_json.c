/* Unit tests for the JSON writer and reader (host-tools/lib/json.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <math.h>
#include <cmocka.h>

#include "rplat/json.h"

/* Run 'fn' against a writer on a memory stream; returns the malloc'd text. */
static char *write_doc(void (*fn)(struct rplat_jw *), int pretty, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct rplat_jw w;

	assert_non_null(f);
	rplat_jw_init(&w, f);
	w.pretty = pretty;
	fn(&w);
	*rc = rplat_jw_finish(&w);
	fclose(f);
	return buf;
}

static void doc_small(struct rplat_jw *w)
{
	rplat_jw_obj_begin(w, NULL);
	rplat_jw_str(w, "format", "rplat-run");
	rplat_jw_int(w, "v", -3);
	rplat_jw_arr_begin(w, "sizes");
	rplat_jw_uint(w, NULL, 40);
	rplat_jw_uint(w, NULL, 496);
	rplat_jw_arr_end(w);
	rplat_jw_obj_begin(w, "empty");
	rplat_jw_obj_end(w);
	rplat_jw_arr_begin(w, "none");
	rplat_jw_arr_end(w);
	rplat_jw_bool(w, "rt", 1);
	rplat_jw_null(w, "x");
	rplat_jw_obj_end(w);
}

static void test_writer_pretty(void **state)
{
	int rc;
	char *s = write_doc(doc_small, 1, &rc);

	(void)state;
	assert_int_equal(rc, 0);
	assert_string_equal(s, "{\n"
			       "  \"format\": \"rplat-run\",\n"
			       "  \"v\": -3,\n"
			       "  \"sizes\": [\n"
			       "    40,\n"
			       "    496\n"
			       "  ],\n"
			       "  \"empty\": {},\n"
			       "  \"none\": [],\n"
			       "  \"rt\": true,\n"
			       "  \"x\": null\n"
			       "}\n");
	free(s);
}

static void test_writer_compact(void **state)
{
	int rc;
	char *s = write_doc(doc_small, 0, &rc);

	(void)state;
	assert_int_equal(rc, 0);
	assert_string_equal(s, "{\"format\":\"rplat-run\",\"v\":-3,\"sizes\":[40,496],\"empty\":{},\"none\":[],"
			       "\"rt\":true,\"x\":null}\n");
	free(s);
}

static void doc_escapes(struct rplat_jw *w)
{
	rplat_jw_arr_begin(w, NULL);
	rplat_jw_str(w, NULL, "q\"b\\s/\n\r\t\b\f\x01\x1f");
	rplat_jw_str(w, NULL, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");  /* valid UTF-8 kept */
	rplat_jw_str(w, NULL, "bad\xff\xc3(\xed\xa0\x80\xc0\xaf");           /* invalid -> U+FFFD */
	rplat_jw_str(w, NULL, NULL);
	rplat_jw_double(w, NULL, 0.1);
	rplat_jw_double(w, NULL, NAN);
	rplat_jw_double(w, NULL, -INFINITY);
	rplat_jw_double(w, NULL, 1.0 / 3.0);
	rplat_jw_int(w, NULL, INT64_MIN);
	rplat_jw_uint(w, NULL, UINT64_MAX);
	rplat_jw_arr_end(w);
}

static void test_writer_escapes(void **state)
{
	int rc;
	char *s = write_doc(doc_escapes, 0, &rc);

	(void)state;
	assert_int_equal(rc, 0);
	assert_string_equal(s, "[\"q\\\"b\\\\s/\\n\\r\\t\\b\\f\\u0001\\u001f\","
			       "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\","
			       "\"bad\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\","
			       "null,0.1,null,null,0.33333333333333331,-9223372036854775808,"
			       "18446744073709551615]\n");
	free(s);
}

static void doc_unbalanced(struct rplat_jw *w)
{
	rplat_jw_obj_begin(w, NULL);
}

static void doc_too_deep(struct rplat_jw *w)
{
	for (int i = 0; i < RPLAT_JSON_MAX_DEPTH + 2; i++)
		rplat_jw_arr_begin(w, NULL);
	for (int i = 0; i < RPLAT_JSON_MAX_DEPTH + 2; i++)
		rplat_jw_arr_end(w);
}

static void test_writer_misuse(void **state)
{
	int rc;
	char *s;

	(void)state;
	s = write_doc(doc_unbalanced, 1, &rc);
	assert_int_equal(rc, -1);
	free(s);
	s = write_doc(doc_too_deep, 1, &rc);
	assert_int_equal(rc, -1);
	free(s);
}

static void test_writer_write_error(void **state)
{
	FILE *f = fopen("/dev/full", "w");
	struct rplat_jw w;

	(void)state;
	if (!f)
		skip();
	rplat_jw_init(&w, f);
	rplat_jw_obj_begin(&w, NULL);
	rplat_jw_str(&w, "k", "v");
	rplat_jw_obj_end(&w);
	assert_int_equal(rplat_jw_finish(&w), -1);
	fclose(f);
}

static struct rplat_json *parse_ok(const char *s)
{
	char err[200];
	struct rplat_json *j = rplat_json_parse(s, strlen(s), err, sizeof(err));

	if (!j)
		fail_msg("parse failed: %s: %s", s, err);
	return j;
}

static void doc_round(struct rplat_jw *w)
{
	rplat_jw_obj_begin(w, NULL);
	rplat_jw_str(w, "label", "PREEMPT_RT \"sim\"\tlink\n\xe2\x82\xac");
	rplat_jw_obj_begin(w, "summary");
	rplat_jw_obj_begin(w, "rtt");
	rplat_jw_uint(w, "p99", 123456789012ull);
	rplat_jw_double(w, "avg", 12345.678901234567);
	rplat_jw_double(w, "tiny", 5e-324);
	rplat_jw_double(w, "big", 1.7976931348623157e308);
	rplat_jw_int(w, "neg", -42);
	rplat_jw_obj_end(w);
	rplat_jw_obj_end(w);
	rplat_jw_obj_begin(w, "per_size");
	rplat_jw_obj_begin(w, "40");
	rplat_jw_uint(w, "count", 7);
	rplat_jw_obj_end(w);
	rplat_jw_obj_end(w);
	rplat_jw_obj_begin(w, "a.b");
	rplat_jw_bool(w, "f", 0);
	rplat_jw_obj_end(w);
	rplat_jw_obj_end(w);
}

static void test_round_trip(void **state)
{
	for (int pretty = 0; pretty <= 1; pretty++) {
		int rc;
		char *s = write_doc(doc_round, pretty, &rc);
		struct rplat_json *j;
		double d;
		int64_t i;

		(void)state;
		assert_int_equal(rc, 0);
		j = parse_ok(s);
		assert_int_equal(j->type, RPLAT_JSON_OBJ);
		assert_int_equal(j->n, 4);
		assert_string_equal(rplat_json_str(rplat_json_get(j, "label")),
				    "PREEMPT_RT \"sim\"\tlink\n\xe2\x82\xac");
		assert_int_equal(rplat_json_i64(rplat_json_get(j, "summary.rtt.p99"), &i), 0);
		assert_int_equal(i, 123456789012ll);
		assert_int_equal(rplat_json_num(rplat_json_get(j, "summary.rtt.avg"), &d), 0);
		assert_true(d == 12345.678901234567);
		assert_int_equal(rplat_json_i64(rplat_json_get(j, "summary.rtt.avg"), &i), -1);
		assert_int_equal(rplat_json_num(rplat_json_get(j, "summary.rtt.tiny"), &d), 0);
		assert_true(d == 5e-324);
		assert_int_equal(rplat_json_num(rplat_json_get(j, "summary.rtt.big"), &d), 0);
		assert_true(d == 1.7976931348623157e308);
		assert_int_equal(rplat_json_i64(rplat_json_get(j, "summary.rtt.neg"), &i), 0);
		assert_int_equal(i, -42);
		assert_int_equal(rplat_json_i64(rplat_json_get(j, "per_size.40.count"), &i), 0);
		assert_int_equal(i, 7);
		assert_null(rplat_json_get(j, "a.b.f"));
		assert_non_null(rplat_json_member(rplat_json_member(j, "a.b"), "f"));
		assert_int_equal(rplat_json_member(rplat_json_member(j, "a.b"), "f")->type, RPLAT_JSON_BOOL);
		assert_null(rplat_json_get(j, "summary.rtt.p99.x"));
		assert_null(rplat_json_get(j, "nope"));
		assert_null(rplat_json_str(rplat_json_get(j, "summary")));
		rplat_json_free(j);
		free(s);
	}
}

static void test_parse_strings(void **state)
{
	struct rplat_json *j = parse_ok(" [\"\\u00e9\\u20AC\\ud83d\\ude00\\/\\\"\\\\\\b\\f\\n\\r\\t\", \"\","
					"\"\xf0\x9f\x98\x80\"]\r\n");

	(void)state;
	assert_int_equal(j->type, RPLAT_JSON_ARR);
	assert_int_equal(j->n, 3);
	assert_string_equal(j->child[0].str, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80/\"\\\b\f\n\r\t");
	assert_string_equal(j->child[1].str, "");
	assert_string_equal(j->child[2].str, "\xf0\x9f\x98\x80");
	assert_null(j->child[0].key);
	rplat_json_free(j);
}

static void test_parse_numbers(void **state)
{
	char err[100];
	struct rplat_json *j = rplat_json_parse("[1e400]", 7, err, sizeof(err));

	(void)state;
	assert_null(j); /* overflows a double */
	assert_string_equal(err, "line 1, column 2: number out of range");
	j = parse_ok("[0, -0, 12, -9223372036854775808, 9223372036854775807,"
		     "9223372036854775808, 1e3, 20.0, 1.5, -2.5e-3, 1E+2, true, false, null]");
	assert_int_equal(j->n, 14);
	assert_true(j->child[0].is_int && j->child[0].inum == 0);
	assert_true(j->child[1].is_int && j->child[1].inum == 0);
	assert_true(j->child[2].is_int && j->child[2].inum == 12);
	assert_true(j->child[3].is_int && j->child[3].inum == INT64_MIN);
	assert_true(j->child[4].is_int && j->child[4].inum == INT64_MAX);
	assert_false(j->child[5].is_int);
	assert_true(j->child[5].num == 9223372036854775808.0);
	assert_true(j->child[6].is_int && j->child[6].inum == 1000);
	assert_true(j->child[7].is_int && j->child[7].inum == 20);
	assert_false(j->child[8].is_int);
	assert_true(j->child[8].num == 1.5);
	assert_true(j->child[9].num == -2.5e-3);
	assert_true(j->child[10].num == 100.0);
	assert_int_equal(j->child[11].type, RPLAT_JSON_BOOL);
	assert_true(j->child[11].num == 1);
	assert_int_equal(j->child[12].type, RPLAT_JSON_BOOL);
	assert_true(j->child[12].num == 0);
	assert_int_equal(j->child[13].type, RPLAT_JSON_NULL);
	rplat_json_free(j);
}

struct bad {
	const char *text;
	size_t len; /* 0: strlen */
	const char *err;
};

static const struct bad bad_inputs[] = {
	{ "", 0, "line 1, column 1: empty document" },
	{ "  \n ", 0, "line 2, column 2: empty document" },
	{ "{", 0, "line 1, column 2: unexpected end of input, expected a member name" },
	{ "{\"a\" 1}", 0, "line 1, column 6: unexpected '1', expected ':'" },
	{ "{\"a\":1,}", 0, "line 1, column 8: unexpected '}', expected a member name" },
	{ "[1,]", 0, "line 1, column 4: unexpected ']', expected a value" },
	{ "[1 2]", 0, "line 1, column 4: unexpected '2', expected ',' or ']'" },
	{ "{\n  \"a\": tru\n}", 0, "line 2, column 8: unexpected 't', expected a value" },
	{ "[01]", 0, "line 1, column 3: leading zero" },
	{ "[1.]", 0, "line 1, column 4: unexpected ']', expected a digit after '.'" },
	{ "[-]", 0, "line 1, column 3: unexpected ']', expected a digit" },
	{ "[1e]", 0, "line 1, column 4: unexpected ']', expected a digit in the exponent" },
	{ "[+1]", 0, "line 1, column 2: unexpected '+', expected a value" },
	{ "[.5]", 0, "line 1, column 2: unexpected '.', expected a value" },
	{ "[NaN]", 0, "line 1, column 2: unexpected 'N', expected a value" },
	{ "\"abc", 0, "line 1, column 1: unterminated string" },
	{ "\"a\\x\"", 0, "line 1, column 3: invalid escape '\\x'" },
	{ "\"a\\u12g4\"", 0, "line 1, column 7: invalid hex digit" },
	{ "\"a\\u12", 0, "unterminated string" },
	{ "\"\\u0000\"", 0, "line 1, column 2: embedded NUL (\\u0000)" },
	{ "\"a\0b\"", 5, "line 1, column 3: embedded NUL" },
	{ "\"a\tb\"", 0, "line 1, column 3: control character 0x09" },
	{ "\"\\ud800\"", 0, "line 1, column 2: unpaired high surrogate \\ud800" },
	{ "\"\\ud800\\u0041\"", 0, "line 1, column 2: high surrogate \\ud800 not followed by a low one" },
	{ "\"\\udc00\"", 0, "line 1, column 2: unpaired low surrogate" },
	{ "\"\xff\"", 0, "line 1, column 2: invalid UTF-8" },
	{ "\"\xc0\xaf\"", 0, "line 1, column 2: invalid UTF-8" },         /* overlong '/' */
	{ "\"\xed\xa0\x80\"", 0, "line 1, column 2: invalid UTF-8" },     /* encoded surrogate */
	{ "\"\xf4\x90\x80\x80\"", 0, "line 1, column 2: invalid UTF-8" }, /* above U+10FFFF */
	{ "\"\xe2\x82\"", 0, "line 1, column 2: invalid UTF-8" },         /* truncated */
	{ "{} {}", 0, "line 1, column 4: unexpected '{', expected end of input" },
	{ "[1] x", 0, "line 1, column 5: unexpected 'x'" },
	{ "[1]\0", 4, "line 1, column 4: unexpected byte 0x00" },
	{ "// c\n{}", 0, "line 1, column 1: unexpected '/'" },
	{ "{'a':1}", 0, "line 1, column 2: unexpected ''', expected a member name" },
	{ "{1:2}", 0, "unexpected '1', expected a member name" },
	{ "[true false]", 0, "line 1, column 7: unexpected 'f', expected ',' or ']'" },
	{ "[nul]", 0, "line 1, column 2: unexpected 'n', expected a value" },
	{ "\xef\xbb\xbf", 0, "line 1, column 4: empty document" },
};

static void test_parse_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++) {
		const struct bad *b = &bad_inputs[i];
		char err[200] = "unset";
		size_t len = b->len ? b->len : strlen(b->text);
		struct rplat_json *j = rplat_json_parse(b->text, len, err, sizeof(err));

		if (j)
			fail_msg("input %zu parsed but should not", i);
		if (!strstr(err, b->err))
			fail_msg("input %zu: got \"%s\", want \"%s\"", i, err, b->err);
	}
}

static void test_parse_not_nul_terminated(void **state)
{
	char buf[8] = { '[', '1', '2', ']', '9', '9', '9', '9' };
	char err[100];
	struct rplat_json *j = rplat_json_parse(buf, 4, err, sizeof(err));

	(void)state;
	assert_non_null(j);
	assert_int_equal(j->child[0].inum, 12);
	rplat_json_free(j);
	/* a number that runs into the end of the buffer */
	j = rplat_json_parse(buf + 1, 2, err, sizeof(err));
	assert_non_null(j);
	assert_int_equal(j->inum, 12);
	rplat_json_free(j);
	/* BOM is skipped */
	j = parse_ok("\xef\xbb\xbf{\"k\":\"v\"}");
	assert_string_equal(rplat_json_str(rplat_json_member(j, "k")), "v");
	rplat_json_free(j);
}

static char *nested(int depth)
{
	char *s = malloc((size_t)depth * 2 + 1);

	for (int i = 0; i < depth; i++) {
		s[i] = '[';
		s[depth * 2 - 1 - i] = ']';
	}
	s[depth * 2] = '\0';
	return s;
}

static void test_depth_limit(void **state)
{
	char err[200];
	char *ok = nested(RPLAT_JSON_MAX_DEPTH), *bad = nested(RPLAT_JSON_MAX_DEPTH + 1);
	char *huge = nested(100000);
	struct rplat_json *j;

	(void)state;
	j = rplat_json_parse(ok, strlen(ok), err, sizeof(err));
	assert_non_null(j);
	rplat_json_free(j);
	j = rplat_json_parse(bad, strlen(bad), err, sizeof(err));
	assert_null(j);
	assert_string_equal(err, "line 1, column 65: nesting deeper than 64 levels");
	j = rplat_json_parse(huge, strlen(huge), err, sizeof(err));
	assert_null(j);
	assert_non_null(strstr(err, "nesting deeper"));
	free(ok);
	free(bad);
	free(huge);
}

static void test_duplicates_and_many(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct rplat_json *j;
	int64_t v;

	(void)state;
	fputs("{\"k\":1,\"k\":2,\"arr\":[", f);
	for (int i = 0; i < 10000; i++)
		fprintf(f, "%s%d", i ? "," : "", i);
	fputs("]}", f);
	fclose(f);
	j = parse_ok(buf);
	assert_int_equal(rplat_json_i64(rplat_json_member(j, "k"), &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(rplat_json_member(j, "arr")->n, 10000);
	assert_int_equal(rplat_json_member(j, "arr")->child[9999].inum, 9999);
	rplat_json_free(j);
	free(buf);
}

static void test_load(void **state)
{
	char path[] = "/tmp/rplat-test-json-XXXXXX";
	char err[300];
	int fd = mkstemp(path);
	struct rplat_json *j;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\n\"a\": [1,\n 2,, 3]}", 19), 19);
	close(fd);
	j = rplat_json_load(path, err, sizeof(err));
	assert_null(j);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "line 3, column 4: unexpected ','"));
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "{\"a\": [1, 2]}", 13), 13);
	close(fd);
	j = rplat_json_load(path, err, sizeof(err));
	assert_non_null(j);
	assert_int_equal(rplat_json_get(j, "a")->n, 2);
	rplat_json_free(j);
	unlink(path);
	j = rplat_json_load(path, err, sizeof(err));
	assert_null(j);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "No such file"));
}

static void test_accessors_null(void **state)
{
	double d;
	int64_t i;

	(void)state;
	assert_null(rplat_json_get(NULL, "a"));
	assert_null(rplat_json_member(NULL, "a"));
	assert_int_equal(rplat_json_num(NULL, &d), -1);
	assert_int_equal(rplat_json_i64(NULL, &i), -1);
	assert_null(rplat_json_str(NULL));
	rplat_json_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_pretty),
		cmocka_unit_test(test_writer_compact),
		cmocka_unit_test(test_writer_escapes),
		cmocka_unit_test(test_writer_misuse),
		cmocka_unit_test(test_writer_write_error),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_parse_strings),
		cmocka_unit_test(test_parse_numbers),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_not_nul_terminated),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_duplicates_and_many),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_accessors_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
