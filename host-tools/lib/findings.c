/* Findings lists: see rplat/findings.h. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rplat/findings.h"
#include "rplat/json.h"

static const char *const sev_names[RPLAT_SEV_COUNT] = { "info", "warning", "error" };

const char *rplat_severity_name(enum rplat_severity sev)
{
	return (unsigned)sev < RPLAT_SEV_COUNT ? sev_names[sev] : "?";
}

void rplat_findings_init(struct rplat_findings *fs)
{
	memset(fs, 0, sizeof(*fs));
	fs->max = RPLAT_FINDINGS_MAX;
}

void rplat_findings_free(struct rplat_findings *fs)
{
	size_t max;

	if (!fs)
		return;
	max = fs->max;
	free(fs->item);
	rplat_findings_init(fs);
	fs->max = max;
}

/* Copy 'src' into dst[size] as printable ASCII: other bytes become \xNN; always NUL-terminated. */
static void copy_printable(char *dst, size_t size, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	const unsigned char *s = (const unsigned char *)src;

	if (!size)
		return;
	for (; s && *s; s++) {
		if (*s >= 0x20 && *s < 0x7f) {
			if (o + 1 >= size)
				break;
			dst[o++] = (char)*s;
		} else {
			if (o + 4 >= size)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[*s >> 4];
			dst[o++] = hex[*s & 15];
		}
	}
	dst[o] = '\0';
}

static int grow(struct rplat_findings *fs)
{
	size_t cap = fs->cap ? fs->cap * 2 : 16;
	struct rplat_finding *p;

	if (cap > fs->max)
		cap = fs->max;
	p = realloc(fs->item, cap * sizeof(*p));
	if (!p)
		return -1;
	fs->item = p;
	fs->cap = cap;
	return 0;
}

struct rplat_finding *rplat_findings_add(struct rplat_findings *fs, enum rplat_severity sev, unsigned flags,
					 const char *rule, const char *source, int entry)
{
	struct rplat_finding *f = &fs->scratch;

	if ((unsigned)sev >= RPLAT_SEV_COUNT)
		sev = RPLAT_SEV_ERROR;
	fs->count[sev]++;
	if (flags & RPLAT_FINDING_REFUSED)
		fs->refused++;
	if (fs->n >= fs->max) {
		fs->dropped++;
	} else if (fs->n == fs->cap && grow(fs) < 0) {
		fs->dropped++;
		fs->oom = 1;
	} else {
		f = &fs->item[fs->n++];
	}
	memset(f, 0, sizeof(*f));
	f->sev = sev;
	f->flags = flags;
	f->entry = entry;
	copy_printable(f->rule, sizeof(f->rule), rule);
	copy_printable(f->source, sizeof(f->source), source);
	return f;
}

void rplat_finding_set(struct rplat_finding *f, enum rplat_finding_part part, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	switch (part) {
	case RPLAT_FINDING_FIELD:
		copy_printable(f->field, sizeof(f->field), tmp);
		break;
	case RPLAT_FINDING_VALUE:
		copy_printable(f->value, sizeof(f->value), tmp);
		break;
	case RPLAT_FINDING_WHY:
		copy_printable(f->why, sizeof(f->why), tmp);
		break;
	case RPLAT_FINDING_ADVICE:
		copy_printable(f->advice, sizeof(f->advice), tmp);
		break;
	}
}

struct rplat_finding *rplat_findings_emit(struct rplat_findings *fs, const struct rplat_rule *rule, int sev,
					  const char *source, int entry, const char *field, const char *fmt, ...)
{
	struct rplat_finding *f;
	char value[512];
	va_list ap;

	f = rplat_findings_add(fs, sev < 0 ? rule->sev : (enum rplat_severity)sev, rule->flags, rule->id, source,
			       entry);
	if (f == &fs->scratch)
		return f; /* counted, not kept: skip the formatting (hostile tables produce thousands) */
	f->kernel = rule->kernel;
	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	rplat_finding_set(f, RPLAT_FINDING_FIELD, "%s", field);
	rplat_finding_set(f, RPLAT_FINDING_VALUE, "%s", value);
	rplat_finding_set(f, RPLAT_FINDING_WHY, "%s", rule->why);
	rplat_finding_set(f, RPLAT_FINDING_ADVICE, "%s", rule->advice ? rule->advice : "");
	return f;
}

int rplat_findings_merge(struct rplat_findings *to, const struct rplat_findings *from)
{
	size_t i, s;

	/* add() counts the kept findings; the dropped ones of 'from' are added to the counts below */
	for (i = 0; i < from->n; i++) {
		const struct rplat_finding *src = &from->item[i];
		struct rplat_finding *f;

		f = rplat_findings_add(to, src->sev, src->flags, src->rule, src->source, src->entry);
		*f = *src; /* already printable and NUL-terminated */
	}
	for (s = 0; s < RPLAT_SEV_COUNT; s++) {
		size_t extra = from->count[s];
		size_t j;

		for (j = 0; j < from->n; j++)
			if (from->item[j].sev == (enum rplat_severity)s)
				extra--;
		to->count[s] += extra;
	}
	to->refused += from->refused;
	for (i = 0; i < from->n; i++)
		if (from->item[i].flags & RPLAT_FINDING_REFUSED)
			to->refused--;
	to->dropped += from->dropped;
	to->oom |= from->oom;
	return to->oom ? -1 : 0;
}

int rplat_findings_worst(const struct rplat_findings *fs)
{
	int s;

	for (s = RPLAT_SEV_COUNT - 1; s >= 0; s--)
		if (fs->count[s])
			return s;
	return -1;
}

int rplat_findings_exit_code(const struct rplat_findings *fs)
{
	switch (rplat_findings_worst(fs)) {
	case RPLAT_SEV_ERROR:
		return RPLAT_CHECK_EXIT_ERROR;
	case RPLAT_SEV_WARNING:
		return RPLAT_CHECK_EXIT_WARNING;
	default:
		return RPLAT_CHECK_EXIT_CLEAN;
	}
}

size_t rplat_findings_count_rule(const struct rplat_findings *fs, const char *rule)
{
	size_t i, n = 0;

	for (i = 0; i < fs->n; i++)
		if (!strcmp(fs->item[i].rule, rule))
			n++;
	return n;
}

const struct rplat_finding *rplat_findings_find(const struct rplat_findings *fs, const char *rule)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		if (!strcmp(fs->item[i].rule, rule))
			return &fs->item[i];
	return NULL;
}

int rplat_findings_write_text(FILE *f, const struct rplat_findings *fs, enum rplat_severity min_sev)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		const struct rplat_finding *x = &fs->item[i];

		if (x->sev < min_sev)
			continue;
		fprintf(f, "%s%s%s: ", x->source, x->source[0] ? ": " : "", rplat_severity_name(x->sev));
		if (x->entry >= 0)
			fprintf(f, "entry %d: ", x->entry);
		fprintf(f, "%s", x->field);
		if (x->value[0])
			fprintf(f, " = %s", x->value);
		fprintf(f, " [%s%s]\n", x->rule, (x->flags & RPLAT_FINDING_REFUSED) ? ", kernel refuses" : "");
		if (x->why[0])
			fprintf(f, "    %s\n", x->why);
		if (x->advice[0])
			fprintf(f, "    advice: %s\n", x->advice);
	}
	if (fs->dropped)
		fprintf(f, "(%zu more findings not shown%s)\n", fs->dropped, fs->oom ? ", out of memory" : "");
	fprintf(f, "%zu error%s", fs->count[RPLAT_SEV_ERROR], fs->count[RPLAT_SEV_ERROR] == 1 ? "" : "s");
	if (fs->refused)
		fprintf(f, " (%zu the kernel refuses)", fs->refused);
	fprintf(f, ", %zu warning%s, %zu info\n", fs->count[RPLAT_SEV_WARNING],
		fs->count[RPLAT_SEV_WARNING] == 1 ? "" : "s", fs->count[RPLAT_SEV_INFO]);
	return ferror(f) ? -1 : 0;
}

void rplat_findings_write_json(struct rplat_jw *w, const struct rplat_findings *fs)
{
	int worst = rplat_findings_worst(fs);
	size_t i;

	rplat_jw_obj_begin(w, "summary");
	rplat_jw_uint(w, "errors", fs->count[RPLAT_SEV_ERROR]);
	rplat_jw_uint(w, "warnings", fs->count[RPLAT_SEV_WARNING]);
	rplat_jw_uint(w, "info", fs->count[RPLAT_SEV_INFO]);
	rplat_jw_uint(w, "kernel_refuses", fs->refused);
	rplat_jw_str(w, "worst", worst < 0 ? "none" : rplat_severity_name((enum rplat_severity)worst));
	rplat_jw_int(w, "exit_code", rplat_findings_exit_code(fs));
	rplat_jw_uint(w, "not_shown", fs->dropped);
	rplat_jw_obj_end(w);
	rplat_jw_arr_begin(w, "findings");
	for (i = 0; i < fs->n; i++) {
		const struct rplat_finding *x = &fs->item[i];

		rplat_jw_obj_begin(w, NULL);
		rplat_jw_str(w, "severity", rplat_severity_name(x->sev));
		rplat_jw_str(w, "rule", x->rule);
		rplat_jw_str(w, "source", x->source);
		if (x->entry >= 0)
			rplat_jw_int(w, "entry", x->entry);
		else
			rplat_jw_null(w, "entry");
		rplat_jw_str(w, "field", x->field);
		rplat_jw_str(w, "value", x->value);
		rplat_jw_bool(w, "kernel_refuses", !!(x->flags & RPLAT_FINDING_REFUSED));
		rplat_jw_str(w, "why", x->why);
		rplat_jw_str(w, "advice", x->advice);
		rplat_jw_str(w, "kernel", x->kernel);
		rplat_jw_str(w, "kernel_version", x->kernel ? RPLAT_KERNEL_VERSION : NULL);
		rplat_jw_obj_end(w);
	}
	rplat_jw_arr_end(w);
}
