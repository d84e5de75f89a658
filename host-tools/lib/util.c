/* Small helpers shared by the commands. See rplat/util.h. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sched.h>
#include <time.h>

#include "rplat/util.h"

int rplat_cpu_usable(long cpu, char *list, size_t n)
{
	cpu_set_t set;
	size_t len = 0;
	int i, ok;

	if (sched_getaffinity(0, sizeof(set), &set))
		return cpu >= 0 && cpu < CPU_SETSIZE; /* cannot tell: leave it to the set-up */
	ok = cpu >= 0 && cpu < CPU_SETSIZE && CPU_ISSET((int)cpu, &set);
	if (list && n) {
		list[0] = 0;
		for (i = 0; i < CPU_SETSIZE && len + 24 < n; i++) {
			int j = i;

			if (!CPU_ISSET(i, &set))
				continue;
			while (j + 1 < CPU_SETSIZE && CPU_ISSET(j + 1, &set))
				j++;
			len += (size_t)snprintf(list + len, n - len, j > i ? "%s%d-%d" : "%s%d", len ? "," : "", i, j);
			i = j;
		}
	}
	return ok;
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t rplat_now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

int64_t rplat_now_raw_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC_RAW);
}

int rplat_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

struct unit {
	const char *name;
	double mult;
};

/* Parse a finite number followed by one of 'units' (case-sensitive first, then insensitive). An empty
 * suffix takes 'bare'. */
static int parse_with_units(const char *s, const struct unit *units, double bare, double *out)
{
	char *end;
	double v;
	int i;

	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno == ERANGE || !isfinite(v))
		return -1;
	if (!*end) {
		*out = v * bare;
		return 0;
	}
	for (i = 0; units[i].name; i++)
		if (!strcmp(end, units[i].name)) {
			*out = v * units[i].mult;
			return 0;
		}
	for (i = 0; units[i].name; i++)
		if (!strcasecmp(end, units[i].name)) {
			*out = v * units[i].mult;
			return 0;
		}
	return -1;
}

static const struct unit time_units[] = {
	{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "min", 60e9 },
	{ "h", 3600e9 }, { "d", 86400e9 }, { NULL, 0 },
};

static int to_ns(double v, int64_t *ns)
{
	if (v < 0 || v > 9.2e18)
		return -1;
	*ns = (int64_t)llround(v);
	return 0;
}

int rplat_parse_duration(const char *s, int64_t *ns)
{
	double v;

	return parse_with_units(s, time_units, 1e9, &v) ? -1 : to_ns(v, ns);
}

int rplat_parse_time_us(const char *s, int64_t *ns)
{
	double v;

	return parse_with_units(s, time_units, 1e3, &v) ? -1 : to_ns(v, ns);
}

int rplat_parse_freq(const char *s, uint64_t *hz)
{
	static const struct unit u[] = {
		{ "Hz", 1 }, { "k", 1e3 }, { "kHz", 1e3 }, { "K", 1e3 }, { "M", 1e6 }, { "MHz", 1e6 },
		{ "G", 1e9 }, { "GHz", 1e9 }, { NULL, 0 },
	};
	double v;

	if (parse_with_units(s, u, 1, &v) || v < 1 || v > 1e12)
		return -1;
	*hz = (uint64_t)llround(v);
	return 0;
}

int rplat_parse_ppm(const char *s, double *ppm)
{
	static const struct unit u[] = { { "ppm", 1 }, { "ppb", 1e-3 }, { NULL, 0 } };
	double v;

	if (parse_with_units(s, u, 1, &v) || fabs(v) > 1e5)
		return -1;
	*ppm = v;
	return 0;
}

int rplat_parse_bytes(const char *s, uint64_t *bytes)
{
	static const struct unit u[] = {
		{ "B", 1 }, { "k", 1024 }, { "K", 1024 }, { "KiB", 1024 }, { "M", 1048576 }, { "MiB", 1048576 },
		{ "G", 1073741824.0 }, { "GiB", 1073741824.0 }, { NULL, 0 },
	};
	double v;

	if (parse_with_units(s, u, 1, &v) || v < 0 || v > 1.8e19 || v != floor(v))
		return -1;
	*bytes = (uint64_t)v;
	return 0;
}

int rplat_parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (*end || errno)
		return -1;
	*v = x;
	return 0;
}

int rplat_kv_parse(struct rplat_kv *kv, const char *s, char *err, size_t errlen)
{
	char *p, *item, *save = NULL;

	kv->n = 0;
	if (strlen(s) >= sizeof(kv->buf))
		return rplat_fail(err, errlen, "option list too long (%zu bytes, at most %zu)", strlen(s),
				  sizeof(kv->buf) - 1);
	strcpy(kv->buf, s);
	for (p = kv->buf; (item = strtok_r(p, ",", &save)); p = NULL) {
		char *eq = strchr(item, '=');

		if (kv->n == RPLAT_KV_MAX)
			return rplat_fail(err, errlen, "too many options (at most %d)", RPLAT_KV_MAX);
		if (eq)
			*eq = '\0';
		if (!*item)
			return rplat_fail(err, errlen, "empty option name in '%s'", s);
		kv->key[kv->n] = item;
		kv->val[kv->n] = eq ? eq + 1 : item + strlen(item);
		kv->n++;
	}
	return 0;
}
