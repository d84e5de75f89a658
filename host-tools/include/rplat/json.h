/* Minimal JSON: a streaming writer for run metadata and reports, and a small DOM reader for loading runs,
 * budgets and profiles back. The reader accepts RFC 8259 JSON only (no comments, no trailing commas),
 * limits nesting to RPLAT_JSON_MAX_DEPTH, and reports errors as "line L, column C: what". */
#ifndef RPLAT_JSON_H
#define RPLAT_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define RPLAT_JSON_MAX_DEPTH 64

/* ---- writer ---- */
struct rplat_jw {
	FILE *f;
	int depth;
	int count[RPLAT_JSON_MAX_DEPTH]; /* members written at each level */
	int pretty;                      /* indent with two spaces (default 1) */
	int err;                         /* misuse seen (nesting too deep, unbalanced end) */
};

void rplat_jw_init(struct rplat_jw *w, FILE *f);
/* 'key' names the member inside an object; pass NULL inside arrays and at the top level. */
void rplat_jw_obj_begin(struct rplat_jw *w, const char *key);
void rplat_jw_obj_end(struct rplat_jw *w);
void rplat_jw_arr_begin(struct rplat_jw *w, const char *key);
void rplat_jw_arr_end(struct rplat_jw *w);
void rplat_jw_str(struct rplat_jw *w, const char *key, const char *val); /* NULL val writes null */
void rplat_jw_int(struct rplat_jw *w, const char *key, int64_t val);
void rplat_jw_uint(struct rplat_jw *w, const char *key, uint64_t val);
void rplat_jw_double(struct rplat_jw *w, const char *key, double val); /* non-finite writes null */
void rplat_jw_bool(struct rplat_jw *w, const char *key, int val);
void rplat_jw_null(struct rplat_jw *w, const char *key);
/* Finish the document (newline) and flush. Returns 0, or -1 if any write failed (ferror, errno from the
 * stream) or the writer was misused (nesting deeper than RPLAT_JSON_MAX_DEPTH or unbalanced, EINVAL).
 * Strings are escaped; bytes that are not valid UTF-8 are written as U+FFFD. */
int rplat_jw_finish(struct rplat_jw *w);

/* ---- reader ---- */
enum rplat_json_type { RPLAT_JSON_NULL, RPLAT_JSON_BOOL, RPLAT_JSON_NUM, RPLAT_JSON_STR, RPLAT_JSON_ARR,
		       RPLAT_JSON_OBJ };

struct rplat_json {
	enum rplat_json_type type;
	char *key;                /* member name when inside an object */
	char *str;                /* RPLAT_JSON_STR, NUL-terminated (embedded NULs rejected) */
	double num;               /* RPLAT_JSON_NUM; also 0/1 for BOOL */
	int64_t inum;             /* RPLAT_JSON_NUM with is_int = 1: the text was an integer that fits in
				     int64, or an integral value a double holds exactly ("1e3", "20.0") */
	int is_int;
	size_t n;                 /* ARR/OBJ: number of children */
	struct rplat_json *child; /* ARR/OBJ: array of n children */
};

/* Parse 'len' bytes (need not be NUL-terminated). Returns the root (free with rplat_json_free), or NULL
 * with "line L, column C: ..." in err (columns count bytes). Rejected: anything outside RFC 8259, nesting
 * deeper than RPLAT_JSON_MAX_DEPTH, NUL in strings (raw or \u0000), invalid UTF-8, unpaired surrogates,
 * numbers out of double range. A leading UTF-8 BOM is skipped. Duplicate member names are kept;
 * lookups find the first. */
struct rplat_json *rplat_json_parse(const char *text, size_t len, char *err, size_t errlen);
/* Read and parse a whole file (at most 64 MiB); errors are "PATH: line L, column C: ..." or
 * "PATH: reason". */
struct rplat_json *rplat_json_load(const char *path, char *err, size_t errlen);
void rplat_json_free(struct rplat_json *j);

/* Member lookup by dotted path ("summary.rtt.p99"); keys that contain dots cannot be reached this way,
 * use rplat_json_member() for them. NULL when absent or when a step is not an object. */
const struct rplat_json *rplat_json_get(const struct rplat_json *j, const char *path);
const struct rplat_json *rplat_json_member(const struct rplat_json *obj, const char *key);
/* Typed accessors: return 0 and store the value, or -1 if j is NULL or of another type. */
int rplat_json_num(const struct rplat_json *j, double *v);
int rplat_json_i64(const struct rplat_json *j, int64_t *v); /* integers only */
const char *rplat_json_str(const struct rplat_json *j);    /* NULL unless a string */

#endif
