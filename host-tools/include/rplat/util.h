/* Small helpers shared by the commands: clocks, unit parsing, key=value option lists. */
#ifndef RPLAT_UTIL_H
#define RPLAT_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define RPLAT_VERSION "0.1.0"

int64_t rplat_now_ns(void);     /* CLOCK_MONOTONIC */
int64_t rplat_now_raw_ns(void); /* CLOCK_MONOTONIC_RAW */

/* Numbers with units. Each returns 0, or -1 for text that is not a number with an accepted unit.
 *   duration: "10" (s), "10s", "5m", "2h", "1d", "250ms", "20us", "100ns" -> ns
 *   time_us:  "20" (us), "20us", "1ms", "1.5ms", "500ns", "2s"           -> ns
 *   freq:     "400M", "400MHz", "1G", "32768", "32k"                     -> Hz
 *   ppm:      "100ppm", "-50", "1.5ppm"                                   -> ppm
 *   bytes:    "64", "1k", "4K", "1M" (binary multiples)                   -> bytes */
int rplat_parse_duration(const char *s, int64_t *ns);
int rplat_parse_time_us(const char *s, int64_t *ns);
int rplat_parse_freq(const char *s, uint64_t *hz);
int rplat_parse_ppm(const char *s, double *ppm);
int rplat_parse_bytes(const char *s, uint64_t *bytes);
int rplat_parse_u64(const char *s, uint64_t *v);
/* Is 'cpu' one this process may run on (in its affinity mask)? Writes the usable CPUs ("0-1") to
 * list (may be NULL). */
int rplat_cpu_usable(long cpu, char *list, size_t n);

/* A comma-separated key=value list ("hz=400M,cpu=1,fifo"). A bare key has value "". */
#define RPLAT_KV_MAX 32
struct rplat_kv {
	int n;
	char *key[RPLAT_KV_MAX];
	char *val[RPLAT_KV_MAX];
	char buf[512];
};
/* Returns 0, or -1 with a message in err (too long, too many items, empty key). */
int rplat_kv_parse(struct rplat_kv *kv, const char *s, char *err, size_t errlen);

/* Format into err, like snprintf, and return -1: "return rplat_fail(err, n, "...", ...);". */
int rplat_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
