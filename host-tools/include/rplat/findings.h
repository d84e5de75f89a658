/* Findings: what a check found, for `rplat check` and `rplat rproc`.
 *
 * A check never prints. It appends findings to a list; the command decides how to show them (text or
 * JSON) and turns the worst severity into its exit code. Every text field is stored as printable ASCII:
 * bytes from the input that are not printable are escaped as \xNN when the finding is filled in, so a
 * hostile name in a firmware image cannot garble a terminal or a JSON document.
 *
 * The list keeps at most 'max' findings (RPLAT_FINDINGS_MAX by default) so that a table with a million
 * broken entries costs bounded memory; the ones past the limit are still counted per severity, so the
 * worst severity and the exit code stay right. */
#ifndef RPLAT_FINDINGS_H
#define RPLAT_FINDINGS_H

#include <stddef.h>
#include <stdio.h>

struct rplat_jw;

enum rplat_severity {
	RPLAT_SEV_INFO = 0,
	RPLAT_SEV_WARNING = 1, /* breaks in the field */
	RPLAT_SEV_ERROR = 2,   /* the kernel refuses it, or it will fail */
};
#define RPLAT_SEV_COUNT 3

/* Finding flags */
#define RPLAT_FINDING_REFUSED 0x1u /* the Linux kernel refuses the firmware because of this */

#define RPLAT_FINDINGS_MAX 1000

struct rplat_finding {
	enum rplat_severity sev;
	unsigned flags;
	int entry;         /* resource-table entry index, or -1 when not about one entry */
	char rule[40];     /* stable identifier, "rsc.vdev.reserved" */
	char source[160];  /* the file (or tree, or root) the finding is about */
	char field[96];    /* the offending field, "vdev.vring[1].num", "/proc/sys/kernel/..." */
	char value[128];   /* its value as text, "" when there is none */
	char why[384];     /* why it matters, in one or two sentences */
	char advice[256];  /* what to do about it, "" when nothing */
	const char *kernel; /* the rule's kernel function (static text), or NULL */
};

struct rplat_findings {
	struct rplat_finding *item;
	size_t n, cap;
	size_t max;                    /* items kept; later ones are only counted */
	size_t dropped;                /* counted but not kept */
	size_t count[RPLAT_SEV_COUNT]; /* per severity, dropped ones included */
	size_t refused;                /* findings with RPLAT_FINDING_REFUSED, dropped ones included */
	int oom;                       /* an allocation failed: some findings were only counted */
	struct rplat_finding scratch;  /* what add() hands out when a finding is not kept */
};

/* Initialise an empty list; no allocation happens until the first add. */
void rplat_findings_init(struct rplat_findings *fs);
/* Free the items. The list is empty and reusable afterwards. No operation on NULL. */
void rplat_findings_free(struct rplat_findings *fs);

/**
 * rplat_findings_add - append a finding
 * @fs: the list
 * @sev: its severity
 * @flags: RPLAT_FINDING_* flags
 * @rule: stable rule identifier (copied)
 * @source: the file or tree it is about (copied; NULL for "")
 * @entry: entry index, or -1
 *
 * Returns the new finding, zeroed but for these members, for the caller to fill with
 * rplat_finding_set(). Never returns NULL: when the finding is not kept (list full, or out of memory) it
 * returns a scratch finding that the next add overwrites, and the counts are updated all the same.
 */
struct rplat_finding *rplat_findings_add(struct rplat_findings *fs, enum rplat_severity sev, unsigned flags,
					 const char *rule, const char *source, int entry);

enum rplat_finding_part { RPLAT_FINDING_FIELD, RPLAT_FINDING_VALUE, RPLAT_FINDING_WHY, RPLAT_FINDING_ADVICE };
/* Format one text member of a finding (truncated to fit; non-printable bytes escaped). */
void rplat_finding_set(struct rplat_finding *f, enum rplat_finding_part part, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A rule: the fixed words of a kind of finding. Checks keep their rules in tables and emit by rule, so
 * the reason and advice never drift between checks and documentation. */
struct rplat_rule {
	const char *id;           /* "rsc.ver" */
	enum rplat_severity sev;  /* default severity */
	unsigned flags;           /* RPLAT_FINDING_REFUSED when the kernel refuses */
	const char *why;
	const char *advice;
	/* The kernel function that enforces the rule or suffers what it is about, with "(not checked)" when
	 * the kernel lets it through; "-" when no kernel code is involved (the remote stack, rplat itself).
	 * Read from the source of RPLAT_KERNEL_VERSION; where another version behaves otherwise, the why
	 * says so. */
	const char *kernel;
};

/* The kernel whose source the rules' claims were checked against (Debian's linux-source-6.12). */
#define RPLAT_KERNEL_VERSION "6.12.118"

/**
 * rplat_findings_emit - append a finding for a rule
 * @fs: the list
 * @rule: the rule (id, flags, why and advice are copied from it)
 * @sev: severity, or -1 for the rule's own
 * @source: the file or tree it is about
 * @entry: entry index, or -1
 * @field: the offending field
 * @fmt: printf format of the value
 *
 * Returns the finding (never NULL; see rplat_findings_add()).
 */
struct rplat_finding *rplat_findings_emit(struct rplat_findings *fs, const struct rplat_rule *rule, int sev,
					  const char *source, int entry, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* Append every finding of 'from' to 'to' (counts of dropped findings carry over). Returns 0, or -1 if an
 * allocation failed (the counts are right even then). */
int rplat_findings_merge(struct rplat_findings *to, const struct rplat_findings *from);

/* Worst severity in the list, or -1 when it is empty. */
int rplat_findings_worst(const struct rplat_findings *fs);
/* Number of findings of a rule (kept ones only). */
size_t rplat_findings_count_rule(const struct rplat_findings *fs, const char *rule);
/* The first kept finding of a rule, or NULL. */
const struct rplat_finding *rplat_findings_find(const struct rplat_findings *fs, const char *rule);

/* "info", "warning", "error" */
const char *rplat_severity_name(enum rplat_severity sev);

/* Exit codes of the check commands. */
#define RPLAT_CHECK_EXIT_CLEAN 0   /* no finding, or info only */
#define RPLAT_CHECK_EXIT_WARNING 1 /* worst is a warning */
#define RPLAT_CHECK_EXIT_ERROR 2   /* worst is an error */
#define RPLAT_CHECK_EXIT_INPUT 3   /* could not run: unreadable input, bad usage */
/* The exit code for a list: 0, 1 or 2. */
int rplat_findings_exit_code(const struct rplat_findings *fs);

/**
 * rplat_findings_write_text - print the findings for people
 * @f: stream
 * @fs: the list
 * @min_sev: hide findings below this severity (the summary still counts them)
 *
 * One finding per block, compiler style: "SOURCE: SEVERITY: [entry N] FIELD = VALUE [RULE]", then the
 * reason and the advice indented below. Ends with a summary line. Returns 0, or -1 on a write error.
 */
int rplat_findings_write_text(FILE *f, const struct rplat_findings *fs, enum rplat_severity min_sev);

/* Write "summary": {...} and "findings": [...] as two members of the JSON object open in 'w'. */
void rplat_findings_write_json(struct rplat_jw *w, const struct rplat_findings *fs);

#endif
