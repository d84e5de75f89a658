/* fuzz-sources: host-tools/lib/json.c */
/* libFuzzer target for the JSON reader (host-tools/lib/json.c).
 *
 * Every input must either parse or fail with a "line L, column C: ..." message. A document that parses
 * is written back with the writer (compact) and parsed again; the two trees must be equal.
 *
 *   clang -g -fsanitize=fuzzer,address,undefined -Iprobe-fw/include -Ihost-tools/include \
 *         tests/fuzz/fuzz_json.c host-tools/lib/json.c -lm -o fuzz_json
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rplat/json.h"

static void write_value(struct rplat_jw *w, const struct rplat_json *j)
{
	switch (j->type) {
	case RPLAT_JSON_NULL: rplat_jw_null(w, j->key); break;
	case RPLAT_JSON_BOOL: rplat_jw_bool(w, j->key, j->num != 0); break;
	case RPLAT_JSON_STR: rplat_jw_str(w, j->key, j->str); break;
	case RPLAT_JSON_NUM:
		if (j->is_int)
			rplat_jw_int(w, j->key, j->inum);
		else
			rplat_jw_double(w, j->key, j->num);
		break;
	case RPLAT_JSON_ARR:
	case RPLAT_JSON_OBJ:
		if (j->type == RPLAT_JSON_ARR)
			rplat_jw_arr_begin(w, j->key);
		else
			rplat_jw_obj_begin(w, j->key);
		for (size_t i = 0; i < j->n; i++)
			write_value(w, &j->child[i]);
		if (j->type == RPLAT_JSON_ARR)
			rplat_jw_arr_end(w);
		else
			rplat_jw_obj_end(w);
		break;
	}
}

static int same(const struct rplat_json *a, const struct rplat_json *b)
{
	if (a->type != b->type || (!a->key) != (!b->key) || (a->key && strcmp(a->key, b->key)))
		return 0;
	switch (a->type) {
	case RPLAT_JSON_STR: return strcmp(a->str, b->str) == 0;
	case RPLAT_JSON_BOOL: return a->num == b->num;
	case RPLAT_JSON_NUM:
		if (a->is_int && b->is_int)
			return a->inum == b->inum;
		return a->num == b->num;
	case RPLAT_JSON_ARR:
	case RPLAT_JSON_OBJ:
		if (a->n != b->n)
			return 0;
		for (size_t i = 0; i < a->n; i++)
			if (!same(&a->child[i], &b->child[i]))
				return 0;
		return 1;
	default: return 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "";
	struct rplat_json *j = rplat_json_parse((const char *)data, size, err, sizeof(err)), *k;
	struct rplat_jw w;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!j) {
		if (strncmp(err, "line ", 5) != 0)
			abort();
		return 0;
	}
	(void)rplat_json_get(j, "a.b.c");
	f = open_memstream(&buf, &len);
	if (!f)
		abort();
	rplat_jw_init(&w, f);
	w.pretty = (size & 1);
	write_value(&w, j);
	if (rplat_jw_finish(&w) != 0)
		abort();
	fclose(f);
	k = rplat_json_parse(buf, len, err, sizeof(err));
	if (!k || !same(j, k))
		abort();
	rplat_json_free(k);
	rplat_json_free(j);
	free(buf);
	return 0;
}
