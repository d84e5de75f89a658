/* Background load: profiles of real Debian tools (cyclictest, hackbench, stress-ng), run by a supervisor
 * process that always stops them. See rplat/load.h for the profile format and the process model. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rplat/json.h"
#include "rplat/load.h"
#include "rplat/util.h"

#define LOAD_MAX_TOOLS 8
#define LOAD_MAX_PARAMS 24
#define LOAD_MAX_ARGS 64
#define LOAD_MAX_CT_THREADS 256
#define LOAD_CT_HIST_US 100000

enum tool_kind { T_CYCLICTEST, T_HACKBENCH, T_STRESSNG, T_EXEC };

static const char *const kind_name[] = { "cyclictest", "hackbench", "stress-ng", "exec" };

struct param {
	char key[32];
	char val[128];
};

struct tool {
	enum tool_kind kind;
	char name[32]; /* log and report name: cyclictest, hackbench, stress-ng, exec, exec-2 ... */
	int restart;
	int nparams;
	struct param params[LOAD_MAX_PARAMS];
	int nexec;
	char *exec_words[LOAD_MAX_ARGS]; /* exec: the command after "--" */
	/* resolved before the fork */
	int argc;
	char *argv[LOAD_MAX_ARGS + 16];
	char log[PATH_MAX + 64];
	/* reported by the supervisor */
	pid_t pid;
	int starts;
	int last_status; /* wait status of the last exit, -1 if none */
	int failed;
};

struct profile {
	char name[64];
	char source[PATH_MAX]; /* "built-in" or the file */
	char *text;
	int64_t warmup_ns;
	int ntools;
	struct tool tools[LOAD_MAX_TOOLS];
};

struct ct_thread {
	int cpu;
	uint64_t cycles, min, max, overflows;
	double avg;
	uint64_t p50, p99, p999;
};

struct rplat_load {
	struct profile p;
	char load_dir[PATH_MAX];
	int tmp_dir; /* load_dir is ours to delete */
	char stress_tmp[PATH_MAX];
	char avoid[256];
	char ct_cpus[256];
	int ncpus;
	pid_t sup;
	int ctl_fd, st_fd;
	char st_line[512];
	size_t st_len;
	int running, stopped;
	char start_time[32], end_time[32];
	int64_t t0, t1;
	int nct;
	struct ct_thread ct[LOAD_MAX_CT_THREADS];
	struct ct_thread ct_all;
	int ct_ok;
	int ct_hist_us;
	char warnings[1024];
};

/* ---------------------------------------------------------------- built-in profiles */

static const struct {
	const char *name;
	const char *text;
} builtin[] = {
	{ "none", "# No load: the baseline.\n" },
	{ "cpu", "# CPU-bound work on every CPU, cyclictest on the CPUs the measurement leaves free.\n"
		 "cyclictest\n"
		 "stress-ng cpu=cpus cpu-method=all\n" },
	{ "io", "# Block I/O and page-cache pressure: sync(), write/unlink and mixed I/O workers.\n"
		"cyclictest\n"
		"stress-ng io=1 hdd=1 hdd-bytes=64M iomix=1 iomix-bytes=64M\n" },
	{ "mixed", "# Scheduler, memory, I/O and timer-interrupt pressure at once.\n"
		   "cyclictest\n"
		   "hackbench groups=cpus loops=1000 size=1000\n"
		   "stress-ng cpu=cpus/2 vm=1 vm-bytes=128M io=1 timer=1 timer-freq=10000\n" },
	{ "rteval", "# rteval's defaults: hackbench -P -g 3*cpus -l 1000 -s 1000, restarted when it exits.\n"
		    "# (rteval's kernel-compile load is not reproduced.) cyclictest at priority 95.\n"
		    "cyclictest priority=95\n"
		    "hackbench groups=3*cpus loops=1000 size=1000 mode=process\n" },
};
#define NBUILTIN (sizeof(builtin) / sizeof(builtin[0]))

void rplat_load_list(FILE *f)
{
	size_t i;

	for (i = 0; i < NBUILTIN; i++) {
		const char *s = builtin[i].text;

		fprintf(f, "%s:\n", builtin[i].name);
		while (*s) {
			const char *e = strchr(s, '\n');
			size_t n = e ? (size_t)(e - s) : strlen(s);

			fprintf(f, "    %.*s\n", (int)n, s);
			s += n + (e ? 1 : 0);
		}
	}
}

/* ---------------------------------------------------------------- CPU lists */

static int online_cpus(cpu_set_t *set)
{
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	char buf[256];
	long i, n;

	CPU_ZERO(set);
	if (f) {
		if (fgets(buf, sizeof(buf), f)) {
			char *s = buf, *end;

			while (*s && *s != '\n') {
				long a = strtol(s, &end, 10), b = a;

				if (end == s)
					break;
				if (*end == '-')
					b = strtol(end + 1, &end, 10);
				for (i = a; i <= b && i < CPU_SETSIZE; i++)
					CPU_SET(i, set);
				s = end;
				if (*s == ',')
					s++;
			}
		}
		fclose(f);
	}
	if (CPU_COUNT(set) == 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		for (i = 0; i < (n > 0 ? n : 1) && i < CPU_SETSIZE; i++)
			CPU_SET(i, set);
	}
	return CPU_COUNT(set);
}

/* Parse "0-3,5" into set. Returns 0 or -1. */
static int parse_cpulist(const char *s, cpu_set_t *set)
{
	CPU_ZERO(set);
	if (!s || !*s)
		return 0;
	while (*s) {
		char *end;
		long a, b;

		if (!isdigit((unsigned char)*s))
			return -1;
		a = strtol(s, &end, 10);
		b = a;
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				return -1;
			b = strtol(end + 1, &end, 10);
		}
		if (a < 0 || b < a || b >= CPU_SETSIZE)
			return -1;
		for (; a <= b; a++)
			CPU_SET(a, set);
		if (*end == ',')
			end++;
		else if (*end)
			return -1;
		s = end;
	}
	return 0;
}

static void format_cpulist(const cpu_set_t *set, char *buf, size_t n)
{
	size_t len = 0;
	int i, j;

	buf[0] = 0;
	for (i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, set))
			continue;
		for (j = i; j + 1 < CPU_SETSIZE && CPU_ISSET(j + 1, set); j++)
			;
		if (len < n)
			len += (size_t)snprintf(buf + len, n - len, j > i ? "%s%d-%d" : "%s%d", len ? "," : "", i, j);
		i = j;
	}
}

/* ---------------------------------------------------------------- profile parsing */

struct perr {
	const char *file;
	int line;
	char *err;
	size_t errlen;
};

static int perr_at(struct perr *pe, int col, const char *fmt, const char *a, const char *b)
{
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, a ? a : "", b ? b : "");
	return rplat_fail(pe->err, pe->errlen, "%s:%d:%d: %s", pe->file, pe->line, col, msg);
}

static int valid_count_expr(const char *v)
{
	char *end;

	if (!strcmp(v, "cpus"))
		return 1;
	if (!strncmp(v, "cpus/", 5))
		return strtol(v + 5, &end, 10) > 0 && !*end;
	if (isdigit((unsigned char)*v)) {
		long k = strtol(v, &end, 10);

		if (!*end)
			return k >= 0;
		if (!strcmp(end, "*cpus"))
			return k > 0;
	}
	return 0;
}

/* Resolve a count expression against ncpus (at least 1 for the cpus forms). */
static long count_expr(const char *v, int ncpus)
{
	long k;

	if (!strcmp(v, "cpus"))
		return ncpus;
	if (!strncmp(v, "cpus/", 5)) {
		k = ncpus / strtol(v + 5, NULL, 10);
		return k < 1 ? 1 : k;
	}
	k = strtol(v, NULL, 10);
	if (strstr(v, "*cpus"))
		k *= ncpus;
	return k;
}

static int valid_int(const char *v, long lo, long hi)
{
	char *end;
	long x;

	if (!isdigit((unsigned char)*v))
		return 0;
	errno = 0;
	x = strtol(v, &end, 10);
	return !errno && !*end && x >= lo && x <= hi;
}

static int valid_word(const char *v)
{
	if (!*v)
		return 0;
	for (; *v; v++)
		if (!isalnum((unsigned char)*v) && !strchr(".*/_%-+:,", *v))
			return 0;
	return 1;
}

static const char *param(const struct tool *t, const char *key, const char *def)
{
	int i;

	for (i = 0; i < t->nparams; i++)
		if (!strcmp(t->params[i].key, key))
			return t->params[i].val;
	return def;
}

/* Check one key=value of a tool; col points at the word. */
static int check_param(struct perr *pe, struct tool *t, const char *key, const char *val, int col)
{
	static const char *const ct_keys[] = { "priority", "interval", "hist", "cpus", NULL };
	static const char *const hb_keys[] = { "groups", "loops", "size", "mode", "ipc", "fds", "restart", NULL };
	static const char *const exec_keys[] = { "restart", NULL };
	const char *const *keys = NULL;
	int i;

	if (t->kind == T_CYCLICTEST)
		keys = ct_keys;
	else if (t->kind == T_HACKBENCH)
		keys = hb_keys;
	else if (t->kind == T_EXEC)
		keys = exec_keys;
	if (keys) {
		for (i = 0; keys[i] && strcmp(keys[i], key); i++)
			;
		if (!keys[i])
			return perr_at(pe, col, "%s: unknown parameter '%s'", kind_name[t->kind], key);
	}
	if (!strcmp(key, "restart")) {
		if (strcmp(val, "yes") && strcmp(val, "no"))
			return perr_at(pe, col, "restart=%s: expected yes or no", val, NULL);
		t->restart = !strcmp(val, "yes");
	}
	switch (t->kind) {
	case T_CYCLICTEST:
		if (!strcmp(key, "priority") && !valid_int(val, 1, 99))
			return perr_at(pe, col, "priority=%s: expected 1..99", val, NULL);
		if (!strcmp(key, "interval") && !valid_int(val, 50, 10000000))
			return perr_at(pe, col, "interval=%s: expected microseconds, 50..10000000", val, NULL);
		if (!strcmp(key, "hist") && !valid_int(val, 1, LOAD_CT_HIST_US))
			return perr_at(pe, col, "hist=%s: expected the histogram range in us, 1..100000", val, NULL);
		if (!strcmp(key, "cpus")) {
			cpu_set_t s;

			if (strcmp(val, "other") && strcmp(val, "all") && parse_cpulist(val, &s))
				return perr_at(pe, col, "cpus=%s: expected other, all or a CPU list (0-3,5)", val,
					       NULL);
		}
		break;
	case T_HACKBENCH:
		if (!strcmp(key, "groups") && !valid_count_expr(val))
			return perr_at(pe, col, "groups=%s: expected a count: N, cpus, K*cpus or cpus/K", val, NULL);
		if ((!strcmp(key, "loops") || !strcmp(key, "size") || !strcmp(key, "fds")) &&
		    !valid_int(val, 1, 100000000))
			return perr_at(pe, col, "%s=%s: expected a positive integer", key, val);
		if (!strcmp(key, "mode") && strcmp(val, "process") && strcmp(val, "thread"))
			return perr_at(pe, col, "mode=%s: expected process or thread", val, NULL);
		if (!strcmp(key, "ipc") && strcmp(val, "socket") && strcmp(val, "pipe"))
			return perr_at(pe, col, "ipc=%s: expected socket or pipe", val, NULL);
		break;
	case T_STRESSNG:
		for (i = 0; key[i]; i++)
			if (!islower((unsigned char)key[i]) && !isdigit((unsigned char)key[i]) && key[i] != '-')
				return perr_at(pe, col, "stress-ng: '%s' is not an option name", key, NULL);
		if (!strcmp(key, "temp-path") || !strcmp(key, "timeout") || !strcmp(key, "log-file") ||
		    !strcmp(key, "t"))
			return perr_at(pe, col, "stress-ng: '%s' is set by rplat", key, NULL);
		if (!valid_word(val))
			return perr_at(pe, col, "stress-ng: bad value '%s'", val, NULL);
		break;
	case T_EXEC:
		break;
	}
	return 0;
}

static int parse_profile_text(struct profile *p, const char *text, const char *file, char *err, size_t errlen)
{
	struct perr pe = { file, 0, err, errlen };
	const char *s = text;
	int nexec = 0;

	p->warmup_ns = 1000000000;
	while (*s) {
		char line[1024], *w[LOAD_MAX_ARGS + LOAD_MAX_PARAMS + 4];
		int col[LOAD_MAX_ARGS + LOAD_MAX_PARAMS + 4];
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		int nw = 0, i, dashdash = -1;
		struct tool *t;
		char *c;

		pe.line++;
		if (n >= sizeof(line))
			return perr_at(&pe, 1, "line longer than 1023 characters", NULL, NULL);
		memcpy(line, s, n);
		line[n] = 0;
		s += n + (e ? 1 : 0);
		if ((c = strchr(line, '#')))
			*c = 0;
		for (c = line; *c;) {
			while (*c == ' ' || *c == '\t' || *c == '\r')
				*c++ = 0;
			if (!*c)
				break;
			if (nw == (int)(sizeof(w) / sizeof(w[0])))
				return perr_at(&pe, (int)(c - line) + 1, "too many words", NULL, NULL);
			col[nw] = (int)(c - line) + 1;
			if (*c == '"' || *c == '\'') { /* a quoted word, no escapes */
				char *q = strchr(c + 1, *c);

				if (!q)
					return perr_at(&pe, col[nw], "unterminated quote", NULL, NULL);
				*q = 0;
				w[nw++] = c + 1;
				c = q + 1;
				if (*c && *c != ' ' && *c != '\t' && *c != '\r')
					return perr_at(&pe, (int)(c - line) + 1, "a blank must follow a closing quote", NULL,
						       NULL);
				continue;
			}
			w[nw++] = c;
			while (*c && *c != ' ' && *c != '\t' && *c != '\r')
				c++;
		}
		if (!nw)
			continue;
		if (!strcmp(w[0], "name")) {
			if (nw != 2 || !valid_word(w[1]) || strlen(w[1]) >= sizeof(p->name))
				return perr_at(&pe, nw > 1 ? col[1] : col[0], "name: expected one word", NULL, NULL);
			snprintf(p->name, sizeof(p->name), "%s", w[1]);
			continue;
		}
		if (!strcmp(w[0], "warmup")) {
			if (nw != 2 || rplat_parse_duration(w[1], &p->warmup_ns) || p->warmup_ns > 600000000000LL)
				return perr_at(&pe, nw > 1 ? col[1] : col[0],
					       "warmup: expected a duration up to 10m (e.g. 1s, 500ms)", NULL, NULL);
			continue;
		}
		if (p->ntools == LOAD_MAX_TOOLS)
			return perr_at(&pe, col[0], "too many tools (at most 8)", NULL, NULL);
		t = &p->tools[p->ntools];
		memset(t, 0, sizeof(*t));
		t->last_status = -1;
		for (i = 0; i < 4 && strcmp(w[0], kind_name[i]); i++)
			;
		if (i == 4)
			return perr_at(&pe, col[0],
				       "unknown word '%s' (expected name, warmup, cyclictest, hackbench, stress-ng or exec)",
				       w[0], NULL);
		t->kind = (enum tool_kind)i;
		t->restart = t->kind == T_HACKBENCH;
		for (i = 1; i < nw; i++) {
			char *eq;

			if (!strcmp(w[i], "--")) {
				dashdash = i;
				break;
			}
			eq = strchr(w[i], '=');
			if (!eq || eq == w[i])
				return perr_at(&pe, col[i], "expected key=value, found '%s'", w[i], NULL);
			*eq = 0;
			if (strlen(w[i]) >= sizeof(t->params[0].key) || strlen(eq + 1) >= sizeof(t->params[0].val))
				return perr_at(&pe, col[i], "parameter '%s' too long", w[i], NULL);
			if (!eq[1])
				return perr_at(&pe, col[i], "%s=: empty value", w[i], NULL);
			if (param(t, w[i], NULL))
				return perr_at(&pe, col[i], "parameter '%s' given twice", w[i], NULL);
			if (t->nparams == LOAD_MAX_PARAMS)
				return perr_at(&pe, col[i], "too many parameters", NULL, NULL);
			if (check_param(&pe, t, w[i], eq + 1, col[i]))
				return -1;
			snprintf(t->params[t->nparams].key, sizeof(t->params[0].key), "%s", w[i]);
			snprintf(t->params[t->nparams].val, sizeof(t->params[0].val), "%s", eq + 1);
			t->nparams++;
		}
		if (t->kind == T_EXEC) {
			if (dashdash < 0 || dashdash == nw - 1)
				return perr_at(&pe, col[0], "exec: expected '-- COMMAND [ARGS...]'", NULL, NULL);
			for (i = dashdash + 1; i < nw; i++) {
				t->exec_words[t->nexec] = strdup(w[i]);
				if (!t->exec_words[t->nexec])
					return rplat_fail(err, errlen, "out of memory");
				t->nexec++;
			}
			nexec++;
			if (nexec > 1)
				snprintf(t->name, sizeof(t->name), "exec-%d", nexec);
			else
				snprintf(t->name, sizeof(t->name), "exec");
		} else {
			if (dashdash >= 0)
				return perr_at(&pe, col[dashdash], "'--' only follows exec", NULL, NULL);
			for (i = 0; i < p->ntools; i++)
				if (p->tools[i].kind == t->kind)
					return perr_at(&pe, col[0], "%s given twice", kind_name[t->kind], NULL);
			snprintf(t->name, sizeof(t->name), "%s", kind_name[t->kind]);
		}
		p->ntools++;
	}
	return 0;
}

static void profile_release(struct profile *p)
{
	int i, j;

	for (i = 0; i < p->ntools; i++) {
		for (j = 0; j < p->tools[i].nexec; j++)
			free(p->tools[i].exec_words[j]);
		for (j = 0; j < p->tools[i].argc; j++)
			free(p->tools[i].argv[j]);
		p->tools[i].nexec = p->tools[i].argc = 0;
	}
	free(p->text);
	p->text = NULL;
	p->ntools = 0;
}

static char *read_text_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f) {
		rplat_fail(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		rplat_fail(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		fclose(f);
		return NULL;
	}
	if (n > 65536) {
		rplat_fail(err, errlen, "%s: larger than 64 KiB, not a load profile", path);
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		rplat_fail(err, errlen, "%s: cannot read", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[n] = 0;
	fclose(f);
	if (strlen(buf) != (size_t)n) {
		rplat_fail(err, errlen, "%s: contains NUL bytes, not a load profile", path);
		free(buf);
		return NULL;
	}
	return buf;
}

static int profile_load(struct profile *p, const char *spec, char *err, size_t errlen)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	if (!spec || !*spec)
		return rplat_fail(err, errlen, "load: empty profile name");
	for (i = 0; i < NBUILTIN; i++)
		if (!strcmp(spec, builtin[i].name)) {
			snprintf(p->name, sizeof(p->name), "%s", spec);
			snprintf(p->source, sizeof(p->source), "built-in");
			p->text = strdup(builtin[i].text);
			if (!p->text)
				return rplat_fail(err, errlen, "out of memory");
			return parse_profile_text(p, p->text, spec, err, errlen);
		}
	if (!strchr(spec, '/') && access(spec, R_OK))
		return rplat_fail(err, errlen,
				  "load: unknown profile '%s' (built-in: none, cpu, io, mixed, rteval; or a file)", spec);
	p->text = read_text_file(spec, err, errlen);
	if (!p->text)
		return -1;
	snprintf(p->source, sizeof(p->source), "%s", spec);
	{
		const char *b = strrchr(spec, '/');
		char *dot;

		snprintf(p->name, sizeof(p->name), "%s", b ? b + 1 : spec);
		dot = strrchr(p->name, '.');
		if (dot && dot != p->name)
			*dot = 0;
	}
	if (parse_profile_text(p, p->text, spec, err, errlen)) {
		profile_release(p);
		return -1;
	}
	return 0;
}

int rplat_load_check(const char *profile, char *err, size_t errlen)
{
	struct profile *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return rplat_fail(err, errlen, "out of memory");
	rc = profile_load(p, profile, err, errlen);
	profile_release(p);
	free(p);
	return rc;
}

/* ---------------------------------------------------------------- command lines */

static int add_arg(struct tool *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int add_arg(struct tool *t, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (t->argc >= (int)(sizeof(t->argv) / sizeof(t->argv[0])) - 1)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return -1;
	t->argv[t->argc++] = s;
	t->argv[t->argc] = NULL;
	return 0;
}

static int in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	while (*path) {
		const char *e = strchr(path, ':');
		size_t n = e ? (size_t)(e - path) : strlen(path);

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? path : ".", prog);
		if (access(buf, X_OK) == 0)
			return 1;
		path += n + (e ? 1 : 0);
	}
	return 0;
}

static const char *deb_package(enum tool_kind k)
{
	return k == T_STRESSNG ? "stress-ng" : k == T_EXEC ? "?" : "rt-tests";
}

/* Resolve the profile into argv arrays. ct_cpus must be set. */
static int build_argvs(struct rplat_load *l, char *err, size_t errlen)
{
	int i, j, rc = 0;

	for (i = 0; i < l->p.ntools; i++) {
		struct tool *t = &l->p.tools[i];

		switch (t->kind) {
		case T_CYCLICTEST: {
			cpu_set_t s;
			int nthreads;

			parse_cpulist(l->ct_cpus, &s);
			nthreads = CPU_COUNT(&s);
			rc |= add_arg(t, "cyclictest");
			rc |= add_arg(t, "-q");
			rc |= add_arg(t, "-m");
			rc |= add_arg(t, "--default-system");
			rc |= add_arg(t, "-p%s", param(t, "priority", "95"));
			rc |= add_arg(t, "-i%s", param(t, "interval", "1000"));
			rc |= add_arg(t, "-t%d", nthreads);
			rc |= add_arg(t, "-a%s", l->ct_cpus);
			rc |= add_arg(t, "--mainaffinity=%s", l->ct_cpus);
			rc |= add_arg(t, "-h%s", param(t, "hist", "1000"));
			rc |= add_arg(t, "--histfile=%s/cyclictest.hist", l->load_dir);
			rc |= add_arg(t, "--json=%s/cyclictest.json", l->load_dir);
			break;
		}
		case T_HACKBENCH:
			rc |= add_arg(t, "hackbench");
			rc |= add_arg(t, !strcmp(param(t, "mode", "process"), "thread") ? "-T" : "-P");
			if (!strcmp(param(t, "ipc", "socket"), "pipe"))
				rc |= add_arg(t, "-p");
			rc |= add_arg(t, "-g");
			rc |= add_arg(t, "%ld", count_expr(param(t, "groups", "3*cpus"), l->ncpus));
			rc |= add_arg(t, "-l");
			rc |= add_arg(t, "%s", param(t, "loops", "1000"));
			rc |= add_arg(t, "-s");
			rc |= add_arg(t, "%s", param(t, "size", "1000"));
			if (param(t, "fds", NULL)) {
				rc |= add_arg(t, "-f");
				rc |= add_arg(t, "%s", param(t, "fds", NULL));
			}
			break;
		case T_STRESSNG:
			rc |= add_arg(t, "stress-ng");
			for (j = 0; j < t->nparams; j++) {
				const char *v = t->params[j].val;

				rc |= add_arg(t, "--%s", t->params[j].key);
				if (valid_count_expr(v) && strstr(v, "cpus"))
					rc |= add_arg(t, "%ld", count_expr(v, l->ncpus));
				else
					rc |= add_arg(t, "%s", v);
			}
			rc |= add_arg(t, "--temp-path");
			rc |= add_arg(t, "%s", l->stress_tmp);
			rc |= add_arg(t, "--timeout");
			rc |= add_arg(t, "0");
			rc |= add_arg(t, "--metrics-brief");
			break;
		case T_EXEC:
			for (j = 0; j < t->nexec; j++)
				rc |= add_arg(t, "%s", t->exec_words[j]);
			break;
		}
		if (rc)
			return rplat_fail(err, errlen, "load: out of memory building %s's command line", t->name);
		if (!in_path(t->argv[0]))
			return rplat_fail(err, errlen, "load profile '%s': %s not found (install the Debian package %s)",
					  l->p.name, t->argv[0], deb_package(t->kind));
		{
			char dir[PATH_MAX], name[sizeof(t->name)];

			memcpy(dir, l->load_dir, sizeof(dir));
			memcpy(name, t->name, sizeof(name));
			snprintf(t->log, sizeof(t->log), "%s/%s.log", dir, name);
		}
	}
	return 0;
}

static int setup_cpus(struct rplat_load *l, const char *avoid, char *err, size_t errlen)
{
	cpu_set_t on, av, ct;
	int i;
	const struct tool *t = NULL;

	l->ncpus = online_cpus(&on);
	if (avoid && *avoid && parse_cpulist(avoid, &av))
		return rplat_fail(err, errlen, "load: bad CPU list '%s' to avoid", avoid);
	if (!avoid || !*avoid)
		CPU_ZERO(&av);
	format_cpulist(&av, l->avoid, sizeof(l->avoid));
	for (i = 0; i < l->p.ntools; i++)
		if (l->p.tools[i].kind == T_CYCLICTEST)
			t = &l->p.tools[i];
	if (!t)
		return 0;
	{
		const char *c = param(t, "cpus", "other");

		if (!strcmp(c, "all")) {
			ct = on;
		} else if (!strcmp(c, "other")) {
			CPU_XOR(&ct, &on, &av);
			CPU_AND(&ct, &ct, &on);
			if (CPU_COUNT(&ct) == 0) {
				ct = on;
				snprintf(l->warnings + strlen(l->warnings), sizeof(l->warnings) - strlen(l->warnings),
					 "cyclictest: no CPU left besides the measurement's (%s), it runs on all. ",
					 l->avoid);
			}
		} else {
			parse_cpulist(c, &ct);
			CPU_AND(&ct, &ct, &on);
			if (CPU_COUNT(&ct) == 0)
				return rplat_fail(err, errlen, "load: cyclictest cpus=%s: none of them is online", c);
		}
	}
	format_cpulist(&ct, l->ct_cpus, sizeof(l->ct_cpus));
	return 0;
}

int rplat_load_show(const char *profile, const char *avoid_cpus, FILE *f, char *err, size_t errlen)
{
	struct rplat_load *l = calloc(1, sizeof(*l));
	int i, j, rc = -1;

	if (!l)
		return rplat_fail(err, errlen, "out of memory");
	if (profile_load(&l->p, profile, err, errlen))
		goto out;
	snprintf(l->load_dir, sizeof(l->load_dir), "RUN/load");
	snprintf(l->stress_tmp, sizeof(l->stress_tmp), "/tmp/rplat-load-XXXXXX");
	if (setup_cpus(l, avoid_cpus, err, errlen) || build_argvs(l, err, errlen))
		goto out;
	fprintf(f, "# profile %s (%s), warmup %.3g s, %d online CPUs%s%s\n", l->p.name, l->p.source,
		(double)l->p.warmup_ns / 1e9, l->ncpus, *l->avoid ? ", measurement on " : "", l->avoid);
	for (i = 0; i < l->p.ntools; i++) {
		for (j = 0; j < l->p.tools[i].argc; j++)
			fprintf(f, "%s%s", j ? " " : "", l->p.tools[i].argv[j]);
		fprintf(f, "%s\n", l->p.tools[i].restart ? "    # restarted when it exits" : "");
	}
	rc = 0;
out:
	profile_release(&l->p);
	free(l);
	return rc;
}

static void rm_rf(const char *path);

/* ---------------------------------------------------------------- the supervisor (a forked child) */

static volatile sig_atomic_t sup_stop;

static void sup_on_signal(int sig)
{
	(void)sig;
	sup_stop = 1;
}

static void sup_report(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sup_report(int fd, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && write(fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1) < 0) {
		/* the parent is gone: nothing to tell */
	}
}

static void all_cpus_affinity(void)
{
	cpu_set_t on;

	online_cpus(&on);
	sched_setaffinity(0, sizeof(on), &on);
}

static pid_t sup_spawn(struct tool *t)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct sched_param sp = { 0 };
		sigset_t none;
		int fd, sig;

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (sig = 1; sig < NSIG; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				signal(sig, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		sched_setscheduler(0, SCHED_OTHER, &sp);
		all_cpus_affinity();
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0 && fd != 0) {
			dup2(fd, 0);
			close(fd);
		}
		fd = open(t->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		close_range(3, ~0U, 0);
		execvp(t->argv[0], t->argv);
		dprintf(2, "rplat load: cannot run %s: %s\n", t->argv[0], strerror(errno));
		_exit(127);
	}
	if (pid > 0)
		setpgid(pid, pid);
	return pid;
}

static int64_t mono_ms(void)
{
	return rplat_now_ns() / 1000000;
}

/* Reap every child that has exited; update tools; restart those that ask for it unless stopping. */
static void sup_reap(struct rplat_load *l, int st_fd, int stopping, int64_t *started, int *fast_fails)
{
	pid_t pid;
	int st, i;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (i = 0; i < l->p.ntools; i++)
			if (l->p.tools[i].pid == pid)
				break;
		if (i == l->p.ntools)
			continue; /* an orphaned grandchild */
		{
			struct tool *t = &l->p.tools[i];
			int64_t ran = mono_ms() - started[i];

			t->pid = 0;
			sup_report(st_fd, "exit %d %d %lld\n", i, st, (long long)ran);
			if (stopping || !t->restart)
				continue;
			fast_fails[i] = (ran < 1000 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) ? fast_fails[i] + 1 : 0;
			if (fast_fails[i] >= 3) {
				sup_report(st_fd, "fail %d\n", i);
				continue;
			}
			kill(-pid, SIGKILL); /* anything the last round left behind */
			t->pid = sup_spawn(t);
			started[i] = mono_ms();
			if (t->pid > 0)
				sup_report(st_fd, "start %d %d\n", i, (int)t->pid);
			else
				sup_report(st_fd, "fail %d\n", i);
		}
	}
}

static int groups_alive(struct rplat_load *l, const pid_t *pgid, enum tool_kind only, int any)
{
	int i, n = 0;

	for (i = 0; i < l->p.ntools; i++)
		if (pgid[i] > 0 && (any || l->p.tools[i].kind == only) && (kill(-pgid[i], 0) == 0 || errno != ESRCH))
			n++;
	return n;
}

/* SIGKILL every direct child still there (orphans we adopted as subreaper included). */
static void sup_kill_children(void)
{
	char path[64], buf[4096];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	{
		char *s = buf, *end;

		for (;;) {
			long pid = strtol(s, &end, 10);

			if (end == s)
				break;
			if (pid > 1)
				kill((pid_t)pid, SIGKILL);
			s = end;
		}
	}
}

static void sup_wait(struct rplat_load *l, int st_fd, const pid_t *pgid, enum tool_kind only, int any,
		     int64_t ms, int64_t *started, int *ff)
{
	int64_t end = mono_ms() + ms;
	struct timespec ts = { 0, 10000000 };

	while (mono_ms() < end) {
		sup_reap(l, st_fd, 1, started, ff);
		if (!groups_alive(l, pgid, only, any))
			return;
		nanosleep(&ts, NULL);
	}
}

static void __attribute__((noreturn)) supervisor(struct rplat_load *l, int ctl_rd, int st_wr, pid_t parent)
{
	int64_t started[LOAD_MAX_TOOLS] = { 0 };
	int ff[LOAD_MAX_TOOLS] = { 0 };
	pid_t pgid[LOAD_MAX_TOOLS] = { 0 };
	struct sigaction sa;
	struct sched_param sp = { 0 };
	sigset_t none;
	int i, sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sup_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGINT, SIG_IGN); /* Ctrl-C goes to rplat, which stops us in order */
	signal(SIGQUIT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	for (sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		signal(sig, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGALRM, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		sup_stop = 1;
	setpgid(0, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	prctl(PR_SET_NAME, "rplat-load");
	sched_setscheduler(0, SCHED_OTHER, &sp);
	all_cpus_affinity();
	/* Hold nothing of the parent's but our two pipes and stdio. */
	{
		int lo = ctl_rd < st_wr ? ctl_rd : st_wr, hi = ctl_rd < st_wr ? st_wr : ctl_rd;

		if (lo > 3)
			close_range(3, (unsigned)lo - 1, 0);
		if (hi > lo + 1)
			close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
		close_range((unsigned)hi + 1, ~0U, 0);
	}
	for (i = 0; i < l->p.ntools && !sup_stop; i++) {
		struct tool *t = &l->p.tools[i];

		t->pid = sup_spawn(t);
		pgid[i] = t->pid;
		started[i] = mono_ms();
		if (t->pid > 0)
			sup_report(st_wr, "start %d %d\n", i, (int)t->pid);
		else
			sup_report(st_wr, "fail %d\n", i);
	}
	while (!sup_stop) {
		struct pollfd pfd = { ctl_rd, POLLIN, 0 };
		char c;

		if (poll(&pfd, 1, 100) > 0) {
			ssize_t n = read(ctl_rd, &c, 1);

			if (n == 0 || (n == 1 && c == 'q') || (n < 0 && errno != EINTR && errno != EAGAIN))
				break;
		}
		sup_reap(l, st_wr, 0, started, ff);
		for (i = 0; i < l->p.ntools; i++)
			if (l->p.tools[i].pid > 0)
				pgid[i] = l->p.tools[i].pid;
	}
	/* 1. cyclictest writes its histogram and JSON on SIGINT */
	for (i = 0; i < l->p.ntools; i++)
		if (l->p.tools[i].kind == T_CYCLICTEST && l->p.tools[i].pid > 0)
			kill(l->p.tools[i].pid, SIGINT);
	sup_wait(l, st_wr, pgid, T_CYCLICTEST, 0, 5000, started, ff);
	/* 2. everything else: SIGTERM to each process group, then SIGKILL */
	for (i = 0; i < l->p.ntools; i++)
		if (pgid[i] > 0)
			kill(-pgid[i], SIGTERM);
	sup_wait(l, st_wr, pgid, T_EXEC, 1, 3000, started, ff);
	for (i = 0; i < l->p.ntools; i++)
		if (pgid[i] > 0)
			kill(-pgid[i], SIGKILL);
	sup_kill_children();
	{
		int64_t end = mono_ms() + 5000;
		struct timespec ts = { 0, 5000000 };

		for (;;) {
			pid_t r;
			int st;

			sup_reap(l, st_wr, 1, started, ff);
			r = waitpid(-1, &st, WNOHANG);
			if (r < 0 && errno == ECHILD)
				break;
			if (mono_ms() > end)
				break;
			sup_kill_children();
			nanosleep(&ts, NULL);
		}
	}
	/* stress-ng's files; and if rplat died without stopping us, the temporary results nobody will read */
	rm_rf(l->stress_tmp);
	if (getppid() != parent && l->tmp_dir)
		rm_rf(l->load_dir);
	sup_report(st_wr, "done\n");
	_exit(0);
}

/* ---------------------------------------------------------------- parent side */

static void iso_now(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void handle_status_line(struct rplat_load *l, const char *line)
{
	int i, a, b;
	long long c;

	if (sscanf(line, "start %d %d", &i, &a) == 2 && i >= 0 && i < l->p.ntools) {
		l->p.tools[i].pid = a;
		l->p.tools[i].starts++;
	} else if (sscanf(line, "exit %d %d %lld", &i, &b, &c) == 3 && i >= 0 && i < l->p.ntools) {
		l->p.tools[i].last_status = b;
		l->p.tools[i].pid = 0;
	} else if (sscanf(line, "fail %d", &i) == 1 && i >= 0 && i < l->p.ntools) {
		l->p.tools[i].failed = 1;
	}
}

/* Read what the supervisor told us so far (non-blocking). */
static void read_status(struct rplat_load *l)
{
	char buf[1024];
	ssize_t n;

	if (l->st_fd < 0)
		return;
	while ((n = read(l->st_fd, buf, sizeof(buf))) > 0) {
		ssize_t i;

		for (i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				l->st_line[l->st_len] = 0;
				handle_status_line(l, l->st_line);
				l->st_len = 0;
			} else if (l->st_len < sizeof(l->st_line) - 1) {
				l->st_line[l->st_len++] = buf[i];
			}
		}
	}
}

static void log_tail(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	char line[256];

	buf[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (strspn(line, " \t\r\n") != strlen(line)) {
			line[strcspn(line, "\r\n")] = 0;
			snprintf(buf, n, "%s", line);
		}
	fclose(f);
}

static void describe_status(int st, char *buf, size_t n)
{
	if (st < 0)
		snprintf(buf, n, "running");
	else if (WIFEXITED(st))
		snprintf(buf, n, "exit %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, n, "signal %d", WTERMSIG(st));
	else
		snprintf(buf, n, "status %d", st);
}

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void rm_rf(const char *path)
{
	if (*path)
		nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* Parse cyclictest's --json and the overflow line of its -h file into l->ct. */
static int read_cyclictest(struct rplat_load *l, char *err, size_t errlen)
{
	char path[PATH_MAX + 32], jerr[256];
	struct rplat_json *root;
	const struct rplat_json *th;
	static uint64_t all_hist[LOAD_CT_HIST_US + 1];
	uint64_t all_cycles = 0;
	double all_sum = 0;
	size_t i;
	int k;
	FILE *f;

	l->nct = 0;
	l->ct_ok = 0;
	for (k = 0; k < l->p.ntools; k++)
		if (l->p.tools[k].kind == T_CYCLICTEST)
			l->ct_hist_us = atoi(param(&l->p.tools[k], "hist", "1000"));
	snprintf(path, sizeof(path), "%s/cyclictest.json", l->load_dir);
	root = rplat_json_load(path, jerr, sizeof(jerr));
	if (!root)
		return rplat_fail(err, errlen, "load: cyclictest results: %s", jerr);
	th = rplat_json_member(root, "thread");
	if (!th || th->type != RPLAT_JSON_OBJ) {
		rplat_json_free(root);
		return rplat_fail(err, errlen, "load: %s: no \"thread\" object", path);
	}
	memset(all_hist, 0, sizeof(all_hist));
	memset(&l->ct_all, 0, sizeof(l->ct_all));
	l->ct_all.min = UINT64_MAX;
	l->ct_all.cpu = -1;
	for (i = 0; i < th->n && l->nct < LOAD_MAX_CT_THREADS; i++) {
		const struct rplat_json *t = &th->child[i], *h = rplat_json_member(t, "histogram");
		struct ct_thread *c = &l->ct[l->nct];
		static uint64_t hist[LOAD_CT_HIST_US + 1];
		uint64_t tot = 0, acc, target[3];
		int64_t v;
		double d;
		size_t j;
		int q;

		memset(c, 0, sizeof(*c));
		memset(hist, 0, sizeof(hist));
		c->cpu = rplat_json_i64(rplat_json_member(t, "cpu"), &v) ? -1 : (int)v;
		c->cycles = rplat_json_i64(rplat_json_member(t, "cycles"), &v) ? 0 : (uint64_t)v;
		c->min = rplat_json_i64(rplat_json_member(t, "min"), &v) ? 0 : (uint64_t)v;
		c->max = rplat_json_i64(rplat_json_member(t, "max"), &v) ? 0 : (uint64_t)v;
		c->avg = rplat_json_num(rplat_json_member(t, "avg"), &d) ? 0 : d;
		for (j = 0; h && h->type == RPLAT_JSON_OBJ && j < h->n; j++) {
			long b = strtol(h->child[j].key, NULL, 10);

			if (b >= 0 && b <= LOAD_CT_HIST_US && !rplat_json_i64(&h->child[j], &v) && v > 0) {
				hist[b] += (uint64_t)v;
				all_hist[b] += (uint64_t)v;
				tot += (uint64_t)v;
			}
		}
		/* percentiles over the cycles, counting the overflows above the histogram */
		target[0] = (uint64_t)ceil(c->cycles * 0.50);
		target[1] = (uint64_t)ceil(c->cycles * 0.99);
		target[2] = (uint64_t)ceil(c->cycles * 0.999);
		for (q = 0; q < 3; q++) {
			uint64_t *out = q == 0 ? &c->p50 : q == 1 ? &c->p99 : &c->p999;

			*out = UINT64_MAX; /* beyond the histogram: among the overflows */
			for (acc = 0, j = 0; j <= LOAD_CT_HIST_US; j++) {
				acc += hist[j];
				if (acc >= target[q] && target[q]) {
					*out = j;
					break;
				}
			}
		}
		c->overflows = c->cycles > tot ? c->cycles - tot : 0;
		if (c->min < l->ct_all.min)
			l->ct_all.min = c->min;
		if (c->max > l->ct_all.max)
			l->ct_all.max = c->max;
		all_cycles += c->cycles;
		all_sum += c->avg * (double)c->cycles;
		l->ct_all.overflows += c->overflows;
		l->nct++;
	}
	rplat_json_free(root);
	l->ct_all.cycles = all_cycles;
	l->ct_all.avg = all_cycles ? all_sum / (double)all_cycles : 0;
	if (l->ct_all.min == UINT64_MAX)
		l->ct_all.min = 0;
	for (k = 0; k < 3; k++) {
		uint64_t target = (uint64_t)ceil((double)all_cycles * (k == 0 ? 0.5 : k == 1 ? 0.99 : 0.999)), acc = 0;
		uint64_t *out = k == 0 ? &l->ct_all.p50 : k == 1 ? &l->ct_all.p99 : &l->ct_all.p999;
		size_t j;

		*out = UINT64_MAX;
		for (j = 0; j <= LOAD_CT_HIST_US && target; j++) {
			acc += all_hist[j];
			if (acc >= target) {
				*out = j;
				break;
			}
		}
	}
	/* the histogram file must exist too: the report plots it */
	snprintf(path, sizeof(path), "%s/cyclictest.hist", l->load_dir);
	f = fopen(path, "r");
	if (!f)
		return rplat_fail(err, errlen, "load: %s: %s", path, strerror(errno));
	fclose(f);
	l->ct_ok = l->nct > 0;
	return l->ct_ok ? 0 : rplat_fail(err, errlen, "load: cyclictest reported no threads");
}

static void write_ct_stats(struct rplat_jw *jw, const char *key, const struct ct_thread *c, int with_cpu)
{
	rplat_jw_obj_begin(jw, key);
	if (with_cpu)
		rplat_jw_int(jw, "cpu", c->cpu);
	rplat_jw_str(jw, "unit", "us");
	rplat_jw_uint(jw, "cycles", c->cycles);
	rplat_jw_uint(jw, "min", c->min);
	rplat_jw_double(jw, "avg", c->avg);
	rplat_jw_uint(jw, "max", c->max);
	/* null: the percentile lies beyond cyclictest's histogram range (among the overflows) */
	if (c->p50 == UINT64_MAX)
		rplat_jw_null(jw, "p50");
	else
		rplat_jw_uint(jw, "p50", c->p50);
	if (c->p99 == UINT64_MAX)
		rplat_jw_null(jw, "p99");
	else
		rplat_jw_uint(jw, "p99", c->p99);
	if (c->p999 == UINT64_MAX)
		rplat_jw_null(jw, "p99.9");
	else
		rplat_jw_uint(jw, "p99.9", c->p999);
	rplat_jw_uint(jw, "overflows", c->overflows);
	rplat_jw_obj_end(jw);
}

static void write_ct_summary(const struct rplat_load *l, struct rplat_jw *jw)
{
	int i;

	rplat_jw_obj_begin(jw, "cyclictest");
	rplat_jw_str(jw, "cpus", l->ct_cpus);
	rplat_jw_int(jw, "hist_us", l->ct_hist_us);
	if (l->ct_ok) {
		write_ct_stats(jw, "all", &l->ct_all, 0);
		rplat_jw_arr_begin(jw, "threads");
		for (i = 0; i < l->nct; i++)
			write_ct_stats(jw, NULL, &l->ct[i], 1);
		rplat_jw_arr_end(jw);
		rplat_jw_str(jw, "histogram_file", "cyclictest.hist");
		rplat_jw_str(jw, "json_file", "cyclictest.json");
	} else {
		rplat_jw_null(jw, "all");
	}
	rplat_jw_obj_end(jw);
}

static int has_cyclictest(const struct rplat_load *l)
{
	int i;

	for (i = 0; i < l->p.ntools; i++)
		if (l->p.tools[i].kind == T_CYCLICTEST)
			return 1;
	return 0;
}

static int write_load_json(struct rplat_load *l, char *err, size_t errlen)
{
	char path[PATH_MAX + 32], tmp[PATH_MAX + 40], st[64];
	struct rplat_jw jw;
	FILE *f;
	int i, j;

	snprintf(path, sizeof(path), "%s/load.json", l->load_dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return rplat_fail(err, errlen, "load: %s: %s", tmp, strerror(errno));
	rplat_jw_init(&jw, f);
	rplat_jw_obj_begin(&jw, NULL);
	rplat_jw_str(&jw, "format", "rplat-load");
	rplat_jw_int(&jw, "format_version", 1);
	rplat_jw_str(&jw, "profile", l->p.name);
	rplat_jw_str(&jw, "source", l->p.source);
	rplat_jw_str(&jw, "definition", l->p.text);
	rplat_jw_int(&jw, "ncpus", l->ncpus);
	rplat_jw_str(&jw, "measurement_cpus", l->avoid);
	rplat_jw_double(&jw, "warmup_s", (double)l->p.warmup_ns / 1e9);
	rplat_jw_str(&jw, "start_time", l->start_time);
	rplat_jw_str(&jw, "end_time", l->end_time);
	rplat_jw_double(&jw, "duration_s", (double)(l->t1 - l->t0) / 1e9);
	rplat_jw_arr_begin(&jw, "tools");
	for (i = 0; i < l->p.ntools; i++) {
		const struct tool *t = &l->p.tools[i];

		rplat_jw_obj_begin(&jw, NULL);
		rplat_jw_str(&jw, "tool", kind_name[t->kind]);
		rplat_jw_str(&jw, "name", t->name);
		rplat_jw_arr_begin(&jw, "argv");
		for (j = 0; j < t->argc; j++)
			rplat_jw_str(&jw, NULL, t->argv[j]);
		rplat_jw_arr_end(&jw);
		rplat_jw_obj_begin(&jw, "params");
		for (j = 0; j < t->nparams; j++)
			rplat_jw_str(&jw, t->params[j].key, t->params[j].val);
		rplat_jw_obj_end(&jw);
		rplat_jw_bool(&jw, "restart", t->restart);
		rplat_jw_int(&jw, "starts", t->starts);
		describe_status(t->last_status, st, sizeof(st));
		rplat_jw_str(&jw, "last_exit", st);
		rplat_jw_bool(&jw, "failed", t->failed);
		rplat_jw_str(&jw, "log", strrchr(t->log, '/') ? strrchr(t->log, '/') + 1 : t->log);
		rplat_jw_obj_end(&jw);
	}
	rplat_jw_arr_end(&jw);
	if (has_cyclictest(l))
		write_ct_summary(l, &jw);
	rplat_jw_str(&jw, "warnings", l->warnings);
	rplat_jw_obj_end(&jw);
	if (rplat_jw_finish(&jw) | fclose(f)) {
		unlink(tmp);
		return rplat_fail(err, errlen, "load: %s: write failed", tmp);
	}
	if (rename(tmp, path)) {
		unlink(tmp);
		return rplat_fail(err, errlen, "load: %s: %s", path, strerror(errno));
	}
	return 0;
}

static int mkdir_p(const char *dir)
{
	char buf[PATH_MAX];
	char *s;

	snprintf(buf, sizeof(buf), "%s", dir);
	for (s = buf + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			if (mkdir(buf, 0755) && errno != EEXIST)
				return -1;
			*s = '/';
		}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

/* Kill whatever the supervisor may have left (it was killed itself) and reap it. */
static void force_kill(struct rplat_load *l)
{
	int i;

	if (l->sup > 0)
		kill(-l->sup, SIGKILL);
	for (i = 0; i < l->p.ntools; i++)
		if (l->p.tools[i].pid > 0)
			kill(-l->p.tools[i].pid, SIGKILL);
	if (l->sup > 0)
		waitpid(l->sup, NULL, 0);
	l->sup = 0;
}

int rplat_load_stop(struct rplat_load *l, char *err, size_t errlen)
{
	struct timespec ts = { 0, 10000000 };
	int64_t deadline;
	int i, rc = 0;
	char msg[512] = "";

	if (!l || !l->running)
		return 0;
	l->running = 0;
	if (l->ctl_fd >= 0) {
		close(l->ctl_fd);
		l->ctl_fd = -1;
	}
	deadline = rplat_now_ns() + 20000000000LL;
	for (;;) {
		pid_t r = waitpid(l->sup, NULL, WNOHANG);

		read_status(l);
		if (r == l->sup || (r < 0 && errno == ECHILD)) {
			l->sup = 0;
			break;
		}
		if (rplat_now_ns() > deadline) {
			force_kill(l);
			snprintf(msg, sizeof(msg), "load: the supervisor did not stop within 20 s and was killed");
			rc = -1;
			break;
		}
		nanosleep(&ts, NULL);
	}
	read_status(l);
	if (l->st_fd >= 0) {
		close(l->st_fd);
		l->st_fd = -1;
	}
	l->t1 = rplat_now_ns();
	iso_now(l->end_time, sizeof(l->end_time));
	rm_rf(l->stress_tmp);
	for (i = 0; i < l->p.ntools && !rc; i++)
		if (l->p.tools[i].failed) {
			char tail[200];

			log_tail(l->p.tools[i].log, tail, sizeof(tail));
			snprintf(msg, sizeof(msg), "load: %s kept failing and was given up: %s", l->p.tools[i].name,
				 *tail ? tail : "(no output)");
			rc = -1;
		}
	if (has_cyclictest(l) && read_cyclictest(l, rc ? NULL : msg, sizeof(msg)))
		rc = -1;
	if (write_load_json(l, rc ? NULL : msg, sizeof(msg)))
		rc = -1;
	l->stopped = 1;
	if (rc)
		rplat_fail(err, errlen, "%s", msg);
	return rc;
}

int rplat_load_start(const char *profile, const char *run_dir, const char *avoid_cpus, struct rplat_load **out,
		     char *err, size_t errlen)
{
	struct rplat_load *l;
	int ctl[2] = { -1, -1 }, st[2] = { -1, -1 };
	int64_t end;
	pid_t me = getpid();
	int i;

	*out = NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return rplat_fail(err, errlen, "out of memory");
	l->ctl_fd = l->st_fd = -1;
	if (profile_load(&l->p, profile, err, errlen)) {
		free(l);
		return -1;
	}
	if (setup_cpus(l, avoid_cpus, err, errlen))
		goto fail;
	if (l->p.ntools == 0) { /* "none": nothing to run, nothing to write */
		*out = l;
		return 0;
	}
	if (run_dir) {
		snprintf(l->load_dir, sizeof(l->load_dir), "%s/load", run_dir);
		if (mkdir_p(l->load_dir)) {
			rplat_fail(err, errlen, "load: cannot create %s: %s", l->load_dir, strerror(errno));
			goto fail;
		}
	} else {
		snprintf(l->load_dir, sizeof(l->load_dir), "%s/rplat-load-XXXXXX",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(l->load_dir)) {
			rplat_fail(err, errlen, "load: cannot create a temporary directory: %s", strerror(errno));
			l->load_dir[0] = 0;
			goto fail;
		}
		l->tmp_dir = 1;
	}
	snprintf(l->stress_tmp, sizeof(l->stress_tmp), "%s/rplat-stress-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(l->stress_tmp)) {
		rplat_fail(err, errlen, "load: cannot create a temporary directory: %s", strerror(errno));
		l->stress_tmp[0] = 0;
		goto fail;
	}
	if (build_argvs(l, err, errlen))
		goto fail;
	for (i = 0; i < l->p.ntools; i++)
		unlink(l->p.tools[i].log);
	if (pipe2(ctl, O_CLOEXEC) || pipe2(st, O_CLOEXEC)) {
		rplat_fail(err, errlen, "load: pipe: %s", strerror(errno));
		goto fail;
	}
	iso_now(l->start_time, sizeof(l->start_time));
	l->t0 = rplat_now_ns();
	fflush(NULL);
	l->sup = fork();
	if (l->sup < 0) {
		rplat_fail(err, errlen, "load: fork: %s", strerror(errno));
		goto fail;
	}
	if (l->sup == 0) {
		close(ctl[1]);
		close(st[0]);
		supervisor(l, ctl[0], st[1], me);
	}
	setpgid(l->sup, l->sup);
	close(ctl[0]);
	close(st[1]);
	ctl[0] = st[1] = -1;
	l->ctl_fd = ctl[1];
	l->st_fd = st[0];
	fcntl(l->st_fd, F_SETFL, O_NONBLOCK);
	l->running = 1;
	/* warmup: every tool must start and stay up (or be restartable) */
	end = rplat_now_ns() + l->p.warmup_ns;
	do {
		struct timespec ts = { 0, 20000000 };

		read_status(l);
		for (i = 0; i < l->p.ntools; i++) {
			struct tool *t = &l->p.tools[i];

			if (t->failed || (!t->restart && t->last_status >= 0)) {
				char tail[200], stbuf[64];

				read_status(l);
				log_tail(t->log, tail, sizeof(tail));
				describe_status(t->last_status, stbuf, sizeof(stbuf));
				rplat_fail(err, errlen, "load profile '%s': %s stopped during the warmup (%s): %s",
					   l->p.name, t->name, stbuf, *tail ? tail : "(no output)");
				goto fail_stop;
			}
		}
		if (waitpid(l->sup, NULL, WNOHANG) == l->sup) {
			l->sup = 0;
			rplat_fail(err, errlen, "load: the supervisor exited during the warmup");
			goto fail_stop;
		}
		nanosleep(&ts, NULL);
	} while (rplat_now_ns() < end);
	*out = l;
	return 0;

fail_stop: {
	char ignore[64];

	rplat_load_stop(l, ignore, sizeof(ignore));
}
fail:
	for (i = 0; i < 2; i++) {
		if (ctl[i] >= 0)
			close(ctl[i]);
		if (st[i] >= 0)
			close(st[i]);
	}
	l->ctl_fd = -1;
	rm_rf(l->stress_tmp);
	if (l->tmp_dir)
		rm_rf(l->load_dir);
	profile_release(&l->p);
	free(l);
	return -1;
}

void rplat_load_write_json(const struct rplat_load *l, struct rplat_jw *jw)
{
	int i;

	rplat_jw_obj_begin(jw, "load");
	rplat_jw_str(jw, "profile", l ? l->p.name : "none");
	if (l && l->p.ntools) {
		rplat_jw_str(jw, "source", l->p.source);
		rplat_jw_arr_begin(jw, "tools");
		for (i = 0; i < l->p.ntools; i++)
			rplat_jw_str(jw, NULL, l->p.tools[i].name);
		rplat_jw_arr_end(jw);
		if (!l->tmp_dir)
			rplat_jw_str(jw, "file", "load/load.json");
		if (l->stopped && has_cyclictest(l))
			write_ct_summary(l, jw);
	}
	rplat_jw_obj_end(jw);
}

static void fmt_ct_pct(uint64_t v, int hist_us, char *buf, size_t n)
{
	if (v == UINT64_MAX)
		snprintf(buf, n, ">%d", hist_us);
	else
		snprintf(buf, n, "%llu", (unsigned long long)v);
}

void rplat_load_print_summary(const struct rplat_load *l, FILE *f)
{
	int i;

	if (!l || !l->p.ntools) {
		fprintf(f, "load: none\n");
		return;
	}
	fprintf(f, "load: %s (%s), %.1f s:", l->p.name, l->p.source, (double)(l->t1 - l->t0) / 1e9);
	for (i = 0; i < l->p.ntools; i++) {
		char st[64];

		describe_status(l->p.tools[i].last_status, st, sizeof(st));
		fprintf(f, " %s (started %d, last %s%s)", l->p.tools[i].name, l->p.tools[i].starts, st,
			l->p.tools[i].failed ? ", FAILED" : "");
	}
	fprintf(f, "\n");
	if (l->ct_ok) {
		char p99[32], p999[32];

		fmt_ct_pct(l->ct_all.p99, l->ct_hist_us, p99, sizeof(p99));
		fmt_ct_pct(l->ct_all.p999, l->ct_hist_us, p999, sizeof(p999));
		fprintf(f, "load: cyclictest on CPUs %s, %llu cycles: min %llu avg %.1f p99 %s p99.9 %s max %llu us, "
			"%llu beyond its %d us histogram\n",
			l->ct_cpus, (unsigned long long)l->ct_all.cycles, (unsigned long long)l->ct_all.min,
			l->ct_all.avg, p99, p999, (unsigned long long)l->ct_all.max,
			(unsigned long long)l->ct_all.overflows, l->ct_hist_us);
	}
	if (*l->warnings)
		fprintf(f, "load: warning: %s\n", l->warnings);
	if (!l->tmp_dir)
		fprintf(f, "load: results in %s/\n", l->load_dir);
}

const char *rplat_load_name(const struct rplat_load *l)
{
	return l ? l->p.name : "none";
}

void rplat_load_free(struct rplat_load *l)
{
	char ignore[64];

	if (!l)
		return;
	rplat_load_stop(l, ignore, sizeof(ignore));
	if (l->sup > 0)
		force_kill(l);
	if (l->ctl_fd >= 0)
		close(l->ctl_fd);
	if (l->st_fd >= 0)
		close(l->st_fd);
	rm_rf(l->stress_tmp);
	if (l->tmp_dir)
		rm_rf(l->load_dir);
	profile_release(&l->p);
	free(l);
}
